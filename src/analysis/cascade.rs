//! The ON DELETE cascade graph: what deleting a row of a table does to the rest of the schema,
//! and how a PR changes that.
//!
//! The model is table-level, as if every table held rows referring to the deleted row and to
//! each other (`tests/cascade_oracle.rs` checks it against SQLite with exactly that data):
//! - `CASCADE` deletes the child's rows, whose own foreign keys then act in turn;
//! - `SET NULL` / `SET DEFAULT` modify the child's rows, which survive (no recursion);
//! - `RESTRICT` fails the delete as soon as the parent row goes, so it is reported even when the
//!   child table is deleted by the same statement (whether its rows are gone by then depends on
//!   the order the database fires actions: SQLite accepts one order of a diamond and refuses the
//!   other);
//! - `NO ACTION` is checked at the end of the statement, so it fails the delete only when the
//!   child table keeps its rows.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use serde::Serialize;

use super::schema::{Enforcement, ReferentialAction, Schema};

/// One path from a root table outwards along foreign keys (parent -> child).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CascadePath {
    /// Tables from the root outwards; `tables[0]` is the root.
    pub tables: Vec<String>,
    /// `actions[i]` is the ON DELETE action of the foreign key from `tables[i+1]` to `tables[i]`.
    pub actions: Vec<ReferentialAction>,
    /// Whether any edge on the path is emulated by the Prisma client rather than the database.
    pub emulated: bool,
}

/// A foreign key that makes a delete of the root fail while referring rows exist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Restriction {
    /// The referencing (child) table.
    pub table: String,
    /// Its referencing columns.
    pub columns: Vec<String>,
    /// The parent table whose delete it stops.
    pub parent: String,
    /// `RESTRICT` or `NO ACTION`.
    pub action: ReferentialAction,
}

/// What deleting one row of `root` does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CascadeReport {
    /// The table a row is deleted from.
    pub root: String,
    /// Every path from the root along foreign keys (each ending where the cascade stops).
    pub paths: Vec<CascadePath>,
    /// Tables (other than the root) that lose rows when a root row is deleted, sorted.
    pub tables_reached: Vec<String>,
    /// Tables whose rows survive but get columns set to NULL (or their default), sorted.
    pub tables_nulled: Vec<String>,
    /// Foreign keys that stop the delete while referring rows exist.
    pub restricted_by: Vec<Restriction>,
    /// Whether any part of this comes only from schema.prisma (`relationMode = "prisma"`).
    pub emulated: bool,
    /// Whether path enumeration stopped at its cap (the sets above are still complete).
    pub truncated: bool,
}

/// How a PR changes the cascade from one root.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CascadeChange {
    /// The root table.
    pub root: String,
    /// Paths present at head but not at base (by tables and actions).
    pub added_paths: Vec<CascadePath>,
    /// Tables that lose rows at head but did not at base (the blast radius grew by these).
    pub newly_reached: Vec<String>,
    /// Tables that get nulled at head but did not at base.
    pub newly_nulled: Vec<String>,
}

/// How many paths [`CascadeGraph::report`] enumerates per root before it stops and sets
/// [`CascadeReport::truncated`]. Dense schemas have exponentially many simple paths; the table sets
/// of a report are computed by a separate traversal and stay complete past this cap.
pub const MAX_PATHS_PER_ROOT: usize = 10_000;

/// One foreign key seen from its parent: the edge parent -> child of the cascade graph.
#[derive(Clone, Debug)]
struct Edge {
    /// Index of the child (referencing) table.
    child: usize,
    /// The `ON DELETE` action.
    action: ReferentialAction,
    /// The referencing columns on the child.
    columns: Vec<String>,
    /// Who enforces the foreign key.
    enforcement: Enforcement,
}

impl Edge {
    fn is_emulated(&self) -> bool {
        self.enforcement == Enforcement::PrismaClient
    }
}

