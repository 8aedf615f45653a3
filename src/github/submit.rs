//! Submitting a verdict: the [`Submission`] (the exact review body and its inline comments,
//! prepared once and kept as is through retries) and [`deliver`], which posts it.
//!
//! Delivery is a sequence of idempotent steps, so a retry after a partial failure completes
//! the rest without posting the review twice:
//! 1. look for a review of the analysed commit, written by the token's own user, whose first
//!    line is this submission's marker (id and head); reuse it. A review by anyone else
//!    carrying the marker is ignored: a PR author cannot pre-post it to suppress a verdict;
//! 2. otherwise check that the PR's head is still the analysed commit (refuse when it moved)
//!    and post the review (`APPROVE` or `REQUEST_CHANGES`, `commit_id` = the analysed head);
//! 3. Approve sets the commit status `schemagate/data-review` to success, Block to failure;
//!    Request changes sets none;
//! 4. Block adds the label `data-review: blocked`, Approve removes it (absent is fine).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::client::{GitHub, MAX_PAGES, is_last_page, page_path};
use super::error::GitHubError;
use super::inline::{DiffLines, ReviewComment, place};
use crate::check::PrReport;
use crate::report::review_body::{BodyParts, SubmissionMarker, render_review_body};
use crate::review::{Draft, Timestamp, Verdict};

/// The commit status context schemagate sets.
pub const STATUS_CONTEXT: &str = "schemagate/data-review";

/// The label a blocked PR carries.
pub const BLOCKED_LABEL: &str = "data-review: blocked";

/// One verdict ready to post: the same bytes on every attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    /// Names this submission (`<time>-<16 hex of randomness>`); its marker in the body lets a
    /// retry find the posted review.
    pub id: String,
    /// `owner/name`.
    pub repo: String,
    /// PR number.
    pub pr: u64,
    /// The analysed head commit (the review's `commit_id`).
    pub head_sha: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The review body ([`render_review_body`]).
    pub body: String,
    /// Inline comments on lines of the diff.
    pub comments: Vec<ReviewComment>,
    /// When it was prepared.
    pub created_at: Timestamp,
    /// The decision log's chain head after this submission's intent record, once logged
    /// ([`Submission::with_chain`]); it is in the marker. Absent in older outbox entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<String>,
}

/// What a submission is made of.
#[derive(Clone, Copy, Debug)]
pub struct SubmissionInputs<'a> {
    /// `owner/name`.
    pub repo: &'a str,
    /// PR number.
    pub pr: u64,
    /// The analysed head commit.
    pub head_sha: &'a str,
    /// The PR's report.
    pub report: &'a PrReport,
    /// The reviewer's draft (ticks, waivers, notes).
    pub draft: &'a Draft,
    /// The verdict.
    pub verdict: Verdict,
    /// Who decides.
    pub reviewer: &'a str,
    /// The reviewer's summary for the top of the body.
    pub summary: Option<&'a str>,
    /// The PR diff's commentable lines (`None`: everything goes in the body).
    pub diff: Option<&'a DiffLines>,
    /// Now.
    pub now: Timestamp,
}

impl Submission {
    /// Prepares the body and comments: open findings and notes on lines of the diff become
    /// inline comments, the others go in the body.
    pub fn prepare(inputs: &SubmissionInputs<'_>) -> Submission {
        let id = submission_id(inputs.now);
        let marker = SubmissionMarker {
            id: id.clone(),
            verdict: inputs.verdict,
            head_sha: inputs.head_sha.to_owned(),
            chain: None,
        }
        .render();
        let placement = place(
            inputs.report.open_findings(),
            &inputs.draft.notes,
            inputs.diff,
        );
        let body = render_review_body(&BodyParts {
            report: inputs.report,
            verdict: inputs.verdict,
            state: &inputs.draft.state,
            reviewer: inputs.reviewer,
            summary: inputs.summary,
            findings_in_body: &placement.findings_in_body,
            notes_in_body: &placement.notes_in_body,
            inline_comments: placement.comments.len(),
            marker: &marker,
        });
        Submission {
            id,
            repo: inputs.repo.to_owned(),
            pr: inputs.pr,
            head_sha: inputs.head_sha.to_owned(),
            verdict: inputs.verdict,
            body,
            comments: placement.comments,
            created_at: inputs.now,
            chain: None,
        }
    }

