//! The checklists file, the gates a verdict must pass at each risk, and the evidence shown
//! beside the items.

#[path = "support/console.rs"]
mod console;
#[path = "support/hand_built.rs"]
mod hand_built;
#[path = "support/meal_planner.rs"]
mod meal_planner;

use std::collections::BTreeMap;

use schemagate::analysis::dialect::Dialect;
use schemagate::analysis::diff::{SchemaDiff, TableDiff};
use schemagate::analysis::pipeline::SetChange;
use schemagate::analysis::rules::{Finding, Risk, Suppression};
use schemagate::analysis::schema::{Column, ForeignKey, Index, Table};
use schemagate::execution::sqlite::run_history;
use schemagate::review::gates::Refusal;
use schemagate::review::{
    ChecklistError, ChecklistState, Checklists, Evidence, EvidenceKey, EvidenceStatus, Verdict,
    check_verdict, gather, required_items,
};

fn embedded() -> Checklists {
    Checklists::load(None).expect("the embedded checklists parse")
}

fn evidence_with(key: EvidenceKey, status: EvidenceStatus) -> Evidence {
    Evidence {
        statuses: BTreeMap::from([(key, status)]),
    }
}

fn finding(rule: &'static str, risk: Risk) -> Finding {
    Finding {
        rule,
        risk,
        file: "prisma/migrations/3_pr/migration.sql".to_owned(),
        line: 4,
        table: Some("User".to_owned()),
        column: Some("name".to_owned()),
        message: format!("{rule} here"),
        suppressed: None,
    }
}

/// Ticks every item required at `risk`.
fn all_ticked(checklists: &Checklists, risk: Risk) -> ChecklistState {
    let mut state = ChecklistState::default();
    for item in required_items(checklists, risk) {
        state.tick(&item.id, "ana");
    }
    state
}

fn approve(
    risk: Risk,
    state: &ChecklistState,
    evidence: &Evidence,
    approvals_from_others: usize,
) -> Vec<Refusal> {
    check_verdict(
        Verdict::Approve,
        risk,
        &embedded(),
        state,
        &[],
        evidence,
        approvals_from_others,
    )
    .refusals
}

#[test]
fn embedded_file_has_the_four_lists_with_their_risk_levels() {
    let checklists = embedded();
    let lists: Vec<(&str, Vec<Risk>)> = checklists
        .lists
        .iter()
        .map(|l| {
            let mut risks: Vec<Risk> = l.items.iter().map(|i| i.required_from).collect();
            risks.dedup();
            (l.id.as_str(), risks)
        })
        .collect();
    assert_eq!(
        lists,
        vec![
            ("schema", vec![Risk::Low]),
            ("data-safety", vec![Risk::Medium]),
            ("execution", vec![Risk::Medium]),
            ("rollback", vec![Risk::High]),
        ]
    );
    assert_eq!(checklists.lists[3].title, "Rollback and deploy");
    let used: Vec<EvidenceKey> = checklists.items().filter_map(|i| i.evidence).collect();
    for key in EvidenceKey::ALL {
        assert!(used.contains(&key), "no item shows evidence {key}");
    }
}

