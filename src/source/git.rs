//! Read a tree at a git revision through one `git ls-tree` and one `git cat-file --batch`.
//!
//! Every user-supplied revision goes through [`GitRepo::resolve`] first, which refuses
//! option-looking strings and passes the rest after `--end-of-options`; every later git
//! command sees only the full object ids it returned.

use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command, Output, Stdio};
use std::thread;

use thiserror::Error;

use super::local::{LoadedTree, MAX_FILE_BYTES, SkipReason};
use crate::analysis::detect::{CandidateFilter, DetectOptions};

/// The revision name for the tree before the first commit.
pub const EMPTY_REV: &str = "EMPTY";

/// The id git gives the empty tree (present in every SHA-1 repository).
pub const EMPTY_TREE_SHA: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/// The longest revision string accepted.
const MAX_REV_LEN: usize = 256;

/// A git failure, with the context needed to act on it.
#[derive(Debug, Error)]
pub enum GitError {
    /// The `git` executable cannot be found.
    #[error("git is not installed (no `git` executable on PATH)")]
    NotInstalled,
    /// git could not be started or talked to.
    #[error("cannot run `git {command}` in {}: {source}", repo.display())]
    Io {
        /// The git subcommand.
        command: String,
        /// The directory git ran in.
        repo: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The path is not inside a work tree.
    #[error("{} is not inside a git work tree: {stderr}", path.display())]
    NotARepository {
        /// The path given.
        path: PathBuf,
        /// What git said.
        stderr: String,
    },
    /// The revision string is refused before reaching git.
    #[error("refusing revision {rev:?}: {reason}")]
    InvalidRevision {
        /// The revision given.
        rev: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// git does not know the revision (or it is not a commit).
    #[error("unknown revision `{rev}` in {}: {stderr}", repo.display())]
    UnknownRevision {
        /// The revision given.
        rev: String,
        /// The repository.
        repo: PathBuf,
        /// What git said.
        stderr: String,
    },
    /// A git command failed.
    #[error("`git {command}` failed in {}: {stderr}", repo.display())]
    Command {
        /// The git subcommand and its arguments.
        command: String,
        /// The repository.
        repo: PathBuf,
        /// What git said.
        stderr: String,
    },
    /// git printed something this module cannot read.
    #[error("unexpected output from `git {command}`: {detail}")]
    Output {
        /// The git subcommand.
        command: String,
        /// What was wrong.
        detail: String,
    },
    /// The two revisions share no history (or one is the empty tree).
    #[error("`{a}` and `{b}` have no common ancestor")]
    NoMergeBase {
        /// The first revision.
        a: String,
        /// The second revision.
        b: String,
    },
    /// None of origin/HEAD, main, master exists.
    #[error("cannot tell the default branch of {}: origin/HEAD is not set and there is no main or master branch", repo.display())]
    NoDefaultBranch {
        /// The repository.
        repo: PathBuf,
    },
}

/// How a path changed between two revisions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// New at head.
    Added,
    /// Contents changed.
    Modified,
    /// Gone at head.
    Deleted,
    /// The type changed (file, symlink, submodule).
    TypeChanged,
    /// Moved from another path (possibly with edits).
    Renamed {
        /// The path at base.
        from: String,
    },
    /// Copied from another path.
    Copied {
        /// The path copied.
        from: String,
    },
    /// Any other status letter git reports (unmerged, unknown).
    Other(char),
}

/// One changed path between two revisions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangedPath {
    /// The path at head (at base for deletions).
    pub path: String,
    /// How it changed.
    pub kind: ChangeKind,
}

/// A git work tree, driven through the `git` executable.
#[derive(Clone, Debug)]
pub struct GitRepo {
    /// The top level of the work tree.
    root: PathBuf,
}

