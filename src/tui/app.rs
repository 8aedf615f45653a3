//! The console's top-level state: which screen is showing and which overlay is open. Each
//! screen keeps its own state and handles its own keys; this file routes input and takes in
//! what background jobs answer on the event channel. No drawing here.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

use super::channel::{Channel, Event, JobDone, Post};
use super::context::Context;
use super::event::Input;
use super::keys::{Action, Keymap, Screen};
use super::loader::{self, LoadEvent, LoadSource, LoadStatus, Loader};
use super::views;
use super::views::audit::{self, AuditOutcome, AuditSources, AuditState};
use super::views::queue::{self, QueueState};
use super::views::review::ReviewState;
use super::views::verdict::{Stage, VerdictOutcome, VerdictState};
use super::worker::guarded;
use crate::app::entry::PrEntry;
use crate::review::audit::PrKey;
use crate::tui::context::LocalCheckout;

/// How often the spinner turns while the queue loads.
const SPINNER_TICK: Duration = Duration::from_millis(250);
/// How often the open review looks for what another console saved in its draft.
const DRAFT_WATCH: Duration = Duration::from_secs(1);
/// Events taken in before the screen is drawn again (a load sends many at once).
const BATCH: usize = 256;

/// The dialog drawn above the current screen.
pub enum Overlay {
    /// None.
    None,
    /// The verdict dialog of the open PR.
    Verdict(VerdictState),
}

/// The console.
pub struct App {
    /// Outside needs.
    pub context: Context,
    /// The PRs, analysed.
    pub entries: Vec<PrEntry>,
    /// The queue screen (always there, under the review).
    pub queue: QueueState,
    /// The review of one PR, when one is open.
    pub review: Option<ReviewState>,
    /// The audit screen (the decision log), when it is open.
    pub audit: Option<AuditState>,
    /// The dialog, if any.
    pub overlay: Overlay,
    /// Whether the help (the keys of the current screen or dialog) is shown on top.
    pub help: bool,
    /// Set when the reviewer quits.
    pub quit: bool,
    /// The keys of every action.
    pub keymap: Keymap,
    /// The background load of the queue, when it comes from a [`LoadSource`].
    loader: Option<Loader>,
    /// The event channel: input, ticks and the answers of background jobs.
    channel: Channel,
    /// How many times the audit screen was opened (answers for an earlier opening are
    /// dropped).
    audit_opened: u64,

    /// How that load goes (per repository progress and errors).
    pub load: LoadStatus,
    /// The local checkout the queue comes from, if it does.
    pub local_checkout: Option<LocalCheckout>,
    /// Reload the queue this long after the last load ended (config `refresh_interval_secs`),
    /// or longer when GitHub's budget needs it ([`LoadStatus::refresh_interval`]).
    pub refresh_every: Option<Duration>,
    /// When the last load ended.
    loaded_at: Option<Instant>,
    /// The PRs of a reload under way (they replace the queue once it is done, except those of
    /// repositories that failed: see [`LoadStatus::keep_failed`]).
    reloaded: Option<Vec<PrEntry>>,
    /// The queue's views (tabs), by title: empty when the source has only one.
    views: Vec<String>,
    /// The view shown (an index into `views`).
    view: usize,
}

impl App {
    /// The console on `entries`, showing the queue.
    pub fn new(context: Context, entries: Vec<PrEntry>) -> App {
        let mut queue = QueueState::new(&entries);
        queue.load_decisions(&entries, &context.data_dir, &context.reviewer);
        let channel = Channel::new(context.worker.clone());
        App {
            context,
            entries,
            queue,
            review: None,
            audit: None,
            overlay: Overlay::None,
            help: false,
            quit: false,
            keymap: Keymap::default(),
            loader: None,
            channel,
            audit_opened: 0,
            load: LoadStatus::default(),
            local_checkout: None,
            refresh_every: None,
            loaded_at: None,
            reloaded: None,
            views: Vec::new(),
            view: 0,
        }
    }

