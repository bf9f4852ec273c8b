//! ONLYOFFICE's own API client (the Ruby `onlyoffice_api` gem), unchanged,
//! against docmock: it logs in with `Teamlab.configure` and calls each gem
//! method whose endpoint is served (the bundled specs plus the pages in
//! `tests/clients/pages/`), then its error path.
//!
//! The gem is not part of this repository (AGPL-3.0): it is looked for in
//! `../shared/clients/onlyoffice_api_gem` beside the checkout, and the test
//! is skipped, saying so, only where that is absent. Debian's `ruby` and
//! `ruby-httparty` are installed by `tests/clients/install-ruby.sh` when
//! missing.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{Server, anonymous_client, root, run_in, scratch_copy};
use serde_json::Value;

/// What a call needs of docmock beyond the login, besides its endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    /// JSON where the path names no format and the request no JSON
    /// `Content-Type`, as the vendor's server answers: the gem sends no
    /// suffix and parses JSON.
    JsonByDefault,
    /// Parameter names bound ignoring case (`contactId` for the
    /// documented `contactid`).
    CaseInsensitiveNames,
}

/// Every call the harness makes, and what it needs to work. Each one whose
/// needs this build meets must work; the others are reported.
const EXPECTED: &[(&str, &[Needs])] = &[
    ("Teamlab.configure", &[Needs::JsonByDefault]),
    ("crm.update_contact_status_by_id", &[Needs::JsonByDefault]),
    (
        "crm.add_case_contact",
        &[Needs::JsonByDefault, Needs::CaseInsensitiveNames],
    ),
    ("crm.add_opportunity_contact", &[Needs::JsonByDefault]),
    ("crm.get_contact_by_id", &[Needs::JsonByDefault]),
    ("crm.get_contact_statuses", &[Needs::JsonByDefault]),
    ("crm.delete_contact", &[Needs::JsonByDefault]),
    ("people.get_self", &[Needs::JsonByDefault]),
    (
        "400: crm.get_contact_by_id(\"abc\")",
        &[Needs::JsonByDefault],
    ),
    (
        "401: crm.get_contact_by_id without a token",
        &[Needs::JsonByDefault],
    ),
];

fn gem_dir() -> PathBuf {
    root().join("../shared/clients/onlyoffice_api_gem")
}

/// Which of the [`Needs`] the running mock meets, asked of it as the gem
/// would ask.
async fn needs_met(server: &str) -> Vec<Needs> {
    let client = anonymous_client();
    let mut met = Vec::new();
    let login = client
        .post(format!("{server}/api/2.0/authentication"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("userName=a&password=b")
        .send()
        .await
        .expect("login sent");
    let content_type = login
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("application/json") {
        met.push(Needs::JsonByDefault);
    }
    let case = client
        .post(format!("{server}/api/2.0/crm/case/1234/contact.json"))
        .header("Authorization", "docmock")
        .header("Content-Type", "application/json")
        .body(r#"{"contactId":1234}"#)
        .send()
        .await
        .expect("case contact sent");
    if case.status().is_success() {
        met.push(Needs::CaseInsensitiveNames);
    }
    met
}

#[tokio::test]
async fn onlyoffice_s_own_ruby_client_works_unchanged() {
    let gem = gem_dir();
    if !gem.join("lib/onlyoffice_api.rb").is_file() {
        eprintln!(
            "SKIPPED: ONLYOFFICE's API gem is not at {} (it is not part of this repository)",
            gem.display()
        );
        return;
    }
    let install = Command::new("bash")
        .arg(root().join("tests/clients/install-ruby.sh"))
        .output()
        .expect("install script runs");
    assert!(
        install.status.success(),
        "cannot install Debian's ruby and ruby-httparty: {}",
        String::from_utf8_lossy(&install.stderr)
    );

    // The bundled specs plus the pages written for the gem's calls.
    let tree = scratch_copy();
    let import = run_in(
        tree.path(),
        &[
            "import",
            root().join("tests/clients/pages").to_str().expect("utf-8"),
            "--out",
            tree.path().to_str().expect("utf-8"),
        ],
    );
    assert!(import.status.success(), "{import:?}");
    let specs = tree.path().join("specs");
    let server = Server::start(&["--specs", specs.to_str().expect("utf-8")]);
    let portal = server.url("/onlyoffice");
    let met = needs_met(&portal).await;

    let run = Command::new("ruby")
        .arg(root().join("tests/clients/onlyoffice_gem.rb"))
        .arg(&gem)
        .arg(&portal)
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .output()
        .expect("ruby runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "the harness failed: {stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let reports: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();

    let mut failures = Vec::new();
    for (call, needs) in EXPECTED {
        let report = reports.iter().find(|r| r["call"] == *call);
        let missing: Vec<&Needs> = needs.iter().filter(|n| !met.contains(n)).collect();
        let (ok, detail) = match report {
            Some(r) => (r["ok"] == true, r["detail"].as_str().unwrap_or_default()),
            None => (false, "not reached"),
        };
        let verdict = match (ok, missing.is_empty()) {
            (true, _) => "works",
            (false, true) => "FAILS",
            (false, false) => "waits",
        };
        eprintln!("{verdict:5} {call}: {detail}");
        if !missing.is_empty() {
            eprintln!("      (needs {missing:?}, which this build lacks)");
        } else if !ok {
            failures.push(format!("{call}: {detail}"));
        }
    }
    assert!(
        failures.is_empty(),
        "gem calls that should work failed:\n{}",
        failures.join("\n")
    );
    // The harness itself ran through: every call it makes was reported,
    // unless the login it starts with could not work in this build.
    if met.contains(&Needs::JsonByDefault) {
        assert_eq!(reports.len(), EXPECTED.len(), "{stdout}");
    } else {
        assert_eq!(reports[0]["call"], "Teamlab.configure", "{stdout}");
    }
}
