//! Loading the queue off the UI thread. A [`LoadSource`] (a local checkout, GitHub, ...) runs
//! on a background thread and reports [`LoadEvent`]s through a [`LoadSink`]; the console drains
//! them on every tick without blocking ([`Loader::drain`]) and keeps the per-repository
//! progress in a [`LoadStatus`] for the queue to show. Refreshing starts the source again on a
//! fresh channel; the previous run notices its events are no longer read and stops.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::thread;
use std::time::Duration;

use super::entry::PrEntry;
use crate::github::budget::{Budget, refresh_interval};
use crate::review::Timestamp;

/// The name of the loader thread (a panic there is reported in the queue, not fatal).
pub const THREAD_NAME: &str = "schemagate-loader";

/// Spinner frames, one per tick.
const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// What a source reports while it loads.
pub enum LoadEvent {
    /// `done` of `total` PRs of `repo` analysed.
    Progress {
        /// The repository.
        repo: String,
        /// PRs analysed so far.
        done: usize,
        /// PRs to analyse.
        total: usize,
    },
    /// One PR, analysed.
    Entry(Box<PrEntry>),
    /// Something of `repo` could not be loaded (the rest goes on).
    Failed {
        /// The repository.
        repo: String,
        /// What went wrong, for people.
        message: String,
    },
    /// What the load cost of GitHub's GraphQL budget and what is left.
    Budget(Budget),
    /// Something to know that failed nothing (e.g. damaged cache entries fetched again).
    Warning {
        /// What happened, for people.
        message: String,
    },
    /// The source has nothing more to send.
    Done,
}

/// Where a source sends its events.
pub struct LoadSink {
    sender: Sender<LoadEvent>,
}

impl LoadSink {
    /// Sends `event`; `false` when the console no longer listens (the source should stop).
    pub fn send(&self, event: LoadEvent) -> bool {
        self.sender.send(event).is_ok()
    }
}

/// Something that loads analysed PRs (run on a background thread, possibly several times).
pub trait LoadSource: Send + Sync {
    /// Loads everything, reporting through `sink`; stops early when a send returns `false`.
    /// [`LoadEvent::Done`] is sent by the loader afterwards.
    fn load(&self, sink: &LoadSink);

    /// The views of the queue this source can load (GitHub: every open PR, then each
    /// configured section), by title; empty when it has only one (no tabs are shown).
    fn views(&self) -> Vec<String> {
        Vec::new()
    }

    /// Loads view `index` of [`LoadSource::views`] from the next [`LoadSource::load`] on.
    fn select_view(&self, _index: usize) {}
}

/// A running (or finished) load of one source.
pub struct Loader {
    source: Arc<dyn LoadSource>,
    receiver: Option<Receiver<LoadEvent>>,
}

impl Loader {
    /// Starts loading `source` on a background thread.
    pub fn start(source: Arc<dyn LoadSource>) -> Loader {
        let mut loader = Loader {
            source,
            receiver: None,
        };
        loader.restart();
        loader
    }

    /// Loads again from the start; events of the previous run are no longer read.
    pub fn restart(&mut self) {
        let (sender, receiver) = channel();
        let source = Arc::clone(&self.source);
        self.receiver = Some(receiver);
        let spawned = thread::Builder::new()
            .name(THREAD_NAME.to_owned())
            .spawn(move || {
                let sink = LoadSink { sender };
                source.load(&sink);
                sink.send(LoadEvent::Done);
            });
        if let Err(error) = spawned {
            let (sender, receiver) = channel();
            let _ = sender.send(LoadEvent::Failed {
                repo: String::new(),
                message: format!("could not start loading: {error}"),
            });
            let _ = sender.send(LoadEvent::Done);
            self.receiver = Some(receiver);
        }
    }

    /// The views of the queue the source can load ([`LoadSource::views`]).
    pub fn views(&self) -> Vec<String> {
        self.source.views()
    }

