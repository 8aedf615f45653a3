//! Recognisers for real migration statements that sqlparser 0.64 rejects.
//!
//! Used only after sqlparser failed on a statement: `PRAGMA x = ON`, `DO $$ ... $$`,
//! `DROP INDEX CONCURRENTLY ...`, MySQL `RENAME INDEX`, and statements whose effect on the
//! schema is not modelled (`ALTER SEQUENCE`, `CREATE TRIGGER IF NOT EXISTS`, `REINDEX`, ...).

use super::StatementKind;

/// A statement recognised without sqlparser.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Recognised {
    /// What the statement is.
    pub kind: StatementKind,
    /// A `NotModelled` diagnostic message, for statements that may change the schema.
    pub not_modelled: Option<String>,
}

/// Recognises `text` (a statement sqlparser rejected), or returns `None`.
pub(super) fn recognise(text: &str) -> Option<Recognised> {
    let tokens: Vec<Token<'_>> = Lexer { src: text, pos: 0 }.collect();
    let verb = tokens.first().filter(|t| t.kind == TokenKind::Word)?.text;
    let verb = verb.to_ascii_uppercase();
    match verb.as_str() {
        "PRAGMA" => pragma(text, &tokens).map(quiet),
        "DO" => Some(not_modelled("DO block", true)),
        "DROP" if keyword_at(&tokens, 1, "INDEX") => drop_index(&tokens).map(quiet),
        // The `drop-schema` rule reports it: it drops whatever the role owns.
        "DROP" if keyword_at(&tokens, 1, "OWNED") => Some(not_modelled("DROP OWNED", false)),
        "REASSIGN" if keyword_at(&tokens, 1, "OWNED") => {
            Some(not_modelled("REASSIGN OWNED", false))
        }
        "ALTER" if keyword_at(&tokens, 1, "TABLE") => rename_index(&tokens).map(quiet),
        "CREATE" | "ALTER" | "DROP" => object_statement(&verb, &tokens),
        "COMMENT" => Some(not_modelled("COMMENT ON", false)),
        "REINDEX" | "GRANT" | "REVOKE" | "SET" | "ANALYZE" | "VACUUM" | "CLUSTER" => {
            Some(not_modelled(&verb, false))
        }
        _ => None,
    }
}

/// A recognised statement that needs no diagnostic.
fn quiet(kind: StatementKind) -> Recognised {
    Recognised {
        kind,
        not_modelled: None,
    }
}

/// A `NotModelled` statement; `may_change_schema` adds a diagnostic saying it is not analysed.
fn not_modelled(what: &str, may_change_schema: bool) -> Recognised {
    Recognised {
        kind: StatementKind::NotModelled {
            what: what.to_string(),
        },
        not_modelled: may_change_schema.then(|| {
            format!("{what} not analysed: its effect on tables, columns, indexes and foreign keys is not modelled")
        }),
    }
}

/// Objects whose `CREATE`/`ALTER`/`DROP` is recognised as not modelled, and whether such a
/// statement may change tables, columns, indexes or foreign keys.
const NOT_MODELLED_OBJECTS: [(&str, bool); 8] = [
    ("TRIGGER", true),
    ("FUNCTION", true),
    ("PROCEDURE", true),
    ("EXTENSION", false),
    ("VIEW", false),
    ("POLICY", false),
    ("SCHEMA", false),
    ("SEQUENCE", false),
];

/// Objects whose statements schemagate models: a failure on them stays `Unparsed`.
const MODELLED_OBJECTS: [&str; 4] = ["TABLE", "INDEX", "TYPE", "DATABASE"];

/// How many tokens after the verb may precede the object keyword
/// (`OR REPLACE`, `TEMP`, `MATERIALIZED`, `DEFINER = user@host`, ...).
const MAX_OBJECT_KEYWORD_POSITION: usize = 9;

