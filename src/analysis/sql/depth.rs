//! A guard against statements whose syntax tree would be too deep to handle safely.
//!
//! sqlparser limits its own recursion, but it parses chains like `1 + 1 + 1 ...` or
//! `SELECT 1 UNION SELECT 1 ...` in a loop into a left-deep tree. Dropping, cloning, comparing
//! or printing such a tree recurses once per level and overflows the stack after a few thousand
//! levels (debug builds, 2 MiB threads). This module estimates the depth from the tokens, before
//! parsing, so such statements can be reported instead of crashing the program.

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

/// The largest estimated expression depth that is parsed. Trees of this depth survive cloning,
/// comparing, printing and dropping on a 2 MiB stack with room to spare.
pub(super) const MAX_ESTIMATED_DEPTH: usize = 1000;

/// Keywords that chain two operands into one tree node.
const CHAINING_KEYWORDS: [Keyword; 21] = [
    Keyword::AND,
    Keyword::OR,
    Keyword::XOR,
    Keyword::NOT,
    Keyword::UNION,
    Keyword::INTERSECT,
    Keyword::EXCEPT,
    Keyword::MINUS,
    Keyword::IS,
    Keyword::IN,
    Keyword::LIKE,
    Keyword::ILIKE,
    Keyword::SIMILAR,
    Keyword::REGEXP,
    Keyword::RLIKE,
    Keyword::BETWEEN,
    Keyword::COLLATE,
    Keyword::AT,
    Keyword::DIV,
    Keyword::MOD,
    Keyword::JOIN,
];

/// An upper estimate of the depth of the expression tree sqlparser would build from `tokens`.
///
/// Every operator-like token (punctuation other than `,` `(` `)` `.` `;`, literals, chaining
/// keywords) counts one level in the current comma-separated item of the current parenthesis
/// level; a `,` starts a new item; a closed `(...)` adds its deepest item to the enclosing one.
/// The estimate is the deepest running sum over the open levels.
pub(super) fn estimated_depth(tokens: &[TokenWithSpan]) -> usize {
    let mut open_levels = vec![Level::default()];
    let mut running = 0usize;
    let mut deepest = 0usize;
    for token in tokens {
        match &token.token {
            Token::LParen => open_levels.push(Level::default()),
            Token::RParen if open_levels.len() > 1 => {
                let closed = open_levels.pop().unwrap_or_default();
                running = running.saturating_sub(closed.current);
                if let Some(enclosing) = open_levels.last_mut() {
                    enclosing.current += closed.deepest_item();
                    running += closed.deepest_item();
                }
            }
            Token::RParen => {}
            Token::Comma => {
                if let Some(level) = open_levels.last_mut() {
                    running = running.saturating_sub(level.current);
                    level.deepest = level.deepest_item();
                    level.current = 0;
                }
            }
            token if counts_as_level(token) => {
                if let Some(level) = open_levels.last_mut() {
                    level.current += 1;
                    running += 1;
                }
            }
            _ => {}
        }
        deepest = deepest.max(running);
    }
    deepest
}

/// The levels counted in one open parenthesis.
#[derive(Clone, Copy, Debug, Default)]
struct Level {
    /// Levels of the current comma-separated item.
    current: usize,
    /// Levels of the deepest item before the current one.
    deepest: usize,
}

impl Level {
    fn deepest_item(&self) -> usize {
        self.current.max(self.deepest)
    }
}

/// Whether `token` may add a level to the tree it is part of.
fn counts_as_level(token: &Token) -> bool {
    match token {
        Token::Word(word) => CHAINING_KEYWORDS.contains(&word.keyword),
        Token::Whitespace(_)
        | Token::Number(..)
        | Token::Period
        | Token::SemiColon
        | Token::EOF => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::tokenizer::Tokenizer;

    fn depth(sql: &str) -> usize {
        let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
            .tokenize_with_location()
            .unwrap_or_default();
        estimated_depth(&tokens)
    }

    #[test]
    fn chains_count_and_siblings_do_not() {
        assert_eq!(depth("SELECT 1 + 1 + 1"), 2);
        assert_eq!(depth("SELECT 1 + 1, 1 + 1, 1 + 1"), 1);
        assert_eq!(depth("SELECT 1 UNION SELECT 1 UNION SELECT 1"), 2);
        assert_eq!(depth("INSERT INTO t VALUES (1, 2), (3, 4), (5, 6)"), 0);
        assert_eq!(depth("SELECT 1 + (1 + 1) + 1"), 3);
        assert_eq!(depth("SELECT (1 + 1) + (1 + 1)"), 3);
        assert_eq!(depth("SELECT f(1 + 1 + 1, 1) + 1"), 3);
    }

    #[test]
    fn unbalanced_parentheses_do_not_underflow() {
        assert_eq!(depth(")))) + 1"), 1);
        assert_eq!(depth("((((, + ,"), 1);
    }
}
