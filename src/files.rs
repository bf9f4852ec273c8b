//! Files written whole: through a temporary file beside the target, renamed
//! into place, so that a reader finds the old file or the new one, never
//! part of either (a full disk, an interrupted run).

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use tempfile::NamedTempFile;

/// A temporary file beside `path`, to be persisted over it, with the
/// permissions a plain write would leave: those of the file it replaces,
/// else readable by everyone and writable by the owner. tempfile's own
/// files are private to their owner, which hides imported specs from a
/// server running as another user (as the container image does).
pub fn beside(path: &Path) -> io::Result<NamedTempFile> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let temp = NamedTempFile::new_in(dir)?;
    let permissions = match fs::metadata(path) {
        Ok(existing) => Some(existing.permissions()),
        Err(_) => new_file_permissions(),
    };
    if let Some(permissions) = permissions {
        temp.as_file().set_permissions(permissions)?;
    }
    Ok(temp)
}

/// Writes `bytes` to `path` whole (see the module).
pub fn write_whole(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut temp = beside(path)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(unix)]
fn new_file_permissions() -> Option<fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn new_file_permissions() -> Option<fs::Permissions> {
    None
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_new_file_is_readable_by_all_and_a_replaced_one_keeps_its_mode() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("report.xml");
        write_whole(&path, b"one").expect("written");
        let mode = |p: &Path| fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o644);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).expect("chmod");
        write_whole(&path, b"two").expect("rewritten");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(fs::read(&path).expect("read"), b"two");
        // Nothing is left beside it.
        assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 1);
    }
}
