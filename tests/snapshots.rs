//! Snapshots of what the server sends for every documented example, in JSON
//! and in XML, over real HTTP. Review changes to `tests/snapshots/` like code.

mod common;

use common::{Server, bundled, client, example_request};

async fn served(reply: reqwest::Response) -> String {
    let status = reply.status().as_u16();
    let content_type = reply.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .to_string();
    let body = reply.text().await.expect("utf-8 body");
    format!("HTTP {status}\ncontent-type: {content_type}\n\n{body}")
}

#[tokio::test]
async fn every_endpoint_serves_its_documented_json_and_xml() {
    // The documentation's formats, whose Accept asks every dialect for XML
    // whatever the body; the server's rule is pinned in tests/clients.rs.
    let server = Server::start(&["--formats", "documented"]);
    let catalog = bundled();
    let http = client();
    // Documented examples only: the built-in logins are tested on their own.
    for endpoint in catalog.endpoints.iter().filter(|e| !e.is_built_in()) {
        let prefix = &catalog.api_of(endpoint).prefix;
        let name = endpoint.id.replace('/', "__");
        for (form, accept) in [("json", "application/json"), ("xml", "application/xml")] {
            let reply = example_request(&http, &server.base, prefix, endpoint, Some(accept))
                .send()
                .await
                .expect("request sent");
            insta::assert_snapshot!(format!("{name}__{form}"), served(reply).await);
        }
    }
}

#[tokio::test]
async fn error_bodies_keep_each_vendors_shape() {
    // ONLYOFFICE's XML is asked for as its server reads it: with `.xml`.
    let server = Server::start(&[]);
    let http = client();
    let cases = [
        (
            "onlyoffice_bad_path_param",
            "PUT",
            "/onlyoffice/api/2.0/crm/contact/abc/status",
            "application/json",
        ),
        (
            "onlyoffice_bad_path_param_xml",
            "PUT",
            "/onlyoffice/api/2.0/crm/contact/abc/status.xml",
            "text/xml",
        ),
        (
            "r7_wrong_method_xml",
            "DELETE",
            "/r7/api/2.0/crm/contact/1234.xml",
            "application/xml",
        ),
        (
            "superoffice_bad_path_param",
            "PUT",
            "/superoffice/api/v1/Contact/x1",
            "application/json",
        ),
        (
            "superoffice_bad_path_param_xml",
            "PUT",
            "/superoffice/api/v1/Contact/x1",
            "application/xml",
        ),
    ];
    for (name, method, path, accept) in cases {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let reply = http
            .request(method, server.url(path))
            .header("Accept", accept)
            .send()
            .await
            .expect("request sent");
        insta::assert_snapshot!(name, served(reply).await);
    }
}
