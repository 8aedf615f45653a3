//! Helpers shared by the commands: choosing a migration set, printing JSON, headings.

use std::io::Write;

use anyhow::{Result, bail};
use serde::Serialize;

use crate::analysis::pipeline::{SetAnalysis, SetSummary, TreeAnalysis};
use crate::report::sanitize::sanitize_line;

/// The sets a command should show: the one named by `--set`, else all of them.
/// Fails when the tree has no migration set or `--set` names none of them.
pub fn chosen_sets<'a>(
    analysis: &'a TreeAnalysis,
    wanted: Option<&str>,
    what: &str,
) -> Result<Vec<&'a SetAnalysis>> {
    if analysis.sets.is_empty() {
        bail!(
            "no migrations found in {what} (looked for Prisma, Flyway, golang-migrate, sqlx, Diesel, \
             dbmate, goose, Drizzle, Atlas, Supabase and migrations/*.sql layouts; \
             use --migrations GLOB for anything else)"
        );
    }
    let Some(wanted) = wanted else {
        return Ok(analysis.sets.iter().collect());
    };
    let wanted = wanted.trim_end_matches('/');
    match analysis.set(wanted) {
        Some(set) => Ok(vec![set]),
        None => bail!(
            "--set {wanted}: no such migration set; found {}",
            set_list(analysis)
        ),
    }
}

/// Exactly one set (for JSON output and commands about one schema).
pub fn one_set<'a>(
    analysis: &'a TreeAnalysis,
    wanted: Option<&str>,
    what: &str,
) -> Result<&'a SetAnalysis> {
    let sets = chosen_sets(analysis, wanted, what)?;
    match sets.as_slice() {
        [one] => Ok(one),
        _ => bail!(
            "{what} holds {} migration sets ({}); choose one with --set DIR",
            sets.len(),
            set_list(analysis)
        ),
    }
}

fn set_list(analysis: &TreeAnalysis) -> String {
    analysis
        .sets
        .iter()
        .map(|s| sanitize_line(&s.set.root).into_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A heading naming the set: `prisma/migrations: Prisma, sqlite (from ...), 12 migrations`.
pub fn set_heading(set: &SetAnalysis) -> String {
    let summary = SetSummary::from(&set.set);
    format!(
        "{}: {}, {} ({}), {} migrations",
        sanitize_line(summary.root),
        summary.framework,
        summary.dialect,
        dialect_source_text(summary.dialect_source),
        summary.migrations
    )
}

fn dialect_source_text(source: &crate::analysis::detect::DialectSource) -> String {
    use crate::analysis::detect::DialectSource as S;
    match source {
        S::CommandLine => "from --dialect".to_owned(),
        S::MigrationLock(path) => format!("from {}", sanitize_line(path)),
        S::PrismaSchema(path) => format!("from the datasource in {}", sanitize_line(path)),
        S::ProjectFile(path) => format!("from {}", sanitize_line(path)),
        S::Config => "from the configuration".to_owned(),
        S::Framework => "implied by the framework".to_owned(),
        S::Assumed => "assumed; pass --dialect to be sure".to_owned(),
    }
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json(value: &impl Serialize) -> Result<()> {
    let mut json = serde_json::to_string_pretty(value)?;
    json.push('\n');
    emit(json)
}

/// Writes `text` to stdout. A reader that went away (`| head`) is not an error worth a
/// message: [`is_broken_pipe`] lets the caller exit quietly.
pub fn emit(text: impl AsRef<str>) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_ref().as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// Whether `error` is stdout's reader having gone away.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}
