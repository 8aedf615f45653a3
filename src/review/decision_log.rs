//! The decision log: every submitted verdict, one JSON object per line in
//! `<data dir>/decisions.jsonl`, chained so that edits, removals and reorderings are detected.
//!
//! Each line is a [`Decision`] whose `prev_hash` is the hex SHA-256 of the previous line's exact
//! bytes (without its newline; 64 zeros on the first line), followed by a last field
//! `"digest"`: the hex SHA-256 of the line's bytes before that field, with the closing `}`.
//! The digest lets [`verify`] name the record that was edited, the chain names the first
//! record that is out of place (records removed, inserted or reordered before it).
//!
//! Appends are one `write` of one line followed by `fsync`. A crash mid-write leaves a torn
//! last line, the start of a record without its newline: it is reported as such (not as
//! tampering), and the next append moves it aside to `decisions.jsonl.torn-<time>` so the chain
//! continues from the last whole record. Any other unreadable line, the last one included, is
//! damage or tampering.
//!
//! The chain cannot show that records were removed from, or rewritten at, its end: the anchor
//! ([`log_anchor`](super::log_anchor)) beside the log names the record count and the last
//! line's hash. The first append creates it; each append announces the new line's hash in it
//! before writing the record, and names the record in it after. A log with records and no
//! anchor is reported until the user adopts it as it is ([`DecisionLog::adopt_anchor`]).

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::checklist_state::ChecklistState;
use super::clock::{Clock, SystemClock, Timestamp};
use super::draft::Note;
use super::durable::{StoreError, aside_path, io_error, sync_dir};
use super::gates::Verdict;
use super::log_anchor::{
    self, Anchor, AnchorCheck, AnchorRead, GENESIS_HASH, anchor_path, read_anchor, write_anchor,
};
use crate::analysis::rules::{Finding, Risk};

/// The log's file name in the data directory.
pub const LOG_FILE: &str = "decisions.jsonl";

/// What closes every line: `,"digest":"<64 hex>"}`.
const DIGEST_PREFIX: &[u8] = b",\"digest\":\"";
/// Length of the `,"digest":"<64 hex>"}` suffix.
const DIGEST_SUFFIX_LEN: usize = DIGEST_PREFIX.len() + 64 + 2;

/// One finding as the log keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingSummary {
    /// Rule id.
    pub rule: String,
    /// Risk.
    pub risk: Risk,
    /// Repository-relative file.
    pub file: String,
    /// 1-based line (0 for a whole file).
    pub line: usize,
}

impl From<&Finding> for FindingSummary {
    fn from(finding: &Finding) -> Self {
        FindingSummary {
            rule: finding.rule.to_owned(),
            risk: finding.risk,
            file: finding.file.clone(),
            line: finding.line,
        }
    }
}

/// Where a verdict went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Destination {
    /// Posted as a GitHub review.
    GitHubReview {
        /// The review id.
        id: u64,
        /// Its URL.
        url: String,
        /// When the review was sent from the outbox: the entry it completes (an earlier record
        /// of the same verdict has `Outbox { id }` with this id). Absent in older records.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        outbox: Option<String>,
    },
    /// The intent to send, logged before the first request (older logs: queued after a
    /// failed send). A later record with the same outbox id says what became of it:
    /// `GitHubReview`, `Superseded` or `NotSent`; until then it waits in the outbox.
    Outbox {
        /// The outbox entry (the submission id).
        id: String,
    },
    /// Never posted: a newer verdict on the same PR was logged after it (sending it would put
    /// the stale verdict last on GitHub).
    Superseded {
        /// The outbox entry it completes.
        outbox: String,
        /// The newer submission (or, for a record without one, `review <GitHub review id>`).
        by: String,
    },
    /// Never posted: GitHub refused it before the review was created (or the PR moved, or it
    /// could not be kept on disk); the reviewer was told.
    NotSent {
        /// The outbox entry it completes.
        outbox: String,
        /// Why.
        reason: String,
    },
    /// Kept locally only (local checkout, no GitHub).
    LocalOnly,
}

impl Destination {
    /// The submission (outbox id) this record belongs to: its intent, its delivery from the
    /// outbox, or its fate. `None` for direct sends of older versions and local records.
    pub fn submission(&self) -> Option<&str> {
        match self {
            Destination::Outbox { id }
            | Destination::GitHubReview {
                outbox: Some(id), ..
            }
            | Destination::Superseded { outbox: id, .. }
            | Destination::NotSent { outbox: id, .. } => Some(id),
            Destination::GitHubReview { outbox: None, .. } | Destination::LocalOnly => None,
        }
    }

