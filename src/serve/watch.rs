//! `--watch`: reload the spec directory when a spec or fixture changes.
//!
//! Editors save in bursts (temp file, rename, chmod), so events are gathered
//! for a short quiet period and then the reload runs once. The reload itself
//! belongs to the caller, which keeps serving the last good catalog when the
//! new one does not load.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

/// How long events are gathered before one reload.
const QUIET: Duration = Duration::from_millis(150);

/// Watches `paths` recursively and calls `reload` after each burst of
/// changes, on a background thread, for as long as the returned watcher is
/// alive.
pub fn watch(
    paths: &[PathBuf],
    mut reload: impl FnMut() + Send + 'static,
) -> notify::Result<notify::RecommendedWatcher> {
    let (events, incoming) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && !event.kind.is_access()
        {
            let _ = events.send(());
        }
    })?;
    for path in paths {
        if path.exists() {
            watcher.watch(path, RecursiveMode::Recursive)?;
        }
    }
    std::thread::spawn(move || {
        while incoming.recv().is_ok() {
            while incoming.recv_timeout(QUIET).is_ok() {}
            reload();
        }
    });
    Ok(watcher)
}
