//! What frontend developers and CI jobs reach for first: CORS, the admin API
//! and journal, latency and faults, the rate limit, hot reload, logs,
//! graceful shutdown, and the OpenAPI export.

mod common;

use std::fs;
use std::time::{Duration, Instant};

use common::{Server, client, run_in, scratch_copy};
use serde_json::Value;

const R7: &str = "/r7/api/2.0/crm/contact/1234.json";

#[tokio::test]
async fn cors_preflights_are_answered_for_any_origin_by_default() {
    let server = Server::start(&[]);
    let preflight = client()
        .request(
            reqwest::Method::OPTIONS,
            server.url("/onlyoffice/api/2.0/crm/contact/1234/status"),
        )
        .header("Origin", "http://localhost:5173")
        .header("Access-Control-Request-Method", "PUT")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type",
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(preflight.status(), 204);
    let headers = preflight.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "http://localhost:5173"
    );
    assert_eq!(headers["access-control-allow-methods"], "PUT");
    assert_eq!(
        headers["access-control-allow-headers"],
        "authorization, content-type"
    );
    assert_eq!(headers["access-control-allow-credentials"], "true");

    let actual = client()
        .get(server.url(R7))
        .header("Origin", "http://localhost:5173")
        .send()
        .await
        .expect("sent");
    assert_eq!(actual.status(), 200);
    assert_eq!(
        actual.headers()["access-control-allow-origin"],
        "http://localhost:5173"
    );
}

#[tokio::test]
async fn cors_can_be_restricted_or_switched_off() {
    let restricted = Server::start(&["--cors-origin", "http://allowed.test"]);
    let other = client()
        .request(reqwest::Method::OPTIONS, restricted.url(R7))
        .header("Origin", "http://other.test")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .expect("sent");
    assert_eq!(other.status(), 403);
    assert!(!other.headers().contains_key("access-control-allow-origin"));

    let off = Server::start(&["--no-cors"]);
    let reply = client()
        .get(off.url(R7))
        .header("Origin", "http://allowed.test")
        .send()
        .await
        .expect("sent");
    assert!(!reply.headers().contains_key("access-control-allow-origin"));
}

async fn admin_json(http: &reqwest::Client, server: &Server, path: &str) -> Value {
    http.get(server.url(path))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn the_admin_api_lists_routes_health_and_the_journal_with_verdicts() {
    let server = Server::start(&[]);
    let http = client();
    let health: Value = admin_json(&http, &server, "/__docmock/health").await;
    assert_eq!(health["status"], "ok");
    // Five documented endpoints and the two built-in logins.
    assert_eq!(health["endpoints"], 7);
    let routes: Value = admin_json(&http, &server, "/__docmock/routes").await;
    let routes = routes.as_array().expect("list");
    assert_eq!(routes.len(), 7);
    assert!(
        routes
            .iter()
            .any(|r| r["path"] == "/r7/api/2.0/crm/contact/{contactid}"
                && r["source"] == "003_9006d2fa00f33062.txt")
    );

    http.get(server.url(R7)).send().await.expect("sent");
    http.put(server.url("/onlyoffice/api/2.0/crm/contact/1234/status.json"))
        .header("Content-Type", "application/json")
        .body(r#"{"contactStatusid": "x"}"#)
        .send()
        .await
        .expect("sent");
    let journal: Value = admin_json(&http, &server, "/__docmock/requests").await;
    let journal = journal.as_array().expect("list");
    assert_eq!(journal.len(), 2, "admin requests are not journaled");
    assert_eq!(journal[0]["verdict"], "invalid");
    assert_eq!(journal[0]["status"], 400);
    assert_eq!(journal[0]["violations"][0]["pointer"], "/contactStatusid");
    assert_eq!(journal[1]["verdict"], "valid");
    assert_eq!(journal[1]["endpoint"], "r7/get-crm-contact-contactid");

    let cleared = http
        .delete(server.url("/__docmock/requests"))
        .send()
        .await
        .expect("sent");
    assert_eq!(cleared.status(), 204);
    let journal: Value = admin_json(&http, &server, "/__docmock/requests").await;
    assert_eq!(journal, Value::Array(Vec::new()));

    let page = http
        .get(server.url("/__docmock/"))
        .send()
        .await
        .expect("sent");
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    assert!(
        page.text()
            .await
            .expect("html")
            .contains("/__docmock/requests")
    );
}

#[tokio::test]
async fn delays_and_injected_faults_simulate_slow_and_failing_backends() {
    let server = Server::start(&["--delay", "300ms"]);
    let http = client();
    let started = Instant::now();
    let reply = http.get(server.url(R7)).send().await.expect("sent");
    assert_eq!(reply.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(300), "--delay");

    let started = Instant::now();
    http.get(server.url(R7))
        .header("Prefer", "delay=50")
        .send()
        .await
        .expect("sent");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(50) && elapsed < Duration::from_millis(300),
        "Prefer: delay overrides --delay: {elapsed:?}"
    );

    let fault = http
        .get(server.url(R7))
        .header("Prefer", "code=503")
        .send()
        .await
        .expect("sent");
    assert_eq!(fault.status(), 503);
    assert_eq!(fault.headers()["retry-after"], "1");
    let body: Value = fault.json().await.expect("json");
    assert_eq!(body["statusCode"], 503);
}

#[tokio::test]
async fn the_rate_limit_answers_503_with_retry_after_once_exceeded() {
    let server = Server::start(&["--rate-limit", "3/10s"]);
    let http = client();
    for _ in 0..3 {
        assert_eq!(
            http.get(server.url(R7))
                .send()
                .await
                .expect("sent")
                .status(),
            200
        );
    }
    let limited = http.get(server.url(R7)).send().await.expect("sent");
    assert_eq!(limited.status(), 503);
    let wait: u64 = limited.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=10).contains(&wait));
    let body: Value = limited.json().await.expect("json");
    assert_eq!(body["status"], 1);
    // The message names the limit in force, not ONLYOFFICE's default.
    assert_eq!(
        body["error"]["message"],
        "the rate limit is exceeded (3 requests per 10s, --rate-limit); retry later"
    );
    // The journal names the endpoint the refused request was for.
    let journal: Value = admin_json(&http, &server, "/__docmock/requests").await;
    assert_eq!(journal[0]["status"], 503);
    assert_eq!(journal[0]["endpoint"], "r7/get-crm-contact-contactid");
}