    /// The same submission with the decision log's chain head `chain` in its marker (the
    /// body's first line): set once its intent record is logged, before the first request.
    pub fn with_chain(self, chain: &str) -> Submission {
        let chain = Some(chain.to_owned());
        let marker = SubmissionMarker {
            chain: chain.clone(),
            ..self.marker_fields()
        }
        .render();
        let rest = self
            .body
            .split_once('\n')
            .map_or("", |(_, rest)| rest)
            .to_owned();
        Submission {
            body: format!("{marker}\n{rest}"),
            chain,
            ..self
        }
    }

    /// The marker this submission's review body starts with.
    pub fn marker(&self) -> String {
        self.marker_fields().render()
    }

    fn marker_fields(&self) -> SubmissionMarker {
        SubmissionMarker {
            id: self.id.clone(),
            verdict: self.verdict,
            head_sha: self.head_sha.clone(),
            chain: self.chain.clone(),
        }
    }

    /// What finds its review on GitHub.
    pub fn key(&self) -> ReviewKey<'_> {
        ReviewKey {
            repo: &self.repo,
            pr: self.pr,
            id: &self.id,
            head_sha: &self.head_sha,
        }
    }
}

/// What finds a submission's review on GitHub ([`find_review`]): its PR, its id and the
/// analysed head (all in the intent record too, so a verdict whose outbox entry is gone can
/// still be looked up).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReviewKey<'a> {
    /// `owner/name`.
    pub repo: &'a str,
    /// PR number.
    pub pr: u64,
    /// The submission id its marker carries.
    pub id: &'a str,
    /// The analysed head commit (the review's `commit_id`).
    pub head_sha: &'a str,
}

impl ReviewKey<'_> {
    /// Whether the review `body` (by the token's own user, of `commit`) is this submission's.
    fn is_mine(&self, body: &str, commit: Option<&str>) -> bool {
        commit == Some(self.head_sha)
            && SubmissionMarker::parse(body)
                .is_some_and(|marker| marker.id == self.id && marker.head_sha == self.head_sha)
    }
}

/// `<time>-<16 hex>`: when it was prepared and 8 random bytes, so that two submits in the same
/// second differ and nobody can predict the id from public facts (a PR author pre-posting the
/// marker is ignored anyway: only the token's own reviews count).
fn submission_id(now: Timestamp) -> String {
    format!("{}-{}", now.compact(), hex::encode(nonce()))
}

/// 8 bytes from the operating system's random source. Should it fail (it does not on the
/// systems schemagate runs on), a digest of the clock's nanoseconds, the process id and a
/// per-process counter stands in: still distinct per submission, never a panic.
fn nonce() -> [u8; 8] {
    let mut bytes = [0_u8; 8];
    if getrandom::fill(&mut bytes).is_ok() {
        return bytes;
    }
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    let mut hasher = Sha256::new();
    hasher.update(nanos.to_le_bytes());
    hasher.update(std::process::id().to_le_bytes());
    hasher.update(count.to_le_bytes());
    let digest = hasher.finalize();
    bytes.copy_from_slice(&digest[..8]);
    bytes
}

/// The posted review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivered {
    /// GitHub's review id.
    pub review_id: u64,
    /// The review's page.
    pub url: String,
    /// Whether an earlier attempt had posted it already (this one only completed the rest).
    pub reused: bool,
}

/// Which step of a delivery failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Reading the PR's head.
    ReadHead,
    /// Listing the PR's reviews.
    FindReview,
    /// Posting the review.
    PostReview,
    /// Setting the commit status.
    SetStatus,
    /// Adding or removing the label.
    Label,
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Step::ReadHead => "reading the PR's head",
            Step::FindReview => "looking for an earlier delivery",
            Step::PostReview => "posting the review",
            Step::SetStatus => "setting the commit status",
            Step::Label => "updating the label",
        })
    }
}

/// Why a submission was not (fully) delivered.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum SubmitError {
    /// The PR's head is no longer the analysed commit: nothing was posted.
    #[error(
        "the PR moved: {analysed} was analysed but its head is now {current}; re-analyse it \
         first (nothing was posted)"
    )]
    HeadMoved {
        /// The analysed head.
        analysed: String,
        /// The head on GitHub now.
        current: String,
    },
    /// A request failed.
    #[error("{step} failed: {error}{}", posted_note(.posted))]
    GitHub {
        /// The step.
        step: Step,
        /// The error.
        error: GitHubError,
        /// The review, when it was posted before the failure.
        posted: Option<Delivered>,
    },
}

fn posted_note(posted: &Option<Delivered>) -> String {
    match posted {
        Some(review) => format!(" (the review itself was posted: {})", review.url),
        None => String::new(),
    }
}

impl SubmitError {
    /// Whether trying again later may succeed (network, timeout, 408, 5xx, rate limit).
    pub fn is_transient(&self) -> bool {
        match self {
            SubmitError::HeadMoved { .. } => false,
            SubmitError::GitHub { error, .. } => error.is_transient(),
        }
    }

