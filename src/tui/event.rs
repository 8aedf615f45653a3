//! Where the console's events come from. The loop asks an [`EventSource`] for the next event;
//! the terminal is one source, and a channel fed by background loaders (GitHub, a local
//! checkout) can be another, merged behind the same trait, without touching the screens.

use std::io;
use std::time::Duration;

use crossterm::event::{self, Event, KeyEvent, KeyEventKind, MouseButton, MouseEventKind};

/// Something the console reacts to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppEvent {
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

/// A source of events.
pub trait EventSource {
    /// The next event, or `None` when nothing happened within the source's wait.
    ///
    /// # Errors
    /// An I/O error from the terminal.
    fn next(&mut self) -> io::Result<Option<AppEvent>>;
}

/// The terminal's keys and resizes, waiting at most `tick` for each.
pub struct TerminalEvents {
    /// How long [`EventSource::next`] waits before returning `None`.
    pub tick: Duration,
}

impl EventSource for TerminalEvents {
    fn next(&mut self) -> io::Result<Option<AppEvent>> {
        if !event::poll(self.tick)? {
            return Ok(None);
        }
        Ok(match event::read()? {
            Event::Key(key) if key.kind != KeyEventKind::Release => Some(AppEvent::Key(key)),
            Event::Mouse(mouse) => match mouse.kind {
                MouseEventKind::ScrollDown => Some(AppEvent::Scroll { down: true }),
                MouseEventKind::ScrollUp => Some(AppEvent::Scroll { down: false }),
                MouseEventKind::Down(MouseButton::Left) => Some(AppEvent::Click {
                    column: mouse.column,
                    row: mouse.row,
                }),
                _ => None,
            },
            Event::Resize(..) => Some(AppEvent::Resize),
            _ => None,
        })
    }
}
