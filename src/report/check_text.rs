//! The check report as text for a terminal: risk on top, findings grouped by file with line
//! numbers, cascade growth, the scratch run, and the checklist with its evidence.

use std::fmt::Write;

use super::cascade_text::render_cascade_change;
use super::sanitize::sanitize_line as clean;
use super::schema_text::render_diagnostics;
use super::style::{Painter, Role};
use crate::analysis::rules::{Finding, Risk};
use crate::check::{ChecklistEntry, PrReport, SetReport};
use crate::execution::{ExecutionReport, FileOutcome};
use crate::review::EvidenceStatus;

fn risk_role(risk: Risk) -> Role {
    match risk {
        Risk::Critical | Risk::High => Role::Removed,
        Risk::Medium => Role::Changed,
        Risk::Low => Role::Added,
    }
}

/// Renders the whole report.
pub fn render_check_text(report: &PrReport, painter: Painter) -> String {
    let mut out = String::new();
    let open = report.open_findings().count();
    let _ = writeln!(
        out,
        "{}  {} open finding(s), {} accepted   ({} -> {})",
        painter.paint(
            risk_role(report.risk),
            &format!("RISK: {}", report.risk.label())
        ),
        open,
        report.findings.len() - open,
        clean(&report.base),
        clean(&report.head)
    );
    for reason in &report.reasons {
        let _ = writeln!(out, "  because: {}", clean(reason));
    }
    let _ = writeln!(out, "  {}", report.gate.describe());
    if report.sets.is_empty() {
        out.push_str("\nno migration file changed\n");
    }
    render_findings(&mut out, &report.findings, painter);
    for set in &report.sets {
        render_set(&mut out, set, painter);
    }
    render_checklist(&mut out, report, painter);
    let diagnostics = render_diagnostics(&report.diagnostics, painter);
    if !diagnostics.is_empty() {
        out.push('\n');
        out.push_str(&diagnostics);
    }
    out
}

fn render_findings(out: &mut String, findings: &[Finding], painter: Painter) {
    let mut current_file: Option<&str> = None;
    for finding in findings {
        if current_file != Some(finding.file.as_str()) {
            let _ = writeln!(
                out,
                "\n{}",
                painter.paint(Role::Heading, &clean(&finding.file))
            );
            current_file = Some(&finding.file);
        }
        let _ = writeln!(
            out,
            "  {:>5}  {}  {}  {}",
            painter.paint(Role::Dim, &finding.line.to_string()),
            painter.paint(
                risk_role(finding.risk),
                &format!("{:<8}", finding.risk.label())
            ),
            finding.rule,
            clean(&finding.message)
        );
        if let Some(accepted) = &finding.suppressed {
            let _ = writeln!(
                out,
                "         accepted by {}: {}",
                clean(&accepted.by),
                clean(&accepted.reason)
            );
        }
    }
}

fn render_set(out: &mut String, set: &SetReport, painter: Painter) {
    for change in &set.cascade {
        out.push('\n');
        out.push_str(&render_cascade_change(change, painter));
    }
    if let Some(execution) = &set.execution {
        let _ = writeln!(out, "\n{}", execution_line(execution));
    }
    if let Some(sample) = &set.sample {
        let _ = writeln!(out, "\non the sample database:");
        for table in &sample.tables {
            if table.rows_lost() > 0 || table.values_lost() > 0 {
                let _ = writeln!(
                    out,
                    "  {}: {} row(s) lost, {} value(s) in dropped columns",
                    clean(&table.table),
                    table.rows_lost(),
                    table.values_lost()
                );
            }
        }
        if !sample.data_lost() {
            out.push_str("  no rows or values lost\n");
        }
    }
    if let Some(error) = &set.sample_error {
        let _ = writeln!(out, "\nsample database not used: {}", clean(error));
    }
    let diagnostics = render_diagnostics(&set.diagnostics, painter);
    if !diagnostics.is_empty() {
        out.push('\n');
        out.push_str(&diagnostics);
    }
}

/// One line saying how the scratch run went.
pub fn execution_line(execution: &ExecutionReport) -> String {
    if let Some(reason) = &execution.not_run {
        return format!("scratch SQLite run: not run ({})", clean(reason));
    }
    if let Some((_, failure)) = execution.failure() {
        return format!("scratch SQLite run: {}", clean(&failure.to_string()));
    }
    let ran = execution
        .files
        .iter()
        .filter(|f| matches!(f.outcome, FileOutcome::Ran { .. }))
        .count();
    format!("scratch SQLite run: base history + PR migrations ran ({ran} files)")
}

fn evidence_text(status: &EvidenceStatus) -> String {
    let label = match status {
        EvidenceStatus::Checked(_) => "checked",
        EvidenceStatus::Problem(_) => "PROBLEM",
        EvidenceStatus::Unknown(_) => "unknown",
    };
    format!("{label}: {}", clean(status.detail()))
}

fn render_checklist(out: &mut String, report: &PrReport, painter: Painter) {
    let required = report.checklist.iter().filter(|e| e.required).count();
    let _ = writeln!(
        out,
        "\n{}",
        painter.paint(
            Role::Heading,
            &format!(
                "Checklist: {required} of {} items required at {}",
                report.checklist.len(),
                report.risk
            )
        )
    );
    let mut list: Option<&str> = None;
    for entry in &report.checklist {
        if list != Some(entry.list.as_str()) {
            let _ = writeln!(out, "  {}", clean(&entry.list_title));
            list = Some(&entry.list);
        }
        out.push_str(&entry_line(entry, painter));
    }
}

fn entry_line(entry: &ChecklistEntry, painter: Painter) -> String {
    let marker = if entry.required { "[ ] *" } else { "[ ]  " };
    let mut line = format!("    {marker} {}", clean(&entry.text));
    if let Some(status) = &entry.evidence {
        let role = if status.is_problem() {
            Role::Removed
        } else {
            Role::Dim
        };
        let _ = write!(line, "  ({})", painter.paint(role, &evidence_text(status)));
    }
    line.push('\n');
    line
}
