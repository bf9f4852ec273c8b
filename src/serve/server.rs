//! The hyper service around [`Mock::answer`]: body limit, CORS, latency
//! and faults, the admin API, the journal and one log line per request;
//! connections are accepted and shut down by [`crate::serve::listen`].

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, header};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Incoming};
use hyper::service::service_fn;
use tokio::net::TcpListener;

use crate::answer::pipeline::{Answer, Mock, Verdict};
use crate::answer::request::Request;
use crate::contract::problem::{Problem, Violation};
use crate::contract::spec::Location;
use crate::serve::admin_gate::{AdminGate, AdminSettings, Admission};
use crate::serve::connection::{Activity, InFlight};
use crate::serve::journal::{Journal, Record};
use crate::serve::request_log::{RequestLine, RequestLog};
use crate::serve::wall_clock::WallClock;

/// Limits the server applies to every connection.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest request body accepted, in bytes.
    pub max_body: usize,
    /// How long a connection may go without a complete request head (see
    /// [`crate::serve::connection`]).
    pub header_timeout: Duration,
    /// How long a request body may take to arrive in all, however steadily
    /// it trickles in: the header timeout only bounds each wait for more.
    pub body_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 1024 * 1024,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
        }
    }
}

/// Cross-origin access for web apps served from another origin.
#[derive(Debug, Clone)]
pub struct Cors {
    /// Whether CORS headers are sent and preflights answered.
    pub enabled: bool,
    /// Allowed origins; empty allows any.
    pub origins: Vec<String>,
}

impl Default for Cors {
    fn default() -> Self {
        Cors {
            enabled: true,
            origins: Vec::new(),
        }
    }
}

impl Cors {
    fn allows(&self, origin: &str) -> bool {
        self.enabled && (self.origins.is_empty() || self.origins.iter().any(|o| o == origin))
    }
}

/// At most `requests` per `period`, as ONLYOFFICE documents (500 per 10 s).
#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub requests: u32,
    /// Window length.
    pub period: Duration,
}

impl std::str::FromStr for RateLimit {
    type Err = String;

    /// `500/10s`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (requests, period) = text
            .split_once('/')
            .ok_or_else(|| format!("expected REQUESTS/PERIOD such as 500/10s, got {text:?}"))?;
        let requests = requests
            .trim()
            .parse()
            .map_err(|_| format!("expected a number of requests, got {requests:?}"))?;
        let period = humantime::parse_duration(period.trim())
            .map_err(|e| format!("expected a period such as 10s: {e}"))?;
        if period.is_zero() {
            return Err("expected a period longer than zero".into());
        }
        Ok(RateLimit { requests, period })
    }
}

/// Everything that shapes how the server answers, besides the specs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Connection limits.
    pub limits: Limits,
    /// CORS.
    pub cors: Cors,
    /// A delay before every answer (`Prefer: delay=` overrides it).
    pub delay: Option<Duration>,
    /// The vendor's rate limit, when switched on.
    pub rate_limit: Option<RateLimit>,
    /// How many requests the journal keeps.
    pub journal_size: usize,
    /// Where the line for each answered request goes.
    pub request_log: RequestLog,
    /// Threads serving connections (see [`crate::serve::workers`]).
    pub workers: usize,
    /// Who may use the admin API (see [`crate::serve::admin_gate`]).
    pub admin: AdminSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            limits: Limits::default(),
            cors: Cors::default(),
            delay: None,
            rate_limit: None,
            journal_size: 500,
            request_log: RequestLog::default(),
            workers: crate::serve::workers::default_count(),
            admin: AdminSettings::default(),
        }
    }
}

/// State shared by every connection: the mock (swapped whole on reload), the
/// journal and the settings.
#[derive(Debug)]
pub struct Shared {
    mock: ArcSwap<Mock>,
    journal: Journal,
    settings: Settings,
    window: Mutex<(Instant, u32)>,
    clock: WallClock,
}

impl Shared {
    /// Shared state serving `mock`.
    pub fn new(mock: Mock, settings: Settings) -> Arc<Shared> {
        Arc::new(Shared {
            mock: ArcSwap::from_pointee(mock),
            journal: Journal::new(settings.journal_size),
            settings,
            window: Mutex::new((Instant::now(), 0)),
            clock: WallClock::new(),
        })
    }

