//! Sending submissions and keeping the record straight: a delivered verdict is logged with its
//! GitHub review, one that failed for a passing reason goes to the outbox (and is logged as
//! queued), one GitHub refused is neither (the reviewer must act; the draft keeps the work),
//! unless the review was posted before a later step was refused: that review is logged.
//! [`retry`] sends what waits in the outbox and logs each delivery as completing its entry; an
//! entry whose PR got a later verdict delivered since is dropped, not sent over it.

use std::collections::HashMap;

use thiserror::Error;

use super::client::GitHub;
use super::outbox::{Outbox, OutboxEntry};
use super::submit::{Delivered, Submission, SubmitError, deliver};
use crate::check::PrReport;
use crate::review::decision_log::{Record, read_all};
use crate::review::{
    Decision, DecisionLog, Destination, Draft, FindingSummary, SetAside, StoreError, Timestamp,
    Verdict,
};
use crate::source::change::PrMeta;

/// The decision record of `verdict` on the PR `meta` with its `report` and the reviewer's
/// `draft` (checklist and notes), going to `destination`.
pub fn decision_record(
    meta: &PrMeta,
    report: &PrReport,
    draft: &Draft,
    verdict: Verdict,
    reviewer: &str,
    time: Timestamp,
    destination: Destination,
) -> Decision {
    Decision {
        repo: meta.repo.clone(),
        pr: meta.number,
        title: meta.title.clone(),
        branch: Some(meta.branch.clone()),
        base_sha: meta.base_sha.clone(),
        head_sha: meta.head_sha.clone(),
        risk: report.risk,
        findings_summary: report.findings.iter().map(FindingSummary::from).collect(),
        checklist: draft.state.clone(),
        notes: draft.notes.clone(),
        verdict,
        reviewer: reviewer.to_owned(),
        time,
        destination,
        prev_hash: String::new(),
    }
}

/// What became of one submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    /// Posted (or found posted by an earlier attempt) and logged.
    Sent(Delivered),
    /// Kept in the outbox for a later attempt, and logged as queued.
    Queued {
        /// The outbox entry (the submission id).
        id: String,
        /// Why it could not be sent now.
        reason: String,
        /// When the next attempt makes sense.
        next_attempt_at: Timestamp,
    },
    /// Refused (by GitHub, or because the PR moved): not queued, and not logged unless the
    /// review itself was posted before a later step (status, label) was refused.
    Refused(SubmitError),
}

/// Writing the local record failed.
#[derive(Debug, Error)]
pub enum DispatchError {
    /// The review is on GitHub but the decision log could not take it.
    #[error("the review was posted ({url}) but the decision log could not be written: {source}")]
    NotLogged {
        /// The review's page.
        url: String,
        /// The log's error.
        source: StoreError,
    },
    /// The review was delivered and logged, but its outbox entry could not be removed (a
    /// later retry would find the review and log it again).
    #[error(
        "the review was posted ({url}) and logged, but its outbox entry could not be removed: \
         {source}; remove it by hand"
    )]
    NotRemoved {
        /// The review's page.
        url: String,
        /// The outbox's error.
        source: StoreError,
    },
    /// The submit failed and went to the outbox, but the decision log could not record it
    /// (the delivery will be logged when it is sent).
    #[error(
        "sending failed ({reason}); it waits in the outbox as {id}, but the decision log could \
         not record that: {source}"
    )]
    QueuedNotLogged {
        /// Why sending failed.
        reason: String,
        /// The outbox entry.
        id: String,
        /// The log's error.
        source: StoreError,
    },
    /// The submit failed and could not be kept in the outbox either.
    #[error(
        "sending failed ({reason}) and the outbox could not keep it: {source}; your ticks and \
         the chosen verdict are kept in the draft, submit again later"
    )]
    NotQueued {
        /// Why sending failed.
        reason: String,
        /// The outbox's error.
        source: StoreError,
    },
}

/// Delivers `submission`; `decision` is its record (its destination is set here).
///
/// # Errors
/// [`DispatchError`] when the outcome cannot be recorded on disk.
pub async fn send(
    client: &GitHub,
    submission: Submission,
    decision: Decision,
    outbox: &Outbox,
    log: &DecisionLog,
    now: Timestamp,
) -> Result<SendOutcome, DispatchError> {
    match deliver(client, &submission).await {
        Ok(delivered) => {
            log_delivery(log, decision, &delivered, None, now)?;
            Ok(SendOutcome::Sent(delivered))
        }
        Err(error) if error.is_transient() => {
            let reason = error.to_string();
            let not_queued = |source| DispatchError::NotQueued {
                reason: reason.clone(),
                source,
            };
            let id = submission.id.clone();
            let queued = Decision {
                destination: Destination::Outbox { id: id.clone() },
                time: now,
                ..decision
            };
            let entry = OutboxEntry::new(submission, queued, &error, now);
            outbox.save(&entry).map_err(not_queued)?;
            log.append(&entry.decision)
                .map_err(|source| DispatchError::QueuedNotLogged {
                    reason: reason.clone(),
                    id: id.clone(),
                    source,
                })?;
            Ok(SendOutcome::Queued {
                id,
                reason,
                next_attempt_at: entry.next_attempt_at,
            })
        }
        Err(error) => {
            // The review is on GitHub although a later step was refused: the log must say so.
            if let SubmitError::GitHub {
                posted: Some(delivered),
                ..
            } = &error
            {
                log_delivery(log, decision, delivered, None, now)?;
            }
            Ok(SendOutcome::Refused(error))
        }
    }
}

