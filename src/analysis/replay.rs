//! Replay a migration history, statement by statement, into a [`Schema`].
//!
//! The work is split by statement family: `create_table` (CREATE TABLE and column
//! definitions), `alter_table` (every ALTER TABLE operation), `objects` (indexes, DROP TABLE,
//! RENAME TABLE, enum types), `redefine` (Prisma's SQLite table redefinition), with the schema
//! edits they share in `mutate`, identifier handling in `names` and name lookup in `lookup`.
//!
//! Decisions the statements leave open:
//! - An unnamed UNIQUE constraint is named `<table>_<col1>_<col2>_key` (Postgres' own scheme);
//!   an unnamed `CREATE INDEX` `<table>_<cols>_idx`; an unnamed MySQL `KEY` after its first
//!   column (MySQL's scheme).
//! - `SERIAL`/`BIGSERIAL`/`SMALLSERIAL` keep their type name and are NOT NULL with no default.
//! - `CREATE TABLE` records one `CreateTable` event; its columns, indexes and foreign keys are
//!   in the schema, not reported as separate events. Everything added to an existing table is.
//! - `DROP CONSTRAINT name` looks for a foreign key, then a unique constraint or index, then
//!   the primary key when the name ends in `pkey`/`_pk` (or is MySQL's `PRIMARY`). CHECK
//!   constraints are not modelled, so dropping one by name is reported as not found.
//! - A statement the database would refuse (dropping an indexed column in SQLite, dropping a
//!   referenced table in Postgres without CASCADE, ...) gets a `Replay` diagnostic and leaves the
//!   schema as it was, as the database would.
//! - A recognised SQLite redefinition reports all its events at the line of
//!   `CREATE TABLE "new_X"`.

mod alter_table;
mod create_table;
mod lookup;
mod mutate;
mod names;
mod objects;
mod redefine;
#[cfg(test)]
#[path = "../../tests/support/statements.rs"]
mod test_statements;
#[cfg(test)]
mod tests;

use serde::Serialize;

use super::diagnostic::{Diagnostic, DiagnosticKind};
use super::dialect::Dialect;
use super::schema::{Column, EnumType, ForeignKey, Index, Schema};
use super::sql::{Statement, StatementKind};

/// Where in the history something happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    /// Repository-relative path of the migration file.
    pub file: String,
    /// 1-based line of the statement.
    pub line: usize,
}

/// One change a statement (or a recognised sequence of statements) made to the schema.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SchemaChange {
    /// `CREATE TABLE` (not the `new_X` of a SQLite table redefinition).
    CreateTable { table: String },
    /// `DROP TABLE` (not the one inside a SQLite table redefinition).
    DropTable { table: String },
    /// Table renamed.
    RenameTable { from: String, to: String },
    /// Column added.
    AddColumn { table: String, column: Column },
    /// Column dropped (explicitly, or not carried over by a SQLite table redefinition).
    DropColumn { table: String, column: Column },
    /// Column renamed (explicitly, or `SELECT "a" AS "b"` in a table redefinition).
    RenameColumn {
        table: String,
        from: String,
        to: String,
    },
    /// Column type, nullability or default changed.
    AlterColumn {
        table: String,
        before: Column,
        after: Column,
    },
    /// Index or unique constraint created.
    CreateIndex { table: String, index: Index },
    /// Index or unique constraint dropped.
    DropIndex { table: String, index: Index },
    /// Index renamed.
    RenameIndex {
        table: String,
        from: String,
        to: String,
    },
    /// Foreign key added.
    AddForeignKey {
        table: String,
        foreign_key: ForeignKey,
    },
    /// Foreign key dropped.
    DropForeignKey {
        table: String,
        foreign_key: ForeignKey,
    },
    /// A SQLite table redefinition (Prisma's RedefineTables: create `new_X`, copy, drop `X`,
    /// rename `new_X` to `X`), summarised. The individual column/index/FK changes it makes are
    /// reported as their own events too, at the same location.
    RedefineTable {
        table: String,
        /// Columns whose data the `INSERT ... SELECT` copies: (old name, new name).
        carried: Vec<(String, String)>,
        /// Old columns whose data is not copied (lost).
        dropped: Vec<String>,
        /// New columns that receive no data from the old table (filled by default / NULL).
        added: Vec<String>,
    },
    /// Enum type created.
    CreateEnum { enum_type: EnumType },
    /// Enum type dropped.
    DropEnum { name: String },
    /// Enum values changed (`ALTER TYPE ... ADD VALUE` / `RENAME VALUE`).
    AlterEnum { before: EnumType, after: EnumType },
}

