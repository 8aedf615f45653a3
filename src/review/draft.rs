//! Drafts: a reviewer's unfinished work on one PR at one head commit (ticks, waivers, notes,
//! the verdict they lean to), saved atomically on every change so nothing is ever lost, and
//! carried over to a new head when the author pushes.
//!
//! Layout: `<data dir>/drafts/<owner>__<name>/<pr>/<head_sha>.json`, beside it the lock file
//! `<head_sha>.lock`. A file that cannot be read back is never dropped silently: it is renamed to
//! `*.corrupt-<time>` and reported.
//!
//! Several processes may work on one draft at once (two consoles, a console and `submit`), so a
//! draft is never written whole from memory: [`DraftStore::apply`] takes the *changes* one
//! reviewer made ([`DraftChange`]: tick, waive, re-open, note, verdict...) and, holding the
//! draft's lock, re-reads the file, applies them, writes it atomically and returns the merged
//! draft, which the caller adopts (and so sees the other process's work too). Changes to
//! different items, and notes, all survive. Two changes to the *same* item resolve last writer
//! wins: the change applied last decides that item's state (and the verdict).
//!
//! Text being typed (a waiver reason, a note) is saved as it is typed, through the same
//! [`DraftStore::apply`], as a pending field of the draft ([`PendingText`]); confirming or
//! cancelling the prompt clears it. Keystroke saves are not flushed to disk (an fsync per key
//! would slow typing): a killed process loses none of them, since the kernel keeps what was
//! written; a power cut may lose the last keystrokes. Every other change is flushed.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::checklist_state::ChecklistState;
use super::clock::{Clock, SystemClock, Timestamp};
use super::durable::{
    StoreError, aside_path, io_error, lock_exclusive, sync_dir, write_atomically,
    write_atomically_unflushed,
};
use super::gates::Verdict;

/// The file extension of drafts.
const DRAFT_EXTENSION: &str = "json";
/// The file extension of a draft's lock file.
const LOCK_EXTENSION: &str = "lock";

/// A note a reviewer attached to the PR, or to one line of one file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// What the reviewer wrote.
    pub text: String,
    /// The repository-relative file it is about, if any.
    pub file: Option<String>,
    /// The 1-based line it is about, if any.
    pub line: Option<usize>,
}

impl Note {
    /// The file and line the note is about, when it is about one.
    pub fn place(&self) -> Option<(String, usize)> {
        self.file.clone().zip(self.line)
    }
}

/// What the text typed in a prompt is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Prompt {
    /// The reason to waive a checklist item.
    Waiver {
        /// The item's id.
        item: String,
    },
    /// A note on the PR (`place` is `None`) or on one line of one file.
    Note {
        /// The file and 1-based line the note is about.
        place: Option<(String, usize)>,
    },
}

/// Text a reviewer is typing and has neither confirmed nor cancelled yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingText {
    /// What it is for.
    pub prompt: Prompt,
    /// What was typed so far.
    pub text: String,
    /// When it was last typed in.
    pub updated_at: Timestamp,
}

/// One change a reviewer makes to a draft; [`DraftStore::apply`] merges it into the draft on
/// disk. Every change to an item also clears its "look again" mark (the reviewer looked).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DraftChange {
    /// Ticks an item.
    Tick {
        /// The item's id.
        item: String,
        /// Who ticked it.
        by: String,
    },
    /// Waives an item with a reason; the reason being typed for it is cleared.
    Waive {
        /// The item's id.
        item: String,
        /// Who waived it.
        by: String,
        /// Why.
        reason: String,
    },
    /// Re-opens an item: unticks or unwaives it.
    Reopen {
        /// The item's id.
        item: String,
    },
    /// The reviewer looked again at an item carried over from an earlier head: the mark goes,
    /// its tick or waiver stays.
    LookedAgain {
        /// The item's id.
        item: String,
    },
    /// Adds a note; the note being typed at its place is cleared.
    AddNote(Note),
    /// Chooses the verdict (or clears the choice).
    Verdict(Option<Verdict>),
    /// The evidence texts the head shows, by item id (a later head's carry-over compares with
    /// them).
    Evidence(BTreeMap<String, String>),
    /// The text typed so far in a prompt (saved on every keystroke, not flushed to disk); an
    /// empty text clears it.
    Typing {
        /// What the text is for.
        prompt: Prompt,
        /// The text.
        text: String,
    },
    /// The prompt was confirmed or cancelled: its text is no longer pending.
    StopTyping(Prompt),
}

impl DraftChange {
    /// Whether this is a keystroke save (not worth an fsync).
    fn is_typing(&self) -> bool {
        matches!(self, DraftChange::Typing { .. })
    }
}

