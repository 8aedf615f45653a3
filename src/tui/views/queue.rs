//! The queue: every open PR that touches migrations, riskiest first, with a search filter.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table};

use std::cell::Cell;
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use super::{clean, is_text, next_name, risk_badge, scroll_offset};
use crate::analysis::conflicts::{Conflict, ConflictKind, PrId};
use crate::analysis::rules::Risk;
use crate::app::audit::first_tampering;
use crate::app::entry::PrEntry;
use crate::app::queue::{Conflicts, age_text, queue_order};
use crate::github::budget::budget_line;
use crate::review::decision_log::{LOG_FILE, Record, read_all, verify};
use crate::review::{Timestamp, Verdict};
use crate::tui::keys::{Action, Keymap};
use crate::tui::loader::LoadStatus;
use crate::tui::strings;
use crate::tui::theme::Theme;

/// Rows a page up or down moves.
const PAGE: usize = 10;
/// Loading error lines shown above the footer (the rest are counted).
const SHOWN_ERRORS: usize = 3;
/// Conflict lines shown for the selected PR (the rest are counted).
const SHOWN_CONFLICTS: usize = 2;

/// The queue's own state.
pub struct QueueState {
    /// Entry indexes, in the order of `sort`.
    order: Vec<usize>,
    /// What the queue is sorted by.
    sort: SortKey,
    /// Only PRs at this risk or above are listed.
    min_risk: Risk,
    /// Only PRs that need my review (no verdict of mine, or a stale one) are listed.
    needs_me: bool,
    /// Only PRs of this repository are listed.
    repo: Option<String>,
    /// Conflicts between the open PRs (same table or column, colliding or interleaved
    /// migration versions).
    conflicts: Conflicts,
    /// Position of the selection among the rows that pass the filter.
    selected: usize,
    /// The first row the table was last drawn from (kept while the selection stays in view).
    offset: Cell<usize>,
    /// The search filter (lowercase match on title, author, repo, number).
    filter: String,
    /// Whether keys go into the filter.
    searching: bool,
    /// The decision log as last read (read again only when a verdict was recorded).
    log: Vec<Record>,
    /// The reviewer's last recorded verdict on each entry (same order as the entries).
    decisions: Vec<Option<LastDecision>>,
    /// Why the decision log could not be read, if it could not.
    log_error: Option<String>,
    /// What is broken in the decision log's chain or anchor, if anything: the Mine column is
    /// then marked, as it may not show every verdict.
    log_broken: Option<String>,
}

/// What the queue is sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    /// Riskiest first.
    Risk,
    /// Most recently updated first.
    Age,
    /// By repository.
    Repo,
}

impl SortKey {
    /// The next key `s` switches to.
    fn next(self) -> SortKey {
        match self {
            SortKey::Risk => SortKey::Age,
            SortKey::Age => SortKey::Repo,
            SortKey::Repo => SortKey::Risk,
        }
    }

    /// How the queue's title names it.
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Risk => "riskiest first",
            SortKey::Age => "latest update first",
            SortKey::Repo => "by repository",
        }
    }

    /// How two entries compare under this key (riskiest first is the queue's order, which
    /// `schemagate queue` prints too; the other keys break ties by PR number).
    fn compare(self, a: &PrEntry, b: &PrEntry) -> Ordering {
        let by_key = match self {
            SortKey::Risk => return queue_order(a, b),
            SortKey::Age => b.updated_at.cmp(&a.updated_at),
            SortKey::Repo => a.meta.repo.cmp(&b.meta.repo),
        };
        by_key.then(a.meta.number.cmp(&b.meta.number))
    }
}

/// The reviewer's last recorded verdict on a PR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LastDecision {
    /// The verdict.
    pub verdict: Verdict,
    /// Whether the PR's head moved since (the verdict is about an older commit).
    pub stale: bool,
}

impl LastDecision {
    /// `approve`, `changes` or `block`, with `*` when stale.
    fn label(self) -> String {
        let verdict = match self.verdict {
            Verdict::Approve => "approve",
            Verdict::RequestChanges => "changes",
            Verdict::Block => "block",
        };
        let stale = if self.stale { "*" } else { "" };
        format!("{verdict}{stale}")
    }
}

