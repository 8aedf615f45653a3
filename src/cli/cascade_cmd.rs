//! `schemagate cascade --from TABLE`: what deleting one row of a table does.

use std::process::ExitCode;

use anyhow::{Result, bail};
use serde::Serialize;

use super::args::{CascadeArgs, Format, GlobalArgs};
use super::input;
use super::output::{chosen_sets, emit, print_json, set_heading};
use crate::analysis::cascade::{CascadeReport, cascade_from};
use crate::analysis::pipeline::{SetSummary, analyze_tree};
use crate::report::cascade_text::render_cascade;
use crate::report::sanitize::sanitize_line;
use crate::report::style::Painter;

/// The JSON document of `schemagate cascade --format json` (see docs/json.md).
#[derive(Serialize)]
struct CascadeJson<'a> {
    set: SetSummary<'a>,
    #[serde(flatten)]
    report: &'a CascadeReport,
}

/// Runs the command.
pub fn run(global: &GlobalArgs, args: &CascadeArgs) -> Result<ExitCode> {
    let loaded = input::load_tree(&args.path, args.at.as_deref(), global)?;
    let analysis = analyze_tree(&loaded.files, &input::detect_options(global));
    let sets = chosen_sets(&analysis, global.set.as_deref(), &loaded.description)?;
    let with_table: Vec<_> = sets
        .iter()
        .filter(|s| s.schema.table(&args.from).is_some())
        .collect();
    let set = match with_table.as_slice() {
        [one] => *one,
        [] => {
            let tables: Vec<_> = sets
                .iter()
                .flat_map(|s| &s.schema.tables)
                .map(|t| sanitize_line(&t.name).into_owned())
                .collect();
            bail!(
                "no table {} in {}; tables: {}",
                sanitize_line(&args.from),
                loaded.description,
                tables.join(", ")
            );
        }
        _ => bail!(
            "table {} exists in several migration sets; choose one with --set DIR",
            sanitize_line(&args.from)
        ),
    };
    let cascade_schema = set.cascade_schema();
    let Some(report) = cascade_from(&cascade_schema, &args.from) else {
        bail!("no table {}", sanitize_line(&args.from));
    };
    match args.format {
        Format::Json => print_json(&CascadeJson {
            set: SetSummary::from(&set.set),
            report: &report,
        })?,
        Format::Text => {
            emit(format!("{}\n\n", set_heading(set)))?;
            emit(render_cascade(&report, Painter::for_stdout()))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
