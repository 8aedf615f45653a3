//! Recent pull requests of a repository for the audit: the migration PRs merged or still open
//! that were updated since a day, as [`GitHubPrFacts`], and the reviews the authenticated user
//! sent with schemagate on any of the PRs found, as [`PostedSubmission`]s.
//!
//! GraphQL lists each PR's files with their change type but not where a renamed file came from
//! (`PullRequestChangedFile` has `path` and `changeType` only), so a PR whose listed paths touch
//! no migration but that renames a file is listed again over REST, whose `previous_filename`
//! tells whether a migration was renamed out of its folder.

use serde::Deserialize;
use serde_json::json;

use super::assemble::touches_migrations;
use super::cache::ContentCache;
use super::client::GitHub;
use super::contents::RepoRef;
use super::error::GitHubError;
use super::pull_request::{ChangedFile, FileChange};
use super::queue::{complete_files, file_change};
use crate::analysis::detect::CandidateFilter;
use crate::report::markdown::MARKER;
use crate::report::review_body::SubmissionMarker;
use crate::review::github_audit::{GitHubApproval, GitHubPrFacts, PostedSubmission};

/// Pages of 100 a search is followed for (GitHub's search stops at 1,000 results).
const MAX_PAGES: usize = 10;

/// PRs updated since a day, with their changed files and approving reviews; `{mine}` is
/// replaced by [`MINE_FIELD`] when the viewer's login is known, else by nothing.
const HISTORY_QUERY: &str = r#"query($q: String!, $cursor: String{viewer}) {
  search(query: $q, type: ISSUE, first: 100, after: $cursor) {
    pageInfo { hasNextPage endCursor }
    nodes { ... on PullRequest {
      number title state mergedAt headRefOid
      files(first: 100) { nodes { path changeType } pageInfo { hasNextPage } }
      reviews(states: APPROVED, last: 50) { nodes { author { login } submittedAt commit { oid } body } }{mine}
    } }
  }
}"#;

/// The viewer's reviews of each PR (only theirs: `author:` filters them on GitHub's side).
const MINE_FIELD: &str = "\n      mine: reviews(author: $viewer, last: 100) { nodes { author { login } submittedAt url body } }";

/// The history query, asking for the viewer's reviews when `with_mine`.
fn history_query(with_mine: bool) -> String {
    let (viewer, mine) = if with_mine {
        (", $viewer: String!", MINE_FIELD)
    } else {
        ("", "")
    };
    HISTORY_QUERY
        .replace("{viewer}", viewer)
        .replace("{mine}", mine)
}

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
    /// The viewer's own reviews (asked for when the viewer is known).
    mine: Option<Connection<MineNode>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Connection<T> {
    nodes: Vec<Option<T>>,
    #[serde(default)]
    page_info: PageInfo,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileNode {
    path: String,
    /// `ADDED`, `MODIFIED`, `RENAMED`, ... (GraphQL's `PatchStatus`).
    #[serde(default)]
    change_type: Option<String>,
}

/// One of the viewer's reviews.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MineNode {
    author: Option<Login>,
    submitted_at: Option<String>,
    url: Option<String>,
    #[serde(default)]
    body: String,
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

/// What GitHub told the audit about the repositories asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryRead {
    /// The migration PRs (open or merged) updated since the day asked for.
    pub prs: Vec<GitHubPrFacts>,
    /// The reviews the authenticated user sent with schemagate on the PRs updated since that
    /// day; `None` when the user could not be told (then they were not asked for).
    pub submissions: Option<Vec<PostedSubmission>>,
    /// What could not be read, one line per repository (unsanitized).
    pub errors: Vec<String>,
}

/// One repository's part of a [`HistoryRead`].
struct RepoHistory {
    prs: Vec<GitHubPrFacts>,
    submissions: Vec<PostedSubmission>,
}

