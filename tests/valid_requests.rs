//! Requests that keep the contract: every documented example in every
//! content type the vendor accepts, every accepted credential, and the
//! SuperOffice behaviours ($select, If-Unmodified-Since).

mod common;

use common::{Server, anonymous_client, bundled, client};
use docmock::contract::dialect::DialectName;
use docmock::contract::render::to_xml;
use serde_json::{Value, json};

/// The example body of `endpoint` in each request media type its API takes.
fn encodings(
    dialect: DialectName,
    example: &Value,
    type_name: &str,
) -> Vec<(&'static str, String)> {
    let mut forms = vec![
        ("application/json", example.to_string()),
        ("text/json", example.to_string()),
    ];
    // XML bodies written by the API's own conventions.
    let xml_root = match dialect {
        DialectName::Superoffice => Some(type_name),
        _ => None,
    };
    let xml = to_xml(&dialect.rules().xml, example, xml_root);
    forms.push(("application/xml", xml.clone()));
    forms.push(("text/xml", xml));
    // Forms carry the flat members; nested carriers do not travel in forms.
    let flat: Vec<(String, String)> = example
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| match v {
            Value::String(s) => Some((k.clone(), s.clone())),
            Value::Number(n) => Some((k.clone(), n.to_string())),
            Value::Bool(b) => Some((k.clone(), b.to_string())),
            _ => None,
        })
        .collect();
    let form = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(flat)
        .finish();
    forms.push(("application/x-www-form-urlencoded", form));
    if dialect == DialectName::Superoffice {
        forms.push((
            "application/json-patch+json",
            json!([{"op": "replace", "path": "/Name", "value": "Renamed"}]).to_string(),
        ));
        forms.push((
            "application/merge-patch+json",
            json!({"Department": "Support"}).to_string(),
        ));
    }
    forms
}

#[tokio::test]
async fn every_documented_request_is_accepted_in_every_content_type_and_both_reply_forms() {
    let server = Server::start(&[]);
    let catalog = bundled();
    let http = client();
    let mut sent = 0;
    // The documented requests: the built-in logins have their own tests.
    for endpoint in catalog.endpoints.iter().filter(|e| !e.is_built_in()) {
        let api = catalog.api_of(endpoint);
        let example = endpoint.request.as_ref().expect("example request");
        let Some(body) = &example.body else {
            continue;
        };
        let value: Value = serde_json::from_slice(body).expect("JSON example body");
        let documented = endpoint.responses[0].status;
        let type_name = if api.dialect == DialectName::Superoffice {
            "ContactEntity"
        } else {
            "request"
        };
        for (media_type, encoded) in encodings(api.dialect, &value, type_name) {
            for accept in ["application/json", "application/xml"] {
                let method = reqwest::Method::from_bytes(endpoint.method.as_str().as_bytes())
                    .expect("method");
                let reply = http
                    .request(
                        method,
                        server.url(&format!("{}{}", api.prefix, example.target)),
                    )
                    .header("Content-Type", media_type)
                    .header("Accept", accept)
                    .body(encoded.clone())
                    .send()
                    .await
                    .expect("sent");
                let status = reply.status().as_u16();
                let text = reply.text().await.expect("body");
                assert_eq!(
                    status, documented,
                    "{} as {media_type} (Accept {accept}): {text}",
                    endpoint.id
                );
                sent += 1;
            }
        }
    }
    assert_eq!(sent, 2 * (5 + 5 + 7));
}

#[tokio::test]
async fn onlyoffice_takes_body_parameters_from_the_query_string_too() {
    let server = Server::start(&[]);
    let reply = client()
        .put(server.url("/onlyoffice/api/2.0/crm/contact/1234/status.json?contactStatusid=5"))
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 200);
}

