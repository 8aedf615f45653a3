//! Conflicts between open pull requests of one repository: what goes wrong only once two of
//! them merge, although each is fine on its own against the base branch.
//!
//! Two PRs are compared set by set (only migration sets with the same root: different roots are
//! different databases) and only within one repository. What is flagged, for each pair:
//!
//! - **Same table / same column**: both PRs' migrations change the table (create, drop, rename,
//!   alter it, add or drop its columns, indexes or foreign keys; a rename touches the old and the
//!   new name). When they share columns of the table (a column added, dropped, renamed, altered,
//!   or indexed / referenced by a foreign key: plain column names only, not expressions), one
//!   [`ConflictKind::SameColumn`] per shared column is reported instead of
//!   [`ConflictKind::SameTable`]. Whichever PR merges second was written and reviewed against a
//!   schema without the other's change: its migration may fail (the column is gone or renamed),
//!   silently undo the other's change (a table rewrite that does not know the new column), or
//!   just need a second look.
//! - **Version collision**: both PRs add a migration with the same version (compared as the
//!   history rules compare versions: digit runs numerically), unless it is the very same file
//!   (same path, same SQL: git merges it into one). Tools that key their history by version
//!   (Flyway, golang-migrate, sqlx, goose, Diesel) refuse a history with two migrations of one
//!   version or apply only one of them; tools that order by file name (Prisma folders) run both,
//!   in an order neither author tested.
//! - **Out of order**: both PRs add migrations that sort after the base branch's latest, and
//!   their version ranges interleave (`a_first < b_last` and `b_first < a_last`), so there is
//!   no merge order that keeps the history ordered: whichever merges second adds a migration
//!   that sorts before one the first has already shipped. Databases migrated between the two
//!   merges then apply it last, while a fresh database applies it in version order: the two
//!   replay different histories. Prisma (`migrate deploy`) applies such a pending migration
//!   anyway, out of order; Flyway refuses it (validation fails) unless `outOfOrder` is enabled.
//!   Ranges that do not interleave are not flagged: merging the PR with the older versions first
//!   is safe, and in the other order the second PR's own check reports
//!   `out-of-order-migration` against its new base. Migrations that already sort before the
//!   base's latest are left out here for the same reason: that rule reports them.
//!
//! Pure: it reads [`SetChange`]s (or footprints built by hand), nothing else.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use super::pipeline::SetChange;
use super::replay::SchemaChange;
use super::rules::compare_versions;

/// One pull request of one repository.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct PrId {
    /// `owner/name`, or the checkout's directory name for local sources.
    pub repo: String,
    /// PR number (or a local branch's derived number).
    pub number: u64,
}

impl fmt::Display for PrId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.number)
    }
}

/// A migration a PR adds (its path is not at base).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddedMigration {
    /// The version as detection read it.
    pub version: String,
    /// The up file.
    pub path: String,
    /// The up SQL (to tell the very same file added by both PRs from a collision).
    pub sql: Arc<str>,
}

/// A table or column name as written, keyed by its ASCII-lowercase form.
type Names<K> = BTreeMap<K, String>;

/// What a PR's migrations do to one migration set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SetFootprint {
    /// Directory of the migrations.
    pub root: String,
    /// Migrations the PR adds, in apply order.
    pub added: Vec<AddedMigration>,
    /// The base branch's latest migration version in this set, if any.
    pub base_latest: Option<String>,
    /// Tables the PR's migrations change (lowercase name -> name as written).
    pub tables: Names<String>,
    /// Columns they change ((lowercase table, lowercase column) -> column as written).
    pub columns: Names<(String, String)>,
}

impl SetFootprint {
    /// The footprint of one analysed set change.
    #[must_use]
    pub fn from_set_change(change: &SetChange) -> Self {
        let base_paths: HashSet<&str> = change
            .base
            .iter()
            .flat_map(|b| b.migrations.iter())
            .map(|m| m.migration.path.as_str())
            .collect();
        let added = change
            .head
            .migrations
            .iter()
            .filter(|m| change.changed_files.contains(&m.migration.path))
            .filter(|m| !base_paths.contains(m.migration.path.as_str()))
            .map(|m| AddedMigration {
                version: m.migration.version.clone(),
                path: m.migration.path.clone(),
                sql: Arc::clone(&m.up_sql),
            })
            .collect();
        let base_latest = change
            .base
            .iter()
            .flat_map(|b| b.migrations.iter())
            .map(|m| m.migration.version.as_str())
            .filter(|v| !v.is_empty())
            .max_by(|a, b| compare_versions(a, b))
            .map(str::to_owned);
        let mut footprint = SetFootprint {
            root: change.head.set.root.clone(),
            added,
            base_latest,
            ..SetFootprint::default()
        };
        for event in &change.pr_events {
            for (table, column) in touches(&event.change) {
                footprint.touch(table, column);
            }
        }
        footprint
    }