impl GitRepo {
    /// Opens the repository containing `path` (`git rev-parse --show-toplevel`).
    ///
    /// # Errors
    /// [`GitError::NotInstalled`] without git, [`GitError::NotARepository`] outside a work tree.
    pub fn open(path: &Path) -> Result<GitRepo, GitError> {
        let output = run(path, &["rev-parse", "--show-toplevel"])?;
        if !output.status.success() {
            return Err(GitError::NotARepository {
                path: path.to_path_buf(),
                stderr: stderr_text(&output),
            });
        }
        let top = String::from_utf8(output.stdout).map_err(|_| GitError::Output {
            command: "rev-parse --show-toplevel".into(),
            detail: "the repository path is not valid UTF-8".into(),
        })?;
        Ok(GitRepo {
            root: PathBuf::from(top.trim_end_matches(['\n', '\r'])),
        })
    }

    /// The top level of the work tree.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The full commit id of `rev`, or [`EMPTY_TREE_SHA`] for [`EMPTY_REV`] / the empty tree.
    ///
    /// # Errors
    /// [`GitError::InvalidRevision`] for option-looking strings, [`GitError::UnknownRevision`]
    /// when git cannot resolve `rev` to a commit.
    pub fn resolve(&self, rev: &str) -> Result<String, GitError> {
        if is_empty_tree(rev) {
            return Ok(EMPTY_TREE_SHA.to_string());
        }
        validate_rev(rev)?;
        let spec = format!("{rev}^{{commit}}");
        let output = self.run(&["rev-parse", "--verify", "--end-of-options", &spec])?;
        if !output.status.success() {
            return Err(GitError::UnknownRevision {
                rev: rev.to_string(),
                repo: self.root.clone(),
                stderr: stderr_text(&output),
            });
        }
        object_id(&output.stdout, "rev-parse")
    }

    /// The candidate files of the tree at `rev`, capping file size at [`MAX_FILE_BYTES`].
    ///
    /// # Errors
    /// As [`GitRepo::read_tree_capped`].
    pub fn read_tree(&self, rev: &str, options: &DetectOptions) -> Result<LoadedTree, GitError> {
        self.read_tree_capped(rev, options, MAX_FILE_BYTES)
    }

    /// The candidate files of the tree at `rev`; blobs over `max_file_bytes` are skipped.
    /// Runs one `git ls-tree` and one `git cat-file --batch` whatever the number of files.
    ///
    /// # Errors
    /// As [`GitRepo::resolve`], or when git fails or answers something unreadable.
    pub fn read_tree_capped(
        &self,
        rev: &str,
        options: &DetectOptions,
        max_file_bytes: u64,
    ) -> Result<LoadedTree, GitError> {
        let sha = self.resolve(rev)?;
        let mut tree = LoadedTree::default();
        if sha == EMPTY_TREE_SHA {
            return Ok(tree);
        }
        let listing = self.run_ok(&["ls-tree", "-r", "-z", "-l", "--full-tree", &sha])?;
        let filter = CandidateFilter::new(options);
        let mut wanted: Vec<(String, String)> = Vec::new();
        for entry in parse_ls_tree(&listing)? {
            match select_entry(entry, &filter, max_file_bytes) {
                Selection::Load { path, object } => wanted.push((path, object)),
                Selection::Skip { path, reason } => tree.skip(path, reason),
                Selection::Ignore => {}
            }
        }
        for (path, contents) in self.cat_blobs(wanted, max_file_bytes)? {
            tree.files.insert(path, contents);
        }
        Ok(tree)
    }

    /// The best common ancestor of two revisions.
    ///
    /// # Errors
    /// As [`GitRepo::resolve`]; [`GitError::NoMergeBase`] for unrelated histories.
    pub fn merge_base(&self, a: &str, b: &str) -> Result<String, GitError> {
        let (sha_a, sha_b) = (self.resolve(a)?, self.resolve(b)?);
        let no_base = || GitError::NoMergeBase {
            a: a.to_string(),
            b: b.to_string(),
        };
        if sha_a == EMPTY_TREE_SHA || sha_b == EMPTY_TREE_SHA {
            return Err(no_base());
        }
        let output = self.run(&["merge-base", &sha_a, &sha_b])?;
        match output.status.code() {
            Some(0) => object_id(&output.stdout, "merge-base"),
            Some(1) if output.stderr.is_empty() => Err(no_base()),
            _ => Err(self.command_error("merge-base", &output)),
        }
    }

