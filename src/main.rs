//! The `schemagate` binary: parse the command line and dispatch. Everything else is in the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    schemagate::cli::run(schemagate::cli::Cli::parse())
}
