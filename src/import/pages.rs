//! Finding and reading the pages an import is given.
//!
//! `docmock import` takes files and directories. A file is read as a page
//! whatever its name; a directory is walked (subdirectories too, symbolic
//! links followed) and each file in it is either a page, by its extension,
//! or skipped with the reason, so that the summary accounts for every file
//! found: nothing under a given directory goes unmentioned.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use super::{ImportError, html};

/// Extensions of the page files read from a directory, besides saved HTML
/// pages ([`html::EXTENSIONS`]).
pub const TEXT_EXTENSIONS: [&str; 4] = ["txt", "text", "md", "markdown"];

/// Extensions of pages saved as one archive file (a browser's "Webpage,
/// Single File"), which hold the HTML encoded inside them.
const ARCHIVE_EXTENSIONS: [&str; 3] = ["mht", "mhtml", "webarchive"];

/// A page file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageFile {
    /// Where it is.
    pub path: PathBuf,
    /// How the report and the spec's `source` name it: a file as it is
    /// named, a file found in a directory by its path below that directory.
    pub name: String,
}

/// A file or directory found under a given directory that is not read,
/// and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Its path below the given directory (a directory's ends with `/`).
    pub name: String,
    /// Why it is not read.
    pub reason: String,
}

/// What the given files and directories hold.
#[derive(Debug, Default)]
pub struct Found {
    /// The pages, in the order given, each directory's in name order.
    pub pages: Vec<PageFile>,
    /// Files and directories found but not read.
    pub skipped: Vec<Skipped>,
    /// Directories that could not be listed: pages may be in them.
    pub unreadable: Vec<ImportError>,
}

/// The pages among `given` (see the module).
pub fn find(given: &[PathBuf]) -> Found {
    let mut found = Found::default();
    for path in given {
        if path.is_dir() {
            walk(path, &mut found);
        } else {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string());
            found.pages.push(PageFile {
                path: path.clone(),
                name,
            });
        }
    }
    found
}

/// Adds the pages below `dir` to `found`, and the files that are not pages
/// to its skipped ones.
fn walk(dir: &Path, found: &mut Found) {
    let relative = |path: &Path| path.strip_prefix(dir).unwrap_or(path).display().to_string();
    let mut entries = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = entries.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                let path = error.path().unwrap_or(dir);
                found.unreadable.push(ImportError {
                    page: path.display().to_string(),
                    line: None,
                    part: "directory".into(),
                    message: format!("cannot be read: {error}"),
                });
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        let name = relative(entry.path());
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if entry.file_type().is_dir() {
            let reason = if hidden {
                Some("a hidden directory: not read".to_string())
            } else {
                saved_with(entry.path()).map(|page| {
                    format!("the images, styles and scripts a browser saved with {page}")
                })
            };
            if let Some(reason) = reason {
                found.skipped.push(Skipped {
                    name: format!("{name}/"),
                    reason,
                });
                entries.skip_current_dir();
            }
            continue;
        }
        if !entry.file_type().is_file() {
            found.skipped.push(Skipped {
                name,
                reason: "not a regular file".into(),
            });
            continue;
        }
        let extension = entry.path().extension().and_then(OsStr::to_str);
        let is = |list: &[&str]| {
            extension.is_some_and(|x| list.iter().any(|e| x.eq_ignore_ascii_case(e)))
        };
        let reason = if hidden {
            Some("a hidden file: not read".to_string())
        } else if is(&TEXT_EXTENSIONS) || is(&html::EXTENSIONS) {
            None
        } else if is(&ARCHIVE_EXTENSIONS) {
            Some(
                "a web archive, not a page: save the page as \"Webpage, HTML only\" or as text"
                    .to_string(),
            )
        } else {
            Some(format!(
                "not a page: pages are {} files",
                TEXT_EXTENSIONS
                    .iter()
                    .chain(html::EXTENSIONS.iter())
                    .map(|x| format!(".{x}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        };
        match reason {
            Some(reason) => found.skipped.push(Skipped { name, reason }),
            None => found.pages.push(PageFile {
                path: entry.into_path(),
                name,
            }),
        }
    }
}

/// The saved page whose resources `dir` holds, if it is one: browsers save
/// `Page.html` with a `Page_files` directory beside it.
fn saved_with(dir: &Path) -> Option<String> {
    let name = dir.file_name()?.to_str()?;
    let stem = name.strip_suffix("_files")?;
    let parent = dir.parent()?;
    html::EXTENSIONS.iter().find_map(|x| {
        let page = format!("{stem}.{x}");
        parent.join(&page).is_file().then_some(page)
    })
}

/// The text of a page file: a text page as it is (invalid UTF-8 shown as
/// U+FFFD), a saved HTML page as the text a browser shows of it.
pub fn read(file: &PageFile) -> Result<String, ImportError> {
    let bytes = crate::files::read_regular(&file.path).map_err(|error| ImportError {
        page: file.name.clone(),
        line: None,
        part: "file".into(),
        message: format!("cannot be read ({}): {error}", file.path.display()),
    })?;
    let extension = file.path.extension().and_then(OsStr::to_str);
    if html::is_html(extension, &bytes) {
        return Ok(html::page_text(&html::decode(&bytes)));
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
