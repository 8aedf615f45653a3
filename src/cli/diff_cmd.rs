//! `schemagate diff --base REV [--head REV]`: schema diff and cascade changes of a change.

use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;

use super::args::{DiffArgs, Format, GlobalArgs};
use super::input;
use super::output::emit;
use crate::analysis::cascade::CascadeChange;
use crate::analysis::diagnostic::Diagnostic;
use crate::analysis::diff::{FileDiff, SchemaDiff};
use crate::analysis::pipeline::{SetChange, SetSummary, analyze_change};
use crate::analysis::replay::SchemaEvent;
use crate::report::diff_text::render_set_change;
use crate::report::sanitize::sanitize_line;
use crate::report::schema_text::render_diagnostics;
use crate::report::style::Painter;

/// The JSON document of `schemagate diff --format json` (see docs/json.md).
#[derive(Serialize)]
struct DiffJson<'a> {
    base: &'a str,
    head: &'a str,
    sets: Vec<SetChangeJson<'a>>,
    diagnostics: Vec<&'a Diagnostic>,
}

#[derive(Serialize)]
struct SetChangeJson<'a> {
    set: SetSummary<'a>,
    changed_files: &'a [String],
    removed_files: &'a [String],
    schema_diff: &'a SchemaDiff,
    cascade_changes: &'a [CascadeChange],
    events: &'a [SchemaEvent],
    file_diffs: &'a [FileDiff],
    diagnostics: &'a [Diagnostic],
}

impl<'a> From<&'a SetChange> for SetChangeJson<'a> {
    fn from(change: &'a SetChange) -> Self {
        SetChangeJson {
            set: SetSummary::from(&change.head.set),
            changed_files: &change.changed_files,
            removed_files: &change.removed_files,
            schema_diff: &change.schema_diff,
            cascade_changes: &change.cascade_changes,
            events: &change.pr_events,
            file_diffs: &change.file_diffs,
            diagnostics: &change.head.diagnostics,
        }
    }
}

/// Runs the command.
pub fn run(global: &GlobalArgs, args: &DiffArgs) -> Result<ExitCode> {
    let checkout = input::Checkout::open(&args.path);
    let base = checkout.load(Some(&args.base), global)?;
    let head = checkout.load(args.head.as_deref(), global)?;
    let analysis = analyze_change(&base.files, &head.files, &input::detect_options(global));
    let wanted = global.set.as_deref().map(|s| s.trim_end_matches('/'));
    let sets: Vec<&SetChange> = analysis
        .sets
        .iter()
        .filter(|s| wanted.is_none_or(|w| s.head.set.root == w))
        .collect();
    let diagnostics: Vec<&Diagnostic> = base
        .diagnostics
        .iter()
        .chain(&head.diagnostics)
        .chain(&analysis.diagnostics)
        .collect();
    match args.format {
        Format::Json => super::output::print_json(&DiffJson {
            base: &base.description,
            head: &head.description,
            sets: sets.into_iter().map(SetChangeJson::from).collect(),
            diagnostics,
        })?,
        Format::Text => {
            let painter = Painter::for_stdout();
            emit(format!(
                "{} -> {}\n\n",
                sanitize_line(&base.description),
                sanitize_line(&head.description)
            ))?;
            if sets.is_empty() {
                emit("no migration sets at either revision\n")?;
            }
            for set in sets {
                emit(format!("{}\n", render_set_change(set, painter)))?;
            }
            let owned: Vec<Diagnostic> = diagnostics.into_iter().cloned().collect();
            emit(render_diagnostics(&owned, painter))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
