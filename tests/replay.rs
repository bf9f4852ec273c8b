//! The replay server over real HTTP: documented examples in both forms,
//! format negotiation, and the routing errors.

mod common;

use common::{Server, bundled, client, example_request};
use docmock::contract::catalog::same_xml_text;
use serde_json::Value;

fn prefix_of(
    catalog: &docmock::Catalog,
    endpoint: &docmock::contract::catalog::Endpoint,
) -> String {
    catalog.api_of(endpoint).prefix.clone()
}

/// SuperOffice's documented update request, with `accept` if given.
async fn superoffice_update(server: &Server, accept: Option<&str>) -> reqwest::Response {
    let body =
        std::fs::read(common::root().join("fixtures/superoffice/put-contact-id/request.json"))
            .expect("fixture");
    let mut request = client()
        .put(server.url("/superoffice/api/v1/Contact/763"))
        .header("Authorization", "Basic dGplMDpUamUw")
        .header("Content-Type", "application/json")
        .body(body);
    if let Some(accept) = accept {
        request = request.header("Accept", accept);
    }
    request.send().await.expect("sent")
}

#[tokio::test]
async fn every_documented_example_returns_the_documented_status_and_json_verbatim() {
    let server = Server::start(&[]);
    let catalog = bundled();
    let http = client();
    for endpoint in catalog.endpoints.iter().filter(|e| !e.is_built_in()) {
        let prefix = prefix_of(&catalog, endpoint);
        let reply = example_request(
            &http,
            &server.base,
            &prefix,
            endpoint,
            Some("application/json"),
        )
        .send()
        .await
        .expect("request sent");
        let documented = &endpoint.responses[0];
        assert_eq!(
            reply.status().as_u16(),
            documented.status,
            "{}",
            endpoint.id
        );
        assert_eq!(
            reply.headers()["content-type"],
            "application/json; charset=utf-8",
            "{}",
            endpoint.id
        );
        let body = reply.bytes().await.expect("body");
        let fixture = std::fs::read(common::root().join("fixtures").join(format!(
            "{}/response-{}.json",
            endpoint.id, documented.status
        )))
        .expect("fixture");
        assert_eq!(
            body.as_ref(),
            fixture.as_slice(),
            "{} JSON differs from the docs",
            endpoint.id
        );
    }
}

