//! The audit's comparison with GitHub: migration PRs that were merged without an approving
//! data review, and approvals GitHub shows that the decision log does not have (made outside
//! schemagate). Pure: the GitHub side hands in what it fetched as [`GitHubPrFacts`].

use std::collections::BTreeSet;

use serde::Serialize;

use super::decision_log::Record;
use super::gates::Verdict;

/// What GitHub says about one pull request that touches migrations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitHubPrFacts {
    /// `owner/name`.
    pub repo: String,
    /// PR number.
    pub number: u64,
    /// Title (untrusted).
    pub title: String,
    /// When it was merged (RFC 3339), if it was.
    pub merged_at: Option<String>,
    /// Its head commit now (for a merged PR, the head that was merged): an approval of another
    /// commit is stale.
    pub head_sha: Option<String>,
    /// Its approving reviews.
    pub approvals: Vec<GitHubApproval>,
}

/// One approving review on GitHub.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GitHubApproval {
    /// Reviewer login.
    pub reviewer: String,
    /// The commit it approved.
    pub commit: Option<String>,
    /// When (RFC 3339).
    pub submitted_at: Option<String>,
    /// Whether schemagate posted it (its body carries schemagate's marker).
    pub by_schemagate: bool,
}

/// A migration PR merged with no approving data review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MergedWithoutReview {
    /// `owner/name`.
    pub repo: String,
    /// PR number.
    pub number: u64,
    /// Title (untrusted).
    pub title: String,
    /// When it was merged.
    pub merged_at: String,
}

/// An approval on GitHub that the decision log does not have.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnloggedApproval {
    /// `owner/name`.
    pub repo: String,
    /// PR number.
    pub number: u64,
    /// Title (untrusted).
    pub title: String,
    /// The review.
    pub approval: GitHubApproval,
}

/// What the comparison found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GitHubAudit {
    /// Merged migration PRs without an approving data review (neither in the log nor posted by
    /// schemagate), newest merge first.
    pub merged_without_review: Vec<MergedWithoutReview>,
    /// Approvals on GitHub with no approving decision in the log for that PR and commit.
    pub unlogged_approvals: Vec<UnloggedApproval>,
}

/// Compares GitHub's migration PRs with the log's decisions.
pub fn compare(prs: &[GitHubPrFacts], log: &[Record]) -> GitHubAudit {
    let approved: BTreeSet<(&str, u64, &str)> = log
        .iter()
        .map(|record| &record.decision)
        .filter(|decision| {
            decision.verdict == Verdict::Approve && !decision.destination.is_unsent()
        })
        .map(|decision| {
            (
                decision.repo.as_str(),
                decision.pr,
                decision.head_sha.as_str(),
            )
        })
        .collect();
    let logged_pr =
        |repo: &str, number: u64| approved.iter().any(|(r, n, _)| *r == repo && *n == number);
    let mut audit = GitHubAudit::default();
    for pr in prs {
        let reviewed = logged_pr(&pr.repo, pr.number)
            || pr.approvals.iter().any(|approval| approval.by_schemagate);
        if let (Some(merged_at), false) = (&pr.merged_at, reviewed) {
            audit.merged_without_review.push(MergedWithoutReview {
                repo: pr.repo.clone(),
                number: pr.number,
                title: pr.title.clone(),
                merged_at: merged_at.clone(),
            });
        }
        for approval in &pr.approvals {
            let in_log = match &approval.commit {
                Some(commit) => approved.contains(&(pr.repo.as_str(), pr.number, commit.as_str())),
                None => logged_pr(&pr.repo, pr.number),
            };
            if !in_log {
                audit.unlogged_approvals.push(UnloggedApproval {
                    repo: pr.repo.clone(),
                    number: pr.number,
                    title: pr.title.clone(),
                    approval: approval.clone(),
                });
            }
        }
    }
    audit
        .merged_without_review
        .sort_by(|a, b| b.merged_at.cmp(&a.merged_at));
    audit
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::Risk;
    use crate::review::clock::Timestamp;
    use crate::review::decision_log::{Decision, Destination};
    use crate::review::gates::ChecklistState;

    fn record(line: usize, pr: u64, head: &str, verdict: Verdict) -> Record {
        Record {
            line,
            decision: Decision {
                repo: "acme/shop".to_owned(),
                pr,
                title: format!("PR {pr}"),
                branch: None,
                base_sha: "b".repeat(40),
                head_sha: head.to_owned(),
                risk: Risk::High,
                findings_summary: Vec::new(),
                checklist: ChecklistState::default(),
                notes: Vec::new(),
                verdict,
                reviewer: "ana".to_owned(),
                time: Timestamp::from_unix_secs(1_790_000_000),
                destination: Destination::LocalOnly,
                prev_hash: String::new(),
            },
        }
    }

    fn approval(commit: &str, by_schemagate: bool) -> GitHubApproval {
        GitHubApproval {
            reviewer: "bo".to_owned(),
            commit: Some(commit.to_owned()),
            submitted_at: Some("2026-11-20T10:00:00Z".to_owned()),
            by_schemagate,
        }
    }

    fn pr(number: u64, merged_at: Option<&str>, approvals: Vec<GitHubApproval>) -> GitHubPrFacts {
        GitHubPrFacts {
            repo: "acme/shop".to_owned(),
            number,
            title: format!("PR {number}"),
            merged_at: merged_at.map(str::to_owned),
            head_sha: None,
            approvals,
        }
    }

    #[test]
    fn merged_prs_need_an_approving_data_review() {
        let log = [
            record(1, 1, "h1", Verdict::Approve),
            record(2, 2, "h2", Verdict::Block),
        ];
        let prs = [
            // Approved in the log: fine.
            pr(1, Some("2026-11-21T00:00:00Z"), vec![approval("h1", true)]),
            // Only blocked in the log, merged anyway with a plain approval.
            pr(2, Some("2026-11-22T00:00:00Z"), vec![approval("h2", false)]),
            // Never seen by schemagate.
            pr(3, Some("2026-11-23T00:00:00Z"), Vec::new()),
            // Approved by schemagate on GitHub (from another machine's log): reviewed.
            pr(4, Some("2026-11-24T00:00:00Z"), vec![approval("h4", true)]),
            // Still open: not a merge.
            pr(5, None, Vec::new()),
        ];
        let audit = compare(&prs, &log);
        let merged: Vec<u64> = audit
            .merged_without_review
            .iter()
            .map(|m| m.number)
            .collect();
        assert_eq!(merged, vec![3, 2], "newest merge first");
    }

    #[test]
    fn approvals_missing_from_the_log_are_listed_per_commit() {
        let log = [record(1, 1, "h1", Verdict::Approve)];
        let prs = [
            pr(
                1,
                None,
                vec![approval("h1", true), approval("h1-later", false)],
            ),
            pr(4, None, vec![approval("h4", true)]),
        ];
        let audit = compare(&prs, &log);
        let missing: Vec<(u64, &str)> = audit
            .unlogged_approvals
            .iter()
            .map(|u| (u.number, u.approval.commit.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(missing, vec![(1, "h1-later"), (4, "h4")]);
    }
}
