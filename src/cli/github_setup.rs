//! What the commands that talk to GitHub (queue, submit, audit, the console) share: loading
//! the configuration, the runtime for the requests, connecting (API URL and token), and each
//! repository's detection options.

use anyhow::Context;

use super::args::GlobalArgs;
use super::input::detect_options;
use crate::analysis::detect::DetectOptions;
use crate::config::{self, Config, RepoConfig};
use crate::github::{GitHub, auth::resolve_token};

/// The configuration in effect: `--config FILE`, else the default file (empty when missing).
///
/// # Errors
/// The file is missing (when given), unreadable or invalid (file:line:column: what is wrong).
pub(super) fn load_config(global: &GlobalArgs) -> anyhow::Result<Config> {
    Ok(Config::load(global.config.as_deref())?.config)
}

/// The REST API root: `--api-url`, else the config file's `api_url`, else github.com's.
pub(super) fn api_url<'a>(global: &'a GlobalArgs, config: &'a Config) -> &'a str {
    global
        .api_url
        .as_deref()
        .or(config.api_url.as_deref())
        .unwrap_or(config::DEFAULT_API_URL)
}

/// The runtime GitHub's requests run on: two workers, so requests overlap while the caller
/// analyses. Build the client inside it (`runtime.enter()`): octocrab starts its connection
/// task when it is built.
///
/// # Errors
/// The runtime cannot start.
pub(super) fn network_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the network runtime")
}

/// A client for [`api_url`] with the token found by [`resolve_token`]; says on stderr which
/// source the token came from (never the token).
///
/// # Errors
/// No token (the message says how to get one), or an unusable API URL.
pub(super) fn connect(global: &GlobalArgs, config: &Config) -> anyhow::Result<GitHub> {
    let url = api_url(global, config);
    let token = resolve_token(url)?;
    eprintln!("schemagate: GitHub token from {}", token.source());
    GitHub::new(url, token).with_context(|| format!("cannot connect to {url}"))
}

/// Detection options for one configured repository: the command line's (`--dialect`,
/// `--migrations`) plus the repository's `migrations` globs.
pub(super) fn repo_detect_options(global: &GlobalArgs, repo: &RepoConfig) -> DetectOptions {
    let mut options = detect_options(global);
    options.globs.extend(repo.migrations.iter().cloned());
    options
}
