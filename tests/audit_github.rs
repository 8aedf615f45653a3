//! `schemagate audit` with a repository configured: the log is compared with what a mock
//! GitHub shows (merged migration PRs without an approving data review, approvals the log lacks,
//! reviews the viewer sent with schemagate whose record is gone from the log, migrations renamed
//! out of their folder), and without a token the local audit still prints, saying GitHub was not
//! compared.

use std::path::Path;
use std::process::{Command, Output};

use schemagate::analysis::rules::Risk;
use schemagate::report::review_body::SubmissionMarker;
use schemagate::review::decision_log::{LOG_FILE, verify};
use schemagate::review::log_anchor::{Anchor, anchor_path, write_anchor};
use schemagate::review::{ChecklistState, Decision, DecisionLog, Destination, Timestamp, Verdict};
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "ghp_auditSecretValue42";

/// A data directory whose log approves acme/shop#1 at its reviewed head.
fn data_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let decision = Decision {
        repo: "acme/shop".into(),
        pr: 1,
        title: "Add recipe ratings".into(),
        branch: None,
        base_sha: "b".repeat(40),
        head_sha: "1".repeat(40),
        risk: Risk::Low,
        findings_summary: Vec::new(),
        checklist: ChecklistState::default(),
        notes: Vec::new(),
        verdict: Verdict::Approve,
        reviewer: "ana".into(),
        time: Timestamp::parse("2026-11-19T12:00:00Z").expect("a time"),
        destination: Destination::LocalOnly,
        prev_hash: String::new(),
    };
    DecisionLog::in_dir(dir.path())
        .append(&decision)
        .expect("append");
    dir
}

fn config_file(dir: &Path) -> std::path::PathBuf {
    let file = dir.join("config.toml");
    std::fs::write(&file, "[[repos]]\nname = \"acme/shop\"\n").expect("config");
    file
}

fn audit(data: &Path, config: &Path, api: &str, token: Option<&str>, extra: &[&str]) -> Output {
    let empty_path = data.join("no-programs");
    std::fs::create_dir_all(&empty_path).expect("dir");
    let mut command = Command::new(env!("CARGO_BIN_EXE_schemagate"));
    command
        .arg("audit")
        .args(["--since", "2026-10-01", "--config"])
        .arg(config)
        .args(["--api-url", api])
        .args(extra)
        .env("SCHEMAGATE_DATA_DIR", data)
        .env("SCHEMAGATE_CACHE_DIR", data.join("cache"))
        .env("PATH", &empty_path)
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_ENTERPRISE_TOKEN")
        .env("NO_COLOR", "1");
    if let Some(token) = token {
        command.env("GH_TOKEN", token);
    }
    command.output().expect("run schemagate")
}

