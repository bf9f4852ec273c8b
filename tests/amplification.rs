//! A request that breaks the contract a hundred thousand times must not cost
//! the server a hundred thousand times its size: the error lists a bounded
//! number of violations, once each, and the journal and its admin API keep
//! and answer a bounded number of bytes.

mod common;

use common::{Server, client};
use serde_json::Value;

const CONTACT: &str = "/superoffice/api/v1/Contact/1";

/// How many violations an error lists (README: "Admin API").
const LISTED: usize = 100;

/// A SuperOffice contact whose `Emails` carry `count` numbers where the
/// documented example has text: one violation per email.
fn emails(count: usize) -> String {
    let items = vec![r#"{"Value":5}"#; count].join(",");
    format!(r#"{{"Emails":[{items}]}}"#)
}

#[tokio::test]
async fn a_body_breaking_the_contract_80000_times_gets_a_small_400_listing_100_violations_once_each()
 {
    let server = Server::start(&[]);
    let http = client();
    let body = emails(80_000);
    assert!(body.len() > 900_000, "the body is {} bytes", body.len());

    let reply = http
        .put(server.url(CONTACT))
        .header("Content-Type", "application/json")
        .body(body.clone())
        .send()
        .await
        .expect("answered");
    assert_eq!(reply.status(), 400);
    let text = reply.text().await.expect("body");
    assert!(text.len() < 64 * 1024, "the 400 is {} bytes", text.len());
    let error: Value = serde_json::from_str(&text).expect("JSON");
    let listed = error["Violations"].as_array().expect("Violations");
    assert_eq!(listed.len(), LISTED);
    let pointers: Vec<&str> = listed
        .iter()
        .map(|v| v["Pointer"].as_str().expect("pointer"))
        .collect();
    let expected: Vec<String> = (0..LISTED).map(|i| format!("/Emails/{i}/Value")).collect();
    assert_eq!(pointers, expected, "the first violations found, in order");
    assert_eq!(error["ViolationsNotListed"], 79_900, "{}", &text[..400]);
    let message = error["ErrorMessage"].as_str().expect("message");
    assert!(message.contains("80,000"), "{message}");
    // Each violation is written once: the list holds them, the message
    // names only the first (as a person reading a log needs) and the count.
    for pointer in &pointers[1..] {
        assert_eq!(
            text.matches(&format!("\"{pointer}\"")).count(),
            1,
            "{pointer}"
        );
        assert!(!message.contains(pointer), "{pointer} in {message}");
    }

    let reply = http
        .put(server.url(CONTACT))
        .header("Content-Type", "application/json")
        .header("Accept", "application/xml")
        .body(body)
        .send()
        .await
        .expect("answered");
    assert_eq!(reply.status(), 400);
    let xml = reply.text().await.expect("body");
    assert!(xml.len() < 64 * 1024, "the XML 400 is {} bytes", xml.len());
    assert!(xml.contains("79900"), "{}", &xml[..xml.len().min(2000)]);
    for i in 1..LISTED {
        assert_eq!(
            xml.matches(&format!(">/Emails/{i}/Value<")).count(),
            1,
            "{i}"
        );
    }
    assert!(!xml.contains(&format!("/Emails/{LISTED}/")));
}
