//! Unified text diffs of migration files, with line numbers on both sides.

use std::time::Duration;

use similar::{Algorithm, ChangeTag, TextDiff};

use super::{DiffLine, FileDiff, FileStatus};

/// Lines of context around each hunk, as in `diff -u`.
const CONTEXT_LINES: usize = 3;

/// How long the diff algorithm may search for a minimal diff before it settles for a coarser
/// (still correct) one, so that a huge rewritten file cannot stall the analysis.
const DIFF_TIMEOUT: Duration = Duration::from_millis(500);

/// The diff of one file between its base and head contents (`None` where absent); `None` when
/// the file is absent on both sides or unchanged.
pub(super) fn file_diff(path: &str, base: Option<&[u8]>, head: Option<&[u8]>) -> Option<FileDiff> {
    let status = match (base, head) {
        (None, None) => return None,
        (Some(before), Some(after)) if before == after => return None,
        (None, Some(_)) => FileStatus::Added,
        (Some(_), None) => FileStatus::Removed,
        (Some(_), Some(_)) => FileStatus::Modified,
    };
    let old = String::from_utf8_lossy(base.unwrap_or_default());
    let new = String::from_utf8_lossy(head.unwrap_or_default());
    Some(FileDiff {
        path: path.to_string(),
        status,
        lines: unified_lines(&old, &new),
    })
}

/// The lines of the unified diff of `old` -> `new`, hunks in order, each with its context.
fn unified_lines(old: &str, new: &str) -> Vec<DiffLine> {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .timeout(DIFF_TIMEOUT)
        .diff_lines(old, new);
    diff.grouped_ops(CONTEXT_LINES)
        .iter()
        .flatten()
        .flat_map(|op| diff.iter_changes(op))
        .map(|change| DiffLine {
            tag: tag_char(change.tag()),
            old_line: change.old_index().map(|i| i + 1),
            new_line: change.new_index().map(|i| i + 1),
            text: without_newline(change.value()).to_string(),
        })
        .collect()
}

fn tag_char(tag: ChangeTag) -> char {
    match tag {
        ChangeTag::Equal => ' ',
        ChangeTag::Delete => '-',
        ChangeTag::Insert => '+',
    }
}

fn without_newline(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(diff: &FileDiff) -> Vec<(char, Option<usize>, Option<usize>, &str)> {
        diff.lines
            .iter()
            .map(|l| (l.tag, l.old_line, l.new_line, l.text.as_str()))
            .collect()
    }

    fn numbered(range: std::ops::RangeInclusive<usize>) -> String {
        range.map(|i| format!("line {i}\n")).collect()
    }

    #[test]
    fn absent_or_unchanged_files_have_no_diff() {
        assert_eq!(file_diff("a", None, None), None);
        assert_eq!(file_diff("a", Some(b"x\n"), Some(b"x\n")), None);
    }

    #[test]
    fn added_file_is_all_plus_with_new_line_numbers() {
        let diff = file_diff("m.sql", None, Some(b"a\r\nb")).expect("diff");
        assert_eq!(diff.status, FileStatus::Added);
        assert_eq!(
            lines(&diff),
            [('+', None, Some(1), "a"), ('+', None, Some(2), "b")]
        );
    }

    #[test]
    fn removed_file_is_all_minus_with_old_line_numbers() {
        let diff = file_diff("m.sql", Some(b"a\nb\n"), None).expect("diff");
        assert_eq!(diff.status, FileStatus::Removed);
        assert_eq!(
            lines(&diff),
            [('-', Some(1), None, "a"), ('-', Some(2), None, "b")]
        );
    }

    #[test]
    fn modified_file_has_hunks_with_three_lines_of_context() {
        let old = numbered(1..=20);
        let new = old
            .replace("line 5\n", "line five\n")
            .replace("line 17\n", "")
            .replace("line 20\n", "line 20\nline 21\n");
        let diff = file_diff("m.sql", Some(old.as_bytes()), Some(new.as_bytes())).expect("diff");
        assert_eq!(diff.status, FileStatus::Modified);
        assert_eq!(
            lines(&diff),
            [
                (' ', Some(2), Some(2), "line 2"),
                (' ', Some(3), Some(3), "line 3"),
                (' ', Some(4), Some(4), "line 4"),
                ('-', Some(5), None, "line 5"),
                ('+', None, Some(5), "line five"),
                (' ', Some(6), Some(6), "line 6"),
                (' ', Some(7), Some(7), "line 7"),
                (' ', Some(8), Some(8), "line 8"),
                (' ', Some(14), Some(14), "line 14"),
                (' ', Some(15), Some(15), "line 15"),
                (' ', Some(16), Some(16), "line 16"),
                ('-', Some(17), None, "line 17"),
                (' ', Some(18), Some(17), "line 18"),
                (' ', Some(19), Some(18), "line 19"),
                (' ', Some(20), Some(19), "line 20"),
                ('+', None, Some(20), "line 21"),
            ]
        );
    }

    #[test]
    fn invalid_utf8_is_decoded_lossily() {
        let diff = file_diff("m.sql", Some(b"ok\n"), Some(b"ok\nbad \xff\n")).expect("diff");
        assert_eq!(
            lines(&diff).last(),
            Some(&('+', None, Some(2), "bad \u{fffd}"))
        );
    }

    #[test]
    fn large_interleaved_rewrite_finishes_with_a_consistent_diff() {
        let old: String = (0..20_000).map(|i| format!("line {i}\n")).collect();
        let new: String = (0..20_000)
            .map(|i| match i % 2 {
                0 => format!("changed {i}\n"),
                _ => format!("line {i}\n"),
            })
            .collect();
        let diff = file_diff("big.sql", Some(old.as_bytes()), Some(new.as_bytes())).expect("diff");
        let count = |tag| diff.lines.iter().filter(|l| l.tag == tag).count();
        assert_eq!(count('-'), count('+'));
        assert!(count('-') >= 10_000);
        let old_lines: Vec<usize> = diff.lines.iter().filter_map(|l| l.old_line).collect();
        assert!(old_lines.windows(2).all(|w| w[0] < w[1]));
    }
}
