//! A SQLite connection fit for running a pull request's SQL: nothing outside the scratch
//! database can be written, a runaway statement is interrupted, and SQLite's memory is capped.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;
use rusqlite::limits::Limit;

/// How long a whole run may take before its statements are interrupted.
pub(crate) const TIME_LIMIT: Duration = Duration::from_secs(60);

/// The most heap SQLite may hold (256 MiB): the scratch database's pages, its page cache and
/// every statement's working memory. SQLite's hard heap limit is one for the whole process, and
/// only these scratch runs use SQLite in it. A base history replays in a few MiB; a statement
/// that needs more (a bulk load, a huge blob) fails with `SQLITE_NOMEM` instead of growing
/// the reviewer's console without bound.
pub(crate) const HEAP_LIMIT_BYTES: i64 = 256 * 1024 * 1024;

/// How often the watchdog repeats its interrupt once the time is up (an interrupt that arrives
/// between two statements is otherwise forgotten by SQLite).
const INTERRUPT_REPEAT: Duration = Duration::from_millis(50);

/// A scratch in-memory database.
pub(crate) fn open_in_memory() -> rusqlite::Result<Connection> {
    let connection = Connection::open_in_memory()?;
    configure(&connection)?;
    Ok(connection)
}

/// A database file (a temporary copy; never an original).
pub(crate) fn open_copy(path: &Path) -> rusqlite::Result<Connection> {
    let connection = Connection::open(path)?;
    configure(&connection)?;
    Ok(connection)
}

/// Forbids ATTACH (and so `VACUUM INTO`, which attaches its target): the only way SQL could
/// create or write a file other than the scratch database. Enforces foreign keys, as Prisma's
/// connections do, so a delete cascades on the scratch database as it would in production.
/// Caps SQLite's heap at [`HEAP_LIMIT_BYTES`] (the pragma only ever lowers the limit).
fn configure(connection: &Connection) -> rusqlite::Result<()> {
    connection.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0)?;
    connection.pragma_update(None, "hard_heap_limit", HEAP_LIMIT_BYTES)?;
    connection.execute_batch("PRAGMA foreign_keys = ON")
}

/// Whether `error` is SQLite running out of the memory [`HEAP_LIMIT_BYTES`] allows.
pub(crate) fn is_out_of_memory(error: &rusqlite::Error) -> bool {
    error.sqlite_error_code() == Some(rusqlite::ErrorCode::OutOfMemory)
}

/// Interrupts a connection's statements once a time limit has passed, until dropped.
pub(crate) struct Watchdog {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
    fired: Arc<AtomicBool>,
}

impl Watchdog {
    /// Starts watching `connection` for `limit`.
    pub(crate) fn start(connection: &Connection, limit: Duration) -> Watchdog {
        let interrupt = connection.get_interrupt_handle();
        let fired = Arc::new(AtomicBool::new(false));
        let (stop, stopped) = mpsc::channel::<()>();
        let thread_fired = Arc::clone(&fired);
        let thread = std::thread::spawn(move || {
            if !matches!(stopped.recv_timeout(limit), Err(RecvTimeoutError::Timeout)) {
                return;
            }
            thread_fired.store(true, Ordering::SeqCst);
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(INTERRUPT_REPEAT) {
                interrupt.interrupt();
            }
        });
        Watchdog {
            stop: Some(stop),
            thread: Some(thread),
            fired,
        }
    }

    /// Whether the time limit has passed.
    pub(crate) fn expired(&self) -> bool {
        self.fired.load(Ordering::SeqCst)
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            // The thread only waits and interrupts; a panic there would not concern the caller.
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attach_is_refused() {
        let connection = open_in_memory().unwrap();
        let error = connection
            .execute_batch("ATTACH DATABASE ':memory:' AS other")
            .unwrap_err();
        assert!(error.to_string().contains("too many attached"), "{error}");
    }

    #[test]
    fn vacuum_into_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("stolen.db");
        let connection = open_in_memory().unwrap();
        connection.execute_batch("CREATE TABLE t(a)").unwrap();
        let sql = format!("VACUUM INTO '{}'", target.display());
        assert!(connection.execute_batch(&sql).is_err());
        assert!(!target.exists());
    }

    #[test]
    fn foreign_keys_are_enforced() {
        let connection = open_in_memory().unwrap();
        let on: i64 = connection
            .query_row("PRAGMA foreign_keys", [], |row| row.get(0))
            .unwrap();
        assert_eq!(on, 1);
    }

    #[test]
    fn the_heap_limit_is_applied() {
        let connection = open_in_memory().unwrap();
        let limit: i64 = connection
            .query_row("PRAGMA hard_heap_limit", [], |row| row.get(0))
            .unwrap();
        assert_eq!(limit, HEAP_LIMIT_BYTES);
    }

    #[test]
    fn a_statement_needing_more_heap_fails_with_out_of_memory() {
        let connection = open_in_memory().unwrap();
        let error = connection
            .execute_batch(
                "CREATE TABLE bulk (b BLOB);
                 WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 400)
                 INSERT INTO bulk SELECT randomblob(1024 * 1024) FROM n",
            )
            .unwrap_err();
        assert!(is_out_of_memory(&error), "{error}");
        // The connection is still usable, and the memory came back.
        connection.execute_batch("DROP TABLE bulk").unwrap();
    }

    #[test]
    fn watchdog_interrupts_a_runaway_statement() {
        let connection = open_in_memory().unwrap();
        let watchdog = Watchdog::start(&connection, Duration::from_millis(100));
        let result = connection.execute_batch(
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n",
        );
        assert!(result.is_err());
        assert!(watchdog.expired());
    }

    #[test]
    fn watchdog_stays_quiet_when_dropped_in_time() {
        let connection = open_in_memory().unwrap();
        let watchdog = Watchdog::start(&connection, Duration::from_secs(30));
        connection.execute_batch("CREATE TABLE t(a)").unwrap();
        assert!(!watchdog.expired());
    }
}