async fn github() -> MockServer {
    let server = MockServer::start().await;
    let body: Value = serde_json::from_str(include_str!("fixtures/github/audit_search.json"))
        .expect("fixture is JSON");
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .and(body_partial_json(json!({
            "variables": {"q": "repo:acme/shop is:pr updated:>=2026-10-01"}
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(1)
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread")]
async fn merged_prs_without_data_review_and_unlogged_approvals_are_listed() {
    let server = github().await;
    let data = data_dir();
    let config = config_file(data.path());
    let output = audit(data.path(), &config, &server.uri(), Some(SECRET), &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("Migration PRs merged without an approving data review: 1"),
        "{stdout}"
    );
    assert!(
        stdout.contains("acme/shop#2 merged 2026-11-21T09:00:00Z  Drop legacy column"),
        "{stdout}"
    );
    assert!(!stdout.contains('\u{1b}'), "the title is sanitized");
    assert!(
        stdout.contains("Approvals on GitHub that the log does not have: 1"),
        "{stdout}"
    );
    assert!(
        stdout.contains("acme/shop#3 approved by bo at 333333333333"),
        "{stdout}"
    );
    assert!(stdout.contains("(outside schemagate)"), "{stdout}");
    assert!(!stdout.contains("#4") && !stdout.contains("#5"), "{stdout}");
    // PR 1 was approved at 1111…, then pushed to and merged at 9999…: the approval is stale.
    assert!(stdout.contains("Stale approvals:"), "{stdout}");
    assert!(
        stdout.contains("acme/shop#1 approved at 111111111111"),
        "{stdout}"
    );
    assert!(!stdout.contains(SECRET) && !stderr.contains(SECRET));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_comparison_is_in_the_json_output() {
    let server = github().await;
    let data = data_dir();
    let config = config_file(data.path());
    let output = audit(
        data.path(),
        &config,
        &server.uri(),
        Some(SECRET),
        &["--format", "json"],
    );
    assert!(output.status.success());
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let merged = report["github"]["merged_without_review"]
        .as_array()
        .expect("array");
    assert_eq!(merged.len(), 1);
    assert_eq!(merged[0]["number"], 2);
    let unlogged = report["github"]["unlogged_approvals"]
        .as_array()
        .expect("array");
    assert_eq!(unlogged.len(), 1);
    assert_eq!(unlogged[0]["approval"]["reviewer"], "bo");
    assert_eq!(unlogged[0]["approval"]["by_schemagate"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_token_the_local_audit_still_prints() {
    let server = MockServer::start().await;
    let data = data_dir();
    let config = config_file(data.path());
    let output = audit(data.path(), &config, &server.uri(), None, &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("acme/shop#1  APPROVE"), "{stdout}");
    assert!(
        stdout.contains("GitHub not compared: no GitHub token"),
        "{stdout}"
    );
    assert!(asked_nothing(&server).await, "no request to GitHub");
}

#[tokio::test(flavor = "multi_thread")]
async fn offline_asks_nothing() {
    let server = MockServer::start().await;
    let data = data_dir();
    let config = config_file(data.path());
    let output = audit(
        data.path(),
        &config,
        &server.uri(),
        Some(SECRET),
        &["--offline"],
    );
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("merged without"), "{stdout}");
    assert!(asked_nothing(&server).await, "no request to GitHub");
}

/// Whether `server` received no request at all.
async fn asked_nothing(server: &MockServer) -> bool {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .is_empty()
}

/// GitHub's `GET /user` answer: the token is `login`'s.
async fn mount_viewer(server: &MockServer, login: &str) {
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "login": login, "id": 583231, "type": "User", "site_admin": false
        })))
        .mount(server)
        .await;
}

/// A GraphQL search answer listing `nodes`.
async fn mount_search(server: &MockServer, nodes: Vec<Value>) {
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": {"search": {
                "pageInfo": {"hasNextPage": false, "endCursor": "Y3Vyc29yOjM="},
                "nodes": nodes,
            }}})),
        )
        .mount(server)
        .await;
}

/// A decision on acme/shop#`pr`, blocked.
fn block(pr: u64) -> Decision {
    Decision {
        repo: "acme/shop".into(),
        pr,
        title: format!("PR {pr}"),
        branch: None,
        base_sha: "b".repeat(40),
        head_sha: format!("{pr:040}"),
        risk: Risk::Critical,
        findings_summary: Vec::new(),
        checklist: ChecklistState::default(),
        notes: Vec::new(),
        verdict: Verdict::Block,
        reviewer: "ana".into(),
        time: Timestamp::parse("2026-11-19T12:00:00Z").expect("a time"),
        destination: Destination::LocalOnly,
        prev_hash: String::new(),
    }
}

/// A review node as GraphQL gives it, by `login`, whose body opens with schemagate's marker
/// naming `chain`.
fn marked_review(login: &str, pr: u64, chain: &str) -> Value {
    let marker = SubmissionMarker {
        id: format!("acme/shop#{pr}-nonce{pr}"),
        verdict: Verdict::Block,
        head_sha: format!("{pr:040}"),
        chain: Some(chain.to_owned()),
    };
    json!({
        "author": {"login": login},
        "submittedAt": "2026-11-19T12:01:00Z",
        "url": format!("https://github.com/acme/shop/pull/{pr}#pullrequestreview-{pr}"),
        "body": format!("{}\n**schemagate: CRITICAL risk**", marker.render()),
    })
}

