//! End to end: the real `schemagate demo` binary in a pseudo-terminal. The reviewer opens the
//! riskiest PR, ticks two checklist items, records Block and quits; the decision log then holds
//! exactly that decision, and the draft is on disk. And `schemagate --repo PATH` on a checkout
//! built in the test shows its PR once the background analysis is done, and opens it.
//!
//! Every wait is bounded and only asks "does this eventually appear": a failure names the step
//! and shows the screen, and the child is killed on every path so `cargo test` never hangs.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

#[path = "support/checkout.rs"]
mod checkout;
#[path = "support/github_mock.rs"]
mod github_mock;

use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};
use schemagate::config::CONFIG_DIR_ENV;
use schemagate::review::decision_log::{LOG_FILE, Record, read_all};
use schemagate::review::{Destination, ItemState, Verdict};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Terminal rows.
const ROWS: u16 = 40;
/// Terminal columns.
const COLS: u16 = 120;
/// The longest wait for one step (generous: the machine may be loaded).
const STEP_TIMEOUT: Duration = Duration::from_secs(20);
/// The pause between two looks at the screen.
const POLL: Duration = Duration::from_millis(50);
/// The reviewer name the console records (it reads `USER`).
const REVIEWER: &str = "e2e-reviewer";
/// The demo PRs that carry a CRITICAL finding; the queue lists one of them first.
const RISKIEST_PRS: [u64; 2] = [104, 108];
/// A ticked checklist box as the checklist pane draws it.
const TICKED_BOX: &str = "[x]";

/// Keys as the terminal sends them.
mod key {
    /// Open / confirm / close.
    pub const ENTER: &[u8] = b"\r";
    /// Back (sent alone, then waited on, so it is never read as the start of a sequence).
    pub const ESC: &[u8] = b"\x1b";
    /// Next pane.
    pub const TAB: &[u8] = b"\t";
    /// Tick the checklist item.
    pub const SPACE: &[u8] = b" ";
    /// Next item / next choice.
    pub const DOWN: &[u8] = b"j";
    /// Open the verdict dialog.
    pub const VERDICT: &[u8] = b"v";
    /// Record the verdict.
    pub const YES: &[u8] = b"y";
    /// Quit.
    pub const QUIT: &[u8] = b"q";
}

/// The demo console running in a pseudo-terminal, killed when dropped if still running.
struct Console {
    /// The `schemagate demo` process.
    child: Box<dyn Child + Send + Sync>,
    /// Keys go here.
    keys: Box<dyn Write + Send>,
    /// The screen as the terminal would show it, fed by a reader thread.
    screen: Arc<Mutex<vt100::Parser>>,
    /// Kept open so the reader sees the child's output until it exits.
    _master: Box<dyn MasterPty + Send>,
}

impl Console {
    /// Starts `schemagate demo` with `data_dir` as its data directory.
    fn start(data_dir: &Path) -> Console {
        Console::start_with(&["demo"], data_dir)
    }

    /// Starts `schemagate ARGS...` with `data_dir` as its data directory.
    fn start_with(args: &[&str], data_dir: &Path) -> Console {
        Console::start_with_env(args, data_dir, &[])
    }

    /// [`Console::start_with`] with extra environment variables.
    fn start_with_env(args: &[&str], data_dir: &Path, env: &[(&str, &str)]) -> Console {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pseudo-terminal");
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_schemagate"));
        command.args(args);
        command.env("SCHEMAGATE_DATA_DIR", data_dir);
        command.env("TERM", "xterm-256color");
        command.env("NO_COLOR", "1");
        command.env(CONFIG_DIR_ENV, data_dir.join("config"));
        command.env("USER", REVIEWER);
        for (name, value) in env {
            command.env(name, value);
        }
        let child = pair.slave.spawn_command(command).expect("spawn schemagate");
        // Only the child holds the terminal side now: its exit ends the reader's stream.
        drop(pair.slave);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(ROWS, COLS, 0)));
        let output = pair.master.try_clone_reader().expect("pty reader");
        spawn_screen_feeder(output, Arc::clone(&screen));
        let keys = pair.master.take_writer().expect("pty writer");
        Console {
            child,
            keys,
            screen,
            _master: pair.master,
        }
    }

    /// Sends `bytes` as typed keys.
    fn press(&mut self, bytes: &[u8]) {
        self.keys.write_all(bytes).expect("send keys");
        self.keys.flush().expect("flush keys");
    }

    /// The screen's text now.
    fn contents(&self) -> String {
        lock(&self.screen).screen().contents()
    }

    /// Waits until the screen satisfies `ready` and returns it; fails naming `step` otherwise.
    fn wait_for(&self, step: &str, ready: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let contents = self.contents();
            if ready(&contents) {
                return contents;
            }
            if start.elapsed() > STEP_TIMEOUT {
                panic!("step '{step}' did not happen in {STEP_TIMEOUT:?}; screen:\n{contents}");
            }
            thread::sleep(POLL);
        }
    }

    /// Waits until `text` is on the screen and returns the screen.
    fn wait_for_text(&self, text: &str) -> String {
        self.wait_for(&format!("show {text:?}"), |screen| screen.contains(text))
    }

    /// Waits for the process to exit; fails with the last screen otherwise.
    fn wait_exit(&mut self) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("poll the child") {
                return status;
            }
            if start.elapsed() > STEP_TIMEOUT {
                panic!(
                    "schemagate did not exit in {STEP_TIMEOUT:?}; screen:\n{}",
                    self.contents()
                );
            }
            thread::sleep(POLL);
        }
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            // Best effort: the test is failing already, and a kill failure means it is gone.
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Feeds everything the child writes into `screen`, on a thread that ends with the stream.
fn spawn_screen_feeder(mut output: Box<dyn Read + Send>, screen: Arc<Mutex<vt100::Parser>>) {
    thread::spawn(move || {
        let mut buffer = [0u8; 8192];
        // Ends at EOF or at the error the pty gives once the child has exited.
        while let Ok(read @ 1..) = output.read(&mut buffer) {
            if let Some(bytes) = buffer.get(..read) {
                lock(&screen).process(bytes);
            }
        }
    });
}

/// The parser, even if a panicking thread poisoned its lock (the screen is still readable).
fn lock(screen: &Mutex<vt100::Parser>) -> MutexGuard<'_, vt100::Parser> {
    screen.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The PR number in the review screen's title bar (`schemagate · owner/name #N title`).
fn title_pr(screen: &str) -> Option<u64> {
    screen
        .lines()
        .next()?
        .split_whitespace()
        .find_map(|word| word.strip_prefix('#')?.parse().ok())
}

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

/// Opens the first PR of the queue and returns its number, checking it is a riskiest one.
fn open_first_pr(console: &mut Console) -> u64 {
    console.wait_for_text("Open PRs");
    console.press(key::ENTER);
    let review = console.wait_for("open the first PR", |screen| {
        screen.contains("Checklist") && title_pr(screen).is_some()
    });
    let pr = title_pr(&review).expect("the wait checked the title's PR number");
    assert!(
        RISKIEST_PRS.contains(&pr),
        "opened #{pr}, not one of the riskiest {RISKIEST_PRS:?}; screen:\n{review}"
    );
    pr
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
    let decision = only_decision(data_dir.path()).decision;
    assert_eq!(decision.verdict, Verdict::Block);
    assert!(
        matches!(
            decision.destination,
            Destination::GitHubReview { id: 80, .. }
        ),
        "{:?}",
        decision.destination
    );
}
