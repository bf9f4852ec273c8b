//! `docmock check`: a spec directory checked against itself.
//!
//! Loading already proves the files well-formed and the schemas compilable.
//! On top of that every documented example must satisfy its own contract:
//! each parameter example its schema, each example request the whole
//! pipeline (it must get the documented status), and each documented XML
//! fixture must be what the renderer produces from the JSON. Responses that
//! are served although no page documents their body are listed as notes,
//! which do not fail the check.

use bytes::Bytes;
use http::Method;

use crate::answer::pipeline::Mock;
use crate::answer::request::Request;
use crate::answer::router::Mount;
use crate::answer::validate::{example_credential, has_credential};
use crate::contract::catalog::{Catalog, LoadError, Source};
use crate::contract::spec::{ExampleSource, Location};

/// What a check found.
#[derive(Debug, Default)]
pub struct Report {
    /// APIs loaded.
    pub apis: usize,
    /// Endpoints loaded.
    pub endpoints: usize,
    /// Every problem, with file and pointer.
    pub problems: Vec<LoadError>,
    /// Responses served although no page documents their body: worth
    /// knowing, not wrong, so they do not fail the check.
    pub notes: Vec<LoadError>,
}

/// Checks the spec directory `source`.
pub fn check(source: &Source) -> Report {
    let catalog = match Catalog::load(source) {
        Ok(catalog) => catalog,
        Err(errors) => {
            return Report {
                problems: errors.0,
                ..Report::default()
            };
        }
    };
    let mut report = Report {
        apis: catalog.apis.len(),
        endpoints: catalog.endpoints.len(),
        problems: catalog.warnings.clone(),
        notes: undocumented(&catalog),
    };
    for endpoint in &catalog.endpoints {
        for (i, parameter) in endpoint.parameters.iter().enumerate() {
            let Some(example) = &parameter.example else {
                continue;
            };
            let compiled = match crate::contract::schema::Compiled::new(parameter.schema.clone()) {
                Ok(compiled) => compiled,
                Err(_) => continue,
            };
            for violation in compiled.violations(example, parameter.location, "") {
                report.problems.push(LoadError {
                    file: endpoint.file.clone(),
                    location: format!("/parameters/{i}/example"),
                    message: format!(
                        "the example of {} does not satisfy its schema: expected {}",
                        parameter.name, violation.expected
                    ),
                });
            }
        }
    }
    // A route conflict leaves out one of the two routes, not the check:
    // every other endpoint's example request is still sent.
    let mock = match Mock::skipping_conflicts(catalog, &Mount::All) {
        Ok((mock, conflicts)) => {
            report.problems.extend(conflicts);
            mock
        }
        Err(errors) => {
            report.problems.extend(errors);
            return report;
        }
    };
    for (index, endpoint) in mock.catalog().endpoints.iter().enumerate() {
        let Some(request) = example_request(&mock, index) else {
            continue;
        };
        let response = mock.handle(&request);
        let documented = endpoint.responses.first().map(|r| r.status).unwrap_or(200);
        if response.status().as_u16() != documented {
            report.problems.push(LoadError {
                file: endpoint.file.clone(),
                location: "/request".into(),
                message: format!(
                    "the documented example request gets {} instead of the documented {documented}: {}",
                    response.status().as_u16(),
                    String::from_utf8_lossy(response.body())
                ),
            });
        }
    }
    report
}

/// One note per response served without a documented example, saying what
/// is served instead.
fn undocumented(catalog: &Catalog) -> Vec<LoadError> {
    let mut notes = Vec::new();
    for endpoint in &catalog.endpoints {
        for (i, response) in endpoint.responses.iter().enumerate() {
            let Some(source) = &response.example else {
                continue;
            };
            let served = match source {
                ExampleSource::SameType { endpoint } => {
                    format!("the example of the same type documented for {endpoint}")
                }
                ExampleSource::NoData if response.json.is_empty() => {
                    "no body, as the vendor answers a method that returns nothing".to_string()
                }
                ExampleSource::NoData => {
                    "the vendor's empty success, as the page says the method returns nothing"
                        .to_string()
                }
                ExampleSource::Unknown => {
                    "the vendor's success envelope around null, as nothing says what the method returns"
                        .to_string()
                }
                ExampleSource::Recorded { target, at } => {
                    format!("the answer recorded from {target} at {at}")
                }
            };
            notes.push(LoadError {
                file: endpoint.file.clone(),
                location: format!("/responses/{i}/example"),
                message: format!(
                    "no documented example: the {} response is served with {served} \
                     (marked `Docmock-Example: none`)",
                    response.status
                ),
            });
        }
    }
    notes
}

/// The documented example request of endpoint `index`, as mounted by `mock`, with
/// a credential added when the page shows none but the endpoint needs one.
pub fn example_request(mock: &Mock, index: usize) -> Option<Request> {
    let endpoint = mock.catalog().endpoints.get(index)?;
    let example = endpoint.request.as_ref()?;
    let api = mock.catalog().api_of(endpoint);
    let route = mock.route_of(index)?;
    let prefix = mock.router().prefix_of(route.api).unwrap_or("");
    let method = Method::from_bytes(endpoint.method.as_str().as_bytes()).ok()?;
    // Path parameters the page shows only as `{name}` take their examples.
    let mut target = format!("{prefix}{}", example.target);
    let path_end = target.find('?').unwrap_or(target.len());
    let mut path = target[..path_end].to_string();
    for parameter in endpoint
        .parameters
        .iter()
        .filter(|p| p.location == Location::Path)
    {
        let placeholder = format!("{{{}}}", parameter.name);
        if path.contains(&placeholder) {
            let value = match &parameter.example {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => "1".into(),
            };
            path = path.replace(&placeholder, &value);
        }
    }
    target.replace_range(..path_end, &path);
    let mut request = Request::new(method, &target);
    for (name, value) in &example.headers {
        request = request.header(name, value);
    }
    if endpoint.auth_required
        && !has_credential(api, example.headers.iter().map(|(n, _)| n.as_str()))
        && let Some((name, value)) = example_credential(api, mock.policy().token.as_deref())
    {
        request = request.header(&name, &value);
    }
    request.body = example.body.clone().unwrap_or_else(Bytes::new);
    Some(request)
}
