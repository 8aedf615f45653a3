//! The review console (ratatui), drawing the review items of [`crate::app`]. `context` is what
//! the console needs from outside, `app` holds the state and routes keys, clicks and
//! background answers, `views` draws (queue, review, verdict, audit, help) in the `frame`,
//! `keys` maps keys to actions (defaults and the config's `[keybindings]`), `theme` holds
//! colours.
//! Everything the console reacts to arrives on one event channel (`channel`): the terminal's
//! input (`event`, read on a thread of its own), a tick while something moves, and the answers
//! of background jobs, which run on the `worker`: `loader` fills the queue (`offline` is the
//! local-checkout source, `github` the GitHub one, which retries the outbox first through
//! `outbox_retry`), `submitter` sends verdicts. `strings` holds the fixed text.
//! This module owns the terminal and the event loop: the loop blocks on the channel and draws
//! only when something changed; raw mode, the alternate screen and mouse capture are restored
//! on exit and on panic.

pub mod app;
pub mod channel;
pub mod context;
pub mod event;
pub mod frame;
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
pub mod worker;

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
use channel::{Event, Post};
use theme::Theme;

/// The name of the thread that reads the terminal.
const INPUT_THREAD: &str = "schemagate-input";

/// Runs the console until the reviewer quits.
///
/// # Errors
/// Terminal I/O errors; the terminal is restored first.
pub fn run(app: &mut App, theme: &Theme) -> anyhow::Result<()> {
    install_panic_hook(app.context.data_dir.clone());
    let mut terminal = enter().context("setting up the terminal")?;
    let result = read_input(app.post())
        .context("starting to read the terminal")
        .and_then(|()| event_loop(&mut terminal, app, theme));
    leave();
    result
}

/// Blocks on the event channel; draws when something changed.
fn event_loop(
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    app: &mut App,
    theme: &Theme,
) -> anyhow::Result<()> {
    let mut redraw = true;
    while !app.quit {
        if redraw {
            terminal.draw(|frame| frame::draw(frame, app, theme))?;
        }
        let event = app.wait();
        if let Event::InputFailed(error) = event {
            return Err(error).context("reading the terminal");
        }
        let size = terminal.size()?;
        redraw = app.handle(event, Rect::new(0, 0, size.width, size.height));
    }
    Ok(())
}

/// Reads the terminal on a thread of its own, posting what the reviewer does to the channel
/// (until the console stops listening, or the terminal fails).
fn read_input(post: Post) -> io::Result<()> {
    std::thread::Builder::new()
        .name(INPUT_THREAD.to_owned())
        .spawn(move || {
            loop {
                let posted = match event::read() {
                    Ok(Some(input)) => post.event(Event::Input(input)),
                    Ok(None) => true,
                    Err(error) => {
                        post.event(Event::InputFailed(error));
                        false
                    }
                };
                if !posted {
                    return;
                }
            }
        })
        .map(drop)
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
