//! The PR report: everything a reviewer (or CI) needs about one change, built from the
//! analysis, the rules, the checklists and, for SQLite, a real run of the migrations. The
//! headless `check` command and the console render this same report, so they never disagree.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::analysis::cascade::CascadeChange;
use crate::analysis::detect::{DialectSource, Framework};
use crate::analysis::diagnostic::Diagnostic;
use crate::analysis::dialect::Dialect;
use crate::analysis::diff::SchemaDiff;
use crate::analysis::pipeline::{ChangeAnalysis, SetChange};
use crate::analysis::rules::{Finding, Risk, evaluate, pr_risk};
use crate::execution::sqlite::{run_history, run_on_sample};
use crate::execution::{ExecutionReport, SampleReport};
use crate::review::{
    Checklists, Evidence, EvidenceKey, EvidenceStatus, Gate, gather, required_items,
};

/// What the report needs besides the change itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReportInputs<'a> {
    /// The PR description (for the "rollback section" evidence).
    pub pr_body: Option<&'a str>,
    /// A copy of real data to run the PR's migrations on (SQLite).
    pub sample_db: Option<&'a Path>,
    /// Whether to run SQLite histories on a scratch database (execution evidence).
    pub execute: bool,
}

/// Which migration set a part of the report is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SetInfo {
    /// Directory of the migrations.
    pub root: String,
    /// Framework.
    pub framework: Framework,
    /// Dialect.
    pub dialect: Dialect,
    /// How the dialect was chosen.
    pub dialect_source: DialectSource,
    /// Number of migrations at head.
    pub migrations: usize,
}

/// The report of one migration set the PR changes.
#[derive(Clone, Debug, Serialize)]
pub struct SetReport {
    /// The set.
    pub set: SetInfo,
    /// Risk of this set's findings.
    pub risk: Risk,
    /// Migration files added or modified.
    pub changed_files: Vec<String>,
    /// Migration files removed.
    pub removed_files: Vec<String>,
    /// Base schema vs head schema.
    pub schema_diff: SchemaDiff,
    /// Roots whose cascade grew.
    pub cascade: Vec<CascadeChange>,
    /// The run of base history + PR migrations on a scratch SQLite, when it was run.
    pub execution: Option<ExecutionReport>,
    /// The run on a copy of the sample database, when one was given.
    pub sample: Option<SampleReport>,
    /// Why the sample run could not happen, when it could not.
    pub sample_error: Option<String>,
    /// Problems the analysis met, with file:line.
    pub diagnostics: Vec<Diagnostic>,
}

/// One checklist item as the report shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChecklistEntry {
    /// Id of its checklist.
    pub list: String,
    /// Title of its checklist.
    pub list_title: String,
    /// Item id.
    pub id: String,
    /// What the reviewer confirms.
    pub text: String,
    /// Whether the item is required at this PR's risk.
    pub required: bool,
    /// What the analysis found for it, if it gives evidence.
    pub evidence: Option<EvidenceStatus>,
}

/// The whole report.
#[derive(Clone, Debug, Serialize)]
pub struct PrReport {
    /// The base revision, as described to people.
    pub base: String,
    /// The head revision (or working tree), as described to people.
    pub head: String,
    /// The PR's risk: the highest risk of its open findings (LOW when there are none).
    pub risk: Risk,
    /// Why: the open findings at that risk, as `RULE at file:line`.
    pub reasons: Vec<String>,
    /// Every finding of every changed set, suppressed ones included, by file and line.
    pub findings: Vec<Finding>,
    /// One entry per migration set the PR changes.
    pub sets: Vec<SetReport>,
    /// The checklists with what is required at this risk and the evidence beside each item.
    pub checklist: Vec<ChecklistEntry>,
    /// What an approval needs at this risk (the gate policy's answer).
    pub gate: Gate,
    /// The automatic evidence for every key, the changed sets combined: what the gates read.
    #[serde(skip)]
    pub evidence: Evidence,
    /// Tree-level problems (layout, files that could not be read).
    pub diagnostics: Vec<Diagnostic>,
    /// The SQL around each finding, for the PR comment.
    #[serde(skip)]
    pub excerpts: Vec<Excerpt>,
}

/// A few lines of a migration file around a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Excerpt {
    /// The file.
    pub file: String,
    /// The finding's line.
    pub line: usize,
    /// (line number, text) of the lines shown.
    pub lines: Vec<(usize, String)>,
}

