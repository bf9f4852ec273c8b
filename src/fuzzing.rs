//! Entry points shared by the fuzz targets in `fuzz/` and by the tests that
//! replay the inputs they once crashed on (`tests/fuzz_regressions.rs`).
//! Each takes arbitrary bytes and must return without panicking.

use std::sync::OnceLock;

use bytes::Bytes;
use serde_json::json;

use crate::answer::body::{BodyKind, decode, to_utf8};
use crate::answer::pipeline::Mock;
use crate::answer::request::Request;
use crate::answer::router::Mount;
use crate::contract::catalog::{Catalog, Source};
use crate::contract::dialect::{ArrayForm, DialectName};
use crate::contract::render::infer_xml;

fn schema() -> serde_json::Value {
    json!({"type": "object", "properties": {
        "id": {"type": "integer"},
        "name": {"type": ["string", "null"]},
        "flag": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "nested": {"type": ["object", "null"], "properties": {"n": {"type": "number"}}}
    }})
}

/// XML bodies: decoded with and without a schema in both array
/// conventions, and read backwards as an XML-only example.
pub fn xml_body(data: &[u8]) {
    let schema = schema();
    for arrays in [ArrayForm::Repeated, ArrayForm::Wrapped] {
        let _ = decode(BodyKind::Xml, data, Some(&schema), None, arrays);
        let _ = decode(BodyKind::Xml, data, None, None, arrays);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        for dialect in [
            DialectName::Onlyoffice,
            DialectName::R7office,
            DialectName::Superoffice,
        ] {
            let _ = infer_xml(text, &dialect.rules().xml);
        }
    }
}

/// Form bodies against a schema, as sent and in charsets they may name,
/// and JSON Patch / Merge Patch bodies.
pub fn form_body(data: &[u8]) {
    let schema = schema();
    let entity = json!({"id": 1, "name": "a", "tags": ["x"]});
    let _ = decode(
        BodyKind::Form,
        data,
        Some(&schema),
        None,
        ArrayForm::Repeated,
    );
    for charset in ["windows-1251", "iso-8859-1", "utf-16le", "shift_jis"] {
        let content_type = format!("application/x-www-form-urlencoded; charset={charset}");
        if let Ok(text) = to_utf8(data, &content_type, BodyKind::Form) {
            let _ = decode(
                BodyKind::Form,
                &text,
                Some(&schema),
                None,
                ArrayForm::Repeated,
            );
        }
    }
    let _ = decode(
        BodyKind::JsonPatch,
        data,
        Some(&schema),
        Some(&entity),
        ArrayForm::Wrapped,
    );
    let _ = decode(
        BodyKind::MergePatch,
        data,
        Some(&schema),
        Some(&entity),
        ArrayForm::Wrapped,
    );
}

fn bundled() -> Option<&'static Mock> {
    static MOCK: OnceLock<Option<Mock>> = OnceLock::new();
    MOCK.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let (catalog, _) = Catalog::load_lenient(&Source::new(root.join("specs"), None));
        Mock::new(catalog, &Mount::All).ok()
    })
    .as_ref()
}

/// A whole request, written as `METHOD TARGET`, header lines, a blank line
/// and the body, through the bundled specs.
pub fn request(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let first = lines.next().unwrap_or("");
    let (method, target) = first.split_once(' ').unwrap_or(("GET", first));
    let Ok(method) = http::Method::from_bytes(method.as_bytes()) else {
        return;
    };
    let target = if target.starts_with('/') {
        target.to_string()
    } else {
        format!("/{target}")
    };
    let mut request = Request::new(method, &target);
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            request = request.header(name.trim(), value.trim());
        }
    }
    request.body = Bytes::from(body.as_bytes().to_vec());
    if let Some(mock) = bundled() {
        let _ = mock.answer(&request);
    }
}

/// An endpoint spec file, loaded beside a valid `api.json` and, when it
/// loads, mounted and sent its own example request.
pub fn spec_file(data: &[u8]) {
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let api = dir.path().join("specs/fuzz");
    let fixtures = dir.path().join("fixtures");
    if std::fs::create_dir_all(&api).is_err() || std::fs::create_dir_all(&fixtures).is_err() {
        return;
    }
    let _ = std::fs::write(
        api.join("api.json"),
        r#"{"name": "fuzz", "title": "Fuzz", "dialect": "onlyoffice", "prefix": "/fuzz"}"#,
    );
    let _ = std::fs::write(
        fixtures.join("body.json"),
        r#"{"status": 0, "response": {"a": true}}"#,
    );
    let _ = std::fs::write(api.join("endpoint.json"), data);
    let (catalog, _) = Catalog::load_lenient(&Source::new(dir.path().join("specs"), None));
    if let Ok(mock) = Mock::new(catalog, &Mount::All) {
        for index in 0..mock.catalog().endpoints.len() {
            if let Some(request) = crate::commands::check::example_request(&mock, index) {
                let _ = mock.answer(&request);
            }
        }
    }
}

/// A documentation page through the importer.
pub fn page(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = crate::import::parse_page("fuzz.txt", &text);
}