    /// Whether the record says its verdict was never sent (superseded, or not sent): it is
    /// not a verdict anyone gave GitHub, and no later than the one it stands for.
    pub fn is_unsent(&self) -> bool {
        matches!(
            self,
            Destination::Superseded { .. } | Destination::NotSent { .. }
        )
    }
}

/// One submitted verdict, with everything it was based on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// `owner/name`.
    pub repo: String,
    /// PR number.
    pub pr: u64,
    /// PR title (untrusted: sanitize before printing).
    pub title: String,
    /// The PR's head branch, when known (lets a local checkout tell whether the head moved).
    #[serde(default)]
    pub branch: Option<String>,
    /// Base commit.
    pub base_sha: String,
    /// Head commit the verdict is about.
    pub head_sha: String,
    /// The PR's risk.
    pub risk: Risk,
    /// The findings, by rule, risk and place.
    pub findings_summary: Vec<FindingSummary>,
    /// The checklist as it was ticked and waived (with the reasons).
    pub checklist: ChecklistState,
    /// The reviewer's notes.
    pub notes: Vec<Note>,
    /// The verdict.
    pub verdict: Verdict,
    /// Who decided.
    pub reviewer: String,
    /// When.
    pub time: Timestamp,
    /// Where the verdict went.
    pub destination: Destination,
    /// Hex SHA-256 of the previous line (set by [`DecisionLog::append`]).
    pub prev_hash: String,
}

/// A decision read back, with its 1-based line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Line in the log.
    pub line: usize,
    /// The decision.
    pub decision: Decision,
}

/// The last line of the log when a crash cut it short: the start of a record, without newline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TornTail {
    /// Its 1-based line.
    pub line: usize,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A whole line of the log that is not a decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadLine {
    /// Its 1-based line.
    pub line: usize,
    /// Why it cannot be read.
    pub error: String,
}

/// Everything [`read_all`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogRead {
    /// The readable decisions, in log order.
    pub records: Vec<Record>,
    /// Whole lines that are not decisions, the last one included (tampering or disk damage).
    pub bad_lines: Vec<BadLine>,
    /// A torn last line.
    pub torn_tail: Option<TornTail>,
    /// The hex SHA-256 of every whole line, in order (line `n` at index `n - 1`): the chain
    /// heads a review's marker can name.
    pub line_hashes: Vec<String>,
}

/// The first place the chain is broken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Break {
    /// The line is not a decision written by this log.
    Unreadable {
        /// 1-based line.
        line: usize,
        /// Why.
        error: String,
    },
    /// The record's contents do not match its digest: it was edited.
    Edited {
        /// 1-based line.
        line: usize,
    },
    /// The record does not follow the line before it: records were removed, inserted or
    /// reordered before it (or the previous record was rewritten with a new digest).
    OutOfChain {
        /// 1-based line.
        line: usize,
    },
}

impl Break {
    /// The line named.
    pub fn line(&self) -> usize {
        match self {
            Break::Unreadable { line, .. }
            | Break::Edited { line }
            | Break::OutOfChain { line } => *line,
        }
    }
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Break::Unreadable { line, error } => {
                write!(f, "line {line} is not a decision record: {error}")
            }
            Break::Edited { line } => {
                write!(
                    f,
                    "record at line {line} was edited (its digest does not match)"
                )
            }
            Break::OutOfChain { line: 1 } => f.write_str(
                "record at line 1 does not start the chain: records were removed before it",
            ),
            Break::OutOfChain { line } => {
                let previous = line - 1;
                write!(
                    f,
                    "record at line {line} does not follow line {previous}: records were \
                     removed, inserted or reordered before it, or line {previous} was rewritten"
                )
            }
        }
    }
}

/// What [`verify`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verification {
    /// Records checked and found in order (before the first break).
    pub verified: usize,
    /// The first break, if any.
    pub broken: Option<Break>,
    /// A torn last line (a crash mid-append; a warning, not tampering).
    pub torn_tail: Option<TornTail>,
    /// How the log's end compares with its anchor.
    pub anchor: AnchorCheck,
}

impl Verification {
    /// Whether no record was tampered with, and the anchor vouches for the log's end (a torn
    /// tail and an anchor one record behind, both left by a crash, are allowed).
    pub fn is_intact(&self) -> bool {
        self.broken.is_none() && !self.anchor.is_broken()
    }
}

