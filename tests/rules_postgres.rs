//! The Postgres facts the rules rely on, checked on a real PostgreSQL (see
//! `support/postgres.rs`: `.ci/run` starts one; elsewhere these tests say SKIPPED).
//!
//! Each test runs the statement a rule judges and asserts what the database really did: whether
//! the table was rewritten (its file node changed), which lock it took, whether it failed on
//! existing rows, and which tables went. The rules' own verdicts are compared with that, so a
//! rule can never claim what Postgres does not do.

#[path = "support/postgres.rs"]
mod postgres;

use postgres::{ScratchDb, scratch_db};
use schemagate::analysis::detect::DetectOptions;
use schemagate::analysis::fileset::FileSet;
use schemagate::analysis::pipeline::analyze_change;
use schemagate::analysis::rules::defaults::{
    NON_VOLATILE_CONSTRUCTS, NON_VOLATILE_FUNCTIONS, rewriting_call,
};
use schemagate::analysis::rules::{Finding, Risk, evaluate};

const LOCK: &str = "prisma/migrations/migration_lock.toml";
const BASE: &str = "prisma/migrations/20240101000000_init/migration.sql";
const PR: &str = "prisma/migrations/20240201000000_change/migration.sql";

/// A table with rows, as the base of a migration.
const BASE_SQL: &str = r#"CREATE TABLE "Recipe" ("id" INTEGER NOT NULL, "title" TEXT NOT NULL, "tag" TEXT);
CREATE TABLE "Step" ("id" INTEGER NOT NULL, "recipeId" INTEGER NOT NULL);
CREATE SCHEMA "audit";
CREATE TABLE "audit"."Event" ("id" INTEGER NOT NULL);"#;

/// Rows for [`BASE_SQL`].
const ROWS: &str = r#"INSERT INTO "Recipe" SELECT i, 'r' || i, NULL FROM generate_series(1, 50) AS i;
INSERT INTO "Step" SELECT i, i FROM generate_series(1, 50) AS i;
INSERT INTO "audit"."Event" VALUES (1);"#;

/// The open findings schemagate reports for a Prisma + Postgres PR adding `pr_sql` on top of
/// [`BASE_SQL`].
fn findings_of(pr_sql: &str) -> Vec<Finding> {
    let mut base = FileSet::new();
    base.insert(LOCK, "provider = \"postgresql\"\n");
    base.insert(BASE, BASE_SQL);
    let mut head = base.clone();
    head.insert(PR, format!("SET lock_timeout = '5s';\n{pr_sql}\n"));
    let change = analyze_change(&base, &head, &DetectOptions::default());
    change
        .sets
        .iter()
        .flat_map(evaluate)
        .filter(Finding::is_open)
        .collect()
}

/// A scratch database holding [`BASE_SQL`] and [`ROWS`].
fn base_db(test: &str) -> Option<ScratchDb> {
    let mut db = scratch_db(test)?;
    db.run(BASE_SQL);
    db.run(ROWS);
    Some(db)
}

#[test]
fn the_known_non_volatile_functions_are_stable_or_immutable_in_every_overload() {
    let Some(mut db) =
        scratch_db("the_known_non_volatile_functions_are_stable_or_immutable_in_every_overload")
    else {
        return;
    };
    for name in NON_VOLATILE_FUNCTIONS {
        let row = db
            .client
            .query_one(
                "SELECT count(*), count(*) FILTER (WHERE provolatile = 'v') FROM pg_proc WHERE proname = $1",
                &[name],
            )
            .expect("pg_proc answers");
        let (overloads, volatile): (i64, i64) = (row.get(0), row.get(1));
        assert!(overloads > 0, "{name} is not a function of pg_proc");
        assert_eq!(volatile, 0, "{name} has a VOLATILE overload");
    }
    for name in NON_VOLATILE_CONSTRUCTS {
        let row = db
            .client
            .query_one("SELECT count(*) FROM pg_proc WHERE proname = $1", &[name])
            .expect("pg_proc answers");
        assert_eq!(
            row.get::<_, i64>(0),
            0,
            "{name} is a function: list it with the functions"
        );
    }
}

