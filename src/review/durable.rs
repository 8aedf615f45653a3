//! Durable file writes for review state: atomic replacement (temp file, fsync, rename, fsync of
//! the directory), exclusive lock files, moving damaged files aside under a name that says why
//! and when, and removing the temp files of writes a crash interrupted.
//!
//! Stray temp files: [`write_atomically`] writes `.writing-*.tmp` beside its target and holds
//! an exclusive lock on it until the rename. A kill between the two leaves the temp file
//! behind; [`remove_stray_writes`] removes such a file only when it is older than
//! [`STRAY_AGE`] *and* its lock is free, so the file of a writer that is still alive (however
//! slow) is never touched, and neither is one created a moment ago and not locked yet.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use thiserror::Error;

use super::clock::Timestamp;

/// Review state could not be saved or read.
#[derive(Debug, Error)]
pub enum StoreError {
    /// A file-system operation failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A record could not be turned into JSON.
    #[error("cannot encode the record: {0}")]
    Encode(#[from] serde_json::Error),
}

/// Wraps an I/O error with what was done to which path.
pub fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> StoreError {
    let path = path.to_path_buf();
    move |source| StoreError::Io {
        action,
        path,
        source,
    }
}

/// The environment variable that points schemagate at another data directory.
pub const DATA_DIR_ENV: &str = "SCHEMAGATE_DATA_DIR";

/// The directory of drafts and the decision log: `$SCHEMAGATE_DATA_DIR` when set and not empty,
/// else the platform's data directory for schemagate (`~/.local/share/schemagate` on Linux,
/// `~/Library/Application Support/schemagate` on macOS, `%APPDATA%\schemagate\data` on
/// Windows). `None` when neither is known (no home directory).
pub fn data_dir() -> Option<PathBuf> {
    data_dir_from(std::env::var_os(DATA_DIR_ENV))
}

/// [`data_dir`] with the environment variable's value given.
fn data_dir_from(env_value: Option<std::ffi::OsString>) -> Option<PathBuf> {
    match env_value {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => directories::ProjectDirs::from("", "", "schemagate")
            .map(|dirs| dirs.data_dir().to_path_buf()),
    }
}

/// How the temp files of [`write_atomically`] begin.
const TEMP_PREFIX: &str = ".writing-";
/// How they end.
const TEMP_SUFFIX: &str = ".tmp";

/// How old a stray temp file must be before [`remove_stray_writes`] may remove it (and then
/// only when no process holds its lock).
pub const STRAY_AGE: Duration = Duration::from_secs(120);

/// How long [`lock_exclusive`] waits for another process to release a lock.
const LOCK_WAIT: Duration = Duration::from_secs(5);
/// The pause between two attempts to take a lock held by another process.
const LOCK_RETRY: Duration = Duration::from_millis(2);

/// Replaces `path` with `bytes` atomically: after a crash at any moment the file holds either
/// its old contents or the new ones, never a mix. Creates the parent directories.
///
/// # Errors
/// Any I/O error; `path` is then unchanged.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    replace_file(path, bytes, true)
}

/// [`write_atomically`] without flushing to disk: the new contents replace the old ones at
/// once for every process and survive the writer being killed (the kernel keeps them), but a
/// power cut may lose them. For saves made so often (every keystroke) that an fsync each would
/// slow typing; the next [`write_atomically`] of the file flushes it.
///
/// # Errors
/// Any I/O error; `path` is then unchanged.
pub fn write_atomically_unflushed(path: &Path, bytes: &[u8]) -> io::Result<()> {
    replace_file(path, bytes, false)
}

/// Writes `bytes` to a locked temp file beside `path` and renames it over `path`; with
/// `flush`, the file and the directory are flushed to disk too.
fn replace_file(path: &Path, bytes: &[u8], flush: bool) -> io::Result<()> {
    let dir = parent_dir(path)?;
    fs::create_dir_all(dir)?;
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)?;
    // Held until the rename: a sweep never removes the file of a live writer.
    temp.as_file().lock()?;
    temp.write_all(bytes)?;
    if flush {
        temp.as_file().sync_all()?;
    }
    temp.persist(path).map_err(|error| error.error)?;
    if flush { sync_dir(dir) } else { Ok(()) }
}

/// An exclusive lock on a lock file, released when dropped (or when the process dies).
#[derive(Debug)]
pub struct FileLock {
    /// The open lock file; closing it releases the lock.
    _file: File,
}

/// Takes the exclusive lock of the lock file `path` (created, with its directories, when
/// missing), waiting up to a few seconds while another process holds it. Lock files are never
/// removed: removing one while another process waits on it would hand out two locks.
///
/// # Errors
/// Any I/O error, or [`io::ErrorKind::WouldBlock`] when another process kept the lock for the
/// whole wait.
pub fn lock_exclusive(path: &Path) -> io::Result<FileLock> {
    fs::create_dir_all(parent_dir(path)?)?;
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)?;
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(FileLock { _file: file }),
            Err(TryLockError::Error(error)) => return Err(error),
            Err(TryLockError::WouldBlock) if start.elapsed() < LOCK_WAIT => {
                thread::sleep(LOCK_RETRY);
            }
            Err(TryLockError::WouldBlock) => {
                return Err(io::Error::new(
                    io::ErrorKind::WouldBlock,
                    format!("another process has held the lock for {LOCK_WAIT:?}"),
                ));
            }
        }
    }
}

