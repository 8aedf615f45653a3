//! The audit screen: past decisions from the decision log, newest first, filtered by verdict,
//! risk and repository; one decision opened shows its checklist as it was ticked, the waiver
//! reasons and the notes. Stale approvals are marked (a later decision on the PR, or, with a
//! local checkout, a head that moved: those heads are read by git in a background job, so
//! opening the screen never waits on it). A log that fails the hash-chain check is said at the
//! top, as is an end of the log its anchor does not vouch for; a log that cannot be read is said
//! too, and the console goes on. With GitHub as the source, GitHub's migration PRs of the last
//! [`GITHUB_DAYS`] days are read in another background job and compared with the log: PRs
//! merged without an approving data review, approvals on GitHub the log does not have, and
//! reviews sent with schemagate whose record is gone from the log, below the list.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, Wrap};

use super::{clean, next_name, risk_badge, scroll_offset};
use crate::analysis::rules::Risk;
use crate::app::audit::{LogProblem, compare_history, log_problems};
use crate::review::audit::{
    AuditFilter, PrKey, local_heads, missing_record_text, select, stale_approvals, verdict_label,
};
use crate::review::decision_log::{Decision, Destination, LOG_FILE, Record, read_all, verify};
use crate::review::github_audit::GitHubAudit;
use crate::review::{Checklists, ItemState, Timestamp, Verdict};
use crate::source::git::GitRepo;
use crate::tui::context::LocalCheckout;
use crate::tui::history::HistoryRead;
use crate::tui::keys::{Action, Keymap};
use crate::tui::strings;
use crate::tui::theme::Theme;

/// Rows a page up or down moves.
const PAGE: usize = 10;

/// The name of the thread reading the local checkout's PR heads (a panic there is not fatal).
pub const HEADS_THREAD: &str = "schemagate-audit-heads";

/// The name of the thread reading GitHub's migration PRs (a panic there is not fatal).
pub const GITHUB_THREAD: &str = "schemagate-audit-github";

/// How many days back GitHub's migration PRs are compared with the log.
pub const GITHUB_DAYS: i64 = 30;

/// Rows the GitHub comparison takes at most (a third of the screen when that is less).
const GITHUB_ROWS: usize = 10;

/// The local checkout's PR heads, or why they could not be read.
pub type Heads = Result<BTreeMap<PrKey, String>, String>;

/// The comparison of the log with GitHub.
pub enum GitHubCheck {
    /// GitHub is being read in the background.
    Reading,
    /// Done.
    Done {
        /// What the comparison found.
        audit: GitHubAudit,
        /// What could not be read (unsanitized).
        errors: Vec<String>,
    },
}

/// What the app does after an audit action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditOutcome {
    /// Stay on the audit screen.
    Stay,
    /// Back to the queue.
    Close,
}

/// The audit screen's state.
pub struct AuditState {
    /// The decisions read from the log, in log order.
    records: Vec<Record>,
    /// The hash of every whole line of the log (what the markers of sent reviews name).
    line_hashes: Vec<String>,
    /// What is wrong with the log (tampering, a torn or unreadable line, a read error).
    pub warnings: Vec<String>,
    /// Log lines of approvals that no longer stand, with why.
    stale: BTreeMap<usize, String>,
    /// The filter in force (verdict, risk, repository).
    pub filter: AuditFilter,
    /// Indexes into `records` passing the filter, newest first.
    shown: Vec<usize>,
    /// Position of the selection in `shown`.
    selected: usize,
    /// The first row the list was last drawn from (kept while the selection stays in view).
    offset: Cell<usize>,
    /// Whether the selected decision is opened.
    pub detail: bool,
    /// Scroll of the opened decision.
    detail_scroll: usize,
    /// Whether the local checkout's PR heads are being read in the background.
    reading_heads: bool,
    /// The comparison with GitHub, when the console's source is GitHub.
    github: Option<GitHubCheck>,
}

/// What the audit screen compares the log with, read in the background once it is open.
#[derive(Clone, Copy, Default)]
pub struct AuditSources {
    /// The PR heads of the local checkout the queue comes from tell stale approvals
    /// ([`read_heads`]; answered with [`AuditState::take_heads`]).
    pub checkout: bool,
    /// GitHub's migration PRs since [`history_since`] (answered with
    /// [`AuditState::take_history`]).
    pub github: bool,
}

