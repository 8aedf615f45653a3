//! File contents from GitHub, through the disk cache: the tree of a commit (REST
//! `git/trees/{sha}?recursive=1`, once per commit ever), and many files per GraphQL query
//! (`object(oid:)` for blobs whose id the tree gave, `object(expression: "SHA:path")` for files
//! at a PR's head), up to [`BATCH`] per query. Content that GraphQL cannot give exactly (binary,
//! truncated, not UTF-8: the text does not hash to the blob id) comes from REST
//! `git/blobs/{sha}` as base64. Only what is not in the cache is asked for.

use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::budget::{BudgetMeter, RATE_LIMIT_FIELDS, RateLimitNode};
pub use super::cache::short;
use super::cache::{ContentCache, EntryKind, TreeEntry, TreeListing, blob_matches, is_object_id};
use super::client::GitHub;
use super::error::GitHubError;
use crate::source::local::{MAX_FILE_BYTES, SkipReason};

/// How many files one GraphQL query asks for.
pub const BATCH: usize = 100;

/// A repository on GitHub.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RepoRef {
    /// The owner (user or organisation).
    pub owner: String,
    /// The repository name.
    pub name: String,
}

impl RepoRef {
    /// Parses `owner/name`; `None` unless both parts are present and there are no others.
    pub fn parse(full_name: &str) -> Option<RepoRef> {
        let (owner, name) = full_name.split_once('/')?;
        let valid = |part: &str| !part.is_empty() && !part.contains(['/', '?', '#', ' ']);
        (valid(owner) && valid(name)).then(|| RepoRef {
            owner: owner.to_owned(),
            name: name.to_owned(),
        })
    }

    /// `owner/name`.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    /// The REST path of the repository, `/repos/owner/name`.
    pub fn api_path(&self) -> String {
        format!("/repos/{}/{}", self.owner, self.name)
    }
}

/// A file to fetch.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Want {
    /// A blob by id (from a tree listing, whose size check was done already).
    Blob(String),
    /// The file at `path` in `commit`.
    AtCommit {
        /// The commit id.
        commit: String,
        /// The repository-relative path.
        path: String,
    },
}

/// What came back for a [`Want`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fetched {
    /// The file's exact bytes.
    Bytes(Vec<u8>),
    /// Not loaded, with why.
    Skipped(SkipReason),
}

/// The tree of `commit`: from the cache, else one REST request (then cached for good).
///
/// # Errors
/// Any [`GitHubError`] of the request or an answer without the documented shape.
pub async fn tree(
    client: &GitHub,
    cache: &ContentCache,
    repo: &RepoRef,
    commit: &str,
) -> Result<TreeListing, GitHubError> {
    if let Some(listing) = cache.tree(commit) {
        return Ok(listing);
    }
    let what = format!("the file tree of {} at {}", repo.full_name(), short(commit));
    if !is_object_id(commit) {
        return Err(decode_error(&what, "the commit id is not an object id"));
    }
    let answer: TreeAnswer = client
        .get_json(
            &what,
            &format!("{}/git/trees/{commit}?recursive=1", repo.api_path()),
        )
        .await?;
    let listing = TreeListing {
        entries: answer.tree.into_iter().filter_map(tree_entry).collect(),
        truncated: answer.truncated,
    };
    // Only saves a request next time; a failed write is harmless.
    let _ = cache.put_tree(commit, &listing);
    Ok(listing)
}

/// The contents of `wants`, in the same order: the cached ones from disk, the others in
/// GraphQL queries of up to [`BATCH`] files (their cost counted by `meter`), with REST for
/// those GraphQL cannot give exactly.
///
/// # Errors
/// The first failed request.
pub async fn fetch(
    client: &GitHub,
    cache: &ContentCache,
    repo: &RepoRef,
    wants: &[Want],
    meter: &BudgetMeter,
) -> Result<Vec<Fetched>, GitHubError> {
    let mut results: Vec<Option<Fetched>> = wants.iter().map(|w| cached(cache, w)).collect();
    let missing: Vec<usize> = (0..wants.len()).filter(|&i| results[i].is_none()).collect();
    let mut by_rest: Vec<(usize, String)> = Vec::new();
    for chunk in missing.chunks(BATCH) {
        let nodes = query_batch(client, repo, wants, chunk, meter).await?;
        for (&index, node) in chunk.iter().zip(nodes) {
            match settle(cache, &wants[index], node) {
                Settled::Done(fetched) => results[index] = Some(fetched),
                Settled::ByRest(oid) => by_rest.push((index, oid)),
            }
        }
    }
    for (index, oid) in by_rest {
        results[index] = Some(rest_blob(client, cache, repo, &oid).await?);
    }
    Ok(results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Fetched::Skipped(unreadable("no answer"))))
        .collect())
}

