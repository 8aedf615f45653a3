//! The outbox: submissions that failed for a passing reason (network, timeout, 5xx, rate
//! limit), kept on disk until they are delivered. One file per submission,
//! `<data dir>/outbox/<id>.json`, written atomically. A file that cannot be read back is moved
//! aside to `*.corrupt-<time>` and reported, never dropped.
//!
//! Each entry keeps the decision record logged when it was queued, so that the record logged
//! on delivery names the same verdict, checklist and notes.
//!
//! Whoever sends an entry first [claims](Outbox::claim) it: an exclusive lock on `<id>.lock`,
//! released when the claim is dropped or the process ends, so the console and a `schemagate
//! submit --retry` in another terminal never send the same entry at the same time (each would
//! find no earlier review and post one).

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::GitHubError;
use super::submit::{Submission, SubmitError};
use crate::review::draft::path_segment;
use crate::review::durable::{aside_path, io_error, sync_dir, write_atomically};
use crate::review::{Decision, SetAside, StoreError, Timestamp};

/// The outbox's directory in the data directory.
pub const OUTBOX_DIR: &str = "outbox";

/// The first retry waits this long; each further failure doubles it.
const FIRST_BACKOFF_SECS: i64 = 60;

/// The longest wait between two attempts.
const MAX_BACKOFF_SECS: i64 = 6 * 60 * 60;

/// One queued submission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// What to post.
    pub submission: Submission,
    /// The decision as logged when it was queued (destination `Outbox`).
    pub decision: Decision,
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
    /// A new entry after the first attempt failed with `error` at `now`.
    pub fn new(
        submission: Submission,
        decision: Decision,
        error: &SubmitError,
        now: Timestamp,
    ) -> OutboxEntry {
        let mut entry = OutboxEntry {
            submission,
            decision,
            attempts: 0,
            last_error: String::new(),
            last_attempt_at: now,
            next_attempt_at: now,
        };
        entry.failed(error, now);
        entry
    }

    /// Records one more failed attempt.
    pub fn failed(&mut self, error: &SubmitError, now: Timestamp) {
        self.attempts = self.attempts.saturating_add(1);
        self.last_error = error.to_string();
        self.last_attempt_at = now;
        self.next_attempt_at = next_attempt(self.attempts, error, now);
    }

    /// Whether the back-off is over at `now`.
    pub fn is_due(&self, now: Timestamp) -> bool {
        self.next_attempt_at <= now
    }
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
    /// The readable entries, oldest submission first.
    pub entries: Vec<OutboxEntry>,
    /// Files that could not be read, now moved aside.
    pub set_aside: Vec<SetAside>,
}

/// An exclusive claim on one outbox entry ([`Outbox::claim`]), held until dropped.
#[derive(Debug)]
pub struct Claim {
    /// The locked file (the lock goes with it).
    _file: File,
    /// `<outbox>/<id>.lock`.
    path: PathBuf,
}

impl Claim {
    /// Lets go of an entry that was delivered (or dropped) and removed: the lock file goes too.
    pub fn release_delivered(self) {
        // Removed while still locked, so no other sender can take the emptied place for the
        // entry; a leftover file is harmless.
        let _ = fs::remove_file(&self.path);
    }
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

    /// Writes `entry` (replacing an earlier version of it) atomically.
    ///
    /// # Errors
    /// [`StoreError`] when it cannot be written; an earlier version is then intact.
    pub fn save(&self, entry: &OutboxEntry) -> Result<PathBuf, StoreError> {
        let path = self.path(&entry.submission.id);
        let json = serde_json::to_vec_pretty(entry)?;
        write_atomically(&path, &json).map_err(io_error("write", &path))?;
        Ok(path)
    }

    /// Claims the entry `id` for sending: `None` when another sender holds it, or when the entry
    /// is gone (delivered by the sender that held it before).
    ///
    /// # Errors
    /// [`StoreError`] when the lock file cannot be created or locked.
    pub fn claim(&self, id: &str) -> Result<Option<Claim>, StoreError> {
        let path = self.dir.join(format!("{}.lock", path_segment(id)));
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_error("create", &path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Ok(None),
            Err(TryLockError::Error(error)) => return Err(io_error("lock", &path)(error)),
        }
        // Checked under the lock: a sender that delivered it removed it before letting go.
        if !self.path(id).is_file() {
            let _ = fs::remove_file(&path);
            return Ok(None);
        }
        Ok(Some(Claim { _file: file, path }))
    }

    /// Removes the entry `id` once delivered (absent is fine).
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
            let bytes = fs::read(&path).map_err(io_error("read", &path))?;
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
            (a.submission.created_at, &a.submission.id)
                .cmp(&(b.submission.created_at, &b.submission.id))
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
    use crate::github::submit::Step;

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
