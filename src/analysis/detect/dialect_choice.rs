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
    if let Some(stated) = cargo_features(found, files).or_else(|| drizzle_journal(found, files)) {
        return (stated, None);
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

/// For sqlx and Diesel sets: the database feature of the `sqlx` / `diesel` dependency in the
/// nearest `Cargo.toml` at or above the set's root, when it names exactly one dialect.
fn cargo_features(found: &FoundSet, files: &FileSet) -> Option<StatedDialect> {
    let crate_name = match found.framework {
        Framework::Sqlx => "sqlx",
        Framework::Diesel => "diesel",
        _ => return None,
    };
    let mut dir = found.root.as_str();
    loop {
        let path = if dir.is_empty() {
            "Cargo.toml".to_owned()
        } else {
            format!("{dir}/Cargo.toml")
        };
        if let Some(dialect) = files
            .get(&path)
            .and_then(|bytes| feature_dialect(&String::from_utf8_lossy(bytes), crate_name))
        {
            return Some((dialect, DialectSource::ProjectFile(path)));
        }
        if dir.is_empty() {
            return None;
        }
        dir = dir.rsplit_once('/').map_or("", |(parent, _)| parent);
    }
}

/// For Drizzle sets: the `dialect` recorded in `meta/_journal.json`.
fn drizzle_journal(found: &FoundSet, files: &FileSet) -> Option<StatedDialect> {
    if found.framework != Framework::Drizzle {
        return None;
    }
    let path = if found.root.is_empty() {
        "meta/_journal.json".to_owned()
    } else {
        format!("{}/meta/_journal.json", found.root)
    };
    let journal: serde_json::Value = serde_json::from_slice(files.get(&path)?).ok()?;
    let dialect = match journal.get("dialect")?.as_str()? {
        "sqlite" | "turso" => Dialect::Sqlite,
        "postgresql" | "postgres" => Dialect::Postgres,
        "mysql" | "singlestore" => Dialect::Mysql,
        _ => return None,
    };
    Some((dialect, DialectSource::ProjectFile(path)))
}

/// The one dialect named among the features of dependency `crate_name` in a Cargo manifest.
fn feature_dialect(manifest: &str, crate_name: &str) -> Option<Dialect> {
    let manifest: toml::Table = manifest.parse().ok()?;
    let dependency = manifest.get("dependencies")?.get(crate_name)?;
    let features = dependency.get("features")?.as_array()?;
    let mut dialects: Vec<Dialect> = features
        .iter()
        .filter_map(|f| match f.as_str()? {
            "sqlite" | "sqlite-bundled" | "returning_clauses_for_sqlite_3_35" => {
                Some(Dialect::Sqlite)
            }
            "postgres" | "postgresql" => Some(Dialect::Postgres),
            "mysql" => Some(Dialect::Mysql),
            _ => None,
        })
        .collect();
    dialects.dedup();
    match dialects.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
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

#[cfg(test)]
mod cargo_tests {
    use super::*;

    #[test]
    fn one_database_feature_names_the_dialect() {
        let manifest = "[dependencies]\nsqlx = { version = \"0.7\", features = [\"runtime-tokio\", \"sqlite\"] }\n";
        assert_eq!(feature_dialect(manifest, "sqlx"), Some(Dialect::Sqlite));
        assert_eq!(feature_dialect(manifest, "diesel"), None);
    }

    #[test]
    fn several_or_no_database_features_name_nothing() {
        let both =
            "[dependencies]\ndiesel = { version = \"2\", features = [\"sqlite\", \"postgres\"] }\n";
        assert_eq!(feature_dialect(both, "diesel"), None);
        assert_eq!(feature_dialect("not toml [", "diesel"), None);
        assert_eq!(
            feature_dialect("[dependencies]\ndiesel = \"2\"\n", "diesel"),
            None
        );
    }
}
