//! What GitHub says about the configured repositories' migration PRs, for the audit screen's
//! comparison with the decision log. [`GitHubHistory`] is read on a background thread (the
//! audit screen starts it); the console's GitHub source provides it, demo and local-checkout
//! consoles have none.

use crate::analysis::detect::CandidateFilter;
use crate::github::contents::RepoRef;
use crate::github::history::migration_prs_since;
use crate::review::Timestamp;
use crate::review::github_audit::GitHubPrFacts;
use crate::tui::github::GitHubLoad;

/// What was read from GitHub.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryRead {
    /// The migration PRs (open or merged) updated since the day asked for.
    pub prs: Vec<GitHubPrFacts>,
    /// What could not be read, one line per repository (unsanitized).
    pub errors: Vec<String>,
}

/// Reads the migration PRs of the repositories under review (blocking: call it off the UI
/// thread).
pub trait GitHubHistory: Send + Sync {
    /// The migration PRs updated on or after the day of `since`, with their approvals.
    fn migration_prs(&self, since: Timestamp) -> HistoryRead;
}

impl GitHubHistory for GitHubLoad {
    fn migration_prs(&self, since: Timestamp) -> HistoryRead {
        let since_day: String = since.to_string().chars().take(10).collect();
        let mut read = HistoryRead::default();
        for repo in &self.repos {
            let Some(repo_ref) = RepoRef::parse(&repo.name) else {
                read.errors
                    .push(format!("`{}` is not owner/name", repo.name));
                continue;
            };
            let options = self.options.get(&repo.name).cloned().unwrap_or_default();
            let fetched = self.runtime.block_on(migration_prs_since(
                &self.client,
                &self.cache,
                &repo_ref,
                &since_day,
                &CandidateFilter::new(&options),
            ));
            match fetched {
                Ok(mut prs) => read.prs.append(&mut prs),
                Err(error) => read.errors.push(format!("{}: {error}", repo.name)),
            }
        }
        read
    }
}
