//! Splitting and parsing whole migration files: lines, kinds, comments, fallbacks, robustness.

use proptest::prelude::*;
use schemagate::analysis::diagnostic::DiagnosticKind;
use schemagate::analysis::dialect::Dialect;
use schemagate::analysis::sql::{MAX_STATEMENT_BYTES, SqlFile, StatementKind, parse_file};

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
            let sql = format!(
                "SELECT {}1{};\nSELECT 2;",
                "(".repeat(depth),
                ")".repeat(depth)
            );
            let file = parse_file("deep.sql", &sql, dialect);
            assert_eq!(file.statements.len(), 2);
            assert!(matches!(
                file.statements[0].kind,
                StatementKind::Unparsed { .. }
            ));
            assert!(is_parsed(&file.statements[1].kind));
            assert_eq!(file.diagnostics.len(), 1);
            assert_eq!(file.diagnostics[0].kind, DiagnosticKind::Unparsed);
        }
    }
}

#[test]
fn deep_chains_are_reported_not_crashed() {
    let n = 5_000;
    let cases = [
        format!("SELECT {}1", "NOT ".repeat(n)),
        format!("SELECT {}1", "- ".repeat(n)),
        format!(
            "SELECT {}1{}",
            "CASE WHEN 1 THEN ".repeat(n),
            " END".repeat(n)
        ),
        format!("SELECT {}1{}", "ARRAY[".repeat(n), "]".repeat(n)),
        format!("SELECT {}1{}", "CAST(".repeat(n), " AS int)".repeat(n)),
        format!("SELECT {}1{}", "(SELECT ".repeat(n), ")".repeat(n)),
        format!(
            "CREATE TABLE t (a int DEFAULT {}1{})",
            "(".repeat(n),
            ")".repeat(n)
        ),
        format!("SELECT 1 {}", "UNION SELECT 1 ".repeat(n)),
        format!("SELECT 1{}", "::int".repeat(n)),
        format!("SELECT 1 {}", "+ 1 ".repeat(n)),
        format!("SELECT 1 {}", "+ f(1, 2) ".repeat(n)),
        format!("SELECT 1 FROM t WHERE {}", "a = 1 OR ".repeat(n)),
        format!("SELECT a{}", "[1]".repeat(n)),
    ];
    for dialect in [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql] {
        for case in &cases {
            let file = parse_file("deep.sql", &format!("{case};\nSELECT 2;"), dialect);
            assert_eq!(file.statements.len(), 2, "{dialect} {}", &case[..30]);
            assert!(
                matches!(file.statements[0].kind, StatementKind::Unparsed { .. }),
                "{dialect} {}",
                &case[..30]
            );
            assert_eq!(file.statements[1].line, 2);
            assert!(is_parsed(&file.statements[1].kind));
        }
    }
}

#[test]
fn long_flat_statements_still_parse() {
    let rows = vec!["(1, 'a', -1, TRUE)"; 20_000].join(",\n");
    let insert = format!("INSERT INTO t (a, b, c, d) VALUES\n{rows};");
    let file = parse_file("seed.sql", &insert, Dialect::Postgres);
    assert!(
        is_parsed(&file.statements[0].kind),
        "{:?}",
        file.diagnostics
    );
    let columns: Vec<String> = (0..2000)
        .map(|i| format!("c{i} INT NOT NULL DEFAULT 0"))
        .collect();
    let create = format!("CREATE TABLE wide ({});", columns.join(", "));
    let file = parse_file("wide.sql", &create, Dialect::Sqlite);
    assert!(
        is_parsed(&file.statements[0].kind),
        "{:?}",
        file.diagnostics
    );
}

#[test]
fn postgres_function_with_dollar_body() {
    let text = "-- a function\nCREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $$\nBEGIN\n  NEW.updated_at = now();\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\n\nCREATE TRIGGER t BEFORE UPDATE ON a FOR EACH ROW EXECUTE FUNCTION touch();\n";
    let file = parse_file("f.sql", text, Dialect::Postgres);
    assert_eq!(
        lines_and_heads(&file),
        vec![(2, "CREATE".into()), (9, "CREATE".into())]
    );
    assert!(
        file.statements.iter().all(|s| is_parsed(&s.kind)),
        "{:?}",
        file.diagnostics
    );
    assert!(file.statements[0].text.ends_with("$$ LANGUAGE plpgsql"));
    assert_eq!(file.diagnostics, vec![]);
}

