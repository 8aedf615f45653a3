//! Drawing: one module per screen or dialog (the frame that holds them is
//! [`crate::tui::frame`]), and what they share.

pub mod audit;
pub mod help;
pub mod queue;
pub mod review;
pub mod verdict;

use std::borrow::Cow;
use std::collections::BTreeSet;

use crossterm::event::{KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::theme::Theme;
use crate::analysis::rules::Risk;
use crate::report::sanitize::sanitize_line;

/// The smallest terminal the layout is drawn in.
pub const MIN_WIDTH: u16 = 40;
/// The smallest terminal height the layout is drawn in.
pub const MIN_HEIGHT: u16 = 12;
/// Rows counted at most for one wrapped line (far more than any pane or dialog shows).
pub const MAX_WRAPPED_ROWS: u16 = 256;

/// The area below the title bar.
pub fn body_area(area: Rect) -> Rect {
    let [_, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    body
}

/// How many rows `line` takes in an area `width` columns wide, wrapped as a [`Paragraph`]
/// with `Wrap { trim: false }` wraps it (words kept whole where they fit): drawn with a marker
/// line after it, the marker's row is the count. Counting stops at [`MAX_WRAPPED_ROWS`].
pub fn wrapped_rows(line: Line<'_>, width: u16) -> usize {
    let marker = Color::Rgb(1, 2, 3);
    let rows = u16::try_from(line.width().saturating_add(2))
        .unwrap_or(u16::MAX)
        .min(MAX_WRAPPED_ROWS);
    let area = Rect::new(0, 0, width.max(1), rows);
    let mut buffer = Buffer::empty(area);
    Paragraph::new(vec![line, Line::styled("#", Style::new().bg(marker))])
        .wrap(Wrap { trim: false })
        .render(area, &mut buffer);
    (0..rows)
        .find(|&y| buffer.cell((0, y)).is_some_and(|cell| cell.bg == marker))
        .map_or(usize::from(rows), usize::from)
        .max(1)
}

/// The first of `len` rows to draw in `rows` lines so that row `selected` shows: the
/// `previous` first row when the selection is still in view (the list does not jump under the
/// mouse), else the least scrolling that brings it into view; never past the last full page.
pub fn scroll_offset(previous: usize, selected: usize, rows: usize, len: usize) -> usize {
    let rows = rows.max(1);
    let offset = if selected < previous {
        selected
    } else if selected >= previous.saturating_add(rows) {
        selected + 1 - rows
    } else {
        previous
    };
    offset.min(len.saturating_sub(rows))
}

/// Whether `key` types the character `c` into a text field (not a control character, no Ctrl
/// or Alt held).
pub fn is_text(key: KeyEvent, c: char) -> bool {
    !c.is_control()
        && !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
}

/// A PR string made safe to draw: no escape sequences, no control characters, one line.
pub fn clean(text: &str) -> Cow<'_, str> {
    sanitize_line(text)
}

/// The name after `current` in `names` (`None` after the last, and the first after `None`):
/// cycling a filter through every repository, then all of them again.
pub fn next_name(names: &BTreeSet<&str>, current: Option<&str>) -> Option<String> {
    let next = match current {
        None => names.iter().next(),
        Some(current) => names.iter().find(|name| **name > current),
    };
    next.map(|name| (*name).to_owned())
}

/// `HIGH     ` (padded to one width) in the risk's colour.
pub fn risk_badge(risk: Risk, theme: &Theme) -> Span<'static> {
    Span::styled(format!("{:<8} ", risk.label()), theme.risk(risk))
}

/// A `width` x `height` rectangle centred in `area` (clipped to it).
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centered_stays_inside_the_area() {
        let area = Rect::new(3, 4, 50, 10);
        assert_eq!(centered(area, 20, 4), Rect::new(18, 7, 20, 4));
        assert_eq!(centered(area, 80, 40), area);
        assert_eq!(centered(Rect::default(), 5, 5), Rect::default());
    }

    #[test]
    fn next_name_cycles_through_the_names_then_none() {
        let names: BTreeSet<&str> = ["a/x", "b/y"].into_iter().collect();
        assert_eq!(next_name(&names, None).as_deref(), Some("a/x"));
        assert_eq!(next_name(&names, Some("a/x")).as_deref(), Some("b/y"));
        assert_eq!(next_name(&names, Some("b/y")), None);
        assert_eq!(next_name(&BTreeSet::new(), None), None);
    }

    #[test]
    fn wrapped_rows_counts_word_wrapped_rows() {
        assert_eq!(wrapped_rows(Line::raw(""), 10), 1);
        assert_eq!(wrapped_rows(Line::raw("0123456789"), 10), 1);
        assert_eq!(wrapped_rows(Line::raw("01234567890"), 10), 2);
        // Words kept whole: 20 characters fill 2 rows of 10, but each word takes a row.
        assert_eq!(wrapped_rows(Line::raw("aaaaaa bbbbbb cccccc"), 10), 3);
        assert_eq!(wrapped_rows(Line::raw("x".repeat(5_000)), 1), 256);
    }

    #[test]
    fn the_scroll_offset_moves_only_to_keep_the_selection_in_view() {
        assert_eq!(scroll_offset(0, 3, 5, 9), 0, "in view: no scroll");
        assert_eq!(scroll_offset(0, 6, 5, 9), 2, "below: just enough");
        assert_eq!(
            scroll_offset(4, 5, 5, 9),
            4,
            "still in view after a jump down"
        );
        assert_eq!(scroll_offset(4, 2, 5, 9), 2, "above: to the selection");
        assert_eq!(
            scroll_offset(4, 4, 5, 6),
            1,
            "the list shrank: no blank rows"
        );
        assert_eq!(scroll_offset(3, 0, 0, 0), 0);
    }

    #[test]
    fn pr_strings_lose_their_escapes() {
        assert_eq!(clean("\u{1b}[31mred\u{1b}[0m\nline"), "red line");
    }
}
