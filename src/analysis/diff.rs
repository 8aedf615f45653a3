//! Diff two schemas (and the text of changed migration files).

mod renames;
mod text;

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::fileset::FileSet;
use super::replay::SchemaEvent;
use super::schema::{Column, ForeignKey, Index, Schema, Table, same_name};
use renames::Renames;

/// A column whose definition changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ColumnChange {
    /// Column name (at head).
    pub name: String,
    /// Definition at base.
    pub before: Column,
    /// Definition at head.
    pub after: Column,
}

/// A foreign key whose actions or parent columns changed (same columns and parent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ForeignKeyChange {
    /// At base.
    pub before: ForeignKey,
    /// At head.
    pub after: ForeignKey,
}

/// Changes inside one table present at both base and head.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TableDiff {
    /// Table name at head.
    pub table: String,
    /// Table name at base when it was renamed.
    pub renamed_from: Option<String>,
    /// Columns only at head.
    pub columns_added: Vec<Column>,
    /// Columns only at base.
    pub columns_removed: Vec<Column>,
    /// (base name, head name).
    pub columns_renamed: Vec<(String, String)>,
    /// Columns (renamed or not) whose type, nullability, default or primary-key membership changed.
    pub columns_changed: Vec<ColumnChange>,
    /// Indexes only at head (an index whose definition changed is removed and added).
    pub indexes_added: Vec<Index>,
    /// Indexes only at base.
    pub indexes_removed: Vec<Index>,
    /// Foreign keys only at head.
    pub foreign_keys_added: Vec<ForeignKey>,
    /// Foreign keys only at base.
    pub foreign_keys_removed: Vec<ForeignKey>,
    /// Foreign keys on the same columns and parent whose actions or parent columns changed.
    pub foreign_keys_changed: Vec<ForeignKeyChange>,
}

/// The difference between two schemas.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SchemaDiff {
    /// Tables only at head (full definitions).
    pub tables_added: Vec<Table>,
    /// Tables only at base (full definitions).
    pub tables_removed: Vec<Table>,
    /// Tables at both (possibly renamed) that differ.
    pub tables_changed: Vec<TableDiff>,
}

/// Diffs `base` against `head`. Renames are taken from `head_events` (the PR's replay events:
/// `RenameTable`, `RenameColumn`), since a schema alone cannot tell a rename from drop + add.
///
/// Renamed tables and columns are matched across (chains `a -> b -> c` included); everything
/// else is matched by name, ASCII case-insensitively. Indexes and foreign keys of base are
/// compared in head's names (renamed columns and tables translated), so a rename alone does not
/// show them as changed. Tables come in head order (removed ones in base order), and so do the
/// items inside a table.
pub fn diff_schemas(base: &Schema, head: &Schema, head_events: &[SchemaEvent]) -> SchemaDiff {
    let renames = Renames::from_events(base, head_events);
    let mut matching = Matching::new(base.tables.len(), head.tables.len());
    matching.pair_by(&base.tables, &head.tables, |b, h| {
        renames
            .of_base_table(&b.name)
            .is_some_and(|lineage| same_name(&lineage.head, &h.name))
    });
    matching.pair_by(&base.tables, &head.tables, |b, h| {
        same_name(&b.name, &h.name)
    });
    let translation = Translation::new(base, head, &renames, &matching.pairs);
    let tables_changed = matching
        .matched(&base.tables, &head.tables)
        .map(|(before, after)| diff_table(before, after, &translation))
        .filter(TableDiff::has_changes)
        .collect();
    SchemaDiff {
        tables_added: matching.unmatched_right(&head.tables).cloned().collect(),
        tables_removed: matching.unmatched_left(&base.tables).cloned().collect(),
        tables_changed,
    }
}

