//! Recent pull requests of a repository with their approving reviews, for the audit: the
//! migration PRs merged or still open that were updated since a day, as
//! [`GitHubPrFacts`](crate::review::github_audit::GitHubPrFacts).

use serde::Deserialize;
use serde_json::json;

use super::assemble::touches_migrations;
use super::cache::ContentCache;
use super::client::GitHub;
use super::contents::RepoRef;
use super::error::GitHubError;
use super::queue::complete_files;
use super::remote::{ChangedFile, FileChange};
use crate::analysis::detect::CandidateFilter;
use crate::report::markdown::MARKER;
use crate::review::github_audit::{GitHubApproval, GitHubPrFacts};

/// Pages of 100 a search is followed for (GitHub's search stops at 1,000 results).
const MAX_PAGES: usize = 10;

/// PRs updated since a day, with their changed paths and approving reviews.
const HISTORY_QUERY: &str = r#"query($q: String!, $cursor: String) {
  search(query: $q, type: ISSUE, first: 100, after: $cursor) {
    pageInfo { hasNextPage endCursor }
    nodes { ... on PullRequest {
      number title state mergedAt headRefOid
      files(first: 100) { nodes { path } pageInfo { hasNextPage } }
      reviews(states: APPROVED, last: 50) { nodes { author { login } submittedAt commit { oid } body } }
    } }
  }
}"#;

#[derive(Deserialize)]
struct SearchData {
    search: Search,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Search {
    page_info: PageInfo,
    nodes: Vec<Option<PrNode>>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    has_next_page: bool,
    end_cursor: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PrNode {
    number: Option<u64>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    state: String,
    merged_at: Option<String>,
    head_ref_oid: Option<String>,
    files: Option<Connection<FileNode>>,
    reviews: Option<Connection<ReviewNode>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Connection<T> {
    nodes: Vec<Option<T>>,
    #[serde(default)]
    page_info: PageInfo,
}

#[derive(Deserialize)]
struct FileNode {
    path: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReviewNode {
    author: Option<Login>,
    submitted_at: Option<String>,
    commit: Option<Oid>,
    #[serde(default)]
    body: String,
}

#[derive(Deserialize)]
struct Login {
    login: String,
}

#[derive(Deserialize)]
struct Oid {
    oid: String,
}

/// The migration PRs of `repo` that are open or were merged, updated on or after `since_day`
/// (`YYYY-MM-DD`), with their approvals. A PR with more than 100 files has its full file list
/// fetched over REST before it is judged.
///
/// # Errors
/// Any [`GitHubError`].
pub async fn migration_prs_since(
    client: &GitHub,
    cache: &ContentCache,
    repo: &RepoRef,
    since_day: &str,
    filter: &CandidateFilter,
) -> Result<Vec<GitHubPrFacts>, GitHubError> {
    let what = format!(
        "the pull requests of {} since {since_day}",
        repo.full_name()
    );
    let search = format!("repo:{} is:pr updated:>={since_day}", repo.full_name());
    let mut facts = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let variables = json!({"q": search, "cursor": cursor});
        let data: SearchData = client.graphql(&what, HISTORY_QUERY, variables).await?;
        for node in data.search.nodes.into_iter().flatten() {
            if let Some(pr) = judge(client, cache, repo, filter, node).await? {
                facts.push(pr);
            }
        }
        match data.search.page_info {
            PageInfo {
                has_next_page: true,
                end_cursor: Some(next),
            } => cursor = Some(next),
            _ => break,
        }
    }
    Ok(facts)
}

/// The facts of one searched PR, when it is open or merged and touches migrations.
async fn judge(
    client: &GitHub,
    cache: &ContentCache,
    repo: &RepoRef,
    filter: &CandidateFilter,
    node: PrNode,
) -> Result<Option<GitHubPrFacts>, GitHubError> {
    let Some(number) = node.number else {
        return Ok(None); // an issue, not a PR
    };
    if node.merged_at.is_none() && node.state != "OPEN" {
        return Ok(None); // closed without merging
    }
    let files = node.files.unwrap_or(Connection {
        nodes: Vec::new(),
        page_info: PageInfo::default(),
    });
    let changed: Vec<ChangedFile> = if files.page_info.has_next_page {
        complete_files(client, cache, repo, number).await?
    } else {
        files
            .nodes
            .into_iter()
            .flatten()
            .map(|file| ChangedFile {
                path: file.path,
                previous_path: None,
                change: FileChange::Modified,
                additions: 0,
                deletions: 0,
            })
            .collect()
    };
    if !changed.iter().any(|file| touches_migrations(filter, file)) {
        return Ok(None);
    }
    let approvals = node
        .reviews
        .map(|reviews| reviews.nodes)
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .map(|review| GitHubApproval {
            reviewer: review.author.map(|a| a.login).unwrap_or_default(),
            commit: review.commit.map(|c| c.oid),
            submitted_at: review.submitted_at,
            by_schemagate: review.body.contains(MARKER),
        })
        .collect();
    Ok(Some(GitHubPrFacts {
        repo: repo.full_name(),
        number,
        title: node.title,
        merged_at: node.merged_at,
        head_sha: node.head_ref_oid,
        approvals,
    }))
}
