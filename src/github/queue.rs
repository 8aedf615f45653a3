//! Listing open pull requests over GraphQL: up to 100 per query with their first 100 changed
//! files, last 50 reviews (without bodies), the bodies of the authenticated user's own reviews
//! (`reviews(author: $viewer)`, for schemagate's marker), labels and the head's
//! `schemagate/data-review` status (`repository.pullRequests` oldest first, or `search` for a
//! configured section), one PR by number, and the complete file list over REST
//! (`pulls/{n}/files`, conditional on the cached `ETag`) when GraphQL's is not enough.
//!
//! Pages are in creation order (`CREATED_AT ASC`, `sort:created-asc` for a search): a PR
//! updated while the pages are read keeps its place, so none is skipped (in update order it
//! would jump ahead of the cursor). A page GitHub cannot answer in time (502, 503, 504, a
//! timeout, or data with errors) is asked again with fewer PRs, down [`PAGE_SIZES`], and the
//! rest of the listing keeps the size that worked.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::budget::{BudgetMeter, RATE_LIMIT_FIELDS, RateLimitNode};
use super::cache::{CachedReply, ContentCache};
use super::client::{GitHub, MAX_PAGES, is_last_page, page_path};
use super::contents::RepoRef;
use super::error::GitHubError;
use super::pull_request::{
    ChangedFile, DataReviewStatus, FileChange, ListedPr, PrReview, RemotePr, ReviewState,
    StatusState,
};
use crate::config::SectionConfig;
use crate::report::markdown::MARKER;
use crate::source::change::PrMeta;

/// PRs per listing page, largest first: a page that times out is asked again at the next size.
pub const PAGE_SIZES: [usize; 4] = [100, 50, 25, 10];

/// The fields read of each pull request (the status context is
/// [`STATUS_CONTEXT`](super::submit::STATUS_CONTEXT)); its reviews come from
/// [`LISTED_REVIEWS`] or [`ONE_PR_REVIEWS`].
const PR_FIELDS: &str = r#"fragment fields on PullRequest {
  number title url isDraft headRefName headRefOid baseRefName baseRefOid updatedAt body
  author { login }
  labels(first: 50) { nodes { name } }
  files(first: 100) { nodes { path changeType additions deletions } pageInfo { hasNextPage endCursor } }
  commits(last: 1) { nodes { commit { status { context(name: "schemagate/data-review") { state description } } } } }
}"#;

/// The reviews of a listed PR: the last 50 without bodies, and the bodies of the viewer's own
/// (they are what carries schemagate's marker; the bodies of 50 reviews of 100 PRs are what
/// makes a page too slow for GitHub).
const LISTED_REVIEWS: &str = r#"fragment pr on PullRequest {
  ...fields
  reviews(last: 50) { nodes { id author { login } state submittedAt commit { oid } } }
  viewerReviews: reviews(author: $viewer, last: 20) { nodes { id body } }
}"#;

/// The reviews of one PR asked for by number: the last 50 with bodies (one PR is cheap), told
/// apart by the query's `viewer { login }`.
const ONE_PR_REVIEWS: &str = r#"fragment pr on PullRequest {
  ...fields
  reviews(last: 50) { nodes { id author { login } state submittedAt commit { oid } body } }
}"#;

/// The open PRs of a repository, a page at a time, oldest first (`RATE_LIMIT` becomes
/// [`RATE_LIMIT_FIELDS`] in every query).
const LIST_QUERY: &str = r#"query($owner: String!, $name: String!, $viewer: String!, $first: Int!, $cursor: String) {
  RATE_LIMIT
  repository(owner: $owner, name: $name) {
    pullRequests(states: OPEN, first: $first, after: $cursor, orderBy: {field: CREATED_AT, direction: ASC}) {
      pageInfo { hasNextPage endCursor }
      nodes { ...pr }
    }
  }
}"#;

/// The PRs a search finds, a page at a time.
const SEARCH_QUERY: &str = r#"query($q: String!, $viewer: String!, $first: Int!, $cursor: String) {
  RATE_LIMIT
  search(query: $q, type: ISSUE, first: $first, after: $cursor) {
    pageInfo { hasNextPage endCursor }
    nodes { ... on PullRequest { ...pr } }
  }
}"#;

