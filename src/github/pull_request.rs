//! A pull request as GitHub describes it: the data the listing ([`super::queue`]), the loading
//! of contents ([`super::assemble`]) and the queue ([`super::remote`]) share.

use serde::Serialize;

use crate::source::change::PrMeta;
use crate::source::local::SkippedFile;

/// An open pull request as GitHub describes it (strings are untrusted: sanitize before
/// printing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemotePr {
    /// Number, title, author, branch, body, draft flag, base and head commits, update time.
    /// `meta.base_sha` is the base branch's current commit, which the head side is merged onto.
    pub meta: PrMeta,
    /// The PR's web page.
    pub url: String,
    /// The branch it targets.
    pub base_branch: String,
    /// Its changed files (all of them, not only migrations).
    pub files: Vec<ChangedFile>,
    /// The latest reviews (up to 50), oldest first.
    pub reviews: Vec<PrReview>,
    /// The head commit's `schemagate/data-review` status, if set.
    pub data_review_status: Option<DataReviewStatus>,
    /// Label names.
    pub labels: Vec<String>,
    /// Migration-relevant files that were not loaded, with why.
    pub skipped: Vec<SkippedFile>,
    /// Other things to know about the contents (e.g. a base tree GitHub truncated).
    pub notes: Vec<String>,
}

/// How a file changed in a pull request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileChange {
    /// New.
    Added,
    /// Content changed.
    Modified,
    /// Removed.
    Deleted,
    /// Moved (see [`ChangedFile::previous_path`]).
    Renamed,
    /// Copied from another file.
    Copied,
    /// Only the mode changed.
    Changed,
}

/// One changed file of a pull request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangedFile {
    /// Its path at the head.
    pub path: String,
    /// For a rename, the path it had (GitHub's REST `previous_filename`; GraphQL does not
    /// give it).
    pub previous_path: Option<String>,
    /// How it changed.
    pub change: FileChange,
    /// Lines added.
    pub additions: u64,
    /// Lines deleted.
    pub deletions: u64,
}

/// A review's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Approved.
    Approved,
    /// Changes requested.
    ChangesRequested,
    /// A comment only.
    Commented,
    /// Dismissed by a maintainer.
    Dismissed,
    /// Not submitted yet.
    Pending,
}

/// One review of a pull request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PrReview {
    /// Reviewer login (empty for a deleted account).
    pub author: String,
    /// The verdict.
    pub state: ReviewState,
    /// When it was submitted, RFC 3339.
    pub submitted_at: Option<String>,
    /// The commit it reviewed.
    pub commit: Option<String>,
    /// Whether schemagate posted it (its body carries the report marker).
    pub by_schemagate: bool,
}

impl RemotePr {
    /// How many approving reviews were given on commit `head` (by anyone: GitHub's review
    /// list names logins, a local reviewer is a user name, so they cannot be told apart).
    pub fn approvals_at(&self, head: &str) -> usize {
        self.reviews
            .iter()
            .filter(|review| review.state == ReviewState::Approved && review.is_at(head))
            .count()
    }
}

impl PrReview {
    /// Whether it reviewed `head` (the PR's current head commit).
    pub fn is_at(&self, head: &str) -> bool {
        self.commit.as_deref() == Some(head)
    }
}

/// The state of a commit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusState {
    /// Passed.
    Success,
    /// Failed.
    Failure,
    /// Waiting.
    Pending,
    /// Could not be decided.
    Error,
    /// Required but not reported yet.
    Expected,
}

impl StatusState {
    /// The state in words: `success`, `failure`, ...
    pub fn word(self) -> &'static str {
        match self {
            StatusState::Success => "success",
            StatusState::Failure => "failure",
            StatusState::Pending => "pending",
            StatusState::Error => "error",
            StatusState::Expected => "expected",
        }
    }
}

impl ReviewState {
    /// The verdict in words: `approved`, `changes requested`, ...
    pub fn word(self) -> &'static str {
        match self {
            ReviewState::Approved => "approved",
            ReviewState::ChangesRequested => "changes requested",
            ReviewState::Commented => "commented",
            ReviewState::Dismissed => "dismissed",
            ReviewState::Pending => "pending",
        }
    }
}

/// The `schemagate/data-review` status of a PR's head commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DataReviewStatus {
    /// Its state.
    pub state: StatusState,
    /// Its description.
    pub description: Option<String>,
}

/// A listed PR, and whether GraphQL left files out (more than 100).
#[derive(Clone, Debug)]
pub struct ListedPr {
    /// The PR (contents not loaded yet: `skipped` and `notes` are empty).
    pub pr: RemotePr,
    /// Whether its file list is incomplete.
    pub more_files: bool,
}
