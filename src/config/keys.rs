//! Keybindings from the `[keybindings]` table: console action name -> key, e.g. `tick = "x"`,
//! `quit = "ctrl+q"`, `help = "f1"`.
//!
//! Key syntax: one character (`x`, `X`, `?`), or a named key (`enter`, `esc`, `tab`, `backtab`,
//! `space`, `up`, `down`, `left`, `right`, `home`, `end`, `pageup`, `pagedown`, `f1`..`f12`),
//! optionally after modifiers `ctrl+`, `alt+`, `shift+` (names are case-insensitive; a single
//! character keeps its case). `shift+x` is the same key as `X`, and `shift+tab` the same as
//! `backtab`.
//!
//! The console reads the validated pairs from [`Keybindings::bindings`] and matches key events
//! with [`KeySpec::matches`]; actions not bound here keep their built-in keys.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, Visitor};

/// Every action a key can be bound to, with what it does.
pub const ACTIONS: &[(&str, &str)] = &[
    ("quit", "quit the console"),
    ("help", "show or hide the help overlay"),
    ("up", "move the selection or scroll up"),
    ("down", "move the selection or scroll down"),
    ("left", "move left (previous column or tab)"),
    ("right", "move right (next column or tab)"),
    ("top", "jump to the first line"),
    ("bottom", "jump to the last line"),
    ("open", "open the selection / confirm"),
    ("back", "go back / cancel"),
    ("next_pane", "focus the next pane"),
    ("prev_pane", "focus the previous pane"),
    ("tick", "tick or untick the selected checklist item"),
    ("waive", "waive the selected checklist item with a reason"),
    ("note", "add a reviewer note"),
    (
        "verdict",
        "open the verdict dialog (approve, request changes, block)",
    ),
    ("search", "start typing a search filter"),
    ("refresh", "reload the queue from GitHub"),
    ("sort", "cycle the queue's sort order"),
    ("filter_risk", "raise the queue's minimum risk"),
    ("filter_repo", "show only one repository's PRs"),
    ("filter_mine", "show only the PRs that need my review"),
    (
        "raw_diff",
        "switch between the schema diff and the migration text",
    ),
    ("audit", "show past decisions on this PR"),
];

/// Named keys (besides single characters), lowercase.
const NAMED_KEYS: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("space", KeyCode::Char(' ')),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pageup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
];

/// Modifier prefixes, lowercase.
const MODIFIERS: &[(&str, KeyModifiers)] = &[
    ("ctrl", KeyModifiers::CONTROL),
    ("alt", KeyModifiers::ALT),
    ("shift", KeyModifiers::SHIFT),
];

/// A key with its modifiers, as crossterm reports it. Normalised: a character never carries
/// SHIFT (its case says it), and shift+tab is `BackTab` without SHIFT.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeySpec {
    /// The key.
    pub code: KeyCode,
    /// Ctrl / Alt / Shift.
    pub modifiers: KeyModifiers,
}

impl KeySpec {
    /// Parses the key syntax described in the module docs.
    ///
    /// # Errors
    /// A message saying what is wrong with `text`.
    pub fn parse(text: &str) -> Result<KeySpec, String> {
        let mut rest = text;
        let mut modifiers = KeyModifiers::NONE;
        while let Some((prefix, after)) = rest.split_once('+') {
            let Some((_, modifier)) = MODIFIERS
                .iter()
                .find(|(name, _)| prefix.eq_ignore_ascii_case(name))
            else {
                break;
            };
            if after.is_empty() {
                break;
            }
            modifiers |= *modifier;
            rest = after;
        }
        let code = key_code(rest).ok_or_else(|| {
            format!(
                "`{text}` is not a key: use one character, a named key (enter, esc, tab, \
                 backtab, space, up, down, left, right, home, end, pageup, pagedown, f1..f12), \
                 optionally after ctrl+, alt+ or shift+"
            )
        })?;
        Ok(KeySpec::normalised(code, modifiers))
    }

