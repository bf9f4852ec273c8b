//! Files written whole: through a temporary file beside the target, renamed
//! into place, so that a reader finds the old file or the new one, never
//! part of either (a full disk, an interrupted run). And files read whole
//! only when they are files: a FIFO or a device where a spec, fixture or
//! page was expected would block the reader forever or never end.

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

/// The bytes of `path`, which must be a regular file (after symlinks):
/// anything else is refused without being opened, since opening a FIFO
/// waits for a writer and reading a device may never end. The error says
/// what the file is; callers name the file.
pub fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
    let kind = fs::metadata(path)?.file_type();
    if !kind.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}, not a regular file", kind_name(&kind)),
        ));
    }
    fs::read(path)
}

/// What a file that is not a regular file is, in words.
fn kind_name(kind: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "another kind of file"
    }
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
    fn only_regular_files_are_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("pipe.json");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo");
        assert!(made.success());
        // Reading the FIFO itself would wait here for a writer forever.
        let error = read_regular(&fifo).expect_err("a FIFO is refused");
        assert!(error.to_string().contains("FIFO"), "{error}");
        let error = read_regular(dir.path()).expect_err("a directory is refused");
        assert!(error.to_string().contains("a directory"), "{error}");
        let file = dir.path().join("a.json");
        fs::write(&file, "{}").expect("write");
        assert_eq!(read_regular(&file).expect("a file is read"), b"{}");
    }

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
