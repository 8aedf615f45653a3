//! End-to-end tests of the `schemagate` binary's analysis commands (`schema`, `cascade`, `diff`):
//! the real binary is run on the fixtures and on git repositories built in temporary directories,
//! and its `--format json` documents (docs/json.md) and text output are checked against what the
//! fixture SQL says.

#[path = "support/files.rs"]
mod files;
#[path = "support/json_doc.rs"]
mod json_doc;

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail, ensure};
use serde_json::Value;

use files::copy_tree;
use json_doc::{array_at, str_at, strings_at};

/// The exit code of usage and I/O errors.
const EXIT_ERROR: i32 = 2;

/// The meal-planner fixture (Prisma + SQLite, 13 migrations).
const MEAL_PLANNER: &str = "tests/fixtures/meal-planner";

/// The files of demo pull request #104 (PantryItem.addedById SET NULL -> CASCADE).
const PR_104_FILES: &str = "assets/demo/prs/104-pantry-items-follow-user/files";

/// The migration PR #104 adds, relative to the repository root.
const PR_104_MIGRATION: &str =
    "prisma/migrations/20261103091127_pantry_item_added_by_cascade/migration.sql";

/// The branch PR #104 is committed on in [`PrRepo`].
const PR_BRANCH: &str = "pr-104";

// ---------------------------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------------------------

/// What one run of the binary produced.
struct Outcome {
    /// The exit code (`None` when killed by a signal).
    code: Option<i32>,
    /// Stdout, as bytes: tests look for control bytes in it.
    stdout: Vec<u8>,
    /// Stderr, lossily decoded.
    stderr: String,
}

impl Outcome {
    /// Stdout as text, after checking the run succeeded.
    fn text(&self) -> Result<String> {
        ensure!(
            self.code == Some(0),
            "expected exit 0, got {:?}; stderr: {}",
            self.code,
            self.stderr
        );
        String::from_utf8(self.stdout.clone()).context("stdout is not UTF-8")
    }

    /// Stdout parsed as JSON, after checking the run succeeded.
    fn json(&self) -> Result<Value> {
        let text = self.text()?;
        serde_json::from_str(&text).with_context(|| format!("stdout is not JSON: {text}"))
    }

    /// Stderr, after checking the run failed with the error exit code and printed nothing.
    fn error(&self) -> Result<&str> {
        ensure!(
            self.code == Some(EXIT_ERROR),
            "expected exit {EXIT_ERROR}, got {:?}; stdout: {}; stderr: {}",
            self.code,
            String::from_utf8_lossy(&self.stdout),
            self.stderr
        );
        ensure!(
            self.stdout.is_empty(),
            "a failed run printed on stdout: {}",
            String::from_utf8_lossy(&self.stdout)
        );
        Ok(&self.stderr)
    }
}

/// A path inside the crate (fixtures, demo assets).
fn crate_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The binary with a git environment independent of the machine's configuration. Git does not
/// look above the temporary directory for a repository, so a temporary folder is never mistaken
/// for part of an enclosing checkout.
fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_schemagate"));
    command
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CEILING_DIRECTORIES", std::env::temp_dir());
    command
}

/// Runs the binary with `args` and collects what it printed.
fn run_args<I, S>(args: I) -> Result<Outcome>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let output = binary().args(args).output().context("running schemagate")?;
    Ok(Outcome {
        code: output.status.code(),
        stdout: output.stdout,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

/// Runs `schemagate COMMAND PATH OPTIONS...`.
fn run(command: &str, path: &Path, options: &[&str]) -> Result<Outcome> {
    let args = [OsStr::new(command), path.as_os_str()]
        .into_iter()
        .chain(options.iter().map(OsStr::new));
    run_args(args)
}

/// `schemagate schema PATH --format json OPTIONS...`, which must succeed.
fn schema_json(path: &Path, options: &[&str]) -> Result<Value> {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(options);
    run("schema", path, &all)?.json()
}

// ---------------------------------------------------------------------------------------------
// Reading the JSON documents
// ---------------------------------------------------------------------------------------------

/// The elements of `value[key]` whose `name` is `name`.
fn named<'a>(value: &'a Value, key: &str, name: &str) -> Result<Option<&'a Value>> {
    Ok(array_at(value, key)?
        .iter()
        .find(|item| item["name"].as_str() == Some(name)))
}

/// The table `name` of a schema document.
fn table<'a>(doc: &'a Value, name: &str) -> Result<&'a Value> {
    named(doc, "tables", name)?.with_context(|| format!("no table {name}"))
}

/// The column names of a table, in order.
fn column_names(table: &Value) -> Result<Vec<&str>> {
    array_at(table, "columns")?
        .iter()
        .map(|column| str_at(column, "name"))
        .collect()
}

