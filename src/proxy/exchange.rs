//! One exchange the proxy forwarded: what the client sent and what the
//! portal answered, handed to whoever watches the traffic (the report, the
//! recorder) once the answer has gone to the client.

use std::time::SystemTime;

use bytes::Bytes;
use http::{HeaderMap, Method};

/// One request and the portal's answer, as the proxy saw them.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// When the request arrived.
    pub at: SystemTime,
    /// The portal's base URL (`--target`), where the answer came from.
    pub target: String,
    /// The request's method.
    pub method: Method,
    /// Path and query as the portal was asked for them (below the
    /// target's base URL), exactly as the client sent them.
    pub path_and_query: String,
    /// The request's headers, as the client sent them.
    pub request_headers: HeaderMap,
    /// The request's body, whole (the proxy reads it within the body limit
    /// to check it before forwarding).
    pub request_body: Bytes,
    /// The portal's status.
    pub status: u16,
    /// The portal's headers.
    pub response_headers: HeaderMap,
    /// The portal's body, decoded of any `Content-Encoding` the proxy can
    /// decode, when it was kept whole: `None` when it was larger than the
    /// body limit (it was streamed through to the client, not kept).
    pub response_body: Option<Bytes>,
    /// The documented endpoint the request was routed to (`api/id`), if
    /// any.
    pub endpoint: Option<String>,
}

/// Whoever wants to see every exchange: told of each once its answer has
/// gone to the client, from the proxy's worker threads.
pub trait ExchangeSink: Send + Sync {
    /// One exchange has ended.
    fn exchanged(&self, exchange: &Exchange);
}
