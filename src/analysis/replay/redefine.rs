//! Prisma's SQLite table redefinition ("RedefineTables"), replayed as one change of the table.
//!
//! The pattern: `CREATE TABLE "new_X" (...)`, `INSERT INTO "new_X" (cols) SELECT cols FROM "X"`,
//! `DROP TABLE "X"`, `ALTER TABLE "new_X" RENAME TO "X"`, then `CREATE INDEX ... ON "X"`, with
//! PRAGMAs anywhere in between. When the statements match exactly, old X and new X are compared
//! and the differences reported at the line of `CREATE TABLE "new_X"`; anything else is replayed
//! literally (which is what SQLite does too).

use std::collections::HashMap;

use sqlparser::ast::{
    AlterTableOperation, CreateIndex, CreateTable, Expr, Insert, ObjectType, RenameTableNameKind,
    SelectItem, SetExpr, Statement as Ast, TableFactor, TableObject,
};

use super::create_table::build_table;
use super::names;
use super::objects::index_of;
use super::{Location, Replayer, SchemaChange};
use crate::analysis::dialect::Dialect;
use crate::analysis::schema::{Column, ForeignKey, Index, Table};
use crate::analysis::sql::{Statement, StatementKind};

/// The prefix Prisma gives the new copy of a redefined table.
const NEW_PREFIX: &str = "new_";

/// A recognised redefinition of one table.
#[derive(Debug)]
pub(super) struct Redefinition<'a> {
    /// How many statements (from the CREATE TABLE) the redefinition consists of.
    pub statement_count: usize,
    /// The redefined table (`X`).
    table: String,
    /// The temporary table's name (`new_X`).
    temporary: String,
    /// `CREATE TABLE "new_X"`.
    create: &'a CreateTable,
    /// Line of `CREATE TABLE "new_X"`.
    line: usize,
    /// `INSERT INTO "new_X" ... SELECT ... FROM "X"`.
    insert: &'a Insert,
    /// `CREATE INDEX ... ON "X"` right after the rename.
    indexes: Vec<&'a CreateIndex>,
}

/// The parsed statement, if sqlparser parsed it.
fn parsed(statement: &Statement) -> Option<&Ast> {
    match &statement.kind {
        StatementKind::Parsed(ast) => Some(ast),
        _ => None,
    }
}

/// The first statement at or after `from` that is not a PRAGMA, with its position.
fn next_significant(statements: &[Statement], from: usize) -> Option<(usize, &Statement)> {
    statements
        .iter()
        .enumerate()
        .skip(from)
        .find(|(_, s)| !matches!(s.kind, StatementKind::Pragma { .. }))
}

/// Recognises a redefinition starting at `statements[start]`.
pub(super) fn recognise<'a>(
    replayer: &Replayer,
    statements: &'a [Statement],
    start: usize,
) -> Option<Redefinition<'a>> {
    if replayer.dialect != Dialect::Sqlite {
        return None;
    }
    let dialect = replayer.dialect;
    let first = statements.get(start)?;
    let Some(Ast::CreateTable(create)) = parsed(first) else {
        return None;
    };
    let temporary = names::object(dialect, &create.name);
    let table = strip_new_prefix(&temporary)?.to_string();
    if replayer.table(&table).is_none() || replayer.table(&temporary).is_some() {
        return None;
    }
    let (insert_at, insert) = next_significant(statements, start + 1)?;
    let insert = copy_into(dialect, parsed(insert)?, &temporary, &table)?;
    let (drop_at, drop) = next_significant(statements, insert_at + 1)?;
    if !drops_only(dialect, parsed(drop)?, &table) {
        return None;
    }
    let (rename_at, rename) = next_significant(statements, drop_at + 1)?;
    if !renames(dialect, parsed(rename)?, &temporary, &table) {
        return None;
    }
    let (indexes, last) = trailing_indexes(dialect, statements, rename_at, &table);
    Some(Redefinition {
        statement_count: last + 1 - start,
        table,
        temporary,
        create,
        line: first.line,
        insert,
        indexes,
    })
}

