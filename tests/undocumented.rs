//! Responses whose page shows no example: a spec directory written here
//! with every kind of `example` (a body of the same type copied from
//! another endpoint, the vendor's empty success, an envelope around
//! `null`) is served on a free port, each answer marked
//! `Docmock-Example: none`, in the journal, in `routes` and in `check`'s
//! notes; a spec whose fixtures and `example` disagree is refused.

mod common;

use std::fs;
use std::path::Path;

use common::{Server, client, run_in, run_to_exit};
use serde_json::{Value, json};

const ONLYOFFICE_API: &str = r#"{"name": "onlyoffice", "title": "ONLYOFFICE", "dialect": "onlyoffice", "prefix": "/onlyoffice"}"#;
const SUPEROFFICE_API: &str = r#"{"name": "superoffice", "title": "SuperOffice", "dialect": "superoffice", "prefix": "/superoffice"}"#;

/// The documented example that `same-type` borrows, in JSON and XML.
const CONTACT_JSON: &str =
    r#"{"status": 0, "response": {"id": 1234, "displayName": "Ann", "rate": 11.0}}"#;
const CONTACT_XML: &str = "<result>\n  <status>0</status>\n  <response>\n    <id>1234</id>\n    <displayName>Ann</displayName>\n    <rate>11</rate>\n  </response>\n</result>\n";

fn write(dir: &Path, file: &str, text: &str) {
    let path = dir.join(file);
    fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    fs::write(path, text).expect("write");
}

/// A spec file for `method path` answering `response`.
fn endpoint(method: &str, path: &str, response: Value) -> String {
    let target = path.replace("{id}", "1234");
    serde_json::to_string_pretty(&json!({
        "method": method,
        "path": path,
        "auth": true,
        "parameters": [{
            "name": "id", "in": "path", "schema": {"type": "integer"}, "example": 1234, "required": true
        }],
        "request": {"target": target, "headers": {}},
        "responses": [response],
        "source": "a page written for this test",
    }))
    .expect("JSON")
}

/// A spec directory with one endpoint of each kind.
fn spec_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "specs/onlyoffice/api.json", ONLYOFFICE_API);
    write(d, "specs/superoffice/api.json", SUPEROFFICE_API);
    // The donor: a documented example.
    write(
        d,
        "specs/onlyoffice/get-crm-contact-id.json",
        &endpoint(
            "GET",
            "/api/2.0/crm/contact/{id}",
            json!({"status": 200, "type": "Contact",
                   "json": "onlyoffice/get-crm-contact-id/response-200.json",
                   "xml": "onlyoffice/get-crm-contact-id/response-200.xml"}),
        ),
    );
    write(
        d,
        "fixtures/onlyoffice/get-crm-contact-id/response-200.json",
        CONTACT_JSON,
    );
    write(
        d,
        "fixtures/onlyoffice/get-crm-contact-id/response-200.xml",
        CONTACT_XML,
    );
    // Its example copied for another page of the same type.
    write(
        d,
        "specs/onlyoffice/get-crm-person-id.json",
        &endpoint(
            "GET",
            "/api/2.0/crm/person/{id}",
            json!({"status": 200, "type": "Contact",
                   "json": "onlyoffice/get-crm-person-id/response-200.json",
                   "xml": "onlyoffice/get-crm-person-id/response-200.xml",
                   "example": {"from": "same-type", "endpoint": "onlyoffice/get-crm-contact-id"}}),
        ),
    );
    write(
        d,
        "fixtures/onlyoffice/get-crm-person-id/response-200.json",
        CONTACT_JSON,
    );
    write(
        d,
        "fixtures/onlyoffice/get-crm-person-id/response-200.xml",
        CONTACT_XML,
    );
    // "This method doesn't return any data."
    write(
        d,
        "specs/onlyoffice/delete-settings-telegram-id.json",
        &endpoint(
            "DELETE",
            "/api/2.0/settings/telegram/{id}",
            json!({"status": 200, "example": {"from": "no-data"}}),
        ),
    );
    write(
        d,
        "specs/onlyoffice/post-crm-tag-id.json",
        &endpoint(
            "POST",
            "/api/2.0/crm/tag/{id}",
            json!({"status": 201, "example": {"from": "no-data"}}),
        ),
    );
    // "Returns: Invoice existence", with no example.
    write(
        d,
        "specs/onlyoffice/get-crm-invoice-id-exist.json",
        &endpoint(
            "GET",
            "/api/2.0/crm/invoice/{id}/exist",
            json!({"status": 200, "example": {"from": "unknown"}}),
        ),
    );
    write(
        d,
        "specs/superoffice/delete-thing-id.json",
        &endpoint(
            "DELETE",
            "/api/v1/Thing/{id}",
            json!({"status": 204, "example": {"from": "no-data"}}),
        ),
    );
    write(
        d,
        "specs/superoffice/get-thing-id.json",
        &endpoint(
            "GET",
            "/api/v1/Thing/{id}",
            json!({"status": 200, "type": "ThingEntity", "example": {"from": "unknown"}}),
        ),
    );
    dir
}

