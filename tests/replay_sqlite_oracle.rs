//! Real-database oracle: SQLite migration histories applied to a real (bundled, in-memory)
//! SQLite and to the `Replayer` must give the same schema, migration after migration.

use rusqlite::Connection;
use schemagate::analysis;
use schemagate::analysis::dialect::Dialect;
use schemagate::analysis::replay::{Replayer, SchemaChange};
use schemagate::analysis::schema::{IndexOrigin, Schema};

#[path = "support/sqlite_oracle.rs"]
mod sqlite_oracle;
#[path = "support/statements.rs"]
mod statements;

/// A real database and a replayer fed the same migrations.
struct Oracle {
    database: Connection,
    replayer: Replayer,
    applied: usize,
}

impl Oracle {
    fn new() -> Self {
        Oracle {
            database: Connection::open_in_memory().expect("in-memory SQLite"),
            replayer: Replayer::new(Dialect::Sqlite),
            applied: 0,
        }
    }

    /// Applies a migration both ways; returns whether SQLite accepted it and the replay's
    /// events for it.
    fn apply(&mut self, sql: &str) -> (bool, Vec<SchemaChange>) {
        self.applied += 1;
        let accepted = self.database.execute_batch(sql).is_ok();
        let before = self.replayer.events().len();
        let file = format!("{:03}/migration.sql", self.applied);
        self.replayer
            .apply_file(&file, &statements::statements(Dialect::Sqlite, sql));
        let events = self.replayer.events()[before..]
            .iter()
            .map(|e| e.change.clone())
            .collect();
        (accepted, events)
    }

    /// Applies a migration SQLite must accept and the replay must understand, then checks that
    /// both schemas agree.
    fn migrate(&mut self, sql: &str) -> Vec<SchemaChange> {
        let diagnostics_before = self.replayer.diagnostics().len();
        let (accepted, events) = self.apply(sql);
        assert!(accepted, "SQLite rejected migration {}", self.applied);
        assert_eq!(
            &self.replayer.diagnostics()[diagnostics_before..],
            &[],
            "migration {}",
            self.applied
        );
        self.assert_same_schema();
        events
    }

    /// Asserts the real and the replayed schema are the same.
    fn assert_same_schema(&self) {
        let real = sqlite_oracle::read_schema(&self.database).expect("read real schema");
        assert_eq!(
            sqlite_oracle::comparable(self.replayer.schema()),
            sqlite_oracle::comparable(&real),
            "after migration {}",
            self.applied
        );
    }
}

const INIT: &str = r#"
-- CreateTable
CREATE TABLE "User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Post" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "title" TEXT NOT NULL,
    "body" TEXT,
    "views" INTEGER NOT NULL DEFAULT 0,
    "price" DECIMAL(65, 30),
    "authorId" INTEGER NOT NULL,
    CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Tag" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "label" TEXT NOT NULL UNIQUE,
    "postId" TEXT,
    "slug" TEXT,
    UNIQUE ("postId", "slug"),
    FOREIGN KEY ("postId") REFERENCES "Post" ("id")
);

-- CreateTable
CREATE TABLE "Setting" ("key" TEXT PRIMARY KEY, "value" TEXT);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE INDEX "Post_title_idx" ON "Post"("title");
"#;

/// Prisma drops `Post.body` (data loss) and keeps everything else.
const REDEFINE_DROP_COLUMN: &str = r#"
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Post" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "title" TEXT NOT NULL,
    "views" INTEGER NOT NULL DEFAULT 0,
    "price" DECIMAL(65, 30),
    "authorId" INTEGER NOT NULL,
    CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Post" ("authorId", "id", "price", "title", "views") SELECT "authorId", "id", "price", "title", "views" FROM "Post";
DROP TABLE "Post";
ALTER TABLE "new_Post" RENAME TO "Post";
CREATE INDEX "Post_title_idx" ON "Post"("title");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
"#;

/// Hand-edited: `name` becomes `displayName` (SELECT alias) and becomes required.
const REDEFINE_RENAME_AND_REQUIRE: &str = r#"
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL,
    "displayName" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_User" ("id", "email", "displayName", "createdAt") SELECT "id", "email", "name" AS "displayName", "createdAt" FROM "User";
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User";
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
PRAGMA foreign_key_check;
PRAGMA foreign_keys=ON;
"#;

