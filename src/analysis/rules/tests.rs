//! Unit tests of `evaluate` over hand-built changes (one or two per rule, each with a safe
//! variant that must stay quiet).

use super::testkit::{ChangeBuilder, column, table};
use super::{Finding, Risk, evaluate, pr_risk};
use crate::analysis::cascade::{CascadeChange, CascadePath};
use crate::analysis::detect::Framework;
use crate::analysis::diagnostic::{Diagnostic, DiagnosticKind};
use crate::analysis::dialect::Dialect;
use crate::analysis::diff::{DiffLine, FileDiff, FileStatus};
use crate::analysis::replay::SchemaChange;
use crate::analysis::schema::{ForeignKey, Index, ReferentialAction, Schema};

const M1: &str = "prisma/migrations/20240101000000_init/migration.sql";
const M2: &str = "prisma/migrations/20240201000000_pr/migration.sql";

fn rules(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.rule).collect()
}

fn only<'a>(findings: &'a [Finding], rule: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.rule == rule).collect()
}

fn fk(columns: &[&str], parent: &str, on_delete: ReferentialAction) -> ForeignKey {
    ForeignKey {
        name: None,
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        ref_table: parent.to_owned(),
        ref_columns: vec!["id".to_owned()],
        on_delete,
        ..ForeignKey::default()
    }
}

fn unique_index(name: &str, columns: &[&str]) -> Index {
    Index {
        name: name.to_owned(),
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        unique: true,
        ..Index::default()
    }
}

fn sqlite() -> ChangeBuilder {
    ChangeBuilder::new(Dialect::Sqlite).applied(
        M1,
        "20240101000000",
        "CREATE TABLE \"Recipe\" (id INTEGER);",
    )
}

fn postgres() -> ChangeBuilder {
    ChangeBuilder::new(Dialect::Postgres).applied(
        M1,
        "20240101000000",
        "CREATE TABLE \"Recipe\" (id INTEGER);",
    )
}

#[test]
fn drop_table_fires_on_existing_tables_only() {
    let change = sqlite()
        .added(
            M2,
            "20240201000000",
            "CREATE TABLE \"Tmp\" (id INTEGER);\nDROP TABLE \"Tmp\";\nDROP TABLE \"Recipe\";",
        )
        .with_event(
            M2,
            1,
            SchemaChange::CreateTable {
                table: "Tmp".into(),
            },
        )
        .with_event(
            M2,
            2,
            SchemaChange::DropTable {
                table: "Tmp".into(),
            },
        )
        .with_event(
            M2,
            3,
            SchemaChange::DropTable {
                table: "Recipe".into(),
            },
        )
        .build();
    let findings = evaluate(&change);
    let drops = only(&findings, "drop-table");
    assert_eq!(drops.len(), 1);
    assert_eq!(
        (drops[0].line, drops[0].table.as_deref()),
        (3, Some("Recipe"))
    );
    assert_eq!(drops[0].risk, Risk::High);
}

#[test]
fn a_table_dropped_then_recreated_was_existing_when_dropped() {
    let change = sqlite()
        .added(M2, "20240201000000", "DROP TABLE \"Recipe\";\nCREATE TABLE \"Recipe\" (id INTEGER);\nDELETE FROM \"Recipe\";")
        .with_event(M2, 1, SchemaChange::DropTable { table: "Recipe".into() })
        .with_event(M2, 2, SchemaChange::CreateTable { table: "Recipe".into() })
        .build();
    assert_eq!(rules(&evaluate(&change)), vec!["drop-table"]);
}

