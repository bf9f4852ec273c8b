//! The mock as a pure function from a request to a response.
//!
//! [`Mock::handle`] runs the stages in order — route, negotiate, bind path
//! parameters, choose the documented response — and every stage reports what
//! is wrong as a [`Problem`]. One function, [`Mock::problem_response`], turns
//! problems into the dialect's error shape in the negotiated format. The
//! server is a thin shell around this, and tests call it without a socket.

use std::sync::Arc;

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderValue};
use http::{Method, StatusCode};
use serde_json::Value;

use crate::answer::negotiate::{Asked, Negotiated, negotiate, split_suffix};
use crate::answer::request::{NotableHeaders, PREFER, Request, accept_of};
use crate::answer::router::{Mount, Route, Routed, Router};
use crate::answer::validate::{self, Policy};
use crate::contract::catalog::{Catalog, Endpoint, LoadError, Response};
use crate::contract::dialect::{Dialect, Format, XmlRoot, with_token};
use crate::contract::problem::{Problem, Violation};
use crate::contract::render;
use crate::contract::spec::{ExampleSource, Location};

/// What the pipeline made of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Routed and within the contract.
    Valid,
    /// Refused: it breaks the contract (4xx with violations).
    Invalid,
    /// Broke the contract but was replayed (`--lenient`).
    Replayed,
    /// No documented route matches.
    Unmatched,
    /// A fault asked for with `Prefer: code=5xx` or injected by a rate limit.
    Fault,
}

impl Verdict {
    /// The word used in logs and the journal.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Invalid => "invalid",
            Verdict::Replayed => "replayed",
            Verdict::Unmatched => "unmatched",
            Verdict::Fault => "fault",
        }
    }
}

/// A response with what the journal and the logs need to know about it.
#[derive(Debug)]
pub struct Answer<'m> {
    /// The response.
    pub response: http::Response<Bytes>,
    /// The matched endpoint, borrowed from the mock that answered.
    pub endpoint: Option<&'m Endpoint>,
    /// The verdict on the request.
    pub verdict: Verdict,
    /// The error message, when the request was refused or replayed anyway.
    pub message: Option<String>,
    /// Every violation found.
    pub violations: Vec<Violation>,
    /// How long `Prefer: delay=` asks the answer to wait.
    pub delay: Option<std::time::Duration>,
    /// What the request did that the vendor's server accepts but the
    /// documentation does not (a documented parameter left out), one line
    /// each, for the journal and the log.
    pub warnings: Vec<String>,
    /// Where the body served comes from when its page documents none
    /// (the response also carries [`EXAMPLE_HEADER`]); `None` for a
    /// documented body and for every answer docmock makes up itself.
    pub example: Option<&'m ExampleSource>,
    /// Why the answer's format is not the one the request seems to ask
    /// for (see [`crate::answer::negotiate::ACCEPT_IGNORED`]), for the
    /// journal and the log.
    pub note: Option<&'static str>,
}

/// The response header that marks an answer whose body no page documents:
/// `Docmock-Example: none; from=same-type; endpoint="api/id"`,
/// `none; from=no-data` or `none; from=unknown`. `none` comes first so
/// that a client can match on it alone.
pub const EXAMPLE_HEADER: header::HeaderName = header::HeaderName::from_static("docmock-example");

impl Answer<'_> {
    fn unmatched(response: http::Response<Bytes>, problem: Problem) -> Self {
        Answer {
            response,
            endpoint: None,
            verdict: Verdict::Unmatched,
            message: Some(problem.full_message()),
            violations: problem.violations,
            delay: None,
            warnings: Vec::new(),
            example: None,
            note: None,
        }
    }

    /// The answer to `OPTIONS`: what the path (or, for `*`, the server)
    /// allows, and no body.
    fn options(allow: String) -> Self {
        let mut response = http::Response::new(Bytes::new());
        *response.status_mut() = StatusCode::NO_CONTENT;
        if let Ok(value) = HeaderValue::from_str(&allow) {
            response.headers_mut().insert(header::ALLOW, value);
        }
        Answer {
            response,
            endpoint: None,
            verdict: Verdict::Valid,
            message: None,
            violations: Vec::new(),
            delay: None,
            warnings: Vec::new(),
            example: None,
            note: None,
        }
    }

    fn refused(mut self, problem: Problem) -> Self {
        self.verdict = Verdict::Invalid;
        self.message = Some(problem.full_message());
        self.violations = problem.violations;
        self
    }
}

