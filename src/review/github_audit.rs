//! The audit's comparison with GitHub: migration PRs that were merged without an approving
//! data review, approvals GitHub shows that the decision log does not have (made outside
//! schemagate), and reviews schemagate sent whose log records are gone. Each carries, in its
//! marker, the hash of the intent record logged before it was sent: a hash that matches no
//! line of the log means that record was removed or rewritten, and a review whose intent has no
//! later delivery record naming its submission means that one was removed or replaced (say by
//! a record that it was not sent, re-chained). Pure: the GitHub side hands in what it fetched as
//! [`GitHubPrFacts`] and [`PostedSubmission`]s.

use std::collections::BTreeSet;

use serde::Serialize;

use super::decision_log::{Destination, Record};
use super::gates::Verdict;

/// A review the authenticated user posted with schemagate, as its marker describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PostedSubmission {
    /// `owner/name`.
    pub repo: String,
    /// PR number.
    pub number: u64,
    /// The submission id the marker names.
    pub id: String,
    /// The verdict the marker names.
    pub verdict: Verdict,
    /// The head commit the marker names.
    pub head_sha: String,
    /// The hash of the log line recorded for it (reviews sent before markers carried it have
    /// none, and cannot be checked).
    pub chain: Option<String>,
    /// When it was submitted (RFC 3339).
    pub submitted_at: Option<String>,
    /// Its web address.
    pub url: Option<String>,
}

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
    /// Reviews schemagate sent for the authenticated user whose log record is gone (the chain
    /// hash in their marker matches no line of the log); `None` when GitHub could not be asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_records: Option<MissingRecords>,
}

/// The reviews schemagate sent, checked against the log.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MissingRecords {
    /// Reviews whose chain hash was checked.
    pub checked: usize,
    /// Reviews whose marker carries no chain hash (sent by an older schemagate): not checked.
    pub unchecked: usize,
    /// Reviews a record of which is not in the log: it was removed or rewritten (or the review
    /// was sent from another data directory).
    pub missing: Vec<MissingRecord>,
}

/// A review on GitHub, and which of its records the log lacks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MissingRecord {
    /// The review, as its marker describes it.
    #[serde(flatten)]
    pub submission: PostedSubmission,
    /// The record that is not in the log.
    pub record: MissingPart,
}

/// Which record of a sent review the log lacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingPart {
    /// The intent record (`Destination::Outbox`) whose hash the marker names: no line of the
    /// log hashes to it.
    Intent,
    /// The delivery record (`Destination::GitHubReview` naming the submission) after the
    /// intent: it was removed or replaced (say by a record that it was not sent).
    Delivery,
}

impl std::fmt::Display for MissingRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let id = &self.submission.id;
        match self.record {
            MissingPart::Intent => write!(f, "the intent record of {id} is missing"),
            MissingPart::Delivery => write!(
                f,
                "the delivery record of {id} is missing (removed or replaced; or schemagate was \
                 stopped right after sending it, and `schemagate submit --retry` logs it)"
            ),
        }
    }
}

impl GitHubAudit {
    /// Whether GitHub proves that records of sent reviews are missing from the log.
    pub fn has_missing_records(&self) -> bool {
        self.missing_records
            .as_ref()
            .is_some_and(|records| !records.missing.is_empty())
    }
}

/// The reviews among `submissions` whose records are not in the log: its intent (the chain
/// hash in the marker is none of `line_hashes`, the hash of every whole line of the log), or
/// its delivery (no record of `log` after the intent says the submission became that review).
pub fn missing_records(
    submissions: &[PostedSubmission],
    log: &[Record],
    line_hashes: &[String],
) -> MissingRecords {
    let mut records = MissingRecords::default();
    for submission in submissions {
        let Some(chain) = &submission.chain else {
            records.unchecked += 1;
            continue;
        };
        records.checked += 1;
        let missing = match line_hashes.iter().position(|hash| hash == chain) {
            None => Some(MissingPart::Intent),
            Some(index) => {
                (!delivered_after(log, index + 1, &submission.id)).then_some(MissingPart::Delivery)
            }
        };
        if let Some(record) = missing {
            records.missing.push(MissingRecord {
                submission: submission.clone(),
                record,
            });
        }
    }
    records
}

/// Whether a record of `log` after line `intent` says submission `id` was posted as a review.
fn delivered_after(log: &[Record], intent: usize, id: &str) -> bool {
    log.iter().any(|record| {
        record.line > intent
            && matches!(
                &record.decision.destination,
                Destination::GitHubReview { outbox: Some(outbox), .. } if outbox == id
            )
    })
}

