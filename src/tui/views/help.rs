//! The help overlay: every key of the current screen, as the keymap in force binds them (the
//! config's `[keybindings]` included), and what the mouse does there.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::centered;
use crate::tui::keys::{Keymap, Screen, bindings};
use crate::tui::strings;
use crate::tui::theme::Theme;

/// Width of the key column.
const KEY_COLUMN: usize = 13;

/// Draws the key list of `screen` over `area`.
pub fn draw(frame: &mut Frame, area: Rect, screen: Screen, keymap: &Keymap, theme: &Theme) {
    let lines: Vec<Line> = bindings(screen)
        .iter()
        .map(|b| {
            let keys = match b.action {
                Some(action) => keymap.label(action),
                None => format!("mouse {}", b.gesture),
            };
            Line::from(vec![
                Span::styled(format!("{keys:<KEY_COLUMN$} "), theme.accent),
                Span::styled(b.help, theme.text),
            ])
        })
        .collect();
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let rect = centered(area, 80, height);
    let block = Block::bordered()
        .title(Span::styled(keymap.fill(strings::HELP_TITLE), theme.accent))
        .border_style(theme.focus_border);
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
