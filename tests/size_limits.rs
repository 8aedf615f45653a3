//! Inputs too large to analyse in bounded memory: a statement over the per-statement limit and
//! a file over the per-file limit become `too-large-to-analyse` findings with file:line while
//! the rest is analysed, and a 50 MB single-line migration through the real `schemagate check`
//! process ends with that finding, not with a crash.

#[path = "support/json_doc.rs"]
mod json_doc;

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, ensure};
use serde_json::Value;

use json_doc::{array_at, str_at, strings_at};
use schemagate::analysis::detect::DetectOptions;
use schemagate::analysis::fileset::FileSet;
use schemagate::analysis::pipeline::{MAX_ANALYSED_FILE_BYTES, analyze_change};
use schemagate::analysis::rules::{Finding, Risk, evaluate};
use schemagate::analysis::sql::MAX_STATEMENT_BYTES;

const RULE: &str = "too-large-to-analyse";

/// `INSERT INTO "Note" ("body") VALUES (...), (...), ...` of at least `bytes` bytes, on one line.
fn bulk_insert(bytes: usize) -> String {
    let mut sql = String::with_capacity(bytes + 64);
    sql.push_str("INSERT INTO \"Note\" (\"id\", \"body\") VALUES ");
    let mut row = 0;
    while sql.len() < bytes {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("({row}, 'note number {row}')"));
        row += 1;
    }
    sql
}

/// The base: a plain SQLite history with a `Note` table and a `Tag` table.
fn base() -> FileSet {
    let mut files = FileSet::new();
    files.insert(
        "migrations/001_init.sql",
        "CREATE TABLE \"Note\" (\"id\" INTEGER PRIMARY KEY, \"body\" TEXT);\nCREATE TABLE \"Tag\" (\"id\" INTEGER PRIMARY KEY);\n",
    );
    files
}

/// The findings of the change from [`base`] to `base` plus `added`.
fn findings_with(added: &[(&str, String)]) -> Vec<Finding> {
    let base = base();
    let mut head = base.clone();
    for (path, text) in added {
        head.insert(*path, text.as_bytes());
    }
    let options = DetectOptions {
        dialect: Some(schemagate::analysis::dialect::Dialect::Sqlite),
        ..DetectOptions::default()
    };
    let change = analyze_change(&base, &head, &options);
    change.sets.iter().flat_map(evaluate).collect()
}

fn at<'a>(findings: &'a [Finding], rule: &str) -> Vec<(&'a str, usize)> {
    findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| (f.file.as_str(), f.line))
        .collect()
}

#[test]
fn a_statement_over_the_limit_is_a_finding_and_the_rest_of_the_file_is_analysed() {
    let text = format!(
        "-- a bulk load, then a real schema change\n{};\nDROP TABLE \"Tag\";\n",
        bulk_insert(MAX_STATEMENT_BYTES + 1)
    );
    let findings = findings_with(&[("migrations/002_load.sql", text)]);
    assert_eq!(at(&findings, RULE), [("migrations/002_load.sql", 2)]);
    let finding = findings.iter().find(|f| f.rule == RULE).unwrap();
    assert_eq!(finding.risk, Risk::High);
    assert!(
        finding.message.contains("too large to analyse"),
        "{}",
        finding.message
    );
    assert_eq!(
        at(&findings, "drop-table"),
        [("migrations/002_load.sql", 3)],
        "the statement after the large one is still analysed: {findings:#?}"
    );
}

