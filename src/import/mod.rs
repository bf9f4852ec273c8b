//! Importing documentation pages into a spec directory.
//!
//! Each page is parsed whole in memory by its layout's parser
//! (`onlyoffice` for ONLYOFFICE and R7-Office, `superoffice` for the
//! SuperOffice reference), which either yields one endpoint with its fixtures
//! or an error naming the page, the line and the missing part; a saved HTML
//! page is first read as the text a browser shows of it ([`html`]). The
//! pages of one import are then put together as a batch (one endpoint per
//! route, one id per endpoint, examples borrowed by returned type) before
//! any file is written, so a page is imported whole or not at all and a
//! failing page never leaves a trace. [`report`] says what became of every
//! page and every file found.

pub(crate) mod conventions;
pub mod html;
pub(crate) mod ids;
mod onlyoffice;
pub mod pages;
pub mod report;
mod same_type;
mod superoffice;
pub mod text;
mod types;
pub(crate) mod write;

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::contract::dialect::DialectName;
use crate::contract::spec::{ApiFile, EndpointFile, ExampleSource};
pub use pages::Skipped;
pub use report::{Line, Outcome, PageReport, Report, Summary};
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
    /// What the page got wrong that the import worked around, with the
    /// page line (an example left out as malformed), for the report.
    pub warnings: Vec<String>,
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
        strict: false,
        formats: None,
    }
}

/// `PUT` + `/api/2.0/crm/contact/{contactid}/status` →
/// `put-crm-contact-contactid-status`: the method and the path after the
/// API version, as a file name.
pub fn endpoint_id(method: &str, path: &str) -> String {
    endpoint_id_spelled(method, path, false)
}

/// [`endpoint_id`], with each path parameter spelled `by-name` when `by`:
/// `GET` + `/api/2.0/project/{status}` → `get-project-by-status`, the id
/// of a route whose plain id another route has.
pub(crate) fn endpoint_id_spelled(method: &str, path: &str, by: bool) -> String {
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
        let parameter = by && segment.starts_with('{') && segment.ends_with('}');
        // `{id:[0-9]+}`: the name, not its constraint.
        let segment = if parameter {
            id.push_str("-by");
            segment
                .trim_matches(['{', '}'])
                .split(':')
                .next()
                .unwrap_or_default()
        } else {
            segment
        };
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

/// Options for a batch import.
#[derive(Debug, Clone)]
pub struct Options {
    /// The output directory; specs go to `specs/`, fixtures to `fixtures/`.
    pub out: PathBuf,
    /// Report what would be written without writing.
    pub dry_run: bool,
}

/// Where an import is, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// Reading page `done + 1` of `total`.
    Reading {
        /// The page.
        page: &'a str,
        /// Pages read before it.
        done: usize,
        /// Pages to read.
        total: usize,
    },
    /// Writing endpoint `done + 1` of `total`.
    Writing {
        /// The endpoint (`api/id`).
        endpoint: &'a str,
        /// Endpoints written before it.
        done: usize,
        /// Endpoints to write.
        total: usize,
    },
}

