//! The analysis pipeline: a tree's files -> migration sets -> parsed statements -> replayed schema
//! (+ schema.prisma and drift), and a change (base tree, head tree) -> schema diff and cascade
//! changes. Pure: the files come in a [`FileSet`], nothing is read from disk here.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;

use super::cascade::{CascadeChange, cascade_changes};
use super::detect::{DetectOptions, Migration, MigrationSet, detect, up_sql};
use super::diagnostic::{Diagnostic, DiagnosticKind};
use super::dialect::Dialect;
use super::diff::{FileDiff, SchemaDiff, diff_files, diff_schemas};
use super::fileset::FileSet;
use super::prisma::{PrismaSchema, RelationMode, drift, parse_prisma};
use super::replay::{Replayer, SchemaEvent};
use super::schema::{Enforcement, Schema};
use super::sql::{MAX_STATEMENT_BYTES, SqlFile, Statement, human_bytes, parse_file_in_parts};

/// The largest migration file that is split and parsed: 16 MiB. The largest real migrations
/// (baselines of schemas with a thousand tables, generated seed data) stay under a few MiB; the
/// analysis holds about 20 bytes per byte of the SQL it parses, so this caps one file's analysis
/// near 300 MiB. A larger file becomes one [`DiagnosticKind::TooLarge`] diagnostic (line 0:
/// the whole file) and is neither parsed nor replayed; its text is still kept, so the scratch
/// database runs it (under its own memory limit) and the SQL view shows it.
pub const MAX_ANALYSED_FILE_BYTES: usize = 16 * MAX_STATEMENT_BYTES;

/// One migration file of a set, split and parsed.
#[derive(Clone, Debug)]
pub struct ParsedMigration {
    /// The migration as detection found it (version, name, paths).
    pub migration: Migration,
    /// The text of its up direction, as parsed (other sections blanked, invalid UTF-8
    /// replaced), always kept: what a scratch database runs, what the SQL view shows.
    pub up_sql: Arc<str>,
    /// Its up-direction comments and diagnostics, and its statements when they are kept: only
    /// for the files a change adds, modifies or removes ([`analyze_change`]), with their syntax
    /// trees while those files' text stays within [`KEPT_TREE_TEXT_BYTES`] and without them
    /// beyond ([`super::sql::Statement::drop_tree`]); elsewhere the statements are dropped once
    /// replayed.
    pub sql: Arc<SqlFile>,
}

/// Everything the analysis knows about one migration set in one tree.
#[derive(Clone, Debug)]
pub struct SetAnalysis {
    /// The set as detected.
    pub set: MigrationSet,
    /// Its migrations, in order, parsed.
    pub migrations: Vec<ParsedMigration>,
    /// The schema after replaying every migration.
    pub schema: Schema,
    /// Every schema change, in order, with file:line.
    pub events: Vec<SchemaEvent>,
    /// schema.prisma, when the set has one.
    pub prisma: Option<PrismaSchema>,
    /// File, parse, replay, Prisma and drift diagnostics, in that order.
    pub diagnostics: Vec<Diagnostic>,
}

impl SetAnalysis {
    /// The schema whose foreign keys drive the cascade: the replayed schema, except that with
    /// `relationMode = "prisma"` the database has no foreign keys, so the relations come from
    /// schema.prisma (marked as enforced by the Prisma client).
    pub fn cascade_schema(&self) -> Cow<'_, Schema> {
        let Some(prisma) = self
            .prisma
            .as_ref()
            .filter(|p| p.relation_mode == RelationMode::Prisma)
        else {
            return Cow::Borrowed(&self.schema);
        };
        let mut schema = self.schema.clone();
        for model in &prisma.schema.tables {
            let Some(table) = schema.table_mut(&model.name) else {
                continue;
            };
            table
                .foreign_keys
                .extend(model.foreign_keys.iter().cloned().map(|mut fk| {
                    fk.enforcement = Enforcement::PrismaClient;
                    fk
                }));
        }
        Cow::Owned(schema)
    }
}

/// Everything the analysis knows about a tree.
#[derive(Clone, Debug, Default)]
pub struct TreeAnalysis {
    /// One entry per migration set, ordered by root.
    pub sets: Vec<SetAnalysis>,
    /// Detection diagnostics (layout problems).
    pub diagnostics: Vec<Diagnostic>,
}

impl TreeAnalysis {
    /// The set whose root is `root`.
    pub fn set(&self, root: &str) -> Option<&SetAnalysis> {
        self.sets.iter().find(|s| s.set.root == root)
    }
}