#[test]
fn redefine_drop_column_is_reported_once_with_prisma_evidence() {
    let sql = "/*\n  Warnings:\n*/\n-- You are about to drop the column `description` on the `Recipe` table.\nCREATE TABLE \"new_Recipe\" (id INTEGER);";
    let change = sqlite()
        .added(M2, "20240201000000", sql)
        .with_event(
            M2,
            5,
            SchemaChange::RedefineTable {
                table: "Recipe".into(),
                carried: vec![("id".into(), "id".into())],
                dropped: vec!["description".into()],
                added: vec![],
            },
        )
        .with_event(
            M2,
            5,
            SchemaChange::DropColumn {
                table: "Recipe".into(),
                column: column("description", "TEXT", true),
            },
        )
        .build();
    let findings = evaluate(&change);
    let drops = only(&findings, "drop-column");
    assert_eq!(drops.len(), 1, "{findings:#?}");
    assert_eq!(
        drops[0].message,
        "drops column \"description\" of \"Recipe\": its data is lost (the table rewrite does not copy it); Prisma's migration warnings say so too"
    );
    assert_eq!(drops[0].column.as_deref(), Some("description"));
}

#[test]
fn data_changes_by_boundedness() {
    let sql = "DELETE FROM \"Recipe\";\nDELETE FROM \"Recipe\" WHERE id = 1;\nUPDATE \"Recipe\" SET id = 2;\nUPDATE \"Recipe\" SET id = 2 WHERE id = 3;\nTRUNCATE \"Recipe\";";
    let findings = evaluate(&postgres().added(M2, "20240201000000", sql).build());
    let data: Vec<(usize, &str, Risk)> = findings
        .iter()
        .filter(|f| f.rule != "missing-lock-timeout")
        .map(|f| (f.line, f.rule, f.risk))
        .collect();
    assert_eq!(
        data,
        vec![
            (1, "delete-without-where", Risk::Critical),
            (2, "delete-with-where", Risk::Medium),
            (3, "update-without-where", Risk::High),
            (4, "update-with-where", Risk::Medium),
            (5, "truncate", Risk::Critical),
        ]
    );
}

#[test]
fn data_changes_on_new_tables_are_exempt() {
    let change = sqlite()
        .added(
            M2,
            "20240201000000",
            "CREATE TABLE \"Tag\" (id INTEGER);\nDELETE FROM \"Tag\";",
        )
        .with_event(
            M2,
            1,
            SchemaChange::CreateTable {
                table: "Tag".into(),
            },
        )
        .build();
    assert!(evaluate(&change).is_empty());
}

#[test]
fn type_changes_narrowing_widening_and_rewrites() {
    let alter = |before: &str, after: &str| SchemaChange::AlterColumn {
        table: "Recipe".into(),
        before: column("title", before, true),
        after: column("title", after, true),
    };
    let change = postgres()
        .added(M2, "20240201000000", "SELECT 1;\nSELECT 2;\nSELECT 3;")
        .with_event(M2, 1, alter("VARCHAR(100)", "VARCHAR(50)"))
        .with_event(M2, 2, alter("VARCHAR(50)", "TEXT"))
        .with_event(M2, 3, alter("INTEGER", "BIGINT"))
        .build();
    let findings: Vec<(usize, &str)> = evaluate(&change).iter().map(|f| (f.line, f.rule)).collect();
    assert_eq!(
        findings,
        vec![
            (1, "narrowing-type-change"),
            (1, "table-rewrite"),
            (2, "widening-type-change"),
            (3, "table-rewrite"),
            (3, "widening-type-change"),
        ]
    );
}

fn cascade_change(
    root: &str,
    paths: &[&[&str]],
    reached: &[&str],
    emulated: bool,
) -> CascadeChange {
    CascadeChange {
        root: root.to_owned(),
        added_paths: paths
            .iter()
            .map(|tables| CascadePath {
                tables: tables.iter().map(|t| (*t).to_owned()).collect(),
                actions: vec![ReferentialAction::Cascade; tables.len().saturating_sub(1)],
                emulated,
            })
            .collect(),
        newly_reached: reached.iter().map(|t| (*t).to_owned()).collect(),
        newly_nulled: Vec::new(),
    }
}

