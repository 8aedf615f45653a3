//! Real-database oracle for the cascade analysis: every schema is created in SQLite with foreign
//! keys on, one row per table linked to its parents' row, and the root row is deleted. What
//! SQLite did must agree with what [`cascade_from`] predicted.
//!
//! Data layout: each table has rows `id = 1` (referencing its parents' row 1) and `id = 0` (a
//! sentinel referencing its parents' row 0). `SET DEFAULT` columns default to 0, so setting them
//! to their default points at an existing sentinel, which keeps the data valid the way a real
//! schema with a meaningful default would be. Rows are inserted with deferred foreign keys, so
//! cycles and self-references need no insertion order.

use std::collections::BTreeSet;

use proptest::prelude::*;
use rusqlite::Connection;
use schemagate::analysis::cascade::{CascadeReport, cascade_from};
use schemagate::analysis::schema::{Column, ForeignKey, ReferentialAction, Schema, Table};

use ReferentialAction::{Cascade, NoAction, Restrict, SetDefault, SetNull};

/// One foreign key of a generated schema: child table, parent table, action, NOT NULL.
type EdgeSpec = (usize, usize, ReferentialAction, bool);

/// Builds a schema of `tables` tables (`t0`, `t1`, ...) with one FK column per edge.
/// Parents are referred to in upper case to exercise case-insensitive lookups.
fn build_schema(tables: usize, edges: &[EdgeSpec]) -> Schema {
    let mut schema = Schema {
        tables: (0..tables)
            .map(|t| Table {
                name: format!("t{t}"),
                columns: vec![Column {
                    name: "id".into(),
                    data_type: "INTEGER".into(),
                    primary_key: true,
                    ..Column::default()
                }],
                ..Table::default()
            })
            .collect(),
        enums: Vec::new(),
    };
    for (i, &(child, parent, action, not_null)) in edges.iter().enumerate() {
        let Some(table) = schema.tables.get_mut(child) else {
            continue;
        };
        let column = format!("fk{i}_to_t{parent}");
        table.columns.push(Column {
            name: column.clone(),
            data_type: "INTEGER".into(),
            nullable: !not_null || action == SetNull,
            default: (action == SetDefault).then(|| "0".to_string()),
            primary_key: false,
            identity: false,
        });
        table.foreign_keys.push(ForeignKey {
            columns: vec![column],
            ref_table: format!("T{parent}"),
            ref_columns: vec!["id".into()],
            on_delete: action,
            ..ForeignKey::default()
        });
    }
    schema
}

/// `CREATE TABLE` statements for `schema`.
fn render_ddl(schema: &Schema) -> String {
    schema.tables.iter().map(render_table).collect()
}

fn render_table(table: &Table) -> String {
    let columns: Vec<String> = table
        .columns
        .iter()
        .map(|c| {
            let mut sql = format!("\"{}\" {}", c.name, c.data_type);
            if c.primary_key {
                sql.push_str(" PRIMARY KEY");
            }
            if !c.nullable && !c.primary_key {
                sql.push_str(" NOT NULL");
            }
            if let Some(default) = &c.default {
                sql.push_str(&format!(" DEFAULT {default}"));
            }
            sql
        })
        .collect();
    let fks = table.foreign_keys.iter().map(|fk| {
        format!(
            "FOREIGN KEY (\"{}\") REFERENCES \"{}\" (\"{}\") ON DELETE {}",
            fk.columns.join("\", \""),
            fk.ref_table,
            fk.ref_columns.join("\", \""),
            fk.on_delete.sql()
        )
    });
    let body: Vec<String> = columns.into_iter().chain(fks).collect();
    format!("CREATE TABLE \"{}\" ({});\n", table.name, body.join(", "))
}

/// Inserts rows 0 and 1 of every table, each FK column pointing at the parent's row of the
/// same id, with foreign keys checked only at commit.
fn insert_rows(db: &Connection, schema: &Schema) -> rusqlite::Result<()> {
    db.execute_batch("BEGIN; PRAGMA defer_foreign_keys = ON;")?;
    for table in &schema.tables {
        let names: Vec<String> = table
            .columns
            .iter()
            .map(|c| format!("\"{}\"", c.name))
            .collect();
        for id in [0, 1] {
            let values = vec![id.to_string(); names.len()];
            db.execute(
                &format!(
                    "INSERT INTO \"{}\" ({}) VALUES ({})",
                    table.name,
                    names.join(", "),
                    values.join(", ")
                ),
                [],
            )?;
        }
    }
    db.execute_batch("COMMIT;")
}

