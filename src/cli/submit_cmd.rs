//! `schemagate submit`: post a verdict on a GitHub pull request with the checklist state saved
//! for it, or (`--retry`) send what waits in the outbox. See docs/submit.md.
//!
//! Exit codes: 0 sent (with `--retry`: nothing left waiting), 1 refused (by the gates or by
//! GitHub; with `--retry`: an entry GitHub refused, or a damaged outbox file set aside), 2 usage
//! or configuration errors (with `--discard`: nothing was changed, the message says why), 3
//! queued in the outbox (with `--retry`: entries still waiting).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::args::{GlobalArgs, SubmitArgs};
use super::github_setup::{connect, load_config, network_runtime, repo_detect_options};
use super::input::{reviewer_name, team_checklists, working_data_dir};
use crate::analysis::detect::DetectOptions;
use crate::app::draft::{DraftOrigin, open_draft};
use crate::app::entry::PrEntry;
use crate::app::verdict::{VerdictInputs, decision, gate, submission};
use crate::config::{RepoConfig, is_repo_name};
use crate::github::cache::ContentCache;
use crate::github::contents::short;
use crate::github::dispatch::{RetryOutcome, SendOutcome, retry, send};
use crate::github::inline::fetch_diff_lines;
use crate::github::outbox::{MAX_AUTOMATIC_AGE_SECS, MAX_AUTOMATIC_ATTEMPTS, Outbox, verdict_name};
use crate::github::remote::fetch_pr;
use crate::github::submit::{Delivered, SubmitError};
use crate::github::unsettled::{Discarded, Fate, Settled, discard, settle_unsettled};
use crate::github::{GitHub, GitHubError};
use crate::report::review_body::verdict_label;
use crate::report::sanitize::{sanitize_line, sanitize_text};
use crate::review::{
    Checklists, Clock, DecisionLog, Draft, DraftChange, DraftStore, SystemClock, Timestamp, Verdict,
};

/// Refused by the gates or by GitHub.
const EXIT_REFUSED: u8 = 1;

/// Queued in the outbox (or, with `--retry`, still waiting there).
const EXIT_QUEUED: u8 = 3;

/// Runs the command.
pub fn run(global: &GlobalArgs, args: &SubmitArgs) -> Result<ExitCode> {
    let config = load_config(global)?;
    let data = working_data_dir()?;
    // octocrab starts its connection task when the client is built: inside the runtime.
    let runtime = network_runtime()?;
    let _inside = runtime.enter();
    if args.retry {
        let client = connect(global, &config)?;
        return runtime.block_on(retry_outbox(&client, &data));
    }
    if let Some(id) = &args.discard {
        let client = connect(global, &config)?;
        return runtime.block_on(discard_verdict(&client, &data, id));
    }
    let (Some(repo), Some(pr), Some(verdict)) = (&args.repo, args.pr, args.verdict) else {
        anyhow::bail!("--repo, --pr and --verdict are required (or --retry, or --discard ID)");
    };
    if !is_repo_name(repo) {
        anyhow::bail!("--repo takes OWNER/NAME, not `{}`", sanitize_line(repo));
    }
    let summary = match &args.body_file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("reading --body-file {}", path.display()))?,
        ),
        None => None,
    };
    let repo_config = config
        .repos
        .iter()
        .find(|r| r.name.eq_ignore_ascii_case(repo))
        .cloned()
        .unwrap_or_else(|| RepoConfig {
            name: repo.clone(),
            ..Default::default()
        });
    let client = connect(global, &config)?;
    let cache = ContentCache::open_default()?;
    let request = Request {
        client: &client,
        cache: &cache,
        options: repo_detect_options(global, &repo_config),
        repo_config: &repo_config,
        pr,
        verdict: verdict.into(),
        summary: summary.as_deref(),
        data: &data,
    };
    runtime.block_on(submit(request))
}

/// Everything one submit needs.
struct Request<'a> {
    client: &'a GitHub,
    cache: &'a ContentCache,
    options: DetectOptions,
    repo_config: &'a RepoConfig,
    pr: u64,
    verdict: Verdict,
    summary: Option<&'a str>,
    data: &'a Path,
}

