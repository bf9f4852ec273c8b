//! The ONLYOFFICE / R7-Office page layout, in English or Russian:
//!
//! ```text
//! PUT api/2.0/crm/contact/{contactid}/status This function requires authentication
//! Description            (Описание)
//! Parameters             (Параметры)   name / sent in url|body / [optional] / description type example
//! Example                (Пример)      request line, headers, body
//! Returns                (Возвращает)  the returned type
//! Example Response       (Пример ответа) application/json + JSON, text/xml + XML
//! ```
//!
//! Site navigation before the method line and feedback widgets after the
//! examples are ignored: every section is found by its heading.

use serde_json::{Map, Value};

use super::text::{MalformedExample, Page, encode_segment, json_block, relaid_xml, xml_block};
use super::types::{split_row, widen_for_example};
use super::{ImportError, Imported, api_file, conventions, endpoint_id};
use crate::contract::dialect::DialectName;
use crate::contract::render;
use crate::contract::spec::{
    EndpointFile, ExampleSource, Location, ParameterFile, RequestFile, ResponseFile,
};

const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

const DESCRIPTION: &[&str] = &["Description", "Описание"];
const PARAMETERS: &[&str] = &["Parameters", "Параметры", "Параметра"];
const EXAMPLE: &[&str] = &["Example", "Пример", "Example Request", "Пример запроса"];
/// The returned type's heading; some R7-Office pages word it `Возвращается`.
const RETURNS: &[&str] = &[
    "Returns",
    "Возвращает",
    "Возвращается",
    "Возвращаемое значение",
];
/// The remark some pages add under the parameter table; it ends the table.
const REMARK: &[&str] = &["Remark", "Remarks", "Примечание", "Замечание"];
const RESPONSE: &[&str] = &[
    "Example Response",
    "Пример ответа",
    "Example Responses",
    "Примеры ответа",
];
const AUTH: &[&str] = &[
    "requires authentication",
    "требуется аутентификация",
    "требуется авторизация",
    "требует авторизации",
];
/// How the authentication note starts, as found run into the method line's
/// path.
const GLUED_NOTES: &[&str] = &[
    "This function requires",
    "Для этой функции",
    "Функция требует",
];
const OPTIONAL: &[&str] = &["optional", "необязательный", "необязательно", "опционально"];
/// The line the generator adds under collection types.
/// R7-Office pages also misspell it `колекция`.
const COLLECTION_MARKERS: &[&str] = &["collection", "коллекция", "колекция"];

/// Whether `text` is the generator's collection marker line. Some R7-Office
/// pages write it with stray punctuation (`collection?`): the mark is still
/// no example, and read as one it would put `collection? 9924…` into a
/// list of guids.
fn is_collection_marker(text: &str) -> bool {
    let lower = text
        .trim()
        .trim_end_matches(['?', ':', '.', '!'])
        .to_lowercase();
    COLLECTION_MARKERS.contains(&lower.as_str())
}

