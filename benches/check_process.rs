//! Whole-process cost of `schemagate check` over a real-product-sized Prisma PostgreSQL history
//! (163 migrations, ~140 KB, ~770 statements, generated), side by side with a process that only
//! parses every statement (`examples/parse_only.rs`) and with squawk linting the same files.
//!
//! Run with `cargo bench --bench check_process`. Prints the median wall time of each process
//! and the ratios check/parse (target: at most 2x) and check/squawk (target: well under 1/3),
//! and which processes one `check` starts (it must not start a git process per file).
//! squawk and strace are used when they are on PATH and skipped with a note otherwise.

#[path = "../tests/support/pg_history_gen.rs"]
mod pg_history_gen;
#[path = "support/git.rs"]
mod support_git;

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use schemagate::analysis::dialect::Dialect;
use schemagate::analysis::sql::split;
use support_git::git;

/// Timed runs per process (the median is reported).
const RUNS: usize = 21;
/// Untimed runs first, so every process starts with warm caches.
const WARM_UP: usize = 3;
const SEED: u64 = 42;

/// The release `schemagate` binary `cargo bench` built for this bench.
const SCHEMAGATE: &str = env!("CARGO_BIN_EXE_schemagate");

fn main() -> Result<()> {
    let repo = tempfile::tempdir()?;
    let sql_files = write_history_repo(repo.path())?;
    let parse_only = build_parse_only()?;
    let schemagate = Path::new(SCHEMAGATE);

    let migrations_dir = repo.path().join(pg_history_gen::MIGRATIONS_DIR);
    let check_args: [OsString; 8] = [
        "check".into(),
        repo.path().into(),
        "--base".into(),
        "EMPTY".into(),
        "--format".into(),
        "json".into(),
        "--fail-on".into(),
        "CRITICAL".into(),
    ];
    let floor = Process::new(
        "schemagate --version (process floor)",
        schemagate,
        ["--version"],
        &[0],
    );
    let parse = Process::new(
        "bare parse (examples/parse_only)",
        &parse_only,
        [migrations_dir],
        &[0],
    );
    let check = Process::new(
        "schemagate check --base EMPTY",
        schemagate,
        check_args,
        &[0, 1],
    );
    // squawk exits 1 when it reports violations: any exit code is accepted.
    let squawk = find_on_path("squawk")
        .map(|squawk| Process::new("squawk <every migration.sql>", &squawk, &sql_files, &[]));
    if squawk.is_none() {
        println!("squawk is not on PATH: check / squawk skipped");
    }

    let mut processes = vec![&floor, &parse, &check];
    processes.extend(squawk.as_ref());
    let medians = interleaved_medians(&processes)?;
    for (process, median) in processes.iter().zip(&medians) {
        println!("{:<40} {}", process.label, ms(*median));
    }
    if let [_, parse_time, check_time, squawk_time @ ..] = medians.as_slice() {
        println!(
            "check / parse  = {:.2} (target: at most 2)",
            ratio(*check_time, *parse_time)
        );
        if let [squawk_time] = squawk_time {
            println!(
                "check / squawk = {:.2} (target: well under 0.33)",
                ratio(*check_time, *squawk_time)
            );
        }
    }
    report_spawned_processes(&check)
}

/// The median wall time of each process over [`RUNS`] rounds, after [`WARM_UP`] untimed ones;
/// each round runs every process once, so a change in the machine's load hits them all alike.
fn interleaved_medians(processes: &[&Process]) -> Result<Vec<Duration>> {
    for _ in 0..WARM_UP {
        for process in processes {
            process.run()?;
        }
    }
    let mut times = vec![Vec::with_capacity(RUNS); processes.len()];
    for _ in 0..RUNS {
        for (process, times) in processes.iter().zip(&mut times) {
            times.push(process.run()?);
        }
    }
    Ok(times
        .into_iter()
        .map(|mut runs| {
            runs.sort();
            runs[runs.len() / 2]
        })
        .collect())
}

