//! Git for the benches, with a fixed identity so the user's git configuration does not matter.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, ensure};

/// Runs `git -C dir args` with the bench's identity; fails with git's status.
pub fn git(dir: &Path, args: &[&str]) -> Result<()> {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=bench",
            "-c",
            "user.email=bench@example.com",
        ])
        .args(args)
        .stdout(Stdio::null())
        .status()
        .context("running git")?;
    ensure!(status.success(), "git {args:?} failed: {status}");
    Ok(())
}
