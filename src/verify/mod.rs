//! `docmock verify`: the spec directory as a conformance suite for a live
//! portal.
//!
//! Every selected endpoint's documented example request is sent to the
//! portal, in JSON and (where the page documents it) in XML, and the answer is
//! compared with the documented example: status, content type, envelope,
//! fields and their types, and the dialect's XML conventions. One more
//! request per API names no format, to see whether the portal's default is
//! the documented one; where the documentation and the vendor's server
//! disagree (ONLYOFFICE's XML default, its 201 to every POST), what follows
//! the server is a note, since clients are written against it. Findings are
//! classified so that an API owner reads *what* drifted, *where* (a JSON
//! pointer) and whether it breaks clients (a failure) or only adds to the
//! documentation (a note).

mod compare;
pub mod report;
mod tls;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::Semaphore;

use crate::contract::catalog::{Catalog, Endpoint};
use crate::contract::dialect::{Dialect, Envelope, Format, ServerFormats, XmlRoot};
use crate::contract::problem::shorten;
use crate::contract::spec::ExampleSource;
use compare::Comparison;

/// How many characters of a portal's own text (a message, a title, a
/// header) a finding quotes.
const QUOTED: usize = 200;

/// What kind of drift a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
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
    /// The page documents no example response, so the body is not
    /// compared (note): what docmock serves for it is borrowed from a page
    /// of the same returned type or made up, and a portal cannot drift
    /// from documentation that does not exist.
    Undocumented,
    /// A request naming no format (no path suffix, `Accept: */*`) gets
    /// another format than the documentation calls the default (note):
    /// ONLYOFFICE's "Basic concepts" page says XML, Community Server
    /// answers JSON. Clients that name the format are not affected.
    DefaultFormat,
    /// Another success status than documented, but the one the vendor's
    /// server answers by its own rule (note): Community Server answers
    /// 201 Created to every successful POST and 200 to everything else,
    /// whatever a page shows.
    ServerStatus,
    /// No usable HTTP answer: refused, reset, timed out or not HTTP.
    ConnectionError,
    /// A request a client sent through `docmock proxy` breaks the
    /// documented contract: `serve` would have refused it (the portal was
    /// asked all the same).
    RequestContract,
    /// A request `docmock proxy` forwarded to a path, or with a method, no
    /// page documents (note).
    UndocumentedPath,
    /// An answer `docmock proxy` passed through without comparing its body
    /// (note): larger than `--max-body`, or compressed.
    NotCompared,
}