impl AuditState {
    /// Reads the decision log in `data_dir` and checks its chain; with a checkout in
    /// `sources`, the PR heads there tell which approvals went stale once
    /// [`AuditState::take_heads`] has them; with GitHub, its migration PRs are compared with
    /// the log once [`AuditState::take_history`] has them.
    pub fn open(data_dir: &Path, sources: AuditSources) -> AuditState {
        let path = data_dir.join(LOG_FILE);
        let mut warnings = Vec::new();
        let read = read_all(&path)
            .map_err(|error| warnings.push(format!("{}: {error}", strings::AUDIT_READ_FAILED)))
            .ok();
        let verification = verify(&path)
            .map_err(|error| warnings.push(format!("{}: {error}", strings::AUDIT_VERIFY_FAILED)))
            .ok();
        let problems = log_problems(read.as_ref(), verification.as_ref());
        warnings.splice(0..0, problems.iter().map(problem_text));
        let (records, line_hashes) =
            read.map_or_else(Default::default, |log| (log.records, log.line_hashes));
        let mut state = AuditState {
            records,
            line_hashes,
            warnings,
            stale: BTreeMap::new(),
            filter: AuditFilter::default(),
            shown: Vec::new(),
            selected: 0,
            offset: Cell::new(0),
            detail: false,
            detail_scroll: 0,
            reading_heads: sources.checkout,
            github: sources.github.then_some(GitHubCheck::Reading),
        };
        state.find_stale(&BTreeMap::new());
        state.apply_filter();
        state
    }

    /// The decisions read from the log, in log order.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// Takes in GitHub's migration PRs and compares them with the log.
    pub fn take_history(&mut self, read: HistoryRead) {
        if !matches!(self.github, Some(GitHubCheck::Reading)) {
            return;
        }
        let compared = compare_history(read, &self.records, &self.line_hashes);
        self.github = Some(GitHubCheck::Done {
            audit: compared.audit,
            errors: compared.errors,
        });
    }

    /// The comparison with GitHub: `None` when the console has no GitHub source.
    pub fn github(&self) -> Option<&GitHubCheck> {
        self.github.as_ref()
    }

    /// Takes in the local checkout's PR heads: approvals whose PR head moved are marked
    /// stale.
    pub fn take_heads(&mut self, heads: Heads) {
        if !self.reading_heads {
            return;
        }
        self.reading_heads = false;
        match heads {
            Ok(heads) => self.find_stale(&heads),
            Err(warning) => self.warnings.push(warning),
        }
    }

    /// Whether the local checkout's PR heads are still being read.
    pub fn checking_heads(&self) -> bool {
        self.reading_heads
    }

    /// Marks the approvals that no longer stand, given the current PR `heads`.
    fn find_stale(&mut self, heads: &BTreeMap<PrKey, String>) {
        let all: Vec<&Record> = self.records.iter().collect();
        self.stale = stale_approvals(&self.records, &all, heads)
            .into_iter()
            .map(|stale| {
                let reasons: Vec<String> = stale.reasons.iter().map(ToString::to_string).collect();
                (stale.line, reasons.join("; "))
            })
            .collect();
    }

    /// Recomputes the decisions shown after a filter change.
    fn apply_filter(&mut self) {
        let index: BTreeMap<usize, usize> = self
            .records
            .iter()
            .enumerate()
            .map(|(i, r)| (r.line, i))
            .collect();
        self.shown = select(&self.records, &self.filter)
            .iter()
            .filter_map(|record| index.get(&record.line).copied())
            .collect();
        self.selected = 0;
        self.detail = false;
    }

    /// The decisions shown, newest first.
    pub fn shown(&self) -> impl Iterator<Item = &Record> {
        self.shown.iter().filter_map(|&i| self.records.get(i))
    }

    /// The selected decision.
    pub fn selected(&self) -> Option<&Record> {
        self.shown
            .get(self.selected)
            .and_then(|&i| self.records.get(i))
    }

