//! End-to-end tests of `schemagate check`, the headless review for CI: the real binary runs on
//! git repositories built in temporary directories from the meal-planner fixture and the demo
//! pull requests, and its JSON, text, markdown and SARIF outputs, exit codes and error messages
//! are checked (the text, markdown and SARIF outputs of two PRs also against reviewed snapshots).

#[path = "support/files.rs"]
mod files;
#[path = "support/json_doc.rs"]
mod json_doc;

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail, ensure};
use serde_json::Value;

use files::copy_tree;
use json_doc::{array_at, str_at, strings_at};
use tempfile::TempDir;

/// The exit code when the risk reached `--fail-on`.
const EXIT_RISK: i32 = 1;

/// The exit code of usage and I/O errors.
const EXIT_ERROR: i32 = 2;

/// The hidden marker the PR comment starts with (so a bot can find and update its comment).
const MARKDOWN_MARKER: &str = "<!-- schemagate:report v1 -->";

/// GitHub refuses comments of 65,536 characters or more; the report must stay under this.
const MARKDOWN_LIMIT: usize = 65_000;

/// The risks, lowest first.
const RISKS: [&str; 4] = ["LOW", "MEDIUM", "HIGH", "CRITICAL"];

/// The meal-planner fixture (Prisma + SQLite), the base of every demo PR.
const MEAL_PLANNER: &str = "tests/fixtures/meal-planner";

/// The demo pull requests, one directory each with `pr.toml` and the PR's `files/`.
const DEMO_PRS: &str = "assets/demo/prs";

/// The branch the base is committed on.
const BASE_BRANCH: &str = "main";

/// The branch the PR's files are committed on.
const PR_BRANCH: &str = "pr";

/// The SARIF 2.1.0 JSON schema.
const SARIF_SCHEMA: &str = "tests/schemas/sarif-schema-2.1.0.json";

/// The pattern of `run.language` in the published SARIF 2.1.0 schema (JSON-encoded): its stray
/// `]` is a literal in ECMA-262 (Annex B) but the regex engines of the jsonschema crate reject
/// it, so the schema would not compile.
const SARIF_LANGUAGE_PATTERN: &str = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;

/// The same pattern with the `]` escaped: identical meaning, accepted by the crate.
const SARIF_LANGUAGE_PATTERN_ESCAPED: &str = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#;

/// A table name built to break a markdown table (`|`) or inject HTML (`<script>`).
const HOSTILE_TABLE: &str = "we|ird<script>alert(1)</script>";

// ---------------------------------------------------------------------------------------------
// Paths and files
// ---------------------------------------------------------------------------------------------

/// A path inside the crate (fixtures, demo assets).
fn crate_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Writes `text` to `relative` under `root`, creating its directories.
fn write_file(root: &Path, relative: &str, text: &str) -> Result<()> {
    let path = root.join(relative);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(&path, text).with_context(|| format!("writing {}", path.display()))
}

/// The directory of demo PR `number` (`assets/demo/prs/<number>-<slug>`).
fn demo_pr_dir(number: u32) -> Result<PathBuf> {
    let prefix = format!("{number}-");
    demo_pr_dirs()?
        .into_iter()
        .find(|dir| dir_name(dir).starts_with(&prefix))
        .with_context(|| format!("no demo PR {number} in {DEMO_PRS}"))
}

/// Every demo PR directory, sorted by name.
fn demo_pr_dirs() -> Result<Vec<PathBuf>> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(crate_path(DEMO_PRS))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    dirs.retain(|dir| dir.join("pr.toml").is_file());
    dirs.sort();
    ensure!(!dirs.is_empty(), "no demo PRs in {DEMO_PRS}");
    Ok(dirs)
}

/// The last component of `path`, as text.
fn dir_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The `expected_risk` of a demo PR's `pr.toml`.
fn expected_risk(pr_dir: &Path) -> Result<String> {
    let text = fs::read_to_string(pr_dir.join("pr.toml"))?;
    let document: toml::Table = toml::from_str(&text)?;
    document
        .get("expected_risk")
        .and_then(toml::Value::as_str)
        .map(str::to_owned)
        .with_context(|| format!("{} has no expected_risk", pr_dir.display()))
}