impl TableDiff {
    /// Whether anything differs (a rename alone counts).
    pub fn has_changes(&self) -> bool {
        self.renamed_from.is_some()
            || !self.columns_added.is_empty()
            || !self.columns_removed.is_empty()
            || !self.columns_renamed.is_empty()
            || !self.columns_changed.is_empty()
            || !self.indexes_added.is_empty()
            || !self.indexes_removed.is_empty()
            || !self.foreign_keys_added.is_empty()
            || !self.foreign_keys_removed.is_empty()
            || !self.foreign_keys_changed.is_empty()
    }
}

/// A one-to-one matching between a base list and a head list, built in passes.
struct Matching {
    left_taken: Vec<bool>,
    right_taken: Vec<bool>,
    /// (base index, head index), in head order.
    pairs: Vec<(usize, usize)>,
}

impl Matching {
    fn new(left: usize, right: usize) -> Self {
        Matching {
            left_taken: vec![false; left],
            right_taken: vec![false; right],
            pairs: Vec::new(),
        }
    }

    /// Pairs each unmatched head item with the first unmatched base item `matches` accepts.
    fn pair_by<L, R>(&mut self, left: &[L], right: &[R], matches: impl Fn(&L, &R) -> bool) {
        for (r, right_item) in right.iter().enumerate() {
            if self.right_taken.get(r).copied().unwrap_or(true) {
                continue;
            }
            let found = left.iter().enumerate().position(|(l, left_item)| {
                !self.left_taken.get(l).copied().unwrap_or(true) && matches(left_item, right_item)
            });
            if let Some(l) = found {
                self.take(l, r);
            }
        }
        self.pairs.sort_by_key(|&(_, r)| r);
    }

    fn take(&mut self, left: usize, right: usize) {
        if let (Some(l), Some(r)) = (
            self.left_taken.get_mut(left),
            self.right_taken.get_mut(right),
        ) {
            *l = true;
            *r = true;
            self.pairs.push((left, right));
        }
    }

    fn unmatched_left<'a, T>(&'a self, left: &'a [T]) -> impl Iterator<Item = &'a T> + 'a {
        unmatched(left, &self.left_taken)
    }

    fn unmatched_right<'a, T>(&'a self, right: &'a [T]) -> impl Iterator<Item = &'a T> + 'a {
        unmatched(right, &self.right_taken)
    }

    /// The matched pairs as items, in head order.
    fn matched<'a, L, R>(
        &'a self,
        left: &'a [L],
        right: &'a [R],
    ) -> impl Iterator<Item = (&'a L, &'a R)> + 'a {
        self.pairs
            .iter()
            .filter_map(|&(l, r)| Some((left.get(l)?, right.get(r)?)))
    }
}

fn unmatched<'a, T>(items: &'a [T], taken: &'a [bool]) -> impl Iterator<Item = &'a T> + 'a {
    items
        .iter()
        .zip(taken)
        .filter(|(_, taken)| !**taken)
        .map(|(item, _)| item)
}

/// Base names in head terms: tables matched across (renamed or not) and their renamed columns.
struct Translation {
    /// Lowercased base table name -> head table name.
    tables: HashMap<String, String>,
    /// Lowercased base table name -> lowercased base column -> head column name.
    columns: HashMap<String, HashMap<String, String>>,
}

impl Translation {
    fn new(base: &Schema, head: &Schema, renames: &Renames, pairs: &[(usize, usize)]) -> Self {
        let mut translation = Translation {
            tables: HashMap::new(),
            columns: HashMap::new(),
        };
        for &(b, h) in pairs {
            let (Some(before), Some(after)) = (base.tables.get(b), head.tables.get(h)) else {
                continue;
            };
            let key = before.name.to_ascii_lowercase();
            let columns = renamed_columns(before, after, renames)
                .into_iter()
                .map(|(from, to)| (from.to_ascii_lowercase(), to))
                .collect();
            translation.tables.insert(key.clone(), after.name.clone());
            translation.columns.insert(key, columns);
        }
        translation
    }

    fn table(&self, base_table: &str) -> String {
        self.tables
            .get(&base_table.to_ascii_lowercase())
            .cloned()
            .unwrap_or_else(|| base_table.to_string())
    }