/// One PR by number, and who is asking (the viewer: their own reviews are schemagate's).
const ONE_QUERY: &str = r#"query($owner: String!, $name: String!, $number: Int!) {
  RATE_LIMIT
  viewer { login }
  repository(owner: $owner, name: $name) { pullRequest(number: $number) { ...pr } }
}"#;

/// `operation` with its rate-limit fields, the `reviews` fragment and the PR fields.
fn full_query(operation: &str, reviews: &str) -> String {
    let operation = operation.replace("RATE_LIMIT", RATE_LIMIT_FIELDS);
    format!("{operation}\n{reviews}\n{PR_FIELDS}")
}

/// The search qualifier that keeps a section's pages in creation order.
const SEARCH_ORDER: &str = "sort:created-asc";

/// One page of a listing.
#[derive(Clone, Debug)]
pub struct PrPage {
    /// The PRs on it.
    pub prs: Vec<ListedPr>,
    /// The cursor of the next page, if there is one.
    pub next_cursor: Option<String>,
    /// How many PRs were asked for (one of [`PAGE_SIZES`]): the next page asks as many.
    pub size: usize,
}

/// One page of open PRs of `repo`, or of the PRs `section`'s search finds in it, of `size`
/// PRs or, when GitHub cannot answer that in time, of the next smaller [`PAGE_SIZES`].
///
/// # Errors
/// Any [`GitHubError`] (the last one, when even the smallest page failed); a repository that
/// does not exist is [`GitHubError::NotFound`].
pub async fn list_page(
    client: &GitHub,
    repo: &RepoRef,
    section: Option<&SectionConfig>,
    cursor: Option<&str>,
    size: usize,
    meter: &BudgetMeter,
) -> Result<PrPage, GitHubError> {
    let viewer = client.viewer_login().await?;
    let mut size = size;
    loop {
        let outcome = list_page_of(client, repo, section, cursor, viewer, size, meter).await;
        match (outcome, smaller_size(size)) {
            (Err(error), Some(smaller)) if is_overload(&error) => size = smaller,
            (outcome, _) => return outcome,
        }
    }
}

/// The next of [`PAGE_SIZES`] below `size`, if there is one.
fn smaller_size(size: usize) -> Option<usize> {
    PAGE_SIZES.iter().copied().find(|&s| s < size)
}

/// Whether `error` is GitHub running out of time on a query (502/503/504, a timeout, or an
/// answer with errors, which is how a query cut short comes back), so a smaller one may pass.
fn is_overload(error: &GitHubError) -> bool {
    matches!(
        error,
        GitHubError::Server {
            status: 502..=504,
            ..
        } | GitHubError::Timeout { .. }
            | GitHubError::GraphQl { .. }
    )
}

/// One page of exactly `size` PRs (its cost counted by `meter`).
async fn list_page_of(
    client: &GitHub,
    repo: &RepoRef,
    section: Option<&SectionConfig>,
    cursor: Option<&str>,
    viewer: &str,
    size: usize,
    meter: &BudgetMeter,
) -> Result<PrPage, GitHubError> {
    let smaller = if size < PAGE_SIZES[0] {
        format!(" ({size} a page)")
    } else {
        String::new()
    };
    let connection: Connection<Value> = match section {
        None => {
            let what = format!(
                "listing the open pull requests of {}{smaller}",
                repo.full_name()
            );
            let query = full_query(LIST_QUERY, LISTED_REVIEWS);
            let variables = json!({"owner": repo.owner, "name": repo.name, "viewer": viewer,
                                   "first": size, "cursor": cursor});
            let missing = || GitHubError::NotFound {
                what: format!("repository {}", repo.full_name()),
            };
            let data: RepositoryData<PullRequestsField> = client
                .graphql(&what, &query, variables)
                .await
                .map_err(|error| match error {
                    GitHubError::NotFound { .. } => missing(),
                    other => other,
                })?;
            meter.record(data.rate_limit.as_ref());
            data.repository.ok_or_else(missing)?.pull_requests
        }
        Some(section) => {
            let what = format!(
                "searching `{}` in {}{smaller}",
                section.title,
                repo.full_name()
            );
            let query = full_query(SEARCH_QUERY, LISTED_REVIEWS);
            let variables = json!({"q": search_text(repo, section), "viewer": viewer,
                                   "first": size, "cursor": cursor});
            let data: SearchData = client.graphql(&what, &query, variables).await?;
            meter.record(data.rate_limit.as_ref());
            data.search
        }
    };
    let what = format!("the pull requests of {}", repo.full_name());
    let mut prs = Vec::new();
    // Search nodes that are issues, not PRs, come as `{}`.
    for node in connection.nodes.into_iter().flatten() {
        if node.get("number").is_some() {
            prs.push(listed(repo, parse::<PrNode>(&what, node)?, viewer));
        }
    }
    let next_cursor = connection
        .page_info
        .filter(|p| p.has_next_page)
        .and_then(|p| p.end_cursor);
    Ok(PrPage {
        prs,
        next_cursor,
        size,
    })
}