/// The foreign-key graph of a schema (parent -> child), built once and queried per root.
///
/// Foreign keys whose parent table is not in the schema (dangling) are left out. Table names are
/// matched ASCII case-insensitively; reports use each table's name as declared.
#[derive(Clone, Debug)]
pub struct CascadeGraph {
    /// Table names as declared, indexed by node.
    names: Vec<String>,
    /// Lowercased table name -> node (the first table wins when names collide).
    by_name: HashMap<String, usize>,
    /// Position of each node in the case-insensitive order of names.
    rank: Vec<usize>,
    /// Outgoing edges (to children) of each node, ordered by child name then columns.
    children: Vec<Vec<Edge>>,
}

impl CascadeGraph {
    /// Builds the graph of `schema`.
    pub fn new(schema: &Schema) -> Self {
        let names: Vec<String> = schema.tables.iter().map(|t| t.name.clone()).collect();
        let mut by_name = HashMap::with_capacity(names.len());
        for (node, name) in names.iter().enumerate() {
            by_name.entry(name.to_ascii_lowercase()).or_insert(node);
        }
        let mut children: Vec<Vec<Edge>> = vec![Vec::new(); names.len()];
        for (child, table) in schema.tables.iter().enumerate() {
            if by_name.get(&table.name.to_ascii_lowercase()) != Some(&child) {
                continue; // a duplicate declaration; lookups never reach it
            }
            for fk in &table.foreign_keys {
                let Some(&parent) = by_name.get(&fk.ref_table.to_ascii_lowercase()) else {
                    continue;
                };
                if let Some(edges) = children.get_mut(parent) {
                    edges.push(Edge {
                        child,
                        action: fk.on_delete,
                        columns: fk.columns.clone(),
                        enforcement: fk.enforcement,
                    });
                }
            }
        }
        let rank = name_ranks(&names);
        let rank_of = |node: usize| rank.get(node).copied().unwrap_or(usize::MAX);
        for edges in &mut children {
            edges.sort_by(|a, b| {
                rank_of(a.child)
                    .cmp(&rank_of(b.child))
                    .then_with(|| a.columns.cmp(&b.columns))
                    .then_with(|| a.action.cmp(&b.action))
            });
        }
        CascadeGraph {
            names,
            rank,
            by_name,
            children,
        }
    }

    /// Table names in schema order (the possible roots).
    pub fn tables(&self) -> impl Iterator<Item = &str> {
        self.names
            .iter()
            .enumerate()
            .filter(|(node, name)| self.node(name) == Some(*node))
            .map(|(_, name)| name.as_str())
    }

    /// What deleting one row of `root` does; `None` when there is no such table.
    pub fn report(&self, root: &str) -> Option<CascadeReport> {
        self.report_capped(root, MAX_PATHS_PER_ROOT)
    }

    /// [`CascadeGraph::report`] with an explicit path cap.
    fn report_capped(&self, root: &str, max_paths: usize) -> Option<CascadeReport> {
        let root = self.node(root)?;
        let deleted = self.deleted_from(root);
        let (paths, truncated) = self.enumerate_paths(root, max_paths);
        Some(CascadeReport {
            root: self.name(root).to_string(),
            paths,
            tables_reached: self.sorted_names(deleted.iter().copied().filter(|&n| n != root)),
            tables_nulled: self.sorted_names(self.nulled(&deleted)),
            restricted_by: self.restrictions(&deleted),
            emulated: self.uses_emulated_edge(&deleted),
            truncated,
        })
    }

    fn node(&self, name: &str) -> Option<usize> {
        self.by_name.get(&name.to_ascii_lowercase()).copied()
    }

    fn name(&self, node: usize) -> &str {
        self.names.get(node).map_or("", String::as_str)
    }

    fn edges(&self, node: usize) -> &[Edge] {
        self.children.get(node).map_or(&[], Vec::as_slice)
    }

    /// The tables whose rows the delete removes: the root and everything reachable from it along
    /// `CASCADE` edges (breadth-first, each table once, so cycles terminate).
    fn deleted_from(&self, root: usize) -> BTreeSet<usize> {
        let mut deleted = BTreeSet::from([root]);
        let mut queue = VecDeque::from([root]);
        while let Some(parent) = queue.pop_front() {
            for edge in self.edges(parent) {
                if edge.action == ReferentialAction::Cascade && deleted.insert(edge.child) {
                    queue.push_back(edge.child);
                }
            }
        }
        deleted
    }

