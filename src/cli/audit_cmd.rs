//! `schemagate audit`: past decisions from the decision log, filtered, newest first, with
//! their checklists and waiver reasons; stale approvals. With repositories configured (and not
//! `--offline`), GitHub is asked for the migration PRs merged without an approving data review,
//! for approvals the log does not have, and for the reviews sent with schemagate whose log
//! record is gone. The log's hash chain and anchor are always checked: a break is a warning,
//! and with `--verify` the report, and exit 1 (as are records missing relative to GitHub).
//! `--adopt-anchor` first anchors a log whose anchor is missing or damaged, as it is.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use super::args::{AuditArgs, AuditFormat, GlobalArgs};
use super::github_setup::{connect, load_config, network_runtime, repo_detect_options};
use super::output::{emit, print_json};
use crate::analysis::detect::CandidateFilter;
use crate::app::audit::{LogProblem, compare_history, history_day, log_problems};
use crate::config::Config;
use crate::github::cache::ContentCache;
use crate::github::history::read_history;
use crate::review::Verdict;
use crate::review::audit::{
    AuditFilter, AuditReport, PrKey, local_heads, render_csv, render_text, select, stale_approvals,
};
use crate::review::clock::Timestamp;
use crate::review::decision_log::{
    Adoption, DecisionLog, LOG_FILE, LogRead, Verification, read_all, verify,
};
use crate::review::durable::{DATA_DIR_ENV, data_dir};
use crate::review::github_audit::GitHubAudit;
use crate::review::log_anchor::{AnchorCheck, anchor_path};
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
    if args.adopt_anchor {
        adopt_anchor(&DecisionLog::in_dir(&dir))?;
    }
    let log = read_all(&log_path)?;
    let verification = verify(&log_path)?;
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
        args.verify.then_some(&verification),
    );
    report.github = github.audit;
    report.github_errors = github.errors;
    match args.format {
        AuditFormat::Text => emit(render_text(&report))?,
        AuditFormat::Json => print_json(&report)?,
        AuditFormat::Csv => emit(render_csv(&report))?,
    }
    let missing_records = report
        .github
        .as_ref()
        .is_some_and(GitHubAudit::has_missing_records);
    let path = log_path.display().to_string();
    warn(&log, &verification, args.verify, &path);
    if missing_records {
        let advice = if args.verify { "" } else { "; run --verify" };
        eprintln!(
            "schemagate: {} {path}: reviews sent with schemagate have no record in it \
             (removed or rewritten){advice}",
            if args.verify {
                "tampering in"
            } else {
                "warning:"
            }
        );
    }
    let tampered = args.verify && (!verification.is_intact() || missing_records);
    Ok(if tampered {
        ExitCode::from(EXIT_TAMPERED)
    } else {
        ExitCode::SUCCESS
    })
}

