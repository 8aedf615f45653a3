//! Automatic evidence for checklist items: what the analysis can say about an item, shown
//! beside its tick box. Evidence informs; a person still ticks.

use std::collections::BTreeMap;
use std::str::FromStr;

use serde::Serialize;

use crate::analysis::cascade::{CascadeChange, CascadePath};
use crate::analysis::diagnostic::DiagnosticKind;
use crate::analysis::dialect::Dialect;
use crate::analysis::pipeline::SetChange;
use crate::analysis::rules::catalog::{
    DELETE_WITHOUT_WHERE, DROP_COLUMN, DROP_TABLE, EDITED_APPLIED_MIGRATION, NARROWING_TYPE_CHANGE,
    OUT_OF_ORDER_MIGRATION, PRISMA_DRIFT, TRUNCATE, UPDATE_WITHOUT_WHERE,
};
use crate::analysis::rules::{Finding, Rule, has_down_migration, is_applied_migration};
use crate::analysis::schema::{ForeignKey, ReferentialAction, Table, same_name};
use crate::execution::{ExecutionReport, Origin};

/// What the analysis can check for a checklist item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKey {
    /// No column is dropped (rule `drop-column`, schema diff).
    NoColumnDropped,
    /// No table is dropped (rule `drop-table`, schema diff).
    NoTableDropped,
    /// Every migration of the PR has a down migration.
    DownMigrationPresent,
    /// The PR body has a heading or bold line about rollback.
    RollbackSectionInPrBody,
    /// The PR adds no ON DELETE cascade path.
    CascadePathsUnchanged,
    /// The PR's migrations come after the base's (rule `out-of-order-migration`).
    OrderedAfterBase,
    /// No migration of the base history is edited or removed (rule `edited-applied-migration`).
    AppliedMigrationsUntouched,
    /// schema.prisma and the migrations agree (no drift).
    SchemaMatchesPrisma,
    /// Every foreign key the PR adds is covered by an index.
    NewForeignKeysIndexed,
    /// The history and the PR's migrations ran on a scratch database.
    MigrationRan,
    /// No UPDATE/DELETE without WHERE, no TRUNCATE.
    NoUnboundedDataChange,
    /// No type change that can truncate values (rule `narrowing-type-change`).
    NoNarrowingTypeChange,
}

impl EvidenceKey {
    /// Every key, in declaration order.
    pub const ALL: [EvidenceKey; 12] = [
        EvidenceKey::NoColumnDropped,
        EvidenceKey::NoTableDropped,
        EvidenceKey::DownMigrationPresent,
        EvidenceKey::RollbackSectionInPrBody,
        EvidenceKey::CascadePathsUnchanged,
        EvidenceKey::OrderedAfterBase,
        EvidenceKey::AppliedMigrationsUntouched,
        EvidenceKey::SchemaMatchesPrisma,
        EvidenceKey::NewForeignKeysIndexed,
        EvidenceKey::MigrationRan,
        EvidenceKey::NoUnboundedDataChange,
        EvidenceKey::NoNarrowingTypeChange,
    ];

