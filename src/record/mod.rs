//! `docmock record`: what a live portal answered, written as a spec
//! directory that `serve` can use.
//!
//! The proxy hands every exchange to a [`Recorder`] (an
//! [`ExchangeSink`]). Two kinds are kept:
//!
//! * an answer on a documented endpoint whose documented response shows no
//!   example (`same-type`, `no-data`, `unknown`) becomes that response's
//!   example: its fixture (JSON and/or XML, as the portal answered; both
//!   when both were seen) and `"example": {"from": "recorded", …}`;
//! * a successful answer on a path no spec documents becomes a new endpoint
//!   in the API the path belongs to: the route (numbers and GUIDs as
//!   `{param}`s, see [`route`]), the request (its credentials replaced, see
//!   [`mask`]) and the answer, marked as recorded.
//!
//! Documented examples are kept unless [`Options::overwrite`]; one example
//! per endpoint, status and format unless [`Options::examples_per_endpoint`]
//! asks for more. Everything else is skipped with a note saying why
//! ([`Summary`]).
//!
//! The proxy's workers only classify an exchange and hand it over (the
//! exchanges kept are few: one per endpoint and status); the files are
//! written on a thread of the recorder's own, through the importer's writer
//! (temporary file and rename, never another route's file, ids chosen as
//! the importer chooses them), and made durable by [`Recorder::finish`].
//!
//! This mode sits beside `import` and `verify`: it uses `contract`,
//! `import` and `serve::redact`, and nothing uses it but the command line.

pub mod mask;
pub mod route;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::SystemTime;

use http::{HeaderMap, Method};
use serde_json::{Map, Value};

use crate::contract::catalog::{Catalog, Source, status_has_body};
use crate::contract::dialect::DialectName;
use crate::contract::spec::{
    ApiFile, EndpointFile, ExampleSource, Location, ParameterFile, RequestFile, ResponseFile,
};
use crate::import::ids::{self, Existing};
use crate::import::write::{Writer, Written};
use crate::import::{Imported, endpoint_id};
use crate::proxy::exchange::{Exchange, ExchangeSink};

/// How the recorder writes.
#[derive(Debug, Clone)]
pub struct Options {
    /// The spec directory written into: `specs/` and `fixtures/` below it.
    /// It may be the directory served (recording in place) or another one,
    /// which then receives the recorded endpoints with what they need.
    pub out: PathBuf,
    /// Replace documented examples, and earlier recordings, with what the
    /// portal answered.
    pub overwrite: bool,
    /// How many examples to keep per endpoint, status and format (at least
    /// one); the second and later are extra responses named
    /// `STATUS-recorded-N` (`Prefer: example=200-recorded-2`).
    pub examples_per_endpoint: usize,
    /// The API undocumented paths belong to, when the served specs hold
    /// several and the path starts with none of their prefixes.
    pub api: Option<String>,
}

/// What a recording did, for the command to print.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// One line per example written (`onlyoffice/put-x 200 json`).
    pub recorded: Vec<String>,
    /// One line per exchange (or kind of exchange) not recorded, and why.
    pub skipped: Vec<String>,
    /// Skipped lines beyond the ones kept.
    pub skipped_not_kept: usize,
    /// Files that could not be written or synced, and what the written
    /// directory's loading says is wrong with it: a recording that leaves
    /// any is not one `serve` takes as it is.
    pub problems: Vec<String>,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.recorded {
            writeln!(f, "recorded  {line}")?;
        }
        for line in &self.skipped {
            writeln!(f, "skipped   {line}")?;
        }
        if self.skipped_not_kept > 0 {
            writeln!(f, "skipped   {} more not listed", self.skipped_not_kept)?;
        }
        for line in &self.problems {
            writeln!(f, "problem   {line}")?;
        }
        write!(
            f,
            "{} recorded, {} skipped, {} problems",
            self.recorded.len(),
            self.skipped.len() + self.skipped_not_kept,
            self.problems.len()
        )
    }
}

/// Skipped lines kept; the rest are counted.
const NOTES_KEPT: usize = 1_000;
/// Distinct (endpoint or route, status, format) keys followed; past it an
/// exchange on a new one is skipped, so that a client probing endless
/// paths cannot grow the recorder without bound.
const KEYS_KEPT: usize = 20_000;
/// Exchanges waiting for the writing thread; past it one is skipped.
const QUEUE: usize = 64;

/// A body's form, as the answer's `Content-Type` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Form {
    Json,
    Xml,
    /// A status that carries no body (204, 304).
    Empty,
}

impl Form {
    fn extension(self) -> &'static str {
        match self {
            Form::Json => "json",
            Form::Xml => "xml",
            Form::Empty => "",
        }
    }
}

