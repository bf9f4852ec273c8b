//! Checking a routed request against its endpoint's contract: credentials,
//! path, query, headers and body.
//!
//! Every check adds to one list of [`Violation`]s so that a request with five
//! mistakes hears about all five. Only problems that make the rest
//! meaningless end the check early: missing or wrong credentials (401/403)
//! and a body in a media type the API does not take (415).

use std::borrow::Cow;

use http::Method;
use http::header::{self, HeaderMap, HeaderValue};
use serde_json::{Map, Value};

use crate::answer::body::{BodyKind, DecodeError, decode};
use crate::answer::request::{NotableHeaders, Request};
use crate::contract::catalog::{Api, Endpoint};
use crate::contract::dialect::Dialect;
use crate::contract::problem::{Problem, Violation, Violations};
use crate::contract::schema::{bound_default, types_of};
use crate::contract::spec::Location;

/// How strictly requests are checked.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// When set, the only credential accepted (a wrong one gets 403).
    pub token: Option<String>,
    /// Replay requests that break the contract instead of refusing them.
    pub lenient: bool,
    /// Refuse a request that leaves out a parameter the page does not mark
    /// optional, as the documentation says, instead of binding it as the
    /// vendor's server does (`serve --strict`; `"strict": true` in an
    /// `api.json` asks the same for one API).
    pub strict: bool,
    /// Whose word decides the response format for every API, over what
    /// each `api.json` says (`serve --formats`).
    pub formats: Option<crate::contract::dialect::Formats>,
}

/// The outcome of checking one request.
#[derive(Debug, Default)]
pub struct Checked {
    /// The decoded body, when the endpoint takes one and it decoded.
    pub body: Option<Value>,
    /// One line per documented parameter the request left out and the
    /// server binds anyway (``documented parameter `version` not sent; the
    /// server binds 0``), for the journal and the log.
    pub warnings: Vec<String>,
}