impl Class {
    /// Whether the finding fails the check (notes do not).
    pub fn is_failure(self) -> bool {
        !matches!(
            self,
            Class::ExtraField
                | Class::ExtraEnvelopeField
                | Class::ValueDiffers
                | Class::Undocumented
                | Class::DefaultFormat
                | Class::ServerStatus
                | Class::UndocumentedPath
                | Class::NotCompared
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
            Class::Undocumented => "no documented example",
            Class::DefaultFormat => "default format differs from the documentation",
            Class::ServerStatus => "status as the vendor's server answers",
            Class::ConnectionError => "connection error",
            Class::RequestContract => "request breaks the contract",
            Class::UndocumentedPath => "undocumented path",
            Class::NotCompared => "body not compared",
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
    /// JSON or XML; for the default-format probe, the documented default.
    pub form: Format,
    /// Whether this is the one request per API that names no format, sent
    /// to see which format the portal then answers.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub default_probe: bool,
    /// How it ended.
    pub outcome: Outcome,
    /// The status the portal answered with.
    pub status: Option<u16>,
    /// Everything found, failures first.
    pub findings: Vec<Finding>,
    /// Time taken, retries included.
    pub millis: u64,
    /// How many exchanges of live traffic the check sums up (`docmock
    /// proxy`); `None` for a check verify sent itself. A skipped check
    /// with `Some(0)` is a documented endpoint the traffic never used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchanges: Option<u64>,
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
    /// A PEM file of certificates trusted besides the system's: an
    /// on-premises portal's own or its private CA's.
    pub ca_cert: Option<std::path::PathBuf>,
    /// Whether the portal's TLS certificate goes unchecked.
    pub insecure: bool,
    /// Whether one request per API asks with no format named, to see
    /// whether the portal's default format is the documented one.
    pub default_probe: bool,
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
    /// The `--ca-cert` file holds no certificate that can be read.
    #[error("--ca-cert {path}: {reason}")]
    CaCert {
        /// The file as given.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
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
    let tls = tls_settings(options.ca_cert.as_deref(), options.insecure)?;
    let builder = || {
        let builder = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .tls_danger_accept_invalid_certs(options.insecure);
        match &tls {
            Some(config) => builder.tls_backend_preconfigured(config.clone()),
            None => builder,
        }
    };
    let client = Clients {
        pooled: builder()
            .build()
            .map_err(|e| VerifyError::Client(e.to_string()))?,
        fresh: builder()
            .pool_max_idle_per_host(0)
            .build()
            .map_err(|e| VerifyError::Client(e.to_string()))?,
    };

    let mut planned: Vec<(usize, Format)> = Vec::new();
    for (index, endpoint) in catalog.endpoints.iter().enumerate() {
        // A built-in endpoint documents nothing to hold a portal to, and
        // its made-up credentials would count as failed logins there.
        if !selected(&catalog, endpoint, options) || endpoint.is_built_in() {
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

    // One default-format probe per API, on its first selected read.
    let mut probes: Vec<usize> = Vec::new();
    if options.default_probe {
        let mut probed_apis: Vec<&str> = Vec::new();
        for &(index, _) in &planned {
            let endpoint = &catalog.endpoints[index];
            let api = catalog.api_of(endpoint).name.as_str();
            if endpoint.method == http::Method::GET && !probed_apis.contains(&api) {
                probed_apis.push(api);
                probes.push(index);
            }
        }
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
            (slot, Some(check))
        });
    }
    let probe_slots = planned.len();
    for (slot, index) in probes.iter().copied().enumerate() {
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
            let check = probe_default_format(&catalog, index, &client, &options, &base).await;
            if let Some(check) = &check {
                progress(check);
            }
            (probe_slots + slot, check)
        });
    }
    // The probes come after the endpoints' own checks.
    let mut checks: Vec<Option<Check>> = vec![None; planned.len() + probes.len()];
    while let Some(joined) = tasks.join_next().await {
        if let Ok((slot, check)) = joined {
            checks[slot] = check;
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
    client: &Clients,
    options: &Options,
    base: &str,
) -> Check {
    let endpoint = &catalog.endpoints[index];
    let dialect = catalog.api_of(endpoint).dialect.rules();
    let target = with_values(endpoint, &endpoint.example_target(), &options.values);
    let url = format!("{base}{}", with_suffix(&target, dialect, Some(form)));
    let mut check = Check {
        endpoint: endpoint.id.clone(),
        method: endpoint.method.to_string(),
        url: url.clone(),
        form,
        default_probe: false,
        outcome: Outcome::Skipped,
        status: None,
        findings: Vec::new(),
        millis: 0,
        exchanges: None,
    };
    if is_write(endpoint) && !options.include_writes {
        // Safe by default: writes stay unsent unless asked for.
        return check;
    }
    let started = Instant::now();
    let accept = match form {
        Format::Json => "application/json",
        Format::Xml => dialect.xml_content_type,
    };
    let answer = send(client, endpoint, dialect, form, accept, &url, options).await;
    check.millis = started.elapsed().as_millis() as u64;
    match answer {
        Err(message) => {
            check.findings.push(Finding {
                class: Class::ConnectionError,
                pointer: String::new(),
                message,
            });
        }
        Ok(answer) => {
            check.status = Some(answer.status);
            let documented_status = endpoint.responses.first().map(|r| r.status);
            match &answer.busy {
                // Still rate limited or unavailable after the retries: the
                // portal could not be verified, which is not drift.
                Some(busy) if documented_status != Some(answer.status) => {
                    check.findings.push(Finding {
                        class: Class::ConnectionError,
                        pointer: String::new(),
                        message: busy.clone(),
                    });
                }
                _ => {
                    // What the portal trims with `$select`, the
                    // documentation's example is trimmed of too.
                    let selection = target.split_once('?').and_then(|(_, query)| {
                        crate::answer::pipeline::selected_fields(dialect, endpoint, query)
                    });
                    evaluate(
                        endpoint,
                        dialect,
                        form,
                        &answer,
                        selection.as_deref(),
                        &mut check.findings,
                    );
                }
            }
        }
    }
    check.findings.sort_by_key(|f| !f.class.is_failure());
    check.outcome = if check
        .findings
        .iter()
        .any(|f| f.class == Class::ConnectionError)
    {
        Outcome::Error
    } else if check.findings.iter().any(|f| f.class.is_failure()) {
        Outcome::Failed
    } else {
        Outcome::Passed
    };
    check
}

/// The answer to a read sent as a client naming no format sends it: no
/// path suffix and `Accept: */*`, as ONLYOFFICE's own clients do. A check
/// holding a [`Class::DefaultFormat`] note when the portal answers in
/// another format than the documentation calls the default, one without
/// findings when it answers as documented, and `None` when the answer
/// names no format (an error, a login page, no answer): the endpoint's own
/// checks report that, and the probe has nothing to add.
async fn probe_default_format(
    catalog: &Catalog,
    index: usize,
    client: &Clients,
    options: &Options,
    base: &str,
) -> Option<Check> {
    let endpoint = &catalog.endpoints[index];
    let dialect = catalog.api_of(endpoint).dialect.rules();
    let target = with_values(endpoint, &endpoint.example_target(), &options.values);
    let url = format!("{base}{}", with_suffix(&target, dialect, None));
    let started = Instant::now();
    let answer = send(
        client,
        endpoint,
        dialect,
        Format::Json,
        "*/*",
        &url,
        options,
    )
    .await
    .ok()?;
    if answer.busy.is_some() || !(200..300).contains(&answer.status) {
        return None;
    }
    let answered = media_form(answer.content_type.as_deref())?;
    let documented = dialect.default_format;
    let mut check = Check {
        endpoint: endpoint.id.clone(),
        method: endpoint.method.to_string(),
        url,
        form: documented,
        default_probe: true,
        outcome: Outcome::Passed,
        status: Some(answer.status),
        findings: Vec::new(),
        millis: started.elapsed().as_millis() as u64,
        exchanges: None,
    };
    if answered != documented {
        check.findings.push(Finding {
            class: Class::DefaultFormat,
            pointer: String::new(),
            message: default_format_message(dialect, documented, answered),
        });
    }
    Some(check)
}

/// What the documentation claims, what the portal does, and what a client
/// should do about it.
fn default_format_message(dialect: &Dialect, documented: Format, answered: Format) -> String {
    let name = |form: Format| match form {
        Format::Json => "JSON",
        Format::Xml => "XML",
    };
    let advice = match dialect.server_formats {
        // Community Server: `module/ASC.Api/ASC.Api/Impl/Serializers/
        // JsonNetSerializer.cs` (`IsXmlRequest`) reads the path's
        // extension and never `Accept`.
        ServerFormats::PathExtension => format!(
            "the {} server answers JSON unless the path ends in .xml and never reads Accept; clients should end the path in .json or .xml rather than rely on a default",
            dialect.title
        ),
        ServerFormats::AcceptElseJson => {
            "clients should name the format in Accept rather than rely on a default".to_string()
        }
    };
    format!(
        "the documentation says a request naming no format gets {}; asked without a path suffix and with Accept: */*, the portal answers {}: {advice}",
        name(documented),
        name(answered)
    )
}

/// The success status the vendor's server answers `method` with whatever
/// a page documents, where it has such a rule. Community Server sets 201
/// Created on every successful POST and leaves 200 otherwise
/// (`module/ASC.Api/ASC.Api/Impl/ApiHttpHandlerBase.cs`,
/// `PostProcessResponse`); ASP.NET answers what each action returns.
fn server_success_status(dialect: &Dialect, method: &http::Method) -> Option<u16> {
    match dialect.server_formats {
        ServerFormats::PathExtension if method == http::Method::POST => Some(201),
        ServerFormats::PathExtension => Some(200),
        ServerFormats::AcceptElseJson => None,
    }
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
            p.location == crate::contract::spec::Location::Query
                && p.name.eq_ignore_ascii_case(name)
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

/// The example's JSON body in a form a server that answers JSON to every
/// JSON body answers XML to ([`ServerFormats::PathExtension`]: Community
/// Server's `JsonNetSerializer.IsXmlRequest` reads the request's
/// `Content-Type`), with its `Content-Type`: a form where the body is an
/// object of plain values, else the same members as XML under `<request>`,
/// which the server's binder reads as it reads a JSON body
/// (`module/ASC.Api/ASC.Api/Impl/ApiArgumentBuilder.cs`, `GetRequestParams`:
/// `text/xml` is loaded as XML, JSON is converted to XML under `request`).
/// `None` when the body is not a JSON object.
fn json_body_for_xml(
    endpoint: &Endpoint,
    dialect: &Dialect,
    body: Option<&[u8]>,
) -> Option<(String, &'static str)> {
    let body = body?;
    if let Some(form) = json_body_as_form(endpoint, dialect, Some(body)) {
        return Some((form, "application/x-www-form-urlencoded"));
    }
    if dialect.server_formats != ServerFormats::PathExtension || !sends_json(endpoint) {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    if !value.is_object() {
        return None;
    }
    let style = crate::contract::dialect::XmlStyle {
        root: XmlRoot::Fixed("request"),
        ..dialect.xml
    };
    Some((
        crate::contract::render::to_xml(&style, &value, None),
        "text/xml",
    ))
}

/// Whether the documented example request sends a JSON body.
fn sends_json(endpoint: &Endpoint) -> bool {
    endpoint.request.as_ref().is_some_and(|request| {
        request.headers.iter().any(|(name, value)| {
            name.eq_ignore_ascii_case("content-type")
                && value
                    .split(';')
                    .next()
                    .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
        })
    })
}

/// The example's JSON body as a form ([`json_body_for_xml`]); `None` when
/// it is not an object of plain values a form can carry.
fn json_body_as_form(
    endpoint: &Endpoint,
    dialect: &Dialect,
    body: Option<&[u8]>,
) -> Option<String> {
    if dialect.server_formats != ServerFormats::PathExtension || !sends_json(endpoint) {
        return None;
    }
    let serde_json::Value::Object(members) = serde_json::from_slice(body?).ok()? else {
        return None;
    };
    // A plain value as a form writes it; `None` for an object.
    let text = |value: &serde_json::Value| match value {
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Number(_) | serde_json::Value::Bool(_) => Some(value.to_string()),
        _ => None,
    };
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (name, value) in &members {
        match value {
            // Left out: the server's binder gives it its default.
            serde_json::Value::Null => {}
            serde_json::Value::Array(items) => {
                for item in items {
                    form.append_pair(name, &text(item)?);
                }
            }
            value => {
                form.append_pair(name, &text(value)?);
            }
        }
    }
    Some(form.finish())
}

/// `.json` / `.xml` on the path for dialects that choose the format so,
/// in place of the one a documented target already ends in (the login
/// page's `api/2.0/authentication.json`); `None` leaves the path without
/// one, as a request naming no format.
fn with_suffix(target: &str, dialect: &Dialect, form: Option<Format>) -> String {
    if !dialect.path_suffix {
        return target.to_string();
    }
    let suffix = match form {
        Some(Format::Json) => ".json",
        Some(Format::Xml) => ".xml",
        None => "",
    };
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    };
    let (path, _) = crate::answer::negotiate::split_suffix(path);
    match query {
        Some(query) => format!("{path}{suffix}?{query}"),
        None => format!("{path}{suffix}"),
    }
}

/// The HTTP clients verify sends with. A portal may close an idle
/// kept-alive connection just as the next request goes out on it (IIS and
/// proxies do, without `Connection: close`), and such a request fails
/// without telling whether it was carried out: writes therefore always go
/// out on a fresh connection, and a read that failed so is sent once more
/// on one, as browsers do.
#[derive(Clone)]
struct Clients {
    pooled: reqwest::Client,
    fresh: reqwest::Client,
}

/// What the portal answered, as far as verify reads it.
#[derive(Debug, Default)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    /// `Content-Type`, as sent (undecodable bytes replaced).
    pub(crate) content_type: Option<String>,
    /// A `Content-Encoding` the client left in place because it cannot
    /// decode it (`zstd`, stacked codings): the body is not the document.
    pub(crate) encoding: Option<String>,
    /// `Location`, where a redirect points.
    pub(crate) location: Option<String>,
    /// The URL requested, which a redirect is read against.
    pub(crate) url: String,
    /// `WWW-Authenticate`: on a 401 it tells a missing credential from an
    /// expired or rejected one (`error="invalid_token"`).
    pub(crate) challenge: Option<String>,
    /// Set when the final answer is still a 429 or 503: why verify stopped
    /// retrying.
    pub(crate) busy: Option<String>,
    pub(crate) body: Bytes,
}

/// The longest `Retry-After` verify waits for. A portal asking for longer
/// (an absurd number, a date days ahead) is reported as busy at once, so
/// that one endpoint cannot stall a CI job: verify stays bounded by
/// `(retries + 2) × timeout + retries × MAX_RETRY_WAIT` per check (one
/// more send for a read whose kept-alive connection closed under it).
const MAX_RETRY_WAIT: Duration = Duration::from_secs(60);

/// The wait after a 429 or 503 without `Retry-After`.
const DEFAULT_RETRY_WAIT: Duration = Duration::from_secs(1);

/// Sends the example request with `accept`, retrying after 429/503 as
/// `Retry-After` asks; `form` is the form asked for, which decides how a
/// body goes out.
async fn send(
    clients: &Clients,
    endpoint: &Endpoint,
    dialect: &Dialect,
    form: Format,
    accept: &str,
    url: &str,
    options: &Options,
) -> Result<Answer, String> {
    let method = reqwest::Method::from_bytes(endpoint.method.as_str().as_bytes())
        .map_err(|e| format!("invalid method: {e}"))?;
    let mut attempt: u32 = 0;
    let mut resent = false;
    loop {
        // No `Accept-Encoding` of our own: the client advertises the codings
        // it decodes, as browsers and HTTP libraries do, and a portal behind a
        // proxy that compresses regardless is read all the same.
        let client = if resent || is_write(endpoint) {
            &clients.fresh
        } else {
            &clients.pooled
        };
        let mut request = client.request(method.clone(), url).header("Accept", accept);
        let mut body = endpoint.request.as_ref().and_then(|r| r.body.clone());
        let as_form = (form == Format::Xml)
            .then(|| json_body_for_xml(endpoint, dialect, body.as_deref()))
            .flatten();
        let sent_as_form = as_form.is_some();
        if let Some((form_body, content_type)) = as_form {
            body = Some(form_body.into());
            request = request.header("Content-Type", content_type);
        }
        if let Some(example) = &endpoint.request {
            for (name, value) in &example.headers {
                let skip = ["host", "accept", "accept-encoding", "content-length"]
                    .iter()
                    .any(|h| name.eq_ignore_ascii_case(h))
                    || (name.eq_ignore_ascii_case("content-type")
                        && (body.is_none() || sent_as_form))
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
        let response = match request.send().await {
            Ok(response) => response,
            // Perhaps a kept-alive connection closed under it ([`Clients`]).
            Err(e)
                if !resent
                    && !is_write(endpoint)
                    && !e.is_timeout()
                    && !e.is_connect()
                    && e.is_request() =>
            {
                resent = true;
                continue;
            }
            Err(e) => return Err(describe(&e, options.timeout, false)),
        };
        let status = response.status().as_u16();
        let headers = response.headers();
        let mut busy = None;
        // A gateway in front of the portal (502, 504) says nothing about
        // the API either; a read is retried as after a 503, a write is not,
        // since the portal behind the gateway may have carried it out.
        let gateway = (status == 502 || status == 504) && !is_write(endpoint);
        if status == 429 || status == 503 || status == 502 || status == 504 {
            let asked = retry_after(headers);
            let wait = asked.unwrap_or(DEFAULT_RETRY_WAIT);
            let retriable = status == 429 || status == 503 || gateway;
            if retriable && attempt < options.retries && wait <= MAX_RETRY_WAIT {
                attempt += 1;
                tokio::time::sleep(wait).await;
                continue;
            }
            let retries = if retriable {
                Some(options.retries)
            } else {
                None
            };
            busy = Some(busy_message(status, attempt, asked, retries));
        }
        let content_type = content_types(headers);
        let encoding = header_text(headers, reqwest::header::CONTENT_ENCODING)
            .filter(|coding| !coding.trim().is_empty() && !coding.eq_ignore_ascii_case("identity"));
        let location = header_text(headers, reqwest::header::LOCATION);
        let challenge = header_text(headers, reqwest::header::WWW_AUTHENTICATE);
        let body = read_capped(response, options.timeout).await?;
        if let Some(busy) = busy.as_mut()
            && let Some(reason) = error_message(&String::from_utf8_lossy(&body))
        {
            busy.push_str(&format!(": {reason:?}"));
        }
        return Ok(Answer {
            status,
            content_type,
            encoding,
            location,
            url: url.to_string(),
            challenge,
            busy,
            body,
        });
    }
}

/// Why a 429 or 503 ended the check: the portal could not be verified.
/// `retries` is `None` where the answer is not retried at all (a write
/// behind a failing gateway).
fn busy_message(
    status: u16,
    retries_done: u32,
    asked: Option<Duration>,
    retries: Option<u32>,
) -> String {
    let what = match status {
        429 => "rate limits the requests",
        502 | 504 => "is not reached by its gateway",
        _ => "is unavailable",
    };
    let attempts = retries_done.saturating_add(1);
    let plural = if attempts == 1 { "" } else { "s" };
    let why = match asked {
        Some(wait) if wait > MAX_RETRY_WAIT => format!(
            "it asks to retry after {} s (Retry-After), longer than verify waits ({} s)",
            wait.as_secs(),
            MAX_RETRY_WAIT.as_secs()
        ),
        _ => match retries {
            None => "a write is not retried".to_string(),
            Some(0) => "no retries allowed (--retries 0)".to_string(),
            Some(retries) => format!("--retries {retries} used up"),
        },
    };
    let advice = if status == 429 || status == 503 {
        "run verify later or with a lower --concurrency"
    } else {
        "run verify later"
    };
    format!("the portal {what} ({status} after {attempts} attempt{plural}; {why}); {advice}")
}

/// `Content-Type`, every distinct value joined as a client combining
/// repeated headers sees them (`application/json, text/html`): two
/// conflicting types name no form, and are reported as sent.
pub(crate) fn content_types(headers: &reqwest::header::HeaderMap) -> Option<String> {
    let mut values: Vec<String> = Vec::new();
    for value in headers.get_all(reqwest::header::CONTENT_TYPE) {
        let text = String::from_utf8_lossy(value.as_bytes()).trim().to_string();
        if !values.contains(&text) {
            values.push(text);
        }
    }
    (!values.is_empty()).then(|| values.join(", "))
}

/// A header's value as text, with bytes that are not UTF-8 replaced rather
/// than the whole header dropped (a dropped `Content-Type` would read as
/// "no Content-Type").
pub(crate) fn header_text(
    headers: &reqwest::header::HeaderMap,
    name: reqwest::header::HeaderName,
) -> Option<String> {
    headers
        .get(name)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).trim().to_string())
}

/// The largest body verify reads; a documented example is never this big.
/// It bounds the decompressed body: gzip packs a thousand times its own
/// size of repeated bytes, so a small answer can unpack to gigabytes.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// The codings the client decodes (reqwest's `gzip`, `deflate` and `brotli`
/// features), named in the error so that whoever runs verify knows what the
/// portal, or the proxy in front of it, could send instead.
const DECODED_CODINGS: &str = "gzip, deflate and br";

/// The response body, refusing to hold more than [`MAX_BODY`] in memory.
/// A compressed body arrives here decoded, in small chunks, so the cap
/// counts what would be held, not what was sent.
async fn read_capped(mut response: reqwest::Response, timeout: Duration) -> Result<Bytes, String> {
    let too_large = || {
        format!(
            "the answer is larger than {} MiB, more than any documented example",
            MAX_BODY / (1024 * 1024)
        )
    };
    // A declared length over the cap is refused before reading anything.
    // A compressed body has none here: the client drops the length of what
    // it decodes, whose decoded size only reading tells.
    if response
        .content_length()
        .is_some_and(|length| length > MAX_BODY as u64)
    {
        return Err(too_large());
    }
    let announced = response.content_length();
    let mut body = Vec::new();
    loop {
        let chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) if !e.is_timeout() => return Err(broke_off(&e, body.len(), announced)),
            Err(e) => return Err(describe(&e, timeout, true)),
        };
        if body.len() + chunk.len() > MAX_BODY {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(body))
}

/// A body cut short, with how much of it arrived: the client's chain of
/// wrappers ("error decoding response body: request or response body
/// error: …") says less than its innermost cause.
fn broke_off(error: &reqwest::Error, received: usize, announced: Option<u64>) -> String {
    let mut cause: &dyn std::error::Error = error;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    let of = announced
        .map(|length| format!(" of the {length} announced"))
        .unwrap_or_default();
    format!("the answer broke off after {received} bytes{of}: {cause}")
}

/// `Retry-After` as seconds or an HTTP date (one in the past means now).
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
    let when = u64::try_from(when).unwrap_or(0);
    Some(Duration::from_secs(when.saturating_sub(now)))
}

/// The TLS settings of a client that trusts the certificates of `ca_cert`
/// besides the system's; `None` for reqwest's own (the system's roots, or
/// no check at all when `insecure`).
pub(crate) fn tls_settings(
    ca_cert: Option<&std::path::Path>,
    insecure: bool,
) -> Result<Option<rustls::ClientConfig>, VerifyError> {
    // Whichever TLS crates are linked, use ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let extra_roots = match ca_cert {
        Some(path) => trusted_certificates(path)?,
        None => Vec::new(),
    };
    if extra_roots.is_empty() || insecure {
        return Ok(None);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    tls::trusting(extra_roots, provider)
        .map(Some)
        .map_err(|e| VerifyError::CaCert {
            path: ca_cert.map(|p| p.display().to_string()).unwrap_or_default(),
            reason: format!("cannot be trusted: {e}"),
        })
}

/// The certificates of a PEM file given to `--ca-cert`.
fn trusted_certificates(
    path: &std::path::Path,
) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, VerifyError> {
    use rustls::pki_types::pem::PemObject;
    let failed = |reason: String| VerifyError::CaCert {
        path: path.display().to_string(),
        reason,
    };
    let pem =
        crate::files::read_regular(path).map_err(|e| failed(format!("cannot read it: {e}")))?;
    let certificates = rustls::pki_types::CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| failed(format!("not a PEM certificate bundle: {e}")))?;
    if certificates.is_empty() {
        return Err(failed(
            "holds no certificate (expected -----BEGIN CERTIFICATE----- blocks)".into(),
        ));
    }
    Ok(certificates)
}

