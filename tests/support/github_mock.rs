//! A fake GitHub on a local wiremock server, answering with GitHub's real response shapes:
//! GraphQL (`POST /graphql`: open PRs by page, search, one PR, blobs by oid or `SHA:path`,
//! `{"data": ...}` or `{"errors": [{"type": "NOT_FOUND", ...}]}`), and REST
//! (`git/trees/{sha}?recursive=1`, `git/blobs/{sha}` in base64, `pulls/{n}/files` with an
//! `ETag` and 304 on `If-None-Match`).
//!
//! `GET /user` answers [`VIEWER`]. Listings honour `first:`, order by creation (the order of
//! [`FakeRepo::prs`]) or by last update as the query asks, with keyset cursors as GitHub's; a
//! PR's [`FakePr::updated_mid_listing`] takes effect once a first page of its repository was
//! served. Reviews carry ids; `viewerReviews` holds the bodies of the `$viewer`'s own.
//!
//! Build repositories with [`FakeRepo`] and [`FakePr`], start it with [`FakeGitHub::start`],
//! then count what was asked with [`requests`] and [`Kind`]. Other mocks mounted with a
//! higher priority (`with_priority(1)`) override it (e.g. a 401 for everything).

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The login `GET /user` answers: the reviewer running schemagate.
pub const VIEWER: &str = "dba-lead";

/// When the fake's GraphQL rate-limit window resets (half an hour after the consoles' fixed
/// "now" of tests/support/console.rs).
pub const RATE_LIMIT_RESET: &str = "2026-11-24T12:30:00Z";

/// The fake's GraphQL points per hour, unless started with [`FakeGitHub::start_with_limit`].
pub const RATE_LIMIT: u64 = 5_000;

/// The git id of a blob with these bytes.
pub fn blob_oid(bytes: &[u8]) -> String {
    let mut hasher = Sha1::new();
    hasher.update(format!("blob {}\0", bytes.len()).as_bytes());
    hasher.update(bytes);
    hex::encode(hasher.finalize())
}

/// A made-up commit id derived from `label`.
pub fn commit_id(label: &str) -> String {
    hex::encode(Sha1::digest(format!("commit {label}").as_bytes()))
}

/// A pull request of a fake repository.
#[derive(Clone, Debug)]
pub struct FakePr {
    pub number: u64,
    pub title: String,
    pub author: String,
    pub draft: bool,
    pub base_ref: String,
    pub updated_at: String,
    /// The files at its head commit: the base commit's with these changes.
    pub changes: Vec<FileChange>,
    pub labels: Vec<String>,
    /// `(login, state, commit, body)`.
    pub reviews: Vec<(String, String, String, String)>,
    /// `schemagate/data-review` status `(state, description)` of the head.
    pub status: Option<(String, String)>,
    /// Base files its head commit does not have: they came to the base branch after the PR
    /// branched off.
    pub missing_at_head: Vec<String>,
    /// Its `updatedAt` once a first listing page of its repository was served (a push while
    /// the queue loads), if it changes.
    pub updated_mid_listing: Option<String>,
}

/// One changed file.
#[derive(Clone, Debug)]
pub enum FileChange {
    Added(String, String),
    Modified(String, String),
    Deleted(String),
    Renamed { from: String, to: String },
}

impl FakePr {
    /// A ready PR by `octocat` against `main`, updated on 2024-05-01.
    pub fn new(number: u64, title: &str) -> Self {
        FakePr {
            number,
            title: title.to_owned(),
            author: "octocat".to_owned(),
            draft: false,
            base_ref: "main".to_owned(),
            updated_at: "2024-05-01T10:00:00Z".to_owned(),
            changes: Vec::new(),
            labels: Vec::new(),
            reviews: Vec::new(),
            status: None,
            missing_at_head: Vec::new(),
            updated_mid_listing: None,
        }
    }

    /// Adds a file.
    pub fn adds(mut self, path: &str, text: &str) -> Self {
        self.changes
            .push(FileChange::Added(path.to_owned(), text.to_owned()));
        self
    }

    /// Changes a file.
    pub fn modifies(mut self, path: &str, text: &str) -> Self {
        self.changes
            .push(FileChange::Modified(path.to_owned(), text.to_owned()));
        self
    }

    /// Removes a file.
    pub fn deletes(mut self, path: &str) -> Self {
        self.changes.push(FileChange::Deleted(path.to_owned()));
        self
    }