/// `X` for `new_X` (prefix compared case-insensitively).
fn strip_new_prefix(name: &str) -> Option<&str> {
    let prefix = name.get(..NEW_PREFIX.len())?;
    let rest = name.get(NEW_PREFIX.len()..)?;
    (prefix.eq_ignore_ascii_case(NEW_PREFIX) && !rest.is_empty()).then_some(rest)
}

/// The statement if it is `INSERT INTO temporary ... SELECT ... FROM table`.
fn copy_into<'a>(
    dialect: Dialect,
    statement: &'a Ast,
    temporary: &str,
    table: &str,
) -> Option<&'a Insert> {
    let Ast::Insert(insert) = statement else {
        return None;
    };
    let TableObject::TableName(target) = &insert.table else {
        return None;
    };
    let select = match insert.source.as_deref().map(|q| q.body.as_ref()) {
        Some(SetExpr::Select(select)) => select,
        _ => return None,
    };
    let [from] = select.from.as_slice() else {
        return None;
    };
    let TableFactor::Table { name: source, .. } = &from.relation else {
        return None;
    };
    let matches = names::object(dialect, target).eq_ignore_ascii_case(temporary)
        && names::object(dialect, source).eq_ignore_ascii_case(table)
        && from.joins.is_empty();
    matches.then_some(insert)
}

/// Whether the statement is `DROP TABLE table` (that table only).
fn drops_only(dialect: Dialect, statement: &Ast, table: &str) -> bool {
    match statement {
        Ast::Drop {
            object_type: ObjectType::Table,
            names: dropped,
            ..
        } => {
            matches!(dropped.as_slice(), [only] if names::object(dialect, only).eq_ignore_ascii_case(table))
        }
        _ => false,
    }
}

/// Whether the statement is `ALTER TABLE from RENAME TO to` and nothing else.
fn renames(dialect: Dialect, statement: &Ast, from: &str, to: &str) -> bool {
    let Ast::AlterTable(alter) = statement else {
        return false;
    };
    let [AlterTableOperation::RenameTable { table_name }] = alter.operations.as_slice() else {
        return false;
    };
    let (RenameTableNameKind::As(new_name) | RenameTableNameKind::To(new_name)) = table_name;
    names::object(dialect, &alter.name).eq_ignore_ascii_case(from)
        && names::object(dialect, new_name).eq_ignore_ascii_case(to)
}

/// The `CREATE INDEX ... ON table` statements following `after` (PRAGMAs may sit between
/// them), and the position of the last statement that belongs to the redefinition.
fn trailing_indexes<'a>(
    dialect: Dialect,
    statements: &'a [Statement],
    after: usize,
    table: &str,
) -> (Vec<&'a CreateIndex>, usize) {
    let mut indexes = Vec::new();
    let mut last = after;
    while let Some((position, statement)) = next_significant(statements, last + 1) {
        match parsed(statement) {
            Some(Ast::CreateIndex(create))
                if names::object(dialect, &create.table_name).eq_ignore_ascii_case(table) =>
            {
                indexes.push(create);
                last = position;
            }
            _ => break,
        }
    }
    (indexes, last)
}

/// Where each new column's data comes from: (old column, new column), by the INSERT column
/// list and the SELECT list position. A SELECT item that is not a plain column counts as
/// carrying the first old column it mentions.
fn carried_columns(
    dialect: Dialect,
    insert: &Insert,
    old: &Table,
    new: &Table,
) -> Vec<(String, String)> {
    let targets: Vec<String> = if insert.columns.is_empty() {
        new.columns.iter().map(|c| c.name.clone()).collect()
    } else {
        insert
            .columns
            .iter()
            .map(|c| names::object(dialect, c))
            .collect()
    };
    let Some(SetExpr::Select(select)) = insert.source.as_deref().map(|q| q.body.as_ref()) else {
        return Vec::new();
    };
    let sources: Vec<Option<String>> = select
        .projection
        .iter()
        .flat_map(|item| source_columns(dialect, item, old))
        .collect();
    targets
        .iter()
        .zip(sources)
        .filter_map(|(target, source)| {
            let source = old.column(&source?)?.name.clone();
            let target = new.column(target)?.name.clone();
            Some((source, target))
        })
        .collect()
}

