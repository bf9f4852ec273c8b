//! Unusual but legitimate requests, and hostile ones, that clients of mock
//! servers send: OPTIONS without a preflight and `OPTIONS *`, dot segments
//! and percent-encoded letters in paths, repeated `Accept` headers and
//! wildcards next to refused types, bodies that stop arriving, preflights
//! from origins not allowed, odd admin queries, `--token` spellings and
//! bodies in charsets other than UTF-8.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{Server, anonymous_client, client};
use serde_json::Value;

const R7: &str = "/r7/api/2.0/crm/contact/1234";
const STATUS: &str = "/onlyoffice/api/2.0/crm/contact/1234/status";
const SUPEROFFICE: &str = "/superoffice/api/v1/Contact/763";

/// Sends `request` as it is on a fresh connection and reads until the
/// server closes it (or `limit` passes), returning what came back.
fn exchange(server: &Server, request: &str, limit: Duration) -> String {
    let address = server.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(limit)).expect("timeout");
    stream.write_all(request.as_bytes()).expect("write");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

fn header<'a>(answer: &'a str, name: &str) -> Option<&'a str> {
    let head = answer.split("\r\n\r\n").next()?;
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

#[tokio::test]
async fn options_is_answered_with_what_the_path_allows() {
    let server = Server::start(&[]);
    let http = anonymous_client();
    let reply = http
        .request(reqwest::Method::OPTIONS, server.url(R7))
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 204);
    assert_eq!(reply.headers()["allow"], "GET, HEAD, OPTIONS");

    // Not a preflight (no Access-Control-Request-Method), but CORS applies.
    let reply = http
        .request(reqwest::Method::OPTIONS, server.url(STATUS))
        .header("Origin", "http://localhost:5173")
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 204);
    assert_eq!(reply.headers()["allow"], "PUT, OPTIONS");
    assert_eq!(
        reply.headers()["access-control-allow-origin"],
        "http://localhost:5173"
    );

    let refused = client().delete(server.url(R7)).send().await.expect("sent");
    assert_eq!(refused.status(), 405);
    assert_eq!(refused.headers()["allow"], "GET, HEAD, OPTIONS");

    let unknown = http
        .request(reqwest::Method::OPTIONS, server.url("/nothing/here"))
        .send()
        .await
        .expect("sent");
    assert_eq!(unknown.status(), 404);

    let everything = exchange(
        &server,
        "OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        Duration::from_secs(5),
    );
    assert!(everything.starts_with("HTTP/1.1 204"), "{everything}");
    assert_eq!(
        header(&everything, "allow"),
        Some("GET, HEAD, OPTIONS, POST, PUT")
    );
}

#[tokio::test]
async fn dot_segments_and_encoded_letters_reach_the_documented_route() {
    let server = Server::start(&[]);
    let http = client();
    for path in [
        "/r7/api/2.0/crm/./contact/1234.json",
        "/r7/api/2.0/crm/deals/../contact/1234.json",
        "/r7/api/2.0/crm/%63ontact/1234.json",
        "/r7/api/2.0/crm/%2E%2e/crm/contact/1234.json",
        "/r7/api/2.0/crm/contact/%31234.json",
    ] {
        let reply = http.get(server.url(path)).send().await.expect("sent");
        assert_eq!(reply.status(), 200, "{path}");
        assert!(
            reply.headers()["content-type"]
                .to_str()
                .expect("ascii")
                .starts_with("application/json"),
            "{path}"
        );
    }
    // Dot segments removed leave a path no route documents.
    let reply = http
        .get(server.url("/r7/api/2.0/crm/contact/1234/.."))
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 404);
}

