//! The statement splitter: one linear scan over the bytes of a migration file.
//!
//! It finds where each statement starts (and on which line), where it ends, and every comment,
//! without parsing SQL. A `;` ends a statement except inside strings, quoted identifiers,
//! comments, Postgres dollar quotes, `BEGIN ... END` bodies of `CREATE TRIGGER`, `FUNCTION` and
//! `PROCEDURE` (so a plain `BEGIN;` still ends at its `;`), goose
//! `StatementBegin`/`StatementEnd` blocks; MySQL `DELIMITER` lines change the terminator.

use super::Comment;
use crate::analysis::dialect::Dialect;

/// One statement as found by [`split`]: where it starts and its text, not parsed yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawStatement<'a> {
    /// 1-based line of the statement's first significant character.
    pub line: usize,
    /// The statement text from its first significant character to its terminator (excluded),
    /// trailing whitespace trimmed.
    pub text: &'a str,
    /// Whether the statement runs to the end of the file because something in it was never
    /// closed (see [`Split::unterminated`]).
    pub unterminated: bool,
}

/// Something opened and never closed before the end of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unterminated {
    /// What was left open, e.g. `string literal`, `block comment`.
    pub what: &'static str,
    /// 1-based line where it was opened.
    pub line: usize,
}

impl Unterminated {
    /// A sentence for a reviewer, naming what was left open and where.
    pub fn message(&self) -> String {
        format!(
            "unterminated {} starting at line {}: the rest of the file is read as one statement",
            self.what, self.line
        )
    }
}

/// The result of [`split`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Split<'a> {
    /// Non-empty statements in file order.
    pub statements: Vec<RawStatement<'a>>,
    /// Every comment in file order.
    pub comments: Vec<Comment>,
    /// What was left open at the end of the file, if anything.
    pub unterminated: Option<Unterminated>,
}

/// Splits `text` into statements and comments using the lexical rules of `dialect`.
///
/// This is the first half of [`super::parse_file`], public so that splitting can be measured
/// (and reused) on its own. It never fails: what is left open at the end of the file swallows
/// the rest of it and is reported in [`Split::unterminated`].
pub fn split(text: &str, dialect: Dialect) -> Split<'_> {
    let mut scanner = Scanner::new(text, LexRules::for_dialect(dialect));
    scanner.run();
    scanner.finish()
}

/// The lexical rules that differ between dialects.
#[derive(Clone, Copy, Debug)]
struct LexRules {
    /// `\` escapes the next character in `'...'` and `"..."` (MySQL).
    backslash_escapes: bool,
    /// `E'...'` strings with backslash escapes, nested `/* */`, `$tag$` quotes (Postgres).
    postgres: bool,
    /// `# comment` lines and `DELIMITER` commands (MySQL).
    mysql: bool,
    /// `` `ident` `` quoting (MySQL, SQLite).
    backticks: bool,
    /// `[ident]` quoting (SQLite).
    brackets: bool,
}

impl LexRules {
    fn for_dialect(dialect: Dialect) -> Self {
        let (postgres, mysql, sqlite) = match dialect {
            Dialect::Postgres => (true, false, false),
            Dialect::Mysql => (false, true, false),
            Dialect::Sqlite => (false, false, true),
        };
        LexRules {
            backslash_escapes: mysql,
            postgres,
            mysql,
            backticks: mysql || sqlite,
            brackets: sqlite,
        }
    }
}

/// Counts lines lazily: each query counts the newlines since the previous one, so asking for
/// increasing offsets costs one pass over the text in total.
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        LineCounter {
            bytes,
            offset: 0,
            line: 1,
        }
    }

    /// The 1-based line of `offset`; offsets must be asked for in increasing order.
    fn line_at(&mut self, offset: usize) -> usize {
        if let Some(skipped) = self.bytes.get(self.offset..offset) {
            self.line += skipped.iter().filter(|&&b| b == b'\n').count();
            self.offset = offset;
        }
        self.line
    }
}

/// Where a statement is in recognising `CREATE [...] TRIGGER|FUNCTION|PROCEDURE|EVENT`, whose
/// `BEGIN ... END` body may hold `;`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Head {
    /// No word seen yet.
    Start,
    /// `CREATE` and this many modifier words seen.
    AfterCreate(u8),
    /// A routine or trigger: `BEGIN`/`CASE` ... `END` nesting is tracked.
    Routine,
    /// Any other statement: words are no longer looked at.
    Other,
}

