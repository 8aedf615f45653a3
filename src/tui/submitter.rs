//! How the console sends verdicts: kept locally (the demo and `--repo PATH`: decisions marked
//! as not sent to GitHub), or to GitHub in the background so the UI never waits on the network.
//!
//! The GitHub side needs a [`GitHub`] client and a tokio runtime handle; the commentable lines
//! of each PR's diff are fetched in the background the first time a preview needs them.
//! Results come back through a channel that [`Submitter::poll`] drains on every turn of the
//! event loop.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, channel};

use tokio::runtime::Handle;

use crate::github::GitHub;
use crate::github::dispatch::{RetryOutcome, SendOutcome, retry, send};
use crate::github::inline::{DiffLines, fetch_diff_lines};
use crate::github::outbox::Outbox;
use crate::github::submit::Submission;
use crate::review::{Decision, DecisionLog, Timestamp};

/// Where verdicts go.
pub enum Submitter {
    /// The local decision log only (demo, local checkout).
    Local,
    /// GitHub, in the background.
    GitHub(Box<GitHubSubmitter>),
}

/// Whether the diff of a PR is known, for the preview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffAvailability {
    /// Local source: there is no diff to comment on; everything goes in the body.
    NotNeeded,
    /// Known.
    Ready(DiffLines),
    /// Being fetched.
    Loading,
    /// Fetching failed (the message says why).
    Failed(String),
}

/// A finished background job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finished {
    /// The submission with this ticket was sent, queued or refused (`Err`: it could not be
    /// recorded on disk, the message says what happened).
    Sent {
        /// The ticket [`Submitter::send`] gave.
        ticket: u64,
        /// What became of it.
        result: Result<SendOutcome, String>,
        /// Earlier verdicts waiting in the outbox that were delivered after it (GitHub was
        /// reachable again, so the due ones were retried).
        outbox_delivered: usize,
    },
}

/// What a background job reports, before [`Submitter::poll`] sorts it.
enum Report {
    Diff {
        key: (String, u64),
        result: Result<DiffLines, String>,
    },
    Done(Finished),
}

/// The GitHub side of a [`Submitter`].
pub struct GitHubSubmitter {
    client: GitHub,
    runtime: Handle,
    diffs: Mutex<HashMap<(String, u64), DiffAvailability>>,
    next_ticket: Mutex<u64>,
    sender: Sender<Report>,
    receiver: Mutex<Receiver<Report>>,
}

impl Submitter {
    /// Verdicts stay in the local decision log.
    pub fn local() -> Submitter {
        Submitter::Local
    }

    /// Verdicts go to GitHub through `client`, on `runtime`.
    pub fn github(client: GitHub, runtime: Handle) -> Submitter {
        let (sender, receiver) = channel();
        Submitter::GitHub(Box::new(GitHubSubmitter {
            client,
            runtime,
            diffs: Mutex::new(HashMap::new()),
            next_ticket: Mutex::new(0),
            sender,
            receiver: Mutex::new(receiver),
        }))
    }

    /// Whether verdicts stay local.
    pub fn is_local(&self) -> bool {
        matches!(self, Submitter::Local)
    }

    /// The commentable lines of `repo` PR `pr`; for GitHub, starts fetching them when they are
    /// not known. A failure is reported once and forgotten, so the next call fetches again.
    pub fn diff(&self, repo: &str, pr: u64) -> DiffAvailability {
        let Submitter::GitHub(github) = self else {
            return DiffAvailability::NotNeeded;
        };
        let key = (repo.to_owned(), pr);
        let mut diffs = github.lock_diffs();
        match diffs.get(&key) {
            Some(DiffAvailability::Failed(_)) => {
                diffs.remove(&key).unwrap_or(DiffAvailability::Loading)
            }
            Some(known) => known.clone(),
            None => {
                diffs.insert(key.clone(), DiffAvailability::Loading);
                drop(diffs);
                github.fetch_diff(key);
                DiffAvailability::Loading
            }
        }
    }

    /// Sends `submission` in the background (its record `decision`, the outbox and the log of
    /// `data_dir`); once it is delivered, the outbox entries whose back-off is over are sent
    /// too. The result comes from [`Submitter::poll`] with the returned ticket. `None` for a
    /// local submitter (nothing to send).
    pub fn send(
        &self,
        submission: Submission,
        decision: Decision,
        data_dir: &Path,
        now: Timestamp,
    ) -> Option<u64> {
        let Submitter::GitHub(github) = self else {
            return None;
        };
        let ticket = github.ticket();
        let client = github.client.clone();
        let sender = github.sender.clone();
        let data_dir = data_dir.to_path_buf();
        let work = github.runtime.spawn(async move {
            let outbox = Outbox::in_dir(&data_dir);
            let log = DecisionLog::in_dir(&data_dir);
            let result = send(&client, submission, decision, &outbox, &log, now)
                .await
                .map_err(|error| error.to_string());
            let outbox_delivered = match &result {
                Ok(SendOutcome::Sent(_)) => retry_due(&client, &outbox, &log, now).await,
                _ => 0,
            };
            (result, outbox_delivered)
        });
        // The dialog waits for this answer: it comes even when the send panics.
        github.runtime.spawn(async move {
            let (result, outbox_delivered) = match work.await {
                Ok(done) => done,
                Err(error) => (Err(format!("sending stopped unexpectedly: {error}")), 0),
            };
            let _ = sender.send(Report::Done(Finished::Sent {
                ticket,
                result,
                outbox_delivered,
            }));
        });
        Some(ticket)
    }

    /// What finished since the last call (diffs are kept for [`Submitter::diff`]).
    pub fn poll(&self) -> Vec<Finished> {
        let Submitter::GitHub(github) = self else {
            return Vec::new();
        };
        let reports: Vec<Report> = match github.receiver.lock() {
            Ok(receiver) => receiver.try_iter().collect(),
            Err(_) => Vec::new(),
        };
        let mut finished = Vec::new();
        for report in reports {
            match report {
                Report::Diff { key, result } => {
                    let state = match result {
                        Ok(diff) => DiffAvailability::Ready(diff),
                        Err(error) => DiffAvailability::Failed(error),
                    };
                    github.set_diff(key, state);
                }
                Report::Done(done) => finished.push(done),
            }
        }
        finished
    }
}

/// Sends the outbox entries whose back-off is over; how many were delivered.
async fn retry_due(client: &GitHub, outbox: &Outbox, log: &DecisionLog, now: Timestamp) -> usize {
    match retry(client, outbox, log, now, true).await {
        Ok(report) => report
            .retried
            .iter()
            .filter(|r| matches!(r.result, Ok(RetryOutcome::Sent(_))))
            .count(),
        Err(_) => 0,
    }
}

impl GitHubSubmitter {
    fn lock_diffs(&self) -> std::sync::MutexGuard<'_, HashMap<(String, u64), DiffAvailability>> {
        self.diffs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn set_diff(&self, key: (String, u64), state: DiffAvailability) {
        self.lock_diffs().insert(key, state);
    }

    fn ticket(&self) -> u64 {
        let mut next = self
            .next_ticket
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *next += 1;
        *next
    }

    fn fetch_diff(&self, key: (String, u64)) {
        let client = self.client.clone();
        let sender = self.sender.clone();
        self.runtime.spawn(async move {
            let result = fetch_diff_lines(&client, &key.0, key.1)
                .await
                .map_err(|error| error.to_string());
            let _ = sender.send(Report::Diff { key, result });
        });
    }
}
