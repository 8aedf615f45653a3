//! The replayed schema as text for people (`schemagate schema`).

use std::fmt::Write;

use super::sanitize::sanitize_line as clean;
use super::style::{Painter, Role};
use crate::analysis::diagnostic::Diagnostic;
use crate::analysis::schema::{Column, ForeignKey, Index, Schema, Table};

/// Renders every table of `schema`, its enums, then `diagnostics`.
pub fn render_schema(schema: &Schema, diagnostics: &[Diagnostic], painter: Painter) -> String {
    let mut out = String::new();
    for table in &schema.tables {
        render_table(&mut out, table, painter);
        out.push('\n');
    }
    for enum_type in &schema.enums {
        let values: Vec<_> = enum_type.values.iter().map(|v| clean(v)).collect();
        let _ = writeln!(
            out,
            "{} {} ({})\n",
            painter.paint(Role::Heading, "ENUM"),
            clean(&enum_type.name),
            values.join(", ")
        );
    }
    out.push_str(&render_diagnostics(diagnostics, painter));
    out
}

/// One table: columns aligned, then indexes and foreign keys.
pub fn render_table(out: &mut String, table: &Table, painter: Painter) {
    let _ = writeln!(
        out,
        "{} {}",
        painter.paint(Role::Heading, "TABLE"),
        painter.paint(Role::Heading, &clean(&table.name))
    );
    let name_width = table
        .columns
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(0);
    let type_width = table
        .columns
        .iter()
        .map(|c| c.data_type.len())
        .max()
        .unwrap_or(0);
    for column in &table.columns {
        let _ = writeln!(
            out,
            "  {}",
            column_line(column, name_width, type_width).trim_end()
        );
    }
    for index in &table.indexes {
        let _ = writeln!(out, "  {}", index_line(index));
    }
    for fk in &table.foreign_keys {
        let _ = writeln!(out, "  {}", foreign_key_line(fk));
    }
}

/// `name  TYPE  NOT NULL  DEFAULT x  PRIMARY KEY`, padded to the given widths.
pub fn column_line(column: &Column, name_width: usize, type_width: usize) -> String {
    format!(
        "{:name_width$}  {}",
        clean(&column.name),
        column_definition(column, type_width)
    )
}

/// `TYPE  NOT NULL  DEFAULT x  PRIMARY KEY` (everything but the name), type padded to `type_width`.
pub fn column_definition(column: &Column, type_width: usize) -> String {
    let mut line = format!(
        "{:type_width$}  {}",
        clean(&column.data_type),
        if column.nullable {
            "NULL    "
        } else {
            "NOT NULL"
        },
    );
    if let Some(default) = &column.default {
        let _ = write!(line, "  DEFAULT {}", clean(default));
    }
    if column.primary_key {
        line.push_str("  PRIMARY KEY");
    }
    line
}

/// `UNIQUE INDEX name (a, b) WHERE p`.
pub fn index_line(index: &Index) -> String {
    let columns: Vec<_> = index.columns.iter().map(|c| clean(c)).collect();
    let mut line = format!(
        "{}INDEX {} ({})",
        if index.unique { "UNIQUE " } else { "" },
        clean(&index.name),
        columns.join(", ")
    );
    if let Some(predicate) = &index.predicate {
        let _ = write!(line, " WHERE {}", clean(predicate));
    }
    line
}

/// `FOREIGN KEY (a) -> Parent(id) ON DELETE CASCADE ON UPDATE NO ACTION`.
pub fn foreign_key_line(fk: &ForeignKey) -> String {
    let columns: Vec<_> = fk.columns.iter().map(|c| clean(c)).collect();
    let ref_columns: Vec<_> = fk.ref_columns.iter().map(|c| clean(c)).collect();
    let mut line = format!(
        "FOREIGN KEY ({}) -> {}({}) ON DELETE {} ON UPDATE {}",
        columns.join(", "),
        clean(&fk.ref_table),
        ref_columns.join(", "),
        fk.on_delete,
        fk.on_update
    );
    if fk.enforcement == crate::analysis::schema::Enforcement::PrismaClient {
        line.push_str("  (emulated by Prisma, not in the database)");
    }
    line
}

/// Diagnostics as `file:line: message`, under a heading; empty when there are none.
pub fn render_diagnostics(diagnostics: &[Diagnostic], painter: Painter) -> String {
    if diagnostics.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "{}\n",
        painter.paint(
            Role::Warning,
            &format!("{} diagnostics:", diagnostics.len())
        )
    );
    for diagnostic in diagnostics {
        let _ = writeln!(out, "  {}", clean(&diagnostic.to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::schema::ReferentialAction;

    #[test]
    fn table_renders_columns_indexes_and_keys() {
        let table = Table {
            name: "Recipe".into(),
            schema: None,
            columns: vec![
                Column {
                    name: "id".into(),
                    data_type: "TEXT".into(),
                    nullable: false,
                    default: None,
                    primary_key: true,
                    identity: false,
                },
                Column {
                    name: "servings".into(),
                    data_type: "INTEGER".into(),
                    nullable: true,
                    default: Some("4".into()),
                    primary_key: false,
                    identity: false,
                },
            ],
            indexes: vec![Index {
                name: "Recipe_title_key".into(),
                columns: vec!["title".into()],
                unique: true,
                ..Index::default()
            }],
            foreign_keys: vec![ForeignKey {
                columns: vec!["authorId".into()],
                ref_table: "User".into(),
                ref_columns: vec!["id".into()],
                on_delete: ReferentialAction::Cascade,
                ..ForeignKey::default()
            }],
        };
        let mut out = String::new();
        render_table(&mut out, &table, Painter::new(false));
        assert_eq!(
            out,
            "TABLE Recipe\n  id        TEXT     NOT NULL  PRIMARY KEY\n  servings  INTEGER  NULL      DEFAULT 4\n  UNIQUE INDEX Recipe_title_key (title)\n  FOREIGN KEY (authorId) -> User(id) ON DELETE CASCADE ON UPDATE NO ACTION\n"
        );
    }

    #[test]
    fn escape_sequences_in_names_are_stripped() {
        let table = Table {
            name: "T\u{1b}[2J".into(),
            ..Table::default()
        };
        let mut out = String::new();
        render_table(&mut out, &table, Painter::new(false));
        assert_eq!(out, "TABLE T\n");
    }
}
