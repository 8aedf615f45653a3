//! `schemagate audit` run as a binary on a decision log written through the library in a
//! temporary data directory (`SCHEMAGATE_DATA_DIR`): filters, order, JSON and CSV output,
//! `--verify` exit codes, and stale approvals after a new commit on a PR branch.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

use schemagate::analysis::rules::Risk;
use schemagate::review::decision_log::LOG_FILE;
use schemagate::review::{
    ChecklistState, Decision, DecisionLog, Destination, Note, Timestamp, Verdict,
};
use serde_json::Value;

/// A waiver reason that needs CSV quoting.
const AWKWARD_REASON: &str = "staging copy, checked by \"bo\"\nsecond line";

/// A decision; the checklist has one tick and one waiver.
fn decision(repo: &str, pr: u64, verdict: Verdict, risk: Risk, time: &str, head: &str) -> Decision {
    let mut checklist = ChecklistState::default();
    checklist.tick("backup", "ana");
    checklist.waive("lock-time", "ana", AWKWARD_REASON);
    Decision {
        repo: repo.into(),
        pr,
        title: format!("PR {pr}"),
        branch: None,
        base_sha: "b".repeat(40),
        head_sha: head.into(),
        risk,
        findings_summary: Vec::new(),
        checklist,
        notes: vec![Note {
            text: "looked at the cascade".into(),
            file: Some("migrations/2.sql".into()),
            line: Some(7),
        }],
        verdict,
        reviewer: "ana".into(),
        time: Timestamp::parse(time).expect("a time"),
        destination: Destination::LocalOnly,
        prev_hash: String::new(),
    }
}

/// A data directory whose log holds four decisions (lines 1-4; line 4 decides PR 1 again).
fn data_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = DecisionLog::in_dir(dir.path());
    let head = "a".repeat(40);
    for d in [
        decision(
            "acme/shop",
            1,
            Verdict::Approve,
            Risk::Low,
            "2026-11-01T10:00:00Z",
            &head,
        ),
        decision(
            "acme/shop",
            2,
            Verdict::RequestChanges,
            Risk::High,
            "2026-11-03T10:00:00Z",
            &head,
        ),
        decision(
            "acme/other",
            3,
            Verdict::Block,
            Risk::Critical,
            "2026-11-05T10:00:00Z",
            &head,
        ),
        decision(
            "acme/shop",
            1,
            Verdict::Approve,
            Risk::Medium,
            "2026-11-04T10:00:00Z",
            &head,
        ),
    ] {
        log.append(&d).expect("append");
    }
    dir
}

fn audit(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemagate"))
        .arg("audit")
        .args(args)
        .env("SCHEMAGATE_DATA_DIR", data)
        .output()
        .expect("the binary runs")
}

fn json(data: &Path, args: &[&str]) -> Value {
    let output = audit(data, &[args, &["--format", "json"]].concat());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON")
}

