//! Cascade rules: ON DELETE CASCADE paths the PR adds, and which tables they newly reach.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

use super::Finding;
use super::catalog::{CASCADE_INTO_NEW_TABLE, CASCADE_WIDENED};
use super::context::Context;
use crate::analysis::cascade::{CascadeChange, CascadeGraph, CascadePath};
use crate::analysis::replay::{Location, SchemaChange};
use crate::analysis::schema::ReferentialAction;

/// How many new paths a message spells out before summarising the rest.
const PATHS_SHOWN: usize = 3;

/// Findings for every root whose cascade grew.
pub(super) fn cascade_findings(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let renames = Renames {
        base_names: renamed_tables(ctx),
        base_graph: OnceCell::new(),
    };
    for change in &ctx.change.cascade_changes {
        if let Some(finding) = cascade_finding(ctx, change, &renames) {
            out.push(finding);
        }
    }
}

/// The PR's table renames, and the base cascade graph to look up old names in (built on first
/// use: most changes rename nothing).
struct Renames {
    /// Base names by lowercase head name.
    base_names: HashMap<String, String>,
    /// The base schema's cascade graph.
    base_graph: OnceCell<Option<CascadeGraph>>,
}

impl Renames {
    /// The base name of a table the PR renamed.
    fn base_name(&self, table: &str) -> Option<String> {
        self.base_names.get(&table.to_ascii_lowercase()).cloned()
    }

    /// Lowercase names of the tables a delete of `root` reached at base.
    fn reached_at_base(&self, ctx: &Context<'_>, root: &str) -> HashSet<String> {
        let graph = self.base_graph.get_or_init(|| {
            let base = ctx.change.base.as_ref()?;
            Some(CascadeGraph::new(&base.cascade_schema()))
        });
        graph
            .as_ref()
            .and_then(|graph| graph.report(root))
            .map(|report| {
                report
                    .tables_reached
                    .iter()
                    .map(|t| t.to_ascii_lowercase())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Base names of the tables the PR renames, by lowercase head name (chains followed).
fn renamed_tables(ctx: &Context<'_>) -> HashMap<String, String> {
    let mut renames: HashMap<String, String> = HashMap::new();
    for event in &ctx.change.pr_events {
        if let SchemaChange::RenameTable { from, to } = &event.change {
            let base = renames
                .remove(&from.to_ascii_lowercase())
                .unwrap_or_else(|| from.clone());
            renames.insert(to.to_ascii_lowercase(), base);
        }
    }
    renames
}

/// The tables newly reached from the root, less those only renamed: a table that the root's
/// cascade already reached at base under its old name is no new blast radius.
fn newly_reached<'c>(
    ctx: &Context<'_>,
    change: &'c CascadeChange,
    renames: &Renames,
) -> Vec<&'c String> {
    let involves_rename = renames.base_name(&change.root).is_some()
        || change
            .newly_reached
            .iter()
            .any(|t| renames.base_name(t).is_some());
    if !involves_rename {
        return change.newly_reached.iter().collect();
    }
    let base_root = renames
        .base_name(&change.root)
        .unwrap_or_else(|| change.root.clone());
    let reached_at_base = renames.reached_at_base(ctx, &base_root);
    change
        .newly_reached
        .iter()
        .filter(|table| {
            !renames
                .base_name(table)
                .is_some_and(|old| reached_at_base.contains(&old.to_ascii_lowercase()))
        })
        .collect()
}

/// `cascade-widened` when the cascade newly reaches tables that hold data from before the PR,
/// `cascade-into-new-table` when it only reaches tables the PR creates, else nothing.
fn cascade_finding(
    ctx: &Context<'_>,
    change: &CascadeChange,
    renames: &Renames,
) -> Option<Finding> {
    let (existing, new): (Vec<&String>, Vec<&String>) = newly_reached(ctx, change, renames)
        .into_iter()
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
        "deleting {} now also deletes every row in {} ({})",
        crate::analysis::cascade::one_row_of(&change.root),
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

/// `new CASCADE path A -> B -> C` (several paths separated by `;`, the rest counted). A path
/// that is the start of a longer one is left out.
fn describe_paths(paths: &[CascadePath]) -> String {
    let prefixes: Vec<&[String]> = paths
        .iter()
        .map(cascading_prefix)
        .filter(|tables| tables.len() >= 2)
        .collect();
    let mut shown: Vec<String> = Vec::new();
    for tables in &prefixes {
        let extended = prefixes
            .iter()
            .any(|other| other.len() > tables.len() && other.starts_with(tables));
        let text = tables.join(" -> ");
        if !extended && !shown.contains(&text) {
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

/// The (child, parent) pairs, lowercase, of the CASCADE edges of the new paths.
fn cascade_edges(change: &CascadeChange) -> HashSet<(String, String)> {
    let mut edges = HashSet::new();
    for path in &change.added_paths {
        for pair in cascading_prefix(path).windows(2) {
            if let [parent, child] = pair {
                edges.insert((child.to_ascii_lowercase(), parent.to_ascii_lowercase()));
            }
        }
    }
    edges
}

/// Where the finding points: for a relation emulated by the Prisma client, the schema.prisma
/// file that declares it; else the PR statement that adds a CASCADE foreign key of a new path
/// (an `ALTER TABLE ... ADD FOREIGN KEY`, or the `CREATE TABLE` / table rewrite declaring it);
/// else the PR's first migration.
fn location(ctx: &Context<'_>, change: &CascadeChange) -> (String, usize) {
    let prisma = ctx.change.head.set.prisma_schema_files.first();
    let migration = ctx.change.changed_files.first();
    let emulated = change.added_paths.iter().any(|p| p.emulated);
    if let Some(file) = prisma.or(migration).filter(|_| emulated) {
        return (file.clone(), 0);
    }
    let edges = cascade_edges(change);
    let children: HashSet<&str> = edges.iter().map(|(child, _)| child.as_str()).collect();
    let declares_edge = |change: &SchemaChange| match change {
        SchemaChange::AddForeignKey { table, foreign_key } => {
            foreign_key.on_delete == ReferentialAction::Cascade
                && edges.contains(&(
                    table.to_ascii_lowercase(),
                    foreign_key.ref_table.to_ascii_lowercase(),
                ))
        }
        SchemaChange::CreateTable { table } | SchemaChange::RedefineTable { table, .. } => {
            children.contains(table.to_ascii_lowercase().as_str())
        }
        _ => false,
    };
    let statement = ctx
        .change
        .pr_events
        .iter()
        .find(|event| declares_edge(&event.change));
    if let Some(Location { file, line }) = statement.map(|event| &event.at) {
        return (file.clone(), *line);
    }
    let fallback = migration.or(prisma).unwrap_or(&ctx.change.head.set.root);
    (fallback.clone(), 0)
}
