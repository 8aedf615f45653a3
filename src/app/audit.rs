//! The decision log as `audit` and the console's audit and queue screens judge it: its health
//! (what is broken in the hash chain or the anchor, lines that are not decisions, a torn last
//! line), and its comparison with the forge's history (merged without review, approvals the
//! log lacks, reviews sent with schemagate whose record is gone).

use std::collections::BTreeMap;

use crate::github::history::HistoryRead;
use crate::review::Timestamp;
use crate::review::audit::PrKey;
use crate::review::decision_log::{BadLine, Break, LogRead, Record, TornTail, Verification};
use crate::review::github_audit::{GitHubAudit, compare};
use crate::review::log_anchor::AnchorCheck;

/// One thing wrong with the decision log, in the order [`log_problems`] lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogProblem {
    /// The hash chain is broken: a record was edited, removed or inserted (tampering).
    ChainBroken(Break),
    /// The anchor does not vouch for the log's end (tampering, or a damaged anchor).
    AnchorBroken(AnchorCheck),
    /// The anchor is one record behind (a crash between the log and anchor writes): a note.
    AnchorOneBehind(AnchorCheck),
    /// Whole lines that are not decisions.
    NotDecisions(Vec<BadLine>),
    /// A torn last line (a crash while writing; the next record moves it aside).
    TornTail(TornTail),
}

impl LogProblem {
    /// Whether it is tampering (or cannot be told from it): `audit --verify` fails on it.
    pub fn is_tampering(&self) -> bool {
        matches!(
            self,
            LogProblem::ChainBroken(_) | LogProblem::AnchorBroken(_)
        )
    }
}

/// What is wrong with the log: first the chain's and the anchor's breaks (from
/// `verification`), then the anchor a record behind, then what reading it met (from `read`).
pub fn log_problems(
    read: Option<&LogRead>,
    verification: Option<&Verification>,
) -> Vec<LogProblem> {
    let mut problems = Vec::new();
    if let Some(verification) = verification {
        problems.extend(verification.broken.clone().map(LogProblem::ChainBroken));
        let anchor = &verification.anchor;
        if anchor.is_broken() {
            problems.push(LogProblem::AnchorBroken(anchor.clone()));
        } else if *anchor == AnchorCheck::OneBehind {
            problems.push(LogProblem::AnchorOneBehind(anchor.clone()));
        }
    }
    if let Some(read) = read {
        if !read.bad_lines.is_empty() {
            problems.push(LogProblem::NotDecisions(read.bad_lines.clone()));
        }
        problems.extend(read.torn_tail.clone().map(LogProblem::TornTail));
    }
    problems
}

/// The first tampering `verification` found, for people (the queue marks its Mine column).
pub fn first_tampering(verification: &Verification) -> Option<String> {
    log_problems(None, Some(verification))
        .into_iter()
        .find_map(|problem| match problem {
            LogProblem::ChainBroken(broken) => Some(broken.to_string()),
            LogProblem::AnchorBroken(anchor) => Some(anchor.to_string()),
            _ => None,
        })
}

/// How the decision log compares with the forge's history.
#[derive(Clone, Debug, Default)]
pub struct HistoryComparison {
    /// Merged without review, approvals the log lacks, records gone.
    pub audit: GitHubAudit,
    /// What could not be read, one line per repository.
    pub errors: Vec<String>,
    /// The current head of every migration PR the forge listed (they tell stale approvals).
    pub heads: BTreeMap<PrKey, String>,
}

/// Compares `read` (the forge's migration PRs and the reviews sent with schemagate) with the
/// log's `records` and `line_hashes`.
pub fn compare_history(
    read: HistoryRead,
    records: &[Record],
    line_hashes: &[String],
) -> HistoryComparison {
    let heads = read
        .prs
        .iter()
        .filter_map(|pr| Some(((pr.repo.clone(), pr.number), pr.head_sha.clone()?)))
        .collect();
    HistoryComparison {
        audit: compare(&read.prs, read.submissions.as_deref(), records, line_hashes),
        errors: read.errors,
        heads,
    }
}

/// The first day the history is read from when it starts at `since` (`YYYY-MM-DD`).
pub fn history_day(since: Timestamp) -> String {
    since.to_string().chars().take(10).collect()
}
