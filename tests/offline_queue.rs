//! The offline queue on a real git repository: the meal-planner fixture on `main`, the demo
//! pull requests (`assets/demo/prs/`) as local branches and fetched PR refs, a branch touching
//! no migration, two synthetic branches whose migration versions collide with or interleave
//! with the demo PRs', and a PR ref that points at a blob.

#[path = "support/console.rs"]
mod console;
#[path = "support/files.rs"]
mod files;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use anyhow::{Context, Result, bail, ensure};
use serde::Deserialize;
use serde_json::Value;

use files::copy_tree;

use schemagate::analysis::detect::DetectOptions;
use schemagate::review::SystemClock;
use schemagate::source::offline::{OfflineSource, PrOrigin, local_branch_number};
use schemagate::tui::app::App;
use schemagate::tui::context::Context as ConsoleContext;
use schemagate::tui::offline::OfflineLoad;

/// The base project.
const BASE_PROJECT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/meal-planner");

/// The demo's pull requests.
const DEMO_PRS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo/prs");

/// The date of the base commit.
const BASE_DATE: &str = "2024-04-01T09:00:00Z";

/// The version both `feat/recipe-rating` (#101) and `feat/recipe-stars` use.
const COLLIDING_VERSION: &str = "20261012141503";

/// What the test needs from a demo PR's `pr.toml`.
#[derive(Debug, Deserialize)]
struct DemoPr {
    number: u64,
    title: String,
    author: String,
    branch: String,
    updated_at: String,
    body: String,
    expected_risk: String,
}

/// How a demo PR is attached to the repository.
#[derive(Clone, Copy, Debug)]
enum Attach {
    /// As the local branch its pr.toml names.
    Branch,
    /// As `refs/pull/<n>/head` with this number.
    PullRef(u64),
    /// As `refs/remotes/origin/pr/<n>` with this number.
    RemotePr(u64),
}

/// The demo PRs used, and how each is attached.
const DEMO: [(&str, Attach); 9] = [
    ("101-recipe-rating", Attach::Branch),
    ("102-meal-entry-recipe-index", Attach::Branch),
    ("103-drop-user-timezone", Attach::PullRef(7)),
    // Its local branch stays too: a checkout of the PR, listed once as the PR.
    ("104-pantry-items-follow-user", Attach::RemotePr(12)),
    ("105-shopping-item-amount", Attach::Branch),
    ("106-default-four-servings", Attach::Branch),
    ("107-shopping-totals-unit", Attach::Branch),
    ("108-pantry-canonical-units", Attach::PullRef(108)),
    ("109-cook-log", Attach::Branch),
];

/// A PR the queue must list: its number, title, head and expected risk (demo PRs only).
#[derive(Debug)]
struct Expected {
    number: u64,
    title: String,
    author: String,
    head: String,
    origin: PrOrigin,
    risk: Option<String>,
}

/// The repository and what the queue must say about it.
struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    /// By ref name.
    expected: BTreeMap<String, Expected>,
}

/// A git command in `dir` with a fixed identity and no user or system configuration.
fn git_command(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(["-c", "commit.gpgsign=false"])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    command
}