/// Fetches and analyses the PR, checks the gates with the saved checklist, and sends.
async fn submit(request: Request<'_>) -> Result<ExitCode> {
    let Request {
        client,
        pr,
        verdict,
        ..
    } = request;
    let repo = request.repo_config.name.as_str();
    let (remote, change) = match fetch_pr(client, request.cache, request.repo_config, pr).await {
        Ok(fetched) => fetched,
        Err(error) => return Ok(github_refused(&format!("reading {repo}#{pr}"), &error)),
    };
    // What the contents could not tell (a damaged cache entry fetched again, a truncated tree).
    for note in &remote.notes {
        eprintln!("note: {}", sanitize_line(note));
    }
    let checklists = team_checklists(None)?;
    let mut entry = PrEntry::analyse_with(change, &checklists, &request.options);
    let head = entry.meta.head_sha.clone();
    entry.approvals_at_head = remote.approvals_at(&head);
    let clock = SystemClock;
    let reviewer = reviewer_name();
    let store = DraftStore::new(request.data);
    let draft = load_draft(&store, repo, pr, &head, &entry.report.evidence_texts())?;
    let gates = Gates {
        verdict,
        entry: &entry,
        checklists: &checklists,
    };
    if let Some(refused) = gates.refusal(&draft, false) {
        return Ok(refused);
    }
    let diff = match fetch_diff_lines(client, repo, pr).await {
        Ok(diff) => diff,
        Err(error) => {
            return Ok(github_refused(
                &format!("listing the files of {repo}#{pr}"),
                &error,
            ));
        }
    };
    // Merged with what a console may have saved meanwhile: what is posted is checked again.
    let draft = store
        .apply(
            repo,
            pr,
            &head,
            &[DraftChange::Verdict(Some(verdict))],
            clock.now(),
        )?
        .draft;
    if let Some(refused) = gates.refusal(&draft, true) {
        return Ok(refused);
    }
    let inputs = VerdictInputs {
        entry: &entry,
        draft: &draft,
        verdict,
        reviewer: &reviewer,
        now: clock.now(),
    };
    let submission = submission(&inputs, request.summary, Some(&diff));
    let comments = submission.comments.len();
    let decision = decision(&inputs);
    settle_unsettled_verdicts(client, request.data, clock.now()).await?;
    let outbox = Outbox::in_dir(request.data);
    let log = DecisionLog::in_dir(request.data);
    let outcome = send(client, submission, decision, &outbox, &log, clock.now()).await?;
    Ok(report_outcome(verdict, comments, outcome))
}

/// What the gates of one verdict on one PR are checked against.
struct Gates<'a> {
    verdict: Verdict,
    entry: &'a PrEntry,
    checklists: &'a Checklists,
}

impl Gates<'_> {
    /// Checks the gates with `draft`'s checklist; when they refuse, says why (`merged`: the
    /// draft as merged with a console's changes since the first check) and gives the exit
    /// code. Notes a suggested Block on the first check.
    fn refusal(&self, draft: &Draft, merged: bool) -> Option<ExitCode> {
        let Gates { verdict, entry, .. } = *self;
        let gates = gate(entry, verdict, self.checklists, draft);
        if !merged && gates.suggest_block && verdict != Verdict::Block {
            eprintln!("note: a CRITICAL finding is open; Block is suggested");
        }
        if gates.allowed() {
            return None;
        }
        if merged {
            eprintln!("the checklist was changed meanwhile (by a console on this data directory):");
        }
        eprintln!(
            "{} refused by the gates ({} reason(s)); nothing was sent:",
            verdict_label(verdict),
            gates.refusals.len()
        );
        for refusal in &gates.refusals {
            eprintln!("- {}", sanitize_line(&refusal.to_string()));
        }
        eprintln!("tick or waive the items in the console (`schemagate`), then submit again");
        Some(ExitCode::from(EXIT_REFUSED))
    }
}

/// The draft of the PR at `head` as the console opens it ([`open_draft`]), saying on stderr
/// where it came from.
fn load_draft(
    store: &DraftStore,
    repo: &str,
    pr: u64,
    head: &str,
    evidence: &BTreeMap<String, String>,
) -> Result<Draft> {
    let opened = open_draft(store, repo, pr, head, evidence, SystemClock.now())?;
    for aside in &opened.set_aside {
        eprintln!(
            "warning: a saved checklist could not be read ({}); it was moved to {}",
            aside.error,
            aside.path.display()
        );
    }
    match &opened.origin {
        DraftOrigin::Saved => {}
        DraftOrigin::CarriedOver { from_head } => {
            eprintln!(
                "note: the checklist of {repo}#{pr} was carried over from {} (the PR moved)",
                short(from_head)
            );
            for item in &opened.draft.second_look {
                eprintln!(
                    "warning: look again at `{}`: its evidence changed since it was ticked",
                    sanitize_line(item)
                );
            }
        }
        DraftOrigin::Adopted { from_repo } => eprintln!(
            "note: using the checklist saved offline for {}#{pr} at {} (`schemagate --repo \
             PATH`)",
            sanitize_line(from_repo),
            short(head)
        ),
        DraftOrigin::New => eprintln!(
            "note: no saved checklist for {repo}#{pr} at {}: every item is open (an Approve \
             fails the gates; tick items in the console first)",
            short(head)
        ),
    }
    Ok(opened.draft)
}

