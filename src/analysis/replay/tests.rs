//! Unit tests of the replay, mostly Postgres and MySQL forms (SQLite is checked against a real
//! database in `tests/replay_sqlite_oracle.rs`).

use super::test_statements::statements;
use super::*;
use crate::analysis::schema::{IndexOrigin, ReferentialAction, Table};

/// Replays `sql` as one file `m.sql`.
fn replay(dialect: Dialect, sql: &str) -> Replayer {
    let mut replayer = Replayer::new(dialect);
    replayer.apply_file("m.sql", &statements(dialect, sql));
    replayer
}

/// Replays `base` then `change` (as `b.sql` and `c.sql`) and returns the events of `change`.
fn change_events(dialect: Dialect, base: &str, change: &str) -> (Replayer, Vec<SchemaChange>) {
    let mut replayer = replay(dialect, base);
    let before = replayer.events().len();
    replayer.apply_file("c.sql", &statements(dialect, change));
    let events = replayer.events()[before..]
        .iter()
        .map(|e| e.change.clone())
        .collect();
    (replayer, events)
}

fn table<'a>(replayer: &'a Replayer, name: &str) -> &'a Table {
    replayer
        .schema()
        .table(name)
        .unwrap_or_else(|| panic!("table {name} missing"))
}

fn column<'a>(replayer: &'a Replayer, table_name: &str, name: &str) -> &'a Column {
    table(replayer, table_name)
        .column(name)
        .unwrap_or_else(|| panic!("column {table_name}.{name} missing"))
}

fn assert_no_diagnostics(replayer: &Replayer) {
    assert!(
        replayer.diagnostics().is_empty(),
        "{:?}",
        replayer.diagnostics()
    );
}

const PG_BASE: &str = r#"
CREATE TABLE "User" (id SERIAL PRIMARY KEY, "Email" TEXT NOT NULL, Name TEXT DEFAULT 'x');
CREATE TABLE public.post (
    id BIGSERIAL,
    author_id INTEGER REFERENCES "User"(id) ON DELETE CASCADE,
    title VARCHAR(200) NOT NULL,
    CONSTRAINT post_pkey PRIMARY KEY (id),
    CONSTRAINT post_title_key UNIQUE (title)
)"#;

#[test]
fn postgres_create_table_folds_names_and_reads_constraints() {
    let replayer = replay(Dialect::Postgres, PG_BASE);
    assert_no_diagnostics(&replayer);
    let user = table(&replayer, "User");
    assert_eq!(user.name, "User");
    let names: Vec<&str> = user.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["id", "Email", "name"]);
    let id = column(&replayer, "User", "id");
    assert!(id.primary_key && !id.nullable);
    assert_eq!(id.data_type, "SERIAL");
    assert_eq!(
        column(&replayer, "User", "name").default.as_deref(),
        Some("'x'")
    );
    let post = table(&replayer, "post");
    assert!(
        !column(&replayer, "post", "id").nullable,
        "PRIMARY KEY implies NOT NULL"
    );
    assert_eq!(column(&replayer, "post", "title").data_type, "VARCHAR(200)");
    let foreign_key = &post.foreign_keys[0];
    assert_eq!(foreign_key.ref_table, "User");
    assert_eq!(foreign_key.columns, ["author_id"]);
    assert_eq!(foreign_key.ref_columns, ["id"]);
    assert_eq!(foreign_key.on_delete, ReferentialAction::Cascade);
    assert_eq!(post.indexes[0].name, "post_title_key");
    assert_eq!(post.indexes[0].origin, IndexOrigin::UniqueConstraint);
}

#[test]
fn unnamed_unique_constraint_gets_generated_name() {
    let replayer = replay(
        Dialect::Postgres,
        "CREATE TABLE t (a INT UNIQUE, b INT, c INT, UNIQUE (b, c))",
    );
    let names: Vec<&str> = table(&replayer, "t")
        .indexes
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(names, ["t_a_key", "t_b_c_key"]);
}

#[test]
fn create_table_as_select_is_diagnosed_and_empty() {
    let replayer = replay(
        Dialect::Postgres,
        "CREATE TABLE a (x INT);\nCREATE TABLE b AS SELECT * FROM a",
    );
    assert!(table(&replayer, "b").columns.is_empty());
    assert_eq!(replayer.diagnostics().len(), 1);
    assert_eq!(replayer.diagnostics()[0].line, 2);
}

