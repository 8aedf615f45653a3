//! Hand-built analysis values for the review and execution tests: a migration set whose
//! statements are split naively on `;` (the test SQL has no `;` inside strings), with the line of
//! each statement's first character, as the real splitter reports it.

use schemagate::analysis::detect::{DialectSource, Framework, Migration, MigrationSet};
use schemagate::analysis::dialect::Dialect;
use schemagate::analysis::pipeline::{ParsedMigration, SetAnalysis};
use std::sync::Arc;

use schemagate::analysis::sql::{SqlFile, Statement, StatementKind};

/// Splits `sql` on `;` into statements with their 1-based lines.
pub fn split(sql: &str) -> Vec<Statement> {
    let mut statements = Vec::new();
    let mut line = 1;
    for piece in sql.split(';') {
        let leading = &piece[..piece.len() - piece.trim_start().len()];
        let start_line = line + leading.matches('\n').count();
        line += piece.matches('\n').count();
        let text = piece.trim();
        if !text.is_empty() {
            statements.push(Statement {
                line: start_line,
                text: text.to_owned(),
                kind: StatementKind::NotModelled {
                    what: "hand-built test statement".to_owned(),
                },
            });
        }
    }
    statements
}

/// A migration at `path` holding `sql`.
pub fn migration(path: &str, sql: &str) -> ParsedMigration {
    ParsedMigration {
        migration: Migration {
            version: path.to_owned(),
            name: path.to_owned(),
            path: path.to_owned(),
            down_path: None,
            has_down_section: false,
        },
        up_sql: Arc::from(sql),
        sql: Arc::new(SqlFile {
            statements: split(sql),
            ..SqlFile::default()
        }),
    }
}

/// A Prisma-like set of `migrations` in `dialect`, with an empty schema and no events.
pub fn set(dialect: Dialect, migrations: Vec<ParsedMigration>) -> SetAnalysis {
    SetAnalysis {
        set: MigrationSet {
            framework: Framework::Prisma,
            root: "prisma/migrations".to_owned(),
            dialect,
            dialect_source: DialectSource::CommandLine,
            migrations: migrations.iter().map(|m| m.migration.clone()).collect(),
            prisma_schema_files: Vec::new(),
            supports_down: false,
        },
        migrations,
        schema: Default::default(),
        events: Vec::new(),
        prisma: None,
        diagnostics: Vec::new(),
    }
}
