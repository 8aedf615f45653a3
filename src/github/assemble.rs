//! Putting a PR's base and head file sets together from GitHub.
//!
//! Base: every migration-relevant file ([`CandidateFilter`]) of the base commit's tree (all of
//! them: replay needs the history). Head: the base files with the PR's changes applied (added
//! and modified files at the head commit, deleted ones and rename sources removed). That is
//! what the merge produces, and base migrations newer than the PR's branch point are not
//! mistaken for deletions. The files of a whole page of PRs are fetched together, so shared
//! base files are asked for once and the queries stay full.
//!
//! Limits: GitHub's file lists carry no file mode, so a symbolic link a PR adds is read as a
//! file holding the link's target; a rename away from a migration path to a path that is not
//! one is only seen when GitHub lists the PR's files over REST (over 100 files).

use std::collections::{BTreeMap, HashMap, HashSet};

use super::budget::BudgetMeter;
use super::cache::{ContentCache, EntryKind, TreeListing};
use super::client::GitHub;
use super::contents::{self, Fetched, RepoRef, Want, short};
use super::error::GitHubError;
use super::pull_request::{ChangedFile, FileChange, ListedPr, RemotePr};
use crate::analysis::detect::CandidateFilter;
use crate::analysis::fileset::FileSet;
use crate::source::change::Change;
use crate::source::local::{MAX_FILE_BYTES, SkipReason, SkippedFile};
use crate::source::offline::PROJECT_MANIFESTS;

/// A PR with its contents.
#[derive(Clone, Debug)]
pub struct PrContents {
    /// The PR (with `skipped` and `notes` filled in).
    pub pr: RemotePr,
    /// Its files at base and head.
    pub change: Change,
}

/// Whether a changed file (or the file it was renamed from) is a migration or schema file,
/// other than a general project manifest (a dependency bump is not a migration PR).
pub fn touches_migrations(filter: &CandidateFilter, file: &ChangedFile) -> bool {
    let relevant = |path: &str| {
        let name = path.rsplit('/').next().unwrap_or(path);
        filter.matches(path) && !PROJECT_MANIFESTS.contains(&name)
    };
    relevant(&file.path) || file.previous_path.as_deref().is_some_and(relevant)
}

/// Where one file of a side comes from.
#[derive(Clone, Debug)]
enum Source {
    /// The fetched want at this index.
    Fetch(usize),
    /// Not loaded.
    Skip(SkipReason),
}

/// The files of both sides of one PR, by path.
struct Plan {
    base: BTreeMap<String, Source>,
    head: BTreeMap<String, Source>,
}

/// The wants of a batch, each once.
#[derive(Default)]
struct Wants {
    list: Vec<Want>,
    index: HashMap<Want, usize>,
}

impl Wants {
    fn add(&mut self, want: Want) -> Source {
        let next = self.list.len();
        let index = *self.index.entry(want.clone()).or_insert(next);
        if index == next {
            self.list.push(want);
        }
        Source::Fetch(index)
    }
}

/// The contents of `prs` (all of one repository): base trees from `trees` or fetched into it,
/// then every file not cached, in as few queries as possible (their cost counted by `meter`).
///
/// # Errors
/// The first failed request.
pub async fn load_contents(
    client: &GitHub,
    cache: &ContentCache,
    repo: &RepoRef,
    filter: &CandidateFilter,
    prs: Vec<ListedPr>,
    trees: &mut HashMap<String, TreeListing>,
    meter: &BudgetMeter,
) -> Result<Vec<PrContents>, GitHubError> {
    for listed in &prs {
        let base = &listed.pr.meta.base_sha;
        if !trees.contains_key(base) {
            // Only the relevant entries stay in memory while the repository loads.
            let mut listing = contents::tree(client, cache, repo, base).await?;
            listing.entries.retain(|entry| filter.matches(&entry.path));
            trees.insert(base.clone(), listing);
        }
    }
    let mut wants = Wants::default();
    let mut plans = Vec::with_capacity(prs.len());
    for listed in &prs {
        let tree = trees.get(&listed.pr.meta.base_sha);
        plans.push(plan(&listed.pr, tree, filter, &mut wants));
    }
    let fetched = contents::fetch(client, cache, repo, &wants.list, meter).await?;
    Ok(prs
        .into_iter()
        .zip(plans)
        .map(|(listed, plan)| {
            let truncated = trees
                .get(&listed.pr.meta.base_sha)
                .is_some_and(|t| t.truncated);
            assemble(listed.pr, plan, &fetched, truncated)
        })
        .collect())
}

/// Which files each side of `pr` holds, and where their contents come from.
fn plan(
    pr: &RemotePr,
    tree: Option<&TreeListing>,
    filter: &CandidateFilter,
    wants: &mut Wants,
) -> Plan {
    let mut base = BTreeMap::new();
    for entry in tree.iter().flat_map(|t| &t.entries) {
        if !filter.matches(&entry.path) {
            continue;
        }
        let source = match entry.kind {
            EntryKind::Symlink => Source::Skip(SkipReason::Symlink),
            EntryKind::Submodule => Source::Skip(SkipReason::Submodule),
            EntryKind::File if entry.size > MAX_FILE_BYTES => Source::Skip(SkipReason::TooLarge {
                size: entry.size,
                limit: MAX_FILE_BYTES,
            }),
            EntryKind::File => wants.add(Want::Blob(entry.oid.clone())),
        };
        base.insert(entry.path.clone(), source);
    }
    let mut head = base.clone();
    for file in &pr.files {
        match file.change {
            FileChange::Deleted => {
                head.remove(&file.path);
                continue;
            }
            FileChange::Renamed => {
                if let Some(previous) = &file.previous_path {
                    head.remove(previous);
                }
            }
            _ => {}
        }
        if filter.matches(&file.path) {
            let want = Want::AtCommit {
                commit: pr.meta.head_sha.clone(),
                path: file.path.clone(),
            };
            head.insert(file.path.clone(), wants.add(want));
        }
    }
    Plan { base, head }
}

