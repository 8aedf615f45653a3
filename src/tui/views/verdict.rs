//! The verdict dialog: choose Approve, Request changes or Block, see the gates' answer, read
//! the preview of the exact review body (what is posted, inline comments counted), confirm.
//! With a local source the decision goes to the local decision log only (marked as not sent
//! to GitHub); with GitHub it is sent in the background ("Sending…"), then the dialog shows
//! the review's URL, that it waits in the outbox (and why), or GitHub's refusal with what to do.

use std::path::PathBuf;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::review::ReviewState;
use super::{centered, wrapped_rows};
use crate::app::entry::PrEntry;
use crate::app::verdict::{VerdictInputs, decision, gate, record_locally, submission};
use crate::check::PrReport;
use crate::github::dispatch::SendOutcome;
use crate::github::submit::Submission;
use crate::report::review_body::SubmissionMarker;
use crate::report::sanitize::sanitize_line;
use crate::review::{DraftChange, Verdict};
use crate::tui::channel::{Channel, Sent};
use crate::tui::context::Context;
use crate::tui::keys::{Action, Keymap};
use crate::tui::strings;
use crate::tui::submitter::DiffAvailability;
use crate::tui::theme::Theme;

/// Width of the dialog (narrower on a narrow terminal).
const DIALOG_WIDTH: u16 = 76;

/// Width of the dialog while it shows the preview.
const PREVIEW_WIDTH: u16 = 110;

/// Lines a page up or down scrolls the preview.
const PREVIEW_PAGE: usize = 10;

/// Refusal reasons listed before "and N more".
const SHOWN_REFUSALS: usize = 6;

/// The verdicts in dialog order.
const VERDICTS: [Verdict; 3] = [Verdict::Approve, Verdict::RequestChanges, Verdict::Block];

/// Shown while the PR's diff loads for the inline comments.
const PREPARING: &str = "Reading the PR's diff for the inline comments…";

/// Said when the PR's diff could not be read.
const NO_INLINE: &str =
    "no inline comments (everything is in the body): the PR's diff could not be read";

/// Shown while the review is being sent (the dialog stays until GitHub answers, so the
/// outcome is never missed).
const SENDING: &str = "Sending to GitHub… the answer shows here ({back} waits for it).";

/// Said when the verdict was not sent or not recorded: nothing of the review is lost.
const DRAFT_KEPT: &str = "Ticks, waivers, notes and the verdict are kept in the draft.";

/// Where the dialog is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Choosing a verdict.
    Choosing,
    /// The gates refused the chosen verdict, for these reasons.
    Refused(Vec<String>),
    /// The gates allow it; the PR's diff is loading before the preview can be built.
    Preparing,
    /// The gates allow it; the preview is shown, waiting for `y`.
    Confirm,
    /// Being sent to GitHub (the submitter's ticket).
    Sending(u64),
    /// Posted on GitHub.
    Sent {
        /// The review's page.
        url: String,
        /// Earlier verdicts from the outbox delivered along.
        outbox_delivered: usize,
    },
    /// Kept in the outbox for a later attempt.
    Queued {
        /// The outbox entry.
        id: String,
        /// Why it could not be sent now.
        reason: String,
    },
    /// GitHub refused it (or the PR moved): not queued; the draft keeps the work.
    NotSent {
        /// What went wrong.
        error: String,
        /// What to do.
        advice: String,
    },
    /// Recorded in the local decision log at this path (not sent to GitHub).
    Recorded(PathBuf),
    /// Recording failed.
    Failed(String),
}

impl Stage {
    /// Whether the dialog shows an outcome (Enter closes it).
    fn is_final(&self) -> bool {
        matches!(
            self,
            Stage::Sent { .. }
                | Stage::Queued { .. }
                | Stage::NotSent { .. }
                | Stage::Recorded(_)
                | Stage::Failed(_)
        )
    }
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
    /// The exact submission the preview shows and confirming sends (or records).
    pub prepared: Option<Box<Submission>>,
    /// The first preview line shown.
    pub scroll: usize,
    /// Whether confirming sends to GitHub (else the verdict is recorded locally only).
    pub to_github: bool,
    /// Why the PR's diff could not be read (every finding and note then goes in the body).
    pub diff_problem: Option<String>,
}