    /// The mock currently served.
    pub fn mock(&self) -> Arc<Mock> {
        self.mock.load_full()
    }

    /// Serves `mock` from the next request on; requests in flight finish
    /// with the one they started with.
    pub fn replace(&self, mock: Mock) {
        self.mock.store(Arc::new(mock));
    }

    /// The request journal.
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// Counts a request against the rate limit; the wait until the window
    /// ends when it is over the limit.
    fn over_rate_limit(&self) -> Option<(Duration, RateLimit)> {
        let limit = self.settings.rate_limit?;
        let mut window = crate::serve::sync::lock(&self.window);
        let now = Instant::now();
        if now.duration_since(window.0) >= limit.period {
            *window = (now, 0);
        }
        window.1 += 1;
        (window.1 > limit.requests).then(|| {
            let wait = limit.period.saturating_sub(now.duration_since(window.0));
            (wait, limit)
        })
    }
}

/// Serves on `listener` until `shutdown` completes, then lets in-flight
/// requests finish.
pub async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let gate = Arc::new(AdminGate::new(
        &shared.settings.admin,
        listener.local_addr()?,
    ));
    let (header_timeout, workers) = (
        shared.settings.limits.header_timeout,
        shared.settings.workers,
    );
    crate::serve::listen::accept(
        listener,
        header_timeout,
        workers,
        shutdown,
        |peer, activity| {
            let client = Arc::new(Client {
                shared: Arc::clone(&shared),
                address: peer.to_string(),
                activity: Arc::clone(activity),
                gate: Arc::clone(&gate),
            });
            service_fn(move |request| respond(&client, request))
        },
    )
    .await
}

/// One client connection, shared by the requests it carries.
struct Client {
    shared: Arc<Shared>,
    /// The client's address, formatted once for every log line.
    address: String,
    activity: Arc<Activity>,
    /// The admin API's checks, the same for every connection.
    gate: Arc<AdminGate>,
}

type Reply = http::Response<Full<Bytes>>;

/// The answer to one request: ready at once for the common request, which
/// has no body to wait for and no delay, so that it needs no future state
/// of its own; a future for the rest.
enum Responding {
    Ready(std::future::Ready<Reply>),
    Waiting(Pin<Box<dyn Future<Output = Reply> + Send>>),
}

impl Responding {
    fn ready(reply: Reply) -> Responding {
        Responding::Ready(std::future::ready(reply))
    }
}

impl Future for Responding {
    type Output = Result<Reply, std::convert::Infallible>;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            Responding::Ready(reply) => Pin::new(reply).poll(context).map(Ok),
            Responding::Waiting(future) => future.as_mut().poll(context).map(Ok),
        }
    }
}

/// A request being answered, with what its log line and CORS headers need.
struct Exchange {
    request: Request,
    origin: Option<HeaderValue>,
    started: Instant,
}