    /// Moves a file.
    pub fn renames(mut self, from: &str, to: &str) -> Self {
        self.changes.push(FileChange::Renamed {
            from: from.to_owned(),
            to: to.to_owned(),
        });
        self
    }

    /// The head commit id.
    pub fn head_oid(&self, repo: &str) -> String {
        commit_id(&format!("{repo}#{}", self.number))
    }
}

/// A fake repository: its base commit's files and its open PRs (in creation order, oldest
/// first).
#[derive(Clone, Debug)]
pub struct FakeRepo {
    pub full_name: String,
    pub base_files: BTreeMap<String, String>,
    pub prs: Vec<FakePr>,
}

impl FakeRepo {
    /// A repository with these files on `main` and no PRs.
    pub fn new(full_name: &str, files: &[(&str, &str)]) -> Self {
        FakeRepo {
            full_name: full_name.to_owned(),
            base_files: files
                .iter()
                .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
                .collect(),
            prs: Vec::new(),
        }
    }

    /// The base commit id.
    pub fn base_oid(&self) -> String {
        commit_id(&format!("{} base", self.full_name))
    }
}

/// What a request was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// GraphQL listing open PRs (`pullRequests` or `search`).
    ListQuery,
    /// GraphQL for one PR by number.
    PrQuery,
    /// GraphQL for file contents.
    BlobQuery,
    /// REST `GET /user`.
    Viewer,
    /// REST tree.
    Tree,
    /// REST blob.
    Blob,
    /// REST PR files.
    PrFiles,
    /// Anything else.
    Other,
}

/// Classifies a recorded request.
pub fn kind(request: &Request) -> Kind {
    let path = request.url.path();
    if path.ends_with("/graphql") {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let query = body["query"].as_str().unwrap_or("");
        if query.contains("pullRequests(") || query.contains("search(") {
            Kind::ListQuery
        } else if query.contains("pullRequest(number") {
            Kind::PrQuery
        } else if query.contains("on Blob") {
            Kind::BlobQuery
        } else {
            Kind::Other
        }
    } else if path == "/user" {
        Kind::Viewer
    } else if path.contains("/git/trees/") {
        Kind::Tree
    } else if path.contains("/git/blobs/") {
        Kind::Blob
    } else if path.contains("/pulls/") && path.ends_with("/files") {
        Kind::PrFiles
    } else {
        Kind::Other
    }
}

/// How many requests of each kind the server received.
pub async fn requests(server: &MockServer) -> HashMap<Kind, usize> {
    let mut counts = HashMap::new();
    for request in server.received_requests().await.unwrap_or_default() {
        *counts.entry(kind(&request)).or_default() += 1;
    }
    counts
}

/// The fake GitHub.
#[derive(Clone)]
pub struct FakeGitHub {
    repos: Arc<Vec<FakeRepo>>,
    /// Blob contents by oid.
    blobs: Arc<HashMap<String, Vec<u8>>>,
    /// Files of every commit: commit -> path -> oid.
    commits: Arc<HashMap<String, BTreeMap<String, String>>>,
    /// Listing pages served, per repository.
    pages_served: Arc<Mutex<HashMap<String, usize>>>,
    /// GraphQL points per hour; each query that asks for `rateLimit` costs 1.
    limit: u64,
    /// Points spent so far.
    spent: Arc<AtomicU64>,
}

impl FakeGitHub {
    /// Builds the fake from `repos` and mounts it on a new server as the fallback answer.
    pub async fn start(repos: Vec<FakeRepo>) -> MockServer {
        FakeGitHub::start_with_limit(repos, RATE_LIMIT).await
    }

    /// [`FakeGitHub::start`] with a GraphQL budget of `limit` points per hour.
    pub async fn start_with_limit(repos: Vec<FakeRepo>, limit: u64) -> MockServer {
        let mut fake = FakeGitHub::new(repos);
        fake.limit = limit;
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(fake)
            .with_priority(10)
            .mount(&server)
            .await;
        server
    }

