//! The queue: every open PR that touches migrations, riskiest first, with a search filter.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table};

use super::{clean, risk_badge};
use crate::review::Timestamp;
use crate::tui::entry::PrEntry;
use crate::tui::keys::Action;
use crate::tui::strings;
use crate::tui::theme::Theme;

/// Rows a page up or down moves.
const PAGE: usize = 10;

/// The queue's own state.
pub struct QueueState {
    /// Entry indexes, riskiest first (then by number).
    order: Vec<usize>,
    /// Position of the selection among the rows that pass the filter.
    selected: usize,
    /// The search filter (lowercase match on title, author, repo, number).
    filter: String,
    /// Whether keys go into the filter.
    searching: bool,
}

impl QueueState {
    /// The queue of `entries`, riskiest first, the first row selected.
    pub fn new(entries: &[PrEntry]) -> QueueState {
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by_key(|&i| {
            entries
                .get(i)
                .map(|e| (std::cmp::Reverse(e.report.risk), e.change.meta.number))
        });
        QueueState {
            order,
            selected: 0,
            filter: String::new(),
            searching: false,
        }
    }

    /// The entries that pass the filter, in queue order.
    pub fn visible(&self, entries: &[PrEntry]) -> Vec<usize> {
        let needle = self.filter.to_lowercase();
        self.order
            .iter()
            .copied()
            .filter(|&i| entries.get(i).is_some_and(|e| matches(e, &needle)))
            .collect()
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

/// Whether `entry` matches the lowercase `needle` (empty matches everything).
fn matches(entry: &PrEntry, needle: &str) -> bool {
    let meta = &entry.change.meta;
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
        .title(Span::styled(strings::QUEUE_TITLE, theme.accent))
        .border_style(theme.focus_border);
    let visible = state.visible(entries);
    let inner_rows = usize::from(block.inner(table_area).height.saturating_sub(1)).max(1);
    let offset = state.selected.saturating_sub(inner_rows - 1);
    let rows = visible
        .iter()
        .enumerate()
        .skip(offset)
        .take(inner_rows)
        .filter_map(|(pos, &i)| entries.get(i).map(|e| (pos, e)))
        .map(|(pos, entry)| {
            let row = row(entry, now, theme);
            if pos == state.selected {
                row.style(theme.selected)
            } else {
                row
            }
        });
    let header = Row::new(strings::QUEUE_HEADER).style(theme.dim);
    let widths = [
        Constraint::Length(8),
        Constraint::Length(4),
        Constraint::Fill(1),
        Constraint::Length(14),
        Constraint::Length(4),
        Constraint::Length(3),
        Constraint::Length(5),
        Constraint::Length(17),
    ];
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

/// One PR's row.
fn row<'a>(entry: &'a PrEntry, now: Timestamp, theme: &Theme) -> Row<'a> {
    let meta = &entry.change.meta;
    Row::new(vec![
        Line::from(risk_badge(entry.report.risk, theme)),
        Line::styled(meta.number.to_string(), theme.text),
        Line::styled(clean(&meta.title).into_owned(), theme.text),
        Line::styled(clean(&meta.author).into_owned(), theme.dim),
        Line::styled(age(now, entry.updated_at), theme.dim),
        Line::styled(entry.migrations().to_string(), theme.text),
        Line::styled(if meta.draft { "draft" } else { "" }, theme.changed),
        Line::styled(clean(&meta.repo).into_owned(), theme.dim),
    ])
}

/// The footer: the filter being typed, the filter in force, or the key hint.
fn footer_line<'a>(state: &'a QueueState, theme: &Theme) -> Paragraph<'a> {
    let line = if state.searching {
        Line::from(vec![
            Span::styled("/", theme.accent),
            Span::raw(state.filter.as_str()),
        ])
    } else if !state.filter.is_empty() {
        Line::from(vec![
            Span::styled(
                format!("filter: {}  (Esc clears)  ", state.filter),
                theme.accent,
            ),
            Span::styled(strings::QUEUE_HINT, theme.dim),
        ])
    } else {
        Line::styled(strings::QUEUE_HINT, theme.dim)
    };
    Paragraph::new(line)
}
