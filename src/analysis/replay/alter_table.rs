//! ALTER TABLE: every operation of the three dialects.

use sqlparser::ast::{
    AlterColumnOperation, AlterTable, AlterTableOperation, ColumnDef, ColumnOption, DataType,
    DropBehavior, Ident, RenameTableNameKind,
};

use super::create_table::{ColumnDefinition, column_definition, constraint_effect};
use super::mutate::index_uses;
use super::names;
use super::{Location, Replayer, SchemaChange};
use crate::analysis::dialect::Dialect;
use crate::analysis::schema::{ForeignKey, Index};

impl Replayer {
    /// `ALTER TABLE t op, op, ...`: applies the operations in order (a `RENAME TO` among them
    /// changes the table the later ones apply to).
    pub(super) fn alter_table(&mut self, at: &Location, alter: &AlterTable) {
        let mut table = names::object(self.dialect, &alter.name);
        if self.table(&table).is_none() {
            if !alter.if_exists {
                self.diagnose(at, format!("ALTER TABLE: table {table} does not exist"));
            }
            return;
        }
        for operation in &alter.operations {
            if let Some(renamed) = self.alter_operation(at, &table, operation) {
                table = renamed;
            }
        }
    }

    /// One ALTER TABLE operation on `table`; returns the table's new name if it was renamed.
    fn alter_operation(
        &mut self,
        at: &Location,
        table: &str,
        operation: &AlterTableOperation,
    ) -> Option<String> {
        use AlterTableOperation as Op;
        let dialect = self.dialect;
        match operation {
            Op::AddConstraint { constraint, .. } => {
                let effect = constraint_effect(dialect, table, constraint);
                self.add_constraint(at, table, effect);
            }
            Op::AddColumn {
                if_not_exists,
                column_def,
                ..
            } => self.add_column(at, table, column_def, *if_not_exists),
            Op::DropConstraint {
                if_exists, name, ..
            } => self.drop_constraint(at, table, &names::ident(dialect, name), *if_exists),
            Op::DropColumn {
                column_names,
                if_exists,
                drop_behavior,
                ..
            } => {
                let cascade = matches!(drop_behavior, Some(DropBehavior::Cascade));
                for column in column_names {
                    let column = names::ident(dialect, column);
                    self.drop_column(at, table, &column, *if_exists, cascade);
                }
            }
            Op::DropPrimaryKey { .. } => self.drop_primary_key(at, table),
            Op::DropForeignKey { name, .. } => {
                let name = names::ident(dialect, name);
                if !self.remove_foreign_key(at, table, &name) {
                    self.diagnose(
                        at,
                        format!("DROP FOREIGN KEY: {table} has no foreign key {name}"),
                    );
                }
            }
            Op::DropIndex { name } => {
                let name = names::ident(dialect, name);
                if !self.remove_index(at, table, &name) {
                    self.diagnose(at, format!("DROP INDEX: {table} has no index {name}"));
                }
            }
            Op::RenameColumn {
                old_column_name,
                new_column_name,
            } => {
                let from = names::ident(dialect, old_column_name);
                let to = names::ident(dialect, new_column_name);
                self.rename_column(at, table, &from, &to);
            }
            Op::RenameTable { table_name } => {
                let (RenameTableNameKind::As(new_name) | RenameTableNameKind::To(new_name)) =
                    table_name;
                let new_name = names::object(dialect, new_name);
                self.rename_table(at, table, &new_name);
                return Some(new_name);
            }
            Op::ChangeColumn {
                old_name,
                new_name,
                data_type,
                options,
                ..
            } => self.redefine_column(at, table, old_name, new_name, data_type, options),
            Op::ModifyColumn {
                col_name,
                data_type,
                options,
                ..
            } => self.redefine_column(at, table, col_name, col_name, data_type, options),
            Op::RenameConstraint { old_name, new_name } => {
                let from = names::ident(dialect, old_name);
                let to = names::ident(dialect, new_name);
                self.rename_constraint(at, table, &from, &to);
            }
            Op::AlterColumn { column_name, op } => {
                let column = names::ident(dialect, column_name);
                self.alter_column_operation(at, table, &column, op);
            }
            _ => {}
        }
        None
    }

