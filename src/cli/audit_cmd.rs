//! `schemagate audit`: past decisions from the decision log, filtered, newest first, with
//! their checklists and waiver reasons; stale approvals; and with `--verify` the hash chain
//! check (exit 1 when a record was tampered with). With repositories configured (and not
//! `--offline`), GitHub is asked for the migration PRs merged without an approving data review
//! and for approvals the log does not have.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::args::{AuditArgs, AuditFormat, GlobalArgs};
use super::github_setup::{connect, load_config, network_runtime, repo_detect_options};
use super::output::{emit, print_json};
use crate::analysis::detect::CandidateFilter;
use crate::config::Config;
use crate::github::cache::ContentCache;
use crate::github::contents::RepoRef;
use crate::github::history::migration_prs_since;
use crate::review::Verdict;
use crate::review::audit::{
    AuditFilter, AuditReport, PrKey, local_heads, render_csv, render_text, select, stale_approvals,
};
use crate::review::clock::Timestamp;
use crate::review::decision_log::{LOG_FILE, LogRead, Verification, read_all, verify};
use crate::review::durable::{DATA_DIR_ENV, data_dir};
use crate::review::github_audit::{GitHubAudit, GitHubPrFacts, compare};
use crate::review::{Clock, SystemClock};
use crate::source::git::GitRepo;

/// Exit code when the log was tampered with.
const EXIT_TAMPERED: u8 = 1;

/// How far back GitHub is asked about when `--since` is not given.
const DEFAULT_GITHUB_DAYS: i64 = 30;

/// Runs the command.
pub fn run(global: &GlobalArgs, args: &AuditArgs) -> Result<ExitCode> {
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
    let mut heads = match (&args.repo_path, &args.repo) {
        (Some(path), Some(repo)) => {
            let git =
                GitRepo::open(path).with_context(|| format!("--repo-path {}", path.display()))?;
            local_heads(&git, repo, selected.iter().copied())
        }
        _ => BTreeMap::new(),
    };
    let github = if args.offline {
        GitHubComparison::default()
    } else {
        compare_with_github(global, args, &load_config(global)?, &filter, &log)
    };
    // GitHub's heads are the truth; a local checkout may not have fetched the latest push.
    heads.extend(github.heads);
    let stale = stale_approvals(&log.records, &selected, &heads);
    let mut report = AuditReport::new(
        &selected,
        stale,
        &log.bad_lines,
        log.torn_tail.as_ref(),
        verification.as_ref(),
    );
    report.github = github.audit;
    report.github_errors = github.errors;
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

/// What GitHub told the audit.
#[derive(Default)]
struct GitHubComparison {
    /// Merged without review, approvals the log lacks; `None` when no repository is
    /// configured or GitHub could not be asked at all.
    audit: Option<GitHubAudit>,
    /// What could not be asked, and why.
    errors: Vec<String>,
    /// The current head of every migration PR GitHub listed.
    heads: BTreeMap<PrKey, String>,
}

/// The comparison with GitHub of the configured repositories (only `--repo` when given).
fn compare_with_github(
    global: &GlobalArgs,
    args: &AuditArgs,
    config: &Config,
    filter: &AuditFilter,
    log: &LogRead,
) -> GitHubComparison {
    let repos: Vec<_> = config
        .repos
        .iter()
        .filter(|repo| args.repo.as_ref().is_none_or(|only| &repo.name == only))
        .collect();
    if repos.is_empty() {
        return GitHubComparison::default();
    }
    let runtime = match network_runtime() {
        Ok(runtime) => runtime,
        Err(error) => {
            return GitHubComparison {
                errors: vec![format!("{error:#}")],
                ..GitHubComparison::default()
            };
        }
    };
    // octocrab starts its connection task when the client is built: inside the runtime.
    let _inside = runtime.enter();
    let client = match connect(global, config) {
        Ok(client) => client,
        Err(error) => {
            return GitHubComparison {
                errors: vec![format!("{error:#}")],
                ..GitHubComparison::default()
            };
        }
    };
    let cache = match ContentCache::open_default() {
        Ok(cache) => cache,
        Err(error) => {
            return GitHubComparison {
                errors: vec![error.to_string()],
                ..GitHubComparison::default()
            };
        }
    };
    let since = filter.since.unwrap_or_else(|| {
        Timestamp::from_unix_secs(SystemClock.now().unix_secs() - DEFAULT_GITHUB_DAYS * 86_400)
    });
    let since_day: String = since.to_string().chars().take(10).collect();
    let mut facts: Vec<GitHubPrFacts> = Vec::new();
    let mut errors = Vec::new();
    for repo in repos {
        let Some(repo_ref) = RepoRef::parse(&repo.name) else {
            errors.push(format!("`{}` is not owner/name", repo.name));
            continue;
        };
        let candidates = CandidateFilter::new(&repo_detect_options(global, repo));
        let fetched = runtime.block_on(migration_prs_since(
            &client,
            &cache,
            &repo_ref,
            &since_day,
            &candidates,
        ));
        match fetched {
            Ok(mut prs) => facts.append(&mut prs),
            Err(error) => errors.push(format!("{}: {error}", repo.name)),
        }
    }
    let heads = facts
        .iter()
        .filter_map(|pr| Some(((pr.repo.clone(), pr.number), pr.head_sha.clone()?)))
        .collect();
    GitHubComparison {
        audit: Some(compare(&facts, &log.records)),
        errors,
        heads,
    }
}

/// The filter the options describe.
fn filter(args: &AuditArgs) -> Result<AuditFilter> {
    let since = match &args.since {
        Some(text) => Some(Timestamp::parse(text).context("--since")?),
        None => None,
    };
    Ok(AuditFilter {
        since,
        verdict: args.verdict.map(Verdict::from),
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
