//! Proves the embedded demo's pull requests (`assets/demo/prs/`) are real and do what their
//! `pr.toml` claims: every PR's metadata is well formed, every head tree (the meal-planner base
//! in `tests/fixtures/meal-planner/` plus the PR's `files/`) migrates a real in-memory SQLite,
//! and each risky scenario is shown on seeded data (the cascade deletes, the rename keeps the
//! data, the drop removes the column, the unbounded statements touch every row).
//!
//! The console and the analysis read these files as data; this test pins that the data means
//! what the demo says, so a demo finding can never rest on a broken or misleading fixture.

#[path = "support/sqlite_inspect.rs"]
mod sqlite_inspect;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::str::FromStr;

use anyhow::{Context, Result, bail, ensure};
use rusqlite::Connection;
use serde::Deserialize;
use sqlite_inspect::{
    assert_foreign_keys_resolve, column_names, open_database, row_counts, table_names,
    tables_that_lost_rows,
};
use toml::value::{Datetime, Offset};

/// The demo's pull requests, one directory each.
const DEMO_PRS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo/prs");

/// The demo's README, one line per pull request.
const DEMO_README: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo/README.md");

/// The base project every pull request applies to.
const BASE_PROJECT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/meal-planner");

/// Where Prisma keeps its migration folders, relative to the project root.
const MIGRATIONS_DIR: &str = "prisma/migrations/";

/// The SQL file inside each Prisma migration folder.
const MIGRATION_FILE: &str = "/migration.sql";

/// The Prisma schema, relative to the project root.
const SCHEMA_FILE: &str = "prisma/schema.prisma";

/// The migration lock, relative to the project root (no PR may change the provider).
const MIGRATION_LOCK: &str = "prisma/migrations/migration_lock.toml";

/// The section heading a PR body uses for its rollback plan.
const ROLLBACK_HEADING: &str = "## Rollback";

/// #101: additive nullable `Recipe.rating`.
const ADD_RATING: u32 = 101;
/// #102: index on `MealPlanEntry` and a unique index that fails on duplicate titles.
const UNIQUE_TITLES: u32 = 102;
/// #103: drops `User.timezone` through a RedefineTables.
const DROP_TIMEZONE: u32 = 103;
/// #104: `PantryItem.addedById` from SET NULL to CASCADE.
const PANTRY_CASCADE: u32 = 104;
/// #105: renames `ShoppingListItem.quantity` to `amount`, keeping the data.
const RENAME_QUANTITY: u32 = 105;
/// #106: unbounded `UPDATE "Recipe" SET "servings" = 4`.
const UNBOUNDED_UPDATE: u32 = 106;
/// #107: escape sequences in the title, harmless `ShoppingListItem.unit`.
const ESCAPED_TITLE: u32 = 107;
/// #108 (draft): unbounded `DELETE FROM "PantryItem"`.
const UNBOUNDED_DELETE: u32 = 108;
/// #109: a migration timestamp older than the base's latest.
const OUT_OF_ORDER: u32 = 109;

/// The tables a User delete empties in the base schema (`tests/fixtures/meal-planner/EXPECTED.md`).
const BASE_USER_DELETE_CASCADES_TO: [&str; 8] = [
    "MealPlan",
    "MealPlanEntry",
    "Recipe",
    "RecipeIngredient",
    "ShoppingList",
    "ShoppingListItem",
    "User",
    "_RecipeToTag",
];

/// The risk a data reviewer gives a PR (the design's four levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
enum Risk {
    /// Additive and reversible.
    Low,
    /// Needs care.
    Medium,
    /// Data or compatibility at stake.
    High,
    /// Can lose data silently or widely.
    Critical,
}