#[tokio::test]
async fn xml_is_served_for_the_xml_suffix_and_equals_the_documented_xml() {
    let server = Server::start(&[]);
    let catalog = bundled();
    let http = client();
    let mut checked = 0;
    for endpoint in &catalog.endpoints {
        let Some(documented) = endpoint.responses[0].xml_fixture.as_deref() else {
            continue;
        };
        let prefix = prefix_of(&catalog, endpoint);
        // As Community Server does, `.xml` selects XML without any Accept
        // header, unless the request sends JSON.
        let target = &endpoint.request.as_ref().expect("example").target;
        let method =
            reqwest::Method::from_bytes(endpoint.method.as_str().as_bytes()).expect("method");
        let url = server.url(&format!("{prefix}{target}.xml"));
        let body = endpoint.request.as_ref().and_then(|r| r.body.clone());
        let mut request = http.request(method.clone(), &url);
        if let Some(body) = &body {
            // The same fields as a form: what a client that wants XML sends.
            let fields: serde_json::Map<String, Value> =
                serde_json::from_slice(body).expect("a JSON object");
            let mut form = form_urlencoded::Serializer::new(String::new());
            for (name, value) in &fields {
                let text = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_string);
                form.append_pair(name, &text);
            }
            request = request
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(form.finish());
        }
        let reply = request.send().await.expect("request sent");
        assert_eq!(reply.headers()["content-type"], "text/xml; charset=utf-8");
        let reply_body = reply.bytes().await.expect("body");
        assert!(
            same_xml_text(documented, &reply_body),
            "{} with .xml",
            endpoint.id
        );
        if let Some(body) = body {
            let json = http
                .request(method, &url)
                .header("Content-Type", "application/json")
                .body(body.to_vec())
                .send()
                .await
                .expect("request sent");
            assert_eq!(
                json.headers()["content-type"],
                "application/json; charset=utf-8",
                "{}: a JSON body gets JSON, .xml or not",
                endpoint.id
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 4, "the four ONLYOFFICE/R7 pages document XML");
}

#[tokio::test]
async fn the_documented_formats_serve_xml_for_accept_headers_and_the_xml_suffix() {
    let server = Server::start(&["--formats", "documented"]);
    let catalog = bundled();
    let http = client();
    let mut checked = 0;
    for endpoint in &catalog.endpoints {
        let Some(documented) = endpoint.responses[0].xml_fixture.as_deref() else {
            continue;
        };
        let prefix = prefix_of(&catalog, endpoint);
        for accept in ["text/xml", "application/xml"] {
            let reply = example_request(&http, &server.base, &prefix, endpoint, Some(accept))
                .send()
                .await
                .expect("request sent");
            assert_eq!(
                reply.headers()["content-type"],
                format!("{accept}; charset=utf-8").as_str()
            );
            let body = reply.bytes().await.expect("body");
            assert!(
                same_xml_text(documented, &body),
                "{} with Accept {accept}",
                endpoint.id
            );
        }
        // The documentation's `.xml` suffix selects XML whatever is sent.
        let target = &endpoint.request.as_ref().expect("example").target;
        let method =
            reqwest::Method::from_bytes(endpoint.method.as_str().as_bytes()).expect("method");
        let mut request = http.request(method, server.url(&format!("{prefix}{target}.xml")));
        if let Some(body) = endpoint.request.as_ref().and_then(|r| r.body.clone()) {
            request = request
                .header("Content-Type", "application/json")
                .body(body.to_vec());
        }
        let reply = request.send().await.expect("request sent");
        assert_eq!(reply.headers()["content-type"], "text/xml; charset=utf-8");
        let body = reply.bytes().await.expect("body");
        assert!(
            same_xml_text(documented, &body),
            "{} with .xml",
            endpoint.id
        );
        checked += 1;
    }
    assert_eq!(checked, 4, "the four ONLYOFFICE/R7 pages document XML");
}

#[tokio::test]
async fn a_request_that_names_no_format_gets_the_vendors_default() {
    let server = Server::start(&[]);
    let http = client();
    let r7 = http
        .get(server.url("/r7/api/2.0/crm/contact/1234"))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        r7.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let body: Value = r7.json().await.expect("json");
    assert_eq!(body["response"]["firstName"], "Tadjeddine");

    let superoffice = superoffice_update(&server, None).await;
    assert_eq!(
        superoffice.headers()["content-type"],
        "application/json; charset=utf-8"
    );
}

#[tokio::test]
async fn a_request_that_names_no_format_gets_the_documented_default_when_asked() {
    let server = Server::start(&["--formats", "documented"]);
    let r7 = client()
        .get(server.url("/r7/api/2.0/crm/contact/1234"))
        .send()
        .await
        .expect("sent");
    assert_eq!(r7.headers()["content-type"], "text/xml; charset=utf-8");
    assert!(r7.text().await.expect("body").starts_with("<result>"));
}

#[tokio::test]
async fn the_json_suffix_wins_over_an_xml_accept_header() {
    let server = Server::start(&[]);
    let reply = client()
        .get(server.url("/r7/api/2.0/crm/contact/1234.json"))
        .header("Accept", "text/xml")
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 200);
    let body: Value = reply.json().await.expect("json");
    assert_eq!(body["response"]["firstName"], "Tadjeddine");
}

#[tokio::test]
async fn superoffice_xml_is_a_datacontract_document_named_after_the_returned_type() {
    let server = Server::start(&[]);
    let reply = superoffice_update(&server, Some("application/xml")).await;
    assert_eq!(
        reply.headers()["content-type"],
        "application/xml; charset=utf-8"
    );
    let body = reply.text().await.expect("body");
    assert!(body.starts_with(
        "<ContactEntityWithLinks xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">"
    ));
    assert!(body.contains("<UpdatedBy i:nil=\"true\" />"));
    assert!(body.contains("<SuperOffice_x003A_1>Prof. Elliot Marquardt DDS</SuperOffice_x003A_1>"));
}

#[tokio::test]
async fn head_answers_like_get_without_a_body() {
    let server = Server::start(&[]);
    let http = client();
    let get = http
        .get(server.url("/r7/api/2.0/crm/contact/1234.json"))
        .send()
        .await
        .expect("sent");
    let length = get.headers()["content-length"].clone();
    let head = http
        .head(server.url("/r7/api/2.0/crm/contact/1234.json"))
        .send()
        .await
        .expect("sent");
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-length"], length);
    assert_eq!(
        head.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    assert!(head.bytes().await.expect("body").is_empty());
}

#[tokio::test]
async fn a_path_parameter_of_the_wrong_type_is_a_400_naming_it() {
    let server = Server::start(&[]);
    let reply = client()
        .put(server.url("/onlyoffice/api/2.0/crm/contact/abc/status"))
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .body(r#"{"contactStatusid": 1234}"#)
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 400);
    let body: Value = reply.json().await.expect("json");
    assert_eq!(body["status"], 1);
    assert_eq!(body["statusCode"], 400);
    assert_eq!(body["error"]["violations"][0]["in"], "path");
    assert_eq!(body["error"]["violations"][0]["pointer"], "/contactid");
    assert_eq!(body["error"]["violations"][0]["got"], "\"abc\"");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("contactid")
    );
}

