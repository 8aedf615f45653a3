//! Durable file writes for review state: atomic replacement (temp file, fsync, rename, fsync of
//! the directory) and moving damaged files aside under a name that says why and when.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

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

/// Replaces `path` with `bytes` atomically: after a crash at any moment the file holds either
/// its old contents or the new ones, never a mix. Creates the parent directories.
///
/// # Errors
/// Any I/O error; `path` is then unchanged.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = parent_dir(path)?;
    fs::create_dir_all(dir)?;
    let mut temp = tempfile::Builder::new()
        .prefix(".writing-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|error| error.error)?;
    sync_dir(dir)
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
