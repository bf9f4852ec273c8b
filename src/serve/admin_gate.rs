//! Who may use the admin API: checked before any admin request is answered.
//!
//! The journal holds what clients sent and `DELETE` clears it, so the admin
//! API is not for whoever can reach the port, nor for any web page a
//! developer happens to visit:
//!
//! * with a token (`--admin-token`, else `--token`), every admin request
//!   must carry it as `Authorization: Bearer TOKEN` (or the bare token);
//!   cookies are not read, since a browser sends them with requests other
//!   sites make it send;
//! * listening beyond loopback without a token, the admin API is off;
//! * the `Host` a request names must be this server: an IP address,
//!   `localhost`, or a name given to `--allow-host` (or `--host`). DNS
//!   rebinding points a name the attacker owns at 127.0.0.1, and the
//!   browser then sends that name; an IP literal cannot be rebound. The
//!   port is not compared, so that a published port (`docker run -p
//!   8080:4010`) still reaches it;
//! * another origin gets no CORS headers and is refused, unless it was
//!   given to `--admin-cors`; the page's own requests are same-origin.
//!
//! `/__docmock/health` answers everyone: it says only that the server is
//! up and how many endpoints it serves, and probes must reach it. The page
//! (`/__docmock/`) holds no data, so it is served without the token: its
//! script asks for the token and sends it with every request.

use std::net::{IpAddr, SocketAddr};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use serde_json::json;

/// How the admin API is to be guarded, as the command line says it.
#[derive(Debug, Clone, Default)]
pub struct AdminSettings {
    /// The credential every admin request must carry.
    pub token: Option<String>,
    /// Names besides `localhost` and IP addresses that requests may give as
    /// their `Host`.
    pub allowed_hosts: Vec<String>,
    /// Origins whose pages may call the admin API.
    pub cors_origins: Vec<String>,
}

/// Whether the admin API is served, and to whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// To any request from this machine: the server listens on loopback
    /// and no token was given.
    Open,
    /// To requests carrying this token.
    Token(String),
    /// To none: the server listens beyond loopback and no token was given.
    Off,
}

impl Access {
    /// The access `settings` give a server listening on `bound`.
    pub fn of(settings: &AdminSettings, bound: IpAddr) -> Access {
        match &settings.token {
            Some(token) => Access::Token(token.clone()),
            None if is_loopback(bound) => Access::Open,
            None => Access::Off,
        }
    }
}

