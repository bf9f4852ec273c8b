//! One proxied exchange: the client's request read within the body limit
//! and checked, forwarded to the target, and the portal's answer handed
//! back unchanged (hop-by-hop headers aside) while a copy of up to the
//! body limit is kept to be checked once it has gone to the client.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Instant, SystemTime};

use bytes::{Bytes, BytesMut};
use http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use http_body_util::{Either, Full};
use hyper::body::{Body, Frame, Incoming, SizeHint};

use crate::answer::pipeline::Verdict;
use crate::answer::request::Request;
use crate::contract::dialect::Format;
use crate::contract::problem::Problem;
use crate::proxy::Proxy;
use crate::proxy::check::{self, RequestCheck};
use crate::proxy::exchange::Exchange;
use crate::serve::admin_gate::{AdminGate, Admission};
use crate::serve::connection::Activity;
use crate::serve::journal::Record;
use crate::serve::request_log::RequestLine;
use crate::verify::Finding;

/// The response header naming an exchange's findings, with
/// `--findings-header`: `type-change /response/0/id; missing-field
/// /response/title`, at most [`FINDINGS_HEADER_MAX`] bytes.
pub const FINDINGS_HEADER: HeaderName = HeaderName::from_static("docmock-findings");

/// The longest `Docmock-Findings` value; more findings end in `; …`.
pub const FINDINGS_HEADER_MAX: usize = 1024;

/// Answers of a known length up to this size (and within the body limit)
/// are read whole before they are answered: cheaper than a task and a
/// channel, and too small for the wait to matter. Larger ones stream.
pub const READ_WHOLE_BELOW: u64 = 256 * 1024;

/// One client connection, shared by the requests it carries.
pub struct Client {
    /// The proxy's shared state.
    pub proxy: Arc<Proxy>,
    /// The client's address, for the log.
    pub address: String,
    /// What the idle watchdog knows of the connection.
    pub activity: Arc<Activity>,
    /// The admin API's checks.
    pub gate: Arc<AdminGate>,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// An answer's body: whole when it was read before answering, or streamed
/// from the portal as it arrives.
pub type ProxyBody = Either<Full<Bytes>, Streamed>;

type Reply = http::Response<ProxyBody>;

/// Headers that belong to one connection, not to the message (RFC 9110
/// §7.6.1), and are never forwarded either way; `Host` is the target's.
const HOP_BY_HOP: [HeaderName; 8] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    HeaderName::from_static("proxy-connection"),
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
];

/// `headers` without the hop-by-hop ones, those the `Connection` header
/// names, `Upgrade`, and `skip`.
fn end_to_end(headers: &HeaderMap, skip: &[HeaderName]) -> HeaderMap {
    let named: Vec<String> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .filter(|name| !name.is_empty())
        .collect();
    let mut kept = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        if HOP_BY_HOP.contains(name)
            || name == header::UPGRADE
            || skip.contains(name)
            || named.iter().any(|n| n == name.as_str())
        {
            continue;
        }
        kept.append(name.clone(), value.clone());
    }
    kept
}