#[test]
fn a_default_rewrites_the_table_exactly_when_schemagate_says_so() {
    let Some(mut db) = base_db("a_default_rewrites_the_table_exactly_when_schemagate_says_so")
    else {
        return;
    };
    // A user function: VOLATILE, as CREATE FUNCTION makes it unless told otherwise (PL/pgSQL:
    // a one-line `LANGUAGE sql` function would be inlined into a constant).
    db.run("CREATE FUNCTION app_default_meta() RETURNS jsonb LANGUAGE plpgsql AS $$ BEGIN RETURN '{}'::jsonb; END $$;");
    let defaults = [
        ("integer", "0"),
        ("jsonb", "'{}'::jsonb"),
        ("varchar(10)", "'x'::character varying(10)"),
        ("timestamptz", "now()"),
        ("timestamp(3)", "CURRENT_TIMESTAMP"),
        ("timestamptz", "statement_timestamp()"),
        ("timestamp", "(now() AT TIME ZONE 'utc')"),
        ("jsonb", "jsonb_build_object('a', 1)"),
        ("integer", "coalesce(NULL::integer, 1)"),
        ("text", "lower('ABC')"),
        ("uuid", "gen_random_uuid()"),
        ("double precision", "random()"),
        ("timestamptz", "clock_timestamp()"),
        ("jsonb", "app_default_meta()"),
        ("text", "'a' || md5(random()::text)"),
    ];
    for (column, (data_type, default)) in defaults.iter().enumerate() {
        let sql = format!(
            r#"ALTER TABLE "Recipe" ADD COLUMN "c{column}" {data_type} DEFAULT {default};"#
        );
        let rewrote = db.rewrites("\"Recipe\"", &sql);
        assert_eq!(
            rewriting_call(default).is_some(),
            rewrote,
            "DEFAULT {default}: Postgres {} the table",
            if rewrote {
                "rewrote"
            } else {
                "did not rewrite"
            }
        );
        let flagged = findings_of(&sql).iter().any(|f| f.rule == "table-rewrite");
        assert_eq!(
            flagged, rewrote,
            "DEFAULT {default}: the table-rewrite finding"
        );
    }
}