/// Analyses every migration set in `files` (statements are not kept, see [`ParsedMigration`]).
pub fn analyze_tree(files: &FileSet, options: &DetectOptions) -> TreeAnalysis {
    let detection = detect(files, options);
    let sets = detection
        .sets
        .into_iter()
        .map(|set| {
            let progress = Progress::new(set.dialect);
            analyze_set(files, set, &|_| false, progress, None).0
        })
        .collect();
    TreeAnalysis {
        sets,
        diagnostics: detection.diagnostics,
    }
}

/// How much statement text of the kept files (the files a change touches) keeps its syntax
/// trees after the replay: 256 KiB, so the rules of an ordinary PR (and of a whole ordinary
/// history checked against an empty base) use the trees the replay parsed instead of parsing
/// every statement twice, while a huge change still holds at most about 10 MiB of trees
/// (trees cost 30 to 200 times their text; see [`Statement::drop_tree`]).
const KEPT_TREE_TEXT_BYTES: usize = 256 * 1024;

/// A set's analysis part way through its migrations: each migration is parsed, replayed, and
/// its syntax trees dropped (unless kept within [`KEPT_TREE_TEXT_BYTES`]) before the next one
/// is read, so only one file's trees are in memory at a time beyond that budget.
#[derive(Clone)]
struct Progress {
    replayer: Replayer,
    migrations: Vec<ParsedMigration>,
    /// File and parse diagnostics of the migrations so far.
    diagnostics: Vec<Diagnostic>,
    /// What is left of [`KEPT_TREE_TEXT_BYTES`].
    tree_budget: usize,
}

impl Progress {
    fn new(dialect: Dialect) -> Self {
        Progress {
            replayer: Replayer::new(dialect),
            migrations: Vec::new(),
            diagnostics: Vec::new(),
            tree_budget: KEPT_TREE_TEXT_BYTES,
        }
    }

    /// Parses and replays the next migration, part by part, dropping each part's syntax trees
    /// once it is replayed; keeps its statements when `keep` says so, with their trees while
    /// the kept text fits the budget.
    fn apply(&mut self, files: &FileSet, set: &MigrationSet, migration: &Migration, keep: bool) {
        let replayer = &mut self.replayer;
        let tree_budget = &mut self.tree_budget;
        let (up_sql, mut sql) = parse_migration(files, set, migration, |part| {
            replayer.apply_file(&migration.path, part);
            let text_bytes: usize = part.iter().map(|statement| statement.text.len()).sum();
            if keep && text_bytes <= *tree_budget {
                *tree_budget -= text_bytes;
            } else {
                part.iter_mut().for_each(Statement::drop_tree);
            }
        });
        self.diagnostics.extend(sql.diagnostics.iter().cloned());
        if !keep {
            sql.statements = Vec::new();
        }
        self.migrations.push(ParsedMigration {
            migration: migration.clone(),
            up_sql,
            sql: Arc::new(sql),
        });
    }
}

/// Analyses `set`, going on from `progress` (the analysis of its first migrations, or none);
/// with `snapshot_after`, also returns the progress after that many migrations, for a set
/// whose history starts with the same migrations.
fn analyze_set(
    files: &FileSet,
    set: MigrationSet,
    keep: &dyn Fn(&str) -> bool,
    mut progress: Progress,
    snapshot_after: Option<usize>,
) -> (SetAnalysis, Option<Progress>) {
    let mut snapshot = None;
    for migration in set.migrations.iter().skip(progress.migrations.len()) {
        if snapshot_after == Some(progress.migrations.len()) {
            snapshot = Some(progress.clone());
        }
        progress.apply(files, &set, migration, keep(&migration.path));
    }
    if snapshot_after == Some(progress.migrations.len()) {
        snapshot = Some(progress.clone());
    }
    let Progress {
        replayer,
        migrations,
        mut diagnostics,
        tree_budget: _,
    } = progress;
    let (schema, events, replay_diagnostics) = replayer.finish();
    diagnostics.extend(replay_diagnostics);
    let prisma = read_prisma(files, &set, &mut diagnostics);
    if let Some(prisma) = &prisma {
        diagnostics.extend(prisma.diagnostics.iter().cloned());
        diagnostics.extend(drift(prisma, &schema));
    }
    let analysis = SetAnalysis {
        set,
        migrations,
        schema,
        events,
        prisma,
        diagnostics,
    };
    (analysis, snapshot)
}

