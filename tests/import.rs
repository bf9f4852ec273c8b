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
    assert!(
        String::from_utf8_lossy(&output.stdout).contains(
            "5 pages: 5 imported, 0 merged, 0 unchanged, 0 refused; 0 other files skipped"
        )
    );
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
    assert!(
        String::from_utf8_lossy(&again.stdout)
            .contains("5 pages: 0 imported, 0 merged, 5 unchanged, 0 refused")
    );
}

/// The pages written for the batch behaviour: `tests/pages/batch/<dir>/`.
fn batch_pages(dir: &str) -> PathBuf {
    common::root().join("tests/pages/batch").join(dir)
}

#[test]
fn a_directory_is_walked_whole_and_every_file_found_is_accounted_for() {
    let pages = tempfile::tempdir().expect("tempdir");
    let root = pages.path();
    let deep = root.join("crm/deep");
    fs::create_dir_all(&deep).expect("nested directories");
    let seeds = pages_in(&common::root().join("tests/seeds"));
    for (i, seed) in seeds.iter().enumerate() {
        // Beside, below and two levels below: the walk takes them all.
        let dir = [root.to_path_buf(), root.join("crm"), deep.clone()][i % 3].clone();
        fs::copy(seed, dir.join(seed.file_name().expect("name"))).expect("copy");
    }
    // A page saved by a browser, with the directory of its resources.
    let saved = "onlyoffice-put-opportunity-stage";
    fs::create_dir_all(root.join(format!("saved/{saved}_files"))).expect("saved files");
    fs::copy(
        batch_pages("saved").join(format!("{saved}.html")),
        root.join(format!("saved/{saved}.html")),
    )
    .expect("copy");
    fs::write(root.join(format!("saved/{saved}_files/main.css")), "p {}").expect("write");
    // Files that are no pages, and a page that is no method page.
    fs::write(root.join("notes.py"), "print('not a page')").expect("write");
    fs::write(root.join("contact.mhtml"), "MIME-Version: 1.0").expect("write");
    fs::write(root.join("crm/.hidden.txt"), "not read").expect("write");
    fs::create_dir_all(root.join(".git")).expect("hidden directory");
    fs::write(root.join(".git/config"), "[core]").expect("write");
    fs::write(
        root.join("README.md"),
        "# Saved pages\n\nFrom the vendor's site.\n",
    )
    .expect("write");

    let out = tempfile::tempdir().expect("tempdir");
    let output = import(out.path(), &[root.to_path_buf()], &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "a refused page fails the import");
    assert!(
        stdout.contains(
            "7 pages: 6 imported, 0 merged, 0 unchanged, 1 refused; 5 other files skipped"
        ),
        "{stdout}"
    );
    // Each page on a line of its own, named by its path below the directory.
    for seed in &seeds {
        let name = seed
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let lines = stdout.lines().filter(|l| l.ends_with(&name)).count();
        assert_eq!(lines, 1, "{name}: {stdout}");
    }
    assert!(stdout.contains("from crm/deep/"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "imported  onlyoffice/put-crm-opportunity-opportunityid-stage-stageid from saved/{saved}.html"
        )),
        "{stdout}"
    );
    assert!(
        stderr.contains("refused   README.md: method line:"),
        "{stderr}"
    );
    for (file, reason) in [
        (
            "notes.py",
            "not a page: pages are .txt, .text, .md, .markdown, .html",
        ),
        ("contact.mhtml", "a web archive, not a page"),
        ("crm/.hidden.txt", "a hidden file"),
        (".git/", "a hidden directory"),
        (
            "saved/onlyoffice-put-opportunity-stage_files/",
            "the images, styles and scripts a browser saved with onlyoffice-put-opportunity-stage.html",
        ),
    ] {
        assert!(
            stderr.contains(&format!("skipped   {file}: {reason}")),
            "{file}: {stderr}"
        );
    }
    assert_eq!(
        tree(&out.path().join("specs")).len(),
        tree(&common::root().join("specs")).len() + 1,
        "the seeds' specs and the saved page's"
    );
}

#[test]
fn a_directory_of_saved_html_pages_imports_them_all() {
    let out = tempfile::tempdir().expect("tempdir");
    let pages = tempfile::tempdir().expect("tempdir");
    for name in [
        "onlyoffice-put-opportunity-stage.html",
        "superoffice-get-project.html",
    ] {
        fs::copy(batch_pages("saved").join(name), pages.path().join(name)).expect("copy");
    }
    let output = import(out.path(), &[pages.path().to_path_buf()], &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("2 pages: 2 imported, 0 merged, 0 unchanged, 0 refused"),
        "{stdout}"
    );
    let (passed, said) = check(out.path());
    assert!(passed, "check: {said}");
}

/// Every file of an imported tree, with each spec's `source` (the page's
/// file name) left out.
fn tree_without_sources(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    tree(dir)
        .into_iter()
        .map(|(path, bytes)| {
            if path.starts_with("specs") && !path.ends_with("api.json") {
                let mut spec: serde_json::Value =
                    serde_json::from_slice(&bytes).expect("spec JSON");
                spec.as_object_mut().expect("object").remove("source");
                (path, spec.to_string().into_bytes())
            } else {
                (path, bytes)
            }
        })
        .collect()
}