/// What the media type `content_type` holds, if it is JSON or XML.
fn form_of(headers: &HeaderMap) -> Option<Form> {
    let value = headers.get(http::header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let subtype = essence.split_once('/').map(|(_, s)| s)?;
    if subtype == "json" || subtype.ends_with("+json") {
        Some(Form::Json)
    } else if subtype == "xml" || subtype.ends_with("+xml") {
        Some(Form::Xml)
    } else {
        None
    }
}

/// A documented endpoint, as the recorder needs it.
#[derive(Debug, Clone)]
struct Known {
    /// Its spec file in the served directory.
    file: PathBuf,
    /// Its API's name.
    api: String,
    /// Its id below the API (`put-x`, or `sub/put-x`).
    id: String,
    /// Built in (the ONLYOFFICE login): no file to record into.
    built_in: bool,
    /// Per documented status, whether its example is documented (not
    /// `same-type`, `no-data`, `unknown` or `recorded`).
    statuses: Vec<(u16, bool)>,
}

/// A served API, as the recorder needs it.
#[derive(Debug, Clone)]
struct ApiInfo {
    file: ApiFile,
    prefix: String,
    dialect: DialectName,
}

/// Where an exchange goes.
#[derive(Debug, Clone)]
enum Target {
    /// A documented endpoint (`api/id`).
    Documented(String),
    /// A path no spec documents, read as a route of `api`.
    Undocumented {
        api: String,
        observed: route::Observed,
        /// Path and query below the API's mount prefix.
        below: String,
    },
}

/// One exchange handed to the writing thread.
struct Job {
    exchange: Exchange,
    target: Target,
    form: Form,
}

/// Skipped lines, bounded.
#[derive(Debug, Default)]
struct Notes {
    lines: Vec<String>,
    not_kept: usize,
    /// Keys already noted, so that one reason is said once per key.
    said: HashSet<String>,
}

impl Notes {
    fn push(&mut self, key: Option<&str>, line: impl FnOnce() -> String) {
        if let Some(key) = key {
            if self.said.contains(key) {
                return;
            }
            if self.said.len() < KEYS_KEPT {
                self.said.insert(key.to_string());
            }
        }
        if self.lines.len() < NOTES_KEPT {
            self.lines.push(line());
        } else {
            self.not_kept += 1;
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Writes what the proxy saw as a spec directory (see the module).
///
/// ```no_run
/// # use std::sync::Arc;
/// # use docmock::{Catalog, Source};
/// # use docmock::record::{Options, Recorder};
/// let source = Source::new("specs", None);
/// let catalog = Catalog::load(&source)?;
/// let options = Options { out: "recorded".into(), overwrite: false, examples_per_endpoint: 1, api: None };
/// let recorder = Arc::new(Recorder::new(&catalog, &source, options));
/// // … the proxy runs with `Some(recorder.clone())` as its sink …
/// let summary = recorder.finish();
/// println!("{summary}");
/// # Ok::<(), docmock::LoadErrors>(())
/// ```
pub struct Recorder {
    known: HashMap<String, Known>,
    apis: Vec<(String, ApiInfo)>,
    options: Options,
    /// Exchanges handed over per key, against `examples_per_endpoint`.
    counts: Mutex<HashMap<String, usize>>,
    notes: Arc<Mutex<Notes>>,
    sender: Mutex<Option<SyncSender<Job>>>,
    worker: Mutex<Option<JoinHandle<Summary>>>,
}

impl fmt::Debug for Recorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recorder")
            .field("out", &self.options.out)
            .finish_non_exhaustive()
    }
}

impl Recorder {
    /// A recorder for the proxy serving `catalog`, loaded from `source`,
    /// writing into `options.out`. Its writing thread starts here.
    pub fn new(catalog: &Catalog, source: &Source, mut options: Options) -> Recorder {
        options.examples_per_endpoint = options.examples_per_endpoint.max(1);
        let mut known = HashMap::new();
        for endpoint in &catalog.endpoints {
            let api = catalog.api_of(endpoint);
            let id = endpoint
                .id
                .strip_prefix(&format!("{}/", api.name))
                .unwrap_or(&endpoint.id)
                .to_string();
            known.insert(
                endpoint.id.clone(),
                Known {
                    file: endpoint.file.clone(),
                    api: api.name.clone(),
                    id,
                    built_in: endpoint.is_built_in(),
                    statuses: endpoint
                        .responses
                        .iter()
                        .map(|r| (r.status, r.example.is_none()))
                        .collect(),
                },
            );
        }
        let apis: Vec<(String, ApiInfo)> = catalog
            .apis
            .iter()
            .map(|api| {
                let file =
                    crate::files::read_regular(&source.specs.join(&api.name).join("api.json"))
                        .ok()
                        .and_then(|bytes| serde_json::from_slice::<ApiFile>(&bytes).ok())
                        .unwrap_or_else(|| {
                            let mut file = crate::import::api_file(api.dialect);
                            file.name = api.name.clone();
                            file.title = api.title.clone();
                            file.prefix = api.prefix.clone();
                            file
                        });
                (
                    api.name.clone(),
                    ApiInfo {
                        file,
                        prefix: api.prefix.clone(),
                        dialect: api.dialect,
                    },
                )
            })
            .collect();
        let notes = Arc::new(Mutex::new(Notes::default()));
        let (sender, receiver) = sync_channel(QUEUE);
        let worker = Worker {
            source: source.clone(),
            options: options.clone(),
            known: known.clone(),
            apis: apis.iter().cloned().collect(),
            specs: HashMap::new(),
            routes: HashMap::new(),
            notes: notes.clone(),
            summary: Summary::default(),
            fresh: HashSet::new(),
        };
        let handle = std::thread::Builder::new()
            .name("docmock-record".into())
            .spawn(move || worker.run(receiver));
        let (sender, worker) = match handle {
            Ok(handle) => (Some(sender), Some(handle)),
            Err(error) => {
                lock(&notes).push(None, || {
                    format!("everything: the recorder's thread could not start: {error}")
                });
                (None, None)
            }
        };
        Recorder {
            known,
            apis,
            options,
            counts: Mutex::new(HashMap::new()),
            notes,
            sender: Mutex::new(sender),
            worker: Mutex::new(worker),
        }
    }

    /// Waits for every exchange handed over to be written, makes the
    /// files durable, loads the written directory as `serve` would, and
    /// says what was done. Exchanges after this are not recorded.
    pub fn finish(&self) -> Summary {
        lock(&self.sender).take();
        let handle = lock(&self.worker).take();
        let mut summary = match handle.map(JoinHandle::join) {
            Some(Ok(summary)) => summary,
            Some(Err(_)) => Summary {
                problems: vec![
                    "the recorder's thread stopped on a bug; some files may be missing".into(),
                ],
                ..Summary::default()
            },
            None => Summary::default(),
        };
        let mut notes = lock(&self.notes);
        summary.skipped.append(&mut notes.lines);
        summary.skipped_not_kept += notes.not_kept;
        summary
    }

    /// Where `exchange` goes, or why it is not recorded.
    fn target(&self, exchange: &Exchange) -> Result<Target, String> {
        if matches!(exchange.method, Method::HEAD | Method::OPTIONS) {
            return Err(format!(
                "{} answers carry no body to record",
                exchange.method
            ));
        }
        if let Some(endpoint) = &exchange.endpoint {
            return match self.known.get(endpoint) {
                Some(known) if known.built_in => Err(format!(
                    "{endpoint} is built in (no page documents it): nothing to record into"
                )),
                Some(_) => Ok(Target::Documented(endpoint.clone())),
                None => Err(format!("{endpoint} is not an endpoint of the served specs")),
            };
        }
        if !(200..300).contains(&exchange.status) {
            return Err(format!(
                "no spec documents this path, and the portal answered {}: only successful answers make new endpoints",
                exchange.status
            ));
        }
        let path = exchange
            .path_and_query
            .split_once('?')
            .map_or(exchange.path_and_query.as_str(), |(p, _)| p);
        // The API whose mount prefix the path starts with, else the one
        // asked for, else the only one.
        let by_prefix = self.apis.iter().find(|(_, api)| {
            api.prefix.len() > 1
                && path
                    .get(..api.prefix.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(&api.prefix))
                && path[api.prefix.len()..].starts_with('/')
        });
        let (name, api, below) = match by_prefix {
            Some((name, api)) => (
                name,
                api,
                exchange.path_and_query[api.prefix.len()..].to_string(),
            ),
            None => {
                let chosen = match &self.options.api {
                    Some(wanted) => self.apis.iter().find(|(name, _)| name == wanted),
                    None if self.apis.len() == 1 => self.apis.first(),
                    None => None,
                };
                let Some((name, api)) = chosen else {
                    return Err(match &self.options.api {
                        Some(wanted) => format!("no served API is named {wanted:?}"),
                        None => "no spec documents this path, and it starts with no API's prefix: \
                                 say which API it belongs to with --api"
                            .to_string(),
                    });
                };
                (name, api, exchange.path_and_query.clone())
            }
        };
        let below_path = below.split_once('?').map_or(below.as_str(), |(p, _)| p);
        let observed = route::observe(below_path, api.dialect != DialectName::Superoffice)?;
        Ok(Target::Undocumented {
            api: name.clone(),
            observed,
            below,
        })
    }

    /// Whether `target`'s documented example for `status` is documented
    /// (kept unless overwriting).
    fn documented(&self, target: &Target, status: u16) -> bool {
        match target {
            Target::Documented(endpoint) => self.known.get(endpoint).is_some_and(|known| {
                known
                    .statuses
                    .iter()
                    .any(|&(s, documented)| s == status && documented)
            }),
            Target::Undocumented { .. } => false,
        }
    }
}

/// A line naming an exchange: `GET /api/2.0/x -> 200`.
fn describe(exchange: &Exchange) -> String {
    let mut path = mask::query(&exchange.path_and_query).into_owned();
    if path.len() > 200 {
        let mut end = 200;
        while !path.is_char_boundary(end) {
            end -= 1;
        }
        path.truncate(end);
        path.push('…');
    }
    format!("{} {} -> {}", exchange.method, path, exchange.status)
}

impl ExchangeSink for Recorder {
    fn exchanged(&self, exchange: &Exchange) {
        let said = || describe(exchange);
        let target = match self.target(exchange) {
            Ok(target) => target,
            Err(why) => {
                // Said once per endpoint (or path) and reason.
                let path = exchange
                    .path_and_query
                    .split('?')
                    .next()
                    .unwrap_or_default();
                let key = format!("{} {why}", exchange.endpoint.as_deref().unwrap_or(path));
                lock(&self.notes).push(Some(&key), || format!("{}: {why}", said()));
                return;
            }
        };
        let key_base = match &target {
            Target::Documented(endpoint) => endpoint.clone(),
            Target::Undocumented { api, observed, .. } => {
                format!(
                    "{api} {} {}",
                    exchange.method,
                    observed.template.to_ascii_lowercase()
                )
            }
        };
        let form = if !status_has_body(exchange.status) {
            Some(Form::Empty)
        } else {
            form_of(&exchange.response_headers)
        };
        let Some(form) = form else {
            let content_type = exchange
                .response_headers
                .get(http::header::CONTENT_TYPE)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
            let why = match content_type {
                Some(t) => format!("the answer is neither JSON nor XML (Content-Type: {t})"),
                None => "the answer has no Content-Type saying it is JSON or XML".to_string(),
            };
            lock(&self.notes).push(
                Some(&format!("{key_base} {} form", exchange.status)),
                || format!("{}: {why}", said()),
            );
            return;
        };
        if form != Form::Empty && exchange.response_body.is_none() {
            lock(&self.notes).push(
                Some(&format!("{key_base} {} large", exchange.status)),
                || format!("{}: the answer was larger than the body limit and streamed through, not kept", said()),
            );
            return;
        }
        if self.documented(&target, exchange.status) && !self.options.overwrite {
            lock(&self.notes).push(
                Some(&format!("{key_base} {} documented", exchange.status)),
                || {
                    format!(
                        "{}: the documented example is kept (--overwrite replaces it)",
                        said()
                    )
                },
            );
            return;
        }
        let key = format!("{key_base} {} {}", exchange.status, form.extension());
        {
            let mut counts = lock(&self.counts);
            let full = counts.len() >= KEYS_KEPT && !counts.contains_key(&key);
            let count = counts.get(&key).copied().unwrap_or(0);
            if full {
                drop(counts);
                lock(&self.notes).push(None, || {
                    format!("{}: too many routes followed already ({KEYS_KEPT})", said())
                });
                return;
            }
            if count >= self.options.examples_per_endpoint {
                return;
            }
            counts.insert(key.clone(), count + 1);
        }
        let sender = lock(&self.sender).clone();
        let Some(sender) = sender else {
            return;
        };
        let job = Job {
            exchange: exchange.clone(),
            target,
            form,
        };
        match sender.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                // Not counted: a later exchange of the same kind may still be.
                if let Some(count) = lock(&self.counts).get_mut(&key) {
                    *count = count.saturating_sub(1);
                }
                lock(&self.notes).push(None, || {
                    format!("{}: the recorder was still writing earlier answers", said())
                });
            }
            Err(TrySendError::Disconnected(_)) => {}
        }
    }
}