#[tokio::test]
async fn accept_headers_are_read_whole_and_refusals_hold_behind_wildcards() {
    // The documentation's rule reads Accept; the server's ignores it (see
    // tests/clients.rs).
    let server = Server::start(&["--formats", "documented"]);
    let http = client();
    let media = |reply: &reqwest::Response| {
        reply.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .to_string()
    };
    // Two Accept headers are one list.
    let reply = http
        .get(server.url(R7))
        .header("Accept", "image/png")
        .header("Accept", "application/json")
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 200);
    assert_eq!(media(&reply), "application/json; charset=utf-8");

    for (accept, expected) in [
        ("text/xml;q=0, */*", "application/xml; charset=utf-8"),
        (
            "text/xml;q=0, application/xml;q=0, */*",
            "application/json; charset=utf-8",
        ),
        ("application/*", "application/xml; charset=utf-8"),
        ("text/*", "text/xml; charset=utf-8"),
    ] {
        let reply = http
            .get(server.url(R7))
            .header("Accept", accept)
            .send()
            .await
            .expect("sent");
        assert_eq!(reply.status(), 200, "{accept}");
        assert_eq!(media(&reply), expected, "{accept}");
    }
    let reply = http
        .put(server.url(SUPEROFFICE))
        .header("Accept", "text/*")
        .header("Content-Type", "application/json")
        .body(r#"{"Name": "A"}"#)
        .send()
        .await
        .expect("sent");
    assert_eq!(media(&reply), "text/json; charset=utf-8");
}