/// Answers `request`: the admin API, a CORS preflight, the rate limit, or
/// the mock's answer, after its body is read and any delay it asks for.
fn respond(client: &Arc<Client>, request: http::Request<Incoming>) -> Responding {
    let in_flight = client.activity.begin();
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let shared = &*client.shared;
    let mut exchange = Exchange {
        origin: None,
        request: Request::received(parts.method, parts.uri, parts.headers, Bytes::new()),
        started,
    };
    let notable = exchange.request.notable_headers();
    exchange.origin = notable.origin.cloned();
    let request = &exchange.request;
    let origin = notable.origin.and_then(|v| v.to_str().ok());

    // The admin API first, with CORS of its own: same-origin unless
    // --admin-cors names another.
    let path = request.path();
    if path == crate::serve::admin::PREFIX || path.starts_with("/__docmock/") {
        let response = admin(client, request).map(Full::new);
        discard_unread(&client.activity, body, &request.headers);
        return Responding::ready(response);
    }

    // Then preflights for the mocked API.
    if shared.settings.cors.enabled
        && request.method == Method::OPTIONS
        && let Some(origin) = origin
        && request
            .headers
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        let response = match preflight(&shared.settings.cors, origin, &request.headers) {
            Ok(response) => response,
            Err(problem) => problem_for(&shared.mock.load(), request, &problem),
        };
        discard_unread(&client.activity, body, &request.headers);
        return Responding::ready(response.map(Full::new));
    }

    let mock = shared.mock.load();
    let answer = if let Some((wait, limit)) = shared.over_rate_limit() {
        discard_unread(&client.activity, body, &request.headers);
        rate_limited(&mock, request, wait, limit)
    } else if body.is_end_stream() {
        mock.answer_with(request, &notable)
    } else {
        // The future holds a request in flight of its own from its first
        // poll, which follows at once. It takes the mock once the body is
        // in, and holds a reference of its own only to wait out a delay.
        drop(in_flight);
        let client = Arc::clone(client);
        return Responding::Waiting(Box::pin(async move {
            let in_flight = client.activity.begin();
            let mut body = body;
            let read = read_body(&mut body, client.shared.settings.limits, started).await;
            let mock = client.shared.mock.load();
            let answer = match read {
                Ok(bytes) => {
                    exchange.request.body = bytes;
                    mock.answer(&exchange.request)
                }
                Err(problem) => {
                    if problem.status == 413 && !expects_continue(&exchange.request.headers) {
                        linger(&client.activity, body);
                    }
                    unreadable(&mock, &exchange.request, problem)
                }
            };
            let Some(delay) = answer.delay.or(client.shared.settings.delay) else {
                return finish(&client, &exchange, answer, in_flight);
            };
            let detached = Detached::of(answer, &mock);
            let mock = arc_swap::Guard::into_inner(mock);
            tokio::time::sleep(delay).await;
            finish(&client, &exchange, detached.attach(&mock), in_flight)
        }));
    };
    let Some(delay) = answer.delay.or(shared.settings.delay) else {
        return Responding::ready(finish(client, &exchange, answer, in_flight));
    };
    // As above, the future's own request in flight takes over.
    drop(in_flight);
    let detached = Detached::of(answer, &mock);
    let mock = arc_swap::Guard::into_inner(mock);
    let client = Arc::clone(client);
    Responding::Waiting(Box::pin(async move {
        let in_flight = client.activity.begin();
        tokio::time::sleep(delay).await;
        finish(&client, &exchange, detached.attach(&mock), in_flight)
    }))
}

/// Answers a request to the admin API, once its gate lets it through.
fn admin(client: &Client, request: &Request) -> http::Response<Bytes> {
    let path = request.path();
    let headers = &request.headers;
    let allowed = match client
        .gate
        .admit(&request.method, request.authority(), path, headers)
    {
        Admission::Pass(allowed) => allowed,
        Admission::Answer(response) => return response,
    };
    let shared = &*client.shared;
    let mock = shared.mock.load();
    let context = crate::serve::admin::Context {
        mock: &mock,
        journal: &shared.journal,
    };
    let mut response = crate::serve::admin::handle(context, &request.method, path, request.query());
    if let Some(origin) = allowed {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}

/// An answer that waits out a delay: it no longer borrows the mock that
/// gave it, so that the future can keep that mock alive on its own and
/// find the endpoint in it again.
struct Detached {
    response: http::Response<Bytes>,
    /// Index of the endpoint in the mock's catalog.
    endpoint: Option<usize>,
    verdict: Verdict,
    message: Option<String>,
    violations: Vec<crate::contract::problem::Violation>,
    warnings: Vec<String>,
    note: Option<&'static str>,
    /// Index, among the endpoint's responses, of the undocumented one
    /// served.
    example: Option<usize>,
}

impl Detached {
    fn of(answer: Answer<'_>, mock: &Mock) -> Detached {
        let example = answer
            .endpoint
            .zip(answer.example)
            .and_then(|(e, example)| {
                e.responses.iter().position(|r| {
                    r.example
                        .as_ref()
                        .is_some_and(|ours| std::ptr::eq(ours, example))
                })
            });
        Detached {
            endpoint: answer.endpoint.and_then(|e| mock.catalog().index_of(e)),
            response: answer.response,
            verdict: answer.verdict,
            message: answer.message,
            violations: answer.violations,
            warnings: answer.warnings,
            example,
            note: answer.note,
        }
    }

    fn attach(self, mock: &Mock) -> Answer<'_> {
        let endpoint = self.endpoint.and_then(|i| mock.catalog().endpoints.get(i));
        Answer {
            response: self.response,
            endpoint,
            verdict: self.verdict,
            message: self.message,
            violations: self.violations,
            note: self.note,
            delay: None,
            warnings: self.warnings,
            example: endpoint
                .zip(self.example)
                .and_then(|(e, i)| e.responses.get(i))
                .and_then(|r| r.example.as_ref()),
        }
    }
}

