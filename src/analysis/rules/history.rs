//! History rules: the PR edits, deletes, renames or misorders migrations the base branch already
//! has (and so production has probably applied), or gives two migrations one version.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use super::Finding;
use super::catalog::{
    DELETED_APPLIED_MIGRATION, DUPLICATE_VERSION, EDITED_APPLIED_MIGRATION, OUT_OF_ORDER_MIGRATION,
    RENAMED_APPLIED_MIGRATION,
};
use super::context::Context;
use crate::analysis::pipeline::{ParsedMigration, SetChange};

/// Findings about the migration history.
pub(super) fn history_findings(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    duplicate_versions(ctx, out);
    let Some(base) = &ctx.change.base else {
        return;
    };
    let (edited, added): (Vec<&ParsedMigration>, Vec<&ParsedMigration>) = ctx
        .changed_migrations()
        .iter()
        .partition(|m| is_applied_migration(ctx.change, &m.migration.path));
    for migration in edited {
        out.push(edited_finding(ctx, &migration.migration.path));
    }
    removed_migrations(ctx, &base.migrations, &added, out);
    out_of_order(&base.migrations, &added, out);
}

/// Whether the base branch already has the migration at `path`, so that production has probably
/// applied it (what the history rules call an *applied* migration).
pub fn is_applied_migration(change: &SetChange, path: &str) -> bool {
    change
        .base
        .iter()
        .flat_map(|base| base.migrations.iter())
        .any(|m| m.migration.path == path)
}

/// `edited-applied-migration` at the first line the PR changed.
fn edited_finding(ctx: &Context<'_>, path: &str) -> Finding {
    let message = format!(
        "edits migration \"{path}\", which the base branch already has: databases that applied it will not run the edit (or will reject the changed checksum)"
    );
    Finding::new(
        &EDITED_APPLIED_MIGRATION,
        path,
        first_changed_line(ctx, path),
        message,
    )
}

/// The first line of `path` at head that differs from base (0 when the diff is unknown).
fn first_changed_line(ctx: &Context<'_>, path: &str) -> usize {
    let Some(diff) = ctx.change.file_diffs.iter().find(|d| d.path == path) else {
        return 0;
    };
    let mut last_head_line = 0;
    for line in &diff.lines {
        if line.tag != ' ' {
            return line.new_line.unwrap_or(last_head_line + 1);
        }
        last_head_line = line.new_line.unwrap_or(last_head_line);
    }
    0
}

/// The content of a migration as parsed: statements and comments with their lines. Two files
/// with equal keys hold the same SQL.
type ContentKey<'a> = (Vec<(usize, &'a str)>, Vec<(usize, &'a str)>);

fn content_key(migration: &ParsedMigration) -> ContentKey<'_> {
    (
        migration
            .sql
            .statements
            .iter()
            .map(|s| (s.line, s.text.as_str()))
            .collect(),
        migration
            .sql
            .comments
            .iter()
            .map(|c| (c.line, c.text.as_str()))
            .collect(),
    )
}

/// `renamed-applied-migration` for a removed migration whose content reappears in an added
/// one, `deleted-applied-migration` for the others.
fn removed_migrations(
    ctx: &Context<'_>,
    base_migrations: &[ParsedMigration],
    added: &[&ParsedMigration],
    out: &mut Vec<Finding>,
) {
    let removed: HashSet<&str> = ctx
        .change
        .removed_files
        .iter()
        .map(String::as_str)
        .collect();
    let removed_by_content: HashMap<ContentKey<'_>, &str> = base_migrations
        .iter()
        .filter(|m| removed.contains(m.migration.path.as_str()))
        .filter(|m| !m.sql.statements.is_empty())
        .map(|m| (content_key(m), m.migration.path.as_str()))
        .collect();
    let mut renamed: HashSet<&str> = HashSet::new();
    for migration in added {
        let Some(old) = removed_by_content.get(&content_key(migration)) else {
            continue;
        };
        renamed.insert(old);
        let new = &migration.migration.path;
        let message = format!(
            "renames applied migration \"{old}\" to \"{new}\" with the same content: databases that applied \"{old}\" will see \"{new}\" as new and apply it again"
        );
        out.push(Finding::new(&RENAMED_APPLIED_MIGRATION, new, 0, message));
    }
    for path in &ctx.change.removed_files {
        if renamed.contains(path.as_str()) {
            continue;
        }
        let message = format!(
            "deletes migration \"{path}\", which the base branch already has: databases that applied it keep its changes, new databases will not get them"
        );
        out.push(Finding::new(&DELETED_APPLIED_MIGRATION, path, 0, message));
    }
}

