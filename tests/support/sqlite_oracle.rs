//! Reads a real SQLite database back into the schema model, for oracle tests.
//!
//! [`read_schema`] asks SQLite itself (`PRAGMA table_info`, `foreign_key_list`, `index_list`,
//! `index_info` and `sqlite_master` for partial-index predicates) what the schema is.
//! [`comparable`] normalises a schema (real or replayed) so that only differences SQLite would
//! care about remain: type case and spacing, quoting in predicates, the names SQLite gives
//! unique-constraint indexes (`sqlite_autoindex_*`) and foreign keys (none), the text of
//! expression index columns (SQLite reports none), and ordering.
//! Primary-key indexes (origin `pk`), `sqlite_*` tables and `_prisma_migrations` are skipped.
//!
//! Include it with `#[path = "support/sqlite_oracle.rs"] mod sqlite_oracle;` after
//! `use schemagate::analysis;` at the test crate root.

use rusqlite::{Connection, params};

use crate::analysis::schema::{
    Column, ForeignKey, Index, IndexOrigin, ReferentialAction, Schema, Table,
};

/// The schema of the database behind `connection`, as SQLite reports it.
pub fn read_schema(connection: &Connection) -> rusqlite::Result<Schema> {
    let mut statement = connection.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations' ORDER BY rowid",
    )?;
    let names = statement
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let tables = names
        .into_iter()
        .map(|name| read_table(connection, name))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Schema {
        tables,
        enums: Vec::new(),
    })
}

/// One table: columns, foreign keys and indexes.
fn read_table(connection: &Connection, name: String) -> rusqlite::Result<Table> {
    let columns = read_columns(connection, &name)?;
    let foreign_keys = read_foreign_keys(connection, &name)?;
    let indexes = read_indexes(connection, &name)?;
    Ok(Table {
        name,
        schema: None,
        columns,
        indexes,
        foreign_keys,
    })
}

/// `PRAGMA table_info`.
fn read_columns(connection: &Connection, table: &str) -> rusqlite::Result<Vec<Column>> {
    let mut statement = connection.prepare(
        "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1) ORDER BY cid",
    )?;
    statement
        .query_map(params![table], |row| {
            Ok(Column {
                name: row.get(0)?,
                data_type: row.get(1)?,
                nullable: row.get::<_, i64>(2)? == 0,
                default: row.get(3)?,
                primary_key: row.get::<_, i64>(4)? > 0,
                // SQLite has no identity columns (INTEGER PRIMARY KEY is the rowid).
                identity: false,
            })
        })?
        .collect()
}

/// The primary key columns of `table` (what a `REFERENCES table` without columns means).
fn primary_key_of(connection: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut statement =
        connection.prepare("SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk")?;
    statement
        .query_map(params![table], |row| row.get(0))?
        .collect()
}