/// A reviewer's work in progress on one PR at one head commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// `owner/name`.
    pub repo: String,
    /// PR number.
    pub pr: u64,
    /// The head commit the work is about.
    pub head_sha: String,
    /// Ticks and waivers.
    pub state: ChecklistState,
    /// Notes.
    pub notes: Vec<Note>,
    /// The verdict chosen but not yet submitted.
    pub verdict: Option<Verdict>,
    /// Item id -> the evidence text the item showed when last seen.
    #[serde(default)]
    pub evidence: BTreeMap<String, String>,
    /// Items whose evidence changed since an earlier head: their ticks and waivers were kept,
    /// and the reviewer should look at them again.
    #[serde(default)]
    pub second_look: BTreeSet<String>,
    /// Text being typed in prompts, one per prompt (two consoles may type at once).
    #[serde(default)]
    pub pending: Vec<PendingText>,
    /// When the draft last changed.
    pub updated_at: Timestamp,
}

impl Draft {
    /// An empty draft.
    pub fn new(repo: &str, pr: u64, head_sha: &str, now: Timestamp) -> Self {
        Draft {
            repo: repo.to_owned(),
            pr,
            head_sha: head_sha.to_owned(),
            state: ChecklistState::default(),
            notes: Vec::new(),
            verdict: None,
            evidence: BTreeMap::new(),
            second_look: BTreeSet::new(),
            pending: Vec::new(),
            updated_at: now,
        }
    }

    /// The text typed most recently in a prompt and not confirmed or cancelled yet.
    pub fn latest_pending(&self) -> Option<&PendingText> {
        self.pending.iter().max_by_key(|pending| pending.updated_at)
    }

    /// Applies one change made at `now`.
    fn apply(&mut self, change: &DraftChange, now: Timestamp) {
        match change {
            DraftChange::Tick { item, by } => {
                self.state.tick(item, by);
                self.second_look.remove(item);
            }
            DraftChange::Waive { item, by, reason } => {
                self.state.waive(item, by, reason);
                self.second_look.remove(item);
                self.stop_typing(&Prompt::Waiver { item: item.clone() });
            }
            DraftChange::Reopen { item } => {
                self.state.reopen(item);
                self.second_look.remove(item);
            }
            DraftChange::LookedAgain { item } => {
                self.second_look.remove(item);
            }
            DraftChange::AddNote(note) => {
                self.notes.push(note.clone());
                self.stop_typing(&Prompt::Note {
                    place: note.place(),
                });
            }
            DraftChange::Verdict(verdict) => self.verdict = *verdict,
            DraftChange::Evidence(evidence) => self.evidence = evidence.clone(),
            DraftChange::Typing { prompt, text } if text.is_empty() => self.stop_typing(prompt),
            DraftChange::Typing { prompt, text } => {
                let typed = PendingText {
                    prompt: prompt.clone(),
                    text: text.clone(),
                    updated_at: now,
                };
                match self.pending.iter_mut().find(|p| p.prompt == *prompt) {
                    Some(pending) => *pending = typed,
                    None => self.pending.push(typed),
                }
            }
            DraftChange::StopTyping(prompt) => self.stop_typing(prompt),
        }
    }

    /// Drops the pending text of `prompt`.
    fn stop_typing(&mut self, prompt: &Prompt) {
        self.pending.retain(|pending| pending.prompt != *prompt);
    }

    /// This draft moved to `new_head`: everything the reviewer did is kept, the evidence is the
    /// current one, and every ticked or waived item whose evidence text changed is flagged for a
    /// second look (flags not yet cleared stay).
    fn carried_to(
        &self,
        new_head: &str,
        current_evidence: &BTreeMap<String, String>,
        now: Timestamp,
    ) -> Draft {
        let mut second_look = self.second_look.clone();
        // Only what the reviewer resolved needs a second look; open items are looked at anyway.
        second_look.extend(
            changed_items(&self.evidence, current_evidence)
                .into_iter()
                .filter(|item| self.state.get(item).is_resolved()),
        );
        Draft {
            head_sha: new_head.to_owned(),
            evidence: current_evidence.clone(),
            second_look,
            updated_at: now,
            ..self.clone()
        }
    }

    /// Whether the draft is about this PR at this head.
    fn is_for(&self, repo: &str, pr: u64, head_sha: &str) -> bool {
        self.repo == repo && self.pr == pr && self.head_sha == head_sha
    }
}

/// Items whose evidence differs between `before` and `after` (added, removed or changed).
fn changed_items(
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> BTreeSet<String> {
    before
        .keys()
        .chain(after.keys())
        .filter(|item| before.get(*item) != after.get(*item))
        .cloned()
        .collect()
}

/// A draft file that could not be read back, now renamed aside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetAside {
    /// Where the file is now.
    pub path: PathBuf,
    /// Why it could not be read.
    pub error: String,
}

