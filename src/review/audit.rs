//! Audit: past decisions read back from the log, filtered and sorted newest first, with the
//! checklist as it was ticked and why items were waived; approvals that went stale; and the
//! text and CSV renderings the `audit` command prints (JSON is the [`AuditReport`] itself).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::checklist_state::ItemState;
use super::clock::Timestamp;
use super::decision_log::{BadLine, Decision, Destination, Record, TornTail, Verification};
use super::gates::Verdict;
use super::github_audit::{GitHubAudit, MissingRecord};
use super::log_anchor::AnchorCheck;
use crate::analysis::rules::Risk;
use crate::report::sanitize::sanitize_line;
use crate::source::git::GitRepo;

/// A PR: repository and number.
pub type PrKey = (String, u64);

/// Which decisions to show.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only decisions at or after this time.
    pub since: Option<Timestamp>,
    /// Only this verdict.
    pub verdict: Option<Verdict>,
    /// Only this risk.
    pub risk: Option<Risk>,
    /// Only this repository (`owner/name`).
    pub repo: Option<String>,
}

impl AuditFilter {
    /// Whether `decision` passes every criterion set.
    pub fn matches(&self, decision: &Decision) -> bool {
        self.since.is_none_or(|since| decision.time >= since)
            && self.verdict.is_none_or(|v| decision.verdict == v)
            && self.risk.is_none_or(|r| decision.risk == r)
            && self.repo.as_ref().is_none_or(|r| &decision.repo == r)
    }
}

/// The records passing `filter`, newest first (log order breaks ties: later lines first).
pub fn select<'a>(records: &'a [Record], filter: &AuditFilter) -> Vec<&'a Record> {
    let mut selected: Vec<&Record> = records
        .iter()
        .filter(|record| filter.matches(&record.decision))
        .collect();
    selected.sort_by_key(|record| std::cmp::Reverse((record.decision.time, record.line)));
    selected
}

/// Why an approval no longer stands for the PR as it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StaleReason {
    /// Someone decided on the PR again afterwards.
    LaterDecision {
        /// The later decision's line.
        line: usize,
        /// Its verdict.
        verdict: Verdict,
        /// Its head.
        head_sha: String,
    },
    /// The PR's head moved past the approved commit.
    NewerHead {
        /// The current head.
        current_head: String,
    },
}

impl std::fmt::Display for StaleReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StaleReason::LaterDecision {
                line,
                verdict,
                head_sha,
            } => write!(
                f,
                "decided again at line {line} ({} at {})",
                verdict_label(*verdict),
                short_sha(head_sha)
            ),
            StaleReason::NewerHead { current_head } => {
                write!(f, "the head moved to {}", short_sha(current_head))
            }
        }
    }
}

/// An approval that no longer stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StaleApproval {
    /// The approval's line in the log.
    pub line: usize,
    /// Repository.
    pub repo: String,
    /// PR number.
    pub pr: u64,
    /// The approved head.
    pub approved_head: String,
    /// Why it is stale.
    pub reasons: Vec<StaleReason>,
}

/// Approvals among `selected` whose PR has a later decision in `all` (log order) or a current
/// head in `current_heads` other than the approved one.
pub fn stale_approvals(
    all: &[Record],
    selected: &[&Record],
    current_heads: &BTreeMap<PrKey, String>,
) -> Vec<StaleApproval> {
    selected
        .iter()
        .filter(|record| {
            record.decision.verdict == Verdict::Approve && !record.decision.destination.is_unsent()
        })
        .filter_map(|approval| {
            let d = &approval.decision;
            // The records of the same submission (its intent, its delivery) are not later
            // decisions; neither are verdicts that were never sent.
            let submission = d.destination.submission();
            let later = all
                .iter()
                .find(|r| {
                    r.line > approval.line
                        && same_pr(&r.decision, d)
                        && !r.decision.destination.is_unsent()
                        && (submission.is_none()
                            || r.decision.destination.submission() != submission)
                })
                .map(|r| StaleReason::LaterDecision {
                    line: r.line,
                    verdict: r.decision.verdict,
                    head_sha: r.decision.head_sha.clone(),
                });
            let moved = current_heads
                .get(&(d.repo.clone(), d.pr))
                .filter(|head| **head != d.head_sha)
                .map(|head| StaleReason::NewerHead {
                    current_head: head.clone(),
                });
            let reasons: Vec<StaleReason> = later.into_iter().chain(moved).collect();
            (!reasons.is_empty()).then(|| StaleApproval {
                line: approval.line,
                repo: d.repo.clone(),
                pr: d.pr,
                approved_head: d.head_sha.clone(),
                reasons,
            })
        })
        .collect()
}