/// Answers one request: the admin API, or the portal's answer.
pub async fn respond(
    client: Arc<Client>,
    request: http::Request<Incoming>,
) -> Result<Reply, Infallible> {
    let in_flight = client.activity.begin();
    let started = Instant::now();
    let at = SystemTime::now();
    let proxy = &*client.proxy;
    let (parts, mut body) = request.into_parts();
    let path = parts.uri.path();
    if path == crate::serve::admin::PREFIX || path.starts_with("/__docmock/") {
        let request = Request::received(parts.method, parts.uri, parts.headers, Bytes::new());
        let response = admin(&client, &request).map(|b| Either::Left(Full::new(b)));
        crate::serve::server::discard_unread(&client.activity, body, &request.headers);
        return Ok(response);
    }
    let body_bytes = if body.is_end_stream() {
        Bytes::new()
    } else {
        match crate::serve::server::read_body(&mut body, proxy.settings.limits, started).await {
            Ok(bytes) => bytes,
            Err(problem) => {
                let request =
                    Request::received(parts.method, parts.uri, parts.headers, Bytes::new());
                // As serve does: the client that sends its whole body
                // before reading reads the 413, not a reset.
                if problem.status == 413
                    && !crate::serve::server::expects_continue(&request.headers)
                {
                    crate::serve::server::linger(&client.activity, body);
                }
                let mut response =
                    crate::serve::server::problem_for(&proxy.mock, &request, &problem);
                response
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
                let status = response.status().as_u16();
                let checked = RequestCheck {
                    endpoint: None,
                    verdict: Verdict::Invalid,
                    message: Some(problem.full_message()),
                    violations: problem.violations,
                    warnings: Vec::new(),
                };
                log(&client, &request, &checked, status, &[], started, "refused");
                drop(in_flight);
                return Ok(response.map(|b| Either::Left(Full::new(b))));
            }
        }
    };
    drop(body);
    // Only the path and query go on: a request naming another host
    // (absolute form) is still sent to the target, never there.
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .filter(|p| p.starts_with('/'));
    let request = Request::received(parts.method, parts.uri, parts.headers, body_bytes);
    let Some(path_and_query) = path_and_query else {
        let problem = Problem::new(
            400,
            "the proxy forwards requests for a path (`GET /api/...`) to --target only; CONNECT and `*` are not forwarded",
        );
        let response = crate::serve::server::problem_for(&proxy.mock, &request, &problem);
        return Ok(response.map(|b| Either::Left(Full::new(b))));
    };
    let mut checked = check::request(&proxy.mock, &request);
    crate::serve::redact::violations(&mut checked.violations, &mut checked.message);

    let url = format!("{}{path_and_query}", proxy.target);
    let method = request.method.clone();
    let forwarded = match proxy.client() {
        Ok(client) => client,
        Err(error) => {
            let problem = Problem::new(502, format!("the proxy cannot reach the portal: {error}"));
            let response = crate::serve::server::problem_for(&proxy.mock, &request, &problem);
            return Ok(response.map(|b| Either::Left(Full::new(b))));
        }
    };
    let forwarded = forwarded.request(method.clone(), &url).headers(end_to_end(
        &request.headers,
        // The body is read whole already, so the portal is not asked
        // to wait for it either.
        &[header::HOST, header::CONTENT_LENGTH, header::EXPECT],
    ));
    let forwarded =
        if request.body.is_empty() && !request.headers.contains_key(header::CONTENT_LENGTH) {
            forwarded
        } else {
            forwarded.body(request.body.clone())
        };
    let mut response = match forwarded.send().await {
        Ok(response) => response,
        Err(error) => {
            let reason = crate::verify::describe(&error, proxy.settings.timeout, false);
            let message = format!("the portal at {} did not answer: {reason}", proxy.target);
            proxy.tally.unreached(&message);
            let problem = Problem::new(502, message);
            let response = crate::serve::server::problem_for(&proxy.mock, &request, &problem);
            let status = response.status().as_u16();
            let unreached = vec![Finding {
                class: crate::verify::Class::ConnectionError,
                pointer: String::new(),
                message: problem.message.clone(),
            }];
            log(
                &client,
                &request,
                &checked,
                status,
                &unreached,
                started,
                "unreached",
            );
            drop(in_flight);
            return Ok(response.map(|b| Either::Left(Full::new(b))));
        }
    };
    let status = response.status();
    let headers = end_to_end(response.headers(), &[]);
    let max = proxy.settings.limits.max_body;
    let length = response.content_length();
    let done = Done {
        client: Arc::clone(&client),
        request,
        checked,
        path_and_query,
        url,
        at,
        started,
        status: status.as_u16(),
        headers: headers.clone(),
    };
    // A small body of known length is read whole before answering (see
    // [`READ_WHOLE_BELOW`]); so is any body that fits the limit when the
    // findings header must name what the body shows.
    let read_first = method == Method::HEAD
        || length.is_some_and(|n| n <= READ_WHOLE_BELOW.min(max as u64))
        || (proxy.settings.findings_header && length.is_none_or(|n| n <= max as u64));
    let mut kept = BytesMut::new();
    if read_first {
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    kept.extend_from_slice(&chunk);
                    if kept.len() > max {
                        break;
                    }
                }
                Ok(None) => {
                    let body = kept.freeze();
                    let findings = done.findings(Some(&body));
                    let mut reply = http::Response::new(Either::Left(Full::new(body.clone())));
                    *reply.status_mut() = status;
                    *reply.headers_mut() = headers;
                    if proxy.settings.findings_header {
                        findings_header(reply.headers_mut(), &findings);
                    }
                    done.finish(&findings, Some(body));
                    drop(in_flight);
                    return Ok(reply);
                }
                Err(error) => {
                    // The head came and the body broke off: the client
                    // gets what the portal sent, cut short too.
                    let reason = crate::verify::describe(&error, proxy.settings.timeout, true);
                    tracing::warn!("{} {}: {reason}", done.request.method, done.path_and_query);
                    let findings = done.findings(None);
                    let mut reply =
                        http::Response::new(Either::Right(Streamed::failed(kept.freeze(), reason)));
                    *reply.status_mut() = status;
                    *reply.headers_mut() = headers;
                    done.finish(&findings, None);
                    drop(in_flight);
                    return Ok(reply);
                }
            }
        }
    }
    // Streamed: the portal's chunks go to the client as they come, through
    // a small channel so that a slow client slows the reading down; the
    // copy kept for checking stops at the body limit.
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, BoxError>>(8);
    let prefix = kept.freeze();
    let mut reply = http::Response::new(Either::Right(Streamed {
        receiver,
        length,
        prefix: (!prefix.is_empty()).then(|| prefix.clone()),
    }));
    *reply.status_mut() = status;
    *reply.headers_mut() = headers;
    if proxy.settings.findings_header {
        let checked_only = check::contract_findings(&done.checked);
        let mut findings = checked_only;
        findings.push(Finding {
            class: crate::verify::Class::NotCompared,
            pointer: String::new(),
            message: "the answer streams before its body can be compared".into(),
        });
        findings_header(reply.headers_mut(), &findings);
    }
    drop(in_flight);
    let activity = Arc::clone(&client.activity);
    tokio::spawn(async move {
        let _busy = activity.begin();
        let mut copy = (prefix.len() <= max).then(|| BytesMut::from(&prefix[..]));
        let mut complete = false;
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if let Some(buffer) = &mut copy {
                        if buffer.len() + chunk.len() > max {
                            copy = None;
                        } else {
                            buffer.extend_from_slice(&chunk);
                        }
                    }
                    if sender.send(Ok(chunk)).await.is_err() {
                        // The client went away; dropping the answer ends
                        // the portal's connection too.
                        break;
                    }
                }
                Ok(None) => {
                    complete = true;
                    break;
                }
                Err(error) => {
                    let reason =
                        crate::verify::describe(&error, done.client.proxy.settings.timeout, true);
                    let _ = sender.send(Err(reason.into())).await;
                    break;
                }
            }
        }
        drop(sender);
        let body = copy.filter(|_| complete).map(BytesMut::freeze);
        let mut findings = done.findings(body.as_ref());
        if complete && body.is_none() {
            findings.push(Finding {
                class: crate::verify::Class::NotCompared,
                pointer: String::new(),
                message: format!(
                    "the answer is larger than {max} bytes (--max-body): passed through, its body not compared"
                ),
            });
        }
        done.finish(&findings, body);
    });
    Ok(reply)
}

