//! The on-disk cache of what GitHub said that cannot change (or that a conditional request can
//! confirm cheaply), so a second queue load asks for nothing it has seen before.
//!
//! Layout under the cache directory (`$SCHEMAGATE_CACHE_DIR`, else the platform cache directory
//! for schemagate, `~/.cache/schemagate` on Linux):
//! - `blobs/<2 hex>/<oid>`: a file's exact bytes, keyed by its git object id. Every read checks
//!   the bytes against the id (SHA-1 of `blob <len>\0<bytes>` as git computes it, SHA-256 for
//!   SHA-256 repositories); an entry that does not match is deleted and fetched again.
//! - `trees/<commit>.json`: the files of a commit's tree (a commit never changes).
//! - `paths/<commit>/<sha256 of the path>`: the blob id of a path at a commit.
//! - `rest/<sha256 of the API path>.json`: the `ETag` and body of a mutable REST answer, for
//!   `If-None-Match`.
//!
//! Trees, path ids and REST answers are written sealed: `{"digest", "value"}`, the digest being
//! the SHA-256 of the entry's kind, its key and its value, so an entry edited, damaged or moved
//! under another key no longer matches. Every read checks it (blobs: their id); an entry that
//! does not match is a miss, deleted so it is fetched again, and reported once through
//! [`ContentCache::take_damaged`] for the caller to show. The digest catches damage and edits
//! made without schemagate; someone who recomputes it by hand can still forge an entry (as they
//! could edit the program itself).
//!
//! Keys that come from GitHub are checked to be object ids before they name a file, and every
//! write is atomic ([`write_atomically`]). The cache only saves requests: callers may ignore a
//! failed write, which costs a request next time.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha1::Digest as _;
use thiserror::Error;

use crate::review::durable::write_atomically;

/// The environment variable that points schemagate at another cache directory.
pub const CACHE_DIR_ENV: &str = "SCHEMAGATE_CACHE_DIR";

/// The cache could not be used.
#[derive(Debug, Error)]
pub enum CacheError {
    /// Neither `SCHEMAGATE_CACHE_DIR` nor a platform cache directory is known.
    #[error("no cache directory: set {CACHE_DIR_ENV} (no home directory was found)")]
    NoDirectory,
    /// A key is not a git object id, so it cannot name a cache file.
    #[error("`{0}` is not a git object id")]
    BadObjectId(String),
    /// The bytes given for a blob do not hash to its id.
    #[error("the contents given for blob {0} do not match its id")]
    Mismatch(String),
    /// Writing failed.
    #[error("cannot write the cache entry {}: {source}", path.display())]
    Io {
        /// The entry.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A record could not be turned into JSON.
    #[error("cannot encode a cache record: {0}")]
    Encode(#[from] serde_json::Error),
}

/// What a tree entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A regular (or executable) file.
    File,
    /// A symbolic link (mode 120000): not followed.
    Symlink,
    /// A submodule (type `commit`): its files are in another repository.
    Submodule,
}

/// One non-directory entry of a tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeEntry {
    /// Repository-relative path.
    pub path: String,
    /// The blob (or submodule commit) id.
    pub oid: String,
    /// Size in bytes (0 when GitHub gave none).
    pub size: u64,
    /// What it is.
    pub kind: EntryKind,
}

/// The non-directory entries of a commit's tree.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeListing {
    /// The entries, in GitHub's order.
    pub entries: Vec<TreeEntry>,
    /// Whether GitHub cut the listing short (`truncated: true`, over 100,000 entries or 7 MB).
    pub truncated: bool,
}

/// A REST answer kept for a conditional request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedReply {
    /// Its `ETag`.
    pub etag: String,
    /// Its body (UTF-8 JSON).
    pub body: String,
}

/// The cache in one directory. Clones share the list of damaged entries found.
#[derive(Clone, Debug)]
pub struct ContentCache {
    root: PathBuf,
    /// The entries found damaged since the last [`ContentCache::take_damaged`], in words.
    damaged: Arc<Mutex<Vec<String>>>,
}

/// What a sealed entry holds, named in its digest so an entry cannot pass for another kind.
#[derive(Clone, Copy)]
enum Sealed {
    Tree,
    PathOid,
    Reply,
}

impl Sealed {
    fn name(self) -> &'static str {
        match self {
            Sealed::Tree => "tree",
            Sealed::PathOid => "path-oid",
            Sealed::Reply => "rest-reply",
        }
    }
}

/// A sealed entry on disk.
#[derive(Serialize, Deserialize)]
struct SealedRecord<T> {
    /// [`seal_digest`] of `value`.
    digest: String,
    value: T,
}