    /// The branch pull requests target: origin/HEAD's branch, else `main`, else `master`.
    ///
    /// # Errors
    /// [`GitError::NoDefaultBranch`] when none of the three exists.
    pub fn default_branch(&self) -> Result<String, GitError> {
        let origin = self.run(&[
            "symbolic-ref",
            "--quiet",
            "--short",
            "refs/remotes/origin/HEAD",
        ])?;
        let origin_head = String::from_utf8_lossy(&origin.stdout).trim().to_string();
        if origin.status.success() && !origin_head.is_empty() {
            return Ok(origin_head);
        }
        for branch in ["main", "master"] {
            let reference = format!("refs/heads/{branch}");
            if self
                .run(&["rev-parse", "--verify", "--quiet", &reference])?
                .status
                .success()
            {
                return Ok(branch.to_string());
            }
        }
        Err(GitError::NoDefaultBranch {
            repo: self.root.clone(),
        })
    }

    /// The paths that differ between `base` and `head`, with renames detected.
    ///
    /// # Errors
    /// As [`GitRepo::resolve`], or when `git diff` fails.
    pub fn changed_paths(&self, base: &str, head: &str) -> Result<Vec<ChangedPath>, GitError> {
        let (base, head) = (self.resolve(base)?, self.resolve(head)?);
        let output = self.run_ok(&[
            "diff",
            "--name-status",
            "-z",
            "-M",
            "--no-ext-diff",
            "--no-textconv",
            &base,
            &head,
        ])?;
        parse_name_status(&output)
    }

    /// Runs git in the repository.
    fn run(&self, args: &[&str]) -> Result<Output, GitError> {
        run(&self.root, args)
    }

    /// Runs git in the repository and returns its stdout, failing on a non-zero exit.
    fn run_ok(&self, args: &[&str]) -> Result<Vec<u8>, GitError> {
        let output = self.run(args)?;
        if output.status.success() {
            Ok(output.stdout)
        } else {
            Err(self.command_error(&args.join(" "), &output))
        }
    }

    /// The error for a failed command.
    fn command_error(&self, command: &str, output: &Output) -> GitError {
        GitError::Command {
            command: command.to_string(),
            repo: self.root.clone(),
            stderr: stderr_text(output),
        }
    }

    /// Reads all `(path, blob id)` through one `git cat-file --batch`, writing the ids from a
    /// thread while the answers are read, so neither pipe can fill up and block.
    fn cat_blobs(
        &self,
        wanted: Vec<(String, String)>,
        max_file_bytes: u64,
    ) -> Result<Vec<(String, Vec<u8>)>, GitError> {
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let io_error = |source| GitError::Io {
            command: "cat-file --batch".into(),
            repo: self.root.clone(),
            source,
        };
        let mut child = git_command(&self.root, &["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(io_error)?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io_error(io::Error::other("git cat-file has no pipes")));
        };
        let ids: Vec<String> = wanted.iter().map(|(_, id)| id.clone()).collect();
        let helpers = CatFileHelpers {
            writer: thread::spawn(move || write_ids(stdin, &ids)),
            stderr: thread::spawn(move || drain(stderr)),
        };
        let mut reader = BufReader::new(stdout);
        let read = wanted
            .into_iter()
            .map(|(path, id)| read_blob(&mut reader, &id, max_file_bytes).map(|c| (path, c)))
            .collect::<Result<Vec<_>, _>>();
        drop(reader);
        finish_cat_file(child, helpers, read, io_error)
    }
}

/// The threads feeding `git cat-file --batch` its ids and draining its stderr, so that no
/// pipe can fill up and block git while its stdout is read.
struct CatFileHelpers {
    /// Writes the object ids to stdin.
    writer: thread::JoinHandle<io::Result<()>>,
    /// Collects stderr.
    stderr: thread::JoinHandle<String>,
}

/// Waits for `git cat-file` and its helper threads; a reading failure wins, with git's stderr.
fn finish_cat_file<T>(
    mut child: Child,
    helpers: CatFileHelpers,
    read: Result<T, String>,
    io_error: impl Fn(io::Error) -> GitError,
) -> Result<T, GitError> {
    if read.is_err() {
        let _ = child.kill();
    }
    let written = helpers
        .writer
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("the writer thread panicked")));
    let stderr = helpers.stderr.join().unwrap_or_default();
    child.wait().map_err(&io_error)?;
    match read {
        Ok(blobs) => {
            written.map_err(io_error)?;
            Ok(blobs)
        }
        Err(detail) => {
            let detail = if stderr.is_empty() {
                detail
            } else {
                format!("{detail} ({stderr})")
            };
            Err(GitError::Output {
                command: "cat-file --batch".into(),
                detail,
            })
        }
    }
}

