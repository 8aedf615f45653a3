//! The labelled rule corpus: for every rule of the catalog, `tests/corpus/<rule-id>/` holds a
//! change that must trigger it (`bad/`) and a safe variant that must not (`safe/`), both on top
//! of the same base (`base/`, plus an optional shared base from `tests/corpus/_base/<name>/`).
//!
//! Each case becomes a real git repository in a temporary directory: a base commit, and one
//! commit per variant on its own branch. Both revisions are read through the git source, analysed
//! with `analyze_change` and evaluated. The bad variant must report the rule (open, not
//! suppressed) and nothing outside the case's `bad_also` list; the safe variant must not report
//! the rule and nothing outside `safe_also`.
//!
//! A rule may have more cases than its own directory: `tests/corpus/<rule-id>@<what>/` is one
//! more case of the same rule (e.g. `table-rewrite@stored-generated-column`), checked the same
//! way.
//!
//! `case.toml` (all keys optional):
//! ```toml
//! base = "sqlite"                 # shared base under tests/corpus/_base/
//! bad_delete = ["path"]           # files the bad variant deletes (after base)
//! safe_delete = []                # files the safe variant deletes
//! bad_also = ["rule-id"]          # other open findings the bad variant may report
//! safe_also = []                  # open findings the safe variant may report
//! ```

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use schemagate::analysis::detect::DetectOptions;
use schemagate::analysis::pipeline::analyze_change;
use schemagate::analysis::rules::{Finding, catalog, evaluate, pr_risk};
use schemagate::source::git::GitRepo;
use serde::Deserialize;

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// The corpus directory.
fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// The optional `case.toml` of a case.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct CaseConfig {
    base: Option<String>,
    bad_delete: Vec<String>,
    safe_delete: Vec<String>,
    bad_also: Vec<String>,
    safe_also: Vec<String>,
}

/// A variant of a case: the files it writes over the base and the files it deletes.
struct Variant<'a> {
    name: &'a str,
    dir: PathBuf,
    delete: &'a [String],
}

/// Runs git in `dir` with a fixed identity, independent of the user's configuration.
fn git(dir: &Path, args: &[&str]) -> TestResult<String> {
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
        .output()?;
    if !output.status.success() {
        return Err(format!("git {args:?}: {}", String::from_utf8_lossy(&output.stderr)).into());
    }
    Ok(String::from_utf8(output.stdout)?.trim().to_owned())
}

