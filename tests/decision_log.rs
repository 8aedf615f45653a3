//! The decision log survives crashes and shows tampering: a writer appending in a tight loop
//! is SIGKILLed at random moments and the log always verifies with every acknowledged record
//! intact; edits, removals, reorderings, damage and truncation are each named at the right line;
//! the anchor catches a removed or rewritten last record and a record appended to the log alone,
//! tells a crash between the log and anchor writes (the first append's included) from
//! tampering, and a log without anchor stays reported until it is adopted.

#[path = "support/kill_child.rs"]
mod kill_child;

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use kill_child::{Rng, ack, run_and_kill, writer_dir, writer_expired};
use schemagate::analysis::rules::Risk;
use schemagate::review::decision_log::{Adoption, Break, LOG_FILE, read_all, verify};
use schemagate::review::log_anchor::{
    Anchor, AnchorCheck, AnchorRead, GENESIS_HASH, anchor_path, read_anchor, write_anchor,
};
use schemagate::review::{
    ChecklistState, Decision, DecisionLog, Destination, FindingSummary, Note, Timestamp, Verdict,
};
use sha2::{Digest, Sha256};

/// Selects the writer mode in the re-executed test binary.
const WRITER_VAR: &str = "SCHEMAGATE_TEST_LOG_WRITER";

/// The decision recorded for PR `pr`.
fn decision(pr: u64) -> Decision {
    let mut checklist = ChecklistState::default();
    checklist.tick("backup", "ana");
    checklist.waive(
        "lock-time",
        "ana",
        "table has 12 rows, \"tiny\"\nno lock risk",
    );
    Decision {
        repo: "acme/shop".into(),
        pr,
        title: format!("Migration {pr}: drop legacy column"),
        branch: Some(format!("feature-{pr}")),
        base_sha: "b".repeat(40),
        head_sha: format!("{pr:040}"),
        risk: Risk::High,
        findings_summary: vec![FindingSummary {
            rule: "drop-column".into(),
            risk: Risk::High,
            file: "migrations/3.sql".into(),
            line: 4,
        }],
        checklist,
        notes: vec![Note {
            text: "checked the backup".into(),
            file: None,
            line: None,
        }],
        verdict: Verdict::Approve,
        reviewer: "ana".into(),
        time: Timestamp::from_unix_secs(1_800_000_000 + pr as i64),
        destination: Destination::GitHubReview {
            id: pr,
            url: format!("https://github.com/acme/shop/pull/{pr}#review"),
            outbox: None,
        },
        prev_hash: String::new(),
    }
}

/// The writer: appends the decisions of PR n+1, n+2, ... after the n records on disk.
#[test]
fn writer_child() {
    let Some(dir) = writer_dir(WRITER_VAR) else {
        return;
    };
    let log = DecisionLog::in_dir(&dir);
    let mut n = read_all(log.path()).expect("read").records.len() as u64;
    let started = Instant::now();
    while !writer_expired(started) {
        n += 1;
        log.append(&decision(n)).expect("append");
        ack(n);
    }
}

/// Checks the log after a kill: intact, records PR 1..=n in order; returns n.
fn intact_records(path: &Path) -> u64 {
    let verification = verify(path).expect("verify");
    assert!(verification.is_intact(), "{:?}", verification.broken);
    let read = read_all(path).expect("read");
    assert!(read.bad_lines.is_empty(), "{:?}", read.bad_lines);
    for (index, record) in read.records.iter().enumerate() {
        let expected = Decision {
            prev_hash: record.decision.prev_hash.clone(),
            ..decision(index as u64 + 1)
        };
        assert_eq!(record.decision, expected);
    }
    assert_eq!(verification.verified, read.records.len());
    read.records.len() as u64
}

/// Appends the first `cut` bytes of a record, as a crash mid-write would leave them.
fn tear(path: &Path, rng: &mut Rng) -> usize {
    let line = serde_json::to_vec(&decision(999)).expect("json");
    let cut = rng.below(1, line.len() as u64) as usize;
    let mut file = OpenOptions::new().append(true).open(path).expect("open");
    file.write_all(&line[..cut]).expect("tear");
    cut
}

