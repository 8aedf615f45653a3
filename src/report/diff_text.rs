//! A change (base -> head) as text: the structured schema diff, cascade growth, and the text
//! diff of each changed migration file.

use std::fmt::Write;

use super::cascade_text::render_cascade_change;
use super::sanitize::sanitize_line as clean;
use super::schema_text::{
    column_definition, column_line, foreign_key_line, index_line, render_diagnostics,
};
use super::style::{Painter, Role};
use crate::analysis::diff::{DiffLine, FileDiff, FileStatus, SchemaDiff, TableDiff};
use crate::analysis::pipeline::SetChange;

/// One set's change: heading, schema diff, cascade changes, file diffs, diagnostics.
pub fn render_set_change(change: &SetChange, painter: Painter) -> String {
    let set = &change.head.set;
    let mut out = format!(
        "{}\n",
        painter.paint(
            Role::Heading,
            &format!(
                "{} ({}, {}): {} migration file(s) changed, {} removed",
                clean(&set.root),
                set.framework,
                set.dialect,
                change.changed_files.len(),
                change.removed_files.len()
            )
        )
    );
    out.push_str("\nSchema diff:\n");
    let schema = render_schema_diff(&change.schema_diff, painter);
    out.push_str(if schema.is_empty() {
        "  (no schema change)\n"
    } else {
        &schema
    });
    out.push_str("\nCascade changes:\n");
    if change.cascade_changes.is_empty() {
        out.push_str("  (no cascade path added or widened)\n");
    }
    for cascade in &change.cascade_changes {
        for line in render_cascade_change(cascade, painter).lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    for file in &change.file_diffs {
        out.push('\n');
        out.push_str(&render_file_diff(file, painter));
    }
    let diagnostics = render_diagnostics(&change.head.diagnostics, painter);
    if !diagnostics.is_empty() {
        out.push('\n');
        out.push_str(&diagnostics);
    }
    out
}

/// The structured schema diff, `+` added, `-` removed, `~` changed; empty when nothing changed.
pub fn render_schema_diff(diff: &SchemaDiff, painter: Painter) -> String {
    let mut out = String::new();
    let add = |s: &str| painter.paint(Role::Added, s);
    let del = |s: &str| painter.paint(Role::Removed, s);
    for table in &diff.tables_added {
        let _ = writeln!(out, "  {}", add(&format!("+ table {}", clean(&table.name))));
        let mut body = String::new();
        super::schema_text::render_table(&mut body, table, Painter::new(false));
        for line in body.lines().skip(1) {
            let _ = writeln!(out, "    {}", add(&format!("+ {}", line.trim_start())));
        }
    }
    for table in &diff.tables_removed {
        let _ = writeln!(
            out,
            "  {}",
            del(&format!(
                "- table {} ({} columns)",
                clean(&table.name),
                table.columns.len()
            ))
        );
    }
    for table in &diff.tables_changed {
        render_table_diff(&mut out, table, painter);
    }
    out
}

fn render_table_diff(out: &mut String, table: &TableDiff, painter: Painter) {
    let heading = match &table.renamed_from {
        Some(from) => format!(
            "~ table {} (renamed from {})",
            clean(&table.table),
            clean(from)
        ),
        None => format!("~ table {}", clean(&table.table)),
    };
    let _ = writeln!(out, "  {}", painter.paint(Role::Changed, &heading));
    let mut line = |role: Role, text: String| {
        let _ = writeln!(out, "    {}", painter.paint(role, &text));
    };
    for c in &table.columns_added {
        line(
            Role::Added,
            format!("+ column {}", column_line(c, 0, 0).trim_end()),
        );
    }
    for c in &table.columns_removed {
        line(
            Role::Removed,
            format!("- column {}", column_line(c, 0, 0).trim_end()),
        );
    }
    for (from, to) in &table.columns_renamed {
        line(
            Role::Changed,
            format!("~ column {} renamed to {}", clean(from), clean(to)),
        );
    }
    for c in &table.columns_changed {
        line(
            Role::Changed,
            format!(
                "~ column {}: {}  ->  {}",
                clean(&c.name),
                column_definition(&c.before, 0).trim_end(),
                column_definition(&c.after, 0).trim_end()
            ),
        );
    }
    for i in &table.indexes_added {
        line(Role::Added, format!("+ {}", index_line(i)));
    }
    for i in &table.indexes_removed {
        line(Role::Removed, format!("- {}", index_line(i)));
    }
    for fk in &table.foreign_keys_added {
        line(Role::Added, format!("+ {}", foreign_key_line(fk)));
    }
    for fk in &table.foreign_keys_removed {
        line(Role::Removed, format!("- {}", foreign_key_line(fk)));
    }
    for change in &table.foreign_keys_changed {
        line(
            Role::Changed,
            format!(
                "~ {}  (was ON DELETE {} ON UPDATE {})",
                foreign_key_line(&change.after),
                change.before.on_delete,
                change.before.on_update
            ),
        );
    }
}

/// Whether `line` does not follow the line numbered `previous` (old, new): a new hunk.
fn starts_new_hunk(previous: (Option<usize>, Option<usize>), line: &DiffLine) -> bool {
    let jumps = |before: Option<usize>, now: Option<usize>| match (before, now) {
        (Some(before), Some(now)) => now != before + 1,
        _ => false,
    };
    jumps(previous.0, line.old_line) || jumps(previous.1, line.new_line)
}

/// A migration file's text diff with old/new line numbers.
pub fn render_file_diff(file: &FileDiff, painter: Painter) -> String {
    let status = match file.status {
        FileStatus::Added => "added",
        FileStatus::Removed => "removed",
        FileStatus::Modified => "modified",
    };
    let mut out = format!(
        "{}\n",
        painter.paint(Role::Heading, &format!("{} ({status})", clean(&file.path)))
    );
    let number = |n: Option<usize>| n.map_or_else(|| "    ".to_owned(), |n| format!("{n:>4}"));
    let mut previous: Option<(Option<usize>, Option<usize>)> = None;
    for l in &file.lines {
        if previous.is_some_and(|p| starts_new_hunk(p, l)) {
            let _ = writeln!(out, "{}", painter.paint(Role::Dim, "          ..."));
        }
        previous = Some((l.old_line, l.new_line));
        let role = match l.tag {
            '+' => Role::Added,
            '-' => Role::Removed,
            _ => Role::Dim,
        };
        let _ = writeln!(
            out,
            "{} {} {}",
            painter.paint(
                Role::Dim,
                &format!("{} {}", number(l.old_line), number(l.new_line))
            ),
            painter.paint(role, &l.tag.to_string()),
            painter.paint(role, &clean(&l.text))
        );
    }
    out
}
