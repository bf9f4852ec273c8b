//! `docmock verify` against docmock itself (everything passes) and against
//! a test portal that drifts from the documentation in each way verify
//! classifies, or that misbehaves at the connection level.

mod common;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{CREDENTIALS, Server, run_in};
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

/// `docmock verify ARGS` run to completion; its stdout and exit code.
fn verify(args: &[&str]) -> (String, i32) {
    let mut all = vec!["verify"];
    all.extend_from_slice(args);
    let output = run_in(&common::root(), &all);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    (
        format!("{stdout}{stderr}"),
        output.status.code().unwrap_or(-1),
    )
}

#[test]
fn verify_against_docmock_itself_passes_every_endpoint_in_both_forms() {
    let server = Server::start(&[]);
    for api in ["onlyoffice", "r7", "superoffice"] {
        let base = server.url(&format!("/{api}"));
        let report = tempfile::NamedTempFile::new().expect("temp file");
        let out = report.path().to_str().expect("utf-8").to_string();
        let (text, code) = verify(&[
            "--base-url",
            &base,
            "--api",
            api,
            "--include-writes",
            "--forms",
            "json,xml",
            "--auth",
            CREDENTIALS,
            "--format",
            "junit",
            "--out",
            &out,
        ]);
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("0 failed, 0 errors, 0 skipped"), "{text}");
        let junit = std::fs::read_to_string(report.path()).expect("junit written");
        assert!(junit.contains("failures=\"0\" errors=\"0\""), "{junit}");
        assert!(junit.contains("<testcase name="), "{junit}");
    }
}

#[test]
fn writes_are_only_sent_when_asked() {
    let server = Server::start(&[]);
    let base = server.url("/onlyoffice");
    let (text, code) = verify(&[
        "--base-url",
        &base,
        "--api",
        "onlyoffice",
        "--auth",
        CREDENTIALS,
    ]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("0 passed, 0 failed, 0 errors, 6 skipped"),
        "{text}"
    );
    let (text, _) = verify(&[
        "--base-url",
        &base,
        "--api",
        "onlyoffice",
        "--auth",
        CREDENTIALS,
        "--include-writes",
        "--only",
        "put-crm-contact-contactid-status",
    ]);
    assert!(text.contains("2 checks"), "{text}");
}

/// What the drifting portal answers for one case.
#[derive(Clone)]
struct Answer {
    status: u16,
    /// Empty: no `Content-Type` at all.
    content_type: &'static str,
    /// Further headers (`Location`, `Retry-After`, `Content-Encoding`).
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

/// A portal serving one [`Answer`] per case, chosen by the first path
/// segment (`/<case>/api/...`) and the `.json` / `.xml` suffix (or an
/// `Accept` naming XML, as SuperOffice negotiates).
async fn drifting_portal(cases: Vec<(&'static str, Answer, Answer)>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let cases = Arc::new(cases);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let cases = Arc::clone(&cases);
            tokio::spawn(async move {
                let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    let cases = Arc::clone(&cases);
                    async move {
                        let path = request.uri().path().to_string();
                        let case = path.split('/').nth(1).unwrap_or("");
                        let accept = request
                            .headers()
                            .get("accept")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("");
                        let xml = path.ends_with(".xml") || accept.contains("xml");
                        let answer = cases
                            .iter()
                            .find(|(name, _, _)| *name == case)
                            .map(|(_, json, xml_answer)| {
                                if xml {
                                    xml_answer.clone()
                                } else {
                                    json.clone()
                                }
                            })
                            .unwrap_or(Answer {
                                status: 404,
                                content_type: "text/plain",
                                headers: Vec::new(),
                                body: "no such case".into(),
                            });
                        let mut response = hyper::Response::builder().status(answer.status);
                        if !answer.content_type.is_empty() {
                            response = response.header("content-type", answer.content_type);
                        }
                        for (name, value) in &answer.headers {
                            response = response.header(*name, value.as_str());
                        }
                        let response = response
                            .body(Full::new(Bytes::from(answer.body)))
                            .expect("response");
                        Ok::<_, Infallible>(response)
                    }
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    address
}

fn r7_json() -> Value {
    let text = std::fs::read_to_string(
        common::root().join("fixtures/r7/get-crm-contact-contactid/response-200.json"),
    )
    .expect("fixture");
    serde_json::from_str(&text).expect("json")
}

fn r7_xml() -> String {
    std::fs::read_to_string(
        common::root().join("fixtures/r7/get-crm-contact-contactid/response-200.xml"),
    )
    .expect("fixture")
}

fn json_answer(value: &Value) -> Answer {
    Answer {
        status: 200,
        content_type: "application/json; charset=utf-8",
        headers: Vec::new(),
        body: value.to_string().into(),
    }
}

fn xml_answer(text: String) -> Answer {
    Answer {
        status: 200,
        content_type: "text/xml; charset=utf-8",
        headers: Vec::new(),
        body: text.into(),
    }
}

/// The findings verify printed for one form, as `class at pointer` lines.
fn findings(report: &Value, form: &str) -> Vec<String> {
    let mut lines: Vec<String> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["form"] == form)
        .flat_map(|c| c["findings"].as_array().cloned().unwrap_or_default())
        .map(|f| {
            format!(
                "{} at {}",
                f["class"].as_str().unwrap_or(""),
                f["pointer"].as_str().unwrap_or("")
            )
        })
        .collect();
    lines.sort();
    lines
}

#[tokio::test]
async fn each_kind_of_drift_is_reported_with_its_class_and_pointer_and_nothing_else() {
    let documented = r7_json();
    let mut missing = documented.clone();
    missing["response"]
        .as_object_mut()
        .expect("object")
        .remove("title");
    let mut type_change = documented.clone();
    type_change["response"]["company"]["shareType"] = "0".into();
    let mut null = documented.clone();
    null["response"]["firstName"] = Value::Null;
    let mut envelope = documented.clone();
    envelope.as_object_mut().expect("object").remove("status");
    let mut notes = documented.clone();
    notes["response"]["nickname"] = "Tad".into();
    notes["response"]["lastName"] = "Other".into();
    let notes_object = notes.as_object_mut().expect("object");
    notes_object.insert("count".into(), 1.into());
    notes_object.insert("total".into(), 1.into());

    let xml = r7_xml();
    let cases = vec![
        (
            "missing",
            json_answer(&missing),
            xml_answer(xml.replace("    <title>Programmer</title>\n", "")),
        ),
        (
            "type",
            json_answer(&type_change),
            xml_answer(xml.replacen("<shareType>0</shareType>", "<shareType>none</shareType>", 1)),
        ),
        (
            "null",
            json_answer(&null),
            xml_answer(xml.replace("<firstName>Tadjeddine</firstName>", "<firstName />")),
        ),
        (
            "status",
            Answer {
                status: 404,
                content_type: "application/json",
                headers: Vec::new(),
                body: "{}".into(),
            },
            Answer {
                status: 404,
                content_type: "text/xml",
                headers: Vec::new(),
                body: "<result />".into(),
            },
        ),
        (
            "envelope",
            json_answer(&envelope),
            xml_answer(
                xml.replace("<result>", "<data>")
                    .replace("</result>", "</data>"),
            ),
        ),
        (
            "conventions",
            json_answer(&documented),
            xml_answer(
                xml.replacen(
                    "<haveLateTasks>false</haveLateTasks>",
                    "<haveLateTasks>False</haveLateTasks>",
                    1,
                )
                .replacen("<about></about>", "<about />", 1)
                .replacen("<currency />", "<currency></currency>", 1),
            ),
        ),
        (
            "notes",
            json_answer(&notes),
            xml_answer(xml.replace(
                "<status>0</status>",
                "<status>0</status>\n  <count>1</count>",
            )),
        ),
    ];
    let address = drifting_portal(cases).await;
    let expected: &[(&str, &[&str], &[&str], i32)] = &[
        (
            "missing",
            &["missing-field at /response/title"],
            &["missing-field at /response/title"],
            1,
        ),
        (
            "type",
            &["type-change at /response/company/shareType"],
            &["type-change at /response/company/shareType"],
            1,
        ),
        (
            "null",
            &["unexpected-null at /response/firstName"],
            &["unexpected-null at /response/firstName"],
            1,
        ),
        (
            "status",
            &["status-mismatch at "],
            &["status-mismatch at "],
            1,
        ),
        (
            "envelope",
            &["envelope-mismatch at /status"],
            &["envelope-mismatch at "],
            1,
        ),
        (
            "conventions",
            &[],
            &[
                "xml-convention at /response/company/about",
                "xml-convention at /response/company/currency",
                "xml-convention at /response/company/haveLateTasks",
            ],
            1,
        ),
        (
            "notes",
            &[
                "extra-envelope-field at /count",
                "extra-envelope-field at /total",
                "extra-field at /response/nickname",
                "value-differs at /response/lastName",
            ],
            &["extra-envelope-field at /count"],
            0,
        ),
    ];
    for (case, json_findings, xml_findings, code) in expected {
        let base = format!("http://{address}/{case}");
        let (text, exit) = tokio::task::spawn_blocking(move || {
            verify(&[
                "--base-url",
                &base,
                "--api",
                "r7",
                "--auth",
                CREDENTIALS,
                "--format",
                "json",
                // Each case's findings are listed exactly; the probe's
                // note has a test of its own.
                "--no-default-probe",
            ])
        })
        .await
        .expect("verify ran");
        assert_eq!(exit, *code, "{case}: {text}");
        let report: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{case}: {e}: {text}"));
        assert_eq!(
            findings(&report, "json"),
            *json_findings,
            "{case} (JSON): {text}"
        );
        assert_eq!(
            findings(&report, "xml"),
            *xml_findings,
            "{case} (XML): {text}"
        );
    }
}

/// A portal that accepts connections and then misbehaves with each one.
async fn misbehaving_portal(behaviour: &'static str, served: Arc<AtomicUsize>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            let served = Arc::clone(&served);
            tokio::spawn(async move {
                let attempt = served.fetch_add(1, Ordering::SeqCst);
                match behaviour {
                    "silent" => tokio::time::sleep(Duration::from_secs(30)).await,
                    "reset" => drop(stream),
                    "garbage" => {
                        let _ = stream.write_all(b"HELLO THERE\r\n\r\n\x00\x01\x02").await;
                    }
                    // Headers at once, then a body that never ends.
                    "trickle" | "huge" => {
                        let mut request = [0u8; 4096];
                        let _ = tokio::io::AsyncReadExt::read(&mut stream, &mut request).await;
                        let head = if behaviour == "huge" {
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000000000\r\n\r\n"
                        } else {
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                        };
                        if stream.write_all(head.as_bytes()).await.is_err() {
                            return;
                        }
                        for _ in 0..100 {
                            let piece: &[u8] = if behaviour == "huge" {
                                &[b' '; 65536]
                            } else {
                                b"1\r\n \r\n"
                            };
                            if stream.write_all(piece).await.is_err() {
                                return;
                            }
                            tokio::time::sleep(Duration::from_millis(200)).await;
                        }
                    }
                    // The documented answer, gzip-compressed only when the
                    // request accepts gzip, as nginx and IIS negotiate it.
                    "negotiated" => {
                        let mut request = [0u8; 4096];
                        let read = tokio::io::AsyncReadExt::read(&mut stream, &mut request)
                            .await
                            .unwrap_or(0);
                        let head = String::from_utf8_lossy(&request[..read]).to_ascii_lowercase();
                        let accepts_gzip = head.lines().any(|line| {
                            line.strip_prefix("accept-encoding:")
                                .is_some_and(|codings| codings.contains("gzip"))
                        });
                        let reply = if accepts_gzip {
                            gzipped_json_reply(r7_json().to_string().as_bytes())
                        } else {
                            b"HTTP/1.1 406 Not Acceptable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
                        };
                        let _ = stream.write_all(&reply).await;
                    }
                    // A small gzip body that unpacks to more than verify
                    // holds: 17 MiB of JSON whitespace in about 17 KiB.
                    "bomb" => {
                        let mut request = [0u8; 4096];
                        let _ = tokio::io::AsyncReadExt::read(&mut stream, &mut request).await;
                        let reply = gzipped_json_reply(&vec![b' '; 17 * 1024 * 1024]);
                        let _ = stream.write_all(&reply).await;
                    }
                    // The documented answer on a kept-alive connection,
                    // which is closed as soon as a second request arrives
                    // on it, as an idle timeout does at the wrong moment.
                    "closing" => {
                        let mut request = [0u8; 4096];
                        let read = tokio::io::AsyncReadExt::read(&mut stream, &mut request)
                            .await
                            .unwrap_or(0);
                        let head = String::from_utf8_lossy(&request[..read]).into_owned();
                        let xml = head
                            .split_whitespace()
                            .nth(1)
                            .is_some_and(|p| p.contains(".xml"));
                        let (content_type, body) = if xml {
                            ("text/xml; charset=utf-8", r7_xml())
                        } else {
                            ("application/json; charset=utf-8", r7_json().to_string())
                        };
                        let reply = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        let _ = stream.write_all(reply.as_bytes()).await;
                        let _ = tokio::io::AsyncReadExt::read(&mut stream, &mut request).await;
                    }
                    // The documented answer cut short of its announced length.
                    "short" => {
                        let mut request = [0u8; 4096];
                        let _ = tokio::io::AsyncReadExt::read(&mut stream, &mut request).await;
                        let body = r7_json().to_string();
                        let reply = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                            body.len() + 100,
                            &body[..100]
                        );
                        let _ = stream.write_all(reply.as_bytes()).await;
                    }
                    // Busy first, then the documented answer.
                    _ => {
                        let mut request = [0u8; 4096];
                        let _ = tokio::io::AsyncReadExt::read(&mut stream, &mut request).await;
                        let reply = if attempt == 0 {
                            "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
                        } else {
                            let body = r7_json().to_string();
                            format!(
                                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                                body.len()
                            )
                        };
                        let _ = stream.write_all(reply.as_bytes()).await;
                    }
                }
            });
        }
    });
    address
}

