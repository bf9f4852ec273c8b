//! The `docmock` binary: parses the command line, runs the command, and
//! turns its result into an exit code in one place.

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use docmock::serve::log_sink::{FlushGuard, LogSink};
use docmock::serve::request_log::{LineFormat, RequestLog};
use tracing_subscriber::{EnvFilter, fmt};

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let (_flush_on_exit, request_log) = match init_logs(cli.log_format) {
        Ok(logs) => logs,
        Err(error) => {
            eprintln!("docmock: cannot start the log writer: {error}");
            return ExitCode::FAILURE;
        }
    };
    match cli.run(request_log) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("docmock: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr through a buffer that a background thread writes out in
/// batches, so a request never waits for stderr; the guard writes what is
/// left on exit. Request lines, one per request at full load, are formatted
/// by [`RequestLog`] straight into that buffer; everything else goes through
/// `tracing_subscriber::fmt`. `RUST_LOG` filters both.
fn init_logs(format: cli::LogFormat) -> std::io::Result<(FlushGuard, RequestLog)> {
    let (sink, guard) = LogSink::new(std::io::stderr())?;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("docmock=info"));
    let ansi = std::io::stderr().is_terminal();
    let logs = fmt().with_env_filter(filter).with_writer(sink.clone());
    let line_format = match format {
        cli::LogFormat::Json => {
            logs.json().flatten_event(true).init();
            LineFormat::Json
        }
        cli::LogFormat::Text => {
            logs.with_ansi(ansi).init();
            LineFormat::Text { ansi }
        }
    };
    Ok((guard, RequestLog::lines(sink, line_format)))
}
