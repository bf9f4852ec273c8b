//! The SuperOffice REST reference layout: a method line
//! (`PUT /api/v1/Contact/{id}`), a summary, markdown tables for path parts,
//! query string parameters, request headers, the request body and the
//! responses, then `Sample request` and `Sample response` (`HTTP/1.1 200 …`),
//! with or without code fences and indentation.

use serde_json::{Map, Value};

use super::text::{Page, json_block};
use super::types::superoffice_schema;
use super::{ImportError, Imported, api_file, endpoint_id};
use crate::contract::dialect::DialectName;
use crate::contract::spec::{
    EndpointFile, ExampleSource, Location, ParameterFile, RequestFile, ResponseFile,
};

const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH"];

/// The first cells of the header rows of the reference's tables.
const TABLE_HEADS: &[&str] = &["Path Part", "Response", "Parameter Name", "Property Name"];

/// The header rows of the reference's tables as a page rendered without
/// cell bars shows them (`Parameter Name Type Description`): the
/// docs.superoffice.com markdown tables come out of some renderings (the
/// older devnet site, copies of the page) as plain words, one row a line.
const BARLESS_HEADS: &[&str] = &[
    "Path Part Type Description",
    "Parameter Name Type Description",
    "Parameter Name Description",
    "Property Name Type Description",
    "Response Description",
];

/// Whether `page` is in the SuperOffice reference layout: a `/api/v1/…`
/// method line and the reference's tables, with or without cell bars.
pub(super) fn looks_like(page: &Page) -> bool {
    let tables = page.lines.iter().any(|l| {
        (l.contains('|')
            && cells(l)
                .first()
                .is_some_and(|c| TABLE_HEADS.contains(&c.as_str())))
            || barless_head(l).is_some()
    });
    let method = page.lines.iter().any(|l| method_line(l).is_some());
    tables && method
}

/// The header cells and column count of a table header row written
/// without cell bars, if `line` is one.
fn barless_head(line: &str) -> Option<Vec<String>> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let line = words.join(" ");
    let head = BARLESS_HEADS.iter().find(|h| line == **h)?;
    let first = TABLE_HEADS.iter().find(|t| head.starts_with(*t))?;
    let mut header = vec![(*first).to_string()];
    header.extend(head[first.len()..].split_whitespace().map(str::to_string));
    Some(header)
}

/// `PUT /api/v1/Contact/{id}` → method and path (query included). The
/// query may hold spaces: the OData examples read
/// `GET /api/v1/Person?$filter=name begins 'S'`.
fn method_line(line: &str) -> Option<(&str, &str)> {
    let line = line.trim().trim_start_matches('`');
    let (method, rest) = line.split_once(' ')?;
    let path = rest.trim();
    let before_query = path.split('?').next().unwrap_or(path);
    (METHODS.contains(&method) && path.starts_with("/api/") && !before_query.contains(' '))
        .then_some((method, path))
}

