//! `docmock import`: the seed pages reproduce the committed spec directory
//! byte for byte, pages of every layout variant import and serve their
//! documented examples, broken pages fail alone and leave nothing behind.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::run_in;

fn pages_in(dir: &Path) -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = fs::read_dir(dir)
        .expect("pages directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    pages.sort();
    pages
}

fn import(out: &Path, pages: &[PathBuf], extra: &[&str]) -> std::process::Output {
    let mut args: Vec<String> = vec!["import".into()];
    args.extend(pages.iter().map(|p| p.display().to_string()));
    args.push("--out".into());
    args.push(out.display().to_string());
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run_in(&common::root(), &refs)
}

/// Every file below `dir`, relative to it, with its bytes.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("entry"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let relative = e.path().strip_prefix(dir).expect("below").to_path_buf();
            (relative, fs::read(e.path()).expect("readable"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn reimporting_the_seed_pages_reproduces_the_committed_specs_and_fixtures() {
    let out = tempfile::tempdir().expect("tempdir");
    let seeds = pages_in(&common::root().join("tests/seeds"));
    assert_eq!(seeds.len(), 5);
    let output = import(out.path(), &seeds, &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("5 imported, 0 unchanged, 0 failed"));
    for part in ["specs", "fixtures"] {
        let imported = tree(&out.path().join(part));
        let committed = tree(&common::root().join(part));
        let names = |t: &[(PathBuf, Vec<u8>)]| t.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(&imported),
            names(&committed),
            "{part}: the same files"
        );
        for ((path, new), (_, old)) in imported.iter().zip(&committed) {
            assert!(
                new == old,
                "{part}/{} differs from the committed file",
                path.display()
            );
        }
    }
    // A second run changes nothing.
    let again = import(out.path(), &seeds, &[]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 imported, 5 unchanged, 0 failed"));
}

#[test]
fn a_dry_run_writes_nothing() {
    let out = tempfile::tempdir().expect("tempdir");
    let seeds = pages_in(&common::root().join("tests/seeds"));
    let output = import(out.path(), &seeds, &["--dry-run"]);
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("would write onlyoffice/put-crm-contact-contactid-status"),
        "{stdout}"
    );
    assert!(tree(out.path()).is_empty());
}

/// The hand-written pages in `tests/pages/`: every layout variant the
/// importer must handle. Pages named `*broken*` must fail.
fn written_pages() -> (Vec<PathBuf>, Vec<PathBuf>) {
    pages_in(&common::root().join("tests/pages"))
        .into_iter()
        .partition(|p| !p.to_string_lossy().contains("broken"))
}

#[test]
fn broken_pages_fail_alone_naming_the_page_and_the_missing_part() {
    let (good, broken) = written_pages();
    assert!(broken.len() >= 2, "broken pages to try");
    let out = tempfile::tempdir().expect("tempdir");
    let mut batch = broken.clone();
    batch.push(good[0].clone());
    let output = import(out.path(), &batch, &[]);
    assert!(
        !output.status.success(),
        "a failed page makes the import fail"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    for page in &broken {
        let name = page
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        assert!(
            stderr.contains(&format!("failed   {name}")),
            "{name} not reported: {stderr}"
        );
    }
    assert!(stderr.contains("example response"), "{stderr}");
    assert!(stderr.contains("method line"), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!("1 imported, 0 unchanged, {} failed", broken.len())),
        "{stdout}"
    );
    // Only the good page's files exist.
    let written = tree(out.path());
    let sources: Vec<String> = written
        .iter()
        .filter(|(p, _)| p.starts_with("specs") && !p.ends_with("api.json"))
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .collect();
    assert_eq!(
        sources.len(),
        1,
        "{:?}",
        written.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn every_written_page_imports_checks_and_serves_its_documented_examples() {
    let (good, _) = written_pages();
    assert!(good.len() >= 15, "{} pages", good.len());
    let out = tempfile::tempdir().expect("tempdir");
    let output = import(out.path(), &good, &[]);
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let specs = out.path().join("specs");
    let check = run_in(&common::root(), &["check", specs.to_str().expect("utf-8")]);
    assert!(
        check.status.success(),
        "check: {}",
        String::from_utf8_lossy(&check.stderr)
    );

    let catalog =
        docmock::Catalog::load(&docmock::Source::new(&specs, None)).expect("imported specs load");
    let server = common::Server::start(&["--specs", specs.to_str().expect("utf-8")]);
    let http = common::client();
    let mut compared = (0, 0);
    for endpoint in &catalog.endpoints {
        let prefix = catalog.api_of(endpoint).prefix.clone();
        let documented = &endpoint.responses[0];
        let json_fixture = documented_fixture(out.path(), endpoint, "json");
        let xml_fixture = documented.xml_fixture.clone();
        for (accept, fixture) in [
            ("application/json", json_fixture),
            ("application/xml", xml_fixture),
        ] {
            let reply =
                common::example_request(&http, &server.base, &prefix, endpoint, Some(accept))
                    .send()
                    .await
                    .expect("sent");
            let status = reply.status().as_u16();
            let body = reply.text().await.expect("body");
            assert_eq!(
                status, documented.status,
                "{} ({accept}): {body}",
                endpoint.id
            );
            let Some(fixture) = fixture else {
                continue;
            };
            if accept == "application/json" {
                assert_eq!(body, fixture, "{}: JSON differs from the page", endpoint.id);
                compared.0 += 1;
            } else {
                assert!(
                    docmock::catalog::same_xml_text(&fixture, body.as_bytes()),
                    "{}: XML differs from the page\n--- page\n{fixture}\n--- served\n{body}",
                    endpoint.id
                );
                compared.1 += 1;
            }
        }
    }
    assert!(compared.0 >= 12 && compared.1 >= 8, "compared {compared:?}");
}

/// The documented JSON example of `endpoint`'s default response, if any.
fn documented_fixture(
    out: &Path,
    endpoint: &docmock::catalog::Endpoint,
    ext: &str,
) -> Option<String> {
    let status = endpoint.responses[0].status;
    fs::read_to_string(
        out.join("fixtures")
            .join(format!("{}/response-{status}.{ext}", endpoint.id)),
    )
    .ok()
}

#[test]
fn two_pages_of_the_same_method_and_path_are_one_endpoint() {
    let out = tempfile::tempdir().expect("tempdir");
    let pages = tempfile::tempdir().expect("tempdir");
    let seed = common::root().join("tests/seeds/000_1ada86701635013a.txt");
    let text = fs::read_to_string(&seed).expect("seed");
    // The same endpoint again, this time without its XML example.
    let json_only = text
        .split("text/xml")
        .next()
        .expect("json part")
        .to_string();
    let first = pages.path().join("status-json-only.txt");
    let second = pages.path().join("status-again.txt");
    fs::write(&first, json_only).expect("write");
    fs::write(&second, &text).expect("write");
    let output = import(out.path(), &[first, second], &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("merged   onlyoffice/put-crm-contact-contactid-status into the endpoint of status-json-only.txt"),
        "{stdout}"
    );
    let spec = fs::read_to_string(
        out.path()
            .join("specs/onlyoffice/put-crm-contact-contactid-status.json"),
    )
    .expect("spec");
    assert!(
        spec.contains("response-200.xml"),
        "the second page's XML example is kept: {spec}"
    );
    assert_eq!(
        fs::read_dir(out.path().join("specs/onlyoffice"))
            .expect("dir")
            .count(),
        2,
        "api.json and one endpoint"
    );
}