/// What SQLite did when row 1 of the root was deleted.
#[derive(Debug)]
enum Outcome {
    /// The delete failed on a foreign key.
    Refused,
    /// The delete succeeded: tables that lost row 1, tables whose row 1 had an FK changed.
    Deleted {
        lost: BTreeSet<String>,
        modified: BTreeSet<String>,
    },
}

fn run_delete(schema: &Schema, root: &str) -> Outcome {
    let db = Connection::open_in_memory().expect("open sqlite");
    db.execute_batch("PRAGMA foreign_keys = ON;")
        .expect("foreign keys on");
    db.execute_batch(&render_ddl(schema))
        .expect("create tables");
    insert_rows(&db, schema).expect("insert rows");
    match db.execute(&format!("DELETE FROM \"{root}\" WHERE id = 1"), []) {
        Ok(_) => {}
        Err(e) if e.to_string().contains("FOREIGN KEY constraint failed") => {
            return Outcome::Refused;
        }
        Err(e) => panic!(
            "unexpected error deleting from {root}: {e}\n{}",
            render_ddl(schema)
        ),
    }
    let mut lost = BTreeSet::new();
    let mut modified = BTreeSet::new();
    for table in &schema.tables {
        match row_one_fks(&db, table) {
            None => {
                lost.insert(table.name.clone());
            }
            Some(values) if values.iter().any(|v| *v != Some(1)) => {
                modified.insert(table.name.clone());
            }
            Some(_) => {}
        }
    }
    Outcome::Deleted { lost, modified }
}

/// The FK column values of row 1 of `table`, or `None` when the row is gone.
fn row_one_fks(db: &Connection, table: &Table) -> Option<Vec<Option<i64>>> {
    let fk_columns: Vec<String> = table
        .foreign_keys
        .iter()
        .flat_map(|fk| fk.columns.iter().map(|c| format!("\"{c}\"")))
        .chain(["id".to_string()])
        .collect();
    let sql = format!(
        "SELECT {} FROM \"{}\" WHERE id = 1",
        fk_columns.join(", "),
        table.name
    );
    let mut stmt = db.prepare(&sql).expect("prepare select");
    let mut rows = stmt.query([]).expect("select");
    let row = rows.next().expect("step")?;
    let values = (0..fk_columns.len() - 1)
        .map(|i| row.get::<_, Option<i64>>(i).expect("integer column"))
        .collect();
    Some(values)
}

/// Checks the prediction for deleting from `root` against SQLite.
fn check_root(schema: &Schema, root: &str) {
    let report = cascade_from(schema, root).expect("root exists");
    let context = format!("root {root}\n{}\n{report:#?}", render_ddl(schema));
    check_paths(&report, &context);
    match run_delete(schema, root) {
        Outcome::Refused => assert!(
            !report.restricted_by.is_empty(),
            "SQLite refused the delete but nothing restricts it: {context}"
        ),
        Outcome::Deleted { lost, modified } => {
            check_successful_delete(&report, root, &lost, &modified, &context)
        }
    }
}

fn check_successful_delete(
    report: &CascadeReport,
    root: &str,
    lost: &BTreeSet<String>,
    modified: &BTreeSet<String>,
    context: &str,
) {
    let reached: BTreeSet<String> = report.tables_reached.iter().cloned().collect();
    let mut expected_lost = reached.clone();
    expected_lost.insert(root.to_string());
    assert_eq!(lost, &expected_lost, "tables that lost rows: {context}");
    let nulled: BTreeSet<String> = report.tables_nulled.iter().cloned().collect();
    assert_eq!(modified, &nulled, "tables nulled: {context}");
    // A delete that succeeded can only have had RESTRICT checks on children that were being
    // deleted too (whether they were gone in time depends on the order SQLite fires actions).
    for restriction in &report.restricted_by {
        assert_eq!(
            restriction.action, Restrict,
            "NO ACTION child survived: {context}"
        );
        assert!(
            expected_lost.contains(&restriction.table),
            "a surviving child restricts the delete, yet it succeeded: {context}"
        );
    }
}