#[test]
fn cascade_widened_names_root_reached_tables_and_path() {
    let mut builder = sqlite()
        .added(M2, "20240201000000", "SELECT 1;\nSELECT 2;")
        .with_event(
            M2,
            2,
            SchemaChange::AddForeignKey {
                table: "Recipe".into(),
                foreign_key: fk(&["authorId"], "User", ReferentialAction::Cascade),
            },
        );
    builder.cascade_changes = vec![cascade_change(
        "User",
        &[&["User", "Recipe", "RecipeIngredient"]],
        &["Recipe", "RecipeIngredient", "MealPlan"],
        false,
    )];
    let findings = evaluate(&builder.build());
    let cascade = only(&findings, "cascade-widened");
    assert_eq!(cascade.len(), 1);
    assert_eq!(
        cascade[0].message,
        "deleting a User row now also deletes every row in Recipe, RecipeIngredient, MealPlan (new CASCADE path User -> Recipe -> RecipeIngredient)"
    );
    assert_eq!((cascade[0].line, cascade[0].risk), (2, Risk::Critical));
    assert_eq!(cascade[0].table.as_deref(), Some("User"));
}

#[test]
fn cascade_into_new_tables_is_low_and_emulation_is_said() {
    let mut builder = sqlite()
        .added(M2, "20240201000000", "CREATE TABLE \"Tag\" (id INTEGER);")
        .with_event(
            M2,
            1,
            SchemaChange::CreateTable {
                table: "Tag".into(),
            },
        );
    builder.prisma_schema_files = vec!["prisma/schema.prisma".into()];
    builder.cascade_changes = vec![cascade_change(
        "Recipe",
        &[&["Recipe", "Tag"]],
        &["Tag"],
        true,
    )];
    let findings = evaluate(&builder.build());
    assert_eq!(rules(&findings), vec!["cascade-into-new-table"]);
    assert_eq!(findings[0].risk, Risk::Low);
    assert_eq!(findings[0].file, "prisma/schema.prisma");
    assert!(
        findings[0]
            .message
            .contains("emulated by the Prisma client"),
        "{}",
        findings[0].message
    );
}

#[test]
fn set_null_on_a_required_column() {
    let mut builder = sqlite().added(M2, "20240201000000", "SELECT 1;\nSELECT 2;");
    builder.head_schema = Schema {
        tables: vec![table(
            "Recipe",
            vec![
                column("ownerId", "INTEGER", false),
                column("editorId", "INTEGER", true),
            ],
        )],
        enums: Vec::new(),
    };
    let builder = builder
        .with_event(
            M2,
            1,
            SchemaChange::AddForeignKey {
                table: "Recipe".into(),
                foreign_key: fk(&["ownerId"], "User", ReferentialAction::SetNull),
            },
        )
        .with_event(
            M2,
            2,
            SchemaChange::AddForeignKey {
                table: "Recipe".into(),
                foreign_key: fk(&["editorId"], "User", ReferentialAction::SetNull),
            },
        );
    let findings = evaluate(&builder.build());
    assert_eq!(rules(&findings), vec!["set-null-on-not-null"]);
    assert_eq!(findings[0].column.as_deref(), Some("ownerId"));
}

#[test]
fn dropped_foreign_key_unless_replaced() {
    let drop = |column: &str| SchemaChange::DropForeignKey {
        table: "Recipe".into(),
        foreign_key: fk(&[column], "User", ReferentialAction::Cascade),
    };
    let change = sqlite()
        .added(M2, "20240201000000", "SELECT 1;\nSELECT 2;\nSELECT 3;")
        .with_event(M2, 1, drop("authorId"))
        .with_event(M2, 2, drop("editorId"))
        .with_event(
            M2,
            3,
            SchemaChange::AddForeignKey {
                table: "Recipe".into(),
                foreign_key: fk(&["editorId"], "User", ReferentialAction::Restrict),
            },
        )
        .build();
    let findings = evaluate(&change);
    assert_eq!(rules(&findings), vec!["drop-foreign-key"]);
    assert!(findings[0].message.contains("authorId"));
}