fn same_pr(a: &Decision, b: &Decision) -> bool {
    a.repo == b.repo && a.pr == b.pr
}

/// The current heads, in the local checkout `git`, of the approved PRs of `repo` among
/// `records`: `refs/pull/<n>/head` when fetched, else the head branch the decision recorded.
/// PRs whose head cannot be found are left out.
pub fn local_heads<'a>(
    git: &GitRepo,
    repo: &str,
    records: impl IntoIterator<Item = &'a Record>,
) -> BTreeMap<PrKey, String> {
    let mut heads = BTreeMap::new();
    for record in records {
        let d = &record.decision;
        let key = (d.repo.clone(), d.pr);
        if d.repo != repo || d.verdict != Verdict::Approve || heads.contains_key(&key) {
            continue;
        }
        let pull_ref = format!("refs/pull/{}/head", d.pr);
        let branch_ref = d.branch.as_ref().map(|b| format!("refs/heads/{b}"));
        let head = std::iter::once(pull_ref)
            .chain(branch_ref)
            .find_map(|reference| git.resolve(&reference).ok());
        if let Some(head) = head {
            heads.insert(key, head);
        }
    }
    heads
}

/// A decision with its line, as the JSON output shows it.
#[derive(Clone, Debug, Serialize)]
pub struct AuditEntry<'a> {
    /// Line in the log.
    pub line: usize,
    /// The decision.
    #[serde(flatten)]
    pub decision: &'a Decision,
}

/// The result of verifying the chain, as the JSON output shows it.
#[derive(Clone, Debug, Serialize)]
pub struct VerificationSummary {
    /// Whether no record was tampered with.
    pub intact: bool,
    /// Records found in order.
    pub verified: usize,
    /// The first break, in words.
    pub broken: Option<String>,
    /// The line of the first break.
    pub broken_line: Option<usize>,
    /// The line of a torn tail (a crash mid-append).
    pub torn_tail_line: Option<usize>,
    /// How the log's end compares with its anchor, in words, unless the anchor names the last
    /// record (a crash lag is said here too, without breaking `intact`).
    pub anchor: Option<String>,
}

impl From<&Verification> for VerificationSummary {
    fn from(v: &Verification) -> Self {
        VerificationSummary {
            intact: v.is_intact(),
            verified: v.verified,
            broken: v.broken.as_ref().map(ToString::to_string),
            broken_line: v.broken.as_ref().map(|b| b.line()),
            torn_tail_line: v.torn_tail.as_ref().map(|t| t.line),
            anchor: (v.anchor != AnchorCheck::Matches).then(|| v.anchor.to_string()),
        }
    }
}

/// Everything `audit` shows.
#[derive(Clone, Debug, Serialize)]
pub struct AuditReport<'a> {
    /// Selected decisions, newest first.
    pub decisions: Vec<AuditEntry<'a>>,
    /// Approvals among them that no longer stand.
    pub stale_approvals: Vec<StaleApproval>,
    /// Lines of the log that are not decisions.
    pub unreadable_lines: Vec<usize>,
    /// The line of a torn last line, if any.
    pub torn_tail_line: Option<usize>,
    /// The chain check, when asked for.
    pub verification: Option<VerificationSummary>,
    /// The comparison with GitHub, when repositories are configured and GitHub answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub github: Option<GitHubAudit>,
    /// Repositories GitHub could not be asked about, with why (token-free messages).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub github_errors: Vec<String>,
}

