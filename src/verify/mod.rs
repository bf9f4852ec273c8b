//! `docmock verify`: the spec directory as a conformance suite for a live
//! portal.
//!
//! Every selected endpoint's documented example request is sent to the
//! portal, in JSON and (where the page documents it) in XML, and the answer is
//! compared with the documented example: status, content type, envelope,
//! fields and their types, and the dialect's XML conventions. Findings are
//! classified so that an API owner reads *what* drifted, *where* (a JSON
//! pointer) and whether it breaks clients (a failure) or only adds to the
//! documentation (a note).

mod compare;
pub mod report;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::Semaphore;

use crate::catalog::{Catalog, Endpoint};
use crate::dialect::{Dialect, Envelope, Format, XmlRoot};
use compare::Comparison;

/// What kind of drift a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// A documented field is absent.
    MissingField,
    /// A field has another JSON type than documented.
    TypeChange,
    /// A field documented with a value is null.
    UnexpectedNull,
    /// Another HTTP status than documented.
    StatusMismatch,
    /// The body is not in the documented form: wrong content type, not
    /// parseable, or without the vendor's envelope.
    EnvelopeMismatch,
    /// The XML breaks the dialect's conventions (boolean spelling, empty and
    /// null elements, array form).
    XmlConvention,
    /// A field the documentation does not show (note).
    ExtraField,
    /// An envelope field the example does not show, such as `count` or
    /// `total` on lists (note).
    ExtraEnvelopeField,
    /// Same type, other value than the example (note).
    ValueDiffers,
    /// No usable HTTP answer: refused, reset, timed out or not HTTP.
    ConnectionError,
}

impl Class {
    /// Whether the finding fails the check (notes do not).
    pub fn is_failure(self) -> bool {
        !matches!(
            self,
            Class::ExtraField | Class::ExtraEnvelopeField | Class::ValueDiffers
        )
    }

    /// The words used in reports.
    pub fn label(self) -> &'static str {
        match self {
            Class::MissingField => "missing field",
            Class::TypeChange => "type change",
            Class::UnexpectedNull => "unexpected null",
            Class::StatusMismatch => "status mismatch",
            Class::EnvelopeMismatch => "envelope mismatch",
            Class::XmlConvention => "XML convention mismatch",
            Class::ExtraField => "extra field",
            Class::ExtraEnvelopeField => "extra envelope field",
            Class::ValueDiffers => "value differs",
            Class::ConnectionError => "connection error",
        }
    }
}

/// One thing found about one response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Its class.
    pub class: Class,
    /// JSON pointer into the body (`""` for the response as a whole).
    pub pointer: String,
    /// What was documented and what the portal sent.
    pub message: String,
}

/// How one check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// As documented (notes aside).
    Passed,
    /// Drifted from the documentation.
    Failed,
    /// No usable answer.
    Error,
    /// Not sent (a write without `--include-writes`).
    Skipped,
}

/// One endpoint in one form.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Endpoint id.
    pub endpoint: String,
    /// Method.
    pub method: String,
    /// The URL requested.
    pub url: String,
    /// JSON or XML.
    pub form: Format,
    /// How it ended.
    pub outcome: Outcome,
    /// The status the portal answered with.
    pub status: Option<u16>,
    /// Everything found, failures first.
    pub findings: Vec<Finding>,
    /// Time taken, retries included.
    pub millis: u64,
}

/// What to verify and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The vendor API root; documented paths are appended as they are.
    pub base_url: String,
    /// Only this API.
    pub api: Option<String>,
    /// The forms to check; both documented ones when empty.
    pub forms: Vec<Format>,
    /// Only endpoints whose id or method is listed.
    pub only: Vec<String>,
    /// Leave out endpoints whose id or method is listed.
    pub skip: Vec<String>,
    /// Also send POST, PUT, PATCH and DELETE.
    pub include_writes: bool,
    /// The `Authorization` value to send.
    pub auth: Option<String>,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Per-request time limit.
    pub timeout: Duration,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Retries after 429 or 503, honouring `Retry-After`.
    pub retries: u32,
    /// Values that replace the documented examples of path and query
    /// parameters, by name (`contactid=42`): ids that exist on the portal.
    pub values: Vec<(String, String)>,
}

/// Why verification could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The base URL is not an http(s) URL.
    #[error("--base-url must be an http:// or https:// URL, got {0:?}")]
    BaseUrl(String),
    /// No API of that name.
    #[error("no API called {0:?} in the spec directory")]
    UnknownApi(String),
    /// The HTTP client could not be built.
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
}

