//! What an import did with every page and every file it found, as the
//! command prints it: one line per page (what became of it, and why where
//! it was refused), one per file skipped, and a closing count.

use std::fmt;
use std::path::PathBuf;

use super::ImportError;
use super::pages::Skipped;

/// What happened to one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// New or changed files were written (or would be, in a dry run).
    Imported {
        /// The endpoint id (`api/stem`).
        endpoint: String,
        /// Files written or to be written.
        files: Vec<PathBuf>,
        /// Why its id or its example is not the page's own, where it is not.
        notes: Vec<String>,
    },
    /// Every file was already there with the same content.
    Unchanged {
        /// The endpoint id.
        endpoint: String,
        /// The page whose endpoint this page was merged into, if another.
        merged_into: Option<String>,
        /// As for [`Outcome::Imported`].
        notes: Vec<String>,
    },
    /// Another page of the batch documents the same method and path: this
    /// page's responses were added to that page's endpoint, which was
    /// written.
    Merged {
        /// The endpoint id.
        endpoint: String,
        /// The page it was merged into.
        into: String,
    },
    /// The page could not be imported; nothing was written for it.
    Refused(ImportError),
}

/// One page and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageReport {
    /// The page's name (its path below the directory it was found in).
    pub page: String,
    /// What became of it.
    pub outcome: Outcome,
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Every page, in the order read.
    pub pages: Vec<PageReport>,
    /// Every file found under a given directory that is not a page.
    pub skipped: Vec<Skipped>,
    /// Nothing was written: the outcomes say what would have been.
    pub dry_run: bool,
    /// Why the written files could not be made durable, if they could not.
    pub sync_error: Option<String>,
}

/// The closing count of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Pages read (every one is counted once below).
    pub pages: usize,
    /// Pages whose endpoint was written.
    pub imported: usize,
    /// Pages added to another page's endpoint, which was written.
    pub merged: usize,
    /// Pages whose endpoint was already there as it is.
    pub unchanged: usize,
    /// Pages refused.
    pub refused: usize,
    /// Files and directories found that are not pages.
    pub skipped: usize,
    /// Whether nothing was written.
    pub dry_run: bool,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Whether it tells of something not imported (for stderr).
    pub problem: bool,
    /// The text, without a line ending.
    pub text: String,
}

/// Indentation of the lines under a page's line.
const UNDER: &str = "          ";

impl Report {
    /// The count of each outcome.
    pub fn summary(&self) -> Summary {
        let mut summary = Summary {
            pages: self.pages.len(),
            imported: 0,
            merged: 0,
            unchanged: 0,
            refused: 0,
            skipped: self.skipped.len(),
            dry_run: self.dry_run,
        };
        for page in &self.pages {
            match page.outcome {
                Outcome::Imported { .. } => summary.imported += 1,
                Outcome::Merged { .. } => summary.merged += 1,
                Outcome::Unchanged { .. } => summary.unchanged += 1,
                Outcome::Refused(_) => summary.refused += 1,
            }
        }
        summary
    }

    /// Whether every page was imported (or found unchanged) and made
    /// durable: the command's exit status.
    pub fn succeeded(&self) -> bool {
        self.sync_error.is_none() && self.summary().refused == 0
    }

    /// One line per page and per skipped file, in the order found, with
    /// notes and (in a dry run) the files to be written under a page.
    pub fn lines(&self) -> Vec<Line> {
        let mut lines = Vec::with_capacity(self.pages.len() + self.skipped.len() + 1);
        let mut push = |problem: bool, text: String| lines.push(Line { problem, text });
        for PageReport { page, outcome } in &self.pages {
            match outcome {
                Outcome::Imported {
                    endpoint,
                    files,
                    notes,
                } => {
                    let verb = if self.dry_run {
                        "would write"
                    } else {
                        "imported "
                    };
                    push(false, format!("{verb} {endpoint} from {page}"));
                    for note in notes {
                        push(false, format!("{UNDER}{note}"));
                    }
                    if self.dry_run {
                        for file in files {
                            push(false, format!("{UNDER}{}", file.display()));
                        }
                    }
                }
                Outcome::Unchanged {
                    endpoint,
                    merged_into,
                    notes,
                } => {
                    let merged = merged_into
                        .as_ref()
                        .map(|into| format!(", merged into the endpoint of {into}"))
                        .unwrap_or_default();
                    push(false, format!("unchanged {endpoint} from {page}{merged}"));
                    for note in notes {
                        push(false, format!("{UNDER}{note}"));
                    }
                }
                Outcome::Merged { endpoint, into } => push(
                    false,
                    format!("merged    {endpoint} from {page} into the endpoint of {into}"),
                ),
                Outcome::Refused(error) => push(true, format!("refused   {error}")),
            }
        }
        for skipped in &self.skipped {
            push(
                true,
                format!("skipped   {}: {}", skipped.name, skipped.reason),
            );
        }
        if let Some(error) = &self.sync_error {
            push(true, format!("failed    {error}"));
        }
        lines
    }
}

/// `1 page` / `2 pages`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl fmt::Display for Summary {
    /// `719 pages: 700 imported, 2 merged, 0 unchanged, 17 refused; 3 other
    /// files skipped`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let imported = if self.dry_run {
            "would be imported"
        } else {
            "imported"
        };
        write!(
            f,
            "{}: {} {imported}, {} merged, {} unchanged, {} refused; {} skipped",
            count(self.pages, "page", "pages"),
            self.imported,
            self.merged,
            self.unchanged,
            self.refused,
            count(self.skipped, "other file", "other files"),
        )
    }
}