    /// The head name of a renamed base column.
    fn renamed_column(&self, base_table: &str, column: &str) -> Option<&str> {
        self.columns
            .get(&base_table.to_ascii_lowercase())?
            .get(&column.to_ascii_lowercase())
            .map(String::as_str)
    }

    fn column(&self, base_table: &str, column: &str) -> String {
        self.renamed_column(base_table, column)
            .unwrap_or(column)
            .to_string()
    }

    fn columns(&self, base_table: &str, columns: &[String]) -> Vec<String> {
        columns.iter().map(|c| self.column(base_table, c)).collect()
    }

    /// `index` of base table `table` with its columns in head names.
    fn index(&self, table: &str, index: &Index) -> Index {
        Index {
            columns: self.columns(table, &index.columns),
            ..index.clone()
        }
    }

    /// `fk` of base table `table` with its columns, parent and parent columns in head names.
    fn foreign_key(&self, table: &str, fk: &ForeignKey) -> ForeignKey {
        ForeignKey {
            columns: self.columns(table, &fk.columns),
            ref_table: self.table(&fk.ref_table),
            ref_columns: self.columns(&fk.ref_table, &fk.ref_columns),
            ..fk.clone()
        }
    }
}

/// The column renames of a matched table pair whose both ends exist: (base name, head name)
/// as declared.
fn renamed_columns(before: &Table, after: &Table, renames: &Renames) -> Vec<(String, String)> {
    let Some(lineage) = renames.of_base_table(&before.name) else {
        return Vec::new();
    };
    lineage
        .columns
        .iter()
        .filter(|(from, to)| !same_name(from, to))
        .filter_map(|(from, to)| {
            Some((
                before.column(from)?.name.clone(),
                after.column(to)?.name.clone(),
            ))
        })
        .collect()
}

fn diff_table(before: &Table, after: &Table, translation: &Translation) -> TableDiff {
    let mut diff = TableDiff {
        table: after.name.clone(),
        renamed_from: (!same_name(&before.name, &after.name)).then(|| before.name.clone()),
        ..TableDiff::default()
    };
    diff_columns(before, after, translation, &mut diff);
    diff_indexes(before, after, translation, &mut diff);
    diff_foreign_keys(before, after, translation, &mut diff);
    diff
}

fn diff_columns(before: &Table, after: &Table, translation: &Translation, diff: &mut TableDiff) {
    let mut matching = Matching::new(before.columns.len(), after.columns.len());
    matching.pair_by(&before.columns, &after.columns, |b, a| {
        translation
            .renamed_column(&before.name, &b.name)
            .is_some_and(|to| same_name(to, &a.name))
    });
    matching.pair_by(&before.columns, &after.columns, |b, a| {
        same_name(&b.name, &a.name)
    });
    for (old, new) in matching.matched(&before.columns, &after.columns) {
        if !same_name(&old.name, &new.name) {
            diff.columns_renamed
                .push((old.name.clone(), new.name.clone()));
        }
        if !same_definition(old, new) {
            diff.columns_changed.push(ColumnChange {
                name: new.name.clone(),
                before: old.clone(),
                after: new.clone(),
            });
        }
    }
    diff.columns_added = matching.unmatched_right(&after.columns).cloned().collect();
    diff.columns_removed = matching.unmatched_left(&before.columns).cloned().collect();
}

/// Whether two columns have the same type (case-insensitively), nullability, default and
/// primary-key membership.
fn same_definition(a: &Column, b: &Column) -> bool {
    a.data_type.eq_ignore_ascii_case(&b.data_type)
        && a.nullable == b.nullable
        && a.default == b.default
        && a.primary_key == b.primary_key
}

fn diff_indexes(before: &Table, after: &Table, translation: &Translation, diff: &mut TableDiff) {
    let translated: Vec<Index> = before
        .indexes
        .iter()
        .map(|i| translation.index(&before.name, i))
        .collect();
    let mut matching = Matching::new(translated.len(), after.indexes.len());
    matching.pair_by(&translated, &after.indexes, same_index);
    diff.indexes_added = matching.unmatched_right(&after.indexes).cloned().collect();
    diff.indexes_removed = matching.unmatched_left(&before.indexes).cloned().collect();
}