/// The PR with its files: both sides filled from `fetched`, what was not loaded listed once.
fn assemble(mut pr: RemotePr, plan: Plan, fetched: &[Fetched], truncated: bool) -> PrContents {
    let mut skipped = Vec::new();
    let head = fill(plan.head, fetched, &mut skipped);
    let mut base_skipped = Vec::new();
    let base = fill(plan.base, fetched, &mut base_skipped);
    let at_head: HashSet<String> = skipped
        .iter()
        .map(|s: &SkippedFile| s.path.clone())
        .collect();
    skipped.extend(
        base_skipped
            .into_iter()
            .filter(|s| !at_head.contains(&s.path)),
    );
    if truncated {
        pr.notes.push(format!(
            "GitHub truncated the file tree of base commit {} (over 100,000 entries or 7 MB): \
             migrations beyond its listing were not read",
            short(&pr.meta.base_sha)
        ));
    }
    pr.skipped = skipped;
    let change = Change {
        meta: pr.meta.clone(),
        base,
        head,
    };
    PrContents { pr, change }
}

/// One side's files.
fn fill(
    side: BTreeMap<String, Source>,
    fetched: &[Fetched],
    skipped: &mut Vec<SkippedFile>,
) -> FileSet {
    let mut files = FileSet::new();
    for (path, source) in side {
        let outcome = match source {
            Source::Fetch(index) => fetched.get(index),
            Source::Skip(reason) => {
                skipped.push(SkippedFile { path, reason });
                continue;
            }
        };
        match outcome {
            Some(Fetched::Bytes(bytes)) => files.insert(path, bytes.clone()),
            Some(Fetched::Skipped(reason)) => skipped.push(SkippedFile {
                path,
                reason: reason.clone(),
            }),
            None => skipped.push(SkippedFile {
                path,
                reason: SkipReason::Unreadable("not fetched".to_owned()),
            }),
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::detect::DetectOptions;
    use crate::github::cache::TreeEntry;
    use crate::source::change::PrMeta;

    fn file(path: &str, change: FileChange, previous: Option<&str>) -> ChangedFile {
        ChangedFile {
            path: path.into(),
            previous_path: previous.map(str::to_owned),
            change,
            additions: 1,
            deletions: 0,
        }
    }

    fn entry(path: &str, oid: char, size: u64) -> TreeEntry {
        TreeEntry {
            path: path.into(),
            oid: oid.to_string().repeat(40),
            size,
            kind: EntryKind::File,
        }
    }

    #[test]
    fn head_is_the_base_with_the_changes_applied() {
        let filter = CandidateFilter::new(&DetectOptions::default());
        let tree = TreeListing {
            entries: vec![
                entry("migrations/1_a.sql", 'a', 10),
                entry("migrations/2_b.sql", 'b', 10),
                entry("migrations/3_c.sql", 'c', 10),
                entry("migrations/4_big.sql", 'd', MAX_FILE_BYTES + 1),
                entry("src/main.rs", 'e', 10),
            ],
            truncated: true,
        };
        let pr = RemotePr {
            meta: PrMeta {
                head_sha: "f".repeat(40),
                base_sha: "0".repeat(40),
                ..PrMeta::default()
            },
            url: String::new(),
            base_branch: "main".into(),
            files: vec![
                file("migrations/2_b.sql", FileChange::Deleted, None),
                file(
                    "migrations/5_d.sql",
                    FileChange::Renamed,
                    Some("migrations/3_c.sql"),
                ),
                file("migrations/6_e.sql", FileChange::Added, None),
                file("README.md", FileChange::Modified, None),
            ],
            reviews: Vec::new(),
            data_review_status: None,
            labels: Vec::new(),
            skipped: Vec::new(),
            notes: Vec::new(),
        };
        let mut wants = Wants::default();
        let plan = plan(&pr, Some(&tree), &filter, &mut wants);
        assert_eq!(wants.list.len(), 5, "three base blobs, two head files");
        let fetched: Vec<Fetched> = wants
            .list
            .iter()
            .map(|w| Fetched::Bytes(format!("{w:?}").into_bytes()))
            .collect();
        let PrContents { pr, change } = assemble(pr, plan, &fetched, true);
        let paths = |set: &FileSet| set.paths().map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(
            paths(&change.base),
            [
                "migrations/1_a.sql",
                "migrations/2_b.sql",
                "migrations/3_c.sql"
            ]
        );
        assert_eq!(
            paths(&change.head),
            [
                "migrations/1_a.sql",
                "migrations/5_d.sql",
                "migrations/6_e.sql"
            ]
        );
        assert_eq!(pr.skipped.len(), 1, "the big file, once for both sides");
        assert_eq!(pr.skipped[0].path, "migrations/4_big.sql");
        assert_eq!(pr.notes.len(), 1, "the truncated tree is said");
    }

    #[test]
    fn manifests_and_code_do_not_make_a_migration_pr() {
        let filter = CandidateFilter::new(&DetectOptions::default());
        assert!(!touches_migrations(
            &filter,
            &file("package.json", FileChange::Modified, None)
        ));
        assert!(!touches_migrations(
            &filter,
            &file("src/a.rs", FileChange::Modified, None)
        ));
        assert!(touches_migrations(
            &filter,
            &file("db/1.sql", FileChange::Added, None)
        ));
        assert!(touches_migrations(
            &filter,
            &file("attic/1.txt", FileChange::Renamed, Some("migrations/1.sql"))
        ));
    }
}