    /// The console with an empty queue that `source` fills in the background (its answers
    /// arrive on the event channel: see [`App::handle`]).
    pub fn loading(context: Context, source: Arc<dyn LoadSource>) -> App {
        let mut app = App::new(context, Vec::new());
        let loader = Loader::new(source);
        app.views = loader.views();
        app.loader = Some(loader);
        app.start_load();
        app.load = LoadStatus::started();
        app
    }

    /// Where the input thread posts to the event channel.
    pub fn post(&self) -> Post {
        self.channel.post()
    }

    /// The next event: blocks until one arrives, or until the next tick is due when something
    /// moves or is watched (see [`App::tick_every`]).
    pub fn wait(&self) -> Event {
        self.channel.wait(self.tick_every())
    }

    /// How long until the next tick: while the queue loads (the spinner), while a review is
    /// open (another console may save in its draft), and until the refresh interval is over;
    /// `None` when nothing moves on its own (the console sleeps until something happens).
    pub fn tick_every(&self) -> Option<Duration> {
        let spinner = self.load.running.then_some(SPINNER_TICK);
        let draft = self.review.is_some().then_some(DRAFT_WATCH);
        let refresh = match (self.refresh_every, self.loaded_at, self.load.running) {
            (Some(every), Some(at), false) => {
                let every = self.load.refresh_interval(every, self.context.clock.now());
                Some(every.saturating_sub(at.elapsed()))
            }
            _ => None,
        };
        [spinner, draft, refresh].into_iter().flatten().min()
    }

    /// Reacts to `event` and to the events already waiting behind it (up to a batch); `area`
    /// is the terminal's (for clicks). Whether the screen must be drawn again.
    pub fn handle(&mut self, event: Event, area: Rect) -> bool {
        let mut redraw = self.take_in(event, area);
        for _ in 0..BATCH {
            let Some(next) = self.channel.try_next() else {
                break;
            };
            redraw |= self.take_in(next, area);
        }
        self.catch_up();
        redraw
    }

    /// Runs the background jobs an inline worker holds and takes in every answer, until none
    /// is left (tests: background work without sleeps).
    pub fn settle(&mut self) {
        loop {
            let ran = self.channel.run_queued();
            let mut answered = false;
            while let Some(event) = self.channel.try_next() {
                self.take_in(event, Rect::default());
                answered = true;
            }
            self.catch_up();
            if !ran && !answered {
                return;
            }
        }
    }

    /// Takes in one event; whether the screen changed.
    fn take_in(&mut self, event: Event, area: Rect) -> bool {
        match event {
            Event::Input(input) => {
                self.catch_up();
                match input {
                    Input::Key(key) => self.handle_key(key),
                    Input::Scroll { down } => self.handle_scroll(down),
                    Input::Click { column, row } => self.handle_click(column, row, area),
                    Input::Resize => {}
                }
                true
            }
            Event::InputFailed(_) => false,
            Event::Tick => self.tick(),
            Event::Done(done) => {
                self.finished(done);
                true
            }
        }
    }

    /// Takes in a background job's answer.
    fn finished(&mut self, done: JobDone) {
        match done {
            JobDone::Load { run, event } => {
                if self.loader.as_ref().is_some_and(|l| l.is_current(run)) {
                    self.loaded(event);
                }
            }
            JobDone::Heads { audit, heads } => {
                if let Some(state) = self.audit.as_mut().filter(|_| audit == self.audit_opened) {
                    state.take_heads(heads);
                }
            }
            JobDone::History { audit, read } => {
                if let Some(state) = self.audit.as_mut().filter(|_| audit == self.audit_opened) {
                    state.take_history(read);
                }
            }
            JobDone::Diff { key, result } => {
                self.context.submitter.diff_fetched(key, result);
                if let (Overlay::Verdict(state), Some(review)) = (&mut self.overlay, &self.review)
                    && state.stage == Stage::Preparing
                    && let Some(entry) = find(&self.entries, &review.pr)
                {
                    state.stage = state.prepare(review, &self.context, entry, &self.channel);
                }
            }
            JobDone::Sent(sent) => {
                if let Overlay::Verdict(state) = &mut self.overlay {
                    state.finish(&sent);
                }
                let context = &self.context;
                self.queue
                    .load_decisions(&self.entries, &context.data_dir, &context.reviewer);
            }
        }
    }

