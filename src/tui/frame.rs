//! The frame that holds the screens: the title bar, the screen on top (the queue, a review, the
//! audit screen), the verdict dialog over a review, the help over everything; a note when the
//! terminal is too small.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::app::{App, Overlay};
use super::strings;
use super::theme::Theme;
use super::views::{MIN_HEIGHT, MIN_WIDTH, audit, clean, help, queue, review, verdict};
use crate::app::entry::PrEntry;

/// Draws the whole console.
pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = Paragraph::new(Span::styled(strings::TOO_SMALL, theme.accent))
            .wrap(Wrap { trim: true });
        frame.render_widget(text, area);
        return;
    }
    let [title, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    frame.render_widget(title_bar(app, theme), title);
    match (&app.review, app.open_entry(), &app.audit) {
        (Some(review), Some(entry), _) => {
            review::draw(frame, body, review, entry, &app.keymap, theme);
        }
        (None, _, Some(audit)) => {
            audit::draw(
                frame,
                body,
                audit,
                &app.context.checklists,
                &app.keymap,
                theme,
            );
        }
        _ => queue::draw(frame, body, &app.queue_view(), theme),
    }
    if let (Overlay::Verdict(state), Some(entry)) = (&app.overlay, app.open_entry()) {
        verdict::draw(frame, area, state, entry, &app.keymap, theme);
    }
    if app.help {
        help::draw(frame, area, app.screen(), &app.keymap, theme);
    }
}

/// `schemagate · demo/meal-planner #104 title`, or the PR count on the queue.
fn title_bar<'a>(app: &'a App, theme: &Theme) -> Paragraph<'a> {
    let mut spans = vec![Span::styled(strings::APP_TITLE, theme.accent)];
    match app.open_entry() {
        None if app.audit.is_some() => {
            spans.push(Span::styled(strings::AUDIT_TITLE_BAR, theme.dim));
        }
        Some(entry) => {
            let meta = &entry.meta;
            spans.push(Span::raw(format!(
                " · {} #{} ",
                clean(&meta.repo),
                meta.number
            )));
            spans.push(Span::styled(clean(&meta.title).into_owned(), theme.text));
        }
        None => spans.push(Span::styled(queue_summary(&app.entries), theme.dim)),
    }
    Paragraph::new(Line::from(spans))
}

/// ` · demo/meal-planner · 9 open PRs` (the repo named when every PR is in the same one).
fn queue_summary(entries: &[PrEntry]) -> String {
    let mut repos = entries.iter().map(|e| e.meta.repo.as_str());
    let first = repos.next();
    match first.filter(|first| repos.all(|repo| repo == *first)) {
        Some(repo) => format!(" · {} · {} open PRs", clean(repo), entries.len()),
        None => format!(" · {} open PRs", entries.len()),
    }
}