    /// `ALTER COLUMN c SET/DROP NOT NULL`, `SET/DROP DEFAULT`, `[SET DATA] TYPE`.
    fn alter_column_operation(
        &mut self,
        at: &Location,
        table: &str,
        column: &str,
        operation: &AlterColumnOperation,
    ) {
        use AlterColumnOperation as Op;
        match operation {
            Op::SetNotNull => self.alter_column(at, table, column, |c| c.nullable = false),
            Op::DropNotNull => self.alter_column(at, table, column, |c| c.nullable = true),
            Op::SetDefault { value } => {
                let default = super::names::default_text(value);
                self.alter_column(at, table, column, |c| c.default = Some(default));
            }
            Op::DropDefault => self.alter_column(at, table, column, |c| c.default = None),
            Op::SetDataType { data_type, .. } => {
                let rendered = data_type.to_string();
                self.alter_column(at, table, column, |c| c.data_type = rendered);
            }
            _ => {}
        }
    }

    /// `ADD [COLUMN] [IF NOT EXISTS] def`, with the constraints written on the column.
    fn add_column(&mut self, at: &Location, table: &str, def: &ColumnDef, if_not_exists: bool) {
        let name = names::ident(self.dialect, &def.name);
        let exists = self.table(table).is_some_and(|t| t.column(&name).is_some());
        if exists {
            if !if_not_exists {
                self.diagnose(at, format!("ADD COLUMN: {table}.{name} already exists"));
            }
            return;
        }
        let options = def.options.iter().map(|o| (o.name.as_ref(), &o.option));
        let definition = column_definition(self.dialect, table, name, &def.data_type, options);
        let ColumnDefinition {
            column,
            indexes,
            foreign_keys,
        } = definition;
        let Some(target) = self.table_mut(table) else {
            return;
        };
        target.columns.push(column.clone());
        let table_name = target.name.clone();
        self.emit(
            at,
            SchemaChange::AddColumn {
                table: table_name,
                column,
            },
        );
        self.add_column_constraints(at, table, indexes, foreign_keys);
    }

    /// Adds the UNIQUE and REFERENCES constraints written on a column.
    fn add_column_constraints(
        &mut self,
        at: &Location,
        table: &str,
        indexes: Vec<Index>,
        foreign_keys: Vec<ForeignKey>,
    ) {
        for index in indexes {
            self.add_index(at, table, index);
        }
        for foreign_key in foreign_keys {
            self.add_foreign_key(at, table, foreign_key);
        }
    }

    /// MySQL `CHANGE [COLUMN] old new def` and `MODIFY [COLUMN] c def`: the new definition
    /// replaces the old one entirely (the column stays in the primary key if it was).
    fn redefine_column(
        &mut self,
        at: &Location,
        table: &str,
        old_name: &Ident,
        new_name: &Ident,
        data_type: &DataType,
        options: &[ColumnOption],
    ) {
        let from = names::ident(self.dialect, old_name);
        let to = names::ident(self.dialect, new_name);
        let exists = self.table(table).is_some_and(|t| t.column(&from).is_some());
        if !exists {
            self.diagnose(
                at,
                format!("CHANGE/MODIFY COLUMN: {table}.{from} does not exist"),
            );
            return;
        }
        if from != to {
            self.rename_column(at, table, &from, &to);
        }
        let options = options.iter().map(|o| (None, o));
        let definition = column_definition(self.dialect, table, to.clone(), data_type, options);
        let replacement = definition.column;
        self.alter_column(at, table, &to, |column| {
            let was_key = column.primary_key;
            *column = replacement;
            if was_key {
                column.primary_key = true;
                column.nullable = false;
            }
        });
        self.add_column_constraints(at, table, definition.indexes, definition.foreign_keys);
    }

    /// `DROP CONSTRAINT [IF EXISTS] name`: a foreign key, a unique constraint (or index), or
    /// the primary key (recognised by a name ending in `pkey`/`pk`, or MySQL's `PRIMARY`).
    fn drop_constraint(&mut self, at: &Location, table: &str, name: &str, if_exists: bool) {
        if self.remove_foreign_key(at, table, name) || self.remove_index(at, table, name) {
            return;
        }
        let lower = name.to_ascii_lowercase();
        let names_primary_key =
            lower.ends_with("pkey") || lower.ends_with("_pk") || lower == "primary";
        let has_primary_key = self
            .table(table)
            .is_some_and(|t| t.columns.iter().any(|c| c.primary_key));
        if names_primary_key && has_primary_key {
            self.drop_primary_key(at, table);
        } else if !if_exists {
            self.diagnose(
                at,
                format!(
                    "DROP CONSTRAINT: {table} has no foreign key, unique constraint or primary key named {name} (CHECK constraints are not modelled)"
                ),
            );
        }
    }

