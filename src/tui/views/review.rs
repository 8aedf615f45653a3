//! The review of one PR: schema diff, cascade changes, findings and the checklist, side by
//! side as the terminal allows. The checklist state is the reviewer's draft, saved on every
//! change and restored when the PR is opened again. Each change is merged into the draft on disk
//! ([`DraftStore::apply`]) and the merged draft shown, so a second console's work is kept (and
//! seen). A waiver reason or note is saved as it is typed and put back in the prompt when the
//! PR is opened again after a crash.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Tabs, Wrap};

use super::{clean, is_text, risk_badge, wrapped_rows};
use crate::analysis::diff::FileDiff;
use crate::analysis::rules::Risk;
use crate::analysis::schema::ReferentialAction;
use crate::app::draft::{DraftOrigin, open_draft};
use crate::app::entry::PrEntry;
use crate::check::{ChecklistEntry, PrReport};
use crate::report::diff_text::{render_file_diff, render_schema_diff};
use crate::report::style::Painter;
use crate::review::audit::PrKey;
use crate::review::{
    Draft, DraftChange, DraftStore, EvidenceStatus, ItemState, LoadOutcome, Note, Prompt,
};
use crate::tui::context::Context;
use crate::tui::keys::{Action, Keymap};
use crate::tui::strings;
use crate::tui::theme::Theme;

/// What `render_file_diff` writes between hunks.
const HUNK_SEPARATOR: &str = "...";
/// Where `render_file_diff` puts a line's `+`/`-` (after two 4-wide line numbers).
const RAW_TAG_COLUMN: usize = 10;
/// Lines shown above a statement jumped to.
const JUMP_CONTEXT: usize = 3;
/// Lines a page up or down scrolls.
const PAGE: usize = 10;
/// Longest waiver reason or note kept.
const MAX_INPUT: usize = 500;
/// Widest layout: four panes side by side from this width on.
const FOUR_PANES_WIDTH: u16 = 160;
/// Two panes (the first three tabbed beside the checklist) from this width on.
const TWO_PANES_WIDTH: u16 = 100;

/// A pane of the review.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    /// The structured schema diff.
    Diff,
    /// ON DELETE cascade paths added or widened.
    Cascade,
    /// The findings.
    Findings,
    /// The checklist.
    Checklist,
}

impl Pane {
    /// Every pane, in Tab order.
    pub const ALL: [Pane; 4] = [Pane::Diff, Pane::Cascade, Pane::Findings, Pane::Checklist];

    fn index(self) -> usize {
        match self {
            Pane::Diff => 0,
            Pane::Cascade => 1,
            Pane::Findings => 2,
            Pane::Checklist => 3,
        }
    }

    fn title(self) -> &'static str {
        strings::PANE_TITLES
            .get(self.index())
            .copied()
            .unwrap_or_default()
    }

    /// The pane `step` places after this one, wrapping around.
    fn step(self, step: usize) -> Pane {
        let next = (self.index() + step) % Pane::ALL.len();
        Pane::ALL.get(next).copied().unwrap_or(Pane::Diff)
    }
}

/// Text being typed in the footer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextInput {
    /// What it is for: the waiver of an item, or a note on the PR or on a statement.
    pub prompt: Prompt,
    /// What was typed so far.
    pub text: String,
}

impl TextInput {
    /// What the footer says before the text (a note on a statement names it).
    fn label(&self) -> String {
        match &self.prompt {
            Prompt::Waiver { .. } => strings::WAIVE_PROMPT.to_owned(),
            Prompt::Note { place: None } => strings::NOTE_PROMPT.to_owned(),
            Prompt::Note {
                place: Some((file, line)),
            } => format!("{} {}:{line}: ", strings::NOTE_ON, clean(file)),
        }
    }

    /// Said when Enter is pressed on a blank text.
    fn needs_text(&self) -> &'static str {
        match self.prompt {
            Prompt::Waiver { .. } => strings::WAIVE_NEEDS_REASON,
            Prompt::Note { .. } => strings::NOTE_NEEDS_TEXT,
        }
    }

    /// The change that confirming `text` makes: the waiver, or the note.
    fn confirmed(self, text: String, reviewer: &str) -> DraftChange {
        match self.prompt {
            Prompt::Waiver { item } => DraftChange::Waive {
                item,
                by: reviewer.to_owned(),
                reason: text,
            },
            Prompt::Note { place } => {
                let (file, line) = place.map_or((None, None), |(f, l)| (Some(f), Some(l)));
                DraftChange::AddNote(Note { text, file, line })
            }
        }
    }
}

/// How a line is coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tone {
    Text,
    Dim,
    Added,
    Removed,
    Changed,
    Risk(Risk),
}