#[tokio::test]
async fn a_portal_that_hangs_resets_or_answers_garbage_is_a_clear_error_within_the_timeout() {
    for behaviour in ["silent", "reset", "garbage", "short"] {
        let address = misbehaving_portal(behaviour, Arc::new(AtomicUsize::new(0))).await;
        let base = format!("http://{address}");
        let started = Instant::now();
        let (text, code) = tokio::task::spawn_blocking(move || {
            verify(&[
                "--base-url",
                &base,
                "--api",
                "r7",
                "--timeout",
                "1s",
                "--retries",
                "0",
            ])
        })
        .await
        .expect("verify ran");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{behaviour} took {:?}",
            started.elapsed()
        );
        assert_eq!(code, 2, "{behaviour}: {text}");
        assert!(text.contains("ERROR"), "{behaviour}: {text}");
        let expected = match behaviour {
            "silent" => "no answer within 1s",
            "short" => "the answer broke off after 100 bytes of the ",
            _ => "connection error at /",
        };
        assert!(text.contains(expected), "{behaviour}: {text}");
        assert!(!text.contains("panicked"), "{behaviour}: {text}");
    }
}

#[tokio::test]
async fn a_body_that_never_ends_or_announces_a_huge_length_is_an_error_within_the_timeout() {
    for (behaviour, expected) in [
        ("trickle", "the answer did not finish within 1s"),
        ("huge", "larger than 16 MiB"),
    ] {
        let address = misbehaving_portal(behaviour, Arc::new(AtomicUsize::new(0))).await;
        let started = Instant::now();
        let run = verify_run(
            format!("http://{address}"),
            &["--api", "r7", "--forms", "json", "--timeout", "1s"],
        )
        .await;
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{behaviour} took {:?}",
            started.elapsed()
        );
        assert_eq!(run.code, 2, "{behaviour}: {}", run.table);
        assert!(
            run.messages("json").contains(expected),
            "{behaviour}: {}",
            run.table
        );
    }
}

#[tokio::test]
async fn verify_asks_for_compression_and_bounds_what_a_compressed_body_unpacks_to() {
    let address = misbehaving_portal("negotiated", Arc::new(AtomicUsize::new(0))).await;
    let run = verify_run(
        format!("http://{address}"),
        &["--api", "r7", "--forms", "json", "--retries", "0"],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.table);

    let address = misbehaving_portal("bomb", Arc::new(AtomicUsize::new(0))).await;
    let started = Instant::now();
    let run = verify_run(
        format!("http://{address}"),
        &["--api", "r7", "--forms", "json", "--retries", "0"],
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(run.code, 2, "{}", run.table);
    assert_eq!(run.findings("json"), ["connection-error at "]);
    run.assert_says("json", "larger than 16 MiB");
}

#[tokio::test]
async fn a_busy_portal_is_retried_after_the_time_it_asks_for() {
    let served = Arc::new(AtomicUsize::new(0));
    let address = misbehaving_portal("busy", Arc::clone(&served)).await;
    let base = format!("http://{address}");
    let started = Instant::now();
    let (text, code) = tokio::task::spawn_blocking(move || {
        verify(&[
            "--base-url",
            &base,
            "--api",
            "r7",
            "--forms",
            "json",
            "--retries",
            "2",
        ])
    })
    .await
    .expect("verify ran");
    assert_eq!(code, 0, "{text}");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );
    // The check and the default-format probe, one of them answered 503
    // first and sent again.
    assert_eq!(served.load(Ordering::SeqCst), 3);
}