    /// The rules of the catalog whose findings this evidence reads (none when it reads only the
    /// analysis: the schema diff, the cascade changes, the PR body, the run).
    pub fn rules(self) -> &'static [&'static Rule] {
        match self {
            EvidenceKey::NoColumnDropped => &[&DROP_COLUMN],
            EvidenceKey::NoTableDropped => &[&DROP_TABLE],
            EvidenceKey::OrderedAfterBase => &[&OUT_OF_ORDER_MIGRATION],
            EvidenceKey::AppliedMigrationsUntouched => &[&EDITED_APPLIED_MIGRATION],
            EvidenceKey::SchemaMatchesPrisma => &[&PRISMA_DRIFT],
            EvidenceKey::NoUnboundedDataChange => {
                &[&UPDATE_WITHOUT_WHERE, &DELETE_WITHOUT_WHERE, &TRUNCATE]
            }
            EvidenceKey::NoNarrowingTypeChange => &[&NARROWING_TYPE_CHANGE],
            EvidenceKey::DownMigrationPresent
            | EvidenceKey::RollbackSectionInPrBody
            | EvidenceKey::CascadePathsUnchanged
            | EvidenceKey::NewForeignKeysIndexed
            | EvidenceKey::MigrationRan => &[],
        }
    }

    /// The key as written in checklists.toml.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKey::NoColumnDropped => "no-column-dropped",
            EvidenceKey::NoTableDropped => "no-table-dropped",
            EvidenceKey::DownMigrationPresent => "down-migration-present",
            EvidenceKey::RollbackSectionInPrBody => "rollback-section-in-pr-body",
            EvidenceKey::CascadePathsUnchanged => "cascade-paths-unchanged",
            EvidenceKey::OrderedAfterBase => "ordered-after-base",
            EvidenceKey::AppliedMigrationsUntouched => "applied-migrations-untouched",
            EvidenceKey::SchemaMatchesPrisma => "schema-matches-prisma",
            EvidenceKey::NewForeignKeysIndexed => "new-foreign-keys-indexed",
            EvidenceKey::MigrationRan => "migration-ran",
            EvidenceKey::NoUnboundedDataChange => "no-unbounded-data-change",
            EvidenceKey::NoNarrowingTypeChange => "no-narrowing-type-change",
        }
    }
}

impl std::fmt::Display for EvidenceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not an evidence key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown evidence key `{0}`")]
pub struct UnknownEvidenceKey(pub String);

impl FromStr for EvidenceKey {
    type Err = UnknownEvidenceKey;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        EvidenceKey::ALL
            .into_iter()
            .find(|key| key.as_str() == text)
            .ok_or_else(|| UnknownEvidenceKey(text.to_owned()))
    }
}

/// What the analysis found for one key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "snake_case")]
pub enum EvidenceStatus {
    /// The analysis checked it and found nothing wrong.
    Checked(String),
    /// The analysis found a problem.
    Problem(String),
    /// The analysis cannot tell.
    Unknown(String),
}

impl EvidenceStatus {
    /// The explanation.
    pub fn detail(&self) -> &str {
        match self {
            EvidenceStatus::Checked(text)
            | EvidenceStatus::Problem(text)
            | EvidenceStatus::Unknown(text) => text,
        }
    }

    /// Whether this is a problem.
    pub fn is_problem(&self) -> bool {
        matches!(self, EvidenceStatus::Problem(_))
    }
}

/// The evidence for every key, for one set change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// Status per key.
    pub statuses: BTreeMap<EvidenceKey, EvidenceStatus>,
}

impl Evidence {
    /// The status of one key (`None` only for evidence that was not gathered).
    pub fn get(&self, key: EvidenceKey) -> Option<&EvidenceStatus> {
        self.statuses.get(&key)
    }
}

/// Gathers the evidence for `change`. `findings` are the rules' findings for this change
/// (suppressed ones included: an accepted drop is still a drop), `pr_body` the PR description,
/// `execution` the report of running the history, when it was run.
pub fn gather(
    change: &SetChange,
    findings: &[Finding],
    pr_body: Option<&str>,
    execution: Option<&ExecutionReport>,
) -> Evidence {
    let statuses = EvidenceKey::ALL
        .into_iter()
        .map(|key| {
            let status = match key {
                EvidenceKey::NoColumnDropped => columns_dropped(change, findings, key),
                EvidenceKey::NoTableDropped => tables_dropped(change, findings, key),
                EvidenceKey::DownMigrationPresent => down_migrations(change),
                EvidenceKey::RollbackSectionInPrBody => rollback_section(pr_body),
                EvidenceKey::CascadePathsUnchanged => cascade_paths(change),
                EvidenceKey::OrderedAfterBase => ordering(change, findings, key),
                EvidenceKey::AppliedMigrationsUntouched => {
                    applied_migrations(change, findings, key)
                }
                EvidenceKey::SchemaMatchesPrisma => prisma_drift(change, findings, key),
                EvidenceKey::NewForeignKeysIndexed => foreign_key_indexes(change),
                EvidenceKey::MigrationRan => migration_ran(change, execution),
                EvidenceKey::NoUnboundedDataChange => from_findings(
                    findings,
                    key,
                    "no UPDATE or DELETE without WHERE, no TRUNCATE",
                ),
                EvidenceKey::NoNarrowingTypeChange => {
                    from_findings(findings, key, "no type change narrows a column")
                }
            };
            (key, status)
        })
        .collect();
    Evidence { statuses }
}