/// What [`DraftStore::load`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadOutcome {
    /// The draft.
    Loaded(Draft),
    /// No draft for this PR at this head.
    None,
    /// A draft file existed but was damaged; it was moved aside (the reviewer starts afresh
    /// and should be told).
    SetAside(SetAside),
}

/// What [`DraftStore::apply`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    /// The draft as saved: what was on disk with the changes applied.
    pub draft: Draft,
    /// The damaged file that was on disk, now moved aside (the changes went into a new draft).
    pub set_aside: Option<SetAside>,
}

/// A draft saved offline under another repository name, now kept under the asked one too
/// ([`DraftStore::adopt_from_other_repo`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Adopted {
    /// The draft, under the asked repository name.
    pub draft: Draft,
    /// The repository name it was saved under.
    pub from_repo: String,
}

/// What [`DraftStore::carry_over`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Carried {
    /// A draft at the new head existed already; nothing was copied.
    Existing(Draft),
    /// The newest draft at another head was copied to the new head (and saved).
    Copied {
        /// The new draft.
        draft: Draft,
        /// The head it was copied from.
        from_head: String,
    },
    /// The PR has no draft at any head.
    Nothing,
}

/// The result of [`DraftStore::carry_over`], with the damaged files met on the way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CarryOver {
    /// What was done.
    pub carried: Carried,
    /// Damaged draft files of this PR that were moved aside.
    pub set_aside: Vec<SetAside>,
}

/// Drafts on disk, under `<data dir>/drafts/`.
pub struct DraftStore {
    /// `<data dir>/drafts`.
    root: PathBuf,
    /// Names the files set aside.
    clock: Box<dyn Clock + Send + Sync>,
}

impl DraftStore {
    /// The drafts of the data directory `data_dir`, with the system clock.
    pub fn new(data_dir: impl AsRef<Path>) -> Self {
        Self::with_clock(data_dir, SystemClock)
    }

    /// The drafts of `data_dir`, with `clock` for the times the store itself writes.
    pub fn with_clock(
        data_dir: impl AsRef<Path>,
        clock: impl Clock + Send + Sync + 'static,
    ) -> Self {
        DraftStore {
            root: data_dir.as_ref().join("drafts"),
            clock: Box::new(clock),
        }
    }

    /// Where the draft of `repo` PR `pr` at `head_sha` lives.
    pub fn path(&self, repo: &str, pr: u64, head_sha: &str) -> PathBuf {
        self.pr_dir(repo, pr)
            .join(format!("{}.{DRAFT_EXTENSION}", path_segment(head_sha)))
    }

    /// Merges `changes`, made at `now`, into the draft of `repo` PR `pr` at `head_sha`: under
    /// the draft's lock, re-reads the file (an empty draft when there is none), applies them in
    /// order, writes it atomically (flushed to disk unless every change is
    /// [`DraftChange::Typing`]) and returns the merged draft. A damaged file is moved aside and
    /// reported; the changes then start a new draft.
    ///
    /// # Errors
    /// [`StoreError`] when the lock cannot be taken (another process held it for seconds) or a
    /// file cannot be read, moved aside or written; the previous save is then intact.
    pub fn apply(
        &self,
        repo: &str,
        pr: u64,
        head_sha: &str,
        changes: &[DraftChange],
        now: Timestamp,
    ) -> Result<Applied, StoreError> {
        self.locked(repo, pr, head_sha, |path| {
            let (current, set_aside) = self.read_current(path, repo, pr, head_sha)?;
            let mut draft = current.unwrap_or_else(|| Draft::new(repo, pr, head_sha, now));
            for change in changes {
                draft.apply(change, now);
            }
            draft.updated_at = now;
            let flush = !changes.iter().all(DraftChange::is_typing);
            write_draft(path, &draft, flush)?;
            Ok(Applied { draft, set_aside })
        })
    }

    /// Loads the draft of `repo` PR `pr` at `head_sha`. A damaged file (not JSON, not a draft,
    /// or a draft of another PR) is moved aside and reported, never dropped.
    ///
    /// # Errors
    /// [`StoreError`] when the file exists but cannot be read or moved aside.
    pub fn load(&self, repo: &str, pr: u64, head_sha: &str) -> Result<LoadOutcome, StoreError> {
        let path = self.path(repo, pr, head_sha);
        match read_draft(&path)? {
            None => return Ok(LoadOutcome::None),
            Some(Ok(draft)) if draft.is_for(repo, pr, head_sha) => {
                return Ok(LoadOutcome::Loaded(draft));
            }
            // Damaged: look again under the lock, so a file another process has just replaced
            // is never moved aside.
            Some(_) => {}
        }
        self.locked(repo, pr, head_sha, |path| {
            Ok(match self.read_current(path, repo, pr, head_sha)? {
                (Some(draft), _) => LoadOutcome::Loaded(draft),
                (None, Some(aside)) => LoadOutcome::SetAside(aside),
                (None, None) => LoadOutcome::None,
            })
        })
    }