#[test]
fn required_items_grow_with_risk() {
    let checklists = embedded();
    let lists_required = |risk| {
        let ids: Vec<&str> = required_items(&checklists, risk)
            .iter()
            .map(|i| i.id.as_str())
            .collect();
        checklists
            .lists
            .iter()
            .filter(|l| l.items.iter().all(|i| ids.contains(&i.id.as_str())))
            .map(|l| l.id.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(lists_required(Risk::Low), ["schema"]);
    assert_eq!(
        lists_required(Risk::Medium),
        ["schema", "data-safety", "execution"]
    );
    let all = ["schema", "data-safety", "execution", "rollback"];
    assert_eq!(lists_required(Risk::High), all);
    assert_eq!(lists_required(Risk::Critical), all);
    assert_eq!(
        required_items(&checklists, Risk::Low).len(),
        checklists.lists[0].items.len()
    );
}

#[test]
fn approve_is_refused_with_every_open_item_listed() {
    let refusals = approve(
        Risk::Medium,
        &ChecklistState::default(),
        &Evidence::default(),
        0,
    );
    let checklists = embedded();
    let required = required_items(&checklists, Risk::Medium);
    assert_eq!(refusals.len(), required.len());
    for (refusal, item) in refusals.iter().zip(required) {
        assert_eq!(
            refusal,
            &Refusal::ItemOpen {
                item: item.id.clone(),
                text: item.text.clone()
            }
        );
    }
    assert!(
        refusals[0]
            .to_string()
            .starts_with("required item `schema-matches-definition` is open")
    );
}

#[test]
fn approve_is_allowed_after_ticks_and_reasoned_waivers() {
    let checklists = embedded();
    let mut state = all_ticked(&checklists, Risk::Medium);
    state.waive(
        "soft-delete-considered",
        "ana",
        "no user data: lookup table only",
    );
    let decision = check_verdict(
        Verdict::Approve,
        Risk::Medium,
        &checklists,
        &state,
        &[],
        &Evidence::default(),
        0,
    );
    assert!(decision.allowed(), "{:?}", decision.refusals);
    assert!(!decision.suggest_block);
}

#[test]
fn a_waiver_without_reason_is_refused() {
    let checklists = embedded();
    let mut state = all_ticked(&checklists, Risk::Low);
    state.waive("naming", "ana", "   ");
    let refusals = approve(Risk::Low, &state, &Evidence::default(), 0);
    assert_eq!(refusals.len(), 1);
    assert!(matches!(&refusals[0], Refusal::WaiverWithoutReason { item, .. } if item == "naming"));
}

#[test]
fn high_risk_needs_the_migration_not_to_have_failed() {
    let checklists = embedded();
    let state = all_ticked(&checklists, Risk::High);
    let failed = evidence_with(
        EvidenceKey::MigrationRan,
        EvidenceStatus::Problem("failed at m.sql:3: no such table: x".to_owned()),
    );
    let refusals = approve(Risk::High, &state, &failed, 0);
    assert_eq!(
        refusals,
        vec![Refusal::MigrationNotTested {
            detail: "failed at m.sql:3: no such table: x".to_owned()
        }]
    );
    // The same failure does not gate a MEDIUM PR (its reviewer still ticks "tested").
    assert!(approve(Risk::Medium, &state, &failed, 0).is_empty());
    let ran = evidence_with(
        EvidenceKey::MigrationRan,
        EvidenceStatus::Checked("ran".into()),
    );
    assert!(approve(Risk::High, &state, &ran, 0).is_empty());
}

#[test]
fn high_risk_requires_the_rollback_list_whatever_the_file_says() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/checklists.toml"
    ))
    .unwrap()
    .replace("required_from = \"HIGH\"", "required_from = \"CRITICAL\"");
    let relaxed = Checklists::parse(&text, "team.toml").unwrap();
    let rollback_required = required_items(&relaxed, Risk::High)
        .iter()
        .filter(|i| relaxed.is_rollback_item(i))
        .count();
    assert_eq!(rollback_required, relaxed.lists[3].items.len());
    assert!(
        required_items(&relaxed, Risk::Medium)
            .iter()
            .all(|i| !relaxed.is_rollback_item(i))
    );
}

#[test]
fn critical_needs_a_second_approver() {
    let checklists = embedded();
    let state = all_ticked(&checklists, Risk::Critical);
    let refusals = approve(Risk::Critical, &state, &Evidence::default(), 0);
    assert_eq!(refusals, vec![Refusal::NeedsSecondApprover]);
    assert_eq!(
        refusals[0].to_string(),
        "needs a second approver (tech lead)"
    );
    assert!(approve(Risk::Critical, &state, &Evidence::default(), 1).is_empty());
}

