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
//! so the request path pays for two relaxed atomic stores and a load, and
//! the async runtime carries no timer at all.
//!
//! A request that has arrived is not idle, even when its connection's
//! worker is busy with another and has not read it yet: the sweep only
//! marks a connection it finds idle past the limit and wakes it, and the
//! connection closes when its worker next polls it only if no request has
//! begun meanwhile (the poll reads whatever the socket holds first).
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
    /// Set by the watchdog when it finds the connection idle past the
    /// limit: `idle_since` as it found it, plus one (0 when not set). The
    /// connection closes when its worker next polls it and finds nothing
    /// has happened since (see [`Activity::expired_unserved`]).
    expired: AtomicU64,
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
            expired: AtomicU64::new(0),
            closing: AtomicBool::new(false),
            waker: Mutex::new(None),
        }
    }

    /// Asks the connection to finish what it is serving and close.
    fn close(&self) {
        self.closing.store(true, Ordering::Release);
        self.wake();
    }

    fn wake(&self) {
        if let Some(waker) = &*lock(&self.waker) {
            waker.wake_by_ref();
        }
    }

    /// When the connection has had no request in progress for `limit` at
    /// `now`, marks it expired and wakes it, so that it closes once its
    /// worker finds nothing has arrived since; whether it did.
    ///
    /// The watchdog does not close the connection itself: it runs on a
    /// thread of its own, and cannot tell a client that sent nothing from
    /// one whose request sits unread in the socket while the connection's
    /// worker is busy with another. Only the worker, reading the socket,
    /// can.
    fn expire_if_idle(&self, limit: Duration, now: Instant) -> bool {
        let idle_since = self.idle_since.load(Ordering::Relaxed);
        if !self.idle_past(idle_since, limit, now) {
            return false;
        }
        let seen = idle_since.saturating_add(1);
        if self.expired.swap(seen, Ordering::AcqRel) != seen {
            self.wake();
        }
        true
    }

    /// Whether the connection was found idle past the limit and has begun
    /// no request since; clears the mark either way. The connection asks
    /// each time its worker has polled it.
    fn expired_unserved(&self) -> bool {
        // The common case, not expired, costs one load of a line this
        // connection's worker already holds.
        if self.expired.load(Ordering::Relaxed) == 0 {
            return false;
        }
        let seen = self.expired.swap(0, Ordering::AcqRel);
        seen != 0
            && self.in_flight.load(Ordering::Acquire) == 0
            && self.idle_since.load(Ordering::Relaxed) == seen - 1
    }

    /// Marks a request in progress until the guard is dropped (when its
    /// answer is handed over, or the request is abandoned).
    pub fn begin(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Acquire);
        InFlight(self)
    }

    /// Whether the connection, whose last request ended `idle_since`
    /// microseconds after it opened, has had no request in progress for
    /// `limit` at `now`. Durations only, so that no limit, however long,
    /// overflows.
    fn idle_past(&self, idle_since: u64, limit: Duration, now: Instant) -> bool {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return false;
        }
        now.saturating_duration_since(self.opened)
            .saturating_sub(Duration::from_micros(idle_since))
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
    type Output = Result<(), C::Error>;

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
        let polled = this.connection.as_mut().poll(context);
        // Asked after the connection has read what the socket holds: a
        // request that arrived while the worker was busy has begun by now.
        if polled.is_pending() && this.activity.expired_unserved() {
            return Poll::Ready(Ok(()));
        }
        polled
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

    /// Watches the connection whose task is `task`, served by a [`Served`]
    /// with `activity`: it closes once `activity` has been idle for the
    /// limit and its worker finds no request waiting.
    pub fn watch(&self, activity: Arc<Activity>, task: AbortHandle) {
        self.lock().push(Watched { activity, task });
    }

    /// Asks the connections idle for the limit at `now` to close unless a
    /// request has arrived (see [`Activity::expire_if_idle`]), and forgets
    /// the ones that have ended; how many were asked.
    pub fn sweep(&self, now: Instant) -> usize {
        let mut asked = 0;
        self.lock().retain(|watched| {
            if watched.task.is_finished() {
                return false;
            }
            if watched.activity.expire_if_idle(self.limit, now) {
                asked += 1;
            }
            true
        });
        asked
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
                    let asked = connections.sweep(Instant::now());
                    if asked > 0 {
                        tracing::debug!(
                            "closing {asked} connections that sent no complete request within {}",
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

    fn idle(activity: &Activity, limit: Duration, now: Instant) -> bool {
        activity.idle_past(activity.idle_since.load(Ordering::Relaxed), limit, now)
    }

    #[test]
    fn a_connection_is_idle_from_its_opening_until_a_request_begins() {
        let activity = Activity::new();
        let limit = Duration::from_secs(10);
        let opened = activity.opened;
        assert!(!idle(&activity, limit, opened));
        assert!(!idle(&activity, limit, opened + limit / 2));
        assert!(idle(&activity, limit, opened + limit));
    }

    #[test]
    fn a_request_in_progress_is_never_idle_and_its_end_restarts_the_clock() {
        let activity = Activity::new();
        let limit = Duration::from_millis(50);
        let later = activity.opened + Duration::from_secs(3600);
        let request = activity.begin();
        assert!(!idle(&activity, limit, later));
        std::thread::sleep(Duration::from_millis(5));
        drop(request);
        let ended =
            activity.opened + Duration::from_micros(activity.idle_since.load(Ordering::Relaxed));
        assert!(ended >= activity.opened + Duration::from_millis(5));
        assert!(!idle(&activity, limit, ended));
        assert!(idle(&activity, limit, ended + limit));
    }

    #[test]
    fn a_limit_too_long_to_add_to_an_instant_never_expires() {
        let activity = Activity::new();
        let much_later = activity.opened + Duration::from_secs(100 * 365 * 86_400);
        assert!(!idle(&activity, Duration::MAX, much_later));
    }

    #[tokio::test]
    async fn a_sweep_leaves_busy_connections_alone_and_forgets_ended_ones() {
        let limit = Duration::from_secs(10);
        let connections = Connections::new(limit);
        let busy = Arc::new(Activity::new());
        let request = busy.begin();
        let busy_task = tokio::spawn(std::future::pending::<()>());
        let mut ended_task = tokio::spawn(async {});
        connections.watch(Arc::clone(&busy), busy_task.abort_handle());
        let _ = (&mut ended_task).await;
        connections.watch(Arc::new(Activity::new()), ended_task.abort_handle());

        assert_eq!(connections.sweep(Instant::now()), 0, "nothing idle yet");
        assert_eq!(connections.lock().len(), 1, "the ended one is forgotten");
        let later = busy.opened + limit + Duration::from_millis(1);
        assert_eq!(connections.sweep(later), 0, "a request is in progress");
        assert!(!busy_task.is_finished());
        drop(request);
        busy_task.abort();
    }

    /// A request that has arrived while the connection's worker was busy
    /// elsewhere (the sweep runs on a thread of its own, so it can find the
    /// connection idle past the limit with the request unread in its socket)
    /// is served: the connection itself decides, once its worker polls it.
    #[tokio::test]
    async fn a_connection_past_the_limit_closes_only_if_its_worker_then_finds_no_request() {
        let limit = Duration::from_secs(10);
        let connections = Connections::new(limit);
        let waiting = Arc::new(Activity::new());
        let idle = Arc::new(Activity::new());
        let waiting_task = tokio::spawn(std::future::pending::<()>());
        let idle_task = tokio::spawn(std::future::pending::<()>());
        connections.watch(Arc::clone(&waiting), waiting_task.abort_handle());
        connections.watch(Arc::clone(&idle), idle_task.abort_handle());

        let later = waiting.opened.max(idle.opened) + limit + Duration::from_millis(1);
        assert_eq!(connections.sweep(later), 2, "both idle past the limit");
        tokio::task::yield_now().await;
        assert!(!waiting_task.is_finished(), "left to the connection");
        assert!(!idle_task.is_finished(), "left to the connection");

        // The worker gets to the connections: one had a request waiting,
        // which hyper reads and answers in the same poll.
        waiting.begin().end_at(Instant::now());
        assert!(!waiting.expired_unserved(), "its request was served");
        assert!(idle.expired_unserved(), "nothing came: it closes");
        assert!(!idle.expired_unserved(), "asked once per sweep");
        waiting_task.abort();
        idle_task.abort();
    }
}
