//! Statements read from their words rather than sqlparser's tree, in every form Postgres takes
//! them: the `lock_timeout` setting, and the maintenance statements that lock a table
//! (`REINDEX`, `VACUUM`, `CLUSTER`, `LOCK TABLE`), some forms of which sqlparser rejects.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

/// A maintenance statement that locks a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Maintenance {
    /// `REINDEX [(...)] {INDEX | TABLE} [CONCURRENTLY] name`; `table` is set for `TABLE`,
    /// `index` for `INDEX` (`SCHEMA`, `DATABASE`, `SYSTEM` set neither).
    Reindex {
        /// `CONCURRENTLY` was given.
        concurrently: bool,
        /// The table of `REINDEX TABLE`.
        table: Option<String>,
        /// The index of `REINDEX INDEX`.
        index: Option<String>,
    },
    /// `VACUUM FULL` / `VACUUM (FULL) tables` (an empty list: every table).
    VacuumFull {
        /// The tables named.
        tables: Vec<String>,
    },
    /// `CLUSTER [VERBOSE] [table [USING index]]`.
    Cluster {
        /// The table named (`None`: every table clustered before).
        table: Option<String>,
    },
    /// `LOCK [TABLE] tables [IN mode MODE]`.
    LockTable {
        /// The tables named.
        tables: Vec<String>,
    },
}

/// Whether `text` holds `word` in any ASCII case: a cheap test before tokenizing, since a
/// statement can only be a setting or a maintenance statement of that name if it holds it
/// (every statement of a history goes through both readers).
fn mentions(text: &str, word: &str) -> bool {
    text.as_bytes()
        .windows(word.len())
        .any(|window| window.eq_ignore_ascii_case(word.as_bytes()))
}

/// The statement's significant tokens: words (lowercase unless quoted, as Postgres folds them)
/// and punctuation, without whitespace and comments. `None` when it cannot be tokenized.
fn words(text: &str) -> Option<Vec<Token>> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, text)
        .tokenize()
        .ok()?;
    Some(
        tokens
            .into_iter()
            .filter(|token| !matches!(token, Token::Whitespace(_)))
            .collect(),
    )
}

/// The keyword a token is (lowercase), when it is an unquoted word.
fn keyword(token: Option<&Token>) -> Option<String> {
    match token {
        Some(Token::Word(word)) if word.quote_style.is_none() => {
            Some(word.value.to_ascii_lowercase())
        }
        _ => None,
    }
}

/// The object name starting at `tokens[at]` (`a`, `"A"`, `s.a`): its last part, and the index
/// after it.
fn object_name(tokens: &[Token], mut at: usize) -> Option<(String, usize)> {
    let mut last = None;
    while let Some(Token::Word(word)) = tokens.get(at) {
        last = Some(match word.quote_style {
            Some(_) => word.value.clone(),
            None => word.value.to_ascii_lowercase(),
        });
        at += 1;
        if !matches!(tokens.get(at), Some(Token::Period)) {
            break;
        }
        at += 1;
    }
    last.map(|name| (name, at))
}

/// A comma-separated list of object names from `at`, up to a word in `stop` or the end.
fn object_names(tokens: &[Token], mut at: usize, stop: &[&str]) -> Vec<String> {
    let mut names = Vec::new();
    while at < tokens.len() {
        if keyword(tokens.get(at)).is_some_and(|k| stop.contains(&k.as_str())) {
            break;
        }
        match object_name(tokens, at) {
            Some((name, next)) => {
                names.push(name);
                at = next;
            }
            None => at += 1,
        }
    }
    names
}

/// What a statement does to `lock_timeout`: `Some(true)` when it sets a non-zero value,
/// `Some(false)` when it turns it off (`0`, `DEFAULT`, `RESET`), `None` when it does not touch
/// it. Only the setting itself counts: `SET app.lock_timeout` is another setting.
pub(super) fn lock_timeout_setting(text: &str) -> Option<bool> {
    if !mentions(text, "lock_timeout") {
        return None;
    }
    let tokens = words(text)?;
    let first = keyword(tokens.first())?;
    let value = match first.as_str() {
        "reset" => return (keyword(tokens.get(1))? == "lock_timeout").then_some(false),
        "set" => {
            let mut at = 1;
            if matches!(
                keyword(tokens.get(at)).as_deref(),
                Some("session" | "local")
            ) {
                at += 1;
            }
            if keyword(tokens.get(at))? != "lock_timeout" {
                return None;
            }
            at += 1;
            if matches!(tokens.get(at), Some(Token::Eq))
                || keyword(tokens.get(at)).as_deref() == Some("to")
            {
                at += 1;
            }
            tokens.get(at)?.clone()
        }
        _ => {
            // `SELECT set_config('lock_timeout', '5s', false)`.
            let call = tokens
                .iter()
                .position(|t| keyword(Some(t)).as_deref() == Some("set_config"))?;
            match tokens.get(call + 2..call + 5)? {
                [Token::SingleQuotedString(name), Token::Comma, value]
                    if name.eq_ignore_ascii_case("lock_timeout") =>
                {
                    value.clone()
                }
                _ => return None,
            }
        }
    };
    let off = match &value {
        Token::Number(number, _) => is_zero(number),
        Token::SingleQuotedString(text) => is_zero(text),
        Token::Word(word) => word.value.eq_ignore_ascii_case("default"),
        _ => false,
    };
    Some(!off)
}

/// Whether a setting's value is a zero duration (`0`, `'0'`, `'0s'`, `'0.0ms'`).
fn is_zero(value: &str) -> bool {
    let number: String = value
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    !number.is_empty() && number.chars().all(|c| c == '0' || c == '.')
}

