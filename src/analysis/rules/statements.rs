//! Rules read from the statements of the PR's migration files: data changes (DELETE, UPDATE,
//! TRUNCATE) and, on Postgres, how statements lock (CONCURRENTLY, NOT VALID, lock_timeout).

use sqlparser::ast::{
    AlterTableOperation, FromTable, ObjectName, ObjectType, Statement as Ast, TableConstraint,
    TableFactor, TableWithJoins,
};

use super::Finding;
use super::catalog::{
    CHECK_WITHOUT_NOT_VALID, CONCURRENTLY_IN_TRANSACTION, DELETE_WITH_WHERE, DELETE_WITHOUT_WHERE,
    FK_WITHOUT_NOT_VALID, INDEX_NOT_CONCURRENTLY, MISSING_LOCK_TIMEOUT, TRUNCATE,
    UPDATE_WITH_WHERE, UPDATE_WITHOUT_WHERE,
};
use super::context::Context;
use crate::analysis::detect::Framework;
use crate::analysis::dialect::Dialect;
use crate::analysis::pipeline::ParsedMigration;
use crate::analysis::sql::{Statement, StatementKind};

/// Findings of the statement rules over every file the PR added or modified.
pub(super) fn statement_findings(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for migration in ctx.changed_migrations() {
        FileScan::new(ctx, migration).run(out);
    }
}

/// A statement that takes a strong lock on an existing table (for `missing-lock-timeout`).
struct LockingStatement {
    line: usize,
    table: String,
    what: &'static str,
}

/// One pass over one migration file.
struct FileScan<'c, 'a> {
    ctx: &'c Context<'a>,
    file: &'a str,
    statements: &'a [Statement],
    /// Whether the statements run inside an explicit `BEGIN ... COMMIT` at this point.
    in_transaction: bool,
    /// Whether the file sets `lock_timeout` anywhere.
    sets_lock_timeout: bool,
    /// Lock-heavy statements on existing tables, in file order.
    locking: Vec<LockingStatement>,
}

impl<'c, 'a> FileScan<'c, 'a> {
    fn new(ctx: &'c Context<'a>, migration: &'a ParsedMigration) -> Self {
        FileScan {
            ctx,
            file: &migration.migration.path,
            statements: &migration.sql.statements,
            in_transaction: false,
            sets_lock_timeout: false,
            locking: Vec::new(),
        }
    }

    fn run(mut self, out: &mut Vec<Finding>) {
        for statement in self.statements {
            self.check(statement, out);
        }
        self.report_missing_lock_timeout(out);
    }

    fn postgres(&self) -> bool {
        self.ctx.dialect == Dialect::Postgres
    }

    fn existing(&self, table: &str, line: usize) -> bool {
        self.ctx.is_existing_table_at(table, self.file, line)
    }

    fn check(&mut self, statement: &Statement, out: &mut Vec<Finding>) {
        if mentions_lock_timeout(&statement.text) {
            self.sets_lock_timeout = true;
        }
        let line = statement.line;
        match &statement.kind {
            StatementKind::Parsed(ast) => self.check_parsed(ast, line, out),
            StatementKind::DropIndex {
                names,
                concurrently: true,
                ..
            } => self.check_concurrently(
                &format!("DROP INDEX CONCURRENTLY {}", names.join(", ")),
                line,
                out,
            ),
            _ => {}
        }
    }

    fn check_parsed(&mut self, ast: &Ast, line: usize, out: &mut Vec<Finding>) {
        match ast {
            Ast::StartTransaction { statements, .. } if statements.is_empty() => {
                self.in_transaction = true;
            }
            Ast::Commit { .. } | Ast::Rollback { .. } => self.in_transaction = false,
            Ast::Delete(delete) => {
                for table in delete_targets(&delete.tables, &delete.from) {
                    self.data_change(
                        DataChange::Delete,
                        &table,
                        delete.selection.is_some() || delete.limit.is_some(),
                        line,
                        out,
                    );
                }
            }
            Ast::Update(update) => {
                if let Some(table) = relation_name(&update.table) {
                    self.data_change(
                        DataChange::Update,
                        &table,
                        update.selection.is_some() || update.limit.is_some(),
                        line,
                        out,
                    );
                }
            }
            Ast::Truncate(truncate) => {
                for target in &truncate.table_names {
                    let table = object_table(&target.name);
                    self.truncate(&table, line, out);
                }
            }
            Ast::CreateIndex(index) => self.create_index(index, line, out),
            Ast::AlterTable(alter) => {
                self.alter_table(&object_table(&alter.name), &alter.operations, line, out)
            }
            Ast::Drop {
                object_type: ObjectType::Table,
                names,
                ..
            } => {
                for name in names {
                    self.note_locking(&object_table(name), line, "DROP TABLE");
                }
            }
            _ => {}
        }
    }