/// Lines shown before and after a finding's line.
const EXCERPT_CONTEXT: usize = 3;
/// The longest excerpt line kept, in bytes: a finding's context is for reading, and a
/// migration written on one line (generated dumps) would otherwise copy the whole file into
/// every finding's excerpt.
const EXCERPT_LINE_BYTES: usize = 400;

impl PrReport {
    /// The excerpt for a finding at `file:line`, if any.
    pub fn excerpt(&self, file: &str, line: usize) -> Option<&Excerpt> {
        self.excerpts
            .iter()
            .find(|e| e.file == file && e.line == line)
    }

    /// Open (not suppressed) findings.
    pub fn open_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.suppressed.is_none())
    }

    /// The evidence beside each checklist item, as text (`ok: ...`, `problem: ...`,
    /// `unknown: ...`), by item id: what a draft remembers so that, when the PR's head moves,
    /// the items whose evidence changed are marked for a second look.
    pub fn evidence_texts(&self) -> BTreeMap<String, String> {
        self.checklist
            .iter()
            .filter_map(|item| {
                let evidence = item.evidence.as_ref()?;
                let kind = match evidence {
                    EvidenceStatus::Checked(_) => "ok",
                    EvidenceStatus::Problem(_) => "problem",
                    EvidenceStatus::Unknown(_) => "unknown",
                };
                Some((item.id.clone(), format!("{kind}: {}", evidence.detail())))
            })
            .collect()
    }
}

/// Builds the report of `change`.
pub fn build_report(
    change: &ChangeAnalysis,
    checklists: &Checklists,
    inputs: ReportInputs<'_>,
    base: String,
    head: String,
) -> PrReport {
    let touched: Vec<&SetChange> = change
        .sets
        .iter()
        .filter(|s| !s.changed_files.is_empty() || !s.removed_files.is_empty())
        .collect();
    let mut findings = Vec::new();
    let mut sets = Vec::new();
    let mut evidence = Vec::new();
    let mut excerpts = Vec::new();
    for set_change in touched {
        let set_findings = evaluate(set_change);
        excerpts.extend(set_findings.iter().filter_map(|f| excerpt(set_change, f)));
        let report = set_report(set_change, &set_findings, inputs);
        evidence.push((
            report.set.root.clone(),
            gather(
                set_change,
                &set_findings,
                inputs.pr_body,
                report.execution.as_ref(),
            ),
        ));
        findings.extend(set_findings);
        sets.push(report);
    }
    findings.sort_by(|a, b| (&a.file, a.line, a.rule).cmp(&(&b.file, b.line, b.rule)));
    let risk = pr_risk(&findings).unwrap_or(Risk::Low);
    let reasons = findings
        .iter()
        .filter(|f| f.suppressed.is_none() && f.risk == risk)
        .map(|f| format!("{} at {}:{}", f.rule, f.file, f.line))
        .collect();
    let evidence = combined_evidence(&evidence);
    let checklist = checklist_entries(checklists, risk, &evidence);
    let gate = Gate::of(risk, checklists, &findings);
    PrReport {
        base,
        head,
        risk,
        reasons,
        checklist,
        gate,
        evidence,
        findings,
        sets,
        diagnostics: change.diagnostics.clone(),
        excerpts,
    }
}

/// The lines of the finding's migration around its line (none for whole-file findings).
fn excerpt(change: &SetChange, finding: &Finding) -> Option<Excerpt> {
    if finding.line == 0 {
        return None;
    }
    let migration = change
        .head
        .migrations
        .iter()
        .find(|m| m.migration.path == finding.file)?;
    let first = finding.line.saturating_sub(EXCERPT_CONTEXT).max(1);
    let lines: Vec<(usize, String)> = migration
        .up_sql
        .lines()
        .enumerate()
        .skip(first - 1)
        .take(2 * EXCERPT_CONTEXT + 1)
        .map(|(i, text)| (i + 1, excerpt_line(text)))
        .collect();
    (!lines.is_empty()).then(|| Excerpt {
        file: finding.file.clone(),
        line: finding.line,
        lines,
    })
}

/// `text` shortened to [`EXCERPT_LINE_BYTES`] (at a character boundary), saying how much was
/// left out.
fn excerpt_line(text: &str) -> String {
    if text.len() <= EXCERPT_LINE_BYTES {
        return text.to_owned();
    }
    let end = text.floor_char_boundary(EXCERPT_LINE_BYTES);
    format!("{} … ({} more bytes)", &text[..end], text.len() - end)
}