/// A line of a text pane, already sanitized.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PaneLine {
    tone: Tone,
    text: String,
    /// The migration file and head line it is about, when it is about one (a finding's
    /// heading, a line of the migration text): Enter on a finding jumps between the two.
    place: Option<(String, usize)>,
}

impl PaneLine {
    /// This line, about `file:line`.
    fn at(self, file: &str, line: usize) -> PaneLine {
        PaneLine {
            place: Some((file.to_owned(), line)),
            ..self
        }
    }
}

/// The review's own state.
pub struct ReviewState {
    /// The PR under review (repository and number): a reload may reorder or replace the
    /// queue's entries while it is open.
    pub pr: PrKey,
    /// The focused pane.
    pub focus: Pane,
    /// The text pane shown beside the checklist in the two-pane layout.
    left: Pane,
    /// Scroll offset of the diff, cascade and findings panes.
    scroll: [usize; 3],
    /// Lines of the diff, cascade and findings panes.
    lines: [Vec<PaneLine>; 3],
    /// The migration text diff, shown in the diff pane instead of the schema diff when `raw`.
    raw_lines: Vec<PaneLine>,
    /// Whether the diff pane shows the migration text diff.
    pub raw: bool,
    /// The selected checklist item.
    pub cursor: usize,
    /// The reviewer's draft (ticks, waivers, chosen verdict), as last merged with the file.
    pub draft: Draft,
    /// The evidence texts this head shows, saved with every change.
    evidence: BTreeMap<String, String>,
    /// The text being typed (a waiver reason or a note), if any.
    pub input: Option<TextInput>,
    /// A one-line message for the reviewer (an error, a hint).
    pub message: Option<String>,
}

impl ReviewState {
    /// Opens the review of `entry`, restoring its saved draft.
    pub fn open(entry: &PrEntry, context: &Context) -> ReviewState {
        let meta = &entry.meta;
        let store = DraftStore::new(&context.data_dir);
        let evidence = entry.report.evidence_texts();
        let now = context.clock.now();
        let (mut draft, message) = match open_draft(
            &store,
            &meta.repo,
            meta.number,
            &meta.head_sha,
            &evidence,
            now,
        ) {
            Ok(opened) => {
                let aside = opened
                    .set_aside
                    .first()
                    .map(|aside| format!("damaged draft moved to {}", aside.path.display()));
                let message = match &opened.origin {
                    DraftOrigin::CarriedOver { from_head } => {
                        Some(carried_message(from_head, opened.draft.second_look.len()))
                    }
                    DraftOrigin::Adopted { from_repo } => {
                        Some(format!("{} {}", strings::ADOPTED_OFFLINE, clean(from_repo)))
                    }
                    DraftOrigin::Saved | DraftOrigin::New => aside,
                };
                (opened.draft, message)
            }
            Err(error) => (
                Draft::new(&meta.repo, meta.number, &meta.head_sha, now),
                Some(error.to_string()),
            ),
        };
        // What this head shows: the next head's carry-over compares with it.
        draft.evidence = evidence.clone();
        // Text typed when the console last stopped (a crash): back in its prompt.
        let input = draft.latest_pending().map(|pending| TextInput {
            prompt: pending.prompt.clone(),
            text: pending.text.clone(),
        });
        let waived_item = match &input {
            Some(TextInput {
                prompt: Prompt::Waiver { item },
                ..
            }) => entry.report.checklist.iter().position(|e| e.id == *item),
            _ => None,
        };
        let focus = if waived_item.is_some() {
            Pane::Checklist
        } else {
            Pane::Diff
        };
        ReviewState {
            pr: (meta.repo.clone(), meta.number),
            focus,
            left: Pane::Diff,
            scroll: [0; 3],
            lines: [
                diff_lines(&entry.report),
                cascade_lines(entry),
                finding_lines(&entry.report),
            ],
            raw_lines: raw_diff_lines(entry),
            raw: false,
            cursor: waived_item.unwrap_or(0),
            draft,
            evidence,
            input,
            message,
        }
    }