#[test]
fn documented_example_ids_can_be_replaced_by_ids_the_portal_has() {
    let server = Server::start(&[]);
    let base = server.url("/superoffice");
    let (text, code) = verify(&[
        "--base-url",
        &base,
        "--api",
        "superoffice",
        "--auth",
        CREDENTIALS,
        "--include-writes",
        "--set",
        "id=42",
        "--set",
        "$select=name",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{text}");
    let report: Value = serde_json::from_str(&text).expect("json report");
    let url = report["checks"][0]["url"].as_str().expect("url");
    assert!(url.ends_with("/api/v1/Contact/42?%24select=name"), "{url}");
}

#[test]
fn a_base_url_that_is_not_http_is_a_usage_error() {
    let (text, code) = verify(&["--base-url", "portal.example.com"]);
    assert_eq!(code, 2);
    assert!(
        text.contains("--base-url must be an http:// or https:// URL"),
        "{text}"
    );
}

/// One verify run against one case of a portal: the JSON report and exit
/// code, and the table and JUnit report of a second run.
struct Run {
    report: Value,
    code: i32,
    table: String,
    junit: String,
}

impl Run {
    /// The `class at pointer` lines of one form.
    fn findings(&self, form: &str) -> Vec<String> {
        findings(&self.report, form)
    }

    /// Every finding message of one form, joined.
    fn messages(&self, form: &str) -> String {
        self.report["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .filter(|c| c["form"] == form)
            .flat_map(|c| c["findings"].as_array().cloned().unwrap_or_default())
            .map(|f| f["message"].as_str().unwrap_or("").to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Fails, showing the table, unless a finding of one form says `text`.
    #[track_caller]
    fn assert_says(&self, form: &str, text: &str) {
        assert!(self.messages(form).contains(text), "{}", self.table);
    }
}

/// `docmock verify --base-url BASE ARGS` twice (JSON report, then JUnit to
/// a file with the table on stdout); stdout only, so that load warnings on
/// stderr cannot spoil the JSON.
async fn verify_run(base: String, args: &[&str]) -> Run {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let run = |extra: &[&str]| {
            let mut all = vec!["verify", "--base-url", base.as_str()];
            all.extend(args.iter().map(String::as_str));
            all.extend_from_slice(extra);
            let output = run_in(&common::root(), &all);
            let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            assert!(!stderr.contains("panicked"), "{stderr}");
            (stdout, output.status.code().unwrap_or(-1))
        };
        let (json, code) = run(&["--format", "json"]);
        let report: Value =
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("JSON report: {e}: {json}"));
        let file = tempfile::NamedTempFile::new().expect("temp file");
        let out = file.path().to_str().expect("utf-8").to_string();
        let (table, junit_code) = run(&["--format", "junit", "--out", &out]);
        assert_eq!(code, junit_code, "{table}");
        let junit = std::fs::read_to_string(file.path()).expect("junit written");
        assert_valid_junit(&junit);
        Run {
            report,
            code,
            table,
            junit,
        }
    })
    .await
    .expect("verify ran")
}

/// The JUnit report is well-formed XML 1.0: it parses, and it holds no
/// character XML 1.0 forbids (CI servers reject the whole file otherwise).
fn assert_valid_junit(junit: &str) {
    let forbidden = junit.chars().find(|c| {
        matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
    });
    assert_eq!(
        forbidden, None,
        "JUnit holds a forbidden character: {junit}"
    );
    let mut reader = quick_xml::Reader::from_str(junit);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("JUnit is not well-formed: {e}: {junit}"),
        }
    }
}

fn answer(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Answer {
    Answer {
        status,
        content_type,
        headers: Vec::new(),
        body: body.into(),
    }
}

/// `value` with every object key's first letter upper-cased, as a portal
/// serializing PascalCase sends the camelCase documentation.
fn pascal_case(value: &Value) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .iter()
                .map(|(key, value)| {
                    let mut chars = key.chars();
                    let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
                    (
                        format!("{}{}", first.unwrap_or_default(), chars.as_str()),
                        pascal_case(value),
                    )
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(pascal_case).collect()),
        other => other.clone(),
    }
}

/// The arguments of the tests that compare one endpoint's answer: they
/// list that endpoint's findings per form exactly, so the extra request per
/// API that names no format (whose notes have tests of their own) is left
/// out.
const R7: &[&str] = &[
    "--api",
    "r7",
    "--auth",
    CREDENTIALS,
    "--timeout",
    "5s",
    "--no-default-probe",
];

#[tokio::test]
async fn dates_number_forms_empty_lists_and_name_case_are_classified_by_what_breaks_clients() {
    let documented = r7_json();
    let xml = r7_xml();
    let created = "<created>2022-10-07T10:03:01.4979588Z</created>";
    let mut date = documented.clone();
    date["response"]["created"] = "07.10.2022 10:03:01".into();
    let mut iso = documented.clone();
    iso["response"]["created"] = "2022-10-07T13:03:01+03:00".into();
    let mut floats = documented.clone();
    floats["response"]["id"] = serde_json::json!(0.0);
    floats["response"]["company"]["shareType"] = serde_json::json!(0.0);
    let mut fraction = documented.clone();
    fraction["response"]["id"] = serde_json::json!(12.5);
    let mut empty = documented.clone();
    empty["response"]["commonData"] = serde_json::json!([]);
    empty["response"]["customFields"] = serde_json::json!([]);
    let mut cased = documented.clone();
    cased["response"] = pascal_case(&documented["response"]);
    cased["response"]["Company"]["ShareType"] = "0".into();
    let without_lists = {
        let start = xml.find("    <commonData>").expect("commonData");
        let end = xml.find("</customFields>\n").expect("customFields") + "</customFields>\n".len();
        format!("{}{}", &xml[..start], &xml[end..])
    };
    let cases = vec![
        (
            "date",
            json_answer(&date),
            xml_answer(xml.replace(created, "<created>/Date(1665137000000)/</created>")),
        ),
        (
            "iso",
            json_answer(&iso),
            xml_answer(xml.replace(created, "<created>2022-10-07 13:03:01+0300</created>")),
        ),
        (
            "floats",
            json_answer(&floats),
            xml_answer(xml.replacen("<shareType>0</shareType>", "<shareType>0.0</shareType>", 1)),
        ),
        (
            "fraction",
            json_answer(&fraction),
            xml_answer(xml.replacen("<shareType>0</shareType>", "<shareType>0.5</shareType>", 1)),
        ),
        ("empty", json_answer(&empty), xml_answer(without_lists)),
        (
            "case",
            json_answer(&cased),
            xml_answer(
                xml.replace("<company>", "<Company>")
                    .replace("</company>", "</Company>")
                    .replacen("<shareType>0</shareType>", "<shareType>none</shareType>", 1),
            ),
        ),
    ];
    let address = drifting_portal(cases).await;

    // A date in another format breaks every client parsing the documented
    // ISO form: a type change, not a value note.
    let run = verify_run(format!("http://{address}/date"), R7).await;
    assert_eq!(run.code, 1, "{}", run.table);
    assert_eq!(run.findings("json"), ["type-change at /response/created"]);
    assert_eq!(run.findings("xml"), ["type-change at /response/created"]);
    run.assert_says("json", "ISO 8601");

    // Another ISO offset is only another value.
    let run = verify_run(format!("http://{address}/iso"), R7).await;
    assert_eq!(run.code, 0, "{}", run.table);
    assert_eq!(run.findings("json"), ["value-differs at /response/created"]);
    assert_eq!(run.findings("xml"), ["value-differs at /response/created"]);

    // 0.0 is the documented 0; empty lists leave nothing to check.
    for case in ["floats", "empty"] {
        let run = verify_run(format!("http://{address}/{case}"), R7).await;
        assert_eq!(run.code, 0, "{case}: {}", run.table);
        assert!(run.findings("json").is_empty(), "{case}: {}", run.table);
        assert!(run.findings("xml").is_empty(), "{case}: {}", run.table);
    }

    // A fraction where the example shows an integer: a note that says so,
    // since the example cannot tell an integer member from a decimal one.
    let run = verify_run(format!("http://{address}/fraction"), R7).await;
    assert_eq!(run.code, 0, "{}", run.table);
    assert_eq!(run.findings("json"), ["value-differs at /response/id"]);
    assert_eq!(
        run.findings("xml"),
        ["value-differs at /response/company/shareType"]
    );
    for form in ["json", "xml"] {
        run.assert_says(form, "documented as an integer");
    }

    // A name in another case is missing for clients reading the documented
    // one, and the value under the other spelling is still compared.
    let run = verify_run(format!("http://{address}/case"), R7).await;
    assert_eq!(run.code, 1, "{}", run.table);
    let json = run.findings("json");
    for expected in [
        "missing-field at /response/company",
        "missing-field at /response/Company/shareType",
        "type-change at /response/Company/ShareType",
        "missing-field at /response/CommonData/0/data",
    ] {
        assert!(json.iter().any(|f| f == expected), "{expected}: {json:?}");
    }
    assert!(json.iter().all(|f| !f.starts_with("extra")), "{json:?}");
    assert_eq!(
        run.findings("xml"),
        [
            "missing-field at /response/company",
            "type-change at /response/Company/shareType"
        ]
    );
}

