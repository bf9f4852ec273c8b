//! `docmock proxy` in front of a stand-in portal: a second docmock serving
//! a drifted copy of the bundled specs, or a raw server written here for
//! what docmock never sends (a 2 MB streamed body, a redirect).

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A running `docmock proxy`, killed on drop.
struct Proxy {
    child: Child,
    base: String,
    output: Option<thread::JoinHandle<String>>,
}

impl Proxy {
    /// Starts `docmock proxy --target TARGET ARGS --port 0` in the
    /// repository root and waits for its address line.
    fn start(target: &str, args: &[&str]) -> Proxy {
        Proxy::start_as("proxy", target, args)
    }

    /// As [`Proxy::start`], as `docmock COMMAND` (`proxy` or `record`).
    fn start_as(command: &str, target: &str, args: &[&str]) -> Proxy {
        let mut child = Command::new(env!("CARGO_BIN_EXE_docmock"))
            .args([command, "--target", target])
            .args(args)
            .args(["--host", "127.0.0.1", "--port", "0"])
            .current_dir(common::root())
            .env("RUST_LOG", "docmock=info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("docmock proxy starts");
        let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
        let mut first = String::new();
        reader.read_line(&mut first).expect("address line");
        let Some(base) = first.trim().strip_prefix("docmock proxy listening on ") else {
            let mut stderr = String::new();
            if let Some(mut err) = child.stderr.take() {
                let _ = err.read_to_string(&mut stderr);
            }
            let _ = child.kill();
            panic!("proxy did not start: {first:?}, stderr {stderr}");
        };
        let base = base.to_string();
        let output = thread::spawn(move || {
            let mut rest = String::new();
            let _ = reader.read_to_string(&mut rest);
            rest
        });
        Proxy {
            child,
            base,
            output: Some(output),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends SIGTERM and returns the exit code, stdout after the address
    /// line, and stderr.
    fn terminate(mut self) -> (i32, String, String) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let status = self.child.wait().expect("proxy exits");
        let stdout = self
            .output
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        let mut stderr = String::new();
        if let Some(mut err) = self.child.stderr.take() {
            let _ = err.read_to_string(&mut stderr);
        }
        (status.code().unwrap_or(-1), stdout, stderr)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client that sends what it is told and decodes nothing, so that bytes
/// can be compared.
fn raw_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .no_gzip()
        .no_brotli()
        .no_deflate()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// A copy of the bundled specs whose R7-Office contact answer drifts three
/// ways: `company.shareType` a string, `lastName` gone, `company.companyName`
/// null.
fn drifted_portal() -> (tempfile::TempDir, common::Server) {
    let dir = common::scratch_copy();
    let fixture = dir
        .path()
        .join("fixtures/r7/get-crm-contact-contactid/response-200.json");
    let mut value: Value =
        serde_json::from_str(&std::fs::read_to_string(&fixture).expect("fixture")).expect("json");
    value["response"]["company"]["shareType"] = "0".into();
    value["response"]["company"]["companyName"] = Value::Null;
    value["response"]
        .as_object_mut()
        .expect("object")
        .remove("lastName");
    std::fs::write(&fixture, value.to_string()).expect("write fixture");
    let specs = dir.path().join("specs");
    let server = common::Server::start(&["--specs", specs.to_str().expect("utf-8"), "--api", "r7"]);
    (dir, server)
}

async fn report(proxy: &Proxy) -> Value {
    let text = raw_client()
        .get(proxy.url("/__docmock/report?format=json"))
        .send()
        .await
        .expect("report")
        .text()
        .await
        .expect("text");
    serde_json::from_str(&text).expect("report is JSON")
}

fn check<'r>(report: &'r Value, endpoint: &str) -> &'r Value {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["endpoint"] == endpoint)
        .unwrap_or_else(|| panic!("no check for {endpoint} in {report:#}"))
}

fn findings(check: &Value) -> Vec<String> {
    check["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["class"].as_str().unwrap_or(""),
                f["pointer"].as_str().unwrap_or("")
            )
        })
        .collect()
}

const CONTACT: &str = "/api/2.0/crm/contact/1234";

