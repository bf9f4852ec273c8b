//! The request journal: the last requests with each one's verdict and
//! violations, for the admin API and for tests that ask what was sent.
//!
//! Its memory has a ceiling whatever is sent: an entry keeps at most
//! [`ENTRY_BUDGET`] bytes (a longer path, query, message, warning or
//! violation is cut, with a marker saying how much was left out), and the
//! whole journal at most [`TOTAL_BUDGET`] bytes, counted as allocated,
//! dropping its oldest entries to stay within it, whatever `--journal-size`
//! allows.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
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
    /// The violations, as many as the entry's budget holds.
    pub violations: Vec<Violation>,
    /// How many violations the entry left out to stay within its budget
    /// (the message says how many the request broke in all); absent when
    /// none.
    #[serde(rename = "violationsNotKept", skip_serializing_if = "is_zero")]
    pub violations_not_kept: usize,
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
    /// The bytes this entry holds, as allocated, counted against the
    /// journal's budget.
    #[serde(skip)]
    bytes: usize,
}

/// The most one entry keeps, in bytes: a request with a 60 KB path or
/// a hundred long violations is journaled, cut to this.
pub const ENTRY_BUDGET: usize = 16 * 1024;

/// The most the whole journal keeps, in bytes: at least 256 entries at
/// their largest, thousands as they usually are.
pub const TOTAL_BUDGET: usize = 4 * 1024 * 1024;

/// The most a path or query string keeps.
const URL_PART_BUDGET: usize = 1024;

/// The most a message keeps.
const MESSAGE_BUDGET: usize = 2048;

/// The most a warning, or one text of a violation, keeps.
const LINE_BUDGET: usize = 256;

/// The most warnings an entry keeps.
const WARNINGS_KEPT: usize = 16;

fn is_zero(count: &usize) -> bool {
    *count == 0
}

impl Entry {
    fn new(id: u64, request: Record<'_>) -> Entry {
        let mut entry = Entry {
            id,
            time: request.time,
            method: request.method.clone(),
            path: String::new(),
            query: None,
            status: request.status,
            endpoint: request.endpoint.map(str::to_string),
            verdict: request.verdict,
            message: request.message,
            violations: request.violations,
            violations_not_kept: 0,
            warnings: request.warnings,
            micros: request.micros,
            example: request.example.cloned(),
            note: request.note,
            bytes: 0,
        };
        copy_cut(request.path, URL_PART_BUDGET, &mut entry.path);
        refill(&mut entry.query, request.query);
        entry.fit();
        entry
    }

    /// Makes this entry hold `request`, keeping its strings' buffers.
    fn refill(&mut self, id: u64, request: Record<'_>) {
        self.id = id;
        self.time = request.time;
        if self.method != *request.method {
            self.method = request.method.clone();
        }
        copy_cut(request.path, URL_PART_BUDGET, &mut self.path);
        refill(&mut self.query, request.query);
        self.status = request.status;
        refill(&mut self.endpoint, request.endpoint);
        self.verdict = request.verdict;
        self.message = request.message;
        self.violations = request.violations;
        self.violations_not_kept = 0;
        self.warnings = request.warnings;
        self.micros = request.micros;
        if self.example.as_ref() != request.example {
            self.example = request.example.cloned();
        }
        self.note = request.note;
        self.fit();
    }

    /// Cuts what the request handed over to the entry's budget, and counts
    /// the bytes kept.
    fn fit(&mut self) {
        if let Some(message) = &mut self.message {
            cut(message, MESSAGE_BUDGET);
        }
        self.warnings.truncate(WARNINGS_KEPT);
        for warning in &mut self.warnings {
            cut(warning, LINE_BUDGET);
        }
        self.warnings.shrink_to_fit();
        let mut bytes = self.bytes_besides_violations();
        let mut kept = 0;
        for violation in &mut self.violations {
            for text in [&mut violation.pointer, &mut violation.expected] {
                cut(text, LINE_BUDGET);
            }
            if let Some(got) = &mut violation.got {
                cut(got, LINE_BUDGET);
            }
            let size = violation_bytes(violation);
            if bytes + size > ENTRY_BUDGET {
                break;
            }
            bytes += size;
            kept += 1;
        }
        self.violations_not_kept = self.violations.len() - kept;
        self.violations.truncate(kept);
        self.violations.shrink_to_fit();
        self.bytes = bytes;
    }

