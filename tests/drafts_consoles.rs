//! Nothing a reviewer typed is lost, proven on real `schemagate demo` processes in
//! pseudo-terminals sharing one data directory: two consoles ticking different items of one PR
//! both keep their ticks (and each shows the other's: after its own next change, and by
//! itself within a tick of the event loop); a console
//! killed with SIGKILL while a waiver reason is typed shows that text in the prompt when the
//! PR is opened again; temp files of killed saves (drafts, outbox, download cache) are removed
//! on start, but not one a live writer holds, nor a fresh one.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

#[path = "support/pty_console.rs"]
mod pty_console;

use pty_console::{Console, TICKED_BOX, key, open_first_pr};
use schemagate::github::cache::CACHE_DIR_ENV;
use schemagate::review::durable::STRAY_AGE;
use schemagate::review::{Draft, ItemState};

/// The first console's reviewer.
const ANA: &str = "ana";
/// The second console's reviewer.
const BO: &str = "bo";
/// The footer's waiver prompt (`strings::WAIVE_PROMPT`).
const WAIVE_PROMPT: &str = "waive with reason";

/// `schemagate demo` on `data_dir`, reviewing as `reviewer`.
fn console_of(reviewer: &str, data_dir: &Path) -> Console {
    Console::start_with_env(&["demo"], data_dir, &[("USER", reviewer)])
}

/// Focuses the checklist pane of the open review.
fn focus_checklist(console: &mut Console) {
    for _ in 0..3 {
        console.press(key::TAB);
    }
}

/// Waits until the screen shows `count` ticked boxes.
fn wait_ticked(console: &Console, step: &str, count: usize) {
    console.wait_for(step, |screen| screen.matches(TICKED_BOX).count() == count);
}

