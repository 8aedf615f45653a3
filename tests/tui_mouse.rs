//! Mouse clicks drive the console like keys: a click selects a queue row and a second click
//! opens it; in the review a click switches tabs, focuses a pane and selects the checklist item
//! or finding under it; on the audit screen it selects a decision; any click closes the help.

#[path = "support/console.rs"]
mod console;

use console::{RECORD_SUGGESTED, demo_app, press, render, type_text};
use crossterm::event::KeyCode;
use ratatui::layout::Rect;
use schemagate::review::ItemState;
use schemagate::tui::app::App;
use schemagate::tui::keys::Screen;
use schemagate::tui::views::review::Pane;

const WIDTH: u16 = 100;
const HEIGHT: u16 = 30;

fn area() -> Rect {
    Rect::new(0, 0, WIDTH, HEIGHT)
}

/// The row and column where `text` is drawn.
fn find(app: &App, text: &str) -> (u16, u16) {
    let screen = render(app, WIDTH, HEIGHT);
    for (y, line) in screen.lines().enumerate() {
        if let Some(byte) = line.find(text) {
            let x = line[..byte].chars().count();
            return (u16::try_from(x).unwrap(), u16::try_from(y).unwrap());
        }
    }
    panic!("{text:?} is not on the screen:\n{screen}");
}

#[test]
fn a_click_selects_a_queue_row_and_a_second_click_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let (x, y) = find(&app, "Remove unused User.timezone");
    app.handle_click(x, y, area());
    assert!(app.review.is_none());
    let selected = app.queue.selected_entry(&app.entries).unwrap();
    assert_eq!(app.entries[selected].meta.number, 103);
    app.handle_click(x, y, area());
    assert_eq!(app.open_entry().unwrap().meta.number, 103);
    let (_, border) = find(&app, "┌");
    app.handle_click(x, border, area());
    assert_eq!(
        app.screen(),
        Screen::Review,
        "a click on no row does nothing"
    );
}

#[test]
fn clicks_in_the_review_switch_tabs_focus_panes_and_select_items() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, &[KeyCode::Enter]);
    let (x, y) = find(&app, "Findings");
    app.handle_click(x + 1, y, area());
    assert_eq!(app.review.as_ref().unwrap().focus, Pane::Findings);
    assert!(find(&app, "CRITICAL cascade-widened").1 > y);

    let (x, y) = find(&app, "New foreign keys are indexed");
    app.handle_click(x, y, area());
    let review = app.review.as_ref().unwrap();
    assert_eq!(review.focus, Pane::Checklist);
    let entry = app.open_entry().unwrap();
    let item = entry.report.checklist[review.cursor].clone();
    assert!(item.text.starts_with("New foreign keys"), "{}", item.text);
    press(&mut app, &[KeyCode::Char(' ')]);
    let review = app.review.as_ref().unwrap();
    assert!(matches!(
        review.draft.state.get(&item.id),
        ItemState::Ticked { .. }
    ));
}

#[test]
fn a_click_on_a_migration_line_selects_it_for_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, &[KeyCode::Enter, KeyCode::Char('r')]);
    let (x, y) = find(&app, "CREATE TABLE \"new_PantryItem\"");
    app.handle_click(x, y, area());
    let place = app.review.as_ref().unwrap().selected_statement().unwrap();
    assert_eq!(place.1, 4, "line 4 of the migration holds the CREATE TABLE");
}

#[test]
fn a_click_selects_a_decision_and_closes_the_help() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, RECORD_SUGGESTED);
    press(&mut app, &[KeyCode::Enter, KeyCode::Esc, KeyCode::Down]);
    press(&mut app, RECORD_SUGGESTED);
    press(&mut app, &[KeyCode::Enter]);
    press(&mut app, &[KeyCode::Esc, KeyCode::Char('a')]);
    let (x, y) = find(&app, "#104");
    app.handle_click(x, y, area());
    let audit = app.audit.as_ref().unwrap();
    assert_eq!(audit.selected().unwrap().decision.pr, 104);
    assert!(!audit.detail);
    app.handle_click(x, y, area());
    assert!(
        app.audit.as_ref().unwrap().detail,
        "a second click opens it"
    );

    press(&mut app, &[KeyCode::Char('?')]);
    assert!(app.help);
    app.handle_click(0, 0, area());
    assert!(!app.help);
}

