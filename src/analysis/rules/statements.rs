//! Rules read from the statements of the PR's migration files: data changes (DELETE, UPDATE,
//! TRUNCATE) and, on Postgres, how statements lock (CONCURRENTLY, NOT VALID, lock_timeout).

use sqlparser::ast::{
    AlterTableOperation, ColumnDef, ColumnOption, FromTable, GeneratedExpressionMode, ObjectName,
    ObjectType, Statement as Ast, TableConstraint, TableFactor, TableWithJoins,
};

use super::Finding;
use super::Risk;
use super::catalog::{
    CHECK_WITHOUT_NOT_VALID, CONCURRENTLY_IN_TRANSACTION, DELETE_WITH_WHERE, DELETE_WITHOUT_WHERE,
    DROP_SCHEMA, FK_WITHOUT_NOT_VALID, INDEX_NOT_CONCURRENTLY, MISSING_LOCK_TIMEOUT, TABLE_REWRITE,
    TRUNCATE, UNIQUE_ON_EXISTING, UPDATE_WITH_WHERE, UPDATE_WITHOUT_WHERE,
};
use super::context::Context;
use super::maintenance::{Maintenance, lock_timeout_setting, maintenance};
use crate::analysis::detect::Framework;
use crate::analysis::dialect::Dialect;
use crate::analysis::pipeline::ParsedMigration;
use crate::analysis::schema::same_name;
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
    /// Whether a lock_timeout was in force when it ran.
    covered: bool,
}

/// A constraint the file added `NOT VALID`.
struct NotValidConstraint {
    table: String,
    name: String,
    foreign_key: bool,
}

