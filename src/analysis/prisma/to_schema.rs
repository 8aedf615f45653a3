//! From parsed blocks of all schema files to a [`PrismaSchema`]: datasource settings, enums,
//! models as tables, relations as foreign keys, implicit many-to-many join tables.

mod collect;
mod foreign_key;
mod many_to_many;

use super::ast::{Arity, Attribute, Block, Declaration, Expr, FieldType};
use super::parser::ParsedFile;
use super::sql_types::{self, DefaultValue};
use super::{
    PrismaField, PrismaModel, PrismaRelation, PrismaSchema, PrismaUnique, RelationMode,
    RelationStorage, SourceLine,
};
use crate::analysis::diagnostic::{Diagnostic, DiagnosticKind};
use crate::analysis::dialect::Dialect;
use crate::analysis::schema::{Column, Enforcement, EnumType, Index, IndexOrigin, Schema, Table};
use collect::{datasource_settings, enums, models, skipped_types};

/// Prisma's built-in scalar types.
const SCALARS: [&str; 9] = [
    "String", "Int", "BigInt", "Float", "Decimal", "Boolean", "DateTime", "Json", "Bytes",
];

/// A block and the file it is in.
#[derive(Clone, Copy)]
struct Located<'a> {
    file: &'a str,
    block: &'a Block,
}

/// An enum with its database names.
struct EnumDef {
    name: String,
    db_name: String,
    /// (value name, database value).
    values: Vec<(String, String)>,
}

impl EnumDef {
    /// The database values in order.
    fn db_values(&self) -> Vec<String> {
        self.values.iter().map(|(_, db)| db.clone()).collect()
    }

    /// The database value of a value name.
    fn db_value(&self, name: &str) -> Option<String> {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, db)| db.clone())
    }
}

/// A model that becomes a table.
#[derive(Clone)]
struct ModelDef<'a> {
    name: &'a str,
    table: String,
    at: Located<'a>,
}