/// The findings of the rules `key` reads.
fn findings_of(findings: &[Finding], key: EvidenceKey) -> impl Iterator<Item = &Finding> {
    findings
        .iter()
        .filter(move |finding| key.rules().iter().any(|rule| finding.is_of(rule)))
}

/// `file:line: message` for every finding of the rules `key` reads.
fn finding_lines(findings: &[Finding], key: EvidenceKey) -> Vec<String> {
    findings_of(findings, key).map(describe_finding).collect()
}

fn describe_finding(finding: &Finding) -> String {
    let accepted = finding
        .suppressed
        .as_ref()
        .map(|s| format!(" (accepted by {}: {})", s.by, s.reason))
        .unwrap_or_default();
    format!(
        "{}:{}: {}{accepted}",
        finding.file, finding.line, finding.message
    )
}

/// `Problem` listing `problems`, or `Checked(ok)` when there are none.
fn problems_or(problems: Vec<String>, ok: &str) -> EvidenceStatus {
    if problems.is_empty() {
        EvidenceStatus::Checked(ok.to_owned())
    } else {
        EvidenceStatus::Problem(problems.join("; "))
    }
}

fn from_findings(findings: &[Finding], key: EvidenceKey, ok: &str) -> EvidenceStatus {
    problems_or(finding_lines(findings, key), ok)
}

/// The findings of the rules `key` reads, or when there are none, what `check` finds on its
/// own (so the evidence holds even where the rules were not run).
fn findings_or(
    findings: &[Finding],
    key: EvidenceKey,
    check: impl FnOnce() -> Vec<String>,
) -> Vec<String> {
    let lines = finding_lines(findings, key);
    if lines.is_empty() { check() } else { lines }
}

/// Drop findings, plus the diff's removals that no finding mentions.
fn drops(findings: &[Finding], key: EvidenceKey, from_diff: Vec<(String, String)>) -> Vec<String> {
    let mut lines = finding_lines(findings, key);
    lines.extend(
        from_diff
            .into_iter()
            .filter(|(name, _)| !findings_of(findings, key).any(|f| mentions(f, name)))
            .map(|(_, text)| text),
    );
    lines
}

/// Whether a finding names `table` or `table.column`.
fn mentions(finding: &Finding, name: &str) -> bool {
    let named = match (&finding.table, &finding.column) {
        (Some(table), Some(column)) => format!("{table}.{column}"),
        (Some(table), None) => table.clone(),
        (None, _) => return false,
    };
    same_name(&named, name)
}

fn columns_dropped(change: &SetChange, findings: &[Finding], key: EvidenceKey) -> EvidenceStatus {
    let from_diff = change
        .schema_diff
        .tables_changed
        .iter()
        .flat_map(|table| {
            table.columns_removed.iter().map(move |column| {
                let name = format!("{}.{}", table.table, column.name);
                let text = format!("column {name} is gone at head");
                (name, text)
            })
        })
        .collect();
    problems_or(drops(findings, key, from_diff), "no column dropped")
}

