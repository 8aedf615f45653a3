//! The review console (ratatui). `entry` is a PR analysed for review (with its `cascade_tree`),
//! `app` holds the state and routes keys and clicks, `views` draws (queue, review, verdict,
//! audit, help), `keys` maps keys to actions (defaults and the config's `[keybindings]`), `theme`
//! holds colours, `event` says where events come from, `loader` fills the queue from a
//! background thread (`offline` is the local-checkout source, `github` the GitHub one, which
//! retries the outbox first through `outbox_retry`), `strings` holds the fixed text.
//! This module owns the terminal: raw mode, the alternate screen and mouse capture, restored on
//! exit and on panic.

pub mod app;
pub mod cascade_tree;
pub mod entry;
pub mod event;
pub mod github;
pub mod history;
pub mod keys;
pub mod loader;
pub mod offline;
pub mod outbox_retry;
pub mod strings;
pub mod submitter;
pub mod theme;
pub mod views;

use std::io::{self, Stdout};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;

use app::App;
use event::{AppEvent, EventSource};
use theme::Theme;

/// Runs the console until the reviewer quits, reading events from `events`.
///
/// # Errors
/// Terminal I/O errors; the terminal is restored first.
pub fn run(app: &mut App, theme: &Theme, events: &mut dyn EventSource) -> anyhow::Result<()> {
    install_panic_hook(app.context.data_dir.clone());
    let mut terminal = enter().context("setting up the terminal")?;
    let result = event_loop(&mut terminal, app, theme, events);
    leave();
    result
}

fn event_loop(
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    app: &mut App,
    theme: &Theme,
    events: &mut dyn EventSource,
) -> anyhow::Result<()> {
    while !app.quit {
        terminal.draw(|frame| views::draw(frame, app, theme))?;
        match events.next()? {
            Some(AppEvent::Key(key)) => app.handle_key(key),
            Some(AppEvent::Scroll { down }) => app.handle_scroll(down),
            Some(AppEvent::Click { column, row }) => {
                let size = terminal.size()?;
                app.handle_click(column, row, Rect::new(0, 0, size.width, size.height));
            }
            Some(AppEvent::Resize) | None => {}
        }
        app.tick();
        views::verdict::tick(app);
    }
    Ok(())
}

/// Raw mode and the alternate screen.
fn enter() -> io::Result<Terminal<CrosstermBackend<Stdout>>> {
    enable_raw_mode()?;
    let mut stdout = io::stdout();
    if let Err(error) = execute!(stdout, EnterAlternateScreen, EnableMouseCapture) {
        leave();
        return Err(error);
    }
    Terminal::new(CrosstermBackend::new(stdout))
}

/// Back to the normal screen and cooked mode (best effort: nothing more can be done on failure).
fn leave() {
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), DisableMouseCapture, LeaveAlternateScreen);
}

/// On panic: write it to `<data dir>/crash-report.txt`; on the main thread also restore the
/// terminal and say where the report is (a background thread's panic is not fatal).
fn install_panic_hook(data_dir: PathBuf) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let report = crash_report_path(&data_dir);
        let written = std::fs::create_dir_all(&data_dir)
            .and_then(|()| std::fs::write(&report, format!("{info}\n")));
        if std::thread::current().name() != Some("main") {
            // A background thread (the loader, the audit's heads, the network runtime): the
            // console keeps running and shows the failure where that work's answer goes.
            return;
        }
        leave();
        previous(info);
        match written {
            Ok(()) => eprintln!("schemagate crashed; report written to {}", report.display()),
            Err(error) => eprintln!(
                "schemagate crashed; could not write {}: {error}",
                report.display()
            ),
        }
    }));
}

/// Where a crash report goes.
pub fn crash_report_path(data_dir: &Path) -> PathBuf {
    data_dir.join("crash-report.txt")
}