/// What a field's type names.
enum FieldKind<'c, 'a> {
    /// A Prisma scalar (`String`, `Int`, ...).
    Scalar(&'c str),
    /// An enum.
    Enum(&'c EnumDef),
    /// `Unsupported("db type")`.
    Unsupported(&'c str),
    /// Another model.
    Relation(&'c ModelDef<'a>),
    /// A view, a composite type or an `@@ignore`d model: no column.
    Skipped,
    /// Nothing the schema declares.
    Unknown,
}

/// Everything resolved before tables are built.
struct Context<'a> {
    dialect: Dialect,
    relation_mode: RelationMode,
    enums: Vec<EnumDef>,
    models: Vec<ModelDef<'a>>,
    skipped_types: Vec<&'a str>,
}

/// Builds the schema from the parsed files.
pub(super) fn build(files: &[(&str, ParsedFile)]) -> PrismaSchema {
    let mut diagnostics = parse_problems(files);
    let blocks: Vec<Located> = files
        .iter()
        .flat_map(|(file, parsed)| {
            parsed
                .blocks
                .iter()
                .map(move |block| Located { file, block })
        })
        .collect();
    let settings = datasource_settings(&blocks, files, &mut diagnostics);
    let context = Context {
        dialect: settings.provider.unwrap_or(Dialect::Postgres),
        relation_mode: settings.relation_mode,
        enums: enums(&blocks),
        models: models(&blocks, &mut diagnostics),
        skipped_types: skipped_types(&blocks),
    };
    let mut tables = Vec::new();
    let mut models = Vec::new();
    for model in &context.models {
        let (table, info) = context.model_table(model, &mut diagnostics);
        tables.push(table);
        models.push(info);
    }
    context.add_join_tables(&mut tables, &mut models, &mut diagnostics);
    let enums = context
        .enums
        .iter()
        .map(|e| EnumType {
            name: e.db_name.clone(),
            values: e.db_values(),
        })
        .collect();
    PrismaSchema {
        schema: Schema { tables, enums },
        provider: settings.provider,
        relation_mode: settings.relation_mode,
        diagnostics,
        datasource: settings.at,
        models,
    }
}

/// A diagnostic of kind `Prisma`.
fn prisma_diagnostic(file: &str, line: usize, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(file, line, DiagnosticKind::Prisma, message)
}

/// The lexing and parsing problems of every file as diagnostics.
fn parse_problems(files: &[(&str, ParsedFile)]) -> Vec<Diagnostic> {
    files
        .iter()
        .flat_map(|(file, parsed)| {
            parsed
                .problems
                .iter()
                .map(move |p| prisma_diagnostic(file, p.line, p.message.clone()))
        })
        .collect()
}

impl<'a> Context<'a> {
    /// The model with this name.
    fn model(&self, name: &str) -> Option<&ModelDef<'a>> {
        self.models.iter().find(|m| m.name == name)
    }

    /// What a field type names: a scalar, an enum, a model, or something without a column.
    fn classify(&self, field_type: &'a FieldType) -> FieldKind<'_, 'a> {
        let name = field_type.name.as_str();
        if let Some(raw) = &field_type.unsupported {
            return FieldKind::Unsupported(raw);
        }
        if let Some(scalar) = SCALARS.iter().find(|s| **s == name) {
            return FieldKind::Scalar(scalar);
        }
        if let Some(e) = self.enums.iter().find(|e| e.name == name) {
            return FieldKind::Enum(e);
        }
        if let Some(model) = self.model(name) {
            return FieldKind::Relation(model);
        }
        if self.skipped_types.contains(&name) {
            return FieldKind::Skipped;
        }
        FieldKind::Unknown
    }

    /// Who enforces foreign keys under the datasource's relation mode.
    fn enforcement(&self) -> Enforcement {
        match self.relation_mode {
            RelationMode::ForeignKeys => Enforcement::Database,
            RelationMode::Prisma => Enforcement::PrismaClient,
        }
    }

    /// A Prisma diagnostic about `model`, at `line` of its file.
    fn diagnostic(&self, model: &ModelDef, line: usize, message: String) -> Diagnostic {
        prisma_diagnostic(
            model.at.file,
            line,
            format!("model {}: {message}", model.name),
        )
    }

    /// `line` of the file `model` is declared in.
    fn source_line(model: &ModelDef, line: usize) -> SourceLine {
        SourceLine {
            file: model.at.file.to_string(),
            line,
        }
    }

    /// The column a scalar field of `model` maps to.
    fn column_of(&self, model: &ModelDef, field: &str) -> Option<String> {
        model
            .at
            .block
            .declaration(field)
            .filter(|d| {
                d.field_type.as_ref().is_some_and(|t| {
                    !matches!(
                        self.classify(t),
                        FieldKind::Relation(_) | FieldKind::Skipped | FieldKind::Unknown
                    )
                })
            })
            .map(|d| d.database_name())
    }

    /// Maps field names to column names, reporting unknown fields (and keeping their names).
    fn columns_of(
        &self,
        model: &ModelDef,
        fields: &[String],
        line: usize,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Vec<String> {
        fields
            .iter()
            .map(|field| {
                self.column_of(model, field).unwrap_or_else(|| {
                    diagnostics.push(self.diagnostic(
                        model,
                        line,
                        format!("refers to \"{field}\", which is not a scalar field of the model"),
                    ));
                    field.clone()
                })
            })
            .collect()
    }

    /// The table of a model and the locations of its parts.
    fn model_table(
        &self,
        model: &ModelDef,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> (Table, PrismaModel) {
        let mut table = Table {
            name: model.table.clone(),
            ..Table::default()
        };
        let mut info = PrismaModel {
            name: model.name.to_string(),
            table: model.table.clone(),
            at: Self::source_line(model, model.at.block.line),
            ..PrismaModel::default()
        };
        for declaration in model.at.block.declarations() {
            self.add_field(model, declaration, &mut table, &mut info, diagnostics);
        }
        for attribute in model.at.block.attributes() {
            self.add_block_attribute(model, attribute, &mut table, &mut info, diagnostics);
        }
        (table, info)
    }

    /// Adds what one field puts in the database: a column, a foreign key, or nothing.
    fn add_field(
        &self,
        model: &ModelDef,
        declaration: &'a Declaration,
        table: &mut Table,
        info: &mut PrismaModel,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let Some(field_type) = &declaration.field_type else {
            diagnostics.push(self.diagnostic(
                model,
                declaration.line,
                format!("field \"{}\" has no type", declaration.name),
            ));
            return;
        };
        match self.classify(field_type) {
            FieldKind::Relation(target) => {
                if let Some(foreign_key) = self.foreign_key(model, declaration, target, diagnostics)
                {
                    info.relations.push(PrismaRelation {
                        field: declaration.name.clone(),
                        storage: RelationStorage::ForeignKey {
                            columns: foreign_key.columns.clone(),
                        },
                        at: Self::source_line(model, declaration.line),
                    });
                    table.foreign_keys.push(foreign_key);
                }
            }
            FieldKind::Skipped => {}
            FieldKind::Unknown => diagnostics.push(self.diagnostic(
                model,
                declaration.line,
                format!(
                    "field \"{}\" has unknown type {}",
                    declaration.name, field_type.name
                ),
            )),
            kind => self.add_column(model, declaration, field_type, &kind, table, info),
        }
    }

    /// Adds the column of a scalar or enum field, with its `@unique` index.
    fn add_column(
        &self,
        model: &ModelDef,
        declaration: &Declaration,
        field_type: &FieldType,
        kind: &FieldKind,
        table: &mut Table,
        info: &mut PrismaModel,
    ) {
        let (column, native_type) = self.column(declaration, field_type, kind);
        let at = Self::source_line(model, declaration.line);
        if let Some(unique) = declaration.attribute("unique") {
            let index = self.index(&table.name, unique, vec![column.name.clone()], true);
            add_index(index, &at, table, info);
        }
        info.fields.push(PrismaField {
            name: declaration.name.clone(),
            column: column.name.clone(),
            native_type,
            at,
        });
        table.columns.push(column);
    }

    /// The column of a scalar or enum field, and whether its type is an explicit native type.
    fn column(
        &self,
        declaration: &Declaration,
        field_type: &FieldType,
        kind: &FieldKind,
    ) -> (Column, bool) {
        let default = declaration
            .attribute("default")
            .and_then(|a| a.argument("value", Some(0)));
        let enum_db_value = |value: &str| match kind {
            FieldKind::Enum(e) => e.db_value(value),
            _ => None,
        };
        let autoincrement =
            matches!(default, Some(Expr::Function { name, .. }) if name == "autoincrement");
        let (data_type, native_type) =
            self.column_type(declaration, field_type, kind, autoincrement);
        let default = default.and_then(|expr| {
            match sql_types::default_value(self.dialect, expr, &enum_db_value, &data_type) {
                DefaultValue::Sql(sql) => Some(sql),
                DefaultValue::Generated | DefaultValue::None => None,
            }
        });
        let column = Column {
            name: declaration.database_name(),
            data_type,
            nullable: field_type.arity != Arity::Required,
            default,
            primary_key: declaration.has("id"),
            identity: false,
        };
        (column, native_type)
    }

    /// The SQL type of a field, and whether it comes from a native type attribute.
    fn column_type(
        &self,
        declaration: &Declaration,
        field_type: &FieldType,
        kind: &FieldKind,
        autoincrement: bool,
    ) -> (String, bool) {
        let native = declaration
            .attributes
            .iter()
            .find_map(|a| a.name.strip_prefix("db.").map(|n| (n, a)));
        let (base, native_type) = match (native, kind) {
            (Some((name, attribute)), _) => (sql_types::native_type(name, &attribute.args), true),
            (None, FieldKind::Scalar(scalar)) => (
                sql_types::scalar_type(self.dialect, scalar, autoincrement)
                    .unwrap_or(scalar)
                    .to_string(),
                false,
            ),
            (None, FieldKind::Enum(e)) => (
                sql_types::enum_type(self.dialect, &e.db_name, &e.db_values()),
                false,
            ),
            (None, FieldKind::Unsupported(raw)) => (raw.to_string(), false),
            (None, _) => (field_type.name.clone(), false),
        };
        let data_type = if field_type.arity == Arity::List {
            format!("{base}[]")
        } else {
            base
        };
        (data_type, native_type)
    }

    /// An index from `@unique`, `@@unique` or `@@index` over already mapped columns.
    fn index(
        &self,
        table: &str,
        attribute: &Attribute,
        columns: Vec<String>,
        unique: bool,
    ) -> Index {
        let suffix = if unique { "_key" } else { "_idx" };
        let name = attribute
            .string_argument("map", None)
            .unwrap_or_else(|| sql_types::constraint_name(self.dialect, table, &columns, suffix));
        Index {
            name,
            columns,
            unique,
            predicate: None,
            origin: IndexOrigin::Explicit,
        }
    }

    /// Applies `@@id`, `@@unique` and `@@index`; other block attributes change no table.
    fn add_block_attribute(
        &self,
        model: &ModelDef,
        attribute: &Attribute,
        table: &mut Table,
        info: &mut PrismaModel,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let kind = match attribute.name.as_str() {
            "id" | "unique" | "index" => attribute.name.as_str(),
            _ => return,
        };
        let Some(fields) = attribute.argument("fields", Some(0)).map(Expr::names) else {
            diagnostics.push(self.diagnostic(
                model,
                attribute.line,
                format!("@@{kind} needs a list of fields"),
            ));
            return;
        };
        let columns = self.columns_of(model, &fields, attribute.line, diagnostics);
        match kind {
            "id" => {
                for column in table
                    .columns
                    .iter_mut()
                    .filter(|c| columns.contains(&c.name))
                {
                    column.primary_key = true;
                }
            }
            _ => {
                let index = self.index(&table.name, attribute, columns, kind == "unique");
                add_index(
                    index,
                    &Self::source_line(model, attribute.line),
                    table,
                    info,
                );
            }
        }
    }
}

/// Adds an index to the table, recording a unique one (and where it is declared) on the model.
fn add_index(index: Index, at: &SourceLine, table: &mut Table, info: &mut PrismaModel) {
    if index.unique {
        info.uniques.push(PrismaUnique {
            index: index.name.clone(),
            columns: index.columns.clone(),
            at: at.clone(),
        });
    }
    table.indexes.push(index);
}