/// A markdown table: its header cells and rows, and the line it starts on.
struct Table {
    at: usize,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn cells(line: &str) -> Vec<String> {
    line.trim()
        .trim_start_matches('|')
        .trim_end_matches('|')
        .split('|')
        .map(|c| c.trim().to_string())
        .collect()
}

/// `|---|---|` or `---|---|---|`: the rule under a markdown table header.
fn is_rule(line: &str) -> bool {
    let line = line.trim();
    line.contains("---") && line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

fn tables(page: &Page) -> Vec<Table> {
    let mut tables = Vec::new();
    let mut i = 0;
    while i + 1 < page.lines.len() {
        let line = page.lines[i].trim();
        if line.contains('|') && is_rule(&page.lines[i + 1]) {
            let mut rows = Vec::new();
            let mut j = i + 2;
            while j < page.lines.len() && page.lines[j].contains('|') && !is_rule(&page.lines[j]) {
                rows.push(cells(&page.lines[j]));
                j += 1;
            }
            tables.push(Table {
                at: i,
                header: cells(line),
                rows,
            });
            i = j;
        } else if let Some(header) = barless_head(line) {
            let mut rows = Vec::new();
            let mut j = i + 1;
            while let Some(row) = page.lines.get(j).and_then(|l| barless_row(l, &header)) {
                rows.push(row);
                j += 1;
            }
            tables.push(Table {
                at: i,
                header,
                rows,
            });
            i = j;
        } else {
            i += 1;
        }
    }
    tables
}

/// A row of a table written without cell bars: the name (or status) is
/// the first word, the type (in tables that have one) the second — or an
/// `Enum: A, B, C` list — and the rest is the description. The table ends
/// at a blank line, a section heading, the next table's header or a line
/// that cannot be a row.
fn barless_row(line: &str, header: &[String]) -> Option<Vec<String>> {
    let line = line.trim();
    if line.is_empty()
        || line.contains('|')
        || method_line(line).is_some()
        || is_section(line)
        || barless_head(line).is_some()
    {
        return None;
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    let name = (*words.first()?).to_string();
    if header.first().is_some_and(|h| h == "Response") && name.parse::<u16>().is_err() {
        return None;
    }
    if header.len() == 2 {
        return Some(vec![name, words[1..].join(" ")]);
    }
    let (doc_type, at) = match words.get(1) {
        Some(word) if word.eq_ignore_ascii_case("enum:") => {
            // `Enum: Slim, Wide, Full`: the members end at the first word
            // without a trailing comma.
            let mut end = 2;
            while words.get(end).is_some_and(|w| w.ends_with(',')) {
                end += 1;
            }
            let end = (end + 1).min(words.len());
            (words[1..end].join(" "), end)
        }
        Some(word) => ((*word).to_string(), 2),
        None => return None,
    };
    Some(vec![name, doc_type, words[at..].join(" ")])
}

/// The reference's section headings, which end a table written without
/// cell bars.
fn is_section(line: &str) -> bool {
    let line = line.trim().trim_start_matches('#').trim();
    [
        "Query String Parameters",
        "Request Headers",
        "Request Body",
        "Response",
        "Response body",
        "Sample request",
        "Sample response",
    ]
    .iter()
    .any(|h| {
        line.get(..h.len())
            .is_some_and(|l| l.eq_ignore_ascii_case(h))
            && line
                .get(h.len()..)
                .is_some_and(|rest| rest.chars().next().is_none_or(|c| c == ':' || c == ' '))
    })
}

/// A heading line, ignoring markdown `#`s, case and a trailing colon.
fn is_heading(line: &str, heading: &str) -> bool {
    let line = line
        .trim()
        .trim_start_matches('#')
        .trim()
        .trim_end_matches(':');
    line.eq_ignore_ascii_case(heading)
}

fn is_fence(line: &str) -> bool {
    line.trim_start().starts_with("```")
}

/// `**Required** The primary key.` / `The id. Required` → required and the
/// description without the marker.
fn required_marker(description: &str) -> (bool, String) {
    let mut text = description.trim().to_string();
    let mut required = false;
    for marker in ["**Required**", "Required"] {
        if let Some(rest) = text.strip_prefix(marker) {
            required = true;
            text = rest.trim().to_string();
        }
        if let Some(rest) = text.strip_suffix(marker) {
            required = true;
            text = rest.trim().to_string();
        }
    }
    (required, text)
}

pub(super) fn parse(page: &Page) -> Result<Imported, ImportError> {
    let method_at = page.find(0, |l| method_line(l).is_some()).ok_or_else(|| {
        ImportError::new(
            page,
            None,
            "method line",
            "expected a line such as `GET /api/v1/Contact/{id}`",
        )
    })?;
    let (method, path) = method_line(&page.lines[method_at]).unwrap_or_default();
    let (method, path) = (method.to_string(), path.to_string());
    // The markdown source fences the method line; the summary follows the
    // closing fence. Some generated pages have no summary at all: the next
    // line is then a section heading (`Query String Parameters`, or a table
    // header row where the cell bars are gone), which describes nothing.
    let summary = page
        .find(method_at + 1, |l| !l.is_empty() && !is_fence(l))
        .map(|i| page.lines[i].trim())
        .filter(|l| {
            !l.starts_with('|')
                && !l.starts_with('#')
                && !l.contains("threshold")
                && !is_section(l)
                && barless_head(l).is_none()
        })
        .unwrap_or("")
        .to_string();
    let tables = tables(page);
    let sample_request_at = page.find(method_at, |l| is_heading(l, "Sample request"));
    let sample_response_at = page
        .find(method_at, |l| is_heading(l, "Sample response"))
        .or_else(|| {
            page.find(sample_request_at.unwrap_or(method_at), |l| {
                l.starts_with("HTTP/1.1 ")
            })
        });

    let mut parameters = Vec::new();
    let mut responses: Vec<ResponseFile> = Vec::new();
    let mut auth = false;
    let mut response_type = None;
    for table in &tables {
        let first = table.header.first().map(String::as_str).unwrap_or("");
        let columns = table.header.len();
        let before = page.lines[..table.at]
            .iter()
            .rev()
            .map(|l| l.trim())
            .find(|l| !l.is_empty())
            .unwrap_or("");
        let in_response_body = before.to_ascii_lowercase().contains("response body");
        match first {
            "Path Part" => {
                for row in &table.rows {
                    let (_, description) =
                        required_marker(row.get(2).map(String::as_str).unwrap_or(""));
                    let doc_type = row.get(1).cloned().unwrap_or_default();
                    parameters.push(ParameterFile {
                        name: row[0].clone(),
                        location: Location::Path,
                        description,
                        schema: Some(path_schema(&doc_type)),
                        doc_type: Some(doc_type),
                        example: None,
                        required: true,
                    });
                }
            }
            "Parameter Name" if columns >= 3 => {
                for row in &table.rows {
                    let (required, description) =
                        required_marker(row.get(2).map(String::as_str).unwrap_or(""));
                    let doc_type = row.get(1).cloned().unwrap_or_default();
                    parameters.push(ParameterFile {
                        name: row[0].clone(),
                        location: Location::Query,
                        description,
                        schema: Some(superoffice_schema(&doc_type, false)),
                        doc_type: Some(doc_type),
                        example: None,
                        required,
                    });
                }
            }
            "Parameter Name" => {
                for row in &table.rows {
                    if row[0].eq_ignore_ascii_case("authorization") {
                        auth = true;
                    }
                    parameters.push(ParameterFile {
                        name: row[0].clone(),
                        location: Location::Header,
                        description: row.get(1).cloned().unwrap_or_default(),
                        doc_type: None,
                        schema: Some(serde_json::json!({"type": "string"})),
                        example: None,
                        required: false,
                    });
                }
            }
            "Property Name" if !in_response_body => {
                for row in &table.rows {
                    let doc_type = row.get(1).cloned().unwrap_or_default();
                    parameters.push(ParameterFile {
                        name: row[0].clone(),
                        location: Location::Body,
                        description: row.get(2).cloned().unwrap_or_default(),
                        schema: Some(superoffice_schema(&doc_type, true)),
                        doc_type: Some(doc_type),
                        example: None,
                        required: false,
                    });
                }
            }
            "Response" => {
                for row in &table.rows {
                    let Ok(status) = row[0].trim().parse::<u16>() else {
                        continue;
                    };
                    responses.push(ResponseFile {
                        status,
                        name: None,
                        description: row.get(1).cloned().unwrap_or_default(),
                        type_name: None,
                        json: None,
                        xml: None,
                        xml_names: None,
                        xml_literals: None,
                        example: None,
                    });
                }
            }
            _ => {}
        }
        if in_response_body {
            response_type = before
                .split_once(':')
                .map(|(_, t)| t.trim().to_string())
                .filter(|t| !t.is_empty());
        }
    }
    if response_type.is_none() {
        response_type = page
            .lines
            .iter()
            .find_map(|l| {
                let l = l.trim().trim_start_matches('#').trim();
                l.strip_prefix("Response body:")
                    .map(|t| t.trim().to_string())
            })
            .filter(|t| !t.is_empty());
    }

    // Query examples: a request line with a query string shown before the sample.
    let query_end = sample_request_at.unwrap_or(page.lines.len());
    for line in &page.lines[method_at..query_end] {
        if let Some((_, example_path)) = method_line(line)
            && let Some((_, query)) = example_path.split_once('?')
        {
            for (name, value) in form_urlencoded::parse(query.as_bytes()) {
                if let Some(parameter) = parameters.iter_mut().find(|p| {
                    p.location == Location::Query
                        && p.name.eq_ignore_ascii_case(&name)
                        && p.example.is_none()
                }) {
                    parameter.example = Some(query_example(&value, parameter.schema.as_ref()));
                }
            }
        }
    }

    let id = endpoint_id(&method, path.split('?').next().unwrap_or(&path));
    let api = api_file(DialectName::Superoffice);
    let prefix = format!("{}/{id}", api.name);
    let mut fixtures = Vec::new();

    // The sample's status line. A page may show no sample response (or one
    // without a readable status): the method is no less an endpoint, which
    // then answers the first success its Response table lists.
    let status_line = sample_response_at
        .and_then(|at| {
            page.find(at, |l| {
                l.starts_with("HTTP/1.1 ") || l.starts_with("HTTP/2 ")
            })
        })
        .and_then(|at| {
            let status: u16 = page.lines[at].split_whitespace().nth(1)?.parse().ok()?;
            Some((at, status))
        });
    let (status, status_text, json) = match status_line {
        Some((status_at, status)) => {
            let status_text = page.lines[status_at]
                .split_whitespace()
                .skip(2)
                .collect::<Vec<_>>()
                .join(" ");
            let (_, after) = header_lines(page, status_at + 1, page.lines.len());
            let mut json = None;
            if let Some(body_at) = page.find(after, |l| !l.is_empty() && !is_fence(l)) {
                json = json_block(page, body_at).map(|b| b.text).or_else(|| {
                    // Scalar bodies (`false`, `42`, `"text"`, `null`) sit on one line.
                    let line = page.lines[body_at].trim();
                    serde_json::from_str::<Value>(line)
                        .ok()
                        .map(|_| line.to_string())
                });
            }
            (status, status_text, json)
        }
        None => {
            let listed = responses.iter().find(|r| (200..300).contains(&r.status));
            (
                listed.map_or(200, |r| r.status),
                listed.map(|r| r.description.clone()).unwrap_or_default(),
                None,
            )
        }
    };
    let mut request = None;
    // A `Sample request` heading with no request line under it shows no
    // example request; the endpoint is imported without one.
    if let Some(line_at) = sample_request_at.and_then(|at| {
        let end = sample_response_at.unwrap_or(page.lines.len());
        page.find(at + 1, |l| method_line(l).is_some())
            .filter(|&i| i < end)
    }) {
        let end = sample_response_at.unwrap_or(page.lines.len());
        let (_, target) = method_line(&page.lines[line_at]).unwrap_or_default();
        let (headers, after) = header_lines(page, line_at + 1, end);
        let mut body_file = None;
        let mut body_value = None;
        if let Some(body_at) = page
            .find(after, |l| !l.is_empty() && !is_fence(l))
            .filter(|&b| b < end)
            && let Some(block) = json_block(page, body_at)
        {
            body_value = serde_json::from_str::<Value>(&block.text).ok();
            // A body that is a list (a JSON Patch document, a list of ids)
            // has its items, not itself, described by the property table:
            // the rows are no members of the body, whose schema then comes
            // from the sample alone.
            if body_value.as_ref().is_some_and(Value::is_array) {
                parameters.retain(|p| p.location != Location::Body);
            }
            let file = format!("{prefix}/request.json");
            fixtures.push((file.clone(), format!("{}\n", block.text)));
            body_file = Some(file);
        }
        let response_value = json
            .as_deref()
            .and_then(|j| serde_json::from_str::<Value>(j).ok());
        fill_path_examples(
            &mut parameters,
            &path,
            target,
            [body_value.as_ref(), response_value.as_ref()],
        );
        request = Some(RequestFile {
            target: with_required_query(&concrete_target(target, &parameters), &parameters),
            headers,
            body: body_file,
        });
    }

    let index = match responses.iter().position(|r| r.status == status) {
        Some(index) => index,
        None => {
            responses.insert(
                0,
                ResponseFile {
                    status,
                    name: None,
                    description: status_text,
                    type_name: None,
                    json: None,
                    xml: None,
                    xml_names: None,
                    xml_literals: None,
                    example: None,
                },
            );
            0
        }
    };
    // The sampled response is served by default.
    let mut sampled = responses.remove(index);
    // The reference's generator writes a `Response body:` line on every
    // page, and on pages that answer 204 it names a type (`TimeZoneData`)
    // the endpoint never returns: a status without a body has no type.
    sampled.type_name = response_type.filter(|_| status_has_body(status));
    if status_line.is_none() {
        sampled.example = Some(if status_has_body(status) {
            ExampleSource::Unknown
        } else {
            ExampleSource::NoData
        });
    }
    if let Some(json) = json.filter(|j| j != "null") {
        let file = format!("{prefix}/response-{status}.json");
        fixtures.push((file.clone(), format!("{json}\n")));
        sampled.json = Some(file);
    }
    responses.insert(0, sampled);

    Ok(Imported {
        api,
        id,
        spec: EndpointFile {
            method,
            path: path.split('?').next().unwrap_or(&path).to_string(),
            summary,
            auth,
            parameters,
            request,
            responses,
            source: Some(page.name.clone()),
        },
        fixtures,
        page: page.name.clone(),
        warnings: Vec::new(),
    })
}

/// Whether HTTP lets a response with `status` carry a body.
fn status_has_body(status: u16) -> bool {
    !matches!(status, 100..=199 | 204 | 205 | 304)
}

/// A path part's schema: an `Enum: A, B` part takes its members, by name.
fn path_schema(doc_type: &str) -> Value {
    if let Some(members) = enum_members(doc_type) {
        return serde_json::json!({"type": "string", "enum": members});
    }
    match superoffice_schema(doc_type, false)
        .get("type")
        .and_then(Value::as_str)
    {
        Some("integer") => {
            let mut schema = serde_json::json!({"type": "integer"});
            if let Some(format) = ["int32", "int64"]
                .iter()
                .find(|f| doc_type.eq_ignore_ascii_case(f))
            {
                schema["format"] = Value::String((*format).to_string());
            }
            schema
        }
        Some("number") => serde_json::json!({"type": "number"}),
        _ => serde_json::json!({"type": "string"}),
    }
}

fn typed_example(text: &str, schema: Option<&Value>) -> Value {
    let mut value = Value::String(text.to_string());
    if let Some(schema) = schema {
        crate::answer::body::coerce(&mut value, schema);
    }
    value
}

/// A query string example: the WebAPI reads a list parameter as one
/// comma-separated value (`secondaryTicketIds=670,272`), so the example of
/// a list is its items.
fn query_example(text: &str, schema: Option<&Value>) -> Value {
    let is_list = schema
        .and_then(|s| s.get("type"))
        .is_some_and(|t| t == "array" || t.as_array().is_some_and(|a| a.contains(&"array".into())));
    if !is_list {
        return typed_example(text, schema);
    }
    let items = schema.and_then(|s| s.get("items"));
    Value::Array(
        text.split(',')
            .map(|item| typed_example(item.trim(), items))
            .collect(),
    )
}

/// The query string text of `example`: a list is sent the way the page
/// shows it, its items separated by commas.
fn query_text(example: &Value) -> String {
    let text = |value: &Value| match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    let encode =
        |value: &Value| form_urlencoded::byte_serialize(text(value).as_bytes()).collect::<String>();
    match example {
        Value::Array(items) => items.iter().map(encode).collect::<Vec<_>>().join(","),
        other => encode(other),
    }
}

/// `Name: value` lines from `from`, skipping code fences; returns them and
/// the index after the last.
fn header_lines(page: &Page, from: usize, end: usize) -> (Map<String, Value>, usize) {
    let mut headers = Map::new();
    let mut i = from;
    while i < end {
        let line = page.lines[i].trim();
        if is_fence(line) {
            i += 1;
            continue;
        }
        match line.split_once(':') {
            Some((name, value))
                if !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
            {
                headers.insert(name.to_string(), Value::String(value.trim().to_string()));
                i += 1;
            }
            _ => break,
        }
    }
    (headers, i)
}

/// Path parameter examples: the sample line's own value, else the
/// `<Resource>Id` of the request body (the entity the request saves) or of
/// the response body (the entity it returns), else 1.
fn fill_path_examples(
    parameters: &mut [ParameterFile],
    template: &str,
    target: &str,
    entities: [Option<&Value>; 2],
) {
    let template: Vec<&str> = template
        .split('?')
        .next()
        .unwrap_or(template)
        .split('/')
        .collect();
    let concrete: Vec<&str> = target
        .split('?')
        .next()
        .unwrap_or(target)
        .split('/')
        .collect();
    for (position, segment) in template.iter().enumerate() {
        let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
            continue;
        };
        let Some(parameter) = parameters
            .iter_mut()
            .find(|p| p.location == Location::Path && p.name.eq_ignore_ascii_case(name))
        else {
            continue;
        };
        if parameter.example.is_some() {
            continue;
        }
        let shown = concrete
            .get(position)
            .filter(|v| !v.starts_with('{'))
            .map(|v| v.to_string());
        let resource = template[..position]
            .iter()
            .rev()
            .find(|s| !s.starts_with('{') && !s.is_empty())
            .copied()
            .unwrap_or("");
        let key = format!("{resource}Id");
        let from_body = entities
            .iter()
            .flatten()
            .filter_map(|entity| entity.as_object())
            .find_map(|entity| {
                entity
                    .iter()
                    .find(|(name, value)| name.eq_ignore_ascii_case(&key) && !value.is_null())
                    .map(|(_, value)| value.clone())
            });
        let is_number = matches!(
            parameter
                .schema
                .as_ref()
                .and_then(|s| s.get("type"))
                .and_then(Value::as_str),
            Some("integer" | "number")
        );
        if let Some(text) = shown {
            parameter.example = Some(typed_example(&text, parameter.schema.as_ref()));
            continue;
        }
        // The body's `<Resource>Id` is an example only of its own kind: the
        // number 231 is no example of a string part, sent as `231` it is a
        // request the vendor's typed route `{id:int}` would take instead.
        let from_body = from_body.filter(|value| {
            if is_number {
                value.is_number()
            } else {
                value.is_string()
            }
        });
        parameter.example = Some(if is_number {
            from_body.unwrap_or_else(|| Value::from(1))
        } else {
            let first_member = parameter.doc_type.as_deref().and_then(first_enum_member);
            let described = described_example(&parameter.description);
            let named = entities
                .iter()
                .flatten()
                .find_map(|entity| string_member(entity, &parameter.name));
            match (first_member.or(described), named, from_body) {
                (Some(text), _, _) => Value::String(text.to_string()),
                (None, Some(text), _) => Value::String(text),
                (None, None, Some(value)) => value,
                // Nothing on the page names a value: the part's own name,
                // which no integer route could take for an id.
                (None, None, None) => Value::String(parameter.name.clone()),
            }
        });
    }
}

/// The first non-empty string member named `name` (in any case) of
/// `value`, looked for at every depth: the sample of a device list names
/// the `DeviceIdentifier` that a `{deviceIdentifier}` part takes.
fn string_member(value: &Value, name: &str) -> Option<String> {
    match value {
        Value::Object(members) => members
            .iter()
            .find_map(|(key, member)| {
                member
                    .as_str()
                    .filter(|text| key.eq_ignore_ascii_case(name) && !text.is_empty())
                    .map(str::to_string)
            })
            .or_else(|| members.values().find_map(|m| string_member(m, name))),
        Value::Array(items) => items.iter().find_map(|item| string_member(item, name)),
        _ => None,
    }
}

/// The first value a path part's description offers, `(e.g. 'STORE' or
/// 'EMARKETING')` → `STORE`: the only value the page names for a string
/// part its sample line leaves as `{purpose}`, and one the vendor's server
/// knows, where a made-up `1` names nothing. Quoted or a bare word; a value
/// that could not stand in one path segment (a space, a slash) is none.
fn described_example(description: &str) -> Option<&str> {
    let lower = description.to_ascii_lowercase();
    let at = lower.find("e.g.")?;
    let rest = description[at + "e.g.".len()..]
        .trim_start_matches(':')
        .trim_start();
    let value = match rest.chars().next()? {
        quote @ ('\'' | '"' | '`') => {
            let inner = &rest[1..];
            &inner[..inner.find(quote)?]
        }
        _ => rest
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | ')' | ';'))
            .next()
            .unwrap_or("")
            .trim_end_matches('.'),
    };
    (!value.is_empty() && !value.contains(|c: char| c.is_whitespace() || c == '/')).then_some(value)
}

