//! Drift between schema.prisma and the schema the migrations produce, reported at the model or
//! field line in its .prisma file.

use super::{
    PrismaField, PrismaModel, PrismaRelation, PrismaSchema, PrismaUnique, RelationMode,
    RelationStorage, SourceLine,
};
use crate::analysis::diagnostic::{Diagnostic, DiagnosticKind};
use crate::analysis::schema::{ForeignKey, Schema, Table, same_name};

/// The table Prisma Migrate keeps its own bookkeeping in.
const MIGRATIONS_TABLE: &str = "_prisma_migrations";

/// Drift between schema.prisma and the migrations' result: models, fields, relations or unique
/// indexes one has and the other does not, or on which they differ. Diagnostics of kind `Drift`,
/// located at the model or field line in its .prisma file; tables no model maps are reported on
/// the datasource's file (line 0). Foreign keys are not compared with `relationMode = "prisma"`,
/// where the database has none.
pub fn drift(prisma: &PrismaSchema, migrated: &Schema) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for model in &prisma.models {
        let expected = prisma.schema.table(&model.table);
        match (expected, migrated.table(&model.table)) {
            (Some(expected), Some(actual)) => {
                let check = ModelCheck {
                    model,
                    expected,
                    actual,
                    migrated,
                };
                check.run(prisma.relation_mode, &mut diagnostics);
            }
            (_, None) => diagnostics.push(drift_at(
                &model.at,
                format!(
                    "model {}: table \"{}\" is not created by the migrations",
                    model.name, model.table
                ),
            )),
            (None, Some(_)) => {}
        }
    }
    unmapped_tables(prisma, migrated, &mut diagnostics);
    diagnostics
}

fn drift_at(at: &SourceLine, message: String) -> Diagnostic {
    Diagnostic::new(&at.file, at.line, DiagnosticKind::Drift, message)
}

/// The file tables without a model are reported on.
fn schema_file(prisma: &PrismaSchema) -> SourceLine {
    let file = prisma
        .datasource
        .as_ref()
        .or_else(|| prisma.models.first().map(|m| &m.at))
        .map_or_else(|| "schema.prisma".to_string(), |at| at.file.clone());
    SourceLine { file, line: 0 }
}

fn unmapped_tables(prisma: &PrismaSchema, migrated: &Schema, diagnostics: &mut Vec<Diagnostic>) {
    let at = schema_file(prisma);
    for table in &migrated.tables {
        if same_name(&table.name, MIGRATIONS_TABLE) || prisma.schema.table(&table.name).is_some() {
            continue;
        }
        let message = if is_join_table_name(&table.name) {
            format!(
                "join table \"{}\" is created by the migrations \
                 but no many-to-many relation in schema.prisma uses it",
                table.name
            )
        } else {
            format!(
                "table \"{}\" is created by the migrations but no model maps to it",
                table.name
            )
        };
        diagnostics.push(drift_at(&at, message));
    }
}

/// Whether a name looks like an implicit many-to-many join table (`_AToB`, `_Relation`).
fn is_join_table_name(name: &str) -> bool {
    name.starts_with('_')
}

/// One model against the table the migrations made for it.
struct ModelCheck<'s> {
    model: &'s PrismaModel,
    expected: &'s Table,
    actual: &'s Table,
    migrated: &'s Schema,
}

