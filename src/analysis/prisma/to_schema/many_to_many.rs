//! Implicit many-to-many relations: two list relation fields pointing at each other, stored in
//! a join table `_AToB` (or `_RelationName`) that Prisma Migrate creates.

use super::{Context, FieldKind, ModelDef};
use crate::analysis::diagnostic::Diagnostic;
use crate::analysis::dialect::Dialect;
use crate::analysis::prisma::ast::{Arity, Declaration, Expr};
use crate::analysis::prisma::{PrismaModel, PrismaRelation, RelationStorage};
use crate::analysis::schema::{Column, ForeignKey, Index, IndexOrigin, ReferentialAction, Table};

/// The two models of an implicit many-to-many relation, `a` sorting first.
struct ManyToMany<'c, 'a> {
    table: String,
    a: &'c ModelDef<'a>,
    b: &'c ModelDef<'a>,
}

impl<'a> Context<'a> {
    /// Adds a join table for every implicit many-to-many relation, recording it on the model
    /// whose field is met first.
    pub(super) fn add_join_tables(
        &self,
        tables: &mut Vec<Table>,
        models: &mut [PrismaModel],
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        for (model, info) in self.models.iter().zip(models.iter_mut()) {
            for declaration in model.at.block.declarations() {
                let Some(pair) = self.many_to_many(model, declaration) else {
                    continue;
                };
                if tables.iter().any(|t| t.name == pair.table) {
                    continue;
                }
                let Some(table) = self.join_table(&pair, diagnostics) else {
                    continue;
                };
                info.relations.push(PrismaRelation {
                    field: declaration.name.clone(),
                    storage: RelationStorage::JoinTable {
                        table: table.name.clone(),
                    },
                    at: Self::source_line(model, declaration.line),
                });
                tables.push(table);
            }
        }
    }

    /// The relation `declaration` takes part in, if it is an implicit many-to-many one.
    fn many_to_many<'c>(
        &'c self,
        model: &'c ModelDef<'a>,
        declaration: &'a Declaration,
    ) -> Option<ManyToMany<'c, 'a>> {
        let field_type = declaration.field_type.as_ref()?;
        if field_type.arity != Arity::List || declaration.has_relation_fields() {
            return None;
        }
        let FieldKind::Relation(target) = self.classify(field_type) else {
            return None;
        };
        let name = declaration.relation_name();
        let has_list_opposite = target.at.block.declarations().any(|other| {
            let points_back = other
                .field_type
                .as_ref()
                .is_some_and(|t| t.name == model.name && t.arity == Arity::List);
            let is_itself = target.name == model.name && other.name == declaration.name;
            points_back && !is_itself && other.relation_name() == name
        });
        if !has_list_opposite {
            return None;
        }
        let (a, b) = if model.name <= target.name {
            (model, target)
        } else {
            (target, model)
        };
        let relation = name.unwrap_or_else(|| format!("{}To{}", a.name, b.name));
        Some(ManyToMany {
            table: format!("_{relation}"),
            a,
            b,
        })
    }

    /// The join table: columns `A` and `B` referencing the two ids with `ON DELETE CASCADE`.
    fn join_table(&self, pair: &ManyToMany, diagnostics: &mut Vec<Diagnostic>) -> Option<Table> {
        let mut sides = Vec::new();
        for (column, model) in [("A", pair.a), ("B", pair.b)] {
            let Some(key) = self.single_id(model) else {
                let message = format!(
                    "the implicit many-to-many relation {} needs a single-field @id on this model",
                    pair.table
                );
                diagnostics.push(self.diagnostic(model, model.at.block.line, message));
                return None;
            };
            sides.push((column, model, key));
        }
        let in_primary_key = self.dialect == Dialect::Postgres;
        let table = &pair.table;
        let columns = sides
            .iter()
            .map(|(column, _, (_, data_type))| Column {
                name: column.to_string(),
                data_type: data_type.clone(),
                nullable: false,
                default: None,
                primary_key: in_primary_key,
                identity: false,
            })
            .collect();
        let foreign_keys = sides
            .iter()
            .map(|(column, model, (id_column, _))| ForeignKey {
                name: Some(format!("{table}_{column}_fkey")),
                columns: vec![column.to_string()],
                ref_table: model.table.clone(),
                ref_columns: vec![id_column.clone()],
                on_delete: ReferentialAction::Cascade,
                on_update: ReferentialAction::Cascade,
                enforcement: self.enforcement(),
            })
            .collect();
        let mut indexes = Vec::new();
        if !in_primary_key {
            indexes.push(join_index(format!("{table}_AB_unique"), &["A", "B"], true));
        }
        indexes.push(join_index(format!("{table}_B_index"), &["B"], false));
        Some(Table {
            name: table.clone(),
            columns,
            indexes,
            foreign_keys,
            ..Table::default()
        })
    }

    /// The (column, SQL type without autoincrement) of a model's single-field id.
    fn single_id(&self, model: &ModelDef<'a>) -> Option<(String, String)> {
        let block = model.at.block;
        let mut ids = block.declarations().filter(|d| d.has("id"));
        let id = match (ids.next(), ids.next()) {
            (Some(id), None) => id,
            (None, _) => {
                let attribute = block.attribute("id")?;
                let fields = attribute.argument("fields", Some(0)).map(Expr::names)?;
                let [field] = fields.as_slice() else {
                    return None;
                };
                block.declaration(field)?
            }
            (Some(_), Some(_)) => return None,
        };
        let field_type = id.field_type.as_ref()?;
        let kind = self.classify(field_type);
        let (data_type, _) = self.column_type(id, field_type, &kind, false);
        Some((id.database_name(), data_type))
    }
}

fn join_index(name: String, columns: &[&str], unique: bool) -> Index {
    Index {
        name,
        columns: columns.iter().map(|c| c.to_string()).collect(),
        unique,
        predicate: None,
        origin: IndexOrigin::Explicit,
    }
}
