//! Command-line interface: raw flags (clap) turned into the library's
//! settings. Nothing below this module sees the argument parser.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use docmock::answer::pipeline::Mock;
use docmock::answer::router::Mount;
use docmock::answer::validate::Policy;
use docmock::commands::listing;
use docmock::contract::catalog::{Catalog, LoadErrors, Source};
use docmock::serve::admin_gate::{AdminGate, AdminSettings};
use docmock::serve::request_log::RequestLog;
use docmock::serve::server::{self, Cors, Limits, Settings, Shared};

/// Contract-testing mock server generated from vendor API documentation.
///
/// docmock serves the documented examples of ONLYOFFICE, R7-Office and
/// SuperOffice endpoints (JSON and XML) from a spec directory, checks every
/// request against the documented contract, and lists what it serves.
#[derive(Debug, Parser)]
#[command(
    name = "docmock",
    version,
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  docmock                         serve specs/ on 127.0.0.1:4010\n  docmock serve --port 0          serve on a free port and print it\n  docmock serve --api r7          serve only the R7-Office API, at /\n  docmock routes                  list every documented route\n  docmock check                   check specs/ against itself"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
    /// Log lines as text or as JSON objects (stderr; RUST_LOG filters them).
    #[arg(long, global = true, value_enum, default_value = "text")]
    pub log_format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One readable line per event.
    Text,
    /// One JSON object per event.
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the documented endpoints (the default command).
    #[command(after_help = "Example:\n  docmock serve --specs imported/specs --port 0")]
    Serve(ServeArgs),
    /// List every mounted route without serving.
    #[command(after_help = "Example:\n  docmock routes --api superoffice")]
    Routes(SpecArgs),
    /// Check a spec directory: load it, compile every schema, send every
    /// example request through the mock and compare every documented XML
    /// example with the renderer. Exit 1 on any problem.
    #[command(after_help = "Example:\n  docmock check imported/specs")]
    Check(CheckArgs),
    /// Import documentation pages (saved as text or HTML) into specs and
    /// fixtures.
    ///
    /// Reads ONLYOFFICE and R7-Office pages (English or Russian) and
    /// SuperOffice REST reference pages, and writes `OUT/specs/` and
    /// `OUT/fixtures/`, ready for `docmock serve --specs OUT/specs`. Every
    /// page is reported: imported, merged, unchanged, or refused with the
    /// line and the part that is missing (nothing is written for it); every
    /// other file under a given directory is reported as skipped, with why.
    #[command(
        after_help = "Examples:\n  docmock import pages/*.txt --out imported\n  docmock import pages/ --out imported\n  docmock serve --specs imported/specs"
    )]
    Import(ImportArgs),
    /// Verify a live portal against the spec directory.
    ///
    /// Sends every documented example request (GET and HEAD only, unless
    /// --include-writes) to the portal, in JSON and in XML where the page
    /// documents XML, and reports every drift from the documented examples.
    /// Exit 0 when nothing failed, 1 on drift, 2 on usage or connection errors.
    #[command(
        after_help = "Examples:\n  docmock verify --base-url https://portal.example.com --api onlyoffice --auth \"$TOKEN\"\n  docmock verify --base-url http://127.0.0.1:4010/r7 --api r7 --auth docmock --format junit --out verify.xml"
    )]
    Verify(VerifyArgs),
    /// Forward every request to a live portal and check each exchange
    /// against the documentation both ways.
    ///
    /// Listens like serve and hands every request, unchanged, to --target
    /// (only there: the request's path and query are appended to it, and
    /// redirects go back to the client); the portal's answer goes back
    /// unchanged and streamed. Each request is checked against the
    /// documented contract as serve checks it, each answer against the
    /// documented response as verify compares it; findings go to the
    /// journal (/__docmock/), one log line per exchange, and the report
    /// written on exit (Ctrl-C, SIGTERM) or served at /__docmock/report.
    /// Exit 0 when the report passes, 1 when it fails (--fail-on), 2 when
    /// the portal could not be reached for some request.
    #[command(
        after_help = "Examples:\n  docmock proxy --target https://portal.example.com --api onlyoffice\n  docmock proxy --target http://127.0.0.1:8080 --api r7 --port 4011 --format junit --out proxy.xml"
    )]
    Proxy(ProxyArgs),
    /// Proxy, and write what the portal answered into a spec directory
    ///
    /// `proxy` that also writes what the portal answered into a spec
    /// directory: an example for each documented endpoint whose page shows
    /// none, and a new spec for each path no page documents, marked as
    /// recorded (from where, when). Documented examples are never
    /// overwritten unless --overwrite; credentials are never written.
    /// Prints what it recorded and skipped when stopped (Ctrl-C, SIGTERM),
    /// then the drift report; exit codes as proxy, and 1 when the written
    /// directory would not load.
    #[command(
        after_help = "Examples:\n  docmock record --target https://staging.example.com --api onlyoffice --out .\n  docmock record --target http://127.0.0.1:8080 --api r7 --out recorded --report drift.txt"
    )]
    Record(RecordArgs),
    /// Export the spec directory as an OpenAPI 3.1 document (JSON on stdout).
    #[command(
        after_help = "Examples:\n  docmock openapi > docmock.openapi.json\n  docmock openapi --api superoffice --out superoffice.json"
    )]
    Openapi(OpenapiArgs),
}