/// A method line: `PUT api/2.0/…` or `GET /api/2.0/…`, and the rest of it.
fn method_line(line: &str) -> Option<(&str, &str, &str)> {
    let (method, rest) = line.trim().split_once(' ')?;
    if !METHODS.contains(&method) {
        return None;
    }
    let rest = rest.trim_start();
    let (mut path, mut tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    // Some renderings run the authentication note into the path
    // (`…/stage/{id}/colorThis function requires authentication`): the
    // path ends where the note starts.
    if let Some(at) = GLUED_NOTES
        .iter()
        .filter_map(|note| rest.find(note))
        .filter(|&at| at > 0 && at < path.len())
        .min()
    {
        (path, tail) = rest.split_at(at);
    }
    let bare = path.trim_start_matches('/');
    if !bare.starts_with("api/") {
        return None;
    }
    Some((method, path, tail))
}

/// `/api/2.0/…` with exactly one leading slash.
fn rooted(path: &str) -> String {
    format!("/{}", path.trim_start_matches('/'))
}

/// Whether the request-like line `at` is an example request rather than the
/// page's method line: the example's `Host:` header follows it, on the next
/// line or run into the same one. Taken for the method line, it would give
/// the endpoint the example's values for a path and lose every parameter.
fn is_example_request(page: &Page, at: usize) -> bool {
    let host = |l: &str| l.trim_start().to_ascii_lowercase().starts_with("host:");
    let tail_has_host = method_line(&page.lines[at])
        .is_some_and(|(_, _, tail)| tail.to_ascii_lowercase().contains("host:"));
    tail_has_host || page.next_text(at + 1).is_some_and(|i| host(&page.lines[i]))
}

pub(super) fn parse(page: &Page) -> Result<Imported, ImportError> {
    let first_request = page.find(0, |line| method_line(line).is_some());
    let method_at = (0..page.lines.len())
        .find(|&i| method_line(&page.lines[i]).is_some() && !is_example_request(page, i));
    let Some(method_at) = method_at else {
        if let Some(imported) = parse_transcript(page) {
            return imported;
        }
        let message = match first_request {
            Some(_) => {
                "the only request line is the example request (its `Host:` header follows it), \
                 and no `HTTP/1.1 <status>` answer follows it as on a guide page; expected the \
                 method line above the description, such as \
                 `PUT api/2.0/crm/voip/numbers/{numberId}/settings`"
            }
            None => {
                "expected a line such as `GET api/2.0/crm/contact/{contactid}` naming the method and path"
            }
        };
        return Err(ImportError::new(
            page,
            first_request,
            "method line",
            message,
        ));
    };
    let (method, raw_path, tail) = method_line(&page.lines[method_at]).unwrap_or_default();
    let method = method.to_string();
    let (template, _) = raw_path.split_once('?').unwrap_or((raw_path, ""));
    let path = rooted(template);
    let lower_page: Vec<String> = page.lines.iter().map(|l| l.to_lowercase()).collect();
    let auth = AUTH.iter().any(|phrase| {
        tail.to_lowercase().contains(phrase)
            || lower_page[method_at..].iter().any(|l| l.contains(phrase))
    });

    let russian = page
        .heading(
            method_at,
            &["Параметры", "Описание", "Пример", "Пример ответа"],
        )
        .is_some();
    let mut host_line: Option<String> = None;

    // The headed rendering names every section; the table rendering of the
    // same pages drops the headings, so each section is also recognised by
    // what it starts with: the example by its request line, the response by
    // its media type line.
    let example_heading = page.heading(method_at, EXAMPLE);
    let request_line = page.find(example_heading.unwrap_or(method_at) + 1, |l| {
        method_line(l).is_some()
    });
    // Where the parameter table ends: at the heading, or at the request line
    // itself when there is none (its last row may end on the line before).
    let example_at = example_heading.or(request_line);
    let parameters_at = page.heading(method_at, PARAMETERS);
    let returns_at = page.heading(method_at, RETURNS).or_else(|| {
        page.find(parameters_at.unwrap_or(method_at), |l| {
            inline_section(l, RETURNS).is_some()
        })
    });
    let response_heading = page.heading(method_at, RESPONSE);
    // The first line of the response examples. A page may show none: the
    // generator leaves the section out where it has no sample of the
    // returned type, and the method is no less an endpoint for it.
    let response_from = match response_heading {
        Some(at) => Some(at + 1),
        None => {
            let from = example_at.unwrap_or(method_at) + 1;
            page.find(from, is_media_type)
                .or_else(|| envelope_at(page, from))
        }
    };
    if response_from.is_none() && page.heading(method_at, &["Responses"]).is_some() {
        return Err(newer_layout(page, method_at));
    }
    // The line that ends the sections before the response.
    let response_at = response_heading
        .or(response_from)
        .unwrap_or(page.lines.len());
    let inline_description = (method_at..parameters_at.or(example_at).unwrap_or(response_at))
        .find_map(|i| {
            inline_section(&page.lines[i], DESCRIPTION)
                .or_else(|| description_run_into_parameters(&page.lines[i]))
        });
    let summary = match description_heading(page, method_at, parameters_at.or(example_at)) {
        Some(at) => section_text(page, at),
        None => match inline_description {
            Some(text) => text.to_string(),
            None => page
                .next_text(method_at + 1)
                .map(|i| page.lines[i].trim())
                .filter(|l| {
                    let lower = l.to_lowercase();
                    !is_heading(l)
                        && !l.ends_with('|')
                        && !lower.contains("authentication")
                        && !AUTH.iter().any(|phrase| lower.contains(phrase))
                        && method_line(l).is_none()
                })
                .unwrap_or("")
                .to_string(),
        },
    };

    let parameters_from = parameters_at.unwrap_or(method_at);
    let remark_at = page
        .heading(parameters_from + 1, REMARK)
        .filter(|&at| example_at.is_none_or(|example| at < example));
    let parameters_end = [remark_at, example_at, returns_at, Some(response_at)]
        .into_iter()
        .flatten()
        .filter(|&i| i > parameters_from)
        .min()
        .unwrap_or(page.lines.len());
    let parameters_end = cells_end(page, parameters_from + 1, parameters_end);
    let mut parameters = parse_parameters(page, parameters_from + 1, parameters_end, &path);

    let mut request = None;
    let mut fixtures = Vec::new();
    let id = endpoint_id(&method, &path);
    // The line after the example request (its headers and body).
    let mut after_request = None;
    if let Some(at) = request_line.filter(|&at| at < response_at) {
        let end = returns_at.filter(|&r| r > at).unwrap_or(response_at);
        let example = parse_example(page, at, end, &method)?;
        host_line = example.host;
        if let Some((name, text)) = example.body {
            fixtures.push((name, text));
        }
        request = example.request;
        after_request = Some(example.after);
    }
    // Methods with complex bodies show `data: {…}` samples in place of an
    // example request.
    let samples = match request {
        Some(_) => Vec::new(),
        None => {
            let from = example_heading.map_or(parameters_end, |at| at + 1);
            let end = returns_at.filter(|&r| r > from).unwrap_or(response_at);
            super::text::data_samples(page, from, end)
        }
    };
    let dialect = match host_line.as_deref().map(str::to_ascii_lowercase) {
        Some(host) if host.contains("r7") => DialectName::R7office,
        Some(host) if host.contains("onlyoffice") || host.contains("teamlab") => {
            DialectName::Onlyoffice
        }
        _ if russian => DialectName::R7office,
        _ => DialectName::Onlyoffice,
    };
    let api = api_file(dialect);
    let prefix = format!("{}/{id}", api.name);

    // Path parameters the table leaves without an example take the one in
    // the example request line; a request line that shows the template
    // (`GET api/2.0/crm/contact/{contactid}/access`) gets the examples.
    let undocumented = add_undocumented_path_parameters(&mut parameters, &path);
    if request.is_none()
        && let Some((sampled, body)) = sampled_request(&mut parameters, &path, &samples)
    {
        fixtures.push(("request.json".to_string(), body));
        request = Some(sampled);
    }
    if let Some(request) = request.as_mut() {
        request.target = super::text::unquoted_target(&request.target);
        fill_path_examples(&mut parameters, &path, &request.target);
        borrow_path_examples(&mut parameters, &undocumented);
        request.target = concrete_target(&request.target, &parameters);
        // Some generated pages also list the path parameters as body
        // members: a body that only repeats them is no body.
        if request.body.is_some()
            && let Some((_, text)) = fixtures.first()
            && only_path_members(text, &parameters)
        {
            request.body = None;
            fixtures.clear();
        }
        if let Some((_, text)) = fixtures.first() {
            admit_example_nulls(&mut parameters, text);
        }
        let body = request.body.as_ref().and_then(|_| fixtures.first_mut());
        send_allowed_values(&parameters, &path, request, body.map(|(_, text)| text));
        let body = request
            .body
            .as_ref()
            .and_then(|_| fixtures.first())
            .map(|(_, text)| text.as_str());
        optional_where_left_out(&mut parameters, request, body);
    }
    if let Some(request) = request.as_mut()
        && let Some(body) = request.body.as_mut()
    {
        *body = format!("{prefix}/{body}");
    }
    for (name, _) in &mut fixtures {
        *name = format!("{prefix}/{name}");
    }

    let inline_type = returns_at
        .and_then(|at| inline_section(&page.lines[at], RETURNS))
        .map(str::to_string);
    let type_name = match returns_at.filter(|&at| at < response_at && inline_type.is_none()) {
        Some(at) => page.next_text(at + 1).filter(|&i| i < response_at),
        // Without the heading, the returned type is the text line between
        // the example request (headers and body) and the response.
        None => after_request.and_then(|from| {
            (from..response_at).find(|&i| {
                let line = page.lines[i].trim();
                !line.is_empty()
                    && line != "|"
                    && !is_media_type(line)
                    && !line.starts_with(['{', '[', '<', '"'])
                    && !line
                        .split_once(':')
                        .is_some_and(|(name, _)| is_header_name(name))
            })
        }),
    }
    .map(|i| {
        page.lines[i]
            .trim()
            .trim_end_matches(['.', '|', ' '])
            .to_string()
    })
    .filter(|t| !t.is_empty());
    let returned = inline_type
        .or(type_name)
        .map(|text| super::types::returned(&text))
        .unwrap_or_default();

    // Community Server answers every successful POST with 201 Created,
    // whatever the method returns, and the other methods with 200
    // (module/ASC.Api/ASC.Api/Impl/ApiHttpHandlerBase.cs, PostProcessResponse).
    let status = if method == "POST" { 201 } else { 200 };
    let ResponseExamples {
        json,
        xml,
        warnings,
    } = match response_from {
        Some(from) => parse_responses(page, from)?,
        None => ResponseExamples {
            json: None,
            xml: None,
            warnings: Vec::new(),
        },
    };
    // A response the page shows no example of is still served, marked as
    // not documented: empty where the page says nothing is returned, else
    // to be filled from another page documenting the same returned type.
    let example = (json.is_none() && xml.is_none()).then_some(if returned.no_data {
        ExampleSource::NoData
    } else {
        ExampleSource::Unknown
    });
    let mut response = ResponseFile {
        status,
        name: None,
        description: returned.description,
        type_name: returned.type_name,
        json: None,
        xml: None,
        xml_names: None,
        xml_literals: None,
        example,
    };
    if let (Some(json), Some(xml)) = (&json, &xml)
        && let Some(found) = conventions::detect(dialect, json, xml)
    {
        response.xml_names = found.names;
        response.xml_literals = found.literals;
    }
    // A page that shows only XML leaves its JSON form to be read off the
    // XML, where one `<response>` cannot tell an object from a list of
    // one: the returned type tells, and the JSON is written here with it.
    let json = match (json, &xml, &response.type_name) {
        (None, Some(xml), Some(type_name)) if super::types::names_a_collection(type_name) => {
            json_of_listed_xml(dialect, xml)
        }
        (json, _, _) => json,
    };
    if let Some(json) = json {
        let file = format!("{prefix}/response-{status}.json");
        fixtures.push((file.clone(), format!("{json}\n")));
        response.json = Some(file);
    }
    if let Some(xml) = xml {
        let file = format!("{prefix}/response-{status}.xml");
        fixtures.push((file.clone(), format!("{xml}\n")));
        response.xml = Some(file);
    }

    Ok(Imported {
        api,
        id,
        spec: EndpointFile {
            method,
            path,
            summary,
            auth,
            parameters,
            request,
            responses: vec![response],
            source: Some(page.name.clone()),
        },
        fixtures,
        page: page.name.clone(),
        warnings,
    })
}

/// The JSON form of `xml`, an example whose returned type is a
/// collection: read by the dialect's conventions, with `response` made a
/// list however many `<response>` elements it shows (Community Server
/// writes each item of a list as one, and none for an empty list:
/// `Impl/ApiStandartResponce.cs` serialised by the XML serializer). `None`
/// when the XML does not parse: the catalog reports it when it loads.
fn json_of_listed_xml(dialect: DialectName, xml: &str) -> Option<String> {
    let mut value = render::infer_xml(xml, &dialect.rules().xml).ok()?;
    let envelope = value.as_object_mut()?;
    match envelope.get_mut("response") {
        Some(Value::Array(_)) => {}
        Some(item) => *item = Value::Array(vec![item.take()]),
        None => {
            envelope.insert("response".into(), Value::Array(Vec::new()));
        }
    }
    Some(super::to_pretty_json(&value).trim_end().to_string())
}

/// A guide page — the "How to pass authentication?" page — shows a method
/// as a transcript instead of a method page: prose, a request (`POST
/// /api/2.0/authentication.json HTTP/1.1`, its headers, a JSON body) and
/// the server's answer (`HTTP/1.1 201 Created`, headers, JSON). The first
/// request an answer follows is that page's endpoint: its path without the
/// format suffix, the body's members as its parameters, and the answer as
/// its documented response. It requires authentication only if the
/// request carries a credential. `None` when no request is answered.
fn parse_transcript(page: &Page) -> Option<Result<Imported, ImportError>> {
    let is_status = |line: &str| {
        let mut words = line.split_whitespace();
        words.next().is_some_and(|w| w.starts_with("HTTP/"))
            && words
                .next()
                .is_some_and(|w| w.len() == 3 && w.parse::<u16>().is_ok())
    };
    let (request_at, status_at) = (0..page.lines.len())
        .filter(|&i| method_line(&page.lines[i]).is_some())
        .find_map(|at| {
            let next_request = page
                .find(at + 1, |l| method_line(l).is_some())
                .unwrap_or(page.lines.len());
            let status = page.find(at + 1, is_status).filter(|&s| s < next_request)?;
            Some((at, status))
        })?;
    Some(transcript_endpoint(page, request_at, status_at))
}

fn transcript_endpoint(
    page: &Page,
    request_at: usize,
    status_at: usize,
) -> Result<Imported, ImportError> {
    let (method, raw_path, _) = method_line(&page.lines[request_at]).unwrap_or_default();
    let method = method.to_string();
    let (path, _) = raw_path.split_once('?').unwrap_or((raw_path, ""));
    // Community Server routes `authentication.json` and `.xml` to the
    // method of `authentication` (module/ASC.Api/ASC.Api/Impl/Routing/
    // ApiRouteRegistrator.cs): the suffix only picks the format.
    let path = rooted(
        [".json", ".xml"]
            .iter()
            .find_map(|suffix| path.strip_suffix(suffix))
            .unwrap_or(path),
    );
    let id = endpoint_id(&method, &path);
    let example = parse_example(page, request_at, status_at, &method)?;
    let mut fixtures = Vec::new();
    let mut parameters = Vec::new();
    if let Some((name, text)) = example.body {
        if let Ok(Value::Object(members)) = serde_json::from_str::<Value>(&text) {
            for (member, value) in members {
                let kind = match &value {
                    Value::Bool(_) => "boolean",
                    Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
                    Value::Number(_) => "number",
                    Value::Array(_) => "array",
                    Value::Object(_) => "object",
                    _ => "string",
                };
                parameters.push(ParameterFile {
                    name: member,
                    location: Location::Body,
                    description: String::new(),
                    doc_type: None,
                    schema: Some(serde_json::json!({ "type": kind })),
                    example: Some(value),
                    required: true,
                });
            }
        }
        fixtures.push((name, text));
    }
    let Some(mut request) = example.request else {
        return Err(ImportError::new(
            page,
            Some(request_at),
            "example request",
            "expected the request's headers and body after its request line",
        ));
    };
    let auth = request.headers.keys().any(|name| {
        name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("cookie")
    });
    let status: u16 = page.lines[status_at]
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let after_headers = (status_at + 1..page.lines.len())
        .find(|&i| {
            !page.lines[i]
                .trim()
                .split_once(':')
                .is_some_and(|(name, _)| is_header_name(name.trim()))
        })
        .unwrap_or(page.lines.len());
    let json = page
        .next_text(after_headers)
        .and_then(|at| json_block(page, at))
        .map(|block| block.text)
        .filter(|text| serde_json::from_str::<Value>(text).is_ok());
    let api = api_file(DialectName::Onlyoffice);
    let prefix = format!("{}/{id}", api.name);
    if let Some(body) = request.body.as_mut() {
        *body = format!("{prefix}/{body}");
    }
    for (name, _) in &mut fixtures {
        *name = format!("{prefix}/{name}");
    }
    let mut response = ResponseFile {
        status,
        name: None,
        description: String::new(),
        type_name: None,
        json: None,
        xml: None,
        xml_names: None,
        xml_literals: None,
        example: Some(ExampleSource::Unknown),
    };
    if let Some(json) = json {
        let file = format!("{prefix}/response-{status}.json");
        fixtures.push((file.clone(), format!("{json}\n")));
        response.json = Some(file);
        response.example = None;
    }
    let summary = page
        .next_text(0)
        .map(|at| page.lines[at].trim().to_string())
        .unwrap_or_default();
    Ok(Imported {
        api,
        id,
        spec: EndpointFile {
            method,
            path,
            summary,
            auth,
            parameters,
            request: Some(request),
            responses: vec![response],
            source: Some(page.name.clone()),
        },
        fixtures,
        page: page.name.clone(),
        warnings: Vec::new(),
    })
}

/// The text under the heading at line `at`, up to the next heading of the
/// layout.
fn section_text(page: &Page, at: usize) -> String {
    let mut words = Vec::new();
    for line in &page.lines[at + 1..] {
        let line = line.trim();
        if is_heading(line) {
            break;
        }
        if !line.is_empty() {
            words.push(line);
        }
    }
    words.join(" ")
}

/// The `Description` heading, looked for only above the parameters (or the
/// example, on pages without parameters): a parameter may well be named
/// `description`, and its name stands alone on its line like a heading.
fn description_heading(page: &Page, method_at: usize, limit: Option<usize>) -> Option<usize> {
    let first_row = page.find(method_at + 1, is_location).map(|i| i - 1);
    let limit = [limit, first_row].into_iter().flatten().min();
    page.heading(method_at, DESCRIPTION)
        .filter(|&at| limit.is_none_or(|limit| at < limit))
}

/// The error for a page in the newer reference layout (`Responses` with a
/// schema per status, parameters as `caseidinteger required`): another
/// layout than this parser reads, whose rows it would lose. It names the
/// method line it read and where the classic page is.
fn newer_layout(page: &Page, method_at: usize) -> ImportError {
    ImportError::new(
        page,
        Some(method_at),
        "example response",
        "this page is in the newer reference layout, which lists a response schema but no \
         `Example Response` and no parameter table; save the method's page from the classic \
         reference (api.onlyoffice.com/portals/method/…) instead",
    )
}

/// The first line from `from` on that opens the vendors' response envelope
/// (`{ "status": 0, "response": … }`). Some table renderings (the DocSpace
/// and portal pages) put the JSON example straight after the returned type,
/// with neither the heading nor an `application/json` line; the example
/// request's own body, which comes first, is no envelope.
fn envelope_at(page: &Page, from: usize) -> Option<usize> {
    let mut at = from;
    while at < page.lines.len() {
        if !page.lines[at].trim_start().starts_with('{') {
            at += 1;
            continue;
        }
        let Some(block) = json_block(page, at) else {
            at += 1;
            continue;
        };
        let is_envelope = serde_json::from_str::<Value>(&block.text)
            .is_ok_and(|value| value.get("status").is_some() && value.get("response").is_some());
        if is_envelope {
            return Some(at);
        }
        // The envelope is never inside another example.
        at = block.last + 1;
    }
    None
}

fn is_media_type(line: &str) -> bool {
    [
        "application/json",
        "text/json",
        "text/xml",
        "application/xml",
    ]
    .iter()
    .any(|m| line.eq_ignore_ascii_case(m))
}

fn is_heading(line: &str) -> bool {
    [DESCRIPTION, PARAMETERS, REMARK, EXAMPLE, RETURNS, RESPONSE]
        .iter()
        .any(|set| set.iter().any(|h| line.eq_ignore_ascii_case(h)))
}

/// The parameter table's lines with the table renderings' cell bars
/// removed (`| title`, `Contact ID | number | 1234 |`) and a name written on
/// the same line as its location (`contactid sent in url …`) split off.
///
/// A row whose cells share one line keeps each cell on a line of its own:
/// run together, an optional marker closing the description cell
/// (`Идентификатор контакта Необязательно | номер | 1234`) would sit in the
/// middle of the row, where nothing reads it, and the collection marker
/// closing a type cell (`Коллекция строк коллекция | текст`) would pass
/// for the type.
fn table_lines(lines: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for line in lines {
        let line = line
            .trim()
            .trim_start_matches('|')
            .trim_end_matches('|')
            .trim();
        if line.is_empty() {
            continue;
        }
        if line.contains('|') {
            for (index, cell) in line.split('|').map(str::trim).enumerate() {
                if cell.is_empty() {
                    continue;
                }
                if index == 0 {
                    push_name_and_location(&mut out, cell);
                } else {
                    push_cell(&mut out, cell);
                }
            }
        } else {
            push_name_and_location(&mut out, line);
        }
    }
    out
}

/// Pushes `line`, with a name written on the same line as its location
/// (`contactid sent in url …`) split off.
fn push_name_and_location(out: &mut Vec<String>, line: &str) {
    // ASCII lower case keeps every byte where it is, so an offset found in
    // it cuts `line` too; Unicode lower case may change a character's length.
    let lower = line.to_ascii_lowercase();
    match lower.find(" sent in ") {
        Some(at) if !line[..at].contains(' ') => {
            out.push(line[..at].to_string());
            let rest = &line[at + 1..];
            // `sent in url` is three words; what follows is the row's text.
            let words: Vec<&str> = rest.splitn(4, ' ').collect();
            out.push(words[..words.len().min(3)].join(" "));
            if let Some(text) = words.get(3).map(|t| t.trim()).filter(|t| !t.is_empty()) {
                out.push(text.to_string());
            }
        }
        _ => out.push(line.to_string()),
    }
}

/// `line` without the word `marker` (lower case) that ends it after a
/// space, in any case: `Remark Optional` → `Remark`. The word is found by
/// characters, since lower-casing may change a character's length in bytes.
fn before_trailing_word<'l>(line: &'l str, marker: &str) -> Option<&'l str> {
    let count = marker.chars().count();
    let (at, _) = line.char_indices().rev().nth(count.checked_sub(1)?)?;
    let head = line[..at].strip_suffix(' ')?;
    (line[at..].to_lowercase() == marker).then_some(head)
}

