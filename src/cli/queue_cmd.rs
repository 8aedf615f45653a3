//! `schemagate queue`: the open pull requests that touch migrations, riskiest first then longest
//! waiting, with the number of migrations each changes and the conflicts between them. With PATH,
//! offline from a local checkout (local branches and fetched PR refs); without, from GitHub for
//! the repositories of the config file ([`github`]). Both analyse a PR the same way
//! ([`triage`]).

mod github;

use std::cmp::Reverse;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use serde::Serialize;

use super::args::{Format, GlobalArgs, QueueArgs};
use super::input::{detect_options, team_checklists};
use super::output::{emit, print_json};
use crate::analysis::conflicts::{Conflict, PrFootprint, PrId, find_conflicts};
use crate::analysis::detect::DetectOptions;
use crate::analysis::pipeline::analyze_change;
use crate::analysis::rules::Risk;
use crate::check::{ReportInputs, build_report};
use crate::github::contents::short;
use crate::report::sanitize::sanitize_line;
use crate::review::Checklists;
use crate::source::change::Change;
use crate::source::offline::{OfflineListing, OfflinePr, OfflineSource, PrOrigin};

/// Runs the command.
pub fn run(global: &GlobalArgs, args: &QueueArgs) -> Result<ExitCode> {
    match &args.path {
        Some(path) => run_offline(global, args, path),
        None => github::run(global, args),
    }
}

