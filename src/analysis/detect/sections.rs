//! Up/down sections inside one file (dbmate `-- migrate:up`, goose `-- +goose Up`).

use super::Framework;

/// Which part of a sectioned file a line belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    /// Before any marker (neither direction runs it).
    Preamble,
    /// The up direction.
    Up,
    /// The down direction.
    Down,
}

/// Whether files of this framework hold both directions in one file.
pub(super) fn is_sectioned(framework: Framework) -> bool {
    matches!(framework, Framework::Dbmate | Framework::Goose)
}

/// The section a marker line opens, if the line is a marker of `framework`.
fn marker(framework: Framework, line: &str) -> Option<Section> {
    let comment = line.trim().strip_prefix("--")?.trim();
    let word = match framework {
        Framework::Dbmate => comment.strip_prefix("migrate:")?,
        Framework::Goose => comment.strip_prefix("+goose")?,
        _ => return None,
    };
    let word = word.trim();
    if word.eq_ignore_ascii_case("up") {
        Some(Section::Up)
    } else if word.eq_ignore_ascii_case("down") {
        Some(Section::Down)
    } else {
        None
    }
}

/// Whether `text` holds the up marker of `framework`.
pub(super) fn has_up_marker(framework: Framework, text: &str) -> bool {
    text.lines()
        .any(|line| marker(framework, line) == Some(Section::Up))
}

/// Each line (with its terminator) paired with its section; marker lines are reported as
/// `None` since they belong to no section's SQL.
fn classify(framework: Framework, text: &str) -> impl Iterator<Item = (Option<Section>, &str)> {
    let mut current = Section::Preamble;
    text.split_inclusive('\n')
        .map(move |line| match marker(framework, line) {
            Some(opened) => {
                current = opened;
                (None, line)
            }
            None => (Some(current), line),
        })
}

/// The line terminator of `line` (`"\r\n"`, `"\n"` or `""`).
fn terminator(line: &str) -> &str {
    if line.ends_with("\r\n") {
        "\r\n"
    } else if line.ends_with('\n') {
        "\n"
    } else {
        ""
    }
}

/// `text` with every line outside the up section blanked, keeping line numbers.
pub(super) fn up_section(framework: Framework, text: &str) -> String {
    classify(framework, text)
        .map(|(section, line)| match section {
            Some(Section::Up) => line,
            _ => terminator(line),
        })
        .collect()
}

/// Whether the down section holds anything besides blank lines and `--` comments.
pub(super) fn has_down_content(framework: Framework, text: &str) -> bool {
    classify(framework, text).any(|(section, line)| {
        let line = line.trim();
        section == Some(Section::Down) && !line.is_empty() && !line.starts_with("--")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goose_markers_are_case_insensitive_and_exact() {
        assert!(has_up_marker(Framework::Goose, "-- +goose up\nSELECT 1;"));
        assert!(!has_up_marker(Framework::Goose, "-- +goose StatementBegin"));
        assert!(!has_up_marker(Framework::Dbmate, "-- +goose Up"));
    }

    #[test]
    fn up_section_keeps_line_count_and_crlf() {
        let text = "-- migrate:up\r\nCREATE TABLE a (id int);\r\n-- migrate:down\r\nDROP TABLE a;";
        let up = up_section(Framework::Dbmate, text);
        assert_eq!(up, "\r\nCREATE TABLE a (id int);\r\n\r\n");
        assert!(has_down_content(Framework::Dbmate, text));
    }

    #[test]
    fn comment_only_down_section_is_empty() {
        let text = "-- +goose Up\nSELECT 1;\n-- +goose Down\n-- nothing to undo\n\n";
        assert!(!has_down_content(Framework::Goose, text));
    }
}