/// Imports every page among `given` (files, and directories walked with
/// their subdirectories: see [`pages`]) into `options.out`.
///
/// Each page is read, parsed and its text dropped before the next is read,
/// so that only the parsed endpoints are held. Then the batch is put
/// together: pages of the same method and path become one endpoint,
/// every endpoint gets an id of its own ([`ids`]), a response the page shows
/// no example of borrows one of the same returned type ([`same_type`]), and
/// the endpoints are written, made durable once at the end ([`write`]).
pub fn import(given: &[PathBuf], options: &Options, progress: impl FnMut(Progress<'_>)) -> Report {
    let found = pages::find(given);
    let total = found.pages.len();
    let parsed = found.pages.iter().map(|file| {
        let endpoint = pages::read(file).and_then(|text| parse_page(&file.name, &text));
        (file.name.clone(), endpoint)
    });
    let mut report = import_parsed(parsed, total, options, progress);
    let unreadable = found.unreadable.into_iter().map(|error| PageReport {
        page: error.page.clone(),
        outcome: Outcome::Refused(error),
    });
    report.pages.splice(0..0, unreadable);
    report.skipped = found.skipped;
    report
}

/// Imports pages already parsed (the page's name, and its endpoint or why
/// it was refused), `total` of them, as [`import`] does once it has
/// parsed a page: for callers that read pages their own way.
pub fn import_parsed(
    parsed: impl IntoIterator<Item = (String, Result<Imported, ImportError>)>,
    total: usize,
    options: &Options,
    mut progress: impl FnMut(Progress<'_>),
) -> Report {
    let mut report = Report {
        dry_run: options.dry_run,
        ..Report::default()
    };
    let mut endpoints: Vec<Imported> = Vec::new();
    // Per endpoint: the page it came from, and the pages merged into it.
    let mut sources: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut owners: HashMap<ids::RouteKey, usize> = HashMap::new();
    for (index, (name, parsed)) in parsed.into_iter().enumerate() {
        progress(Progress::Reading {
            page: &name,
            done: index,
            total,
        });
        let outcome = match parsed {
            Ok(imported) => {
                let key = ids::route_key(&imported);
                match owners.get(&key) {
                    Some(&owner) => {
                        merge(&mut endpoints[owner], &imported);
                        sources[owner].1.push(index);
                    }
                    None => {
                        owners.insert(key, endpoints.len());
                        endpoints.push(imported);
                        sources.push((index, Vec::new()));
                    }
                }
                // Replaced once the endpoint is written.
                Outcome::Unchanged {
                    endpoint: String::new(),
                    merged_into: None,
                    notes: Vec::new(),
                }
            }
            Err(error) => Outcome::Refused(error),
        };
        report.pages.push(PageReport {
            page: name,
            outcome,
        });
    }

    let existing = ids::Existing::scan(
        &options.out.join("specs"),
        endpoints.iter().map(|e| e.api.name.as_str()),
    );
    let id_notes = ids::assign(&mut endpoints, &existing);
    let example_notes = same_type::borrow(&mut endpoints);

    let mut writer = write::Writer::new(options);
    let total = endpoints.len();
    for (done, imported) in endpoints.iter().enumerate() {
        let endpoint = format!("{}/{}", imported.api.name, imported.id);
        progress(Progress::Writing {
            endpoint: &endpoint,
            done,
            total,
        });
        let (owner, merged) = &sources[done];
        let mut notes: Vec<String> = id_notes[done].iter().cloned().collect();
        notes.extend(example_notes[done].iter().cloned());
        notes.extend(undocumented_notes(imported));
        notes.extend(imported.warnings.iter().cloned());
        let owner_page = report.pages[*owner].page.clone();
        let (first, others) = match writer.write(imported) {
            Ok(write::Written::Files(files)) => (
                Outcome::Imported {
                    endpoint: endpoint.clone(),
                    files,
                    notes,
                },
                Outcome::Merged {
                    endpoint,
                    into: owner_page,
                },
            ),
            Ok(write::Written::Unchanged) => (
                Outcome::Unchanged {
                    endpoint: endpoint.clone(),
                    merged_into: None,
                    notes,
                },
                Outcome::Unchanged {
                    endpoint,
                    merged_into: Some(owner_page),
                    notes: Vec::new(),
                },
            ),
            Err(message) => {
                let refused = |page: &str| {
                    Outcome::Refused(ImportError {
                        page: page.to_string(),
                        line: None,
                        part: "output".into(),
                        message: message.clone(),
                    })
                };
                let first = refused(&owner_page);
                for &page in merged {
                    report.pages[page].outcome = refused(&report.pages[page].page);
                }
                report.pages[*owner].outcome = first;
                continue;
            }
        };
        report.pages[*owner].outcome = first;
        for &page in merged {
            report.pages[page].outcome = others.clone();
        }
    }
    report.sync_error = writer.finish().err();
    report
}

/// Notes on the responses of `imported` that no page documents an example
/// of and that found none of the same type.
fn undocumented_notes(imported: &Imported) -> Vec<String> {
    imported
        .spec
        .responses
        .iter()
        .filter_map(|response| match response.example {
            Some(ExampleSource::NoData) => Some(format!(
                "no example response for {}: the page says the method returns no data",
                response.status
            )),
            Some(ExampleSource::Unknown) => Some(match &response.type_name {
                Some(type_name) => format!(
                    "no example response for {}: no page of this import documents one of its type ({type_name})",
                    response.status
                ),
                None => format!(
                    "no example response for {}, and the page names no returned type",
                    response.status
                ),
            }),
            _ => None,
        })
        .collect()
}

/// Adds to `first` what `other` documents and `first` does not: responses
/// with other statuses, and an XML example where `first` has none.
fn merge(first: &mut Imported, other: &Imported) {
    first.warnings.extend(
        other
            .warnings
            .iter()
            .map(|warning| format!("{}: {warning}", other.page)),
    );
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parameter_spelled_by_name_tells_a_template_from_a_literal() {
        assert_eq!(
            endpoint_id_spelled("GET", "/api/2.0/project/{status}", true),
            "get-project-by-status"
        );
        assert_eq!(
            endpoint_id_spelled("GET", "/api/2.0/project/status", true),
            "get-project-status"
        );
        assert_eq!(
            endpoint_id_spelled("PUT", "/api/2.0/crm/case/{id:[0-9]+}/status", true),
            "put-crm-case-by-id-status"
        );
    }

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