/// Compares what GitHub shows with the log's decisions: its migration PRs, and the reviews the
/// authenticated user sent with schemagate (`None` when they could not be asked for) against
/// `line_hashes`, the hash of every whole line of the log.
pub fn compare(
    prs: &[GitHubPrFacts],
    submissions: Option<&[PostedSubmission]>,
    log: &[Record],
    line_hashes: &[String],
) -> GitHubAudit {
    let mut audit = compare_prs(prs, log);
    audit.missing_records = submissions.map(|sent| missing_records(sent, log, line_hashes));
    audit
}

/// Merged PRs without an approving data review and approvals the log lacks.
fn compare_prs(prs: &[GitHubPrFacts], log: &[Record]) -> GitHubAudit {
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
    use crate::review::checklist_state::ChecklistState;
    use crate::review::clock::Timestamp;
    use crate::review::decision_log::Decision;

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
        let audit = compare_prs(&prs, &log);
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
        let audit = compare_prs(&prs, &log);
        let missing: Vec<(u64, &str)> = audit
            .unlogged_approvals
            .iter()
            .map(|u| (u.number, u.approval.commit.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(missing, vec![(1, "h1-later"), (4, "h4")]);
    }

    fn submission(number: u64, chain: Option<&str>) -> PostedSubmission {
        PostedSubmission {
            repo: "acme/shop".to_owned(),
            number,
            id: format!("sub-{number}"),
            verdict: Verdict::Block,
            head_sha: "a".repeat(40),
            chain: chain.map(str::to_owned),
            submitted_at: None,
            url: None,
        }
    }

    #[test]
    fn sent_reviews_whose_line_is_gone_are_missing_records() {
        let lines = ["1".repeat(64), "2".repeat(64)];
        let sent = [
            submission(1, Some(&lines[0])),
            submission(2, Some(&"9".repeat(64))),
            submission(3, None),
        ];
        let log = [intent(1, 1), delivery(2, 1)];
        let audit = compare(&[], Some(&sent), &log, &lines);
        let records = audit.missing_records.clone().expect("checked");
        assert_eq!((records.checked, records.unchecked), (2, 1));
        let missing: Vec<(u64, MissingPart)> = records
            .missing
            .iter()
            .map(|m| (m.submission.number, m.record))
            .collect();
        assert_eq!(missing, [(2, MissingPart::Intent)]);
        assert!(audit.has_missing_records());

        let audit = compare(&[], None, &log, &lines);
        assert_eq!(audit.missing_records, None);
        assert!(!audit.has_missing_records());
    }

    /// The intent record of `sub-<pr>` at `line`, as dispatch logs it before sending.
    fn intent(line: usize, pr: u64) -> Record {
        let mut record = record(line, pr, "h", Verdict::Block);
        record.decision.destination = Destination::Outbox {
            id: format!("sub-{pr}"),
        };
        record
    }

    /// The record at `line` that `sub-<pr>` became `destination`.
    fn fate(line: usize, pr: u64, destination: Destination) -> Record {
        let mut record = record(line, pr, "h", Verdict::Block);
        record.decision.destination = destination;
        record
    }

    /// The delivery record of `sub-<pr>` at `line`.
    fn delivery(line: usize, pr: u64) -> Record {
        let destination = Destination::GitHubReview {
            id: 900 + pr,
            url: format!("https://github.com/acme/shop/pull/{pr}#pullrequestreview-{pr}"),
            outbox: Some(format!("sub-{pr}")),
        };
        fate(line, pr, destination)
    }

    #[test]
    fn a_sent_review_needs_its_delivery_record_after_its_intent() {
        let lines: Vec<String> = (1..=7).map(|i| format!("{i:064}")).collect();
        let sent = [
            submission(1, Some(&lines[0])),
            submission(2, Some(&lines[2])),
            submission(3, Some(&lines[5])),
            submission(4, Some(&lines[6])),
        ];
        let not_sent = Destination::NotSent {
            outbox: "sub-2".to_owned(),
            reason: "forged".to_owned(),
        };
        let log = [
            intent(1, 1),
            // Delivered: fine.
            delivery(2, 1),
            // Its delivery swapped for a record that it was not sent.
            intent(3, 2),
            fate(4, 2, not_sent),
            // A delivery of sub-4 before its intent does not count, nor one of another
            // submission.
            delivery(5, 4),
            intent(6, 3),
            intent(7, 4),
        ];
        let records = missing_records(&sent, &log, &lines);
        assert_eq!(records.checked, 4);
        let missing: Vec<(u64, MissingPart)> = records
            .missing
            .iter()
            .map(|m| (m.submission.number, m.record))
            .collect();
        assert_eq!(
            missing,
            [
                (2, MissingPart::Delivery),
                (3, MissingPart::Delivery),
                (4, MissingPart::Delivery)
            ]
        );
        assert_eq!(
            records.missing[0].to_string().split(" (").next(),
            Some("the delivery record of sub-2 is missing")
        );
    }
}
