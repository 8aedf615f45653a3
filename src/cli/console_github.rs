//! The console's GitHub source: a runtime for the requests, the client and content cache, the
//! configured repositories with their detection options, and a submitter that posts verdicts.
//! Submits that waited in the outbox and are due are sent in the background at start.

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use anyhow::Context as _;
use tokio::runtime::Runtime;

use super::args::GlobalArgs;
use super::github_setup::{connect, network_runtime, repo_detect_options};
use crate::config::Config;
use crate::github::cache::ContentCache;
use crate::github::dispatch::retry;
use crate::github::outbox::Outbox;
use crate::review::{Checklists, Clock, DecisionLog, SystemClock};
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
    send_due_outbox(&runtime, &client, data_dir);
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
    };
    Ok(GitHubConsole {
        source: Arc::new(source),
        submitter,
    })
}

/// Sends, in the background, the outbox entries whose back-off has passed; what still fails
/// stays in the outbox (`schemagate submit --retry` shows it).
fn send_due_outbox(runtime: &Runtime, client: &crate::github::GitHub, data_dir: &std::path::Path) {
    let client = client.clone();
    let outbox = Outbox::in_dir(data_dir);
    let log = DecisionLog::in_dir(data_dir);
    runtime.spawn(async move {
        // Failures are kept in the outbox with their error; nothing to report here.
        let _ = retry(&client, &outbox, &log, SystemClock.now(), true).await;
    });
}
