//! Running SQLite histories for real: a history that runs, one that fails at the right
//! file:line with SQLite's message, and a PR run on a copy of a sample database.

#[path = "support/hand_built.rs"]
mod hand_built;
#[path = "support/meal_planner.rs"]
mod meal_planner;

use std::path::Path;

use hand_built::{migration, set};
use rusqlite::Connection;
use schemagate::analysis::dialect::Dialect;
use schemagate::analysis::replay::{Location, SchemaChange, SchemaEvent};
use schemagate::execution::sqlite::{run_history, run_on_sample};
use schemagate::execution::{ColumnLoss, ExecutionError, FileOutcome, Origin, TableOutcome};

const INIT: &str = "prisma/migrations/1_init/migration.sql";
const POSTS: &str = "prisma/migrations/2_posts/migration.sql";
const PR: &str = "prisma/migrations/3_pr/migration.sql";

const INIT_SQL: &str = r#"CREATE TABLE "User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL,
    "name" TEXT
);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
"#;

const POSTS_SQL: &str = r#"CREATE TABLE "Post" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "title" TEXT NOT NULL,
    "authorId" INTEGER NOT NULL,
    CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
"#;

/// Prisma's RedefineTables dropping `User.name`, then a bounded delete of posts.
const DROP_NAME_SQL: &str = r#"PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL
);
INSERT INTO "new_User" ("email", "id") SELECT "email", "id" FROM "User";
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User";
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
DELETE FROM "Post" WHERE "id" > 2;
"#;

fn changed(paths: &[&str]) -> Vec<String> {
    paths.iter().map(|p| (*p).to_owned()).collect()
}

fn base_set() -> schemagate::analysis::pipeline::SetAnalysis {
    set(
        Dialect::Sqlite,
        vec![migration(INIT, INIT_SQL), migration(POSTS, POSTS_SQL)],
    )
}

fn head_set(pr_sql: &str) -> schemagate::analysis::pipeline::SetAnalysis {
    set(
        Dialect::Sqlite,
        vec![
            migration(INIT, INIT_SQL),
            migration(POSTS, POSTS_SQL),
            migration(PR, pr_sql),
        ],
    )
}

#[test]
fn a_valid_history_runs_base_then_pr() {
    let base = base_set();
    let head = head_set(DROP_NAME_SQL);
    let report = run_history(Some(&base), &head, &changed(&[PR]));
    let runs: Vec<_> = report
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.origin, f.outcome.clone()))
        .collect();
    assert_eq!(
        runs,
        vec![
            (INIT, Origin::Base, FileOutcome::Ran { statements: 2 }),
            (POSTS, Origin::Base, FileOutcome::Ran { statements: 1 }),
            (PR, Origin::Pr, FileOutcome::Ran { statements: 10 }),
        ]
    );
    assert!(report.pr_migrations_ran());
    assert_eq!(report.failure(), None);
}

#[test]
fn a_failing_statement_is_reported_at_its_file_and_line() {
    let pr_sql = "CREATE TABLE \"Tag\" (\"id\" INTEGER NOT NULL);\n\nINSERT INTO \"Tag\" (\"id\")\n  SELECT \"id\" FROM \"Label\";\nCREATE TABLE \"After\" (\"id\" INTEGER);\n";
    let report = run_history(Some(&base_set()), &head_set(pr_sql), &changed(&[PR]));
    let (origin, failure) = report.failure().expect("the PR migration fails");
    assert_eq!(origin, Origin::Pr);
    assert_eq!(
        failure.to_string(),
        format!("failed at {PR}:3: no such table: Label")
    );
    assert!(!report.pr_migrations_ran());
}

#[test]
fn a_syntax_error_carries_sqlites_message() {
    let report = run_history(
        None,
        &head_set(
            "CREATE TABLE \"Ok\" (\"id\" INTEGER);\nCREAT TABLE \"Broken\" (\"id\" INTEGER);",
        ),
        &changed(&[INIT, POSTS, PR]),
    );
    let (_, failure) = report.failure().expect("the typo fails");
    assert_eq!(failure.file, PR);
    assert_eq!(failure.line, 2);
    assert!(
        failure.message.contains("syntax error"),
        "{}",
        failure.message
    );
    assert_eq!(failure.message, "near \"CREAT\": syntax error");
}

#[test]
fn a_failing_base_history_skips_the_pr() {
    let broken_base = set(
        Dialect::Sqlite,
        vec![migration(INIT, "DROP TABLE \"Nothing\"")],
    );
    let head = set(
        Dialect::Sqlite,
        vec![
            migration(INIT, "DROP TABLE \"Nothing\""),
            migration(PR, INIT_SQL),
        ],
    );
    let report = run_history(Some(&broken_base), &head, &changed(&[PR]));
    let (origin, failure) = report.failure().expect("the base fails");
    assert_eq!(origin, Origin::Base);
    assert_eq!(failure.line, 1);
    assert_eq!(report.files[1].outcome, FileOutcome::Skipped);
}