/// Pushes one cell of a row, with the collection marker that closes a type
/// cell on a line of its own, where the row reader drops it.
fn push_cell(out: &mut Vec<String>, cell: &str) {
    let marker = cell
        .rsplit_once(' ')
        .filter(|(kind, marker)| !kind.trim().is_empty() && is_collection_marker(marker));
    match marker {
        Some((kind, marker)) => {
            out.push(kind.trim().to_string());
            out.push(marker.to_string());
        }
        None => out.push(cell.to_string()),
    }
}

/// `Описание - Удаляет событие …`: a heading and its text on one line, as
/// the older R7-Office help-center pages write the description and the
/// returned type (`Возвращает - Событие`). The text after the dash.
fn inline_section<'l>(line: &'l str, headings: &[&str]) -> Option<&'l str> {
    let line = line.trim();
    headings.iter().find_map(|heading| {
        let head = line.get(..heading.len())?;
        if !head.eq_ignore_ascii_case(heading) {
            return None;
        }
        let rest = line[heading.len()..].trim_start();
        let text = rest.strip_prefix(['-', '–', '—'])?.trim();
        (!text.is_empty()).then_some(text)
    })
}

/// `Описание Обновляет выбранный счет … Параметры`: some R7-Office pages
/// run the description heading, its text and the parameters heading into
/// one line. The text between the two headings; only when the line ends
/// with the parameters heading, so that a line merely starting with the
/// word (a parameter named `description`) is no description.
fn description_run_into_parameters(line: &str) -> Option<&str> {
    let line = line.trim();
    DESCRIPTION.iter().find_map(|heading| {
        let rest = line.strip_prefix(heading)?;
        if !rest.starts_with(char::is_whitespace) {
            return None;
        }
        let before = PARAMETERS.iter().find_map(|end| rest.strip_suffix(end))?;
        if !before.ends_with(char::is_whitespace) {
            return None;
        }
        let text = before.trim();
        (!text.is_empty()).then_some(text)
    })
}

