//! Counting a database's data before and after a run, and what the difference says was lost.

use rusqlite::Connection;
use serde::Serialize;

use crate::analysis::replay::{SchemaChange, SchemaEvent};
use crate::analysis::schema::same_name;

/// Rows and non-NULL values of one table at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TableCount {
    /// Table name.
    pub(crate) table: String,
    /// Number of rows.
    pub(crate) rows: u64,
    /// (column, non-NULL values) in declaration order.
    pub(crate) columns: Vec<(String, u64)>,
}

/// A column that no longer exists after the run, and the data it held.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ColumnLoss {
    /// Column name before the run.
    pub column: String,
    /// How many non-NULL values it held before the run (all lost).
    pub non_null_values: u64,
}

/// What the run did to one table of the sample.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TableOutcome {
    /// Table name before the run.
    pub table: String,
    /// Its name after the run (following renames), or `None` when the table is gone.
    pub now: Option<String>,
    /// Rows before the run.
    pub rows_before: u64,
    /// Rows after the run (0 when the table is gone).
    pub rows_after: u64,
    /// Columns that no longer exist (every column, when the table is gone).
    pub columns_lost: Vec<ColumnLoss>,
}

impl TableOutcome {
    /// Rows the table lost.
    pub fn rows_lost(&self) -> u64 {
        self.rows_before.saturating_sub(self.rows_after)
    }

    /// Non-NULL values that disappeared with the lost columns.
    pub fn values_lost(&self) -> u64 {
        self.columns_lost.iter().map(|c| c.non_null_values).sum()
    }
}

/// Counts rows and non-NULL values of every user table.
pub(crate) fn count_tables(connection: &Connection) -> rusqlite::Result<Vec<TableCount>> {
    table_names(connection)?
        .into_iter()
        .map(|table| count_table(connection, table))
        .collect()
}

fn table_names(connection: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut statement = connection.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid",
    )?;
    let names = statement.query_map([], |row| row.get::<_, String>(0))?;
    names.collect()
}

fn column_names(connection: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut statement =
        connection.prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?;
    let names = statement.query_map([table], |row| row.get::<_, String>(0))?;
    names.collect()
}

/// One query per table: `SELECT count(*), count("a"), count("b"), ... FROM "t"`.
fn count_table(connection: &Connection, table: String) -> rusqlite::Result<TableCount> {
    let columns = column_names(connection, &table)?;
    let counts: String = std::iter::once("count(*)".to_owned())
        .chain(columns.iter().map(|c| format!("count({})", quote(c))))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT {counts} FROM {}", quote(&table));
    let values = connection.query_row(&sql, [], |row| {
        (0..=columns.len())
            .map(|i| row.get::<_, i64>(i).map(|n| u64::try_from(n).unwrap_or(0)))
            .collect::<rusqlite::Result<Vec<u64>>>()
    })?;
    let (rows, column_counts) = values.split_first().map_or((0, &[][..]), |(r, c)| (*r, c));
    Ok(TableCount {
        table,
        rows,
        columns: columns
            .into_iter()
            .zip(column_counts.iter().copied())
            .collect(),
    })
}

/// A SQLite identifier in double quotes.
fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// Compares the counts before and after a run. `events` are the run's schema events: their
/// renames say where a table or column went, so a rename is not mistaken for a loss.
pub(crate) fn compare(
    before: &[TableCount],
    after: &[TableCount],
    events: &[&SchemaEvent],
) -> Vec<TableOutcome> {
    before
        .iter()
        .map(|table| compare_table(table, after, events))
        .collect()
}

