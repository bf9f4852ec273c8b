//! The admin API under `/__docmock/`: health, the mounted routes, the
//! request journal, and a small page that shows both live.
//!
//! The page stays quick with thousands of routes: it loads them once, from
//! `apis` (grouped by API, one short array per route: about 100 bytes
//! each), renders an API's rows only when its group is opened or the
//! filter box matches them, and at most 300 per API; only the journal is
//! polled.

use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode, header};
use serde_json::{Value, json};

use crate::answer::pipeline::Mock;
use crate::serve::journal::Journal;

/// The prefix every admin path starts with.
pub const PREFIX: &str = "/__docmock";

/// How many journal entries `requests` returns unless `?limit=` says.
const DEFAULT_LIMIT: usize = 100;

/// What the admin API reads and clears, passed down by the server so that
/// this module depends on the two things it shows, not on the server.
#[derive(Clone, Copy)]
pub struct Context<'s> {
    /// The mock being served now.
    pub mock: &'s Mock,
    /// The request journal.
    pub journal: &'s Journal,
}

/// Answers an admin request.
pub fn handle(
    context: Context<'_>,
    method: &Method,
    path: &str,
    query: Option<&str>,
) -> http::Response<Bytes> {
    // Repeated and trailing slashes are read away, as the mock's own routes
    // read them: `/__docmock//requests/` is `/requests`.
    let rest: String = path
        .strip_prefix(PREFIX)
        .unwrap_or(path)
        .split('/')
        .filter(|s| !s.is_empty())
        .flat_map(|s| ["/", s])
        .collect();
    let rest = rest.as_str();
    match (method, rest) {
        (&Method::GET | &Method::HEAD, "") => html(PAGE),
        (&Method::GET | &Method::HEAD, "/health") => {
            let mock = context.mock;
            json_reply(
                StatusCode::OK,
                &json!({
                    "status": "ok",
                    "apis": mock.catalog().apis.len(),
                    "endpoints": mock.catalog().endpoints.len(),
                }),
            )
        }
        (&Method::GET | &Method::HEAD, "/routes") => {
            json_reply(StatusCode::OK, &routes(context.mock))
        }
        (&Method::GET | &Method::HEAD, "/apis") => compact_json_reply(&apis(context.mock)),
        (&Method::GET | &Method::HEAD, "/requests") => {
            let limit = match limit(query) {
                Ok(limit) => limit,
                Err(message) => {
                    return json_reply(StatusCode::BAD_REQUEST, &json!({"error": message}));
                }
            };
            let entries = context.journal.recent(limit);
            json_reply(
                StatusCode::OK,
                &serde_json::to_value(entries).unwrap_or(Value::Null),
            )
        }
        (&Method::DELETE, "/requests") => {
            context.journal.clear();
            let mut response = http::Response::new(Bytes::new());
            *response.status_mut() = StatusCode::NO_CONTENT;
            response
        }
        (&Method::OPTIONS, "" | "/health" | "/routes" | "/apis" | "/requests") => {
            let mut response = http::Response::new(Bytes::new());
            *response.status_mut() = StatusCode::NO_CONTENT;
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allowed(rest)));
            response
        }
        (_, "" | "/health" | "/routes" | "/apis" | "/requests") => {
            let mut response = json_reply(
                StatusCode::METHOD_NOT_ALLOWED,
                &json!({"error": format!("{method} is not supported on {path}")}),
            );
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allowed(rest)));
            response
        }
        _ => json_reply(
            StatusCode::NOT_FOUND,
            &json!({
                "error": format!("no admin resource at {path}"),
                "resources": ["/__docmock/", "/__docmock/health", "/__docmock/routes", "/__docmock/apis", "/__docmock/requests"],
            }),
        ),
    }
}

/// The methods an admin resource answers.
fn allowed(resource: &str) -> &'static str {
    if resource == "/requests" {
        "GET, HEAD, DELETE, OPTIONS"
    } else {
        "GET, HEAD, OPTIONS"
    }
}

