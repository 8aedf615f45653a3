//! Rules read from the schema events of the PR's migration files: what was dropped, renamed,
//! added as required, retyped, made unique or NOT NULL, and foreign keys added or dropped.

use std::collections::HashSet;

use super::Finding;
use super::catalog::{
    ADD_REQUIRED_COLUMN, DROP_COLUMN, DROP_FOREIGN_KEY, DROP_TABLE, NARROWING_TYPE_CHANGE,
    RENAME_COLUMN, RENAME_TABLE, SET_NOT_NULL, SET_NULL_ON_NOT_NULL, TABLE_REWRITE,
    UNIQUE_ON_EXISTING, WIDENING_TYPE_CHANGE,
};
use super::context::Context;
use super::defaults::rewriting_call;
use super::types::{TypeChange, classify_type_change, postgres_changes_in_place};
use crate::analysis::dialect::Dialect;
use crate::analysis::replay::{Location, SchemaChange, SchemaEvent};
use crate::analysis::schema::{Column, ForeignKey, Index, ReferentialAction, same_name};

/// Findings of the event rules over the PR's schema events.
pub(super) fn event_findings(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let scan = EventScan::new(ctx);
    for event in &ctx.change.pr_events {
        scan.check(event, out);
    }
}

/// The PR's events, indexed for the rules that look at more than one event.
struct EventScan<'c, 'a> {
    ctx: &'c Context<'a>,
    /// (file, line, lowercase table) of every SQLite table redefinition: the drop/add/alter
    /// events at the same place come from a table rewrite.
    redefinitions: HashSet<(&'a str, usize, String)>,
    /// (lowercase table, lowercase columns) of every foreign key the PR adds: a dropped foreign
    /// key on the same columns was replaced, not removed.
    added_foreign_keys: HashSet<(String, Vec<String>)>,
}

impl<'c, 'a> EventScan<'c, 'a> {
    fn new(ctx: &'c Context<'a>) -> Self {
        let mut scan = EventScan {
            ctx,
            redefinitions: HashSet::new(),
            added_foreign_keys: HashSet::new(),
        };
        for event in &ctx.change.pr_events {
            scan.index(event);
        }
        scan
    }

    fn index(&mut self, event: &'a SchemaEvent) {
        let at = (event.at.file.as_str(), event.at.line);
        match &event.change {
            SchemaChange::RedefineTable { table, .. } => {
                self.redefinitions
                    .insert((at.0, at.1, table.to_ascii_lowercase()));
            }
            SchemaChange::AddForeignKey { table, foreign_key } => {
                self.added_foreign_keys
                    .insert(foreign_key_key(table, foreign_key));
            }
            _ => {}
        }
    }

    fn check(&self, event: &SchemaEvent, out: &mut Vec<Finding>) {
        let at = &event.at;
        match &event.change {
            SchemaChange::DropTable { table } => self.drop_table(at, table, out),
            SchemaChange::DropColumn { table, column } => {
                self.drop_column(at, table, &column.name, out)
            }
            // The columns a table rewrite adds or retypes come as events of their own.
            SchemaChange::RedefineTable { table, dropped, .. } => {
                for column in dropped {
                    self.drop_column(at, table, column, out);
                }
            }
            SchemaChange::RenameTable { from, to } => self.rename_table(at, from, to, out),
            SchemaChange::RenameColumn { table, from, to } => {
                self.rename_column(at, table, from, to, out)
            }
            SchemaChange::AddColumn { table, column } => self.add_column(at, table, column, out),
            SchemaChange::AlterColumn {
                table,
                before,
                after,
            } => self.alter_column(at, table, before, after, out),
            SchemaChange::CreateIndex { table, index } => self.create_index(at, table, index, out),
            SchemaChange::CreateTable { table } => self.create_table(at, table, out),
            SchemaChange::AddForeignKey { table, foreign_key } => {
                self.add_foreign_key(at, table, foreign_key, out)
            }
            SchemaChange::DropForeignKey { table, foreign_key } => {
                self.drop_foreign_key(at, table, foreign_key, out)
            }
            _ => {}
        }
    }

    fn existing(&self, at: &Location, table: &str) -> bool {
        self.ctx.is_existing_table_at(table, &at.file, at.line)
    }

