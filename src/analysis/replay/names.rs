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
    fn schema_prefix_is_dropped() {
        let name = ObjectName::from(vec![Ident::new("public"), Ident::new("Users")]);
        assert_eq!(object(Dialect::Postgres, &name), "users");
        assert_eq!(object(Dialect::Sqlite, &name), "Users");
    }
}
