//! `docmock proxy`: between a client and a live portal, every exchange
//! forwarded unchanged and checked against the documentation both ways.
//!
//! A new composition of the stages below, owning nothing of the contract:
//! the request is checked by the pipeline `serve` answers by
//! ([`check::request`]), the portal's answer by `verify`'s comparison
//! ([`check::answer`]); connections are accepted, kept on worker threads
//! and watched for idleness by `serve`'s accept loop
//! ([`crate::serve::listen`]), and findings
//! go to `serve`'s journal and request log. Only the target is ever asked:
//! the request's path and query are appended to `--target`, whatever host
//! the request names, and redirects are handed back to the client.

pub mod check;
pub mod exchange;
pub mod forward;
pub mod report;

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use hyper::service::service_fn;
use tokio::net::TcpListener;

use crate::answer::pipeline::Mock;
use crate::serve::admin_gate::{AdminGate, AdminSettings};
use crate::serve::journal::Journal;
use crate::serve::request_log::RequestLog;
use crate::serve::server::Limits;
use crate::serve::wall_clock::WallClock;
use crate::verify::Report;
use exchange::ExchangeSink;
use report::Tally;

/// How the proxy forwards and checks.
#[derive(Clone)]
pub struct Settings {
    /// The portal's base URL: request paths are appended to it.
    pub target: String,
    /// Limits on client connections; `max_body` also bounds how much of an
    /// answer is kept to be checked (a larger one passes through
    /// unchecked).
    pub limits: Limits,
    /// Time to connect to the portal, and the longest wait for each piece
    /// of its answer (a long download that keeps arriving is not cut).
    pub timeout: Duration,
    /// A PEM file of certificates to trust besides the system's.
    pub ca_cert: Option<PathBuf>,
    /// Whether the portal's TLS certificate goes unchecked.
    pub insecure: bool,
    /// Whether every answer carries a `Docmock-Findings` header.
    pub findings_header: bool,
    /// How many exchanges the journal keeps.
    pub journal_size: usize,
    /// Where the line for each exchange goes.
    pub request_log: RequestLog,
    /// Threads serving connections.
    pub workers: usize,
    /// Who may use the admin API.
    pub admin: AdminSettings,
    /// Told of every exchange once its answer has gone to the client (the
    /// recorder).
    pub sink: Option<Arc<dyn ExchangeSink>>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("target", &self.target)
            .field("limits", &self.limits)
            .field("timeout", &self.timeout)
            .field("findings_header", &self.findings_header)
            .field("sink", &self.sink.is_some())
            .finish_non_exhaustive()
    }
}

/// Why the proxy cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    /// `--target` is not an http(s) URL without query or fragment.
    #[error(
        "--target must be an http:// or https:// URL without query or fragment (the portal's root, such as https://portal.example.com), got {0:?}"
    )]
    Target(String),
    /// The HTTP client could not be set up (a `--ca-cert` problem).
    #[error(transparent)]
    Client(#[from] crate::verify::VerifyError),
}

/// Everything the proxy's connections share.
pub struct Proxy {
    mock: Mock,
    settings: Settings,
    /// `--target` without a trailing `/`.
    target: String,
    /// The TLS settings every worker's client is built with.
    tls: Option<rustls::ClientConfig>,
    /// Tells this proxy's clients from another's in a worker thread's
    /// cache (tests run several in one process).
    id: usize,
    journal: Journal,
    clock: WallClock,
    tally: Tally,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proxy")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl Proxy {
    /// A proxy in front of `settings.target`, checking by `mock`.
    pub fn new(mock: Mock, settings: Settings) -> Result<Arc<Proxy>, ProxyError> {
        let target = settings.target.trim_end_matches('/').to_string();
        let url = reqwest::Url::parse(&target)
            .map_err(|_| ProxyError::Target(settings.target.clone()))?;
        if !matches!(url.scheme(), "http" | "https")
            || url.host_str().is_none()
            || url.query().is_some()
            || url.fragment().is_some()
        {
            return Err(ProxyError::Target(settings.target.clone()));
        }
        let tls = crate::verify::tls_settings(settings.ca_cert.as_deref(), settings.insecure)?;
        // Built once here so that a broken setting stops the start, not a
        // request.
        build_client(&settings, tls.clone())?;
        static PROXIES: AtomicUsize = AtomicUsize::new(0);
        Ok(Arc::new(Proxy {
            journal: Journal::new(settings.journal_size),
            clock: WallClock::new(),
            tally: Tally::new(),
            id: PROXIES.fetch_add(1, Ordering::Relaxed),
            mock,
            target,
            tls,
            settings,
        }))
    }

