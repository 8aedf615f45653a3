//! How the console sends verdicts: kept locally (the demo and `--repo PATH`: decisions marked
//! as not sent to GitHub), or to GitHub as a background job so the UI never waits on the
//! network.
//!
//! The GitHub side needs a [`GitHub`] client and a tokio runtime handle; the commentable lines
//! of each PR's diff are fetched in the background the first time a preview needs them. The
//! answers come back on the console's event channel ([`JobDone::Diff`], [`JobDone::Sent`]).

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use tokio::runtime::Handle;

use super::channel::{Channel, JobDone, Sent};
use super::worker::guarded;
use crate::github::GitHub;
use crate::github::dispatch::{RetryOutcome, SendOutcome, retry, send};
use crate::github::inline::{DiffLines, fetch_diff_lines};
use crate::github::outbox::Outbox;
use crate::github::submit::Submission;
use crate::review::audit::PrKey;
use crate::review::{Decision, DecisionLog, Timestamp};

/// The name of the threads that talk to GitHub for a verdict (a panic there is not fatal).
pub const THREAD_NAME: &str = "schemagate-submit";

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

/// The GitHub side of a [`Submitter`].
pub struct GitHubSubmitter {
    client: GitHub,
    runtime: Handle,
    diffs: Mutex<HashMap<PrKey, DiffAvailability>>,
    next_ticket: Mutex<u64>,
}

impl Submitter {
    /// Verdicts stay in the local decision log.
    pub fn local() -> Submitter {
        Submitter::Local
    }

    /// Verdicts go to GitHub through `client`, on `runtime`.
    pub fn github(client: GitHub, runtime: Handle) -> Submitter {
        Submitter::GitHub(Box::new(GitHubSubmitter {
            client,
            runtime,
            diffs: Mutex::new(HashMap::new()),
            next_ticket: Mutex::new(0),
        }))
    }

    /// Whether verdicts stay local.
    pub fn is_local(&self) -> bool {
        matches!(self, Submitter::Local)
    }

    /// The commentable lines of `repo` PR `pr`; for GitHub, starts fetching them on
    /// `channel`'s worker when they are not known. A failure is reported once and forgotten,
    /// so the next call fetches again.
    pub fn diff(&self, repo: &str, pr: u64, channel: &Channel) -> DiffAvailability {
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
                github.fetch_diff(key, channel);
                DiffAvailability::Loading
            }
        }
    }

    /// Takes in a fetched diff ([`JobDone::Diff`]).
    pub fn diff_fetched(&self, key: PrKey, result: Result<DiffLines, String>) {
        if let Submitter::GitHub(github) = self {
            let state = match result {
                Ok(diff) => DiffAvailability::Ready(diff),
                Err(error) => DiffAvailability::Failed(error),
            };
            github.lock_diffs().insert(key, state);
        }
    }

    /// Sends `submission` on `channel`'s worker (its record `decision`, the outbox and the log
    /// of `data_dir`); once it is delivered, the outbox entries whose back-off is over are sent
    /// too. The answer is a [`JobDone::Sent`] with the returned ticket. `None` for a local
    /// submitter (nothing to send).
    pub fn send(
        &self,
        submission: Submission,
        decision: Decision,
        data_dir: &Path,
        now: Timestamp,
        channel: &Channel,
    ) -> Option<u64> {
        let Submitter::GitHub(github) = self else {
            return None;
        };
        let ticket = github.ticket();
        let client = github.client.clone();
        let runtime = github.runtime.clone();
        let data_dir = data_dir.to_path_buf();
        channel.spawn(THREAD_NAME, move |post| {
            let sending = || {
                runtime.block_on(async {
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
                })
            };
            // The dialog waits for this answer: it comes even when the send panics.
            let stopped = || (Err("sending stopped unexpectedly".to_owned()), 0);
            let (result, outbox_delivered) = guarded(sending, stopped);
            post.done(JobDone::Sent(Sent {
                ticket,
                result,
                outbox_delivered,
            }));
        });
        Some(ticket)
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
    fn lock_diffs(&self) -> MutexGuard<'_, HashMap<PrKey, DiffAvailability>> {
        self.diffs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn ticket(&self) -> u64 {
        let mut next = self
            .next_ticket
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *next += 1;
        *next
    }

    fn fetch_diff(&self, key: PrKey, channel: &Channel) {
        let client = self.client.clone();
        let runtime = self.runtime.clone();
        channel.spawn(THREAD_NAME, move |post| {
            let fetching = || {
                runtime
                    .block_on(fetch_diff_lines(&client, &key.0, key.1))
                    .map_err(|error| error.to_string())
            };
            let result = guarded(fetching, || Err("reading the diff stopped".to_owned()));
            post.done(JobDone::Diff { key, result });
        });
    }
}
