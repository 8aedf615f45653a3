//! What the reviewer does at the terminal: keys, the mouse wheel, clicks, resizes, read as
//! [`Input`]s. The console's input thread reads them with [`read`] and posts them to the one
//! event channel ([`crate::tui::channel`]), where background results arrive too.

use std::io;

use crossterm::event::{self, Event, KeyEvent, KeyEventKind, MouseButton, MouseEventKind};

/// Something the reviewer did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// A key was pressed.
    Key(KeyEvent),
    /// The mouse wheel turned (down or up).
    Scroll {
        /// Whether it turned down.
        down: bool,
    },
    /// The left mouse button was pressed at a cell.
    Click {
        /// The cell's column (0 at the left).
        column: u16,
        /// The cell's row (0 at the top).
        row: u16,
    },
    /// The terminal changed size (the next frame is laid out anew).
    Resize,
}

/// Waits for the next terminal event; `None` for one the console ignores (a key release, a
/// mouse move, focus changes).
///
/// # Errors
/// An I/O error from the terminal.
pub fn read() -> io::Result<Option<Input>> {
    Ok(match event::read()? {
        Event::Key(key) if key.kind != KeyEventKind::Release => Some(Input::Key(key)),
        Event::Mouse(mouse) => match mouse.kind {
            MouseEventKind::ScrollDown => Some(Input::Scroll { down: true }),
            MouseEventKind::ScrollUp => Some(Input::Scroll { down: false }),
            MouseEventKind::Down(MouseButton::Left) => Some(Input::Click {
                column: mouse.column,
                row: mouse.row,
            }),
            _ => None,
        },
        Event::Resize(..) => Some(Input::Resize),
        _ => None,
    })
}