/// How many words may stand between `CREATE` and the object keyword
/// (`OR REPLACE`, `TEMP`, `DEFINER`...).
const MAX_CREATE_MODIFIERS: u8 = 6;

/// Objects whose `CREATE` may have a `BEGIN ... END` body.
const ROUTINE_OBJECTS: [&str; 4] = ["TRIGGER", "FUNCTION", "PROCEDURE", "EVENT"];

/// Words after `CREATE` that show the statement has no `BEGIN ... END` body.
const PLAIN_OBJECTS: [&str; 5] = ["TABLE", "INDEX", "VIEW", "SEQUENCE", "TYPE"];

/// Words after `END` that close a block which was not counted as opening (`END IF`, ...).
const UNCOUNTED_BLOCK_ENDS: [&str; 4] = ["IF", "LOOP", "WHILE", "REPEAT"];

/// How a quoted string or identifier ends.
#[derive(Clone, Copy, Debug)]
struct Quote {
    /// The closing character.
    close: u8,
    /// A doubled closing character stands for one and does not close.
    doubled: bool,
    /// `\` escapes the next character.
    backslash: bool,
    /// What it is, for the unterminated message.
    what: &'static str,
}

impl Quote {
    /// `` `ident` `` (MySQL, SQLite).
    const BACKTICK: Quote = Quote {
        close: b'`',
        doubled: true,
        backslash: false,
        what: "quoted identifier",
    };
    /// `[ident]` (SQLite): no escapes at all.
    const BRACKET: Quote = Quote {
        close: b']',
        doubled: false,
        backslash: false,
        what: "quoted identifier",
    };

    /// `'...'`, with backslash escapes or not.
    fn string(backslash: bool) -> Quote {
        Quote {
            close: b'\'',
            doubled: true,
            backslash,
            what: "string literal",
        }
    }

    /// `"..."`: an identifier, or a string with backslash escapes in MySQL.
    fn double(backslash: bool) -> Quote {
        Quote {
            close: b'"',
            doubled: true,
            backslash,
            what: "quoted identifier",
        }
    }
}

/// The state of one pass of the splitter.
struct Scanner<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    rules: LexRules,
    lines: LineCounter<'a>,
    /// The statement terminator set by a MySQL `DELIMITER` line, when it is not `;`.
    custom_delimiter: Option<&'a str>,
    /// Byte offset and line of the current statement's first significant character.
    current: Option<(usize, usize)>,
    head: Head,
    block_depth: usize,
    /// Line of the `-- +goose StatementBegin` whose block is open.
    goose_block: Option<usize>,
    out: Split<'a>,
}

/// A byte order mark some editors put at the start of a file; it is not part of the SQL.
const BYTE_ORDER_MARK: char = '\u{feff}';

/// Whether `b` may be part of an unquoted word (identifier, keyword or number).
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

impl<'a> Scanner<'a> {
    fn new(src: &'a str, rules: LexRules) -> Self {
        Scanner {
            src,
            bytes: src.as_bytes(),
            pos: if src.starts_with(BYTE_ORDER_MARK) {
                BYTE_ORDER_MARK.len_utf8()
            } else {
                0
            },
            rules,
            lines: LineCounter::new(src.as_bytes()),
            custom_delimiter: None,
            current: None,
            head: Head::Start,
            block_depth: 0,
            goose_block: None,
            out: Split::default(),
        }
    }