    /// Whether the review POST went out and the answer leaves it unknown whether GitHub
    /// created the review: an answer that is not the review (a 200 with malformed JSON or an
    /// HTML page), a connection reset or another network error, a timeout, a 5xx. The retry
    /// looks the review up before posting again.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            SubmitError::GitHub {
                step: Step::PostReview,
                error,
                ..
            } => match error {
                GitHubError::Decode { .. }
                | GitHubError::Network { .. }
                | GitHubError::Timeout { .. } => true,
                GitHubError::Server { status, .. } => *status >= 500,
                _ => false,
            },
            _ => false,
        }
    }

    /// Whether the submission stays in the outbox for a later attempt: the failure passes,
    /// or the review may exist already.
    pub fn keeps_entry(&self) -> bool {
        self.is_transient() || self.outcome_unknown()
    }

    /// What the reviewer can do about it (the message already says it for most errors).
    pub fn advice(&self) -> &'static str {
        match self {
            SubmitError::GitHub {
                posted: Some(_), ..
            } if !self.is_transient() => {
                "the review is on GitHub and in the decision log; set the missing status or \
                 label by hand, or give the token that permission (submitting again would post \
                 a second review)"
            }
            SubmitError::GitHub {
                error: GitHubError::Unprocessable { .. },
                ..
            } => {
                "GitHub will not take this review as it is (you cannot approve your own PR, \
                 nor review a closed one); your ticks and the chosen verdict are kept in the \
                 draft: choose another verdict or ask another reviewer"
            }
            _ if self.keeps_entry() => "it will be retried by `schemagate submit --retry`",
            _ => "your ticks and the chosen verdict are kept in the draft",
        }
    }
}

#[derive(Deserialize)]
struct PullHead {
    head: CommitRef,
}

#[derive(Deserialize)]
struct CommitRef {
    sha: String,
}

#[derive(Deserialize)]
struct Review {
    id: u64,
    #[serde(default)]
    body: Option<String>,
    html_url: String,
    #[serde(default)]
    commit_id: Option<String>,
    /// `null` for a deleted ("ghost") account.
    #[serde(default)]
    user: Option<ReviewUser>,
}

#[derive(Deserialize)]
struct ReviewUser {
    login: String,
}

/// Posts `submission` (see the module docs for the steps).
///
/// # Errors
/// [`SubmitError::HeadMoved`] when the PR moved before anything was posted;
/// [`SubmitError::GitHub`] naming the step that failed and whether the review was posted.
pub async fn deliver(client: &GitHub, submission: &Submission) -> Result<Delivered, SubmitError> {
    let delivered = match find_review(client, submission.key())
        .await
        .map_err(failed(Step::FindReview, None))?
    {
        Some(review) => review,
        None => {
            check_head(client, submission).await?;
            post_review(client, submission)
                .await
                .map_err(failed(Step::PostReview, None))?
        }
    };
    set_status(client, submission, &delivered.url)
        .await
        .map_err(failed(Step::SetStatus, Some(&delivered)))?;
    update_label(client, submission)
        .await
        .map_err(failed(Step::Label, Some(&delivered)))?;
    Ok(delivered)
}

/// Wraps a failed request of `step` (after the review was `posted`, if it was).
fn failed(step: Step, posted: Option<&Delivered>) -> impl FnOnce(GitHubError) -> SubmitError {
    let posted = posted.cloned();
    move |error| SubmitError::GitHub {
        step,
        error,
        posted,
    }
}

/// Refuses when the PR's head is not the analysed commit.
async fn check_head(client: &GitHub, submission: &Submission) -> Result<(), SubmitError> {
    let Submission { repo, pr, .. } = submission;
    let pull: PullHead = client
        .get_json(
            &format!("pull request {repo}#{pr}"),
            &format!("/repos/{repo}/pulls/{pr}"),
        )
        .await
        .map_err(failed(Step::ReadHead, None))?;
    if pull.head.sha == submission.head_sha {
        Ok(())
    } else {
        Err(SubmitError::HeadMoved {
            analysed: submission.head_sha.clone(),
            current: pull.head.sha,
        })
    }
}

