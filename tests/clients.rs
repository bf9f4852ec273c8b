//! Requests as existing clients send them, over real HTTP: the format each
//! vendor's server answers with, whatever the documentation says.
//!
//! ONLYOFFICE's own clients send `Accept: */*` or no `Accept` and parse
//! JSON; Community Server answers XML only for a `.xml` / `.tml` path whose
//! request does not send JSON. The SuperOffice Python SDK sends the typo
//! `Accept: aplication/json`, which ASP.NET answers with JSON.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{Server, client, scratch_copy};
use serde_json::Value;

const R7: &str = "/r7/api/2.0/crm/contact/1234";
const STATUS: &str = "/onlyoffice/api/2.0/crm/contact/1234/status";
const SUPEROFFICE: &str = "/superoffice/api/v1/Contact/763";
const JSON: &str = "application/json; charset=utf-8";
const XML: &str = "text/xml; charset=utf-8";

/// The status, `Content-Type` and body of `GET path` with `accept`.
async fn get(server: &Server, path: &str, accept: Option<&str>) -> (u16, String, String) {
    let mut request = client().get(server.url(path));
    if let Some(accept) = accept {
        request = request.header("Accept", accept);
    }
    let reply = request.send().await.expect("sent");
    let status = reply.status().as_u16();
    let content_type = reply.headers()["content-type"]
        .to_str()
        .expect("ASCII")
        .to_string();
    (status, content_type, reply.text().await.expect("body"))
}

/// The `Content-Type` of the answer to a request written by hand, so that
/// it carries no `Accept` at all (reqwest adds `Accept: */*`).
fn content_type_without_accept(server: &Server, path: &str) -> String {
    let address = server.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: {}\r\nConnection: close\r\n\r\n",
        common::CREDENTIALS
    );
    stream.write_all(request.as_bytes()).expect("write");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let head = answer.split("\r\n\r\n").next().unwrap_or_default();
    head.lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-type")
                .then(|| value.trim().to_string())
        })
        .expect("a Content-Type")
}