#[test]
fn stored_generated_and_identity_columns_rewrite_the_table_and_fill_every_row() {
    let Some(mut db) =
        base_db("stored_generated_and_identity_columns_rewrite_the_table_and_fill_every_row")
    else {
        return;
    };
    for sql in [
        r#"ALTER TABLE "Recipe" ADD COLUMN "lower" TEXT GENERATED ALWAYS AS (lower("title")) STORED;"#,
        r#"ALTER TABLE "Recipe" ADD COLUMN "seq" INTEGER GENERATED ALWAYS AS IDENTITY;"#,
    ] {
        assert!(db.rewrites("\"Recipe\"", sql), "{sql} did not rewrite");
        let findings = findings_of(sql);
        let rules: Vec<&str> = findings.iter().map(|f| f.rule).collect();
        assert_eq!(rules, ["table-rewrite"], "{sql}: {findings:#?}");
    }
    // The identity column is NOT NULL and every existing row got a value: nothing fails.
    let row = db
        .client
        .query_one(r#"SELECT count(*) FROM "Recipe" WHERE "seq" IS NULL"#, &[])
        .expect("select");
    assert_eq!(row.get::<_, i64>(0), 0);
}

#[test]
fn adding_a_primary_key_locks_builds_an_index_sets_not_null_and_fails_on_duplicates() {
    let Some(mut db) =
        base_db("adding_a_primary_key_locks_builds_an_index_sets_not_null_and_fails_on_duplicates")
    else {
        return;
    };
    let sql = r#"ALTER TABLE "Recipe" ADD CONSTRAINT "Recipe_pkey" PRIMARY KEY ("id");"#;
    let mut transaction = db.client.transaction().expect("begin");
    transaction.batch_execute(sql).expect("add the key");
    let lock: String = transaction
        .query_one(
            r#"SELECT mode FROM pg_locks WHERE relation = '"Recipe"'::regclass AND granted ORDER BY mode = 'AccessExclusiveLock' DESC LIMIT 1"#,
            &[],
        )
        .expect("pg_locks")
        .get(0);
    assert_eq!(lock, "AccessExclusiveLock");
    transaction.commit().expect("commit");
    let not_null: bool = db
        .client
        .query_one(
            r#"SELECT attnotnull FROM pg_attribute WHERE attrelid = '"Recipe"'::regclass AND attname = 'id'"#,
            &[],
        )
        .expect("pg_attribute")
        .get(0);
    assert!(not_null, "the key's column became NOT NULL");
    // With duplicates, or with NULLs, the same statement fails.
    db.run(r#"INSERT INTO "Step" VALUES (1, 1);"#);
    let duplicate = db
        .try_run(r#"ALTER TABLE "Step" ADD PRIMARY KEY ("id");"#)
        .expect("duplicates make it fail");
    assert!(duplicate.contains("23505"), "{duplicate}");
    db.run(r#"ALTER TABLE "Recipe" DROP CONSTRAINT "Recipe_pkey"; ALTER TABLE "Recipe" ALTER COLUMN "id" DROP NOT NULL; INSERT INTO "Recipe" VALUES (NULL, 'x', NULL);"#);
    let null = db
        .try_run(r#"ALTER TABLE "Recipe" ADD PRIMARY KEY ("id");"#)
        .expect("a NULL makes it fail");
    assert!(null.contains("23502"), "{null}");

    let findings = findings_of(sql);
    let found: Vec<(&str, Risk)> = findings.iter().map(|f| (f.rule, f.risk)).collect();
    assert_eq!(
        found,
        [("unique-on-existing", Risk::Medium)],
        "{findings:#?}"
    );
    assert!(
        findings[0].message.contains("ACCESS EXCLUSIVE"),
        "{}",
        findings[0].message
    );
}

#[test]
fn drop_schema_cascade_drops_exactly_the_tables_schemagate_names() {
    let Some(mut db) = base_db("drop_schema_cascade_drops_exactly_the_tables_schemagate_names")
    else {
        return;
    };
    let tables = |db: &mut ScratchDb| -> Vec<String> {
        let rows = db
            .client
            .query(
                "SELECT schemaname || '.' || tablename FROM pg_tables WHERE schemaname IN ('public', 'audit') ORDER BY 1",
                &[],
            )
            .expect("pg_tables");
        rows.iter().map(|row| row.get(0)).collect()
    };
    // Without CASCADE, Postgres refuses while the schema holds tables.
    let refused = db.try_run("DROP SCHEMA public;").expect("refused");
    assert!(refused.contains("2BP01"), "{refused}");
    let before = tables(&mut db);
    db.run("DROP SCHEMA public CASCADE;");
    let after = tables(&mut db);
    let dropped: Vec<&String> = before.iter().filter(|t| !after.contains(t)).collect();
    assert_eq!(dropped, ["public.Recipe", "public.Step"]);
    db.run("DROP SCHEMA audit CASCADE;");
    assert_eq!(
        tables(&mut db),
        Vec::<String>::new(),
        "audit.Event went with its schema"
    );

    let findings = findings_of("DROP SCHEMA public CASCADE;");
    let found: Vec<(&str, Risk)> = findings.iter().map(|f| (f.rule, f.risk)).collect();
    assert_eq!(found, [("drop-schema", Risk::Critical)], "{findings:#?}");
    assert!(
        findings[0]
            .message
            .contains(r#"every table in it: "Recipe", "Step""#),
        "{}",
        findings[0].message
    );
    let audit = findings_of("DROP SCHEMA audit CASCADE;");
    assert!(
        audit[0].message.contains(r#"every table in it: "Event""#),
        "{}",
        audit[0].message
    );
    let refusing = findings_of("DROP SCHEMA public;");
    let found: Vec<(&str, Risk)> = refusing.iter().map(|f| (f.rule, f.risk)).collect();
    assert_eq!(found, [("drop-schema", Risk::High)], "{refusing:#?}");
}

/// The strongest lock `sql` holds on `table` inside a transaction (rolled back after).
fn lock_taken(db: &mut ScratchDb, table: &str, sql: &str) -> String {
    let mut transaction = db.client.transaction().expect("begin");
    transaction
        .batch_execute(sql)
        .unwrap_or_else(|e| panic!("{sql}: {}", postgres::describe(&e)));
    let modes: Vec<String> = transaction
        .query(
            "SELECT mode FROM pg_locks WHERE relation = to_regclass($1) AND granted",
            &[&table],
        )
        .expect("pg_locks")
        .iter()
        .map(|row| row.get(0))
        .collect();
    transaction.rollback().expect("rollback");
    const STRENGTH: [&str; 8] = [
        "AccessShareLock",
        "RowShareLock",
        "RowExclusiveLock",
        "ShareUpdateExclusiveLock",
        "ShareLock",
        "ShareRowExclusiveLock",
        "ExclusiveLock",
        "AccessExclusiveLock",
    ];
    modes
        .into_iter()
        .max_by_key(|mode| STRENGTH.iter().position(|m| m == mode))
        .unwrap_or_default()
}

/// The rules of the open findings schemagate reports for `sql` (after a lock_timeout).
fn rules_of(sql: &str) -> Vec<&'static str> {
    findings_of(sql).iter().map(|f| f.rule).collect()
}

#[test]
fn drop_index_and_reindex_lock_the_table_unless_concurrent() {
    let Some(mut db) = base_db("drop_index_and_reindex_lock_the_table_unless_concurrent") else {
        return;
    };
    db.run(r#"CREATE INDEX "Recipe_title_idx" ON "Recipe" ("title");"#);
    let drop = r#"DROP INDEX "Recipe_title_idx";"#;
    assert_eq!(
        lock_taken(&mut db, "\"Recipe\"", drop),
        "AccessExclusiveLock"
    );
    let reindex = r#"REINDEX INDEX "Recipe_title_idx";"#;
    assert_eq!(lock_taken(&mut db, "\"Recipe\"", reindex), "ShareLock");
    // The CONCURRENTLY forms cannot run in a transaction block (25001), as the rule says.
    for concurrent in [
        r#"BEGIN; DROP INDEX CONCURRENTLY "Recipe_title_idx"; COMMIT;"#,
        r#"BEGIN; REINDEX INDEX CONCURRENTLY "Recipe_title_idx"; COMMIT;"#,
        r#"BEGIN; VACUUM FULL "Recipe"; COMMIT;"#,
    ] {
        let refused = db.try_run(concurrent).expect("refused in a transaction");
        assert!(refused.contains("25001"), "{concurrent}: {refused}");
        db.run("ROLLBACK;");
    }
    // schemagate, on a base that has the index.
    let with_index = |pr: &str| {
        let mut base = FileSet::new();
        base.insert(LOCK, "provider = \"postgresql\"\n");
        base.insert(
            BASE,
            format!("{BASE_SQL}\nCREATE INDEX \"Recipe_title_idx\" ON \"Recipe\" (\"title\");"),
        );
        let mut head = base.clone();
        head.insert(PR, pr);
        let change = analyze_change(&base, &head, &DetectOptions::default());
        let rules: Vec<&str> = change
            .sets
            .iter()
            .flat_map(evaluate)
            .filter(Finding::is_open)
            .map(|f| f.rule)
            .collect();
        rules
    };
    let locked = format!("SET lock_timeout = '5s';\n{drop}");
    assert_eq!(with_index(&locked), ["index-not-concurrently"]);
    let locked = format!("SET lock_timeout = '5s';\n{reindex}");
    assert_eq!(with_index(&locked), ["index-not-concurrently"]);
    assert!(with_index(r#"DROP INDEX CONCURRENTLY "Recipe_title_idx";"#).is_empty());
}

#[test]
fn vacuum_full_and_cluster_rewrite_the_table_under_an_access_exclusive_lock() {
    let Some(mut db) =
        base_db("vacuum_full_and_cluster_rewrite_the_table_under_an_access_exclusive_lock")
    else {
        return;
    };
    db.run(r#"ALTER TABLE "Recipe" ADD CONSTRAINT "Recipe_pkey" PRIMARY KEY ("id");"#);
    // `findings_of` puts the statement after a `SET lock_timeout` in one Prisma migration,
    // which Prisma sends as one multi-statement query: VACUUM cannot run there (25001).
    for (sql, rules) in [
        (
            r#"VACUUM FULL "Recipe";"#,
            &["concurrently-in-transaction", "table-rewrite"][..],
        ),
        (
            r#"VACUUM (FULL, ANALYZE) "Recipe";"#,
            &["concurrently-in-transaction", "table-rewrite"],
        ),
        (
            r#"CLUSTER "Recipe" USING "Recipe_pkey";"#,
            &["table-rewrite"],
        ),
    ] {
        assert!(db.rewrites("\"Recipe\"", sql), "{sql} did not rewrite");
        assert_eq!(rules_of(sql), rules, "{sql}");
        let as_prisma_sends_it = format!("SET lock_timeout = '5s';\n{sql}");
        let refused = db.try_run(&as_prisma_sends_it);
        assert_eq!(
            refused.is_some_and(|error| error.contains("25001")),
            rules.contains(&"concurrently-in-transaction"),
            "{sql} in a multi-statement query"
        );
    }
    // Plain VACUUM does not rewrite and is not reported.
    assert!(!db.rewrites("\"Recipe\"", r#"VACUUM "Recipe";"#));
    assert!(rules_of(r#"VACUUM "Recipe";"#).is_empty());
    // CLUSTER holds ACCESS EXCLUSIVE (it can run in a transaction, so the lock is visible).
    let cluster = r#"CLUSTER "Recipe" USING "Recipe_pkey";"#;
    assert_eq!(
        lock_taken(&mut db, "\"Recipe\"", cluster),
        "AccessExclusiveLock"
    );
}

#[test]
fn only_the_real_lock_timeout_setting_bounds_the_wait() {
    let Some(mut db) = scratch_db("only_the_real_lock_timeout_setting_bounds_the_wait") else {
        return;
    };
    let setting = |db: &mut ScratchDb, sql: &str| -> String {
        db.run("RESET lock_timeout;");
        db.run(sql);
        db.client
            .query_one("SELECT current_setting('lock_timeout')", &[])
            .expect("setting")
            .get(0)
    };
    assert_eq!(setting(&mut db, "SET app.lock_timeout = '5s';"), "0");
    assert_eq!(setting(&mut db, "SET lock_timeout = 0;"), "0");
    assert_eq!(setting(&mut db, "SET lock_timeout TO DEFAULT;"), "0");
    assert_eq!(setting(&mut db, "SET lock_timeout = '5s';"), "5s");
    assert_eq!(
        setting(&mut db, "SELECT set_config('lock_timeout', '2s', false);"),
        "2s"
    );
    let alter = r#"ALTER TABLE "Recipe" ADD COLUMN "note" TEXT;"#;
    let without = |first: &str| {
        let mut base = FileSet::new();
        base.insert(LOCK, "provider = \"postgresql\"\n");
        base.insert(BASE, BASE_SQL);
        let mut head = base.clone();
        head.insert(PR, first);
        analyze_change(&base, &head, &DetectOptions::default())
            .sets
            .iter()
            .flat_map(evaluate)
            .filter(Finding::is_open)
            .any(|f| f.rule == "missing-lock-timeout")
    };
    assert!(without(&format!("SET app.lock_timeout = '5s';\n{alter}")));
    assert!(without(&format!("SET lock_timeout = 0;\n{alter}")));
    assert!(without(&format!("{alter}\nSET lock_timeout = '5s';")));
    assert!(!without(&format!("SET lock_timeout = '5s';\n{alter}")));
}

#[test]
fn validating_in_the_transaction_that_added_not_valid_keeps_the_access_exclusive_lock() {
    let Some(mut db) = base_db(
        "validating_in_the_transaction_that_added_not_valid_keeps_the_access_exclusive_lock",
    ) else {
        return;
    };
    let add =
        r#"ALTER TABLE "Recipe" ADD CONSTRAINT "Recipe_id_check" CHECK ("id" > 0) NOT VALID;"#;
    let validate = r#"ALTER TABLE "Recipe" VALIDATE CONSTRAINT "Recipe_id_check";"#;
    let together = format!("{add}\n{validate}");
    assert_eq!(
        lock_taken(&mut db, "\"Recipe\"", &together),
        "AccessExclusiveLock"
    );
    db.run(add);
    assert_eq!(
        lock_taken(&mut db, "\"Recipe\"", validate),
        "ShareUpdateExclusiveLock"
    );

    let rules = rules_of(&together);
    assert_eq!(rules, ["check-without-not-valid"], "{together}");
    let message = &findings_of(&together)[0].message;
    assert!(message.contains("same transaction"), "{message}");
    assert!(rules_of(add).is_empty());
}