/// Checks `request` against `endpoint`; `notable` are its headers found by
/// [`Request::notable_headers`], `params` the path parameters the router
/// bound.
pub fn check(
    endpoint: &Endpoint,
    api: &Api,
    dialect: &Dialect,
    request: &Request,
    notable: &NotableHeaders<'_>,
    params: &[(&str, Cow<'_, str>)],
    policy: &Policy,
) -> Result<Checked, Problem> {
    if endpoint.auth_required {
        authenticate(api, dialect, request, notable, policy.token.as_deref())?;
    }
    let mut violations = Violations::default();
    // Parameters the request leaves out are bound to their type's default,
    // as the vendors' servers bind them, unless strict. Community Server
    // gives every parameter missing from its collection `default(T)` and
    // calls the method (`module/ASC.Api/ASC.Api/Impl/ApiArgumentBuilder.cs`,
    // `BuildCallingArguments`, "Create null"), whatever the page says, and
    // ONLYOFFICE's own clients leave such parameters out. SuperOffice gets
    // the same: its ASP.NET model binding gives a missing simple parameter
    // its default unless the action marks it [Required] or [BindRequired],
    // which its pages do not show (their "Required" is the service
    // documentation's word), and its JSON request carriers leave a missing
    // member at its default. Path parameters are always present: routing
    // needs them. Headers are left as documented.
    let bind_missing = !(policy.strict || api.strict);
    let mut missing = Vec::new();
    check_path(endpoint, params, &mut violations);
    let query = query_pairs(request.query());
    check_query(
        endpoint,
        dialect,
        &query,
        bind_missing,
        &mut missing,
        &mut violations,
    );
    check_headers(endpoint, &request.headers, &mut violations);
    let body = check_body(
        endpoint,
        dialect,
        request,
        &query,
        (bind_missing, &mut missing),
        &mut violations,
    )?;
    if violations.is_empty() {
        Ok(Checked {
            body,
            warnings: missing,
        })
    } else {
        Err(Problem::new(400, "the request breaks the documented contract").with_found(violations))
    }
}

fn authenticate(
    api: &Api,
    dialect: &Dialect,
    request: &Request,
    notable: &NotableHeaders<'_>,
    token: Option<&str>,
) -> Result<(), Problem> {
    let headers = &request.headers;
    // The credential and the header (or cookie) that carried it.
    let mut credential: Option<(&str, &str)> = None;
    let mut refused: Option<String> = None;
    for accepted in &api.credential_headers {
        let value = if accepted.name == header::AUTHORIZATION {
            notable.authorization
        } else {
            headers.get(&accepted.name)
        };
        let Some(value) = value.and_then(|v| v.to_str().ok()) else {
            continue;
        };
        let value = value.trim_ascii();
        if value.is_empty() {
            // An empty header carries no credential, whatever the scheme.
            refused = Some(format!("{} is empty", accepted.spelled));
            continue;
        }
        if accepted.schemes.is_empty() {
            credential = Some((value, &accepted.spelled));
            break;
        }
        // RFC 9110 §11.4 separates the scheme by spaces; a tab is taken too.
        let (scheme, rest) = value.split_once([' ', '\t']).unwrap_or((value, ""));
        let rest = rest.trim_ascii();
        if accepted
            .schemes
            .iter()
            .any(|s| s.eq_ignore_ascii_case(scheme))
        {
            if !rest.is_empty() {
                credential = Some((rest, &accepted.spelled));
                break;
            }
            refused = Some(format!(
                "{}: {scheme} carries no credential",
                accepted.spelled
            ));
            continue;
        }
        refused = Some(format!(
            "the scheme in {}: {scheme} is not accepted",
            accepted.spelled
        ));
    }
    if credential.is_none() {
        credential = cookie(headers, &api.auth.cookies).map(|value| (value, "Cookie"));
    }
    let Some((credential, carrier)) = credential else {
        let mut accepted: Vec<String> = api
            .credential_headers
            .iter()
            .map(|header| {
                if header.schemes.is_empty() {
                    format!("the {} header", header.spelled)
                } else {
                    format!("{}: {} …", header.spelled, header.schemes.join("|"))
                }
            })
            .collect();
        accepted.extend(api.auth.cookies.iter().map(|c| format!("the {c} cookie")));
        // What was wrong with a credential sent is the violation's `got`.
        let message = format!(
            "this endpoint requires authentication: send {}",
            accepted.join(" or ")
        );
        let pointer = api
            .credential_headers
            .first()
            .map_or_else(|| "/Cookie".to_string(), |h| format!("/{}", h.spelled));
        let mut problem = Problem::new(401, message).with_violations(vec![Violation {
            location: Location::Header,
            pointer,
            expected: "a credential".into(),
            got: refused,
        }]);
        if let Some(challenge) = dialect.www_authenticate {
            problem = problem.with_header("www-authenticate", challenge.to_string());
        }
        return Err(problem);
    };
    if let Some(token) = token
        && !is_token(credential, token)
    {
        return Err(Problem::new(
            403,
            "the credential sent is not the one this mock accepts (see --token)",
        )
        .with_violations(vec![Violation {
            location: Location::Header,
            pointer: format!("/{carrier}"),
            expected: "the credential given to --token".into(),
            // The credential itself is not echoed: logs and journals keep
            // what errors say.
            got: Some("another credential".into()),
        }]));
    }
    Ok(())
}

/// Whether `credential` is `token`: as sent, or after a scheme a client put
/// in front of it where the API takes the bare token (`Bearer TOKEN` for
/// ONLYOFFICE's `Authorization: TOKEN`).
fn is_token(credential: &str, token: &str) -> bool {
    credential == token
        || credential
            .split_once([' ', '\t'])
            .is_some_and(|(_, rest)| rest.trim_ascii() == token)
}

/// A credential header that `api` accepts, for example requests that the
/// documentation shows without one: `token` (or `docmock`) under the first
/// accepted header and scheme.
pub fn example_credential(api: &Api, token: Option<&str>) -> Option<(String, String)> {
    let header = api.credential_headers.first()?;
    let token = token.unwrap_or("docmock");
    let value = match header.schemes.first() {
        Some(scheme) => format!("{scheme} {token}"),
        None => token.to_string(),
    };
    Some((header.spelled.clone(), value))
}

/// Whether `headers` (name, value pairs) carry one of `api`'s credentials.
pub fn has_credential<'h>(api: &Api, mut names: impl Iterator<Item = &'h str>) -> bool {
    names.any(|name| {
        api.credential_headers
            .iter()
            .any(|h| h.spelled.eq_ignore_ascii_case(name))
            || (name.eq_ignore_ascii_case("cookie") && !api.auth.cookies.is_empty())
    })
}

fn cookie<'h>(headers: &'h HeaderMap, names: &[String]) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim_ascii().split_once('='))
        .find(|(name, value)| names.iter().any(|n| n == name) && !value.is_empty())
        .map(|(_, value)| value)
}