/// The writing thread's state.
struct Worker {
    source: Source,
    options: Options,
    known: HashMap<String, Known>,
    apis: HashMap<String, ApiInfo>,
    /// The specs written so far, by `(api, id)`, as on disk.
    specs: HashMap<(String, String), EndpointFile>,
    /// The routes recorded so far, by `(api, METHOD, template in lower case)`.
    routes: HashMap<ids::RouteKey, (String, route::Observed)>,
    notes: Arc<Mutex<Notes>>,
    summary: Summary,
    /// The fixtures written in this run (and `api/id status` of bodiless
    /// recordings): overwriting never replaces them.
    fresh: HashSet<String>,
}

/// What a response held before the recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Held {
    /// A documented example.
    Documented,
    /// A documented error status the vendor's error shape answers.
    GeneratedError,
    /// An earlier recording.
    Recorded,
    /// No example of its own (`same-type`, `no-data`, `unknown`).
    NoExample,
}

/// A route no spec documents, as first recorded.
struct NewRoute {
    /// Its id below the API.
    id: String,
    /// Its spec, no response yet.
    spec: EndpointFile,
    /// The request body's fixture, if any.
    fixtures: Vec<(String, String)>,
}

/// What recording one answer into a spec does.
struct Change {
    /// The fixtures to write, relative to `fixtures/`.
    fixtures: Vec<(String, String)>,
    /// What was recorded, for the summary.
    line: String,
}

