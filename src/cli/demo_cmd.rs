//! `schemagate demo`: the review console on the embedded meal-planner demo (no network, no token).
//! The config file (`--config FILE`, else the default one) still gives the theme and the keys.

use std::process::ExitCode;

use anyhow::Context as _;

use super::args::{DemoArgs, GlobalArgs};
use super::console_cmd::{console_context, load_theme};
use super::github_setup::load_config;
use super::input::team_checklists;
use crate::app::entry::demo_entries;
use crate::config::{Config, ConfigError};
use crate::tui::app::App;
use crate::tui::keys::Keymap;

/// Runs the console on the demo PRs.
pub fn run(global: &GlobalArgs, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let config = demo_config(global)?;
    let theme = load_theme(args.theme.as_deref(), &config)?;
    let checklists = team_checklists(None)?;
    let entries = demo_entries(&checklists)?;
    let mut app = App::new(console_context(checklists)?, entries);
    app.keymap = Keymap::with_config(&config.keybindings);
    crate::tui::run(&mut app, &theme)?;
    Ok(ExitCode::SUCCESS)
}

/// The config file (its theme and `[keybindings]` apply to the demo); the defaults without a
/// config directory.
fn demo_config(global: &GlobalArgs) -> anyhow::Result<Config> {
    load_config(global)
        .or_else(|error| match error.downcast_ref::<ConfigError>() {
            Some(ConfigError::NoConfigDir) => Ok(Config::default()),
            _ => Err(error),
        })
        .context("reading the config file (its theme and keybindings apply to the demo)")
}
