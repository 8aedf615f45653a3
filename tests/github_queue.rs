//! The GitHub queue against a fake GitHub (tests/support/github_mock.rs, GitHub's response
//! shapes): several repositories, pagination, PRs without migrations left out, contents at
//! base and head put together as the merge would, the disk cache (a second load fetches no
//! contents; a damaged blob is fetched again), request counts for a 250-PR queue, and every
//! failure (404 / GraphQL NOT_FOUND, 401, rate limit, timeout) reported per repository.

#[path = "support/github_mock.rs"]
mod github_mock;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;
use tempfile::TempDir;
use tokio::sync::mpsc;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use github_mock::{FakeGitHub, FakePr, FakeRepo, Kind, blob_oid, requests};
use schemagate::config::RepoConfig;
use schemagate::github::cache::ContentCache;
use schemagate::github::pull_request::ReviewState;
use schemagate::github::remote::{QueueEvent, fetch_pr, load_queue};
use schemagate::github::{GitHub, GitHubError, Token, TokenSource};

const TOKEN: &str = "ghp_queueTestToken0123456789abcdef";

const INIT: &str = "CREATE TABLE users (\n  id INTEGER PRIMARY KEY,\n  email TEXT NOT NULL,\n  \
                    legacy_flag INTEGER\n);\n";
const ORDERS: &str = "CREATE TABLE orders (\n  id INTEGER PRIMARY KEY,\n  user_id INTEGER \
                      REFERENCES users(id)\n);\n";
const DROP: &str = "ALTER TABLE users DROP COLUMN legacy_flag;\n";
const NOTES: &str = "CREATE TABLE notes (\n  id INTEGER PRIMARY KEY,\n  body TEXT\n);\n";
const INVOICES: &str = "CREATE TABLE invoices (\n  id INTEGER PRIMARY KEY,\n  number TEXT NOT \
                        NULL\n);\n";
const INVOICE_INDEX: &str = "CREATE INDEX invoices_number ON invoices (number);\n";
const AMOUNT: &str = "ALTER TABLE invoices ADD COLUMN amount INTEGER;\n";

/// acme/shop: 150 open PRs (two pages): #101 drops a column (its branch predates
/// 002_orders.sql), #102 adds a table (draft), #103 edits the README, #104-#250 edit code only
/// (147 PRs), #251 adds a migration against `release`.
fn shop() -> FakeRepo {
    let mut repo = FakeRepo::new(
        "acme/shop",
        &[
            ("migrations/001_init.sql", INIT),
            ("migrations/002_orders.sql", ORDERS),
            ("src/main.rs", "fn main() {}\n"),
            ("README.md", "# shop\n"),
        ],
    );
    let head_101 = FakePr::new(101, "").head_oid("acme/shop");
    let mut drop = FakePr::new(101, "Drop the legacy flag\u{1b}[31m")
        .adds("migrations/003_drop_legacy_flag.sql", DROP);
    drop.missing_at_head = vec!["migrations/002_orders.sql".into()];
    drop.updated_at = "2024-04-01T10:00:00Z".into();
    drop.reviews = vec![
        (
            "hubot".into(),
            "APPROVED".into(),
            github_mock::commit_id("older"),
            "lgtm".into(),
        ),
        (
            "dba-lead".into(),
            "CHANGES_REQUESTED".into(),
            head_101,
            "<!-- schemagate:report v1 -->\nhigh risk".into(),
        ),
    ];
    drop.status = Some(("FAILURE".into(), "Blocked by dba-lead".into()));
    drop.labels = vec!["db".into()];
    let mut notes = FakePr::new(102, "Add a notes table").adds("migrations/004_notes.sql", NOTES);
    notes.draft = true;
    repo.prs = vec![
        drop,
        notes,
        FakePr::new(103, "Readme").modifies("README.md", "# shop!\n"),
    ];
    for number in 104..=250 {
        repo.prs.push(
            FakePr::new(number, "Code only").modifies("src/main.rs", &format!("// {number}\n")),
        );
    }
    let mut release =
        FakePr::new(251, "Release fix").adds("migrations/005_release.sql", "SELECT 1;\n");
    release.base_ref = "release".into();
    repo.prs.push(release);
    repo
}

