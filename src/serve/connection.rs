//! Client connections: what each is doing, and the watchdog that closes
//! those that go too long without a request in progress.
//!
//! This is the header read timeout. A client must send a complete request
//! head within the limit of the server starting to wait for one (when the
//! connection opens, and again when the previous answer is handed over);
//! idle keep-alive connections and clients that dribble their headers are
//! closed after the limit either way. hyper has the same timeout built in,
//! but it arms a fresh timer for every request, a boxed future and two
//! trips through the timer wheel, which is a noticeable share of a mock
//! answer. Here one thread sweeps every connection a few times per limit,
//! so the request path pays for two relaxed atomic stores and the async
//! runtime carries no timer at all.
//!
//! Graceful shutdown goes through the same registry: [`Connections::close_all`]
//! asks every connection to finish the request it is serving and close
//! (see [`Served`]), and [`Connections::all_ended`] says when they have.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use hyper_util::server::graceful::GracefulConnection;
use tokio::task::AbortHandle;

use crate::serve::sync::lock;

/// What the watchdog knows of one connection.
///
/// Every request writes it, from whichever worker serves the connection.
/// Aligned to cache lines of its own: connections accepted one after the
/// other would otherwise get neighbouring allocations, and two workers
/// serving neighbours would pass one line back and forth between their
/// cores on every request.
#[derive(Debug)]
#[repr(align(128))]
pub struct Activity {
    opened: Instant,
    in_flight: AtomicUsize,
    /// When the last request in progress ended, in microseconds since
    /// `opened` (0 until one has).
    idle_since: AtomicU64,
    /// Set when the server shuts down.
    closing: AtomicBool,
    /// Wakes the connection's task, so that it sees `closing`.
    waker: Mutex<Option<Waker>>,
}

impl Activity {
    /// A connection opened now, waiting for its first request.
    pub fn new() -> Activity {
        Activity {
            opened: Instant::now(),
            in_flight: AtomicUsize::new(0),
            idle_since: AtomicU64::new(0),
            closing: AtomicBool::new(false),
            waker: Mutex::new(None),
        }
    }

    /// Asks the connection to finish what it is serving and close.
    fn close(&self) {
        self.closing.store(true, Ordering::Release);
        if let Some(waker) = &*lock(&self.waker) {
            waker.wake_by_ref();
        }
    }

    /// Marks a request in progress until the guard is dropped (when its
    /// answer is handed over, or the request is abandoned).
    pub fn begin(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Acquire);
        InFlight(self)
    }

    /// Whether the connection has had no request in progress for `limit`
    /// at `now`. Durations only, so that no limit, however long, overflows.
    fn idle_past(&self, limit: Duration, now: Instant) -> bool {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return false;
        }
        let idle_since = Duration::from_micros(self.idle_since.load(Ordering::Relaxed));
        now.saturating_duration_since(self.opened)
            .saturating_sub(idle_since)
            >= limit
    }
}

impl Default for Activity {
    fn default() -> Self {
        Activity::new()
    }
}

/// A request in progress on a connection; see [`Activity::begin`].
#[derive(Debug)]
pub struct InFlight<'a>(&'a Activity);

impl InFlight<'_> {
    /// Ends the request at `at`, a time the caller has already read.
    pub fn end_at(self, at: Instant) {
        self.0.end(at);
        std::mem::forget(self);
    }
}

impl Drop for InFlight<'_> {
    /// An abandoned request ends when it is dropped.
    fn drop(&mut self) {
        self.0.end(Instant::now());
    }
}

/// A connection served until it ends, shut down gracefully once
/// [`Connections::close_all`] asks: the request in progress is answered,
/// and an idle connection closes at once.
///
/// hyper-util's `GracefulShutdown` does the same through a channel every
/// connection polls, and each poll locks a `Notify` the connection shares
/// with others (so with other workers' cores); here a poll reads one flag of
/// the connection's own, and the waker is handed over only when it changes.
#[derive(Debug)]
pub struct Served<C> {
    connection: Pin<Box<C>>,
    activity: Arc<Activity>,
    /// The waker last handed to `activity`.
    waker: Option<Waker>,
    closing: bool,
}

impl<C> Served<C> {
    /// Serves `connection`, whose activity is `activity`.
    pub fn new(connection: C, activity: Arc<Activity>) -> Served<C> {
        Served {
            connection: Box::pin(connection),
            activity,
            waker: None,
            closing: false,
        }
    }
}

impl<C: GracefulConnection> Future for Served<C> {
    type Output = C::Output;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        // Handed over before `closing` is read, so that `close` either sees
        // this waker or happens before the read below.
        if !this
            .waker
            .as_ref()
            .is_some_and(|w| w.will_wake(context.waker()))
        {
            let waker = context.waker().clone();
            *lock(&this.activity.waker) = Some(waker.clone());
            this.waker = Some(waker);
        }
        if !this.closing && this.activity.closing.load(Ordering::Acquire) {
            this.closing = true;
            this.connection.as_mut().graceful_shutdown();
        }
        this.connection.as_mut().poll(context)
    }
}

impl Activity {
    fn end(&self, at: Instant) {
        let since = at.saturating_duration_since(self.opened).as_micros();
        self.idle_since
            .store(u64::try_from(since).unwrap_or(u64::MAX), Ordering::Relaxed);
        self.in_flight.fetch_sub(1, Ordering::Release);
    }
}