/// Writes the generated history into `root`, commits it as the only commit of a new git
/// repository, prints its size and returns the paths of its `migration.sql` files.
fn write_history_repo(root: &Path) -> Result<Vec<PathBuf>> {
    let history = pg_history_gen::generate_pg_history(SEED);
    let mut sql_files = Vec::new();
    let (mut bytes, mut statements) = (0, 0);
    for (relative, contents) in &history {
        let path = root.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&path, contents)?;
        if relative.ends_with("/migration.sql") {
            bytes += contents.len();
            statements += split(contents, Dialect::Postgres).statements.len();
            sql_files.push(path);
        }
    }
    println!(
        "history: {} migrations, {:.1} KB of SQL, {statements} statements",
        sql_files.len(),
        bytes as f64 / 1000.0
    );
    git(root, &["init", "-q"])?;
    git(root, &["add", "."])?;
    git(root, &["commit", "-q", "-m", "history"])?;
    Ok(sql_files)
}

/// Builds `examples/parse_only.rs` in release (next to the bench's `schemagate`) and returns
/// its path: `cargo bench` builds the binaries, not the examples.
fn build_parse_only() -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--quiet", "--example", "parse_only"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .context("running cargo build --example parse_only")?;
    ensure!(
        status.success(),
        "building examples/parse_only failed: {status}"
    );
    let release_dir = Path::new(SCHEMAGATE)
        .parent()
        .context("the schemagate binary has no directory")?;
    let example = release_dir
        .join("examples")
        .join(format!("parse_only{}", std::env::consts::EXE_SUFFIX));
    ensure!(example.is_file(), "{} was not built", example.display());
    Ok(example)
}

/// A command line run as a whole process, output discarded.
struct Process {
    label: &'static str,
    program: PathBuf,
    args: Vec<OsString>,
    /// The exit codes that mean the run went as expected (any code when empty).
    accepted: Vec<i32>,
}

impl Process {
    fn new<I, A>(label: &'static str, program: &Path, args: I, accepted: &[i32]) -> Self
    where
        I: IntoIterator<Item = A>,
        A: Into<OsString>,
    {
        Process {
            label,
            program: program.to_path_buf(),
            args: args.into_iter().map(Into::into).collect(),
            accepted: accepted.to_vec(),
        }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    }

    /// Runs the process once, checks its exit code and returns its wall time.
    fn run(&self) -> Result<Duration> {
        let start = Instant::now();
        let status = self
            .command()
            .status()
            .with_context(|| format!("running {}", self.label))?;
        let elapsed = start.elapsed();
        let code = status.code().unwrap_or(-1);
        if !self.accepted.is_empty() && !self.accepted.contains(&code) {
            bail!("{} exited with {status}", self.label);
        }
        Ok(elapsed)
    }
}

/// Prints the programs one run of `process` executes (itself included), traced with strace.
fn report_spawned_processes(process: &Process) -> Result<()> {
    let Some(strace) = find_on_path("strace") else {
        println!("strace is not on PATH: processes started by check not counted");
        return Ok(());
    };
    let trace = tempfile::NamedTempFile::new()?;
    let mut command = Command::new(strace);
    command
        .args(["-f", "-qq", "-e", "trace=execve", "-o"])
        .arg(trace.path())
        .arg(&process.program)
        .args(&process.args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command.status().context("running strace")?;
    let programs = executed_programs(&fs::read_to_string(trace.path())?);
    println!(
        "processes one check executes: {} ({})",
        programs.len(),
        programs.join(", ")
    );
    Ok(())
}

/// The program names of the successful `execve` calls in an strace log (failed PATH lookups
/// end in `= -1 ENOENT` and are not processes).
fn executed_programs(log: &str) -> Vec<String> {
    log.lines()
        .filter(|line| line.contains("execve(") && line.trim_end().ends_with("= 0"))
        .filter_map(|line| line.split('"').nth(1))
        .map(|path| path.rsplit('/').next().unwrap_or(path).to_owned())
        .collect()
}

/// `name` in one of the PATH directories.
fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

fn ms(time: Duration) -> String {
    format!("{:7.2} ms", time.as_secs_f64() * 1000.0)
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}
