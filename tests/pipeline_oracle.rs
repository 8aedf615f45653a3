//! End-to-end real-database oracle: every SQLite migration history we have (the meal-planner
//! project, each demo PR on top of it, every SQLite framework layout, and generated histories)
//! goes through the whole pipeline (detect, decode, split, parse, replay) and must give the schema
//! a real SQLite gives after applying the same files; and for every table, what schemagate says a
//! delete of one row does must be what SQLite does with `foreign_keys=ON`.

use std::path::Path;

use rusqlite::Connection;
use schemagate::analysis;
use schemagate::analysis::cascade::{CascadeReport, cascade_from};
use schemagate::analysis::detect::{DetectOptions, up_sql};
use schemagate::analysis::fileset::FileSet;
use schemagate::analysis::pipeline::{SetAnalysis, analyze_tree};
use schemagate::source::local::read_dir;

#[path = "support/cascade_probe.rs"]
mod cascade_probe;
#[path = "support/history_gen.rs"]
mod history_gen;
#[path = "support/sqlite_oracle.rs"]
mod sqlite_oracle;

use cascade_probe::DeleteOutcome;

const MEAL_PLANNER: &str = "tests/fixtures/meal-planner";

fn load(dir: &Path) -> FileSet {
    read_dir(dir, &DetectOptions::default())
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .files
}

/// The only migration set of `files`.
fn only_set(files: &FileSet, what: &str) -> SetAnalysis {
    let mut analysis = analyze_tree(files, &DetectOptions::default());
    assert_eq!(analysis.sets.len(), 1, "{what}: expected one migration set");
    analysis.sets.remove(0)
}

/// A fresh in-memory SQLite with every migration of `set` applied by SQLite itself.
fn apply(set: &SetAnalysis, files: &FileSet, what: &str) -> Connection {
    let db = Connection::open_in_memory().expect("in-memory SQLite");
    for migration in &set.set.migrations {
        let bytes = files.get(&migration.path).expect("migration file loaded");
        let text = up_sql(&set.set, &String::from_utf8_lossy(bytes));
        db.execute_batch(&text)
            .unwrap_or_else(|e| panic!("{what}: SQLite refused {}: {e}", migration.path));
    }
    db
}

fn assert_schema_matches(set: &SetAnalysis, files: &FileSet, what: &str) {
    let db = apply(set, files, what);
    let real = sqlite_oracle::comparable(&sqlite_oracle::read_schema(&db).expect("PRAGMAs"));
    let replayed = sqlite_oracle::comparable(&set.schema);
    assert_eq!(
        replayed, real,
        "{what}: replayed schema differs from SQLite's"
    );
    let replay_problems: Vec<_> = set
        .diagnostics
        .iter()
        .filter(|d| d.kind == analysis::diagnostic::DiagnosticKind::Replay)
        .collect();
    assert!(replay_problems.is_empty(), "{what}: {replay_problems:#?}");
}

fn lower(names: &[String]) -> Vec<String> {
    let mut names: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    names.sort();
    names
}

/// Checks `report` for `root` against SQLite, twice: as seeded (restrictions may refuse the
/// delete), then with every restricting row pointed elsewhere (the delete must go through).
fn assert_cascade_matches(
    set: &SetAnalysis,
    files: &FileSet,
    root: &str,
    report: &CascadeReport,
    what: &str,
) {
    let schema = &set.schema;
    let reached = lower(&report.tables_reached);
    let context = format!("{what}: delete of one {root} row");

    let db = apply(set, files, what);
    cascade_probe::seed(&db, schema).expect("seeding");
    match cascade_probe::delete_root(&db, schema, root).expect("probe") {
        DeleteOutcome::Refused(message) => assert!(
            !report.restricted_by.is_empty(),
            "{context}: SQLite refused ({message}) but schemagate names no restriction"
        ),
        DeleteOutcome::Deleted { lost_rows, .. } => {
            assert_eq!(
                lower(&lost_rows),
                reached,
                "{context}: tables that lost rows"
            );
            for restriction in &report.restricted_by {
                assert!(
                    reached.contains(&restriction.table.to_ascii_lowercase()),
                    "{context}: SQLite allowed the delete although {} restricts it",
                    restriction.table
                );
            }
        }
    }

    let db = apply(set, files, what);
    cascade_probe::seed(&db, schema).expect("seeding");
    for restriction in &report.restricted_by {
        cascade_probe::repoint(&db, &restriction.table, &restriction.columns).expect("repoint");
    }
    match cascade_probe::delete_root(&db, schema, root).expect("probe") {
        DeleteOutcome::Refused(message) => {
            panic!("{context}: refused ({message}) with every restriction repointed")
        }
        DeleteOutcome::Deleted { lost_rows, nulled } => {
            assert_eq!(
                lower(&lost_rows),
                reached,
                "{context}: tables that lost rows"
            );
            let mut nulled_tables: Vec<String> = nulled
                .iter()
                .filter_map(|c| c.split_once('.'))
                .map(|(table, _)| table.to_ascii_lowercase())
                .filter(|t| !reached.contains(t))
                .collect();
            nulled_tables.dedup();
            assert_eq!(
                nulled_tables,
                lower(&report.tables_nulled),
                "{context}: nulled tables"
            );
        }
    }
}

