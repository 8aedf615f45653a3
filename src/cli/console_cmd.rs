//! `schemagate` with no subcommand: the review console. Its queue is the open PRs of the
//! configured GitHub repositories (verdicts are posted as reviews), or with `--repo PATH` the
//! local checkout's branches and fetched PR refs (verdicts go to the local decision log, marked
//! as not sent). Either way the PRs are analysed on a background thread while the console runs.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;

use super::args::{ConsoleArgs, GlobalArgs};
use super::console_github;
use super::github_setup::load_config;
use super::input::{detect_options, reviewer_name, team_checklists, working_data_dir};
use crate::config::Config;
use crate::config::theme::DEFAULT_THEME;
use crate::review::{Checklists, SystemClock};
use crate::source::offline::OfflineSource;
use crate::tui::app::App;
use crate::tui::context::{Context, LocalCheckout};
use crate::tui::history::GitHubHistory;
use crate::tui::keys::Keymap;
use crate::tui::offline::OfflineLoad;
use crate::tui::submitter::Submitter;
use crate::tui::theme::Theme;
use crate::tui::worker::Worker;

/// Said when there is nothing to review.
const NO_SOURCE: &str = "no repositories to review: configure some with `schemagate config \
     --init` (then edit the file it writes), or review a local checkout with `schemagate --repo \
     PATH`, or try the embedded demo with `schemagate demo`";

/// Runs the console.
pub fn run(global: &GlobalArgs, args: &ConsoleArgs) -> anyhow::Result<ExitCode> {
    let config = load_config(global)?;
    if args.repo.is_none() && config.repos.is_empty() {
        anyhow::bail!(NO_SOURCE);
    }
    let theme = load_theme(args.theme.as_deref(), &config)?;
    let checklists = team_checklists(None)?;
    let mut context = console_context(checklists.clone())?;
    let mut app = match &args.repo {
        Some(path) => {
            let options = detect_options(global);
            let source =
                open_checkout(path, args.base.as_deref())?.with_detect_options(options.clone());
            let checkout = LocalCheckout {
                repo: source.repo_name().to_owned(),
                path: path.clone(),
            };
            let load = OfflineLoad {
                source,
                checklists,
                options,
            };
            let mut app = App::loading(context, Arc::new(load));
            app.local_checkout = Some(checkout);
            app
        }
        None => {
            let github = console_github::open(global, &config, &checklists, &context.data_dir)?;
            context.submitter = github.submitter;
            let history: Arc<dyn GitHubHistory> = github.source.clone();
            context.github_history = Some(history);
            App::loading(context, github.source)
        }
    };
    app.keymap = Keymap::with_config(&config.keybindings);
    app.refresh_every = config.refresh_interval_secs.map(Duration::from_secs);
    crate::tui::run(&mut app, &theme)?;
    Ok(ExitCode::SUCCESS)
}

/// The console's colours: `--theme` (`flag`), else the config file's `theme`, else dark
/// (NO_COLOR turns colours off).
///
/// # Errors
/// The theme chosen does not exist.
pub(super) fn load_theme(flag: Option<&str>, config: &Config) -> anyhow::Result<Theme> {
    Ok(Theme::load(
        theme_name(flag, config),
        Theme::no_color_from_env(),
    )?)
}

/// The name of the theme chosen: `flag`, else the config's, else [`DEFAULT_THEME`].
fn theme_name<'a>(flag: Option<&'a str>, config: &'a Config) -> &'a str {
    flag.or(config.theme.as_deref()).unwrap_or(DEFAULT_THEME)
}

/// The checkout at `path`, with its base branch.
fn open_checkout(path: &Path, base: Option<&str>) -> anyhow::Result<OfflineSource> {
    OfflineSource::open(path, base).with_context(|| {
        format!(
            "reading {} as a git checkout (pass --base BRANCH when it has no main or master)",
            path.display()
        )
    })
}

/// What the console needs from outside: the data directory, the reviewer (`USER`), the
/// system clock, and `checklists`.
///
/// # Errors
/// No data directory can be found.
pub(super) fn console_context(checklists: Checklists) -> anyhow::Result<Context> {
    let data_dir = working_data_dir()?;
    let reviewer = reviewer_name();
    Ok(Context {
        data_dir,
        reviewer,
        clock: Arc::new(SystemClock),
        checklists,
        submitter: Submitter::local(),
        github_history: None,
        worker: Worker::threads(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_theme_flag_wins_over_the_config_which_wins_over_dark() {
        let none = Config::default();
        let light = Config {
            theme: Some("light".to_owned()),
            ..Config::default()
        };
        assert_eq!(theme_name(None, &none), "dark");
        assert_eq!(theme_name(None, &light), "light");
        assert_eq!(theme_name(Some("high-contrast"), &light), "high-contrast");
        assert_eq!(theme_name(Some("dark"), &light), "dark");
        assert!(load_theme(Some("sepia"), &none).is_err());
        assert!(load_theme(None, &light).is_ok());
    }
}