    /// The checklist item of `entry` (the PR under review) under the cursor.
    pub fn selected_item<'a>(&self, entry: &'a PrEntry) -> Option<&'a ChecklistEntry> {
        entry.report.checklist.get(self.cursor)
    }

    /// Handles a review action on `entry` (the PR under review).
    pub fn act(&mut self, action: Action, context: &Context, entry: &PrEntry) {
        match action {
            Action::NextPane => self.focus_pane(self.focus.step(1)),
            Action::PrevPane => self.focus_pane(self.focus.step(Pane::ALL.len() - 1)),
            Action::Down => self.move_by(1, true, entry),
            Action::Up => self.move_by(1, false, entry),
            Action::PageDown => self.move_by(PAGE, true, entry),
            Action::PageUp => self.move_by(PAGE, false, entry),
            Action::Toggle => self.toggle(context, entry),
            Action::Waive => {
                self.focus_pane(Pane::Checklist);
                if let Some(item) = self.selected_item(entry) {
                    let item = item.id.clone();
                    self.start_input(Prompt::Waiver { item });
                }
            }
            Action::RawDiff => self.show_diff(!self.raw, 0),
            Action::Enter if self.focus == Pane::Findings => self.jump_to_statement(),
            Action::Note => {
                let place = self.selected_statement();
                if place.is_none() {
                    self.focus_pane(Pane::Checklist);
                }
                self.start_input(Prompt::Note { place });
            }
            Action::Top => self.move_by(usize::MAX, false, entry),
            Action::Bottom => self.move_by(usize::MAX, true, entry),
            Action::Left => self.focus_pane(self.focus.step(Pane::ALL.len() - 1)),
            Action::Right => self.focus_pane(self.focus.step(1)),
            _ => {}
        }
    }

    /// Takes a key while a waiver reason or a note is typed; whether it was taken. The text is
    /// saved in the draft on every keystroke; Enter applies it, Esc drops it.
    pub fn type_key(&mut self, key: KeyEvent, context: &Context) -> bool {
        let Some(input) = &mut self.input else {
            return false;
        };
        match key.code {
            KeyCode::Esc => {
                let prompt = input.prompt.clone();
                self.input = None;
                self.apply(&[DraftChange::StopTyping(prompt)], context);
            }
            KeyCode::Backspace => {
                input.text.pop();
                self.save_typed(context);
            }
            KeyCode::Char(c) if is_text(key, c) && input.text.chars().count() < MAX_INPUT => {
                input.text.push(c);
                self.save_typed(context);
            }
            KeyCode::Enter if input.text.trim().is_empty() => {
                self.message = Some(input.needs_text().to_owned());
            }
            KeyCode::Enter => {
                let text = input.text.trim().to_owned();
                if let Some(input) = self.input.take() {
                    let change = input.confirmed(text, &context.reviewer);
                    self.apply(&[change], context);
                }
            }
            _ => {}
        }
        true
    }

    fn start_input(&mut self, prompt: Prompt) {
        self.input = Some(TextInput {
            prompt,
            text: String::new(),
        });
        self.message = None;
    }

    /// Merges `changes` (and this head's evidence) into the draft on disk and shows the merged
    /// draft; a failure is shown, not fatal. Every change calls it.
    pub fn apply(&mut self, changes: &[DraftChange], context: &Context) {
        let mut changes = changes.to_vec();
        changes.push(DraftChange::Evidence(self.evidence.clone()));
        self.message = self.merge(&changes, context);
    }

    /// Takes in what another process (a second console, `submit`) saved in the draft since it
    /// was last read: the draft on disk replaces the one shown when they differ. A draft that
    /// cannot be read is said in the message line. Whether anything shown changed.
    pub fn reread(&mut self, context: &Context) -> bool {
        let (repo, pr, head) = (&self.draft.repo, self.draft.pr, &self.draft.head_sha);
        let message = match DraftStore::new(&context.data_dir).load(repo, pr, head) {
            Ok(LoadOutcome::Loaded(draft)) => {
                let changed = draft != self.draft;
                self.draft = draft;
                return changed;
            }
            Ok(LoadOutcome::None) => return false,
            Ok(LoadOutcome::SetAside(aside)) => {
                format!("damaged draft moved to {}", aside.path.display())
            }
            Err(error) => format!("draft not read: {error}"),
        };
        let changed = self.message.as_ref() != Some(&message);
        self.message = Some(message);
        changed
    }

    /// Saves the text being typed (not flushed to disk: see [`DraftStore::apply`]); only a
    /// failure is shown.
    fn save_typed(&mut self, context: &Context) {
        let Some(input) = &self.input else {
            return;
        };
        let change = DraftChange::Typing {
            prompt: input.prompt.clone(),
            text: input.text.clone(),
        };
        if let Some(problem) = self.merge(&[change], context) {
            self.message = Some(problem);
        }
    }

    /// Merges `changes` into the draft on disk and adopts the result; what went wrong, if
    /// anything.
    fn merge(&mut self, changes: &[DraftChange], context: &Context) -> Option<String> {
        let (repo, pr, head) = (&self.draft.repo, self.draft.pr, &self.draft.head_sha);
        let store = DraftStore::new(&context.data_dir);
        match store.apply(repo, pr, head, changes, context.clock.now()) {
            Ok(applied) => {
                self.draft = applied.draft;
                applied
                    .set_aside
                    .map(|aside| format!("damaged draft moved to {}", aside.path.display()))
            }
            Err(error) => Some(format!("draft not saved: {error}")),
        }
    }

    /// Shows the migration text (`raw`) or the schema diff in the diff pane, scrolled to `scroll`.
    fn show_diff(&mut self, raw: bool, scroll: usize) {
        self.raw = raw;
        self.focus_pane(Pane::Diff);
        if let Some(position) = self.scroll.get_mut(Pane::Diff.index()) {
            *position = scroll;
        }
    }

    /// The statement selected in the focused pane: on Findings the finding at the top of the
    /// pane, on the migration text the line at the top; `None` elsewhere.
    pub fn selected_statement(&self) -> Option<(String, usize)> {
        let pane = match self.focus {
            Pane::Findings => Pane::Findings,
            Pane::Diff if self.raw => Pane::Diff,
            _ => return None,
        };
        let index = self.selected_line(pane)?;
        self.text_lines(pane).get(index)?.place.clone()
    }

    /// The index of the line of `pane` that is selected: the nearest line with a place at or
    /// above the top of the pane, else the first one below it.
    fn selected_line(&self, pane: Pane) -> Option<usize> {
        let top = self.scroll.get(pane.index()).copied().unwrap_or(0);
        let lines = self.text_lines(pane);
        let upto = (top + 1).min(lines.len());
        lines
            .get(..upto)?
            .iter()
            .rposition(|l| l.place.is_some())
            .or_else(|| lines.iter().position(|l| l.place.is_some()))
    }

    /// From the finding at the top of the findings pane to its statement in the migration text.
    fn jump_to_statement(&mut self) {
        let findings = self
            .lines
            .get(Pane::Findings.index())
            .map_or(&[][..], Vec::as_slice);
        let target = self
            .selected_line(Pane::Findings)
            .and_then(|i| findings.get(i))
            .and_then(|l| l.place.clone());
        let found = target.and_then(|place| {
            self.raw_lines
                .iter()
                .position(|l| l.place.as_ref() == Some(&place))
        });
        match found {
            Some(index) => self.show_diff(true, index.saturating_sub(JUMP_CONTEXT)),
            None => self.message = Some(strings::NO_STATEMENT.to_owned()),
        }
    }

    /// The lines a text pane shows.
    fn text_lines(&self, pane: Pane) -> &[PaneLine] {
        match pane {
            Pane::Diff if self.raw => &self.raw_lines,
            other => self.lines.get(other.index()).map_or(&[], Vec::as_slice),
        }
    }

    fn focus_pane(&mut self, pane: Pane) {
        self.focus = pane;
        if pane != Pane::Checklist {
            self.left = pane;
        }
    }

    /// Moves the checklist cursor, or scrolls the focused text pane, by `by` lines.
    fn move_by(&mut self, by: usize, down: bool, entry: &PrEntry) {
        let (position, len) = match self.focus {
            Pane::Checklist => (&mut self.cursor, entry.report.checklist.len()),
            pane => {
                let index = pane.index();
                let len = self.text_lines(pane).len();
                match self.scroll.get_mut(index) {
                    Some(scroll) => (scroll, len),
                    None => return,
                }
            }
        };
        let last = len.saturating_sub(1);
        *position = if down {
            position.saturating_add(by).min(last)
        } else {
            position.saturating_sub(by)
        };
    }

    /// Ticks the selected item, or re-opens it when it was ticked. On an item marked "look
    /// again" (carried from an earlier head, its evidence changed) the first press confirms it:
    /// the mark goes, a tick stays a tick.
    fn toggle(&mut self, context: &Context, entry: &PrEntry) {
        self.focus_pane(Pane::Checklist);
        let Some(id) = self.selected_item(entry).map(|item| item.id.clone()) else {
            return;
        };
        let marked = self.draft.second_look.contains(&id);
        let change = match self.draft.state.get(&id) {
            ItemState::Ticked { .. } if marked => DraftChange::LookedAgain { item: id },
            ItemState::Ticked { .. } => DraftChange::Reopen { item: id },
            ItemState::Open | ItemState::Waived { .. } => DraftChange::Tick {
                item: id,
                by: context.reviewer.clone(),
            },
        };
        self.apply(&[change], context);
    }
}