    /// Records that the PR changes `table` (and `column` of it).
    fn touch(&mut self, table: &str, column: Option<&str>) {
        let table_key = table.to_ascii_lowercase();
        self.tables
            .entry(table_key.clone())
            .or_insert_with(|| table.to_owned());
        if let Some(column) = column {
            self.columns
                .entry((table_key, column.to_ascii_lowercase()))
                .or_insert_with(|| column.to_owned());
        }
    }

    /// The versions of the added migrations that sort after the base's latest, first and last.
    fn range_after_base(&self) -> Option<(&str, &str)> {
        let after: Vec<&str> = self
            .added
            .iter()
            .map(|m| m.version.as_str())
            .filter(|v| !v.is_empty())
            .filter(|v| {
                self.base_latest
                    .as_deref()
                    .is_none_or(|latest| compare_versions(v, latest) == Ordering::Greater)
            })
            .collect();
        let first = after
            .iter()
            .copied()
            .min_by(|a, b| compare_versions(a, b))?;
        let last = after
            .iter()
            .copied()
            .max_by(|a, b| compare_versions(a, b))?;
        Some((first, last))
    }
}

/// The (table, column) pairs one schema change touches; enum changes touch no table.
fn touches(change: &SchemaChange) -> Vec<(&str, Option<&str>)> {
    use SchemaChange as C;
    match change {
        C::CreateTable { table }
        | C::DropTable { table }
        | C::RenameIndex { table, .. }
        | C::RedefineTable { table, .. } => vec![(table.as_str(), None)],
        C::RenameTable { from, to } => vec![(from.as_str(), None), (to.as_str(), None)],
        C::AddColumn { table, column } | C::DropColumn { table, column } => {
            vec![(table.as_str(), Some(column.name.as_str()))]
        }
        C::RenameColumn { table, from, to } => vec![
            (table.as_str(), Some(from.as_str())),
            (table.as_str(), Some(to.as_str())),
        ],
        C::AlterColumn {
            table,
            before,
            after,
        } => vec![
            (table.as_str(), Some(before.name.as_str())),
            (table.as_str(), Some(after.name.as_str())),
        ],
        C::CreateIndex { table, index } | C::DropIndex { table, index } => {
            with_columns(table, &index.columns)
        }
        C::AddForeignKey { table, foreign_key } | C::DropForeignKey { table, foreign_key } => {
            with_columns(table, &foreign_key.columns)
        }
        C::CreateEnum { .. } | C::DropEnum { .. } | C::AlterEnum { .. } => Vec::new(),
    }
}

/// The table and each of `columns` that is a plain column name (not an expression).
fn with_columns<'a>(table: &'a str, columns: &'a [String]) -> Vec<(&'a str, Option<&'a str>)> {
    let plain = |c: &&String| c.chars().all(|ch| ch.is_alphanumeric() || ch == '_');
    let mut touched = vec![(table, None)];
    touched.extend(
        columns
            .iter()
            .filter(plain)
            .map(|c| (table, Some(c.as_str()))),
    );
    touched
}

/// What one open PR's migrations touch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrFootprint {
    /// The PR.
    pub pr: PrId,
    /// One footprint per migration set the PR changes.
    pub sets: Vec<SetFootprint>,
}

impl PrFootprint {
    /// The footprint of a PR from its analysed set changes.
    #[must_use]
    pub fn new(pr: PrId, sets: &[SetChange]) -> Self {
        PrFootprint {
            pr,
            sets: sets.iter().map(SetFootprint::from_set_change).collect(),
        }
    }
}

