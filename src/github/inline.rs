//! Inline review comments: which lines of a PR's diff can carry a comment, and which findings
//! and reviewer notes go there (the others go in the review body).
//!
//! GitHub accepts a review comment only on a line the diff shows. The lines come from the
//! `patch` of each file in `GET /repos/{o}/{r}/pulls/{n}/files`: every hunk header
//! `@@ -a,b +c,d @@` starts the new side at line `c`, and context (` `) and added (`+`) lines
//! are on the RIGHT side. A file without `patch` (binary, or too large for GitHub to diff)
//! has no commentable line.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::client::{GitHub, MAX_PAGES, is_last_page, page_path};
use super::error::GitHubError;
use crate::analysis::rules::Finding;
use crate::report::review_body::finding_comment;
use crate::report::sanitize::sanitize_text;
use crate::review::Note;

/// One comment of a review's `comments[]`, on the new side of the diff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewComment {
    /// The repository-relative file.
    pub path: String,
    /// The line in the file at the head commit.
    pub line: usize,
    /// Always `RIGHT` (the head side).
    pub side: String,
    /// The comment (markdown).
    pub body: String,
}

/// The lines of a PR's diff that can carry an inline comment, by file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiffLines {
    /// File -> its RIGHT-side lines (empty for a file GitHub shows no patch for).
    files: BTreeMap<String, BTreeSet<usize>>,
}

impl DiffLines {
    /// Adds a file with its patch (`None`: no patch, so no commentable line).
    pub fn add_file(&mut self, path: &str, patch: Option<&str>) {
        let lines = patch.map(right_side_lines).unwrap_or_default();
        self.files.insert(path.to_owned(), lines);
    }

    /// Whether `path:line` is on the new side of the diff.
    pub fn contains(&self, path: &str, line: usize) -> bool {
        self.files
            .get(path)
            .is_some_and(|lines| lines.contains(&line))
    }
}

/// The RIGHT-side line numbers a unified-diff `patch` shows (context and added lines).
pub fn right_side_lines(patch: &str) -> BTreeSet<usize> {
    let mut lines = BTreeSet::new();
    let mut next: Option<usize> = None;
    for text in patch.lines() {
        if let Some(header) = text.strip_prefix("@@") {
            next = hunk_new_start(header);
            continue;
        }
        let Some(line) = next else { continue };
        match text.chars().next() {
            Some('+') | Some(' ') | None => {
                lines.insert(line);
                next = Some(line + 1);
            }
            // `-` lines are on the LEFT side only; `\ No newline at end of file` is no line.
            _ => {}
        }
    }
    lines
}

/// The new side's first line from a hunk header's rest (` -a,b +c,d @@ ...`).
fn hunk_new_start(header: &str) -> Option<usize> {
    let plus = header
        .split_whitespace()
        .find(|part| part.starts_with('+'))?;
    let start = plus[1..].split(',').next()?;
    start.parse().ok()
}

/// One entry of `GET /repos/{o}/{r}/pulls/{n}/files`.
#[derive(Debug, Deserialize)]
struct PrFile {
    filename: String,
    #[serde(default)]
    patch: Option<String>,
}

/// The commentable lines of PR `pr` of `repo` (`owner/name`), from every page of its files.
///
/// # Errors
/// Any [`GitHubError`] of the listing.
pub async fn fetch_diff_lines(
    client: &GitHub,
    repo: &str,
    pr: u64,
) -> Result<DiffLines, GitHubError> {
    let mut diff = DiffLines::default();
    for page in 1..=MAX_PAGES {
        let path = page_path(&format!("/repos/{repo}/pulls/{pr}/files"), page);
        let files: Vec<PrFile> = client
            .get_json(&format!("the files of {repo}#{pr}"), &path)
            .await?;
        for file in &files {
            diff.add_file(&file.filename, file.patch.as_deref());
        }
        if is_last_page(files.len()) {
            break;
        }
    }
    Ok(diff)
}

/// Where each open finding and each note goes: an inline comment, or the review body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Placement<'a> {
    /// Comments on lines of the diff.
    pub comments: Vec<ReviewComment>,
    /// Findings whose line is not in the diff (or that concern a whole file).
    pub findings_in_body: Vec<&'a Finding>,
    /// Notes without file:line, or whose line is not in the diff.
    pub notes_in_body: Vec<&'a Note>,
}

/// Places `findings` (the open ones) and `notes` against `diff`; with no diff (a local
/// source), everything goes in the body.
pub fn place<'a>(
    findings: impl IntoIterator<Item = &'a Finding>,
    notes: &'a [Note],
    diff: Option<&DiffLines>,
) -> Placement<'a> {
    let on_diff = |file: &str, line: usize| diff.is_some_and(|d| d.contains(file, line));
    let mut placement = Placement::default();
    for finding in findings {
        if finding.line > 0 && on_diff(&finding.file, finding.line) {
            placement.comments.push(ReviewComment {
                path: finding.file.clone(),
                line: finding.line,
                side: "RIGHT".to_owned(),
                body: finding_comment(finding),
            });
        } else {
            placement.findings_in_body.push(finding);
        }
    }
    for note in notes {
        match (&note.file, note.line) {
            (Some(file), Some(line)) if on_diff(file, line) => {
                placement.comments.push(ReviewComment {
                    path: file.clone(),
                    line,
                    side: "RIGHT".to_owned(),
                    body: format!("**Reviewer note:** {}", sanitize_text(&note.text)),
                });
            }
            _ => placement.notes_in_body.push(note),
        }
    }
    placement
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(lines: &[usize]) -> BTreeSet<usize> {
        lines.iter().copied().collect()
    }

    #[test]
    fn an_added_file_has_every_line() {
        let patch = "@@ -0,0 +1,3 @@\n+CREATE TABLE a (id INT);\n+\n+CREATE INDEX i ON a(id);";
        assert_eq!(right_side_lines(patch), set(&[1, 2, 3]));
    }

    #[test]
    fn an_edited_file_with_two_hunks_has_context_and_added_lines() {
        let patch = "@@ -1,3 +1,4 @@ CREATE TABLE a\n line one\n-old two\n+new two\n+new three\n line four\n\
                     @@ -20,2 +21,3 @@\n ctx\n+added\n ctx2";
        assert_eq!(right_side_lines(patch), set(&[1, 2, 3, 4, 21, 22, 23]));
    }

    #[test]
    fn no_newline_markers_are_not_lines() {
        let patch =
            "@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file";
        assert_eq!(right_side_lines(patch), set(&[1]));
    }

    #[test]
    fn a_deletion_only_patch_has_no_right_side_lines() {
        let patch = "@@ -1,2 +0,0 @@\n-DROP TABLE a;\n-DROP TABLE b;";
        assert!(right_side_lines(patch).is_empty());
    }

    #[test]
    fn a_file_without_patch_takes_no_comment() {
        let mut diff = DiffLines::default();
        diff.add_file("big.sql", None);
        diff.add_file("m.sql", Some("@@ -0,0 +1 @@\n+x"));
        assert!(!diff.contains("big.sql", 1));
        assert!(diff.contains("m.sql", 1));
        assert!(!diff.contains("m.sql", 2));
    }
}
