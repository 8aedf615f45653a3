//! What the console draws, pinned with insta on the demo data (ratatui TestBackend, a fixed
//! clock so ages never change), plus every screen drawn at sizes from below 40x12 to 200x60
//! without a panic, and no escape byte from a PR ever reaching the screen.

#[path = "support/console.rs"]
mod console;

use console::{NOTE_ON_FIRST_FINDING, RECORD_SUGGESTED, demo_app, press, render, type_text};
use crossterm::event::KeyCode;
use schemagate::tui::app::App;
use schemagate::tui::loader::{LoadEvent, LoadStatus};
use schemagate::tui::views::verdict::Stage;

/// The sizes the issue names.
const SIZES: [(u16, u16); 3] = [(160, 48), (100, 30), (80, 24)];

#[test]
fn queue_at_each_size() {
    let dir = tempfile::tempdir().unwrap();
    let app = demo_app(dir.path());
    for (width, height) in SIZES {
        insta::assert_snapshot!(
            format!("queue_{width}x{height}"),
            render(&app, width, height)
        );
    }
}

#[test]
fn queue_with_the_selected_prs_conflicts_at_each_size() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, &[KeyCode::Char('/')]);
    type_text(&mut app, "106");
    press(&mut app, &[KeyCode::Enter]);
    for (width, height) in SIZES {
        let screen = render(&app, width, height);
        assert!(screen.contains("!2"), "{screen}");
        assert!(
            screen.contains("! conflicts with #10"),
            "the conflicts are explained: {screen}"
        );
        insta::assert_snapshot!(format!("queue_conflicts_{width}x{height}"), screen);
    }
}

/// The queue while loading: one repository part analysed, another failed (escape included).
fn show_loading(app: &mut App) {
    app.load = LoadStatus::started();
    app.load.apply(&LoadEvent::Progress {
        repo: "demo/meal-planner".to_owned(),
        done: 9,
        total: 12,
    });
    app.load.apply(&LoadEvent::Failed {
        repo: "acme/api".to_owned(),
        message: "GitHub answered 502 \u{1b}[31mBad Gateway".to_owned(),
    });
}

#[test]
fn queue_while_loading_with_a_failed_repository_at_each_size() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    show_loading(&mut app);
    for (width, height) in SIZES {
        let screen = render(&app, width, height);
        assert!(
            screen.contains("demo/meal-planner: 9/12 analysed"),
            "{screen}"
        );
        assert!(screen.contains("acme/api: GitHub answered 502"), "{screen}");
        assert!(!screen.contains('\u{1b}'));
        insta::assert_snapshot!(format!("queue_loading_{width}x{height}"), screen);
    }
}

#[test]
fn review_of_the_riskiest_pr_at_each_size() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, &[KeyCode::Enter]);
    for (width, height) in SIZES {
        insta::assert_snapshot!(
            format!("review_{width}x{height}"),
            render(&app, width, height)
        );
    }
}

#[test]
fn verdict_choice_and_confirmation_with_the_body_preview_at_each_size() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    // The riskiest PR has an open CRITICAL finding: Block is preselected.
    press(&mut app, &[KeyCode::Enter, KeyCode::Char('v')]);
    for (width, height) in SIZES {
        insta::assert_snapshot!(
            format!("verdict_choice_{width}x{height}"),
            render(&app, width, height)
        );
    }
    press(&mut app, &[KeyCode::Enter]);
    for (width, height) in SIZES {
        let screen = render(&app, width, height);
        assert!(screen.contains("Block"), "{screen}");
        insta::assert_snapshot!(format!("verdict_confirm_{width}x{height}"), screen);
    }
}

#[test]
fn verdict_refused_and_help_overlays() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(
        &mut app,
        &[
            KeyCode::Enter,
            KeyCode::Char('v'),
            KeyCode::Up,
            KeyCode::Up,
            KeyCode::Enter,
        ],
    );
    insta::assert_snapshot!("verdict_refused_100x30", render(&app, 100, 30));
    press(&mut app, &[KeyCode::Esc, KeyCode::Char('?')]);
    insta::assert_snapshot!("review_help_100x30", render(&app, 100, 30));
}

#[test]
fn migration_text_diff_with_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, &[KeyCode::Enter, KeyCode::Char('r')]);
    let screen = render(&app, 100, 30);
    assert!(screen.contains("migration.sql (added)"), "{screen}");
    insta::assert_snapshot!("review_raw_diff_100x30", screen);
    press(&mut app, &[KeyCode::Char('r')]);
    assert!(render(&app, 100, 30).contains("~ table PantryItem"));
}

