//! Evaluation: run every rule family over a change, accept what SQL comments accept, and order
//! the findings.

use super::cascade::cascade_findings;
use super::context::Context;
use super::events::event_findings;
use super::history::history_findings;
use super::hygiene::hygiene_findings;
use super::statements::statement_findings;
use super::suppress::apply_suppressions;
use super::{Finding, Risk};
use crate::analysis::pipeline::SetChange;

/// Every finding for one migration set's change, sorted by file, line and rule.
///
/// Only the PR's added or modified migration files (and the history around them) are judged;
/// tables the PR creates are exempt from the rules about existing data. Suppressed findings stay
/// in the list with [`Finding::suppressed`] set. Runs in time linear in the PR's statements and
/// events (plus one pass over the set's migration list for the history rules).
pub fn evaluate(change: &SetChange) -> Vec<Finding> {
    let ctx = Context::new(change);
    let mut findings = Vec::new();
    event_findings(&ctx, &mut findings);
    statement_findings(&ctx, &mut findings);
    cascade_findings(&ctx, &mut findings);
    history_findings(&ctx, &mut findings);
    hygiene_findings(&ctx, &mut findings);
    sort_and_deduplicate(&mut findings);
    apply_suppressions(&ctx, &mut findings);
    sort_and_deduplicate(&mut findings);
    findings
}

/// Sorts by file, line, rule, then table and column (stable, so the first-produced of equal findings comes first) and
/// drops repeats of the same rule on the same file, line, table and column: a SQLite table
/// redefinition reports a dropped column both as part of the redefinition and as its own event.
fn sort_and_deduplicate(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        (a.file.as_str(), a.line, a.rule)
            .cmp(&(b.file.as_str(), b.line, b.rule))
            .then_with(|| caseless(&a.table).cmp(caseless(&b.table)))
            .then_with(|| caseless(&a.column).cmp(caseless(&b.column)))
    });
    findings.dedup_by(|later, earlier| {
        later.rule == earlier.rule
            && later.file == earlier.file
            && later.line == earlier.line
            && same_target(&later.table, &earlier.table)
            && same_target(&later.column, &earlier.column)
    });
}

/// A table or column name as ASCII-lowercase bytes, for ordering.
fn caseless(name: &Option<String>) -> impl Iterator<Item = u8> + '_ {
    name.iter()
        .flat_map(|n| n.bytes())
        .map(|b| b.to_ascii_lowercase())
}

/// Table or column names compared as the schema does (ASCII case-insensitive).
fn same_target(a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        (None, None) => true,
        _ => false,
    }
}

/// The risk of a PR: the highest risk among findings that are not suppressed; `None` when
/// every finding is suppressed or there are none (a clean change, shown as LOW).
pub fn pr_risk(findings: &[Finding]) -> Option<Risk> {
    findings
        .iter()
        .filter(|f| f.is_open())
        .map(|f| f.risk)
        .max()
}
