//! The request journal: the last requests with each one's verdict and
//! violations, for the admin API and for tests that ask what was sent.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use serde::Serialize;

use crate::answer::pipeline::Verdict;
use crate::contract::problem::Violation;
use crate::contract::spec::ExampleSource;
use crate::serve::shard::{self, Padded};
use crate::serve::sync::lock;

/// What [`Journal::record`] copies of an answered request.
#[derive(Debug)]
pub struct Record<'a> {
    /// When it was answered.
    pub time: SystemTime,
    /// Method.
    pub method: &'a http::Method,
    /// Path.
    pub path: &'a str,
    /// Query string, if any.
    pub query: Option<&'a str>,
    /// The status answered.
    pub status: u16,
    /// The matched endpoint's id.
    pub endpoint: Option<&'a str>,
    /// The verdict on the request.
    pub verdict: Verdict,
    /// The error message when refused or replayed anyway.
    pub message: Option<String>,
    /// Every violation.
    pub violations: Vec<Violation>,
    /// What the vendor's server accepts that the documentation does not.
    pub warnings: Vec<String>,
    /// Time to answer, in microseconds.
    pub micros: u64,
    /// Where the body served comes from, when its page documents none.
    pub example: Option<&'a ExampleSource>,
    /// Why the answer's format is not the one the request seems to ask for.
    pub note: Option<&'static str>,
}

/// One journaled request.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Sequence number, counting from 1 since the server started.
    pub id: u64,
    /// When it was answered (RFC 3339, UTC, in JSON).
    #[serde(serialize_with = "rfc3339")]
    pub time: SystemTime,
    /// Method.
    #[serde(serialize_with = "method_name")]
    pub method: http::Method,
    /// Path.
    pub path: String,
    /// Query string, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The status answered.
    pub status: u16,
    /// The matched endpoint's id (a copy: sharing the catalog's would make
    /// every worker write one reference count).
    pub endpoint: Option<String>,
    /// The verdict on the request.
    pub verdict: Verdict,
    /// The error message when refused or replayed anyway.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Every violation.
    pub violations: Vec<Violation>,
    /// What the request did that the vendor's server accepts but the
    /// documentation does not (``documented parameter `version` not sent;
    /// the server binds 0``); absent when nothing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Time to answer, in microseconds (delays included).
    pub micros: u64,
    /// Where the body served comes from when no page documents it
    /// (`{"from": "no-data"}`, as the spec says it), the mark the
    /// `Docmock-Example` header carries; absent for a documented body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<ExampleSource>,
    /// Why the answer's format is not the one the request seems to ask for
    /// ("the ONLYOFFICE server ignores Accept; add .xml to the path").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
}

impl Entry {
    fn new(id: u64, request: Record<'_>) -> Entry {
        Entry {
            id,
            time: request.time,
            method: request.method.clone(),
            path: request.path.to_string(),
            query: request.query.map(str::to_string),
            status: request.status,
            endpoint: request.endpoint.map(str::to_string),
            verdict: request.verdict,
            message: request.message,
            violations: request.violations,
            warnings: request.warnings,
            micros: request.micros,
            example: request.example.cloned(),
            note: request.note,
        }
    }

    /// Makes this entry hold `request`, keeping its strings' buffers.
    fn refill(&mut self, id: u64, request: Record<'_>) {
        self.id = id;
        self.time = request.time;
        if self.method != *request.method {
            self.method = request.method.clone();
        }
        request.path.clone_into(&mut self.path);
        refill(&mut self.query, request.query);
        self.status = request.status;
        refill(&mut self.endpoint, request.endpoint);
        self.verdict = request.verdict;
        self.message = request.message;
        self.violations = request.violations;
        self.warnings = request.warnings;
        self.micros = request.micros;
        if self.example.as_ref() != request.example {
            self.example = request.example.cloned();
        }
        self.note = request.note;
    }
}

/// `slot` holding `value`, reusing the string already there.
fn refill(slot: &mut Option<String>, value: Option<&str>) {
    match (slot.as_mut(), value) {
        (Some(text), Some(value)) => value.clone_into(text),
        (_, value) => *slot = value.map(str::to_string),
    }
}

fn method_name<S: serde::Serializer>(
    method: &http::Method,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(method.as_str())
}

/// Times are formatted only when the journal is read, not on the hot path.
fn rfc3339<S: serde::Serializer>(time: &SystemTime, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&humantime::format_rfc3339_millis(*time))
}

/// The last `capacity` requests.
///
/// Each worker thread records into its own shard (see [`crate::serve::shard`]), so
/// recording touches no cache line another worker is writing but the id
/// counter; reading merges the shards by id.
#[derive(Debug)]
pub struct Journal {
    shards: Box<[Padded<Mutex<Ring>>]>,
    capacity: usize,
    next: Padded<AtomicU64>,
}