/// One pass over one migration file.
struct FileScan<'c, 'a> {
    ctx: &'c Context<'a>,
    file: &'a str,
    statements: &'a [Statement],
    /// Whether the statements run inside an explicit `BEGIN ... COMMIT` at this point.
    in_transaction: bool,
    /// Whether a `lock_timeout` is in force at this point of the file.
    lock_timeout_on: bool,
    /// Constraints added `NOT VALID` since the current transaction began.
    not_valid: Vec<NotValidConstraint>,
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
            lock_timeout_on: false,
            not_valid: Vec::new(),
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
        if let Some(on) = lock_timeout_setting(&statement.text) {
            self.lock_timeout_on = on;
        }
        let line = statement.line;
        if self.postgres()
            && let Some(maintenance) = maintenance(&statement.text)
        {
            self.maintenance(maintenance, line, out);
        }
        match &statement.kind {
            StatementKind::Parsed(ast) => self.check_parsed(ast, line, out),
            StatementKind::Replayed => {
                if let Some(ast) = statement.parse_again(self.ctx.dialect) {
                    self.check_parsed(&ast, line, out);
                }
            }
            StatementKind::DropIndex {
                names,
                concurrently: true,
                ..
            } => self.check_concurrently(
                &format!("DROP INDEX CONCURRENTLY {}", names.join(", ")),
                line,
                out,
            ),
            StatementKind::DropIndex {
                names,
                concurrently: false,
                ..
            } => {
                for name in names {
                    self.drop_index(name, line, out);
                }
            }
            StatementKind::Unparsed { .. } | StatementKind::NotModelled { .. }
                if is_drop_owned(&statement.text) =>
            {
                self.drop_owned(line, out)
            }
            _ => {}
        }
    }

    fn check_parsed(&mut self, ast: &Ast, line: usize, out: &mut Vec<Finding>) {
        match ast {
            Ast::StartTransaction { statements, .. } if statements.is_empty() => {
                self.in_transaction = true;
            }
            Ast::Commit { .. } | Ast::Rollback { .. } => {
                self.in_transaction = false;
                // A later VALIDATE runs in a transaction of its own.
                self.not_valid.clear();
            }
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
                object_type: object_type @ (ObjectType::Schema | ObjectType::Database),
                names,
                cascade,
                ..
            } => {
                for name in names {
                    self.drop_schema(*object_type, name, *cascade, line, out);
                }
            }
            Ast::Drop {
                object_type: ObjectType::Index,
                names,
                ..
            } => {
                for name in names {
                    self.drop_index(&object_table(name), line, out);
                }
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
        let Some(reason) = self.transaction_reason() else {
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

    /// Why the statement at this point runs inside a transaction block, if it does: an explicit
    /// `BEGIN`, or the implicit transaction of Prisma Migrate's multi-statement script.
    fn transaction_reason(&self) -> Option<String> {
        if self.in_transaction {
            Some("it runs inside BEGIN ... COMMIT".to_owned())
        } else if self.ctx.change.head.set.framework == Framework::Prisma
            && self.statements.len() > 1
        {
            Some(format!(
                "Prisma Migrate runs this migration's {} statements as one multi-statement query, i.e. one implicit transaction",
                self.statements.len()
            ))
        } else {
            None
        }
    }

    fn alter_table(
        &mut self,
        table: &str,
        operations: &[AlterTableOperation],
        line: usize,
        out: &mut Vec<Finding>,
    ) {
        if self.ctx.dialect == Dialect::Sqlite || !self.existing(table, line) {
            return;
        }
        for operation in operations {
            if let AlterTableOperation::AddConstraint {
                constraint: TableConstraint::PrimaryKey(primary),
                ..
            } = operation
            {
                let columns: Vec<String> = primary
                    .columns
                    .iter()
                    .map(|column| column.column.expr.to_string())
                    .collect();
                out.push(self.primary_key_on_existing(table, &columns, line));
            }
        }
        if !self.postgres() {
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
            match operation {
                AlterTableOperation::AddConstraint {
                    constraint,
                    not_valid: true,
                } => {
                    if let Some(name) = constraint_ident(constraint) {
                        self.not_valid.push(NotValidConstraint {
                            table: table.to_owned(),
                            name,
                            foreign_key: matches!(constraint, TableConstraint::ForeignKey(_)),
                        });
                    }
                }
                AlterTableOperation::ValidateConstraint { name } => {
                    if let Some(finding) =
                        self.validate_in_same_transaction(table, &name.value, line)
                    {
                        out.push(finding);
                    }
                }
                AlterTableOperation::AddConstraint {
                    constraint,
                    not_valid: false,
                } => {
                    if let Some(finding) =
                        self.constraint_without_not_valid(table, constraint, line)
                    {
                        out.push(finding);
                    }
                }
                AlterTableOperation::AddColumn { column_def, .. } => {
                    if let Some(kind) = rewriting_generation(column_def) {
                        let message = format!(
                            "adds {kind} column \"{}\" to \"{table}\": Postgres computes it for every existing row, rewriting the table under an ACCESS EXCLUSIVE lock",
                            column_def.name.value
                        );
                        out.push(
                            Finding::new(&TABLE_REWRITE, self.file, line, message)
                                .on_table(table)
                                .on_column(&column_def.name.value),
                        );
                    }
                }
                _ => {}
            }
        }
    }

    /// `ADD PRIMARY KEY (columns)` on the existing `table`.
    fn primary_key_on_existing(&self, table: &str, columns: &[String], line: usize) -> Finding {
        let how = if self.postgres() {
            "Postgres builds its unique index under an ACCESS EXCLUSIVE lock (reads and writes wait for the whole build) and sets the columns NOT NULL"
        } else {
            "the table is rebuilt to add it"
        };
        let message = format!(
            "adds a primary key on ({}) of existing table \"{table}\": {how}; the migration fails if existing rows hold duplicates or NULLs",
            columns.join(", ")
        );
        Finding::new(&UNIQUE_ON_EXISTING, self.file, line, message).on_table(table)
    }

    /// `DROP SCHEMA` / `DROP DATABASE` (`object_type`) of `name`.
    fn drop_schema(
        &self,
        object_type: ObjectType,
        name: &ObjectName,
        cascade: bool,
        line: usize,
        out: &mut Vec<Finding>,
    ) {
        let name = object_table(name);
        // MySQL's DROP SCHEMA is DROP DATABASE: it drops the tables in it, CASCADE or not.
        let drops_contents =
            cascade || object_type == ObjectType::Database || self.ctx.dialect == Dialect::Mysql;
        let in_schema = |schema: Option<&str>| match object_type {
            ObjectType::Database => true,
            _ if name.eq_ignore_ascii_case("public") => schema.is_none(),
            _ => schema.is_some_and(|schema| schema.eq_ignore_ascii_case(&name)),
        };
        let tables = self.tables_before(line, in_schema);
        let what = if object_type == ObjectType::Database {
            "database"
        } else {
            "schema"
        };
        let named = if tables.is_empty() {
            "every table, view, function and type in it (the migrations create no table there)"
                .to_owned()
        } else {
            format!("every table in it: {}", quoted_list(&tables))
        };
        let mut finding = if drops_contents {
            let message =
                format!("drops {what} \"{name}\" and with it {named}: all their rows are gone");
            Finding::new(&DROP_SCHEMA, self.file, line, message)
        } else {
            let message = format!(
                "drops {what} \"{name}\" without CASCADE: Postgres refuses while it holds objects ({named}), so the migration fails, or it drops an empty schema"
            );
            let mut finding = Finding::new(&DROP_SCHEMA, self.file, line, message);
            finding.risk = Risk::High;
            finding
        };
        if let [only] = tables.as_slice() {
            finding = finding.on_table(only);
        }
        out.push(finding);
    }

    /// `DROP OWNED BY role`: every object the role owns goes, tables included.
    fn drop_owned(&self, line: usize, out: &mut Vec<Finding>) {
        if self.ctx.dialect != Dialect::Postgres {
            return;
        }
        let message = "drops every object owned by the role (DROP OWNED), tables and their rows included: which tables that is depends on ownership on the server, which the migration does not show";
        out.push(Finding::new(&DROP_SCHEMA, self.file, line, message));
    }

    /// The tables that exist just before `line` (the base's, following the PR's own changes)
    /// whose schema (`None`: the default one) `in_schema` accepts.
    fn tables_before(&self, line: usize, in_schema: impl Fn(Option<&str>) -> bool) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        let known = self.ctx.change.head.schema.tables.iter().chain(
            self.ctx
                .change
                .base
                .iter()
                .flat_map(|base| &base.schema.tables),
        );
        for table in known {
            let listed = names.iter().any(|name| same_name(name, &table.name));
            if !listed && in_schema(table.schema.as_deref()) && self.existing(&table.name, line) {
                names.push(table.name.clone());
            }
        }
        names
    }

    /// `VALIDATE CONSTRAINT name` of a constraint this file added `NOT VALID` in the same
    /// transaction: the ADD's lock is still held while every row is checked.
    fn validate_in_same_transaction(
        &self,
        table: &str,
        name: &str,
        line: usize,
    ) -> Option<Finding> {
        let added = self
            .not_valid
            .iter()
            .find(|c| same_name(&c.table, table) && same_name(&c.name, name))?;
        let reason = self.transaction_reason()?;
        let rule = if added.foreign_key {
            &FK_WITHOUT_NOT_VALID
        } else {
            &CHECK_WITHOUT_NOT_VALID
        };
        let message = format!(
            "validates constraint \"{name}\" of \"{table}\" in the same transaction that added it NOT VALID ({reason}): the ACCESS EXCLUSIVE lock the ADD took is held while every row is checked, so NOT VALID gains nothing; validate in a later migration"
        );
        Some(Finding::new(rule, self.file, line, message).on_table(table))
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
                covered: self.lock_timeout_on,
            });
        }
    }

    /// One finding per file, at its first lock-heavy statement that runs without a
    /// lock_timeout in force.
    fn report_missing_lock_timeout(&self, out: &mut Vec<Finding>) {
        let mut uncovered = self.locking.iter().filter(|statement| !statement.covered);
        let Some(first) = uncovered.next() else {
            return;
        };
        let more = match uncovered.count() {
            0 => String::new(),
            n => format!(
                " (and {n} more locking statement{} in this file)",
                if n == 1 { "" } else { "s" }
            ),
        };
        let later = if self.locking.iter().any(|statement| statement.covered) {
            "; a lock_timeout set later in the file does not cover it"
        } else {
            ""
        };
        let message = format!(
            "{} on existing table \"{}\" waits for its lock without a lock_timeout, queueing all traffic on \"{}\" behind it{more}{later}",
            first.what, first.table, first.table
        );
        out.push(
            Finding::new(&MISSING_LOCK_TIMEOUT, self.file, first.line, message)
                .on_table(&first.table),
        );
    }

    /// A plain `DROP INDEX name` (Postgres): ACCESS EXCLUSIVE on the index's table.
    fn drop_index(&mut self, index: &str, line: usize, out: &mut Vec<Finding>) {
        if !self.postgres() {
            return;
        }
        let Some(table) = self.table_of_index(index) else {
            return;
        };
        if !self.existing(&table, line) {
            return;
        }
        self.note_locking(&table, line, "DROP INDEX");
        let message = format!(
            "drops index \"{index}\" of existing table \"{table}\" without CONCURRENTLY: Postgres takes an ACCESS EXCLUSIVE lock on \"{table}\", so reads and writes wait"
        );
        out.push(Finding::new(&INDEX_NOT_CONCURRENTLY, self.file, line, message).on_table(table));
    }

    /// The table an index of the base schema belongs to.
    fn table_of_index(&self, index: &str) -> Option<String> {
        let base = self.ctx.change.base.as_ref()?;
        base.schema
            .tables
            .iter()
            .find(|table| table.indexes.iter().any(|i| same_name(&i.name, index)))
            .map(|table| table.name.clone())
    }

    /// REINDEX, VACUUM FULL, CLUSTER, LOCK TABLE (Postgres).
    fn maintenance(&mut self, maintenance: Maintenance, line: usize, out: &mut Vec<Finding>) {
        match maintenance {
            Maintenance::Reindex {
                concurrently: false,
                table,
                index,
            } => {
                let table = table.or_else(|| index.as_deref().and_then(|i| self.table_of_index(i)));
                let Some(table) = table.filter(|t| self.existing(t, line)) else {
                    return;
                };
                self.note_locking(&table, line, "REINDEX");
                let message = format!(
                    "rebuilds indexes of existing table \"{table}\" without CONCURRENTLY: writes to \"{table}\" are blocked for the whole rebuild"
                );
                out.push(
                    Finding::new(&INDEX_NOT_CONCURRENTLY, self.file, line, message).on_table(table),
                );
            }
            Maintenance::Reindex { .. } => {
                self.check_concurrently("REINDEX ... CONCURRENTLY", line, out)
            }
            Maintenance::VacuumFull { tables } => {
                self.check_concurrently("VACUUM", line, out);
                for table in tables {
                    self.rewrite_in_place(&table, "VACUUM FULL", line, out);
                }
            }
            Maintenance::Cluster { table: Some(table) } => {
                self.rewrite_in_place(&table, "CLUSTER", line, out)
            }
            Maintenance::Cluster { table: None } => {}
            Maintenance::LockTable { tables } => {
                for table in tables {
                    self.note_locking(&table, line, "LOCK TABLE");
                }
            }
        }
    }

    /// VACUUM FULL / CLUSTER of the existing `table`: rewritten under ACCESS EXCLUSIVE.
    fn rewrite_in_place(
        &mut self,
        table: &str,
        what: &'static str,
        line: usize,
        out: &mut Vec<Finding>,
    ) {
        if !self.existing(table, line) {
            return;
        }
        self.note_locking(table, line, what);
        let message = format!(
            "{what} rewrites existing table \"{table}\" into a new file under an ACCESS EXCLUSIVE lock: reads and writes wait for the whole rewrite"
        );
        out.push(Finding::new(&TABLE_REWRITE, self.file, line, message).on_table(table));
    }
}