#[test]
fn renames_break_deployed_code_but_prisma_rewrite_steps_do_not() {
    let change = sqlite()
        .added(M2, "20240201000000", "SELECT 1;\nSELECT 2;\nSELECT 3;")
        .with_event(
            M2,
            1,
            SchemaChange::RenameTable {
                from: "Recipe".into(),
                to: "Dish".into(),
            },
        )
        .with_event(
            M2,
            2,
            SchemaChange::RenameTable {
                from: "new_Dish".into(),
                to: "Dish".into(),
            },
        )
        .with_event(
            M2,
            3,
            SchemaChange::RenameColumn {
                table: "Dish".into(),
                from: "title".into(),
                to: "name".into(),
            },
        )
        .build();
    let found: Vec<(usize, &str)> = evaluate(&change).iter().map(|f| (f.line, f.rule)).collect();
    assert_eq!(found, vec![(1, "rename-table"), (3, "rename-column")]);
}

#[test]
fn required_columns_need_a_default() {
    let add = |name: &str, nullable: bool, default: Option<&str>| SchemaChange::AddColumn {
        table: "Recipe".into(),
        column: crate::analysis::schema::Column {
            default: default.map(str::to_owned),
            ..column(name, "TEXT", nullable)
        },
    };
    let change = sqlite()
        .added(M2, "20240201000000", "SELECT 1;\nSELECT 2;\nSELECT 3;")
        .with_event(M2, 1, add("slug", false, None))
        .with_event(M2, 2, add("note", true, None))
        .with_event(M2, 3, add("kind", false, Some("'main'")))
        .build();
    let findings = evaluate(&change);
    assert_eq!(rules(&findings), vec!["add-required-column"]);
    assert_eq!(findings[0].column.as_deref(), Some("slug"));
}

#[test]
fn redefine_adding_a_required_column_says_the_rewrite_fails() {
    let change = sqlite()
        .added(M2, "20240201000000", "SELECT 1;")
        .with_event(
            M2,
            1,
            SchemaChange::RedefineTable {
                table: "Recipe".into(),
                carried: vec![("id".into(), "id".into())],
                dropped: vec![],
                added: vec!["slug".into()],
            },
        )
        .with_event(
            M2,
            1,
            SchemaChange::AddColumn {
                table: "Recipe".into(),
                column: column("slug", "TEXT", false),
            },
        )
        .build();
    let findings = evaluate(&change);
    assert_eq!(rules(&findings), vec!["add-required-column"]);
    assert!(
        findings[0].message.contains("INSERT ... SELECT fails"),
        "{}",
        findings[0].message
    );
}

#[test]
fn set_not_null_and_unique_on_existing_tables() {
    let mut builder = sqlite().added(M2, "20240201000000", "SELECT 1;\nSELECT 2;\nSELECT 3;");
    builder.base_schema = Schema {
        tables: vec![crate::analysis::schema::Table {
            indexes: vec![unique_index("Recipe_id_key", &["id"])],
            ..table("Recipe", vec![column("id", "INTEGER", false)])
        }],
        enums: Vec::new(),
    };
    let change = builder
        .with_event(
            M2,
            1,
            SchemaChange::AlterColumn {
                table: "Recipe".into(),
                before: column("title", "TEXT", true),
                after: column("title", "TEXT", false),
            },
        )
        .with_event(
            M2,
            2,
            SchemaChange::CreateIndex {
                table: "Recipe".into(),
                index: unique_index("Recipe_title_key", &["title"]),
            },
        )
        .with_event(
            M2,
            3,
            SchemaChange::CreateIndex {
                table: "Recipe".into(),
                index: unique_index("Recipe_id_key", &["id"]),
            },
        )
        .build();
    let found: Vec<(usize, &str)> = evaluate(&change).iter().map(|f| (f.line, f.rule)).collect();
    assert_eq!(found, vec![(1, "set-not-null"), (2, "unique-on-existing")]);
}

#[test]
fn postgres_index_locking() {
    let sql = "SET lock_timeout = '5s';\nCREATE INDEX \"a\" ON \"Recipe\" (id);\nCREATE INDEX CONCURRENTLY \"b\" ON \"Recipe\" (id);";
    let findings = evaluate(&postgres().added(M2, "20240201000000", sql).build());
    let found: Vec<(usize, &str)> = findings.iter().map(|f| (f.line, f.rule)).collect();
    assert_eq!(
        found,
        vec![
            (2, "index-not-concurrently"),
            (3, "concurrently-in-transaction")
        ]
    );
    assert!(
        findings[1].message.contains("Prisma Migrate"),
        "{}",
        findings[1].message
    );
}

