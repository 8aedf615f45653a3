//! `schemagate queue` without PATH: the open pull requests of the config file's repositories (or
//! of one `--section`), loaded from GitHub ([`load_queue`], in a tokio runtime built here: async
//! stays at this edge) and analysed as each arrives, with the same analysis as the offline queue.
//!
//! A repository that fails is reported on stderr (and in the JSON `errors`) while the others
//! are still listed; the exit code is 0 when at least one repository loaded, 2 when none did.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use serde::Serialize;
use tokio::sync::mpsc;

use super::{conflicts_text, conflicts_with_line, failures_text};
use crate::analysis::conflicts::Conflict;
use crate::analysis::rules::Risk;
use crate::app::entry::{Depth, PrEntry};
use crate::app::queue::{Conflicts, age_seconds, age_text, sort_queue};
use crate::cli::EXIT_ERROR;
use crate::cli::args::{Format, GlobalArgs, QueueArgs};
use crate::cli::github_setup::{connect, load_config, network_runtime, repo_detect_options};
use crate::cli::input::team_checklists;
use crate::cli::output::{emit, print_json};
use crate::config::{Config, RepoConfig, SectionConfig};
use crate::github::budget::Budget;
use crate::github::cache::ContentCache;
use crate::github::contents::short;
use crate::github::pull_request::{DataReviewStatus, PrReview, RemotePr, ReviewState};
use crate::github::remote::{QueueEvent, load_queue};
use crate::report::sanitize::sanitize_line;
use crate::review::{Checklists, Clock, SystemClock, Timestamp};

/// Runs the GitHub queue.
pub(super) fn run(global: &GlobalArgs, args: &QueueArgs) -> Result<ExitCode> {
    let config = load_config(global)?;
    if config.repos.is_empty() {
        bail!(
            "no repositories are configured: list them as [[repos]] entries (name = \"owner/name\") \
             in the config file (`schemagate config --init` writes a commented example; \
             --config FILE points at another file). `schemagate queue PATH` lists the PR \
             branches of a local checkout offline, without GitHub"
        );
    }
    let section = chosen_section(&config, args.section.as_deref())?;
    // `--base` narrows every repository to PRs targeting that branch.
    let repos: Vec<RepoConfig> = config
        .repos
        .iter()
        .map(|repo| RepoConfig {
            base: args.base.clone().or_else(|| repo.base.clone()),
            ..repo.clone()
        })
        .collect();
    let cache = ContentCache::open_default().context("opening the download cache")?;
    let checklists = team_checklists(None)?;
    let runtime = network_runtime()?;
    // The client's transport starts its background work on the runtime it is built in.
    let _entered = runtime.enter();
    let client = connect(global, &config)?;
    let now = SystemClock.now();
    let (sender, mut receiver) = mpsc::unbounded_channel();
    let mut collected = Collected {
        progress: std::io::stderr().is_terminal(),
        ..Collected::default()
    };
    runtime.block_on(async {
        let loading = load_queue(&client, &cache, &repos, section, sender);
        let receiving = async {
            while let Some(event) = receiver.recv().await {
                if collected.take(event, global, &config, &checklists) {
                    break;
                }
            }
        };
        tokio::join!(loading, receiving);
    });
    let queue = collected.into_queue(&config, section, now);
    for error in &queue.errors {
        eprintln!(
            "schemagate: {}: {}",
            sanitize_line(&error.repo),
            sanitize_line(&error.message)
        );
    }
    for warning in &queue.warnings {
        eprintln!("schemagate: warning: {}", sanitize_line(warning));
    }
    match args.format {
        Format::Text => emit(render_text(&queue))?,
        Format::Json => print_json(&queue)?,
    }
    if queue.loaded_repos == 0 {
        eprintln!("schemagate: no repository could be loaded");
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    Ok(ExitCode::SUCCESS)
}

/// The section named by `--section`, if any.
fn chosen_section<'a>(
    config: &'a Config,
    title: Option<&str>,
) -> Result<Option<&'a SectionConfig>> {
    let Some(title) = title else {
        return Ok(None);
    };
    match config.sections.iter().find(|s| s.title == title) {
        Some(section) => Ok(Some(section)),
        None => {
            let titles: Vec<String> = config
                .sections
                .iter()
                .map(|s| format!("`{}`", s.title))
                .collect();
            let known = if titles.is_empty() {
                "the config file defines none".to_owned()
            } else {
                format!("it defines {}", titles.join(", "))
            };
            bail!("no queue section titled `{title}` in the config file ({known})")
        }
    }
}

