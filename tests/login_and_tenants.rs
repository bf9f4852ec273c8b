//! What a real client does before its first call: ONLYOFFICE and R7-Office
//! clients log in at `POST api/2.0/authentication` and send the token back;
//! SuperOffice clients put a tenant or virtual directory before `api/v1`.

mod common;

use std::fs;

use common::{Server, anonymous_client, root, run_in};
use serde_json::{Value, json};

const STATUS: &str = "/onlyoffice/api/2.0/crm/contact/1234/status.json";

/// Logs in at `base` + `login` with a JSON body and returns the status and
/// the body.
async fn log_in(server: &Server, login: &str) -> (u16, Value) {
    let reply = anonymous_client()
        .post(server.url(login))
        // Named, so that the test does not depend on the default format.
        .header("Accept", "application/json")
        .json(&json!({"userName": "someone@example.com", "password": "secret"}))
        .send()
        .await
        .expect("sent");
    let status = reply.status().as_u16();
    (status, reply.json().await.expect("JSON body"))
}

/// Sends the documented contact-status update with `Authorization: value`.
async fn update_status(server: &Server, authorization: &str) -> u16 {
    anonymous_client()
        .put(server.url(STATUS))
        .header("Authorization", authorization)
        .json(&json!({"contactStatusid": 1234}))
        .send()
        .await
        .expect("sent")
        .status()
        .as_u16()
}

#[tokio::test]
async fn logging_in_answers_201_with_a_token_in_the_full_envelope() {
    let server = Server::start(&[]);
    for login in [
        "/onlyoffice/api/2.0/authentication.json",
        "/onlyoffice/api/2.0/authentication",
        "/r7/api/2.0/authentication.json",
    ] {
        let (status, body) = log_in(&server, login).await;
        assert_eq!(status, 201, "{login}: {body}");
        assert_eq!(body["count"], 1, "{login}: {body}");
        assert_eq!(body["status"], 0, "{login}: {body}");
        assert_eq!(body["statusCode"], 201, "{login}: {body}");
        assert_eq!(body["response"]["token"], "docmock", "{login}: {body}");
        assert!(body["response"]["expires"].is_string(), "{login}: {body}");
    }
}

#[tokio::test]
async fn the_token_handed_out_is_accepted_raw_and_as_bearer() {
    let server = Server::start(&[]);
    let (_, body) = log_in(&server, "/onlyoffice/api/2.0/authentication.json").await;
    let token = body["response"]["token"]
        .as_str()
        .expect("token")
        .to_string();
    assert_eq!(update_status(&server, &token).await, 200);
    assert_eq!(
        update_status(&server, &format!("Bearer {token}")).await,
        200
    );
    let cookie = anonymous_client()
        .put(server.url(STATUS))
        .header("Cookie", format!("asc_auth_key={token}"))
        .json(&json!({"contactStatusid": 1234}))
        .send()
        .await
        .expect("sent");
    assert_eq!(cookie.status(), 200);
}

#[tokio::test]
async fn under_token_the_login_hands_out_that_token_and_only_it_works() {
    let server = Server::start(&["--token", "s3cret-T"]);
    let (status, body) = log_in(&server, "/onlyoffice/api/2.0/authentication.json").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["response"]["token"], "s3cret-T", "{body}");
    let xml = anonymous_client()
        .post(server.url("/r7/api/2.0/authentication.xml"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("userName=a&password=b")
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("text");
    assert!(xml.contains("<token>s3cret-T</token>"), "{xml}");
    assert_eq!(update_status(&server, "s3cret-T").await, 200);
    assert_eq!(update_status(&server, "docmock").await, 403);
}

#[tokio::test]
async fn a_freshly_imported_tree_without_the_login_page_has_the_login() {
    let out = tempfile::tempdir().expect("tempdir");
    let out_dir = out.path().join("imported");
    let page = root().join("tests/seeds/000_1ada86701635013a.txt");
    let import = run_in(
        out.path(),
        &[
            "import",
            page.to_str().expect("utf-8 path"),
            "--out",
            out_dir.to_str().expect("utf-8 path"),
        ],
    );
    assert!(import.status.success(), "{import:?}");
    let specs = out_dir.join("specs");
    let written: Vec<String> = fs::read_dir(specs.join("onlyoffice"))
        .expect("imported API")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !written.iter().any(|f| f.contains("authentication")),
        "the page set has no login page: {written:?}"
    );
    let server = Server::start(&["--specs", specs.to_str().expect("utf-8 path")]);
    let (status, body) = log_in(&server, "/onlyoffice/api/2.0/authentication.json").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["response"]["token"], "docmock", "{body}");
}