/// What [`DecisionLog::append`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appended {
    /// The 1-based line of the new record.
    pub line: usize,
    /// The record as written (with its `prev_hash`).
    pub decision: Decision,
    /// The chain's head after this record: the hex SHA-256 of the line written (the next
    /// record's `prev_hash`).
    pub chain_head: String,
    /// A torn tail found before appending, and where it was moved.
    pub torn_tail_moved_to: Option<(TornTail, PathBuf)>,
    /// How the log's end compared with its anchor before appending. When it was broken (or
    /// missing beside records) the anchor was left as it was, so the break stays reported;
    /// otherwise it now names this record.
    pub anchor: AnchorCheck,
}

/// What [`DecisionLog::adopt_anchor`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Adoption {
    /// The anchor now names the log as it is.
    Adopted {
        /// Whole lines the anchor names.
        records: usize,
        /// The hash of the last of them.
        head: String,
        /// How the log compared with the anchor before (missing, or damaged).
        before: AnchorCheck,
    },
    /// Nothing to adopt: the anchor vouches for the log already (or a crash left it one
    /// record behind, which the next append repairs).
    NotNeeded(AnchorCheck),
    /// Refused: the anchor shows the log's end was changed, and adopting would hide it.
    Refused(AnchorCheck),
}

/// The decision log of one data directory.
pub struct DecisionLog {
    /// The JSON Lines file.
    path: PathBuf,
    /// Names torn tails moved aside.
    clock: Box<dyn Clock + Send + Sync>,
}

impl DecisionLog {
    /// The log `decisions.jsonl` of `data_dir`, with the system clock.
    pub fn in_dir(data_dir: impl AsRef<Path>) -> Self {
        Self::at(data_dir.as_ref().join(LOG_FILE), SystemClock)
    }

    /// The log at `path`, with `clock` naming the torn tails it moves aside.
    pub fn at(path: impl Into<PathBuf>, clock: impl Clock + Send + Sync + 'static) -> Self {
        DecisionLog {
            path: path.into(),
            clock: Box::new(clock),
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `decision` (its `prev_hash` is replaced by the hash of the last whole line) as
    /// one line, and syncs it to disk before returning. Unless the anchor showed tampering (or
    /// is missing beside records), the anchor first announces the new line's hash and then
    /// names it. Holds an exclusive lock on the file meanwhile, so two processes cannot
    /// interleave. A torn tail is first moved aside.
    ///
    /// # Errors
    /// [`StoreError`] when the log cannot be read, locked, or written, or the anchor cannot be
    /// read or written (after the record: the record is then in the log, and the anchor one
    /// behind with the record announced).
    pub fn append(&self, decision: &Decision) -> Result<Appended, StoreError> {
        let path = &self.path;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(io_error("create", dir))?;
        }
        let existed = path.exists();
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io_error("open", path))?;
        file.lock().map_err(io_error("lock", path))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(io_error("read", path))?;
        let lines = split_lines(&bytes);
        let torn_tail_moved_to = match torn_tail(&lines) {
            Some(tail) => Some(self.move_tail_aside(&file, &bytes, tail)?),
            None => None,
        };
        let whole = whole_lines(&lines);
        let hashes = line_hashes(whole);
        let anchor_file = anchor_path(path);
        let anchor = log_anchor::check(
            &read_anchor(&anchor_file).map_err(io_error("read", &anchor_file))?,
            &hashes,
        );
        let prev_hash = hashes
            .last()
            .cloned()
            .unwrap_or_else(|| GENESIS_HASH.to_owned());
        let decision = Decision {
            prev_hash: prev_hash.clone(),
            ..decision.clone()
        };
        let mut line = encode_line(&decision)?;
        let chain_head = sha256_hex(line.strip_suffix(b"\n").unwrap_or(&line));
        if whole.last().is_some_and(|last| !last.terminated) {
            // An unreadable last line without its newline stays a line of its own.
            line.insert(0, b'\n');
        }
        // A broken anchor stays as it is, so the break stays reported; so does a missing one
        // beside records (an empty log has none yet: this append creates it).
        let advance = matches!(anchor, AnchorCheck::Matches | AnchorCheck::OneBehind);
        if advance {
            let announced = Anchor {
                pending: Some(chain_head.clone()),
                ..Anchor::committed(whole.len(), prev_hash)
            };
            write_anchor(&anchor_file, &announced).map_err(io_error("write", &anchor_file))?;
        }
        file.write_all(&line).map_err(io_error("append to", path))?;
        file.sync_all().map_err(io_error("sync", path))?;
        if !existed && let Some(dir) = path.parent() {
            sync_dir(dir).map_err(io_error("flush", dir))?;
        }
        if advance {
            let named = Anchor::committed(whole.len() + 1, chain_head.clone());
            write_anchor(&anchor_file, &named).map_err(io_error("write", &anchor_file))?;
        }
        Ok(Appended {
            line: whole.len() + 1,
            chain_head,
            decision,
            torn_tail_moved_to,
            anchor,
        })
    }