#[test]
fn concurrently_alone_is_fine_and_explicit_transactions_are_not() {
    let alone = "CREATE INDEX CONCURRENTLY \"b\" ON \"Recipe\" (id);";
    assert!(evaluate(&postgres().added(M2, "20240201000000", alone).build()).is_empty());
    let mut builder = postgres().added(
        M2,
        "20240201000000",
        "BEGIN;\nCREATE INDEX CONCURRENTLY \"b\" ON \"Recipe\" (id);\nCOMMIT;\nCREATE INDEX CONCURRENTLY \"c\" ON \"Recipe\" (id);",
    );
    builder.framework = Framework::GolangMigrate;
    let findings = evaluate(&builder.build());
    let found: Vec<(usize, &str)> = findings.iter().map(|f| (f.line, f.rule)).collect();
    assert_eq!(found, vec![(2, "concurrently-in-transaction")]);
    assert!(findings[0].message.contains("BEGIN ... COMMIT"));
}

#[test]
fn constraints_without_not_valid() {
    let sql = "SET lock_timeout = '5s';\n\
        ALTER TABLE \"Recipe\" ADD CONSTRAINT \"f\" FOREIGN KEY (\"a\") REFERENCES \"User\"(\"id\");\n\
        ALTER TABLE \"Recipe\" ADD CONSTRAINT \"g\" FOREIGN KEY (\"a\") REFERENCES \"User\"(\"id\") NOT VALID;\n\
        ALTER TABLE \"Recipe\" ADD CONSTRAINT \"c\" CHECK (id > 0);\n\
        ALTER TABLE \"Recipe\" ADD CONSTRAINT \"d\" CHECK (id > 0) NOT VALID;";
    let found: Vec<(usize, &str)> = evaluate(&postgres().added(M2, "20240201000000", sql).build())
        .iter()
        .map(|f| (f.line, f.rule))
        .collect();
    assert_eq!(
        found,
        vec![(2, "fk-without-not-valid"), (4, "check-without-not-valid")]
    );
}

#[test]
fn lock_timeout_is_asked_for_once_per_file() {
    let sql = "ALTER TABLE \"Recipe\" ADD COLUMN \"a\" TEXT;\nALTER TABLE \"Recipe\" ADD COLUMN \"b\" TEXT;";
    let findings = evaluate(&postgres().added(M2, "20240201000000", sql).build());
    assert_eq!(rules(&findings), vec!["missing-lock-timeout"]);
    assert!(
        findings[0].message.contains("and 1 more locking statement"),
        "{}",
        findings[0].message
    );
    let sqlite_findings = evaluate(&sqlite().added(M2, "20240201000000", sql).build());
    assert!(sqlite_findings.is_empty(), "{sqlite_findings:#?}");
}

#[test]
fn volatile_default_rewrites_but_now_does_not() {
    let add = |name: &str, default: &str| SchemaChange::AddColumn {
        table: "Recipe".into(),
        column: crate::analysis::schema::Column {
            default: Some(default.to_owned()),
            ..column(name, "TEXT", true)
        },
    };
    let change = postgres()
        .added(
            M2,
            "20240201000000",
            "SET lock_timeout = '1s';\nSELECT 1;\nSELECT 2;",
        )
        .with_event(M2, 2, add("a", "gen_random_uuid()"))
        .with_event(M2, 3, add("b", "now()"))
        .build();
    let found: Vec<(usize, &str)> = evaluate(&change).iter().map(|f| (f.line, f.rule)).collect();
    assert_eq!(found, vec![(2, "table-rewrite")]);
}

