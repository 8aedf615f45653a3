//! The outbox: every submission, written here (fsynced) before its first request and removed
//! once its fate is in the decision log (delivered, superseded, or refused). One file per
//! submission, `<data dir>/outbox/<id>.json`, written atomically. A file that cannot be read
//! back is moved aside to `*.corrupt-<time>` and reported, never dropped.
//!
//! An entry left behind (a passing failure, an answer that does not say whether the review was
//! created, or a sender killed mid-send) is resolved by the next sender, which looks the review
//! up before posting again. Each entry keeps the intent record logged for it, so that the record
//! logged on delivery names the same verdict, checklist and notes, and that record's line in the
//! log: the sequence that orders verdicts on one PR (only the newest is ever sent).
//!
//! Whoever sends a PR's entries first [claims](Outbox::claim) the PR: an exclusive lock on
//! `<outbox>/locks/<repo>-<pr>.lock`, released when the claim is dropped or the process ends,
//! so the console and a `schemagate submit --retry` in another terminal never send on one PR
//! at the same time (each would find no earlier review and post one, or post them out of
//! order). The lock files stay (one small file per PR).
//!
//! After [`MAX_AUTOMATIC_ATTEMPTS`] failed attempts, [`MAX_AUTOMATIC_AGE_SECS`] after it was
//! prepared, or once GitHub refused a retry for good, an entry needs attention: it is not sent
//! automatically any more (the console shows it in the queue's error lines), only by an
//! explicit `schemagate submit --retry`.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::GitHubError;
use super::submit::{Step, Submission, SubmitError};
use crate::report::review_body::verdict_label;
use crate::report::sanitize::sanitize_line;
use crate::review::draft::path_segment;
use crate::review::durable::{aside_path, io_error, sync_dir, write_atomically};
use crate::review::{Decision, SetAside, StoreError, Timestamp};

/// The outbox's directory in the data directory.
pub const OUTBOX_DIR: &str = "outbox";

/// The claims' lock files, in the outbox.
const LOCKS_DIR: &str = "locks";

/// The first retry waits this long; each further failure doubles it.
const FIRST_BACKOFF_SECS: i64 = 60;

/// The longest wait between two attempts.
const MAX_BACKOFF_SECS: i64 = 6 * 60 * 60;

/// Failed attempts after which an entry is no longer sent automatically (with the back-off,
/// about 15 hours of trying).
pub const MAX_AUTOMATIC_ATTEMPTS: u32 = 10;

/// Age (since the submission was prepared) after which an entry is no longer sent
/// automatically: 3 days.
pub const MAX_AUTOMATIC_AGE_SECS: i64 = 3 * 24 * 60 * 60;

/// Where an entry stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryState {
    /// Written before the first request: found by another run, its sender stopped mid-send
    /// (the review may exist; the next sender looks it up first).
    Sending,
    /// The last attempt failed for a passing reason before the review was posted, or after
    /// it (a status or label step).
    #[default]
    Waiting,
    /// The review POST went out and the answer does not say whether GitHub created the review
    /// (malformed answer, connection reset, timeout, 5xx): the next sender looks it up first.
    Unknown,
    /// GitHub refused a retry for good (e.g. 403, 404, 422): it needs the reviewer.
    Refused,
}

impl EntryState {
    /// In words, for people.
    pub fn label(self) -> &'static str {
        match self {
            EntryState::Sending => "interrupted while sending",
            EntryState::Waiting => "waiting",
            EntryState::Unknown => "unknown whether GitHub took it",
            EntryState::Refused => "refused by GitHub",
        }
    }
}

/// One queued submission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// What to post.
    pub submission: Submission,
    /// The intent record as logged (destination `Outbox`).
    pub decision: Decision,
    /// The intent record's line in the decision log: a total order of the verdicts (absent in
    /// older entries, whose intent line is then looked up in the log).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u64>,
    /// Where it stands.
    #[serde(default)]
    pub state: EntryState,
    /// Attempts made so far.
    pub attempts: u32,
    /// Why the last attempt failed (GitHub's errors never carry the token).
    pub last_error: String,
    /// When the last attempt was made.
    pub last_attempt_at: Timestamp,
    /// When trying again makes sense (back-off, or the rate limit's reset).
    pub next_attempt_at: Timestamp,
}