/// How many migrations `head` shares with `base` from the start: the same migrations with the
/// same bytes, in a set read the same way, so that replaying them gives the same result.
fn shared_prefix(
    base_files: &FileSet,
    base: &MigrationSet,
    head_files: &FileSet,
    head: &MigrationSet,
) -> usize {
    if base.framework != head.framework || base.dialect != head.dialect {
        return 0;
    }
    base.migrations
        .iter()
        .zip(&head.migrations)
        .take_while(|(b, h)| b == h && base_files.get(&b.path) == head_files.get(&h.path))
        .count()
}

fn read_prisma(
    files: &FileSet,
    set: &MigrationSet,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<PrismaSchema> {
    if set.prisma_schema_files.is_empty() {
        return None;
    }
    let texts: Vec<(&str, Cow<'_, str>)> = set
        .prisma_schema_files
        .iter()
        .filter_map(|path| {
            let text = decode(path, files.get(path)?, diagnostics);
            Some((path.as_str(), text))
        })
        .collect();
    let borrowed: Vec<(&str, &str)> = texts.iter().map(|(p, t)| (*p, t.as_ref())).collect();
    Some(parse_prisma(&borrowed))
}

/// Decodes a file as UTF-8; invalid bytes are replaced and reported, an empty file is reported.
pub fn decode<'a>(path: &str, bytes: &'a [u8], diagnostics: &mut Vec<Diagnostic>) -> Cow<'a, str> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        diagnostics.push(Diagnostic::new(
            path,
            0,
            DiagnosticKind::File,
            "file is empty: it changes nothing",
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(error) => {
            let line = 1 + bytes[..error.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            diagnostics.push(Diagnostic::new(
                path,
                line,
                DiagnosticKind::File,
                format!(
                    "file is not valid UTF-8 (first bad byte at offset {}); invalid bytes were replaced with U+FFFD",
                    error.valid_up_to()
                ),
            ));
            String::from_utf8_lossy(bytes)
        }
    }
}

/// A migration's up text (other sections blanked, invalid UTF-8 replaced) and its parse, its
/// statements handed to `on_part` as they are parsed (see [`parse_file_in_parts`]); a file over
/// [`MAX_ANALYSED_FILE_BYTES`] is not parsed.
fn parse_migration(
    files: &FileSet,
    set: &MigrationSet,
    migration: &Migration,
    on_part: impl FnMut(&mut [Statement]),
) -> (Arc<str>, SqlFile) {
    let path = migration.path.as_str();
    let Some(bytes) = files.get(path) else {
        let mut sql = SqlFile::default();
        sql.diagnostics.push(Diagnostic::new(
            path,
            0,
            DiagnosticKind::File,
            "migration file listed but not loaded",
        ));
        return (Arc::from(""), sql);
    };
    let mut decode_diagnostics = Vec::new();
    let text = decode(path, bytes, &mut decode_diagnostics);
    let up: Arc<str> = Arc::from(up_sql(set, &text));
    drop(text);
    let mut sql = if up.len() > MAX_ANALYSED_FILE_BYTES {
        SqlFile {
            diagnostics: vec![too_large_file(path, up.len())],
            ..SqlFile::default()
        }
    } else {
        parse_file_in_parts(path, &up, set.dialect, on_part)
    };
    decode_diagnostics.append(&mut sql.diagnostics);
    sql.diagnostics = decode_diagnostics;
    (up, sql)
}

/// The diagnostic of a migration file over [`MAX_ANALYSED_FILE_BYTES`].
fn too_large_file(path: &str, bytes: usize) -> Diagnostic {
    Diagnostic::new(
        path,
        0,
        DiagnosticKind::TooLarge,
        format!(
            "migration of {} is too large to analyse (more than {} per file): none of its statements were parsed or replayed, and no other rule checked them",
            human_bytes(bytes),
            human_bytes(MAX_ANALYSED_FILE_BYTES)
        ),
    )
}

/// How a PR changes one migration set.
#[derive(Clone, Debug)]
pub struct SetChange {
    /// The set at head (or at base, when the PR removes the whole set).
    pub head: SetAnalysis,
    /// The set at base, when it existed there.
    pub base: Option<SetAnalysis>,
    /// Migration files added or modified by the PR (paths at head), in apply order.
    pub changed_files: Vec<String>,
    /// Migration files present at base and gone at head.
    pub removed_files: Vec<String>,
    /// Schema events made by the changed files.
    pub pr_events: Vec<SchemaEvent>,
    /// Base schema vs head schema.
    pub schema_diff: SchemaDiff,
    /// Roots whose cascade grew.
    pub cascade_changes: Vec<CascadeChange>,
    /// Text diffs of the changed and removed migration files.
    pub file_diffs: Vec<FileDiff>,
}