/// The column `name` of a table.
fn column<'a>(table: &'a Value, name: &str) -> Result<&'a Value> {
    named(table, "columns", name)?.with_context(|| format!("no column {name} in {table}"))
}

/// The index `name` of a table.
fn index<'a>(table: &'a Value, name: &str) -> Result<&'a Value> {
    named(table, "indexes", name)?.with_context(|| format!("no index {name} in {table}"))
}

/// The foreign key of a table on exactly `columns`.
fn foreign_key<'a>(table: &'a Value, columns: &[&str]) -> Result<&'a Value> {
    for fk in array_at(table, "foreign_keys")? {
        if strings_at(fk, "columns")? == columns {
            return Ok(fk);
        }
    }
    bail!("no foreign key on {columns:?} in {table}")
}

/// Checks a foreign key's target and ON DELETE action.
fn assert_fk(table: &Value, columns: &[&str], ref_table: &str, on_delete: &str) -> Result<()> {
    let fk = foreign_key(table, columns)?;
    ensure!(
        str_at(fk, "ref_table")? == ref_table,
        "{columns:?} should refer to {ref_table}: {fk}"
    );
    ensure!(
        str_at(fk, "on_delete")? == on_delete,
        "{columns:?} should be ON DELETE {on_delete}: {fk}"
    );
    Ok(())
}

/// The diagnostics of a document that have kind `kind`.
fn diagnostics_of_kind<'a>(doc: &'a Value, kind: &str) -> Result<Vec<&'a Value>> {
    Ok(array_at(doc, "diagnostics")?
        .iter()
        .filter(|d| d["kind"].as_str() == Some(kind))
        .collect())
}

/// Fails when the document has a diagnostic of one of `kinds`.
fn assert_no_diagnostics(doc: &Value, kinds: &[&str]) -> Result<()> {
    for kind in kinds {
        let found = diagnostics_of_kind(doc, kind)?;
        ensure!(found.is_empty(), "unexpected {kind} diagnostics: {found:?}");
    }
    Ok(())
}

/// The one diagnostic of `kind` whose file ends with `file`, at `line`.
fn assert_diagnostic_at(doc: &Value, kind: &str, file: &str, line: u64) -> Result<()> {
    let found = diagnostics_of_kind(doc, kind)?;
    ensure!(
        found
            .iter()
            .any(|d| d["file"].as_str().is_some_and(|f| f.ends_with(file))
                && d["line"].as_u64() == Some(line)),
        "no {kind} diagnostic at {file}:{line}; diagnostics: {}",
        doc["diagnostics"]
    );
    Ok(())
}

/// Checks `set.framework`, `set.dialect` and `set.migrations`.
fn assert_set(doc: &Value, framework: &str, dialect: &str, migrations: u64) -> Result<()> {
    let set = &doc["set"];
    ensure!(str_at(set, "framework")? == framework, "framework: {set}");
    ensure!(str_at(set, "dialect")? == dialect, "dialect: {set}");
    ensure!(
        set["migrations"].as_u64() == Some(migrations),
        "expected {migrations} migrations: {set}"
    );
    Ok(())
}

/// Checks the dialect came from `migration_lock.toml`.
fn assert_dialect_from_migration_lock(doc: &Value) -> Result<()> {
    let source = &doc["set"]["dialect_source"]["migration_lock"];
    ensure!(
        source
            .as_str()
            .is_some_and(|p| p.ends_with("prisma/migrations/migration_lock.toml")),
        "dialect_source should name migration_lock.toml: {}",
        doc["set"]
    );
    Ok(())
}

/// The enum `name` and its values.
fn enum_values<'a>(doc: &'a Value, name: &str) -> Result<Vec<&'a str>> {
    let found = named(doc, "enums", name)?.with_context(|| format!("no enum {name}"))?;
    strings_at(found, "values")
}

// ---------------------------------------------------------------------------------------------
// Temporary trees and git repositories
// ---------------------------------------------------------------------------------------------

/// Writes a file, creating its directories.
fn write(root: &Path, relative: &str, contents: &[u8]) -> Result<()> {
    let path = root.join(relative);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(&path, contents).with_context(|| format!("writing {}", path.display()))
}

/// Runs git in `dir` with a fixed identity, independent of the user's configuration.
fn git(dir: &Path, args: &[&str]) -> Result<()> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .context("running git")?;
    ensure!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}

/// A git repository holding the meal-planner on `main` and demo PR #104 on [`PR_BRANCH`], with
/// `main` checked out.
struct PrRepo {
    dir: tempfile::TempDir,
}

