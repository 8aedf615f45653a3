//! End to end: the real `schemagate demo` binary in a pseudo-terminal. The reviewer opens the
//! riskiest PR, ticks two checklist items, records Block and quits; the decision log then holds
//! exactly that decision, and the draft is on disk. And `schemagate --repo PATH` on a checkout
//! built in the test shows its PR once the background analysis is done, and opens it.
//!
//! Every wait is bounded and only asks "does this eventually appear": a failure names the step
//! and shows the screen, and the child is killed on every path so `cargo test` never hangs.

use std::path::{Path, PathBuf};

#[path = "support/checkout.rs"]
mod checkout;
#[path = "support/github_mock.rs"]
mod github_mock;
#[path = "support/pty_console.rs"]
mod pty_console;

use pty_console::{Console, REVIEWER, TICKED_BOX, key, open_first_pr};
use schemagate::review::decision_log::{LOG_FILE, Record, read_all};
use schemagate::review::{Destination, ItemState, Verdict};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The only decision in the log of `data_dir`.
fn only_decision(data_dir: &Path) -> Record {
    let read = read_all(&data_dir.join(LOG_FILE)).expect("read the decision log");
    assert!(read.bad_lines.is_empty(), "bad lines: {:?}", read.bad_lines);
    assert!(read.torn_tail.is_none(), "torn tail: {:?}", read.torn_tail);
    assert_eq!(read.records.len(), 1, "records: {:?}", read.records);
    read.records.into_iter().next().expect("one record")
}

/// The `.json` files anywhere under `dir`.
fn json_files_under(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|entry| entry.path())
        .flat_map(|path| {
            if path.is_dir() {
                json_files_under(&path)
            } else if path.extension().is_some_and(|ext| ext == "json") {
                vec![path]
            } else {
                Vec::new()
            }
        })
        .collect()
}

/// Moves to the checklist pane and ticks its first two items.
fn tick_two_items(console: &mut Console) {
    for _ in 0..3 {
        console.press(key::TAB);
    }
    console.press(key::SPACE);
    console.wait_for("tick the first item", |screen| {
        screen.matches(TICKED_BOX).count() == 1
    });
    console.press(key::DOWN);
    console.press(key::SPACE);
    console.wait_for("tick the second item", |screen| {
        screen.matches(TICKED_BOX).count() == 2
    });
}

/// Chooses Block in the verdict dialog, confirms it, and closes the dialog once recorded.
fn record_block(console: &mut Console) {
    give_block(console, "Press y to record", "recorded locally");
}

/// Chooses Block in the verdict dialog, waits for the `confirm` prompt, presses y, waits for
/// the `outcome`, and closes the dialog.
fn give_block(console: &mut Console, confirm: &str, outcome: &str) {
    console.press(key::VERDICT);
    console.wait_for_text("Request changes");
    // Down stops at the last choice, Block, whichever choice is preselected.
    console.press(key::DOWN);
    console.press(key::DOWN);
    console.wait_for_text("> Block");
    console.press(key::ENTER);
    console.wait_for_text(confirm);
    console.press(key::YES);
    console.wait_for_text(outcome);
    console.press(key::ENTER);
    console.wait_for("close the verdict dialog", |screen| {
        !screen.contains(outcome)
    });
}

/// Goes back to the queue, quits, and checks the console exits cleanly.
fn back_and_quit(console: &mut Console) {
    console.press(key::ESC);
    console.wait_for("go back to the queue", |screen| {
        screen.contains("Open PRs") && !screen.contains("Checklist")
    });
    console.press(key::QUIT);
    let status = console.wait_exit();
    assert!(status.success(), "exit status {status:?}");
}

/// The log of `data_dir` holds one Block on `pr`, kept locally, with two items ticked by the
/// reviewer.
fn assert_block_logged(data_dir: &Path, pr: u64) {
    let decision = only_decision(data_dir).decision;
    assert_eq!(decision.verdict, Verdict::Block);
    assert_eq!(decision.pr, pr);
    assert_eq!(decision.destination, Destination::LocalOnly);
    assert_eq!(decision.reviewer, REVIEWER);
    let states: Vec<&ItemState> = decision.checklist.items.values().collect();
    let ticked = ItemState::Ticked {
        by: REVIEWER.to_owned(),
    };
    assert_eq!(states, [&ticked; 2], "checklist: {:?}", decision.checklist);
}

/// One draft is saved, in the folder of `pr`.
fn assert_draft_saved(data_dir: &Path, pr: u64) {
    let drafts = json_files_under(&data_dir.join("drafts"));
    assert_eq!(drafts.len(), 1, "drafts: {drafts:?}");
    let pr_folder = std::ffi::OsString::from(pr.to_string());
    assert!(
        drafts
            .iter()
            .flat_map(|path| path.iter())
            .any(|part| part == pr_folder),
        "the draft is not under the PR's folder: {drafts:?}"
    );
}

#[test]
fn demo_block_on_the_riskiest_pr_lands_in_the_decision_log() {
    let data_dir = tempfile::tempdir().expect("temporary data directory");
    let mut console = Console::start(data_dir.path());

    let pr = open_first_pr(&mut console);
    tick_two_items(&mut console);
    record_block(&mut console);
    back_and_quit(&mut console);

    assert_block_logged(data_dir.path(), pr);
    assert_draft_saved(data_dir.path(), pr);
}