    /// Runs `work` on the path of the draft of `repo` PR `pr` at `head_sha` while holding the
    /// draft's lock: the one way a draft file is written.
    fn locked<T>(
        &self,
        repo: &str,
        pr: u64,
        head_sha: &str,
        work: impl FnOnce(&Path) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let path = self.path(repo, pr, head_sha);
        let lock_path = path.with_extension(LOCK_EXTENSION);
        let _lock = lock_exclusive(&lock_path).map_err(io_error("lock", &lock_path))?;
        work(&path)
    }

    /// The draft in the file at `path` (called under its lock), or the damaged file moved aside.
    fn read_current(
        &self,
        path: &Path,
        repo: &str,
        pr: u64,
        head_sha: &str,
    ) -> Result<(Option<Draft>, Option<SetAside>), StoreError> {
        let error = match read_draft(path)? {
            None => return Ok((None, None)),
            Some(Ok(draft)) if draft.is_for(repo, pr, head_sha) => return Ok((Some(draft), None)),
            Some(Ok(draft)) => format!(
                "the file holds the draft of {} #{} at {}",
                draft.repo, draft.pr, draft.head_sha
            ),
            Some(Err(error)) => error,
        };
        Ok((None, Some(self.set_aside(path, error)?)))
    }

    /// The head of `repo` PR `pr` moved to `new_head`: unless a draft exists there already,
    /// copies the newest draft at another head (ticks, waivers, notes, verdict) to it, flags
    /// for a second look every item whose evidence text differs from `current_evidence`
    /// (nothing is reopened), and saves it.
    ///
    /// # Errors
    /// [`StoreError`] when a file cannot be read, moved aside or written.
    pub fn carry_over(
        &self,
        repo: &str,
        pr: u64,
        new_head: &str,
        current_evidence: &BTreeMap<String, String>,
    ) -> Result<CarryOver, StoreError> {
        let mut set_aside = Vec::new();
        match self.load(repo, pr, new_head)? {
            LoadOutcome::Loaded(draft) => {
                return Ok(CarryOver {
                    carried: Carried::Existing(draft),
                    set_aside,
                });
            }
            LoadOutcome::SetAside(aside) => set_aside.push(aside),
            LoadOutcome::None => {}
        }
        let Some(old) = self.newest_elsewhere(repo, pr, new_head, &mut set_aside)? else {
            return Ok(CarryOver {
                carried: Carried::Nothing,
                set_aside,
            });
        };
        let carried = self.locked(repo, pr, new_head, |path| {
            // Another process may have started the draft at the new head meanwhile.
            let (current, aside) = self.read_current(path, repo, pr, new_head)?;
            set_aside.extend(aside);
            if let Some(current) = current {
                return Ok(Carried::Existing(current));
            }
            let draft = old.carried_to(new_head, current_evidence, self.clock.now());
            write_draft(path, &draft, true)?;
            Ok(Carried::Copied {
                draft,
                from_head: old.head_sha,
            })
        })?;
        Ok(CarryOver { carried, set_aside })
    }

    /// The newest draft of PR `pr` at `head_sha` saved under another repository name (work done
    /// offline on a local checkout), copied under `repo` so it is kept there from now on. When a draft appeared under `repo` meanwhile, that one is returned and nothing is
    /// copied. `None` when there is no such draft.
    ///
    /// # Errors
    /// [`StoreError`] when a file cannot be listed, read, moved aside or written.
    pub fn adopt_from_other_repo(
        &self,
        repo: &str,
        pr: u64,
        head_sha: &str,
    ) -> Result<Option<Adopted>, StoreError> {
        let Some(offline) = self.find_under_other_repo(repo, pr, head_sha)? else {
            return Ok(None);
        };
        let from_repo = offline.repo.clone();
        self.locked(repo, pr, head_sha, |path| {
            let draft = match self.read_current(path, repo, pr, head_sha)? {
                (Some(current), _) => current,
                (None, _) => {
                    let draft = Draft {
                        repo: repo.to_owned(),
                        ..offline
                    };
                    write_draft(path, &draft, true)?;
                    draft
                }
            };
            Ok(Some(Adopted { draft, from_repo }))
        })
    }