impl QueueState {
    /// The queue of `entries`, riskiest first, the first row selected.
    pub fn new(entries: &[PrEntry]) -> QueueState {
        let mut queue = QueueState {
            order: (0..entries.len()).collect(),
            sort: SortKey::Risk,
            min_risk: Risk::Low,
            needs_me: false,
            repo: None,
            conflicts: Conflicts::default(),
            selected: 0,
            offset: Cell::new(0),
            filter: String::new(),
            searching: false,
            log: Vec::new(),
            decisions: Vec::new(),
            log_error: None,
            log_broken: None,
        };
        queue.sort(entries);
        queue.find_conflicts(entries);
        queue
    }

    /// Takes in a changed list of entries (PRs arrived from the loader, or a refresh emptied
    /// it): the queue is sorted again, keeping the selection on the PR it was on, and the
    /// decisions (from the log as last read: no file is read here) and conflicts are found again.
    pub fn entries_changed(&mut self, entries: &[PrEntry], reviewer: &str) {
        let selected = self.selected_entry(entries);
        self.order = (0..entries.len()).collect();
        self.sort(entries);
        if let Some(entry) = selected {
            self.selected = self
                .visible(entries)
                .iter()
                .position(|&i| i == entry)
                .unwrap_or(0);
        }
        self.match_decisions(entries, reviewer);
        self.find_conflicts(entries);
    }

    /// Finds the conflicts between the entries.
    fn find_conflicts(&mut self, entries: &[PrEntry]) {
        self.conflicts = Conflicts::between(entries);
    }

    /// How many other open PRs `entry` conflicts with.
    pub fn conflict_count(&self, entry: &PrEntry) -> usize {
        self.conflicts.partners(&entry.footprint.pr).len()
    }

    /// The conflicts `entry` is part of.
    pub fn conflicts_of<'a>(&'a self, entry: &'a PrEntry) -> impl Iterator<Item = &'a Conflict> {
        self.conflicts.of(&entry.footprint.pr)
    }

    /// The repository the queue is limited to, if any.
    pub fn repo_filter(&self) -> Option<&str> {
        self.repo.as_deref()
    }

    /// The order in force.
    pub fn sort_key(&self) -> SortKey {
        self.sort
    }

    /// Orders the queue by the current sort key, selecting the first row.
    fn sort(&mut self, entries: &[PrEntry]) {
        let sort = self.sort;
        self.order
            .sort_by(|&a, &b| match (entries.get(a), entries.get(b)) {
                (Some(a), Some(b)) => sort.compare(a, b),
                _ => a.cmp(&b),
            });
        self.selected = 0;
    }

    /// Reads the decision log in `data_dir` again (at start and after a verdict was recorded),
    /// checks its chain and anchor, and finds `reviewer`'s last verdict on each entry.
    pub fn load_decisions(&mut self, entries: &[PrEntry], data_dir: &Path, reviewer: &str) {
        let path = data_dir.join(LOG_FILE);
        match read_all(&path) {
            Ok(log) => {
                self.log = log.records;
                self.log_error = None;
            }
            Err(error) => self.log_error = Some(error.to_string()),
        }
        self.log_broken = match verify(&path) {
            Ok(verification) => first_tampering(&verification),
            Err(error) => Some(error.to_string()),
        };
        self.match_decisions(entries, reviewer);
    }

    /// What is broken in the decision log, if anything (the Mine column may then be wrong).
    pub fn log_broken(&self) -> Option<&str> {
        self.log_broken.as_deref()
    }

    /// `reviewer`'s last verdict on each entry, from the log as last read.
    fn match_decisions(&mut self, entries: &[PrEntry], reviewer: &str) {
        self.decisions = entries
            .iter()
            .map(|entry| last_decision(&self.log, entry, reviewer))
            .collect();
    }

    /// The reviewer's last verdict on `entries[index]`, if any.
    pub fn decision(&self, index: usize) -> Option<LastDecision> {
        self.decisions.get(index).copied().flatten()
    }

