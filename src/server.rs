//! The hyper service around [`Mock::handle`]: accept loop, body limit,
//! graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use crate::pipeline::{Mock, Request};
use crate::problem::Problem;

/// Limits the server applies to every connection.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest request body accepted, in bytes.
    pub max_body: usize,
    /// How long a client may take to send its request headers.
    pub header_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 1024 * 1024,
            header_timeout: Duration::from_secs(10),
        }
    }
}

/// Serves `mock` on `listener` until `shutdown` completes, then lets
/// in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    mock: Arc<Mock>,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        // Running out of file descriptors or a reset before
                        // accept must not stop the server.
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let mock = Arc::clone(&mock);
                let service = service_fn(move |request| {
                    let mock = Arc::clone(&mock);
                    async move { Ok::<_, std::convert::Infallible>(answer(&mock, request, limits, peer).await) }
                });
                let connection = builder.serve_connection(TokioIo::new(stream), service).into_owned();
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    if let Err(e) = connection.await {
                        tracing::debug!("connection from {peer} ended: {e}");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

async fn answer(
    mock: &Mock,
    request: http::Request<Incoming>,
    limits: Limits,
    peer: SocketAddr,
) -> http::Response<Full<Bytes>> {
    let started = std::time::Instant::now();
    let (parts, body) = request.into_parts();
    let mut request = Request {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers,
        body: Bytes::new(),
    };
    let declared = request
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = declared.is_some_and(|len| len > limits.max_body as u64);
    let response = if too_large {
        body_too_large(mock, &request, limits)
    } else {
        match Limited::new(body, limits.max_body).collect().await {
            Ok(collected) => {
                request.body = collected.to_bytes();
                mock.handle(&request)
            }
            Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                body_too_large(mock, &request, limits)
            }
            Err(e) => {
                let problem = Problem::new(400, format!("the request body could not be read: {e}"));
                problem_for(mock, &request, &problem)
            }
        }
    };
    tracing::info!(
        target: "docmock::request",
        method = %request.method,
        path = %request.path,
        status = response.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        %peer,
    );
    response.map(Full::new)
}

fn body_too_large(mock: &Mock, request: &Request, limits: Limits) -> http::Response<Bytes> {
    let problem = Problem::new(
        413,
        format!(
            "the request body is larger than the limit of {} bytes",
            limits.max_body
        ),
    );
    let mut response = problem_for(mock, request, &problem);
    // The rest of the body is never read, so the connection cannot be reused.
    response.headers_mut().insert(
        http::header::CONNECTION,
        http::HeaderValue::from_static("close"),
    );
    response
}

fn problem_for(mock: &Mock, request: &Request, problem: &Problem) -> http::Response<Bytes> {
    let (path, suffix) = crate::negotiate::split_suffix(&request.path);
    let api = mock.router().api_for_path(path).unwrap_or(0);
    mock.problem_response(request, api, suffix, problem)
}
