//! Key bindings: which key does what on each screen, and the list the help overlay shows.
//! Screens ask for an [`Action`]; they never look at raw keys (except while typing text). The
//! [`Keymap`] holds the keys of every action (the defaults, or the config's `[keybindings]`);
//! one key may do different things on different screens (`r`: refresh the queue, raw diff in
//! the review).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::config::keys::{KeySpec, Keybindings};

/// What a key asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Move the selection or scroll up.
    Up,
    /// Move the selection or scroll down.
    Down,
    /// The previous pane (review).
    Left,
    /// The next pane (review).
    Right,
    /// To the first row / the top.
    Top,
    /// To the last row / the bottom.
    Bottom,
    /// A page up.
    PageUp,
    /// A page down.
    PageDown,
    /// Open the selection / confirm.
    Enter,
    /// Go back / cancel.
    Back,
    /// Quit the console.
    Quit,
    /// Show or hide the help overlay.
    Help,
    /// Start typing a search filter (queue).
    Search,
    /// Sort the queue by the next key (risk, age, repo).
    Sort,
    /// Raise the queue's minimum risk (all, MEDIUM, HIGH, CRITICAL, all again); on the audit
    /// screen, cycle the risk shown.
    RiskFilter,
    /// Show one repository, the next one, then all again.
    RepoFilter,
    /// List only the PRs that need my review.
    NeedsMe,
    /// Load the queue again.
    Refresh,
    /// Open the audit screen (the decision log).
    Audit,
    /// Focus the next pane (review).
    NextPane,
    /// Focus the previous pane (review).
    PrevPane,
    /// Tick or untick the selected checklist item.
    Toggle,
    /// Waive the selected checklist item with a reason.
    Waive,
    /// Add a note to the PR, or to the selected finding's statement.
    Note,
    /// Switch the diff pane between the schema diff and the migration text.
    RawDiff,
    /// Open the verdict dialog; on the audit screen, cycle the verdict shown.
    Verdict,
    /// Confirm a dialog (yes).
    Yes,
}

/// Every action with its config name (`[keybindings]` keys).
const NAMES: &[(Action, &str)] = &[
    (Action::Quit, "quit"),
    (Action::Help, "help"),
    (Action::Up, "up"),
    (Action::Down, "down"),
    (Action::Left, "left"),
    (Action::Right, "right"),
    (Action::Top, "top"),
    (Action::Bottom, "bottom"),
    (Action::PageUp, "page_up"),
    (Action::PageDown, "page_down"),
    (Action::Enter, "open"),
    (Action::Back, "back"),
    (Action::NextPane, "next_pane"),
    (Action::PrevPane, "prev_pane"),
    (Action::Toggle, "tick"),
    (Action::Waive, "waive"),
    (Action::Note, "note"),
    (Action::Verdict, "verdict"),
    (Action::Search, "search"),
    (Action::Refresh, "refresh"),
    (Action::Sort, "sort"),
    (Action::RiskFilter, "filter_risk"),
    (Action::RepoFilter, "filter_repo"),
    (Action::NeedsMe, "filter_mine"),
    (Action::RawDiff, "raw_diff"),
    (Action::Audit, "audit"),
    (Action::Yes, "yes"),
];

impl Action {
    /// The action a config name names (`tick`, `filter_repo`, ...).
    pub fn from_name(name: &str) -> Option<Action> {
        NAMES.iter().find(|(_, n)| *n == name).map(|(a, _)| *a)
    }

    /// The config name of the action.
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(a, _)| *a == self)
            .map_or("", |(_, n)| *n)
    }
}

/// Which set of bindings applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    /// The list of PRs.
    Queue,
    /// One PR's panes.
    Review,
    /// The verdict dialog.
    Verdict,
    /// The decision log.
    Audit,
}

/// One line of the help: an action (its keys come from the keymap) or a mouse gesture.
pub struct Binding {
    /// The action, or `None` for a mouse gesture.
    pub action: Option<Action>,
    /// How a mouse gesture is written (unused for actions).
    pub gesture: &'static str,
    /// What it does.
    pub help: &'static str,
}

const fn bind(action: Action, help: &'static str) -> Binding {
    Binding {
        action: Some(action),
        gesture: "",
        help,
    }
}

const fn mouse(gesture: &'static str, help: &'static str) -> Binding {
    Binding {
        action: None,
        gesture,
        help,
    }
}

