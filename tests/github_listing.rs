//! Listing open PRs as GitHub's GraphQL API behaves at scale, against the fake GitHub: a page
//! GitHub cannot answer in time (504, or data with an error) is asked again with fewer PRs; a
//! PR updated between two page requests is still listed (pages in creation order); review
//! bodies are asked only of the viewer's own reviews, and only those count as schemagate's.

#[path = "support/github_mock.rs"]
mod github_mock;

use std::time::Duration;

use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::sync::mpsc;
use wiremock::{Match, Mock, MockServer, Request, ResponseTemplate};

use github_mock::{FakeGitHub, FakePr, FakeRepo, Kind, VIEWER};
use schemagate::config::RepoConfig;
use schemagate::github::cache::ContentCache;
use schemagate::github::remote::{QueueEvent, load_queue};
use schemagate::github::{GitHub, GitHubError, Token, TokenSource};

const INIT: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n";

/// acme/many: `count` open PRs, #1..; every tenth adds a migration, the others edit code.
fn many(count: u64) -> FakeRepo {
    let mut repo = FakeRepo::new(
        "acme/many",
        &[("migrations/001_init.sql", INIT), ("src/lib.rs", "\n")],
    );
    for number in 1..=count {
        let pr = if number % 10 == 0 {
            let path = format!("migrations/{:03}_t{number}.sql", 100 + number);
            FakePr::new(number, "A table")
                .adds(&path, &format!("CREATE TABLE t{number} (id INTEGER);\n"))
        } else {
            FakePr::new(number, "Code").modifies("src/lib.rs", &format!("// {number}\n"))
        };
        repo.prs.push(pr);
    }
    repo
}

/// A listing query (`pullRequests` or `search`) asking for more than `max` PRs.
struct ListingLargerThan(u64);

impl Match for ListingLargerThan {
    fn matches(&self, request: &Request) -> bool {
        github_mock::kind(request) == Kind::ListQuery && first_of(request) > self.0
    }
}

/// The `first` a listing query asked for.
fn first_of(request: &Request) -> u64 {
    let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
    body["variables"]["first"].as_u64().unwrap_or(0)
}

/// The `first` of every listing query the server received, in order.
async fn page_sizes(server: &MockServer) -> Vec<u64> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| github_mock::kind(r) == Kind::ListQuery)
        .map(first_of)
        .collect()
}

fn client(server: &MockServer) -> GitHub {
    GitHub::new(
        &server.uri(),
        Token::new("ghp_listing", TokenSource::Explicit),
    )
    .unwrap()
}

/// Every event of one load of `acme/many`.
async fn load(server: &MockServer) -> Vec<QueueEvent> {
    load_with(&client(server), &TempDir::new().unwrap()).await
}

/// Every event of one load of `acme/many` by `client`, caching in `cache_dir`.
async fn load_with(client: &GitHub, cache_dir: &TempDir) -> Vec<QueueEvent> {
    let repos = [RepoConfig {
        name: "acme/many".to_owned(),
        ..RepoConfig::default()
    }];
    let (sender, mut receiver) = mpsc::unbounded_channel();
    load_queue(
        client,
        &ContentCache::at(cache_dir.path()),
        &repos,
        None,
        sender,
    )
    .await;
    let mut events = Vec::new();
    while let Some(event) = receiver.recv().await {
        events.push(event);
    }
    events
}

/// The numbers of the PRs loaded, sorted.
fn loaded(events: &[QueueEvent]) -> Vec<u64> {
    let mut numbers: Vec<u64> = events
        .iter()
        .filter_map(|e| match e {
            QueueEvent::PrLoaded { pr, .. } => Some(pr.meta.number),
            _ => None,
        })
        .collect();
    numbers.sort_unstable();
    numbers
}