/// The position of `risk` in [`RISKS`].
fn risk_rank(risk: &str) -> Result<usize> {
    RISKS
        .iter()
        .position(|known| *known == risk)
        .with_context(|| format!("unknown risk {risk:?}"))
}

// ---------------------------------------------------------------------------------------------
// Git repositories in temporary directories
// ---------------------------------------------------------------------------------------------

/// Sets a git environment independent of the machine: no system or global configuration, a
/// fixed identity and fixed dates (so commits are reproducible), and no repository search above
/// `ceiling`.
fn isolate_git(command: &mut Command, ceiling: &Path) {
    command
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CEILING_DIRECTORIES", ceiling)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z");
}

/// Runs `git ARGS` in `dir` and returns its trimmed stdout.
fn git(dir: &Path, ceiling: &Path, args: &[&str]) -> Result<String> {
    let mut command = Command::new("git");
    command.current_dir(dir).args(args);
    isolate_git(&mut command, ceiling);
    let output = command.output().context("running git")?;
    ensure!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// A git repository in a temporary directory: the meal-planner fixture committed on `main`, and
/// a PR's files committed over it on branch `pr` (the checkout is left on `main`).
struct PrRepo {
    /// Holds the repository (and anything else a test puts beside it) until dropped.
    temp: TempDir,
    /// The repository's work tree.
    root: PathBuf,
}

impl PrRepo {
    /// The repository of demo PR `number`.
    fn demo(number: u32) -> Result<PrRepo> {
        let files = demo_pr_dir(number)?.join("files");
        PrRepo::build(|_| Ok(()), |root| copy_tree(&files, root))
    }

    /// A repository whose base is the fixture after `extend_base`, and whose PR branch is the
    /// base after `change`.
    fn build(
        extend_base: impl FnOnce(&Path) -> Result<()>,
        change: impl FnOnce(&Path) -> Result<()>,
    ) -> Result<PrRepo> {
        let temp = tempfile::tempdir()?;
        let root = temp.path().join("repo");
        let repo = PrRepo { temp, root };
        copy_tree(&crate_path(MEAL_PLANNER), &repo.root)?;
        extend_base(&repo.root)?;
        repo.git(&["init", "-q", "-b", BASE_BRANCH])?;
        repo.commit("base")?;
        repo.git(&["checkout", "-q", "-b", PR_BRANCH])?;
        change(&repo.root)?;
        repo.commit("the pull request")?;
        repo.git(&["checkout", "-q", BASE_BRANCH])?;
        Ok(repo)
    }

    /// Runs git in the repository.
    fn git(&self, args: &[&str]) -> Result<String> {
        git(&self.root, self.temp.path(), args)
    }

    /// Commits everything in the work tree.
    fn commit(&self, message: &str) -> Result<()> {
        self.git(&["add", "--all"])?;
        self.git(&["commit", "-q", "-m", message])?;
        Ok(())
    }

    /// A path beside the repository, inside the temporary directory.
    fn beside(&self, name: &str) -> PathBuf {
        self.temp.path().join(name)
    }

    /// `schemagate check <repo> --base main --head pr OPTIONS...`.
    fn check(&self, options: &[&str]) -> Result<Outcome> {
        let mut args = vec![
            self.root.as_os_str(),
            OsStr::new("--base"),
            OsStr::new(BASE_BRANCH),
            OsStr::new("--head"),
            OsStr::new(PR_BRANCH),
        ];
        args.extend(options.iter().map(OsStr::new));
        self.run(&args)
    }

    /// `schemagate check ARGS...` with git isolated to this repository's temporary directory.
    fn run(&self, args: &[&OsStr]) -> Result<Outcome> {
        run_check(self.temp.path(), args, true)
    }

    /// The JSON report of the PR, which must be produced (exit 0 or 1).
    fn check_json(&self, options: &[&str]) -> Result<Value> {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(options);
        self.check(&all)?.json()
    }

    /// Replaces what differs from run to run in `output` (the temporary path, the commit SHAs)
    /// with stable placeholders.
    fn normalise(&self, output: &str) -> Result<String> {
        let mut text = output.replace(&self.root.display().to_string(), "[repo]");
        for (branch, placeholder) in [(BASE_BRANCH, "[main-sha]"), (PR_BRANCH, "[pr-sha]")] {
            let full = self.git(&["rev-parse", branch])?;
            let short = self.git(&["rev-parse", "--short", branch])?;
            text = text
                .replace(&full, placeholder)
                .replace(&short, placeholder);
        }
        Ok(text)
    }
}

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
    /// Stdout as text, after checking the run produced a report (exit 0 or 1).
    fn report(&self) -> Result<String> {
        ensure!(
            matches!(self.code, Some(0 | EXIT_RISK)),
            "expected a report (exit 0 or {EXIT_RISK}), got {:?}; stderr: {}",
            self.code,
            self.stderr
        );
        String::from_utf8(self.stdout.clone()).context("stdout is not UTF-8")
    }

    /// Stdout parsed as JSON, after checking the run produced a report.
    fn json(&self) -> Result<Value> {
        let text = self.report()?;
        serde_json::from_str(&text).with_context(|| format!("stdout is not JSON: {text}"))
    }

    /// Stderr, after checking the run failed with the error exit code and printed no report.
    fn error(&self) -> Result<&str> {
        ensure!(
            self.code == Some(EXIT_ERROR),
            "expected exit {EXIT_ERROR}, got {:?}; stderr: {}",
            self.code,
            self.stderr
        );
        ensure!(
            self.stdout.is_empty(),
            "a failed run printed a report: {}",
            String::from_utf8_lossy(&self.stdout)
        );
        Ok(&self.stderr)
    }
}