/// How two PRs conflict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConflictKind {
    /// Both change this table (and no column of it in common).
    SameTable {
        /// The table, as the first PR writes it.
        table: String,
    },
    /// Both change this column.
    SameColumn {
        /// The table.
        table: String,
        /// The column, as the first PR writes it.
        column: String,
    },
    /// Both add a migration with this version.
    VersionCollision {
        /// The version.
        version: String,
        /// The first PR's migration.
        a_path: String,
        /// The second PR's migration.
        b_path: String,
    },
    /// Their new migrations interleave: no merge order keeps the history ordered.
    OutOfOrder {
        /// The first PR's oldest new version after the base's latest.
        a_first: String,
        /// Its newest.
        a_last: String,
        /// The second PR's oldest new version after the base's latest.
        b_first: String,
        /// Its newest.
        b_last: String,
    },
}

/// One conflict between two open PRs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// The first PR (in the order given).
    pub a: PrId,
    /// The second PR.
    pub b: PrId,
    /// The migration set (its root) where they conflict.
    pub set: String,
    /// What conflicts.
    pub kind: ConflictKind,
    /// Why it matters, in one or two sentences.
    pub explanation: String,
}

/// Every conflict between every pair of `prs` of the same repository, pair by pair in the
/// order given, then by set; see the module documentation for what is flagged.
#[must_use]
pub fn find_conflicts(prs: &[PrFootprint]) -> Vec<Conflict> {
    let mut conflicts = Vec::new();
    for (index, a) in prs.iter().enumerate() {
        for b in prs.iter().skip(index + 1) {
            if a.pr.repo != b.pr.repo || a.pr == b.pr {
                continue;
            }
            for set_a in &a.sets {
                for set_b in b.sets.iter().filter(|s| s.root == set_a.root) {
                    let pair = Pair {
                        a: &a.pr,
                        b: &b.pr,
                        set_a,
                        set_b,
                    };
                    conflicts.extend(pair.schema_overlaps());
                    conflicts.extend(pair.version_collisions());
                    conflicts.extend(pair.interleaving());
                }
            }
        }
    }
    conflicts
}

/// Two PRs' footprints on one migration set.
struct Pair<'a> {
    /// The first PR.
    a: &'a PrId,
    /// The second PR.
    b: &'a PrId,
    /// The first PR's footprint.
    set_a: &'a SetFootprint,
    /// The second PR's footprint.
    set_b: &'a SetFootprint,
}

impl Pair<'_> {
    /// A conflict of this pair.
    fn conflict(&self, kind: ConflictKind, explanation: String) -> Conflict {
        Conflict {
            a: self.a.clone(),
            b: self.b.clone(),
            set: self.set_a.root.clone(),
            kind,
            explanation,
        }
    }

    /// Same column (one per shared column) or else same table, for every shared table.
    fn schema_overlaps(&self) -> Vec<Conflict> {
        let (a, b) = (self.a, self.b);
        let mut conflicts = Vec::new();
        for (key, table) in &self.set_a.tables {
            if !self.set_b.tables.contains_key(key) {
                continue;
            }
            let shared: Vec<&String> = self
                .set_a
                .columns
                .iter()
                .filter(|((t, _), _)| t == key)
                .filter(|(column_key, _)| self.set_b.columns.contains_key(*column_key))
                .map(|(_, column)| column)
                .collect();
            if shared.is_empty() {
                let explanation = format!(
                    "{a} and {b} both change table {table}: whichever merges second was written against a schema without the other's change; rebase it and check its migration against the merged schema"
                );
                let kind = ConflictKind::SameTable {
                    table: table.clone(),
                };
                conflicts.push(self.conflict(kind, explanation));
            }
            for column in shared {
                let explanation = format!(
                    "{a} and {b} both change column {table}.{column}: the second to merge may fail (the column was renamed or dropped) or undo the first's change (type, default, nullability, index); rebase it and review it again"
                );
                let kind = ConflictKind::SameColumn {
                    table: table.clone(),
                    column: column.clone(),
                };
                conflicts.push(self.conflict(kind, explanation));
            }
        }
        conflicts
    }

    /// Migrations of both PRs with one version (the very same file added by both excepted).
    fn version_collisions(&self) -> Vec<Conflict> {
        let (a, b) = (self.a, self.b);
        let mut conflicts = Vec::new();
        for ma in self.set_a.added.iter().filter(|m| !m.version.is_empty()) {
            for mb in &self.set_b.added {
                let same_version = compare_versions(&ma.version, &mb.version) == Ordering::Equal;
                let same_file = ma.path == mb.path && ma.sql == mb.sql;
                if !same_version || same_file {
                    continue;
                }
                let version = &ma.version;
                let explanation = format!(
                    "{a} adds {} and {b} adds {} with the same version {version}: once both merge, tools that key the history by version (Flyway, golang-migrate, sqlx, goose, Diesel) refuse it or apply only one, and tools that order by name (Prisma) run both in an order neither author tested; renumber one of them",
                    ma.path, mb.path
                );
                let kind = ConflictKind::VersionCollision {
                    version: version.clone(),
                    a_path: ma.path.clone(),
                    b_path: mb.path.clone(),
                };
                conflicts.push(self.conflict(kind, explanation));
            }
        }
        conflicts
    }

    /// An out-of-order conflict when the new versions of both PRs interleave.
    fn interleaving(&self) -> Option<Conflict> {
        let (a, b) = (self.a, self.b);
        let (a_first, a_last) = self.set_a.range_after_base()?;
        let (b_first, b_last) = self.set_b.range_after_base()?;
        let before = |x: &str, y: &str| compare_versions(x, y) == Ordering::Less;
        if !(before(a_first, b_last) && before(b_first, a_last)) {
            return None;
        }
        let (a_range, b_range) = (range_text(a_first, a_last), range_text(b_first, b_last));
        let explanation = format!(
            "{a} adds {a_range} and {b} adds {b_range}: they interleave, so whichever merges second adds a migration that sorts before one the first already shipped; databases migrated in between apply it last, fresh databases in version order (Prisma applies it out of order, Flyway refuses it without outOfOrder); renumber the second PR's migrations after the first merges"
        );
        let kind = ConflictKind::OutOfOrder {
            a_first: a_first.to_owned(),
            a_last: a_last.to_owned(),
            b_first: b_first.to_owned(),
            b_last: b_last.to_owned(),
        };
        Some(self.conflict(kind, explanation))
    }
}