/// A [`SchemaChange`] and where it happened.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SchemaEvent {
    /// File and line of the statement that made the change.
    pub at: Location,
    /// The change.
    pub change: SchemaChange,
}

/// Replays migration files in order into a schema, recording what each statement changed.
///
/// Files are applied one at a time so a caller can replay the base history, take a snapshot
/// ([`Replayer::schema`]), then apply the PR's files and look at only their events.
#[derive(Clone, Debug)]
pub struct Replayer {
    dialect: Dialect,
    schema: Schema,
    events: Vec<SchemaEvent>,
    diagnostics: Vec<Diagnostic>,
    /// Where each table is in `schema.tables`, by lowercase name.
    positions: lookup::TablePositions,
    /// Which table each index belongs to (see [`lookup::IndexHints`]).
    index_hints: lookup::IndexHints,
    /// Which tables may refer to each table (see [`lookup::Referrers`]).
    referrers: lookup::Referrers,
}

impl Replayer {
    /// A replayer starting from an empty schema.
    pub fn new(dialect: Dialect) -> Self {
        Replayer {
            dialect,
            schema: Schema::default(),
            events: Vec::new(),
            diagnostics: Vec::new(),
            positions: lookup::TablePositions::new(),
            index_hints: lookup::IndexHints::new(),
            referrers: lookup::Referrers::new(),
        }
    }

    /// Applies every statement of one migration file (`path` is used for locations).
    /// Never panics: statements that refer to missing objects produce a `Replay` diagnostic and
    /// are otherwise skipped; unparsed statements are skipped (sql already reported them).
    pub fn apply_file(&mut self, path: &str, statements: &[Statement]) {
        let mut next = 0;
        while let Some(statement) = statements.get(next) {
            if let Some(redefinition) = redefine::recognise(self, statements, next) {
                next += redefinition.statement_count;
                self.apply_redefinition(path, &redefinition);
                continue;
            }
            let at = Location {
                file: path.to_string(),
                line: statement.line,
            };
            self.apply_statement(&at, &statement.kind);
            next += 1;
        }
    }

    /// Applies one statement on its own.
    fn apply_statement(&mut self, at: &Location, kind: &StatementKind) {
        match kind {
            StatementKind::Parsed(statement) => self.apply_parsed(at, statement),
            StatementKind::DropIndex {
                names, if_exists, ..
            } => self.drop_indexes(at, names, None, *if_exists),
            StatementKind::RenameIndex { table, from, to } => {
                self.rename_index(at, Some(table), from, to)
            }
            StatementKind::Pragma { .. }
            | StatementKind::NotModelled { .. }
            | StatementKind::Unparsed { .. }
            | StatementKind::TooLarge { .. }
            | StatementKind::Replayed => {}
        }
    }

    /// Applies one statement sqlparser parsed.
    fn apply_parsed(&mut self, at: &Location, statement: &sqlparser::ast::Statement) {
        use sqlparser::ast::Statement as S;
        match statement {
            S::CreateTable(create) => self.create_table(at, create),
            S::AlterTable(alter) => self.alter_table(at, alter),
            S::CreateIndex(create) => self.create_index(at, create),
            S::Drop {
                object_type,
                if_exists,
                names,
                cascade,
                table,
                ..
            } => self.drop_objects(
                at,
                *object_type,
                names,
                *if_exists,
                *cascade,
                table.as_ref(),
            ),
            S::RenameTable(renames) => self.rename_tables(at, renames),
            S::AlterIndex { name, operation } => self.alter_index(at, name, operation),
            S::CreateType {
                name,
                representation,
            } => self.create_type(at, name, representation.as_ref()),
            S::AlterType(alter) => self.alter_type(at, alter),
            _ => {}
        }
    }

    /// Records a change at `at`.
    fn emit(&mut self, at: &Location, change: SchemaChange) {
        self.events.push(SchemaEvent {
            at: at.clone(),
            change,
        });
    }

    /// Records a `Replay` diagnostic at `at`.
    fn diagnose(&mut self, at: &Location, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::new(
            at.file.clone(),
            at.line,
            DiagnosticKind::Replay,
            message,
        ));
    }

    /// The schema as replayed so far.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Every change so far, in order.
    pub fn events(&self) -> &[SchemaEvent] {
        &self.events
    }

    /// Replay diagnostics so far.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Consumes the replayer, returning schema, events and diagnostics.
    pub fn finish(self) -> (Schema, Vec<SchemaEvent>, Vec<Diagnostic>) {
        (self.schema, self.events, self.diagnostics)
    }
}
