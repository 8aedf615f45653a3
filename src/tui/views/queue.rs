//! The queue: every open PR that touches migrations, riskiest first, with a search filter.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table};

use std::cmp::Ordering;
use std::path::Path;

use super::{clean, risk_badge};
use crate::analysis::rules::Risk;
use crate::review::decision_log::{LOG_FILE, Record, read_all};
use crate::review::{Timestamp, Verdict};
use crate::tui::entry::PrEntry;
use crate::tui::keys::Action;
use crate::tui::strings;
use crate::tui::theme::Theme;

/// Rows a page up or down moves.
const PAGE: usize = 10;

/// The queue's own state.
pub struct QueueState {
    /// Entry indexes, in the order of `sort`.
    order: Vec<usize>,
    /// What the queue is sorted by.
    sort: SortKey,
    /// Only PRs at this risk or above are listed.
    min_risk: Risk,
    /// Only PRs that need my review (no verdict of mine, or a stale one) are listed.
    needs_me: bool,
    /// Position of the selection among the rows that pass the filter.
    selected: usize,
    /// The search filter (lowercase match on title, author, repo, number).
    filter: String,
    /// Whether keys go into the filter.
    searching: bool,
    /// The reviewer's last recorded verdict on each entry (same order as the entries).
    decisions: Vec<Option<LastDecision>>,
    /// Why the decision log could not be read, if it could not.
    log_error: Option<String>,
}

/// What the queue is sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    /// Riskiest first.
    Risk,
    /// Most recently updated first.
    Age,
    /// By repository.
    Repo,
}

impl SortKey {
    /// The next key `s` switches to.
    fn next(self) -> SortKey {
        match self {
            SortKey::Risk => SortKey::Age,
            SortKey::Age => SortKey::Repo,
            SortKey::Repo => SortKey::Risk,
        }
    }

    /// How the queue's title names it.
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Risk => "riskiest first",
            SortKey::Age => "latest update first",
            SortKey::Repo => "by repository",
        }
    }

    /// How two entries compare under this key (ties by PR number).
    fn compare(self, a: &PrEntry, b: &PrEntry) -> Ordering {
        let by_key = match self {
            SortKey::Risk => b.report.risk.cmp(&a.report.risk),
            SortKey::Age => b.updated_at.cmp(&a.updated_at),
            SortKey::Repo => a.meta.repo.cmp(&b.meta.repo),
        };
        by_key.then(a.meta.number.cmp(&b.meta.number))
    }
}

/// The reviewer's last recorded verdict on a PR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LastDecision {
    /// The verdict.
    pub verdict: Verdict,
    /// Whether the PR's head moved since (the verdict is about an older commit).
    pub stale: bool,
}

impl LastDecision {
    /// `approve`, `changes` or `block`, with `*` when stale.
    fn label(self) -> String {
        let verdict = match self.verdict {
            Verdict::Approve => "approve",
            Verdict::RequestChanges => "changes",
            Verdict::Block => "block",
        };
        let stale = if self.stale { "*" } else { "" };
        format!("{verdict}{stale}")
    }
}

impl QueueState {
    /// The queue of `entries`, riskiest first, the first row selected.
    pub fn new(entries: &[PrEntry]) -> QueueState {
        let mut queue = QueueState {
            order: (0..entries.len()).collect(),
            sort: SortKey::Risk,
            min_risk: Risk::Low,
            needs_me: false,
            selected: 0,
            filter: String::new(),
            searching: false,
            decisions: Vec::new(),
            log_error: None,
        };
        queue.sort(entries);
        queue
    }

    /// The order in force.
    pub fn sort_key(&self) -> SortKey {
        self.sort
    }

    /// Orders the queue by the current sort key (ties by PR number), selecting the first row.
    fn sort(&mut self, entries: &[PrEntry]) {
        let sort = self.sort;
        self.order
            .sort_by(|&a, &b| match (entries.get(a), entries.get(b)) {
                (Some(a), Some(b)) => sort.compare(a, b),
                _ => a.cmp(&b),
            });
        self.selected = 0;
    }