/// A loaded catalog with its routes: everything needed to answer requests.
#[derive(Debug, Clone)]
pub struct Mock {
    catalog: Arc<Catalog>,
    router: Router,
    policy: Policy,
}

impl Mock {
    /// Mounts `catalog` as `mount`.
    pub fn new(catalog: Catalog, mount: &Mount) -> Result<Mock, Vec<LoadError>> {
        let router = Router::new(&catalog, mount)?;
        Ok(Mock {
            catalog: Arc::new(catalog),
            router,
            policy: Policy::default(),
        })
    }

    /// Mounts `catalog` as `mount`, leaving out each route that no request
    /// could tell apart from one mounted before it; those conflicts come
    /// back beside the mock (see [`Router::skipping_conflicts`]).
    pub fn skipping_conflicts(
        catalog: Catalog,
        mount: &Mount,
    ) -> Result<(Mock, Vec<LoadError>), Vec<LoadError>> {
        let (router, conflicts) = Router::skipping_conflicts(&catalog, mount)?;
        let mock = Mock {
            catalog: Arc::new(catalog),
            router,
            policy: Policy::default(),
        };
        Ok((mock, conflicts))
    }

    /// Sets how strictly requests are checked.
    pub fn with_policy(mut self, policy: Policy) -> Mock {
        self.policy = policy;
        self
    }

    /// The catalog served.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// How strictly requests are checked.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The mounted routes.
    pub fn router(&self) -> &Router {
        &self.router
    }

    /// Answers one request.
    pub fn handle(&self, request: &Request) -> http::Response<Bytes> {
        self.answer(request).response
    }