    /// The entries that pass the filter, in queue order.
    pub fn visible(&self, entries: &[PrEntry]) -> Vec<usize> {
        let needle = self.filter.to_lowercase();
        self.order
            .iter()
            .copied()
            .filter(|&i| {
                entries.get(i).is_some_and(|e| {
                    e.report.risk >= self.min_risk
                        && self.repo.as_ref().is_none_or(|r| *r == e.meta.repo)
                        && (!self.needs_me || self.needs_my_review(i))
                        && matches(e, &needle)
                })
            })
            .collect()
    }

    /// Whether I have no verdict on `entries[index]` yet, or only one on an older head.
    fn needs_my_review(&self, index: usize) -> bool {
        self.decision(index).is_none_or(|d| d.stale)
    }

    /// `risk >= HIGH · needs my review · "text" (Esc clears)`: the filters in force, if any,
    /// naming the back key in force.
    fn filters_in_force(&self, keymap: &Keymap) -> Option<String> {
        let mut parts = Vec::new();
        if self.min_risk > Risk::Low {
            parts.push(format!("risk >= {}", self.min_risk.label()));
        }
        if let Some(repo) = &self.repo {
            parts.push(format!("repo {}", clean(repo)));
        }
        if self.needs_me {
            parts.push("needs my review".to_owned());
        }
        if !self.filter.is_empty() {
            let clears = keymap.fill("({back} clears)");
            parts.push(format!("\"{}\" {clears}", self.filter));
        }
        (!parts.is_empty()).then(|| parts.join(" · "))
    }

    /// The entry index of the selected row, if any row is visible.
    pub fn selected_entry(&self, entries: &[PrEntry]) -> Option<usize> {
        self.visible(entries).get(self.selected).copied()
    }

    /// The current filter text.
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Handles a navigation action.
    pub fn act(&mut self, action: Action, entries: &[PrEntry]) {
        let last = self.visible(entries).len().saturating_sub(1);
        self.selected = match action {
            Action::Down => self.selected.saturating_add(1).min(last),
            Action::Up => self.selected.saturating_sub(1),
            Action::PageDown => self.selected.saturating_add(PAGE).min(last),
            Action::PageUp => self.selected.saturating_sub(PAGE),
            Action::Top => 0,
            Action::Bottom => last,
            Action::RepoFilter => {
                let repos: BTreeSet<&str> = entries.iter().map(|e| e.meta.repo.as_str()).collect();
                self.repo = next_name(&repos, self.repo.as_deref());
                0
            }
            Action::Search => {
                self.searching = true;
                self.selected
            }
            Action::RiskFilter => {
                self.min_risk = next_risk(self.min_risk);
                0
            }
            Action::NeedsMe => {
                self.needs_me = !self.needs_me;
                0
            }
            Action::Sort => {
                self.sort = self.sort.next();
                self.sort(entries);
                0
            }
            Action::Back => {
                self.filter.clear();
                self.min_risk = Risk::Low;
                self.repo = None;
                self.needs_me = false;
                0
            }
            _ => self.selected,
        };
    }

    /// Takes a key while the filter is being typed; whether it was taken.
    pub fn type_key(&mut self, key: KeyEvent, entries: &[PrEntry]) -> bool {
        if !self.searching {
            return false;
        }
        match key.code {
            KeyCode::Enter => self.searching = false,
            KeyCode::Esc => {
                self.searching = false;
                self.filter.clear();
            }
            KeyCode::Backspace => {
                self.filter.pop();
            }
            KeyCode::Char(c) if is_text(key, c) => self.filter.push(c),
            _ => {}
        }
        let last = self.visible(entries).len().saturating_sub(1);
        self.selected = self.selected.min(last);
        true
    }
}

/// The risk filter after `risk`: LOW (all) -> MEDIUM -> HIGH -> CRITICAL -> LOW.
fn next_risk(risk: Risk) -> Risk {
    match risk {
        Risk::Low => Risk::Medium,
        Risk::Medium => Risk::High,
        Risk::High => Risk::Critical,
        Risk::Critical => Risk::Low,
    }
}

/// The last of `records` by `reviewer` on `entry`'s PR.
fn last_decision(records: &[Record], entry: &PrEntry, reviewer: &str) -> Option<LastDecision> {
    let meta = &entry.meta;
    records
        .iter()
        .map(|record| &record.decision)
        .rfind(|d| {
            d.repo == meta.repo
                && d.pr == meta.number
                && d.reviewer == reviewer
                && !d.destination.is_unsent()
        })
        .map(|d| LastDecision {
            verdict: d.verdict,
            stale: d.head_sha != meta.head_sha,
        })
}