#[derive(Debug, Args, Clone)]
struct OpenapiArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Only this API, with its paths as documented (as `serve --api` mounts
    /// it); all APIs under their prefixes otherwise.
    #[arg(long)]
    api: Option<String>,
    /// Write the document to this file instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Debug, Args, Clone)]
struct VerifyArgs {
    /// The vendor API root: documented paths are appended as they are.
    #[arg(long)]
    base_url: String,
    #[command(flatten)]
    source: SourceArgs,
    /// Verify only this API.
    #[arg(long)]
    api: Option<String>,
    /// Forms to check, comma-separated [default: JSON, and XML where documented].
    #[arg(long, value_delimiter = ',', value_parser = parse_form)]
    forms: Vec<docmock::contract::dialect::Format>,
    /// Only these endpoints (id, file stem, or method); repeatable.
    #[arg(long)]
    only: Vec<String>,
    /// Leave out these endpoints (id, file stem, or method); repeatable.
    #[arg(long)]
    skip: Vec<String>,
    /// Also send POST, PUT, PATCH and DELETE requests (they may change data).
    #[arg(long)]
    include_writes: bool,
    /// The Authorization header value to send.
    #[arg(long, env = "DOCMOCK_AUTH", hide_env_values = true)]
    auth: Option<String>,
    /// An extra request header, `Name: value`; repeatable.
    #[arg(short = 'H', long = "header", value_parser = parse_header)]
    headers: Vec<(String, String)>,
    /// Time limit per request (`10s`, `500ms`).
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    timeout: std::time::Duration,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Retries after 429 or 503, honouring Retry-After.
    #[arg(long, default_value_t = 2)]
    retries: u32,
    /// Use VALUE for the path or query parameter NAME instead of the
    /// documented example (ids that exist on the portal); repeatable.
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_value)]
    values: Vec<(String, String)>,
    /// A PEM file of certificates to trust besides the system's: an
    /// on-premises portal's self-signed certificate (also one flagged as a
    /// CA, as `openssl req -x509` makes it) or its private CA.
    #[arg(long, value_name = "FILE")]
    ca_cert: Option<PathBuf>,
    /// Do not check the portal's TLS certificate at all (a test portal);
    /// prefer --ca-cert.
    #[arg(long)]
    insecure: bool,
    /// Leave out the one request per API that names no format (no path
    /// suffix, `Accept: */*`) to see whether the portal's default format is
    /// the documented one.
    #[arg(long)]
    no_default_probe: bool,
    /// Report format.
    #[arg(long, value_enum, default_value = "table")]
    format: ReportFormat,
    /// Write the report to this file (the table still goes to stdout).
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Debug, Args, Clone)]
struct ProxyArgs {
    #[command(flatten)]
    traffic: TrafficArgs,
    /// Write the report to this file on exit (the table still goes to
    /// stdout).
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Debug, Args, Clone)]
struct RecordArgs {
    #[command(flatten)]
    traffic: TrafficArgs,
    /// The spec directory to write what the portal answered into
    /// (`DIR/specs`, `DIR/fixtures`): the one served, to record in place,
    /// or another, which then gets only the endpoints recorded.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Replace documented examples (and earlier recordings) with what the
    /// portal answered; without it they are never overwritten.
    #[arg(long)]
    overwrite: bool,
    /// How many examples to keep per endpoint and status (the second and
    /// later are chosen with `Prefer: example=200-recorded-2`).
    #[arg(long, default_value_t = 1, value_name = "N")]
    examples_per_endpoint: usize,
    /// Also write the drift report to this file on exit, as proxy --out.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
}

