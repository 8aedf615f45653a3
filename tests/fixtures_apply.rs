//! Proves the SQLite migration fixtures under `tests/fixtures/` are valid: every SQLite history
//! applies cleanly, in its framework's order, to a real in-memory SQLite, and the meal-planner
//! history produces exactly the cascade written in `tests/fixtures/meal-planner/EXPECTED.md`.
//!
//! The analysis code reads these fixtures as data; this test only pins that the data is real
//! SQL with the intended meaning, so a wrong oracle cannot hide behind a broken fixture.

#[path = "support/sqlite_inspect.rs"]
mod sqlite_inspect;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};
use rusqlite::Connection;
use sqlite_inspect::{
    assert_foreign_keys_resolve, column_names, open_database, row_counts, table_names,
    tables_that_lost_rows,
};

/// Root of all fixtures.
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// The tables every "tiny shop" layout fixture ends up with.
const SHOP_TABLES: [&str; 4] = ["customers", "order_items", "orders", "products"];

/// The tables of the final meal-planner schema.
const MEAL_PLANNER_TABLES: [&str; 12] = [
    "Household",
    "Ingredient",
    "MealPlan",
    "MealPlanEntry",
    "PantryItem",
    "Recipe",
    "RecipeIngredient",
    "ShoppingList",
    "ShoppingListItem",
    "Tag",
    "User",
    "_RecipeToTag",
];

/// The tables that lose rows when a User is deleted (EXPECTED.md, "Deletes").
const USER_DELETE_CASCADES_TO: [&str; 8] = [
    "MealPlan",
    "MealPlanEntry",
    "Recipe",
    "RecipeIngredient",
    "ShoppingList",
    "ShoppingListItem",
    "User",
    "_RecipeToTag",
];

/// The hand-edited migration that renames `Recipe.prepTime` to `prepMinutes` by position.
const PREP_RENAME_MIGRATION: &str = "20240209084455_recipe_prep_minutes";

/// Which part of a migration file holds the up direction.
#[derive(Clone, Copy)]
enum UpSection {
    /// The whole file is the up migration.
    WholeFile,
    /// The lines between an up marker and a down marker (dbmate, goose).
    Between {
        up_marker: &'static str,
        down_marker: &'static str,
    },
}

/// dbmate's section markers.
const DBMATE: UpSection = UpSection::Between {
    up_marker: "-- migrate:up",
    down_marker: "-- migrate:down",
};

/// goose's section markers.
const GOOSE: UpSection = UpSection::Between {
    up_marker: "-- +goose Up",
    down_marker: "-- +goose Down",
};

/// Path of a fixture file or directory.
fn fixture(relative: &str) -> PathBuf {
    Path::new(FIXTURES).join(relative)
}

/// The entries of `dir` (files or directories), sorted by file name.
fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut paths = fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()?;
    paths.sort();
    Ok(paths)
}

/// The file name of `path` as text (empty when it has none).
fn file_name(path: &Path) -> &str {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
}

/// The numeric version before the first `_` of a file name (`000010_x.up.sql` -> 10).
fn numeric_version(path: &Path) -> Result<u64> {
    let name = file_name(path);
    let digits = name.split('_').next().unwrap_or_default();
    digits
        .parse()
        .with_context(|| format!("no numeric version in {name}"))
}

/// Files in `dir` whose names end with `suffix`, ordered by numeric version.
fn files_by_version(dir: &Path, suffix: &str) -> Result<Vec<PathBuf>> {
    let mut keyed = sorted_entries(dir)?
        .into_iter()
        .filter(|p| file_name(p).ends_with(suffix))
        .map(|p| numeric_version(&p).map(|version| (version, p)))
        .collect::<Result<Vec<_>>>()?;
    keyed.sort();
    Ok(keyed.into_iter().map(|(_, p)| p).collect())
}

/// `<dir>/<subdirectory>/<file>` for each subdirectory of `dir`, in name order (Prisma, Diesel).
fn files_in_subdirectories(dir: &Path, file: &str) -> Result<Vec<PathBuf>> {
    Ok(sorted_entries(dir)?
        .into_iter()
        .filter(|p| p.is_dir())
        .map(|p| p.join(file))
        .collect())
}