#[tokio::test]
async fn error_bodies_redirects_and_login_pages_are_reported_with_the_portals_own_words() {
    let mut bare = r7_json()["response"].clone();
    bare.as_object_mut().expect("object").remove("title");
    let error = serde_json::json!({
        "status": 1,
        "statusCode": 404,
        "error": {"message": "Contact not found", "hresult": -2146233088}
    });
    let error_xml = "<result><status>1</status><statusCode>404</statusCode><error><message>Contact not found</message></error></result>";
    let login_page = "<!DOCTYPE html>\n<html><head><title>Sign in - ONLYOFFICE</title></head><body><form><input type=\"password\" name=\"pwd\"></form></body></html>";
    let redirect = Answer {
        status: 302,
        content_type: "text/html",
        headers: vec![("location", "/auth.aspx?refererurl=%2fapi%2f2.0".into())],
        body: "<html><body>Object moved</body></html>".into(),
    };
    let so_error = serde_json::json!({
        "Error": true,
        "ErrorType": "SoAuthenticationException",
        "ErrorMessage": "Invalid ticket",
        "ErrorSource": "NetServer"
    });
    let cases = vec![
        (
            "error200",
            json_answer(&error),
            xml_answer(error_xml.to_string()),
        ),
        (
            "notfound",
            answer(404, "application/json; charset=utf-8", error.to_string()),
            answer(404, "text/xml", error_xml),
        ),
        ("redirect", redirect.clone(), redirect),
        (
            "login",
            answer(200, "text/html; charset=utf-8", login_page),
            answer(200, "text/html; charset=utf-8", login_page),
        ),
        ("bare", json_answer(&bare), xml_answer(r7_xml())),
        (
            "soerror",
            answer(401, "application/json; charset=utf-8", so_error.to_string()),
            answer(401, "application/json; charset=utf-8", so_error.to_string()),
        ),
    ];
    let address = drifting_portal(cases).await;

    // ONLYOFFICE's error envelope on HTTP 200: one envelope finding with the
    // portal's message, not a missing `response` and extra fields.
    let run = verify_run(format!("http://{address}/error200"), R7).await;
    assert_eq!(run.code, 1, "{}", run.table);
    for form in ["json", "xml"] {
        assert_eq!(run.findings(form), ["envelope-mismatch at /status"]);
        run.assert_says(form, "\"Contact not found\"");
    }

    let run = verify_run(format!("http://{address}/notfound"), R7).await;
    for form in ["json", "xml"] {
        assert_eq!(run.findings(form), ["status-mismatch at "]);
        run.assert_says(
            form,
            "documented 200, the portal answers 404: \"Contact not found\"",
        );
    }

    let run = verify_run(format!("http://{address}/redirect"), R7).await;
    assert_eq!(run.findings("json"), ["status-mismatch at "]);
    let message = run.messages("json");
    assert!(message.contains("redirecting to /auth.aspx"), "{message}");
    assert!(message.contains("--auth"), "{message}");

    let run = verify_run(format!("http://{address}/login"), R7).await;
    assert_eq!(run.findings("json"), ["envelope-mismatch at "]);
    // The page is not compared as the entity in either form.
    assert_eq!(run.findings("xml"), ["envelope-mismatch at "]);
    let message = run.messages("json");
    assert!(message.contains("\"Sign in - ONLYOFFICE\""), "{message}");
    assert!(message.contains("--auth"), "{message}");

    // The entity without its envelope: one envelope finding, and the
    // entity's own drift under its live pointers.
    let run = verify_run(
        format!("http://{address}/bare"),
        &["--api", "r7", "--forms", "json"],
    )
    .await;
    assert_eq!(
        run.findings("json"),
        ["envelope-mismatch at ", "missing-field at /title"]
    );

    let run = verify_run(
        format!("http://{address}/soerror"),
        &["--api", "superoffice", "--include-writes"],
    )
    .await;
    assert_eq!(run.findings("json"), ["status-mismatch at "]);
    let message = run.messages("json");
    assert!(message.contains("\"Invalid ticket\""), "{message}");
}

#[tokio::test]
async fn a_body_under_a_wrong_content_type_or_another_success_status_is_still_compared() {
    let mut missing = r7_json();
    missing["response"]
        .as_object_mut()
        .expect("object")
        .remove("title");
    let mut type_change = r7_json();
    type_change["response"]["company"]["shareType"] = "0".into();
    let mut latin1 = r7_json().to_string().into_bytes();
    let at = latin1
        .windows(10)
        .position(|w| w == b"Programmer")
        .expect("title");
    latin1[at + 5] = 0xE4;
    let mut bom_json = b"\xEF\xBB\xBF".to_vec();
    bom_json.extend_from_slice(r7_json().to_string().as_bytes());
    let bom_xml = format!(
        "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{}",
        r7_xml()
    );
    let cases = vec![
        (
            "created",
            answer(201, "application/json", missing.to_string()),
            answer(201, "text/xml", r7_xml()),
        ),
        (
            "plain",
            answer(200, "text/plain", type_change.to_string()),
            answer(200, "", r7_xml()),
        ),
        (
            "bom",
            answer(200, "application/json; charset=utf-8", bom_json),
            xml_answer(bom_xml),
        ),
        (
            "latin1",
            answer(200, "application/json; charset=utf-8", latin1.clone()),
            answer(200, "text/xml", latin1),
        ),
    ];
    let address = drifting_portal(cases).await;

    let run = verify_run(format!("http://{address}/created"), R7).await;
    assert_eq!(
        run.findings("json"),
        ["missing-field at /response/title", "status-mismatch at "]
    );
    assert_eq!(run.findings("xml"), ["status-mismatch at "]);

    let run = verify_run(format!("http://{address}/plain"), R7).await;
    assert_eq!(
        run.findings("json"),
        [
            "envelope-mismatch at ",
            "type-change at /response/company/shareType"
        ]
    );
    assert_eq!(run.findings("xml"), ["envelope-mismatch at "]);

    // A byte order mark is no drift.
    let run = verify_run(format!("http://{address}/bom"), R7).await;
    assert_eq!(run.code, 0, "{}", run.table);

    let run = verify_run(format!("http://{address}/latin1"), R7).await;
    assert_eq!(run.findings("json"), ["envelope-mismatch at "]);
    run.assert_says("json", "not UTF-8: byte 0xE4");
}

/// `bytes` compressed as `Content-Encoding: gzip` sends them.
fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("compress");
    encoder.finish().expect("compress")
}

/// A whole HTTP answer carrying `json` gzip-compressed, closing the
/// connection.
fn gzipped_json_reply(json: &[u8]) -> Vec<u8> {
    let body = gzip(json);
    let mut reply = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    reply.extend_from_slice(&body);
    reply
}

/// `bytes` compressed as `Content-Encoding: deflate` sends them (zlib).
fn deflate(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("compress");
    encoder.finish().expect("compress")
}

/// `bytes` as `Content-Encoding: br` sends them, in the simplest stream
/// RFC 7932 allows (no brotli encoder among the dependencies): one
/// uncompressed meta-block, then an empty last one.
fn brotli(bytes: &[u8]) -> Vec<u8> {
    assert!(
        !bytes.is_empty() && bytes.len() <= 65536 - 16,
        "one meta-block"
    );
    // Bits from the lowest: WBITS 16 (0), ISLAST 0, MNIBBLES 4 (00),
    // MLEN - 1 in 16 bits, ISUNCOMPRESSED 1, then zeros to the byte.
    let header: u32 = (((bytes.len() - 1) as u32) << 4) | (1 << 20);
    let mut stream = header.to_le_bytes()[..3].to_vec();
    stream.extend_from_slice(bytes);
    // ISLAST 1, ISLASTEMPTY 1.
    stream.push(0b11);
    stream
}

#[tokio::test]
async fn compressed_answers_are_read_and_a_coding_verify_cannot_decode_is_named() {
    let compressed = |coding: &'static str, content_type: &'static str, body: Vec<u8>| Answer {
        status: 200,
        content_type,
        headers: vec![("content-encoding", coding.into())],
        body,
    };
    let json = r7_json().to_string().into_bytes();
    let xml = r7_xml().into_bytes();
    let mut drifted = r7_json();
    drifted["response"]["company"]["shareType"] = "0".into();
    let json_type = "application/json; charset=utf-8";
    let cases = vec![
        (
            "gzip",
            compressed("gzip", json_type, gzip(&json)),
            compressed("gzip", "text/xml", gzip(&xml)),
        ),
        (
            "deflate",
            compressed("deflate", json_type, deflate(&json)),
            compressed("deflate", "text/xml", deflate(&xml)),
        ),
        (
            "br",
            compressed("br", json_type, brotli(&json)),
            compressed("br", "text/xml", brotli(&xml)),
        ),
        (
            "drifted",
            compressed("gzip", json_type, gzip(drifted.to_string().as_bytes())),
            compressed("gzip", "text/xml", gzip(&xml)),
        ),
        (
            "zstd",
            compressed("zstd", json_type, vec![0x28, 0xb5, 0x2f, 0xfd, 0x00]),
            compressed("x-made-up", "text/xml", xml.clone()),
        ),
        (
            "truncated",
            compressed(
                "gzip",
                json_type,
                vec![0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03],
            ),
            compressed("gzip", "text/xml", gzip(&xml)[..40].to_vec()),
        ),
    ];
    let address = drifting_portal(cases).await;

    // A portal compressing although nobody asked is read as it would be by
    // any client: no finding, and drift inside is still drift.
    for case in ["gzip", "deflate", "br"] {
        let run = verify_run(format!("http://{address}/{case}"), R7).await;
        assert_eq!(run.code, 0, "{case}: {}", run.table);
        assert!(run.findings("json").is_empty(), "{case}: {}", run.table);
        assert!(run.findings("xml").is_empty(), "{case}: {}", run.table);
    }
    let run = verify_run(format!("http://{address}/drifted"), R7).await;
    assert_eq!(
        run.findings("json"),
        ["type-change at /response/company/shareType"]
    );

    // A coding verify cannot decode leaves the portal unverified, named.
    let run = verify_run(format!("http://{address}/zstd"), R7).await;
    assert_eq!(run.code, 2, "{}", run.table);
    for (form, coding) in [("json", "zstd"), ("xml", "x-made-up")] {
        assert_eq!(run.findings(form), ["connection-error at "], "{form}");
        assert!(
            run.messages(form).contains(&format!(
                "Content-Encoding: {coding}, which verify cannot decode"
            )),
            "{form}: {}",
            run.table
        );
    }

    // A compressed body that breaks off is an error, not a parse failure.
    let run = verify_run(format!("http://{address}/truncated"), R7).await;
    assert_eq!(run.code, 2, "{}", run.table);
    for form in ["json", "xml"] {
        assert_eq!(run.findings(form), ["connection-error at "], "{form}");
    }
}

