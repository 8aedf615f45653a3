//! Pull requests from GitHub as the console and `submit` use them: one PR by number with its
//! contents ([`fetch_pr`]), or the whole queue of the configured repositories, streamed as it
//! loads ([`load_queue`]): repositories load concurrently (at most [`CONCURRENT_REPOS`] at a
//! time), the PRs of each page of 100 are sent as soon as their files are in (ready for the
//! analysis, which stays with the caller), and one repository failing does not stop the others.
//!
//! Requests: once per client the viewer's login (REST `GET /user`, for their own reviews); per
//! repository, one GraphQL query per 100 open PRs (more when GitHub needs smaller pages); per
//! distinct base commit one
//! REST tree (never again once cached); per page, one GraphQL query per 100 files not cached;
//! one REST file list per PR with over 100 files or a migration renamed (conditional).
//! A queue of N PRs in R repositories costs about R x ceil(N/100) listing queries plus the
//! content queries for what is not cached yet.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc::UnboundedSender};
use tokio::task::JoinSet;

use super::assemble::{PrContents, load_contents, touches_migrations};
use super::budget::{Budget, BudgetMeter};
use super::cache::{ContentCache, TreeListing};
use super::client::GitHub;
use super::contents::RepoRef;
use super::error::GitHubError;
use super::pull_request::{FileChange, ListedPr, RemotePr};
use super::queue::{PAGE_SIZES, complete_files, list_page, pr_by_number};
use crate::analysis::detect::{CandidateFilter, DetectOptions};
use crate::config::{RepoConfig, SectionConfig};
use crate::source::change::Change;

/// How many repositories load at the same time.
pub const CONCURRENT_REPOS: usize = 4;

/// Progress and results of [`load_queue`], in the order they happen.
#[derive(Debug)]
pub enum QueueEvent {
    /// A repository started loading.
    RepoStarted {
        /// `owner/name`.
        repo: String,
    },
    /// A page of open PRs was listed.
    Listed {
        /// `owner/name`.
        repo: String,
        /// PRs of the page that touch migrations (their contents load next).
        prs: usize,
        /// PRs of the page left out because they touch no migration or schema file (PRs
        /// targeting another branch than the configured base are not counted).
        without_migrations: usize,
    },
    /// One PR with its contents, ready to analyse.
    PrLoaded {
        /// `owner/name`.
        repo: String,
        /// The PR.
        pr: Box<RemotePr>,
        /// Its migration-relevant files at base and head.
        change: Box<Change>,
    },
    /// A repository failed; what it loaded before stays valid.
    RepoFailed {
        /// `owner/name`.
        repo: String,
        /// Why.
        error: GitHubError,
    },
    /// A repository finished loading.
    RepoDone {
        /// `owner/name`.
        repo: String,
    },
    /// What the load's GraphQL queries cost and the budget left after them (sent once per
    /// load when GitHub said, before [`QueueEvent::Finished`]).
    Budget(Budget),
    /// Something to know that failed nothing: the download cache held damaged entries, which
    /// were not used and were fetched again (sent once per load, before
    /// [`QueueEvent::Finished`]).
    Warning {
        /// What happened, for people.
        message: String,
    },
    /// Every repository finished or failed.
    Finished,
}

/// How many damaged cache entries a warning names (the others are counted).
const NAMED_DAMAGE: usize = 5;

/// `the download cache held 2 damaged entries (the tree of commit 1a2b3c4, blob 5d6e7f8): not
/// used, fetched again`, when the cache found any since it was last asked.
fn cache_damage_warning(cache: &ContentCache) -> Option<String> {
    let damaged = cache.take_damaged();
    let (first, rest) = damaged.split_first()?;
    let mut names = first.clone();
    for name in rest.iter().take(NAMED_DAMAGE - 1) {
        names.push_str(", ");
        names.push_str(name);
    }
    if damaged.len() > NAMED_DAMAGE {
        names.push_str(&format!(" and {} more", damaged.len() - NAMED_DAMAGE));
    }
    let entries = if damaged.len() == 1 {
        "1 damaged entry".to_owned()
    } else {
        format!("{} damaged entries", damaged.len())
    };
    Some(format!(
        "the download cache held {entries} ({names}): not used, fetched again"
    ))
}

/// One pull request by number with its contents.
///
/// # Errors
/// [`GitHubError::NotFound`] for a repository or PR that does not exist (or cannot be seen),
/// and any other request failure.
pub async fn fetch_pr(
    client: &GitHub,
    cache: &ContentCache,
    repo: &RepoConfig,
    number: u64,
) -> Result<(RemotePr, Change), GitHubError> {
    let target = repo_ref(repo)?;
    let filter = CandidateFilter::new(&detect_options(repo));
    // One PR's few points are not watched.
    let meter = BudgetMeter::default();
    let listed = pr_by_number(client, &target, number, &meter).await?;
    let listed = complete_if_needed(client, cache, &target, &filter, listed).await?;
    let mut trees = HashMap::new();
    let mut loaded = load_contents(
        client,
        cache,
        &target,
        &filter,
        vec![listed],
        &mut trees,
        &meter,
    )
    .await?;
    let PrContents { mut pr, change } = loaded.pop().ok_or_else(|| GitHubError::Decode {
        what: format!("pull request #{number} of {}", repo.name),
        message: "no contents were assembled".to_owned(),
    })?;
    pr.notes.extend(cache_damage_warning(cache));
    Ok((pr, change))
}

