//! Tokenizer for the Prisma schema language: identifiers, strings, numbers, punctuation and
//! newlines (fields are line-based), with `//` and `///` comments dropped.

/// What a token is.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum TokenKind {
    /// An identifier or keyword (`model`, `String`, `autoincrement`, `db`).
    Ident(String),
    /// A string literal with its escapes resolved.
    Str(String),
    /// A number literal as written (`-1`, `2.5`).
    Number(String),
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `,`
    Comma,
    /// `:`
    Colon,
    /// `=`
    Equals,
    /// `?`
    Question,
    /// `@`
    At,
    /// `@@`
    AtAt,
    /// `.`
    Dot,
    /// End of a line.
    Newline,
}

/// A token and the 1-based line it starts on.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Token {
    /// What the token is.
    pub kind: TokenKind,
    /// 1-based line.
    pub line: usize,
}

/// A character sequence the tokenizer could not make sense of.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct LexProblem {
    /// 1-based line.
    pub line: usize,
    /// What is wrong, for a reviewer.
    pub message: String,
}

/// Splits `source` into tokens; unknown characters and unterminated strings become problems
/// and are skipped.
pub(super) fn tokenize(source: &str) -> (Vec<Token>, Vec<LexProblem>) {
    let mut lexer = Lexer {
        chars: source.chars().collect(),
        pos: 0,
        line: 1,
        tokens: Vec::new(),
        problems: Vec::new(),
    };
    lexer.run();
    (lexer.tokens, lexer.problems)
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
    line: usize,
    tokens: Vec<Token>,
    problems: Vec<LexProblem>,
}

impl Lexer {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn push(&mut self, kind: TokenKind) {
        self.tokens.push(Token {
            kind,
            line: self.line,
        });
    }

    fn run(&mut self) {
        while let Some(c) = self.peek(0) {
            match c {
                '\n' => {
                    self.push(TokenKind::Newline);
                    self.line += 1;
                    self.pos += 1;
                }
                c if c.is_whitespace() => self.pos += 1,
                '/' if self.peek(1) == Some('/') => self.skip_to_line_end(),
                '"' => self.string(),
                '@' => self.at_sign(),
                c if c.is_ascii_alphabetic() || c == '_' => self.identifier(),
                c if c.is_ascii_digit() => self.number(),
                '-' if self.peek(1).is_some_and(|d| d.is_ascii_digit()) => self.number(),
                c => self.punctuation(c),
            }
        }
    }

    fn skip_to_line_end(&mut self) {
        while self.peek(0).is_some_and(|c| c != '\n') {
            self.pos += 1;
        }
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> String {
        let start = self.pos;
        while self.peek(0).is_some_and(&keep) {
            self.pos += 1;
        }
        self.chars
            .get(start..self.pos)
            .map(|s| s.iter().collect())
            .unwrap_or_default()
    }

    fn identifier(&mut self) {
        let name = self.take_while(|c| c.is_ascii_alphanumeric() || c == '_');
        self.push(TokenKind::Ident(name));
    }

    fn number(&mut self) {
        let sign = if self.peek(0) == Some('-') {
            self.pos += 1;
            "-"
        } else {
            ""
        };
        let digits = self.take_while(|c| c.is_ascii_alphanumeric() || c == '.');
        self.push(TokenKind::Number(format!("{sign}{digits}")));
    }

    fn at_sign(&mut self) {
        if self.peek(1) == Some('@') {
            self.pos += 2;
            self.push(TokenKind::AtAt);
        } else {
            self.pos += 1;
            self.push(TokenKind::At);
        }
    }

    fn string(&mut self) {
        let line = self.line;
        self.pos += 1;
        let mut value = String::new();
        loop {
            match self.peek(0) {
                None | Some('\n') => {
                    self.problems.push(LexProblem {
                        line,
                        message: "string literal is not closed on its line".to_string(),
                    });
                    break;
                }
                Some('"') => {
                    self.pos += 1;
                    break;
                }
                Some('\\') => {
                    value.push(unescape(self.peek(1)));
                    self.pos += if self.peek(1).is_some_and(|c| c != '\n') {
                        2
                    } else {
                        1
                    };
                }
                Some(c) => {
                    value.push(c);
                    self.pos += 1;
                }
            }
        }
        self.tokens.push(Token {
            kind: TokenKind::Str(value),
            line,
        });
    }

    fn punctuation(&mut self, c: char) {
        let kind = match c {
            '{' => TokenKind::LBrace,
            '}' => TokenKind::RBrace,
            '(' => TokenKind::LParen,
            ')' => TokenKind::RParen,
            '[' => TokenKind::LBracket,
            ']' => TokenKind::RBracket,
            ',' => TokenKind::Comma,
            ':' => TokenKind::Colon,
            '=' => TokenKind::Equals,
            '?' => TokenKind::Question,
            '.' => TokenKind::Dot,
            _ => return self.unexpected_run(),
        };
        self.push(kind);
        self.pos += 1;
    }

    /// Reports the current character, and the run of characters after it that start no token,
    /// as one problem.
    fn unexpected_run(&mut self) {
        let first = self.peek(0).unwrap_or_default();
        self.pos += 1;
        let run = format!("{first}{}", self.take_while(|c| !starts_token(c)));
        let message = match run.chars().count() {
            1 => format!("unexpected character {run:?}"),
            _ => format!("unexpected characters {run:?}"),
        };
        self.problems.push(LexProblem {
            line: self.line,
            message,
        });
    }
}

/// Whether a character can start a token or separate tokens.
fn starts_token(c: char) -> bool {
    c.is_whitespace() || c.is_ascii_alphanumeric() || "_\"@-/{}()[],:=?.".contains(c)
}

/// The character an escape `\c` stands for (a lone backslash at the end stands for itself).
fn unescape(escaped: Option<char>) -> char {
    match escaped {
        Some('n') => '\n',
        Some('t') => '\t',
        Some('r') => '\r',
        Some('\n') | None => '\\',
        Some(other) => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<TokenKind> {
        tokenize(source).0.into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn field_line_becomes_tokens() {
        assert_eq!(
            kinds("id Int? @db.VarChar(255) // note\n"),
            vec![
                TokenKind::Ident("id".into()),
                TokenKind::Ident("Int".into()),
                TokenKind::Question,
                TokenKind::At,
                TokenKind::Ident("db".into()),
                TokenKind::Dot,
                TokenKind::Ident("VarChar".into()),
                TokenKind::LParen,
                TokenKind::Number("255".into()),
                TokenKind::RParen,
                TokenKind::Newline,
            ]
        );
    }

    #[test]
    fn strings_resolve_escapes_and_numbers_keep_sign() {
        assert_eq!(
            kinds(r#""a\"b" -1.5 @@"#),
            vec![
                TokenKind::Str("a\"b".into()),
                TokenKind::Number("-1.5".into()),
                TokenKind::AtAt,
            ]
        );
    }

    #[test]
    fn problems_carry_their_line() {
        let (tokens, problems) = tokenize("a\n\"open\n§§ b");
        assert_eq!(tokens.len(), 5);
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].line, 2);
        assert_eq!(problems[1].line, 3);
        assert_eq!(problems[1].message, "unexpected characters \"§§\"");
        assert_eq!(tokenize("- / -").1.len(), 3);
    }
}