const QUEUE: &[Binding] = &[
    bind(Action::Down, "next PR"),
    bind(Action::Up, "previous PR"),
    bind(Action::PageDown, "a page down"),
    bind(Action::PageUp, "a page up"),
    bind(Action::Top, "first PR"),
    bind(Action::Bottom, "last PR"),
    bind(Action::Enter, "review the selected PR"),
    bind(Action::Search, "filter by title, author, repo or number"),
    bind(Action::Sort, "sort by risk, latest update, or repository"),
    bind(
        Action::RiskFilter,
        "minimum risk: all, MEDIUM, HIGH, CRITICAL",
    ),
    bind(Action::RepoFilter, "one repository, the next, then all"),
    bind(
        Action::NeedsMe,
        "only PRs needing my review (Mine empty, or * = head moved)",
    ),
    bind(
        Action::NextPane,
        "next queue section (configured [[sections]])",
    ),
    bind(Action::PrevPane, "previous queue section"),
    bind(Action::Refresh, "load the queue again (ticks are kept)"),
    bind(Action::Audit, "past decisions (the decision log)"),
    bind(Action::Back, "clear the search and filters"),
    bind(Action::Help, "this help"),
    bind(Action::Quit, "quit"),
    mouse(
        "click",
        "select a PR (click it again to open it), or a section tab",
    ),
    mouse("wheel", "move the selection"),
];

const REVIEW: &[Binding] = &[
    bind(Action::NextPane, "next pane"),
    bind(Action::PrevPane, "previous pane"),
    bind(Action::Right, "next pane"),
    bind(Action::Left, "previous pane"),
    bind(Action::Down, "scroll down / next checklist item"),
    bind(Action::Up, "scroll up / previous checklist item"),
    bind(Action::PageDown, "scroll a page down"),
    bind(Action::PageUp, "scroll a page up"),
    bind(Action::Top, "to the top"),
    bind(Action::Bottom, "to the bottom"),
    bind(Action::Toggle, "tick or untick the checklist item"),
    bind(
        Action::Waive,
        "waive the checklist item (type a reason, Enter)",
    ),
    bind(
        Action::Enter,
        "on Findings: jump to the selected finding's statement",
    ),
    bind(
        Action::RawDiff,
        "schema diff <-> migration text diff (line numbers)",
    ),
    bind(
        Action::Note,
        "note on the selected finding or SQL line, else on the PR",
    ),
    bind(Action::Verdict, "choose a verdict"),
    bind(Action::Back, "back to the queue"),
    bind(Action::Help, "this help"),
    bind(Action::Quit, "quit"),
    mouse("click", "focus a pane, select an item or line, switch tabs"),
    mouse("wheel", "scroll the focused pane"),
];

const VERDICT: &[Binding] = &[
    bind(Action::Down, "next choice / scroll the preview down"),
    bind(Action::Up, "previous choice / scroll the preview up"),
    bind(Action::PageDown, "scroll the preview a page down"),
    bind(Action::PageUp, "scroll the preview a page up"),
    bind(Action::Top, "the top of the preview"),
    bind(Action::Bottom, "the end of the preview"),
    bind(Action::Enter, "check the gates for the chosen verdict"),
    bind(Action::Yes, "record the verdict once allowed"),
    bind(
        Action::Back,
        "cancel (while sending: GitHub's answer shows first)",
    ),
    bind(Action::Quit, "close the dialog (not while sending)"),
    bind(Action::Help, "this help"),
];

const AUDIT: &[Binding] = &[
    bind(Action::Down, "next decision"),
    bind(Action::Up, "previous decision"),
    bind(Action::PageDown, "a page down"),
    bind(Action::PageUp, "a page up"),
    bind(Action::Top, "newest decision"),
    bind(
        Action::Bottom,
        "oldest decision / the end of the opened one",
    ),
    bind(
        Action::Enter,
        "the decision: checklist as ticked, waivers, notes",
    ),
    bind(
        Action::Verdict,
        "verdict shown: all, approve, changes, block",
    ),
    bind(Action::RiskFilter, "risk shown: all, LOW .. CRITICAL"),
    bind(Action::RepoFilter, "one repository, the next, then all"),
    bind(Action::Back, "close the decision / back to the queue"),
    bind(Action::Help, "this help"),
    bind(Action::Quit, "quit"),
    mouse("click", "select a decision"),
    mouse("wheel", "move the selection"),
];

/// The bindings of a screen, in the order the help lists them.
pub fn bindings(screen: Screen) -> &'static [Binding] {
    match screen {
        Screen::Queue => QUEUE,
        Screen::Review => REVIEW,
        Screen::Verdict => VERDICT,
        Screen::Audit => AUDIT,
    }
}