#[tokio::test]
async fn every_credential_the_vendors_accept_is_accepted() {
    let server = Server::start(&[]);
    let http = anonymous_client();
    let r7 = server.url("/r7/api/2.0/crm/contact/1234.json");
    for (name, value) in [
        ("Authorization", "any-token"),
        ("Cookie", "theme=dark; asc_auth_key=abc"),
    ] {
        let reply = http
            .get(&r7)
            .header(name, value)
            .send()
            .await
            .expect("sent");
        assert_eq!(reply.status(), 200, "{name}: {value}");
    }
    let so = server.url("/superoffice/api/v1/Contact/763");
    for (name, value) in [
        ("Authorization", "Basic dGplMDpUamUw"),
        ("Authorization", "SoTicket 7T:abc"),
        ("Authorization", "Bearer eyJ0"),
        ("X-XSRF-TOKEN", "abc"),
    ] {
        let reply = http
            .put(&so)
            .header(name, value)
            .header("Content-Type", "application/json")
            .body(r#"{"Name": "A"}"#)
            .send()
            .await
            .expect("sent");
        assert_eq!(reply.status(), 200, "{name}: {value}");
    }
}

#[tokio::test]
async fn superoffice_401_carries_its_challenge() {
    let server = Server::start(&[]);
    let reply = anonymous_client()
        .put(server.url("/superoffice/api/v1/Contact/763"))
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 401);
    assert_eq!(
        reply.headers()["www-authenticate"],
        "Basic realm=\"SuperOffice Username or Ticket\""
    );
}

#[tokio::test]
async fn a_fixed_token_accepts_only_itself() {
    let server = Server::start(&["--token", "s3cret"]);
    let http = anonymous_client();
    let url = server.url("/r7/api/2.0/crm/contact/1234.json");
    let right = http
        .get(&url)
        .header("Authorization", "s3cret")
        .send()
        .await
        .expect("sent");
    assert_eq!(right.status(), 200);
    let wrong = http
        .get(&url)
        .header("Authorization", "other")
        .send()
        .await
        .expect("sent");
    assert_eq!(wrong.status(), 403);
    let so = http
        .put(server.url("/superoffice/api/v1/Contact/763"))
        .header("Authorization", "Bearer s3cret")
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("sent");
    assert_eq!(so.status(), 200);
}

#[tokio::test]
async fn select_nulls_every_field_not_listed_in_json_and_xml() {
    let server = Server::start(&[]);
    let http = client();
    let url = server
        .url("/superoffice/api/v1/Contact/763?$select=name,department,category/id,Emails/Value");
    let json_reply = http
        .put(&url)
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("sent");
    assert_eq!(json_reply.status(), 200);
    let body: Value = json_reply.json().await.expect("json");
    assert_eq!(body["Name"], "TechCorp Solutions");
    assert_eq!(body["Department"], "Sales");
    assert_eq!(body["ContactId"], Value::Null);
    assert_eq!(body["OrgNr"], Value::Null);
    assert_eq!(
        body["Category"],
        Value::Null,
        "null in the example stays null"
    );
    assert_eq!(body["Emails"][0]["Value"], "fuga");
    assert_eq!(body["Emails"][0]["Description"], Value::Null);
    let keys: Vec<&String> = body.as_object().expect("object").keys().collect();
    assert_eq!(
        keys.first().map(|k| k.as_str()),
        Some("ContactId"),
        "documented order kept"
    );

    let xml = http
        .put(&url)
        .header("Content-Type", "application/json")
        .header("Accept", "application/xml")
        .body("{}")
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("body");
    assert!(xml.contains("<Name>TechCorp Solutions</Name>"), "{xml}");
    assert!(xml.contains("<OrgNr i:nil=\"true\" />"), "{xml}");
}

#[tokio::test]
async fn if_unmodified_since_after_the_last_change_lets_the_update_through() {
    let server = Server::start(&[]);
    let reply = client()
        .put(server.url("/superoffice/api/v1/Contact/763"))
        .header("Content-Type", "application/json")
        .header("If-Unmodified-Since", "Thu, 28 Mar 2019 10:00:00 GMT")
        .body(r#"{"Name": "A"}"#)
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 200);
}