/// Loads the open PRs that touch migrations of every repository in `repos` (or, with
/// `section`, those its search finds), sending [`QueueEvent`]s as they come; ends with
/// [`QueueEvent::Finished`]. Sending stops quietly when the receiver is gone.
pub async fn load_queue(
    client: &GitHub,
    cache: &ContentCache,
    repos: &[RepoConfig],
    section: Option<&SectionConfig>,
    events: UnboundedSender<QueueEvent>,
) {
    let permits = Arc::new(Semaphore::new(CONCURRENT_REPOS));
    let meter = BudgetMeter::default();
    let mut tasks = JoinSet::new();
    for repo in repos {
        let (client, cache, repo) = (client.clone(), cache.clone(), repo.clone());
        let (section, meter) = (section.cloned(), meter.clone());
        let (events, permits) = (events.clone(), Arc::clone(&permits));
        tasks.spawn(async move {
            // The semaphore is never closed, so a permit always comes.
            let _permit = permits.acquire_owned().await;
            let name = repo.name.clone();
            let _ = events.send(QueueEvent::RepoStarted { repo: name.clone() });
            let outcome =
                load_repo(&client, &cache, &repo, section.as_ref(), &meter, &events).await;
            let _ = events.send(match outcome {
                Ok(()) => QueueEvent::RepoDone { repo: name },
                Err(error) => QueueEvent::RepoFailed { repo: name, error },
            });
        });
    }
    while tasks.join_next().await.is_some() {}
    if let Some(budget) = meter.budget() {
        let _ = events.send(QueueEvent::Budget(budget));
    }
    if let Some(message) = cache_damage_warning(cache) {
        let _ = events.send(QueueEvent::Warning { message });
    }
    let _ = events.send(QueueEvent::Finished);
}

/// One repository, page by page.
async fn load_repo(
    client: &GitHub,
    cache: &ContentCache,
    repo: &RepoConfig,
    section: Option<&SectionConfig>,
    meter: &BudgetMeter,
    events: &UnboundedSender<QueueEvent>,
) -> Result<(), GitHubError> {
    let target = repo_ref(repo)?;
    let filter = CandidateFilter::new(&detect_options(repo));
    let mut trees: HashMap<String, TreeListing> = HashMap::new();
    let mut cursor: Option<String> = None;
    // A smaller page that GitHub could answer is kept for the rest of the listing.
    let mut size = PAGE_SIZES[0];
    loop {
        let page = list_page(client, &target, section, cursor.as_deref(), size, meter).await?;
        size = page.size;
        let mut kept = Vec::new();
        let mut without_migrations = 0;
        for pr in page.prs {
            if repo.base.as_ref().is_some_and(|b| *b != pr.pr.base_branch) {
                continue;
            }
            let pr = complete_if_needed(client, cache, &target, &filter, pr).await?;
            if pr.pr.files.iter().any(|f| touches_migrations(&filter, f)) {
                kept.push(pr);
            } else {
                without_migrations += 1;
            }
        }
        let _ = events.send(QueueEvent::Listed {
            repo: repo.name.clone(),
            prs: kept.len(),
            without_migrations,
        });
        for PrContents { pr, change } in
            load_contents(client, cache, &target, &filter, kept, &mut trees, meter).await?
        {
            let _ = events.send(QueueEvent::PrLoaded {
                repo: repo.name.clone(),
                pr: Box::new(pr),
                change: Box::new(change),
            });
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(()),
        }
    }
}

/// The PR with its complete file list: GraphQL lists 100 files and no rename sources, so a PR
/// with more files, or with a migration-relevant rename, is listed again over REST.
async fn complete_if_needed(
    client: &GitHub,
    cache: &ContentCache,
    repo: &RepoRef,
    filter: &CandidateFilter,
    mut listed: ListedPr,
) -> Result<ListedPr, GitHubError> {
    let relevant_rename = listed
        .pr
        .files
        .iter()
        .any(|f| f.change == FileChange::Renamed && filter.matches(&f.path));
    if listed.more_files || relevant_rename {
        listed.pr.files = complete_files(client, cache, repo, listed.pr.meta.number).await?;
        listed.more_files = false;
    }
    Ok(listed)
}

/// The repository of a config entry.
fn repo_ref(repo: &RepoConfig) -> Result<RepoRef, GitHubError> {
    RepoRef::parse(&repo.name).ok_or_else(|| GitHubError::NotFound {
        what: format!("repository `{}` (not of the form owner/name)", repo.name),
    })
}

/// Detection options of a repository: its migration globs.
fn detect_options(repo: &RepoConfig) -> DetectOptions {
    DetectOptions {
        globs: repo.migrations.clone(),
        ..DetectOptions::default()
    }
}