/// Whether `entry` matches the lowercase `needle` (empty matches everything).
fn matches(entry: &PrEntry, needle: &str) -> bool {
    let meta = &entry.meta;
    needle.is_empty()
        || [&meta.title, &meta.author, &meta.repo]
            .iter()
            .any(|field| clean(field).to_lowercase().contains(needle))
        || meta.number.to_string().contains(needle)
}

/// What the queue screen draws from.
pub struct QueueView<'a> {
    /// The queue's state.
    pub state: &'a QueueState,
    /// The PRs.
    pub entries: &'a [PrEntry],
    /// How loading goes.
    pub load: &'a LoadStatus,
    /// The configured auto-refresh interval, if any (the budget line says it, stretched).
    pub refresh_every: Option<Duration>,
    /// Now (ages).
    pub now: Timestamp,
    /// The keys in force (the footer names them).
    pub keymap: &'a Keymap,
    /// The queue's views (section tabs) by title; empty when there is only one.
    pub views: &'a [String],
    /// The view shown (an index into `views`).
    pub view: usize,
}

/// Columns between two section tabs in the queue's title.
const TAB_GAP: usize = 1;

/// Each section tab's text: `[title]` for the one shown, ` title ` for the others (the same
/// width, so a click finds the tab whichever is shown).
fn tab_labels(view: &QueueView) -> Vec<String> {
    view.views
        .iter()
        .enumerate()
        .map(|(i, title)| {
            let title = clean(title);
            if i == view.view {
                format!("[{title}]")
            } else {
                format!(" {title} ")
            }
        })
        .collect()
}

/// The queue's title: the section tabs (when there are sections) and the order in force.
fn title_line<'a>(view: &QueueView, theme: &Theme) -> Line<'a> {
    let sort = view.state.sort.label();
    let labels = tab_labels(view);
    if labels.is_empty() {
        return Line::from(Span::styled(
            format!("{} ({sort})", strings::QUEUE_TITLE),
            theme.accent,
        ));
    }
    let mut spans = Vec::new();
    for (i, label) in labels.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" ".repeat(TAB_GAP)));
        }
        let style = if i == view.view {
            theme.selected
        } else {
            theme.dim
        };
        spans.push(Span::styled(label, style));
    }
    spans.push(Span::styled(format!(" ({sort})"), theme.accent));
    Line::from(spans)
}

/// The section tab at (`x`, `y`) in the queue drawn in `area`, if any: the tabs are at the
/// start of the table's top border, after its corner.
pub fn tab_at(view: &QueueView, area: Rect, x: u16, y: u16) -> Option<usize> {
    if y != area.y || x <= area.x {
        return None;
    }
    let column = usize::from(x - area.x - 1);
    let mut start = 0;
    for (i, label) in tab_labels(view).iter().enumerate() {
        let end = start + Line::raw(label.as_str()).width();
        if (start..end).contains(&column) {
            return Some(i);
        }
        start = end + TAB_GAP;
    }
    None
}