#[tokio::test]
async fn prefer_picks_the_documented_412_in_superoffice_error_form() {
    let server = Server::start(&[]);
    let reply = client()
        .put(server.url("/superoffice/api/v1/Contact/763"))
        .header("Content-Type", "application/json")
        .header("Prefer", "code=412")
        .body(r#"{"Name": "A"}"#)
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 412);
    let body: Value = reply.json().await.expect("json");
    assert_eq!(body["Error"], true);
    assert_eq!(
        body["ErrorMessage"],
        "Update stopped because ContactEntity has changed since the requested If-Unmodified-Since timestamp."
    );
}

#[tokio::test]
async fn lenient_replays_a_request_that_breaks_the_contract() {
    let server = Server::start(&["--lenient"]);
    let reply = anonymous_client()
        .put(server.url("/onlyoffice/api/2.0/crm/contact/1234/status.json"))
        .header("Content-Type", "application/json")
        .body(r#"{"contactStatusid": "not a number"}"#)
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 200);
}

#[test]
fn check_passes_on_the_bundled_specs_and_fails_on_a_broken_example() {
    let output = common::run_in(&common::root(), &["check"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("7 endpoints in 3 APIs, no problems"));

    let dir = common::scratch_copy();
    let request = dir
        .path()
        .join("fixtures/onlyoffice/post-crm-case-caseid-contact/request.json");
    std::fs::write(&request, "{\n  \"contactid\": \"x\"\n}\n").expect("write");
    let output = common::run_in(dir.path(), &["check", "specs"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("post-crm-case-caseid-contact.json: /request: the documented example request gets 400 instead of the documented 201"),
        "{stderr}"
    );
}

#[tokio::test]
async fn superoffice_reads_a_query_list_as_one_comma_separated_value_or_repeated_keys() {
    let dir = common::scratch_copy();
    let specs = dir.path().join("specs");
    std::fs::write(
        specs.join("superoffice/get-things.json"),
        r#"{
  "method": "GET",
  "path": "/api/v1/Things",
  "summary": "Lists things",
  "auth": false,
  "parameters": [
    {
      "name": "ids",
      "in": "query",
      "description": "The things to list.",
      "type": "int32[]",
      "schema": {"type": "array", "items": {"type": "integer", "format": "int32"}},
      "example": [1, 2],
      "required": true
    }
  ],
  "request": {"target": "/api/v1/Things?ids=1,2", "headers": {"Accept": "application/json"}},
  "responses": [
    {"status": 200, "description": "The things.", "type": "string[]", "json": "superoffice/get-things/response-200.json"}
  ]
}
"#,
    )
    .expect("spec written");
    let fixtures = dir.path().join("fixtures/superoffice/get-things");
    std::fs::create_dir_all(&fixtures).expect("mkdir");
    std::fs::write(fixtures.join("response-200.json"), "[\"a\", \"b\"]\n").expect("fixture");
    let server = Server::start(&["--specs", specs.to_str().expect("UTF-8 path")]);
    let http = anonymous_client();
    for (query, status) in [
        ("ids=670,272", 200),
        ("ids=670, 272", 200),
        ("ids=670&ids=272", 200),
        ("IDS=670,272", 200),
        ("ids=670,x", 400),
        // Nothing in the list binds as a list left out: empty, with a
        // warning (`tests/binding.rs`).
        ("ids=", 200),
    ] {
        let reply = http
            .get(server.url(&format!("/superoffice/api/v1/Things?{query}")))
            .send()
            .await
            .expect("sent");
        assert_eq!(reply.status(), status, "{query}");
        if status == 400 {
            let error: Value = reply.json().await.expect("JSON");
            let pointer = &error["Violations"][0]["Pointer"];
            assert!(pointer == "/ids/1" || pointer == "/ids", "{query}: {error}");
        }
    }
}