/// Everything a child wrote to stderr, trimmed (lossily decoded).
fn drain(mut stderr: ChildStderr) -> String {
    let mut bytes = Vec::new();
    let _ = stderr.read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).trim().to_string()
}

/// Writes one object id per line, then closes stdin so git finishes.
fn write_ids(stdin: ChildStdin, ids: &[String]) -> io::Result<()> {
    let mut stdin = BufWriter::new(stdin);
    for id in ids {
        writeln!(stdin, "{id}")?;
    }
    stdin.flush()
}

/// Reads one `<id> blob <size>\n<contents>\n` answer of `git cat-file --batch`.
fn read_blob(
    reader: &mut BufReader<ChildStdout>,
    expected: &str,
    max_file_bytes: u64,
) -> Result<Vec<u8>, String> {
    let mut header = Vec::new();
    reader
        .read_until(b'\n', &mut header)
        .map_err(|e| format!("reading the header for {expected}: {e}"))?;
    let header = String::from_utf8_lossy(&header);
    let size = parse_batch_header(header.trim_end(), expected, max_file_bytes)?;
    let mut contents = Vec::new();
    reader
        .by_ref()
        .take(size.saturating_add(1))
        .read_to_end(&mut contents)
        .map_err(|e| format!("reading blob {expected}: {e}"))?;
    match contents.pop() {
        Some(b'\n') if contents.len() as u64 == size => Ok(contents),
        _ => Err(format!("blob {expected} ended early")),
    }
}

/// The size in a `<id> blob <size>` header, checking the id, type and cap.
fn parse_batch_header(header: &str, expected: &str, max_file_bytes: u64) -> Result<u64, String> {
    let fields: Vec<&str> = header.split(' ').collect();
    let [id, kind, size] = fields.as_slice() else {
        return Err(format!("unexpected answer for {expected}: {header:?}"));
    };
    if *id != expected || *kind != "blob" {
        return Err(format!("asked for blob {expected}, got {header:?}"));
    }
    let size: u64 = size
        .parse()
        .map_err(|_| format!("bad size in {header:?}"))?;
    if size > max_file_bytes {
        return Err(format!("blob {expected} is {size} bytes, over the limit"));
    }
    Ok(size)
}

/// One entry of `git ls-tree -r -z -l`.
#[derive(Debug, PartialEq, Eq)]
struct TreeEntry {
    /// The file mode (`100644`, `100755`, `120000` symlink, `160000` submodule).
    mode: String,
    /// The object id.
    object: String,
    /// The blob size (`None` for submodules).
    size: Option<u64>,
    /// The path, as git stores it (bytes).
    path: Vec<u8>,
}

