//! The audit screen with GitHub as the source: opening it reads GitHub's migration PRs of the
//! last 30 days in a background job ("reading GitHub…" meanwhile), then lists the PRs merged
//! without an approving data review, the approvals the log does not have and the sent reviews
//! whose log record is gone; a failure is an error line; consoles without GitHub show nothing of
//! it.

#[path = "support/console.rs"]
mod console;

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use console::{demo_app, press, render};
use crossterm::event::KeyCode;
use schemagate::analysis::rules::Risk;
use schemagate::review::github_audit::{GitHubApproval, GitHubPrFacts, PostedSubmission};
use schemagate::review::{ChecklistState, Decision, DecisionLog, Destination, Timestamp, Verdict};
use schemagate::tui::app::App;
use schemagate::tui::history::{GitHubHistory, HistoryRead};
use schemagate::tui::views::audit::GitHubCheck;

/// Answers `read` once the test opens the gate; remembers the `since` it was asked for.
struct GatedHistory {
    gate: Mutex<Receiver<()>>,
    asked: Mutex<Option<Timestamp>>,
    read: HistoryRead,
}

impl GitHubHistory for GatedHistory {
    fn migration_prs(&self, since: Timestamp) -> HistoryRead {
        *self.asked.lock().unwrap() = Some(since);
        let _ = self.gate.lock().unwrap().recv();
        self.read.clone()
    }
}

/// acme/shop #7 merged without approvals, #9 approved by `lead` outside schemagate.
fn facts() -> Vec<GitHubPrFacts> {
    vec![
        GitHubPrFacts {
            repo: "acme/shop".to_owned(),
            number: 7,
            title: "Drop the legacy flag\u{1b}[31m".to_owned(),
            merged_at: Some("2026-11-20T09:30:00Z".to_owned()),
            head_sha: None,
            approvals: Vec::new(),
        },
        GitHubPrFacts {
            repo: "acme/shop".to_owned(),
            number: 9,
            title: "Index emails".to_owned(),
            merged_at: None,
            head_sha: None,
            approvals: vec![GitHubApproval {
                reviewer: "lead".to_owned(),
                commit: Some("0123456789abcdef0123456789abcdef01234567".to_owned()),
                submitted_at: Some("2026-11-22T15:00:00Z".to_owned()),
                by_schemagate: false,
            }],
        },
    ]
}

/// The demo console with GitHub answering `read` once the returned sender opens the gate.
fn app_with_github(
    dir: &std::path::Path,
    read: HistoryRead,
) -> (App, Sender<()>, Arc<GatedHistory>) {
    let (open, gate) = channel();
    let history = Arc::new(GatedHistory {
        gate: Mutex::new(gate),
        asked: Mutex::new(None),
        read,
    });
    let mut app = demo_app(dir);
    let shared: Arc<dyn GitHubHistory> = history.clone();
    app.context.github_history = Some(shared);
    (app, open, history)
}

#[test]
fn the_audit_screen_reads_github_in_the_background_and_lists_both_findings() {
    let dir = tempfile::tempdir().unwrap();
    let read = HistoryRead {
        prs: facts(),
        submissions: None,
        errors: Vec::new(),
    };
    let (mut app, open, history) = app_with_github(dir.path(), read);
    press(&mut app, &[KeyCode::Char('a')]);
    let reading = render(&app, 100, 30);
    assert!(reading.contains("reading GitHub…"), "{reading}");
    app.tick();
    assert!(
        matches!(
            app.audit.as_ref().unwrap().github(),
            Some(GitHubCheck::Reading)
        ),
        "the UI thread never waits for GitHub"
    );
    open.send(()).unwrap();
    app.settle();
    let asked = history.asked.lock().unwrap().unwrap();
    assert_eq!(
        asked.to_string(),
        "2026-10-25T12:00:00Z",
        "30 days before now"
    );
    let Some(GitHubCheck::Done { audit, errors }) = app.audit.as_ref().unwrap().github() else {
        panic!("not compared");
    };
    assert!(errors.is_empty());
    let merged: Vec<u64> = audit
        .merged_without_review
        .iter()
        .map(|m| m.number)
        .collect();
    assert_eq!(merged, [7]);
    let unlogged: Vec<(u64, &str)> = audit
        .unlogged_approvals
        .iter()
        .map(|u| (u.number, u.approval.reviewer.as_str()))
        .collect();
    assert_eq!(unlogged, [(9, "lead")]);
    let screen = render(&app, 100, 30);
    assert!(
        screen.contains("Merged without an approving data review (1)"),
        "{screen}"
    );
    assert!(
        screen.contains("Approvals on GitHub the log does not have (1)"),
        "{screen}"
    );
    assert!(!screen.contains('\u{1b}'), "titles are sanitized");
    insta::assert_snapshot!("audit_github_100x30", screen);
}