    /// The HTTP client of the worker thread this runs on, built on first
    /// use.
    ///
    /// One per worker, not one shared: a client's connections to the
    /// portal are driven by tasks on the runtime that opened them, and a
    /// request from another worker's runtime would hand every read and
    /// write across threads (a wake-up and a context switch each). Each
    /// worker keeps its own pool on its own thread, as nginx's workers
    /// keep their own upstream connections.
    fn client(&self) -> Result<reqwest::Client, ProxyError> {
        thread_local! {
            static CLIENT: std::cell::RefCell<Option<(usize, reqwest::Client)>> =
                const { std::cell::RefCell::new(None) };
        }
        CLIENT.with(|cached| {
            let mut cached = cached.borrow_mut();
            if let Some((id, client)) = &*cached
                && *id == self.id
            {
                return Ok(client.clone());
            }
            let client = build_client(&self.settings, self.tls.clone())?;
            *cached = Some((self.id, client.clone()));
            Ok(client)
        })
    }

    /// The mock the traffic is checked by.
    pub fn mock(&self) -> &Mock {
        &self.mock
    }

    /// The portal's base URL, without a trailing `/`.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The exchange journal.
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// The report of the traffic so far.
    pub fn report(&self) -> Report {
        self.tally.report(&self.mock, &self.target)
    }
}

/// The client that forwards to the portal (see [`Proxy::client`]).
fn build_client(
    settings: &Settings,
    tls: Option<rustls::ClientConfig>,
) -> Result<reqwest::Client, ProxyError> {
    let builder = reqwest::Client::builder()
        .connect_timeout(settings.timeout)
        .read_timeout(settings.timeout)
        // Redirects go back to the client, which decides; the proxy never
        // asks another host.
        .redirect(reqwest::redirect::Policy::none())
        // The bytes go to the client as the portal sent them.
        .no_gzip()
        .no_brotli()
        .no_deflate()
        .no_proxy()
        .tls_danger_accept_invalid_certs(settings.insecure);
    let builder = match tls {
        Some(config) => builder.tls_backend_preconfigured(config),
        None => builder,
    };
    builder
        .build()
        .map_err(|e| ProxyError::Client(crate::verify::VerifyError::Client(e.to_string())))
}

/// Proxies on `listener` until `shutdown` completes, then lets the
/// exchanges in flight finish; connections are accepted and served as
/// `serve` serves them ([`crate::serve::listen`]).
pub async fn serve(
    listener: TcpListener,
    proxy: Arc<Proxy>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let gate = Arc::new(AdminGate::new(
        &proxy.settings.admin,
        listener.local_addr()?,
    ));
    let (header_timeout, workers) = (proxy.settings.limits.header_timeout, proxy.settings.workers);
    crate::serve::listen::accept(
        listener,
        header_timeout,
        workers,
        shutdown,
        |peer, activity| {
            let client = Arc::new(forward::Client {
                proxy: Arc::clone(&proxy),
                address: peer.to_string(),
                activity: Arc::clone(activity),
                gate: Arc::clone(&gate),
            });
            service_fn(move |request| forward::respond(Arc::clone(&client), request))
        },
    )
    .await
}

/// Locks `mutex` even when a thread panicked while holding it: the tally
/// is whole between any two statements.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
