//! Diff two schemas (and the text of changed migration files).
//!
//! OWNER: cascade/diff helper. Public types below are the shared interface; keep them stable.

use serde::Serialize;

use super::fileset::FileSet;
use super::replay::SchemaEvent;
use super::schema::{Column, ForeignKey, Index, Schema};

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

/// A foreign key whose actions changed (same columns and parent).
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
    pub columns_added: Vec<Column>,
    pub columns_removed: Vec<Column>,
    /// (base name, head name).
    pub columns_renamed: Vec<(String, String)>,
    pub columns_changed: Vec<ColumnChange>,
    pub indexes_added: Vec<Index>,
    pub indexes_removed: Vec<Index>,
    pub foreign_keys_added: Vec<ForeignKey>,
    pub foreign_keys_removed: Vec<ForeignKey>,
    pub foreign_keys_changed: Vec<ForeignKeyChange>,
}

/// The difference between two schemas.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SchemaDiff {
    /// Tables only at head (full definitions).
    pub tables_added: Vec<crate::analysis::schema::Table>,
    /// Tables only at base (full definitions).
    pub tables_removed: Vec<crate::analysis::schema::Table>,
    /// Tables at both (possibly renamed) that differ.
    pub tables_changed: Vec<TableDiff>,
}

/// Diffs `base` against `head`. Renames are taken from `head_events` (the PR's replay events:
/// `RenameTable`, `RenameColumn`), since a schema alone cannot tell a rename from drop + add.
pub fn diff_schemas(base: &Schema, head: &Schema, head_events: &[SchemaEvent]) -> SchemaDiff {
    let _ = (base, head, head_events);
    todo!("diff helper")
}

/// How a file changed between base and head.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    Added,
    Removed,
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
    pub path: String,
    pub status: FileStatus,
    /// Lines of the unified diff (3 lines of context), hunks in order.
    pub lines: Vec<DiffLine>,
}

/// Text diffs of `paths` between base and head (files equal on both sides are left out).
pub fn diff_files<'a>(
    base: &FileSet,
    head: &FileSet,
    paths: impl IntoIterator<Item = &'a str>,
) -> Vec<FileDiff> {
    let _ = (base, head, paths.into_iter().count());
    todo!("diff helper")
}