/// Prints what became of the submit; the exit code.
fn report_outcome(verdict: Verdict, comments: usize, outcome: SendOutcome) -> ExitCode {
    match outcome {
        SendOutcome::Sent(delivered) => {
            println!(
                "sent: {} with {comments} inline comment(s){}\n{}",
                verdict_label(verdict),
                reuse_note(&delivered),
                sanitize_line(&delivered.url)
            );
            ExitCode::SUCCESS
        }
        SendOutcome::Queued {
            id,
            reason,
            next_attempt_at,
        } => {
            println!(
                "queued in the outbox as {id} ({}); `schemagate submit --retry` sends it \
                 (back-off until {next_attempt_at})",
                sanitize_line(&reason)
            );
            ExitCode::from(EXIT_QUEUED)
        }
        SendOutcome::Refused(error) => {
            print_refusal(&error);
            ExitCode::from(EXIT_REFUSED)
        }
        SendOutcome::SentByAnother(delivered) => {
            println!(
                "sent by another schemagate (the console or a `submit --retry`) while this one \
                 waited: {}\n{}",
                verdict_label(verdict),
                sanitize_line(&delivered.url)
            );
            ExitCode::SUCCESS
        }
        SendOutcome::Superseded { by } => {
            eprintln!(
                "not sent: a newer verdict on this PR ({}) was logged meanwhile by another \
                 schemagate; this one is logged as superseded",
                sanitize_line(&by)
            );
            ExitCode::from(EXIT_REFUSED)
        }
        SendOutcome::NotSent { reason } => {
            eprintln!(
                "not sent: another schemagate settled it while this one waited: {}",
                sanitize_line(&reason)
            );
            eprintln!("your ticks and the chosen verdict are kept in the draft");
            ExitCode::from(EXIT_REFUSED)
        }
    }
}

/// What a delivery that found its review already posted adds to "sent".
fn reuse_note(delivered: &Delivered) -> &'static str {
    if delivered.reused {
        " (found already posted; completed the rest)"
    } else {
        ""
    }
}

fn print_refusal(error: &SubmitError) {
    eprintln!("not sent: {}", sanitize_text(&error.to_string()));
    eprintln!("{}", error.advice());
}

/// A read before anything was sent failed: nothing to queue, nothing lost.
fn github_refused(what: &str, error: &GitHubError) -> ExitCode {
    eprintln!("{what} failed: {}", sanitize_text(&error.to_string()));
    eprintln!("nothing was sent; your ticks are kept in the draft");
    ExitCode::from(EXIT_REFUSED)
}

/// Settles the verdicts whose send stopped before the outbox kept them (see
/// [`crate::github::unsettled`]) and says what became of each; whether one needs the reviewer
/// (not sent, or not looked up).
async fn settle_unsettled_verdicts(client: &GitHub, data: &Path, now: Timestamp) -> Result<bool> {
    let settled = settle_unsettled(
        client,
        &Outbox::in_dir(data),
        &DecisionLog::in_dir(data),
        now,
    )
    .await?;
    let mut attention = false;
    for Settled { id, intent, fate } in &settled {
        let name = verdict_name(intent, id);
        match fate {
            Fate::Delivered(delivered) => println!(
                "logged as delivered: {name}: its send stopped before the outbox kept it, but \
                 GitHub has its review (its commit status and label were not set)\n{}",
                sanitize_line(&delivered.url)
            ),
            Fate::NotSent => {
                eprintln!(
                    "not sent: {name}: its send stopped before the outbox kept it and GitHub \
                     has no review of it (logged as not sent); submit it again"
                );
                attention = true;
            }
            Fate::LookupFailed(error) => {
                eprintln!(
                    "unsettled: {name}: its send stopped before the outbox kept it, and looking \
                     its review up failed: {}; tried again on the next retry, or {}",
                    sanitize_text(&error.to_string()),
                    discard_hint(id)
                );
                attention = true;
            }
        }
    }
    Ok(attention)
}