fn lines_of(report: &Value) -> Vec<u64> {
    report["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .map(|d| d["line"].as_u64().expect("line"))
        .collect()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn decisions_are_filtered_and_newest_first() {
    let data = data_dir();
    let data = data.path();
    assert_eq!(lines_of(&json(data, &[])), [3, 4, 2, 1]);
    assert_eq!(lines_of(&json(data, &["--verdict", "approve"])), [4, 1]);
    assert_eq!(
        lines_of(&json(
            data,
            &["--since", "2026-11-03", "--repo", "acme/shop"]
        )),
        [4, 2]
    );
    assert_eq!(lines_of(&json(data, &["--risk", "critical"])), [3]);
    assert_eq!(
        lines_of(&json(data, &["--verdict", "block", "--risk", "LOW"])),
        [] as [u64; 0]
    );
}

#[test]
fn json_keeps_the_checklist_and_names_stale_approvals() {
    let data = data_dir();
    let report = json(data.path(), &["--repo", "acme/shop"]);
    let first = &report["decisions"][0];
    assert_eq!(first["verdict"], "approve");
    assert_eq!(first["checklist"]["items"]["backup"]["state"], "ticked");
    assert_eq!(
        first["checklist"]["items"]["lock-time"]["reason"],
        AWKWARD_REASON
    );
    let stale = report["stale_approvals"]
        .as_array()
        .expect("stale approvals");
    assert_eq!(stale.len(), 1);
    assert_eq!(stale[0]["line"], 1);
    assert_eq!(stale[0]["reasons"][0]["kind"], "later_decision");
    assert_eq!(stale[0]["reasons"][0]["line"], 4);
}

/// Parses RFC 4180 CSV (quoted fields with doubled quotes and line breaks).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

#[test]
fn csv_round_trips_awkward_reasons() {
    let data = data_dir();
    let output = audit(
        data.path(),
        &["--format", "csv", "--verdict", "request-changes"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let rows = parse_csv(&String::from_utf8(output.stdout).expect("utf-8"));
    assert_eq!(rows.len(), 2, "{rows:?}");
    let column = |name: &str| {
        let index = rows[0].iter().position(|h| h == name).expect(name);
        rows[1][index].clone()
    };
    assert_eq!(column("line"), "2");
    assert_eq!(column("verdict"), "request-changes");
    assert_eq!(
        column("waived"),
        format!("lock-time: {AWKWARD_REASON} (ana)")
    );
    assert_eq!(column("ticked"), "backup (ana)");
    assert_eq!(column("notes"), "migrations/2.sql:7: looked at the cascade");
}

#[test]
fn text_shows_ticks_and_why_items_were_waived() {
    let data = data_dir();
    let output = audit(data.path(), &["--verdict", "block"]);
    let text = String::from_utf8(output.stdout).expect("utf-8");
    assert!(
        text.contains("acme/other#3  BLOCK  risk CRITICAL  by ana  (line 3)"),
        "{text}"
    );
    assert!(text.contains("[x] backup: ticked by ana"), "{text}");
    assert!(
        text.contains("[~] lock-time: waived by ana: staging copy, checked by \"bo\" second line"),
        "{text}"
    );
}

#[test]
fn verify_exit_codes() {
    let data = data_dir();
    let path = data.path().join(LOG_FILE);
    let intact = audit(data.path(), &["--verify"]);
    assert_eq!(intact.status.code(), Some(0));
    assert!(
        stderr(&intact).contains("4 records, chain intact"),
        "{}",
        stderr(&intact)
    );

    let mut file = OpenOptions::new().append(true).open(&path).expect("open");
    file.write_all(b"{\"repo\":\"acme/sh").expect("tear");
    let torn = audit(data.path(), &["--verify"]);
    assert_eq!(torn.status.code(), Some(0));
    assert!(
        stderr(&torn).contains("warning: line 5"),
        "{}",
        stderr(&torn)
    );

    let log = fs::read_to_string(&path).expect("read");
    fs::write(
        &path,
        log.replacen("\"risk\":\"HIGH\"", "\"risk\":\"LOW\"", 1),
    )
    .expect("tamper");
    let tampered = audit(data.path(), &["--verify", "--format", "json"]);
    assert_eq!(tampered.status.code(), Some(1));
    assert!(
        stderr(&tampered).contains("line 2 was edited"),
        "{}",
        stderr(&tampered)
    );
    let report: Value = serde_json::from_slice(&tampered.stdout).expect("JSON");
    assert_eq!(report["verification"]["broken_line"], 2);
    assert_eq!(report["verification"]["intact"], false);
}

#[test]
fn usage_errors_exit_2() {
    let data = data_dir();
    assert_eq!(
        audit(data.path(), &["--since", "yesterday"]).status.code(),
        Some(2)
    );
    assert_eq!(
        audit(data.path(), &["--repo-path", "."]).status.code(),
        Some(2)
    );
}

/// Runs git in `dir` with a fixed identity, independent of the user's configuration.
fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {}", stderr(&output));
    String::from_utf8(output.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

fn commit(repo: &Path, file: &str) -> String {
    fs::write(repo.join(file), file).expect("write");
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", file]);
    git(repo, &["rev-parse", "HEAD"])
}

fn stale_lines(data: &Path, repo: &Path) -> Vec<(u64, String)> {
    let repo = repo.to_str().expect("utf-8 path");
    let report = json(data, &["--repo", "acme/shop", "--repo-path", repo]);
    report["stale_approvals"]
        .as_array()
        .expect("stale approvals")
        .iter()
        .map(|s| {
            let reason = &s["reasons"][0];
            (
                s["line"].as_u64().expect("line"),
                format!(
                    "{}:{}",
                    reason["kind"].as_str().unwrap_or(""),
                    reason["current_head"].as_str().unwrap_or("")
                ),
            )
        })
        .collect()
}

#[test]
fn approvals_go_stale_when_the_pr_branch_moves() {
    let repo = tempfile::tempdir().expect("tempdir");
    let root = repo.path();
    git(root, &["init", "-q", "-b", "main"]);
    commit(root, "base.sql");
    git(root, &["checkout", "-q", "-b", "feature"]);
    let approved = commit(root, "change.sql");
    git(root, &["update-ref", "refs/pull/8/head", &approved]);

    let data = tempfile::tempdir().expect("tempdir");
    let log = DecisionLog::in_dir(data.path());
    let time = "2026-11-01T10:00:00Z";
    let mut by_branch = decision("acme/shop", 7, Verdict::Approve, Risk::Low, time, &approved);
    by_branch.branch = Some("feature".into());
    log.append(&by_branch).expect("append");
    let by_pull_ref = decision("acme/shop", 8, Verdict::Approve, Risk::Low, time, &approved);
    log.append(&by_pull_ref).expect("append");
    let elsewhere = decision("acme/other", 7, Verdict::Approve, Risk::Low, time, "f00");
    log.append(&elsewhere).expect("append");
    assert_eq!(stale_lines(data.path(), root), []);

    let pushed = commit(root, "fixup.sql");
    assert_eq!(
        stale_lines(data.path(), root),
        [(1, format!("newer_head:{pushed}"))]
    );

    git(root, &["update-ref", "refs/pull/8/head", &pushed]);
    assert_eq!(
        stale_lines(data.path(), root),
        [
            (2, format!("newer_head:{pushed}")),
            (1, format!("newer_head:{pushed}"))
        ]
    );
}