    fn new(repos: Vec<FakeRepo>) -> Self {
        let mut blobs = HashMap::new();
        let mut commits = HashMap::new();
        let mut store = |files: &BTreeMap<String, String>| -> BTreeMap<String, String> {
            files
                .iter()
                .map(|(path, text)| {
                    let oid = blob_oid(text.as_bytes());
                    blobs.insert(oid.clone(), text.clone().into_bytes());
                    (path.clone(), oid)
                })
                .collect()
        };
        for repo in &repos {
            commits.insert(repo.base_oid(), store(&repo.base_files));
            for pr in &repo.prs {
                let mut files = repo.base_files.clone();
                for path in &pr.missing_at_head {
                    files.remove(path);
                }
                for change in &pr.changes {
                    match change {
                        FileChange::Added(path, text) | FileChange::Modified(path, text) => {
                            files.insert(path.clone(), text.clone());
                        }
                        FileChange::Deleted(path) => {
                            files.remove(path);
                        }
                        FileChange::Renamed { from, to } => {
                            if let Some(text) = files.remove(from) {
                                files.insert(to.clone(), text);
                            }
                        }
                    }
                }
                commits.insert(pr.head_oid(&repo.full_name), store(&files));
            }
        }
        FakeGitHub {
            repos: Arc::new(repos),
            blobs: Arc::new(blobs),
            commits: Arc::new(commits),
            pages_served: Arc::default(),
            limit: RATE_LIMIT,
            spent: Arc::default(),
        }
    }

    /// `{"data": value}`, with `rateLimit` (cost 1) when `query` asks for it.
    fn data(&self, query: &str, mut value: Value) -> ResponseTemplate {
        if query.contains("rateLimit {") {
            let spent = self.spent.fetch_add(1, Ordering::SeqCst) + 1;
            value["rateLimit"] = json!({
                "cost": 1,
                "limit": self.limit,
                "remaining": self.limit.saturating_sub(spent),
                "resetAt": RATE_LIMIT_RESET,
            });
        }
        ResponseTemplate::new(200).set_body_json(json!({ "data": value }))
    }

    fn repo(&self, owner: &str, name: &str) -> Option<&FakeRepo> {
        let full = format!("{owner}/{name}");
        self.repos.iter().find(|r| r.full_name == full)
    }

    fn graphql(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let query = body["query"].as_str().unwrap_or("");
        let variables = &body["variables"];
        let owner = variables["owner"].as_str().unwrap_or("");
        let name = variables["name"].as_str().unwrap_or("");
        if query.contains("search(") {
            return self.search(query, variables);
        }
        let Some(repo) = self.repo(owner, name) else {
            return not_found(&format!("{owner}/{name}"));
        };
        let viewer = variables["viewer"].as_str().unwrap_or("");
        let bodies = query.contains("commit { oid } body");
        if query.contains("pullRequests(") {
            let updated_order = query.contains("field: UPDATED_AT");
            let prs = self.listed(repo, updated_order);
            let (page, has_next, end) = keyset_page(&prs, variables, updated_order);
            let nodes: Vec<Value> = page
                .iter()
                .map(|(pr, _)| self.pr_node(repo, pr, viewer, bodies))
                .collect();
            return self.data(
                query,
                json!({"repository": {"pullRequests": {
                    "pageInfo": {"hasNextPage": has_next, "endCursor": end},
                    "nodes": nodes,
                }}}),
            );
        }
        if query.contains("pullRequest(number") {
            let number = variables["number"].as_u64().unwrap_or(0);
            return match repo.prs.iter().find(|pr| pr.number == number) {
                Some(pr) => self.data(query, json!({
                    "viewer": {"login": VIEWER},
                    "repository": {"pullRequest": self.pr_node(repo, pr, viewer, bodies)},
                })),
                None => ResponseTemplate::new(200).set_body_json(json!({
                    "data": {"repository": {"pullRequest": null}},
                    "errors": [{
                        "type": "NOT_FOUND",
                        "path": ["repository", "pullRequest"],
                        "locations": [{"line": 2, "column": 47}],
                        "message": format!("Could not resolve to a PullRequest with the number of {number}.")
                    }]
                })),
            };
        }
        if query.contains("on Blob") {
            let mut answers = serde_json::Map::new();
            for (key, value) in variables.as_object().into_iter().flatten() {
                if !key.starts_with('v') {
                    continue;
                }
                let text = value.as_str().unwrap_or("");
                let oid = match text.split_once(':') {
                    Some((commit, path)) => self
                        .commits
                        .get(commit)
                        .and_then(|files| files.get(path))
                        .cloned(),
                    None => Some(text.to_owned()),
                };
                let node = oid
                    .and_then(|oid| self.blobs.get(&oid).map(|bytes| (oid, bytes)))
                    .map(|(oid, bytes)| blob_node(&oid, bytes))
                    .unwrap_or(Value::Null);
                answers.insert(key.clone(), node);
            }
            return self.data(query, json!({"repository": answers}));
        }
        ResponseTemplate::new(400).set_body_json(json!({"message": "unexpected query"}))
    }