#[test]
fn sqlite_trigger_with_begin_end() {
    let text = "CREATE TRIGGER audit AFTER UPDATE ON \"User\"\nBEGIN\n  INSERT INTO log (id) VALUES (NEW.id);\n  UPDATE \"User\" SET n = n + 1 WHERE id = NEW.id;\nEND;\nCREATE TRIGGER IF NOT EXISTS audit2 AFTER DELETE ON \"User\"\nBEGIN\n  DELETE FROM log WHERE id = OLD.id;\nEND;\nBEGIN;\nCOMMIT;";
    let file = parse_file("t.sql", text, Dialect::Sqlite);
    assert_eq!(
        file.statements.iter().map(|s| s.line).collect::<Vec<_>>(),
        vec![1, 6, 10, 11]
    );
    assert!(is_parsed(&file.statements[0].kind));
    assert_eq!(
        file.statements[1].kind,
        StatementKind::NotModelled {
            what: "CREATE TRIGGER".into()
        }
    );
    assert_eq!(file.diagnostics.len(), 1);
    assert_eq!(file.diagnostics[0].kind, DiagnosticKind::NotModelled);
    assert_eq!(file.diagnostics[0].line, 6);
    assert!(is_parsed(&file.statements[2].kind));
    assert!(is_parsed(&file.statements[3].kind));
}

/// (dialect, statement, expected kind, expected diagnostic kind) for statements sqlparser 0.64
/// rejects and the fallback recognises.
fn fallback_cases() -> Vec<(Dialect, &'static str, StatementKind, Option<DiagnosticKind>)> {
    let not_modelled = |what: &str| StatementKind::NotModelled {
        what: what.to_string(),
    };
    let drop_index = |names: &[&str], concurrently, if_exists| StatementKind::DropIndex {
        names: names.iter().map(|n| n.to_string()).collect(),
        concurrently,
        if_exists,
    };
    let nm = Some(DiagnosticKind::NotModelled);
    vec![
        (
            Dialect::Sqlite,
            "PRAGMA foreign_keys = OFF",
            pragma("foreign_keys", Some("OFF")),
            None,
        ),
        (Dialect::Sqlite, "PRAGMA x(v)", pragma("x", Some("v")), None),
        (
            Dialect::Sqlite,
            "PRAGMA main.x=v",
            pragma("x", Some("v")),
            None,
        ),
        (
            Dialect::Sqlite,
            "PRAGMA cache_size = -2000",
            pragma("cache_size", Some("-2000")),
            None,
        ),
        (
            Dialect::Postgres,
            "DO $$ BEGIN PERFORM 1; END $$",
            not_modelled("DO block"),
            nm,
        ),
        (
            Dialect::Postgres,
            "DO LANGUAGE plpgsql $$ BEGIN NULL; END $$",
            not_modelled("DO block"),
            nm,
        ),
        (
            Dialect::Postgres,
            "DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"a\"",
            drop_index(&["a"], true, true),
            None,
        ),
        (
            Dialect::Postgres,
            "DROP INDEX CONCURRENTLY a, b CASCADE",
            drop_index(&["a", "b"], true, false),
            None,
        ),
        (
            Dialect::Postgres,
            "DROP INDEX `a` ON t",
            drop_index(&["a"], false, false),
            None,
        ),
        (
            Dialect::Mysql,
            "ALTER TABLE `User` RENAME INDEX `a` TO `b`",
            StatementKind::RenameIndex {
                table: "User".into(),
                from: "a".into(),
                to: "b".into(),
            },
            None,
        ),
        (
            Dialect::Mysql,
            "ALTER TABLE t RENAME KEY a TO b",
            StatementKind::RenameIndex {
                table: "t".into(),
                from: "a".into(),
                to: "b".into(),
            },
            None,
        ),
        (
            Dialect::Postgres,
            "ALTER SEQUENCE \"s\" RESTART WITH 5",
            not_modelled("ALTER SEQUENCE"),
            None,
        ),
        (
            Dialect::Sqlite,
            "CREATE TRIGGER IF NOT EXISTS tr AFTER INSERT ON t BEGIN UPDATE t SET a = 1; END",
            not_modelled("CREATE TRIGGER"),
            nm,
        ),
        (
            Dialect::Postgres,
            "REINDEX INDEX a",
            not_modelled("REINDEX"),
            None,
        ),
        (
            Dialect::Sqlite,
            "COMMENT ON TABLE t IS 'x'",
            not_modelled("COMMENT ON"),
            None,
        ),
        (
            Dialect::Mysql,
            "CREATE FUNCTION f() RETURNS int AS $$ x $$",
            not_modelled("CREATE FUNCTION"),
            nm,
        ),
        (
            Dialect::Postgres,
            "CREATE PROCEDURE p() LANGUAGE sql AS $$ SELECT 1 $$",
            not_modelled("CREATE PROCEDURE"),
            nm,
        ),
        (
            Dialect::Postgres,
            "ALTER EXTENSION x UPDATE",
            not_modelled("ALTER EXTENSION"),
            None,
        ),
        (
            Dialect::Sqlite,
            "SET NAMES utf8mb4",
            not_modelled("SET"),
            None,
        ),
    ]
}