/// What arrived while loading.
#[derive(Default)]
struct Collected {
    /// Whether to say on stderr what is loading (when it is a terminal).
    progress: bool,
    entries: Vec<(RemotePr, PrEntry)>,
    without_migrations: usize,
    errors: Vec<RepoError>,
    warnings: Vec<String>,
    budget: Option<Budget>,
    loaded_repos: usize,
}

impl Collected {
    /// Takes one event in; `true` once loading finished.
    fn take(
        &mut self,
        event: QueueEvent,
        global: &GlobalArgs,
        config: &Config,
        checklists: &Checklists,
    ) -> bool {
        match event {
            QueueEvent::RepoStarted { repo } => self.say(&format!("loading {repo}")),
            QueueEvent::Listed {
                repo,
                prs,
                without_migrations,
            } => {
                self.without_migrations += without_migrations;
                self.say(&format!(
                    "{repo}: {prs} PR(s) touching migrations, reading their files"
                ));
            }
            QueueEvent::PrLoaded { repo, pr, change } => {
                let options = config
                    .repos
                    .iter()
                    .find(|r| r.name == repo)
                    .map(|r| repo_detect_options(global, r))
                    .unwrap_or_default();
                let entry = PrEntry::analyse_to(Depth::Triage, *change, checklists, &options);
                if entry.report.sets.is_empty() {
                    self.without_migrations += 1;
                } else {
                    self.entries.push((*pr, entry));
                }
            }
            QueueEvent::RepoFailed { repo, error } => self.errors.push(RepoError {
                repo,
                message: error.to_string(),
            }),
            QueueEvent::RepoDone { repo } => {
                self.loaded_repos += 1;
                self.say(&format!("{repo}: done"));
            }
            QueueEvent::Warning { message } => self.warnings.push(message),
            QueueEvent::Budget(budget) => {
                self.say(&format!(
                    "GitHub API: {} point(s) spent, {} of {} left",
                    budget.spent, budget.remaining, budget.limit
                ));
                self.budget = Some(budget);
            }
            QueueEvent::Finished => return true,
        }
        false
    }

    /// A progress line on stderr, when it is a terminal.
    fn say(&self, line: &str) {
        if self.progress {
            eprintln!("schemagate: {}", sanitize_line(line));
        }
    }

    /// The queue in the console's order, conflicts found.
    fn into_queue(
        mut self,
        config: &Config,
        section: Option<&SectionConfig>,
        now: Timestamp,
    ) -> GitHubQueue {
        sort_queue(&mut self.entries, |(_, entry)| entry);
        let conflicts = Conflicts::between(self.entries.iter().map(|(_, entry)| entry));
        let prs = self
            .entries
            .iter()
            .map(|(pr, entry)| GitHubEntry::new(pr, entry, &conflicts, now))
            .collect();
        let mut errors = self.errors;
        errors.sort_by(|a, b| a.repo.cmp(&b.repo));
        GitHubQueue {
            repos: config.repos.iter().map(|r| r.name.clone()).collect(),
            section: section.map(|s| s.title.clone()),
            prs,
            without_migrations: self.without_migrations,
            conflicts: conflicts.into_list(),
            errors,
            warnings: self.warnings,
            graphql_budget: self.budget,
            loaded_repos: self.loaded_repos,
        }
    }
}