/// Removes, under `root` and its subdirectories, the temp files of [`write_atomically`] that
/// a killed writer left: those older than [`STRAY_AGE`] whose lock no process holds. Returns
/// the files removed. Symbolic links are not followed; a missing `root` holds nothing.
///
/// # Errors
/// [`StoreError`] when a directory cannot be listed or a stray file cannot be removed.
pub fn remove_stray_writes(root: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let mut removed = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(error) => return Err(io_error("list", &dir)(error)),
        };
        for entry in entries {
            let entry = entry.map_err(io_error("list", &dir))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(io_error("inspect", &path))?;
            if kind.is_dir() {
                dirs.push(path);
            } else if kind.is_file()
                && is_temp_name(&entry.file_name())
                && remove_if_stray(&path).map_err(io_error("remove", &path))?
            {
                removed.push(path);
            }
        }
    }
    removed.sort();
    Ok(removed)
}

/// Whether a file name is one [`write_atomically`] gives its temp files.
fn is_temp_name(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|name| name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX))
}

/// Removes the temp file `path` when it is older than [`STRAY_AGE`] and no process holds its
/// lock; whether it did. A file gone meanwhile (its writer renamed it) is not removed.
fn remove_if_stray(path: &Path) -> io::Result<bool> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(error) => return Err(error),
    };
    let modified = file.metadata()?.modified()?;
    let age = SystemTime::now()
        .duration_since(modified)
        .unwrap_or_default();
    if age < STRAY_AGE {
        return Ok(false);
    }
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => return Ok(false),
        Err(TryLockError::Error(error)) => return Err(error),
    }
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(error),
    }
}

/// Flushes a directory's entries (a rename or a new file) to disk. A no-op where directories
/// cannot be opened as files (Windows).
///
/// # Errors
/// The error of `fsync` on systems that support it.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    if cfg!(unix) {
        File::open(dir)?.sync_all()
    } else {
        Ok(())
    }
}

/// A free name beside `path` for a copy set aside: `<name>.<label>-<compact time>`, with `-2`,
/// `-3`... appended when that exists already.
pub fn aside_path(path: &Path, label: &str, now: Timestamp) -> PathBuf {
    let base = format!("{}.{label}-{}", path.display(), now.compact());
    let mut candidate = PathBuf::from(&base);
    let mut counter = 1;
    while candidate.exists() {
        counter += 1;
        candidate = PathBuf::from(format!("{base}-{counter}"));
    }
    candidate
}

/// The directory holding `path`.
fn parent_dir(path: &Path) -> io::Result<&Path> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => Ok(dir),
        Some(_) => Ok(Path::new(".")),
        None => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} has no parent directory", path.display()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_overrides_the_data_dir_unless_empty() {
        let chosen = data_dir_from(Some("/tmp/sg".into()));
        assert_eq!(chosen, Some(PathBuf::from("/tmp/sg")));
        assert_ne!(data_dir_from(Some("".into())), Some(PathBuf::new()));
    }

    #[test]
    fn replaces_contents_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b.json");
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(dir.path().join("a")).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    /// A temp file as a killed writer leaves it, last written `age` ago.
    fn stray(dir: &Path, name: &str, age: Duration) -> PathBuf {
        let path = dir.join(name);
        let file = File::create(&path).unwrap();
        file.set_modified(SystemTime::now() - age).unwrap();
        path
    }

    #[test]
    fn only_old_unlocked_temp_files_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("drafts/acme__shop/7");
        fs::create_dir_all(&nested).unwrap();
        let old = STRAY_AGE + Duration::from_secs(60);
        let killed = stray(&nested, ".writing-a1.tmp", old);
        let fresh = stray(&nested, ".writing-b2.tmp", Duration::ZERO);
        let live = stray(dir.path(), ".writing-c3.tmp", old);
        let not_ours = stray(dir.path(), "notes.tmp", old);
        let writer = File::open(&live).unwrap();
        writer.lock().unwrap();
        // A lock of this process held on another open file counts as another writer's.
        assert_eq!(
            remove_stray_writes(dir.path()).unwrap(),
            vec![killed.clone()]
        );
        assert!(!killed.exists());
        assert!(fresh.exists() && live.exists() && not_ours.exists());
        drop(writer);
        assert_eq!(remove_stray_writes(dir.path()).unwrap(), vec![live]);
        assert!(
            remove_stray_writes(&dir.path().join("missing"))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_lock_is_exclusive_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b.lock");
        let held = lock_exclusive(&path).unwrap();
        let other = File::open(&path).unwrap();
        assert!(matches!(other.try_lock(), Err(TryLockError::WouldBlock)));
        drop(held);
        other.try_lock().unwrap();
    }

    #[test]
    fn an_unflushed_write_replaces_the_contents_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.json");
        write_atomically(&path, b"one").unwrap();
        write_atomically_unflushed(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn aside_names_never_collide() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.json");
        let now = Timestamp::from_unix_secs(0);
        let first = aside_path(&path, "corrupt", now);
        assert!(first.ends_with("d.json.corrupt-19700101T000000Z"));
        fs::write(&first, b"x").unwrap();
        let second = aside_path(&path, "corrupt", now);
        assert!(second.ends_with("d.json.corrupt-19700101T000000Z-2"));
    }
}