    /// Answers one request and says how it went: the matched endpoint, the
    /// verdict on the request and its violations, for journals and logs.
    pub fn answer(&self, request: &Request) -> Answer<'_> {
        self.answer_with(request, &request.notable_headers())
    }

    /// [`Mock::answer`] for a caller that has found the request's notable
    /// headers already.
    pub fn answer_with(&self, request: &Request, notable: &NotableHeaders<'_>) -> Answer<'_> {
        // A path with dot segments or percent-encoded unreserved characters
        // is spelled out again only when the path as sent finds nothing, so
        // that a request spelled as documented pays nothing for it.
        let mut normalized = None;
        let (mut routed, mut suffix) = self.route_path(&request.method, request.path());
        if matches!(routed, Routed::NotFound | Routed::MethodNotAllowed { .. }) {
            normalized = crate::answer::router::normalize(request.path());
            if let Some(path) = &normalized {
                (routed, suffix) = self.route_path(&request.method, path);
            }
        }
        let (route, params) = match routed {
            Routed::Found { route, params } => (route, params),
            Routed::MethodNotAllowed { allow, api } => {
                let allowed: Vec<&str> = allow.iter().map(Method::as_str).collect();
                // OPTIONS is answered on every documented path (RFC 9110
                // §9.3.7), so Allow names it although no page documents it.
                let allow_header = format!("{}, OPTIONS", allowed.join(", "));
                if request.method == Method::OPTIONS {
                    return Answer::options(allow_header);
                }
                let problem = Problem::new(
                    405,
                    format!(
                        "{} is not documented for this path; documented: {}",
                        request.method,
                        allowed.join(", ")
                    ),
                )
                .with_header("allow", allow_header);
                let response = self.problem_response(request, api, suffix, &problem);
                return Answer::unmatched(response, problem);
            }
            Routed::NotFound if request.method == Method::OPTIONS && request.path() == "*" => {
                // `OPTIONS *` asks about the server as a whole.
                let mut methods: Vec<&str> = self
                    .router
                    .routes()
                    .iter()
                    .map(|r| r.method.as_str())
                    .chain(["HEAD", "OPTIONS"])
                    .collect();
                methods.sort_unstable();
                methods.dedup();
                return Answer::options(methods.join(", "));
            }
            Routed::NotFound => {
                let path = normalized.as_deref().unwrap_or(request.path());
                let nearest: Vec<String> = self
                    .router
                    .nearest(path, 3)
                    .iter()
                    .map(|r| format!("{} {}", r.method, r.template))
                    .collect();
                let mut message = format!(
                    "no documented endpoint matches {}",
                    shown_path(request.path())
                );
                if !nearest.is_empty() {
                    message.push_str("; nearest documented routes: ");
                    message.push_str(&nearest.join("; "));
                }
                let api = self.router.api_for_path(path).unwrap_or(0);
                let problem = Problem::new(404, message);
                let response = self.problem_response(request, api, suffix, &problem);
                return Answer::unmatched(response, problem);
            }
        };

        let endpoint = &self.catalog.endpoints[route.endpoint];
        let dialect = self.dialect(route.api);
        let suffix = suffix.filter(|_| dialect.path_suffix);
        let head = request.method == Method::HEAD;
        let preferences = if notable.prefer {
            preferences(request)
        } else {
            Vec::new()
        };
        // The answer is put together once its response is known: a
        // placeholder response would be built and dropped on every request.
        let answer = |response| Answer {
            response,
            endpoint: Some(endpoint),
            verdict: Verdict::Valid,
            message: None,
            violations: Vec::new(),
            delay: preferred_delay(&preferences),
            warnings: Vec::new(),
            example: None,
            note: None,
        };
        let accept = accept_of(&request.headers, notable);
        let asked = Asked {
            suffix,
            accept: accept.as_deref(),
            content_type: request.header_str(header::CONTENT_TYPE),
        };
        let negotiated = match negotiate(dialect, self.formats(route.api), asked) {
            Ok(n) => n,
            Err(available) => {
                let problem = Problem::new(
                    406,
                    format!(
                        "none of the media types in Accept can be served; available: {}",
                        available.join(", ")
                    ),
                )
                .with_violations(vec![Violation {
                    location: Location::Header,
                    pointer: "/Accept".into(),
                    expected: "a media type this API answers with".into(),
                    got: accept.as_deref().map(|a| format!("{a:?}")),
                }]);
                let response = self.problem_response(request, route.api, suffix, &problem);
                return answer(response).refused(problem);
            }
        };
        let answer = |response| Answer {
            note: negotiated.note,
            ..answer(response)
        };

        let api = &self.catalog.apis[route.api];
        // A request that breaks the contract but is replayed (lenient).
        let mut replayed = None;
        let mut warnings = Vec::new();
        match validate::check(
            endpoint,
            api,
            dialect,
            request,
            notable,
            &params,
            &self.policy,
        ) {
            Ok(checked) => warnings = checked.warnings,
            Err(problem) => {
                if !self.policy.lenient {
                    let response = self.error(dialect, negotiated, &problem, head);
                    return answer(response).refused(problem);
                }
                replayed = Some(problem);
            }
        }
        let answer = |response| {
            let mut answer = answer(response);
            answer.warnings = warnings;
            if let Some(problem) = replayed {
                answer.verdict = Verdict::Replayed;
                answer.message = Some(problem.full_message());
                answer.violations = problem.violations;
            }
            answer
        };

        let response = if precondition_failed(dialect, endpoint, request) {
            match endpoint.responses.iter().find(|r| r.status == 412) {
                Some(documented) => documented,
                None => {
                    let problem = Problem::new(
                        412,
                        "the entity has changed since the If-Unmodified-Since time",
                    );
                    let response = self.error(dialect, negotiated, &problem, head);
                    return answer(response);
                }
            }
        } else {
            match choose_response(endpoint, &preferences) {
                Ok(Chosen::Documented(response)) => response,
                Ok(Chosen::Fault(problem)) => {
                    // Prefer asked for a server error the page does not
                    // document: a fault to test error states with.
                    let response = self.error(dialect, negotiated, &problem, head);
                    let mut answer = answer(response);
                    answer.verdict = Verdict::Fault;
                    return answer;
                }
                Err(problem) => {
                    let response = self.error(dialect, negotiated, &problem, head);
                    return answer(response).refused(problem);
                }
            }
        };
        let body = match selection(dialect, endpoint, request) {
            Some(fields) if (200..300).contains(&response.status) && response.body.is_some() => {
                let trimmed = select(response.body.as_deref().unwrap_or(&Value::Null), &fields);
                match negotiated.format {
                    Format::Json => Bytes::from(render::to_json(&trimmed)),
                    Format::Xml => Bytes::from(render::to_xml_named(
                        &response.xml_style,
                        &trimmed,
                        response.type_name.as_deref(),
                        response.xml_names,
                    )),
                }
            }
            _ => match &self.policy.token {
                // The login hands out the one token `--token` accepts, so
                // that a client that logs in first works under it too.
                Some(token)
                    if endpoint.login
                        && (200..300).contains(&response.status)
                        && response.body.is_some() =>
                {
                    let body = with_token(response.body.as_deref().unwrap_or(&Value::Null), token);
                    match negotiated.format {
                        Format::Json => Bytes::from(render::to_json(&body)),
                        Format::Xml => Bytes::from(render::to_xml_named(
                            &response.xml_style,
                            &body,
                            response.type_name.as_deref(),
                            response.xml_names,
                        )),
                    }
                }
                _ => response.bytes(negotiated.format).clone(),
            },
        };
        let mut reply = reply(response.status, negotiated, body, &[], head);
        if let Some(value) = &response.example_header {
            reply.headers_mut().insert(EXAMPLE_HEADER, value.clone());
        }
        let mut answer = answer(reply);
        answer.example = response.example.as_ref();
        answer
    }

    /// The endpoint `request` is for, without answering it: for the log
    /// line and journal entry of a request refused before it is routed (a
    /// body over the limit, the rate limit).
    pub fn endpoint_for(&self, request: &Request) -> Option<&Endpoint> {
        let found = |path: &str| match self.route_path(&request.method, path).0 {
            Routed::Found { route, .. } => self.catalog.endpoints.get(route.endpoint),
            _ => None,
        };
        found(request.path()).or_else(|| {
            crate::answer::router::normalize(request.path())
                .as_deref()
                .and_then(found)
        })
    }

    /// Routes `method` + `path`, a `.json` / `.xml` suffix split off where
    /// the route's dialect reads one.
    fn route_path<'p>(&self, method: &Method, path: &'p str) -> (Routed<'_, 'p>, Option<Format>) {
        let (bare, suffix) = split_suffix(path);
        let routed = match suffix {
            Some(_) => match self.router.route(method, bare) {
                Routed::Found { route, .. } if !self.dialect(route.api).path_suffix => {
                    self.router.route(method, path)
                }
                Routed::NotFound => self.router.route(method, path),
                found => found,
            },
            None => self.router.route(method, path),
        };
        (routed, suffix)
    }

    /// Whose word decides the format for API `api`: `serve --formats`,
    /// else its `api.json`.
    fn formats(&self, api: usize) -> crate::contract::dialect::Formats {
        self.policy.formats.unwrap_or_else(|| {
            self.catalog
                .apis
                .get(api)
                .map(|a| a.formats)
                .unwrap_or_default()
        })
    }

    fn dialect(&self, api: usize) -> &'static Dialect {
        self.catalog
            .apis
            .get(api)
            .map(|a| a.dialect.rules())
            .unwrap_or(crate::contract::dialect::DialectName::Onlyoffice.rules())
    }

    /// Renders `problem` for API `api` in the format the request asks for
    /// (the dialect's default when it asks for nothing servable).
    pub fn problem_response(
        &self,
        request: &Request,
        api: usize,
        suffix: Option<Format>,
        problem: &Problem,
    ) -> http::Response<Bytes> {
        let dialect = self.dialect(api);
        let accept = request.accept();
        let asked = Asked {
            suffix: suffix.filter(|_| dialect.path_suffix),
            accept: accept.as_deref(),
            content_type: request.header_str(header::CONTENT_TYPE),
        };
        let formats = self.formats(api);
        let negotiated = negotiate(dialect, formats, asked).unwrap_or_else(|_| {
            let default = match formats {
                crate::contract::dialect::Formats::Documented => dialect.default_format,
                crate::contract::dialect::Formats::Server => Format::Json,
            };
            Negotiated::default_for(dialect, default)
        });
        self.error(dialect, negotiated, problem, request.method == Method::HEAD)
    }

    fn error(
        &self,
        dialect: &Dialect,
        negotiated: Negotiated,
        problem: &Problem,
        head: bool,
    ) -> http::Response<Bytes> {
        let body = match negotiated.format {
            Format::Json => Bytes::from(dialect.error_json(problem)),
            Format::Xml => render_value(
                dialect,
                Format::Xml,
                &dialect.error_body(problem),
                Some(dialect.error_type_name()),
            ),
        };
        reply(problem.status, negotiated, body, &problem.headers, head)
    }

    /// Mounted route of `endpoint`, for listings.
    pub fn route_of(&self, endpoint: usize) -> Option<&Route> {
        self.router.routes().iter().find(|r| r.endpoint == endpoint)
    }
}