    /// The bytes the entry holds, its violations left out.
    fn bytes_besides_violations(&self) -> usize {
        let text = |t: &Option<String>| t.as_ref().map_or(0, String::capacity);
        std::mem::size_of::<Entry>()
            + self.path.capacity()
            + text(&self.query)
            + text(&self.endpoint)
            + text(&self.message)
            + self.warnings.capacity() * std::mem::size_of::<String>()
            + self.warnings.iter().map(String::capacity).sum::<usize>()
            + match &self.example {
                Some(ExampleSource::SameType { endpoint }) => endpoint.capacity(),
                Some(ExampleSource::Recorded { target, at }) => target.capacity() + at.capacity(),
                _ => 0,
            }
    }

    /// The bytes this entry holds, as counted against the budgets.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

/// The bytes `violation` holds.
fn violation_bytes(violation: &Violation) -> usize {
    std::mem::size_of::<Violation>()
        + violation.pointer.capacity()
        + violation.expected.capacity()
        + violation.got.as_ref().map_or(0, String::capacity)
}

/// `text` cut to about `budget` bytes at a character boundary, with a
/// marker saying how many were left out, its spare capacity given back.
fn cut(text: &mut String, budget: usize) {
    if text.len() > budget {
        let mut end = budget;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let left_out = text.len() - end;
        text.truncate(end);
        text.push_str(&format!("… [{left_out} more bytes not kept]"));
    }
    if text.capacity() > text.len() + 64 {
        text.shrink_to_fit();
    }
}

/// `into` holding `text` cut as [`cut`] does, reusing its buffer and
/// copying no more than is kept.
fn copy_cut(text: &str, budget: usize, into: &mut String) {
    into.clear();
    if text.len() <= budget {
        into.push_str(text);
    } else {
        let mut end = budget;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        into.push_str(&text[..end]);
        into.push_str(&format!("… [{} more bytes not kept]", text.len() - end));
    }
    if into.capacity() > into.len() + 64 {
        into.shrink_to_fit();
    }
}

/// `slot` holding `value` cut as [`cut`] does, reusing the string already
/// there.
fn refill(slot: &mut Option<String>, value: Option<&str>) {
    match (slot.as_mut(), value) {
        (Some(text), Some(value)) => copy_cut(value, URL_PART_BUDGET, text),
        (_, Some(value)) => {
            let mut text = String::new();
            copy_cut(value, URL_PART_BUDGET, &mut text);
            *slot = Some(text);
        }
        (_, None) => *slot = None,
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

/// The last `capacity` requests, within [`TOTAL_BUDGET`] bytes.
///
/// Each worker thread records into its own shard (see [`crate::serve::shard`]), so
/// recording touches no cache line another worker is writing but the id
/// and byte counters; reading merges the shards by id.
#[derive(Debug)]
pub struct Journal {
    shards: Box<[Padded<Mutex<Ring>>]>,
    capacity: usize,
    /// The most the entries may hold, in bytes.
    budget: usize,
    next: Padded<AtomicU64>,
    /// What the entries of every shard hold, in bytes.
    bytes: Padded<AtomicUsize>,
}

/// Which entries a reader asks for: those with ids between `after` and
/// `before` (both excluded), newest first, `limit` at most.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Only entries newer than this id (0: from the oldest).
    pub after: u64,
    /// Only entries older than this id (`u64::MAX`: up to the newest).
    pub before: u64,
    /// The most entries.
    pub limit: usize,
}

impl Window {
    /// The newest `limit` entries.
    pub fn newest(limit: usize) -> Window {
        Window {
            after: 0,
            before: u64::MAX,
            limit,
        }
    }

    fn holds(&self, id: u64) -> bool {
        self.after < id && id < self.before
    }
}

impl Journal {
    /// A journal keeping `capacity` entries (0 keeps none), within
    /// [`TOTAL_BUDGET`] bytes.
    pub fn new(capacity: usize) -> Journal {
        Journal::with_budget(capacity, TOTAL_BUDGET)
    }

    /// A journal keeping `capacity` entries within `budget` bytes.
    pub fn with_budget(capacity: usize, budget: usize) -> Journal {
        Journal {
            shards: (0..shard::SHARDS)
                .map(|_| Padded(Mutex::new(Ring::default())))
                .collect(),
            capacity,
            budget,
            next: Padded(AtomicU64::new(1)),
            bytes: Padded(AtomicUsize::new(0)),
        }
    }

    /// Records `request`, giving it the next id, and drops the oldest
    /// entries of the shard it goes to while the journal is over its
    /// budget. The shards fill alike, so that is about the journal's
    /// oldest; only when this shard holds nothing else are others asked.
    ///
    /// Once the shard is full, the oldest entry's strings are refilled in
    /// place rather than freed and allocated again for the newest.
    pub fn record(&self, request: Record<'_>) {
        if self.capacity == 0 {
            return;
        }
        let id = self.next.0.fetch_add(1, Ordering::Relaxed);
        let mine = shard::index();
        let mut ring = lock(&self.shards[mine].0);
        let entry = if ring.entries.len() < self.capacity {
            Entry::new(id, request)
        } else {
            let Some(mut oldest) = ring.pop_oldest(&self.bytes) else {
                return;
            };
            oldest.refill(id, request);
            oldest
        };
        ring.push(entry, &self.bytes);
        while self.bytes.0.load(Ordering::Relaxed) > self.budget && ring.entries.len() > 1 {
            ring.pop_oldest(&self.bytes);
        }
        drop(ring);
        if self.bytes.0.load(Ordering::Relaxed) > self.budget {
            self.drop_oldest_elsewhere(mine);
        }
    }

    /// Drops the oldest entries of the shards besides `mine` while the
    /// journal is over its budget, locking one shard at a time.
    fn drop_oldest_elsewhere(&self, mine: usize) {
        while self.bytes.0.load(Ordering::Relaxed) > self.budget {
            let oldest = (0..self.shards.len())
                .filter(|&i| i != mine)
                .filter_map(|i| {
                    let ring = lock(&self.shards[i].0);
                    ring.entries.front().map(|entry| (entry.id, i))
                })
                .min();
            let Some((_, shard)) = oldest else {
                return;
            };
            lock(&self.shards[shard].0).pop_oldest(&self.bytes);
        }
    }

    /// The last `limit` entries (at most the capacity), newest first.
    pub fn recent(&self, limit: usize) -> Vec<Entry> {
        self.window(Window::newest(limit), usize::MAX)
    }

    /// The entries `window` asks for (at most the capacity), newest first,
    /// as many as `budget` bytes hold (one at least); only those are
    /// copied.
    pub fn window(&self, window: Window, budget: usize) -> Vec<Entry> {
        let mut found: Vec<(u64, usize)> = Vec::new();
        for shard in &self.shards {
            let ring = lock(&shard.0);
            found.extend(
                ring.entries
                    .iter()
                    .filter(|entry| window.holds(entry.id))
                    .map(|entry| (entry.id, entry.bytes)),
            );
        }
        found.sort_unstable_by_key(|&(id, _)| std::cmp::Reverse(id));
        found.truncate(window.limit.min(self.capacity));
        let mut bytes = 0usize;
        let taken = found
            .iter()
            .take_while(|&&(_, size)| {
                bytes = bytes.saturating_add(size);
                bytes <= budget
            })
            .count()
            .max(found.len().min(1));
        let Some(&(oldest, _)) = found.get(taken.saturating_sub(1)) else {
            return Vec::new();
        };
        let newest = found[0].0;
        let mut entries: Vec<Entry> = Vec::with_capacity(taken);
        for shard in &self.shards {
            let ring = lock(&shard.0);
            entries.extend(
                ring.entries
                    .iter()
                    .filter(|entry| (oldest..=newest).contains(&entry.id))
                    .cloned(),
            );
        }
        entries.sort_unstable_by_key(|entry| std::cmp::Reverse(entry.id));
        entries
    }

    /// How many entries the journal holds and their bytes.
    pub fn size(&self) -> (usize, usize) {
        let entries = self
            .shards
            .iter()
            .map(|shard| lock(&shard.0).entries.len())
            .sum();
        (entries, self.bytes.0.load(Ordering::Relaxed))
    }

    /// The most the entries may hold, in bytes.
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// Forgets every entry, and gives their memory back to the allocator.
    pub fn clear(&self) {
        for shard in &self.shards {
            let mut ring = lock(&shard.0);
            let forgotten = std::mem::take(&mut *ring);
            self.bytes.0.fetch_sub(forgotten.bytes, Ordering::Relaxed);
            drop(ring);
            drop(forgotten);
        }
    }
}

/// One shard's entries, oldest first.
#[derive(Debug, Default)]
struct Ring {
    entries: VecDeque<Entry>,
    /// What the entries hold, in bytes.
    bytes: usize,
}

impl Ring {
    fn push(&mut self, entry: Entry, total: &Padded<AtomicUsize>) {
        self.bytes += entry.bytes;
        total.0.fetch_add(entry.bytes, Ordering::Relaxed);
        self.entries.push_back(entry);
    }

    fn pop_oldest(&mut self, total: &Padded<AtomicUsize>) -> Option<Entry> {
        let entry = self.entries.pop_front()?;
        self.bytes -= entry.bytes;
        total.0.fetch_sub(entry.bytes, Ordering::Relaxed);
        Some(entry)
    }
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

    fn violation(i: usize) -> Violation {
        Violation {
            location: crate::contract::problem::Location::Body,
            pointer: format!("/Emails/{i}/Value"),
            expected: "a string or null".repeat(20),
            got: Some("5".into()),
        }
    }

    #[test]
    fn an_entry_keeps_its_budget_and_says_what_it_left_out() {
        let journal = Journal::new(10);
        let path = format!("/{}", "p".repeat(60_000));
        let query = "q".repeat(9000);
        journal.record(Record {
            query: Some(&query),
            message: Some("m".repeat(100_000)),
            violations: (0..100).map(violation).collect(),
            warnings: vec!["w".repeat(5000); 100],
            ..entry(&path)
        });
        let kept = &journal.recent(1)[0];
        assert!(kept.bytes() <= ENTRY_BUDGET, "{}", kept.bytes());
        assert!(kept.path.len() < 1100 && kept.path.ends_with("[58977 more bytes not kept]"));
        assert!(kept.query.as_deref().is_some_and(|q| q.len() < 1100));
        assert!(kept.message.as_deref().is_some_and(|m| m.len() < 2100));
        assert_eq!(kept.warnings.len(), WARNINGS_KEPT);
        assert!(!kept.violations.is_empty());
        assert_eq!(kept.violations.len() + kept.violations_not_kept, 100);
        assert_eq!(kept.violations[0].pointer, "/Emails/0/Value");
        let json = serde_json::to_value(kept).expect("JSON");
        assert_eq!(json["violationsNotKept"], kept.violations_not_kept);
        assert!(json.get("bytes").is_none());
        // A cut inside a character keeps the character whole.
        let mut text = "é".repeat(300);
        cut(&mut text, 255);
        assert!(text.starts_with(&"é".repeat(127)) && text.contains("[346 more bytes"));
    }

    #[test]
    fn the_journal_drops_its_oldest_entries_to_stay_within_its_budget() {
        let journal = Journal::with_budget(1000, 64 * 1024);
        std::thread::scope(|scope| {
            for t in 0..3 {
                let journal = &journal;
                scope.spawn(move || {
                    for i in 0..100 {
                        journal.record(Record {
                            message: Some("m".repeat(3000)),
                            violations: (0..20).map(violation).collect(),
                            ..entry(&format!("/{t}/{i}"))
                        });
                    }
                });
            }
        });
        let (entries, bytes) = journal.size();
        assert!(bytes <= journal.budget(), "{bytes}");
        assert!(entries > 3 && entries < 300, "{entries}");
        let all = journal.recent(usize::MAX);
        assert_eq!(all.len(), entries);
        assert_eq!(all.iter().map(Entry::bytes).sum::<usize>(), bytes);
        assert_eq!(all[0].id, 300, "the newest is kept");
        journal.clear();
        assert_eq!(journal.size(), (0, 0));
    }

    #[test]
    fn a_window_gives_the_entries_between_two_ids_within_a_budget() {
        let journal = Journal::new(100);
        for i in 0..20 {
            journal.record(entry(&format!("/{i}")));
        }
        let ids = |entries: Vec<Entry>| entries.iter().map(|e| e.id).collect::<Vec<_>>();
        let window = Window {
            after: 5,
            before: 15,
            limit: 100,
        };
        assert_eq!(
            ids(journal.window(window, usize::MAX)),
            (6..15).rev().collect::<Vec<_>>()
        );
        let one = journal.recent(1)[0].bytes();
        assert_eq!(ids(journal.window(window, 3 * one)), [14, 13, 12]);
        assert_eq!(ids(journal.window(window, 0)), [14], "one entry at least");
        assert_eq!(
            ids(journal.window(Window { limit: 2, ..window }, usize::MAX)),
            [14, 13]
        );
        assert!(
            journal
                .window(
                    Window {
                        after: 20,
                        ..window
                    },
                    usize::MAX
                )
                .is_empty()
        );
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
