//! Sending submissions and keeping the record straight, one mechanism for the first send and
//! every retry:
//! 1. the intent is logged first (destination `Outbox`, fsynced; its line is the verdict's
//!    sequence and its chain head goes in the review's marker), then the outbox entry is
//!    written (fsynced) and the PR claimed, all before the first request;
//! 2. under the claim, only the newest entry of the PR (by sequence) is sent: older ones, and
//!    any entry older than a verdict already delivered to the PR, are logged `Superseded` and
//!    removed, never posted (one an interrupted attempt may have posted is looked up first:
//!    when GitHub has it, it is logged as delivered, and the newer verdict goes after it);
//! 3. the delivery looks the review up first (see [`deliver`]), so an entry left by a crash or
//!    by an answer that does not say whether the review was created is never posted twice;
//! 4. a delivery is logged (`GitHubReview` naming the entry) and the entry removed; a passing
//!    failure, or an unknown outcome, keeps the entry; a refusal on the first send is logged
//!    `NotSent` (or, when the review was posted before a later step was refused, as delivered)
//!    and the entry removed, while a refusal on a retry keeps the entry for the reviewer to see
//!    (it needs attention: see [`OutboxEntry::needs_attention`]).
//!
//! Step 2 reads the whole log: while it cannot be read, nothing is sent. An intent left
//! without an entry (a sender killed before writing it) is settled by [`super::unsettled`].

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use thiserror::Error;

use super::client::GitHub;
use super::error::GitHubError;
use super::outbox::{Claim, Outbox, OutboxEntry};
use super::submit::{Delivered, Step, Submission, SubmitError, deliver, find_review};
use crate::check::PrReport;
use crate::review::decision_log::{Record, read_all};
use crate::review::{
    Decision, DecisionLog, Destination, Draft, FindingSummary, SetAside, StoreError, Timestamp,
    Verdict,
};
use crate::source::change::PrMeta;

/// How long a first send waits for another sender (the console, a `submit --retry`) to finish
/// with the same PR before leaving its verdict in the outbox.
const CLAIM_PATIENCE: Duration = Duration::from_secs(60);

/// How often a waiting send tries the claim again.
const CLAIM_POLL: Duration = Duration::from_millis(100);

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
    /// Kept in the outbox for a later attempt.
    Queued {
        /// The outbox entry (the submission id).
        id: String,
        /// Why it could not be sent now.
        reason: String,
        /// When the next attempt makes sense.
        next_attempt_at: Timestamp,
    },
    /// Refused (by GitHub, or because the PR moved): logged as not sent, unless the review
    /// itself was posted before a later step (status, label) was refused: then as delivered.
    Refused(SubmitError),
    /// A newer verdict on the same PR was logged meanwhile (by another schemagate): this one
    /// was logged as superseded and not posted.
    Superseded {
        /// The newer submission.
        by: String,
    },
    /// Posted and logged by another schemagate (the console, a `submit --retry`) that held
    /// the PR while this one waited for it.
    SentByAnother(Delivered),
    /// Logged as not sent by another schemagate that held the PR while this one waited for it
    /// (GitHub refused it, or it was discarded).
    NotSent {
        /// Why, as logged.
        reason: String,
    },
}