#[test]
fn postgres_alter_column_forms_record_before_and_after() {
    let (replayer, events) = change_events(
        Dialect::Postgres,
        PG_BASE,
        "ALTER TABLE post ALTER COLUMN title DROP NOT NULL, ALTER COLUMN title SET DEFAULT 'untitled';\n\
         ALTER TABLE post ALTER COLUMN title TYPE TEXT USING title::text;\n\
         ALTER TABLE post ALTER COLUMN title SET DATA TYPE VARCHAR(10);\n\
         ALTER TABLE post ALTER COLUMN title SET NOT NULL;\n\
         ALTER TABLE post ALTER COLUMN title DROP DEFAULT",
    );
    assert_no_diagnostics(&replayer);
    assert_eq!(events.len(), 6);
    let SchemaChange::AlterColumn { before, after, .. } = &events[0] else {
        panic!("{events:?}")
    };
    assert!(!before.nullable && after.nullable);
    let SchemaChange::AlterColumn { after, .. } = &events[2] else {
        panic!("{events:?}")
    };
    assert_eq!(after.data_type, "TEXT");
    let title = column(&replayer, "post", "title");
    assert_eq!(
        (
            title.data_type.as_str(),
            title.nullable,
            title.default.as_deref()
        ),
        ("VARCHAR(10)", false, None)
    );
}

#[test]
fn postgres_add_constraints_and_not_valid() {
    let (replayer, events) = change_events(
        Dialect::Postgres,
        PG_BASE,
        "ALTER TABLE post ADD COLUMN editor_id INT;\n\
         ALTER TABLE post ADD CONSTRAINT post_editor_fkey FOREIGN KEY (editor_id) REFERENCES \"User\"(id) ON DELETE SET NULL NOT VALID;\n\
         ALTER TABLE post ADD CONSTRAINT post_editor_key UNIQUE (editor_id);\n\
         ALTER TABLE post ADD CONSTRAINT positive CHECK (editor_id > 0)",
    );
    assert_no_diagnostics(&replayer);
    assert!(matches!(&events[0], SchemaChange::AddColumn { column, .. } if column.nullable));
    assert!(
        matches!(&events[1], SchemaChange::AddForeignKey { foreign_key, .. }
        if foreign_key.on_delete == ReferentialAction::SetNull && foreign_key.name.as_deref() == Some("post_editor_fkey"))
    );
    assert!(matches!(&events[2], SchemaChange::CreateIndex { index, .. } if index.unique));
    assert_eq!(events.len(), 3);
}

#[test]
fn postgres_drop_constraint_finds_fk_unique_and_primary_key() {
    let (replayer, events) = change_events(
        Dialect::Postgres,
        "CREATE TABLE p (id INT PRIMARY KEY);\n\
         CREATE TABLE c (id INT CONSTRAINT c_pkey PRIMARY KEY, p_id INT CONSTRAINT c_p_fkey REFERENCES p, code TEXT CONSTRAINT c_code_key UNIQUE)",
        "ALTER TABLE c DROP CONSTRAINT c_p_fkey;\n\
         ALTER TABLE c DROP CONSTRAINT IF EXISTS c_code_key;\n\
         ALTER TABLE c DROP CONSTRAINT c_pkey;\n\
         ALTER TABLE c DROP CONSTRAINT IF EXISTS nothing_here;\n\
         ALTER TABLE c DROP CONSTRAINT missing",
    );
    assert!(
        matches!(&events[0], SchemaChange::DropForeignKey { foreign_key, .. } if foreign_key.ref_columns == ["id"])
    );
    assert!(
        matches!(&events[1], SchemaChange::DropIndex { index, .. } if index.name == "c_code_key")
    );
    assert!(
        matches!(&events[2], SchemaChange::AlterColumn { before, after, .. } if before.primary_key && !after.primary_key)
    );
    assert_eq!(events.len(), 3);
    assert_eq!(replayer.diagnostics().len(), 1);
    assert_eq!(replayer.diagnostics()[0].line, 5);
    let c = table(&replayer, "c");
    assert!(c.foreign_keys.is_empty() && c.indexes.is_empty());
}