/// All checks, in spec order.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The base URL verified.
    pub base_url: String,
    /// Every check.
    pub checks: Vec<Check>,
}

impl Report {
    /// Checks that ended so.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.checks.iter().filter(|c| c.outcome == outcome).count()
    }

    /// 0 when nothing failed, 1 on drift, 2 when the portal could not be
    /// reached for some check.
    pub fn exit_code(&self) -> u8 {
        if self.count(Outcome::Error) > 0 {
            2
        } else if self.count(Outcome::Failed) > 0 {
            1
        } else {
            0
        }
    }
}

/// Verifies the endpoints of `catalog` selected by `options`; `progress` is
/// called after each check.
pub async fn verify(
    catalog: Arc<Catalog>,
    options: &Options,
    progress: impl Fn(&Check) + Send + Sync + 'static,
) -> Result<Report, VerifyError> {
    let base = options.base_url.trim_end_matches('/').to_string();
    if !(base.starts_with("http://") || base.starts_with("https://")) || base.len() < 10 {
        return Err(VerifyError::BaseUrl(options.base_url.clone()));
    }
    if let Some(name) = &options.api
        && catalog.api(name).is_none()
    {
        return Err(VerifyError::UnknownApi(name.clone()));
    }
    // Whichever TLS crates are linked, use ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(options.timeout)
        .connect_timeout(options.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| VerifyError::Client(e.to_string()))?;

    let mut planned: Vec<(usize, Format)> = Vec::new();
    for (index, endpoint) in catalog.endpoints.iter().enumerate() {
        if !selected(&catalog, endpoint, options) {
            continue;
        }
        let forms = if options.forms.is_empty() {
            let documents_xml = endpoint
                .responses
                .first()
                .is_some_and(|r| r.xml_fixture.is_some());
            if documents_xml {
                vec![Format::Json, Format::Xml]
            } else {
                vec![Format::Json]
            }
        } else {
            options.forms.clone()
        };
        planned.extend(forms.into_iter().map(|form| (index, form)));
    }

    let progress = Arc::new(progress);
    let semaphore = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let options = Arc::new(options.clone());
    let mut tasks = tokio::task::JoinSet::new();
    for (slot, (index, form)) in planned.iter().copied().enumerate() {
        let (catalog, client, semaphore, options, progress, base) = (
            Arc::clone(&catalog),
            client.clone(),
            Arc::clone(&semaphore),
            Arc::clone(&options),
            Arc::clone(&progress),
            base.clone(),
        );
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let check = check_endpoint(&catalog, index, form, &client, &options, &base).await;
            progress(&check);
            (slot, check)
        });
    }
    let mut checks: Vec<Option<Check>> = vec![None; planned.len()];
    while let Some(joined) = tasks.join_next().await {
        if let Ok((slot, check)) = joined {
            checks[slot] = Some(check);
        }
    }
    Ok(Report {
        base_url: base,
        checks: checks.into_iter().flatten().collect(),
    })
}

fn selected(catalog: &Catalog, endpoint: &Endpoint, options: &Options) -> bool {
    let api = catalog.api_of(endpoint);
    if options.api.as_ref().is_some_and(|name| &api.name != name) {
        return false;
    }
    let stem = endpoint.id.rsplit('/').next().unwrap_or(&endpoint.id);
    let names = |list: &[String]| {
        list.iter().any(|item| {
            item == &endpoint.id
                || item == stem
                || item.eq_ignore_ascii_case(endpoint.method.as_str())
        })
    };
    (options.only.is_empty() || names(&options.only)) && !names(&options.skip)
}

fn is_write(endpoint: &Endpoint) -> bool {
    !matches!(endpoint.method.as_str(), "GET" | "HEAD" | "OPTIONS")
}

