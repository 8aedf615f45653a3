//! `schemagate schema`: the replayed schema of a tree.

use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;

use super::args::{Format, GlobalArgs, SchemaArgs};
use super::input;
use super::output::{chosen_sets, emit, one_set, print_json, set_heading};
use crate::analysis::diagnostic::Diagnostic;
use crate::analysis::pipeline::{SetSummary, analyze_tree};
use crate::analysis::schema::{EnumType, Table};
use crate::report::schema_text::{render_diagnostics, render_schema};
use crate::report::style::Painter;

/// The JSON document of `schemagate schema --format json` (see docs/json.md).
#[derive(Serialize)]
struct SchemaJson<'a> {
    set: SetSummary<'a>,
    tables: &'a [Table],
    enums: &'a [EnumType],
    diagnostics: Vec<&'a Diagnostic>,
}

/// Runs the command.
pub fn run(global: &GlobalArgs, args: &SchemaArgs) -> Result<ExitCode> {
    let loaded = input::load_tree(&args.path, args.at.as_deref(), global)?;
    let analysis = analyze_tree(&loaded.files, &input::detect_options(global));
    let tree_diagnostics = loaded.diagnostics.iter().chain(&analysis.diagnostics);
    match args.format {
        Format::Json => {
            let set = one_set(&analysis, global.set.as_deref(), &loaded.description)?;
            print_json(&SchemaJson {
                set: SetSummary::from(&set.set),
                tables: &set.schema.tables,
                enums: &set.schema.enums,
                diagnostics: tree_diagnostics.chain(&set.diagnostics).collect(),
            })?;
        }
        Format::Text => {
            let painter = Painter::for_stdout();
            let sets = chosen_sets(&analysis, global.set.as_deref(), &loaded.description)?;
            for set in sets {
                emit(format!("{}\n\n", set_heading(set)))?;
                emit(render_schema(&set.schema, &set.diagnostics, painter))?;
            }
            let tree_diagnostics: Vec<Diagnostic> = tree_diagnostics.cloned().collect();
            emit(render_diagnostics(&tree_diagnostics, painter))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