/// How many journal entries `?limit=` asks for: the default when absent, as
/// many as there are when it is larger than any journal, and an error that
/// says what to send when it is not a count.
fn limit(query: Option<&str>) -> Result<usize, String> {
    let Some(value) = query.and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k.eq_ignore_ascii_case("limit"))
            .map(|(_, v)| v.into_owned())
    }) else {
        return Ok(DEFAULT_LIMIT);
    };
    let digits = value.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "limit must be a number of entries (0 or more), got {value:?}; for example ?limit=20"
        ));
    }
    Ok(digits.parse().unwrap_or(usize::MAX))
}

fn routes(mock: &Mock) -> Value {
    let catalog = mock.catalog();
    let routes: Vec<Value> = mock
        .router()
        .routes()
        .iter()
        .map(|route| {
            let endpoint = &catalog.endpoints[route.endpoint];
            json!({
                "method": route.method.as_str(),
                "path": route.template,
                "endpoint": endpoint.id,
                "api": catalog.apis[route.api].name,
                "summary": endpoint.summary,
                "auth": endpoint.auth_required,
                "source": endpoint.source,
                "statuses": endpoint.responses.iter().map(|r| r.status).collect::<Vec<_>>(),
            })
        })
        .collect();
    Value::Array(routes)
}

/// Every mounted API with its routes, for the admin page: name, title,
/// mount prefix and one array per route, `[method, path below the prefix,
/// endpoint id within the API, source page or null]`, so that thousands of
/// routes stay a few hundred kilobytes.
fn apis(mock: &Mock) -> Value {
    let catalog = mock.catalog();
    let router = mock.router();
    let mut grouped: Vec<(usize, Vec<Value>)> = Vec::new();
    for route in router.routes() {
        let endpoint = &catalog.endpoints[route.endpoint];
        let api = &catalog.apis[route.api];
        let id = endpoint
            .id
            .strip_prefix(api.name.as_str())
            .and_then(|rest| rest.strip_prefix('/'))
            .unwrap_or(&endpoint.id);
        let row = json!([
            route.method.as_str(),
            endpoint.path.raw,
            id,
            endpoint.source
        ]);
        match grouped.iter_mut().find(|(i, _)| *i == route.api) {
            Some((_, rows)) => rows.push(row),
            None => grouped.push((route.api, vec![row])),
        }
    }
    grouped.sort_by_key(|(api, _)| *api);
    Value::Array(
        grouped
            .into_iter()
            .map(|(i, rows)| {
                let api = &catalog.apis[i];
                json!({
                    "name": api.name,
                    "title": api.title,
                    "prefix": router.prefix_of(i).unwrap_or(""),
                    "routes": rows,
                })
            })
            .collect(),
    )
}

/// A JSON answer without indentation, for data only a script reads.
fn compact_json_reply(value: &Value) -> http::Response<Bytes> {
    let mut response = json_reply(StatusCode::OK, &Value::Null);
    let mut body = serde_json::to_vec(value).unwrap_or_default();
    body.push(b'\n');
    *response.body_mut() = Bytes::from(body);
    response
}

