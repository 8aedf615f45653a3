//! Indexes, DROP statements, table renames and enum types.

use sqlparser::ast::{
    AlterIndexOperation, AlterType, AlterTypeAddValuePosition, AlterTypeOperation, CreateIndex,
    ObjectName, ObjectType, RenameTable, UserDefinedTypeRepresentation,
};

use super::names;
use super::{Location, Replayer, SchemaChange};
use crate::analysis::dialect::Dialect;
use crate::analysis::schema::{EnumType, Index, IndexOrigin};

/// The index a CREATE INDEX statement defines (an unnamed one is named `<table>_<cols>_idx`,
/// as Postgres does).
pub(super) fn index_of(dialect: Dialect, table: &str, create: &CreateIndex) -> Index {
    let columns = names::index_columns(dialect, &create.columns);
    Index {
        name: create.name.as_ref().map_or_else(
            || format!("{table}_{}_idx", columns.join("_")),
            |n| names::object(dialect, n),
        ),
        columns,
        unique: create.unique,
        predicate: create.predicate.as_ref().map(ToString::to_string),
        origin: IndexOrigin::Explicit,
    }
}

impl Replayer {
    /// `CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] name ON t (...) [WHERE ...]`.
    pub(super) fn create_index(&mut self, at: &Location, create: &CreateIndex) {
        let table = names::object(self.dialect, &create.table_name);
        let index = index_of(self.dialect, &table, create);
        if self.table(&table).is_none() {
            self.diagnose(
                at,
                format!("CREATE INDEX {}: table {table} does not exist", index.name),
            );
            return;
        }
        if self.table_of_index(None, &index.name).is_some() {
            if !create.if_not_exists {
                self.diagnose(
                    at,
                    format!("CREATE INDEX: index {} already exists", index.name),
                );
            }
            return;
        }
        self.add_index(at, &table, index);
    }

    /// The table holding index `name` (only `table` when given).
    fn table_of_index(&self, table: Option<&str>, name: &str) -> Option<String> {
        self.schema
            .tables
            .iter()
            .filter(|t| table.is_none_or(|only| t.name.eq_ignore_ascii_case(only)))
            .find(|t| t.index(name).is_some())
            .map(|t| t.name.clone())
    }

    /// `DROP INDEX a, b` (optionally `ON t`, MySQL). SQLite and Postgres refuse to drop the
    /// index behind a UNIQUE constraint.
    pub(super) fn drop_indexes(
        &mut self,
        at: &Location,
        index_names: &[String],
        table: Option<&str>,
        if_exists: bool,
    ) {
        for name in index_names {
            let Some(owner) = self.table_of_index(table, name) else {
                if !if_exists {
                    self.diagnose(at, format!("DROP INDEX: index {name} does not exist"));
                }
                continue;
            };
            let backs_constraint = self
                .table(&owner)
                .and_then(|t| t.index(name))
                .is_some_and(|i| i.origin == IndexOrigin::UniqueConstraint);
            if backs_constraint && self.dialect != Dialect::Mysql {
                self.diagnose(
                    at,
                    format!("DROP INDEX {name}: the index belongs to a UNIQUE constraint and the database refuses to drop it"),
                );
                continue;
            }
            self.remove_index(at, &owner, name);
        }
    }

    /// Renames index `from` (of `table`, when known) to `to`.
    pub(super) fn rename_index(
        &mut self,
        at: &Location,
        table: Option<&str>,
        from: &str,
        to: &str,
    ) {
        let Some(owner) = self.table_of_index(table, from) else {
            self.diagnose(at, format!("RENAME INDEX: index {from} does not exist"));
            return;
        };
        let Some(target) = self.table_mut(&owner) else {
            return;
        };
        if let Some(index) = target
            .indexes
            .iter_mut()
            .find(|i| i.name.eq_ignore_ascii_case(from))
        {
            index.name = to.to_string();
        }
        self.emit(
            at,
            SchemaChange::RenameIndex {
                table: owner,
                from: from.to_string(),
                to: to.to_string(),
            },
        );
    }