#[tokio::test]
async fn xml_arrays_written_the_other_dialects_way_are_one_convention_mismatch() {
    let xml = r7_xml();
    let wrapped = xml
        .replace("<commonData>", "<commonData><CommonDataWrapper>")
        .replace("</commonData>", "</CommonDataWrapper></commonData>");
    let wrapped_drifted = wrapped.replace("<data>support@Р7.com</data>", "");

    // SuperOffice wraps arrays; the same document with the items repeated.
    let server = Server::start(&[]);
    let request =
        std::fs::read(common::root().join("fixtures/superoffice/put-contact-id/request.json"))
            .expect("request fixture");
    let so_xml = common::client()
        .put(server.url("/superoffice/api/v1/Contact/763"))
        .header("Accept", "application/xml")
        .header("Content-Type", "application/json")
        .body(request)
        .send()
        .await
        .expect("docmock answers")
        .text()
        .await
        .expect("text");
    let start = so_xml.find("<Emails>").expect("Emails");
    let end = so_xml.find("</Emails>").expect("Emails end") + "</Emails>".len();
    let items = &so_xml[start + "<Emails>".len()..end - "</Emails>".len()];
    let repeated = format!(
        "{}{}{}",
        &so_xml[..start],
        items
            .replace("<Email>", "<Emails>")
            .replace("</Email>", "</Emails>"),
        &so_xml[end..]
    );
    let so_answer = answer(200, "application/xml; charset=utf-8", repeated);
    let cases = vec![
        ("wrapped", json_answer(&r7_json()), xml_answer(wrapped)),
        (
            "drifted",
            json_answer(&r7_json()),
            xml_answer(wrapped_drifted),
        ),
        ("repeated", so_answer.clone(), so_answer),
        (
            "superoffice",
            answer(200, "application/xml; charset=utf-8", so_xml.clone()),
            answer(200, "application/xml; charset=utf-8", so_xml),
        ),
    ];
    let address = drifting_portal(cases).await;

    let run = verify_run(format!("http://{address}/wrapped"), R7).await;
    assert_eq!(
        run.findings("xml"),
        ["xml-convention at /response/commonData"]
    );
    let run = verify_run(format!("http://{address}/drifted"), R7).await;
    assert_eq!(
        run.findings("xml"),
        [
            "missing-field at /response/commonData/0/data",
            "xml-convention at /response/commonData"
        ]
    );

    let superoffice = [
        "--api",
        "superoffice",
        "--include-writes",
        "--forms",
        "xml",
        "--auth",
        CREDENTIALS,
    ];
    let run = verify_run(format!("http://{address}/superoffice"), &superoffice).await;
    assert_eq!(run.code, 0, "{}", run.table);
    let run = verify_run(format!("http://{address}/repeated"), &superoffice).await;
    assert_eq!(run.findings("xml"), ["xml-convention at /Emails"]);
}

#[tokio::test]
async fn fields_sent_as_xml_attributes_are_named_so_and_nil_may_be_spelled_1() {
    let xml = r7_xml();
    let create_by = {
        let start = xml.find("    <createBy>").expect("createBy");
        let end = xml.find("</createBy>\n").expect("createBy end") + "</createBy>\n".len();
        (start, end)
    };
    let attributes = format!(
        "{}    <createBy id=\"00000000-0000-0000-0000-000000000000\" displayName=\"Mike Zanyatski\" title=\"Manager\" avatarSmall=\"url to small avatar\" profileUrl=\"\" />\n{}",
        &xml[..create_by.0],
        &xml[create_by.1..]
    )
    .replacen(
        "<company>",
        "<company xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\" i:type=\"Company\" id=\"0\">",
        1,
    )
    .replacen("      <id>0</id>\n    </company>", "    </company>", 1);
    let nil = xml
        .replace(
            "<result>",
            "<result xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">",
        )
        .replace("<title>Programmer</title>", "<title xsi:nil=\"1\"></title>");
    let cases = vec![
        (
            "attributes",
            json_answer(&r7_json()),
            xml_answer(attributes),
        ),
        ("nil", json_answer(&r7_json()), xml_answer(nil)),
    ];
    let address = drifting_portal(cases).await;

    // Missing for a client reading elements, but the finding says where
    // the field went; an element of attributes alone is not taken for null.
    let run = verify_run(format!("http://{address}/attributes"), R7).await;
    assert_eq!(run.code, 1, "{}", run.table);
    assert!(run.findings("json").is_empty(), "{}", run.table);
    assert_eq!(
        run.findings("xml"),
        [
            "missing-field at /response/company/id",
            "missing-field at /response/createBy/avatarSmall",
            "missing-field at /response/createBy/displayName",
            "missing-field at /response/createBy/id",
            "missing-field at /response/createBy/profileUrl",
            "missing-field at /response/createBy/title",
        ]
    );
    let messages = run.messages("xml");
    for quoted in [
        r#"documented as element <id>, the portal sends it as an XML attribute of <company>: id="0""#,
        r#"documented as element <displayName>, the portal sends it as an XML attribute of <createBy>: displayName="Mike Zanyatski""#,
    ] {
        assert!(messages.contains(quoted), "{quoted}: {messages}");
    }

    // `xsi:nil="1"` is XML Schema's nil as much as `i:nil="true"` is.
    let run = verify_run(format!("http://{address}/nil"), R7).await;
    assert_eq!(run.findings("xml"), ["unexpected-null at /response/title"]);
}

#[tokio::test]
async fn a_portal_that_stays_busy_is_an_error_reported_without_waiting_for_absurd_retry_afters() {
    let busy = |status: u16, retry_after: String| Answer {
        status,
        content_type: "application/json",
        headers: vec![("retry-after", retry_after)],
        body: "{}".into(),
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    let tomorrow = chrono::DateTime::from_timestamp(now as i64 + 86_400, 0)
        .expect("a date")
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let cases = vec![
        (
            "forever",
            busy(503, "999999999".into()),
            busy(503, "999999999".into()),
        ),
        ("tomorrow", busy(429, tomorrow.clone()), busy(429, tomorrow)),
        (
            "past",
            busy(429, "Wed, 21 Oct 2015 07:28:00 GMT".into()),
            busy(429, "Wed, 21 Oct 2015 07:28:00 GMT".into()),
        ),
    ];
    let address = drifting_portal(cases).await;
    for (case, expected) in [
        ("forever", "longer than verify waits"),
        ("tomorrow", "longer than verify waits"),
        ("past", "--retries 2 used up"),
    ] {
        let started = Instant::now();
        let run = verify_run(
            format!("http://{address}/{case}"),
            &["--api", "r7", "--forms", "json", "--retries", "2"],
        )
        .await;
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{case} took {:?}",
            started.elapsed()
        );
        // Rate limiting says nothing about the contract: an error, exit 2.
        assert_eq!(run.code, 2, "{case}: {}", run.table);
        assert_eq!(run.findings("json"), ["connection-error at "], "{case}");
        assert!(
            run.messages("json").contains(expected),
            "{case}: {}",
            run.table
        );
    }
}