#[test]
fn renaming_a_column_follows_into_indexes_and_foreign_keys() {
    let (replayer, events) = change_events(
        Dialect::Postgres,
        "CREATE TABLE p (id INT PRIMARY KEY, code TEXT);\n\
         CREATE UNIQUE INDEX p_code ON p (code);\n\
         CREATE TABLE c (id INT, p_id INT REFERENCES p (id))",
        "ALTER TABLE p RENAME COLUMN id TO pid;\nALTER TABLE c RENAME p_id TO parent",
    );
    assert_no_diagnostics(&replayer);
    assert_eq!(events.len(), 2);
    let foreign_key = &table(&replayer, "c").foreign_keys[0];
    assert_eq!(foreign_key.ref_columns, ["pid"]);
    assert_eq!(foreign_key.columns, ["parent"]);
}

#[test]
fn renaming_a_table_updates_references() {
    let (replayer, events) = change_events(
        Dialect::Postgres,
        "CREATE TABLE p (id INT PRIMARY KEY);\nCREATE TABLE c (p_id INT REFERENCES p (id))",
        "ALTER TABLE p RENAME TO parent",
    );
    assert_eq!(
        events,
        [SchemaChange::RenameTable {
            from: "p".into(),
            to: "parent".into()
        }]
    );
    assert_eq!(table(&replayer, "c").foreign_keys[0].ref_table, "parent");
}

#[test]
fn postgres_drop_column_drops_its_indexes_and_refuses_when_referenced() {
    let (replayer, events) = change_events(
        Dialect::Postgres,
        "CREATE TABLE p (id INT PRIMARY KEY, code TEXT, name TEXT);\n\
         CREATE INDEX p_code_name ON p (code, name);\n\
         CREATE TABLE c (p_id INT REFERENCES p (id))",
        "ALTER TABLE p DROP COLUMN code;\nALTER TABLE p DROP COLUMN id;\nALTER TABLE p DROP COLUMN IF EXISTS ghost",
    );
    assert!(
        matches!(&events[0], SchemaChange::DropIndex { index, .. } if index.name == "p_code_name")
    );
    assert!(matches!(&events[1], SchemaChange::DropColumn { column, .. } if column.name == "code"));
    assert_eq!(events.len(), 2);
    assert_eq!(replayer.diagnostics().len(), 1, "id is referenced by c");
    assert!(table(&replayer, "p").column("id").is_some());
}

#[test]
fn postgres_drop_column_cascade_drops_referencing_foreign_keys() {
    let (replayer, events) = change_events(
        Dialect::Postgres,
        "CREATE TABLE p (id INT PRIMARY KEY);\nCREATE TABLE c (p_id INT REFERENCES p (id))",
        "ALTER TABLE p DROP COLUMN id CASCADE",
    );
    assert_no_diagnostics(&replayer);
    assert!(matches!(&events[0], SchemaChange::DropForeignKey { table, .. } if table == "c"));
    assert!(table(&replayer, "c").foreign_keys.is_empty());
}

#[test]
fn postgres_drop_table_needs_cascade_when_referenced() {
    let base = "CREATE TABLE p (id INT PRIMARY KEY);\nCREATE TABLE c (p_id INT REFERENCES p (id))";
    let (refused, events) = change_events(Dialect::Postgres, base, "DROP TABLE p");
    assert!(events.is_empty());
    assert_eq!(refused.diagnostics().len(), 1);
    let (cascaded, events) = change_events(
        Dialect::Postgres,
        base,
        "DROP TABLE IF EXISTS p, ghost CASCADE",
    );
    assert_no_diagnostics(&cascaded);
    assert!(matches!(&events[0], SchemaChange::DropForeignKey { table, .. } if table == "c"));
    assert_eq!(events[1], SchemaChange::DropTable { table: "p".into() });
    let (both, _) = change_events(Dialect::Postgres, base, "DROP TABLE c, p");
    assert_no_diagnostics(&both);
    assert!(both.schema().tables.is_empty());
}

