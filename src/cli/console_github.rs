//! The console's GitHub source: a runtime for the requests, the client and content cache, the
//! configured repositories with their detection options, and a submitter that posts verdicts.
//! Submits that waited in the outbox and are due are sent again before each load of the
//! queue (at start and on every refresh); what still fails shows in the queue's errors.

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use anyhow::Context as _;

use super::args::GlobalArgs;
use super::github_setup::{connect, network_runtime, repo_detect_options};
use crate::config::Config;
use crate::github::cache::ContentCache;
use crate::review::Checklists;
use crate::tui::github::GitHubLoad;
use crate::tui::submitter::Submitter;

/// What the console needs to review the configured repositories.
pub(super) struct GitHubConsole {
    /// The queue's source.
    pub source: Arc<GitHubLoad>,
    /// Posts verdicts to GitHub.
    pub submitter: Submitter,
}

/// Connects to GitHub for `config`'s repositories (every open PR first; the
/// config's sections are the queue's other views).
///
/// # Errors
/// No token, an unusable API URL, no cache directory, or no runtime.
pub(super) fn open(
    global: &GlobalArgs,
    config: &Config,
    checklists: &Checklists,
    data_dir: &std::path::Path,
) -> anyhow::Result<GitHubConsole> {
    let runtime = network_runtime()?;
    let client = {
        // octocrab starts its connection task when the client is built: inside the runtime.
        let _inside = runtime.enter();
        connect(global, config)?
    };
    let cache = ContentCache::open_default().context("opening the download cache")?;
    let submitter = Submitter::github(client.clone(), runtime.handle().clone());
    let options = config
        .repos
        .iter()
        .map(|repo| (repo.name.clone(), repo_detect_options(global, repo)))
        .collect();
    let source = GitHubLoad {
        runtime,
        client,
        cache,
        repos: config.repos.clone(),
        sections: config.sections.clone(),
        view: AtomicUsize::new(0),
        options,
        checklists: checklists.clone(),
        data_dir: data_dir.to_path_buf(),
    };
    Ok(GitHubConsole {
        source: Arc::new(source),
        submitter,
    })
}
