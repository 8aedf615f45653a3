//! The console's GitHub source against a fake GitHub: PRs arrive analysed in the loader's
//! job while other repositories load, a PR without migration changes stays out, and a
//! repository that fails is reported without hiding the others.

#[path = "support/console.rs"]
mod console;
#[path = "support/drafts.rs"]
mod drafts;
#[path = "support/github_mock.rs"]
mod github_mock;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use crossterm::event::KeyCode;
use github_mock::{FakeGitHub, FakePr, FakeRepo};
use schemagate::analysis::rules::Risk;
use schemagate::app::entry::PrEntry;
use schemagate::app::entry::demo_entries;
use schemagate::config::{RepoConfig, SectionConfig};
use schemagate::github::cache::ContentCache;
use schemagate::github::dispatch::{SendOutcome, decision_record, send};
use schemagate::github::outbox::Outbox;
use schemagate::github::submit::{Submission, SubmissionInputs};
use schemagate::github::{GitHub, Token, TokenSource};
use schemagate::review::Checklists;
use schemagate::review::decision_log::read_all;
use schemagate::review::{
    Clock, DecisionLog, Destination, Draft, DraftStore, LoadOutcome, SystemClock, Timestamp,
    Verdict,
};
use schemagate::source::change::PrMeta;
use schemagate::tui::app::App;
use schemagate::tui::github::GitHubLoad;
use schemagate::tui::history::GitHubHistory;
use schemagate::tui::loader::{LoadEvent, LoadSink, LoadSource};
use tokio::runtime::Runtime;
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const INIT: &str = "CREATE TABLE users (\n  id INTEGER PRIMARY KEY,\n  email TEXT NOT NULL,\n  \
                    legacy_flag INTEGER\n);\n";
const DROP: &str = "ALTER TABLE users DROP COLUMN legacy_flag;\n";
const INDEX: &str = "CREATE INDEX users_email ON users (email);\n";

fn shop() -> FakeRepo {
    let mut repo = FakeRepo::new(
        "acme/shop",
        &[("migrations/001_init.sql", INIT), ("README.md", "# shop\n")],
    );
    let approval = |commit: &str| {
        let (login, state) = ("lead".to_owned(), "APPROVED".to_owned());
        (login, state, commit.to_owned(), String::new())
    };
    let mut drop = FakePr::new(7, "Drop the legacy flag").adds("migrations/002_drop.sql", DROP);
    drop.reviews = vec![approval("0123456789abcdef0123456789abcdef01234567")];
    drop.status = Some(("FAILURE".into(), "Blocked by lead".into()));
    let mut index = FakePr::new(9, "Index emails").adds("migrations/002_index.sql", INDEX);
    index.reviews = vec![approval(&index.head_oid("acme/shop"))];
    repo.prs = vec![
        drop,
        FakePr::new(8, "Docs").modifies("README.md", "# shop, documented\n"),
        index,
    ];
    repo
}

fn repo(name: &str) -> RepoConfig {
    RepoConfig {
        name: name.to_owned(),
        ..RepoConfig::default()
    }
}

/// Every event of one load of `source`, in order.
fn load_all(source: &dyn LoadSource) -> Vec<LoadEvent> {
    let (sender, receiver) = std::sync::mpsc::channel();
    source.load(&LoadSink::new(move |event| sender.send(event).is_ok()));
    receiver.try_iter().collect()
}

/// The console's GitHub source on the fake GitHub at `uri`, caching in `cache_dir`.
fn github_load(
    uri: &str,
    cache_dir: &std::path::Path,
    repos: &[&str],
    sections: Vec<SectionConfig>,
) -> GitHubLoad {
    let runtime = Runtime::new().unwrap();
    let client = {
        let _inside = runtime.enter();
        GitHub::new(uri, Token::new("ghp_consoleToken", TokenSource::Explicit)).unwrap()
    };
    GitHubLoad {
        runtime,
        client,
        cache: ContentCache::at(cache_dir),
        repos: repos.iter().map(|name| repo(name)).collect(),
        sections,
        view: AtomicUsize::new(0),
        options: BTreeMap::new(),
        checklists: Checklists::load(None).unwrap(),
        data_dir: cache_dir.join("data"),
    }
}