/// The GitHub queue as printed (the JSON document of docs/json.md).
#[derive(Debug, Serialize)]
struct GitHubQueue {
    /// The configured repositories.
    repos: Vec<String>,
    /// The section used, if any.
    section: Option<String>,
    /// The PRs that change migrations, riskiest first, then longest waiting.
    prs: Vec<GitHubEntry>,
    /// Open PRs left out because they change no migration.
    without_migrations: usize,
    /// Conflicts between PRs of the same repository.
    conflicts: Vec<Conflict>,
    /// Repositories that could not be loaded.
    errors: Vec<RepoError>,
    /// What failed nothing but should be known (damaged cache entries fetched again).
    warnings: Vec<String>,
    /// GraphQL points this run spent and the budget left, when GitHub said.
    graphql_budget: Option<Budget>,
    /// How many repositories loaded completely.
    loaded_repos: usize,
}

/// One pull request of the GitHub queue (every string from GitHub sanitized).
#[derive(Debug, Serialize)]
struct GitHubEntry {
    repo: String,
    number: u64,
    url: String,
    title: String,
    author: String,
    draft: bool,
    branch: String,
    base_branch: String,
    base_sha: String,
    head_sha: String,
    updated_at: String,
    age_seconds: i64,
    /// The age as the queue shows it (`5h`).
    #[serde(skip)]
    age: String,
    risk: Risk,
    reasons: Vec<String>,
    migrations_changed: usize,
    labels: Vec<String>,
    reviews: Vec<ReviewEntry>,
    data_review: Option<DataReviewStatus>,
    skipped_files: Vec<String>,
    notes: Vec<String>,
    conflicts_with: Vec<u64>,
}

/// One review as listed.
#[derive(Debug, Serialize)]
struct ReviewEntry {
    author: String,
    state: ReviewState,
    submitted_at: Option<String>,
    commit: Option<String>,
    at_head: bool,
    by_schemagate: bool,
}

/// A repository that failed.
#[derive(Debug, Serialize)]
struct RepoError {
    repo: String,
    message: String,
}

impl GitHubEntry {
    /// The entry of `pr`, analysed into `entry`.
    fn new(pr: &RemotePr, entry: &PrEntry, conflicts: &Conflicts, now: Timestamp) -> GitHubEntry {
        let meta = &pr.meta;
        let clean = |text: &str| sanitize_line(text).into_owned();
        GitHubEntry {
            repo: clean(&meta.repo),
            number: meta.number,
            url: clean(&pr.url),
            title: clean(&meta.title),
            author: clean(&meta.author),
            draft: meta.draft,
            branch: clean(&meta.branch),
            base_branch: clean(&pr.base_branch),
            base_sha: clean(&meta.base_sha),
            head_sha: clean(&meta.head_sha),
            updated_at: clean(&meta.updated_at),
            age_seconds: age_seconds(now, entry.updated_at),
            age: age_text(now, entry.updated_at),
            risk: entry.report.risk,
            reasons: entry.report.reasons.clone(),
            migrations_changed: entry.migrations(),
            labels: pr.labels.iter().map(|l| clean(l)).collect(),
            reviews: pr
                .reviews
                .iter()
                .map(|r| review_entry(r, &meta.head_sha))
                .collect(),
            data_review: pr.data_review_status.as_ref().map(|s| DataReviewStatus {
                state: s.state,
                description: s.description.as_deref().map(clean),
            }),
            skipped_files: pr
                .skipped
                .iter()
                .map(|s| format!("{} ({})", clean(&s.path), s.reason))
                .collect(),
            notes: pr.notes.iter().map(|n| clean(n)).collect(),
            conflicts_with: conflicts.partners(&entry.footprint.pr),
        }
    }
}

fn review_entry(review: &PrReview, head: &str) -> ReviewEntry {
    let clean = |text: &str| sanitize_line(text).into_owned();
    ReviewEntry {
        author: clean(&review.author),
        state: review.state,
        submitted_at: review.submitted_at.as_deref().map(clean),
        commit: review.commit.as_deref().map(clean),
        at_head: review.is_at(head),
        by_schemagate: review.by_schemagate,
    }
}