/// A searched PR with one migration file and `mine` as the viewer's reviews.
fn pr_node(number: u64, state: &str, mine: Vec<Value>) -> Value {
    json!({
        "number": number,
        "title": format!("PR {number}"),
        "state": state,
        "mergedAt": if state == "MERGED" { json!("2026-11-21T09:00:00Z") } else { Value::Null },
        "headRefOid": format!("{number:040}"),
        "files": {"nodes": [{"path": format!("prisma/migrations/2026112{number}_x/migration.sql"),
                             "changeType": "ADDED"}],
                  "pageInfo": {"hasNextPage": false}},
        "reviews": {"nodes": []},
        "mine": {"nodes": mine},
    })
}

/// The submission id of the review schemagate sent on acme/shop#`pr` (its marker's).
fn submission_id(pr: u64) -> String {
    format!("acme/shop#{pr}-nonce{pr}")
}

/// Logs the blocking review of acme/shop#`pr` as dispatch does: its intent, then its delivery.
/// The hashes of both lines.
fn log_sent(log: &DecisionLog, pr: u64) -> (String, String) {
    let id = submission_id(pr);
    let intent = log
        .append(&Decision {
            destination: Destination::Outbox { id: id.clone() },
            ..block(pr)
        })
        .expect("append the intent");
    let delivery = log
        .append(&Decision {
            destination: Destination::GitHubReview {
                id: 7000 + pr,
                url: format!("https://github.com/acme/shop/pull/{pr}#pullrequestreview-{pr}"),
                outbox: Some(id),
            },
            ..block(pr)
        })
        .expect("append the delivery");
    (intent.chain_head, delivery.chain_head)
}

/// The checked count and the `(number, missing record)` of each review the JSON report of
/// `output` names as missing from the log.
fn missing_of(output: &Output) -> (u64, Vec<(u64, String)>) {
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let records = &report["github"]["missing_records"];
    let missing = records["missing"].as_array().expect("missing");
    (
        records["checked"].as_u64().expect("checked"),
        missing
            .iter()
            .filter_map(|m| Some((m["number"].as_u64()?, m["record"].as_str()?.to_owned())))
            .collect(),
    )
}