/// `migration 5` or `migrations 3..7`.
fn range_text(first: &str, last: &str) -> String {
    if first == last {
        format!("migration {first}")
    } else {
        format!("migrations {first}..{last}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::detect::DetectOptions;
    use crate::analysis::fileset::FileSet;
    use crate::analysis::pipeline::analyze_change;

    const BASE: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n";

    /// The footprint of a PR adding `files` to a plain `migrations/` history with one migration.
    fn footprint(number: u64, files: &[(&str, &str)]) -> PrFootprint {
        let base: FileSet = [("migrations/001_init.sql", BASE)].into_iter().collect();
        let mut head = base.clone();
        for (path, sql) in files {
            head.insert(format!("migrations/{path}"), *sql);
        }
        let change = analyze_change(&base, &head, &DetectOptions::default());
        let pr = PrId {
            repo: "r".into(),
            number,
        };
        PrFootprint::new(pr, &change.sets)
    }

    fn kinds(conflicts: &[Conflict]) -> Vec<&ConflictKind> {
        conflicts.iter().map(|c| &c.kind).collect()
    }

    #[test]
    fn footprint_reads_tables_columns_versions_and_the_base_latest() {
        let pr = footprint(
            1,
            &[(
                "002_rename.sql",
                "ALTER TABLE users RENAME COLUMN email TO mail;\nCREATE TABLE Posts (id INTEGER);\n",
            )],
        );
        let [set] = pr.sets.as_slice() else {
            panic!("one set: {:?}", pr.sets);
        };
        assert_eq!(set.root, "migrations");
        assert_eq!(set.base_latest.as_deref(), Some("001"));
        assert_eq!(
            set.added
                .iter()
                .map(|m| m.version.as_str())
                .collect::<Vec<_>>(),
            ["002"]
        );
        assert_eq!(set.tables.values().collect::<Vec<_>>(), ["posts", "users"]);
        let columns: Vec<_> = set
            .columns
            .keys()
            .map(|(t, c)| format!("{t}.{c}"))
            .collect();
        assert_eq!(columns, ["users.email", "users.mail"]);
    }

    #[test]
    fn shared_columns_win_over_the_shared_table() {
        let a = footprint(
            1,
            &[("002_a.sql", "ALTER TABLE users ADD COLUMN name TEXT;\n")],
        );
        let b = footprint(
            2,
            &[(
                "003_b.sql",
                "ALTER TABLE USERS RENAME COLUMN Email TO mail;\n",
            )],
        );
        let c = footprint(
            3,
            &[("004_c.sql", "ALTER TABLE users DROP COLUMN email;\n")],
        );
        let conflicts = find_conflicts(&[a, b, c]);
        let table = ConflictKind::SameTable {
            table: "users".into(),
        };
        let column = ConflictKind::SameColumn {
            table: "users".into(),
            column: "email".into(),
        };
        assert_eq!(kinds(&conflicts), [&table, &table, &column]);
        let pairs: Vec<(u64, u64)> = conflicts.iter().map(|c| (c.a.number, c.b.number)).collect();
        assert_eq!(pairs, [(1, 2), (1, 3), (2, 3)]);
        assert!(
            conflicts[2]
                .explanation
                .starts_with("#2 and #3 both change column users.email:")
        );
    }

    #[test]
    fn different_repositories_and_sets_never_conflict() {
        let a = footprint(
            1,
            &[("002_a.sql", "ALTER TABLE users ADD COLUMN name TEXT;\n")],
        );
        let mut b = footprint(
            2,
            &[("003_b.sql", "ALTER TABLE users ADD COLUMN age INT;\n")],
        );
        b.pr.repo = "other".into();
        assert!(find_conflicts(&[a.clone(), b.clone()]).is_empty());
        b.pr.repo = "r".into();
        b.sets[0].root = "db/migrations".into();
        assert!(find_conflicts(&[a, b]).is_empty());
    }

    #[test]
    fn one_version_in_two_prs_collides_unless_it_is_the_same_file() {
        let a = footprint(1, &[("002_a.sql", "CREATE TABLE a (id INT);\n")]);
        let b = footprint(2, &[("0002_b.sql", "CREATE TABLE b (id INT);\n")]);
        let same = footprint(3, &[("002_a.sql", "CREATE TABLE a (id INT);\n")]);
        let conflicts: Vec<Conflict> = find_conflicts(&[a, b, same])
            .into_iter()
            .filter(|c| matches!(c.kind, ConflictKind::VersionCollision { .. }))
            .collect();
        assert_eq!(
            kinds(&conflicts),
            [
                &ConflictKind::VersionCollision {
                    version: "002".into(),
                    a_path: "migrations/002_a.sql".into(),
                    b_path: "migrations/0002_b.sql".into(),
                },
                &ConflictKind::VersionCollision {
                    version: "0002".into(),
                    a_path: "migrations/0002_b.sql".into(),
                    b_path: "migrations/002_a.sql".into(),
                },
            ]
        );
        assert_eq!((conflicts[1].a.number, conflicts[1].b.number), (2, 3));
    }

    #[test]
    fn interleaving_versions_are_out_of_order_and_disjoint_ones_are_not() {
        let a = footprint(
            1,
            &[
                ("010_a.sql", "CREATE TABLE a (id INT);\n"),
                ("030_a.sql", "CREATE TABLE a3 (id INT);\n"),
            ],
        );
        let b = footprint(2, &[("020_b.sql", "CREATE TABLE b (id INT);\n")]);
        let c = footprint(3, &[("040_c.sql", "CREATE TABLE c (id INT);\n")]);
        let conflicts = find_conflicts(&[a, b, c]);
        assert_eq!(
            kinds(&conflicts),
            [&ConflictKind::OutOfOrder {
                a_first: "010".into(),
                a_last: "030".into(),
                b_first: "020".into(),
                b_last: "020".into(),
            }]
        );
        assert!(conflicts[0].explanation.starts_with(
            "#1 adds migrations 010..030 and #2 adds migration 020: they interleave, so whichever merges second"
        ));
    }

    #[test]
    fn migrations_before_the_base_latest_are_left_to_the_history_rule() {
        let mut early = footprint(1, &[("000_early.sql", "CREATE TABLE e (id INT);\n")]);
        early.sets[0].added.push(AddedMigration {
            version: "050".into(),
            path: "migrations/050_late.sql".into(),
            sql: Arc::from(""),
        });
        let b = footprint(2, &[("020_b.sql", "CREATE TABLE b (id INT);\n")]);
        assert!(find_conflicts(&[early, b]).is_empty());
    }
}