/// The old columns one SELECT item reads (a wildcard reads them all).
fn source_columns(dialect: Dialect, item: &SelectItem, old: &Table) -> Vec<Option<String>> {
    match item {
        SelectItem::UnnamedExpr(expr) | SelectItem::ExprWithAlias { expr, .. } => {
            vec![source_column(dialect, expr, old)]
        }
        _ => old.columns.iter().map(|c| Some(c.name.clone())).collect(),
    }
}

/// The old column an expression reads: itself if it is a column, else the first old column
/// whose name appears as a word in it.
fn source_column(dialect: Dialect, expr: &Expr, old: &Table) -> Option<String> {
    if let Some(column) = names::expression_column(dialect, expr) {
        return Some(column);
    }
    let text = expr.to_string();
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .find(|word| old.column(word).is_some())
        .map(str::to_string)
}

impl Replayer {
    /// Replaces table X by its redefinition and records what changed.
    pub(super) fn apply_redefinition(&mut self, path: &str, redefinition: &Redefinition<'_>) {
        let at = Location {
            file: path.to_string(),
            line: redefinition.line,
        };
        let new = self.redefined_table(redefinition);
        let dialect = self.dialect;
        let Some(slot) = self.table_mut(&redefinition.table) else {
            return;
        };
        let old = std::mem::replace(slot, new);
        let carried = carried_columns(dialect, redefinition.insert, &old, slot);
        let changes = compare(&old, slot, carried);
        for change in changes {
            self.emit(&at, change);
        }
        self.hint_indexes_of(&redefinition.table);
        self.hint_foreign_keys_of(&redefinition.table);
    }

    /// Table X as `CREATE TABLE "new_X"` and the indexes after the rename define it.
    fn redefined_table(&self, redefinition: &Redefinition<'_>) -> Table {
        let name = self
            .table(&redefinition.table)
            .map_or_else(|| redefinition.table.clone(), |t| t.name.clone());
        let mut table = build_table(self.dialect, name.clone(), redefinition.create);
        for foreign_key in table
            .foreign_keys
            .iter_mut()
            .filter(|fk| fk.ref_table.eq_ignore_ascii_case(&redefinition.temporary))
        {
            foreign_key.ref_table = name.clone();
        }
        for create in &redefinition.indexes {
            let index = index_of(self.dialect, &name, create);
            if table.index(&index.name).is_none() {
                table.indexes.push(index);
            }
        }
        self.resolve_references(&mut table);
        table
    }
}

/// The changes from `old` to `new`, given the carried (old, new) column pairs.
fn compare(old: &Table, new: &Table, carried: Vec<(String, String)>) -> Vec<SchemaChange> {
    let table = new.name.clone();
    let renamed: HashMap<String, String> = carried
        .iter()
        .map(|(from, to)| (from.to_ascii_lowercase(), to.clone()))
        .collect();
    let dropped: Vec<&Column> = old
        .columns
        .iter()
        .filter(|c| {
            !carried
                .iter()
                .any(|(from, _)| from.eq_ignore_ascii_case(&c.name))
        })
        .collect();
    let added: Vec<&Column> = new
        .columns
        .iter()
        .filter(|c| {
            !carried
                .iter()
                .any(|(_, to)| to.eq_ignore_ascii_case(&c.name))
        })
        .collect();
    let mut changes = vec![SchemaChange::RedefineTable {
        table: table.clone(),
        carried: carried.clone(),
        dropped: dropped.iter().map(|c| c.name.clone()).collect(),
        added: added.iter().map(|c| c.name.clone()).collect(),
    }];
    changes.extend(column_changes(&table, old, new, &carried));
    changes.extend(dropped.into_iter().map(|column| SchemaChange::DropColumn {
        table: table.clone(),
        column: column.clone(),
    }));
    changes.extend(added.into_iter().map(|column| SchemaChange::AddColumn {
        table: table.clone(),
        column: column.clone(),
    }));
    changes.extend(index_changes(&table, old, new, &renamed));
    changes.extend(foreign_key_changes(&table, old, new, &renamed));
    changes
}