#[test]
fn saved_html_pages_of_both_vendors_import_exactly_as_their_text_twins() {
    for twin in [
        "onlyoffice-put-opportunity-stage",
        "superoffice-get-project",
    ] {
        let dir = batch_pages("saved");
        let (html, text) = (
            dir.join(format!("{twin}.html")),
            dir.join(format!("{twin}.txt")),
        );
        let (from_html, from_text) = (
            tempfile::tempdir().expect("tempdir"),
            tempfile::tempdir().expect("tempdir"),
        );
        for (out, page) in [(&from_html, &html), (&from_text, &text)] {
            let output = import(out.path(), std::slice::from_ref(page), &[]);
            assert!(
                output.status.success(),
                "{}: {}",
                page.display(),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let imported = tree_without_sources(from_html.path());
        assert!(imported.len() >= 3, "{twin}: {} files", imported.len());
        assert!(
            imported == tree_without_sources(from_text.path()),
            "{twin}: the HTML page imports otherwise than its text"
        );
        let (passed, said) = check(from_html.path());
        assert!(passed, "{twin}: check: {said}");
    }
    // The ONLYOFFICE page's text is the text of the page as the site shows
    // it, line for line: header, navigation and footer left out, entities
    // decoded, the examples as written.
    let dir = batch_pages("saved");
    let html = fs::read(dir.join("onlyoffice-put-opportunity-stage.html")).expect("page");
    let text = fs::read_to_string(dir.join("onlyoffice-put-opportunity-stage.txt")).expect("page");
    let shown = docmock::import::html::page_text(&docmock::import::html::decode(&html));
    assert_eq!(shown, text.trim_end_matches('\n'));
}

#[test]
fn two_routes_with_the_same_plain_id_each_get_one_of_their_own_in_any_page_order() {
    let dir = batch_pages("collisions");
    let literal = dir.join("project-status.txt");
    let template = dir.join("projects-by-status.txt");
    let (one, other) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    let first = import(one.path(), &[literal.clone(), template.clone()], &[]);
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(first.status.success(), "{stdout}");
    assert!(
        stdout.contains("2 pages: 2 imported, 0 merged, 0 unchanged, 0 refused"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "named get-project-by-status: get-project-status is also GET /api/2.0/project/status"
        ),
        "{stdout}"
    );
    let second = import(other.path(), &[template, literal], &[]);
    assert!(second.status.success());
    assert!(
        tree_without_sources(one.path()) == tree_without_sources(other.path()),
        "the page order changes nothing"
    );
    let spec = |id: &str| -> serde_json::Value {
        let path = one.path().join(format!("specs/onlyoffice/{id}.json"));
        serde_json::from_str(&fs::read_to_string(&path).expect("spec")).expect("JSON")
    };
    assert_eq!(
        spec("get-project-status")["path"],
        "/api/2.0/project/status"
    );
    let by_status = spec("get-project-by-status");
    assert_eq!(by_status["path"], "/api/2.0/project/{status}");
    assert_eq!(
        by_status["responses"][0]["json"],
        "onlyoffice/get-project-by-status/response-200.json"
    );
    let (passed, said) = check(one.path());
    assert!(passed, "check: {said}");
}

#[test]
fn reimporting_the_same_pages_reports_every_page_unchanged() {
    let out = tempfile::tempdir().expect("tempdir");
    let seeds = common::root().join("tests/seeds");
    // Colliding ids, merged pages (each HTML page and its text twin, a
    // seed and its JSON-only copy) and seeds alike.
    let pages = tempfile::tempdir().expect("tempdir");
    let seed = seeds.join("000_1ada86701635013a.txt");
    let json_only = fs::read_to_string(&seed)
        .expect("seed")
        .split("text/xml")
        .next()
        .expect("json part")
        .to_string();
    fs::write(pages.path().join("status-json-only.txt"), json_only).expect("write");
    let given = [
        seeds,
        batch_pages("collisions"),
        batch_pages("saved"),
        pages.path().to_path_buf(),
    ];
    let first = import(out.path(), &given, &[]);
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(first.status.success(), "{stdout}");
    assert!(
        stdout.contains("12 pages: 9 imported, 3 merged, 0 unchanged, 0 refused"),
        "{stdout}"
    );
    let before = tree(out.path());
    let again = import(out.path(), &given, &[]);
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(again.status.success(), "{stdout}");
    assert!(
        stdout.contains("12 pages: 0 imported, 0 merged, 12 unchanged, 0 refused"),
        "{stdout}"
    );
    let pages_said: Vec<&str> = stdout
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with("12 pages"))
        .collect();
    assert_eq!(pages_said.len(), 12, "{stdout}");
    assert!(
        pages_said.iter().all(|l| l.starts_with("unchanged ")),
        "{stdout}"
    );
    assert!(tree(out.path()) == before, "nothing was rewritten");
}

#[test]
fn a_spec_file_of_another_route_already_in_the_output_is_never_overwritten() {
    let out = tempfile::tempdir().expect("tempdir");
    let dir = batch_pages("collisions");
    // Alone, the template route takes the plain id.
    let alone = import(out.path(), &[dir.join("projects-by-status.txt")], &[]);
    assert!(alone.status.success());
    let held = out.path().join("specs/onlyoffice/get-project-status.json");
    let before = fs::read(&held).expect("spec");
    // A file of that name that is no spec at all is kept too.
    let specs = out.path().join("specs/onlyoffice");
    fs::write(specs.join("get-crm-currency-rates.json"), "{ not a spec").expect("write");

    let output = import(
        out.path(),
        &[
            dir.join("project-status.txt"),
            common::root().join("tests/pages/10_get-currency-rates-no-params.txt"),
        ],
        &[],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("imported  onlyoffice/get-project-status-2 from project-status.txt"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "named get-project-status-2: get-project-status is also GET /api/2.0/project/{status}"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "imported  onlyoffice/get-crm-currency-rates-2 from 10_get-currency-rates-no-params.txt"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("which is not a spec file"), "{stdout}");
    assert_eq!(fs::read(&held).expect("spec"), before, "left as it was");
    assert_eq!(
        fs::read_to_string(specs.join("get-crm-currency-rates.json")).expect("file"),
        "{ not a spec"
    );
    let literal: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(specs.join("get-project-status-2.json")).expect("spec"),
    )
    .expect("JSON");
    assert_eq!(literal["path"], "/api/2.0/project/status");
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
    assert!(
        stdout.contains("5 pages: 5 would be imported, 0 merged, 0 unchanged, 0 refused"),
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
            stderr.contains(&format!("refused   {name}")),
            "{name} not reported: {stderr}"
        );
    }
    assert!(stderr.contains("example response"), "{stderr}");
    assert!(stderr.contains("method line"), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!(
            "1 imported, 0 merged, 0 unchanged, {} refused",
            broken.len()
        )),
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
    // The documentation's formats, whose Accept asks every dialect for XML.
    let server = common::Server::start(&[
        "--specs",
        specs.to_str().expect("utf-8"),
        "--formats",
        "documented",
    ]);
    let http = common::client();
    let mut compared = (0, 0);
    for endpoint in &catalog.endpoints {
        // Some pages (the older R7-Office help center) document no example
        // request; there is nothing of theirs to send.
        if endpoint.request.is_none() {
            continue;
        }
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
                    docmock::contract::catalog::same_xml_text(&fixture, body.as_bytes()),
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
    endpoint: &docmock::contract::catalog::Endpoint,
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
        stdout.contains("merged    onlyoffice/put-crm-contact-contactid-status from status-again.txt into the endpoint of status-json-only.txt"),
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

/// Imports one page of `tests/pages/` alone and returns its spec as JSON.
fn imported_spec(page: &str) -> serde_json::Value {
    let out = import_alone(page);
    let spec = walkdir::WalkDir::new(out.path().join("specs"))
        .into_iter()
        .map(|e| e.expect("entry"))
        .find(|e| e.file_type().is_file() && e.file_name() != "api.json")
        .expect("an endpoint file");
    serde_json::from_str(&fs::read_to_string(spec.path()).expect("spec")).expect("spec JSON")
}

/// The parameter `name` of `spec`.
fn parameter<'s>(spec: &'s serde_json::Value, name: &str) -> &'s serde_json::Value {
    spec["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no parameter {name} in {spec}"))
}

#[test]
fn agent_pages_send_the_required_query_parameters_their_sample_line_leaves_out() {
    let spec = imported_spec("27_so-agent-required-query-not-in-sample.txt");
    assert_eq!(
        spec["request"]["target"],
        "/api/v1/Agents/Quote/GetQuoteLine?quoteLineId=318"
    );
    assert_eq!(parameter(&spec, "quoteLineId")["required"], true);
    assert_eq!(parameter(&spec, "$select")["required"], false);
}

#[test]
fn superoffice_enum_types_are_member_names() {
    let spec = imported_spec("28_so-archive-enum-query-types.txt");
    let mode = parameter(&spec, "$mode");
    assert_eq!(mode["schema"], serde_json::json!({"type": "string"}));
    assert_eq!(mode["example"], "Wide");
    assert_eq!(parameter(&spec, "$output")["example"], "Logical");
    assert_eq!(parameter(&spec, "$jsonSafe")["example"], true);
}