/// What `proxy` and `record` share: the portal, the specs, the listener,
/// the limits and the report.
#[derive(Debug, Args, Clone)]
struct TrafficArgs {
    /// The portal's root URL: every request's path and query are appended
    /// to it (`https://portal.example.com`).
    #[arg(long, env = "DOCMOCK_TARGET")]
    target: String,
    #[command(flatten)]
    source: SourceArgs,
    /// The API the portal speaks, whose documented paths the requests
    /// carry as they are (`/api/2.0/crm/contact/5`); required when the
    /// spec directory holds more than one.
    #[arg(long)]
    api: Option<String>,
    /// Count a request that leaves out a parameter the page does not mark
    /// optional as breaking the contract (as serve --strict refuses it).
    #[arg(long)]
    strict: bool,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1", env = "DOCMOCK_HOST")]
    host: String,
    /// Port to listen on (4011, beside serve's 4010); 0 picks a free one
    /// and prints it.
    #[arg(long, default_value_t = 4011)]
    port: u16,
    /// Largest request body forwarded (larger ones get 413), and largest
    /// answer kept to be checked (larger ones pass through unchecked,
    /// with a note), in bytes.
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    max_body: usize,
    /// Time to connect to the portal, and the longest wait for each part
    /// of its answer (`10s`); a dead portal gets the client a 502.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    timeout: std::time::Duration,
    /// How long a client connection may go without a complete request
    /// head before it is closed.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    header_timeout: std::time::Duration,
    /// How long a request body may take to arrive in all.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    body_timeout: std::time::Duration,
    /// A PEM file of certificates to trust besides the system's (the
    /// portal's own, or its CA's), as verify --ca-cert.
    #[arg(long, value_name = "FILE")]
    ca_cert: Option<PathBuf>,
    /// Do not check the portal's TLS certificate at all; prefer --ca-cert.
    #[arg(long)]
    insecure: bool,
    /// Name each exchange's findings in a `Docmock-Findings` response
    /// header (`type-change /response/0/id; ...`, at most 1 KiB). Answers
    /// are then read whole before they are sent, within --max-body.
    #[arg(long)]
    findings_header: bool,
    /// Report format, written on exit.
    #[arg(long, value_enum, default_value = "table")]
    format: ReportFormat,
    /// What fails the run: `drift` (any drift in the portal's answers or
    /// any request breaking the contract), `contract` (only requests
    /// breaking the contract), `never`.
    #[arg(long, default_value = "drift", value_name = "drift|contract|never")]
    fail_on: docmock::proxy::report::FailOn,
    /// How many exchanges the journal (`/__docmock/requests`) keeps.
    #[arg(long, default_value_t = 500)]
    journal_size: usize,
    /// The token the admin API asks for, as `Authorization: Bearer TOKEN`;
    /// on a host beyond loopback the admin API is off without one.
    #[arg(long, env = "DOCMOCK_ADMIN_TOKEN", value_name = "TOKEN")]
    admin_token: Option<String>,
    /// A host name, besides localhost, --host and IP addresses, that
    /// requests to the admin API may name in `Host`; repeatable.
    #[arg(long = "allow-host", value_name = "NAME")]
    allow_hosts: Vec<String>,
    /// Threads serving connections [default: one per core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    workers: Option<u16>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ReportFormat {
    Table,
    Json,
    Junit,
}

fn parse_form(text: &str) -> Result<docmock::contract::dialect::Format, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "json" => Ok(docmock::contract::dialect::Format::Json),
        "xml" => Ok(docmock::contract::dialect::Format::Xml),
        other => Err(format!("expected json or xml, got {other:?}")),
    }
}

fn parse_value(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=VALUE, got {text:?}"))?;
    if name.trim().is_empty() {
        return Err(format!(
            "expected a parameter name before `=`, got {text:?}"
        ));
    }
    Ok((name.trim().to_string(), value.to_string()))
}

fn parse_header(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("expected `Name: value`, got {text:?}"))?;
    let name = name.trim();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!("expected a header name before `:`, got {name:?}"));
    }
    Ok((name.to_string(), value.trim().to_string()))
}

