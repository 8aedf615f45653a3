//! The console's GitHub source against a fake GitHub: PRs arrive analysed on the loader
//! thread while other repositories load, a PR without migration changes stays out, and a
//! repository that fails is reported without hiding the others.

#[path = "support/github_mock.rs"]
mod github_mock;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use github_mock::{FakeGitHub, FakePr, FakeRepo};
use schemagate::analysis::rules::Risk;
use schemagate::config::RepoConfig;
use schemagate::github::cache::ContentCache;
use schemagate::github::{GitHub, Token, TokenSource};
use schemagate::review::Checklists;
use schemagate::tui::entry::PrEntry;
use schemagate::tui::github::GitHubLoad;
use schemagate::tui::loader::{LoadEvent, Loader};
use tokio::runtime::Runtime;

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

/// Every event of one load, in order.
fn load_all(source: GitHubLoad) -> Vec<LoadEvent> {
    let mut loader = Loader::start(Arc::new(source));
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut events = Vec::new();
    while Instant::now() < deadline {
        let batch = loader.drain();
        let done = batch.iter().any(|e| matches!(e, LoadEvent::Done));
        events.extend(batch);
        if done {
            return events;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the load did not finish");
}

#[test]
fn prs_arrive_analysed_and_a_failing_repo_is_reported() {
    let server_runtime = Runtime::new().unwrap();
    let server = server_runtime.block_on(FakeGitHub::start(vec![shop()]));
    let cache_dir = tempfile::tempdir().unwrap();
    let runtime = Runtime::new().unwrap();
    let client = {
        let _inside = runtime.enter();
        GitHub::new(
            &server.uri(),
            Token::new("ghp_consoleToken", TokenSource::Explicit),
        )
        .unwrap()
    };
    let source = GitHubLoad {
        runtime,
        client,
        cache: ContentCache::at(cache_dir.path()),
        repos: vec![repo("acme/gone"), repo("acme/shop")],
        section: None,
        options: BTreeMap::new(),
        checklists: Checklists::load(None).unwrap(),
    };
    let events = load_all(source);
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
    let index = entries.iter().find(|e| e.meta.number == 9).unwrap();
    assert_eq!(index.approvals_at_head, 1, "approved at its head");
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
}