    /// Selects the decision at `position` in the list (a click).
    pub fn select(&mut self, position: usize) {
        if position < self.shown.len() {
            self.selected = position;
            self.detail = false;
        }
    }

    /// The position of the selection in the list.
    pub fn selected_position(&self) -> usize {
        self.selected
    }

    /// How many lines the opened decision has (0 when none is selected).
    fn detail_len(&self, checklists: &Checklists) -> usize {
        self.selected().map_or(0, |record| {
            let stale = self.stale_reason(record.line);
            detail_lines(&record.decision, stale, checklists, &Theme::plain()).len()
        })
    }

    /// Why the approval at log line `line` no longer stands, if it does not.
    pub fn stale_reason(&self, line: usize) -> Option<&str> {
        self.stale.get(&line).map(String::as_str)
    }

    /// Handles an action (`checklists` name the items of an opened decision).
    pub fn act(&mut self, action: Action, checklists: &Checklists) -> AuditOutcome {
        let last = self.shown.len().saturating_sub(1);
        if self.detail {
            let end = self.detail_len(checklists).saturating_sub(1);
            let scroll = self.detail_scroll;
            self.detail_scroll = match action {
                Action::Back | Action::Enter => {
                    self.detail = false;
                    scroll
                }
                Action::Down => scroll.saturating_add(1).min(end),
                Action::Up => scroll.saturating_sub(1),
                Action::PageDown => scroll.saturating_add(PAGE).min(end),
                Action::PageUp => scroll.saturating_sub(PAGE),
                Action::Top => 0,
                Action::Bottom => end,
                _ => scroll,
            };
            return AuditOutcome::Stay;
        }
        match action {
            Action::Back => return AuditOutcome::Close,
            Action::Down => self.selected = self.selected.saturating_add(1).min(last),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::PageDown => self.selected = self.selected.saturating_add(PAGE).min(last),
            Action::PageUp => self.selected = self.selected.saturating_sub(PAGE),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = last,
            Action::Enter if self.selected().is_some() => {
                self.detail = true;
                self.detail_scroll = 0;
            }
            Action::Verdict => {
                self.filter.verdict = next_verdict(self.filter.verdict);
                self.apply_filter();
            }
            Action::RiskFilter => {
                self.filter.risk = next_risk(self.filter.risk);
                self.apply_filter();
            }
            Action::RepoFilter => {
                let repos: BTreeSet<&str> = self
                    .records
                    .iter()
                    .map(|r| r.decision.repo.as_str())
                    .collect();
                self.filter.repo = next_name(&repos, self.filter.repo.as_deref());
                self.apply_filter();
            }
            _ => {}
        }
        AuditOutcome::Stay
    }
}

/// The PR heads of `checkout` for the PRs of `records` (blocking: a background job's work), or
/// why they could not be read.
pub fn read_heads(checkout: &LocalCheckout, records: &[Record]) -> Heads {
    GitRepo::open(&checkout.path)
        .map(|git| local_heads(&git, &checkout.repo, records))
        .map_err(|error| no_heads(checkout, &error))
}

/// Said when reading the PR heads stopped (a panic).
pub fn heads_lost() -> Heads {
    Err(format!(
        "{}: reading them stopped (see crash-report.txt in the data directory)",
        strings::AUDIT_NO_HEADS
    ))
}

/// Where GitHub's history is read from: [`GITHUB_DAYS`] days before `now`.
pub fn history_since(now: Timestamp) -> Timestamp {
    Timestamp::from_unix_secs(now.unix_secs() - GITHUB_DAYS * 86_400)
}

/// Said when reading GitHub's history stopped (a panic).
pub fn history_lost() -> HistoryRead {
    HistoryRead {
        prs: Vec::new(),
        submissions: None,
        errors: vec![format!(
            "{}: reading stopped (see crash-report.txt in the data directory)",
            strings::AUDIT_GITHUB_FAILED
        )],
    }
}