#[derive(Debug, Args, Clone)]
struct ImportArgs {
    /// Documentation pages saved as text or HTML, or directories of them
    /// (their `.txt`, `.text`, `.md`, `.markdown`, `.html` and `.htm` files,
    /// subdirectories included).
    #[arg(required = true)]
    pages: Vec<PathBuf>,
    /// Where to write `specs/` and `fixtures/`.
    #[arg(long, default_value = ".")]
    out: PathBuf,
    /// Print what would be written without writing anything.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Args, Clone)]
struct CheckArgs {
    /// The spec directory to check.
    #[arg(default_value = "specs", env = "DOCMOCK_SPECS")]
    specs: PathBuf,
    /// The fixtures directory [default: `fixtures` beside the spec directory].
    #[arg(long, env = "DOCMOCK_FIXTURES")]
    fixtures: Option<PathBuf>,
}

/// Where a spec directory and its fixtures are.
#[derive(Debug, Args, Clone)]
struct SourceArgs {
    /// The spec directory: one directory per API holding api.json and one
    /// file per endpoint.
    #[arg(long, default_value = "specs", env = "DOCMOCK_SPECS")]
    specs: PathBuf,
    /// The fixtures directory [default: `fixtures` beside the spec directory].
    #[arg(long, env = "DOCMOCK_FIXTURES")]
    fixtures: Option<PathBuf>,
}

impl SourceArgs {
    fn source(&self) -> Source {
        Source::new(&self.specs, self.fixtures.clone())
    }
}

/// Where the specs are and which APIs to mount.
#[derive(Debug, Args, Clone)]
struct SpecArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Mount only this API, at `/` instead of under its prefix.
    #[arg(long)]
    api: Option<String>,
    /// Skip broken spec files, and routes that no request could tell apart
    /// from one loaded before them, with a warning naming the files,
    /// instead of refusing to start; and replay requests that break the
    /// contract (logging the violations) instead of refusing them.
    #[arg(long)]
    lenient: bool,
    /// List every route even when there are more than 40 (`serve`: each
    /// with a curl line; `routes`: the whole table); otherwise a large
    /// spec directory is summarised with one line per API.
    #[arg(short, long)]
    verbose: bool,
}

#[derive(Debug, Args, Clone)]
struct ServeArgs {
    #[command(flatten)]
    spec: SpecArgs,
    /// Accept only this credential (the Authorization value after its
    /// scheme, or the cookie / token header value); others get 403. It
    /// also guards the admin API unless --admin-token is given.
    #[arg(long, env = "DOCMOCK_TOKEN")]
    token: Option<String>,
    /// The token the admin API (/__docmock/) asks for, as
    /// `Authorization: Bearer TOKEN`, instead of --token's; on a host
    /// beyond loopback (--host 0.0.0.0) the admin API is off without one
    /// of the two. /__docmock/health answers without it.
    #[arg(long, env = "DOCMOCK_ADMIN_TOKEN", value_name = "TOKEN")]
    admin_token: Option<String>,
    /// A host name, besides localhost, --host and IP addresses, that
    /// requests to the admin API may name in `Host` (others are refused,
    /// against DNS rebinding; the mocked API answers any); repeatable.
    #[arg(long = "allow-host", value_name = "NAME")]
    allow_hosts: Vec<String>,
    /// An origin whose pages may call the admin API (CORS); repeatable
    /// [default: none, only the admin page itself].
    #[arg(long = "admin-cors", value_name = "ORIGIN")]
    admin_cors: Vec<String>,
    /// Refuse (400) a request that leaves out a parameter the page does not
    /// mark optional, as the documentation says; by default it is answered
    /// as the vendor's server answers it, binding the parameter's default,
    /// with a warning.
    #[arg(long)]
    strict: bool,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1", env = "DOCMOCK_HOST")]
    host: String,
    /// Port to listen on; 0 picks a free one and prints it.
    #[arg(long, default_value_t = 4010, env = "DOCMOCK_PORT")]
    port: u16,
    /// Largest request body accepted, in bytes. Larger ones get 413, and
    /// what still arrives of them is read and thrown away for up to 5 s and
    /// 16 MiB before the connection closes, so that a client that sends its
    /// whole body before reading still reads the 413.
    #[arg(long, default_value_t = 1024 * 1024)]
    max_body: usize,
    /// How long a connection may go without sending a complete request head
    /// before it is closed: clients that dribble their headers and idle
    /// keep-alive connections alike (`10s`).
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    header_timeout: std::time::Duration,
    /// How long a request body may take to arrive in all, however steadily
    /// it trickles in, before the request gets 408 (`30s`); a body that
    /// stops arriving gets 408 after `--header-timeout` already.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    body_timeout: std::time::Duration,
    /// Reload the specs and fixtures when they change (within a second of
    /// the first change, also when the directories are made again); a
    /// broken edit keeps the last good set serving.
    #[arg(long)]
    watch: bool,
    /// Allow only this origin for CORS; repeatable [default: any origin].
    #[arg(long = "cors-origin")]
    cors_origins: Vec<String>,
    /// Send no CORS headers and answer no preflights.
    #[arg(long, conflicts_with = "cors_origins")]
    no_cors: bool,
    /// Wait this long before every answer (`200ms`, `1s`); `Prefer: delay=`
    /// overrides it per request.
    #[arg(long, value_parser = humantime::parse_duration)]
    delay: Option<std::time::Duration>,
    /// Enforce the vendor's rate limit: over it, 503 with Retry-After
    /// [default when given without a value: 500/10s, ONLYOFFICE's limit].
    #[arg(long, num_args = 0..=1, default_missing_value = "500/10s", value_name = "REQUESTS/PERIOD")]
    rate_limit: Option<docmock::serve::server::RateLimit>,
    /// How many requests the journal (`/__docmock/requests`) keeps, within
    /// 4 MiB in all (the oldest are dropped first).
    #[arg(long, default_value_t = 500)]
    journal_size: usize,
    /// Whose word decides the response format of every API, over
    /// `"formats"` in its api.json: `server` answers as the vendor's server
    /// does (ONLYOFFICE and R7-Office: JSON unless the path ends in `.xml`;
    /// what existing clients expect), `documented` as its documentation
    /// says (XML by default, `Accept` honoured) [default: each api.json's
    /// word, `server` when it says nothing].
    #[arg(long, value_name = "server|documented")]
    formats: Option<docmock::contract::dialect::Formats>,
    /// Threads serving connections, each connection kept on one
    /// [default: one per core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    workers: Option<u16>,
}