/// What is left to do once the portal's answer has gone to the client.
struct Done {
    client: Arc<Client>,
    request: Request,
    checked: RequestCheck,
    path_and_query: String,
    url: String,
    at: SystemTime,
    started: Instant,
    status: u16,
    headers: HeaderMap,
}

impl Done {
    /// The exchange's findings: the request's contract violations, then
    /// the answer's drift (`body` is `None` when it was not kept whole).
    fn findings(&self, body: Option<&Bytes>) -> Vec<Finding> {
        let mut findings = check::contract_findings(&self.checked);
        if let Some(index) = self.checked.endpoint {
            let violated = self.checked.verdict == Verdict::Invalid;
            // The portal refusing a request that breaks the contract is
            // the documented behaviour, not drift.
            if !(violated && self.status >= 400) {
                findings.extend(check::answer(
                    &self.client.proxy.mock,
                    index,
                    &self.request,
                    self.status,
                    &self.headers,
                    body,
                    &self.url,
                ));
            }
        }
        findings
    }

    /// Tallies, journals and logs the exchange, and hands it to the sink.
    fn finish(self, findings: &[Finding], body: Option<Bytes>) {
        let proxy = &*self.client.proxy;
        match self.checked.endpoint {
            Some(index) => {
                let form = crate::verify::media_form(
                    crate::verify::content_types(&self.headers).as_deref(),
                )
                .unwrap_or(Format::Json);
                proxy.tally.documented(index, self.status, form, findings);
            }
            None => proxy
                .tally
                .undocumented(self.request.method.as_str(), self.request.path()),
        }
        let word = if findings
            .iter()
            .any(|f| f.class.is_failure() && f.class != crate::verify::Class::RequestContract)
        {
            "drift"
        } else {
            self.checked.verdict.as_str()
        };
        log(
            &self.client,
            &self.request,
            &self.checked,
            self.status,
            findings,
            self.started,
            word,
        );
        if let Some(sink) = &proxy.settings.sink {
            let endpoint = self
                .checked
                .endpoint
                .and_then(|i| proxy.mock.catalog().endpoints.get(i))
                .map(|e| e.id.clone());
            let Done {
                request,
                path_and_query,
                at,
                status,
                headers,
                ..
            } = self;
            sink.exchanged(&Exchange {
                at,
                target: proxy.target.clone(),
                method: request.method,
                path_and_query,
                request_headers: request.headers,
                request_body: request.body,
                status,
                // An encoded body is not the document: the proxy decodes
                // none, so the watcher gets no body rather than gzip bytes.
                response_body: body.filter(|_| !encoded(&headers)),
                response_headers: headers,
                endpoint,
            });
        }
    }
}

