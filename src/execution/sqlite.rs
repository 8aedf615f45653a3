//! Run SQLite migration histories for real: the base history then the PR's migrations on a
//! scratch in-memory database, or the PR's migrations on a copy of a sample database.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

use super::census::{TableCount, compare, count_tables};
use super::sandbox::{
    HEAP_LIMIT_BYTES, TIME_LIMIT, Watchdog, is_out_of_memory, open_copy, open_in_memory,
};
use super::{ExecutionError, ExecutionReport, Failure, FileOutcome, FileRun, Origin, SampleReport};
use crate::analysis::dialect::Dialect;
use crate::analysis::pipeline::{ParsedMigration, SetAnalysis};
use crate::analysis::replay::SchemaEvent;

/// Runs the base history (every migration of `base`), then the migrations of `head` listed in
/// `changed_files` (in head's apply order), statement by statement, on a scratch in-memory
/// SQLite database. Stops at the first failure; the files after it are reported as skipped.
///
/// A migration the PR modifies although the base history already has it runs twice: in its
/// base form with the history, then in its new form. The second run usually fails (e.g. `table
/// already exists`), which is the point: databases that applied the old form never get the edit.
pub fn run_history(
    base: Option<&SetAnalysis>,
    head: &SetAnalysis,
    changed_files: &[String],
) -> ExecutionReport {
    if let Err(error) = require_sqlite(head) {
        return ExecutionReport::not_run(error.to_string());
    }
    let connection = match open_in_memory() {
        Ok(connection) => connection,
        Err(error) => {
            return ExecutionReport::not_run(format!(
                "cannot open a scratch SQLite database: {error}"
            ));
        }
    };
    let base_files = base
        .into_iter()
        .flat_map(|set| set.migrations.iter())
        .map(|migration| (migration, Origin::Base));
    let plan: Vec<_> = base_files
        .chain(pr_migrations(head, changed_files).map(|m| (m, Origin::Pr)))
        .collect();
    run_plan(&connection, &plan, TIME_LIMIT)
}

/// Runs the PR's migrations (those of `head` listed in `changed_files`) on a temporary copy of
/// the SQLite database `sample`, and reports the rows each table lost and the non-NULL values
/// held by every column that no longer exists. The original file is never opened for writing.
pub fn run_on_sample(
    sample: &Path,
    head: &SetAnalysis,
    changed_files: &[String],
) -> Result<SampleReport, ExecutionError> {
    require_sqlite(head)?;
    let scratch = tempfile::tempdir().map_err(ExecutionError::TempDir)?;
    let copy = copy_sample(sample, scratch.path())?;
    let connection = open_copy(&copy).map_err(|source| ExecutionError::Open {
        sample: sample.display().to_string(),
        source,
    })?;
    let before = census(&connection, sample, "before")?;
    let plan: Vec<_> = pr_migrations(head, changed_files)
        .map(|m| (m, Origin::Pr))
        .collect();
    let execution = run_plan(&connection, &plan, TIME_LIMIT);
    let after = census(&connection, sample, "after")?;
    let events = pr_events(head, changed_files);
    Ok(SampleReport {
        execution,
        tables: compare(&before, &after, &events),
    })
}

/// Only SQLite histories can run on SQLite.
fn require_sqlite(set: &SetAnalysis) -> Result<(), ExecutionError> {
    match set.set.dialect {
        Dialect::Sqlite => Ok(()),
        dialect => Err(ExecutionError::NotSqlite { dialect }),
    }
}

/// Counts the tables of the sample's copy, `when` (`before` / `after`) the run.
fn census(
    connection: &Connection,
    sample: &Path,
    when: &'static str,
) -> Result<Vec<TableCount>, ExecutionError> {
    count_tables(connection).map_err(|source| ExecutionError::Census {
        sample: sample.display().to_string(),
        when,
        source,
    })
}

/// The migrations of `head` that the PR added or modified, in apply order.
fn pr_migrations<'a>(
    head: &'a SetAnalysis,
    changed_files: &'a [String],
) -> impl Iterator<Item = &'a ParsedMigration> {
    head.migrations
        .iter()
        .filter(|m| changed_files.contains(&m.migration.path))
}