    fn search(&self, query: &str, variables: &Value) -> ResponseTemplate {
        let q = variables["q"].as_str().unwrap_or("");
        let repo_name = q
            .split_whitespace()
            .find_map(|part| part.strip_prefix("repo:"))
            .unwrap_or("");
        let label = q
            .split_whitespace()
            .find_map(|part| part.strip_prefix("label:"));
        let Some(repo) = self.repos.iter().find(|r| r.full_name == repo_name) else {
            return self.data(
                query,
                json!({"search": {
                    "pageInfo": {"hasNextPage": false, "endCursor": null}, "nodes": []
                }}),
            );
        };
        let updated_order = !q.split_whitespace().any(|part| part == "sort:created-asc");
        let found: Vec<(FakePr, usize)> = self
            .listed(repo, updated_order)
            .into_iter()
            .filter(|(pr, _)| label.is_none_or(|l| pr.labels.iter().any(|x| x == l)))
            .collect();
        let (page, has_next, end) = keyset_page(&found, variables, updated_order);
        let viewer = variables["viewer"].as_str().unwrap_or("");
        let nodes: Vec<Value> = page
            .iter()
            .map(|(pr, _)| self.pr_node(repo, pr, viewer, false))
            .collect();
        self.data(
            query,
            json!({"search": {
                "pageInfo": {"hasNextPage": has_next, "endCursor": end},
                "nodes": nodes,
            }}),
        )
    }

    /// The PRs of `repo` as a listing sees them now, each with its creation rank, in creation
    /// order or (`updated_order`) most recently updated first; counts the page served.
    fn listed(&self, repo: &FakeRepo, updated_order: bool) -> Vec<(FakePr, usize)> {
        let served = {
            let mut pages = self.pages_served.lock().unwrap();
            let count = pages.entry(repo.full_name.clone()).or_default();
            *count += 1;
            *count - 1
        };
        let mut prs: Vec<(FakePr, usize)> = repo
            .prs
            .iter()
            .cloned()
            .enumerate()
            .map(|(rank, mut pr)| {
                if served > 0
                    && let Some(updated) = pr.updated_mid_listing.clone()
                {
                    pr.updated_at = updated;
                }
                (pr, rank)
            })
            .collect();
        if updated_order {
            prs.sort_by(|(a, ra), (b, rb)| (&b.updated_at, ra).cmp(&(&a.updated_at, rb)));
        }
        prs
    }

    /// A PR as the fragments read it: `viewerReviews` holds `viewer`'s reviews with bodies;
    /// `bodies` (asked for one PR) puts every review's body in `reviews`.
    fn pr_node(&self, repo: &FakeRepo, pr: &FakePr, viewer: &str, bodies: bool) -> Value {
        let files: Vec<Value> = pr
            .changes
            .iter()
            .map(|change| {
                let (path, kind) = match change {
                    FileChange::Added(path, _) => (path, "ADDED"),
                    FileChange::Modified(path, _) => (path, "MODIFIED"),
                    FileChange::Deleted(path) => (path, "DELETED"),
                    FileChange::Renamed { to, .. } => (to, "RENAMED"),
                };
                json!({"path": path, "changeType": kind, "additions": 1, "deletions": 0})
            })
            .collect();
        let review_id = |index: usize| format!("PRR_{}_{index}", pr.number);
        let reviews: Vec<Value> = pr
            .reviews
            .iter()
            .enumerate()
            .map(|(index, (login, state, commit, body))| {
                let mut review = json!({"id": review_id(index), "author": {"login": login},
                    "state": state, "submittedAt": "2024-05-01T12:00:00Z",
                    "commit": {"oid": commit}});
                if bodies {
                    review["body"] = json!(body);
                }
                review
            })
            .collect();
        let viewer_reviews: Vec<Value> = pr
            .reviews
            .iter()
            .enumerate()
            .filter(|(_, (login, ..))| login == viewer)
            .map(|(index, (.., body))| json!({"id": review_id(index), "body": body}))
            .collect();
        let context = pr
            .status
            .as_ref()
            .map(|(state, description)| json!({"state": state, "description": description}));
        let (owner, name) = repo.full_name.split_once('/').unwrap_or(("", ""));
        json!({
            "number": pr.number,
            "title": pr.title,
            "url": format!("https://github.com/{owner}/{name}/pull/{}", pr.number),
            "isDraft": pr.draft,
            "headRefName": format!("feature-{}", pr.number),
            "headRefOid": pr.head_oid(&repo.full_name),
            "baseRefName": pr.base_ref,
            "baseRefOid": repo.base_oid(),
            "updatedAt": pr.updated_at,
            "body": "",
            "author": {"login": pr.author},
            "labels": {"nodes": pr.labels.iter().map(|l| json!({"name": l})).collect::<Vec<_>>()},
            "files": {"nodes": files.iter().take(100).collect::<Vec<_>>(),
                      "pageInfo": {"hasNextPage": files.len() > 100, "endCursor": "MTAw"}},
            "reviews": {"nodes": reviews},
            "viewerReviews": {"nodes": viewer_reviews},
            "commits": {"nodes": [{"commit": {"status": context.map(|c| json!({"context": c}))}}]},
        })
    }