/// Appends the record of a delivered review (`outbox`: the entry it completes).
fn log_delivery(
    log: &DecisionLog,
    decision: Decision,
    delivered: &Delivered,
    outbox: Option<String>,
    now: Timestamp,
) -> Result<(), DispatchError> {
    let record = Decision {
        destination: Destination::GitHubReview {
            id: delivered.review_id,
            url: delivered.url.clone(),
            outbox,
        },
        time: now,
        ..decision
    };
    log.append(&record)
        .map(drop)
        .map_err(|source| DispatchError::NotLogged {
            url: delivered.url.clone(),
            source,
        })
}

/// What became of one outbox entry on a retry.
#[derive(Debug)]
pub struct Retried {
    /// The entry as it was before this attempt.
    pub entry: OutboxEntry,
    /// What happened.
    pub result: Result<RetryOutcome, DispatchError>,
}

/// A retried entry's fate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RetryOutcome {
    /// Delivered, logged, removed from the outbox.
    Sent(Delivered),
    /// Failed again; kept with the new error and attempt time.
    StillFailing(SubmitError),
}

/// What [`retry`] did.
#[derive(Debug, Default)]
pub struct RetryReport {
    /// Each entry attempted, in queue order.
    pub retried: Vec<Retried>,
    /// Entries not attempted because their back-off is not over (only when `only_due`).
    pub waiting: Vec<OutboxEntry>,
    /// Entries not attempted because another sender (the console, another `submit --retry`)
    /// is sending them right now.
    pub busy: Vec<OutboxEntry>,
    /// Entries removed unsent because a later verdict on the same PR was delivered since
    /// (sending them would undo it: status, label and the newest review).
    pub superseded: Vec<OutboxEntry>,
    /// Damaged outbox files, moved aside.
    pub set_aside: Vec<SetAside>,
}

/// Sends the outbox's entries (every one, or with `only_due` those whose back-off is over).
/// Each is claimed first (one sender at a time) and looked for on GitHub, so none is posted
/// twice.
///
/// # Errors
/// [`StoreError`] when the outbox cannot be read or an entry cannot be claimed.
pub async fn retry(
    client: &GitHub,
    outbox: &Outbox,
    log: &DecisionLog,
    now: Timestamp,
    only_due: bool,
) -> Result<RetryReport, StoreError> {
    let contents = outbox.load(now)?;
    let mut report = RetryReport {
        set_aside: contents.set_aside,
        ..RetryReport::default()
    };
    // Unreadable log: nothing is known to supersede anything; every entry is sent.
    let delivered = read_all(log.path())
        .map(|read| latest_deliveries(&read.records))
        .unwrap_or_default();
    for entry in contents.entries {
        if only_due && !entry.is_due(now) {
            report.waiting.push(entry);
            continue;
        }
        let Some(claim) = outbox.claim(&entry.submission.id)? else {
            report.busy.push(entry);
            continue;
        };
        let key = (entry.decision.repo.clone(), entry.decision.pr);
        let superseded = delivered
            .get(&key)
            .is_some_and(|&decided| decided > entry.decision.time);
        // One that cannot be removed is left for next time, unsent.
        if superseded {
            if outbox.remove(&entry.submission.id).is_ok() {
                claim.release_delivered();
                report.superseded.push(entry);
            }
            continue;
        }
        let result = retry_one(client, outbox, log, &entry, now).await;
        if matches!(result, Ok(RetryOutcome::Sent(_))) {
            claim.release_delivered();
        }
        report.retried.push(Retried { entry, result });
    }
    Ok(report)
}

/// When the newest verdict delivered to each PR (`repo`, number) was decided: a direct send's
/// record time, or for a delivery from the outbox the time its entry was queued.
fn latest_deliveries(records: &[Record]) -> HashMap<(String, u64), Timestamp> {
    let mut queued: HashMap<&str, Timestamp> = HashMap::new();
    let mut latest: HashMap<(String, u64), Timestamp> = HashMap::new();
    for record in records {
        let decision = &record.decision;
        let decided = match &decision.destination {
            Destination::Outbox { id } => {
                queued.insert(id, decision.time);
                continue;
            }
            Destination::GitHubReview {
                outbox: Some(id), ..
            } => queued.get(id.as_str()).copied().unwrap_or(decision.time),
            Destination::GitHubReview { outbox: None, .. } => decision.time,
            _ => continue,
        };
        let newest = latest
            .entry((decision.repo.clone(), decision.pr))
            .or_insert(decided);
        *newest = (*newest).max(decided);
    }
    latest
}

/// One attempt at one entry.
async fn retry_one(
    client: &GitHub,
    outbox: &Outbox,
    log: &DecisionLog,
    entry: &OutboxEntry,
    now: Timestamp,
) -> Result<RetryOutcome, DispatchError> {
    let id = entry.submission.id.clone();
    match deliver(client, &entry.submission).await {
        Ok(delivered) => {
            log_delivery(
                log,
                entry.decision.clone(),
                &delivered,
                Some(id.clone()),
                now,
            )?;
            outbox
                .remove(&id)
                .map_err(|source| DispatchError::NotRemoved {
                    url: delivered.url.clone(),
                    source,
                })?;
            Ok(RetryOutcome::Sent(delivered))
        }
        Err(error) => {
            let mut again = entry.clone();
            again.failed(&error, now);
            outbox
                .save(&again)
                .map_err(|source| DispatchError::NotQueued {
                    reason: error.to_string(),
                    source,
                })?;
            Ok(RetryOutcome::StillFailing(error))
        }
    }
}
