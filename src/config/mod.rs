//! The configuration file (TOML): the repositories to review, which files are migrations, the
//! GitHub API URL (GitHub Enterprise Server), queue sections, theme and keybindings.
//!
//! It lives in the platform config directory (`~/.config/schemagate/config.toml` on Linux);
//! `--config FILE` points elsewhere. Every field is optional: with no file, schemagate works on
//! the demo and on local checkouts.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The public GitHub API.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// The whole configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The repositories whose open pull requests form the queue.
    #[serde(default)]
    pub repos: Vec<RepoConfig>,
    /// The REST API root: `https://api.github.com`, or `https://HOST/api/v3` for GitHub
    /// Enterprise Server. `--api-url` overrides it.
    #[serde(default)]
    pub api_url: Option<String>,
    /// Colour theme name (`dark`, `light`, `high-contrast`); `--theme` overrides it.
    #[serde(default)]
    pub theme: Option<String>,
    /// Console keybindings: action name -> key (e.g. `tick = "x"`).
    #[serde(default)]
    pub keybindings: BTreeMap<String, String>,
    /// Queue sections defined by GitHub search qualifiers.
    #[serde(default)]
    pub sections: Vec<SectionConfig>,
    /// Reload the queue every this many seconds in the console (none: only on `r`).
    #[serde(default)]
    pub refresh_interval_secs: Option<u64>,
}

/// One repository to review.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoConfig {
    /// `owner/name`.
    pub name: String,
    /// The branch pull requests target (default: every open PR, whatever its base).
    #[serde(default)]
    pub base: Option<String>,
    /// Extra migration files, as globs relative to the repository root.
    #[serde(default)]
    pub migrations: Vec<String>,
}

/// A queue section: a title and the GitHub search qualifiers that select its PRs
/// (`is:pr is:open repo:...` are added).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionConfig {
    /// What the section is called in the console.
    pub title: String,
    /// Search qualifiers, e.g. `review-requested:@me label:db`.
    pub filters: String,
}