    /// Whether a key event from the terminal is this key (SHIFT on characters is ignored: the
    /// character's case already carries it).
    pub fn matches(&self, event: &KeyEvent) -> bool {
        *self == KeySpec::normalised(event.code, event.modifiers)
    }

    /// The canonical form of a key and modifiers.
    fn normalised(code: KeyCode, mut modifiers: KeyModifiers) -> KeySpec {
        let shift = modifiers.contains(KeyModifiers::SHIFT);
        let code = match code {
            KeyCode::Char(c) if shift => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::Char(c.to_uppercase().next().unwrap_or(c))
            }
            KeyCode::Tab if shift => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::BackTab => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        KeySpec { code, modifiers }
    }
}

/// The key named by `text` (no modifiers).
fn key_code(text: &str) -> Option<KeyCode> {
    let mut chars = text.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return (!c.is_control()).then_some(KeyCode::Char(c));
    }
    let lower = text.to_ascii_lowercase();
    if let Some((_, code)) = NAMED_KEYS.iter().find(|(name, _)| *name == lower) {
        return Some(*code);
    }
    let number: u8 = lower.strip_prefix('f')?.parse().ok()?;
    (1..=12).contains(&number).then_some(KeyCode::F(number))
}

impl fmt::Display for KeySpec {
    /// The key in the config syntax, e.g. `ctrl+x`, `X`, `pagedown`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, modifier) in MODIFIERS {
            if self.modifiers.contains(*modifier) {
                write!(f, "{name}+")?;
            }
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "f{n}"),
            code => match NAMED_KEYS.iter().find(|(_, named)| *named == code) {
                Some((name, _)) => f.write_str(name),
                None => write!(f, "{code:?}"),
            },
        }
    }
}

/// One validated binding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding {
    /// The action's name, one of [`ACTIONS`].
    pub action: &'static str,
    /// The key bound to it.
    pub key: KeySpec,
}

/// The validated `[keybindings]` table: known actions only, each key bound to one action,
/// sorted by action name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Keybindings {
    bindings: Vec<Binding>,
}

impl Keybindings {
    /// The bindings, sorted by action name.
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The key bound to `action`, if the file binds it.
    pub fn key_for(&self, action: &str) -> Option<KeySpec> {
        self.bindings
            .iter()
            .find(|binding| binding.action == action)
            .map(|binding| binding.key)
    }
}

impl<'de> Deserialize<'de> for Keybindings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(KeybindingsVisitor)
    }
}

/// Reads the table entry by entry, so an error is reported at the offending entry's value.
struct KeybindingsVisitor;

impl<'de> Visitor<'de> for KeybindingsVisitor {
    type Value = Keybindings;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a table of action = \"key\"")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keybindings, A::Error> {
        let mut bindings: Vec<Binding> = Vec::new();
        while let Some(action) = map.next_key::<String>()? {
            let binding = map.next_value_seed(BindingSeed {
                action: &action,
                earlier: &bindings,
            })?;
            bindings.push(binding);
        }
        Ok(Keybindings { bindings })
    }
}

/// Deserialises one entry's key, knowing its action and the bindings before it.
struct BindingSeed<'a> {
    action: &'a str,
    earlier: &'a [Binding],
}