#[test]
fn block_is_suggested_for_an_open_critical_finding_and_never_refused() {
    let checklists = embedded();
    let open = ChecklistState::default();
    let decide = |verdict, findings: &[Finding]| {
        check_verdict(
            verdict,
            Risk::Critical,
            &checklists,
            &open,
            findings,
            &Evidence::default(),
            0,
        )
    };
    let cascade = finding("cascade-into-existing-data", Risk::Critical);
    for verdict in [Verdict::Block, Verdict::RequestChanges] {
        let decision = decide(verdict, std::slice::from_ref(&cascade));
        assert!(decision.allowed(), "{verdict:?} refused");
        assert!(decision.suggest_block);
    }
    let mut accepted = cascade.clone();
    accepted.suppressed = Some(Suppression {
        by: "sql-comment".to_owned(),
        reason: "intended: user deletion must erase their data".to_owned(),
        file: None,
        line: None,
    });
    assert!(!decide(Verdict::Block, &[accepted]).suggest_block);
    assert!(!decide(Verdict::Block, &[finding("drop-column", Risk::High)]).suggest_block);
}

#[test]
fn override_file_with_a_bad_line_gives_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("checklists.toml");
    std::fs::write(
        &path,
        "[[checklist]]\nid = \"rollback\"\ntitle = \"Rollback\"\n\n[[checklist.item]]\nid = \"x\"\ntext = \"y\"\nrequired_from = \"SEVERE\"\n",
    )
    .unwrap();
    let error = Checklists::load(Some(&path)).unwrap_err();
    let ChecklistError::Syntax { file, line, .. } = &error else {
        panic!("expected a syntax error: {error}");
    };
    assert_eq!(file, &path.display().to_string());
    assert_eq!(*line, 8);
    let message = error.to_string();
    assert!(
        message.starts_with(&format!("{}:8: ", path.display())),
        "{message}"
    );
    assert!(message.contains("SEVERE"), "{message}");

    std::fs::write(&path, "[[checklist]\nid = 1\n").unwrap();
    let error = Checklists::load(Some(&path)).unwrap_err();
    assert!(
        matches!(error, ChecklistError::Syntax { line: 1, .. }),
        "{error}"
    );

    let error = Checklists::load(Some(&dir.path().join("absent.toml"))).unwrap_err();
    assert!(matches!(error, ChecklistError::Read { .. }), "{error}");
}

#[test]
fn override_file_with_an_unknown_evidence_key_names_the_item() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("checklists.toml");
    std::fs::write(
        &path,
        "[[checklist]]\nid = \"rollback\"\ntitle = \"R\"\n\n[[checklist.item]]\nid = \"restore-drill\"\ntext = \"t\"\nrequired_from = \"HIGH\"\nevidence = \"backup-fresh\"\n",
    )
    .unwrap();
    let error = Checklists::load(Some(&path)).unwrap_err();
    assert!(
        matches!(&error, ChecklistError::UnknownEvidence { item, key, .. } if item == "restore-drill" && key == "backup-fresh"),
        "{error}"
    );
}

// ---- evidence, on hand-built set changes ----

const PR: &str = "prisma/migrations/3_pr/migration.sql";

fn column(name: &str) -> Column {
    Column {
        name: name.to_owned(),
        data_type: "INTEGER".to_owned(),
        nullable: false,
        default: None,
        primary_key: name == "id",
        identity: false,
    }
}

fn change(base_sql: &str, pr_sql: &str) -> SetChange {
    let base = hand_built::set(
        Dialect::Sqlite,
        vec![hand_built::migration(
            "prisma/migrations/1_init/migration.sql",
            base_sql,
        )],
    );
    let mut head_migrations = base.migrations.clone();
    head_migrations.push(hand_built::migration(PR, pr_sql));
    SetChange {
        head: hand_built::set(Dialect::Sqlite, head_migrations),
        base: Some(base),
        changed_files: vec![PR.to_owned()],
        removed_files: Vec::new(),
        pr_events: Vec::new(),
        schema_diff: SchemaDiff::default(),
        cascade_changes: Vec::new(),
        file_diffs: Vec::new(),
    }
}

