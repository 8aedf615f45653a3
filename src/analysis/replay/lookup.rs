//! Table lookup by name in constant time: a map from lowercase name to position in
//! `schema.tables`, kept in step with every change of the table list.

use std::collections::HashMap;

use super::Replayer;
use crate::analysis::schema::Table;

/// Lowercase name to position in `Schema::tables`.
pub(super) type TablePositions = HashMap<String, usize>;

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
        Some(std::mem::replace(&mut table.name, to.to_string()))
    }
}