#[test]
fn routes_marks_the_login_as_built_in_and_says_tenant_paths_work() {
    let output = run_in(&root(), &["routes"]);
    let table = String::from_utf8_lossy(&output.stdout);
    let login = table
        .lines()
        .find(|l| l.contains("/onlyoffice/api/2.0/authentication"))
        .unwrap_or_else(|| panic!("no login route in {table}"));
    assert!(login.starts_with("POST"), "{login}");
    assert!(login.trim_end().ends_with("built in"), "{login}");
    assert!(
        table.contains("tenant paths are accepted: /superoffice/{tenant}/"),
        "{table}"
    );
    let printed = Server::start(&[]).stop();
    assert!(
        printed.contains("  tenant paths are accepted: /superoffice/{tenant}/"),
        "the start-up listing says so too: {printed}"
    );
    let single = run_in(&root(), &["routes", "--api", "superoffice"]);
    let table = String::from_utf8_lossy(&single.stdout);
    assert!(
        table.contains("e.g. PUT /Cust12345/api/v1/Contact/{id}"),
        "{table}"
    );
}

/// The documented SuperOffice contact update sent to `path`.
async fn put_contact(server: &Server, path: &str) -> (u16, String) {
    let body = fs::read(root().join("fixtures/superoffice/put-contact-id/request.json"))
        .expect("bundled fixture");
    let reply = anonymous_client()
        .put(server.url(path))
        .header("Authorization", "SoTicket 7T:1234")
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .expect("sent");
    let status = reply.status().as_u16();
    (status, reply.text().await.expect("text"))
}

#[tokio::test]
async fn superoffice_paths_with_a_tenant_reach_the_same_endpoints() {
    let server = Server::start(&[]);
    let (plain, documented) = put_contact(&server, "/superoffice/api/v1/Contact/763").await;
    assert_eq!(plain, 200, "{documented}");
    for path in [
        "/superoffice/Cust12345/api/v1/Contact/763",
        "/superoffice/SuperOffice/api/v1/Contact/763",
        "/SUPEROFFICE/cust12345/API/v1/contact/763",
    ] {
        let (status, body) = put_contact(&server, path).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(body, documented, "{path}");
    }
    let (two_pieces, body) = put_contact(&server, "/superoffice/a/b/api/v1/Contact/763").await;
    assert_eq!(two_pieces, 404, "only one tenant piece is read: {body}");
    let (onlyoffice, body) =
        put_contact(&server, "/onlyoffice/Cust1/api/2.0/crm/contact/1/status").await;
    assert_eq!(onlyoffice, 404, "ONLYOFFICE has no tenant segment: {body}");
    let get = anonymous_client()
        .get(server.url("/superoffice/Cust12345/api/v1/Contact/763"))
        .header("Authorization", "SoTicket 7T:1234")
        .send()
        .await
        .expect("sent");
    assert_eq!(get.status(), 405);
    assert_eq!(get.headers()["allow"], "PUT, OPTIONS");
}

#[tokio::test]
async fn a_single_superoffice_api_at_the_root_takes_a_tenant_too() {
    let server = Server::start(&["--api", "superoffice"]);
    let (status, body) = put_contact(&server, "/Cust12345/api/v1/Contact/763").await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = put_contact(&server, "/api/v1/Contact/763").await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = put_contact(&server, "/Cust12345/api/v1/Contact/abc").await;
    assert_eq!(status, 400, "the id is still validated: {body}");
}

#[tokio::test]
async fn a_documented_login_page_hands_out_the_token_given_to_token() {
    let out = tempfile::tempdir().expect("tempdir");
    let out_dir = out.path().join("imported");
    let page = root().join("tests/pages/83_login-guide-request-and-answer-transcript.txt");
    let import = run_in(
        out.path(),
        &[
            "import",
            page.to_str().expect("utf-8 path"),
            "--out",
            out_dir.to_str().expect("utf-8 path"),
        ],
    );
    assert!(import.status.success(), "{import:?}");
    let specs = out_dir.join("specs");
    let routes = run_in(
        out.path(),
        &["routes", "--specs", specs.to_str().expect("utf-8 path")],
    );
    let table = String::from_utf8_lossy(&routes.stdout);
    assert!(
        !table.contains("built in"),
        "the page documents it: {table}"
    );
    let server = Server::start(&[
        "--specs",
        specs.to_str().expect("utf-8 path"),
        "--token",
        "T-42",
    ]);
    let (status, body) = log_in(&server, "/onlyoffice/api/2.0/authentication.json").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["response"]["token"], "T-42", "{body}");
}
