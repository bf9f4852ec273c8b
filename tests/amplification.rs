//! A request that breaks the contract a hundred thousand times must not cost
//! the server a hundred thousand times its size: the error lists a bounded
//! number of violations, once each, and the journal and its admin API keep
//! and answer a bounded number of bytes.

mod common;

use std::collections::HashSet;

use common::{Server, client};
use serde_json::Value;

const CONTACT: &str = "/superoffice/api/v1/Contact/1";

/// How many violations an error lists (README: "Admin API").
const LISTED: usize = 100;

/// The most a page of `/__docmock/requests` holds (README: "Admin API").
const PAGE_BUDGET: usize = 256 * 1024;

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

#[tokio::test]
async fn the_journal_stays_within_its_budget_and_pages_within_its_byte_budget() {
    let server = Server::start(&["--journal-size", "100000"]);
    let http = client();
    let query = format!("$select={}", "x".repeat(6000));
    let sent = 400;
    for _ in 0..sent {
        let reply = http
            .put(server.url(&format!("{CONTACT}?{query}")))
            .header("Content-Type", "application/json")
            .body(emails(2000))
            .send()
            .await
            .expect("answered");
        assert_eq!(reply.status(), 400);
    }

    let health: Value = http
        .get(server.url("/__docmock/health"))
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    let journal = &health["journal"];
    let bytes = journal["bytes"].as_u64().expect("bytes");
    let budget = journal["budget"].as_u64().expect("budget");
    let kept = journal["entries"].as_u64().expect("entries");
    assert!(bytes <= budget, "{journal}");
    assert!(kept > 10 && kept < sent, "{journal}");

    // Every entry comes back, newest first, in pages within the budget.
    let mut next = Some(server.url("/__docmock/requests?limit=1000000"));
    let mut ids = Vec::new();
    let mut pages = 0;
    while let Some(url) = next.take() {
        let reply = http.get(&url).send().await.expect("answered");
        assert_eq!(reply.status(), 200);
        next = reply
            .headers()
            .get("link")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix('<'))
            .and_then(|v| v.split_once('>'))
            .map(|(target, rel)| {
                assert!(rel.contains("rel=\"next\""), "{rel}");
                server.url(target)
            });
        let text = reply.text().await.expect("body");
        assert!(text.len() <= PAGE_BUDGET, "a page of {} bytes", text.len());
        let page: Value = serde_json::from_str(&text).expect("JSON");
        for entry in page.as_array().expect("list") {
            ids.push(entry["id"].as_u64().expect("id"));
            let query = entry["query"].as_str().expect("query");
            assert!(query.len() < 2048, "a query of {} bytes", query.len());
            assert!(entry["violations"].as_array().expect("list").len() <= LISTED);
        }
        pages += 1;
        assert!(pages < 1000, "the pages do not end");
    }
    assert!(pages > 1, "{} entries in one page", ids.len());
    assert_eq!(ids.len() as u64, kept);
    assert!(
        ids.windows(2).all(|w| w[0] > w[1]),
        "newest first, once each"
    );
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());
    assert_eq!(ids[0], sent);

    // A poller asking only for what is new gets nothing new.
    let newer: Value = http
        .get(server.url(&format!("/__docmock/requests?after={sent}")))
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    assert_eq!(newer, Value::Array(Vec::new()));

    let cleared = http
        .delete(server.url("/__docmock/requests"))
        .send()
        .await
        .expect("answered");
    assert_eq!(cleared.status(), 204);
    let health: Value = http
        .get(server.url("/__docmock/health"))
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    assert_eq!(health["journal"]["bytes"], 0, "{health}");
    assert_eq!(health["journal"]["entries"], 0, "{health}");
}
