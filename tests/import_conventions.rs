//! `docmock import` reads the conventions of the vendors' real pages right:
//! a page without an example response is still an endpoint, the example
//! request is sent as the server binds it, and every page's own example
//! request keeps the contract imported from the same page, which `docmock
//! check` proves on each. The pages are in `tests/pages/`, written for
//! these tests in the layouts of the real ones.

mod common;

use std::fs;
use std::path::Path;

use serde_json::{Value, json};
use tempfile::TempDir;

use common::run_in;

/// Imports the page `name` of `tests/pages/` alone and returns the output
/// directory.
fn import(name: &str) -> TempDir {
    let out = tempfile::tempdir().expect("tempdir");
    let page = common::root().join("tests/pages").join(name);
    let output = run_in(
        &common::root(),
        &[
            "import",
            page.to_str().expect("utf-8"),
            "--out",
            out.path().to_str().expect("utf-8"),
        ],
    );
    assert!(
        output.status.success(),
        "{name} is imported: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

/// The one endpoint spec of an import.
fn endpoint_spec(out: &Path) -> Value {
    let file = walkdir::WalkDir::new(out.join("specs"))
        .into_iter()
        .map(|e| e.expect("entry"))
        .find(|e| e.file_type().is_file() && e.file_name() != "api.json")
        .expect("an endpoint file");
    serde_json::from_str(&fs::read_to_string(file.path()).expect("spec")).expect("spec JSON")
}

/// A fixture of an import, as JSON.
fn fixture(out: &Path, relative: &str) -> Value {
    let text = fs::read_to_string(out.join("fixtures").join(relative)).expect("fixture");
    serde_json::from_str(&text).expect("fixture JSON")
}

/// The parameter `name` of `spec`.
fn parameter<'s>(spec: &'s Value, name: &str) -> &'s Value {
    spec["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no parameter {name} in {spec}"))
}