#[test]
fn a_file_over_the_limit_is_a_finding_and_the_other_files_are_analysed() {
    // Statements of ordinary size, but more of them than one file may hold.
    let row = "INSERT INTO \"Note\" (\"id\", \"body\") VALUES (1, 'an ordinary note');\n";
    let huge = row.repeat(MAX_ANALYSED_FILE_BYTES / row.len() + 1);
    let findings = findings_with(&[
        ("migrations/002_load.sql", huge),
        (
            "migrations/003_drop.sql",
            "DROP TABLE \"Tag\";\n".to_owned(),
        ),
    ]);
    assert_eq!(at(&findings, RULE), [("migrations/002_load.sql", 0)]);
    let finding = findings.iter().find(|f| f.rule == RULE).unwrap();
    assert!(
        finding.message.contains("16.0 MiB per file"),
        "{}",
        finding.message
    );
    assert_eq!(
        at(&findings, "drop-table"),
        [("migrations/003_drop.sql", 1)]
    );
}

#[test]
fn on_one_long_line_only_the_large_statement_is_skipped() {
    let line = format!(
        "CREATE TABLE \"Label\" (\"id\" INTEGER PRIMARY KEY); {}; DROP TABLE \"Tag\";",
        bulk_insert(3 * MAX_STATEMENT_BYTES)
    );
    let findings = findings_with(&[("migrations/002_load.sql", line)]);
    assert_eq!(at(&findings, RULE), [("migrations/002_load.sql", 1)]);
    assert_eq!(
        at(&findings, "drop-table"),
        [("migrations/002_load.sql", 1)]
    );
}

#[test]
fn statements_of_ordinary_size_give_no_size_finding() {
    let text = format!("{};\n", bulk_insert(64 * 1024));
    let findings = findings_with(&[("migrations/002_load.sql", text)]);
    assert!(at(&findings, RULE).is_empty(), "{findings:#?}");
}

/// Runs git in `dir` with a fixed identity.
fn git(dir: &Path, args: &[&str]) -> Result<()> {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .status()
        .context("running git")?;
    ensure!(status.success(), "git {args:?} failed: {status}");
    Ok(())
}

#[test]
fn a_50_mb_single_line_migration_is_a_finding_not_a_crash() -> Result<()> {
    let repo = tempfile::tempdir()?;
    let migrations = repo.path().join("migrations");
    fs::create_dir_all(&migrations)?;
    fs::write(
        migrations.join("001_init.sql"),
        "CREATE TABLE \"Note\" (\"id\" INTEGER PRIMARY KEY, \"body\" TEXT);\n",
    )?;
    git(repo.path(), &["init", "-q", "-b", "main"])?;
    git(repo.path(), &["add", "."])?;
    git(repo.path(), &["commit", "-q", "-m", "base"])?;
    // One line: a small statement, a 50 MB bulk insert, a small statement.
    let line = format!(
        "CREATE TABLE \"Tag\" (\"id\" INTEGER PRIMARY KEY); {}; DROP TABLE \"Tag\";",
        bulk_insert(50_000_000)
    );
    fs::write(migrations.join("002_load.sql"), line)?;

    let output = Command::new(env!("CARGO_BIN_EXE_schemagate"))
        .arg("check")
        .arg(repo.path())
        .args(["--base", "main", "--format", "json", "--dialect", "sqlite"])
        .output()
        .context("running schemagate check")?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Risk HIGH reaches the default --fail-on HIGH: exit 1, not a panic (101) or a signal.
    ensure!(
        output.status.code() == Some(1),
        "status {:?}, stderr: {stderr}",
        output.status
    );
    let report: Value = serde_json::from_slice(&output.stdout)?;
    ensure!(str_at(&report, "risk")? == "HIGH", "{stderr}");
    let findings = array_at(&report, "findings")?;
    let large: Vec<(&str, u64)> = findings
        .iter()
        .filter(|f| f["rule"] == RULE)
        .map(|f| {
            (
                f["file"].as_str().unwrap_or_default(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    ensure!(
        large == [("migrations/002_load.sql", 0)],
        "expected the whole-file finding, got {large:?}"
    );
    let reasons = strings_at(&report, "reasons")?;
    ensure!(
        reasons.contains(&"too-large-to-analyse at migrations/002_load.sql:0"),
        "{reasons:?}"
    );
    Ok(())
}