/// Drizzle's migration files in the order of `meta/_journal.json`.
fn drizzle_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let journal_path = dir.join("meta/_journal.json");
    let journal: serde_json::Value = serde_json::from_str(&fs::read_to_string(&journal_path)?)
        .with_context(|| format!("parsing {}", journal_path.display()))?;
    let Some(entries) = journal["entries"].as_array() else {
        bail!("{} has no entries array", journal_path.display());
    };
    let mut tagged = Vec::with_capacity(entries.len());
    for entry in entries {
        let (Some(idx), Some(tag)) = (entry["idx"].as_u64(), entry["tag"].as_str()) else {
            bail!("journal entry without idx/tag: {entry}");
        };
        tagged.push((idx, dir.join(format!("{tag}.sql"))));
    }
    tagged.sort();
    Ok(tagged.into_iter().map(|(_, p)| p).collect())
}

/// The up SQL of one migration file: the whole text, or only the lines of its up section.
fn up_sql(contents: &str, section: UpSection) -> String {
    let UpSection::Between {
        up_marker,
        down_marker,
    } = section
    else {
        return contents.to_owned();
    };
    let mut in_up = false;
    let mut kept = String::new();
    for line in contents.lines() {
        match line.trim() {
            l if l.starts_with(up_marker) => in_up = true,
            l if l.starts_with(down_marker) => in_up = false,
            _ if in_up => {
                kept.push_str(line);
                kept.push('\n');
            }
            _ => {}
        }
    }
    kept
}

/// Applies the up direction of `file` to `conn`; Drizzle chunks go one by one.
fn apply_file(conn: &Connection, file: &Path, section: UpSection) -> Result<()> {
    let contents =
        fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let sql = up_sql(&contents, section);
    ensure!(!sql.trim().is_empty(), "{} has no up SQL", file.display());
    for chunk in sql.split("--> statement-breakpoint") {
        conn.execute_batch(chunk)
            .with_context(|| format!("applying {}", file.display()))?;
    }
    Ok(())
}

/// Applies `files` in order to a fresh database, then checks every foreign key resolves.
fn apply_history(files: &[PathBuf], section: UpSection) -> Result<Connection> {
    ensure!(
        files.len() >= 3,
        "expected at least 3 migrations, got {files:?}"
    );
    let conn = open_database()?;
    for file in files {
        apply_file(&conn, file, section)?;
    }
    assert_foreign_keys_resolve(&conn)?;
    Ok(conn)
}

/// Asserts the final schema holds exactly `expected` tables.
fn assert_tables(conn: &Connection, expected: &[&str]) -> Result<()> {
    let expected: BTreeSet<String> = expected.iter().map(|t| (*t).to_owned()).collect();
    assert_eq!(table_names(conn)?, expected);
    Ok(())
}

/// The meal-planner migration files in Prisma's order (directory name = timestamp first).
fn meal_planner_migrations() -> Result<Vec<PathBuf>> {
    files_in_subdirectories(&fixture("meal-planner/prisma/migrations"), "migration.sql")
}

/// The fully migrated meal-planner database.
fn meal_planner_database() -> Result<Connection> {
    apply_history(&meal_planner_migrations()?, UpSection::WholeFile)
}

/// Inserts two users, a household owned by `household_owner`, and one row in every other table,
/// all belonging to (or added by) the user `alice`.
fn populate_meal_planner(conn: &Connection, household_owner: &str) -> Result<()> {
    conn.execute_batch(
        r#"
        INSERT INTO "User" ("id", "email", "updatedAt") VALUES
            ('alice', 'alice@example.com', CURRENT_TIMESTAMP),
            ('bob', 'bob@example.com', CURRENT_TIMESTAMP);
        "#,
    )?;
    conn.execute(
        r#"INSERT INTO "Household" ("id", "name", "ownerId") VALUES ('home', 'Home', ?1)"#,
        [household_owner],
    )?;
    conn.execute_batch(
        r#"
        UPDATE "User" SET "householdId" = 'home';
        INSERT INTO "Ingredient" ("id", "name") VALUES ('leek', 'Leek');
        INSERT INTO "Tag" ("id", "name") VALUES ('veg', 'vegetarian');
        INSERT INTO "Recipe" ("id", "title", "authorId", "updatedAt")
            VALUES ('soup', 'Leek soup', 'alice', CURRENT_TIMESTAMP);
        INSERT INTO "RecipeIngredient" ("id", "recipeId", "ingredientId", "quantity", "unit")
            VALUES ('soup-leek', 'soup', 'leek', 2, 'pcs');
        INSERT INTO "_RecipeToTag" ("A", "B") VALUES ('soup', 'veg');
        INSERT INTO "MealPlan" ("id", "userId", "householdId", "weekStart")
            VALUES ('week14', 'alice', 'home', '2024-04-01');
        INSERT INTO "MealPlanEntry" ("id", "mealPlanId", "recipeId", "day")
            VALUES ('monday', 'week14', 'soup', 1);
        INSERT INTO "ShoppingList" ("id", "name", "userId", "householdId")
            VALUES ('groceries', 'Groceries', 'alice', 'home');
        INSERT INTO "ShoppingListItem" ("id", "listId", "ingredientId", "label", "checkedById")
            VALUES ('buy-leeks', 'groceries', 'leek', 'Leeks', 'alice');
        INSERT INTO "PantryItem" ("id", "householdId", "ingredientId", "quantity", "unit", "addedById")
            VALUES ('pantry-leeks', 'home', 'leek', 3, 'pcs', 'alice');
        "#,
    )?;
    Ok(())
}

