//! The ON DELETE cascade graph: what deleting a row of a table does to the rest of the schema,
//! and how a PR changes that.
//!
//! OWNER: cascade helper. Public types below are the shared interface; keep them stable.

use serde::Serialize;

use super::schema::{ReferentialAction, Schema};

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

/// What deleting a row of `root` does in `schema`; `None` when there is no such table.
pub fn cascade_from(schema: &Schema, root: &str) -> Option<CascadeReport> {
    let _ = (schema, root);
    todo!("cascade helper")
}

/// For every table of `head`, how its cascade differs from `base`; only roots with added paths
/// or a grown blast radius are returned, ordered by root name.
pub fn cascade_changes(base: &Schema, head: &Schema) -> Vec<CascadeChange> {
    let _ = (base, head);
    todo!("cascade helper")
}