fn failures(events: &[QueueEvent]) -> Vec<&GitHubError> {
    events
        .iter()
        .filter_map(|e| match e {
            QueueEvent::RepoFailed { error, .. } => Some(error),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_page_that_times_out_is_asked_again_with_fewer_prs() {
    let server = FakeGitHub::start(vec![many(60)]).await;
    Mock::given(ListingLargerThan(25))
        .respond_with(ResponseTemplate::new(504).set_body_string("<html>Gateway Time-out</html>"))
        .with_priority(1)
        .mount(&server)
        .await;
    let events = load(&server).await;
    assert!(failures(&events).is_empty(), "{events:?}");
    assert_eq!(
        loaded(&events),
        [10, 20, 30, 40, 50, 60],
        "nothing is missing"
    );
    assert_eq!(
        page_sizes(&server).await,
        [100, 50, 25, 25, 25],
        "100 and 50 time out; 25 answers, and the next pages keep 25"
    );
}

#[tokio::test]
async fn a_partial_answer_is_asked_again_with_fewer_prs() {
    let server = FakeGitHub::start(vec![many(60)]).await;
    // GitHub's answer to a query cut short: data (here none of it) and an error.
    let partial = json!({
        "data": {"repository": {"pullRequests": null}},
        "errors": [{
            "message": "Something went wrong while executing your query. This may be the \
                        result of a timeout, or it could be a GitHub bug.",
            "path": ["repository", "pullRequests"],
            "locations": [{"line": 3, "column": 5}]
        }]
    });
    Mock::given(ListingLargerThan(50))
        .respond_with(ResponseTemplate::new(200).set_body_json(partial))
        .with_priority(1)
        .mount(&server)
        .await;
    let events = load(&server).await;
    assert!(failures(&events).is_empty(), "{events:?}");
    assert_eq!(loaded(&events), [10, 20, 30, 40, 50, 60]);
    assert_eq!(page_sizes(&server).await, [100, 50, 50]);
}

#[tokio::test]
async fn a_page_that_takes_too_long_is_asked_again_with_fewer_prs() {
    let server = FakeGitHub::start(vec![many(60)]).await;
    Mock::given(ListingLargerThan(50))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .with_priority(1)
        .mount(&server)
        .await;
    let cache_dir = TempDir::new().unwrap();
    let client = client(&server).with_timeout(Duration::from_millis(500));
    let events = load_with(&client, &cache_dir).await;
    assert!(failures(&events).is_empty(), "{events:?}");
    assert_eq!(loaded(&events), [10, 20, 30, 40, 50, 60]);
    assert_eq!(page_sizes(&server).await, [100, 50, 50]);
}

#[tokio::test]
async fn a_repository_fails_only_once_the_smallest_page_failed_and_says_so() {
    let server = FakeGitHub::start(vec![many(30)]).await;
    Mock::given(ListingLargerThan(0))
        .respond_with(ResponseTemplate::new(504).set_body_string("<html>Gateway Time-out</html>"))
        .with_priority(1)
        .mount(&server)
        .await;
    let events = load(&server).await;
    let failed = failures(&events);
    assert_eq!(failed.len(), 1, "{events:?}");
    assert!(
        matches!(failed[0], GitHubError::Server { status: 504, .. }),
        "{:?}",
        failed[0]
    );
    let message = failed[0].to_string();
    assert!(message.contains("(10 a page)"), "{message}");
    assert_eq!(page_sizes(&server).await, [100, 50, 25, 10]);
    assert!(matches!(events.last(), Some(QueueEvent::Finished)));
}

#[tokio::test]
async fn a_pr_updated_between_two_page_requests_is_still_listed() {
    let mut repo = many(150);
    // #120 (on the second page) gets a push once the first page was served: in update order
    // it would jump to the front, behind the cursor.
    repo.prs[119].updated_mid_listing = Some("2024-06-01T09:00:00Z".to_owned());
    let server = FakeGitHub::start(vec![repo]).await;
    let events = load(&server).await;
    assert!(failures(&events).is_empty(), "{events:?}");
    let expected: Vec<u64> = (1..=15).map(|n| n * 10).collect();
    assert_eq!(loaded(&events), expected, "#120 is there");
    let listing = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .find(|r| github_mock::kind(r) == Kind::ListQuery)
        .unwrap();
    let body: Value = serde_json::from_slice(&listing.body).unwrap();
    assert!(
        body["query"]
            .as_str()
            .unwrap()
            .contains("orderBy: {field: CREATED_AT, direction: ASC}"),
        "{}",
        body["query"]
    );
}

#[tokio::test]
async fn only_the_viewers_own_reviews_are_read_with_their_bodies() {
    let mut repo = many(10);
    let head = repo.prs[9].head_oid("acme/many");
    let marked = "<!-- schemagate:report v1 -->\nhigh risk".to_owned();
    repo.prs[9].reviews = vec![
        // The PR author pre-posts a review carrying the marker: not schemagate's.
        (
            "octocat".into(),
            "COMMENTED".into(),
            head.clone(),
            marked.clone(),
        ),
        (
            VIEWER.into(),
            "CHANGES_REQUESTED".into(),
            head.clone(),
            marked,
        ),
        (
            VIEWER.into(),
            "COMMENTED".into(),
            head,
            "a plain comment".into(),
        ),
    ];
    let server = FakeGitHub::start(vec![repo]).await;
    let events = load(&server).await;
    let pr = events
        .iter()
        .find_map(|e| match e {
            QueueEvent::PrLoaded { pr, .. } => Some(pr),
            _ => None,
        })
        .unwrap();
    let by_schemagate: Vec<(&str, bool)> = pr
        .reviews
        .iter()
        .map(|r| (r.author.as_str(), r.by_schemagate))
        .collect();
    assert_eq!(
        by_schemagate,
        [("octocat", false), (VIEWER, true), (VIEWER, false)],
        "only the viewer's review with the marker is schemagate's"
    );
    let requests = server.received_requests().await.unwrap();
    let listing = requests
        .iter()
        .find(|r| github_mock::kind(r) == Kind::ListQuery)
        .unwrap();
    let body: Value = serde_json::from_slice(&listing.body).unwrap();
    assert_eq!(body["variables"]["viewer"], VIEWER);
    let query = body["query"].as_str().unwrap();
    let reviews = query
        .lines()
        .find(|l| l.trim_start().starts_with("reviews("))
        .unwrap();
    assert!(
        !reviews.contains("body"),
        "no bodies of all reviews: {reviews}"
    );
    let own = query
        .lines()
        .find(|l| l.contains("reviews(author: $viewer"))
        .unwrap();
    assert!(own.contains("body"), "{own}");
    let logins = requests
        .iter()
        .filter(|r| github_mock::kind(r) == Kind::Viewer)
        .count();
    assert_eq!(logins, 1, "the login is asked once");
}