impl<'de> DeserializeSeed<'de> for BindingSeed<'_> {
    type Value = Binding;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Binding, D::Error> {
        let text = String::deserialize(deserializer)?;
        let action = ACTIONS
            .iter()
            .map(|(name, _)| *name)
            .find(|name| *name == self.action)
            .ok_or_else(|| {
                let known: Vec<&str> = ACTIONS.iter().map(|(name, _)| *name).collect();
                D::Error::custom(format!(
                    "unknown action `{}` in [keybindings] (known: {})",
                    self.action,
                    known.join(", ")
                ))
            })?;
        let key = KeySpec::parse(&text)
            .map_err(|message| D::Error::custom(format!("keybinding `{action}`: {message}")))?;
        if let Some(other) = self.earlier.iter().find(|binding| binding.key == key) {
            return Err(D::Error::custom(format!(
                "key `{key}` is bound to both `{}` and `{action}`",
                other.action
            )));
        }
        Ok(Binding { action, key })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeySpec {
        KeySpec { code, modifiers }
    }

    #[test]
    fn parses_characters_named_keys_and_modifiers() {
        let none = KeyModifiers::NONE;
        assert_eq!(KeySpec::parse("x"), Ok(key(KeyCode::Char('x'), none)));
        assert_eq!(KeySpec::parse("X"), Ok(key(KeyCode::Char('X'), none)));
        assert_eq!(KeySpec::parse("shift+x"), Ok(key(KeyCode::Char('X'), none)));
        assert_eq!(KeySpec::parse("+"), Ok(key(KeyCode::Char('+'), none)));
        assert_eq!(
            KeySpec::parse("ctrl++"),
            Ok(key(KeyCode::Char('+'), KeyModifiers::CONTROL))
        );
        assert_eq!(KeySpec::parse("Enter"), Ok(key(KeyCode::Enter, none)));
        assert_eq!(KeySpec::parse("space"), Ok(key(KeyCode::Char(' '), none)));
        assert_eq!(KeySpec::parse("f12"), Ok(key(KeyCode::F(12), none)));
        assert_eq!(KeySpec::parse("shift+tab"), Ok(key(KeyCode::BackTab, none)));
        assert_eq!(
            KeySpec::parse("CTRL+Alt+pagedown"),
            Ok(key(
                KeyCode::PageDown,
                KeyModifiers::CONTROL | KeyModifiers::ALT
            ))
        );
    }

    #[test]
    fn rejects_what_is_not_a_key() {
        for text in [
            "",
            "f13",
            "f0",
            "ctrl+",
            "hyper+x",
            "xy",
            "ctrl+enterr",
            "\u{7}",
        ] {
            assert!(KeySpec::parse(text).is_err(), "{text:?} was accepted");
        }
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "x",
            "X",
            "ctrl+alt+pagedown",
            "f5",
            "space",
            "backtab",
            "alt+?",
        ] {
            let parsed = KeySpec::parse(text).unwrap();
            assert_eq!(parsed.to_string(), text);
            assert_eq!(KeySpec::parse(&parsed.to_string()), Ok(parsed));
        }
    }

    #[test]
    fn matches_terminal_events_with_shift_on_characters() {
        let upper = KeySpec::parse("X").unwrap();
        assert!(upper.matches(&KeyEvent::new(KeyCode::Char('X'), KeyModifiers::SHIFT)));
        assert!(upper.matches(&KeyEvent::new(KeyCode::Char('X'), KeyModifiers::NONE)));
        assert!(!upper.matches(&KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE)));
        let ctrl = KeySpec::parse("ctrl+x").unwrap();
        assert!(ctrl.matches(&KeyEvent::new(KeyCode::Char('x'), KeyModifiers::CONTROL)));
        assert!(!ctrl.matches(&KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE)));
        let backtab = KeySpec::parse("backtab").unwrap();
        assert!(backtab.matches(&KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)));
    }

    #[test]
    fn table_is_sorted_and_rejects_unknown_actions_and_shared_keys() {
        let parsed: Keybindings = toml::from_str("tick = \"x\"\nquit = \"ctrl+q\"\n").unwrap();
        let actions: Vec<&str> = parsed.bindings().iter().map(|b| b.action).collect();
        assert_eq!(actions, ["quit", "tick"]);
        assert_eq!(parsed.key_for("quit"), KeySpec::parse("ctrl+q").ok());
        assert_eq!(parsed.key_for("help"), None);

        let unknown = toml::from_str::<Keybindings>("tick = \"x\"\nfly = \"y\"\n").unwrap_err();
        assert!(
            unknown.message().contains("unknown action `fly`"),
            "{unknown}"
        );
        let shared = toml::from_str::<Keybindings>("tick = \"x\"\nnote = \"x\"\n").unwrap_err();
        assert!(
            shared
                .message()
                .contains("key `x` is bound to both `note` and `tick`"),
            "{shared}"
        );
    }
}
