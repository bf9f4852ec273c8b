//! The admin API under `/__docmock/` is not an open door: a token guards it
//! when one is given, a server listening beyond loopback refuses it without
//! one, it answers only requests addressed to this server (DNS rebinding),
//! it sends no CORS headers to other origins unless told to, and the
//! credentials requests carry are masked in its journal and in the log.

mod common;

use common::{Server, anonymous_client, client};
use serde_json::Value;

const REQUESTS: &str = "/__docmock/requests";
const CONTACT: &str = "/r7/api/2.0/crm/contact/1234";
const LOGIN: &str = "/onlyoffice/api/2.0/authentication.json";

/// `base` with its host replaced by 127.0.0.1: a server bound to 0.0.0.0
/// is reached on loopback only.
fn on_loopback(base: &str) -> String {
    let port = base.rsplit(':').next().expect("a port");
    format!("http://127.0.0.1:{port}")
}

/// The port of `base`.
fn port_of(base: &str) -> &str {
    base.rsplit(':').next().expect("a port")
}

async fn status(request: reqwest::RequestBuilder) -> u16 {
    request.send().await.expect("sent").status().as_u16()
}

#[tokio::test]
async fn with_a_token_admin_requests_without_it_get_401_and_with_it_200() {
    let server = Server::start(&["--token", "s3cret"]);
    let anonymous = anonymous_client();
    let url = server.url(REQUESTS);

    let refused = anonymous.get(&url).send().await.expect("sent");
    assert_eq!(refused.status(), 401);
    assert!(
        refused
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("Bearer")),
        "{:?}",
        refused.headers()
    );
    let message = refused.text().await.expect("body");
    assert!(message.contains("--token"), "{message}");
    assert!(
        !message.contains("s3cret"),
        "the token is never echoed: {message}"
    );

    for wrong in ["Bearer other", "other", "Basic ZG9jbW9jazpkb2Ntb2Nr"] {
        let request = anonymous.get(&url).header("Authorization", wrong);
        assert_eq!(status(request).await, 401, "{wrong}");
    }
    for right in ["Bearer s3cret", "s3cret"] {
        let request = anonymous.get(&url).header("Authorization", right);
        assert_eq!(status(request).await, 200, "{right}");
    }
    // The cookie the API takes is not enough: a browser sends cookies with
    // requests other sites make it send.
    let cookie = anonymous.get(&url).header("Cookie", "asc_auth_key=s3cret");
    assert_eq!(status(cookie).await, 401);

    // DELETE without the token clears nothing.
    let api = anonymous
        .get(server.url(CONTACT))
        .header("Authorization", "s3cret");
    assert_eq!(status(api).await, 200);
    assert_eq!(status(anonymous.delete(&url)).await, 401);
    let journal: Value = anonymous
        .get(&url)
        .header("Authorization", "Bearer s3cret")
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert!(
        journal
            .as_array()
            .expect("list")
            .iter()
            .any(|e| e["path"] == CONTACT),
        "{journal}"
    );
    let delete = anonymous
        .delete(&url)
        .header("Authorization", "Bearer s3cret");
    assert_eq!(status(delete).await, 204);

    // Health answers probes without a token; the page carries no data and
    // asks for the token from its script.
    assert_eq!(
        status(anonymous.get(server.url("/__docmock/health"))).await,
        200
    );
    let page = anonymous
        .get(server.url("/__docmock/"))
        .send()
        .await
        .expect("sent");
    assert_eq!(page.status(), 200);
    let page = page.text().await.expect("html");
    assert!(
        page.contains("#token="),
        "the page reads the token from its address"
    );
}

#[tokio::test]
async fn an_admin_token_guards_the_admin_api_instead_of_the_api_token() {
    let server = Server::start(&["--token", "for-the-api", "--admin-token", "for-admin"]);
    let anonymous = anonymous_client();
    let url = server.url(REQUESTS);
    let api_token = anonymous
        .get(&url)
        .header("Authorization", "Bearer for-the-api");
    assert_eq!(status(api_token).await, 401);
    let admin_token = anonymous
        .get(&url)
        .header("Authorization", "Bearer for-admin");
    assert_eq!(status(admin_token).await, 200);
}