impl ContentCache {
    /// A cache in `root` (created on the first write).
    pub fn at(root: impl Into<PathBuf>) -> Self {
        ContentCache {
            root: root.into(),
            damaged: Arc::default(),
        }
    }

    /// The directory the cache is in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The entries found damaged (and dropped) since the last call, each once, in words
    /// (`the tree of commit 1a2b3c4`): the caller says they were fetched again.
    pub fn take_damaged(&self) -> Vec<String> {
        let mut found = self.damaged.lock().unwrap_or_else(PoisonError::into_inner);
        let mut taken: Vec<String> = Vec::new();
        for entry in found.drain(..) {
            if !taken.contains(&entry) {
                taken.push(entry);
            }
        }
        taken
    }

    /// Drops the damaged entry at `path` and remembers it as `what`.
    fn drop_damaged(&self, path: &Path, what: String) {
        // A file that cannot be removed is found damaged again next time: still never used.
        let _ = fs::remove_file(path);
        self.damaged
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(what);
    }

    /// The cache in `$SCHEMAGATE_CACHE_DIR` when set and not empty, else in the platform cache
    /// directory.
    ///
    /// # Errors
    /// [`CacheError::NoDirectory`] when neither is known.
    pub fn open_default() -> Result<Self, CacheError> {
        match std::env::var_os(CACHE_DIR_ENV) {
            Some(dir) if !dir.is_empty() => Ok(ContentCache::at(dir)),
            _ => directories::ProjectDirs::from("", "", "schemagate")
                .map(|dirs| ContentCache::at(dirs.cache_dir()))
                .ok_or(CacheError::NoDirectory),
        }
    }

    /// The bytes of blob `oid`, if cached and intact (a damaged entry is removed).
    pub fn blob(&self, oid: &str) -> Option<Vec<u8>> {
        let path = self.blob_path(oid).ok()?;
        let bytes = fs::read(&path).ok()?;
        if blob_matches(oid, &bytes) {
            Some(bytes)
        } else {
            // Damaged or tampered with: never trusted, fetched again.
            self.drop_damaged(&path, format!("blob {}", short(oid)));
            None
        }
    }

    /// Stores the bytes of blob `oid`.
    ///
    /// # Errors
    /// [`CacheError::Mismatch`] when `bytes` are not that blob; I/O errors.
    pub fn put_blob(&self, oid: &str, bytes: &[u8]) -> Result<(), CacheError> {
        let path = self.blob_path(oid)?;
        if !blob_matches(oid, bytes) {
            return Err(CacheError::Mismatch(oid.to_owned()));
        }
        write(&path, bytes)
    }

    /// The tree of `commit`, if cached.
    pub fn tree(&self, commit: &str) -> Option<TreeListing> {
        let path = self.tree_path(commit).ok()?;
        let what = || format!("the tree of commit {}", short(commit));
        self.read_sealed(&path, Sealed::Tree, commit, what)
    }

    /// Stores the tree of `commit`.
    ///
    /// # Errors
    /// A bad commit id or an I/O error.
    pub fn put_tree(&self, commit: &str, tree: &TreeListing) -> Result<(), CacheError> {
        let path = self.tree_path(commit)?;
        write_sealed(&path, Sealed::Tree, commit, tree)
    }

    /// The blob id of `path` at `commit`, if known.
    pub fn path_oid(&self, commit: &str, path: &str) -> Option<String> {
        let file = self.path_oid_path(commit, path).ok()?;
        let what = || format!("the blob id of {path} at {}", short(commit));
        let oid: String =
            self.read_sealed(&file, Sealed::PathOid, &path_key(commit, path), what)?;
        is_object_id(&oid).then_some(oid)
    }

    /// Remembers that `path` at `commit` is blob `oid`.
    ///
    /// # Errors
    /// A bad id or an I/O error.
    pub fn put_path_oid(&self, commit: &str, path: &str, oid: &str) -> Result<(), CacheError> {
        if !is_object_id(oid) {
            return Err(CacheError::BadObjectId(oid.to_owned()));
        }
        let file = self.path_oid_path(commit, path)?;
        write_sealed(&file, Sealed::PathOid, &path_key(commit, path), &oid)
    }

    /// The last answer to the REST `GET api_path`, if kept.
    pub fn reply(&self, api_path: &str) -> Option<CachedReply> {
        let what = || format!("the answer to GET {api_path}");
        self.read_sealed(&self.reply_path(api_path), Sealed::Reply, api_path, what)
    }