#[test]
fn postgres_indexes_partial_concurrent_expression_rename_and_drop() {
    let (replayer, events) = change_events(
        Dialect::Postgres,
        PG_BASE,
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"User_email\" ON \"User\" (lower(\"Email\")) WHERE name IS NOT NULL;\n\
         CREATE INDEX IF NOT EXISTS \"User_email\" ON \"User\" (id);\n\
         ALTER INDEX \"User_email\" RENAME TO user_email;\n\
         CREATE INDEX a_idx ON post (title);\n\
         CREATE INDEX b_idx ON post (author_id);\n\
         DROP INDEX a_idx, b_idx;\n\
         DROP INDEX IF EXISTS ghost",
    );
    assert_no_diagnostics(&replayer);
    let SchemaChange::CreateIndex { index, table: on } = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(on, "User");
    assert_eq!(index.columns, ["lower(\"Email\")"]);
    assert_eq!(index.predicate.as_deref(), Some("name IS NOT NULL"));
    assert!(index.unique);
    assert!(matches!(&events[1], SchemaChange::RenameIndex { to, .. } if to == "user_email"));
    assert_eq!(events.len(), 6);
    assert_eq!(table(&replayer, "post").indexes.len(), 1);
}

#[test]
fn recognised_drop_index_and_rename_index_kinds() {
    let mut replayer = replay(
        Dialect::Postgres,
        "CREATE TABLE t (a INT);\nCREATE INDEX t_a ON t (a)",
    );
    let hand_built = [
        Statement {
            line: 1,
            text: String::new(),
            kind: StatementKind::RenameIndex {
                table: "t".into(),
                from: "t_a".into(),
                to: "t_a2".into(),
            },
        },
        Statement {
            line: 2,
            text: String::new(),
            kind: StatementKind::DropIndex {
                names: vec!["t_a2".into(), "gone".into()],
                concurrently: true,
                if_exists: true,
            },
        },
    ];
    replayer.apply_file("c.sql", &hand_built);
    assert_no_diagnostics(&replayer);
    assert!(table(&replayer, "t").indexes.is_empty());
    assert_eq!(replayer.events().len(), 4);
}

#[test]
fn postgres_enum_types() {
    let (replayer, events) = change_events(
        Dialect::Postgres,
        "CREATE TYPE \"Role\" AS ENUM ('USER', 'ADMIN');\nCREATE TABLE u (role \"Role\")",
        "ALTER TYPE \"Role\" ADD VALUE 'OWNER' BEFORE 'ADMIN';\n\
         ALTER TYPE \"Role\" ADD VALUE IF NOT EXISTS 'USER';\n\
         ALTER TYPE \"Role\" ADD VALUE 'GUEST' AFTER 'ADMIN';\n\
         ALTER TYPE \"Role\" RENAME VALUE 'USER' TO 'MEMBER';\n\
         ALTER TYPE \"Role\" RENAME TO \"Kind\";\n\
         DROP TYPE IF EXISTS ghost",
    );
    assert_no_diagnostics(&replayer);
    assert_eq!(events.len(), 4);
    let kind = replayer.schema().enum_type("Kind").expect("renamed enum");
    assert_eq!(kind.values, ["MEMBER", "OWNER", "ADMIN", "GUEST"]);
    assert_eq!(column(&replayer, "u", "role").data_type, "\"Kind\"");
    let (dropped, events) = change_events(
        Dialect::Postgres,
        "CREATE TYPE mood AS ENUM ('a')",
        "DROP TYPE mood",
    );
    assert_eq!(
        events,
        [SchemaChange::DropEnum {
            name: "mood".into()
        }]
    );
    assert!(dropped.schema().enums.is_empty());
}

const MYSQL_BASE: &str = "CREATE TABLE `User` (`id` INTEGER NOT NULL AUTO_INCREMENT, `email` VARCHAR(191) NOT NULL, \
    UNIQUE INDEX `User_email_key`(`email`), PRIMARY KEY (`id`)) DEFAULT CHARACTER SET utf8mb4;\n\
    CREATE TABLE `Post` (`id` INTEGER NOT NULL, `authorId` INTEGER NULL, `title` VARCHAR(191) NOT NULL, \
    INDEX `Post_title_idx`(`title`), PRIMARY KEY (`id`));\n\
    ALTER TABLE `Post` ADD CONSTRAINT `Post_authorId_fkey` FOREIGN KEY (`authorId`) REFERENCES `User`(`id`) ON DELETE SET NULL ON UPDATE CASCADE";