/// Whether the answer's body is sent in a `Content-Encoding` other than
/// `identity`.
fn encoded(headers: &HeaderMap) -> bool {
    headers.get_all(header::CONTENT_ENCODING).iter().any(|v| {
        !v.as_bytes().trim_ascii().is_empty()
            && !v.as_bytes().trim_ascii().eq_ignore_ascii_case(b"identity")
    })
}

/// The journal entry and log line of one exchange, credentials masked.
fn log(
    client: &Client,
    request: &Request,
    checked: &RequestCheck,
    status: u16,
    findings: &[Finding],
    started: Instant,
    word: &'static str,
) {
    let proxy = &*client.proxy;
    let ended = Instant::now();
    let micros = u64::try_from(ended.duration_since(started).as_micros()).unwrap_or(u64::MAX);
    let time = proxy.clock.time_of(ended);
    let endpoint = checked
        .endpoint
        .and_then(|i| proxy.mock.catalog().endpoints.get(i));
    let summary = summary(findings, 400);
    proxy.settings.request_log.write(
        &RequestLine {
            method: request.method.as_str(),
            path: request.path(),
            endpoint: endpoint.map_or("-", |e| e.id.as_str()),
            endpoint_json: endpoint.map_or(crate::serve::request_log::UNMATCHED_JSON, |e| {
                e.id_json.as_str()
            }),
            status,
            verdict: word,
            micros,
            peer: &client.address,
            note: (!summary.is_empty()).then_some(summary.as_str()),
        },
        time,
    );
    let query = request.query().map(crate::serve::redact::query);
    let mut warnings = checked.warnings.clone();
    warnings.extend(
        findings
            .iter()
            .filter(|f| f.class != crate::verify::Class::RequestContract)
            .map(|f| {
                let pointer = if f.pointer.is_empty() {
                    "/"
                } else {
                    &f.pointer
                };
                format!("portal: {} at {pointer}: {}", f.class.label(), f.message)
            }),
    );
    proxy.journal.record(Record {
        time,
        method: &request.method,
        path: request.path(),
        query: query.as_deref(),
        status,
        endpoint: endpoint.map(|e| e.id.as_str()),
        verdict: checked.verdict,
        message: checked.message.clone(),
        violations: checked.violations.clone(),
        warnings,
        micros,
        example: None,
        note: None,
    });
}