/// acme/billing: #7 adds a column, #8 renames a migration (the rename's source comes from
/// REST).
fn billing() -> FakeRepo {
    let mut repo = FakeRepo::new(
        "acme/billing",
        &[
            ("migrations/001_invoices.sql", INVOICES),
            ("migrations/002_invoice_index.sql", INVOICE_INDEX),
        ],
    );
    repo.prs = vec![
        FakePr::new(7, "Invoice amounts").adds("migrations/003_amount.sql", AMOUNT),
        FakePr::new(8, "Rename the index migration").renames(
            "migrations/002_invoice_index.sql",
            "migrations/002_invoices_number_index.sql",
        ),
    ];
    repo
}

/// A config file listing `repos` (acme/shop limited to `main`).
fn config_file(dir: &Path, repos: &[&str]) -> std::path::PathBuf {
    let mut text = String::new();
    for repo in repos {
        text.push_str(&format!("[[repos]]\nname = \"{repo}\"\n"));
        if *repo == "acme/shop" {
            text.push_str("base = \"main\"\n");
        }
    }
    text.push_str("\n[[sections]]\ntitle = \"DB label\"\nfilters = \"label:db\"\n");
    let file = dir.join("config.toml");
    std::fs::write(&file, text).unwrap();
    file
}

/// Temporary cache, data and config directories for one scenario.
struct Dirs {
    cache: TempDir,
    data: TempDir,
    config: TempDir,
}

impl Dirs {
    fn new() -> Self {
        Dirs {
            cache: TempDir::new().unwrap(),
            data: TempDir::new().unwrap(),
            config: TempDir::new().unwrap(),
        }
    }
}