    /// Takes in what the loader reported: new PRs join the queue in its current order (the
    /// selection stays on its PR), progress and errors go to [`App::load`]. A reload collects
    /// its PRs aside (see [`App::catch_up`]).
    fn loaded(&mut self, event: LoadEvent) {
        match (event, &mut self.reloaded) {
            (LoadEvent::Entry(entry), Some(reloaded)) => reloaded.push(*entry),
            (LoadEvent::Entry(entry), None) => {
                self.entries.push(*entry);
                self.entries_changed();
            }
            (LoadEvent::Done, _) => {
                self.load.apply(&LoadEvent::Done);
                self.loaded_at = Some(Instant::now());
            }
            (other, _) => self.load.apply(&other),
        }
    }

    /// Brings the queue up to date after events: a reload that is done replaces the queue (a
    /// repository that failed in the reload and brought no PRs keeps its previous ones, marked
    /// in [`App::load`]; the PR under review stays as it was opened when the reload brought
    /// another head of it, or none).
    fn catch_up(&mut self) {
        if !self.load.running && self.reloaded.is_some() {
            let selected = self
                .queue
                .selected_entry(&self.entries)
                .and_then(|i| self.entries.get(i))
                .map(|e| (e.meta.repo.clone(), e.meta.number));
            let mut reloaded = self.reloaded.take().unwrap_or_default();
            let mut previous = std::mem::take(&mut self.entries);
            if let Some(review) = &self.review {
                keep_reviewed(&review.pr, &mut previous, &mut reloaded);
            }
            self.entries = self.load.keep_failed(previous, reloaded);
            self.entries_changed();
            if let Some((repo, number)) = selected {
                self.queue.select_pr(&self.entries, &repo, number);
            }
        }
    }

    /// Starts a run of the loader; its answers come on the event channel.
    fn start_load(&mut self) {
        let Some(loader) = &mut self.loader else {
            return;
        };
        let post = self.channel.post();
        let job = loader.restart(move |run, event| post.done(JobDone::Load { run, event }));
        self.channel.spawn(loader::THREAD_NAME, move |_| job());
    }

    /// The queue's views (tabs) by title, empty when there is only one; and the one shown.
    pub fn views(&self) -> (&[String], usize) {
        (&self.views, self.view)
    }

    /// Shows view `index` of [`App::views`]: the queue empties and loads that view (nothing
    /// happens for the view already shown or one that does not exist).
    pub fn select_view(&mut self, index: usize) {
        let Some(loader) = &mut self.loader else {
            return;
        };
        if index == self.view || index >= self.views.len() {
            return;
        }
        self.view = index;
        loader.select_view(index);
        self.start_load();
        self.reloaded = None;
        self.load = LoadStatus::started_after(&self.load);
        self.entries.clear();
        self.entries_changed();
        self.queue.select(0);
    }

    /// Shows the next view (`forward`) or the previous one, wrapping around.
    fn step_view(&mut self, forward: bool) {
        let count = self.views.len();
        if count > 1 {
            let index = if forward {
                (self.view + 1) % count
            } else {
                (self.view + count - 1) % count
            };
            self.select_view(index);
        }
    }

    /// Time passed ([`Event::Tick`]): the spinner turns while the queue loads, the open review
    /// takes in what another console saved in its draft, a reload starts when
    /// [`App::refresh_every`] has passed since the last load ended. Whether the screen changed.
    pub fn tick(&mut self) -> bool {
        let mut changed = false;
        if let Some(review) = &mut self.review {
            changed |= review.reread(&self.context);
        }
        if self.loader.is_none() {
            return changed;
        }
        if self.load.running {
            self.load.tick();
            changed = true;
        }
        self.catch_up();
        let on_queue = self.review.is_none() && matches!(self.overlay, Overlay::None);
        let due = match (self.refresh_every, self.loaded_at) {
            (Some(every), Some(at)) => {
                at.elapsed() >= self.load.refresh_interval(every, self.context.clock.now())
            }
            _ => false,
        };
        if due && on_queue && !self.load.running {
            self.refresh();
            changed = true;
        }
        changed
    }

