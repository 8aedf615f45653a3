//! Test helper: a scratch SQLite database and questions asked of it (tables, columns, row
//! counts, foreign-key integrity), shared by the fixture and demo-scenario tests.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, ensure};
use rusqlite::Connection;

/// A fresh in-memory database enforcing foreign keys.
pub fn open_database() -> Result<Connection> {
    let conn = Connection::open_in_memory()?;
    conn.execute_batch("PRAGMA foreign_keys=ON;")?;
    Ok(conn)
}

/// `PRAGMA foreign_key_check` fails with "foreign key mismatch" when a foreign key names a
/// missing table or a non-unique parent column, and lists rows that violate a constraint.
pub fn assert_foreign_keys_resolve(conn: &Connection) -> Result<()> {
    let mut check = conn.prepare("PRAGMA foreign_key_check")?;
    let violations = check
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    ensure!(
        violations.is_empty(),
        "foreign key violations in {violations:?}"
    );
    Ok(())
}

/// The user tables of `conn`.
pub fn table_names(conn: &Connection) -> Result<BTreeSet<String>> {
    let mut query = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )?;
    let names = query.query_map([], |row| row.get(0))?;
    Ok(names.collect::<rusqlite::Result<_>>()?)
}

/// The column names of `table`, in declaration order.
pub fn column_names(conn: &Connection, table: &str) -> Result<Vec<String>> {
    let mut query = conn.prepare("SELECT name FROM pragma_table_info(?1)")?;
    let names = query.query_map([table], |row| row.get(0))?;
    Ok(names.collect::<rusqlite::Result<_>>()?)
}

/// The row count of every user table.
pub fn row_counts(conn: &Connection) -> Result<BTreeMap<String, i64>> {
    let mut counts = BTreeMap::new();
    for table in table_names(conn)? {
        let count = conn.query_row(&format!("SELECT COUNT(*) FROM \"{table}\""), [], |r| {
            r.get(0)
        })?;
        counts.insert(table, count);
    }
    Ok(counts)
}

/// Tables whose row count went down between `before` and `after`.
pub fn tables_that_lost_rows(
    before: &BTreeMap<String, i64>,
    after: &BTreeMap<String, i64>,
) -> BTreeSet<String> {
    before
        .iter()
        .filter(|(table, count)| after.get(*table).is_some_and(|now| now < *count))
        .map(|(table, _)| table.clone())
        .collect()
}
