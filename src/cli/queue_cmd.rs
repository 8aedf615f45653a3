//! `schemagate queue`: the open pull requests that touch migrations, riskiest first then longest
//! waiting, with the number of migrations each changes and the conflicts between them. With PATH,
//! offline from a local checkout (local branches and fetched PR refs); without, from GitHub for
//! the repositories of the config file ([`github`]). Both analyse, order and age PRs as the
//! console does ([`crate::app::queue`]).

mod github;

use std::process::ExitCode;

use anyhow::{Context, Result};
use serde::Serialize;

use super::args::{Format, GlobalArgs, QueueArgs};
use super::input::{detect_options, team_checklists};
use super::output::{emit, print_json};
use crate::analysis::conflicts::Conflict;
use crate::analysis::detect::DetectOptions;
use crate::analysis::rules::Risk;
use crate::app::entry::{Depth, PrEntry};
use crate::app::queue::{Conflicts, age_seconds, age_text, sort_queue};
use crate::report::sanitize::sanitize_line;
use crate::review::{Checklists, Clock, SystemClock, Timestamp};
use crate::source::offline::{OfflineListing, OfflineSource, PrOrigin};

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
    let queue = build_queue(&source, listing, &checklists, &options, SystemClock.now());
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
    /// The same, as the queue shows it (`5h`).
    #[serde(skip)]
    age: String,
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

/// Analyses every listed PR, sorts them into the queue's order and finds their conflicts.
fn build_queue(
    source: &OfflineSource,
    listing: OfflineListing,
    checklists: &Checklists,
    options: &DetectOptions,
    now: Timestamp,
) -> Queue {
    let mut analysed: Vec<(Listed, PrEntry)> = listing
        .prs
        .into_iter()
        .map(|pr| {
            let listed = Listed {
                origin: pr.origin,
                refname: pr.refname,
                skipped_files: pr.skipped.into_iter().map(|s| s.path).collect(),
            };
            let entry = PrEntry::analyse_to(Depth::Triage, pr.change, checklists, options);
            (listed, entry)
        })
        .collect();
    sort_queue(&mut analysed, |(_, entry)| entry);
    let conflicts = Conflicts::between(analysed.iter().map(|(_, entry)| entry));
    let prs = analysed
        .into_iter()
        .map(|(listed, entry)| QueueEntry::new(listed, &entry, &conflicts, now))
        .collect();
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
        conflicts: conflicts.into_list(),
        errors,
    }
}

/// What the listing says of a PR besides its change.
struct Listed {
    origin: PrOrigin,
    refname: String,
    skipped_files: Vec<String>,
}

impl QueueEntry {
    /// The queue entry of one analysed PR.
    fn new(listed: Listed, entry: &PrEntry, conflicts: &Conflicts, now: Timestamp) -> QueueEntry {
        let meta = &entry.meta;
        QueueEntry {
            number: meta.number,
            origin: listed.origin,
            refname: listed.refname,
            title: sanitize_line(&meta.title).into_owned(),
            author: sanitize_line(&meta.author).into_owned(),
            branch: sanitize_line(&meta.branch).into_owned(),
            base_sha: meta.base_sha.clone(),
            head_sha: meta.head_sha.clone(),
            updated_at: meta.updated_at.clone(),
            age_seconds: age_seconds(now, entry.updated_at),
            age: age_text(now, entry.updated_at),
            risk: entry.report.risk,
            reasons: entry.report.reasons.clone(),
            migrations_changed: entry.migrations(),
            skipped_files: listed.skipped_files,
            conflicts_with: conflicts.partners(&entry.footprint.pr),
        }
    }
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
        entry.age,
        entry.migrations_changed,
        entry.title,
        entry.author,
        entry.branch
    );
    line.push_str(&conflicts_with_line(&entry.conflicts_with));
    line
}
