//! Prisma Migrate: the provider in `migration_lock.toml`, the schema file(s) belonging to a
//! migrations directory, and the provider of their `datasource` block.

use super::paths::{is_within, join, last_component, normalize, parent};
use super::{DialectSource, StatedDialect};
use crate::analysis::diagnostic::{Diagnostic, DiagnosticKind};
use crate::analysis::dialect::Dialect;
use crate::analysis::fileset::FileSet;

/// The lock file Prisma writes next to the migration directories.
pub(super) const LOCK_FILE: &str = "migration_lock.toml";

/// The dialect named by `<root>/migration_lock.toml`, reporting unreadable or unknown values.
pub(super) fn lock_dialect(
    files: &FileSet,
    root: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<StatedDialect> {
    let path = join(root, LOCK_FILE);
    let text = String::from_utf8_lossy(files.get(&path)?);
    let provider = match toml::from_str::<toml::Table>(&text) {
        Ok(table) => table.get("provider")?.as_str()?.to_string(),
        Err(error) => {
            let message = format!("cannot read the provider: {}", error.message());
            diagnostics.push(Diagnostic::new(path, 0, DiagnosticKind::Layout, message));
            return None;
        }
    };
    provider_dialect(&provider, &path, 0, diagnostics)
        .map(|dialect| (dialect, DialectSource::MigrationLock(path)))
}

/// Maps a provider to a dialect, reporting providers schemagate cannot read.
fn provider_dialect(
    provider: &str,
    path: &str,
    line: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Dialect> {
    let dialect = Dialect::from_prisma_provider(provider);
    if dialect.is_none() {
        let message = format!("provider \"{provider}\" is not a SQL dialect schemagate reads");
        diagnostics.push(Diagnostic::new(path, line, DiagnosticKind::Layout, message));
    }
    dialect
}

/// The schema file(s) of the Prisma project whose migrations live in `root`, sorted.
pub(super) fn schema_files(files: &FileSet, root: &str) -> Vec<String> {
    candidate_locations(files, root)
        .iter()
        .map(|location| resolve_location(files, location))
        .find(|found| !found.is_empty())
        .unwrap_or_default()
}

/// Where the schema may be, most specific first.
fn candidate_locations(files: &FileSet, root: &str) -> Vec<String> {
    let prisma_dir = parent(root);
    let project = project_dir(prisma_dir);
    let mut locations: Vec<String> = package_json_pointer(files, project).into_iter().collect();
    locations.push(join(prisma_dir, "schema.prisma"));
    locations.push(join(prisma_dir, "schema"));
    if last_component(prisma_dir) == "schema" {
        locations.push(prisma_dir.to_string());
    }
    locations.push(join(project, "schema.prisma"));
    locations.push(join(project, "prisma/schema.prisma"));
    locations.push(join(project, "prisma/schema"));
    locations
}

/// The project directory (where package.json lives) for the directory holding `migrations/`.
fn project_dir(prisma_dir: &str) -> &str {
    match last_component(prisma_dir) {
        "prisma" => parent(prisma_dir),
        "schema" if last_component(parent(prisma_dir)) == "prisma" => parent(parent(prisma_dir)),
        _ => prisma_dir,
    }
}

/// The location `package.json` names in `"prisma": {"schema": "..."}`, repository-relative.
fn package_json_pointer(files: &FileSet, project: &str) -> Option<String> {
    let manifest: serde_json::Value =
        serde_json::from_slice(files.get(&join(project, "package.json"))?).ok()?;
    let pointer = manifest.get("prisma")?.get("schema")?.as_str()?;
    normalize(&join(project, pointer))
}

/// A location as a file (when it is one) or as a folder of `.prisma` files.
fn resolve_location(files: &FileSet, location: &str) -> Vec<String> {
    if files.contains(location) {
        return vec![location.to_string()];
    }
    files
        .paths()
        .filter(|p| p.ends_with(".prisma") && p != &location && is_within(p, location))
        .map(str::to_string)
        .collect()
}

/// The dialect named by the `provider` of the first `datasource` block in the schema files.
pub(super) fn datasource_dialect(
    files: &FileSet,
    schema_files: &[String],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<StatedDialect> {
    schema_files.iter().find_map(|path| {
        let text = String::from_utf8_lossy(files.get(path)?);
        let (line, provider) = datasource_provider(&text)?;
        provider_dialect(&provider, path, line, diagnostics)
            .map(|dialect| (dialect, DialectSource::PrismaSchema(path.clone())))
    })
}

/// The 1-based line and value of `provider = "..."` inside a `datasource` block.
fn datasource_provider(text: &str) -> Option<(usize, String)> {
    let mut in_datasource = false;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with("datasource ") || line.starts_with("datasource\t") {
            in_datasource = true;
        } else if in_datasource && line.starts_with('}') {
            in_datasource = false;
        } else if in_datasource && let Some(value) = assignment_value(line, "provider") {
            return Some((index + 1, value.to_string()));
        }
    }
    None
}

/// The quoted value of `key = "value"` on a line, if the line assigns `key`.
fn assignment_value<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let value = line
        .strip_prefix(key)?
        .trim_start()
        .strip_prefix('=')?
        .trim();
    let value = value.strip_prefix('"')?;
    value.split('"').next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_datasource_provider_line() {
        let text = "generator c {\n  provider = \"prisma-client-js\"\n}\ndatasource db {\n  url = env(\"X\")\n  provider = \"mysql\"\n}\n";
        assert_eq!(datasource_provider(text), Some((6, "mysql".to_string())));
    }

    #[test]
    fn project_dir_climbs_out_of_prisma_folders() {
        assert_eq!(project_dir("app/prisma"), "app");
        assert_eq!(project_dir("prisma/schema"), "");
        assert_eq!(project_dir("db"), "db");
    }
}
