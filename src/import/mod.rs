//! Importing documentation pages into a spec directory.
//!
//! Each page is parsed whole in memory by its layout's parser
//! (`onlyoffice` for ONLYOFFICE and R7-Office, `superoffice` for the
//! SuperOffice reference), which either yields one endpoint with its fixtures
//! or an error naming the page, the line and the missing part. Only then are
//! files written, each through a temporary file renamed into place, so a page
//! is imported whole or not at all and a failing page never leaves a trace.

mod conventions;
pub mod html;
mod onlyoffice;
mod superoffice;
pub mod text;
mod types;

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::contract::dialect::DialectName;
use crate::contract::spec::{ApiFile, EndpointFile};
use text::Page;

/// One endpoint read from a page, with the files it becomes.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The API it belongs to (`api.json`, written when missing).
    pub api: ApiFile,
    /// The endpoint's file stem inside its API directory.
    pub id: String,
    /// The spec.
    pub spec: EndpointFile,
    /// Fixture files, relative to the fixtures directory, with contents.
    pub fixtures: Vec<(String, String)>,
    /// The page it came from.
    pub page: String,
}

/// Why a page could not be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// The page.
    pub page: String,
    /// The 1-based line the problem was noticed at, when there is one.
    pub line: Option<usize>,
    /// The part of the page that is missing or wrong.
    pub part: String,
    /// What was expected there.
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}: {}", self.page, self.part, self.message),
            None => write!(f, "{}: {}: {}", self.page, self.part, self.message),
        }
    }
}

impl std::error::Error for ImportError {}

impl ImportError {
    pub(crate) fn new(
        page: &Page,
        line: Option<usize>,
        part: &str,
        message: impl Into<String>,
    ) -> Self {
        ImportError {
            page: page.name.clone(),
            line: line.map(|l| l + 1),
            part: part.to_string(),
            message: message.into(),
        }
    }
}

/// Parses one page of either layout.
pub fn parse_page(name: &str, text: &str) -> Result<Imported, ImportError> {
    let page = Page::new(name, text);
    if superoffice::looks_like(&page) {
        superoffice::parse(&page)
    } else {
        onlyoffice::parse(&page)
    }
}

/// The vendor's `api.json` as the importer writes it.
pub fn api_file(dialect: DialectName) -> ApiFile {
    let (name, title, prefix, docs) = match dialect {
        DialectName::Onlyoffice => (
            "onlyoffice",
            "ONLYOFFICE Community Server API",
            "/onlyoffice",
            Some("https://api.onlyoffice.com/portals/"),
        ),
        DialectName::R7office => ("r7", "R7-Office Community Server API", "/r7", None),
        DialectName::Superoffice => (
            "superoffice",
            "SuperOffice CRM WebAPI (REST)",
            "/superoffice",
            Some("https://docs.superoffice.com/en/api/reference/restful/rest/"),
        ),
    };
    ApiFile {
        name: name.into(),
        title: title.into(),
        dialect,
        prefix: prefix.into(),
        auth: None,
        docs: docs.map(str::to_string),
    }
}