/// `CREATE/ALTER/DROP <object>` for the objects in [`NOT_MODELLED_OBJECTS`].
fn object_statement(verb: &str, tokens: &[Token<'_>]) -> Option<Recognised> {
    let object = tokens
        .iter()
        .take(MAX_OBJECT_KEYWORD_POSITION)
        .skip(1)
        .filter(|t| t.kind == TokenKind::Word)
        .map(|t| t.text.to_ascii_uppercase())
        .find(|w| {
            MODELLED_OBJECTS.contains(&w.as_str())
                || NOT_MODELLED_OBJECTS.iter().any(|(o, _)| o == w)
        })?;
    let (_, changes_schema) = NOT_MODELLED_OBJECTS.iter().find(|(o, _)| *o == object)?;
    let cascades = verb == "DROP" && tokens.iter().any(|t| t.is_keyword("CASCADE"));
    Some(not_modelled(
        &format!("{verb} {object}"),
        *changes_schema || cascades,
    ))
}

/// `PRAGMA [schema.]name [= value | (value)]`.
fn pragma(text: &str, tokens: &[Token<'_>]) -> Option<StatementKind> {
    let (name, next) = qualified_name(tokens, 1)?;
    let value = match tokens.get(next) {
        None => None,
        Some(t) if t.is_punct(b'=') => Some(text.get(t.end..)?),
        Some(t) if t.is_punct(b'(') && tokens.last()?.is_punct(b')') => {
            Some(text.get(t.end..tokens.last()?.start)?)
        }
        Some(_) => return None,
    };
    Some(StatementKind::Pragma {
        name: name.to_ascii_lowercase(),
        value: value.map(unquote),
    })
}

/// Trims `value` and removes one pair of surrounding quotes.
fn unquote(value: &str) -> String {
    let value = value.trim();
    for quote in ['\'', '"', '`'] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner.to_string();
        }
    }
    value.to_string()
}

/// `DROP INDEX [CONCURRENTLY] [IF EXISTS] a[, b] [CASCADE|RESTRICT] [ON table]`.
fn drop_index(tokens: &[Token<'_>]) -> Option<StatementKind> {
    let mut i = 2;
    let concurrently = keyword_at(tokens, i, "CONCURRENTLY");
    i += usize::from(concurrently);
    let if_exists = keyword_at(tokens, i, "IF") && keyword_at(tokens, i + 1, "EXISTS");
    i += 2 * usize::from(if_exists);
    let mut names = Vec::new();
    loop {
        let (name, next) = qualified_name(tokens, i)?;
        names.push(name.to_string());
        i = next;
        if !tokens.get(i).is_some_and(|t| t.is_punct(b',')) {
            break;
        }
        i += 1;
    }
    i += usize::from(keyword_at(tokens, i, "CASCADE") || keyword_at(tokens, i, "RESTRICT"));
    if keyword_at(tokens, i, "ON") {
        i = qualified_name(tokens, i + 1)?.1;
    }
    (i == tokens.len()).then_some(StatementKind::DropIndex {
        names,
        concurrently,
        if_exists,
    })
}

/// MySQL `ALTER TABLE t RENAME INDEX|KEY a TO b`.
fn rename_index(tokens: &[Token<'_>]) -> Option<StatementKind> {
    let (table, i) = qualified_name(tokens, 2)?;
    let index_keyword = keyword_at(tokens, i + 1, "INDEX") || keyword_at(tokens, i + 1, "KEY");
    if !keyword_at(tokens, i, "RENAME") || !index_keyword || !keyword_at(tokens, i + 3, "TO") {
        return None;
    }
    let from = identifier_at(tokens, i + 2)?;
    let to = identifier_at(tokens, i + 4)?;
    (tokens.len() == i + 5).then(|| StatementKind::RenameIndex {
        table: table.to_string(),
        from: from.to_string(),
        to: to.to_string(),
    })
}

/// Whether the token at `index` is the unquoted keyword `keyword`.
fn keyword_at(tokens: &[Token<'_>], index: usize, keyword: &str) -> bool {
    tokens.get(index).is_some_and(|t| t.is_keyword(keyword))
}

/// The identifier (quoted or not) at `index`.
fn identifier_at<'a>(tokens: &[Token<'a>], index: usize) -> Option<&'a str> {
    tokens
        .get(index)
        .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdentifier))
        .map(|t| t.text)
}

/// A name `a` or `schema.a` starting at `index`: its last part and the index after it.
fn qualified_name<'a>(tokens: &[Token<'a>], index: usize) -> Option<(&'a str, usize)> {
    let mut name = identifier_at(tokens, index)?;
    let mut next = index + 1;
    while tokens.get(next).is_some_and(|t| t.is_punct(b'.')) {
        name = identifier_at(tokens, next + 1)?;
        next += 2;
    }
    Some((name, next))
}

