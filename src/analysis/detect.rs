//! Detect migration sets in a tree and order their files as each framework does.
//!
//! OWNER: detect helper. Public types below are the shared interface; keep them stable.

use serde::Serialize;

use super::diagnostic::Diagnostic;
use super::dialect::Dialect;
use super::fileset::FileSet;

/// A migration framework / layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Framework {
    /// `prisma/migrations/<ts>_<name>/migration.sql` + `migration_lock.toml`.
    Prisma,
    /// `V<ver>__<desc>.sql`, `U<ver>__...` (undo), `R__...` (repeatable).
    Flyway,
    /// `<version>_<name>.up.sql` / `.down.sql`.
    GolangMigrate,
    /// `<ts>_<name>.up.sql` / `.down.sql`, or plain `<ts>_<name>.sql`, under `migrations/`.
    Sqlx,
    /// `migrations/<version>_<name>/up.sql` + `down.sql`.
    Diesel,
    /// `db/migrations/<ts>_<name>.sql` with `-- migrate:up` / `-- migrate:down`.
    Dbmate,
    /// `<version>_<name>.sql` with `-- +goose Up` / `-- +goose Down`.
    Goose,
    /// `drizzle/<nnnn>_<name>.sql` with `--> statement-breakpoint`, `meta/_journal.json`.
    Drizzle,
    /// `migrations/*.sql` + `atlas.sum`.
    Atlas,
    /// `supabase/migrations/<ts>_<name>.sql`.
    Supabase,
    /// Any other `migrations/*.sql`, ordered by file name.
    Plain,
    /// Files matched by a glob from the configuration, ordered by path.
    Configured,
}

/// How the dialect of a set was decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DialectSource {
    /// `--dialect` on the command line.
    CommandLine,
    /// `migration_lock.toml` (`provider = "..."`) at this path.
    MigrationLock(String),
    /// The `datasource` of schema.prisma.
    PrismaSchema(String),
    /// The configuration file.
    Config,
    /// The framework implies it (e.g. Supabase is Postgres).
    Framework,
    /// Nothing said; a default was assumed (reported as a diagnostic).
    Assumed,
}

/// One migration (a version), with its up file and optional down file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Migration {
    /// The version / ordering key as the framework reads it (e.g. `20240101120000`, `1.2`).
    pub version: String,
    /// The descriptive name (e.g. `add_recipe_tags`).
    pub name: String,
    /// Path of the file holding the up migration.
    pub path: String,
    /// Path of the down/undo migration, when a separate file exists.
    pub down_path: Option<String>,
    /// Whether the up file also holds a down section (dbmate, goose) that is not empty.
    pub has_down_section: bool,
}

/// A set of migrations that replay into one schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MigrationSet {
    /// The framework / layout.
    pub framework: Framework,
    /// The directory holding the migrations (repository-relative, `/`-separated, no trailing `/`).
    pub root: String,
    /// The dialect to parse with.
    pub dialect: Dialect,
    /// How the dialect was decided.
    pub dialect_source: DialectSource,
    /// Migrations in the order the framework applies them.
    pub migrations: Vec<Migration>,
    /// schema.prisma file(s) belonging to this set (Prisma only; several for a schema folder).
    pub prisma_schema_files: Vec<String>,
    /// Whether the framework supports down migrations (so a missing one is worth a finding).
    pub supports_down: bool,
}

/// Options for detection.
#[derive(Clone, Debug, Default)]
pub struct DetectOptions {
    /// Dialect forced by `--dialect` (overrides everything else).
    pub dialect: Option<Dialect>,
    /// Dialect from the configuration (used when the tree does not say).
    pub config_dialect: Option<Dialect>,
    /// Extra globs (e.g. `db/schema/**/*.sql`) from the configuration.
    pub globs: Vec<String>,
}

/// What detection found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Detection {
    /// Every migration set found, ordered by root.
    pub sets: Vec<MigrationSet>,
    /// Layout problems (duplicate versions, unknown provider, assumed dialect, ...).
    pub diagnostics: Vec<Diagnostic>,
}

/// Finds the migration sets in `files`.
pub fn detect(files: &FileSet, options: &DetectOptions) -> Detection {
    let _ = (files, options);
    todo!("detect helper")
}

/// Whether a path may matter to detection (so sources load only these files).
pub fn is_candidate(path: &str, options: &DetectOptions) -> bool {
    let _ = (path, options);
    todo!("detect helper")
}

/// The SQL of the up direction of `migration` in `set`, with lines of other sections
/// (dbmate `-- migrate:down`, goose `-- +goose Down`) blanked so line numbers stay true.
pub fn up_sql(set: &MigrationSet, contents: &str) -> String {
    let _ = (set, contents);
    todo!("detect helper")
}