/// A sample database at the base state: 3 users (2 with a name), 5 posts.
fn build_sample(path: &Path) {
    let connection = Connection::open(path).unwrap();
    connection.execute_batch(INIT_SQL).unwrap();
    connection.execute_batch(POSTS_SQL).unwrap();
    connection
        .execute_batch(
            r#"INSERT INTO "User" ("email", "name") VALUES ('a@x', 'Ann'), ('b@x', NULL), ('c@x', 'Cy');
               INSERT INTO "Post" ("title", "authorId") VALUES ('p1', 1), ('p2', 1), ('p3', 2), ('p4', 3), ('p5', 3);"#,
        )
        .unwrap();
}

#[test]
fn sample_run_reports_lost_rows_and_column_values_and_leaves_the_original_alone() {
    let dir = tempfile::tempdir().unwrap();
    let sample = dir.path().join("sample.db");
    build_sample(&sample);
    let original = std::fs::read(&sample).unwrap();

    let report = run_on_sample(&sample, &head_set(DROP_NAME_SQL), &changed(&[PR])).unwrap();

    assert!(report.execution.pr_migrations_ran());
    assert!(report.data_lost());
    let user = report.tables.iter().find(|t| t.table == "User").unwrap();
    assert_eq!(user.rows_lost(), 0);
    assert_eq!(user.columns_lost.len(), 1);
    assert_eq!(user.columns_lost[0].column, "name");
    assert_eq!(user.columns_lost[0].non_null_values, 2);
    let post = report.tables.iter().find(|t| t.table == "Post").unwrap();
    assert_eq!((post.rows_before, post.rows_after), (5, 2));
    assert!(post.columns_lost.is_empty());

    assert_eq!(std::fs::read(&sample).unwrap(), original);
    let untouched = Connection::open(&sample).unwrap();
    let names: i64 = untouched
        .query_row("SELECT count(\"name\") FROM \"User\"", [], |row| row.get(0))
        .unwrap();
    assert_eq!(names, 2);
}

#[test]
fn a_renamed_column_is_not_reported_as_lost() {
    let dir = tempfile::tempdir().unwrap();
    let sample = dir.path().join("sample.db");
    build_sample(&sample);
    let mut head = head_set("ALTER TABLE \"User\" RENAME COLUMN \"name\" TO \"fullName\"");
    head.events.push(SchemaEvent {
        at: Location {
            file: PR.to_owned(),
            line: 1,
        },
        change: SchemaChange::RenameColumn {
            table: "User".to_owned(),
            from: "name".to_owned(),
            to: "fullName".to_owned(),
        },
    });
    let report = run_on_sample(&sample, &head, &changed(&[PR])).unwrap();
    assert!(report.execution.pr_migrations_ran());
    assert!(!report.data_lost(), "{report:?}");
}

#[test]
fn rows_lost_through_a_cascade_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let sample = dir.path().join("sample.db");
    build_sample(&sample);
    let report = run_on_sample(
        &sample,
        &head_set("DELETE FROM \"User\" WHERE \"email\" = 'c@x'"),
        &changed(&[PR]),
    )
    .unwrap();
    let lost: Vec<(&str, u64)> = report
        .tables
        .iter()
        .map(|t| (t.table.as_str(), t.rows_lost()))
        .collect();
    assert_eq!(lost, vec![("User", 1), ("Post", 2)]);
}

#[test]
fn a_failed_sample_run_still_counts_what_was_lost() {
    let dir = tempfile::tempdir().unwrap();
    let sample = dir.path().join("sample.db");
    build_sample(&sample);
    let pr_sql = "DELETE FROM \"Post\";\nSELECT nope FROM \"Post\"";
    let report = run_on_sample(&sample, &head_set(pr_sql), &changed(&[PR])).unwrap();
    let (_, failure) = report
        .execution
        .failure()
        .expect("the second statement fails");
    assert_eq!(failure.line, 2);
    let post = report.tables.iter().find(|t| t.table == "Post").unwrap();
    assert_eq!(post.rows_lost(), 5);
}

#[test]
fn sample_errors_say_what_and_where() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.db");
    let error = run_on_sample(&missing, &head_set("SELECT 1"), &changed(&[PR])).unwrap_err();
    assert!(matches!(error, ExecutionError::Copy { .. }), "{error}");
    assert!(error.to_string().contains("missing.db"), "{error}");

    let not_a_db = dir.path().join("notes.txt");
    std::fs::write(
        &not_a_db,
        "these are not the tables you are looking for, ".repeat(100),
    )
    .unwrap();
    let error = run_on_sample(&not_a_db, &head_set("SELECT 1"), &changed(&[PR])).unwrap_err();
    assert!(
        matches!(error, ExecutionError::Census { when: "before", .. }),
        "{error}"
    );

    let postgres = set(Dialect::Postgres, vec![migration(PR, "SELECT 1")]);
    let error = run_on_sample(&not_a_db, &postgres, &changed(&[PR])).unwrap_err();
    assert!(matches!(error, ExecutionError::NotSqlite { .. }), "{error}");
}

