//! The embedded demo: the meal-planner project (Prisma + SQLite) and nine open "pull requests"
//! against it, compiled into the binary so `schemagate demo` needs no network, token or checkout.
//!
//! Each PR is `assets/demo/prs/<n>-<slug>/pr.toml` (metadata) plus `files/` (the files the PR
//! adds or replaces). Its base is the meal-planner tree; its head is that tree with the PR's
//! files laid over it.

use serde::Deserialize;
use thiserror::Error;

use crate::analysis::fileset::FileSet;
use crate::source::change::{Change, PrMeta};

/// The repository name every demo PR carries.
pub const DEMO_REPO: &str = "demo/meal-planner";

/// `(repository-relative path, contents)` of embedded files.
type Embedded = &'static [(&'static str, &'static [u8])];

/// Embeds the files `paths` found under the crate-relative directory `root`.
macro_rules! embed {
    ($root:expr, [$($path:literal),* $(,)?]) => {
        &[$((
            $path,
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/", $root, "/", $path)) as &[u8],
        )),*]
    };
}

/// One embedded PR: its `pr.toml` text and its files.
struct EmbeddedPr {
    /// The directory name, for error messages.
    name: &'static str,
    /// The `pr.toml` text.
    meta: &'static str,
    /// The files the PR adds or replaces.
    files: Embedded,
}

/// Embeds one PR directory of `assets/demo/prs/`.
macro_rules! embed_pr {
    ($dir:literal, [$($path:literal),* $(,)?]) => {
        EmbeddedPr {
            name: $dir,
            meta: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"), "/assets/demo/prs/", $dir, "/pr.toml"
            )),
            files: embed!(concat!("assets/demo/prs/", $dir, "/files"), [$($path),*]),
        }
    };
}

/// The meal-planner project: the base of every demo PR.
const BASE: Embedded = embed!(
    "tests/fixtures/meal-planner",
    [
        "prisma/migrations/20240105093012_init/migration.sql",
        "prisma/migrations/20240112181544_add_tags/migration.sql",
        "prisma/migrations/20240119204130_meal_plans/migration.sql",
        "prisma/migrations/20240126110207_cascade_user_content/migration.sql",
        "prisma/migrations/20240202153321_add_households/migration.sql",
        "prisma/migrations/20240209084455_recipe_prep_minutes/migration.sql",
        "prisma/migrations/20240216190032_shopping_lists/migration.sql",
        "prisma/migrations/20240223121709_recipe_source_and_timezone/migration.sql",
        "prisma/migrations/20240301094518_drop_recipe_description/migration.sql",
        "prisma/migrations/20240308170245_require_ingredient_unit/migration.sql",
        "prisma/migrations/20240315103356_pantry_items/migration.sql",
        "prisma/migrations/20240322142811_unique_recipe_ingredient/migration.sql",
        "prisma/migrations/20240329161930_household_meal_plans/migration.sql",
        "prisma/migrations/migration_lock.toml",
        "prisma/schema.prisma",
    ]
);

/// The demo PRs, in number order.
const PRS: &[EmbeddedPr] = &[
    embed_pr!(
        "101-recipe-rating",
        [
            "prisma/migrations/20261012141503_add_recipe_rating/migration.sql",
            "prisma/schema.prisma",
        ]
    ),
    embed_pr!(
        "102-meal-entry-recipe-index",
        [
            "prisma/migrations/20261019103012_meal_entry_recipe_index/migration.sql",
            "prisma/schema.prisma",
        ]
    ),
    embed_pr!(
        "103-drop-user-timezone",
        [
            "prisma/migrations/20261027160844_drop_user_timezone/migration.sql",
            "prisma/schema.prisma",
        ]
    ),
    embed_pr!(
        "104-pantry-items-follow-user",
        [
            "prisma/migrations/20261103091127_pantry_item_added_by_cascade/migration.sql",
            "prisma/schema.prisma",
        ]
    ),
    embed_pr!(
        "105-shopping-item-amount",
        [
            "prisma/migrations/20261105134410_rename_shopping_item_quantity/migration.sql",
            "prisma/schema.prisma",
        ]
    ),
    embed_pr!(
        "106-default-four-servings",
        [
            "prisma/migrations/20261110082236_default_four_servings/migration.sql",
            "prisma/schema.prisma",
        ]
    ),
    embed_pr!(
        "107-shopping-totals-unit",
        [
            "prisma/migrations/20261116170352_shopping_item_unit/migration.sql",
            "prisma/schema.prisma",
        ]
    ),
    embed_pr!(
        "108-pantry-canonical-units",
        [
            "prisma/migrations/20261120112901_pantry_unit_code/migration.sql",
            "prisma/schema.prisma",
        ]
    ),
    embed_pr!(
        "109-cook-log",
        [
            "prisma/migrations/20240325091844_cook_log/migration.sql",
            "prisma/schema.prisma",
        ]
    ),
];