impl Journal {
    /// A journal keeping `capacity` entries (0 keeps none).
    pub fn new(capacity: usize) -> Journal {
        Journal {
            shards: (0..shard::SHARDS)
                .map(|_| Padded(Mutex::new(Ring::default())))
                .collect(),
            capacity,
            next: Padded(AtomicU64::new(1)),
        }
    }

    /// Records `request`, giving it the next id.
    ///
    /// Once the shard is full, the oldest entry's strings are refilled in
    /// place rather than freed and allocated again for the newest.
    pub fn record(&self, request: Record<'_>) {
        if self.capacity == 0 {
            return;
        }
        let id = self.next.0.fetch_add(1, Ordering::Relaxed);
        let mut ring = lock(&self.shards[shard::index()].0);
        if ring.entries.len() < self.capacity {
            ring.entries.push(Entry::new(id, request));
            return;
        }
        let oldest = ring.oldest % ring.entries.len();
        ring.entries[oldest].refill(id, request);
        ring.oldest = oldest + 1;
    }

    /// The last `limit` entries (at most the capacity), newest first.
    pub fn recent(&self, limit: usize) -> Vec<Entry> {
        let mut all: Vec<Entry> = self
            .shards
            .iter()
            .flat_map(|shard| lock(&shard.0).entries.clone())
            .collect();
        all.sort_unstable_by_key(|entry| std::cmp::Reverse(entry.id));
        all.truncate(limit.min(self.capacity));
        all
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        for shard in &self.shards {
            *lock(&shard.0) = Ring::default();
        }
    }
}

/// One shard's entries, in no order: readers sort by id. Once full, the
/// oldest entry is overwritten where it lies, which touches the least
/// memory.
#[derive(Debug, Default)]
struct Ring {
    entries: Vec<Entry>,
    /// Where the oldest entry is, once `entries` is full.
    oldest: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> Record<'_> {
        Record {
            time: SystemTime::UNIX_EPOCH,
            method: &http::Method::GET,
            path,
            query: None,
            status: 200,
            endpoint: None,
            verdict: Verdict::Valid,
            message: None,
            violations: Vec::new(),
            warnings: Vec::new(),
            micros: 0,
            example: None,
            note: None,
        }
    }

    #[test]
    fn entries_recorded_on_many_threads_come_back_newest_first() {
        let journal = Journal::new(1000);
        std::thread::scope(|scope| {
            for t in 0..4 {
                let journal = &journal;
                scope.spawn(move || {
                    for i in 0..50 {
                        journal.record(entry(&format!("/{t}/{i}")));
                    }
                });
            }
        });
        let ids: Vec<u64> = journal.recent(usize::MAX).iter().map(|e| e.id).collect();
        assert_eq!(ids, (1..=200).rev().collect::<Vec<_>>());
        assert_eq!(journal.recent(3).len(), 3);
    }

    #[test]
    fn keeps_the_newest_entries_up_to_its_capacity() {
        let journal = Journal::new(2);
        for path in ["/a", "/b", "/c"] {
            journal.record(entry(path));
        }
        let paths: Vec<String> = journal.recent(10).into_iter().map(|e| e.path).collect();
        assert_eq!(paths, ["/c", "/b"]);
        for path in ["/d", "/e", "/f", "/g"] {
            journal.record(entry(path));
        }
        let paths: Vec<String> = journal.recent(10).into_iter().map(|e| e.path).collect();
        assert_eq!(paths, ["/g", "/f"]);
        journal.clear();
        assert!(journal.recent(10).is_empty());
        journal.record(entry("/h"));
        assert_eq!(journal.recent(10).len(), 1);
    }

    #[test]
    fn a_refilled_entry_keeps_nothing_of_the_one_it_replaces() {
        let journal = Journal::new(1);
        journal.record(Record {
            method: &http::Method::POST,
            query: Some("a=1"),
            endpoint: Some("an/old-endpoint"),
            message: Some("broken".into()),
            verdict: Verdict::Invalid,
            status: 400,
            ..entry("/old/and/rather/long/path")
        });
        journal.record(Record {
            endpoint: Some("new"),
            example: Some(&ExampleSource::NoData),
            note: None,
            ..entry("/new")
        });
        let entries = journal.recent(10);
        assert_eq!(entries.len(), 1);
        let newest = &entries[0];
        assert_eq!(newest.id, 2);
        assert_eq!(newest.method, http::Method::GET);
        assert_eq!(newest.path, "/new");
        assert_eq!(newest.query, None);
        assert_eq!(newest.endpoint.as_deref(), Some("new"));
        assert_eq!(newest.message, None);
        assert_eq!(newest.status, 200);
        assert_eq!(newest.verdict, Verdict::Valid);
        assert_eq!(newest.example, Some(ExampleSource::NoData));
        journal.record(entry("/documented"));
        assert_eq!(journal.recent(1)[0].example, None);
        journal.clear();
        assert!(journal.recent(10).is_empty());
    }
}