fn status(evidence: &Evidence, key: EvidenceKey) -> &EvidenceStatus {
    evidence.get(key).expect("every key is gathered")
}

#[test]
fn evidence_from_findings_and_schema_diff() {
    let mut change = change("CREATE TABLE \"User\" (\"id\" INTEGER)", "SELECT 1");
    change.schema_diff.tables_changed.push(TableDiff {
        table: "User".to_owned(),
        columns_removed: vec![column("name"), column("age")],
        ..TableDiff::default()
    });
    let findings = [
        finding("drop-column", Risk::High),
        finding("truncate", Risk::Critical),
    ];
    let evidence = gather(&change, &findings, None, None);

    let EvidenceStatus::Problem(dropped) = status(&evidence, EvidenceKey::NoColumnDropped) else {
        panic!("a dropped column is a problem");
    };
    assert!(
        dropped.contains(&format!("{PR}:4: drop-column here")),
        "{dropped}"
    );
    assert!(dropped.contains("User.age"), "{dropped}");
    assert!(
        !dropped.contains("User.name"),
        "the finding covers it: {dropped}"
    );
    assert!(status(&evidence, EvidenceKey::NoUnboundedDataChange).is_problem());
    assert!(matches!(
        status(&evidence, EvidenceKey::NoTableDropped),
        EvidenceStatus::Checked(_)
    ));
    assert!(matches!(
        status(&evidence, EvidenceKey::OrderedAfterBase),
        EvidenceStatus::Checked(_)
    ));
    assert!(matches!(
        status(&evidence, EvidenceKey::SchemaMatchesPrisma),
        EvidenceStatus::Unknown(_)
    ));
    assert!(matches!(
        status(&evidence, EvidenceKey::RollbackSectionInPrBody),
        EvidenceStatus::Unknown(_)
    ));
    assert!(matches!(
        status(&evidence, EvidenceKey::MigrationRan),
        EvidenceStatus::Unknown(_)
    ));
}

#[test]
fn evidence_for_new_foreign_keys_needs_a_leading_index() {
    let mut change = change("SELECT 1", "SELECT 1");
    let fk = ForeignKey {
        columns: vec!["authorId".to_owned()],
        ref_table: "User".to_owned(),
        ref_columns: vec!["id".to_owned()],
        ..ForeignKey::default()
    };
    let post = Table {
        name: "Post".to_owned(),
        schema: None,
        columns: vec![column("id"), column("authorId")],
        indexes: vec![Index {
            name: "Post_title_authorId_idx".to_owned(),
            columns: vec!["title".to_owned(), "authorId".to_owned()],
            ..Index::default()
        }],
        foreign_keys: vec![fk],
    };
    change.head.schema.tables.push(post.clone());
    change.schema_diff.tables_added.push(post);
    let evidence = gather(&change, &[], None, None);
    let EvidenceStatus::Problem(text) = status(&evidence, EvidenceKey::NewForeignKeysIndexed)
    else {
        panic!("an index not led by the FK column does not count");
    };
    assert!(text.contains("Post(authorId) -> User"), "{text}");

    change.head.schema.tables[0].indexes.push(Index {
        name: "Post_authorId_idx".to_owned(),
        columns: vec!["authorid".to_owned()],
        ..Index::default()
    });
    let evidence = gather(&change, &[], None, None);
    assert!(matches!(
        status(&evidence, EvidenceKey::NewForeignKeysIndexed),
        EvidenceStatus::Checked(_)
    ));
}