#[tokio::test]
async fn without_a_token_the_admin_api_on_loopback_stays_open() {
    let server = Server::start(&[]);
    let anonymous = anonymous_client();
    assert_eq!(status(anonymous.get(server.url(REQUESTS))).await, 200);
    assert_eq!(status(anonymous.delete(server.url(REQUESTS))).await, 204);
    let banner = server.stop();
    assert!(banner.contains("admin: http://127.0.0.1:"), "{banner}");
}

#[tokio::test]
async fn beyond_loopback_without_a_token_the_admin_api_is_refused_and_start_up_says_so() {
    let server = Server::start_on("0.0.0.0", &[]);
    let base = on_loopback(&server.base);
    let anonymous = anonymous_client();

    let refused = anonymous
        .get(format!("{base}{REQUESTS}"))
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.status(), 403);
    let message = refused.text().await.expect("body");
    assert!(message.contains("--admin-token"), "{message}");
    assert_eq!(
        status(anonymous.delete(format!("{base}{REQUESTS}"))).await,
        403
    );
    assert_eq!(
        status(anonymous.get(format!("{base}/__docmock/"))).await,
        403
    );
    // Probes still see it alive, and the mocked API answers as ever.
    assert_eq!(
        status(anonymous.get(format!("{base}/__docmock/health"))).await,
        200
    );
    assert_eq!(status(client().get(format!("{base}{CONTACT}"))).await, 200);

    let banner = server.stop();
    let line = banner
        .lines()
        .find(|l| l.trim_start().starts_with("admin:"))
        .unwrap_or_else(|| panic!("no admin line in {banner}"));
    assert!(line.contains("--admin-token"), "{line}");
    assert!(line.contains("off"), "{line}");
}

#[tokio::test]
async fn beyond_loopback_an_admin_token_opens_the_admin_api_to_whoever_has_it() {
    let server = Server::start_on("0.0.0.0", &["--admin-token", "adm1n"]);
    let base = on_loopback(&server.base);
    let anonymous = anonymous_client();
    assert_eq!(
        status(anonymous.get(format!("{base}{REQUESTS}"))).await,
        401
    );
    let with_token = anonymous
        .get(format!("{base}{REQUESTS}"))
        .header("Authorization", "Bearer adm1n");
    assert_eq!(status(with_token).await, 200);
    let banner = server.stop();
    assert!(banner.contains("token"), "{banner}");
}

#[tokio::test]
async fn a_host_header_naming_another_server_is_refused_by_admin_but_not_by_the_api() {
    let server = Server::start(&["--allow-host", "docmock.test"]);
    let port = port_of(&server.base);
    let anonymous = anonymous_client();

    // A page on evil.example whose name now resolves to 127.0.0.1.
    let rebound = anonymous
        .get(server.url(REQUESTS))
        .header("Host", format!("evil.example:{port}"))
        .send()
        .await
        .expect("sent");
    assert_eq!(rebound.status(), 403);
    let message = rebound.text().await.expect("body");
    assert!(message.contains("--allow-host"), "{message}");
    let clear = anonymous
        .delete(server.url(REQUESTS))
        .header("Host", format!("evil.example:{port}"));
    assert_eq!(status(clear).await, 403);

    // The mocked API answers whatever name its clients use.
    let api = client()
        .get(server.url(CONTACT))
        .header("Host", format!("evil.example:{port}"));
    assert_eq!(status(api).await, 200);

    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("LocalHost:{port}"),
        format!("docmock.test:{port}"),
        "docmock.test".to_string(),
    ] {
        let request = anonymous.get(server.url(REQUESTS)).header("Host", &host);
        assert_eq!(status(request).await, 200, "{host}");
    }
}

