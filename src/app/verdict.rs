//! A verdict on a review item, as the console and `submit` both give it: the gates say whether
//! it is allowed with the reviewer's draft, then the exact submission (what is posted) and the
//! decision record (what the decision log keeps) are prepared from the same inputs; without a
//! forge the decision is recorded in the local log only. Sending goes through the outbox (see
//! [`crate::github::dispatch::send`]), intent first.

use std::path::{Path, PathBuf};

use super::entry::PrEntry;
use crate::github::dispatch::decision_record;
use crate::github::inline::DiffLines;
use crate::github::submit::{Submission, SubmissionInputs};
use crate::review::{
    Checklists, Decision, DecisionLog, Destination, Draft, GateDecision, StoreError, Timestamp,
    Verdict, check_verdict,
};

/// What the gates say about `verdict` on `entry` with `draft`'s checklist (the approvals the
/// forge holds at the head count as the entry says).
pub fn gate(
    entry: &PrEntry,
    verdict: Verdict,
    checklists: &Checklists,
    draft: &Draft,
) -> GateDecision {
    check_verdict(
        verdict,
        entry.report.risk,
        checklists,
        &draft.state,
        &entry.report.findings,
        &entry.report.evidence,
        entry.approvals_at_head,
    )
}

/// What a verdict is prepared from: who gives which verdict on which review item, with
/// which draft, when.
pub struct VerdictInputs<'a> {
    /// The review item the verdict is on.
    pub entry: &'a PrEntry,
    /// The draft the verdict is given with: its ticks, waivers and notes are recorded.
    pub draft: &'a Draft,
    /// Approve, request changes or block.
    pub verdict: Verdict,
    /// The reviewer giving it.
    pub reviewer: &'a str,
    /// When it is given.
    pub now: Timestamp,
}

/// The exact submission `inputs` make (the review body, its inline comments, the status),
/// with the reviewer's `summary` on top and inline comments on the lines of `diff` (`None`:
/// every finding and note goes in the body).
pub fn submission(
    inputs: &VerdictInputs<'_>,
    summary: Option<&str>,
    diff: Option<&DiffLines>,
) -> Submission {
    let meta = &inputs.entry.meta;
    Submission::prepare(&SubmissionInputs {
        repo: &meta.repo,
        pr: meta.number,
        head_sha: &meta.head_sha,
        report: &inputs.entry.report,
        draft: inputs.draft,
        verdict: inputs.verdict,
        reviewer: inputs.reviewer,
        summary,
        diff,
        now: inputs.now,
    })
}

/// The decision record `inputs` make, as kept locally (sending marks where it went).
pub fn decision(inputs: &VerdictInputs<'_>) -> Decision {
    decision_record(
        &inputs.entry.meta,
        &inputs.entry.report,
        inputs.draft,
        inputs.verdict,
        inputs.reviewer,
        inputs.now,
        Destination::LocalOnly,
    )
}

/// Records `decision` in the decision log of `data_dir` (no forge: it is marked as not sent);
/// the log's path.
///
/// # Errors
/// [`StoreError`] when the log cannot be read, locked or written.
pub fn record_locally(decision: &Decision, data_dir: &Path) -> Result<PathBuf, StoreError> {
    let log = DecisionLog::in_dir(data_dir);
    log.append(decision)?;
    Ok(log.path().to_path_buf())
}