/// A key without modifiers.
const fn plain(code: KeyCode) -> KeySpec {
    KeySpec {
        code,
        modifiers: KeyModifiers::NONE,
    }
}

/// A character key.
const fn char_key(c: char) -> KeySpec {
    plain(KeyCode::Char(c))
}

/// How the help writes a key: `j`, `Down`, `Ctrl-r`, `Space`, `PgDn`.
pub fn key_label(key: KeySpec) -> String {
    let name = match key.code {
        KeyCode::Char(' ') => "Space".to_owned(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::BackTab => "Shift-Tab".to_owned(),
        KeyCode::PageDown => "PgDn".to_owned(),
        KeyCode::PageUp => "PgUp".to_owned(),
        KeyCode::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    };
    let mut label = String::new();
    for (modifier, text) in [
        (KeyModifiers::CONTROL, "Ctrl-"),
        (KeyModifiers::ALT, "Alt-"),
        (KeyModifiers::SHIFT, "Shift-"),
    ] {
        if key.modifiers.contains(modifier) {
            label.push_str(text);
        }
    }
    label.push_str(&name);
    label
}

/// The keys of every action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keymap {
    keys: Vec<(Action, Vec<KeySpec>)>,
    /// Actions whose key the config set: looked up first, so they win over a default.
    overridden: Vec<Action>,
}

impl Default for Keymap {
    fn default() -> Keymap {
        use KeyCode as K;
        let p = plain;
        let c = char_key;
        let keys = vec![
            (Action::Down, vec![c('j'), p(K::Down)]),
            (Action::Up, vec![c('k'), p(K::Up)]),
            (Action::Left, vec![c('h'), p(K::Left)]),
            (Action::Right, vec![c('l'), p(K::Right)]),
            (Action::Top, vec![c('g'), p(K::Home)]),
            (Action::Bottom, vec![c('G'), p(K::End)]),
            (Action::PageDown, vec![p(K::PageDown)]),
            (Action::PageUp, vec![p(K::PageUp)]),
            (Action::Enter, vec![p(K::Enter)]),
            (Action::Back, vec![p(K::Esc)]),
            (Action::Quit, vec![c('q')]),
            (Action::Help, vec![c('?')]),
            (Action::Search, vec![c('/')]),
            (Action::Sort, vec![c('s')]),
            (Action::RiskFilter, vec![c('f')]),
            (Action::RepoFilter, vec![c('p')]),
            (Action::NeedsMe, vec![c('m')]),
            (Action::Refresh, vec![c('r')]),
            (Action::Audit, vec![c('a')]),
            (Action::NextPane, vec![p(K::Tab)]),
            (Action::PrevPane, vec![p(K::BackTab)]),
            (Action::Toggle, vec![c(' ')]),
            (Action::Waive, vec![c('w')]),
            (Action::Note, vec![c('n')]),
            (Action::RawDiff, vec![c('r')]),
            (Action::Verdict, vec![c('v')]),
            (Action::Yes, vec![c('y')]),
        ];
        Keymap {
            keys,
            overridden: Vec::new(),
        }
    }
}

impl Keymap {
    /// The defaults with the config's `[keybindings]` applied (each replaces the default keys
    /// of its action).
    pub fn with_config(bindings: &Keybindings) -> Keymap {
        let mut keymap = Keymap::default();
        for binding in bindings.bindings() {
            if let Some(action) = Action::from_name(binding.action) {
                keymap.set(action, binding.key);
            }
        }
        keymap
    }

    /// Binds `action` to `key` instead of its default keys.
    pub fn set(&mut self, action: Action, key: KeySpec) {
        match self.keys.iter_mut().find(|(a, _)| *a == action) {
            Some((_, keys)) => *keys = vec![key],
            None => self.keys.push((action, vec![key])),
        }
        if !self.overridden.contains(&action) {
            self.overridden.push(action);
        }
    }

    /// The keys of `action`.
    pub fn keys(&self, action: Action) -> &[KeySpec] {
        self.keys
            .iter()
            .find(|(a, _)| *a == action)
            .map_or(&[], |(_, keys)| keys.as_slice())
    }

    /// `j / Down`: the keys of `action` as the help shows them.
    pub fn label(&self, action: Action) -> String {
        let labels: Vec<String> = self.keys(action).iter().map(|k| key_label(*k)).collect();
        labels.join(" / ")
    }