#[tokio::test]
async fn admin_sends_no_cors_headers_to_other_origins_unless_told_to() {
    let server = Server::start(&[]);
    let anonymous = anonymous_client();

    let read = anonymous
        .get(server.url(REQUESTS))
        .header("Origin", "http://evil.example")
        .send()
        .await
        .expect("sent");
    assert!(
        read.headers().get("access-control-allow-origin").is_none(),
        "{:?}",
        read.headers()
    );
    let preflight = anonymous
        .request(reqwest::Method::OPTIONS, server.url(REQUESTS))
        .header("Origin", "http://evil.example")
        .header("Access-Control-Request-Method", "DELETE")
        .send()
        .await
        .expect("sent");
    assert!(
        preflight
            .headers()
            .get("access-control-allow-origin")
            .is_none(),
        "{:?}",
        preflight.headers()
    );
    assert_ne!(preflight.status(), 204);

    // The mocked API's CORS is as it was: any origin, credentials allowed.
    let api = client()
        .get(server.url(CONTACT))
        .header("Origin", "http://app.example")
        .send()
        .await
        .expect("sent");
    assert_eq!(
        api.headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("http://app.example")
    );

    // The admin page's own requests (same origin) still work.
    let own = anonymous
        .delete(server.url(REQUESTS))
        .header("Origin", server.base.as_str());
    assert_eq!(status(own).await, 204);
}

#[tokio::test]
async fn admin_cors_lets_a_named_origin_in() {
    let server = Server::start(&["--admin-cors", "http://dashboard.test"]);
    let anonymous = anonymous_client();
    let preflight = anonymous
        .request(reqwest::Method::OPTIONS, server.url(REQUESTS))
        .header("Origin", "http://dashboard.test")
        .header("Access-Control-Request-Method", "DELETE")
        .header("Access-Control-Request-Headers", "authorization")
        .send()
        .await
        .expect("sent");
    assert_eq!(preflight.status(), 204);
    assert_eq!(
        preflight
            .headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("http://dashboard.test")
    );
    let read = anonymous
        .get(server.url(REQUESTS))
        .header("Origin", "http://dashboard.test")
        .send()
        .await
        .expect("sent");
    assert_eq!(read.status(), 200);
    assert_eq!(
        read.headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("http://dashboard.test")
    );
    let other = anonymous
        .get(server.url(REQUESTS))
        .header("Origin", "http://evil.example")
        .send()
        .await
        .expect("sent");
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn credentials_are_masked_in_the_journal_and_the_log() {
    // Lenient, so that requests breaking the contract are replayed and
    // their violations logged as well as journaled.
    let mut server = Server::start(&["--lenient"]);
    let http = client();

    let query = http.get(server.url(&format!(
        "{CONTACT}?asc_auth_key=s3cret-query&Password=s3cret-other&keep=visible"
    )));
    assert_eq!(status(query).await, 200);
    let form = http
        .post(server.url(LOGIN))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("userName=someone&password[0]=s3cret-form");
    status(form).await;
    let json = http
        .post(server.url(LOGIN))
        .header("Content-Type", "application/json")
        .body(r#"{"userName":"someone","password":{"value":"s3cret-json"}}"#);
    status(json).await;
    let nested = http
        .post(server.url(LOGIN))
        .header("Content-Type", "application/json")
        .body(r#"{"userName":{"name":"someone","password":"s3cret-deep"},"password":"p"}"#);
    status(nested).await;

    let journal = http
        .get(server.url(REQUESTS))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("json");
    let entries: Value = serde_json::from_str(&journal).expect("json");
    let entries = entries.as_array().expect("list");
    assert_eq!(entries.len(), 4, "{journal}");
    assert!(!journal.contains("s3cret"), "{journal}");
    let query = entries
        .iter()
        .find_map(|e| e["query"].as_str())
        .expect("a query");
    assert_eq!(
        query, "asc_auth_key=***&Password=***&keep=visible",
        "{journal}"
    );
    // The violations still say where and what was expected.
    let pointers: Vec<&str> = entries
        .iter()
        .flat_map(|e| e["violations"].as_array().into_iter().flatten())
        .filter_map(|v| v["pointer"].as_str())
        .collect();
    assert!(pointers.contains(&"/password"), "{journal}");
    assert!(journal.contains("***"), "{journal}");

    assert!(server.terminate());
    let log = server.stderr();
    assert!(log.contains("replayed"), "{log}");
    assert!(!log.contains("s3cret"), "{log}");
}