/// Writing the local record failed.
#[derive(Debug, Error)]
pub enum DispatchError {
    /// The intent could not be logged: nothing was sent.
    #[error(
        "nothing was sent: the decision log could not record the verdict: {source}; your \
         ticks and the chosen verdict are kept in the draft, submit again once it can be written"
    )]
    IntentNotLogged {
        /// The log's error.
        source: StoreError,
    },
    /// The outbox entry could not be written before the first request: nothing was sent (the
    /// log says so).
    #[error(
        "nothing was sent: the outbox could not keep the verdict: {source}; your ticks and the \
         chosen verdict are kept in the draft, submit again once it can be written"
    )]
    NotQueued {
        /// The outbox's error.
        source: StoreError,
    },
    /// The review is on GitHub but the decision log could not take it.
    #[error(
        "the review was posted ({url}) but the decision log could not record it: {source}; its \
         outbox entry stays, and the next `schemagate submit --retry` finds the review and \
         records it"
    )]
    NotLogged {
        /// The review's page.
        url: String,
        /// The log's error.
        source: StoreError,
    },
    /// The review was delivered and logged, but its outbox entry could not be removed (the
    /// next retry sees the record and removes it without sending).
    #[error(
        "the review was posted ({url}) and logged, but its outbox entry could not be removed: \
         {source}"
    )]
    NotRemoved {
        /// The review's page.
        url: String,
        /// The outbox's error.
        source: StoreError,
    },
    /// An entry's fate (superseded, refused) could not be logged: it stays in the outbox,
    /// unsent, for the next attempt.
    #[error("{what}, but the decision log could not record that: {source}; it stays in the outbox")]
    FateNotLogged {
        /// What became of the entry.
        what: String,
        /// The log's error.
        source: StoreError,
    },
    /// Sending failed and the outbox entry could not be updated (its previous version stays,
    /// and is sent again).
    #[error("sending failed ({reason}) and its outbox entry could not be updated: {source}")]
    NotUpdated {
        /// Why sending failed.
        reason: String,
        /// The outbox's error.
        source: StoreError,
    },
    /// The decision log could not be read, so what was already decided and sent on the PR
    /// is unknown: nothing was sent (the outbox keeps the verdict).
    #[error(
        "nothing was sent: the decision log could not be read to check the verdicts already \
         recorded on the PR: {source}; the verdict stays in the outbox, and `schemagate submit \
         --retry` sends it once the log can be read"
    )]
    HistoryUnread {
        /// The log's error.
        source: StoreError,
    },
    /// The outbox entry disappeared without its fate in the log (removed by hand).
    #[error(
        "the outbox entry {id} disappeared without its fate in the decision log (removed by \
         hand?); the next `schemagate submit --retry` looks it up on GitHub and logs what became \
         of it"
    )]
    Vanished {
        /// The submission id.
        id: String,
    },
    /// `--discard` named no verdict waiting for its fate.
    #[error(
        "nothing to discard: no verdict named {id} waits for its fate (not in the outbox, or \
         already settled in the decision log); `schemagate submit --retry` lists the outbox"
    )]
    NothingToDiscard {
        /// The id given.
        id: String,
    },
    /// Another sender holds the verdict's PR.
    #[error("{id} is being sent by another schemagate right now; try again once it is done")]
    Busy {
        /// The submission id.
        id: String,
    },
    /// Looking the review up on GitHub failed: nothing was changed (a review GitHub may have
    /// is logged, never dropped).
    #[error("{id} was left as it was: looking its review up on GitHub failed: {error}; try again")]
    LookupFailed {
        /// The submission id.
        id: String,
        /// GitHub's error.
        error: GitHubError,
    },
    /// The outbox could not be read or the PR claimed.
    #[error("the outbox could not be used: {0}")]
    Outbox(#[from] StoreError),
}

/// Sends `submission`; `decision` is its record (its destination and time are set here). See
/// the module docs for the steps.
///
/// # Errors
/// [`DispatchError`] when the intent or the outcome cannot be recorded on disk.
pub async fn send(
    client: &GitHub,
    submission: Submission,
    decision: Decision,
    outbox: &Outbox,
    log: &DecisionLog,
    now: Timestamp,
) -> Result<SendOutcome, DispatchError> {
    let id = submission.id.clone();
    let intent = log
        .append(&Decision {
            destination: Destination::Outbox { id: id.clone() },
            time: now,
            ..decision
        })
        .map_err(|source| DispatchError::IntentNotLogged { source })?;
    let submission = submission.with_chain(&intent.chain_head);
    let entry = OutboxEntry::intent(submission, intent.decision, intent.line, now);
    if let Err(source) = outbox.save(&entry) {
        let reason = format!("the outbox could not keep it: {source}");
        // The log took the intent a moment ago; should it refuse this record too, the intent
        // has neither entry nor fate, and the next retry settles it (see `unsettled`).
        let _unrecorded = record_not_posted(
            log,
            &entry.decision,
            &id,
            NotPosted::NotSent { reason },
            now,
        );
        return Err(DispatchError::NotQueued { source });
    }
    let (repo, pr) = (&entry.decision.repo, entry.decision.pr);
    let Some(claim) = claim_waiting(outbox, repo, pr).await? else {
        // The other sender may have settled this one too (it re-reads the outbox).
        return Ok(logged_outcome(log, &id)?.unwrap_or(SendOutcome::Queued {
            id,
            reason: "another schemagate (the console or a `submit --retry`) has been sending a \
                     verdict on this PR for a minute and is still at it"
                .into(),
            next_attempt_at: now,
        }));
    };
    let mut report = RetryReport::default();
    let sender = Sender {
        client,
        outbox,
        log,
        now,
    };
    settle_pr(sender, &claim, &entry, Mode::First(&id), &mut report).await?;
    drop(claim);
    let mine = report
        .retried
        .into_iter()
        .find(|retried| retried.entry.submission.id == id);
    let Some(Retried { result, .. }) = mine else {
        // Not in the outbox any more: settled by a sender that held the PR before.
        return logged_outcome(log, &id)?.ok_or(DispatchError::Vanished { id });
    };
    Ok(match result? {
        RetryOutcome::Sent(delivered) => SendOutcome::Sent(delivered),
        RetryOutcome::StillFailing { error, kept } => SendOutcome::Queued {
            id,
            reason: error.to_string(),
            next_attempt_at: kept.next_attempt_at,
        },
        RetryOutcome::Refused(error) => SendOutcome::Refused(error),
        RetryOutcome::Superseded { by } => SendOutcome::Superseded { by },
        RetryOutcome::AlreadyRecorded => {
            logged_outcome(log, &id)?.ok_or(DispatchError::Vanished { id })?
        }
    })
}