impl Cli {
    /// Runs the command and says how the process should exit; `serve`
    /// writes its request lines to `request_log`.
    pub fn run(self, request_log: RequestLog) -> Result<ExitCode> {
        match self.command {
            None => serve(self.serve, request_log),
            Some(Command::Serve(args)) => serve(args, request_log),
            Some(Command::Routes(args)) => routes(args),
            Some(Command::Check(args)) => check(args),
            Some(Command::Import(args)) => import(args),
            Some(Command::Verify(args)) => verify(args),
            Some(Command::Openapi(args)) => openapi(args),
            Some(Command::Proxy(args)) => {
                proxy(&args.traffic, args.out.as_deref(), request_log, None)
            }
            Some(Command::Record(args)) => {
                let options = docmock::record::Options {
                    out: args.out.clone(),
                    overwrite: args.overwrite,
                    examples_per_endpoint: args.examples_per_endpoint,
                    api: args.traffic.api.clone(),
                };
                proxy(
                    &args.traffic,
                    args.report.as_deref(),
                    request_log,
                    Some(options),
                )
            }
        }
    }
}

impl SpecArgs {
    fn mount(&self) -> Mount {
        match &self.api {
            Some(name) => Mount::Single(name.clone()),
            None => Mount::All,
        }
    }

    /// The mock of these specs; `token`, when given, is the only
    /// credential it accepts, `strict` refuses requests that leave out a
    /// parameter the page does not mark optional, and `formats`, when
    /// given, decides the response format of every API.
    ///
    /// Broken spec files and routes that conflict with one loaded before
    /// them are refused together, all of them named; with `--lenient` they
    /// are skipped with a warning each and the rest is served.
    fn load(
        &self,
        token: Option<&str>,
        strict: bool,
        formats: Option<docmock::contract::dialect::Formats>,
    ) -> Result<Mock> {
        let source = self.source.source();
        let (catalog, mut problems) = Catalog::load_lenient(&source);
        let (mock, conflicts) = Mock::skipping_conflicts(catalog, &self.mount())
            .map_err(|errors| anyhow::Error::new(LoadErrors(errors)))?;
        problems.extend(conflicts);
        if !problems.is_empty() {
            if !self.lenient {
                anyhow::bail!(
                    "{}\n(--lenient skips the spec files at fault and serves the rest)",
                    LoadErrors(problems)
                );
            }
            for problem in &problems {
                tracing::warn!("skipped: {problem}");
            }
        }
        for warning in &mock.catalog().warnings {
            tracing::warn!("{warning}");
        }
        let policy = Policy {
            token: token.map(str::to_owned),
            lenient: self.lenient,
            strict,
            formats,
        };
        Ok(mock.with_policy(policy))
    }
}