/// The search of `section` in `repo`: its open PRs matching the section's filters, oldest
/// first unless the filters choose another order (`sort:...`).
fn search_text(repo: &RepoRef, section: &SectionConfig) -> String {
    let sorted = section
        .filters
        .split_whitespace()
        .any(|part| part.starts_with("sort:"));
    let order = if sorted { "" } else { SEARCH_ORDER };
    format!(
        "repo:{} is:pr is:open {} {order}",
        repo.full_name(),
        section.filters
    )
    .trim_end()
    .to_owned()
}

/// One pull request by number (the query's cost counted by `meter`).
///
/// # Errors
/// [`GitHubError::NotFound`] when the repository or the PR does not exist; any other failure.
pub async fn pr_by_number(
    client: &GitHub,
    repo: &RepoRef,
    number: u64,
    meter: &BudgetMeter,
) -> Result<ListedPr, GitHubError> {
    let what = format!("pull request #{number} of {}", repo.full_name());
    let query = full_query(ONE_QUERY, ONE_PR_REVIEWS);
    let variables = json!({"owner": repo.owner, "name": repo.name, "number": number});
    let data: OnePrData = client.graphql(&what, &query, variables).await?;
    meter.record(data.rate_limit.as_ref());
    let viewer = data.viewer.map(|v| v.login).unwrap_or_default();
    let node = data
        .repository
        .and_then(|r| r.pull_request)
        .ok_or(GitHubError::NotFound { what })?;
    Ok(listed(repo, node, &viewer))
}

/// Every changed file of PR `number` over REST (`previous_filename` included), page by page,
/// each page conditional on its cached `ETag` (a 304 reuses the cached page).
///
/// # Errors
/// Any [`GitHubError`].
pub async fn complete_files(
    client: &GitHub,
    cache: &ContentCache,
    repo: &RepoRef,
    number: u64,
) -> Result<Vec<ChangedFile>, GitHubError> {
    let what = format!(
        "the files of pull request #{number} of {}",
        repo.full_name()
    );
    let mut files = Vec::new();
    for page in 1..=MAX_PAGES {
        let path = page_path(&format!("{}/pulls/{number}/files", repo.api_path()), page);
        let body = get_conditional(client, cache, &what, &path).await?;
        let items: Vec<RestFile> = parse_bytes(&what, &body)?;
        let last = is_last_page(items.len());
        files.extend(items.into_iter().map(RestFile::into_changed));
        if last {
            break;
        }
    }
    Ok(files)
}

/// `GET path` with `If-None-Match` when an answer is cached; a 304 returns the cached body.
async fn get_conditional(
    client: &GitHub,
    cache: &ContentCache,
    what: &str,
    path: &str,
) -> Result<Vec<u8>, GitHubError> {
    let kept = cache.reply(path);
    let reply = client
        .get(what, path, kept.as_ref().map(|k| k.etag.as_str()))
        .await?;
    match kept {
        Some(kept) if reply.not_modified() => Ok(kept.body.into_bytes()),
        _ => {
            if let (Some(etag), Ok(body)) = (&reply.etag, std::str::from_utf8(&reply.body)) {
                let record = CachedReply {
                    etag: etag.clone(),
                    body: body.to_owned(),
                };
                // Only saves a transfer next time; a failed write is harmless.
                let _ = cache.put_reply(path, &record);
            }
            Ok(reply.body)
        }
    }
}

