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
    content_type: &'static str,
    body: String,
}

/// A portal serving one [`Answer`] per case, chosen by the first path
/// segment (`/<case>/api/...`) and the `.json` / `.xml` suffix.
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
                        let xml = path.ends_with(".xml");
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
                                body: "no such case".into(),
                            });
                        let response = hyper::Response::builder()
                            .status(answer.status)
                            .header("content-type", answer.content_type)
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
        body: value.to_string(),
    }
}

fn xml_answer(text: String) -> Answer {
    Answer {
        status: 200,
        content_type: "text/xml; charset=utf-8",
        body: text,
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
                body: "{}".into(),
            },
            Answer {
                status: 404,
                content_type: "text/xml",
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
    for behaviour in ["silent", "reset", "garbage"] {
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
            _ => "connection error at /",
        };
        assert!(text.contains(expected), "{behaviour}: {text}");
        assert!(!text.contains("panicked"), "{behaviour}: {text}");
    }
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
    assert_eq!(served.load(Ordering::SeqCst), 2);
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
