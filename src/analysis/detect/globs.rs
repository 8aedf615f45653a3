//! Configured globs: extra sets named by the configuration (`Framework::Configured`).

use globset::{Glob, GlobBuilder, GlobMatcher};

use super::layouts::split_version;
use super::paths::{natural_total_cmp, parent, split, sql_stem};
use super::{FoundSet, Framework, Migration};
use crate::analysis::diagnostic::{Diagnostic, DiagnosticKind};

/// Compiles one glob; `*` does not cross `/` (use `**` for that).
pub(super) fn compile(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern).literal_separator(true).build()
}

/// The configured globs, each a set of its own.
pub(super) struct ConfiguredGlobs {
    /// Each valid pattern with its matcher, in configuration order.
    globs: Vec<(String, GlobMatcher)>,
}

impl ConfiguredGlobs {
    /// Compiles `patterns`, reporting the invalid ones.
    pub(super) fn new(patterns: &[String], diagnostics: &mut Vec<Diagnostic>) -> Self {
        let mut globs = Vec::new();
        for pattern in patterns {
            match compile(pattern) {
                Ok(glob) => globs.push((pattern.clone(), glob.compile_matcher())),
                Err(error) => diagnostics.push(Diagnostic::new(
                    pattern.as_str(),
                    0,
                    DiagnosticKind::Layout,
                    format!("invalid migration glob in the configuration: {error}"),
                )),
            }
        }
        ConfiguredGlobs { globs }
    }

    /// Whether any glob matches `path`.
    pub(super) fn matches(&self, path: &str) -> bool {
        self.globs.iter().any(|(_, glob)| glob.is_match(path))
    }

    /// One set per glob that matches something; a file belongs to the first glob matching it.
    pub(super) fn sets(&self, paths: &[&str]) -> Vec<FoundSet> {
        let mut remaining: Vec<&str> = paths.to_vec();
        let mut sets = Vec::new();
        for (pattern, glob) in &self.globs {
            let (mut matched, rest): (Vec<&str>, Vec<&str>) =
                remaining.into_iter().partition(|p| glob.is_match(p));
            remaining = rest;
            if matched.is_empty() {
                continue;
            }
            matched.sort_by(|a, b| natural_total_cmp(a, b));
            sets.push(configured_set(literal_root(pattern), &matched));
        }
        sets
    }
}

/// The directory part of a pattern before its first component with a wildcard.
fn literal_root(pattern: &str) -> &str {
    let meta = pattern.find(['*', '?', '[', '{']).unwrap_or(pattern.len());
    match pattern.get(..meta).and_then(|prefix| prefix.rfind('/')) {
        Some(slash) => pattern.get(..slash).unwrap_or_default(),
        None if meta == pattern.len() => parent(pattern),
        None => "",
    }
}

/// A configured set of `paths`, already in order.
fn configured_set(root: &str, paths: &[&str]) -> FoundSet {
    let migrations = paths
        .iter()
        .map(|path| {
            let (version, name) = split_version(sql_stem(split(path).1));
            Migration {
                version,
                name,
                path: path.to_string(),
                down_path: None,
                has_down_section: false,
            }
        })
        .collect();
    FoundSet {
        framework: Framework::Configured,
        root: root.to_string(),
        migrations,
        prisma_schema_files: Vec::new(),
        stated_dialect: None,
        supports_down: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_root_stops_before_wildcards() {
        assert_eq!(literal_root("db/schema/**/*.sql"), "db/schema");
        assert_eq!(literal_root("*.sql"), "");
        assert_eq!(literal_root("db/one.sql"), "db");
    }
}