impl OutboxEntry {
    /// The entry of a submission about to be sent for the first time at `now`, whose intent
    /// record `decision` was logged at line `sequence`.
    pub fn intent(
        submission: Submission,
        decision: Decision,
        sequence: usize,
        now: Timestamp,
    ) -> OutboxEntry {
        OutboxEntry {
            submission,
            decision,
            sequence: u64::try_from(sequence).ok(),
            state: EntryState::Sending,
            attempts: 0,
            last_error: String::new(),
            last_attempt_at: now,
            next_attempt_at: now,
        }
    }

    /// Records one more failed attempt.
    pub fn failed(&mut self, error: &SubmitError, now: Timestamp) {
        self.attempts = self.attempts.saturating_add(1);
        self.last_error = error.to_string();
        self.last_attempt_at = now;
        self.next_attempt_at = next_attempt(self.attempts, error, now);
        // A lookup that failed learnt nothing: a review that may exist still may.
        let lookup_failed = matches!(
            error,
            SubmitError::GitHub {
                step: Step::FindReview,
                ..
            }
        );
        self.state = if error.outcome_unknown() {
            EntryState::Unknown
        } else if lookup_failed && self.may_be_posted() && error.keeps_entry() {
            self.state
        } else if error.keeps_entry() {
            EntryState::Waiting
        } else {
            EntryState::Refused
        };
    }

    /// Whether an earlier attempt may have posted the review (it was interrupted, or the
    /// answer did not say): it is looked up before it is posted or retired.
    pub fn may_be_posted(&self) -> bool {
        matches!(self.state, EntryState::Sending | EntryState::Unknown)
    }

    /// Whether it is no longer sent automatically (refused, too many attempts, too old): only
    /// an explicit `submit --retry` sends it.
    pub fn needs_attention(&self, now: Timestamp) -> bool {
        let age = now
            .unix_secs()
            .saturating_sub(self.submission.created_at.unix_secs());
        self.state == EntryState::Refused
            || self.attempts >= MAX_AUTOMATIC_ATTEMPTS
            || age > MAX_AUTOMATIC_AGE_SECS
    }

    /// Whether the back-off is over at `now`.
    pub fn is_due(&self, now: Timestamp) -> bool {
        self.next_attempt_at <= now
    }

    /// `acme/shop#7 Block (<id>)`, for messages.
    pub fn name(&self) -> String {
        verdict_name(&self.decision, &self.submission.id)
    }
}

/// `acme/shop#7 Block (<id>)`: the verdict of the intent record `intent`, submission `id`,
/// for messages (sanitized: the repository and id come from files).
pub fn verdict_name(intent: &Decision, id: &str) -> String {
    format!(
        "{}#{} {} ({})",
        sanitize_line(&intent.repo),
        intent.pr,
        verdict_label(intent.verdict),
        sanitize_line(id)
    )
}

/// When to try again after `attempts` failures, the last with `error`: the rate limit's reset
/// (or `retry-after`) when GitHub gave one, else 1 min, 2 min, 4 min, ... up to 6 h.
pub fn next_attempt(attempts: u32, error: &SubmitError, now: Timestamp) -> Timestamp {
    let now_secs = now.unix_secs();
    if let SubmitError::GitHub {
        error: GitHubError::RateLimited {
            reset,
            retry_after_secs,
        },
        ..
    } = error
    {
        let after = retry_after_secs.map(|secs| now_secs.saturating_add_unsigned(secs));
        let at_reset = reset.map(Timestamp::unix_secs);
        if let Some(latest) = after.max(at_reset) {
            return Timestamp::from_unix_secs(latest.max(now_secs));
        }
    }
    let doublings = attempts.saturating_sub(1).min(20);
    let wait = FIRST_BACKOFF_SECS
        .saturating_mul(1_i64 << doublings)
        .min(MAX_BACKOFF_SECS);
    Timestamp::from_unix_secs(now_secs.saturating_add(wait))
}

/// What [`Outbox::load`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutboxContents {
    /// The readable entries, in the order they were decided (sequence, then creation).
    pub entries: Vec<OutboxEntry>,
    /// Files that could not be read, now moved aside.
    pub set_aside: Vec<SetAside>,
}

/// An exclusive claim on one PR's outbox entries ([`Outbox::claim`]), held until dropped.
#[derive(Debug)]
pub struct Claim {
    /// The locked file (the lock goes with it).
    _file: File,
}

/// The outbox of one data directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outbox {
    /// `<data dir>/outbox`.
    dir: PathBuf,
}

impl Outbox {
    /// The outbox of `data_dir`.
    pub fn in_dir(data_dir: impl AsRef<Path>) -> Outbox {
        Outbox {
            dir: data_dir.as_ref().join(OUTBOX_DIR),
        }
    }

