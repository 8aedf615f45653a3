//! CREATE TABLE: column definitions, inline and table constraints.

use sqlparser::ast::{
    ColumnOption, CreateTable, DataType, ForeignKeyConstraint, Ident, TableConstraint,
};

use super::names;
use super::{Location, Replayer, SchemaChange};
use crate::analysis::dialect::Dialect;
use crate::analysis::schema::{Column, ForeignKey, Index, IndexOrigin, ReferentialAction, Table};

/// A column definition with the constraints written on it.
#[derive(Debug)]
pub(super) struct ColumnDefinition {
    /// The column.
    pub column: Column,
    /// UNIQUE constraints written on the column.
    pub indexes: Vec<Index>,
    /// REFERENCES clauses written on the column.
    pub foreign_keys: Vec<ForeignKey>,
}

/// What a table constraint adds to a table.
#[derive(Debug)]
pub(super) enum ConstraintEffect {
    /// A UNIQUE constraint or a MySQL `KEY`/`INDEX`.
    Index(Index),
    /// A foreign key.
    ForeignKey(ForeignKey),
    /// A primary key over these columns.
    PrimaryKey(Vec<String>),
    /// Nothing the model records (CHECK, EXCLUDE, ...).
    Nothing,
}

/// Builds a column from its name, type and options (`options` pairs a constraint name, if
/// any, with each option). Nullability: as declared, except that a primary key (outside
/// SQLite), a `SERIAL` type and an identity column (`GENERATED ... AS IDENTITY`) are NOT NULL.
pub(super) fn column_definition<'a>(
    dialect: Dialect,
    table: &str,
    name: String,
    data_type: &DataType,
    options: impl IntoIterator<Item = (Option<&'a Ident>, &'a ColumnOption)>,
) -> ColumnDefinition {
    let rendered_type = data_type.to_string();
    let mut definition = ColumnDefinition {
        column: Column {
            name,
            nullable: !is_serial(dialect, &rendered_type),
            data_type: rendered_type,
            default: None,
            primary_key: false,
            identity: false,
        },
        indexes: Vec::new(),
        foreign_keys: Vec::new(),
    };
    let mut declared_nullable = None;
    let mut implied_not_null = false;
    for (constraint_name, option) in options {
        match option {
            ColumnOption::Null => declared_nullable = Some(true),
            ColumnOption::NotNull => declared_nullable = Some(false),
            ColumnOption::Default(expr) => {
                definition.column.default = Some(super::names::default_text(expr))
            }
            ColumnOption::PrimaryKey(_) => definition.column.primary_key = true,
            ColumnOption::Generated {
                generation_expr: None,
                ..
            }
            | ColumnOption::Identity(_) => {
                implied_not_null = true;
                definition.column.identity = true;
            }
            ColumnOption::Unique(unique) => {
                let name = constraint_name.or(unique.name.as_ref());
                let columns = vec![definition.column.name.clone()];
                definition
                    .indexes
                    .push(unique_index(dialect, table, name, columns));
            }
            ColumnOption::ForeignKey(reference) => {
                let name = constraint_name.or(reference.name.as_ref());
                let columns = vec![definition.column.name.clone()];
                definition
                    .foreign_keys
                    .push(foreign_key(dialect, name, columns, reference));
            }
            _ => {}
        }
    }
    let key_implies_not_null = definition.column.primary_key && dialect != Dialect::Sqlite;
    if key_implies_not_null || implied_not_null {
        definition.column.nullable = false;
    } else if let Some(nullable) = declared_nullable {
        definition.column.nullable = nullable;
    }
    definition
}

/// Whether the type is a Postgres auto-incrementing pseudo-type (implies NOT NULL).
fn is_serial(dialect: Dialect, rendered_type: &str) -> bool {
    dialect == Dialect::Postgres
        && matches!(
            rendered_type.to_ascii_uppercase().as_str(),
            "SERIAL" | "BIGSERIAL" | "SMALLSERIAL" | "SERIAL2" | "SERIAL4" | "SERIAL8"
        )
}