/// The queue of a local checkout.
fn run_offline(global: &GlobalArgs, args: &QueueArgs, path: &std::path::Path) -> Result<ExitCode> {
    let options = detect_options(global);
    let source = OfflineSource::open(path, args.base.as_deref())
        .with_context(|| {
            format!(
                "reading {} as a git checkout (pass --base BRANCH when it has no main or master)",
                path.display()
            )
        })?
        .with_detect_options(options.clone());
    let listing = source
        .list_prs()
        .context("listing the branches and pull request refs")?;
    let checklists = team_checklists(None)?;
    let queue = build_queue(&source, listing, &checklists, &options, now_unix());
    match args.format {
        Format::Text => emit(render_text(&queue))?,
        Format::Json => print_json(&queue)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The queue as printed (the JSON document of docs/json.md).
#[derive(Debug, Serialize)]
struct Queue {
    /// The checkout's directory name.
    repo: String,
    /// The base branch.
    base: String,
    /// The pull requests, riskiest first, then longest waiting.
    prs: Vec<QueueEntry>,
    /// Conflicts between them.
    conflicts: Vec<Conflict>,
    /// Refs that could not be read.
    errors: Vec<QueueError>,
}

/// One pull request (or local branch) of the queue.
#[derive(Debug, Serialize)]
struct QueueEntry {
    /// PR number, or a local branch's derived number.
    number: u64,
    /// `pull_request` or `local_branch`.
    origin: PrOrigin,
    /// The ref it was read from.
    #[serde(rename = "ref")]
    refname: String,
    /// Title (sanitized).
    title: String,
    /// Author (sanitized).
    author: String,
    /// Branch or short ref name (sanitized).
    branch: String,
    /// The merge base with the base branch.
    base_sha: String,
    /// The head commit.
    head_sha: String,
    /// The head commit's date, RFC 3339.
    updated_at: String,
    /// Seconds since then.
    age_seconds: i64,
    /// The PR's risk.
    risk: Risk,
    /// Why: its open findings at that risk.
    reasons: Vec<String>,
    /// Migration files added, modified or removed.
    migrations_changed: usize,
    /// Candidate files that could not be loaded.
    skipped_files: Vec<String>,
    /// Numbers of the listed PRs it conflicts with.
    conflicts_with: Vec<u64>,
}

/// A ref that could not be read.
#[derive(Debug, Serialize)]
struct QueueError {
    /// The full ref name.
    #[serde(rename = "ref")]
    refname: String,
    /// Why.
    message: String,
}

/// Analyses every listed PR, finds their conflicts and sorts them.
fn build_queue(
    source: &OfflineSource,
    listing: OfflineListing,
    checklists: &Checklists,
    options: &DetectOptions,
    now: i64,
) -> Queue {
    let (mut prs, footprints): (Vec<QueueEntry>, Vec<PrFootprint>) = listing
        .prs
        .iter()
        .map(|pr| analyse(pr, checklists, options, now))
        .unzip();
    let conflicts = find_conflicts(&footprints);
    for (entry, footprint) in prs.iter_mut().zip(&footprints) {
        entry.conflicts_with = conflict_partners(&conflicts, &footprint.pr);
    }
    prs.sort_by_key(|e| (Reverse(e.risk), Reverse(e.age_seconds), e.number));
    let errors = listing
        .errors
        .into_iter()
        .map(|e| QueueError {
            refname: e.refname,
            message: e.error.to_string(),
        })
        .collect();
    Queue {
        repo: source.repo_name().to_owned(),
        base: source.base().to_owned(),
        prs,
        conflicts,
        errors,
    }
}

/// What the queue shows of one analysed change.
struct Triage {
    /// The PR's risk (from the report, without running SQLite: the queue is for triage).
    risk: Risk,
    /// Its open findings at that risk.
    reasons: Vec<String>,
    /// Migration files added, modified or removed.
    migrations_changed: usize,
    /// Whether it changes any migration set at all.
    changes_sets: bool,
    /// What its migrations touch, for conflicts.
    footprint: PrFootprint,
}

/// Analyses one change as the queue does (the same for local and GitHub PRs).
fn triage(change: &Change, checklists: &Checklists, options: &DetectOptions) -> Triage {
    let meta = &change.meta;
    let analysis = analyze_change(&change.base, &change.head, options);
    let inputs = ReportInputs {
        pr_body: Some(&meta.body),
        sample_db: None,
        execute: false,
    };
    let report = build_report(
        &analysis,
        checklists,
        inputs,
        short(&meta.base_sha).to_owned(),
        meta.branch.clone(),
    );
    let footprint = PrFootprint::new(
        PrId {
            repo: meta.repo.clone(),
            number: meta.number,
        },
        &analysis.sets,
    );
    Triage {
        risk: report.risk,
        reasons: report.reasons,
        migrations_changed: report
            .sets
            .iter()
            .map(|s| s.changed_files.len() + s.removed_files.len())
            .sum(),
        changes_sets: !report.sets.is_empty(),
        footprint,
    }
}

/// The numbers of the PRs `pr` conflicts with, ascending.
fn conflict_partners(conflicts: &[Conflict], pr: &PrId) -> Vec<u64> {
    let mut numbers: Vec<u64> = conflicts
        .iter()
        .filter_map(|c| {
            if c.a == *pr {
                Some(c.b.number)
            } else if c.b == *pr {
                Some(c.a.number)
            } else {
                None
            }
        })
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
}

/// The queue entry of one PR and what its migrations touch.
fn analyse(
    pr: &OfflinePr,
    checklists: &Checklists,
    options: &DetectOptions,
    now: i64,
) -> (QueueEntry, PrFootprint) {
    let meta = &pr.change.meta;
    let triage = triage(&pr.change, checklists, options);
    let entry = QueueEntry {
        number: meta.number,
        origin: pr.origin,
        refname: pr.refname.clone(),
        title: sanitize_line(&meta.title).into_owned(),
        author: sanitize_line(&meta.author).into_owned(),
        branch: sanitize_line(&meta.branch).into_owned(),
        base_sha: meta.base_sha.clone(),
        head_sha: meta.head_sha.clone(),
        updated_at: meta.updated_at.clone(),
        age_seconds: now.saturating_sub(pr.updated_unix).max(0),
        risk: triage.risk,
        reasons: triage.reasons,
        migrations_changed: triage.migrations_changed,
        skipped_files: pr.skipped.iter().map(|s| s.path.clone()).collect(),
        conflicts_with: Vec::new(),
    };
    (entry, triage.footprint)
}

/// The queue for people: one line per PR, its conflicts under it, then every conflict
/// explained and the refs that could not be read.
fn render_text(queue: &Queue) -> String {
    let mut out = format!(
        "{}: {} pull request(s) touching migrations against {}, riskiest first\n",
        sanitize_line(&queue.repo),
        queue.prs.len(),
        sanitize_line(&queue.base)
    );
    if !queue.prs.is_empty() {
        out.push_str("\nRISK      NUMBER    AGE  MIGRATIONS  TITLE\n");
    }
    for entry in &queue.prs {
        out.push_str(&entry_line(entry));
    }
    out.push_str(&conflicts_text(&queue.conflicts, false));
    out.push_str(&failures_text(
        "Refs that could not be read",
        queue
            .errors
            .iter()
            .map(|e| (e.refname.as_str(), e.message.as_str())),
    ));
    out
}

/// `heading` and one `name: message` line per failure (both sanitized), or nothing when there
/// are none.
fn failures_text<'a>(
    heading: &str,
    failures: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    let mut out = String::new();
    for (name, message) in failures {
        if out.is_empty() {
            out = format!("\n{heading}:\n");
        }
        out.push_str(&format!(
            "  {}: {}\n",
            sanitize_line(name),
            sanitize_line(message)
        ));
    }
    out
}

/// Every conflict explained, one per line under a heading (nothing when there are none); with
/// `with_repo`, each line starts with the repository.
fn conflicts_text(conflicts: &[Conflict], with_repo: bool) -> String {
    if conflicts.is_empty() {
        return String::new();
    }
    let mut out = String::from("\nConflicts:\n");
    for conflict in conflicts {
        let repo = if with_repo {
            format!("{} ", sanitize_line(&conflict.a.repo))
        } else {
            String::new()
        };
        out.push_str(&format!(
            "  {repo}{} / {} in {}: {}\n",
            conflict.a,
            conflict.b,
            sanitize_line(&conflict.set),
            sanitize_line(&conflict.explanation)
        ));
    }
    out
}

/// `          conflicts with #3, #5` (nothing when there are none).
fn conflicts_with_line(numbers: &[u64]) -> String {
    if numbers.is_empty() {
        return String::new();
    }
    let numbers: Vec<String> = numbers.iter().map(|n| format!("#{n}")).collect();
    format!("          conflicts with {}\n", numbers.join(", "))
}

/// One PR's line, and a second line naming the PRs it conflicts with.
fn entry_line(entry: &QueueEntry) -> String {
    let origin = match entry.origin {
        PrOrigin::PullRequest => "",
        PrOrigin::LocalBranch => "local branch ",
    };
    let mut line = format!(
        "{:<8}  #{:<8} {:>4}  {:>10}  {}  ({}, {origin}{})\n",
        entry.risk.label(),
        entry.number,
        age_text(entry.age_seconds),
        entry.migrations_changed,
        entry.title,
        entry.author,
        entry.branch
    );
    line.push_str(&conflicts_with_line(&entry.conflicts_with));
    line
}

/// `45m`, `5h`, `3d`.
fn age_text(seconds: i64) -> String {
    const MINUTE: i64 = 60;
    const HOUR: i64 = 60 * MINUTE;
    const DAY: i64 = 24 * HOUR;
    if seconds < HOUR {
        format!("{}m", seconds / MINUTE)
    } else if seconds < 2 * DAY {
        format!("{}h", seconds / HOUR)
    } else {
        format!("{}d", seconds / DAY)
    }
}

/// Seconds since the Unix epoch (0 if the clock is before it).
fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_in_the_largest_sensible_unit() {
        assert_eq!(age_text(0), "0m");
        assert_eq!(age_text(59 * 60), "59m");
        assert_eq!(age_text(3 * 3600), "3h");
        assert_eq!(age_text(47 * 3600), "47h");
        assert_eq!(age_text(3 * 86_400 + 5), "3d");
    }
}
