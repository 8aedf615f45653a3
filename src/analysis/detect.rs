//! Detect migration sets in a tree and order their files as each framework does.
//!
//! Detection is pure: it reads a [`FileSet`] and never touches the disk. Layouts with one
//! directory per migration (Prisma, Diesel) are found first; every other directory of `.sql`
//! files is then classified by its markers (`atlas.sum`, a Drizzle journal, Flyway names,
//! goose/dbmate comments, `.up.sql` names, `Cargo.toml`, a `migrations` name).

mod dialect_choice;
mod flyway;
mod globs;
mod layouts;
mod paths;
mod prisma_layout;
mod sections;

use std::cmp::Ordering;

use globset::{GlobSet, GlobSetBuilder};
use serde::Serialize;

use super::diagnostic::{Diagnostic, DiagnosticKind};
use super::dialect::Dialect;
use super::fileset::FileSet;
use globs::ConfiguredGlobs;

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

impl Framework {
    /// The name people know the framework by (as in JSON output).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Framework::Prisma => "prisma",
            Framework::Flyway => "flyway",
            Framework::GolangMigrate => "golang-migrate",
            Framework::Sqlx => "sqlx",
            Framework::Diesel => "diesel",
            Framework::Dbmate => "dbmate",
            Framework::Goose => "goose",
            Framework::Drizzle => "drizzle",
            Framework::Atlas => "atlas",
            Framework::Supabase => "supabase",
            Framework::Plain => "plain",
            Framework::Configured => "configured",
        }
    }
}

impl std::fmt::Display for Framework {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
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
    /// A project file that names the database: the `sqlx` / `diesel` dependency's feature in
    /// `Cargo.toml`, or the `dialect` of Drizzle's `meta/_journal.json`.
    ProjectFile(String),
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

/// A dialect with how it was decided.
type StatedDialect = (Dialect, DialectSource);

/// A set as a layout found it, before its dialect is decided.
struct FoundSet {
    /// The framework / layout.
    framework: Framework,
    /// The directory holding the migrations.
    root: String,
    /// Migrations in application order.
    migrations: Vec<Migration>,
    /// schema.prisma file(s) (Prisma only).
    prisma_schema_files: Vec<String>,
    /// The dialect the tree itself states (`migration_lock.toml`, Prisma datasource).
    stated_dialect: Option<StatedDialect>,
    /// Whether the framework supports down migrations.
    supports_down: bool,
}

/// Finds the migration sets in `files`.
#[must_use]
pub fn detect(files: &FileSet, options: &DetectOptions) -> Detection {
    let mut diagnostics = Vec::new();
    let globs = ConfiguredGlobs::new(&options.globs, &mut diagnostics);
    let (configured, automatic): (Vec<&str>, Vec<&str>) = files
        .paths()
        .filter(|path| !paths::is_ignored(path))
        .partition(|path| globs.matches(path));
    let mut found = globs.sets(&configured);
    found.extend(layouts::find_sets(files, &automatic, &mut diagnostics));
    found.sort_by(|a, b| a.root.cmp(&b.root));
    let sets = found
        .into_iter()
        .map(|set| finish_set(set, files, options, &mut diagnostics))
        .collect();
    Detection { sets, diagnostics }
}

/// Decides the dialect of a found set and reports its duplicate versions.
fn finish_set(
    found: FoundSet,
    files: &FileSet,
    options: &DetectOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> MigrationSet {
    diagnostics.extend(duplicate_versions(&found));
    let ((dialect, dialect_source), guess) = dialect_choice::choose(&found, files, options);
    diagnostics.extend(guess);
    MigrationSet {
        framework: found.framework,
        root: found.root,
        dialect,
        dialect_source,
        migrations: found.migrations,
        prisma_schema_files: found.prisma_schema_files,
        supports_down: found.supports_down,
    }
}

/// One Layout diagnostic per migration whose version another migration of the set already has.
fn duplicate_versions(set: &FoundSet) -> Vec<Diagnostic> {
    if matches!(set.framework, Framework::Plain | Framework::Configured) {
        return Vec::new();
    }
    let compare = |a: &str, b: &str| match set.framework {
        Framework::Flyway => flyway::version_cmp(a, b),
        _ => paths::natural_cmp(a, b),
    };
    let mut versioned: Vec<&Migration> = set
        .migrations
        .iter()
        .filter(|m| !m.version.is_empty())
        .collect();
    versioned.sort_by(|a, b| compare(&a.version, &b.version).then_with(|| a.path.cmp(&b.path)));
    versioned
        .windows(2)
        .filter_map(|pair| match pair {
            [first, second] if compare(&first.version, &second.version) == Ordering::Equal => {
                Some(Diagnostic::new(
                    &second.path,
                    0,
                    DiagnosticKind::Layout,
                    format!(
                        "duplicate migration version {}: {} and {}",
                        second.version, first.path, second.path
                    ),
                ))
            }
            _ => None,
        })
        .collect()
}

/// File names detection reads besides `.sql` and `.prisma` files.
const MARKER_FILE_NAMES: [&str; 5] = [
    "migration_lock.toml",
    "atlas.sum",
    "_journal.json",
    "package.json",
    "Cargo.toml",
];

/// Decides cheaply which paths a source must load for detection; build it once per tree.
#[derive(Clone, Debug)]
pub struct CandidateFilter {
    /// The configured globs (invalid ones are left out; [`detect`] reports them).
    globs: GlobSet,
}

impl CandidateFilter {
    /// Compiles the configured globs of `options`.
    #[must_use]
    pub fn new(options: &DetectOptions) -> Self {
        let mut builder = GlobSetBuilder::new();
        for glob in options.globs.iter().filter_map(|p| globs::compile(p).ok()) {
            builder.add(glob);
        }
        let globs = builder.build().unwrap_or_else(|_| GlobSet::empty());
        CandidateFilter { globs }
    }

    /// Whether `path` (repository-relative, `/`-separated) may matter to detection.
    #[must_use]
    pub fn matches(&self, path: &str) -> bool {
        if paths::is_ignored(path) {
            return false;
        }
        let (_, name) = paths::split(path);
        paths::is_sql(name)
            || name.ends_with(".prisma")
            || MARKER_FILE_NAMES.contains(&name)
            || self.globs.is_match(path)
    }
}

/// Whether a directory with this name is never searched (`node_modules`, `vendor`, `target`,
/// `.git`); sources use it to prune their walk.
#[must_use]
pub fn is_ignored_dir(name: &str) -> bool {
    paths::is_ignored_dir_name(name)
}

/// Whether a path may matter to detection (so sources load only these files).
///
/// Compiles the configured globs on each call; to test many paths build a [`CandidateFilter`].
#[must_use]
pub fn is_candidate(path: &str, options: &DetectOptions) -> bool {
    CandidateFilter::new(options).matches(path)
}

/// The SQL of the up direction of `migration` in `set`, with lines of other sections
/// (dbmate `-- migrate:down`, goose `-- +goose Down`) blanked so line numbers stay true.
#[must_use]
pub fn up_sql(set: &MigrationSet, contents: &str) -> String {
    if sections::is_sectioned(set.framework) {
        sections::up_section(set.framework, contents)
    } else {
        contents.to_string()
    }
}
