//! Credentials replaced before anything the recorder saw is written.
//!
//! A recorded spec directory is committed, shared and served, so no
//! credential a client sent or a portal answered may reach it. Which names
//! are credentials is [`crate::serve::redact::is_secret`]'s word (the
//! vendors' `Authorization`, cookies, `X-XSRF-TOKEN`, `SO-AppToken`,
//! `password`, `token`, …), so the journal and the recorder agree. Unlike
//! the journal's `***`, the value becomes [`PLACEHOLDER`]: a value a
//! recorded example request can still send (docmock takes any credential
//! unless `--token`), and that says where it came from when read.

use std::borrow::Cow;

use quick_xml::events::{BytesText, Event};
use serde_json::Value;

use crate::serve::redact::is_secret;

/// What a recorded credential reads as.
pub const PLACEHOLDER: &str = "docmock-recorded-credential";

/// Authorization schemes kept in front of the placeholder, so that a
/// recorded SuperOffice request still names a scheme its API accepts.
const SCHEMES: [&str; 4] = ["Basic", "Bearer", "SoTicket", "Negotiate"];

/// The value a credential header is recorded with: its scheme, when it
/// names one of [`SCHEMES`], then the placeholder.
pub fn header_value(value: &str) -> String {
    let scheme = value
        .split_once(' ')
        .map(|(scheme, _)| scheme)
        .and_then(|scheme| SCHEMES.iter().find(|s| s.eq_ignore_ascii_case(scheme)));
    match scheme {
        Some(scheme) => format!("{scheme} {PLACEHOLDER}"),
        None => PLACEHOLDER.to_string(),
    }
}

/// A `Cookie` header as recorded: only the cookies named like a
/// credential (`asc_auth_key`), each with the placeholder; `None` when it
/// holds none (other cookies are the client's state, not the API's).
pub fn cookie(value: &str) -> Option<String> {
    let kept: Vec<String> = value
        .split(';')
        .filter_map(|pair| {
            let name = pair.split_once('=').map_or(pair, |(n, _)| n).trim();
            (!name.is_empty() && is_secret(name)).then(|| format!("{name}={PLACEHOLDER}"))
        })
        .collect();
    (!kept.is_empty()).then(|| kept.join("; "))
}

/// `query` (`a=1&token=x`) with the value of every parameter named like a
/// credential replaced; everything else kept as sent.
pub fn query(query: &str) -> Cow<'_, str> {
    crate::serve::redact::query_with(query, PLACEHOLDER)
}

/// The portal's base URL as recorded: without the user and password it
/// may carry (`https://user:pass@portal` → `https://portal`), and with
/// credential query parameters replaced.
pub fn url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let tail = match tail.split_once('?') {
        Some((path, query)) => format!("{path}?{}", self::query(query)),
        None => tail.to_string(),
    };
    if scheme.is_empty() {
        format!("{host}{tail}")
    } else {
        format!("{scheme}://{host}{tail}")
    }
}

/// Replaces every non-null member named like a credential, at any depth
/// (ONLYOFFICE's login answer `{"response": {"token": …}}`); whether
/// there was one.
pub fn json(value: &mut Value) -> bool {
    crate::serve::redact::json_with(value, PLACEHOLDER)
}

/// `text` (JSON) as recorded: as sent when it holds no credential, else
/// re-written with two-space indentation and the credentials replaced.
/// `Err` when it is not JSON.
pub fn json_text(text: &str) -> Result<String, String> {
    let mut value: Value =
        serde_json::from_str(text).map_err(|e| format!("the JSON is malformed: {e}"))?;
    if json(&mut value) {
        Ok(crate::import::to_pretty_json(&value))
    } else {
        Ok(text.to_string())
    }
}

/// `text` (a form body) with credential values replaced.
pub fn form_text(text: &str) -> String {
    query(text).into_owned()
}

/// `text` (XML) as recorded: as sent when no element named like a
/// credential has text, else re-written with that text replaced
/// (`<token>…</token>` in ONLYOFFICE's XML login answer). `Err` when it is
/// not well-formed.
pub fn xml_text(text: &str) -> Result<String, String> {
    crate::contract::xml::parse_xml(text).map_err(|e| format!("the XML is malformed: {e}"))?;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut writer = quick_xml::Writer::new(Vec::with_capacity(text.len()));
    // Per open element, whether it is named like a credential.
    let mut open: Vec<bool> = Vec::new();
    let mut masked = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("the XML is malformed: {e}"))?;
        let event = match event {
            Event::Eof => break,
            Event::Start(start) => {
                let name = start.local_name();
                open.push(is_secret(name.into_inner()));
                Event::Start(start)
            }
            Event::End(end) => {
                open.pop();
                Event::End(end)
            }
            Event::Text(_) | Event::CData(_) if open.last() == Some(&true) => {
                masked = true;
                Event::Text(BytesText::new(PLACEHOLDER))
            }
            other => other,
        };
        writer
            .write_event(event)
            .map_err(|e| format!("the XML cannot be written again: {e}"))?;
    }
    if !masked {
        return Ok(text.to_string());
    }
    String::from_utf8(writer.into_inner()).map_err(|e| format!("the XML is not UTF-8: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_headers_keep_their_scheme_and_lose_their_value() {
        assert_eq!(
            header_value("Basic dGplMDpUamUw"),
            "Basic docmock-recorded-credential"
        );
        assert_eq!(header_value("abc.def"), PLACEHOLDER);
        assert_eq!(
            cookie("theme=dark; asc_auth_key=s3cret").as_deref(),
            Some("asc_auth_key=docmock-recorded-credential")
        );
        assert_eq!(cookie("theme=dark"), None);
    }

    #[test]
    fn a_portal_url_loses_its_user_and_password() {
        assert_eq!(
            url("https://ann:s3cret@portal.example.com/base?token=t&x=1"),
            "https://portal.example.com/base?token=docmock-recorded-credential&x=1"
        );
        assert_eq!(url("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }

    #[test]
    fn queries_and_forms_lose_credential_values_only() {
        assert_eq!(
            query("contactid=5&asc_auth_key=s3cret&user[password]=p"),
            "contactid=5&asc_auth_key=docmock-recorded-credential&user[password]=docmock-recorded-credential"
        );
        assert!(matches!(query("a=1"), Cow::Borrowed("a=1")));
    }

    #[test]
    fn the_login_answers_token_becomes_the_placeholder() {
        let answer = r#"{"count":1,"response":{"token":"s3cret-token","expires":"2026-12-08T00:00:00"},"status":0}"#;
        let recorded = json_text(answer).expect("JSON");
        assert!(!recorded.contains("s3cret-token"), "{recorded}");
        assert!(recorded.contains(PLACEHOLDER), "{recorded}");
        assert!(recorded.contains("2026-12-08T00:00:00"), "{recorded}");
        // Without a credential the text is kept byte for byte.
        assert_eq!(json_text("{\"a\": 1}").expect("JSON"), "{\"a\": 1}");
        assert!(json_text("{").is_err());
    }

    #[test]
    fn xml_credential_elements_lose_their_text() {
        let answer =
            "<result><response><token>s3cret</token><expires>x</expires></response></result>";
        let recorded = xml_text(answer).expect("XML");
        assert_eq!(
            recorded,
            "<result><response><token>docmock-recorded-credential</token><expires>x</expires></response></result>"
        );
        assert_eq!(xml_text("<a>1</a>").expect("XML"), "<a>1</a>");
        assert!(xml_text("<a>").is_err());
    }
}