/// `PRAGMA foreign_key_list`, one [`ForeignKey`] per constraint id (SQLite reports no names).
fn read_foreign_keys(connection: &Connection, table: &str) -> rusqlite::Result<Vec<ForeignKey>> {
    let mut statement = connection.prepare(
        "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete \
         FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
    )?;
    let rows = statement
        .query_map(params![table], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<String>>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut foreign_keys: Vec<(i64, ForeignKey)> = Vec::new();
    for (id, parent, from, to, on_update, on_delete) in rows {
        if foreign_keys.last().is_none_or(|(last, _)| *last != id) {
            let foreign_key = ForeignKey {
                ref_table: parent,
                on_delete: action(&on_delete),
                on_update: action(&on_update),
                ..ForeignKey::default()
            };
            foreign_keys.push((id, foreign_key));
        }
        if let Some((_, foreign_key)) = foreign_keys.last_mut() {
            foreign_key.columns.push(from);
            if let Some(to) = to {
                foreign_key.ref_columns.push(to);
            }
        }
    }
    foreign_keys
        .into_iter()
        .map(|(_, mut foreign_key)| {
            if foreign_key.ref_columns.is_empty() {
                foreign_key.ref_columns = primary_key_of(connection, &foreign_key.ref_table)?;
            }
            Ok(foreign_key)
        })
        .collect()
}

/// A referential action as `foreign_key_list` spells it.
fn action(text: &str) -> ReferentialAction {
    match text {
        "CASCADE" => ReferentialAction::Cascade,
        "SET NULL" => ReferentialAction::SetNull,
        "SET DEFAULT" => ReferentialAction::SetDefault,
        "RESTRICT" => ReferentialAction::Restrict,
        _ => ReferentialAction::NoAction,
    }
}

/// `PRAGMA index_list` + `index_info`, without primary-key indexes.
fn read_indexes(connection: &Connection, table: &str) -> rusqlite::Result<Vec<Index>> {
    let mut statement = connection.prepare(
        "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?1) \
         WHERE origin <> 'pk' ORDER BY seq DESC",
    )?;
    let listed = statement
        .query_map(params![table], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, i64>(1)? != 0,
                row.get::<_, String>(2)?,
                row.get::<_, i64>(3)? != 0,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    listed
        .into_iter()
        .map(|(name, unique, origin, partial)| {
            let predicate = if partial {
                partial_predicate(connection, &name)?
            } else {
                None
            };
            Ok(Index {
                columns: index_columns(connection, &name)?,
                name,
                unique,
                predicate,
                origin: if origin == "u" {
                    IndexOrigin::UniqueConstraint
                } else {
                    IndexOrigin::Explicit
                },
            })
        })
        .collect()
}

/// `PRAGMA index_info`: column names (`<expression>` for an expression).
fn index_columns(connection: &Connection, index: &str) -> rusqlite::Result<Vec<String>> {
    let mut statement =
        connection.prepare("SELECT name FROM pragma_index_info(?1) ORDER BY seqno")?;
    statement
        .query_map(params![index], |row| {
            Ok(row
                .get::<_, Option<String>>(0)?
                .unwrap_or_else(|| "<expression>".to_string()))
        })?
        .collect()
}

/// The WHERE predicate of a partial index, from its `CREATE INDEX` text in `sqlite_master`.
fn partial_predicate(connection: &Connection, index: &str) -> rusqlite::Result<Option<String>> {
    let sql: Option<String> = connection.query_row(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1",
        params![index],
        |row| row.get(0),
    )?;
    Ok(sql.and_then(|sql| {
        let upper = sql.to_ascii_uppercase();
        let start = upper.rfind("WHERE")? + "WHERE".len();
        sql.get(start..).map(|p| p.trim().to_string())
    }))
}

/// `schema` normalised for comparing a replayed schema with a real one (see the module docs).
pub fn comparable(schema: &Schema) -> Schema {
    let mut tables: Vec<Table> = schema
        .tables
        .iter()
        .filter(|t| !t.name.starts_with("sqlite_") && t.name != "_prisma_migrations")
        .map(comparable_table)
        .collect();
    tables.sort_by_key(|t| t.name.to_ascii_lowercase());
    Schema {
        tables,
        enums: Vec::new(),
    }
}

/// One table normalised.
fn comparable_table(table: &Table) -> Table {
    let columns = table
        .columns
        .iter()
        .map(|c| Column {
            data_type: squeeze(&c.data_type).to_ascii_uppercase(),
            default: c.default.as_deref().map(|d| d.trim().to_string()),
            ..c.clone()
        })
        .collect();
    let mut indexes: Vec<Index> = table
        .indexes
        .iter()
        .map(|i| Index {
            name: match i.origin {
                IndexOrigin::UniqueConstraint => String::new(),
                IndexOrigin::Explicit => i.name.clone(),
            },
            columns: i
                .columns
                .iter()
                .map(|c| comparable_index_column(c))
                .collect(),
            predicate: i
                .predicate
                .as_deref()
                .map(|p| squeeze(&p.replace(['"', '`'], "")).to_ascii_uppercase()),
            ..i.clone()
        })
        .collect();
    indexes.sort_by(|a, b| (&a.name, &a.columns).cmp(&(&b.name, &b.columns)));
    let mut foreign_keys: Vec<ForeignKey> = table
        .foreign_keys
        .iter()
        .map(|fk| ForeignKey {
            name: None,
            ..fk.clone()
        })
        .collect();
    foreign_keys.sort_by(|a, b| (&a.columns, &a.ref_table).cmp(&(&b.columns, &b.ref_table)));
    Table {
        name: table.name.clone(),
        schema: table.schema.clone(),
        columns,
        indexes,
        foreign_keys,
    }
}

/// An index column: a column name as is, any expression as `<expression>` (what
/// `index_info` reports for one).
fn comparable_index_column(column: &str) -> String {
    let plain = column
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '$');
    if plain {
        column.to_string()
    } else {
        "<expression>".to_string()
    }
}

/// The text without whitespace.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect()
}
