//! The request journal: the last requests with each one's verdict and
//! violations, for the admin API and for tests that ask what was sent.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use serde::Serialize;

use crate::pipeline::Verdict;
use crate::problem::Violation;

/// One journaled request.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Sequence number, counting from 1 since the server started.
    pub id: u64,
    /// When it was answered (RFC 3339, UTC, in JSON).
    #[serde(serialize_with = "rfc3339")]
    pub time: SystemTime,
    /// Method.
    pub method: String,
    /// Path.
    pub path: String,
    /// Query string, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The status answered.
    pub status: u16,
    /// The matched endpoint's id.
    pub endpoint: Option<String>,
    /// The verdict on the request.
    pub verdict: Verdict,
    /// The error message when refused or replayed anyway.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Every violation.
    pub violations: Vec<Violation>,
    /// Time to answer, in microseconds (delays included).
    pub micros: u64,
}

/// Times are formatted only when the journal is read, not on the hot path.
fn rfc3339<S: serde::Serializer>(time: &SystemTime, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&humantime::format_rfc3339_millis(*time))
}

/// The last `capacity` requests, newest last.
#[derive(Debug)]
pub struct Journal {
    entries: Mutex<VecDeque<Entry>>,
    capacity: usize,
    next: AtomicU64,
}

impl Journal {
    /// A journal keeping `capacity` entries (0 keeps none).
    pub fn new(capacity: usize) -> Journal {
        Journal {
            entries: Mutex::new(VecDeque::with_capacity(capacity.min(1024))),
            capacity,
            next: AtomicU64::new(1),
        }
    }

    /// Records `entry`, giving it the next id and the current time.
    pub fn record(&self, mut entry: Entry) {
        if self.capacity == 0 {
            return;
        }
        entry.id = self.next.fetch_add(1, Ordering::Relaxed);
        entry.time = SystemTime::now();
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() == self.capacity {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// The last `limit` entries, newest first.
    pub fn recent(&self, limit: usize) -> Vec<Entry> {
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.iter().rev().take(limit).cloned().collect()
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> Entry {
        Entry {
            id: 0,
            time: SystemTime::UNIX_EPOCH,
            method: "GET".into(),
            path: path.into(),
            query: None,
            status: 200,
            endpoint: None,
            verdict: Verdict::Valid,
            message: None,
            violations: Vec::new(),
            micros: 0,
        }
    }

    #[test]
    fn keeps_the_newest_entries_up_to_its_capacity() {
        let journal = Journal::new(2);
        for path in ["/a", "/b", "/c"] {
            journal.record(entry(path));
        }
        let paths: Vec<String> = journal.recent(10).into_iter().map(|e| e.path).collect();
        assert_eq!(paths, ["/c", "/b"]);
        journal.clear();
        assert!(journal.recent(10).is_empty());
    }
}
