//! Locking that survives a panic elsewhere.

use std::sync::{Mutex, MutexGuard};

/// Locks `mutex` even when a thread panicked while holding it.
///
/// docmock's mutexes guard values that are whole between any two
/// statements (journal entries, log buffers, wakers, the connection list),
/// so a poisoned one is still usable: one request that panicked must not
/// take the journal, the log or shutdown down with it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