    fn byte_at(&self, offset: usize) -> Option<u8> {
        self.bytes.get(offset).copied()
    }

    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.src.get(start..end).unwrap_or_default()
    }

    /// The bytes from `offset` to the end of the text.
    fn rest(&self, offset: usize) -> &'a [u8] {
        self.bytes.get(offset..).unwrap_or_default()
    }

    /// The offset of the first `\n` at or after `offset`, or the end of the text.
    fn line_end(&self, offset: usize) -> usize {
        self.rest(offset)
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.bytes.len(), |n| offset + n)
    }

    /// The offset of the first occurrence of `needle` at or after `offset`.
    fn find(&self, offset: usize, needle: &str) -> Option<usize> {
        self.src.get(offset..)?.find(needle).map(|n| offset + n)
    }

    fn run(&mut self) {
        while let Some(b) = self.byte_at(self.pos) {
            if let Some(delimiter) = self.custom_delimiter_at(self.pos) {
                self.end_statement(self.pos);
                self.pos += delimiter.len();
                continue;
            }
            let next = self.byte_at(self.pos + 1);
            match b {
                b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => self.pos += 1,
                b'-' if next == Some(b'-') => self.line_comment(2),
                b'#' if self.rules.mysql => self.line_comment(1),
                b'/' if next == Some(b'*') => self.block_comment(),
                b';' if self.ends_statement_here() => {
                    self.end_statement(self.pos);
                    self.pos += 1;
                }
                b'\'' => self.quoted(Quote::string(self.rules.backslash_escapes)),
                b'"' => self.quoted(Quote::double(self.rules.backslash_escapes)),
                b'`' if self.rules.backticks => self.quoted(Quote::BACKTICK),
                b'[' if self.rules.brackets => self.quoted(Quote::BRACKET),
                b'$' if self.rules.postgres => self.dollar(),
                _ if is_word_byte(b) => self.word(),
                _ => {
                    self.mark_significant(self.pos);
                    self.pos += 1;
                }
            }
        }
    }

    fn ends_statement_here(&self) -> bool {
        self.custom_delimiter.is_none() && self.block_depth == 0 && self.goose_block.is_none()
    }

    fn mark_significant(&mut self, offset: usize) {
        if self.current.is_none() {
            let line = self.lines.line_at(offset);
            self.current = Some((offset, line));
        }
    }

    /// Ends the current statement (if it has any significant text) at byte `end`.
    fn end_statement(&mut self, end: usize) {
        if let Some((start, line)) = self.current.take() {
            let text = self
                .slice(start, end)
                .trim_end()
                .trim_end_matches(';')
                .trim_end();
            // A goose block may hold nothing but `;`.
            if !text.is_empty() {
                self.out.statements.push(RawStatement {
                    line,
                    text,
                    unterminated: false,
                });
            }
        }
        self.head = Head::Start;
        self.block_depth = 0;
    }

    fn record_comment(&mut self, start: usize, text: &str) {
        let line = self.lines.line_at(start);
        self.out.comments.push(Comment {
            line,
            text: text.trim().to_string(),
        });
    }

    /// Records what was left open at `start` and ends the scan.
    fn unterminated(&mut self, what: &'static str, start: usize) {
        let line = self.lines.line_at(start);
        self.out.unterminated = Some(Unterminated { what, line });
        self.pos = self.bytes.len();
    }

    fn line_comment(&mut self, marker_len: usize) {
        let start = self.pos;
        let body_start = start + marker_len;
        let end = self.line_end(body_start);
        let body = self.slice(body_start, end);
        self.record_comment(start, body);
        self.pos = end;
        self.goose_marker(body.trim(), start);
    }

    /// Handles `-- +goose StatementBegin` / `-- +goose StatementEnd` comments.
    fn goose_marker(&mut self, comment: &str, start: usize) {
        if comment.starts_with("+goose StatementBegin") {
            self.end_statement(start);
            self.goose_block = Some(self.lines.line_at(start));
        } else if comment.starts_with("+goose StatementEnd") && self.goose_block.is_some() {
            self.goose_block = None;
            self.end_statement(start);
        }
    }

    fn block_comment(&mut self) {
        let start = self.pos;
        let body_start = start + 2;
        let close = if self.rules.postgres {
            self.nested_comment_end(body_start)
        } else {
            self.find(body_start, "*/")
        };
        match close {
            Some(body_end) => {
                let body = self.slice(body_start, body_end);
                self.record_comment(start, body);
                self.pos = body_end + 2;
            }
            None => {
                let body = self.slice(body_start, self.bytes.len());
                self.record_comment(start, body);
                self.unterminated("block comment", start);
            }
        }
    }

    /// Finds the `*/` closing a Postgres block comment, where `/* */` nest.
    fn nested_comment_end(&self, body_start: usize) -> Option<usize> {
        let mut depth = 1usize;
        let mut i = body_start;
        while let Some(b) = self.byte_at(i) {
            let next = self.byte_at(i + 1);
            if b == b'/' && next == Some(b'*') {
                depth += 1;
                i += 2;
            } else if b == b'*' && next == Some(b'/') {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
                i += 2;
            } else {
                i += 1;
            }
        }
        None
    }

    /// Skips the quoted string or identifier opened at `self.pos`.
    fn quoted(&mut self, quote: Quote) {
        let start = self.pos;
        self.mark_significant(start);
        let mut i = start + 1;
        while let Some(b) = self.byte_at(i) {
            if quote.backslash && b == b'\\' {
                i += 2;
            } else if b == quote.close {
                if quote.doubled && self.byte_at(i + 1) == Some(quote.close) {
                    i += 2;
                } else {
                    self.pos = i + 1;
                    return;
                }
            } else {
                i += 1;
            }
        }
        self.unterminated(quote.what, start);
    }

    /// At a `$` outside a word: a `$tag$` or `$$` dollar quote, or a `$1` parameter.
    fn dollar(&mut self) {
        let start = self.pos;
        self.mark_significant(start);
        let after = self.rest(start + 1);
        let tag_len = after
            .iter()
            .position(|&b| !is_word_byte(b) || b == b'$')
            .unwrap_or(after.len());
        let tag_end = start + 1 + tag_len;
        let starts_like_tag = self.byte_at(start + 1).is_some_and(|b| !b.is_ascii_digit());
        if self.byte_at(tag_end) != Some(b'$') || (tag_len > 0 && !starts_like_tag) {
            self.pos = start + 1;
            return;
        }
        let tag = self.slice(start, tag_end + 1);
        let body_start = tag_end + 1;
        match self.find(body_start, tag) {
            Some(close) => self.pos = close + tag.len(),
            None => self.unterminated("dollar-quoted string", start),
        }
    }

    /// Consumes an unquoted word and lets it drive `DELIMITER`, `E'...'` and body tracking.
    fn word(&mut self) {
        let start = self.pos;
        let mut end = start;
        while let Some(b) = self.byte_at(end) {
            if !is_word_byte(b) || self.custom_delimiter_at(end).is_some() {
                break;
            }
            end += 1;
        }
        self.pos = end.max(start + 1);
        let word = self.slice(start, self.pos);
        if self.rules.mysql
            && self.current.is_none()
            && word.eq_ignore_ascii_case("DELIMITER")
            && self.delimiter_command()
        {
            return;
        }
        self.mark_significant(start);
        if self.rules.postgres
            && word.eq_ignore_ascii_case("E")
            && self.byte_at(self.pos) == Some(b'\'')
        {
            self.quoted(Quote::string(true));
            return;
        }
        self.track_word(word);
    }

    /// The custom delimiter (e.g. MySQL `//`), if one is set and starts at `offset`.
    fn custom_delimiter_at(&self, offset: usize) -> Option<&'a str> {
        let delimiter = self.custom_delimiter?;
        let rest = self.src.get(offset..)?;
        rest.starts_with(delimiter).then_some(delimiter)
    }

    /// After the word `DELIMITER` at a statement start: reads the new delimiter up to the end
    /// of the line. Returns false when the line is not a delimiter command.
    fn delimiter_command(&mut self) -> bool {
        if !matches!(self.byte_at(self.pos), Some(b' ' | b'\t')) {
            return false;
        }
        let line_end = self.line_end(self.pos);
        let new_delimiter = self
            .slice(self.pos, line_end)
            .split_whitespace()
            .next()
            .unwrap_or_default();
        if new_delimiter.is_empty() {
            return false;
        }
        self.custom_delimiter = (new_delimiter != ";").then_some(new_delimiter);
        self.pos = line_end;
        true
    }

    /// Follows the head of the statement to spot `CREATE TRIGGER` (or a routine), then its
    /// `BEGIN ... END` nesting.
    fn track_word(&mut self, word: &str) {
        let is = |keyword: &str| word.eq_ignore_ascii_case(keyword);
        self.head = match self.head {
            Head::Start if is("CREATE") => Head::AfterCreate(0),
            Head::Start => Head::Other,
            Head::AfterCreate(_) if ROUTINE_OBJECTS.iter().any(|k| is(k)) => Head::Routine,
            Head::AfterCreate(n)
                if n >= MAX_CREATE_MODIFIERS || PLAIN_OBJECTS.iter().any(|k| is(k)) =>
            {
                Head::Other
            }
            Head::AfterCreate(n) => Head::AfterCreate(n + 1),
            Head::Routine => {
                if is("BEGIN") || is("CASE") {
                    self.block_depth += 1;
                } else if is("END") && !self.next_word_is_uncounted_block_end() {
                    self.block_depth = self.block_depth.saturating_sub(1);
                }
                Head::Routine
            }
            Head::Other => Head::Other,
        };
    }

    /// Whether the word after the current position is `IF`, `LOOP`, ... (as in `END IF`).
    fn next_word_is_uncounted_block_end(&self) -> bool {
        let rest = self.rest(self.pos);
        let skip = rest
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let start = self.pos + skip;
        let len = self
            .rest(start)
            .iter()
            .position(|b| !b.is_ascii_alphabetic())
            .unwrap_or(rest.len() - skip);
        let next = self.slice(start, start + len);
        UNCOUNTED_BLOCK_ENDS
            .iter()
            .any(|k| next.eq_ignore_ascii_case(k))
    }

    /// Ends the scan: closes what is still open and returns the result.
    fn finish(mut self) -> Split<'a> {
        if self.out.unterminated.is_none() && self.current.is_some() {
            if let Some(line) = self.goose_block {
                self.out.unterminated = Some(Unterminated {
                    what: "goose StatementBegin block",
                    line,
                });
            } else if self.block_depth > 0 {
                let line = self.current.map_or(0, |(_, line)| line);
                self.out.unterminated = Some(Unterminated {
                    what: "BEGIN ... END body (BEGIN without END)",
                    line,
                });
            }
        }
        let statement_left_open = self.out.unterminated.is_some() && self.current.is_some();
        self.end_statement(self.bytes.len());
        if let (true, Some(last)) = (statement_left_open, self.out.statements.last_mut()) {
            last.unterminated = true;
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (line, text) of every statement.
    fn statements(text: &str, dialect: Dialect) -> Vec<(usize, &str)> {
        split(text, dialect)
            .statements
            .iter()
            .map(|s| (s.line, s.text))
            .collect()
    }

    fn comments(text: &str, dialect: Dialect) -> Vec<(usize, String)> {
        split(text, dialect)
            .comments
            .into_iter()
            .map(|c| (c.line, c.text))
            .collect()
    }

    #[test]
    fn lines_point_at_the_first_significant_character() {
        let text =
            "\n\n  -- lead\n  /* block\n */ CREATE TABLE a (x int);\n\nSELECT 1;;  ;\nSELECT\n 2";
        assert_eq!(
            statements(text, Dialect::Sqlite),
            vec![
                (5, "CREATE TABLE a (x int)"),
                (7, "SELECT 1"),
                (8, "SELECT\n 2")
            ]
        );
    }

    #[test]
    fn semicolons_inside_quotes_do_not_split() {
        let text = "INSERT INTO t VALUES ('a;b', 'it''s;\n;');\nSELECT \"x;y\", `p;q`, [r;s]]];\nSELECT 3;";
        assert_eq!(
            statements(text, Dialect::Sqlite),
            vec![
                (1, "INSERT INTO t VALUES ('a;b', 'it''s;\n;')"),
                (3, "SELECT \"x;y\", `p;q`, [r;s]]]"),
                (4, "SELECT 3"),
            ]
        );
    }

    #[test]
    fn backslash_escapes_depend_on_the_dialect() {
        let text = r"SELECT 'a\'; SELECT 2; x';";
        assert_eq!(statements(text, Dialect::Mysql).len(), 1);
        assert_eq!(statements(text, Dialect::Sqlite).len(), 3);
        assert_eq!(statements(text, Dialect::Postgres).len(), 3);
        let escaped = r"SELECT E'a\'; b'; SELECT 'c\'; SELECT 3;";
        assert_eq!(
            statements(escaped, Dialect::Postgres),
            vec![
                (1, r"SELECT E'a\'; b'"),
                (1, r"SELECT 'c\'"),
                (1, "SELECT 3")
            ]
        );
    }

    #[test]
    fn postgres_block_comments_nest() {
        let text = "/* outer /* inner */ still; */ SELECT 1;";
        assert_eq!(statements(text, Dialect::Postgres), vec![(1, "SELECT 1")]);
        assert_eq!(
            comments(text, Dialect::Postgres),
            vec![(1, "outer /* inner */ still;".to_string())]
        );
        assert_eq!(
            statements(text, Dialect::Sqlite),
            vec![(1, "still"), (1, "*/ SELECT 1")]
        );
    }

    #[test]
    fn dollar_quotes_hide_semicolons_but_parameters_are_not_quotes() {
        let text = "CREATE FUNCTION f() RETURNS int AS $body$\nBEGIN\n  x := $$;$$;\n  RETURN 1;\nEND;\n$body$ LANGUAGE plpgsql;\nPREPARE p AS SELECT $1; SELECT a$b;\nSELECT $tag$ ; $tag$;";
        let found = statements(text, Dialect::Postgres);
        assert_eq!(found.len(), 4, "{found:?}");
        assert_eq!(found[0].0, 1);
        assert!(found[0].1.ends_with("$body$ LANGUAGE plpgsql"));
        assert_eq!(found[1], (7, "PREPARE p AS SELECT $1"));
        assert_eq!(found[2], (7, "SELECT a$b"));
        assert_eq!(found[3], (8, "SELECT $tag$ ; $tag$"));
        assert_eq!(statements("SELECT $$a;b$$;", Dialect::Sqlite).len(), 2);
    }

    #[test]
    fn trigger_bodies_keep_their_semicolons() {
        let text = "CREATE TRIGGER t AFTER INSERT ON a\nWHEN (CASE WHEN 1 THEN 1 END)\nBEGIN\n  UPDATE a SET x = CASE WHEN y THEN 1 ELSE 2 END;\n  DELETE FROM b;\nEND;\nBEGIN;\nCREATE TABLE \"trigger\" (\"begin\" int);\nCOMMIT;";
        let found = statements(text, Dialect::Sqlite);
        assert_eq!(
            found.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            vec![1, 7, 8, 9]
        );
        assert!(found[0].1.ends_with("DELETE FROM b;\nEND"));
    }

    #[test]
    fn routine_bodies_without_delimiter_keep_their_semicolons() {
        let mysql = "CREATE PROCEDURE p()\nBEGIN\n  DECLARE x INT;\n  WHILE x < 3 DO SET x = x + 1; END WHILE;\nEND;\nSELECT 1;";
        assert_eq!(
            statements(mysql, Dialect::Mysql)
                .iter()
                .map(|(l, _)| *l)
                .collect::<Vec<_>>(),
            vec![1, 6]
        );
        let atomic = "CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\nEND;\nCREATE TABLE t (x int);";
        assert_eq!(statements(atomic, Dialect::Postgres).len(), 2);
    }

    #[test]
    fn mysql_trigger_with_if_blocks() {
        let text = "CREATE DEFINER=`root`@`%` TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN\n IF NEW.x < 0 THEN SET NEW.x = 0; END IF;\nEND;\nSELECT 1;";
        assert_eq!(
            statements(text, Dialect::Mysql)
                .iter()
                .map(|(l, _)| *l)
                .collect::<Vec<_>>(),
            vec![1, 4]
        );
    }

    #[test]
    fn goose_blocks_are_one_statement() {
        let text = "-- +goose Up\nCREATE TABLE a (x int);\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS trigger AS '\n BEGIN RETURN NEW; END;\n' LANGUAGE plpgsql;\n-- +goose StatementEnd\nSELECT 1;";
        assert_eq!(
            statements(text, Dialect::Sqlite)
                .iter()
                .map(|(l, t)| (*l, t.lines().last().unwrap_or_default()))
                .collect::<Vec<_>>(),
            vec![
                (2, "CREATE TABLE a (x int)"),
                (4, "' LANGUAGE plpgsql"),
                (8, "SELECT 1")
            ]
        );
        assert_eq!(comments(text, Dialect::Sqlite).len(), 3);
        let empty = "-- +goose StatementBegin\n;\n-- +goose StatementEnd\n";
        assert_eq!(statements(empty, Dialect::Sqlite), vec![]);
    }

    #[test]
    fn mysql_delimiter_lines_change_the_terminator() {
        let text = "DELIMITER //\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\nEND//\nDELIMITER ;\nSELECT 2;\nDELIMITER $$\nCREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET @x = 1; END$$\nDELIMITER ;";
        assert_eq!(
            statements(text, Dialect::Mysql),
            vec![
                (2, "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\nEND"),
                (7, "SELECT 2"),
                (
                    9,
                    "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET @x = 1; END"
                ),
            ]
        );
        assert_eq!(
            statements("DELIMITER //\nSELECT 1;", Dialect::Sqlite).len(),
            1
        );
    }

    #[test]
    fn comments_are_collected_without_markers() {
        let text = "-- schemagate: accept drop-column reason\nSELECT 1; # hash\n/*\n  Warnings:\n*/ SELECT '--not' -- trailing\n;";
        assert_eq!(
            comments(text, Dialect::Mysql),
            vec![
                (1, "schemagate: accept drop-column reason".to_string()),
                (2, "hash".to_string()),
                (3, "Warnings:".to_string()),
                (5, "trailing".to_string()),
            ]
        );
        assert_eq!(comments("SELECT a #> b;", Dialect::Postgres), vec![]);
    }

    #[test]
    fn unterminated_constructs_swallow_the_rest() {
        let cases = [
            (
                "SELECT 1;\nSELECT 'abc;\nSELECT 3;",
                Dialect::Sqlite,
                "string literal",
                2,
            ),
            (
                "SELECT 1;\nSELECT \"abc;",
                Dialect::Postgres,
                "quoted identifier",
                2,
            ),
            (
                "SELECT 1;\n\nSELECT $x$ abc; $y$;",
                Dialect::Postgres,
                "dollar-quoted string",
                3,
            ),
            (
                "SELECT 1;\n\n SELECT `abc",
                Dialect::Mysql,
                "quoted identifier",
                3,
            ),
            (
                "CREATE TRIGGER t AFTER INSERT ON a BEGIN\nSELECT 1;",
                Dialect::Sqlite,
                "BEGIN ... END body (BEGIN without END)",
                1,
            ),
            (
                "SELECT 1;\n-- +goose StatementBegin\nSELECT 2;",
                Dialect::Postgres,
                "goose StatementBegin block",
                2,
            ),
        ];
        for (text, dialect, what, line) in cases {
            let result = split(text, dialect);
            assert_eq!(
                result.unterminated,
                Some(Unterminated { what, line }),
                "{text}"
            );
            let last = result.statements.last();
            assert!(
                last.is_some_and(|s| s.unterminated && s.line >= line),
                "{text}"
            );
            let complete = result.statements.iter().filter(|s| !s.unterminated);
            assert!(
                complete.map(|s| s.text).eq(text
                    .lines()
                    .take(line - 1)
                    .filter(|l| l.starts_with("SELECT"))
                    .map(|l| l.trim_end_matches(';'))),
                "{text}"
            );
        }
    }

    #[test]
    fn unterminated_comment_after_the_last_statement_makes_no_statement() {
        let result = split("SELECT 1;\n/* open", Dialect::Sqlite);
        assert_eq!(result.statements.len(), 1);
        assert!(!result.statements[0].unterminated);
        assert_eq!(
            result.unterminated,
            Some(Unterminated {
                what: "block comment",
                line: 2
            })
        );
        assert_eq!(result.comments[0].text, "open");
    }

    #[test]
    fn degenerate_inputs() {
        assert_eq!(split("", Dialect::Sqlite), Split::default());
        assert_eq!(statements("-- a\n/* b */\n", Dialect::Postgres), vec![]);
        assert_eq!(statements(";;;", Dialect::Mysql), vec![]);
        assert_eq!(
            statements("SELECT '\0';\0", Dialect::Sqlite),
            vec![(1, "SELECT '\0'"), (1, "\0")]
        );
        assert_eq!(
            statements("SELECT 'é';\n ünïcødé $ δ;", Dialect::Postgres),
            vec![(1, "SELECT 'é'"), (2, "ünïcødé $ δ")]
        );
        assert_eq!(statements("$", Dialect::Postgres), vec![(1, "$")]);
        assert_eq!(
            statements("\u{feff}SELECT 1;", Dialect::Sqlite),
            vec![(1, "SELECT 1")]
        );
        assert_eq!(statements("E", Dialect::Postgres), vec![(1, "E")]);
        assert_eq!(
            statements("DELIMITER", Dialect::Mysql),
            vec![(1, "DELIMITER")]
        );
    }
}