/// A UNIQUE constraint as an index; unnamed ones get [`names::unique_constraint_name`].
fn unique_index(
    dialect: Dialect,
    table: &str,
    name: Option<&Ident>,
    columns: Vec<String>,
) -> Index {
    Index {
        name: name.map_or_else(
            || names::unique_constraint_name(table, &columns),
            |n| names::ident(dialect, n),
        ),
        columns,
        unique: true,
        predicate: None,
        origin: IndexOrigin::UniqueConstraint,
    }
}

/// A foreign key on `columns` as `reference` describes it. Missing referenced columns (the
/// parent's primary key is meant) are left empty for [`Replayer::resolve_references`].
pub(super) fn foreign_key(
    dialect: Dialect,
    name: Option<&Ident>,
    columns: Vec<String>,
    reference: &ForeignKeyConstraint,
) -> ForeignKey {
    ForeignKey {
        name: name.map(|n| names::ident(dialect, n)),
        columns,
        ref_table: names::object(dialect, &reference.foreign_table),
        ref_columns: names::idents(dialect, &reference.referred_columns),
        on_delete: reference
            .on_delete
            .map_or(ReferentialAction::NoAction, Into::into),
        on_update: reference
            .on_update
            .map_or(ReferentialAction::NoAction, Into::into),
        enforcement: Default::default(),
    }
}

/// What a table constraint (in CREATE TABLE or ALTER TABLE ADD) adds to table `table`.
pub(super) fn constraint_effect(
    dialect: Dialect,
    table: &str,
    constraint: &TableConstraint,
) -> ConstraintEffect {
    match constraint {
        TableConstraint::Unique(unique) => {
            let columns = names::index_columns(dialect, &unique.columns);
            let name = unique.name.as_ref().or(unique.index_name.as_ref());
            ConstraintEffect::Index(unique_index(dialect, table, name, columns))
        }
        TableConstraint::PrimaryKey(primary) => {
            ConstraintEffect::PrimaryKey(names::index_columns(dialect, &primary.columns))
        }
        TableConstraint::ForeignKey(reference) => {
            let columns = names::idents(dialect, &reference.columns);
            let name = reference.name.as_ref();
            ConstraintEffect::ForeignKey(foreign_key(dialect, name, columns, reference))
        }
        TableConstraint::Index(index) => {
            let columns = names::index_columns(dialect, &index.columns);
            ConstraintEffect::Index(Index {
                name: index.name.as_ref().map_or_else(
                    || columns.first().cloned().unwrap_or_default(),
                    |n| names::ident(dialect, n),
                ),
                columns,
                unique: false,
                predicate: None,
                origin: IndexOrigin::Explicit,
            })
        }
        _ => ConstraintEffect::Nothing,
    }
}

/// Marks `columns` of `table` as the primary key (NOT NULL too, except in SQLite).
pub(super) fn set_primary_key(dialect: Dialect, table: &mut Table, columns: &[String]) {
    for column in table
        .columns
        .iter_mut()
        .filter(|c| names::contains(columns, &c.name))
    {
        column.primary_key = true;
        if dialect != Dialect::Sqlite {
            column.nullable = false;
        }
    }
}

/// Adds what a constraint describes to a table under construction.
fn add_constraint(dialect: Dialect, table: &mut Table, effect: ConstraintEffect) {
    match effect {
        ConstraintEffect::Index(index) => table.indexes.push(index),
        ConstraintEffect::ForeignKey(foreign_key) => table.foreign_keys.push(foreign_key),
        ConstraintEffect::PrimaryKey(columns) => set_primary_key(dialect, table, &columns),
        ConstraintEffect::Nothing => {}
    }
}