    /// Reads `reviewer`'s last verdict on each entry from the decision log in `data_dir`.
    pub fn load_decisions(&mut self, entries: &[PrEntry], data_dir: &Path, reviewer: &str) {
        match read_all(&data_dir.join(LOG_FILE)) {
            Ok(log) => {
                self.decisions = entries
                    .iter()
                    .map(|entry| last_decision(&log.records, entry, reviewer))
                    .collect();
                self.log_error = None;
            }
            Err(error) => self.log_error = Some(error.to_string()),
        }
    }

    /// The reviewer's last verdict on `entries[index]`, if any.
    pub fn decision(&self, index: usize) -> Option<LastDecision> {
        self.decisions.get(index).copied().flatten()
    }

    /// The entries that pass the filter, in queue order.
    pub fn visible(&self, entries: &[PrEntry]) -> Vec<usize> {
        let needle = self.filter.to_lowercase();
        self.order
            .iter()
            .copied()
            .filter(|&i| {
                entries.get(i).is_some_and(|e| {
                    e.report.risk >= self.min_risk
                        && (!self.needs_me || self.needs_my_review(i))
                        && matches(e, &needle)
                })
            })
            .collect()
    }

    /// Whether I have no verdict on `entries[index]` yet, or only one on an older head.
    fn needs_my_review(&self, index: usize) -> bool {
        self.decision(index).is_none_or(|d| d.stale)
    }

    /// `risk >= HIGH · needs my review · "text"`: the filters in force, if any.
    fn filters_in_force(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.min_risk > Risk::Low {
            parts.push(format!("risk >= {}", self.min_risk.label()));
        }
        if self.needs_me {
            parts.push("needs my review".to_owned());
        }
        if !self.filter.is_empty() {
            parts.push(format!("\"{}\" (Esc clears)", self.filter));
        }
        (!parts.is_empty()).then(|| parts.join(" · "))
    }

    /// The entry index of the selected row, if any row is visible.
    pub fn selected_entry(&self, entries: &[PrEntry]) -> Option<usize> {
        self.visible(entries).get(self.selected).copied()
    }

    /// The current filter text.
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Handles a navigation action.
    pub fn act(&mut self, action: Action, entries: &[PrEntry]) {
        let last = self.visible(entries).len().saturating_sub(1);
        self.selected = match action {
            Action::Down => self.selected.saturating_add(1).min(last),
            Action::Up => self.selected.saturating_sub(1),
            Action::PageDown => self.selected.saturating_add(PAGE).min(last),
            Action::PageUp => self.selected.saturating_sub(PAGE),
            Action::Search => {
                self.searching = true;
                self.selected
            }
            Action::RiskFilter => {
                self.min_risk = next_risk(self.min_risk);
                0
            }
            Action::NeedsMe => {
                self.needs_me = !self.needs_me;
                0
            }
            Action::Sort => {
                self.sort = self.sort.next();
                self.sort(entries);
                0
            }
            Action::Back => {
                self.filter.clear();
                0
            }
            _ => self.selected,
        };
    }

    /// Takes a key while the filter is being typed; whether it was taken.
    pub fn type_key(&mut self, key: KeyEvent, entries: &[PrEntry]) -> bool {
        if !self.searching {
            return false;
        }
        match key.code {
            KeyCode::Enter => self.searching = false,
            KeyCode::Esc => {
                self.searching = false;
                self.filter.clear();
            }
            KeyCode::Backspace => {
                self.filter.pop();
            }
            KeyCode::Char(c) if !c.is_control() => self.filter.push(c),
            _ => {}
        }
        let last = self.visible(entries).len().saturating_sub(1);
        self.selected = self.selected.min(last);
        true
    }
}

/// The risk filter after `risk`: LOW (all) -> MEDIUM -> HIGH -> CRITICAL -> LOW.
fn next_risk(risk: Risk) -> Risk {
    match risk {
        Risk::Low => Risk::Medium,
        Risk::Medium => Risk::High,
        Risk::High => Risk::Critical,
        Risk::Critical => Risk::Low,
    }
}