    /// Postgres `ALTER INDEX a RENAME TO b`.
    pub(super) fn alter_index(
        &mut self,
        at: &Location,
        name: &ObjectName,
        operation: &AlterIndexOperation,
    ) {
        let AlterIndexOperation::RenameIndex { index_name } = operation;
        let from = names::object(self.dialect, name);
        let to = names::object(self.dialect, index_name);
        self.rename_index(at, None, &from, &to);
    }

    /// MySQL `RENAME TABLE a TO b, c TO d`.
    pub(super) fn rename_tables(&mut self, at: &Location, renames: &[RenameTable]) {
        for rename in renames {
            let from = names::object(self.dialect, &rename.old_name);
            let to = names::object(self.dialect, &rename.new_name);
            self.rename_table(at, &from, &to);
        }
    }

    /// `DROP TABLE | INDEX | TYPE ...`; other objects are not modelled.
    pub(super) fn drop_objects(
        &mut self,
        at: &Location,
        object_type: ObjectType,
        object_names: &[ObjectName],
        if_exists: bool,
        cascade: bool,
        table: Option<&ObjectName>,
    ) {
        let dropped: Vec<String> = object_names
            .iter()
            .map(|n| names::object(self.dialect, n))
            .collect();
        match object_type {
            ObjectType::Table => self.drop_tables(at, &dropped, if_exists, cascade),
            ObjectType::Index => {
                let table = table.map(|t| names::object(self.dialect, t));
                self.drop_indexes(at, &dropped, table.as_deref(), if_exists);
            }
            ObjectType::Type => self.drop_enums(at, &dropped, if_exists),
            _ => {}
        }
    }

    /// `DROP TABLE [IF EXISTS] a, b [CASCADE]`. The table's indexes go with it. Other tables'
    /// foreign keys to it: SQLite and MySQL leave them dangling; Postgres refuses without
    /// CASCADE (unless the referencing tables are dropped too) and drops them with it.
    fn drop_tables(&mut self, at: &Location, tables: &[String], if_exists: bool, cascade: bool) {
        for name in tables {
            if self.table(name).is_none() {
                if !if_exists {
                    self.diagnose(at, format!("DROP TABLE: table {name} does not exist"));
                }
                continue;
            }
            if self.dialect == Dialect::Postgres {
                let referencing = self.referencing_tables(name, tables);
                if !referencing.is_empty() && !cascade {
                    self.diagnose(
                        at,
                        format!(
                            "DROP TABLE {name}: Postgres refuses without CASCADE, {} references it",
                            referencing.join(", ")
                        ),
                    );
                    continue;
                }
                self.remove_foreign_keys_where(at, |owner, fk| {
                    !names::contains(tables, owner) && fk.ref_table.eq_ignore_ascii_case(name)
                });
            }
            self.remove_table(at, name);
        }
    }

    /// Tables (other than `name` and those in `excluded`) with a foreign key to `name`.
    fn referencing_tables(&self, name: &str, excluded: &[String]) -> Vec<String> {
        self.schema
            .tables
            .iter()
            .filter(|t| !t.name.eq_ignore_ascii_case(name) && !names::contains(excluded, &t.name))
            .filter(|t| {
                t.foreign_keys
                    .iter()
                    .any(|fk| fk.ref_table.eq_ignore_ascii_case(name))
            })
            .map(|t| t.name.clone())
            .collect()
    }

    /// Removes a table and records a `DropTable`.
    fn remove_table(&mut self, at: &Location, name: &str) {
        if let Some(table) = self.take_table(name) {
            let table = table.name;
            self.emit(at, SchemaChange::DropTable { table });
        }
    }

    /// `CREATE TYPE x AS ENUM (...)` (other kinds of type are not modelled).
    pub(super) fn create_type(
        &mut self,
        at: &Location,
        name: &ObjectName,
        representation: Option<&UserDefinedTypeRepresentation>,
    ) {
        let Some(UserDefinedTypeRepresentation::Enum { labels }) = representation else {
            return;
        };
        let name = names::object(self.dialect, name);
        if self.schema.enum_type(&name).is_some() {
            self.diagnose(at, format!("CREATE TYPE {name}: the type already exists"));
            return;
        }
        let enum_type = EnumType {
            name,
            values: labels.iter().map(|l| l.value.clone()).collect(),
        };
        self.schema.enums.push(enum_type.clone());
        self.emit(at, SchemaChange::CreateEnum { enum_type });
    }