    /// The edges leaving a deleted table: the foreign keys the delete acts on.
    fn edges_fired<'a>(
        &'a self,
        deleted: &'a BTreeSet<usize>,
    ) -> impl Iterator<Item = (usize, &'a Edge)> + 'a {
        deleted
            .iter()
            .flat_map(move |&parent| self.edges(parent).iter().map(move |e| (parent, e)))
    }

    /// Tables that keep their rows but get a foreign key set to NULL or its default.
    ///
    /// A table that also loses rows is not listed: it is in `tables_reached` already.
    /// Setting a column that is itself a referenced parent key would fire that key's
    /// `ON UPDATE` actions in turn; those are not modelled.
    fn nulled(&self, deleted: &BTreeSet<usize>) -> BTreeSet<usize> {
        self.edges_fired(deleted)
            .filter(|(_, e)| is_set_action(e.action) && !deleted.contains(&e.child))
            .map(|(_, e)| e.child)
            .collect()
    }

    /// Foreign keys that make the delete fail while referring rows exist.
    ///
    /// `RESTRICT` is checked as soon as the parent row goes, so it always counts (even when the
    /// child table is itself being deleted, whose rows may not be gone yet). `NO ACTION` is
    /// checked at the end of the statement, so it only counts when the child table keeps its rows.
    /// Like the rest of the report this is table-level: it assumes the referring rows are the ones
    /// the statement deletes, which with many rows per table is optimistic for `NO ACTION`.
    fn restrictions(&self, deleted: &BTreeSet<usize>) -> Vec<Restriction> {
        let mut found: Vec<Restriction> = self
            .edges_fired(deleted)
            .filter(|(_, e)| match e.action {
                ReferentialAction::Restrict => true,
                ReferentialAction::NoAction => !deleted.contains(&e.child),
                _ => false,
            })
            .map(|(parent, e)| Restriction {
                table: self.name(e.child).to_string(),
                columns: e.columns.clone(),
                parent: self.name(parent).to_string(),
                action: e.action,
            })
            .collect();
        found.sort_by(|a, b| {
            cmp_names(&a.table, &b.table)
                .then_with(|| cmp_names(&a.parent, &b.parent))
                .then_with(|| a.columns.cmp(&b.columns))
                .then_with(|| a.action.cmp(&b.action))
        });
        found.dedup();
        found
    }

    fn uses_emulated_edge(&self, deleted: &BTreeSet<usize>) -> bool {
        self.edges_fired(deleted).any(|(_, e)| e.is_emulated())
    }

    fn sorted_names(&self, nodes: impl IntoIterator<Item = usize>) -> Vec<String> {
        let mut names: Vec<String> = nodes
            .into_iter()
            .map(|n| self.name(n).to_string())
            .collect();
        sort_names(&mut names);
        names
    }

    /// Every simple path from `root`, each ending where the cascade stops: at a non-`CASCADE`
    /// edge, at a table without children, or at a table already on the path. Depth-first with an
    /// explicit stack (no recursion, so deep chains cannot overflow the call stack); stops after
    /// `max_paths` paths and reports whether it did.
    fn enumerate_paths(&self, root: usize, max_paths: usize) -> (Vec<CascadePath>, bool) {
        let mut walk = PathWalk::new(root, self.names.len());
        let mut paths: Vec<RawPath> = Vec::new();
        // Each frame: a node on the current path and the next of its edges to follow.
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(frame) = stack.last_mut() {
            let (node, next) = *frame;
            let Some(edge) = self.edges(node).get(next) else {
                stack.pop();
                walk.leave();
                continue;
            };
            frame.1 += 1;
            if paths.len() >= max_paths {
                return (self.finish_paths(paths), true);
            }
            walk.enter(edge);
            let descend = edge.action == ReferentialAction::Cascade
                && !walk.revisits(edge.child)
                && !self.edges(edge.child).is_empty();
            if descend {
                stack.push((edge.child, 0));
            } else {
                paths.push(walk.to_raw_path());
                walk.leave();
            }
        }
        (self.finish_paths(paths), false)
    }

    /// Sorts (by table names, case-insensitively, then actions), removes duplicates (parallel
    /// foreign keys with the same action) and names the tables.
    fn finish_paths(&self, mut paths: Vec<RawPath>) -> Vec<CascadePath> {
        let rank_of = |node: &usize| self.rank.get(*node).copied().unwrap_or(usize::MAX);
        paths.sort_by(|a, b| {
            a.nodes
                .iter()
                .map(rank_of)
                .cmp(b.nodes.iter().map(rank_of))
                .then_with(|| a.actions.cmp(&b.actions))
                .then_with(|| a.emulated.cmp(&b.emulated))
        });
        paths.dedup();
        paths
            .into_iter()
            .map(|raw| CascadePath {
                tables: raw
                    .nodes
                    .iter()
                    .map(|&n| self.name(n).to_string())
                    .collect(),
                actions: raw.actions,
                emulated: raw.emulated,
            })
            .collect()
    }
}