/// Renders a generated body in `format`.
fn render_value(
    dialect: &Dialect,
    format: Format,
    value: &Value,
    type_name: Option<&str>,
) -> Bytes {
    match format {
        Format::Json => Bytes::from(render::to_json(value)),
        Format::Xml => {
            let root = match dialect.xml.root {
                XmlRoot::Fixed(_) => None,
                XmlRoot::TypeName { .. } => type_name,
            };
            Bytes::from(render::to_xml(&dialect.xml, value, root))
        }
    }
}

/// The headers every answer starts with, one set per content type, built
/// once: cloning a small map costs less than filling a new one, and the
/// values are not checked byte by byte for every answer.
fn base_headers(negotiated: Negotiated) -> HeaderMap {
    static BASE: std::sync::LazyLock<[HeaderMap; 4]> = std::sync::LazyLock::new(|| {
        crate::answer::negotiate::CONTENT_TYPES.map(|content_type| {
            let mut headers = HeaderMap::with_capacity(2);
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            headers.insert(header::VARY, HeaderValue::from_static("Accept"));
            headers
        })
    });
    BASE[negotiated.content_type_index()].clone()
}

fn reply(
    status: u16,
    negotiated: Negotiated,
    body: Bytes,
    extra: &[(&'static str, String)],
    head: bool,
) -> http::Response<Bytes> {
    let mut response = http::Response::new(Bytes::new());
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    *response.headers_mut() = base_headers(negotiated);
    let headers = response.headers_mut();
    if matches!(status, 204 | 304) {
        // No content, so no type of content (RFC 9110 15.3.5, 15.4.5).
        headers.remove(header::CONTENT_TYPE);
    }
    if head {
        // hyper sets the length from the body it sends; a HEAD answer sends
        // none but announces the length of the GET answer.
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    }
    for (name, value) in extra {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(*name, value);
        }
    }
    if !head {
        *response.body_mut() = body;
    }
    response
}

/// Whether `If-Unmodified-Since` names a time before the documented entity's
/// last modification (dialects with a last-modified field only).
fn precondition_failed(dialect: &Dialect, endpoint: &Endpoint, request: &Request) -> bool {
    let Some(field) = dialect.last_modified_field else {
        return false;
    };
    if request.method == Method::GET || request.method == Method::HEAD {
        return false;
    }
    let Some(since) = request
        .header_str(header::IF_UNMODIFIED_SINCE)
        .and_then(parse_time)
    else {
        // RFC 9110: an invalid date is ignored.
        return false;
    };
    let modified = endpoint
        .responses
        .iter()
        .find(|r| (200..300).contains(&r.status))
        .and_then(|r| r.body.as_deref())
        .and_then(Value::as_object)
        .and_then(|entity| {
            entity
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(field))
                .map(|(_, value)| value)
        })
        .and_then(Value::as_str)
        .and_then(parse_time);
    modified.is_some_and(|modified| since < modified)
}