/// `out-of-order-migration` for every added migration whose version sorts before the base's
/// latest.
fn out_of_order(
    base_migrations: &[ParsedMigration],
    added: &[&ParsedMigration],
    out: &mut Vec<Finding>,
) {
    let Some(latest) = base_migrations
        .iter()
        .map(|m| m.migration.version.as_str())
        .filter(|v| !v.is_empty())
        .max_by(|a, b| compare_versions(a, b))
    else {
        return;
    };
    for migration in added {
        let version = migration.migration.version.as_str();
        if version.is_empty() || compare_versions(version, latest) != Ordering::Less {
            continue;
        }
        let message = format!(
            "new migration version {version} sorts before {latest}, the latest migration of the base branch: databases already past {latest} may skip it or apply it out of order"
        );
        out.push(Finding::new(
            &OUT_OF_ORDER_MIGRATION,
            &migration.migration.path,
            0,
            message,
        ));
    }
}

/// `duplicate-version` for every PR migration whose version another migration at head shares.
fn duplicate_versions(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut by_version: HashMap<&str, Vec<&str>> = HashMap::new();
    for migration in &ctx.change.head.migrations {
        let version = migration.migration.version.as_str();
        if !version.is_empty() {
            by_version
                .entry(version)
                .or_default()
                .push(&migration.migration.path);
        }
    }
    for migration in ctx.changed_migrations() {
        let path = migration.migration.path.as_str();
        let version = migration.migration.version.as_str();
        let Some(others) = by_version.get(version) else {
            continue;
        };
        let others: Vec<&str> = others.iter().copied().filter(|p| *p != path).collect();
        if others.is_empty() {
            continue;
        }
        let message = format!(
            "migration version {version} is also used by {}: the tool cannot order them and may apply only one",
            others.join(", ")
        );
        out.push(Finding::new(&DUPLICATE_VERSION, path, 0, message));
    }
}

/// Compares migration versions the way people read them: runs of digits numerically
/// (`1.10` after `1.9`, `002` equal to `2`), everything else as text.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (next_chunk(a), next_chunk(b)) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some((x, rest_a)), Some((y, rest_b))) => {
                let order = compare_chunks(x, y);
                if order != Ordering::Equal {
                    return order;
                }
                (a, b) = (rest_a, rest_b);
            }
        }
    }
}

/// The next run of digits or of non-digits, and the rest.
fn next_chunk(text: &str) -> Option<(&str, &str)> {
    let first = text.chars().next()?;
    let digit = first.is_ascii_digit();
    let end = text
        .char_indices()
        .find(|(_, c)| c.is_ascii_digit() != digit)
        .map_or(text.len(), |(i, _)| i);
    Some(text.split_at(end))
}

/// Digit runs by value (without overflow: by length after leading zeros, then text), other
/// runs as text; a number sorts before text.
fn compare_chunks(x: &str, y: &str) -> Ordering {
    let numeric = |s: &str| s.starts_with(|c: char| c.is_ascii_digit());
    match (numeric(x), numeric(y)) {
        (true, true) => {
            let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
            x.len().cmp(&y.len()).then_with(|| x.cmp(y))
        }
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => x.cmp(y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(compare_versions("1.9", "1.10"), Ordering::Less);
        assert_eq!(compare_versions("002", "2"), Ordering::Equal);
        assert_eq!(
            compare_versions("20240101120000", "20231231235959"),
            Ordering::Greater
        );
        assert_eq!(compare_versions("1", "1.1"), Ordering::Less);
        assert_eq!(
            compare_versions("99999999999999999999999", "100000000000000000000000"),
            Ordering::Less
        );
        assert_eq!(compare_versions("", "1"), Ordering::Less);
        assert_eq!(compare_versions("1a", "1b"), Ordering::Less);
    }
}
