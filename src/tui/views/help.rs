//! The help overlay: every key of the current screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::centered;
use crate::tui::keys::{Screen, bindings};
use crate::tui::strings;
use crate::tui::theme::Theme;

/// Width of the key column.
const KEY_COLUMN: usize = 13;

/// Draws the key list of `screen` over `area`.
pub fn draw(frame: &mut Frame, area: Rect, screen: Screen, theme: &Theme) {
    let lines: Vec<Line> = bindings(screen)
        .iter()
        .map(|b| {
            Line::from(vec![
                Span::styled(format!("{:<KEY_COLUMN$}", b.keys), theme.accent),
                Span::styled(b.help, theme.text),
            ])
        })
        .collect();
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let rect = centered(area, 72, height);
    let block = Block::bordered()
        .title(Span::styled(strings::HELP_TITLE, theme.accent))
        .border_style(theme.focus_border);
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
