//! Table and column renames recorded by replay events, resolved to base name -> head name.
//!
//! Events name a table (or column) by what it is called at that moment, so renames are followed
//! as chains (`a -> b`, later `b -> c`, gives `a -> c`). Only chains that start at a table or
//! column of the base schema are kept: a rename of something the PR created itself (or of the
//! `new_X` copy of a SQLite table redefinition) says nothing about how base maps to head.

use crate::analysis::replay::{SchemaChange, SchemaEvent};
use crate::analysis::schema::{Schema, same_name};

/// One base table followed through the renames of the events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct TableLineage {
    /// Name at base.
    pub base: String,
    /// Name after the last rename.
    pub head: String,
    /// Column renames inside it: (name at base, name after the last rename).
    pub columns: Vec<(String, String)>,
}

/// Every base table the events rename or rename columns of.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Renames {
    pub tables: Vec<TableLineage>,
}

impl Renames {
    /// Follows the `RenameTable` / `RenameColumn` events over `base`, in order.
    pub fn from_events(base: &Schema, events: &[SchemaEvent]) -> Self {
        let mut renames = Renames::default();
        for event in events {
            match &event.change {
                SchemaChange::RenameTable { from, to } => renames.rename_table(base, from, to),
                SchemaChange::RenameColumn { table, from, to } => {
                    renames.rename_column(base, table, from, to)
                }
                _ => {}
            }
        }
        renames
    }

    /// The lineage of base table `name`.
    pub fn of_base_table(&self, name: &str) -> Option<&TableLineage> {
        self.tables.iter().find(|t| same_name(&t.base, name))
    }

    fn rename_table(&mut self, base: &Schema, from: &str, to: &str) {
        if let Some(lineage) = self.current_or_start(base, from) {
            lineage.head = to.to_string();
        }
    }

    fn rename_column(&mut self, base: &Schema, table: &str, from: &str, to: &str) {
        let Some(lineage) = self.current_or_start(base, table) else {
            return;
        };
        if let Some(column) = lineage
            .columns
            .iter_mut()
            .find(|(_, now)| same_name(now, from))
        {
            column.1 = to.to_string();
            return;
        }
        let base_has_column = base
            .table(&lineage.base)
            .is_some_and(|t| t.column(from).is_some());
        let already_followed = lineage.columns.iter().any(|(was, _)| same_name(was, from));
        if base_has_column && !already_followed {
            lineage.columns.push((from.to_string(), to.to_string()));
        }
    }

    /// The lineage currently called `name`, or a new one when `name` is a base table not
    /// followed yet; `None` for tables the PR created.
    fn current_or_start(&mut self, base: &Schema, name: &str) -> Option<&mut TableLineage> {
        if let Some(position) = self.tables.iter().position(|t| same_name(&t.head, name)) {
            return self.tables.get_mut(position);
        }
        let base_table = base.table(name)?;
        if self.of_base_table(name).is_some() {
            return None; // renamed away already; this `name` is a newer table
        }
        self.tables.push(TableLineage {
            base: base_table.name.clone(),
            head: base_table.name.clone(),
            columns: Vec::new(),
        });
        self.tables.last_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::replay::Location;
    use crate::analysis::schema::{Column, Table};

    fn base() -> Schema {
        Schema {
            tables: vec![Table {
                name: "users".into(),
                columns: vec![Column {
                    name: "email".into(),
                    ..Column::default()
                }],
                ..Table::default()
            }],
            enums: Vec::new(),
        }
    }

    fn event(change: SchemaChange) -> SchemaEvent {
        SchemaEvent {
            at: Location {
                file: "m.sql".into(),
                line: 1,
            },
            change,
        }
    }

    fn table(from: &str, to: &str) -> SchemaEvent {
        event(SchemaChange::RenameTable {
            from: from.into(),
            to: to.into(),
        })
    }

    fn column(table: &str, from: &str, to: &str) -> SchemaEvent {
        event(SchemaChange::RenameColumn {
            table: table.into(),
            from: from.into(),
            to: to.into(),
        })
    }

    #[test]
    fn chains_are_followed_across_table_and_column_renames() {
        let events = [
            table("users", "people"),
            column("PEOPLE", "email", "mail"),
            table("people", "persons"),
            column("persons", "mail", "e_mail"),
        ];
        let renames = Renames::from_events(&base(), &events);
        assert_eq!(
            renames.tables,
            [TableLineage {
                base: "users".into(),
                head: "persons".into(),
                columns: vec![("email".into(), "e_mail".into())],
            }]
        );
    }

    #[test]
    fn renames_of_tables_and_columns_the_pr_created_are_ignored() {
        let events = [
            table("new_users", "users"),
            column("audit", "a", "b"),
            column("users", "nickname", "nick"),
        ];
        let renames = Renames::from_events(&base(), &events);
        assert_eq!(
            renames.tables,
            [TableLineage {
                base: "users".into(),
                head: "users".into(),
                columns: Vec::new(),
            }]
        );
    }
}