    fn is_redefinition(&self, at: &Location, table: &str) -> bool {
        self.redefinitions
            .contains(&(at.file.as_str(), at.line, table.to_ascii_lowercase()))
    }

    /// Whether Prisma's `Warnings:` header of the migration at `at` says `phrase` about
    /// `column` of `table` (e.g. "drop the column `x` on the `T` table"), compared lowercase.
    fn prisma_warns(&self, at: &Location, phrase: &str, column: &str, table: &str) -> bool {
        let Some(migration) = self.ctx.changed_migration(&at.file) else {
            return false;
        };
        let fragments = [
            phrase.to_ascii_lowercase(),
            format!("`{}`", column.to_ascii_lowercase()),
            format!("`{}`", table.to_ascii_lowercase()),
        ];
        migration.sql.comments.iter().any(|comment| {
            let text = comment.text.to_ascii_lowercase();
            fragments.iter().all(|f| text.contains(f.as_str()))
        })
    }

    fn drop_table(&self, at: &Location, table: &str, out: &mut Vec<Finding>) {
        if !self.existing(at, table) {
            return;
        }
        let message = format!("drops table \"{table}\": every row it holds is deleted");
        out.push(Finding::new(&DROP_TABLE, &at.file, at.line, message).on_table(table));
    }

    fn drop_column(&self, at: &Location, table: &str, column: &str, out: &mut Vec<Finding>) {
        if !self.existing(at, table) {
            return;
        }
        let mut message = format!("drops column \"{column}\" of \"{table}\": its data is lost");
        if self.is_redefinition(at, table) {
            message.push_str(" (the table rewrite does not copy it)");
        }
        if self.prisma_warns(at, "drop the column", column, table) {
            message.push_str("; Prisma's migration warnings say so too");
        }
        out.push(
            Finding::new(&DROP_COLUMN, &at.file, at.line, message)
                .on_table(table)
                .on_column(column),
        );
    }

    fn rename_table(&self, at: &Location, from: &str, to: &str, out: &mut Vec<Finding>) {
        let rewrite_step = from
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("new_"))
            && from.get(4..).is_some_and(|rest| same_name(rest, to));
        if rewrite_step || !self.existing(at, from) {
            return;
        }
        let message = format!(
            "renames table \"{from}\" to \"{to}\": deployed code that still uses \"{from}\" fails until the new code is out"
        );
        out.push(Finding::new(&RENAME_TABLE, &at.file, at.line, message).on_table(to));
    }

    fn rename_column(
        &self,
        at: &Location,
        table: &str,
        from: &str,
        to: &str,
        out: &mut Vec<Finding>,
    ) {
        if !self.existing(at, table) {
            return;
        }
        let mut message = format!(
            "renames column \"{from}\" of \"{table}\" to \"{to}\": deployed code that still uses \"{from}\" fails until the new code is out"
        );
        if self.prisma_warns(at, "drop the column", from, table) {
            message.push_str(&format!(
                "; Prisma's warnings say \"{from}\" is dropped, but the (hand-edited) migration copies its data into \"{to}\""
            ));
        }
        out.push(
            Finding::new(&RENAME_COLUMN, &at.file, at.line, message)
                .on_table(table)
                .on_column(to),
        );
    }

    fn add_column(&self, at: &Location, table: &str, column: &Column, out: &mut Vec<Finding>) {
        if !self.existing(at, table) {
            return;
        }
        if let Some(default) =
            volatile_default(column).filter(|_| self.ctx.dialect == Dialect::Postgres)
        {
            let message = format!(
                "adds column \"{}\" to \"{table}\" with default {default}: Postgres rewrites every row under an ACCESS EXCLUSIVE lock",
                column.name
            );
            out.push(
                Finding::new(&TABLE_REWRITE, &at.file, at.line, message)
                    .on_table(table)
                    .on_column(&column.name),
            );
        }
        if column.nullable
            || column.default.is_some()
            || column.identity
            || is_generated_type(&column.data_type)
        {
            return;
        }
        let mut message = format!(
            "adds required column \"{}\" ({}) to existing table \"{table}\" without a default: existing rows have no value for it",
            column.name, column.data_type
        );
        if self.is_redefinition(at, table) {
            message.push_str(", so the table rewrite's INSERT ... SELECT fails (and the Prisma migration with it) as soon as the table has rows");
        } else {
            message.push_str(", so the migration fails as soon as the table has rows");
        }
        if self.prisma_warns(at, "required column", &column.name, table) {
            message.push_str("; Prisma's migration warnings say so too");
        }
        out.push(
            Finding::new(&ADD_REQUIRED_COLUMN, &at.file, at.line, message)
                .on_table(table)
                .on_column(&column.name),
        );
    }