/// Whether only this machine can reach `address`: `127.0.0.0/8`, `::1`,
/// and `::ffff:127.0.0.1` (an IPv4 loopback address in IPv6 clothes).
pub fn is_loopback(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// The checks every admin request passes, set up once per server.
#[derive(Debug)]
pub struct AdminGate {
    access: Access,
    bound: SocketAddr,
    /// Allowed host names, in lower case.
    names: Vec<String>,
    cors_origins: Vec<String>,
}

/// What the gate decided about one admin request.
#[derive(Debug)]
pub enum Admission {
    /// Answer it; with this `Access-Control-Allow-Origin` when an origin
    /// given to `--admin-cors` asked.
    Pass(Option<HeaderValue>),
    /// Answer this instead: a refusal, or a preflight's answer.
    Answer(http::Response<Bytes>),
}

impl AdminGate {
    /// The gate of a server listening on `bound`.
    pub fn new(settings: &AdminSettings, bound: SocketAddr) -> AdminGate {
        AdminGate {
            access: Access::of(settings, bound.ip()),
            bound,
            names: settings
                .allowed_hosts
                .iter()
                .map(|n| n.trim().to_ascii_lowercase())
                .collect(),
            cors_origins: settings.cors_origins.clone(),
        }
    }

    /// Whether, and to whom, the admin API is served.
    pub fn access(&self) -> &Access {
        &self.access
    }

    /// The start-up line about the admin API, at `base`.
    pub fn describe(&self, base: &str) -> String {
        match &self.access {
            Access::Open => format!("admin: {base}/__docmock/"),
            Access::Token(_) => format!(
                "admin: {base}/__docmock/ (token required: Authorization: Bearer TOKEN; \
                 in a browser, {base}/__docmock/#token=TOKEN)"
            ),
            Access::Off => format!(
                "admin: off, {} is not a loopback address and no --admin-token (or --token) \
                 was given; {base}/__docmock/health still answers",
                self.bound.ip()
            ),
        }
    }

    /// Checks an admin request at `path` (`authority` is the host its
    /// target names, if any): the answer to give instead when it may not
    /// have what it asks for.
    pub fn admit(
        &self,
        method: &Method,
        authority: Option<&str>,
        path: &str,
        headers: &HeaderMap,
    ) -> Admission {
        let mut pieces = path.split('/').filter(|p| !p.is_empty());
        let resource = (pieces.next(), pieces.next(), pieces.next());
        if matches!(resource, (Some(_), Some("health"), None)) {
            return Admission::Pass(None);
        }
        if self.access == Access::Off {
            return Admission::Answer(refusal(
                StatusCode::FORBIDDEN,
                format!(
                    "the admin API is off: docmock listens on {}, beyond loopback, and no \
                     --admin-token (or --token) was given; restart with --admin-token TOKEN to \
                     use it from other machines, or with --host 127.0.0.1",
                    self.bound.ip()
                ),
            ));
        }
        if let Err(message) = self.check_host(authority, headers) {
            return Admission::Answer(refusal(StatusCode::FORBIDDEN, message));
        }
        let origin = headers.get(header::ORIGIN);
        let allowed = origin.filter(|o| {
            o.to_str()
                .is_ok_and(|o| self.cors_origins.iter().any(|c| c.eq_ignore_ascii_case(o)))
        });
        if method == Method::OPTIONS && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
        {
            return Admission::Answer(match allowed {
                Some(origin) => preflight(origin, headers),
                None => refusal(StatusCode::FORBIDDEN, cross_origin(origin)),
            });
        }
        if let Some(origin) = origin
            && allowed.is_none()
            && !same_origin(origin, authority, headers)
        {
            return Admission::Answer(refusal(StatusCode::FORBIDDEN, cross_origin(Some(origin))));
        }
        let page = matches!(resource, (Some(_), None, None))
            && matches!(*method, Method::GET | Method::HEAD);
        if let Access::Token(token) = &self.access
            && !page
            && !carries(headers, token)
        {
            let mut response = refusal(
                StatusCode::UNAUTHORIZED,
                "the admin API needs the token given to --admin-token (or --token): send \
                 Authorization: Bearer TOKEN"
                    .into(),
            );
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"docmock admin\""),
            );
            return Admission::Answer(response);
        }
        Admission::Pass(allowed.cloned())
    }

    /// Whether the request names this server as its host.
    fn check_host(&self, authority: Option<&str>, headers: &HeaderMap) -> Result<(), String> {
        let Some(host) = host_of(authority, headers) else {
            return Err("the admin API answers only requests that name their Host".into());
        };
        let name = host_name(host);
        let known = name.parse::<IpAddr>().is_ok()
            || name.eq_ignore_ascii_case("localhost")
            || self.names.iter().any(|n| n.eq_ignore_ascii_case(name));
        if known {
            Ok(())
        } else {
            Err(format!(
                "the admin API does not answer requests for the host {name:?}: it answers \
                 requests addressed to an IP address of this server, localhost, or a name given \
                 to --allow-host (a page whose name now resolves here must not read it)"
            ))
        }
    }
}

/// The host a request is addressed to: the URI's authority (HTTP/2, or an
/// absolute URI), else the `Host` header.
fn host_of<'r>(authority: Option<&'r str>, headers: &'r HeaderMap) -> Option<&'r str> {
    authority
        .or_else(|| headers.get(header::HOST).and_then(|v| v.to_str().ok()))
        .map(str::trim)
        .filter(|h| !h.is_empty())
}

/// The name in `host` without its port: `[::1]:4010` is `::1`,
/// `localhost:4010` is `localhost`.
fn host_name(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split_once(']').map_or(rest, |(name, _)| name);
    }
    match host.rsplit_once(':') {
        // More than one colon is an IPv6 address sent without brackets.
        Some((name, port)) if !name.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            name
        }
        _ => host,
    }
}

