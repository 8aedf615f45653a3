//! The commented example `schemagate config --init` writes.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

use super::ConfigError;

/// A commented config file explaining every field (it loads without errors).
pub const EXAMPLE: &str = r#"# schemagate configuration (docs/config.md describes every field).
# Every field is optional: without repositories, `schemagate demo` and
# `schemagate --repo PATH` still work, with no token and no network.

# The GitHub REST API root. Default: https://api.github.com
# For GitHub Enterprise Server: https://HOST/api/v3 (--api-url overrides this).
# api_url = "https://github.example.com/api/v3"

# Colour theme of the console: dark, light or high-contrast (--theme overrides it;
# NO_COLOR turns colours off).
theme = "dark"

# Reload the queue in the console every this many seconds (at least 10).
# Without it, the queue reloads only when you press the refresh key.
refresh_interval_secs = 300

# The repositories whose open pull requests form the queue: one [[repos]] block each.
[[repos]]
# owner/name on GitHub.
name = "acme/shop"
# Only PRs targeting this branch (default: every open PR, whatever its base).
base = "main"
# Extra migration files, as globs relative to the repository root, for layouts
# schemagate does not detect by itself (`*` stays inside a folder, `**` crosses folders).
migrations = ["db/schema/**/*.sql"]

# Queue sections, as in gh-dash: a title and GitHub search qualifiers
# (`is:pr is:open repo:...` are added for you). Without sections, the queue is one list.
[[sections]]
title = "Needs my review"
filters = "review-requested:@me"

[[sections]]
title = "DB label"
filters = "label:db -author:@me"

# Console keys: action = "key". Keys: one character ("x", "X"), or enter, esc, tab,
# backtab, space, up, down, left, right, home, end, pageup, pagedown, f1..f12,
# optionally after ctrl+, alt+, shift+ (e.g. "ctrl+r"). Unbound actions keep their
# built-in keys. Actions: quit, help, up, down, left, right, top, bottom, open, back,
# next_pane, prev_pane, tick, waive, note, verdict, search, refresh, sort, filter_risk,
# filter_repo, filter_mine, raw_diff, audit.
[keybindings]
tick = "x"
refresh = "ctrl+r"
"#;

/// Writes [`EXAMPLE`] to `path`, creating its directory; never replaces an existing file.
///
/// # Errors
/// [`ConfigError::AlreadyExists`] when `path` exists, [`ConfigError::Write`] on I/O errors.
pub fn write_example(path: &Path) -> Result<(), ConfigError> {
    let write_error = |source: io::Error| ConfigError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(write_error)?;
    }
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|source| match source.kind() {
            io::ErrorKind::AlreadyExists => ConfigError::AlreadyExists {
                path: path.to_path_buf(),
            },
            _ => write_error(source),
        })?;
    file.write_all(EXAMPLE.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(write_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, KeySpec};

    #[test]
    fn example_loads_with_every_field_set() {
        let config = Config::parse(EXAMPLE.as_bytes(), Path::new("example.toml")).unwrap();
        assert_eq!(config.repos.len(), 1);
        assert_eq!(config.repos[0].name, "acme/shop");
        assert_eq!(config.repos[0].migrations, ["db/schema/**/*.sql"]);
        let titles: Vec<&str> = config.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["Needs my review", "DB label"]);
        assert_eq!(config.theme.as_deref(), Some("dark"));
        assert_eq!(config.refresh_interval_secs, Some(300));
        assert_eq!(
            config.keybindings.key_for("refresh"),
            KeySpec::parse("ctrl+r").ok()
        );
    }

    #[test]
    fn example_names_every_action() {
        for (action, _) in crate::config::keys::ACTIONS {
            assert!(EXAMPLE.contains(action), "{action} is not in the example");
        }
    }

    #[test]
    fn writes_once_then_refuses() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/config.toml");
        write_example(&path).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), EXAMPLE);
        let error = write_example(&path).unwrap_err();
        assert!(
            matches!(error, ConfigError::AlreadyExists { .. }),
            "{error}"
        );
    }
}