/// How a PR changes every migration set of a tree.
#[derive(Clone, Debug, Default)]
pub struct ChangeAnalysis {
    /// One entry per set at head (plus sets removed entirely), ordered by root.
    pub sets: Vec<SetChange>,
    /// Detection diagnostics at head.
    pub diagnostics: Vec<Diagnostic>,
}

/// Analyses a change from `base` to `head`.
///
/// The migrations a head set shares with its base set from the start (usually all of the base
/// history) are parsed and replayed once: the head's analysis goes on from the base's state
/// after them.
pub fn analyze_change(base: &FileSet, head: &FileSet, options: &DetectOptions) -> ChangeAnalysis {
    // Statements are kept for the files the PR adds, edits or removes, on both sides: the
    // rules read the new ones, and compare removed ones with added ones (renames).
    let changed_by_pr = |path: &str| base.get(path) != head.get(path);
    let base_detection = detect(base, options);
    let head_detection = detect(head, options);
    let mut resume: HashMap<String, Progress> = HashMap::new();
    let mut base_sets = Vec::with_capacity(base_detection.sets.len());
    for set in base_detection.sets {
        let shared = head_detection
            .sets
            .iter()
            .find(|h| h.root == set.root)
            .map(|h| shared_prefix(base, &set, head, h));
        let root = set.root.clone();
        let progress = Progress::new(set.dialect);
        let (analysis, snapshot) = analyze_set(base, set, &changed_by_pr, progress, shared);
        if let Some(snapshot) = snapshot {
            resume.insert(root, snapshot);
        }
        base_sets.push(analysis);
    }
    let head_sets: Vec<SetAnalysis> = head_detection
        .sets
        .into_iter()
        .map(|set| {
            let progress = resume
                .remove(&set.root)
                .unwrap_or_else(|| Progress::new(set.dialect));
            analyze_set(head, set, &changed_by_pr, progress, None).0
        })
        .collect();
    let mut sets: Vec<SetChange> = head_sets
        .into_iter()
        .map(|head_set| {
            let position = base_sets
                .iter()
                .position(|b| b.set.root == head_set.set.root);
            let base_set = position.map(|i| base_sets.remove(i));
            compare_sets(base, head, base_set, head_set)
        })
        .collect();
    sets.extend(
        base_sets
            .into_iter()
            .map(|removed| compare_removed_set(base, head, removed)),
    );
    sets.sort_by(|a, b| a.head.set.root.cmp(&b.head.set.root));
    ChangeAnalysis {
        sets,
        diagnostics: head_detection.diagnostics,
    }
}

fn compare_sets(
    base: &FileSet,
    head: &FileSet,
    base_set: Option<SetAnalysis>,
    head_set: SetAnalysis,
) -> SetChange {
    let changed_files: Vec<String> = head_set
        .migrations
        .iter()
        .map(|m| m.migration.path.clone())
        .filter(|path| base.get(path) != head.get(path))
        .collect();
    let removed_files: Vec<String> = base_set
        .iter()
        .flat_map(|b| b.migrations.iter())
        .map(|m| m.migration.path.clone())
        .filter(|path| !head.contains(path))
        .collect();
    let changed: HashSet<&str> = changed_files.iter().map(String::as_str).collect();
    let pr_events: Vec<SchemaEvent> = head_set
        .events
        .iter()
        .filter(|e| changed.contains(e.at.file.as_str()))
        .cloned()
        .collect();
    let empty = Schema::default();
    let base_schema = base_set.as_ref().map_or(&empty, |b| &b.schema);
    let schema_diff = diff_schemas(base_schema, &head_set.schema, &pr_events);
    let base_cascade = base_set
        .as_ref()
        .map_or(Cow::Owned(Schema::default()), SetAnalysis::cascade_schema);
    let cascade_changes = cascade_changes(&base_cascade, &head_set.cascade_schema());
    let touched = changed_files
        .iter()
        .chain(removed_files.iter())
        .map(String::as_str)
        .chain(head_set.set.prisma_schema_files.iter().map(String::as_str));
    let file_diffs = diff_files(base, head, touched);
    SetChange {
        head: head_set,
        base: base_set,
        changed_files,
        removed_files,
        pr_events,
        schema_diff,
        cascade_changes,
        file_diffs,
    }
}

