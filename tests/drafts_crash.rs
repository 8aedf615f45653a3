//! Drafts survive crashes: a writer process saving in a tight loop is SIGKILLed at random
//! moments, and every time the draft loads back whole, holding every acknowledged save (at
//! most the change in flight is lost). A damaged draft is set aside and reported. Two writer
//! processes saving changes to one draft at once lose none of each other's changes.

#[path = "support/kill_child.rs"]
mod kill_child;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use kill_child::{Rng, ack, run_and_kill, writer_dir, writer_expired};
use schemagate::review::{Draft, DraftChange, DraftStore, ItemState, LoadOutcome, Note, Timestamp};

/// Selects the writer mode in the re-executed test binary.
const WRITER_VAR: &str = "SCHEMAGATE_TEST_DRAFT_WRITER";
/// Selects the merging writer mode (the value is the data directory).
const MERGING_WRITER_VAR: &str = "SCHEMAGATE_TEST_MERGING_WRITER";
/// The merging writer's name: it ticks items `<name>-1`, `<name>-2`...
const WRITER_NAME_VAR: &str = "SCHEMAGATE_TEST_WRITER_NAME";
/// How many changes each merging writer saves.
const MERGED_CHANGES: usize = 150;
const REPO: &str = "acme/shop";
const PR: u64 = 42;
const HEAD: &str = "0123456789abcdef0123456789abcdef01234567";

/// The draft after `n` saves: items `item-1..=n` ticked, `n` notes, updated at second `n`.
fn nth_draft(n: u64) -> Draft {
    let mut draft = Draft::new(REPO, PR, HEAD, Timestamp::from_unix_secs(n as i64));
    for i in 1..=n {
        draft.state.tick(&format!("item-{i}"), "ana");
        draft.notes.push(Note {
            text: format!("note {i}, with \"quotes\"\nand a newline"),
            file: Some("migrations/1.sql".into()),
            line: Some(i as usize),
        });
    }
    draft
}

/// How many saves a loaded draft holds, checking that it is exactly the n-th draft.
fn saves_in(draft: &Draft) -> u64 {
    let n = draft.notes.len() as u64;
    assert_eq!(draft, &nth_draft(n), "the draft is not a consistent state");
    n
}

/// The writer: continues from the draft on disk, one more tick and note per save.
#[test]
fn writer_child() {
    let Some(dir) = writer_dir(WRITER_VAR) else {
        return;
    };
    let store = DraftStore::new(&dir);
    let mut n = match store.load(REPO, PR, HEAD).expect("load") {
        LoadOutcome::Loaded(draft) => draft.notes.len() as u64,
        LoadOutcome::None => 0,
        LoadOutcome::SetAside(aside) => panic!("damaged draft: {aside:?}"),
    };
    let started = Instant::now();
    while !writer_expired(started) {
        n += 1;
        let changes = [
            DraftChange::Tick {
                item: format!("item-{n}"),
                by: "ana".into(),
            },
            DraftChange::AddNote(nth_draft(n).notes.pop().expect("a note")),
        ];
        let now = Timestamp::from_unix_secs(n as i64);
        store.apply(REPO, PR, HEAD, &changes, now).expect("save");
        ack(n);
    }
}

/// The merging writer: ticks its own items one change at a time, knowing nothing of the
/// other writer's.
#[test]
fn merging_writer_child() {
    let Some(dir) = writer_dir(MERGING_WRITER_VAR) else {
        return;
    };
    let name = std::env::var(WRITER_NAME_VAR).expect("a writer name");
    let store = DraftStore::new(&dir);
    for n in 1..=MERGED_CHANGES {
        let tick = DraftChange::Tick {
            item: format!("{name}-{n}"),
            by: name.clone(),
        };
        let now = Timestamp::from_unix_secs(n as i64);
        store.apply(REPO, PR, HEAD, &[tick], now).expect("save");
    }
}