    /// `template` with each `{name}` (a config action name: `{open}`, `{tick}`) replaced by the
    /// first key of that action, so footers and prompts name the keys in force.
    pub fn fill(&self, template: &str) -> String {
        let mut filled = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            filled.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            let named = after.find('}').and_then(|end| {
                let action = Action::from_name(&after[..end])?;
                Some((end, action))
            });
            match named {
                Some((end, action)) => {
                    let first = self.keys(action).first().copied();
                    filled.push_str(&first.map_or_else(|| "-".to_owned(), key_label));
                    rest = &after[end + 1..];
                }
                None => {
                    filled.push('{');
                    rest = after;
                }
            }
        }
        filled.push_str(rest);
        filled
    }

    /// The action `key` asks for on `screen` (Ctrl-C always quits).
    pub fn action(&self, key: KeyEvent, screen: Screen) -> Option<Action> {
        let ctrl_c = KeySpec {
            code: KeyCode::Char('c'),
            modifiers: KeyModifiers::CONTROL,
        };
        if ctrl_c.matches(&key) {
            return Some(Action::Quit);
        }
        let actions = || bindings(screen).iter().filter_map(|b| b.action);
        let matches = |action: &Action| self.keys(*action).iter().any(|k| k.matches(&key));
        actions()
            .filter(|a| self.overridden.contains(a))
            .find(matches)
            .or_else(|| actions().find(matches))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_the_help_lists_has_a_key_that_reaches_it() {
        let keymap = Keymap::default();
        for screen in [
            Screen::Queue,
            Screen::Review,
            Screen::Verdict,
            Screen::Audit,
        ] {
            for action in bindings(screen).iter().filter_map(|b| b.action) {
                let key = keymap.keys(action)[0];
                let event = KeyEvent::new(key.code, key.modifiers);
                assert_eq!(keymap.action(event, screen), Some(action), "{screen:?}");
            }
        }
    }

    #[test]
    fn one_key_does_what_the_screen_means() {
        let keymap = Keymap::default();
        let r = KeyEvent::from(KeyCode::Char('r'));
        assert_eq!(keymap.action(r, Screen::Queue), Some(Action::Refresh));
        assert_eq!(keymap.action(r, Screen::Review), Some(Action::RawDiff));
        assert_eq!(keymap.action(r, Screen::Verdict), None);
    }

    #[test]
    fn control_c_quits_and_unbound_keys_do_nothing() {
        let keymap = Keymap::default();
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(keymap.action(ctrl_c, Screen::Verdict), Some(Action::Quit));
        let c = KeyEvent::from(KeyCode::Char('c'));
        assert_eq!(keymap.action(c, Screen::Queue), None);
        let f5 = KeyEvent::from(KeyCode::F(5));
        assert_eq!(keymap.action(f5, Screen::Queue), None);
    }

    #[test]
    fn an_override_replaces_the_default_and_wins_over_other_actions() {
        let mut keymap = Keymap::default();
        keymap.set(Action::Toggle, char_key('x'));
        let x = KeyEvent::from(KeyCode::Char('x'));
        let space = KeyEvent::from(KeyCode::Char(' '));
        assert_eq!(keymap.action(x, Screen::Review), Some(Action::Toggle));
        assert_eq!(keymap.action(space, Screen::Review), None);
        keymap.set(Action::Quit, char_key('j'));
        let j = KeyEvent::from(KeyCode::Char('j'));
        assert_eq!(keymap.action(j, Screen::Queue), Some(Action::Quit));
        assert_eq!(keymap.label(Action::Toggle), "x");
    }

    #[test]
    fn shifted_letters_match_without_the_shift_flag() {
        let keymap = Keymap::default();
        let shifted = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(keymap.action(shifted, Screen::Queue), Some(Action::Bottom));
        assert_eq!(Action::from_name("filter_repo"), Some(Action::RepoFilter));
        assert_eq!(Action::Toggle.name(), "tick");
        let backtab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(
            keymap.action(backtab, Screen::Review),
            Some(Action::PrevPane)
        );
    }

    #[test]
    fn templates_name_the_first_key_in_force() {
        let mut keymap = Keymap::default();
        let template = "{down}/{up} scroll  {tick} tick  {nope} {open";
        assert_eq!(
            keymap.fill(template),
            "j/k scroll  Space tick  {nope} {open"
        );
        keymap.set(Action::Toggle, char_key('x'));
        assert_eq!(keymap.fill("{tick} tick, {page_down}"), "x tick, PgDn");
    }

    #[test]
    fn every_config_action_name_is_an_action() {
        for (name, _) in crate::config::keys::ACTIONS {
            assert!(Action::from_name(name).is_some(), "{name}");
        }
    }
}