    /// The queue takes in a changed list of entries.
    fn entries_changed(&mut self) {
        let context = &self.context;
        self.queue.entries_changed(&self.entries, &context.reviewer);
    }

    /// Loads the queue again; the PRs shown stay until the new load is done. Ticks, waivers and
    /// notes are in the drafts on disk and come back on opening.
    fn refresh(&mut self) {
        if self.loader.is_none() {
            return;
        }
        self.start_load();
        self.reloaded = Some(Vec::new());
        self.load = LoadStatus::started_after(&self.load);
        // Verdicts recorded elsewhere meanwhile (`schemagate submit`) show after a reload.
        let context = &self.context;
        self.queue
            .load_decisions(&self.entries, &context.data_dir, &context.reviewer);
    }

    /// The bindings in force (the help overlay lists them).
    pub fn screen(&self) -> Screen {
        match (&self.overlay, &self.review, &self.audit) {
            (Overlay::Verdict(_), _, _) => Screen::Verdict,
            (_, Some(_), _) => Screen::Review,
            (_, None, Some(_)) => Screen::Audit,
            (_, None, None) => Screen::Queue,
        }
    }

    /// The open verdict dialog, if any.
    pub fn verdict(&self) -> Option<&VerdictState> {
        match &self.overlay {
            Overlay::Verdict(state) => Some(state),
            _ => None,
        }
    }

    /// Reacts to one key press.
    pub fn handle_key(&mut self, key: KeyEvent) {
        if self.typing(key) {
            return;
        }
        let Some(action) = self.keymap.action(key, self.screen()) else {
            return;
        };
        if self.help {
            self.help = !matches!(action, Action::Help | Action::Back | Action::Quit);
            return;
        }
        if action == Action::Help {
            self.help = true;
            return;
        }
        if let Overlay::Verdict(_) = self.overlay {
            self.verdict_action(action);
        } else if self.review.is_some() {
            self.review_action(action);
        } else if self.audit.is_some() {
            self.audit_action(action);
        } else {
            self.queue_action(action);
        }
    }

    /// The mouse wheel: scrolls the focused pane, or moves in the queue (not under an overlay,
    /// nor while a waiver reason or note is typed: it would move the item it is for).
    pub fn handle_scroll(&mut self, down: bool) {
        let typing = self.review.as_ref().is_some_and(|r| r.input.is_some());
        if self.help || typing || !matches!(self.overlay, Overlay::None) {
            return;
        }
        let action = if down { Action::Down } else { Action::Up };
        match (&mut self.review, &mut self.audit) {
            (Some(review), _) => {
                if let Some(entry) = find(&self.entries, &review.pr) {
                    review.act(action, &self.context, entry);
                }
            }
            (None, Some(audit)) => {
                audit.act(action, &self.context.checklists);
            }
            (None, None) => self.queue.act(action, &self.entries),
        }
    }

    /// A left click at (`x`, `y`) on the console drawn in `area` (the whole terminal): closes
    /// the help; on the queue selects the PR clicked (opens it when it was selected already);
    /// on a queue section's tab shows that section;
    /// on the review focuses the pane, switches the tab, selects the item, finding or SQL line;
    /// on the audit screen selects the decision (opens it when it was selected already).
    /// Nothing happens on a terminal too small to draw the screens.
    pub fn handle_click(&mut self, x: u16, y: u16, area: Rect) {
        if area.width < views::MIN_WIDTH || area.height < views::MIN_HEIGHT {
            return;
        }
        if self.help {
            self.help = false;
            return;
        }
        if !matches!(self.overlay, Overlay::None) {
            return;
        }
        let body = views::body_area(area);
        if let Some(review) = &mut self.review {
            if review.input.is_some() {
                return;
            }
            if let Some(entry) = find(&self.entries, &review.pr) {
                review.click(body, x, y, entry);
            }
        } else if let Some(audit) = &mut self.audit {
            if let Some(position) = views::audit::row_at(audit, body, y) {
                if position == audit.selected_position() {
                    audit.act(Action::Enter, &self.context.checklists);
                } else {
                    audit.select(position);
                }
            }
        } else if let Some(index) = queue::tab_at(&self.queue_view(), body, x, y) {
            self.select_view(index);
        } else if let Some(position) = queue::row_at(&self.queue_view(), body, y) {
            if position == self.queue.selected_position() {
                self.open_selected();
            } else {
                self.queue.select(position);
            }
        }
    }

