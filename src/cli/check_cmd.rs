//! `schemagate check`: the headless review for CI. Findings with file:line and risk, the
//! checklist with its evidence, in text, JSON, markdown (the PR comment) or SARIF; the exit code
//! says whether the risk reached the threshold.

use std::process::ExitCode;

use anyhow::{Context, Result};

use super::args::{CheckArgs, CheckFormat, GlobalArgs};
use super::input::{self, Checkout, team_checklists};
use super::output::{emit, print_json};
use crate::analysis::rules::catalog;
use crate::app::analyse::{Analysed, Sides, analyse};
use crate::check::ReportInputs;
use crate::report::check_text::render_check_text;
use crate::report::markdown::render_markdown;
use crate::report::sarif::render_sarif;
use crate::report::style::Painter;
use crate::review::fails_ci;

/// Exit code when the risk reached `--fail-on`.
const EXIT_RISK: u8 = 1;

/// Runs the command.
pub fn run(global: &GlobalArgs, args: &CheckArgs) -> Result<ExitCode> {
    let checkout = Checkout::open(&args.path);
    let base_rev = match &args.base {
        Some(rev) => rev.clone(),
        None => default_base(&checkout, args.head.as_deref())?,
    };
    let base = checkout.load(Some(&base_rev), global)?;
    let head = checkout.load(args.head.as_deref(), global)?;
    let checklists = team_checklists(args.checklists.as_deref())?;
    let pr_body = match &args.pr_body {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("reading --pr-body {}", path.display()))?,
        ),
        None => None,
    };
    let inputs = ReportInputs {
        pr_body: pr_body.as_deref(),
        sample_db: args.sample_db.as_deref(),
        execute: true,
    };
    let sides = Sides {
        base: &base.files,
        head: &head.files,
        base_label: base.description,
        head_label: head.description,
    };
    let options = input::detect_options(global);
    let Analysed {
        analysis,
        mut report,
    } = analyse(sides, &options, &checklists, inputs);
    report.diagnostics.extend(base.diagnostics);
    report.diagnostics.extend(head.diagnostics);
    match args.format {
        CheckFormat::Text => emit(render_check_text(&report, Painter::for_stdout()))?,
        CheckFormat::Json => print_json(&report)?,
        CheckFormat::Markdown => emit(render_markdown(&report))?,
        CheckFormat::Sarif => print_json(&render_sarif(&report.findings, catalog()))?,
    }
    let reached = fails_ci(&report.findings, args.fail_on);
    // The process ends right after this: freeing every syntax tree first would only cost time.
    std::mem::forget(analysis);
    std::mem::forget(report);
    Ok(if reached {
        ExitCode::from(EXIT_RISK)
    } else {
        ExitCode::SUCCESS
    })
}

/// The merge base of the head (or `HEAD`) with the repository's default branch.
fn default_base(checkout: &Checkout, head: Option<&str>) -> Result<String> {
    let repo = checkout
        .repo()
        .context("without --base, the base is found with git: pass --base REV")?;
    let branch = repo
        .default_branch()
        .context("finding the default branch for the base (pass --base REV)")?;
    let head = head.unwrap_or("HEAD");
    repo.merge_base(&branch, head)
        .with_context(|| format!("finding the merge base of {branch} and {head} (pass --base REV)"))
}