fn parse_time(text: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let text = text.trim();
    chrono::DateTime::parse_from_rfc2822(text)
        .or_else(|_| chrono::DateTime::parse_from_rfc3339(text))
        .ok()
}

/// The field paths of the dialect's select parameter (`$select=name,category/id`),
/// when the endpoint documents it and the request sends it.
fn selection(
    dialect: &Dialect,
    endpoint: &Endpoint,
    request: &Request,
) -> Option<Vec<Vec<String>>> {
    selected_fields(dialect, endpoint, request.query()?)
}

/// The field paths `query` selects with the dialect's select parameter, when
/// the endpoint documents that parameter.
pub fn selected_fields(
    dialect: &Dialect,
    endpoint: &Endpoint,
    query: &str,
) -> Option<Vec<Vec<String>>> {
    let name = dialect.select_param?;
    endpoint.parameter(Location::Query, name)?;
    // A repeated parameter lists more fields rather than replacing them.
    let values: Vec<_> = form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
        .collect();
    let fields: Vec<Vec<String>> = values
        .iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(|f| f.split(['/', '.']).map(str::to_string).collect())
        .collect();
    (!fields.is_empty()).then_some(fields)
}

/// `value` as the dialect's select parameter trims it.
///
/// A list in SuperOffice's OData envelope (`{"odata.metadata": …,
/// "value": [rows…]}`, or the `@odata.` spellings) keeps its envelope and
/// has each row trimmed to the columns selected, as the archive answers
/// only the columns it is asked for; so does a list of archive rows
/// (`{"PrimaryKey", "EntityName", "ColumnData": {column: …}}`), whose
/// columns sit under `ColumnData` and `FieldProperties`. Any other
/// value, an entity, has every field not named set to null (see
/// [`select_fields`]).
pub fn select(value: &Value, fields: &[Vec<String>]) -> Value {
    match value {
        Value::Object(members) if is_odata_list(members) => Value::Object(
            members
                .iter()
                .map(|(key, member)| {
                    let kept = match member {
                        Value::Array(rows) if key == "value" => {
                            Value::Array(rows.iter().map(|row| select_row(row, fields)).collect())
                        }
                        other => other.clone(),
                    };
                    (key.clone(), kept)
                })
                .collect(),
        ),
        Value::Array(rows) if rows.iter().any(is_archive_row) => {
            Value::Array(rows.iter().map(|row| select_row(row, fields)).collect())
        }
        other => select_fields(other, fields),
    }
}