#[test]
fn killed_writers_never_break_the_chain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(LOG_FILE);
    let mut rng = Rng::from_clock();
    let mut previous = 0;
    let mut torn_rounds = 0;
    for round in 0..6 {
        let acked = run_and_kill(
            "writer_child",
            WRITER_VAR,
            dir.path(),
            rng.below(3, 40),
            &mut rng,
        );
        let torn = verify(&path).expect("verify").torn_tail;
        let records = intact_records(&path);
        assert!(
            (acked..=acked + 1).contains(&records),
            "round {round}: {acked} appends acknowledged, {records} records"
        );
        assert!(records > previous, "round {round}: no progress");
        previous = records;
        if torn.is_none() && round % 2 == 0 {
            let cut = tear(&path, &mut rng);
            let tail = verify(&path)
                .expect("verify")
                .torn_tail
                .expect("a torn tail");
            assert_eq!((tail.line, tail.bytes.len()), (records as usize + 1, cut));
            torn_rounds += 1;
        }
    }
    assert!(torn_rounds >= 1);
    let moved_aside = fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".torn-"))
        .count();
    assert!(moved_aside >= torn_rounds, "torn tails must be kept aside");
}

/// A log of five decisions and its lines (without newlines).
fn five_records(dir: &Path) -> (std::path::PathBuf, Vec<Vec<u8>>) {
    let log = DecisionLog::in_dir(dir);
    for pr in 1..=5 {
        log.append(&decision(pr)).expect("append");
    }
    let bytes = fs::read(log.path()).expect("read");
    let lines = bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    (log.path().to_path_buf(), lines)
}

fn write_lines(path: &Path, lines: &[Vec<u8>]) {
    let mut bytes = lines.join(&b'\n');
    bytes.push(b'\n');
    fs::write(path, bytes).expect("write");
}

fn first_break(path: &Path) -> Break {
    let verification = verify(path).expect("verify");
    verification.broken.expect("tampering must be detected")
}

fn replace(line: &[u8], from: &str, to: &str) -> Vec<u8> {
    String::from_utf8(line.to_vec())
        .expect("utf-8")
        .replacen(from, to, 1)
        .into_bytes()
}

#[test]
fn an_edited_record_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, mut lines) = five_records(dir.path());
    lines[2] = replace(
        &lines[2],
        "\"verdict\":\"approve\"",
        "\"verdict\":\"block\"",
    );
    write_lines(&path, &lines);
    assert_eq!(first_break(&path), Break::Edited { line: 3 });
    let read = read_all(&path).expect("read");
    assert_eq!(read.records[2].decision.verdict, Verdict::Block);
}

#[test]
fn an_edit_with_a_recomputed_digest_is_caught_by_the_next_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, mut lines) = five_records(dir.path());
    lines[2] = forge(&lines[2], "\"reviewer\":\"ana\"", "\"reviewer\":\"eve\"");
    write_lines(&path, &lines);
    assert_eq!(first_break(&path), Break::OutOfChain { line: 4 });
}

#[test]
fn a_removed_record_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, mut lines) = five_records(dir.path());
    lines.remove(1);
    write_lines(&path, &lines);
    let broken = first_break(&path);
    assert_eq!(broken, Break::OutOfChain { line: 2 });
    assert!(broken.to_string().contains("removed"), "{broken}");
}

#[test]
fn a_removed_first_record_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, mut lines) = five_records(dir.path());
    lines.remove(0);
    write_lines(&path, &lines);
    let broken = first_break(&path);
    assert_eq!(broken, Break::OutOfChain { line: 1 });
    assert!(
        broken.to_string().contains("does not start the chain"),
        "{broken}"
    );
}

#[test]
fn swapped_records_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, mut lines) = five_records(dir.path());
    lines.swap(1, 2);
    write_lines(&path, &lines);
    assert_eq!(first_break(&path), Break::OutOfChain { line: 2 });
}