    /// The most recently updated readable draft of the PR at a head other than `head_sha`;
    /// damaged files met are moved aside and added to `set_aside`.
    fn newest_elsewhere(
        &self,
        repo: &str,
        pr: u64,
        head_sha: &str,
        set_aside: &mut Vec<SetAside>,
    ) -> Result<Option<Draft>, StoreError> {
        let mut newest: Option<Draft> = None;
        for head in self.heads_on_disk(repo, pr)? {
            if head == path_segment(head_sha) {
                continue;
            }
            let path = self
                .pr_dir(repo, pr)
                .join(format!("{head}.{DRAFT_EXTENSION}"));
            let draft = match read_draft(&path)? {
                Some(Ok(draft)) if draft.repo == repo && draft.pr == pr => draft,
                Some(Ok(_)) => {
                    set_aside.push(self.set_aside(&path, "the file holds another PR's draft")?);
                    continue;
                }
                Some(Err(error)) => {
                    set_aside.push(self.set_aside(&path, error)?);
                    continue;
                }
                None => continue,
            };
            let key = |d: &Draft| (d.updated_at, d.head_sha.clone());
            if newest.as_ref().is_none_or(|best| key(&draft) > key(best)) {
                newest = Some(draft);
            }
        }
        Ok(newest)
    }

    /// The file stems of the PR's drafts (one per head), in name order.
    fn heads_on_disk(&self, repo: &str, pr: u64) -> Result<Vec<String>, StoreError> {
        let dir = self.pr_dir(repo, pr);
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(io_error("list", &dir)(error)),
        };
        let mut heads = Vec::new();
        for entry in entries {
            let name = entry.map_err(io_error("list", &dir))?.file_name();
            let stem = name
                .to_str()
                .and_then(|name| name.strip_suffix(&format!(".{DRAFT_EXTENSION}")));
            if let Some(stem) = stem {
                heads.push(stem.to_owned());
            }
        }
        heads.sort();
        Ok(heads)
    }

    /// Renames a damaged file to `*.corrupt-<time>` and flushes the directory.
    fn set_aside(&self, path: &Path, error: impl Into<String>) -> Result<SetAside, StoreError> {
        let aside = aside_path(path, "corrupt", self.clock.now());
        fs::rename(path, &aside).map_err(io_error("move aside", path))?;
        if let Some(dir) = path.parent() {
            sync_dir(dir).map_err(io_error("flush", dir))?;
        }
        Ok(SetAside {
            path: aside,
            error: error.into(),
        })
    }

    /// The draft of PR `pr` at `head_sha` saved under another repository name than `repo`:
    /// work done offline on a local checkout (`schemagate --repo PATH` names the repository
    /// after its directory) is found when the same PR is submitted to GitHub later. A commit id
    /// names one tree, so the head is what ties the two together. The newest match wins;
    /// unreadable files are skipped here (loading them by their own key reports them).
    ///
    /// # Errors
    /// [`StoreError`] when the drafts directory exists but cannot be listed.
    fn find_under_other_repo(
        &self,
        repo: &str,
        pr: u64,
        head_sha: &str,
    ) -> Result<Option<Draft>, StoreError> {
        let entries = match fs::read_dir(&self.root) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(io_error("list", &self.root)(error)),
        };
        let file = format!("{}.{DRAFT_EXTENSION}", path_segment(head_sha));
        let own_dir = path_segment(repo);
        let mut newest: Option<Draft> = None;
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy() == own_dir {
                continue;
            }
            let path = entry.path().join(pr.to_string()).join(&file);
            let Ok(Some(Ok(draft))) = read_draft(&path) else {
                continue;
            };
            let matches = draft.pr == pr && draft.head_sha == head_sha;
            if matches
                && newest
                    .as_ref()
                    .is_none_or(|n| n.updated_at < draft.updated_at)
            {
                newest = Some(draft);
            }
        }
        Ok(newest)
    }

    /// `<root>/<owner>__<name>/<pr>`.
    fn pr_dir(&self, repo: &str, pr: u64) -> PathBuf {
        self.root.join(path_segment(repo)).join(pr.to_string())
    }
}

/// Writes `draft` to `path` atomically; flushed to disk with `flush`.
fn write_draft(path: &Path, draft: &Draft, flush: bool) -> Result<(), StoreError> {
    let json = serde_json::to_vec_pretty(draft)?;
    let write = if flush {
        write_atomically
    } else {
        write_atomically_unflushed
    };
    write(path, &json).map_err(io_error("write", path))
}

/// Reads a draft file: `None` when it does not exist, `Some(Err(why))` when it is not a draft.
fn read_draft(path: &Path) -> Result<Option<Result<Draft, String>>, StoreError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(
            serde_json::from_slice(&bytes).map_err(|error| error.to_string()),
        )),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(io_error("read", path)(error)),
    }
}