/// The current path of the depth-first walk in [`CascadeGraph::enumerate_paths`].
struct PathWalk<'g> {
    /// Tables on the path, root first.
    nodes: Vec<usize>,
    /// The edges followed, `edges[i]` from `nodes[i]` to `nodes[i + 1]`.
    edges: Vec<&'g Edge>,
    /// How many times each table (by node) is on the path: at most twice, once plus once more
    /// as the end of a path that closes a cycle.
    on_path: Vec<u8>,
}

impl<'g> PathWalk<'g> {
    fn new(root: usize, tables: usize) -> Self {
        let mut on_path = vec![0; tables];
        if let Some(count) = on_path.get_mut(root) {
            *count = 1;
        }
        PathWalk {
            nodes: vec![root],
            edges: Vec::new(),
            on_path,
        }
    }

    /// Extends the path along `edge`.
    fn enter(&mut self, edge: &'g Edge) {
        self.nodes.push(edge.child);
        self.edges.push(edge);
        if let Some(count) = self.on_path.get_mut(edge.child) {
            *count = count.saturating_add(1);
        }
    }

    /// Whether `node`, just entered, was already on the path before.
    fn revisits(&self, node: usize) -> bool {
        self.on_path.get(node).is_some_and(|&count| count > 1)
    }

    /// Drops the last table of the path (nothing when only the root is left).
    fn leave(&mut self) {
        if self.edges.pop().is_none() {
            return;
        }
        if let Some(node) = self.nodes.pop()
            && let Some(count) = self.on_path.get_mut(node)
        {
            *count = count.saturating_sub(1);
        }
    }

    fn to_raw_path(&self) -> RawPath {
        RawPath {
            nodes: self.nodes.clone(),
            actions: self.edges.iter().map(|e| e.action).collect(),
            emulated: self.edges.iter().any(|e| e.is_emulated()),
        }
    }
}

/// A [`CascadePath`] by node, before its tables are named.
#[derive(PartialEq, Eq)]
struct RawPath {
    nodes: Vec<usize>,
    actions: Vec<ReferentialAction>,
    emulated: bool,
}

fn is_set_action(action: ReferentialAction) -> bool {
    matches!(
        action,
        ReferentialAction::SetNull | ReferentialAction::SetDefault
    )
}

/// ASCII case-insensitive order of names, ties broken by the exact spelling.
fn cmp_names(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
        .then_with(|| a.cmp(b))
}

/// Each name's position in [`cmp_names`] order.
fn name_ranks(names: &[String]) -> Vec<usize> {
    let name = |node: usize| names.get(node).map_or("", String::as_str);
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| cmp_names(name(a), name(b)));
    let mut rank = vec![0; names.len()];
    for (position, node) in order.into_iter().enumerate() {
        if let Some(slot) = rank.get_mut(node) {
            *slot = position;
        }
    }
    rank
}