/// The schema events of the PR's migrations, in order.
fn pr_events<'a>(head: &'a SetAnalysis, changed_files: &[String]) -> Vec<&'a SchemaEvent> {
    head.events
        .iter()
        .filter(|event| changed_files.contains(&event.at.file))
        .collect()
}

/// Copies the sample (and its `-wal` file, which holds committed data not yet checkpointed)
/// into `dir`; returns the copy's path.
fn copy_sample(sample: &Path, dir: &Path) -> Result<PathBuf, ExecutionError> {
    let copy = dir.join("sample.db");
    copy_file(sample, &copy)?;
    let wal = sidecar(sample, "-wal");
    if wal.is_file() {
        copy_file(&wal, &sidecar(&copy, "-wal"))?;
    }
    Ok(copy)
}

fn copy_file(from: &Path, to: &Path) -> Result<(), ExecutionError> {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|source| ExecutionError::Copy {
            from: from.display().to_string(),
            to: to.display().to_string(),
            source,
        })
}

/// `path` with `suffix` appended to its file name (`db.sqlite` -> `db.sqlite-wal`).
fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Runs `plan` in order, stopping at the first failure or when `limit` has passed.
fn run_plan(
    connection: &Connection,
    plan: &[(&ParsedMigration, Origin)],
    limit: Duration,
) -> ExecutionReport {
    let watchdog = Watchdog::start(connection, limit);
    let mut failed = false;
    let files = plan
        .iter()
        .map(|(migration, origin)| {
            let outcome = if failed {
                FileOutcome::Skipped
            } else {
                run_file(connection, migration, &watchdog, limit)
            };
            failed |= matches!(outcome, FileOutcome::Failed(_));
            FileRun {
                path: migration.migration.path.clone(),
                origin: *origin,
                outcome,
            }
        })
        .collect();
    ExecutionReport {
        files,
        not_run: None,
    }
}

/// Runs every statement of one file, one `execute_batch` per statement. The file's up text is
/// split again (no parse: the analysis keeps syntax trees only for the PR's files).
fn run_file(
    connection: &Connection,
    migration: &ParsedMigration,
    watchdog: &Watchdog,
    limit: Duration,
) -> FileOutcome {
    let mut executed = 0;
    let split = crate::analysis::sql::split(&migration.up_sql, Dialect::Sqlite);
    for statement in &split.statements {
        if statement.text.trim().is_empty() {
            continue;
        }
        let result = if watchdog.expired() {
            Err(time_limit_message(limit))
        } else {
            connection
                .execute_batch(statement.text)
                .map_err(|error| sqlite_message(&error, watchdog, limit))
        };
        if let Err(message) = result {
            return FileOutcome::Failed(Failure {
                file: migration.migration.path.clone(),
                line: statement.line,
                message,
            });
        }
        executed += 1;
    }
    FileOutcome::Ran {
        statements: executed,
    }
}

/// SQLite's own message for `error` (without rusqlite's decorations).
fn sqlite_message(error: &rusqlite::Error, watchdog: &Watchdog, limit: Duration) -> String {
    if watchdog.expired() {
        return time_limit_message(limit);
    }
    if is_out_of_memory(error) {
        return format!(
            "stopped: the statement needed more than the {} MiB of memory a scratch database may use",
            HEAP_LIMIT_BYTES / (1024 * 1024)
        );
    }
    match error {
        rusqlite::Error::SqliteFailure(_, Some(message)) => message.clone(),
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        other => other.to_string(),
    }
}