#[test]
fn two_writer_processes_at_once_keep_each_others_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let exe = std::env::current_exe().expect("the test binary's path");
    let writers: Vec<_> = ["ana", "bo"]
        .into_iter()
        .map(|name| {
            Command::new(&exe)
                .args(["--exact", "merging_writer_child", "--test-threads", "1"])
                .env(MERGING_WRITER_VAR, dir.path())
                .env(WRITER_NAME_VAR, name)
                .spawn()
                .expect("a writer starts")
        })
        .collect();
    for mut writer in writers {
        assert!(writer.wait().expect("the writer ends").success());
    }
    let LoadOutcome::Loaded(draft) = DraftStore::new(dir.path())
        .load(REPO, PR, HEAD)
        .expect("load")
    else {
        panic!("no draft");
    };
    for name in ["ana", "bo"] {
        let ticked = (1..=MERGED_CHANGES)
            .filter(|n| {
                matches!(draft.state.get(&format!("{name}-{n}")), ItemState::Ticked { by } if by == name)
            })
            .count();
        assert_eq!(ticked, MERGED_CHANGES, "{name}'s ticks");
    }
}

fn load_saves(store: &DraftStore) -> u64 {
    match store.load(REPO, PR, HEAD).expect("load after a kill") {
        LoadOutcome::Loaded(draft) => saves_in(&draft),
        other => panic!("after a kill the draft must load, got {other:?}"),
    }
}

#[test]
fn killed_writers_never_leave_a_partial_draft() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = DraftStore::new(dir.path());
    let mut rng = Rng::from_clock();
    let mut previous = 0;
    for round in 0..6 {
        let acked = run_and_kill(
            "writer_child",
            WRITER_VAR,
            dir.path(),
            rng.below(3, 40),
            &mut rng,
        );
        let saved = load_saves(&store);
        assert!(
            (acked..=acked + 1).contains(&saved),
            "round {round}: {acked} saves acknowledged, {saved} on disk"
        );
        assert!(
            saved > previous,
            "round {round}: the writer made no progress"
        );
        previous = saved;
    }
    assert_no_corrupt_files(&store.path(REPO, PR, HEAD));
}

fn assert_no_corrupt_files(draft: &Path) {
    let dir = draft.parent().expect("a directory");
    for entry in fs::read_dir(dir).expect("list") {
        let name = entry.expect("entry").file_name();
        assert!(
            !name.to_string_lossy().contains(".corrupt-"),
            "a draft was set aside: {name:?}"
        );
    }
}

#[test]
fn a_corrupt_draft_is_set_aside_and_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = DraftStore::new(dir.path());
    let path = store.path(REPO, PR, HEAD);
    fs::create_dir_all(path.parent().expect("a directory")).expect("create");
    fs::write(&path, serde_json::to_vec(&nth_draft(3)).expect("JSON")).expect("write");
    let damaged = b"{\"repo\":\"acme/shop\",\"pr\":42,\"head_sha\":\"01";
    fs::write(&path, damaged).expect("damage the draft");

    let LoadOutcome::SetAside(aside) = store.load(REPO, PR, HEAD).expect("load") else {
        panic!("a damaged draft must be set aside");
    };
    assert!(aside.error.contains("EOF"), "{}", aside.error);
    let name = aside.path.file_name().expect("a name").to_string_lossy();
    assert!(name.starts_with(&format!("{HEAD}.json.corrupt-")), "{name}");
    assert_eq!(fs::read(&aside.path).expect("kept"), damaged);
    assert!(!path.exists());
    assert_eq!(store.load(REPO, PR, HEAD).expect("load"), LoadOutcome::None);

    let again = [
        DraftChange::Tick {
            item: "item-1".into(),
            by: "ana".into(),
        },
        DraftChange::AddNote(nth_draft(1).notes.pop().expect("a note")),
    ];
    store
        .apply(REPO, PR, HEAD, &again, Timestamp::from_unix_secs(1))
        .expect("the reviewer starts again");
    assert_eq!(load_saves(&store), 1);
}