/// What the log says became of the submission `id` when another sender settled it: the
/// delivery, supersession or not-sent record naming it, if there is one.
fn logged_outcome(log: &DecisionLog, id: &str) -> Result<Option<SendOutcome>, DispatchError> {
    let read = read_all(log.path()).map_err(|source| DispatchError::HistoryUnread { source })?;
    let fate = read
        .records
        .into_iter()
        .rev()
        .map(|record| record.decision.destination)
        .find(|destination| {
            destination.submission() == Some(id)
                && !matches!(destination, Destination::Outbox { .. })
        });
    Ok(fate.and_then(|destination| match destination {
        Destination::GitHubReview { id, url, .. } => Some(SendOutcome::SentByAnother(Delivered {
            review_id: id,
            url,
            reused: true,
        })),
        Destination::Superseded { by, .. } => Some(SendOutcome::Superseded { by }),
        Destination::NotSent { reason, .. } => Some(SendOutcome::NotSent { reason }),
        Destination::Outbox { .. } | Destination::LocalOnly => None,
    }))
}

/// The claim on `repo` PR `pr`, waiting up to [`CLAIM_PATIENCE`] for another sender.
async fn claim_waiting(outbox: &Outbox, repo: &str, pr: u64) -> Result<Option<Claim>, StoreError> {
    let deadline = tokio::time::Instant::now() + CLAIM_PATIENCE;
    loop {
        if let Some(claim) = outbox.claim(repo, pr)? {
            return Ok(Some(claim));
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(None);
        }
        tokio::time::sleep(CLAIM_POLL).await;
    }
}

/// What became of one outbox entry.
#[derive(Debug)]
pub struct Retried {
    /// The entry as it was before this attempt.
    pub entry: OutboxEntry,
    /// What happened.
    pub result: Result<RetryOutcome, DispatchError>,
}

/// An entry's fate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RetryOutcome {
    /// Delivered, logged, removed from the outbox.
    Sent(Delivered),
    /// Failed again; kept with the new error and attempt time (a refusal on a retry is kept
    /// too, and then needs attention).
    StillFailing {
        /// Why it failed.
        error: SubmitError,
        /// The entry as saved after this attempt (attempts, state, next attempt).
        kept: Box<OutboxEntry>,
    },
    /// Refused on its first send: logged (as not sent, or as delivered when the review was
    /// posted before a later step was refused) and removed.
    Refused(SubmitError),
    /// Never posted: a newer verdict on the PR was logged; logged as superseded and removed.
    Superseded {
        /// The newer submission (or `review <id>` for a delivery without one).
        by: String,
    },
    /// The log already held its fate (a sender stopped between logging and removing it):
    /// removed without sending.
    AlreadyRecorded,
}

/// What [`retry`] did.
#[derive(Debug, Default)]
pub struct RetryReport {
    /// Each entry settled, in queue order: sent, failed again, refused, superseded.
    pub retried: Vec<Retried>,
    /// Entries not attempted because their back-off is not over (only when `only_due`).
    pub waiting: Vec<OutboxEntry>,
    /// Entries not attempted because they need attention: refused by GitHub, tried
    /// [`super::outbox::MAX_AUTOMATIC_ATTEMPTS`] times or too old (only when `only_due`; an
    /// explicit `submit --retry` sends them).
    pub attention: Vec<OutboxEntry>,
    /// Entries not attempted because another sender (the console, another `submit --retry`)
    /// is sending on their PR right now.
    pub busy: Vec<OutboxEntry>,
    /// Damaged outbox files, moved aside.
    pub set_aside: Vec<SetAside>,
}

