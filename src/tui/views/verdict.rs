//! The verdict dialog: choose Approve, Request changes or Block, see the gates' answer,
//! confirm, and the decision goes to the local decision log (demo verdicts never reach GitHub).

use std::path::PathBuf;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::centered;
use super::review::ReviewState;
use crate::check::PrReport;
use crate::review::{Decision, DecisionLog, Destination, FindingSummary, Verdict, check_verdict};
use crate::tui::app::Context;
use crate::tui::entry::PrEntry;
use crate::tui::keys::Action;
use crate::tui::strings;
use crate::tui::theme::Theme;

/// Width of the dialog (narrower on a narrow terminal).
const DIALOG_WIDTH: u16 = 76;

/// Refusal reasons listed before "and N more".
const SHOWN_REFUSALS: usize = 6;

/// The verdicts in dialog order.
const VERDICTS: [Verdict; 3] = [Verdict::Approve, Verdict::RequestChanges, Verdict::Block];

/// Where the dialog is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Choosing a verdict.
    Choosing,
    /// The gates refused the chosen verdict, for these reasons.
    Refused(Vec<String>),
    /// The gates allow it; waiting for `y`.
    Confirm,
    /// Recorded in the decision log at this path.
    Recorded(PathBuf),
    /// Recording failed.
    Failed(String),
}

/// What the app does with the dialog after an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerdictOutcome {
    /// Keep it open.
    Stay,
    /// Close it.
    Close,
}

/// The dialog's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerdictState {
    /// Index of the chosen verdict in [`VERDICTS`].
    choice: usize,
    /// Where the dialog is.
    pub stage: Stage,
    /// Whether Block is suggested (an open CRITICAL finding).
    pub suggest_block: bool,
}

impl VerdictState {
    /// The dialog for `report`, with Block preselected when it is suggested.
    pub fn new(report: &PrReport) -> VerdictState {
        let suggest_block = report.gate.suggest_block;
        VerdictState {
            choice: if suggest_block { 2 } else { 0 },
            stage: Stage::Choosing,
            suggest_block,
        }
    }

    /// The chosen verdict.
    pub fn choice(&self) -> Verdict {
        VERDICTS
            .get(self.choice)
            .copied()
            .unwrap_or(Verdict::RequestChanges)
    }

    /// Handles an action; `review` is the open PR's review (its draft is recorded).
    pub fn act(
        &mut self,
        action: Action,
        review: &mut ReviewState,
        context: &Context,
        entries: &[PrEntry],
    ) -> VerdictOutcome {
        match (&self.stage, action) {
            (_, Action::Back | Action::Quit) => return VerdictOutcome::Close,
            (Stage::Recorded(_) | Stage::Failed(_), Action::Enter) => return VerdictOutcome::Close,
            (Stage::Choosing, Action::Down) => {
                self.choice = (self.choice + 1).min(VERDICTS.len() - 1)
            }
            (Stage::Choosing, Action::Up) => self.choice = self.choice.saturating_sub(1),
            (Stage::Choosing, Action::Enter) => self.stage = self.gate(review, context, entries),
            (Stage::Refused(_), Action::Enter) => self.stage = Stage::Choosing,
            (Stage::Confirm, Action::Yes) => self.stage = self.record(review, context, entries),
            _ => {}
        }
        VerdictOutcome::Stay
    }

    /// What the gates say about the chosen verdict.
    fn gate(&self, review: &ReviewState, context: &Context, entries: &[PrEntry]) -> Stage {
        let Some(entry) = entries.get(review.entry) else {
            return Stage::Failed("the PR is gone".to_owned());
        };
        let decision = check_verdict(
            self.choice(),
            entry.report.risk,
            &context.checklists,
            &review.draft.state,
            &entry.report.findings,
            &entry.evidence,
            0,
        );
        if decision.allowed() {
            Stage::Confirm
        } else {
            Stage::Refused(decision.refusals.iter().map(ToString::to_string).collect())
        }
    }

