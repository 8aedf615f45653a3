//! Hygiene rules: what the analysis could not check (unparsed, unmodelled or too large
//! statements and files), schema.prisma drift the PR introduces, and missing down migrations.

use std::collections::HashSet;

use super::Finding;
use super::catalog::{
    MISSING_DOWN_MIGRATION, NOT_MODELLED_STATEMENT, PRISMA_DRIFT, TOO_LARGE_TO_ANALYSE,
    UNPARSED_STATEMENT,
};
use super::context::Context;
use crate::analysis::detect::Migration;
use crate::analysis::diagnostic::{Diagnostic, DiagnosticKind};

/// Findings for diagnostics of the PR's files, new drift, and missing down migrations.
pub(super) fn hygiene_findings(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let base_drift: HashSet<&str> = ctx
        .change
        .base
        .iter()
        .flat_map(|base| base.diagnostics.iter())
        .filter(|d| d.kind == DiagnosticKind::Drift)
        .map(|d| d.message.as_str())
        .collect();
    for diagnostic in &ctx.change.head.diagnostics {
        let finding = match diagnostic.kind {
            DiagnosticKind::Unparsed if ctx.is_changed(&diagnostic.file) => from_diagnostic(
                &UNPARSED_STATEMENT,
                diagnostic,
                "no rule checked it, and unknown is not safe",
            ),
            DiagnosticKind::TooLarge if ctx.is_changed(&diagnostic.file) => {
                from_diagnostic(&TOO_LARGE_TO_ANALYSE, diagnostic, "review it by hand")
            }
            DiagnosticKind::NotModelled if ctx.is_changed(&diagnostic.file) => from_diagnostic(
                &NOT_MODELLED_STATEMENT,
                diagnostic,
                "review its effect by hand",
            ),
            DiagnosticKind::Drift if !base_drift.contains(diagnostic.message.as_str()) => {
                from_diagnostic(&PRISMA_DRIFT, diagnostic, "new with this change")
            }
            _ => continue,
        };
        out.push(finding);
    }
    missing_down_migrations(ctx, out);
}

/// A finding repeating a diagnostic, with what it means for the review.
fn from_diagnostic(rule: &super::Rule, diagnostic: &Diagnostic, meaning: &str) -> Finding {
    let message = format!("{}; {meaning}", diagnostic.message.trim_end_matches('.'));
    Finding::new(rule, &diagnostic.file, diagnostic.line, message)
}

/// Whether `migration` has a down file or a down section (else `missing-down-migration`).
pub fn has_down_migration(migration: &Migration) -> bool {
    migration.down_path.is_some() || migration.has_down_section
}

/// `missing-down-migration` for PR migrations without a down file or section, when the
/// framework supports them.
fn missing_down_migrations(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    if !ctx.change.head.set.supports_down {
        return;
    }
    for migration in ctx.changed_migrations() {
        let migration = &migration.migration;
        if has_down_migration(migration) {
            continue;
        }
        let message = format!(
            "migration \"{}\" has no down migration: rolling it back needs a hand-written plan or a restore",
            migration.path
        );
        out.push(Finding::new(
            &MISSING_DOWN_MIGRATION,
            &migration.path,
            0,
            message,
        ));
    }
}