    /// Writes the anchor for the log as it is (its whole lines), when the anchor is missing or
    /// damaged: from then on removals and rewrites at the end are detected, but whatever was
    /// done to the log before is trusted. An anchor that shows a break is not replaced
    /// ([`Adoption::Refused`]). Holds the log's exclusive lock meanwhile.
    ///
    /// # Errors
    /// [`StoreError`] when the log or the anchor cannot be read or locked, or the anchor
    /// cannot be written.
    pub fn adopt_anchor(&self) -> Result<Adoption, StoreError> {
        let path = &self.path;
        // No log: empty (an anchor left beside it then shows its records were removed).
        let mut bytes = Vec::new();
        let _locked = match File::open(path) {
            Ok(mut file) => {
                file.lock().map_err(io_error("lock", path))?;
                file.read_to_end(&mut bytes)
                    .map_err(io_error("read", path))?;
                Some(file)
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(error) => return Err(io_error("open", path)(error)),
        };
        let hashes = line_hashes(whole_lines(&split_lines(&bytes)));
        let anchor_file = anchor_path(path);
        let before = log_anchor::check(
            &read_anchor(&anchor_file).map_err(io_error("read", &anchor_file))?,
            &hashes,
        );
        match before {
            AnchorCheck::Missing | AnchorCheck::Unreadable { .. } => {}
            AnchorCheck::Matches | AnchorCheck::OneBehind => {
                return Ok(Adoption::NotNeeded(before));
            }
            AnchorCheck::Shorter { .. }
            | AnchorCheck::Rewritten { .. }
            | AnchorCheck::Ahead { .. } => return Ok(Adoption::Refused(before)),
        }
        let head = hashes
            .last()
            .cloned()
            .unwrap_or_else(|| GENESIS_HASH.to_owned());
        let anchor = Anchor::committed(hashes.len(), head.clone());
        write_anchor(&anchor_file, &anchor).map_err(io_error("write", &anchor_file))?;
        Ok(Adoption::Adopted {
            records: hashes.len(),
            head,
            before,
        })
    }

    /// Copies a torn tail to `decisions.jsonl.torn-<time>` and cuts it from the log.
    fn move_tail_aside(
        &self,
        file: &File,
        bytes: &[u8],
        tail: TornTail,
    ) -> Result<(TornTail, PathBuf), StoreError> {
        let aside = aside_path(&self.path, "torn", self.clock.now());
        super::durable::write_atomically(&aside, &tail.bytes).map_err(io_error("write", &aside))?;
        let keep = bytes.len() - tail.bytes.len();
        file.set_len(keep as u64)
            .map_err(io_error("truncate", &self.path))?;
        file.sync_all().map_err(io_error("sync", &self.path))?;
        Ok((tail, aside))
    }
}

/// Reads every decision of the log at `path` (an absent log is empty).
///
/// # Errors
/// [`StoreError`] when the file exists but cannot be read.
pub fn read_all(path: &Path) -> Result<LogRead, StoreError> {
    let bytes = read_log(path)?;
    let lines = split_lines(&bytes);
    let whole = whole_lines(&lines);
    let mut read = LogRead {
        torn_tail: torn_tail(&lines),
        line_hashes: line_hashes(whole),
        ..LogRead::default()
    };
    for line in whole {
        match parse_decision(line.bytes) {
            Ok(decision) => read.records.push(Record {
                line: line.number,
                decision,
            }),
            Err(error) => read.bad_lines.push(BadLine {
                line: line.number,
                error,
            }),
        }
    }
    Ok(read)
}

/// Checks the chain of the log at `path`: names the first record that was edited, that does not
/// follow the line before it, or that is not a decision; compares the log's end with its
/// anchor; a torn last line is reported apart. Holds a shared lock on the log meanwhile, so an
/// append in another process is not seen half done (its record written, its anchor not yet).
///
/// # Errors
/// [`StoreError`] when the log or its anchor exists but cannot be read.
pub fn verify(path: &Path) -> Result<Verification, StoreError> {
    let (bytes, anchor) = read_log_and_anchor(path)?;
    let lines = split_lines(&bytes);
    let whole = whole_lines(&lines);
    let mut verification = Verification {
        torn_tail: torn_tail(&lines),
        anchor: log_anchor::check(&anchor, &line_hashes(whole)),
        ..Verification::default()
    };
    let mut expected_prev = GENESIS_HASH.to_owned();
    for line in whole {
        if let Some(broken) = check_line(line, &expected_prev) {
            verification.broken = Some(broken);
            break;
        }
        verification.verified += 1;
        expected_prev = sha256_hex(line.bytes);
    }
    Ok(verification)
}

/// The break at `line`, if it is not the intact successor of a line hashing to `expected_prev`.
fn check_line(line: &Line<'_>, expected_prev: &str) -> Option<Break> {
    let number = line.number;
    let decision = match parse_decision(line.bytes) {
        Ok(decision) => decision,
        Err(error) => {
            return Some(Break::Unreadable {
                line: number,
                error,
            });
        }
    };
    if !digest_matches(line.bytes) {
        return Some(Break::Edited { line: number });
    }
    (decision.prev_hash != expected_prev).then_some(Break::OutOfChain { line: number })
}

/// The log's bytes and its anchor, read under a shared lock on the log (no log: empty, and
/// whatever anchor there is).
fn read_log_and_anchor(path: &Path) -> Result<(Vec<u8>, AnchorRead), StoreError> {
    let anchor_file = anchor_path(path);
    let read_anchor_file = || read_anchor(&anchor_file).map_err(io_error("read", &anchor_file));
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok((Vec::new(), read_anchor_file()?));
        }
        Err(error) => return Err(io_error("open", path)(error)),
    };
    file.lock_shared().map_err(io_error("lock", path))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(io_error("read", path))?;
    Ok((bytes, read_anchor_file()?))
}