#[test]
fn a_local_checkout_is_loaded_while_the_console_runs_and_reviewed() {
    let repo = tempfile::tempdir().expect("temporary checkout");
    checkout::checkout_with_one_pr(repo.path());
    let data_dir = tempfile::tempdir().expect("temporary data directory");
    let path = repo.path().to_str().expect("a UTF-8 temporary path");
    let mut console = Console::start_with(&["--repo", path, "--base", "main"], data_dir.path());
    console.wait_for_text("Drop the email column");
    console.press(key::ENTER);
    console.wait_for_text("Checklist");
    console.press(key::ESC);
    console.wait_for_text("Open PRs");
    console.press(key::QUIT);
    let status = console.wait_exit();
    assert!(status.success(), "{status:?}");
}

/// A fixture of tests/fixtures/github/ as JSON.
fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/github")
        .join(name);
    serde_json::from_slice(&std::fs::read(path).expect("fixture")).expect("fixture is JSON")
}

/// A fake GitHub with one repository and one PR dropping a column, answering the submit
/// requests of a Block.
async fn github_with_one_pr() -> (MockServer, String) {
    use github_mock::{FakeGitHub, FakePr, FakeRepo};
    let mut repo = FakeRepo::new(
        "acme/shop",
        &[(
            "migrations/001_init.sql",
            "CREATE TABLE users (\n  id INTEGER PRIMARY KEY,\n  legacy_flag INTEGER\n);\n",
        )],
    );
    let pr = FakePr::new(7, "Drop the legacy flag").adds(
        "migrations/002_drop.sql",
        "ALTER TABLE users DROP COLUMN legacy_flag;\n",
    );
    let head = pr.head_oid("acme/shop");
    repo.prs = vec![pr];
    let server = FakeGitHub::start(vec![repo]).await;
    let mut pull = fixture("submit_pull.json");
    pull["head"]["sha"] = json!(head);
    let answers = [
        ("GET", "/repos/acme/shop/pulls/7".to_owned(), 200, pull),
        (
            "GET",
            "/repos/acme/shop/pulls/7/reviews".to_owned(),
            200,
            json!([]),
        ),
        (
            "POST",
            "/repos/acme/shop/pulls/7/reviews".to_owned(),
            200,
            fixture("review_created.json"),
        ),
        (
            "POST",
            format!("/repos/acme/shop/statuses/{head}"),
            201,
            fixture("submit_status.json"),
        ),
        (
            "POST",
            "/repos/acme/shop/issues/7/labels".to_owned(),
            200,
            fixture("submit_labels.json"),
        ),
    ];
    for (verb, route, status, body) in answers {
        Mock::given(method(verb))
            .and(path(route))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .with_priority(1)
            .mount(&server)
            .await;
    }
    (server, head)
}

/// The JSON bodies of the requests `server` received with `verb` on paths ending in `suffix`.
fn bodies(requests: &[wiremock::Request], verb: &str, suffix: &str) -> Vec<Value> {
    requests
        .iter()
        .filter(|r| r.method.as_str() == verb && r.url.path().ends_with(suffix))
        .map(|r| serde_json::from_slice(&r.body).expect("a JSON body"))
        .collect()
}

#[test]
fn github_block_from_the_console_posts_the_review_status_and_label() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime for the fake GitHub");
    let (server, head) = runtime.block_on(github_with_one_pr());
    let data_dir = tempfile::tempdir().expect("temporary data directory");
    let config_dir = data_dir.path().join("config");
    std::fs::create_dir_all(&config_dir).expect("config dir");
    std::fs::write(
        config_dir.join("config.toml"),
        "[[repos]]\nname = \"acme/shop\"\n",
    )
    .expect("config");
    let cache = data_dir.path().join("cache");
    let cache = cache.to_str().expect("a UTF-8 temporary path");
    let mut console = Console::start_with_env(
        &["--api-url", &server.uri()],
        data_dir.path(),
        &[
            ("GH_TOKEN", "ghp_e2eToken"),
            ("SCHEMAGATE_CACHE_DIR", cache),
        ],
    );
    console.wait_for_text("Drop the legacy flag");
    console.press(key::ENTER);
    console.wait_for_text("Checklist");
    give_block(
        &mut console,
        "Press y to send it to GitHub",
        "Sent to GitHub.",
    );
    back_and_quit(&mut console);

    let requests = runtime
        .block_on(server.received_requests())
        .expect("requests are recorded");
    let reviews = bodies(&requests, "POST", "/pulls/7/reviews");
    assert_eq!(reviews.len(), 1, "one review");
    assert_eq!(reviews[0]["event"], "REQUEST_CHANGES");
    assert_eq!(reviews[0]["commit_id"], head.as_str());
    let statuses = bodies(&requests, "POST", &format!("/statuses/{head}"));
    assert_eq!(statuses.len(), 1);
    assert_eq!(statuses[0]["state"], "failure");
    assert_eq!(statuses[0]["context"], "schemagate/data-review");
    let labels = bodies(&requests, "POST", "/issues/7/labels");
    assert_eq!(labels, [json!({"labels": ["data-review: blocked"]})]);
    let read = read_all(&data_dir.path().join(LOG_FILE)).expect("read the decision log");
    let [intent, delivery] = &read.records[..] else {
        panic!("the intent and the delivery: {:?}", read.records);
    };
    let decision = &delivery.decision;
    assert_eq!(decision.verdict, Verdict::Block);
    let Destination::Outbox { id } = &intent.decision.destination else {
        panic!("{intent:?}");
    };
    assert!(
        matches!(
            &decision.destination,
            Destination::GitHubReview { id: 80, outbox: Some(of), .. } if of == id
        ),
        "{:?}",
        decision.destination
    );
}
