//! The first pass over all files: the datasource settings, the enums and the models, before any
//! table is built.

use super::{EnumDef, Located, ModelDef, prisma_diagnostic};
use crate::analysis::diagnostic::Diagnostic;
use crate::analysis::dialect::Dialect;
use crate::analysis::prisma::ast::{Block, BlockKeyword, Expr, Member};
use crate::analysis::prisma::parser::ParsedFile;
use crate::analysis::prisma::{RelationMode, SourceLine};

/// The blocks opened by `keyword`.
fn blocks_of<'b, 'a>(
    blocks: &'b [Located<'a>],
    keyword: BlockKeyword,
) -> impl Iterator<Item = Located<'a>> + 'b {
    blocks
        .iter()
        .copied()
        .filter(move |b| b.block.keyword == keyword)
}

/// The datasource's settings and where it is.
pub(super) struct DatasourceSettings {
    /// The provider, when it names a supported dialect.
    pub(super) provider: Option<Dialect>,
    /// `relationMode` (or the legacy `referentialIntegrity`).
    pub(super) relation_mode: RelationMode,
    /// Where the datasource block is.
    pub(super) at: Option<SourceLine>,
}

/// Reads the (first) datasource block, reporting extra ones and a missing or unsupported
/// provider.
pub(super) fn datasource_settings(
    blocks: &[Located],
    files: &[(&str, ParsedFile)],
    diagnostics: &mut Vec<Diagnostic>,
) -> DatasourceSettings {
    let mut settings = DatasourceSettings {
        provider: None,
        relation_mode: RelationMode::ForeignKeys,
        at: None,
    };
    let mut datasources = blocks_of(blocks, BlockKeyword::Datasource);
    let Some(first) = datasources.next() else {
        if let Some((file, _)) = files.first() {
            diagnostics.push(prisma_diagnostic(
                file,
                0,
                "no datasource block; column types are derived as for PostgreSQL",
            ));
        }
        return settings;
    };
    for extra in datasources {
        diagnostics.push(prisma_diagnostic(
            extra.file,
            extra.block.line,
            format!(
                "only one datasource is allowed; `{}` is ignored",
                extra.block.name
            ),
        ));
    }
    settings.at = Some(SourceLine {
        file: first.file.to_string(),
        line: first.block.line,
    });
    for member in &first.block.members {
        if let Member::Assignment { key, value } = member {
            apply_datasource_setting(&mut settings, key, value, first, diagnostics);
        }
    }
    if settings.provider.is_none() {
        diagnostics.push(prisma_diagnostic(
            first.file,
            first.block.line,
            "the datasource names no supported provider (sqlite, postgresql, mysql); \
             column types are derived as for PostgreSQL",
        ));
    }
    settings
}

/// Applies one `key = value` line of the datasource.
fn apply_datasource_setting(
    settings: &mut DatasourceSettings,
    key: &str,
    value: &Expr,
    at: Located,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Expr::Str(text) = value else { return };
    match key {
        "provider" => settings.provider = Dialect::from_prisma_provider(text),
        "relationMode" | "referentialIntegrity" => match text.as_str() {
            "prisma" => settings.relation_mode = RelationMode::Prisma,
            "foreignKeys" => settings.relation_mode = RelationMode::ForeignKeys,
            other => diagnostics.push(prisma_diagnostic(
                at.file,
                at.block.line,
                format!("unknown {key} \"{other}\"; foreign keys are assumed"),
            )),
        },
        _ => {}
    }
}

/// Every enum with its `@@map` name and `@map` values.
pub(super) fn enums(blocks: &[Located]) -> Vec<EnumDef> {
    blocks_of(blocks, BlockKeyword::Enum)
        .map(|located| EnumDef {
            name: located.block.name.clone(),
            db_name: located
                .block
                .mapped_name()
                .unwrap_or_else(|| located.block.name.clone()),
            values: located
                .block
                .declarations()
                .map(|d| (d.name.clone(), d.database_name()))
                .collect(),
        })
        .collect()
}

/// Whether a model is `@@ignore`d.
fn is_ignored(block: &Block) -> bool {
    block.attribute("ignore").is_some()
}

/// The models that become tables (not `@@ignore`d), reporting duplicates.
pub(super) fn models<'a>(
    blocks: &[Located<'a>],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<ModelDef<'a>> {
    let mut models: Vec<ModelDef<'a>> = Vec::new();
    for located in blocks_of(blocks, BlockKeyword::Model).filter(|l| !is_ignored(l.block)) {
        let name = located.block.name.as_str();
        if let Some(first) = models.iter().find(|m| m.name == name) {
            diagnostics.push(prisma_diagnostic(
                located.file,
                located.block.line,
                format!(
                    "model {name} is declared twice (first at {}:{}); this one is ignored",
                    first.at.file, first.at.block.line
                ),
            ));
            continue;
        }
        models.push(ModelDef {
            name,
            table: located
                .block
                .mapped_name()
                .unwrap_or_else(|| name.to_string()),
            at: located,
        });
    }
    models
}

/// Names of types whose fields make no column: views, composite types, ignored models.
pub(super) fn skipped_types<'a>(blocks: &[Located<'a>]) -> Vec<&'a str> {
    blocks
        .iter()
        .filter(|l| {
            matches!(l.block.keyword, BlockKeyword::View | BlockKeyword::Type)
                || (l.block.keyword == BlockKeyword::Model && is_ignored(l.block))
        })
        .map(|l| l.block.name.as_str())
        .collect()
}
