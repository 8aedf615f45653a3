//! Asks a real SQLite what deleting one row does: every table gets two rows, row "1" and row "2",
//! whose every column holds `1` (resp. `2`), so each row-1 foreign key points at its parent's row 1
//! (self-references and cycles included). Deleting the root's row 1 with `foreign_keys=ON` then
//! shows which tables lose rows and which get their columns nulled, while the row-2 "world" stays
//! as a control. SQLite compares `1` with `'1'` across column affinities, so TEXT and INTEGER
//! keys both work.

use rusqlite::Connection;

use crate::analysis::schema::Schema;

/// What the real delete did.
#[derive(Debug, PartialEq, Eq)]
pub enum DeleteOutcome {
    /// The delete succeeded: tables (other than the root) that lost rows, and the `table.column`s
    /// of surviving rows whose value became NULL.
    Deleted {
        lost_rows: Vec<String>,
        nulled: Vec<String>,
    },
    /// SQLite refused the delete (a RESTRICT / NO ACTION foreign key), with its message.
    Refused(String),
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn seed_world(db: &Connection, schema: &Schema, value: i64) -> rusqlite::Result<()> {
    for table in &schema.tables {
        let columns: Vec<String> = table.columns.iter().map(|c| quoted(&c.name)).collect();
        let values = vec![value.to_string(); columns.len()];
        db.execute(
            &format!(
                "INSERT INTO {} ({}) VALUES ({})",
                quoted(&table.name),
                columns.join(", "),
                values.join(", ")
            ),
            [],
        )?;
    }
    Ok(())
}

/// Points the foreign key `columns` of `table` from row 1 to row 2, so it no longer restricts a
/// delete of its parent's row 1.
pub fn repoint(db: &Connection, table: &str, columns: &[String]) -> rusqlite::Result<()> {
    let set: Vec<String> = columns
        .iter()
        .map(|c| format!("{} = 2", quoted(c)))
        .collect();
    let matches: Vec<String> = columns
        .iter()
        .map(|c| format!("{} = 1", quoted(c)))
        .collect();
    db.execute(
        &format!(
            "UPDATE {} SET {} WHERE {}",
            quoted(table),
            set.join(", "),
            matches.join(" AND ")
        ),
        [],
    )?;
    Ok(())
}

/// Creates both worlds in `db` (which already holds the schema).
pub fn seed(db: &Connection, schema: &Schema) -> rusqlite::Result<()> {
    db.execute_batch("PRAGMA foreign_keys=ON; BEGIN; PRAGMA defer_foreign_keys=ON;")?;
    seed_world(db, schema, 1)?;
    seed_world(db, schema, 2)?;
    db.execute_batch("COMMIT;")
}

fn row_counts(db: &Connection, schema: &Schema) -> rusqlite::Result<Vec<(String, i64)>> {
    schema
        .tables
        .iter()
        .map(|t| {
            let count: i64 = db.query_row(
                &format!("SELECT count(*) FROM {}", quoted(&t.name)),
                [],
                |r| r.get(0),
            )?;
            Ok((t.name.clone(), count))
        })
        .collect()
}

fn null_columns(db: &Connection, schema: &Schema) -> rusqlite::Result<Vec<String>> {
    let mut nulled = Vec::new();
    for table in &schema.tables {
        for fk in &table.foreign_keys {
            for column in &fk.columns {
                let count: i64 = db.query_row(
                    &format!(
                        "SELECT count(*) FROM {} WHERE {} IS NULL",
                        quoted(&table.name),
                        quoted(column)
                    ),
                    [],
                    |r| r.get(0),
                )?;
                if count > 0 {
                    nulled.push(format!("{}.{}", table.name, column));
                }
            }
        }
    }
    nulled.sort();
    nulled.dedup();
    Ok(nulled)
}

/// Deletes row 1 of `root` and reports what happened.
pub fn delete_root(
    db: &Connection,
    schema: &Schema,
    root: &str,
) -> rusqlite::Result<DeleteOutcome> {
    let before = row_counts(db, schema)?;
    let Some(root_table) = schema.table(root) else {
        return Ok(DeleteOutcome::Refused(format!("no table {root}")));
    };
    let key = root_table
        .columns
        .first()
        .map(|c| quoted(&c.name))
        .unwrap_or_default();
    let result = db.execute(&format!("DELETE FROM {} WHERE {key} = 1", quoted(root)), []);
    if let Err(error) = result {
        return Ok(DeleteOutcome::Refused(error.to_string()));
    }
    let after = row_counts(db, schema)?;
    let mut lost_rows: Vec<String> = before
        .iter()
        .zip(&after)
        .filter(|((name, b), (_, a))| a < b && !name.eq_ignore_ascii_case(root))
        .map(|((name, _), _)| name.clone())
        .collect();
    lost_rows.sort_by_key(|n| n.to_ascii_lowercase());
    Ok(DeleteOutcome::Deleted {
        lost_rows,
        nulled: null_columns(db, schema)?,
    })
}