/// The one draft saved under `data_dir`.
fn only_draft(data_dir: &Path) -> Draft {
    let drafts: Vec<PathBuf> = files_under(&data_dir.join("drafts"))
        .into_iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    assert_eq!(drafts.len(), 1, "drafts: {drafts:?}");
    let bytes = fs::read(&drafts[0]).expect("read the draft");
    serde_json::from_slice(&bytes).expect("a draft")
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                files_under(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

/// Who ticked each ticked item of `draft`, in item order.
fn tickers(draft: &Draft) -> Vec<&str> {
    draft
        .state
        .items
        .values()
        .map(|state| match state {
            ItemState::Ticked { by } => by.as_str(),
            other => panic!("only ticks were made: {other:?}"),
        })
        .collect()
}

/// Goes back to the queue and quits.
fn quit(console: &mut Console) {
    console.press(key::ESC);
    console.wait_for_text("Open PRs");
    console.press(key::QUIT);
    let status = console.wait_exit();
    assert!(status.success(), "exit status {status:?}");
}

#[test]
fn two_consoles_ticking_different_items_of_one_pr_keep_both_ticks() {
    let data_dir = tempfile::tempdir().expect("temporary data directory");
    let mut ana = console_of(ANA, data_dir.path());
    let mut bo = console_of(BO, data_dir.path());
    let pr = open_first_pr(&mut ana);
    assert_eq!(open_first_pr(&mut bo), pr, "both review the same PR");
    focus_checklist(&mut ana);
    focus_checklist(&mut bo);

    ana.press(key::SPACE);
    wait_ticked(&ana, "ana ticks the first item", 1);
    // bo opened the PR before ana's tick; his tick merges with hers and shows both.
    bo.press(key::DOWN);
    bo.press(key::SPACE);
    wait_ticked(&bo, "bo ticks the second item and sees ana's", 2);
    // ana's next change keeps bo's tick and shows it.
    ana.press(key::DOWN);
    ana.press(key::DOWN);
    ana.press(key::SPACE);
    wait_ticked(&ana, "ana ticks the third item and sees bo's", 3);
    // bo's console takes in ana's tick by itself, without a change of his.
    wait_ticked(&bo, "bo sees ana's third tick", 3);
    quit(&mut ana);
    quit(&mut bo);

    let draft = only_draft(data_dir.path());
    assert_eq!(draft.pr, pr);
    let mut by = tickers(&draft);
    by.sort_unstable();
    assert_eq!(by, [ANA, ANA, BO], "checklist: {:?}", draft.state);
}

#[test]
fn a_console_killed_while_typing_a_waiver_reason_shows_it_in_the_prompt_again() {
    let data_dir = tempfile::tempdir().expect("temporary data directory");
    let mut console = console_of(ANA, data_dir.path());
    open_first_pr(&mut console);
    focus_checklist(&mut console);
    console.press(key::DOWN);
    console.press(b"w");
    console.wait_for_text(WAIVE_PROMPT);
    console.press(b"no rows in prod yet");
    // Drawn after the keystrokes were handled, hence saved.
    console.wait_for_text("no rows in prod yet");
    console.kill_hard();

    let mut reopened = console_of(ANA, data_dir.path());
    open_first_pr(&mut reopened);
    let screen = reopened.wait_for_text("no rows in prod yet");
    let footer = screen.lines().rev().find(|line| !line.trim().is_empty());
    assert!(
        footer.is_some_and(|line| line.contains(WAIVE_PROMPT)),
        "the text is back in the waiver prompt:\n{screen}"
    );
    // Typing goes on where it stopped; Enter waives the item the reason was typed for.
    reopened.press(b" (checked)");
    reopened.press(key::ENTER);
    reopened.wait_for_text("waived: no rows in prod yet (checked)");
    quit(&mut reopened);
    let draft = only_draft(data_dir.path());
    assert!(draft.pending.is_empty(), "pending: {:?}", draft.pending);
    let waived: Vec<&ItemState> = draft.state.items.values().collect();
    assert!(
        matches!(waived[..], [ItemState::Waived { reason, .. }] if reason == "no rows in prod yet (checked)"),
        "checklist: {:?}",
        draft.state
    );
}

/// A `.writing-*.tmp` file in `dir` last written `age` ago.
fn temp_file(dir: &Path, name: &str, age: Duration) -> PathBuf {
    fs::create_dir_all(dir).expect("create the directory");
    let path = dir.join(name);
    let file = File::create(&path).expect("create the temp file");
    file.set_modified(SystemTime::now() - age)
        .expect("date the temp file");
    path
}

#[test]
fn temp_files_of_killed_saves_are_removed_on_start_but_not_a_live_writers() {
    let data_dir = tempfile::tempdir().expect("temporary data directory");
    let old = STRAY_AGE + Duration::from_secs(300);
    let drafts = data_dir.path().join("drafts/acme__shop/104");
    let outbox = data_dir.path().join("outbox");
    let killed_draft = temp_file(&drafts, ".writing-Ab12Cd.tmp", old);
    let killed_outbox = temp_file(&outbox, ".writing-Ef34Gh.tmp", old);
    let cache_dir = tempfile::tempdir().expect("temporary cache directory");
    let killed_cache = temp_file(&cache_dir.path().join("trees"), ".writing-Qr90St.tmp", old);
    let fresh = temp_file(&drafts, ".writing-Ij56Kl.tmp", Duration::ZERO);
    let live = temp_file(&outbox, ".writing-Mn78Op.tmp", old);
    // A writer that is still alive (this test) holds its temp file's lock, however old it is.
    let writer = File::open(&live).expect("open the live temp file");
    writer.lock().expect("lock it");

    let cache = cache_dir.path().to_str().expect("a UTF-8 path");
    let env = [("USER", ANA), (CACHE_DIR_ENV, cache)];
    let mut console = Console::start_with_env(&["demo"], data_dir.path(), &env);
    console.wait_for_text("Open PRs");
    for killed in [&killed_draft, &killed_outbox, &killed_cache] {
        assert!(!killed.exists(), "{killed:?} is left");
    }
    assert!(fresh.exists(), "a fresh temp file was removed");
    assert!(live.exists(), "a live writer's temp file was removed");
    console.press(key::QUIT);
    assert!(console.wait_exit().success());
    drop(writer);
}