/// `sent in url` (`передается в …`, on the older R7-Office help-center
/// pages `отправка в …`): the line under a parameter's name that says
/// where it is sent. The place is one word: a remark such as
/// "Sent in json format only" under a description is no location, and
/// read as one it would turn the description above it into a parameter.
fn is_location(line: &str) -> bool {
    let lower = line.trim().to_lowercase();
    [
        "sent in ",
        "передается в ",
        "отправляется в ",
        "отправка в ",
    ]
    .iter()
    .any(|prefix| {
        lower.strip_prefix(prefix).is_some_and(|place| {
            let place = place.trim();
            !place.is_empty() && !place.contains(char::is_whitespace)
        })
    })
}

/// Where a table rendering's parameter rows end, within `from..end`: after
/// the cell bar that closes the last row. The table rendering drops the
/// Example heading, so free text the page puts between the table and the
/// response (the custom field page's "Data transfer in application/json
/// format" notes, which have no request line) would otherwise run into the
/// last row and bury its type and example. Text after the last bar that
/// starts another row (a name and its location) stays, and the headed
/// rendering, which has no bars, ends where `end` says.
fn cells_end(page: &Page, from: usize, end: usize) -> usize {
    let Some(last_bar) = (from..end)
        .rev()
        .find(|&i| page.lines[i].trim().ends_with('|'))
    else {
        return end;
    };
    let tail = table_lines(&page.lines[last_bar + 1..end]);
    if tail.iter().any(|line| is_location(line)) {
        end
    } else {
        last_bar + 1
    }
}