/// An embedded `pr.toml` could not be read (a broken build of the demo data).
#[derive(Debug, Error)]
#[error("demo PR {name}: invalid pr.toml: {source}")]
pub struct DemoError {
    /// The PR's directory name.
    pub name: &'static str,
    /// What was wrong.
    pub source: toml::de::Error,
}

/// The fields of `pr.toml` the console uses (the rest documents the scenario).
#[derive(Deserialize)]
struct PrToml {
    number: u64,
    title: String,
    author: String,
    branch: String,
    updated_at: String,
    draft: bool,
    head_sha: String,
    base_sha: String,
    body: String,
}

/// Every demo PR as a [`Change`]: the meal-planner tree at base, that tree plus the PR's files
/// at head. Reads only the embedded data.
///
/// # Errors
/// [`DemoError`] when an embedded `pr.toml` is malformed.
pub fn demo_changes() -> Result<Vec<Change>, DemoError> {
    let base = file_set(BASE);
    PRS.iter().map(|pr| change_of(pr, &base)).collect()
}

/// The [`Change`] of one embedded PR over `base`.
fn change_of(pr: &EmbeddedPr, base: &FileSet) -> Result<Change, DemoError> {
    let meta: PrToml = toml::from_str(pr.meta).map_err(|source| DemoError {
        name: pr.name,
        source,
    })?;
    let mut head = base.clone();
    for (path, contents) in pr.files {
        head.insert(*path, *contents);
    }
    Ok(Change {
        meta: PrMeta {
            repo: DEMO_REPO.to_owned(),
            number: meta.number,
            title: meta.title,
            author: meta.author,
            branch: meta.branch,
            body: meta.body,
            draft: meta.draft,
            base_sha: meta.base_sha,
            head_sha: meta.head_sha,
            updated_at: meta.updated_at,
        },
        base: base.clone(),
        head,
    })
}

/// A [`FileSet`] of embedded files.
fn file_set(files: Embedded) -> FileSet {
    files
        .iter()
        .map(|(path, contents)| (*path, *contents))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nine_prs_each_laid_over_the_whole_base() {
        let changes = demo_changes().unwrap();
        let numbers: Vec<u64> = changes.iter().map(|c| c.meta.number).collect();
        assert_eq!(numbers, (101..=109).collect::<Vec<_>>());
        for change in &changes {
            assert_eq!(change.base.len(), BASE.len());
            assert!(
                change.head.len() > change.base.len(),
                "#{}",
                change.meta.number
            );
            assert_ne!(
                change.head.get("prisma/schema.prisma"),
                change.base.get("prisma/schema.prisma")
            );
        }
    }

    #[test]
    fn the_escaped_title_is_kept_raw_for_the_surfaces_to_sanitize() {
        let changes = demo_changes().unwrap();
        let pr = changes.iter().find(|c| c.meta.number == 107).unwrap();
        assert!(pr.meta.title.contains('\u{1b}'));
        assert!(
            pr.meta.body.contains("\u{1b}]0;"),
            "the OSC title change is kept"
        );
        assert_eq!(pr.meta.repo, DEMO_REPO);
    }
}