impl VerdictState {
    /// The dialog for `report`, with Block preselected when it is suggested.
    pub fn new(report: &PrReport) -> VerdictState {
        let suggest_block = report.gate.suggest_block;
        VerdictState {
            choice: if suggest_block { 2 } else { 0 },
            stage: Stage::Choosing,
            suggest_block,
            prepared: None,
            scroll: 0,
            to_github: false,
            diff_problem: None,
        }
    }

    /// The chosen verdict.
    pub fn choice(&self) -> Verdict {
        VERDICTS
            .get(self.choice)
            .copied()
            .unwrap_or(Verdict::RequestChanges)
    }

    /// Handles an action; `review` is the review of `entry` (its draft is recorded). A diff to
    /// fetch or a verdict to send runs on `channel`.
    pub fn act(
        &mut self,
        action: Action,
        review: &mut ReviewState,
        entry: &PrEntry,
        context: &Context,
        channel: &Channel,
    ) -> VerdictOutcome {
        match (&self.stage, action) {
            (Stage::Sending(_), _) => {}
            (_, Action::Back | Action::Quit) => return VerdictOutcome::Close,
            (stage, Action::Enter) if stage.is_final() => return VerdictOutcome::Close,
            (Stage::Choosing, Action::Down) => {
                self.choice = (self.choice + 1).min(VERDICTS.len() - 1)
            }
            (Stage::Choosing, Action::Up) => self.choice = self.choice.saturating_sub(1),
            (Stage::Choosing, Action::Enter) => {
                self.stage = self.gate(review, entry, context, channel);
            }
            (Stage::Refused(_), Action::Enter) => self.stage = Stage::Choosing,
            (Stage::Confirm, Action::Down) => self.scroll_by(1),
            (Stage::Confirm, Action::Up) => self.scroll = self.scroll.saturating_sub(1),
            (Stage::Confirm, Action::PageDown) => self.scroll_by(PREVIEW_PAGE),
            (Stage::Confirm, Action::PageUp) => {
                self.scroll = self.scroll.saturating_sub(PREVIEW_PAGE);
            }
            (Stage::Confirm, Action::Top) => self.scroll = 0,
            (Stage::Confirm, Action::Bottom) => self.scroll_by(usize::MAX),
            (Stage::Confirm, Action::Yes) => {
                self.stage = self.record(review, entry, context, channel);
            }
            _ => {}
        }
        VerdictOutcome::Stay
    }

    /// Scrolls the preview down, stopping at its last line.
    fn scroll_by(&mut self, lines: usize) {
        let last = self
            .prepared
            .as_ref()
            .map_or(0, |s| s.body.lines().count().saturating_sub(1));
        self.scroll = self.scroll.saturating_add(lines).min(last);
    }

    /// What the gates say about the chosen verdict; when allowed, the preview is prepared.
    fn gate(
        &mut self,
        review: &ReviewState,
        entry: &PrEntry,
        context: &Context,
        channel: &Channel,
    ) -> Stage {
        let decision = gate(entry, self.choice(), &context.checklists, &review.draft);
        if decision.allowed() {
            self.prepare(review, context, entry, channel)
        } else {
            Stage::Refused(decision.refusals.iter().map(ToString::to_string).collect())
        }
    }

    /// Builds the submission once the PR's diff is known (`Preparing` until then, the diff
    /// fetched on `channel`; without a diff, everything goes in the body).
    pub fn prepare(
        &mut self,
        review: &ReviewState,
        context: &Context,
        entry: &PrEntry,
        channel: &Channel,
    ) -> Stage {
        let meta = &entry.meta;
        self.diff_problem = None;
        let diff = match context.submitter.diff(&meta.repo, meta.number, channel) {
            DiffAvailability::Loading => return Stage::Preparing,
            DiffAvailability::Ready(diff) => Some(diff),
            DiffAvailability::NotNeeded => None,
            DiffAvailability::Failed(error) => {
                self.diff_problem = Some(error);
                None
            }
        };
        let inputs = VerdictInputs {
            entry,
            draft: &review.draft,
            verdict: self.choice(),
            reviewer: &context.reviewer,
            now: context.clock.now(),
        };
        self.prepared = Some(Box::new(submission(&inputs, None, diff.as_ref())));
        self.scroll = 0;
        self.to_github = !context.submitter.is_local();
        Stage::Confirm
    }

