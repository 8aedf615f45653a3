//! `schemagate audit` with a repository configured: the log is compared with what a mock
//! GitHub shows (merged migration PRs without an approving data review, approvals the log lacks),
//! and without a token the local audit still prints, saying GitHub was not compared.

use std::path::Path;
use std::process::{Command, Output};

use schemagate::analysis::rules::Risk;
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