/// The relation Post -> User becomes ON DELETE CASCADE, and `views` becomes optional.
const REDEFINE_CASCADE: &str = r#"
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Post" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "title" TEXT NOT NULL,
    "views" INTEGER DEFAULT 0,
    "price" DECIMAL(65, 30),
    "authorId" INTEGER NOT NULL,
    CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Post" ("authorId", "id", "price", "title", "views") SELECT "authorId", "id", "price", "title", "views" FROM "Post";
DROP TABLE "Post";
ALTER TABLE "new_Post" RENAME TO "Post";
CREATE INDEX "Post_title_idx" ON "Post"("title");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
"#;

#[test]
fn prisma_history_with_redefines_matches_real_sqlite() {
    let mut oracle = Oracle::new();
    oracle.migrate(INIT);

    let events = oracle.migrate(REDEFINE_DROP_COLUMN);
    assert!(
        matches!(&events[0], SchemaChange::RedefineTable { table, dropped, added, .. }
            if table == "Post" && dropped == &["body"] && added.is_empty()),
        "{events:?}"
    );
    assert!(matches!(&events[1], SchemaChange::DropColumn { column, .. } if column.name == "body"));
    assert_eq!(events.len(), 2, "indexes and FK are unchanged: {events:?}");

    let events = oracle.migrate(REDEFINE_RENAME_AND_REQUIRE);
    assert!(events.contains(&SchemaChange::RenameColumn {
        table: "User".into(),
        from: "name".into(),
        to: "displayName".into(),
    }));
    assert!(events.iter().any(
        |e| matches!(e, SchemaChange::AlterColumn { before, after, .. }
        if before.nullable && !after.nullable && after.default.as_deref() == Some("''"))
    ));
    assert!(!events.iter().any(|e| matches!(
        e,
        SchemaChange::DropTable { .. } | SchemaChange::CreateTable { .. }
    )));

    let events = oracle.migrate(REDEFINE_CASCADE);
    assert!(events.iter().any(
        |e| matches!(e, SchemaChange::AddForeignKey { foreign_key, .. }
        if foreign_key.on_delete == schemagate::analysis::schema::ReferentialAction::Cascade)
    ));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, SchemaChange::DropForeignKey { .. }))
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, SchemaChange::AlterColumn { after, .. } if after.nullable))
    );
}