#[test]
fn a_body_that_stops_arriving_gets_a_408_and_the_server_keeps_serving() {
    let server = Server::start(&["--header-timeout", "1s"]);
    let started = Instant::now();
    let answer = exchange(
        &server,
        &format!(
            "PUT {STATUS}.json HTTP/1.1\r\nHost: x\r\nAuthorization: t\r\n\
             Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"contactSta"
        ),
        Duration::from_secs(10),
    );
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_eq!(header(&answer, "connection"), Some("close"));
    assert!(answer.contains(r#""in":"body""#), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered after {:?}",
        started.elapsed()
    );
    let next = exchange(
        &server,
        &format!(
            "GET {R7}.json HTTP/1.1\r\nHost: x\r\nAuthorization: t\r\nConnection: close\r\n\r\n"
        ),
        Duration::from_secs(5),
    );
    assert!(next.starts_with("HTTP/1.1 200"), "{next}");
}

#[test]
fn a_body_sent_slowly_but_steadily_is_not_cut_off() {
    let server = Server::start(&["--header-timeout", "1s"]);
    let address = server.base.trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let body = r#"{"contactStatusid": 1234}"#;
    stream
        .write_all(
            format!(
                "PUT {STATUS}.json HTTP/1.1\r\nHost: x\r\nAuthorization: t\r\nConnection: close\r\n\
                 Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        )
        .expect("write head");
    // Each piece well within the timeout, all of them together beyond it.
    for piece in body.as_bytes().chunks(9) {
        std::thread::sleep(Duration::from_millis(500));
        stream.write_all(piece).expect("write piece");
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn preflights_from_origins_not_allowed_are_told_why_and_admin_preflights_follow_admin_cors() {
    let server = Server::start(&[
        "--cors-origin",
        "http://allowed.test",
        "--admin-cors",
        "http://admin.test",
    ]);
    let http = anonymous_client();
    let refused = http
        .request(reqwest::Method::OPTIONS, server.url(SUPEROFFICE))
        .header("Origin", "http://other.test")
        .header("Access-Control-Request-Method", "PUT")
        .header("Accept", "application/json")
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.status(), 403);
    assert!(
        !refused
            .headers()
            .contains_key("access-control-allow-origin")
    );
    let body: Value = refused.json().await.expect("json");
    assert_eq!(body["Error"], true, "{body}");
    assert_eq!(body["Violations"][0]["Pointer"], "/Origin", "{body}");
    assert!(
        body["ErrorMessage"]
            .as_str()
            .is_some_and(|m| m.contains("http://allowed.test")),
        "{body}"
    );

    // The admin API has CORS of its own: an origin the mocked API allows
    // is not one the admin API does.
    let admin = http
        .request(reqwest::Method::OPTIONS, server.url("/__docmock/requests"))
        .header("Origin", "http://allowed.test")
        .header("Access-Control-Request-Method", "DELETE")
        .send()
        .await
        .expect("sent");
    assert_eq!(admin.status(), 403);
    assert!(!admin.headers().contains_key("access-control-allow-origin"));
    let body: Value = admin.json().await.expect("json");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|m| m.contains("--admin-cors")),
        "{body}"
    );
    let admin = http
        .request(reqwest::Method::OPTIONS, server.url("/__docmock/requests"))
        .header("Origin", "http://admin.test")
        .header("Access-Control-Request-Method", "DELETE")
        .send()
        .await
        .expect("sent");
    assert_eq!(admin.status(), 204);
    assert!(
        admin.headers()["access-control-allow-methods"]
            .to_str()
            .is_ok_and(|m| m.contains("DELETE"))
    );
    assert_eq!(
        admin.headers()["access-control-allow-origin"],
        "http://admin.test"
    );
}

#[tokio::test]
async fn the_admin_api_says_what_is_wrong_with_its_query_and_reads_paths_loosely() {
    let server = Server::start(&[]);
    let http = anonymous_client();
    for query in ["limit=abc", "limit=-1", "limit=", "limit=%ZZ"] {
        let reply = http
            .get(server.url(&format!("/__docmock/requests?{query}")))
            .send()
            .await
            .expect("sent");
        assert_eq!(reply.status(), 400, "{query}");
        let body: Value = reply.json().await.expect("json");
        assert!(
            body["error"]
                .as_str()
                .is_some_and(|e| e.contains("limit must be")),
            "{query}: {body}"
        );
    }
    for path in [
        "/__docmock/requests?limit=99999999999999999999999",
        "/__docmock//requests",
        "/__docmock/requests/",
        "/__docmock//health//",
    ] {
        let reply = http.get(server.url(path)).send().await.expect("sent");
        assert_eq!(reply.status(), 200, "{path}");
    }
    let options = http
        .request(reqwest::Method::OPTIONS, server.url("/__docmock/requests"))
        .send()
        .await
        .expect("sent");
    assert_eq!(options.status(), 204);
    assert_eq!(options.headers()["allow"], "GET, HEAD, DELETE, OPTIONS");
}

#[tokio::test]
async fn a_token_is_matched_with_or_without_a_scheme_and_never_echoed() {
    let server = Server::start(&["--token", "s3cret"]);
    let http = anonymous_client();
    for value in ["s3cret", "Bearer s3cret"] {
        let reply = http
            .get(server.url(&format!("{R7}.json")))
            .header("Authorization", value)
            .send()
            .await
            .expect("sent");
        assert_eq!(reply.status(), 200, "{value}");
    }
    let reply = http
        .get(server.url(&format!("{R7}.json")))
        .header("Authorization", "Bearer wrong-one")
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 403);
    let body = reply.text().await.expect("body");
    assert!(!body.contains("wrong-one"), "{body}");
    let body: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(body["error"]["violations"][0]["pointer"], "/Authorization");
}

#[tokio::test]
async fn select_reads_repeated_parameters_and_the_star() {
    let server = Server::start(&[]);
    let http = client();
    let body =
        std::fs::read(common::root().join("fixtures/superoffice/put-contact-id/request.json"))
            .expect("fixture");
    let selected = |query: &'static str| {
        let request = http
            .put(server.url(&format!("{SUPEROFFICE}?{query}")))
            .header("Content-Type", "application/json")
            .body(body.clone());
        async move {
            let reply = request.send().await.expect("sent");
            assert_eq!(reply.status(), 200, "{query}");
            reply.json::<Value>().await.expect("json")
        }
    };
    let both = selected("$select=name&$select=department").await;
    assert!(both["Name"].is_string(), "{both}");
    assert!(both["Department"].is_string(), "{both}");
    assert!(both["OrgNr"].is_null(), "{both}");
    let all = selected("$select=*").await;
    assert!(all["Name"].is_string() && all["OrgNr"].is_string(), "{all}");
}