#[test]
fn a_damaged_line_in_the_middle_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, mut lines) = five_records(dir.path());
    lines[3] = b"{\"repo\": garbage".to_vec();
    write_lines(&path, &lines);
    assert!(matches!(
        first_break(&path),
        Break::Unreadable { line: 4, .. }
    ));
    assert_eq!(read_all(&path).expect("read").bad_lines[0].line, 4);
}

#[test]
fn a_record_cut_short_at_the_end_is_a_torn_tail_not_tampering() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _) = five_records(dir.path());
    let intact = fs::read(&path).expect("read");
    let anchor = fs::read(anchor_path(&path)).expect("anchor");
    let mut sixth = decision(6);
    sixth.title = "Émigrer les données — 数据".into();
    let line = serde_json::to_vec(&sixth).expect("json");
    for cut in 1..=line.len() {
        fs::write(&path, [intact.as_slice(), &line[..cut]].concat()).expect("tear");
        let verification = verify(&path).expect("verify");
        assert!(
            verification.is_intact(),
            "cut {cut}: {:?} {}",
            verification.broken,
            verification.anchor
        );
        let tail = verification.torn_tail.expect("a torn tail");
        assert_eq!((tail.line, tail.bytes.len()), (6, cut), "cut {cut}");
    }

    let appended = DecisionLog::in_dir(dir.path())
        .append(&decision(6))
        .expect("append after a torn tail");
    assert_eq!(appended.line, 6);
    let (moved, aside) = appended.torn_tail_moved_to.expect("the tail moved aside");
    assert_eq!(fs::read(aside).expect("kept"), moved.bytes);
    let after = verify(&path).expect("verify");
    assert!(after.is_intact() && after.torn_tail.is_none());
    assert_eq!((after.verified, after.anchor), (6, AnchorCheck::Matches));
    assert_ne!(fs::read(anchor_path(&path)).expect("anchor"), anchor);
}

#[test]
fn a_removed_last_record_is_caught_by_the_anchor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, mut lines) = five_records(dir.path());
    lines.pop();
    write_lines(&path, &lines);
    let verification = verify(&path).expect("verify");
    assert_eq!(verification.broken, None, "the chain itself is whole");
    assert_eq!(
        verification.anchor,
        AnchorCheck::Shorter {
            records: 4,
            anchored: 5
        }
    );
    assert!(!verification.is_intact());
    assert!(verification.anchor.to_string().contains("removed"));
}

#[test]
fn a_log_cut_inside_a_record_is_a_removed_tail_not_a_crash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, lines) = five_records(dir.path());
    let kept: usize = lines[..3].iter().map(|l| l.len() + 1).sum::<usize>() + lines[3].len() / 2;
    let bytes = fs::read(&path).expect("read");
    fs::write(&path, &bytes[..kept]).expect("truncate");
    let verification = verify(&path).expect("verify");
    assert_eq!(verification.torn_tail.as_ref().map(|t| t.line), Some(4));
    assert_eq!(
        verification.anchor,
        AnchorCheck::Shorter {
            records: 3,
            anchored: 5
        }
    );
    assert!(!verification.is_intact());
}

#[test]
fn a_last_record_replaced_by_garbage_is_tampering_not_a_torn_write() {
    for (garbage, terminated) in [
        (b"garbage".as_slice(), true),
        (b"{\"repo\": garbage".as_slice(), false),
        (b"\0\0\0\0".as_slice(), false),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let (path, mut lines) = five_records(dir.path());
        lines.pop();
        let mut bytes = lines.join(&b'\n');
        bytes.push(b'\n');
        bytes.extend_from_slice(garbage);
        if terminated {
            bytes.push(b'\n');
        }
        fs::write(&path, &bytes).expect("write");
        let verification = verify(&path).expect("verify");
        let shown = String::from_utf8_lossy(garbage);
        assert_eq!(verification.torn_tail, None, "{shown}");
        assert!(
            matches!(verification.broken, Some(Break::Unreadable { line: 5, .. })),
            "{shown}: {:?}",
            verification.broken
        );
        assert_eq!(verification.anchor, AnchorCheck::Rewritten { line: 5 });
        let read = read_all(&path).expect("read");
        assert_eq!(
            read.bad_lines.iter().map(|b| b.line).collect::<Vec<_>>(),
            [5]
        );

        // Recording another decision keeps the garbage a line of its own, and the break.
        let appended = DecisionLog::in_dir(dir.path())
            .append(&decision(6))
            .expect("append");
        assert_eq!(appended.line, 6);
        assert_eq!(appended.anchor, AnchorCheck::Rewritten { line: 5 });
        let after = verify(&path).expect("verify");
        assert!(matches!(
            after.broken,
            Some(Break::Unreadable { line: 5, .. })
        ));
        assert_eq!(after.anchor, AnchorCheck::Rewritten { line: 5 });
        assert_eq!(read_all(&path).expect("read").records.len(), 5);
    }
}