async fn body_of(url: &str) -> String {
    client()
        .get(url)
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("body")
}

async fn eventually(url: &str, contains: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if body_of(url).await.contains(contains) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test]
async fn watch_reloads_edits_and_keeps_serving_through_a_broken_one() {
    let dir = scratch_copy();
    let specs = dir.path().join("specs");
    let server = Server::start(&["--specs", specs.to_str().expect("utf-8"), "--watch"]);
    let url = server.url(R7);
    assert!(body_of(&url).await.contains("Tadjeddine"));

    let fixture = dir
        .path()
        .join("fixtures/r7/get-crm-contact-contactid/response-200.json");
    let text = fs::read_to_string(&fixture).expect("fixture");
    let edited = Instant::now();
    fs::write(&fixture, text.replace("Tadjeddine", "Renamed")).expect("write");
    assert!(eventually(&url, "Renamed").await, "the edit is served");
    assert!(
        edited.elapsed() < Duration::from_secs(2),
        "reloaded in {:?}",
        edited.elapsed()
    );

    let spec = specs.join("r7/get-crm-contact-contactid.json");
    fs::write(&spec, "{ broken").expect("write");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(
        body_of(&url).await.contains("Renamed"),
        "the last good set still serves"
    );
}

/// Copies the directory tree `from` to `to`.
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("entry");
        let target = to.join(entry.path().strip_prefix(from).expect("below"));
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).expect("mkdir");
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

#[tokio::test]
async fn watch_follows_a_spec_directory_removed_and_made_again() {
    let dir = scratch_copy();
    let (specs, fixtures) = (dir.path().join("specs"), dir.path().join("fixtures"));
    let server = Server::start(&["--specs", specs.to_str().expect("utf-8"), "--watch"]);
    let url = server.url(R7);
    assert!(body_of(&url).await.contains("Tadjeddine"));

    // As an import over an old tree, or `rm -rf` then a copy, leaves it.
    let saved = tempfile::tempdir().expect("tempdir");
    copy_tree(&specs, &saved.path().join("specs"));
    copy_tree(&fixtures, &saved.path().join("fixtures"));
    fs::remove_dir_all(&specs).expect("remove specs");
    fs::remove_dir_all(&fixtures).expect("remove fixtures");
    copy_tree(&saved.path().join("specs"), &specs);
    copy_tree(&saved.path().join("fixtures"), &fixtures);
    let fixture = fixtures.join("r7/get-crm-contact-contactid/response-200.json");
    let text = fs::read_to_string(&fixture).expect("fixture");
    fs::write(&fixture, text.replace("Tadjeddine", "Recreated")).expect("write");
    assert!(
        eventually(&url, "Recreated").await,
        "the recreated tree is served"
    );

    // And edits in the new tree are still seen.
    tokio::time::sleep(Duration::from_millis(300)).await;
    fs::write(&fixture, text.replace("Tadjeddine", "EditedAgain")).expect("write");
    assert!(
        eventually(&url, "EditedAgain").await,
        "an edit in the recreated tree is served"
    );
}