/// Parses `<mode> <type> <object> <size>\t<path>\0` records.
fn parse_ls_tree(listing: &[u8]) -> Result<Vec<TreeEntry>, GitError> {
    let malformed = |record: &[u8]| GitError::Output {
        command: "ls-tree".into(),
        detail: format!("malformed entry {:?}", String::from_utf8_lossy(record)),
    };
    listing
        .split(|b| *b == 0)
        .filter(|record| !record.is_empty())
        .map(|record| {
            let tab = record
                .iter()
                .position(|b| *b == b'\t')
                .ok_or_else(|| malformed(record))?;
            let (meta, path) = record.split_at(tab);
            let meta = String::from_utf8_lossy(meta);
            let fields: Vec<&str> = meta.split_whitespace().collect();
            let [mode, _kind, object, size] = fields.as_slice() else {
                return Err(malformed(record));
            };
            Ok(TreeEntry {
                mode: mode.to_string(),
                object: object.to_string(),
                size: size.parse().ok(),
                path: path.get(1..).unwrap_or_default().to_vec(),
            })
        })
        .collect()
}

/// What to do with a tree entry.
enum Selection {
    /// Load the blob.
    Load {
        /// Repository-relative path.
        path: String,
        /// Blob id.
        object: String,
    },
    /// Report the candidate as not loaded.
    Skip {
        /// Repository-relative path.
        path: String,
        /// Why.
        reason: SkipReason,
    },
    /// Not a candidate.
    Ignore,
}

/// Decides whether a tree entry is loaded, reported or ignored.
fn select_entry(entry: TreeEntry, filter: &CandidateFilter, max_file_bytes: u64) -> Selection {
    let path = match String::from_utf8(entry.path) {
        Ok(path) => path,
        Err(error) => {
            let lossy = String::from_utf8_lossy(error.as_bytes()).into_owned();
            if !filter.matches(&lossy) {
                return Selection::Ignore;
            }
            return Selection::Skip {
                path: lossy,
                reason: SkipReason::NonUtf8Name,
            };
        }
    };
    if !filter.matches(&path) {
        return Selection::Ignore;
    }
    let reason = match (entry.mode.as_str(), entry.size) {
        ("120000", _) => SkipReason::Symlink,
        ("160000", _) => SkipReason::Submodule,
        (_, Some(size)) if size > max_file_bytes => SkipReason::TooLarge {
            size,
            limit: max_file_bytes,
        },
        (_, Some(_)) => {
            return Selection::Load {
                path,
                object: entry.object,
            };
        }
        (_, None) => return Selection::Ignore,
    };
    Selection::Skip { path, reason }
}

/// Parses `git diff --name-status -z` output: `<status>\0<path>\0` or, for renames and
/// copies, `<status><score>\0<from>\0<to>\0`.
fn parse_name_status(output: &[u8]) -> Result<Vec<ChangedPath>, GitError> {
    let mut fields = output
        .split(|b| *b == 0)
        .filter(|f| !f.is_empty())
        .map(|f| String::from_utf8_lossy(f).into_owned());
    let truncated = || GitError::Output {
        command: "diff --name-status".into(),
        detail: "a status without its path".into(),
    };
    let mut changes = Vec::new();
    while let Some(status) = fields.next() {
        let letter = status.chars().next().unwrap_or('?');
        let first = fields.next().ok_or_else(truncated)?;
        let (path, kind) = match letter {
            'A' => (first, ChangeKind::Added),
            'M' => (first, ChangeKind::Modified),
            'D' => (first, ChangeKind::Deleted),
            'T' => (first, ChangeKind::TypeChanged),
            'R' => (
                fields.next().ok_or_else(truncated)?,
                ChangeKind::Renamed { from: first },
            ),
            'C' => (
                fields.next().ok_or_else(truncated)?,
                ChangeKind::Copied { from: first },
            ),
            other => (first, ChangeKind::Other(other)),
        };
        changes.push(ChangedPath { path, kind });
    }
    Ok(changes)
}

/// One ref and the commit it points to, as `git for-each-ref` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefCommit {
    /// The full ref name (`refs/heads/feature`, `refs/pull/7/head`).
    pub refname: String,
    /// The object the ref points to.
    pub object: String,
    /// Its type (`commit`, or `blob`, `tree`, `tag` for refs that do not name a commit).
    pub object_type: String,
    /// The commit's author name (empty when the object is not a commit).
    pub author: String,
    /// The commit date, RFC 3339 (empty when the object is not a commit).
    pub date: String,
    /// The commit date, seconds since the Unix epoch (0 when the object is not a commit).
    pub timestamp: i64,
    /// The first line of the commit message.
    pub subject: String,
    /// The rest of the commit message.
    pub body: String,
}

