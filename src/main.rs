//! The `docmock` binary: parses the command line, runs the command, and
//! turns its result into an exit code in one place.

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("docmock=info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match cli::Cli::parse().run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("docmock: {error:#}");
            ExitCode::FAILURE
        }
    }
}
