//! The command line: argument definitions and one module per subcommand. The binary's `main`
//! only calls [`run`].

mod args;
mod audit_cmd;
mod cascade_cmd;
mod check_cmd;
mod config_cmd;
mod console_cmd;
mod console_github;
mod demo_cmd;
mod diff_cmd;
mod github_setup;
mod input;
mod output;
mod queue_cmd;
mod schema_cmd;
mod submit_cmd;
mod value_enums;

pub use args::Cli;

use std::process::ExitCode;

use args::Command;

use crate::report::sanitize::sanitize_text;

/// Exit code for usage and I/O errors (clap uses it for usage errors too).
pub const EXIT_ERROR: u8 = 2;

/// Runs the parsed command line; errors are printed with their context chain (sanitized: they
/// may quote GitHub's answers or names from a PR).
pub fn run(cli: Cli) -> ExitCode {
    let result = match &cli.command {
        None => console_cmd::run(&cli.global, &cli.console),
        Some(Command::Schema(args)) => schema_cmd::run(&cli.global, args),
        Some(Command::Cascade(args)) => cascade_cmd::run(&cli.global, args),
        Some(Command::Diff(args)) => diff_cmd::run(&cli.global, args),
        Some(Command::Check(args)) => check_cmd::run(&cli.global, args),
        Some(Command::Audit(args)) => audit_cmd::run(&cli.global, args),
        Some(Command::Queue(args)) => queue_cmd::run(&cli.global, args),
        Some(Command::Demo(args)) => demo_cmd::run(&cli.global, args),
        Some(Command::Submit(args)) => submit_cmd::run(&cli.global, args),
        Some(Command::Config(args)) => config_cmd::run(&cli.global, args),
    };
    match result {
        Ok(code) => code,
        Err(error) if output::is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("schemagate: {}", sanitize_text(&format!("{error:#}")));
            ExitCode::from(EXIT_ERROR)
        }
    }
}