/// The structured schema diff of every changed set.
fn diff_lines(report: &PrReport) -> Vec<PaneLine> {
    let mut lines = Vec::new();
    for set in &report.sets {
        if report.sets.len() > 1 {
            lines.push(line(Tone::Dim, &set.set.root));
        }
        let text = render_schema_diff(&set.schema_diff, Painter::new(false));
        lines.extend(text.lines().map(|l| {
            let tone = match l.trim_start().chars().next() {
                Some('+') => Tone::Added,
                Some('-') => Tone::Removed,
                Some('~') => Tone::Changed,
                _ => Tone::Text,
            };
            line(tone, l)
        }));
    }
    or_placeholder(lines, strings::NO_SCHEMA_CHANGE)
}

/// The text diff of every migration file the PR touches, with old and new line numbers; each
/// line at head knows its place.
fn raw_diff_lines(entry: &PrEntry) -> Vec<PaneLine> {
    let lines = entry.file_diffs.iter().flat_map(file_diff_lines).collect();
    or_placeholder(lines, strings::NO_SCHEMA_CHANGE)
}

/// One file's text diff: its heading, then one rendered line per diff line (hunk separators
/// between them carry no place).
fn file_diff_lines(file: &FileDiff) -> Vec<PaneLine> {
    let text = render_file_diff(file, Painter::new(false));
    let mut rendered = text.lines();
    let mut lines: Vec<PaneLine> = rendered
        .next()
        .map(|l| line(Tone::Text, l))
        .into_iter()
        .collect();
    let mut diff_lines = file.lines.iter();
    for l in rendered {
        if l.trim() == HUNK_SEPARATOR {
            lines.push(line(Tone::Dim, l));
            continue;
        }
        let tone = match l.chars().nth(RAW_TAG_COLUMN) {
            Some('+') => Tone::Added,
            Some('-') => Tone::Removed,
            _ => Tone::Text,
        };
        let pane_line = line(tone, l);
        lines.push(match diff_lines.next().and_then(|d| d.new_line) {
            Some(new_line) => pane_line.at(&file.path, new_line),
            None => pane_line,
        });
    }
    lines
}