/// One safe path component for a repository name or a revision: `/` becomes `__`, bytes outside
/// `[A-Za-z0-9._-]` and a leading `.` become `%XX`, so no name can leave its directory.
pub fn path_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for (index, byte) in name.bytes().enumerate() {
        match byte {
            b'/' => out.push_str("__"),
            b'.' if index == 0 => out.push_str("%2E"),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-' => {
                out.push(char::from(byte))
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    if out.is_empty() {
        out.push_str("%00");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::checklist_state::ItemState;
    use crate::review::clock::FixedClock;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_unix_secs(secs)
    }

    fn store(dir: &Path) -> DraftStore {
        DraftStore::with_clock(dir, FixedClock(at(1_000)))
    }

    /// Puts `draft` on disk as it is (what an earlier session would have left).
    fn plant(store: &DraftStore, draft: &Draft) {
        write_draft(
            &store.path(&draft.repo, draft.pr, &draft.head_sha),
            draft,
            true,
        )
        .unwrap();
    }

    fn tick(item: &str, by: &str) -> DraftChange {
        DraftChange::Tick {
            item: item.into(),
            by: by.into(),
        }
    }

    fn evidence(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn path_segments_cannot_escape() {
        assert_eq!(path_segment("acme/shop"), "acme__shop");
        assert_eq!(path_segment(".."), "%2E.");
        assert_eq!(path_segment("a b\\c"), "a%20b%5Cc");
        assert_eq!(path_segment(""), "%00");
        let dir = tempfile::tempdir().unwrap();
        let path = store(dir.path()).path("../../etc", 3, "../x");
        assert!(path.starts_with(dir.path().join("drafts")));
        assert_eq!(
            path.components().count(),
            dir.path().components().count() + 4
        );
    }

    #[test]
    fn an_offline_draft_is_found_under_another_repository_name_by_head() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let mut older = Draft::new("shop", 7, "h1", at(5));
        older.state.tick("backup", "ana");
        plant(&store, &older);
        let mut newer = Draft::new("shop-clone", 7, "h1", at(9));
        newer.state.tick("lock-time", "ana");
        plant(&store, &newer);
        plant(&store, &Draft::new("shop", 7, "h2", at(20)));
        plant(&store, &Draft::new("shop", 8, "h1", at(20)));
        assert_eq!(
            store.find_under_other_repo("acme/shop", 7, "h1").unwrap(),
            Some(newer)
        );
        assert_eq!(
            store.find_under_other_repo("acme/shop", 7, "h3").unwrap(),
            None
        );
        // Its own name is not "another" repository.
        assert_eq!(
            store
                .find_under_other_repo("shop-clone", 8, "h1")
                .unwrap()
                .map(|d| d.repo),
            Some("shop".to_owned())
        );
        assert_eq!(store.find_under_other_repo("shop", 8, "h1").unwrap(), None);
        let empty = tempfile::tempdir().unwrap();
        assert_eq!(
            DraftStore::new(empty.path())
                .find_under_other_repo("a/b", 1, "h")
                .unwrap(),
            None
        );
    }

    #[test]
    fn an_offline_draft_is_adopted_once_under_the_github_name() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let mut offline = Draft::new("shop", 7, "h1", at(5));
        offline.state.tick("backup", "ana");
        plant(&store, &offline);
        let adopted = store.adopt_from_other_repo("acme/shop", 7, "h1").unwrap();
        let adopted = adopted.expect("the offline draft");
        assert_eq!(adopted.from_repo, "shop");
        assert_eq!(adopted.draft.repo, "acme/shop");
        assert_eq!(adopted.draft.state, offline.state);
        assert_eq!(
            store.load("acme/shop", 7, "h1").unwrap(),
            LoadOutcome::Loaded(adopted.draft)
        );
        assert_eq!(
            store.adopt_from_other_repo("acme/shop", 7, "h9").unwrap(),
            None
        );
    }

    #[test]
    fn applied_changes_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let note = Note {
            text: "check the index".into(),
            file: Some("m/1.sql".into()),
            line: Some(3),
        };
        let changes = [
            DraftChange::Waive {
                item: "backup".into(),
                by: "ana".into(),
                reason: "table is empty, commas, \"quotes\"".into(),
            },
            DraftChange::AddNote(note.clone()),
            DraftChange::Verdict(Some(Verdict::RequestChanges)),
        ];
        let applied = store.apply("acme/shop", 7, "abc", &changes, at(5)).unwrap();
        let mut draft = Draft::new("acme/shop", 7, "abc", at(5));
        draft
            .state
            .waive("backup", "ana", "table is empty, commas, \"quotes\"");
        draft.notes.push(note);
        draft.verdict = Some(Verdict::RequestChanges);
        assert_eq!(
            applied,
            Applied {
                draft: draft.clone(),
                set_aside: None
            }
        );
        let path = store.path("acme/shop", 7, "abc");
        assert!(path.ends_with("drafts/acme__shop/7/abc.json"));
        assert_eq!(
            store.load("acme/shop", 7, "abc").unwrap(),
            LoadOutcome::Loaded(draft)
        );
        assert_eq!(
            store.load("acme/shop", 7, "def").unwrap(),
            LoadOutcome::None
        );
    }

    #[test]
    fn a_draft_of_another_pr_in_the_file_is_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let draft = Draft::new("acme/shop", 8, "abc", at(5));
        let bytes = serde_json::to_vec(&draft).unwrap();
        let path = store.path("acme/shop", 7, "abc");
        write_atomically(&path, &bytes).unwrap();
        let LoadOutcome::SetAside(aside) = store.load("acme/shop", 7, "abc").unwrap() else {
            panic!("not set aside");
        };
        assert!(aside.error.contains("#8"), "{}", aside.error);
        assert!(!path.exists() && aside.path.exists());
    }

    #[test]
    fn carry_over_keeps_ticks_and_flags_changed_evidence() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let mut old = Draft::new("acme/shop", 7, "aaa", at(10));
        old.state.tick("backup", "ana");
        old.state.waive("lock", "ana", "small table");
        old.evidence = evidence(&[("backup", "2 tables"), ("lock", "no index"), ("gone", "x")]);
        plant(&store, &old);
        let mut older = Draft::new("acme/shop", 7, "zzz", at(9));
        older.state.tick("other", "bo");
        plant(&store, &older);

        let now = evidence(&[("backup", "3 tables"), ("lock", "no index"), ("new", "y")]);
        let result = store.carry_over("acme/shop", 7, "bbb", &now).unwrap();
        let Carried::Copied { draft, from_head } = result.carried else {
            panic!("nothing carried");
        };
        assert_eq!(from_head, "aaa");
        assert_eq!(draft.state, old.state);
        assert_eq!(draft.evidence, now);
        let flagged: Vec<&str> = draft.second_look.iter().map(String::as_str).collect();
        // Ticked with changed evidence; "lock" is waived but its evidence is the same, and
        // "gone" / "new" changed but were never resolved.
        assert_eq!(flagged, ["backup"]);
        assert_eq!(draft.updated_at, at(1_000));
        assert_eq!(
            store.load("acme/shop", 7, "bbb").unwrap(),
            LoadOutcome::Loaded(draft.clone())
        );

        let again = store.carry_over("acme/shop", 7, "bbb", &now).unwrap();
        assert_eq!(again.carried, Carried::Existing(draft));
    }

    #[test]
    fn carry_over_sets_damaged_drafts_aside_and_uses_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let mut good = Draft::new("acme/shop", 7, "aaa", at(10));
        good.second_look.insert("kept".into());
        plant(&store, &good);
        write_atomically(&store.path("acme/shop", 7, "bad"), b"{\"repo\":").unwrap();

        let result = store
            .carry_over("acme/shop", 7, "new", &BTreeMap::new())
            .unwrap();
        assert_eq!(result.set_aside.len(), 1);
        let Carried::Copied { draft, .. } = result.carried else {
            panic!("nothing carried");
        };
        assert!(draft.second_look.contains("kept"));
        assert_eq!(
            store
                .carry_over("acme/shop", 9, "new", &BTreeMap::new())
                .unwrap()
                .carried,
            Carried::Nothing
        );
    }

    #[test]
    fn looking_again_clears_the_mark_and_keeps_the_tick() {
        let mut draft = Draft::new("r", 1, "h", at(0));
        draft.state.tick("a", "ana");
        draft.second_look.extend(["a".to_owned(), "b".to_owned()]);
        draft.apply(&DraftChange::LookedAgain { item: "a".into() }, at(1));
        assert!(matches!(draft.state.get("a"), ItemState::Ticked { .. }));
        draft.apply(&DraftChange::Reopen { item: "b".into() }, at(1));
        assert!(draft.second_look.is_empty());
    }

    #[test]
    fn changes_of_two_writers_to_different_items_and_notes_are_all_kept() {
        let dir = tempfile::tempdir().unwrap();
        // Two consoles: each only knows its own changes; neither overwrites the other's.
        let (a, b) = (store(dir.path()), store(dir.path()));
        let key = ("acme/shop", 7, "abc");
        let note = |text: &str| {
            DraftChange::AddNote(Note {
                text: text.into(),
                ..Note::default()
            })
        };
        a.apply(key.0, key.1, key.2, &[tick("backup", "ana")], at(1))
            .unwrap();
        b.apply(
            key.0,
            key.1,
            key.2,
            &[tick("lock", "bo"), note("from bo")],
            at(2),
        )
        .unwrap();
        let merged = a
            .apply(key.0, key.1, key.2, &[note("from ana")], at(3))
            .unwrap()
            .draft;
        assert!(matches!(merged.state.get("backup"), ItemState::Ticked { by } if by == "ana"));
        assert!(matches!(merged.state.get("lock"), ItemState::Ticked { by } if by == "bo"));
        let notes: Vec<&str> = merged.notes.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(notes, ["from bo", "from ana"]);
        assert_eq!(merged.updated_at, at(3));
    }

    #[test]
    fn the_last_writer_wins_on_the_same_item_and_the_verdict() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let apply = |changes: &[DraftChange]| {
            store
                .apply("acme/shop", 7, "abc", changes, at(1))
                .unwrap()
                .draft
        };
        apply(&[
            tick("backup", "ana"),
            DraftChange::Verdict(Some(Verdict::Approve)),
        ]);
        let waive = DraftChange::Waive {
            item: "backup".into(),
            by: "bo".into(),
            reason: "no data yet".into(),
        };
        let merged = apply(&[waive, DraftChange::Verdict(Some(Verdict::Block))]);
        assert!(matches!(merged.state.get("backup"), ItemState::Waived { by, .. } if by == "bo"));
        assert_eq!(merged.verdict, Some(Verdict::Block));
        let merged = apply(&[DraftChange::Reopen {
            item: "backup".into(),
        }]);
        assert_eq!(merged.state.get("backup"), &ItemState::Open);
    }

    #[test]
    fn writers_in_parallel_lose_no_change() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let writers: Vec<_> = (0..4)
            .map(|writer| {
                let root = root.clone();
                std::thread::spawn(move || {
                    let store = store(&root);
                    for n in 0..25 {
                        let item = format!("w{writer}-{n}");
                        store
                            .apply("acme/shop", 7, "abc", &[tick(&item, "ana")], at(n))
                            .unwrap();
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        let LoadOutcome::Loaded(draft) = store(&root).load("acme/shop", 7, "abc").unwrap() else {
            panic!("no draft");
        };
        assert_eq!(draft.state.items.len(), 100);
    }

    #[test]
    fn typed_text_is_pending_until_confirmed_or_cancelled() {
        let mut draft = Draft::new("r", 1, "h", at(0));
        let waiver = Prompt::Waiver {
            item: "backup".into(),
        };
        let note = Prompt::Note {
            place: Some(("m/1.sql".into(), 3)),
        };
        let typing = |prompt: &Prompt, text: &str| DraftChange::Typing {
            prompt: prompt.clone(),
            text: text.into(),
        };
        draft.apply(&typing(&waiver, "tab"), at(1));
        draft.apply(&typing(&note, "check"), at(2));
        draft.apply(&typing(&waiver, "table is empty"), at(3));
        let latest = draft.latest_pending().unwrap();
        assert_eq!(
            (&latest.prompt, latest.text.as_str()),
            (&waiver, "table is empty")
        );
        assert_eq!(draft.pending.len(), 2);
        let waive = DraftChange::Waive {
            item: "backup".into(),
            by: "ana".into(),
            reason: "table is empty".into(),
        };
        draft.apply(&waive, at(4));
        assert_eq!(draft.latest_pending().map(|p| &p.prompt), Some(&note));
        draft.apply(&typing(&note, ""), at(5));
        assert_eq!(draft.latest_pending(), None);
        draft.apply(&typing(&note, "again"), at(6));
        draft.apply(&DraftChange::StopTyping(note.clone()), at(7));
        assert!(draft.pending.is_empty());
        draft.apply(&typing(&note, "a note"), at(8));
        let added = DraftChange::AddNote(Note {
            text: "a note".into(),
            file: Some("m/1.sql".into()),
            line: Some(3),
        });
        draft.apply(&added, at(9));
        assert!(draft.pending.is_empty());
    }

    #[test]
    fn a_damaged_draft_is_set_aside_and_the_change_starts_a_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let path = store.path("acme/shop", 7, "abc");
        write_atomically(&path, b"{\"repo\":").unwrap();
        let applied = store
            .apply("acme/shop", 7, "abc", &[tick("a", "ana")], at(1))
            .unwrap();
        let aside = applied.set_aside.expect("set aside");
        assert_eq!(fs::read(&aside.path).unwrap(), b"{\"repo\":");
        assert_eq!(applied.draft.state.items.len(), 1);
    }
}
