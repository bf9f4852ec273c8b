//! The two checks of one exchange: the request against the documented
//! contract, with the pipeline `serve` answers by, and the portal's answer
//! against the documented response, with the comparison `verify` makes.
//!
//! Nothing here touches a socket: the proxy's service hands over what it
//! read, and gets findings back as data.

use bytes::Bytes;
use http::HeaderMap;

use crate::answer::pipeline::{Mock, Verdict};
use crate::answer::request::Request;
use crate::contract::dialect::Format;
use crate::contract::problem::Violation;
use crate::verify::{Class, Finding};

/// What the documentation says of a request, as `serve` would have
/// answered it.
#[derive(Debug)]
pub struct RequestCheck {
    /// Index of the documented endpoint in the catalog, when one matches.
    pub endpoint: Option<usize>,
    /// `Valid`, `Invalid` (serve would refuse it) or `Unmatched` (no page
    /// documents the path, or the method on it).
    pub verdict: Verdict,
    /// Serve's error message for a request it would refuse.
    pub message: Option<String>,
    /// The violations serve would list.
    pub violations: Vec<Violation>,
    /// What the vendor's server accepts and the page does not document.
    pub warnings: Vec<String>,
}

/// Checks `request` as `serve` would, with `mock`'s policy: the answer the
/// mock would give is thrown away, its verdict and violations kept. The
/// mock's documented responses are rendered once at load, so this costs
/// about what serving the request would.
pub fn request(mock: &Mock, request: &Request) -> RequestCheck {
    let answer = mock.answer(request);
    let endpoint = answer
        .endpoint
        .and_then(|found| mock.catalog().index_of(found));
    let verdict = match answer.verdict {
        Verdict::Unmatched => Verdict::Unmatched,
        Verdict::Invalid | Verdict::Replayed => Verdict::Invalid,
        // A fault asked for with `Prefer` is the mock's business, not the
        // portal's: the request itself is within the contract.
        Verdict::Valid | Verdict::Fault => Verdict::Valid,
    };
    RequestCheck {
        endpoint,
        verdict,
        message: answer.message,
        violations: answer.violations,
        warnings: answer.warnings,
    }
}

/// Findings about the portal's answer to a request for endpoint `index`
/// (`verify`'s drift classes and notes, failures first); `body` is `None`
/// when it was too large to keep, and only the status is compared then.
pub fn answer(
    mock: &Mock,
    index: usize,
    request: &Request,
    status: u16,
    headers: &HeaderMap,
    body: Option<&Bytes>,
    target_url: &str,
) -> Vec<Finding> {
    let catalog = mock.catalog();
    let Some(endpoint) = catalog.endpoints.get(index) else {
        return Vec::new();
    };
    let dialect = catalog.api_of(endpoint).dialect.rules();
    let content_type = crate::verify::content_types(headers);
    // The form the portal chose is the one compared: the client asked for
    // it (a `.xml` suffix, `Accept`), and the proxy only watches.
    let form = crate::verify::media_form(content_type.as_deref()).unwrap_or(Format::Json);
    let encoding = crate::verify::header_text(headers, http::header::CONTENT_ENCODING)
        .filter(|coding| !coding.trim().is_empty() && !coding.eq_ignore_ascii_case("identity"));
    let mut findings = Vec::new();
    if let Some(coding) = &encoding
        && body.is_some()
    {
        // The bytes go to the client as the portal sent them; decoding a
        // copy just to compare it is left for later.
        findings.push(Finding {
            class: Class::NotCompared,
            pointer: String::new(),
            message: format!(
                "the answer is sent with Content-Encoding: {}, which the proxy passes through without decoding, so its body is not compared",
                crate::contract::problem::shorten(coding, 80)
            ),
        });
    }
    let compared_body = match (&encoding, body) {
        (None, Some(body)) => body.clone(),
        _ => Bytes::new(),
    };
    let answer = crate::verify::Answer {
        status,
        content_type,
        encoding: None,
        location: crate::verify::header_text(headers, http::header::LOCATION),
        url: target_url.to_string(),
        challenge: crate::verify::header_text(headers, http::header::WWW_AUTHENTICATE),
        busy: None,
        body: compared_body,
    };
    let mut drift = Vec::new();
    let selection = request
        .query()
        .and_then(|query| crate::answer::pipeline::selected_fields(dialect, endpoint, query));
    if body.is_some() && encoding.is_none() {
        crate::verify::evaluate(
            endpoint,
            dialect,
            form,
            &answer,
            selection.as_deref(),
            &mut drift,
        );
    } else if let Some(documented) = endpoint.responses.first()
        && documented.status != status
    {
        // Too large to keep, or encoded: the status can still be compared.
        let mut status_only = crate::verify::Answer {
            body: Bytes::new(),
            ..answer
        };
        status_only.status = status;
        crate::verify::evaluate(endpoint, dialect, form, &status_only, None, &mut drift);
        drift.retain(|f| matches!(f.class, Class::StatusMismatch | Class::ServerStatus));
    }
    findings.extend(drift);
    mask(&mut findings);
    findings.sort_by_key(|f| !f.class.is_failure());
    findings
}

/// The findings of a request `serve` would refuse: one per violation,
/// pointing where the violation is (`/query/count`, `/body/title`).
pub fn contract_findings(check: &RequestCheck) -> Vec<Finding> {
    if check.verdict != Verdict::Invalid {
        return Vec::new();
    }
    let mut findings: Vec<Finding> = check
        .violations
        .iter()
        .map(|violation| Finding {
            class: Class::RequestContract,
            pointer: format!("/{}{}", violation.location.as_str(), violation.pointer),
            message: match &violation.got {
                Some(got) => format!("expected {}, got {got}", violation.expected),
                None => format!("expected {}", violation.expected),
            },
        })
        .collect();
    if findings.is_empty()
        && let Some(message) = &check.message
    {
        findings.push(Finding {
            class: Class::RequestContract,
            pointer: String::new(),
            message: message.clone(),
        });
    }
    findings
}

/// Masks what a finding quotes of a credential: a login answer's token
/// (`/response/token`), a password member. The finding keeps its class
/// and pointer, so the report still says what drifted where.
fn mask(findings: &mut [Finding]) {
    for finding in findings {
        let secret = finding
            .pointer
            .split('/')
            .any(|piece| !piece.is_empty() && crate::serve::redact::is_secret(piece));
        if secret {
            finding.message = format!(
                "{} (the values are credentials: {})",
                finding.class.label(),
                crate::serve::redact::MASK
            );
        }
    }
}
