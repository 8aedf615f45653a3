//! Reading trees from a real git repository built in a temporary directory.

use std::fs;
use std::path::Path;
use std::process::Command;

use schemagate::analysis::detect::DetectOptions;
use schemagate::source::git::{
    ChangeKind, ChangedPath, EMPTY_REV, EMPTY_TREE_SHA, GitError, GitRepo,
};
use schemagate::source::local::SkipReason;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Runs git in `dir` with a fixed identity, independent of the user's configuration.
fn git(dir: &Path, args: &[&str]) -> Result<String, Box<dyn std::error::Error>> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
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
    Ok(String::from_utf8(output.stdout)?.trim().to_string())
}

/// Writes a file, creating its directories.
fn write(root: &Path, path: &str, contents: &[u8]) -> std::io::Result<()> {
    let path = root.join(path);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, contents)
}

/// A repository with a base commit on `main` and a head commit on `feature`.
struct Fixture {
    dir: tempfile::TempDir,
    base: String,
    head: String,
}

const BINARY: &[u8] = b"\xff\x00\xfeCREATE TABLE bin (id int);\n";

fn fixture() -> Result<Fixture, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"])?;
    write(
        root,
        "migrations/1_init.up.sql",
        b"CREATE TABLE a (id int);\n",
    )?;
    write(
        root,
        "migrations/2_old_name.up.sql",
        b"CREATE TABLE b (id int);\nCREATE INDEX b_id ON b (id);\n",
    )?;
    write(root, "migrations/9_gone.up.sql", b"SELECT 9;\n")?;
    write(root, "README.md", b"not a candidate\n")?;
    git(root, &["add", "-A"])?;
    git(root, &["commit", "-q", "-m", "base"])?;
    let base = git(root, &["rev-parse", "HEAD"])?;

    git(root, &["checkout", "-q", "-b", "feature"])?;
    write(
        root,
        "migrations/1_init.up.sql",
        b"CREATE TABLE a (id int, name text);\n",
    )?;
    git(
        root,
        &[
            "mv",
            "migrations/2_old_name.up.sql",
            "migrations/2_new_name.up.sql",
        ],
    )?;
    git(root, &["rm", "-q", "migrations/9_gone.up.sql"])?;
    write(root, "migrations/3_bin.up.sql", BINARY)?;
    write(root, "migrations/4_big.up.sql", &[b'x'; 4096])?;
    git(root, &["add", "-A"])?;
    git(root, &["commit", "-q", "-m", "head"])?;
    let head = git(root, &["rev-parse", "HEAD"])?;
    Ok(Fixture { dir, base, head })
}

#[test]
fn reads_the_tree_at_base_and_head() -> TestResult {
    let fixture = fixture()?;
    let repo = GitRepo::open(&fixture.dir.path().join("migrations"))?;
    let options = DetectOptions::default();

    let base = repo.read_tree(&fixture.base, &options)?;
    let base_paths: Vec<&str> = base.files.paths().collect();
    assert_eq!(
        base_paths,
        [
            "migrations/1_init.up.sql",
            "migrations/2_old_name.up.sql",
            "migrations/9_gone.up.sql"
        ]
    );
    assert_eq!(
        base.files.get("migrations/1_init.up.sql"),
        Some(&b"CREATE TABLE a (id int);\n"[..])
    );
    assert!(base.skipped.is_empty());

    let head = repo.read_tree("feature", &options)?;
    assert_eq!(
        head.files.get("migrations/3_bin.up.sql"),
        Some(BINARY),
        "non-UTF-8 bytes kept as is"
    );
    assert_eq!(
        head.files.get("migrations/4_big.up.sql").map(<[u8]>::len),
        Some(4096)
    );
    assert!(head.files.contains("migrations/2_new_name.up.sql"));
    assert!(!head.files.contains("migrations/9_gone.up.sql"));
    assert!(!head.files.contains("README.md"));
    Ok(())
}

#[test]
fn files_over_the_cap_are_reported_not_loaded() -> TestResult {
    let fixture = fixture()?;
    let repo = GitRepo::open(fixture.dir.path())?;
    let tree = repo.read_tree_capped(&fixture.head, &DetectOptions::default(), 1024)?;
    assert!(!tree.files.contains("migrations/4_big.up.sql"));
    assert!(tree.files.contains("migrations/3_bin.up.sql"));
    assert_eq!(tree.skipped.len(), 1);
    assert_eq!(tree.skipped[0].path, "migrations/4_big.up.sql");
    assert_eq!(
        tree.skipped[0].reason,
        SkipReason::TooLarge {
            size: 4096,
            limit: 1024
        }
    );
    Ok(())
}