fn check_path(endpoint: &Endpoint, params: &[(&str, Cow<'_, str>)], violations: &mut Violations) {
    for (name, raw) in params {
        let Some(parameter) = endpoint.parameter(Location::Path, name) else {
            continue;
        };
        let compiled = endpoint.contract.path_param(name);
        // Most path parameters are plain integers: checked on the text.
        if compiled.is_some_and(|c| c.plainly_accepts(raw)) {
            continue;
        }
        let pointer = || format!("/{}", crate::contract::problem::escape_pointer(name));
        let value = match coerce(parameter.json_type(), raw) {
            Ok(value) => value,
            Err(expected) => {
                violations.push(Violation {
                    location: Location::Path,
                    pointer: pointer(),
                    expected: expected.to_string(),
                    got: Some(format!("{raw:?}")),
                });
                continue;
            }
        };
        if let Some(compiled) = compiled
            && !compiled.accepts(&value)
        {
            compiled.find_violations(
                &value,
                (Location::Path, &pointer()),
                false,
                &mut Vec::new(),
                violations,
            );
        }
    }
}

fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .map(|q| {
            form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// The documented parameters of `location` found by `lookup` (given each
/// parameter's name and whether it is a list), coerced to their schemas, as
/// one object.
fn documented_object<'a>(
    endpoint: &Endpoint,
    location: Location,
    mut lookup: impl FnMut(&str, bool) -> Vec<&'a str>,
) -> Value {
    let mut object = Map::new();
    for parameter in endpoint
        .parameters
        .iter()
        .filter(|p| p.location == location)
    {
        let is_list = types_of(&parameter.schema).contains(&"array");
        let values = lookup(&parameter.name, is_list);
        if values.is_empty() {
            continue;
        }
        let value = if is_list {
            let mut list = Value::Array(
                values
                    .iter()
                    .map(|v| Value::String(v.to_string()))
                    .collect(),
            );
            crate::answer::body::coerce(&mut list, &parameter.schema);
            list
        } else {
            let mut single = Value::String(values[0].to_string());
            crate::answer::body::coerce(&mut single, &parameter.schema);
            single
        };
        object.insert(parameter.name.clone(), value);
    }
    Value::Object(object)
}

fn check_query(
    endpoint: &Endpoint,
    dialect: &Dialect,
    query: &[(String, String)],
    bind_missing: bool,
    warnings: &mut Vec<String>,
    violations: &mut Violations,
) {
    let Some(compiled) = &endpoint.contract.query else {
        return;
    };
    let object = documented_object(endpoint, Location::Query, |name, is_list| {
        let values = query
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str());
        if dialect.query_lists_by_comma && is_list {
            values
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .collect()
        } else {
            values.collect()
        }
    });
    let mut missing = Vec::new();
    compiled.find_violations(
        &object,
        (Location::Query, ""),
        bind_missing,
        &mut missing,
        violations,
    );
    warn_missing(endpoint, Location::Query, &missing, warnings);
}

/// One warning per parameter of `location` in `missing`, saying what the
/// server binds in its place.
fn warn_missing(
    endpoint: &Endpoint,
    location: Location,
    missing: &[String],
    warnings: &mut Vec<String>,
) {
    for name in missing {
        let bound = endpoint
            .parameter(location, name)
            .map_or("null", |p| bound_default(&p.schema));
        warnings.push(format!(
            "documented parameter `{name}` not sent; the server binds {bound}"
        ));
    }
}

fn check_headers(endpoint: &Endpoint, headers: &HeaderMap, violations: &mut Violations) {
    let Some(compiled) = &endpoint.contract.headers else {
        return;
    };
    let object = documented_object(endpoint, Location::Header, |name, _| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    });
    compiled.find_violations(
        &object,
        (Location::Header, ""),
        false,
        &mut Vec::new(),
        violations,
    );
}

/// A compressed request body is refused with 415 naming its coding (RFC
/// 9110 §15.5.16), and `Accept-Encoding: identity` says what is taken (RFC
/// 7694). The vendors' servers read bodies as sent; read as JSON or XML, a
/// gzip body would only be reported as malformed at line 1, column 1, and
/// a mock that took it would pass a client the real API fails.
///
/// Several `Content-Encoding` headers are one list, in the order sent (RFC
/// 9110 §5.3): `identity` then `gzip` is a gzip body.
fn refuse_content_coding<'h>(
    codings: impl Iterator<Item = &'h HeaderValue>,
) -> Result<(), Problem> {
    let text = codings
        .map(|coding| String::from_utf8_lossy(coding.as_bytes()))
        .collect::<Vec<_>>()
        .join(", ");
    let compressed = text
        .split(',')
        .map(str::trim)
        .any(|c| !c.is_empty() && !c.eq_ignore_ascii_case("identity"));
    if !compressed {
        return Ok(());
    }
    Err(Problem::new(
        415,
        format!(
            "the body is sent with Content-Encoding {text:?}, which this API does not read; send it uncompressed"
        ),
    )
    .with_header("accept-encoding", "identity".into())
    .with_violations(vec![Violation {
        location: Location::Header,
        pointer: "/Content-Encoding".into(),
        expected: "no content coding (identity)".into(),
        got: Some(format!("{text:?}")),
    }]))
}