#[test]
fn superoffice_tables_without_cell_bars_are_read_like_markdown_tables() {
    let spec = imported_spec("29_so-devnet-tables-without-bars.txt");
    assert_eq!(spec["path"], "/api/v1/Selection/{id}");
    assert_eq!(spec["request"]["target"], "/api/v1/Selection/58");
    assert_eq!(parameter(&spec, "id")["in"], "path");
    assert_eq!(parameter(&spec, "$mode")["type"], "Enum: Slim, Full");
    assert_eq!(parameter(&spec, "Shared")["in"], "body");
    assert_eq!(parameter(&spec, "Shared")["schema"]["type"], "boolean");
    let statuses: Vec<&serde_json::Value> = spec["responses"]
        .as_array()
        .expect("responses")
        .iter()
        .map(|r| &r["status"])
        .collect();
    assert_eq!(statuses, [200, 412]);
    assert_eq!(spec["responses"][0]["type"], "SelectionEntity");
}

#[test]
fn a_list_body_has_its_items_described_by_the_property_table() {
    let spec = imported_spec("30_so-json-patch-array-body.txt");
    let locations: Vec<&serde_json::Value> = spec["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .map(|p| &p["in"])
        .collect();
    assert!(
        !locations.iter().any(|l| *l == "body"),
        "op/path/value are no members of a list body: {spec}"
    );
    assert_eq!(spec["request"]["target"], "/api/v1/Project/12");
}

#[test]
fn table_renderings_keep_the_inline_request_body_the_last_row_and_the_xml_layout() {
    let spec = imported_spec("31_table-inline-request-one-line-xml.txt");
    // The summary is the line under the method line, not the text after
    // the parameter named `description`.
    assert_eq!(
        spec["summary"],
        "Adds a line to the invoice with the ID specified in the request."
    );
    assert_eq!(
        spec["request"]["headers"]["Accept"], "application/json",
        "the JSON body run into the request line is no part of Accept"
    );
    assert!(spec["request"]["body"].is_string(), "{spec}");
    // The last row ends on the line before the request line.
    assert_eq!(parameter(&spec, "isTaxed")["example"], true);
    let billing = parameter(&spec, "billing");
    assert_eq!(billing["type"], "Once, Monthly, Yearly");
    assert_eq!(billing["example"], "Monthly");
    let attributes = parameter(&spec, "attributes");
    assert_eq!(attributes["schema"]["type"], "array");
    assert_eq!(
        attributes["example"],
        serde_json::json!([{"Key": "colour", "Value": "blue"}])
    );
    assert_eq!(spec["responses"][0]["type"], "Invoice line");
}

#[test]
fn a_parameter_the_path_template_binds_is_a_path_parameter_whatever_the_row_says() {
    let spec = imported_spec("32_path-parameter-sent-in-body-cells.txt");
    let id = parameter(&spec, "reportId");
    assert_eq!(id["in"], "path");
    assert_eq!(id["schema"]["type"], "integer");
    assert_eq!(spec["request"]["target"], "/api/2.0/crm/report/4410");
    assert!(
        spec["request"].get("body").is_none(),
        "a body that only repeats the path parameter is dropped: {spec}"
    );
    assert!(
        spec["responses"][0].get("type").is_none(),
        "no line of the request body is taken for the returned type: {spec}"
    );
}

#[test]
fn remarks_end_the_parameter_table_and_enumerations_follow_descriptions() {
    let spec = imported_spec("33_param-named-description-remark-enum.txt");
    assert_eq!(
        spec["summary"],
        "Adds a note to the case with the ID specified in the request."
    );
    let visibility = parameter(&spec, "visibility");
    assert_eq!(visibility["type"], "Everybody, Managers");
    assert_eq!(
        visibility["description"],
        "Who sees the note: 0 - everybody, 1 - managers only"
    );
    let attachments = parameter(&spec, "attachments");
    assert_eq!(
        attachments["type"],
        "Collection of ASC.Files.Core.FileEntry`1[System.Int32]s"
    );
    assert!(
        attachments.get("example").is_none(),
        "neither the type name nor the remark is an example: {attachments}"
    );
}

#[test]
fn the_newer_reference_layout_is_refused_naming_the_method_line() {
    let (_, stderr) = import_refused("34_broken-newer-reference-layout.txt");
    assert!(
        stderr.contains("34_broken-newer-reference-layout.txt:3: example response:"),
        "{stderr}"
    );
    assert!(stderr.contains("newer reference layout"), "{stderr}");
}

#[test]
fn example_nulls_valued_enumerations_and_rows_without_a_description() {
    let spec = imported_spec("35_put-milestone-null-body-valued-enums.txt");
    // The example body sends `"isKey": null`: the .NET `bool?` admits it.
    assert_eq!(
        parameter(&spec, "isKey")["schema"]["type"],
        serde_json::json!(["boolean", "null"])
    );
    let status = parameter(&spec, "status");
    assert_eq!(status["type"], "Open = 0, Closed = 1, Late = 2");
    assert_eq!(status["example"], "Closed");
    let deadline = parameter(&spec, "deadline");
    assert_eq!(deadline["type"], "Date and Time");
    assert_eq!(deadline["example"], "2024-09-30T00:00:00.000Z");
}

/// Imports `page` alone into a fresh directory, which the caller keeps.
fn import_alone(page: &str) -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("tempdir");
    let output = import(
        out.path(),
        &[common::root().join("tests/pages").join(page)],
        &[],
    );
    assert!(
        output.status.success(),
        "{page}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

/// Imports one page of `tests/pages` that must be refused: the output
/// directory and what the import said.
fn import_refused(page: &str) -> (tempfile::TempDir, String) {
    let out = tempfile::tempdir().expect("tempdir");
    let output = import(
        out.path(),
        &[common::root().join("tests/pages").join(page)],
        &[],
    );
    assert!(!output.status.success(), "{page} was imported");
    (out, String::from_utf8_lossy(&output.stderr).into_owned())
}

#[tokio::test]
async fn a_list_an_xml_only_page_shows_one_item_of_is_a_list_in_json() {
    let page = "84_get-case-contacts-xml-only-list-of-one.txt";
    let json = imported_file(
        page,
        "fixtures/onlyoffice/get-crm-case-caseid-contact/response-200.json",
    );
    let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(
        value["response"][0]["DisplayName"], "Leena Virtanen",
        "{json}"
    );
    assert_eq!(value["response"].as_array().map(Vec::len), Some(1));
    assert_checks(page);

    // Served as a list of one in JSON, and as the page shows it in XML.
    let out = import_alone(page);
    let specs = out.path().join("specs");
    let server = common::Server::start(&["--specs", specs.to_str().expect("utf-8")]);
    let http = common::client();
    let url =
        |suffix: &str| server.url(&format!("/onlyoffice/api/2.0/crm/case/912/contact{suffix}"));
    let served: serde_json::Value = http
        .get(url(""))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(served["response"][0]["id"], 2094, "{served}");
    let xml = http
        .get(url(".xml"))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("XML");
    let documented = imported_file(
        page,
        "fixtures/onlyoffice/get-crm-case-caseid-contact/response-200.xml",
    );
    assert!(
        docmock::contract::catalog::same_xml_text(&documented, xml.as_bytes()),
        "{xml}"
    );
}

#[test]
fn a_single_object_an_xml_only_page_shows_stays_an_object() {
    // A `Case` is one object: its JSON is read off the XML when served,
    // and no JSON fixture is written for it.
    let out = import_alone("06_get-case-xml-only.txt");
    let fixtures = out.path().join("fixtures/onlyoffice/get-crm-case-caseid");
    assert!(fixtures.join("response-200.xml").exists());
    assert!(!fixtures.join("response-200.json").exists());
}

/// Imports one page of `tests/pages` and checks the result, which must pass.
fn assert_checks(page: &str) {
    let out = import_alone(page);
    let (passed, said) = check(out.path());
    assert!(passed, "{page}: check: {said}");
}

/// The file at `relative` in what one page of `tests/pages` imports to.
fn imported_file(page: &str, relative: &str) -> String {
    let out = import_alone(page);
    fs::read_to_string(out.path().join(relative)).expect("imported file")
}

/// `docmock check` on an imported tree: whether it passed, and what it said.
fn check(out: &Path) -> (bool, String) {
    let specs = out.join("specs");
    let output = run_in(&common::root(), &["check", specs.to_str().expect("utf-8")]);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), said)
}

