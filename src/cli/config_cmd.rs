//! `schemagate config` (being built).

use std::process::ExitCode;

/// Placeholder until the command lands.
pub fn run(_global: &super::args::GlobalArgs, _args: &impl std::fmt::Debug) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not available yet")
}