fn tables_dropped(change: &SetChange, findings: &[Finding], key: EvidenceKey) -> EvidenceStatus {
    let from_diff = change
        .schema_diff
        .tables_removed
        .iter()
        .map(|table| {
            let text = format!("table {} is gone at head", table.name);
            (table.name.clone(), text)
        })
        .collect();
    problems_or(drops(findings, key, from_diff), "no table dropped")
}

fn down_migrations(change: &SetChange) -> EvidenceStatus {
    let set = &change.head.set;
    if !set.supports_down {
        return EvidenceStatus::Unknown(format!(
            "{:?} migrations have no down direction: describe the restore instead",
            set.framework
        ));
    }
    let pr_migrations: Vec<_> = set
        .migrations
        .iter()
        .filter(|m| change.changed_files.contains(&m.path))
        .collect();
    if pr_migrations.is_empty() {
        return EvidenceStatus::Unknown("the PR adds no migration".to_owned());
    }
    let missing: Vec<String> = pr_migrations
        .iter()
        .filter(|m| !has_down_migration(m))
        .map(|m| format!("{} has no down migration", m.path))
        .collect();
    problems_or(missing, "every migration of the PR has a down migration")
}

fn rollback_section(pr_body: Option<&str>) -> EvidenceStatus {
    let Some(body) = pr_body.filter(|b| !b.trim().is_empty()) else {
        return EvidenceStatus::Unknown("the PR has no description".to_owned());
    };
    match body
        .lines()
        .map(str::trim)
        .find(|line| is_rollback_heading(line))
    {
        Some(line) => EvidenceStatus::Checked(format!("the PR description has \"{line}\"")),
        None => EvidenceStatus::Problem(
            "the PR description has no heading or bold line about rollback".to_owned(),
        ),
    }
}

/// A markdown heading (`# ...` to `###### ...`) or a bold line (`**...**` / `__...__`)
/// mentioning rollback.
fn is_rollback_heading(line: &str) -> bool {
    let after_hashes = line.trim_start_matches('#');
    let hashes = line.len() - after_hashes.len();
    let heading = (1..=6).contains(&hashes) && after_hashes.starts_with(' ');
    let bold = line.starts_with("**") || line.starts_with("__");
    (heading || bold) && line.to_ascii_lowercase().contains("rollback")
}

fn cascade_paths(change: &SetChange) -> EvidenceStatus {
    let grown: Vec<String> = change
        .cascade_changes
        .iter()
        .filter_map(describe_cascade_change)
        .collect();
    problems_or(
        grown,
        "the PR adds no ON DELETE path that deletes or nulls rows",
    )
}

/// What a cascade change does to the data, or `None` when it only adds paths that stop the
/// delete (RESTRICT / NO ACTION), which lose nothing.
fn describe_cascade_change(change: &CascadeChange) -> Option<String> {
    let destructive: Vec<&CascadePath> = change
        .added_paths
        .iter()
        .filter(|path| path.actions.iter().any(|a| changes_rows(*a)))
        .collect();
    if destructive.is_empty() && change.newly_reached.is_empty() && change.newly_nulled.is_empty() {
        return None;
    }
    let mut text = format!(
        "deleting a row of {} follows {} new cascade path(s)",
        change.root,
        destructive.len()
    );
    if let Some(example) = destructive.first() {
        text.push_str(&format!(" (e.g. {})", example.tables.join(" -> ")));
    }
    if !change.newly_reached.is_empty() {
        text.push_str(&format!(
            "; now also deletes rows of {}",
            change.newly_reached.join(", ")
        ));
    }
    if !change.newly_nulled.is_empty() {
        text.push_str(&format!(
            "; now also nulls columns of {}",
            change.newly_nulled.join(", ")
        ));
    }
    Some(text)
}

/// Whether an ON DELETE action deletes or rewrites the referring rows.
fn changes_rows(action: ReferentialAction) -> bool {
    matches!(
        action,
        ReferentialAction::Cascade | ReferentialAction::SetNull | ReferentialAction::SetDefault
    )
}