/// Rows of the parameter table between `from` and `end`.
fn parse_parameters(page: &Page, from: usize, end: usize, path: &str) -> Vec<ParameterFile> {
    let lines = table_lines(&page.lines[from..end]);
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let mut parameters = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        // A row starts with its name, followed by where it is sent.
        if lines[i].is_empty() || i + 1 >= lines.len() || !is_location(lines[i + 1]) {
            i += 1;
            continue;
        }
        let mut name = lines[i].to_string();
        let sent_in = lines[i + 1].to_lowercase();
        let mut j = i + 2;
        let mut optional = false;
        let mut text: Vec<&str> = Vec::new();
        while j < lines.len()
            && !(j + 1 < lines.len() && is_location(lines[j + 1]) && !lines[j].is_empty())
        {
            // The marker stands on its own line or ends the remark before it.
            let trailing = OPTIONAL
                .iter()
                .find_map(|o| before_trailing_word(lines[j], o));
            if OPTIONAL.iter().any(|o| lines[j].eq_ignore_ascii_case(o)) {
                optional = true;
            } else if let Some(rest) = trailing {
                optional = true;
                text.push(rest.trim_end());
            } else if !lines[j].is_empty() && !is_collection_marker(lines[j]) {
                text.push(lines[j]);
            }
            j += 1;
        }
        let (description, doc_type, example) = split_row_lines(&text);
        // The template's own spelling of a variable the row names in another
        // case (`contactId` for `{contactid}`): the route binds that
        // spelling, and a path parameter must match it.
        let template_name = path.split('/').find_map(|segment| {
            segment
                .strip_prefix('{')
                .and_then(|s| s.strip_suffix('}'))
                .filter(|variable| variable.eq_ignore_ascii_case(&name))
        });
        let in_path = template_name.is_some();
        if let Some(variable) = template_name {
            name = variable.to_string();
        }
        // A name the path template binds is a path parameter whatever the
        // row says: some generated pages mark `{contactid}` "sent in body".
        let location = if in_path {
            Location::Path
        } else if sent_in.contains("body") || sent_in.contains("тел") {
            Location::Body
        } else if sent_in.contains("header") || sent_in.contains("заголов") {
            Location::Header
        } else {
            Location::Query
        };
        let mut schema = doc_type.as_ref().map(|t| t.schema.clone());
        let mut example = example;
        if let Some(schema) = schema.as_mut() {
            widen_for_example(schema, example.as_ref());
            super::types::restrict_to_allowed_values(schema, &mut example, &description);
        }
        parameters.push(ParameterFile {
            name,
            location,
            description,
            doc_type: doc_type.map(|t| t.text),
            schema,
            example,
            required: location == Location::Path || !optional,
        });
        i = j;
    }
    parameters
}

/// A row's lines: one line holds description, type and example; several
/// lines hold the description (and remarks) first and type and example last.
fn split_row_lines(lines: &[&str]) -> (String, Option<super::types::DocType>, Option<Value>) {
    if let [only] = lines
        && let Some(doc_type) = super::types::enumeration(only)
    {
        return (String::new(), Some(doc_type), None);
    }
    // A row without a description: `Date and Time Roundtrip format: …`.
    if let [only] = lines
        && let Some((doc_type, example)) = type_line(only)
    {
        return (String::new(), Some(doc_type), example);
    }
    // The rendering with one cell a line puts an enumeration and its
    // example member on lines of their own, and a member may well be named
    // like a type (`Number, Sip, Client` / `Number`).
    if let [description @ .., members, example] = lines
        && let Some(doc_type) = super::types::enumeration(members)
        && members
            .split(',')
            .any(|member| member.split('=').next().unwrap_or("").trim() == example.trim())
    {
        return (
            description.join(" "),
            Some(doc_type),
            Some(Value::String(example.trim().to_string())),
        );
    }
    // An example cell that names no member (the mail pages' `true` under
    // `None, ReadWrite, …, CustomFilter,`) is no example: sent, it is a
    // value the method cannot read. A number is one, enumerations being
    // sent by value too.
    if let [description @ .., members, other] = lines
        && let Some(doc_type) = super::types::enumeration(members)
        && !other.trim().contains(' ')
        && type_line(other).is_none()
    {
        let example = other.trim().parse::<i64>().ok().map(Value::from);
        return (description.join(" "), Some(doc_type), example);
    }
    if let [description @ .., last] = lines
        && !description.is_empty()
        && let Some((doc_type, example)) = type_line(last)
    {
        return (description.join(" "), Some(doc_type), example);
    }
    let joined = lines.join(" ");
    match split_row(&joined) {
        (_, None, _) => super::types::trailing_enumeration(&joined)
            .or_else(|| super::types::unglued_collection(&joined))
            .or_else(|| super::types::glued_row(&joined))
            .or_else(|| one_member_enumeration(&joined))
            .map(|(description, doc_type, example)| (description, Some(doc_type), example))
            .unwrap_or((joined, None, None)),
        found => found,
    }
}

/// `Contact social network Twitter twitter`: the generator shows an
/// enumeration of which it knows one member as that member's name, and the
/// example as the name the method reads, in lower case. The type is the
/// next to last word, the example the last, when the two differ only in
/// case; like any enumeration, it is sent as a name or a number.
fn one_member_enumeration(text: &str) -> Option<(String, super::types::DocType, Option<Value>)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let [description @ .., member, example] = words.as_slice() else {
        return None;
    };
    let is_name = member.chars().next().is_some_and(char::is_uppercase)
        && member.chars().all(|c| c.is_alphanumeric() || c == '_');
    (is_name && member != example && member.to_lowercase() == example.to_lowercase()).then(|| {
        (
            description.join(" "),
            super::types::DocType {
                text: member.to_string(),
                schema: serde_json::json!({"type": ["string", "integer"]}),
            },
            Some(Value::String(example.to_string())),
        )
    })
}

/// A line that starts with a type: `number 1234`, `Bool value true`, or an
/// enumeration `All, Company, Person`.
fn type_line(line: &str) -> Option<(super::types::DocType, Option<Value>)> {
    let (description, doc_type, example) = split_row(&format!("_ {line}"));
    if description == "_" {
        return doc_type.map(|t| (t, example));
    }
    if let Some(doc_type) = super::types::enumeration(line) {
        return Some((doc_type, None));
    }
    // `High = 1, Normal = 0, Low = -1 Normal`: the members and the example.
    super::types::trailing_enumeration(line)
        .filter(|(description, _, _)| description.is_empty())
        .map(|(_, doc_type, example)| (doc_type, example))
}

/// What the example request section yields.
struct Example {
    /// The request, when the section starts with a request line.
    request: Option<RequestFile>,
    /// The `Host:` header's value, which tells the vendor.
    host: Option<String>,
    /// The body fixture: file name and contents.
    body: Option<(String, String)>,
    /// The line after the request (its headers and body).
    after: usize,
}