    /// Gives the key to a text field being typed in; whether it was taken. Ctrl-C is never
    /// taken: it quits, as everywhere.
    fn typing(&mut self, key: KeyEvent) -> bool {
        let ctrl_c =
            key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl_c || self.help || !matches!(self.overlay, Overlay::None) {
            return false;
        }
        match (&mut self.review, &self.audit) {
            (Some(review), _) => review.type_key(key, &self.context),
            (None, Some(_)) => false,
            (None, None) => self.queue.type_key(key, &self.entries),
        }
    }

    fn queue_action(&mut self, action: Action) {
        match action {
            Action::Quit => self.quit = true,
            Action::Enter => self.open_selected(),
            Action::Refresh => self.refresh(),
            Action::Audit => self.open_audit(),
            Action::NextPane => self.step_view(true),
            Action::PrevPane => self.step_view(false),
            other => self.queue.act(other, &self.entries),
        }
    }

    fn audit_action(&mut self, action: Action) {
        if action == Action::Quit {
            self.quit = true;
        } else if let Some(audit) = &mut self.audit
            && audit.act(action, &self.context.checklists) == AuditOutcome::Close
        {
            self.audit = None;
        }
    }

    /// Opens the audit screen on the decision log as it is now (the local checkout's PR heads
    /// and GitHub, when the context has them, are read in the background and compared with
    /// it).
    pub fn open_audit(&mut self) {
        let context = &self.context;
        let sources = AuditSources {
            checkout: self.local_checkout.is_some(),
            github: context.github_history.is_some(),
        };
        let state = AuditState::open(&context.data_dir, sources);
        self.audit_opened += 1;
        let opened = self.audit_opened;
        if let Some(checkout) = self.local_checkout.clone() {
            let records = state.records().to_vec();
            self.channel.spawn(audit::HEADS_THREAD, move |post| {
                let heads = guarded(|| audit::read_heads(&checkout, &records), audit::heads_lost);
                post.done(JobDone::Heads {
                    audit: opened,
                    heads,
                });
            });
        }
        if let Some(history) = &context.github_history {
            let history = Arc::clone(history);
            let since = audit::history_since(context.clock.now());
            self.channel.spawn(audit::GITHUB_THREAD, move |post| {
                let read = guarded(|| history.migration_prs(since), audit::history_lost);
                post.done(JobDone::History {
                    audit: opened,
                    read,
                });
            });
        }
        self.audit = Some(state);
    }

    fn review_action(&mut self, action: Action) {
        match action {
            Action::Quit => self.quit = true,
            Action::Back => self.review = None,
            Action::Verdict => {
                if let Some(entry) = self.open_entry() {
                    self.overlay = Overlay::Verdict(VerdictState::new(&entry.report));
                }
            }
            other => {
                if let Some(review) = &mut self.review
                    && let Some(entry) = find(&self.entries, &review.pr)
                {
                    review.act(other, &self.context, entry);
                }
            }
        }
    }

    fn verdict_action(&mut self, action: Action) {
        let (Overlay::Verdict(verdict), Some(review)) = (&mut self.overlay, &mut self.review)
        else {
            return;
        };
        let Some(entry) = find(&self.entries, &review.pr) else {
            return;
        };
        let was_recorded = matches!(verdict.stage, Stage::Recorded(_));
        let outcome = verdict.act(action, review, entry, &self.context, &self.channel);
        if !was_recorded && matches!(verdict.stage, Stage::Recorded(_)) {
            let context = &self.context;
            self.queue
                .load_decisions(&self.entries, &context.data_dir, &context.reviewer);
        }
        if outcome == VerdictOutcome::Close {
            self.overlay = Overlay::None;
        }
    }

