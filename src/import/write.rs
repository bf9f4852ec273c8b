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

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use super::{Imported, Options, to_pretty_json};

/// What writing one endpoint did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Written {
    /// These files were new or changed (and are written unless dry run).
    Files(Vec<PathBuf>),
    /// Every file was already there with this content.
    Unchanged,
}

/// Writes endpoints into `options.out` and makes them durable at the end.
///
/// Each directory is listed once, the first time a file is written into it
/// (and created if missing): a file it does not hold is new, so it is
/// neither read to compare nor looked up to keep its permissions. Creating
/// thousands of files is most of an import's time, and most of that is
/// system calls.
#[derive(Debug)]
pub(crate) struct Writer<'o> {
    options: &'o Options,
    /// The names in each directory written into, as listed, and as written.
    listings: HashMap<PathBuf, HashSet<OsString>>,
    /// Directories this import created.
    created: HashSet<PathBuf>,
    /// Files written, and the directories whose entries changed.
    written: Vec<PathBuf>,
    directories: BTreeSet<PathBuf>,
}

impl<'o> Writer<'o> {
    pub(crate) fn new(options: &'o Options) -> Self {
        Writer {
            options,
            listings: HashMap::new(),
            created: HashSet::new(),
            written: Vec::new(),
            directories: BTreeSet::new(),
        }
    }

    /// The names in `dir`, which is created when missing (unless in a dry
    /// run).
    fn listing(&mut self, dir: &Path) -> Result<&mut HashSet<OsString>, String> {
        if !self.listings.contains_key(dir) {
            let names = match fs::read_dir(dir) {
                Ok(entries) => entries
                    .map(|entry| entry.map(|e| e.file_name()))
                    .collect::<io::Result<HashSet<OsString>>>()
                    .map_err(|e| format!("cannot list {}: {e}", dir.display()))?,
                Err(error) if error.kind() == io::ErrorKind::NotFound => {
                    if !self.options.dry_run {
                        fs::create_dir_all(dir)
                            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                        self.created.insert(dir.to_path_buf());
                    }
                    HashSet::new()
                }
                Err(error) => return Err(format!("cannot list {}: {error}", dir.display())),
            };
            self.listings.insert(dir.to_path_buf(), names);
        }
        self.listings
            .get_mut(dir)
            .ok_or_else(|| format!("cannot list {}", dir.display()))
    }

    /// Writes the files of one endpoint that are new or changed: all staged
    /// in temporary files first, then renamed into place. `api.json` is
    /// written only where the API directory has none.
    pub(crate) fn write(&mut self, imported: &Imported) -> Result<Written, String> {
        let api_dir = self.options.out.join("specs").join(&imported.api.name);
        let fixtures = self.options.out.join("fixtures");
        let mut files: Vec<(PathBuf, String)> = Vec::new();
        if !self
            .listing(&api_dir)?
            .contains(OsString::from("api.json").as_os_str())
        {
            files.push((api_dir.join("api.json"), to_pretty_json(&imported.api)));
        }
        files.push((
            api_dir.join(format!("{}.json", imported.id)),
            to_pretty_json(&imported.spec),
        ));
        for (relative, contents) in &imported.fixtures {
            files.push((fixtures.join(relative), contents.clone()));
        }
        // Each file with whether it is there already.
        let mut changed: Vec<(PathBuf, String, bool)> = Vec::new();
        for (path, contents) in files {
            let (dir, name) = parts(&path)?;
            let exists = self.listing(&dir)?.contains(&name);
            if exists
                && crate::files::read_regular(&path).is_ok_and(|old| old == contents.as_bytes())
            {
                continue;
            }
            changed.push((path, contents, exists));
        }
        if changed.is_empty() {
            return Ok(Written::Unchanged);
        }
        let paths: Vec<PathBuf> = changed.iter().map(|(p, _, _)| p.clone()).collect();
        if self.options.dry_run {
            for path in &paths {
                let (dir, name) = parts(path)?;
                self.listing(&dir)?.insert(name);
            }
            return Ok(Written::Files(paths));
        }
        let mut staged = Vec::with_capacity(changed.len());
        for (path, contents, exists) in &changed {
            let (dir, _) = parts(path)?;
            let temp = if *exists {
                crate::files::beside(path)
            } else {
                new_beside(&dir)
            };
            let mut temp = temp.map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
            temp.write_all(contents.as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            staged.push((temp, path, dir));
        }
        for (temp, path, dir) in staged {
            temp.persist(path)
                .map_err(|e| format!("cannot write {}: {}", path.display(), e.error))?;
            let (_, name) = parts(path)?;
            self.listing(&dir)?.insert(name);
            self.written.push(path.clone());
            self.directories.insert(dir);
        }
        Ok(Written::Files(paths))
    }

    /// Makes everything written durable (see the module).
    pub(crate) fn finish(self) -> Result<(), String> {
        if self.written.is_empty() {
            return Ok(());
        }
        // A directory this import created is an entry of its parent, and
        // on its parent's file system.
        let mut directories = self.directories;
        for dir in directories.clone() {
            let mut dir = dir.as_path();
            while self.created.contains(dir)
                && let Some(parent) = dir.parent()
                && !parent.as_os_str().is_empty()
            {
                directories.insert(parent.to_path_buf());
                dir = parent;
            }
        }
        sync(&self.written, &directories, &self.created).map_err(|e| {
            format!(
                "the files were written but could not be flushed to disk: {e}; run the import again"
            )
        })
    }
}

/// The directory and the name of a file to write.
fn parts(path: &Path) -> Result<(PathBuf, OsString), String> {
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => Ok((dir.to_path_buf(), name.to_os_string())),
        _ => Err(format!("{} is no file name", path.display())),
    }
}

