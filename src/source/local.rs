//! Read a directory on disk into a [`FileSet`].
//!
//! Only files detection may need are loaded (see [`CandidateFilter`]); ignored directories
//! (`node_modules`, `target`, ...) are not entered. Symbolic links to files inside the tree
//! are read; links that leave the tree and links to directories are not followed, and every
//! candidate file that is not loaded is listed in [`LoadedTree::skipped`] with the reason.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::analysis::detect::{CandidateFilter, DetectOptions, is_ignored_dir};
use crate::analysis::fileset::FileSet;

/// The largest file a source loads (64 MiB). Migrations and schema files are far smaller;
/// anything bigger is most likely a data dump, and loading it would cost memory for nothing.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The files of a tree that detection may need, and the candidates that could not be loaded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadedTree {
    /// The loaded files, by repository-relative `/`-separated path.
    pub files: FileSet,
    /// Candidate files that were not loaded, with why.
    pub skipped: Vec<SkippedFile>,
}

/// A candidate file that was not loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedFile {
    /// Repository-relative path (lossily decoded when the name is not UTF-8).
    pub path: String,
    /// Why it was not loaded.
    pub reason: SkipReason,
}

/// Why a candidate file was not loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// The file is larger than the cap.
    TooLarge {
        /// Its size in bytes.
        size: u64,
        /// The cap in bytes.
        limit: u64,
    },
    /// Reading it failed (the I/O or git error, as text).
    Unreadable(String),
    /// Its name is not valid UTF-8, so it cannot be named in a report.
    NonUtf8Name,
    /// A symbolic link that is not followed (it leaves the tree or names a directory).
    Symlink,
    /// A git submodule (its files are in another repository).
    Submodule,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::TooLarge { size, limit } => {
                write!(f, "{size} bytes is over the {limit}-byte limit")
            }
            SkipReason::Unreadable(error) => write!(f, "unreadable: {error}"),
            SkipReason::NonUtf8Name => f.write_str("the file name is not valid UTF-8"),
            SkipReason::Symlink => f.write_str("symbolic link not followed"),
            SkipReason::Submodule => f.write_str("git submodule not read"),
        }
    }
}

impl LoadedTree {
    /// Records a candidate that was not loaded.
    pub(crate) fn skip(&mut self, path: impl Into<String>, reason: SkipReason) {
        self.skipped.push(SkippedFile {
            path: path.into(),
            reason,
        });
    }
}

/// Reading a directory failed as a whole (single unreadable files are skipped, not errors).
#[derive(Debug, Error)]
pub enum LocalError {
    /// The root cannot be resolved (missing, no permission, ...).
    #[error("cannot open {}: {source}", path.display())]
    Root {
        /// The root given.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The root is not a directory.
    #[error("{} is not a directory", path.display())]
    NotADirectory {
        /// The root given.
        path: PathBuf,
    },
}

/// Loads the candidate files under `root`, capping file size at [`MAX_FILE_BYTES`].
///
/// # Errors
/// When `root` cannot be resolved or is not a directory; problems with single files are
/// reported in [`LoadedTree::skipped`] instead.
pub fn read_dir(root: &Path, options: &DetectOptions) -> Result<LoadedTree, LocalError> {
    read_dir_capped(root, options, MAX_FILE_BYTES)
}

/// Loads the candidate files under `root`; files over `max_file_bytes` are skipped.
///
/// # Errors
/// As [`read_dir`].
pub fn read_dir_capped(
    root: &Path,
    options: &DetectOptions,
    max_file_bytes: u64,
) -> Result<LoadedTree, LocalError> {
    let canonical_root = fs::canonicalize(root).map_err(|source| LocalError::Root {
        path: root.to_path_buf(),
        source,
    })?;
    if !canonical_root.is_dir() {
        return Err(LocalError::NotADirectory {
            path: root.to_path_buf(),
        });
    }
    let mut walk = Walk {
        root: canonical_root,
        filter: CandidateFilter::new(options),
        max_file_bytes,
        tree: LoadedTree::default(),
    };
    let start = walk.root.clone();
    walk.visit_dir(&start, "");
    Ok(walk.tree)
}

/// The state of one directory walk.
struct Walk {
    /// The canonical root; symlinks must resolve inside it.
    root: PathBuf,
    /// Which paths to load.
    filter: CandidateFilter,
    /// The size cap.
    max_file_bytes: u64,
    /// What has been loaded so far.
    tree: LoadedTree,
}

impl Walk {
    /// Visits the entries of `dir`, whose repository-relative path is `relative`.
    fn visit_dir(&mut self, dir: &Path, relative: &str) {
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(error) => {
                self.tree.skip(
                    display_dir(relative),
                    SkipReason::Unreadable(error.to_string()),
                );
                return;
            }
        };
        let mut entries: Vec<fs::DirEntry> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(fs::DirEntry::file_name);
        for entry in entries {
            self.visit_entry(&entry, relative);
        }
    }