    /// Keeps an answer to the REST `GET api_path`.
    ///
    /// # Errors
    /// An I/O error.
    pub fn put_reply(&self, api_path: &str, reply: &CachedReply) -> Result<(), CacheError> {
        write_sealed(&self.reply_path(api_path), Sealed::Reply, api_path, reply)
    }

    /// The sealed entry at `path`, if there is one and its digest matches; one that does not
    /// (or does not parse) is dropped and reported as `what`.
    fn read_sealed<T: Serialize + DeserializeOwned>(
        &self,
        path: &Path,
        kind: Sealed,
        key: &str,
        what: impl FnOnce() -> String,
    ) -> Option<T> {
        let bytes = fs::read(path).ok()?;
        let verified = serde_json::from_slice::<SealedRecord<T>>(&bytes)
            .ok()
            .filter(|record| {
                seal_digest(kind, key, &record.value).is_ok_and(|digest| digest == record.digest)
            });
        match verified {
            Some(record) => Some(record.value),
            None => {
                self.drop_damaged(path, what());
                None
            }
        }
    }

    fn blob_path(&self, oid: &str) -> Result<PathBuf, CacheError> {
        checked_id(oid)?;
        Ok(self.root.join("blobs").join(&oid[..2]).join(oid))
    }

    fn tree_path(&self, commit: &str) -> Result<PathBuf, CacheError> {
        checked_id(commit)?;
        Ok(self.root.join("trees").join(format!("{commit}.json")))
    }

    fn path_oid_path(&self, commit: &str, path: &str) -> Result<PathBuf, CacheError> {
        checked_id(commit)?;
        Ok(self.root.join("paths").join(commit).join(sha256_hex(path)))
    }

    fn reply_path(&self, api_path: &str) -> PathBuf {
        self.root
            .join("rest")
            .join(format!("{}.json", sha256_hex(api_path)))
    }
}

/// Whether `text` is a git object id: 40 (SHA-1) or 64 (SHA-256) lowercase hex digits.
pub fn is_object_id(text: &str) -> bool {
    matches!(text.len(), 40 | 64)
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Whether `bytes` are the blob `oid`: its hash as git computes it (`blob <len>\0<bytes>`).
pub fn blob_matches(oid: &str, bytes: &[u8]) -> bool {
    let header = format!("blob {}\0", bytes.len());
    let computed = match oid.len() {
        40 => {
            let mut hasher = sha1::Sha1::new();
            hasher.update(header.as_bytes());
            hasher.update(bytes);
            hex::encode(hasher.finalize())
        }
        64 => {
            let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
            sha2::Digest::update(&mut hasher, header.as_bytes());
            sha2::Digest::update(&mut hasher, bytes);
            hex::encode(sha2::Digest::finalize(hasher))
        }
        _ => return false,
    };
    computed == oid
}

fn checked_id(id: &str) -> Result<(), CacheError> {
    if is_object_id(id) {
        Ok(())
    } else {
        Err(CacheError::BadObjectId(id.to_owned()))
    }
}

fn sha256_hex(text: &str) -> String {
    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(text.as_bytes()))
}

/// The first seven characters of an object id.
pub fn short(oid: &str) -> &str {
    oid.get(..7).unwrap_or(oid)
}

/// The key of a path's blob id: the commit and the path.
fn path_key(commit: &str, path: &str) -> String {
    format!("{commit}:{path}")
}

/// The SHA-256 of `kind`, `key` and `value`'s JSON, in hex.
fn seal_digest<T: Serialize>(kind: Sealed, key: &str, value: &T) -> Result<String, CacheError> {
    let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
    for part in [kind.name().as_bytes(), b"\0", key.as_bytes(), &b"\0"[..]] {
        sha2::Digest::update(&mut hasher, part);
    }
    sha2::Digest::update(&mut hasher, serde_json::to_vec(value)?);
    Ok(hex::encode(sha2::Digest::finalize(hasher)))
}