    fn data_change(
        &self,
        kind: DataChange,
        table: &str,
        bounded: bool,
        line: usize,
        out: &mut Vec<Finding>,
    ) {
        if !self.existing(table, line) {
            return;
        }
        let (rule, message) = match (kind, bounded) {
            (DataChange::Delete, false) => (
                &DELETE_WITHOUT_WHERE,
                format!(
                    "deletes every row of \"{table}\" (DELETE without WHERE): the rows are gone{}",
                    self.cascade_note(table)
                ),
            ),
            (DataChange::Delete, true) => (
                &DELETE_WITH_WHERE,
                format!(
                    "deletes rows of \"{table}\" that match a WHERE (or LIMIT) clause{}: check how many rows it matches on production data and keep a copy",
                    self.cascade_note(table)
                ),
            ),
            (DataChange::Update, false) => (
                &UPDATE_WITHOUT_WHERE,
                format!(
                    "overwrites every row of \"{table}\" (UPDATE without WHERE): the previous values are lost"
                ),
            ),
            (DataChange::Update, true) => (
                &UPDATE_WITH_WHERE,
                format!(
                    "updates rows of \"{table}\" that match a WHERE (or LIMIT) clause (a backfill): check how many rows it touches and batch it if the table is large"
                ),
            ),
        };
        out.push(Finding::new(rule, self.file, line, message).on_table(table));
    }

    /// `, and ON DELETE CASCADE also deletes their rows in A, B` (empty without a cascade).
    fn cascade_note(&self, table: &str) -> String {
        let reached = self.ctx.cascade_reach(table);
        if reached.is_empty() {
            return String::new();
        }
        format!(
            ", and ON DELETE CASCADE also deletes the rows referring to them in {}",
            reached.join(", ")
        )
    }

    fn truncate(&mut self, table: &str, line: usize, out: &mut Vec<Finding>) {
        if !self.existing(table, line) {
            return;
        }
        self.note_locking(table, line, "TRUNCATE");
        let message = format!("empties \"{table}\" (TRUNCATE): every row is deleted at once");
        out.push(Finding::new(&TRUNCATE, self.file, line, message).on_table(table));
    }

    fn create_index(
        &mut self,
        index: &sqlparser::ast::CreateIndex,
        line: usize,
        out: &mut Vec<Finding>,
    ) {
        if !self.postgres() {
            return;
        }
        let table = object_table(&index.table_name);
        let name = index
            .name
            .as_ref()
            .map_or_else(|| "(unnamed)".to_owned(), object_table);
        if index.concurrently {
            self.check_concurrently(&format!("CREATE INDEX CONCURRENTLY \"{name}\""), line, out);
            return;
        }
        if !self.existing(&table, line) {
            return;
        }
        self.note_locking(&table, line, "CREATE INDEX");
        let message = format!(
            "creates index \"{name}\" on existing table \"{table}\" without CONCURRENTLY: writes to \"{table}\" are blocked for the whole build"
        );
        out.push(Finding::new(&INDEX_NOT_CONCURRENTLY, self.file, line, message).on_table(table));
    }

    /// A `CONCURRENTLY` statement fails inside a transaction block: an explicit one, or the
    /// implicit one Prisma Migrate's multi-statement script runs in.
    fn check_concurrently(&self, what: &str, line: usize, out: &mut Vec<Finding>) {
        if !self.postgres() {
            return;
        }
        let reason = if self.in_transaction {
            "it runs inside BEGIN ... COMMIT".to_owned()
        } else if self.ctx.change.head.set.framework == Framework::Prisma
            && self.statements.len() > 1
        {
            format!(
                "Prisma Migrate runs this migration's {} statements as one multi-statement query, i.e. one implicit transaction",
                self.statements.len()
            )
        } else {
            return;
        };
        let message = format!(
            "{what} cannot run inside a transaction block and {reason}: the migration will fail"
        );
        out.push(Finding::new(
            &CONCURRENTLY_IN_TRANSACTION,
            self.file,
            line,
            message,
        ));
    }

