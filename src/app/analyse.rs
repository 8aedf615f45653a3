//! Analysing a change into its report: the one way `check`, `queue`, `submit` and the console
//! turn a base and a head into findings, a checklist and evidence.

use crate::analysis::detect::DetectOptions;
use crate::analysis::fileset::FileSet;
use crate::analysis::pipeline::{ChangeAnalysis, analyze_change};
use crate::check::{PrReport, ReportInputs, build_report};
use crate::review::Checklists;

/// A change analysed, and the report built from it.
pub struct Analysed {
    /// What the migrations of both sides are and how they differ.
    pub analysis: ChangeAnalysis,
    /// The report `schemagate check` prints.
    pub report: PrReport,
}

/// The two sides of a change and what its report says they are.
pub struct Sides<'a> {
    /// The files at the base.
    pub base: &'a FileSet,
    /// The files at the head.
    pub head: &'a FileSet,
    /// How the report names the base (a commit, a revision).
    pub base_label: String,
    /// How the report names the head.
    pub head_label: String,
}

/// Analyses `sides` with `options` and builds the report with `checklists` and `inputs`.
pub fn analyse(
    sides: Sides<'_>,
    options: &DetectOptions,
    checklists: &Checklists,
    inputs: ReportInputs<'_>,
) -> Analysed {
    let analysis = analyze_change(sides.base, sides.head, options);
    let report = build_report(
        &analysis,
        checklists,
        inputs,
        sides.base_label,
        sides.head_label,
    );
    Analysed { analysis, report }
}