#[tokio::test]
async fn watch_reloads_during_a_stream_of_edits_not_only_after_it() {
    let dir = scratch_copy();
    let specs = dir.path().join("specs");
    let server = Server::start(&["--specs", specs.to_str().expect("utf-8"), "--watch"]);
    let url = server.url(R7);
    let fixture = dir
        .path()
        .join("fixtures/r7/get-crm-contact-contactid/response-200.json");
    let text = fs::read_to_string(&fixture).expect("fixture");
    fs::write(&fixture, text.replace("Tadjeddine", "FirstOfABurst")).expect("write");
    // Another file keeps changing every 20 ms for 6 s, so the quiet period
    // never comes; the first change is served while the stream goes on.
    let other = dir.path().join("fixtures/r7/scratch.txt");
    let stream = std::thread::spawn(move || {
        for i in 0..300 {
            fs::write(&other, format!("{i}")).expect("write");
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    let seen = eventually(&url, "FirstOfABurst").await;
    let stream_still_going = !stream.is_finished();
    stream.join().expect("the stream of edits");
    assert!(seen, "the first change of the burst is served");
    assert!(
        stream_still_going,
        "the change was served only once the edits stopped"
    );
}

#[tokio::test]
async fn every_request_is_one_log_line_with_endpoint_status_verdict_and_time() {
    let mut server = Server::start_logging(&["--log-format", "json"]);
    client().get(server.url(R7)).send().await.expect("sent");
    assert!(server.terminate());
    let logs = server.stderr();
    let line = logs
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| l["target"] == "docmock::request")
        .unwrap_or_else(|| panic!("no request line in {logs}"));
    assert_eq!(line["method"], "GET");
    assert_eq!(line["path"], R7);
    assert_eq!(line["endpoint"], "r7/get-crm-contact-contactid");
    assert_eq!(line["status"], 200);
    assert_eq!(line["verdict"], "valid");
    assert!(line["micros"].is_u64());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_requests_in_flight_finish() {
    let mut server = Server::start(&[]);
    let url = server.url(R7);
    let in_flight = tokio::spawn(async move {
        client()
            .get(url)
            .header("Prefer", "delay=800")
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let exited_cleanly = tokio::task::block_in_place(|| server.terminate());
    assert_eq!(in_flight.await.expect("joined").expect("answered"), 200);
    assert!(exited_cleanly, "exit code 0 after SIGTERM");
}

/// Sends `request` on `stream` and reads one whole answer: its head and as
/// many body bytes as it announces.
async fn exchange(stream: &mut tokio::net::TcpStream, request: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream.write_all(request.as_bytes()).await.expect("sent");
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let read = stream.read(&mut buffer).await.expect("read");
        assert!(read > 0, "closed before answering");
        answer.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&answer).into_owned();
        let Some((head, body)) = text.split_once("\r\n\r\n") else {
            continue;
        };
        let length = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(str::to_string)
            })
            .and_then(|l| l.trim().parse::<usize>().ok())
            .unwrap_or(0);
        if body.len() >= length {
            return text;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_idle_connections_at_once_and_the_busy_one_after_its_answer() {
    use tokio::io::AsyncReadExt;
    let mut server = Server::start(&[]);
    let address = server.base.trim_start_matches("http://").to_string();
    let get = |prefer: &str| {
        format!("GET {R7} HTTP/1.1\r\nHost: x\r\nAuthorization: token\r\n{prefer}\r\n")
    };
    let mut idle = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect");
    let first = exchange(&mut idle, &get("")).await;
    assert!(first.starts_with("HTTP/1.1 200"), "{first}");
    let mut busy = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect");
    let answer =
        tokio::spawn(async move { exchange(&mut busy, &get("Prefer: delay=1500\r\n")).await });
    tokio::time::sleep(Duration::from_millis(200)).await;

    let terminated = Instant::now();
    let exited = tokio::task::spawn_blocking(move || server.terminate());
    // The idle keep-alive connection is closed without waiting for the busy one.
    let mut buffer = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(5), idle.read(&mut buffer))
        .await
        .expect("the idle connection is closed");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    assert!(
        terminated.elapsed() < Duration::from_millis(1000),
        "closed after {:?}",
        terminated.elapsed()
    );
    let answer = answer.await.expect("joined");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("connection: close"),
        "{answer}"
    );
    assert!(exited.await.expect("joined"), "exit code 0 after SIGTERM");
}

#[test]
fn the_openapi_export_is_a_valid_openapi_3_1_document() {
    let out = tempfile::tempdir().expect("tempdir");
    for (name, args) in [
        ("all", vec![]),
        ("r7", vec!["--api", "r7"]),
        ("superoffice", vec!["--api", "superoffice"]),
    ] {
        let file = out.path().join(format!("{name}.json"));
        let mut all = vec!["openapi", "--out", file.to_str().expect("utf-8")];
        all.extend(args);
        let output = run_in(&common::root(), &all);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let document: Value =
            serde_json::from_str(&fs::read_to_string(&file).expect("written")).expect("json");
        assert_eq!(document["openapi"], "3.1.0");
        let validator = common::python_tool("openapi-spec-validator", "openapi-spec-validator");
        let checked = std::process::Command::new(&validator)
            .arg(&file)
            .output()
            .expect("validator runs");
        assert!(
            checked.status.success(),
            "{name}: {}{}",
            String::from_utf8_lossy(&checked.stdout),
            String::from_utf8_lossy(&checked.stderr)
        );
    }
}