    fn alter_table(
        &mut self,
        table: &str,
        operations: &[AlterTableOperation],
        line: usize,
        out: &mut Vec<Finding>,
    ) {
        if !self.postgres() || !self.existing(table, line) {
            return;
        }
        // VALIDATE CONSTRAINT takes a SHARE UPDATE EXCLUSIVE lock: reads and writes go on.
        let validates_only = operations
            .iter()
            .all(|op| matches!(op, AlterTableOperation::ValidateConstraint { .. }));
        if !validates_only {
            self.note_locking(table, line, "ALTER TABLE");
        }
        for operation in operations {
            let AlterTableOperation::AddConstraint {
                constraint,
                not_valid: false,
            } = operation
            else {
                continue;
            };
            if let Some(finding) = self.constraint_without_not_valid(table, constraint, line) {
                out.push(finding);
            }
        }
    }

    fn constraint_without_not_valid(
        &self,
        table: &str,
        constraint: &TableConstraint,
        line: usize,
    ) -> Option<Finding> {
        let (rule, message) = match constraint {
            TableConstraint::ForeignKey(fk) => {
                let parent = object_table(&fk.foreign_table);
                (
                    &FK_WITHOUT_NOT_VALID,
                    format!(
                        "adds foreign key {} on existing table \"{table}\" without NOT VALID: every row is checked while writes to \"{table}\" and \"{parent}\" are blocked",
                        constraint_name(fk.name.as_ref())
                    ),
                )
            }
            TableConstraint::Check(check) => (
                &CHECK_WITHOUT_NOT_VALID,
                format!(
                    "adds CHECK constraint {} on existing table \"{table}\" without NOT VALID: every row is checked under an ACCESS EXCLUSIVE lock, and the migration fails if one violates it",
                    constraint_name(check.name.as_ref())
                ),
            ),
            _ => return None,
        };
        Some(Finding::new(rule, self.file, line, message).on_table(table))
    }

    /// Records a statement that takes a strong lock on `table`, when it existed before the PR.
    fn note_locking(&mut self, table: &str, line: usize, what: &'static str) {
        if self.postgres() && self.existing(table, line) {
            self.locking.push(LockingStatement {
                line,
                table: table.to_owned(),
                what,
            });
        }
    }

    /// One finding per file, at its first lock-heavy statement, when it never sets lock_timeout.
    fn report_missing_lock_timeout(&self, out: &mut Vec<Finding>) {
        if self.sets_lock_timeout {
            return;
        }
        let Some(first) = self.locking.first() else {
            return;
        };
        let more = match self.locking.len() - 1 {
            0 => String::new(),
            n => format!(
                " (and {n} more locking statement{} in this file)",
                if n == 1 { "" } else { "s" }
            ),
        };
        let message = format!(
            "{} on existing table \"{}\" waits for its lock without a lock_timeout, queueing all traffic on \"{}\" behind it{more}",
            first.what, first.table, first.table
        );
        out.push(
            Finding::new(&MISSING_LOCK_TIMEOUT, self.file, first.line, message)
                .on_table(&first.table),
        );
    }
}

/// DELETE or UPDATE.
#[derive(Clone, Copy)]
enum DataChange {
    Delete,
    Update,
}

/// Whether a statement sets `lock_timeout` (`SET [LOCAL] lock_timeout ...`, `set_config(...)`).
fn mentions_lock_timeout(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("lock_timeout")
        && (lower.trim_start().starts_with("set") || lower.contains("set_config"))
}

/// The tables a DELETE removes rows from (MySQL multi-table DELETE names them before FROM).
fn delete_targets(tables: &[ObjectName], from: &FromTable) -> Vec<String> {
    if !tables.is_empty() {
        return tables.iter().map(object_table).collect();
    }
    let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) = from;
    from.iter().filter_map(relation_name).collect()
}

/// The table of a `FROM` / `UPDATE` item, when it is a plain table.
fn relation_name(table: &TableWithJoins) -> Option<String> {
    match &table.relation {
        TableFactor::Table { name, .. } => Some(object_table(name)),
        _ => None,
    }
}

/// The table name of an object name, without schema prefix or quotes.
fn object_table(name: &ObjectName) -> String {
    name.0
        .last()
        .and_then(|part| part.as_ident())
        .map_or_else(|| name.to_string(), |ident| ident.value.clone())
}

/// `"name"` or `(unnamed)`.
fn constraint_name(name: Option<&sqlparser::ast::Ident>) -> String {
    name.map_or_else(
        || "(unnamed)".to_owned(),
        |ident| format!("\"{}\"", ident.value),
    )
}