impl<'a> AuditReport<'a> {
    /// The report of `selected` decisions.
    pub fn new(
        selected: &[&'a Record],
        stale_approvals: Vec<StaleApproval>,
        bad_lines: &[BadLine],
        torn_tail: Option<&TornTail>,
        verification: Option<&Verification>,
    ) -> Self {
        AuditReport {
            decisions: selected
                .iter()
                .map(|r| AuditEntry {
                    line: r.line,
                    decision: &r.decision,
                })
                .collect(),
            stale_approvals,
            unreadable_lines: bad_lines.iter().map(|b| b.line).collect(),
            torn_tail_line: torn_tail.map(|t| t.line),
            verification: verification.map(VerificationSummary::from),
            github: None,
            github_errors: Vec::new(),
        }
    }
}

/// `approve`, `request-changes`, `block` (as the command line spells them).
pub fn verdict_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Approve => "approve",
        Verdict::RequestChanges => "request-changes",
        Verdict::Block => "block",
    }
}

/// A review sent with schemagate whose record is missing: `acme/shop#7 block at
/// 0123456789ab, submitted <time> (<url>): the delivery record of <id> is missing`
/// (unsanitized).
pub fn missing_record_text(missing: &MissingRecord) -> String {
    let sent = &missing.submission;
    let mut text = format!(
        "{}#{} {} at {}",
        sent.repo,
        sent.number,
        verdict_label(sent.verdict),
        short_sha(&sent.head_sha)
    );
    if let Some(at) = &sent.submitted_at {
        let _ = write!(text, ", submitted {at}");
    }
    if let Some(url) = &sent.url {
        let _ = write!(text, " ({url})");
    }
    let _ = write!(text, ": {missing}");
    text
}