/// Same name and definition (columns, uniqueness, predicate, origin).
fn same_index(a: &Index, b: &Index) -> bool {
    same_name(&a.name, &b.name)
        && same_names(&a.columns, &b.columns)
        && a.unique == b.unique
        && a.predicate == b.predicate
        && a.origin == b.origin
}

fn diff_foreign_keys(
    before: &Table,
    after: &Table,
    translation: &Translation,
    diff: &mut TableDiff,
) {
    let translated: Vec<ForeignKey> = before
        .foreign_keys
        .iter()
        .map(|fk| translation.foreign_key(&before.name, fk))
        .collect();
    let mut matching = Matching::new(translated.len(), after.foreign_keys.len());
    matching.pair_by(&translated, &after.foreign_keys, same_foreign_key);
    let unchanged: Vec<(usize, usize)> = matching.pairs.clone();
    matching.pair_by(&translated, &after.foreign_keys, same_fk_target);
    diff.foreign_keys_changed = matching
        .pairs
        .iter()
        .filter(|pair| !unchanged.contains(pair))
        .filter_map(|&(b, a)| {
            Some(ForeignKeyChange {
                before: before.foreign_keys.get(b)?.clone(),
                after: after.foreign_keys.get(a)?.clone(),
            })
        })
        .collect();
    diff.foreign_keys_added = matching
        .unmatched_right(&after.foreign_keys)
        .cloned()
        .collect();
    diff.foreign_keys_removed = matching
        .unmatched_left(&before.foreign_keys)
        .cloned()
        .collect();
}

/// Same referencing columns and parent table.
fn same_fk_target(a: &ForeignKey, b: &ForeignKey) -> bool {
    same_names(&a.columns, &b.columns) && same_name(&a.ref_table, &b.ref_table)
}

/// Same target, parent columns, actions and enforcement (the constraint name is not compared).
fn same_foreign_key(a: &ForeignKey, b: &ForeignKey) -> bool {
    same_fk_target(a, b)
        && same_names(&a.ref_columns, &b.ref_columns)
        && a.on_delete == b.on_delete
        && a.on_update == b.on_update
        && a.enforcement == b.enforcement
}

fn same_names(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_name(x, y))
}

/// How a file changed between base and head.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    /// Only at head.
    Added,
    /// Only at base.
    Removed,
    /// At both, with different contents.
    Modified,
}

/// One line of a text diff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    /// `' '` context, `'-'` removed, `'+'` added.
    pub tag: char,
    /// 1-based line at base (context and removed lines).
    pub old_line: Option<usize>,
    /// 1-based line at head (context and added lines).
    pub new_line: Option<usize>,
    /// Line text without the newline.
    pub text: String,
}

/// The text diff of one migration file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileDiff {
    /// Repository-relative path.
    pub path: String,
    /// Whether the file was added, removed or modified.
    pub status: FileStatus,
    /// Lines of the unified diff (3 lines of context), hunks in order.
    pub lines: Vec<DiffLine>,
}

