//! When a PR's head moves, the console carries the reviewer's checklist over from the earlier
//! head: ticks and waivers are kept, items whose evidence changed are marked "look again", and
//! Space on such a ticked item confirms it (the mark goes, the tick stays).

#[path = "support/console.rs"]
mod console;
#[path = "support/drafts.rs"]
mod drafts;

use console::{demo_app, press, render};
use crossterm::event::KeyCode;
use drafts::plant_draft;
use schemagate::review::{Draft, DraftStore, ItemState, LoadOutcome, Timestamp};

#[test]
fn a_draft_of_an_earlier_head_is_carried_over_and_changed_evidence_is_marked() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    // The riskiest PR opens first; find which it is and which of its items carry evidence.
    press(&mut app, &[KeyCode::Enter]);
    let entry = app.open_entry().unwrap();
    let (repo, pr, head) = (
        entry.meta.repo.clone(),
        entry.meta.number,
        entry.meta.head_sha.clone(),
    );
    let evidence = entry.report.evidence_texts();
    let mut with_evidence = evidence.keys();
    let changed = with_evidence.next().expect("an item with evidence").clone();
    let unchanged = with_evidence.next().expect("a second one").clone();
    let first_item = entry.report.checklist[0].id.clone();
    press(&mut app, &[KeyCode::Esc]);

    // The reviewer's work at an earlier head: two ticks, one of them on evidence that changed.
    let mut earlier = Draft::new(&repo, pr, "0123456789ab", Timestamp::from_unix_secs(1));
    earlier.state.tick(&changed, "ana");
    earlier.state.tick(&unchanged, "ana");
    earlier.evidence = evidence.clone();
    earlier
        .evidence
        .insert(changed.clone(), "ok: what the earlier head showed".into());
    plant_draft(dir.path(), &earlier);
    let store = DraftStore::new(dir.path());

    press(&mut app, &[KeyCode::Enter]);
    let review = app.review.as_ref().unwrap();
    assert_eq!(
        review.draft.second_look.iter().collect::<Vec<_>>(),
        [&changed],
        "only the item whose evidence changed"
    );
    assert!(matches!(
        review.draft.state.get(&changed),
        ItemState::Ticked { .. }
    ));
    assert!(matches!(
        review.draft.state.get(&unchanged),
        ItemState::Ticked { .. }
    ));
    let message = review.message.clone().unwrap_or_default();
    assert!(
        message.contains("carried over from 0123456789ab"),
        "{message}"
    );
    let screen = render(&app, 160, 48);
    assert!(screen.contains("look again"), "{screen}");
    let LoadOutcome::Loaded(saved) = store.load(&repo, pr, &head).unwrap() else {
        panic!("the carried draft is saved at the new head");
    };
    assert_eq!(saved.second_look, review.draft.second_look);

    // Space on the marked item confirms it: the tick stays, the mark goes.
    let index = app
        .open_entry()
        .unwrap()
        .report
        .checklist
        .iter()
        .position(|item| item.id == changed)
        .unwrap();
    let first = app
        .open_entry()
        .unwrap()
        .report
        .checklist
        .iter()
        .position(|item| item.id == first_item)
        .unwrap();
    // Move the cursor to the checklist item (Tab to the checklist pane, then down).
    press(&mut app, &[KeyCode::Tab, KeyCode::Tab, KeyCode::Tab]);
    for _ in first..index {
        press(&mut app, &[KeyCode::Char('j')]);
    }
    press(&mut app, &[KeyCode::Char(' ')]);
    let review = app.review.as_ref().unwrap();
    assert!(review.draft.second_look.is_empty());
    assert!(matches!(
        review.draft.state.get(&changed),
        ItemState::Ticked { .. }
    ));
    // A second Space unticks as usual.
    press(&mut app, &[KeyCode::Char(' ')]);
    let review = app.review.as_ref().unwrap();
    assert_eq!(review.draft.state.get(&changed), &ItemState::Open);
}