#[test]
fn prs_arrive_analysed_and_a_failing_repo_is_reported() {
    let server_runtime = Runtime::new().unwrap();
    let server = server_runtime.block_on(FakeGitHub::start(vec![shop()]));
    let cache_dir = tempfile::tempdir().unwrap();
    let source = github_load(
        &server.uri(),
        cache_dir.path(),
        &["acme/gone", "acme/shop"],
        Vec::new(),
    );
    assert!(source.views().is_empty(), "no sections: no tabs");
    let events = load_all(&source);
    let entries: Vec<&PrEntry> = events
        .iter()
        .filter_map(|e| match e {
            LoadEvent::Entry(entry) => Some(entry.as_ref()),
            _ => None,
        })
        .collect();
    let mut numbers: Vec<u64> = entries.iter().map(|e| e.meta.number).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, [7, 9], "the docs-only PR stays out");
    let drop = entries.iter().find(|e| e.meta.number == 7).unwrap();
    assert_eq!(drop.meta.repo, "acme/shop");
    assert_eq!(drop.approvals_at_head, 0, "an approval of an older commit");
    assert_eq!(
        drop.github_status.as_deref(),
        Some("GitHub: lead approved an older commit; data review: failure (Blocked by lead)")
    );
    let index = entries.iter().find(|e| e.meta.number == 9).unwrap();
    assert_eq!(index.approvals_at_head, 1, "approved at its head");
    assert_eq!(
        index.github_status.as_deref(),
        Some("GitHub: lead approved at the head; data review: not set")
    );

    assert!(drop.report.risk >= Risk::High, "{:?}", drop.report.risk);
    assert!(
        drop.report
            .findings
            .iter()
            .any(|f| f.file == "migrations/002_drop.sql" && f.line == 1),
        "the finding points at the statement"
    );
    let failures: Vec<(&str, &str)> = events
        .iter()
        .filter_map(|e| match e {
            LoadEvent::Failed { repo, message } => Some((repo.as_str(), message.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].0, "acme/gone");
    assert!(failures[0].1.contains("not found"), "{}", failures[0].1);
    let last_progress = events.iter().rev().find_map(|e| match e {
        LoadEvent::Progress { repo, done, total } if repo == "acme/shop" => Some((*done, *total)),
        _ => None,
    });
    assert_eq!(last_progress, Some((2, 2)), "both migration PRs analysed");
    // The queue shows the selected PR's line (the riskiest, #7, is selected first).
    let owned: Vec<PrEntry> = events
        .into_iter()
        .filter_map(|e| match e {
            LoadEvent::Entry(entry) => Some(*entry),
            _ => None,
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let app = schemagate::tui::app::App::new(console::demo_context(dir.path()), owned);
    let screen = console::render(&app, 160, 48);
    assert!(
        screen.contains("GitHub: lead approved an older commit; data review: failure"),
        "{screen}"
    );
}

/// The entries' numbers, sorted.
fn numbers(events: &[LoadEvent]) -> Vec<u64> {
    let mut numbers: Vec<u64> = events
        .iter()
        .filter_map(|e| match e {
            LoadEvent::Entry(entry) => Some(entry.meta.number),
            _ => None,
        })
        .collect();
    numbers.sort_unstable();
    numbers
}

#[test]
fn switching_to_a_section_loads_what_its_search_finds() {
    let server_runtime = Runtime::new().unwrap();
    let mut labelled = shop();
    labelled.prs[2].labels = vec!["db".to_owned()];
    let server = server_runtime.block_on(FakeGitHub::start(vec![labelled]));
    let cache_dir = tempfile::tempdir().unwrap();
    let section = SectionConfig {
        title: "DB label".to_owned(),
        filters: "label:db".to_owned(),
    };
    let source = Arc::new(github_load(
        &server.uri(),
        cache_dir.path(),
        &["acme/shop"],
        vec![section],
    ));
    assert_eq!(source.views(), ["All open PRs", "DB label"]);
    assert_eq!(numbers(&load_all(source.as_ref())), [7, 9], "every open PR");
    source.select_view(1);
    assert_eq!(
        numbers(&load_all(source.as_ref())),
        [9],
        "the labelled PR only"
    );
    let searches = server_runtime.block_on(server.received_requests()).unwrap();
    assert!(
        searches
            .iter()
            .any(|r| String::from_utf8_lossy(&r.body).contains("label:db")),
        "the section's filters went into a search"
    );
    source.select_view(0);
    assert_eq!(
        numbers(&load_all(source.as_ref())),
        [7, 9],
        "back to every PR"
    );
}

fn fixture(name: &str) -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/github")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Puts a Request-changes verdict on acme/shop `pr` at `head` through the outbox: the first
/// attempt, two hours ago, fails with a 5xx from `server`.
async fn queue_verdict(server: &MockServer, data: &std::path::Path, pr: u64, head: &str) {
    let checklists = Checklists::load(None).unwrap();
    let entry = demo_entries(&checklists).unwrap().remove(0);
    let two_hours_ago = Timestamp::from_unix_secs(SystemClock.now().unix_secs() - 7_200);
    let draft = Draft::new("acme/shop", pr, head, two_hours_ago);
    let verdict = Verdict::RequestChanges;
    let submission = Submission::prepare(&SubmissionInputs {
        repo: "acme/shop",
        pr,
        head_sha: head,
        report: &entry.report,
        draft: &draft,
        verdict,
        reviewer: "ana",
        summary: None,
        diff: None,
        now: two_hours_ago,
    });
    let meta = PrMeta {
        repo: "acme/shop".to_owned(),
        number: pr,
        head_sha: head.to_owned(),
        ..entry.meta.clone()
    };
    let decision = decision_record(
        &meta,
        &entry.report,
        &draft,
        verdict,
        "ana",
        two_hours_ago,
        Destination::LocalOnly,
    );
    let client = GitHub::new(
        &server.uri(),
        Token::new("ghp_consoleToken", TokenSource::Explicit),
    )
    .unwrap();
    let (outbox, log) = (Outbox::in_dir(data), DecisionLog::in_dir(data));
    let outcome = send(&client, submission, decision, &outbox, &log, two_hours_ago)
        .await
        .unwrap();
    assert!(matches!(outcome, SendOutcome::Queued { .. }), "{outcome:?}");
}

#[test]
fn each_load_retries_the_outbox_and_shows_what_still_fails() {
    let server_runtime = Runtime::new().unwrap();
    let server = server_runtime.block_on(FakeGitHub::start(vec![shop()]));
    let head_9 = github_mock::commit_id("nine");
    let mut pull_9 = fixture("submit_pull.json");
    pull_9["head"]["sha"] = serde_json::json!(head_9);
    let answer =
        |status: u16, body: serde_json::Value| ResponseTemplate::new(status).set_body_json(body);
    let server_error = answer(500, serde_json::json!({"message": "Server Error"}));
    server_runtime.block_on(async {
        Mock::given(method("GET"))
            .and(path("/repos/acme/shop/pulls/7/reviews"))
            .respond_with(server_error.clone())
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/repos/acme/shop/pulls/9/reviews"))
            .respond_with(answer(200, serde_json::json!([])))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/repos/acme/shop/pulls/9"))
            .respond_with(answer(200, pull_9))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/repos/acme/shop/pulls/9/reviews"))
            .respond_with(server_error.clone())
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/repos/acme/shop/pulls/9/reviews"))
            .respond_with(answer(200, fixture("review_created.json")))
            .mount(&server)
            .await;
    });
    let data = tempfile::tempdir().unwrap();
    server_runtime.block_on(queue_verdict(
        &server,
        data.path(),
        7,
        &github_mock::commit_id("seven"),
    ));
    server_runtime.block_on(queue_verdict(&server, data.path(), 9, &head_9));
    let outbox = Outbox::in_dir(data.path());
    assert_eq!(outbox.load(SystemClock.now()).unwrap().entries.len(), 2);

    let cache_dir = tempfile::tempdir().unwrap();
    let mut source = github_load(&server.uri(), cache_dir.path(), &["acme/shop"], Vec::new());
    source.data_dir = data.path().to_path_buf();
    let mut app = App::loading(console::demo_context(data.path()), Arc::new(source));
    app.settle();
    let errors: Vec<String> = app.load.errors().collect();
    let [error] = errors.as_slice() else {
        panic!("{errors:?}");
    };
    assert!(
        error.starts_with("outbox: still waiting: acme/shop#7 Request changes ("),
        "{error}"
    );
    assert!(error.contains("500"), "{error}");
    let screen = console::render(&app, 160, 48);
    assert!(
        screen.contains("! outbox: still waiting: acme/shop#7"),
        "{screen}"
    );
    assert_eq!(app.entries.len(), 2, "the queue loads after the retry");

    let left = outbox.load(SystemClock.now()).unwrap().entries;
    let [left] = left.as_slice() else {
        panic!("{left:?}");
    };
    assert_eq!(
        (left.submission.pr, left.attempts),
        (7, 2),
        "#9 was delivered"
    );
    let delivered = read_all(DecisionLog::in_dir(data.path()).path())
        .unwrap()
        .records
        .iter()
        .any(|r| {
            matches!(r.decision.destination, Destination::GitHubReview { .. }) && r.decision.pr == 9
        });
    assert!(delivered, "the delivery is in the decision log");
}

#[test]
fn the_audit_history_is_read_for_every_configured_repo() {
    let server_runtime = Runtime::new().unwrap();
    let server = server_runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/graphql"))
            .and(body_partial_json(serde_json::json!({
                "variables": {"q": "repo:acme/shop is:pr updated:>=2026-10-01"}
            })))
            .respond_with(answer_json(200, fixture("audit_search.json")))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/user"))
            .respond_with(answer_json(
                200,
                serde_json::json!({"login": "ana", "id": 1}),
            ))
            .mount(&server)
            .await;
        server
    });
    let cache_dir = tempfile::tempdir().unwrap();
    let source = github_load(
        &server.uri(),
        cache_dir.path(),
        &["acme/shop", "acme/gone"],
        Vec::new(),
    );
    let since = Timestamp::parse("2026-10-01T08:00:00Z").unwrap();
    let read = source.migration_prs(since);
    let mut numbers: Vec<u64> = read.prs.iter().map(|pr| pr.number).collect();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        [1, 2, 3],
        "the migration PRs (#4 is docs only, #5 closed)"
    );
    let [error] = read.errors.as_slice() else {
        panic!("{:?}", read.errors);
    };
    assert!(error.starts_with("acme/gone: "), "{error}");
    assert!(!error.contains("ghp_consoleToken"), "{error}");
}