#[test]
fn alter_table_columns_and_renames_match_real_sqlite() {
    let mut oracle = Oracle::new();
    oracle.migrate(INIT);
    oracle.migrate(
        r#"ALTER TABLE "User" ADD COLUMN "bio" TEXT DEFAULT 'none';
ALTER TABLE "Post" ADD "subtitle" VARCHAR(80);
ALTER TABLE "Post" DROP COLUMN "body";"#,
    );
    // Renamed columns follow into indexes and into other tables' foreign keys.
    oracle.migrate(
        r#"ALTER TABLE "User" RENAME COLUMN "id" TO "userId";
ALTER TABLE "User" RENAME COLUMN "email" TO "mail";
ALTER TABLE "Post" RENAME "title" TO "headline";"#,
    );
    // A renamed table is followed by the foreign keys pointing at it.
    let events = oracle.migrate(r#"ALTER TABLE "User" RENAME TO "Account";"#);
    assert_eq!(
        events,
        [SchemaChange::RenameTable {
            from: "User".into(),
            to: "Account".into()
        }]
    );
    let real = sqlite_oracle::read_schema(&oracle.database).expect("real schema");
    let post = real.table("Post").cloned().unwrap_or_default();
    assert_eq!(post.foreign_keys[0].ref_table, "Account");
    assert_eq!(post.foreign_keys[0].ref_columns, ["userId"]);
    assert_eq!(post.indexes[0].columns, ["headline"]);
}

#[test]
fn indexes_match_real_sqlite() {
    let mut oracle = Oracle::new();
    oracle.migrate(INIT);
    oracle.migrate(
        r#"ALTER TABLE "Post" ADD COLUMN "deletedAt" DATETIME;
CREATE UNIQUE INDEX "Post_title_author_key" ON "Post"("title", "authorId");
CREATE INDEX "Post_live_idx" ON "Post"("authorId") WHERE "deletedAt" IS NULL;
CREATE INDEX IF NOT EXISTS "Post_live_idx" ON "Post"("views");"#,
    );
    let events = oracle.migrate(r#"DROP INDEX "Post_title_idx"; DROP INDEX IF EXISTS "nothing";"#);
    assert!(
        matches!(&events[..], [SchemaChange::DropIndex { index, .. }] if index.name == "Post_title_idx")
    );
}

#[test]
fn partial_index_predicates_follow_renames_and_block_drops_like_sqlite() {
    let mut oracle = Oracle::new();
    oracle.migrate(INIT);
    oracle.migrate(
        r#"ALTER TABLE "Post" ADD COLUMN "deletedAt" DATETIME;
CREATE INDEX "Post_live_idx" ON "Post"("authorId") WHERE "deletedAt" IS NULL;
CREATE INDEX "Post_lower_title_idx" ON "Post"(lower("title"));"#,
    );
    oracle.migrate(r#"ALTER TABLE "Post" RENAME COLUMN "deletedAt" TO "removedAt";"#);
    let post = oracle
        .replayer
        .schema()
        .table("Post")
        .cloned()
        .unwrap_or_default();
    let live = post.index("Post_live_idx").cloned().unwrap_or_default();
    assert_eq!(live.predicate.as_deref(), Some(r#""removedAt" IS NULL"#));
    for refused in [
        r#"ALTER TABLE "Post" DROP COLUMN "removedAt";"#,
        r#"ALTER TABLE "Post" DROP COLUMN "title";"#,
    ] {
        let diagnostics_before = oracle.replayer.diagnostics().len();
        let (accepted, events) = oracle.apply(refused);
        assert!(!accepted && events.is_empty(), "{refused}");
        assert_eq!(oracle.replayer.diagnostics().len(), diagnostics_before + 1);
        assert!(
            oracle
                .replayer
                .schema()
                .table("Post")
                .is_some_and(|t| t.column("title").is_some())
        );
    }
}

#[test]
fn dropped_table_leaves_dangling_foreign_keys_like_sqlite() {
    let mut oracle = Oracle::new();
    oracle.migrate(INIT);
    oracle.migrate(r#"PRAGMA foreign_keys=OFF; DROP TABLE "User"; DROP TABLE IF EXISTS "Ghost";"#);
    let real = sqlite_oracle::read_schema(&oracle.database).expect("real schema");
    let post = real.table("Post").cloned().unwrap_or_default();
    assert_eq!(post.foreign_keys[0].ref_table, "User");
    oracle.migrate(r#"DROP TABLE "Tag"; DROP TABLE "Post"; DROP TABLE "Setting";"#);
    assert!(oracle.replayer.schema().tables.is_empty());
}

#[test]
fn incomplete_redefine_is_replayed_literally_like_sqlite() {
    let mut oracle = Oracle::new();
    oracle.migrate(INIT);
    let events = oracle.migrate(
        r#"PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Tag" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "label" TEXT NOT NULL);
DROP TABLE "Tag";
ALTER TABLE "new_Tag" RENAME TO "Tag";"#,
    );
    assert_eq!(
        events,
        [
            SchemaChange::CreateTable {
                table: "new_Tag".into()
            },
            SchemaChange::DropTable {
                table: "Tag".into()
            },
            SchemaChange::RenameTable {
                from: "new_Tag".into(),
                to: "Tag".into()
            },
        ]
    );
    // new_X created and never renamed: just another table.
    oracle.migrate(r#"CREATE TABLE "new_User" ("id" INTEGER NOT NULL PRIMARY KEY);"#);
}

#[test]
fn statements_sqlite_refuses_are_diagnosed_and_leave_the_schema_alone() {
    let mut oracle = Oracle::new();
    oracle.migrate(INIT);
    let (accepted, events) = oracle.apply(r#"ALTER TABLE "User" DROP COLUMN "email";"#);
    assert!(!accepted, "SQLite refuses to drop an indexed column");
    assert!(events.is_empty());
    assert_eq!(oracle.replayer.diagnostics().len(), 1);
    assert_eq!(oracle.replayer.diagnostics()[0].file, "002/migration.sql");
    oracle.assert_same_schema();
    let (accepted, _) = oracle.apply(r#"DROP INDEX "sqlite_autoindex_Tag_1";"#);
    assert!(!accepted);
    oracle.assert_same_schema();
}

#[test]
fn references_added_by_alter_and_self_references_survive_redefines_like_sqlite() {
    let mut oracle = Oracle::new();
    oracle.migrate(INIT);
    let events = oracle.migrate(
        r#"ALTER TABLE "Tag" ADD COLUMN "parentId" INTEGER REFERENCES "Tag" ("id") ON DELETE SET NULL;
CREATE TABLE "Comment" ("id" INTEGER NOT NULL PRIMARY KEY, "replyTo" INTEGER REFERENCES "Comment", "postId" TEXT NOT NULL REFERENCES "Post" ("id") ON DELETE CASCADE);"#,
    );
    assert!(
        matches!(&events[1], SchemaChange::AddForeignKey { foreign_key, .. }
        if foreign_key.ref_table == "Tag" && foreign_key.ref_columns == ["id"])
    );
    // Post's key is renamed by a redefinition: SQLite does not touch the foreign keys of
    // Tag and Comment, which keep naming Post("id").
    let events = oracle.migrate(
        r#"PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Post" (
    "postId" TEXT NOT NULL PRIMARY KEY,
    "title" TEXT NOT NULL,
    "body" TEXT,
    "views" INTEGER NOT NULL DEFAULT 0,
    "price" DECIMAL(65, 30),
    "authorId" INTEGER NOT NULL,
    CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Post" ("postId", "title", "body", "views", "price", "authorId") SELECT "id", "title", "body", "views", "price", "authorId" FROM "Post";
DROP TABLE "Post";
ALTER TABLE "new_Post" RENAME TO "Post";
PRAGMA foreign_keys=ON;"#,
    );
    assert!(events.contains(&SchemaChange::RenameColumn {
        table: "Post".into(),
        from: "id".into(),
        to: "postId".into(),
    }));
    assert!(
        events.iter().any(
            |e| matches!(e, SchemaChange::DropIndex { index, .. } if index.name == "Post_title_idx")
        ),
        "the index not re-created after the redefinition is gone: {events:?}"
    );
    // A redefinition of a self-referencing table keeps the self-reference.
    oracle.migrate(
        r#"CREATE TABLE "new_Comment" ("id" INTEGER NOT NULL PRIMARY KEY, "replyTo" INTEGER, "postId" TEXT NOT NULL,
    CONSTRAINT "Comment_replyTo_fkey" FOREIGN KEY ("replyTo") REFERENCES "new_Comment" ("id") ON DELETE CASCADE);
INSERT INTO "new_Comment" ("id", "replyTo", "postId") SELECT "id", "replyTo", "postId" FROM "Comment";
DROP TABLE "Comment";
ALTER TABLE "new_Comment" RENAME TO "Comment";"#,
    );
}

/// One random schema operation over a small pool of names (so that operations collide).
fn operation_sql(kind: u8, a: u8, b: u8, c: u8) -> String {
    let (t, u) = (format!("t{}", a % 3), format!("t{}", b % 3));
    let (x, y) = (format!("c{}", b % 4), format!("c{}", c % 4));
    let index = format!("i{}", c % 3);
    match kind % 9 {
        0 => format!(
            "CREATE TABLE IF NOT EXISTS \"{t}\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"{x}\" TEXT, \
             \"ref\" INTEGER REFERENCES \"{u}\" (\"id\") ON DELETE CASCADE)"
        ),
        1 => format!("ALTER TABLE \"{t}\" ADD COLUMN \"{x}\" TEXT DEFAULT 'v'"),
        2 => format!("ALTER TABLE \"{t}\" RENAME COLUMN \"{x}\" TO \"{y}\""),
        3 => format!("ALTER TABLE \"{t}\" DROP COLUMN \"{x}\""),
        4 => format!("ALTER TABLE \"{t}\" RENAME TO \"{u}\""),
        // Unquoted: SQLite reads a double-quoted name of no column as a string literal.
        5 => format!("CREATE INDEX \"{index}\" ON \"{t}\" ({x})"),
        6 => format!(
            "CREATE UNIQUE INDEX IF NOT EXISTS \"{index}\" ON \"{t}\" ({x}, {y}) WHERE {x} IS NOT NULL"
        ),
        7 => format!("DROP INDEX IF EXISTS \"{index}\""),
        _ => format!("DROP TABLE IF EXISTS \"{t}\""),
    }
}

/// A Prisma-style redefinition of table `t{a % 3}` (as the replay currently sees it) that
/// drops column `c{b % 4}` and, when `rename` is set, renames the first other carried text
/// column to `r{b % 4}`; the table's indexes not on the dropped column are re-created. Empty
/// when the table does not exist.
fn redefinition_sql(schema: &Schema, a: u8, b: u8, rename: bool) -> String {
    let table_name = format!("t{}", a % 3);
    let dropped = format!("c{}", b % 4);
    let Some(table) = schema.table(&table_name) else {
        return String::new();
    };
    let mut renamed = None;
    let mut definitions = Vec::new();
    let mut copied = Vec::new();
    for column in table.columns.iter().filter(|c| c.name != dropped) {
        let mut name = column.name.clone();
        if rename && renamed.is_none() && column.data_type == "TEXT" {
            name = format!("r{}", b % 4);
            renamed = Some(column.name.clone());
        }
        let mut definition = format!("\"{name}\" {}", column.data_type);
        if !column.nullable {
            definition += " NOT NULL";
        }
        if column.primary_key {
            definition += " PRIMARY KEY";
        }
        if let Some(default) = &column.default {
            definition += &format!(" DEFAULT {default}");
        }
        definitions.push(definition);
        copied.push((column.name.clone(), name));
    }
    let kept = |columns: &[String]| !columns.contains(&dropped);
    for foreign_key in table.foreign_keys.iter().filter(|fk| kept(&fk.columns)) {
        let columns: Vec<String> = foreign_key
            .columns
            .iter()
            .map(|c| new_name(&copied, c))
            .collect();
        definitions.push(format!(
            "FOREIGN KEY (\"{}\") REFERENCES \"{}\" (\"{}\") ON DELETE {}",
            columns.join("\", \""),
            foreign_key.ref_table,
            foreign_key.ref_columns.join("\", \""),
            foreign_key.on_delete
        ));
    }
    let targets: Vec<String> = copied.iter().map(|(_, new)| format!("\"{new}\"")).collect();
    let sources: Vec<String> = copied.iter().map(|(old, _)| format!("\"{old}\"")).collect();
    let mut sql = format!(
        "PRAGMA foreign_keys=OFF;\nCREATE TABLE \"new_{table_name}\" ({});\n\
         INSERT INTO \"new_{table_name}\" ({}) SELECT {} FROM \"{table_name}\";\n\
         DROP TABLE \"{table_name}\";\nALTER TABLE \"new_{table_name}\" RENAME TO \"{table_name}\";\n",
        definitions.join(", "),
        targets.join(", "),
        sources.join(", ")
    );
    let explicit = table
        .indexes
        .iter()
        .filter(|i| i.origin == IndexOrigin::Explicit);
    for index in explicit.filter(|i| kept(&i.columns) && i.predicate.is_none()) {
        let columns: Vec<String> = index.columns.iter().map(|c| new_name(&copied, c)).collect();
        let unique = if index.unique { "UNIQUE " } else { "" };
        sql += &format!(
            "CREATE {unique}INDEX \"{}\" ON \"{table_name}\" ({});\n",
            index.name,
            columns.join(", ")
        );
    }
    sql + "PRAGMA foreign_keys=ON;"
}

/// The name column `old` has after a redefinition that copies `copied` (old, new) pairs.
fn new_name(copied: &[(String, String)], old: &str) -> String {
    copied
        .iter()
        .find(|(from, _)| from == old)
        .map_or_else(|| old.to_string(), |(_, to)| to.clone())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]

    /// Random sequences of colliding operations, one migration each: the replay agrees with
    /// SQLite after every one, and diagnoses every statement SQLite refuses.
    #[test]
    fn random_operation_sequences_match_real_sqlite(
        operations in proptest::collection::vec((0u8..11, 0u8..3, 0u8..4, 0u8..4), 1..40)
    ) {
        let mut oracle = Oracle::new();
        for (kind, a, b, c) in operations {
            let sql = match kind {
                9 | 10 => redefinition_sql(oracle.replayer.schema(), a, b, kind == 10),
                _ => operation_sql(kind, a, b, c),
            };
            let diagnostics_before = oracle.replayer.diagnostics().len();
            let (accepted, _) = oracle.apply(&sql);
            let diagnosed = oracle.replayer.diagnostics().len() > diagnostics_before;
            proptest::prop_assert!(accepted || diagnosed, "SQLite refused, replay did not: {}", sql);
            let real = sqlite_oracle::read_schema(&oracle.database).expect("real schema");
            proptest::prop_assert_eq!(
                sqlite_oracle::comparable(oracle.replayer.schema()),
                sqlite_oracle::comparable(&real),
                "after {}", sql
            );
        }
    }
}
