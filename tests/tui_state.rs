//! Key sequences drive the console's state without a terminal: open the riskiest PR, tick and
//! waive checklist items, the verdict gates, the decision log, and drafts restored on reopening.

#[path = "support/console.rs"]
mod console;

use console::{NOTE_ON_FIRST_FINDING, RECORD_SUGGESTED, demo_app, press, type_text};
use crossterm::event::{KeyCode, KeyEvent};
use schemagate::analysis::rules::Risk;
use schemagate::review::decision_log::{LOG_FILE, read_all};
use schemagate::review::{DecisionLog, Destination, ItemState, Prompt, Verdict};
use schemagate::tui::app::App;
use schemagate::tui::keys::Screen;
use schemagate::tui::views::queue::{LastDecision, SortKey};
use schemagate::tui::views::verdict::Stage;

/// The index in the queue's entries of the PR under review.
fn open_index(app: &App) -> usize {
    let open = app.open_entry().unwrap();
    app.entries
        .iter()
        .position(|e| std::ptr::eq(e, open))
        .unwrap()
}

/// The state of checklist item `index` of the open review.
fn item_state(app: &App, index: usize) -> ItemState {
    let entry = app.open_entry().unwrap();
    let id = &entry.report.checklist[index].id;
    app.review.as_ref().unwrap().draft.state.get(id).clone()
}

#[test]
fn enter_opens_the_riskiest_pr_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.screen(), Screen::Review);
    let riskiest = app.entries.iter().map(|e| e.report.risk).max().unwrap();
    assert_eq!(riskiest, Risk::Critical);
    assert_eq!(app.open_entry().unwrap().report.risk, riskiest);
    press(&mut app, &[KeyCode::Esc]);
    assert_eq!(app.screen(), Screen::Queue);
    press(&mut app, &[KeyCode::Char('q')]);
    assert!(app.quit);
}

#[test]
fn tick_waive_then_approve_is_refused_and_block_is_recorded_locally() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, &[KeyCode::Enter, KeyCode::Char(' ')]);
    assert!(matches!(item_state(&app, 0), ItemState::Ticked { ref by } if by == "ana"));

    press(
        &mut app,
        &[KeyCode::Char('j'), KeyCode::Char('w'), KeyCode::Enter],
    );
    assert_eq!(
        item_state(&app, 1),
        ItemState::Open,
        "a blank reason waives nothing"
    );
    type_text(&mut app, "no user rows in staging");
    press(&mut app, &[KeyCode::Enter]);
    assert_eq!(
        item_state(&app, 1),
        ItemState::Waived {
            by: "ana".to_owned(),
            reason: "no user rows in staging".to_owned()
        }
    );

    press(&mut app, &[KeyCode::Char('v')]);
    let verdict = app.verdict().unwrap();
    assert!(verdict.suggest_block);
    assert_eq!(verdict.choice(), Verdict::Block);
    press(&mut app, &[KeyCode::Up, KeyCode::Up, KeyCode::Enter]);
    let verdict = app.verdict().unwrap();
    assert_eq!(verdict.choice(), Verdict::Approve);
    let Stage::Refused(reasons) = &verdict.stage else {
        panic!(
            "Approve allowed with required items open: {:?}",
            verdict.stage
        );
    };
    assert!(reasons.iter().any(|r| r.contains("is open")), "{reasons:?}");

    press(
        &mut app,
        &[KeyCode::Enter, KeyCode::Down, KeyCode::Down, KeyCode::Enter],
    );
    assert_eq!(app.verdict().unwrap().stage, Stage::Confirm);
    press(&mut app, &[KeyCode::Char('y')]);
    let log_path = dir.path().join(LOG_FILE);
    assert_eq!(
        app.verdict().unwrap().stage,
        Stage::Recorded(log_path.clone())
    );

    let log = read_all(&log_path).unwrap();
    let [record] = log.records.as_slice() else {
        panic!("expected one decision, got {:?}", log.records);
    };
    let decision = &record.decision;
    assert_eq!(decision.verdict, Verdict::Block);
    assert_eq!(decision.destination, Destination::LocalOnly);
    assert_eq!(decision.pr, app.open_entry().unwrap().meta.number);
    assert_eq!(decision.checklist, app.review.as_ref().unwrap().draft.state);
    press(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.screen(), Screen::Review);

    let index = open_index(&app);
    let mine = LastDecision {
        verdict: Verdict::Block,
        stale: false,
    };
    assert_eq!(app.queue.decision(index), Some(mine));
}