async fn check_endpoint(
    catalog: &Catalog,
    index: usize,
    form: Format,
    client: &reqwest::Client,
    options: &Options,
    base: &str,
) -> Check {
    let endpoint = &catalog.endpoints[index];
    let dialect = catalog.api_of(endpoint).dialect.rules();
    let target = with_values(
        endpoint,
        &crate::listing::example_target(endpoint),
        &options.values,
    );
    let url = format!("{base}{}", with_suffix(&target, dialect, form));
    let mut check = Check {
        endpoint: endpoint.id.clone(),
        method: endpoint.method.to_string(),
        url: url.clone(),
        form,
        outcome: Outcome::Skipped,
        status: None,
        findings: Vec::new(),
        millis: 0,
    };
    if is_write(endpoint) && !options.include_writes {
        // Safe by default: writes stay unsent unless asked for.
        return check;
    }
    let started = Instant::now();
    let answer = send(client, endpoint, dialect, form, &url, options).await;
    check.millis = started.elapsed().as_millis() as u64;
    match answer {
        Err(message) => {
            check.outcome = Outcome::Error;
            check.findings.push(Finding {
                class: Class::ConnectionError,
                pointer: String::new(),
                message,
            });
        }
        Ok((status, content_type, body)) => {
            check.status = Some(status);
            // What the portal trims with `$select`, the documentation's
            // example is trimmed of too.
            let selection = target
                .split_once('?')
                .and_then(|(_, query)| crate::pipeline::selected_fields(dialect, endpoint, query));
            evaluate(
                endpoint,
                dialect,
                form,
                (status, content_type.as_deref(), &body),
                selection.as_deref(),
                &mut check.findings,
            );
            check.findings.sort_by_key(|f| !f.class.is_failure());
            check.outcome = if check.findings.iter().any(|f| f.class.is_failure()) {
                Outcome::Failed
            } else {
                Outcome::Passed
            };
        }
    }
    check
}

/// The example target with `values` in place of the documented examples:
/// a path parameter's segment is replaced, a query parameter set.
fn with_values(endpoint: &Endpoint, target: &str, values: &[(String, String)]) -> String {
    if values.is_empty() {
        return target.to_string();
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut segments: Vec<String> = path.split('/').map(str::to_string).collect();
    let template: Vec<&str> = endpoint.path.raw.split('/').collect();
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    for (name, value) in values {
        let placeholder = format!("{{{name}}}");
        if let Some(position) = template
            .iter()
            .position(|s| s.eq_ignore_ascii_case(&placeholder))
            && position < segments.len()
        {
            segments[position] = value.clone();
        } else if endpoint.parameters.iter().any(|p| {
            p.location == crate::spec::Location::Query && p.name.eq_ignore_ascii_case(name)
        }) {
            pairs.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
            pairs.push((name.clone(), value.clone()));
        }
    }
    let path = segments.join("/");
    if pairs.is_empty() {
        return path;
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{path}?{query}")
}

/// `.json` / `.xml` on the path for dialects that choose the format so.
fn with_suffix(target: &str, dialect: &Dialect, form: Format) -> String {
    if !dialect.path_suffix {
        return target.to_string();
    }
    let suffix = match form {
        Format::Json => ".json",
        Format::Xml => ".xml",
    };
    match target.split_once('?') {
        Some((path, query)) => format!("{path}{suffix}?{query}"),
        None => format!("{target}{suffix}"),
    }
}

/// Sends the example request, retrying after 429/503 as `Retry-After` asks.
async fn send(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    dialect: &Dialect,
    form: Format,
    url: &str,
    options: &Options,
) -> Result<(u16, Option<String>, Bytes), String> {
    let method = reqwest::Method::from_bytes(endpoint.method.as_str().as_bytes())
        .map_err(|e| format!("invalid method: {e}"))?;
    let accept = match form {
        Format::Json => "application/json",
        Format::Xml => dialect.xml_content_type,
    };
    let mut attempt = 0;
    loop {
        let mut request = client.request(method.clone(), url).header("Accept", accept);
        let body = endpoint.request.as_ref().and_then(|r| r.body.clone());
        if let Some(example) = &endpoint.request {
            for (name, value) in &example.headers {
                let skip = ["host", "accept", "content-length"]
                    .iter()
                    .any(|h| name.eq_ignore_ascii_case(h))
                    || (name.eq_ignore_ascii_case("content-type") && body.is_none())
                    || (name.eq_ignore_ascii_case("authorization") && options.auth.is_some());
                if !skip {
                    request = request.header(name.as_str(), value.as_str());
                }
            }
        }
        if let Some(auth) = &options.auth {
            request = request.header("Authorization", auth.as_str());
        }
        for (name, value) in &options.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| describe(&e, options.timeout))?;
        let status = response.status().as_u16();
        if (status == 429 || status == 503) && attempt < options.retries {
            attempt += 1;
            let wait = retry_after(response.headers()).unwrap_or(Duration::from_secs(1));
            tokio::time::sleep(wait.min(Duration::from_secs(60))).await;
            continue;
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = read_capped(response, options.timeout).await?;
        return Ok((status, content_type, body));
    }
}

/// The largest body verify reads; a documented example is never this big.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// The response body, refusing to hold more than [`MAX_BODY`] in memory.
async fn read_capped(mut response: reqwest::Response, timeout: Duration) -> Result<Bytes, String> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| describe(&e, timeout))? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(format!(
                "the answer is larger than {} MiB",
                MAX_BODY / (1024 * 1024)
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(body))
}

/// `Retry-After` as seconds or an HTTP date.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value)
        .ok()?
        .timestamp();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    Some(Duration::from_secs(
        u64::try_from(when).ok()?.saturating_sub(now),
    ))
}