/// Why adding `column` computes a value for every existing row, if it does: a stored generated
/// column or an identity column.
fn rewriting_generation(column: &ColumnDef) -> Option<&'static str> {
    column
        .options
        .iter()
        .find_map(|option| match &option.option {
            ColumnOption::Generated {
                generation_expr: Some(_),
                generation_expr_mode,
                ..
            } => (*generation_expr_mode != Some(GeneratedExpressionMode::Virtual))
                .then_some("stored generated"),
            ColumnOption::Generated {
                generation_expr: None,
                ..
            } => Some("identity"),
            _ => None,
        })
}

/// Whether a statement is `DROP OWNED BY ...` (which sqlparser does not parse).
fn is_drop_owned(text: &str) -> bool {
    let mut words = text.split_whitespace();
    matches!(
        (words.next(), words.next()),
        (Some(drop), Some(owned)) if drop.eq_ignore_ascii_case("drop") && owned.eq_ignore_ascii_case("owned")
    )
}

/// The name a constraint was given, if any.
fn constraint_ident(constraint: &TableConstraint) -> Option<String> {
    let name = match constraint {
        TableConstraint::ForeignKey(fk) => fk.name.as_ref(),
        TableConstraint::Check(check) => check.name.as_ref(),
        _ => None,
    };
    name.map(|ident| ident.value.clone())
}

/// `"a", "b", "c"`.
fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|name| format!("\"{name}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// DELETE or UPDATE.
#[derive(Clone, Copy)]
enum DataChange {
    Delete,
    Update,
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
