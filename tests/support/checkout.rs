//! Test helper: a git checkout built in the test, with one PR branch.

use std::process::Command;

/// A git repository with a main branch and one PR branch adding a migration.
pub fn checkout_with_one_pr(dir: &std::path::Path) {
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    let migrations = dir.join("migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    std::fs::write(
        migrations.join("001_users.sql"),
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n",
    )
    .unwrap();
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "base"]);
    git(&["checkout", "-q", "-b", "drop-email"]);
    std::fs::write(
        migrations.join("002_drop_email.sql"),
        "ALTER TABLE users DROP COLUMN email;\n",
    )
    .unwrap();
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "Drop the email column"]);
    git(&["checkout", "-q", "main"]);
}