#[test]
fn the_empty_tree_is_a_valid_base() -> TestResult {
    let fixture = fixture()?;
    let repo = GitRepo::open(fixture.dir.path())?;
    assert_eq!(repo.resolve(EMPTY_REV)?, EMPTY_TREE_SHA);
    let empty = repo.read_tree(EMPTY_REV, &DetectOptions::default())?;
    assert!(empty.files.is_empty() && empty.skipped.is_empty());
    let empty_by_sha = repo.read_tree(EMPTY_TREE_SHA, &DetectOptions::default())?;
    assert!(empty_by_sha.files.is_empty());

    let added = repo.changed_paths(EMPTY_REV, &fixture.base)?;
    assert_eq!(added.len(), 4);
    assert!(
        added.iter().all(|c| c.kind == ChangeKind::Added),
        "{added:?}"
    );
    Ok(())
}

#[test]
fn merge_base_and_default_branch() -> TestResult {
    let fixture = fixture()?;
    let root = fixture.dir.path();
    git(root, &["checkout", "-q", "main"])?;
    write(root, "other.txt", b"main moves on\n")?;
    git(root, &["add", "-A"])?;
    git(root, &["commit", "-q", "-m", "main moves on"])?;
    let repo = GitRepo::open(root)?;
    assert_eq!(repo.merge_base("main", "feature")?, fixture.base);
    assert!(matches!(
        repo.merge_base(EMPTY_REV, "main"),
        Err(GitError::NoMergeBase { .. })
    ));
    assert_eq!(repo.default_branch()?, "main");
    Ok(())
}

#[test]
fn changed_paths_detects_additions_edits_renames_deletions() -> TestResult {
    let fixture = fixture()?;
    let repo = GitRepo::open(fixture.dir.path())?;
    let mut changes = repo.changed_paths(&fixture.base, &fixture.head)?;
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    let expected = [
        ChangedPath {
            path: "migrations/1_init.up.sql".into(),
            kind: ChangeKind::Modified,
        },
        ChangedPath {
            path: "migrations/2_new_name.up.sql".into(),
            kind: ChangeKind::Renamed {
                from: "migrations/2_old_name.up.sql".into(),
            },
        },
        ChangedPath {
            path: "migrations/3_bin.up.sql".into(),
            kind: ChangeKind::Added,
        },
        ChangedPath {
            path: "migrations/4_big.up.sql".into(),
            kind: ChangeKind::Added,
        },
        ChangedPath {
            path: "migrations/9_gone.up.sql".into(),
            kind: ChangeKind::Deleted,
        },
    ];
    assert_eq!(changes, expected);
    Ok(())
}

#[test]
fn bad_revisions_and_non_repositories_are_clear_errors() -> TestResult {
    let fixture = fixture()?;
    let repo = GitRepo::open(fixture.dir.path())?;
    let unknown = repo.read_tree("no-such-branch", &DetectOptions::default());
    match unknown {
        Err(error @ GitError::UnknownRevision { .. }) => {
            assert!(error.to_string().contains("no-such-branch"), "{error}");
        }
        other => panic!("expected an unknown revision, got {other:?}"),
    }
    assert!(matches!(
        repo.resolve("--output=/tmp/pwned"),
        Err(GitError::InvalidRevision { .. })
    ));

    let not_a_repo = tempfile::tempdir()?;
    match GitRepo::open(not_a_repo.path()) {
        Err(error @ GitError::NotARepository { .. }) => {
            assert!(
                error.to_string().contains("not inside a git work tree"),
                "{error}"
            );
        }
        other => panic!("expected not-a-repository, got {other:?}"),
    }
    Ok(())
}

#[test]
fn many_blobs_come_through_one_batch_with_exact_framing() -> TestResult {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"])?;
    let mut expected = Vec::new();
    for i in 0..300 {
        // Vary sizes, include empty files, missing final newlines and embedded header-like text.
        let body = format!("-- {i}\n{}", "deadbeef blob 12\n".repeat(i % 7)).into_bytes();
        let body = if i % 50 == 0 { Vec::new() } else { body };
        let path = format!("migrations/{i:04}_m.up.sql");
        write(root, &path, &body)?;
        expected.push((path, body));
    }
    git(root, &["add", "-A"])?;
    git(root, &["commit", "-q", "-m", "many"])?;
    let tree = GitRepo::open(root)?.read_tree("HEAD", &DetectOptions::default())?;
    assert_eq!(tree.files.len(), expected.len());
    for (path, body) in &expected {
        assert_eq!(tree.files.get(path), Some(body.as_slice()), "{path}");
    }
    Ok(())
}
