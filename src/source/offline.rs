//! The open pull requests of a local checkout, without GitHub: every local branch and every
//! fetched PR ref whose changes since the base branch touch migrations or schema files.
//!
//! Which refs are read (one `git for-each-ref` lists them all):
//! - `refs/heads/*`, except the base branch (and, when the base is a remote-tracking branch
//!   such as `origin/main`, the local branch of the same name);
//! - `refs/pull/<n>/head` (what `git fetch origin '+refs/pull/*/head:refs/pull/*/head'` brings);
//! - `refs/remotes/<remote>/pr/<n>` (the other common fetch layout).
//!
//! A PR fetched under both layouts is listed once, from `refs/pull/` (refs are read in name
//! order), and a local branch at a listed PR's head commit (a checkout of the PR) is left out. Each ref is compared with its merge base with the base branch; it is listed when one
//! of the changed paths is a file detection reads ([`CandidateFilter`]) other than a general
//! project manifest (`package.json`, `Cargo.toml`: detection only reads a dialect hint there,
//! and a dependency bump is not a migration PR). A ref that cannot be read (it names a blob, has
//! no history in common with the base, ...) is reported in [`OfflineListing::errors`] and the
//! others are still listed.
//!
//! Local branches have no PR number: they get a stable one derived from the branch name (see
//! [`local_branch_number`]), in a range far above real PR numbers, and [`PrOrigin::LocalBranch`]
//! so the console can say "local branch".

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Serialize;
use thiserror::Error;

use super::change::{Change, PrMeta};
use super::git::{ChangeKind, ChangedPath, GitError, GitRepo, RefCommit};
use super::local::{LoadedTree, SkippedFile};
use crate::analysis::detect::{CandidateFilter, DetectOptions};

/// The ref namespaces read (then classified by [`classify_ref`]).
const REF_PREFIXES: [&str; 3] = ["refs/heads/", "refs/pull/", "refs/remotes/"];

/// Candidate files whose change alone does not make a migration PR.
pub const PROJECT_MANIFESTS: [&str; 2] = ["package.json", "Cargo.toml"];

/// The smallest number a local branch gets.
pub const LOCAL_NUMBER_MIN: u64 = 1_000_000;

/// How many numbers local branches share (`LOCAL_NUMBER_MIN..LOCAL_NUMBER_MIN + SPAN`).
const LOCAL_NUMBER_SPAN: u64 = 9_000_000;

/// Where a listed change comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrOrigin {
    /// A fetched pull request ref (`refs/pull/<n>/head`, `refs/remotes/<remote>/pr/<n>`).
    PullRequest,
    /// A local branch (its number is derived from its name).
    LocalBranch,
}

/// One listed pull request (or local branch).
#[derive(Clone, Debug)]
pub struct OfflinePr {
    /// Its metadata and files.
    pub change: Change,
    /// Where it comes from.
    pub origin: PrOrigin,
    /// The full ref name it was read from.
    pub refname: String,
    /// When the head commit was made, seconds since the Unix epoch (`meta.updated_at`).
    pub updated_unix: i64,
    /// Candidate files that were not loaded (too large, symlinks, ...) at head or base.
    pub skipped: Vec<SkippedFile>,
}