#[tokio::test]
async fn an_unknown_path_is_a_404_listing_the_nearest_documented_routes() {
    let server = Server::start(&[]);
    let reply = client()
        .get(server.url("/r7/api/2.0/crm/contacts/1234.json"))
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 404);
    let body: Value = reply.json().await.expect("json");
    let message = body["error"]["message"].as_str().expect("message");
    assert!(
        message.contains("GET /r7/api/2.0/crm/contact/{contactid}"),
        "{message}"
    );
}

#[tokio::test]
async fn a_documented_path_with_another_method_is_a_405_with_allow() {
    let server = Server::start(&[]);
    let reply = client()
        .delete(server.url("/r7/api/2.0/crm/contact/1234"))
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 405);
    // OPTIONS is answered on every documented path, so Allow names it too.
    assert_eq!(reply.headers()["allow"], "GET, HEAD, OPTIONS");
    assert_eq!(
        reply.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let body: Value = reply.json().await.expect("json");
    assert_eq!(body["statusCode"], 405, "{body}");
    let xml = client()
        .delete(server.url("/r7/api/2.0/crm/contact/1234.xml"))
        .send()
        .await
        .expect("sent");
    assert_eq!(xml.status(), 405);
    assert_eq!(xml.headers()["content-type"], "text/xml; charset=utf-8");
    let body = xml.text().await.expect("body");
    assert!(body.contains("<statusCode>405</statusCode>"), "{body}");
}

#[tokio::test]
async fn an_accept_header_naming_nothing_servable_is_a_406_under_the_documented_formats() {
    let server = Server::start(&["--formats", "documented"]);
    let reply = client()
        .get(server.url("/r7/api/2.0/crm/contact/1234"))
        .header("Accept", "image/png")
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 406);
}

#[tokio::test]
async fn literal_path_segments_match_ignoring_case_as_aspnet_does() {
    let server = Server::start(&[]);
    let reply = client()
        .get(server.url("/r7/API/2.0/CRM/Contact/1234.json"))
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 200);
}

#[tokio::test]
async fn one_api_can_be_mounted_at_the_root() {
    let server = Server::start(&["--api", "r7"]);
    let http = client();
    let at_root = http
        .get(server.url("/api/2.0/crm/contact/1234.json"))
        .send()
        .await
        .expect("sent");
    assert_eq!(at_root.status(), 200);
    let prefixed = http
        .get(server.url("/r7/api/2.0/crm/contact/1234.json"))
        .send()
        .await
        .expect("sent");
    assert_eq!(prefixed.status(), 404);
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413() {
    let server = Server::start(&["--max-body", "16"]);
    let http = client();
    let reply = http
        .put(server.url("/onlyoffice/api/2.0/crm/contact/1234/status.json"))
        .header("Content-Type", "application/json")
        .body(r#"{"contactStatusid": 1234, "padding": "xxxxxxxxxxxx"}"#)
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 413);
    // Refused before it was read, and still journaled under its endpoint.
    let journal: serde_json::Value = http
        .get(server.url("/__docmock/requests"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(journal[0]["status"], 413);
    assert_eq!(
        journal[0]["endpoint"],
        "onlyoffice/put-crm-contact-contactid-status"
    );
}

#[test]
fn startup_prints_every_route_with_a_curl_line() {
    let server = Server::start(&[]);
    let base = server.base.clone();
    let printed = server.stop();
    for template in [
        "PUT    /onlyoffice/api/2.0/crm/contact/{contactid}/status",
        "GET    /r7/api/2.0/crm/contact/{contactid}",
        "PUT    /superoffice/api/v1/Contact/{id}",
    ] {
        assert!(
            printed.contains(template),
            "{template} missing from:\n{printed}"
        );
    }
    assert!(
        printed.contains(&format!("curl -i {base}/r7/api/2.0/crm/contact/1234")),
        "{printed}"
    );
    // The five documented routes and the two built-in logins.
    assert_eq!(printed.matches("curl ").count(), 7);
}

#[test]
fn routes_lists_method_path_endpoint_and_source_page() {
    let output = common::run_in(&common::root(), &["routes"]);
    assert!(output.status.success());
    let table = String::from_utf8(output.stdout).expect("utf-8");
    assert!(table.starts_with("METHOD"));
    assert!(table.contains("POST    /onlyoffice/api/2.0/crm/case/{caseid}/contact"));
    assert!(table.contains("superoffice/put-contact-id"));
    assert!(table.contains("003_9006d2fa00f33062.txt"));
    // A header, five documented routes, two built-in logins and the line
    // saying SuperOffice takes tenant paths.
    assert_eq!(table.lines().count(), 9);
}