fn compare_removed_set(base: &FileSet, head: &FileSet, removed: SetAnalysis) -> SetChange {
    let removed_files: Vec<String> = removed
        .migrations
        .iter()
        .map(|m| m.migration.path.clone())
        .collect();
    let schema_diff = diff_schemas(&removed.schema, &Schema::default(), &[]);
    let file_diffs = diff_files(base, head, removed_files.iter().map(String::as_str));
    SetChange {
        head: removed.clone(),
        base: Some(removed),
        changed_files: Vec::new(),
        removed_files,
        pr_events: Vec::new(),
        schema_diff,
        cascade_changes: Vec::new(),
        file_diffs,
    }
}

/// A short summary of a set for reports: where it is, what it is, how its dialect was chosen.
#[derive(Clone, Debug, Serialize)]
pub struct SetSummary<'a> {
    /// Directory of the migrations.
    pub root: &'a str,
    /// Framework.
    pub framework: super::detect::Framework,
    /// Dialect.
    pub dialect: super::dialect::Dialect,
    /// How the dialect was chosen.
    pub dialect_source: &'a super::detect::DialectSource,
    /// Number of migrations.
    pub migrations: usize,
}

impl<'a> From<&'a MigrationSet> for SetSummary<'a> {
    fn from(set: &'a MigrationSet) -> Self {
        SetSummary {
            root: &set.root,
            framework: set.framework,
            dialect: set.dialect,
            dialect_source: &set.dialect_source,
            migrations: set.migrations.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::sql::StatementKind;

    #[test]
    fn valid_utf8_is_borrowed_without_diagnostics() {
        let mut diagnostics = Vec::new();
        let text = decode("a.sql", b"CREATE TABLE t (id INT);", &mut diagnostics);
        assert!(matches!(text, Cow::Borrowed(_)));
        assert!(diagnostics.is_empty());
    }

    #[test]
    fn invalid_utf8_is_replaced_and_reported_at_its_line() {
        let mut diagnostics = Vec::new();
        let text = decode("a.sql", b"SELECT 1;\nSELECT '\xff';\n", &mut diagnostics);
        assert_eq!(text, "SELECT 1;\nSELECT '\u{fffd}';\n");
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].line, 2);
        assert_eq!(diagnostics[0].kind, DiagnosticKind::File);
        assert!(diagnostics[0].message.contains("not valid UTF-8"));
    }

    #[test]
    fn empty_file_is_reported() {
        let mut diagnostics = Vec::new();
        decode("a.sql", b"  \n", &mut diagnostics);
        assert_eq!(diagnostics.len(), 1);
        assert!(diagnostics[0].message.contains("empty"));
    }

    /// The statement kinds of `path` at head after analysing a change from an empty base.
    fn kept_kinds(head: &FileSet, path: &str) -> Vec<bool> {
        let change = analyze_change(&FileSet::new(), head, &DetectOptions::default());
        let set = &change.sets[0].head;
        let migration = set
            .migrations
            .iter()
            .find(|m| m.migration.path == path)
            .expect("the migration is analysed");
        migration
            .sql
            .statements
            .iter()
            .map(|statement| matches!(statement.kind, StatementKind::Parsed(_)))
            .collect()
    }

    #[test]
    fn a_small_change_keeps_its_trees_and_a_large_one_drops_them_past_the_budget() {
        let small = "prisma/migrations/1_init/migration.sql";
        let mut head = FileSet::new();
        head.insert(small, "CREATE TABLE \"A\" (id INT);\nDROP TABLE \"A\";\n");
        assert_eq!(kept_kinds(&head, small), [true, true]);

        // A second, later file whose text alone is well over the budget keeps its statements but
        // not their trees; the first file still has its own.
        let large = "prisma/migrations/2_seed/migration.sql";
        let row =
            "INSERT INTO \"B\" (id, note) VALUES (1, 'a row of seed data to fill the file');\n";
        let mut text = String::from("CREATE TABLE \"B\" (id INT, note TEXT);\n");
        while text.len() <= 2 * KEPT_TREE_TEXT_BYTES {
            text.push_str(row);
        }
        head.insert(large, text);
        assert_eq!(kept_kinds(&head, small), [true, true]);
        let kinds = kept_kinds(&head, large);
        assert!(kinds.len() > 1000, "{} statements", kinds.len());
        assert!(
            kinds.iter().any(|&parsed| !parsed),
            "some trees are dropped past the budget"
        );
    }
}
