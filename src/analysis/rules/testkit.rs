//! Hand-built [`SetChange`]s for the rule unit tests: statements are parsed with sqlparser
//! directly (split on `;`, `--` comments collected), schema events and schemas are given.

use sqlparser::parser::Parser;

use crate::analysis::cascade::CascadeChange;
use crate::analysis::detect::{DialectSource, Framework, Migration, MigrationSet};
use crate::analysis::diagnostic::Diagnostic;
use crate::analysis::dialect::Dialect;
use crate::analysis::diff::{FileDiff, SchemaDiff};
use crate::analysis::pipeline::{ParsedMigration, SetAnalysis, SetChange};
use crate::analysis::replay::{Location, SchemaChange, SchemaEvent};
use crate::analysis::schema::{Column, Schema, Table};
use crate::analysis::sql::{Comment, SqlFile, Statement, StatementKind};

/// Splits and parses test SQL: statements end at `;`, `--` comments run to the end of the line.
pub fn parse(sql: &str, dialect: Dialect) -> SqlFile {
    let mut file = SqlFile::default();
    let mut pending = String::new();
    let mut start = None;
    for (index, raw) in sql.lines().enumerate() {
        let line = index + 1;
        let (code, comment) = match raw.find("--") {
            Some(at) => (&raw[..at], Some(&raw[at + 2..])),
            None => (raw, None),
        };
        if let Some(text) = comment {
            file.comments.push(Comment {
                line,
                text: text.trim().to_owned(),
            });
        }
        for (i, piece) in code.split(';').enumerate() {
            if i > 0 {
                push_statement(&mut file, &mut pending, &mut start, dialect);
            }
            if !piece.trim().is_empty() && start.is_none() {
                start = Some(line);
            }
            if start.is_some() {
                pending.push_str(piece);
                pending.push('\n');
            }
        }
    }
    push_statement(&mut file, &mut pending, &mut start, dialect);
    file
}

fn push_statement(
    file: &mut SqlFile,
    pending: &mut String,
    start: &mut Option<usize>,
    dialect: Dialect,
) {
    let text = pending.trim().to_owned();
    pending.clear();
    let Some(line) = start.take() else {
        return;
    };
    if text.is_empty() {
        return;
    }
    let kind = match Parser::parse_sql(dialect.parser_dialect(), &text) {
        Ok(mut parsed) if parsed.len() == 1 => StatementKind::Parsed(Box::new(parsed.remove(0))),
        Ok(_) => StatementKind::Unparsed {
            error: "not one statement".to_owned(),
        },
        Err(error) => StatementKind::Unparsed {
            error: error.to_string(),
        },
    };
    file.statements.push(Statement { line, text, kind });
}

/// A migration of the set, parsed.
pub fn migration(path: &str, version: &str, sql: &str, dialect: Dialect) -> ParsedMigration {
    ParsedMigration {
        migration: Migration {
            version: version.to_owned(),
            name: "test".to_owned(),
            path: path.to_owned(),
            down_path: None,
            has_down_section: false,
        },
        up_sql: std::sync::Arc::from(sql),
        sql: std::sync::Arc::new(parse(sql, dialect)),
    }
}

/// A schema event.
pub fn event(file: &str, line: usize, change: SchemaChange) -> SchemaEvent {
    SchemaEvent {
        at: Location {
            file: file.to_owned(),
            line,
        },
        change,
    }
}

/// A column.
pub fn column(name: &str, data_type: &str, nullable: bool) -> Column {
    Column {
        name: name.to_owned(),
        data_type: data_type.to_owned(),
        nullable,
        default: None,
        primary_key: false,
        identity: false,
    }
}

/// A table with these columns.
pub fn table(name: &str, columns: Vec<Column>) -> Table {
    Table {
        name: name.to_owned(),
        columns,
        ..Table::default()
    }
}

/// Builds a [`SetChange`]: base migrations, then the PR's migrations (added at the end of the
/// set unless placed otherwise), events, schemas and diagnostics.
pub struct ChangeBuilder {
    pub dialect: Dialect,
    pub framework: Framework,
    pub supports_down: bool,
    pub base: Vec<ParsedMigration>,
    pub head: Vec<ParsedMigration>,
    pub changed_files: Vec<String>,
    pub removed_files: Vec<String>,
    pub pr_events: Vec<SchemaEvent>,
    pub base_schema: Schema,
    pub head_schema: Schema,
    pub cascade_changes: Vec<CascadeChange>,
    pub head_diagnostics: Vec<Diagnostic>,
    pub base_diagnostics: Vec<Diagnostic>,
    pub file_diffs: Vec<FileDiff>,
    pub prisma_schema_files: Vec<String>,
}

impl ChangeBuilder {
    /// An empty change of a Prisma set in `dialect`.
    pub fn new(dialect: Dialect) -> Self {
        ChangeBuilder {
            dialect,
            framework: Framework::Prisma,
            supports_down: false,
            base: Vec::new(),
            head: Vec::new(),
            changed_files: Vec::new(),
            removed_files: Vec::new(),
            pr_events: Vec::new(),
            base_schema: Schema::default(),
            head_schema: Schema::default(),
            cascade_changes: Vec::new(),
            head_diagnostics: Vec::new(),
            base_diagnostics: Vec::new(),
            file_diffs: Vec::new(),
            prisma_schema_files: Vec::new(),
        }
    }

    /// A migration present at base and unchanged at head.
    pub fn applied(mut self, path: &str, version: &str, sql: &str) -> Self {
        let parsed = migration(path, version, sql, self.dialect);
        self.base.push(parsed.clone());
        self.head.push(parsed);
        self
    }

    /// A migration the PR adds.
    pub fn added(mut self, path: &str, version: &str, sql: &str) -> Self {
        self.head.push(migration(path, version, sql, self.dialect));
        self.changed_files.push(path.to_owned());
        self
    }

    /// A schema event of the PR.
    pub fn with_event(mut self, file: &str, line: usize, change: SchemaChange) -> Self {
        self.pr_events.push(event(file, line, change));
        self
    }

    fn analysis(
        &self,
        migrations: Vec<ParsedMigration>,
        schema: Schema,
        diagnostics: Vec<Diagnostic>,
    ) -> SetAnalysis {
        SetAnalysis {
            set: MigrationSet {
                framework: self.framework,
                root: "prisma/migrations".to_owned(),
                dialect: self.dialect,
                dialect_source: DialectSource::Assumed,
                migrations: migrations.iter().map(|m| m.migration.clone()).collect(),
                prisma_schema_files: self.prisma_schema_files.clone(),
                supports_down: self.supports_down,
            },
            migrations,
            schema,
            events: Vec::new(),
            prisma: None,
            diagnostics,
        }
    }

    /// The change.
    pub fn build(self) -> SetChange {
        let base = self.analysis(
            self.base.clone(),
            self.base_schema.clone(),
            self.base_diagnostics.clone(),
        );
        let head = self.analysis(
            self.head.clone(),
            self.head_schema.clone(),
            self.head_diagnostics.clone(),
        );
        SetChange {
            head,
            base: Some(base),
            changed_files: self.changed_files,
            removed_files: self.removed_files,
            pr_events: self.pr_events,
            schema_diff: SchemaDiff::default(),
            cascade_changes: self.cascade_changes,
            file_diffs: self.file_diffs,
        }
    }
}
