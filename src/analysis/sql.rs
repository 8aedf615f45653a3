//! Split a migration file into statements (with their line numbers) and parse each on its own.
//!
//! [`split()`] finds the statements and comments in one linear scan; each statement is then
//! parsed on its own with sqlparser, and what sqlparser rejects goes to the `fallback`
//! recognisers (`PRAGMA x = ON`, `DO $$..$$`, `DROP INDEX CONCURRENTLY`, ...). The `depth` guard
//! keeps statements whose syntax tree would be deep enough to overflow the stack out of sqlparser,
//! and [`MAX_STATEMENT_BYTES`] keeps statements too large to parse in bounded memory out of it.

mod depth;
mod fallback;
pub mod split;

use sqlparser::ast::{Statement as SqlStatement, Value};
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, Tokenizer};

use super::diagnostic::{Diagnostic, DiagnosticKind};
use super::dialect::Dialect;
pub use split::{RawStatement, Split, Unterminated, split};

/// The largest statement handed to sqlparser: 1 MiB. The largest statements of real migrations
/// (a `CREATE TABLE` with hundreds of columns, a function body, a seed `INSERT` of a few
/// thousand rows) are tens of kilobytes; sqlparser holds about 100 bytes of tokens and syntax
/// tree per byte of SQL while it parses, so this caps one parse at about 100 MiB. A longer
/// statement becomes [`StatementKind::TooLarge`] and a [`DiagnosticKind::TooLarge`] diagnostic.
pub const MAX_STATEMENT_BYTES: usize = 1024 * 1024;

/// One SQL statement of a migration file.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// 1-based line of the statement's first significant character in its file.
    pub line: usize,
    /// The statement text (without the terminating `;`), as in the file.
    pub text: String,
    /// What the statement is.
    pub kind: StatementKind,
}

/// What a statement is: parsed by sqlparser, recognised by schemagate, or not understood.
#[derive(Clone, Debug, PartialEq)]
pub enum StatementKind {
    /// sqlparser parsed it.
    Parsed(Box<sqlparser::ast::Statement>),
    /// `PRAGMA name` / `PRAGMA name = value` / `PRAGMA name(value)` (SQLite).
    Pragma {
        /// Pragma name, lowercase, without schema prefix (e.g. `foreign_keys`).
        name: String,
        /// The value, if any, as written without quotes (e.g. `OFF`).
        value: Option<String>,
    },
    /// `DROP INDEX [CONCURRENTLY] [IF EXISTS] a, b [CASCADE]` that sqlparser rejected.
    DropIndex {
        /// Index names, without quotes or schema prefix.
        names: Vec<String>,
        /// Whether `CONCURRENTLY` was given.
        concurrently: bool,
        /// Whether `IF EXISTS` was given.
        if_exists: bool,
    },
    /// MySQL `ALTER TABLE t RENAME INDEX a TO b` (or `RENAME KEY`) that sqlparser rejected.
    RenameIndex {
        /// Table name.
        table: String,
        /// Old index name.
        from: String,
        /// New index name.
        to: String,
    },
    /// Recognised, but schemagate does not model its effect on the schema
    /// (`DO $$ ... $$`, `CREATE TRIGGER`, `REINDEX`, `ALTER SEQUENCE`, `COMMENT ON`, ...).
    /// A [`Diagnostic`] of kind `NotModelled` is reported for the ones that may change the schema.
    NotModelled {
        /// A short name of what it is, e.g. `DO block`, `CREATE TRIGGER`.
        what: String,
    },
    /// Neither sqlparser nor schemagate understood it. A diagnostic of kind `Unparsed` is reported.
    Unparsed {
        /// sqlparser's error message.
        error: String,
    },
    /// Longer than [`MAX_STATEMENT_BYTES`], so not parsed at all. A diagnostic of kind
    /// `TooLarge` is reported.
    TooLarge {
        /// The statement's length in bytes.
        bytes: usize,
    },
    /// sqlparser parsed it and the replay applied it, then its syntax tree was dropped to save
    /// memory (see [`Statement::drop_tree`]); [`Statement::parse_again`] gives it back.
    Replayed,
}

impl Statement {
    /// Drops the syntax tree of a parsed statement once it has been replayed, for a file whose
    /// statements are kept for the rules: a tree costs 30 to 200 times the statement's text
    /// (sqlparser's `Statement` alone is 3.4 KB, a column option 744 bytes), and the rules need
    /// the trees of one statement at a time only ([`Statement::parse_again`]).
    pub fn drop_tree(&mut self) {
        if let StatementKind::Parsed(_) = self.kind {
            self.kind = StatementKind::Replayed;
        }
    }

    /// The syntax tree of a statement whose tree was dropped, parsed again from its text (the
    /// tree the first parse gave); `None` for every other kind.
    pub fn parse_again(&self, dialect: Dialect) -> Option<SqlStatement> {
        match self.kind {
            StatementKind::Replayed => parse_statement(&self.text, dialect).ok(),
            _ => None,
        }
    }
}

