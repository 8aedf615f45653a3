//! A real PostgreSQL for the tests that check what the database really does.
//!
//! The server's URL comes from `SCHEMAGATE_TEST_PG_URL` (a libpq URL or `key=value` string of a
//! role that may create databases). `.ci/run` starts the machine's PostgreSQL on a private Unix
//! socket and sets it, so there these tests always run and fail loudly when the server is
//! missing. Without the variable (a plain `cargo test` elsewhere) each test prints
//! `SKIPPED <name>: ...` (past the harness's capture) and passes without checking anything.
//!
//! Every test gets a database of its own, created fresh and dropped when the handle goes, so
//! tests run in parallel without seeing each other's tables.

#![allow(dead_code)]

use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};

use postgres::{Client, NoTls};

/// The variable naming the server.
pub const PG_URL_VAR: &str = "SCHEMAGATE_TEST_PG_URL";

/// A throwaway database on the test server; dropped with the value.
pub struct ScratchDb {
    /// A connection to the scratch database.
    pub client: Client,
    admin: Client,
    name: String,
}

impl ScratchDb {
    /// The scratch database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs `sql` (one or more statements) and panics with the statement and the server's
    /// message when it fails.
    pub fn run(&mut self, sql: &str) {
        if let Err(error) = self.client.batch_execute(sql) {
            panic!("PostgreSQL refused:\n{sql}\n{}", describe(&error));
        }
    }

    /// Runs `sql` and returns the server's error message when it fails, `None` when it runs.
    pub fn try_run(&mut self, sql: &str) -> Option<String> {
        self.client.batch_execute(sql).err().map(|e| describe(&e))
    }

    /// The file node of `table`: it changes when PostgreSQL rewrites the table.
    pub fn relfilenode(&mut self, table: &str) -> u32 {
        let row = self
            .client
            .query_one(
                "SELECT pg_relation_filenode(to_regclass($1))::oid",
                &[&table],
            )
            .unwrap_or_else(|e| panic!("relfilenode of {table}: {}", describe(&e)));
        row.get::<_, u32>(0)
    }

    /// Whether running `sql` rewrites `table` (its file node changes).
    pub fn rewrites(&mut self, table: &str, sql: &str) -> bool {
        let before = self.relfilenode(table);
        self.run(sql);
        before != self.relfilenode(table)
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        let drop = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        // Dropping can fail only when the server went away; the name is unique anyway.
        let _ = self.admin.batch_execute(&drop);
    }
}

/// The server's message with its detail, for a failed statement.
pub fn describe(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => error.to_string(),
    }
}

/// A fresh database for the test `test` on the test server, or `None` (after printing
/// `SKIPPED <test>`) when no server is configured.
///
/// # Panics
/// When a server is configured but cannot be reached or refuses to create a database: in CI
/// that is a failure, never a skip.
pub fn scratch_db(test: &str) -> Option<ScratchDb> {
    let Ok(url) = std::env::var(PG_URL_VAR) else {
        // Written to the handle itself, not through `eprintln!`: the test harness captures the
        // macros' output of passing tests, and a skip must be seen.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test}: {PG_URL_VAR} is not set (`.ci/run` starts PostgreSQL and sets it)"
        );
        return None;
    };
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "schemagate_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let connect = |url: &str| {
        Client::connect(url, NoTls)
            .unwrap_or_else(|e| panic!("{PG_URL_VAR} is set but PostgreSQL cannot be reached: {e}"))
    };
    let mut admin = connect(&url);
    admin
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .unwrap_or_else(|e| panic!("cannot create the test database {name}: {}", describe(&e)));
    let mut config: postgres::Config = url
        .parse()
        .unwrap_or_else(|e| panic!("{PG_URL_VAR} is not a PostgreSQL URL: {e}"));
    config.dbname(&name);
    let client = config
        .connect(NoTls)
        .unwrap_or_else(|e| panic!("cannot connect to {name}: {e}"));
    Some(ScratchDb {
        client,
        admin,
        name,
    })
}
