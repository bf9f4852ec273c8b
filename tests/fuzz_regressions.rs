//! Inputs the fuzz targets in `fuzz/` once crashed or hung on, kept under
//! `fuzz/regressions/<target>/` and replayed here on every test run; and a
//! smoke run of each target over the project's own test material.

use std::fs;
use std::path::Path;

use docmock::fuzzing;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let Ok(entries) = fs::read_dir(&dir) else {
        return 0;
    };
    let mut count = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_file() && path.file_name().is_some_and(|n| n != ".gitkeep") {
            run(&fs::read(&path).expect("readable input"));
            count += 1;
        }
    }
    count
}

#[test]
fn every_kept_crash_input_now_passes() {
    let total = replay("xml_body", fuzzing::xml_body)
        + replay("form_body", fuzzing::form_body)
        + replay("router", fuzzing::request)
        + replay("spec_loader", fuzzing::spec_file)
        + replay("page_importer", fuzzing::page);
    println!("replayed {total} kept inputs");
}

#[test]
fn the_targets_accept_the_project_s_own_material() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for page in fs::read_dir(root.join("tests/pages"))
        .expect("pages")
        .flatten()
        .filter(|entry| entry.path().is_file())
    {
        fuzzing::page(&fs::read(page.path()).expect("page"));
    }
    for spec in [
        "specs/onlyoffice/put-crm-contact-contactid-status.json",
        "specs/superoffice/put-contact-id.json",
    ] {
        fuzzing::spec_file(&fs::read(root.join(spec)).expect("spec"));
    }
    fuzzing::xml_body(
        &fs::read(root.join("fixtures/r7/get-crm-contact-contactid/response-200.xml"))
            .expect("xml"),
    );
    fuzzing::form_body(b"id=1&tags=a&tags[]=b&nested.n=2.5");
    fuzzing::request(b"PUT /onlyoffice/api/2.0/crm/contact/1234/status\nAuthorization: t\nContent-Type: application/json\n\n{\"contactStatusid\": 1}");
}
