//! Parameter binding as the vendors' servers do it, driven the way real
//! clients send requests: names in any case in query strings, forms, JSON
//! and XML bodies; documented parameters left out (bound to their default
//! with a warning, or refused under `--strict` and `"strict": true`); and
//! `$select` on SuperOffice's OData lists.

mod common;

use std::fs;
use std::path::Path;

use serde_json::{Value, json};

use common::{Server, client};

/// A spec directory written for these tests: an ONLYOFFICE API with a
/// filter taking query parameters and a login taking a body, and a
/// SuperOffice API with an OData list.
fn specs(strict_api: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let mut onlyoffice = json!({
        "name": "onlyoffice",
        "title": "ONLYOFFICE",
        "dialect": "onlyoffice",
        "prefix": "/onlyoffice"
    });
    if strict_api {
        onlyoffice["strict"] = json!(true);
    }
    write_json(&root.join("specs/onlyoffice/api.json"), &onlyoffice);
    let parameter = |name: &str, location: &str, schema: Value| json!({"name": name, "in": location, "schema": schema, "required": true});
    write_json(
        &root.join("specs/onlyoffice/get-files-filter.json"),
        &json!({
            "method": "GET",
            "path": "/api/2.0/files/filter",
            "auth": true,
            "parameters": [
                parameter("contactid", "query", json!({"type": "integer"})),
                parameter("searchInContent", "query", json!({"type": "boolean"})),
                parameter("version", "query", json!({"type": "integer"})),
            ],
            "responses": [{"status": 200, "json": "onlyoffice/get-files-filter/response-200.json"}]
        }),
    );
    write_json(
        &root.join("fixtures/onlyoffice/get-files-filter/response-200.json"),
        &json!({"count": 0, "status": 0, "response": []}),
    );
    write_json(
        &root.join("specs/onlyoffice/post-authentication.json"),
        &json!({
            "method": "POST",
            "path": "/api/2.0/authentication",
            "parameters": [
                parameter("userName", "body", json!({"type": "string"})),
                parameter("password", "body", json!({"type": "string"})),
            ],
            "responses": [{"status": 201, "json": "onlyoffice/post-authentication/response-201.json"}]
        }),
    );
    write_json(
        &root.join("fixtures/onlyoffice/post-authentication/response-201.json"),
        &json!({"count": 1, "status": 0, "statusCode": 201, "response": {"token": "t"}}),
    );
    write_json(
        &root.join("specs/superoffice/api.json"),
        &json!({
            "name": "superoffice",
            "title": "SuperOffice",
            "dialect": "superoffice",
            "prefix": "/superoffice"
        }),
    );
    write_json(
        &root.join("specs/superoffice/get-sale.json"),
        &json!({
            "method": "GET",
            "path": "/api/v1/Sale",
            "auth": true,
            "parameters": [
                {"name": "$select", "in": "query", "schema": {"type": "string"}},
                {"name": "$top", "in": "query", "schema": {"type": "integer"}}
            ],
            "responses": [{"status": 200, "json": "superoffice/get-sale/response-200.json"}]
        }),
    );
    write_json(
        &root.join("fixtures/superoffice/get-sale/response-200.json"),
        &json!({
            "odata.metadata": "https://www.example.com/api/v1/archive$metadata",
            "odata.nextLink": "next",
            "value": [
                {"PrimaryKey": 7640, "EntityName": "sale", "saleId": 7640, "heading": "Big deal", "amount": 10},
                {"PrimaryKey": 7092, "EntityName": "sale", "saleId": 7092, "heading": "Small deal", "amount": 2}
            ]
        }),
    );
    write_json(
        &root.join("specs/superoffice/post-archive-list.json"),
        &json!({
            "method": "POST",
            "path": "/api/v1/Agents/Archive/GetArchiveList",
            "auth": true,
            "parameters": [
                {"name": "$select", "in": "query", "schema": {"type": "string"}}
            ],
            "responses": [{"status": 200, "json": "superoffice/post-archive-list/response-200.json"}]
        }),
    );
    write_json(
        &root.join("fixtures/superoffice/post-archive-list/response-200.json"),
        &json!([{
            "EntityName": "sale",
            "PrimaryKey": 923,
            "ColumnData": {
                "saleId": {"DisplayValue": "923", "TooltipHint": "", "LinkHint": ""},
                "heading": {"DisplayValue": "Big deal", "TooltipHint": "", "LinkHint": ""},
                "amount": {"DisplayValue": "10", "TooltipHint": "", "LinkHint": ""}
            },
            "LinkHint": "sale_id=923",
            "StyleHint": "",
            "FieldProperties": {
                "saleId": {"FieldType": "System.Int32"},
                "amount": {"FieldType": "System.Double"}
            }
        }]),
    );
    dir
}