/// The kinds of token the recognisers need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TokenKind {
    /// An unquoted word: keyword, identifier or number.
    Word,
    /// A `"..."`, `` `...` `` or `[...]` identifier (text without the quotes).
    QuotedIdentifier,
    /// A `'...'` string (text without the quotes).
    String,
    /// Any other single character.
    Punct,
}

/// A token and its byte span in the statement text.
#[derive(Clone, Copy, Debug)]
struct Token<'a> {
    kind: TokenKind,
    /// The token text; without quotes for quoted tokens.
    text: &'a str,
    start: usize,
    end: usize,
}

impl Token<'_> {
    fn is_keyword(&self, keyword: &str) -> bool {
        self.kind == TokenKind::Word && self.text.eq_ignore_ascii_case(keyword)
    }

    fn is_punct(&self, punct: u8) -> bool {
        self.kind == TokenKind::Punct && self.text.as_bytes() == [punct]
    }
}

/// A small tokenizer that skips whitespace and comments.
struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn byte(&self, offset: usize) -> Option<u8> {
        self.src.as_bytes().get(offset).copied()
    }

    /// The first offset at or after `from` where `stop` holds, or the end of the text.
    fn scan_until(&self, from: usize, stop: impl Fn(u8) -> bool) -> usize {
        let rest = self.src.as_bytes().get(from..).unwrap_or_default();
        rest.iter()
            .position(|&b| stop(b))
            .map_or(self.src.len(), |n| from + n)
    }

    /// Skips whitespace and comments.
    fn skip_trivia(&mut self) {
        loop {
            self.pos = self.scan_until(self.pos, |b| !b.is_ascii_whitespace());
            let pair = (self.byte(self.pos), self.byte(self.pos + 1));
            self.pos = match pair {
                (Some(b'-'), Some(b'-')) => self.scan_until(self.pos, |b| b == b'\n'),
                (Some(b'/'), Some(b'*')) => self
                    .src
                    .get(self.pos + 2..)
                    .and_then(|rest| rest.find("*/"))
                    .map_or(self.src.len(), |n| self.pos + 2 + n + 2),
                _ => return,
            };
        }
    }

    fn token(&self, kind: TokenKind, start: usize, end: usize, text: (usize, usize)) -> Token<'a> {
        Token {
            kind,
            text: self.src.get(text.0..text.1).unwrap_or_default(),
            start,
            end,
        }
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        self.skip_trivia();
        let start = self.pos;
        let first = self.byte(start)?;
        let close = match first {
            b'"' => Some((b'"', TokenKind::QuotedIdentifier)),
            b'`' => Some((b'`', TokenKind::QuotedIdentifier)),
            b'[' => Some((b']', TokenKind::QuotedIdentifier)),
            b'\'' => Some((b'\'', TokenKind::String)),
            _ => None,
        };
        let token = if let Some((close, kind)) = close {
            let body_end = self.scan_until(start + 1, |b| b == close);
            let end = (body_end + 1).min(self.src.len());
            self.token(kind, start, end, (start + 1, body_end))
        } else if first.is_ascii_alphanumeric() || first == b'_' || first >= 0x80 {
            let end = self.scan_until(start, |b| {
                !(b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80)
            });
            self.token(TokenKind::Word, start, end, (start, end))
        } else {
            self.token(TokenKind::Punct, start, start + 1, (start, start + 1))
        };
        self.pos = token.end;
        Some(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Option<StatementKind> {
        recognise(text).map(|r| r.kind)
    }

    fn pragma_of(name: &str, value: Option<&str>) -> Option<StatementKind> {
        Some(StatementKind::Pragma {
            name: name.to_string(),
            value: value.map(str::to_string),
        })
    }

    #[test]
    fn pragma_forms() {
        assert_eq!(kind("PRAGMA foreign_keys"), pragma_of("foreign_keys", None));
        assert_eq!(
            kind("pragma Foreign_Keys = OFF"),
            pragma_of("foreign_keys", Some("OFF"))
        );
        assert_eq!(kind("PRAGMA x(v)"), pragma_of("x", Some("v")));
        assert_eq!(kind("PRAGMA main.x=v"), pragma_of("x", Some("v")));
        assert_eq!(
            kind("PRAGMA \"main\".\"x\" = 'v'"),
            pragma_of("x", Some("v"))
        );
        assert_eq!(
            kind("PRAGMA cache_size = -2000"),
            pragma_of("cache_size", Some("-2000"))
        );
        assert_eq!(
            kind("PRAGMA foreign_key_check(\"T\")"),
            pragma_of("foreign_key_check", Some("T"))
        );
        assert_eq!(kind("PRAGMA x y"), None);
        assert_eq!(kind("PRAGMA"), None);
    }

    #[test]
    fn drop_index_forms() {
        let drop = |names: &[&str], concurrently, if_exists| {
            Some(StatementKind::DropIndex {
                names: names.iter().map(|n| n.to_string()).collect(),
                concurrently,
                if_exists,
            })
        };
        assert_eq!(
            kind("DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"a\""),
            drop(&["a"], true, true)
        );
        assert_eq!(
            kind("drop index concurrently a, s.b CASCADE"),
            drop(&["a", "b"], true, false)
        );
        assert_eq!(
            kind("DROP INDEX IF EXISTS a RESTRICT"),
            drop(&["a"], false, true)
        );
        assert_eq!(kind("DROP INDEX `a` ON `t`"), drop(&["a"], false, false));
        assert_eq!(kind("DROP INDEX a b"), None);
        assert_eq!(kind("DROP INDEX a,"), None);
    }

    #[test]
    fn rename_index_forms() {
        let rename = |table: &str, from: &str, to: &str| {
            Some(StatementKind::RenameIndex {
                table: table.to_string(),
                from: from.to_string(),
                to: to.to_string(),
            })
        };
        assert_eq!(
            kind("ALTER TABLE `db`.`t` RENAME INDEX `a` TO `b`"),
            rename("t", "a", "b")
        );
        assert_eq!(
            kind("alter table t rename key a to b"),
            rename("t", "a", "b")
        );
        assert_eq!(kind("ALTER TABLE t RENAME INDEX a TO b, ADD x int"), None);
        assert_eq!(kind("ALTER TABLE t RENAME COLUMN a TO b"), None);
    }

    #[test]
    fn not_modelled_statements_and_their_diagnostics() {
        let cases = [
            ("DO $$ BEGIN NULL; END $$", "DO block", true),
            ("DO LANGUAGE plpgsql $$ x $$", "DO block", true),
            (
                "CREATE TRIGGER IF NOT EXISTS tr AFTER INSERT ON t BEGIN SELECT 1; END",
                "CREATE TRIGGER",
                true,
            ),
            (
                "CREATE OR REPLACE FUNCTION f() RETURNS int AS $$ x $$",
                "CREATE FUNCTION",
                true,
            ),
            ("CREATE PROCEDURE p() AS $$ x $$", "CREATE PROCEDURE", true),
            ("ALTER SEQUENCE s RESTART", "ALTER SEQUENCE", false),
            ("ALTER EXTENSION x UPDATE", "ALTER EXTENSION", false),
            ("DROP SCHEMA s CASCADE x", "DROP SCHEMA", true),
            ("REINDEX t", "REINDEX", false),
            ("DROP OWNED BY app CASCADE", "DROP OWNED", false),
            ("CLUSTER VERBOSE t USING t_pkey", "CLUSTER", false),
            ("REASSIGN OWNED BY app TO admin", "REASSIGN OWNED", false),
            ("COMMENT ON TABLE t IS 'x'", "COMMENT ON", false),
            ("set names utf8mb4", "SET", false),
            ("GRANT x", "GRANT", false),
            ("VACUUM x y", "VACUUM", false),
        ];
        for (text, what, diagnosed) in cases {
            let recognised = recognise(text).unwrap_or_else(|| panic!("not recognised: {text}"));
            assert_eq!(
                recognised.kind,
                StatementKind::NotModelled {
                    what: what.to_string()
                },
                "{text}"
            );
            assert_eq!(recognised.not_modelled.is_some(), diagnosed, "{text}");
        }
    }

    #[test]
    fn modelled_objects_and_unknown_verbs_are_not_recognised() {
        assert_eq!(kind("CREATE TABLE view (x)"), None);
        assert_eq!(kind("CREATE UNIQUE INDEX i ON t (((x"), None);
        assert_eq!(kind("SELEC 1"), None);
        assert_eq!(kind(""), None);
        assert_eq!(kind("'unterminated"), None);
    }
}
