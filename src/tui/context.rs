//! What the console needs from outside: where review state is kept, who reviews, the time,
//! where verdicts go, where background jobs run, and the local checkout the queue may come from.

use std::path::PathBuf;
use std::sync::Arc;

use super::history::GitHubHistory;
use super::submitter::Submitter;
use super::worker::Worker;
use crate::review::{Checklists, Clock};

/// What the screens need from outside: where review state is kept, who reviews, and the time.
pub struct Context {
    /// The data directory (drafts and the decision log).
    pub data_dir: PathBuf,
    /// The reviewer's name, recorded with ticks, waivers and verdicts.
    pub reviewer: String,
    /// The clock (ages in the queue, draft and decision times).
    pub clock: Arc<dyn Clock + Send + Sync>,
    /// The checklists the reports were built with.
    pub checklists: Checklists,
    /// Where verdicts go: the local decision log, or GitHub in the background.
    pub submitter: Submitter,
    /// GitHub's migration PRs, for the audit screen's comparison (none: demo, local checkout).
    pub github_history: Option<Arc<dyn GitHubHistory>>,
    /// Where background jobs run: threads, or inline when a test asks.
    pub worker: Worker,
}

/// The local checkout the queue comes from (`schemagate --repo PATH`): the audit screen reads
/// the current PR heads there to tell stale approvals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalCheckout {
    /// The repository name its PRs are recorded under (the checkout's directory name).
    pub repo: String,
    /// Where it is.
    pub path: PathBuf,
}