/// The contents of one `pr.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PrMeta {
    /// The PR number.
    number: u32,
    /// The title, possibly hostile (escape sequences).
    title: String,
    /// The author's GitHub login.
    author: String,
    /// The head branch.
    branch: String,
    /// When the PR was opened (RFC 3339).
    created_at: String,
    /// When the PR last changed (RFC 3339).
    updated_at: String,
    /// Whether the PR is a draft.
    draft: bool,
    /// The PR description (markdown).
    body: String,
    /// The head commit.
    head_sha: String,
    /// The base commit.
    base_sha: String,
    /// The risk a data reviewer would give it.
    expected_risk: Risk,
    /// What a reviewer must notice.
    expected: Vec<String>,
}

/// A file tree: path relative to the project root (with `/`) -> contents.
type Tree = BTreeMap<String, String>;

/// One demo pull request: its directory name, metadata and changed files.
struct DemoPr {
    /// The directory name under `assets/demo/prs/` (`<number>-<slug>`).
    dir_name: String,
    /// The parsed `pr.toml`.
    meta: PrMeta,
    /// The files the PR adds or changes, relative to the project root.
    files: Tree,
}

impl DemoPr {
    /// The head tree: the base tree with the PR's files laid over it.
    fn head_tree(&self, base: &Tree) -> Tree {
        let mut head = base.clone();
        head.extend(self.files.clone());
        head
    }

    /// The migrations this PR adds (not in the base), in name order.
    fn new_migrations<'a>(&'a self, base: &Tree) -> Vec<Migration<'a>> {
        migrations(&self.files)
            .into_iter()
            .filter(|m| !base.contains_key(&migration_path(m.name)))
            .collect()
    }
}

/// One Prisma migration of a tree.
#[derive(Debug, Clone, Copy)]
struct Migration<'a> {
    /// The folder name (`<timestamp>_<name>`).
    name: &'a str,
    /// The SQL of its `migration.sql`.
    sql: &'a str,
}

impl Migration<'_> {
    /// The 14-digit timestamp that orders Prisma migrations.
    fn timestamp(&self) -> &str {
        self.name.split('_').next().unwrap_or_default()
    }
}

/// The path of a migration's SQL file, relative to the project root.
fn migration_path(name: &str) -> String {
    format!("{MIGRATIONS_DIR}{name}{MIGRATION_FILE}")
}

/// The migrations of `tree` in Prisma's order (folder name, i.e. timestamp first).
fn migrations(tree: &Tree) -> Vec<Migration<'_>> {
    // A BTreeMap iterates in path order, which is folder-name order here.
    tree.iter()
        .filter_map(|(path, sql)| {
            let name = path
                .strip_prefix(MIGRATIONS_DIR)?
                .strip_suffix(MIGRATION_FILE)?;
            (!name.contains('/')).then_some(Migration { name, sql })
        })
        .collect()
}

/// Reads every file under `root` into a tree keyed by relative path.
fn read_tree(root: &Path) -> Result<Tree> {
    let mut tree = Tree::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let relative = path
                .strip_prefix(root)?
                .to_string_lossy()
                .replace('\\', "/");
            let contents =
                fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            tree.insert(relative, contents);
        }
    }
    Ok(tree)
}

/// The base meal-planner tree.
fn base_tree() -> Result<Tree> {
    read_tree(Path::new(BASE_PROJECT))
}

/// Loads one PR directory.
fn load_pr(dir: &Path) -> Result<DemoPr> {
    let toml_path = dir.join("pr.toml");
    let text = fs::read_to_string(&toml_path)
        .with_context(|| format!("reading {}", toml_path.display()))?;
    let meta: PrMeta =
        toml::from_str(&text).with_context(|| format!("parsing {}", toml_path.display()))?;
    let dir_name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .context("PR directory without a name")?
        .to_owned();
    let files = read_tree(&dir.join("files"))?;
    Ok(DemoPr {
        dir_name,
        meta,
        files,
    })
}

/// Every demo PR, in directory order.
fn load_prs() -> Result<Vec<DemoPr>> {
    let mut dirs = fs::read_dir(DEMO_PRS)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()?;
    dirs.sort();
    dirs.iter().map(|dir| load_pr(dir)).collect()
}

