//! The audit screen: `a` from the queue lists the decision log newest first; `v`, `f` and `p`
//! filter it by verdict, risk and repository; Enter opens one decision (its checklist as ticked,
//! waiver reasons, notes); stale approvals are marked; a tampered log is said at the top (and a
//! removed last record marks the queue's Mine column); and the screen is pinned at the three
//! sizes.

#[path = "support/checkout.rs"]
mod checkout;
#[path = "support/console.rs"]
mod console;

use console::{demo_app, press, render, type_text};
use crossterm::event::KeyCode;
use schemagate::analysis::rules::Risk;
use schemagate::review::decision_log::{LOG_FILE, read_all};
use schemagate::review::{DecisionLog, Verdict};
use schemagate::tui::app::App;
use schemagate::tui::context::LocalCheckout;
use schemagate::tui::keys::Screen;

/// Records Block on the riskiest PR with the first item ticked, the second waived and a note,
/// then approves it; back on the queue.
fn record_two_decisions(app: &mut App) {
    press(
        app,
        &[
            KeyCode::Enter,
            KeyCode::Char(' '),
            KeyCode::Down,
            KeyCode::Char('w'),
        ],
    );
    type_text(app, "staging has no users");
    press(app, &[KeyCode::Enter, KeyCode::Char('n')]);
    type_text(app, "ask for a backup");
    press(
        app,
        &[
            KeyCode::Enter,
            KeyCode::Char('v'),
            KeyCode::Enter,
            KeyCode::Char('y'),
            KeyCode::Enter,
        ],
    );
    let log = read_all(&app.context.data_dir.join(LOG_FILE)).unwrap();
    let mut approval = log.records[0].decision.clone();
    approval.verdict = Verdict::Approve;
    approval.risk = Risk::Low;
    approval.pr = 101;
    approval.title = "Add an optional star rating to recipes".to_owned();
    DecisionLog::in_dir(&app.context.data_dir)
        .append(&approval)
        .unwrap();
    let mut later = approval.clone();
    later.verdict = Verdict::RequestChanges;
    DecisionLog::in_dir(&app.context.data_dir)
        .append(&later)
        .unwrap();
    press(app, &[KeyCode::Esc]);
}

fn shown_prs(app: &App) -> Vec<u64> {
    app.audit
        .as_ref()
        .unwrap()
        .shown()
        .map(|r| r.decision.pr)
        .collect()
}

#[test]
fn a_opens_the_log_and_v_f_p_filter_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    record_two_decisions(&mut app);
    press(&mut app, &[KeyCode::Char('a')]);
    assert_eq!(app.screen(), Screen::Audit);
    assert_eq!(shown_prs(&app).len(), 3);
    press(&mut app, &[KeyCode::Char('v')]);
    assert_eq!(shown_prs(&app), [101], "approvals only");
    press(&mut app, &[KeyCode::Char('v'), KeyCode::Char('v')]);
    assert_eq!(shown_prs(&app).len(), 1, "blocks only");
    press(&mut app, &[KeyCode::Char('v'), KeyCode::Char('f')]);
    assert_eq!(shown_prs(&app), [101, 101], "LOW only");
    press(
        &mut app,
        &[KeyCode::Char('f'), KeyCode::Char('f'), KeyCode::Char('f')],
    );
    assert_eq!(shown_prs(&app).len(), 1, "CRITICAL only");
    press(&mut app, &[KeyCode::Char('f'), KeyCode::Char('p')]);
    assert_eq!(
        app.audit.as_ref().unwrap().filter.repo.as_deref(),
        Some("demo/meal-planner")
    );
    assert_eq!(shown_prs(&app).len(), 3);
    press(&mut app, &[KeyCode::Esc]);
    assert_eq!(app.screen(), Screen::Queue);
}

#[test]
fn enter_shows_the_checklist_as_ticked_and_stale_approvals_are_marked() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    record_two_decisions(&mut app);
    press(&mut app, &[KeyCode::Char('a')]);
    let audit = app.audit.as_ref().unwrap();
    let approval = audit
        .shown()
        .find(|r| r.decision.verdict == Verdict::Approve)
        .unwrap();
    let reason = audit.stale_reason(approval.line).unwrap();
    assert!(reason.contains("decided again"), "{reason}");
    let list = render(&app, 100, 30);
    assert!(list.contains("stale"), "{list}");

    press(&mut app, &[KeyCode::Char('G'), KeyCode::Enter]);
    assert!(app.audit.as_ref().unwrap().detail);
    let detail = render(&app, 100, 30);
    assert!(detail.contains("Checklist as ticked"), "{detail}");
    assert!(detail.contains("(ticked by ana)"), "{detail}");
    assert!(detail.contains("reason: staging has no users"), "{detail}");
    assert!(detail.contains("ask for a backup"), "{detail}");
    assert!(detail.contains("local log only"), "{detail}");
    press(&mut app, &[KeyCode::End]);
    let end = render(&app, 100, 30);
    assert!(
        end.contains("ask for a backup"),
        "End shows the last line: {end}"
    );
    press(&mut app, &[KeyCode::PageDown; 5]);
    press(&mut app, &[KeyCode::Char('k')]);
    let back = render(&app, 100, 30);
    assert!(back.contains("Notes"), "scrolling stops at the end: {back}");
    press(&mut app, &[KeyCode::Esc]);
    assert!(!app.audit.as_ref().unwrap().detail);
    assert_eq!(app.screen(), Screen::Audit);
}