    fn rest(&self, request: &Request) -> ResponseTemplate {
        let path = request.url.path().to_owned();
        if path == "/user" {
            return ResponseTemplate::new(200)
                .set_body_json(json!({"login": VIEWER, "id": 1, "type": "User"}));
        }
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let ["repos", owner, name, rest @ ..] = parts.as_slice() else {
            return rest_not_found();
        };
        let Some(repo) = self.repo(owner, name) else {
            return rest_not_found();
        };
        match rest {
            ["git", "trees", sha] => self.tree(owner, name, sha),
            ["git", "blobs", sha] => match self.blobs.get(*sha) {
                Some(bytes) => ResponseTemplate::new(200).set_body_json(json!({
                    "sha": sha,
                    "node_id": "MDQ6QmxvYjE=",
                    "size": bytes.len(),
                    "url": format!("https://api.github.com/repos/{owner}/{name}/git/blobs/{sha}"),
                    "content": wrap_lines(&base64::engine::general_purpose::STANDARD.encode(bytes)),
                    "encoding": "base64",
                })),
                None => rest_not_found(),
            },
            ["pulls", number, "files"] => {
                let number: u64 = number.parse().unwrap_or(0);
                match repo.prs.iter().find(|pr| pr.number == number) {
                    Some(pr) => self.pr_files(request, repo, pr),
                    None => rest_not_found(),
                }
            }
            _ => rest_not_found(),
        }
    }

    fn tree(&self, owner: &str, name: &str, sha: &str) -> ResponseTemplate {
        let Some(files) = self.commits.get(sha) else {
            return rest_not_found();
        };
        let mut entries = Vec::new();
        let mut dirs = std::collections::BTreeSet::new();
        for path in files.keys() {
            for (index, _) in path.match_indices('/') {
                dirs.insert(path[..index].to_owned());
            }
        }
        for dir in dirs {
            entries.push(json!({"path": dir, "mode": "040000", "type": "tree",
                "sha": commit_id(&dir),
                "url": format!("https://api.github.com/repos/{owner}/{name}/git/trees/{}", commit_id(&dir))}));
        }
        for (path, oid) in files {
            entries.push(
                json!({"path": path, "mode": "100644", "type": "blob", "sha": oid,
                "size": self.blobs[oid].len(),
                "url": format!("https://api.github.com/repos/{owner}/{name}/git/blobs/{oid}")}),
            );
        }
        ResponseTemplate::new(200).set_body_json(json!({
            "sha": sha,
            "url": format!("https://api.github.com/repos/{owner}/{name}/git/trees/{sha}"),
            "tree": entries,
            "truncated": false,
        }))
    }