/// The log's bytes; empty when it does not exist.
fn read_log(path: &Path) -> Result<Vec<u8>, StoreError> {
    match fs::read(path) {
        Ok(bytes) => Ok(bytes),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(error) => Err(io_error("read", path)(error)),
    }
}

/// One line of the log.
#[derive(Clone, Copy, Debug)]
struct Line<'a> {
    /// 1-based.
    number: usize,
    /// Without the newline.
    bytes: &'a [u8],
    /// Whether it ends with a newline.
    terminated: bool,
}

/// Splits the log into lines (a last line without newline included).
fn split_lines(bytes: &[u8]) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let (line, terminated, next) = match rest.iter().position(|&b| b == b'\n') {
            Some(end) => (&rest[..end], true, &rest[end + 1..]),
            None => (rest, false, &rest[rest.len()..]),
        };
        lines.push(Line {
            number: lines.len() + 1,
            bytes: line,
            terminated,
        });
        rest = next;
    }
    lines
}

/// The last line, when it is what a crash mid-append leaves: the start of a JSON object
/// (possibly all of it) without the newline that ends every record. Anything else at the end
/// is a whole line, read (and checked) as such.
fn torn_tail(lines: &[Line<'_>]) -> Option<TornTail> {
    let last = lines.last()?;
    (!last.terminated && is_json_object_prefix(last.bytes)).then(|| TornTail {
        line: last.number,
        bytes: last.bytes.to_vec(),
    })
}

/// Whether `bytes` are the start (or all) of a JSON object: parsing them fails only by
/// running out of input.
fn is_json_object_prefix(bytes: &[u8]) -> bool {
    bytes.first() == Some(&b'{')
        && match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
            Ok(_) => true,
            Err(error) => error.is_eof(),
        }
}

/// The hex SHA-256 of each line.
fn line_hashes(lines: &[Line<'_>]) -> Vec<String> {
    lines.iter().map(|line| sha256_hex(line.bytes)).collect()
}

/// The lines before a torn tail (all of them when there is none).
fn whole_lines<'a, 'b>(lines: &'b [Line<'a>]) -> &'b [Line<'a>] {
    match (torn_tail(lines), lines.split_last()) {
        (Some(_), Some((_, whole))) => whole,
        _ => lines,
    }
}

/// Parses one line as a decision (the digest field is ignored here).
fn parse_decision(bytes: &[u8]) -> Result<Decision, String> {
    serde_json::from_slice(bytes).map_err(|error| error.to_string())
}

