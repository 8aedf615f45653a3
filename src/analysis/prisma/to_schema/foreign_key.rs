//! Relation fields that hold `fields:`/`references:` become foreign keys with Prisma's default
//! referential actions.

use super::{Context, ModelDef};
use crate::analysis::diagnostic::Diagnostic;
use crate::analysis::prisma::ast::{Arity, Attribute, Declaration, Expr};
use crate::analysis::prisma::sql_types;
use crate::analysis::schema::{ForeignKey, ReferentialAction};

impl<'a> Context<'a> {
    /// The foreign key of a relation field that has `fields:`; `None` for the other side.
    pub(super) fn foreign_key(
        &self,
        model: &ModelDef,
        declaration: &Declaration,
        target: &ModelDef,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<ForeignKey> {
        let relation = declaration.attribute("relation")?;
        let fields = relation.argument("fields", None)?.names();
        let line = declaration.line;
        let Some(references) = relation.argument("references", None).map(Expr::names) else {
            diagnostics.push(self.diagnostic(
                model,
                line,
                format!(
                    "relation \"{}\" has fields but no references",
                    declaration.name
                ),
            ));
            return None;
        };
        let columns = self.columns_of(model, &fields, line, diagnostics);
        let ref_columns = self.columns_of(target, &references, line, diagnostics);
        if columns.len() != ref_columns.len() {
            diagnostics.push(self.diagnostic(
                model,
                line,
                format!(
                    "relation \"{}\" has {} fields but {} references",
                    declaration.name,
                    columns.len(),
                    ref_columns.len()
                ),
            ));
        }
        let optional = declaration
            .field_type
            .as_ref()
            .is_some_and(|t| t.arity == Arity::Optional);
        let default_on_delete = if optional {
            ReferentialAction::SetNull
        } else {
            ReferentialAction::Restrict
        };
        let on_delete = self.action(
            model,
            declaration,
            relation,
            "onDelete",
            default_on_delete,
            diagnostics,
        );
        let on_update = self.action(
            model,
            declaration,
            relation,
            "onUpdate",
            ReferentialAction::Cascade,
            diagnostics,
        );
        let name = relation.string_argument("map", None).unwrap_or_else(|| {
            sql_types::constraint_name(self.dialect, &model.table, &columns, "_fkey")
        });
        Some(ForeignKey {
            name: Some(name),
            columns,
            ref_table: target.table.clone(),
            ref_columns,
            on_delete,
            on_update,
            enforcement: self.enforcement(),
        })
    }

    /// The `onDelete` / `onUpdate` action named `name`, or `default` when absent or invalid.
    fn action(
        &self,
        model: &ModelDef,
        declaration: &Declaration,
        relation: &Attribute,
        name: &str,
        default: ReferentialAction,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> ReferentialAction {
        match parse_action(relation.argument(name, None)) {
            Ok(action) => action.unwrap_or(default),
            Err(found) => {
                let message = format!(
                    "relation \"{}\": {name} {found} is not a referential action; \
                     Prisma's default {default} is assumed",
                    declaration.name
                );
                diagnostics.push(self.diagnostic(model, declaration.line, message));
                default
            }
        }
    }
}

/// A referential action name; `Err` with what was found when it is not one.
fn parse_action(expr: Option<&Expr>) -> Result<Option<ReferentialAction>, String> {
    let Some(expr) = expr else { return Ok(None) };
    let action = match expr {
        Expr::Constant(name) => match name.as_str() {
            "Cascade" => ReferentialAction::Cascade,
            "Restrict" => ReferentialAction::Restrict,
            "NoAction" => ReferentialAction::NoAction,
            "SetNull" => ReferentialAction::SetNull,
            "SetDefault" => ReferentialAction::SetDefault,
            other => return Err(other.to_string()),
        },
        _ => return Err("a non-name value".to_string()),
    };
    Ok(Some(action))
}