fn describe(error: &reqwest::Error, timeout: Duration) -> String {
    if error.is_timeout() {
        return format!("no answer within {}s (--timeout)", timeout.as_secs_f64());
    }
    if error.is_connect() {
        return format!("cannot connect: {}", root_cause(error));
    }
    format!("no usable HTTP answer: {}", root_cause(error))
}

fn root_cause(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message = format!("{message}: {cause}");
        source = cause.source();
    }
    message
}

/// Compares one answer with the documentation.
fn evaluate(
    endpoint: &Endpoint,
    dialect: &Dialect,
    form: Format,
    (status, content_type, body): (u16, Option<&str>, &[u8]),
    selection: Option<&[Vec<String>]>,
    findings: &mut Vec<Finding>,
) {
    let Some(documented) = endpoint.responses.first() else {
        return;
    };
    if status != documented.status {
        let hint = match status {
            401 | 403 => " (pass credentials with --auth or DOCMOCK_AUTH)",
            _ => "",
        };
        findings.push(Finding {
            class: Class::StatusMismatch,
            pointer: String::new(),
            message: format!(
                "documented {}, the portal answers {status}{hint}",
                documented.status
            ),
        });
        return;
    }
    let Some(expected) = documented.body.as_deref() else {
        return;
    };
    let trimmed;
    let expected = match selection {
        Some(fields) => {
            trimmed = crate::pipeline::select(expected, fields);
            &trimmed
        }
        None => expected,
    };
    let media = content_type.unwrap_or("").to_ascii_lowercase();
    let (wanted, is_form) = match form {
        Format::Json => ("JSON", media.contains("json")),
        Format::Xml => ("XML", media.contains("xml")),
    };
    if !is_form {
        findings.push(Finding {
            class: Class::EnvelopeMismatch,
            pointer: String::new(),
            message: format!(
                "asked for {wanted}, the portal answers {}",
                content_type.unwrap_or("without a Content-Type")
            ),
        });
        return;
    }
    let mut comparison = Comparison { findings };
    match form {
        Format::Json => {
            let actual: Value = match serde_json::from_slice(body) {
                Ok(value) => value,
                Err(e) => {
                    comparison.findings.push(Finding {
                        class: Class::EnvelopeMismatch,
                        pointer: String::new(),
                        message: format!("the body is not JSON: {e}"),
                    });
                    return;
                }
            };
            comparison.json(expected, &actual, "");
        }
        Format::Xml => {
            let text = String::from_utf8_lossy(body);
            let root = match crate::body::parse_xml(&text) {
                Ok(root) => root,
                Err(e) => {
                    comparison.findings.push(Finding {
                        class: Class::EnvelopeMismatch,
                        pointer: String::new(),
                        message: format!("the body is not XML: {e}"),
                    });
                    return;
                }
            };
            if let XmlRoot::Fixed(name) = dialect.xml.root
                && root.name != name
            {
                comparison.findings.push(Finding {
                    class: Class::EnvelopeMismatch,
                    pointer: String::new(),
                    message: format!(
                        "documented <{name}> around the body, the portal sends <{}>",
                        root.name
                    ),
                });
                return;
            }
            comparison.xml(&dialect.xml, expected, &root, "");
        }
    }
    if dialect.envelope == Envelope::StatusResponse {
        envelope_findings(findings);
    }
}

/// In an enveloped dialect, drift of the envelope's own members is envelope
/// drift: a missing `status` or `response` fails as an envelope mismatch, an
/// added `count` or `total` is an extra envelope field.
fn envelope_findings(findings: &mut [Finding]) {
    for finding in findings.iter_mut() {
        let top_level = finding.pointer.matches('/').count() == 1;
        if !top_level {
            continue;
        }
        finding.class = match finding.class {
            Class::ExtraField => Class::ExtraEnvelopeField,
            Class::MissingField
            | Class::TypeChange
            | Class::UnexpectedNull
            | Class::ValueDiffers
                if finding.pointer == "/status" =>
            {
                Class::EnvelopeMismatch
            }
            Class::MissingField if finding.pointer == "/response" => Class::EnvelopeMismatch,
            other => other,
        };
    }
}