impl ModelCheck<'_> {
    fn run(&self, relation_mode: RelationMode, diagnostics: &mut Vec<Diagnostic>) {
        for field in &self.model.fields {
            self.check_field(field, diagnostics);
        }
        self.check_unmapped_columns(diagnostics);
        for relation in &self.model.relations {
            self.check_relation(relation, relation_mode, diagnostics);
        }
        for unique in &self.model.uniques {
            self.check_unique(unique, diagnostics);
        }
    }

    fn report(&self, at: &SourceLine, message: String, diagnostics: &mut Vec<Diagnostic>) {
        diagnostics.push(drift_at(
            at,
            format!("model {}: {message}", self.model.name),
        ));
    }

    fn check_field(&self, field: &PrismaField, diagnostics: &mut Vec<Diagnostic>) {
        let subject = format!("field \"{}\" (column \"{}\")", field.name, field.column);
        let Some(expected) = self.expected.column(&field.column) else {
            return;
        };
        let Some(actual) = self.actual.column(&field.column) else {
            self.report(
                &field.at,
                format!("{subject} has no column in the migrations"),
                diagnostics,
            );
            return;
        };
        if expected.nullable != actual.nullable {
            let (schema_says, migrations_say) = if expected.nullable {
                ("optional", "NOT NULL")
            } else {
                ("required", "nullable")
            };
            self.report(
                &field.at,
                format!(
                    "{subject} is {schema_says} in {} but {migrations_say} in the migrations",
                    field.at.file
                ),
                diagnostics,
            );
        }
        let expected_family = type_family(&expected.data_type, field.native_type);
        let actual_family = type_family(&actual.data_type, field.native_type);
        if expected_family != actual_family {
            self.report(
                &field.at,
                format!(
                    "{subject} has type {} in {} but {} in the migrations",
                    expected.data_type, field.at.file, actual.data_type
                ),
                diagnostics,
            );
        }
    }

    fn check_unmapped_columns(&self, diagnostics: &mut Vec<Diagnostic>) {
        for column in &self.actual.columns {
            if self.expected.column(&column.name).is_none() {
                let message = format!(
                    "column \"{}\" of table \"{}\" is in the migrations but no field maps to it",
                    column.name, self.actual.name
                );
                self.report(&self.model.at, message, diagnostics);
            }
        }
    }

    fn check_relation(
        &self,
        relation: &PrismaRelation,
        relation_mode: RelationMode,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        match &relation.storage {
            RelationStorage::JoinTable { table } => {
                if self.migrated.table(table).is_none() {
                    let message = format!(
                        "relation \"{}\": join table \"{table}\" is not created by the migrations",
                        relation.field
                    );
                    self.report(&relation.at, message, diagnostics);
                }
            }
            RelationStorage::ForeignKey { columns }
                if relation_mode == RelationMode::ForeignKeys =>
            {
                if let Some(expected) = find_foreign_key(self.expected, columns) {
                    self.check_foreign_key(relation, expected, diagnostics);
                }
            }
            RelationStorage::ForeignKey { .. } => {}
        }
    }

    fn check_foreign_key(
        &self,
        relation: &PrismaRelation,
        expected: &ForeignKey,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let subject = format!("relation \"{}\" ({})", relation.field, reference(expected));
        let Some(actual) = find_foreign_key(self.actual, &expected.columns) else {
            self.report(
                &relation.at,
                format!("{subject} has no foreign key in the migrations"),
                diagnostics,
            );
            return;
        };
        let same_target = same_name(&expected.ref_table, &actual.ref_table)
            && same_names(&expected.ref_columns, &actual.ref_columns);
        if !same_target {
            self.report(
                &relation.at,
                format!(
                    "{subject}: the migrations' foreign key references {}({}) instead",
                    actual.ref_table,
                    actual.ref_columns.join(", ")
                ),
                diagnostics,
            );
        }
        if expected.on_delete != actual.on_delete {
            self.report(
                &relation.at,
                format!(
                    "{subject} is ON DELETE {} in {} but ON DELETE {} in the migrations",
                    expected.on_delete, relation.at.file, actual.on_delete
                ),
                diagnostics,
            );
        }
    }

    fn check_unique(&self, unique: &PrismaUnique, diagnostics: &mut Vec<Diagnostic>) {
        let present =
            self.actual.indexes.iter().any(|i| {
                i.unique && i.predicate.is_none() && same_names(&i.columns, &unique.columns)
            });
        if !present {
            self.report(
                &unique.at,
                format!(
                    "unique index \"{}\" on ({}) is not created by the migrations",
                    unique.index,
                    unique.columns.join(", ")
                ),
                diagnostics,
            );
        }
    }
}

/// `cols -> Table(cols)` for messages.
fn reference(foreign_key: &ForeignKey) -> String {
    format!(
        "{} -> {}({})",
        foreign_key.columns.join(", "),
        foreign_key.ref_table,
        foreign_key.ref_columns.join(", ")
    )
}