/// `line` with `from` replaced by `to` and its digest recomputed, as a forger would.
fn forge(line: &[u8], from: &str, to: &str) -> Vec<u8> {
    let edited = replace(line, from, to);
    let digest_field_len = ",\"digest\":\"\"}".len() + 64;
    let (body, _) = edited.split_at(edited.len() - digest_field_len);
    let mut hashed = body.to_vec();
    hashed.push(b'}');
    let digest = hex::encode(Sha256::digest(&hashed));
    [body, b",\"digest\":\"", digest.as_bytes(), b"\"}"].concat()
}

#[test]
fn a_last_record_rewritten_with_a_recomputed_digest_is_caught_by_the_anchor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, mut lines) = five_records(dir.path());
    lines[4] = forge(
        &lines[4],
        "\"verdict\":\"approve\"",
        "\"verdict\":\"block\"",
    );
    write_lines(&path, &lines);
    let verification = verify(&path).expect("verify");
    assert_eq!(
        verification.broken, None,
        "the forged record chains and digests"
    );
    assert_eq!(verification.anchor, AnchorCheck::Rewritten { line: 5 });
    assert!(!verification.is_intact());
}

/// The anchor at `path`.
fn anchor_of(path: &Path) -> Anchor {
    match read_anchor(&anchor_path(path)).expect("read the anchor") {
        AnchorRead::Found(anchor) => anchor,
        other => panic!("no anchor: {other:?}"),
    }
}

/// Puts the anchor of `path` back to `before` announcing `pending`: what a crash right after
/// the record hashing to `pending` was written leaves.
fn crash_after_record(path: &Path, before: &Anchor, pending: &str) {
    let announced = Anchor {
        pending: Some(pending.to_owned()),
        ..before.clone()
    };
    write_anchor(&anchor_path(path), &announced).expect("the anchor as a crash leaves it");
}

#[test]
fn a_crash_between_the_log_and_the_anchor_is_not_tampering() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _) = five_records(dir.path());
    let before = anchor_of(&path);
    let log = DecisionLog::in_dir(dir.path());
    let sixth = log.append(&decision(6)).expect("append");
    crash_after_record(&path, &before, &sixth.chain_head);
    let verification = verify(&path).expect("verify");
    assert!(verification.is_intact(), "{}", verification.anchor);
    assert_eq!(verification.anchor, AnchorCheck::OneBehind);

    let appended = log.append(&decision(7)).expect("append");
    assert_eq!(appended.anchor, AnchorCheck::OneBehind);
    let repaired = verify(&path).expect("verify");
    assert_eq!(
        (repaired.verified, repaired.anchor),
        (7, AnchorCheck::Matches)
    );
}