fn check_body(
    endpoint: &Endpoint,
    dialect: &Dialect,
    request: &Request,
    query: &[(String, String)],
    (bind_missing, warnings): (bool, &mut Vec<String>),
    violations: &mut Violations,
) -> Result<Option<Value>, Problem> {
    let Some(compiled) = &endpoint.contract.body else {
        return Ok(None);
    };
    let sends_entity = matches!(request.method, Method::PUT | Method::POST | Method::PATCH);
    let mut sent_as = None;
    let mut value = if request.body.iter().all(u8::is_ascii_whitespace) {
        if dialect.entity_body_required && sends_entity {
            let message = endpoint
                .responses
                .iter()
                .find(|r| r.status == 400 && !r.description.is_empty())
                .map(|r| r.description.clone())
                .unwrap_or_else(|| "the request has no body".into());
            violations.push(Violation {
                location: Location::Body,
                pointer: String::new(),
                expected: "the entity in the request body".into(),
                got: None,
            });
            return Err(Problem::new(400, message).with_found(std::mem::take(violations)));
        }
        Value::Object(Map::new())
    } else {
        let codings = request.headers.get_all(header::CONTENT_ENCODING);
        if codings.iter().next().is_some() {
            refuse_content_coding(codings.iter())?;
        }
        let content_type = request
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let accepted = dialect.request_media_types;
        let kind = content_type.and_then(|ct| {
            let essence = crate::answer::body::essence(ct);
            accepted
                .iter()
                .any(|m| m.eq_ignore_ascii_case(essence))
                .then(|| BodyKind::of_media_type(essence))
                .flatten()
        });
        let Some(kind) = kind else {
            return Err(Problem::new(
                415,
                format!(
                    "the body's Content-Type {} is not accepted; send one of: {}",
                    content_type
                        .map(|c| format!("{c:?}"))
                        .unwrap_or_else(|| "(none)".into()),
                    accepted.join(", ")
                ),
            )
            .with_violations(vec![Violation {
                location: Location::Header,
                pointer: "/Content-Type".into(),
                expected: "a media type this API takes".into(),
                got: content_type.map(|c| format!("{c:?}")),
            }]));
        };
        sent_as = Some(kind);
        let text = match crate::answer::body::to_utf8(
            &request.body,
            content_type.unwrap_or(""),
            kind,
        ) {
            Ok(text) => text,
            Err(DecodeError::UnknownCharset(charset)) => {
                return Err(Problem::new(
                    415,
                    format!(
                        "the body's charset {charset:?} is not one docmock can read; send UTF-8, or name a charset such as utf-16, windows-1251 or iso-8859-1"
                    ),
                )
                .with_violations(vec![Violation {
                    location: Location::Header,
                    pointer: "/Content-Type".into(),
                    expected: "a known charset".into(),
                    got: Some(format!("{charset:?}")),
                }]));
            }
            Err(error) => {
                violations.push(decode_violation(&error));
                return Ok(None);
            }
        };
        match decode(
            kind,
            &text,
            Some(&compiled.schema),
            endpoint.contract.entity.as_deref(),
            dialect.xml.arrays,
        ) {
            Ok(value) => value,
            Err(error) => {
                violations.push(decode_violation(&error));
                return Ok(None);
            }
        }
    };
    if dialect.query_binds_body
        && let Value::Object(members) = &mut value
    {
        for parameter in endpoint
            .parameters
            .iter()
            .filter(|p| p.location == Location::Body)
        {
            if members
                .keys()
                .any(|k| k.eq_ignore_ascii_case(&parameter.name))
            {
                continue;
            }
            if let Some((_, raw)) = query
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&parameter.name))
            {
                let mut bound = Value::String(raw.clone());
                crate::answer::body::coerce(&mut bound, &parameter.schema);
                members.insert(parameter.name.clone(), bound);
            }
        }
    }
    // A patch is judged by the entity it makes, against the entity's own
    // schema where the body's describes the patch document instead.
    let schema = match (sent_as, &endpoint.contract.entity_schema) {
        (Some(BodyKind::JsonPatch | BodyKind::MergePatch), Some(entity)) => entity,
        _ => compiled,
    };
    // Names bind ignoring case: checked, and reported, as documented.
    crate::contract::schema::respell(&mut value, &schema.schema);
    let mut missing = Vec::new();
    schema.find_violations(
        &value,
        (Location::Body, ""),
        bind_missing,
        &mut missing,
        violations,
    );
    warn_missing(endpoint, Location::Body, &missing, warnings);
    Ok(Some(value))
}

