//! Recognising each layout in the tree and listing its migrations in the framework's order.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use super::paths::{
    is_sql, join, last_component, natural_cmp, natural_total_cmp, parent, split, split_digits,
    sql_stem,
};
use super::{FoundSet, Framework, Migration, flyway, prisma_layout, sections};
use crate::analysis::diagnostic::{Diagnostic, DiagnosticKind};
use crate::analysis::fileset::FileSet;

/// Finds every migration set among `paths` (already filtered of ignored and configured files).
pub(super) fn find_sets(
    files: &FileSet,
    paths: &[&str],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<FoundSet> {
    let nested = NestedSets::collect(files, paths);
    let mut sets: Vec<FoundSet> = Vec::new();
    for (root, dirs) in &nested.prisma {
        sets.push(prisma_set(files, root, dirs, diagnostics));
    }
    for (root, dirs) in &nested.diesel {
        sets.push(diesel_set(files, root, dirs));
    }
    for (dir, names) in flat_sql_dirs(paths, &nested.claimed) {
        if let Some(framework) = classify_flat_dir(files, dir, &names) {
            sets.push(flat_set(files, framework, dir, &names, diagnostics));
        }
    }
    sets
}

/// Layouts with one directory per migration (Prisma, Diesel), by root directory.
#[derive(Default)]
struct NestedSets<'a> {
    /// Prisma roots and their migration directory names.
    prisma: BTreeMap<&'a str, Vec<&'a str>>,
    /// Diesel roots and their migration directory names.
    diesel: BTreeMap<&'a str, Vec<&'a str>>,
    /// Paths these sets own (so the flat pass does not see them again).
    claimed: BTreeSet<String>,
}