    /// Visits one directory entry.
    fn visit_entry(&mut self, entry: &fs::DirEntry, parent: &str) {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            let lossy = join(parent, &name.to_string_lossy());
            if self.filter.matches(&lossy) {
                self.tree.skip(lossy, SkipReason::NonUtf8Name);
            }
            return;
        };
        let relative = join(parent, name);
        let path = entry.path();
        let Ok(file_type) = entry.file_type() else {
            return self.visit_file(&path, relative);
        };
        if file_type.is_dir() {
            if !is_ignored_dir(name) {
                self.visit_dir(&path, &relative);
            }
        } else if file_type.is_symlink() {
            self.visit_symlink(&path, relative);
        } else if file_type.is_file() {
            self.visit_file(&path, relative);
        }
    }

    /// Reads a symlinked candidate when it points at a file inside the tree.
    fn visit_symlink(&mut self, path: &Path, relative: String) {
        if !self.filter.matches(&relative) {
            return;
        }
        match fs::canonicalize(path) {
            Ok(target) if target.starts_with(&self.root) && target.is_file() => {
                self.visit_file(&target, relative);
            }
            Ok(_) => self.tree.skip(relative, SkipReason::Symlink),
            Err(error) => self
                .tree
                .skip(relative, SkipReason::Unreadable(error.to_string())),
        }
    }

    /// Loads a candidate file, or records why it cannot be loaded.
    fn visit_file(&mut self, path: &Path, relative: String) {
        if !self.filter.matches(&relative) {
            return;
        }
        match read_capped(path, self.max_file_bytes) {
            Ok(contents) => self.tree.files.insert(relative, contents),
            Err(reason) => self.tree.skip(relative, reason),
        }
    }
}

/// Reads a file unless it is over `limit` bytes.
fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, SkipReason> {
    let unreadable = |error: io::Error| SkipReason::Unreadable(error.to_string());
    let size = fs::metadata(path).map_err(unreadable)?.len();
    if size > limit {
        return Err(SkipReason::TooLarge { size, limit });
    }
    fs::read(path).map_err(unreadable)
}

/// Joins a repository-relative directory and a name with `/`.
fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}/{name}")
    }
}

/// A directory's relative path for reports (`.` for the root).
fn display_dir(relative: &str) -> String {
    if relative.is_empty() {
        ".".to_string()
    } else {
        relative.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_candidates_and_reports_large_files() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        fs::create_dir_all(dir.path().join("db/migrations"))?;
        fs::create_dir_all(dir.path().join("node_modules/pkg/migrations"))?;
        fs::write(
            dir.path().join("db/migrations/1_a.sql"),
            "CREATE TABLE a (id int);",
        )?;
        fs::write(dir.path().join("db/migrations/2_big.sql"), "x".repeat(100))?;
        fs::write(dir.path().join("README.md"), "not a candidate")?;
        fs::write(
            dir.path().join("node_modules/pkg/migrations/1.sql"),
            "ignored",
        )?;
        let tree = read_dir_capped(dir.path(), &DetectOptions::default(), 50)?;
        let paths: Vec<&str> = tree.files.paths().collect();
        assert_eq!(paths, ["db/migrations/1_a.sql"]);
        assert_eq!(
            tree.skipped,
            [SkippedFile {
                path: "db/migrations/2_big.sql".into(),
                reason: SkipReason::TooLarge {
                    size: 100,
                    limit: 50
                }
            }]
        );
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_leaving_the_tree_are_reported() -> Result<(), Box<dyn std::error::Error>> {
        let outside = tempfile::tempdir()?;
        fs::write(outside.path().join("secret.sql"), "SELECT 1;")?;
        let dir = tempfile::tempdir()?;
        fs::create_dir(dir.path().join("migrations"))?;
        fs::write(dir.path().join("migrations/1_a.sql"), "SELECT 2;")?;
        std::os::unix::fs::symlink(
            outside.path().join("secret.sql"),
            dir.path().join("migrations/2_out.sql"),
        )?;
        std::os::unix::fs::symlink(
            dir.path().join("migrations/1_a.sql"),
            dir.path().join("migrations/3_in.sql"),
        )?;
        let tree = read_dir(dir.path(), &DetectOptions::default())?;
        assert_eq!(
            tree.files.get("migrations/3_in.sql"),
            Some(&b"SELECT 2;"[..])
        );
        assert!(!tree.files.contains("migrations/2_out.sql"));
        assert_eq!(tree.skipped.len(), 1);
        assert_eq!(
            tree.skipped.first().map(|s| s.reason.clone()),
            Some(SkipReason::Symlink)
        );
        Ok(())
    }

    #[test]
    fn a_missing_root_is_an_error_naming_it() {
        let error = read_dir(Path::new("/definitely/not/here"), &DetectOptions::default());
        let message = error.map(|_| ()).unwrap_err().to_string();
        assert!(message.contains("/definitely/not/here"), "{message}");
    }
}
