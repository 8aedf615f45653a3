//! Verdicts whose intent is in the decision log but whose fate is not, and that no outbox entry
//! will ever settle: a sender killed between logging the intent and writing the outbox entry,
//! an outbox that refused the entry while the log then refused the not-sent record, an entry
//! file removed by hand. Left so, the log would hold a decision nobody knows the fate of.
//!
//! Every retry (the console's before each load, `submit`, `submit --retry`) settles those
//! older than [`UNSETTLED_AFTER_SECS`] (a sender writes the entry milliseconds after the
//! intent), each under its PR's claim: the review is looked up on GitHub first (an entry
//! removed by hand may have been posted); found, its delivery is logged, else the intent is
//! logged as not sent. One whose lookup fails stays for the next time.
//!
//! [`discard`] (`schemagate submit --discard ID`) settles one verdict on the reviewer's word,
//! an outbox entry or such an intent: looked up the same way, logged as delivered or as not
//! sent, and its entry removed.

use std::collections::HashSet;

use super::client::GitHub;
use super::dispatch::{DispatchError, NotPosted, log_delivery, record_not_posted};
use super::error::GitHubError;
use super::outbox::Outbox;
use super::submit::{Delivered, ReviewKey, find_review};
use crate::review::decision_log::{Record, read_all};
use crate::review::{Decision, DecisionLog, Destination, Timestamp};

/// How old an intent without an outbox entry and without a fate must be before it counts as
/// unsettled (its sender may be writing the entry right now).
pub const UNSETTLED_AFTER_SECS: i64 = 120;

/// Why an unsettled intent is logged as not sent when GitHub does not have its review.
const INTERRUPTED: &str = "the send stopped before the outbox kept it, or its outbox entry was \
                           removed; GitHub has no review of it";

/// Why a discarded verdict is logged as not sent.
const DISCARDED: &str = "discarded by the reviewer (`schemagate submit --discard`); GitHub has \
                         no review of it";

/// A verdict settled (or tried) here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settled {
    /// The submission id.
    pub id: String,
    /// Its intent record.
    pub intent: Decision,
    /// What became of it.
    pub fate: Fate,
}

/// What became of a verdict settled here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fate {
    /// GitHub has its review: the delivery is logged (its commit status and label were not
    /// set from here).
    Delivered(Delivered),
    /// GitHub has no review of it: logged as not sent.
    NotSent,
    /// Looking it up on GitHub failed: nothing was logged, it is tried again next time.
    LookupFailed(GitHubError),
}

/// What [`discard`] did with a verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Discarded {
    /// GitHub has its review: logged as delivered (not discarded).
    WasDelivered(Delivered),
    /// Logged as not sent.
    NotSent,
}

/// Settles the unsettled intents of `log` (see the module docs).
///
/// # Errors
/// [`DispatchError::HistoryUnread`] when the log cannot be read, [`DispatchError::Outbox`]
/// when a PR cannot be claimed, or the log's error when a fate cannot be recorded.
pub async fn settle_unsettled(
    client: &GitHub,
    outbox: &Outbox,
    log: &DecisionLog,
    now: Timestamp,
) -> Result<Vec<Settled>, DispatchError> {
    let mut settled = Vec::new();
    for (id, intent) in unsettled(log, outbox, now)? {
        // Another sender on the PR: it is tried again on the next retry.
        let Some(_claim) = outbox.claim(&intent.repo, intent.pr)? else {
            continue;
        };
        // Under the claim: another schemagate may have settled it meanwhile.
        let still = unsettled(log, outbox, now)?;
        if !still.iter().any(|(other, _)| *other == id) {
            continue;
        }
        let fate = settle(client, log, &id, &intent, INTERRUPTED, now).await?;
        settled.push(Settled { id, intent, fate });
    }
    Ok(settled)
}

