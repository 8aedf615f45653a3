//! Finding and reading the config file; errors that name the file, line and column.

use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::Config;

/// The environment variable that replaces the config directory (where `config.toml` is).
pub const CONFIG_DIR_ENV: &str = "SCHEMAGATE_CONFIG_DIR";

/// The config file's name inside the config directory.
const FILE_NAME: &str = "config.toml";

/// The configuration could not be loaded or written.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// No config directory is known (no home directory) and none was given.
    #[error(
        "cannot find a config directory (no home directory): set {CONFIG_DIR_ENV} or pass \
         --config FILE"
    )]
    NoConfigDir,
    /// `--config FILE` names a file that does not exist.
    #[error("config file {} does not exist", .path.display())]
    Missing {
        /// The file asked for.
        path: PathBuf,
    },
    /// The file exists but cannot be read.
    #[error("cannot read config file {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The file is not UTF-8 text.
    #[error("{at}: the config file is not UTF-8 text; save it as UTF-8")]
    NotUtf8 {
        /// Where the first invalid byte is.
        at: Location,
    },
    /// The file is not valid TOML or a value is wrong.
    #[error("{at}: {message}")]
    Invalid {
        /// Where the problem is.
        at: Location,
        /// What is wrong.
        message: String,
    },
    /// `config --init` found a file already there.
    #[error(
        "{} already exists; edit it, or move it away to write a fresh example",
        .path.display()
    )]
    AlreadyExists {
        /// The existing file.
        path: PathBuf,
    },
    /// `config --init` could not write the example.
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

/// A place in the config file: `FILE:LINE:COLUMN` (1-based), or just `FILE` when TOML gave no
/// position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file.
    pub path: PathBuf,
    /// Line and column (in characters), both from 1.
    pub line_column: Option<(usize, usize)>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some((line, column)) = self.line_column {
            write!(f, ":{line}:{column}")?;
        }
        Ok(())
    }
}

/// A configuration and the file it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadedConfig {
    /// The file read (or that would be read: the default path when it does not exist).
    pub path: PathBuf,
    /// Whether the file exists (a missing default file is an empty configuration).
    pub exists: bool,
    /// The configuration.
    pub config: Config,
}

/// The config directory: `$SCHEMAGATE_CONFIG_DIR` when set and not empty, else the platform's
/// (`~/.config/schemagate` on Linux, `~/Library/Application Support/schemagate` on macOS,
/// `%APPDATA%\schemagate\config` on Windows). `None` when neither is known (no home directory).
pub fn config_dir() -> Option<PathBuf> {
    config_dir_from(std::env::var_os(CONFIG_DIR_ENV))
}

/// [`config_dir`] with the environment variable's value given.
fn config_dir_from(env_value: Option<OsString>) -> Option<PathBuf> {
    match env_value {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => directories::ProjectDirs::from("", "", "schemagate")
            .map(|dirs| dirs.config_dir().to_path_buf()),
    }
}

/// The default config file: `config.toml` in [`config_dir`].
pub fn default_path() -> Option<PathBuf> {
    config_dir().map(|dir| dir.join(FILE_NAME))
}

impl Config {
    /// Loads `path_override` (`--config FILE`, which must exist), else the default file (an
    /// empty configuration when it does not exist).
    ///
    /// # Errors
    /// [`ConfigError`]: the file is missing (when given), unreadable, not UTF-8, or invalid.
    pub fn load(path_override: Option<&Path>) -> Result<LoadedConfig, ConfigError> {
        let (path, required) = match path_override {
            Some(path) => (path.to_path_buf(), true),
            None => (default_path().ok_or(ConfigError::NoConfigDir)?, false),
        };
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                if required {
                    return Err(ConfigError::Missing { path });
                }
                return Ok(LoadedConfig {
                    path,
                    exists: false,
                    config: Config::default(),
                });
            }
            Err(source) => return Err(ConfigError::Read { path, source }),
        };
        let config = Config::parse(&bytes, &path)?;
        Ok(LoadedConfig {
            path,
            exists: true,
            config,
        })
    }

    /// Parses and checks the contents of a config file; `path` is named in errors.
    ///
    /// # Errors
    /// [`ConfigError::NotUtf8`] or [`ConfigError::Invalid`], with the line and column.
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Config, ConfigError> {
        let text = std::str::from_utf8(bytes).map_err(|error| {
            let valid = &bytes[..error.valid_up_to()];
            let text = String::from_utf8_lossy(valid);
            ConfigError::NotUtf8 {
                at: Location {
                    path: path.to_path_buf(),
                    line_column: Some(line_column(&text, text.len())),
                },
            }
        })?;
        toml::from_str(text).map_err(|error| ConfigError::Invalid {
            at: Location {
                path: path.to_path_buf(),
                line_column: error.span().map(|span| line_column(text, span.start)),
            },
            message: error.message().trim_end().to_owned(),
        })
    }
}