/// Whether `members` are an OData list envelope: rows under `value`, and
/// nothing else but OData annotations (`odata.metadata`,
/// `@odata.nextLink`, …).
fn is_odata_list(members: &serde_json::Map<String, Value>) -> bool {
    members.get("value").is_some_and(Value::is_array)
        && members.keys().all(|key| {
            key == "value"
                || key
                    .get(..6)
                    .is_some_and(|start| start.eq_ignore_ascii_case("odata."))
                || key
                    .get(..7)
                    .is_some_and(|start| start.eq_ignore_ascii_case("@odata."))
        })
}

/// Whether `row` is an archive list item, its columns under `ColumnData`.
fn is_archive_row(row: &Value) -> bool {
    row.as_object().is_some_and(|members| {
        members
            .iter()
            .any(|(key, value)| key.eq_ignore_ascii_case("ColumnData") && value.is_object())
    })
}

/// One list row with only the columns `fields` selects: its identity
/// (`PrimaryKey`, `EntityName`) stays, as the archive always answers it;
/// an archive item keeps its hints and has `ColumnData` and
/// `FieldProperties` trimmed; a member named in part (`category/id` on a
/// nested `category`) is trimmed the same way inside; a column selected
/// that a plain row lacks is added as null.
fn select_row(row: &Value, fields: &[Vec<String>]) -> Value {
    let Value::Object(members) = row else {
        return row.clone();
    };
    let archive = is_archive_row(row);
    let mut kept = serde_json::Map::new();
    for (key, member) in members {
        let is_identity =
            key.eq_ignore_ascii_case("PrimaryKey") || key.eq_ignore_ascii_case("EntityName");
        if is_identity || fields.iter().any(|path| names_column(key, path)) {
            kept.insert(key.clone(), member.clone());
            continue;
        }
        if archive {
            let is_columns = key.eq_ignore_ascii_case("ColumnData")
                || key.eq_ignore_ascii_case("FieldProperties");
            let value = match member {
                Value::Object(columns) if is_columns => Value::Object(
                    columns
                        .iter()
                        .filter(|(column, _)| fields.iter().any(|path| names_column(column, path)))
                        .map(|(column, value)| (column.clone(), value.clone()))
                        .collect(),
                ),
                // The item's hints and rights describe the row, not a
                // column.
                other => other.clone(),
            };
            kept.insert(key.clone(), value);
            continue;
        }
        let tails: Vec<Vec<String>> = fields
            .iter()
            .filter(|path| path.len() > 1 && path[0].eq_ignore_ascii_case(key))
            .map(|path| path[1..].to_vec())
            .collect();
        if !tails.is_empty() && (member.is_object() || member.is_array()) {
            let trimmed = match member {
                Value::Array(items) => {
                    Value::Array(items.iter().map(|item| select_row(item, &tails)).collect())
                }
                other => select_row(other, &tails),
            };
            kept.insert(key.clone(), trimmed);
        }
    }
    if !archive {
        // A column asked for that the documented row lacks is answered
        // empty, so that a client reading it finds it.
        for path in fields {
            if let [name] = path.as_slice()
                && name != "*"
                && !members.keys().any(|key| names_column(key, path))
            {
                kept.entry(name.clone()).or_insert(Value::Null);
            }
        }
    }
    Value::Object(kept)
}

