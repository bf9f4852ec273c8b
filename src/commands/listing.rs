//! Human-readable listings of what a mock serves: the `routes` table and the
//! startup listing with a ready-to-paste curl line per route, or, when
//! there are more routes than a screen shows, a summary per API.

use std::fmt::Write;

use http::Method;

use crate::answer::pipeline::Mock;
use crate::answer::validate::{example_credential, has_credential};
use crate::contract::catalog::Endpoint;
use crate::contract::spec::ExampleSource;

/// With this many mounted routes or fewer, `serve` and `routes` list every
/// one (two screens of curl lines at most); above it they print one line
/// per API, and `--verbose` lists them all.
pub const FULL_LIST_LIMIT: usize = 40;

/// Whether `mock` mounts few enough routes to list them all unasked.
pub fn lists_every_route(mock: &Mock) -> bool {
    mock.router().routes().len() <= FULL_LIST_LIMIT
}

/// The methods counted in the summary, in its column order; any other
/// method counts under `OTHER`.
const SUMMARY_METHODS: [Method; 5] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
];

/// One line per mounted API: its name, where it is mounted, how many
/// routes it has (in all and per method, for the methods some API has)
/// and its title, under a line that counts them and then says `hint`: how
/// to see each route. Every line is indented by `indent` spaces.
pub fn summary(mock: &Mock, hint: &str, indent: usize) -> String {
    let catalog = mock.catalog();
    let router = mock.router();
    let mut apis: Vec<usize> = router.routes().iter().map(|r| r.api).collect();
    apis.sort_unstable();
    apis.dedup();
    // Per API: its routes per summary method, then the other methods.
    let counts: Vec<Vec<usize>> = apis
        .iter()
        .map(|&api| {
            let methods = router
                .routes()
                .iter()
                .filter(|r| r.api == api)
                .map(|r| &r.method);
            let mut count = vec![0; SUMMARY_METHODS.len() + 1];
            for method in methods {
                let column = SUMMARY_METHODS
                    .iter()
                    .position(|m| m == method)
                    .unwrap_or(SUMMARY_METHODS.len());
                count[column] += 1;
            }
            count
        })
        .collect();
    let shown: Vec<usize> = (0..=SUMMARY_METHODS.len())
        .filter(|&column| counts.iter().any(|count| count[column] > 0))
        .collect();
    let mut header: Vec<String> = vec!["API".into(), "PREFIX".into(), "ROUTES".into()];
    header.extend(
        shown
            .iter()
            .map(|&column| match SUMMARY_METHODS.get(column) {
                Some(method) => method.to_string(),
                None => "OTHER".into(),
            }),
    );
    header.push("TITLE".into());
    let mut rows = vec![header];
    for (&api, count) in apis.iter().zip(&counts) {
        let prefix = router.prefix_of(api).unwrap_or("");
        let mut row = vec![
            catalog.apis[api].name.clone(),
            if prefix.is_empty() { "/" } else { prefix }.to_string(),
            count.iter().sum::<usize>().to_string(),
        ];
        row.extend(shown.iter().map(|&column| count[column].to_string()));
        row.push(catalog.apis[api].title.clone());
        rows.push(row);
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut out = format!(
        "{:indent$}{} in {}; {hint}\n",
        "",
        plural(router.routes().len(), "route"),
        plural(apis.len(), "API"),
    );
    out.push_str(&columns(&rows, indent));
    out.push_str(&tenant_note(mock, indent));
    out
}

/// One line per API that takes a tenant segment, saying so with an example
/// path; empty when none does. Listings end with it, so that a user whose
/// client's URLs carry a tenant sees they work.
pub fn tenant_note(mock: &Mock, indent: usize) -> String {
    let router = mock.router();
    let mut out = String::new();
    for prefix in router.tenant_prefixes() {
        let Some(route) = router
            .routes()
            .iter()
            .find(|r| router.prefix_of(r.api) == Some(prefix))
        else {
            continue;
        };
        let below = route.template.get(prefix.len()..).unwrap_or_default();
        let _ = writeln!(
            out,
            "{:indent$}tenant paths are accepted: {prefix}/{{tenant}}/… answers as {prefix}/… \
             (e.g. {} {prefix}/Cust12345{below})",
            "", route.method,
        );
    }
    out
}

/// `rows` (a header, then data) as columns, each line indented by
/// `indent` spaces, trailing blanks trimmed; a column of counts is
/// right-aligned, header included.
fn columns(rows: &[Vec<String>], indent: usize) -> String {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        widths.resize(widths.len().max(row.len()), 0);
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let numeric: Vec<bool> = (0..widths.len())
        .map(|i| {
            rows.len() > 1
                && rows[1..].iter().all(|row| {
                    row.get(i)
                        .is_some_and(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit()))
                })
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = " ".repeat(indent);
        for (i, (cell, width)) in row.iter().zip(&widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            if numeric[i] {
                let _ = write!(line, "{cell:>width$}");
            } else {
                let _ = write!(line, "{cell:width$}");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Bodies up to this size are inlined in curl lines; larger ones are sent
/// from their fixture file.
const INLINE_BODY_LIMIT: usize = 200;

/// The mark of a route whose responses include one no page documents
/// (`[no example: no-data]`), naming where each such body comes from as
/// the spec says it; `None` when every response is documented.
pub fn example_mark(endpoint: &Endpoint) -> Option<String> {
    let sources: Vec<&str> = endpoint
        .responses
        .iter()
        .filter_map(|r| r.example.as_ref())
        .map(ExampleSource::from_word)
        .collect();
    (!sources.is_empty()).then(|| format!("[no example: {}]", sources.join(", ")))
}

/// One line per mounted route: method, mounted path, endpoint id, source
/// page, and the [`example_mark`] of a route that has one.
pub fn routes_table(mock: &Mock) -> String {
    let catalog = mock.catalog();
    let rows: Vec<[String; 4]> = mock
        .router()
        .routes()
        .iter()
        .map(|route| {
            let endpoint = &catalog.endpoints[route.endpoint];
            let source = endpoint.source.clone().unwrap_or_else(|| "-".into());
            [
                route.method.to_string(),
                route.template.clone(),
                endpoint.id.clone(),
                match example_mark(endpoint) {
                    Some(mark) => format!("{source}  {mark}"),
                    None => source,
                },
            ]
        })
        .collect();
    let header = [
        "METHOD".to_string(),
        "PATH".into(),
        "ENDPOINT".into(),
        "SOURCE".into(),
    ];
    let mut widths = [0usize; 4];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let line = format!(
            "{:w0$}  {:w1$}  {:w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str(&tenant_note(mock, 0));
    out
}

/// Every mounted route with a curl line that sends its documented example
/// request to `base`.
pub fn startup_listing(mock: &Mock, base: &str) -> String {
    let catalog = mock.catalog();
    let mut out = String::new();
    for route in mock.router().routes() {
        let endpoint = &catalog.endpoints[route.endpoint];
        let prefix = mock.router().prefix_of(route.api).unwrap_or("");
        let mark = example_mark(endpoint)
            .map(|mark| format!("  {mark}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:6} {}  ({}){mark}",
            route.method.as_str(),
            route.template,
            endpoint.id
        );
        let credential = endpoint
            .request
            .as_ref()
            .filter(|_| endpoint.auth_required)
            .filter(|r| {
                !has_credential(
                    catalog.api_of(endpoint),
                    r.headers.iter().map(|(n, _)| n.as_str()),
                )
            })
            .and_then(|_| {
                example_credential(catalog.api_of(endpoint), mock.policy().token.as_deref())
            });
        let _ = writeln!(
            out,
            "         {}",
            curl_line(endpoint, base, prefix, credential.as_ref())
        );
    }
    out.push_str(&tenant_note(mock, 2));
    out
}

/// The documented example request of `endpoint` as a curl command.
/// `credential` is added when the documented example shows none but the
/// endpoint requires one.
pub fn curl_line(
    endpoint: &Endpoint,
    base: &str,
    prefix: &str,
    credential: Option<&(String, String)>,
) -> String {
    let target = endpoint.example_target();
    let mut words = vec!["curl".to_string(), "-i".to_string()];
    match endpoint.method.as_str() {
        "GET" => {}
        "HEAD" => words.push("-I".into()),
        method => {
            words.push("-X".into());
            words.push(method.into());
        }
    }
    words.push(quote(&format!("{base}{prefix}{target}")));
    if let Some(request) = &endpoint.request {
        for (name, value) in &request.headers {
            if name.eq_ignore_ascii_case("host") || name.eq_ignore_ascii_case("content-length") {
                continue;
            }
            words.push("-H".into());
            words.push(quote(&format!("{name}: {value}")));
        }
        if let Some((name, value)) = credential {
            words.push("-H".into());
            words.push(quote(&format!("{name}: {value}")));
        }
        match (&request.body, &request.body_file) {
            (Some(body), _) if body.len() <= INLINE_BODY_LIMIT => {
                let text = String::from_utf8_lossy(body);
                let compact = serde_json::from_str::<serde_json::Value>(&text)
                    .map(|v| v.to_string())
                    .unwrap_or_else(|_| text.trim().to_string());
                words.push("--data".into());
                words.push(quote(&compact));
            }
            (Some(_), Some(file)) => {
                words.push("--data-binary".into());
                words.push(quote(&format!("@{}", file.display())));
            }
            _ => {}
        }
    }
    words.join(" ")
}

fn quote(word: &str) -> String {
    shlex::try_quote(word)
        .map(|q| q.into_owned())
        .unwrap_or_else(|_| format!("'{}'", word.replace('\'', "'\\''")))
}
