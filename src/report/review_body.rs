//! The exact body of a submitted review: the reviewer's summary, the verdict, the check report
//! ([`render_markdown`]), the checklist as ticked and waived, the reviewer's notes, and the
//! findings that could not go inline, under a hidden marker naming the submission so that a
//! retry can find the review it already posted.
//!
//! The console's preview and what is posted are this one function's output.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::markdown::{MAX_BODY_CHARS, inline, render_markdown};
use super::sanitize::sanitize_text;
use crate::analysis::rules::{Finding, rule};
use crate::check::PrReport;
use crate::review::{ChecklistState, ItemState, Note, Verdict};

/// The reviewer's summary is cut to this many characters.
const MAX_SUMMARY_CHARS: usize = 8_000;

/// The sections after the report are cut to this many characters, leaving the rest to it.
const MAX_TAIL_CHARS: usize = 24_000;

/// Everything the body is made of.
#[derive(Clone, Copy, Debug)]
pub struct BodyParts<'a> {
    /// The check report.
    pub report: &'a PrReport,
    /// The verdict.
    pub verdict: Verdict,
    /// The checklist as ticked and waived.
    pub state: &'a ChecklistState,
    /// Who decides.
    pub reviewer: &'a str,
    /// The reviewer's summary (`--body-file`), placed at the top.
    pub summary: Option<&'a str>,
    /// Open findings not commented inline (their line is not in the diff).
    pub findings_in_body: &'a [&'a Finding],
    /// Notes not commented inline.
    pub notes_in_body: &'a [&'a Note],
    /// How many inline comments go with the body.
    pub inline_comments: usize,
    /// The submission's marker ([`SubmissionMarker::render`]).
    pub marker: &'a str,
}

/// How a verdict is named in the body and in messages.
pub fn verdict_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Approve => "Approve",
        Verdict::RequestChanges => "Request changes",
        Verdict::Block => "Block",
    }
}

/// The verdict as a marker token.
fn verdict_token(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Approve => "approve",
        Verdict::RequestChanges => "request_changes",
        Verdict::Block => "block",
    }
}

/// A finding as a comment: risk and rule, the message, and the safe alternative when the
/// catalog has one.
pub fn finding_comment(finding: &Finding) -> String {
    let mut body = format!(
        "**{}** `{}`: {}",
        finding.risk,
        finding.rule,
        inline(&finding.message)
    );
    if let Some(hint) = rule(finding.rule).map(|r| r.safe_alternative)
        && !hint.is_empty()
    {
        body.push_str("\n\n_Safer:_ ");
        body.push_str(hint);
    }
    body
}

/// The hidden first line of every review schemagate posts: it names the submission (so a retry
/// finds the review it already posted), the verdict, the analysed head, and the head of the
/// decision log's hash chain after the record logged for it (so `audit` against GitHub can prove
/// that the local record of a sent verdict was not removed or rewritten).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmissionMarker {
    /// The submission id (it carries a random nonce).
    pub id: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The analysed head commit.
    pub head_sha: String,
    /// The decision log's chain head after this submission's record (hex SHA-256 of that
    /// line), when the log took it before the review was posted.
    pub chain: Option<String>,
}

/// What opens a submission marker.
const SUBMISSION_MARKER_OPEN: &str = "<!-- schemagate:submission ";

impl SubmissionMarker {
    /// The marker as the body's first line.
    pub fn render(&self) -> String {
        let mut line = format!(
            "{SUBMISSION_MARKER_OPEN}{} verdict={} head={}",
            self.id,
            verdict_token(self.verdict),
            self.head_sha
        );
        if let Some(chain) = &self.chain {
            let _ = write!(line, " chain={chain}");
        }
        line.push_str(" -->");
        line
    }

    /// The marker as the console's preview shows it: verdict and head, with the random id and
    /// the chain head (known only once the verdict is logged) named, not shown.
    pub fn render_preview(&self) -> String {
        format!(
            "{SUBMISSION_MARKER_OPEN}(id and decision log chain head set when sent) verdict={} \
             head={} -->",
            verdict_token(self.verdict),
            self.head_sha
        )
    }

