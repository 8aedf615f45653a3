//! Colour themes as configuration data: the embedded `themes/*.toml` files (dark is the
//! default), each the colour names or `#rrggbb` of every part the console draws. The console
//! turns them into styles (`tui::theme::Theme`).

use serde::Deserialize;
use thiserror::Error;

/// The embedded themes, by name.
const THEMES: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

/// The theme used when none is asked for.
pub const DEFAULT_THEME: &str = "dark";

/// A theme could not be used.
#[derive(Debug, Error)]
pub enum ThemeError {
    /// No embedded theme has this name.
    #[error("unknown theme `{0}` (known: dark, light, high-contrast)")]
    Unknown(String),
    /// The theme file is not valid TOML of the expected shape.
    #[error("theme `{name}`: {source}")]
    Invalid {
        /// The theme.
        name: String,
        /// What was wrong.
        source: toml::de::Error,
    },
    /// A colour could not be read.
    #[error("theme `{name}`: `{key}` is not a colour: `{value}`")]
    BadColour {
        /// The theme.
        name: String,
        /// The key.
        key: &'static str,
        /// The value.
        value: String,
    },
}

/// A theme file: colour names or `#rrggbb`, one per part the console draws.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeColours {
    /// Ordinary text.
    pub text: String,
    /// Secondary text (ages, line numbers, hints).
    pub dim: String,
    /// Titles and highlighted keys.
    pub accent: String,
    /// The background of the selected row.
    pub selected_bg: String,
    /// Borders of panes without focus.
    pub border: String,
    /// The border of the focused pane.
    pub focus_border: String,
    /// What a change adds.
    pub added: String,
    /// What a change removes.
    pub removed: String,
    /// What a change modifies.
    pub changed: String,
    /// The LOW risk badge.
    pub low: String,
    /// The MEDIUM risk badge.
    pub medium: String,
    /// The HIGH risk badge.
    pub high: String,
    /// The CRITICAL risk badge.
    pub critical: String,
}

impl ThemeColours {
    /// The embedded theme `name`.
    ///
    /// # Errors
    /// [`ThemeError::Unknown`] for an unknown name, [`ThemeError::Invalid`] for a malformed
    /// theme file.
    pub fn embedded(name: &str) -> Result<ThemeColours, ThemeError> {
        let text = THEMES
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, text)| *text)
            .ok_or_else(|| ThemeError::Unknown(name.to_owned()))?;
        toml::from_str(text).map_err(|source| ThemeError::Invalid {
            name: name.to_owned(),
            source,
        })
    }

    /// The names of the embedded themes.
    pub fn names() -> impl Iterator<Item = &'static str> {
        THEMES.iter().map(|(name, _)| *name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_theme_parses_and_unknown_names_fail() {
        for name in ThemeColours::names() {
            assert!(ThemeColours::embedded(name).is_ok(), "{name}");
        }
        assert!(ThemeColours::names().any(|name| name == DEFAULT_THEME));
        assert!(matches!(
            ThemeColours::embedded("solarized"),
            Err(ThemeError::Unknown(_))
        ));
    }
}
