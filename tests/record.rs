//! The recorder: pages imported here whose responses show no example, and
//! a path no page documents, are fed the exchanges a proxy would hand it
//! (with credentials in headers, query, body and a login answer); the
//! directory it writes passes `docmock check`, serves the recorded answers
//! marked as recorded, and holds none of the credentials sent. Documented
//! fixtures stay as they are unless overwriting, and bad answers are
//! skipped with a reason.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use common::{Server, client, root, run_in};
use docmock::contract::catalog::{Catalog, Source};
use docmock::proxy::exchange::{Exchange, ExchangeSink};
use docmock::record::{Options, Recorder, Summary};
use http::{HeaderMap, HeaderValue, Method};

const PORTAL: &str = "https://portal.example.com";

/// Every credential the exchanges below carry: none may reach a file.
const SECRETS: [&str; 9] = [
    "s3cret-auth-header",
    "s3cret-cookie",
    "s3cret-query",
    "s3cret-password",
    "s3cret-login-token",
    "czNjcmV0LWJhc2lj",
    "s3cret-xsrf",
    "s3cret-apptoken",
    "s3cret-xml-token",
];

/// Imports the test pages whose responses show no example, and two that
/// document theirs, into a new spec directory.
fn imported() -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("tempdir");
    let pages: Vec<String> = [
        "18_put-task-reopen-returns-a-type-no-example.txt",
        "82_so-delete-badge-no-sample-response.txt",
        "71_get-entity-tag-returns-a-type-no-example.txt",
        "72_delete-bot-link-returns-no-data.txt",
        "14_so-get-person.txt",
        "01_get-opportunities-by-contact.txt",
    ]
    .iter()
    .map(|page| root().join("tests/pages").join(page).display().to_string())
    .collect();
    let mut args = vec!["import"];
    args.extend(pages.iter().map(String::as_str));
    let out_arg = out.path().display().to_string();
    args.extend(["--out", &out_arg]);
    let output = run_in(&root(), &args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            http::header::HeaderName::from_bytes(name.as_bytes()).expect("name"),
            HeaderValue::from_str(value).expect("value"),
        );
    }
    map
}

/// An exchange as the proxy hands it over.
fn exchange(
    method: Method,
    path_and_query: &str,
    request: &[(&str, &str)],
    status: u16,
    content_type: Option<&str>,
    body: Option<&str>,
    endpoint: Option<&str>,
) -> Exchange {
    Exchange {
        at: SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_000_000),
        target: PORTAL.into(),
        method,
        path_and_query: path_and_query.into(),
        request_headers: headers(request),
        request_body: Bytes::new(),
        status,
        response_headers: match content_type {
            Some(t) => headers(&[("content-type", t)]),
            None => HeaderMap::new(),
        },
        response_body: body.map(|b| Bytes::from(b.to_string())),
        endpoint: endpoint.map(str::to_string),
    }
}

const ONLYOFFICE_CREDENTIALS: [(&str, &str); 3] = [
    ("authorization", "s3cret-auth-header"),
    ("cookie", "theme=dark; asc_auth_key=s3cret-cookie"),
    ("accept", "application/json"),
];

const TASK_JSON: &str = r#"{"count":1,"startIndex":0,"status":0,"response":{"id":5530,"title":"Call back","isClosed":false,"deadLine":"2026-12-08T10:00:00.0000000+01:00"}}"#;
const TAG_XML: &str = "<result>\n  <count>2</count>\n  <status>0</status>\n  <response>Gold</response>\n  <response>Silver</response>\n</result>";
const LOGIN_JSON: &str = r#"{"count":1,"startIndex":0,"status":0,"statusCode":201,"response":{"token":"s3cret-login-token","expires":"2026-12-08T04:00:00.0000000+01:00"}}"#;