    /// The marker at the start of a review body, if there is one (anything after the first
    /// line is ignored: only the first line is schemagate's).
    pub fn parse(body: &str) -> Option<SubmissionMarker> {
        let first = body.lines().next()?.trim_end();
        let fields = first
            .strip_prefix(SUBMISSION_MARKER_OPEN)?
            .strip_suffix(" -->")?;
        let mut words = fields.split(' ');
        let id = words.next().filter(|id| !id.is_empty())?.to_owned();
        let (mut verdict, mut head_sha, mut chain) = (None, None, None);
        for word in words {
            let (key, value) = word.split_once('=')?;
            match key {
                "verdict" => verdict = Some(verdict_from_token(value)?),
                "head" => head_sha = Some(value.to_owned()),
                "chain" => chain = Some(value.to_owned()),
                _ => return None,
            }
        }
        Some(SubmissionMarker {
            id,
            verdict: verdict?,
            head_sha: head_sha?,
            chain,
        })
    }
}

/// The verdict a marker token names.
fn verdict_from_token(token: &str) -> Option<Verdict> {
    [Verdict::Approve, Verdict::RequestChanges, Verdict::Block]
        .into_iter()
        .find(|&verdict| verdict_token(verdict) == token)
}

/// The review body, under [`MAX_BODY_CHARS`].
pub fn render_review_body(parts: &BodyParts<'_>) -> String {
    let mut head = format!("{}\n", parts.marker);
    if let Some(summary) = parts.summary.map(str::trim).filter(|s| !s.is_empty()) {
        let summary = cut(&sanitize_text(summary), MAX_SUMMARY_CHARS, "summary");
        let _ = writeln!(head, "{summary}\n");
    }
    let _ = writeln!(
        head,
        "**Data review: {}** by {} at `{}`\n",
        verdict_label(parts.verdict),
        inline(parts.reviewer),
        inline(&parts.report.head)
    );
    let (report, marked) = report_with_ticks(parts);
    let tail = cut(
        &render_tail(parts, &marked),
        MAX_TAIL_CHARS,
        "reviewer sections",
    );
    let budget = MAX_BODY_CHARS.saturating_sub(head.len() + tail.len());
    let report = cut(&report, budget, "report");
    format!("{head}{report}{tail}")
}

/// The check report with the reviewer's ticks and waivers written into its checklist (the
/// required items it lists), and the ids of the items marked there.
fn report_with_ticks<'a>(parts: &BodyParts<'a>) -> (String, BTreeSet<&'a str>) {
    let markdown = render_markdown(parts.report);
    let mut marked = BTreeSet::new();
    let mut out = String::with_capacity(markdown.len() + 1_024);
    let mut in_checklist = false;
    for line in markdown.split_inclusive('\n') {
        if line.starts_with("### ") {
            in_checklist = line.starts_with("### Checklist");
        }
        let listed = line.strip_prefix("- [ ] ").filter(|_| in_checklist);
        let entry = listed.and_then(|rest| {
            parts.report.checklist.iter().find(|entry| {
                entry.required && !marked.contains(entry.id.as_str()) && lists(rest, &entry.text)
            })
        });
        match (listed, entry) {
            (Some(rest), Some(entry)) => {
                marked.insert(entry.id.as_str());
                let state = parts.state.get(&entry.id);
                let tick = if state.is_resolved() { 'x' } else { ' ' };
                let _ = writeln!(
                    out,
                    "- [{tick}] {}{}",
                    rest.trim_end_matches('\n'),
                    state_suffix(state)
                );
            }
            _ => out.push_str(line),
        }
    }
    (out, marked)
}

/// Whether a checklist line's text (after the box) is the item `text`, with or without its
/// evidence after a dash.
fn lists(rest: &str, text: &str) -> bool {
    let text = inline(text);
    let rest = rest.trim_end_matches('\n');
    rest.strip_prefix(&text)
        .is_some_and(|after| after.is_empty() || after.starts_with(" — "))
}

/// ` — ticked by ana`, ` — **waived** by bo: reason`, or nothing for an open item.
fn state_suffix(state: &ItemState) -> String {
    match state {
        ItemState::Open => String::new(),
        ItemState::Ticked { by } => format!(" — ticked by {}", inline(by)),
        ItemState::Waived { by, reason } => {
            format!(" — **waived** by {}: {}", inline(by), inline(reason))
        }
    }
}