/// The last of `records` by `reviewer` on `entry`'s PR.
fn last_decision(records: &[Record], entry: &PrEntry, reviewer: &str) -> Option<LastDecision> {
    let meta = &entry.meta;
    records
        .iter()
        .map(|record| &record.decision)
        .rfind(|d| d.repo == meta.repo && d.pr == meta.number && d.reviewer == reviewer)
        .map(|d| LastDecision {
            verdict: d.verdict,
            stale: d.head_sha != meta.head_sha,
        })
}

/// Whether `entry` matches the lowercase `needle` (empty matches everything).
fn matches(entry: &PrEntry, needle: &str) -> bool {
    let meta = &entry.meta;
    needle.is_empty()
        || [&meta.title, &meta.author, &meta.repo]
            .iter()
            .any(|field| clean(field).to_lowercase().contains(needle))
        || meta.number.to_string().contains(needle)
}

/// `12m`, `5h`, `3d`: how long ago `then` was.
pub fn age(now: Timestamp, then: Option<Timestamp>) -> String {
    let Some(then) = then else {
        return "?".to_owned();
    };
    let secs = now.unix_secs().saturating_sub(then.unix_secs()).max(0);
    match secs {
        s if s < 3_600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3_600),
        s => format!("{}d", s / 86_400),
    }
}

/// Draws the queue in `area`.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    state: &QueueState,
    entries: &[PrEntry],
    now: Timestamp,
    theme: &Theme,
) {
    let [table_area, footer] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    let block = Block::bordered()
        .title(Span::styled(
            format!("{} ({})", strings::QUEUE_TITLE, state.sort.label()),
            theme.accent,
        ))
        .border_style(theme.focus_border);
    let visible = state.visible(entries);
    let columns = Column::fitting(table_area.width);
    let inner_rows = usize::from(block.inner(table_area).height.saturating_sub(1)).max(1);
    let offset = state.selected.saturating_sub(inner_rows - 1);
    let rows = visible
        .iter()
        .enumerate()
        .skip(offset)
        .take(inner_rows)
        .filter_map(|(pos, &i)| entries.get(i).map(|e| (pos, (i, e))))
        .map(|(pos, (index, entry))| {
            let row = row(columns, entry, state.decision(index), now, theme);
            if pos == state.selected {
                row.style(theme.selected)
            } else {
                row
            }
        });
    let header = Row::new(columns.iter().map(|c| c.heading())).style(theme.dim);
    let widths = columns.iter().map(|c| c.width());
    let table = Table::new(rows, widths).header(header).block(block);
    frame.render_widget(table, table_area);
    if visible.is_empty() {
        let inner = Rect {
            y: table_area.y.saturating_add(2),
            height: 1,
            ..Block::bordered().inner(table_area)
        };
        frame.render_widget(
            Paragraph::new(Span::styled(strings::NO_MATCH, theme.dim)),
            inner,
        );
    }
    frame.render_widget(footer_line(state, theme), footer);
}

/// A queue column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Risk,
    Number,
    Title,
    Author,
    Age,
    Migrations,
    Mine,
    Draft,
    Repo,
}

impl Column {
    /// Every column.
    const ALL: &[Column] = &[
        Column::Risk,
        Column::Number,
        Column::Title,
        Column::Author,
        Column::Age,
        Column::Migrations,
        Column::Mine,
        Column::Draft,
        Column::Repo,
    ];
    /// Below 120 columns: no repo (the title bar names it when there is one).
    const NARROW: &[Column] = &[
        Column::Risk,
        Column::Number,
        Column::Title,
        Column::Author,
        Column::Age,
        Column::Migrations,
        Column::Mine,
        Column::Draft,
    ];
    /// Below 80 columns: what a triage needs.
    const TINY: &[Column] = &[Column::Risk, Column::Number, Column::Title, Column::Mine];