#[test]
fn statements_sqlparser_rejects_are_recognised() {
    for (dialect, text, kind, diagnostic) in fallback_cases() {
        let file = parse_file("f.sql", &format!("\n{text};\nSELECT 1;"), dialect);
        assert_eq!(file.statements.len(), 2, "{text}");
        assert_eq!(file.statements[0].kind, kind, "{text}");
        assert_eq!(file.statements[0].line, 2, "{text}");
        let kinds: Vec<DiagnosticKind> = file.diagnostics.iter().map(|d| d.kind).collect();
        assert_eq!(kinds, diagnostic.into_iter().collect::<Vec<_>>(), "{text}");
        assert!(
            file.diagnostics
                .iter()
                .all(|d| d.line == 2 && d.file == "f.sql")
        );
        assert!(is_parsed(&file.statements[1].kind), "{text}");
    }
}

#[test]
fn pragmas_sqlparser_accepts_are_normalised() {
    let cases = [
        (
            "PRAGMA foreign_key_check",
            pragma("foreign_key_check", None),
        ),
        (
            "PRAGMA foreign_key_check(\"T\")",
            pragma("foreign_key_check", Some("T")),
        ),
        (
            "PRAGMA Main.Journal_Mode = 'wal'",
            pragma("journal_mode", Some("wal")),
        ),
        ("PRAGMA main.x=1", pragma("x", Some("1"))),
    ];
    for (text, kind) in cases {
        let file = parse_file("p.sql", text, Dialect::Sqlite);
        assert_eq!(file.statements[0].kind, kind, "{text}");
        assert_eq!(file.diagnostics, vec![]);
    }
}

#[test]
fn statements_sqlparser_accepts_are_not_reclassified() {
    let file = parse_file(
        "d.sql",
        "DROP INDEX IF EXISTS a;\nCOMMENT ON TABLE t IS 'x';",
        Dialect::Postgres,
    );
    assert!(file.statements.iter().all(|s| is_parsed(&s.kind)));
}

#[test]
fn unparsed_statements_are_reported_and_do_not_stop_the_file() {
    let text = "CREATE TABLE a (x int);\n\nCREATE TABLE b (\n  y int,\n  z BOGUS BOGUS BOGUS\n);\nSELEKT 1;\nCREATE TABLE c (x int);";
    let file = parse_file("db/1.sql", text, Dialect::Postgres);
    assert_eq!(file.statements.len(), 4);
    assert!(matches!(
        file.statements[1].kind,
        StatementKind::Unparsed { .. }
    ));
    assert!(matches!(
        file.statements[2].kind,
        StatementKind::Unparsed { .. }
    ));
    assert!(is_parsed(&file.statements[3].kind));
    let rendered: Vec<String> = file.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(rendered.len(), 2);
    assert!(
        rendered[0].starts_with("db/1.sql:3: could not parse statement: Expected:"),
        "{rendered:?}"
    );
    assert!(rendered[0].ends_with("(line 5)"), "{rendered:?}");
    assert!(!rendered[0].contains("sql parser error"), "{rendered:?}");
    assert!(
        rendered[1].starts_with("db/1.sql:7: could not parse statement:"),
        "{rendered:?}"
    );
}

#[test]
fn trailing_tokens_after_a_statement_are_an_error() {
    let file = parse_file("x.sql", "SELECT 1 2", Dialect::Sqlite);
    assert!(
        matches!(&file.statements[0].kind, StatementKind::Unparsed { error } if error.contains("end of statement"))
    );
}

#[test]
fn goose_block_with_trailing_semicolon_parses() {
    let text = "-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN RETURN NEW; END;\n$$ LANGUAGE plpgsql;\n-- +goose StatementEnd\n";
    let file = parse_file("g.sql", text, Dialect::Postgres);
    assert_eq!(file.statements.len(), 1);
    assert_eq!(file.statements[0].line, 3);
    assert!(
        is_parsed(&file.statements[0].kind),
        "{:?}",
        file.diagnostics
    );
}

