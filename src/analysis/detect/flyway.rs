//! Flyway file names (`V<ver>__<desc>.sql`, `U<ver>__<desc>.sql`, `R__<desc>.sql`) and
//! Flyway's version order.

use std::cmp::Ordering;

use super::paths::{numeric_cmp, sql_stem};

/// What a Flyway file name declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum FlywayFile<'a> {
    /// `V<ver>__<desc>.sql`: a versioned migration.
    Versioned {
        version: String,
        description: &'a str,
    },
    /// `U<ver>__<desc>.sql`: the undo of the versioned migration with the same version.
    Undo { version: String },
    /// `R__<desc>.sql`: re-applied after all versioned migrations, ordered by description.
    Repeatable { description: &'a str },
}

/// Parses a Flyway file name; `None` when Flyway would not pick the file up.
pub(super) fn parse(name: &str) -> Option<FlywayFile<'_>> {
    let stem = sql_stem(name);
    if let Some(description) = stem.strip_prefix("R__") {
        return Some(FlywayFile::Repeatable { description });
    }
    let (prefix, rest) = stem.split_at_checked(1)?;
    let (raw_version, description) = rest.split_once("__")?;
    let version = parse_version(raw_version)?;
    match prefix {
        "V" => Some(FlywayFile::Versioned {
            version,
            description,
        }),
        "U" => Some(FlywayFile::Undo { version }),
        _ => None,
    }
}

/// Whether the name is a versioned migration (the mark of a Flyway directory).
pub(super) fn is_versioned(name: &str) -> bool {
    matches!(parse(name), Some(FlywayFile::Versioned { .. }))
}

/// A version as Flyway reads it: digits separated by `.` or `_` (`_` means `.`).
fn parse_version(raw: &str) -> Option<String> {
    let valid = !raw.is_empty()
        && raw
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '_')
        && raw.split(['.', '_']).all(|part| !part.is_empty());
    valid.then(|| raw.replace('_', "."))
}

/// Numeric parts of a version with trailing zero parts dropped (Flyway: `1.0` == `1`).
fn significant_parts(version: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = version.split('.').collect();
    while parts
        .last()
        .is_some_and(|p| p.trim_start_matches('0').is_empty())
    {
        parts.pop();
    }
    parts
}

/// Compares versions part by part as numbers: `1.2` < `1.10`, `1.0` == `1`.
pub(super) fn version_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (significant_parts(a), significant_parts(b));
    for (x, y) in a.iter().zip(b.iter()) {
        let order = numeric_cmp(x, y);
        if order != Ordering::Equal {
            return order;
        }
    }
    a.len().cmp(&b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically_part_by_part() {
        assert_eq!(version_cmp("1.2", "1.10"), Ordering::Less);
        assert_eq!(version_cmp("1.0", "1"), Ordering::Equal);
        assert_eq!(version_cmp("2", "1.9.9"), Ordering::Greater);
    }

    #[test]
    fn parses_the_three_kinds() {
        assert_eq!(
            parse("V1_2__add_x.sql"),
            Some(FlywayFile::Versioned {
                version: "1.2".into(),
                description: "add_x"
            })
        );
        assert_eq!(
            parse("U3__drop.sql"),
            Some(FlywayFile::Undo {
                version: "3".into()
            })
        );
        assert_eq!(
            parse("R__views.sql"),
            Some(FlywayFile::Repeatable {
                description: "views"
            })
        );
        assert_eq!(parse("V__x.sql"), None);
        assert_eq!(parse("Vx__y.sql"), None);
        assert_eq!(parse("init.sql"), None);
        assert_eq!(parse("V1..2__x.sql"), None);
    }
}
