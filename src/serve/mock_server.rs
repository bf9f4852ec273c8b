//! An in-process docmock server for Rust tests, in the spirit of
//! wiremock's `MockServer`: start it from a spec directory, point the code
//! under test at its base URL, read its journal, and let `Drop` shut it down.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use tokio::sync::oneshot;

use crate::answer::pipeline::Mock;
use crate::answer::router::Mount;
use crate::contract::catalog::{Catalog, LoadErrors, Source};
use crate::serve::journal::Entry;
use crate::serve::server::{Settings, Shared};

/// Why a [`MockServer`] could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The spec directory does not load.
    #[error(transparent)]
    Specs(#[from] LoadErrors),
    /// No loopback port could be bound.
    #[error("cannot listen on a loopback port: {0}")]
    Listen(#[from] std::io::Error),
}

/// A running docmock server on a free loopback port; stopped on drop.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use docmock::MockServer;
///
/// // Arrange: serve the bundled specs.
/// let server = MockServer::start("specs").await.expect("the specs load");
///
/// // Act: call it as the code under test would.
/// let reply = reqwest::Client::new()
///     .get(format!("{}/r7/api/2.0/crm/contact/1234.json", server.base_url()))
///     .header("Authorization", "test-token")
///     .send()
///     .await
///     .expect("the server answers");
///
/// // Assert: the documented example came back, and the journal saw it.
/// assert_eq!(reply.status(), 200);
/// let journal = server.requests();
/// assert_eq!(journal[0].endpoint.as_deref(), Some("r7/get-crm-contact-contactid"));
/// assert_eq!(journal[0].verdict.as_str(), "valid");
/// # }
/// ```
#[derive(Debug)]
pub struct MockServer {
    address: SocketAddr,
    base_url: String,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
}

impl MockServer {
    /// Serves the spec directory `specs` (fixtures in the `fixtures/` beside
    /// it) with every API under its prefix and default settings, on one
    /// worker thread: a test's requests need no more, and a suite running
    /// many tests at once then starts one thread per server, not one per
    /// core.
    pub async fn start(specs: impl AsRef<Path>) -> Result<MockServer, StartError> {
        let catalog = Catalog::load(&Source::new(specs.as_ref(), None))?;
        let mock = Mock::new(catalog, &Mount::All).map_err(LoadErrors)?;
        let settings = Settings {
            workers: 1,
            ..Settings::default()
        };
        MockServer::start_with(mock, settings).await
    }

    /// Serves `mock` with `settings`, for tests that need a mount, a
    /// [`crate::answer::validate::Policy`] or settings of their own.
    pub async fn start_with(mock: Mock, settings: Settings) -> Result<MockServer, StartError> {
        // reqwest, which tests usually call docmock with, wants a process
        // TLS provider even for plain HTTP.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let shared = Shared::new(mock, settings);
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = Arc::clone(&shared);
        tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(error) = crate::serve::server::serve(listener, serving, shutdown).await {
                tracing::error!("the mock server stopped: {error}");
            }
        });
        Ok(MockServer {
            address,
            base_url: format!("http://{address}"),
            shared,
            stop: Some(stop),
        })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The socket address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The requests it has answered, newest first.
    pub fn requests(&self) -> Vec<Entry> {
        self.shared.journal().recent(usize::MAX)
    }

    /// Forgets the requests answered so far.
    pub fn clear_requests(&self) {
        self.shared.journal().clear();
    }

    /// Serves another catalog from the next request on.
    pub fn replace(&self, mock: Mock) {
        self.shared.replace(mock);
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