#[test]
fn history_edits_deletes_renames_and_order() {
    let m0 = "prisma/migrations/20230101000000_zero/migration.sql";
    let old = "prisma/migrations/20230601000000_old/migration.sql";
    let moved = "prisma/migrations/20240301000000_moved/migration.sql";
    let early = "prisma/migrations/20231201000000_early/migration.sql";
    let mut builder = ChangeBuilder::new(Dialect::Sqlite)
        .applied(m0, "20230101000000", "CREATE TABLE a (id INTEGER);")
        .applied(old, "20230601000000", "CREATE TABLE b (id INTEGER);")
        .applied(M1, "20240101000000", "CREATE TABLE c (id INTEGER);");
    // The PR edits m0, deletes M1, renames `old` to `moved` and adds an early migration.
    builder.head = vec![
        super::testkit::migration(
            m0,
            "20230101000000",
            "CREATE TABLE a (id INTEGER, x TEXT);",
            Dialect::Sqlite,
        ),
        super::testkit::migration(
            early,
            "20231201000000",
            "CREATE TABLE d (id INTEGER);",
            Dialect::Sqlite,
        ),
        super::testkit::migration(
            moved,
            "20240301000000",
            "CREATE TABLE b (id INTEGER);",
            Dialect::Sqlite,
        ),
    ];
    builder.changed_files = vec![m0.into(), early.into(), moved.into()];
    builder.removed_files = vec![old.into(), M1.into()];
    builder.file_diffs = vec![FileDiff {
        path: m0.into(),
        status: FileStatus::Modified,
        lines: vec![
            DiffLine {
                tag: '-',
                old_line: Some(1),
                new_line: None,
                text: "CREATE TABLE a (id INTEGER);".into(),
            },
            DiffLine {
                tag: '+',
                old_line: None,
                new_line: Some(1),
                text: "CREATE TABLE a (id INTEGER, x TEXT);".into(),
            },
        ],
    }];
    let findings = evaluate(&builder.build());
    let found: Vec<(&str, usize, &str)> = findings
        .iter()
        .map(|f| (f.file.as_str(), f.line, f.rule))
        .collect();
    assert_eq!(
        found,
        vec![
            (m0, 1, "edited-applied-migration"),
            (early, 0, "out-of-order-migration"),
            (M1, 0, "deleted-applied-migration"),
            (moved, 0, "renamed-applied-migration"),
        ]
    );
}

#[test]
fn duplicate_versions_introduced_by_the_pr() {
    let twin = "prisma/migrations/20240101000000_twin/migration.sql";
    let change = sqlite().added(twin, "20240101000000", "SELECT 1;").build();
    let findings = evaluate(&change);
    assert_eq!(rules(&findings), vec!["duplicate-version"]);
    assert!(findings[0].message.contains(M1));
}

#[test]
fn hygiene_from_diagnostics_and_down_migrations() {
    let mut builder = sqlite().added(M2, "20240201000000", "SELECT 1;\nSELECT 2;");
    builder.supports_down = true;
    builder.head_diagnostics = vec![
        Diagnostic::new(
            M2,
            1,
            DiagnosticKind::Unparsed,
            "statement could not be parsed",
        ),
        Diagnostic::new(M2, 2, DiagnosticKind::NotModelled, "DO block"),
        Diagnostic::new(
            M1,
            1,
            DiagnosticKind::Unparsed,
            "old statement could not be parsed",
        ),
        Diagnostic::new(
            "prisma/schema.prisma",
            3,
            DiagnosticKind::Drift,
            "model Tag has no table",
        ),
        Diagnostic::new(
            "prisma/schema.prisma",
            9,
            DiagnosticKind::Drift,
            "old drift",
        ),
    ];
    builder.base_diagnostics = vec![Diagnostic::new(
        "prisma/schema.prisma",
        9,
        DiagnosticKind::Drift,
        "old drift",
    )];
    let findings = evaluate(&builder.build());
    let found: Vec<(&str, usize, &str)> = findings
        .iter()
        .map(|f| (f.file.as_str(), f.line, f.rule))
        .collect();
    assert_eq!(
        found,
        vec![
            (M2, 0, "missing-down-migration"),
            (M2, 1, "unparsed-statement"),
            (M2, 2, "not-modelled-statement"),
            ("prisma/schema.prisma", 3, "prisma-drift"),
        ]
    );
}

