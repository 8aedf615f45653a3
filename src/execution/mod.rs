//! Execution: really run a migration history on a scratch database, so "tested migration" is a
//! fact rather than a promise. Only SQLite histories can run here (SQLite is embedded); other
//! dialects get a report that says why nothing ran.
//!
//! The SQL comes from a pull request, so it only ever runs against an in-memory database or a
//! temporary copy of a sample database, with ATTACH disabled and a time limit.

mod census;
mod sandbox;
pub mod sqlite;

use serde::Serialize;

pub use census::{ColumnLoss, TableOutcome};

/// Which history a migration file belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The base branch's history, run first.
    Base,
    /// A migration the PR adds or modifies.
    Pr,
}

/// Where and why a statement failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The migration file.
    pub file: String,
    /// 1-based line of the failing statement.
    pub line: usize,
    /// SQLite's message.
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "failed at {}:{}: {}", self.file, self.line, self.message)
    }
}

/// What happened to one migration file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum FileOutcome {
    /// Every statement ran.
    Ran {
        /// Number of statements executed.
        statements: usize,
    },
    /// A statement failed; the rest of the file (and the files after it) did not run.
    Failed(Failure),
    /// Not run because an earlier file failed.
    Skipped,
}

/// One migration file of a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileRun {
    /// Repository-relative path.
    pub path: String,
    /// Base history or PR.
    pub origin: Origin,
    /// What happened.
    pub outcome: FileOutcome,
}

/// The result of running a history.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ExecutionReport {
    /// Files in the order they were run (base history first, then the PR's files).
    pub files: Vec<FileRun>,
    /// Why nothing ran at all (e.g. the history is not SQLite), when nothing did.
    pub not_run: Option<String>,
}

impl ExecutionReport {
    /// A report for a history that was not run, with the reason.
    pub fn not_run(reason: impl Into<String>) -> Self {
        ExecutionReport {
            files: Vec::new(),
            not_run: Some(reason.into()),
        }
    }

    /// The first failure, if any.
    pub fn failure(&self) -> Option<(Origin, &Failure)> {
        self.files.iter().find_map(|file| match &file.outcome {
            FileOutcome::Failed(failure) => Some((file.origin, failure)),
            FileOutcome::Ran { .. } | FileOutcome::Skipped => None,
        })
    }

    /// The files of one origin.
    pub fn files_of(&self, origin: Origin) -> impl Iterator<Item = &FileRun> {
        self.files.iter().filter(move |file| file.origin == origin)
    }

    /// Whether at least one PR file ran and every PR file ran to the end.
    pub fn pr_migrations_ran(&self) -> bool {
        let mut pr_files = self.files_of(Origin::Pr).peekable();
        pr_files.peek().is_some()
            && pr_files.all(|file| matches!(file.outcome, FileOutcome::Ran { .. }))
    }
}

/// What running the PR on a copy of a sample database did to its data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SampleReport {
    /// The run of the PR's migrations on the copy.
    pub execution: ExecutionReport,
    /// Every table the sample had before the run, with what it lost.
    pub tables: Vec<TableOutcome>,
}

impl SampleReport {
    /// Whether any table lost rows or any non-NULL value disappeared with a column.
    pub fn data_lost(&self) -> bool {
        self.tables
            .iter()
            .any(|table| table.rows_lost() > 0 || table.values_lost() > 0)
    }
}

/// Why a sample database could not be examined.
#[derive(Debug, thiserror::Error)]
pub enum ExecutionError {
    /// The PR's history is not SQLite.
    #[error("only SQLite histories can be run; this one is {dialect}")]
    NotSqlite {
        /// The history's dialect.
        dialect: crate::analysis::dialect::Dialect,
    },
    /// The scratch directory for the copy could not be created.
    #[error("cannot create a temporary directory for the sample copy: {0}")]
    TempDir(#[source] std::io::Error),
    /// The sample (or its WAL file) could not be copied.
    #[error("cannot copy sample database {from} to {to}: {source}")]
    Copy {
        /// The original.
        from: String,
        /// The copy.
        to: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The copy could not be opened as a SQLite database.
    #[error("cannot open the copy of sample database {sample}: {source}")]
    Open {
        /// The original sample path.
        sample: String,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// Counting rows or values failed (e.g. the file is not a SQLite database).
    #[error("cannot count the rows of sample database {sample} ({when} the migrations): {source}")]
    Census {
        /// The original sample path.
        sample: String,
        /// `before` or `after`.
        when: &'static str,
        /// SQLite's error.
        source: rusqlite::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(path: &str, origin: Origin, outcome: FileOutcome) -> FileRun {
        FileRun {
            path: path.into(),
            origin,
            outcome,
        }
    }

    #[test]
    fn pr_migrations_ran_needs_a_pr_file_and_no_failure() {
        let ran = FileOutcome::Ran { statements: 1 };
        let base_only = ExecutionReport {
            files: vec![run("a", Origin::Base, ran.clone())],
            not_run: None,
        };
        assert!(!base_only.pr_migrations_ran());
        let mut with_pr = base_only.clone();
        with_pr.files.push(run("b", Origin::Pr, ran));
        assert!(with_pr.pr_migrations_ran());
        with_pr
            .files
            .push(run("c", Origin::Pr, FileOutcome::Skipped));
        assert!(!with_pr.pr_migrations_ran());
    }

    #[test]
    fn failure_reports_file_and_line() {
        let failure = Failure {
            file: "m/1.sql".into(),
            line: 3,
            message: "no such table: x".into(),
        };
        let report = ExecutionReport {
            files: vec![run("m/1.sql", Origin::Pr, FileOutcome::Failed(failure))],
            not_run: None,
        };
        let (origin, failure) = report.failure().unwrap();
        assert_eq!(origin, Origin::Pr);
        assert_eq!(failure.to_string(), "failed at m/1.sql:3: no such table: x");
    }
}