#[tokio::test]
async fn control_characters_from_the_portal_keep_the_table_and_junit_clean() {
    let broken = b"<result><status>0</status><response><a></a\x1b[31m\x01></response></result>";
    let page = b"<html><head><title>Not\x1b[2J found\x00 \xEF\xBF\xBE</title></head></html>";
    let cases = vec![(
        "weird",
        answer(404, "text/html", page.to_vec()),
        answer(200, "text/xml; charset=utf-8", broken.to_vec()),
    )];
    let address = drifting_portal(cases).await;
    let run = verify_run(format!("http://{address}/weird"), R7).await;
    assert_eq!(run.findings("json"), ["status-mismatch at "]);
    assert_eq!(run.findings("xml"), ["envelope-mismatch at "]);
    for text in [&run.table, &run.junit] {
        assert!(
            !text.contains(['\u{1b}', '\u{0}', '\u{1}', '\u{fffe}']),
            "{text:?}"
        );
    }
    assert!(run.table.contains("\\u{1b}"), "{}", run.table);
    // The JSON report keeps the text as sent (JSON escapes it itself).
    assert!(run.messages("xml").contains('\u{1b}'), "{:?}", run.report);
}

/// A temporary spec directory: the bundled R7-Office API with its example
/// response changed by `change`.
fn r7_specs_with(change: impl FnOnce(&mut Value)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let specs = dir.path().join("specs/r7");
    let fixtures = dir.path().join("fixtures/r7/get-crm-contact-contactid");
    std::fs::create_dir_all(&specs).expect("specs dir");
    std::fs::create_dir_all(&fixtures).expect("fixtures dir");
    for file in ["api.json", "get-crm-contact-contactid.json"] {
        std::fs::copy(common::root().join("specs/r7").join(file), specs.join(file))
            .expect("copy spec");
    }
    let mut documented = r7_json();
    change(&mut documented);
    std::fs::write(
        fixtures.join("response-200.json"),
        serde_json::to_string_pretty(&documented).expect("json"),
    )
    .expect("write fixture");
    std::fs::write(fixtures.join("response-200.xml"), r7_xml()).expect("write fixture");
    dir
}

#[tokio::test]
async fn a_documented_list_with_items_of_several_kinds_or_nulls_allows_each() {
    let dir = r7_specs_with(|v| v["response"]["tags"] = serde_json::json!(["a", 1, null]));
    let specs = dir.path().join("specs");
    let specs = specs.to_str().expect("utf-8").to_string();
    let with_tags = |tags: Value| {
        let mut live = r7_json();
        live["response"]["tags"] = tags;
        json_answer(&live)
    };
    let cases = vec![
        (
            "kinds",
            with_tags(serde_json::json!(["b", 2, null, 3.0, "c"])),
            xml_answer(r7_xml()),
        ),
        (
            "fraction",
            with_tags(serde_json::json!(["b", 2, 3.5])),
            xml_answer(r7_xml()),
        ),
        (
            "other",
            with_tags(serde_json::json!(["b", true])),
            xml_answer(r7_xml()),
        ),
    ];
    let address = drifting_portal(cases).await;
    let args = ["--api", "r7", "--forms", "json", "--specs", specs.as_str()];
    let run = verify_run(format!("http://{address}/kinds"), &args).await;
    assert_eq!(run.code, 0, "{}", run.table);
    assert!(run.findings("json").is_empty(), "{}", run.table);
    let run = verify_run(format!("http://{address}/other"), &args).await;
    assert_eq!(run.findings("json"), ["type-change at /response/tags/1"]);
    // Items hold other values than the documented one, fractions included.
    let run = verify_run(format!("http://{address}/fraction"), &args).await;
    assert_eq!(run.code, 0, "{}", run.table);
    assert!(run.findings("json").is_empty(), "{}", run.table);
}

#[tokio::test]
async fn the_same_drift_in_many_list_items_is_one_finding_and_a_huge_list_is_compared_quickly() {
    const ITEMS: usize = 100_000;
    let documented = r7_json();
    let xml = r7_xml();
    let item = documented["response"]["commonData"][0].clone();
    let mut many = documented.clone();
    many["response"]["commonData"] = Value::Array(
        (0..ITEMS)
            .map(|i| {
                let mut drifted = item.clone();
                let object = drifted.as_object_mut().expect("object");
                object.remove("data");
                object.insert("infoType".into(), "1".into());
                object.insert("id".into(), i.into());
                drifted
            })
            .collect(),
    );
    // Dictionary-like items, each with a key of its own: every key is a
    // kind of note, and only the first few are listed.
    let mut keyed = documented.clone();
    keyed["response"]["commonData"] = Value::Array(
        (0..1000)
            .map(|i| {
                let mut extra = item.clone();
                extra[format!("k{i}")] = i.into();
                extra
            })
            .collect(),
    );
    let start = xml.find("    <commonData>").expect("commonData");
    let end = xml.find("    </commonData>\n").expect("end") + "    </commonData>\n".len();
    let xml_item = xml[start..end].replace("      <data>support@Р7.com</data>\n", "");
    // As many as fit under the 16 MiB verify reads.
    let many_xml = format!(
        "{}{}{}",
        &xml[..start],
        xml_item.repeat(50_000),
        &xml[end..]
    );
    let cases = vec![
        ("many", json_answer(&many), xml_answer(many_xml)),
        ("keyed", json_answer(&keyed), xml_answer(xml.clone())),
    ];
    let address = drifting_portal(cases).await;
    let started = Instant::now();
    let run = verify_run(format!("http://{address}/many"), R7).await;
    assert!(started.elapsed() < Duration::from_secs(60), "too slow");
    assert_eq!(run.code, 1, "{}", run.table);
    assert_eq!(
        run.findings("json"),
        [
            "missing-field at /response/commonData/0/data",
            "type-change at /response/commonData/0/infoType",
        ]
    );
    assert_eq!(
        run.findings("xml"),
        ["missing-field at /response/commonData/0/data"]
    );
    run.assert_says("json", "; the same in 99999 more of the 100000 items");
    assert!(run.table.len() < 10_000, "{}", run.table.len());

    let run = verify_run(format!("http://{address}/keyed"), R7).await;
    assert_eq!(run.code, 0, "{}", run.table);
    let json = run.findings("json");
    assert_eq!(json.len(), 21, "{json:?}");
    run.assert_says(
        "json",
        "980 more kinds of drift in the items of this list are not listed",
    );
}

#[tokio::test]
async fn utf16_bodies_and_encoding_labels_that_misstate_a_utf8_body_are_named() {
    let documented = r7_json();
    let xml = r7_xml();
    let utf16: Vec<u8> = std::iter::once(0xFEFF_u16)
        .chain(documented.to_string().encode_utf16())
        .flat_map(u16::to_le_bytes)
        .collect();
    let declared = |encoding: &str, text: &str| {
        format!("<?xml version=\"1.0\" encoding=\"{encoding}\"?>\n{text}")
    };
    let cases = vec![
        (
            "utf16",
            answer(200, "application/json; charset=utf-16", utf16),
            xml_answer(declared("utf-16", &xml)),
        ),
        (
            "latin1",
            answer(
                200,
                "application/json; charset=ISO-8859-1",
                documented.to_string(),
            ),
            xml_answer(declared("windows-1251", &xml)),
        ),
        // ASCII reads the same under any 8-bit label: no drift.
        (
            "ascii",
            answer(
                200,
                "application/json; charset=\"us-ascii\"",
                documented.to_string().replace("Р7", "R7"),
            ),
            xml_answer(declared("windows-1251", &xml.replace("Р7", "R7"))),
        ),
    ];
    let address = drifting_portal(cases).await;
    let run = verify_run(format!("http://{address}/utf16"), R7).await;
    assert_eq!(run.code, 1, "{}", run.table);
    assert_eq!(run.findings("json"), ["envelope-mismatch at "]);
    assert_eq!(run.findings("xml"), ["envelope-mismatch at "]);
    run.assert_says("json", "the body is UTF-16LE, the vendors send UTF-8");
    run.assert_says("xml", "the XML declaration says encoding=utf-16, but the body is UTF-8: clients that honour the label refuse or misread it");

    let run = verify_run(format!("http://{address}/latin1"), R7).await;
    assert_eq!(run.code, 1, "{}", run.table);
    assert_eq!(run.findings("json"), ["envelope-mismatch at "]);
    assert_eq!(run.findings("xml"), ["envelope-mismatch at "]);
    run.assert_says(
        "json",
        "the Content-Type says charset=iso-8859-1, but the body is UTF-8 with non-ASCII text",
    );
    run.assert_says("xml", "the XML declaration says encoding=windows-1251");

    let run = verify_run(format!("http://{address}/ascii"), R7).await;
    assert_eq!(run.code, 0, "{}", run.table);
}

#[tokio::test]
async fn a_401_quotes_the_portals_authentication_challenge() {
    let mut challenged = answer(401, "", "");
    challenged.headers.push((
        "www-authenticate",
        "Bearer realm=\"portal\",\n error=\"invalid_token\"".replace('\n', ""),
    ));
    let cases = vec![("expired", challenged.clone(), challenged)];
    let address = drifting_portal(cases).await;
    let run = verify_run(format!("http://{address}/expired"), R7).await;
    assert_eq!(run.code, 1, "{}", run.table);
    run.assert_says("json", "documented 200, the portal answers 401; WWW-Authenticate: Bearer realm=\"portal\", error=\"invalid_token\" (pass credentials");
}

