//! Test helper: the review console on the embedded demo at a fixed "now", driven by keys and
//! drawn on a test backend.
// Each test crate uses a part of this helper.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use schemagate::app::entry::demo_entries;
use schemagate::review::{Checklists, FixedClock, Timestamp};
use schemagate::tui::app::App;
use schemagate::tui::context::Context;
use schemagate::tui::frame::draw;
use schemagate::tui::submitter::Submitter;
use schemagate::tui::theme::Theme;
use schemagate::tui::worker::Worker;

/// Opens the riskiest PR and records the verdict the dialog suggests (Block: allowed with
/// nothing ticked); the dialog stays open on its outcome.
pub const RECORD_SUGGESTED: &[KeyCode] = &[
    KeyCode::Enter,
    KeyCode::Char('v'),
    KeyCode::Enter,
    KeyCode::Char('y'),
];

/// Opens the riskiest PR, focuses the findings and starts a note on the first finding's
/// statement.
pub const NOTE_ON_FIRST_FINDING: &[KeyCode] = &[
    KeyCode::Enter,
    KeyCode::Tab,
    KeyCode::Tab,
    KeyCode::Char('n'),
];

/// The console on the demo, keeping its review state in `data_dir`, reviewer "ana".
pub fn demo_app(data_dir: &Path) -> App {
    let context = demo_context(data_dir);
    let entries = demo_entries(&context.checklists).unwrap();
    App::new(context, entries)
}

/// What the demo console needs: `data_dir`, reviewer "ana", a fixed "now", the checklists.
pub fn demo_context(data_dir: &Path) -> Context {
    let now = Timestamp::parse("2026-11-24T12:00:00Z").unwrap();
    Context {
        data_dir: data_dir.to_path_buf(),
        reviewer: "ana".to_owned(),
        clock: Arc::new(FixedClock(now)),
        checklists: Checklists::load(None).unwrap(),
        submitter: Submitter::local(),
        github_history: None,
        worker: Worker::inline(),
    }
}

/// Presses each key in turn.
pub fn press(app: &mut App, codes: &[KeyCode]) {
    for code in codes {
        app.handle_key(KeyEvent::from(*code));
    }
}

/// Types `text` one character at a time (into a search, a waiver reason or a note).
pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.handle_key(KeyEvent::from(KeyCode::Char(c)));
    }
}

/// Draws `app` at `width` x `height` and returns the screen as text, one line per row
/// (trailing blanks trimmed).
pub fn render(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| draw(frame, app, &Theme::plain()))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let symbols: Vec<&str> = buffer.content().iter().map(|cell| cell.symbol()).collect();
    symbols
        .chunks(usize::from(width.max(1)))
        .map(|row| row.concat().trim_end().to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}