fn same_names(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_name(x, y))
}

fn find_foreign_key<'t>(table: &'t Table, columns: &[String]) -> Option<&'t ForeignKey> {
    table
        .foreign_keys
        .iter()
        .find(|fk| same_names(&fk.columns, columns))
}

/// A type reduced to what drift compares: upper case, quotes and `public.` dropped, synonyms
/// folded (`INT` = `INTEGER` = `SERIAL`, `NUMERIC` = `DECIMAL`, `TIMESTAMP WITH TIME ZONE` =
/// `TIMESTAMPTZ`, ...), parameters such as `(3)` kept only when `keep_parameters`.
pub(super) fn type_family(data_type: &str, keep_parameters: bool) -> String {
    let cleaned: String = data_type
        .chars()
        .filter(|c| *c != '"' && *c != '`')
        .collect::<String>()
        .to_ascii_uppercase();
    let cleaned = cleaned.trim();
    let cleaned = cleaned.strip_prefix("PUBLIC.").unwrap_or(cleaned);
    let (without_parameters, parameters) = split_parameters(cleaned);
    let base: Vec<&str> = without_parameters.split_whitespace().collect();
    let base = canonical_base(&base.join(" "));
    if keep_parameters {
        format!("{base}{parameters}")
    } else {
        base
    }
}

/// Splits `TIMESTAMP(6) WITH TIME ZONE` into `TIMESTAMP  WITH TIME ZONE` and `(6)` (spaces inside
/// the parameters removed). Array brackets stay in the first part.
fn split_parameters(data_type: &str) -> (String, String) {
    let Some(open) = data_type.find('(') else {
        return (data_type.to_string(), String::new());
    };
    let close = data_type[open..]
        .find(')')
        .map_or(data_type.len(), |c| open + c + 1);
    let parameters: String = data_type[open..close]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    (
        format!("{} {}", &data_type[..open], &data_type[close..]),
        parameters,
    )
}

fn canonical_base(base: &str) -> String {
    let (element, array) = match base.find('[') {
        Some(at) => (base[..at].trim(), &base[at..]),
        None => (base, ""),
    };
    let canonical = match element {
        "INT" | "INT4" | "SERIAL" | "SERIAL4" => "INTEGER",
        "INT8" | "BIGSERIAL" | "SERIAL8" => "BIGINT",
        "INT2" | "SMALLSERIAL" | "SERIAL2" => "SMALLINT",
        "BOOL" => "BOOLEAN",
        "DOUBLE" | "FLOAT8" => "DOUBLE PRECISION",
        "FLOAT4" => "REAL",
        "NUMERIC" => "DECIMAL",
        "TIMESTAMP WITHOUT TIME ZONE" => "TIMESTAMP",
        "TIMESTAMP WITH TIME ZONE" => "TIMESTAMPTZ",
        "TIME WITHOUT TIME ZONE" => "TIME",
        "TIME WITH TIME ZONE" => "TIMETZ",
        "CHARACTER VARYING" => "VARCHAR",
        "CHARACTER" => "CHAR",
        other => other,
    };
    format!("{canonical}{array}")
}

#[cfg(test)]
mod tests {
    use super::type_family;

    #[test]
    fn type_families_fold_synonyms_and_precision() {
        assert_eq!(type_family("INT", false), type_family("INTEGER", false));
        assert_eq!(type_family("SERIAL", false), "INTEGER");
        assert_eq!(type_family("TIMESTAMP(3)", false), "TIMESTAMP");
        assert_eq!(
            type_family("timestamp(6) with time zone", true),
            "TIMESTAMPTZ(6)"
        );
        assert_eq!(type_family("NUMERIC(10, 2)", true), "DECIMAL(10,2)");
        assert_eq!(type_family("public.\"Role\"", false), "ROLE");
        assert_eq!(type_family("TEXT[]", false), "TEXT[]");
        assert_ne!(
            type_family("VARCHAR(191)", true),
            type_family("VARCHAR(255)", true)
        );
        assert_ne!(type_family("TEXT", false), type_family("INTEGER", false));
    }
}
