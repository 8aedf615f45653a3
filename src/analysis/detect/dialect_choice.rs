//! Deciding the dialect of a set: what the user said, what the tree says, what the framework
//! implies, and as a last resort what the SQL looks like.

use super::{DetectOptions, DialectSource, FoundSet, Framework, StatedDialect};
use crate::analysis::diagnostic::{Diagnostic, DiagnosticKind};
use crate::analysis::dialect::Dialect;
use crate::analysis::fileset::FileSet;

/// The dialect assumed when nothing else tells.
const DEFAULT_DIALECT: Dialect = Dialect::Postgres;

/// Picks the dialect of `found`, in precedence order: command line, the tree's own statement
/// (`migration_lock.toml` / datasource), configuration, framework, sniffed SQL, default. A guess comes
/// with a Layout diagnostic.
pub(super) fn choose(
    found: &FoundSet,
    files: &FileSet,
    options: &DetectOptions,
) -> (StatedDialect, Option<Diagnostic>) {
    if let Some(dialect) = options.dialect {
        return ((dialect, DialectSource::CommandLine), None);
    }
    if let Some(stated) = &found.stated_dialect {
        return (stated.clone(), None);
    }
    if let Some(dialect) = options.config_dialect {
        return ((dialect, DialectSource::Config), None);
    }
    if found.framework == Framework::Supabase {
        return ((Dialect::Postgres, DialectSource::Framework), None);
    }
    let guess = match sniff(found, files) {
        Some(evidence) => (evidence.dialect, guessed_diagnostic(&evidence)),
        None => (DEFAULT_DIALECT, default_diagnostic(&found.root)),
    };
    ((guess.0, DialectSource::Assumed), Some(guess.1))
}

/// Where a dialect marker was seen.
#[derive(Debug, PartialEq, Eq)]
struct Evidence {
    dialect: Dialect,
    marker: &'static str,
    path: String,
    line: usize,
}

/// The dialect most markers in the up files point to (ties go to the marker seen first).
fn sniff(found: &FoundSet, files: &FileSet) -> Option<Evidence> {
    let mut tally: Vec<(usize, Evidence)> = Vec::new();
    for migration in &found.migrations {
        let Some(bytes) = files.get(&migration.path) else {
            continue;
        };
        let text = String::from_utf8_lossy(bytes);
        for (index, line) in text.lines().enumerate() {
            for (dialect, marker) in line_markers(line) {
                match tally.iter_mut().find(|(_, e)| e.dialect == dialect) {
                    Some((count, _)) => *count += 1,
                    None => tally.push((
                        1,
                        Evidence {
                            dialect,
                            marker,
                            path: migration.path.clone(),
                            line: index + 1,
                        },
                    )),
                }
            }
        }
    }
    // `max_by_key` keeps the last maximum; reversing makes the earliest evidence win ties.
    tally
        .into_iter()
        .rev()
        .max_by_key(|(count, _)| *count)
        .map(|(_, evidence)| evidence)
}

/// Dialect markers on one line of SQL (comment lines are skipped).
fn line_markers(line: &str) -> Vec<(Dialect, &'static str)> {
    let line = line.trim();
    if line.starts_with("--") {
        return Vec::new();
    }
    let mut markers: Vec<(Dialect, &'static str)> = line
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter_map(word_marker)
        .collect();
    let squeezed: String = line
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let substrings: [(&str, Dialect, &'static str); 4] = [
        ("$$", Dialect::Postgres, "$$"),
        ("::", Dialect::Postgres, "::"),
        ("`", Dialect::Mysql, "backticks"),
        ("ENGINE=", Dialect::Mysql, "ENGINE="),
    ];
    markers.extend(
        substrings
            .iter()
            .filter(|(needle, _, _)| squeezed.contains(needle))
            .map(|(_, dialect, marker)| (*dialect, *marker)),
    );
    markers
}

/// The dialect a keyword marks, if any.
fn word_marker(word: &str) -> Option<(Dialect, &'static str)> {
    let upper = word.to_ascii_uppercase();
    match upper.as_str() {
        "AUTOINCREMENT" => Some((Dialect::Sqlite, "AUTOINCREMENT")),
        "PRAGMA" => Some((Dialect::Sqlite, "PRAGMA")),
        "SERIAL" | "BIGSERIAL" | "SMALLSERIAL" => Some((Dialect::Postgres, "SERIAL")),
        "AUTO_INCREMENT" => Some((Dialect::Mysql, "AUTO_INCREMENT")),
        _ => None,
    }
}

/// The diagnostic recording a sniffed dialect.
fn guessed_diagnostic(evidence: &Evidence) -> Diagnostic {
    let message = format!(
        "dialect guessed as {} from `{}` in {}:{}; pass --dialect to be sure",
        evidence.dialect, evidence.marker, evidence.path, evidence.line
    );
    Diagnostic::new(
        &evidence.path,
        evidence.line,
        DiagnosticKind::Layout,
        message,
    )
}

/// The diagnostic recording the default dialect.
fn default_diagnostic(root: &str) -> Diagnostic {
    let message = format!(
        "nothing tells the dialect of these migrations; assuming {DEFAULT_DIALECT}; pass --dialect"
    );
    Diagnostic::new(root, 0, DiagnosticKind::Layout, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_whole_words_or_operators() {
        assert_eq!(line_markers("id SERIALIZABLE"), Vec::new());
        assert_eq!(
            line_markers("id bigserial, x::text"),
            vec![(Dialect::Postgres, "SERIAL"), (Dialect::Postgres, "::")]
        );
        assert_eq!(
            line_markers(") engine = InnoDB"),
            vec![(Dialect::Mysql, "ENGINE=")]
        );
        assert_eq!(line_markers("-- PRAGMA in a comment"), Vec::new());
    }
}