/// The example request on line `at`: its line, headers and body.
fn parse_example(page: &Page, at: usize, end: usize, method: &str) -> Result<Example, ImportError> {
    let mut example = Example {
        request: None,
        host: None,
        body: None,
        after: at,
    };
    let Some(line_at) = page.next_text(at).filter(|&i| i < end) else {
        return Ok(example);
    };
    let Some((example_method, target, tail)) = method_line(&page.lines[line_at]) else {
        return Ok(example);
    };
    if example_method != method {
        return Err(ImportError::new(
            page,
            Some(line_at),
            "example request",
            format!(
                "expected the example to use {method}, as the method line does, not {example_method}"
            ),
        ));
    }
    let mut headers = Map::new();
    // Some renderings run the headers, and even the body, into the request
    // line.
    let (inline, inline_body) = inline_headers(tail);
    for (name, value) in inline {
        if name.eq_ignore_ascii_case("host") {
            example.host = Some(value.clone());
        }
        headers.insert(name, Value::String(value));
    }
    let mut i = line_at + 1;
    while i < end {
        let line = page.lines[i].trim();
        let Some((name, value)) = line.split_once(':').filter(|(n, _)| is_header_name(n)) else {
            break;
        };
        if name.eq_ignore_ascii_case("host") {
            example.host = Some(value.trim().to_string());
        }
        headers.insert(name.to_string(), Value::String(value.trim().to_string()));
        i += 1;
    }
    let mut body_file = None;
    if let Some(text) = inline_body.filter(|t| serde_json::from_str::<Value>(t).is_ok()) {
        example.body = Some(("request.json".to_string(), format!("{text}\n")));
        body_file = Some("request.json".to_string());
    } else if let Some(body_at) = page.next_text(i).filter(|&b| b < end) {
        let first = page.lines[body_at].trim_start();
        if let Some(block) = json_block(page, body_at) {
            example.body = Some(("request.json".to_string(), format!("{}\n", block.text)));
            body_file = Some("request.json".to_string());
            i = block.last + 1;
        } else if first.starts_with('<') {
            if let Some(block) = xml_block(page, body_at).transpose().map_err(|malformed| {
                ImportError::new(
                    page,
                    Some(malformed.line),
                    "example request",
                    format!(
                        "expected the request body to be well-formed XML: {}",
                        malformed.reason
                    ),
                )
            })? {
                example.body = Some(("request.xml".to_string(), format!("{}\n", block.text)));
                body_file = Some("request.xml".to_string());
                i = block.last + 1;
            }
        } else if first.contains('=') && !first.contains(' ') {
            example.body = Some(("request.form".to_string(), format!("{first}\n")));
            body_file = Some("request.form".to_string());
            i = body_at + 1;
        }
    }
    example.after = i;
    example.request = Some(RequestFile {
        target: rooted(&super::text::query_entities_undone(target)),
        headers,
        body: body_file,
    });
    Ok(example)
}

/// `Host: a Content-Type: application/json { "id": 1 }` → the headers in
/// it, and the body that follows them when the rendering ran it into the
/// same line.
fn inline_headers(text: &str) -> (Vec<(String, String)>, Option<String>) {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut rest = text.trim_start();
    while let Some(word) = rest.split_whitespace().next() {
        if word.starts_with(['{', '[']) {
            return (headers, Some(rest.trim().to_string()));
        }
        match word.strip_suffix(':').filter(|name| is_header_name(name)) {
            Some(name) => headers.push((name.to_string(), String::new())),
            None => {
                if let Some((_, value)) = headers.last_mut() {
                    if !value.is_empty() {
                        value.push(' ');
                    }
                    value.push_str(word);
                }
            }
        }
        rest = rest[word.len()..].trim_start();
    }
    (headers, None)
}

fn is_header_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Sets the example of each path parameter that has none from the segment
/// at its place in the example request's target.
fn fill_path_examples(parameters: &mut [ParameterFile], template: &str, target: &str) {
    let target = target.split('?').next().unwrap_or(target);
    let template: Vec<&str> = template.split('/').collect();
    let concrete: Vec<&str> = target.split('/').collect();
    if template.len() != concrete.len() {
        return;
    }
    for (segment, value) in template.iter().zip(&concrete) {
        let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
            continue;
        };
        if value.starts_with('{') {
            continue;
        }
        if let Some(parameter) = parameters.iter_mut().find(|p| {
            p.location == Location::Path && p.name.eq_ignore_ascii_case(name) && p.example.is_none()
        }) {
            let value = percent_encoding::percent_decode_str(value).decode_utf8_lossy();
            parameter.example = Some(
                value
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| Value::String(value.into_owned())),
            );
        }
    }
}

/// Declares the template variables no row documents. Some generated pages
/// route on a variable the method never reads
/// (`opportunity/{opportunityid}/stage/{id}`, whose table lists only the
/// body's `stageid`); undeclared, it would be neither typed nor given an
/// example, and the example request would send the literal `{id}`.
/// Returns their names.
fn add_undocumented_path_parameters(
    parameters: &mut Vec<ParameterFile>,
    template: &str,
) -> Vec<String> {
    let mut added = Vec::new();
    for segment in template.split('/') {
        let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
            continue;
        };
        if parameters
            .iter()
            .any(|p| p.location == Location::Path && p.name.eq_ignore_ascii_case(name))
        {
            continue;
        }
        parameters.push(ParameterFile {
            name: name.to_string(),
            location: Location::Path,
            description: String::new(),
            doc_type: None,
            schema: None,
            example: None,
            required: true,
        });
        added.push(name.to_string());
    }
    added
}

/// Gives an undocumented path parameter the example still missing from the
/// example line: that of the one documented query or body parameter whose
/// name ends with its own (`stageid` for `{id}`), the value such a page
/// means, typed as that example is.
fn borrow_path_examples(parameters: &mut [ParameterFile], undocumented: &[String]) {
    for index in 0..parameters.len() {
        let parameter = &parameters[index];
        if parameter.location != Location::Path
            || !undocumented.contains(&parameter.name)
            || parameter.example.is_some()
        {
            continue;
        }
        let name = parameter.name.to_lowercase();
        let donors: Vec<&ParameterFile> = parameters
            .iter()
            .filter(|p| {
                p.location != Location::Path
                    && p.doc_type.is_some()
                    && p.name.to_lowercase().ends_with(&name)
            })
            .filter(|p| matches!(p.example, Some(Value::Number(_) | Value::String(_))))
            .collect();
        let [donor] = donors.as_slice() else {
            continue;
        };
        let example = donor.example.clone();
        let schema = match &example {
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => {
                serde_json::json!({"type": "integer"})
            }
            _ => serde_json::json!({"type": "string"}),
        };
        let parameter = &mut parameters[index];
        parameter.example = example;
        parameter.schema = Some(schema);
    }
}

/// The example target with every `{name}` the page left in it replaced by
/// that path parameter's example.
fn concrete_target(target: &str, parameters: &[ParameterFile]) -> String {
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    };
    let segments: Vec<String> = path
        .split('/')
        .map(|segment| {
            let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
                return segment.to_string();
            };
            let example = parameters
                .iter()
                .find(|p| p.location == Location::Path && p.name.eq_ignore_ascii_case(name))
                .and_then(|p| p.example.as_ref());
            match example {
                Some(Value::String(text)) => encode_segment(text),
                Some(other) => encode_segment(&other.to_string()),
                None => segment.to_string(),
            }
        })
        .collect();
    let path = segments.join("/");
    match query {
        Some(query) => format!("{path}?{query}"),
        None => path,
    }
}

/// Lets a body parameter be null where the example body sends it null: the
/// generator writes `"private": null` for the optional `bool?` parameters of
/// .NET methods, and the page's own example must keep its contract.
fn admit_example_nulls(parameters: &mut [ParameterFile], text: &str) {
    let Ok(Value::Object(members)) = serde_json::from_str::<Value>(text) else {
        return;
    };
    for parameter in parameters
        .iter_mut()
        .filter(|p| p.location == Location::Body)
    {
        let null = members
            .iter()
            .any(|(key, value)| key.eq_ignore_ascii_case(&parameter.name) && value.is_null());
        let Some(schema) = parameter.schema.as_mut().filter(|_| null) else {
            continue;
        };
        match schema.get("type").cloned() {
            Some(Value::String(kind)) if kind != "null" => {
                schema["type"] = serde_json::json!([kind, "null"]);
            }
            Some(Value::Array(mut kinds)) if !kinds.contains(&Value::from("null")) => {
                kinds.push(Value::from("null"));
                schema["type"] = Value::Array(kinds);
            }
            _ => {}
        }
    }
}