    /// Switches the source to view `index` and loads again from the start.
    pub fn select_view(&mut self, index: usize) {
        self.source.select_view(index);
        self.restart();
    }

    /// Every event sent since the last call, without waiting. A loader thread that died
    /// without saying `Done` (a panic) is reported as a failure.
    pub fn drain(&mut self) -> Vec<LoadEvent> {
        let mut events = Vec::new();
        let Some(receiver) = &self.receiver else {
            return events;
        };
        loop {
            match receiver.try_recv() {
                Ok(event) => {
                    let done = matches!(event, LoadEvent::Done);
                    events.push(event);
                    if done {
                        self.receiver = None;
                        break;
                    }
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    events.push(LoadEvent::Failed {
                        repo: String::new(),
                        message: "loading stopped unexpectedly (see crash-report.txt in the data directory)".to_owned(),
                    });
                    events.push(LoadEvent::Done);
                    self.receiver = None;
                    break;
                }
            }
        }
        events
    }
}

/// How loading one repository goes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RepoLoad {
    /// The repository (`owner/name`, or a checkout's directory name).
    pub repo: String,
    /// PRs analysed.
    pub done: usize,
    /// PRs to analyse (0 until listed).
    pub total: usize,
    /// What could not be loaded.
    pub errors: Vec<String>,
    /// Whether the queue shows this repository's PRs of the previous load (this reload failed
    /// and brought none of its own; see [`LoadStatus::keep_failed`]).
    pub kept: bool,
}

/// What the queue shows about loading.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadStatus {
    /// Per repository, in the order they were first heard of.
    pub repos: Vec<RepoLoad>,
    /// What this load warned about ([`LoadEvent::Warning`]).
    pub warnings: Vec<String>,
    /// GitHub's GraphQL budget as the last load that said left it (kept across reloads).
    pub budget: Option<Budget>,
    /// Whether a load is under way.
    pub running: bool,
    /// Ticks since the load started (drives the spinner).
    ticks: usize,
}

impl LoadStatus {
    /// A load just started.
    pub fn started() -> LoadStatus {
        LoadStatus {
            running: true,
            ..LoadStatus::default()
        }
    }

    /// A load just started after `previous`: only the budget is kept.
    pub fn started_after(previous: &LoadStatus) -> LoadStatus {
        LoadStatus {
            budget: previous.budget.clone(),
            ..LoadStatus::started()
        }
    }

    /// How long after a load the next automatic one starts, for a configured interval of
    /// `every`: stretched to stay within GitHub's budget ([`refresh_interval`]) once a load
    /// said what it cost.
    pub fn refresh_interval(&self, every: Duration, now: Timestamp) -> Duration {
        self.budget
            .as_ref()
            .map_or(every, |budget| refresh_interval(every, budget, now))
    }

    /// Takes in a progress, failure or end event (entries go to the queue).
    pub fn apply(&mut self, event: &LoadEvent) {
        match event {
            LoadEvent::Progress { repo, done, total } => {
                let load = self.repo(repo);
                load.done = *done;
                load.total = *total;
            }
            LoadEvent::Failed { repo, message } => self.repo(repo).errors.push(message.clone()),
            LoadEvent::Warning { message } => self.warnings.push(message.clone()),
            LoadEvent::Budget(budget) => self.budget = Some(budget.clone()),
            LoadEvent::Done => self.running = false,
            LoadEvent::Entry(_) => {}
        }
    }

    /// One tick passed.
    pub fn tick(&mut self) {
        self.ticks = self.ticks.wrapping_add(1);
    }

    /// The spinner's current frame.
    pub fn spinner(&self) -> char {
        SPINNER
            .get(self.ticks % SPINNER.len())
            .copied()
            .unwrap_or('*')
    }

