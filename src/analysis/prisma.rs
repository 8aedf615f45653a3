//! Parse schema.prisma (one file or a multi-file folder) into a [`Schema`], and report drift
//! between it and the schema the migrations produce.
//!
//! The parser is hand-written and tolerant: every problem becomes a [`DiagnosticKind::Prisma`]
//! diagnostic with file:line and parsing carries on. The mapping to a [`Schema`] follows what
//! Prisma Migrate writes (Prisma 5/6):
//! - column types per provider (SQLite `Json` is `JSONB`, as Prisma 6.2+ writes), native
//!   `@db.*` types override; Postgres `Int @default(autoincrement())` is `SERIAL`;
//! - `autoincrement()`, `uuid()`, `cuid()`, ... give no database default; `now()` gives
//!   `CURRENT_TIMESTAMP`;
//! - `@unique`/`@@unique` are unique indexes `{Table}_{cols}_key` (origin `Explicit`, as Prisma
//!   writes `CREATE UNIQUE INDEX`), `@@index` is `{Table}_{cols}_idx`;
//! - relations are foreign keys `{Table}_{cols}_fkey`, onDelete `SetNull` when the relation is
//!   optional and `Restrict` when required, onUpdate `Cascade`; the same defaults hold with
//!   `relationMode = "prisma"`, where every foreign key is enforced by the Prisma client;
//! - implicit many-to-many relations get their join table `_AToB` (Prisma 6 layout: on Postgres
//!   `A`,`B` form the primary key `_AToB_AB_pkey`; elsewhere a unique index `_AToB_AB_unique`),
//!   an index `_AToB_B_index` and foreign keys with `ON DELETE CASCADE` to both sides;
//! - without a datasource naming sqlite, postgresql or mysql, types are derived as for
//!   PostgreSQL (and a diagnostic says so).

mod ast;
mod drift;
mod lexer;
mod parser;
mod sql_types;
mod to_schema;

use serde::Serialize;

use super::diagnostic::Diagnostic;
use super::dialect::Dialect;
use super::schema::Schema;

pub use drift::drift;

/// `relationMode` of the datasource.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationMode {
    /// The database holds the foreign keys (the default).
    #[default]
    ForeignKeys,
    /// `relationMode = "prisma"`: no foreign keys in the database; the client emulates them.
    Prisma,
}

/// A parsed Prisma schema.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PrismaSchema {
    /// Models as tables (`@@map`/`@map` names applied), relations as foreign keys with Prisma's
    /// default referential actions; with `relationMode = "prisma"` every foreign key has
    /// enforcement `PrismaClient`.
    pub schema: Schema,
    /// The datasource provider, when it names a supported dialect.
    pub provider: Option<Dialect>,
    /// The datasource relation mode.
    pub relation_mode: RelationMode,
    /// Parse problems with file:line.
    pub diagnostics: Vec<Diagnostic>,
    /// Where the `datasource` block is declared, if there is one.
    pub datasource: Option<SourceLine>,
    /// The models (not `@@ignore`d) in declaration order, with where each part is declared.
    pub models: Vec<PrismaModel>,
}

/// A file and 1-based line in schema.prisma (or a file of a schema folder).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SourceLine {
    /// Path of the .prisma file as given to [`parse_prisma`].
    pub file: String,
    /// 1-based line.
    pub line: usize,
}

/// A model and the declarations drift needs to point at.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PrismaModel {
    /// Model name.
    pub name: String,
    /// Table name (`@@map` or the model name).
    pub table: String,
    /// Where `model Name {` is.
    pub at: SourceLine,
    /// Scalar fields, i.e. the model's columns, in declaration order.
    pub fields: Vec<PrismaField>,
    /// Relation fields that put something in the database: a foreign key on this table or an
    /// implicit many-to-many join table (listed on the model whose name sorts first).
    pub relations: Vec<PrismaRelation>,
    /// `@unique` and `@@unique` declarations.
    pub uniques: Vec<PrismaUnique>,
}

/// A scalar field and its column.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PrismaField {
    /// Field name.
    pub name: String,
    /// Column name (`@map` or the field name).
    pub column: String,
    /// Whether the type comes from an explicit native type (`@db.VarChar(255)`), so its
    /// parameters matter when comparing.
    pub native_type: bool,
    /// Where the field is declared.
    pub at: SourceLine,
}

/// What a relation field stores in the database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RelationStorage {
    /// A foreign key on the model's table over these columns.
    ForeignKey {
        /// Referencing columns.
        columns: Vec<String>,
    },
    /// An implicit many-to-many join table.
    JoinTable {
        /// Join table name (`_AToB` or `_RelationName`).
        table: String,
    },
}

/// A relation field that owns a foreign key or a join table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PrismaRelation {
    /// Relation field name.
    pub field: String,
    /// What it stores.
    pub storage: RelationStorage,
    /// Where the field is declared.
    pub at: SourceLine,
}

/// A `@unique` / `@@unique` declaration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PrismaUnique {
    /// Name of the unique index it creates (`map:` or `{Table}_{cols}_key`).
    pub index: String,
    /// Its columns.
    pub columns: Vec<String>,
    /// Where it is declared.
    pub at: SourceLine,
}

/// Parses schema.prisma files given as (path, contents); all files of a schema folder are given
/// together and may refer to each other's models and enums. Never panics.
pub fn parse_prisma(files: &[(&str, &str)]) -> PrismaSchema {
    let parsed: Vec<(&str, parser::ParsedFile)> = files
        .iter()
        .map(|(path, source)| (*path, parser::parse_file(source)))
        .collect();
    to_schema::build(&parsed)
}