impl Worker {
    fn run(mut self, receiver: Receiver<Job>) -> Summary {
        let import_options = crate::import::Options {
            out: self.options.out.clone(),
            dry_run: false,
        };
        let mut writer = Writer::new(&import_options);
        for job in receiver {
            if let Err(why) = self.record(&mut writer, &job) {
                let said = describe(&job.exchange);
                lock(&self.notes).push(None, || format!("{said}: {why}"));
            }
        }
        if let Err(error) = writer.finish() {
            self.summary.problems.push(error);
        }
        if !self.summary.recorded.is_empty() {
            let out = Source::new(self.options.out.join("specs"), None);
            // What `check` would report of loading: errors and warnings.
            match Catalog::load(&out) {
                Ok(catalog) => self
                    .summary
                    .problems
                    .extend(catalog.warnings.iter().map(ToString::to_string)),
                Err(errors) => self
                    .summary
                    .problems
                    .extend(errors.0.iter().map(ToString::to_string)),
            }
        }
        self.summary
    }

    /// Records one exchange, or says why not.
    fn record(&mut self, writer: &mut Writer<'_>, job: &Job) -> Result<(), String> {
        let exchange = &job.exchange;
        let text = match (job.form, &exchange.response_body) {
            (Form::Empty, _) => None,
            (_, None) => return Err("the answer was not kept".into()),
            (form, Some(bytes)) => {
                let text = std::str::from_utf8(bytes)
                    .map_err(|_| "the answer is not UTF-8 text".to_string())?;
                if text.trim().is_empty() {
                    return Err("the answer is empty: nothing to record".into());
                }
                Some(match form {
                    Form::Json => mask::json_text(text)?,
                    _ => mask::xml_text(text)?,
                })
            }
        };
        let recorded = ExampleSource::Recorded {
            target: mask::url(&exchange.target),
            at: rfc3339(exchange.at),
        };
        // A route recorded for the first time, remembered once written.
        let mut new_route = None;
        let (api, id, mut spec, may_add_status, mut extra) = match &job.target {
            Target::Documented(endpoint) => {
                let known = self
                    .known
                    .get(endpoint)
                    .ok_or_else(|| format!("{endpoint} is not an endpoint of the served specs"))?
                    .clone();
                let spec = self.spec_of(&known)?;
                (known.api, known.id, spec, false, Vec::new())
            }
            Target::Undocumented {
                api,
                observed,
                below,
            } => {
                let key = (
                    api.clone(),
                    exchange.method.as_str().to_ascii_uppercase(),
                    observed.template.to_ascii_lowercase(),
                );
                // The route recorded already that this path is one of,
                // perhaps once its varying ids are parameters.
                let merged = self.routes.iter().find_map(|(known, (id, seen))| {
                    (known.0 == key.0 && known.1 == key.1)
                        .then(|| route::merge(seen, observed))
                        .flatten()
                        .map(|merged| (known.clone(), id.clone(), merged))
                });
                match merged {
                    Some((known, id, merged)) => {
                        let mut spec = self
                            .specs
                            .get(&(api.clone(), id.clone()))
                            .cloned()
                            .ok_or_else(|| format!("the spec recorded for {id} was lost"))?;
                        if merged.template != spec.path {
                            // Its ids vary: the route becomes a template,
                            // its file and id staying as first written.
                            spec.path = merged.template.clone();
                            spec.parameters.retain(|p| p.location != Location::Path);
                            spec.parameters.splice(0..0, path_parameters(&merged));
                            let key = (
                                known.0.clone(),
                                known.1.clone(),
                                merged.template.to_ascii_lowercase(),
                            );
                            new_route = Some((key, merged, Some(known)));
                        }
                        (api.clone(), id, spec, true, Vec::new())
                    }
                    None => {
                        let new = self.new_route(api, observed, below, exchange)?;
                        new_route = Some((key, observed.clone(), None));
                        (api.clone(), new.id, new.spec, true, new.fixtures)
                    }
                }
            }
        };
        let dialect = self
            .apis
            .get(&api)
            .map(|a| a.dialect)
            .ok_or_else(|| format!("no served API is named {api:?}"))?;
        let change = self.apply(
            &mut spec,
            &api,
            &id,
            exchange.status,
            job.form,
            text,
            recorded,
            may_add_status,
            dialect,
        )?;
        let line = match change {
            Some(change) => {
                extra.extend(change.fixtures);
                change.line
            }
            // Recorded already; only a route that became a template has
            // something to write.
            None => match &new_route {
                Some((_, merged, Some(_))) => format!("path now {}", merged.template),
                _ => return Ok(()),
            },
        };
        self.copy_referenced(&spec, &mut extra);
        let imported = Imported {
            api: self
                .apis
                .get(&api)
                .map(|a| a.file.clone())
                .ok_or_else(|| format!("no served API is named {api:?}"))?,
            id: id.clone(),
            spec: spec.clone(),
            fixtures: extra,
            page: "recorded".into(),
            warnings: Vec::new(),
        };
        match writer.write(&imported) {
            Ok(Written::Files(_) | Written::Unchanged) => {
                if let Some((key, observed, replaced)) = new_route {
                    if let Some(replaced) = replaced {
                        self.routes.remove(&replaced);
                    }
                    self.routes.insert(key, (id.clone(), observed));
                }
                self.fresh
                    .extend(imported.fixtures.iter().map(|(name, _)| name.clone()));
                self.fresh.insert(format!("{api}/{id} {}", exchange.status));
                self.specs.insert((api.clone(), id.clone()), spec);
                self.summary.recorded.push(format!("{api}/{id} {line}"));
                Ok(())
            }
            Err(error) => {
                self.summary.problems.push(format!("{api}/{id}: {error}"));
                Ok(())
            }
        }
    }

