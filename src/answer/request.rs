//! A request as every stage of the answer sees it: read whole, its target
//! kept as hyper parsed it, and the few headers every answer looks at found
//! in one pass.

use std::borrow::Cow;

use bytes::Bytes;
use http::Method;
use http::header::{self, HeaderMap, HeaderValue};

/// A request read whole, as every stage sees it.
#[derive(Debug, Clone)]
pub struct Request {
    /// Method.
    pub method: Method,
    target: Target,
    /// Headers.
    pub headers: HeaderMap,
    /// Body.
    pub body: Bytes,
}

/// Where a request goes: the URI hyper parsed, kept as it came so that
/// serving a request copies none of it, or a target built by hand.
#[derive(Debug, Clone)]
enum Target {
    Received(http::Uri),
    Built { path: String, query: Option<String> },
}

impl Request {
    /// A request with no headers, query or body, for tests and examples.
    pub fn new(method: Method, target: &str) -> Request {
        let (path, query) = match target.split_once('?') {
            Some((path, query)) => (path.to_string(), Some(query.to_string())),
            None => (target.to_string(), None),
        };
        Request {
            method,
            target: Target::Built { path, query },
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    /// A request as the server received it.
    pub fn received(method: Method, uri: http::Uri, headers: HeaderMap, body: Bytes) -> Request {
        Request {
            method,
            target: Target::Received(uri),
            headers,
            body,
        }
    }

    /// The path, not yet percent-decoded, without the query.
    pub fn path(&self) -> &str {
        match &self.target {
            Target::Received(uri) => uri.path(),
            Target::Built { path, .. } => path,
        }
    }

    /// The raw query string, without `?`.
    pub fn query(&self) -> Option<&str> {
        match &self.target {
            Target::Received(uri) => uri.query(),
            Target::Built { query, .. } => query.as_deref(),
        }
    }

    /// The host the target names (`host:port`), when it names one: an
    /// absolute-form target or HTTP/2's `:authority`; HTTP/1.1 clients name
    /// it in the `Host` header instead.
    pub fn authority(&self) -> Option<&str> {
        match &self.target {
            Target::Received(uri) => uri.authority().map(http::uri::Authority::as_str),
            Target::Built { .. } => None,
        }
    }

    /// Adds a header; invalid names or values are ignored.
    pub fn header(mut self, name: &str, value: &str) -> Request {
        if let (Ok(name), Ok(value)) = (
            header::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            self.headers.append(name, value);
        }
        self
    }

    pub(crate) fn header_str(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `Accept` the request sends: one header as it is, several joined
    /// by commas, as RFC 9110 §5.3 says a repeated list header reads.
    pub fn accept(&self) -> Option<Cow<'_, str>> {
        accept_of(&self.headers, &self.notable_headers())
    }

    /// The headers that every answer looks at, found in one pass.
    pub fn notable_headers(&self) -> NotableHeaders<'_> {
        let mut notable = NotableHeaders::default();
        for (name, value) in &self.headers {
            if name == header::ACCEPT {
                if notable.accept.is_some() {
                    notable.repeated_accept = true;
                } else {
                    notable.accept = Some(value);
                }
            } else if name == header::AUTHORIZATION {
                notable.authorization.get_or_insert(value);
            } else if name == header::ORIGIN {
                notable.origin.get_or_insert(value);
            } else if name == PREFER {
                notable.prefer = true;
            }
        }
        notable
    }
}

/// The request headers every answer looks at.
///
/// Looking a header up by name hashes the name and probes the map; a
/// request carries a handful of headers, and one pass comparing their names
/// costs less than three lookups.
#[derive(Debug, Default, Clone, Copy)]
pub struct NotableHeaders<'r> {
    /// The first `Accept`.
    pub accept: Option<&'r HeaderValue>,
    /// Whether more than one `Accept` was sent (see [`Request::accept`]).
    pub repeated_accept: bool,
    /// The first `Authorization`.
    pub authorization: Option<&'r HeaderValue>,
    /// The first `Origin`, for CORS.
    pub origin: Option<&'r HeaderValue>,
    /// Whether `Prefer` was sent.
    pub prefer: bool,
}

/// The `Accept` of a request whose notable headers are `notable`: the
/// first header borrowed as it is, the rare repeated one joined.
pub(crate) fn accept_of<'r>(
    headers: &'r HeaderMap,
    notable: &NotableHeaders<'r>,
) -> Option<Cow<'r, str>> {
    if !notable.repeated_accept {
        return notable
            .accept
            .and_then(|v| v.to_str().ok())
            .map(Cow::Borrowed);
    }
    let joined: Vec<&str> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    Some(Cow::Owned(joined.join(", ")))
}

/// `Prefer` (RFC 7240), which http has no constant for.
pub(crate) const PREFER: header::HeaderName = header::HeaderName::from_static("prefer");