#[tokio::test]
async fn a_camel_case_onlyoffice_page_with_r7_style_xml_is_served_as_documented() {
    let page = "36_get-people-card-camel-json-r7-style-xml.txt";
    let out = import_alone(page);
    let spec = imported_spec(page);
    // Only the literals that differ from ONLYOFFICE's are written: null is
    // `<title />` on this page as in ONLYOFFICE's own convention.
    assert_eq!(
        spec["responses"][0]["xml_literals"],
        serde_json::json!({"booleans": "true/false", "empty_string": "pair"})
    );
    assert!(spec["responses"][0].get("xml_names").is_none(), "{spec}");
    let (passed, said) = check(out.path());
    assert!(passed, "check: {said}");

    let specs = out.path().join("specs");
    let catalog =
        docmock::Catalog::load(&docmock::Source::new(&specs, None)).expect("imported specs load");
    let endpoint = &catalog.endpoints[0];
    let fixture = |ext: &str| documented_fixture(out.path(), endpoint, ext).expect("fixture");
    // The documentation's formats: Accept chooses, and XML is the default.
    let server = common::Server::start(&[
        "--specs",
        specs.to_str().expect("utf-8"),
        "--formats",
        "documented",
    ]);
    let http = common::client();
    for (accept, documented) in [
        ("application/json", fixture("json")),
        ("application/xml", fixture("xml")),
        // No format named: ONLYOFFICE's documentation says XML.
        ("*/*", fixture("xml")),
    ] {
        let reply =
            common::example_request(&http, &server.base, "/onlyoffice", endpoint, Some(accept))
                .send()
                .await
                .expect("sent");
        assert_eq!(reply.status(), 200, "{accept}");
        let body = reply.text().await.expect("body");
        // The page's text byte for byte. The JSON fixture is served as it
        // is; the XML is rendered, without the final newline the importer
        // ends every fixture with.
        let expected = match accept {
            "application/json" => documented.as_str(),
            _ => documented.strip_suffix('\n').unwrap_or(&documented),
        };
        assert_eq!(body, expected, "{accept}");
    }
    assert!(fixture("xml").contains("<isAdmin>false</isAdmin>"));
    assert!(fixture("xml").contains("<about></about>"));

    // verify against the mock finds no convention mismatch in the XML it
    // serves: the response's own literals are the contract.
    let base = server.url("/onlyoffice");
    let verified = run_in(
        &common::root(),
        &[
            "verify",
            "--specs",
            specs.to_str().expect("utf-8"),
            "--base-url",
            &base,
            "--forms",
            "json,xml",
            "--auth",
            common::CREDENTIALS,
        ],
    );
    let said = String::from_utf8_lossy(&verified.stdout);
    assert!(verified.status.success(), "verify: {said}");
    assert!(said.contains("0 failed, 0 errors"), "{said}");

    // Without the override the page's XML is not what ONLYOFFICE's rules
    // render, and check names the first line that differs.
    let file = specs.join("onlyoffice/get-people-userid-card.json");
    let mut edited = spec.clone();
    edited["responses"][0]
        .as_object_mut()
        .expect("response")
        .remove("xml_literals");
    fs::write(&file, edited.to_string()).expect("write");
    let (passed, said) = check(out.path());
    assert!(!passed, "check passed without xml_literals");
    assert!(
        said.contains("line 9: documented \"<about></about>\", rendered \"<about />\""),
        "{said}"
    );
    assert!(said.contains("xml_literals"), "{said}");
}

