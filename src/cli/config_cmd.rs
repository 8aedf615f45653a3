//! `schemagate config`: the configuration in effect (never the token itself), or `--init` to
//! write a commented example.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;

use super::args::{ConfigArgs, GlobalArgs};
use super::github_setup::api_url;
use crate::config::example::write_example;
use crate::config::theme::DEFAULT_THEME;
use crate::config::{Config, ConfigError, LoadedConfig, default_path};
use crate::github::auth::resolve_token;
use crate::report::sanitize::sanitize_line;

/// Runs `schemagate config [--init]`.
///
/// # Errors
/// An invalid or unreadable config file, a config file `--init` would overwrite, or output that
/// cannot be written.
pub fn run(global: &GlobalArgs, args: &ConfigArgs) -> anyhow::Result<ExitCode> {
    if args.init {
        init(global)?;
    } else {
        let loaded = Config::load(global.config.as_deref())?;
        show(global, &loaded, &mut std::io::stdout().lock())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the example to `--config FILE`, else the default path.
fn init(global: &GlobalArgs) -> anyhow::Result<()> {
    let path = match &global.config {
        Some(path) => path.clone(),
        None => default_path().ok_or(ConfigError::NoConfigDir)?,
    };
    write_example(&path)?;
    println!(
        "Wrote a commented example configuration to {}.\nEdit it (docs/config.md explains every \
         field), then `schemagate config` shows what is in effect.",
        path.display()
    );
    Ok(())
}

/// Prints the file, API URL, token source, theme, refresh, repositories, sections and keys.
fn show(global: &GlobalArgs, loaded: &LoadedConfig, out: &mut impl Write) -> anyhow::Result<()> {
    let config = &loaded.config;
    let state = if loaded.exists {
        "exists"
    } else {
        "not found; `schemagate config --init` writes a commented example"
    };
    writeln!(out, "Config file:  {} ({state})", loaded.path.display())?;

    let url = api_url(global, config);
    let url_origin = if global.api_url.is_some() {
        "from --api-url"
    } else if config.api_url.is_some() {
        "from the config file"
    } else {
        "default"
    };
    writeln!(out, "API URL:      {} ({url_origin})", sanitize_line(url))?;
    match resolve_token(url) {
        Ok(token) => writeln!(out, "Token:        from {}", token.source())?,
        Err(error) => writeln!(out, "Token:        none found. {error}")?,
    }

    match &config.theme {
        Some(theme) => writeln!(out, "Theme:        {theme}")?,
        None => writeln!(out, "Theme:        {DEFAULT_THEME} (default)")?,
    }
    match config.refresh_interval_secs {
        Some(secs) => writeln!(out, "Auto-refresh: every {secs} s")?,
        None => writeln!(out, "Auto-refresh: off (refresh by key)")?,
    }

    writeln!(out, "Repositories: {}", count_or_none(config.repos.len()))?;
    for repo in &config.repos {
        let base = repo.base.as_deref().unwrap_or("any base");
        write!(
            out,
            "  {} ({})",
            sanitize_line(&repo.name),
            sanitize_line(base)
        )?;
        if !repo.migrations.is_empty() {
            let globs = repo.migrations.join(", ");
            write!(out, ", extra migrations: {}", sanitize_line(&globs))?;
        }
        writeln!(out)?;
    }
    writeln!(
        out,
        "Sections:     {}",
        count_or_none(config.sections.len())
    )?;
    for section in &config.sections {
        writeln!(
            out,
            "  {}: {}",
            sanitize_line(&section.title),
            sanitize_line(&section.filters)
        )?;
    }
    let bindings = config.keybindings.bindings();
    writeln!(out, "Keybindings:  {}", count_or_none(bindings.len()))?;
    for binding in bindings {
        writeln!(out, "  {} = {}", binding.action, binding.key)?;
    }
    out.flush().context("cannot write the configuration")
}

/// `3`, or `none` for zero.
fn count_or_none(count: usize) -> String {
    if count == 0 {
        "none".to_owned()
    } else {
        count.to_string()
    }
}