/// Text diffs of `paths` between base and head, in the order given (files equal on both sides
/// or absent from both are left out; a path given twice is diffed once).
pub fn diff_files<'a>(
    base: &FileSet,
    head: &FileSet,
    paths: impl IntoIterator<Item = &'a str>,
) -> Vec<FileDiff> {
    let mut seen = HashSet::new();
    paths
        .into_iter()
        .filter(|path| seen.insert(*path))
        .filter_map(|path| text::file_diff(path, base.get(path), head.get(path)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::replay::{Location, SchemaChange};
    use crate::analysis::schema::{IndexOrigin, ReferentialAction};

    fn column(name: &str, data_type: &str) -> Column {
        Column {
            name: name.into(),
            data_type: data_type.into(),
            nullable: true,
            ..Column::default()
        }
    }

    fn index(name: &str, columns: &[&str]) -> Index {
        Index {
            name: name.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            ..Index::default()
        }
    }

    fn fk(
        columns: &[&str],
        parent: &str,
        ref_columns: &[&str],
        on_delete: ReferentialAction,
    ) -> ForeignKey {
        ForeignKey {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            ref_table: parent.into(),
            ref_columns: ref_columns.iter().map(|c| c.to_string()).collect(),
            on_delete,
            ..ForeignKey::default()
        }
    }

    /// `users(id, email)` with an index on email, and `posts(id, author_id -> users.id)`.
    fn base() -> Schema {
        Schema {
            tables: vec![
                Table {
                    schema: None,
                    name: "users".into(),
                    columns: vec![column("id", "INTEGER"), column("email", "TEXT")],
                    indexes: vec![index("users_email_idx", &["email"])],
                    foreign_keys: Vec::new(),
                },
                Table {
                    schema: None,
                    name: "posts".into(),
                    columns: vec![column("id", "INTEGER"), column("author_id", "INTEGER")],
                    indexes: Vec::new(),
                    foreign_keys: vec![fk(
                        &["author_id"],
                        "users",
                        &["id"],
                        ReferentialAction::Cascade,
                    )],
                },
            ],
            enums: Vec::new(),
        }
    }

    fn table_mut<'a>(schema: &'a mut Schema, name: &str) -> &'a mut Table {
        schema
            .table_mut(name)
            .unwrap_or_else(|| panic!("no table {name}"))
    }

    fn event(change: SchemaChange) -> SchemaEvent {
        SchemaEvent {
            at: Location {
                file: "prisma/migrations/1_x/migration.sql".into(),
                line: 1,
            },
            change,
        }
    }

    fn rename_table(from: &str, to: &str) -> SchemaEvent {
        event(SchemaChange::RenameTable {
            from: from.into(),
            to: to.into(),
        })
    }

    fn rename_column(table: &str, from: &str, to: &str) -> SchemaEvent {
        event(SchemaChange::RenameColumn {
            table: table.into(),
            from: from.into(),
            to: to.into(),
        })
    }

    fn only_change(diff: &SchemaDiff) -> &TableDiff {
        assert!(
            diff.tables_added.is_empty() && diff.tables_removed.is_empty(),
            "{diff:#?}"
        );
        assert_eq!(diff.tables_changed.len(), 1, "{diff:#?}");
        &diff.tables_changed[0]
    }

    #[test]
    fn identical_schemas_have_an_empty_diff() {
        assert_eq!(diff_schemas(&base(), &base(), &[]), SchemaDiff::default());
    }

    #[test]
    fn tables_added_and_removed_keep_their_definitions() {
        let mut head = base();
        let posts = head.tables.remove(1);
        head.tables.push(Table {
            name: "tags".into(),
            ..Table::default()
        });
        let diff = diff_schemas(&base(), &head, &[]);
        assert_eq!(diff.tables_removed, [posts]);
        assert_eq!(diff.tables_added.len(), 1);
        assert_eq!(diff.tables_added[0].name, "tags");
        assert!(diff.tables_changed.is_empty());
    }

    #[test]
    fn column_additions_removals_and_each_kind_of_change() {
        let mut head = base();
        let users = table_mut(&mut head, "USERS");
        users.columns[0].primary_key = true;
        users.columns[1].nullable = false;
        users.columns.push(column("name", "TEXT"));
        let posts = table_mut(&mut head, "posts");
        posts.columns[1].data_type = "BIGINT".into();
        posts.columns[0].default = Some("0".into());
        let mut trimmed = base();
        table_mut(&mut trimmed, "users")
            .columns
            .push(column("legacy", "text"));
        let diff = diff_schemas(&trimmed, &head, &[]);
        let [users, posts] = diff.tables_changed.as_slice() else {
            panic!("{diff:#?}")
        };
        assert_eq!(users.columns_added, [column("name", "TEXT")]);
        assert_eq!(users.columns_removed, [column("legacy", "text")]);
        let changed: Vec<&str> = users
            .columns_changed
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(changed, ["id", "email"]);
        assert!(!users.columns_changed[1].after.nullable);
        let changed: Vec<&str> = posts
            .columns_changed
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(changed, ["id", "author_id"]);
        assert_eq!(posts.columns_changed[1].before.data_type, "INTEGER");
    }

    #[test]
    fn type_case_alone_is_not_a_change() {
        let mut head = base();
        table_mut(&mut head, "users").columns[1].data_type = "text".into();
        assert!(diff_schemas(&base(), &head, &[]).tables_changed.is_empty());
    }

    #[test]
    fn changed_index_is_removed_and_added() {
        let mut head = base();
        let users = table_mut(&mut head, "users");
        users.indexes[0].unique = true;
        users.indexes.push(Index {
            origin: IndexOrigin::UniqueConstraint,
            ..index("users_id_key", &["id"])
        });
        let diff = diff_schemas(&base(), &head, &[]);
        let users = only_change(&diff);
        assert_eq!(users.indexes_removed, base().tables[0].indexes);
        let added: Vec<&str> = users
            .indexes_added
            .iter()
            .map(|i| i.name.as_str())
            .collect();
        assert_eq!(added, ["users_email_idx", "users_id_key"]);
    }

    #[test]
    fn foreign_keys_added_removed_and_changed() {
        let mut head = base();
        let posts = table_mut(&mut head, "posts");
        posts.foreign_keys[0].on_delete = ReferentialAction::SetNull;
        posts.columns.push(column("editor_id", "INTEGER"));
        posts.foreign_keys.push(fk(
            &["editor_id"],
            "users",
            &["id"],
            ReferentialAction::NoAction,
        ));
        let diff = diff_schemas(&base(), &head, &[]);
        let posts = only_change(&diff);
        assert_eq!(posts.foreign_keys_changed.len(), 1);
        assert_eq!(
            posts.foreign_keys_changed[0].before.on_delete,
            ReferentialAction::Cascade
        );
        assert_eq!(
            posts.foreign_keys_changed[0].after.on_delete,
            ReferentialAction::SetNull
        );
        assert_eq!(posts.foreign_keys_added.len(), 1);
        assert_eq!(posts.foreign_keys_added[0].columns, ["editor_id"]);
        assert!(posts.foreign_keys_removed.is_empty());
    }

    #[test]
    fn foreign_key_to_another_parent_is_removed_and_added() {
        let mut head = base();
        table_mut(&mut head, "posts").foreign_keys[0].ref_table = "posts".into();
        let diff = diff_schemas(&base(), &head, &[]);
        let posts = only_change(&diff);
        assert!(posts.foreign_keys_changed.is_empty());
        assert_eq!(posts.foreign_keys_removed.len(), 1);
        assert_eq!(posts.foreign_keys_added.len(), 1);
    }

    #[test]
    fn foreign_key_with_new_parent_columns_is_changed() {
        let mut head = base();
        table_mut(&mut head, "posts").foreign_keys[0].ref_columns = vec!["email".into()];
        let diff = diff_schemas(&base(), &head, &[]);
        assert_eq!(only_change(&diff).foreign_keys_changed.len(), 1);
    }

    #[test]
    fn renamed_table_is_matched_and_references_follow_it() {
        let mut head = base();
        table_mut(&mut head, "users").name = "accounts".into();
        table_mut(&mut head, "posts").foreign_keys[0].ref_table = "accounts".into();
        let without_events = diff_schemas(&base(), &head, &[]);
        assert_eq!(without_events.tables_added.len(), 1);
        assert_eq!(without_events.tables_removed.len(), 1);

        let diff = diff_schemas(&base(), &head, &[rename_table("users", "accounts")]);
        let accounts = only_change(&diff);
        assert_eq!(accounts.table, "accounts");
        assert_eq!(accounts.renamed_from.as_deref(), Some("users"));
        assert_eq!(
            TableDiff {
                table: "accounts".into(),
                renamed_from: Some("users".into()),
                ..TableDiff::default()
            },
            *accounts
        );
    }

    #[test]
    fn renamed_column_is_only_renamed_unless_its_definition_changed() {
        let mut head = base();
        let users = table_mut(&mut head, "users");
        users.columns[0].name = "user_id".into();
        users.columns[1].name = "mail".into();
        users.columns[1].nullable = false;
        users.indexes[0].columns = vec!["mail".into()];
        table_mut(&mut head, "posts").foreign_keys[0].ref_columns = vec!["user_id".into()];
        let events = [
            rename_column("users", "id", "user_id"),
            rename_column("users", "email", "mail"),
        ];
        let diff = diff_schemas(&base(), &head, &events);
        let users = only_change(&diff);
        assert_eq!(
            users.columns_renamed,
            [
                ("id".to_string(), "user_id".to_string()),
                ("email".into(), "mail".into())
            ]
        );
        assert_eq!(users.columns_changed.len(), 1);
        assert_eq!(users.columns_changed[0].name, "mail");
        assert!(users.columns_added.is_empty() && users.columns_removed.is_empty());
        assert!(users.indexes_added.is_empty() && users.indexes_removed.is_empty());
    }

    #[test]
    fn rename_chains_are_followed() {
        let mut head = base();
        let users = table_mut(&mut head, "users");
        users.name = "people".into();
        users.columns[1].name = "e_mail".into();
        users.indexes[0].columns = vec!["e_mail".into()];
        table_mut(&mut head, "posts").foreign_keys[0].ref_table = "people".into();
        let events = [
            rename_table("users", "members"),
            rename_column("members", "email", "mail"),
            rename_table("members", "people"),
            rename_column("people", "mail", "e_mail"),
        ];
        let diff = diff_schemas(&base(), &head, &events);
        let people = only_change(&diff);
        assert_eq!(people.renamed_from.as_deref(), Some("users"));
        assert_eq!(
            people.columns_renamed,
            [("email".to_string(), "e_mail".to_string())]
        );
        assert!(people.columns_changed.is_empty() && people.indexes_added.is_empty());
    }

    #[test]
    fn rename_into_a_dropped_columns_name_drops_the_old_one() {
        let mut head = base();
        let users = table_mut(&mut head, "users");
        users.columns.remove(1);
        users.columns[0].name = "email".into();
        users.indexes.clear();
        let diff = diff_schemas(&base(), &head, &[rename_column("users", "id", "email")]);
        let users = diff
            .tables_changed
            .iter()
            .find(|t| t.table == "users")
            .unwrap_or_else(|| panic!("{diff:#?}"));
        assert_eq!(
            users.columns_renamed,
            [("id".to_string(), "email".to_string())]
        );
        assert_eq!(users.columns_removed, [column("email", "TEXT")]);
        assert!(users.columns_changed.is_empty() && users.columns_added.is_empty());
    }

    #[test]
    fn file_diffs_skip_unchanged_and_repeated_paths() {
        let base: FileSet = [("a.sql", "x\n"), ("b.sql", "same\n"), ("c.sql", "gone\n")]
            .into_iter()
            .collect();
        let head: FileSet = [("a.sql", "y\n"), ("b.sql", "same\n"), ("d.sql", "new\n")]
            .into_iter()
            .collect();
        let diffs = diff_files(
            &base,
            &head,
            ["d.sql", "a.sql", "b.sql", "c.sql", "a.sql", "zz.sql"],
        );
        let summary: Vec<(&str, FileStatus, usize)> = diffs
            .iter()
            .map(|d| (d.path.as_str(), d.status, d.lines.len()))
            .collect();
        assert_eq!(
            summary,
            [
                ("d.sql", FileStatus::Added, 1),
                ("a.sql", FileStatus::Modified, 2),
                ("c.sql", FileStatus::Removed, 1),
            ]
        );
    }
}