/// `PUT` + `/api/2.0/crm/contact/{contactid}/status` →
/// `put-crm-contact-contactid-status`: the method and the path after the
/// API version, as a file name.
pub fn endpoint_id(method: &str, path: &str) -> String {
    let mut segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments
        .first()
        .is_some_and(|s| s.eq_ignore_ascii_case("api"))
    {
        segments.remove(0);
        if segments.first().is_some_and(|s| {
            s.trim_start_matches(['v', 'V'])
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.')
        }) {
            segments.remove(0);
        }
    }
    let mut id = method.to_ascii_lowercase();
    for segment in segments {
        let cleaned: String = segment
            .chars()
            .map(|c| {
                if c.is_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        for part in cleaned.split('-').filter(|p| !p.is_empty()) {
            id.push('-');
            id.push_str(part);
        }
    }
    id
}

/// Serialises a spec file the way the importer writes every JSON file:
/// two-space indentation, keys in struct order, a final newline.
pub fn to_pretty_json(value: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// What happened to one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// New or changed files were written (or would be, in a dry run).
    Imported {
        /// The endpoint id (`api/stem`).
        endpoint: String,
        /// Files written or to be written.
        files: Vec<PathBuf>,
    },
    /// Every file was already there with the same content.
    Unchanged {
        /// The endpoint id.
        endpoint: String,
    },
    /// Another page in the batch documents the same method and path.
    Merged {
        /// The endpoint id.
        endpoint: String,
        /// The page it was merged into.
        into: String,
    },
    /// The page could not be imported; nothing was written for it.
    Failed(ImportError),
}

/// Options for a batch import.
#[derive(Debug, Clone)]
pub struct Options {
    /// The output directory; specs go to `specs/`, fixtures to `fixtures/`.
    pub out: PathBuf,
    /// Report what would be written without writing.
    pub dry_run: bool,
}

/// Imports `pages` (name and text) into `options.out`, one outcome per page
/// in order. Failing pages leave nothing behind; the others are imported.
pub fn import(
    pages: &[(String, String)],
    options: &Options,
    mut progress: impl FnMut(&str),
) -> Vec<Outcome> {
    let mut outcomes = Vec::with_capacity(pages.len());
    // Endpoint key (api, method, path) → index of the page that owns it.
    let mut owners: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    let mut parsed: Vec<Option<Imported>> = Vec::with_capacity(pages.len());
    for (index, (name, text)) in pages.iter().enumerate() {
        progress(name);
        match parse_page(name, text) {
            Ok(imported) => {
                let key = (
                    imported.api.name.clone(),
                    imported.spec.method.clone(),
                    imported.spec.path.to_ascii_lowercase(),
                );
                match owners.get(&key) {
                    Some(&owner) => {
                        if let Some(Some(first)) = parsed.get_mut(owner) {
                            merge(first, &imported);
                        }
                        outcomes.push(Outcome::Merged {
                            endpoint: format!("{}/{}", imported.api.name, imported.id),
                            into: pages[owner].0.clone(),
                        });
                        parsed.push(None);
                    }
                    None => {
                        owners.insert(key, index);
                        outcomes.push(Outcome::Unchanged {
                            endpoint: String::new(),
                        });
                        parsed.push(Some(imported));
                    }
                }
            }
            Err(error) => {
                outcomes.push(Outcome::Failed(error));
                parsed.push(None);
            }
        }
    }
    for (index, imported) in parsed.into_iter().enumerate() {
        let Some(imported) = imported else {
            continue;
        };
        outcomes[index] = match write_endpoint(&imported, options) {
            Ok(outcome) => outcome,
            Err(message) => Outcome::Failed(ImportError {
                page: imported.page.clone(),
                line: None,
                part: "output".into(),
                message,
            }),
        };
    }
    outcomes
}

/// Adds to `first` what `other` documents and `first` does not: responses
/// with other statuses, and an XML example where `first` has none.
fn merge(first: &mut Imported, other: &Imported) {
    for response in &other.spec.responses {
        match first
            .spec
            .responses
            .iter_mut()
            .find(|r| r.status == response.status)
        {
            Some(existing) => {
                if existing.xml.is_none()
                    && let Some(xml) = &response.xml
                {
                    let renamed = xml.replace(&format!("{}/", other.id), &format!("{}/", first.id));
                    if let Some((_, contents)) = other.fixtures.iter().find(|(p, _)| p == xml) {
                        // The adopted XML's conventions are read against the
                        // JSON it will be rendered from: this page's.
                        let json = existing
                            .json
                            .as_ref()
                            .and_then(|j| first.fixtures.iter().find(|(p, _)| p == j));
                        let found = match json {
                            Some((_, json)) => {
                                conventions::detect(first.api.dialect, json, contents)
                                    .unwrap_or_default()
                            }
                            None => conventions::Conventions {
                                names: response.xml_names,
                                literals: response.xml_literals,
                            },
                        };
                        existing.xml_names = found.names;
                        existing.xml_literals = found.literals;
                        first.fixtures.push((renamed.clone(), contents.clone()));
                        existing.xml = Some(renamed);
                    }
                }
            }
            None => {
                let mut added = response.clone();
                for fixture in [&mut added.json, &mut added.xml].into_iter().flatten() {
                    let renamed =
                        fixture.replace(&format!("{}/", other.id), &format!("{}/", first.id));
                    if let Some((_, contents)) = other.fixtures.iter().find(|(p, _)| p == fixture) {
                        first.fixtures.push((renamed.clone(), contents.clone()));
                    }
                    *fixture = renamed;
                }
                first.spec.responses.push(added);
            }
        }
    }
}

/// Writes the files of one endpoint: every file staged in a temporary file
/// first, then all renamed into place.
fn write_endpoint(imported: &Imported, options: &Options) -> Result<Outcome, String> {
    let specs = options.out.join("specs");
    let fixtures = options.out.join("fixtures");
    let api_dir = specs.join(&imported.api.name);
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    let api_json = api_dir.join("api.json");
    if !api_json.exists() {
        files.push((api_json, to_pretty_json(&imported.api)));
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
    let endpoint = format!("{}/{}", imported.api.name, imported.id);
    if changed.is_empty() {
        return Ok(Outcome::Unchanged { endpoint });
    }
    let paths: Vec<PathBuf> = changed.iter().map(|(p, _)| p.clone()).collect();
    if options.dry_run {
        return Ok(Outcome::Imported {
            endpoint,
            files: paths,
        });
    }
    let mut staged = Vec::with_capacity(changed.len());
    for (path, contents) in &changed {
        let dir = path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let mut temp = crate::files::beside(path)
            .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
        temp.write_all(contents.as_bytes())
            .and_then(|()| temp.as_file().sync_all())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        staged.push((temp, path));
    }
    for (temp, path) in staged {
        temp.persist(path)
            .map_err(|e| format!("cannot write {}: {}", path.display(), e.error))?;
    }
    Ok(Outcome::Imported {
        endpoint,
        files: paths,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_ids_are_the_method_and_the_path_after_the_version() {
        assert_eq!(
            endpoint_id("PUT", "/api/2.0/crm/contact/{contactid}/status"),
            "put-crm-contact-contactid-status"
        );
        assert_eq!(endpoint_id("PUT", "/api/v1/Contact/{id}"), "put-contact-id");
        assert_eq!(
            endpoint_id("GET", "/api/2.0/people/@self"),
            "get-people-self"
        );
    }
}