/// Sorts table names with [`cmp_names`].
fn sort_names(names: &mut [String]) {
    names.sort_by(|a, b| cmp_names(a, b));
}

/// What identifies a path when comparing base and head: lowercased tables and the actions.
fn path_key(path: &CascadePath) -> (Vec<String>, Vec<ReferentialAction>) {
    (
        path.tables.iter().map(|t| t.to_ascii_lowercase()).collect(),
        path.actions.clone(),
    )
}

/// What deleting a row of `root` does in `schema`; `None` when there is no such table.
///
/// Builds the graph for this one call; to query many roots build a [`CascadeGraph`] once.
pub fn cascade_from(schema: &Schema, root: &str) -> Option<CascadeReport> {
    CascadeGraph::new(schema).report(root)
}

/// For every table of `head`, how its cascade differs from `base`; only roots with added paths
/// or a grown blast radius are returned, ordered by root name.
///
/// A table that is new at head has no cascade at base, so all of its paths count as added.
pub fn cascade_changes(base: &Schema, head: &Schema) -> Vec<CascadeChange> {
    let base_graph = CascadeGraph::new(base);
    let head_graph = CascadeGraph::new(head);
    let mut changes: Vec<CascadeChange> = head_graph
        .tables()
        .filter_map(|root| {
            let after = head_graph.report(root)?;
            let before = base_graph.report(root);
            change_between(before.as_ref(), after)
        })
        .collect();
    changes.sort_by(|a, b| cmp_names(&a.root, &b.root));
    changes
}

/// What `after` adds to `before` (`None` when nothing was added).
fn change_between(before: Option<&CascadeReport>, after: CascadeReport) -> Option<CascadeChange> {
    let known_paths: HashSet<_> = before
        .map(|b| b.paths.iter().map(path_key).collect())
        .unwrap_or_default();
    let added_paths: Vec<CascadePath> = after
        .paths
        .into_iter()
        .filter(|p| !known_paths.contains(&path_key(p)))
        .collect();
    let newly_reached = names_not_in(after.tables_reached, before.map(|b| &b.tables_reached));
    let newly_nulled = names_not_in(after.tables_nulled, before.map(|b| &b.tables_nulled));
    if added_paths.is_empty() && newly_reached.is_empty() && newly_nulled.is_empty() {
        return None;
    }
    Some(CascadeChange {
        root: after.root,
        added_paths,
        newly_reached,
        newly_nulled,
    })
}