/// The cascade tree of every root the PR grows: each edge with its ON DELETE action, new or
/// widened edges marked (and coloured), edges the Prisma client emulates marked, then the
/// tables a delete newly reaches.
fn cascade_lines(entry: &PrEntry) -> Vec<PaneLine> {
    let mut lines = Vec::new();
    for tree in &entry.cascade_trees {
        lines.push(line(
            Tone::Changed,
            &format!("deleting one {} row", tree.root),
        ));
        for edge in &tree.lines {
            let mut text = format!("{}{} {}", edge.prefix, edge.action.sql(), edge.table);
            if edge.new {
                text.push_str(strings::CASCADE_NEW);
            }
            if edge.emulated {
                text.push_str(strings::CASCADE_EMULATED);
            }
            let tone = match (edge.new, edge.action) {
                (true, _) => Tone::Added,
                (false, ReferentialAction::Cascade) => Tone::Text,
                (false, _) => Tone::Dim,
            };
            lines.push(line(tone, &text));
        }
        if tree.omitted > 0 {
            lines.push(line(
                Tone::Dim,
                &format!("… and {} more edges", tree.omitted),
            ));
        }
        if !tree.newly_reached.is_empty() {
            lines.push(line(
                Tone::Removed,
                &format!(
                    "now also deletes rows in: {}",
                    tree.newly_reached.join(", ")
                ),
            ));
        }
    }
    or_placeholder(lines, strings::NO_CASCADE_CHANGE)
}

/// Each finding: risk, rule and place, its message, then the SQL around its line.
fn finding_lines(report: &PrReport) -> Vec<PaneLine> {
    let lines = report
        .findings
        .iter()
        .flat_map(|f| {
            let accepted = if f.suppressed.is_some() {
                " (accepted)"
            } else {
                ""
            };
            let heading = format!(
                "{:<8} {} {}:{}{accepted}",
                f.risk.label(),
                f.rule,
                f.file,
                f.line
            );
            let mut lines = vec![
                line(Tone::Risk(f.risk), &heading).at(&f.file, f.line),
                line(Tone::Text, &format!("  {}", f.message)),
            ];
            if let Some(excerpt) = report.excerpt(&f.file, f.line) {
                lines.extend(excerpt.lines.iter().map(|(number, text)| {
                    let tone = if *number == f.line {
                        Tone::Changed
                    } else {
                        Tone::Dim
                    };
                    line(tone, &format!("  {number:>5} | {text}"))
                }));
            }
            lines
        })
        .collect();
    or_placeholder(lines, strings::NO_FINDINGS)
}

fn line(tone: Tone, text: &str) -> PaneLine {
    PaneLine {
        tone,
        text: clean(text).into_owned(),
        place: None,
    }
}

fn or_placeholder(lines: Vec<PaneLine>, placeholder: &str) -> Vec<PaneLine> {
    if lines.is_empty() {
        vec![line(Tone::Dim, placeholder)]
    } else {
        lines
    }
}

/// Where one pane goes, with the tab bar above it when it shares its place with others.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    /// The tab bar and the panes it offers, when tabbed.
    pub tabs: Option<(Rect, &'static [Pane])>,
    /// The pane's area (border included).
    pub area: Rect,
    /// The pane shown there.
    pub pane: Pane,
}