/// `class pointer; class pointer`, failures first, at most `max` bytes.
fn summary(findings: &[Finding], max: usize) -> String {
    let mut out = String::new();
    for finding in findings {
        let class = serde_json::to_value(finding.class)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let pointer = if finding.pointer.is_empty() {
            "/"
        } else {
            finding.pointer.as_str()
        };
        let piece = format!("{class} {pointer}");
        let separator = if out.is_empty() { "" } else { "; " };
        if out.len() + separator.len() + piece.len() > max.saturating_sub(5) {
            out.push_str("; …");
            break;
        }
        out.push_str(separator);
        out.push_str(&piece);
    }
    out
}

/// Sets `Docmock-Findings` to the findings, `none` when there are none.
fn findings_header(headers: &mut HeaderMap, findings: &[Finding]) {
    let text = summary(findings, FINDINGS_HEADER_MAX);
    let text = if text.is_empty() { "none".into() } else { text };
    // A pointer is the portal's member name: anything not a header's
    // visible ASCII is escaped.
    let text: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .collect();
    if let Ok(value) = HeaderValue::from_str(&text) {
        headers.insert(FINDINGS_HEADER, value);
    }
}

/// Answers a request to the admin API: the journal, the routes, and the
/// report (`/__docmock/report?format=table|json|junit`).
fn admin(client: &Client, request: &Request) -> http::Response<Bytes> {
    let path = request.path();
    let allowed =
        match client
            .gate
            .admit(&request.method, request.authority(), path, &request.headers)
        {
            Admission::Pass(allowed) => allowed,
            Admission::Answer(response) => return response,
        };
    let proxy = &*client.proxy;
    let rest = path
        .trim_start_matches(crate::serve::admin::PREFIX)
        .trim_matches('/');
    let mut response = if rest == "report" && matches!(request.method, Method::GET | Method::HEAD) {
        let report = proxy.report();
        let format = request
            .query()
            .and_then(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .find(|(k, _)| k == "format")
                    .map(|(_, v)| v.into_owned())
            })
            .unwrap_or_else(|| "json".into());
        let (text, content_type) = match format.as_str() {
            "table" => (
                crate::verify::report::table(&report),
                "text/plain; charset=utf-8",
            ),
            "junit" => (
                crate::verify::report::junit(&report),
                "application/xml; charset=utf-8",
            ),
            _ => (
                crate::verify::report::json(&report),
                "application/json; charset=utf-8",
            ),
        };
        let mut response = http::Response::new(Bytes::from(text));
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    } else {
        let context = crate::serve::admin::Context {
            mock: &proxy.mock,
            journal: &proxy.journal,
        };
        crate::serve::admin::handle(context, &request.method, path, request.query())
    };
    if let Some(origin) = allowed {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}

/// An answer's body streamed from the portal: what was read before it was
/// found too large to hold, then the chunks the reading task sends on.
pub struct Streamed {
    receiver: tokio::sync::mpsc::Receiver<Result<Bytes, BoxError>>,
    length: Option<u64>,
    prefix: Option<Bytes>,
}

impl Streamed {
    /// `prefix`, then the error `reason`: a body that broke off.
    fn failed(prefix: Bytes, reason: String) -> Streamed {
        let (sender, receiver) = tokio::sync::mpsc::channel(1);
        let _ = sender.try_send(Err(reason.into()));
        Streamed {
            receiver,
            length: None,
            prefix: (!prefix.is_empty()).then_some(prefix),
        }
    }
}

impl Body for Streamed {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        if let Some(prefix) = this.prefix.take() {
            return Poll::Ready(Some(Ok(Frame::data(prefix))));
        }
        this.receiver
            .poll_recv(context)
            .map(|chunk| chunk.map(|chunk| chunk.map(Frame::data)))
    }

    fn size_hint(&self) -> SizeHint {
        match self.length {
            Some(length) => SizeHint::with_exact(length),
            None => SizeHint::default(),
        }
    }
}
