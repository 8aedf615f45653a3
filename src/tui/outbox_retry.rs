//! The console's outbox retry: before each load of the GitHub queue, verdicts whose send
//! stopped before the outbox kept them are settled (see [`crate::github::unsettled`]) and the
//! verdicts waiting in the outbox whose back-off is over are sent again (an entry left by a
//! console or `submit` killed mid-send among them: it is looked up on GitHub first), and what
//! went wrong (an entry failing again, one that needs attention and is no longer sent
//! automatically, a damaged file set aside, an entry never sent because a newer verdict was
//! logged, a verdict found never sent, an outbox or log that cannot be read) becomes the
//! queue's error lines, each naming the verdict's id for `schemagate submit --discard`.
//! Deliveries say nothing: the entry leaves the outbox and the decision log records the
//! review.

use std::path::Path;

use crate::github::GitHub;
use crate::github::dispatch::{RetryOutcome, RetryReport, retry};
use crate::github::outbox::{Outbox, verdict_name};
use crate::github::unsettled::{Fate, Settled, settle_unsettled};
use crate::review::{DecisionLog, Timestamp};

/// The repository name the outbox's problems are shown under in the queue.
pub const OUTBOX: &str = "outbox";

/// Settles the verdicts whose send stopped before the outbox kept them, then sends the outbox
/// entries in `data_dir` that are due at `now`; the problems, for people.
pub async fn retry_due(client: &GitHub, data_dir: &Path, now: Timestamp) -> Vec<String> {
    let outbox = Outbox::in_dir(data_dir);
    let log = DecisionLog::in_dir(data_dir);
    let unsettled: Vec<String> = match settle_unsettled(client, &outbox, &log, now).await {
        Ok(settled) => settled.iter().filter_map(unsettled_problem).collect(),
        // The retry reads the same log and outbox: it would say the same.
        Err(error) => return vec![error.to_string()],
    };
    let retried = match retry(client, &outbox, &log, now, true).await {
        Ok(report) => problems(&report),
        Err(error) => vec![error.to_string()],
    };
    unsettled.into_iter().chain(retried).collect()
}

/// What the reviewer must know of a verdict whose send stopped before the outbox kept it
/// (nothing when GitHub had it: its delivery is logged).
fn unsettled_problem(settled: &Settled) -> Option<String> {
    let name = verdict_name(&settled.intent, &settled.id);
    match &settled.fate {
        Fate::Delivered(_) => None,
        Fate::NotSent => Some(format!(
            "not sent: {name}: its send stopped before the outbox kept it (logged as not sent); \
             submit it again"
        )),
        Fate::LookupFailed(error) => Some(format!(
            "unsettled: {name}: its send stopped before the outbox kept it, and looking its \
             review up failed ({error}); tried again on the next load, or {}",
            discard_hint(&settled.id)
        )),
    }
}

/// How to give up the verdict `id`.
fn discard_hint(id: &str) -> String {
    format!("`schemagate submit --discard {id}` gives it up")
}

/// What went wrong in `report`, one line each.
fn problems(report: &RetryReport) -> Vec<String> {
    let set_aside = report.set_aside.iter().map(|aside| {
        format!(
            "a damaged outbox file was moved to {} ({}); look at it and submit again",
            aside.path.display(),
            aside.error
        )
    });
    let attention = report.attention.iter().map(|entry| {
        format!(
            "needs attention: {}: {} after {} attempt(s) ({}); not sent automatically any more: \
             `schemagate submit --retry` sends it, or {}",
            entry.name(),
            entry.state.label(),
            entry.attempts,
            entry.last_error,
            discard_hint(&entry.submission.id)
        )
    });
    let failed = report.retried.iter().filter_map(|retried| {
        let name = retried.entry.name();
        match &retried.result {
            Ok(RetryOutcome::Sent(_) | RetryOutcome::AlreadyRecorded) => None,
            Ok(RetryOutcome::Superseded { by }) => Some(format!(
                "never sent: {name}: superseded by the newer verdict {by} (logged)"
            )),
            Ok(RetryOutcome::StillFailing { error, .. }) if error.keeps_entry() => {
                Some(format!("still waiting: {name}: {error}"))
            }
            Ok(RetryOutcome::StillFailing { error, .. }) => Some(format!(
                "refused: {name}: {error}; {}; not sent automatically any more: {}",
                error.advice(),
                discard_hint(&retried.entry.submission.id)
            )),
            Ok(RetryOutcome::Refused(error)) => {
                Some(format!("refused: {name}: {error}; {}", error.advice()))
            }
            Err(error) => Some(format!("{name}: {error}")),
        }
    });
    set_aside.chain(attention).chain(failed).collect()
}
