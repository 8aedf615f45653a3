//! Reloading the queue (`r`, the refresh interval) when a repository fails: its PRs of the
//! previous load stay, and the error line says they are the previous list; a repository that
//! loads fine with fewer PRs drops the ones gone (a closed PR must go).

#[path = "support/console.rs"]
mod console;

use std::sync::Arc;
use std::sync::Mutex;

use console::{demo_context, press, render};
use crossterm::event::KeyCode;
use schemagate::app::entry::PrEntry;
use schemagate::review::Checklists;
use schemagate::source::demo::demo_changes;
use schemagate::tui::app::App;
use schemagate::tui::loader::{LoadEvent, LoadSink, LoadSource};

const SHOP: &str = "acme/shop";
const API: &str = "acme/api";

/// What one repository does in the next load.
#[derive(Clone, Copy)]
enum Next {
    /// Sends PRs of these numbers (from the demo).
    Prs(&'static [u64]),
    /// Fails (a rate limit).
    Fails,
    /// Sends PRs of these numbers, then fails.
    PrsThenFails(&'static [u64]),
    /// Sends PRs of these numbers, then the loader thread panics.
    PrsThenPanics(&'static [u64]),
}

/// Two repositories made of the demo PRs; the test says what each does in the next load.
struct TwoRepos {
    plan: Mutex<[(&'static str, Next); 2]>,
}

impl TwoRepos {
    fn new(shop: Next, api: Next) -> TwoRepos {
        TwoRepos {
            plan: Mutex::new([(SHOP, shop), (API, api)]),
        }
    }

    fn plan(&self, shop: Next, api: Next) {
        *self.plan.lock().unwrap() = [(SHOP, shop), (API, api)];
    }
}

impl LoadSource for TwoRepos {
    fn load(&self, sink: &LoadSink) {
        let plan = *self.plan.lock().unwrap();
        let checklists = Checklists::load(None).unwrap();
        for (repo, next) in plan {
            let numbers = match next {
                Next::Prs(numbers) | Next::PrsThenFails(numbers) | Next::PrsThenPanics(numbers) => {
                    numbers
                }
                Next::Fails => &[],
            };
            for mut change in demo_changes().unwrap() {
                if numbers.contains(&change.meta.number) {
                    change.meta.repo = repo.to_owned();
                    let entry = PrEntry::analyse(change, &checklists);
                    sink.send(LoadEvent::Entry(Box::new(entry)));
                }
            }
            match next {
                Next::Prs(_) => {}
                Next::Fails | Next::PrsThenFails(_) => {
                    sink.send(LoadEvent::Failed {
                        repo: repo.to_owned(),
                        message: "GitHub's rate limit is exhausted".to_owned(),
                    });
                }
                Next::PrsThenPanics(_) => panic!("analysis bug"),
            }
        }
    }
}

/// The queue's PRs as (repo, number), sorted.
fn prs(app: &App) -> Vec<(String, u64)> {
    let mut prs: Vec<(String, u64)> = app
        .entries
        .iter()
        .map(|e| (e.meta.repo.clone(), e.meta.number))
        .collect();
    prs.sort();
    prs
}

fn pr(repo: &str, number: u64) -> (String, u64) {
    (repo.to_owned(), number)
}

/// A console that has loaded acme/shop #101, #102 and acme/api #104, #108, and the source
/// whose next answers a test plans.
fn loaded_two_repos(data: &std::path::Path) -> (Arc<TwoRepos>, App) {
    let source = Arc::new(TwoRepos::new(
        Next::Prs(&[101, 102]),
        Next::Prs(&[104, 108]),
    ));
    let mut app = App::loading(demo_context(data), source.clone());
    app.settle();
    (source, app)
}

#[test]
fn a_repo_that_fails_on_reload_keeps_its_previous_prs_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (source, mut app) = loaded_two_repos(dir.path());
    let first = vec![pr(API, 104), pr(API, 108), pr(SHOP, 101), pr(SHOP, 102)];
    assert_eq!(prs(&app), first);
    assert_eq!(app.load.errors().count(), 0);

    // Select a PR of the repository that is going to fail.
    let shop_102 = app
        .queue
        .visible(&app.entries)
        .iter()
        .position(|&i| app.entries[i].meta.repo == SHOP && app.entries[i].meta.number == 102)
        .unwrap();
    app.queue.select(shop_102);

    source.plan(Next::Fails, Next::Prs(&[104, 108]));
    press(&mut app, &[KeyCode::Char('r')]);
    app.settle();
    assert_eq!(
        prs(&app),
        first,
        "acme/shop's PRs stay after its reload failed"
    );
    let errors: Vec<String> = app.load.errors().collect();
    assert_eq!(
        errors,
        [
            "acme/shop: GitHub's rate limit is exhausted",
            "showing the previous list of acme/shop",
        ]
    );
    let selected = app.queue.selected_entry(&app.entries).unwrap();
    assert_eq!(
        (
            &*app.entries[selected].meta.repo,
            app.entries[selected].meta.number
        ),
        (SHOP, 102),
        "the selection stays on its PR"
    );
    let screen = render(&app, 120, 30);
    assert!(
        screen.contains("showing the previous list of acme/shop"),
        "{screen}"
    );

    // Both fail: both keep what they had.
    source.plan(Next::Fails, Next::Fails);
    press(&mut app, &[KeyCode::Char('r')]);
    app.settle();
    assert_eq!(prs(&app), first, "nothing is lost when everything fails");
    assert_eq!(app.load.errors().count(), 4, "{:?}", app.load);

    // Back to normal: acme/api loads fine with one PR closed, which goes; the note goes too.
    source.plan(Next::Prs(&[101, 102]), Next::Prs(&[104]));
    press(&mut app, &[KeyCode::Char('r')]);
    app.settle();
    assert_eq!(
        prs(&app),
        [pr(API, 104), pr(SHOP, 101), pr(SHOP, 102)],
        "a closed PR of a repository that loaded fine goes"
    );
    assert_eq!(app.load.errors().count(), 0);
}

#[test]
fn a_repo_that_fails_after_bringing_prs_shows_only_what_it_brought() {
    let dir = tempfile::tempdir().unwrap();
    let source = Arc::new(TwoRepos::new(Next::Prs(&[101, 102]), Next::Fails));
    let mut app = App::loading(demo_context(dir.path()), source.clone());
    app.settle();
    assert_eq!(prs(&app), [pr(SHOP, 101), pr(SHOP, 102)]);
    assert_eq!(
        app.load.errors().collect::<Vec<_>>(),
        ["acme/api: GitHub's rate limit is exhausted"],
        "a first load has no previous list"
    );

    // acme/shop brings #101 and then fails (a page that did not load): the queue shows what
    // this load brought, not the previous #102.
    source.plan(Next::PrsThenFails(&[101]), Next::Fails);
    press(&mut app, &[KeyCode::Char('r')]);
    app.settle();
    assert_eq!(prs(&app), [pr(SHOP, 101)]);
    assert!(
        app.load.errors().all(|e| !e.contains("previous list")),
        "{:?}",
        app.load
    );
}

#[test]
fn a_load_that_dies_keeps_every_repo_it_did_not_reach() {
    let dir = tempfile::tempdir().unwrap();
    let (source, mut app) = loaded_two_repos(dir.path());

    // acme/shop loads #101 only, then the loader thread dies before acme/api.
    source.plan(Next::PrsThenPanics(&[101]), Next::Prs(&[104]));
    press(&mut app, &[KeyCode::Char('r')]);
    app.settle();
    assert_eq!(
        prs(&app),
        [pr(API, 104), pr(API, 108), pr(SHOP, 101)],
        "acme/api was never reached: its previous list stays"
    );
    let errors: Vec<String> = app.load.errors().collect();
    assert!(
        errors.contains(&"showing the previous list of acme/api".to_owned()),
        "{errors:?}"
    );
}

#[test]
fn a_reload_lands_while_a_review_is_open_and_the_review_stays_on_its_pr() {
    let dir = tempfile::tempdir().unwrap();
    let (source, mut app) = loaded_two_repos(dir.path());
    source.plan(Next::Prs(&[101]), Next::Prs(&[104, 108]));
    // The reload starts on the queue; the review opens before it is done.
    press(&mut app, &[KeyCode::Char('r'), KeyCode::Enter]);
    let opened = app.open_entry().unwrap().meta.clone();
    app.settle();
    assert_eq!(
        prs(&app),
        [pr(API, 104), pr(API, 108), pr(SHOP, 101)],
        "the reload landed: the closed PR went"
    );
    let open = app.open_entry().expect("the review is still open");
    assert_eq!(
        (&open.meta.repo, open.meta.number),
        (&opened.repo, opened.number)
    );
    press(&mut app, &[KeyCode::Char(' ')]);
    assert!(
        app.review
            .as_ref()
            .unwrap()
            .draft
            .state
            .get(&open_first_item(&app))
            .is_resolved(),
        "the review works on"
    );
}

/// The first checklist item of the PR under review.
fn open_first_item(app: &App) -> String {
    app.open_entry().unwrap().report.checklist[0].id.clone()
}