/// Sends `method path` with `accept` and returns status, the
/// `Docmock-Example` header and the body.
async fn fetch(
    server: &Server,
    method: reqwest::Method,
    path: &str,
    accept: &str,
) -> (u16, Option<String>, String) {
    let reply = client()
        .request(method, server.url(path))
        .header("Accept", accept)
        .send()
        .await
        .expect("sent");
    let status = reply.status().as_u16();
    let mark = reply
        .headers()
        .get("docmock-example")
        .map(|v| v.to_str().expect("ASCII").to_string());
    (status, mark, reply.text().await.expect("body"))
}

#[tokio::test]
async fn each_kind_is_served_with_its_body_and_marked() {
    let dir = spec_dir();
    let specs = dir.path().join("specs");
    let server = Server::start(&["--specs", specs.to_str().expect("UTF-8")]);
    use reqwest::Method as M;
    const JSON: &str = "application/json";
    const XML: &str = "text/xml";

    // A documented example is not marked.
    let (status, mark, body) = fetch(
        &server,
        M::GET,
        "/onlyoffice/api/2.0/crm/contact/1234",
        JSON,
    )
    .await;
    assert_eq!((status, mark, body.as_str()), (200, None, CONTACT_JSON));

    // Same type: the copied fixtures, both forms, marked with their origin.
    let same_type =
        Some(r#"none; from=same-type; endpoint="onlyoffice/get-crm-contact-id""#.to_string());
    let (status, mark, body) =
        fetch(&server, M::GET, "/onlyoffice/api/2.0/crm/person/1234", JSON).await;
    assert_eq!(
        (status, &mark, body.as_str()),
        (200, &same_type, CONTACT_JSON)
    );
    let (status, mark, body) = fetch(
        &server,
        M::GET,
        "/onlyoffice/api/2.0/crm/person/1234.xml",
        XML,
    )
    .await;
    assert_eq!(
        (status, &mark, body.as_str()),
        (200, &same_type, CONTACT_XML.trim_end())
    );

    // No data: the Community Server's empty success.
    let no_data = Some("none; from=no-data".to_string());
    let (status, mark, body) = fetch(
        &server,
        M::DELETE,
        "/onlyoffice/api/2.0/settings/telegram/1234",
        JSON,
    )
    .await;
    assert_eq!((status, &mark), (200, &no_data));
    assert_eq!(
        serde_json::from_str::<Value>(&body).expect("JSON"),
        json!({"status": 0, "statusCode": 200, "response": {}})
    );
    let (_, mark, body) = fetch(
        &server,
        M::DELETE,
        "/onlyoffice/api/2.0/settings/telegram/1234.xml",
        "*/*",
    )
    .await;
    assert_eq!(mark, no_data);
    assert_eq!(
        body,
        "<result>\n  <status>0</status>\n  <statusCode>200</statusCode>\n  <response />\n</result>"
    );
    let (status, _, body) = fetch(&server, M::POST, "/onlyoffice/api/2.0/crm/tag/1234", JSON).await;
    assert_eq!(status, 201);
    assert_eq!(body, r#"{"status":0,"statusCode":201,"response":{}}"#);

    // Unknown: the envelope around null.
    let unknown = Some("none; from=unknown".to_string());
    let (status, mark, body) = fetch(
        &server,
        M::GET,
        "/onlyoffice/api/2.0/crm/invoice/1234/exist",
        JSON,
    )
    .await;
    assert_eq!(
        (status, &mark, body.as_str()),
        (
            200,
            &unknown,
            r#"{"status":0,"statusCode":200,"response":null}"#
        )
    );
    let (_, mark, body) = fetch(
        &server,
        M::GET,
        "/onlyoffice/api/2.0/crm/invoice/1234/exist.xml",
        XML,
    )
    .await;
    assert_eq!(mark, unknown);
    assert_eq!(
        body,
        "<result>\n  <status>0</status>\n  <statusCode>200</statusCode>\n  <response />\n</result>"
    );

    // SuperOffice: a void action has no body; an unknown one is null.
    let (status, mark, body) =
        fetch(&server, M::DELETE, "/superoffice/api/v1/Thing/1234", JSON).await;
    assert_eq!((status, &mark, body.as_str()), (204, &no_data, ""));
    let (status, mark, body) = fetch(&server, M::GET, "/superoffice/api/v1/Thing/1234", JSON).await;
    assert_eq!((status, &mark, body.as_str()), (200, &unknown, "null"));
    let (_, mark, body) = fetch(
        &server,
        M::GET,
        "/superoffice/api/v1/Thing/1234",
        "application/xml",
    )
    .await;
    assert_eq!(mark, unknown);
    assert_eq!(
        body,
        r#"<ThingEntity xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:nil="true" />"#
    );

    // HEAD is marked as its GET is; a request refused by the contract
    // serves no example, so it is not marked.
    let (status, mark, _) = fetch(
        &server,
        M::HEAD,
        "/onlyoffice/api/2.0/crm/invoice/1234/exist",
        JSON,
    )
    .await;
    assert_eq!((status, mark), (200, unknown.clone()));
    let (status, mark, _) = fetch(
        &server,
        M::GET,
        "/onlyoffice/api/2.0/crm/invoice/abc/exist",
        JSON,
    )
    .await;
    assert_eq!((status, mark), (400, None));

    // The journal says it too, in the spec's words.
    let journal: Vec<Value> = client()
        .get(server.url("/__docmock/requests"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    let example_of = |path: &str| {
        journal
            .iter()
            .find(|e| e["path"] == path)
            .map(|e| e.get("example").cloned())
            .unwrap_or_else(|| panic!("{path} is in the journal: {journal:?}"))
    };
    assert_eq!(example_of("/onlyoffice/api/2.0/crm/contact/1234"), None);
    assert_eq!(
        example_of("/onlyoffice/api/2.0/crm/person/1234"),
        Some(json!({"from": "same-type", "endpoint": "onlyoffice/get-crm-contact-id"}))
    );
    assert_eq!(
        example_of("/superoffice/api/v1/Thing/1234"),
        Some(json!({"from": "unknown"}))
    );
    assert_eq!(
        example_of("/onlyoffice/api/2.0/crm/invoice/abc/exist"),
        None
    );
}

#[tokio::test]
async fn a_delayed_answer_keeps_its_mark_in_the_journal() {
    let dir = spec_dir();
    let specs = dir.path().join("specs");
    let server = Server::start(&["--specs", specs.to_str().expect("UTF-8"), "--delay", "5ms"]);
    let (status, mark, _) = fetch(
        &server,
        reqwest::Method::POST,
        "/onlyoffice/api/2.0/crm/tag/1234",
        "application/json",
    )
    .await;
    assert_eq!((status, mark.as_deref()), (201, Some("none; from=no-data")));
    let journal: Vec<Value> = client()
        .get(server.url("/__docmock/requests?limit=1"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(journal[0]["example"], json!({"from": "no-data"}));
}

#[test]
fn routes_mark_the_routes_and_check_lists_notes_without_failing() {
    let dir = spec_dir();
    let routes = run_in(dir.path(), &["routes", "--specs", "specs"]);
    assert!(routes.status.success(), "{routes:?}");
    let table = String::from_utf8(routes.stdout).expect("UTF-8");
    let line = |id: &str| {
        table
            .lines()
            .find(|l| l.contains(id))
            .unwrap_or_else(|| panic!("{id} in {table}"))
            .to_string()
    };
    assert!(
        !line("onlyoffice/get-crm-contact-id").contains("no example"),
        "{table}"
    );
    assert!(
        line("onlyoffice/get-crm-person-id").ends_with("[no example: same-type]"),
        "{table}"
    );
    assert!(
        line("onlyoffice/post-crm-tag-id").ends_with("[no example: no-data]"),
        "{table}"
    );
    assert!(
        line("superoffice/get-thing-id").ends_with("[no example: unknown]"),
        "{table}"
    );

    let check = run_in(dir.path(), &["check", "specs"]);
    let stdout = String::from_utf8(check.stdout).expect("UTF-8");
    assert!(
        check.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let notes: Vec<&str> = stdout.lines().filter(|l| l.starts_with("note: ")).collect();
    assert_eq!(notes.len(), 6, "{stdout}");
    assert!(
        notes.iter().any(|n| n.contains("get-crm-person-id.json: /responses/0/example: no documented example: the 200 response is served with the example of the same type documented for onlyoffice/get-crm-contact-id")),
        "{stdout}"
    );
    assert!(
        notes.iter().any(|n| n.contains("delete-thing-id.json: /responses/0/example: no documented example: the 204 response is served with no body")),
        "{stdout}"
    );
    assert!(
        stdout.contains("8 endpoints in 2 APIs, no problems, 6 notes"),
        "{stdout}"
    );
}

#[test]
fn fixtures_and_example_that_disagree_are_refused() {
    let dir = spec_dir();
    let d = dir.path();
    // Same type, but the copied fixtures are missing.
    write(
        d,
        "specs/onlyoffice/get-crm-company-id.json",
        &endpoint(
            "GET",
            "/api/2.0/crm/company/{id}",
            json!({"status": 200, "example": {"from": "same-type", "endpoint": "onlyoffice/get-crm-contact-id"}}),
        ),
    );
    // A generated body that also names a fixture.
    write(
        d,
        "specs/onlyoffice/put-crm-company-id.json",
        &endpoint(
            "PUT",
            "/api/2.0/crm/company/{id}",
            json!({"status": 200, "json": "onlyoffice/get-crm-contact-id/response-200.json", "example": {"from": "no-data"}}),
        ),
    );
    // A documented success with neither fixture nor example.
    write(
        d,
        "specs/onlyoffice/get-crm-deal-id.json",
        &endpoint("GET", "/api/2.0/crm/deal/{id}", json!({"status": 200})),
    );
    // Still fine: an error status and a status without content need no fixture.
    write(
        d,
        "specs/superoffice/get-gone-id.json",
        &endpoint("GET", "/api/v1/Gone/{id}", json!({"status": 404})),
    );
    write(
        d,
        "specs/superoffice/delete-gone-id.json",
        &endpoint("DELETE", "/api/v1/Gone/{id}", json!({"status": 204})),
    );

    let output = run_to_exit(d, &["serve", "--specs", "specs", "--port", "0"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).expect("UTF-8");
    assert!(stderr.contains("3 problems"), "{stderr}");
    assert!(
        stderr.contains("get-crm-company-id.json: /responses/0/example: expected a `json` or `xml` fixture beside `\"from\": \"same-type\"`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("put-crm-company-id.json: /responses/0/example: expected either fixtures (a documented example) or a generated example"),
        "{stderr}"
    );
    assert!(
        stderr.contains("get-crm-deal-id.json: /responses/0: expected a `json` or `xml` fixture with the documented body of this 200 response, or `example`"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_documented_error_body_is_served_as_documented() {
    // SuperOffice documents some endpoints only by their 404, whose sample
    // body is `null`: that, not docmock's own error, is the answer.
    let dir = spec_dir();
    let d = dir.path();
    write(
        d,
        "specs/superoffice/get-user-id-customcommand.json",
        &endpoint(
            "GET",
            "/api/v1/User/{id}/CustomCommand",
            json!({"status": 404, "description": "Not Found.", "type": "RecurrenceInfo",
                   "json": "superoffice/get-user-id-customcommand/response-404.json"}),
        ),
    );
    write(
        d,
        "fixtures/superoffice/get-user-id-customcommand/response-404.json",
        "null\n",
    );
    let specs = d.join("specs");
    let server = Server::start(&["--specs", specs.to_str().expect("UTF-8")]);
    let path = "/superoffice/api/v1/User/1234/CustomCommand";
    let (status, mark, body) = fetch(&server, reqwest::Method::GET, path, "application/json").await;
    assert_eq!((status, mark, body.as_str()), (404, None, "null\n"));
    let (status, _, body) = fetch(&server, reqwest::Method::GET, path, "application/xml").await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        r#"<RecurrenceInfo xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:nil="true" />"#
    );
}

#[test]
fn verify_compares_the_empty_success_and_notes_the_bodies_no_page_documents() {
    let dir = spec_dir();
    let specs = dir.path().join("specs");
    let server = Server::start(&["--specs", specs.to_str().expect("UTF-8")]);
    let report = run_in(
        dir.path(),
        &[
            "verify",
            "--base-url",
            &server.url("/onlyoffice"),
            "--api",
            "onlyoffice",
            "--include-writes",
            "--auth",
            "docmock",
            "--format",
            "json",
        ],
    );
    let stdout = String::from_utf8(report.stdout).expect("UTF-8");
    assert!(report.status.success(), "{stdout}");
    let report: Value = serde_json::from_str(&stdout).expect("a JSON report");
    let findings = |endpoint: &str| -> Vec<String> {
        report["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .filter(|c| c["endpoint"] == endpoint && c["form"] == "json")
            .flat_map(|c| c["findings"].as_array().expect("findings").clone())
            .map(|f| f["class"].as_str().expect("a class").to_string())
            .collect()
    };
    // The documented example and the vendor's empty success are compared
    // and pass; a borrowed or made-up body is a note, never drift.
    assert!(findings("onlyoffice/get-crm-contact-id").is_empty());
    assert!(findings("onlyoffice/delete-settings-telegram-id").is_empty());
    assert_eq!(findings("onlyoffice/get-crm-person-id"), ["undocumented"]);
    assert_eq!(
        findings("onlyoffice/get-crm-invoice-id-exist"),
        ["undocumented"]
    );
}
