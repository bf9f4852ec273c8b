//! Wall-clock times for request lines and journal entries, taken from the
//! monotonic reading a request's duration is measured with.
//!
//! Reading the system clock costs about as much as reading the monotonic
//! one, and an answered request already reads the monotonic clock when it
//! ends. [`WallClock`] turns that reading into a wall-clock time with the
//! offset between the two clocks, so a request needs no clock read of its
//! own for its timestamp. The offset is read again at most a second after
//! it was last read, so a system clock that is set or stepped shows in the
//! timestamps within a second.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long an offset between the clocks is used before it is read again.
const RESYNC_AFTER: Duration = Duration::from_secs(1);

/// Converts monotonic readings to wall-clock times; shared by every worker.
#[derive(Debug)]
pub struct WallClock {
    anchor: Instant,
    /// Nanoseconds from the Unix epoch to `anchor`, as of the last reading.
    epoch_to_anchor: AtomicU64,
    /// Nanoseconds from `anchor` to the last reading of the offset.
    synced_at: AtomicU64,
}

impl Default for WallClock {
    fn default() -> Self {
        WallClock::new()
    }
}

impl WallClock {
    /// A clock anchored now.
    pub fn new() -> WallClock {
        let clock = WallClock {
            anchor: Instant::now(),
            epoch_to_anchor: AtomicU64::new(0),
            synced_at: AtomicU64::new(0),
        };
        clock.sync(0);
        clock
    }

    /// The wall-clock time of the monotonic reading `at`.
    ///
    /// Two workers may read the offset again at once, and one may use the
    /// new offset with the old reading time for a moment: either way a
    /// timestamp is off by no more than the clocks drift apart in a second.
    pub fn time_of(&self, at: Instant) -> SystemTime {
        let since_anchor = nanos(at.saturating_duration_since(self.anchor));
        if since_anchor.saturating_sub(self.synced_at.load(Ordering::Relaxed))
            >= nanos(RESYNC_AFTER)
        {
            self.sync(since_anchor);
        }
        let epoch_to_anchor = self.epoch_to_anchor.load(Ordering::Relaxed);
        UNIX_EPOCH + Duration::from_nanos(epoch_to_anchor.saturating_add(since_anchor))
    }

    /// Reads the offset between the clocks, `since_anchor` nanoseconds
    /// after the anchor.
    fn sync(&self, since_anchor: u64) {
        let now = Instant::now();
        let wall = nanos(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default(),
        );
        let anchor_age = nanos(now.saturating_duration_since(self.anchor));
        self.epoch_to_anchor
            .store(wall.saturating_sub(anchor_age), Ordering::Relaxed);
        self.synced_at.store(since_anchor, Ordering::Relaxed);
    }
}

/// Whole nanoseconds of `duration`, saturating (after 584 years).
fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apart(a: SystemTime, b: SystemTime) -> Duration {
        a.duration_since(b)
            .or_else(|_| b.duration_since(a))
            .unwrap_or_default()
    }

    #[test]
    fn a_reading_now_is_the_time_now() {
        let clock = WallClock::new();
        let before = SystemTime::now();
        let time = clock.time_of(Instant::now());
        let after = SystemTime::now();
        assert!(
            apart(time, before) <= apart(after, before) + Duration::from_millis(5),
            "{time:?} is not between {before:?} and {after:?}"
        );
    }

    #[test]
    fn later_readings_are_later_by_as_much() {
        let clock = WallClock::new();
        let first = Instant::now();
        let second = first + Duration::from_millis(250);
        let gap = clock
            .time_of(second)
            .duration_since(clock.time_of(first))
            .expect("later");
        assert_eq!(gap, Duration::from_millis(250));
    }

    #[test]
    fn the_offset_is_read_again_after_a_second() {
        let clock = WallClock::new();
        clock.epoch_to_anchor.store(0, Ordering::Relaxed);
        let soon = clock.anchor + Duration::from_millis(10);
        assert!(
            clock.time_of(soon) < UNIX_EPOCH + Duration::from_secs(1),
            "a stale offset is kept within the second"
        );
        let later = clock.anchor + RESYNC_AFTER + Duration::from_millis(10);
        assert!(
            apart(clock.time_of(later), SystemTime::now()) < Duration::from_secs(5),
            "the offset is read again"
        );
    }
}