/// The names of `names` not in `known` (case-insensitively), order kept.
fn names_not_in(names: Vec<String>, known: Option<&Vec<String>>) -> Vec<String> {
    let known: HashSet<String> = known
        .map(|k| k.iter().map(|n| n.to_ascii_lowercase()).collect())
        .unwrap_or_default();
    names
        .into_iter()
        .filter(|n| !known.contains(&n.to_ascii_lowercase()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::schema::{ForeignKey, Table};

    use ReferentialAction::{Cascade, NoAction, Restrict, SetDefault, SetNull};

    /// A schema from `(child, parent, action)` triples; every table named in them exists.
    fn schema(edges: &[(&str, &str, ReferentialAction)]) -> Schema {
        let mut schema = Schema::default();
        for (child, parent, _) in edges {
            for name in [child, parent] {
                if schema.table(name).is_none() {
                    schema.tables.push(Table {
                        name: name.to_string(),
                        ..Table::default()
                    });
                }
            }
        }
        for (i, (child, parent, action)) in edges.iter().enumerate() {
            if let Some(table) = schema.table_mut(child) {
                table.foreign_keys.push(ForeignKey {
                    columns: vec![format!("fk{i}")],
                    ref_table: parent.to_string(),
                    ref_columns: vec!["id".into()],
                    on_delete: *action,
                    ..ForeignKey::default()
                });
            }
        }
        schema
    }

    fn report(schema: &Schema, root: &str) -> CascadeReport {
        cascade_from(schema, root).unwrap_or_else(|| panic!("no table {root}"))
    }

    fn tables_of(path: &CascadePath) -> Vec<&str> {
        path.tables.iter().map(String::as_str).collect()
    }

    #[test]
    fn unknown_root_is_none() {
        assert_eq!(cascade_from(&schema(&[("b", "a", Cascade)]), "zzz"), None);
    }

    #[test]
    fn chain_of_cascades_reaches_every_table() {
        let s = schema(&[
            ("b", "a", Cascade),
            ("c", "b", Cascade),
            ("d", "c", Cascade),
        ]);
        let r = report(&s, "A");
        assert_eq!(r.root, "a");
        assert_eq!(r.tables_reached, ["b", "c", "d"]);
        assert_eq!(r.paths.len(), 1);
        assert_eq!(tables_of(&r.paths[0]), ["a", "b", "c", "d"]);
        assert_eq!(r.paths[0].actions, [Cascade, Cascade, Cascade]);
        assert!(r.restricted_by.is_empty() && r.tables_nulled.is_empty() && !r.truncated);
    }

    #[test]
    fn set_null_modifies_without_recursing() {
        let s = schema(&[
            ("b", "a", SetNull),
            ("c", "b", Cascade),
            ("d", "a", SetDefault),
        ]);
        let r = report(&s, "a");
        assert!(r.tables_reached.is_empty());
        assert_eq!(r.tables_nulled, ["b", "d"]);
        let ends: Vec<_> = r.paths.iter().map(tables_of).collect();
        assert_eq!(ends, [vec!["a", "b"], vec!["a", "d"]]);
    }

    #[test]
    fn restrict_blocks_even_when_child_is_deleted_but_no_action_does_not() {
        let s = schema(&[
            ("b", "a", Cascade),
            ("c", "a", Cascade),
            ("c", "b", NoAction),
            ("d", "b", Restrict),
            ("d", "a", Cascade),
        ]);
        let r = report(&s, "a");
        assert_eq!(r.tables_reached, ["b", "c", "d"]);
        assert_eq!(r.restricted_by.len(), 1);
        assert_eq!(r.restricted_by[0].table, "d");
        assert_eq!(r.restricted_by[0].parent, "b");
        assert_eq!(r.restricted_by[0].action, Restrict);
    }

    #[test]
    fn no_action_blocks_when_child_survives() {
        let s = schema(&[("b", "a", NoAction)]);
        let r = report(&s, "a");
        assert_eq!(r.restricted_by.len(), 1);
        assert_eq!(r.restricted_by[0].columns, ["fk0"]);
        assert!(r.tables_reached.is_empty());
    }

    #[test]
    fn cycles_and_self_references_terminate() {
        let s = schema(&[
            ("a", "a", Cascade),
            ("b", "a", Cascade),
            ("a", "b", Cascade),
        ]);
        let r = report(&s, "a");
        assert_eq!(r.tables_reached, ["b"]);
        let paths: Vec<_> = r.paths.iter().map(tables_of).collect();
        assert_eq!(paths, [vec!["a", "a"], vec!["a", "b", "a"]]);
    }

    #[test]
    fn dangling_foreign_keys_are_ignored() {
        let mut s = schema(&[("b", "a", Cascade)]);
        if let Some(b) = s.table_mut("b") {
            b.foreign_keys.push(ForeignKey {
                ref_table: "missing".into(),
                on_delete: Restrict,
                ..ForeignKey::default()
            });
        }
        assert!(report(&s, "b").paths.is_empty());
        assert_eq!(report(&s, "a").tables_reached, ["b"]);
    }

    #[test]
    fn emulated_edges_mark_paths_and_report() {
        let mut s = schema(&[("b", "a", Cascade), ("c", "a", Cascade)]);
        if let Some(fk) = s.table_mut("c").and_then(|c| c.foreign_keys.first_mut()) {
            fk.enforcement = Enforcement::PrismaClient;
        }
        let r = report(&s, "a");
        assert!(r.emulated);
        let flags: Vec<_> = r.paths.iter().map(|p| p.emulated).collect();
        assert_eq!(flags, [false, true]);
        assert!(!report(&s, "b").emulated);
    }

    /// Layers of `width` tables where every table cascades from every table of the layer above:
    /// `width ^ layers` paths from the top.
    fn dense(width: usize, layers: usize) -> Schema {
        let mut edges = Vec::new();
        let names: Vec<Vec<String>> = (0..=layers)
            .map(|l| (0..width).map(|w| format!("t{l}_{w}")).collect())
            .collect();
        for pair in names.windows(2) {
            for parent in &pair[0] {
                for child in &pair[1] {
                    edges.push((child.clone(), parent.clone()));
                }
            }
        }
        let borrowed: Vec<_> = edges
            .iter()
            .map(|(c, p)| (c.as_str(), p.as_str(), Cascade))
            .collect();
        schema(&borrowed)
    }

    #[test]
    fn path_cap_truncates_but_sets_stay_complete() {
        let graph = CascadeGraph::new(&dense(4, 4));
        let full = graph.report("t0_0").unwrap_or_else(|| panic!("root"));
        assert_eq!(full.paths.len(), 4usize.pow(4));
        assert!(!full.truncated);
        let capped = graph
            .report_capped("t0_0", 10)
            .unwrap_or_else(|| panic!("root"));
        assert!(capped.truncated);
        assert_eq!(capped.paths.len(), 10);
        assert_eq!(capped.tables_reached, full.tables_reached);
        assert_eq!(capped.tables_reached.len(), 16);
    }

    #[test]
    fn exponential_schema_is_capped_by_default() {
        let r = report(&dense(3, 12), "t0_0");
        assert!(r.truncated);
        assert_eq!(r.paths.len(), MAX_PATHS_PER_ROOT);
        assert_eq!(r.tables_reached.len(), 36);
    }

    #[test]
    fn changes_report_new_paths_and_blast_radius() {
        let base = schema(&[("b", "a", SetNull), ("c", "b", Cascade)]);
        let head = schema(&[
            ("B", "a", Cascade),
            ("c", "b", Cascade),
            ("d", "c", SetNull),
        ]);
        let changes = cascade_changes(&base, &head);
        let roots: Vec<_> = changes.iter().map(|c| c.root.as_str()).collect();
        assert_eq!(roots, ["a", "B", "c"]);
        let a = &changes[0];
        assert_eq!(a.newly_reached, ["B", "c"]);
        assert_eq!(a.newly_nulled, ["d"]);
        assert_eq!(a.added_paths.len(), 1);
        assert_eq!(a.added_paths[0].actions, [Cascade, Cascade, SetNull]);
        let b = &changes[1];
        assert!(b.newly_reached.is_empty());
        assert_eq!(b.newly_nulled, ["d"]);
    }

    #[test]
    fn unchanged_schema_has_no_changes() {
        let s = schema(&[("b", "a", Cascade), ("a", "b", SetNull)]);
        assert!(cascade_changes(&s, &s).is_empty());
    }
}

/// "a User row" / "an Ingredient row": how messages name one row of `table`.
pub fn one_row_of(table: &str) -> String {
    format!("{} {table} row", indefinite_article(table))
}

/// "an" before a vowel sound, else "a". A leading "u" that sounds like "you" (User, Unit,
/// Usage, Utility) takes "a"; other vowels take "an".
pub fn indefinite_article(word: &str) -> &'static str {
    let lower = word.to_ascii_lowercase();
    let you_sound = ["us", "uni", "ur", "ut", "uu", "eu"]
        .iter()
        .any(|prefix| lower.starts_with(prefix));
    match lower.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') if !you_sound => "an",
        _ => "a",
    }
}

#[cfg(test)]
mod phrase_tests {
    use super::one_row_of;

    #[test]
    fn articles_follow_the_first_letter() {
        assert_eq!(one_row_of("User"), "a User row");
        assert_eq!(one_row_of("Ingredient"), "an Ingredient row");
        assert_eq!(one_row_of("order_items"), "an order_items row");
        assert_eq!(one_row_of("Upload"), "an Upload row");
        assert_eq!(one_row_of("Unit"), "a Unit row");
    }
}