/// Writes `value` sealed with its digest.
fn write_sealed<T: Serialize>(
    path: &Path,
    kind: Sealed,
    key: &str,
    value: &T,
) -> Result<(), CacheError> {
    let record = SealedRecord {
        digest: seal_digest(kind, key, value)?,
        value,
    };
    write(path, &serde_json::to_vec(&record)?)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), CacheError> {
    write_atomically(path, bytes).map_err(|source| CacheError::Io {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `git hash-object` of "hello\n".
    const HELLO_OID: &str = "ce013625030ba8dba906f756967f9e9ca394464a";

    #[test]
    fn blobs_hash_as_git_does() {
        assert!(blob_matches(HELLO_OID, b"hello\n"));
        assert!(!blob_matches(HELLO_OID, b"hello"));
        // The empty blob.
        assert!(blob_matches(
            "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391",
            b""
        ));
    }

    #[test]
    fn a_damaged_blob_is_dropped_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ContentCache::at(dir.path());
        cache.put_blob(HELLO_OID, b"hello\n").unwrap();
        assert_eq!(cache.blob(HELLO_OID).as_deref(), Some(&b"hello\n"[..]));
        let file = dir.path().join("blobs/ce").join(HELLO_OID);
        fs::write(&file, b"hellO\n").unwrap();
        assert_eq!(cache.blob(HELLO_OID), None);
        assert!(!file.exists());
        assert!(matches!(
            cache.put_blob(HELLO_OID, b"other"),
            Err(CacheError::Mismatch(_))
        ));
    }

    #[test]
    fn keys_that_are_not_ids_never_name_files() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ContentCache::at(dir.path());
        assert!(matches!(
            cache.put_tree("../../etc", &TreeListing::default()),
            Err(CacheError::BadObjectId(_))
        ));
        assert!(cache.put_path_oid(HELLO_OID, "a.sql", "nope").is_err());
        cache
            .put_path_oid(HELLO_OID, "../a.sql", HELLO_OID)
            .unwrap();
        assert_eq!(
            cache.path_oid(HELLO_OID, "../a.sql").as_deref(),
            Some(HELLO_OID)
        );
        assert_eq!(cache.path_oid(HELLO_OID, "b.sql"), None);
    }

    #[test]
    fn edited_entries_are_misses_reported_once() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ContentCache::at(dir.path());
        let other = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";
        let tree = TreeListing {
            entries: vec![TreeEntry {
                path: "migrations/1.sql".into(),
                oid: HELLO_OID.into(),
                size: 6,
                kind: EntryKind::File,
            }],
            truncated: false,
        };
        cache.put_tree(HELLO_OID, &tree).unwrap();
        cache.put_path_oid(HELLO_OID, "a.sql", HELLO_OID).unwrap();
        let reply = CachedReply {
            etag: "\"e1\"".into(),
            body: "[]".into(),
        };
        cache.put_reply("/repos/o/r/pulls/1/files", &reply).unwrap();
        assert_eq!(cache.tree(HELLO_OID), Some(tree));
        assert_eq!(
            cache.path_oid(HELLO_OID, "a.sql").as_deref(),
            Some(HELLO_OID)
        );
        assert_eq!(cache.reply("/repos/o/r/pulls/1/files"), Some(reply));
        assert!(
            cache.take_damaged().is_empty(),
            "intact entries are not reported"
        );

        let edit = |file: PathBuf, from: &str, to: &str| {
            let text = fs::read_to_string(&file).unwrap();
            assert!(text.contains(from), "{text}");
            fs::write(&file, text.replace(from, to)).unwrap();
            file
        };
        let tree_file = edit(cache.tree_path(HELLO_OID).unwrap(), HELLO_OID, other);
        let path_file = edit(
            cache.path_oid_path(HELLO_OID, "a.sql").unwrap(),
            HELLO_OID,
            other,
        );
        let reply_file = edit(cache.reply_path("/repos/o/r/pulls/1/files"), "[]", "[{}]");
        // A valid entry moved under another key does not pass either.
        cache.put_path_oid(HELLO_OID, "b.sql", other).unwrap();
        fs::copy(
            cache.path_oid_path(HELLO_OID, "b.sql").unwrap(),
            cache.path_oid_path(HELLO_OID, "c.sql").unwrap(),
        )
        .unwrap();

        assert_eq!(cache.tree(HELLO_OID), None);
        assert_eq!(cache.path_oid(HELLO_OID, "a.sql"), None);
        assert_eq!(cache.path_oid(HELLO_OID, "c.sql"), None);
        assert_eq!(cache.reply("/repos/o/r/pulls/1/files"), None);
        assert!(!tree_file.exists() && !path_file.exists() && !reply_file.exists());
        assert_eq!(cache.tree(HELLO_OID), None, "a plain miss now");
        assert_eq!(
            cache.take_damaged(),
            [
                "the tree of commit ce01362",
                "the blob id of a.sql at ce01362",
                "the blob id of c.sql at ce01362",
                "the answer to GET /repos/o/r/pulls/1/files",
            ]
        );
        assert!(cache.take_damaged().is_empty(), "each is reported once");
    }
}
