//! `promosim`: parse arguments, call the library, map errors to exit codes.

use clap::Parser;
use promosim::cli::{Cli, execute};
use std::process::ExitCode;

fn main() -> ExitCode {
    match execute(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e @ promosim::cli::CliError::Pending(_)) => {
            eprintln!("{e:#}");
            ExitCode::from(e.exit_code())
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(e.exit_code())
        }
    }
}