/// Where the queue's parts go in `area`: the table, the status lines, the footer.
pub fn layout(area: Rect, status_lines: usize) -> [Rect; 3] {
    let status = u16::try_from(status_lines)
        .unwrap_or(u16::MAX)
        .min(area.height / 3);
    Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(status),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// The row of the table at screen row `y` (a position among the visible PRs), if any.
pub fn row_at(view: &QueueView, area: Rect, y: u16) -> Option<usize> {
    let visible = view.state.visible(view.entries);
    let [table_area, _, _] = layout(area, status_lines(view, &visible).len());
    let inner = Block::bordered().inner(table_area);
    let first_row = inner.y.saturating_add(1);
    if y < first_row || y >= inner.y.saturating_add(inner.height) {
        return None;
    }
    let offset = table_offset(view.state, inner.height, visible.len());
    let position = usize::from(y - first_row) + offset;
    (position < visible.len()).then_some(position)
}

impl QueueState {
    /// Selects the row at `position` among the visible PRs.
    pub fn select(&mut self, position: usize) {
        self.selected = position;
    }

    /// Selects PR `number` of `repo` when it is visible.
    pub fn select_pr(&mut self, entries: &[PrEntry], repo: &str, number: u64) {
        let found = self.visible(entries).iter().position(|&i| {
            entries
                .get(i)
                .is_some_and(|e| e.meta.repo == repo && e.meta.number == number)
        });
        if let Some(position) = found {
            self.selected = position;
        }
    }

    /// The position of the selection among the visible PRs.
    pub fn selected_position(&self) -> usize {
        self.selected
    }
}

/// The first of the `len` visible rows drawn when the table's inside is `inner_height` rows
/// high (below its header).
fn table_offset(state: &QueueState, inner_height: u16, len: usize) -> usize {
    let rows = usize::from(inner_height.saturating_sub(1));
    scroll_offset(state.offset.get(), state.selected, rows, len)
}

/// Draws the queue in `area`.
pub fn draw(frame: &mut Frame, area: Rect, view: &QueueView, theme: &Theme) {
    let QueueView {
        state,
        entries,
        now,
        ..
    } = *view;
    let visible = state.visible(entries);
    let status = status_lines(view, &visible);
    let [table_area, status_area, footer] = layout(area, status.len());
    let block = Block::bordered()
        .title(title_line(view, theme))
        .border_style(theme.focus_border);
    let columns = Column::fitting(table_area.width);
    let inner = block.inner(table_area);
    let inner_rows = usize::from(inner.height.saturating_sub(1)).max(1);
    let offset = table_offset(state, inner.height, visible.len());
    state.offset.set(offset);
    let rows = visible
        .iter()
        .enumerate()
        .skip(offset)
        .take(inner_rows)
        .filter_map(|(pos, &i)| entries.get(i).map(|e| (pos, (i, e))))
        .map(|(pos, (index, entry))| {
            let cells = RowCells {
                decision: state.decision(index),
                conflicts: state.conflict_count(entry),
                now,
            };
            let row = row(columns, entry, cells, theme);
            if pos == state.selected {
                row.style(theme.selected)
            } else {
                row
            }
        });
    let broken = state.log_broken().is_some();
    let header = Row::new(columns.iter().map(|c| heading(*c, broken, theme)));
    let widths = columns.iter().map(|c| c.width());
    let table = Table::new(rows, widths).header(header).block(block);
    frame.render_widget(table, table_area);
    if visible.is_empty() {
        let empty = if view.load.running {
            strings::LOADING
        } else {
            strings::NO_MATCH
        };
        let line = Rect {
            y: table_area.y.saturating_add(2),
            height: 1,
            ..inner
        };
        frame.render_widget(Paragraph::new(Span::styled(empty, theme.dim)), line);
    }
    let status: Vec<Line> = status
        .into_iter()
        .map(|(tone, text)| {
            let style = match tone {
                StatusTone::Progress => theme.accent,
                StatusTone::Error => theme.removed,
                StatusTone::Conflict | StatusTone::Warning => theme.changed,
                StatusTone::GitHub => theme.dim,
            };
            Line::styled(text, style)
        })
        .collect();
    frame.render_widget(Paragraph::new(status), status_area);
    frame.render_widget(footer_line(view, theme), footer);
}

/// What a status line is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StatusTone {
    Progress,
    Error,
    Warning,
    Conflict,
    GitHub,
}