/// Runs `schemagate check ARGS...` with git isolated below `ceiling`; `no_color` sets NO_COLOR.
fn run_check(ceiling: &Path, args: &[&OsStr], no_color: bool) -> Result<Outcome> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_schemagate"));
    command
        .arg("check")
        .args(args)
        .env_remove("NO_COLOR")
        // A team's checklists.toml is read from here (none unless a test writes one).
        .env("SCHEMAGATE_CONFIG_DIR", ceiling.join("config"));
    isolate_git(&mut command, ceiling);
    if no_color {
        command.env("NO_COLOR", "1");
    }
    let output = command.output().context("running schemagate")?;
    Ok(Outcome {
        code: output.status.code(),
        stdout: output.stdout,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

// ---------------------------------------------------------------------------------------------
// Reading the JSON documents
// ---------------------------------------------------------------------------------------------

/// The only migration set of a report.
fn only_set(report: &Value) -> Result<&Value> {
    match array_at(report, "sets")? {
        [set] => Ok(set),
        sets => bail!("expected one migration set, got {}", sets.len()),
    }
}

/// The checklist entry with item id `id`.
fn checklist_item<'a>(report: &'a Value, id: &str) -> Result<&'a Value> {
    array_at(report, "checklist")?
        .iter()
        .find(|item| item["id"] == id)
        .with_context(|| format!("no checklist item {id}"))
}

/// The evidence status (`checked`, `unknown`, `problem`) of checklist item `id`.
fn evidence_status<'a>(report: &'a Value, id: &str) -> Result<&'a str> {
    str_at(&checklist_item(report, id)?["evidence"], "status")
}

// ---------------------------------------------------------------------------------------------
// 1. Risk and exit code of the demo PRs
// ---------------------------------------------------------------------------------------------

/// The exit code `check` must give for a PR of `risk` with `--fail-on fail_on` (0 for a PR
/// without findings, whatever the threshold).
fn expected_exit(risk: &str, fail_on: &str, has_findings: bool) -> Result<i32> {
    let reached = has_findings && risk_rank(risk)? >= risk_rank(fail_on)?;
    Ok(if reached { EXIT_RISK } else { 0 })
}

#[test]
fn every_demo_pr_gets_its_expected_risk_and_exit_code() -> Result<()> {
    let mut mismatches = Vec::new();
    for dir in demo_pr_dirs()? {
        let number: u32 = dir_name(&dir)
            .split('-')
            .next()
            .and_then(|n| n.parse().ok())
            .with_context(|| format!("{} does not start with a number", dir.display()))?;
        let expected = expected_risk(&dir)?;
        let outcome = PrRepo::demo(number)?.check(&["--format", "json"])?;
        let report = outcome.json()?;
        let risk = str_at(&report, "risk")?;
        if risk != expected {
            mismatches.push(format!("PR {number}: risk {risk}, expected {expected}"));
        }
        let has_findings = !array_at(&report, "findings")?.is_empty();
        let exit = expected_exit(risk, "HIGH", has_findings)?;
        if outcome.code != Some(exit) {
            mismatches.push(format!(
                "PR {number} ({risk}): exit {:?} with the default --fail-on HIGH, expected {exit}",
                outcome.code
            ));
        }
    }
    ensure!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    Ok(())
}