// ---- end to end: real set changes from the meal-planner fixture ----

const DROP_DESCRIPTION: &str = "20240301094518_drop_recipe_description";
const PREP_MINUTES: &str = "20240209084455_recipe_prep_minutes";

/// A sample database in the state of `change`'s base history, with two users and three
/// recipes (two with a description, all with a preparation time in `prep_column`).
fn meal_planner_sample(
    path: &Path,
    change: &schemagate::analysis::pipeline::SetChange,
    prep_column: &str,
) {
    let connection = Connection::open(path).unwrap();
    let base = change
        .base
        .as_ref()
        .expect("the fixture has a base history");
    for migration in &base.migrations {
        connection.execute_batch(&migration.up_sql).unwrap();
    }
    connection
        .execute_batch(&format!(
            r#"INSERT INTO "User" ("id", "email", "updatedAt") VALUES
                   ('alice', 'alice@example.com', CURRENT_TIMESTAMP),
                   ('bob', 'bob@example.com', CURRENT_TIMESTAMP);
               INSERT INTO "Recipe" ("id", "title", "description", "{prep_column}", "authorId", "updatedAt") VALUES
                   ('soup', 'Leek soup', 'Warm', 20, 'alice', CURRENT_TIMESTAMP),
                   ('salad', 'Salad', 'Cold', 5, 'bob', CURRENT_TIMESTAMP),
                   ('toast', 'Toast', NULL, 3, 'bob', CURRENT_TIMESTAMP);"#
        ))
        .unwrap();
}

#[test]
fn meal_planner_pr_runs_after_its_base_history() {
    let change = meal_planner::change_at(DROP_DESCRIPTION, false);
    let report = run_history(change.base.as_ref(), &change.head, &change.changed_files);
    assert_eq!(report.failure(), None, "{report:?}");
    assert_eq!(report.files_of(Origin::Base).count(), 8);
    let pr: Vec<&str> = report
        .files_of(Origin::Pr)
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(pr, [meal_planner::migration_path(DROP_DESCRIPTION)]);
    assert!(report.pr_migrations_ran());
}

#[test]
fn meal_planner_failure_points_at_the_line_after_prismas_comments() {
    let mut change = meal_planner::change_at(DROP_DESCRIPTION, false);
    let path = meal_planner::migration_path(DROP_DESCRIPTION);
    let pr = change
        .head
        .migrations
        .iter_mut()
        .find(|m| m.migration.path == path)
        .unwrap();
    let line = pr
        .sql
        .statements
        .iter()
        .find(|s| s.text.starts_with("INSERT INTO"))
        .unwrap()
        .line;
    pr.up_sql = pr
        .up_sql
        .replacen("FROM \"Recipe\";", "FROM \"Recipes\";", 1)
        .into();
    let report = run_history(change.base.as_ref(), &change.head, &change.changed_files);
    let (_, failure) = report.failure().expect("the edited INSERT fails");
    assert_eq!(line, 21, "the statement's line in the file");
    assert_eq!(
        failure.to_string(),
        format!("failed at {path}:21: no such table: Recipes")
    );
}

#[test]
fn meal_planner_sample_loses_the_recipe_descriptions() {
    let change = meal_planner::change_at(DROP_DESCRIPTION, false);
    let dir = tempfile::tempdir().unwrap();
    let sample = dir.path().join("meal-planner.db");
    meal_planner_sample(&sample, &change, "prepMinutes");
    let original = std::fs::read(&sample).unwrap();

    let report = run_on_sample(&sample, &change.head, &change.changed_files).unwrap();

    assert!(
        report.execution.pr_migrations_ran(),
        "{:?}",
        report.execution
    );
    let losses: Vec<&TableOutcome> = report
        .tables
        .iter()
        .filter(|t| t.rows_lost() > 0 || !t.columns_lost.is_empty())
        .collect();
    let recipe = TableOutcome {
        table: "Recipe".to_owned(),
        now: Some("Recipe".to_owned()),
        rows_before: 3,
        rows_after: 3,
        columns_lost: vec![ColumnLoss {
            column: "description".to_owned(),
            non_null_values: 2,
        }],
    };
    assert_eq!(losses, [&recipe]);
    assert_eq!(std::fs::read(&sample).unwrap(), original);
}

#[test]
fn meal_planner_hand_edited_rename_keeps_the_preparation_times() {
    let change = meal_planner::change_at(PREP_MINUTES, false);
    let dir = tempfile::tempdir().unwrap();
    let sample = dir.path().join("meal-planner.db");
    meal_planner_sample(&sample, &change, "prepTime");
    let report = run_on_sample(&sample, &change.head, &change.changed_files).unwrap();
    assert!(
        report.execution.pr_migrations_ran(),
        "{:?}",
        report.execution
    );
    assert!(!report.data_lost(), "{:?}", report.tables);
}