/// Why a ref could not be read.
#[derive(Debug, Error)]
pub enum RefReadError {
    /// The ref names another kind of object.
    #[error("it points to a {0}, not a commit")]
    NotACommit(String),
    /// git failed on it.
    #[error(transparent)]
    Git(#[from] GitError),
}

/// A ref that could not be read.
#[derive(Debug)]
pub struct RefError {
    /// The full ref name.
    pub refname: String,
    /// What went wrong.
    pub error: RefReadError,
}

/// What [`OfflineSource::list_prs`] found.
#[derive(Debug, Default)]
pub struct OfflineListing {
    /// The refs that touch migrations, in ref name order.
    pub prs: Vec<OfflinePr>,
    /// The refs that could not be read.
    pub errors: Vec<RefError>,
}

/// What a ref name says about the ref.
#[derive(Clone, Debug, PartialEq, Eq)]
enum RefKind {
    /// A pull request with this number.
    Pull(u64),
    /// A local branch with this name.
    Branch(String),
}

/// A local checkout read as a list of pull requests.
#[derive(Clone, Debug)]
pub struct OfflineSource {
    /// The repository.
    repo: GitRepo,
    /// The base branch, as given or found.
    base: String,
    /// Its commit.
    base_sha: String,
    /// The checkout's directory name (`PrMeta::repo`).
    repo_name: String,
    /// Detection options (globs decide which files matter).
    options: DetectOptions,
}

impl OfflineSource {
    /// Opens the checkout containing `path`; the base is `base`, else the repository's default
    /// branch (origin/HEAD, else main, else master).
    ///
    /// # Errors
    /// When `path` is not in a git checkout, no default branch exists, or the base is unknown.
    pub fn open(path: &Path, base: Option<&str>) -> Result<Self, GitError> {
        let repo = GitRepo::open(path)?;
        let base = match base {
            Some(base) => base.to_owned(),
            None => repo.default_branch()?,
        };
        let base_sha = repo.resolve(&base)?;
        let repo_name = repo
            .root()
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(OfflineSource {
            repo,
            base,
            base_sha,
            repo_name,
            options: DetectOptions::default(),
        })
    }

    /// The same source reading files with `options` (configured globs, dialect).
    #[must_use]
    pub fn with_detect_options(mut self, options: DetectOptions) -> Self {
        self.options = options;
        self
    }

    /// The base branch.
    #[must_use]
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The checkout's directory name.
    #[must_use]
    pub fn repo_name(&self) -> &str {
        &self.repo_name
    }

    /// Every branch and fetched PR ref that touches migrations (see the module documentation).
    ///
    /// # Errors
    /// Only when the refs cannot be listed; a ref that cannot be read is in
    /// [`OfflineListing::errors`].
    pub fn list_prs(&self) -> Result<OfflineListing, GitError> {
        let refs = self.repo.ref_commits(&REF_PREFIXES)?;
        let excluded = base_branch_refs(&self.base, &refs);
        let filter = CandidateFilter::new(&self.options);
        let mut base_trees = HashMap::new();
        let mut numbers_seen = HashSet::new();
        let mut listing = OfflineListing::default();
        for record in refs.iter().filter(|r| !excluded.contains(&r.refname)) {
            let Some(kind) = classify_ref(&record.refname) else {
                continue;
            };
            if let RefKind::Pull(number) = kind
                && !numbers_seen.insert(number)
            {
                continue;
            }
            match self.read_pr(record, kind, &filter, &mut base_trees) {
                Ok(Some(pr)) => listing.prs.push(pr),
                Ok(None) => {}
                Err(error) => listing.errors.push(RefError {
                    refname: record.refname.clone(),
                    error,
                }),
            }
        }
        drop_checkouts_of_listed_prs(&mut listing.prs);
        Ok(listing)
    }

    /// The change of one ref, or `None` when it touches no migration or schema file.
    fn read_pr(
        &self,
        record: &RefCommit,
        kind: RefKind,
        filter: &CandidateFilter,
        base_trees: &mut HashMap<String, LoadedTree>,
    ) -> Result<Option<OfflinePr>, RefReadError> {
        if record.object_type != "commit" {
            return Err(RefReadError::NotACommit(record.object_type.clone()));
        }
        let merge_base = self.repo.merge_base(&self.base_sha, &record.object)?;
        let changed = self.repo.changed_paths(&merge_base, &record.object)?;
        if !changed.iter().any(|c| touches_migrations(c, filter)) {
            return Ok(None);
        }
        let head = self.repo.read_tree(&record.object, &self.options)?;
        let base = match base_trees.get(&merge_base) {
            Some(loaded) => loaded.clone(),
            None => {
                let loaded = self.repo.read_tree(&merge_base, &self.options)?;
                base_trees.insert(merge_base.clone(), loaded.clone());
                loaded
            }
        };
        let mut skipped = head.skipped;
        let skipped_at_head: HashSet<String> = skipped.iter().map(|s| s.path.clone()).collect();
        skipped.extend(
            base.skipped
                .into_iter()
                .filter(|s| !skipped_at_head.contains(&s.path)),
        );
        let (number, origin) = match &kind {
            RefKind::Pull(number) => (*number, PrOrigin::PullRequest),
            RefKind::Branch(name) => (local_branch_number(name), PrOrigin::LocalBranch),
        };
        let meta = self.meta(record, number, merge_base);
        Ok(Some(OfflinePr {
            change: Change {
                meta,
                base: base.files,
                head: head.files,
            },
            origin,
            refname: record.refname.clone(),
            updated_unix: record.timestamp,
            skipped,
        }))
    }