#[test]
fn a_tampered_log_is_said_at_the_top_and_the_screen_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    record_two_decisions(&mut app);
    let path = dir.path().join(LOG_FILE);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("\"block\"", "\"approve\"", 1)).unwrap();
    press(&mut app, &[KeyCode::Char('a')]);
    let screen = render(&app, 100, 30);
    let first_body_line = screen.lines().nth(1).unwrap();
    assert!(first_body_line.contains("tampered"), "{screen}");
    press(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    assert!(app.audit.as_ref().unwrap().detail);
}

#[test]
fn a_removed_last_record_is_said_on_the_audit_screen_and_marks_the_queues_mine_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    record_two_decisions(&mut app);
    let intact = render(&app, 100, 30);
    assert!(
        intact.contains("Mine ") && !intact.contains("Mine!"),
        "{intact}"
    );
    assert!(!intact.contains("fails its check"), "{intact}");

    let path = dir.path().join(LOG_FILE);
    let text = std::fs::read_to_string(&path).unwrap();
    let kept: Vec<&str> = text.lines().take(2).collect();
    std::fs::write(&path, format!("{}\n", kept.join("\n"))).unwrap();
    // Reading the log again (as after a verdict or on reload) checks it.
    let mut reopened = demo_app(dir.path());
    let queue = render(&reopened, 100, 30);
    assert!(queue.contains("Mine!"), "{queue}");
    assert!(
        queue.contains("the decision log fails its check, Mine may be wrong"),
        "{queue}"
    );
    press(&mut reopened, &[KeyCode::Char('a')]);
    let screen = render(&reopened, 100, 30);
    let first_body_line = screen.lines().nth(1).unwrap();
    assert!(
        first_body_line.contains("tampered")
            && first_body_line.contains("the log ends at record 2"),
        "{screen}"
    );
}

#[test]
fn an_unreadable_log_is_shown_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(LOG_FILE)).unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, &[KeyCode::Char('a')]);
    let screen = render(&app, 100, 30);
    assert!(screen.contains("could not be read"), "{screen}");
    press(
        &mut app,
        &[KeyCode::Enter, KeyCode::Esc, KeyCode::Char('q')],
    );
    assert!(app.quit);
}

#[test]
fn audit_screen_at_each_size() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    record_two_decisions(&mut app);
    press(&mut app, &[KeyCode::Char('a')]);
    for (width, height) in [(160, 48), (100, 30), (80, 24)] {
        insta::assert_snapshot!(
            format!("audit_{width}x{height}"),
            render(&app, width, height)
        );
    }
    press(&mut app, &[KeyCode::Char('G'), KeyCode::Enter]);
    insta::assert_snapshot!("audit_decision_100x30", render(&app, 100, 30));
    press(&mut app, &[KeyCode::Char('?')]);
    insta::assert_snapshot!("audit_help_100x30", render(&app, 100, 30));
}

#[test]
fn with_a_local_checkout_an_approval_whose_branch_moved_is_stale() {
    let repo = tempfile::tempdir().unwrap();
    checkout::checkout_with_one_pr(repo.path());
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    record_two_decisions(&mut app);
    let log = read_all(&dir.path().join(LOG_FILE)).unwrap();
    let mut approval = log.records[0].decision.clone();
    approval.repo = "checkout".to_owned();
    approval.pr = 7;
    approval.verdict = Verdict::Approve;
    approval.branch = Some("drop-email".to_owned());
    approval.head_sha = "0123456789abcdef0123456789abcdef01234567".to_owned();
    DecisionLog::in_dir(dir.path()).append(&approval).unwrap();
    app.local_checkout = Some(LocalCheckout {
        repo: "checkout".to_owned(),
        path: repo.path().to_path_buf(),
    });
    press(&mut app, &[KeyCode::Char('a')]);
    assert!(app.audit.as_ref().unwrap().checking_heads());
    assert!(render(&app, 100, 30).contains("checking the checkout's PR heads"));
    app.settle();
    assert!(!app.audit.as_ref().unwrap().checking_heads());
    let audit = app.audit.as_ref().unwrap();
    let line = audit.shown().find(|r| r.decision.pr == 7).unwrap().line;
    let reason = audit.stale_reason(line).unwrap();
    assert!(reason.contains("head moved"), "{reason}");
}

#[test]
fn a_checkout_that_cannot_be_read_is_said_and_the_screen_works() {
    let not_a_repo = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    record_two_decisions(&mut app);
    app.local_checkout = Some(LocalCheckout {
        repo: "checkout".to_owned(),
        path: not_a_repo.path().to_path_buf(),
    });
    press(&mut app, &[KeyCode::Char('a')]);
    app.settle();
    assert!(!app.audit.as_ref().unwrap().checking_heads());
    let audit = app.audit.as_ref().unwrap();
    assert!(
        audit
            .warnings
            .iter()
            .any(|w| w.starts_with("stale approvals not checked against")),
        "{:?}",
        audit.warnings
    );
    assert_eq!(audit.shown().count(), 3, "the log is still listed");
}