fn decode_violation(error: &DecodeError) -> Violation {
    let (expected, got) = match error {
        DecodeError::Json { line, column, message } => (
            "well-formed JSON".to_string(),
            format!("line {line}, column {column}: {message}"),
        ),
        DecodeError::Xml { line, column, message } => (
            "well-formed XML".to_string(),
            format!("line {line}, column {column}: {message}"),
        ),
        DecodeError::NumberOutOfRange { pointer, number } => {
            return Violation {
                location: Location::Body,
                pointer: pointer.clone(),
                expected: "a number within a 64-bit float's range (±1.7976931348623157E+308)"
                    .into(),
                got: Some(number.clone()),
            };
        }
        DecodeError::NotUtf8 => (
            "UTF-8 text (or a charset= on the Content-Type naming its encoding)".into(),
            "other bytes".into(),
        ),
        DecodeError::NotInCharset { charset } => {
            (format!("{charset} text, as the request says"), "other bytes".into())
        }
        DecodeError::UnknownCharset(charset) => {
            ("a known charset".into(), format!("{charset:?}"))
        }
        DecodeError::Form(message) => ("a well-formed form body".into(), message.clone()),
        DecodeError::Patch { pointer, message } => {
            return Violation {
                location: Location::Body,
                pointer: pointer.clone(),
                expected: "a JSON Patch that applies to the documented entity".into(),
                got: Some(message.clone()),
            };
        }
        DecodeError::JsonSentAsForm => (
            "a form-encoded body, as the Content-Type says (send Content-Type: application/json for JSON)".into(),
            "JSON".into(),
        ),
    };
    Violation {
        location: Location::Body,
        pointer: String::new(),
        expected,
        got: Some(got),
    }
}

/// Turns parameter text into the JSON value its schema type calls for.
pub fn coerce(json_type: Option<&str>, raw: &str) -> Result<Value, &'static str> {
    match json_type {
        Some("integer") => raw
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| "an integer"),
        Some("number") => raw
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or("a number"),
        Some("boolean") => match raw.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err("a boolean (true or false)"),
        },
        _ => Ok(Value::String(raw.to_string())),
    }
}