fn json_reply(status: StatusCode, value: &Value) -> http::Response<Bytes> {
    let mut body = serde_json::to_vec_pretty(value).unwrap_or_default();
    body.push(b'\n');
    let mut response = http::Response::new(Bytes::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn html(page: &'static str) -> http::Response<Bytes> {
    let mut response = http::Response::new(Bytes::from_static(page.as_bytes()));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// The admin page: the routes grouped by API with a filter box, and the
/// live request journal. `?filter=TEXT` fills the filter box, so that a
/// filtered view can be linked.
const PAGE: &str = r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>docmock</title>
<link rel="icon" href="data:,">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d232a; }
  h1 { font-size: 1.4rem; margin: 0 0 .2rem; }
  h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
  p.lead { color: #58606a; margin: 0; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #e3e6ea; vertical-align: top; }
  th { background: #f4f6f8; font-weight: 600; }
  code { font: 13px ui-monospace, monospace; }
  .method { font-weight: 700; }
  .valid { color: #13795b; } .invalid, .unmatched { color: #b3261e; }
  .replayed { color: #9a6700; } .fault { color: #6f42c1; }
  .violations { color: #58606a; font-size: 12px; }
  button { font: inherit; padding: .2rem .7rem; }
  #filter { font: 400 14px system-ui, sans-serif; padding: .25rem .5rem; width: 24rem; max-width: 60%; margin-left: .5rem; }
  .api { margin: .4rem 0; border: 1px solid #e3e6ea; border-radius: 4px; }
  .api > summary { cursor: pointer; padding: .4rem .6rem; background: #f4f6f8; }
  .api > summary .counts { color: #58606a; }
  .api > table { margin: 0; }
  .more { color: #58606a; padding: .3rem .6rem; }
  .more:empty { display: none; }
  .muted { color: #58606a; font-weight: 400; font-size: 14px; }
</style>
</head>
<body>
<h1>docmock</h1>
<p class="lead">Mock server generated from vendor API documentation. <span id="health">…</span></p>
<h2>Requests <button id="clear" type="button">Clear</button></h2>
<table id="requests"><thead><tr><th>#</th><th>Method</th><th>Path</th><th>Status</th><th>Verdict</th><th>Endpoint</th><th>Time</th></tr></thead><tbody></tbody></table>
<h2>Routes <input id="filter" type="search" placeholder="Filter: method, path, endpoint or page" autocomplete="off" aria-label="Filter routes"> <span id="matched" class="muted"></span></h2>
<div id="apis"></div>
<script>
// With --admin-token or --token, the admin API wants the token as
// `Authorization: Bearer TOKEN`. The page takes it once, from its address
// (/__docmock/#token=TOKEN, then cleared from the address bar) or by asking
// on the first 401, keeps it for this tab only, and sends it with every
// request it makes.
const TOKEN_KEY = "docmock-admin-token";
const sent = new URLSearchParams(location.hash.slice(1)).get("token");
if (sent) {
  sessionStorage.setItem(TOKEN_KEY, sent);
  history.replaceState(null, "", location.pathname + location.search);
}
const plainFetch = window.fetch.bind(window);
let askedForToken = false;
window.fetch = async (url, options = {}) => {
  const send = () => {
    const headers = new Headers(options.headers);
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.set("Authorization", "Bearer " + token);
    return plainFetch(url, { ...options, headers });
  };
  let reply = await send();
  if (reply.status === 401 && !askedForToken) {
    askedForToken = true;
    const token = prompt("This docmock's admin API needs its token (--admin-token, or --token):");
    if (token) {
      sessionStorage.setItem(TOKEN_KEY, token.trim());
      reply = await send();
    }
  }
  return reply;
};
// Rows rendered per API at most (the filter narrows the rest); with this
// many routes or fewer in all, every group opens at once.
const ROWS = 300;
const text = (value) => document.createTextNode(value == null ? "" : String(value));
function row(cells, classes) {
  const tr = document.createElement("tr");
  cells.forEach((cell, i) => {
    const td = document.createElement("td");
    if (classes && classes[i]) td.className = classes[i];
    if (cell instanceof Node) td.appendChild(cell); else td.appendChild(text(cell));
    tr.appendChild(td);
  });
  return tr;
}
function element(name, className, ...children) {
  const node = document.createElement(name);
  if (className) node.className = className;
  node.append(...children);
  return node;
}
// Every API's routes, loaded once; each group's rows are built when it is
// opened or the filter changes, ROWS at most.
let groups = [];
let filter = "";
function terms() { return filter.toLowerCase().split(/\s+/).filter(Boolean); }
function render(group) {
  const wanted = terms();
  const found = [];
  group.haystack.forEach((line, i) => { if (wanted.every(t => line.includes(t))) found.push(i); });
  group.rendered = filter;
  group.body.replaceChildren(...found.slice(0, ROWS).map(i => {
    const [method, path, id, source] = group.api.routes[i];
    return row([method, group.api.prefix + path, group.api.name + "/" + id, source || "-"], ["method", "", "", ""]);
  }));
  group.more.textContent = found.length > ROWS
    ? `${found.length - ROWS} more not shown: narrow the filter to see them` : "";
  return found.length;
}
function applyFilter() {
  const filtering = terms().length > 0;
  let matched = 0, total = 0;
  for (const group of groups) {
    total += group.api.routes.length;
    if (!filtering) {
      group.details.hidden = false;
      group.details.open = group.opensAtOnce;
      group.count.textContent = "";
      if (group.details.open) render(group); else group.body.replaceChildren();
      continue;
    }
    const found = render(group);
    matched += found;
    group.details.hidden = found === 0;
    group.details.open = found > 0;
    group.count.textContent = ` · ${found} matching`;
  }
  document.getElementById("matched").textContent = filtering ? `${matched} of ${total} match` : "";
}
async function routes() {
  const apis = await (await fetch("/__docmock/apis")).json();
  const total = apis.reduce((n, api) => n + api.routes.length, 0);
  groups = apis.map(api => {
    const perMethod = {};
    api.routes.forEach(r => { perMethod[r[0]] = (perMethod[r[0]] || 0) + 1; });
    const methods = Object.entries(perMethod).map(([m, n]) => `${m} ${n}`).join(", ");
    const count = element("span", "counts");
    const summary = element("summary", "",
      element("strong", "", api.name), text(` ${api.title} · ${api.prefix || "/"} · `),
      element("span", "counts", `${api.routes.length} routes (${methods})`), count);
    const body = document.createElement("tbody");
    const table = element("table", "",
      element("thead", "", row(["Method", "Path", "Endpoint", "Source page"])), body);
    const more = element("div", "more");
    const details = element("details", "api", summary, table, more);
    details.dataset.api = api.name;
    const group = {
      api, details, body, more, count, rendered: null, opensAtOnce: total <= ROWS,
      haystack: api.routes.map(([method, path, id, source]) =>
        `${method} ${api.prefix}${path} ${api.name}/${id} ${source || ""}`.toLowerCase()),
    };
    details.addEventListener("toggle", () => {
      if (details.open && group.rendered !== filter) render(group);
    });
    return group;
  });
  document.getElementById("apis").replaceChildren(...groups.map(g => g.details));
  applyFilter();
  const health = await (await fetch("/__docmock/health")).json();
  document.getElementById("health").textContent = `${health.endpoints} endpoints in ${health.apis} APIs.`;
}
async function requests() {
  const list = await (await fetch("/__docmock/requests?limit=50")).json();
  const body = document.querySelector("#requests tbody");
  body.replaceChildren(...list.map(e => {
    const verdict = document.createElement("div");
    verdict.appendChild(text(e.verdict));
    e.violations.forEach(v => {
      const line = document.createElement("div");
      line.className = "violations";
      line.appendChild(text(`${v.in} ${v.pointer || "/"}: expected ${v.expected}${v.got ? ", got " + v.got : ""}`));
      verdict.appendChild(line);
    });
    const path = e.query ? `${e.path}?${e.query}` : e.path;
    const endpoint = e.example ? `${e.endpoint} [no example: ${e.example.from}]` : (e.endpoint || "-");
    return row([e.id, e.method, path, e.status, verdict, endpoint, (e.micros / 1000).toFixed(1) + " ms"],
               ["", "method", "", "", e.verdict, "", ""]);
  }));
}
document.getElementById("clear").addEventListener("click", async () => {
  await fetch("/__docmock/requests", { method: "DELETE" });
  requests();
});
const box = document.getElementById("filter");
box.value = new URLSearchParams(location.search).get("filter") || "";
filter = box.value;
let typing;
box.addEventListener("input", () => {
  clearTimeout(typing);
  typing = setTimeout(() => { filter = box.value; applyFilter(); }, 120);
});
routes();
requests();
setInterval(requests, 1000);
</script>
</body>
</html>
"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_journal_limit_is_a_count_or_an_error_saying_so() {
        assert_eq!(limit(None), Ok(DEFAULT_LIMIT));
        assert_eq!(limit(Some("x=1")), Ok(DEFAULT_LIMIT));
        assert_eq!(limit(Some("limit=3")), Ok(3));
        assert_eq!(limit(Some("LIMIT=%203")), Ok(3));
        assert_eq!(limit(Some("limit=0")), Ok(0));
        assert_eq!(limit(Some("limit=99999999999999999999999")), Ok(usize::MAX));
        for bad in [
            "limit=abc",
            "limit=-1",
            "limit=",
            "limit",
            "limit=%ZZ",
            "limit=1.5",
        ] {
            let error = limit(Some(bad)).expect_err(bad);
            assert!(error.contains("limit must be"), "{bad}: {error}");
        }
    }
}