/// A comment in a migration file (needed for `-- schemagate: accept ...` suppressions and
/// Prisma's `/* Warnings: ... */` header).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// 1-based line where the comment starts.
    pub line: usize,
    /// Comment text without the `--` or `/* */` markers, trimmed.
    pub text: String,
}

/// A whole migration file, split and parsed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SqlFile {
    /// Statements in file order.
    pub statements: Vec<Statement>,
    /// Comments in file order.
    pub comments: Vec<Comment>,
    /// Problems found while splitting and parsing (with file:line).
    pub diagnostics: Vec<Diagnostic>,
}

/// Splits `text` (the contents of `path`) into statements and parses each with `dialect`.
///
/// Never panics and never stops at a bad statement: what does not parse becomes
/// [`StatementKind::Unparsed`] plus a diagnostic, and the next statement is analysed.
pub fn parse_file(path: &str, text: &str, dialect: Dialect) -> SqlFile {
    parse_file_in_parts(path, text, dialect, |_| {})
}

/// How much statement text [`parse_file_in_parts`] parses before it hands a part on: 1 MiB.
const PART_BYTES: usize = MAX_STATEMENT_BYTES;

/// [`parse_file`], handing the statements to `on_part` in consecutive parts as they are parsed
/// (about [`PART_BYTES`] of text each), so that the caller can replay a part and drop its syntax
/// trees before the next part is parsed: a whole file's trees cost up to 80 times its text. A
/// part after the first starts at a `CREATE TABLE`, so a SQLite table redefinition (which
/// starts with one and ends before the next) is never cut.
pub fn parse_file_in_parts(
    path: &str,
    text: &str,
    dialect: Dialect,
    mut on_part: impl FnMut(&mut [Statement]),
) -> SqlFile {
    let split = split(text, dialect);
    let mut diagnostics = Vec::new();
    let mut statements: Vec<Statement> = Vec::with_capacity(split.statements.len());
    let (mut part_start, mut part_bytes) = (0, 0);
    for raw in &split.statements {
        let (kind, diagnostic) = classify(raw, split.unterminated.as_ref(), dialect);
        if let Some((kind, message)) = diagnostic {
            diagnostics.push(Diagnostic::new(path, raw.line, kind, message));
        }
        let starts_table = matches!(&kind, StatementKind::Parsed(ast) if matches!(ast.as_ref(), SqlStatement::CreateTable(_)));
        if starts_table && part_bytes >= PART_BYTES {
            on_part(&mut statements[part_start..]);
            (part_start, part_bytes) = (statements.len(), 0);
        }
        part_bytes += raw.text.len();
        statements.push(Statement {
            line: raw.line,
            text: raw.text.to_string(),
            kind,
        });
    }
    on_part(&mut statements[part_start..]);
    // What was left open swallowed the rest of the file, so this comes last in line order.
    if let Some(open) = &split.unterminated {
        diagnostics.push(Diagnostic::new(
            path,
            open.line,
            DiagnosticKind::Unparsed,
            open.message(),
        ));
    }
    SqlFile {
        statements,
        comments: split.comments,
        diagnostics,
    }
}

/// What a statement is, and the diagnostic (kind, message) it deserves, if any.
fn classify(
    raw: &RawStatement<'_>,
    unterminated: Option<&Unterminated>,
    dialect: Dialect,
) -> (StatementKind, Option<(DiagnosticKind, String)>) {
    if let (true, Some(open)) = (raw.unterminated, unterminated) {
        // The file-level diagnostic already reports it.
        let error = open.message();
        return (StatementKind::Unparsed { error }, None);
    }
    if raw.text.len() > MAX_STATEMENT_BYTES {
        let bytes = raw.text.len();
        let message = format!(
            "statement of {} is too large to analyse (more than {} per statement): it was not parsed, and none of the other rules checked it",
            human_bytes(bytes),
            human_bytes(MAX_STATEMENT_BYTES)
        );
        return (
            StatementKind::TooLarge { bytes },
            Some((DiagnosticKind::TooLarge, message)),
        );
    }
    let error = match parse_statement(raw.text, dialect) {
        Ok(statement) => return (normalise(statement), None),
        Err(error) => readable_error(&error, raw.line),
    };
    if let Some(recognised) = fallback::recognise(raw.text) {
        let diagnostic = recognised
            .not_modelled
            .map(|message| (DiagnosticKind::NotModelled, message));
        return (recognised.kind, diagnostic);
    }
    let message = format!("could not parse statement: {error}");
    (
        StatementKind::Unparsed { error },
        Some((DiagnosticKind::Unparsed, message)),
    )
}

/// Parses exactly one statement: anything but `;` after it is an error, and so is a statement
/// whose tree would be too deep to handle safely (see [`depth`]).
fn parse_statement(text: &str, dialect: Dialect) -> Result<SqlStatement, ParserError> {
    let parser_dialect = dialect.parser_dialect();
    let tokens = Tokenizer::new(parser_dialect, text).tokenize_with_location()?;
    let depth = depth::estimated_depth(&tokens);
    if depth > depth::MAX_ESTIMATED_DEPTH {
        return Err(ParserError::ParserError(format!(
            "expression nested about {depth} levels deep, more than the {} that are analysed",
            depth::MAX_ESTIMATED_DEPTH
        )));
    }
    let mut parser = Parser::new(parser_dialect).with_tokens_with_locations(tokens);
    let statement = parser.parse_statement()?;
    while parser.consume_token(&Token::SemiColon) {}
    if parser.peek_token_ref().token != Token::EOF {
        return parser.expected("end of statement", parser.peek_token());
    }
    Ok(statement)
}