#[test]
fn evidence_about_the_history_and_down_migrations() {
    let mut change = change("CREATE TABLE \"A\" (\"id\" INTEGER)", "SELECT 1");
    assert!(matches!(
        status(
            &gather(&change, &[], None, None),
            EvidenceKey::DownMigrationPresent
        ),
        EvidenceStatus::Unknown(_)
    ));
    change.head.set.supports_down = true;
    change.head.set.migrations[1].down_path = None;
    let evidence = gather(&change, &[], None, None);
    assert!(status(&evidence, EvidenceKey::DownMigrationPresent).is_problem());
    assert!(matches!(
        status(&evidence, EvidenceKey::AppliedMigrationsUntouched),
        EvidenceStatus::Checked(_)
    ));

    change.head.set.migrations[1].down_path = Some("prisma/migrations/3_pr/down.sql".to_owned());
    change
        .changed_files
        .insert(0, "prisma/migrations/1_init/migration.sql".to_owned());
    change
        .removed_files
        .push("prisma/migrations/0_gone/migration.sql".to_owned());
    let evidence = gather(&change, &[], None, None);
    let EvidenceStatus::Problem(history) =
        status(&evidence, EvidenceKey::AppliedMigrationsUntouched)
    else {
        panic!("editing and removing applied migrations is a problem");
    };
    assert!(
        history.contains("1_init/migration.sql is already in the base history"),
        "{history}"
    );
    assert!(
        history.contains("0_gone/migration.sql was removed"),
        "{history}"
    );
}

#[test]
fn evidence_from_the_pr_body_and_a_real_run() {
    let change = change(
        "CREATE TABLE \"User\" (\"id\" INTEGER PRIMARY KEY)",
        "ALTER TABLE \"User\" ADD COLUMN \"age\" INTEGER",
    );
    let report = run_history(change.base.as_ref(), &change.head, &change.changed_files);
    let body = "Adds age.\n\n### Rollback\n`ALTER TABLE \"User\" DROP COLUMN \"age\"`";
    let evidence = gather(&change, &[], Some(body), Some(&report));
    assert_eq!(
        status(&evidence, EvidenceKey::RollbackSectionInPrBody),
        &EvidenceStatus::Checked("the PR description has \"### Rollback\"".to_owned())
    );
    assert!(matches!(
        status(&evidence, EvidenceKey::MigrationRan),
        EvidenceStatus::Checked(text) if text.starts_with("1 migration(s) of the PR ran")
    ));

    let broken = self::change(
        "CREATE TABLE \"User\" (\"id\" INTEGER)",
        "ALTER TABLE \"Nope\" ADD COLUMN \"x\" INTEGER",
    );
    let report = run_history(broken.base.as_ref(), &broken.head, &broken.changed_files);
    let evidence = gather(&broken, &[], Some("no plan"), Some(&report));
    assert!(status(&evidence, EvidenceKey::RollbackSectionInPrBody).is_problem());
    assert_eq!(
        status(&evidence, EvidenceKey::MigrationRan),
        &EvidenceStatus::Problem(format!(
            "the PR's migration failed at {PR}:1: no such table: Nope"
        ))
    );
}

#[test]
fn a_rerun_edited_migration_failure_says_it_was_in_the_base_history() {
    let init = "prisma/migrations/1_init/migration.sql";
    let mut edited = change("CREATE TABLE \"User\" (\"id\" INTEGER)", "SELECT 1");
    edited.head.migrations[0] =
        hand_built::migration(init, "CREATE TABLE \"User\" (\"id\" INTEGER, \"x\" TEXT)");
    edited.changed_files = vec![init.to_owned()];
    let report = run_history(edited.base.as_ref(), &edited.head, &edited.changed_files);
    let evidence = gather(&edited, &[], None, Some(&report));
    let EvidenceStatus::Problem(text) = status(&evidence, EvidenceKey::MigrationRan) else {
        panic!("re-running the edited migration fails");
    };
    assert!(text.contains("table \"User\" already exists"), "{text}");
    assert!(text.contains("already in the base history"), "{text}");
}

// ---- evidence end to end, on real set changes from the meal-planner fixture ----

/// The evidence for the PR adding migration `pr`, with the history really run.
fn meal_planner_evidence(pr: &str, with_schema: bool) -> Evidence {
    let change = meal_planner::change_at(pr, with_schema);
    let report = run_history(change.base.as_ref(), &change.head, &change.changed_files);
    gather(
        &change,
        &[],
        Some("## Rollback\nRestore the backup."),
        Some(&report),
    )
}

