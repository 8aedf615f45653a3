//! Colour for text reports: ANSI when writing to a terminal, nothing when `NO_COLOR` is set or
//! the output is a pipe.

use std::io::IsTerminal;

/// The role of a piece of text; mapped to a colour only when colour is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Something the change adds.
    Added,
    /// Something the change removes.
    Removed,
    /// Something the change modifies.
    Changed,
    /// Headings.
    Heading,
    /// Secondary information (line numbers, counts).
    Dim,
    /// Warnings and diagnostics.
    Warning,
}

/// Paints text for a terminal, or leaves it plain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Painter {
    color: bool,
}

impl Painter {
    /// Colour on or off explicitly.
    pub fn new(color: bool) -> Self {
        Painter { color }
    }

    /// Colour when stdout is a terminal and `NO_COLOR` is unset or empty (no-color.org).
    pub fn for_stdout() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Painter::new(!no_color && std::io::stdout().is_terminal())
    }

    /// `text` wrapped in the colour of `role`, or `text` itself when colour is off.
    pub fn paint(&self, role: Role, text: &str) -> String {
        if !self.color {
            return text.to_owned();
        }
        let code = match role {
            Role::Added => "32",
            Role::Removed => "31",
            Role::Changed => "33",
            Role::Heading => "1",
            Role::Dim => "2",
            Role::Warning => "35",
        };
        format!("\u{1b}[{code}m{text}\u{1b}[0m")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_painter_adds_nothing() {
        assert_eq!(Painter::new(false).paint(Role::Added, "x"), "x");
    }

    #[test]
    fn colour_painter_wraps_and_resets() {
        assert_eq!(
            Painter::new(true).paint(Role::Removed, "x"),
            "\u{1b}[31mx\u{1b}[0m"
        );
    }
}