/// `docmock check` passes on the import: every example satisfies its
/// schema and the example request gets its documented status.
fn assert_checks(out: &Path) {
    let specs = out.join("specs");
    let check = run_in(&common::root(), &["check", specs.to_str().expect("utf-8")]);
    assert!(
        check.status.success(),
        "check: {}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn a_page_without_an_example_response_is_an_endpoint_of_the_type_it_returns() {
    let out = import("71_get-entity-tag-returns-a-type-no-example.txt");
    let spec = endpoint_spec(out.path());
    assert_eq!(spec["path"], "/api/2.0/crm/{entityType}/tag/{entityid}");
    assert_eq!(parameter(&spec, "entityid")["example"], 1234);
    let response = &spec["responses"][0];
    assert_eq!(response["status"], 200);
    assert_eq!(response["type"], "Tag");
    assert_eq!(response["example"], json!({"from": "unknown"}));
    assert!(response.get("json").is_none() && response.get("xml").is_none());
    assert!(response.get("description").is_none(), "{response}");
    assert_checks(out.path());

    // A PUT answers 200 as any method but POST does.
    let out = import("18_put-task-reopen-returns-a-type-no-example.txt");
    let response = &endpoint_spec(out.path())["responses"][0];
    assert_eq!(response["status"], 200);
    assert_eq!(response["type"], "Task");
    assert_checks(out.path());
}

#[test]
fn a_page_that_says_nothing_is_returned_gets_the_empty_success() {
    let out = import("72_delete-bot-link-returns-no-data.txt");
    let spec = endpoint_spec(out.path());
    let response = &spec["responses"][0];
    assert_eq!(response["example"], json!({"from": "no-data"}));
    assert!(response.get("type").is_none(), "{response}");
    assert!(response.get("description").is_none(), "{response}");
    assert_eq!(spec["auth"], true);
    assert_checks(out.path());
}

#[test]
fn a_returned_value_described_rather_than_named_is_no_type() {
    let out = import("73_put-contact-avatar-returns-a-value-description.txt");
    let response = &endpoint_spec(out.path())["responses"][0];
    assert!(response.get("type").is_none(), "{response}");
    assert_eq!(response["description"], "Path to the contact avatar");
    assert_eq!(response["example"], json!({"from": "unknown"}));
    assert_checks(out.path());
}

#[test]
fn json_quoted_values_in_the_example_url_are_sent_unquoted() {
    let out = import("74_get-deal-filter-json-quoted-url-values.txt");
    let spec = endpoint_spec(out.path());
    // The generator writes every value as JSON; the server would bind the
    // quote marks and read no guid or date from them.
    assert_eq!(
        spec["request"]["target"],
        "/api/2.0/crm/deal/9924256A-739C-462b-AF15-E652A3B1B6EB/filter\
         ?responsibleid=9924256A-739C-462b-AF15-E652A3B1B6EB\
         &fromDate=2008-04-10T06-30-00.000Z&title=some+text"
    );
    let manager = parameter(&spec, "managerid");
    assert_eq!(manager["schema"]["format"], "uuid");
    assert_eq!(manager["example"], "9924256A-739C-462b-AF15-E652A3B1B6EB");
    assert_eq!(parameter(&spec, "title")["example"], "some text");
    assert_checks(out.path());
}

#[test]
fn a_query_list_written_over_several_lines_is_one_value_of_items() {
    let out = import("75_get-meeting-filter-query-lists-over-several-lines.txt");
    let spec = endpoint_spec(out.path());
    // `[\r\n  1234,\r\n  5678\r\n]` is the list [1234, 5678], sent as the
    // server reads a list from a query: one key an item.
    assert_eq!(
        spec["request"]["target"],
        "/api/2.0/crm/meeting/filter?tags=some+text&participantids=1234&participantids=5678"
    );
    let participants = parameter(&spec, "participantids");
    assert_eq!(participants["required"], true);
    assert_eq!(
        participants["schema"],
        json!({"type": "array", "items": {"type": "integer"}})
    );
    assert_checks(out.path());
}

#[test]
fn query_parameters_a_get_example_sends_in_a_json_body_are_optional() {
    let out = import("76_get-line-query-parameters-sent-as-a-json-body.txt");
    let spec = endpoint_spec(out.path());
    for name in ["lineType", "region", "active"] {
        let row = parameter(&spec, name);
        assert_eq!(row["in"], "query", "{row}");
        assert_eq!(row["required"], false, "{row}");
    }
    assert_eq!(spec["request"]["target"], "/api/2.0/crm/phone/line");
    assert!(spec["request"]["body"].is_string(), "the body is kept");
    assert_checks(out.path());
}

#[test]
fn a_body_member_the_example_leaves_out_is_optional() {
    let out = import("77_put-label-body-member-left-out-of-the-example.txt");
    let spec = endpoint_spec(out.path());
    assert_eq!(parameter(&spec, "title")["required"], true);
    assert_eq!(parameter(&spec, "colour")["required"], false);
    assert_eq!(parameter(&spec, "labelid")["required"], true);
    assert_checks(out.path());
}

#[test]
fn data_transfer_samples_make_the_example_request_of_a_page_without_one() {
    let out = import("78_post-entity-field-data-transfer-samples-allowed-values.txt");
    let spec = endpoint_spec(out.path());
    let request = &spec["request"];
    assert_eq!(request["target"], "/api/2.0/crm/contact/field");
    assert_eq!(request["headers"]["Content-Type"], "application/json");
    // The first sample sends `settings` as an object where the row says a
    // JSON string: the second, which fits every row, is the body; the path
    // variable it names goes to the path.
    assert_eq!(
        fixture(
            out.path(),
            "onlyoffice/post-crm-entitytype-field/request.json"
        ),
        json!({
            "label": "Sample \"number\" field",
            "kind": 1,
            "settings": "{\"digits\":\"2\"}",
            "choices": [{"value": "one", "order": 1}]
        })
    );
    // A collection of a .NET type is a list, and takes the sample's value
    // as its example.
    let choices = parameter(&spec, "choices");
    assert_eq!(choices["description"], "Field choices");
    assert_eq!(choices["schema"], json!({"type": "array", "items": {}}));
    assert_eq!(choices["example"], json!([{"value": "one", "order": 1}]));
    let entity_type = parameter(&spec, "entityType");
    assert_eq!(
        entity_type["schema"],
        json!({"type": "string", "enum": ["contact", "person", "company"]})
    );
    assert_eq!(entity_type["example"], "contact");
    let kind = parameter(&spec, "kind");
    assert_eq!(
        kind["schema"],
        json!({"type": "integer", "enum": [0, 1, 2]})
    );
    assert_eq!(kind["example"], 0);
    assert_eq!(spec["responses"][0]["status"], 201);
    assert_checks(out.path());
}

#[test]
fn allowed_values_become_an_enum_and_the_example_request_sends_one() {
    let out = import("79_get-deal-stage-allowed-values-in-path-and-query.txt");
    let spec = endpoint_spec(out.path());
    let deal_type = parameter(&spec, "dealType");
    assert_eq!(
        deal_type["schema"],
        json!({"type": "string", "enum": ["opportunity", "contact", "case"]})
    );
    assert_eq!(deal_type["example"], "opportunity");
    let stage_type = parameter(&spec, "stageType");
    assert_eq!(stage_type["schema"]["enum"], json!(["open", "closed"]));
    // The page's `some text` is no value the route takes.
    assert_eq!(
        spec["request"]["target"],
        "/api/2.0/crm/deal/opportunity/stage?stageType=open"
    );
    assert_checks(out.path());
}

#[test]
fn superoffice_string_path_parts_take_string_examples_never_a_borrowed_id() {
    let out = import("80_so-put-device-string-path-parts-sample-without-values.txt");
    let spec = endpoint_spec(out.path());
    // A member of the same name in the sample bodies, at any depth, else
    // the part's own name: never the body's numeric `GadgetId`.
    assert_eq!(parameter(&spec, "serialCode")["example"], "voluptas");
    assert_eq!(parameter(&spec, "modelName")["example"], "Lemke Inc");
    assert_eq!(parameter(&spec, "vendorName")["example"], "vendorName");
    assert_eq!(
        spec["request"]["target"],
        "/api/v1/Gadget/vendorName/Lemke%20Inc/voluptas"
    );
    assert_checks(out.path());
}

#[test]
fn a_superoffice_enum_path_part_keeps_its_members() {
    let out = import("81_so-post-shelf-enum-path-part-numeric-resource-id.txt");
    let spec = endpoint_spec(out.path());
    let area = parameter(&spec, "area");
    assert_eq!(
        area["schema"],
        json!({"type": "string", "enum": ["Unknown", "Archive", "Templates", "Dashboards"]})
    );
    assert_eq!(area["example"], "Unknown");
    assert_eq!(parameter(&spec, "folder")["example"], "folder");
    assert_eq!(spec["request"]["target"], "/api/v1/Shelf/Unknown/folder");
    assert_checks(out.path());
}

#[test]
fn a_superoffice_page_without_a_sample_response_answers_its_listed_status() {
    let out = import("82_so-delete-badge-no-sample-response.txt");
    let spec = endpoint_spec(out.path());
    let response = &spec["responses"][0];
    assert_eq!(response["status"], 204);
    assert_eq!(response["example"], json!({"from": "no-data"}));
    assert_eq!(spec["request"]["target"], "/api/v1/Badge/321");
    assert_checks(out.path());
}

#[test]
fn the_sign_in_guide_page_is_read_as_its_endpoint() {
    let out = import("83_login-guide-request-and-answer-transcript.txt");
    let spec = endpoint_spec(out.path());
    assert_eq!(spec["method"], "POST");
    assert_eq!(spec["path"], "/api/2.0/authentication");
    // Signing in takes no credential: the request shows none.
    assert_eq!(spec["auth"], false);
    assert_eq!(spec["request"]["target"], "/api/2.0/authentication.json");
    for name in ["userName", "password"] {
        let row = parameter(&spec, name);
        assert_eq!(row["in"], "body");
        assert_eq!(row["required"], true);
    }
    let response = &spec["responses"][0];
    assert_eq!(response["status"], 201);
    assert!(response.get("example").is_none(), "documented: {response}");
    assert_eq!(
        fixture(
            out.path(),
            "onlyoffice/post-authentication/response-201.json"
        )["response"]["token"],
        "qwhdjsh3982hjkw"
    );
    assert_checks(out.path());
}