#[test]
fn mysql_prisma_tables() {
    let replayer = replay(Dialect::Mysql, MYSQL_BASE);
    assert_no_diagnostics(&replayer);
    let user = table(&replayer, "user");
    assert_eq!(user.indexes[0].name, "User_email_key");
    assert!(user.indexes[0].unique);
    assert!(!column(&replayer, "User", "id").nullable);
    let post = table(&replayer, "Post");
    assert_eq!(post.indexes[0].name, "Post_title_idx");
    assert!(!post.indexes[0].unique);
    assert_eq!(post.foreign_keys[0].on_update, ReferentialAction::Cascade);
}

#[test]
fn mysql_change_modify_and_drops() {
    let (replayer, events) = change_events(
        Dialect::Mysql,
        MYSQL_BASE,
        "ALTER TABLE `Post` CHANGE `title` `headline` VARCHAR(300) NOT NULL;\n\
         ALTER TABLE `Post` MODIFY COLUMN `headline` TEXT NULL;\n\
         ALTER TABLE `Post` DROP FOREIGN KEY `Post_authorId_fkey`;\n\
         ALTER TABLE `Post` DROP INDEX `Post_title_idx`, ADD UNIQUE INDEX `Post_headline_key`(`headline`(100));\n\
         ALTER TABLE `User` DROP PRIMARY KEY;\n\
         DROP INDEX `User_email_key` ON `User`",
    );
    assert_no_diagnostics(&replayer);
    assert_eq!(
        events[0],
        SchemaChange::RenameColumn {
            table: "Post".into(),
            from: "title".into(),
            to: "headline".into()
        }
    );
    assert!(
        matches!(&events[1], SchemaChange::AlterColumn { after, .. } if after.data_type == "VARCHAR(300)")
    );
    assert!(
        matches!(&events[2], SchemaChange::AlterColumn { after, .. } if after.data_type == "TEXT" && after.nullable)
    );
    assert!(matches!(&events[3], SchemaChange::DropForeignKey { .. }));
    assert!(
        matches!(&events[4], SchemaChange::DropIndex { index, .. } if index.columns == ["headline"])
    );
    assert!(matches!(&events[5], SchemaChange::CreateIndex { index, .. } if index.unique));
    assert!(matches!(&events[6], SchemaChange::AlterColumn { after, .. } if !after.primary_key));
    assert!(matches!(&events[7], SchemaChange::DropIndex { .. }));
    assert_eq!(events.len(), 8);
}

#[test]
fn mysql_rename_table_and_index_and_column() {
    let (replayer, events) = change_events(
        Dialect::Mysql,
        MYSQL_BASE,
        "RENAME TABLE `User` TO `Account`, `Post` TO `Article`;\n\
         ALTER TABLE `Article` RENAME COLUMN `authorId` TO `accountId`, ADD COLUMN `body` TEXT, ADD KEY `Article_body`(`body`(10))",
    );
    assert_no_diagnostics(&replayer);
    let article = table(&replayer, "Article");
    assert_eq!(article.foreign_keys[0].ref_table, "Account");
    assert_eq!(article.foreign_keys[0].columns, ["accountId"]);
    assert_eq!(events.len(), 5);
}

#[test]
fn mysql_drop_column_shrinks_indexes_and_refuses_fk_columns() {
    let (replayer, events) = change_events(
        Dialect::Mysql,
        MYSQL_BASE,
        "CREATE INDEX `Post_pair` ON `Post` (`title`, `id`);\n\
         ALTER TABLE `Post` DROP COLUMN `title`;\n\
         ALTER TABLE `Post` DROP `authorId`",
    );
    assert!(
        matches!(&events[1], SchemaChange::DropIndex { index, .. } if index.name == "Post_title_idx")
    );
    assert!(matches!(&events[2], SchemaChange::DropColumn { .. }));
    assert_eq!(
        table(&replayer, "Post")
            .index("Post_pair")
            .map(|i| i.columns.clone()),
        Some(vec!["id".to_string()])
    );
    assert_eq!(replayer.diagnostics().len(), 1);
    assert_eq!(replayer.diagnostics()[0].line, 3);
}

