//! Schema edits shared by several statements, each recording its events.

use super::create_table::{ConstraintEffect, implicit_foreign_key_index, set_primary_key};
use super::names;
use super::{Location, Replayer, SchemaChange};
use crate::analysis::dialect::Dialect;
use crate::analysis::schema::{Column, ForeignKey, Index, Table};

impl Replayer {
    /// Whether table `name` exists; if not, records a diagnostic saying `what` could not find it.
    fn existing_table(&mut self, at: &Location, name: &str, what: &str) -> bool {
        if self.table(name).is_some() {
            return true;
        }
        self.diagnose(at, format!("{what}: table {name} does not exist"));
        false
    }

    /// Renames a column of `table`, and the column in this table's indexes and foreign keys
    /// and in other tables' foreign keys that reference it (what SQLite >= 3.26, Postgres and
    /// MySQL do).
    pub(super) fn rename_column(&mut self, at: &Location, table: &str, from: &str, to: &str) {
        let Some(target) = self.table_mut(table) else {
            self.diagnose(
                at,
                format!("RENAME COLUMN {from}: table {table} does not exist"),
            );
            return;
        };
        if target.column(to).is_some() && !from.eq_ignore_ascii_case(to) {
            self.diagnose(
                at,
                format!("RENAME COLUMN {from}: column {table}.{to} already exists"),
            );
            return;
        }
        let Some(column) = target.column_mut(from) else {
            self.diagnose(
                at,
                format!("RENAME COLUMN: column {table}.{from} does not exist"),
            );
            return;
        };
        column.name = to.to_string();
        let table_name = target.name.clone();
        for index in &mut target.indexes {
            rename_in_index(index, from, to);
        }
        for foreign_key in &mut target.foreign_keys {
            names::rename_in(&mut foreign_key.columns, from, to);
        }
        for foreign_key in self.foreign_keys_referencing_mut(&table_name) {
            names::rename_in(&mut foreign_key.ref_columns, from, to);
        }
        self.emit(
            at,
            SchemaChange::RenameColumn {
                table: table_name,
                from: from.to_string(),
                to: to.to_string(),
            },
        );
    }

    /// Every foreign key (of any table) that references `table`.
    fn foreign_keys_referencing_mut(
        &mut self,
        table: &str,
    ) -> impl Iterator<Item = &mut ForeignKey> {
        self.schema
            .tables
            .iter_mut()
            .flat_map(|t| t.foreign_keys.iter_mut())
            .filter(move |fk| fk.ref_table.eq_ignore_ascii_case(table))
    }

    /// Renames a table, updating the foreign keys that reference it.
    pub(super) fn rename_table(&mut self, at: &Location, from: &str, to: &str) {
        if !self.existing_table(at, from, "RENAME TABLE") {
            return;
        }
        if self.table(to).is_some() {
            self.diagnose(
                at,
                format!("RENAME TABLE {from} TO {to}: {to} already exists"),
            );
            return;
        }
        let Some(old_name) = self.rename_table_entry(from, to) else {
            return;
        };
        for foreign_key in self.foreign_keys_referencing_mut(&old_name) {
            foreign_key.ref_table = to.to_string();
        }
        self.emit(
            at,
            SchemaChange::RenameTable {
                from: old_name,
                to: to.to_string(),
            },
        );
    }

    /// Changes one column with `change`, recording an `AlterColumn` when it differs.
    pub(super) fn alter_column(
        &mut self,
        at: &Location,
        table: &str,
        column: &str,
        change: impl FnOnce(&mut Column),
    ) {
        let Some(target) = self.table_mut(table) else {
            self.diagnose(
                at,
                format!("ALTER COLUMN {column}: table {table} does not exist"),
            );
            return;
        };
        let table_name = target.name.clone();
        let Some(existing) = target.column_mut(column) else {
            self.diagnose(
                at,
                format!("ALTER COLUMN: column {table}.{column} does not exist"),
            );
            return;
        };
        let before = existing.clone();
        change(existing);
        let after = existing.clone();
        if before != after {
            self.emit(
                at,
                SchemaChange::AlterColumn {
                    table: table_name,
                    before,
                    after,
                },
            );
        }
    }

