//! The console's GitHub source against a fake GitHub: PRs arrive analysed on the loader
//! thread while other repositories load, a PR without migration changes stays out, and a
//! repository that fails is reported without hiding the others.

#[path = "support/github_mock.rs"]
mod github_mock;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::{Duration, Instant};

use github_mock::{FakeGitHub, FakePr, FakeRepo};
use schemagate::analysis::rules::Risk;
use schemagate::config::{RepoConfig, SectionConfig};
use schemagate::github::cache::ContentCache;
use schemagate::github::{GitHub, Token, TokenSource};
use schemagate::review::Checklists;
use schemagate::tui::entry::PrEntry;
use schemagate::tui::github::GitHubLoad;
use schemagate::tui::loader::{LoadEvent, LoadSource, Loader};
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
    drain_all(&mut Loader::start(Arc::new(source)))
}

/// Every event of the load under way, in order.
fn drain_all(loader: &mut Loader) -> Vec<LoadEvent> {
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
    let mut loader = Loader::start(source.clone());
    assert_eq!(numbers(&drain_all(&mut loader)), [7, 9], "every open PR");
    loader.select_view(1);
    assert_eq!(
        numbers(&drain_all(&mut loader)),
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
    loader.select_view(0);
    assert_eq!(numbers(&drain_all(&mut loader)), [7, 9], "back to every PR");
}