#[tokio::test]
async fn an_imported_json_patch_endpoint_takes_any_patch_that_keeps_its_entity_valid() {
    let out = import_alone("30_so-json-patch-array-body.txt");
    let (passed, said) = check(out.path());
    assert!(passed, "check: {said}");
    let specs = out.path().join("specs");
    let server = common::Server::start(&["--specs", specs.to_str().expect("utf-8")]);
    let http = common::client();
    let url = server.url("/superoffice/api/v1/Project/12");
    let send = |content_type: &'static str, body: &'static str| {
        http.patch(&url)
            .header("Content-Type", content_type)
            .header("Accept", "application/json")
            .body(body)
            .send()
    };
    // The sample patch's value is `{}`; a real patch sets a string, sent as
    // a JSON Patch and as the plain JSON the sample uses.
    let rename = r#"[{"op": "replace", "path": "/Name", "value": "Harbour extension, phase 2"}]"#;
    for content_type in ["application/json-patch+json", "application/json"] {
        let reply = send(content_type, rename).await.expect("sent");
        let status = reply.status().as_u16();
        let body = reply.text().await.expect("body");
        assert_eq!(status, 200, "{content_type}: {body}");
        assert!(body.contains("\"ProjectId\""), "{body}");
    }
    // An unknown operation is refused, naming it.
    for content_type in ["application/json-patch+json", "application/json"] {
        let reply = send(
            content_type,
            r#"[{"op": "rename", "path": "/Name", "value": "x"}]"#,
        )
        .await
        .expect("sent");
        let status = reply.status().as_u16();
        let body = reply.text().await.expect("body");
        assert_eq!(status, 400, "{content_type}: {body}");
        assert!(body.contains("rename"), "{content_type}: {body}");
    }
    // The patched entity is checked against the entity's shape: a name
    // that becomes a number is refused at its pointer.
    let reply = send(
        "application/json-patch+json",
        r#"[{"op": "replace", "path": "/Name", "value": 5}]"#,
    )
    .await
    .expect("sent");
    assert_eq!(reply.status(), 400);
    let body = reply.text().await.expect("body");
    assert!(body.contains("\"Pointer\":\"/Name\""), "{body}");
    // A Merge Patch applies to the same entity.
    let reply = send("application/merge-patch+json", r#"{"Name": "Pier works"}"#)
        .await
        .expect("sent");
    assert_eq!(reply.status(), 200);
}

#[test]
fn verify_reads_xml_names_spelled_in_another_case_as_the_page_does() {
    let out = import_alone("13_post-history-event-camel-json-pascal-xml.txt");
    let specs = out.path().join("specs");
    let server = common::Server::start(&["--specs", specs.to_str().expect("utf-8")]);
    let base = server.url("/onlyoffice");
    let verified = run_in(
        &common::root(),
        &[
            "verify",
            "--specs",
            specs.to_str().expect("utf-8"),
            "--base-url",
            &base,
            "--include-writes",
            "--forms",
            "json,xml",
            "--auth",
            common::CREDENTIALS,
        ],
    );
    let said = String::from_utf8_lossy(&verified.stdout);
    assert!(verified.status.success(), "verify: {said}");
    assert!(said.contains("2 passed, 0 failed"), "{said}");
}

#[test]
fn a_remark_that_starts_like_a_location_stays_in_its_row() {
    let spec = imported_spec("37_put-field-remark-line-sent-in-json.txt");
    let mask = parameter(&spec, "mask");
    assert_eq!(mask["in"], "body");
    assert_eq!(mask["required"], false);
    assert_eq!(mask["schema"]["type"], "string");
    assert_eq!(mask["description"], "New mask Sent in json format only");
    let names: Vec<&serde_json::Value> = spec["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .map(|p| &p["name"])
        .collect();
    assert_eq!(names, ["id", "entityType", "label", "mask"]);
}

#[test]
fn an_enumeration_cell_and_its_example_member_on_lines_of_their_own() {
    let spec = imported_spec("38_put-operator-cells-enum-member-named-like-a-type.txt");
    let answer = parameter(&spec, "answerType");
    assert_eq!(answer["type"], "Number, Sip, Client");
    assert_eq!(answer["example"], "Number");
    assert_eq!(answer["description"], "New operator answer type");
    assert_eq!(answer["required"], false);
    let status = parameter(&spec, "status");
    assert_eq!(status["type"], "Online, Paused, Offline");
    assert_eq!(status["example"], "Paused");
}

#[test]
fn a_query_parameter_the_page_lost_to_an_html_entity_is_sent_by_name() {
    let spec = imported_spec("39_get-invoices-query-read-as-entity.txt");
    assert_eq!(
        spec["request"]["target"],
        "/api/2.0/crm/invoice/filter?status=Sent&entityid=2281&currency=EUR"
    );
    assert_eq!(parameter(&spec, "currency")["required"], true);
}

#[test]
fn r7_cells_run_together_keep_their_types_and_examples() {
    let spec = imported_spec("40_r7-delete-category-cells-run-together-ru.txt");
    let id = parameter(&spec, "categoryid");
    assert_eq!(id["schema"]["type"], "integer");
    assert_eq!(id["example"], 17);
    assert_eq!(id["description"], "Идентификатор категории задачи");
    let replacement = parameter(&spec, "newcategoryid");
    assert_eq!(replacement["type"], "номер");
    assert_eq!(replacement["example"], 4);
    assert_eq!(replacement["required"], false);
    let notify = parameter(&spec, "notify");
    assert_eq!(notify["schema"]["type"], "boolean");
    assert_eq!(notify["example"], false);
}

#[test]
fn odata_query_examples_keep_the_spaces_of_their_expressions() {
    let spec = imported_spec("41_so-odata-query-examples-with-spaces.txt");
    assert_eq!(
        parameter(&spec, "$filter")["example"],
        "heading begins 'Fleet'"
    );
    assert_eq!(parameter(&spec, "$orderBy")["example"], "amount desc");
    assert_eq!(parameter(&spec, "$top")["example"], 50);
    assert_eq!(spec["request"]["target"], "/api/v1/Sale");
}

#[test]
fn cells_sharing_a_line_keep_their_optional_and_collection_markers() {
    let spec = imported_spec("42_r7-cells-one-line-optional-collection-ru.txt");
    for name in ["contactid", "isClosed", "tags"] {
        assert_eq!(parameter(&spec, name)["required"], false, "{name}");
    }
    let tags = parameter(&spec, "tags");
    assert_eq!(tags["type"], "Коллекция строк");
    assert_eq!(
        tags["schema"],
        serde_json::json!({"type": "array", "items": {"type": "string"}})
    );
    assert_eq!(tags["example"], serde_json::json!(["звонок"]));
    assert_eq!(parameter(&spec, "isClosed")["example"], true);
}

#[test]
fn a_collection_type_run_into_its_description_keeps_its_item_type() {
    let spec = imported_spec("43_r7-put-access-collection-run-into-description-ru.txt");
    let ids = parameter(&spec, "caseid");
    assert_eq!(ids["description"], "Список идентификаторов кейсов");
    assert_eq!(
        ids["schema"],
        serde_json::json!({"type": "array", "items": {"type": "integer"}})
    );
    assert_eq!(ids["example"], serde_json::json!([17]));
    let users = parameter(&spec, "accessList");
    assert_eq!(users["schema"]["items"]["format"], "uuid");
}

#[test]
fn a_route_variable_no_row_documents_is_declared_and_sent_with_the_body_ids_example() {
    let spec = imported_spec("44_put-route-variable-no-row-documents.txt");
    let id = parameter(&spec, "id");
    assert_eq!(id["in"], "path");
    assert_eq!(id["required"], true);
    assert_eq!(id["schema"], serde_json::json!({"type": "integer"}));
    assert_eq!(id["example"], 3);
    assert_eq!(spec["request"]["target"], "/api/2.0/crm/case/58/status/3");
    assert_eq!(parameter(&spec, "statusid")["in"], "body");
}

#[test]
fn older_r7_help_center_pages_keep_their_location_auth_summary_and_type() {
    let spec = imported_spec("45_r7-help-center-inline-headings-ru.txt");
    assert_eq!(spec["auth"], true);
    assert_eq!(
        spec["summary"],
        "Возвращает категорию событий с указанным в запросе ИД"
    );
    let id = parameter(&spec, "categoryid");
    assert_eq!(id["in"], "path");
    assert_eq!(id["description"], "ИД категории");
    assert_eq!(id["example"], 12);
    assert_eq!(spec["responses"][0]["type"], "Категория событий");
}

#[tokio::test]
async fn superoffice_primitives_and_lists_are_served_under_their_data_contract_roots() {
    // The reference names the returned types `array` and `bool`; the WebAPI
    // writes `<ArrayOfstring>` and `<boolean>`.
    for (page, expected) in [
        (
            "46_so-agent-list-of-strings.txt",
            "<ArrayOfstring xmlns=\"http://schemas.microsoft.com/2003/10/Serialization/Arrays\" \
             xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">\n  \
             <string>quo</string>\n  <string>unde</string>\n</ArrayOfstring>",
        ),
        (
            "47_so-get-bool.txt",
            "<boolean xmlns=\"http://schemas.microsoft.com/2003/10/Serialization/\">false</boolean>",
        ),
    ] {
        let out = import_alone(page);
        let (passed, said) = check(out.path());
        assert!(passed, "{page}: check: {said}");
        let specs = out.path().join("specs");
        let catalog = docmock::Catalog::load(&docmock::Source::new(&specs, None))
            .expect("imported specs load");
        let endpoint = &catalog.endpoints[0];
        let server = common::Server::start(&["--specs", specs.to_str().expect("utf-8")]);
        let reply = common::example_request(
            &common::client(),
            &server.base,
            "/superoffice",
            endpoint,
            Some("application/xml"),
        )
        .send()
        .await
        .expect("sent");
        assert_eq!(reply.status(), 200, "{page}");
        assert_eq!(reply.text().await.expect("body"), expected, "{page}");
    }
}

#[tokio::test]
async fn a_204_page_records_no_returned_type_and_is_answered_without_content() {
    // The page says `Response body: TimeZoneData` under its 204.
    let page = "48_so-delete-204-generator-response-type.txt";
    let spec = imported_spec(page);
    assert_eq!(spec["responses"][0]["status"], 204);
    assert!(spec["responses"][0].get("type").is_none(), "{spec}");
    assert!(spec["responses"][0].get("json").is_none(), "{spec}");
    let out = import_alone(page);
    let specs = out.path().join("specs");
    let catalog =
        docmock::Catalog::load(&docmock::Source::new(&specs, None)).expect("imported specs load");
    let server = common::Server::start(&["--specs", specs.to_str().expect("utf-8")]);
    let reply = common::example_request(
        &common::client(),
        &server.base,
        "/superoffice",
        &catalog.endpoints[0],
        None,
    )
    .send()
    .await
    .expect("sent");
    assert_eq!(reply.status(), 204);
    assert!(
        reply.headers().get("content-type").is_none(),
        "{:?}",
        reply.headers()
    );
    assert!(reply.bytes().await.expect("body").is_empty());
}

#[test]
fn a_required_list_query_parameter_the_sample_line_leaves_out_is_sent_as_the_page_shows_it() {
    let page = "49_so-required-list-query-not-in-sample.txt";
    let spec = imported_spec(page);
    // The page's example query string is `secondaryTicketIds=670,272`: the
    // WebAPI reads a list as one comma-separated value.
    assert_eq!(
        spec["request"]["target"],
        "/api/v1/Ticket/Merge?secondaryTicketIds=670,272"
    );
    let ids = parameter(&spec, "secondaryTicketIds");
    assert_eq!(ids["required"], true);
    assert_eq!(ids["example"], serde_json::json!(["670", "272"]));
    assert_eq!(
        parameter(&spec, "mergedTicketEntity.tags")["example"],
        serde_json::json!(["atque", "possimus"])
    );
    assert_checks(page);
}

#[tokio::test]
async fn an_xml_example_that_lost_its_indentation_is_laid_out_again_and_served_as_stored() {
    let page = "50_put-settings-flush-left-xml-cells.txt";
    let out = import_alone(page);
    let (passed, said) = check(out.path());
    assert!(passed, "check: {said}");
    let specs = out.path().join("specs");
    let catalog =
        docmock::Catalog::load(&docmock::Source::new(&specs, None)).expect("imported specs load");
    let endpoint = &catalog.endpoints[0];
    let xml = documented_fixture(out.path(), endpoint, "xml").expect("xml fixture");
    // One element a line as the page has it, children indented by two
    // spaces as the documentation (and the renderer) writes them.
    assert_eq!(
        xml,
        "<result>\n  <status>0</status>\n  <response>\n    <Footer>Footer</Footer>\n    \
         <Printed>True</Printed>\n    <Owner>\n      <Id>7</Id>\n    </Owner>\n  </response>\n\
         </result>\n"
    );
    let server = common::Server::start(&[
        "--specs",
        specs.to_str().expect("utf-8"),
        "--formats",
        "documented",
    ]);
    let http = common::client();
    let reply = common::example_request(
        &http,
        &server.base,
        "/onlyoffice",
        endpoint,
        Some("application/xml"),
    )
    .send()
    .await
    .expect("sent");
    assert_eq!(reply.status(), 200);
    let body = reply.text().await.expect("body");
    assert_eq!(body, xml.strip_suffix('\n').unwrap_or(&xml));
}

#[test]
fn notes_between_a_table_rendering_and_its_response_are_no_part_of_the_last_row() {
    let page = "51_post-cells-notes-instead-of-example-request.txt";
    let spec = imported_spec(page);
    let colour = parameter(&spec, "colour");
    assert_eq!(colour["description"], "Colour Sent in JSON format only");
    assert_eq!(colour["type"], "string");
    assert_eq!(colour["example"], "some text");
    assert_eq!(colour["required"], false);
    // The notes show no request line; their first `data: {…}` sample is
    // the example request's body.
    assert_eq!(spec["request"]["target"], "/api/2.0/crm/contact/label");
    let body = imported_file(
        page,
        "fixtures/onlyoffice/post-crm-entitytype-label/request.json",
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).expect("JSON"),
        serde_json::json!({"title": "Urgent", "colour": "red"})
    );
    assert_eq!(spec["parameters"].as_array().map(Vec::len), Some(3));
    assert_checks(page);
}

#[test]
fn a_path_parameter_named_in_another_case_takes_the_templates_spelling() {
    let page = "52_put-path-variable-named-in-another-case.txt";
    let spec = imported_spec(page);
    // The row says `dealId`, the template `{dealid}`: the route binds the
    // template's spelling.
    let id = parameter(&spec, "dealid");
    assert_eq!(id["in"], "path");
    assert_eq!(id["example"], 77);
    assert_eq!(spec["request"]["target"], "/api/2.0/crm/deal/77/colour");
    assert_checks(page);
}

#[test]
fn a_one_member_enumeration_and_its_lower_case_example_end_the_row() {
    let spec = imported_spec("53_put-one-member-enumeration-lower-case-example.txt");
    let channel = parameter(&spec, "channel");
    assert_eq!(channel["description"], "Delivery channel");
    assert_eq!(channel["type"], "Pigeon");
    assert_eq!(channel["example"], "pigeon");
    assert_eq!(
        channel["schema"],
        serde_json::json!({"type": ["string", "integer"]})
    );
}

#[test]
fn an_authentication_note_run_into_the_path_ends_it() {
    let page = "54_r7-put-auth-note-run-into-path-ru.txt";
    let spec = imported_spec(page);
    assert_eq!(spec["path"], "/api/2.0/crm/deal/{dealid}/pin");
    assert_eq!(spec["auth"], true);
    assert_eq!(parameter(&spec, "dealid")["example"], 77);
    assert_checks(page);
}

#[test]
fn the_returned_type_under_a_heading_worded_vozvrashchaetsya() {
    let spec = imported_spec("55_r7-put-returns-heading-worded-vozvrashchaetsya-ru.txt");
    assert_eq!(spec["responses"][0]["type"], "Сделка");
}

#[test]
fn a_misspelt_collection_marker_is_no_example() {
    let page = "56_r7-post-collection-marker-misspelt-ru.txt";
    let spec = imported_spec(page);
    let members = parameter(&spec, "members");
    assert_eq!(members["example"], serde_json::json!([77]));
    assert_eq!(members["required"], false);
    assert_checks(page);
}

#[test]
fn a_page_whose_only_request_line_is_the_example_is_refused_naming_that_line() {
    let (out, stderr) = import_refused("57_broken-only-the-example-request-line.txt");
    assert!(
        stderr.contains("57_broken-only-the-example-request-line.txt:11: method line:"),
        "{stderr}"
    );
    assert!(stderr.contains("example request"), "{stderr}");
    assert!(tree(out.path()).is_empty(), "nothing is written");
}

#[test]
fn a_superoffice_page_without_a_summary_takes_no_section_heading_for_one() {
    let spec = imported_spec("58_so-agent-no-summary-text-rendering.txt");
    assert_eq!(spec["summary"], "", "{spec}");
    assert_eq!(spec["path"], "/api/v1/Agents/Appointment/GetAssociateDiary");
}

#[test]
fn an_enumerated_path_part_the_sample_leaves_as_a_template_gets_a_member() {
    let spec = imported_spec("59_so-enum-path-part-left-as-template.txt");
    assert_eq!(parameter(&spec, "state")["example"], "Unknown");
    assert_eq!(spec["request"]["target"], "/api/v1/BatchTask/Unknown");
}

#[test]
fn no_break_spaces_are_spaces_in_the_structure_and_kept_in_the_examples() {
    let page = "60_put-no-break-spaces-in-structure-and-example.txt";
    let spec = imported_spec(page);
    assert_eq!(spec["auth"], true, "{spec}");
    assert_eq!(parameter(&spec, "contactid")["in"], "path");
    assert_eq!(parameter(&spec, "contactid")["example"], 1234);
    assert_eq!(parameter(&spec, "contactStatusid")["in"], "body");
    let json = imported_file(
        page,
        "fixtures/onlyoffice/put-crm-contact-contactid-status/response-200.json",
    );
    assert!(json.contains("Tadjeddine\u{a0}Bachir"), "{json}");
}

#[test]
fn a_collection_marker_with_stray_punctuation_is_no_part_of_the_example() {
    let spec = imported_spec("61_r7-put-collection-marker-with-question-mark-ru.txt");
    let managers = parameter(&spec, "managerList");
    assert_eq!(managers["schema"]["type"], "array");
    assert_eq!(
        managers["example"],
        serde_json::json!(["9924256A-739C-462b-AF15-E652A3B1B6EB"])
    );
    assert_eq!(managers["required"], false);
}

#[test]
fn a_description_that_starts_with_a_type_word_is_no_type_without_its_example() {
    let spec = imported_spec("62_r7-put-date-row-description-starts-with-type-word-ru.txt");
    let issued = parameter(&spec, "issueDate");
    assert_eq!(issued["description"], "Дата выставления нового счета");
    assert_eq!(issued["type"], "дата и время");
    assert_eq!(issued["example"], "2008-04-10T06-30-00.000Z");
}

#[test]
fn a_description_run_into_the_parameters_heading_is_the_summary() {
    let spec = imported_spec("63_r7-put-description-run-into-parameters-heading-ru.txt");
    assert_eq!(
        spec["summary"],
        "Обновляет выбранный счет с параметрами (идентификатор контакта, \
         идентификатор грузополучателя и т. д.), указанными в запросе."
    );
    assert_eq!(parameter(&spec, "id")["in"], "path");
    assert_eq!(parameter(&spec, "language")["in"], "body");
}

#[test]
fn a_file_upload_row_keeps_its_type_and_sends_no_placeholder_example() {
    let spec = imported_spec("64_put-person-photo-upload-multipart-no-example.txt");
    let photo = parameter(&spec, "photo");
    assert_eq!(
        photo["description"],
        "Contact photo (upload using multipart/form-data)"
    );
    assert_eq!(photo["type"], "Files for adding using multipart/form-data");
    assert_eq!(photo["schema"], serde_json::json!({}));
    assert!(photo.get("example").is_none_or(|e| e.is_null()), "{photo}");
    assert_eq!(photo["required"], false);
    assert_eq!(parameter(&spec, "firstName")["example"], "some text");
}

#[test]
fn a_string_path_part_the_sample_leaves_as_a_template_takes_the_described_example() {
    let spec = imported_spec("65_so-string-path-part-left-as-template-takes-described-example.txt");
    assert_eq!(parameter(&spec, "purpose")["example"], "STORE");
    assert_eq!(spec["request"]["target"], "/api/v1/Person/1/Consent/STORE");
}

#[test]
fn a_table_rendering_whose_envelope_follows_the_returned_type_unlabelled_is_the_response() {
    let page = "66_get-table-rendering-envelope-without-media-type-line.txt";
    let spec = imported_spec(page);
    assert_eq!(spec["responses"][0]["type"], "User information", "{spec}");
    assert_eq!(parameter(&spec, "userID")["in"], "path");
    let json = imported_file(
        page,
        "fixtures/onlyoffice/get-portal-users-userid/response-200.json",
    );
    assert!(
        json.starts_with("{ \"status\": 0, \"response\": {"),
        "{json}"
    );
}

#[test]
fn generic_dotnet_list_types_are_lists_of_their_argument() {
    let spec = imported_spec("67_put-generic-dotnet-list-types.txt");
    let to = parameter(&spec, "to");
    assert_eq!(
        to["description"],
        "List of mail addresses to which a letter will be sent. Format: Name <name@domain>"
    );
    assert_eq!(
        to["schema"],
        serde_json::json!({"type": "array", "items": {"type": "string"}})
    );
    assert_eq!(
        parameter(&spec, "tags")["schema"],
        serde_json::json!({"type": "array", "items": {"type": "integer"}})
    );
}

#[test]
fn a_description_opening_like_a_collection_with_empty_cells_is_no_type() {
    let spec = imported_spec("68_put-description-opening-like-a-collection-empty-type.txt");
    let attachments = parameter(&spec, "attachments");
    assert_eq!(attachments["description"], "List of message attachments");
    assert!(
        attachments.get("type").is_none_or(|t| t.is_null()),
        "{attachments}"
    );
    assert!(
        attachments.get("example").is_none_or(|e| e.is_null()),
        "{attachments}"
    );
    assert_eq!(parameter(&spec, "subject")["example"], "some text");
}

#[test]
fn an_enumeration_ending_in_a_comma_is_the_type_and_a_non_member_no_example() {
    for page in [
        "69_put-enumeration-trailing-comma-example-no-member.txt",
        "70_put-enumeration-trailing-comma-one-line-row.txt",
    ] {
        let spec = imported_spec(page);
        let mode = parameter(&spec, "fileLinksShareMode");
        assert_eq!(
            mode["description"],
            "Sharing mode for the links of the attached files"
        );
        assert_eq!(
            mode["type"],
            "None, ReadWrite, Read, Restrict, Varies, Review, Comment, FillForms, CustomFilter"
        );
        assert_eq!(
            mode["schema"],
            serde_json::json!({"type": ["string", "integer"]})
        );
        assert!(mode.get("example").is_none_or(|e| e.is_null()), "{mode}");
    }
}

/// `get-case.txt` of `tests/pages/batch/same-type/`, parsed: a page that
/// documents an example of the returned type `Case`.
fn documented_case() -> docmock::import::Imported {
    let name = "get-case.txt";
    let text = fs::read_to_string(batch_pages("same-type").join(name)).expect("page");
    docmock::import::parse_page(name, &text).expect("the page parses")
}

#[tokio::test]
async fn a_response_without_an_example_is_served_the_documented_one_of_the_same_type() {
    // The parsers' output for a page that shows no example response but
    // names its returned type, built by hand: the batch step alone.
    let lender = documented_case();
    let mut borrower = lender.clone();
    borrower.id = "put-crm-case-caseid-close".into();
    borrower.page = "put-case-close.txt".into();
    borrower.spec.method = "PUT".into();
    borrower.spec.path = "/api/2.0/crm/case/{caseid}/close".into();
    borrower.spec.source = Some("put-case-close.txt".into());
    if let Some(request) = borrower.spec.request.as_mut() {
        request.target = "/api/2.0/crm/case/906/close".into();
    }
    borrower.fixtures.clear();
    let response = &mut borrower.spec.responses[0];
    response.type_name = Some(" case ".into());
    (response.json, response.xml) = (None, None);
    response.example = Some(docmock::contract::spec::ExampleSource::Unknown);

    let out = tempfile::tempdir().expect("tempdir");
    let options = docmock::import::Options {
        out: out.path().to_path_buf(),
        dry_run: false,
    };
    // The borrowing page first: the lender is found whatever the order.
    let parsed = vec![
        ("put-case-close.txt".to_string(), Ok(borrower)),
        ("get-case.txt".to_string(), Ok(lender)),
    ];
    let report = docmock::import::import_parsed(parsed, 2, &options, |_| {});
    assert!(report.succeeded(), "{:?}", report.lines());
    let said: Vec<String> = report.lines().into_iter().map(|l| l.text).collect();
    assert!(
        said.iter().any(|l| l.contains(
            "example response of onlyoffice/get-crm-case-caseid, which returns the same type (case)"
        )),
        "{said:?}"
    );
    let spec: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(
            out.path()
                .join("specs/onlyoffice/put-crm-case-caseid-close.json"),
        )
        .expect("spec"),
    )
    .expect("JSON");
    assert_eq!(
        spec["responses"][0]["example"],
        serde_json::json!({"from": "same-type", "endpoint": "onlyoffice/get-crm-case-caseid"})
    );
    let fixture = |id: &str, ext: &str| {
        fs::read_to_string(
            out.path()
                .join(format!("fixtures/onlyoffice/{id}/response-200.{ext}")),
        )
        .expect("fixture")
    };
    for ext in ["json", "xml"] {
        assert_eq!(
            fixture("put-crm-case-caseid-close", ext),
            fixture("get-crm-case-caseid", ext),
            "{ext}: copied under the borrowing endpoint's own name"
        );
    }
    let (passed, said) = check(out.path());
    assert!(passed, "check: {said}");

    let specs = out.path().join("specs");
    let catalog =
        docmock::Catalog::load(&docmock::Source::new(&specs, None)).expect("imported specs load");
    let endpoint = catalog
        .endpoints
        .iter()
        .find(|e| e.id.ends_with("put-crm-case-caseid-close"))
        .expect("the borrowing endpoint");
    let server = common::Server::start(&["--specs", specs.to_str().expect("utf-8")]);
    let reply = common::example_request(
        &common::client(),
        &server.base,
        "/onlyoffice",
        endpoint,
        Some("application/json"),
    )
    .send()
    .await
    .expect("sent");
    assert_eq!(reply.status(), 200);
    assert_eq!(
        reply.text().await.expect("body"),
        fixture("get-crm-case-caseid", "json")
    );
}

