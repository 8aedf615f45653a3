//! The schema model: what a database looks like after a migration history (or per schema.prisma).
//!
//! Names are kept as written, without quotes. Lookups are ASCII case-insensitive, which is how
//! SQLite and MySQL (on the usual platforms) compare identifiers; for Postgres the replay folds
//! unquoted identifiers to lowercase before they get here, so quoted mixed-case names stay distinct
//! only in the unusual case of two names differing in case alone.

use serde::Serialize;

/// A whole schema.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Schema {
    /// Tables in creation order.
    pub tables: Vec<Table>,
    /// Postgres enum types (and Prisma enums).
    pub enums: Vec<EnumType>,
}

/// One table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Table {
    /// Table name as written, without quotes or schema prefix (`public.` is dropped).
    pub name: String,
    /// The schema it was created in when that is not the default one (`audit` for
    /// `CREATE TABLE audit.events`); `None` for unqualified names and `public`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Columns in declaration order.
    pub columns: Vec<Column>,
    /// Indexes, including the ones a UNIQUE constraint creates (see [`IndexOrigin`]).
    pub indexes: Vec<Index>,
    /// Foreign keys declared on this table (this table is the child / referencing side).
    pub foreign_keys: Vec<ForeignKey>,
}

/// One column.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Column {
    /// Column name as written.
    pub name: String,
    /// The declared type as written (sqlparser's rendering, e.g. `TEXT`, `VARCHAR(191)`, `DECIMAL(65,30)`).
    #[serde(rename = "type")]
    pub data_type: String,
    /// Whether NULL is allowed (what the database enforces: `NOT NULL` absent).
    pub nullable: bool,
    /// The default expression as SQL text, if any.
    pub default: Option<String>,
    /// Whether the column is part of the primary key.
    pub primary_key: bool,
    /// Whether the database fills it from a sequence (`GENERATED ... AS IDENTITY`,
    /// `AUTO_INCREMENT`): NOT NULL without a default is then fine for existing rows.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub identity: bool,
}

/// Where an index comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexOrigin {
    /// `CREATE INDEX` / `CREATE UNIQUE INDEX` / MySQL inline `KEY`.
    #[default]
    Explicit,
    /// A `UNIQUE` constraint (column or table level).
    UniqueConstraint,
}

/// One index.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Index {
    /// Index (or constraint) name; for an unnamed UNIQUE constraint, a generated name
    /// `<table>_<cols>_key` marked by origin `unique_constraint`.
    pub name: String,
    /// Indexed columns (or expressions, as SQL text) in order.
    pub columns: Vec<String>,
    /// Whether the index enforces uniqueness.
    pub unique: bool,
    /// The `WHERE` predicate of a partial index, as SQL text.
    pub predicate: Option<String>,
    /// Where the index comes from.
    pub origin: IndexOrigin,
}

/// A referential action (`ON DELETE` / `ON UPDATE`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReferentialAction {
    /// `NO ACTION` (the SQL default): the delete fails at statement end if rows still refer.
    #[default]
    NoAction,
    /// `RESTRICT`: the delete fails immediately if rows refer.
    Restrict,
    /// `CASCADE`: referring rows are deleted (or updated) too.
    Cascade,
    /// `SET NULL`: referring columns are set to NULL.
    SetNull,
    /// `SET DEFAULT`: referring columns are set to their default.
    SetDefault,
}

impl ReferentialAction {
    /// SQL spelling, e.g. `SET NULL`.
    pub fn sql(self) -> &'static str {
        match self {
            ReferentialAction::NoAction => "NO ACTION",
            ReferentialAction::Restrict => "RESTRICT",
            ReferentialAction::Cascade => "CASCADE",
            ReferentialAction::SetNull => "SET NULL",
            ReferentialAction::SetDefault => "SET DEFAULT",
        }
    }
}

impl From<sqlparser::ast::ReferentialAction> for ReferentialAction {
    fn from(action: sqlparser::ast::ReferentialAction) -> Self {
        use sqlparser::ast::ReferentialAction as A;
        match action {
            A::Restrict => ReferentialAction::Restrict,
            A::Cascade => ReferentialAction::Cascade,
            A::SetNull => ReferentialAction::SetNull,
            A::NoAction => ReferentialAction::NoAction,
            A::SetDefault => ReferentialAction::SetDefault,
        }
    }
}

impl std::fmt::Display for ReferentialAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.sql())
    }
}

/// Who enforces a foreign key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Enforcement {
    /// A real foreign key in the database.
    #[default]
    Database,
    /// Emulated by the Prisma client (`relationMode = "prisma"`): the database has no constraint.
    PrismaClient,
}

/// One foreign key, declared on the child (referencing) table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ForeignKey {
    /// Constraint name, when the SQL gave one.
    pub name: Option<String>,
    /// Referencing columns on this table.
    pub columns: Vec<String>,
    /// Referenced (parent) table.
    pub ref_table: String,
    /// Referenced columns on the parent.
    pub ref_columns: Vec<String>,
    /// Action when a parent row is deleted.
    pub on_delete: ReferentialAction,
    /// Action when a parent key is updated.
    pub on_update: ReferentialAction,
    /// Whether the database or the Prisma client enforces it.
    pub enforcement: Enforcement,
}

/// A Postgres enum type (or a Prisma enum).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EnumType {
    /// Type name.
    pub name: String,
    /// Values in order.
    pub values: Vec<String>,
}

/// ASCII case-insensitive identifier comparison.
pub fn same_name(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

impl Schema {
    /// The table with this name.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| same_name(&t.name, name))
    }

    /// The table with this name, mutably.
    pub fn table_mut(&mut self, name: &str) -> Option<&mut Table> {
        self.tables.iter_mut().find(|t| same_name(&t.name, name))
    }

    /// The enum type with this name.
    pub fn enum_type(&self, name: &str) -> Option<&EnumType> {
        self.enums.iter().find(|e| same_name(&e.name, name))
    }
}

impl Table {
    /// The column with this name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| same_name(&c.name, name))
    }

    /// The column with this name, mutably.
    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| same_name(&c.name, name))
    }

    /// The index with this name.
    pub fn index(&self, name: &str) -> Option<&Index> {
        self.indexes.iter().find(|i| same_name(&i.name, name))
    }
}