/// The 503 for a request over the rate limit.
fn rate_limited<'m>(
    mock: &'m Mock,
    request: &Request,
    wait: Duration,
    limit: RateLimit,
) -> Answer<'m> {
    let retry = wait.as_secs().max(1).to_string();
    // The limit in force, as --rate-limit was given (ONLYOFFICE's 500/10s
    // when it was given bare).
    let problem = Problem::new(
        503,
        format!(
            "the rate limit is exceeded ({} requests per {}, --rate-limit); retry later",
            limit.requests,
            humantime::format_duration(limit.period)
        ),
    )
    .with_header("retry-after", retry);
    Answer {
        response: problem_for(mock, request, &problem),
        endpoint: mock.endpoint_for(request),
        verdict: Verdict::Fault,
        message: Some(problem.message),
        violations: Vec::new(),
        delay: None,
        warnings: Vec::new(),
        example: None,
        note: None,
    }
}

/// The answer to a request whose body could not be read.
fn unreadable<'m>(mock: &'m Mock, request: &Request, problem: Problem) -> Answer<'m> {
    let mut response = problem_for(mock, request, &problem);
    if matches!(problem.status, 408 | 413) {
        // The rest of the body is never read, so the connection cannot be
        // reused.
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    Answer {
        response,
        endpoint: mock.endpoint_for(request),
        verdict: Verdict::Invalid,
        message: Some(problem.full_message()),
        violations: problem.violations,
        delay: None,
        warnings: Vec::new(),
        example: None,
        note: None,
    }
}

/// Hands `answer` over: CORS headers, the log line, the journal entry, and
/// the end of the request's time in flight.
fn finish(
    client: &Client,
    exchange: &Exchange,
    mut answer: Answer<'_>,
    in_flight: InFlight<'_>,
) -> Reply {
    let shared = &*client.shared;
    let Exchange {
        request,
        origin,
        started,
    } = exchange;
    let origin = origin.as_ref().and_then(|v| v.to_str().ok());
    allow_origin(&shared.settings.cors, origin, answer.response.headers_mut());
    // Neither the log nor the journal keeps a credential the client sent.
    crate::serve::redact::violations(&mut answer.violations, &mut answer.message);
    let query = request.query().map(crate::serve::redact::query);

    let status = answer.response.status().as_u16();
    let ended = Instant::now();
    let micros = u64::try_from(ended.duration_since(*started).as_micros()).unwrap_or(u64::MAX);
    let time = shared.clock.time_of(ended);
    shared.settings.request_log.write(
        &RequestLine {
            method: request.method.as_str(),
            path: request.path(),
            endpoint: answer.endpoint.map_or("-", |e| e.id.as_str()),
            endpoint_json: answer
                .endpoint
                .map_or(crate::serve::request_log::UNMATCHED_JSON, |e| {
                    e.id_json.as_str()
                }),
            status,
            verdict: answer.verdict.as_str(),
            micros,
            peer: &client.address,
            note: answer.note,
        },
        time,
    );
    if let Some(message) = &answer.message
        && answer.verdict == Verdict::Replayed
    {
        tracing::warn!("replayed a request that breaks the contract: {message}");
    }
    for warning in &answer.warnings {
        tracing::warn!("{} {}: {warning}", request.method, request.path());
    }
    shared.journal.record(Record {
        time,
        method: &request.method,
        path: request.path(),
        query: query.as_deref(),
        status,
        endpoint: answer.endpoint.map(|e| e.id.as_str()),
        verdict: answer.verdict,
        message: answer.message,
        violations: answer.violations,
        warnings: answer.warnings,
        micros,
        example: answer.example,
        note: answer.note,
    });
    in_flight.end_at(ended);
    answer.response.map(Full::new)
}

