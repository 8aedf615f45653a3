//! Splitting and parsing whole migration files: lines, kinds, comments, fallbacks, robustness.

use proptest::prelude::*;
use schemagate::analysis::diagnostic::DiagnosticKind;
use schemagate::analysis::dialect::Dialect;
use schemagate::analysis::sql::{SqlFile, StatementKind, parse_file};

/// (line, first word of the text) of every statement.
fn lines_and_heads(file: &SqlFile) -> Vec<(usize, String)> {
    file.statements
        .iter()
        .map(|s| {
            let head = s.text.split_whitespace().next().unwrap_or_default();
            (s.line, head.to_string())
        })
        .collect()
}

fn pragma(name: &str, value: Option<&str>) -> StatementKind {
    StatementKind::Pragma {
        name: name.to_string(),
        value: value.map(str::to_string),
    }
}

fn is_parsed(kind: &StatementKind) -> bool {
    matches!(kind, StatementKind::Parsed(_))
}

const PRISMA_REDEFINE: &str = r#"/*
  Warnings:

  - You are about to drop the column `old` on the `Recipe` table. All the data in the column will be lost.

*/
-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Recipe" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "title" TEXT NOT NULL,
    "authorId" INTEGER NOT NULL,
    CONSTRAINT "Recipe_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Recipe" ("authorId", "id", "title") SELECT "authorId", "id", "title" FROM "Recipe";
DROP TABLE "Recipe";
ALTER TABLE "new_Recipe" RENAME TO "Recipe";
CREATE INDEX "Recipe_title_idx" ON "Recipe"("title");
PRAGMA foreign_key_check;
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
"#;

#[test]
fn prisma_sqlite_redefine_tables() {
    let file = parse_file("m/migration.sql", PRISMA_REDEFINE, Dialect::Sqlite);
    assert_eq!(file.diagnostics, vec![]);
    let heads: Vec<(usize, String)> = [
        (8, "PRAGMA"),
        (9, "PRAGMA"),
        (10, "CREATE"),
        (16, "INSERT"),
        (17, "DROP"),
        (18, "ALTER"),
        (19, "CREATE"),
        (20, "PRAGMA"),
        (21, "PRAGMA"),
        (22, "PRAGMA"),
    ]
    .iter()
    .map(|(l, h)| (*l, h.to_string()))
    .collect();
    assert_eq!(lines_and_heads(&file), heads);
    let kinds: Vec<&StatementKind> = file.statements.iter().map(|s| &s.kind).collect();
    assert_eq!(kinds[0], &pragma("defer_foreign_keys", Some("ON")));
    assert_eq!(kinds[1], &pragma("foreign_keys", Some("OFF")));
    assert!(kinds[2..7].iter().all(|k| is_parsed(k)), "{kinds:?}");
    assert_eq!(kinds[7], &pragma("foreign_key_check", None));
    assert_eq!(kinds[8], &pragma("foreign_keys", Some("ON")));
    assert_eq!(kinds[9], &pragma("defer_foreign_keys", Some("OFF")));
    assert_eq!(file.comments.len(), 2);
    assert_eq!(file.comments[0].line, 1);
    assert!(file.comments[0].text.starts_with("Warnings:"));
    assert!(file.comments[0].text.contains("drop the column `old`"));
    assert_eq!(file.comments[1].line, 7);
    assert_eq!(file.comments[1].text, "RedefineTables");
    assert_eq!(file.statements[1].text, "PRAGMA foreign_keys=OFF");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for dialect in [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql] {
        for depth in [60usize, 1000, 100_000] {
            let sql = format!("SELECT {}1{};\nSELECT 2;", "(".repeat(depth), ")".repeat(depth));
            let file = parse_file("deep.sql", &sql, dialect);
            assert_eq!(file.statements.len(), 2);
            assert!(matches!(file.statements[0].kind, StatementKind::Unparsed { .. }));
            assert!(is_parsed(&file.statements[1].kind));
            assert_eq!(file.diagnostics.len(), 1);
            assert_eq!(file.diagnostics[0].kind, DiagnosticKind::Unparsed);
        }
    }
}

#[test]
fn deep_nesting_probe() {
    let n = 50_000;
    let cases = [
        format!("SELECT {}1", "NOT ".repeat(n)),
        format!("SELECT {}1", "- ".repeat(n)),
        format!("SELECT {}1{}", "CASE WHEN 1 THEN ".repeat(n), " END".repeat(n)),
        format!("SELECT {}1{}", "ARRAY[".repeat(n), "]".repeat(n)),
        format!("SELECT {}1{}", "CAST(".repeat(n), " AS int)".repeat(n)),
        format!("SELECT {}1{}", "(SELECT ".repeat(n), ")".repeat(n)),
        format!("CREATE TABLE t (a int DEFAULT {}1{})", "(".repeat(n), ")".repeat(n)),
        format!("SELECT * FROM {}t{}", "(".repeat(n), ")".repeat(n)),
        format!("SELECT 1 {}", "UNION SELECT 1 ".repeat(n)),
        format!("SELECT a{}", "[1]".repeat(n)),
        format!("SELECT 1{}", "::int".repeat(n)),
        format!("SELECT {}", "f(".repeat(n)),
        format!("INSERT INTO t VALUES {}", "(".repeat(n)),
        format!("SELECT 1 {}", "+ 1 ".repeat(n)),
        format!("SELECT {}", "EXISTS (SELECT ".repeat(n)),
        format!("CREATE TABLE t (a {})", "ARRAY<".repeat(n)),
        format!("SELECT {}1", "+".repeat(n)),
        format!("SELECT {}", "ROW(".repeat(n)),
        format!("SELECT {}", "{".repeat(n)),
        format!("SELECT {}", "STRUCT(".repeat(n)),
        format!("SELECT 1 FROM t {}", "JOIN (t ".repeat(n)),
        format!("SELECT {}", "INTERVAL ".repeat(n)),
    ];
    for dialect in [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql] {
        for case in &cases {
            eprintln!("{dialect} {}", &case[..40.min(case.len())]);
            let _ = parse_file("deep.sql", case, dialect);
        }
    }
}
