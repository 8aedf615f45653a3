//! Identifier handling: quotes, schema prefixes and Postgres case folding.

use sqlparser::ast::{Expr, Ident, IndexColumn, ObjectName, ObjectNamePart};

use crate::analysis::dialect::Dialect;

/// An identifier as the database stores it: Postgres folds unquoted names to lowercase,
/// SQLite and MySQL keep them as written.
pub(super) fn ident(dialect: Dialect, ident: &Ident) -> String {
    if dialect == Dialect::Postgres && ident.quote_style.is_none() {
        ident.value.to_lowercase()
    } else {
        ident.value.clone()
    }
}

/// Several identifiers, see [`ident`].
pub(super) fn idents(dialect: Dialect, list: &[Ident]) -> Vec<String> {
    list.iter().map(|i| ident(dialect, i)).collect()
}

/// The object's own name: the last part of a possibly schema-qualified name (`public.t` -> `t`).
pub(super) fn object(dialect: Dialect, name: &ObjectName) -> String {
    match name.0.last() {
        Some(ObjectNamePart::Identifier(last)) => ident(dialect, last),
        _ => name.to_string(),
    }
}

/// The schema part of a qualified name (`audit` of `audit.events`), unless it is the default
/// schema `public` (or the name is not qualified).
pub(super) fn schema(dialect: Dialect, name: &ObjectName) -> Option<String> {
    let [.., ObjectNamePart::Identifier(schema), _] = name.0.as_slice() else {
        return None;
    };
    let schema = ident(dialect, schema);
    (!schema.eq_ignore_ascii_case("public")).then_some(schema)
}

/// What an index column is: the column name when it is a plain column, else the expression's
/// SQL text.
pub(super) fn index_column(dialect: Dialect, column: &IndexColumn) -> String {
    expression_column(dialect, &column.column.expr)
        .unwrap_or_else(|| column.column.expr.to_string())
}

/// The column an expression names, when it is a plain (possibly qualified) column reference.
pub(super) fn expression_column(dialect: Dialect, expr: &Expr) -> Option<String> {
    match expr {
        Expr::Identifier(name) => Some(ident(dialect, name)),
        Expr::CompoundIdentifier(parts) => parts.last().map(|last| ident(dialect, last)),
        Expr::Nested(inner) => expression_column(dialect, inner),
        _ => None,
    }
}

/// Index columns, see [`index_column`].
pub(super) fn index_columns(dialect: Dialect, columns: &[IndexColumn]) -> Vec<String> {
    columns.iter().map(|c| index_column(dialect, c)).collect()
}

/// The name given to an unnamed UNIQUE constraint: `<table>_<col1>_<col2>_key`.
pub(super) fn unique_constraint_name(table: &str, columns: &[String]) -> String {
    format!("{table}_{}_key", columns.join("_"))
}

/// Whether an index column is a plain column name (not an expression's SQL text).
pub(super) fn is_plain(column: &str) -> bool {
    column
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// SQL text with every reference to identifier `from` (bare, or in double quotes or
/// backquotes) renamed to `to`; string literals are left alone.
pub(super) fn rename_in_sql(text: &str, from: &str, to: &str) -> String {
    sql_tokens(text)
        .map(|token| match token_identifier(token) {
            Some((quote, name)) if name.eq_ignore_ascii_case(from) => match quote {
                Some(q) => format!("{q}{to}{q}"),
                None => to.to_string(),
            },
            _ => token.to_string(),
        })
        .collect()
}

/// Whether SQL text refers to identifier `name` (outside string literals).
pub(super) fn mentions(text: &str, name: &str) -> bool {
    sql_tokens(text).any(|token| {
        token_identifier(token).is_some_and(|(_, identifier)| identifier.eq_ignore_ascii_case(name))
    })
}

/// The tokens of SQL text: quoted strings and identifiers, bare words, and single other
/// characters (whitespace included), which concatenate back to the text.
fn sql_tokens(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let length = match first {
            '\'' | '"' | '`' => rest
                .get(1..)
                .and_then(|after| after.find(first))
                .map_or(rest.len(), |end| end + 2),
            c if is_identifier_char(c) => rest
                .find(|c: char| !is_identifier_char(c))
                .unwrap_or(rest.len()),
            c => c.len_utf8(),
        };
        let (token, tail) = rest.split_at(length);
        rest = tail;
        Some(token)
    })
}

/// Whether `c` may be part of a bare identifier.
fn is_identifier_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// The identifier a token is, with its quote character if quoted (string literals and
/// punctuation are not identifiers).
fn token_identifier(token: &str) -> Option<(Option<char>, &str)> {
    let first = token.chars().next()?;
    match first {
        '"' | '`' => token
            .strip_prefix(first)
            .and_then(|t| t.strip_suffix(first))
            .map(|inner| (Some(first), inner)),
        c if is_identifier_char(c) => Some((None, token)),
        _ => None,
    }
}

/// Whether `name` is in `names` (ASCII case-insensitive).
pub(super) fn contains(names: &[String], name: &str) -> bool {
    names.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// Replaces every occurrence of `from` in `names` with `to` (ASCII case-insensitive).
pub(super) fn rename_in(names: &mut [String], from: &str, to: &str) {
    for name in names.iter_mut().filter(|n| n.eq_ignore_ascii_case(from)) {
        *name = to.to_string();
    }
}

/// A column default as the database reports it: the expression's SQL text, without the
/// parentheses that `DEFAULT (expr)` requires around non-literal expressions (SQLite's
/// `PRAGMA table_info` reports `unixepoch()` for `DEFAULT (unixepoch())`).
pub(super) fn default_text(expr: &Expr) -> String {
    let mut expr = expr;
    while let Expr::Nested(inner) = expr {
        expr = inner;
    }
    expr.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_folds_only_unquoted_identifiers() {
        assert_eq!(ident(Dialect::Postgres, &Ident::new("UserId")), "userid");
        assert_eq!(
            ident(Dialect::Postgres, &Ident::with_quote('"', "UserId")),
            "UserId"
        );
        assert_eq!(ident(Dialect::Mysql, &Ident::new("UserId")), "UserId");
    }

    #[test]
    fn renaming_in_sql_text_spares_string_literals_and_longer_words() {
        assert_eq!(
            rename_in_sql(
                "\"a\" IS NOT NULL AND ab = 'a' AND lower(a) = `a`",
                "a",
                "b"
            ),
            "\"b\" IS NOT NULL AND ab = 'a' AND lower(b) = `b`"
        );
        assert_eq!(
            rename_in_sql("x = 'unterminated", "x", "y"),
            "y = 'unterminated"
        );
    }

    #[test]
    fn schema_prefix_is_dropped() {
        let name = ObjectName::from(vec![Ident::new("public"), Ident::new("Users")]);
        assert_eq!(object(Dialect::Postgres, &name), "users");
        assert_eq!(object(Dialect::Sqlite, &name), "Users");
    }
}