#[test]
fn the_queue_marks_a_verdict_on_an_older_head_as_stale() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, RECORD_SUGGESTED);
    let index = open_index(&app);
    let log_path = dir.path().join(LOG_FILE);
    let mut decision = read_all(&log_path).unwrap().records[0].decision.clone();
    decision.head_sha = "0123456789abcdef0123456789abcdef01234567".to_owned();
    DecisionLog::in_dir(dir.path()).append(&decision).unwrap();

    let reopened = demo_app(dir.path());
    let mine = reopened.queue.decision(index).unwrap();
    assert!(mine.stale);
    let other = demo_app(dir.path());
    assert_eq!(
        other.queue.decision(index).map(|d| d.verdict),
        Some(Verdict::Block)
    );
}

#[test]
fn the_draft_is_restored_when_the_pr_is_opened_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(
        &mut app,
        &[KeyCode::Enter, KeyCode::Char(' '), KeyCode::Esc],
    );
    assert!(app.review.is_none());
    press(&mut app, &[KeyCode::Enter]);
    assert!(matches!(item_state(&app, 0), ItemState::Ticked { .. }));

    let mut fresh = demo_app(dir.path());
    press(&mut fresh, &[KeyCode::Enter]);
    assert!(matches!(item_state(&fresh, 0), ItemState::Ticked { .. }));
    press(&mut fresh, &[KeyCode::Char(' ')]);
    assert_eq!(item_state(&fresh, 0), ItemState::Open, "space unticks");
}

#[test]
fn search_filters_the_queue_and_escape_clears_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, &[KeyCode::Char('/')]);
    type_text(&mut app, "cook");
    press(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.queue.visible(&app.entries).len(), 1);
    press(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.open_entry().unwrap().meta.number, 109);
    press(&mut app, &[KeyCode::Esc, KeyCode::Esc]);
    assert_eq!(app.queue.filter(), "");
    assert_eq!(app.queue.visible(&app.entries).len(), app.entries.len());
}

#[test]
fn s_sorts_by_latest_update_and_the_wheel_moves_the_selection() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, &[KeyCode::Char('s')]);
    assert_eq!(app.queue.sort_key(), SortKey::Age);
    let numbers: Vec<u64> = app
        .queue
        .visible(&app.entries)
        .iter()
        .map(|&i| app.entries[i].meta.number)
        .collect();
    assert_eq!(numbers.first(), Some(&108), "{numbers:?}");
    assert_eq!(numbers.last(), Some(&101), "{numbers:?}");
    app.handle_scroll(true);
    app.handle_scroll(true);
    app.handle_scroll(false);
    press(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.open_entry().unwrap().meta.number, numbers[1]);
}

#[test]
fn f_raises_the_minimum_risk_and_m_hides_what_i_decided() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(
        &mut app,
        &[KeyCode::Char('f'), KeyCode::Char('f'), KeyCode::Char('f')],
    );
    let critical = app.queue.visible(&app.entries);
    assert_eq!(critical.len(), 2);
    assert!(
        critical
            .iter()
            .all(|&i| app.entries[i].report.risk == Risk::Critical)
    );
    press(&mut app, &[KeyCode::Char('f')]);
    assert_eq!(app.queue.visible(&app.entries).len(), app.entries.len());

    press(&mut app, RECORD_SUGGESTED);
    press(
        &mut app,
        &[KeyCode::Enter, KeyCode::Esc, KeyCode::Char('m')],
    );
    assert_eq!(app.queue.visible(&app.entries).len(), app.entries.len() - 1);
    press(&mut app, &[KeyCode::Char('m')]);
    assert_eq!(app.queue.visible(&app.entries).len(), app.entries.len());
}

#[test]
fn help_opens_over_any_screen_and_closes() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(
        &mut app,
        &[KeyCode::Char('?'), KeyCode::Char('j'), KeyCode::Enter],
    );
    assert!(
        app.review.is_none(),
        "keys other than close do nothing under help"
    );
    press(
        &mut app,
        &[KeyCode::Esc, KeyCode::Enter, KeyCode::Char('?')],
    );
    assert_eq!(app.screen(), Screen::Review);
    press(&mut app, &[KeyCode::Char('q')]);
    assert!(!app.quit, "q closes the help first");
    press(&mut app, &[KeyCode::Char('q')]);
    assert!(app.quit);
}