    /// Keeps the verdict in the draft, then records it locally or sends it to GitHub.
    fn record(
        &self,
        review: &mut ReviewState,
        entry: &PrEntry,
        context: &Context,
        channel: &Channel,
    ) -> Stage {
        let Some(submission) = &self.prepared else {
            return Stage::Failed("nothing prepared to record".to_owned());
        };
        review.apply(&[DraftChange::Verdict(Some(self.choice()))], context);
        let now = context.clock.now();
        let decision = decision(&VerdictInputs {
            entry,
            draft: &review.draft,
            verdict: self.choice(),
            reviewer: &context.reviewer,
            now,
        });
        let sent = context.submitter.send(
            (**submission).clone(),
            decision.clone(),
            &context.data_dir,
            now,
            channel,
        );
        if let Some(ticket) = sent {
            return Stage::Sending(ticket);
        }
        match record_locally(&decision, &context.data_dir) {
            Ok(path) => Stage::Recorded(path),
            Err(error) => Stage::Failed(error.to_string()),
        }
    }

    /// Takes in a finished background send, when it is this dialog's.
    pub fn finish(&mut self, sent: &Sent) {
        let Sent {
            ticket,
            result,
            outbox_delivered,
        } = sent;
        if self.stage != Stage::Sending(*ticket) {
            return;
        }
        self.stage = match result {
            Ok(SendOutcome::Sent(delivered) | SendOutcome::SentByAnother(delivered)) => {
                Stage::Sent {
                    url: delivered.url.clone(),
                    outbox_delivered: *outbox_delivered,
                }
            }
            Ok(SendOutcome::Queued { id, reason, .. }) => Stage::Queued {
                id: id.clone(),
                reason: reason.clone(),
            },
            Ok(SendOutcome::Refused(error)) => Stage::NotSent {
                error: error.to_string(),
                advice: error.advice().to_owned(),
            },
            Ok(SendOutcome::NotSent { reason }) => Stage::NotSent {
                error: format!("another schemagate logged it as not sent: {reason}"),
                advice: "your ticks and the chosen verdict are kept in the draft".to_owned(),
            },
            Ok(SendOutcome::Superseded { by }) => Stage::NotSent {
                error: format!("a newer verdict on this PR ({by}) was logged meanwhile"),
                advice: "this one was logged as superseded and not posted".to_owned(),
            },
            Err(error) => Stage::Failed(error.clone()),
        };
    }
}

/// Draws the dialog over `area`.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    state: &VerdictState,
    entry: &PrEntry,
    keymap: &Keymap,
    theme: &Theme,
) {
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
    lines.extend(stage_lines(state, keymap, theme));
    let preview = match (&state.stage, &state.prepared) {
        (Stage::Confirm, Some(submission)) => Some(submission),
        _ => None,
    };
    let width = if preview.is_some() {
        PREVIEW_WIDTH
    } else {
        DIALOG_WIDTH
    }
    .min(area.width);
    let inner_width = width.saturating_sub(2);
    let rows: usize = lines
        .iter()
        .map(|line| wrapped_rows(line.clone(), inner_width))
        .sum();
    let header = u16::try_from(rows).unwrap_or(u16::MAX);
    let height = match preview {
        Some(_) => area.height,
        None => header.saturating_add(2),
    };
    let rect = centered(area, width, height);
    let block = Block::bordered()
        .title(Span::styled(strings::VERDICT_TITLE, theme.accent))
        .border_style(theme.focus_border);
    frame.render_widget(Clear, rect);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [top, bottom] =
        Layout::vertical([Constraint::Length(header), Constraint::Min(0)]).areas(inner);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }),
        if preview.is_some() { top } else { inner },
    );
    if let Some(submission) = preview {
        let scroll = keymap.fill(strings::PREVIEW_SCROLL);
        draw_preview(frame, bottom, submission, state.scroll, &scroll, theme);
    }
}

