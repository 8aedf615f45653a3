//! Peak memory of `schemagate check --base EMPTY` (split, parse, replay, rules, diff, the scratch
//! SQLite run, rendering) over generated SQLite histories of 10 MB and 50 MB: many migration
//! files of ordinary statements, the same statements in one file, and one single-line file (a
//! table and one huge `INSERT ... VALUES` on one line).
//!
//! Also a pull request adding one small migration on top of the same histories (`--base` the
//! commit holding them), the everyday case.
//!
//! Run with `cargo bench --bench memory`. Each figure is the peak resident set (`ru_maxrss`) of
//! a real `schemagate` child process, read with `wait4`, so it is the whole process's. Prints
//! figures; asserts nothing (target: peak at most about 20x the input size). Set
//! `SCHEMAGATE_BIN` to measure another build of the binary (e.g. an older one, for before and
//! after figures).

#[path = "../tests/support/history_gen.rs"]
mod history_gen;
#[path = "support/git.rs"]
mod support_git;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use support_git::git;

/// The release `schemagate` binary `cargo bench` built for this bench.
const SCHEMAGATE: &str = env!("CARGO_BIN_EXE_schemagate");
/// The environment variable naming another binary to measure.
const BINARY_OVERRIDE: &str = "SCHEMAGATE_BIN";
const SEED: u64 = 42;
const MB: usize = 1_000_000;

/// How the generated SQL is laid out in the repository.
#[derive(Clone, Copy)]
enum Layout {
    /// One Prisma migration folder per generated migration.
    ManyFiles,
    /// Every generated migration concatenated into one `migration.sql`.
    OneFile,
    /// One `migration.sql` holding a single line: a `CREATE TABLE` and one huge `INSERT`.
    SingleLine,
    /// The many files committed as the base, and a PR adding one small migration.
    PrOnHistory,
}

impl Layout {
    fn label(self) -> &'static str {
        match self {
            Layout::ManyFiles => "many files",
            Layout::OneFile => "one file",
            Layout::SingleLine => "one single-line file",
            Layout::PrOnHistory => "PR on many files",
        }
    }
}

fn main() -> Result<()> {
    let binary = std::env::var_os(BINARY_OVERRIDE).map_or_else(|| SCHEMAGATE.into(), PathBuf::from);
    println!("binary: {}", binary.display());
    println!(
        "{:<22} {:>9} {:>7} {:>11} {:>7} {:>8}  exit",
        "history", "SQL (MB)", "files", "peak (MB)", "x input", "time (s)"
    );
    for size in [10 * MB, 50 * MB] {
        for layout in [
            Layout::ManyFiles,
            Layout::OneFile,
            Layout::SingleLine,
            Layout::PrOnHistory,
        ] {
            let repo = tempfile::tempdir()?;
            let (bytes, files) = write_repo(repo.path(), layout, size)?;
            let run = peak_of_check(&binary, repo.path(), layout)?;
            println!(
                "{:<22} {:>9.1} {:>7} {:>11.1} {:>7.1} {:>8.2}  {}",
                layout.label(),
                bytes as f64 / MB as f64,
                files,
                run.peak_bytes as f64 / MB as f64,
                run.peak_bytes as f64 / bytes as f64,
                run.elapsed.as_secs_f64(),
                run.exit
            );
        }
    }
    Ok(())
}

/// Writes a Prisma SQLite history of about `size` bytes of SQL into `root` (a new git
/// repository: `check` reads the working tree; only the PR layout commits the history first);
/// returns its SQL bytes and files.
fn write_repo(root: &Path, layout: Layout, size: usize) -> Result<(usize, usize)> {
    let migrations = root.join("prisma/migrations");
    fs::create_dir_all(&migrations)?;
    fs::write(
        migrations.join("migration_lock.toml"),
        "provider = \"sqlite\"\n",
    )?;
    let files: Vec<(String, String)> = match layout {
        Layout::ManyFiles | Layout::PrOnHistory => history_of(size)
            .into_iter()
            .map(|m| (m.dir, m.sql))
            .collect(),
        Layout::OneFile => {
            let sql = history_of(size).into_iter().map(|m| m.sql).collect();
            vec![("20240101000000_everything".to_owned(), sql)]
        }
        Layout::SingleLine => vec![("20240101000000_seed".to_owned(), single_line(size))],
    };
    let mut bytes = 0;
    for (dir, sql) in &files {
        let folder = migrations.join(dir);
        fs::create_dir_all(&folder)?;
        fs::write(folder.join("migration.sql"), sql)?;
        bytes += sql.len();
    }
    git(root, &["init", "-q"])?;
    if let Layout::PrOnHistory = layout {
        git(root, &["add", "."])?;
        git(root, &["commit", "-q", "-m", "history"])?;
        let pr = migrations.join("29991231000000_pr");
        fs::create_dir_all(&pr)?;
        fs::write(
            pr.join("migration.sql"),
            "-- CreateTable\nCREATE TABLE \"Pr\" (\"id\" TEXT NOT NULL PRIMARY KEY);\n",
        )?;
    }
    Ok((bytes, files.len()))
}

/// Generated migrations (about 1 KB each) until they hold at least `size` bytes.
fn history_of(size: usize) -> Vec<history_gen::GeneratedMigration> {
    // The generator's average migration is close to 1 KB; ask for a few more than needed and
    // keep the prefix that reaches `size` (a prefix of a history is a valid history).
    let mut history = history_gen::generate_history(size / 700, SEED);
    let mut total = 0;
    let keep = history
        .iter()
        .position(|m| {
            total += m.sql.len();
            total >= size
        })
        .map_or(history.len(), |last| last + 1);
    history.truncate(keep);
    history
}

/// `CREATE TABLE "Seed" (...); INSERT INTO "Seed" VALUES (...), (...), ...;` on one line.
fn single_line(size: usize) -> String {
    let mut sql = String::with_capacity(size + 100);
    sql.push_str(
        "CREATE TABLE \"Seed\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"name\" TEXT NOT NULL, \"score\" REAL); INSERT INTO \"Seed\" (\"id\", \"name\", \"score\") VALUES ",
    );
    let mut row = 0;
    while sql.len() < size {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("({row}, 'name {row}', {}.5)", row % 1000));
        row += 1;
    }
    sql.push(';');
    sql
}

/// What one `check` process used.
struct Run {
    peak_bytes: u64,
    elapsed: Duration,
    exit: String,
}

/// Runs `schemagate check ROOT --base EMPTY|HEAD --format json` and reads its peak RSS.
fn peak_of_check(binary: &Path, root: &Path, layout: Layout) -> Result<Run> {
    let base = match layout {
        Layout::PrOnHistory => "HEAD",
        Layout::ManyFiles | Layout::OneFile | Layout::SingleLine => "EMPTY",
    };
    let start = Instant::now();
    let child = Command::new(binary)
        .arg("check")
        .arg(root)
        .args(["--base", base, "--format", "json", "--fail-on", "CRITICAL"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting schemagate")?;
    let pid = libc::pid_t::try_from(child.id()).context("child pid")?;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value of the plain C struct wait4 fills in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not waited for yet (`child` is never waited on); the
    // pointers are to live locals.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if waited != pid {
        bail!("wait4 failed: {}", std::io::Error::last_os_error());
    }
    let exit = if libc::WIFEXITED(status) {
        format!("code {}", libc::WEXITSTATUS(status))
    } else {
        format!("killed by signal {}", libc::WTERMSIG(status))
    };
    Ok(Run {
        // ru_maxrss is in KiB on Linux.
        peak_bytes: u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024,
        elapsed: start.elapsed(),
        exit,
    })
}