/// Reads the history of each of `repos` (`owner/name` with its migration filter) since
/// `since_day` (`YYYY-MM-DD`): the authenticated user's login is asked once, then each
/// repository in turn; one that fails is an error line and the others go on.
pub async fn read_history(
    client: &GitHub,
    cache: &ContentCache,
    repos: impl IntoIterator<Item = (String, CandidateFilter)>,
    since_day: &str,
) -> HistoryRead {
    let mut read = HistoryRead::default();
    let viewer = match client.viewer_login().await {
        Ok(login) => {
            read.submissions = Some(Vec::new());
            Some(login)
        }
        Err(error) => {
            read.errors.push(format!(
                "the reviews sent with schemagate are not checked against the log: {error}"
            ));
            None
        }
    };
    for (name, filter) in repos {
        let Some(repo) = RepoRef::parse(&name) else {
            read.errors.push(format!("`{name}` is not owner/name"));
            continue;
        };
        match repo_history(client, cache, &repo, since_day, &filter, viewer).await {
            Ok(mut history) => {
                read.prs.append(&mut history.prs);
                if let Some(submissions) = read.submissions.as_mut() {
                    submissions.append(&mut history.submissions);
                }
            }
            Err(error) => read.errors.push(format!("{name}: {error}")),
        }
    }
    read
}

/// The migration PRs of `repo` that are open or were merged, updated on or after `since_day`,
/// with their approvals; and, when `viewer` (the authenticated user's login) is given, the
/// reviews that login sent with schemagate on every PR found (merged, open or closed). A PR
/// with more than 100 files, or one whose listed paths touch no migration but that renames a
/// file, has its full file list fetched over REST before it is judged.
async fn repo_history(
    client: &GitHub,
    cache: &ContentCache,
    repo: &RepoRef,
    since_day: &str,
    filter: &CandidateFilter,
    viewer: Option<&str>,
) -> Result<RepoHistory, GitHubError> {
    let what = format!(
        "the pull requests of {} since {since_day}",
        repo.full_name()
    );
    let search = format!("repo:{} is:pr updated:>={since_day}", repo.full_name());
    let query = history_query(viewer.is_some());
    let mut history = RepoHistory {
        prs: Vec::new(),
        submissions: Vec::new(),
    };
    let mut cursor: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let variables = match viewer {
            Some(viewer) => json!({"q": search, "cursor": cursor, "viewer": viewer}),
            None => json!({"q": search, "cursor": cursor}),
        };
        let data: SearchData = client.graphql(&what, &query, variables).await?;
        for mut node in data.search.nodes.into_iter().flatten() {
            if let (Some(viewer), Some(number)) = (viewer, node.number) {
                let mine = node.mine.take();
                let sent = posted_submissions(repo, number, viewer, mine);
                history.submissions.extend(sent);
            }
            if let Some(pr) = judge(client, cache, repo, filter, node).await? {
                history.prs.push(pr);
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
    Ok(history)
}

/// The reviews among `mine` that `viewer` wrote and that start with schemagate's submission
/// marker (the author is checked here too: a review by anyone else never counts).
fn posted_submissions(
    repo: &RepoRef,
    number: u64,
    viewer: &str,
    mine: Option<Connection<MineNode>>,
) -> Vec<PostedSubmission> {
    mine.map(|reviews| reviews.nodes)
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .filter(|review| review.author.as_ref().is_some_and(|a| a.login == viewer))
        .filter_map(|review| {
            let marker = SubmissionMarker::parse(&review.body)?;
            Some(PostedSubmission {
                repo: repo.full_name(),
                number,
                id: marker.id,
                verdict: marker.verdict,
                head_sha: marker.head_sha,
                chain: marker.chain,
                submitted_at: review.submitted_at,
                url: review.url,
            })
        })
        .collect()
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
    let listed: Vec<ChangedFile> = files
        .nodes
        .into_iter()
        .flatten()
        .map(|file| ChangedFile {
            change: file
                .change_type
                .as_deref()
                .map_or(FileChange::Modified, file_change),
            path: file.path,
            previous_path: None,
            additions: 0,
            deletions: 0,
        })
        .collect();
    let touches = |files: &[ChangedFile]| files.iter().any(|f| touches_migrations(filter, f));
    let renames = listed.iter().any(|f| f.change == FileChange::Renamed);
    let migration_pr = if files.page_info.has_next_page || (renames && !touches(&listed)) {
        touches(&complete_files(client, cache, repo, number).await?)
    } else {
        touches(&listed)
    };
    if !migration_pr {
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