#[test]
fn fail_on_moves_the_exit_threshold() -> Result<()> {
    let drop_column = PrRepo::demo(103)?; // HIGH
    let new_index = PrRepo::demo(102)?; // MEDIUM
    let cases = [
        (&drop_column, "HIGH", None, EXIT_RISK),
        (&drop_column, "HIGH", Some("CRITICAL"), 0),
        (&drop_column, "HIGH", Some("LOW"), EXIT_RISK),
        (&new_index, "MEDIUM", None, 0),
        (&new_index, "MEDIUM", Some("LOW"), EXIT_RISK),
        (&new_index, "MEDIUM", Some("MEDIUM"), EXIT_RISK),
        (&new_index, "MEDIUM", Some("CRITICAL"), 0),
    ];
    for (repo, risk, fail_on, exit) in cases {
        let mut options = vec!["--format", "json"];
        options.extend(fail_on.iter().flat_map(|level| ["--fail-on", *level]));
        let outcome = repo.check(&options)?;
        ensure!(str_at(&outcome.json()?, "risk")? == risk);
        ensure!(
            outcome.code == Some(exit),
            "{risk} PR with --fail-on {fail_on:?}: exit {:?}, expected {exit}",
            outcome.code
        );
    }
    Ok(())
}

#[test]
fn a_pr_without_findings_passes_even_the_lowest_threshold() -> Result<()> {
    let outcome = PrRepo::demo(101)?.check(&["--fail-on", "LOW", "--format", "json"])?;
    let report = outcome.json()?;
    ensure!(array_at(&report, "findings")?.is_empty(), "{report}");
    ensure!(outcome.code == Some(0), "exit {:?}", outcome.code);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 2. The JSON document
// ---------------------------------------------------------------------------------------------

#[test]
fn json_report_of_a_new_cascade_names_its_root_and_reached_table() -> Result<()> {
    let report = PrRepo::demo(104)?.check_json(&[])?;
    ensure!(str_at(&report, "risk")? == "CRITICAL");
    let reasons = strings_at(&report, "reasons")?;
    ensure!(
        reasons.iter().any(|r| r.starts_with("cascade-widened at ")),
        "{reasons:?}"
    );
    let findings = array_at(&report, "findings")?;
    ensure!(!findings.is_empty(), "no findings");
    for finding in findings {
        for key in ["rule", "risk", "file", "message"] {
            str_at(finding, key)?;
        }
        ensure!(
            finding["line"].is_u64(),
            "line is not a number in {finding}"
        );
    }
    let set = only_set(&report)?;
    ensure!(set["schema_diff"].is_object(), "no schema_diff in {set}");
    let cascade = array_at(set, "cascade")?;
    let from_user = cascade
        .iter()
        .find(|change| change["root"] == "User")
        .with_context(|| format!("no cascade change rooted at User: {cascade:?}"))?;
    let reached = strings_at(from_user, "newly_reached")?;
    ensure!(reached == ["PantryItem"], "newly reached: {reached:?}");
    let checklist = array_at(&report, "checklist")?;
    ensure!(!checklist.is_empty(), "empty checklist");
    for item in checklist {
        ensure!(item["required"].is_boolean(), "required missing: {item}");
        ensure!(item.get("evidence").is_some(), "evidence missing: {item}");
    }
    ensure!(evidence_status(&report, "cascade-paths-intended")? == "problem");
    Ok(())
}

#[test]
fn json_report_of_a_sqlite_pr_shows_the_scratch_run() -> Result<()> {
    let report = PrRepo::demo(101)?.check_json(&[])?;
    let execution = &only_set(&report)?["execution"];
    let files = array_at(execution, "files")?;
    let fixture_migrations = fs::read_dir(crate_path(MEAL_PLANNER).join("prisma/migrations"))?
        .filter(|entry| entry.as_ref().is_ok_and(|e| e.path().is_dir()))
        .count();
    ensure!(
        files.len() == fixture_migrations + 1,
        "{} files ran, expected the {fixture_migrations} of the base and the PR's",
        files.len()
    );
    for file in files {
        ensure!(file["outcome"]["outcome"] == "ran", "not run: {file}");
    }
    let last = files.last().context("no files")?;
    ensure!(
        last["origin"] == "pr",
        "the PR's migration is not last: {last}"
    );
    ensure!(execution["not_run"].is_null(), "{execution}");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 3. Snapshots of the text, markdown and SARIF outputs
// ---------------------------------------------------------------------------------------------

/// The SARIF document with the rule catalog reduced to its ids (the catalog's texts are checked
/// by the schema tests; the snapshot is about the results) and the tool version redacted.
fn sarif_for_snapshot(mut sarif: Value) -> Result<String> {
    let driver = &mut sarif["runs"][0]["tool"]["driver"];
    let ids: Vec<Value> = array_at(driver, "rules")?
        .iter()
        .map(|rule| rule["id"].clone())
        .collect();
    driver["rules"] = Value::Array(ids);
    driver["version"] = Value::from("[version]");
    Ok(serde_json::to_string_pretty(&sarif)?)
}

/// Snapshots the text, markdown and SARIF outputs of demo PR `number`.
fn snapshot_outputs(number: u32) -> Result<()> {
    let repo = PrRepo::demo(number)?;
    let text = repo.normalise(&repo.check(&[])?.report()?)?;
    insta::assert_snapshot!(format!("pr{number}_text"), text);
    let markdown = repo.normalise(&repo.check(&["--format", "markdown"])?.report()?)?;
    insta::assert_snapshot!(format!("pr{number}_markdown"), markdown);
    let sarif = sarif_for_snapshot(repo.check(&["--format", "sarif"])?.json()?)?;
    insta::assert_snapshot!(format!("pr{number}_sarif"), repo.normalise(&sarif)?);
    let json = repo.normalise(&repo.check(&["--format", "json"])?.report()?)?;
    insta::assert_snapshot!(format!("pr{number}_json"), json);
    Ok(())
}

#[test]
fn outputs_of_the_new_cascade_pr_match_their_snapshots() -> Result<()> {
    snapshot_outputs(104)
}

#[test]
fn outputs_of_the_dropped_column_pr_match_their_snapshots() -> Result<()> {
    snapshot_outputs(103)
}

// ---------------------------------------------------------------------------------------------
// 4. SARIF
// ---------------------------------------------------------------------------------------------

/// Checks `sarif` against the SARIF 2.1.0 schema and the references inside it.
fn assert_valid_sarif(sarif: &Value) -> Result<()> {
    let schema_text = fs::read_to_string(crate_path(SARIF_SCHEMA))?
        .replace(SARIF_LANGUAGE_PATTERN, SARIF_LANGUAGE_PATTERN_ESCAPED);
    let schema: Value = serde_json::from_str(&schema_text)?;
    let validator = jsonschema::validator_for(&schema)
        .map_err(|error| anyhow::anyhow!("the SARIF schema does not compile: {error}"))?;
    let errors: Vec<String> = validator
        .iter_errors(sarif)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    ensure!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
    ensure!(str_at(sarif, "version")? == "2.1.0");
    let run = &sarif["runs"][0];
    let rules = array_at(&run["tool"]["driver"], "rules")?;
    let rule_ids: Vec<&str> = rules
        .iter()
        .filter_map(|rule| rule["id"].as_str())
        .collect();
    for result in array_at(run, "results")? {
        let rule_id = str_at(result, "ruleId")?;
        ensure!(rule_ids.contains(&rule_id), "unknown ruleId {rule_id}");
        if let Some(index) = result["ruleIndex"].as_u64() {
            let indexed = usize::try_from(index).ok().and_then(|i| rule_ids.get(i));
            ensure!(
                indexed == Some(&rule_id),
                "ruleIndex {index} is not {rule_id}"
            );
        }
        for location in array_at(result, "locations")? {
            let line = location["physicalLocation"]["region"]["startLine"].as_u64();
            ensure!(line.is_some_and(|l| l >= 1), "bad startLine in {location}");
        }
    }
    Ok(())
}

#[test]
fn sarif_of_a_pr_with_findings_is_valid() -> Result<()> {
    let repo = PrRepo::demo(104)?;
    let sarif = repo.check(&["--format", "sarif"])?.json()?;
    assert_valid_sarif(&sarif)?;
    let results = array_at(&sarif["runs"][0], "results")?;
    ensure!(
        results.iter().any(|r| r["ruleId"] == "cascade-widened"),
        "{results:?}"
    );
    Ok(())
}

#[test]
fn sarif_of_a_clean_pr_is_valid_and_empty() -> Result<()> {
    let sarif = PrRepo::demo(101)?.check(&["--format", "sarif"])?.json()?;
    assert_valid_sarif(&sarif)?;
    ensure!(
        array_at(&sarif["runs"][0], "results")?.is_empty(),
        "{sarif}"
    );
    Ok(())
}

#[test]
fn the_sarif_check_rejects_a_broken_document() -> Result<()> {
    let mut sarif = PrRepo::demo(103)?.check(&["--format", "sarif"])?.json()?;
    sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    ensure!(
        assert_valid_sarif(&sarif).is_err(),
        "startLine 0 was accepted"
    );
    sarif["runs"][0]["tool"] = Value::from("schemagate");
    ensure!(
        assert_valid_sarif(&sarif).is_err(),
        "a tool that is a string was accepted"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 5. Markdown
// ---------------------------------------------------------------------------------------------

#[test]
fn markdown_of_a_clean_pr_is_the_marker_and_a_one_line_summary() -> Result<()> {
    let markdown = PrRepo::demo(101)?
        .check(&["--format", "markdown"])?
        .report()?;
    let lines: Vec<&str> = markdown.lines().filter(|l| !l.trim().is_empty()).collect();
    ensure!(lines.len() == 2, "expected marker + one line:\n{markdown}");
    ensure!(lines.first() == Some(&MARKDOWN_MARKER), "{markdown}");
    ensure!(
        lines.get(1).is_some_and(|line| line.contains("LOW")),
        "{markdown}"
    );
    Ok(())
}

/// A base migration creating the hostile table, for the PR to drop.
fn add_hostile_table(root: &Path) -> Result<()> {
    let sql =
        format!("CREATE TABLE \"{HOSTILE_TABLE}\" (\"id\" INTEGER PRIMARY KEY, \"v\" TEXT);\n");
    write_file(
        root,
        "prisma/migrations/20250101000000_hostile/migration.sql",
        &sql,
    )
}

/// A migration with hundreds of unbounded UPDATEs on existing tables, one on the hostile table,
/// and a DROP TABLE of it.
fn add_huge_migration(root: &Path) -> Result<()> {
    let tables = ["Recipe", "User", "Tag", "Ingredient", "PantryItem"];
    let mut sql = format!("UPDATE \"{HOSTILE_TABLE}\" SET \"v\" = 'x';\n");
    for table in tables.iter().cycle().take(400) {
        sql.push_str(&format!("UPDATE \"{table}\" SET \"id\" = \"id\";\n"));
    }
    sql.push_str(&format!("DROP TABLE \"{HOSTILE_TABLE}\";\n"));
    write_file(
        root,
        "prisma/migrations/20261201000000_huge/migration.sql",
        &sql,
    )
}

/// The lines of `markdown` that are not inside a fenced code block (where HTML is shown as text).
fn outside_code_fences(markdown: &str) -> impl Iterator<Item = &str> {
    let mut in_fence = false;
    markdown.lines().filter(move |line| {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            return false;
        }
        !in_fence
    })
}

/// The cells of a markdown table row, split on the pipes that are not escaped.
fn table_cells(row: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut escaped = false;
    for c in row.chars() {
        if c == '|' && !escaped {
            cells.push(String::new());
        } else if let Some(cell) = cells.last_mut() {
            cell.push(c);
        }
        escaped = c == '\\' && !escaped;
    }
    cells
}

#[test]
fn markdown_of_a_huge_hostile_pr_stays_under_the_limit_and_keeps_its_table() -> Result<()> {
    let repo = PrRepo::build(add_hostile_table, add_huge_migration)?;
    let outcome = repo.check(&["--format", "markdown"])?;
    ensure!(outcome.code == Some(EXIT_RISK), "exit {:?}", outcome.code);
    let markdown = outcome.report()?;
    let length = markdown.chars().count();
    ensure!(length < MARKDOWN_LIMIT, "{length} characters");
    ensure!(markdown.starts_with(MARKDOWN_MARKER), "no marker");
    ensure!(
        outside_code_fences(&markdown).all(|line| !line.contains("<script")),
        "raw HTML from a table name"
    );
    let rows: Vec<&str> = markdown.lines().filter(|l| l.starts_with('|')).collect();
    let header_cells = rows
        .first()
        .map(|r| table_cells(r).len())
        .context("no table")?;
    for row in &rows {
        ensure!(
            table_cells(row).len() == header_cells,
            "row with a different number of cells: {row}"
        );
    }
    ensure!(
        rows.iter().any(|row| row.contains("we\\|ird")),
        "the hostile table is not in the table"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 6. --sample-db
// ---------------------------------------------------------------------------------------------

/// Time zones of the users in the sample.
const SAMPLE_TIMEZONES: [&str; 3] = ["Europe/Oslo", "UTC", "Asia/Tokyo"];

/// Builds a SQLite sample at `path`: the fixture's migrations, then one user per time zone.
fn build_sample(path: &Path) -> Result<()> {
    let connection = rusqlite::Connection::open(path)?;
    let mut dirs: Vec<PathBuf> = fs::read_dir(crate_path(MEAL_PLANNER).join("prisma/migrations"))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    dirs.retain(|dir| dir.is_dir());
    dirs.sort();
    for dir in dirs {
        connection.execute_batch(&fs::read_to_string(dir.join("migration.sql"))?)?;
    }
    for (i, timezone) in SAMPLE_TIMEZONES.iter().enumerate() {
        connection.execute(
            "INSERT INTO \"User\" (id, email, \"updatedAt\", timezone) \
             VALUES (?1, ?2, CURRENT_TIMESTAMP, ?3)",
            (format!("u{i}"), format!("u{i}@example.com"), timezone),
        )?;
    }
    Ok(())
}

#[test]
fn sample_db_reports_the_dropped_values_and_is_left_unchanged() -> Result<()> {
    let repo = PrRepo::demo(103)?;
    let sample = repo.beside("sample.db");
    build_sample(&sample)?;
    let before = fs::read(&sample)?;
    let report = repo.check_json(&["--sample-db", &sample.display().to_string()])?;
    ensure!(fs::read(&sample)? == before, "the sample file was modified");
    let set = only_set(&report)?;
    ensure!(set["sample_error"].is_null(), "{}", set["sample_error"]);
    let user = array_at(&set["sample"], "tables")?
        .iter()
        .find(|table| table["table"] == "User")
        .context("no User table in the sample report")?;
    let users = SAMPLE_TIMEZONES.len() as u64;
    ensure!(
        user["rows_before"] == users && user["rows_after"] == users,
        "{user}"
    );
    let lost = array_at(user, "columns_lost")?;
    ensure!(
        lost.iter()
            .any(|c| c["column"] == "timezone" && c["non_null_values"] == users),
        "timezone values not reported lost: {user}"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 7. --pr-body and --checklists
// ---------------------------------------------------------------------------------------------

/// The checklist item whose evidence is the PR body's rollback section.
const ROLLBACK_ITEM: &str = "rollback-steps-written";

#[test]
fn a_rollback_section_in_the_pr_body_checks_the_rollback_item() -> Result<()> {
    let repo = PrRepo::demo(104)?;
    let without = repo.check_json(&[])?;
    ensure!(evidence_status(&without, ROLLBACK_ITEM)? == "unknown");
    let body = repo.beside("body.md");
    fs::write(&body, "Fixes #93.\n\n## Rollback\nRevert the PR.\n")?;
    let with = repo.check_json(&["--pr-body", &body.display().to_string()])?;
    ensure!(evidence_status(&with, ROLLBACK_ITEM)? == "checked");
    let no_section = repo.beside("no-section.md");
    fs::write(
        &no_section,
        "Fixes #93.\n\n## Changes\nThe relation cascades.\n",
    )?;
    let without_section = repo.check_json(&["--pr-body", &no_section.display().to_string()])?;
    ensure!(evidence_status(&without_section, ROLLBACK_ITEM)? != "checked");
    Ok(())
}

#[test]
fn a_checklists_file_with_a_syntax_error_is_named_with_its_line() -> Result<()> {
    let repo = PrRepo::demo(101)?;
    let checklists = repo.beside("my-checklists.toml");
    let good = fs::read_to_string(crate_path("assets/checklists.toml"))?;
    let bad_line = good.lines().count() + 2;
    fs::write(&checklists, format!("{good}\nthis is = = not toml\n"))?;
    let outcome = repo.check(&["--checklists", &checklists.display().to_string()])?;
    let stderr = outcome.error()?;
    ensure!(
        stderr.contains(&format!("my-checklists.toml:{bad_line}")),
        "stderr does not name the file and line {bad_line}: {stderr}"
    );
    Ok(())
}

#[test]
fn a_teams_checklists_file_in_the_config_directory_is_used() -> Result<()> {
    let repo = PrRepo::demo(101)?;
    let config = repo.temp.path().join("config");
    fs::create_dir_all(&config)?;
    let good = fs::read_to_string(crate_path("assets/checklists.toml"))?;
    let team = good.replacen(
        "The migration matches the schema definition",
        "Our DBA read the migration",
        1,
    );
    ensure!(team != good, "the embedded text changed; pick another item");
    fs::write(config.join("checklists.toml"), team)?;
    let report = repo.check_json(&[])?;
    let texts: Vec<&str> = array_at(&report, "checklist")?
        .iter()
        .filter_map(|item| item["text"].as_str())
        .collect();
    ensure!(
        texts.contains(&"Our DBA read the migration"),
        "the team's list is not used: {texts:?}"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 8. Errors and the default base
// ---------------------------------------------------------------------------------------------

#[test]
fn an_unknown_base_revision_is_an_error() -> Result<()> {
    let repo = PrRepo::demo(101)?;
    let stderr = repo
        .run(&[
            repo.root.as_os_str(),
            OsStr::new("--base"),
            OsStr::new("no-such-rev"),
        ])?
        .error()?
        .to_owned();
    ensure!(stderr.contains("no-such-rev"), "{stderr}");
    Ok(())
}

#[test]
fn a_folder_outside_git_is_an_error_with_a_clear_message() -> Result<()> {
    let temp = tempfile::tempdir()?;
    let folder = temp.path().join("plain");
    copy_tree(&crate_path(MEAL_PLANNER), &folder)?;
    for options in [&[][..], &["--base", BASE_BRANCH][..]] {
        let mut args = vec![folder.as_os_str()];
        args.extend(options.iter().map(OsStr::new));
        let outcome = run_check(temp.path(), &args, true)?;
        let stderr = outcome.error()?;
        ensure!(
            stderr.contains("not a git checkout") || stderr.contains("not one"),
            "unclear message for {options:?}: {stderr}"
        );
    }
    Ok(())
}

#[test]
fn without_base_the_merge_base_with_main_is_used() -> Result<()> {
    let repo = PrRepo::demo(104)?;
    let outcome = repo.run(&[
        repo.root.as_os_str(),
        OsStr::new("--head"),
        OsStr::new(PR_BRANCH),
        OsStr::new("--format"),
        OsStr::new("json"),
    ])?;
    let report = outcome.json()?;
    let main = repo.git(&["rev-parse", BASE_BRANCH])?;
    let base = str_at(&report, "base")?;
    ensure!(base.starts_with(&main), "base {base} is not main ({main})");
    ensure!(str_at(&report, "risk")? == "CRITICAL");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 9. Colour
// ---------------------------------------------------------------------------------------------

#[test]
fn piped_text_has_no_escape_sequences_even_without_no_color() -> Result<()> {
    let repo = PrRepo::demo(104)?;
    let args = [
        repo.root.as_os_str(),
        OsStr::new("--base"),
        OsStr::new(BASE_BRANCH),
        OsStr::new("--head"),
        OsStr::new(PR_BRANCH),
    ];
    let outcome = run_check(repo.temp.path(), &args, false)?;
    let text = outcome.report()?;
    ensure!(text.contains("CRITICAL"), "{text}");
    ensure!(!text.contains('\u{1b}'), "escape byte in piped output");
    Ok(())
}