    /// The current spec of a documented endpoint: as last written, else
    /// as in `--out`, else as served.
    fn spec_of(&self, known: &Known) -> Result<EndpointFile, String> {
        if let Some(spec) = self.specs.get(&(known.api.clone(), known.id.clone())) {
            return Ok(spec.clone());
        }
        let written = self
            .options
            .out
            .join("specs")
            .join(&known.api)
            .join(format!("{}.json", known.id));
        let read = |file: &Path| -> Result<EndpointFile, String> {
            let bytes = crate::files::read_regular(file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            serde_json::from_slice(&bytes)
                .map_err(|e| format!("{} is not a spec file: {e}", file.display()))
        };
        let served = read(&known.file)?;
        if !written.is_file() || written == known.file {
            return Ok(served);
        }
        let there = read(&written)?;
        let route = |spec: &EndpointFile| {
            (
                spec.method.to_ascii_uppercase(),
                spec.path.to_ascii_lowercase(),
            )
        };
        if route(&there) != route(&served) {
            return Err(format!(
                "{} holds another route ({} {}): it is not replaced",
                written.display(),
                there.method,
                there.path
            ));
        }
        Ok(there)
    }

    /// A spec for a route no spec documents, with its id (chosen as the
    /// importer chooses, never another route's file) and the request's
    /// fixture.
    fn new_route(
        &self,
        api: &str,
        observed: &route::Observed,
        below: &str,
        exchange: &Exchange,
    ) -> Result<NewRoute, String> {
        let specs = self.options.out.join("specs");
        let existing = Existing::scan(&specs, [api]);
        let method = exchange.method.as_str().to_ascii_uppercase();
        let key = (
            api.to_string(),
            method.clone(),
            observed.template.to_ascii_lowercase(),
        );
        if let Some(id) = existing.route_id(&key) {
            return Err(format!(
                "the route {method} {} already has a spec in the output ({api}/{id}): it is left as it is",
                observed.template
            ));
        }
        let mut parameters = path_parameters(observed);
        let (path, query) = match below.split_once('?') {
            Some((path, query)) => (path, Some(mask::query(query).into_owned())),
            None => (below, None),
        };
        for (name, value) in form_urlencoded::parse(query.as_deref().unwrap_or_default().as_bytes())
        {
            if name.is_empty()
                || parameters
                    .iter()
                    .any(|p| p.name.eq_ignore_ascii_case(&name))
            {
                continue;
            }
            parameters.push(ParameterFile {
                name: name.into_owned(),
                location: Location::Query,
                description: String::new(),
                doc_type: None,
                schema: Some(serde_json::json!({"type": "string"})),
                example: Some(Value::from(value.into_owned())),
                required: false,
            });
        }
        let (headers, auth) = request_headers(&exchange.request_headers);
        let mut imported = Imported {
            api: self
                .apis
                .get(api)
                .map(|a| a.file.clone())
                .ok_or_else(|| format!("no served API is named {api:?}"))?,
            id: endpoint_id(&method, &observed.template),
            spec: EndpointFile {
                method,
                path: observed.template.clone(),
                summary: format!(
                    "Recorded from {}: no page documents this route.",
                    mask::url(&exchange.target)
                ),
                auth,
                parameters,
                request: Some(RequestFile {
                    target: match &query {
                        Some(query) => format!("{path}?{query}"),
                        None => path.to_string(),
                    },
                    headers,
                    body: None,
                }),
                responses: Vec::new(),
                source: None,
            },
            fixtures: Vec::new(),
            page: "recorded".into(),
            warnings: Vec::new(),
        };
        let mut endpoints = [imported];
        ids::assign(&mut endpoints, &existing);
        let [assigned] = endpoints;
        imported = assigned;
        if imported.id.is_empty() {
            return Err("the route makes no endpoint id".into());
        }
        let mut fixtures = Vec::new();
        if !exchange.request_body.is_empty() {
            match request_body(&exchange.request_headers, &exchange.request_body) {
                Ok((extension, text)) => {
                    let name = format!("{api}/{}/request.{extension}", imported.id);
                    if let Some(request) = imported.spec.request.as_mut() {
                        request.body = Some(name.clone());
                    }
                    fixtures.push((name, text));
                }
                Err(why) => {
                    lock(&self.notes).push(None, || {
                        format!(
                            "{}: its request body is not recorded: {why}",
                            describe(exchange)
                        )
                    });
                    // Without it the example request would not be the one sent.
                    if let Some(request) = imported.spec.request.as_mut() {
                        request.headers.remove("Content-Type");
                    }
                }
            }
        }
        Ok(NewRoute {
            id: imported.id,
            spec: imported.spec,
            fixtures,
        })
    }

    /// Records the answer `text` (in `form`) as `spec`'s example for
    /// `status` (see the module for what is kept), and returns the
    /// fixtures to write.
    #[allow(clippy::too_many_arguments)]
    fn apply(
        &self,
        spec: &mut EndpointFile,
        api: &str,
        id: &str,
        status: u16,
        form: Form,
        text: Option<String>,
        recorded: ExampleSource,
        may_add_status: bool,
        dialect: DialectName,
    ) -> Result<Option<Change>, String> {
        let overwrite = self.options.overwrite;
        let mut fixtures = Vec::new();
        let same_status: Vec<usize> = spec
            .responses
            .iter()
            .enumerate()
            .filter(|(_, r)| r.status == status)
            .map(|(i, _)| i)
            .collect();
        let added = same_status.is_empty();
        let index = match same_status.first() {
            Some(&index) => index,
            None if may_add_status => {
                spec.responses.push(ResponseFile {
                    status,
                    name: None,
                    description: String::new(),
                    type_name: None,
                    json: None,
                    xml: None,
                    xml_names: None,
                    xml_literals: None,
                    example: Some(recorded.clone()),
                });
                spec.responses.len() - 1
            }
            None => {
                return Err(format!(
                    "the spec documents no {status} response for this endpoint: an answer the documentation does not promise is not recorded"
                ));
            }
        };
        let first = &spec.responses[index];
        let held = match &first.example {
            None if first.json.is_none() && first.xml.is_none() && status >= 400 => {
                Held::GeneratedError
            }
            None => Held::Documented,
            Some(ExampleSource::Recorded { .. }) => Held::Recorded,
            Some(_) => Held::NoExample,
        };
        if held == Held::Documented && !overwrite {
            return Err("the documented example is kept (--overwrite replaces it)".into());
        }
        let has_form = |r: &ResponseFile| match form {
            Form::Json => r.json.is_some(),
            Form::Xml => r.xml.is_some(),
            Form::Empty => true,
        };
        // Which response receives the answer.
        // Overwriting replaces what was there before this run; within a
        // run the first answer stays, and later ones are further examples.
        let recorded_now = |r: &ResponseFile| {
            let fixture = match form {
                Form::Json => r.json.as_ref(),
                Form::Xml => r.xml.as_ref(),
                Form::Empty => None,
            };
            match fixture {
                Some(name) => self.fresh.contains(name),
                None => form == Form::Empty && self.fresh.contains(&format!("{api}/{id} {status}")),
            }
        };
        let keep_first = !overwrite || recorded_now(first);
        let target_index = if held == Held::Recorded && has_form(first) && keep_first && !added {
            // A further example, when more are wanted.
            let recorded_count = same_status
                .iter()
                .filter(|&&i| {
                    matches!(
                        spec.responses[i].example,
                        Some(ExampleSource::Recorded { .. })
                    )
                })
                .count();
            let open = same_status.iter().copied().find(|&i| {
                !has_form(&spec.responses[i])
                    && matches!(
                        spec.responses[i].example,
                        Some(ExampleSource::Recorded { .. })
                    )
            });
            match open {
                Some(i) => i,
                None if recorded_count < self.options.examples_per_endpoint => {
                    let number = recorded_count + 1;
                    spec.responses.push(ResponseFile {
                        status,
                        name: Some(format!("{status}-recorded-{number}")),
                        description: String::new(),
                        type_name: first.type_name.clone(),
                        json: None,
                        xml: None,
                        xml_names: None,
                        xml_literals: None,
                        example: Some(recorded.clone()),
                    });
                    spec.responses.len() - 1
                }
                None => return Ok(None),
            }
        } else {
            index
        };
        let response = &mut spec.responses[target_index];
        let fresh = !matches!(response.example, Some(ExampleSource::Recorded { .. }));
        if fresh {
            // A generated or borrowed body, or (overwriting) a documented
            // one, gives way to the recording in every form.
            if held == Held::NoExample {
                response.json = None;
                response.xml = None;
            }
            response.xml_names = None;
            response.xml_literals = None;
            response.example = Some(recorded.clone());
        } else if overwrite {
            response.example = Some(recorded.clone());
        }
        let Some(text) = text else {
            return Ok(Some(Change {
                fixtures,
                line: format!("{status} (no body)"),
            }));
        };
        let extension = form.extension();
        let stem = match &response.name {
            Some(name) => format!("{api}/{id}/response-{name}"),
            None => format!("{api}/{id}/response-{status}"),
        };
        let slot = match form {
            Form::Json => &mut response.json,
            _ => &mut response.xml,
        };
        let name = match slot.clone() {
            // Overwriting: the recording takes the fixture's place.
            Some(name) if overwrite => name,
            _ => self.fresh_fixture(&stem, extension),
        };
        *slot = Some(name.clone());
        let text = if text.ends_with('\n') {
            text
        } else {
            format!("{text}\n")
        };
        fixtures.push((name.clone(), text.clone()));
        // Both forms: the XML's conventions, read against the JSON.
        let (json_name, xml_name) = (response.json.clone(), response.xml.clone());
        if let (Some(json_name), Some(xml_name)) = (json_name, xml_name) {
            let read = |fixture: &str| -> Option<String> {
                if fixture == name {
                    return Some(text.clone());
                }
                crate::files::read_regular(&self.options.out.join("fixtures").join(fixture))
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
            };
            if let (Some(json), Some(xml)) = (read(&json_name), read(&xml_name)) {
                match crate::import::conventions::detect(dialect, &json, &xml) {
                    Some(found) => {
                        response.xml_names = found.names;
                        response.xml_literals = found.literals;
                    }
                    None => {
                        // docmock renders XML from the JSON; an XML answer
                        // that no convention reproduces would fail `check`.
                        if form == Form::Xml {
                            response.xml = None;
                            fixtures.pop();
                            return Err("the XML answer differs from what docmock renders from the recorded JSON answer by more than the vendor's conventions: it is not recorded".into());
                        }
                        response.xml = None;
                    }
                }
            }
        } else if form == Form::Xml && response.json.is_none() {
            // XML only: docmock reads its JSON off the XML and renders the
            // XML again from that, which must give the answer back.
            let style = &dialect.rules().xml;
            let json = crate::contract::render::infer_xml(&text, style)
                .map(|value| crate::contract::render::to_json(&value))
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok());
            match json.and_then(|json| crate::import::conventions::detect(dialect, &json, &text)) {
                Some(found) => {
                    response.xml_names = found.names;
                    response.xml_literals = found.literals;
                }
                None => {
                    return Err("the XML answer does not come back the same when docmock reads it and renders it again by the vendor's conventions: it is not recorded".into());
                }
            }
        }
        Ok(Some(Change {
            fixtures,
            line: format!("{status} {extension}"),
        }))
    }