impl<'a> NestedSets<'a> {
    /// Scans `paths` for `<root>/<dir>/migration.sql` and `<root>/<dir>/up.sql`.
    fn collect(files: &FileSet, paths: &[&'a str]) -> Self {
        let mut nested = NestedSets::default();
        for &path in paths {
            let (dir, name) = split(path);
            if dir.is_empty() {
                continue;
            }
            let (root, migration_dir) = split(dir);
            if name == "migration.sql" && is_prisma_root(files, root) {
                nested.prisma.entry(root).or_default().push(migration_dir);
                nested.claimed.insert(path.to_string());
            } else if name == "up.sql" {
                nested.diesel.entry(root).or_default().push(migration_dir);
                nested.claimed.insert(path.to_string());
                nested.claimed.insert(join(dir, "down.sql"));
            }
        }
        nested
    }
}

/// Whether `root` holds Prisma migration directories: it has the lock file or is `migrations`.
fn is_prisma_root(files: &FileSet, root: &str) -> bool {
    files.contains(&join(root, prisma_layout::LOCK_FILE)) || last_component(root) == "migrations"
}

/// `.sql` files not claimed by nested layouts, grouped by directory.
fn flat_sql_dirs<'a>(
    paths: &[&'a str],
    claimed: &BTreeSet<String>,
) -> BTreeMap<&'a str, Vec<&'a str>> {
    let mut dirs: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for &path in paths {
        let (dir, name) = split(path);
        if is_sql(name) && !claimed.contains(path) {
            dirs.entry(dir).or_default().push(name);
        }
    }
    dirs
}

/// Which flat layout a directory of `.sql` files follows, if any. File markers and names are
/// stronger evidence than contents, so they are tested first.
fn classify_flat_dir(files: &FileSet, dir: &str, names: &[&str]) -> Option<Framework> {
    let contents_have = |framework: Framework| {
        names.iter().any(|name| {
            files.get(&join(dir, name)).is_some_and(|bytes| {
                sections::has_up_marker(framework, &String::from_utf8_lossy(bytes))
            })
        })
    };
    let framework = if files.contains(&join(dir, "atlas.sum")) {
        Framework::Atlas
    } else if files.contains(&join(dir, "meta/_journal.json")) {
        Framework::Drizzle
    } else if dir == "supabase/migrations" || dir.ends_with("/supabase/migrations") {
        Framework::Supabase
    } else if names.iter().any(|name| flyway::is_versioned(name)) {
        Framework::Flyway
    } else if names.iter().any(|name| up_stem(name).is_some()) {
        if is_sqlx_dir(files, dir) {
            Framework::Sqlx
        } else {
            Framework::GolangMigrate
        }
    } else if contents_have(Framework::Goose) {
        Framework::Goose
    } else if contents_have(Framework::Dbmate) {
        Framework::Dbmate
    } else if is_sqlx_dir(files, dir) {
        Framework::Sqlx
    } else if last_component(dir) == "migrations" {
        Framework::Plain
    } else {
        return None;
    };
    Some(framework)
}

/// Whether `dir` is a `migrations/` directory at the root of a Rust crate (sqlx's place).
fn is_sqlx_dir(files: &FileSet, dir: &str) -> bool {
    last_component(dir) == "migrations" && files.contains(&join(parent(dir), "Cargo.toml"))
}

/// The stem of a `<stem>.up.sql` name.
fn up_stem(name: &str) -> Option<&str> {
    name.strip_suffix(".up.sql")
}

/// The stem of a `<stem>.down.sql` name.
fn down_stem(name: &str) -> Option<&str> {
    name.strip_suffix(".down.sql")
}

/// Splits `<digits>_<name>` into version and name; a stem without leading digits is both.
pub(super) fn split_version(stem: &str) -> (String, String) {
    let (digits, rest) = split_digits(stem);
    if digits.is_empty() {
        (stem.to_string(), stem.to_string())
    } else {
        let name = rest.trim_start_matches(['_', '-', '.']);
        (digits.to_string(), name.to_string())
    }
}

/// Splits `<version>_<name>` at the first underscore.
fn split_at_underscore(stem: &str) -> (String, String) {
    match stem.split_once('_') {
        Some((version, name)) => (version.to_string(), name.to_string()),
        None => (stem.to_string(), String::new()),
    }
}

/// A set with no dialect statement, no schema files, and the framework's down support.
fn found_set(framework: Framework, root: &str, migrations: Vec<Migration>) -> FoundSet {
    FoundSet {
        framework,
        root: root.to_string(),
        migrations,
        prisma_schema_files: Vec::new(),
        stated_dialect: None,
        supports_down: !matches!(
            framework,
            Framework::Prisma
                | Framework::Drizzle
                | Framework::Atlas
                | Framework::Supabase
                | Framework::Plain
                | Framework::Configured
        ),
    }
}

/// A migration whose up SQL is the whole file.
fn whole_file_migration(version: String, name: String, path: String) -> Migration {
    Migration {
        version,
        name,
        path,
        down_path: None,
        has_down_section: false,
    }
}

/// Prisma Migrate: directories ordered by name, dialect from the lock or the datasource.
fn prisma_set(
    files: &FileSet,
    root: &str,
    dirs: &[&str],
    diagnostics: &mut Vec<Diagnostic>,
) -> FoundSet {
    let mut dirs = dirs.to_vec();
    dirs.sort_unstable();
    let migrations = dirs
        .iter()
        .map(|dir| {
            let (version, name) = split_at_underscore(dir);
            whole_file_migration(version, name, join(root, &join(dir, "migration.sql")))
        })
        .collect();
    let mut set = found_set(Framework::Prisma, root, migrations);
    set.prisma_schema_files = prisma_layout::schema_files(files, root);
    set.stated_dialect = prisma_layout::lock_dialect(files, root, diagnostics).or_else(|| {
        prisma_layout::datasource_dialect(files, &set.prisma_schema_files, diagnostics)
    });
    set
}

/// Diesel: `<version>_<name>/up.sql` (+ `down.sql`), ordered by version.
fn diesel_set(files: &FileSet, root: &str, dirs: &[&str]) -> FoundSet {
    let mut migrations: Vec<Migration> = dirs
        .iter()
        .map(|dir| {
            let (version, name) = split_at_underscore(dir);
            let down = join(root, &join(dir, "down.sql"));
            Migration {
                version: version.replace('-', ""),
                name,
                path: join(root, &join(dir, "up.sql")),
                down_path: files.contains(&down).then_some(down),
                has_down_section: false,
            }
        })
        .collect();
    migrations.sort_by(by_version_then_path);
    found_set(Framework::Diesel, root, migrations)
}

/// Natural order of versions, then of paths.
fn by_version_then_path(a: &Migration, b: &Migration) -> Ordering {
    natural_cmp(&a.version, &b.version).then_with(|| natural_total_cmp(&a.path, &b.path))
}

/// What a file of a flat directory is to its framework.
enum FlatRole<'a> {
    /// An up migration (or a whole sectioned file) with this stem.
    Up(&'a str),
    /// A down migration with this stem.
    Down(&'a str),
    /// Not a file the framework applies.
    Ignored,
}

/// The role of `name` in a flat directory of `framework`.
fn flat_role(framework: Framework, name: &str) -> FlatRole<'_> {
    if let Some(stem) = up_stem(name) {
        return FlatRole::Up(stem);
    }
    if let Some(stem) = down_stem(name) {
        return FlatRole::Down(stem);
    }
    match framework {
        Framework::GolangMigrate => FlatRole::Ignored,
        _ => FlatRole::Up(sql_stem(name)),
    }
}

/// Any flat layout: Flyway has its own naming; the others share `<version>_<name>`.
fn flat_set(
    files: &FileSet,
    framework: Framework,
    dir: &str,
    names: &[&str],
    diagnostics: &mut Vec<Diagnostic>,
) -> FoundSet {
    if framework == Framework::Flyway {
        return flyway_set(dir, names, diagnostics);
    }
    let mut ups: Vec<Migration> = Vec::new();
    let mut downs: BTreeMap<String, String> = BTreeMap::new();
    for name in names {
        let path = join(dir, name);
        match flat_role(framework, name) {
            FlatRole::Up(stem) => {
                let (version, migration_name) = split_version(stem);
                ups.push(whole_file_migration(version, migration_name, path));
            }
            FlatRole::Down(stem) => {
                downs.entry(split_version(stem).0).or_insert(path);
            }
            FlatRole::Ignored => diagnostics.push(ignored_file(path, framework)),
        }
    }
    for migration in &mut ups {
        migration.down_path = downs.remove(&migration.version);
    }
    diagnostics.extend(downs.into_values().map(orphan_down));
    if sections::is_sectioned(framework) {
        mark_sections(files, framework, &mut ups, diagnostics);
    }
    order_flat(files, framework, dir, &mut ups, diagnostics);
    let mut set = found_set(framework, dir, ups);
    if framework == Framework::Sqlx {
        set.supports_down = names
            .iter()
            .any(|n| up_stem(n).is_some() || down_stem(n).is_some());
    }
    set
}

/// Records down sections and reports files without the up marker.
fn mark_sections(
    files: &FileSet,
    framework: Framework,
    migrations: &mut [Migration],
    diagnostics: &mut Vec<Diagnostic>,
) {
    for migration in migrations {
        let text = String::from_utf8_lossy(files.get(&migration.path).unwrap_or_default());
        migration.has_down_section = sections::has_down_content(framework, &text);
        if !sections::has_up_marker(framework, &text) {
            let marker = match framework {
                Framework::Goose => "-- +goose Up",
                _ => "-- migrate:up",
            };
            let message = format!("no `{marker}` marker: the migration has no up section");
            diagnostics.push(layout(&migration.path, message));
        }
    }
}

/// Sorts flat migrations in the framework's order.
fn order_flat(
    files: &FileSet,
    framework: Framework,
    dir: &str,
    migrations: &mut [Migration],
    diagnostics: &mut Vec<Diagnostic>,
) {
    match framework {
        Framework::Drizzle => order_by_journal(files, dir, migrations, diagnostics),
        Framework::Atlas => migrations.sort_by(|a, b| a.path.cmp(&b.path)),
        _ => migrations.sort_by(by_version_then_path),
    }
}

/// The Drizzle journal next to the migrations.
const DRIZZLE_JOURNAL: &str = "meta/_journal.json";

/// Orders Drizzle migrations as `meta/_journal.json` lists them (`entries[].idx` / `tag`);
/// files the journal does not list go last, by name, with a diagnostic.
fn order_by_journal(
    files: &FileSet,
    dir: &str,
    migrations: &mut [Migration],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let journal_path = join(dir, DRIZZLE_JOURNAL);
    let journal = read_journal(files, &journal_path, diagnostics);
    let position = |m: &Migration| {
        let stem = sql_stem(split(&m.path).1);
        journal
            .iter()
            .find(|(_, tag)| tag == stem)
            .map(|(idx, _)| *idx)
    };
    migrations.sort_by(|a, b| match (position(a), position(b)) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.path.cmp(&b.path)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => natural_total_cmp(&a.path, &b.path),
    });
    for migration in migrations.iter().filter(|m| position(m).is_none()) {
        let message = format!("not listed in {journal_path}; drizzle-kit will not apply it");
        diagnostics.push(layout(&migration.path, message));
    }
}

