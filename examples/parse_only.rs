//! The bare-parse baseline of `benches/check_process.rs`: a whole process that reads every
//! `migration.sql` under a directory, splits each into statements and parses every statement
//! with sqlparser's PostgreSQL dialect, then prints how many statements it parsed.
//!
//! `cargo run --release --example parse_only -- <dir>`

use std::path::{Path, PathBuf};
use std::{env, fs};

use anyhow::{Context, Result, bail};
use schemagate::analysis::dialect::Dialect;
use schemagate::analysis::sql::split;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

fn main() -> Result<()> {
    let Some(root) = env::args_os().nth(1) else {
        bail!("usage: parse_only <dir>");
    };
    let mut files = Vec::new();
    collect_migration_files(Path::new(&root), &mut files)?;
    let mut parsed = 0;
    for file in &files {
        parsed += parse_every_statement(file)?;
    }
    println!("{parsed} statements parsed in {} files", files.len());
    Ok(())
}

/// Every `migration.sql` under `dir`, at any depth.
fn collect_migration_files(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let entries = fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            collect_migration_files(&path, files)?;
        } else if path.file_name().is_some_and(|name| name == "migration.sql") {
            files.push(path);
        }
    }
    Ok(())
}

/// Parses each statement of `file`; returns how many parsed (a statement sqlparser rejects is
/// counted out, not fatal, as in `check`).
fn parse_every_statement(file: &Path) -> Result<usize> {
    let text = fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let parsed = split(&text, Dialect::Postgres)
        .statements
        .iter()
        .filter(|statement| {
            Parser::new(&PostgreSqlDialect {})
                .try_with_sql(statement.text)
                .and_then(|mut parser| parser.parse_statement())
                .is_ok()
        })
        .count();
    Ok(parsed)
}