/// Reads the body, refusing one over `max_body` bytes without reading the
/// rest, one that stops arriving for the header timeout (a client that
/// announced more than it sends would otherwise hold its connection, and a
/// worker's attention, for ever: the header timeout no longer watches a
/// request in progress), and one still arriving `body_timeout` after the
/// request began (a byte now and then never stalls, but must not hold the
/// request open for ever either).
///
/// Most bodies arrive as one frame, which is handed on as it is; only a
/// body in several frames is copied into one buffer.
pub(crate) async fn read_body(
    body: &mut Incoming,
    limits: Limits,
    started: Instant,
) -> Result<Bytes, Problem> {
    let max = limits.max_body;
    // hyper knows the declared Content-Length; a body that declares more
    // than the limit is refused before any of it is read.
    if body.size_hint().lower() > max as u64 {
        return Err(too_large(max, body.size_hint().lower()));
    }
    // A deadline too far to represent is no deadline.
    let deadline = started
        .checked_add(limits.body_timeout)
        .map(tokio::time::Instant::from_std);
    let mut first = Bytes::new();
    let mut joined: Option<bytes::BytesMut> = None;
    loop {
        let read = joined.as_ref().map_or(first.len(), bytes::BytesMut::len);
        let Some(frame) = next_frame(body, &limits, deadline, read).await? else {
            break;
        };
        let frame = frame.map_err(|e| unread(&e))?;
        // Trailers carry nothing a mock answers by.
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if read + data.len() > max {
            return Err(too_large(max, (read + data.len()) as u64));
        }
        match &mut joined {
            Some(buffer) => buffer.extend_from_slice(&data),
            None if first.is_empty() => first = data,
            None => {
                let mut buffer = bytes::BytesMut::with_capacity(first.len() + data.len());
                buffer.extend_from_slice(&first);
                buffer.extend_from_slice(&data);
                joined = Some(buffer);
            }
        }
    }
    Ok(joined.map_or(first, bytes::BytesMut::freeze))
}

type Frame = Option<Result<hyper::body::Frame<Bytes>, hyper::Error>>;

/// The body's next frame, or a 408 once none has come for the header
/// timeout or the body's time is up at `deadline`; `read` bytes have come
/// so far.
///
/// A frame that is already in (as a body sent with its head is) is taken
/// without arming a timer or reading the clock: only a body still on its
/// way pays for them.
async fn next_frame(
    body: &mut Incoming,
    limits: &Limits,
    deadline: Option<tokio::time::Instant>,
    read: usize,
) -> Result<Frame, Problem> {
    let mut frame = std::pin::pin!(body.frame());
    let ready = std::future::poll_fn(|context| Poll::Ready(frame.as_mut().poll(context))).await;
    if let Poll::Ready(frame) = ready {
        return Ok(frame);
    }
    let now = tokio::time::Instant::now();
    let stalled = now.checked_add(limits.header_timeout);
    let until = match (stalled, deadline) {
        (Some(stalled), Some(deadline)) => Some(stalled.min(deadline)),
        (one, other) => one.or(other),
    };
    let Some(until) = until else {
        return Ok(frame.await);
    };
    if let Ok(frame) = tokio::time::timeout_at(until, frame).await {
        return Ok(frame);
    }
    let message = if deadline.is_some_and(|deadline| until >= deadline) {
        format!(
            "the request body did not arrive within {} (--body-timeout): {read} bytes came in that time",
            humantime::format_duration(limits.body_timeout)
        )
    } else {
        format!(
            "the request body stopped arriving: nothing came for {} (--header-timeout)",
            humantime::format_duration(limits.header_timeout)
        )
    };
    Err(Problem::new(408, message).with_violations(vec![Violation {
        location: Location::Body,
        pointer: String::new(),
        expected: "the whole body the request announced".into(),
        got: Some(format!("{read} bytes of it")),
    }]))
}

/// How long a body refused with 413 is still read, and thrown away, after
/// the answer has been sent: long enough for a client that sends its whole
/// body before reading (Python's `urllib`, Node's `fetch`) to finish
/// sending, and so to read the 413 rather than a reset connection. nginx
/// does the same (`lingering_close`, `lingering_time`).
const LINGER_TIME: Duration = Duration::from_secs(5);

/// How many bytes of a refused body are thrown away at most (on top of what
/// was read before the refusal): a 413 still reaches a client whose body
/// is several times the limit, and a client sending without end costs a
/// bounded amount of reading.
const LINGER_BYTES: usize = 16 * 1024 * 1024;