#[test]
fn lines_survive_multiline_comments_and_strings() {
    let text = "/* one\ntwo\nthree */\nINSERT INTO t VALUES ('a\nb\nc');\n-- x\n/* y */ /* z\n*/\n\n  UPDATE t SET a = 'p;\nq';";
    let file = parse_file("l.sql", text, Dialect::Sqlite);
    assert_eq!(
        lines_and_heads(&file),
        vec![(4, "INSERT".into()), (11, "UPDATE".into())]
    );
    let comment_lines: Vec<usize> = file.comments.iter().map(|c| c.line).collect();
    assert_eq!(comment_lines, vec![1, 7, 8, 8]);
}

#[test]
fn unterminated_input_gives_one_diagnostic_naming_the_opening_line() {
    let text = "SELECT 1;\nINSERT INTO t VALUES ('oops);\nSELECT 2;";
    let file = parse_file("u.sql", text, Dialect::Sqlite);
    assert_eq!(file.statements.len(), 2);
    assert!(
        matches!(&file.statements[1].kind, StatementKind::Unparsed { error } if error.contains("string literal"))
    );
    assert_eq!(file.diagnostics.len(), 1);
    assert_eq!(file.diagnostics[0].line, 2);
    assert!(
        file.diagnostics[0]
            .message
            .contains("unterminated string literal starting at line 2")
    );

    let file = parse_file(
        "u.sql",
        "SELECT 1;\n/* never closed\nSELECT 2;",
        Dialect::Postgres,
    );
    assert_eq!(file.statements.len(), 1);
    assert!(is_parsed(&file.statements[0].kind));
    assert_eq!(file.diagnostics.len(), 1);
    assert!(file.diagnostics[0].message.contains("block comment"));
}

#[test]
fn diagnostics_come_in_line_order() {
    let text = "SELEKT 1;\nDO $$ BEGIN NULL; END $$;\nSELECT 'open;";
    let file = parse_file("o.sql", text, Dialect::Postgres);
    let found: Vec<(usize, DiagnosticKind)> =
        file.diagnostics.iter().map(|d| (d.line, d.kind)).collect();
    assert_eq!(
        found,
        vec![
            (1, DiagnosticKind::Unparsed),
            (2, DiagnosticKind::NotModelled),
            (3, DiagnosticKind::Unparsed)
        ]
    );
}

#[test]
fn degenerate_files() {
    for dialect in [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql] {
        assert_eq!(parse_file("e.sql", "", dialect), SqlFile::default());
        let only_comments = parse_file("c.sql", "-- a\n/* b */\n\n", dialect);
        assert_eq!(only_comments.statements, vec![]);
        assert_eq!(only_comments.comments.len(), 2);
        let nul = parse_file("n.sql", "SELECT 1;\0\0;\u{feff}SELECT 2;\u{202e}", dialect);
        assert_eq!(nul.statements.len(), 4);
    }
}

#[test]
fn ten_megabytes_of_ddl() {
    let statement = "CREATE TABLE \"t\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"name\" TEXT);\n";
    let text = statement.repeat(10 * 1024 * 1024 / statement.len());
    let file = parse_file("big.sql", &text, Dialect::Sqlite);
    assert_eq!(file.statements.len(), text.lines().count());
    assert_eq!(
        file.statements.last().map(|s| s.line),
        Some(text.lines().count())
    );
    assert_eq!(file.diagnostics, vec![]);
}

/// Fragments of real migrations, quotes, dollar quotes, trigger keywords and comments.
const SOUP: &[&str] = &[
    "CREATE TABLE \"a\" (\"id\" INTEGER PRIMARY KEY, b TEXT)",
    "PRAGMA foreign_keys=OFF",
    ";",
    ";\n",
    "\n",
    " ",
    "'",
    "''",
    "\"",
    "`",
    "[",
    "]",
    "$$",
    "$tag$",
    "$1",
    "E'\\'",
    "\\",
    "--",
    "-- +goose StatementBegin\n",
    "-- +goose StatementEnd\n",
    "/*",
    "*/",
    "#",
    "DELIMITER //\n",
    "DELIMITER ;\n",
    "//",
    "CREATE TRIGGER t AFTER INSERT ON a",
    "BEGIN",
    "END",
    "CASE",
    "END IF",
    "DO $$ BEGIN NULL; END $$",
    "DROP INDEX CONCURRENTLY IF EXISTS x",
    "ALTER TABLE t RENAME INDEX a TO b",
    "(",
    ")",
    "SELECT 1 + 1",
    "INSERT INTO a SELECT * FROM b",
    "é",
    "\0",
    "\r\n",
];