/// The PR's review of the analysed commit, written by the token's own user, whose first line
/// is the submission's marker, if one was posted already. The user's login is asked
/// ([`GitHub::viewer_login`]) only when a review carries the marker.
///
/// # Errors
/// Any [`GitHubError`] of listing the reviews or asking the login.
pub async fn find_review(
    client: &GitHub,
    key: ReviewKey<'_>,
) -> Result<Option<Delivered>, GitHubError> {
    let ReviewKey { repo, pr, .. } = key;
    for page in 1..=MAX_PAGES {
        let reviews: Vec<Review> = client
            .get_json(
                &format!("the reviews of {repo}#{pr}"),
                &page_path(&format!("/repos/{repo}/pulls/{pr}/reviews"), page),
            )
            .await?;
        for review in &reviews {
            let marked = review
                .body
                .as_deref()
                .is_some_and(|body| key.is_mine(body, review.commit_id.as_deref()));
            let Some(author) = review.user.as_ref().filter(|_| marked) else {
                continue;
            };
            if author.login == client.viewer_login().await? {
                return Ok(Some(Delivered {
                    review_id: review.id,
                    url: review.html_url.clone(),
                    reused: true,
                }));
            }
        }
        if is_last_page(reviews.len()) {
            break;
        }
    }
    Ok(None)
}

/// `POST /repos/{o}/{r}/pulls/{n}/reviews`.
async fn post_review(client: &GitHub, submission: &Submission) -> Result<Delivered, GitHubError> {
    let Submission { repo, pr, .. } = submission;
    let event = match submission.verdict {
        Verdict::Approve => "APPROVE",
        Verdict::RequestChanges | Verdict::Block => "REQUEST_CHANGES",
    };
    let request = json!({
        "commit_id": submission.head_sha,
        "body": submission.body,
        "event": event,
        "comments": submission.comments,
    });
    let review: Review = client
        .post_json(
            &format!("the review of {repo}#{pr}"),
            &format!("/repos/{repo}/pulls/{pr}/reviews"),
            &request,
        )
        .await?;
    Ok(Delivered {
        review_id: review.id,
        url: review.html_url,
        reused: false,
    })
}

/// `POST /repos/{o}/{r}/statuses/{sha}`: success for Approve, failure for Block.
async fn set_status(
    client: &GitHub,
    submission: &Submission,
    review_url: &str,
) -> Result<(), GitHubError> {
    let (state, description) = match submission.verdict {
        Verdict::Approve => ("success", "Data review approved"),
        Verdict::Block => ("failure", "Data review blocked the merge: see the review"),
        Verdict::RequestChanges => return Ok(()),
    };
    let Submission { repo, head_sha, .. } = submission;
    let request = json!({
        "state": state,
        "context": STATUS_CONTEXT,
        "description": description,
        "target_url": review_url,
    });
    client
        .post_json::<Value>(
            &format!("the {STATUS_CONTEXT} status of {repo}@{head_sha}"),
            &format!("/repos/{repo}/statuses/{head_sha}"),
            &request,
        )
        .await
        .map(drop)
}

/// Adds the blocked label for Block, removes it for Approve.
async fn update_label(client: &GitHub, submission: &Submission) -> Result<(), GitHubError> {
    let Submission { repo, pr, .. } = submission;
    let what = format!("the `{BLOCKED_LABEL}` label of {repo}#{pr}");
    match submission.verdict {
        Verdict::Block => client
            .post_json::<Value>(
                &what,
                &format!("/repos/{repo}/issues/{pr}/labels"),
                &json!({ "labels": [BLOCKED_LABEL] }),
            )
            .await
            .map(drop),
        Verdict::Approve => {
            let label = url_path_segment(BLOCKED_LABEL);
            let path = format!("/repos/{repo}/issues/{pr}/labels/{label}");
            match client.delete(&what, &path).await {
                Err(GitHubError::NotFound { .. }) => Ok(()),
                other => other,
            }
        }
        Verdict::RequestChanges => Ok(()),
    }
}

/// `text` percent-encoded as one URL path segment (everything but RFC 3986's unreserved
/// characters), e.g. a label name with a colon and spaces.
fn url_path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_names_are_percent_encoded_in_paths() {
        assert_eq!(url_path_segment(BLOCKED_LABEL), "data-review%3A%20blocked");
        assert_eq!(url_path_segment("a/b?c#d é"), "a%2Fb%3Fc%23d%20%C3%A9");
    }

    #[test]
    fn transient_errors_are_the_clients() {
        let server = SubmitError::GitHub {
            step: Step::PostReview,
            error: GitHubError::Server {
                status: 502,
                what: "x".into(),
                message: String::new(),
            },
            posted: None,
        };
        assert!(server.is_transient());
        let moved = SubmitError::HeadMoved {
            analysed: "a".into(),
            current: "b".into(),
        };
        assert!(!moved.is_transient());
        assert!(moved.to_string().contains("re-analyse"));
    }
}