/// The paths must agree with the sets: each starts at the root, follows only `CASCADE` edges
/// before its last one, and the tables they reach through `CASCADE` edges are `tables_reached`.
fn check_paths(report: &CascadeReport, context: &str) {
    let mut reached_by_paths = BTreeSet::new();
    for path in &report.paths {
        assert_eq!(path.tables.first(), Some(&report.root), "{context}");
        assert_eq!(path.tables.len(), path.actions.len() + 1, "{context}");
        let (last, inner) = path.actions.split_last().expect("a path has an edge");
        assert!(inner.iter().all(|a| *a == Cascade), "{context}");
        let cascaded = if *last == Cascade {
            path.tables.len()
        } else {
            path.tables.len() - 1
        };
        reached_by_paths.extend(path.tables[1..cascaded].iter().cloned());
    }
    reached_by_paths.remove(&report.root);
    let reached: BTreeSet<String> = report.tables_reached.iter().cloned().collect();
    assert_eq!(
        reached_by_paths, reached,
        "paths disagree with tables_reached: {context}"
    );
}

fn check_all_roots(schema: &Schema) {
    for table in &schema.tables {
        check_root(schema, &table.name);
    }
}

#[test]
fn chain_four_deep() {
    check_all_roots(&build_schema(
        5,
        &[
            (1, 0, Cascade, true),
            (2, 1, Cascade, true),
            (3, 2, Cascade, false),
            (4, 3, Cascade, true),
        ],
    ));
}

#[test]
fn chain_ending_in_each_stopping_action() {
    for action in [SetNull, SetDefault, Restrict, NoAction] {
        check_all_roots(&build_schema(
            4,
            &[
                (1, 0, Cascade, true),
                (2, 1, Cascade, true),
                (3, 2, action, true),
            ],
        ));
    }
}

#[test]
fn diamond() {
    check_all_roots(&build_schema(
        4,
        &[
            (1, 0, Cascade, true),
            (2, 0, Cascade, true),
            (3, 1, Cascade, true),
            (3, 2, Cascade, true),
        ],
    ));
}

#[test]
fn diamond_with_no_action_side_is_excused_but_restrict_is_not() {
    let excused = build_schema(
        4,
        &[
            (1, 0, Cascade, true),
            (2, 0, Cascade, true),
            (3, 1, Cascade, true),
            (3, 2, NoAction, true),
        ],
    );
    let report = cascade_from(&excused, "t0").expect("root");
    assert!(report.restricted_by.is_empty());
    check_all_roots(&excused);
    check_all_roots(&build_schema(
        4,
        &[
            (1, 0, Cascade, true),
            (2, 0, Cascade, true),
            (3, 1, Cascade, true),
            (3, 2, Restrict, true),
        ],
    ));
}

#[test]
fn self_references() {
    for action in [Cascade, SetNull, SetDefault, Restrict, NoAction] {
        check_all_roots(&build_schema(
            2,
            &[(0, 0, action, false), (1, 0, Cascade, true)],
        ));
    }
}

#[test]
fn cycles_via_nullable_foreign_keys() {
    for back in [Cascade, SetNull, NoAction, Restrict] {
        check_all_roots(&build_schema(
            3,
            &[
                (1, 0, Cascade, true),
                (2, 1, Cascade, true),
                (0, 2, back, false),
            ],
        ));
    }
}

#[test]
fn mixed_actions() {
    check_all_roots(&build_schema(
        6,
        &[
            (1, 0, Cascade, true),
            (2, 0, SetNull, false),
            (3, 1, Restrict, true),
            (4, 1, NoAction, true),
            (4, 0, Cascade, true),
            (5, 2, SetDefault, true),
            (5, 1, Cascade, false),
            (2, 5, Cascade, false),
        ],
    ));
}

fn action() -> impl Strategy<Value = ReferentialAction> {
    prop_oneof![
        3 => Just(Cascade),
        1 => Just(SetNull),
        1 => Just(SetDefault),
        1 => Just(Restrict),
        1 => Just(NoAction),
    ]
}

fn generated_schema() -> impl Strategy<Value = (usize, Vec<EdgeSpec>)> {
    (1usize..=7).prop_flat_map(|tables| {
        let edge = (0..tables, 0..tables, action(), any::<bool>());
        (Just(tables), prop::collection::vec(edge, 0..=12))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn generated_schemas_agree_with_sqlite((tables, edges) in generated_schema()) {
        check_all_roots(&build_schema(tables, &edges));
    }
}
