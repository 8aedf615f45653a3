//! Real set changes from the meal-planner fixture (Prisma + SQLite): a "PR" adds one migration
//! of the history on top of the migrations before it, and the whole pipeline analyses it.

use std::path::PathBuf;

use schemagate::analysis::detect::DetectOptions;
use schemagate::analysis::fileset::FileSet;
use schemagate::analysis::pipeline::{SetChange, analyze_change};

const MIGRATIONS: &str = "prisma/migrations";

const SCHEMA: &str = "prisma/schema.prisma";

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/meal-planner")
}

/// Repository path of migration `name`'s SQL file.
pub fn migration_path(name: &str) -> String {
    format!("{MIGRATIONS}/{name}/migration.sql")
}

/// A file set with the lock file, the migrations whose directory names pass `keep`, and the
/// final schema.prisma when `with_schema`.
fn tree(keep: impl Fn(&str) -> bool, with_schema: bool) -> FileSet {
    let dir = fixture().join(MIGRATIONS);
    let lock = std::fs::read(dir.join("migration_lock.toml")).expect("lock file");
    let mut files = FileSet::new();
    files.insert(format!("{MIGRATIONS}/migration_lock.toml"), lock);
    if with_schema {
        let schema = std::fs::read(fixture().join(SCHEMA)).expect("schema.prisma");
        files.insert(SCHEMA, schema);
    }
    let entries = std::fs::read_dir(&dir).expect("fixture directory");
    for entry in entries.map(|e| e.expect("directory entry")) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() && keep(&name) {
            let sql = std::fs::read(entry.path().join("migration.sql")).expect("migration.sql");
            files.insert(migration_path(&name), sql);
        }
    }
    files
}

/// The change of a PR adding migration `pr` to the history before it; with `with_schema`, both
/// trees also hold the fixture's schema.prisma (which describes the end of the whole history).
pub fn change_at(pr: &str, with_schema: bool) -> SetChange {
    let base = tree(|name| name < pr, with_schema);
    let head = tree(|name| name <= pr, with_schema);
    let analysis = analyze_change(&base, &head, &DetectOptions::default());
    let mut sets = analysis.sets.into_iter();
    let change = sets.next().expect("one migration set");
    assert!(sets.next().is_none(), "exactly one migration set");
    assert_eq!(change.changed_files, vec![migration_path(pr)]);
    change
}
