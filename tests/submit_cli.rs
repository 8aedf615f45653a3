//! `schemagate submit` as a user runs it, against a local mock of GitHub: the PR comes from
//! GraphQL (its migration contents from a pre-filled content cache), the diff from REST, the
//! verdict goes out as a review, a status and a label. Exit codes, the outbox and `--retry`,
//! the gates, and a token that never appears in any output or file.

#[path = "support/console.rs"]
mod console;
#[path = "support/cutting_proxy.rs"]
mod cutting_proxy;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use cutting_proxy::CuttingProxy;

#[path = "support/drafts.rs"]
mod drafts;

use drafts::plant_draft;
use schemagate::github::cache::{ContentCache, EntryKind, TreeEntry, TreeListing};
use schemagate::review::decision_log::{LOG_FILE, read_all, verify};
use schemagate::review::{
    Checklists, Destination, Draft, DraftChange, DraftStore, LoadOutcome, Timestamp, Verdict,
};
use serde_json::{Value, json};
use tempfile::TempDir;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "ghp_CliSubmitS3cr3t0123456789abcdef";
/// The token's user (`GET /user`).
const VIEWER: &str = "octocat";
const REPO: &str = "acme/shop";
const PR: u64 = 7;
const BASE: &str = "1111111111111111111111111111111111111111";
const HEAD: &str = "2222222222222222222222222222222222222222";
const INIT: &str = "migrations/001_init.sql";
const DROP: &str = "migrations/002_drop_email.sql";
const INIT_SQL: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n";
const DROP_SQL: &str = "ALTER TABLE users DROP COLUMN email;\n";

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/github")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Git's blob id of `bytes`.
fn blob_id(bytes: &str) -> String {
    let mut child = Command::new("git")
        .args(["hash-object", "--stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(bytes.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Temporary data, cache and config directories; the cache holds the PR's migrations.
struct Dirs {
    data: TempDir,
    cache: TempDir,
    config: TempDir,
}

fn dirs() -> Dirs {
    let dirs = Dirs {
        data: tempfile::tempdir().unwrap(),
        cache: tempfile::tempdir().unwrap(),
        config: tempfile::tempdir().unwrap(),
    };
    let cache = ContentCache::at(dirs.cache.path());
    let (init, drop) = (blob_id(INIT_SQL), blob_id(DROP_SQL));
    let tree = TreeListing {
        entries: vec![TreeEntry {
            path: INIT.into(),
            oid: init.clone(),
            size: INIT_SQL.len() as u64,
            kind: EntryKind::File,
        }],
        truncated: false,
    };
    cache.put_tree(BASE, &tree).unwrap();
    cache.put_blob(&init, INIT_SQL.as_bytes()).unwrap();
    cache.put_blob(&drop, DROP_SQL.as_bytes()).unwrap();
    cache.put_path_oid(HEAD, DROP, &drop).unwrap();
    dirs
}

/// The PR as GitHub's GraphQL API answers it.
fn pr_node() -> Value {
    json!({"data": {"repository": {"pullRequest": {
        "number": PR,
        "title": "Drop the email column \u{1b}[31m",
        "url": format!("https://github.com/{REPO}/pull/{PR}"),
        "isDraft": false,
        "headRefName": "drop-email",
        "headRefOid": HEAD,
        "baseRefName": "main",
        "baseRefOid": BASE,
        "updatedAt": "2026-11-24T10:00:00Z",
        "body": "Emails move to the accounts service.",
        "author": {"login": "octocat"},
        "labels": {"nodes": []},
        "files": {
            "nodes": [{"path": DROP, "changeType": "ADDED", "additions": 1, "deletions": 0}],
            "pageInfo": {"hasNextPage": false, "endCursor": null}
        },
        "reviews": {"nodes": []},
        "commits": {"nodes": [{"commit": {"status": null}}]}
    }}}})
}

/// A mock GitHub where the PR reads fine and every submit step succeeds.
async fn github() -> MockServer {
    let server = MockServer::start().await;
    mount_github(&server).await;
    server
}

/// `GET /repos/{o}/{r}/pulls/{n}/files`: the migration the PR adds, with its patch.
fn files_listing() -> Value {
    let mut file = fixture("submit_files.json")[0].clone();
    file["filename"] = json!(DROP);
    file["patch"] = json!(format!("@@ -0,0 +1 @@\n+{}", DROP_SQL.trim_end()));
    json!([file])
}

async fn mount_github(server: &MockServer) {
    let ok = |status: u16, body: Value| ResponseTemplate::new(status).set_body_json(body);
    let mut pull = fixture("submit_pull.json");
    pull["head"]["sha"] = json!(HEAD);
    let mut review = fixture("review_created.json");
    review["html_url"] = json!(format!(
        "https://github.com/{REPO}/pull/{PR}#pullrequestreview-80"
    ));
    let routes = [
        ("POST", "/graphql".to_owned(), ok(200, pr_node())),
        (
            "GET",
            "/user".to_owned(),
            ok(200, json!({"login": VIEWER, "id": 1, "type": "User"})),
        ),
        (
            "GET",
            format!("/repos/{REPO}/pulls/{PR}/files"),
            ok(200, files_listing()),
        ),
        (
            "GET",
            format!("/repos/{REPO}/pulls/{PR}/reviews"),
            ok(200, json!([])),
        ),
        ("GET", format!("/repos/{REPO}/pulls/{PR}"), ok(200, pull)),
        (
            "POST",
            format!("/repos/{REPO}/pulls/{PR}/reviews"),
            ok(200, review),
        ),
        (
            "POST",
            format!("/repos/{REPO}/statuses/{HEAD}"),
            ok(201, fixture("submit_status.json")),
        ),
        (
            "POST",
            format!("/repos/{REPO}/issues/{PR}/labels"),
            ok(200, fixture("submit_labels.json")),
        ),
    ];
    for (verb, route, response) in routes {
        Mock::given(method(verb))
            .and(path(route))
            .respond_with(response)
            .mount(server)
            .await;
    }
}

fn schemagate(server: &MockServer, dirs: &Dirs, args: &[&str]) -> Output {
    command(&server.uri(), dirs, args).output().unwrap()
}

/// `schemagate ARGS` against the API at `api`, with the token and directories of `dirs`.
fn command(api: &str, dirs: &Dirs, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_schemagate"));
    command
        .arg("--api-url")
        .arg(api)
        .args(args)
        .env("GH_TOKEN", SECRET)
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_ENTERPRISE_TOKEN")
        .env("USER", "ana")
        .env("NO_COLOR", "1")
        .env("SCHEMAGATE_DATA_DIR", dirs.data.path())
        .env("SCHEMAGATE_CACHE_DIR", dirs.cache.path())
        .env("SCHEMAGATE_CONFIG_DIR", dirs.config.path());
    command
}

fn submit(server: &MockServer, dirs: &Dirs, verdict: &str) -> Output {
    submit_command(&server.uri(), dirs, verdict)
        .output()
        .unwrap()
}

/// `schemagate submit` of `verdict` on the PR, against the API at `api`.
fn submit_command(api: &str, dirs: &Dirs, verdict: &str) -> Command {
    let pr = PR.to_string();
    command(
        api,
        dirs,
        &["submit", "--repo", REPO, "--pr", &pr, "--verdict", verdict],
    )
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Every byte of every file under `dir`.
fn all_files(dir: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            bytes.extend(all_files(&path));
        } else {
            bytes.extend(std::fs::read(&path).unwrap());
        }
    }
    bytes
}

fn assert_no_token(outputs: &[&Output], dirs: &Dirs) {
    for output in outputs {
        let (stdout, stderr) = text(output);
        assert!(
            !stdout.contains(SECRET) && !stderr.contains(SECRET),
            "{stdout}{stderr}"
        );
    }
    let files = String::from_utf8_lossy(&all_files(dirs.data.path())).into_owned();
    assert!(
        !files.contains(SECRET),
        "the token reached the data directory"
    );
}

/// The outbox entries (`*.json`) of the data directory `data`.
fn outbox_entries(data: &Path) -> Vec<std::path::PathBuf> {
    match std::fs::read_dir(data.join("outbox")) {
        Ok(entries) => entries
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect(),
        Err(_) => Vec::new(),
    }
}

async fn posts(server: &MockServer, route: &str) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == route)
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn block_is_sent_with_an_inline_comment_a_failure_status_and_the_label() {
    let server = github().await;
    let dirs = dirs();
    let output = submit(&server, &dirs, "block");
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("sent: Block with "), "{stdout}");
    assert!(stdout.contains("pullrequestreview-80"), "{stdout}");
    assert!(stderr.contains("no saved checklist"), "{stderr}");
    assert!(
        stderr.contains("GitHub token from the GH_TOKEN environment variable"),
        "the token's source is said: {stderr}"
    );

    let reviews = posts(&server, &format!("/repos/{REPO}/pulls/{PR}/reviews")).await;
    let [review] = reviews.as_slice() else {
        panic!("{reviews:?}");
    };
    assert_eq!(review["event"], "REQUEST_CHANGES");
    assert_eq!(review["commit_id"], HEAD);
    let comments = review["comments"].as_array().unwrap();
    assert!(stdout.contains(&format!("with {} inline comment(s)", comments.len())));
    assert!(
        comments
            .iter()
            .any(|c| c["body"].as_str().unwrap().contains("`drop-column`"))
    );
    for comment in comments {
        assert_eq!(comment["path"], DROP);
        assert_eq!(comment["line"], 1);
        assert_eq!(comment["side"], "RIGHT");
    }
    let body = review["body"].as_str().unwrap();
    assert!(
        body.contains(&format!("verdict=block head={HEAD}")),
        "{body}"
    );
    assert!(body.contains("<!-- schemagate:report v1 -->"));
    let statuses = posts(&server, &format!("/repos/{REPO}/statuses/{HEAD}")).await;
    assert_eq!(statuses[0]["state"], "failure");
    assert_eq!(statuses[0]["context"], "schemagate/data-review");
    let labels = posts(&server, &format!("/repos/{REPO}/issues/{PR}/labels")).await;
    assert_eq!(labels, [json!({"labels": ["data-review: blocked"]})]);

    let log = read_all(&dirs.data.path().join(LOG_FILE)).unwrap();
    let [intent, record] = log.records.as_slice() else {
        panic!("intent and delivery expected: {log:?}");
    };
    assert_eq!(record.decision.verdict, Verdict::Block);
    let Destination::Outbox { id } = &intent.decision.destination else {
        panic!("{intent:?}");
    };
    assert!(matches!(
        &record.decision.destination,
        Destination::GitHubReview {
            id: 80,
            outbox: Some(of),
            ..
        } if of == id
    ));
    assert!(
        body.starts_with(&format!("<!-- schemagate:submission {id} ")),
        "{body}"
    );
    assert!(outbox_entries(dirs.data.path()).is_empty());
    assert_no_token(&[&output], &dirs);
}

