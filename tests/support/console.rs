//! Test helper: the review console on the embedded demo at a fixed "now", driven by keys.

use std::path::Path;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent};
use schemagate::review::{Checklists, FixedClock, Timestamp};
use schemagate::tui::app::{App, Context};
use schemagate::tui::entry::demo_entries;
use schemagate::tui::submitter::Submitter;

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
    }
}

/// Presses each key in turn.
pub fn press(app: &mut App, codes: &[KeyCode]) {
    for code in codes {
        app.handle_key(KeyEvent::from(*code));
    }
}