fn compare_table(
    before: &TableCount,
    after: &[TableCount],
    events: &[&SchemaEvent],
) -> TableOutcome {
    let now_name = follow_renames(&before.table, None, events).0;
    let Some(now) = after.iter().find(|t| same_name(&t.table, &now_name)) else {
        return TableOutcome {
            table: before.table.clone(),
            now: None,
            rows_before: before.rows,
            rows_after: 0,
            columns_lost: before
                .columns
                .iter()
                .map(|(column, values)| ColumnLoss {
                    column: column.clone(),
                    non_null_values: *values,
                })
                .collect(),
        };
    };
    let columns_lost = before
        .columns
        .iter()
        .filter(|(column, _)| {
            let column_now = follow_renames(&before.table, Some(column), events).1;
            !now.columns
                .iter()
                .any(|(name, _)| column_now.as_deref().is_some_and(|c| same_name(name, c)))
        })
        .map(|(column, values)| ColumnLoss {
            column: column.clone(),
            non_null_values: *values,
        })
        .collect();
    TableOutcome {
        table: before.table.clone(),
        now: Some(now.table.clone()),
        rows_before: before.rows,
        rows_after: now.rows,
        columns_lost,
    }
}

/// Where a table (and optionally one of its columns) is after the renames among `events`.
fn follow_renames(
    table: &str,
    column: Option<&str>,
    events: &[&SchemaEvent],
) -> (String, Option<String>) {
    let mut table = table.to_owned();
    let mut column = column.map(str::to_owned);
    for event in events {
        match &event.change {
            SchemaChange::RenameTable { from, to } if same_name(from, &table) => {
                table.clone_from(to);
            }
            SchemaChange::RenameColumn {
                table: in_table,
                from,
                to,
            } if same_name(in_table, &table)
                && column.as_deref().is_some_and(|c| same_name(c, from)) =>
            {
                column = Some(to.clone());
            }
            _ => {}
        }
    }
    (table, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::replay::Location;

    fn count(table: &str, rows: u64, columns: &[(&str, u64)]) -> TableCount {
        TableCount {
            table: table.into(),
            rows,
            columns: columns.iter().map(|(c, n)| ((*c).into(), *n)).collect(),
        }
    }

    fn event(change: SchemaChange) -> SchemaEvent {
        SchemaEvent {
            at: Location {
                file: "m.sql".into(),
                line: 1,
            },
            change,
        }
    }

    #[test]
    fn counts_rows_and_non_null_values() {
        let connection = Connection::open_in_memory().unwrap();
        connection
            .execute_batch(
                "CREATE TABLE \"we\"\"ird\" (a, b); INSERT INTO \"we\"\"ird\" VALUES (1, NULL), (2, 3);",
            )
            .unwrap();
        let counts = count_tables(&connection).unwrap();
        assert_eq!(counts, vec![count("we\"ird", 2, &[("a", 2), ("b", 1)])]);
    }

    #[test]
    fn renamed_table_and_column_are_not_losses() {
        let before = [count("User", 3, &[("id", 3), ("mail", 2), ("age", 1)])];
        let after = [count("Account", 3, &[("id", 3), ("email", 2)])];
        let renames = [
            event(SchemaChange::RenameColumn {
                table: "User".into(),
                from: "mail".into(),
                to: "email".into(),
            }),
            event(SchemaChange::RenameTable {
                from: "User".into(),
                to: "Account".into(),
            }),
        ];
        let events: Vec<&SchemaEvent> = renames.iter().collect();
        let outcome = compare(&before, &after, &events);
        assert_eq!(outcome.len(), 1);
        assert_eq!(outcome[0].now.as_deref(), Some("Account"));
        assert_eq!(outcome[0].rows_lost(), 0);
        assert_eq!(
            outcome[0].columns_lost,
            vec![ColumnLoss {
                column: "age".into(),
                non_null_values: 1
            }]
        );
    }

    #[test]
    fn dropped_table_loses_every_row_and_column() {
        let before = [count("Post", 4, &[("id", 4), ("body", 3)])];
        let outcome = compare(&before, &[], &[]);
        assert_eq!(outcome[0].now, None);
        assert_eq!(outcome[0].rows_lost(), 4);
        assert_eq!(outcome[0].values_lost(), 7);
    }
}