/// The lines between the table and the footer: loading progress per repository, loading
/// errors and warnings, GitHub's budget, and for the selected PR what GitHub shows (reviews,
/// data-review status) and its conflicts (`visible`: the rows passing the filter).
fn status_lines(view: &QueueView, visible: &[usize]) -> Vec<(StatusTone, String)> {
    let mut lines = Vec::new();
    let load = view.load;
    if load.running {
        let progress: Vec<String> = load
            .repos
            .iter()
            .filter(|r| !r.repo.is_empty() && (r.total > 0 || r.errors.is_empty()))
            .map(|r| match r.total {
                0 => format!("{}: listing", clean(&r.repo)),
                total => format!("{}: {}/{total} analysed", clean(&r.repo), r.done),
            })
            .collect();
        let text = if progress.is_empty() {
            strings::LOADING.to_owned()
        } else {
            progress.join(" · ")
        };
        lines.push((StatusTone::Progress, format!("{} {text}", load.spinner())));
    }
    if let Some(broken) = view.state.log_broken() {
        lines.push((
            StatusTone::Error,
            format!("! {}: {}", strings::QUEUE_LOG_BROKEN, clean(broken)),
        ));
    }
    let errors: Vec<String> = load.errors().collect();
    for error in errors.iter().take(SHOWN_ERRORS) {
        lines.push((StatusTone::Error, format!("! {}", clean(error))));
    }
    if errors.len() > SHOWN_ERRORS {
        let more = errors.len() - SHOWN_ERRORS;
        lines.push((StatusTone::Error, format!("! and {more} more")));
    }
    for warning in &load.warnings {
        lines.push((StatusTone::Warning, format!("! {}", clean(warning))));
    }
    if let Some(budget) = &load.budget {
        let line = budget_line(budget, view.refresh_every, view.now);
        lines.push((StatusTone::GitHub, line));
    }
    let selected = visible
        .get(view.state.selected)
        .and_then(|&i| view.entries.get(i));
    if let Some(entry) = selected {
        if let Some(github) = &entry.github_status {
            lines.push((StatusTone::GitHub, clean(github).into_owned()));
        }
        let conflicts: Vec<&Conflict> = view.state.conflicts_of(entry).collect();
        for conflict in conflicts.iter().take(SHOWN_CONFLICTS) {
            lines.push((
                StatusTone::Conflict,
                conflict_text(conflict, &entry.footprint.pr),
            ));
        }
        if conflicts.len() > SHOWN_CONFLICTS {
            let more = conflicts.len() - SHOWN_CONFLICTS;
            lines.push((StatusTone::Conflict, format!("  and {more} more conflicts")));
        }
    }
    lines
}

/// `! conflicts with #108: both change User.email (prisma/migrations)`, from `me`'s side.
fn conflict_text(conflict: &Conflict, me: &PrId) -> String {
    let other = if &conflict.a == me {
        &conflict.b
    } else {
        &conflict.a
    };
    let what = match &conflict.kind {
        ConflictKind::SameTable { table } => format!("both change table {}", clean(table)),
        ConflictKind::SameColumn { table, column } => {
            format!("both change {}.{}", clean(table), clean(column))
        }
        ConflictKind::VersionCollision { version, .. } => {
            format!("both add migration version {}", clean(version))
        }
        ConflictKind::OutOfOrder { .. } => {
            "their new migration versions interleave (no merge order keeps them ordered)".to_owned()
        }
    };
    format!(
        "! conflicts with {other}: {what} ({})",
        clean(&conflict.set)
    )
}

/// A queue column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Risk,
    Number,
    Title,
    Author,
    Age,
    Migrations,
    Mine,
    Conflicts,
    Draft,
    Repo,
}

impl Column {
    /// Every column.
    const ALL: &[Column] = &[
        Column::Risk,
        Column::Number,
        Column::Title,
        Column::Author,
        Column::Age,
        Column::Migrations,
        Column::Mine,
        Column::Conflicts,
        Column::Draft,
        Column::Repo,
    ];
    /// Below 120 columns: no repo (the title bar names it when there is one).
    const NARROW: &[Column] = &[
        Column::Risk,
        Column::Number,
        Column::Title,
        Column::Author,
        Column::Age,
        Column::Migrations,
        Column::Mine,
        Column::Conflicts,
        Column::Draft,
    ];
    /// Below 80 columns: what a triage needs.
    const TINY: &[Column] = &[
        Column::Risk,
        Column::Number,
        Column::Title,
        Column::Mine,
        Column::Conflicts,
    ];

    /// The columns that fit `width`.
    fn fitting(width: u16) -> &'static [Column] {
        match width {
            w if w >= 120 => Column::ALL,
            w if w >= 80 => Column::NARROW,
            _ => Column::TINY,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Column::Risk => "Risk",
            Column::Number => "#",
            Column::Title => "Title",
            Column::Author => "Author",
            Column::Age => "Age",
            Column::Migrations => "Mig",
            Column::Mine => "Mine",
            Column::Conflicts => "!",
            Column::Draft => "Draft",
            Column::Repo => "Repo",
        }
    }

    fn width(self) -> Constraint {
        match self {
            Column::Risk | Column::Mine => Constraint::Length(8),
            Column::Number | Column::Age => Constraint::Length(4),
            Column::Title => Constraint::Fill(1),
            Column::Author => Constraint::Length(14),
            Column::Migrations | Column::Conflicts => Constraint::Length(3),
            Column::Draft => Constraint::Length(5),
            Column::Repo => Constraint::Length(17),
        }
    }
}