/// A transport failure in words; `reading` tells a body that stopped
/// arriving from a portal that never answered.
pub(crate) fn describe(error: &reqwest::Error, timeout: Duration, reading: bool) -> String {
    if error.is_timeout() {
        return if reading {
            format!(
                "the answer did not finish within {}s (--timeout): the body arrives too slowly or never ends",
                timeout.as_secs_f64()
            )
        } else {
            format!("no answer within {}s (--timeout)", timeout.as_secs_f64())
        };
    }
    if error.is_connect() {
        let cause = root_cause(error);
        // rustls names a certificate it cannot trust `invalid peer
        // certificate: UnknownIssuer` (or expired, or for another name).
        let hint = if cause.contains("certificate") {
            "; if the portal's certificate is its own or its CA's, pass that certificate with --ca-cert FILE (or --insecure to skip the check)"
        } else {
            ""
        };
        return format!("cannot connect: {cause}{hint}");
    }
    if reading {
        return format!("the answer broke off: {}", root_cause(error));
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

/// The hint added wherever the portal seems to want a login.
const CREDENTIALS_HINT: &str = "pass credentials with --auth or DOCMOCK_AUTH";

/// Compares one answer with the documentation.
pub(crate) fn evaluate(
    endpoint: &Endpoint,
    dialect: &Dialect,
    form: Format,
    answer: &Answer,
    selection: Option<&[Vec<String>]>,
    findings: &mut Vec<Finding>,
) {
    let Some(documented) = endpoint.responses.first() else {
        return;
    };
    let status = answer.status;
    let server_rule = server_success_status(dialect, &endpoint.method);
    if status != documented.status
        && server_rule == Some(status)
        && matches!(documented.status, 200 | 201)
    {
        // The page contradicts the server, and clients are written
        // against the server: a note, and the body is still compared.
        findings.push(Finding {
            class: Class::ServerStatus,
            pointer: String::new(),
            message: format!(
                "documented {}, the portal answers {status}, as the {} server answers every successful {} (201 Created to a POST, 200 to any other method); clients should accept either",
                documented.status,
                dialect.title,
                endpoint.method
            ),
        });
    } else if status != documented.status {
        findings.push(Finding {
            class: Class::StatusMismatch,
            pointer: String::new(),
            message: status_message(documented.status, answer),
        });
        // Another success status (200 for a documented 201) still carries
        // the entity, and its drift is worth reporting too.
        let both_succeed = (200..300).contains(&status) && (200..300).contains(&documented.status);
        if !both_succeed {
            return;
        }
    }
    if endpoint.method == http::Method::HEAD {
        return;
    }
    // The vendor's empty success is what its server sends for a method
    // that returns nothing, and is compared; a body borrowed from another
    // page or made up is not documentation to drift from.
    if let Some(source) = &documented.example
        && !matches!(source, ExampleSource::NoData)
    {
        findings.push(Finding {
            class: Class::Undocumented,
            pointer: String::new(),
            message: match source {
                ExampleSource::SameType { endpoint } => format!(
                    "the page documents no example response (docmock serves the example of the same type from {endpoint}), so the body is not compared"
                ),
                ExampleSource::Recorded { target, at } => format!(
                    "the page documents no example response (docmock serves the answer recorded from {target} at {at}), so the body is not compared"
                ),
                _ => "the page documents no example response, so the body is not compared".into(),
            },
        });
        return;
    }
    let Some(expected) = documented.body.as_deref() else {
        return;
    };
    let trimmed;
    let expected = match selection {
        Some(fields) => {
            trimmed = crate::answer::pipeline::select(expected, fields);
            &trimmed
        }
        None => expected,
    };
    if let Some(coding) = &answer.encoding {
        findings.push(Finding {
            class: Class::ConnectionError,
            pointer: String::new(),
            message: format!(
                "the portal sends the body with Content-Encoding: {}, which verify cannot decode (it decodes {DECODED_CODINGS}), so the body cannot be read",
                shorten(coding, QUOTED)
            ),
        });
        return;
    }
    // A byte order mark is not part of the document; JSON parsers in
    // browsers and .NET skip it, so it is no drift either.
    let body = answer
        .body
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(&answer.body);
    let bom = answer.body.len() - body.len();
    let wanted = match form {
        Format::Json => "JSON",
        Format::Xml => "XML",
    };
    if body.trim_ascii().is_empty() {
        // After a status mismatch (a 204 for a documented 200) the status
        // finding already says it all.
        if !findings.iter().any(|f| f.class == Class::StatusMismatch) {
            findings.push(Finding {
                class: Class::EnvelopeMismatch,
                pointer: String::new(),
                message: format!("the body is empty, the documentation shows a {wanted} body"),
            });
        }
        return;
    }
    // Repeated `Content-Type` headers arrive joined: each must name the
    // form, or a client cannot tell which one holds.
    let declared_right = answer.content_type.as_deref().is_some_and(|types| {
        types
            .split(", ")
            .all(|one| media_form(Some(one)) == Some(form))
    });
    let page = html_page(&String::from_utf8_lossy(body));
    if !declared_right {
        findings.push(Finding {
            class: Class::EnvelopeMismatch,
            pointer: String::new(),
            message: format!(
                "asked for {wanted}, the portal answers {}{}",
                answer
                    .content_type
                    .as_deref()
                    .map(|t| shorten(t, QUOTED))
                    .unwrap_or_else(|| "without a Content-Type".into()),
                html_description(page.as_ref(), answer.location.as_deref())
            ),
        });
        if page.is_some() {
            // A web page (a sign-in form, most often) is not the entity:
            // comparing it would bury the one finding that says why.
            return;
        }
    }
    // From here on the body is read in the asked form even under a wrong
    // Content-Type, so that its drift is reported too; a body that is not
    // in the form at all was already reported by its Content-Type.
    let text = match std::str::from_utf8(body) {
        Ok(text) => text,
        Err(e) => {
            if declared_right {
                findings.push(Finding {
                    class: Class::EnvelopeMismatch,
                    pointer: String::new(),
                    message: not_utf8(body, bom, &e),
                });
            }
            return;
        }
    };
    if declared_right && let Some(message) = misdeclared(answer, form, text, bom) {
        // The text is still compared: clients that read UTF-8 regardless
        // get it right, and its own drift is worth knowing.
        findings.push(Finding {
            class: Class::EnvelopeMismatch,
            pointer: String::new(),
            message,
        });
    }
    let unreadable = |findings: &mut Vec<Finding>, why: String| {
        if declared_right {
            findings.push(Finding {
                class: Class::EnvelopeMismatch,
                pointer: String::new(),
                message: why,
            });
        }
    };
    let before = findings.len();
    let enveloped = dialect.envelope == Envelope::StatusResponse;
    match form {
        Format::Json => {
            let actual: Value = match serde_json::from_str(text) {
                Ok(value) => value,
                Err(e) => {
                    unreadable(findings, not_json(text, &e));
                    return;
                }
            };
            if let Some(error) = error_in_success(dialect, expected, &actual) {
                findings.push(error);
                return;
            }
            let mut comparison = Comparison::new(findings);
            match expected.get("response") {
                // The entity at top level where the envelope belongs: one
                // envelope finding, then the entity compared with the
                // documented `response`, rather than every documented
                // field reported missing and every live one extra.
                Some(inner) if enveloped && is_bare_entity(inner, &actual) => {
                    comparison.findings.push(Finding {
                        class: Class::EnvelopeMismatch,
                        pointer: String::new(),
                        message: "documented inside {\"status\":0,\"response\":…}, the portal sends the entity without the envelope".into(),
                    });
                    comparison.json(inner, &actual, "");
                    return;
                }
                _ => comparison.json(expected, &actual, ""),
            }
        }
        Format::Xml => {
            let root = match crate::contract::xml::parse_xml(text) {
                Ok(root) => root,
                Err(e) => {
                    unreadable(findings, format!("the body is not XML: {e}"));
                    return;
                }
            };
            if let XmlRoot::Fixed(name) = dialect.xml.root
                && root.name != name
            {
                findings.push(Finding {
                    class: Class::EnvelopeMismatch,
                    pointer: String::new(),
                    message: format!(
                        "documented <{name}> around the body, the portal sends <{}>",
                        shorten(&root.name, QUOTED)
                    ),
                });
                return;
            }
            if let Some(error) = dialect.read_xml_error(&root) {
                // XML text may hold any whitespace: quoted on one line.
                findings.push(envelope_error(
                    &one_line(error.status.as_deref().unwrap_or_default()),
                    error.code.as_deref().map(one_line).as_deref(),
                    error.message.as_deref(),
                ));
                return;
            }
            // The documented XML's own spelling of member names, so that a
            // portal writing `<CanEdit>` for `canEdit` matches a page that
            // does too.
            let mut comparison = Comparison::new(findings).with_names(documented.xml_names);
            // The response's own literal conventions, where the page
            // documents other ones than the dialect's.
            comparison.xml(&documented.xml_style, expected, &root, "");
        }
    }
    if enveloped {
        envelope_findings(&mut findings[before..]);
    }
}

/// Whether `actual` is the documented `response` sent without the
/// `{"status":…,"response":…}` envelope: an array where the response is an
/// array, or an object with neither envelope member.
fn is_bare_entity(inner: &Value, actual: &Value) -> bool {
    match (inner, actual) {
        (Value::Array(_), Value::Array(_)) => true,
        (Value::Object(_), Value::Object(object)) => {
            !object.is_empty() && !object.contains_key("status") && !object.contains_key("response")
        }
        _ => false,
    }
}

/// Which form a `Content-Type` names: `application/json`, `text/json` and
/// any `+json` type (`application/problem+json`) are JSON; `application/xml`,
/// `text/xml` and `+xml` types are XML, except XHTML, which is a web page.
pub(crate) fn media_form(content_type: Option<&str>) -> Option<Format> {
    let essence = crate::answer::body::essence(content_type?).to_ascii_lowercase();
    let (_, subtype) = essence.split_once('/')?;
    if subtype == "json" || subtype == "x-json" || subtype.ends_with("+json") {
        Some(Format::Json)
    } else if subtype == "xml" || (subtype.ends_with("+xml") && subtype != "xhtml+xml") {
        Some(Format::Xml)
    } else {
        None
    }
}

/// Why a body is not JSON, with the text where parsing stopped, so that a
/// JSONP wrapper (`callback({…`), `NaN`, or a debug comment after the
/// document is seen without fetching the answer.
fn not_json(text: &str, error: &serde_json::Error) -> String {
    if error.to_string().starts_with("recursion limit exceeded") {
        return format!(
            "the body nests arrays or objects deeper than verify reads (128 levels): {error}"
        );
    }
    // `line` and `column` count from 1; the column counts bytes.
    let line_start: usize = text
        .split_inclusive('\n')
        .take(error.line().saturating_sub(1))
        .map(str::len)
        .sum();
    let mut at = (line_start + error.column().saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    // Back to the start of the token the parser stopped in.
    let start = text[..at]
        .char_indices()
        .rev()
        .take(20)
        .find(|(_, c)| c.is_whitespace() || matches!(c, ',' | ':' | '[' | '{'))
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or_else(|| at.saturating_sub(20).min(at));
    let mut start = start.min(at);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let near = one_line(&shorten(&text[start..], 40));
    if near.is_empty() {
        format!("the body is not JSON: {error}")
    } else {
        format!("the body is not JSON: {error}, at {near:?}")
    }
}

/// The charset a `Content-Type` names, lower-cased and unquoted.
fn charset(content_type: &str) -> Option<String> {
    crate::answer::body::charset_parameter(content_type).map(str::to_ascii_lowercase)
}

/// The encoding an XML declaration names (`<?xml … encoding="…"?>`),
/// lower-cased.
fn xml_declared_encoding(text: &str) -> Option<String> {
    crate::answer::body::xml_declared_encoding(text.as_bytes()).map(str::to_ascii_lowercase)
}

/// A UTF-8 body whose `Content-Type` charset or XML declaration names
/// another encoding, in a way that breaks clients honouring the label: a
/// UTF-16 or UTF-32 label on UTF-8 bytes (.NET's XmlReader refuses it), or
/// an 8-bit one (windows-1251, iso-8859-1) over non-ASCII text, which such
/// clients turn into mojibake. ASCII text reads the same under any 8-bit
/// label, so that label is harmless and not reported.
/// Both labels are read: RFC 7303 lets the charset win, but clients that
/// hand the bytes to an XML parser go by the declaration.
fn misdeclared(answer: &Answer, form: Format, text: &str, bom: usize) -> Option<String> {
    let header = answer
        .content_type
        .as_deref()
        .and_then(charset)
        .map(|label| (label, "the Content-Type says charset="));
    let declaration = (form == Format::Xml)
        .then(|| xml_declared_encoding(text))
        .flatten()
        .map(|label| (label, "the XML declaration says encoding="));
    [header, declaration]
        .into_iter()
        .flatten()
        .find_map(|(label, where_)| mislabelled(&label, where_, text, bom))
}

fn mislabelled(label: &str, where_: &str, text: &str, bom: usize) -> Option<String> {
    if matches!(label, "utf-8" | "utf8") {
        return None;
    }
    let label = shorten(label, 40);
    let wide = [
        "utf-16", "utf16", "utf-32", "utf32", "ucs-2", "ucs-4", "unicode",
    ]
    .iter()
    .any(|w| label.starts_with(w));
    if wide {
        return Some(format!(
            "{where_}{label}, but the body is UTF-8: clients that honour the label refuse or misread it"
        ));
    }
    // Offsets count from the first byte sent, as in `not_utf8`.
    let at = text.bytes().position(|b| !b.is_ascii())? + bom;
    Some(format!(
        "{where_}{label}, but the body is UTF-8 with non-ASCII text (from offset {at}): clients that honour the label misread it"
    ))
}

/// "the body is not UTF-8" with the offending byte and, for XML, the
/// encoding the document declares (R7-Office pages are Russian; a portal
/// answering in windows-1251 breaks every client that reads UTF-8).
fn not_utf8(body: &[u8], bom: usize, error: &std::str::Utf8Error) -> String {
    // UTF-16, as Windows tools write it, is told by its byte order mark or
    // by the zero bytes that ASCII characters leave beside them.
    let utf16 = match body {
        [0xFF, 0xFE, ..] | [_, 0, _, 0, ..] => Some("UTF-16LE"),
        [0xFE, 0xFF, ..] | [0, _, 0, _, ..] => Some("UTF-16BE"),
        _ => None,
    };
    if let Some(name) = utf16 {
        return format!("the body is {name}, the vendors send UTF-8");
    }
    let byte = body.get(error.valid_up_to()).copied().unwrap_or(0);
    // Offsets count from the first byte sent, byte order mark included.
    let at = error.valid_up_to() + bom;
    let declared = crate::answer::body::xml_declared_encoding(body)
        .map(str::to_ascii_lowercase)
        .filter(|name| name != "utf-8" && name != "utf8");
    match declared {
        Some(name) => format!(
            "the body is not UTF-8 (byte 0x{byte:02X} at offset {at}): the document declares {}, the vendors send UTF-8",
            shorten(&name, QUOTED)
        ),
        None => format!("the body is not UTF-8: byte 0x{byte:02X} at offset {at}"),
    }
}

/// The status mismatch in words: the portal's own error message where its
/// body carries one, where a redirect points, and what to do about a login.
fn status_message(documented: u16, answer: &Answer) -> String {
    let status = answer.status;
    let mut message = format!("documented {documented}, the portal answers {status}");
    let redirect = (300..400).contains(&status);
    if redirect && let Some(location) = &answer.location {
        message.push_str(&format!(" redirecting to {}", shorten(location, QUOTED)));
        message.push_str(redirect_hint(&answer.url, location));
    }
    let text = String::from_utf8_lossy(&answer.body);
    // A success body is content, not an error to quote.
    if !(200..300).contains(&status)
        && let Some(reason) = error_message(&text)
    {
        message.push_str(&format!(": {reason:?}"));
    }
    let page = html_page(&text);
    let login = looks_like_login(page.as_ref(), answer.location.as_deref());
    if status == 401
        && let Some(challenge) = answer.challenge.as_deref().filter(|c| !c.is_empty())
    {
        message.push_str(&format!("; WWW-Authenticate: {}", one_line(challenge)));
    }
    if status == 401 || status == 403 || (login && (redirect || status == 200)) {
        let what = if login { "a login page: " } else { "" };
        message.push_str(&format!(" ({what}{CREDENTIALS_HINT})"));
    }
    message
}

/// What a redirect means for whoever runs verify: the same address over
/// HTTPS wants an https:// base URL; the address requested again is a loop
/// a client following redirects would never leave.
fn redirect_hint(requested: &str, location: &str) -> &'static str {
    let Ok(from) = reqwest::Url::parse(requested) else {
        return "";
    };
    let Ok(to) = from.join(location.trim()) else {
        return "";
    };
    if to == from {
        " (to the address requested: a redirect loop)"
    } else if from.scheme() == "http" && to.scheme() == "https" && to.host_str() == from.host_str()
    {
        " (the portal wants HTTPS: pass an https:// --base-url)"
    } else {
        ""
    }
}

/// The message of an error body in any of the shapes portals use:
/// ONLYOFFICE's `{"status":1,"error":{"message":…}}` (or its XML), the
/// SuperOffice WebAPI error (`ErrorMessage`, `Message`), RFC 7807 problem
/// details (`detail`, `title`), or an HTML page's `<title>`.
fn error_message(text: &str) -> Option<String> {
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        let pointers = [
            "/error/message",
            "/ErrorMessage",
            "/Message",
            "/message",
            "/error_description",
            "/detail",
            "/title",
            "/error",
        ];
        return pointers
            .iter()
            .filter_map(|p| value.pointer(p).and_then(Value::as_str))
            .find(|s| !s.trim().is_empty())
            .map(one_line);
    }
    // Well-formed HTML parses as XML too, so an XML body without a message
    // element still gets its page title looked for.
    crate::contract::xml::parse_xml(text)
        .ok()
        .and_then(|root| crate::contract::dialect::xml_error_message(&root))
        .map(|m| one_line(&m))
        .or_else(|| html_page(text).and_then(|page| page.title))
}

/// A body that is a web page, read once: its title and whether it asks
/// for a password.
struct HtmlPage {
    title: Option<String>,
    password_field: bool,
}

/// The web page `text` is, when it starts like one: an error page or a
/// sign-in form a portal sends instead of the API's answer. HTML quoted
/// inside a JSON or XML answer (a mail body, say) is not a page.
fn html_page(text: &str) -> Option<HtmlPage> {
    let start = text.trim_start_matches('\u{feff}').trim_start();
    let opens = |tag: &[u8]| {
        start
            .as_bytes()
            .get(..tag.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(tag))
    };
    if !(opens(b"<!doctype html") || opens(b"<html")) {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    let title = lower.find("<title").and_then(|at| {
        let open_end = at + lower[at..].find('>')? + 1;
        let close = open_end + lower[open_end..].find("</title")?;
        // ASCII lower-casing keeps byte offsets, so they index `text` too.
        let title = one_line(text.get(open_end..close)?);
        (!title.is_empty()).then_some(title)
    });
    let password_field = ["type=\"password\"", "type='password'", "type=password"]
        .iter()
        .any(|p| lower.contains(p));
    Some(HtmlPage {
        title,
        password_field,
    })
}

/// Whether a redirect target or a page looks like a portal's sign-in.
fn looks_like_login(page: Option<&HtmlPage>, location: Option<&str>) -> bool {
    let words = ["auth", "login", "logon", "signin", "sign-in", "sign in"];
    let location_says = location.is_some_and(|l| {
        let l = l.to_ascii_lowercase();
        words.iter().any(|w| l.contains(w))
    });
    let page_says = page.is_some_and(|page| {
        page.password_field
            || page.title.as_ref().is_some_and(|t| {
                let t = t.to_lowercase();
                words.iter().any(|w| t.contains(w)) || t.contains("вход") || t.contains("авториз")
            })
    });
    location_says || page_says
}

/// `: an HTML page titled "…"`, with a hint where it is a sign-in page;
/// nothing for a body that is no page or has no title.
fn html_description(page: Option<&HtmlPage>, location: Option<&str>) -> String {
    let Some(title) = page.and_then(|p| p.title.as_ref()) else {
        return String::new();
    };
    let login = if looks_like_login(page, location) {
        format!(" (a login page? {CREDENTIALS_HINT})")
    } else {
        String::new()
    };
    format!(": an HTML page titled {title:?}{login}")
}

/// Collapses runs of whitespace (newlines included) into single spaces and
/// shortens, so that a portal's message stays one line in every report.
fn one_line(text: &str) -> String {
    shorten(
        &text.split_whitespace().collect::<Vec<_>>().join(" "),
        QUOTED,
    )
}

/// A success status whose body is the vendor's error: ONLYOFFICE's
/// `{"status":1,"statusCode":…,"error":{…}}` on HTTP 200, or SuperOffice's
/// WebAPI error object. Reported once, with the portal's message, instead
/// of as a missing `response` plus extra `error` and `statusCode` fields.
fn error_in_success(dialect: &Dialect, expected: &Value, actual: &Value) -> Option<Finding> {
    let error = dialect.read_error(actual)?;
    match dialect.envelope {
        Envelope::StatusResponse => Some(envelope_error(
            &error.status.unwrap_or_default(),
            error.code.as_deref(),
            error.message.as_deref(),
        )),
        Envelope::Bare => {
            // An entity documented with an `Error` member of its own is
            // the entity, not the WebAPI error.
            if expected.get("Error").is_some() {
                return None;
            }
            let reason = error
                .message
                .filter(|m| !m.trim().is_empty())
                .map(|m| one_line(&m))
                .or_else(|| error_message(&actual.to_string()))
                .map(|m| format!(": {m:?}"))
                .unwrap_or_default();
            Some(Finding {
                class: Class::EnvelopeMismatch,
                pointer: String::new(),
                message: format!(
                    "the portal answers with its WebAPI error object instead of the documented entity{reason}"
                ),
            })
        }
    }
}

/// ONLYOFFICE's error envelope as one finding at `/status`, in the same
/// words for JSON and XML; `status` and `code` as they are to be quoted.
fn envelope_error(status: &str, code: Option<&str>, message: Option<&str>) -> Finding {
    let code = code
        .map(|c| format!(", statusCode {c}"))
        .unwrap_or_default();
    let reason = message
        .map(|m| format!(": {:?}", one_line(m)))
        .unwrap_or_default();
    Finding {
        class: Class::EnvelopeMismatch,
        pointer: "/status".into(),
        message: format!(
            "the portal answers with its error envelope (status {status}{code}) instead of the documented response{reason}"
        ),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_documented_suffix_is_replaced_not_doubled() {
        let onlyoffice = crate::contract::dialect::DialectName::Onlyoffice.rules();
        assert_eq!(
            with_suffix(
                "/api/2.0/authentication.json",
                onlyoffice,
                Some(Format::Xml)
            ),
            "/api/2.0/authentication.xml"
        );
        assert_eq!(
            with_suffix(
                "/api/2.0/crm/contact/1?a=b.json",
                onlyoffice,
                Some(Format::Json)
            ),
            "/api/2.0/crm/contact/1.json?a=b.json"
        );
        // A request naming no format, as the default-format probe sends.
        assert_eq!(
            with_suffix("/api/2.0/authentication.json?a=b", onlyoffice, None),
            "/api/2.0/authentication?a=b"
        );
    }

    #[test]
    fn media_types_name_their_form_by_essence_and_suffix() {
        let cases = [
            ("application/json; charset=utf-8", Some(Format::Json)),
            ("Application/JSON", Some(Format::Json)),
            ("application/problem+json", Some(Format::Json)),
            ("text/xml; charset=utf-8", Some(Format::Xml)),
            ("application/soap+xml", Some(Format::Xml)),
            ("application/xhtml+xml", None),
            ("text/html; charset=json", None),
            ("json", None),
        ];
        for (content_type, form) in cases {
            assert_eq!(media_form(Some(content_type)), form, "{content_type}");
        }
        assert_eq!(media_form(None), None);
    }

    #[test]
    fn error_messages_are_read_from_each_vendors_error_shape() {
        let cases = [
            (
                r#"{"status":1,"statusCode":404,"error":{"message":"Not found"}}"#,
                Some("Not found"),
            ),
            (
                r#"{"Error":true,"ErrorType":"X","ErrorMessage":"Bad ticket"}"#,
                Some("Bad ticket"),
            ),
            (r#"{"title":"Invalid","status":400}"#, Some("Invalid")),
            (
                "<result><status>1</status><error><message>Nope</message></error></result>",
                Some("Nope"),
            ),
            (
                "<html><head><title>\n  Runtime\n Error </title></head></html>",
                Some("Runtime Error"),
            ),
            ("{}", None),
            ("", None),
            ("plain text", None),
        ];
        for (body, message) in cases {
            assert_eq!(error_message(body).as_deref(), message, "{body}");
        }
    }

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            content_type: None,
            encoding: None,
            location: None,
            url: String::new(),
            challenge: None,
            busy: None,
            body: Bytes::from(body.to_string()),
        }
    }

    #[test]
    fn a_success_body_is_not_quoted_as_the_portals_error() {
        for body in [
            "<ContactEntity><Messages><Message>Hello there</Message></Messages></ContactEntity>",
            r#"{"title":"Quarterly report"}"#,
        ] {
            assert_eq!(
                status_message(201, &answer(200, body)),
                "documented 201, the portal answers 200",
                "{body}"
            );
        }
        // Under an error status, the vendor's error shape is quoted…
        assert!(
            status_message(200, &answer(500, r#"{"title":"Quarterly report"}"#))
                .ends_with(": \"Quarterly report\"")
        );
        // …but not a `Message` member deep inside an entity.
        assert_eq!(
            error_message("<Contact><Notes><Note><Message>hi</Message></Note></Notes></Contact>"),
            None
        );
    }

    #[test]
    fn only_a_body_that_starts_like_a_web_page_is_one() {
        assert!(html_page("<!DOCTYPE html><html><title>T</title></html>").is_some());
        assert!(html_page("\u{feff}  <HTML><title>T</title>").is_some());
        assert!(html_page(r#"{"Body":"<html><title>Newsletter</title></html>"}"#).is_none());
        let quoted = answer(200, r#"{"Body":"<html><title>Sign in</title></html>"}"#);
        assert_eq!(
            status_message(201, &quoted),
            "documented 201, the portal answers 200"
        );
    }

    #[test]
    fn a_body_that_is_not_json_is_quoted_where_parsing_stopped() {
        let message = |text: &str| {
            let error = serde_json::from_str::<Value>(text).expect_err("not JSON");
            not_json(text, &error)
        };
        assert!(
            message("cb({\"a\":1});").ends_with("at \"cb({\\\"a\\\":1});\""),
            "{}",
            message("cb({\"a\":1});")
        );
        let multi = message("{\n  \"имя\": \"Ж\",\n  \"n\": Infinity\n}");
        assert!(multi.ends_with("at \"Infinity }\""), "{multi}");
        let cut = message("{\"a\": [1, 2");
        assert!(cut.contains("EOF while parsing"), "{cut}");
        for text in ["ж", "\u{feff}", "{\"ж\":ж}", "[1,,]", "{\"a\"\n\n:}"] {
            let _ = message(text);
        }
    }

    #[test]
    fn encoding_labels_are_read_from_the_charset_and_the_xml_declaration() {
        assert_eq!(
            charset("text/xml; Charset=\"Windows-1251\"").as_deref(),
            Some("windows-1251")
        );
        assert_eq!(charset("application/json").as_deref(), None);
        assert_eq!(
            xml_declared_encoding("\u{feff}<?xml version='1.0' encoding = 'UTF-16'?><a/>")
                .as_deref(),
            Some("utf-16")
        );
        for other in [
            "",
            "<a/>",
            "<?xml?>",
            "<?xml encoding?>",
            "<?xml encoding=utf-8?>",
            "<?xml encoding=\"",
            "<?xml-stylesheet encoding=\"x\"?><a/>",
        ] {
            assert_eq!(xml_declared_encoding(other), None, "{other}");
        }
    }

    #[test]
    fn offsets_of_bytes_that_are_not_utf8_count_the_byte_order_mark() {
        let sent = b"\xEF\xBB\xBFab\xFF";
        let body = &sent[3..];
        let error = std::str::from_utf8(body).expect_err("not UTF-8");
        assert!(not_utf8(body, 3, &error).ends_with("byte 0xFF at offset 5"));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates_and_treats_past_dates_as_now() {
        let mut headers = reqwest::header::HeaderMap::new();
        let mut with = |value: &'static str| {
            headers.insert(
                reqwest::header::RETRY_AFTER,
                reqwest::header::HeaderValue::from_static(value),
            );
            retry_after(&headers)
        };
        assert_eq!(with("7"), Some(Duration::from_secs(7)));
        assert_eq!(with("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        assert!(with("Fri, 01 Jan 2100 00:00:00 GMT").is_some_and(|d| d > MAX_RETRY_WAIT));
        assert_eq!(with("soon"), None);
    }
}