/// Where the review draws in `area`: the summary line, the pane slots, the footer. Four panes
/// on a wide terminal, the text panes tabbed beside the checklist at ~100 columns, all tabbed
/// below that.
pub fn layout(area: Rect, state: &ReviewState) -> (Rect, Vec<Slot>, Rect) {
    let [summary, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let tabbed = |area: Rect, panes: &'static [Pane], shown: Pane| {
        let [bar, pane_area] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
        Slot {
            tabs: Some((bar, panes)),
            area: pane_area,
            pane: shown,
        }
    };
    let slots = if area.width >= FOUR_PANES_WIDTH {
        let columns = Layout::horizontal([Constraint::Ratio(1, 4); 4]).split(body);
        Pane::ALL
            .iter()
            .zip(columns.iter())
            .map(|(pane, column)| Slot {
                tabs: None,
                area: *column,
                pane: *pane,
            })
            .collect()
    } else if area.width >= TWO_PANES_WIDTH {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(body);
        vec![
            tabbed(left, TEXT_PANES, state.left),
            Slot {
                tabs: None,
                area: right,
                pane: Pane::Checklist,
            },
        ]
    } else {
        vec![tabbed(body, &Pane::ALL, state.focus)]
    };
    (summary, slots, footer)
}

/// The panes tabbed beside the checklist in the two-pane layout.
const TEXT_PANES: &[Pane] = &[Pane::Diff, Pane::Cascade, Pane::Findings];

/// Draws the review in `area`.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    state: &ReviewState,
    entry: &PrEntry,
    keymap: &Keymap,
    theme: &Theme,
) {
    let (summary, slots, footer) = layout(area, state);
    frame.render_widget(summary_line(entry, theme), summary);
    for slot in &slots {
        if let Some((bar, panes)) = slot.tabs {
            draw_tabs(frame, bar, panes, slot.pane, theme);
        }
        draw_pane(frame, slot.area, slot.pane, state, entry, keymap, theme);
    }
    frame.render_widget(footer_line(state, keymap, theme), footer);
}

/// The tab of `panes` drawn at column `x` of a tab bar starting at `bar_x` (titles are drawn
/// as ` title ` separated by one-column dividers, as [`Tabs`] draws them).
fn tab_at(panes: &[Pane], bar_x: u16, x: u16) -> Option<Pane> {
    let mut start = bar_x;
    for pane in panes {
        let width = u16::try_from(pane.title().chars().count() + 2).unwrap_or(u16::MAX);
        let end = start.saturating_add(width);
        if (start..end).contains(&x) {
            return Some(*pane);
        }
        start = end.saturating_add(1);
    }
    None
}

impl ReviewState {
    /// A click at (`x`, `y`) in the review drawn in `area`: a tab shows its pane, a click in a
    /// pane focuses it and selects the checklist item, finding or SQL line under it.
    pub fn click(&mut self, area: Rect, x: u16, y: u16, entry: &PrEntry) {
        let (_, slots, _) = layout(area, self);
        let inside = |rect: Rect| rect.contains(ratatui::layout::Position { x, y });
        for slot in slots {
            if let Some((bar, panes)) = slot.tabs
                && inside(bar)
            {
                if let Some(pane) = tab_at(panes, bar.x, x) {
                    self.focus_pane(pane);
                }
                return;
            }
            if !inside(slot.area) {
                continue;
            }
            self.focus_pane(slot.pane);
            let inner = Block::bordered().inner(slot.area);
            if !inside(inner) {
                return;
            }
            let row = usize::from(y - inner.y);
            let height = usize::from(inner.height);
            match slot.pane {
                Pane::Checklist => {
                    let (_, items) = checklist_lines(self, entry, height, &Theme::plain());
                    if let Some(Some(item)) = items.get(row) {
                        self.cursor = *item;
                    }
                }
                pane => self.click_text(pane, row, inner.width, height),
            }
            return;
        }
    }

    /// Selects the line of text pane `pane` drawn at `row` (wrapped lines counted), by
    /// scrolling it to the top: the selection of a text pane is its top line.
    fn click_text(&mut self, pane: Pane, row: usize, width: u16, height: usize) {
        let mut top = 0;
        let mut clicked = None;
        for (source, line) in text_view(self, pane, height, &Theme::plain()) {
            let rows = wrapped_rows(line, width);
            if (top..top + rows).contains(&row) {
                clicked = source;
                break;
            }
            top += rows;
        }
        if let (Some(index), Some(scroll)) = (clicked, self.scroll.get_mut(pane.index())) {
            *scroll = index;
        }
    }
}

/// Risk, the gate in one sentence.
fn summary_line<'a>(entry: &PrEntry, theme: &Theme) -> Paragraph<'a> {
    Paragraph::new(Line::from(vec![
        risk_badge(entry.report.risk, theme),
        Span::styled(entry.report.gate.describe(), theme.dim),
    ]))
}

