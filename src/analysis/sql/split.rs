//! The statement splitter: one linear scan over the bytes of a migration file.
//!
//! It finds where each statement starts (and on which line), where it ends, and every comment,
//! without parsing SQL. A `;` ends a statement except inside strings, quoted identifiers,
//! comments, Postgres dollar quotes, `CREATE TRIGGER ... BEGIN ... END` bodies and goose
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

/// Where a statement is in recognising `CREATE [...] TRIGGER`, whose body may hold `;`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Head {
    /// No word seen yet.
    Start,
    /// `CREATE` and this many modifier words seen.
    AfterCreate(u8),
    /// A `CREATE TRIGGER`: `BEGIN`/`CASE` ... `END` nesting is tracked.
    Trigger,
    /// Any other statement: words are no longer looked at.
    Other,
}

/// How many words may stand between `CREATE` and `TRIGGER` (`OR REPLACE`, `TEMP`, `DEFINER`...).
const MAX_TRIGGER_MODIFIERS: u8 = 6;

/// Words after `CREATE` that show the statement is not a trigger.
const NOT_TRIGGER_OBJECTS: [&str; 7] = [
    "TABLE",
    "INDEX",
    "VIEW",
    "FUNCTION",
    "PROCEDURE",
    "SEQUENCE",
    "TYPE",
];

/// Words after `END` that close a block which was not counted as opening (`END IF`, ...).
const UNCOUNTED_BLOCK_ENDS: [&str; 4] = ["IF", "LOOP", "WHILE", "REPEAT"];

/// The state of one pass of the splitter.
struct Scanner<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    rules: LexRules,
    lines: LineCounter<'a>,
    /// The statement terminator (`;` unless a MySQL `DELIMITER` line changed it).
    delimiter: &'a str,
    /// Byte offset and line of the current statement's first significant character.
    current: Option<(usize, usize)>,
    head: Head,
    trigger_depth: usize,
    /// Line of the `-- +goose StatementBegin` whose block is open.
    goose_block: Option<usize>,
    out: Split<'a>,
}

/// Whether `b` may be part of an unquoted word (identifier, keyword or number).
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

impl<'a> Scanner<'a> {
    fn new(src: &'a str, rules: LexRules) -> Self {
        Scanner {
            src,
            bytes: src.as_bytes(),
            pos: 0,
            rules,
            lines: LineCounter::new(src.as_bytes()),
            delimiter: ";",
            current: None,
            head: Head::Start,
            trigger_depth: 0,
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
            if self.delimiter_at(self.pos) {
                self.end_statement(self.pos);
                self.pos += self.delimiter.len();
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
                b'\'' => self.quoted(b'\'', self.rules.backslash_escapes, "string literal"),
                b'"' => self.quoted(b'"', self.rules.backslash_escapes, "quoted identifier"),
                b'`' if self.rules.backticks => self.quoted(b'`', false, "quoted identifier"),
                b'[' if self.rules.brackets => self.quoted(b']', false, "quoted identifier"),
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
        self.delimiter == ";" && self.trigger_depth == 0 && self.goose_block.is_none()
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
            self.out.statements.push(RawStatement {
                line,
                text,
                unterminated: false,
            });
        }
        self.head = Head::Start;
        self.trigger_depth = 0;
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

    /// Skips a quoted string or identifier opened at `self.pos` and closed by `close`
    /// (a doubled `close` is an escaped one; `\` escapes when `backslash` is set).
    fn quoted(&mut self, close: u8, backslash: bool, what: &'static str) {
        let start = self.pos;
        self.mark_significant(start);
        let mut i = start + 1;
        while let Some(b) = self.byte_at(i) {
            if backslash && b == b'\\' {
                i += 2;
            } else if b == close {
                if self.byte_at(i + 1) == Some(close) {
                    i += 2;
                } else {
                    self.pos = i + 1;
                    return;
                }
            } else {
                i += 1;
            }
        }
        self.unterminated(what, start);
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
        let starts_like_tag = self
            .byte_at(start + 1)
            .is_some_and(|b| !b.is_ascii_digit());
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

    /// Consumes an unquoted word and lets it drive `DELIMITER`, `E'...'` and trigger tracking.
    fn word(&mut self) {
        let start = self.pos;
        let mut end = start;
        while let Some(b) = self.byte_at(end) {
            if !is_word_byte(b) || self.delimiter_at(end) {
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
            self.quoted(b'\'', true, "string literal");
            return;
        }
        self.track_word(word);
    }

    /// Whether a custom delimiter (e.g. MySQL `$$`) starts at `offset`.
    fn delimiter_at(&self, offset: usize) -> bool {
        self.delimiter != ";"
            && self
                .src
                .get(offset..)
                .is_some_and(|rest| rest.starts_with(self.delimiter))
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
        self.delimiter = new_delimiter;
        self.pos = line_end;
        true
    }

    /// Follows the head of the statement to spot `CREATE TRIGGER`, then its `BEGIN ... END`.
    fn track_word(&mut self, word: &str) {
        let is = |keyword: &str| word.eq_ignore_ascii_case(keyword);
        self.head = match self.head {
            Head::Start if is("CREATE") => Head::AfterCreate(0),
            Head::Start => Head::Other,
            Head::AfterCreate(_) if is("TRIGGER") => Head::Trigger,
            Head::AfterCreate(n)
                if n >= MAX_TRIGGER_MODIFIERS || NOT_TRIGGER_OBJECTS.iter().any(|k| is(k)) =>
            {
                Head::Other
            }
            Head::AfterCreate(n) => Head::AfterCreate(n + 1),
            Head::Trigger => {
                if is("BEGIN") || is("CASE") {
                    self.trigger_depth += 1;
                } else if is("END") && !self.next_word_is_uncounted_block_end() {
                    self.trigger_depth = self.trigger_depth.saturating_sub(1);
                }
                Head::Trigger
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
            } else if self.trigger_depth > 0 {
                let line = self.current.map_or(0, |(_, line)| line);
                self.out.unterminated = Some(Unterminated {
                    what: "trigger body (BEGIN without END)",
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