/// The fields [`GitRepo::ref_commits`] asks `git for-each-ref` for, each followed by a NUL.
const REF_COMMIT_FORMAT: &str = "%(refname)%00%(objectname)%00%(objecttype)%00%(authorname)%00\
     %(committerdate:iso-strict)%00%(committerdate:unix)%00%(subject)%00%(body)%00";

/// How many fields [`REF_COMMIT_FORMAT`] prints per ref.
const REF_COMMIT_FIELDS: usize = 8;

impl GitRepo {
    /// Every ref under `prefixes` (e.g. `refs/heads/`) with its commit's author, date and
    /// message, sorted by ref name, through one `git for-each-ref` whatever the number of refs.
    ///
    /// # Errors
    /// [`GitError::InvalidRevision`] for an option-looking prefix, or when git fails or
    /// answers something unreadable.
    pub fn ref_commits(&self, prefixes: &[&str]) -> Result<Vec<RefCommit>, GitError> {
        for prefix in prefixes {
            validate_rev(prefix)?;
        }
        let format = format!("--format={REF_COMMIT_FORMAT}");
        let mut args = vec!["for-each-ref", format.as_str()];
        args.extend_from_slice(prefixes);
        let output = self.run_ok(&args)?;
        parse_ref_commits(&output)
    }
}

/// Parses records of [`REF_COMMIT_FORMAT`] fields, each record ended by git's newline.
fn parse_ref_commits(output: &[u8]) -> Result<Vec<RefCommit>, GitError> {
    let text = String::from_utf8_lossy(output);
    let fields: Vec<&str> = text.split('\0').collect();
    let records = fields.chunks_exact(REF_COMMIT_FIELDS);
    let rest = records.remainder();
    if rest.len() != 1 || !rest.iter().all(|tail| tail.trim().is_empty()) {
        return Err(GitError::Output {
            command: "for-each-ref".into(),
            detail: format!("{} fields do not make whole records", fields.len()),
        });
    }
    records
        .map(|record| match record {
            [
                refname,
                object,
                object_type,
                author,
                date,
                timestamp,
                subject,
                body,
            ] => Ok(RefCommit {
                refname: refname.trim_start_matches('\n').to_owned(),
                object: (*object).to_owned(),
                object_type: (*object_type).to_owned(),
                author: (*author).to_owned(),
                date: (*date).to_owned(),
                timestamp: timestamp.parse().unwrap_or_default(),
                subject: (*subject).to_owned(),
                body: body.trim_end().to_owned(),
            }),
            _ => Err(GitError::Output {
                command: "for-each-ref".into(),
                detail: "a record without all its fields".into(),
            }),
        })
        .collect()
}

/// Whether `rev` names the empty tree.
fn is_empty_tree(rev: &str) -> bool {
    rev == EMPTY_REV || rev.eq_ignore_ascii_case(EMPTY_TREE_SHA)
}

/// Refuses revisions git could read as an option or that no ref can spell.
fn validate_rev(rev: &str) -> Result<(), GitError> {
    let reason = if rev.is_empty() {
        Some("it is empty")
    } else if rev.starts_with('-') {
        Some("it starts with '-' and would read as an option")
    } else if rev.len() > MAX_REV_LEN {
        Some("it is too long")
    } else if rev.chars().any(|c| c.is_control() || c.is_whitespace()) {
        Some("it contains whitespace or control characters")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(GitError::InvalidRevision {
            rev: rev.to_string(),
            reason,
        }),
        None => Ok(()),
    }
}

