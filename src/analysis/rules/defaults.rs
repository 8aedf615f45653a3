//! Whether a column default makes Postgres rewrite the table when the column is added.
//!
//! Since Postgres 11, `ADD COLUMN ... DEFAULT expr` stores the default once, without touching
//! existing rows, when `expr` is not volatile: constants, casts of constants, and calls of
//! STABLE or IMMUTABLE functions. A VOLATILE call (`random()`, `gen_random_uuid()`, `nextval()`,
//! and every user function, which `CREATE FUNCTION` makes VOLATILE unless it says otherwise) is
//! evaluated per row: the table is rewritten under an ACCESS EXCLUSIVE lock. The list is
//! therefore the other way round: only what is known to be safe is safe. (A user function that
//! is a single `SELECT` of a constant in `LANGUAGE sql` is inlined by Postgres and does not
//! rewrite; schemagate does not read function bodies, so it reports it all the same.)

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

/// Functions that are STABLE or IMMUTABLE in every overload (`pg_proc.provolatile` is `s` or
/// `i`; the Postgres test suite checks each on a real server).
pub const NON_VOLATILE_FUNCTIONS: &[&str] = &[
    "now",
    "transaction_timestamp",
    "statement_timestamp",
    "current_setting",
    "current_schema",
    "current_user",
    "session_user",
    "current_database",
    "lower",
    "upper",
    "concat",
    "length",
    "md5",
    "abs",
    "round",
    "to_jsonb",
    "to_json",
    "jsonb_build_object",
    "json_build_object",
    "jsonb_build_array",
    "json_build_array",
    "make_interval",
    "make_date",
    "date_trunc",
    "to_timestamp",
    "to_date",
];

/// SQL constructs written like calls that are not functions of `pg_proc` and never volatile
/// (`CURRENT_TIMESTAMP(3)`, `CAST(x AS t)`, `COALESCE(a, b)`, `ROW(...)`, ...).
pub const NON_VOLATILE_CONSTRUCTS: &[&str] = &[
    "current_timestamp",
    "current_date",
    "current_time",
    "localtime",
    "localtimestamp",
    "current_role",
    "current_catalog",
    "cast",
    "coalesce",
    "nullif",
    "greatest",
    "least",
    "row",
];

/// The call in `default` that makes Postgres evaluate it per row (so adding a column with it
/// rewrites the table), as `name()`: the first function that is not known to be STABLE or
/// IMMUTABLE. `None` when the default is a constant or calls only such functions. A default
/// that cannot be read counts as volatile.
pub fn rewriting_call(default: &str) -> Option<String> {
    let Ok(tokens) = Tokenizer::new(&PostgreSqlDialect {}, default).tokenize() else {
        return Some(format!("{default} (unreadable)"));
    };
    let tokens: Vec<&Token> = tokens
        .iter()
        .filter(|token| !matches!(token, Token::Whitespace(_)))
        .collect();
    let mut at = 0;
    while at < tokens.len() {
        match tokens[at] {
            // `expr::type(n)[]` and `CAST(expr AS type(n))`: type names are not calls.
            Token::DoubleColon => at = skip_type_name(&tokens, at + 1),
            Token::Word(word) if word.value.eq_ignore_ascii_case("as") => {
                at = skip_type_name(&tokens, at + 1)
            }
            Token::Word(word) if matches!(tokens.get(at + 1), Some(Token::LParen)) => {
                let name = word.value.to_ascii_lowercase();
                let known = NON_VOLATILE_FUNCTIONS.contains(&name.as_str())
                    || NON_VOLATILE_CONSTRUCTS.contains(&name.as_str());
                // `schema.function(...)`: only the built-ins of pg_catalog are known.
                let qualified = at > 0 && matches!(tokens[at - 1], Token::Period);
                let in_catalog = qualified
                    && matches!(tokens.get(at.wrapping_sub(2)), Some(Token::Word(schema)) if schema.value.eq_ignore_ascii_case("pg_catalog"));
                if !known || (qualified && !in_catalog) {
                    return Some(format!("{name}()"));
                }
                at += 1;
            }
            _ => at += 1,
        }
    }
    None
}

/// The index after a type name starting at `at`: words (`character varying`, `timestamp with
/// time zone`, `public.mytype`), a parenthesised modifier and array brackets.
fn skip_type_name(tokens: &[&Token], mut at: usize) -> usize {
    while let Some(token) = tokens.get(at) {
        match token {
            Token::Word(_) | Token::Period | Token::LBracket | Token::RBracket => at += 1,
            Token::Number(..) => at += 1,
            Token::LParen => {
                let mut depth = 0usize;
                while let Some(token) = tokens.get(at) {
                    at += 1;
                    match token {
                        Token::LParen => depth += 1,
                        Token::RParen => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => break,
        }
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_casts_and_stable_calls_are_safe() {
        for default in [
            "0",
            "'pending'",
            "true",
            "'{}'::jsonb",
            "'x'::character varying(10)",
            "'{}'::text[]",
            "CAST('1' AS numeric(10, 2))",
            "now()",
            "CURRENT_TIMESTAMP",
            "CURRENT_TIMESTAMP(3)",
            "(now() AT TIME ZONE 'utc')",
            "pg_catalog.now()",
            "jsonb_build_object('a', 1)",
            "coalesce(NULL, 'a')",
            "interval '1 day'",
            "-1",
        ] {
            assert_eq!(rewriting_call(default), None, "{default}");
        }
    }

    #[test]
    fn volatile_and_unknown_calls_rewrite() {
        for (default, call) in [
            ("gen_random_uuid()", "gen_random_uuid()"),
            ("random()", "random()"),
            ("nextval('seq'::regclass)", "nextval()"),
            ("myjsonb()", "myjsonb()"),
            ("uuid()", "uuid()"),
            ("public.now()", "now()"),
            (
                "(clock_timestamp() + interval '1 day')",
                "clock_timestamp()",
            ),
            ("'a' || my_suffix()", "my_suffix()"),
        ] {
            assert_eq!(rewriting_call(default).as_deref(), Some(call), "{default}");
        }
    }
}