/// The exact body from line `scroll` on (long lines wrapped, so nothing is hidden), under a
/// title counting the inline comments and naming the scroll `keys`.
fn draw_preview(
    frame: &mut Frame,
    area: Rect,
    submission: &Submission,
    scroll: usize,
    keys: &str,
    theme: &Theme,
) {
    let total = submission.body.lines().count();
    let title = format!(
        "Review body, as posted ({} inline comment(s)) — from line {} of {total}, {keys}",
        submission.comments.len(),
        scroll.saturating_add(1).min(total),
    );
    // The marker's id is random and its chain head is known only once the verdict is logged:
    // the preview shows what the line holds, not values that will change.
    let marker = SubmissionMarker::parse(&submission.body).map(|marker| marker.render_preview());
    let body: Vec<Line> = submission
        .body
        .lines()
        .enumerate()
        .map(|(index, line)| match &marker {
            Some(marker) if index == 0 => marker.as_str(),
            _ => line,
        })
        .skip(scroll)
        .take(usize::from(area.height))
        .map(|line| Line::styled(sanitize_line(line).into_owned(), theme.text))
        .collect();
    let block = Block::bordered()
        .title(Span::styled(title, theme.dim))
        .border_style(theme.dim);
    frame.render_widget(
        Paragraph::new(body).block(block).wrap(Wrap { trim: false }),
        area,
    );
}

fn stage_lines<'a>(state: &'a VerdictState, keymap: &Keymap, theme: &Theme) -> Vec<Line<'a>> {
    match &state.stage {
        Stage::Choosing => vec![Line::styled(
            keymap.fill(strings::VERDICT_CHOOSING),
            theme.dim,
        )],
        Stage::Refused(reasons) => refusal_lines(reasons, keymap, theme),
        Stage::Preparing => vec![Line::styled(PREPARING, theme.dim)],
        Stage::Confirm => {
            let text = if state.to_github {
                strings::CONFIRM_SEND
            } else {
                strings::CONFIRM
            };
            let mut lines = vec![Line::styled(keymap.fill(text), theme.added)];
            if let Some(problem) = &state.diff_problem {
                lines.push(Line::styled(
                    format!("{NO_INLINE}: {}", sanitize_line(problem)),
                    theme.removed,
                ));
            }
            lines
        }
        Stage::Sending(_) => vec![Line::styled(keymap.fill(SENDING), theme.accent)],
        Stage::Sent {
            url,
            outbox_delivered,
        } => {
            let mut lines = vec![
                Line::styled("Sent to GitHub.", theme.added),
                Line::styled(sanitize_line(url).into_owned(), theme.accent),
            ];
            if *outbox_delivered > 0 {
                lines.push(Line::styled(
                    format!("{outbox_delivered} earlier verdict(s) from the outbox sent too."),
                    theme.dim,
                ));
            }
            lines
        }
        Stage::Queued { id, reason } => vec![
            Line::styled(
                format!("Queued in the outbox as {id}: it is sent when GitHub answers again."),
                theme.accent,
            ),
            Line::styled(format!("why: {}", sanitize_line(reason)), theme.dim),
        ],
        Stage::NotSent { error, advice } => vec![
            Line::styled(format!("not sent: {}", sanitize_line(error)), theme.removed),
            Line::styled(advice.as_str(), theme.text),
            Line::styled(DRAFT_KEPT, theme.dim),
        ],
        Stage::Recorded(path) => vec![
            Line::styled(strings::RECORDED_LOCALLY, theme.accent),
            Line::styled(format!("log: {}", path.display()), theme.dim),
        ],
        Stage::Failed(error) => vec![
            Line::styled(
                format!("not recorded: {}", sanitize_line(error)),
                theme.removed,
            ),
            Line::styled(DRAFT_KEPT, theme.dim),
        ],
    }
}

/// The first reasons of a refusal, and how many more there are.
fn refusal_lines<'a>(reasons: &'a [String], keymap: &Keymap, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = vec![Line::styled(
        format!("{} ({}):", strings::REFUSED, reasons.len()),
        theme.removed,
    )];
    lines.extend(
        reasons
            .iter()
            .take(SHOWN_REFUSALS)
            .map(|r| Line::styled(format!("- {}", sanitize_line(r)), theme.text)),
    );
    if reasons.len() > SHOWN_REFUSALS {
        let more = reasons.len() - SHOWN_REFUSALS;
        lines.push(Line::styled(format!("  … and {more} more"), theme.dim));
    }
    lines.push(Line::styled(
        keymap.fill(strings::VERDICT_REFUSED),
        theme.dim,
    ));
    lines
}