/// The object id on the first line of `stdout`.
fn object_id(stdout: &[u8], command: &str) -> Result<String, GitError> {
    let text = String::from_utf8_lossy(stdout);
    let id = text.lines().next().unwrap_or_default().trim();
    let valid = matches!(id.len(), 40 | 64) && id.bytes().all(|b| b.is_ascii_hexdigit());
    if valid {
        Ok(id.to_string())
    } else {
        Err(GitError::Output {
            command: command.to_string(),
            detail: format!("expected an object id, got {id:?}"),
        })
    }
}

/// A `git -C <dir> <args>` command that never prompts and takes no optional locks.
fn git_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::null());
    command
}

/// Runs `git -C <dir> <args>` to completion.
fn run(dir: &Path, args: &[&str]) -> Result<Output, GitError> {
    git_command(dir, args).output().map_err(|source| {
        if source.kind() == io::ErrorKind::NotFound {
            GitError::NotInstalled
        } else {
            GitError::Io {
                command: args.join(" "),
                repo: dir.to_path_buf(),
                source,
            }
        }
    })
}

/// git's stderr, trimmed.
fn stderr_text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_looking_revisions_are_refused() {
        for rev in ["--output=/tmp/x", "-n", "", "a b", "x\ny"] {
            assert!(
                matches!(validate_rev(rev), Err(GitError::InvalidRevision { .. })),
                "{rev:?}"
            );
        }
        assert!(validate_rev("origin/main~2").is_ok());
    }

    #[test]
    fn name_status_reads_renames_and_plain_statuses() -> Result<(), GitError> {
        let output = b"M\0a.sql\0R087\0old.sql\0new.sql\0D\0gone.sql\0";
        let changes = parse_name_status(output)?;
        assert_eq!(
            changes,
            [
                ChangedPath {
                    path: "a.sql".into(),
                    kind: ChangeKind::Modified
                },
                ChangedPath {
                    path: "new.sql".into(),
                    kind: ChangeKind::Renamed {
                        from: "old.sql".into()
                    }
                },
                ChangedPath {
                    path: "gone.sql".into(),
                    kind: ChangeKind::Deleted
                },
            ]
        );
        assert!(parse_name_status(b"R100\0only_one\0").is_err());
        Ok(())
    }

    #[test]
    fn ls_tree_records_keep_tabs_in_paths() -> Result<(), GitError> {
        let listing = b"100644 blob abc 12\tdir/a\tb.sql\x00160000 commit def       -\tsub\x00";
        let entries = parse_ls_tree(listing)?;
        assert_eq!(entries.len(), 2);
        assert_eq!(
            entries.first().map(|e| e.path.clone()),
            Some(b"dir/a\tb.sql".to_vec())
        );
        assert_eq!(entries.get(1).and_then(|e| e.size), None);
        Ok(())
    }

    #[test]
    fn ref_commit_records_keep_newlines_in_bodies() -> Result<(), GitError> {
        let output =
            b"refs/heads/a\0abc\0commit\0Ann\x002026-01-02T03:04:05+00:00\x001767323045\0Subject\0\
            Line 1\n\nLine 2\n\0\nrefs/pull/9/head\0def\0blob\0\0\0\0\0\0\n";
        let refs = parse_ref_commits(output)?;
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[0].body, "Line 1\n\nLine 2");
        assert_eq!(refs[0].date, "2026-01-02T03:04:05+00:00");
        assert_eq!(refs[0].timestamp, 1_767_323_045);
        assert_eq!(refs[1].timestamp, 0);
        assert_eq!(refs[1].refname, "refs/pull/9/head");
        assert_eq!(refs[1].object_type, "blob");
        assert!(parse_ref_commits(b"refs/heads/a\0abc\0commit\0").is_err());
        assert_eq!(parse_ref_commits(b"")?, []);
        Ok(())
    }

    #[test]
    fn batch_headers_are_checked() {
        assert_eq!(parse_batch_header("abc blob 5", "abc", 10), Ok(5));
        assert!(parse_batch_header("abc missing", "abc", 10).is_err());
        assert!(parse_batch_header("abd blob 5", "abc", 10).is_err());
        assert!(parse_batch_header("abc blob 50", "abc", 10).is_err());
    }
}