fn set_report(change: &SetChange, findings: &[Finding], inputs: ReportInputs<'_>) -> SetReport {
    let head = &change.head;
    let sqlite = head.set.dialect == Dialect::Sqlite;
    let execution = (inputs.execute && sqlite)
        .then(|| run_history(change.base.as_ref(), head, &change.changed_files));
    let (sample, sample_error) = match inputs.sample_db {
        Some(_) if !sqlite => (
            None,
            Some(format!(
                "--sample-db is a SQLite database and this migration set is {}: not run",
                head.set.dialect
            )),
        ),
        Some(path) => match run_on_sample(path, head, &change.changed_files) {
            Ok(report) => (Some(report), None),
            Err(error) => (None, Some(error.to_string())),
        },
        None => (None, None),
    };
    SetReport {
        set: SetInfo {
            root: head.set.root.clone(),
            framework: head.set.framework,
            dialect: head.set.dialect,
            dialect_source: head.set.dialect_source.clone(),
            migrations: head.set.migrations.len(),
        },
        risk: pr_risk(findings).unwrap_or(Risk::Low),
        changed_files: change.changed_files.clone(),
        removed_files: change.removed_files.clone(),
        schema_diff: change.schema_diff.clone(),
        cascade: change.cascade_changes.clone(),
        execution,
        sample,
        sample_error,
        diagnostics: head.diagnostics.clone(),
    }
}

/// Every item of every list, marked required at `risk`, with its evidence.
fn checklist_entries(
    checklists: &Checklists,
    risk: Risk,
    evidence: &Evidence,
) -> Vec<ChecklistEntry> {
    let required: Vec<&str> = required_items(checklists, risk)
        .into_iter()
        .map(|item| item.id.as_str())
        .collect();
    checklists
        .lists
        .iter()
        .flat_map(|list| {
            list.items.iter().map(|item| ChecklistEntry {
                list: list.id.clone(),
                list_title: list.title.clone(),
                id: item.id.clone(),
                text: item.text.clone(),
                required: required.contains(&item.id.as_str()),
                evidence: item.evidence.and_then(|key| evidence.get(key)).cloned(),
            })
        })
        .collect()
}

/// The evidence of every changed set (by root) as one: for each key, a problem in any set is a
/// problem; with several sets, each detail names its set.
fn combined_evidence(evidence: &[(String, Evidence)]) -> Evidence {
    let statuses = EvidenceKey::ALL
        .into_iter()
        .filter_map(|key| Some((key, combined_status(evidence, key)?)))
        .collect();
    Evidence { statuses }
}

fn combined_status(evidence: &[(String, Evidence)], key: EvidenceKey) -> Option<EvidenceStatus> {
    let statuses: BTreeMap<&str, EvidenceStatus> = evidence
        .iter()
        .filter_map(|(root, e)| Some((root.as_str(), e.get(key)?.clone())))
        .collect();
    if statuses.len() <= 1 {
        return statuses.into_values().next();
    }
    let detail = statuses
        .iter()
        .map(|(root, status)| format!("{root}: {}", status.detail()))
        .collect::<Vec<_>>()
        .join("; ");
    let worst = |s: &EvidenceStatus| match s {
        EvidenceStatus::Problem(_) => 2,
        EvidenceStatus::Unknown(_) => 1,
        EvidenceStatus::Checked(_) => 0,
    };
    Some(match statuses.values().map(worst).max() {
        Some(2) => EvidenceStatus::Problem(detail),
        Some(1) => EvidenceStatus::Unknown(detail),
        _ => EvidenceStatus::Checked(detail),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(status: EvidenceStatus) -> Evidence {
        let mut evidence = Evidence::default();
        evidence
            .statuses
            .insert(crate::review::EvidenceKey::NoColumnDropped, status);
        evidence
    }

    #[test]
    fn one_set_keeps_its_evidence_and_a_problem_anywhere_wins() {
        let key = crate::review::EvidenceKey::NoColumnDropped;
        let one = [(
            "a".to_owned(),
            evidence(EvidenceStatus::Checked("fine".into())),
        )];
        assert_eq!(
            combined_status(&one, key),
            Some(EvidenceStatus::Checked("fine".into()))
        );
        let two = [
            (
                "a".to_owned(),
                evidence(EvidenceStatus::Checked("fine".into())),
            ),
            (
                "b".to_owned(),
                evidence(EvidenceStatus::Problem("drops x".into())),
            ),
        ];
        assert_eq!(
            combined_status(&two, key),
            Some(EvidenceStatus::Problem("a: fine; b: drops x".into()))
        );
        assert_eq!(combined_status(&[], key), None);
    }
}