/// Sends the outbox's entries (every one, or with `only_due` those whose back-off is over and
/// that do not need attention), PR by PR, each PR claimed first; only each PR's newest entry
/// is sent (see the module docs).
///
/// # Errors
/// [`DispatchError::Outbox`] when the outbox cannot be read or a PR cannot be claimed,
/// [`DispatchError::HistoryUnread`] when the decision log cannot be read (nothing is sent).
pub async fn retry(
    client: &GitHub,
    outbox: &Outbox,
    log: &DecisionLog,
    now: Timestamp,
    only_due: bool,
) -> Result<RetryReport, DispatchError> {
    let contents = outbox.load(now)?;
    let mut report = RetryReport {
        set_aside: contents.set_aside,
        ..RetryReport::default()
    };
    let mut seen = HashSet::new();
    for entry in &contents.entries {
        let key = (entry.decision.repo.clone(), entry.decision.pr);
        if !seen.insert(key.clone()) {
            continue;
        }
        let Some(claim) = outbox.claim(&key.0, key.1)? else {
            let of_pr = contents.entries.iter().filter(|e| same_pr(e, entry));
            report.busy.extend(of_pr.cloned());
            continue;
        };
        let mode = if only_due { Mode::Due } else { Mode::Every };
        let sender = Sender {
            client,
            outbox,
            log,
            now,
        };
        settle_pr(sender, &claim, entry, mode, &mut report).await?;
    }
    Ok(report)
}

/// What sending needs: the client, the outbox, the log and the time.
#[derive(Clone, Copy)]
struct Sender<'a> {
    client: &'a GitHub,
    outbox: &'a Outbox,
    log: &'a DecisionLog,
    now: Timestamp,
}

/// Which entries [`settle_pr`] sends.
#[derive(Clone, Copy, Debug)]
enum Mode<'a> {
    /// The first send of the entry with this id (a refusal is final).
    First(&'a str),
    /// Every entry, whatever its back-off (the reviewer asked).
    Every,
    /// Those whose back-off is over and that need no attention.
    Due,
}

/// Settles the outbox entries of `of`'s PR while holding its `claim`: re-read from disk (a
/// sender that held the PR before may have settled some), older ones superseded, the newest
/// sent per `mode`. What happened goes in `report`.
///
/// # Errors
/// [`DispatchError::Outbox`] when the outbox cannot be read, [`DispatchError::HistoryUnread`]
/// when the log cannot be (nothing is sent: without it an older verdict could be posted after
/// a newer one); the other errors are each entry's, in `report`.
async fn settle_pr(
    sender: Sender<'_>,
    _claim: &Claim,
    of: &OutboxEntry,
    mode: Mode<'_>,
    report: &mut RetryReport,
) -> Result<(), DispatchError> {
    let Sender {
        outbox, log, now, ..
    } = sender;
    let contents = outbox.load(now)?;
    report.set_aside.extend(contents.set_aside);
    let mut entries: Vec<OutboxEntry> = contents
        .entries
        .into_iter()
        .filter(|entry| same_pr(entry, of))
        .collect();
    let read = read_all(log.path()).map_err(|source| DispatchError::HistoryUnread { source })?;
    let history = PrHistory::of(&read.records, &of.decision.repo, of.decision.pr);
    entries.sort_by_key(|entry| (history.sequence(entry), entry.submission.created_at));
    let Some(newest) = entries.pop() else {
        return Ok(());
    };
    let newest_sequence = history.sequence(&newest);
    for older in entries {
        let by = newest.submission.id.clone();
        let result = retire(sender, &history, &older, by).await;
        report.retried.push(Retried {
            entry: older,
            result,
        });
    }
    let newer_delivered = history
        .delivered
        .as_ref()
        .filter(|(delivered, _)| *delivered > newest_sequence);
    if history.recorded.contains(&newest.submission.id) || newer_delivered.is_some() {
        let by = newer_delivered
            .map(|(_, by)| by.clone())
            .unwrap_or_default();
        let result = retire(sender, &history, &newest, by).await;
        report.retried.push(Retried {
            entry: newest,
            result,
        });
        return Ok(());
    }
    let first = match mode {
        Mode::First(id) => id == newest.submission.id,
        Mode::Every => false,
        Mode::Due if newest.needs_attention(now) => {
            report.attention.push(newest);
            return Ok(());
        }
        Mode::Due if !newest.is_due(now) => {
            report.waiting.push(newest);
            return Ok(());
        }
        Mode::Due => false,
    };
    let result = attempt(sender, &newest, first).await;
    report.retried.push(Retried {
        entry: newest,
        result,
    });
    Ok(())
}

