//! Key bindings: which key does what on each screen, and the list the help overlay shows.
//! Screens ask for an [`Action`]; they never look at raw keys (except while typing text).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Move the selection or scroll up.
    Up,
    /// Move the selection or scroll down.
    Down,
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
    /// Raise the queue's minimum risk (all, MEDIUM, HIGH, CRITICAL, all again).
    RiskFilter,
    /// List only the PRs that need my review.
    NeedsMe,
    /// Focus the next pane (review).
    NextPane,
    /// Focus the previous pane (review).
    PrevPane,
    /// Tick or untick the selected checklist item.
    Toggle,
    /// Waive the selected checklist item with a reason.
    Waive,
    /// Add a note to the PR.
    Note,
    /// Switch the diff pane between the schema diff and the migration text.
    RawDiff,
    /// Open the verdict dialog.
    Verdict,
    /// Confirm a dialog (yes).
    Yes,
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
}

/// One binding: the keys (as the help shows them), the action, and what it does.
pub struct Binding {
    /// How the keys are written in the help.
    pub keys: &'static str,
    /// The action.
    pub action: Action,
    /// What it does.
    pub help: &'static str,
}

const fn bind(keys: &'static str, action: Action, help: &'static str) -> Binding {
    Binding { keys, action, help }
}

const QUEUE: &[Binding] = &[
    bind("j / Down", Action::Down, "next PR"),
    bind("k / Up", Action::Up, "previous PR"),
    bind("Enter", Action::Enter, "review the selected PR"),
    bind(
        "/",
        Action::Search,
        "filter by title, author, repo or number",
    ),
    bind(
        "s",
        Action::Sort,
        "sort by risk, latest update, or repository",
    ),
    bind(
        "f",
        Action::RiskFilter,
        "minimum risk: all, MEDIUM, HIGH, CRITICAL",
    ),
    bind(
        "m",
        Action::NeedsMe,
        "only PRs needing my review (Mine empty, or * = head moved)",
    ),
    bind("Esc", Action::Back, "clear the search"),
    bind("?", Action::Help, "this help"),
    bind("q", Action::Quit, "quit"),
];

const REVIEW: &[Binding] = &[
    bind("Tab", Action::NextPane, "next pane"),
    bind("Shift-Tab", Action::PrevPane, "previous pane"),
    bind(
        "j / Down",
        Action::Down,
        "scroll down / next checklist item",
    ),
    bind("k / Up", Action::Up, "scroll up / previous checklist item"),
    bind("PgDn / PgUp", Action::PageDown, "scroll a page"),
    bind("Space", Action::Toggle, "tick or untick the checklist item"),
    bind(
        "w",
        Action::Waive,
        "waive the checklist item (type a reason, Enter)",
    ),
    bind(
        "Enter",
        Action::Enter,
        "on Findings: jump to the top finding's statement",
    ),
    bind(
        "r",
        Action::RawDiff,
        "schema diff <-> migration text diff (line numbers)",
    ),
    bind("n", Action::Note, "add a note to the PR (type it, Enter)"),
    bind("v", Action::Verdict, "choose a verdict"),
    bind("Esc", Action::Back, "back to the queue"),
    bind("?", Action::Help, "this help"),
    bind("q", Action::Quit, "quit"),
];

const VERDICT: &[Binding] = &[
    bind(
        "j / k",
        Action::Down,
        "choose Approve, Request changes or Block",
    ),
    bind(
        "Enter",
        Action::Enter,
        "check the gates for the chosen verdict",
    ),
    bind("y", Action::Yes, "record the verdict once allowed"),
    bind("Esc", Action::Back, "cancel"),
    bind("?", Action::Help, "this help"),
];

/// The bindings of a screen, in the order the help lists them.
pub fn bindings(screen: Screen) -> &'static [Binding] {
    match screen {
        Screen::Queue => QUEUE,
        Screen::Review => REVIEW,
        Screen::Verdict => VERDICT,
    }
}

/// The action of a key press, the same on every screen (a screen ignores what it does not use).
pub fn action(key: KeyEvent) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    Some(match key.code {
        KeyCode::Char('c') if ctrl => Action::Quit,
        KeyCode::Char('j') | KeyCode::Down => Action::Down,
        KeyCode::Char('k') | KeyCode::Up => Action::Up,
        KeyCode::PageDown => Action::PageDown,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::Enter => Action::Enter,
        KeyCode::Esc => Action::Back,
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Char('?') => Action::Help,
        KeyCode::Char('/') => Action::Search,
        KeyCode::Char('s') => Action::Sort,
        KeyCode::Char('f') => Action::RiskFilter,
        KeyCode::Char('m') => Action::NeedsMe,
        KeyCode::Tab => Action::NextPane,
        KeyCode::BackTab => Action::PrevPane,
        KeyCode::Char(' ') => Action::Toggle,
        KeyCode::Char('w') => Action::Waive,
        KeyCode::Char('n') => Action::Note,
        KeyCode::Char('r') => Action::RawDiff,
        KeyCode::Char('v') => Action::Verdict,
        KeyCode::Char('y') => Action::Yes,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key the help lists, as a terminal sends it.
    const KEYS: [KeyCode; 22] = [
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Down,
        KeyCode::Up,
        KeyCode::PageDown,
        KeyCode::PageUp,
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Char(' '),
        KeyCode::Char('j'),
        KeyCode::Char('k'),
        KeyCode::Char('w'),
        KeyCode::Char('n'),
        KeyCode::Char('r'),
        KeyCode::Char('v'),
        KeyCode::Char('y'),
        KeyCode::Char('s'),
        KeyCode::Char('f'),
        KeyCode::Char('m'),
        KeyCode::Char('/'),
        KeyCode::Char('?'),
        KeyCode::Char('q'),
    ];

    #[test]
    fn every_action_the_help_lists_has_a_key() {
        let actions: Vec<Action> = KEYS
            .into_iter()
            .filter_map(|code| action(KeyEvent::from(code)))
            .collect();
        for screen in [Screen::Queue, Screen::Review, Screen::Verdict] {
            for binding in bindings(screen) {
                assert!(
                    actions.contains(&binding.action),
                    "{screen:?}: {}",
                    binding.keys
                );
            }
        }
    }

    #[test]
    fn control_c_quits_and_unbound_keys_do_nothing() {
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action(ctrl_c), Some(Action::Quit));
        assert_eq!(action(KeyEvent::from(KeyCode::Char('c'))), None);
        assert_eq!(action(KeyEvent::from(KeyCode::F(5))), None);
    }
}