/// The tab bar of `panes`, `shown` highlighted.
fn draw_tabs(frame: &mut Frame, bar: Rect, panes: &[Pane], shown: Pane, theme: &Theme) {
    let titles: Vec<&str> = panes.iter().map(|p| p.title()).collect();
    let selected = panes.iter().position(|p| *p == shown);
    let tabs = Tabs::new(titles)
        .select(selected)
        .style(theme.dim)
        .highlight_style(theme.accent);
    frame.render_widget(tabs, bar);
}

/// One pane with its border, showing only the lines that fit.
fn draw_pane(
    frame: &mut Frame,
    area: Rect,
    pane: Pane,
    state: &ReviewState,
    entry: &PrEntry,
    keymap: &Keymap,
    theme: &Theme,
) {
    let border = if state.focus == pane {
        theme.focus_border
    } else {
        theme.border
    };
    let title = match pane {
        Pane::Checklist => checklist_title(state, entry),
        Pane::Diff if state.raw => keymap.fill(strings::RAW_DIFF_TITLE),
        text_pane => text_pane.title().to_owned(),
    };
    let block = Block::bordered()
        .title(Span::styled(title, theme.accent))
        .border_style(border);
    let height = usize::from(block.inner(area).height);
    let paragraph = match pane {
        Pane::Checklist => Paragraph::new(checklist_lines(state, entry, height, theme).0),
        text_pane => {
            let lines: Vec<Line> = text_view(state, text_pane, height, theme)
                .into_iter()
                .map(|(_, line)| line)
                .collect();
            Paragraph::new(lines).wrap(Wrap { trim: false })
        }
    };
    frame.render_widget(paragraph.block(block), area);
}

/// The lines of a text pane visible in `height` rows, each with the index of the pane line it
/// shows (`None` for a note): the selected statement highlighted when the pane is focused, and
/// the notes about a statement right below it.
fn text_view<'a>(
    state: &ReviewState,
    pane: Pane,
    height: usize,
    theme: &Theme,
) -> Vec<(Option<usize>, Line<'a>)> {
    let scroll = state.scroll.get(pane.index()).copied().unwrap_or(0);
    let selected = (state.focus == pane)
        .then(|| state.selected_statement())
        .flatten()
        .and_then(|_| state.selected_line(pane));
    let mut lines = Vec::with_capacity(height);
    for (index, pane_line) in state.text_lines(pane).iter().enumerate().skip(scroll) {
        if lines.len() >= height {
            break;
        }
        let mut drawn = Line::styled(pane_line.text.clone(), tone_style(pane_line.tone, theme));
        if selected == Some(index) {
            drawn = drawn.style(theme.selected);
        }
        lines.push((Some(index), drawn));
        if let Some((file, number)) = &pane_line.place {
            let notes = state
                .draft
                .notes
                .iter()
                .filter(|n| n.file.as_deref() == Some(file) && n.line == Some(*number));
            for note in notes {
                lines.push((
                    None,
                    Line::styled(
                        format!("{}{}", strings::NOTE_MARK, clean(&note.text)),
                        theme.accent,
                    ),
                ));
            }
        }
    }
    lines.truncate(height);
    lines
}

/// `Checklist · required 3/21 · * marks required`: how far the gate is.
fn checklist_title(state: &ReviewState, entry: &PrEntry) -> String {
    let required = entry.report.checklist.iter().filter(|item| item.required);
    let (total, resolved) = required.fold((0, 0), |(total, resolved), item| {
        let done = state.draft.state.get(&item.id).is_resolved();
        (total + 1, resolved + usize::from(done))
    });
    format!(
        "{} · required {resolved}/{total} · {} marks required",
        Pane::Checklist.title(),
        strings::REQUIRED_MARK
    )
}

fn tone_style(tone: Tone, theme: &Theme) -> Style {
    match tone {
        Tone::Text => theme.text,
        Tone::Dim => theme.dim,
        Tone::Added => theme.added,
        Tone::Removed => theme.removed,
        Tone::Changed => theme.changed,
        Tone::Risk(risk) => theme.risk(risk),
    }
}

/// Said when the draft of an earlier head was carried to this one.
fn carried_message(from_head: &str, second_looks: usize) -> String {
    let from = from_head.get(..12).unwrap_or(from_head);
    match second_looks {
        0 => format!("checklist carried over from {from} (the PR moved; evidence unchanged)"),
        n => format!(
            "checklist carried over from {from}: {n} item(s) marked \"look again\" (their \
             evidence changed)"
        ),
    }
}

