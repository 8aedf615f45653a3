//! The console's styles, made from a configured colour theme ([`ThemeColours`]). With `NO_COLOR`
//! set the console draws without colours, marking focus and selection with bold and reverse
//! video.

use std::str::FromStr;

use crate::analysis::rules::Risk;
use crate::config::theme::{ThemeColours, ThemeError};
use ratatui::style::{Color, Modifier, Style};

/// The styles the views draw with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Theme {
    /// Ordinary text.
    pub text: Style,
    /// Secondary text (ages, line numbers, hints).
    pub dim: Style,
    /// Titles and highlighted keys.
    pub accent: Style,
    /// The selected row.
    pub selected: Style,
    /// Borders of panes without focus.
    pub border: Style,
    /// The border of the focused pane.
    pub focus_border: Style,
    /// What a change adds.
    pub added: Style,
    /// What a change removes.
    pub removed: Style,
    /// What a change modifies.
    pub changed: Style,
    /// Risk badges, LOW to CRITICAL.
    pub risks: [Style; 4],
}

impl Theme {
    /// The embedded theme `name`, or colourless when `no_color` (the `NO_COLOR` convention).
    ///
    /// # Errors
    /// [`ThemeError`] for an unknown name or a malformed theme file.
    pub fn load(name: &str, no_color: bool) -> Result<Theme, ThemeError> {
        let file = ThemeColours::embedded(name)?;
        if no_color {
            return Ok(Theme::plain());
        }
        Theme::from_file(name, &file)
    }

    /// Whether `NO_COLOR` is set to a non-empty value.
    pub fn no_color_from_env() -> bool {
        std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty())
    }

    /// No colours at all: selection in reverse video, focus and titles in bold.
    pub fn plain() -> Theme {
        let plain = Style::default();
        let bold = plain.add_modifier(Modifier::BOLD);
        Theme {
            text: plain,
            dim: plain,
            accent: bold,
            selected: plain.add_modifier(Modifier::REVERSED),
            border: plain,
            focus_border: bold,
            added: plain,
            removed: plain,
            changed: plain,
            risks: [plain, plain, bold, bold],
        }
    }

    /// The badge style of a risk.
    pub fn risk(&self, risk: Risk) -> Style {
        let index = match risk {
            Risk::Low => 0,
            Risk::Medium => 1,
            Risk::High => 2,
            Risk::Critical => 3,
        };
        self.risks.get(index).copied().unwrap_or(self.text)
    }

    fn from_file(name: &str, file: &ThemeColours) -> Result<Theme, ThemeError> {
        let colour = |key: &'static str, value: &str| {
            Color::from_str(value).map_err(|_| ThemeError::BadColour {
                name: name.to_owned(),
                key,
                value: value.to_owned(),
            })
        };
        let fg = |key, value: &str| colour(key, value).map(|c| Style::default().fg(c));
        let bold_fg = |key, value: &str| fg(key, value).map(|s| s.add_modifier(Modifier::BOLD));
        Ok(Theme {
            text: fg("text", &file.text)?,
            dim: fg("dim", &file.dim)?,
            accent: bold_fg("accent", &file.accent)?,
            selected: Style::default()
                .bg(colour("selected_bg", &file.selected_bg)?)
                .add_modifier(Modifier::BOLD),
            border: fg("border", &file.border)?,
            focus_border: bold_fg("focus_border", &file.focus_border)?,
            added: fg("added", &file.added)?,
            removed: fg("removed", &file.removed)?,
            changed: fg("changed", &file.changed)?,
            risks: [
                bold_fg("low", &file.low)?,
                bold_fg("medium", &file.medium)?,
                bold_fg("high", &file.high)?,
                bold_fg("critical", &file.critical)?.add_modifier(Modifier::REVERSED),
            ],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_theme_loads_with_colours() {
        for name in ThemeColours::names() {
            let theme = Theme::load(name, false).unwrap();
            assert_ne!(theme, Theme::plain(), "{name}");
        }
    }

    #[test]
    fn no_color_gives_the_plain_theme_and_unknown_names_fail() {
        assert_eq!(Theme::load("light", true).unwrap(), Theme::plain());
        assert!(matches!(
            Theme::load("solarized", false),
            Err(ThemeError::Unknown(_))
        ));
    }
}
