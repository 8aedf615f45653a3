//! Cascade rules: ON DELETE CASCADE paths the PR adds, and which tables they newly reach.

use std::collections::HashSet;

use super::Finding;
use super::catalog::{CASCADE_INTO_NEW_TABLE, CASCADE_WIDENED};
use super::context::Context;
use crate::analysis::cascade::{CascadeChange, CascadePath};
use crate::analysis::replay::{Location, SchemaChange};
use crate::analysis::schema::ReferentialAction;

/// How many new paths a message spells out before summarising the rest.
const PATHS_SHOWN: usize = 3;

/// Findings for every root whose cascade grew.
pub(super) fn cascade_findings(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for change in &ctx.change.cascade_changes {
        if let Some(finding) = cascade_finding(ctx, change) {
            out.push(finding);
        }
    }
}

/// `cascade-widened` when the cascade newly reaches tables that hold data from before the PR,
/// `cascade-into-new-table` when it only reaches tables the PR creates, else nothing.
fn cascade_finding(ctx: &Context<'_>, change: &CascadeChange) -> Option<Finding> {
    let (existing, new): (Vec<&String>, Vec<&String>) = change
        .newly_reached
        .iter()
        .partition(|table| !ctx.is_created_by_pr(table));
    let (rule, reached) = if !existing.is_empty() {
        (&CASCADE_WIDENED, existing)
    } else if !new.is_empty() {
        (&CASCADE_INTO_NEW_TABLE, new)
    } else {
        return None;
    };
    let reached: Vec<&str> = reached.into_iter().map(String::as_str).collect();
    let mut message = format!(
        "deleting a {} row now also deletes every row in {} ({})",
        change.root,
        reached.join(", "),
        describe_paths(&change.added_paths)
    );
    if rule.id == CASCADE_INTO_NEW_TABLE.id {
        message.push_str("; only tables created by this change are reached");
    }
    if change.added_paths.iter().any(|p| p.emulated) {
        message.push_str(
            "; emulated by the Prisma client (relationMode = \"prisma\"): no database foreign key does this, so deletes outside Prisma behave differently",
        );
    }
    let (file, line) = location(ctx, change);
    Some(Finding::new(rule, file, line, message).on_table(&change.root))
}

/// `new CASCADE path A -> B -> C` (several paths separated by `;`, the rest counted).
fn describe_paths(paths: &[CascadePath]) -> String {
    let mut shown: Vec<String> = Vec::new();
    for path in paths {
        let tables = cascading_prefix(path);
        if tables.len() < 2 {
            continue;
        }
        let text = tables.join(" -> ");
        if !shown.contains(&text) {
            shown.push(text);
        }
    }
    let hidden = shown.len().saturating_sub(PATHS_SHOWN);
    shown.truncate(PATHS_SHOWN);
    let noun = if shown.len() + hidden == 1 {
        "path"
    } else {
        "paths"
    };
    let mut text = format!("new CASCADE {noun} {}", shown.join("; "));
    if hidden > 0 {
        text.push_str(&format!("; and {hidden} more"));
    }
    text
}

/// The tables of a path up to where its ON DELETE CASCADE edges stop.
fn cascading_prefix(path: &CascadePath) -> &[String] {
    let cascading = path
        .actions
        .iter()
        .take_while(|action| **action == ReferentialAction::Cascade)
        .count();
    let end = (cascading + 1).min(path.tables.len());
    path.tables.get(..end).unwrap_or_default()
}

/// Where the finding points: the PR statement adding a CASCADE foreign key on one of the new
/// paths; else (an emulated relation) the schema.prisma file; else the PR's first migration.
fn location(ctx: &Context<'_>, change: &CascadeChange) -> (String, usize) {
    let edges: HashSet<(String, String)> = change
        .added_paths
        .iter()
        .flat_map(|path| {
            let tables = cascading_prefix(path);
            tables
                .windows(2)
                .filter_map(|pair| match pair {
                    [parent, child] => {
                        Some((child.to_ascii_lowercase(), parent.to_ascii_lowercase()))
                    }
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let statement = ctx
        .change
        .pr_events
        .iter()
        .find_map(|event| match &event.change {
            SchemaChange::AddForeignKey { table, foreign_key }
                if foreign_key.on_delete == ReferentialAction::Cascade
                    && edges.contains(&(
                        table.to_ascii_lowercase(),
                        foreign_key.ref_table.to_ascii_lowercase(),
                    )) =>
            {
                Some(&event.at)
            }
            _ => None,
        });
    if let Some(Location { file, line }) = statement {
        return (file.clone(), *line);
    }
    let prisma = ctx.change.head.set.prisma_schema_files.first();
    let migration = ctx.change.changed_files.first();
    let fallback = if change.added_paths.iter().any(|p| p.emulated) {
        prisma.or(migration)
    } else {
        migration.or(prisma)
    };
    let fallback = fallback.unwrap_or(&ctx.change.head.set.root).clone();
    (fallback, 0)
}
