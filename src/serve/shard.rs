//! Per-thread shards for state every request writes (the journal, the log
//! buffer).
//!
//! Two worker threads writing the same lock or buffer on every request pass
//! its cache lines back and forth between their cores, which costs more
//! than the writing itself. Giving each thread its own shard keeps those
//! lines on one core; readers, which are rare, merge the shards.

use std::sync::atomic::{AtomicUsize, Ordering};

/// How many shards sharded state keeps: more than the worker threads of any
/// machine docmock is likely to run on, so that each worker has its own.
pub const SHARDS: usize = 16;

/// Keeps a value on cache lines of its own, so that writes to it do not
/// evict its neighbours from other cores' caches.
#[derive(Debug, Default)]
#[repr(align(128))]
pub struct Padded<T>(pub T);

/// The shard of the calling thread: threads are numbered as they first ask,
/// so the first [`SHARDS`] threads each get their own.
pub fn index() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static INDEX: usize = NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS;
    }
    INDEX.with(|index| *index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_keeps_its_shard_and_threads_spread_over_shards() {
        let mine = index();
        assert_eq!(index(), mine);
        let others: std::collections::HashSet<usize> = (0..SHARDS)
            .map(|_| std::thread::spawn(index).join().expect("thread runs"))
            .collect();
        assert!(others.len() > 1, "threads share one shard: {others:?}");
        assert!(others.iter().all(|&i| i < SHARDS));
    }
}
