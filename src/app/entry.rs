//! One PR as the console holds it: the change, its report, and what the console shows beside it.

use super::analyse::{Analysed, Sides, analyse};
use super::cascade_tree::{CascadeTree, cascade_trees};
use crate::analysis::conflicts::{PrFootprint, PrId};
use crate::analysis::detect::DetectOptions;
use crate::analysis::diff::FileDiff;
use crate::check::{PrReport, ReportInputs};
use crate::review::{Checklists, Timestamp};
use crate::source::change::{Change, PrMeta};
use crate::source::demo::{DemoError, demo_changes};

/// A PR in the queue, analysed.
pub struct PrEntry {
    /// The PR's metadata (untrusted: sanitize before drawing). Its file trees are not kept:
    /// once analysed, the report and the diffs are all the console shows.
    pub meta: PrMeta,
    /// The same report `schemagate check` prints.
    pub report: PrReport,
    /// When the PR was last updated, when its timestamp could be read.
    pub updated_at: Option<Timestamp>,
    /// Text diffs of the migration files the PR adds, changes or removes.
    pub file_diffs: Vec<FileDiff>,
    /// The cascade tree of every root whose cascade the PR grows.
    pub cascade_trees: Vec<CascadeTree>,
    /// What its migrations touch (tables, columns, versions), to find conflicts between PRs.
    pub footprint: PrFootprint,
    /// Approvals GitHub already holds on the head commit (the gates want one before a CRITICAL
    /// PR is approved); 0 for a local source.
    pub approvals_at_head: usize,
    /// What GitHub shows of the PR's reviews and `schemagate/data-review` status, in one line
    /// (untrusted: sanitize before drawing); `None` for a local source.
    pub github_status: Option<String>,
}

/// How far the analysis of a review item goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    /// Everything the review shows, SQLite histories run on a scratch database among it.
    Review,
    /// What the queue needs to triage (the risk and its reasons do not depend on running
    /// anything): no SQLite history is run.
    Triage,
}

impl PrEntry {
    /// Analyses `change` and builds its report (running SQLite histories on a scratch database).
    pub fn analyse(change: Change, checklists: &Checklists) -> PrEntry {
        PrEntry::analyse_with(change, checklists, &DetectOptions::default())
    }

    /// [`PrEntry::analyse`] with the detection options of a configured repository.
    pub fn analyse_with(
        change: Change,
        checklists: &Checklists,
        options: &DetectOptions,
    ) -> PrEntry {
        PrEntry::analyse_to(Depth::Review, change, checklists, options)
    }

    /// Analyses `change` as deep as `depth` says, with the detection options of its repository.
    pub fn analyse_to(
        depth: Depth,
        change: Change,
        checklists: &Checklists,
        options: &DetectOptions,
    ) -> PrEntry {
        let sides = Sides {
            base: &change.base,
            head: &change.head,
            base_label: change.meta.base_sha.clone(),
            head_label: change.meta.head_sha.clone(),
        };
        let inputs = ReportInputs {
            pr_body: Some(&change.meta.body),
            sample_db: None,
            execute: depth == Depth::Review,
        };
        let Analysed { analysis, report } = analyse(sides, options, checklists, inputs);
        let updated_at = Timestamp::parse(&change.meta.updated_at).ok();
        let cascade_trees = analysis.sets.iter().flat_map(cascade_trees).collect();
        let footprint = PrFootprint::new(
            PrId {
                repo: change.meta.repo.clone(),
                number: change.meta.number,
            },
            &analysis.sets,
        );
        let file_diffs = analysis
            .sets
            .into_iter()
            .flat_map(|set| set.file_diffs)
            .collect();
        PrEntry {
            meta: change.meta,
            report,
            updated_at,
            file_diffs,
            cascade_trees,
            footprint,
            approvals_at_head: 0,
            github_status: None,
        }
    }

    /// Number of migration files the PR adds, changes or removes.
    pub fn migrations(&self) -> usize {
        self.report
            .sets
            .iter()
            .map(|s| s.changed_files.len() + s.removed_files.len())
            .sum()
    }
}

/// Analyses every change.
pub fn analyse_all(changes: Vec<Change>, checklists: &Checklists) -> Vec<PrEntry> {
    changes
        .into_iter()
        .map(|change| PrEntry::analyse(change, checklists))
        .collect()
}

/// The embedded demo's PRs, analysed.
///
/// # Errors
/// [`DemoError`] when the embedded demo data is malformed.
pub fn demo_entries(checklists: &Checklists) -> Result<Vec<PrEntry>, DemoError> {
    Ok(analyse_all(demo_changes()?, checklists))
}