/// Reads and throws away what arrives of a refused or unneeded `body` for
/// at most [`LINGER_TIME`] and [`LINGER_BYTES`], beside the answer being
/// sent; the connection closes if it stops before the body's end (a 413
/// says `Connection: close` anyway).
///
/// The closing socket would otherwise still have unread bytes, and the
/// kernel answers those with a reset that may reach the client before it
/// has read the 413. The connection counts as busy meanwhile, so the header
/// timeout leaves it alone.
pub(crate) fn linger(activity: &Arc<Activity>, mut body: Incoming) {
    let activity = Arc::clone(activity);
    tokio::spawn(async move {
        let _busy = activity.begin();
        let discard = async {
            let mut discarded = 0;
            while let Some(Ok(frame)) = body.frame().await {
                discarded += frame.data_ref().map_or(0, Bytes::len);
                if discarded > LINGER_BYTES {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(LINGER_TIME, discard).await;
    });
}

/// Lingers on a body the answer did not need (the admin API, a preflight,
/// the rate limit), as on a refused one: a client that sends its whole body
/// before reading then reads the answer, not a reset.
pub(crate) fn discard_unread(activity: &Arc<Activity>, body: Incoming, headers: &HeaderMap) {
    if !body.is_end_stream() && !expects_continue(headers) {
        linger(activity, body);
    }
}

/// Whether the client waits for `100 Continue` before sending its body: it
/// has sent none of it yet, and reading it now would ask for it after the
/// final answer.
pub(crate) fn expects_continue(headers: &HeaderMap) -> bool {
    headers
        .get(header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"))
}

fn too_large(max: usize, size: u64) -> Problem {
    Problem::new(
        413,
        format!("the request body is larger than the limit of {max} bytes"),
    )
    .with_violations(vec![Violation {
        location: Location::Body,
        pointer: String::new(),
        expected: format!("at most {max} bytes (--max-body)"),
        got: Some(format!("{size} bytes or more")),
    }])
}

fn unread(error: &dyn std::fmt::Display) -> Problem {
    Problem::new(400, format!("the request body could not be read: {error}")).with_violations(vec![
        Violation {
            location: Location::Body,
            pointer: String::new(),
            expected: "a body framed as its headers say (Content-Length or chunked)".into(),
            got: Some(error.to_string()),
        },
    ])
}

pub(crate) fn problem_for(
    mock: &Mock,
    request: &Request,
    problem: &Problem,
) -> http::Response<Bytes> {
    let (path, suffix) = crate::answer::negotiate::split_suffix(request.path());
    let api = mock.router().api_for_path(path).unwrap_or(0);
    mock.problem_response(request, api, suffix, problem)
}

/// Answers a CORS preflight, reflecting the method and headers asked for;
/// an origin not allowed gets a 403 problem naming the allowed ones.
fn preflight(
    cors: &Cors,
    origin: &str,
    headers: &HeaderMap,
) -> Result<http::Response<Bytes>, Problem> {
    if !cors.allows(origin) {
        return Err(Problem::new(
            403,
            format!(
                "the origin {origin:?} may not call this mock; allowed (--cors-origin): {}",
                cors.origins.join(", ")
            ),
        )
        .with_violations(vec![Violation {
            location: Location::Header,
            pointer: "/Origin".into(),
            expected: "an origin given to --cors-origin".into(),
            got: Some(format!("{origin:?}")),
        }]));
    }
    let mut response = http::Response::new(Bytes::new());
    *response.status_mut() = http::StatusCode::NO_CONTENT;
    let out = response.headers_mut();
    allow_origin(cors, Some(origin), out);
    let method = headers
        .get(header::ACCESS_CONTROL_REQUEST_METHOD)
        .cloned()
        .unwrap_or(HeaderValue::from_static("GET"));
    out.insert(header::ACCESS_CONTROL_ALLOW_METHODS, method);
    if let Some(requested) = headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
        out.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested.clone());
    }
    out.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    // The answer depends on what was asked, so caches must not reuse it
    // for another method or header list.
    out.append(
        header::VARY,
        HeaderValue::from_static("Access-Control-Request-Method, Access-Control-Request-Headers"),
    );
    Ok(response)
}

/// Adds the CORS headers for `origin` when it is allowed.
fn allow_origin(cors: &Cors, origin: Option<&str>, headers: &mut HeaderMap) {
    let Some(origin) = origin.filter(|o| cors.allows(o)) else {
        return;
    };
    let Ok(value) = HeaderValue::from_str(origin) else {
        return;
    };
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HeaderValue::from_static("true"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(
            "Allow, Retry-After, WWW-Authenticate, Content-Length, Docmock-Example",
        ),
    );
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
}