impl PrRepo {
    /// Builds the repository in a new temporary directory.
    fn build() -> Result<PrRepo> {
        let dir = tempfile::tempdir()?;
        let root = dir.path();
        git(root, &["init", "-q", "-b", "main"])?;
        copy_tree(&crate_path(MEAL_PLANNER), root)?;
        git(root, &["add", "-A"])?;
        git(root, &["commit", "-q", "-m", "meal planner"])?;
        git(root, &["checkout", "-q", "-b", PR_BRANCH])?;
        copy_tree(&crate_path(PR_104_FILES), root)?;
        git(root, &["add", "-A"])?;
        git(
            root,
            &["commit", "-q", "-m", "pantry items follow their user"],
        )?;
        git(root, &["checkout", "-q", "main"])?;
        Ok(PrRepo { dir })
    }

    /// The top of the work tree.
    fn root(&self) -> &Path {
        self.dir.path()
    }
}

/// The one set of a diff document.
fn only_set(doc: &Value) -> Result<&Value> {
    match array_at(doc, "sets")? {
        [one] => Ok(one),
        sets => bail!("expected one migration set, got {}", sets.len()),
    }
}

/// The `tables_changed` entry of `name` in a set's schema diff.
fn table_change<'a>(set: &'a Value, name: &str) -> Result<&'a Value> {
    array_at(&set["schema_diff"], "tables_changed")?
        .iter()
        .find(|t| t["table"].as_str() == Some(name))
        .with_context(|| {
            format!(
                "{name} is not among the changed tables: {}",
                set["schema_diff"]
            )
        })
}

/// ON DELETE of `PantryItem.addedById` after the change, whether reported as changed or as
/// removed + added.
fn pantry_added_by_on_delete_after(set: &Value) -> Result<String> {
    let change = table_change(set, "PantryItem")?;
    let changed = array_at(change, "foreign_keys_changed")?
        .iter()
        .map(|c| &c["after"]);
    let added = array_at(change, "foreign_keys_added")?.iter();
    for fk in changed.chain(added) {
        if strings_at(fk, "columns")? == ["addedById"] {
            return Ok(str_at(fk, "on_delete")?.to_owned());
        }
    }
    bail!("no change of PantryItem.addedById: {change}")
}

// ---------------------------------------------------------------------------------------------
// 1. schema: the meal-planner (Prisma + SQLite)
// ---------------------------------------------------------------------------------------------

#[test]
fn schema_of_meal_planner_replays_all_thirteen_migrations() -> Result<()> {
    let doc = schema_json(&crate_path(MEAL_PLANNER), &[])?;
    assert_set(&doc, "prisma", "sqlite", 13)?;
    assert_dialect_from_migration_lock(&doc)?;
    assert_no_diagnostics(&doc, &["unparsed", "replay"])?;

    let recipe = table(&doc, "Recipe")?;
    let recipe_columns = column_names(recipe)?;
    ensure!(
        recipe_columns.contains(&"prepMinutes") && !recipe_columns.contains(&"prepTime"),
        "the hand-edited RedefineTables renames prepTime to prepMinutes: {recipe_columns:?}"
    );
    ensure!(
        !recipe_columns.contains(&"description"),
        "20240301094518 drops Recipe.description: {recipe_columns:?}"
    );
    assert_fk(recipe, &["authorId"], "User", "CASCADE")?;

    let email_key = index(table(&doc, "User")?, "User_email_key")?;
    ensure!(
        email_key["unique"] == true,
        "User_email_key is unique: {email_key}"
    );
    ensure!(
        strings_at(email_key, "columns")? == ["email"],
        "{email_key}"
    );

    let entry = table(&doc, "MealPlanEntry")?;
    ensure!(array_at(entry, "foreign_keys")?.len() == 2, "{entry}");
    assert_fk(entry, &["mealPlanId"], "MealPlan", "CASCADE")?;
    assert_fk(entry, &["recipeId"], "Recipe", "CASCADE")?;

    let tags = table(&doc, "_RecipeToTag")?;
    assert_fk(tags, &["A"], "Recipe", "CASCADE")?;
    assert_fk(tags, &["B"], "Tag", "CASCADE")?;

    let unit = column(table(&doc, "RecipeIngredient")?, "unit")?;
    ensure!(
        unit["nullable"] == false,
        "20240308170245 makes unit NOT NULL: {unit}"
    );
    Ok(())
}

