//! Helpers on `/`-separated repository-relative paths, and the natural ordering of names.

use std::cmp::Ordering;

/// Directory names whose contents detection never looks at (dependencies, build output, git).
const IGNORED_DIRS: [&str; 4] = ["node_modules", "vendor", "target", ".git"];

/// Whether a directory with this name is skipped entirely.
pub(crate) fn is_ignored_dir_name(name: &str) -> bool {
    IGNORED_DIRS.contains(&name)
}

/// Whether a file path lies inside an ignored directory.
pub(super) fn is_ignored(path: &str) -> bool {
    let (dir, _) = split(path);
    !dir.is_empty() && dir.split('/').any(is_ignored_dir_name)
}

/// Splits a path into its directory (`""` at the root) and its file name.
pub(super) fn split(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

/// The parent directory of a directory (`""` for a top-level directory or the root).
pub(super) fn parent(dir: &str) -> &str {
    split(dir).0
}

/// The last component of a directory path.
pub(super) fn last_component(dir: &str) -> &str {
    split(dir).1
}

/// Joins a directory (possibly `""`) and a relative path.
pub(super) fn join(dir: &str, rest: &str) -> String {
    if dir.is_empty() {
        rest.to_string()
    } else {
        format!("{dir}/{rest}")
    }
}

/// Resolves `.` and `..` components and drops empty ones; `None` when the path leaves the root.
pub(super) fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// Whether `path` is `dir` itself or lies below it.
pub(super) fn is_within(path: &str, dir: &str) -> bool {
    dir.is_empty() || path == dir || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// The file name without its `.sql` extension (or the whole name when it has none).
pub(super) fn sql_stem(name: &str) -> &str {
    if is_sql(name) {
        name.get(..name.len() - 4).unwrap_or(name)
    } else {
        name
    }
}

/// Whether a file name ends with `.sql` (case-insensitive, as tools on case-insensitive
/// file systems accept it).
pub(super) fn is_sql(name: &str) -> bool {
    name.len() > 4
        && name
            .get(name.len() - 4..)
            .is_some_and(|e| e.eq_ignore_ascii_case(".sql"))
}

/// Compares names the way people read them: runs of digits compare as numbers
/// (`2_x` < `10_x`), everything else byte by byte. Numbers that differ only in leading
/// zeros compare equal; callers add a final byte-wise comparison when they need a total order.
pub(super) fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.chars().next(), b.chars().next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (da, ra) = split_digits(a);
                let (db, rb) = split_digits(b);
                let by_number = numeric_cmp(da, db);
                if by_number != Ordering::Equal {
                    return by_number;
                }
                (a, b) = (ra, rb);
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(&y);
                }
                (a, b) = (&a[x.len_utf8()..], &b[y.len_utf8()..]);
            }
        }
    }
}

/// Natural order, then byte order so that distinct names never compare equal.
pub(super) fn natural_total_cmp(a: &str, b: &str) -> Ordering {
    natural_cmp(a, b).then_with(|| a.cmp(b))
}

/// Splits the leading run of ASCII digits from the rest.
pub(super) fn split_digits(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(end)
}

/// Compares two strings of ASCII digits as (arbitrarily large) numbers.
pub(super) fn numeric_cmp(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_compares_numbers_by_value() {
        assert_eq!(natural_cmp("2_a.sql", "10_a.sql"), Ordering::Less);
        assert_eq!(natural_cmp("001", "1"), Ordering::Equal);
        assert_eq!(natural_total_cmp("001", "1"), Ordering::Less);
        assert_eq!(natural_cmp("a", "b"), Ordering::Less);
        assert_eq!(natural_cmp("é2", "é10"), Ordering::Less);
    }

    #[test]
    fn normalize_resolves_dots_and_refuses_escape() {
        assert_eq!(normalize("./a/../b//c").as_deref(), Some("b/c"));
        assert_eq!(normalize("../x"), None);
    }

    #[test]
    fn ignored_only_inside_ignored_dirs() {
        assert!(is_ignored("node_modules/x/migrations/1.sql"));
        assert!(is_ignored("a/target/b.sql"));
        assert!(!is_ignored("target.sql"));
        assert!(!is_ignored("tests/fixtures/migrations/1.sql"));
    }

    #[test]
    fn sql_stem_ignores_extension_case() {
        assert_eq!(sql_stem("V1__a.SQL"), "V1__a");
        assert_eq!(sql_stem("notes.txt"), "notes.txt");
    }

    #[test]
    fn within_respects_component_boundaries() {
        assert!(is_within("db/x.sql", "db"));
        assert!(!is_within("dbx/x.sql", "db"));
        assert!(is_within("anything", ""));
    }
}