/// Anchors `log` as it is (`--adopt-anchor`), saying on stderr what that trusts.
///
/// # Errors
/// When the anchor shows a break (adopting would hide it), or the files cannot be used.
fn adopt_anchor(log: &DecisionLog) -> Result<()> {
    let path = log.path().display();
    match log.adopt_anchor()? {
        Adoption::Adopted {
            records,
            head,
            before,
        } => {
            let was = match before {
                AnchorCheck::Unreadable { error } => format!("its anchor was damaged ({error})"),
                _ => "it had no anchor".to_owned(),
            };
            eprintln!(
                "schemagate: {path}: {was}; anchored as it is now: {records} records, the last \
                 hashing to {}. This trusts its end as it is: records removed from or rewritten \
                 at its end before now go undetected by the anchor (the hash chain and the check \
                 of reviews sent with schemagate against GitHub still apply); from now on the \
                 anchor catches them",
                head.get(..12).unwrap_or(&head)
            );
        }
        Adoption::NotNeeded(check) => {
            eprintln!("schemagate: {path}: nothing to adopt ({check})");
        }
        Adoption::Refused(check) => {
            let anchor = anchor_path(log.path());
            bail!(
                "{path}: the anchor is not replaced: {check}. Adopting would hide that; if you \
                 accept the log as it is, move {} aside and run `schemagate audit \
                 --adopt-anchor` again",
                anchor.display()
            );
        }
    }
    Ok(())
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
        Err(error) => return GitHubComparison::failed(format!("{error:#}")),
    };
    // octocrab starts its connection task when the client is built: inside the runtime.
    let _inside = runtime.enter();
    let client = match connect(global, config) {
        Ok(client) => client,
        Err(error) => return GitHubComparison::failed(format!("{error:#}")),
    };
    let cache = match ContentCache::open_default() {
        Ok(cache) => cache,
        Err(error) => return GitHubComparison::failed(error.to_string()),
    };
    let since = filter.since.unwrap_or_else(|| {
        Timestamp::from_unix_secs(SystemClock.now().unix_secs() - DEFAULT_GITHUB_DAYS * 86_400)
    });
    let since_day = history_day(since);
    let candidates = repos.into_iter().map(|repo| {
        let options = repo_detect_options(global, repo);
        (repo.name.clone(), CandidateFilter::new(&options))
    });
    let read = runtime.block_on(read_history(&client, &cache, candidates, &since_day));
    let compared = compare_history(read, &log.records, &log.line_hashes);
    GitHubComparison {
        audit: Some(compared.audit),
        errors: compared.errors,
        heads: compared.heads,
    }
}

impl GitHubComparison {
    /// No comparison, for `why`.
    fn failed(why: String) -> Self {
        GitHubComparison {
            errors: vec![why],
            ..GitHubComparison::default()
        }
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

/// Tells on stderr what is wrong with the log ([`log_problems`]): with `--verify` every break
/// of the chain and of the anchor (or that both are intact); without it a warning naming the
/// first break; unreadable lines (without `--verify`, which reports them) and a torn last line
/// either way.
fn warn(log: &LogRead, verification: &Verification, verify: bool, path: &str) {
    let problems = log_problems(Some(log), Some(verification));
    let mut breaks = problems.iter().filter(|p| p.is_tampering()).peekable();
    if verify && breaks.peek().is_none() {
        eprintln!(
            "schemagate: {path}: {} records, chain intact",
            verification.verified
        );
    }
    let mut first = true;
    for problem in &problems {
        match problem {
            LogProblem::ChainBroken(_) | LogProblem::AnchorBroken(_) if verify => {
                eprintln!(
                    "schemagate: {path} was tampered with: {}",
                    break_text(problem)
                );
            }
            LogProblem::ChainBroken(_) | LogProblem::AnchorBroken(_) => {
                if std::mem::take(&mut first) {
                    eprintln!(
                        "schemagate: warning: {path} fails its check ({}); run --verify",
                        break_text(problem)
                    );
                }
            }
            LogProblem::AnchorOneBehind(anchor) => {
                eprintln!("schemagate: note: {path}: {anchor}");
            }
            LogProblem::NotDecisions(_) if verify => {}
            LogProblem::NotDecisions(lines) => {
                for bad in lines {
                    eprintln!(
                        "schemagate: warning: line {} of {path} is not a decision ({}); run \
                         --verify",
                        bad.line, bad.error
                    );
                }
            }
            LogProblem::TornTail(tail) => eprintln!(
                "schemagate: warning: line {} of {path} is torn ({} bytes; a crash while \
                 writing); the next decision recorded moves it aside",
                tail.line,
                tail.bytes.len()
            ),
        }
    }
}

/// A break of the chain or the anchor, for people.
fn break_text(problem: &LogProblem) -> String {
    match problem {
        LogProblem::ChainBroken(broken) => broken.to_string(),
        LogProblem::AnchorBroken(anchor) => anchor.to_string(),
        _ => String::new(),
    }
}