/// Deletes the user `alice`.
fn delete_alice(conn: &Connection) -> rusqlite::Result<usize> {
    conn.execute(r#"DELETE FROM "User" WHERE "id" = 'alice'"#, [])
}

#[test]
fn meal_planner_applies_and_ends_in_the_schema_of_schema_prisma() -> Result<()> {
    let migrations = meal_planner_migrations()?;
    assert_eq!(migrations.len(), 13);
    let conn = apply_history(&migrations, UpSection::WholeFile)?;
    assert_tables(&conn, &MEAL_PLANNER_TABLES)?;
    let recipe_columns = column_names(&conn, "Recipe")?;
    for gone in ["prepTime", "description"] {
        assert!(
            !recipe_columns.iter().any(|c| c == gone),
            "{gone} still in Recipe"
        );
    }
    for present in ["prepMinutes", "sourceUrl"] {
        assert!(
            recipe_columns.iter().any(|c| c == present),
            "{present} missing"
        );
    }
    Ok(())
}

#[test]
fn meal_planner_hand_edited_redefine_carries_prep_time_into_prep_minutes() -> Result<()> {
    let migrations = meal_planner_migrations()?;
    let rename_at = migrations
        .iter()
        .position(|p| {
            p.parent()
                .is_some_and(|d| file_name(d) == PREP_RENAME_MIGRATION)
        })
        .context("rename migration not found")?;
    let (before_rename, from_rename) = migrations.split_at(rename_at);
    let conn = open_database()?;
    for file in before_rename {
        apply_file(&conn, file, UpSection::WholeFile)?;
    }
    conn.execute_batch(
        r#"
        INSERT INTO "User" ("id", "email", "updatedAt") VALUES ('alice', 'a@x.io', CURRENT_TIMESTAMP);
        INSERT INTO "Recipe" ("id", "title", "prepTime", "authorId", "updatedAt")
            VALUES ('soup', 'Soup', 25, 'alice', CURRENT_TIMESTAMP);
        "#,
    )?;
    let rename = from_rename.first().context("no rename migration")?;
    apply_file(&conn, rename, UpSection::WholeFile)?;
    let minutes: i64 = conn.query_row(
        r#"SELECT "prepMinutes" FROM "Recipe" WHERE "id" = 'soup'"#,
        [],
        |r| r.get(0),
    )?;
    assert_eq!(minutes, 25);
    Ok(())
}

#[test]
fn meal_planner_household_owner_restricts_deleting_the_user() -> Result<()> {
    let conn = meal_planner_database()?;
    populate_meal_planner(&conn, "alice")?;
    let before = row_counts(&conn)?;
    let Err(error) = delete_alice(&conn) else {
        bail!("RESTRICT on Household.ownerId must block deleting the owner");
    };
    assert!(error.to_string().contains("FOREIGN KEY"), "{error}");
    assert_eq!(row_counts(&conn)?, before);
    Ok(())
}

#[test]
fn meal_planner_user_delete_cascades_exactly_as_expected_md_says() -> Result<()> {
    let conn = meal_planner_database()?;
    populate_meal_planner(&conn, "bob")?;
    let before = row_counts(&conn)?;
    assert!(before.values().all(|count| *count > 0), "{before:?}");
    assert_eq!(delete_alice(&conn)?, 1);
    let lost = tables_that_lost_rows(&before, &row_counts(&conn)?);
    let expected: BTreeSet<String> = USER_DELETE_CASCADES_TO
        .iter()
        .map(|t| (*t).to_owned())
        .collect();
    assert_eq!(lost, expected);
    let added_by: Option<String> = conn.query_row(
        r#"SELECT "addedById" FROM "PantryItem" WHERE "id" = 'pantry-leeks'"#,
        [],
        |r| r.get(0),
    )?;
    assert_eq!(added_by, None, "PantryItem.addedById must be SET NULL");
    Ok(())
}

#[test]
fn golang_migrate_up_files_apply_in_version_order() -> Result<()> {
    let files = files_by_version(&fixture("layouts/golang-migrate/migrations"), ".up.sql")?;
    let conn = apply_history(&files, UpSection::WholeFile)?;
    assert_tables(&conn, &SHOP_TABLES)
}

#[test]
fn sqlx_migrations_apply_in_version_order() -> Result<()> {
    let files = files_by_version(&fixture("layouts/sqlx/migrations"), ".sql")?;
    let conn = apply_history(&files, UpSection::WholeFile)?;
    assert_tables(&conn, &SHOP_TABLES)
}

#[test]
fn diesel_up_files_apply_in_directory_order() -> Result<()> {
    let files = files_in_subdirectories(&fixture("layouts/diesel/migrations"), "up.sql")?;
    let conn = apply_history(&files, UpSection::WholeFile)?;
    assert_tables(&conn, &SHOP_TABLES)?;
    assert!(column_names(&conn, "customers")?.contains(&"full_name".to_owned()));
    Ok(())
}

#[test]
fn dbmate_up_sections_apply_in_version_order() -> Result<()> {
    let files = files_by_version(&fixture("layouts/dbmate/db/migrations"), ".sql")?;
    let conn = apply_history(&files, DBMATE)?;
    assert_tables(&conn, &SHOP_TABLES)?;
    assert!(!column_names(&conn, "customers")?.contains(&"name".to_owned()));
    Ok(())
}

#[test]
fn goose_up_sections_apply_in_version_order() -> Result<()> {
    let files = files_by_version(&fixture("layouts/goose/migrations"), ".sql")?;
    let conn = apply_history(&files, GOOSE)?;
    assert_tables(&conn, &SHOP_TABLES)?;
    let triggers: i64 = conn.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'",
        [],
        |r| r.get(0),
    )?;
    assert_eq!(
        triggers, 1,
        "the StatementBegin/End trigger must be created"
    );
    Ok(())
}

