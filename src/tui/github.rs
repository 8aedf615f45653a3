//! The console's queue from GitHub (`schemagate` with repositories configured): the open PRs
//! that touch migrations, listed and downloaded by [`load_queue`] on a tokio runtime that this
//! source owns, and analysed one by one on the loader thread as they arrive, so the first PRs
//! show while later pages and repositories still load. Before each load the outbox's due
//! verdicts are sent again ([`retry_due`]); what still fails shows as the queue's errors.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::runtime::Runtime;
use tokio::sync::mpsc::unbounded_channel;

use crate::analysis::detect::DetectOptions;
use crate::app::entry::PrEntry;
use crate::config::{RepoConfig, SectionConfig};
use crate::github::GitHub;
use crate::github::cache::ContentCache;
use crate::github::pull_request::{PrReview, RemotePr};
use crate::github::remote::{QueueEvent, load_queue};
use crate::review::{Checklists, Clock, SystemClock};
use crate::tui::loader::{LoadEvent, LoadSink, LoadSource};
use crate::tui::outbox_retry::{OUTBOX, retry_due};
use crate::tui::strings;

/// The configured GitHub repositories as a [`LoadSource`].
pub struct GitHubLoad {
    /// Runs the requests (the client was built inside it).
    pub runtime: Runtime,
    /// The client.
    pub client: GitHub,
    /// Downloaded contents, by blob id.
    pub cache: ContentCache,
    /// The repositories.
    pub repos: Vec<RepoConfig>,
    /// The configured queue sections (GitHub search qualifiers), in config order.
    pub sections: Vec<SectionConfig>,
    /// The view loaded: 0 every open PR, `i` the section `sections[i - 1]`.
    pub view: AtomicUsize,
    /// Detection options per repository (`owner/name`).
    pub options: BTreeMap<String, DetectOptions>,
    /// The checklists reports are built with.
    pub checklists: Checklists,
    /// The data directory: its outbox is retried before each load (what is due), its
    /// decision log records the deliveries.
    pub data_dir: PathBuf,
}

/// Per repository: PRs listed and analysed so far.
#[derive(Default)]
struct Counts {
    listed: usize,
    analysed: usize,
}

impl LoadSource for GitHubLoad {
    fn load(&self, sink: &LoadSink) {
        let now = SystemClock.now();
        let problems = self
            .runtime
            .block_on(retry_due(&self.client, &self.data_dir, now));
        for message in problems {
            let repo = OUTBOX.to_owned();
            if !sink.send(LoadEvent::Failed { repo, message }) {
                return;
            }
        }
        let (sender, mut receiver) = unbounded_channel();
        let (client, cache) = (self.client.clone(), self.cache.clone());
        let repos = self.repos.clone();
        let section = self.current_section().cloned();
        let loading = self.runtime.spawn(async move {
            load_queue(&client, &cache, &repos, section.as_ref(), sender).await;
        });
        let mut counts: BTreeMap<String, Counts> = BTreeMap::new();
        while let Some(event) = receiver.blocking_recv() {
            let keep_going = match event {
                QueueEvent::RepoStarted { repo } => {
                    counts.entry(repo.clone()).or_default();
                    sink.send(progress(&repo, &Counts::default()))
                }
                QueueEvent::Listed { repo, prs, .. } => {
                    let count = counts.entry(repo.clone()).or_default();
                    count.listed += prs;
                    sink.send(progress(&repo, count))
                }
                QueueEvent::PrLoaded { repo, pr, change } => {
                    let options = self.options.get(&repo).cloned().unwrap_or_default();
                    let mut entry = PrEntry::analyse_with(*change, &self.checklists, &options);
                    entry.approvals_at_head = pr.approvals_at(&pr.meta.head_sha);
                    entry.github_status = Some(github_status(&pr));
                    let count = counts.entry(repo.clone()).or_default();
                    count.analysed += 1;
                    let shown = entry.report.sets.is_empty()
                        || sink.send(LoadEvent::Entry(Box::new(entry)));
                    shown && sink.send(progress(&repo, count))
                }
                QueueEvent::RepoFailed { repo, error } => sink.send(LoadEvent::Failed {
                    repo,
                    message: error.to_string(),
                }),
                QueueEvent::Warning { message } => sink.send(LoadEvent::Warning { message }),
                QueueEvent::Budget(budget) => sink.send(LoadEvent::Budget(budget)),
                QueueEvent::RepoDone { .. } => true,
                QueueEvent::Finished => break,
            };
            if !keep_going {
                break;
            }
        }
        // The console stopped listening (a refresh) or everything arrived: stop the requests.
        loading.abort();
    }

    fn views(&self) -> Vec<String> {
        if self.sections.is_empty() {
            return Vec::new();
        }
        let titles = self.sections.iter().map(|s| s.title.clone());
        std::iter::once(strings::ALL_OPEN_PRS.to_owned())
            .chain(titles)
            .collect()
    }

    fn select_view(&self, index: usize) {
        self.view.store(index, Ordering::SeqCst);
    }
}

impl GitHubLoad {
    /// The section of the view selected, if it is one (view 0 is every open PR).
    fn current_section(&self) -> Option<&SectionConfig> {
        let view = self.view.load(Ordering::SeqCst);
        view.checked_sub(1).and_then(|i| self.sections.get(i))
    }
}

fn progress(repo: &str, count: &Counts) -> LoadEvent {
    LoadEvent::Progress {
        repo: repo.to_owned(),
        done: count.analysed,
        total: count.listed,
    }
}

/// `GitHub: dba-lead changes requested at the head, hubot approved an older commit; data
/// review: failure (Blocked)`: each reviewer's latest review and the data-review status.
pub fn github_status(pr: &RemotePr) -> String {
    let head = &pr.meta.head_sha;
    let mut latest: Vec<&PrReview> = Vec::new();
    for review in pr.reviews.iter().rev() {
        if !latest.iter().any(|seen| seen.author == review.author) {
            latest.push(review);
        }
    }
    latest.reverse();
    let reviews: Vec<String> = latest
        .iter()
        .map(|review| {
            let author = if review.author.is_empty() {
                "ghost"
            } else {
                &review.author
            };
            let at = if review.is_at(head) {
                "at the head"
            } else {
                "an older commit"
            };
            format!("{author} {} {at}", review.state.word())
        })
        .collect();
    let reviews = if reviews.is_empty() {
        "no reviews yet".to_owned()
    } else {
        reviews.join(", ")
    };
    let status = match &pr.data_review_status {
        Some(status) => match &status.description {
            Some(description) => format!("{} ({description})", status.state.word()),
            None => status.state.word().to_owned(),
        },
        None => "not set".to_owned(),
    };
    format!("GitHub: {reviews}; data review: {status}")
}