#[test]
fn enter_on_a_finding_jumps_to_its_statement() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(
        &mut app,
        &[KeyCode::Enter, KeyCode::Tab, KeyCode::Tab, KeyCode::Enter],
    );
    let review = app.review.as_ref().unwrap();
    assert!(review.raw);
    let screen = render(&app, 100, 30);
    assert!(
        screen.contains("   4 + CREATE TABLE \"new_PantryItem\""),
        "{screen}"
    );
    assert!(
        !screen.contains("migration.sql (added)"),
        "scrolled to the statement: {screen}"
    );
}

#[test]
fn escape_sequences_in_a_title_never_reach_the_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, &[KeyCode::Char('/')]);
    type_text(&mut app, "107");
    press(&mut app, &[KeyCode::Enter]);
    let queue = render(&app, 100, 30);
    assert!(queue.contains("Fix shopping list totals"), "{queue}");
    insta::assert_snapshot!("queue_escaped_title_100x30", queue);
    press(&mut app, &[KeyCode::Enter]);
    let review = render(&app, 100, 30);
    for screen in [&queue, &review] {
        assert!(!screen.contains('\u{1b}'), "ESC reached the screen");
        assert!(!screen.contains('\u{7}'), "BEL reached the screen");
        for invisible in ['\u{200D}', '\u{200B}', '\u{2066}', '\u{FEFF}'] {
            assert!(
                !screen.contains(invisible),
                "{invisible:?} reached the screen"
            );
        }
    }
}

#[test]
fn every_screen_draws_at_every_size_without_panicking() {
    let dir = tempfile::tempdir().unwrap();
    let widths = [
        0, 1, 10, 39, 40, 41, 55, 79, 80, 99, 100, 101, 130, 159, 160, 200,
    ];
    let heights = [0, 1, 5, 11, 12, 13, 17, 24, 30, 48, 60];
    let screens: [&[KeyCode]; 12] = [
        &[],
        &[KeyCode::Char('?')],
        &[KeyCode::Char('a')],
        &[KeyCode::Char('a'), KeyCode::Char('?')],
        &[KeyCode::Enter],
        &[
            KeyCode::Enter,
            KeyCode::Tab,
            KeyCode::Tab,
            KeyCode::Tab,
            KeyCode::PageDown,
        ],
        &[KeyCode::Enter, KeyCode::Char('w')],
        &[KeyCode::Enter, KeyCode::Char('r'), KeyCode::PageDown],
        &[
            KeyCode::Enter,
            KeyCode::Char('v'),
            KeyCode::Up,
            KeyCode::Up,
            KeyCode::Enter,
        ],
        // The verdict preview (Block is allowed on the demo), then recorded.
        &[KeyCode::Enter, KeyCode::Char('v'), KeyCode::Enter],
        RECORD_SUGGESTED,
        // One decision recorded, then opened on the audit screen.
        &[
            KeyCode::Enter,
            KeyCode::Char('v'),
            KeyCode::Enter,
            KeyCode::Char('y'),
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Char('a'),
            KeyCode::Enter,
        ],
    ];
    let mut apps: Vec<App> = screens
        .iter()
        .map(|keys| {
            let mut app = demo_app(dir.path());
            press(&mut app, keys);
            app
        })
        .collect();
    let preview = apps[9].verdict().map(|v| v.stage.clone());
    assert_eq!(preview, Some(Stage::Confirm), "the preview is drawn");
    assert!(apps[11].audit.as_ref().is_some_and(|a| a.detail));
    let mut loading = demo_app(dir.path());
    show_loading(&mut loading);
    apps.push(loading);
    for app in &apps {
        for width in widths {
            for height in heights {
                let screen = render(app, width, height);
                let too_small = width < 40 || height < 12;
                if too_small && width > 0 && height > 0 {
                    assert!(screen.starts_with('t'), "{width}x{height}: {screen}");
                }
            }
        }
    }
}

#[test]
fn a_statement_note_is_drawn_below_its_finding() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, NOTE_ON_FIRST_FINDING);
    type_text(&mut app, "ran on a copy");
    let typing = render(&app, 160, 48);
    assert!(
        typing.contains("note (Enter to save, Esc to cancel) on prisma/"),
        "{typing}"
    );
    press(&mut app, &[KeyCode::Enter]);
    let screen = render(&app, 160, 48);
    let below_heading = screen
        .lines()
        .skip_while(|l| !l.contains("CRITICAL cascade-widened"))
        .take(5)
        .any(|l| l.contains("✎ ran on a copy"));
    assert!(below_heading, "{screen}");
}