/// Runs `schemagate queue` against `server` (off the async runtime: it blocks).
async fn queue(server: &MockServer, dirs: &Dirs, repos: &[&str], extra: &[&str]) -> Output {
    let config = config_file(dirs.config.path(), repos);
    let mut command = Command::new(env!("CARGO_BIN_EXE_schemagate"));
    command
        .arg("queue")
        .arg("--api-url")
        .arg(server.uri())
        .arg("--config")
        .arg(&config)
        .args(extra)
        .env("GH_TOKEN", TOKEN)
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_ENTERPRISE_TOKEN")
        .env("SCHEMAGATE_CACHE_DIR", dirs.cache.path())
        .env("SCHEMAGATE_DATA_DIR", dirs.data.path())
        .env("NO_COLOR", "1");
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

/// The JSON queue of `acme/shop` alone, with `extra` arguments.
async fn shop_queue_json(extra: &[&str]) -> Value {
    let server = FakeGitHub::start(vec![shop()]).await;
    let dirs = Dirs::new();
    let args: Vec<&str> = extra.iter().copied().chain(["--format", "json"]).collect();
    json(&queue(&server, &dirs, &["acme/shop"], &args).await)
}

fn json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "exit {:?}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn numbers(queue: &Value) -> Vec<(String, u64)> {
    queue["prs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pr| {
            (
                pr["repo"].as_str().unwrap().to_owned(),
                pr["number"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The PRs of a queue without their ages (which move with the clock).
fn timeless(queue: &Value) -> Value {
    let mut prs = queue["prs"].clone();
    for pr in prs.as_array_mut().unwrap() {
        pr.as_object_mut().unwrap().remove("age_seconds");
    }
    prs
}

fn count(counts: &std::collections::HashMap<Kind, usize>, kind: Kind) -> usize {
    counts.get(&kind).copied().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_queue_lists_migration_prs_of_every_repo_riskiest_first() {
    let server = FakeGitHub::start(vec![shop(), billing()]).await;
    let dirs = Dirs::new();
    let output = queue(
        &server,
        &dirs,
        &["acme/shop", "acme/billing"],
        &["--format", "json"],
    )
    .await;
    let queue = json(&output);
    assert_eq!(queue["without_migrations"], 148, "#103 and #104-#250");
    assert_eq!(queue["loaded_repos"], 2);
    assert_eq!(queue["errors"], Value::Array(Vec::new()));

    assert_eq!(
        numbers(&queue),
        [
            ("acme/billing".to_owned(), 8),
            ("acme/shop".to_owned(), 101),
            ("acme/billing".to_owned(), 7),
            ("acme/shop".to_owned(), 102),
        ],
        "riskiest first (renamed applied migration, column drop, column add, new table); the \
         README, code-only and release-branch PRs are left out"
    );
    let risks: Vec<&str> = queue["prs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pr| pr["risk"].as_str().unwrap())
        .collect();
    assert_eq!(risks, ["CRITICAL", "HIGH", "MEDIUM", "LOW"]);
    assert_eq!(
        queue["prs"][0]["reasons"][0],
        "renamed-applied-migration at migrations/002_invoices_number_index.sql:0",
        "the rename's source came from REST's previous_filename"
    );
    let first = &queue["prs"][1];
    assert_eq!(
        first["reasons"],
        serde_json::json!(["drop-column at migrations/003_drop_legacy_flag.sql:1"])
    );
    assert_eq!(
        first["migrations_changed"], 1,
        "002_orders.sql came to main after the branch: not a deletion"
    );
    assert_eq!(
        first["title"], "Drop the legacy flag",
        "the escape sequence is stripped"
    );
    assert_eq!(first["data_review"]["state"], "failure");
    assert_eq!(first["data_review"]["description"], "Blocked by dba-lead");
    assert_eq!(first["labels"], serde_json::json!(["db"]));
    let reviews = first["reviews"].as_array().unwrap();
    assert_eq!(reviews.len(), 2);
    assert_eq!(reviews[0]["state"], "approved");
    assert_eq!(reviews[0]["at_head"], false);
    assert_eq!(reviews[1]["author"], "dba-lead");
    assert_eq!(reviews[1]["at_head"], true);
    assert_eq!(reviews[1]["by_schemagate"], true);

    let notes = queue["prs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|pr| pr["number"] == 102)
        .unwrap();
    assert_eq!(notes["draft"], true);
    assert_eq!(queue["prs"][2]["conflicts_with"], serde_json::json!([8]));

    let counts = requests(&server).await;
    println!("first load of 2 repos (151 + 2 open PRs): {counts:?}");
    assert_eq!(
        count(&counts, Kind::ListQuery),
        3,
        "shop: 2 pages, billing: 1"
    );
    assert_eq!(count(&counts, Kind::Tree), 2, "one base commit per repo");
    assert_eq!(
        count(&counts, Kind::BlobQuery),
        2,
        "one content query per repo"
    );
    assert_eq!(
        count(&counts, Kind::PrFiles),
        1,
        "the rename's source, over REST"
    );
    assert_eq!(count(&counts, Kind::Blob), 0);
    assert_eq!(count(&counts, Kind::Other), 0);
    assert_eq!(
        queue["graphql_budget"],
        serde_json::json!({"spent": 5, "limit": 5000, "remaining": 4995,
                           "reset_at": github_mock::RATE_LIMIT_RESET}),
        "3 listing and 2 content queries of one point each"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn text_output_says_what_was_left_out_and_shows_reviews() {
    let server = FakeGitHub::start(vec![shop()]).await;
    let dirs = Dirs::new();
    let output = queue(&server, &dirs, &["acme/shop"], &[]).await;
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("148 PR(s) without migration changes left out"),
        "{text}"
    );
    assert!(text.contains("acme/shop#101"), "{text}");
    assert!(
        text.contains("dba-lead changes requested at ")
            && text.contains("(current head, schemagate)"),
        "{text}"
    );
    assert!(
        text.contains("hubot approved at ") && text.contains("(older commit)"),
        "{text}"
    );
    assert!(
        text.contains("data review: failure (Blocked by dba-lead)"),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}'),
        "no escape sequence reaches the terminal"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_section_lists_what_its_search_finds() {
    let queue = shop_queue_json(&["--section", "DB label"]).await;
    assert_eq!(numbers(&queue), [("acme/shop".to_owned(), 101)]);
    assert_eq!(queue["section"], "DB label");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_load_fetches_no_contents() {
    let server = FakeGitHub::start(vec![shop(), billing()]).await;
    let dirs = Dirs::new();
    let repos = ["acme/shop", "acme/billing"];
    let first = json(&queue(&server, &dirs, &repos, &["--format", "json"]).await);
    let before = server.received_requests().await.unwrap().len();
    let second = json(&queue(&server, &dirs, &repos, &["--format", "json"]).await);
    assert_eq!(timeless(&first), timeless(&second));
    let again = &server.received_requests().await.unwrap()[before..];
    let kinds: Vec<Kind> = again.iter().map(github_mock::kind).collect();
    println!("second load: {} requests: {kinds:?}", kinds.len());
    assert_eq!(
        kinds.iter().filter(|k| **k == Kind::ListQuery).count(),
        3,
        "the listing is always asked for"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == Kind::PrFiles).count(),
        1,
        "the REST file list is asked again, conditionally"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == Kind::Viewer).count(),
        1,
        "the viewer's login, once per run"
    );
    assert_eq!(kinds.len(), 5, "no tree, no content: {kinds:?}");
    let files_request = again
        .iter()
        .find(|r| github_mock::kind(r) == Kind::PrFiles)
        .unwrap();
    assert!(
        files_request.headers.contains_key("if-none-match"),
        "sent with the cached ETag (the fake answers 304)"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_cached_blob_is_fetched_again() {
    let server = FakeGitHub::start(vec![shop()]).await;
    let dirs = Dirs::new();
    let first = json(&queue(&server, &dirs, &["acme/shop"], &["--format", "json"]).await);
    let oid = blob_oid(INIT.as_bytes());
    let cached = dirs.cache.path().join("blobs").join(&oid[..2]).join(&oid);
    assert!(
        cached.exists(),
        "the base migration is cached by its blob id"
    );
    std::fs::write(&cached, "CREATE TABLE users (id INTEGER);\n").unwrap();
    let before = server.received_requests().await.unwrap().len();
    let second = json(&queue(&server, &dirs, &["acme/shop"], &["--format", "json"]).await);
    assert_eq!(
        timeless(&first),
        timeless(&second),
        "the damaged copy was not used"
    );
    let again = &server.received_requests().await.unwrap()[before..];
    let content: Vec<Kind> = again
        .iter()
        .map(github_mock::kind)
        .filter(|k| ![Kind::ListQuery, Kind::Viewer].contains(k))
        .collect();
    assert_eq!(content, [Kind::BlobQuery], "only the damaged blob, once");
    assert_eq!(
        std::fs::read_to_string(&cached).unwrap(),
        INIT,
        "and repaired"
    );
}

/// Rewrites the sealed cache entry in `file` (`{"digest", "value"}`) with `edit` applied to its
/// value, keeping the digest: an edit made without schemagate.
fn edit_sealed(file: &Path, edit: impl FnOnce(&mut Value)) {
    let mut record: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    edit(&mut record["value"]);
    std::fs::write(file, serde_json::to_vec(&record).unwrap()).unwrap();
}

/// The only file in `dir`.
fn only_file(dir: &Path) -> std::path::PathBuf {
    let files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn edited_cache_entries_are_fetched_again_and_reported_once() {
    let server = FakeGitHub::start(vec![shop(), billing()]).await;
    let dirs = Dirs::new();
    let repos = ["acme/shop", "acme/billing"];
    let first_output = queue(&server, &dirs, &repos, &["--format", "json"]).await;
    let first = json(&first_output);
    assert_eq!(first["warnings"], serde_json::json!([]));
    let risk_of = |queue: &Value, number: u64| {
        queue["prs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|pr| pr["number"] == number)
            .map(|pr| pr["risk"].as_str().unwrap().to_owned())
    };
    assert_eq!(risk_of(&first, 101).as_deref(), Some("HIGH"));
    assert_eq!(risk_of(&first, 8).as_deref(), Some("CRITICAL"));

    let cache = dirs.cache.path();
    let harmless = blob_oid(NOTES.as_bytes());
    // #101's head file now names the harmless `CREATE TABLE notes` blob (cached, intact).
    let head_101 = FakePr::new(101, "").head_oid("acme/shop");
    edit_sealed(&only_file(&cache.join("paths").join(&head_101)), |value| {
        *value = Value::from(harmless.clone());
    });
    // The shop's base tree loses 001_init.sql.
    let base = FakeRepo::new("acme/shop", &[]).base_oid();
    edit_sealed(&cache.join("trees").join(format!("{base}.json")), |tree| {
        let entries = tree["entries"].as_array_mut().unwrap();
        entries.retain(|e| e["path"] != "migrations/001_init.sql");
    });
    // #8's REST file list no longer says the migration was renamed.
    edit_sealed(&only_file(&cache.join("rest")), |reply| {
        let mut files: Value = serde_json::from_str(reply["body"].as_str().unwrap()).unwrap();
        files[0]["status"] = Value::from("added");
        files[0]
            .as_object_mut()
            .unwrap()
            .remove("previous_filename");
        reply["body"] = Value::from(files.to_string());
    });
    // And a base blob of billing changes its bytes.
    let oid = blob_oid(INVOICES.as_bytes());
    std::fs::write(
        cache.join("blobs").join(&oid[..2]).join(&oid),
        "CREATE TABLE invoices (id INTEGER PRIMARY KEY);\n",
    )
    .unwrap();

    let before = server.received_requests().await.unwrap().len();
    let second_output = queue(&server, &dirs, &repos, &["--format", "json"]).await;
    let second = json(&second_output);
    assert_eq!(
        timeless(&first),
        timeless(&second),
        "no edited entry was used: the analysis is unchanged"
    );
    assert_eq!(
        risk_of(&second, 101).as_deref(),
        Some("HIGH"),
        "a HIGH stays HIGH"
    );
    let warnings = second["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "one line for the load: {warnings:?}");
    let warning = warnings[0].as_str().unwrap();
    for entry in [
        "4 damaged entries".to_owned(),
        format!(
            "the blob id of migrations/003_drop_legacy_flag.sql at {}",
            &head_101[..7]
        ),
        format!("the tree of commit {}", &base[..7]),
        "the answer to GET /repos/acme/billing/pulls/8/files?per_page=100&page=1".to_owned(),
        format!("blob {}", &oid[..7]),
        "fetched again".to_owned(),
    ] {
        assert!(warning.contains(&entry), "{entry} in {warning}");
    }
    let stderr = String::from_utf8_lossy(&second_output.stderr);
    assert!(
        stderr.contains("schemagate: warning: the download cache held 4 damaged entries"),
        "{stderr}"
    );
    let again = &server.received_requests().await.unwrap()[before..];
    let refetched: Vec<Kind> = again
        .iter()
        .map(github_mock::kind)
        .filter(|k| *k != Kind::ListQuery)
        .collect();
    assert_eq!(
        refetched.iter().filter(|k| **k == Kind::Tree).count(),
        1,
        "the shop's tree: {refetched:?}"
    );
    let files_request = again
        .iter()
        .find(|r| github_mock::kind(r) == Kind::PrFiles)
        .unwrap();
    assert!(
        !files_request.headers.contains_key("if-none-match"),
        "the edited file list's ETag was not trusted either"
    );

    let third = json(&queue(&server, &dirs, &repos, &["--format", "json"]).await);
    assert_eq!(
        third["warnings"],
        serde_json::json!([]),
        "reported once, then repaired"
    );
    assert_eq!(timeless(&first), timeless(&third));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_repo_is_reported_and_the_others_still_listed() {
    let server = FakeGitHub::start(vec![billing()]).await;
    let dirs = Dirs::new();
    let output = queue(
        &server,
        &dirs,
        &["acme/missing", "acme/billing"],
        &["--format", "json"],
    )
    .await;
    let listed = json(&output);
    assert_eq!(listed["prs"].as_array().unwrap().len(), 2);
    assert_eq!(listed["errors"][0]["repo"], "acme/missing");
    let message = listed["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("repository acme/missing was not found (404)"),
        "{message}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("acme/missing") && stderr.contains("not found"),
        "{stderr}"
    );

    let text = queue(&server, &dirs, &["acme/missing", "acme/billing"], &[]).await;
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        stdout.contains(
            "\nRepositories that could not be loaded:\n  acme/missing: repository acme/missing \
             was not found (404)"
        ),
        "{stdout}"
    );

    let alone = queue_alone(&server, &dirs, "acme/missing").await;
    assert_eq!(alone.status.code(), Some(2), "nothing loaded: exit 2");
    assert!(String::from_utf8_lossy(&alone.stderr).contains("no repository could be loaded"));
}

async fn queue_alone(server: &MockServer, dirs: &Dirs, repo: &str) -> Output {
    queue(server, dirs, &[repo], &[]).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejected_token_names_its_source_and_never_shows_it() {
    let server = FakeGitHub::start(vec![shop()]).await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "message": format!("Bad credentials: {TOKEN}"),
            "documentation_url": "https://docs.github.com/graphql"
        })))
        .with_priority(1)
        .mount(&server)
        .await;
    let dirs = Dirs::new();
    let output = queue(&server, &dirs, &["acme/shop"], &["--format", "json"]).await;
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stderr.contains("GH_TOKEN"), "{stderr}");
    assert!(stderr.contains("401"), "{stderr}");
    assert!(
        !stderr.contains(TOKEN) && !stdout.contains(TOKEN),
        "the token leaked"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rate_limit_says_when_it_resets() {
    let server = FakeGitHub::start(vec![shop()]).await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("x-ratelimit-limit", "5000")
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", "1893456000")
                .set_body_json(serde_json::json!({
                    "message": "API rate limit exceeded for user ID 1.",
                    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
                })),
        )
        .with_priority(1)
        .mount(&server)
        .await;
    let dirs = Dirs::new();
    let output = queue(&server, &dirs, &["acme/shop"], &[]).await;
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("rate limit"), "{stderr}");
    assert!(stderr.contains("2030-01-01T00:00:00Z"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_repos_configured_explains_the_config_file() {
    let server = FakeGitHub::start(Vec::new()).await;
    let dirs = Dirs::new();
    let output = queue(&server, &dirs, &[], &[]).await;
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("schemagate config --init"), "{stderr}");
    assert!(stderr.contains("schemagate queue PATH"), "{stderr}");
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "nothing was asked"
    );
}

fn client(server: &MockServer) -> GitHub {
    GitHub::new(&server.uri(), Token::new(TOKEN, TokenSource::Explicit)).unwrap()
}

fn repo_config(name: &str) -> RepoConfig {
    RepoConfig {
        name: name.to_owned(),
        ..RepoConfig::default()
    }
}

/// Runs [`load_queue`] to the end and returns its events.
async fn load(client: &GitHub, cache: &ContentCache, repos: &[RepoConfig]) -> Vec<QueueEvent> {
    let (sender, mut receiver) = mpsc::unbounded_channel();
    load_queue(client, cache, repos, None, sender).await;
    let mut events = Vec::new();
    while let Some(event) = receiver.recv().await {
        events.push(event);
    }
    events
}

#[tokio::test]
async fn a_queue_of_250_prs_costs_three_list_queries_four_content_queries_and_the_login() {
    let mut repo = FakeRepo::new("acme/big", &[("migrations/0001_init.sql", INIT)]);
    for number in 1..=250 {
        let path = format!("migrations/{:04}_pr.sql", 1000 + number);
        let text = format!("CREATE TABLE t{number} (id INTEGER PRIMARY KEY);\n");
        repo.prs
            .push(FakePr::new(number, "One more table").adds(&path, &text));
    }
    let server = FakeGitHub::start(vec![repo]).await;
    let cache_dir = TempDir::new().unwrap();
    let cache = ContentCache::at(cache_dir.path());
    let client = client(&server);

    let events = load(&client, &cache, &[repo_config("acme/big")]).await;
    let loaded: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            QueueEvent::PrLoaded { pr, change, .. } => Some((pr, change)),
            _ => None,
        })
        .collect();
    assert_eq!(loaded.len(), 250);
    let (pr, change) = loaded[0];
    assert_eq!(change.base.len(), 1);
    assert_eq!(change.head.len(), 2, "the base migration and the PR's");
    assert_eq!(
        change.head.get("migrations/1001_pr.sql"),
        Some(&b"CREATE TABLE t1 (id INTEGER PRIMARY KEY);\n"[..])
    );
    assert!(pr.skipped.is_empty());
    assert!(matches!(events.last(), Some(QueueEvent::Finished)));

    let counts = requests(&server).await;
    let total: usize = counts.values().sum();
    println!("250-PR queue, first load: {total} requests {counts:?}");
    assert_eq!(count(&counts, Kind::ListQuery), 3, "ceil(250 / 100)");
    assert_eq!(count(&counts, Kind::Tree), 1, "one base commit");
    assert_eq!(
        count(&counts, Kind::BlobQuery),
        4,
        "page 1: 1 base + 100 head files (2 queries), page 2: 100 (1), page 3: 50 (1)"
    );
    assert_eq!(count(&counts, Kind::Viewer), 1, "the viewer's login");
    assert_eq!(total, 9);
    let budget = events.iter().find_map(|e| match e {
        QueueEvent::Budget(budget) => Some(budget),
        _ => None,
    });
    assert_eq!(
        budget.map(|b| (b.spent, b.limit, b.remaining)),
        Some((7, 5_000, 4_993)),
        "every GraphQL query's cost is counted"
    );
    for request in server.received_requests().await.unwrap() {
        if request.url.path() == "/graphql" {
            let body: Value = serde_json::from_slice(&request.body).unwrap();
            let query = body["query"].as_str().unwrap();
            assert!(
                query.contains("rateLimit { cost limit remaining resetAt }"),
                "{query}"
            );
        }
    }

    load(&client, &cache, &[repo_config("acme/big")]).await;
    let again: usize = requests(&server).await.values().sum::<usize>() - total;
    println!("250-PR queue, second load: {again} requests");
    assert_eq!(
        again, 3,
        "only the listing: every file is cached, the login is known"
    );
}

#[tokio::test]
async fn fetch_pr_gives_one_pr_with_its_contents() {
    let server = FakeGitHub::start(vec![shop()]).await;
    let cache_dir = TempDir::new().unwrap();
    let cache = ContentCache::at(cache_dir.path());
    let client = client(&server);
    let (pr, change) = fetch_pr(&client, &cache, &repo_config("acme/shop"), 101)
        .await
        .unwrap();
    assert_eq!(pr.meta.number, 101);
    assert_eq!(pr.meta.head_sha, FakePr::new(101, "").head_oid("acme/shop"));
    assert_eq!(pr.reviews[1].state, ReviewState::ChangesRequested);
    assert!(
        pr.reviews[1].by_schemagate,
        "the viewer's own review with the marker, told by the query's viewer"
    );
    assert!(!pr.reviews[0].by_schemagate);
    assert_eq!(
        count(&requests(&server).await, Kind::Viewer),
        0,
        "one PR needs no GET /user"
    );
    assert_eq!(
        change.base.paths().collect::<Vec<_>>(),
        ["migrations/001_init.sql", "migrations/002_orders.sql"]
    );
    assert_eq!(
        change.head.get("migrations/003_drop_legacy_flag.sql"),
        Some(DROP.as_bytes())
    );
    assert!(change.head.contains("migrations/002_orders.sql"));

    let missing = fetch_pr(&client, &cache, &repo_config("acme/shop"), 9999).await;
    assert!(
        matches!(missing, Err(GitHubError::NotFound { .. })),
        "{missing:?}"
    );
    let no_repo = fetch_pr(&client, &cache, &repo_config("acme/gone"), 1).await;
    assert!(
        matches!(no_repo, Err(GitHubError::NotFound { .. })),
        "{no_repo:?}"
    );
}

#[tokio::test]
async fn a_slow_github_times_out_and_the_load_still_finishes() {
    let server = FakeGitHub::start(vec![shop()]).await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .with_priority(1)
        .mount(&server)
        .await;
    let cache_dir = TempDir::new().unwrap();
    let cache = ContentCache::at(cache_dir.path());
    let client = client(&server).with_timeout(Duration::from_millis(300));
    let events = load(&client, &cache, &[repo_config("acme/shop")]).await;
    let failure = events.iter().find_map(|e| match e {
        QueueEvent::RepoFailed { repo, error } => Some((repo.as_str(), error)),
        _ => None,
    });
    assert!(
        matches!(failure, Some(("acme/shop", GitHubError::Timeout { .. }))),
        "{events:?}"
    );
    assert!(matches!(events.last(), Some(QueueEvent::Finished)));
}

#[tokio::test]
async fn a_pr_with_more_than_100_files_is_listed_again_over_rest() {
    let mut repo = FakeRepo::new("acme/wide", &[("migrations/001_init.sql", INIT)]);
    let mut wide = FakePr::new(5, "Touch everything");
    for n in 0..120 {
        wide = if n == 110 {
            wide.adds("migrations/002_drop.sql", DROP)
        } else {
            wide.adds(&format!("src/file_{n}.rs"), "// x\n")
        };
    }
    repo.prs.push(wide);
    let server = FakeGitHub::start(vec![repo]).await;
    let cache_dir = TempDir::new().unwrap();
    let events = load(
        &client(&server),
        &ContentCache::at(cache_dir.path()),
        &[repo_config("acme/wide")],
    )
    .await;
    let change = events
        .iter()
        .find_map(|e| match e {
            QueueEvent::PrLoaded { change, .. } => Some(change),
            _ => None,
        })
        .expect("the migration is file 111: found through REST");
    assert_eq!(
        change.head.get("migrations/002_drop.sql"),
        Some(DROP.as_bytes())
    );
    let counts = requests(&server).await;
    assert_eq!(count(&counts, Kind::PrFiles), 2, "two REST pages of 100");
}

#[tokio::test]
async fn files_graphql_cannot_give_exactly_come_from_rest_blobs() {
    let long = format!(
        "-- {}\nCREATE TABLE logs (id INTEGER PRIMARY KEY);\n",
        "x".repeat(github_mock::TRUNCATE_AT)
    );
    let mut repo = FakeRepo::new("acme/logs", &[("migrations/001_logs.sql", long.as_str())]);
    repo.prs
        .push(FakePr::new(1, "Drop logs").adds("migrations/002_drop.sql", "DROP TABLE logs;\n"));
    let server = FakeGitHub::start(vec![repo]).await;
    let cache_dir = TempDir::new().unwrap();
    let (_, change) = fetch_pr(
        &client(&server),
        &ContentCache::at(cache_dir.path()),
        &repo_config("acme/logs"),
        1,
    )
    .await
    .unwrap();
    assert_eq!(
        change.base.get("migrations/001_logs.sql"),
        Some(long.as_bytes()),
        "the whole file, not GraphQL's truncated text"
    );
    let counts = requests(&server).await;
    assert_eq!(
        count(&counts, Kind::Blob),
        1,
        "one REST blob for the truncated one"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn base_on_the_command_line_picks_the_target_branch() {
    let queue = shop_queue_json(&["--base", "release"]).await;
    assert_eq!(numbers(&queue), [("acme/shop".to_owned(), 251)]);
}