/// Whether `origin` is the origin the request is addressed to, as the
/// page's own requests are (browsers send `Origin` on a same-origin
/// `DELETE`).
fn same_origin(origin: &HeaderValue, authority: Option<&str>, headers: &HeaderMap) -> bool {
    let Some((_, origin)) = origin.to_str().ok().and_then(|o| o.split_once("://")) else {
        return false;
    };
    host_of(authority, headers).is_some_and(|host| host.eq_ignore_ascii_case(origin))
}

fn cross_origin(origin: Option<&HeaderValue>) -> String {
    let origin = origin
        .and_then(|o| o.to_str().ok())
        .unwrap_or("another origin");
    format!(
        "the admin API does not answer pages from {origin:?}: it answers its own page, and \
         origins given to --admin-cors"
    )
}

/// Whether `headers` carry `token`: `Authorization: TOKEN` or behind a
/// scheme (`Bearer TOKEN`), as `--token` takes it on the API.
fn carries(headers: &HeaderMap, token: &str) -> bool {
    headers
        .get_all(header::AUTHORIZATION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::trim_ascii)
        .any(|value| {
            let credential = value
                .split_once([' ', '\t'])
                .map_or(value, |(_, rest)| rest.trim_ascii());
            same_secret(value, token) | same_secret(credential, token)
        })
}

/// `a == b` in a time that does not tell how much of a guess was right.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |differ, (x, y)| differ | (x ^ y))
            == 0
}

/// The answer to a preflight from an origin given to `--admin-cors`.
fn preflight(origin: &HeaderValue, headers: &HeaderMap) -> http::Response<Bytes> {
    let mut response = http::Response::new(Bytes::new());
    *response.status_mut() = StatusCode::NO_CONTENT;
    let out = response.headers_mut();
    out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    out.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, HEAD, DELETE, OPTIONS"),
    );
    if let Some(requested) = headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
        out.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested.clone());
    }
    out.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    out.append(header::VARY, HeaderValue::from_static("Origin"));
    response
}

