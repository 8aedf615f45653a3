//! Console speed (issue 5): drawing one queue frame with 1,000 PRs, drawing one review frame of a
//! 20,000-line migration in the raw diff view, opening the riskiest demo PR up to its first full
//! draw, and the resident memory with the 1,000-PR queue.
//!
//! Run with `cargo bench --bench render`. Prints one table (median and p95 of the timed runs,
//! the target, whether it is met). Draws go to a ratatui `TestBackend` of 160x48 created once,
//! outside the timing. Reports are built when the entries are analysed (before the console
//! starts), so "open" times the Enter key (review state: draft lookup, pane lines) plus the
//! first draw, not the analysis. Also printed, without a target of its own: opening the
//! 20,000-line PR on its raw diff, and what one demo PR holds (where the queue's memory goes).

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, ensure};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use schemagate::analysis::conflicts::PrId;
use schemagate::app::entry::{PrEntry, analyse_all, demo_entries};
use schemagate::review::{Checklists, FixedClock, Timestamp};
use schemagate::source::change::Change;
use schemagate::source::demo::demo_changes;
use schemagate::tui::app::App;
use schemagate::tui::context::Context;
use schemagate::tui::frame::draw;
use schemagate::tui::submitter::Submitter;
use schemagate::tui::theme::Theme;
use schemagate::tui::worker::Worker;

/// The binary's allocator, so time and memory are the product's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Timed runs per measure.
const RUNS: usize = 200;
/// Untimed runs first (warm caches, grown buffers).
const WARM_UP: usize = 20;
/// Columns of the terminal every frame is drawn on.
const WIDTH: u16 = 160;
/// Rows of that terminal.
const HEIGHT: u16 = 48;
/// PRs in the big queue.
const QUEUE_PRS: usize = 1_000;
/// Repositories the big queue spreads over.
const QUEUE_REPOS: u64 = 50;
/// Lines of the big migration.
const MIGRATION_LINES: usize = 20_000;
/// Issue 5's target for drawing one frame.
const FRAME_TARGET: Duration = Duration::from_millis(2);
/// Issue 5's target for opening a PR up to its first full draw.
const OPEN_TARGET: Duration = Duration::from_millis(50);
/// Issue 5's target for the resident memory with the 1,000-PR queue.
const RSS_TARGET_MB: f64 = 60.0;

/// Median and 95th percentile of a set of timed runs.
struct Figures {
    median: Duration,
    p95: Duration,
}

/// One row of the printed table.
struct Row {
    measure: &'static str,
    median: String,
    p95: String,
    target: String,
    met: bool,
}

impl Row {
    /// A timed measure against a time target (met when the p95 is under it).
    fn timed(measure: &'static str, figures: &Figures, target: Duration) -> Row {
        Row {
            measure,
            median: format_duration(figures.median),
            p95: format_duration(figures.p95),
            target: format!("< {}", format_duration(target)),
            met: figures.p95 < target,
        }
    }

    /// The resident memory with the big queue against its target.
    fn resident(measure: &'static str, megabytes: f64) -> Row {
        Row {
            measure,
            median: format!("{megabytes:.1} MB"),
            p95: "-".to_owned(),
            target: format!("< {RSS_TARGET_MB} MB"),
            met: megabytes < RSS_TARGET_MB,
        }
    }
}

/// Runs every measure, then prints the table and the memory notes.
fn main() -> Result<()> {
    let data_dir = tempfile::tempdir()?;
    let checklists = Checklists::load(None)?;
    let demo = demo_entries(&checklists)?;
    let demo_sizes = demo_changes()?
        .iter()
        .zip(&demo)
        .map(|(change, entry)| entry_sizes(change, entry))
        .collect::<Result<Vec<_>>>()?;
    let mut rows = Vec::new();

    let rss_before = resident_mb()?;
    let queue = App::new(
        context(data_dir.path(), &checklists)?,
        big_queue(&demo, QUEUE_PRS),
    );
    let rss_queue = resident_mb()?;
    rows.push(queue_frame(&queue)?);
    rows.push(Row::resident("resident memory, 1,000-PR queue", rss_queue));
    drop(queue);

    rows.push(open_riskiest(data_dir.path(), &checklists, demo)?);
    rows.extend(big_migration_review(data_dir.path(), &checklists)?);

    print_table(&rows);
    println!(
        "\nresident memory before building the queue: {rss_before:.1} MB \
         (the 9 demo entries analysed, SQLite and the binary loaded)"
    );
    print_entry_sizes(&demo_sizes);
    Ok(())
}

/// The console's outside needs, reviewer "ana", at a fixed time.
fn context(data_dir: &Path, checklists: &Checklists) -> Result<Context> {
    let now = Timestamp::parse("2026-11-24T12:00:00Z")?;
    Ok(Context {
        data_dir: data_dir.to_path_buf(),
        reviewer: "ana".to_owned(),
        clock: Arc::new(FixedClock(now)),
        checklists: checklists.clone(),
        submitter: Submitter::local(),
        github_history: None,
        worker: Worker::inline(),
    })
}