/// A want answered from the cache alone.
fn cached(cache: &ContentCache, want: &Want) -> Option<Fetched> {
    let oid = match want {
        Want::Blob(oid) => oid.clone(),
        Want::AtCommit { commit, path } => cache.path_oid(commit, path)?,
    };
    cache.blob(&oid).map(Fetched::Bytes)
}

/// One blob as GraphQL gives it (all fields absent when the object is not a blob).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BlobNode {
    oid: Option<String>,
    byte_size: Option<u64>,
    is_binary: Option<bool>,
    is_truncated: Option<bool>,
    text: Option<String>,
}

/// The answer to a batch: `rateLimit { ... } repository { v0: ..., v1: ... }`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BatchAnswer {
    rate_limit: Option<RateLimitNode>,
    repository: Option<Map<String, Value>>,
}

/// Asks for the wants at `indexes` in one query; one node per index (`None`: no such object).
async fn query_batch(
    client: &GitHub,
    repo: &RepoRef,
    wants: &[Want],
    indexes: &[usize],
    meter: &BudgetMeter,
) -> Result<Vec<Option<BlobNode>>, GitHubError> {
    let mut declarations = String::from("$owner: String!, $name: String!");
    let mut selections = String::new();
    let mut variables = Map::new();
    variables.insert("owner".into(), Value::from(repo.owner.as_str()));
    variables.insert("name".into(), Value::from(repo.name.as_str()));
    for (n, &index) in indexes.iter().enumerate() {
        let (kind, argument, value) = match &wants[index] {
            Want::Blob(oid) => ("GitObjectID!", "oid", oid.clone()),
            Want::AtCommit { commit, path } => {
                ("String!", "expression", format!("{commit}:{path}"))
            }
        };
        declarations.push_str(&format!(", $v{n}: {kind}"));
        selections.push_str(&format!(" v{n}: object({argument}: $v{n}) {{ ...blob }}"));
        variables.insert(format!("v{n}"), Value::from(value));
    }
    let query = format!(
        "query({declarations}) {{ {RATE_LIMIT_FIELDS} \
         repository(owner: $owner, name: $name) {{{selections} }} }} \
         fragment blob on Blob {{ oid byteSize isBinary isTruncated text }}"
    );
    let what = format!("{} file(s) of {}", indexes.len(), repo.full_name());
    let answer: BatchAnswer = client
        .graphql(&what, &query, Value::Object(variables))
        .await?;
    meter.record(answer.rate_limit.as_ref());
    let mut repository = answer.repository.ok_or_else(|| GitHubError::NotFound {
        what: repo.full_name(),
    })?;
    (0..indexes.len())
        .map(|n| match repository.remove(&format!("v{n}")) {
            None | Some(Value::Null) => Ok(None),
            Some(node) => serde_json::from_value(node)
                .map(Some)
                .map_err(|error| decode_error(&what, &error.to_string())),
        })
        .collect()
}

/// What to do with a GraphQL answer.
enum Settled {
    /// Final.
    Done(Fetched),
    /// Fetch this blob over REST for its exact bytes.
    ByRest(String),
}

/// Turns one answered node into bytes (cached), a skip, or a REST fetch.
fn settle(cache: &ContentCache, want: &Want, node: Option<BlobNode>) -> Settled {
    let Some(node) = node else {
        return Settled::Done(Fetched::Skipped(unreadable("GitHub has no such file")));
    };
    let Some(oid) = node.oid.filter(|oid| is_object_id(oid)) else {
        return Settled::Done(Fetched::Skipped(unreadable("not a regular file")));
    };
    if let Want::AtCommit { commit, path } = want {
        // Immutable: a path at a commit is always the same blob.
        let _ = cache.put_path_oid(commit, path, &oid);
    }
    let size = node.byte_size.unwrap_or(0);
    if size > MAX_FILE_BYTES {
        return Settled::Done(Fetched::Skipped(SkipReason::TooLarge {
            size,
            limit: MAX_FILE_BYTES,
        }));
    }
    let exact = !node.is_binary.unwrap_or(false) && !node.is_truncated.unwrap_or(false);
    match node.text {
        Some(text) if exact && blob_matches(&oid, text.as_bytes()) => {
            let bytes = text.into_bytes();
            let _ = cache.put_blob(&oid, &bytes);
            Settled::Done(Fetched::Bytes(bytes))
        }
        _ => Settled::ByRest(oid),
    }
}

/// REST `git/blobs/{sha}`: `{"sha", "node_id", "size", "url", "content", "encoding"}`.
#[derive(Debug, Deserialize)]
struct BlobAnswer {
    content: String,
    encoding: String,
}