#[test]
fn suppressions_accept_findings_and_bad_ones_are_findings() {
    let sql = "-- schemagate: accept delete-without-where table is emptied by design\n\
        DELETE FROM \"Recipe\";\n\
        UPDATE \"Recipe\" SET id = 1; -- schemagate: accept update-without-where ids reset\n\
        -- schemagate: accept no-such-rule because\n\
        -- schemagate: accept truncate\n\
        TRUNCATE \"Recipe\";";
    let findings = evaluate(&sqlite().added(M2, "20240201000000", sql).build());
    let found: Vec<(usize, &str, bool)> = findings
        .iter()
        .map(|f| (f.line, f.rule, f.suppressed.is_some()))
        .collect();
    assert_eq!(
        found,
        vec![
            (2, "delete-without-where", true),
            (3, "update-without-where", true),
            (4, "invalid-suppression", false),
            (5, "invalid-suppression", false),
            (6, "truncate", false),
        ]
    );
    let accepted = findings[0]
        .suppressed
        .as_ref()
        .map(|s| (s.by.as_str(), s.reason.as_str(), s.line));
    assert_eq!(
        accepted,
        Some(("sql-comment", "table is emptied by design", Some(1)))
    );
    assert_eq!(pr_risk(&findings), Some(Risk::Critical));
    assert_eq!(pr_risk(&findings[..2]), None);
    assert_eq!(pr_risk(&[]), None);
}

#[test]
fn suppression_of_another_rule_accepts_nothing() {
    let sql = "-- schemagate: accept truncate wrong rule\nDELETE FROM \"Recipe\";";
    let findings = evaluate(&sqlite().added(M2, "20240201000000", sql).build());
    assert_eq!(rules(&findings), vec!["delete-without-where"]);
    assert!(findings[0].suppressed.is_none());
}

#[test]
fn unchanged_files_are_not_judged() {
    let change = ChangeBuilder::new(Dialect::Postgres)
        .applied(
            M1,
            "20240101000000",
            "DELETE FROM \"Recipe\";\nCREATE INDEX a ON \"Recipe\" (id);",
        )
        .build();
    assert!(evaluate(&change).is_empty());
}

#[test]
fn every_finding_names_a_catalog_rule() {
    let sql = "DELETE FROM \"Recipe\";\nTRUNCATE \"Recipe\";\nCREATE INDEX a ON \"Recipe\" (id);";
    for finding in evaluate(&postgres().added(M2, "20240201000000", sql).build()) {
        let rule = super::rule(finding.rule).map(|r| r.risk);
        assert_eq!(rule, Some(finding.risk), "{}", finding.rule);
    }
}

#[test]
fn long_histories_evaluate_quickly() {
    let mut builder = ChangeBuilder::new(Dialect::Postgres);
    let mut sql = String::new();
    for i in 0..4000 {
        sql.push_str(&format!(
            "ALTER TABLE \"Recipe\" ADD COLUMN \"c{i}\" TEXT; -- note {i}\n"
        ));
    }
    for i in 0..2000 {
        builder = builder.applied(
            &format!("m/{i:05}/migration.sql"),
            &format!("{i:05}"),
            "SELECT 1;",
        );
    }
    builder = builder.added(M2, "99999", &sql);
    for i in 0..4000 {
        builder = builder.with_event(
            M2,
            i + 1,
            SchemaChange::AddColumn {
                table: "Recipe".into(),
                column: column(&format!("c{i}"), "TEXT", true),
            },
        );
    }
    let start = std::time::Instant::now();
    let findings = evaluate(&builder.build());
    assert_eq!(rules(&findings), vec!["missing-lock-timeout"]);
    assert!(start.elapsed().as_secs() < 5, "took {:?}", start.elapsed());
}