/// The warning when the PR heads of `checkout` cannot be read.
/// One problem of the decision log, as the screen's warning line says it.
fn problem_text(problem: &LogProblem) -> String {
    match problem {
        LogProblem::ChainBroken(broken) => format!("{}: {broken}", strings::AUDIT_TAMPERED),
        LogProblem::AnchorBroken(anchor) => format!("{}: {anchor}", strings::AUDIT_TAMPERED),
        LogProblem::AnchorOneBehind(anchor) => anchor.to_string(),
        LogProblem::NotDecisions(bad) => {
            let lines: Vec<String> = bad.iter().map(|b| b.line.to_string()).collect();
            format!("{} {}", strings::AUDIT_UNREADABLE, lines.join(", "))
        }
        LogProblem::TornTail(tail) => format!("line {} {}", tail.line, strings::AUDIT_TORN),
    }
}

fn no_heads(checkout: &LocalCheckout, error: &dyn std::fmt::Display) -> String {
    format!(
        "{} {}: {error}",
        strings::AUDIT_NO_HEADS,
        checkout.path.display()
    )
}

/// All, then approve, request changes, block, then all again.
fn next_verdict(verdict: Option<Verdict>) -> Option<Verdict> {
    match verdict {
        None => Some(Verdict::Approve),
        Some(Verdict::Approve) => Some(Verdict::RequestChanges),
        Some(Verdict::RequestChanges) => Some(Verdict::Block),
        Some(Verdict::Block) => None,
    }
}

/// All, then LOW, MEDIUM, HIGH, CRITICAL, then all again.
fn next_risk(risk: Option<Risk>) -> Option<Risk> {
    match risk {
        None => Some(Risk::Low),
        Some(Risk::Low) => Some(Risk::Medium),
        Some(Risk::Medium) => Some(Risk::High),
        Some(Risk::High) => Some(Risk::Critical),
        Some(Risk::Critical) => None,
    }
}

/// `GitHub`, `outbox` or `local`: where a verdict went.
fn destination_label(destination: &Destination) -> &'static str {
    match destination {
        Destination::GitHubReview { .. } => "GitHub",
        Destination::Outbox { .. } => "outbox",
        Destination::Superseded { .. } => "superseded",
        Destination::NotSent { .. } => "not sent",
        Destination::LocalOnly => "local only",
    }
}

