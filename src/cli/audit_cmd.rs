//! `schemagate audit`: past decisions from the decision log, filtered, newest first, with
//! their checklists and waiver reasons; stale approvals; and with `--verify` the hash chain
//! check (exit 1 when a record was tampered with).

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::args::{AuditArgs, AuditFormat, VerdictArg};
use super::output::{emit, print_json};
use crate::review::Verdict;
use crate::review::audit::{
    AuditFilter, AuditReport, local_heads, render_csv, render_text, select, stale_approvals,
};
use crate::review::clock::Timestamp;
use crate::review::decision_log::{LOG_FILE, LogRead, Verification, read_all, verify};
use crate::review::durable::{DATA_DIR_ENV, data_dir};
use crate::source::git::GitRepo;

/// Exit code when the log was tampered with.
const EXIT_TAMPERED: u8 = 1;

/// Runs the command.
pub fn run(args: &AuditArgs) -> Result<ExitCode> {
    let dir = data_dir().with_context(|| {
        format!("cannot tell the data directory (no home directory): set {DATA_DIR_ENV}")
    })?;
    let log_path = dir.join(LOG_FILE);
    let log = read_all(&log_path)?;
    let verification = if args.verify {
        Some(verify(&log_path)?)
    } else {
        None
    };
    let filter = filter(args)?;
    let selected = select(&log.records, &filter);
    let heads = match (&args.repo_path, &args.repo) {
        (Some(path), Some(repo)) => {
            let git =
                GitRepo::open(path).with_context(|| format!("--repo-path {}", path.display()))?;
            local_heads(&git, repo, selected.iter().copied())
        }
        _ => BTreeMap::new(),
    };
    let stale = stale_approvals(&log.records, &selected, &heads);
    let report = AuditReport::new(
        &selected,
        stale,
        &log.bad_lines,
        log.torn_tail.as_ref(),
        verification.as_ref(),
    );
    match args.format {
        AuditFormat::Text => emit(render_text(&report))?,
        AuditFormat::Json => print_json(&report)?,
        AuditFormat::Csv => emit(render_csv(&report))?,
    }
    warn(&log, verification.as_ref(), &log_path.display().to_string());
    let tampered = verification.as_ref().is_some_and(|v| !v.is_intact());
    Ok(if tampered {
        ExitCode::from(EXIT_TAMPERED)
    } else {
        ExitCode::SUCCESS
    })
}

/// The filter the options describe.
fn filter(args: &AuditArgs) -> Result<AuditFilter> {
    let since = match &args.since {
        Some(text) => Some(Timestamp::parse(text).context("--since")?),
        None => None,
    };
    Ok(AuditFilter {
        since,
        verdict: args.verdict.map(|v| match v {
            VerdictArg::Approve => Verdict::Approve,
            VerdictArg::RequestChanges => Verdict::RequestChanges,
            VerdictArg::Block => Verdict::Block,
        }),
        risk: args.risk,
        repo: args.repo.clone(),
    })
}

/// Tells on stderr what is wrong with the log: the tampered record, unreadable lines, a torn
/// last line.
fn warn(log: &LogRead, verification: Option<&Verification>, path: &str) {
    if let Some(broken) = verification.and_then(|v| v.broken.as_ref()) {
        eprintln!("schemagate: {path} was tampered with: {broken}");
    } else if let Some(v) = verification {
        eprintln!("schemagate: {path}: {} records, chain intact", v.verified);
    }
    if verification.is_none() {
        for bad in &log.bad_lines {
            eprintln!(
                "schemagate: warning: line {} of {path} is not a decision ({}); run --verify",
                bad.line, bad.error
            );
        }
    }
    if let Some(tail) = &log.torn_tail {
        eprintln!(
            "schemagate: warning: line {} of {path} is torn ({} bytes; a crash while writing); \
             the next decision recorded moves it aside",
            tail.line,
            tail.bytes.len()
        );
    }
}