/// Needs the page parsers to import a page that shows no example response
/// (its response `example: unknown`, its type from `Returns`).
#[test]
fn pages_without_an_example_response_borrow_one_of_their_returned_type() {
    let out = tempfile::tempdir().expect("tempdir");
    let output = import(out.path(), &[batch_pages("same-type")], &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("3 pages: 3 imported, 0 merged, 0 unchanged, 0 refused"),
        "{stdout}"
    );
    let spec = |id: &str| -> serde_json::Value {
        let path = out.path().join(format!("specs/onlyoffice/{id}.json"));
        serde_json::from_str(&fs::read_to_string(&path).expect("spec")).expect("JSON")
    };
    let close = spec("put-crm-case-caseid-close");
    assert_eq!(
        close["responses"][0]["example"],
        serde_json::json!({"from": "same-type", "endpoint": "onlyoffice/get-crm-case-caseid"})
    );
    assert_eq!(
        close["responses"][0]["json"],
        "onlyoffice/put-crm-case-caseid-close/response-200.json"
    );
    // `List of cases` has no documented example: a single case is none.
    let list = spec("get-crm-case-bycontact-contactid");
    assert_eq!(
        list["responses"][0]["example"],
        serde_json::json!({"from": "unknown"})
    );
    assert!(list["responses"][0].get("json").is_none(), "{list}");
    let (passed, said) = check(out.path());
    assert!(passed, "check: {said}");
}