/// Where the parts of the screen go: warnings, the list (or the opened decision), the
/// comparison with GitHub (none without GitHub), the footer.
pub fn layout(area: Rect, state: &AuditState) -> [Rect; 4] {
    let warnings = u16::try_from(state.warnings.len())
        .unwrap_or(u16::MAX)
        .min(area.height / 3);
    let github = state.github.as_ref().map_or(0, |check| {
        let rows = github_lines(check, &Theme::plain()).len().min(GITHUB_ROWS) + 2;
        u16::try_from(rows).unwrap_or(u16::MAX).min(area.height / 3)
    });
    Layout::vertical([
        Constraint::Length(warnings),
        Constraint::Min(1),
        Constraint::Length(github),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// The comparison with GitHub's lines: reading, errors, then the two lists.
fn github_lines<'a>(check: &GitHubCheck, theme: &Theme) -> Vec<Line<'a>> {
    let (audit, errors) = match check {
        GitHubCheck::Reading => {
            return vec![Line::styled(strings::AUDIT_GITHUB_READING, theme.dim)];
        }
        GitHubCheck::Done { audit, errors } => (audit, errors),
    };
    let mut lines: Vec<Line> = errors
        .iter()
        .map(|e| Line::styled(format!("! {}", clean(e)), theme.removed))
        .collect();
    let merged = &audit.merged_without_review;
    lines.push(Line::styled(
        format!("{} ({})", strings::AUDIT_GITHUB_MERGED, merged.len()),
        theme.accent,
    ));
    lines.extend(merged.iter().map(|m| {
        Line::styled(
            format!(
                "  {}#{} merged {}  {}",
                clean(&m.repo),
                m.number,
                clean(&m.merged_at),
                clean(&m.title)
            ),
            theme.removed,
        )
    }));
    let unlogged = &audit.unlogged_approvals;
    lines.push(Line::styled(
        format!("{} ({})", strings::AUDIT_GITHUB_UNLOGGED, unlogged.len()),
        theme.accent,
    ));
    lines.extend(unlogged.iter().map(|u| {
        let approval = &u.approval;
        let commit = approval
            .commit
            .as_deref()
            .map_or_else(|| "?".to_owned(), short);
        Line::styled(
            format!(
                "  {}#{} approved by {} at {} on {}  {}",
                clean(&u.repo),
                u.number,
                clean(&approval.reviewer),
                commit,
                clean(approval.submitted_at.as_deref().unwrap_or("?")),
                clean(&u.title)
            ),
            theme.changed,
        )
    }));
    if let Some(records) = &audit.missing_records {
        let missing = &records.missing;
        lines.push(Line::styled(
            format!(
                "{} ({} of {} checked)",
                strings::AUDIT_GITHUB_MISSING,
                missing.len(),
                records.checked
            ),
            theme.accent,
        ));
        lines.extend(missing.iter().map(|sent| {
            Line::styled(
                format!("  {}", clean(&missing_record_text(sent))),
                theme.removed,
            )
        }));
    }
    lines
}

/// Draws the comparison with GitHub in `area`.
fn draw_github(frame: &mut Frame, area: Rect, check: &GitHubCheck, theme: &Theme) {
    let block = Block::bordered()
        .title(Span::styled(
            format!("{} {GITHUB_DAYS} days", strings::AUDIT_GITHUB_TITLE),
            theme.accent,
        ))
        .border_style(theme.dim);
    let lines = github_lines(check, theme);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The position in the list of the decision drawn at screen row `y`, if any.
pub fn row_at(state: &AuditState, area: Rect, y: u16) -> Option<usize> {
    if state.detail {
        return None;
    }
    let [_, list, _, _] = layout(area, state);
    let inner = Block::bordered().inner(list);
    let first = inner.y.saturating_add(1);
    if y < first || y >= inner.y.saturating_add(inner.height) {
        return None;
    }
    let position = usize::from(y - first) + list_offset(state, inner.height);
    (position < state.shown.len()).then_some(position)
}

/// The first decision drawn when the list's inside is `inner_height` rows high.
fn list_offset(state: &AuditState, inner_height: u16) -> usize {
    let rows = usize::from(inner_height.saturating_sub(1));
    scroll_offset(state.offset.get(), state.selected, rows, state.shown.len())
}

/// Draws the audit screen in `area`.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    state: &AuditState,
    checklists: &Checklists,
    keymap: &Keymap,
    theme: &Theme,
) {
    let [warnings, body, github, footer] = layout(area, state);
    let warning_lines: Vec<Line> = state
        .warnings
        .iter()
        .map(|w| Line::styled(format!("! {}", clean(w)), theme.removed))
        .collect();
    frame.render_widget(Paragraph::new(warning_lines), warnings);
    match state.selected().filter(|_| state.detail) {
        Some(record) => draw_detail(frame, body, state, record, checklists, theme),
        None => draw_list(frame, body, state, keymap, theme),
    }
    if let Some(check) = &state.github {
        draw_github(frame, github, check, theme);
    }
    frame.render_widget(footer_line(state, keymap, theme), footer);
}

/// The decisions, newest first; only the rows that fit are built.
fn draw_list(frame: &mut Frame, area: Rect, state: &AuditState, keymap: &Keymap, theme: &Theme) {
    let block = Block::bordered()
        .title(Span::styled(
            format!("{} ({})", strings::AUDIT_TITLE, state.shown.len()),
            theme.accent,
        ))
        .border_style(theme.focus_border);
    let inner = block.inner(area);
    let wide = area.width >= 100;
    let rows_fit = usize::from(inner.height.saturating_sub(1)).max(1);
    let offset = list_offset(state, inner.height);
    state.offset.set(offset);
    let rows = state
        .shown()
        .enumerate()
        .skip(offset)
        .take(rows_fit)
        .map(|(position, record)| {
            let row = decision_row(record, state.stale_reason(record.line), wide, theme);
            if position == state.selected {
                row.style(theme.selected)
            } else {
                row
            }
        });
    let (headings, widths): (Vec<&str>, Vec<Constraint>) = if wide {
        (
            vec![
                "Time", "Repo", "PR", "Verdict", "Risk", "Reviewer", "Went to", "Stale",
            ],
            vec![
                Constraint::Length(20),
                Constraint::Fill(1),
                Constraint::Length(8),
                Constraint::Length(15),
                Constraint::Length(9),
                Constraint::Length(14),
                Constraint::Length(10),
                Constraint::Length(5),
            ],
        )
    } else {
        (
            vec!["Time", "PR", "Verdict", "Risk", "Went to", "Stale"],
            vec![
                Constraint::Length(16),
                Constraint::Fill(1),
                Constraint::Length(15),
                Constraint::Length(9),
                Constraint::Length(10),
                Constraint::Length(5),
            ],
        )
    };
    let header = Row::new(headings).style(theme.dim);
    frame.render_widget(Table::new(rows, widths).header(header).block(block), area);
    if state.shown.is_empty() {
        let line = Rect {
            y: inner.y.saturating_add(1),
            height: 1,
            ..inner
        };
        frame.render_widget(
            Paragraph::new(Span::styled(keymap.fill(strings::AUDIT_EMPTY), theme.dim)),
            line,
        );
    }
}

/// One decision's row.
fn decision_row<'a>(record: &'a Record, stale: Option<&str>, wide: bool, theme: &Theme) -> Row<'a> {
    let d = &record.decision;
    let time = d.time.to_string();
    let pr = if wide {
        format!("#{}", d.pr)
    } else {
        format!("#{} {}", d.pr, clean(&d.repo))
    };
    let mut cells = vec![Line::styled(
        if wide {
            time
        } else {
            time.chars().take(16).collect()
        },
        theme.dim,
    )];
    if wide {
        cells.push(Line::styled(clean(&d.repo).into_owned(), theme.text));
    }
    cells.push(Line::styled(pr, theme.text));
    cells.push(Line::styled(verdict_label(d.verdict), theme.accent));
    cells.push(Line::from(risk_badge(d.risk, theme)));
    if wide {
        cells.push(Line::styled(clean(&d.reviewer).into_owned(), theme.dim));
    }
    cells.push(Line::styled(destination_label(&d.destination), theme.dim));
    cells.push(match stale {
        Some(_) => Line::styled(strings::AUDIT_STALE, theme.removed),
        None => Line::default(),
    });
    Row::new(cells)
}

/// One decision opened: who, what, where it went, why stale; the checklist as ticked with
/// waiver reasons; the findings; the notes.
fn draw_detail(
    frame: &mut Frame,
    area: Rect,
    state: &AuditState,
    record: &Record,
    checklists: &Checklists,
    theme: &Theme,
) {
    let d = &record.decision;
    let block = Block::bordered()
        .title(Span::styled(
            format!("{}#{} · line {}", clean(&d.repo), d.pr, record.line),
            theme.accent,
        ))
        .border_style(theme.focus_border);
    let height = usize::from(block.inner(area).height);
    let lines: Vec<Line> = detail_lines(d, state.stale_reason(record.line), checklists, theme)
        .into_iter()
        .skip(state.detail_scroll)
        .take(height)
        .collect();
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// The opened decision's lines.
fn detail_lines<'a>(
    d: &Decision,
    stale: Option<&str>,
    checklists: &Checklists,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let mut lines = vec![
        Line::styled(clean(&d.title).into_owned(), theme.text),
        Line::from(vec![
            Span::styled(
                format!("{} ", verdict_label(d.verdict).to_uppercase()),
                theme.accent,
            ),
            risk_badge(d.risk, theme),
            Span::styled(
                format!("by {} at {}", clean(&d.reviewer), d.time),
                theme.dim,
            ),
        ]),
        Line::styled(
            format!(
                "head {} · base {} · went to: {}",
                short(&d.head_sha),
                short(&d.base_sha),
                destination_text(&d.destination)
            ),
            theme.dim,
        ),
    ];
    if let Some(reason) = stale {
        lines.push(Line::styled(
            format!("{}: {}", strings::AUDIT_STALE_APPROVAL, clean(reason)),
            theme.removed,
        ));
    }
    lines.push(Line::styled(strings::AUDIT_CHECKLIST, theme.accent));
    if d.checklist.items.is_empty() {
        lines.push(Line::styled("  nothing ticked or waived", theme.dim));
    }
    let known = checklists
        .items()
        .filter_map(|item| Some((item.id.as_str(), d.checklist.items.get(&item.id)?)));
    let unknown = d
        .checklist
        .items
        .iter()
        .filter(|(id, _)| checklists.item(id).is_none())
        .map(|(id, state)| (id.as_str(), state));
    for (id, item) in known.chain(unknown) {
        let text = checklists.item(id).map_or_else(
            || clean(id).into_owned(),
            |item| clean(&item.text).into_owned(),
        );
        let (mark, by, style) = match item {
            ItemState::Open => ("[ ]", String::new(), theme.dim),
            ItemState::Ticked { by } => ("[x]", format!(" (ticked by {})", clean(by)), theme.text),
            ItemState::Waived { by, .. } => {
                ("[w]", format!(" (waived by {})", clean(by)), theme.changed)
            }
        };
        lines.push(Line::styled(format!("  {mark} {text}{by}"), style));
        if let ItemState::Waived { reason, .. } = item {
            lines.push(Line::styled(
                format!("      reason: {}", clean(reason)),
                theme.changed,
            ));
        }
    }
    if !d.findings_summary.is_empty() {
        lines.push(Line::styled(strings::AUDIT_FINDINGS, theme.accent));
        lines.extend(d.findings_summary.iter().map(|f| {
            Line::styled(
                format!(
                    "  {:<8} {} {}:{}",
                    f.risk.label(),
                    clean(&f.rule),
                    clean(&f.file),
                    f.line
                ),
                theme.risk(f.risk),
            )
        }));
    }
    if !d.notes.is_empty() {
        lines.push(Line::styled(strings::NOTES_HEADING, theme.accent));
        lines.extend(d.notes.iter().map(|note| {
            let text = match (&note.file, note.line) {
                (Some(file), Some(line)) => {
                    format!("  {}:{line}: {}", clean(file), clean(&note.text))
                }
                _ => format!("  {}", clean(&note.text)),
            };
            Line::styled(text, theme.text)
        }));
    }
    lines
}

/// Where a verdict went, in words (untrusted parts sanitized).
fn destination_text(destination: &Destination) -> String {
    match destination {
        Destination::GitHubReview { id, url, .. } => {
            format!("GitHub review {id} {}", clean(url))
        }
        Destination::Outbox { id } => format!("the outbox ({}), not sent yet", clean(id)),
        Destination::Superseded { outbox, by } => format!(
            "never sent ({}): superseded by the newer verdict {}",
            clean(outbox),
            clean(by)
        ),
        Destination::NotSent { outbox, reason } => {
            format!("never sent ({}): {}", clean(outbox), clean(reason))
        }
        Destination::LocalOnly => "the local log only (not sent to GitHub)".to_owned(),
    }
}

/// The first 12 characters of a commit id.
fn short(sha: &str) -> String {
    clean(sha.get(..12).unwrap_or(sha)).into_owned()
}

/// The footer: the filters in force and the keys.
fn footer_line<'a>(state: &AuditState, keymap: &Keymap, theme: &Theme) -> Paragraph<'a> {
    let mut parts = Vec::new();
    if let Some(verdict) = state.filter.verdict {
        parts.push(format!("verdict {}", verdict_label(verdict)));
    }
    if let Some(risk) = state.filter.risk {
        parts.push(format!("risk {}", risk.label()));
    }
    if let Some(repo) = &state.filter.repo {
        parts.push(format!("repo {}", clean(repo)));
    }
    if state.checking_heads() {
        parts.push(strings::AUDIT_CHECKING_HEADS.to_owned());
    }
    let hint = if state.detail {
        strings::AUDIT_DETAIL_HINT
    } else {
        strings::AUDIT_HINT
    };
    let mut spans = Vec::new();
    if !parts.is_empty() {
        spans.push(Span::styled(
            format!("{}  ", parts.join(" · ")),
            theme.accent,
        ));
    }
    spans.push(Span::styled(keymap.fill(hint), theme.dim));
    Paragraph::new(Line::from(spans))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_cycle_back_to_all() {
        let mut verdict = None;
        for _ in 0..4 {
            verdict = next_verdict(verdict);
        }
        assert_eq!(verdict, None);
        let mut risk = None;
        for _ in 0..5 {
            risk = next_risk(risk);
        }
        assert_eq!(risk, None);
    }
}