    /// Every error, as `repo: message`; after a repository's errors, `showing the previous
    /// list of repo` when its PRs are those of the previous load.
    pub fn errors(&self) -> impl Iterator<Item = String> + '_ {
        self.repos.iter().flat_map(|r| {
            let errors = r.errors.iter().map(move |e| {
                if r.repo.is_empty() {
                    e.clone()
                } else {
                    format!("{}: {e}", r.repo)
                }
            });
            let kept = r
                .kept
                .then(|| format!("showing the previous list of {}", r.repo));
            errors.chain(kept)
        })
    }

    /// The queue after a reload of the same view, once this load is over: `reloaded`, plus
    /// the PRs of `previous` whose repository failed in this load and brought no PRs of its
    /// own (every such repository when the load failed as a whole, under no repository
    /// name). Those repositories are marked [`RepoLoad::kept`]. A repository that loaded
    /// fine keeps only what it brought now: its closed PRs go.
    pub fn keep_failed(
        &mut self,
        previous: Vec<PrEntry>,
        mut reloaded: Vec<PrEntry>,
    ) -> Vec<PrEntry> {
        let delivered: HashSet<String> = reloaded.iter().map(|e| e.meta.repo.clone()).collect();
        let failed: HashSet<String> = self
            .repos
            .iter()
            .filter(|r| !r.errors.is_empty())
            .map(|r| r.repo.clone())
            .collect();
        let all_failed = failed.contains("");
        for entry in previous {
            let repo = &entry.meta.repo;
            if !delivered.contains(repo) && (all_failed || failed.contains(repo)) {
                let repo = repo.clone();
                self.repo(&repo).kept = true;
                reloaded.push(entry);
            }
        }
        reloaded
    }

    fn repo(&mut self, repo: &str) -> &mut RepoLoad {
        let index = match self.repos.iter().position(|r| r.repo == repo) {
            Some(index) => index,
            None => {
                self.repos.push(RepoLoad {
                    repo: repo.to_owned(),
                    ..RepoLoad::default()
                });
                self.repos.len() - 1
            }
        };
        &mut self.repos[index]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    struct Failing;

    impl LoadSource for Failing {
        fn load(&self, sink: &LoadSink) {
            sink.send(LoadEvent::Progress {
                repo: "r".to_owned(),
                done: 0,
                total: 2,
            });
            sink.send(LoadEvent::Failed {
                repo: "r".to_owned(),
                message: "boom".to_owned(),
            });
        }
    }

    fn drain_until_done(loader: &mut Loader) -> Vec<LoadEvent> {
        let start = Instant::now();
        let mut all = Vec::new();
        while start.elapsed() < Duration::from_secs(10) {
            all.extend(loader.drain());
            if matches!(all.last(), Some(LoadEvent::Done)) {
                return all;
            }
            thread::sleep(Duration::from_millis(5));
        }
        panic!("the loader never finished");
    }

    #[test]
    fn events_arrive_in_order_and_end_with_done() {
        let mut loader = Loader::start(Arc::new(Failing));
        let events = drain_until_done(&mut loader);
        let mut status = LoadStatus::started();
        for event in &events {
            status.apply(event);
        }
        assert!(!status.running);
        assert_eq!(status.repos.len(), 1);
        assert_eq!(status.repos[0].total, 2);
        assert_eq!(status.errors().collect::<Vec<_>>(), ["r: boom"]);
        assert!(loader.drain().is_empty(), "nothing after Done");
        loader.restart();
        assert_eq!(
            drain_until_done(&mut loader).len(),
            3,
            "a restart loads again"
        );
    }

    struct Panicking;

    impl LoadSource for Panicking {
        fn load(&self, _sink: &LoadSink) {
            panic!("analysis bug");
        }
    }

    #[test]
    fn a_loader_that_dies_is_reported_as_failed() {
        let mut loader = Loader::start(Arc::new(Panicking));
        let events = drain_until_done(&mut loader);
        assert!(events.iter().any(
            |e| matches!(e, LoadEvent::Failed { message, .. } if message.contains("stopped"))
        ));
    }
}
