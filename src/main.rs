//! The `docmock` binary: parses the command line, runs the command, and
//! turns its result into an exit code in one place.

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("docmock=info"));
    // Log lines are handed to a writer thread, so a request never waits for
    // stderr. The thread batches lines while more keep coming and flushes as
    // soon as none are waiting; the guard flushes what is left on exit.
    let stderr = std::io::BufWriter::with_capacity(64 * 1024, std::io::stderr());
    let (writer, _flush_on_exit) = tracing_appender::non_blocking(stderr);
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match cli.log_format {
        cli::LogFormat::Json => logs.json().flatten_event(true).init(),
        cli::LogFormat::Text => logs.with_ansi(std::io::stderr().is_terminal()).init(),
    }
    match cli.run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("docmock: {error:#}");
            ExitCode::FAILURE
        }
    }
}