#[test]
fn help_over_the_verdict_dialog_lists_its_keys_and_returns_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(
        &mut app,
        &[KeyCode::Enter, KeyCode::Char('v'), KeyCode::Char('?')],
    );
    assert!(app.help);
    assert_eq!(app.screen(), Screen::Verdict);
    press(&mut app, &[KeyCode::Esc]);
    assert!(!app.help);
    assert!(app.verdict().is_some(), "closing the help keeps the dialog");
}

#[test]
fn p_cycles_through_the_repositories_and_escape_shows_all() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let checklists = schemagate::review::Checklists::load(None).unwrap();
    let mut change = schemagate::source::demo::demo_changes().unwrap().remove(0);
    change.meta.repo = "acme/other".to_owned();
    app.entries.push(schemagate::app::entry::PrEntry::analyse(
        change,
        &checklists,
    ));
    let reviewer = &app.context.reviewer;
    app.queue.entries_changed(&app.entries, reviewer);
    assert_eq!(app.queue.visible(&app.entries).len(), 10);
    press(&mut app, &[KeyCode::Char('p')]);
    assert_eq!(app.queue.repo_filter(), Some("acme/other"));
    assert_eq!(app.queue.visible(&app.entries).len(), 1);
    press(&mut app, &[KeyCode::Char('p')]);
    assert_eq!(app.queue.repo_filter(), Some("demo/meal-planner"));
    assert_eq!(app.queue.visible(&app.entries).len(), 9);
    press(&mut app, &[KeyCode::Char('p')]);
    assert_eq!(app.queue.visible(&app.entries).len(), 10);
    press(&mut app, &[KeyCode::Char('p'), KeyCode::Esc]);
    assert_eq!(app.queue.repo_filter(), None);
    assert_eq!(app.queue.visible(&app.entries).len(), 10);
}

#[test]
fn conflicting_prs_count_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let app = demo_app(dir.path());
    let index = |number: u64| {
        app.entries
            .iter()
            .position(|e| e.meta.number == number)
            .unwrap()
    };
    let cascade = &app.entries[index(104)];
    let conflicts: Vec<_> = app.queue.conflicts_of(cascade).collect();
    assert!(
        !conflicts.is_empty(),
        "104 changes tables other open PRs change"
    );
    for conflict in conflicts {
        let other = if conflict.a.number == 104 {
            conflict.b.number
        } else {
            conflict.a.number
        };
        assert!(
            app.queue.conflict_count(&app.entries[index(other)]) >= 1,
            "#{other}"
        );
    }
    let additive = index(109);
    assert_eq!(
        app.queue.conflict_count(&app.entries[additive]),
        0,
        "the cook log touches nothing else"
    );
}

#[test]
fn n_on_a_finding_notes_its_statement_and_n_on_the_checklist_notes_the_pr() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, NOTE_ON_FIRST_FINDING);
    type_text(&mut app, "the DBA ran this on a copy");
    press(&mut app, &[KeyCode::Enter]);
    let finding = app.open_entry().unwrap().report.findings[0].clone();
    let review = app.review.as_ref().unwrap();
    let [note] = review.draft.notes.as_slice() else {
        panic!("{:?}", review.draft.notes);
    };
    assert_eq!(note.text, "the DBA ran this on a copy");
    assert_eq!(note.file.as_deref(), Some(finding.file.as_str()));
    assert_eq!(note.line, Some(finding.line));

    press(&mut app, &[KeyCode::Tab, KeyCode::Char('n')]);
    type_text(&mut app, "overall fine");
    press(&mut app, &[KeyCode::Enter]);
    let notes = &app.review.as_ref().unwrap().draft.notes;
    assert_eq!(notes.len(), 2);
    assert_eq!((notes[1].file.clone(), notes[1].line), (None, None));

    press(&mut app, &[KeyCode::Esc, KeyCode::Enter]);
    let restored = &app.review.as_ref().unwrap().draft.notes;
    assert_eq!(restored.len(), 2, "notes are in the draft on disk");
}