/// Runs a git command, failing with its stderr; returns its trimmed stdout.
fn run(mut command: Command) -> Result<String> {
    let output = command.output().context("running git")?;
    if !output.status.success() {
        bail!(
            "{command:?}: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8(output.stdout)?.trim().to_owned())
}

/// `git <args>` in `dir`.
fn git(dir: &Path, args: &[&str]) -> Result<String> {
    let mut command = git_command(dir);
    command.args(args);
    run(command)
}

/// Commits everything as `author` at `date` with `message` (kept verbatim, `#` lines too).
fn commit(dir: &Path, author: &str, date: &str, message: &str) -> Result<String> {
    git(dir, &["add", "-A"])?;
    let mut command = git_command(dir);
    command
        .args(["commit", "-q", "--cleanup=whitespace", "-F", "-"])
        .env("GIT_AUTHOR_NAME", author)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn()?;
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().context("git commit stdin")?;
        stdin.write_all(message.as_bytes())?;
    }
    let output = child.wait_with_output()?;
    ensure!(
        output.status.success(),
        "git commit: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    git(dir, &["rev-parse", "HEAD"])
}

/// Writes `contents` at `path` under `root`.
fn write(root: &Path, path: &str, contents: &str) -> Result<()> {
    let path = root.join(path);
    fs::create_dir_all(path.parent().context("a parent")?)?;
    fs::write(path, contents)?;
    Ok(())
}

/// A branch `name` from main with `change` applied, committed; the checkout returns to main.
fn branch(
    root: &Path,
    name: &str,
    (author, date, message): (&str, &str, &str),
    change: impl FnOnce(&Path) -> Result<()>,
) -> Result<String> {
    git(root, &["checkout", "-q", "-b", name, "main"])?;
    change(root)?;
    let sha = commit(root, author, date, message)?;
    git(root, &["checkout", "-q", "main"])?;
    Ok(sha)
}

/// Builds the repository (see the module documentation).
fn fixture() -> Result<Fixture> {
    let dir = tempfile::tempdir()?;
    let root = dir.path().join("meal-planner");
    fs::create_dir(&root)?;
    git(&root, &["init", "-q", "-b", "main"])?;
    copy_tree(Path::new(BASE_PROJECT), &root)?;
    commit(&root, "t", BASE_DATE, "Meal planner")?;
    let mut expected = BTreeMap::new();
    for (slug, attach) in DEMO {
        let (refname, number, origin, head) = demo_branch(&root, slug, attach)?;
        let pr = demo_pr(slug)?;
        expected.insert(
            refname,
            Expected {
                number,
                title: pr.title,
                author: pr.author,
                head,
                origin,
                risk: Some(pr.expected_risk),
            },
        );
    }
    branch(
        &root,
        "docs/readme",
        ("t", BASE_DATE, "Docs only"),
        |root| write(root, "README.txt", "How to run the meal planner.\n"),
    )?;
    for SyntheticBranch { name, title, files } in synthetic_branches() {
        let head = branch(&root, name, ("t", "2026-11-01T10:00:00Z", title), |root| {
            files
                .iter()
                .try_for_each(|(path, sql)| write(root, path, sql))
        })?;
        expected.insert(
            format!("refs/heads/{name}"),
            Expected {
                number: local_branch_number(name),
                title: title.to_owned(),
                author: "t".to_owned(),
                head,
                origin: PrOrigin::LocalBranch,
                risk: None,
            },
        );
    }
    let blob = git(&root, &["hash-object", "-w", "README.txt"])?;
    git(&root, &["update-ref", "refs/pull/9/head", &blob])?;
    Ok(Fixture {
        _dir: dir,
        root,
        expected,
    })
}

/// A branch made for the test: its name, commit subject and (path, SQL) files.
struct SyntheticBranch {
    name: &'static str,
    title: &'static str,
    files: Vec<(String, &'static str)>,
}

/// A branch colliding with #101's migration version, and one whose two migrations interleave
/// with #104, #105 and #106.
fn synthetic_branches() -> [SyntheticBranch; 2] {
    let migration = |name: &str| format!("prisma/migrations/{name}/migration.sql");
    [
        SyntheticBranch {
            name: "feat/recipe-stars",
            title: "Stars on recipes",
            files: vec![(
                migration(&format!("{COLLIDING_VERSION}_add_recipe_stars")),
                "ALTER TABLE \"Recipe\" ADD COLUMN \"stars\" INTEGER;\n",
            )],
        },
        SyntheticBranch {
            name: "feat/meal-plan-notes",
            title: "Notes and colours on meal plans",
            files: vec![
                (
                    migration("20261101000000_meal_plan_note"),
                    "ALTER TABLE \"MealPlan\" ADD COLUMN \"note\" TEXT;\n",
                ),
                (
                    migration("20261115000000_meal_plan_color"),
                    "ALTER TABLE \"MealPlan\" ADD COLUMN \"color\" TEXT;\n",
                ),
            ],
        },
    ]
}

/// The pr.toml of a demo PR.
fn demo_pr(slug: &str) -> Result<DemoPr> {
    let text = fs::read_to_string(Path::new(DEMO_PRS).join(slug).join("pr.toml"))?;
    Ok(toml::from_str(&text)?)
}

/// Commits a demo PR on its branch and attaches it; returns (ref, number, origin, head).
fn demo_branch(root: &Path, slug: &str, attach: Attach) -> Result<(String, u64, PrOrigin, String)> {
    let pr = demo_pr(slug)?;
    let message = format!("{}\n\n{}", pr.title, pr.body);
    let files = Path::new(DEMO_PRS).join(slug).join("files");
    let head = branch(
        root,
        &pr.branch,
        (&pr.author, &pr.updated_at, &message),
        |root| copy_tree(&files, root),
    )?;
    let (refname, number, origin) = match attach {
        Attach::Branch => (
            format!("refs/heads/{}", pr.branch),
            local_branch_number(&pr.branch),
            PrOrigin::LocalBranch,
        ),
        Attach::PullRef(n) => (format!("refs/pull/{n}/head"), n, PrOrigin::PullRequest),
        Attach::RemotePr(n) => (
            format!("refs/remotes/origin/pr/{n}"),
            n,
            PrOrigin::PullRequest,
        ),
    };
    if !matches!(attach, Attach::Branch) {
        git(root, &["update-ref", &refname, &head])?;
    }
    if matches!(attach, Attach::PullRef(_)) {
        git(root, &["branch", "-q", "-D", &pr.branch])?;
    }
    ensure!(pr.number > 100, "demo numbers are above 100");
    Ok((refname, number, origin, head))
}

/// `schemagate queue <root> <args>`; returns stdout.
fn queue(root: &Path, args: &[&str]) -> Result<String> {
    let output = Command::new(env!("CARGO_BIN_EXE_schemagate"))
        .arg("queue")
        .arg(root)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("NO_COLOR", "1")
        .output()?;
    ensure!(
        output.status.success(),
        "queue failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8(output.stdout)?)
}

#[test]
fn the_source_lists_exactly_the_migration_prs_and_reports_the_broken_ref() -> Result<()> {
    let fixture = fixture()?;
    let source = OfflineSource::open(&fixture.root, None)?;
    assert_eq!(source.base(), "main");
    assert_eq!(source.repo_name(), "meal-planner");
    let listing = source.list_prs()?;
    let listed: Vec<&str> = listing.prs.iter().map(|p| p.refname.as_str()).collect();
    let wanted: Vec<&str> = fixture.expected.keys().map(String::as_str).collect();
    assert_eq!(listed, wanted, "docs/readme and main are left out");
    let main = git(&fixture.root, &["rev-parse", "main"])?;
    for pr in &listing.prs {
        let expected = &fixture.expected[&pr.refname];
        let meta = &pr.change.meta;
        assert_eq!(meta.number, expected.number, "{}", pr.refname);
        assert_eq!(meta.title, expected.title, "{}", pr.refname);
        assert_eq!(meta.author, expected.author, "{}", pr.refname);
        assert_eq!(meta.head_sha, expected.head, "{}", pr.refname);
        assert_eq!(meta.base_sha, main, "{}", pr.refname);
        assert_eq!(meta.repo, "meal-planner");
        assert_eq!(pr.origin, expected.origin, "{}", pr.refname);
        assert!(
            pr.change.head.paths().any(|p| p.ends_with("migration.sql")),
            "{}",
            pr.refname
        );
    }
    let rollback_pr = listing
        .prs
        .iter()
        .find(|p| p.refname == "refs/pull/7/head")
        .context("#7 is listed")?;
    assert!(rollback_pr.change.meta.body.contains("## Changes"));
    assert!(
        rollback_pr
            .change
            .meta
            .updated_at
            .starts_with("2026-10-27T16:15:40")
    );
    assert_eq!(rollback_pr.change.meta.branch, "pull/7/head");
    let [error] = listing.errors.as_slice() else {
        bail!("one broken ref: {:?}", listing.errors);
    };
    assert_eq!(error.refname, "refs/pull/9/head");
    assert_eq!(error.error.to_string(), "it points to a blob, not a commit");
    Ok(())
}

/// The JSON conflicts between the two numbers, as (kind, detail) pairs.
fn conflicts_between(json: &Value, a: u64, b: u64) -> Vec<(String, String)> {
    let empty = Vec::new();
    json["conflicts"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .filter(|c| {
            let pair = (c["a"]["number"].as_u64(), c["b"]["number"].as_u64());
            pair == (Some(a), Some(b)) || pair == (Some(b), Some(a))
        })
        .map(|c| {
            let kind = c["kind"]["kind"].as_str().unwrap_or_default().to_owned();
            let mut firsts: Vec<&str> = ["a_first", "b_first"]
                .iter()
                .filter_map(|key| c["kind"][key].as_str())
                .collect();
            firsts.sort_unstable();
            let detail = ["table", "version"]
                .iter()
                .find_map(|key| c["kind"][key].as_str())
                .map_or_else(|| firsts.join(" "), str::to_owned);
            (kind, detail)
        })
        .collect()
}

#[test]
fn the_queue_ranks_by_risk_and_flags_conflicts() -> Result<()> {
    let fixture = fixture()?;
    let json: Value = serde_json::from_str(&queue(&fixture.root, &["--format", "json"])?)?;
    assert_eq!(json["repo"], "meal-planner");
    assert_eq!(json["base"], "main");
    let prs = json["prs"].as_array().context("prs")?;
    assert_eq!(prs.len(), fixture.expected.len());
    let rank = |risk: &str| {
        ["LOW", "MEDIUM", "HIGH", "CRITICAL"]
            .iter()
            .position(|r| *r == risk)
    };
    let order: Vec<(Option<usize>, i64)> = prs
        .iter()
        .map(|p| {
            (
                rank(p["risk"].as_str().unwrap_or_default()),
                p["age_seconds"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    for pair in order.windows(2) {
        let [(risk_a, age_a), (risk_b, age_b)] = pair else {
            continue;
        };
        assert!(
            risk_a > risk_b || (risk_a == risk_b && age_a >= age_b),
            "{order:?}"
        );
    }
    for pr in prs {
        let refname = pr["ref"].as_str().context("ref")?;
        let expected = &fixture.expected[refname];
        assert_eq!(pr["number"], expected.number, "{refname}");
        assert_eq!(pr["head_sha"], expected.head.as_str(), "{refname}");
        if let Some(risk) = &expected.risk {
            assert_eq!(pr["risk"], risk.as_str(), "{refname}: {:?}", pr["reasons"]);
        }
        let migrations = if refname.ends_with("meal-plan-notes") {
            2
        } else {
            1
        };
        assert_eq!(pr["migrations_changed"], migrations, "{refname}");
        assert!(pr["age_seconds"].as_i64().is_some_and(|age| age >= 0));
        for key in [
            "title",
            "author",
            "branch",
            "base_sha",
            "updated_at",
            "origin",
        ] {
            assert!(pr[key].is_string(), "{refname}: {key}");
        }
    }
    let titled = |number: u64| prs.iter().find(|p| p["number"] == number);
    let escaped = titled(local_branch_number("fix/shopping-totals-unit")).context("#107")?;
    assert_eq!(escaped["title"], "Fix shopping list totals");
    assert_eq!(escaped["origin"], "local_branch");

    let rating = local_branch_number("feat/recipe-rating");
    let index = local_branch_number("perf/meal-plan-entry-recipe-index");
    let stars = local_branch_number("feat/recipe-stars");
    let notes = local_branch_number("feat/meal-plan-notes");
    let rename = local_branch_number("refactor/shopping-item-amount");
    let unit = local_branch_number("fix/shopping-totals-unit");
    let servings = local_branch_number("feat/default-four-servings");
    let same_table = |table: &str| ("same_table".to_owned(), table.to_owned());
    assert_eq!(
        conflicts_between(&json, rating, index),
        [same_table("Recipe")]
    );
    assert_eq!(
        conflicts_between(&json, 12, 108),
        [same_table("PantryItem")]
    );
    assert_eq!(
        conflicts_between(&json, rename, unit),
        [same_table("ShoppingListItem")]
    );
    assert_eq!(
        conflicts_between(&json, rating, stars),
        [
            same_table("Recipe"),
            ("version_collision".to_owned(), COLLIDING_VERSION.to_owned())
        ]
    );
    for (other, first) in [
        (12, "20261103091127"),
        (rename, "20261105134410"),
        (servings, "20261110082236"),
    ] {
        let firsts = format!("20261101000000 {first}");
        assert_eq!(
            conflicts_between(&json, notes, other),
            [("out_of_order".to_owned(), firsts)],
            "#{other}"
        );
    }
    assert_eq!(conflicts_between(&json, notes, unit), []);
    let pull_7 = titled(7).context("#7")?;
    assert_eq!(pull_7["conflicts_with"], serde_json::json!([]));
    let twelve = titled(12).context("#12")?;
    assert!(
        twelve["conflicts_with"]
            .as_array()
            .is_some_and(|c| c.contains(&Value::from(108)) && c.contains(&Value::from(notes)))
    );
    for conflict in json["conflicts"].as_array().context("conflicts")? {
        assert_eq!(conflict["set"], "prisma/migrations");
        assert!(
            conflict["explanation"]
                .as_str()
                .is_some_and(|e| !e.is_empty())
        );
    }

    let errors = json["errors"].as_array().context("errors")?;
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["ref"], "refs/pull/9/head");
    assert!(
        errors[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("blob"))
    );
    Ok(())
}

#[test]
fn the_text_queue_is_sanitized_and_names_local_branches_and_broken_refs() -> Result<()> {
    let fixture = fixture()?;
    let text = queue(&fixture.root, &["--base", "main"])?;
    assert!(text.starts_with("meal-planner: 11 pull request(s) touching migrations against main"));
    assert!(
        !text.contains([
            '\u{1b}', '\u{7}', '\u{200D}', '\u{200B}', '\u{2066}', '\u{FEFF}'
        ]),
        "{text:?}"
    );
    assert!(text.contains(
        "Fix shopping list totals  (quiet-otter-42, local branch fix/shopping-totals-unit)"
    ));
    assert!(text.contains("Remove unused User.timezone  (tlindqvist, pull/7/head)"));
    assert!(text.contains("\nConflicts:\n"));
    assert!(text.contains(
        "Refs that could not be read:\n  refs/pull/9/head: it points to a blob, not a commit\n"
    ));
    let first = text.lines().nth(3).context("a first PR")?;
    assert!(first.starts_with("CRITICAL  #12 "), "{text}");
    Ok(())
}

#[test]
fn a_folder_outside_git_is_a_usage_error_naming_it() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let output = Command::new(env!("CARGO_BIN_EXE_schemagate"))
        .arg("queue")
        .arg(dir.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env(
            "GIT_CEILING_DIRECTORIES",
            dir.path().parent().context("a parent")?,
        )
        .output()?;
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr)?;
    assert!(stderr.contains("as a git checkout"), "{stderr}");
    assert!(stderr.contains("not inside a git work tree"), "{stderr}");
    Ok(())
}

/// The (title, age) of each row of the console's queue drawn as `screen`, top to bottom.
fn console_rows(screen: &str) -> Result<Vec<(String, String)>> {
    let lines: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let header = lines
        .iter()
        .position(|l| l.iter().collect::<String>().contains("Risk     #"))
        .context("the queue's header")?;
    let column = |name: &str| {
        let text: String = lines[header].iter().collect();
        text.find(name)
            .map(|bytes| text[..bytes].chars().count())
            .context("a column")
    };
    let (title, author, age) = (column("Title")?, column("Author")?, column("Age")?);
    let cell = |line: &[char], from: usize, to: usize| -> String {
        line.get(from..to.min(line.len()))
            .unwrap_or_default()
            .iter()
            .collect::<String>()
            .trim()
            .to_owned()
    };
    Ok(lines[header + 1..]
        .iter()
        .take_while(|line| !cell(line, 1, title).is_empty())
        .map(|line| (cell(line, title, author), cell(line, age, age + 4)))
        .collect())
}

#[test]
fn the_console_shows_the_queue_in_the_order_and_with_the_ages_queue_prints() -> Result<()> {
    let fixture = fixture()?;
    let json: Value = serde_json::from_str(&queue(&fixture.root, &["--format", "json"])?)?;
    let text = queue(&fixture.root, &[])?;
    let data = tempfile::tempdir()?;
    let context = ConsoleContext {
        clock: Arc::new(SystemClock),
        ..console::demo_context(data.path())
    };
    let load = OfflineLoad {
        source: OfflineSource::open(&fixture.root, None)?,
        checklists: context.checklists.clone(),
        options: DetectOptions::default(),
    };
    let mut app = App::loading(context, Arc::new(load));
    app.settle();
    let shown = console_rows(&console::render(&app, 160, 48))?;

    let prs = json["prs"].as_array().context("prs")?;
    let titles: Vec<&str> = prs.iter().filter_map(|p| p["title"].as_str()).collect();
    let shown_titles: Vec<&str> = shown.iter().map(|(title, _)| title.as_str()).collect();
    assert_eq!(shown_titles, titles, "the same order");
    // The text queue's rows: RISK #NUMBER AGE MIGRATIONS TITLE (AUTHOR, BRANCH).
    let printed_ages: Vec<&str> = text
        .lines()
        .skip_while(|line| !line.starts_with("RISK "))
        .skip(1)
        .take_while(|line| !line.is_empty())
        .filter(|line| !line.starts_with(' '))
        .filter_map(|line| line.split_whitespace().nth(2))
        .collect();
    let shown_ages: Vec<&str> = shown.iter().map(|(_, age)| age.as_str()).collect();
    assert_eq!(shown_ages, printed_ages, "the same ages");
    assert_eq!(shown.len(), fixture.expected.len());
    Ok(())
}
