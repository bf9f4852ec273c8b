//! One client connection: its address, and the watchdog that closes it when
//! it goes too long without a request in progress.
//!
//! This is the header read timeout. A client must send a complete request
//! head within the limit of the server starting to wait for one (when the
//! connection opens, and again when the previous answer is handed over);
//! idle keep-alive connections and clients that dribble their headers are
//! closed after the limit either way. hyper has the same timeout built in,
//! but it arms a fresh timer for every request, a boxed future and two
//! trips through the timer wheel, which is a noticeable share of a mock
//! answer. Here a connection has one timer, re-armed only when it fires, so
//! the request path pays for two relaxed atomic stores.

use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// What the watchdog knows of one connection.
#[derive(Debug)]
pub struct Activity {
    opened: Instant,
    in_flight: AtomicUsize,
    /// When the last request in progress ended, in microseconds since
    /// `opened` (0 until one has).
    idle_since: AtomicU64,
}

impl Activity {
    /// A connection opened now, waiting for its first request.
    pub fn new() -> Activity {
        Activity {
            opened: Instant::now(),
            in_flight: AtomicUsize::new(0),
            idle_since: AtomicU64::new(0),
        }
    }

    /// Marks a request in progress until the guard is dropped (when its
    /// answer is handed over, or the request is abandoned).
    pub fn begin(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Acquire);
        InFlight(self)
    }

    /// When the connection will have been idle for `limit`, or `None` if it
    /// already has been at `now`.
    fn deadline(&self, limit: Duration, now: Instant) -> Option<Instant> {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return Some(now + limit);
        }
        let idle_since =
            self.opened + Duration::from_micros(self.idle_since.load(Ordering::Relaxed));
        let deadline = idle_since + limit;
        (deadline > now).then_some(deadline)
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

impl Activity {
    fn end(&self, at: Instant) {
        let since = at.saturating_duration_since(self.opened).as_micros();
        self.idle_since
            .store(u64::try_from(since).unwrap_or(u64::MAX), Ordering::Relaxed);
        self.in_flight.fetch_sub(1, Ordering::Release);
    }
}

/// Drives `connection` to its end, or drops it (closing the socket) once it
/// has had no request in progress for `limit`. `None` when it was closed
/// for being idle.
pub async fn close_when_idle<F: Future>(
    connection: F,
    activity: &Activity,
    limit: Duration,
) -> Option<F::Output> {
    tokio::pin!(connection);
    let timer = tokio::time::sleep(limit);
    tokio::pin!(timer);
    loop {
        tokio::select! {
            biased;
            output = &mut connection => return Some(output),
            () = &mut timer => match activity.deadline(limit, Instant::now()) {
                Some(next) => timer.as_mut().reset(next.into()),
                None => return None,
            },
        }
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
        assert_eq!(activity.deadline(limit, opened), Some(opened + limit));
        assert_eq!(activity.deadline(limit, opened + limit), None);
    }

    #[test]
    fn a_request_in_progress_is_never_idle_and_its_end_restarts_the_clock() {
        let activity = Activity::new();
        let limit = Duration::from_millis(50);
        let later = activity.opened + Duration::from_secs(3600);
        let request = activity.begin();
        assert_eq!(activity.deadline(limit, later), Some(later + limit));
        std::thread::sleep(Duration::from_millis(5));
        drop(request);
        let ended =
            activity.opened + Duration::from_micros(activity.idle_since.load(Ordering::Relaxed));
        assert!(ended >= activity.opened + Duration::from_millis(5));
        assert_eq!(activity.deadline(limit, ended), Some(ended + limit));
        assert_eq!(activity.deadline(limit, ended + limit), None);
    }

    #[tokio::test]
    async fn an_idle_connection_is_dropped_and_a_busy_one_is_not() {
        let limit = Duration::from_millis(100);
        let idle = Activity::new();
        let started = Instant::now();
        let closed = close_when_idle(std::future::pending::<()>(), &idle, limit).await;
        assert_eq!(closed, None);
        assert!(started.elapsed() >= limit);

        let busy = Activity::new();
        let request = busy.begin();
        let work = tokio::time::sleep(3 * limit);
        assert_eq!(close_when_idle(work, &busy, limit).await, Some(()));
        drop(request);
    }
}
