//! The console's queue loaded in the background: PRs arrive while the console runs, in the
//! queue's order, with the selection kept on its PR; a failure is shown and the rest works; `r`
//! loads again; and `schemagate --repo PATH` analyses a real checkout that way.

#[path = "support/checkout.rs"]
mod checkout;
#[path = "support/console.rs"]
mod console;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use checkout::checkout_with_one_pr;
use console::{demo_context, press};
use crossterm::event::KeyCode;
use schemagate::analysis::detect::DetectOptions;
use schemagate::app::entry::PrEntry;
use schemagate::review::Checklists;
use schemagate::source::demo::demo_changes;
use schemagate::source::offline::OfflineSource;
use schemagate::tui::app::App;
use schemagate::tui::loader::{LoadEvent, LoadSink, LoadSource};
use schemagate::tui::offline::OfflineLoad;

/// The demo PRs, one by one, then a failure; counts how often it ran.
struct DemoThenFailure {
    runs: AtomicUsize,
}

impl LoadSource for DemoThenFailure {
    fn load(&self, sink: &LoadSink) {
        self.runs.fetch_add(1, Ordering::SeqCst);
        let checklists = Checklists::load(None).unwrap();
        let changes = demo_changes().unwrap();
        let total = changes.len();
        for (done, change) in (1..).zip(changes) {
            let entry = PrEntry::analyse(change, &checklists);
            sink.send(LoadEvent::Entry(Box::new(entry)));
            sink.send(LoadEvent::Progress {
                repo: "demo/meal-planner".to_owned(),
                done,
                total,
            });
        }
        sink.send(LoadEvent::Failed {
            repo: "acme/api".to_owned(),
            message: "HTTP 502 from GitHub".to_owned(),
        });
    }
}

fn numbers(app: &App) -> Vec<u64> {
    app.queue
        .visible(&app.entries)
        .iter()
        .map(|&i| app.entries[i].meta.number)
        .collect()
}

#[test]
fn prs_arrive_sorted_a_failure_is_reported_and_r_loads_again() {
    let dir = tempfile::tempdir().unwrap();
    let source = Arc::new(DemoThenFailure {
        runs: AtomicUsize::new(0),
    });
    let mut app = App::loading(demo_context(dir.path()), source.clone());
    assert!(app.entries.is_empty());
    assert!(app.load.running);
    app.settle();
    assert_eq!(app.entries.len(), 9);
    let sorted = numbers(&app);
    assert_eq!(&sorted[..2], &[104, 108], "riskiest first: {sorted:?}");
    let repo = &app.load.repos[0];
    assert_eq!((repo.done, repo.total), (9, 9));
    let errors: Vec<String> = app.load.errors().collect();
    assert_eq!(errors, ["acme/api: HTTP 502 from GitHub"]);

    press(
        &mut app,
        &[KeyCode::Char('g'), KeyCode::Down, KeyCode::Enter],
    );
    assert_eq!(
        app.open_entry().unwrap().meta.number,
        108,
        "the queue works"
    );
    press(&mut app, &[KeyCode::Esc, KeyCode::Char('r')]);
    assert!(app.load.running);
    assert_eq!(app.entries.len(), 9, "the queue stays while it reloads");
    app.settle();
    assert_eq!(source.runs.load(Ordering::SeqCst), 2);
    assert_eq!(app.entries.len(), 9, "a refresh replaces, never duplicates");
    assert_eq!(numbers(&app), sorted);
    let selected = app.queue.selected_entry(&app.entries).unwrap();
    assert_eq!(
        app.entries[selected].meta.number, 108,
        "the selection stays on its PR"
    );

    app.refresh_every = Some(Duration::ZERO);
    app.tick();
    assert!(app.load.running, "the refresh interval reloads the queue");
    app.refresh_every = None;
    app.settle();
    assert_eq!(source.runs.load(Ordering::SeqCst), 3);
}