/// The table a CREATE TABLE statement defines, named `name`.
pub(super) fn build_table(dialect: Dialect, name: String, create: &CreateTable) -> Table {
    let mut table = Table {
        name,
        ..Table::default()
    };
    for def in &create.columns {
        let column_name = names::ident(dialect, &def.name);
        let options = def.options.iter().map(|o| (o.name.as_ref(), &o.option));
        let definition =
            column_definition(dialect, &table.name, column_name, &def.data_type, options);
        table.columns.push(definition.column);
        table.indexes.extend(definition.indexes);
        table.foreign_keys.extend(definition.foreign_keys);
    }
    for constraint in &create.constraints {
        let effect = constraint_effect(dialect, &table.name, constraint);
        add_constraint(dialect, &mut table, effect);
    }
    let implicit: Vec<Index> = table
        .foreign_keys
        .iter()
        .filter_map(|fk| implicit_foreign_key_index(dialect, &table, fk))
        .collect();
    for index in implicit {
        if table.index(&index.name).is_none() {
            table.indexes.push(index);
        }
    }
    table
}

/// The index MySQL creates for a foreign key when no index (or primary key) starts with its
/// columns, named after the constraint (else its first column).
pub(super) fn implicit_foreign_key_index(
    dialect: Dialect,
    table: &Table,
    foreign_key: &ForeignKey,
) -> Option<Index> {
    if dialect != Dialect::Mysql {
        return None;
    }
    let starts_with_key = |columns: &[String]| {
        columns.len() >= foreign_key.columns.len()
            && columns
                .iter()
                .zip(&foreign_key.columns)
                .all(|(a, b)| a.eq_ignore_ascii_case(b))
    };
    let key = primary_key_columns(table);
    if starts_with_key(&key) || table.indexes.iter().any(|i| starts_with_key(&i.columns)) {
        return None;
    }
    let name = foreign_key
        .name
        .clone()
        .or_else(|| foreign_key.columns.first().cloned())?;
    Some(Index {
        name,
        columns: foreign_key.columns.clone(),
        unique: false,
        predicate: None,
        origin: IndexOrigin::Explicit,
    })
}

impl Replayer {
    /// `CREATE TABLE`.
    pub(super) fn create_table(&mut self, at: &Location, create: &CreateTable) {
        let name = names::object(self.dialect, &create.name);
        if self.table(&name).is_some() {
            if !create.if_not_exists {
                self.diagnose(at, format!("CREATE TABLE {name}: the table already exists"));
            }
            return;
        }
        let table = if create.query.is_some() || create.like.is_some() {
            self.diagnose(
                at,
                format!(
                    "CREATE TABLE {name} copies another table or query: its columns are not known"
                ),
            );
            Table {
                name: name.clone(),
                ..Table::default()
            }
        } else {
            build_table(self.dialect, name.clone(), create)
        };
        let table = Table {
            schema: names::schema(self.dialect, &create.name),
            ..table
        };
        self.add_table(table);
        self.emit(at, SchemaChange::CreateTable { table: name });
    }

    /// Adds a new table, filling in foreign keys that reference the parent's primary key
    /// implicitly.
    pub(super) fn add_table(&mut self, mut table: Table) {
        self.resolve_references(&mut table);
        self.push_table(table);
    }

    /// Fills empty referenced-column lists of a table not (or no longer) in the schema with
    /// the parent's primary key columns (its own for a self-reference).
    ///
    /// The key is resolved once, when the reference is declared. SQLite resolves it each time
    /// it is used, so should the parent's key later change (only possible through a table
    /// redefinition there), the model keeps naming the old key columns.
    pub(super) fn resolve_references(&self, table: &mut Table) {
        let own_key = primary_key_columns(table);
        for foreign_key in table
            .foreign_keys
            .iter_mut()
            .filter(|fk| fk.ref_columns.is_empty())
        {
            foreign_key.ref_columns = if foreign_key.ref_table.eq_ignore_ascii_case(&table.name) {
                own_key.clone()
            } else {
                self.parent_key(&foreign_key.ref_table)
            };
        }
    }

    /// The primary key columns of table `parent` (empty if it does not exist).
    pub(super) fn parent_key(&self, parent: &str) -> Vec<String> {
        self.table(parent)
            .map(primary_key_columns)
            .unwrap_or_default()
    }
}

/// The primary key columns of a table, in column order.
fn primary_key_columns(table: &Table) -> Vec<String> {
    table
        .columns
        .iter()
        .filter(|c| c.primary_key)
        .map(|c| c.name.clone())
        .collect()
}