/// `(idx, tag)` of each journal entry; an unreadable journal is reported and treated as empty.
fn read_journal(
    files: &FileSet,
    path: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(u64, String)> {
    let journal = files.get(path).unwrap_or_default();
    let value: serde_json::Value = match serde_json::from_slice(journal) {
        Ok(value) => value,
        Err(error) => {
            diagnostics.push(layout(path, format!("cannot read the journal: {error}")));
            return Vec::new();
        }
    };
    let entries = value.get("entries").and_then(|e| e.as_array());
    entries
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(position, entry)| {
            let tag = entry.get("tag")?.as_str()?.to_string();
            let idx = entry.get("idx").and_then(serde_json::Value::as_u64);
            Some((idx.unwrap_or(position as u64), tag))
        })
        .collect()
}

/// Flyway: versioned migrations by version, undo files paired by version, repeatables last
/// by description.
fn flyway_set(dir: &str, names: &[&str], diagnostics: &mut Vec<Diagnostic>) -> FoundSet {
    let mut versioned: Vec<Migration> = Vec::new();
    let mut repeatable: Vec<Migration> = Vec::new();
    let mut undo: Vec<(String, String)> = Vec::new();
    for name in names {
        let path = join(dir, name);
        match flyway::parse(name) {
            Some(flyway::FlywayFile::Versioned {
                version,
                description,
            }) => versioned.push(whole_file_migration(version, description.to_string(), path)),
            Some(flyway::FlywayFile::Undo { version }) => undo.push((version, path)),
            Some(flyway::FlywayFile::Repeatable { description }) => repeatable.push(
                whole_file_migration(String::new(), description.to_string(), path),
            ),
            None => diagnostics.push(ignored_file(path, Framework::Flyway)),
        }
    }
    versioned.sort_by(|a, b| {
        flyway::version_cmp(&a.version, &b.version).then_with(|| a.path.cmp(&b.path))
    });
    repeatable.sort_by(|a, b| a.name.cmp(&b.name));
    for (version, path) in undo {
        match versioned
            .iter_mut()
            .find(|m| flyway::version_cmp(&m.version, &version) == Ordering::Equal)
        {
            Some(migration) => migration.down_path = Some(path),
            None => diagnostics.push(orphan_down(path)),
        }
    }
    versioned.extend(repeatable);
    found_set(Framework::Flyway, dir, versioned)
}

/// A Layout diagnostic on a whole file.
fn layout(path: impl Into<String>, message: String) -> Diagnostic {
    Diagnostic::new(path, 0, DiagnosticKind::Layout, message)
}

/// The diagnostic for a `.sql` file the directory's framework does not apply.
fn ignored_file(path: String, framework: Framework) -> Diagnostic {
    let message = format!("not a {framework} migration file name; {framework} ignores it");
    layout(path, message)
}

/// The diagnostic for a down/undo file without its up migration.
fn orphan_down(path: String) -> Diagnostic {
    layout(
        path,
        "down migration without a matching up migration".to_string(),
    )
}