/// Whether two entries are about the same PR.
fn same_pr(a: &OutboxEntry, b: &OutboxEntry) -> bool {
    a.decision.repo == b.decision.repo && a.decision.pr == b.decision.pr
}

/// What the log says about one PR.
#[derive(Debug, Default)]
struct PrHistory {
    /// Intent lines by submission id (for entries written before they carried one).
    intents: HashMap<String, u64>,
    /// Submissions whose fate is logged (delivered, superseded, not sent).
    recorded: HashSet<String>,
    /// The newest delivered verdict's sequence, and its name (submission id or review).
    delivered: Option<(u64, String)>,
}

impl PrHistory {
    /// The history of `repo` PR `pr` in `records`.
    fn of(records: &[Record], repo: &str, pr: u64) -> PrHistory {
        let mut history = PrHistory::default();
        let of_pr = records
            .iter()
            .filter(|record| record.decision.repo == repo && record.decision.pr == pr);
        for record in of_pr {
            let line = u64::try_from(record.line).unwrap_or(u64::MAX);
            let delivered = match &record.decision.destination {
                Destination::Outbox { id } => {
                    history.intents.insert(id.clone(), line);
                    continue;
                }
                Destination::GitHubReview {
                    outbox: Some(id), ..
                } => {
                    history.recorded.insert(id.clone());
                    (history.intents.get(id).copied().unwrap_or(line), id.clone())
                }
                Destination::GitHubReview {
                    id, outbox: None, ..
                } => (line, format!("review {id}")),
                Destination::Superseded { outbox, .. } | Destination::NotSent { outbox, .. } => {
                    history.recorded.insert(outbox.clone());
                    continue;
                }
                Destination::LocalOnly => continue,
            };
            if history
                .delivered
                .as_ref()
                .is_none_or(|(newest, _)| delivered.0 > *newest)
            {
                history.delivered = Some(delivered);
            }
        }
        history
    }

    /// `entry`'s place in the order of verdicts: its intent record's line.
    fn sequence(&self, entry: &OutboxEntry) -> u64 {
        entry
            .sequence
            .or_else(|| self.intents.get(&entry.submission.id).copied())
            .unwrap_or(0)
    }
}

/// Settles `entry` without posting it, because the newer verdict `by` is the one to send:
/// removed when the log has its fate already; when an earlier attempt may have posted it and
/// GitHub has the review, logged as delivered (the newer verdict is posted after it); else
/// logged as superseded. When the lookup fails it stays, unsent, for the next time.
async fn retire(
    sender: Sender<'_>,
    history: &PrHistory,
    entry: &OutboxEntry,
    by: String,
) -> Result<RetryOutcome, DispatchError> {
    let Sender {
        client,
        outbox,
        log,
        now,
    } = sender;
    let id = &entry.submission.id;
    if history.recorded.contains(id) {
        outbox.remove(id)?;
        return Ok(RetryOutcome::AlreadyRecorded);
    }
    if entry.may_be_posted() {
        match find_review(client, entry.submission.key()).await {
            Ok(Some(delivered)) => {
                complete(outbox, log, entry, &delivered, now)?;
                return Ok(RetryOutcome::Sent(delivered));
            }
            Ok(None) => {}
            Err(error) => {
                let error = SubmitError::GitHub {
                    step: Step::FindReview,
                    error,
                    posted: None,
                };
                let kept = keep_failed(outbox, entry, &error, now)?;
                return Ok(RetryOutcome::StillFailing { error, kept });
            }
        }
    }
    supersede(outbox, log, entry, by, now)
}

/// Logs `entry` as superseded by `by` and removes it.
fn supersede(
    outbox: &Outbox,
    log: &DecisionLog,
    entry: &OutboxEntry,
    by: String,
    now: Timestamp,
) -> Result<RetryOutcome, DispatchError> {
    let outbox_id = entry.submission.id.clone();
    let fate = NotPosted::Superseded { by: by.clone() };
    record_not_posted(log, &entry.decision, &outbox_id, fate, now)?;
    outbox.remove(&outbox_id)?;
    Ok(RetryOutcome::Superseded { by })
}