/// The first 12 characters of a commit id.
fn short_sha(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// Where the verdict went, in words.
fn destination_text(destination: &Destination) -> String {
    match destination {
        Destination::GitHubReview { id, url, outbox } => match outbox {
            Some(entry) => format!("GitHub review {id} {url} (sent from the outbox as {entry})"),
            None => format!("GitHub review {id} {url}"),
        },
        Destination::Outbox { id } => format!("queued in the outbox as {id}"),
        Destination::Superseded { outbox, by } => {
            format!("never sent (outbox {outbox}): superseded by the newer verdict {by}")
        }
        Destination::NotSent { outbox, reason } => {
            format!("never sent (outbox {outbox}): {reason}")
        }
        Destination::LocalOnly => "kept locally".to_owned(),
    }
}

/// One checklist item: `ticked by ana`, `waived by bo: reason`.
fn item_text(state: &ItemState) -> String {
    match state {
        ItemState::Open => "open".to_owned(),
        ItemState::Ticked { by } => format!("ticked by {by}"),
        ItemState::Waived { by, reason } => format!("waived by {by}: {reason}"),
    }
}

/// A note with its place: `m/1.sql:3: text`.
fn note_text(note: &super::draft::Note) -> String {
    match (&note.file, note.line) {
        (Some(file), Some(line)) => format!("{file}:{line}: {}", note.text),
        (Some(file), None) => format!("{file}: {}", note.text),
        _ => note.text.clone(),
    }
}

/// The report for people (untrusted text sanitized).
pub fn render_text(report: &AuditReport<'_>) -> String {
    let mut out = String::new();
    if report.decisions.is_empty() {
        out.push_str("No decisions match.\n");
    }
    for entry in &report.decisions {
        write_decision_text(&mut out, entry);
    }
    if !report.stale_approvals.is_empty() {
        out.push_str("Stale approvals:\n");
        for stale in &report.stale_approvals {
            let reasons: Vec<String> = stale.reasons.iter().map(ToString::to_string).collect();
            let _ = writeln!(
                out,
                "  {}#{} approved at {} (line {}): {}",
                sanitize_line(&stale.repo),
                stale.pr,
                short_sha(&stale.approved_head),
                stale.line,
                sanitize_line(&reasons.join("; "))
            );
        }
    }
    if let Some(github) = &report.github {
        write_github_text(&mut out, github);
    }
    for error in &report.github_errors {
        let _ = writeln!(out, "GitHub not compared: {}", sanitize_line(error));
    }
    out
}

/// The comparison with GitHub, for people.
fn write_github_text(out: &mut String, github: &GitHubAudit) {
    let _ = writeln!(
        out,
        "Migration PRs merged without an approving data review: {}",
        github.merged_without_review.len()
    );
    for merged in &github.merged_without_review {
        let _ = writeln!(
            out,
            "  {}#{} merged {}  {}",
            sanitize_line(&merged.repo),
            merged.number,
            sanitize_line(&merged.merged_at),
            sanitize_line(&merged.title)
        );
    }
    let _ = writeln!(
        out,
        "Approvals on GitHub that the log does not have: {}",
        github.unlogged_approvals.len()
    );
    for unlogged in &github.unlogged_approvals {
        let approval = &unlogged.approval;
        let _ = writeln!(
            out,
            "  {}#{} approved by {} at {} on {}{}  {}",
            sanitize_line(&unlogged.repo),
            unlogged.number,
            sanitize_line(&approval.reviewer),
            short_sha(&sanitize_line(approval.commit.as_deref().unwrap_or("?"))),
            sanitize_line(approval.submitted_at.as_deref().unwrap_or("?")),
            if approval.by_schemagate {
                " (posted by schemagate elsewhere)"
            } else {
                " (outside schemagate)"
            },
            sanitize_line(&unlogged.title)
        );
    }
    match &github.missing_records {
        Some(records) => {
            let _ = writeln!(
                out,
                "Reviews sent with schemagate whose log record is gone (removed or rewritten): \
                 {} of {} checked{}",
                records.missing.len(),
                records.checked,
                match records.unchecked {
                    0 => String::new(),
                    n => format!(" ({n} older reviews carry no chain hash)"),
                }
            );
            for sent in &records.missing {
                let _ = writeln!(out, "  {}", sanitize_line(&missing_record_text(sent)));
            }
        }
        None => out.push_str("Reviews sent with schemagate: not checked against the log\n"),
    }
}

fn write_decision_text(out: &mut String, entry: &AuditEntry<'_>) {
    let d = entry.decision;
    let _ = writeln!(
        out,
        "{}  {}#{}  {}  risk {}  by {}  (line {})",
        d.time,
        sanitize_line(&d.repo),
        d.pr,
        verdict_label(d.verdict).to_uppercase(),
        d.risk,
        sanitize_line(&d.reviewer),
        entry.line
    );
    let _ = writeln!(out, "  {}", sanitize_line(&d.title));
    let _ = writeln!(
        out,
        "  head {} base {}, {}",
        short_sha(&d.head_sha),
        short_sha(&d.base_sha),
        sanitize_line(&destination_text(&d.destination))
    );
    for f in &d.findings_summary {
        let _ = writeln!(
            out,
            "  finding {} {} at {}:{}",
            f.rule,
            f.risk,
            sanitize_line(&f.file),
            f.line
        );
    }
    for (item, state) in &d.checklist.items {
        let _ = writeln!(
            out,
            "  [{}] {}: {}",
            item_mark(state),
            sanitize_line(item),
            sanitize_line(&item_text(state))
        );
    }
    for note in &d.notes {
        let _ = writeln!(out, "  note {}", sanitize_line(&note_text(note)));
    }
    out.push('\n');
}

fn item_mark(state: &ItemState) -> char {
    match state {
        ItemState::Open => ' ',
        ItemState::Ticked { .. } => 'x',
        ItemState::Waived { .. } => '~',
    }
}

/// Column names of the CSV output.
const CSV_HEADER: [&str; 16] = [
    "line",
    "time",
    "repo",
    "pr",
    "title",
    "verdict",
    "risk",
    "reviewer",
    "base_sha",
    "head_sha",
    "destination",
    "findings",
    "ticked",
    "waived",
    "notes",
    "stale",
];

/// One row per decision (RFC 4180: fields with commas, quotes or line breaks are quoted and
/// their quotes doubled); lists inside a field are joined with `; `.
pub fn render_csv(report: &AuditReport<'_>) -> String {
    let mut out = String::new();
    push_csv_row(&mut out, CSV_HEADER.iter().map(|h| (*h).to_owned()));
    for entry in &report.decisions {
        let stale = report
            .stale_approvals
            .iter()
            .find(|s| s.line == entry.line)
            .map(|s| join(s.reasons.iter().map(ToString::to_string)))
            .unwrap_or_default();
        push_csv_row(&mut out, csv_fields(entry, stale));
    }
    out
}

fn csv_fields(entry: &AuditEntry<'_>, stale: String) -> [String; 16] {
    let d = entry.decision;
    let items_in = |waived: bool| {
        join(
            d.checklist
                .items
                .iter()
                .filter_map(|(item, state)| match state {
                    ItemState::Ticked { by } if !waived => Some(format!("{item} ({by})")),
                    ItemState::Waived { by, reason } if waived => {
                        Some(format!("{item}: {reason} ({by})"))
                    }
                    _ => None,
                }),
        )
    };
    [
        entry.line.to_string(),
        d.time.to_string(),
        d.repo.clone(),
        d.pr.to_string(),
        d.title.clone(),
        verdict_label(d.verdict).to_owned(),
        d.risk.to_string(),
        d.reviewer.clone(),
        d.base_sha.clone(),
        d.head_sha.clone(),
        destination_text(&d.destination),
        join(
            d.findings_summary
                .iter()
                .map(|f| format!("{} {} {}:{}", f.rule, f.risk, f.file, f.line)),
        ),
        items_in(false),
        items_in(true),
        join(d.notes.iter().map(note_text)),
        stale,
    ]
}

fn join(parts: impl Iterator<Item = String>) -> String {
    parts.collect::<Vec<_>>().join("; ")
}

fn push_csv_row(out: &mut String, fields: impl IntoIterator<Item = String>) {
    let fields: Vec<String> = fields.into_iter().map(|f| csv_field(&f)).collect();
    out.push_str(&fields.join(","));
    out.push_str("\r\n");
}

/// One CSV field, quoted when it holds a comma, a quote or a line break.
fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::checklist_state::ChecklistState;

    fn record(line: usize, pr: u64, verdict: Verdict, time: i64, head: &str) -> Record {
        Record {
            line,
            decision: Decision {
                repo: "acme/shop".into(),
                pr,
                title: "t".into(),
                branch: None,
                base_sha: "base".into(),
                head_sha: head.into(),
                risk: Risk::Medium,
                findings_summary: Vec::new(),
                checklist: ChecklistState::default(),
                notes: Vec::new(),
                verdict,
                reviewer: "ana".into(),
                time: Timestamp::from_unix_secs(time),
                destination: Destination::LocalOnly,
                prev_hash: String::new(),
            },
        }
    }

    #[test]
    fn selects_newest_first_with_ties_in_reverse_log_order() {
        let records = [
            record(1, 1, Verdict::Approve, 10, "a"),
            record(2, 2, Verdict::Block, 30, "b"),
            record(3, 3, Verdict::Approve, 30, "c"),
            record(4, 4, Verdict::Approve, 20, "d"),
        ];
        let lines = |filter: &AuditFilter| -> Vec<usize> {
            select(&records, filter).iter().map(|r| r.line).collect()
        };
        assert_eq!(lines(&AuditFilter::default()), [3, 2, 4, 1]);
        let approvals = AuditFilter {
            verdict: Some(Verdict::Approve),
            since: Some(Timestamp::from_unix_secs(20)),
            ..AuditFilter::default()
        };
        assert_eq!(lines(&approvals), [3, 4]);
        let other_repo = AuditFilter {
            repo: Some("acme/other".into()),
            ..AuditFilter::default()
        };
        assert!(lines(&other_repo).is_empty());
    }

    #[test]
    fn approvals_go_stale_by_later_decision_or_moved_head() {
        let records = [
            record(1, 7, Verdict::Approve, 10, "a"),
            record(2, 7, Verdict::RequestChanges, 20, "b"),
            record(3, 8, Verdict::Approve, 30, "c"),
            record(4, 9, Verdict::Approve, 40, "d"),
        ];
        let selected: Vec<&Record> = records.iter().collect();
        let heads = BTreeMap::from([
            (("acme/shop".to_owned(), 8), "c2".to_owned()),
            (("acme/shop".to_owned(), 9), "d".to_owned()),
        ]);
        let stale = stale_approvals(&records, &selected, &heads);
        let summary: Vec<(usize, String)> = stale
            .iter()
            .map(|s| (s.line, s.reasons[0].to_string()))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    1,
                    "decided again at line 2 (request-changes at b)".to_owned()
                ),
                (3, "the head moved to c2".to_owned()),
            ]
        );
    }

    #[test]
    fn a_submission_s_own_records_and_unsent_verdicts_do_not_make_an_approval_stale() {
        let with = |line, verdict, destination| Record {
            decision: Decision {
                destination,
                ..record(line, 7, verdict, 10, "a").decision
            },
            ..record(line, 7, verdict, 10, "a")
        };
        let records = [
            with(1, Verdict::Approve, Destination::Outbox { id: "s1".into() }),
            with(2, Verdict::Block, Destination::Outbox { id: "s0".into() }),
            with(
                3,
                Verdict::Block,
                Destination::Superseded {
                    outbox: "s0".into(),
                    by: "s1".into(),
                },
            ),
            with(
                4,
                Verdict::Approve,
                Destination::GitHubReview {
                    id: 80,
                    url: "u".into(),
                    outbox: Some("s1".into()),
                },
            ),
        ];
        let approval: Vec<&Record> = vec![&records[0]];
        let stale = stale_approvals(&records, &approval, &BTreeMap::new());
        assert_eq!(stale.len(), 1, "the queued Block at line 2 still counts");
        assert_eq!(
            stale[0].reasons[0].to_string(),
            "decided again at line 2 (block at a)"
        );
        let delivered: Vec<&Record> = vec![&records[3]];
        assert!(stale_approvals(&records, &delivered, &BTreeMap::new()).is_empty());
        let only_own = [records[0].clone(), records[2].clone(), records[3].clone()];
        assert!(
            stale_approvals(&only_own, &[&only_own[0]], &BTreeMap::new()).is_empty(),
            "its own delivery and a superseded verdict are not later decisions"
        );
    }

    #[test]
    fn csv_quotes_commas_quotes_and_line_breaks() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\"\nbye"), "\"say \"\"hi\"\"\nbye\"");
        let mut r = record(1, 7, Verdict::Approve, 10, "a");
        r.decision
            .checklist
            .waive("backup", "bo", "empty table, \"really\"");
        let report = AuditReport::new(&[&r], Vec::new(), &[], None, None);
        let csv = render_csv(&report);
        assert!(
            csv.contains(",\"backup: empty table, \"\"really\"\" (bo)\","),
            "{csv}"
        );
        assert_eq!(csv.matches("\r\n").count(), 2);
    }

    #[test]
    fn text_shows_ticks_waivers_and_sanitizes() {
        let mut r = record(5, 7, Verdict::Block, 10, "a");
        r.decision.title = "evil \u{1b}[31mred".into();
        r.decision.checklist.tick("backup", "ana");
        r.decision.checklist.waive("lock", "bo", "tiny table");
        let report = AuditReport::new(&[&r], Vec::new(), &[], None, None);
        let text = render_text(&report);
        assert!(
            text.contains("acme/shop#7  BLOCK  risk MEDIUM  by ana  (line 5)"),
            "{text}"
        );
        assert!(text.contains("[x] backup: ticked by ana"), "{text}");
        assert!(
            text.contains("[~] lock: waived by bo: tiny table"),
            "{text}"
        );
        assert!(
            text.contains("evil red") && !text.contains('\u{1b}'),
            "{text}"
        );
    }
}