/// The queue for people.
fn render_text(queue: &GitHubQueue) -> String {
    let scope = match &queue.section {
        Some(title) => format!(", section `{}`", sanitize_line(title)),
        None => String::new(),
    };
    let mut out = format!(
        "GitHub: {} pull request(s) touching migrations in {} of {} repositories{scope}, riskiest first\n",
        queue.prs.len(),
        queue.loaded_repos,
        queue.repos.len(),
    );
    if queue.without_migrations > 0 {
        out.push_str(&format!(
            "{} PR(s) without migration changes left out\n",
            queue.without_migrations
        ));
    }
    if !queue.prs.is_empty() {
        out.push_str("\nRISK      PR                          AGE  MIGRATIONS  TITLE\n");
    }
    for entry in &queue.prs {
        out.push_str(&entry_text(entry));
    }
    out.push_str(&conflicts_text(&queue.conflicts, true));
    out.push_str(&failures_text(
        "Repositories that could not be loaded",
        queue
            .errors
            .iter()
            .map(|e| (e.repo.as_str(), e.message.as_str())),
    ));
    out
}

/// One PR: its line, then its reviews, data-review status, skipped files and conflicts.
fn entry_text(entry: &GitHubEntry) -> String {
    let draft = if entry.draft { ", draft" } else { "" };
    let id = format!("{}#{}", entry.repo, entry.number);
    let mut out = format!(
        "{:<8}  {:<26} {:>4}  {:>10}  {}  ({}{draft})\n",
        entry.risk.label(),
        id,
        entry.age,
        entry.migrations_changed,
        entry.title,
        entry.author,
    );
    if !entry.reviews.is_empty() {
        let reviews: Vec<String> = entry.reviews.iter().map(review_text).collect();
        out.push_str(&format!("          reviews: {}\n", reviews.join("; ")));
    }
    if let Some(status) = &entry.data_review {
        let description = status
            .description
            .as_deref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        out.push_str(&format!(
            "          data review: {}{description}\n",
            status.state.word()
        ));
    }
    for skipped in &entry.skipped_files {
        out.push_str(&format!("          not read: {skipped}\n"));
    }
    for note in &entry.notes {
        out.push_str(&format!("          note: {note}\n"));
    }
    out.push_str(&conflicts_with_line(&entry.conflicts_with));
    out
}

/// `dba-lead changes requested at 6dcb09b (current head, schemagate)`.
fn review_text(review: &ReviewEntry) -> String {
    let verdict = review.state.word();
    let author = if review.author.is_empty() {
        "ghost"
    } else {
        &review.author
    };
    let mut text = format!("{author} {verdict}");
    if let Some(commit) = &review.commit {
        let when = if review.at_head {
            "current head"
        } else {
            "older commit"
        };
        text.push_str(&format!(" at {} ({when}", short(commit)));
        if review.by_schemagate {
            text.push_str(", schemagate");
        }
        text.push(')');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_section_names_the_ones_there_are() {
        let config = Config {
            sections: vec![SectionConfig {
                title: "DB label".into(),
                filters: "label:db".into(),
            }],
            ..Config::default()
        };
        assert_eq!(chosen_section(&config, None).unwrap(), None);
        assert_eq!(
            chosen_section(&config, Some("DB label")).unwrap(),
            Some(&config.sections[0])
        );
        let error = chosen_section(&config, Some("Mine"))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("`Mine`") && error.contains("`DB label`"),
            "{error}"
        );
    }

    #[test]
    fn reviews_read_with_their_commit_and_whether_it_is_the_head() {
        let review = ReviewEntry {
            author: String::new(),
            state: ReviewState::Approved,
            submitted_at: None,
            commit: Some("6dcb09b5b57875f334f61aebed695e2e4193db5e".into()),
            at_head: false,
            by_schemagate: false,
        };
        assert_eq!(
            review_text(&review),
            "ghost approved at 6dcb09b (older commit)"
        );
    }
}