    /// Appends the decision to the local log and keeps the verdict in the draft.
    fn record(&self, review: &mut ReviewState, context: &Context, entries: &[PrEntry]) -> Stage {
        let Some(entry) = entries.get(review.entry) else {
            return Stage::Failed("the PR is gone".to_owned());
        };
        review.draft.verdict = Some(self.choice());
        review.save(context);
        let decision = decision(entry, review, self.choice(), context);
        let log = DecisionLog::in_dir(&context.data_dir);
        match log.append(&decision) {
            Ok(_) => Stage::Recorded(log.path().to_path_buf()),
            Err(error) => Stage::Failed(error.to_string()),
        }
    }
}

/// The decision record of `verdict` on `entry` with the review's checklist.
fn decision(
    entry: &PrEntry,
    review: &ReviewState,
    verdict: Verdict,
    context: &Context,
) -> Decision {
    let meta = &entry.meta;
    Decision {
        repo: meta.repo.clone(),
        pr: meta.number,
        title: meta.title.clone(),
        branch: Some(meta.branch.clone()),
        base_sha: meta.base_sha.clone(),
        head_sha: meta.head_sha.clone(),
        risk: entry.report.risk,
        findings_summary: entry
            .report
            .findings
            .iter()
            .map(FindingSummary::from)
            .collect(),
        checklist: review.draft.state.clone(),
        notes: review.draft.notes.clone(),
        verdict,
        reviewer: context.reviewer.clone(),
        time: context.clock.now(),
        destination: Destination::LocalOnly,
        prev_hash: String::new(),
    }
}

/// Draws the dialog over `area`.
pub fn draw(frame: &mut Frame, area: Rect, state: &VerdictState, entry: &PrEntry, theme: &Theme) {
    let mut lines: Vec<Line> = VERDICTS
        .iter()
        .zip(strings::VERDICT_CHOICES)
        .enumerate()
        .map(|(i, (_, label))| {
            if i == state.choice {
                Line::styled(format!("> {label}"), theme.selected)
            } else {
                Line::styled(format!("  {label}"), theme.text)
            }
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(entry.report.gate.describe(), theme.dim));
    if state.suggest_block {
        lines.push(Line::styled(
            strings::BLOCK_SUGGESTED,
            theme.risk(entry.report.risk),
        ));
    }
    lines.push(Line::raw(""));
    lines.extend(stage_lines(&state.stage, theme));
    let width = DIALOG_WIDTH.min(area.width);
    let inner_width = usize::from(width.saturating_sub(2)).max(1);
    let rows: usize = lines
        .iter()
        .map(|line| line.width().div_ceil(inner_width).max(1))
        .sum();
    let height = u16::try_from(rows + 2).unwrap_or(u16::MAX);
    let rect = centered(area, width, height);
    let block = Block::bordered()
        .title(Span::styled(strings::VERDICT_TITLE, theme.accent))
        .border_style(theme.focus_border);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}

fn stage_lines<'a>(stage: &'a Stage, theme: &Theme) -> Vec<Line<'a>> {
    match stage {
        Stage::Choosing => vec![Line::styled(
            "Enter: check the gates · Esc: cancel",
            theme.dim,
        )],
        Stage::Refused(reasons) => refusal_lines(reasons, theme),
        Stage::Confirm => vec![Line::styled(strings::CONFIRM, theme.added)],
        Stage::Recorded(path) => vec![
            Line::styled(strings::RECORDED_LOCALLY, theme.accent),
            Line::styled(format!("log: {}", path.display()), theme.dim),
        ],
        Stage::Failed(error) => vec![Line::styled(
            format!("not recorded: {error}"),
            theme.removed,
        )],
    }
}

/// The first reasons of a refusal, and how many more there are.
fn refusal_lines<'a>(reasons: &'a [String], theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = vec![Line::styled(
        format!("{} ({}):", strings::REFUSED, reasons.len()),
        theme.removed,
    )];
    lines.extend(
        reasons
            .iter()
            .take(SHOWN_REFUSALS)
            .map(|r| Line::styled(format!("- {r}"), theme.text)),
    );
    if reasons.len() > SHOWN_REFUSALS {
        let more = reasons.len() - SHOWN_REFUSALS;
        lines.push(Line::styled(format!("  … and {more} more"), theme.dim));
    }
    lines.push(Line::styled("Enter: choose again · Esc: cancel", theme.dim));
    lines
}
