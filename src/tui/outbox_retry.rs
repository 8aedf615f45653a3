//! The console's outbox retry: before each load of the GitHub queue, the verdicts waiting in
//! the outbox whose back-off is over are sent again (an entry left by a console or `submit`
//! killed mid-send among them: it is looked up on GitHub first), and what went wrong (an entry
//! failing again, one that needs attention and is no longer sent automatically, a damaged file
//! set aside, an entry never sent because a newer verdict was logged, an outbox that cannot be
//! read) becomes the queue's error lines. Deliveries say nothing: the
//! entry leaves the outbox and the decision log records the review.

use std::path::Path;

use crate::github::GitHub;
use crate::github::dispatch::{RetryOutcome, RetryReport, retry};
use crate::github::outbox::Outbox;
use crate::github::submit::Submission;
use crate::report::review_body::verdict_label;
use crate::review::{DecisionLog, Timestamp};

/// The repository name the outbox's problems are shown under in the queue.
pub const OUTBOX: &str = "outbox";

/// Sends the outbox entries in `data_dir` that are due at `now`; the problems, for people
/// (unsanitized: the queue cleans what it draws).
pub async fn retry_due(client: &GitHub, data_dir: &Path, now: Timestamp) -> Vec<String> {
    let outbox = Outbox::in_dir(data_dir);
    let log = DecisionLog::in_dir(data_dir);
    match retry(client, &outbox, &log, now, true).await {
        Ok(report) => problems(&report, &outbox),
        Err(error) => vec![error.to_string()],
    }
}

/// What went wrong in `report`, one line each.
fn problems(report: &RetryReport, outbox: &Outbox) -> Vec<String> {
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
             `schemagate submit --retry` sends it, or remove {}",
            entry_name(&entry.submission),
            entry.state.label(),
            entry.attempts,
            entry.last_error,
            outbox.path(&entry.submission.id).display()
        )
    });
    let failed = report.retried.iter().filter_map(|retried| {
        let submission = &retried.entry.submission;
        let name = entry_name(submission);
        match &retried.result {
            Ok(RetryOutcome::Sent(_) | RetryOutcome::AlreadyRecorded) => None,
            Ok(RetryOutcome::Superseded { by }) => Some(format!(
                "never sent: {name}: superseded by the newer verdict {by} (logged)"
            )),
            Ok(RetryOutcome::StillFailing(error)) if error.keeps_entry() => {
                Some(format!("still waiting: {name}: {error}"))
            }
            Ok(RetryOutcome::StillFailing(error)) => Some(format!(
                "refused: {name}: {error}; {}; the entry stays in {} (not sent automatically any \
                 more) until you remove it",
                error.advice(),
                outbox.path(&submission.id).display()
            )),
            Ok(RetryOutcome::Refused(error)) => {
                Some(format!("refused: {name}: {error}; {}", error.advice()))
            }
            Err(error) => Some(format!("{name}: {error}")),
        }
    });
    set_aside.chain(attention).chain(failed).collect()
}

/// `acme/shop#7 Block`: an outbox entry in messages.
fn entry_name(submission: &Submission) -> String {
    format!(
        "{}#{} {}",
        submission.repo,
        submission.pr,
        verdict_label(submission.verdict)
    )
}