#[test]
fn missing_objects_are_diagnosed_with_file_and_line_and_replay_continues() {
    let replayer = replay(
        Dialect::Postgres,
        "ALTER TABLE ghost ADD COLUMN a INT;\nCREATE INDEX i ON ghost (a);\nALTER TABLE IF EXISTS ghost DROP COLUMN a;\nCREATE TABLE t (a INT);\nALTER TABLE t DROP COLUMN b",
    );
    let lines: Vec<usize> = replayer.diagnostics().iter().map(|d| d.line).collect();
    assert_eq!(lines, [1, 2, 5]);
    assert!(
        replayer
            .diagnostics()
            .iter()
            .all(|d| d.kind == DiagnosticKind::Replay && d.file == "m.sql")
    );
    assert!(replayer.schema().table("t").is_some());
}

#[test]
fn dml_transactions_and_unparsed_have_no_effect() {
    let mut replayer = replay(
        Dialect::Postgres,
        "BEGIN;\nCREATE TABLE t (a INT);\nINSERT INTO t VALUES (1);\nUPDATE t SET a = 2;\nDELETE FROM t;\nTRUNCATE t;\nSET lock_timeout = '1s';\nCOMMIT",
    );
    let unparsed = [Statement {
        line: 1,
        text: "DO $$ $$".into(),
        kind: StatementKind::Unparsed { error: "x".into() },
    }];
    replayer.apply_file("u.sql", &unparsed);
    assert_no_diagnostics(&replayer);
    assert_eq!(replayer.events().len(), 1);
}

#[test]
fn events_carry_file_and_line() {
    let replayer = replay(
        Dialect::Sqlite,
        "\n\nCREATE TABLE a (x INT);\n\nALTER TABLE a ADD COLUMN y INT",
    );
    let locations: Vec<usize> = replayer.events().iter().map(|e| e.at.line).collect();
    assert_eq!(locations, [3, 5]);
    assert!(replayer.events().iter().all(|e| e.at.file == "m.sql"));
}

const SQLITE_BASE: &str = r#"CREATE TABLE "User" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "email" TEXT NOT NULL, "name" TEXT);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE TABLE "Post" ("id" INTEGER NOT NULL PRIMARY KEY, "authorId" INTEGER NOT NULL, CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE)"#;

#[test]
fn sqlite_redefine_is_one_change_with_column_events() {
    let (replayer, events) = change_events(
        Dialect::Sqlite,
        SQLITE_BASE,
        r#"PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_User" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "mail" TEXT NOT NULL, "age" INTEGER NOT NULL DEFAULT 0);
INSERT INTO "new_User" ("id", "mail") SELECT "id", "email" FROM "User";
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User";
CREATE UNIQUE INDEX "User_mail_key" ON "User"("mail");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF"#,
    );
    assert_no_diagnostics(&replayer);
    assert_eq!(
        events[0],
        SchemaChange::RedefineTable {
            table: "User".into(),
            carried: vec![("id".into(), "id".into()), ("email".into(), "mail".into())],
            dropped: vec!["name".into()],
            added: vec!["age".into()],
        }
    );
    assert_eq!(
        events[1],
        SchemaChange::RenameColumn {
            table: "User".into(),
            from: "email".into(),
            to: "mail".into()
        }
    );
    assert!(matches!(&events[2], SchemaChange::DropColumn { column, .. } if column.name == "name"));
    assert!(matches!(&events[3], SchemaChange::AddColumn { column, .. } if column.name == "age"));
    assert!(
        matches!(&events[4], SchemaChange::DropIndex { index, .. } if index.name == "User_email_key")
    );
    assert!(
        matches!(&events[5], SchemaChange::CreateIndex { index, .. } if index.name == "User_mail_key")
    );
    assert_eq!(events.len(), 6);
    assert!(
        replayer.events()[3..]
            .iter()
            .all(|e| e.at.line == 3 && e.at.file == "c.sql")
    );
    assert_eq!(
        table(&replayer, "Post").foreign_keys[0].ref_columns,
        ["id"],
        "SQLite leaves other tables' FKs as written"
    );
}