#[tokio::test]
async fn answers_pass_through_byte_for_byte_and_each_planted_drift_is_reported_once() {
    let (_dir, portal) = drifted_portal();
    let proxy = Proxy::start(&portal.base, &["--api", "r7"]);
    let client = raw_client();
    for path in [CONTACT, "/api/2.0/crm/contact/1234.xml", CONTACT] {
        let direct = client
            .get(portal.url(path))
            .header("Authorization", common::CREDENTIALS)
            .send()
            .await
            .expect("direct");
        let proxied = client
            .get(proxy.url(path))
            .header("Authorization", common::CREDENTIALS)
            .send()
            .await
            .expect("proxied");
        assert_eq!(direct.status(), proxied.status(), "{path}");
        let headers = |r: &reqwest::Response| {
            let mut pairs: Vec<(String, Vec<u8>)> = r
                .headers()
                .iter()
                .filter(|(n, _)| *n != "date")
                .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
                .collect();
            pairs.sort();
            pairs
        };
        assert_eq!(headers(&direct), headers(&proxied), "{path}");
        let (direct, proxied) = (
            direct.bytes().await.expect("body"),
            proxied.bytes().await.expect("body"),
        );
        assert_eq!(direct, proxied, "{path}: the body passes through unchanged");
    }

    let report = report(&proxy).await;
    let contact = check(&report, "r7/get-crm-contact-contactid");
    assert_eq!(contact["exchanges"], 3);
    assert_eq!(contact["outcome"], "failed");
    let mut failures: Vec<String> = findings(contact)
        .into_iter()
        .filter(|f| !f.starts_with("extra") && !f.starts_with("value"))
        .collect();
    failures.sort();
    assert_eq!(
        failures,
        [
            "missing-field /response/lastName",
            "type-change /response/company/shareType",
            "unexpected-null /response/company/companyName",
        ],
        "{contact:#}"
    );
    let (code, stdout, stderr) = proxy.terminate();
    assert_eq!(code, 1, "drift fails the run by default: {stdout}");
    assert!(
        stdout.contains("type change at /response/company/shareType"),
        "{stdout}"
    );
    assert!(
        stderr.contains("verdict=\"drift\"")
            && stderr.contains("type-change /response/company/shareType"),
        "one log line per exchange names its findings: {stderr}"
    );
}

#[tokio::test]
async fn the_findings_header_names_the_drift_when_asked_for() {
    let (_dir, portal) = drifted_portal();
    let proxy = Proxy::start(&portal.base, &["--api", "r7", "--findings-header"]);
    let response = raw_client()
        .get(proxy.url(CONTACT))
        .header("Authorization", common::CREDENTIALS)
        .send()
        .await
        .expect("proxied");
    let header = response
        .headers()
        .get("docmock-findings")
        .expect("Docmock-Findings")
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(
        header.contains("type-change /response/company/shareType"),
        "{header}"
    );
    assert!(
        header.contains("missing-field /response/lastName"),
        "{header}"
    );
    let without = Proxy::start(&portal.base, &["--api", "r7"]);
    let response = raw_client()
        .get(without.url(CONTACT))
        .header("Authorization", common::CREDENTIALS)
        .send()
        .await
        .expect("proxied");
    assert!(
        response.headers().get("docmock-findings").is_none(),
        "off by default"
    );
}

