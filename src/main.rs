//! The `schemagate` binary: parse the command line and dispatch. Everything else is in the library.

use std::process::ExitCode;

use clap::Parser;

/// Parsing allocates many small syntax-tree nodes; mimalloc serves them markedly faster than the
/// system allocator (see the `check_process` benchmark).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    schemagate::cli::run(schemagate::cli::Cli::parse())
}