/// The demo PR numbered `number`.
fn find_pr(prs: &[DemoPr], number: u32) -> Result<&DemoPr> {
    prs.iter()
        .find(|pr| pr.meta.number == number)
        .with_context(|| format!("no demo PR #{number}"))
}

/// Applies `migrations` to `conn` in the given order.
fn apply(conn: &Connection, migrations: &[Migration<'_>]) -> Result<()> {
    for migration in migrations {
        conn.execute_batch(migration.sql)
            .with_context(|| format!("applying {}", migration.name))?;
    }
    Ok(())
}

/// A database migrated through the whole base history.
fn base_database(base: &Tree) -> Result<Connection> {
    let conn = open_database()?;
    apply(&conn, &migrations(base))?;
    Ok(conn)
}

/// A base database holding `seed_data`, then migrated with `pr`'s new migrations: what
/// `prisma migrate deploy` does to an existing production database.
fn deployed_database(base: &Tree, pr: &DemoPr) -> Result<Connection> {
    let conn = base_database(base)?;
    seed_data(&conn)?;
    apply(&conn, &pr.new_migrations(base))?;
    Ok(conn)
}

/// Two users and one row in every other table, each linked to its parents: `bob` owns the
/// household, `alice` is a member who authored the recipe, plan and list and added the pantry
/// item. Written against the base schema, so it runs before a PR's migrations.
fn seed_data(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        r#"
        INSERT INTO "User" ("id", "email", "updatedAt", "timezone") VALUES
            ('alice', 'alice@example.com', CURRENT_TIMESTAMP, 'Europe/Oslo'),
            ('bob', 'bob@example.com', CURRENT_TIMESTAMP, 'America/Chicago');
        INSERT INTO "Household" ("id", "name", "ownerId") VALUES ('home', 'Home', 'bob');
        UPDATE "User" SET "householdId" = 'home';
        INSERT INTO "Ingredient" ("id", "name") VALUES ('leek', 'Leek');
        INSERT INTO "Tag" ("id", "name") VALUES ('veg', 'vegetarian');
        INSERT INTO "Recipe" ("id", "title", "servings", "authorId", "updatedAt")
            VALUES ('soup', 'Leek soup', 6, 'alice', CURRENT_TIMESTAMP);
        INSERT INTO "RecipeIngredient" ("id", "recipeId", "ingredientId", "quantity", "unit")
            VALUES ('soup-leek', 'soup', 'leek', 2, 'pcs');
        INSERT INTO "_RecipeToTag" ("A", "B") VALUES ('soup', 'veg');
        INSERT INTO "MealPlan" ("id", "userId", "householdId", "weekStart")
            VALUES ('week14', 'alice', 'home', '2026-11-02');
        INSERT INTO "MealPlanEntry" ("id", "mealPlanId", "recipeId", "day")
            VALUES ('monday', 'week14', 'soup', 1);
        INSERT INTO "ShoppingList" ("id", "name", "userId", "householdId")
            VALUES ('groceries', 'Groceries', 'alice', 'home');
        INSERT INTO "ShoppingListItem" ("id", "listId", "ingredientId", "label", "quantity", "checkedById")
            VALUES ('buy-leeks', 'groceries', 'leek', 'Leeks', 2.5, 'alice');
        INSERT INTO "PantryItem" ("id", "householdId", "ingredientId", "quantity", "unit", "addedById")
            VALUES ('pantry-leeks', 'home', 'leek', 3, 'pcs', 'alice');
        "#,
    )?;
    Ok(())
}

/// The explicitly created index names of `table`.
fn index_names(conn: &Connection, table: &str) -> Result<BTreeSet<String>> {
    let mut query = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL",
    )?;
    let names = query.query_map([table], |row| row.get(0))?;
    Ok(names.collect::<rusqlite::Result<_>>()?)
}