/// Settles the verdict `id` (an outbox entry, or an unsettled intent) on the reviewer's word:
/// looked up on GitHub, logged as delivered when GitHub has it, else as not sent; its entry
/// is removed. Its intent record, and what was done.
///
/// # Errors
/// [`DispatchError::NothingToDiscard`] when no entry nor unsettled intent is named `id`,
/// [`DispatchError::Busy`] while another sender holds its PR,
/// [`DispatchError::LookupFailed`] when GitHub could not be asked (nothing changed), or the
/// log's and the outbox's errors.
pub async fn discard(
    client: &GitHub,
    outbox: &Outbox,
    log: &DecisionLog,
    id: &str,
    now: Timestamp,
) -> Result<(Decision, Discarded), DispatchError> {
    // The intent without a fate, however young: the reviewer asked.
    let find = || -> Result<Decision, DispatchError> {
        if let Some((_, intent)) = intents_without_fate(log, None)?
            .into_iter()
            .find(|(of, _)| of == id)
        {
            return Ok(intent);
        }
        // An entry queued before intents were logged: its own record stands for the intent.
        let mut queued = outbox.load(now)?.entries.into_iter();
        match queued.find(|entry| entry.submission.id == id) {
            Some(entry) if !has_fate(log, id)? => Ok(entry.decision),
            _ => Err(DispatchError::NothingToDiscard { id: id.to_owned() }),
        }
    };
    let intent = find()?;
    let Some(_claim) = outbox.claim(&intent.repo, intent.pr)? else {
        return Err(DispatchError::Busy { id: id.to_owned() });
    };
    // Under the claim: another sender may have settled it meanwhile.
    let intent = find()?;
    let discarded = match settle(client, log, id, &intent, DISCARDED, now).await? {
        Fate::Delivered(delivered) => Discarded::WasDelivered(delivered),
        Fate::NotSent => Discarded::NotSent,
        Fate::LookupFailed(error) => {
            return Err(DispatchError::LookupFailed {
                id: id.to_owned(),
                error,
            });
        }
    };
    outbox.remove(id)?;
    Ok((intent, discarded))
}

/// Looks the review of `id` (intent record `intent`) up on GitHub and logs its delivery, or
/// (GitHub has none) that it was not sent, `why`.
async fn settle(
    client: &GitHub,
    log: &DecisionLog,
    id: &str,
    intent: &Decision,
    why: &str,
    now: Timestamp,
) -> Result<Fate, DispatchError> {
    let key = ReviewKey {
        repo: &intent.repo,
        pr: intent.pr,
        id,
        head_sha: &intent.head_sha,
    };
    match find_review(client, key).await {
        Ok(Some(delivered)) => {
            log_delivery(log, intent, id, &delivered, now)?;
            Ok(Fate::Delivered(delivered))
        }
        Ok(None) => {
            let reason = why.to_owned();
            record_not_posted(log, intent, id, NotPosted::NotSent { reason }, now)?;
            Ok(Fate::NotSent)
        }
        Err(error) => Ok(Fate::LookupFailed(error)),
    }
}

/// The intents of `log` with no fate and no outbox entry, logged [`UNSETTLED_AFTER_SECS`] or
/// more before `now`, in log order.
fn unsettled(
    log: &DecisionLog,
    outbox: &Outbox,
    now: Timestamp,
) -> Result<Vec<(String, Decision)>, DispatchError> {
    let before = Timestamp::from_unix_secs(now.unix_secs().saturating_sub(UNSETTLED_AFTER_SECS));
    let mut found = intents_without_fate(log, Some(before))?;
    found.retain(|(id, _)| !outbox.path(id).exists());
    Ok(found)
}

/// The submissions whose fate `records` hold (delivered, superseded, not sent).
fn fates(records: &[Record]) -> HashSet<&str> {
    records
        .iter()
        .map(|record| &record.decision.destination)
        .filter(|destination| !matches!(destination, Destination::Outbox { .. }))
        .filter_map(Destination::submission)
        .collect()
}

/// Whether `log` holds the fate of the submission `id`.
fn has_fate(log: &DecisionLog, id: &str) -> Result<bool, DispatchError> {
    let read = read_all(log.path()).map_err(|source| DispatchError::HistoryUnread { source })?;
    Ok(fates(&read.records).contains(id))
}

/// The intents of `log` (logged at or before `logged_by`, when given) that no record after
/// them settles (delivered, superseded, not sent), in log order, with their submission ids.
fn intents_without_fate(
    log: &DecisionLog,
    logged_by: Option<Timestamp>,
) -> Result<Vec<(String, Decision)>, DispatchError> {
    let read = read_all(log.path()).map_err(|source| DispatchError::HistoryUnread { source })?;
    let settled = fates(&read.records);
    Ok(read
        .records
        .iter()
        .filter_map(|record| match &record.decision.destination {
            Destination::Outbox { id } => Some((id.as_str(), &record.decision)),
            _ => None,
        })
        .filter(|(id, intent)| {
            !settled.contains(id) && logged_by.is_none_or(|by| intent.time <= by)
        })
        .map(|(id, intent)| (id.to_owned(), intent.clone()))
        .collect())
}