/// The checklist lines visible in `height` rows, scrolled so the cursor's item shows, and the
/// item each line belongs to (headings and notes belong to none).
fn checklist_lines<'a>(
    state: &ReviewState,
    entry: &PrEntry,
    height: usize,
    theme: &Theme,
) -> (Vec<Line<'a>>, Vec<Option<usize>>) {
    let mut lines = Vec::new();
    let mut items = Vec::new();
    let mut cursor_line = 0;
    let mut list = "";
    for (index, item) in entry.report.checklist.iter().enumerate() {
        if item.list != list {
            list = &item.list;
            lines.push(Line::styled(
                clean(&item.list_title).into_owned(),
                theme.accent,
            ));
            items.push(None);
        }
        if index == state.cursor {
            cursor_line = lines.len();
        }
        let item_lines = item_lines(item, state, index == state.cursor, theme);
        items.extend(std::iter::repeat_n(Some(index), item_lines.len()));
        lines.extend(item_lines);
    }
    if !state.draft.notes.is_empty() {
        lines.push(Line::styled(strings::NOTES_HEADING, theme.accent));
        lines.extend(
            state
                .draft
                .notes
                .iter()
                .map(|note| Line::styled(format!("- {}", note_text(note)), theme.text)),
        );
    }
    let offset = (cursor_line + 3).saturating_sub(height);
    let visible = |n: usize| offset..(offset + height).min(n);
    let item_range = visible(items.len());
    let shown_items = items.get(item_range).map(<[_]>::to_vec).unwrap_or_default();
    let shown_lines = lines.into_iter().skip(offset).take(height).collect();
    (shown_lines, shown_items)
}

/// A note as the checklist lists it: `file:line: text`, or the text of a PR-level note.
fn note_text(note: &Note) -> String {
    match (&note.file, note.line) {
        (Some(file), Some(line)) => format!("{}:{line}: {}", clean(file), clean(&note.text)),
        _ => clean(&note.text).into_owned(),
    }
}

/// An item: its box, text and required mark; its evidence and waiver reason below.
fn item_lines<'a>(
    item: &ChecklistEntry,
    state: &ReviewState,
    selected: bool,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let item_state = state.draft.state.get(&item.id);
    let mark = match item_state {
        ItemState::Open => "[ ]",
        ItemState::Ticked { .. } => "[x]",
        ItemState::Waived { .. } => "[w]",
    };
    let required = if item.required {
        strings::REQUIRED_MARK
    } else {
        " "
    };
    let mut head = Line::from(vec![
        Span::styled(mark, theme.text),
        Span::styled(required, theme.changed),
        Span::styled(format!(" {}", clean(&item.text)), theme.text),
    ]);
    if selected {
        head = head.style(theme.selected);
    }
    let mut lines = vec![head];
    if let Some(evidence) = &item.evidence {
        let (sign, style) = match evidence {
            EvidenceStatus::Checked(_) => ("ok", theme.added),
            EvidenceStatus::Problem(_) => ("!!", theme.removed),
            EvidenceStatus::Unknown(_) => ("??", theme.dim),
        };
        lines.push(Line::styled(
            format!("    {sign} {}", clean(evidence.detail())),
            style,
        ));
    }
    if let ItemState::Waived { reason, .. } = item_state {
        lines.push(Line::styled(
            format!("    waived: {}", clean(reason)),
            theme.dim,
        ));
    }
    if state.draft.second_look.contains(&item.id) {
        lines.push(Line::styled(strings::LOOK_AGAIN, theme.changed));
    }
    lines
}

/// The footer: the text being typed, a message, or the key hint.
fn footer_line<'a>(state: &'a ReviewState, keymap: &Keymap, theme: &Theme) -> Paragraph<'a> {
    let line = match (&state.input, &state.message) {
        (Some(input), message) => {
            let prompt = match message {
                Some(message) => clean(message).into_owned(),
                None => input.label(),
            };
            Line::from(vec![
                Span::styled(prompt, theme.accent),
                Span::raw(input.text.as_str()),
            ])
        }
        (None, Some(message)) => Line::styled(clean(message), theme.changed),
        (None, None) => Line::styled(keymap.fill(strings::REVIEW_HINT), theme.dim),
    };
    Paragraph::new(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::entry::demo_entries;
    use crate::review::Checklists;

    #[test]
    fn tab_order_wraps_both_ways() {
        assert_eq!(Pane::Checklist.step(1), Pane::Diff);
        assert_eq!(Pane::Diff.step(Pane::ALL.len() - 1), Pane::Checklist);
        assert_eq!(Pane::Diff.step(2), Pane::Findings);
    }

    #[test]
    fn migration_text_lines_are_toned_by_their_tag() {
        let checklists = Checklists::load(None).unwrap();
        let entries = demo_entries(&checklists).unwrap();
        let cascade = entries.iter().find(|e| e.meta.number == 104).unwrap();
        let lines = raw_diff_lines(cascade);
        let added = lines
            .iter()
            .find(|l| l.text.contains("CREATE TABLE"))
            .unwrap();
        assert_eq!(added.tone, Tone::Added, "{}", added.text);
        assert_eq!(lines.first().map(|l| l.tone), Some(Tone::Text));
    }
}