#[tokio::test(flavor = "multi_thread")]
async fn approve_without_a_saved_checklist_is_refused_by_the_gates() {
    let server = github().await;
    let dirs = dirs();
    let output = submit(&server, &dirs, "approve");
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("Approve refused by the gates"), "{stderr}");
    assert!(stderr.contains("is open"), "{stderr}");
    let requests = server.received_requests().await.unwrap();
    assert!(
        requests
            .iter()
            .all(|r| r.url.path() == "/graphql" || r.method.as_str() == "GET"),
        "nothing is posted"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_cache_entry_is_said_not_used_silently() {
    let server = github().await;
    let dirs = dirs();
    let oid = blob_id(DROP_SQL);
    let blob = dirs.cache.path().join("blobs").join(&oid[..2]).join(&oid);
    std::fs::write(&blob, "SELECT 1;\n").unwrap();
    let output = submit(&server, &dirs, "approve");
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    let note = format!(
        "note: the download cache held 1 damaged entry (blob {}): not used, fetched again",
        &oid[..7]
    );
    assert!(stderr.contains(&note), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_error_queues_with_exit_3_and_retry_sends_it_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/repos/{REPO}/pulls/{PR}/reviews")))
        .respond_with(
            ResponseTemplate::new(503).set_body_json(json!({"message": "Service Unavailable"})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_github(&server).await;
    let dirs = dirs();
    let queued = submit(&server, &dirs, "request-changes");
    let (stdout, stderr) = text(&queued);
    assert_eq!(queued.status.code(), Some(3), "{stdout}{stderr}");
    assert!(stdout.contains("queued in the outbox"), "{stdout}");
    assert!(stdout.contains("503"), "{stdout}");
    assert!(stdout.contains("schemagate submit --retry"), "{stdout}");
    assert_eq!(outbox_entries(dirs.data.path()).len(), 1);

    let retried = schemagate(&server, &dirs, &["submit", "--retry"]);
    let (stdout, stderr) = text(&retried);
    assert_eq!(retried.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("sent: acme/shop#7 Request changes"),
        "{stdout}"
    );
    assert!(outbox_entries(dirs.data.path()).is_empty());
    let reviews = posts(&server, &format!("/repos/{REPO}/pulls/{PR}/reviews")).await;
    assert_eq!(reviews.len(), 2, "one 503, then one review");

    let log_path = dirs.data.path().join(LOG_FILE);
    let records = read_all(&log_path).unwrap().records;
    assert!(matches!(
        records[0].decision.destination,
        Destination::Outbox { .. }
    ));
    assert!(matches!(
        records[1].decision.destination,
        Destination::GitHubReview {
            outbox: Some(_),
            ..
        }
    ));
    assert!(verify(&log_path).unwrap().is_intact());
    assert_no_token(&[&queued, &retried], &dirs);

    let audit = schemagate(&server, &dirs, &["audit"]);
    let (stdout, _) = text(&audit);
    assert!(stdout.contains("sent from the outbox"), "{stdout}");
    let verified = schemagate(&server, &dirs, &["audit", "--verify"]);
    assert_eq!(verified.status.code(), Some(0), "{:?}", text(&verified));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refusal_by_github_is_shown_and_not_queued() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/repos/{REPO}/pulls/{PR}/reviews")))
        .respond_with(ResponseTemplate::new(422).set_body_json(fixture("submit_error_422.json")))
        .with_priority(1)
        .mount(&server)
        .await;
    mount_github(&server).await;
    let dirs = dirs();
    let output = submit(&server, &dirs, "request-changes");
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("Can not approve your own pull request"),
        "{stderr}"
    );
    assert!(stderr.contains("kept in the draft"), "{stderr}");
    assert!(outbox_entries(dirs.data.path()).is_empty());
    let records = read_all(&dirs.data.path().join(LOG_FILE)).unwrap().records;
    assert!(
        matches!(
            [&records[0].decision.destination, &records[1].decision.destination],
            [Destination::Outbox { .. }, Destination::NotSent { reason, .. }]
                if reason.contains("Can not approve your own pull request")
        ),
        "the intent and its refusal are logged: {records:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejected_token_names_its_source_and_never_appears() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .respond_with(ResponseTemplate::new(401).set_body_json(fixture("submit_error_401.json")))
        .mount(&server)
        .await;
    let dirs = dirs();
    let output = submit(&server, &dirs, "block");
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("GH_TOKEN"), "{stderr}");
    assert_no_token(&[&output], &dirs);
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_reports_a_damaged_outbox_file() {
    let server = github().await;
    let dirs = dirs();
    let outbox = dirs.data.path().join("outbox");
    std::fs::create_dir_all(&outbox).unwrap();
    std::fs::write(outbox.join("x.json"), "not json").unwrap();
    let output = schemagate(&server, &dirs, &["submit", "--retry"]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("damaged outbox file was moved"), "{stderr}");
    let names: Vec<String> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.len() == 1 && names[0].starts_with("x.json.corrupt-"),
        "{names:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_body_file_opens_the_review_and_a_bad_repo_is_a_usage_error() {
    let server = github().await;
    let dirs = dirs();
    let summary = dirs.data.path().join("summary.md");
    std::fs::write(&summary, "Fine once the \u{1b}]0;pwned\u{7}backfill ran.\n").unwrap();
    let pr = PR.to_string();
    let summary_arg = summary.to_string_lossy().into_owned();
    let args = [
        "submit",
        "--repo",
        REPO,
        "--pr",
        &pr,
        "--verdict",
        "block",
        "--body-file",
        &summary_arg,
    ];
    let output = schemagate(&server, &dirs, &args);
    assert_eq!(output.status.code(), Some(0), "{:?}", text(&output));
    let reviews = posts(&server, &format!("/repos/{REPO}/pulls/{PR}/reviews")).await;
    let body = reviews[0]["body"].as_str().unwrap();
    let second_line = body.lines().nth(1).unwrap();
    assert_eq!(second_line, "Fine once the backfill ran.", "{body}");

    let missing = dirs.data.path().join("gone\u{1b}]0;pwned\u{7}.md");
    let missing = missing.to_string_lossy().into_owned();
    let unreadable = schemagate(
        &server,
        &dirs,
        &[
            "submit",
            "--repo",
            REPO,
            "--pr",
            &pr,
            "--verdict",
            "block",
            "--body-file",
            &missing,
        ],
    );
    let (_, stderr) = text(&unreadable);
    assert_eq!(unreadable.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--body-file") && stderr.contains("gone"),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{7}'),
        "{stderr:?}"
    );

    for repo in ["shop", "acme//shop", "acme/shop?page=2", "acme/shop/pulls"] {
        let bad = schemagate(
            &server,
            &dirs,
            &["submit", "--repo", repo, "--pr", &pr, "--verdict", "block"],
        );
        let (stdout, stderr) = text(&bad);
        assert_eq!(bad.status.code(), Some(2), "{repo}: {stdout}{stderr}");
        assert!(stderr.contains("OWNER/NAME"), "{repo}: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_checklist_ticked_offline_is_used_when_the_pr_is_submitted_later() {
    let server = github().await;
    let dirs = dirs();
    // `schemagate --repo ~/src/shop` keeps the checkout's directory name as the repository.
    let store = DraftStore::new(dirs.data.path());
    let mut offline = Draft::new("shop", PR, HEAD, Timestamp::from_unix_secs(1_790_000_000));
    offline.state.waive(
        "fits-existing-rows",
        "ana",
        "column unused since v2 (checked offline)",
    );
    plant_draft(dirs.data.path(), &offline);

    let output = submit(&server, &dirs, "block");
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stderr.contains("using the checklist saved offline for shop#7"),
        "{stderr}"
    );
    let reviews = posts(&server, &format!("/repos/{REPO}/pulls/{PR}/reviews")).await;
    let body = reviews[0]["body"].as_str().unwrap();
    assert!(
        body.contains("column unused since v2 (checked offline)"),
        "{body}"
    );
    let LoadOutcome::Loaded(kept) = store.load(REPO, PR, HEAD).unwrap() else {
        panic!("the draft is kept under the GitHub repository too");
    };
    assert_eq!(kept.state, offline.state);
    let log = read_all(&dirs.data.path().join(LOG_FILE)).unwrap();
    assert_eq!(log.records[0].decision.checklist, offline.state);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_checklist_of_an_earlier_head_is_carried_over_with_second_looks_named() {
    let server = github().await;
    let dirs = dirs();
    let store = DraftStore::new(dirs.data.path());
    let mut earlier = Draft::new(REPO, PR, "0123456789ab", Timestamp::from_unix_secs(1));
    earlier.state.tick("fits-existing-rows", "ana");
    earlier.state.tick("no-column-dropped-without-copy", "ana");
    earlier.evidence.insert(
        "no-column-dropped-without-copy".into(),
        "ok: no column dropped".into(),
    );
    plant_draft(dirs.data.path(), &earlier);

    let output = submit(&server, &dirs, "block");
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stderr.contains("carried over from 0123456"), "{stderr}");
    let log = read_all(&dirs.data.path().join(LOG_FILE)).unwrap();
    assert_eq!(log.records[0].decision.checklist, earlier.state);
    let LoadOutcome::Loaded(carried) = store.load(REPO, PR, HEAD).unwrap() else {
        panic!("the carried draft is saved at the new head");
    };
    assert!(
        stderr.contains("look again at `no-column-dropped-without-copy`"),
        "the PR drops a column now: {stderr}"
    );
    assert_eq!(
        carried.second_look.iter().collect::<Vec<_>>(),
        ["no-column-dropped-without-copy"],
        "only ticked items whose evidence changed: {stderr}"
    );
}

/// The review route of the PR.
fn reviews_route() -> String {
    format!("/repos/{REPO}/pulls/{PR}/reviews")
}

/// From now on GitHub lists the review it created from the (only) review POST received, as
/// written by `login`.
async fn list_the_created_review(server: &MockServer, login: &str) -> String {
    let posted = posts(server, &reviews_route()).await;
    let [review] = posted.as_slice() else {
        panic!("one review POST expected: {posted:?}");
    };
    let body = review["body"].as_str().unwrap().to_owned();
    let listed = json!([{
        "id": 80,
        "user": {"login": login, "id": 1, "type": "User"},
        "body": body,
        "state": "CHANGES_REQUESTED",
        "html_url": format!("https://github.com/{REPO}/pull/{PR}#pullrequestreview-80"),
        "commit_id": HEAD,
        "submitted_at": "2026-11-24T12:00:00Z"
    }]);
    Mock::given(method("GET"))
        .and(path(reviews_route()))
        .respond_with(ResponseTemplate::new(200).set_body_json(listed))
        .with_priority(1)
        .mount(server)
        .await;
    body
}

/// The log's records: exactly one intent and one delivery of it, nothing else.
fn assert_one_intent_and_one_delivery(dirs: &Dirs) {
    let log_path = dirs.data.path().join(LOG_FILE);
    let records = read_all(&log_path).unwrap().records;
    let destinations: Vec<&Destination> = records.iter().map(|r| &r.decision.destination).collect();
    let [
        Destination::Outbox { id },
        Destination::GitHubReview {
            id: 80,
            outbox: Some(of),
            ..
        },
    ] = destinations[..]
    else {
        panic!("one intent and one delivery expected: {destinations:?}");
    };
    assert_eq!(id, of);
    assert!(verify(&log_path).unwrap().is_intact());
    assert!(outbox_entries(dirs.data.path()).is_empty());
}

/// `submit` ends unsure whether GitHub created the review (exit 3, queued); `submit --retry`
/// then finds the review instead of posting a second one.
async fn an_unclear_answer_is_resolved_by_looking_the_review_up(api: &str, server: &MockServer) {
    let dirs = dirs();
    let queued = submit_command(api, &dirs, "block").output().unwrap();
    let (stdout, stderr) = text(&queued);
    assert_eq!(queued.status.code(), Some(3), "{stdout}{stderr}");
    assert!(stdout.contains("queued in the outbox"), "{stdout}");
    let [entry] = &outbox_entries(dirs.data.path())[..] else {
        panic!("one outbox entry");
    };
    let entry: Value = serde_json::from_slice(&std::fs::read(entry).unwrap()).unwrap();
    assert_eq!(entry["state"], "unknown", "{entry}");
    let body = list_the_created_review(server, VIEWER).await;
    assert!(body.contains(entry["submission"]["id"].as_str().unwrap()));

    let retried = command(api, &dirs, &["submit", "--retry"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&retried);
    assert_eq!(retried.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("sent: acme/shop#7 Block") && stdout.contains("found already posted"),
        "{stdout}"
    );
    assert_eq!(
        posts(server, &reviews_route()).await.len(),
        1,
        "exactly one review: the retry found it"
    );
    assert_eq!(
        posts(server, &format!("/repos/{REPO}/statuses/{HEAD}"))
            .await
            .len(),
        1,
        "the status is set once, by the retry"
    );
    assert_one_intent_and_one_delivery(&dirs);
    assert_no_token(&[&queued, &retried], &dirs);
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_json_after_the_review_post_ends_with_exactly_one_review() {
    let server = MockServer::start().await;
    // GitHub created the review, but what came back is not JSON (a proxy's HTML page).
    Mock::given(method("POST"))
        .and(path(reviews_route()))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>upstream hiccup</html>"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_github(&server).await;
    an_unclear_answer_is_resolved_by_looking_the_review_up(&server.uri(), &server).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_reset_after_the_review_post_ends_with_exactly_one_review() {
    let server = github().await;
    // The POST reaches GitHub (which creates the review); the answer never comes back.
    let proxy = CuttingProxy::start(&server.uri(), "POST", &reviews_route(), 1);
    an_unclear_answer_is_resolved_by_looking_the_review_up(&proxy.uri, &server).await;
    assert_eq!(proxy.matched(), 1, "the retry did not post");
}

#[tokio::test(flavor = "multi_thread")]
async fn submit_killed_during_a_slow_review_post_then_retried_ends_with_one_review_and_one_record()
{
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(reviews_route()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(fixture("review_created.json"))
                .set_delay(Duration::from_secs(20)),
        )
        .with_priority(1)
        .mount(&server)
        .await;
    mount_github(&server).await;
    let dirs = dirs();
    let mut child = submit_command(&server.uri(), &dirs, "block")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while posts(&server, &reviews_route()).await.is_empty() {
        assert!(Instant::now() < deadline, "the review POST never came");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap(); // SIGKILL, while GitHub is still answering
    child.wait().unwrap();

    let [entry] = &outbox_entries(dirs.data.path())[..] else {
        panic!("the intent's outbox entry stays");
    };
    let entry: Value = serde_json::from_slice(&std::fs::read(entry).unwrap()).unwrap();
    assert_eq!(entry["state"], "sending", "{entry}");
    let records = read_all(&dirs.data.path().join(LOG_FILE)).unwrap().records;
    assert!(
        matches!(&records[..], [r] if r.decision.destination == Destination::Outbox {
            id: entry["submission"]["id"].as_str().unwrap().to_owned()
        }),
        "the intent is logged: {records:?}"
    );
    list_the_created_review(&server, VIEWER).await;

    let retried = schemagate(&server, &dirs, &["submit", "--retry"]);
    let (stdout, stderr) = text(&retried);
    assert_eq!(retried.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("sent: acme/shop#7 Block"), "{stdout}");
    assert_eq!(posts(&server, &reviews_route()).await.len(), 1);
    assert_one_intent_and_one_delivery(&dirs);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_review_by_another_login_carrying_the_marker_does_not_suppress_the_verdict() {
    let server = MockServer::start().await;
    mount_github(&server).await;
    let dirs = dirs();
    // The first attempt is cut after the POST went out, so the marker is known...
    let proxy = CuttingProxy::start(&server.uri(), "POST", &reviews_route(), 1);
    let queued = submit_command(&proxy.uri, &dirs, "block").output().unwrap();
    assert_eq!(queued.status.code(), Some(3), "{:?}", text(&queued));
    // ...and the PR's author copies it into a review of their own at the same commit.
    let body = list_the_created_review(&server, "pr-author").await;
    assert!(body.starts_with("<!-- schemagate:submission "));

    let retried = schemagate(&server, &dirs, &["submit", "--retry"]);
    let (stdout, stderr) = text(&retried);
    assert_eq!(retried.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("sent: acme/shop#7 Block"), "{stdout}");
    assert!(
        !stdout.contains("found already posted"),
        "the author's copy is not taken for the reviewer's review: {stdout}"
    );
    let reviews = posts(&server, &reviews_route()).await;
    assert_eq!(reviews.len(), 2, "the reviewer's review is posted");
    assert_eq!(reviews[1]["body"], reviews[0]["body"], "the same bytes");
}

#[tokio::test(flavor = "multi_thread")]
async fn discard_gives_up_a_queued_verdict_with_its_fate_logged() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(reviews_route()))
        .respond_with(
            ResponseTemplate::new(503).set_body_json(json!({"message": "Service Unavailable"})),
        )
        .with_priority(1)
        .mount(&server)
        .await;
    mount_github(&server).await;
    let dirs = dirs();
    let queued = submit(&server, &dirs, "block");
    let (stdout, stderr) = text(&queued);
    assert_eq!(queued.status.code(), Some(3), "{stdout}{stderr}");
    let [entry] = &outbox_entries(dirs.data.path())[..] else {
        panic!("one outbox entry");
    };
    let entry: Value = serde_json::from_slice(&std::fs::read(entry).unwrap()).unwrap();
    let id = entry["submission"]["id"].as_str().unwrap().to_owned();

    let unknown = schemagate(
        &server,
        &dirs,
        &["submit", "--discard", "20261124T120000Z-0"],
    );
    let (stdout, stderr) = text(&unknown);
    assert_eq!(unknown.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("nothing to discard"), "{stderr}");

    let discarded = schemagate(&server, &dirs, &["submit", "--discard", &id]);
    let (stdout, stderr) = text(&discarded);
    assert_eq!(discarded.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!(
            "discarded: acme/shop#7 Block ({id}): logged as not sent"
        )),
        "{stdout}"
    );
    assert!(outbox_entries(dirs.data.path()).is_empty());
    let records = read_all(&dirs.data.path().join(LOG_FILE)).unwrap().records;
    assert!(
        matches!(
            &records.last().unwrap().decision.destination,
            Destination::NotSent { outbox, reason }
                if *outbox == id && reason.starts_with("discarded by the reviewer")
        ),
        "{records:?}"
    );
    let retried = schemagate(&server, &dirs, &["submit", "--retry"]);
    let (stdout, stderr) = text(&retried);
    assert_eq!(retried.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("the outbox is empty"), "{stdout}");
    assert_eq!(
        posts(&server, &reviews_route()).await.len(),
        1,
        "only the 503: never posted again"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_item_a_console_reopens_while_submit_runs_is_checked_again_and_nothing_is_sent() {
    let server = MockServer::start().await;
    // The diff listing is slow: a console reopens an item meanwhile.
    Mock::given(method("GET"))
        .and(path(format!("/repos/{REPO}/pulls/{PR}/files")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(files_listing())
                .set_delay(Duration::from_secs(3)),
        )
        .with_priority(1)
        .mount(&server)
        .await;
    mount_github(&server).await;
    let dirs = dirs();
    let mut ticked = Draft::new(REPO, PR, HEAD, Timestamp::from_unix_secs(1_790_000_000));
    for item in Checklists::load(None).unwrap().items() {
        ticked.state.tick(&item.id, "ana");
    }
    plant_draft(dirs.data.path(), &ticked);
    let child = submit_command(&server.uri(), &dirs, "approve")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let files = format!("/repos/{REPO}/pulls/{PR}/files");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .any(|request| request.url.path() == files)
    {
        assert!(Instant::now() < deadline, "the diff was never asked for");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let reopen = DraftChange::Reopen {
        item: "schema-matches-definition".into(),
    };
    DraftStore::new(dirs.data.path())
        .apply(
            REPO,
            PR,
            HEAD,
            &[reopen],
            Timestamp::from_unix_secs(1_790_000_100),
        )
        .unwrap();

    let output = child.wait_with_output().unwrap();
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("the checklist was changed meanwhile"),
        "{stderr}"
    );
    assert!(stderr.contains("Approve refused by the gates"), "{stderr}");
    assert!(
        posts(&server, &reviews_route()).await.is_empty(),
        "nothing is posted"
    );
    assert!(
        read_all(&dirs.data.path().join(LOG_FILE))
            .unwrap()
            .records
            .is_empty(),
        "nothing is logged"
    );
}

/// One gate policy: for the same PR and the same (empty) checklist, the console refuses an
/// Approve for exactly the reasons `submit` gives, and as many items as `check` says are required.
#[tokio::test(flavor = "multi_thread")]
async fn the_console_and_submit_refuse_an_approve_for_the_same_reasons() {
    use crossterm::event::KeyCode;
    use schemagate::analysis::fileset::FileSet;
    use schemagate::app::entry::PrEntry;
    use schemagate::source::change::{Change, PrMeta};
    use schemagate::tui::app::App;
    use schemagate::tui::views::verdict::Stage;

    let server = github().await;
    let dirs = dirs();
    let output = submit(&server, &dirs, "approve");
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    let from_submit: Vec<&str> = stderr
        .lines()
        .filter_map(|line| line.strip_prefix("- "))
        .collect();

    let mut base = FileSet::new();
    base.insert(INIT, INIT_SQL);
    let mut head = base.clone();
    head.insert(DROP, DROP_SQL);
    let change = Change {
        meta: PrMeta {
            repo: REPO.to_owned(),
            number: PR,
            base_sha: BASE.to_owned(),
            head_sha: HEAD.to_owned(),
            updated_at: "2026-11-24T10:00:00Z".to_owned(),
            ..PrMeta::default()
        },
        base,
        head,
    };
    let console_dir = tempfile::tempdir().unwrap();
    let context = console::demo_context(console_dir.path());
    let entry = PrEntry::analyse(change, &context.checklists);
    let required = entry.report.gate.required_items;
    let mut app = App::new(context, vec![entry]);
    console::press(
        &mut app,
        &[KeyCode::Enter, KeyCode::Char('v'), KeyCode::Enter],
    );
    let Stage::Refused(from_console) = &app.verdict().unwrap().stage else {
        panic!("the console allowed the Approve");
    };
    assert_eq!(from_console.len(), required, "{from_console:?}");
    assert_eq!(from_submit, *from_console, "{stderr}");
}