fn check(args: CheckArgs) -> Result<ExitCode> {
    let source = Source::new(&args.specs, args.fixtures);
    let report = docmock::commands::check::check(&source);
    for note in &report.notes {
        println!("note: {note}");
    }
    if report.problems.is_empty() {
        let notes = match report.notes.len() {
            0 => String::new(),
            1 => ", 1 note".to_string(),
            n => format!(", {n} notes"),
        };
        println!(
            "{}: {} endpoints in {} APIs, no problems{notes}",
            source.specs.display(),
            report.endpoints,
            report.apis
        );
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "{}",
        docmock::contract::catalog::LoadErrors(report.problems)
    );
    Ok(ExitCode::FAILURE)
}

fn import(args: ImportArgs) -> Result<ExitCode> {
    use docmock::import::{Options, Progress, import};
    let bar = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{prefix:8} {bar:30} {pos}/{len}  {wide_msg}")
        {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let options = Options {
        out: args.out.clone(),
        dry_run: args.dry_run,
    };
    let report = import(&args.pages, &options, |step| {
        let (prefix, item, done, total) = match step {
            Progress::Reading { page, done, total } => ("reading", page, done, total),
            Progress::Writing {
                endpoint,
                done,
                total,
            } => ("writing", endpoint, done, total),
        };
        bar.set_prefix(prefix);
        bar.set_length(total as u64);
        bar.set_position(done as u64 + 1);
        bar.set_message(item.to_string());
    });
    bar.finish_and_clear();
    // One write per line would be thousands of system calls.
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let mut stderr = std::io::stderr().lock();
    for line in report.lines() {
        let _ = if line.problem {
            writeln!(stderr, "{}", line.text)
        } else {
            writeln!(stdout, "{}", line.text)
        };
    }
    let _ = writeln!(stdout, "{}", report.summary());
    let _ = stdout.flush();
    Ok(if report.succeeded() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn verify(args: VerifyArgs) -> Result<ExitCode> {
    use docmock::verify::{Options, report};
    let usage = |message: String| {
        eprintln!("docmock: {message}");
        Ok(ExitCode::from(2))
    };
    let catalog = match Catalog::load(&args.source.source()) {
        Ok(catalog) => std::sync::Arc::new(catalog),
        Err(errors) => return usage(errors.to_string()),
    };
    let options = Options {
        base_url: args.base_url.clone(),
        api: args.api.clone(),
        forms: args.forms.clone(),
        only: args.only.clone(),
        skip: args.skip.clone(),
        include_writes: args.include_writes,
        auth: args.auth.clone(),
        headers: args.headers.clone(),
        timeout: args.timeout,
        concurrency: args.concurrency,
        retries: args.retries,
        values: args.values.clone(),
        ca_cert: args.ca_cert.clone(),
        insecure: args.insecure,
        default_probe: !args.no_default_probe,
    };
    if args.insecure {
        eprintln!("docmock: --insecure: the portal's TLS certificate is not checked");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let bar = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new_spinner();
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {pos} checked  {msg}")
        {
            bar.set_style(style);
        }
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let ticker = bar.clone();
    let result = runtime.block_on(docmock::verify::verify(catalog, &options, move |check| {
        ticker.set_message(format!("{} [{:?}]", check.endpoint, check.form));
        ticker.inc(1);
    }));
    bar.finish_and_clear();
    let report = match result {
        Ok(report) => report,
        Err(error) => return usage(error.to_string()),
    };
    let rendered = match args.format {
        ReportFormat::Table => report::table(&report),
        ReportFormat::Json => report::json(&report),
        ReportFormat::Junit => report::junit(&report),
    };
    match &args.out {
        Some(path) => {
            docmock::files::write_whole(path, rendered.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
            print!("{}", report::table(&report));
        }
        None => print!("{rendered}"),
    }
    Ok(ExitCode::from(report.exit_code()))
}

fn openapi(args: OpenapiArgs) -> Result<ExitCode> {
    let catalog = Catalog::load(&args.source.source()).map_err(anyhow::Error::new)?;
    let document = docmock::commands::openapi::document(&catalog, args.api.as_deref())
        .map_err(anyhow::Error::msg)?;
    let mut text = serde_json::to_string_pretty(&document)?;
    text.push('\n');
    match &args.out {
        Some(path) => docmock::files::write_whole(path, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// The whole table when asked for (`--verbose`), for one API (`--api`), or
/// when it is short; a summary per API otherwise.
fn routes(args: SpecArgs) -> Result<ExitCode> {
    let mock = args.load(None, false, None)?;
    if args.verbose || args.api.is_some() || listing::lists_every_route(&mock) {
        print!("{}", listing::routes_table(&mock));
    } else {
        print!(
            "{}",
            listing::summary(
                &mock,
                "`docmock routes --verbose` lists every one, `docmock routes --api NAME` those of one API",
                0,
            )
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn serve(args: ServeArgs, request_log: RequestLog) -> Result<ExitCode> {
    let mock = args
        .spec
        .load(args.token.as_deref(), args.strict, args.formats)?;
    let settings = Settings {
        limits: Limits {
            max_body: args.max_body,
            header_timeout: args.header_timeout,
            body_timeout: args.body_timeout,
        },
        cors: Cors {
            enabled: !args.no_cors,
            origins: args.cors_origins.clone(),
        },
        delay: args.delay,
        rate_limit: args.rate_limit,
        journal_size: args.journal_size,
        request_log,
        workers: args
            .workers
            .map_or_else(docmock::serve::workers::default_count, usize::from),
        admin: admin_settings(&args),
    };
    let admin = settings.admin.clone();
    let shared = Shared::new(mock, settings);
    let _watcher = if args.watch {
        let source = args.spec.source.source();
        let (spec, shared) = (args.spec.clone(), Arc::clone(&shared));
        let (token, strict, formats) = (args.token.clone(), args.strict, args.formats);
        let reload = move || match spec.load(token.as_deref(), strict, formats) {
            Ok(mock) => {
                let count = mock.catalog().endpoints.len();
                shared.replace(mock);
                tracing::info!("reloaded: {count} endpoints");
            }
            Err(error) => {
                tracing::error!("reload failed, still serving the last good specs: {error:#}");
            }
        };
        Some(
            docmock::serve::watch::watch(&[source.specs, source.fixtures], reload)
                .context("cannot watch the spec directory")?,
        )
    } else {
        None
    };
    // Connections are served by the workers' runtimes (see
    // `docmock::serve::workers`); this one only accepts them and waits for a
    // signal.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let wanted = format!("{}:{}", args.host, args.port);
        let listener = tokio::net::TcpListener::bind(&wanted)
            .await
            .map_err(|error| {
                let hint = if error.kind() == std::io::ErrorKind::AddrInUse {
                    "; another process listens there: pass another --port, or --port 0 for a free one"
                } else {
                    ""
                };
                anyhow::anyhow!("cannot listen on {wanted}: {error}{hint}")
            })?;
        let address: SocketAddr = listener.local_addr()?;
        let base = format!("http://{address}");
        // One write, so that whoever reads the address line finds the
        // routes already there.
        let mock = shared.mock();
        let routes = if args.spec.verbose || listing::lists_every_route(&mock) {
            listing::startup_listing(&mock, &base)
        } else {
            listing::summary(
                &mock,
                "`docmock serve --verbose` prints each with a curl line, `docmock routes --verbose` as a table",
                2,
            )
        };
        // Held no longer: `--watch` may replace it.
        drop(mock);
        let admin = AdminGate::new(&admin, address).describe(&base);
        let banner = format!("docmock listening on {base}\n{routes}  {admin}\n");
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(banner.as_bytes());
        let _ = stdout.flush();
        drop(stdout);
        server::serve(listener, shared, shutdown_signal()).await?;
        tracing::info!("shut down");
        Ok(ExitCode::SUCCESS)
    })
}

/// Runs `docmock proxy`, its report written to `report_out` too when
/// given; with `record`, also `docmock record`: a recorder is told of every
/// exchange, and says what it wrote when the proxy stops.
fn proxy(
    args: &TrafficArgs,
    report_out: Option<&std::path::Path>,
    request_log: RequestLog,
    record: Option<docmock::record::Options>,
) -> Result<ExitCode> {
    use docmock::verify::report;
    let usage = |message: String| {
        eprintln!("docmock: {message}");
        Ok(ExitCode::from(2))
    };
    let source = args.source.source();
    // Clients send the portal's own paths, so one API is mounted at `/`.
    let api = match &args.api {
        Some(name) => name.clone(),
        None => {
            let catalog = match Catalog::load(&source) {
                Ok(catalog) => catalog,
                Err(errors) => return usage(errors.to_string()),
            };
            match catalog.apis.as_slice() {
                [one] => one.name.clone(),
                apis => {
                    let names: Vec<&str> = apis.iter().map(|a| a.name.as_str()).collect();
                    return usage(format!(
                        "{} holds {} APIs ({}): pass --api NAME, the one the portal speaks, so that its documented paths match the requests",
                        source.specs.display(),
                        names.len(),
                        names.join(", ")
                    ));
                }
            }
        }
    };
    let spec = SpecArgs {
        source: args.source.clone(),
        api: Some(api),
        lenient: false,
        verbose: false,
    };
    let mock = spec.load(None, args.strict, None)?;
    let recorder = record.map(|options| {
        Arc::new(docmock::record::Recorder::new(
            mock.catalog(),
            &source,
            options,
        ))
    });
    let sink = recorder
        .clone()
        .map(|r| r as Arc<dyn docmock::proxy::exchange::ExchangeSink>);
    let mut allowed_hosts = args.allow_hosts.clone();
    if args.host.parse::<std::net::IpAddr>().is_err() {
        allowed_hosts.push(args.host.clone());
    }
    let settings = docmock::proxy::Settings {
        target: args.target.clone(),
        limits: Limits {
            max_body: args.max_body,
            header_timeout: args.header_timeout,
            body_timeout: args.body_timeout,
        },
        timeout: args.timeout,
        ca_cert: args.ca_cert.clone(),
        insecure: args.insecure,
        findings_header: args.findings_header,
        journal_size: args.journal_size,
        request_log,
        workers: args
            .workers
            .map_or_else(docmock::serve::workers::default_count, usize::from),
        admin: AdminSettings {
            token: args.admin_token.clone(),
            allowed_hosts,
            cors_origins: Vec::new(),
        },
        sink,
    };
    let admin = settings.admin.clone();
    let proxy = match docmock::proxy::Proxy::new(mock, settings) {
        Ok(proxy) => proxy,
        Err(error) => return usage(error.to_string()),
    };
    if args.insecure {
        eprintln!("docmock: --insecure: the portal's TLS certificate is not checked");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let served = Arc::clone(&proxy);
    runtime.block_on(async move {
        let wanted = format!("{}:{}", args.host, args.port);
        let listener = tokio::net::TcpListener::bind(&wanted)
            .await
            .map_err(|error| anyhow::anyhow!("cannot listen on {wanted}: {error}"))?;
        let address: SocketAddr = listener.local_addr()?;
        let base = format!("http://{address}");
        let admin = AdminGate::new(&admin, address).describe(&base);
        let banner = format!(
            "docmock proxy listening on {base}\n  forwarding to {}, checking against {} endpoints\n  report: {base}/__docmock/report?format=table\n  {admin}\n",
            served.target(),
            served.mock().router().routes().len(),
        );
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(banner.as_bytes());
        let _ = stdout.flush();
        drop(stdout);
        docmock::proxy::serve(listener, served, shutdown_signal()).await?;
        anyhow::Ok(())
    })?;
    // What was recorded first: the recorder has written every exchange
    // once the proxy has stopped.
    let recorded = recorder.map(|recorder| recorder.finish());
    if let Some(summary) = &recorded {
        println!("{summary}\n");
    }
    let report = proxy.report();
    let rendered = match args.format {
        ReportFormat::Table => report::table(&report),
        ReportFormat::Json => report::json(&report),
        ReportFormat::Junit => report::junit(&report),
    };
    match report_out {
        Some(path) => {
            docmock::files::write_whole(path, rendered.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
            print!("{}", report::table(&report));
        }
        None => print!("{rendered}"),
    }
    let _ = std::io::stdout().flush();
    let code = docmock::proxy::report::exit_code(&report, args.fail_on);
    if code == 0 && recorded.is_some_and(|summary| !summary.problems.is_empty()) {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::from(code))
}

/// Who may use the admin API: `--admin-token`, else `--token`; the names
/// given to `--allow-host`, and `--host` when it is a name rather than an
/// address.
fn admin_settings(args: &ServeArgs) -> AdminSettings {
    let mut allowed_hosts = args.allow_hosts.clone();
    if args.host.parse::<std::net::IpAddr>().is_err() {
        allowed_hosts.push(args.host.clone());
    }
    AdminSettings {
        token: args.admin_token.clone().or_else(|| args.token.clone()),
        allowed_hosts,
        cors_origins: args.admin_cors.clone(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