/// What one entry holds, in bytes of content (allocator overhead aside).
struct EntrySizes {
    /// Files at base plus files at head.
    files: usize,
    /// The report, as the JSON `schemagate check` prints.
    report_json: usize,
    /// The migration text diffs, as JSON.
    diffs_json: usize,
}

/// The content sizes of `change` and of the entry analysed from it.
fn entry_sizes(change: &Change, entry: &PrEntry) -> Result<EntrySizes> {
    let set_bytes = |set: &schemagate::analysis::fileset::FileSet| -> usize {
        set.iter()
            .map(|(path, bytes)| path.len() + bytes.len())
            .sum()
    };
    Ok(EntrySizes {
        files: set_bytes(&change.base) + set_bytes(&change.head),
        report_json: serde_json::to_vec(&entry.report)?.len(),
        diffs_json: serde_json::to_vec(&entry.file_diffs)?.len(),
    })
}

/// The mean content sizes of the demo entries (where the queue's memory goes).
fn print_entry_sizes(sizes: &[EntrySizes]) {
    let mean_kb = |field: fn(&EntrySizes) -> usize| {
        let total: usize = sizes.iter().map(field).sum();
        total as f64 / sizes.len().max(1) as f64 / 1024.0
    };
    println!(
        "per demo PR, mean content: files at base + head {:.1} KB, report (JSON) {:.1} KB, \
         migration diffs (JSON) {:.1} KB",
        mean_kb(|s| s.files),
        mean_kb(|s| s.report_json),
        mean_kb(|s| s.diffs_json),
    );
}

/// `count` entries cycling through the demo ones, each with its own number and title.
fn big_queue(demo: &[PrEntry], count: usize) -> Vec<PrEntry> {
    (1_000..)
        .zip(demo.iter().cycle().take(count))
        .map(|(number, entry)| numbered_copy(entry, number))
        .collect()
}

/// A copy of `entry` (metadata, report, diffs and all) as PR `number`, its title suffixed with it,
/// in one of [`QUEUE_REPOS`] repositories (copies of one demo PR in one repository would all
/// conflict with each other, which no real queue does).
fn numbered_copy(entry: &PrEntry, number: u64) -> PrEntry {
    let mut meta = entry.meta.clone();
    meta.number = number;
    meta.title = format!("{} (#{number})", meta.title);
    meta.repo = format!("{}-{:02}", meta.repo, number % QUEUE_REPOS);
    let mut footprint = entry.footprint.clone();
    footprint.pr = PrId {
        repo: meta.repo.clone(),
        number,
    };
    PrEntry {
        meta,
        report: entry.report.clone(),
        updated_at: entry.updated_at,
        file_diffs: entry.file_diffs.clone(),
        cascade_trees: entry.cascade_trees.clone(),
        footprint,
        approvals_at_head: entry.approvals_at_head,
        github_status: entry.github_status.clone(),
    }
}

/// Measure 1: one queue frame with 1,000 PRs.
fn queue_frame(app: &App) -> Result<Row> {
    ensure!(app.review.is_none(), "the queue should be showing");
    let mut terminal = terminal()?;
    let figures = time_frames(&mut terminal, app)?;
    ensure!(
        screen_contains(&terminal, "(#1"),
        "the queue frame should list the copied PRs"
    );
    Ok(Row::timed("queue frame, 1,000 PRs", &figures, FRAME_TARGET))
}

/// Measure 2: one review frame of a PR adding a 20,000-line migration, raw diff view on; also
/// opening that PR on the raw diff up to its first draw (the issue sets no target for it; the
/// demo's open target is shown for reference).
fn big_migration_review(data_dir: &Path, checklists: &Checklists) -> Result<[Row; 2]> {
    let entries = analyse_all(vec![big_migration_change()?], checklists);
    let mut app = App::new(context(data_dir, checklists)?, entries);
    let raw_view = [KeyCode::Enter, KeyCode::Char('r')];
    let opening = time_open(&mut app, &raw_view)?;
    press(&mut app, &raw_view);
    let raw = app.review.as_ref().is_some_and(|review| review.raw);
    ensure!(raw, "the review should be open on the raw diff");
    let mut terminal = terminal()?;
    let frame = time_frames(&mut terminal, &app)?;
    ensure!(
        screen_contains(&terminal, "INSERT INTO"),
        "the review frame should show the migration text"
    );
    Ok([
        Row::timed("review frame, 20,000-line diff", &frame, FRAME_TARGET),
        Row::timed("open 20,000-line PR (raw) + draw", &opening, OPEN_TARGET),
    ])
}