/// Why a verdict was never posted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum NotPosted {
    /// A newer verdict (this submission, or `review <id>`) is the one to send.
    Superseded {
        /// The newer verdict.
        by: String,
    },
    /// It will not be sent (refused, discarded, interrupted before the outbox kept it).
    NotSent {
        /// Why.
        reason: String,
    },
}

/// Appends the record that the submission `id`, whose intent record is `intent`, was never
/// posted, and why.
pub(super) fn record_not_posted(
    log: &DecisionLog,
    intent: &Decision,
    id: &str,
    fate: NotPosted,
    now: Timestamp,
) -> Result<(), DispatchError> {
    let outbox = id.to_owned();
    let (what, destination) = match fate {
        NotPosted::Superseded { by } => (
            format!("it was superseded by {by}"),
            Destination::Superseded { outbox, by },
        ),
        NotPosted::NotSent { reason } => (
            format!("it was not sent ({reason})"),
            Destination::NotSent { outbox, reason },
        ),
    };
    let record = Decision {
        destination,
        time: now,
        ..intent.clone()
    };
    log.append(&record)
        .map(drop)
        .map_err(|source| DispatchError::FateNotLogged { what, source })
}

/// Appends the record of the delivered review of the submission `id`, whose intent record is
/// `intent`.
pub(super) fn log_delivery(
    log: &DecisionLog,
    intent: &Decision,
    id: &str,
    delivered: &Delivered,
    now: Timestamp,
) -> Result<(), DispatchError> {
    let record = Decision {
        destination: Destination::GitHubReview {
            id: delivered.review_id,
            url: delivered.url.clone(),
            outbox: Some(id.to_owned()),
        },
        time: now,
        ..intent.clone()
    };
    log.append(&record)
        .map(drop)
        .map_err(|source| DispatchError::NotLogged {
            url: delivered.url.clone(),
            source,
        })
}

/// One attempt at one entry (`first`: its first send, where a refusal is final).
async fn attempt(
    sender: Sender<'_>,
    entry: &OutboxEntry,
    first: bool,
) -> Result<RetryOutcome, DispatchError> {
    let Sender {
        client,
        outbox,
        log,
        now,
    } = sender;
    let id = &entry.submission.id;
    let error = match deliver(client, &entry.submission).await {
        Ok(delivered) => {
            complete(outbox, log, entry, &delivered, now)?;
            return Ok(RetryOutcome::Sent(delivered));
        }
        Err(error) => error,
    };
    if let SubmitError::GitHub {
        posted: Some(delivered),
        ..
    } = &error
        && !error.keeps_entry()
    {
        // The review is on GitHub although a later step was refused: the log must say so,
        // and retrying would fail the same way.
        complete(outbox, log, entry, delivered, now)?;
        return Ok(RetryOutcome::Refused(error));
    }
    if !error.keeps_entry() && (first || matches!(error, SubmitError::HeadMoved { .. })) {
        let reason = error.to_string();
        record_not_posted(log, &entry.decision, id, NotPosted::NotSent { reason }, now)?;
        outbox.remove(id)?;
        return Ok(RetryOutcome::Refused(error));
    }
    let kept = keep_failed(outbox, entry, &error, now)?;
    Ok(RetryOutcome::StillFailing { error, kept })
}

/// Saves `entry` with one more failed attempt, `error`; the entry as saved.
fn keep_failed(
    outbox: &Outbox,
    entry: &OutboxEntry,
    error: &SubmitError,
    now: Timestamp,
) -> Result<Box<OutboxEntry>, DispatchError> {
    let mut again = Box::new(entry.clone());
    again.failed(error, now);
    outbox
        .save(&again)
        .map(|_| again)
        .map_err(|source| DispatchError::NotUpdated {
            reason: error.to_string(),
            source,
        })
}

/// Logs the delivery of `entry` and removes it.
pub(super) fn complete(
    outbox: &Outbox,
    log: &DecisionLog,
    entry: &OutboxEntry,
    delivered: &Delivered,
    now: Timestamp,
) -> Result<(), DispatchError> {
    log_delivery(log, &entry.decision, &entry.submission.id, delivered, now)?;
    outbox
        .remove(&entry.submission.id)
        .map_err(|source| DispatchError::NotRemoved {
            url: delivered.url.clone(),
            source,
        })
}