/// A column's heading; Mine's is marked when the decision log is broken (`log_broken`).
fn heading(column: Column, log_broken: bool, theme: &Theme) -> Line<'static> {
    match column {
        Column::Mine if log_broken => Line::styled(strings::QUEUE_MINE_BROKEN, theme.removed),
        _ => Line::styled(column.label(), theme.dim),
    }
}

/// What a row shows beside the PR itself.
struct RowCells {
    /// My last decision on it.
    decision: Option<LastDecision>,
    /// How many open PRs it conflicts with.
    conflicts: usize,
    /// Now (its age).
    now: Timestamp,
}

/// One PR's row, with `columns`.
fn row<'a>(columns: &[Column], entry: &'a PrEntry, cells: RowCells, theme: &Theme) -> Row<'a> {
    let RowCells {
        decision,
        conflicts,
        now,
    } = cells;
    let meta = &entry.meta;
    Row::new(columns.iter().map(|column| match column {
        Column::Risk => Line::from(risk_badge(entry.report.risk, theme)),
        Column::Number => Line::styled(meta.number.to_string(), theme.text),
        Column::Title => Line::styled(clean(&meta.title).into_owned(), theme.text),
        Column::Author => Line::styled(clean(&meta.author).into_owned(), theme.dim),
        Column::Age => Line::styled(age_text(now, entry.updated_at), theme.dim),
        Column::Migrations => Line::styled(entry.migrations().to_string(), theme.text),
        Column::Mine => Line::styled(
            decision.map(LastDecision::label).unwrap_or_default(),
            theme.accent,
        ),
        Column::Conflicts => match conflicts {
            0 => Line::default(),
            n => Line::styled(format!("!{n}"), theme.removed),
        },
        Column::Draft => Line::styled(if meta.draft { "draft" } else { "" }, theme.changed),
        Column::Repo => Line::styled(clean(&meta.repo).into_owned(), theme.dim),
    }))
}

/// The footer: the filter being typed, the filter in force, or the key hint (naming the
/// section keys when the queue has sections).
fn footer_line<'a>(view: &QueueView<'a>, theme: &Theme) -> Paragraph<'a> {
    let (state, keymap) = (view.state, view.keymap);
    let mut hint = String::new();
    if !view.views.is_empty() {
        hint.push_str(&keymap.fill(strings::SECTIONS_HINT));
    }
    hint.push_str(&keymap.fill(strings::QUEUE_HINT));
    let line = if let Some(error) = &state.log_error {
        Line::styled(format!("decision log: {error}"), theme.removed)
    } else if state.searching {
        Line::from(vec![
            Span::styled("/", theme.accent),
            Span::raw(state.filter.as_str()),
        ])
    } else if let Some(filters) = state.filters_in_force(keymap) {
        Line::from(vec![
            Span::styled(format!("{filters}  "), theme.accent),
            Span::styled(hint, theme.dim),
        ])
    } else {
        Line::styled(hint, theme.dim)
    };
    Paragraph::new(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stale_verdict_is_starred() {
        let fresh = LastDecision {
            verdict: Verdict::Approve,
            stale: false,
        };
        assert_eq!(fresh.label(), "approve");
        let stale = LastDecision {
            verdict: Verdict::RequestChanges,
            stale: true,
        };
        assert_eq!(stale.label(), "changes*");
    }

    #[test]
    fn fixed_columns_leave_the_title_room_at_every_breakpoint() {
        for width in [40_u16, 79, 80, 119, 120, 200] {
            let fixed: u16 = Column::fitting(width)
                .iter()
                .map(|c| match c.width() {
                    Constraint::Length(n) => n,
                    _ => 0,
                })
                .sum();
            assert!(
                width < 80 || width - fixed >= 20,
                "{width}: title gets {}",
                width - fixed
            );
        }
    }
}