#[test]
fn n_on_a_line_of_the_migration_text_notes_that_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(
        &mut app,
        &[
            KeyCode::Enter,
            KeyCode::Char('r'),
            KeyCode::Down,
            KeyCode::Down,
            KeyCode::Down,
        ],
    );
    let place = app.review.as_ref().unwrap().selected_statement().unwrap();
    press(&mut app, &[KeyCode::Char('n')]);
    type_text(&mut app, "why a rewrite?");
    press(&mut app, &[KeyCode::Enter]);
    let note = &app.review.as_ref().unwrap().draft.notes[0];
    assert_eq!((note.file.clone().unwrap(), note.line.unwrap()), place);
    assert_eq!(
        place.1, 3,
        "the third line of the migration, under its heading"
    );
}

#[test]
fn config_keybindings_replace_the_default_keys_and_the_help_shows_them() {
    use schemagate::config::Config;
    use schemagate::tui::keys::{Action, Keymap};
    let toml = b"[keybindings]\ntick = \"x\"\naudit = \"ctrl+a\"\n";
    let config = Config::parse(toml, std::path::Path::new("config.toml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    app.keymap = Keymap::with_config(&config.keybindings);
    assert_eq!(app.keymap.label(Action::Toggle), "x");
    assert_eq!(app.keymap.label(Action::Audit), "Ctrl-a");
    press(&mut app, &[KeyCode::Enter, KeyCode::Char(' ')]);
    assert_eq!(
        item_state(&app, 0),
        ItemState::Open,
        "space no longer ticks"
    );
    press(&mut app, &[KeyCode::Char('x')]);
    assert!(matches!(item_state(&app, 0), ItemState::Ticked { .. }));
    press(&mut app, &[KeyCode::Esc, KeyCode::Char('a')]);
    assert_eq!(app.screen(), Screen::Queue, "a no longer opens the audit");
    app.handle_key(KeyEvent::new(
        KeyCode::Char('a'),
        crossterm::event::KeyModifiers::CONTROL,
    ));
    assert_eq!(app.screen(), Screen::Audit);
}

#[test]
fn the_verdict_dialog_stays_open_while_sending_so_the_outcome_is_seen() {
    use schemagate::tui::app::Overlay;
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(
        &mut app,
        &[KeyCode::Enter, KeyCode::Char('v'), KeyCode::Enter],
    );
    assert_eq!(app.verdict().unwrap().stage, Stage::Confirm);
    if let Overlay::Verdict(state) = &mut app.overlay {
        state.stage = Stage::Sending(7);
    }
    press(
        &mut app,
        &[KeyCode::Esc, KeyCode::Char('q'), KeyCode::Enter],
    );
    assert_eq!(app.verdict().unwrap().stage, Stage::Sending(7));
    if let Overlay::Verdict(state) = &mut app.overlay {
        state.stage = Stage::Failed("disk full".to_owned());
    }
    press(&mut app, &[KeyCode::Esc]);
    assert!(app.verdict().is_none(), "an outcome closes with Esc");
    assert!(!app.quit);
}

#[test]
fn an_approval_already_on_github_counts_as_the_second_approver() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let approve = [KeyCode::Char('v'), KeyCode::Up, KeyCode::Up, KeyCode::Enter];
    press(&mut app, &[KeyCode::Enter]);
    press(&mut app, &approve);
    let second = |app: &App| match &app.verdict().unwrap().stage {
        Stage::Refused(reasons) => reasons.iter().any(|r| r.contains("second approver")),
        other => panic!("{other:?}"),
    };
    assert_eq!(app.open_entry().unwrap().report.risk, Risk::Critical);
    assert!(second(&app), "no approval yet");
    press(&mut app, &[KeyCode::Esc]);
    let index = open_index(&app);
    app.entries[index].approvals_at_head = 1;
    press(&mut app, &approve);
    assert!(!second(&app), "the approval on GitHub counts");
}

#[test]
fn ctrl_and_alt_keys_type_nothing_and_ctrl_c_quits_while_typing() {
    use crossterm::event::KeyModifiers;
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, &[KeyCode::Char('/')]);
    app.handle_key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::ALT));
    type_text(&mut app, "10");
    assert_eq!(app.queue.filter(), "10");
    press(
        &mut app,
        &[KeyCode::Esc, KeyCode::Enter, KeyCode::Char('n')],
    );
    type_text(&mut app, "ok");
    app.handle_key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::CONTROL));
    assert_eq!(
        app.review.as_ref().unwrap().input.as_ref().unwrap().text,
        "ok"
    );
    assert!(!app.quit);
    app.handle_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(app.quit, "Ctrl-C quits while a note is typed");
}