#[test]
fn sqlite_redefine_unchanged_index_and_alias_rename_and_nullability() {
    let (_, events) = change_events(
        Dialect::Sqlite,
        SQLITE_BASE,
        r#"CREATE TABLE "new_User" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "email" TEXT NOT NULL, "full_name" TEXT NOT NULL);
INSERT INTO "new_User" ("id", "email", "full_name") SELECT "id", "email", coalesce("name", '') AS "full_name" FROM "User";
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User";
CREATE UNIQUE INDEX "User_email_key" ON "User"("email")"#,
    );
    assert!(
        matches!(&events[0], SchemaChange::RedefineTable { dropped, added, .. } if dropped.is_empty() && added.is_empty())
    );
    assert!(
        matches!(&events[1], SchemaChange::RenameColumn { from, to, .. } if from == "name" && to == "full_name")
    );
    assert!(
        matches!(&events[2], SchemaChange::AlterColumn { before, after, .. } if before.nullable && !after.nullable)
    );
    assert_eq!(
        events.len(),
        3,
        "the re-created index is not a change: {events:?}"
    );
}

#[test]
fn sqlite_redefine_without_insert_is_replayed_literally() {
    let (replayer, events) = change_events(
        Dialect::Sqlite,
        SQLITE_BASE,
        r#"CREATE TABLE "new_User" ("id" INTEGER NOT NULL PRIMARY KEY);
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User""#,
    );
    assert_no_diagnostics(&replayer);
    assert_eq!(
        events,
        [
            SchemaChange::CreateTable {
                table: "new_User".into()
            },
            SchemaChange::DropTable {
                table: "User".into()
            },
            SchemaChange::RenameTable {
                from: "new_User".into(),
                to: "User".into()
            },
        ]
    );
}

#[test]
fn sqlite_refuses_to_drop_an_indexed_column() {
    let (replayer, events) = change_events(
        Dialect::Sqlite,
        SQLITE_BASE,
        "ALTER TABLE \"User\" DROP COLUMN \"email\"",
    );
    assert!(events.is_empty());
    assert_eq!(replayer.diagnostics().len(), 1);
    assert!(column(&replayer, "User", "email").name == "email");
}

#[test]
fn postgres_identity_is_not_null_and_dropping_a_key_column_drops_the_key() {
    let (replayer, events) = change_events(
        Dialect::Postgres,
        "CREATE TABLE t (a INT GENERATED ALWAYS AS IDENTITY, b INT, c INT, PRIMARY KEY (b, c))",
        "ALTER TABLE t DROP COLUMN b",
    );
    assert!(!column(&replayer, "t", "a").nullable);
    assert!(
        matches!(&events[1], SchemaChange::AlterColumn { after, .. } if after.name == "c" && !after.primary_key)
    );
    assert_eq!(events.len(), 2);
}

#[test]
fn mysql_indexes_foreign_key_columns_when_no_index_covers_them() {
    let (replayer, events) = change_events(
        Dialect::Mysql,
        "CREATE TABLE p (id INT PRIMARY KEY);\n\
         CREATE TABLE c (id INT PRIMARY KEY, p_id INT, q_id INT, INDEX c_q (q_id, id), \
         CONSTRAINT c_p FOREIGN KEY (p_id) REFERENCES p (id), FOREIGN KEY (q_id) REFERENCES p (id))",
        "ALTER TABLE c ADD COLUMN r_id INT, ADD CONSTRAINT c_r FOREIGN KEY (r_id) REFERENCES p (id);\n\
         ALTER TABLE c DROP FOREIGN KEY c_r;\nALTER TABLE c DROP INDEX c_r",
    );
    assert_no_diagnostics(&replayer);
    assert!(matches!(&events[2], SchemaChange::CreateIndex { index, .. } if index.name == "c_r"));
    assert_eq!(events.len(), 5);
    let names: Vec<&str> = table(&replayer, "c")
        .indexes
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(names, ["c_q", "c_p"]);
}

#[test]
fn postgres_rename_constraint() {
    let (replayer, _) = change_events(
        Dialect::Postgres,
        "CREATE TABLE p (id INT PRIMARY KEY);\nCREATE TABLE c (p_id INT CONSTRAINT c_fk REFERENCES p, code INT CONSTRAINT c_code UNIQUE)",
        "ALTER TABLE c RENAME CONSTRAINT c_fk TO c_parent;\nALTER TABLE c RENAME CONSTRAINT c_code TO c_code_key;\nALTER TABLE c RENAME CONSTRAINT a_check TO b_check",
    );
    let c = table(&replayer, "c");
    assert_eq!(c.foreign_keys[0].name.as_deref(), Some("c_parent"));
    assert_eq!(c.indexes[0].name, "c_code_key");
    assert_eq!(replayer.diagnostics().len(), 1);
}