/// The 1-based line and column (in characters) of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> String {
        Config::parse(text.as_bytes(), Path::new("c.toml"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("é\né", 4), (2, 2));
    }

    #[test]
    fn env_dir_replaces_the_platform_dir_unless_empty() {
        assert_eq!(
            config_dir_from(Some("/tmp/sg".into())),
            Some(PathBuf::from("/tmp/sg"))
        );
        assert_ne!(config_dir_from(Some(OsString::new())), Some(PathBuf::new()));
    }

    #[test]
    fn empty_file_is_an_empty_config() {
        assert_eq!(
            Config::parse(b"", Path::new("c.toml")).unwrap(),
            Config::default()
        );
    }

    #[test]
    fn errors_name_file_line_column_and_problem() {
        let cases = [
            (
                "theme = \"dark\"\ncolour = 1\n",
                "c.toml:2:1: unknown field `colour`",
            ),
            (
                "refresh_interval_secs = \"x\"\n",
                "c.toml:1:25: invalid type",
            ),
            (
                "[[repos]]\nname = \"acme\"\n",
                "c.toml:2:8: repository name `acme` is not `owner/name`",
            ),
            (
                "[[repos]]\nname = \"a/b\"\nmigrations = [\"db/[x\"]\n",
                "c.toml:3:14: invalid migration glob `db/[x`",
            ),
            (
                "api_url = \"ftp://x\"\n",
                "c.toml:1:11: api_url `ftp://x` is not an http(s) URL",
            ),
            ("theme = \"pink\"\n", "c.toml:1:9: unknown theme `pink`"),
            (
                "[[sections]]\ntitle = \"Mine\"\nfilters = \" \"\n",
                "c.toml:3:11: a section's filters must not be empty",
            ),
            (
                "[keybindings]\ntick = \"x\"\nfly = \"y\"\n",
                "c.toml:3:7: unknown action `fly`",
            ),
            (
                "[keybindings]\ntick = \"ctrl+\"\n",
                "c.toml:2:8: keybinding `tick`: `ctrl+` is not a key",
            ),
            (
                "[keybindings]\ntick = \"x\"\nnote = \"x\"\n",
                "c.toml:2:8: key `x` is bound to both `note` and `tick`",
            ),
            (
                "refresh_interval_secs = 1\n",
                "c.toml:1:25: refresh_interval_secs = 1 is too short",
            ),
            ("theme = \n", "c.toml:1:9: string values must be quoted"),
        ];
        for (text, expected) in cases {
            let error = error_of(text);
            assert!(error.starts_with(expected), "{text:?}: {error}");
        }
    }

    #[test]
    fn duplicates_are_errors() {
        assert!(
            error_of("[[repos]]\nname = \"a/b\"\n[[repos]]\nname = \"a/b\"\n")
                .contains("repository `a/b` is listed twice")
        );
        assert!(
            error_of(
                "[[sections]]\ntitle = \"T\"\nfilters = \"label:db\"\n\
                 [[sections]]\ntitle = \"T\"\nfilters = \"label:x\"\n"
            )
            .contains("two sections are titled `T`")
        );
    }

    #[test]
    fn non_utf8_is_reported_at_its_line() {
        let error = Config::parse(b"theme = \"dark\"\n# caf\xe9\n", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("c.toml:2:6: the config file is not UTF-8"),
            "{error}"
        );
    }

    #[test]
    fn missing_override_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope.toml");
        let error = Config::load(Some(&path)).unwrap_err().to_string();
        assert!(error.contains("nope.toml does not exist"), "{error}");
    }
}