#[test]
fn two_consoles_on_one_data_dir_keep_each_others_ticks_and_notes() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = (demo_app(dir.path()), demo_app(dir.path()));
    press(&mut a, &[KeyCode::Enter]);
    press(&mut b, &[KeyCode::Enter]);
    // Both opened the draft empty; a ticks the first item, b the second and notes the PR.
    press(&mut a, &[KeyCode::Char(' ')]);
    press(&mut b, &[KeyCode::Tab, KeyCode::Tab, KeyCode::Tab]);
    press(
        &mut b,
        &[KeyCode::Down, KeyCode::Char(' '), KeyCode::Char('n')],
    );
    type_text(&mut b, "from the second console");
    press(&mut b, &[KeyCode::Enter]);
    assert!(
        matches!(item_state(&b, 0), ItemState::Ticked { .. }),
        "b sees a's tick"
    );
    assert!(matches!(item_state(&b, 1), ItemState::Ticked { .. }));
    // a's next change merges b's work in rather than writing over it.
    press(&mut a, &[KeyCode::Char('n')]);
    type_text(&mut a, "from the first console");
    press(&mut a, &[KeyCode::Enter]);
    assert!(
        matches!(item_state(&a, 1), ItemState::Ticked { .. }),
        "a sees b's tick"
    );
    // b takes in a's note on its next tick, without a change of its own.
    b.tick();
    let notes_b = b.review.as_ref().unwrap().draft.notes.len();
    assert_eq!(notes_b, 2, "b sees a's note");
    let mut fresh = demo_app(dir.path());
    press(&mut fresh, &[KeyCode::Enter]);
    assert!(matches!(item_state(&fresh, 0), ItemState::Ticked { .. }));
    assert!(matches!(item_state(&fresh, 1), ItemState::Ticked { .. }));
    let notes: Vec<String> = fresh
        .review
        .as_ref()
        .unwrap()
        .draft
        .notes
        .iter()
        .map(|n| n.text.clone())
        .collect();
    assert_eq!(notes, ["from the second console", "from the first console"]);
}

#[test]
fn a_waiver_reason_being_typed_is_back_in_its_prompt_after_a_crash_until_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    // The third item of the riskiest PR, waived; the console dies mid-reason.
    press(
        &mut app,
        &[KeyCode::Enter, KeyCode::Char('w'), KeyCode::Esc],
    );
    press(
        &mut app,
        &[KeyCode::Down, KeyCode::Down, KeyCode::Char('w')],
    );
    type_text(&mut app, "table is empty in prod");
    press(&mut app, &[KeyCode::Backspace, KeyCode::Backspace]);
    let item = app.open_entry().unwrap().report.checklist[2].id.clone();
    drop(app);

    let mut reopened = demo_app(dir.path());
    press(&mut reopened, &[KeyCode::Enter]);
    let review = reopened.review.as_ref().unwrap();
    let input = review.input.as_ref().expect("the prompt is open again");
    assert_eq!(input.text, "table is empty in pr");
    assert_eq!(input.prompt, Prompt::Waiver { item: item.clone() });
    assert_eq!(review.cursor, 2, "on the item the reason is for");
    // Typing goes on; Enter waives that item and the text is no longer pending.
    type_text(&mut reopened, "od");
    press(&mut reopened, &[KeyCode::Enter]);
    assert!(matches!(
        item_state(&reopened, 2),
        ItemState::Waived { reason, .. } if reason == "table is empty in prod"
    ));
    assert!(reopened.review.as_ref().unwrap().draft.pending.is_empty());

    // A note started and cancelled is not restored.
    press(&mut reopened, &[KeyCode::Char('n')]);
    type_text(&mut reopened, "half a thought");
    press(&mut reopened, &[KeyCode::Esc, KeyCode::Esc]);
    press(&mut reopened, &[KeyCode::Enter]);
    assert_eq!(reopened.review.as_ref().unwrap().input, None);
}