#[test]
fn meal_planner_dropped_column_is_evidence_and_the_run_passes() {
    let evidence = meal_planner_evidence("20240301094518_drop_recipe_description", false);
    let EvidenceStatus::Problem(dropped) = status(&evidence, EvidenceKey::NoColumnDropped) else {
        panic!("the column drop is a problem");
    };
    assert!(dropped.contains("Recipe.description"), "{dropped}");
    for key in [
        EvidenceKey::MigrationRan,
        EvidenceKey::NoTableDropped,
        EvidenceKey::CascadePathsUnchanged,
        EvidenceKey::NewForeignKeysIndexed,
        EvidenceKey::AppliedMigrationsUntouched,
        EvidenceKey::RollbackSectionInPrBody,
    ] {
        assert!(
            matches!(status(&evidence, key), EvidenceStatus::Checked(_)),
            "{key}: {:?}",
            status(&evidence, key)
        );
    }
    let checklists = embedded();
    let state = all_ticked(&checklists, Risk::High);
    let decision = check_verdict(
        Verdict::Approve,
        Risk::High,
        &checklists,
        &state,
        &[],
        &evidence,
        0,
    );
    assert!(decision.allowed(), "{:?}", decision.refusals);
}

#[test]
fn meal_planner_unindexed_foreign_keys_are_named() {
    let evidence = meal_planner_evidence("20240119204130_meal_plans", false);
    let EvidenceStatus::Problem(text) = status(&evidence, EvidenceKey::NewForeignKeysIndexed)
    else {
        panic!("MealPlanEntry's foreign keys have no index");
    };
    assert!(
        text.contains("MealPlanEntry(mealPlanId) -> MealPlan"),
        "{text}"
    );
    assert!(text.contains("MealPlanEntry(recipeId) -> Recipe"), "{text}");
    assert!(
        !text.contains("MealPlan(userId)"),
        "led by the unique index: {text}"
    );
    assert!(
        matches!(
            status(&evidence, EvidenceKey::CascadePathsUnchanged),
            EvidenceStatus::Checked(_)
        ),
        "RESTRICT paths delete nothing"
    );
}

#[test]
fn meal_planner_new_cascade_paths_are_evidence() {
    let evidence = meal_planner_evidence("20240126110207_cascade_user_content", false);
    let EvidenceStatus::Problem(text) = status(&evidence, EvidenceKey::CascadePathsUnchanged)
    else {
        panic!("the PR turns RESTRICT into CASCADE");
    };
    assert!(text.contains("deleting a row of User"), "{text}");
    assert!(text.contains("Recipe"), "{text}");
}

#[test]
fn meal_planner_schema_prisma_is_compared_with_the_migrations() {
    let last = "20240329161930_household_meal_plans";
    let evidence = meal_planner_evidence(last, true);
    assert!(
        matches!(
            status(&evidence, EvidenceKey::SchemaMatchesPrisma),
            EvidenceStatus::Checked(_)
        ),
        "{:?}",
        status(&evidence, EvidenceKey::SchemaMatchesPrisma)
    );
    let early = meal_planner_evidence("20240301094518_drop_recipe_description", true);
    let EvidenceStatus::Problem(drift) = status(&early, EvidenceKey::SchemaMatchesPrisma) else {
        panic!("schema.prisma is ahead of this history");
    };
    assert!(drift.contains("prisma/schema.prisma"), "{drift}");
}