    fn alter_column(
        &self,
        at: &Location,
        table: &str,
        before: &Column,
        after: &Column,
        out: &mut Vec<Finding>,
    ) {
        if !self.existing(at, table) {
            return;
        }
        self.type_change(at, table, before, after, out);
        if before.nullable && !after.nullable {
            self.set_not_null(at, table, after, out);
        }
    }

    fn type_change(
        &self,
        at: &Location,
        table: &str,
        before: &Column,
        after: &Column,
        out: &mut Vec<Finding>,
    ) {
        let (from, to) = (before.data_type.as_str(), after.data_type.as_str());
        let column = after.name.as_str();
        let (rule, effect) = match classify_type_change(from, to) {
            TypeChange::Same => return,
            TypeChange::Narrowing => (
                &NARROWING_TYPE_CHANGE,
                "existing values may fail to convert (the migration aborts) or be truncated",
            ),
            TypeChange::Widening => (&WIDENING_TYPE_CHANGE, "every existing value fits"),
        };
        let message = format!(
            "changes the type of \"{column}\" of \"{table}\" from {from} to {to}: {effect}"
        );
        out.push(
            Finding::new(rule, &at.file, at.line, message)
                .on_table(table)
                .on_column(column),
        );
        if self.ctx.dialect == Dialect::Postgres && !postgres_changes_in_place(from, to) {
            let message = format!(
                "changing \"{column}\" of \"{table}\" from {from} to {to} rewrites the whole table under an ACCESS EXCLUSIVE lock"
            );
            out.push(
                Finding::new(&TABLE_REWRITE, &at.file, at.line, message)
                    .on_table(table)
                    .on_column(column),
            );
        }
    }

    fn set_not_null(&self, at: &Location, table: &str, column: &Column, out: &mut Vec<Finding>) {
        let how = if self.is_redefinition(at, table) {
            "the table rewrite's INSERT ... SELECT fails if any existing row holds NULL"
        } else {
            "the migration fails if any existing row holds NULL"
        };
        let message = format!("makes \"{}\" of \"{table}\" NOT NULL: {how}", column.name);
        out.push(
            Finding::new(&SET_NOT_NULL, &at.file, at.line, message)
                .on_table(table)
                .on_column(&column.name),
        );
        if let Some(fk) = self.set_null_foreign_key_on(table, &column.name) {
            out.push(set_null_on_not_null(at, table, &column.name, fk));
        }
    }