#[tokio::test]
async fn bodies_in_the_charset_the_request_names_are_read_in_it() {
    let server = Server::start(&[]);
    let http = client();
    let put = |content_type: &'static str, body: Vec<u8>| {
        http.put(server.url(STATUS))
            .header("Accept", "application/json")
            .header("Content-Type", content_type)
            .body(body)
            .send()
    };
    // "café" in Latin-1 and "ж" in UTF-16 and in windows-1251: not UTF-8,
    // and right all the same.
    let latin1 = b"{\"contactStatusid\": 1234, \"note\": \"caf\xe9\"}".to_vec();
    let utf16: Vec<u8> = "\u{feff}{\"contactStatusid\": 1234, \"note\": \"ж\"}"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let cp1251 = b"<?xml version=\"1.0\" encoding=\"windows-1251\"?><request><contactStatusid>1234</contactStatusid><note>\xe6</note></request>".to_vec();
    for (content_type, body) in [
        ("application/json; charset=iso-8859-1", latin1),
        ("application/json; charset=utf-16", utf16.clone()),
        ("application/json", utf16.clone()),
        ("application/xml", cp1251),
    ] {
        let reply = put(content_type, body).await.expect("sent");
        assert_eq!(reply.status(), 200, "{content_type}");
    }

    // A form's escapes stand for bytes in its charset: "ж" in windows-1251,
    // quoted back as sent.
    let reply = put(
        "application/x-www-form-urlencoded; charset=windows-1251",
        b"contactStatusid=%E6".to_vec(),
    )
    .await
    .expect("sent");
    assert_eq!(reply.status(), 400);
    let error: Value = reply.json().await.expect("JSON");
    assert_eq!(error["error"]["violations"][0]["got"], "\"ж\"", "{error}");

    let reply = put("application/json; charset=klingon", b"{}".to_vec())
        .await
        .expect("sent");
    assert_eq!(reply.status(), 415);
    let error: Value = reply.json().await.expect("JSON");
    assert_eq!(error["error"]["violations"][0]["pointer"], "/Content-Type");
    assert!(
        error["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("\"klingon\"")),
        "{error}"
    );

    let reply = put("application/json", utf16[..utf16.len() - 1].to_vec())
        .await
        .expect("sent");
    assert_eq!(reply.status(), 400);
    let error: Value = reply.json().await.expect("JSON");
    assert_eq!(
        error["error"]["violations"][0]["expected"],
        "UTF-16LE text, as the request says"
    );
}

#[tokio::test]
async fn a_compressed_body_is_refused_naming_its_coding() {
    let server = Server::start(&[]);
    let http = client();
    // `{}` gzipped: named as such, not reported as malformed JSON.
    let gzip = [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xab, 0xae, 0x05, 0x00, 0x43,
        0xbf, 0xa6, 0xa3, 0x02, 0x00, 0x00, 0x00,
    ];
    let reply = http
        .put(server.url(STATUS))
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .header("Content-Encoding", "gzip")
        .body(gzip.to_vec())
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 415);
    assert_eq!(reply.headers()["accept-encoding"], "identity");
    let error: Value = reply.json().await.expect("JSON");
    assert_eq!(
        error["error"]["violations"][0]["pointer"],
        "/Content-Encoding"
    );
    let reply = http
        .put(server.url(STATUS))
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .header("Content-Encoding", "identity")
        .body(r#"{"contactStatusid": 1234}"#)
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 200);
}

#[tokio::test]
async fn several_content_encoding_headers_are_read_as_one_list() {
    let server = Server::start(&[]);
    // `{}` gzipped, announced by two headers that together say
    // `identity, gzip` (RFC 9110 §5.3): the body is gzip, as with one header.
    let gzip = [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xab, 0xae, 0x05, 0x00, 0x43,
        0xbf, 0xa6, 0xa3, 0x02, 0x00, 0x00, 0x00,
    ];
    let reply = client()
        .put(server.url(STATUS))
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .header("Content-Encoding", "identity")
        .header("Content-Encoding", "gzip")
        .body(gzip.to_vec())
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 415);
    assert_eq!(reply.headers()["accept-encoding"], "identity");
    let error: Value = reply.json().await.expect("JSON");
    let violation = &error["error"]["violations"][0];
    assert_eq!(violation["pointer"], "/Content-Encoding");
    assert_eq!(violation["got"], r#""identity, gzip""#);
}