    fn pr_files(&self, request: &Request, repo: &FakeRepo, pr: &FakePr) -> ResponseTemplate {
        let page: usize = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "page")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(1);
        let head = &self.commits[&pr.head_oid(&repo.full_name)];
        let items: Vec<Value> = pr
            .changes
            .iter()
            .skip((page - 1) * 100)
            .take(100)
            .map(|change| {
                let (filename, status, previous) = match change {
                    FileChange::Added(p, _) => (p, "added", None),
                    FileChange::Modified(p, _) => (p, "modified", None),
                    FileChange::Deleted(p) => (p, "removed", None),
                    FileChange::Renamed { from, to } => (to, "renamed", Some(from)),
                };
                let mut item = json!({
                    "sha": head.get(filename).cloned().unwrap_or_default(),
                    "filename": filename, "status": status,
                    "additions": 1, "deletions": 0, "changes": 1,
                    "blob_url": "", "raw_url": "", "contents_url": "", "patch": "@@ -0,0 +1 @@"
                });
                if let Some(previous) = previous {
                    item["previous_filename"] = json!(previous);
                }
                item
            })
            .collect();
        let etag = format!("\"{}\"", commit_id(&format!("{}-{page}", pr.number)));
        let sent = request
            .headers
            .get("if-none-match")
            .and_then(|v| v.to_str().ok());
        if sent == Some(etag.as_str()) {
            return ResponseTemplate::new(304).insert_header("etag", etag.as_str());
        }
        ResponseTemplate::new(200)
            .insert_header("etag", etag.as_str())
            .set_body_json(items)
    }
}

impl Respond for FakeGitHub {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if request.url.path().ends_with("/graphql") {
            self.graphql(request)
        } else {
            self.rest(request)
        }
    }
}

/// GitHub's GraphQL answer for a repository that does not exist or cannot be seen.
pub fn not_found(full_name: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "data": {"repository": null},
        "errors": [{
            "type": "NOT_FOUND",
            "path": ["repository"],
            "locations": [{"line": 2, "column": 3}],
            "message": format!("Could not resolve to a Repository with the name '{full_name}'.")
        }]
    }))
}

fn rest_not_found() -> ResponseTemplate {
    ResponseTemplate::new(404).set_body_json(json!({
        "message": "Not Found",
        "documentation_url": "https://docs.github.com/rest",
        "status": "404"
    }))
}

/// Files longer than this come back from GraphQL with their text cut short and
/// `isTruncated: true`, as GitHub does with large blobs (at a much larger size).
pub const TRUNCATE_AT: usize = 2048;

fn blob_node(oid: &str, bytes: &[u8]) -> Value {
    let text = std::str::from_utf8(bytes).ok();
    let truncated = bytes.len() > TRUNCATE_AT;
    json!({
        "oid": oid,
        "byteSize": bytes.len(),
        "isBinary": text.is_none(),
        "isTruncated": truncated,
        "text": text.map(|t| if truncated { t.get(..TRUNCATE_AT).unwrap_or(t) } else { t }),
    })
}

/// The page of `prs` (in listing order, each with its creation rank) after the request's
/// cursor, of the request's `first` (100 when not given): the page, whether more follow, and
/// the end cursor. Cursors are keyset ones as GitHub's: they hold the last PR's sort key (its
/// update time and creation rank) and the next page starts after that key in the listing's
/// order (`updated_order`: most recently updated first), so a PR whose key moved ahead of the
/// cursor meanwhile is not listed.
fn keyset_page(
    prs: &[(FakePr, usize)],
    variables: &Value,
    updated_order: bool,
) -> (Vec<(FakePr, usize)>, bool, Option<String>) {
    let first = variables["first"].as_u64().map_or(100, |n| n as usize);
    let after: Option<(String, usize)> = variables["cursor"]
        .as_str()
        .and_then(|c| base64::engine::general_purpose::STANDARD.decode(c).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| {
            let (updated, rank) = text.strip_prefix("cursor:")?.split_once('|')?;
            Some((updated.to_owned(), rank.parse().ok()?))
        });
    let comes_after = |(pr, rank): &(FakePr, usize)| match &after {
        None => true,
        Some((updated, after_rank)) if updated_order => {
            pr.updated_at < *updated || (pr.updated_at == *updated && rank > after_rank)
        }
        Some((_, after_rank)) => rank > after_rank,
    };
    let start = prs.iter().position(comes_after).unwrap_or(prs.len());
    let page: Vec<(FakePr, usize)> = prs.iter().skip(start).take(first).cloned().collect();
    let has_next = start + page.len() < prs.len();
    let end = page.last().map(|(pr, rank)| {
        base64::engine::general_purpose::STANDARD.encode(format!("cursor:{}|{rank}", pr.updated_at))
    });
    (page, has_next, end)
}

/// Base64 in lines of 60, as GitHub sends blob content.
fn wrap_lines(encoded: &str) -> String {
    let mut out = String::new();
    for chunk in encoded.as_bytes().chunks(60) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or(""));
        out.push('\n');
    }
    out
}
