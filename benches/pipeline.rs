//! Microbenchmarks of the pipeline's stages: routing, request validation,
//! body decoding, rendering, and whole requests answered in-process.
//!
//! `cargo bench --bench pipeline`

use std::hint::black_box;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use docmock::answer::body::{BodyKind, decode};
use docmock::contract::dialect::{ArrayForm, DialectName};
use docmock::contract::render::to_xml;
use docmock::{Catalog, Mock, Mount, Request, Source};
use http::Method;

fn mock() -> Mock {
    let catalog = Catalog::load(&Source::new("specs", None)).expect("bundled specs load");
    Mock::new(catalog, &Mount::All).expect("mounts")
}

/// The bundled specs plus `count` copies of the R7-Office contact endpoint
/// in the same API, most on paths of their own and every tenth beside the
/// contact route with a string parameter where it has an integer one, as
/// `bench/load.sh` serves them: the catalog size must not show in the
/// time per request.
fn large_mock(count: usize) -> Mock {
    use docmock::contract::catalog::PathTemplate;
    let mut catalog = Catalog::load(&Source::new("specs", None)).expect("bundled specs load");
    let template = catalog
        .endpoints
        .iter()
        .find(|e| e.id == "r7/get-crm-contact-contactid")
        .expect("the R7 contact endpoint")
        .clone();
    for i in 0..count {
        let mut endpoint = template.clone();
        endpoint.id = format!("r7/bench-{i}");
        let raw = if i % 10 == 0 {
            for parameter in &mut endpoint.parameters {
                if parameter.name == "contactid" {
                    parameter.name = "name".into();
                    parameter.schema = serde_json::json!({"type": "string"});
                }
            }
            format!("/api/2.0/crm/contact/{{name}}/note{i}")
        } else {
            format!("/api/2.0/crm/area{}/entity{i}/{{contactid}}", i % 50)
        };
        endpoint.path = PathTemplate::parse(&raw).expect("template");
        catalog.endpoints.push(endpoint);
    }
    Mock::new(catalog, &Mount::All).expect("mounts")
}

fn routing(c: &mut Criterion) {
    let mock = mock();
    let router = mock.router();
    c.bench_function("route: templated path", |b| {
        b.iter(|| {
            black_box(router.route(
                black_box(&Method::PUT),
                black_box("/onlyoffice/api/2.0/crm/contact/1234/status"),
            ));
        })
    });
    let large = large_mock(3000);
    c.bench_function("route: R7 contact, 5 endpoints", |b| {
        b.iter(|| {
            black_box(router.route(
                black_box(&Method::GET),
                black_box("/r7/api/2.0/crm/contact/1234"),
            ));
        })
    });
    c.bench_function("route: R7 contact, 3,005 endpoints", |b| {
        b.iter(|| {
            black_box(large.router().route(
                black_box(&Method::GET),
                black_box("/r7/api/2.0/crm/contact/1234"),
            ));
        })
    });
    c.bench_function("route: unknown path", |b| {
        b.iter(|| {
            black_box(router.route(
                &Method::GET,
                black_box("/onlyoffice/api/2.0/crm/nothing/here"),
            ))
        })
    });
}

fn requests(c: &mut Criterion) {
    let mock = mock();
    let get = Request::new(Method::GET, "/r7/api/2.0/crm/contact/1234")
        .header("Authorization", "token")
        .header("Accept", "application/json");
    c.bench_function("answer: GET JSON", |b| {
        b.iter(|| black_box(mock.answer(black_box(&get))))
    });
    let large = large_mock(3000);
    c.bench_function("answer: GET JSON, 3,005 endpoints", |b| {
        b.iter(|| black_box(large.answer(black_box(&get))))
    });
    let get_xml = get.clone().header("Accept", "application/xml");
    c.bench_function("answer: GET XML", |b| {
        b.iter(|| black_box(mock.answer(black_box(&get_xml))))
    });
    let mut put = Request::new(Method::PUT, "/onlyoffice/api/2.0/crm/contact/1234/status")
        .header("Authorization", "token")
        .header("Accept", "application/json")
        .header("Content-Type", "application/json");
    put.body = Bytes::from_static(br#"{"contactStatusid": 1234}"#);
    c.bench_function("answer: PUT validated JSON body", |b| {
        b.iter(|| black_box(mock.answer(black_box(&put))))
    });
    let mut bad = put.clone();
    bad.body = Bytes::from_static(br#"{"contactStatusid": "x"}"#);
    c.bench_function("answer: PUT rejected with 400", |b| {
        b.iter(|| black_box(mock.answer(black_box(&bad))))
    });
    let mut entity = Request::new(Method::PUT, "/superoffice/api/v1/Contact/763")
        .header("Authorization", "Basic dGplMDpUamUw")
        .header("Content-Type", "application/json");
    entity.body = Bytes::from(
        std::fs::read("fixtures/superoffice/put-contact-id/request.json").expect("fixture"),
    );
    c.bench_function("answer: PUT SuperOffice entity (5 KB)", |b| {
        b.iter(|| black_box(mock.answer(black_box(&entity))))
    });
}

fn decoding(c: &mut Criterion) {
    let schema = serde_json::json!({"type": "object", "properties": {
        "contactStatusid": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}}});
    let xml = b"<request>\n  <contactStatusid>1234</contactStatusid>\n  <tags>a</tags>\n  <tags>b</tags>\n</request>";
    c.bench_function("decode: XML body", |b| {
        b.iter(|| {
            black_box(decode(
                BodyKind::Xml,
                black_box(xml),
                Some(&schema),
                None,
                ArrayForm::Repeated,
            ))
        })
    });
    let form = b"contactStatusid=1234&tags=a&tags=b";
    c.bench_function("decode: form body", |b| {
        b.iter(|| {
            black_box(decode(
                BodyKind::Form,
                black_box(form),
                Some(&schema),
                None,
                ArrayForm::Repeated,
            ))
        })
    });
}

fn rendering(c: &mut Criterion) {
    let text = std::fs::read_to_string(
        "fixtures/onlyoffice/put-crm-contact-contactid-status/response-200.json",
    )
    .expect("fixture");
    let value: serde_json::Value = serde_json::from_str(&text).expect("json");
    let style = &DialectName::Onlyoffice.rules().xml;
    c.bench_function("render: XML of the ONLYOFFICE contact", |b| {
        b.iter(|| black_box(to_xml(style, black_box(&value), None)))
    });
    c.bench_function("render: JSON of the ONLYOFFICE contact", |b| {
        b.iter(|| black_box(docmock::contract::render::to_json(black_box(&value))))
    });
}

criterion_group!(benches, routing, requests, decoding, rendering);
criterion_main!(benches);