/// The example request of a page that shows `data: {…}` samples instead
/// of one: the method line's path (its variables filled in later, like
/// those of a request line that shows the template), JSON headers, and as
/// the body the first sample whose members all fit their rows (a page may
/// document one member otherwise in one of its samples: the custom field
/// page sends `mask` as an object where the row says a JSON string), or
/// else the first sample without the members that do not fit. Members
/// naming a path variable go to the path; rows that have no example take
/// the sample's (`invoiceLines`). `None` without a sample.
fn sampled_request(
    parameters: &mut [ParameterFile],
    template: &str,
    samples: &[Value],
) -> Option<(RequestFile, String)> {
    let fits = |parameters: &[ParameterFile], name: &str, value: &Value| {
        let schema = parameters
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .and_then(|p| p.schema.clone());
        schema.is_none_or(|schema| {
            crate::contract::schema::Compiled::new(schema).is_ok_and(|c| c.accepts(value))
        })
    };
    let members = |sample: &Value| sample.as_object().cloned().unwrap_or_default();
    let sample = samples
        .iter()
        .find(|sample| {
            members(sample)
                .iter()
                .all(|(name, value)| fits(parameters, name, value))
        })
        .or_else(|| samples.first())?;
    let mut body = serde_json::Map::new();
    for (name, value) in members(sample) {
        if !fits(parameters, &name, &value) {
            continue;
        }
        let row = parameters
            .iter_mut()
            .find(|p| p.name.eq_ignore_ascii_case(&name));
        match row {
            Some(row) if row.location == Location::Path => {
                row.example.get_or_insert(value);
            }
            Some(row) => {
                row.example.get_or_insert_with(|| value.clone());
                body.insert(name, value);
            }
            None => {
                body.insert(name, value);
            }
        }
    }
    let mut headers = Map::new();
    for name in ["Content-Type", "Accept"] {
        headers.insert(name.to_string(), Value::from("application/json"));
    }
    let request = RequestFile {
        target: template.to_string(),
        headers,
        body: Some("request.json".to_string()),
    };
    Some((request, super::to_pretty_json(&Value::Object(body))))
}

/// The values of `parameter` the server takes, when its description names
/// them (see [`super::types::restrict_to_allowed_values`]).
fn enum_of(parameter: &ParameterFile) -> Option<&Vec<Value>> {
    parameter
        .schema
        .as_ref()
        .and_then(|schema| schema.get("enum"))
        .and_then(Value::as_array)
}

/// Whether the text `sent` is one of `members`, read as the server reads
/// it: as a number where the members are numbers.
fn is_member(members: &[Value], sent: &str) -> bool {
    members.iter().any(|member| match member {
        Value::String(text) => text == sent,
        other => sent
            .trim()
            .parse::<Value>()
            .is_ok_and(|value| value == *other),
    })
}

/// The text an example value is sent as in a URL.
fn sent_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Puts an allowed value where the example request sends the generator's
/// placeholder (`/crm/some%20text/customfield`, `?entityType=some+text`,
/// `"fieldType": 1234`) for a parameter whose description lists the values
/// it takes: that parameter's example, which is one of them. Everything
/// else in the request stays as the page wrote it.
fn send_allowed_values(
    parameters: &[ParameterFile],
    template: &str,
    request: &mut RequestFile,
    body: Option<&mut String>,
) {
    let restricted: Vec<(&ParameterFile, &Vec<Value>)> = parameters
        .iter()
        .filter_map(|p| Some((p, enum_of(p)?)))
        .filter(|(p, _)| p.example.is_some())
        .collect();
    if restricted.is_empty() {
        return;
    }
    let find = |location: Location, name: &str| {
        restricted
            .iter()
            .find(|(p, _)| p.location == location && p.name.eq_ignore_ascii_case(name))
            .map(|(p, members)| (p.example.as_ref(), *members))
    };
    let (path, query) = match request.target.split_once('?') {
        Some((path, query)) => (path.to_string(), Some(query.to_string())),
        None => (request.target.clone(), None),
    };
    let template: Vec<&str> = template.split('/').collect();
    let mut segments: Vec<String> = path.split('/').map(str::to_string).collect();
    if segments.len() == template.len() {
        for (segment, variable) in segments.iter_mut().zip(&template) {
            let Some(name) = variable.strip_prefix('{').and_then(|v| v.strip_suffix('}')) else {
                continue;
            };
            let sent = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
            if let Some((Some(example), members)) = find(Location::Path, name)
                && !is_member(members, &sent)
            {
                *segment = encode_segment(&sent_text(example));
            }
        }
    }
    let mut target = segments.join("/");
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| {
                let Some((name, raw)) = pair.split_once('=') else {
                    return pair.to_string();
                };
                let sent = super::text::form_decoded(raw);
                match find(Location::Query, &super::text::form_decoded(name)) {
                    Some((Some(example), members)) if !is_member(members, &sent) => {
                        let text: String =
                            form_urlencoded::byte_serialize(sent_text(example).as_bytes())
                                .collect();
                        format!("{name}={text}")
                    }
                    _ => pair.to_string(),
                }
            })
            .collect();
        target.push('?');
        target.push_str(&pairs.join("&"));
    }
    request.target = target;
    let Some(body) = body else {
        return;
    };
    let Ok(Value::Object(mut members)) = serde_json::from_str::<Value>(body) else {
        return;
    };
    let mut changed = false;
    for (name, value) in members.iter_mut() {
        if let Some((Some(example), allowed)) = find(Location::Body, name)
            && !allowed.contains(value)
        {
            *value = example.clone();
            changed = true;
        }
    }
    if changed {
        *body = super::to_pretty_json(&Value::Object(members));
    }
}

/// Makes optional every parameter the page's own example request leaves
/// out: the page shows the method called without it, and its example must
/// keep the contract read from the same page. (Community Server gives a
/// parameter the request leaves out its type's default, and only the
/// method's code may refuse that: module/ASC.Api/ASC.Api/Impl/
/// ApiArgumentBuilder.cs, `BuildCallingArguments`.) Some GET pages send their
/// query parameters in a JSON body, which the server reads too: they are
/// left out of the query, where the mock looks for them. A body that cannot
/// be read says nothing of what it leaves out.
fn optional_where_left_out(
    parameters: &mut [ParameterFile],
    request: &RequestFile,
    body: Option<&str>,
) {
    let query: Vec<String> = request
        .target
        .split_once('?')
        .map(|(_, query)| {
            form_urlencoded::parse(query.as_bytes())
                .map(|(name, _)| {
                    // `tags[]=…` and `tags[0]=…` send `tags`.
                    let name = name.split('[').next().unwrap_or_default();
                    name.to_lowercase()
                })
                .collect()
        })
        .unwrap_or_default();
    let members = body.map(body_member_names);
    for parameter in parameters.iter_mut().filter(|p| p.required) {
        let name = parameter.name.to_lowercase();
        let sent = match parameter.location {
            Location::Path => true,
            Location::Query => query.contains(&name),
            Location::Header => request
                .headers
                .keys()
                .any(|header| header.eq_ignore_ascii_case(&name)),
            Location::Body => match &members {
                Some(Some(members)) => members.contains(&name),
                // An unreadable body; no body at all sends nothing.
                Some(None) => true,
                None => false,
            },
        };
        if !sent {
            parameter.required = false;
        }
    }
}