/// A refusal in the admin API's shape: `{"error": message}`.
fn refusal(status: StatusCode, message: String) -> http::Response<Bytes> {
    let mut body = serde_json::to_vec_pretty(&json!({ "error": message })).unwrap_or_default();
    body.push(b'\n');
    let mut response = http::Response::new(Bytes::from(body));
    *response.status_mut() = status;
    let out = response.headers_mut();
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(token: Option<&str>, bound: &str) -> AdminGate {
        let settings = AdminSettings {
            token: token.map(str::to_owned),
            allowed_hosts: vec!["Docmock.Test".into()],
            cors_origins: vec!["http://dash.test".into()],
        };
        AdminGate::new(&settings, bound.parse().expect("address"))
    }

    fn status(gate: &AdminGate, method: Method, path: &str, headers: &[(&str, &str)]) -> u16 {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                http::HeaderName::from_bytes(name.as_bytes()).expect("name"),
                HeaderValue::from_str(value).expect("value"),
            );
        }
        match gate.admit(&method, None, path, &map) {
            Admission::Pass(_) => 200,
            Admission::Answer(response) => response.status().as_u16(),
        }
    }

    #[test]
    fn loopback_addresses_are_told_from_the_others() {
        for address in ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"] {
            assert!(is_loopback(address.parse().expect(address)), "{address}");
        }
        for address in [
            "0.0.0.0",
            "::",
            "192.168.1.5",
            "10.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_loopback(address.parse().expect(address)), "{address}");
        }
    }

    #[test]
    fn beyond_loopback_the_admin_api_needs_a_token() {
        let open = AdminSettings::default();
        assert_eq!(
            Access::of(&open, "127.0.0.1".parse().expect("ip")),
            Access::Open
        );
        assert_eq!(
            Access::of(&open, "0.0.0.0".parse().expect("ip")),
            Access::Off
        );
        let token = AdminSettings {
            token: Some("t".into()),
            ..AdminSettings::default()
        };
        assert_eq!(
            Access::of(&token, "0.0.0.0".parse().expect("ip")),
            Access::Token("t".into())
        );

        let off = gate(None, "0.0.0.0:4010");
        let host = [("host", "10.0.0.5:4010")];
        assert_eq!(status(&off, Method::GET, "/__docmock/requests", &host), 403);
        assert_eq!(status(&off, Method::GET, "/__docmock/", &host), 403);
        assert_eq!(status(&off, Method::GET, "/__docmock/health", &host), 200);
        assert!(
            off.describe("http://0.0.0.0:4010")
                .contains("--admin-token")
        );
    }

    #[test]
    fn the_token_comes_bare_or_behind_a_scheme_and_nothing_else_opens() {
        let gate = gate(Some("s3cret"), "127.0.0.1:4010");
        let host = ("host", "127.0.0.1:4010");
        let path = "/__docmock/requests";
        assert_eq!(status(&gate, Method::GET, path, &[host]), 401);
        assert_eq!(
            status(
                &gate,
                Method::GET,
                path,
                &[host, ("authorization", "s3cret")]
            ),
            200
        );
        assert_eq!(
            status(
                &gate,
                Method::DELETE,
                path,
                &[host, ("authorization", "Bearer s3cret")]
            ),
            200
        );
        for wrong in ["Bearer s3cre", "s3cret2", "Bearer", "", "Bearer s3cret x"] {
            assert_eq!(
                status(&gate, Method::GET, path, &[host, ("authorization", wrong)]),
                401,
                "{wrong}"
            );
        }
        assert_eq!(
            status(
                &gate,
                Method::GET,
                path,
                &[host, ("cookie", "asc_auth_key=s3cret")]
            ),
            401
        );
        // The page and health need none.
        assert_eq!(status(&gate, Method::GET, "/__docmock", &[host]), 200);
        assert_eq!(
            status(&gate, Method::GET, "/__docmock//health/", &[host]),
            200
        );
    }

    #[test]
    fn only_this_servers_names_reach_it() {
        let gate = gate(None, "127.0.0.1:4010");
        let path = "/__docmock/requests";
        for host in [
            "127.0.0.1:4010",
            "localhost:4010",
            "LOCALHOST",
            "[::1]:4010",
            "docmock.test:8080",
            "192.168.1.5:4010",
        ] {
            assert_eq!(
                status(&gate, Method::GET, path, &[("host", host)]),
                200,
                "{host}"
            );
        }
        for host in [
            "evil.example:4010",
            "localhost.evil.example",
            "docmock.test.evil",
        ] {
            assert_eq!(
                status(&gate, Method::GET, path, &[("host", host)]),
                403,
                "{host}"
            );
        }
        assert_eq!(status(&gate, Method::GET, path, &[]), 403);
        assert_eq!(host_name("[::1]:4010"), "::1");
        assert_eq!(host_name("::1"), "::1");
        assert_eq!(host_name("a.test"), "a.test");
    }

    #[test]
    fn other_origins_are_refused_unless_named() {
        let gate = gate(None, "127.0.0.1:4010");
        let path = "/__docmock/requests";
        let host = ("host", "127.0.0.1:4010");
        assert_eq!(
            status(
                &gate,
                Method::DELETE,
                path,
                &[host, ("origin", "http://127.0.0.1:4010")]
            ),
            200
        );
        assert_eq!(
            status(
                &gate,
                Method::GET,
                path,
                &[host, ("origin", "http://evil.example")]
            ),
            403
        );
        assert_eq!(
            status(&gate, Method::GET, path, &[host, ("origin", "null")]),
            403
        );
        assert_eq!(
            status(
                &gate,
                Method::GET,
                path,
                &[host, ("origin", "http://dash.test")]
            ),
            200
        );
        let preflight = [
            host,
            ("origin", "http://evil.example"),
            ("access-control-request-method", "DELETE"),
        ];
        assert_eq!(status(&gate, Method::OPTIONS, path, &preflight), 403);
        let named = [
            host,
            ("origin", "http://dash.test"),
            ("access-control-request-method", "DELETE"),
        ];
        assert_eq!(status(&gate, Method::OPTIONS, path, &named), 204);
    }
}