    /// The PR metadata git gives for `record`.
    fn meta(&self, record: &RefCommit, number: u64, base_sha: String) -> PrMeta {
        let branch = short_ref_name(&record.refname).to_owned();
        let title = if record.subject.trim().is_empty() {
            branch.clone()
        } else {
            record.subject.clone()
        };
        PrMeta {
            repo: self.repo_name.clone(),
            number,
            title,
            author: record.author.clone(),
            branch,
            body: record.body.clone(),
            draft: false,
            base_sha,
            head_sha: record.object.clone(),
            updated_at: record.date.clone(),
        }
    }
}

/// Drops the local branches whose head is a listed pull request's head: a checkout of the PR,
/// not another change.
fn drop_checkouts_of_listed_prs(prs: &mut Vec<OfflinePr>) {
    let pr_heads: HashSet<String> = prs
        .iter()
        .filter(|p| p.origin == PrOrigin::PullRequest)
        .map(|p| p.change.meta.head_sha.clone())
        .collect();
    prs.retain(|p| {
        p.origin == PrOrigin::PullRequest || !pr_heads.contains(&p.change.meta.head_sha)
    });
}

/// What a ref name says: a pull request (`refs/pull/<n>/head`, `refs/remotes/<r>/pr/<n>`), a
/// local branch (`refs/heads/<name>`), or nothing to list.
fn classify_ref(refname: &str) -> Option<RefKind> {
    if let Some(name) = refname.strip_prefix("refs/heads/") {
        return Some(RefKind::Branch(name.to_owned()));
    }
    let number = if let Some(rest) = refname.strip_prefix("refs/pull/") {
        rest.strip_suffix("/head")?
    } else {
        let rest = refname.strip_prefix("refs/remotes/")?;
        let (remote, number) = rest.rsplit_once("/pr/")?;
        if remote.is_empty() {
            return None;
        }
        number
    };
    if !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    number.parse().ok().map(RefKind::Pull)
}

/// The refs that are the base branch itself: `refs/heads/<base>`, and for a remote-tracking
/// base (`origin/main`, listed as `refs/remotes/origin/main`) the local branch `main`.
fn base_branch_refs(base: &str, refs: &[RefCommit]) -> HashSet<String> {
    let mut excluded = HashSet::from([format!("refs/heads/{base}")]);
    let remote_ref = format!("refs/remotes/{base}");
    if refs.iter().any(|r| r.refname == remote_ref)
        && let Some((_, local)) = base.split_once('/')
    {
        excluded.insert(format!("refs/heads/{local}"));
    }
    excluded
}

/// The ref name without `refs/heads/`, `refs/remotes/` or `refs/`.
fn short_ref_name(refname: &str) -> &str {
    ["refs/heads/", "refs/remotes/", "refs/"]
        .iter()
        .find_map(|prefix| refname.strip_prefix(prefix))
        .unwrap_or(refname)
}

/// Whether a changed path (or the path it was renamed or copied from) is a migration or schema
/// file detection reads, other than a general project manifest.
fn touches_migrations(changed: &ChangedPath, filter: &CandidateFilter) -> bool {
    let relevant = |path: &str| {
        let name = path.rsplit('/').next().unwrap_or(path);
        filter.matches(path) && !PROJECT_MANIFESTS.contains(&name)
    };
    let from = match &changed.kind {
        ChangeKind::Renamed { from } | ChangeKind::Copied { from } => Some(from.as_str()),
        _ => None,
    };
    relevant(&changed.path) || from.is_some_and(relevant)
}

/// The stable number of a local branch: the 64-bit FNV-1a hash of its name, folded into
/// `LOCAL_NUMBER_MIN..LOCAL_NUMBER_MIN + 9_000_000` (seven digits, far above real PR numbers).
/// It depends on the name only, so it stays the same across runs and machines; two branch names
/// share a number with a chance of about one in nine million per pair.
#[must_use]
pub fn local_branch_number(name: &str) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let hash = name.bytes().fold(OFFSET_BASIS, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    });
    LOCAL_NUMBER_MIN + hash % LOCAL_NUMBER_SPAN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_names_are_classified() {
        assert_eq!(
            classify_ref("refs/heads/feat/x"),
            Some(RefKind::Branch("feat/x".into()))
        );
        assert_eq!(classify_ref("refs/pull/123/head"), Some(RefKind::Pull(123)));
        assert_eq!(
            classify_ref("refs/remotes/origin/pr/45"),
            Some(RefKind::Pull(45))
        );
        for other in [
            "refs/pull/123/merge",
            "refs/pull/abc/head",
            "refs/pull/+1/head",
            "refs/remotes/origin/main",
            "refs/remotes/origin/pr/x",
            "refs/remotes//pr/3",
            "refs/tags/v1",
        ] {
            assert_eq!(classify_ref(other), None, "{other}");
        }
    }

    #[test]
    fn local_numbers_are_stable_and_in_their_range() {
        let number = local_branch_number("feat/recipe-rating");
        assert_eq!(number, local_branch_number("feat/recipe-rating"));
        assert_ne!(number, local_branch_number("feat/recipe-ratings"));
        for name in ["", "a", "feat/recipe-rating", "ü"] {
            let n = local_branch_number(name);
            assert!((LOCAL_NUMBER_MIN..LOCAL_NUMBER_MIN + LOCAL_NUMBER_SPAN).contains(&n));
        }
        // FNV-1a of the empty string is the offset basis itself.
        assert_eq!(
            local_branch_number(""),
            LOCAL_NUMBER_MIN + 0xcbf2_9ce4_8422_2325 % LOCAL_NUMBER_SPAN
        );
    }

    #[test]
    fn a_remote_base_excludes_its_local_branch() {
        let record = |name: &str| RefCommit {
            refname: name.into(),
            object: String::new(),
            object_type: "commit".into(),
            author: String::new(),
            date: String::new(),
            timestamp: 0,
            subject: String::new(),
            body: String::new(),
        };
        let refs = [
            record("refs/heads/main"),
            record("refs/remotes/origin/main"),
        ];
        let excluded = base_branch_refs("origin/main", &refs);
        assert!(excluded.contains("refs/heads/main"));
        assert_eq!(
            base_branch_refs("main", &refs),
            HashSet::from(["refs/heads/main".to_owned()])
        );
    }

    #[test]
    fn manifests_alone_do_not_make_a_migration_pr() {
        let filter = CandidateFilter::new(&DetectOptions::default());
        let changed = |path: &str, kind: ChangeKind| ChangedPath {
            path: path.into(),
            kind,
        };
        assert!(!touches_migrations(
            &changed("package.json", ChangeKind::Modified),
            &filter
        ));
        assert!(!touches_migrations(
            &changed("src/app.ts", ChangeKind::Modified),
            &filter
        ));
        assert!(touches_migrations(
            &changed("prisma/schema.prisma", ChangeKind::Modified),
            &filter
        ));
        let renamed_away = ChangeKind::Renamed {
            from: "migrations/1_a.sql".into(),
        };
        assert!(touches_migrations(
            &changed("attic/1_a.txt", renamed_away),
            &filter
        ));
    }

    #[test]
    fn short_names_drop_the_namespace() {
        assert_eq!(short_ref_name("refs/heads/feat/x"), "feat/x");
        assert_eq!(short_ref_name("refs/remotes/origin/pr/4"), "origin/pr/4");
        assert_eq!(short_ref_name("refs/pull/7/head"), "pull/7/head");
    }
}
