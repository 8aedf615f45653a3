//! Cascade reports as text: a tree of the paths from a root, and the sets of tables a delete
//! reaches, nulls, or is stopped by.

use std::fmt::Write;

use super::sanitize::sanitize_line as clean;
use super::style::{Painter, Role};
use crate::analysis::cascade::{CascadeChange, CascadePath, CascadeReport, one_row_of};
use crate::analysis::schema::ReferentialAction;

/// A node of the path tree: the edge that leads to it and what hangs below.
#[derive(Debug, Default)]
struct PathNode {
    action: Option<ReferentialAction>,
    table: String,
    children: Vec<PathNode>,
}

impl PathNode {
    fn insert(&mut self, path: &CascadePath) {
        let mut node = self;
        for (table, action) in path.tables.iter().skip(1).zip(&path.actions) {
            let position = node
                .children
                .iter()
                .position(|c| c.table == *table && c.action == Some(*action));
            let index = position.unwrap_or_else(|| {
                node.children.push(PathNode {
                    action: Some(*action),
                    table: table.clone(),
                    children: Vec::new(),
                });
                node.children.len() - 1
            });
            node = &mut node.children[index];
        }
    }

    fn render(&self, out: &mut String, prefix: &str, painter: Painter) {
        for (i, child) in self.children.iter().enumerate() {
            let last = i + 1 == self.children.len();
            let action = child.action.unwrap_or_default();
            let role = match action {
                ReferentialAction::Cascade => Role::Removed,
                ReferentialAction::SetNull | ReferentialAction::SetDefault => Role::Changed,
                ReferentialAction::Restrict | ReferentialAction::NoAction => Role::Dim,
            };
            let _ = writeln!(
                out,
                "{prefix}{}{} {}",
                if last { "└── " } else { "├── " },
                painter.paint(role, action.sql()),
                clean(&child.table)
            );
            let deeper = format!("{prefix}{}", if last { "    " } else { "│   " });
            child.render(out, &deeper, painter);
        }
    }
}

/// The paths of a report as a tree rooted at the report's root.
pub fn render_path_tree(root: &str, paths: &[CascadePath], painter: Painter) -> String {
    let mut tree = PathNode {
        table: root.to_owned(),
        ..PathNode::default()
    };
    for path in paths {
        tree.insert(path);
    }
    let mut out = format!("{}\n", painter.paint(Role::Heading, &clean(root)));
    tree.render(&mut out, "", painter);
    out
}

/// A whole report: the tree, then what a delete of one root row does.
pub fn render_cascade(report: &CascadeReport, painter: Painter) -> String {
    let mut out = format!("Deleting one {} row:\n\n", clean(&report.root));
    out.push_str(&render_path_tree(&report.root, &report.paths, painter));
    out.push('\n');
    let _ = writeln!(
        out,
        "deletes rows in: {}",
        table_list(&report.tables_reached)
    );
    let _ = writeln!(
        out,
        "sets columns in: {}",
        table_list(&report.tables_nulled)
    );
    if report.restricted_by.is_empty() {
        let _ = writeln!(out, "stopped by:      nothing");
    } else {
        let _ = writeln!(out, "stopped by (while referring rows exist):");
        for r in &report.restricted_by {
            let columns: Vec<_> = r.columns.iter().map(|c| clean(c)).collect();
            let _ = writeln!(
                out,
                "  {}({}) -> {} ON DELETE {}",
                clean(&r.table),
                columns.join(", "),
                clean(&r.parent),
                r.action
            );
        }
    }
    if report.emulated {
        out.push_str(
            "note: part of this cascade is emulated by the Prisma client (relationMode = \"prisma\"); \
             the database itself has no such foreign keys, so a delete outside Prisma does not cascade\n",
        );
    }
    if report.truncated {
        out.push_str("note: too many paths to list them all; the table sets above are complete\n");
    }
    out
}

/// One root's cascade growth: "deleting a User now also deletes ..." plus the new paths.
pub fn render_cascade_change(change: &CascadeChange, painter: Painter) -> String {
    let mut out = String::new();
    if !change.newly_reached.is_empty() {
        let _ = writeln!(
            out,
            "deleting {} now also deletes every row it owns in: {}",
            one_row_of(&clean(&change.root)),
            painter.paint(Role::Removed, &table_list(&change.newly_reached))
        );
    }
    if !change.newly_nulled.is_empty() {
        let _ = writeln!(
            out,
            "deleting {} now also changes rows in: {}",
            one_row_of(&clean(&change.root)),
            painter.paint(Role::Changed, &table_list(&change.newly_nulled))
        );
    }
    if !change.added_paths.is_empty() {
        let _ = writeln!(out, "new paths from {}:", clean(&change.root));
        for path in &change.added_paths {
            let _ = writeln!(out, "  {}", path_line(path));
        }
    }
    out
}

/// `User -CASCADE-> Recipe -SET NULL-> Note`.
pub fn path_line(path: &CascadePath) -> String {
    let mut line = path
        .tables
        .first()
        .map(|t| clean(t).into_owned())
        .unwrap_or_default();
    for (table, action) in path.tables.iter().skip(1).zip(&path.actions) {
        let _ = write!(line, " -{}-> {}", action.sql(), clean(table));
    }
    if path.emulated {
        line.push_str("  (emulated by Prisma)");
    }
    line
}

fn table_list(tables: &[String]) -> String {
    if tables.is_empty() {
        "none".to_owned()
    } else {
        tables
            .iter()
            .map(|t| clean(t))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReferentialAction::*;

    fn path(tables: &[&str], actions: &[ReferentialAction]) -> CascadePath {
        CascadePath {
            tables: tables.iter().map(|t| t.to_string()).collect(),
            actions: actions.to_vec(),
            emulated: false,
        }
    }

    #[test]
    fn shared_prefixes_form_one_tree() {
        let paths = [
            path(&["User", "Recipe", "RecipeIngredient"], &[Cascade, Cascade]),
            path(&["User", "Recipe", "Comment"], &[Cascade, SetNull]),
            path(&["User", "Household"], &[Restrict]),
        ];
        let tree = render_path_tree("User", &paths, Painter::new(false));
        assert_eq!(
            tree,
            "User\n├── CASCADE Recipe\n│   ├── CASCADE RecipeIngredient\n│   └── SET NULL Comment\n└── RESTRICT Household\n"
        );
    }

    #[test]
    fn path_line_names_each_action() {
        let p = path(&["User", "Recipe"], &[Cascade]);
        assert_eq!(path_line(&p), "User -CASCADE-> Recipe");
    }
}
