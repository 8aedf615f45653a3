//! Loading the queue off the UI thread. A [`LoadSource`] (a local checkout, GitHub, ...) runs
//! as a background job and reports [`LoadEvent`]s through a [`LoadSink`]; the console takes
//! them in as they arrive on its event channel and keeps the per-repository progress in a
//! [`LoadStatus`] for the queue to show. Refreshing starts the source again as a new run; the
//! previous run notices its events are no longer wanted and stops.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::worker::{Job, guarded};
use crate::app::entry::PrEntry;
use crate::github::budget::{Budget, refresh_interval};
use crate::review::Timestamp;

/// The name of the loader thread (a panic there is reported in the queue, not fatal).
pub const THREAD_NAME: &str = "schemagate-loader";

/// Spinner frames, one per tick.
const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// Said when a load panicked.
const LOAD_STOPPED: &str =
    "loading stopped unexpectedly (see crash-report.txt in the data directory)";

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
    deliver: Box<dyn Fn(LoadEvent) -> bool + Send>,
}

impl LoadSink {
    /// A sink that hands each event to `deliver` (`false`: nobody listens any more).
    pub fn new(deliver: impl Fn(LoadEvent) -> bool + Send + 'static) -> LoadSink {
        LoadSink {
            deliver: Box::new(deliver),
        }
    }

    /// Sends `event`; `false` when the console no longer listens (the source should stop).
    pub fn send(&self, event: LoadEvent) -> bool {
        (self.deliver)(event)
    }
}

/// Something that loads analysed PRs (run as a background job, possibly several times).
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

/// The runs of one source: which one is current.
pub struct Loader {
    source: Arc<dyn LoadSource>,
    current: Arc<AtomicU64>,
}

impl Loader {
    /// The loader of `source` (nothing runs until [`Loader::restart`]).
    pub fn new(source: Arc<dyn LoadSource>) -> Loader {
        Loader {
            source,
            current: Arc::new(AtomicU64::new(0)),
        }
    }

    /// A new run, which replaces the previous one (whose sends now return `false`): the job
    /// that loads, handing each event with its run number to `deliver`, and ending with
    /// [`LoadEvent::Done`] (after a failure when the source panicked).
    pub fn restart(&mut self, deliver: impl Fn(u64, LoadEvent) -> bool + Send + 'static) -> Job {
        let run = self.current.fetch_add(1, Ordering::SeqCst) + 1;
        let source = Arc::clone(&self.source);
        let current = Arc::clone(&self.current);
        Box::new(move || {
            let sink = LoadSink::new(move |event| {
                current.load(Ordering::SeqCst) == run && deliver(run, event)
            });
            let finished = guarded(
                || {
                    source.load(&sink);
                    true
                },
                || false,
            );
            if !finished {
                sink.send(LoadEvent::Failed {
                    repo: String::new(),
                    message: LOAD_STOPPED.to_owned(),
                });
            }
            sink.send(LoadEvent::Done);
        })
    }

    /// Whether `run` is the current run (the answers of earlier ones are dropped).
    pub fn is_current(&self, run: u64) -> bool {
        self.current.load(Ordering::SeqCst) == run
    }

    /// The views of the queue the source can load ([`LoadSource::views`]).
    pub fn views(&self) -> Vec<String> {
        self.source.views()
    }

    /// Switches the source to view `index` (the next [`Loader::restart`] loads it).
    pub fn select_view(&mut self, index: usize) {
        self.source.select_view(index);
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
    use std::sync::mpsc::channel;

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

    /// Runs a new run of `loader` here; its events with their run numbers.
    fn run(loader: &mut Loader) -> Vec<(u64, LoadEvent)> {
        let (sender, receiver) = channel();
        let job = loader.restart(move |run, event| sender.send((run, event)).is_ok());
        job();
        receiver.try_iter().collect()
    }

    #[test]
    fn events_arrive_in_order_and_end_with_done() {
        let mut loader = Loader::new(Arc::new(Failing));
        let events = run(&mut loader);
        let mut status = LoadStatus::started();
        for (_, event) in &events {
            status.apply(event);
        }
        assert!(!status.running);
        assert_eq!(status.repos.len(), 1);
        assert_eq!(status.repos[0].total, 2);
        assert_eq!(status.errors().collect::<Vec<_>>(), ["r: boom"]);
        assert!(matches!(events.last(), Some((1, LoadEvent::Done))));
        assert!(loader.is_current(1));
        let again = run(&mut loader);
        assert_eq!(again.len(), 3, "a restart loads again");
        assert!(again.iter().all(|(run, _)| *run == 2));
        assert!(!loader.is_current(1));
    }

    #[test]
    fn a_replaced_run_stops_sending() {
        let mut loader = Loader::new(Arc::new(Failing));
        let (sender, receiver) = channel();
        let first = loader.restart(move |run, event| sender.send((run, event)).is_ok());
        let _second = loader.restart(|_, _| true);
        first();
        assert_eq!(receiver.try_iter().count(), 0, "nothing of the old run");
    }

    struct Panicking;

    impl LoadSource for Panicking {
        fn load(&self, _sink: &LoadSink) {
            panic!("analysis bug");
        }
    }

    #[test]
    fn a_loader_that_dies_is_reported_as_failed() {
        let events = run(&mut Loader::new(Arc::new(Panicking)));
        assert!(events.iter().any(
            |(_, e)| matches!(e, LoadEvent::Failed { message, .. } if message.contains("stopped"))
        ));
        assert!(matches!(events.last(), Some((_, LoadEvent::Done))));
    }
}