#[test]
fn the_wheel_does_not_move_the_item_a_waiver_is_typed_for() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, &[KeyCode::Enter, KeyCode::Char('w')]);
    app.handle_scroll(true);
    app.handle_scroll(true);
    type_text(&mut app, "seed data only");
    press(&mut app, &[KeyCode::Enter]);
    let review = app.review.as_ref().unwrap();
    assert_eq!(review.cursor, 0);
    let first = &app.open_entry().unwrap().report.checklist[0].id;
    assert!(matches!(
        review.draft.state.get(first),
        ItemState::Waived { .. }
    ));
}

#[test]
fn a_click_on_a_terminal_too_small_to_draw_does_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let (x, y) = find(&app, "Remove unused User.timezone");
    let tiny = Rect::new(0, 0, 39, HEIGHT);
    app.handle_click(x.min(38), y, tiny);
    app.handle_click(x.min(38), y, tiny);
    assert!(app.review.is_none(), "nothing is drawn there to click");
    assert_eq!(app.queue.selected_position(), 0);
}

#[test]
fn a_click_below_wrapped_lines_selects_the_line_clicked() {
    // At 160 columns the findings pane is narrow: the finding's heading and message wrap
    // word by word, so each SQL line's row must be counted as the pane wraps it.
    let (width, height) = (160, 48);
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, &[KeyCode::Enter, KeyCode::Tab, KeyCode::Tab]);
    let screen = render(&app, width, height);
    let clicked = ["1 | -- RedefineTables", "3 | PRAGMA foreign_keys=OFF;"];
    for text in clicked {
        let (y, line) = screen
            .lines()
            .enumerate()
            .find(|(_, line)| line.contains(text))
            .unwrap();
        let x = line[..line.find(text).unwrap()].chars().count();
        let mut app = demo_app(dir.path());
        press(&mut app, &[KeyCode::Enter, KeyCode::Tab, KeyCode::Tab]);
        let (x, y) = (u16::try_from(x).unwrap(), u16::try_from(y).unwrap());
        app.handle_click(x, y, Rect::new(0, 0, width, height));
        let after = render(&app, width, height);
        let top = after.lines().nth(3).unwrap();
        assert!(top.contains(text), "{text}: {after}");
    }
}

#[test]
fn every_queue_row_clicked_at_every_size_selects_that_pr() {
    let dir = tempfile::tempdir().unwrap();
    // The last PR selected: the table is scrolled where it does not fit.
    let scrolled = || {
        let mut app = demo_app(dir.path());
        press(&mut app, &[KeyCode::End]);
        app
    };
    for (width, height) in [(40, 12), (60, 14), (80, 24), (100, 30), (160, 48)] {
        let app = scrolled();
        let screen = render(&app, width, height);
        let numbers: Vec<u64> = app.entries.iter().map(|e| e.meta.number).collect();
        let mut clicked = 0;
        for (y, line) in screen.lines().enumerate() {
            let Some(number) = numbers.iter().find(|n| line.contains(&format!(" {n} "))) else {
                continue;
            };
            // Each click on the screen as drawn (moving the selection may scroll the table).
            let mut app = scrolled();
            let y = u16::try_from(y).unwrap();
            app.handle_click(1, y, Rect::new(0, 0, width, height));
            let selected = app.queue.selected_entry(&app.entries).unwrap();
            let got = app.entries[selected].meta.number;
            assert_eq!(got, *number, "{width}x{height} row {y}");
            clicked += 1;
        }
        assert!(clicked >= 2, "{width}x{height}: {screen}");
    }
}

#[test]
fn a_row_stays_under_the_mouse_so_a_second_click_opens_it() {
    let (width, height) = (40, 12);
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, &[KeyCode::End]);
    let screen = render(&app, width, height);
    let numbers: Vec<u64> = app.entries.iter().map(|e| e.meta.number).collect();
    let (y, number) = screen
        .lines()
        .enumerate()
        .find_map(|(y, line)| {
            let n = numbers.iter().find(|n| line.contains(&format!(" {n} ")))?;
            Some((u16::try_from(y).unwrap(), *n))
        })
        .unwrap();
    let last = app.queue.selected_entry(&app.entries).unwrap();
    assert_ne!(
        app.entries[last].meta.number, number,
        "the top row is not the selection"
    );
    app.handle_click(1, y, Rect::new(0, 0, width, height));
    let after = render(&app, width, height);
    let row = after.lines().nth(usize::from(y)).unwrap();
    assert!(
        row.contains(&format!(" {number} ")),
        "the row moved: {after}"
    );
    app.handle_click(1, y, Rect::new(0, 0, width, height));
    assert_eq!(app.open_entry().unwrap().meta.number, number);
}
