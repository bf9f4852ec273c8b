//! `--watch`: reload the spec directory when a spec or fixture changes.
//!
//! Editors save in bursts (temp file, rename, chmod), so events are gathered
//! until a short quiet period and then the reload runs once; but never for
//! longer than [`MAX_DELAY`] after the first change of a burst, so a stream
//! of edits (a generator writing hundreds of files, a sync tool) cannot put
//! the reload off until it stops. The reload itself belongs to the caller,
//! which keeps serving the last good catalog when the new one does not load.
//!
//! A watch follows a directory, not its name: one removed and made again
//! (an import over an old tree, `rm -rf` and a copy) would no longer be
//! seen. So each directory's parent is watched too, for its name only, and
//! a directory whose name an event of the burst was about (removed, made,
//! renamed) is watched again before the reload. Events say so by name: the
//! new directory may well reuse the old one's inode number.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use notify::{RecommendedWatcher, RecursiveMode, Watcher};

/// How long events are gathered, after the last, before one reload.
const QUIET: Duration = Duration::from_millis(150);

/// The longest a reload waits after the first change of a burst.
pub const MAX_DELAY: Duration = Duration::from_secs(1);

/// The watch on the spec and fixture directories, kept alive by holding it.
pub struct SpecWatch {
    _watcher: Arc<Mutex<RecommendedWatcher>>,
}

/// Watches `paths` recursively and calls `reload` after each burst of
/// changes, on a background thread, for as long as the returned watch is
/// alive.
pub fn watch(
    paths: &[PathBuf],
    mut reload: impl FnMut() + Send + 'static,
) -> notify::Result<SpecWatch> {
    // Absolute, so that the events' paths can be matched with them.
    let roots: Vec<PathBuf> = paths
        .iter()
        .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()))
        .collect();
    // Each event is sent as the watched directories it names itself.
    let (events, incoming) = mpsc::channel::<Vec<usize>>();
    let relevant = roots.clone();
    let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else {
            // The backend lost events (a queue overflow): reload to be sure.
            let _ = events.send(Vec::new());
            return;
        };
        if event.kind.is_access() {
            return;
        }
        // The parents' watches report every name in them: only ours count.
        let ours = event.paths.is_empty()
            || event
                .paths
                .iter()
                .any(|p| relevant.iter().any(|root| p.starts_with(root)));
        if ours {
            let named: Vec<usize> = (0..relevant.len())
                .filter(|&i| event.paths.iter().any(|p| *p == relevant[i]))
                .collect();
            let _ = events.send(named);
        }
    })?;
    let watcher = Arc::new(Mutex::new(watcher));
    {
        let mut guard = watcher.lock().unwrap_or_else(|e| e.into_inner());
        for root in &roots {
            if let Some(parent) = root.parent().filter(|p| p.is_dir())
                && let Err(error) = guard.watch(parent, RecursiveMode::NonRecursive)
            {
                tracing::warn!(
                    "cannot watch {}: {error}; {} made again under it will not be seen",
                    parent.display(),
                    root.display()
                );
            }
            if root.is_dir() {
                guard.watch(root, RecursiveMode::Recursive)?;
            }
        }
    }
    let rewatcher = Arc::clone(&watcher);
    std::thread::spawn(move || {
        while let Ok(named) = incoming.recv() {
            let mut renamed: Vec<usize> = named;
            let deadline = Instant::now() + MAX_DELAY;
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                match incoming.recv_timeout(QUIET.min(left)) {
                    Ok(named) => renamed.extend(named),
                    Err(mpsc::RecvTimeoutError::Timeout) => break,
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                }
            }
            renamed.sort_unstable();
            renamed.dedup();
            for &i in &renamed {
                rewatch(&rewatcher, &roots[i]);
            }
            reload();
        }
    });
    Ok(SpecWatch { _watcher: watcher })
}

/// Watches `root` again: the directory under its name may be another one.
fn rewatch(watcher: &Mutex<RecommendedWatcher>, root: &Path) {
    let mut guard = watcher.lock().unwrap_or_else(|e| e.into_inner());
    // The old watch went with the old directory; this tidies up after
    // backends that keep it.
    let _ = guard.unwatch(root);
    if root.is_dir()
        && let Err(error) = guard.watch(root, RecursiveMode::Recursive)
    {
        tracing::warn!(
            "cannot watch {} again: {error}; edits in it are not seen",
            root.display()
        );
    }
}