/// How to give up the verdict `id`.
fn discard_hint(id: &str) -> String {
    format!(
        "`schemagate submit --discard {}` gives it up",
        sanitize_line(id)
    )
}

/// `--discard ID`: gives the verdict up (logged as delivered when GitHub has it).
async fn discard_verdict(client: &GitHub, data: &Path, id: &str) -> Result<ExitCode> {
    let outbox = Outbox::in_dir(data);
    let log = DecisionLog::in_dir(data);
    let (intent, discarded) = discard(client, &outbox, &log, id, SystemClock.now()).await?;
    let name = verdict_name(&intent, id);
    match discarded {
        Discarded::WasDelivered(delivered) => println!(
            "logged as delivered, not discarded: {name}: GitHub has its review\n{}",
            sanitize_line(&delivered.url)
        ),
        Discarded::NotSent => {
            println!("discarded: {name}: logged as not sent, and removed from the outbox")
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `--retry`: settles the verdicts whose send stopped before the outbox kept them, then sends
/// every outbox entry (whatever its back-off says: the reviewer asked).
async fn retry_outbox(client: &GitHub, data: &Path) -> Result<ExitCode> {
    let now = SystemClock.now();
    let mut code = 0;
    if settle_unsettled_verdicts(client, data, now).await? {
        code = EXIT_REFUSED;
    }
    let report = retry(
        client,
        &Outbox::in_dir(data),
        &DecisionLog::in_dir(data),
        now,
        false,
    )
    .await?;
    for aside in &report.set_aside {
        eprintln!(
            "warning: a damaged outbox file was moved to {} ({}); look at it and submit again",
            aside.path.display(),
            aside.error
        );
        code = EXIT_REFUSED;
    }
    if report.retried.is_empty() && report.set_aside.is_empty() && report.busy.is_empty() {
        println!("the outbox is empty");
    }
    for busy in &report.busy {
        println!(
            "being sent by another schemagate right now: {}",
            busy.name()
        );
        if code == 0 {
            code = EXIT_QUEUED;
        }
    }
    for retried in &report.retried {
        let entry = &retried.entry;
        let name = entry.name();
        match &retried.result {
            Ok(RetryOutcome::Sent(delivered)) => println!(
                "sent: {name}{}\n{}",
                reuse_note(delivered),
                sanitize_line(&delivered.url)
            ),
            Ok(RetryOutcome::Superseded { by }) => println!(
                "never sent: {name}: superseded by the newer verdict {} (logged)",
                sanitize_line(by)
            ),
            Ok(RetryOutcome::AlreadyRecorded) => {
                println!("removed: {name}: the decision log already records it")
            }
            Ok(RetryOutcome::StillFailing { error, kept }) if error.keeps_entry() => {
                let attention = if kept.needs_attention(now) {
                    format!(
                        "; it needs attention: after {MAX_AUTOMATIC_ATTEMPTS} attempts or {} \
                         days it is no longer sent automatically, only by `submit --retry` (or \
                         {})",
                        MAX_AUTOMATIC_AGE_SECS / 86_400,
                        discard_hint(&entry.submission.id)
                    )
                } else {
                    String::new()
                };
                println!(
                    "still waiting: {name} (attempt {}, {}): {}{attention}",
                    kept.attempts,
                    kept.state.label(),
                    sanitize_line(&error.to_string())
                );
                if code == 0 {
                    code = EXIT_QUEUED;
                }
            }
            Ok(RetryOutcome::StillFailing { error, .. }) => {
                eprintln!("refused: {name}: {}", sanitize_text(&error.to_string()));
                eprintln!(
                    "{}; the entry stays in the outbox (not sent automatically any more) until \
                     `submit --retry` gets it through, or {}",
                    error.advice(),
                    discard_hint(&entry.submission.id)
                );
                code = EXIT_REFUSED;
            }
            Ok(RetryOutcome::Refused(error)) => {
                eprintln!("refused: {name}: {}", sanitize_text(&error.to_string()));
                eprintln!("{}", error.advice());
                code = EXIT_REFUSED;
            }
            Err(error) => {
                eprintln!("{name}: {}", sanitize_text(&error.to_string()));
                code = EXIT_REFUSED;
            }
        }
    }
    Ok(ExitCode::from(code))
}