    /// Where the entry `id` is kept.
    pub fn path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{}.json", path_segment(id)))
    }

    /// Writes `entry` (replacing an earlier version of it) atomically and syncs it to disk.
    ///
    /// # Errors
    /// [`StoreError`] when it cannot be written; an earlier version is then intact.
    pub fn save(&self, entry: &OutboxEntry) -> Result<PathBuf, StoreError> {
        let path = self.path(&entry.submission.id);
        let json = serde_json::to_vec_pretty(entry)?;
        write_atomically(&path, &json).map_err(io_error("write", &path))?;
        Ok(path)
    }

    /// Claims the PR `pr` of `repo` for sending: `None` while another sender holds it.
    ///
    /// # Errors
    /// [`StoreError`] when the lock file cannot be created or locked.
    pub fn claim(&self, repo: &str, pr: u64) -> Result<Option<Claim>, StoreError> {
        let dir = self.dir.join(LOCKS_DIR);
        fs::create_dir_all(&dir).map_err(io_error("create", &dir))?;
        let path = dir.join(format!("{}-{pr}.lock", path_segment(repo)));
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_error("create", &path))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Claim { _file: file })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(error)) => Err(io_error("lock", &path)(error)),
        }
    }

    /// Removes the entry `id` once its fate is logged (absent is fine).
    ///
    /// # Errors
    /// [`StoreError`] when it exists and cannot be removed.
    pub fn remove(&self, id: &str) -> Result<(), StoreError> {
        let path = self.path(id);
        match fs::remove_file(&path) {
            Ok(()) => sync_dir(&self.dir).map_err(io_error("flush", &self.dir)),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(io_error("remove", &path)(error)),
        }
    }

    /// Every entry; damaged files are moved aside (named with `now`) and reported.
    ///
    /// # Errors
    /// [`StoreError`] when the directory or a file cannot be read, or a damaged file cannot
    /// be moved aside.
    pub fn load(&self, now: Timestamp) -> Result<OutboxContents, StoreError> {
        let mut contents = OutboxContents::default();
        for path in self.files()? {
            let bytes = match fs::read(&path) {
                Ok(bytes) => bytes,
                // Removed by a sender that settled it since the listing.
                Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
                Err(error) => return Err(io_error("read", &path)(error)),
            };
            match serde_json::from_slice::<OutboxEntry>(&bytes) {
                Ok(entry) if self.path(&entry.submission.id) == path => {
                    contents.entries.push(entry)
                }
                Ok(entry) => {
                    let why = format!("the file holds the entry {}", entry.submission.id);
                    contents.set_aside.push(self.set_aside(&path, why, now)?);
                }
                Err(error) => {
                    let why = error.to_string();
                    contents.set_aside.push(self.set_aside(&path, why, now)?);
                }
            }
        }
        contents.entries.sort_by(|a, b| {
            (a.sequence, a.submission.created_at, &a.submission.id).cmp(&(
                b.sequence,
                b.submission.created_at,
                &b.submission.id,
            ))
        });
        Ok(contents)
    }
    /// The `*.json` files of the outbox.
    fn files(&self) -> Result<Vec<PathBuf>, StoreError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(io_error("list", &self.dir)(error)),
        };
        let mut files = Vec::new();
        for entry in entries {
            let path = entry.map_err(io_error("list", &self.dir))?.path();
            if path.extension().is_some_and(|ext| ext == "json") && path.is_file() {
                files.push(path);
            }
        }
        files.sort();
        Ok(files)
    }

    /// Renames a damaged file to `*.corrupt-<time>`.
    fn set_aside(
        &self,
        path: &Path,
        error: String,
        now: Timestamp,
    ) -> Result<SetAside, StoreError> {
        let aside = aside_path(path, "corrupt", now);
        fs::rename(path, &aside).map_err(io_error("move aside", path))?;
        sync_dir(&self.dir).map_err(io_error("flush", &self.dir))?;
        Ok(SetAside { path: aside, error })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::Risk;
    use crate::review::{ChecklistState, Destination, Verdict};

    fn server_error() -> SubmitError {
        SubmitError::GitHub {
            step: Step::PostReview,
            error: GitHubError::Server {
                status: 502,
                what: "x".into(),
                message: "bad gateway".into(),
            },
            posted: None,
        }
    }

    #[test]
    fn back_off_doubles_up_to_six_hours() {
        let now = Timestamp::from_unix_secs(1_000_000);
        let wait = |attempts| next_attempt(attempts, &server_error(), now).unix_secs() - 1_000_000;
        assert_eq!([wait(1), wait(2), wait(3)], [60, 120, 240]);
        assert_eq!(wait(40), MAX_BACKOFF_SECS);
    }

    /// A fresh entry (intent at line 3) of a Block prepared at `created`.
    fn entry_at(created: Timestamp) -> OutboxEntry {
        let submission = Submission {
            id: "20261124T120000Z-0011223344556677".into(),
            repo: "acme/shop".into(),
            pr: 7,
            head_sha: "abc".into(),
            verdict: Verdict::Block,
            body: "x".into(),
            comments: Vec::new(),
            created_at: created,
            chain: None,
        };
        let decision = Decision {
            repo: "acme/shop".into(),
            pr: 7,
            title: "t".into(),
            branch: None,
            base_sha: "b".into(),
            head_sha: "abc".into(),
            risk: Risk::Low,
            findings_summary: Vec::new(),
            checklist: ChecklistState::default(),
            notes: Vec::new(),
            verdict: Verdict::Block,
            reviewer: "ana".into(),
            time: created,
            destination: Destination::Outbox {
                id: submission.id.clone(),
            },
            prev_hash: String::new(),
        };
        OutboxEntry::intent(submission, decision, 3, created)
    }

    #[test]
    fn entries_need_attention_when_refused_tried_too_often_or_too_old() {
        let created = Timestamp::from_unix_secs(1_000_000);
        let mut entry = entry_at(created);
        assert_eq!(
            (entry.state, entry.sequence),
            (EntryState::Sending, Some(3))
        );
        assert!(!entry.needs_attention(created));
        for _ in 0..MAX_AUTOMATIC_ATTEMPTS - 1 {
            entry.failed(&server_error(), created);
        }
        assert_eq!(entry.state, EntryState::Unknown, "a 502 to the review POST");
        assert!(!entry.needs_attention(created));
        entry.failed(&server_error(), created);
        assert!(
            entry.needs_attention(created),
            "{} attempts",
            entry.attempts
        );

        entry.attempts = 1;
        let later = Timestamp::from_unix_secs(1_000_000 + MAX_AUTOMATIC_AGE_SECS + 1);
        assert!(!entry.needs_attention(created));
        assert!(entry.needs_attention(later), "three days old");

        let refused = SubmitError::GitHub {
            step: Step::Label,
            error: GitHubError::Forbidden {
                what: "x".into(),
                message: String::new(),
            },
            posted: None,
        };
        entry.failed(&refused, created);
        assert_eq!(entry.state, EntryState::Refused);
        assert!(entry.needs_attention(created));
    }

    #[test]
    fn a_failed_lookup_keeps_a_review_that_may_exist_as_such() {
        let now = Timestamp::from_unix_secs(1_000_000);
        let at = |step, status| SubmitError::GitHub {
            step,
            error: GitHubError::Server {
                status,
                what: "x".into(),
                message: String::new(),
            },
            posted: None,
        };
        let mut entry = entry_at(now);
        entry.failed(&at(Step::FindReview, 502), now);
        assert_eq!(entry.state, EntryState::Sending, "still maybe posted");
        entry.failed(&at(Step::PostReview, 504), now);
        assert_eq!(entry.state, EntryState::Unknown);
        entry.failed(&at(Step::FindReview, 503), now);
        assert_eq!(entry.state, EntryState::Unknown);
        entry.failed(&at(Step::SetStatus, 502), now);
        assert_eq!(entry.state, EntryState::Waiting, "the lookup ran: known");
        entry.failed(&at(Step::FindReview, 502), now);
        assert_eq!(entry.state, EntryState::Waiting);
        assert!(!entry.may_be_posted());
    }

    #[test]
    fn a_rate_limit_waits_for_its_reset() {
        let now = Timestamp::from_unix_secs(1_000_000);
        let limited = |reset: Option<i64>, retry_after_secs| SubmitError::GitHub {
            step: Step::PostReview,
            error: GitHubError::RateLimited {
                reset: reset.map(Timestamp::from_unix_secs),
                retry_after_secs,
            },
            posted: None,
        };
        let at = |error| next_attempt(1, &error, now).unix_secs();
        assert_eq!(at(limited(Some(1_003_600), None)), 1_003_600);
        assert_eq!(at(limited(None, Some(30))), 1_000_030);
        assert_eq!(at(limited(None, None)), 1_000_060);
    }
}