/// `{"rateLimit": ..., "repository": ...}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RepositoryData<T> {
    rate_limit: Option<RateLimitNode>,
    repository: Option<T>,
}

/// `repository { pullRequests }`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PullRequestsField {
    pull_requests: Connection<Value>,
}

/// `{"rateLimit": ..., "viewer": ..., "repository": {"pullRequest": ...}}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OnePrData {
    rate_limit: Option<RateLimitNode>,
    viewer: Option<Login>,
    repository: Option<PullRequestField>,
}

/// `repository { pullRequest }`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PullRequestField {
    pull_request: Option<PrNode>,
}

/// `{"rateLimit": ..., "search": ...}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchData {
    rate_limit: Option<RateLimitNode>,
    search: Connection<Value>,
}

/// A GraphQL connection (`nodes` may hold nulls).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Connection<T> {
    #[serde(default = "Vec::new")]
    nodes: Vec<Option<T>>,
    #[serde(default)]
    page_info: Option<PageInfo>,
}

impl<T> Default for Connection<T> {
    fn default() -> Self {
        Connection {
            nodes: Vec::new(),
            page_info: None,
        }
    }
}

/// `pageInfo`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    has_next_page: bool,
    end_cursor: Option<String>,
}

/// `{"login": ...}` (a deleted account's `author` is null).
#[derive(Debug, Deserialize)]
struct Login {
    login: String,
}

/// A pull request as [`PR_FIELDS`] and its reviews fragment read it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PrNode {
    number: u64,
    title: String,
    url: String,
    is_draft: bool,
    head_ref_name: String,
    head_ref_oid: String,
    base_ref_name: String,
    base_ref_oid: String,
    updated_at: String,
    #[serde(default)]
    body: String,
    author: Option<Login>,
    labels: Option<Connection<LabelNode>>,
    files: Option<Connection<FileNode>>,
    reviews: Option<Connection<ReviewNode>>,
    viewer_reviews: Option<Connection<ViewerReviewNode>>,
    commits: Option<Connection<CommitNode>>,
}

/// `{"name": ...}`.
#[derive(Debug, Deserialize)]
struct LabelNode {
    name: String,
}

/// A changed file as GraphQL gives it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileNode {
    path: String,
    change_type: String,
    #[serde(default)]
    additions: u64,
    #[serde(default)]
    deletions: u64,
}

/// A review (its body only when asked for one PR).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReviewNode {
    #[serde(default)]
    id: String,
    author: Option<Login>,
    state: String,
    submitted_at: Option<String>,
    commit: Option<OidNode>,
    #[serde(default)]
    body: String,
}

/// One of the viewer's own reviews, with its body.
#[derive(Debug, Deserialize)]
struct ViewerReviewNode {
    id: String,
    #[serde(default)]
    body: String,
}

/// `{"oid": ...}`.
#[derive(Debug, Deserialize)]
struct OidNode {
    oid: String,
}

/// `{"commit": {"status": {"context": ...}}}`.
#[derive(Debug, Deserialize)]
struct CommitNode {
    commit: StatusHolder,
}

/// `{"status": ...}` (null when the commit has no status at all).
#[derive(Debug, Deserialize)]
struct StatusHolder {
    status: Option<ContextHolder>,
}

/// `{"context": ...}` (null when this context is not set).
#[derive(Debug, Deserialize)]
struct ContextHolder {
    context: Option<ContextNode>,
}

/// `{"state": ..., "description": ...}`.
#[derive(Debug, Deserialize)]
struct ContextNode {
    state: String,
    description: Option<String>,
}

/// A changed file as REST gives it.
#[derive(Debug, Deserialize)]
struct RestFile {
    filename: String,
    status: String,
    #[serde(default)]
    additions: u64,
    #[serde(default)]
    deletions: u64,
    previous_filename: Option<String>,
}

