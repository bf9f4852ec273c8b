//! Requests no other test sends: generated paths, headers and bodies thrown
//! at the pipeline in-process. Nothing may panic and every answer must be a
//! documented example or a 4xx in the vendor's shape.

mod common;

use bytes::Bytes;
use docmock::{Mock, Mount, Request};
use http::Method;

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize].clone()
    }
}

const PATHS: &[&str] = &[
    "/onlyoffice/api/2.0/crm/contact/1234/status",
    "/onlyoffice/api/2.0/crm/contact/1234/status.xml",
    "/onlyoffice/api/2.0/crm/contact/%ZZ/status",
    "/onlyoffice/api/2.0/crm/contact/%F0%9F%98%80/status.json",
    "/onlyoffice/api/2.0/crm/opportunity/-1/contact/0",
    "/onlyoffice/api/2.0/crm/case/9223372036854775808/contact",
    "/r7/api/2.0/crm/contact/1234",
    "/r7/api/2.0/crm/contact/1234.XML",
    "/r7/api/2.0/crm/contact/.json",
    "/r7//api///2.0/crm/contact/1",
    "/superoffice/api/v1/Contact/763",
    "/superoffice/api/v1/contact/763.xml",
    "/",
    "",
    "/superoffice",
    "/nothing/here",
];

const CONTENT_TYPES: &[&str] = &[
    "application/json",
    "application/json; charset=utf-8",
    "text/json",
    "application/xml",
    "text/xml",
    "application/x-www-form-urlencoded",
    "application/json-patch+json",
    "application/merge-patch+json",
    "multipart/form-data; boundary=x",
    "",
    ";;;",
];

const ACCEPTS: &[&str] = &[
    "application/json",
    "text/xml;q=0.2, application/json;q=0.1",
    "*/*",
    "application/*;q=0",
    "text/*",
    "q=1",
    ",,,",
    "application/xml;q=abc",
    "image/png",
];

const BODIES: &[&str] = &[
    "",
    "{}",
    "[]",
    "null",
    "{\"contactStatusid\": 1}",
    "{\"contactid\": [1, {\"a\": null}]}",
    "{\"Name\": {\"nested\": [1, 2, 3]}, \"Emails\": \"x\"}",
    "[{\"op\": \"remove\", \"path\": \"/nope\"}]",
    "[{\"op\": \"add\", \"path\": \"/Emails/-\", \"value\": {\"Value\": 1}}]",
    "<a><b i:nil=\"true\"/><c>&amp;&#x41;&unknown;</c></a>",
    "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",
    "<a><![CDATA[<b>]]></a><second/>",
    "<unclosed>",
    "a=1&a[]=2&a[b]=3&.=4&[]=5&a.b.c=6&%ZZ=%",
    "contactStatusid=1&contactStatusid=2",
    "\u{feff}{\"contactStatusid\": 1}",
    "{\"contactStatusid\": 1e400}",
    "{\"contactStatusid\": -0}",
    "\u{0}\u{1}\u{2}",
];

#[test]
fn generated_requests_never_panic_and_always_get_an_answer() {
    let catalog = common::bundled();
    let mock = Mock::new(catalog, &Mount::All).expect("mounts");
    let methods = [
        Method::GET,
        Method::HEAD,
        Method::PUT,
        Method::POST,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
    ];
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..5_000 {
        let path = rng.pick(PATHS);
        let query = rng.pick(&[
            "",
            "?$select=name,category/id",
            "?$select=",
            "?contactStatusid=x",
            "?a=%ZZ&&=&",
        ]);
        let mut request = Request::new(rng.pick(&methods), &format!("{path}{query}"));
        request = request.header("Content-Type", rng.pick(CONTENT_TYPES));
        request = request.header("Accept", rng.pick(ACCEPTS));
        if !rng.next().is_multiple_of(3) {
            request = request.header(
                "Authorization",
                rng.pick(&["x", "Basic a", "Bearer", "Digest z", ""]),
            );
        }
        if rng.next().is_multiple_of(5) {
            request = request.header(
                "Prefer",
                rng.pick(&[
                    "code=412",
                    "example=400",
                    "code=",
                    "=",
                    "code=200, example=x",
                ]),
            );
        }
        if rng.next().is_multiple_of(7) {
            request = request.header(
                "If-Unmodified-Since",
                rng.pick(&[
                    "Wed, 21 Oct 2015 07:28:00 GMT",
                    "garbage",
                    "2030-01-01T00:00:00Z",
                ]),
            );
        }
        request.body = Bytes::from(rng.pick(BODIES).as_bytes().to_vec());
        let response = mock.handle(&request);
        let status = response.status().as_u16();
        assert!(
            (200..300).contains(&status) || (400..500).contains(&status),
            "{} {}{} got {status}",
            request.method,
            request.path(),
            query
        );
        // Only a 204 (the answer to OPTIONS) has no body to type.
        assert!(
            status == 204 || response.headers().contains_key("content-type"),
            "{} {}{} got {status} without a Content-Type",
            request.method,
            request.path(),
            query
        );
    }
}