#[test]
fn the_help_lists_the_keys_in_force() {
    use schemagate::config::Config;
    use schemagate::tui::keys::Keymap;
    let toml = b"[keybindings]\ntick = \"x\"\n";
    let config = Config::parse(toml, std::path::Path::new("config.toml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    app.keymap = Keymap::with_config(&config.keybindings);
    press(&mut app, &[KeyCode::Enter]);
    let review = render(&app, 100, 30);
    let footer = review.lines().last().unwrap();
    assert!(
        footer.contains("x tick") && !footer.contains("Space tick"),
        "{footer}"
    );
    press(&mut app, &[KeyCode::Char('?')]);
    let screen = render(&app, 100, 30);
    assert!(screen.contains("x             tick or untick"), "{screen}");
    assert!(!screen.contains("Space         tick"), "{screen}");
    assert!(screen.contains("mouse click"), "{screen}");
}

#[test]
fn queue_help_lists_every_queue_key_at_80x24() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, &[KeyCode::Char('?')]);
    let screen = render(&app, 80, 24);
    for key in [
        "a             past decisions",
        "p             one repository",
        "r             load the queue again",
        "mouse click",
    ] {
        assert!(screen.contains(key), "{key}: {screen}");
    }
    insta::assert_snapshot!("queue_help_80x24", screen);
}

#[test]
fn a_refused_send_is_sanitized_and_says_the_draft_is_kept() {
    use schemagate::tui::app::Overlay;
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(
        &mut app,
        &[KeyCode::Enter, KeyCode::Char('v'), KeyCode::Enter],
    );
    if let Overlay::Verdict(state) = &mut app.overlay {
        state.stage = Stage::NotSent {
            error: "GitHub answered 422: \u{1b}]0;pwned\u{7}Can not approve".to_owned(),
            advice: "approve from another account".to_owned(),
        };
    }
    let screen = render(&app, 100, 30);
    assert!(screen.contains("not sent: GitHub answered 422"), "{screen}");
    assert!(screen.contains("kept in the draft"), "{screen}");
    assert!(!screen.contains('\u{1b}') && !screen.contains('\u{7}'));
}

#[test]
fn the_verdict_preview_wraps_long_lines_and_pages_through_the_body() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(
        &mut app,
        &[KeyCode::Enter, KeyCode::Char('v'), KeyCode::Enter],
    );
    let screen = render(&app, 100, 30);
    assert!(screen.contains("— from line 1 of"), "{screen}");
    assert!(
        screen.contains("approver (tech lead); Block is suggested"),
        "a long line is wrapped, not cut: {screen}"
    );
    press(&mut app, &[KeyCode::PageDown]);
    assert_eq!(app.verdict().unwrap().scroll, 10);
    assert!(render(&app, 100, 30).contains("— from line 11 of"));
    press(&mut app, &[KeyCode::PageUp, KeyCode::End]);
    let total = app
        .verdict()
        .unwrap()
        .prepared
        .as_ref()
        .unwrap()
        .body
        .lines()
        .count();
    assert_eq!(app.verdict().unwrap().scroll, total - 1);
    press(&mut app, &[KeyCode::Home]);
    assert_eq!(app.verdict().unwrap().scroll, 0);
    press(&mut app, &[KeyCode::Char('?')]);
    let help = render(&app, 100, 30);
    assert!(
        help.contains("PgDn          scroll the preview a page down"),
        "{help}"
    );
}

#[test]
fn the_verdict_prompt_is_never_cut_off_above_the_preview() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(
        &mut app,
        &[KeyCode::Enter, KeyCode::Char('v'), KeyCode::Enter],
    );
    for width in 40..=130 {
        let screen = render(&app, width, 40);
        assert!(
            screen.contains("Allowed.") && screen.contains("cancel."),
            "{width}: {screen}"
        );
    }
}

#[test]
fn refusal_reasons_and_review_messages_are_sanitized() {
    use schemagate::tui::app::Overlay;
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, &[KeyCode::Enter]);
    app.review.as_mut().unwrap().message = Some("draft not saved: \u{1b}[2Jgone".to_owned());
    let review = render(&app, 100, 30);
    assert!(review.contains("draft not saved: gone"), "{review}");
    press(&mut app, &[KeyCode::Char('v')]);
    if let Overlay::Verdict(state) = &mut app.overlay {
        state.stage = Stage::Refused(vec!["finding in \u{1b}]0;x\u{7}a.sql is open".to_owned()]);
    }
    let dialog = render(&app, 100, 30);
    assert!(dialog.contains("- finding in a.sql is open"), "{dialog}");
    for screen in [&review, &dialog] {
        assert!(!screen.contains('\u{1b}') && !screen.contains('\u{7}'));
    }
}