    /// A head foreign key of `table` with ON DELETE SET NULL that covers `column`.
    fn set_null_foreign_key_on(&self, table: &str, column: &str) -> Option<&'a ForeignKey> {
        self.ctx
            .change
            .head
            .schema
            .table(table)?
            .foreign_keys
            .iter()
            .find(|fk| {
                fk.on_delete == ReferentialAction::SetNull
                    && fk.columns.iter().any(|c| same_name(c, column))
            })
    }

    fn create_index(&self, at: &Location, table: &str, index: &Index, out: &mut Vec<Finding>) {
        if !index.unique || !self.existing(at, table) || self.unique_at_base(table, &index.columns)
        {
            return;
        }
        let message = format!(
            "makes ({}) of existing table \"{table}\" unique (\"{}\"): the migration fails if existing rows hold duplicates",
            index.columns.join(", "),
            index.name
        );
        out.push(Finding::new(&UNIQUE_ON_EXISTING, &at.file, at.line, message).on_table(table));
    }

    /// Whether the base schema already enforced uniqueness of exactly these columns (a table
    /// rewrite re-creates its indexes; that adds no constraint).
    fn unique_at_base(&self, table: &str, columns: &[String]) -> bool {
        let Some(base_table) = self
            .ctx
            .change
            .base
            .as_ref()
            .and_then(|b| b.schema.table(table))
        else {
            return false;
        };
        base_table.indexes.iter().any(|index| {
            index.unique
                && index.predicate.is_none()
                && index.columns.len() == columns.len()
                && index
                    .columns
                    .iter()
                    .zip(columns)
                    .all(|(a, b)| same_name(a, b))
        })
    }

    /// A new table's inline foreign keys come with its `CREATE TABLE`, not as events of their
    /// own: check them against its columns at head.
    fn create_table(&self, at: &Location, table: &str, out: &mut Vec<Finding>) {
        let Some(head_table) = self.ctx.change.head.schema.table(table) else {
            return;
        };
        for fk in &head_table.foreign_keys {
            self.add_foreign_key(at, table, fk, out);
        }
    }

    fn add_foreign_key(&self, at: &Location, table: &str, fk: &ForeignKey, out: &mut Vec<Finding>) {
        if fk.on_delete != ReferentialAction::SetNull {
            return;
        }
        let Some(head_table) = self.ctx.change.head.schema.table(table) else {
            return;
        };
        let required = fk
            .columns
            .iter()
            .find(|name| head_table.column(name).is_some_and(|c| !c.nullable));
        if let Some(column) = required {
            out.push(set_null_on_not_null(at, table, column, fk));
        }
    }

    fn drop_foreign_key(
        &self,
        at: &Location,
        table: &str,
        fk: &ForeignKey,
        out: &mut Vec<Finding>,
    ) {
        if !self.existing(at, table)
            || self
                .added_foreign_keys
                .contains(&foreign_key_key(table, fk))
        {
            return;
        }
        let message = format!(
            "drops foreign key {}({}) -> \"{}\": the database no longer stops orphaned rows, and its ON DELETE {} is gone",
            fk.name
                .as_deref()
                .map(|n| format!("\"{n}\" "))
                .unwrap_or_default(),
            fk.columns.join(", "),
            fk.ref_table,
            fk.on_delete
        );
        out.push(Finding::new(&DROP_FOREIGN_KEY, &at.file, at.line, message).on_table(table));
    }
}

/// The `set-null-on-not-null` finding for `column` of `table`.
fn set_null_on_not_null(at: &Location, table: &str, column: &str, fk: &ForeignKey) -> Finding {
    let message = format!(
        "foreign key on \"{table}\".\"{column}\" -> \"{}\" is ON DELETE SET NULL but \"{column}\" is NOT NULL: deleting a referenced \"{}\" row will fail",
        fk.ref_table, fk.ref_table
    );
    Finding::new(&SET_NULL_ON_NOT_NULL, &at.file, at.line, message)
        .on_table(table)
        .on_column(column)
}

/// Identifies a foreign key by its table and columns, lowercase.
fn foreign_key_key(table: &str, fk: &ForeignKey) -> (String, Vec<String>) {
    (
        table.to_ascii_lowercase(),
        fk.columns.iter().map(|c| c.to_ascii_lowercase()).collect(),
    )
}

/// Why adding `column` makes Postgres rewrite the table, if it does: a default that calls a
/// function not known to be STABLE or IMMUTABLE (evaluated per row; see [`rewriting_call`]), or
/// the `nextval` of a `SERIAL` type. `now()` and `CURRENT_TIMESTAMP` are STABLE: since Postgres
/// 11 they are evaluated once and stored as the value of existing rows, without a rewrite.
fn volatile_default(column: &Column) -> Option<String> {
    if is_generated_type(&column.data_type) {
        return Some(format!("nextval() of {}", column.data_type));
    }
    let default = column.default.as_deref()?;
    let call = rewriting_call(default)?;
    Some(format!(
        "{default} (it calls {call}, which is VOLATILE or not known to be STABLE or IMMUTABLE)"
    ))
}

/// Whether the type fills itself in (`SERIAL` and friends), so NOT NULL without an explicit
/// default is fine.
fn is_generated_type(data_type: &str) -> bool {
    data_type.to_ascii_uppercase().contains("SERIAL")
}