    /// `RENAME CONSTRAINT a TO b`: a foreign key or a unique constraint.
    fn rename_constraint(&mut self, at: &Location, table: &str, from: &str, to: &str) {
        let Some(target) = self.table_mut(table) else {
            return;
        };
        if let Some(foreign_key) = target.foreign_keys.iter_mut().find(|fk| {
            fk.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(from))
        }) {
            foreign_key.name = Some(to.to_string());
            return;
        }
        if target.index(from).is_some() {
            self.rename_index(at, Some(table), from, to);
        } else {
            self.diagnose(
                at,
                format!(
                    "RENAME CONSTRAINT: {table} has no foreign key or unique constraint named {from} (CHECK constraints are not modelled)"
                ),
            );
        }
    }

    /// `DROP COLUMN`, with what each database does to the objects that use the column:
    /// SQLite refuses when the column is indexed, in the primary key or in a foreign key;
    /// MySQL refuses when it is in a foreign key and removes it from indexes (dropping indexes
    /// left empty); Postgres drops the indexes and foreign keys using it, and refuses without
    /// CASCADE when another table's foreign key references it.
    fn drop_column(
        &mut self,
        at: &Location,
        table: &str,
        column: &str,
        if_exists: bool,
        cascade: bool,
    ) {
        let Some(target) = self.table(table) else {
            return;
        };
        let Some(existing) = target.column(column).cloned() else {
            if !if_exists {
                self.diagnose(
                    at,
                    format!("DROP COLUMN: column {table}.{column} does not exist"),
                );
            }
            return;
        };
        if let Some(refusal) = self.drop_column_refusal(table, column, cascade) {
            self.diagnose(at, format!("DROP COLUMN {table}.{column}: {refusal}"));
            return;
        }
        self.drop_column_dependents(at, table, column);
        let Some(target) = self.table_mut(table) else {
            return;
        };
        target
            .columns
            .retain(|c| !c.name.eq_ignore_ascii_case(column));
        let table_name = target.name.clone();
        let was_key = existing.primary_key;
        self.emit(
            at,
            SchemaChange::DropColumn {
                table: table_name,
                column: existing,
            },
        );
        if was_key && self.dialect == Dialect::Postgres {
            // The primary key constraint goes with any of its columns.
            self.drop_primary_key(at, table);
        }
    }

    /// Why the database would refuse to drop the column, if it would.
    fn drop_column_refusal(&self, table: &str, column: &str, cascade: bool) -> Option<String> {
        let target = self.table(table)?;
        let in_own_foreign_key = target
            .foreign_keys
            .iter()
            .any(|fk| names::contains(&fk.columns, column));
        match self.dialect {
            Dialect::Sqlite => {
                let indexed = target.indexes.iter().any(|i| index_uses(i, column));
                let primary = target.column(column).is_some_and(|c| c.primary_key);
                (indexed || primary || in_own_foreign_key).then(|| {
                    "SQLite refuses to drop a column that is indexed, unique, in the primary key or in a foreign key".to_string()
                })
            }
            Dialect::Mysql => in_own_foreign_key
                .then(|| "MySQL refuses to drop a column used by a foreign key".to_string()),
            Dialect::Postgres => {
                let referenced = self.schema.tables.iter().any(|t| {
                    t.foreign_keys.iter().any(|fk| {
                        fk.ref_table.eq_ignore_ascii_case(table)
                            && names::contains(&fk.ref_columns, column)
                    })
                });
                (referenced && !cascade).then(|| {
                    "Postgres refuses without CASCADE: another table's foreign key references it"
                        .to_string()
                })
            }
        }
    }

    /// Removes what depends on a column about to be dropped (Postgres and MySQL).
    fn drop_column_dependents(&mut self, at: &Location, table: &str, column: &str) {
        let uses_column = |columns: &[String]| names::contains(columns, column);
        match self.dialect {
            Dialect::Sqlite => {}
            Dialect::Mysql => {
                if let Some(target) = self.table_mut(table) {
                    for index in &mut target.indexes {
                        index.columns.retain(|c| !c.eq_ignore_ascii_case(column));
                    }
                }
                self.remove_indexes_where(at, table, |i| i.columns.is_empty());
            }
            Dialect::Postgres => {
                self.remove_indexes_where(at, table, |i| index_uses(i, column));
                self.remove_foreign_keys_where(at, |owner, fk| {
                    let own = owner.eq_ignore_ascii_case(table) && uses_column(&fk.columns);
                    let referencing =
                        fk.ref_table.eq_ignore_ascii_case(table) && uses_column(&fk.ref_columns);
                    own || referencing
                });
            }
        }
    }
}