fn ordering(change: &SetChange, findings: &[Finding], key: EvidenceKey) -> EvidenceStatus {
    let problems = findings_or(findings, key, || migrations_before_base_latest(change));
    problems_or(problems, "the PR's migrations come after the base branch's")
}

/// New migrations of the PR that the framework applies before a migration of the base history.
fn migrations_before_base_latest(change: &SetChange) -> Vec<String> {
    let head = &change.head.set.migrations;
    let Some(last_base) = head
        .iter()
        .rposition(|m| is_applied_migration(change, &m.path))
    else {
        return Vec::new();
    };
    let (before_latest, from_latest) = head.split_at(last_base);
    let Some(latest) = from_latest.first() else {
        return Vec::new();
    };
    before_latest
        .iter()
        .filter(|m| !is_applied_migration(change, &m.path))
        .map(|m| {
            format!(
                "{} is applied before {}, which the base history already has",
                m.path, latest.path
            )
        })
        .collect()
}

fn applied_migrations(
    change: &SetChange,
    findings: &[Finding],
    key: EvidenceKey,
) -> EvidenceStatus {
    let mut problems = findings_or(findings, key, || {
        change
            .changed_files
            .iter()
            .filter(|path| is_applied_migration(change, path))
            .map(|path| format!("{path} is already in the base history and was modified"))
            .collect()
    });
    problems.extend(
        change
            .removed_files
            .iter()
            .map(|path| format!("{path} was removed from the history")),
    );
    problems_or(
        problems,
        "no migration of the base history is edited or removed",
    )
}

fn prisma_drift(change: &SetChange, findings: &[Finding], key: EvidenceKey) -> EvidenceStatus {
    if change.head.prisma.is_none() {
        return EvidenceStatus::Unknown("this migration set has no schema.prisma".to_owned());
    }
    let problems = findings_or(findings, key, || {
        change
            .head
            .diagnostics
            .iter()
            .filter(|d| d.kind == DiagnosticKind::Drift)
            .map(ToString::to_string)
            .collect()
    });
    problems_or(problems, "schema.prisma matches the migrated schema")
}

fn foreign_key_indexes(change: &SetChange) -> EvidenceStatus {
    let new_keys = new_foreign_keys(change);
    if new_keys.is_empty() {
        return EvidenceStatus::Checked("the PR adds no foreign key".to_owned());
    }
    if change.head.set.dialect == Dialect::Mysql {
        return EvidenceStatus::Checked(
            "MySQL (InnoDB) creates an index for every foreign key".to_owned(),
        );
    }
    let unindexed: Vec<String> = new_keys
        .iter()
        .filter(|(table, fk)| {
            change
                .head
                .schema
                .table(table)
                .is_none_or(|t| !is_indexed(t, &fk.columns))
        })
        .map(|(table, fk)| {
            format!(
                "{table}({}) -> {} has no index starting with its columns",
                fk.columns.join(", "),
                fk.ref_table
            )
        })
        .collect();
    problems_or(unindexed, "every new foreign key has an index")
}

/// (table, foreign key) for every foreign key the PR adds.
fn new_foreign_keys(change: &SetChange) -> Vec<(&str, &ForeignKey)> {
    let diff = &change.schema_diff;
    let in_new_tables = diff.tables_added.iter().flat_map(|table| {
        table
            .foreign_keys
            .iter()
            .map(|fk| (table.name.as_str(), fk))
    });
    let added_to_tables = diff.tables_changed.iter().flat_map(|table| {
        table
            .foreign_keys_added
            .iter()
            .map(|fk| (table.table.as_str(), fk))
    });
    in_new_tables.chain(added_to_tables).collect()
}