#[test]
fn a_record_appended_to_the_log_alone_is_tampering_and_stays_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _) = five_records(dir.path());
    let before = fs::read(anchor_path(&path)).expect("anchor");
    let log = DecisionLog::in_dir(dir.path());
    // A well-chained forged record, written by someone who cannot write the anchor.
    log.append(&decision(6)).expect("append");
    fs::write(anchor_path(&path), &before).expect("the anchor untouched by the forger");
    let verification = verify(&path).expect("verify");
    assert_eq!(verification.broken, None, "the forged record chains");
    let ahead = AnchorCheck::Ahead {
        anchored: 5,
        first: 6,
        records: 6,
    };
    assert_eq!(verification.anchor, ahead);
    assert!(!verification.is_intact());

    let appended = log.append(&decision(7)).expect("append");
    assert_eq!(appended.anchor, ahead);
    assert_eq!(fs::read(anchor_path(&path)).expect("anchor"), before);
    assert!(matches!(
        verify(&path).expect("verify").anchor,
        AnchorCheck::Ahead { first: 6, .. }
    ));
}

#[test]
fn the_first_append_creates_the_anchor_and_a_crash_during_it_is_not_tampering() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = DecisionLog::in_dir(dir.path());
    let path = log.path().to_path_buf();
    let first = log.append(&decision(1)).expect("append");
    assert_eq!(
        anchor_of(&path),
        Anchor::committed(1, first.chain_head.clone())
    );
    let empty = Anchor::committed(0, GENESIS_HASH.to_owned());
    crash_after_record(&path, &empty, &first.chain_head);
    let verification = verify(&path).expect("verify");
    assert_eq!(verification.anchor, AnchorCheck::OneBehind);
    assert!(verification.is_intact());
    log.append(&decision(2)).expect("append");
    assert_eq!(verify(&path).expect("verify").anchor, AnchorCheck::Matches);
}

#[test]
fn a_missing_anchor_stays_reported_until_the_log_is_adopted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, lines) = five_records(dir.path());
    // The anchor deleted and the last record cut: the next decision must not cover that up.
    fs::remove_file(anchor_path(&path)).expect("remove the anchor");
    write_lines(&path, &lines[..4]);
    let log = DecisionLog::in_dir(dir.path());
    let appended = log.append(&decision(6)).expect("append");
    assert_eq!(appended.anchor, AnchorCheck::Missing);
    assert!(!anchor_path(&path).exists(), "no fresh anchor over the log");
    let verification = verify(&path).expect("verify");
    assert_eq!(
        (verification.verified, verification.anchor.clone()),
        (5, AnchorCheck::Missing)
    );
    assert!(!verification.is_intact());
    assert!(
        verification.anchor.to_string().contains("--adopt-anchor"),
        "{}",
        verification.anchor
    );

    let adopted = log.adopt_anchor().expect("adopt");
    let Adoption::Adopted {
        records,
        head,
        before,
    } = adopted
    else {
        panic!("not adopted: {adopted:?}");
    };
    assert_eq!(
        (records, &head, before),
        (5, &appended.chain_head, AnchorCheck::Missing)
    );
    assert!(verify(&path).expect("verify").is_intact());
    assert_eq!(
        log.adopt_anchor().expect("adopt"),
        Adoption::NotNeeded(AnchorCheck::Matches)
    );
    log.append(&decision(7)).expect("append");
    assert_eq!(verify(&path).expect("verify").anchor, AnchorCheck::Matches);
}

#[test]
fn an_anchor_that_shows_a_break_is_not_adopted_over() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, lines) = five_records(dir.path());
    write_lines(&path, &lines[..4]);
    let before = fs::read(anchor_path(&path)).expect("anchor");
    let shorter = AnchorCheck::Shorter {
        records: 4,
        anchored: 5,
    };
    assert_eq!(
        DecisionLog::in_dir(dir.path())
            .adopt_anchor()
            .expect("adopt"),
        Adoption::Refused(shorter.clone())
    );
    assert_eq!(fs::read(anchor_path(&path)).expect("anchor"), before);
    assert_eq!(verify(&path).expect("verify").anchor, shorter);

    fs::remove_file(&path).expect("remove the log");
    assert_eq!(
        DecisionLog::in_dir(dir.path())
            .adopt_anchor()
            .expect("adopt"),
        Adoption::Refused(AnchorCheck::Shorter {
            records: 0,
            anchored: 5
        }),
        "a deleted log is not adopted as an empty one"
    );
}