#[tokio::test]
async fn a_last_odata_page_without_next_link_is_no_drift() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().to_str().expect("utf-8").to_string();
    let page = common::root().join("tests/pages/41_so-odata-query-examples-with-spaces.txt");
    let output = run_in(
        &common::root(),
        &["import", page.to_str().expect("utf-8"), "--out", &out],
    );
    assert!(output.status.success(), "{output:?}");
    let specs = dir.path().join("specs");
    let specs = specs.to_str().expect("utf-8").to_string();
    let documented: Value = serde_json::from_str(
        &std::fs::read_to_string(
            dir.path()
                .join("fixtures/superoffice/get-sale/response-200.json"),
        )
        .expect("fixture"),
    )
    .expect("json");
    assert!(documented.get("odata.nextLink").is_some());
    let mut last = documented.clone();
    last.as_object_mut()
        .expect("object")
        .remove("odata.nextLink");
    last["value"] = serde_json::json!([]);
    let mut broken = documented.clone();
    broken
        .as_object_mut()
        .expect("object")
        .remove("odata.metadata");
    let cases = vec![
        ("last", json_answer(&last), json_answer(&last)),
        ("broken", json_answer(&broken), json_answer(&broken)),
    ];
    let address = drifting_portal(cases).await;
    let args = [
        "--api",
        "superoffice",
        "--forms",
        "json",
        "--specs",
        specs.as_str(),
    ];
    let run = verify_run(format!("http://{address}/last"), &args).await;
    assert_eq!(run.code, 0, "{}", run.table);
    assert!(run.findings("json").is_empty(), "{}", run.table);
    let run = verify_run(format!("http://{address}/broken"), &args).await;
    assert_eq!(run.findings("json"), ["missing-field at /odata.metadata"]);
}