#[test]
fn the_selection_stays_on_its_pr_while_riskier_ones_arrive() {
    let dir = tempfile::tempdir().unwrap();
    let checklists = Checklists::load(None).unwrap();
    let mut changes = demo_changes().unwrap();
    changes.sort_by_key(|c| c.meta.number);
    let mut app = App::new(demo_context(dir.path()), Vec::new());
    let low = changes.remove(0);
    assert_eq!(low.meta.number, 101);
    app.entries.push(PrEntry::analyse(low, &checklists));
    let reviewer = &app.context.reviewer;
    app.queue.entries_changed(&app.entries, reviewer);
    for change in changes {
        app.entries.push(PrEntry::analyse(change, &checklists));
    }
    let reviewer = &app.context.reviewer;
    app.queue.entries_changed(&app.entries, reviewer);
    let selected = app.queue.selected_entry(&app.entries).unwrap();
    assert_eq!(app.entries[selected].meta.number, 101);
    assert_ne!(numbers(&app)[0], 101, "sorted by risk");
}

#[test]
fn a_local_checkout_is_analysed_in_the_background() {
    let repo = tempfile::tempdir().unwrap();
    checkout_with_one_pr(repo.path());
    let data = tempfile::tempdir().unwrap();
    let context = demo_context(data.path());
    let load = OfflineLoad {
        source: OfflineSource::open(repo.path(), Some("main")).unwrap(),
        checklists: context.checklists.clone(),
        options: DetectOptions::default(),
    };
    let mut app = App::loading(context, Arc::new(load));
    app.settle();
    assert_eq!(app.load.errors().count(), 0, "{:?}", app.load);
    let [entry] = app.entries.as_slice() else {
        panic!("expected one PR, got {}", app.entries.len());
    };
    assert_eq!(entry.meta.title, "Drop the email column");
    assert!(entry.migrations() >= 1);
    press(&mut app, &[KeyCode::Enter]);
    assert!(app.review.is_some());
}

/// Runs the binary with no subcommand and `args`, its config directory `config_dir`.
fn console_without_terminal(config_dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_schemagate"))
        .args(args)
        .env(schemagate::config::CONFIG_DIR_ENV, config_dir)
        .env("SCHEMAGATE_DATA_DIR", config_dir.join("data"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code().unwrap_or(-1), stderr)
}

#[test]
fn with_nothing_to_review_the_console_says_what_to_do() {
    let config = tempfile::tempdir().unwrap();
    let (code, stderr) = console_without_terminal(config.path(), &[]);
    assert_eq!(code, 2, "{stderr}");
    for hint in [
        "schemagate config --init",
        "schemagate --repo PATH",
        "schemagate demo",
    ] {
        assert!(stderr.contains(hint), "{stderr}");
    }
    std::fs::write(
        config.path().join("config.toml"),
        "[[repos]]\nname = \"acme/api\"\n",
    )
    .unwrap();
    // With repositories but no token (and no `gh` on PATH), it says how to get one before
    // touching the terminal.
    let no_programs = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_schemagate"))
        .env(schemagate::config::CONFIG_DIR_ENV, config.path())
        .env("SCHEMAGATE_DATA_DIR", config.path().join("data"))
        .env("PATH", no_programs.path())
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_ENTERPRISE_TOKEN")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no GitHub token"), "{stderr}");
    assert!(stderr.contains("schemagate demo"), "{stderr}");
}

#[test]
fn repo_that_is_not_a_checkout_is_refused_before_the_console_starts() {
    let config = tempfile::tempdir().unwrap();
    let not_git = tempfile::tempdir().unwrap();
    let path = not_git.path().to_str().unwrap();
    let (code, stderr) = console_without_terminal(config.path(), &["--repo", path]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("as a git checkout"), "{stderr}");
}

#[test]
fn demo_reads_the_config_given_with_config_before_the_console_starts() {
    let config = tempfile::tempdir().unwrap();
    let missing = config.path().join("missing.toml");
    let missing = missing.to_str().unwrap();
    let (code, stderr) = console_without_terminal(config.path(), &["demo", "--config", missing]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("missing.toml"), "{stderr}");

    let bad = config.path().join("bad.toml");
    std::fs::write(&bad, "theme = \"pink\"\n").unwrap();
    let bad = bad.to_str().unwrap();
    let (code, stderr) = console_without_terminal(config.path(), &["demo", "--config", bad]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("unknown theme `pink`"), "{stderr}");
    assert!(stderr.contains("bad.toml"), "{stderr}");
}