/// Copies every file under `from` into `to`, keeping relative paths.
fn copy_tree(from: &Path, to: &Path) -> TestResult {
    if !from.is_dir() {
        return Ok(());
    }
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            fs::create_dir_all(&target)?;
            copy_tree(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// A case as a git repository: `main` holds the base, each variant is a branch.
struct CaseRepo {
    dir: tempfile::TempDir,
}

impl CaseRepo {
    fn new(case_dir: &Path, config: &CaseConfig) -> TestResult<CaseRepo> {
        let dir = tempfile::tempdir()?;
        let root = dir.path();
        git(root, &["init", "-q", "-b", "main"])?;
        if let Some(shared) = &config.base {
            copy_tree(&corpus_dir().join("_base").join(shared), root)?;
        }
        copy_tree(&case_dir.join("base"), root)?;
        git(root, &["add", "-A"])?;
        git(root, &["commit", "-q", "--allow-empty", "-m", "base"])?;
        Ok(CaseRepo { dir })
    }

    /// Commits `variant` on a branch of its own; returns the branch name.
    fn commit(&self, variant: &Variant<'_>) -> TestResult<String> {
        let root = self.dir.path();
        git(root, &["checkout", "-q", "-b", variant.name, "main"])?;
        for path in variant.delete {
            fs::remove_file(root.join(path))?;
        }
        copy_tree(&variant.dir, root)?;
        git(root, &["add", "-A"])?;
        git(root, &["commit", "-q", "--allow-empty", "-m", variant.name])?;
        Ok(variant.name.to_owned())
    }

    /// Every finding of the change from `main` to `rev`, over every migration set.
    fn findings(&self, rev: &str) -> TestResult<Vec<Finding>> {
        let repo = GitRepo::open(self.dir.path())?;
        let options = DetectOptions::default();
        let base = repo.read_tree("main", &options)?;
        let head = repo.read_tree(rev, &options)?;
        let change = analyze_change(&base.files, &head.files, &options);
        Ok(change.sets.iter().flat_map(evaluate).collect())
    }
}

/// Reads `case.toml` (absent: defaults).
fn case_config(case_dir: &Path) -> TestResult<CaseConfig> {
    let path = case_dir.join("case.toml");
    if !path.exists() {
        return Ok(CaseConfig::default());
    }
    Ok(toml::from_str(&fs::read_to_string(path)?)?)
}

/// `rule file:line message` lines, for failure messages.
fn describe(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            let state = if f.suppressed.is_some() {
                " (suppressed)"
            } else {
                ""
            };
            format!("  {} {}:{}{state} {}", f.rule, f.file, f.line, f.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Rules of open findings outside `allowed`.
fn unexpected<'a>(findings: &'a [Finding], allowed: &[&str]) -> BTreeSet<&'a str> {
    findings
        .iter()
        .filter(|f| f.is_open() && !allowed.contains(&f.rule))
        .map(|f| f.rule)
        .collect()
}

/// The rule a corpus directory is a case of: its name up to an `@`.
fn case_rule(dir_name: &str) -> &str {
    dir_name.split_once('@').map_or(dir_name, |(rule, _)| rule)
}

/// The extra cases `<rule-id>@<what>` of the corpus, by directory name.
fn extra_cases() -> TestResult<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(corpus_dir())? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.contains('@') {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Checks one case (the directory `case`, a case of rule `rule_id`); returns what is wrong with
/// it, if anything.
fn check_case(case: &str) -> TestResult<Vec<String>> {
    let rule_id = case_rule(case);
    let case_dir = corpus_dir().join(case);
    let config = case_config(&case_dir)?;
    let repo = CaseRepo::new(&case_dir, &config)?;
    let mut problems = Vec::new();

    let bad = repo.commit(&Variant {
        name: "bad",
        dir: case_dir.join("bad"),
        delete: &config.bad_delete,
    })?;
    let findings = repo.findings(&bad)?;
    if !findings.iter().any(|f| f.rule == rule_id && f.is_open()) {
        problems.push(format!(
            "{rule_id}: bad/ does not trigger it; findings:\n{}",
            describe(&findings)
        ));
    }
    let mut allowed: Vec<&str> = config.bad_also.iter().map(String::as_str).collect();
    allowed.push(rule_id);
    let extra = unexpected(&findings, &allowed);
    if !extra.is_empty() {
        problems.push(format!(
            "{rule_id}: bad/ also reports {extra:?}:\n{}",
            describe(&findings)
        ));
    }

    let safe = repo.commit(&Variant {
        name: "safe",
        dir: case_dir.join("safe"),
        delete: &config.safe_delete,
    })?;
    let findings = repo.findings(&safe)?;
    let allowed: Vec<&str> = config.safe_also.iter().map(String::as_str).collect();
    if allowed.contains(&rule_id) {
        problems.push(format!(
            "{rule_id}: safe_also must not list the rule itself"
        ));
    }
    let extra = unexpected(&findings, &allowed);
    if !extra.is_empty() {
        problems.push(format!(
            "{rule_id}: safe/ reports {extra:?}:\n{}",
            describe(&findings)
        ));
    }
    Ok(problems)
}

#[test]
fn every_rule_has_a_case_that_triggers_it_and_a_safe_variant() -> TestResult {
    let mut problems = Vec::new();
    for rule in catalog() {
        let case_dir = corpus_dir().join(rule.id);
        // A variant that only deletes files has no directory (git keeps no empty folders).
        let case_toml = fs::read_to_string(case_dir.join("case.toml")).unwrap_or_default();
        let has_variant = |name: &str| {
            case_dir.join(name).is_dir() || case_toml.contains(&format!("{name}_delete"))
        };
        if !has_variant("bad") || !has_variant("safe") {
            problems.push(format!("{}: no corpus case (bad/ and safe/)", rule.id));
            continue;
        }
        problems.extend(check_case(rule.id)?);
    }
    for case in extra_cases()? {
        problems.extend(
            check_case(&case)?
                .into_iter()
                .map(|p| format!("[{case}] {p}")),
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    Ok(())
}

#[test]
fn every_corpus_case_is_a_catalog_rule() -> TestResult {
    for entry in fs::read_dir(corpus_dir())? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('_') || !entry.file_type()?.is_dir() {
            continue;
        }
        assert!(
            catalog().iter().any(|r| r.id == case_rule(&name)),
            "tests/corpus/{name} names no rule"
        );
    }
    Ok(())
}

#[test]
fn accepted_findings_do_not_count_towards_the_risk() -> TestResult {
    let case_dir = corpus_dir().join("invalid-suppression");
    let config = case_config(&case_dir)?;
    let repo = CaseRepo::new(&case_dir, &config)?;
    let safe = repo.commit(&Variant {
        name: "safe",
        dir: case_dir.join("safe"),
        delete: &config.safe_delete,
    })?;
    let findings = repo.findings(&safe)?;
    let accepted: Vec<&Finding> = findings.iter().filter(|f| f.suppressed.is_some()).collect();
    assert_eq!(accepted.len(), 1, "{}", describe(&findings));
    assert_eq!(accepted[0].rule, "drop-column");
    assert_eq!(pr_risk(&findings), None, "{}", describe(&findings));
    Ok(())
}

/// One statement of the random migrations below, from a small vocabulary that exercises every
/// rule family (including garbage, transactions and suppression comments).
fn soup_statement(kind: usize, a: usize, b: usize, flag: bool) -> String {
    let (t, u) = (format!("\"T{a}\""), format!("\"T{b}\""));
    let action = if flag { "CASCADE" } else { "SET NULL" };
    match kind {
        0 => format!(
            "CREATE TABLE {t} (\"id\" INTEGER PRIMARY KEY, \"a\" TEXT, \"p\" INTEGER NOT NULL REFERENCES {u} (\"id\") ON DELETE {action});"
        ),
        1 => format!("DROP TABLE {t};"),
        2 => format!(
            "ALTER TABLE {t} ADD COLUMN \"c{b}\" TEXT{};",
            if flag { " NOT NULL" } else { "" }
        ),
        3 => format!("ALTER TABLE {t} RENAME TO {u};"),
        4 => format!("ALTER TABLE {t} RENAME COLUMN \"a\" TO \"b{b}\";"),
        5 => format!("ALTER TABLE {t} DROP COLUMN \"a\";"),
        6 => format!(
            "DELETE FROM {t}{};",
            if flag { " WHERE \"id\" = 1" } else { "" }
        ),
        7 => format!(
            "UPDATE {t} SET \"a\" = 'x'{};",
            if flag { " WHERE \"id\" = 1" } else { "" }
        ),
        8 => format!(
            "CREATE {}INDEX {}\"i{a}{b}\" ON {t} (\"a\");",
            if flag { "UNIQUE " } else { "" },
            if b.is_multiple_of(2) {
                "CONCURRENTLY "
            } else {
                ""
            }
        ),
        9 => if flag { "BEGIN;" } else { "COMMIT;" }.to_owned(),
        10 => format!(
            "-- schemagate: accept {} {}\n",
            catalog().get(a * 5 + b).map_or("no-such-rule", |r| r.id),
            if flag { "reviewed" } else { "" }
        ),
        11 => format!("FROBNICATE {t};"),
        12 => "PRAGMA foreign_keys=OFF;".to_owned(),
        13 => format!("ALTER TABLE {t} ALTER COLUMN \"a\" TYPE VARCHAR({b});"),
        14 => "SET lock_timeout = '1s';".to_owned(),
        _ => format!(
            "ALTER TABLE {t} ADD CONSTRAINT \"f{a}\" FOREIGN KEY (\"a\") REFERENCES {u} (\"id\"){};",
            if flag { " NOT VALID" } else { "" }
        ),
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 48, ..proptest::prelude::ProptestConfig::default() })]

    /// Whatever the migrations say, evaluation does not panic, findings come sorted by file and
    /// line, every finding names a catalog rule with its risk (or is an accepted one with a
    /// reason), and a PR's risk ignores accepted findings.
    #[test]
    fn random_migrations_evaluate_cleanly(
        statements in proptest::collection::vec((0usize..16, 0usize..4, 0usize..4, proptest::bool::ANY), 0..24),
        split in 0usize..24,
        postgres in proptest::bool::ANY,
    ) {
        let provider = if postgres { "postgresql" } else { "sqlite" };
        let lock = ("prisma/migrations/migration_lock.toml", format!("provider = \"{provider}\"\n"));
        let split = split.min(statements.len());
        let sql = |range: &[(usize, usize, usize, bool)]| {
            range.iter().map(|&(k, a, b, f)| soup_statement(k, a, b, f)).collect::<Vec<_>>().join("\n")
        };
        let base_file = ("prisma/migrations/20240101000000_base/migration.sql", sql(&statements[..split]));
        let pr_file = ("prisma/migrations/20240201000000_pr/migration.sql", sql(&statements[split..]));
        let base: schemagate::analysis::fileset::FileSet =
            [lock.clone(), (base_file.0, base_file.1.clone())].into_iter().collect();
        let head: schemagate::analysis::fileset::FileSet =
            [lock, base_file, pr_file].into_iter().collect();
        let change = analyze_change(&base, &head, &DetectOptions::default());
        for set in &change.sets {
            let findings = evaluate(set);
            for pair in findings.windows(2) {
                proptest::prop_assert!((&pair[0].file, pair[0].line) <= (&pair[1].file, pair[1].line));
            }
            for finding in &findings {
                let rule = catalog().iter().find(|r| r.id == finding.rule);
                proptest::prop_assert_eq!(rule.map(|r| r.risk), Some(finding.risk));
                if let Some(accepted) = &finding.suppressed {
                    proptest::prop_assert!(!accepted.reason.is_empty());
                }
            }
            let open = findings.iter().filter(|f| f.is_open()).map(|f| f.risk).max();
            proptest::prop_assert_eq!(pr_risk(&findings), open);
        }
    }
}