    /// `stem.extension`, or `stem-recorded.extension`, `-recorded-2`, …:
    /// the first name no file in the output's fixtures holds.
    fn fresh_fixture(&self, stem: &str, extension: &str) -> String {
        let fixtures = self.options.out.join("fixtures");
        let taken = |name: &str| fixtures.join(name).exists();
        let plain = format!("{stem}.{extension}");
        if !taken(&plain) {
            return plain;
        }
        let mut count = 1;
        loop {
            let name = if count == 1 {
                format!("{stem}-recorded.{extension}")
            } else {
                format!("{stem}-recorded-{count}.{extension}")
            };
            if !taken(&name) {
                return name;
            }
            count += 1;
        }
    }

    /// The fixtures `spec` names that the output lacks, copied from the
    /// served directory, when recording into another directory than the
    /// one served.
    fn copy_referenced(&self, spec: &EndpointFile, fixtures: &mut Vec<(String, String)>) {
        let out = self.options.out.join("fixtures");
        let referenced = spec.request.iter().filter_map(|r| r.body.clone()).chain(
            spec.responses
                .iter()
                .flat_map(|r| [r.json.clone(), r.xml.clone()])
                .flatten(),
        );
        for name in referenced {
            if fixtures.iter().any(|(n, _)| *n == name) || out.join(&name).exists() {
                continue;
            }
            let from = self.source.fixtures.join(&name);
            if let Ok(text) = crate::files::read_regular(&from).map(String::from_utf8) {
                match text {
                    Ok(text) => fixtures.push((name, text)),
                    Err(_) => {
                        self.note(format!("{} is not UTF-8 text: not copied", from.display()))
                    }
                }
            }
        }
    }

