//! Writing the imported endpoints, made durable once per import.
//!
//! Each file is written to a temporary file beside it and renamed into
//! place, so that a reader (a `serve --watch` on the directory) finds the
//! old file or the new one, never part of either, and an endpoint's files
//! are all staged before the first is renamed. A file whose content would
//! not change is not written at all.
//!
//! Durability is made once, at the end, not once per file: an fsync per
//! file made importing 3,000 pages take half a minute, nearly all of it
//! waiting for the disk. On Linux one `syncfs(2)` per file system written
//! to flushes every file and every rename of the import in one go (and,
//! since Linux 5.8, reports a write-back error of any of them); elsewhere
//! each written file and directory is synced in one pass after all writes.
//! Until then a crash may leave some files of this import empty; the import
//! has not reported success yet, and running it again rewrites them, as it
//! rewrites every file whose content differs.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{Imported, Options, to_pretty_json};

/// What writing one endpoint did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Written {
    /// These files were new or changed (and are written unless dry run).
    Files(Vec<PathBuf>),
    /// Every file was already there with this content.
    Unchanged,
}

/// Writes endpoints into `options.out` and makes them durable at the end.
#[derive(Debug)]
pub(super) struct Writer<'o> {
    options: &'o Options,
    /// Directories known to exist.
    created: HashSet<PathBuf>,
    /// `api.json` files written (or to be written) by this import.
    apis: HashSet<PathBuf>,
    /// Files written, and the directories whose entries changed.
    written: Vec<PathBuf>,
    directories: BTreeSet<PathBuf>,
}

impl<'o> Writer<'o> {
    pub(super) fn new(options: &'o Options) -> Self {
        Writer {
            options,
            created: HashSet::new(),
            apis: HashSet::new(),
            written: Vec::new(),
            directories: BTreeSet::new(),
        }
    }

    /// Writes the files of one endpoint that are new or changed: all staged
    /// in temporary files first, then renamed into place.
    pub(super) fn write(&mut self, imported: &Imported) -> Result<Written, String> {
        let api_dir = self.options.out.join("specs").join(&imported.api.name);
        let fixtures = self.options.out.join("fixtures");
        let mut files: Vec<(PathBuf, String)> = Vec::new();
        let api_json = api_dir.join("api.json");
        if !self.apis.contains(&api_json) && !api_json.exists() {
            files.push((api_json.clone(), to_pretty_json(&imported.api)));
        }
        files.push((
            api_dir.join(format!("{}.json", imported.id)),
            to_pretty_json(&imported.spec),
        ));
        for (relative, contents) in &imported.fixtures {
            files.push((fixtures.join(relative), contents.clone()));
        }
        let changed: Vec<(PathBuf, String)> = files
            .into_iter()
            .filter(|(path, contents)| {
                fs::read(path)
                    .map(|old| old != contents.as_bytes())
                    .unwrap_or(true)
            })
            .collect();
        if changed.is_empty() {
            return Ok(Written::Unchanged);
        }
        if changed.iter().any(|(path, _)| *path == api_json) {
            self.apis.insert(api_json);
        }
        let paths: Vec<PathBuf> = changed.iter().map(|(p, _)| p.clone()).collect();
        if self.options.dry_run {
            return Ok(Written::Files(paths));
        }
        let mut staged = Vec::with_capacity(changed.len());
        for (path, contents) in &changed {
            let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
            if !self.created.contains(&dir) {
                fs::create_dir_all(&dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                self.created.insert(dir.clone());
            }
            let mut temp = crate::files::beside(path)
                .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
            temp.write_all(contents.as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            staged.push((temp, path, dir));
        }
        for (temp, path, dir) in staged {
            temp.persist(path)
                .map_err(|e| format!("cannot write {}: {}", path.display(), e.error))?;
            self.written.push(path.clone());
            self.directories.insert(dir);
        }
        Ok(Written::Files(paths))
    }

    /// Makes everything written durable (see the module).
    pub(super) fn finish(self) -> Result<(), String> {
        if self.written.is_empty() {
            return Ok(());
        }
        // Directories created by this import are entries of their parents.
        let mut directories = self.directories;
        for dir in directories.clone() {
            let mut parent = dir.parent();
            while let Some(dir) = parent {
                if dir.as_os_str().is_empty() || !directories.insert(dir.to_path_buf()) {
                    break;
                }
                if dir == self.options.out {
                    break;
                }
                parent = dir.parent();
            }
        }
        sync(&self.written, &directories).map_err(|e| {
            format!(
                "the files were written but could not be flushed to disk: {e}; run the import again"
            )
        })
    }
}

/// One `syncfs` per file system holding a written directory.
#[cfg(target_os = "linux")]
fn sync(_files: &[PathBuf], directories: &BTreeSet<PathBuf>) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let mut devices = HashSet::new();
    for dir in directories {
        let handle = fs::File::open(dir)?;
        if devices.insert(handle.metadata()?.dev()) {
            rustix::fs::syncfs(&handle)?;
        }
    }
    Ok(())
}

/// Every written file, then every directory whose entries changed.
#[cfg(not(target_os = "linux"))]
fn sync(files: &[PathBuf], directories: &BTreeSet<PathBuf>) -> io::Result<()> {
    for file in files {
        fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(file)?
            .sync_all()?;
    }
    #[cfg(unix)]
    for dir in directories {
        fs::File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = directories;
    Ok(())
}
