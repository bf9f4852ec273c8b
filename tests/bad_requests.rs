//! The table of bad requests in `tests/cases/bad-requests/`, one plain-text
//! file per case, each sent over HTTP in both forms (JSON and XML replies):
//! the status, the vendor's error shape and every expected violation.
//!
//! A case file is the request (a `# comment`, the request line, headers, a
//! blank line, the body), a `====` line, then the expected status and one
//! `LOCATION POINTER` line per violation that must be reported. The header
//! `@anonymous` sends the request without the default credentials.

mod common;

use std::fs;

use common::{Server, anonymous_client, client};
use serde_json::Value;

struct Case {
    name: String,
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    anonymous: bool,
    body: String,
    status: u16,
    violations: Vec<(String, String)>,
}

fn parse(name: &str, text: &str) -> Case {
    let (request, expect) = text
        .split_once("\n====\n")
        .unwrap_or_else(|| panic!("{name}: no ==== line"));
    let mut lines = request.lines().filter(|l| !l.starts_with('#'));
    let request_line = lines
        .next()
        .unwrap_or_else(|| panic!("{name}: no request line"));
    let (method, target) = request_line
        .split_once(' ')
        .unwrap_or_else(|| panic!("{name}: bad request line"));
    let mut headers = Vec::new();
    let mut anonymous = false;
    for line in lines.by_ref() {
        if line.is_empty() {
            break;
        }
        if line == "@anonymous" {
            anonymous = true;
            continue;
        }
        let (header, value) = line
            .split_once(": ")
            .unwrap_or_else(|| panic!("{name}: bad header {line}"));
        headers.push((header.to_string(), value.to_string()));
    }
    let body = lines.collect::<Vec<_>>().join("\n");
    let mut expect = expect.lines().filter(|l| !l.trim().is_empty());
    let status = expect
        .next()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name}: no expected status"));
    let violations = expect
        .map(|line| {
            let (location, pointer) = line.split_once(' ').unwrap_or((line, ""));
            (location.to_string(), pointer.to_string())
        })
        .collect();
    Case {
        name: name.to_string(),
        method: method.to_string(),
        target: target.to_string(),
        headers,
        anonymous,
        body,
        status,
        violations,
    }
}

fn cases() -> Vec<Case> {
    let dir = common::root().join("tests/cases/bad-requests");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("cases directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| {
            let name = path
                .file_stem()
                .expect("stem")
                .to_string_lossy()
                .into_owned();
            parse(&name, &fs::read_to_string(path).expect("readable case"))
        })
        .collect()
}

/// Checks a JSON error body: the vendor's envelope and the violations.
fn check_json(case: &Case, body: &str) {
    let value: Value = serde_json::from_str(body)
        .unwrap_or_else(|e| panic!("{}: not JSON ({e}): {body}", case.name));
    let (violations, key_in, key_pointer) = if case.target.starts_with("/superoffice") {
        assert_eq!(value["Error"], true, "{}: {body}", case.name);
        assert!(value["ErrorType"].is_string(), "{}: {body}", case.name);
        assert!(value["ErrorMessage"].is_string(), "{}: {body}", case.name);
        (value["Violations"].clone(), "In", "Pointer")
    } else {
        assert_eq!(value["status"], 1, "{}: {body}", case.name);
        assert_eq!(value["statusCode"], case.status, "{}: {body}", case.name);
        assert!(
            value["error"]["message"].is_string(),
            "{}: {body}",
            case.name
        );
        (value["error"]["violations"].clone(), "in", "pointer")
    };
    let listed = violations.as_array().cloned().unwrap_or_default();
    for (location, pointer) in &case.violations {
        assert!(
            listed
                .iter()
                .any(|v| v[key_in] == location.as_str() && v[key_pointer] == pointer.as_str()),
            "{}: violation {location} {pointer:?} not reported in {body}",
            case.name
        );
    }
}

/// Checks an XML error body: the vendor's document element and violations.
fn check_xml(case: &Case, body: &str) {
    if let Err(error) = docmock::contract::xml::parse_xml(body) {
        panic!("{}: the XML error is not XML ({error}): {body}", case.name);
    }
    if case.target.starts_with("/superoffice") {
        assert!(body.starts_with("<WebApiError"), "{}: {body}", case.name);
        assert!(
            body.contains("<Error>true</Error>"),
            "{}: {body}",
            case.name
        );
    } else {
        assert!(body.starts_with("<result>"), "{}: {body}", case.name);
        assert!(body.contains("<status>1</status>"), "{}: {body}", case.name);
        assert!(
            body.contains(&format!("<statusCode>{}</statusCode>", case.status)),
            "{}: {body}",
            case.name
        );
    }
    for (location, pointer) in &case.violations {
        let (tag_in, tag_pointer) = if case.target.starts_with("/superoffice") {
            ("In", "Pointer")
        } else {
            ("in", "pointer")
        };
        let pointer_element = if pointer.is_empty() {
            format!("<{tag_pointer}></{tag_pointer}>")
        } else {
            format!("<{tag_pointer}>{pointer}</{tag_pointer}>")
        };
        let reported = format!("<{tag_in}>{location}</{tag_in}>");
        let found = body.split(&reported).skip(1).any(|after| {
            after.trim_start().starts_with(&pointer_element)
                || (pointer.is_empty()
                    && after
                        .trim_start()
                        .starts_with(&format!("<{tag_pointer} />")))
        });
        assert!(
            found,
            "{}: violation {location} {pointer:?} not reported in {body}",
            case.name
        );
    }
}

#[tokio::test]
async fn every_bad_request_gets_its_status_error_shape_and_violations_in_both_forms() {
    let cases = cases();
    assert!(cases.len() >= 40, "the table holds {} cases", cases.len());
    // The documentation's formats, whose Accept chooses XML (and refuses
    // what it cannot serve) for every dialect: the table is about error
    // shapes, and tests/clients.rs about the server's choice of format.
    let server = Server::start(&["--formats", "documented"]);
    let (authenticated, anonymous) = (client(), anonymous_client());
    for case in &cases {
        let sets_accept = case
            .headers
            .iter()
            .any(|(h, _)| h.eq_ignore_ascii_case("accept"));
        let forms: &[(&str, Option<&str>)] = if sets_accept {
            &[("as sent", None)]
        } else {
            &[
                ("json", Some("application/json")),
                ("xml", Some("application/xml")),
            ]
        };
        for (form, accept) in forms {
            let http = if case.anonymous {
                &anonymous
            } else {
                &authenticated
            };
            let method = reqwest::Method::from_bytes(case.method.as_bytes()).expect("method");
            let mut request = http.request(method, server.url(&case.target));
            for (name, value) in &case.headers {
                request = request.header(name.as_str(), value.as_str());
            }
            if let Some(accept) = accept {
                request = request.header("Accept", *accept);
            }
            if !case.body.is_empty() {
                request = request.body(case.body.clone());
            }
            let reply = request.send().await.expect("request sent");
            let status = reply.status().as_u16();
            let content_type = reply.headers()["content-type"]
                .to_str()
                .expect("ascii")
                .to_string();
            let body = reply.text().await.expect("body");
            assert_eq!(status, case.status, "{} ({form}): {body}", case.name);
            if content_type.contains("json") {
                check_json(case, &body);
            } else {
                check_xml(case, &body);
            }
            if *form == "xml" {
                assert!(
                    content_type.contains("xml"),
                    "{}: {content_type}",
                    case.name
                );
            }
        }
    }
}
