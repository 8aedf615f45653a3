//! `schemagate audit` run as a binary on a decision log written through the library in a
//! temporary data directory (`SCHEMAGATE_DATA_DIR`): filters, order, JSON and CSV output,
//! `--verify` exit codes (a deleted, garbage or rewritten last record is caught, so is one
//! appended to the log alone; a crash between the log and anchor writes is not tampering),
//! `--adopt-anchor` for a log without anchor, and stale approvals after a new commit on a PR
//! branch.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

use schemagate::analysis::rules::Risk;
use schemagate::review::decision_log::LOG_FILE;
use schemagate::review::log_anchor::{Anchor, AnchorRead, anchor_path, read_anchor, write_anchor};
use schemagate::review::{
    ChecklistState, Decision, DecisionLog, Destination, Note, Timestamp, Verdict,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

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

/// The log's lines (without newlines).
fn log_lines(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .expect("read")
        .lines()
        .map(str::to_owned)
        .collect()
}

fn write_log(path: &Path, lines: &[String]) {
    fs::write(
        path,
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )
    .expect("write");
}

/// `--verify` exits 1 naming `expected`, and plain `audit` exits 0 with a warning.
fn assert_caught(data: &Path, expected: &str) {
    let verified = audit(data, &["--verify"]);
    assert_eq!(verified.status.code(), Some(1), "{}", stderr(&verified));
    assert!(
        stderr(&verified).contains("was tampered with") && stderr(&verified).contains(expected),
        "{}",
        stderr(&verified)
    );
    let plain = audit(data, &[]);
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    assert!(
        stderr(&plain).contains("fails its check") && stderr(&plain).contains("run --verify"),
        "{}",
        stderr(&plain)
    );
}

#[test]
fn verify_catches_a_deleted_last_record() {
    let data = data_dir();
    let path = data.path().join(LOG_FILE);
    let mut lines = log_lines(&path);
    lines.pop();
    write_log(&path, &lines);
    assert_caught(
        data.path(),
        "the log ends at record 3 but the anchor names 4 records",
    );
    let output = audit(data.path(), &["--verify", "--format", "json"]);
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["verification"]["intact"], false);
    assert!(
        report["verification"]["anchor"]
            .as_str()
            .is_some_and(|a| a.contains("removed")),
        "{report}"
    );
}

#[test]
fn verify_catches_a_last_record_replaced_by_garbage() {
    let data = data_dir();
    let path = data.path().join(LOG_FILE);
    let mut lines = log_lines(&path);
    *lines.last_mut().expect("a line") = "not a record at all".to_owned();
    write_log(&path, &lines);
    assert_caught(data.path(), "line 4 is not a decision record");
    let verified = audit(data.path(), &["--verify"]);
    assert!(!stderr(&verified).contains("torn"), "{}", stderr(&verified));
}

#[test]
fn verify_catches_a_last_record_rewritten_with_a_recomputed_digest() {
    let data = data_dir();
    let path = data.path().join(LOG_FILE);
    let mut lines = log_lines(&path);
    let last = lines
        .last()
        .expect("a line")
        .replacen("\"risk\":\"MEDIUM\"", "\"risk\":\"LOW\"", 1);
    let (body, _) = last.split_at(last.len() - (",\"digest\":\"\"}".len() + 64));
    let digest = hex::encode(Sha256::digest(format!("{body}}}").as_bytes()));
    *lines.last_mut().expect("a line") = format!("{body},\"digest\":\"{digest}\"}}");
    write_log(&path, &lines);
    assert_caught(
        data.path(),
        "record at line 4 is not the one the anchor names",
    );
}

/// A fifth decision, on acme/shop#5.
fn fifth() -> Decision {
    decision(
        "acme/shop",
        5,
        Verdict::Approve,
        Risk::Low,
        "2026-11-06T10:00:00Z",
        &"c".repeat(40),
    )
}

#[test]
fn a_crash_between_the_log_and_the_anchor_is_not_tampering() {
    let data = data_dir();
    let anchor = anchor_path(&data.path().join(LOG_FILE));
    let AnchorRead::Found(before) = read_anchor(&anchor).expect("anchor") else {
        panic!("the log has an anchor");
    };
    let appended = DecisionLog::in_dir(data.path())
        .append(&fifth())
        .expect("append");
    // What a crash leaves after the record: the anchor announcing it, not yet naming it.
    let announced = Anchor {
        pending: Some(appended.chain_head),
        ..before
    };
    write_anchor(&anchor, &announced).expect("the anchor as a crash leaves it");
    let verified = audit(data.path(), &["--verify"]);
    assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));
    assert!(
        stderr(&verified).contains("5 records, chain intact")
            && stderr(&verified).contains("the anchor is one record behind"),
        "{}",
        stderr(&verified)
    );
}

#[test]
fn verify_catches_a_record_appended_to_the_log_alone() {
    let data = data_dir();
    let anchor = anchor_path(&data.path().join(LOG_FILE));
    let before = fs::read(&anchor).expect("anchor");
    DecisionLog::in_dir(data.path())
        .append(&fifth())
        .expect("append");
    fs::write(&anchor, before).expect("the anchor as the forger left it");
    assert_caught(
        data.path(),
        "record 5 is beyond the anchor (4 records) and is not the one it announced",
    );
}

#[test]
fn a_log_without_anchor_stays_reported_until_adopted() {
    let data = data_dir();
    let path = data.path().join(LOG_FILE);
    let anchor = anchor_path(&path);
    fs::remove_file(&anchor).expect("remove the anchor");
    let mut lines = log_lines(&path);
    lines.pop();
    write_log(&path, &lines);
    DecisionLog::in_dir(data.path())
        .append(&fifth())
        .expect("append");
    assert_caught(data.path(), "the anchor file is missing");

    let adopted = audit(data.path(), &["--adopt-anchor", "--verify"]);
    let said = stderr(&adopted);
    assert_eq!(adopted.status.code(), Some(0), "{said}");
    assert!(
        said.contains("it had no anchor; anchored as it is now: 4 records")
            && said
                .contains("records removed from or rewritten at its end before now go undetected")
            && said.contains("4 records, chain intact"),
        "{said}"
    );
    assert!(anchor.exists());
    let again = audit(data.path(), &["--adopt-anchor"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(
        stderr(&again).contains("nothing to adopt (the anchor names the last record)"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn a_damaged_anchor_is_adopted_over_and_a_break_is_not() {
    let data = data_dir();
    let path = data.path().join(LOG_FILE);
    let anchor = anchor_path(&path);
    let mut lines = log_lines(&path);
    lines.pop();
    write_log(&path, &lines);
    let before = fs::read(&anchor).expect("anchor");
    let refused = audit(data.path(), &["--adopt-anchor"]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("the anchor is not replaced: the log ends at record 3")
            && stderr(&refused).contains("move"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(fs::read(&anchor).expect("anchor"), before, "left as it was");

    fs::write(&anchor, b"{\"records\":").expect("damage the anchor");
    let adopted = audit(data.path(), &["--adopt-anchor", "--verify"]);
    assert_eq!(adopted.status.code(), Some(0), "{}", stderr(&adopted));
    assert!(
        stderr(&adopted).contains("its anchor was damaged"),
        "{}",
        stderr(&adopted)
    );
}