/// The first member of an `Enum: Unknown, New, Started` type: the value a
/// path left as `{state}` in the sample line is filled with, since the
/// enumeration's members are the only values the page documents for it.
fn first_enum_member(doc_type: &str) -> Option<&str> {
    enum_members(doc_type)?.into_iter().next()
}

/// The members of an `Enum: Unknown, New, Started` type.
fn enum_members(doc_type: &str) -> Option<Vec<&str>> {
    let (head, members) = doc_type.trim().split_once(':')?;
    if !head.trim().eq_ignore_ascii_case("enum") {
        return None;
    }
    let members: Vec<&str> = members
        .split(',')
        .map(str::trim)
        .filter(|member| !member.is_empty())
        .collect();
    (!members.is_empty()).then_some(members)
}

/// The sample line's target with `{name}` filled from the examples.
fn concrete_target(target: &str, parameters: &[ParameterFile]) -> String {
    let mut target = target.to_string();
    for parameter in parameters.iter().filter(|p| p.location == Location::Path) {
        let value = match &parameter.example {
            Some(Value::String(s)) => super::text::encode_segment(s),
            Some(other) => other.to_string(),
            None => continue,
        };
        target = target.replace(&format!("{{{}}}", parameter.name), &value);
    }
    target
}

/// The sample target with every required query parameter the sample line
/// leaves out appended with its example. Agent pages show the required
/// `?contactId=555` only in the list of example query strings, and their
/// sample request line without it; sent as shown, the example request would
/// break the page's own contract.
fn with_required_query(target: &str, parameters: &[ParameterFile]) -> String {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let present: Vec<String> = form_urlencoded::parse(query.as_bytes())
        .map(|(name, _)| name.to_ascii_lowercase())
        .collect();
    let added: Vec<String> = parameters
        .iter()
        .filter(|p| p.location == Location::Query && p.required)
        .filter(|p| !present.contains(&p.name.to_ascii_lowercase()))
        .filter_map(|p| {
            let name: String = form_urlencoded::byte_serialize(p.name.as_bytes()).collect();
            Some(format!("{name}={}", query_text(p.example.as_ref()?)))
        })
        .collect();
    if added.is_empty() {
        return target.to_string();
    }
    let added = added.join("&");
    if query.is_empty() {
        format!("{path}?{added}")
    } else {
        format!("{path}?{query}&{added}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_part_takes_the_first_value_its_description_offers() {
        let offered = "The key of the purpose to check. (e.g. 'STORE' or 'EMARKETING')";
        assert_eq!(described_example(offered), Some("STORE"));
        assert_eq!(described_example("A name, e.g.: \"Main\""), Some("Main"));
        assert_eq!(
            described_example("A list (e.g. contint) to read"),
            Some("contint")
        );
        assert_eq!(described_example("e.g. 'two words'"), None);
        assert_eq!(described_example("The list name"), None);
    }

    #[test]
    fn only_an_enum_type_has_a_first_member() {
        assert_eq!(
            first_enum_member("Enum: Unknown, New, All"),
            Some("Unknown")
        );
        assert_eq!(first_enum_member("enum:Slim"), Some("Slim"));
        assert_eq!(first_enum_member("Enum: "), None);
        assert_eq!(first_enum_member("string"), None);
        assert_eq!(first_enum_member("Note: one, two"), None);
    }

    #[test]
    fn a_table_without_cell_bars_ends_at_the_next_tables_header() {
        let header = barless_head("Path Part Type Description").expect("a header");
        assert_eq!(header, ["Path Part", "Type", "Description"]);
        assert_eq!(
            barless_row("id int32 The id. Required", &header),
            Some(vec![
                "id".to_string(),
                "int32".to_string(),
                "The id. Required".to_string()
            ])
        );
        assert_eq!(barless_row("Property Name Type Description", &header), None);
        assert_eq!(barless_row("Parameter Name Description", &header), None);
    }
}