    fn note(&self, line: String) {
        lock(&self.notes).push(None, || line);
    }
}

/// The path parameters of an observed route, as a spec lists them.
fn path_parameters(observed: &route::Observed) -> Vec<ParameterFile> {
    observed
        .params
        .iter()
        .map(|p| ParameterFile {
            name: p.name.clone(),
            location: Location::Path,
            description: String::new(),
            doc_type: None,
            schema: Some(p.schema.clone()),
            example: Some(p.example.clone()),
            required: true,
        })
        .collect()
}

/// The request headers a recorded example request keeps: its media types
/// and language, and its credentials as placeholders; and whether it
/// carried a credential (the endpoint then requires authentication).
fn request_headers(headers: &HeaderMap) -> (Map<String, Value>, bool) {
    const KEPT: [&str; 3] = ["Content-Type", "Accept", "Accept-Language"];
    let mut kept = Map::new();
    let mut auth = false;
    for (name, value) in headers {
        let Ok(value) = value.to_str() else { continue };
        let spelled = KEPT
            .iter()
            .find(|k| k.eq_ignore_ascii_case(name.as_str()))
            .map(|k| k.to_string());
        if name == http::header::COOKIE {
            if let Some(masked) = mask::cookie(value) {
                auth = true;
                kept.insert("Cookie".into(), Value::from(masked));
            }
        } else if crate::serve::redact::is_secret(name.as_str()) {
            auth = true;
            let spelled = match name.as_str() {
                "authorization" => "Authorization".to_string(),
                "x-xsrf-token" => "X-XSRF-TOKEN".to_string(),
                "so-apptoken" => "SO-AppToken".to_string(),
                other => other.to_string(),
            };
            kept.insert(spelled, Value::from(mask::header_value(value)));
        } else if let Some(spelled) = spelled {
            kept.insert(spelled, Value::from(value));
        }
    }
    (kept, auth)
}

