//! The admin API under `/__docmock/`: health, the mounted routes, the
//! request journal, and a small page that shows both live.

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
        (&Method::OPTIONS, "" | "/health" | "/routes" | "/requests") => {
            let mut response = http::Response::new(Bytes::new());
            *response.status_mut() = StatusCode::NO_CONTENT;
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allowed(rest)));
            response
        }
        (_, "" | "/health" | "/routes" | "/requests") => {
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
                "resources": ["/__docmock/", "/__docmock/health", "/__docmock/routes", "/__docmock/requests"],
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

/// The admin page: the routes and the live request journal.
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
</style>
</head>
<body>
<h1>docmock</h1>
<p class="lead">Mock server generated from vendor API documentation. <span id="health">…</span></p>
<h2>Requests <button id="clear" type="button">Clear</button></h2>
<table id="requests"><thead><tr><th>#</th><th>Method</th><th>Path</th><th>Status</th><th>Verdict</th><th>Endpoint</th><th>Time</th></tr></thead><tbody></tbody></table>
<h2>Routes</h2>
<table id="routes"><thead><tr><th>Method</th><th>Path</th><th>Endpoint</th><th>Source page</th></tr></thead><tbody></tbody></table>
<script>
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
async function routes() {
  const list = await (await fetch("/__docmock/routes")).json();
  const body = document.querySelector("#routes tbody");
  body.replaceChildren(...list.map(r => row([r.method, r.path, r.endpoint, r.source || "-"], ["method", "", "", ""])));
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
