//! Loading the tree a command analyses: a folder on disk, or a git revision of a checkout.
//! Paths are made repository-relative whenever PATH is inside a git checkout, so a working tree
//! and a revision of the same repository name their files alike.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::args::GlobalArgs;
use crate::analysis::detect::DetectOptions;
use crate::analysis::diagnostic::{Diagnostic, DiagnosticKind};
use crate::analysis::fileset::FileSet;
use crate::github::cache::ContentCache;
use crate::review::Checklists;
use crate::review::durable::{data_dir, remove_stray_writes};
use crate::source::git::{GitError, GitRepo};
use crate::source::local::{SkippedFile, read_dir};

/// A loaded tree and what could not be loaded.
pub struct LoadedInput {
    /// The files the analysis reads.
    pub files: FileSet,
    /// Files that were not loaded (too large, unreadable), as diagnostics.
    pub diagnostics: Vec<Diagnostic>,
    /// For headings: `main (3f2a9c1)` or `working tree of PATH`.
    pub description: String,
}

/// The data directory of the console and `submit` (drafts, outbox, decision log). The temp
/// files of saves a crash interrupted are removed from it and from the download cache first
/// (see [`remove_stray_writes`]: never those of a process still writing); a failure to remove
/// them is said on stderr and does not stop the command.
///
/// # Errors
/// No data directory can be found.
pub(super) fn working_data_dir() -> Result<PathBuf> {
    let dir = data_dir().context("no data directory (set SCHEMAGATE_DATA_DIR)")?;
    let cache = ContentCache::open_default().ok();
    let roots = std::iter::once(dir.as_path()).chain(cache.as_ref().map(ContentCache::root));
    for root in roots {
        if let Err(error) = remove_stray_writes(root) {
            eprintln!(
                "warning: temp files of interrupted saves were not all removed: {}",
                crate::report::sanitize::sanitize_line(&error.to_string())
            );
        }
    }
    Ok(dir)
}

/// The checklists every command uses: `explicit` (`check --checklists FILE`), else
/// `checklists.toml` in the config directory when it exists (a team's own lists), else the
/// embedded ones. The console, `queue`, `submit` and `check` thus hold the same gates.
///
/// # Errors
/// The chosen file cannot be read or is not valid checklist TOML.
pub fn team_checklists(explicit: Option<&Path>) -> Result<Checklists> {
    let from_config: Option<PathBuf> = crate::config::config_dir()
        .map(|dir| dir.join("checklists.toml"))
        .filter(|path| path.is_file());
    let chosen = explicit.map(Path::to_path_buf).or(from_config);
    Ok(Checklists::load(chosen.as_deref())?)
}

/// Who is reviewing, as recorded with ticks, waivers and verdicts: `$USER`, else `reviewer`.
pub(super) fn reviewer_name() -> String {
    std::env::var("USER").unwrap_or_else(|_| "reviewer".to_owned())
}

/// Detection options from the command line.
pub fn detect_options(global: &GlobalArgs) -> DetectOptions {
    DetectOptions {
        dialect: global.dialect,
        config_dialect: None,
        globs: global.globs.clone(),
    }
}

/// The tree a command reads: a folder, possibly inside a git checkout (opened once, so a
/// command that loads two revisions asks git for the checkout only once).
pub struct Checkout {
    path: PathBuf,
    repo: Result<GitRepo, GitError>,
}

impl Checkout {
    /// Opens `path` (a folder; a git checkout or inside one when revisions are wanted).
    pub fn open(path: &Path) -> Self {
        Checkout {
            path: path.to_path_buf(),
            repo: GitRepo::open(path),
        }
    }

    /// The git repository, or why `path` is not in one.
    pub fn repo(&self) -> Result<&GitRepo> {
        self.repo.as_ref().map_err(|error| {
            anyhow::anyhow!(
                "{} is not a git checkout ({error}): revisions need one",
                self.path.display()
            )
        })
    }

    /// The tree at `rev` (a git revision), or as it is on disk when `rev` is `None`.
    pub fn load(&self, rev: Option<&str>, global: &GlobalArgs) -> Result<LoadedInput> {
        let options = detect_options(global);
        let path = &self.path;
        match (rev, &self.repo) {
            (Some(rev), Ok(repo)) => {
                let prefix = prefix_in_repo(repo, path)?;
                let sha = repo.resolve(rev)?;
                let loaded = repo
                    .read_tree(&sha, &options)
                    .with_context(|| format!("reading {} at {rev}", path.display()))?;
                Ok(LoadedInput {
                    files: within(loaded.files, &prefix),
                    diagnostics: skipped_diagnostics(loaded.skipped),
                    description: format!("{rev} ({})", sha.get(..7).unwrap_or(&sha)),
                })
            }
            (Some(rev), Err(error)) => Err(anyhow::anyhow!("{error}")).with_context(|| {
                format!(
                    "--at/--base/--head {rev} needs a git checkout, and {} is not one",
                    path.display()
                )
            }),
            (None, repo) => {
                let loaded = read_dir(path, &options)
                    .with_context(|| format!("reading {}", path.display()))?;
                let prefix = match repo {
                    Ok(repo) => prefix_in_repo(repo, path)?,
                    Err(_) => String::new(),
                };
                Ok(LoadedInput {
                    files: prefixed(loaded.files, &prefix),
                    diagnostics: skipped_diagnostics(loaded.skipped),
                    description: format!("working tree of {}", path.display()),
                })
            }
        }
    }
}

/// Loads `path` at `rev` (a git revision), or as it is on disk when `rev` is `None`.
pub fn load_tree(path: &Path, rev: Option<&str>, global: &GlobalArgs) -> Result<LoadedInput> {
    Checkout::open(path).load(rev, global)
}

/// Only the files under `prefix` (a repository-relative folder ending in `/`, or empty).
fn within(files: FileSet, prefix: &str) -> FileSet {
    if prefix.is_empty() {
        return files;
    }
    files
        .into_iter()
        .filter(|(path, _)| path.starts_with(prefix))
        .collect()
}

/// The same files with `prefix` put before every path.
fn prefixed(files: FileSet, prefix: &str) -> FileSet {
    if prefix.is_empty() {
        return files;
    }
    files
        .into_iter()
        .map(|(path, bytes)| (format!("{prefix}{path}"), bytes))
        .collect()
}

/// Where `path` is inside the repository: `""` at the top, else `dir/sub/`.
fn prefix_in_repo(repo: &GitRepo, path: &Path) -> Result<String> {
    let absolute = path
        .canonicalize()
        .with_context(|| format!("{} does not exist", path.display()))?;
    let root = repo
        .root()
        .canonicalize()
        .with_context(|| format!("reading {}", repo.root().display()))?;
    let relative = absolute.strip_prefix(&root).unwrap_or(Path::new(""));
    let mut prefix: String = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    if !prefix.is_empty() {
        prefix.push('/');
    }
    Ok(prefix)
}

fn skipped_diagnostics(skipped: Vec<SkippedFile>) -> Vec<Diagnostic> {
    skipped
        .into_iter()
        .map(|s| {
            Diagnostic::new(
                s.path,
                0,
                DiagnosticKind::File,
                format!("not analysed: {}", s.reason),
            )
        })
        .collect()
}