fn assert_every_cascade_matches(set: &SetAnalysis, files: &FileSet, what: &str) {
    assert!(!set.schema.tables.is_empty(), "{what}: no tables");
    for table in &set.schema.tables {
        let report = cascade_from(&set.cascade_schema(), &table.name).expect("root exists");
        assert_cascade_matches(set, files, &table.name, &report, what);
    }
}

#[test]
fn meal_planner_schema_and_cascades_match_sqlite() {
    let files = load(Path::new(MEAL_PLANNER));
    let set = only_set(&files, "meal-planner");
    assert_eq!(set.set.migrations.len(), 13);
    assert_schema_matches(&set, &files, "meal-planner");
    assert_every_cascade_matches(&set, &files, "meal-planner");
}

#[test]
fn meal_planner_user_delete_is_what_expected_md_says() {
    let files = load(Path::new(MEAL_PLANNER));
    let set = only_set(&files, "meal-planner");
    let report = cascade_from(&set.cascade_schema(), "User").expect("User");
    assert_eq!(
        lower(&report.tables_reached),
        lower(
            &[
                "Recipe",
                "RecipeIngredient",
                "_RecipeToTag",
                "MealPlan",
                "MealPlanEntry",
                "ShoppingList",
                "ShoppingListItem"
            ]
            .map(String::from)
        )
    );
    assert_eq!(report.tables_nulled, vec!["PantryItem".to_owned()]);
    let restricted: Vec<_> = report
        .restricted_by
        .iter()
        .map(|r| r.table.as_str())
        .collect();
    assert_eq!(restricted, ["Household"]);
}

fn demo_pr_tree(pr_dir: &Path) -> FileSet {
    let mut files = load(Path::new(MEAL_PLANNER));
    for (path, bytes) in load(&pr_dir.join("files")) {
        files.insert(path, bytes);
    }
    files
}

#[test]
fn every_demo_pr_head_matches_sqlite() {
    let mut prs: Vec<_> = std::fs::read_dir("assets/demo/prs")
        .expect("demo PRs")
        .map(|e| e.expect("entry").path())
        .collect();
    prs.sort();
    assert!(prs.len() >= 6);
    for pr in prs {
        let what = pr.display().to_string();
        let files = demo_pr_tree(&pr);
        let set = only_set(&files, &what);
        assert_schema_matches(&set, &files, &what);
        assert_every_cascade_matches(&set, &files, &what);
    }
}

#[test]
fn every_sqlite_layout_matches_sqlite() {
    for layout in [
        "golang-migrate",
        "sqlx",
        "diesel",
        "dbmate",
        "goose",
        "drizzle",
        "plain",
    ] {
        let dir = Path::new("tests/fixtures/layouts").join(layout);
        let files = load(&dir);
        let set = only_set(&files, layout);
        assert_eq!(
            set.set.dialect,
            analysis::dialect::Dialect::Sqlite,
            "{layout}: dialect"
        );
        assert!(set.set.migrations.len() >= 3, "{layout}: migrations found");
        assert_schema_matches(&set, &files, layout);
        assert_every_cascade_matches(&set, &files, layout);
    }
}

#[test]
fn generated_histories_match_sqlite() {
    for seed in [7, 42, 2024] {
        let mut files = FileSet::new();
        files.insert(
            "prisma/migrations/migration_lock.toml",
            "provider = \"sqlite\"\n",
        );
        for m in history_gen::generate_history(250, seed) {
            files.insert(format!("prisma/migrations/{}/migration.sql", m.dir), m.sql);
        }
        let what = format!("generated history (seed {seed})");
        let set = only_set(&files, &what);
        assert_schema_matches(&set, &files, &what);
        for table in set.schema.tables.iter().step_by(7) {
            let report = cascade_from(&set.cascade_schema(), &table.name).expect("root");
            assert_cascade_matches(&set, &files, &table.name, &report, &what);
        }
    }
}

#[test]
fn a_file_replayed_in_parts_gives_the_schema_of_the_same_statements_in_many_files() {
    // About 2.5 MB of statements: the one file is parsed and replayed in parts of 1 MiB, cut
    // before CREATE TABLEs (the history redefines tables all along).
    let history = history_gen::generate_history(2_800, 11);
    let mut many = FileSet::new();
    let mut one = FileSet::new();
    for files in [&mut many, &mut one] {
        files.insert(
            "prisma/migrations/migration_lock.toml",
            "provider = \"sqlite\"\n",
        );
    }
    let mut whole = String::new();
    for m in &history {
        many.insert(
            format!("prisma/migrations/{}/migration.sql", m.dir),
            m.sql.as_str(),
        );
        whole.push_str(&m.sql);
    }
    assert!(whole.len() > 2 * 1024 * 1024, "{} bytes", whole.len());
    one.insert("prisma/migrations/1_everything/migration.sql", whole);
    let in_parts = only_set(&one, "one file");
    let in_files = only_set(&many, "many files");
    assert!(in_files.schema.tables.len() > 500);
    assert_eq!(in_parts.schema, in_files.schema);
    assert_eq!(in_parts.events.len(), in_files.events.len());
    assert_eq!(in_parts.diagnostics, []);
}
