//! The accept loop `serve` and `proxy` share: connections accepted, handed
//! whole to the least busy worker thread, watched for idleness, and closed
//! gracefully on shutdown.
//!
//! Generic over the hyper service each connection gets, so that each
//! server's per-request code is compiled in as it is, with nothing between
//! hyper and it.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::{Body, Incoming};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;

use crate::serve::connection::{Activity, Connections, Served};
use crate::serve::workers::Workers;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Serves on `listener` until `shutdown` completes, then lets in-flight
/// requests finish: each connection gets the service `service` makes for
/// its peer and its [`Activity`] (which its requests must mark, see
/// [`Activity::begin`]), on one of `workers` threads; a connection without
/// a complete request head for `header_timeout` is closed.
pub async fn accept<M, S, B>(
    listener: TcpListener,
    header_timeout: Duration,
    workers: usize,
    shutdown: impl Future<Output = ()>,
    service: M,
) -> std::io::Result<()>
where
    M: Fn(SocketAddr, &Arc<Activity>) -> S,
    S: hyper::service::Service<http::Request<Incoming>, Response = http::Response<B>>
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    // No hyper timer: the header read timeout is a watchdog sweeping every
    // connection (see `connection`), which costs less per request.
    let builder = auto::Builder::new(TokioExecutor::new());
    let connections = Arc::new(Connections::new(header_timeout));
    let watchdog = connections.watch_in_background()?;
    let mut workers = Workers::start(workers)?;
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
                // The stream moves to its worker's runtime.
                let stream = match stream.into_std() {
                    Ok(stream) => stream,
                    Err(e) => {
                        tracing::warn!("cannot hand over the connection from {peer}: {e}");
                        continue;
                    }
                };
                let activity = Arc::new(Activity::new());
                let service = service(peer, &activity);
                let watched = Arc::clone(&activity);
                let builder = builder.clone();
                let task = workers.spawn(stream, move |stream| async move {
                    let connection = builder.serve_connection(TokioIo::new(stream), service);
                    let connection = Served::new(connection, activity);
                    if let Err(e) = connection.await {
                        tracing::debug!("connection from {peer} ended: {e}");
                    }
                });
                connections.watch(watched, task);
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    connections.close_all();
    while !connections.all_ended() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    drop(watchdog);
    drop(workers);
    Ok(())
}