fn write_json(path: &Path, value: &Value) {
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, serde_json::to_vec_pretty(value).expect("json")).expect("write");
}

fn serve(dir: &tempfile::TempDir, extra: &[&str]) -> Server {
    let specs = dir.path().join("specs");
    let mut args = vec!["--specs", specs.to_str().expect("utf-8")];
    args.extend_from_slice(extra);
    Server::start(&args)
}

const FILTER: &str = "/onlyoffice/api/2.0/files/filter";
const LOGIN: &str = "/onlyoffice/api/2.0/authentication";

async fn status_of(request: reqwest::RequestBuilder) -> (u16, Value) {
    let reply = request
        .header("Accept", "application/json")
        .send()
        .await
        .expect("sent");
    let status = reply.status().as_u16();
    let text = reply.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn journal(server: &Server) -> Vec<Value> {
    let journal: Value = client()
        .get(server.url("/__docmock/requests"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    journal.as_array().expect("list").clone()
}

#[tokio::test]
async fn query_names_bind_ignoring_case_and_violations_name_them_as_documented() {
    let dir = specs(false);
    let server = serve(&dir, &[]);
    let http = client();
    let (status, body) = status_of(http.get(server.url(&format!(
        "{FILTER}?contactId=1234&SEARCHINCONTENT=true&Version=2"
    ))))
    .await;
    assert_eq!(status, 200, "{body}");

    let (status, body) = status_of(http.get(server.url(&format!(
        "{FILTER}?ContactID=abc&searchincontent=true&version=2"
    ))))
    .await;
    assert_eq!(status, 400, "a wrong type stays a 400: {body}");
    let entries = journal(&server).await;
    assert_eq!(entries[0]["violations"][0]["pointer"], "/contactid");
}

#[tokio::test]
async fn form_json_and_xml_bodies_bind_ignoring_case() {
    let dir = specs(false);
    let server = serve(&dir, &[]);
    let http = client();
    let sent = [
        (
            "application/x-www-form-urlencoded",
            "username=jane&PASSWORD=secret".to_string(),
        ),
        (
            "application/json",
            r#"{"username": "jane", "Password": "secret"}"#.to_string(),
        ),
        (
            "application/xml",
            "<request><username>jane</username><PassWord>secret</PassWord></request>".to_string(),
        ),
    ];
    for (content_type, body) in &sent {
        let (status, answer) = status_of(
            http.post(server.url(LOGIN))
                .header("Content-Type", *content_type)
                .body(body.clone()),
        )
        .await;
        assert_eq!(status, 201, "{content_type}: {answer}");
    }
    let entries = journal(&server).await;
    for entry in &entries {
        assert_eq!(entry["verdict"], "valid", "{entry}");
        assert!(entry.get("warnings").is_none(), "nothing missing: {entry}");
    }

    let (status, answer) = status_of(
        http.post(server.url(LOGIN))
            .header("Content-Type", "application/json")
            .body(r#"{"username": 5, "password": "secret"}"#),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    let entries = journal(&server).await;
    assert_eq!(entries[0]["violations"][0]["pointer"], "/userName");
}

#[tokio::test]
async fn a_parameter_left_out_is_bound_with_a_warning_in_the_journal_and_the_log() {
    let dir = specs(false);
    let specs = dir.path().join("specs");
    let mut server = Server::start_logging(&["--specs", specs.to_str().expect("utf-8")]);
    let http = client();
    let (status, body) = status_of(http.get(server.url(&format!("{FILTER}?contactid=1")))).await;
    assert_eq!(status, 200, "answered as the server answers: {body}");
    let entries = journal(&server).await;
    assert_eq!(entries[0]["verdict"], "valid");
    assert_eq!(
        entries[0]["warnings"],
        json!([
            "documented parameter `searchInContent` not sent; the server binds false",
            "documented parameter `version` not sent; the server binds 0"
        ])
    );
    let (status, body) = status_of(
        http.post(server.url(LOGIN))
            .header("Content-Type", "application/json")
            .body(r#"{"username": "jane"}"#),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let entries = journal(&server).await;
    assert_eq!(
        entries[0]["warnings"],
        json!(["documented parameter `password` not sent; the server binds null"])
    );

    assert!(server.terminate());
    let logs = server.stderr();
    assert!(
        logs.contains("documented parameter `version` not sent; the server binds 0"),
        "{logs}"
    );
}

#[tokio::test]
async fn strict_mode_refuses_a_parameter_left_out_from_the_flag_or_api_json() {
    let http = client();
    let dir = specs(false);
    let flagged = serve(&dir, &["--strict"]);
    let (status, body) =
        status_of(http.get(flagged.url(&format!("{FILTER}?contactid=1&searchInContent=true"))))
            .await;
    assert_eq!(status, 400, "{body}");
    let entries = journal(&flagged).await;
    assert_eq!(entries[0]["violations"][0]["pointer"], "/version");
    assert_eq!(
        entries[0]["violations"][0]["expected"],
        "a value (required)"
    );

    let strict_api = specs(true);
    let configured = serve(&strict_api, &[]);
    let (status, body) = status_of(
        http.post(configured.url(LOGIN))
            .header("Content-Type", "application/json")
            .body(r#"{"USERNAME": "jane"}"#),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let entries = journal(&configured).await;
    assert_eq!(entries[0]["violations"][0]["pointer"], "/password");
    // Only the API that asks for it is strict.
    let (status, body) = status_of(http.get(configured.url("/superoffice/api/v1/Sale"))).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn select_trims_each_row_of_an_odata_list_and_keeps_the_envelope() {
    let dir = specs(false);
    let server = serve(&dir, &[]);
    let http = client();
    let (status, body) = status_of(
        http.get(server.url("/superoffice/api/v1/Sale?$select=SaleId,heading,probability")),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["odata.nextLink"], "next", "{body}");
    assert_eq!(
        body["value"],
        json!([
            {"PrimaryKey": 7640, "EntityName": "sale", "saleId": 7640, "heading": "Big deal", "probability": null},
            {"PrimaryKey": 7092, "EntityName": "sale", "saleId": 7092, "heading": "Small deal", "probability": null}
        ])
    );

    let xml = http
        .get(server.url("/superoffice/api/v1/Sale?$select=heading"))
        .header("Accept", "application/xml")
        .send()
        .await
        .expect("sent");
    assert_eq!(xml.status(), 200);
    let xml = xml.text().await.expect("body");
    assert!(
        xml.contains("Small deal") && !xml.contains("amount"),
        "{xml}"
    );

    let (status, body) = status_of(
        http.post(server.url("/superoffice/api/v1/Agents/Archive/GetArchiveList?$select=AMOUNT"))
            .header("Content-Type", "application/json")
            .body("{}"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let row = &body[0];
    assert_eq!(row["PrimaryKey"], 923, "{body}");
    assert_eq!(row["LinkHint"], "sale_id=923", "{body}");
    let columns: Vec<&String> = row["ColumnData"]
        .as_object()
        .expect("columns")
        .keys()
        .collect();
    assert_eq!(columns, ["amount"], "{body}");
    let properties: Vec<&String> = row["FieldProperties"]
        .as_object()
        .expect("properties")
        .keys()
        .collect();
    assert_eq!(properties, ["amount"], "{body}");
}