    /// Opens the review of the PR selected in the queue, restoring its draft.
    fn open_selected(&mut self) {
        let selected = self.queue.selected_entry(&self.entries);
        if let Some(entry) = selected.and_then(|index| self.entries.get(index)) {
            self.review = Some(ReviewState::open(entry, &self.context));
        }
    }

    /// What the queue screen draws from.
    pub fn queue_view(&self) -> queue::QueueView<'_> {
        queue::QueueView {
            state: &self.queue,
            entries: &self.entries,
            load: &self.load,
            refresh_every: self.refresh_every,
            now: self.context.clock.now(),
            keymap: &self.keymap,
            views: &self.views,
            view: self.view,
        }
    }

    /// The PR under review.
    pub fn open_entry(&self) -> Option<&PrEntry> {
        self.review
            .as_ref()
            .and_then(|review| find(&self.entries, &review.pr))
    }
}

/// The entry of PR `key`.
fn find<'a>(entries: &'a [PrEntry], key: &PrKey) -> Option<&'a PrEntry> {
    entries
        .iter()
        .find(|e| e.meta.repo == key.0 && e.meta.number == key.1)
}

/// Keeps PR `key` (under review) as it was opened: unless `reloaded` brought it at the same
/// head, its entry moves from `previous` into `reloaded` in place of the one reloaded.
fn keep_reviewed(key: &PrKey, previous: &mut Vec<PrEntry>, reloaded: &mut Vec<PrEntry>) {
    let is_key = |e: &PrEntry| e.meta.repo == key.0 && e.meta.number == key.1;
    let Some(old) = previous.iter().position(is_key) else {
        return;
    };
    let new = reloaded.iter().position(is_key);
    let same_head = new.and_then(|i| reloaded.get(i)).is_some_and(|e| {
        previous
            .get(old)
            .is_some_and(|o| o.meta.head_sha == e.meta.head_sha)
    });
    if same_head {
        return;
    }
    let opened = previous.remove(old);
    match new.and_then(|i| reloaded.get_mut(i)) {
        Some(slot) => *slot = opened,
        None => reloaded.push(opened),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::entry::demo_entries;
    use crate::review::Checklists;

    /// The demo's PRs twice: before and after a reload; and the key of the first.
    fn two_loads() -> (Vec<PrEntry>, Vec<PrEntry>, PrKey) {
        let checklists = Checklists::load(None).unwrap();
        let previous = demo_entries(&checklists).unwrap();
        let reloaded = demo_entries(&checklists).unwrap();
        let key = (previous[0].meta.repo.clone(), previous[0].meta.number);
        (previous, reloaded, key)
    }

    #[test]
    fn the_pr_under_review_stays_as_opened_when_its_head_moved_or_it_went() {
        let (mut previous, mut reloaded, key) = two_loads();
        let opened = previous[0].meta.head_sha.clone();
        reloaded[0].meta.head_sha = "f".repeat(40);
        keep_reviewed(&key, &mut previous, &mut reloaded);
        assert_eq!(find(&reloaded, &key).unwrap().meta.head_sha, opened);
        assert_eq!(reloaded.len(), 9);

        let (mut previous, mut reloaded, key) = two_loads();
        reloaded.remove(0);
        keep_reviewed(&key, &mut previous, &mut reloaded);
        assert!(find(&reloaded, &key).is_some(), "kept while it is reviewed");
        assert_eq!(reloaded.len(), 9);

        let (mut previous, mut reloaded, key) = two_loads();
        keep_reviewed(&key, &mut previous, &mut reloaded);
        assert_eq!(
            previous.len(),
            9,
            "the same head: the reloaded entry is taken"
        );
    }
}
