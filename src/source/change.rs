//! A Change: everything the analysis needs about one pull request, whatever its source
//! (GitHub, a local checkout, the embedded demo). Nothing downstream knows where it came from.

use serde::{Deserialize, Serialize};

use crate::analysis::fileset::FileSet;

/// What a pull request is, apart from its files.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrMeta {
    /// `owner/name` on GitHub, or the checkout's directory name for local sources.
    pub repo: String,
    /// PR number (for local branches without a PR, a stable number derived by the source).
    pub number: u64,
    /// Title, as written by the author (untrusted: sanitize before drawing).
    pub title: String,
    /// Author login.
    pub author: String,
    /// Head branch name.
    pub branch: String,
    /// Description (markdown).
    pub body: String,
    /// Whether the PR is a draft.
    pub draft: bool,
    /// Base commit the head is compared with.
    pub base_sha: String,
    /// Head commit that is analysed (and that a review's `commit_id` names).
    pub head_sha: String,
    /// Last update, RFC 3339.
    pub updated_at: String,
}

/// One pull request: its metadata and the migration-relevant files at base and head.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Change {
    /// Metadata.
    pub meta: PrMeta,
    /// Files at the base commit.
    pub base: FileSet,
    /// Files at the head commit.
    pub head: FileSet,
}