/// Renames and definition changes of the carried columns.
fn column_changes(
    table: &str,
    old: &Table,
    new: &Table,
    carried: &[(String, String)],
) -> Vec<SchemaChange> {
    let mut changes = Vec::new();
    for (from, to) in carried {
        let (Some(before), Some(after)) = (old.column(from), new.column(to)) else {
            continue;
        };
        if !from.eq_ignore_ascii_case(to) {
            changes.push(SchemaChange::RenameColumn {
                table: table.to_string(),
                from: from.clone(),
                to: to.clone(),
            });
        }
        let before_renamed = Column {
            name: after.name.clone(),
            ..before.clone()
        };
        if before_renamed != *after {
            changes.push(SchemaChange::AlterColumn {
                table: table.to_string(),
                before: before.clone(),
                after: after.clone(),
            });
        }
    }
    changes
}

/// Column names after the redefinition's renames.
fn renamed_columns(columns: &[String], renamed: &HashMap<String, String>) -> Vec<String> {
    columns
        .iter()
        .map(|c| {
            renamed
                .get(&c.to_ascii_lowercase())
                .cloned()
                .unwrap_or_else(|| c.clone())
        })
        .collect()
}

/// Indexes dropped (old ones not re-created identically) and created (new ones not there before).
fn index_changes(
    table: &str,
    old: &Table,
    new: &Table,
    renamed: &HashMap<String, String>,
) -> Vec<SchemaChange> {
    let table = table.to_string();
    changed_items(
        &old.indexes,
        &new.indexes,
        |i| Index {
            columns: renamed_columns(&i.columns, renamed),
            ..i.clone()
        },
        |index| SchemaChange::DropIndex {
            table: table.clone(),
            index,
        },
        |index| SchemaChange::CreateIndex {
            table: table.clone(),
            index,
        },
    )
}

/// Foreign keys dropped and added, compared after the column renames.
fn foreign_key_changes(
    table: &str,
    old: &Table,
    new: &Table,
    renamed: &HashMap<String, String>,
) -> Vec<SchemaChange> {
    let table = table.to_string();
    changed_items(
        &old.foreign_keys,
        &new.foreign_keys,
        |fk| ForeignKey {
            columns: renamed_columns(&fk.columns, renamed),
            ..fk.clone()
        },
        |foreign_key| SchemaChange::DropForeignKey {
            table: table.clone(),
            foreign_key,
        },
        |foreign_key| SchemaChange::AddForeignKey {
            table: table.clone(),
            foreign_key,
        },
    )
}

/// The old items not found at `new` once carried over (`carry` applies the column renames),
/// then the new items that were not there before.
fn changed_items<T: Clone + PartialEq>(
    old: &[T],
    new: &[T],
    carry: impl Fn(&T) -> T,
    dropped: impl Fn(T) -> SchemaChange,
    added: impl Fn(T) -> SchemaChange,
) -> Vec<SchemaChange> {
    let carried_over: Vec<T> = old.iter().map(carry).collect();
    let gone = old
        .iter()
        .zip(&carried_over)
        .filter(|(_, mapped)| !new.contains(mapped))
        .map(|(item, _)| dropped(item.clone()));
    let appeared = new
        .iter()
        .filter(|item| !carried_over.contains(item))
        .map(|item| added(item.clone()));
    gone.chain(appeared).collect()
}