/// A temporary file in `dir` for a file that is not there yet, created
/// with the permissions a plain write leaves (`rw-r--r--` less the umask)
/// rather than tempfile's private ones, which would hide imported specs
/// from a server running as another user.
fn new_beside(dir: &Path) -> io::Result<NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o644));
    }
    builder.tempfile_in(dir)
}

/// One `syncfs` per file system holding a written directory (those this
/// import created are on their parent's).
#[cfg(target_os = "linux")]
fn sync(
    _files: &[PathBuf],
    directories: &BTreeSet<PathBuf>,
    created: &HashSet<PathBuf>,
) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let mut devices = HashSet::new();
    for dir in directories.iter().filter(|dir| !created.contains(*dir)) {
        if devices.insert(fs::metadata(dir)?.dev()) {
            rustix::fs::syncfs(fs::File::open(dir)?)?;
        }
    }
    Ok(())
}

/// Every written file, then every directory whose entries changed.
#[cfg(not(target_os = "linux"))]
fn sync(
    files: &[PathBuf],
    directories: &BTreeSet<PathBuf>,
    _created: &HashSet<PathBuf>,
) -> io::Result<()> {
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

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::contract::dialect::DialectName;
    use crate::contract::spec::EndpointFile;
    use crate::import::api_file;
    use std::os::unix::fs::PermissionsExt;

    fn endpoint(body: &str) -> Imported {
        Imported {
            api: api_file(DialectName::Onlyoffice),
            id: "get-x".into(),
            spec: EndpointFile {
                method: "GET".into(),
                path: "/api/2.0/x".into(),
                summary: String::new(),
                auth: false,
                parameters: Vec::new(),
                request: None,
                responses: Vec::new(),
                source: None,
            },
            fixtures: vec![("onlyoffice/get-x/response-200.json".into(), body.into())],
            page: "x.txt".into(),
            warnings: Vec::new(),
        }
    }

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).expect("metadata").permissions().mode() & 0o777
    }

    #[test]
    fn new_files_get_a_plain_writes_permissions_and_replaced_ones_keep_theirs() {
        let out = tempfile::tempdir().expect("tempdir");
        let options = Options {
            out: out.path().to_path_buf(),
            dry_run: false,
        };
        let mut writer = Writer::new(&options);
        let written = writer.write(&endpoint("{}\n")).expect("written");
        assert!(
            matches!(written, Written::Files(ref f) if f.len() == 3),
            "{written:?}"
        );
        writer.finish().expect("synced");
        let fixture = out
            .path()
            .join("fixtures/onlyoffice/get-x/response-200.json");
        let plain = out.path().join("plain");
        fs::write(&plain, "x").expect("plain write");
        assert_eq!(mode(&fixture), mode(&plain) & 0o644);
        assert!(mode(&fixture) & 0o600 == 0o600);

        fs::set_permissions(&fixture, fs::Permissions::from_mode(0o600)).expect("chmod");
        let mut writer = Writer::new(&options);
        assert_eq!(writer.write(&endpoint("{}\n")), Ok(Written::Unchanged));
        let written = writer.write(&endpoint("[]\n")).expect("written");
        assert_eq!(written, Written::Files(vec![fixture.clone()]));
        writer.finish().expect("synced");
        assert_eq!(fs::read_to_string(&fixture).expect("read"), "[]\n");
        assert_eq!(mode(&fixture), 0o600);
        // Nothing is left beside the files.
        let names: Vec<_> = fs::read_dir(fixture.parent().expect("dir"))
            .expect("list")
            .collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn a_dry_run_creates_nothing_and_names_api_json_once() {
        let out = tempfile::tempdir().expect("tempdir");
        let options = Options {
            out: out.path().join("out"),
            dry_run: true,
        };
        let mut writer = Writer::new(&options);
        let first = writer.write(&endpoint("{}\n")).expect("planned");
        let mut other = endpoint("{}\n");
        other.id = "get-y".into();
        other.fixtures.clear();
        let second = writer.write(&other).expect("planned");
        writer.finish().expect("nothing to sync");
        let count = |w: &Written| match w {
            Written::Files(files) => files.iter().filter(|f| f.ends_with("api.json")).count(),
            Written::Unchanged => 0,
        };
        assert_eq!((count(&first), count(&second)), (1, 0));
        assert!(!options.out.exists());
    }
}