#[test]
fn a_github_failure_is_an_error_line_and_the_log_still_shows() {
    let dir = tempfile::tempdir().unwrap();
    let read = HistoryRead {
        prs: Vec::new(),
        submissions: None,
        errors: vec!["acme/gone: GitHub answered 404 Not Found".to_owned()],
    };
    let (mut app, open, _history) = app_with_github(dir.path(), read);
    open.send(()).unwrap();
    press(&mut app, &[KeyCode::Char('a')]);
    app.settle();
    let screen = render(&app, 100, 30);
    assert!(
        screen.contains("! acme/gone: GitHub answered 404 Not Found"),
        "{screen}"
    );
    assert!(
        screen.contains("Merged without an approving data review (0)"),
        "{screen}"
    );
    assert!(screen.contains("Past decisions"), "{screen}");
}

/// A review sent with schemagate on acme/shop#`number` whose marker names `chain`.
fn sent(number: u64, chain: &str) -> PostedSubmission {
    PostedSubmission {
        repo: "acme/shop".to_owned(),
        number,
        id: format!("sub-{number}"),
        verdict: Verdict::Block,
        head_sha: "ab".repeat(20),
        chain: Some(chain.to_owned()),
        submitted_at: Some("2026-11-23T10:00:00Z".to_owned()),
        url: Some(format!(
            "https://github.com/acme/shop/pull/{number}#review\u{1b}[2J"
        )),
    }
}

#[test]
fn sent_reviews_whose_record_is_gone_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let decision = Decision {
        repo: "acme/shop".into(),
        pr: 11,
        title: "Drop sessions".into(),
        branch: None,
        base_sha: "b".repeat(40),
        head_sha: "ab".repeat(20),
        risk: Risk::High,
        findings_summary: Vec::new(),
        checklist: ChecklistState::default(),
        notes: Vec::new(),
        verdict: Verdict::Block,
        reviewer: "ana".into(),
        time: Timestamp::parse("2026-11-23T09:59:00Z").unwrap(),
        destination: Destination::Outbox {
            id: "sub-11".to_owned(),
        },
        prev_hash: String::new(),
    };
    // Logged as dispatch does: the intent the marker names, then the delivery.
    let log = DecisionLog::in_dir(dir.path());
    let logged = log.append(&decision).unwrap();
    let delivered = Decision {
        destination: Destination::GitHubReview {
            id: 11,
            url: "https://github.com/acme/shop/pull/11#review".to_owned(),
            outbox: Some("sub-11".to_owned()),
        },
        ..decision
    };
    log.append(&delivered).unwrap();
    let read = HistoryRead {
        prs: Vec::new(),
        submissions: Some(vec![
            sent(11, &logged.chain_head),
            sent(12, &"f".repeat(64)),
        ]),
        errors: Vec::new(),
    };
    let (mut app, open, _history) = app_with_github(dir.path(), read);
    open.send(()).unwrap();
    press(&mut app, &[KeyCode::Char('a')]);
    app.settle();
    let Some(GitHubCheck::Done { audit, .. }) = app.audit.as_ref().unwrap().github() else {
        panic!("not compared");
    };
    let records = audit.missing_records.as_ref().expect("checked");
    let missing: Vec<u64> = records
        .missing
        .iter()
        .map(|m| m.submission.number)
        .collect();
    assert_eq!((records.checked, missing), (2, vec![12]));
    let screen = render(&app, 120, 40);
    assert!(
        screen.contains(
            "Sent reviews whose log record is gone (removed or rewritten) (1 of 2 checked)"
        ),
        "{screen}"
    );
    assert!(
        screen.contains("acme/shop#12 block at abababababab, submitted 2026-11-23T10:00:00Z"),
        "{screen}"
    );
    assert!(!screen.contains("#11 block"), "{screen}");
    assert!(!screen.contains('\u{1b}'), "{screen}");
}

#[test]
fn without_github_the_audit_screen_shows_no_comparison() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    press(&mut app, &[KeyCode::Char('a')]);
    assert!(app.audit.as_ref().unwrap().github().is_none());
    let screen = render(&app, 100, 30);
    assert!(!screen.contains("GitHub, last 30 days"), "{screen}");
}
