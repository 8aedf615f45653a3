//! The generated Prisma PostgreSQL history of `benches/check_process.rs` has the size of the
//! real product's history it stands for, is deterministic, and replays cleanly: every
//! statement parses and applies on top of the ones before it.

#[path = "support/pg_history_gen.rs"]
mod pg_history_gen;

use schemagate::analysis::detect::DetectOptions;
use schemagate::analysis::diagnostic::DiagnosticKind;
use schemagate::analysis::dialect::Dialect;
use schemagate::analysis::fileset::FileSet;
use schemagate::analysis::pipeline::analyze_tree;
use schemagate::analysis::sql::split;

const SEED: u64 = 42;

fn history_files(seed: u64) -> FileSet {
    let mut files = FileSet::new();
    for (path, contents) in pg_history_gen::generate_pg_history(seed) {
        files.insert(path, contents);
    }
    files
}

fn sql_texts(history: &[(String, String)]) -> impl Iterator<Item = &str> {
    history
        .iter()
        .filter(|(path, _)| path.ends_with("/migration.sql"))
        .map(|(_, contents)| contents.as_str())
}

#[test]
fn history_has_the_size_of_the_real_one() {
    let history = pg_history_gen::generate_pg_history(SEED);
    let migrations = sql_texts(&history).count();
    let bytes: usize = sql_texts(&history).map(str::len).sum();
    let statements: usize = sql_texts(&history)
        .map(|sql| split(sql, Dialect::Postgres).statements.len())
        .sum();
    assert_eq!(migrations, 163);
    let size = format!("{bytes} bytes of SQL, {statements} statements");
    assert!((120_000..=160_000).contains(&bytes), "{size}");
    assert!((700..=850).contains(&statements), "{size}");
}

#[test]
fn history_is_a_prisma_postgres_tree_in_order() {
    assert_eq!(pg_history_gen::MIGRATIONS_DIR, "prisma/migrations");
    let history = pg_history_gen::generate_pg_history(SEED);
    let lock = history
        .iter()
        .find(|(path, _)| path == "prisma/migrations/migration_lock.toml")
        .map(|(_, contents)| contents.as_str());
    assert!(lock.is_some_and(|text| text.contains("provider = \"postgresql\"")));
    let dirs: Vec<&str> = history
        .iter()
        .filter_map(|(path, _)| path.strip_suffix("/migration.sql"))
        .collect();
    assert!(
        dirs.windows(2).all(|pair| pair[0] < pair[1]),
        "dirs sort in order"
    );
    assert_eq!(dirs.len(), 163);
    assert!(dirs.iter().all(|dir| {
        dir.strip_prefix("prisma/migrations/").is_some_and(|name| {
            let (timestamp, rest) = name.split_at(name.len().min(14));
            timestamp.len() == 14
                && timestamp.bytes().all(|b| b.is_ascii_digit())
                && rest.len() > 1
                && rest.starts_with('_')
        })
    }));
}

#[test]
fn history_is_deterministic_and_seeded() {
    let first = pg_history_gen::generate_pg_history(SEED);
    assert_eq!(first, pg_history_gen::generate_pg_history(SEED));
    assert_ne!(first, pg_history_gen::generate_pg_history(SEED + 1));
}

#[test]
fn history_replays_without_unparsed_or_replay_diagnostics() {
    for seed in [SEED, 1, 2024] {
        let analysis = analyze_tree(&history_files(seed), &DetectOptions::default());
        assert_eq!(analysis.sets.len(), 1, "{:?}", analysis.diagnostics);
        let set = &analysis.sets[0];
        assert_eq!(set.set.dialect, Dialect::Postgres);
        assert_eq!(set.migrations.len(), 163);
        let problems: Vec<_> = set
            .diagnostics
            .iter()
            .chain(&analysis.diagnostics)
            .filter(|d| matches!(d.kind, DiagnosticKind::Unparsed | DiagnosticKind::Replay))
            .collect();
        assert!(problems.is_empty(), "seed {seed}: {problems:#?}");
        assert!(
            set.schema.tables.len() >= 40,
            "seed {seed}: {} tables",
            set.schema.tables.len()
        );
    }
}