    /// `ALTER TYPE x ADD VALUE | RENAME VALUE | RENAME TO`.
    pub(super) fn alter_type(&mut self, at: &Location, alter: &AlterType) {
        let name = names::object(self.dialect, &alter.name);
        let Some(existing) = self
            .schema
            .enums
            .iter_mut()
            .find(|e| e.name.eq_ignore_ascii_case(&name))
        else {
            self.diagnose(at, format!("ALTER TYPE: enum type {name} does not exist"));
            return;
        };
        let before = existing.clone();
        let problem = change_enum(self.dialect, existing, &alter.operation);
        let after = existing.clone();
        if let Some(problem) = problem {
            self.diagnose(at, format!("ALTER TYPE {name}: {problem}"));
        }
        if before.name != after.name {
            self.retype_columns(&before.name, &after.name);
        }
        if before != after {
            self.emit(at, SchemaChange::AlterEnum { before, after });
        }
    }

    /// Columns of type `from` become of type `to` (an enum type was renamed); a quoted type
    /// name stays quoted.
    fn retype_columns(&mut self, from: &str, to: &str) {
        for column in self
            .schema
            .tables
            .iter_mut()
            .flat_map(|t| t.columns.iter_mut())
            .filter(|c| c.data_type.trim_matches('"').eq_ignore_ascii_case(from))
        {
            column.data_type = if column.data_type.starts_with('"') {
                format!("\"{to}\"")
            } else {
                to.to_string()
            };
        }
    }

    /// `DROP TYPE [IF EXISTS] a, b`.
    fn drop_enums(&mut self, at: &Location, enum_names: &[String], if_exists: bool) {
        for name in enum_names {
            let Some(position) = self
                .schema
                .enums
                .iter()
                .position(|e| e.name.eq_ignore_ascii_case(name))
            else {
                if !if_exists {
                    self.diagnose(at, format!("DROP TYPE: enum type {name} does not exist"));
                }
                continue;
            };
            let name = self.schema.enums.remove(position).name;
            self.emit(at, SchemaChange::DropEnum { name });
        }
    }
}

/// Applies an ALTER TYPE operation to an enum; returns what was wrong, if anything.
fn change_enum(
    dialect: Dialect,
    enum_type: &mut EnumType,
    operation: &AlterTypeOperation,
) -> Option<String> {
    let position_of = |values: &[String], value: &str| values.iter().position(|v| v == value);
    match operation {
        AlterTypeOperation::Rename(rename) => {
            enum_type.name = names::ident(dialect, &rename.new_name);
            None
        }
        AlterTypeOperation::RenameValue(rename) => {
            let Some(position) = position_of(&enum_type.values, &rename.from.value) else {
                return Some(format!("value '{}' does not exist", rename.from.value));
            };
            if let Some(value) = enum_type.values.get_mut(position) {
                *value = rename.to.value.clone();
            }
            None
        }
        AlterTypeOperation::AddValue(add) => {
            let value = add.value.value.clone();
            if position_of(&enum_type.values, &value).is_some() {
                return (!add.if_not_exists).then(|| format!("value '{value}' already exists"));
            }
            let insert_at = match &add.position {
                None => Some(enum_type.values.len()),
                Some(AlterTypeAddValuePosition::Before(anchor)) => {
                    position_of(&enum_type.values, &anchor.value)
                }
                Some(AlterTypeAddValuePosition::After(anchor)) => {
                    position_of(&enum_type.values, &anchor.value).map(|p| p + 1)
                }
            };
            let Some(insert_at) = insert_at else {
                return Some(format!(
                    "the value to place '{value}' next to does not exist"
                ));
            };
            enum_type.values.insert(insert_at, value);
            None
        }
    }
}