/// sqlparser's message without its prefix, with its statement-relative line turned into a
/// line of the file (the column is dropped: it is relative to the statement's first line).
fn readable_error(error: &ParserError, statement_line: usize) -> String {
    let message = error.to_string();
    let message = message
        .strip_prefix("sql parser error: ")
        .or_else(|| message.strip_prefix("sql tokenizer error: "))
        .unwrap_or(&message);
    let Some((text, location)) = message.rsplit_once(" at Line: ") else {
        return message.to_string();
    };
    let line = location
        .split(',')
        .next()
        .and_then(|line| line.trim().parse::<usize>().ok());
    match line {
        Some(line) => format!("{text} (line {})", statement_line + line.saturating_sub(1)),
        None => message.to_string(),
    }
}

/// A size for a reviewer: `812 bytes`, `3.5 KiB`, `1.0 MiB`.
pub(crate) fn human_bytes(bytes: usize) -> String {
    const KIB: f64 = 1024.0;
    let exact = bytes as f64;
    if exact < KIB {
        format!("{bytes} bytes")
    } else if exact < KIB * KIB {
        format!("{:.1} KiB", exact / KIB)
    } else {
        format!("{:.1} MiB", exact / (KIB * KIB))
    }
}

/// Turns sqlparser's `PRAGMA` into [`StatementKind::Pragma`]; boxes everything else.
fn normalise(statement: SqlStatement) -> StatementKind {
    match statement {
        SqlStatement::Pragma { name, value, .. } => StatementKind::Pragma {
            name: name
                .0
                .last()
                .map(|part| match part.as_ident() {
                    Some(ident) => ident.value.to_ascii_lowercase(),
                    None => part.to_string().to_ascii_lowercase(),
                })
                .unwrap_or_default(),
            value: value.map(|v| match v.value {
                Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => s,
                Value::Number(n, _) => n,
                Value::Placeholder(p) => p,
                other => other.to_string(),
            }),
        },
        other => StatementKind::Parsed(Box::new(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_lose_their_prefix_and_point_at_the_file_line() {
        let Err(error) = parse_statement("SELECT 1\n\nFROM ) x", Dialect::Postgres) else {
            panic!("expected an error");
        };
        let readable = readable_error(&error, 10);
        assert!(readable.starts_with("Expected:"), "{readable}");
        assert!(readable.ends_with("(line 12)"), "{readable}");
    }

    #[test]
    fn tokenizer_errors_are_readable_too() {
        let Err(error) = parse_statement("SELECT 'open", Dialect::Sqlite) else {
            panic!("expected an error");
        };
        let readable = readable_error(&error, 3);
        assert!(!readable.contains("tokenizer error"), "{readable}");
        assert!(readable.ends_with("(line 3)"), "{readable}");
    }

    #[test]
    fn trailing_semicolons_are_allowed_but_nothing_else() {
        assert!(parse_statement("SELECT 1;;", Dialect::Sqlite).is_ok());
        assert!(parse_statement("SELECT 1; SELECT 2", Dialect::Sqlite).is_err());
    }

    #[test]
    fn a_dropped_tree_parses_again_into_the_same_tree() {
        let text = "DELETE FROM \"User\" WHERE id = 1;\nPRAGMA foreign_keys=OFF;\nSELECT FROM );";
        let mut file = parse_file("a.sql", text, Dialect::Sqlite);
        let before = file.statements.clone();
        file.statements.iter_mut().for_each(Statement::drop_tree);
        let StatementKind::Parsed(tree) = &before[0].kind else {
            panic!("expected a parsed DELETE: {:?}", before[0].kind);
        };
        assert_eq!(file.statements[0].kind, StatementKind::Replayed);
        assert_eq!(
            file.statements[0].parse_again(Dialect::Sqlite).as_ref(),
            Some(tree.as_ref())
        );
        // Kinds without a tree are left as they are, and have nothing to parse again.
        assert_eq!(file.statements[1..], before[1..]);
        assert_eq!(file.statements[1].parse_again(Dialect::Sqlite), None);
    }

    #[test]
    fn parsed_pragmas_are_normalised() {
        let parse = |text| parse_statement(text, Dialect::Sqlite).map(normalise).ok();
        let pragma = |name: &str, value: Option<&str>| StatementKind::Pragma {
            name: name.to_string(),
            value: value.map(str::to_string),
        };
        assert_eq!(parse("PRAGMA main.\"X\" = 5"), Some(pragma("x", Some("5"))));
        assert_eq!(parse("PRAGMA x('v')"), Some(pragma("x", Some("v"))));
        assert_eq!(parse("PRAGMA x"), Some(pragma("x", None)));
        assert!(matches!(parse("SELECT 1"), Some(StatementKind::Parsed(_))));
    }
}
