//! The cascade of each root whose cascade a PR grows, as a tree (root, then one line per foreign
//! key followed outwards), with the edges the PR adds or widens marked new and the edges the
//! Prisma client emulates (`relationMode = "prisma"`) marked as such. Built once, when the PR is
//! analysed; the review draws it.

use std::collections::HashSet;

use crate::analysis::cascade::{CascadeGraph, CascadePath};
use crate::analysis::pipeline::SetChange;
use crate::analysis::schema::{Enforcement, ReferentialAction, Schema};

/// Tree lines kept per root (a dense schema has thousands of paths); the rest are counted.
pub const MAX_TREE_LINES: usize = 200;

/// One edge of the tree: the foreign key from `table` to the line above it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeLine {
    /// The branch drawing before it (`│   ├── `), from the root's column.
    pub prefix: String,
    /// The ON DELETE action of the foreign key.
    pub action: ReferentialAction,
    /// The child (referencing) table.
    pub table: String,
    /// Whether the PR adds this edge or widens it (the path to it is not at base).
    pub new: bool,
    /// Whether the Prisma client, not the database, enforces this foreign key.
    pub emulated: bool,
}

/// The cascade tree of one root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CascadeTree {
    /// The table a row is deleted from.
    pub root: String,
    /// The edges, depth first.
    pub lines: Vec<TreeLine>,
    /// Edges left out beyond [`MAX_TREE_LINES`].
    pub omitted: usize,
    /// Tables that lose rows at head but did not at base.
    pub newly_reached: Vec<String>,
}

/// A path prefix, compared case-insensitively: (lowercase table, action) per step.
type PrefixKey = Vec<(String, ReferentialAction)>;

/// The trees of every root whose cascade `set` grows.
pub fn cascade_trees(set: &SetChange) -> Vec<CascadeTree> {
    if set.cascade_changes.is_empty() {
        return Vec::new();
    }
    let head_schema = set.head.cascade_schema();
    let head = CascadeGraph::new(&head_schema);
    let base_schema = set.base.as_ref().map(|base| base.cascade_schema());
    let base = base_schema.as_deref().map(CascadeGraph::new);
    set.cascade_changes
        .iter()
        .filter_map(|change| {
            let report = head.report(&change.root)?;
            let known = base
                .as_ref()
                .and_then(|graph| graph.report(&change.root))
                .map(|r| prefixes(&r.paths))
                .unwrap_or_default();
            let mut tree = Node::default();
            for path in &report.paths {
                tree.insert(path);
            }
            let mut lines = Vec::new();
            let mut omitted = 0;
            let walk = Walk {
                root: &report.root,
                schema: &head_schema,
                known: &known,
            };
            walk.flatten(&tree, "", &mut Vec::new(), &mut lines, &mut omitted);
            Some(CascadeTree {
                root: report.root,
                lines,
                omitted,
                newly_reached: change.newly_reached.clone(),
            })
        })
        .collect()
}

/// Every prefix of every path in `paths`.
fn prefixes(paths: &[CascadePath]) -> HashSet<PrefixKey> {
    let mut set = HashSet::new();
    for path in paths {
        let mut key = Vec::new();
        for (table, action) in path.tables.iter().skip(1).zip(&path.actions) {
            key.push((table.to_ascii_lowercase(), *action));
            set.insert(key.clone());
        }
    }
    set
}

/// A node of the path tree (the root has no action).
#[derive(Debug, Default)]
struct Node {
    table: String,
    action: Option<ReferentialAction>,
    children: Vec<Node>,
}

impl Node {
    fn insert(&mut self, path: &CascadePath) {
        let mut node = self;
        for (table, action) in path.tables.iter().skip(1).zip(&path.actions) {
            let index = match node
                .children
                .iter()
                .position(|c| c.table == *table && c.action == Some(*action))
            {
                Some(index) => index,
                None => {
                    node.children.push(Node {
                        table: table.clone(),
                        action: Some(*action),
                        children: Vec::new(),
                    });
                    node.children.len() - 1
                }
            };
            let Some(child) = node.children.get_mut(index) else {
                return;
            };
            node = child;
        }
    }
}

/// What flattening a tree needs to know.
struct Walk<'a> {
    root: &'a str,
    schema: &'a Schema,
    known: &'a HashSet<PrefixKey>,
}

