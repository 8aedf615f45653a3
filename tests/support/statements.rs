//! Test helper: turns test SQL into `Statement`s without `sql::parse_file`.
//!
//! Splits on `;` (so test SQL must not contain `;` inside strings), keeps each statement's
//! 1-based line, turns `PRAGMA name[=value]` into `StatementKind::Pragma` and parses the rest
//! with sqlparser (what it rejects becomes `StatementKind::Unparsed`).
//!
//! Paths go through `crate::analysis`: the library includes this file in its unit tests, and an
//! integration test includes it after `use schemagate::analysis;` at its root.

use sqlparser::parser::Parser;

use crate::analysis::dialect::Dialect;
use crate::analysis::sql::{Statement, StatementKind};

/// The statements of `sql`, in order.
pub fn statements(dialect: Dialect, sql: &str) -> Vec<Statement> {
    let mut offset = 0;
    let mut result = Vec::new();
    for chunk in sql.split(';') {
        let leading = chunk.len() - chunk.trim_start().len();
        let text = chunk.trim();
        if !text.is_empty() {
            let line = 1 + sql[..offset + leading].matches('\n').count();
            result.push(Statement {
                line,
                text: text.to_string(),
                kind: kind_of(dialect, text),
            });
        }
        offset += chunk.len() + 1;
    }
    result
}

/// What one statement is.
fn kind_of(dialect: Dialect, text: &str) -> StatementKind {
    if let Some(pragma) = text
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("PRAGMA "))
        .and_then(|_| text.get(7..))
    {
        let (name, value) = match pragma.split_once('=') {
            Some((name, value)) => (name, Some(value.trim().trim_matches('"').to_string())),
            None => (pragma, None),
        };
        return StatementKind::Pragma {
            name: name.trim().to_ascii_lowercase(),
            value,
        };
    }
    match Parser::parse_sql(dialect.parser_dialect(), text) {
        Ok(mut parsed) if parsed.len() == 1 => match parsed.pop() {
            Some(statement) => StatementKind::Parsed(Box::new(statement)),
            None => unparsed("empty"),
        },
        Ok(_) => unparsed("not exactly one statement"),
        Err(error) => unparsed(&error.to_string()),
    }
}

/// An `Unparsed` kind with this error.
fn unparsed(error: &str) -> StatementKind {
    StatementKind::Unparsed {
        error: error.to_string(),
    }
}
