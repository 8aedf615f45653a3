//! `schemagate demo`: the review console on the embedded meal-planner demo (no network, no token).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;

use super::args::DemoArgs;
use crate::review::durable::data_dir;
use crate::review::{Checklists, SystemClock};
use crate::tui::app::{App, Context};
use crate::tui::entry::demo_entries;
use crate::tui::event::TerminalEvents;
use crate::tui::theme::Theme;

/// How long the loop waits for a key before drawing again.
const TICK: Duration = Duration::from_millis(250);

/// Runs the console on the demo PRs.
pub fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let theme = Theme::load(&args.theme, Theme::no_color_from_env())?;
    let checklists = Checklists::load(None)?;
    let entries = demo_entries(&checklists)?;
    let data_dir = data_dir().context("no data directory (set SCHEMAGATE_DATA_DIR)")?;
    let reviewer = std::env::var("USER").unwrap_or_else(|_| "reviewer".to_owned());
    let context = Context {
        data_dir,
        reviewer,
        clock: Arc::new(SystemClock),
        checklists,
    };
    let mut app = App::new(context, entries);
    crate::tui::run(&mut app, &theme, &mut TerminalEvents { tick: TICK })?;
    Ok(ExitCode::SUCCESS)
}