    /// Adds an index (or unique constraint) to an existing table whose columns exist.
    pub(super) fn add_index(&mut self, at: &Location, table: &str, index: Index) {
        let Some(target) = self.table_mut(table) else {
            self.diagnose(
                at,
                format!("index {}: table {table} does not exist", index.name),
            );
            return;
        };
        if target.index(&index.name).is_some() {
            self.diagnose(at, format!("index {} already exists", index.name));
            return;
        }
        let missing = index
            .columns
            .iter()
            .find(|c| names::is_plain(c) && target.column(c).is_none());
        if let Some(missing) = missing {
            let message = format!(
                "index {}: column {table}.{missing} does not exist",
                index.name
            );
            self.diagnose(at, message);
            return;
        }
        target.indexes.push(index.clone());
        let table = target.name.clone();
        self.emit(at, SchemaChange::CreateIndex { table, index });
    }

    /// Adds a foreign key to an existing table (and, in MySQL, the index it needs).
    /// An empty referenced-column list means the parent's primary key.
    pub(super) fn add_foreign_key(
        &mut self,
        at: &Location,
        table: &str,
        mut foreign_key: ForeignKey,
    ) {
        if foreign_key.ref_columns.is_empty() {
            foreign_key.ref_columns = self.parent_key(&foreign_key.ref_table);
        }
        let dialect = self.dialect;
        let Some(target) = self.table_mut(table) else {
            self.diagnose(at, format!("ADD FOREIGN KEY: table {table} does not exist"));
            return;
        };
        let implicit_index = implicit_foreign_key_index(dialect, target, &foreign_key);
        target.foreign_keys.push(foreign_key.clone());
        let table_name = target.name.clone();
        self.emit(
            at,
            SchemaChange::AddForeignKey {
                table: table_name,
                foreign_key,
            },
        );
        if let Some(index) = implicit_index {
            self.add_index(at, table, index);
        }
    }

    /// Makes `columns` the primary key of `table`, recording the columns that change.
    pub(super) fn add_primary_key(&mut self, at: &Location, table: &str, columns: &[String]) {
        self.change_columns(at, table, |dialect, t| set_primary_key(dialect, t, columns));
    }

    /// Removes the primary key of `table`, recording the columns that change.
    pub(super) fn drop_primary_key(&mut self, at: &Location, table: &str) {
        self.change_columns(at, table, |_, t| {
            t.columns.iter_mut().for_each(|c| c.primary_key = false)
        });
    }

    /// Applies `change` to a table's columns and records an `AlterColumn` per changed column.
    fn change_columns(
        &mut self,
        at: &Location,
        table: &str,
        change: impl FnOnce(Dialect, &mut Table),
    ) {
        let dialect = self.dialect;
        let Some(target) = self.table_mut(table) else {
            self.diagnose(at, format!("PRIMARY KEY: table {table} does not exist"));
            return;
        };
        let before = target.columns.clone();
        change(dialect, target);
        let table_name = target.name.clone();
        let changed: Vec<(Column, Column)> = before
            .into_iter()
            .zip(target.columns.iter().cloned())
            .filter(|(b, a)| b != a)
            .collect();
        for (before, after) in changed {
            let table = table_name.clone();
            self.emit(
                at,
                SchemaChange::AlterColumn {
                    table,
                    before,
                    after,
                },
            );
        }
    }

    /// Applies a table constraint added by ALTER TABLE.
    pub(super) fn add_constraint(&mut self, at: &Location, table: &str, effect: ConstraintEffect) {
        match effect {
            ConstraintEffect::Index(index) => self.add_index(at, table, index),
            ConstraintEffect::ForeignKey(foreign_key) => {
                self.add_foreign_key(at, table, foreign_key)
            }
            ConstraintEffect::PrimaryKey(columns) => self.add_primary_key(at, table, &columns),
            ConstraintEffect::Nothing => {}
        }
    }