/// Stops the sweeping thread of [`Connections::watch_in_background`] when
/// dropped.
#[derive(Debug)]
pub struct Watchdog {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        // Dropping the sender wakes the thread at once.
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The connections being served, watched for idleness.
#[derive(Debug)]
pub struct Connections {
    open: Mutex<Vec<Watched>>,
    limit: Duration,
}

#[derive(Debug)]
struct Watched {
    activity: Arc<Activity>,
    task: AbortHandle,
}

impl Connections {
    /// Watches for connections idle longer than `limit`.
    pub fn new(limit: Duration) -> Connections {
        Connections {
            open: Mutex::new(Vec::new()),
            limit,
        }
    }

    /// Watches the connection whose task is `task`: it is aborted (closing
    /// its socket) once `activity` has been idle for the limit.
    pub fn watch(&self, activity: Arc<Activity>, task: AbortHandle) {
        self.lock().push(Watched { activity, task });
    }

    /// Closes the connections idle for the limit at `now` and forgets the
    /// ones that have ended; how many were closed.
    pub fn sweep(&self, now: Instant) -> usize {
        let mut closed = 0;
        self.lock().retain(|watched| {
            if watched.task.is_finished() {
                return false;
            }
            if !watched.activity.idle_past(self.limit, now) {
                return true;
            }
            watched.task.abort();
            closed += 1;
            false
        });
        closed
    }

    /// Asks every connection to finish the request it is serving and close;
    /// idle ones close at once.
    pub fn close_all(&self) {
        for watched in self.lock().iter() {
            watched.activity.close();
        }
    }

    /// Whether every connection watched has ended.
    pub fn all_ended(&self) -> bool {
        let mut open = self.lock();
        open.retain(|watched| !watched.task.is_finished());
        open.is_empty()
    }

    /// Sweeps a few times per limit on a thread of its own until the
    /// returned [`Watchdog`] is dropped.
    ///
    /// A thread rather than a task: a timer always pending in the async
    /// runtime makes every worker read the clock and walk its timer wheel
    /// each time it parks, which at full load is once or twice a request.
    pub fn watch_in_background(self: &Arc<Self>) -> std::io::Result<Watchdog> {
        let period = (self.limit / 8).clamp(Duration::from_millis(25), Duration::from_secs(1));
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let connections = Arc::clone(self);
        let thread = std::thread::Builder::new()
            .name("docmock-watchdog".into())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(period) {
                    let closed = connections.sweep(Instant::now());
                    if closed > 0 {
                        tracing::debug!(
                            "closed {closed} connections that sent no complete request within {}",
                            humantime::format_duration(connections.limit)
                        );
                    }
                }
            })?;
        Ok(Watchdog {
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Watched>> {
        lock(&self.open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_is_idle_from_its_opening_until_a_request_begins() {
        let activity = Activity::new();
        let limit = Duration::from_secs(10);
        let opened = activity.opened;
        assert!(!activity.idle_past(limit, opened));
        assert!(!activity.idle_past(limit, opened + limit / 2));
        assert!(activity.idle_past(limit, opened + limit));
    }

    #[test]
    fn a_request_in_progress_is_never_idle_and_its_end_restarts_the_clock() {
        let activity = Activity::new();
        let limit = Duration::from_millis(50);
        let later = activity.opened + Duration::from_secs(3600);
        let request = activity.begin();
        assert!(!activity.idle_past(limit, later));
        std::thread::sleep(Duration::from_millis(5));
        drop(request);
        let ended =
            activity.opened + Duration::from_micros(activity.idle_since.load(Ordering::Relaxed));
        assert!(ended >= activity.opened + Duration::from_millis(5));
        assert!(!activity.idle_past(limit, ended));
        assert!(activity.idle_past(limit, ended + limit));
    }

    #[test]
    fn a_limit_too_long_to_add_to_an_instant_never_expires() {
        let activity = Activity::new();
        let much_later = activity.opened + Duration::from_secs(100 * 365 * 86_400);
        assert!(!activity.idle_past(Duration::MAX, much_later));
    }

    #[tokio::test]
    async fn a_sweep_closes_idle_connections_keeps_busy_ones_and_forgets_ended_ones() {
        let limit = Duration::from_secs(10);
        let connections = Connections::new(limit);
        let idle = Arc::new(Activity::new());
        let busy = Arc::new(Activity::new());
        let request = busy.begin();
        let idle_task = tokio::spawn(std::future::pending::<()>());
        let busy_task = tokio::spawn(std::future::pending::<()>());
        let mut ended_task = tokio::spawn(async {});
        connections.watch(Arc::clone(&idle), idle_task.abort_handle());
        connections.watch(Arc::clone(&busy), busy_task.abort_handle());
        let _ = (&mut ended_task).await;
        connections.watch(Arc::new(Activity::new()), ended_task.abort_handle());

        assert_eq!(connections.sweep(Instant::now()), 0, "nothing idle yet");
        assert_eq!(connections.lock().len(), 2, "the ended one is forgotten");

        let later = idle.opened + limit + Duration::from_millis(1);
        assert_eq!(connections.sweep(later), 1);
        assert!(idle_task.await.expect_err("aborted").is_cancelled());
        assert_eq!(connections.lock().len(), 1, "the busy one is still watched");
        drop(request);
        busy_task.abort();
    }
}