impl RestFile {
    fn into_changed(self) -> ChangedFile {
        ChangedFile {
            change: file_change(&self.status),
            path: self.filename,
            previous_path: self.previous_filename,
            additions: self.additions,
            deletions: self.deletions,
        }
    }
}

/// A change type in either API's spelling (`ADDED` / `added`, `DELETED` / `removed`, ...);
/// unknown ones count as modified.
pub(super) fn file_change(text: &str) -> FileChange {
    match text.to_ascii_lowercase().as_str() {
        "added" => FileChange::Added,
        "deleted" | "removed" => FileChange::Deleted,
        "renamed" => FileChange::Renamed,
        "copied" => FileChange::Copied,
        "changed" => FileChange::Changed,
        _ => FileChange::Modified,
    }
}

fn review_state(text: &str) -> ReviewState {
    match text {
        "APPROVED" => ReviewState::Approved,
        "CHANGES_REQUESTED" => ReviewState::ChangesRequested,
        "DISMISSED" => ReviewState::Dismissed,
        "PENDING" => ReviewState::Pending,
        _ => ReviewState::Commented,
    }
}

fn status_state(text: &str) -> StatusState {
    match text {
        "SUCCESS" => StatusState::Success,
        "FAILURE" => StatusState::Failure,
        "PENDING" => StatusState::Pending,
        "EXPECTED" => StatusState::Expected,
        _ => StatusState::Error,
    }
}

/// The listed PR of a node; `viewer` is the authenticated user's login: only their reviews
/// that carry the marker are schemagate's (anyone can write the marker).
fn listed(repo: &RepoRef, node: PrNode, viewer: &str) -> ListedPr {
    let files = node.files.unwrap_or_default();
    let more_files = files.page_info.as_ref().is_some_and(|p| p.has_next_page);
    // The viewer's reviews whose body carries the marker (listed apart, or among all reviews
    // with their bodies for one PR): schemagate's own.
    let own: Vec<String> = node
        .viewer_reviews
        .unwrap_or_default()
        .nodes
        .into_iter()
        .flatten()
        .filter(|r| r.body.contains(MARKER))
        .map(|r| r.id)
        .collect();
    let is_own = |r: &ReviewNode| {
        let by_viewer = !viewer.is_empty() && r.author.as_ref().is_some_and(|a| a.login == viewer);
        (by_viewer && r.body.contains(MARKER)) || (!r.id.is_empty() && own.contains(&r.id))
    };
    let data_review_status = node
        .commits
        .and_then(|c| c.nodes.into_iter().flatten().last())
        .and_then(|c| c.commit.status)
        .and_then(|s| s.context)
        .map(|c| DataReviewStatus {
            state: status_state(&c.state),
            description: c.description,
        });
    let pr = RemotePr {
        meta: PrMeta {
            repo: repo.full_name(),
            number: node.number,
            title: node.title,
            author: node.author.map(|a| a.login).unwrap_or_default(),
            branch: node.head_ref_name,
            body: node.body,
            draft: node.is_draft,
            base_sha: node.base_ref_oid,
            head_sha: node.head_ref_oid,
            updated_at: node.updated_at,
        },
        url: node.url,
        base_branch: node.base_ref_name,
        files: files
            .nodes
            .into_iter()
            .flatten()
            .map(|f| ChangedFile {
                change: file_change(&f.change_type),
                path: f.path,
                previous_path: None,
                additions: f.additions,
                deletions: f.deletions,
            })
            .collect(),
        reviews: node
            .reviews
            .unwrap_or_default()
            .nodes
            .into_iter()
            .flatten()
            .map(|r| PrReview {
                by_schemagate: is_own(&r),
                author: r.author.map(|a| a.login).unwrap_or_default(),
                state: review_state(&r.state),
                submitted_at: r.submitted_at,
                commit: r.commit.map(|c| c.oid),
            })
            .collect(),
        data_review_status,
        labels: node
            .labels
            .unwrap_or_default()
            .nodes
            .into_iter()
            .flatten()
            .map(|l| l.name)
            .collect(),
        skipped: Vec::new(),
        notes: Vec::new(),
    };
    ListedPr { pr, more_files }
}