    /// Removes the index `name` of `table`, recording a `DropIndex`. Returns whether it existed.
    pub(super) fn remove_index(&mut self, at: &Location, table: &str, name: &str) -> bool {
        let Some(target) = self.table_mut(table) else {
            return false;
        };
        let Some(position) = target
            .indexes
            .iter()
            .position(|i| i.name.eq_ignore_ascii_case(name))
        else {
            return false;
        };
        let index = target.indexes.remove(position);
        let table = target.name.clone();
        self.emit(at, SchemaChange::DropIndex { table, index });
        true
    }

    /// Removes the foreign key `name` of `table`, recording a `DropForeignKey`. Returns whether
    /// it existed.
    pub(super) fn remove_foreign_key(&mut self, at: &Location, table: &str, name: &str) -> bool {
        let Some(target) = self.table_mut(table) else {
            return false;
        };
        let Some(position) = target.foreign_keys.iter().position(|fk| {
            fk.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        }) else {
            return false;
        };
        let foreign_key = target.foreign_keys.remove(position);
        let table = target.name.clone();
        self.emit(at, SchemaChange::DropForeignKey { table, foreign_key });
        true
    }

    /// Removes, in one pass over the schema, the foreign keys that `doomed` selects (it is
    /// given the owning table's name), recording each.
    pub(super) fn remove_foreign_keys_where(
        &mut self,
        at: &Location,
        doomed: impl Fn(&str, &ForeignKey) -> bool,
    ) {
        let mut removed = Vec::new();
        for table in &mut self.schema.tables {
            if !table.foreign_keys.iter().any(|fk| doomed(&table.name, fk)) {
                continue;
            }
            let (gone, kept) = std::mem::take(&mut table.foreign_keys)
                .into_iter()
                .partition::<Vec<_>, _>(|fk| doomed(&table.name, fk));
            table.foreign_keys = kept;
            removed.extend(gone.into_iter().map(|fk| (table.name.clone(), fk)));
        }
        for (table, foreign_key) in removed {
            self.emit(at, SchemaChange::DropForeignKey { table, foreign_key });
        }
    }

    /// Removes the indexes of `table` that `doomed` selects, recording each.
    pub(super) fn remove_indexes_where(
        &mut self,
        at: &Location,
        table: &str,
        doomed: impl Fn(&Index) -> bool,
    ) {
        let Some(target) = self.table_mut(table) else {
            return;
        };
        if !target.indexes.iter().any(&doomed) {
            return;
        }
        let (removed, kept) = std::mem::take(&mut target.indexes)
            .into_iter()
            .partition::<Vec<_>, _>(|i| doomed(i));
        target.indexes = kept;
        let table = target.name.clone();
        for index in removed {
            let table = table.clone();
            self.emit(at, SchemaChange::DropIndex { table, index });
        }
    }
}

/// Renames column `from` to `to` wherever an index mentions it: its columns, expressions and
/// partial-index predicate.
fn rename_in_index(index: &mut Index, from: &str, to: &str) {
    for column in &mut index.columns {
        *column = if names::is_plain(column) {
            if column.eq_ignore_ascii_case(from) {
                to.to_string()
            } else {
                std::mem::take(column)
            }
        } else {
            names::rename_in_sql(column, from, to)
        };
    }
    if let Some(predicate) = &mut index.predicate {
        *predicate = names::rename_in_sql(predicate, from, to);
    }
}

/// Whether an index uses a column: as a column, in an expression or in its predicate.
pub(super) fn index_uses(index: &Index, column: &str) -> bool {
    let in_columns = index.columns.iter().any(|c| {
        if names::is_plain(c) {
            c.eq_ignore_ascii_case(column)
        } else {
            names::mentions(c, column)
        }
    });
    let in_predicate = index
        .predicate
        .as_deref()
        .is_some_and(|p| names::mentions(p, column));
    in_columns || in_predicate
}