#[tokio::test]
async fn a_failing_gateway_is_an_error_not_drift_and_conflicting_content_types_are_named() {
    let page = "<html><head><title>504 Gateway Time-out</title></head></html>";
    let gateway = answer(504, "text/html", page);
    let mut twice = json_answer(&r7_json());
    twice
        .headers
        .push(("content-type", "text/html".to_string()));
    let cases = vec![
        ("gateway", gateway.clone(), gateway),
        ("twice", twice, xml_answer(r7_xml())),
    ];
    let address = drifting_portal(cases).await;
    let started = Instant::now();
    let run = verify_run(
        format!("http://{address}/gateway"),
        &["--api", "r7", "--auth", CREDENTIALS, "--retries", "1"],
    )
    .await;
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(run.code, 2, "{}", run.table);
    assert_eq!(run.findings("json"), ["connection-error at "]);
    run.assert_says("json", "the portal is not reached by its gateway (504 after 2 attempts; --retries 1 used up); run verify later: \"504 Gateway Time-out\"");

    let run = verify_run(format!("http://{address}/twice"), R7).await;
    assert_eq!(run.code, 1, "{}", run.table);
    assert_eq!(run.findings("json"), ["envelope-mismatch at "]);
    run.assert_says(
        "json",
        "asked for JSON, the portal answers application/json; charset=utf-8, text/html",
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_is_quoted_where_parsing_stopped() {
    let body = r7_json().to_string();
    let cases = vec![
        (
            "jsonp",
            answer(200, "application/json", format!("callback({body});")),
            xml_answer(r7_xml()),
        ),
        (
            "trailer",
            answer(200, "application/json", format!("{body}\n<!-- 3 ms -->")),
            xml_answer(r7_xml()),
        ),
    ];
    let address = drifting_portal(cases).await;
    for (case, near) in [
        ("jsonp", r#"at "callback({\"status\":0,"#),
        ("trailer", r#"at "<!-- 3 ms -->""#),
    ] {
        let run = verify_run(format!("http://{address}/{case}"), R7).await;
        assert_eq!(run.code, 1, "{}", run.table);
        assert_eq!(run.findings("json"), ["envelope-mismatch at "]);
        assert!(run.table.contains(near), "{case}: {}", run.table);
    }
}

#[tokio::test]
async fn redirects_to_https_or_back_to_the_same_address_say_what_to_do() {
    let redirect = |location: &str| {
        let mut moved = answer(301, "", "");
        moved.headers.push(("location", location.to_string()));
        moved
    };
    let contact = "api/2.0/crm/contact/1234";
    let cases = vec![
        (
            "loop",
            redirect(&format!("/loop/{contact}.json")),
            redirect(&format!("/loop/{contact}.xml")),
        ),
        (
            "tls",
            redirect(&format!("https://127.0.0.1/tls/{contact}.json")),
            redirect(&format!("https://127.0.0.1/tls/{contact}.xml")),
        ),
        // Elsewhere on the same portal: nothing more to say.
        (
            "moved",
            redirect(&format!("/elsewhere/{contact}.json")),
            redirect(&format!("/elsewhere/{contact}.xml")),
        ),
    ];
    let address = drifting_portal(cases).await;
    for (case, hint) in [
        ("loop", Some("(to the address requested: a redirect loop)")),
        (
            "tls",
            Some("(the portal wants HTTPS: pass an https:// --base-url)"),
        ),
        ("moved", None),
    ] {
        let run = verify_run(format!("http://{address}/{case}"), R7).await;
        assert_eq!(run.code, 1, "{}", run.table);
        assert_eq!(run.findings("json"), ["status-mismatch at "]);
        let messages = run.messages("json") + &run.messages("xml");
        match hint {
            Some(hint) => assert_eq!(messages.matches(hint).count(), 2, "{case}: {messages}"),
            None => assert!(!messages.contains(" ("), "{case}: {messages}"),
        }
    }
}

#[tokio::test]
async fn a_read_on_a_kept_alive_connection_the_portal_closes_is_sent_again() {
    let served = Arc::new(AtomicUsize::new(0));
    let address = misbehaving_portal("closing", Arc::clone(&served)).await;
    let run = verify_run(
        format!("http://{address}"),
        &[
            "--api",
            "r7",
            "--auth",
            CREDENTIALS,
            "--concurrency",
            "1",
            "--retries",
            "0",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.table);
    assert!(
        run.table.contains("3 passed, 0 failed, 0 errors"),
        "{}",
        run.table
    );
    // Two runs of two checks and the default-format probe each, every
    // second request on a connection closed under it and sent again on a
    // new one.
    assert!(served.load(Ordering::SeqCst) >= 6);
}

/// How a portal's own certificate is made.
#[derive(Clone, Copy, Debug)]
enum SelfSigned {
    /// As rcgen makes one: not a CA.
    EndEntity,
    /// As `openssl req -x509` makes one by default: flagged as a CA
    /// (`basicConstraints=CA:TRUE`), though it is the server's own.
    FlaggedAsCa,
}

/// A TLS front for `backend` (`127.0.0.1:PORT`) with a self-signed
/// certificate for 127.0.0.1, as an on-premises portal may have: its
/// address, and the certificate in PEM.
async fn self_signed_front(backend: String, kind: SelfSigned) -> (std::net::SocketAddr, String) {
    let key_pair = rcgen::KeyPair::generate().expect("a key pair");
    let mut params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).expect("parameters");
    if let SelfSigned::FlaggedAsCa = kind {
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    }
    let certificate = params.self_signed(&key_pair).expect("a certificate");
    let pem = certificate.pem();
    let key = rustls::pki_types::PrivateKeyDer::try_from(key_pair.serialize_der()).expect("a key");
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_no_client_auth()
    .with_single_cert(vec![certificate.der().clone()], key)
    .expect("a server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (acceptor, backend) = (acceptor.clone(), backend.clone());
            tokio::spawn(async move {
                // A client that refuses the certificate ends the handshake.
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let Ok(mut plain) = tokio::net::TcpStream::connect(backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    (address, pem)
}

#[tokio::test]
async fn a_portal_with_its_own_certificate_is_verified_once_it_is_trusted() {
    for kind in [SelfSigned::EndEntity, SelfSigned::FlaggedAsCa] {
        a_portal_with_its_own_certificate_of_this_kind_is_verified_once_trusted(kind).await;
    }
}

async fn a_portal_with_its_own_certificate_of_this_kind_is_verified_once_trusted(kind: SelfSigned) {
    let server = Server::start(&[]);
    let backend = server.base.trim_start_matches("http://").to_string();
    let (address, pem) = self_signed_front(backend, kind).await;
    let base = format!("https://{address}/r7");
    let certificate = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(certificate.path(), &pem).expect("written");
    let ca_cert = certificate.path().to_str().expect("utf-8").to_string();

    // Not trusted: an error (exit 2) that says what to do.
    let run = verify_run(base.clone(), R7).await;
    assert_eq!(run.code, 2, "{}", run.table);
    run.assert_says("json", "certificate");
    run.assert_says("json", "pass that certificate with --ca-cert FILE");

    // Trusted through --ca-cert, or not checked: the portal passes.
    for trust in [["--ca-cert", ca_cert.as_str()].as_slice(), &["--insecure"]] {
        let args: Vec<&str> = R7.iter().copied().chain(trust.iter().copied()).collect();
        let run = verify_run(base.clone(), &args).await;
        assert_eq!(run.code, 0, "{kind:?}, {trust:?}: {}", run.table);
    }

    // Given for another name, the same certificate is refused.
    let localhost = format!("https://localhost:{}/r7", address.port());
    let args: Vec<&str> = R7.iter().copied().chain(["--ca-cert", &ca_cert]).collect();
    let run = verify_run(localhost, &args).await;
    assert_eq!(run.code, 2, "{kind:?}: {}", run.table);
    run.assert_says("json", "certificate");

    // A file that holds no certificate is named, before anything is sent.
    let (said, code) = verify(&["--base-url", &base, "--ca-cert", "Cargo.toml"]);
    assert_eq!(code, 2, "{said}");
    assert!(
        said.contains("--ca-cert Cargo.toml: holds no certificate"),
        "{said}"
    );
}

#[tokio::test]
async fn a_portal_answering_json_where_the_documentation_promises_an_xml_default_is_a_note() {
    let cases = vec![("server", json_answer(&r7_json()), xml_answer(r7_xml()))];
    let address = drifting_portal(cases).await;
    let run = verify_run(
        format!("http://{address}/server"),
        &["--api", "r7", "--auth", CREDENTIALS],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.table);
    assert!(run.findings("json").is_empty(), "{}", run.table);
    // The probe is checked against the documented default, XML.
    assert_eq!(run.findings("xml"), ["default-format at "], "{}", run.table);
    run.assert_says(
        "xml",
        "the documentation says a request naming no format gets XML; asked without a path suffix and with Accept: */*, the portal answers JSON",
    );
    run.assert_says("xml", "clients should end the path in .json or .xml");
    assert!(
        run.table
            .contains("default format differs from the documentation"),
        "{}",
        run.table
    );
    let probe = run.report["checks"]
        .as_array()
        .expect("checks")
        .last()
        .expect("the probe")
        .clone();
    assert!(
        probe["url"]
            .as_str()
            .is_some_and(|url| url.ends_with("/api/2.0/crm/contact/1234")),
        "{probe}"
    );
    assert_eq!(probe["default_probe"], true, "{probe}");
    assert!(run.junit.contains("[*/*]"), "{}", run.junit);
    // Left out when asked, and nothing else changes.
    let run = verify_run(
        format!("http://{address}/server"),
        &["--api", "r7", "--auth", CREDENTIALS, "--no-default-probe"],
    )
    .await;
    assert!(run.findings("xml").is_empty(), "{}", run.table);
    assert!(run.table.contains("2 passed"), "{}", run.table);
}

#[tokio::test]
async fn a_superoffice_portal_is_noted_only_when_its_default_is_not_the_documented_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().to_str().expect("utf-8").to_string();
    let page = common::root().join("tests/pages/14_so-get-person.txt");
    let output = run_in(
        &common::root(),
        &["import", page.to_str().expect("utf-8"), "--out", &out],
    );
    assert!(output.status.success(), "{output:?}");
    let specs = dir.path().join("specs");
    let specs = specs.to_str().expect("utf-8").to_string();
    let documented: Value = serde_json::from_str(
        &std::fs::read_to_string(
            dir.path()
                .join("fixtures/superoffice/get-person-id/response-200.json"),
        )
        .expect("fixture"),
    )
    .expect("json");
    let as_xml = xml_answer("<PersonEntity><PersonId>1</PersonId></PersonEntity>".into());
    let cases = vec![
        ("json", json_answer(&documented), as_xml.clone()),
        // XML whatever is asked for.
        ("xml", as_xml.clone(), as_xml),
    ];
    let address = drifting_portal(cases).await;
    let args = [
        "--api",
        "superoffice",
        "--forms",
        "json",
        "--specs",
        specs.as_str(),
    ];
    let run = verify_run(format!("http://{address}/json"), &args).await;
    assert_eq!(run.code, 0, "{}", run.table);
    assert!(run.findings("json").is_empty(), "{}", run.table);
    assert_eq!(run.report["checks"].as_array().map(Vec::len), Some(2));

    let run = verify_run(format!("http://{address}/xml"), &args).await;
    assert_eq!(
        run.findings("json"),
        ["default-format at ", "envelope-mismatch at "],
        "{}",
        run.table
    );
    run.assert_says(
        "json",
        "the documentation says a request naming no format gets JSON; asked without a path suffix and with Accept: */*, the portal answers XML: clients should name the format in Accept",
    );
}

#[tokio::test]
async fn an_onlyoffice_post_answered_201_where_the_page_shows_200_is_a_note_and_still_compared() {
    let dir = tempfile::tempdir().expect("temp dir");
    let specs = dir.path().join("specs/r7");
    let fixtures = dir.path().join("fixtures/r7/get-crm-contact-contactid");
    std::fs::create_dir_all(&specs).expect("specs dir");
    std::fs::create_dir_all(&fixtures).expect("fixtures dir");
    let root = common::root();
    std::fs::copy(root.join("specs/r7/api.json"), specs.join("api.json")).expect("api.json");
    let mut spec: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("specs/r7/get-crm-contact-contactid.json"))
            .expect("spec"),
    )
    .expect("json");
    spec["method"] = "POST".into();
    std::fs::write(
        specs.join("post-crm-contact-contactid.json"),
        spec.to_string(),
    )
    .expect("write spec");
    for file in ["response-200.json", "response-200.xml"] {
        std::fs::copy(
            root.join("fixtures/r7/get-crm-contact-contactid")
                .join(file),
            fixtures.join(file),
        )
        .expect("fixture");
    }
    let specs = dir.path().join("specs");
    let specs = specs.to_str().expect("utf-8").to_string();
    let created = |body: Vec<u8>, content_type| Answer {
        status: 201,
        content_type,
        headers: Vec::new(),
        body,
    };
    let mut missing = r7_json();
    missing["response"]
        .as_object_mut()
        .expect("object")
        .remove("title");
    let cases = vec![
        (
            "created",
            created(r7_json().to_string().into(), "application/json"),
            created(r7_xml().into(), "text/xml"),
        ),
        (
            "drifted",
            created(missing.to_string().into(), "application/json"),
            created(r7_xml().into(), "text/xml"),
        ),
    ];
    let address = drifting_portal(cases).await;
    let args = [
        "--api",
        "r7",
        "--include-writes",
        "--auth",
        CREDENTIALS,
        "--specs",
        specs.as_str(),
    ];
    let run = verify_run(format!("http://{address}/created"), &args).await;
    assert_eq!(run.code, 0, "{}", run.table);
    assert_eq!(run.findings("json"), ["server-status at "]);
    assert_eq!(run.findings("xml"), ["server-status at "]);
    run.assert_says(
        "json",
        "documented 200, the portal answers 201, as the R7-Office server answers every successful POST",
    );
    // The body is still compared.
    let run = verify_run(format!("http://{address}/drifted"), &args).await;
    assert_eq!(run.code, 1, "{}", run.table);
    assert_eq!(
        run.findings("json"),
        ["missing-field at /response/title", "server-status at "]
    );
}

#[test]
fn an_onlyoffice_body_a_form_cannot_carry_is_sent_as_xml_to_ask_for_xml() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = common::root();
    let name = "post-crm-case-caseid-contact";
    let specs = dir.path().join("specs/onlyoffice");
    let fixtures = dir.path().join("fixtures/onlyoffice").join(name);
    std::fs::create_dir_all(&specs).expect("specs dir");
    std::fs::create_dir_all(&fixtures).expect("fixtures dir");
    std::fs::copy(
        root.join("specs/onlyoffice/api.json"),
        specs.join("api.json"),
    )
    .expect("api.json");
    let mut spec: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join(format!("specs/onlyoffice/{name}.json"))).expect("spec"),
    )
    .expect("json");
    spec["parameters"]
        .as_array_mut()
        .expect("parameters")
        .push(serde_json::json!({
            "name": "address", "in": "body", "type": "object",
            "schema": {"type": "object"}, "required": false
        }));
    std::fs::write(specs.join(format!("{name}.json")), spec.to_string()).expect("spec");
    for file in ["response-201.json", "response-201.xml"] {
        std::fs::copy(
            root.join("fixtures/onlyoffice").join(name).join(file),
            fixtures.join(file),
        )
        .expect("fixture");
    }
    // A nested object: no form can carry it, and the server answers JSON
    // to a JSON body whatever the path says.
    std::fs::write(
        fixtures.join("request.json"),
        r#"{"contactid": 1234, "address": {"city": "Riga"}}"#,
    )
    .expect("request");
    let specs = dir.path().join("specs");
    let specs = specs.to_str().expect("utf-8").to_string();
    let server = Server::start(&["--specs", &specs]);
    let base = server.url("/onlyoffice");
    let (text, code) = verify(&[
        "--base-url",
        &base,
        "--specs",
        &specs,
        "--api",
        "onlyoffice",
        "--include-writes",
        "--forms",
        "xml",
        "--auth",
        CREDENTIALS,
    ]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("1 passed, 0 failed"), "{text}");
}
