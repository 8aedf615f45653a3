//! Table lookup by name in constant time: a map from lowercase name to position in
//! `schema.tables`, kept in step with every change of the table list.

use std::collections::{HashMap, HashSet};

use super::Replayer;
use crate::analysis::schema::{ForeignKey, Table};

/// Lowercase name to position in `Schema::tables`.
pub(super) type TablePositions = HashMap<String, usize>;

/// Lowercase index name to the lowercase name of the table that (last) received it. Index names
/// are global in SQLite and Postgres, so `CREATE INDEX` must find an index by name alone; a scan
/// of every table per statement would make a long history quadratic. Every index that exists is
/// in the map (entries are added wherever an index or a table appears); an entry may be stale
/// after a drop or rename, so a hit is verified and a stale one falls back to a scan.
pub(super) type IndexHints = HashMap<String, String>;

/// Lowercase parent table name to the lowercase names of the tables that may hold a foreign key
/// to it, so renaming a column or a table updates the references without scanning every table.
/// Every referencing table is listed (entries are added wherever a foreign key appears); a
/// listed table may no longer refer after a drop or rename, so users check each key.
pub(super) type Referrers = HashMap<String, HashSet<String>>;

impl Replayer {
    /// The table with this name (ASCII case-insensitive).
    pub(super) fn table(&self, name: &str) -> Option<&Table> {
        let position = *self.positions.get(&name.to_ascii_lowercase())?;
        self.schema.tables.get(position)
    }

    /// The table with this name, mutably. Callers must not change its name (see
    /// [`Replayer::rename_table_entry`]).
    pub(super) fn table_mut(&mut self, name: &str) -> Option<&mut Table> {
        let position = *self.positions.get(&name.to_ascii_lowercase())?;
        self.schema.tables.get_mut(position)
    }

    /// Appends a table.
    pub(super) fn push_table(&mut self, table: Table) {
        self.positions
            .insert(table.name.to_ascii_lowercase(), self.schema.tables.len());
        self.schema.tables.push(table);
        if let Some(name) = self.schema.tables.last().map(|t| t.name.clone()) {
            self.hint_indexes_of(&name);
            self.hint_foreign_keys_of(&name);
        }
    }

    /// Records that `child` has a foreign key to `parent`.
    pub(super) fn hint_reference(&mut self, child: &str, parent: &str) {
        self.referrers
            .entry(parent.to_ascii_lowercase())
            .or_default()
            .insert(child.to_ascii_lowercase());
    }

    /// Records every foreign key of `table`.
    pub(super) fn hint_foreign_keys_of(&mut self, table: &str) {
        let Some(found) = self.table(table) else {
            return;
        };
        let parents: Vec<String> = found
            .foreign_keys
            .iter()
            .map(|fk| fk.ref_table.clone())
            .collect();
        for parent in parents {
            self.hint_reference(table, &parent);
        }
    }

    /// Applies `update` to every foreign key (of any table) that references `parent`.
    pub(super) fn update_foreign_keys_referencing(
        &mut self,
        parent: &str,
        mut update: impl FnMut(&mut ForeignKey),
    ) {
        let children: Vec<String> = self
            .referrers
            .get(&parent.to_ascii_lowercase())
            .map(|set| set.iter().cloned().collect())
            .unwrap_or_default();
        for child in children {
            let Some(table) = self.table_mut(&child) else {
                continue;
            };
            table
                .foreign_keys
                .iter_mut()
                .filter(|fk| fk.ref_table.eq_ignore_ascii_case(parent))
                .for_each(&mut update);
        }
    }

    /// Records that index `index` now belongs to `table`.
    pub(super) fn hint_index(&mut self, table: &str, index: &str) {
        self.index_hints
            .insert(index.to_ascii_lowercase(), table.to_ascii_lowercase());
    }

    /// Records every index of `table` as belonging to it.
    pub(super) fn hint_indexes_of(&mut self, table: &str) {
        let Some(found) = self.table(table) else {
            return;
        };
        let names: Vec<String> = found.indexes.iter().map(|i| i.name.clone()).collect();
        for index in names {
            self.hint_index(table, &index);
        }
    }

    /// The table holding index `name` (only `table` when given).
    pub(super) fn table_of_index(&self, table: Option<&str>, name: &str) -> Option<String> {
        let has_it = |t: &Table| t.index(name).is_some();
        if let Some(only) = table {
            return self
                .table(only)
                .filter(|t| has_it(t))
                .map(|t| t.name.clone());
        }
        let hinted = self.index_hints.get(&name.to_ascii_lowercase())?;
        match self.table(hinted).filter(|t| has_it(t)) {
            Some(owner) => Some(owner.name.clone()),
            None => self
                .schema
                .tables
                .iter()
                .find(|t| has_it(t))
                .map(|t| t.name.clone()),
        }
    }

    /// Removes and returns the table with this name.
    pub(super) fn take_table(&mut self, name: &str) -> Option<Table> {
        let position = self.positions.remove(&name.to_ascii_lowercase())?;
        if position >= self.schema.tables.len() {
            return None;
        }
        let table = self.schema.tables.remove(position);
        for later in self.positions.values_mut().filter(|p| **p > position) {
            *later -= 1;
        }
        Some(table)
    }

    /// Renames table `from` to `to`; returns its old name as it was written.
    pub(super) fn rename_table_entry(&mut self, from: &str, to: &str) -> Option<String> {
        let position = self.positions.remove(&from.to_ascii_lowercase())?;
        self.positions.insert(to.to_ascii_lowercase(), position);
        let table = self.schema.tables.get_mut(position)?;
        let old = std::mem::replace(&mut table.name, to.to_string());
        self.hint_indexes_of(to);
        self.hint_foreign_keys_of(to);
        let children = self
            .referrers
            .get(&from.to_ascii_lowercase())
            .cloned()
            .unwrap_or_default();
        self.referrers
            .entry(to.to_ascii_lowercase())
            .or_default()
            .extend(children);
        Some(old)
    }
}
