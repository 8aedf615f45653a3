//! Drafts: a reviewer's unfinished work on one PR at one head commit (ticks, waivers, notes,
//! the verdict they lean to), saved atomically on every change so nothing is ever lost, and
//! carried over to a new head when the author pushes.
//!
//! Layout: `<data dir>/drafts/<owner>__<name>/<pr>/<head_sha>.json`. A file that cannot be read
//! back is never dropped silently: it is renamed to `*.corrupt-<time>` and reported.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::clock::{Clock, SystemClock, Timestamp};
use super::durable::{StoreError, aside_path, io_error, sync_dir, write_atomically};
use super::gates::{ChecklistState, Verdict};

/// The file extension of drafts.
const DRAFT_EXTENSION: &str = "json";

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
            updated_at: now,
        }
    }

    /// Clears the second-look flag of an item once the reviewer has looked again; returns
    /// whether it was flagged.
    pub fn looked_again(&mut self, item_id: &str) -> bool {
        self.second_look.remove(item_id)
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

    /// Saves `draft` atomically (a crash leaves the previous save or this one, never a mix).
    ///
    /// # Errors
    /// [`StoreError`] when the file cannot be written; the previous save is then intact.
    pub fn save(&self, draft: &Draft) -> Result<PathBuf, StoreError> {
        let path = self.path(&draft.repo, draft.pr, &draft.head_sha);
        let json = serde_json::to_vec_pretty(draft)?;
        write_atomically(&path, &json).map_err(io_error("write", &path))?;
        Ok(path)
    }

    /// Loads the draft of `repo` PR `pr` at `head_sha`. A damaged file (not JSON, not a draft,
    /// or a draft of another PR) is moved aside and reported, never dropped.
    ///
    /// # Errors
    /// [`StoreError`] when the file exists but cannot be read or moved aside.
    pub fn load(&self, repo: &str, pr: u64, head_sha: &str) -> Result<LoadOutcome, StoreError> {
        let path = self.path(repo, pr, head_sha);
        match read_draft(&path)? {
            None => Ok(LoadOutcome::None),
            Some(Ok(draft)) if draft.is_for(repo, pr, head_sha) => Ok(LoadOutcome::Loaded(draft)),
            Some(Ok(draft)) => {
                let error = format!(
                    "the file holds the draft of {} #{} at {}",
                    draft.repo, draft.pr, draft.head_sha
                );
                self.set_aside(&path, error).map(LoadOutcome::SetAside)
            }
            Some(Err(error)) => self.set_aside(&path, error).map(LoadOutcome::SetAside),
        }
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
        let newest = self.newest_elsewhere(repo, pr, new_head, &mut set_aside)?;
        let carried = match newest {
            None => Carried::Nothing,
            Some(old) => {
                let draft = old.carried_to(new_head, current_evidence, self.clock.now());
                self.save(&draft)?;
                Carried::Copied {
                    draft,
                    from_head: old.head_sha,
                }
            }
        };
        Ok(CarryOver { carried, set_aside })
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

    /// `<root>/<owner>__<name>/<pr>`.
    /// The draft of PR `pr` at `head_sha` saved under another repository name than `repo`:
    /// work done offline on a local checkout (`schemagate --repo PATH` names the repository
    /// after its directory) is found when the same PR is submitted to GitHub later. A commit id
    /// names one tree, so the head is what ties the two together. The newest match wins;
    /// unreadable files are skipped here (loading them by their own key reports them).
    ///
    /// # Errors
    /// [`StoreError`] when the drafts directory exists but cannot be listed.
    pub fn find_under_other_repo(
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

    fn pr_dir(&self, repo: &str, pr: u64) -> PathBuf {
        self.root.join(path_segment(repo)).join(pr.to_string())
    }
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
    use crate::review::clock::FixedClock;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_unix_secs(secs)
    }

    fn store(dir: &Path) -> DraftStore {
        DraftStore::with_clock(dir, FixedClock(at(1_000)))
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
        store.save(&older).unwrap();
        let mut newer = Draft::new("shop-clone", 7, "h1", at(9));
        newer.state.tick("lock-time", "ana");
        store.save(&newer).unwrap();
        store.save(&Draft::new("shop", 7, "h2", at(20))).unwrap();
        store.save(&Draft::new("shop", 8, "h1", at(20))).unwrap();
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
    fn save_then_load_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let mut draft = Draft::new("acme/shop", 7, "abc", at(5));
        draft
            .state
            .waive("backup", "ana", "table is empty, commas, \"quotes\"");
        draft.notes.push(Note {
            text: "check the index".into(),
            file: Some("m/1.sql".into()),
            line: Some(3),
        });
        draft.verdict = Some(Verdict::RequestChanges);
        let path = store.save(&draft).unwrap();
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
        store.save(&old).unwrap();
        let mut older = Draft::new("acme/shop", 7, "zzz", at(9));
        older.state.tick("other", "bo");
        store.save(&older).unwrap();

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
        store.save(&good).unwrap();
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
    fn looked_again_clears_the_flag() {
        let mut draft = Draft::new("r", 1, "h", at(0));
        draft.second_look.insert("a".into());
        assert!(draft.looked_again("a"));
        assert!(!draft.looked_again("a"));
    }
}
