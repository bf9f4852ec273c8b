//! The threads that serve connections: one single-threaded async runtime
//! per core, each accepted connection handed whole to the least busy one.
//!
//! A mock answer takes a few microseconds of work. Under tokio's
//! work-stealing runtime a noticeable share of each request went to the
//! scheduler itself: tasks that may move between workers pay for atomic
//! reference counts and shared run queues, and idle workers wake one
//! another to steal. A connection that stays on one thread keeps its state
//! in that core's cache, and its runtime waits on the socket directly
//! (`bench/load.sh`: GET went from 0.81x to 0.95x the requests per second
//! of a bare hyper server on the work-stealing runtime, a validated PUT
//! from 0.76x to 1.02x). What is given up is moving a busy connection to an
//! idle core; a mock's clients open many light connections (a browser six,
//! a load test dozens), so balancing them as they arrive is enough.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;

use tokio::runtime::{Builder, Handle};
use tokio::sync::oneshot;
use tokio::task::AbortHandle;

/// The worker threads; dropping them stops each once its connections are
/// gone (or drops the connections still open).
#[derive(Debug)]
pub struct Workers {
    workers: Vec<Worker>,
    /// Where the search for the least busy worker starts, moved on with
    /// every connection so that ties go round the workers in turn.
    next: usize,
}

#[derive(Debug)]
struct Worker {
    runtime: Handle,
    /// Connections this worker serves now.
    open: Arc<AtomicUsize>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// The number of workers when none is asked for: one per core.
pub fn default_count() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

impl Workers {
    /// Starts `count` worker threads (at least one).
    pub fn start(count: usize) -> io::Result<Workers> {
        let workers = (0..count.max(1))
            .map(|index| {
                let runtime = Builder::new_current_thread().enable_all().build()?;
                let handle = runtime.handle().clone();
                let (stop, stopped) = oneshot::channel::<()>();
                let thread = std::thread::Builder::new()
                    .name(format!("docmock-worker-{index}"))
                    .spawn(move || {
                        // Either a stop or the sender dropped ends the wait.
                        runtime.block_on(async {
                            let _ = stopped.await;
                        });
                    })?;
                Ok(Worker {
                    runtime: handle,
                    open: Arc::new(AtomicUsize::new(0)),
                    stop: Some(stop),
                    thread: Some(thread),
                })
            })
            .collect::<io::Result<Vec<_>>>()?;
        Ok(Workers { workers, next: 0 })
    }

    /// Serves `stream` on the worker with the fewest open connections:
    /// `serve` gets the stream registered with that worker's runtime.
    pub fn spawn<S, F>(&mut self, stream: std::net::TcpStream, serve: S) -> AbortHandle
    where
        S: FnOnce(tokio::net::TcpStream) -> F + Send + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        let count = self.workers.len();
        let chosen = (0..count)
            .map(|offset| (self.next + offset) % count)
            .min_by_key(|&i| self.workers[i].open.load(Ordering::Relaxed))
            .unwrap_or(0);
        self.next = (chosen + 1) % count;
        let worker = &self.workers[chosen];
        let open = Arc::clone(&worker.open);
        open.fetch_add(1, Ordering::Relaxed);
        worker
            .runtime
            .spawn(async move {
                let _open = Open(open);
                match tokio::net::TcpStream::from_std(stream) {
                    Ok(stream) => serve(stream).await,
                    Err(e) => tracing::warn!("cannot serve an accepted connection: {e}"),
                }
            })
            .abort_handle()
    }
}

/// Counts a connection as open on its worker until it ends or is aborted.
struct Open(Arc<AtomicUsize>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        for worker in &mut self.workers {
            if let Some(stop) = worker.stop.take() {
                let _ = stop.send(());
            }
        }
        for worker in &mut self.workers {
            if let Some(thread) = worker.thread.take() {
                let _ = thread.join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_go_to_the_least_busy_worker_and_stop_with_the_workers() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("non-blocking");
        let address = listener.local_addr().expect("address");
        let mut workers = Workers::start(2).expect("workers start");
        let (tx, rx) = std::sync::mpsc::channel();
        let mut clients = Vec::new();
        for _ in 0..4 {
            clients.push(std::net::TcpStream::connect(address).expect("connect"));
            let stream = loop {
                match listener.accept() {
                    Ok((stream, _)) => break stream,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => std::thread::yield_now(),
                    Err(e) => panic!("accept: {e}"),
                }
            };
            stream.set_nonblocking(true).expect("non-blocking");
            let tx = tx.clone();
            workers.spawn(stream, move |_stream| async move {
                let name = std::thread::current().name().map(str::to_owned);
                let _ = tx.send(name);
                std::future::pending::<()>().await;
            });
        }
        let mut names: Vec<String> = (0..4)
            .map(|_| rx.recv().expect("served").expect("named thread"))
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "docmock-worker-0",
                "docmock-worker-0",
                "docmock-worker-1",
                "docmock-worker-1"
            ]
        );
        let open: Vec<usize> = workers
            .workers
            .iter()
            .map(|w| w.open.load(Ordering::Relaxed))
            .collect();
        assert_eq!(open, [2, 2]);
        // Dropping the workers drops the connections still pending and
        // ends the threads, rather than waiting for ever.
        drop(workers);
    }
}