/// The tables that lose rows when `alice` is deleted from `conn`.
fn tables_emptied_by_deleting_alice(conn: &Connection) -> Result<BTreeSet<String>> {
    let before = row_counts(conn)?;
    let deleted = conn.execute(r#"DELETE FROM "User" WHERE "id" = 'alice'"#, [])?;
    ensure!(deleted == 1, "alice was not deleted");
    Ok(tables_that_lost_rows(&before, &row_counts(conn)?))
}

/// One value of the seeded row `id` in `table`.
fn seeded_value<T: rusqlite::types::FromSql>(
    conn: &Connection,
    table: &str,
    column: &str,
    id: &str,
) -> Result<T> {
    let sql = format!("SELECT \"{column}\" FROM \"{table}\" WHERE \"id\" = ?1");
    Ok(conn.query_row(&sql, [id], |row| row.get(0))?)
}

/// Owned table names, for comparing with sets read from the database.
fn owned_names(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

/// Whether `text` is a lowercase 40-hex commit id.
fn is_commit_sha(text: &str) -> bool {
    text.len() == 40
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

/// Whether `text` could be a GitHub login (letters, digits, single inner hyphens).
fn is_github_login(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 39
        && !text.starts_with('-')
        && !text.ends_with('-')
        && !text.contains("--")
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Parses an RFC 3339 UTC timestamp (date, time, `Z`) in October or November 2026.
fn demo_timestamp(text: &str) -> Result<Datetime> {
    let parsed = Datetime::from_str(text).with_context(|| format!("{text} is not RFC 3339"))?;
    let (Some(date), Some(_), Some(Offset::Z)) = (parsed.date, parsed.time, parsed.offset) else {
        bail!("{text} needs a date, a time and the offset Z");
    };
    ensure!(
        date.year == 2026 && (10..=11).contains(&date.month),
        "{text} is not in October-November 2026"
    );
    Ok(parsed)
}

/// Whether `text` holds a C0 control character other than newline and tab, or DEL.
fn has_control_characters(text: &str) -> bool {
    text.chars()
        .any(|c| (c.is_control() && c != '\n' && c != '\t') || c == '\u{7f}')
}

#[test]
fn demo_has_at_least_six_prs_covering_every_risk_level() -> Result<()> {
    let prs = load_prs()?;
    ensure!(prs.len() >= 6, "only {} demo PRs", prs.len());
    let risks: BTreeSet<Risk> = prs.iter().map(|pr| pr.meta.expected_risk).collect();
    let every_level = BTreeSet::from([Risk::Low, Risk::Medium, Risk::High, Risk::Critical]);
    assert_eq!(risks, every_level);
    Ok(())
}

#[test]
fn pr_metadata_is_well_formed() -> Result<()> {
    let prs = load_prs()?;
    let mut numbers = BTreeSet::new();
    let mut shas = BTreeSet::new();
    for pr in &prs {
        let meta = &pr.meta;
        let context = &pr.dir_name;
        ensure!(numbers.insert(meta.number), "{context}: duplicate number");
        ensure!(
            pr.dir_name.starts_with(&format!("{}-", meta.number)),
            "{context}: directory does not start with the PR number"
        );
        for sha in [&meta.head_sha, &meta.base_sha] {
            ensure!(is_commit_sha(sha), "{context}: {sha} is not a commit id");
            ensure!(shas.insert(sha.clone()), "{context}: {sha} is not unique");
        }
        ensure!(is_github_login(&meta.author), "{context}: bad author");
        ensure!(
            !meta.branch.is_empty() && !meta.branch.contains(char::is_whitespace),
            "{context}: bad branch"
        );
        let created = demo_timestamp(&meta.created_at)?;
        let updated = demo_timestamp(&meta.updated_at)?;
        // Both are UTC (`Z`), so the text order is the time order.
        ensure!(
            updated.to_string() >= created.to_string(),
            "{context}: updated before created"
        );
        ensure!(!meta.title.trim().is_empty(), "{context}: empty title");
        ensure!(!meta.body.trim().is_empty(), "{context}: empty body");
        ensure!(!meta.expected.is_empty(), "{context}: no expected notes");
    }
    Ok(())
}

#[test]
fn demo_has_a_draft_an_escaped_title_and_bodies_with_and_without_rollback() -> Result<()> {
    let prs = load_prs()?;
    ensure!(prs.iter().any(|pr| pr.meta.draft), "no draft PR");
    let escaped = find_pr(&prs, ESCAPED_TITLE)?;
    for hostile in ['\u{1b}', '\u{7}'] {
        ensure!(
            escaped.meta.title.contains(hostile),
            "title lacks {hostile:?}"
        );
    }
    assert_eq!(escaped.meta.expected_risk, Risk::Low);
    let with_rollback = prs
        .iter()
        .filter(|pr| pr.meta.body.contains(ROLLBACK_HEADING))
        .count();
    ensure!(with_rollback > 0, "no body has a rollback section");
    ensure!(
        with_rollback < prs.len(),
        "every body has a rollback section"
    );
    Ok(())
}

#[test]
fn every_pr_changes_the_schema_and_adds_migrations_but_not_the_lock() -> Result<()> {
    let base = base_tree()?;
    let base_schema = base.get(SCHEMA_FILE).context("base has no schema")?;
    for pr in load_prs()? {
        let context = &pr.dir_name;
        let schema = pr
            .files
            .get(SCHEMA_FILE)
            .with_context(|| format!("{context}: no schema.prisma"))?;
        ensure!(schema != base_schema, "{context}: schema.prisma unchanged");
        ensure!(
            !pr.new_migrations(&base).is_empty(),
            "{context}: no new migration"
        );
        ensure!(
            !pr.files.contains_key(MIGRATION_LOCK),
            "{context}: changes the migration lock"
        );
        let migration_paths: BTreeSet<String> = migrations(&pr.files)
            .iter()
            .map(|m| migration_path(m.name))
            .collect();
        let unknown: Vec<_> = pr
            .files
            .keys()
            .filter(|path| *path != SCHEMA_FILE && !migration_paths.contains(*path))
            .collect();
        ensure!(
            unknown.is_empty(),
            "{context}: unexpected files {unknown:?}"
        );
    }
    Ok(())
}

#[test]
fn every_pr_applies_after_the_base_and_in_fresh_timestamp_order() -> Result<()> {
    let base = base_tree()?;
    for pr in load_prs()? {
        let deployed = deployed_database(&base, &pr)
            .with_context(|| format!("{}: base then PR", pr.dir_name))?;
        assert_foreign_keys_resolve(&deployed)?;
        let head = pr.head_tree(&base);
        let fresh = open_database()?;
        apply(&fresh, &migrations(&head))
            .with_context(|| format!("{}: fresh head tree", pr.dir_name))?;
        assert_foreign_keys_resolve(&fresh)?;
    }
    Ok(())
}

#[test]
fn new_migrations_are_newer_than_the_base_except_in_the_ordering_scenario() -> Result<()> {
    let base = base_tree()?;
    let base_migrations = migrations(&base);
    let latest = base_migrations
        .last()
        .context("base has no migrations")?
        .timestamp();
    for pr in load_prs()? {
        let out_of_order = pr
            .new_migrations(&base)
            .iter()
            .any(|m| m.timestamp() <= latest);
        assert_eq!(
            out_of_order,
            pr.meta.number == OUT_OF_ORDER,
            "{}: ordering against {latest}",
            pr.dir_name
        );
    }
    Ok(())
}

#[test]
fn only_the_delete_scenario_loses_rows_while_migrating() -> Result<()> {
    let base = base_tree()?;
    let seeded = base_database(&base)?;
    seed_data(&seeded)?;
    let before = row_counts(&seeded)?;
    for pr in load_prs()? {
        let after = row_counts(&deployed_database(&base, &pr)?)?;
        let lost = tables_that_lost_rows(&before, &after);
        let expected = if pr.meta.number == UNBOUNDED_DELETE {
            owned_names(&["PantryItem"])
        } else {
            BTreeSet::new()
        };
        assert_eq!(lost, expected, "{}", pr.dir_name);
    }
    Ok(())
}

#[test]
fn additive_columns_read_null_on_existing_rows() -> Result<()> {
    let base = base_tree()?;
    let prs = load_prs()?;
    for (number, table, column, id) in [
        (ADD_RATING, "Recipe", "rating", "soup"),
        (ESCAPED_TITLE, "ShoppingListItem", "unit", "buy-leeks"),
    ] {
        let conn = deployed_database(&base, find_pr(&prs, number)?)?;
        ensure!(
            column_names(&conn, table)?.iter().any(|c| c == column),
            "#{number}: {table}.{column} missing"
        );
        let value: Option<String> = seeded_value(&conn, table, column, id)?;
        assert_eq!(value, None, "#{number}: {table}.{column}");
    }
    Ok(())
}

#[test]
fn unique_title_index_fails_on_existing_duplicates() -> Result<()> {
    let base = base_tree()?;
    let prs = load_prs()?;
    let pr = find_pr(&prs, UNIQUE_TITLES)?;
    let clean = deployed_database(&base, pr)?;
    ensure!(index_names(&clean, "MealPlanEntry")?.contains("MealPlanEntry_recipeId_idx"));
    ensure!(index_names(&clean, "Recipe")?.contains("Recipe_authorId_title_key"));

    let duplicated = base_database(&base)?;
    seed_data(&duplicated)?;
    duplicated.execute_batch(
        r#"INSERT INTO "Recipe" ("id", "title", "authorId", "updatedAt")
           VALUES ('soup-again', 'Leek soup', 'alice', CURRENT_TIMESTAMP);"#,
    )?;
    let Err(error) = apply(&duplicated, &pr.new_migrations(&base)) else {
        bail!("the unique index must fail on a duplicate (authorId, title)");
    };
    ensure!(format!("{error:#}").contains("UNIQUE"), "{error:#}");
    Ok(())
}

#[test]
fn drop_scenario_removes_the_column_and_keeps_the_users() -> Result<()> {
    let base = base_tree()?;
    let prs = load_prs()?;
    let conn = deployed_database(&base, find_pr(&prs, DROP_TIMEZONE)?)?;
    let columns = column_names(&conn, "User")?;
    ensure!(!columns.iter().any(|c| c == "timezone"), "{columns:?}");
    let email: String = seeded_value(&conn, "User", "email", "alice")?;
    assert_eq!(email, "alice@example.com");
    ensure!(index_names(&conn, "User")?.contains("User_email_key"));
    assert_eq!(
        tables_emptied_by_deleting_alice(&conn)?,
        owned_names(&BASE_USER_DELETE_CASCADES_TO),
        "the redefine of User must keep every cascade into it"
    );
    Ok(())
}

#[test]
fn cascade_scenario_deletes_pantry_items_that_used_to_survive() -> Result<()> {
    let base = base_tree()?;
    let prs = load_prs()?;
    let before_pr = base_database(&base)?;
    seed_data(&before_pr)?;
    assert_eq!(
        tables_emptied_by_deleting_alice(&before_pr)?,
        owned_names(&BASE_USER_DELETE_CASCADES_TO)
    );
    let added_by: Option<String> =
        seeded_value(&before_pr, "PantryItem", "addedById", "pantry-leeks")?;
    assert_eq!(
        added_by, None,
        "before the PR the pantry item survives, nulled"
    );

    let after_pr = deployed_database(&base, find_pr(&prs, PANTRY_CASCADE)?)?;
    let mut expected = owned_names(&BASE_USER_DELETE_CASCADES_TO);
    expected.insert("PantryItem".to_owned());
    assert_eq!(tables_emptied_by_deleting_alice(&after_pr)?, expected);
    let household_owner: String = seeded_value(&after_pr, "Household", "ownerId", "home")?;
    assert_eq!(household_owner, "bob", "the household itself stays");
    Ok(())
}

#[test]
fn rename_scenario_keeps_the_amounts() -> Result<()> {
    let base = base_tree()?;
    let prs = load_prs()?;
    let conn = deployed_database(&base, find_pr(&prs, RENAME_QUANTITY)?)?;
    let columns = column_names(&conn, "ShoppingListItem")?;
    ensure!(!columns.iter().any(|c| c == "quantity"), "{columns:?}");
    let amount: f64 = seeded_value(&conn, "ShoppingListItem", "amount", "buy-leeks")?;
    assert!((amount - 2.5).abs() < f64::EPSILON, "amount {amount}");
    ensure!(index_names(&conn, "ShoppingListItem")?.contains("ShoppingListItem_listId_idx"));
    Ok(())
}

#[test]
fn unbounded_update_overwrites_servings_the_author_chose() -> Result<()> {
    let base = base_tree()?;
    let prs = load_prs()?;
    let conn = deployed_database(&base, find_pr(&prs, UNBOUNDED_UPDATE)?)?;
    let servings: i64 = seeded_value(&conn, "Recipe", "servings", "soup")?;
    assert_eq!(servings, 4, "the seeded 6 servings must be overwritten");
    conn.execute_batch(
        r#"INSERT INTO "Recipe" ("id", "title", "authorId", "updatedAt")
           VALUES ('stew', 'Stew', 'bob', CURRENT_TIMESTAMP);"#,
    )?;
    let default: i64 = seeded_value(&conn, "Recipe", "servings", "stew")?;
    assert_eq!(default, 4, "the new default");
    Ok(())
}

#[test]
fn out_of_order_migration_runs_at_a_different_place_on_fresh_and_existing_databases() -> Result<()>
{
    let base = base_tree()?;
    let prs = load_prs()?;
    let pr = find_pr(&prs, OUT_OF_ORDER)?;
    let added = pr.new_migrations(&base);
    let first_added = added.first().context("no new migration")?;
    let head = pr.head_tree(&base);
    let fresh_order: Vec<&str> = migrations(&head).iter().map(|m| m.name).collect();
    let deployed_order: Vec<&str> = migrations(&base)
        .iter()
        .chain(&added)
        .map(|m| m.name)
        .collect();
    ensure!(fresh_order != deployed_order, "the order must differ");
    ensure!(fresh_order.last() != Some(&first_added.name));
    let conn = deployed_database(&base, pr)?;
    ensure!(table_names(&conn)?.contains("CookLog"));
    Ok(())
}

#[test]
fn readme_lists_every_pr_with_its_risk_and_no_control_characters() -> Result<()> {
    let readme = fs::read_to_string(DEMO_README)?;
    ensure!(
        !has_control_characters(&readme),
        "README has control characters"
    );
    for pr in load_prs()? {
        let number = format!("#{} ", pr.meta.number);
        let line = readme
            .lines()
            .find(|line| line.contains(&number))
            .with_context(|| format!("README has no line for {number}"))?;
        let risk = format!("{:?}", pr.meta.expected_risk).to_uppercase();
        ensure!(
            line.contains(&risk),
            "README line for {number} lacks {risk}"
        );
    }
    Ok(())
}

#[test]
fn helpers_reject_malformed_metadata() {
    assert!(is_commit_sha("3907b029e3d290fa007060cda7a53dd77c6d386e"));
    assert!(!is_commit_sha("3907B029e3d290fa007060cda7a53dd77c6d386e"));
    assert!(!is_commit_sha("3907b029"));
    assert!(is_github_login("quiet-otter-42"));
    assert!(!is_github_login("-bad"));
    assert!(!is_github_login("two--hyphens"));
    assert!(demo_timestamp("2026-11-03T09:30:02Z").is_ok());
    assert!(demo_timestamp("2026-11-03").is_err());
    assert!(demo_timestamp("2026-11-03T09:30:02+01:00").is_err());
    assert!(demo_timestamp("2025-11-03T09:30:02Z").is_err());
    assert!(has_control_characters("a\u{1b}[2J"));
    assert!(!has_control_characters("a\nb\tc"));
}