#[test]
fn drizzle_migrations_apply_in_journal_order() -> Result<()> {
    let files = drizzle_files(&fixture("layouts/drizzle/drizzle"))?;
    let conn = apply_history(&files, UpSection::WholeFile)?;
    assert_tables(&conn, &SHOP_TABLES)
}

#[test]
fn plain_migrations_apply_in_file_name_order() -> Result<()> {
    let files = files_by_version(&fixture("layouts/plain/migrations"), ".sql")?;
    let conn = apply_history(&files, UpSection::WholeFile)?;
    assert_tables(&conn, &SHOP_TABLES)
}

#[test]
fn up_sql_keeps_only_the_up_section() {
    let file = "-- migrate:up\nCREATE TABLE a (x);\n-- migrate:down\nDROP TABLE a;\n";
    assert_eq!(up_sql(file, DBMATE), "CREATE TABLE a (x);\n");
    let goose = "-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n-- +goose StatementEnd\n-- +goose Down\nSELECT 2;\n";
    assert_eq!(
        up_sql(goose, GOOSE),
        "-- +goose StatementBegin\nSELECT 1;\n-- +goose StatementEnd\n"
    );
    assert_eq!(up_sql(file, UpSection::WholeFile), file);
}

#[test]
fn down_sections_are_not_applied() -> Result<()> {
    let conn = open_database()?;
    let dbmate_init = fixture("layouts/dbmate/db/migrations/20240101000000_init.sql");
    apply_file(&conn, &dbmate_init, DBMATE)?;
    assert!(table_names(&conn)?.contains("customers"));
    Ok(())
}