/// Whether the column (or member) `key` is the one `path` selects, ignoring
/// case: `*` names every column, and a path's separators match any of
/// `/`, `.` and `_`, so that `category/id` names the archive column
/// `category/id` and its JSON-safe spelling `category_id` alike.
fn names_column(key: &str, path: &[String]) -> bool {
    if matches!(path, [star] if star == "*") {
        return true;
    }
    let separator = |b: u8| matches!(b, b'/' | b'.' | b'_');
    let mut key = key.bytes();
    for (i, segment) in path.iter().enumerate() {
        if i > 0 && !key.next().is_some_and(separator) {
            return false;
        }
        for wanted in segment.bytes() {
            match key.next() {
                Some(got)
                    if got.eq_ignore_ascii_case(&wanted) || separator(got) && separator(wanted) => {
                }
                _ => return false,
            }
        }
    }
    key.next().is_none()
}

/// `value` with every field not named in `fields` set to null, matching
/// names ignoring case; `category/id` keeps `Category` with only its `Id`,
/// and `*` (OData's "every field") names every field at its level.
pub fn select_fields(value: &Value, fields: &[Vec<String>]) -> Value {
    match value {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| select_fields(item, fields))
                .collect(),
        ),
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(key, member)| {
                    let matching: Vec<&Vec<String>> = fields
                        .iter()
                        .filter(|path| {
                            path.first().is_some_and(|first| {
                                first == "*" || first.eq_ignore_ascii_case(key)
                            })
                        })
                        .collect();
                    let kept = if matching.is_empty() {
                        Value::Null
                    } else if matching.iter().any(|path| path.len() == 1)
                        || !member.is_object() && !member.is_array()
                    {
                        member.clone()
                    } else {
                        let tails: Vec<Vec<String>> =
                            matching.iter().map(|path| path[1..].to_vec()).collect();
                        select_fields(member, &tails)
                    };
                    (key.clone(), kept)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// What `Prefer` picked.
enum Chosen<'e> {
    /// A documented response.
    Documented(&'e Response),
    /// An undocumented server error to inject.
    Fault(Problem),
}

/// Picks the documented response: the first, unless `Prefer: code=N` or
/// `Prefer: example=NAME` asks for another. An undocumented 5xx or 429 is a
/// fault to inject; any other undocumented choice is an error listing the
/// documented ones.
fn choose_response<'e>(
    endpoint: &'e Endpoint,
    preferences: &[(String, String)],
) -> Result<Chosen<'e>, Problem> {
    let documented = || {
        endpoint
            .responses
            .iter()
            .map(|r| format!("code={} example={}", r.status, r.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (key, value) in preferences {
        let found = match key.as_str() {
            "code" => endpoint
                .responses
                .iter()
                .find(|r| r.status.to_string() == *value),
            "example" => endpoint.responses.iter().find(|r| r.name == *value),
            _ => continue,
        };
        if let Some(found) = found {
            return Ok(Chosen::Documented(found));
        }
        if key == "code"
            && let Ok(status) = value.parse::<u16>()
            && (status == 429 || (500..600).contains(&status))
        {
            let mut problem =
                Problem::new(status, format!("fault injected by Prefer: code={status}"));
            if status == 429 || status == 503 {
                problem = problem.with_header("retry-after", "1".into());
            }
            return Ok(Chosen::Fault(problem));
        }
        return Err(Problem::new(
            400,
            format!(
                "Prefer asks for {key}={value}, which is not documented for {} {}; documented: {}",
                endpoint.method,
                endpoint.path.raw,
                documented()
            ),
        )
        .with_violations(vec![Violation {
            location: Location::Header,
            pointer: "/Prefer".into(),
            expected: "a documented code or example, or code= a 5xx or 429 to inject".into(),
            got: Some(format!("{key}={value}")),
        }]));
    }
    endpoint
        .responses
        .first()
        .map(Chosen::Documented)
        .ok_or_else(|| Problem::new(500, "the endpoint documents no response"))
}

/// The `key=value` preferences of every `Prefer` header, keys lower-cased.
fn preferences(request: &Request) -> Vec<(String, String)> {
    request
        .headers
        .get_all(PREFER)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split([',', ';']))
        .filter_map(|preference| preference.split_once('='))
        .map(|(key, value)| {
            (
                key.trim_ascii().to_ascii_lowercase(),
                value.trim_ascii().trim_matches('"').to_string(),
            )
        })
        .collect()
}

/// `Prefer: delay=200ms` (or `delay=200`, milliseconds), capped at a minute.
fn preferred_delay(preferences: &[(String, String)]) -> Option<std::time::Duration> {
    let (_, value) = preferences.iter().find(|(key, _)| key == "delay")?;
    let delay = match value.parse::<u64>() {
        Ok(millis) => std::time::Duration::from_millis(millis),
        Err(_) => humantime::parse_duration(value).ok()?,
    };
    Some(delay.min(std::time::Duration::from_secs(60)))
}

/// How much of an unknown path a 404 repeats at most.
const SHOWN_PATH_BYTES: usize = 256;

/// `path` as a 404 repeats it: whole when short, else its start and its
/// length, so that a path of 64 KB costs no 64 KB answer, journal entry
/// and log line.
fn shown_path(path: &str) -> std::borrow::Cow<'_, str> {
    if path.len() <= SHOWN_PATH_BYTES {
        return path.into();
    }
    let mut end = SHOWN_PATH_BYTES;
    while !path.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &path[..end], path.len()).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(fields: &[&str]) -> Vec<Vec<String>> {
        fields
            .iter()
            .map(|f| f.split(['/', '.']).map(str::to_string).collect())
            .collect()
    }

    #[test]
    fn a_404_repeats_a_long_path_by_its_start_and_length() {
        assert_eq!(shown_path("/api/2.0/peopel"), "/api/2.0/peopel");
        let long = format!("/api/{}", "é".repeat(40_000));
        let shown = shown_path(&long);
        assert!(shown.len() < 300, "{} bytes", shown.len());
        assert!(shown.starts_with("/api/é"), "{shown}");
        assert!(shown.ends_with("… (80005 bytes in all)"), "{shown}");
    }

    #[test]
    fn columns_are_named_ignoring_case_and_separator() {
        let path = |f: &str| paths(&[f]).remove(0);
        assert!(names_column("category/id", &path("Category/Id")));
        assert!(names_column("category_id", &path("category/id")));
        assert!(names_column("fullName", &path("FULLNAME")));
        assert!(names_column("anything", &path("*")));
        assert!(!names_column("fullNames", &path("fullName")));
        assert!(!names_column("full", &path("fullName")));
        assert!(!names_column("category", &path("category/id")));
    }

    #[test]
    fn a_nested_column_keeps_only_what_is_selected_inside() {
        let list = json!({"@odata.context": "c", "value": [
            {"PrimaryKey": 1, "category": {"id": 2, "name": "n"}, "other": 3}
        ]});
        assert_eq!(
            select(&list, &paths(&["category/id"])),
            json!({"@odata.context": "c", "value": [{"PrimaryKey": 1, "category": {"id": 2}}]})
        );
        // An entity that merely has a `value` member is trimmed as an entity.
        let entity = json!({"value": [1], "Name": "x"});
        assert_eq!(
            select(&entity, &paths(&["name"])),
            json!({"value": null, "Name": "x"})
        );
    }
}
