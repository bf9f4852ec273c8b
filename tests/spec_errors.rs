//! Broken spec directories: every problem reported with its file and
//! pointer, `serve` refusing to start (also on a port in use),
//! `--lenient` serving the rest.

mod common;

use std::fs;
use std::path::Path;

use common::{Server, client, run_to_exit, scratch_copy};

fn serve_fails(dir: &Path) -> String {
    let output = run_to_exit(dir, &["serve", "--specs", "specs", "--port", "0"]);
    assert!(
        !output.status.success(),
        "serve started on a broken spec directory"
    );
    assert!(
        !String::from_utf8_lossy(&output.stdout).contains("listening"),
        "serve announced itself"
    );
    String::from_utf8(output.stderr).expect("utf-8")
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{file} has no {from:?}");
    fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

#[test]
fn every_problem_is_listed_with_its_file_and_pointer() {
    let dir = scratch_copy();
    let d = dir.path();
    edit(
        d,
        "specs/r7/get-crm-contact-contactid.json",
        "\"status\": 200",
        "\"status\": \"200\"",
    );
    edit(
        d,
        "specs/onlyoffice/post-crm-case-caseid-contact.json",
        "post-crm-case-caseid-contact/response-201.json",
        "post-crm-case-caseid-contact/missing.json",
    );
    edit(
        d,
        "specs/onlyoffice/put-crm-contact-contactid-status.json",
        "\"method\": \"PUT\"",
        "\"method\": \"PUT\", \"verb\": 1",
    );
    fs::write(
        d.join("specs/superoffice/broken.json"),
        "{\n  \"method\": \"GET\",\n  oops\n}\n",
    )
    .expect("write");

    let stderr = serve_fails(d);
    assert!(stderr.contains("4 problems"), "{stderr}");
    assert!(
        stderr.contains("get-crm-contact-contactid.json: /responses/0/status: invalid type: string \"200\", expected u16"),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("post-crm-case-caseid-contact.json: /responses/0/json: cannot read fixture"),
        "{stderr}"
    );
    assert!(
        stderr.contains("put-crm-contact-contactid-status.json: /verb: unknown field `verb`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("broken.json: line 3, column 3: key must be a string"),
        "{stderr}"
    );
}

#[test]
fn a_fixture_path_that_leaves_the_fixtures_directory_is_refused() {
    let dir = scratch_copy();
    let d = dir.path();
    fs::write(d.join("secret.json"), "{\"status\": 0}").expect("write");
    edit(
        d,
        "specs/r7/get-crm-contact-contactid.json",
        "r7/get-crm-contact-contactid/response-200.json",
        "../secret.json",
    );
    let stderr = serve_fails(d);
    assert!(
        stderr.contains("/responses/0/json: expected a path inside the fixtures directory"),
        "{stderr}"
    );
}

#[test]
fn two_routes_that_match_the_same_request_are_a_load_error() {
    let dir = scratch_copy();
    let d = dir.path();
    let mut copy =
        fs::read_to_string(d.join("specs/r7/get-crm-contact-contactid.json")).expect("read");
    copy = copy
        .replace("{contactid}", "{id}")
        .replace("\"contactid\"", "\"id\"");
    fs::write(d.join("specs/r7/get-by-other-name.json"), copy).expect("write");
    let stderr = serve_fails(d);
    assert!(
        stderr.contains("GET /r7/api/2.0/crm/contact/{contactid} would match the same requests as GET /r7/api/2.0/crm/contact/{id}"),
        "{stderr}"
    );
}

#[test]
fn a_missing_spec_directory_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let stderr = serve_fails(dir.path());
    assert!(
        stderr.contains("cannot read the spec directory"),
        "{stderr}"
    );
}

#[tokio::test]
async fn lenient_serves_what_loads_and_skips_the_rest() {
    let dir = scratch_copy();
    let d = dir.path();
    edit(
        d,
        "specs/r7/get-crm-contact-contactid.json",
        "\"GET\"",
        "\"get\"",
    );
    let specs = d.join("specs");
    let server = Server::start(&["--specs", specs.to_str().expect("utf-8"), "--lenient"]);
    let http = client();
    let skipped = http
        .get(server.url("/r7/api/2.0/crm/contact/1234"))
        .send()
        .await
        .expect("sent");
    assert_eq!(skipped.status(), 404);
    let served = http
        .put(server.url("/onlyoffice/api/2.0/crm/contact/1234/status.json"))
        .header("Content-Type", "application/json")
        .body(r#"{"contactStatusid": 1}"#)
        .send()
        .await
        .expect("sent");
    assert_eq!(served.status(), 200);
}

#[tokio::test]
async fn fixed_segments_outrank_parameters() {
    let dir = scratch_copy();
    let d = dir.path();
    let text = fs::read_to_string(d.join("specs/r7/get-crm-contact-contactid.json")).expect("read");
    let mut list: serde_json::Value = serde_json::from_str(&text).expect("json");
    // A documented `/contact/list` beside `/contact/{contactid}`, answering
    // with the case endpoint's body so the two can be told apart.
    list["path"] = "/api/2.0/crm/contact/list".into();
    list["request"]["target"] = "/api/2.0/crm/contact/list".into();
    list["parameters"] = serde_json::json!([]);
    list["responses"] = serde_json::json!([{
        "status": 200,
        "json": "onlyoffice/post-crm-case-caseid-contact/response-201.json"
    }]);
    let list = list.to_string();
    fs::write(d.join("specs/r7/get-crm-contact-list.json"), list).expect("write");
    let specs = d.join("specs");
    let server = Server::start(&["--specs", specs.to_str().expect("utf-8")]);
    let reply = client()
        .get(server.url("/r7/api/2.0/crm/contact/list.json"))
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 200);
    let body = reply.text().await.expect("body");
    assert!(
        body.contains("Lubanas"),
        "the literal route should answer: {body}"
    );
    let by_id = client()
        .get(server.url("/r7/api/2.0/crm/contact/7.json"))
        .send()
        .await
        .expect("sent");
    assert!(by_id.text().await.expect("body").contains("Tadjeddine"));
}

#[test]
fn a_malformed_xml_literals_override_is_named_with_what_it_takes() {
    let dir = scratch_copy();
    let d = dir.path();
    edit(
        d,
        "specs/r7/get-crm-contact-contactid.json",
        "\"status\": 200,",
        "\"status\": 200, \"xml_literals\": {\"booleans\": \"yes/no\"},",
    );
    edit(
        d,
        "specs/onlyoffice/put-crm-contact-contactid-status.json",
        "\"status\": 200,",
        "\"status\": 200, \"xml_literals\": \"r7office\",",
    );
    let stderr = serve_fails(d);
    assert!(stderr.contains("2 problems"), "{stderr}");
    assert!(
        stderr.contains("get-crm-contact-contactid.json: /responses/0/xml_literals/booleans: unknown variant `yes/no`, expected `True/False` or `true/false`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("put-crm-contact-contactid-status.json: /responses/0/xml_literals: invalid type: string \"r7office\", expected an object with any of `booleans`"),
        "{stderr}"
    );
}

#[test]
fn an_imported_tree_given_as_the_spec_directory_names_the_one_meant() {
    let dir = scratch_copy();
    let output = run_to_exit(dir.path(), &["serve", "--specs", ".", "--port", "0"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("1 problem"), "{stderr}");
    assert!(stderr.contains("pass `--specs ./specs`"), "{stderr}");
    assert!(!stderr.contains("needs an api.json"), "{stderr}");
}

#[test]
fn an_unknown_api_is_named_as_the_option_not_as_a_file() {
    let dir = scratch_copy();
    let output = run_to_exit(dir.path(), &["routes", "--api", "nope"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "\n  --api: no API called \"nope\"; the spec directory has onlyoffice, r7, superoffice"
        ),
        "{stderr}"
    );
}

#[test]
fn a_port_in_use_is_named_with_the_way_out() {
    let dir = scratch_copy();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("address").port().to_string();
    let output = run_to_exit(dir.path(), &["serve", "--port", &port]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{stderr}"
    );
    assert!(stderr.contains("--port 0 for a free one"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_fixture_that_is_not_a_regular_file_is_refused_at_load_not_waited_on() {
    let dir = scratch_copy();
    let d = dir.path();
    let fixture = d.join("fixtures/onlyoffice/put-crm-contact-contactid-status/response-200.json");
    fs::remove_file(&fixture).expect("remove the fixture");
    let made = std::process::Command::new("mkfifo")
        .arg(&fixture)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo");
    // Reading the FIFO would wait for a writer forever: run_to_exit fails
    // the test if check does not finish.
    let output = run_to_exit(d, &["check", "specs"]);
    assert!(!output.status.success(), "check passed a FIFO fixture");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("response-200.json: a FIFO (named pipe), not a regular file"),
        "{stderr}"
    );
    let stderr = serve_fails(d);
    assert!(stderr.contains("not a regular file"), "{stderr}");
}