#[test]
fn editing_an_applied_create_table_does_not_make_the_table_new() {
    let mut builder = sqlite();
    builder.base_schema = Schema {
        tables: vec![table("Recipe", vec![column("id", "INTEGER", true)])],
        enums: Vec::new(),
    };
    // The PR edits the applied migration (which re-creates "Recipe") and empties the table.
    builder.head = vec![super::testkit::migration(
        M1,
        "20240101000000",
        "CREATE TABLE \"Recipe\" (id INTEGER, x TEXT);",
        Dialect::Sqlite,
    )];
    builder.changed_files = vec![M1.into()];
    let change = builder
        .added(M2, "20240201000000", "DELETE FROM \"Recipe\";")
        .with_event(
            M1,
            1,
            SchemaChange::CreateTable {
                table: "Recipe".into(),
            },
        )
        .build();
    let found = rules(&evaluate(&change));
    assert_eq!(
        found,
        vec!["edited-applied-migration", "delete-without-where"]
    );
}

#[test]
fn a_renamed_table_already_reached_at_base_is_no_new_blast_radius() {
    let mut ingredient = table("Ingredient", vec![column("recipeId", "INTEGER", false)]);
    ingredient.foreign_keys = vec![fk(&["recipeId"], "Recipe", ReferentialAction::Cascade)];
    let mut builder = sqlite()
        .added(M2, "20240201000000", "SELECT 1;\nSELECT 2;")
        .with_event(
            M2,
            1,
            SchemaChange::RenameTable {
                from: "Ingredient".into(),
                to: "RecipeIngredient".into(),
            },
        )
        .with_event(
            M2,
            2,
            SchemaChange::AddForeignKey {
                table: "Review".into(),
                foreign_key: fk(&["recipeId"], "Recipe", ReferentialAction::Cascade),
            },
        );
    builder.base_schema = Schema {
        tables: vec![
            table("Recipe", vec![column("id", "INTEGER", false)]),
            ingredient,
            table("Review", vec![]),
        ],
        enums: Vec::new(),
    };
    builder.cascade_changes = vec![cascade_change(
        "Recipe",
        &[&["Recipe", "RecipeIngredient"], &["Recipe", "Review"]],
        &["RecipeIngredient", "Review"],
        false,
    )];
    let findings = evaluate(&builder.build());
    let cascade = only(&findings, "cascade-widened");
    assert_eq!(cascade.len(), 1, "{findings:#?}");
    assert!(
        cascade[0]
            .message
            .starts_with("deleting a Recipe row now also deletes every row in Review ("),
        "{}",
        cascade[0].message
    );
    assert_eq!(cascade[0].line, 2);
}

#[test]
fn an_unbounded_delete_names_the_tables_its_cascade_empties() {
    let mut ingredient = table("Ingredient", vec![column("recipeId", "INTEGER", false)]);
    ingredient.foreign_keys = vec![fk(&["recipeId"], "Recipe", ReferentialAction::Cascade)];
    let mut builder = sqlite().added(M2, "20240201000000", "DELETE FROM \"Recipe\";");
    builder.head_schema = Schema {
        tables: vec![
            table("Recipe", vec![column("id", "INTEGER", false)]),
            ingredient,
        ],
        enums: Vec::new(),
    };
    let findings = evaluate(&builder.build());
    assert_eq!(rules(&findings), vec!["delete-without-where"]);
    assert_eq!(
        findings[0].message,
        "deletes every row of \"Recipe\" (DELETE without WHERE): the rows are gone, and ON DELETE CASCADE also deletes the rows referring to them in Ingredient"
    );
}

#[test]
fn validating_a_constraint_needs_no_lock_timeout() {
    let sql = "ALTER TABLE \"Recipe\" VALIDATE CONSTRAINT \"Recipe_authorId_fkey\";";
    let parsed = super::testkit::parse(sql, Dialect::Postgres);
    assert!(matches!(
        parsed.statements.first().map(|s| &s.kind),
        Some(crate::analysis::sql::StatementKind::Parsed(_))
    ));
    let findings = evaluate(&postgres().added(M2, "20240201000000", sql).build());
    assert!(findings.is_empty(), "{findings:#?}");
}