/// The exchanges of one test run: example-less documented endpoints, an
/// undocumented path, and bad answers.
fn feed(recorder: &Recorder) {
    // A documented endpoint with no example: its JSON answer.
    recorder.exchanged(&exchange(
        Method::PUT,
        "/api/2.0/crm/task/5530/reopen?asc_auth_key=s3cret-query",
        &ONLYOFFICE_CREDENTIALS,
        200,
        Some("application/json; charset=utf-8"),
        Some(TASK_JSON),
        Some("onlyoffice/put-crm-task-taskid-reopen"),
    ));
    // The same again: one example per endpoint and status.
    recorder.exchanged(&exchange(
        Method::PUT,
        "/api/2.0/crm/task/5530/reopen",
        &ONLYOFFICE_CREDENTIALS,
        200,
        Some("application/json"),
        Some(&TASK_JSON.replace("Call back", "Second answer")),
        Some("onlyoffice/put-crm-task-taskid-reopen"),
    ));
    // An XML-only answer.
    recorder.exchanged(&exchange(
        Method::GET,
        "/api/2.0/crm/contact/tag/1234.xml",
        &ONLYOFFICE_CREDENTIALS,
        200,
        Some("text/xml; charset=utf-8"),
        Some(TAG_XML),
        Some("onlyoffice/get-crm-entitytype-tag-entityid"),
    ));
    // SuperOffice's 204 without body.
    recorder.exchanged(&exchange(
        Method::DELETE,
        "/api/v1/Badge/321",
        &[
            ("authorization", "Basic czNjcmV0LWJhc2lj"),
            ("x-xsrf-token", "s3cret-xsrf"),
            ("so-apptoken", "s3cret-apptoken"),
        ],
        204,
        None,
        None,
        Some("superoffice/delete-badge-id"),
    ));
    // A documented example: kept.
    recorder.exchanged(&exchange(
        Method::GET,
        "/api/v1/Person/118",
        &[("authorization", "Basic czNjcmV0LWJhc2lj")],
        200,
        Some("application/json"),
        Some(r#"{"PersonId": 118, "Firstname": "Recorded"}"#),
        Some("superoffice/get-person-id"),
    ));
    // An undocumented path under the ONLYOFFICE prefix: a login-like
    // answer to a request with a password in its body.
    let mut login = exchange(
        Method::POST,
        "/onlyoffice/api/2.0/crm/contact/77/session.json?token=s3cret-query&lang=en",
        &[
            ("authorization", "s3cret-auth-header"),
            ("content-type", "application/json"),
            ("accept", "application/json"),
        ],
        201,
        Some("application/json"),
        Some(LOGIN_JSON),
        None,
    );
    login.request_body = Bytes::from_static(br#"{"userName":"ann","password":"s3cret-password"}"#);
    recorder.exchanged(&login);
    // Its XML form, for both forms of one route.
    let mut login_xml = login.clone();
    login_xml.path_and_query = "/onlyoffice/api/2.0/crm/contact/78/session.xml".into();
    login_xml.response_headers = headers(&[("content-type", "application/xml")]);
    login_xml.response_body = Some(Bytes::from_static(
        b"<result>\n  <count>1</count>\n  <startIndex>0</startIndex>\n  <status>0</status>\n  <statusCode>201</statusCode>\n  <response>\n    <token>s3cret-xml-token</token>\n    <expires>2026-12-08T04:00:00.0000000+01:00</expires>\n  </response>\n</result>",
    ));
    recorder.exchanged(&login_xml);

    // Bad answers, each skipped with its reason.
    recorder.exchanged(&exchange(
        Method::PUT,
        "/api/2.0/crm/task/5530/reopen",
        &[],
        200,
        Some("text/html"),
        Some("<html>maintenance</html>"),
        Some("onlyoffice/put-crm-task-taskid-reopen"),
    ));
    recorder.exchanged(&exchange(
        Method::DELETE,
        "/api/2.0/settings/chatbot/link",
        &[],
        200,
        Some("application/json"),
        None,
        Some("onlyoffice/delete-settings-chatbot-link"),
    ));
    recorder.exchanged(&exchange(
        Method::DELETE,
        "/api/2.0/settings/chatbot/link.xml",
        &[],
        200,
        Some("application/xml"),
        Some("<foo><bar>1</bar></foo>"),
        Some("onlyoffice/delete-settings-chatbot-link"),
    ));
    recorder.exchanged(&exchange(
        Method::GET,
        "/onlyoffice/api/2.0/odd path/%zz/{x}",
        &[],
        200,
        Some("application/json"),
        Some("{}"),
        None,
    ));
    recorder.exchanged(&exchange(
        Method::GET,
        "/onlyoffice/api/2.0/broken",
        &[],
        200,
        Some("application/json"),
        Some("{\"unclosed\": "),
        None,
    ));
    let mut not_utf8 = exchange(
        Method::GET,
        "/onlyoffice/api/2.0/latin",
        &[],
        200,
        Some("application/json"),
        None,
        None,
    );
    not_utf8.response_body = Some(Bytes::from_static(b"\"\xff\xfe\""));
    recorder.exchanged(&not_utf8);
    recorder.exchanged(&exchange(
        Method::GET,
        "/elsewhere/api/v1/Thing/5",
        &[],
        200,
        Some("application/json"),
        Some("{}"),
        None,
    ));
}

/// Every file below `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect()
}

/// Records into `out`, in place, what `feed` hands the recorder.
fn record(out: &Path, overwrite: bool, feed: impl FnOnce(&Recorder)) -> Summary {
    record_with(
        out,
        Options {
            out: out.to_path_buf(),
            overwrite,
            examples_per_endpoint: 1,
            api: None,
        },
        feed,
    )
}

/// Records what `feed` hands a recorder of the specs served from `served`.
fn record_with(served: &Path, options: Options, feed: impl FnOnce(&Recorder)) -> Summary {
    let source = Source::new(served.join("specs"), None);
    let catalog = Catalog::load(&source).expect("the imported specs load");
    let recorder = Recorder::new(&catalog, &source, options);
    feed(&recorder);
    recorder.finish()
}

/// `docmock check DIR/specs` passes; what it said.
fn check_passes(dir: &Path) -> String {
    let specs = dir.join("specs").display().to_string();
    let check = run_in(&root(), &["check", &specs]);
    let said = String::from_utf8_lossy(&check.stdout).into_owned()
        + &String::from_utf8_lossy(&check.stderr);
    assert!(check.status.success(), "{said}");
    said
}

#[tokio::test]
async fn recorded_answers_fill_the_example_less_endpoints_check_serve_and_keep_no_credential() {
    let out = imported();
    let person = out
        .path()
        .join("fixtures/superoffice/get-person-id/response-200.json");
    let documented_person = fs::read(&person).expect("documented fixture");

    let summary = record(out.path(), false, feed);
    let text = summary.to_string();
    assert!(summary.problems.is_empty(), "{text}");
    let mut recorded = summary.recorded.clone();
    recorded.sort();
    assert_eq!(
        recorded,
        [
            "onlyoffice/get-crm-entitytype-tag-entityid 200 xml",
            "onlyoffice/post-crm-contact-contactid-session 201 json",
            "onlyoffice/post-crm-contact-contactid-session 201 xml",
            "onlyoffice/put-crm-task-taskid-reopen 200 json",
            "superoffice/delete-badge-id 204 (no body)",
        ],
        "{text}"
    );
    for reason in [
        "the documented example is kept (--overwrite replaces it)",
        "neither JSON nor XML (Content-Type: text/html)",
        "larger than the body limit",
        "does not come back the same when docmock reads it and renders it again",
        "holds ' ', which a recorded route does not take",
        "the JSON is malformed",
        "not UTF-8",
        "say which API it belongs to with --api",
    ] {
        assert!(
            summary.skipped.iter().any(|line| line.contains(reason)),
            "no skipped line says {reason:?}:\n{text}"
        );
    }
    assert!(!text.contains("Second answer"));
    assert_eq!(fs::read(&person).expect("fixture"), documented_person);

    // No credential anywhere under the output.
    for file in files(out.path()) {
        let content = fs::read(&file).expect("read");
        let content = String::from_utf8_lossy(&content);
        for secret in SECRETS {
            assert!(
                !content.contains(secret),
                "{} holds {secret}:\n{content}",
                file.display()
            );
        }
    }
    let spec = fs::read_to_string(
        out.path()
            .join("specs/onlyoffice/post-crm-contact-contactid-session.json"),
    )
    .expect("the new route's spec");
    assert!(
        spec.contains("\"/api/2.0/crm/contact/{contactid}/session\""),
        "{spec}"
    );
    assert!(spec.contains("docmock-recorded-credential"), "{spec}");
    assert!(spec.contains("\"from\": \"recorded\""), "{spec}");

    // `check` passes, noting the recorded examples.
    let said = check_passes(out.path());
    let specs = out.path().join("specs").display().to_string();
    assert!(
        said.contains(&format!("the answer recorded from {PORTAL}")),
        "{said}"
    );

    // `serve` answers with the recordings, marked as recorded.
    let server = Server::start(&["--specs", &specs]);
    let http = client();
    let reply = http
        .put(server.url("/onlyoffice/api/2.0/crm/task/5530/reopen"))
        .header("Content-Type", "application/json")
        .send()
        .await
        .expect("reply");
    assert_eq!(reply.status(), 200);
    let mark = reply
        .headers()
        .get("docmock-example")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        mark.starts_with(&format!("none; from=recorded; target=\"{PORTAL}\"")),
        "{mark}"
    );
    let body = reply.text().await.expect("body");
    assert_eq!(body.trim_end(), TASK_JSON);

    let reply = http
        .post(server.url("/onlyoffice/api/2.0/crm/contact/5/session"))
        .header("Content-Type", "application/json")
        .body(r#"{"userName":"ann","password":"x"}"#)
        .send()
        .await
        .expect("reply");
    assert_eq!(reply.status(), 201);
    let body: serde_json::Value = reply.json().await.expect("JSON");
    assert_eq!(body["response"]["token"], "docmock-recorded-credential");

    let reply = http
        .get(server.url("/onlyoffice/api/2.0/crm/contact/tag/1234.xml"))
        .send()
        .await
        .expect("reply");
    assert_eq!(reply.status(), 200);
    assert!(
        reply
            .text()
            .await
            .expect("body")
            .contains("<response>Silver</response>")
    );

    let reply = http
        .delete(server.url("/superoffice/api/v1/Badge/9"))
        .send()
        .await
        .expect("reply");
    assert_eq!(reply.status(), 204);
    let routes = run_in(&root(), &["routes", "--specs", &specs, "--verbose"]);
    assert!(
        String::from_utf8_lossy(&routes.stdout).contains("[no example: recorded]"),
        "{}",
        String::from_utf8_lossy(&routes.stdout)
    );
}

#[test]
fn overwriting_replaces_a_documented_example_and_a_recording_and_without_it_neither_changes() {
    let out = imported();
    let person = out
        .path()
        .join("fixtures/superoffice/get-person-id/response-200.json");
    let documented = fs::read_to_string(&person).expect("documented fixture");
    let answer = |first: &str| {
        exchange(
            Method::GET,
            "/api/v1/Person/118",
            &[("authorization", "Basic czNjcmV0LWJhc2lj")],
            200,
            Some("application/json"),
            Some(&format!(r#"{{"PersonId": 118, "Firstname": "{first}"}}"#)),
            Some("superoffice/get-person-id"),
        )
    };

    let summary = record(out.path(), false, |r| r.exchanged(&answer("Kept")));
    assert!(summary.recorded.is_empty(), "{summary}");
    assert_eq!(fs::read_to_string(&person).expect("fixture"), documented);

    let summary = record(out.path(), true, |r| r.exchanged(&answer("Replaced")));
    assert_eq!(
        summary.recorded,
        ["superoffice/get-person-id 200 json"],
        "{summary}"
    );
    assert!(summary.problems.is_empty(), "{summary}");
    let now = fs::read_to_string(&person).expect("fixture");
    assert!(now.contains("Replaced"), "{now}");
    let spec =
        fs::read_to_string(out.path().join("specs/superoffice/get-person-id.json")).expect("spec");
    assert!(spec.contains("\"from\": \"recorded\""), "{spec}");

    // A recording is kept too, unless overwriting.
    let summary = record(out.path(), false, |r| r.exchanged(&answer("Third")));
    assert!(summary.recorded.is_empty(), "{summary}");
    assert!(
        fs::read_to_string(&person)
            .expect("fixture")
            .contains("Replaced")
    );
    let summary = record(out.path(), true, |r| r.exchanged(&answer("Fourth")));
    assert_eq!(summary.recorded.len(), 1, "{summary}");
    assert!(
        fs::read_to_string(&person)
            .expect("fixture")
            .contains("Fourth")
    );
}

#[tokio::test]
async fn recording_into_another_directory_writes_only_the_recorded_endpoints_whole() {
    let served = imported();
    let out = tempfile::tempdir().expect("tempdir");
    let summary = record_with(
        served.path(),
        Options {
            out: out.path().to_path_buf(),
            overwrite: false,
            examples_per_endpoint: 1,
            api: Some("onlyoffice".into()),
        },
        |recorder| {
            recorder.exchanged(&exchange(
                Method::PUT,
                "/api/2.0/crm/task/5530/reopen",
                &ONLYOFFICE_CREDENTIALS,
                200,
                Some("application/json"),
                Some(TASK_JSON),
                Some("onlyoffice/put-crm-task-taskid-reopen"),
            ));
            // No prefix: the API asked for.
            recorder.exchanged(&exchange(
                Method::GET,
                "/api/2.0/crm/deal/{guid}"
                    .replace("{guid}", "0f8fad5b-d9cb-469f-a165-70867728950e")
                    .as_str(),
                &ONLYOFFICE_CREDENTIALS,
                200,
                Some("application/json"),
                Some(r#"{"status":0,"response":{"id":"0f8fad5b-d9cb-469f-a165-70867728950e"}}"#),
                None,
            ));
        },
    );
    assert!(summary.problems.is_empty(), "{summary}");
    assert_eq!(summary.recorded.len(), 2, "{summary}");
    let mut written: Vec<String> = files(out.path())
        .iter()
        .filter_map(|f| f.strip_prefix(out.path()).ok())
        .map(|f| f.display().to_string())
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            "fixtures/onlyoffice/get-crm-deal-dealid/response-200.json",
            "fixtures/onlyoffice/put-crm-task-taskid-reopen/response-200.json",
            "specs/onlyoffice/api.json",
            "specs/onlyoffice/get-crm-deal-dealid.json",
            "specs/onlyoffice/put-crm-task-taskid-reopen.json",
        ]
    );
    // The served directory is left as it was.
    assert!(
        fs::read_to_string(
            served
                .path()
                .join("specs/onlyoffice/put-crm-task-taskid-reopen.json")
        )
        .expect("spec")
        .contains("\"from\": \"unknown\"")
    );
    check_passes(out.path());
    let specs = out.path().join("specs").display().to_string();
    let server = Server::start(&["--specs", &specs]);
    let reply = client()
        .get(server.url("/onlyoffice/api/2.0/crm/deal/1b4e28ba-2fa1-11d2-883f-0016d3cca427"))
        .send()
        .await
        .expect("reply");
    assert_eq!(reply.status(), 200);
    assert!(reply.text().await.expect("body").contains("0f8fad5b"));
}

#[tokio::test]
async fn more_examples_per_endpoint_are_further_responses_chosen_by_name() {
    let out = imported();
    let answer = |title: &str| {
        exchange(
            Method::PUT,
            "/api/2.0/crm/task/5530/reopen",
            &ONLYOFFICE_CREDENTIALS,
            200,
            Some("application/json"),
            Some(&TASK_JSON.replace("Call back", title)),
            Some("onlyoffice/put-crm-task-taskid-reopen"),
        )
    };
    let summary = record_with(
        out.path(),
        Options {
            out: out.path().to_path_buf(),
            overwrite: false,
            examples_per_endpoint: 2,
            api: None,
        },
        |recorder| {
            for title in ["First", "Second", "Third"] {
                recorder.exchanged(&answer(title));
            }
        },
    );
    assert!(summary.problems.is_empty(), "{summary}");
    assert_eq!(
        summary.recorded,
        [
            "onlyoffice/put-crm-task-taskid-reopen 200 json",
            "onlyoffice/put-crm-task-taskid-reopen 200 json",
        ],
        "{summary}"
    );
    check_passes(out.path());
    let specs = out.path().join("specs").display().to_string();
    let server = Server::start(&["--specs", &specs]);
    let url = server.url("/onlyoffice/api/2.0/crm/task/5530/reopen");
    let first = client().put(&url).send().await.expect("reply");
    assert!(first.text().await.expect("body").contains("First"));
    let second = client()
        .put(&url)
        .header("Prefer", "example=200-recorded-2")
        .send()
        .await
        .expect("reply");
    assert_eq!(second.status(), 200);
    assert!(second.text().await.expect("body").contains("Second"));
}

#[test]
fn endless_odd_paths_keep_a_bounded_list_of_reasons() {
    let out = imported();
    let summary = record(out.path(), false, |recorder| {
        for n in 0..3_000 {
            recorder.exchanged(&exchange(
                Method::GET,
                &format!("/onlyoffice/api/2.0/odd{n}%20path"),
                &[],
                200,
                Some("application/json"),
                Some("{}"),
                None,
            ));
        }
    });
    assert!(summary.recorded.is_empty(), "{summary}");
    assert_eq!(summary.skipped.len(), 1_000);
    assert_eq!(summary.skipped_not_kept, 2_000);
    assert!(
        summary
            .to_string()
            .ends_with("0 recorded, 3000 skipped, 0 problems")
    );
}

#[tokio::test]
async fn ids_of_letters_and_digits_become_a_parameter_once_they_vary() {
    let out = imported();
    let answer = |mailbox: &str| {
        exchange(
            Method::GET,
            &format!("/superoffice/api/v1/Mailbox/{mailbox}/Unread?$top=5"),
            &[("authorization", "SoTicket s3cret-auth-header")],
            200,
            Some("application/json"),
            Some(&format!(r#"{{"Mailbox": "{mailbox}", "Unread": 3}}"#)),
            None,
        )
    };
    let summary = record(out.path(), false, |recorder| {
        for mailbox in ["ab12cd", "ef34gh", "zz99"] {
            recorder.exchanged(&answer(mailbox));
        }
    });
    assert!(summary.problems.is_empty(), "{summary}");
    assert_eq!(
        summary.recorded,
        [
            "superoffice/get-mailbox-ab12cd-unread 200 json",
            "superoffice/get-mailbox-ab12cd-unread path now /api/v1/Mailbox/{mailboxid}/Unread",
        ],
        "{summary}"
    );
    let spec = fs::read_to_string(
        out.path()
            .join("specs/superoffice/get-mailbox-ab12cd-unread.json"),
    )
    .expect("spec");
    assert!(
        spec.contains("\"path\": \"/api/v1/Mailbox/{mailboxid}/Unread\""),
        "{spec}"
    );
    assert!(
        spec.contains("\"SoTicket docmock-recorded-credential\""),
        "{spec}"
    );
    check_passes(out.path());
    let specs = out.path().join("specs").display().to_string();
    let server = Server::start(&["--specs", &specs]);
    let reply = client()
        .get(server.url("/superoffice/api/v1/Mailbox/other7/Unread"))
        .send()
        .await
        .expect("reply");
    assert_eq!(reply.status(), 200);
    assert!(reply.text().await.expect("body").contains("ab12cd"));
}

#[test]
fn workers_handing_over_the_same_answer_at_once_record_it_once() {
    let out = imported();
    let summary = record(out.path(), false, |recorder| {
        std::thread::scope(|scope| {
            for worker in 0..4 {
                scope.spawn(move || {
                    for n in 0..250 {
                        recorder.exchanged(&exchange(
                            Method::PUT,
                            &format!("/api/2.0/crm/task/{n}/reopen"),
                            &ONLYOFFICE_CREDENTIALS,
                            200,
                            Some("application/json"),
                            Some(&TASK_JSON.replace("Call back", &format!("worker {worker}"))),
                            Some("onlyoffice/put-crm-task-taskid-reopen"),
                        ));
                    }
                });
            }
        });
    });
    assert_eq!(
        summary.recorded,
        ["onlyoffice/put-crm-task-taskid-reopen 200 json"],
        "{summary}"
    );
    assert!(summary.skipped.is_empty(), "{summary}");
    check_passes(out.path());
}
