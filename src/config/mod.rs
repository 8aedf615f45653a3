//! The configuration file (TOML): the repositories to review, which files are migrations, the
//! GitHub API URL (GitHub Enterprise Server), queue sections, theme and keybindings.
//!
//! It lives in the platform config directory (`~/.config/schemagate/config.toml` on Linux);
//! `--config FILE` points elsewhere, and `SCHEMAGATE_CONFIG_DIR` replaces the directory. Every
//! field is optional: with no file, schemagate works on the demo and on local checkouts.
//! docs/config.md describes the format; [`example::EXAMPLE`] is a commented example.
//!
//! Everything is checked while loading (unknown keys, types, repository names, globs, the API
//! URL, the theme, sections, keybindings); an error names the file, line and column.

pub mod example;
pub mod keys;
mod load;
pub mod theme;
mod validate;

use serde::Deserialize;

pub use keys::{Binding, KeySpec, Keybindings};
pub use load::{CONFIG_DIR_ENV, ConfigError, LoadedConfig, Location, config_dir, default_path};
pub use validate::{MIN_REFRESH_SECS, api_host, is_repo_name};

/// The public GitHub API.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// The whole configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The repositories whose open pull requests form the queue.
    #[serde(default, deserialize_with = "validate::repos")]
    pub repos: Vec<RepoConfig>,
    /// The REST API root: `https://api.github.com`, or `https://HOST/api/v3` for GitHub
    /// Enterprise Server. `--api-url` overrides it.
    #[serde(default, deserialize_with = "validate::api_url")]
    pub api_url: Option<String>,
    /// Colour theme name (`dark`, `light`, `high-contrast`); `--theme` overrides it.
    #[serde(default, deserialize_with = "validate::theme")]
    pub theme: Option<String>,
    /// Console keybindings: action name -> key (e.g. `tick = "x"`), validated.
    #[serde(default)]
    pub keybindings: Keybindings,
    /// Queue sections defined by GitHub search qualifiers.
    #[serde(default, deserialize_with = "validate::sections")]
    pub sections: Vec<SectionConfig>,
    /// Reload the queue every this many seconds in the console (none: only on `r`); at least
    /// [`MIN_REFRESH_SECS`].
    #[serde(default, deserialize_with = "validate::refresh_interval")]
    pub refresh_interval_secs: Option<u64>,
}

/// One repository to review.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoConfig {
    /// `owner/name`.
    #[serde(deserialize_with = "validate::repo_name")]
    pub name: String,
    /// The branch pull requests target (default: every open PR, whatever its base).
    #[serde(default)]
    pub base: Option<String>,
    /// Extra migration files, as globs relative to the repository root.
    #[serde(default, deserialize_with = "validate::globs")]
    pub migrations: Vec<String>,
}

/// A queue section: a title and the GitHub search qualifiers that select its PRs
/// (`is:pr is:open repo:...` are added).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionConfig {
    /// What the section is called in the console.
    #[serde(deserialize_with = "validate::title")]
    pub title: String,
    /// Search qualifiers, e.g. `review-requested:@me label:db`.
    #[serde(deserialize_with = "validate::filters")]
    pub filters: String,
}