/// The sections after the report.
fn render_tail(parts: &BodyParts<'_>, marked: &BTreeSet<&str>) -> String {
    let mut out = String::new();
    render_checklist_state(&mut out, parts, marked);
    if !parts.notes_in_body.is_empty() {
        out.push_str("\n### Reviewer notes\n\n");
        for note in parts.notes_in_body {
            let place = match (&note.file, note.line) {
                (Some(file), Some(line)) => format!("`{}:{line}` ", inline(file).replace('`', "'")),
                (Some(file), None) => format!("`{}` ", inline(file).replace('`', "'")),
                _ => String::new(),
            };
            let _ = writeln!(out, "- {place}{}", inline(&note.text));
        }
    }
    if !parts.findings_in_body.is_empty() {
        out.push_str("\n### Findings not on a line of this diff\n\n");
        for finding in parts.findings_in_body {
            let _ = writeln!(
                out,
                "- `{}:{}` {}",
                inline(&finding.file).replace('`', "'"),
                finding.line,
                finding_comment(finding).replace("\n\n", " ")
            );
        }
    }
    if parts.inline_comments > 0 {
        let _ = writeln!(
            out,
            "\n_{} inline comment(s) on the diff._",
            parts.inline_comments
        );
    }
    out
}

/// The required items and every item the reviewer touched, with ticks and waivers, except
/// those `marked` in the report's checklist already.
fn render_checklist_state(out: &mut String, parts: &BodyParts<'_>, marked: &BTreeSet<&str>) {
    let entries: Vec<_> = parts
        .report
        .checklist
        .iter()
        .filter(|entry| !marked.contains(entry.id.as_str()))
        .filter(|entry| entry.required || parts.state.items.contains_key(&entry.id))
        .collect();
    if entries.is_empty() {
        return;
    }
    let title = if marked.is_empty() {
        "Checklist as reviewed"
    } else {
        "Other checklist items"
    };
    let _ = writeln!(out, "\n### {title}\n");
    for entry in entries {
        let state = parts.state.get(&entry.id);
        let tick = if state.is_resolved() { 'x' } else { ' ' };
        let required = if entry.required { " _(required)_" } else { "" };
        let _ = writeln!(
            out,
            "- [{tick}] {}{required}{}",
            inline(&entry.text),
            state_suffix(state)
        );
    }
}

/// `text` cut at a line boundary to at most `limit` bytes, saying what was shortened.
fn cut(text: &str, limit: usize, what: &str) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let note = format!("\n_The {what} was shortened to stay under GitHub's limit._\n");
    let mut end = limit.saturating_sub(note.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let end = text[..end].rfind('\n').unwrap_or(end);
    format!("{}{note}", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_names_submission_verdict_head_and_chain() {
        let mut marker = SubmissionMarker {
            id: "abc".into(),
            verdict: Verdict::RequestChanges,
            head_sha: "f00".into(),
            chain: None,
        };
        assert_eq!(
            marker.render(),
            "<!-- schemagate:submission abc verdict=request_changes head=f00 -->"
        );
        assert_eq!(
            SubmissionMarker::parse(&marker.render()),
            Some(marker.clone())
        );
        marker.chain = Some("ab12".into());
        let body = format!("{}\nrest of the body", marker.render());
        assert!(body.starts_with(
            "<!-- schemagate:submission abc verdict=request_changes head=f00 chain=ab12 -->\n"
        ));
        assert_eq!(SubmissionMarker::parse(&body), Some(marker));
    }

    #[test]
    fn only_a_first_line_marker_of_the_right_shape_is_one() {
        for body in [
            "text\n<!-- schemagate:submission abc verdict=block head=f00 -->",
            "<!-- schemagate:submission abc verdict=maybe head=f00 -->",
            "<!-- schemagate:submission abc head=f00 -->",
            "<!-- schemagate:submission abc verdict=block head=f00 extra=1 -->",
            "<!-- schemagate:submission  verdict=block head=f00 -->",
        ] {
            assert_eq!(SubmissionMarker::parse(body), None, "{body}");
        }
    }

    #[test]
    fn a_checklist_line_is_its_item_with_or_without_evidence() {
        assert!(!lists("Keep <b>\n", "Keep <b>"));
        assert!(lists("Keep &lt;b&gt;\n", "Keep <b>"));
        assert!(lists("Keep it — _checked: fine_\n", "Keep it"));
        assert!(!lists("Keep it tidy\n", "Keep it"));
    }

    #[test]
    fn cutting_keeps_whole_lines_and_says_so() {
        let text = "0123456789\n".repeat(100);
        let cut_text = cut(&text, 300, "report");
        assert!(cut_text.len() <= 300, "{}", cut_text.len());
        assert!(cut_text.ends_with("limit._\n"));
        assert!(cut_text.starts_with("0123456789\n0123456789\n"));
        assert_eq!(cut("short", 300, "report"), "short");
    }
}