/// The lower-cased names of the members an example body sends: a JSON
/// object's members, an XML document's child elements, a form's keys.
/// `None` when the body is none of these.
fn body_member_names(text: &str) -> Option<Vec<String>> {
    let trimmed = text.trim();
    if trimmed.starts_with('{') {
        let Ok(Value::Object(members)) = serde_json::from_str::<Value>(trimmed) else {
            return None;
        };
        return Some(members.keys().map(|k| k.to_lowercase()).collect());
    }
    if trimmed.starts_with('<') {
        return xml_child_names(trimmed);
    }
    (trimmed.contains('=') && !trimmed.contains(char::is_whitespace)).then(|| {
        form_urlencoded::parse(trimmed.as_bytes())
            .map(|(name, _)| name.to_lowercase())
            .collect()
    })
}

/// The lower-cased names of the root element's children.
fn xml_child_names(text: &str) -> Option<Vec<String>> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut depth = 0usize;
    let mut names = Vec::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(element) => {
                if depth == 1 {
                    names.push(element.local_name().as_ref().to_lowercase());
                }
                depth += 1;
            }
            Event::Empty(element) if depth == 1 => {
                names.push(element.local_name().as_ref().to_lowercase());
            }
            Event::End(_) => depth = depth.checked_sub(1)?,
            Event::Eof => return Some(names),
            _ => {}
        }
    }
}

/// Whether the JSON body `text` is an object whose every member is a path
/// parameter.
fn only_path_members(text: &str, parameters: &[ParameterFile]) -> bool {
    let Ok(Value::Object(members)) = serde_json::from_str::<Value>(text) else {
        return false;
    };
    !members.is_empty()
        && members.keys().all(|key| {
            parameters
                .iter()
                .any(|p| p.location == Location::Path && p.name.eq_ignore_ascii_case(key))
        })
}

/// The examples after the response heading, as [`parse_responses`] finds
/// them.
struct ResponseExamples {
    json: Option<String>,
    xml: Option<String>,
    /// What the page got wrong that the import worked around: an XML
    /// example left out because it is malformed, where the JSON one serves.
    warnings: Vec<String>,
}

/// The JSON and XML examples after the response heading; neither when the
/// section shows none. An example that does not parse is an error naming
/// its line when the page has no well-formed example in the other form to
/// serve instead, and else a warning, the broken one left out: a fragment
/// of it is never taken for the example.
fn parse_responses(page: &Page, from: usize) -> Result<ResponseExamples, ImportError> {
    let mut json = None;
    let mut xml = None;
    let mut broken_json: Option<usize> = None;
    let mut broken_xml: Option<MalformedExample> = None;
    let mut i = from;
    while i < page.lines.len() {
        let line = page.lines[i].trim();
        let lower = line.to_ascii_lowercase();
        let opens_json = line.starts_with('{') || line.starts_with('[');
        if json.is_none()
            && broken_json.is_none()
            && (lower == "application/json" || lower == "text/json" || opens_json)
        {
            let start = if opens_json {
                Some(i)
            } else {
                page.next_text(i + 1)
            };
            match start.map(|s| (s, json_block(page, s))) {
                Some((_, Some(block))) => {
                    i = block.last + 1;
                    if serde_json::from_str::<Value>(&block.text).is_ok() {
                        json = Some(block.text);
                    } else {
                        broken_json = Some(block.first);
                    }
                    continue;
                }
                // Brackets that never close: the example is broken, and
                // its inner lines are no example of their own.
                Some((s, None)) if page.lines[s].trim_start().starts_with(['{', '[']) => {
                    broken_json = Some(s);
                    i = s + 1;
                    continue;
                }
                _ => {}
            }
        }
        if xml.is_none()
            && broken_xml.is_none()
            && (lower == "text/xml" || lower == "application/xml" || line.starts_with('<'))
        {
            let start = if line.starts_with('<') {
                Some(i)
            } else {
                page.next_text(i + 1)
            };
            match start.and_then(|s| xml_block(page, s)) {
                Some(Ok(block)) => {
                    i = block.last + 1;
                    // A rendering that ran the example onto one line lost
                    // the documentation's layout, which the renderer
                    // reproduces.
                    xml = Some(relaid_xml(&block.text).unwrap_or(block.text));
                    continue;
                }
                Some(Err(malformed)) => {
                    i = malformed.line.max(i) + 1;
                    broken_xml = Some(malformed);
                    continue;
                }
                None => {}
            }
        }
        if json.is_some() && xml.is_some() {
            break;
        }
        i += 1;
    }
    let mut warnings = Vec::new();
    if let Some(malformed) = broken_xml {
        if json.is_none() {
            return Err(ImportError::new(
                page,
                Some(malformed.line),
                "example response",
                format!(
                    "expected the XML example to be well-formed XML: {} (and there is no JSON \
                     example to use instead)",
                    malformed.reason
                ),
            ));
        }
        warnings.push(format!(
            "line {}: the XML example is not well-formed XML ({}); it is left out, and the \
             XML answer is rendered from the JSON example",
            malformed.line + 1,
            malformed.reason
        ));
    }
    if let Some(line) = broken_json {
        if xml.is_none() {
            return Err(ImportError::new(
                page,
                Some(line),
                "example response",
                "expected the JSON example to be valid JSON (and there is no XML example to use \
                 instead)",
            ));
        }
        warnings.push(format!(
            "line {}: the JSON example is not valid JSON; it is left out, and the JSON answer \
             is read from the XML example",
            line + 1
        ));
    }
    Ok(ResponseExamples {
        json,
        xml,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_markers_are_cut_where_they_stand_whatever_the_letters_before() {
        // `ẞ` is three bytes and lower-cases to the two of `ß`.
        let mut out = Vec::new();
        push_name_and_location(&mut out, "ẞẞ sent in url Кто 12");
        push_name_and_location(&mut out, "contactid SENT IN url Contact ID number 1234");
        assert_eq!(
            out,
            [
                "ẞẞ",
                "sent in url",
                "Кто 12",
                "contactid",
                "SENT IN url",
                "Contact ID number 1234"
            ]
        );
        assert_eq!(
            before_trailing_word("Remark Optional", "optional"),
            Some("Remark")
        );
        assert_eq!(
            before_trailing_word("Примечание НЕОБЯЗАТЕЛЬНЫЙ", "необязательный"),
            Some("Примечание")
        );
        assert_eq!(
            before_trailing_word("ẞẞẞ \u{212a}optional", "optional"),
            None
        );
        assert_eq!(before_trailing_word("Remarkoptional", "optional"), None);
        assert_eq!(before_trailing_word("optional", "optional"), None);
        assert_eq!(before_trailing_word("", "optional"), None);
    }

    #[test]
    fn a_description_run_into_the_parameters_heading_is_the_text_between() {
        assert_eq!(
            description_run_into_parameters("Описание Обновляет счет. Параметры"),
            Some("Обновляет счет.")
        );
        assert_eq!(
            description_run_into_parameters("Description Deletes a case Parameters"),
            Some("Deletes a case")
        );
        assert_eq!(
            description_run_into_parameters("description of the field"),
            None
        );
        assert_eq!(description_run_into_parameters("Описание Параметры"), None);
        assert_eq!(
            description_run_into_parameters("ОписаниеТекстПараметры"),
            None
        );
    }
}