/// Measure 3: from the demo queue, Enter on the riskiest PR plus the first full draw.
fn open_riskiest(data_dir: &Path, checklists: &Checklists, demo: Vec<PrEntry>) -> Result<Row> {
    let mut app = App::new(context(data_dir, checklists)?, demo);
    let figures = time_open(&mut app, &[KeyCode::Enter])?;
    press(&mut app, &[KeyCode::Enter]);
    ensure!(app.review.is_some(), "Enter should open the review");
    Ok(Row::timed(
        "open riskiest demo PR + first draw",
        &figures,
        OPEN_TARGET,
    ))
}

/// Times pressing `keys` on the queue plus the first draw, going back to the queue after each.
fn time_open(app: &mut App, keys: &[KeyCode]) -> Result<Figures> {
    let mut terminal = terminal()?;
    time_runs(|| {
        let start = Instant::now();
        press(app, keys);
        terminal.draw(|frame| draw(frame, black_box(&*app), &Theme::plain()))?;
        let elapsed = start.elapsed();
        press(app, &[KeyCode::Esc]);
        Ok(elapsed)
    })
}

/// The demo base plus a PR adding one migration of [`MIGRATION_LINES`] lines.
fn big_migration_change() -> Result<Change> {
    let mut change = demo_changes()?
        .into_iter()
        .next()
        .context("the demo has no PR")?;
    change.head = change.base.clone();
    change.head.insert(
        "prisma/migrations/20261124120000_seed_tags/migration.sql",
        seed_migration(MIGRATION_LINES),
    );
    change.meta.number = 9_001;
    change.meta.title = "Seed the tag catalogue".to_owned();
    change.meta.branch = "seed-tags".to_owned();
    Ok(change)
}

/// A Prisma-style migration of `lines` lines: a comment, then one tag INSERT per line.
fn seed_migration(lines: usize) -> String {
    let inserts = (1..lines).map(|tag| {
        format!(
            "INSERT INTO \"Tag\" (\"id\", \"name\") VALUES ('tag-{tag:05}', 'Tag number {tag}');\n"
        )
    });
    std::iter::once("-- Seed the tag catalogue\n".to_owned())
        .chain(inserts)
        .collect()
}

/// A test terminal of the bench size.
fn terminal() -> Result<Terminal<TestBackend>> {
    Ok(Terminal::new(TestBackend::new(WIDTH, HEIGHT))?)
}

/// Times [`RUNS`] draws of `app` on `terminal`.
fn time_frames(terminal: &mut Terminal<TestBackend>, app: &App) -> Result<Figures> {
    time_runs(|| {
        let start = Instant::now();
        terminal.draw(|frame| draw(frame, black_box(app), &Theme::plain()))?;
        Ok(start.elapsed())
    })
}

/// Calls `run` [`WARM_UP`] times untimed, then [`RUNS`] times; `run` returns the time it took.
fn time_runs(mut run: impl FnMut() -> Result<Duration>) -> Result<Figures> {
    for _ in 0..WARM_UP {
        run()?;
    }
    let times = (0..RUNS).map(|_| run()).collect::<Result<Vec<_>>>()?;
    Ok(figures_of(times))
}

/// Presses each key in turn.
fn press(app: &mut App, codes: &[KeyCode]) {
    for code in codes {
        app.handle_key(KeyEvent::from(*code));
    }
}

/// Whether the last drawn screen contains `text` on one row.
fn screen_contains(terminal: &Terminal<TestBackend>, text: &str) -> bool {
    let buffer = terminal.backend().buffer();
    let symbols: Vec<&str> = buffer.content().iter().map(|cell| cell.symbol()).collect();
    symbols
        .chunks(usize::from(WIDTH))
        .any(|row| row.concat().contains(text))
}

/// Median and p95 of `times` (zero when empty).
fn figures_of(mut times: Vec<Duration>) -> Figures {
    times.sort();
    let at = |fraction: f64| {
        let last = times.len().saturating_sub(1);
        // Rounded index into a non-empty sorted list; `get` covers the empty one.
        let index = (last as f64 * fraction).round() as usize;
        times.get(index).copied().unwrap_or_default()
    };
    Figures {
        median: at(0.5),
        p95: at(0.95),
    }
}

/// This process's resident set size in MB, from `/proc/self/status` (Linux).
fn resident_mb() -> Result<f64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let kilobytes: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmRSS line in /proc/self/status")?;
    Ok(kilobytes / 1024.0)
}

/// A duration in milliseconds, to the microsecond.
fn format_duration(duration: Duration) -> String {
    format!("{:.3} ms", duration.as_secs_f64() * 1_000.0)
}

/// Prints `rows` as a table with a header.
fn print_table(rows: &[Row]) {
    println!(
        "{:<36} {:>12} {:>12} {:>12}  met",
        "measure", "median", "p95", "target"
    );
    for row in rows {
        let met = if row.met { "yes" } else { "no" };
        println!(
            "{:<36} {:>12} {:>12} {:>12}  {met}",
            row.measure, row.median, row.p95, row.target
        );
    }
}