#[test]
fn schema_text_of_meal_planner_lists_tables() -> Result<()> {
    let text = run("schema", &crate_path(MEAL_PLANNER), &[])?.text()?;
    ensure!(text.contains("TABLE Recipe"), "{text}");
    ensure!(text.contains("TABLE _RecipeToTag"), "{text}");
    ensure!(text.contains("13 migrations"), "{text}");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 2. schema: PostgreSQL and MySQL histories
// ---------------------------------------------------------------------------------------------

#[test]
fn schema_of_prisma_postgres_follows_the_hand_written_sql() -> Result<()> {
    let doc = schema_json(&crate_path("tests/fixtures/prisma-postgres"), &[])?;
    assert_set(&doc, "prisma", "postgres", 8)?;
    assert_dialect_from_migration_lock(&doc)?;

    let roles = enum_values(&doc, "Role")?;
    ensure!(
        roles == ["USER", "ADMIN", "EDITOR"],
        "ALTER TYPE \"Role\" ADD VALUE 'EDITOR' appends EDITOR: {roles:?}"
    );
    let meal_types = enum_values(&doc, "MealType")?;
    ensure!(
        meal_types == ["BREAKFAST", "LUNCH", "DINNER"],
        "{meal_types:?}"
    );

    let recipe = table(&doc, "Recipe")?;
    let columns = column_names(recipe)?;
    ensure!(
        columns.contains(&"prepMinutes") && !columns.contains(&"prepTime"),
        "RENAME COLUMN prepTime TO prepMinutes: {columns:?}"
    );
    ensure!(columns.contains(&"searchVector"), "{columns:?}");
    ensure!(
        str_at(column(recipe, "servings")?, "type")? == "SMALLINT",
        "{recipe}"
    );
    ensure!(
        !column_names(table(&doc, "User")?)?.contains(&"bio"),
        "User.bio is dropped"
    );
    assert_fk(recipe, &["authorId"], "User", "CASCADE")?;
    assert_fk(
        table(&doc, "MealPlanEntry")?,
        &["recipeId"],
        "Recipe",
        "SET_NULL",
    )?;

    // CREATE INDEX CONCURRENTLY, then ALTER INDEX ... RENAME; DROP INDEX CONCURRENTLY IF EXISTS.
    let recent = index(recipe, "Recipe_author_recent_idx")?;
    ensure!(
        strings_at(recent, "columns")? == ["authorId", "createdAt"],
        "{recent}"
    );
    ensure!(
        named(recipe, "indexes", "Recipe_authorId_idx")?.is_none(),
        "DROP INDEX CONCURRENTLY removes Recipe_authorId_idx: {recipe}"
    );

    assert_diagnostic_at(
        &doc,
        "not_modelled",
        "20240221170000_search_and_checks/migration.sql",
        22,
    )?;
    assert_no_diagnostics(&doc, &["unparsed", "replay"])?;
    Ok(())
}

#[test]
fn schema_of_mysql_follows_the_hand_written_sql() -> Result<()> {
    let doc = schema_json(&crate_path("tests/fixtures/mysql"), &[])?;
    assert_set(&doc, "prisma", "mysql", 7)?;
    assert_dialect_from_migration_lock(&doc)?;
    assert_no_diagnostics(&doc, &["unparsed", "replay", "not_modelled"])?;

    // MySQL enums are column types.
    let user = table(&doc, "User")?;
    let role = str_at(column(user, "role")?, "type")?;
    ensure!(role == "ENUM('USER', 'ADMIN')", "User.role: {role}");
    let meal_type = str_at(column(table(&doc, "MealPlanEntry")?, "mealType")?, "type")?;
    ensure!(
        meal_type == "ENUM('BREAKFAST', 'LUNCH', 'DINNER')",
        "MealPlanEntry.mealType: {meal_type}"
    );

    let user_columns = column_names(user)?;
    ensure!(
        user_columns.contains(&"displayName") && !user_columns.contains(&"name"),
        "RENAME COLUMN name TO displayName: {user_columns:?}"
    );
    let recipe = table(&doc, "Recipe")?;
    let recipe_columns = column_names(recipe)?;
    ensure!(
        recipe_columns.contains(&"prepMinutes") && !recipe_columns.contains(&"prepTime"),
        "CHANGE COLUMN prepTime prepMinutes: {recipe_columns:?}"
    );
    ensure!(
        !recipe_columns.contains(&"description"),
        "{recipe_columns:?}"
    );
    ensure!(
        str_at(column(recipe, "title")?, "type")? == "VARCHAR(255)",
        "{recipe}"
    );

    let unit = column(table(&doc, "RecipeIngredient")?, "unit")?;
    ensure!(
        unit["type"] == "VARCHAR(32)" && unit["nullable"] == false,
        "MODIFY unit VARCHAR(32) NOT NULL: {unit}"
    );

    // DROP FOREIGN KEY + ADD CONSTRAINT, then RENAME INDEX of the index the FK created.
    assert_fk(recipe, &["authorId"], "User", "CASCADE")?;
    index(recipe, "Recipe_authorId_idx")?;
    ensure!(
        named(recipe, "indexes", "Recipe_authorId_fkey")?.is_none(),
        "RENAME INDEX leaves no Recipe_authorId_fkey index: {recipe}"
    );
    assert_fk(table(&doc, "audit_log")?, &["actor_id"], "User", "SET_NULL")?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 3. schema: every layout
// ---------------------------------------------------------------------------------------------

/// Each layout fixture: its directory, the framework and the number of migrations.
const LAYOUTS: &[(&str, &str, u64)] = &[
    ("atlas", "atlas", 3),
    ("dbmate", "dbmate", 3),
    ("diesel", "diesel", 3),
    ("drizzle", "drizzle", 3),
    // V1, V1.1, V1.10, V2 and the repeatable R__views; the undo U2 is not a migration.
    ("flyway", "flyway", 5),
    ("golang-migrate", "golang-migrate", 3),
    ("goose", "goose", 3),
    ("plain", "plain", 4),
    ("sqlx", "sqlx", 3),
    ("supabase", "supabase", 3),
];

#[test]
fn every_layout_is_one_set_of_its_framework() -> Result<()> {
    let layouts_dir = crate_path("tests/fixtures/layouts");
    let on_disk: BTreeSet<String> = fs::read_dir(&layouts_dir)?
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = LAYOUTS.iter().map(|(dir, ..)| dir.to_string()).collect();
    ensure!(on_disk == expected, "layout fixtures changed: {on_disk:?}");

    for (dir, framework, migrations) in LAYOUTS {
        let doc =
            schema_json(&layouts_dir.join(dir), &[]).with_context(|| format!("layout {dir}"))?;
        ensure!(
            doc["set"]["framework"] == *framework,
            "layout {dir}: framework {}",
            doc["set"]
        );
        ensure!(
            doc["set"]["migrations"].as_u64() == Some(*migrations),
            "layout {dir}: expected {migrations} migrations, {}",
            doc["set"]
        );
        assert_no_diagnostics(&doc, &["unparsed", "replay"])
            .with_context(|| format!("layout {dir}"))?;
        for name in ["customers", "products", "orders", "order_items"] {
            table(&doc, name).with_context(|| format!("layout {dir}"))?;
        }
        assert_fk(
            table(&doc, "orders")?,
            &["customer_id"],
            "customers",
            "CASCADE",
        )
        .with_context(|| format!("layout {dir}"))?;
    }
    Ok(())
}

#[test]
fn flyway_applies_v1_10_after_v1_1_and_skips_undo() -> Result<()> {
    let doc = schema_json(&crate_path("tests/fixtures/layouts/flyway"), &[])?;
    // V1.10 indexes the column V1.1 adds: applied in lexical order it would miss the column.
    let products = table(&doc, "products")?;
    column(products, "sku")?;
    let sku_key = index(products, "products_sku_key")?;
    ensure!(sku_key["unique"] == true, "{sku_key}");
    ensure!(strings_at(sku_key, "columns")? == ["sku"], "{sku_key}");
    // U2 (undo) drops orders and order_items; it must not run.
    table(&doc, "orders")?;
    table(&doc, "order_items")?;
    Ok(())
}

#[test]
fn flyway_order_shows_in_the_diff_from_the_empty_tree() -> Result<()> {
    let dir = tempfile::tempdir()?;
    git(dir.path(), &["init", "-q", "-b", "main"])?;
    copy_tree(&crate_path("tests/fixtures/layouts/flyway"), dir.path())?;
    git(dir.path(), &["add", "-A"])?;
    git(dir.path(), &["commit", "-q", "-m", "flyway"])?;

    let doc = run(
        "diff",
        dir.path(),
        &["--base", "EMPTY", "--head", "main", "--format", "json"],
    )?
    .json()?;
    let files = strings_at(only_set(&doc)?, "changed_files")?;
    let expected = [
        "db/migration/V1__init.sql",
        "db/migration/V1.1__add_product_sku.sql",
        "db/migration/V1.10__unique_product_sku.sql",
        "db/migration/V2__orders.sql",
        "db/migration/R__views.sql",
    ];
    ensure!(files == expected, "Flyway order: {files:?}");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 4. cascade
// ---------------------------------------------------------------------------------------------

#[test]
fn cascade_from_user_matches_expected_md() -> Result<()> {
    let doc = run(
        "cascade",
        &crate_path(MEAL_PLANNER),
        &["--from", "User", "--format", "json"],
    )?
    .json()?;
    ensure!(str_at(&doc, "root")? == "User", "{doc}");
    assert_set(&doc, "prisma", "sqlite", 13)?;

    let reached: BTreeSet<&str> = strings_at(&doc, "tables_reached")?.into_iter().collect();
    let expected: BTreeSet<&str> = [
        "Recipe",
        "RecipeIngredient",
        "_RecipeToTag",
        "MealPlan",
        "MealPlanEntry",
        "ShoppingList",
        "ShoppingListItem",
    ]
    .into_iter()
    .collect();
    ensure!(reached == expected, "tables_reached: {reached:?}");
    let nulled = strings_at(&doc, "tables_nulled")?;
    ensure!(nulled == ["PantryItem"], "tables_nulled: {nulled:?}");

    let restricted = array_at(&doc, "restricted_by")?;
    ensure!(restricted.len() == 1, "restricted_by: {restricted:?}");
    let household = &restricted[0];
    ensure!(
        household["table"] == "Household"
            && strings_at(household, "columns")? == ["ownerId"]
            && household["parent"] == "User"
            && household["action"] == "RESTRICT",
        "restricted_by: {household}"
    );

    let mut found = false;
    for path in array_at(&doc, "paths")? {
        if strings_at(path, "tables")? == ["User", "Recipe", "RecipeIngredient"] {
            ensure!(
                strings_at(path, "actions")? == ["CASCADE", "CASCADE"],
                "{path}"
            );
            found = true;
        }
    }
    ensure!(
        found,
        "no path User -> Recipe -> RecipeIngredient: {}",
        doc["paths"]
    );
    ensure!(
        doc["truncated"] == false && doc["emulated"] == false,
        "{doc}"
    );
    Ok(())
}

#[test]
fn cascade_text_draws_the_tree() -> Result<()> {
    let text = run("cascade", &crate_path(MEAL_PLANNER), &["--from", "User"])?.text()?;
    ensure!(text.contains("CASCADE Recipe"), "{text}");
    ensure!(text.contains("SET NULL PantryItem"), "{text}");
    ensure!(text.contains("RESTRICT Household"), "{text}");
    Ok(())
}

#[test]
fn cascade_from_an_unknown_table_is_an_error_naming_it() -> Result<()> {
    let outcome = run(
        "cascade",
        &crate_path(MEAL_PLANNER),
        &["--from", "Nonexistent", "--format", "json"],
    )?;
    let stderr = outcome.error()?;
    ensure!(stderr.contains("Nonexistent"), "{stderr}");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 5. git revisions
// ---------------------------------------------------------------------------------------------

#[test]
fn diff_of_pr_104_reports_the_new_cascade() -> Result<()> {
    let repo = PrRepo::build()?;
    let doc = run(
        "diff",
        repo.root(),
        &["--base", "main", "--head", PR_BRANCH, "--format", "json"],
    )?
    .json()?;
    ensure!(
        str_at(&doc, "base")?.starts_with("main ("),
        "{}",
        doc["base"]
    );
    ensure!(
        str_at(&doc, "head")?.starts_with(PR_BRANCH),
        "{}",
        doc["head"]
    );

    let set = only_set(&doc)?;
    ensure!(set["set"]["migrations"] == 14, "{}", set["set"]);
    let changed = strings_at(set, "changed_files")?;
    ensure!(changed == [PR_104_MIGRATION], "changed_files: {changed:?}");
    ensure!(array_at(set, "removed_files")?.is_empty(), "{set}");
    ensure!(pantry_added_by_on_delete_after(set)? == "CASCADE", "{set}");

    let user_change = array_at(set, "cascade_changes")?
        .iter()
        .find(|c| c["root"] == "User")
        .context("no cascade change from User")?;
    let newly_reached = strings_at(user_change, "newly_reached")?;
    ensure!(
        newly_reached == ["PantryItem"],
        "newly_reached: {newly_reached:?}"
    );

    let diffed: Vec<&str> = array_at(set, "file_diffs")?
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    ensure!(diffed.contains(&PR_104_MIGRATION), "file_diffs: {diffed:?}");

    let text = run(
        "diff",
        repo.root(),
        &["--base", "main", "--head", PR_BRANCH],
    )?
    .text()?;
    ensure!(
        text.contains("deleting a User row now also deletes"),
        "{text}"
    );
    ensure!(text.contains("PantryItem"), "{text}");
    Ok(())
}

#[test]
fn diff_without_head_reads_the_working_tree() -> Result<()> {
    let repo = PrRepo::build()?;
    let clean = run("diff", repo.root(), &["--base", "main", "--format", "json"])?.json()?;
    ensure!(
        str_at(&clean, "head")?.starts_with("working tree"),
        "{}",
        clean["head"]
    );
    let clean_set = only_set(&clean)?;
    ensure!(
        array_at(clean_set, "changed_files")?.is_empty(),
        "{clean_set}"
    );

    let uncommitted = "prisma/migrations/20991231000000_tag_color/migration.sql";
    write(
        repo.root(),
        uncommitted,
        b"-- AlterTable\nALTER TABLE \"Tag\" ADD COLUMN \"color\" TEXT;\n",
    )?;
    let doc = run("diff", repo.root(), &["--base", "main", "--format", "json"])?.json()?;
    let set = only_set(&doc)?;
    let changed = strings_at(set, "changed_files")?;
    ensure!(changed == [uncommitted], "changed_files: {changed:?}");
    let tag = table_change(set, "Tag")?;
    let added: Vec<&str> = array_at(tag, "columns_added")?
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    ensure!(added == ["color"], "columns_added: {added:?}");
    Ok(())
}

#[test]
fn schema_and_cascade_at_a_revision_read_that_revision() -> Result<()> {
    let repo = PrRepo::build()?;
    let before = schema_json(repo.root(), &["--at", "main"])?;
    let after = schema_json(repo.root(), &["--at", PR_BRANCH])?;
    assert_set(&before, "prisma", "sqlite", 13)?;
    assert_set(&after, "prisma", "sqlite", 14)?;
    assert_fk(
        table(&before, "PantryItem")?,
        &["addedById"],
        "User",
        "SET_NULL",
    )?;
    assert_fk(
        table(&after, "PantryItem")?,
        &["addedById"],
        "User",
        "CASCADE",
    )?;

    let cascade_at = |rev: &str| {
        run(
            "cascade",
            repo.root(),
            &["--from", "User", "--at", rev, "--format", "json"],
        )?
        .json()
    };
    let before = cascade_at("main")?;
    let after = cascade_at(PR_BRANCH)?;
    ensure!(
        strings_at(&before, "tables_nulled")? == ["PantryItem"],
        "{before}"
    );
    ensure!(strings_at(&after, "tables_nulled")?.is_empty(), "{after}");
    ensure!(
        strings_at(&after, "tables_reached")?.contains(&"PantryItem"),
        "{after}"
    );
    Ok(())
}

#[test]
fn schema_at_the_empty_tree_has_no_migrations() -> Result<()> {
    let repo = PrRepo::build()?;
    for format in ["text", "json"] {
        let outcome = run(
            "schema",
            repo.root(),
            &["--at", "EMPTY", "--format", format],
        )?;
        let stderr = outcome.error()?;
        ensure!(
            stderr.contains("no migrations found") && stderr.contains("EMPTY"),
            "{stderr}"
        );
    }
    // As a diff base the empty tree is valid: every table is added.
    let doc = run(
        "diff",
        repo.root(),
        &["--base", "EMPTY", "--head", "main", "--format", "json"],
    )?
    .json()?;
    let added = array_at(&only_set(&doc)?["schema_diff"], "tables_added")?;
    ensure!(added.len() == 12, "tables_added: {}", added.len());
    Ok(())
}

#[test]
fn a_subdirectory_of_the_repository_works_as_path() -> Result<()> {
    let repo = PrRepo::build()?;
    let prisma = repo.root().join("prisma");
    let at_branch = schema_json(&prisma, &["--at", PR_BRANCH])?;
    assert_set(&at_branch, "prisma", "sqlite", 14)?;
    ensure!(
        at_branch["set"]["root"] == "prisma/migrations",
        "paths are repository-relative: {}",
        at_branch["set"]
    );
    assert_fk(
        table(&at_branch, "PantryItem")?,
        &["addedById"],
        "User",
        "CASCADE",
    )?;

    let working_tree = schema_json(&prisma.join("migrations"), &[])?;
    assert_set(&working_tree, "prisma", "sqlite", 13)?;
    ensure!(
        working_tree["set"]["root"] == "prisma/migrations",
        "{}",
        working_tree["set"]
    );

    let doc = run(
        "diff",
        &prisma,
        &["--base", "main", "--head", PR_BRANCH, "--format", "json"],
    )?
    .json()?;
    let changed = strings_at(only_set(&doc)?, "changed_files")?;
    ensure!(changed == [PR_104_MIGRATION], "changed_files: {changed:?}");
    Ok(())
}

#[test]
fn a_bad_revision_is_an_error_naming_it() -> Result<()> {
    let repo = PrRepo::build()?;
    let attempts: [(&str, &[&str]); 3] = [
        ("schema", &["--at", "no-such-branch"]),
        ("diff", &["--base", "no-such-branch"]),
        ("diff", &["--base", "main", "--head", "no-such-branch"]),
    ];
    for (command, options) in attempts {
        let outcome = run(command, repo.root(), options)?;
        let stderr = outcome
            .error()
            .with_context(|| format!("{command} {options:?}"))?;
        ensure!(stderr.contains("no-such-branch"), "{stderr}");
    }
    Ok(())
}

#[test]
fn a_revision_of_a_folder_outside_git_is_an_error() -> Result<()> {
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "migrations/001_init.sql",
        b"CREATE TABLE a (id INT);\n",
    )?;
    // Without a revision the folder is fine.
    schema_json(dir.path(), &[])?;

    let outcomes = [
        run("schema", dir.path(), &["--at", "main"])?,
        run("diff", dir.path(), &["--base", "main"])?,
    ];
    for outcome in outcomes {
        let stderr = outcome.error()?;
        ensure!(
            stderr.contains("needs a git checkout") && stderr.contains("main"),
            "{stderr}"
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 6. bad input
// ---------------------------------------------------------------------------------------------

#[test]
fn bad_bytes_and_unparsable_statements_are_diagnostics_not_failures() -> Result<()> {
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "migrations/001_init.sql",
        b"CREATE TABLE before_bad (id INT);\n\
          -- caf\xe9 au lait\n\
          CREATE FROBNICATE widget WITH sprockets;\n\
          CREATE TABLE good (id INTEGER PRIMARY KEY, name TEXT);\n",
    )?;
    let doc = schema_json(dir.path(), &[])?;
    assert_diagnostic_at(&doc, "file", "migrations/001_init.sql", 2)?;
    assert_diagnostic_at(&doc, "unparsed", "migrations/001_init.sql", 3)?;
    table(&doc, "before_bad")?;
    let good = table(&doc, "good")?;
    ensure!(column_names(good)? == ["id", "name"], "{good}");
    ensure!(column(good, "id")?["primary_key"] == true, "{good}");
    Ok(())
}

#[test]
fn an_empty_migration_file_is_a_diagnostic() -> Result<()> {
    let dir = tempfile::tempdir()?;
    write(dir.path(), "migrations/001_empty.sql", b"")?;
    write(
        dir.path(),
        "migrations/002_init.sql",
        b"CREATE TABLE a (id INT);\n",
    )?;
    let doc = schema_json(dir.path(), &[])?;
    assert_diagnostic_at(&doc, "file", "migrations/001_empty.sql", 0)?;
    table(&doc, "a")?;
    Ok(())
}

#[test]
fn a_ten_megabyte_migration_is_analysed() -> Result<()> {
    const TEN_MB: usize = 10 * 1024 * 1024;
    let dir = tempfile::tempdir()?;
    let mut sql = String::with_capacity(TEN_MB + 1024);
    sql.push_str("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);\n");
    let mut row = 0u64;
    while sql.len() < TEN_MB {
        sql.push_str(&format!(
            "INSERT INTO t VALUES ({row}, 'row number {row}');\n"
        ));
        row += 1;
    }
    sql.push_str("CREATE TABLE after_the_inserts (id INTEGER);\n");
    write(dir.path(), "migrations/001_big.sql", sql.as_bytes())?;

    let doc = schema_json(dir.path(), &[])?;
    table(&doc, "t")?;
    table(&doc, "after_the_inserts")?;
    assert_no_diagnostics(&doc, &["unparsed", "replay", "file"])?;
    Ok(())
}

#[test]
fn escape_sequences_in_names_never_reach_the_terminal() -> Result<()> {
    const NAME: &str = "a\x1b[31mb";
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "migrations/001_init.sql",
        format!(
            "CREATE TABLE \"{NAME}\" (id INT PRIMARY KEY);\n\
             CREATE TABLE child (id INT, parent INT REFERENCES \"{NAME}\" (id) ON DELETE CASCADE);\n"
        )
        .as_bytes(),
    )?;

    let schema = run("schema", dir.path(), &[])?;
    schema.text()?;
    ensure!(!schema.stdout.contains(&0x1b), "ESC in schema text output");
    let cascade = run("cascade", dir.path(), &["--from", NAME])?;
    let text = cascade.text()?;
    ensure!(
        !cascade.stdout.contains(&0x1b),
        "ESC in cascade text output"
    );
    ensure!(text.contains("CASCADE child"), "{text}");
    let missing = run("cascade", dir.path(), &["--from", "zz\x1b[2J"])?;
    ensure!(
        !missing.error()?.contains('\x1b'),
        "ESC in the error message"
    );

    // JSON keeps the name exactly (escaped as \u001b).
    let doc = schema_json(dir.path(), &[])?;
    table(&doc, NAME)?;
    Ok(())
}

#[test]
fn a_closed_stdout_does_not_panic() -> Result<()> {
    let mut child = binary()
        .args(["schema", MEAL_PLANNER, "--format", "json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    drop(child.stdout.take());
    let output = child.wait_with_output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    ensure!(!stderr.contains("panicked"), "{stderr}");
    ensure!(output.status.code() != Some(101), "{:?}", output.status);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 7. help
// ---------------------------------------------------------------------------------------------

#[test]
fn every_subcommand_explains_itself_and_its_options() -> Result<()> {
    let expectations: [(&str, &str, &[&str]); 3] = [
        (
            "schema",
            "Replay the migration history",
            &["--at", "--format", "--dialect", "--set", "--migrations"],
        ),
        (
            "cascade",
            "deleting one row",
            &["--from", "--at", "--format"],
        ),
        (
            "diff",
            "Compare the schema at two revisions",
            &["--base", "--head", "--format", "EMPTY", "working tree"],
        ),
    ];
    for (command, summary, options) in expectations {
        let help = run_args([command, "--help"])?.text()?;
        ensure!(help.contains(summary), "{command} --help: {help}");
        for option in options {
            ensure!(
                help.contains(option),
                "{command} --help lacks {option}: {help}"
            );
        }
    }
    Ok(())
}