fn answer_json(status: u16, body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

#[test]
fn a_damaged_cache_entry_shows_as_a_warning_line_once() {
    let server_runtime = Runtime::new().unwrap();
    let server = server_runtime.block_on(FakeGitHub::start(vec![shop()]));
    let cache_dir = tempfile::tempdir().unwrap();
    let source = github_load(&server.uri(), cache_dir.path(), &["acme/shop"], Vec::new());
    let data_dir = tempfile::tempdir().unwrap();
    let mut app = App::loading(console::demo_context(data_dir.path()), Arc::new(source));
    app.settle();
    assert!(app.load.warnings.is_empty(), "{:?}", app.load.warnings);
    let risk = |app: &App| {
        app.entries
            .iter()
            .find(|e| e.meta.number == 7)
            .map(|e| e.report.risk)
    };
    let before = risk(&app);

    let oid = github_mock::blob_oid(DROP.as_bytes());
    let blob = cache_dir.path().join("blobs").join(&oid[..2]).join(&oid);
    std::fs::write(&blob, "CREATE TABLE harmless (id INTEGER);\n").unwrap();
    console::press(&mut app, &[crossterm::event::KeyCode::Char('r')]);
    app.settle();
    assert_eq!(risk(&app), before, "the damaged copy was not used");
    let screen = console::render(&app, 160, 48);
    let line = format!(
        "! the download cache held 1 damaged entry (blob {}): not used, fetched again",
        &oid[..7]
    );
    assert!(screen.contains(&line), "{screen}");

    console::press(&mut app, &[crossterm::event::KeyCode::Char('r')]);
    app.settle();
    let screen = console::render(&app, 160, 48);
    assert!(
        !screen.contains("damaged"),
        "repaired, not reported again: {screen}"
    );
}

#[test]
fn auto_refresh_is_stretched_to_the_budget_and_the_status_line_says_so() {
    let server_runtime = Runtime::new().unwrap();
    // A budget of 100 points an hour: 25 for automatic reloads.
    let server = server_runtime.block_on(FakeGitHub::start_with_limit(vec![shop()], 100));
    let cache_dir = tempfile::tempdir().unwrap();
    let source = github_load(&server.uri(), cache_dir.path(), &["acme/shop"], Vec::new());
    let data_dir = tempfile::tempdir().unwrap();
    let context = console::demo_context(data_dir.path());
    let now = context.clock.now();
    let mut app = App::loading(context, Arc::new(source));
    app.refresh_every = Some(Duration::from_secs(10));
    app.settle();
    let budget = app.load.budget.clone().expect("the load said its cost");
    assert_eq!(
        (budget.spent, budget.limit, budget.remaining),
        (2, 100, 98),
        "a listing and a content query"
    );
    // 2 points a load within 25 of 100 points an hour: every 288 s, not every 10 s.
    let every = app.load.refresh_interval(Duration::from_secs(10), now);
    assert_eq!(every, Duration::from_secs(288));
    let screen = console::render(&app, 160, 48);
    assert!(
        screen.contains(
            "GitHub API: 2 points a load, 98 of 100 left until 12:30 UTC; auto-refresh every \
             4m 48s (stretched from 10s: at most 25% of the budget)"
        ),
        "{screen}"
    );

    // A reload keeps the budget on the status line while it runs, then shows the new one.
    console::press(&mut app, &[crossterm::event::KeyCode::Char('r')]);
    assert_eq!(app.load.budget.as_ref(), Some(&budget));
    app.settle();
    let again = app.load.budget.clone().unwrap();
    assert_eq!(
        (again.spent, again.remaining),
        (1, 97),
        "the contents are cached: only the listing"
    );
}

#[test]
fn a_draft_ticked_offline_opens_in_the_github_console_for_the_same_pr_and_head() {
    let server_runtime = Runtime::new().unwrap();
    let shop = shop();
    let head = shop.prs[0].head_oid("acme/shop");
    let server = server_runtime.block_on(FakeGitHub::start(vec![shop]));
    let cache_dir = tempfile::tempdir().unwrap();
    let source = github_load(&server.uri(), cache_dir.path(), &["acme/shop"], Vec::new());
    let entries: Vec<PrEntry> = load_all(&source)
        .into_iter()
        .filter_map(|e| match e {
            LoadEvent::Entry(entry) => Some(*entry),
            _ => None,
        })
        .collect();
    // `schemagate --repo ~/src/shop` recorded the checkout's directory name as the repository.
    let data = tempfile::tempdir().unwrap();
    let mut offline = Draft::new("shop", 7, &head, Timestamp::from_unix_secs(1_790_000_000));
    offline.state.waive(
        "fits-existing-rows",
        "ana",
        "column unused since v2 (checked offline)",
    );
    drafts::plant_draft(data.path(), &offline);

    let mut app = App::new(console::demo_context(data.path()), entries);
    app.queue.select_pr(&app.entries, "acme/shop", 7);
    console::press(&mut app, &[KeyCode::Enter]);
    let review = app.review.as_ref().expect("the review of #7 is open");
    assert_eq!(app.open_entry().map(|e| e.meta.number), Some(7));
    assert_eq!(review.draft.repo, "acme/shop");
    assert_eq!(
        review.draft.state, offline.state,
        "the offline ticks are there"
    );
    let message = review.message.as_deref().unwrap_or_default();
    assert!(
        message.contains("ticked offline") && message.contains("shop"),
        "{message}"
    );
    let kept = DraftStore::new(data.path())
        .load("acme/shop", 7, &head)
        .unwrap();
    assert!(
        matches!(kept, LoadOutcome::Loaded(ref draft) if draft.state == offline.state),
        "kept under the GitHub repository from now on: {kept:?}"
    );
}