/// One blob's exact bytes over REST, checked against its id, then cached.
async fn rest_blob(
    client: &GitHub,
    cache: &ContentCache,
    repo: &RepoRef,
    oid: &str,
) -> Result<Fetched, GitHubError> {
    let what = format!("blob {} of {}", short(oid), repo.full_name());
    let answer: BlobAnswer = client
        .get_json(&what, &format!("{}/git/blobs/{oid}", repo.api_path()))
        .await?;
    if answer.encoding != "base64" {
        return Err(decode_error(
            &what,
            &format!("encoding `{}`", answer.encoding),
        ));
    }
    let packed: String = answer
        .content
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(packed)
        .map_err(|error| decode_error(&what, &error.to_string()))?;
    if !blob_matches(oid, &bytes) {
        return Err(decode_error(
            &what,
            "the content does not match the blob id",
        ));
    }
    let _ = cache.put_blob(oid, &bytes);
    Ok(Fetched::Bytes(bytes))
}

/// REST `git/trees/{sha}`: `{"sha", "url", "tree": [...], "truncated"}`.
#[derive(Debug, Deserialize)]
struct TreeAnswer {
    tree: Vec<TreeItem>,
    #[serde(default)]
    truncated: bool,
}

/// One item of a REST tree: `{"path", "mode", "type", "sha", "size", "url"}`.
#[derive(Debug, Deserialize)]
struct TreeItem {
    path: String,
    mode: String,
    #[serde(rename = "type")]
    kind: String,
    sha: String,
    #[serde(default)]
    size: Option<u64>,
}

/// A tree item as kept (directories are dropped; their files are listed on their own).
fn tree_entry(item: TreeItem) -> Option<TreeEntry> {
    let kind = match (item.kind.as_str(), item.mode.as_str()) {
        ("blob", "120000") => EntryKind::Symlink,
        ("blob", _) => EntryKind::File,
        ("commit", _) => EntryKind::Submodule,
        _ => return None,
    };
    Some(TreeEntry {
        path: item.path,
        oid: item.sha,
        size: item.size.unwrap_or(0),
        kind,
    })
}

fn unreadable(why: &str) -> SkipReason {
    SkipReason::Unreadable(why.to_owned())
}

fn decode_error(what: &str, message: &str) -> GitHubError {
    GitHubError::Decode {
        what: what.to_owned(),
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_names_need_owner_and_name() {
        let repo = RepoRef::parse("acme/shop").unwrap();
        assert_eq!(repo.api_path(), "/repos/acme/shop");
        for bad in ["acme", "acme/", "/shop", "a/b/c", "a/b?x=1"] {
            assert_eq!(RepoRef::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn github_documented_answers_read() {
        let tree: TreeAnswer =
            serde_json::from_str(include_str!("../../tests/fixtures/github/git_tree.json"))
                .unwrap();
        let entries: Vec<TreeEntry> = tree.tree.into_iter().filter_map(tree_entry).collect();
        let paths: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["file.rb", "exec_file"], "directories are dropped");
        assert_eq!(entries[1].size, 75);
        assert!(!tree.truncated);
        let blob: BlobAnswer =
            serde_json::from_str(include_str!("../../tests/fixtures/github/git_blob.json"))
                .unwrap();
        assert_eq!(blob.encoding, "base64");
        assert_eq!(blob.content, "Q29udGVudCBvZiB0aGUgYmxvYg==");
    }

    #[test]
    fn tree_items_keep_files_links_and_submodules() {
        let item = |kind: &str, mode: &str| TreeItem {
            path: "p".into(),
            mode: mode.into(),
            kind: kind.into(),
            sha: "0".repeat(40),
            size: Some(3),
        };
        assert_eq!(
            tree_entry(item("blob", "100644")).unwrap().kind,
            EntryKind::File
        );
        assert_eq!(
            tree_entry(item("blob", "120000")).unwrap().kind,
            EntryKind::Symlink
        );
        assert_eq!(
            tree_entry(item("commit", "160000")).unwrap().kind,
            EntryKind::Submodule
        );
        assert_eq!(tree_entry(item("tree", "040000")), None);
    }

    #[test]
    fn text_that_does_not_hash_to_the_id_goes_to_rest() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ContentCache::at(dir.path());
        let oid = "ce013625030ba8dba906f756967f9e9ca394464a"; // "hello\n"
        let node = |text: &str, binary: bool| BlobNode {
            oid: Some(oid.into()),
            byte_size: Some(6),
            is_binary: Some(binary),
            is_truncated: Some(false),
            text: Some(text.into()),
        };
        let want = Want::Blob(oid.into());
        assert!(matches!(
            settle(&cache, &want, Some(node("hello\u{fffd}", false))),
            Settled::ByRest(_)
        ));
        assert!(matches!(
            settle(&cache, &want, Some(node("hello\n", true))),
            Settled::ByRest(_)
        ));
        assert!(matches!(
            settle(&cache, &want, Some(node("hello\n", false))),
            Settled::Done(Fetched::Bytes(ref b)) if b == b"hello\n"
        ));
        assert!(cache.blob(oid).is_some());
        let huge = BlobNode {
            byte_size: Some(MAX_FILE_BYTES + 1),
            ..node("", false)
        };
        assert!(matches!(
            settle(&cache, &want, Some(huge)),
            Settled::Done(Fetched::Skipped(SkipReason::TooLarge { .. }))
        ));
    }
}