#[tokio::test]
async fn a_request_breaking_the_contract_is_reported_and_unexercised_endpoints_are_listed() {
    let portal = common::Server::start(&["--api", "onlyoffice"]);
    let out = tempfile::tempdir().expect("tempdir");
    let junit = out.path().join("proxy.xml");
    let proxy = Proxy::start(
        &portal.base,
        &[
            "--api",
            "onlyoffice",
            "--format",
            "junit",
            "--out",
            junit.to_str().expect("utf-8"),
        ],
    );
    let client = raw_client();
    let response = client
        .put(proxy.url("/api/2.0/crm/contact/1234/status"))
        .header("Authorization", "Bearer SECRET-TOKEN-4711")
        .header("Content-Type", "application/json")
        .body(r#"{"contactStatusid":"not a number"}"#)
        .send()
        .await
        .expect("proxied");
    assert_eq!(response.status(), 400, "the portal's own answer comes back");
    let undocumented = client
        .get(proxy.url("/api/2.0/people/@self?asc_auth_key=SECRET-KEY-0815"))
        .header("Cookie", "asc_auth_key=SECRET-COOKIE-1234")
        .send()
        .await
        .expect("proxied");
    assert_eq!(
        undocumented.status(),
        404,
        "forwarded, answered by the portal"
    );

    let report = report(&proxy).await;
    let status = check(&report, "onlyoffice/put-crm-contact-contactid-status");
    assert_eq!(status["outcome"], "failed");
    assert_eq!(findings(status), ["request-contract /body/contactStatusid"]);
    for never in [
        "onlyoffice/post-crm-case-caseid-contact",
        "onlyoffice/post-crm-opportunity-opportunityid-contact-contactid",
    ] {
        let unused = check(&report, never);
        assert_eq!(unused["outcome"], "skipped", "{unused:#}");
        assert_eq!(unused["exchanges"], 0);
    }
    let undocumented = check(&report, "undocumented /api/2.0/people/@self");
    assert_eq!(undocumented["exchanges"], 1);

    let journal = client
        .get(proxy.url("/__docmock/requests"))
        .send()
        .await
        .expect("journal")
        .text()
        .await
        .expect("text");
    assert!(journal.contains("contactStatusid"), "{journal}");

    let (code, stdout, stderr) = proxy.terminate();
    assert_eq!(code, 1, "{stdout}");
    let junit = std::fs::read_to_string(&junit).expect("JUnit written on exit");
    assert_valid_xml(&junit);
    assert!(junit.contains("never exercised by the traffic"), "{junit}");
    assert!(junit.contains("request breaks the contract"), "{junit}");
    for secret in ["SECRET-TOKEN-4711", "SECRET-KEY-0815", "SECRET-COOKIE-1234"] {
        for (what, text) in [("journal", &journal), ("log", &stderr), ("report", &junit)] {
            assert!(!text.contains(secret), "{secret} in the {what}: {text}");
        }
    }
}

#[tokio::test]
async fn the_exit_code_follows_fail_on() {
    let (_dir, portal) = drifted_portal();
    for (fail_on, expected) in [("drift", 1), ("contract", 0), ("never", 0)] {
        let proxy = Proxy::start(&portal.base, &["--api", "r7", "--fail-on", fail_on]);
        let response = raw_client()
            .get(proxy.url(CONTACT))
            .header("Authorization", common::CREDENTIALS)
            .send()
            .await
            .expect("proxied");
        assert_eq!(response.status(), 200);
        let (code, stdout, _) = proxy.terminate();
        assert_eq!(code, expected, "--fail-on {fail_on}: {stdout}");
    }
    // A request breaking the contract fails `--fail-on contract`.
    let proxy = Proxy::start(&portal.base, &["--api", "r7", "--fail-on", "contract"]);
    let response = raw_client()
        .get(proxy.url(CONTACT))
        .send()
        .await
        .expect("proxied");
    assert_eq!(response.status(), 401, "no credential: the portal refuses");
    let (code, stdout, _) = proxy.terminate();
    assert_eq!(code, 1, "{stdout}");
}

#[tokio::test]
async fn a_dead_target_gives_a_502_in_the_vendors_shape_naming_it_at_once() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead = format!("http://{}", listener.local_addr().expect("address"));
    drop(listener);
    let proxy = Proxy::start(&dead, &["--api", "r7", "--timeout", "5s"]);
    let started = Instant::now();
    let response = raw_client()
        .get(proxy.url(CONTACT))
        .header("Authorization", common::CREDENTIALS)
        .send()
        .await
        .expect("proxied");
    assert!(started.elapsed() < Duration::from_secs(5), "no hang");
    assert_eq!(response.status(), 502);
    let body: Value = response.json().await.expect("JSON error body");
    assert_eq!(body["status"], 1, "ONLYOFFICE's error envelope: {body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(&dead), "{body}");
    let (code, stdout, _) = proxy.terminate();
    assert_eq!(code, 2, "the portal was not reached: {stdout}");
}

/// A request's head as a raw stand-in portal reads it, byte by byte up to
/// the blank line; `None` when the client closes first.
async fn read_head(stream: &mut tokio::net::TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await.unwrap_or(0) == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

/// A raw HTTP server for what docmock never answers: `/big` is 2 MB in
/// chunks without a length, `/moved` a redirect to another host. Each
/// connection takes one request.
async fn stand_in() -> (String, Vec<u8>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let big: Vec<u8> = (0..2 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    let served = big.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let big = served.clone();
            tokio::spawn(async move {
                let Some(head) = read_head(&mut stream).await else {
                    return;
                };
                if head.starts_with("GET /big")
                    || head.starts_with("GET /api/2.0/crm/contact/1234 ")
                {
                    let content_type = if head.starts_with("GET /big") {
                        "application/octet-stream"
                    } else {
                        "application/json"
                    };
                    let _ = stream
                        .write_all(format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n").as_bytes())
                        .await;
                    for chunk in big.chunks(64 * 1024) {
                        let _ = stream
                            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                            .await;
                        let _ = stream.write_all(chunk).await;
                        let _ = stream.write_all(b"\r\n").await;
                    }
                    let _ = stream.write_all(b"0\r\n\r\n").await;
                } else {
                    let _ = stream
                        .write_all(b"HTTP/1.1 302 Found\r\nLocation: http://elsewhere.invalid/login\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .await;
                }
            });
        }
    });
    (base, big)
}

#[tokio::test]
async fn a_large_body_streams_through_and_a_redirect_is_passed_back_not_followed() {
    let (base, big) = stand_in().await;
    let proxy = Proxy::start(&base, &["--api", "r7", "--max-body", "1048576"]);
    let client = raw_client();
    let response = client.get(proxy.url("/big")).send().await.expect("big");
    assert_eq!(response.status(), 200);
    let body = response.bytes().await.expect("body");
    assert_eq!(body.len(), big.len());
    assert!(body == big, "2 MB pass through unchanged");

    let moved = client.get(proxy.url("/moved")).send().await.expect("moved");
    assert_eq!(moved.status(), 302);
    assert_eq!(
        moved
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("http://elsewhere.invalid/login")
    );
    // On a documented endpoint, an answer over --max-body still passes
    // through whole, with a note that its body was not compared.
    let contact = client
        .get(proxy.url(CONTACT))
        .header("Authorization", common::CREDENTIALS)
        .send()
        .await
        .expect("contact");
    assert_eq!(contact.bytes().await.expect("body").len(), big.len());
    let (_, stdout, _) = proxy.terminate();
    assert!(stdout.contains("undocumented /big"), "{stdout}");
    assert!(
        stdout.contains("body not compared (note) at /: the answer is larger than 1048576 bytes"),
        "{stdout}"
    );
}

#[tokio::test]
async fn a_request_naming_another_host_still_goes_to_the_target() {
    let (_dir, portal) = drifted_portal();
    let proxy = Proxy::start(&portal.base, &["--api", "r7"]);
    let address = proxy.base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect");
    let request = format!(
        "GET http://elsewhere.invalid{CONTACT} HTTP/1.1\r\nHost: elsewhere.invalid\r\nAuthorization: {}\r\nConnection: close\r\n\r\n",
        common::CREDENTIALS
    );
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains("Tadjeddine"),
        "the target answered: {answer}"
    );
}

fn assert_valid_xml(text: &str) {
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed XML: {e}: {text}"),
        }
    }
}