/// The first words of the statements [`maintenance`] reads.
const MAINTENANCE_KEYWORDS: [&str; 4] = ["reindex", "vacuum", "cluster", "lock"];

/// The maintenance statement `text` is, if it is one.
pub(super) fn maintenance(text: &str) -> Option<Maintenance> {
    if !MAINTENANCE_KEYWORDS
        .iter()
        .any(|keyword| mentions(text, keyword))
    {
        return None;
    }
    let tokens = words(text)?;
    let mut at = 1;
    // `REINDEX (VERBOSE)`, `VACUUM (FULL, ANALYZE)`, `CLUSTER (VERBOSE)`: an option list.
    let mut options = Vec::new();
    if matches!(tokens.get(at), Some(Token::LParen)) {
        let close = at
            + tokens[at..]
                .iter()
                .position(|t| matches!(t, Token::RParen))?;
        options = tokens[at + 1..close]
            .iter()
            .filter_map(|t| keyword(Some(t)))
            .collect();
        at = close + 1;
    }
    match keyword(tokens.first())?.as_str() {
        "reindex" => {
            let target = keyword(tokens.get(at))?;
            at += 1;
            let concurrently = keyword(tokens.get(at)).as_deref() == Some("concurrently");
            if concurrently {
                at += 1;
            }
            let name = object_name(&tokens, at).map(|(name, _)| name);
            Some(Maintenance::Reindex {
                concurrently,
                table: (target == "table").then(|| name.clone()).flatten(),
                index: (target == "index").then_some(name).flatten(),
            })
        }
        "vacuum" => {
            let mut full = options.iter().any(|o| o == "full");
            while let Some(word) = keyword(tokens.get(at)) {
                match word.as_str() {
                    "full" => full = true,
                    "freeze" | "verbose" | "analyze" | "analyse" => {}
                    _ => break,
                }
                at += 1;
            }
            full.then(|| Maintenance::VacuumFull {
                tables: object_names(&tokens, at, &[]),
            })
        }
        "cluster" => {
            if keyword(tokens.get(at)).as_deref() == Some("verbose") {
                at += 1;
            }
            Some(Maintenance::Cluster {
                table: object_name(&tokens, at).map(|(name, _)| name),
            })
        }
        "lock" => {
            if keyword(tokens.get(at)).as_deref() == Some("table") {
                at += 1;
            }
            if keyword(tokens.get(at)).as_deref() == Some("only") {
                at += 1;
            }
            Some(Maintenance::LockTable {
                tables: object_names(&tokens, at, &["in", "nowait"]),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_real_lock_timeout_setting_counts() {
        for (sql, expected) in [
            ("SET lock_timeout = '5s'", Some(true)),
            ("SET LOCAL lock_timeout TO '2s'", Some(true)),
            ("set session lock_timeout = 3000", Some(true)),
            ("SELECT set_config('lock_timeout', '5s', false)", Some(true)),
            ("SET lock_timeout = 0", Some(false)),
            ("SET lock_timeout = '0'", Some(false)),
            ("SET lock_timeout = '0s'", Some(false)),
            ("SET lock_timeout TO DEFAULT", Some(false)),
            ("RESET lock_timeout", Some(false)),
            ("SET app.lock_timeout = '5s'", None),
            ("SET statement_timeout = '5s'", None),
            ("SELECT set_config('app.lock_timeout', '5s', false)", None),
            ("SELECT 'lock_timeout'", None),
        ] {
            assert_eq!(lock_timeout_setting(sql), expected, "{sql}");
        }
    }

    #[test]
    fn maintenance_statements_in_their_forms() {
        let reindex = |concurrently, table: Option<&str>, index: Option<&str>| {
            Some(Maintenance::Reindex {
                concurrently,
                table: table.map(str::to_owned),
                index: index.map(str::to_owned),
            })
        };
        assert_eq!(
            maintenance(r#"REINDEX INDEX "Recipe_title_idx""#),
            reindex(false, None, Some("Recipe_title_idx"))
        );
        assert_eq!(
            maintenance("REINDEX (VERBOSE) TABLE CONCURRENTLY public.Recipe"),
            reindex(true, Some("recipe"), None)
        );
        assert_eq!(
            maintenance("REINDEX DATABASE app"),
            reindex(false, None, None)
        );
        let vacuum = |tables: &[&str]| {
            Some(Maintenance::VacuumFull {
                tables: tables.iter().map(|t| t.to_string()).collect(),
            })
        };
        assert_eq!(maintenance(r#"VACUUM FULL "Recipe""#), vacuum(&["Recipe"]));
        assert_eq!(
            maintenance(r#"VACUUM (FULL, ANALYZE) "Recipe", "Step""#),
            vacuum(&["Recipe", "Step"])
        );
        assert_eq!(maintenance("VACUUM FULL VERBOSE"), vacuum(&[]));
        assert_eq!(maintenance(r#"VACUUM ANALYZE "Recipe""#), None);
        assert_eq!(
            maintenance(r#"CLUSTER "Recipe" USING "Recipe_pkey""#),
            Some(Maintenance::Cluster {
                table: Some("Recipe".into())
            })
        );
        assert_eq!(
            maintenance("CLUSTER"),
            Some(Maintenance::Cluster { table: None })
        );
        assert_eq!(
            maintenance(r#"LOCK TABLE "Recipe", "Step" IN ACCESS EXCLUSIVE MODE"#),
            Some(Maintenance::LockTable {
                tables: vec!["Recipe".into(), "Step".into()]
            })
        );
        assert_eq!(maintenance("SELECT 1"), None);
    }
}
