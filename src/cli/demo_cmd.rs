//! `schemagate demo`: the review console on the embedded meal-planner demo (no network, no token).

use std::process::ExitCode;

use anyhow::Context as _;

use super::args::DemoArgs;
use super::console_cmd::{TICK, console_context};
use crate::config::{Config, ConfigError};
use crate::review::Checklists;
use crate::tui::app::App;
use crate::tui::entry::demo_entries;
use crate::tui::event::TerminalEvents;
use crate::tui::keys::Keymap;
use crate::tui::theme::Theme;

/// Runs the console on the demo PRs.
pub fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let theme = Theme::load(&args.theme, Theme::no_color_from_env())?;
    let checklists = Checklists::load(None)?;
    let entries = demo_entries(&checklists)?;
    let mut app = App::new(console_context(checklists)?, entries);
    app.keymap = config_keymap()?;
    crate::tui::run(&mut app, &theme, &mut TerminalEvents { tick: TICK })?;
    Ok(ExitCode::SUCCESS)
}

/// The keys of the config file's `[keybindings]` (the defaults without a config directory).
fn config_keymap() -> anyhow::Result<Keymap> {
    match Config::load(None) {
        Ok(loaded) => Ok(Keymap::with_config(&loaded.config.keybindings)),
        Err(ConfigError::NoConfigDir) => Ok(Keymap::default()),
        Err(error) => {
            Err(error).context("reading the config file (its keybindings apply to the demo)")
        }
    }
}
