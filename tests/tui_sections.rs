//! Queue sections in the console: with sections configured the queue has tabs ("All open
//! PRs", then each section), Tab / Shift-Tab or a click on a tab switch them, and the queue
//! empties and loads the chosen view through the source.

#[path = "support/console.rs"]
mod console;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use console::{demo_context, press, render};
use crossterm::event::KeyCode;
use ratatui::layout::Rect;
use schemagate::app::entry::PrEntry;
use schemagate::review::Checklists;
use schemagate::source::demo::demo_changes;
use schemagate::tui::app::App;
use schemagate::tui::loader::{LoadEvent, LoadSink, LoadSource};

/// The demo PRs; view 1 ("DB label") has the PRs numbered below 105, view 2 ("Mine") #108.
struct Sectioned {
    view: AtomicUsize,
}

impl Sectioned {
    fn in_view(view: usize, number: u64) -> bool {
        match view {
            0 => true,
            1 => number < 105,
            _ => number == 108,
        }
    }
}

impl LoadSource for Sectioned {
    fn load(&self, sink: &LoadSink) {
        let view = self.view.load(Ordering::SeqCst);
        let checklists = Checklists::load(None).unwrap();
        for change in demo_changes().unwrap() {
            if Sectioned::in_view(view, change.meta.number) {
                let entry = PrEntry::analyse(change, &checklists);
                sink.send(LoadEvent::Entry(Box::new(entry)));
            }
        }
    }

    fn views(&self) -> Vec<String> {
        ["All open PRs", "DB label", "Mine"]
            .map(str::to_owned)
            .to_vec()
    }

    fn select_view(&self, index: usize) {
        self.view.store(index, Ordering::SeqCst);
    }
}

fn loaded_app(dir: &std::path::Path) -> (App, Arc<Sectioned>) {
    let source = Arc::new(Sectioned {
        view: AtomicUsize::new(0),
    });
    let mut app = App::loading(demo_context(dir), source.clone());
    app.settle();
    (app, source)
}

fn numbers(app: &App) -> Vec<u64> {
    let mut numbers: Vec<u64> = app.entries.iter().map(|e| e.meta.number).collect();
    numbers.sort_unstable();
    numbers
}

#[test]
fn tab_and_shift_tab_switch_sections_and_load_them() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, source) = loaded_app(dir.path());
    assert_eq!(app.views().1, 0);
    assert_eq!(app.entries.len(), 9);

    press(&mut app, &[KeyCode::Tab]);
    assert_eq!(app.views().1, 1);
    assert_eq!(source.view.load(Ordering::SeqCst), 1);
    assert!(app.entries.is_empty(), "the other section's PRs go at once");
    assert!(app.load.running);
    app.settle();
    assert_eq!(numbers(&app), [101, 102, 103, 104]);

    press(&mut app, &[KeyCode::Char('r')]);
    app.settle();
    assert_eq!(
        numbers(&app),
        [101, 102, 103, 104],
        "a refresh keeps the section"
    );

    press(&mut app, &[KeyCode::BackTab, KeyCode::BackTab]);
    app.settle();
    assert_eq!(app.views().1, 2, "Shift-Tab wraps to the last section");
    assert_eq!(numbers(&app), [108]);

    press(&mut app, &[KeyCode::Tab]);
    app.settle();
    assert_eq!(app.views().1, 0, "Tab wraps to every open PR");
    assert_eq!(app.entries.len(), 9);
}

#[test]
fn a_click_on_a_section_tab_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, _source) = loaded_app(dir.path());
    let area = Rect::new(0, 0, 100, 30);
    let screen = render(&app, 100, 30);
    let top = screen.lines().nth(1).unwrap();
    let column = |text: &str| {
        let byte = top.find(text).unwrap();
        u16::try_from(top[..byte].chars().count()).unwrap()
    };
    app.handle_click(column(" Mine ") + 2, 1, area);
    assert_eq!(app.views().1, 2);
    app.settle();
    assert_eq!(numbers(&app), [108]);
    app.handle_click(column("]"), 1, area);
    assert_eq!(app.views().1, 0, "the last column of the first tab");
    app.handle_click(column("(riskiest"), 1, area);
    assert_eq!(app.views().1, 0, "the order is no tab");
}

#[test]
fn sources_without_sections_show_no_tabs_and_tab_does_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = console::demo_app(dir.path());
    press(&mut app, &[KeyCode::Tab]);
    assert_eq!(app.views(), (&[][..], 0));
    let screen = render(&app, 100, 30);
    assert!(screen.contains("Open PRs touching migrations"), "{screen}");
    assert!(!screen.contains("section"), "{screen}");
}

#[test]
fn section_tabs_at_each_size() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, _source) = loaded_app(dir.path());
    press(&mut app, &[KeyCode::Tab]);
    app.settle();
    for (width, height) in [(160, 48), (80, 24)] {
        let screen = render(&app, width, height);
        assert!(screen.contains("[DB label]"), "{screen}");
        insta::assert_snapshot!(format!("queue_sections_{width}x{height}"), screen);
    }
}