/// Keeps the first `keep` lines of the log at `log_file` and rewrites the anchor to name them,
/// as whoever can write both files could; `head` is the hash of the last line kept.
fn cut_log(log_file: &Path, keep: usize, head: &str) {
    let text = std::fs::read_to_string(log_file).expect("read");
    let kept: String = text
        .lines()
        .take(keep)
        .map(|line| format!("{line}\n"))
        .collect();
    std::fs::write(log_file, kept).expect("rewrite the log");
    let anchor = Anchor::committed(keep, head.to_owned());
    write_anchor(&anchor_path(log_file), &anchor).expect("rewrite the anchor");
    assert!(verify(log_file).expect("verify").is_intact());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sent_review_whose_record_was_removed_fails_verify_even_with_the_anchor_rewritten() {
    let data = tempfile::tempdir().expect("tempdir");
    let config = config_file(data.path());
    let log = DecisionLog::in_dir(data.path());
    let (first, first_delivery) = log_sent(&log, 21);
    let (second, _) = log_sent(&log, 22);
    let server = MockServer::start().await;
    mount_viewer(&server, "ana").await;
    mount_search(
        &server,
        vec![
            // Closed without merging: its reviews still count.
            pr_node(21, "CLOSED", vec![marked_review("ana", 21, &first)]),
            pr_node(
                22,
                "MERGED",
                vec![
                    marked_review("ana", 22, &second),
                    // Another login forging the marker (as if GitHub ignored `author:`).
                    marked_review("mallory", 22, &"e".repeat(64)),
                ],
            ),
        ],
    )
    .await;
    let json_verify = ["--verify", "--format", "json"];
    let intact = audit(
        data.path(),
        &config,
        &server.uri(),
        Some(SECRET),
        &json_verify,
    );
    let stderr = String::from_utf8_lossy(&intact.stderr);
    assert_eq!(intact.status.code(), Some(0), "{stderr}");
    assert_eq!(
        missing_of(&intact),
        (2, vec![]),
        "mallory's review is not counted"
    );

    // Whoever can write both files removes the last review's records and rewrites the anchor
    // to match: the local check cannot tell, GitHub's copy can.
    cut_log(&data.path().join(LOG_FILE), 2, &first_delivery);

    let tampered = audit(
        data.path(),
        &config,
        &server.uri(),
        Some(SECRET),
        &json_verify,
    );
    let stderr = String::from_utf8_lossy(&tampered.stderr);
    assert_eq!(tampered.status.code(), Some(1), "{stderr}");
    assert_eq!(missing_of(&tampered), (2, vec![(22, "intent".to_owned())]));
    assert!(stderr.contains("have no record in it"), "{stderr}");

    let plain = audit(data.path(), &config, &server.uri(), Some(SECRET), &[]);
    let stdout = String::from_utf8_lossy(&plain.stdout);
    let stderr = String::from_utf8_lossy(&plain.stderr);
    assert_eq!(plain.status.code(), Some(0), "plain audit warns: {stderr}");
    assert!(stderr.contains("run --verify"), "{stderr}");
    assert!(
        stdout.contains(
            "Reviews sent with schemagate whose log record is gone (removed or rewritten): 1 of 2 \
             checked"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("acme/shop#22 block at 000000000000, submitted 2026-11-19T12:01:00Z"),
        "{stdout}"
    );
    assert!(
        stdout.contains("the intent record of acme/shop#22-nonce22 is missing"),
        "{stdout}"
    );

    let asked: Vec<Value> = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/graphql")
        .map(|r| serde_json::from_slice(&r.body).expect("JSON"))
        .collect();
    assert!(!asked.is_empty());
    for body in &asked {
        assert_eq!(body["variables"]["viewer"], "ana");
        let query = body["query"].as_str().unwrap_or("");
        assert!(query.contains("reviews(author: $viewer"), "{query}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sent_review_whose_delivery_record_was_removed_or_swapped_fails_verify() {
    let data = tempfile::tempdir().expect("tempdir");
    let config = config_file(data.path());
    let log = DecisionLog::in_dir(data.path());
    let (intent, _) = log_sent(&log, 31);
    let server = MockServer::start().await;
    mount_viewer(&server, "ana").await;
    mount_search(
        &server,
        vec![pr_node(
            31,
            "MERGED",
            vec![marked_review("ana", 31, &intent)],
        )],
    )
    .await;
    let json_verify = ["--verify", "--format", "json"];
    let run = || {
        audit(
            data.path(),
            &config,
            &server.uri(),
            Some(SECRET),
            &json_verify,
        )
    };
    let intact = run();
    let stderr = String::from_utf8_lossy(&intact.stderr);
    assert_eq!(intact.status.code(), Some(0), "{stderr}");
    assert_eq!(missing_of(&intact), (1, vec![]));

    // The delivery record removed, the anchor rewritten: the intent is still there.
    let log_file = data.path().join(LOG_FILE);
    cut_log(&log_file, 1, &intent);
    let removed = run();
    let stderr = String::from_utf8_lossy(&removed.stderr);
    assert_eq!(removed.status.code(), Some(1), "{stderr}");
    assert_eq!(missing_of(&removed), (1, vec![(31, "delivery".to_owned())]));

    // Swapped for a well-chained record that it was never sent.
    log.append(&Decision {
        destination: Destination::NotSent {
            outbox: submission_id(31),
            reason: "GitHub refused it".into(),
        },
        ..block(31)
    })
    .expect("append the forged fate");
    assert!(verify(&log_file).expect("verify").is_intact());
    let swapped = run();
    let stderr = String::from_utf8_lossy(&swapped.stderr);
    assert_eq!(swapped.status.code(), Some(1), "{stderr}");
    assert_eq!(missing_of(&swapped), (1, vec![(31, "delivery".to_owned())]));

    let plain = audit(data.path(), &config, &server.uri(), Some(SECRET), &[]);
    let stdout = String::from_utf8_lossy(&plain.stdout);
    assert!(
        stdout.contains("the delivery record of acme/shop#31-nonce31 is missing"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_the_viewer_sent_reviews_are_not_checked_and_that_is_said() {
    let server = github().await;
    let data = data_dir();
    let config = config_file(data.path());
    let output = audit(
        data.path(),
        &config,
        &server.uri(),
        Some(SECRET),
        &["--verify"],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("GitHub not compared: the reviews sent with schemagate are not checked"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Reviews sent with schemagate: not checked against the log"),
        "{stdout}"
    );
    assert!(
        stdout.contains("merged without an approving data review: 1"),
        "{stdout}"
    );
}

/// GitHub's REST answer listing one renamed file of a PR.
fn renamed_file(from: &str, to: &str) -> Value {
    json!([{
        "sha": "5d2ef1a2b4c3d4e5f60718293a4b5c6d7e8f9012",
        "filename": to,
        "status": "renamed",
        "additions": 0, "deletions": 0, "changes": 0,
        "blob_url": format!("https://github.com/acme/shop/blob/abc/{to}"),
        "raw_url": format!("https://github.com/acme/shop/raw/abc/{to}"),
        "contents_url": format!("https://api.github.com/repos/acme/shop/contents/{to}?ref=abc"),
        "previous_filename": from,
    }])
}

/// A merged PR whose only file GraphQL lists as renamed to `to`.
fn renaming_pr(number: u64, to: &str) -> Value {
    json!({
        "number": number,
        "title": format!("PR {number}"),
        "state": "MERGED",
        "mergedAt": format!("2026-11-2{number}T09:00:00Z", number = number - 30),
        "headRefOid": format!("{number:040}"),
        "files": {"nodes": [{"path": to, "changeType": "RENAMED"}],
                  "pageInfo": {"hasNextPage": false}},
        "reviews": {"nodes": []},
        "mine": {"nodes": []},
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_migration_renamed_out_of_its_folder_is_a_migration_pr() {
    let server = MockServer::start().await;
    mount_viewer(&server, "ana").await;
    mount_search(
        &server,
        vec![
            renaming_pr(31, "attic/20261101_users.txt"),
            renaming_pr(32, "docs/guide.md"),
            renaming_pr(33, "prisma/migrations/20261103_y/migration.sql"),
        ],
    )
    .await;
    for (number, from, to, asked) in [
        (
            31,
            "prisma/migrations/20261101_users/migration.sql",
            "attic/20261101_users.txt",
            1,
        ),
        (32, "docs/readme.md", "docs/guide.md", 1),
        // Its new path is a migration already: its previous path is not needed.
        (
            33,
            "prisma/migrations/20261103_x/migration.sql",
            "prisma/migrations/20261103_y/migration.sql",
            0,
        ),
    ] {
        Mock::given(method("GET"))
            .and(path(format!("/repos/acme/shop/pulls/{number}/files")))
            .respond_with(ResponseTemplate::new(200).set_body_json(renamed_file(from, to)))
            .expect(asked)
            .mount(&server)
            .await;
    }
    let data = data_dir();
    let config = config_file(data.path());
    let output = audit(
        data.path(),
        &config,
        &server.uri(),
        Some(SECRET),
        &["--format", "json"],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let merged: Vec<u64> = report["github"]["merged_without_review"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|m| m["number"].as_u64())
        .collect();
    assert_eq!(merged, [33, 31], "#32 renames documentation only");
    assert!(report.get("github_errors").is_none(), "{report}");
}
