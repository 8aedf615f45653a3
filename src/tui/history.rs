//! What GitHub says about the configured repositories' migration PRs, for the audit screen's
//! comparison with the decision log. [`GitHubHistory`] is read on a background thread (the
//! audit screen starts it); the console's GitHub source provides it, demo and local-checkout
//! consoles have none.

use crate::analysis::detect::CandidateFilter;
use crate::app::audit::history_day;
pub use crate::github::history::HistoryRead;
use crate::github::history::read_history;
use crate::review::Timestamp;
use crate::tui::github::GitHubLoad;

/// Reads the migration PRs of the repositories under review (blocking: call it off the UI
/// thread).
pub trait GitHubHistory: Send + Sync {
    /// The migration PRs updated on or after the day of `since`, with their approvals, and the
    /// reviews sent with schemagate on them.
    fn migration_prs(&self, since: Timestamp) -> HistoryRead;
}

impl GitHubHistory for GitHubLoad {
    fn migration_prs(&self, since: Timestamp) -> HistoryRead {
        let since_day = history_day(since);
        let repos = self.repos.iter().map(|repo| {
            let options = self.options.get(&repo.name).cloned().unwrap_or_default();
            (repo.name.clone(), CandidateFilter::new(&options))
        });
        self.runtime
            .block_on(read_history(&self.client, &self.cache, repos, &since_day))
    }
}