fn time_limit_message(limit: Duration) -> String {
    format!(
        "interrupted: the run exceeded its time limit of {} s",
        limit.as_secs_f32()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::detect::{DialectSource, Framework, Migration, MigrationSet};
    use crate::analysis::sql::SqlFile;
    use std::sync::Arc;

    /// A migration whose up text holds each statement at its line.
    fn migration(path: &str, statements: &[(usize, &str)]) -> ParsedMigration {
        let mut text = String::new();
        let mut line = 1;
        for (at, statement) in statements {
            while line < *at {
                text.push('\n');
                line += 1;
            }
            text.push_str(statement);
            text.push_str(";\n");
            line += 1 + statement.matches('\n').count();
        }
        ParsedMigration {
            migration: Migration {
                version: path.into(),
                name: path.into(),
                path: path.into(),
                down_path: None,
                has_down_section: false,
            },
            up_sql: Arc::from(text),
            sql: Arc::new(SqlFile::default()),
        }
    }

    fn set(dialect: Dialect, migrations: Vec<ParsedMigration>) -> SetAnalysis {
        SetAnalysis {
            set: MigrationSet {
                framework: Framework::Plain,
                root: "migrations".into(),
                dialect,
                dialect_source: DialectSource::CommandLine,
                migrations: migrations.iter().map(|m| m.migration.clone()).collect(),
                prisma_schema_files: Vec::new(),
                supports_down: false,
            },
            migrations,
            schema: Default::default(),
            events: Vec::new(),
            prisma: None,
            diagnostics: Vec::new(),
        }
    }

    #[test]
    fn postgres_history_is_not_run() {
        let head = set(
            Dialect::Postgres,
            vec![migration("a.sql", &[(1, "SELECT 1")])],
        );
        let report = run_history(None, &head, &["a.sql".into()]);
        assert!(report.files.is_empty());
        assert!(report.not_run.unwrap().contains("postgres"));
    }

    #[test]
    fn files_after_a_failure_are_skipped() {
        let head = set(
            Dialect::Sqlite,
            vec![
                migration("1.sql", &[(2, "CREATE TABLE a (id INTEGER)")]),
                migration("2.sql", &[(1, "INSERT INTO missing VALUES (1)")]),
                migration("3.sql", &[(1, "CREATE TABLE c (id INTEGER)")]),
            ],
        );
        let changed: Vec<String> = vec!["1.sql".into(), "2.sql".into(), "3.sql".into()];
        let report = run_history(None, &head, &changed);
        let outcomes: Vec<_> = report.files.iter().map(|f| &f.outcome).collect();
        assert_eq!(outcomes[0], &FileOutcome::Ran { statements: 1 });
        assert_eq!(
            outcomes[1],
            &FileOutcome::Failed(Failure {
                file: "2.sql".into(),
                line: 1,
                message: "no such table: missing".into(),
            })
        );
        assert_eq!(outcomes[2], &FileOutcome::Skipped);
    }

    #[test]
    fn time_limit_stops_a_runaway_statement() {
        let connection = open_in_memory().unwrap();
        let endless = migration(
            "loop.sql",
            &[
                (1, "CREATE TABLE n (x)"),
                (
                    3,
                    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) INSERT INTO n SELECT x FROM c",
                ),
                (5, "CREATE TABLE never (x)"),
            ],
        );
        let report = run_plan(
            &connection,
            &[(&endless, Origin::Pr)],
            Duration::from_millis(200),
        );
        let Some((_, failure)) = report.failure() else {
            panic!("expected a failure: {report:?}");
        };
        assert_eq!(failure.line, 3);
        assert!(
            failure.message.contains("time limit"),
            "{}",
            failure.message
        );
    }

    #[test]
    fn memory_limit_stops_a_bulk_statement_with_a_clear_message() {
        let bulk = migration(
            "bulk.sql",
            &[
                (1, "CREATE TABLE bulk (b BLOB)"),
                (
                    2,
                    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 400) INSERT INTO bulk SELECT randomblob(1024 * 1024) FROM n",
                ),
                (3, "CREATE TABLE never (x)"),
            ],
        );
        let head = set(Dialect::Sqlite, vec![bulk]);
        let report = run_history(None, &head, &["bulk.sql".into()]);
        let Some((_, failure)) = report.failure() else {
            panic!("expected a failure: {report:?}");
        };
        assert_eq!((failure.file.as_str(), failure.line), ("bulk.sql", 2));
        assert_eq!(
            failure.message,
            "stopped: the statement needed more than the 256 MiB of memory a scratch database may use"
        );
    }

    #[test]
    fn sidecar_appends_to_the_file_name() {
        assert_eq!(
            sidecar(Path::new("/tmp/x/db.sqlite"), "-wal"),
            PathBuf::from("/tmp/x/db.sqlite-wal")
        );
    }
}