/// The line written for `decision`: its JSON with a last `"digest"` field, and a newline.
fn encode_line(decision: &Decision) -> Result<Vec<u8>, StoreError> {
    let mut body = serde_json::to_vec(decision)?;
    let digest = sha256_hex(&body);
    body.pop();
    body.extend_from_slice(DIGEST_PREFIX);
    body.extend_from_slice(digest.as_bytes());
    body.extend_from_slice(b"\"}\n");
    Ok(body)
}

/// Whether the line ends with the digest of the rest of it.
fn digest_matches(line: &[u8]) -> bool {
    let Some(split) = line.len().checked_sub(DIGEST_SUFFIX_LEN) else {
        return false;
    };
    let (body, suffix) = line.split_at(split);
    let Some(digest) = suffix
        .strip_prefix(DIGEST_PREFIX)
        .and_then(|rest| rest.strip_suffix(b"\"}"))
    else {
        return false;
    };
    let mut hashed = body.to_vec();
    hashed.push(b'}');
    digest == sha256_hex(&hashed).as_bytes()
}

/// Lower-case hex SHA-256.
fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::clock::FixedClock;

    fn decision(pr: u64) -> Decision {
        Decision {
            repo: "acme/shop".into(),
            pr,
            title: "Drop \"legacy\", add\nindex".into(),
            branch: Some("feature".into()),
            base_sha: "b".repeat(40),
            head_sha: "a".repeat(40),
            risk: Risk::High,
            findings_summary: Vec::new(),
            checklist: ChecklistState::default(),
            notes: Vec::new(),
            verdict: Verdict::Approve,
            reviewer: "ana".into(),
            time: Timestamp::from_unix_secs(1_000 + i64::try_from(pr).unwrap()),
            destination: Destination::LocalOnly,
            prev_hash: "ignored".into(),
        }
    }

    fn log(dir: &Path) -> DecisionLog {
        DecisionLog::at(dir.join(LOG_FILE), FixedClock(Timestamp::from_unix_secs(0)))
    }

    #[test]
    fn appends_chain_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let log = log(dir.path());
        let first = log.append(&decision(1)).unwrap();
        let second = log.append(&decision(2)).unwrap();
        assert_eq!((first.line, second.line), (1, 2));
        assert_eq!(first.decision.prev_hash, GENESIS_HASH);
        let bytes = fs::read(log.path()).unwrap();
        let first_line = &bytes[..bytes.iter().position(|&b| b == b'\n').unwrap()];
        assert_eq!(second.decision.prev_hash, sha256_hex(first_line));
        assert_eq!(first.chain_head, second.decision.prev_hash);
        let read = read_all(log.path()).unwrap();
        let back: Vec<_> = read.records.into_iter().map(|r| r.decision).collect();
        assert_eq!(back, [first.decision, second.decision]);
        let verification = verify(log.path()).unwrap();
        assert_eq!(verification.verified, 2);
        assert!(verification.is_intact() && verification.torn_tail.is_none());
    }

    #[test]
    fn an_absent_log_is_empty_and_intact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOG_FILE);
        assert_eq!(read_all(&path).unwrap(), LogRead::default());
        assert_eq!(verify(&path).unwrap(), Verification::default());
    }

    #[test]
    fn a_torn_tail_is_moved_aside_before_appending() {
        let dir = tempfile::tempdir().unwrap();
        let log = log(dir.path());
        log.append(&decision(1)).unwrap();
        let mut file = OpenOptions::new().append(true).open(log.path()).unwrap();
        file.write_all(b"{\"repo\":\"acme").unwrap();
        let torn = verify(log.path()).unwrap();
        assert!(torn.is_intact());
        assert_eq!(torn.torn_tail.as_ref().map(|t| t.line), Some(2));

        let appended = log.append(&decision(2)).unwrap();
        let (tail, aside) = appended.torn_tail_moved_to.unwrap();
        assert_eq!(tail.bytes, b"{\"repo\":\"acme");
        assert_eq!(fs::read(aside).unwrap(), b"{\"repo\":\"acme");
        assert_eq!(appended.line, 2);
        let after = verify(log.path()).unwrap();
        assert_eq!((after.verified, after.torn_tail), (2, None));
    }

    #[test]
    fn a_digest_must_close_the_line() {
        let line = encode_line(&decision(1)).unwrap();
        let line = &line[..line.len() - 1];
        assert!(digest_matches(line));
        assert!(!digest_matches(&line[1..]));
        assert!(!digest_matches(b"{}"));
        let edited = String::from_utf8(line.to_vec())
            .unwrap()
            .replace("ana", "bob");
        assert!(!digest_matches(edited.as_bytes()));
    }
}