impl Walk<'_> {
    fn flatten(
        &self,
        node: &Node,
        prefix: &str,
        key: &mut PrefixKey,
        lines: &mut Vec<TreeLine>,
        omitted: &mut usize,
    ) {
        let parent = if key.is_empty() {
            self.root
        } else {
            node.table.as_str()
        };
        for (i, child) in node.children.iter().enumerate() {
            let Some(action) = child.action else {
                continue;
            };
            key.push((child.table.to_ascii_lowercase(), action));
            let last = i + 1 == node.children.len();
            if lines.len() < MAX_TREE_LINES {
                lines.push(TreeLine {
                    prefix: format!("{prefix}{}", if last { "└── " } else { "├── " }),
                    action,
                    table: child.table.clone(),
                    new: !self.known.contains(key),
                    emulated: emulated(self.schema, &child.table, parent, action),
                });
            } else {
                *omitted += 1;
            }
            let deeper = format!("{prefix}{}", if last { "    " } else { "│   " });
            self.flatten(child, &deeper, key, lines, omitted);
            key.pop();
        }
    }
}

/// Whether the foreign key from `child` to `parent` with `action` is emulated by Prisma.
fn emulated(schema: &Schema, child: &str, parent: &str, action: ReferentialAction) -> bool {
    schema
        .tables
        .iter()
        .filter(|t| t.name.eq_ignore_ascii_case(child))
        .flat_map(|t| &t.foreign_keys)
        .any(|fk| {
            fk.ref_table.eq_ignore_ascii_case(parent)
                && fk.on_delete == action
                && fk.enforcement == Enforcement::PrismaClient
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::detect::DetectOptions;
    use crate::analysis::pipeline::analyze_change;
    use crate::source::demo::demo_changes;

    #[test]
    fn the_demo_cascade_pr_draws_new_edges_from_user() {
        let change = demo_changes()
            .unwrap()
            .into_iter()
            .find(|c| c.meta.number == 104)
            .unwrap();
        let analysis = analyze_change(&change.base, &change.head, &DetectOptions::default());
        let trees: Vec<CascadeTree> = analysis.sets.iter().flat_map(cascade_trees).collect();
        assert!(!trees.is_empty());
        let new: Vec<&TreeLine> = trees
            .iter()
            .flat_map(|t| &t.lines)
            .filter(|l| l.new)
            .collect();
        assert!(!new.is_empty(), "{trees:?}");
        assert!(
            trees.iter().flat_map(|t| &t.lines).any(|l| !l.new),
            "edges already at base are not new: {trees:?}"
        );
    }

    #[test]
    fn only_foreign_keys_the_prisma_client_enforces_are_emulated() {
        use crate::analysis::schema::{ForeignKey, Table};
        let fk = |parent: &str, enforcement| ForeignKey {
            name: None,
            columns: vec!["ownerId".to_owned()],
            ref_table: parent.to_owned(),
            ref_columns: vec!["id".to_owned()],
            on_delete: ReferentialAction::Cascade,
            on_update: ReferentialAction::NoAction,
            enforcement,
        };
        let schema = Schema {
            tables: vec![
                Table {
                    name: "Pet".to_owned(),
                    foreign_keys: vec![fk("User", Enforcement::PrismaClient)],
                    ..Table::default()
                },
                Table {
                    name: "Car".to_owned(),
                    foreign_keys: vec![fk("User", Enforcement::Database)],
                    ..Table::default()
                },
            ],
            ..Schema::default()
        };
        let cascade = ReferentialAction::Cascade;
        assert!(emulated(&schema, "pet", "user", cascade));
        assert!(!emulated(&schema, "Car", "User", cascade));
        assert!(!emulated(
            &schema,
            "Pet",
            "User",
            ReferentialAction::SetNull
        ));
    }

    #[test]
    fn prefixes_cover_every_step_of_every_path() {
        let path = CascadePath {
            tables: vec!["A".into(), "B".into(), "C".into()],
            actions: vec![ReferentialAction::Cascade, ReferentialAction::SetNull],
            emulated: false,
        };
        let set = prefixes(&[path]);
        assert_eq!(set.len(), 2);
        assert!(set.contains(&vec![("b".to_owned(), ReferentialAction::Cascade)]));
    }
}