#[tokio::test]
async fn credentials_and_login_tokens_are_never_journaled_logged_or_reported() {
    let portal = common::Server::start(&["--api", "r7", "--token", "SECRET-LOGIN-TOKEN-77"]);
    let proxy = Proxy::start(&portal.base, &["--api", "r7"]);
    let client = raw_client();
    let login = client
        .post(proxy.url("/api/2.0/authentication"))
        .header("Content-Type", "application/json")
        .body(r#"{"userName":"jane@example.com","password":"SECRET-PASSWORD-13"}"#)
        .send()
        .await
        .expect("login")
        .text()
        .await
        .expect("text");
    assert!(
        login.contains("SECRET-LOGIN-TOKEN-77"),
        "the client gets the token: {login}"
    );
    let contact = client
        .get(proxy.url(&format!("{CONTACT}?access_token=SECRET-LOGIN-TOKEN-77")))
        .header("Authorization", "SECRET-LOGIN-TOKEN-77")
        .header("X-XSRF-TOKEN", "SECRET-XSRF-5")
        .send()
        .await
        .expect("contact");
    assert_eq!(contact.status(), 200);
    let journal = client
        .get(proxy.url("/__docmock/requests"))
        .send()
        .await
        .expect("journal")
        .text()
        .await
        .expect("text");
    let table = client
        .get(proxy.url("/__docmock/report?format=table"))
        .send()
        .await
        .expect("report")
        .text()
        .await
        .expect("text");
    let (_, stdout, stderr) = proxy.terminate();
    assert!(journal.contains("authentication"), "{journal}");
    for secret in [
        "SECRET-LOGIN-TOKEN-77",
        "SECRET-PASSWORD-13",
        "SECRET-XSRF-5",
    ] {
        for (what, text) in [
            ("journal", &journal),
            ("report", &table),
            ("report on exit", &stdout),
            ("log", &stderr),
        ] {
            assert!(!text.contains(secret), "{secret} in the {what}: {text}");
        }
    }
}

/// Keeps every exchange it is told of.
#[derive(Default)]
struct Kept(std::sync::Mutex<Vec<docmock::proxy::exchange::Exchange>>);

impl docmock::proxy::exchange::ExchangeSink for Kept {
    fn exchanged(&self, exchange: &docmock::proxy::exchange::Exchange) {
        self.0.lock().expect("lock").push(exchange.clone());
    }
}

#[tokio::test]
async fn every_exchange_is_handed_to_the_sink_once_its_answer_has_gone_out() {
    use docmock::answer::router::Mount;
    use docmock::contract::catalog::{Catalog, Source};
    let portal = docmock::MockServer::start(common::root().join("specs").to_str().expect("utf-8"))
        .await
        .expect("portal starts");
    let catalog = Catalog::load(&Source::new(common::root().join("specs"), None)).expect("specs");
    let mock = docmock::Mock::new(catalog, &Mount::Single("r7".into())).expect("mock");
    let kept = std::sync::Arc::new(Kept::default());
    let settings = docmock::proxy::Settings {
        target: format!("{}/r7", portal.base_url()),
        limits: docmock::serve::server::Limits::default(),
        timeout: Duration::from_secs(5),
        ca_cert: None,
        insecure: false,
        findings_header: false,
        journal_size: 10,
        request_log: docmock::serve::request_log::RequestLog::default(),
        workers: 1,
        admin: docmock::serve::admin_gate::AdminSettings::default(),
        sink: Some(kept.clone()),
    };
    let proxy = docmock::proxy::Proxy::new(mock, settings).expect("proxy");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(docmock::proxy::serve(listener, proxy, async {
        let _ = stopped.await;
    }));

    let body = raw_client()
        .get(format!("{base}{CONTACT}?fields=x"))
        .header("Authorization", common::CREDENTIALS)
        .send()
        .await
        .expect("proxied")
        .bytes()
        .await
        .expect("body");
    // The sink is told after the answer has gone out: wait for it.
    let deadline = Instant::now() + Duration::from_secs(5);
    while kept.0.lock().expect("lock").is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let _ = stop.send(());
    served.await.expect("joined").expect("served");
    let exchanges = kept.0.lock().expect("lock");
    assert_eq!(exchanges.len(), 1);
    let exchange = &exchanges[0];
    assert_eq!(exchange.method, http::Method::GET);
    assert_eq!(exchange.path_and_query, format!("{CONTACT}?fields=x"));
    assert_eq!(exchange.status, 200);
    assert_eq!(
        exchange.endpoint.as_deref(),
        Some("r7/get-crm-contact-contactid")
    );
    assert_eq!(exchange.response_body.as_ref(), Some(&body));
    assert_eq!(
        exchange
            .request_headers
            .get("authorization")
            .map(|v| v.as_bytes()),
        Some(common::CREDENTIALS.as_bytes()),
        "the sink sees what the client sent; masking is its own business"
    );
}

/// A portal answering the requests of the record test: each path its own
/// JSON answer, as a live portal would give for methods whose pages show
/// no example. Each connection takes one request.
async fn example_less_portal() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Some(head) = read_head(&mut stream).await else {
                    return;
                };
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .and_then(|n| n.trim().parse().ok())
                    })
                    .unwrap_or(0);
                let mut body = vec![0u8; length];
                if stream.read_exact(&mut body).await.is_err() {
                    return;
                }
                let line = head.lines().next().unwrap_or_default().to_string();
                let answer = RECORDED
                    .iter()
                    .find(|(request, _)| {
                        line.strip_prefix(request)
                            .is_some_and(|rest| rest.starts_with([' ', '?']))
                    })
                    .map(|(_, answer)| *answer);
                let reply = match answer {
                    Some(answer) => format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                        answer.len()
                    ),
                    None => {
                        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .to_string()
                    }
                };
                let _ = stream.write_all(reply.as_bytes()).await;
            });
        }
    });
    base
}

