//! The check report as GitHub-flavoured markdown: the PR comment and review body. A hidden
//! marker lets schemagate recognise its own comments; the body stays under GitHub's 65,536
//! character limit.

use std::fmt::Write;

use super::sanitize::sanitize_text;
use crate::analysis::cascade::indefinite_article;
use crate::analysis::rules::Finding;
use crate::check::{Excerpt, PrReport};
use crate::review::EvidenceStatus;

/// The hidden marker at the top of every body schemagate writes.
pub const MARKER: &str = "<!-- schemagate:report v1 -->";

/// Bodies are kept under this many characters (GitHub refuses more than 65,536).
pub const MAX_BODY_CHARS: usize = 65_000;

/// Text from a PR (names, messages) made safe for a markdown table cell or line: no control
/// characters, no HTML, no table breaks.
pub(crate) fn inline(text: &str) -> String {
    sanitize_text(text)
        .replace('\n', " ")
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
}

/// A code fence longer than any run of backticks in `text`.
fn fence_for(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// Renders the report; `notes` (reviewer notes, checklist ticks) are added by the caller.
pub fn render_markdown(report: &PrReport) -> String {
    let mut out = format!("{MARKER}\n");
    let open: Vec<&Finding> = report.open_findings().collect();
    let files: usize = report.sets.iter().map(|s| s.changed_files.len()).sum();
    if open.is_empty() {
        let _ = writeln!(
            out,
            "**schemagate: {} risk** — no open findings in {files} changed migration file(s).",
            report.risk
        );
        return out;
    }
    let _ = writeln!(
        out,
        "## schemagate: {} risk\n\n{} open finding(s) in {files} changed migration file(s). {}.\n",
        report.risk,
        open.len(),
        report.gate.describe()
    );
    render_findings_table(&mut out, &open);
    render_cascades(&mut out, report);
    render_checklist(&mut out, report);
    render_excerpts(&mut out, report, &open);
    truncate(out)
}

fn render_findings_table(out: &mut String, open: &[&Finding]) {
    out.push_str("| Risk | Rule | Where | What |\n|---|---|---|---|\n");
    for finding in open {
        let _ = writeln!(
            out,
            "| {} | `{}` | `{}:{}` | {} |",
            finding.risk,
            finding.rule,
            inline(&finding.file).replace('`', "'"),
            finding.line,
            inline(&finding.message)
        );
    }
}

fn render_cascades(out: &mut String, report: &PrReport) {
    let changes: Vec<_> = report.sets.iter().flat_map(|s| &s.cascade).collect();
    if changes.is_empty() {
        return;
    }
    out.push_str("\n### Cascade paths added or widened\n\n");
    for change in changes {
        if !change.newly_reached.is_empty() {
            let _ = writeln!(
                out,
                "- Deleting {} **{}** row now also deletes every row it owns in: {}",
                indefinite_article(&change.root),
                inline(&change.root),
                inline(&change.newly_reached.join(", "))
            );
        }
        if !change.newly_nulled.is_empty() {
            let _ = writeln!(
                out,
                "- Deleting {} **{}** row now also changes rows in: {}",
                indefinite_article(&change.root),
                inline(&change.root),
                inline(&change.newly_nulled.join(", "))
            );
        }
    }
}

fn render_checklist(out: &mut String, report: &PrReport) {
    let _ = writeln!(out, "\n### Checklist (required at {})\n", report.risk);
    for entry in report.checklist.iter().filter(|e| e.required) {
        let _ = write!(out, "- [ ] {}", inline(&entry.text));
        if let Some(status) = &entry.evidence {
            let label = match status {
                EvidenceStatus::Checked(_) => "checked",
                EvidenceStatus::Problem(_) => "**problem**",
                EvidenceStatus::Unknown(_) => "unknown",
            };
            let _ = write!(out, " — _{label}: {}_", inline(status.detail()));
        }
        out.push('\n');
    }
}

fn render_excerpts(out: &mut String, report: &PrReport, open: &[&Finding]) {
    let mut shown: Vec<(&str, usize)> = Vec::new();
    for finding in open {
        if shown.contains(&(finding.file.as_str(), finding.line)) {
            continue;
        }
        let Some(excerpt) = report.excerpt(&finding.file, finding.line) else {
            continue;
        };
        let block = excerpt_block(excerpt);
        if out.len() + block.len() > MAX_BODY_CHARS - 2_000 {
            out.push_str("\n_More SQL excerpts omitted to keep this comment short._\n");
            return;
        }
        out.push_str(&block);
        shown.push((&finding.file, finding.line));
    }
}

fn excerpt_block(excerpt: &Excerpt) -> String {
    let code: String = excerpt
        .lines
        .iter()
        .map(|(number, text)| format!("{number:>4} {}\n", sanitize_text(text)))
        .collect();
    let fence = fence_for(&code);
    format!(
        "\n<details><summary><code>{}:{}</code></summary>\n\n{fence}sql\n{code}{fence}\n\n</details>\n",
        inline(&excerpt.file),
        excerpt.line
    )
}

/// Cuts the body at a line boundary below the limit, saying so.
fn truncate(out: String) -> String {
    if out.len() <= MAX_BODY_CHARS {
        return out;
    }
    let mut cut = MAX_BODY_CHARS - 200;
    while !out.is_char_boundary(cut) {
        cut -= 1;
    }
    let end = out[..cut].rfind('\n').unwrap_or(cut);
    format!(
        "{}\n\n_Report truncated to stay under GitHub's comment limit; run `schemagate check` for all of it._\n",
        &out[..end]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_text_cannot_break_tables_or_inject_html() {
        assert_eq!(inline("a|b <script>\u{1b}[31m"), "a\\|b &lt;script&gt;");
    }

    #[test]
    fn fences_outgrow_backticks_in_the_code() {
        assert_eq!(fence_for("select 1"), "```");
        assert_eq!(fence_for("x ```` y"), "`````");
    }

    #[test]
    fn long_bodies_are_cut_below_the_limit() {
        let body = "line\n".repeat(20_000);
        let cut = truncate(body);
        assert!(cut.len() <= MAX_BODY_CHARS);
        assert!(cut.ends_with("all of it._\n"));
    }
}