fn check_invariants(text: &str) {
    let line_count = text.split('\n').count();
    for dialect in [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql] {
        let file = parse_file("p.sql", text, dialect);
        let lines: Vec<usize> = file.statements.iter().map(|s| s.line).collect();
        assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{lines:?}");
        assert!(
            lines.iter().all(|&l| l >= 1 && l <= line_count),
            "{lines:?} > {line_count}"
        );
        assert!(file.statements.iter().all(|s| !s.text.trim().is_empty()));
        assert!(
            file.comments
                .iter()
                .all(|c| c.line >= 1 && c.line <= line_count)
        );
        assert!(
            file.diagnostics
                .iter()
                .all(|d| d.line >= 1 && d.line <= line_count)
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        check_invariants(&text);
    }

    #[test]
    fn statement_soup_never_panics(parts in prop::collection::vec(prop::sample::select(SOUP), 0..40)) {
        check_invariants(&parts.concat());
    }
}

/// A statement of `bytes` bytes: one `INSERT` of a long string literal.
fn insert_of(bytes: usize) -> String {
    let prefix = "INSERT INTO notes (body) VALUES ('";
    let suffix = "')";
    let filler = bytes.saturating_sub(prefix.len() + suffix.len());
    format!("{prefix}{}{suffix}", "x".repeat(filler))
}

#[test]
fn a_statement_over_the_limit_is_not_parsed_and_the_rest_of_the_file_is() {
    let huge = insert_of(MAX_STATEMENT_BYTES + 1);
    let text =
        format!("CREATE TABLE notes (body TEXT);\n\n{huge};\nDROP TABLE notes;\nSELECT FROM );\n");
    let file = parse_file("m/1.sql", &text, Dialect::Sqlite);
    let kinds: Vec<(usize, &StatementKind)> =
        file.statements.iter().map(|s| (s.line, &s.kind)).collect();
    assert_eq!(kinds.len(), 4, "{:?}", lines_and_heads(&file));
    assert!(is_parsed(kinds[0].1));
    assert_eq!(
        kinds[1],
        (
            3,
            &StatementKind::TooLarge {
                bytes: MAX_STATEMENT_BYTES + 1
            }
        )
    );
    assert!(is_parsed(kinds[2].1), "the statement after it is parsed");
    assert_eq!(kinds[2].0, 4);
    assert!(matches!(kinds[3].1, StatementKind::Unparsed { .. }));
    let found: Vec<(usize, DiagnosticKind)> =
        file.diagnostics.iter().map(|d| (d.line, d.kind)).collect();
    assert_eq!(
        found,
        [(3, DiagnosticKind::TooLarge), (5, DiagnosticKind::Unparsed)]
    );
    let message = &file.diagnostics[0].message;
    assert!(message.contains("too large to analyse"), "{message}");
    assert!(message.contains("1.0 MiB"), "{message}");
    assert_eq!(
        file.diagnostics[0].to_string().split(':').next(),
        Some("m/1.sql")
    );
}

#[test]
fn a_statement_at_the_limit_is_still_parsed() {
    let text = insert_of(MAX_STATEMENT_BYTES);
    let file = parse_file("m/1.sql", &text, Dialect::Sqlite);
    assert_eq!(file.statements.len(), 1);
    assert_eq!(file.statements[0].text.len(), MAX_STATEMENT_BYTES);
    assert!(is_parsed(&file.statements[0].kind));
    assert!(file.diagnostics.is_empty(), "{:?}", file.diagnostics);
}

#[test]
fn statements_on_one_huge_line_keep_their_line_and_only_the_large_one_is_skipped() {
    let huge = insert_of(2 * MAX_STATEMENT_BYTES);
    let text = format!("CREATE TABLE notes (body TEXT); {huge}; DROP TABLE notes;");
    let file = parse_file("m/1.sql", &text, Dialect::Postgres);
    let kinds: Vec<&StatementKind> = file.statements.iter().map(|s| &s.kind).collect();
    assert_eq!(kinds.len(), 3);
    assert!(is_parsed(kinds[0]) && is_parsed(kinds[2]));
    assert!(matches!(kinds[1], StatementKind::TooLarge { .. }));
    assert!(file.statements.iter().all(|s| s.line == 1));
    assert_eq!(file.diagnostics.len(), 1);
    assert_eq!(file.diagnostics[0].line, 1);
}