/// Whether an index (or the primary key) of `table` starts with `columns`.
fn is_indexed(table: &Table, columns: &[String]) -> bool {
    let primary_key: Vec<String> = table
        .columns
        .iter()
        .filter(|c| c.primary_key)
        .map(|c| c.name.clone())
        .collect();
    std::iter::once(primary_key.as_slice())
        .chain(table.indexes.iter().map(|i| i.columns.as_slice()))
        .any(|leading| starts_with(leading, columns))
}

fn starts_with(index_columns: &[String], columns: &[String]) -> bool {
    !columns.is_empty()
        && index_columns.len() >= columns.len()
        && index_columns
            .iter()
            .zip(columns)
            .all(|(a, b)| same_name(a, b))
}

fn migration_ran(change: &SetChange, execution: Option<&ExecutionReport>) -> EvidenceStatus {
    let Some(report) = execution else {
        return EvidenceStatus::Unknown("the migrations were not run".to_owned());
    };
    if let Some(reason) = &report.not_run {
        return EvidenceStatus::Unknown(format!("not run: {reason}"));
    }
    if let Some((origin, failure)) = report.failure() {
        let which = match origin {
            Origin::Base => "the base history",
            Origin::Pr => "the PR's migration",
        };
        let edited = if origin == Origin::Pr && is_applied_migration(change, &failure.file) {
            " (this migration is already in the base history: it ran there in its old form first)"
        } else {
            ""
        };
        return EvidenceStatus::Problem(format!("{which} {failure}{edited}"));
    }
    if change.changed_files.is_empty() || !report.pr_migrations_ran() {
        return EvidenceStatus::Unknown("the PR has no migration to run".to_owned());
    }
    let pr_files = report.files_of(Origin::Pr).count();
    let base_files = report.files_of(Origin::Base).count();
    EvidenceStatus::Checked(format!(
        "{pr_files} migration(s) of the PR ran on a scratch database after {base_files} of the base history"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_round_trips_through_its_text() {
        for key in EvidenceKey::ALL {
            assert_eq!(key.as_str().parse::<EvidenceKey>(), Ok(key));
            assert_eq!(
                serde_json::to_value(key).unwrap(),
                serde_json::Value::String(key.as_str().to_owned())
            );
        }
        assert!("nope".parse::<EvidenceKey>().is_err());
    }

    /// An evidence names its rules by the catalog's constants; each must be a rule the catalog
    /// holds (and evaluates), with the same id, or its findings would never be read.
    #[test]
    fn every_rule_an_evidence_reads_is_in_the_catalog() {
        for key in EvidenceKey::ALL {
            for rule in key.rules() {
                assert_eq!(
                    crate::analysis::rules::rule(rule.id),
                    Some(*rule),
                    "{key} reads `{}`, which the catalog does not hold",
                    rule.id
                );
            }
        }
    }

    #[test]
    fn rollback_heading_forms() {
        assert!(is_rollback_heading("## Rollback plan"));
        assert!(is_rollback_heading("**Rollback:** run down.sql"));
        assert!(is_rollback_heading("__ROLLBACK__"));
        assert!(!is_rollback_heading("we will rollback if needed"));
        assert!(!is_rollback_heading("## Deploy"));
        assert!(!is_rollback_heading("#42rollback"));
    }

    #[test]
    fn rollback_section_statuses() {
        assert!(matches!(rollback_section(None), EvidenceStatus::Unknown(_)));
        assert!(matches!(
            rollback_section(Some("Adds a column.\n\n## Rollback\nDrop it.")),
            EvidenceStatus::Checked(_)
        ));
        assert!(rollback_section(Some("Adds a column; rollback is easy.")).is_problem());
    }

    #[test]
    fn index_must_start_with_the_foreign_key_columns() {
        let cols = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
        assert!(starts_with(&cols(&["a", "b"]), &cols(&["A"])));
        assert!(!starts_with(&cols(&["b", "a"]), &cols(&["a"])));
        assert!(!starts_with(&cols(&["a"]), &cols(&["a", "b"])));
        assert!(!starts_with(&cols(&["a"]), &[]));
    }
}
