//! What every evaluator needs to know about a change besides the change itself: which files the
//! PR touched, which tables it created (exempt from rules about existing data), the dialect.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

use crate::analysis::cascade::CascadeGraph;

use crate::analysis::dialect::Dialect;
use crate::analysis::pipeline::{ParsedMigration, SetChange};
use crate::analysis::replay::SchemaChange;

/// A change, indexed for the rules.
pub(super) struct Context<'a> {
    /// The change being evaluated.
    pub change: &'a SetChange,
    /// The dialect of the set.
    pub dialect: Dialect,
    /// The PR's added or modified migrations (at head), by path, in apply order.
    changed: Vec<&'a ParsedMigration>,
    /// Paths of `changed`.
    changed_paths: HashMap<&'a str, &'a ParsedMigration>,
    /// Rank of every migration file of the set in apply order.
    file_rank: HashMap<&'a str, usize>,
    /// Tables created by the PR (lowercase, following later renames), with where they were
    /// created as (rank of the file in apply order, line).
    new_tables: HashMap<String, (usize, usize)>,
    /// The head schema's cascade graph, built on first use.
    head_cascade: OnceCell<CascadeGraph>,
}

impl<'a> Context<'a> {
    /// Indexes `change`.
    pub fn new(change: &'a SetChange) -> Self {
        let wanted: HashSet<&str> = change.changed_files.iter().map(String::as_str).collect();
        let changed: Vec<&ParsedMigration> = change
            .head
            .migrations
            .iter()
            .filter(|m| wanted.contains(m.migration.path.as_str()))
            .collect();
        let file_rank: HashMap<&str, usize> = change
            .head
            .migrations
            .iter()
            .enumerate()
            .map(|(rank, m)| (m.migration.path.as_str(), rank))
            .collect();
        let changed_paths = changed
            .iter()
            .map(|m| (m.migration.path.as_str(), *m))
            .collect();
        let new_tables = tables_created_by(change, &file_rank);
        Context {
            change,
            dialect: change.head.set.dialect,
            changed,
            changed_paths,
            file_rank,
            new_tables,
            head_cascade: OnceCell::new(),
        }
    }

    /// The PR's added or modified migrations, in apply order.
    pub fn changed_migrations(&self) -> &[&'a ParsedMigration] {
        &self.changed
    }

    /// The PR's migration at `path`, if the PR added or modified it.
    pub fn changed_migration(&self, path: &str) -> Option<&'a ParsedMigration> {
        self.changed_paths.get(path).copied()
    }

    /// Whether `path` is a migration the PR added or modified.
    pub fn is_changed(&self, path: &str) -> bool {
        self.changed_paths.contains_key(path)
    }

    /// Whether the PR created `table` at or before `file:line`, so that at that point the table
    /// holds no data that existed before the PR.
    pub fn is_new_table_at(&self, table: &str, file: &str, line: usize) -> bool {
        let Some(created) = self.new_tables.get(&table.to_ascii_lowercase()) else {
            return false;
        };
        let here = (
            self.file_rank.get(file).copied().unwrap_or(usize::MAX),
            line,
        );
        *created <= here
    }

    /// Whether `table` held data before the PR at `file:line` (the PR had not created it yet).
    pub fn is_existing_table_at(&self, table: &str, file: &str, line: usize) -> bool {
        !self.is_new_table_at(table, file, line)
    }

    /// The tables (sorted) whose rows a delete from `table` removes through ON DELETE CASCADE
    /// in the head schema.
    pub fn cascade_reach(&self, table: &str) -> Vec<String> {
        let graph = self
            .head_cascade
            .get_or_init(|| CascadeGraph::new(&self.change.head.cascade_schema()));
        graph
            .report(table)
            .map(|report| report.tables_reached)
            .unwrap_or_default()
    }

    /// Whether the PR creates `table` anywhere (so at head it holds only data written after
    /// the PR).
    pub fn is_created_by_pr(&self, table: &str) -> bool {
        self.new_tables.contains_key(&table.to_ascii_lowercase())
    }
}

/// Tables created by the PR's events, lowercase; a created table that the PR then renames is
/// new under its new name too. The `CREATE TABLE`s of an edited applied migration do not count
/// for tables the base already has: those tables hold production data.
fn tables_created_by(
    change: &SetChange,
    file_rank: &HashMap<&str, usize>,
) -> HashMap<String, (usize, usize)> {
    let base = change.base.as_ref();
    let applied: HashSet<&str> = base
        .iter()
        .flat_map(|b| b.migrations.iter())
        .map(|m| m.migration.path.as_str())
        .collect();
    let existed_at_base = |table: &str| base.is_some_and(|b| b.schema.table(table).is_some());
    let mut created: HashMap<String, (usize, usize)> = HashMap::new();
    for event in &change.pr_events {
        let at = (
            file_rank
                .get(event.at.file.as_str())
                .copied()
                .unwrap_or(usize::MAX),
            event.at.line,
        );
        match &event.change {
            SchemaChange::CreateTable { table }
                if !(applied.contains(event.at.file.as_str()) && existed_at_base(table)) =>
            {
                created.entry(table.to_ascii_lowercase()).or_insert(at);
            }
            SchemaChange::RenameTable { from, to }
                if created.contains_key(&from.to_ascii_lowercase()) =>
            {
                created.entry(to.to_ascii_lowercase()).or_insert(at);
            }
            _ => {}
        }
    }
    created
}