fn parse<T: DeserializeOwned>(what: &str, value: Value) -> Result<T, GitHubError> {
    serde_json::from_value(value).map_err(|error| decode_error(what, &error))
}

fn parse_bytes<T: DeserializeOwned>(what: &str, bytes: &[u8]) -> Result<T, GitHubError> {
    serde_json::from_slice(bytes).map_err(|error| decode_error(what, &error))
}

fn decode_error(what: &str, error: &serde_json::Error) -> GitHubError {
    GitHubError::Decode {
        what: what.to_owned(),
        message: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page as GitHub answers it (fixture: tests/fixtures/github/pull_requests_page.json).
    const PAGE: &str = include_str!("../../tests/fixtures/github/pull_requests_page.json");

    #[test]
    fn a_page_reads_into_prs() {
        let answer: Value = serde_json::from_str(PAGE).unwrap();
        let data: RepositoryData<PullRequestsField> =
            serde_json::from_value(answer["data"].clone()).unwrap();
        let connection = data.repository.unwrap().pull_requests;
        assert_eq!(
            connection
                .page_info
                .as_ref()
                .and_then(|p| p.end_cursor.as_deref()),
            Some("Y3Vyc29yOnYyOpK5MjAyNC0wNS0wMlQxMDowMDowMFrOAAAAAQ==")
        );
        let repo = RepoRef::parse("acme/shop").unwrap();
        let node = connection.nodes.into_iter().flatten().next().unwrap();
        let ListedPr { pr, more_files } = listed(&repo, parse("page", node).unwrap(), "dba-lead");
        assert!(!more_files);
        assert_eq!(pr.meta.number, 1347);
        assert_eq!(pr.meta.author, "octocat");
        assert_eq!(pr.base_branch, "main");
        assert_eq!(pr.files[0].change, FileChange::Added);
        assert_eq!(pr.labels, ["db"]);
        assert_eq!(pr.reviews.len(), 2);
        assert!(pr.reviews[1].by_schemagate);
        assert_eq!(pr.reviews[1].state, ReviewState::ChangesRequested);
        assert!(!pr.reviews[0].by_schemagate);
        assert_eq!(
            pr.data_review_status.map(|s| s.state),
            Some(StatusState::Failure)
        );
    }

    #[test]
    fn rest_file_lists_give_rename_sources() {
        let files: Vec<RestFile> =
            serde_json::from_str(include_str!("../../tests/fixtures/github/pull_files.json"))
                .unwrap();
        let files: Vec<ChangedFile> = files.into_iter().map(RestFile::into_changed).collect();
        assert_eq!(files[0].change, FileChange::Added);
        assert_eq!(files[0].additions, 103);
        assert_eq!(files[1].change, FileChange::Renamed);
        assert_eq!(
            files[1].previous_path.as_deref(),
            Some("migrations/002_invoice_index.sql")
        );
    }

    #[test]
    fn a_section_searches_oldest_first_unless_it_sorts_itself() {
        let repo = RepoRef::parse("acme/shop").unwrap();
        let section = |filters: &str| SectionConfig {
            title: "s".into(),
            filters: filters.into(),
        };
        assert_eq!(
            search_text(&repo, &section("label:db")),
            "repo:acme/shop is:pr is:open label:db sort:created-asc"
        );
        assert_eq!(
            search_text(&repo, &section("label:db sort:updated-desc")),
            "repo:acme/shop is:pr is:open label:db sort:updated-desc"
        );
        assert_eq!(smaller_size(100), Some(50));
        assert_eq!(smaller_size(10), None);
    }

    #[test]
    fn change_types_of_both_apis() {
        assert_eq!(file_change("DELETED"), FileChange::Deleted);
        assert_eq!(file_change("removed"), FileChange::Deleted);
        assert_eq!(file_change("RENAMED"), FileChange::Renamed);
        assert_eq!(file_change("modified"), FileChange::Modified);
    }
}