/// What the example-less portal answers, by request line start.
const RECORDED: [(&str, &str); 3] = [
    (
        "PUT /api/2.0/crm/task/5530/reopen",
        r#"{"count":1,"startIndex":0,"status":0,"statusCode":200,"response":{"id":5530,"title":"Call back","isClosed":false}}"#,
    ),
    (
        "GET /api/2.0/crm/contact/tag/1234",
        r#"{"count":2,"startIndex":0,"status":0,"statusCode":200,"response":["Gold","Silver"]}"#,
    ),
    (
        "GET /api/2.0/crm/case/912",
        r#"{"count":1,"startIndex":0,"status":0,"statusCode":200,"response":{"id":912,"title":"Damaged delivery"}}"#,
    ),
];

#[tokio::test]
async fn record_fills_the_example_less_endpoints_from_the_portal_and_writes_no_credential() {
    // The pages of two methods with no example response, one with one, and
    // the portal also answers a path no page documents.
    let specs = tempfile::tempdir().expect("tempdir");
    let pages: Vec<String> = [
        "18_put-task-reopen-returns-a-type-no-example.txt",
        "71_get-entity-tag-returns-a-type-no-example.txt",
        "01_get-opportunities-by-contact.txt",
    ]
    .iter()
    .map(|p| {
        common::root()
            .join("tests/pages")
            .join(p)
            .display()
            .to_string()
    })
    .collect();
    let out_arg = specs.path().display().to_string();
    let mut args = vec!["import"];
    args.extend(pages.iter().map(String::as_str));
    args.extend(["--out", &out_arg]);
    let imported = common::run_in(&common::root(), &args);
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );

    let portal = example_less_portal().await;
    let recorded = tempfile::tempdir().expect("tempdir");
    let specs_arg = specs.path().join("specs").display().to_string();
    let recorded_arg = recorded.path().display().to_string();
    let proxy = Proxy::start_as(
        "record",
        &portal,
        &[
            "--specs",
            &specs_arg,
            "--api",
            "onlyoffice",
            "--out",
            &recorded_arg,
        ],
    );
    let http = raw_client();
    for (request, answer) in RECORDED {
        let (method, path) = request.split_once(' ').expect("request line");
        let method: reqwest::Method = method.parse().expect("method");
        let reply = http
            .request(
                method,
                proxy.url(&format!("{path}?asc_auth_key=s3cret-query")),
            )
            .header("Authorization", "s3cret-auth-header")
            .header("Cookie", "asc_auth_key=s3cret-cookie")
            .send()
            .await
            .expect("sent");
        assert_eq!(reply.status(), 200, "{request}");
        assert_eq!(reply.text().await.expect("body"), answer, "{request}");
    }
    let (code, stdout, stderr) = proxy.terminate();
    assert!(stdout.contains("3 recorded"), "{code}: {stdout}\n{stderr}");

    // The written directory passes check and serves what the portal said.
    let written = recorded.path().join("specs").display().to_string();
    let check = common::run_in(&common::root(), &["check", &written]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let server = common::Server::start(&["--specs", &written]);
    let http = common::client();
    for (request, answer) in RECORDED {
        let (method, path) = request.split_once(' ').expect("request line");
        let method: reqwest::Method = method.parse().expect("method");
        let reply = http
            .request(method, format!("{}/onlyoffice{path}", server.base))
            .header("Authorization", "any")
            .header("Accept", "application/json")
            .send()
            .await
            .expect("sent");
        assert_eq!(reply.status(), 200, "{request}");
        let marked = reply
            .headers()
            .get("Docmock-Example")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(marked.contains("from=recorded"), "{request}: {marked}");
        let served: Value = reply.json().await.expect("JSON");
        let expected: Value = serde_json::from_str(answer).expect("JSON");
        assert_eq!(served, expected, "{request}");
    }

    // No credential the client sent is anywhere under --out.
    for entry in walkdir::WalkDir::new(recorded.path()) {
        let entry = entry.expect("entry");
        if !entry.file_type().is_file() {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).expect("text");
        for secret in ["s3cret-query", "s3cret-auth-header", "s3cret-cookie"] {
            assert!(
                !text.contains(secret),
                "{} holds {secret}",
                entry.path().display()
            );
        }
    }
}

#[test]
fn a_client_that_sends_its_whole_body_before_reading_gets_the_413() {
    let proxy = Proxy::start(
        "http://127.0.0.1:9",
        &["--api", "r7", "--max-body", "1048576"],
    );
    let address = proxy.base.trim_start_matches("http://").to_string();
    for size in [2 << 20, 10 << 20] {
        for round in 0..2 {
            let answer = common::put_whole_body_then_read(&address, CONTACT, size)
                .unwrap_or_else(|e| panic!("{size} bytes, round {round}: {e}"));
            assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        }
    }
    // And the admin API, which reads no body, answers such a client too.
    let answer = common::put_whole_body_then_read(&address, "/__docmock/report", 10 << 20)
        .unwrap_or_else(|e| panic!("admin: {e}"));
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
}