/// The newest journal entry.
async fn newest_entry(server: &Server) -> Value {
    let journal: Value = client()
        .get(server.url("/__docmock/requests?limit=1"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    journal[0].clone()
}

#[tokio::test]
async fn onlyoffice_clients_that_name_no_format_get_json() {
    let server = Server::start(&[]);
    for accept in [Some("*/*"), Some("application/json"), None] {
        let (status, content_type, body) = get(&server, R7, accept).await;
        assert_eq!((status, content_type.as_str()), (200, JSON), "{accept:?}");
        let body: Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(body["response"]["firstName"], "Tadjeddine", "{accept:?}");
    }
    assert_eq!(content_type_without_accept(&server, R7), JSON);
    assert_eq!(newest_entry(&server).await.get("note"), None);
}

#[tokio::test]
async fn xml_by_accept_alone_gets_json_and_a_note_saying_how_to_get_xml() {
    let mut server = Server::start_logging(&[]);
    for accept in ["text/xml", "application/xml"] {
        let (status, content_type, _) = get(&server, R7, Some(accept)).await;
        assert_eq!((status, content_type.as_str()), (200, JSON), "{accept}");
        let entry = newest_entry(&server).await;
        let note = entry["note"].as_str().expect("a note");
        assert!(note.contains("add .xml to the path"), "{note}");
        assert_eq!(entry["verdict"], "valid");
    }
    // With the suffix, Accept or not, the answer is XML.
    for accept in [Some("text/xml"), Some("*/*"), Some("application/json")] {
        let (status, content_type, body) = get(&server, &format!("{R7}.xml"), accept).await;
        assert_eq!((status, content_type.as_str()), (200, XML), "{accept:?}");
        assert!(body.starts_with("<result>"), "{body}");
    }
    assert!(server.terminate());
    let logs = server.stderr();
    let noted = logs
        .lines()
        .find(|line| line.contains("docmock::request") && line.contains("note="))
        .expect("a request line with a note");
    assert!(noted.contains("add .xml to the path"), "{noted}");
}

#[tokio::test]
async fn the_tml_suffix_answers_xml_as_the_server_does() {
    let server = Server::start(&[]);
    let (status, content_type, body) = get(&server, &format!("{R7}.tml"), None).await;
    assert_eq!((status, content_type.as_str()), (200, XML));
    assert!(body.contains("<firstName>Tadjeddine</firstName>"), "{body}");
    assert_eq!(
        content_type_without_accept(&server, &format!("{R7}.TML")),
        XML
    );
}

#[tokio::test]
async fn an_xml_path_with_a_json_body_gets_json_and_a_form_gets_xml() {
    let server = Server::start(&[]);
    let http = client();
    let url = server.url(&format!("{STATUS}.xml"));
    let json = http
        .put(&url)
        .header("Content-Type", "application/json; charset=utf-8")
        .body(r#"{"contactStatusid": 1234}"#)
        .send()
        .await
        .expect("sent");
    assert_eq!(json.status(), 200);
    assert_eq!(json.headers()["content-type"], JSON);
    let note = newest_entry(&server).await["note"]
        .as_str()
        .expect("a note")
        .to_string();
    assert!(note.contains("Content-Type is application/json"), "{note}");

    let form = http
        .put(&url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("contactStatusid=1234")
        .send()
        .await
        .expect("sent");
    assert_eq!(form.status(), 200);
    assert_eq!(form.headers()["content-type"], XML);
    assert!(form.text().await.expect("body").starts_with("<result>"));
}

#[tokio::test]
async fn onlyoffice_never_refuses_an_accept() {
    let server = Server::start(&[]);
    for accept in ["image/png", "text/html", "application/json;q=0"] {
        let (status, content_type, _) = get(&server, R7, Some(accept)).await;
        assert_eq!((status, content_type.as_str()), (200, JSON), "{accept}");
    }
}

/// SuperOffice's documented update, with `accept`.
async fn superoffice_update(server: &Server, accept: &str) -> reqwest::Response {
    let body =
        std::fs::read(common::root().join("fixtures/superoffice/put-contact-id/request.json"))
            .expect("fixture");
    client()
        .put(server.url(SUPEROFFICE))
        .header("Authorization", "Basic dGplMDpUamUw")
        .header("Content-Type", "application/json")
        .header("Accept", accept)
        .body(body)
        .send()
        .await
        .expect("sent")
}

#[tokio::test]
async fn superoffice_answers_json_to_the_sdks_misspelt_accept_and_other_strangers() {
    let server = Server::start(&[]);
    for accept in ["aplication/json", "text/html", "image/*"] {
        let reply = superoffice_update(&server, accept).await;
        assert_eq!(reply.status(), 200, "{accept}");
        assert_eq!(reply.headers()["content-type"], JSON, "{accept}");
        let body: Value = reply.json().await.expect("JSON");
        assert!(body["ContactId"].is_number(), "{accept}: {body}");
        let note = newest_entry(&server).await["note"]
            .as_str()
            .expect("a note")
            .to_string();
        assert!(note.contains("check the spelling"), "{note}");
    }
    // What it writes, Accept still chooses.
    let xml = superoffice_update(&server, "application/xml").await;
    assert_eq!(
        xml.headers()["content-type"],
        "application/xml; charset=utf-8"
    );
}

#[tokio::test]
async fn the_documented_formats_can_be_asked_for_by_flag() {
    let server = Server::start(&["--formats", "documented"]);
    let (_, content_type, body) = get(&server, R7, None).await;
    assert_eq!(content_type, XML);
    assert!(body.starts_with("<result>"), "{body}");
    assert_eq!(content_type_without_accept(&server, R7), XML);
    let (_, content_type, _) = get(&server, R7, Some("application/xml")).await;
    assert_eq!(content_type, "application/xml; charset=utf-8");
    let (status, _, _) = get(&server, R7, Some("image/png")).await;
    assert_eq!(status, 406);
    // SuperOffice's documentation promises no 406 either.
    let reply = superoffice_update(&server, "aplication/json").await;
    assert_eq!(reply.headers()["content-type"], JSON);
}

#[tokio::test]
async fn the_documented_formats_can_be_asked_for_per_api_and_the_flag_wins() {
    let dir = scratch_copy();
    let api = dir.path().join("specs/r7/api.json");
    let mut file: Value =
        serde_json::from_slice(&std::fs::read(&api).expect("api.json")).expect("JSON");
    file["formats"] = "documented".into();
    std::fs::write(&api, file.to_string()).expect("written");
    let specs = dir.path().join("specs");
    let specs = specs.to_str().expect("UTF-8");

    let server = Server::start(&["--specs", specs]);
    assert_eq!(get(&server, R7, None).await.1, XML);
    // The other ONLYOFFICE API still answers as the server does.
    let status = client()
        .put(server.url(STATUS))
        .header("Content-Type", "application/json")
        .header("Accept", "text/xml")
        .body(r#"{"contactStatusid": 1234}"#)
        .send()
        .await
        .expect("sent");
    assert_eq!(status.headers()["content-type"], JSON);
    drop(server);

    let server = Server::start(&["--specs", specs, "--formats", "server"]);
    assert_eq!(get(&server, R7, None).await.1, JSON);
}

#[test]
fn an_unknown_formats_word_is_refused_naming_both() {
    let dir = scratch_copy();
    let api = dir.path().join("specs/r7/api.json");
    let mut file: Value =
        serde_json::from_slice(&std::fs::read(&api).expect("api.json")).expect("JSON");
    file["formats"] = "docs".into();
    std::fs::write(&api, file.to_string()).expect("written");
    let output = common::run_in(dir.path(), &["check", "specs"]);
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("api.json") && said.contains("documented"),
        "{said}"
    );

    let output = common::run_in(dir.path(), &["serve", "--formats", "docs", "--port", "0"]);
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("`server` or `documented`"), "{said}");
}