#[test]
fn a_new_migration_ordered_before_the_base_ones_is_evidence() {
    let early = "prisma/migrations/0_early/migration.sql";
    let mut change = change("CREATE TABLE \"A\" (\"id\" INTEGER)", "SELECT 1");
    let mut head_migrations = change.head.migrations.clone();
    head_migrations.insert(0, hand_built::migration(early, "SELECT 2"));
    change.head = hand_built::set(Dialect::Sqlite, head_migrations);
    change.changed_files.insert(0, early.to_owned());
    let evidence = gather(&change, &[], None, None);
    assert_eq!(
        status(&evidence, EvidenceKey::OrderedAfterBase),
        &EvidenceStatus::Problem(format!(
            "{early} is applied before prisma/migrations/1_init/migration.sql, which the base history already has"
        ))
    );
    let reported = [finding("out-of-order-migration", Risk::Medium)];
    let evidence = gather(&change, &reported, None, None);
    assert_eq!(
        status(&evidence, EvidenceKey::OrderedAfterBase),
        &EvidenceStatus::Problem(format!("{PR}:4: out-of-order-migration here"))
    );
}

// ---- one gate policy: what `check` reports is what the console enforces ----

/// The embedded checklists as a team might copy them, with no item showing any evidence.
fn without_evidence() -> Checklists {
    let mut checklists = embedded();
    for list in &mut checklists.lists {
        for item in &mut list.items {
            item.evidence = None;
        }
    }
    checklists
}

/// A PR that drops a column (HIGH) and whose migration fails when run.
fn failing_drop_change() -> schemagate::source::change::Change {
    use schemagate::analysis::fileset::FileSet;
    let lock = "prisma/migrations/migration_lock.toml";
    let init = "prisma/migrations/1_init/migration.sql";
    let mut base = FileSet::new();
    base.insert(lock, "provider = \"sqlite\"\n");
    base.insert(
        init,
        "CREATE TABLE \"User\" (\"id\" INTEGER PRIMARY KEY, \"name\" TEXT);\n",
    );
    let mut head = base.clone();
    head.insert(
        "prisma/migrations/2_drop_name/migration.sql",
        "ALTER TABLE \"User\" DROP COLUMN \"name\";\nINSERT INTO \"Nope\" VALUES (1);\n",
    );
    schemagate::source::change::Change {
        meta: schemagate::source::change::PrMeta {
            repo: "acme/shop".to_owned(),
            number: 12,
            title: "Drop the user's name".to_owned(),
            head_sha: "h".repeat(40),
            base_sha: "b".repeat(40),
            updated_at: "2026-11-24T10:00:00Z".to_owned(),
            ..Default::default()
        },
        base,
        head,
    }
}

#[test]
fn a_failed_migration_refuses_approve_in_the_console_even_when_no_item_shows_its_evidence() {
    use crossterm::event::KeyCode;
    use schemagate::app::entry::PrEntry;
    use schemagate::tui::app::App;
    use schemagate::tui::views::verdict::Stage;

    let team = without_evidence();
    let items = team.items().count();
    let entry = PrEntry::analyse(failing_drop_change(), &team);
    let report = &entry.report;
    assert_eq!(report.risk, Risk::High);
    assert!(
        report.gate.tested_migration,
        "check says: {}",
        report.gate.describe()
    );
    assert!(schemagate::review::fails_ci(&report.findings, Risk::High));
    assert_eq!(report.gate.required_items, items);

    let dir = tempfile::tempdir().unwrap();
    let mut context = console::demo_context(dir.path());
    context.checklists = team;
    let mut app = App::new(context, vec![entry]);
    console::press(&mut app, &[KeyCode::Enter]);
    for _ in 0..items {
        console::press(&mut app, &[KeyCode::Char(' '), KeyCode::Char('j')]);
    }
    console::press(&mut app, &[KeyCode::Char('v'), KeyCode::Enter]);
    let verdict = app.verdict().unwrap();
    assert_eq!(verdict.choice(), Verdict::Approve);
    let Stage::Refused(reasons) = &verdict.stage else {
        panic!("Approve allowed after a failed run: {:?}", verdict.stage);
    };
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(
        reasons[0].starts_with("needs a tested migration: the PR's migration failed")
            && reasons[0].contains("no such table: Nope"),
        "{reasons:?}"
    );
}