#[test]
fn a_malformed_xml_example_is_refused_naming_its_line_and_never_cut_to_a_fragment() {
    let pages = common::root().join("tests/pages");
    let out = tempfile::tempdir().expect("tempdir");
    // The page's only example lost `</Members>`: no fragment of it (such as
    // `<status>0</status>`) may become the example.
    let xml_only = pages.join("86_broken-xml-only-example-lost-an-end-tag.txt");
    let output = import(out.path(), &[xml_only], &[]);
    assert!(!output.status.success(), "a malformed example was imported");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "86_broken-xml-only-example-lost-an-end-tag.txt:69: example response: expected the \
             XML example to be well-formed XML: ill-formed document: expected `</Members>`, but \
             `</response>` was found"
        ),
        "{stderr}"
    );
    assert!(
        !out.path().join("fixtures").exists(),
        "{:?}",
        tree(out.path())
    );

    // Beside a well-formed JSON example, the XML one is left out with a
    // warning, and the XML answer is rendered from the JSON.
    let beside_json = pages.join("85_get-case-tags-xml-example-lost-an-end-tag.txt");
    let output = import(out.path(), &[beside_json], &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(
            "line 39: the XML example is not well-formed XML (ill-formed document: expected \
             `</response>`, but `</result>` was found); it is left out"
        ),
        "{stdout}"
    );
    let fixtures = out
        .path()
        .join("fixtures/onlyoffice/get-crm-case-caseid-tag");
    assert!(fixtures.join("response-200.json").is_file());
    assert!(
        !fixtures.join("response-200.xml").exists(),
        "{:?}",
        tree(out.path())
    );
}

#[test]
fn a_page_of_many_unclosed_lines_is_read_once_and_refused() {
    // Each line opening an element or an object that never closes used to
    // be read to the end of the page again: here the first is the example,
    // and the page is refused as malformed at it.
    let dir = tempfile::tempdir().expect("tempdir");
    let head = fs::read_to_string(common::root().join("tests/pages/06_get-case-xml-only.txt"))
        .expect("page");
    let head = &head[..head.find("<result>").expect("the example")];
    for (name, line) in [("angle.txt", "<item>"), ("brace.txt", "{")] {
        let page = dir.path().join(name);
        fs::write(
            &page,
            format!("{head}{}", format!("{line}\n").repeat(20_000)),
        )
        .expect("write");
        let output = import(&dir.path().join("out"), &[page], &[]);
        assert!(!output.status.success(), "{name} was imported");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("{name}:25: example response")),
            "{stderr}"
        );
    }
}