    /// The columns that fit `width`.
    fn fitting(width: u16) -> &'static [Column] {
        match width {
            w if w >= 120 => Column::ALL,
            w if w >= 80 => Column::NARROW,
            _ => Column::TINY,
        }
    }

    fn heading(self) -> &'static str {
        match self {
            Column::Risk => "Risk",
            Column::Number => "#",
            Column::Title => "Title",
            Column::Author => "Author",
            Column::Age => "Age",
            Column::Migrations => "Mig",
            Column::Mine => "Mine",
            Column::Draft => "Draft",
            Column::Repo => "Repo",
        }
    }

    fn width(self) -> Constraint {
        match self {
            Column::Risk | Column::Mine => Constraint::Length(8),
            Column::Number | Column::Age => Constraint::Length(4),
            Column::Title => Constraint::Fill(1),
            Column::Author => Constraint::Length(14),
            Column::Migrations => Constraint::Length(3),
            Column::Draft => Constraint::Length(5),
            Column::Repo => Constraint::Length(17),
        }
    }
}

/// One PR's row, with `columns`.
fn row<'a>(
    columns: &[Column],
    entry: &'a PrEntry,
    decision: Option<LastDecision>,
    now: Timestamp,
    theme: &Theme,
) -> Row<'a> {
    let meta = &entry.meta;
    Row::new(columns.iter().map(|column| match column {
        Column::Risk => Line::from(risk_badge(entry.report.risk, theme)),
        Column::Number => Line::styled(meta.number.to_string(), theme.text),
        Column::Title => Line::styled(clean(&meta.title).into_owned(), theme.text),
        Column::Author => Line::styled(clean(&meta.author).into_owned(), theme.dim),
        Column::Age => Line::styled(age(now, entry.updated_at), theme.dim),
        Column::Migrations => Line::styled(entry.migrations().to_string(), theme.text),
        Column::Mine => Line::styled(
            decision.map(LastDecision::label).unwrap_or_default(),
            theme.accent,
        ),
        Column::Draft => Line::styled(if meta.draft { "draft" } else { "" }, theme.changed),
        Column::Repo => Line::styled(clean(&meta.repo).into_owned(), theme.dim),
    }))
}

/// The footer: the filter being typed, the filter in force, or the key hint.
fn footer_line<'a>(state: &'a QueueState, theme: &Theme) -> Paragraph<'a> {
    let line = if let Some(error) = &state.log_error {
        Line::styled(format!("decision log: {error}"), theme.removed)
    } else if state.searching {
        Line::from(vec![
            Span::styled("/", theme.accent),
            Span::raw(state.filter.as_str()),
        ])
    } else if let Some(filters) = state.filters_in_force() {
        Line::from(vec![
            Span::styled(format!("{filters}  "), theme.accent),
            Span::styled(strings::QUEUE_HINT, theme.dim),
        ])
    } else {
        Line::styled(strings::QUEUE_HINT, theme.dim)
    };
    Paragraph::new(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_minutes_hours_then_days() {
        let now = Timestamp::from_unix_secs(1_000_000);
        let ago = |secs: i64| Some(Timestamp::from_unix_secs(1_000_000 - secs));
        assert_eq!(age(now, ago(125)), "2m");
        assert_eq!(age(now, ago(7_200)), "2h");
        assert_eq!(age(now, ago(3 * 86_400 + 5)), "3d");
        assert_eq!(age(now, Some(Timestamp::from_unix_secs(2_000_000))), "0m");
        assert_eq!(age(now, None), "?");
    }

    #[test]
    fn a_stale_verdict_is_starred() {
        let fresh = LastDecision {
            verdict: Verdict::Approve,
            stale: false,
        };
        assert_eq!(fresh.label(), "approve");
        let stale = LastDecision {
            verdict: Verdict::RequestChanges,
            stale: true,
        };
        assert_eq!(stale.label(), "changes*");
    }

    #[test]
    fn fixed_columns_leave_the_title_room_at_every_breakpoint() {
        for width in [40_u16, 79, 80, 119, 120, 200] {
            let fixed: u16 = Column::fitting(width)
                .iter()
                .map(|c| match c.width() {
                    Constraint::Length(n) => n,
                    _ => 0,
                })
                .sum();
            assert!(
                width < 80 || width - fixed >= 20,
                "{width}: title gets {}",
                width - fixed
            );
        }
    }
}
