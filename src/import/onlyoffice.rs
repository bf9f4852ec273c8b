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

use super::text::{Page, json_block, xml_block};
use super::types::{split_row, widen_for_example};
use super::{ImportError, Imported, api_file, endpoint_id};
use crate::catalog::same_xml_text;
use crate::dialect::DialectName;
use crate::render::{NameCase, to_xml_named};
use crate::spec::{EndpointFile, Location, ParameterFile, RequestFile, ResponseFile};

const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

const DESCRIPTION: &[&str] = &["Description", "Описание"];
const PARAMETERS: &[&str] = &["Parameters", "Параметры", "Параметра"];
const EXAMPLE: &[&str] = &["Example", "Пример", "Example Request", "Пример запроса"];
const RETURNS: &[&str] = &["Returns", "Возвращает", "Возвращаемое значение"];
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
];
const OPTIONAL: &[&str] = &["optional", "необязательный", "необязательно", "опционально"];
/// The line the generator adds under collection types.
const COLLECTION_MARKERS: &[&str] = &["collection", "коллекция"];

/// A method line: `PUT api/2.0/…` or `GET /api/2.0/…`, and the rest of it.
fn method_line(line: &str) -> Option<(&str, &str, &str)> {
    let (method, rest) = line.trim().split_once(' ')?;
    if !METHODS.contains(&method) {
        return None;
    }
    let rest = rest.trim_start();
    let (path, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
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

pub(super) fn parse(page: &Page) -> Result<Imported, ImportError> {
    let Some(method_at) = page.find(0, |line| method_line(line).is_some()) else {
        return Err(ImportError::new(
            page,
            None,
            "method line",
            "expected a line such as `GET api/2.0/crm/contact/{contactid}` naming the method and path",
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
    // what it starts with.
    let example_at = page.heading(method_at, EXAMPLE).or_else(|| {
        page.find(method_at + 1, |l| method_line(l).is_some())
            .map(|i| i - 1)
    });
    let returns_at = page.heading(method_at, RETURNS);
    let response_at = page
        .heading(method_at, RESPONSE)
        .or_else(|| {
            page.find(example_at.unwrap_or(method_at) + 1, is_media_type)
                .map(|i| i - 1)
        })
        .ok_or_else(|| {
            ImportError::new(
                page,
                None,
                "example response",
                "expected an `Example Response` (`Пример ответа`) section with a JSON or XML example",
            )
        })?;
    let summary = match page.heading(method_at, DESCRIPTION) {
        Some(_) => section_text(page, method_at, DESCRIPTION),
        None => page
            .next_text(method_at + 1)
            .map(|i| page.lines[i].trim())
            .filter(|l| {
                !is_heading(l) && !l.ends_with('|') && !l.to_lowercase().contains("authentication")
            })
            .unwrap_or("")
            .to_string(),
    };

    let parameters_from = page.heading(method_at, PARAMETERS).unwrap_or(method_at);
    let parameters_end = [example_at, returns_at, Some(response_at)]
        .into_iter()
        .flatten()
        .filter(|&i| i > parameters_from)
        .min()
        .unwrap_or(page.lines.len());
    let mut parameters = parse_parameters(page, parameters_from + 1, parameters_end, &path);

    let mut request = None;
    let mut fixtures = Vec::new();
    let id = endpoint_id(&method, &path);
    if let Some(at) = example_at.filter(|&at| at < response_at) {
        let end = returns_at.filter(|&r| r > at).unwrap_or(response_at);
        let (file, host, body) = parse_example(page, at + 1, end, &method)?;
        host_line = host;
        if let Some((name, text)) = body {
            fixtures.push((name, text));
        }
        request = file;
    }
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
    if let Some(request) = request.as_mut() {
        if let Some(body) = request.body.as_mut() {
            *body = format!("{prefix}/{body}");
        }
    }
    for (name, _) in &mut fixtures {
        *name = format!("{prefix}/{name}");
    }

    // Path parameters the table leaves without an example take the one in
    // the example request line.
    if let Some(request) = &request {
        fill_path_examples(&mut parameters, &path, &request.target);
    }

    let type_name = match returns_at.filter(|&at| at < response_at) {
        Some(at) => page.next_text(at + 1).filter(|&i| i < response_at),
        // Without the heading, the returned type is the text line between
        // the example request and the response.
        None => example_at.and_then(|at| {
            let line_at = page.next_text(at + 1)?;
            (line_at + 1..response_at).find(|&i| {
                let line = page.lines[i].trim();
                !line.is_empty()
                    && line != "|"
                    && !line.starts_with(['{', '[', '<'])
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

    let status = if method == "POST" { 201 } else { 200 };
    let (json, xml) = parse_responses(page, response_at + 1)?;
    let mut response = ResponseFile {
        status,
        name: None,
        description: String::new(),
        type_name,
        json: None,
        xml: None,
        xml_names: None,
    };
    if let (Some(json), Some(xml)) = (&json, &xml) {
        response.xml_names = xml_name_case(dialect, json, xml);
    }
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
    })
}

/// When the page's XML spells member names in another case than its JSON,
/// the case that reproduces it.
fn xml_name_case(dialect: DialectName, json: &str, xml: &str) -> Option<NameCase> {
    let value: Value = serde_json::from_str(json).ok()?;
    let style = &dialect.rules().xml;
    let renders = |names| same_xml_text(xml, to_xml_named(style, &value, None, names).as_bytes());
    if renders(NameCase::AsIs) {
        return None;
    }
    [NameCase::Pascal, NameCase::Camel]
        .into_iter()
        .find(|names| renders(*names))
}

/// The text under a heading, up to the next heading of the layout.
fn section_text(page: &Page, from: usize, heading: &[&str]) -> String {
    let Some(at) = page.heading(from, heading) else {
        return String::new();
    };
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
    [DESCRIPTION, PARAMETERS, EXAMPLE, RETURNS, RESPONSE]
        .iter()
        .any(|set| set.iter().any(|h| line.eq_ignore_ascii_case(h)))
}

/// The parameter table's lines with the table renderings' cell bars
/// removed (`| title`, `Contact ID | number | 1234 |`) and a name written on
/// the same line as its location (`contactid sent in url …`) split off.
fn table_lines(lines: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for line in lines {
        let line = line
            .trim()
            .trim_start_matches('|')
            .trim_end_matches('|')
            .trim();
        let line = line
            .replace(" | ", " ")
            .replace(" |", " ")
            .replace("| ", " ");
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let lower = line.to_lowercase();
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
    out
}

/// Rows of the parameter table between `from` and `end`.
fn parse_parameters(page: &Page, from: usize, end: usize, path: &str) -> Vec<ParameterFile> {
    let lines = table_lines(&page.lines[from..end]);
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let is_location = |line: &str| {
        let lower = line.to_lowercase();
        lower.starts_with("sent in ")
            || lower.starts_with("передается в ")
            || lower.starts_with("отправляется в ")
    };
    let mut parameters = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        // A row starts with its name, followed by where it is sent.
        if lines[i].is_empty() || i + 1 >= lines.len() || !is_location(lines[i + 1]) {
            i += 1;
            continue;
        }
        let name = lines[i].to_string();
        let sent_in = lines[i + 1].to_lowercase();
        let mut j = i + 2;
        let mut optional = false;
        let mut text: Vec<&str> = Vec::new();
        while j < lines.len()
            && !(j + 1 < lines.len() && is_location(lines[j + 1]) && !lines[j].is_empty())
        {
            // The marker stands on its own line or ends the remark before it.
            let trailing = OPTIONAL.iter().find_map(|o| {
                lines[j]
                    .to_lowercase()
                    .ends_with(&format!(" {o}"))
                    .then(|| &lines[j][..lines[j].len() - o.len() - 1])
            });
            if OPTIONAL.iter().any(|o| lines[j].eq_ignore_ascii_case(o)) {
                optional = true;
            } else if let Some(rest) = trailing {
                optional = true;
                text.push(rest.trim_end());
            } else if !lines[j].is_empty()
                && !COLLECTION_MARKERS.contains(&lines[j].to_lowercase().as_str())
            {
                text.push(lines[j]);
            }
            j += 1;
        }
        let (description, doc_type, example) = split_row_lines(&text);
        let in_path = path
            .split('/')
            .any(|segment| segment.eq_ignore_ascii_case(&format!("{{{name}}}")));
        let location = if sent_in.contains("body") || sent_in.contains("тел") {
            Location::Body
        } else if sent_in.contains("header") || sent_in.contains("заголов") {
            Location::Header
        } else if in_path {
            Location::Path
        } else {
            Location::Query
        };
        let mut schema = doc_type.as_ref().map(|t| t.schema.clone());
        if let Some(schema) = schema.as_mut() {
            widen_for_example(schema, example.as_ref());
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
    if let [description @ .., last] = lines
        && !description.is_empty()
    {
        if let Some((doc_type, example)) = type_line(last) {
            return (description.join(" "), Some(doc_type), example);
        }
    }
    split_row(&lines.join(" "))
}

/// A line that starts with a type: `number 1234`, `Bool value true`, or an
/// enumeration `All, Company, Person`.
fn type_line(line: &str) -> Option<(super::types::DocType, Option<Value>)> {
    let (description, doc_type, example) = split_row(&format!("_ {line}"));
    if description == "_" {
        return doc_type.map(|t| (t, example));
    }
    super::types::enumeration(line).map(|t| (t, None))
}

type ExampleParts = (
    Option<RequestFile>,
    Option<String>,
    Option<(String, String)>,
);

/// The example request: its line, headers and body.
fn parse_example(
    page: &Page,
    from: usize,
    end: usize,
    method: &str,
) -> Result<ExampleParts, ImportError> {
    let Some(line_at) = page.next_text(from).filter(|&i| i < end) else {
        return Ok((None, None, None));
    };
    let Some((example_method, target, _)) = method_line(&page.lines[line_at]) else {
        return Ok((None, None, None));
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
    let mut host = None;
    // Some renderings run the headers into the request line.
    let (_, _, tail) = method_line(&page.lines[line_at]).unwrap_or_default();
    for (name, value) in inline_headers(tail) {
        if name.eq_ignore_ascii_case("host") {
            host = Some(value.clone());
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
            host = Some(value.trim().to_string());
        }
        headers.insert(name.to_string(), Value::String(value.trim().to_string()));
        i += 1;
    }
    let mut body = None;
    let mut body_file = None;
    if let Some(body_at) = page.next_text(i).filter(|&b| b < end) {
        let first = page.lines[body_at].trim_start();
        if let Some(block) = json_block(page, body_at) {
            body = Some(("request.json".to_string(), format!("{}\n", block.text)));
            body_file = Some("request.json".to_string());
        } else if first.starts_with('<') {
            if let Some(block) = xml_block(page, body_at) {
                body = Some(("request.xml".to_string(), format!("{}\n", block.text)));
                body_file = Some("request.xml".to_string());
            }
        } else if first.contains('=') && !first.contains(' ') {
            body = Some(("request.form".to_string(), format!("{first}\n")));
            body_file = Some("request.form".to_string());
        }
    }
    Ok((
        Some(RequestFile {
            target: rooted(target),
            headers,
            body: body_file,
        }),
        host,
        body,
    ))
}

/// `Host: a Content-Type: application/json` → the headers in it.
fn inline_headers(text: &str) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for word in text.split_whitespace() {
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
    }
    headers
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
            parameter.example = Some(
                value
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| Value::String(value.to_string())),
            );
        }
    }
}

/// The JSON and XML examples after the response heading.
fn parse_responses(
    page: &Page,
    from: usize,
) -> Result<(Option<String>, Option<String>), ImportError> {
    let mut json = None;
    let mut xml = None;
    // A JSON example that does not parse is only fatal when the page has
    // no XML example to serve instead.
    let mut broken_json: Option<usize> = None;
    let mut i = from;
    while i < page.lines.len() {
        let line = page.lines[i].trim();
        let lower = line.to_ascii_lowercase();
        if json.is_none()
            && (lower == "application/json"
                || lower == "text/json"
                || line.starts_with('{')
                || line.starts_with('['))
        {
            let start = if line.starts_with('{') || line.starts_with('[') {
                Some(i)
            } else {
                page.next_text(i + 1)
            };
            if let Some(block) = start.and_then(|s| json_block(page, s)) {
                i = block.last + 1;
                if serde_json::from_str::<Value>(&block.text).is_ok() {
                    json = Some(block.text);
                } else {
                    broken_json.get_or_insert(block.first);
                }
                continue;
            }
        }
        if xml.is_none()
            && (lower == "text/xml" || lower == "application/xml" || line.starts_with('<'))
        {
            let start = if line.starts_with('<') {
                Some(i)
            } else {
                page.next_text(i + 1)
            };
            if let Some(block) = start.and_then(|s| xml_block(page, s)) {
                i = block.last + 1;
                xml = Some(block.text);
                continue;
            }
        }
        if json.is_some() && xml.is_some() {
            break;
        }
        i += 1;
    }
    if let (Some(line), None, None) = (broken_json, &json, &xml) {
        return Err(ImportError::new(
            page,
            Some(line),
            "example response",
            "expected the JSON example to be valid JSON (and there is no XML example to use instead)",
        ));
    }
    if json.is_none() && xml.is_none() {
        return Err(ImportError::new(
            page,
            Some(from.saturating_sub(1)),
            "example response",
            "expected a JSON (`application/json`) or XML (`text/xml`) example after this heading",
        ));
    }
    Ok((json, xml))
}