/// A request body as recorded: the fixture's extension and its text, the
/// credentials replaced; `Err` for a body that is neither JSON, XML nor a
/// form.
fn request_body(headers: &HeaderMap, body: &[u8]) -> Result<(&'static str, String), String> {
    let text = std::str::from_utf8(body).map_err(|_| "it is not UTF-8 text".to_string())?;
    let content_type = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok(("txt", mask::form_text(text)));
    }
    match form_of(headers) {
        Some(Form::Json) => Ok(("json", mask::json_text(text)?)),
        Some(Form::Xml) => Ok(("xml", mask::xml_text(text)?)),
        _ => Err(format!(
            "its Content-Type ({}) is neither JSON, XML nor a form",
            if content_type.is_empty() {
                "none"
            } else {
                &content_type
            }
        )),
    }
}

/// `at` as RFC 3339 in UTC, to the second.
fn rfc3339(at: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(at).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                http::header::HeaderName::from_bytes(name.as_bytes()).expect("name"),
                http::HeaderValue::from_str(value).expect("value"),
            );
        }
        map
    }

    #[test]
    fn the_answers_form_is_read_off_its_media_type() {
        for (content_type, form) in [
            ("application/json; charset=utf-8", Some(Form::Json)),
            ("text/json", Some(Form::Json)),
            ("application/problem+json", Some(Form::Json)),
            ("TEXT/XML", Some(Form::Xml)),
            ("text/html", None),
            ("json", None),
        ] {
            assert_eq!(
                form_of(&headers(&[("content-type", content_type)])),
                form,
                "{content_type}"
            );
        }
        assert_eq!(form_of(&HeaderMap::new()), None);
    }

    #[test]
    fn a_recorded_request_keeps_its_media_types_and_its_credentials_as_placeholders() {
        let (kept, auth) = request_headers(&headers(&[
            ("host", "portal.example.com"),
            ("authorization", "Bearer abc"),
            ("so-apptoken", "xyz"),
            ("cookie", "theme=dark"),
            ("content-type", "application/json"),
            ("user-agent", "e2e"),
        ]));
        assert!(auth);
        assert_eq!(
            Value::Object(kept),
            serde_json::json!({
                "Authorization": "Bearer docmock-recorded-credential",
                "SO-AppToken": "docmock-recorded-credential",
                "Content-Type": "application/json",
            })
        );
        let (_, auth) = request_headers(&headers(&[("cookie", "theme=dark")]));
        assert!(!auth);
    }

    #[test]
    fn request_bodies_are_recorded_only_as_json_xml_or_forms() {
        let form = headers(&[("content-type", "application/x-www-form-urlencoded")]);
        assert_eq!(
            request_body(&form, b"userName=a&password=p"),
            Ok((
                "txt",
                "userName=a&password=docmock-recorded-credential".into()
            ))
        );
        let binary = headers(&[("content-type", "application/octet-stream")]);
        assert!(request_body(&binary, b"abc").is_err());
        assert!(request_body(&form, b"\xff").is_err());
    }
}
