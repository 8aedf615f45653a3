//! schema.prisma parsing, its mapping to the schema Prisma Migrate creates, and drift.

use proptest::prelude::*;
use schemagate::analysis::diagnostic::{Diagnostic, DiagnosticKind};
use schemagate::analysis::dialect::Dialect;
use schemagate::analysis::prisma::{
    PrismaSchema, RelationMode, RelationStorage, drift, parse_prisma,
};
use schemagate::analysis::schema::{
    Column, Enforcement, ForeignKey, Index, ReferentialAction, Schema, Table,
};

const MEAL_PLANNER_MODELS: &str = r#"
/// A household shares meal plans and shopping lists.
model Household {
  id            Int            @id @default(autoincrement())
  name          String
  createdAt     DateTime       @default(now()) @map("created_at")
  members       User[]
  mealPlans     MealPlan[]
  shoppingLists ShoppingList[]

  @@map("households")
}

enum Role {
  OWNER
  MEMBER @map("member")

  @@map("household_role")
}

model User {
  id          Int        @id @default(autoincrement())
  email       String     @unique
  name        String?
  role        Role       @default(MEMBER)
  householdId Int?
  household   Household? @relation(fields: [householdId], references: [id])
  recipes     Recipe[]
  updatedAt   DateTime   @updatedAt
}

model Recipe {
  id          Int                @id @default(autoincrement())
  title       String
  servings    Int                @default(4)
  public      Boolean            @default(false)
  rating      Float?
  authorId    Int
  author      User               @relation(fields: [authorId], references: [id], onDelete: Cascade)
  ingredients RecipeIngredient[]
  tags        Tag[]
  entries     MealPlanEntry[]

  @@unique([authorId, title])
  @@index([title(sort: Desc)])
}

model Ingredient {
  id      String             @id @default(cuid())
  name    String             @unique(map: "ingredient_name_unique")
  unit    String             @default("g")
  recipes RecipeIngredient[]
  items   ShoppingListItem[]
}

model RecipeIngredient {
  recipeId     Int
  ingredientId String
  quantity     Decimal
  recipe       Recipe     @relation(fields: [recipeId], references: [id], onDelete: Cascade)
  ingredient   Ingredient @relation(fields: [ingredientId], references: [id])

  @@id([recipeId, ingredientId])
  @@index([ingredientId], map: "ri_ingredient")
}

model Tag {
  id      Int      @id @default(autoincrement())
  label   String   @unique
  recipes Recipe[]
}

model MealPlan {
  id          Int             @id @default(autoincrement())
  weekOf      DateTime
  householdId Int
  household   Household       @relation(fields: [householdId], references: [id], onDelete: Cascade, map: "plan_household")
  entries     MealPlanEntry[]
}

model MealPlanEntry {
  id       Int      @id @default(autoincrement())
  planId   Int
  recipeId Int?
  day      Int
  plan     MealPlan @relation(fields: [planId], references: [id], onDelete: Cascade)
  recipe   Recipe?  @relation(fields: [recipeId], references: [id])
}

model ShoppingList {
  id          Int                @id @default(autoincrement())
  householdId Int
  household   Household          @relation(fields: [householdId], references: [id], onDelete: Cascade)
  items       ShoppingListItem[]
}

model ShoppingListItem {
  id           Int          @id @default(autoincrement())
  listId       Int
  ingredientId String?
  checked      Boolean      @default(false)
  note         String?      @default("it's")
  list         ShoppingList @relation(fields: [listId], references: [id], onDelete: Cascade)
  ingredient   Ingredient?  @relation(fields: [ingredientId], references: [id], onDelete: SetNull)
}

model LegacyImport {
  id Int @id
  @@ignore
}

view RecipeStats {
  recipeId Int @unique
  uses     Int
}
"#;

fn datasource(provider: &str, extra: &str) -> String {
    format!(
        "datasource db {{\n  provider = \"{provider}\"\n  url      = env(\"DATABASE_URL\")\n{extra}}}\n\ngenerator client {{\n  provider = \"prisma-client-js\"\n}}\n"
    )
}

fn meal_planner(provider: &str, extra: &str) -> PrismaSchema {
    let source = format!("{}{MEAL_PLANNER_MODELS}", datasource(provider, extra));
    parse_prisma(&[("prisma/schema.prisma", &source)])
}

fn table<'s>(prisma: &'s PrismaSchema, name: &str) -> &'s Table {
    prisma
        .schema
        .table(name)
        .unwrap_or_else(|| panic!("no table {name}"))
}

fn column<'s>(prisma: &'s PrismaSchema, table_name: &str, name: &str) -> &'s Column {
    table(prisma, table_name)
        .column(name)
        .unwrap_or_else(|| panic!("no column {table_name}.{name}"))
}

fn foreign_key<'s>(
    prisma: &'s PrismaSchema,
    table_name: &str,
    column_name: &str,
) -> &'s ForeignKey {
    table(prisma, table_name)
        .foreign_keys
        .iter()
        .find(|fk| fk.columns == [column_name])
        .unwrap_or_else(|| panic!("no foreign key on {table_name}.{column_name}"))
}

fn index<'s>(prisma: &'s PrismaSchema, table_name: &str, name: &str) -> &'s Index {
    table(prisma, table_name)
        .index(name)
        .unwrap_or_else(|| panic!("no index {name} on {table_name}"))
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn messages(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics.iter().map(|d| d.message.clone()).collect()
}

#[test]
fn meal_planner_parses_without_diagnostics() {
    let prisma = meal_planner("sqlite", "");
    assert_eq!(prisma.diagnostics, vec![]);
    assert_eq!(prisma.provider, Some(Dialect::Sqlite));
    assert_eq!(prisma.relation_mode, RelationMode::ForeignKeys);
    let names: Vec<&str> = prisma
        .schema
        .tables
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "households",
            "User",
            "Recipe",
            "Ingredient",
            "RecipeIngredient",
            "Tag",
            "MealPlan",
            "MealPlanEntry",
            "ShoppingList",
            "ShoppingListItem",
            "_RecipeToTag",
        ]
    );
}

#[test]
fn sqlite_columns_follow_prisma_migrate() {
    let prisma = meal_planner("sqlite", "");
    let created = column(&prisma, "households", "created_at");
    assert_eq!(created.data_type, "DATETIME");
    assert_eq!(created.default.as_deref(), Some("CURRENT_TIMESTAMP"));
    assert!(!created.nullable);
    let id = column(&prisma, "User", "id");
    assert_eq!(
        (id.data_type.as_str(), id.primary_key, id.default.clone()),
        ("INTEGER", true, None)
    );
    assert!(column(&prisma, "User", "name").nullable);
    let role = column(&prisma, "User", "role");
    assert_eq!(
        (role.data_type.as_str(), role.default.as_deref()),
        ("TEXT", Some("'member'"))
    );
    assert_eq!(column(&prisma, "User", "updatedAt").default, None);
    assert_eq!(
        column(&prisma, "Recipe", "servings").default.as_deref(),
        Some("4")
    );
    assert_eq!(
        column(&prisma, "Recipe", "public").default.as_deref(),
        Some("false")
    );
    assert_eq!(column(&prisma, "Recipe", "rating").data_type, "REAL");
    assert_eq!(
        column(&prisma, "RecipeIngredient", "quantity").data_type,
        "DECIMAL"
    );
    assert_eq!(column(&prisma, "Ingredient", "id").default, None);
    assert_eq!(
        column(&prisma, "Ingredient", "unit").default.as_deref(),
        Some("'g'")
    );
    assert_eq!(
        column(&prisma, "ShoppingListItem", "note")
            .default
            .as_deref(),
        Some("'it''s'")
    );
    let columns: Vec<&str> = table(&prisma, "Recipe")
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        columns,
        ["id", "title", "servings", "public", "rating", "authorId"]
    );
}

#[test]
fn composite_ids_mark_every_column() {
    let prisma = meal_planner("sqlite", "");
    let link = table(&prisma, "RecipeIngredient");
    let keys: Vec<&str> = link
        .columns
        .iter()
        .filter(|c| c.primary_key)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(keys, ["recipeId", "ingredientId"]);
}

#[test]
fn uniques_and_indexes_get_prisma_names() {
    let prisma = meal_planner("sqlite", "");
    let email = index(&prisma, "User", "User_email_key");
    assert!(email.unique);
    assert_eq!(email.columns, ["email"]);
    assert!(index(&prisma, "Ingredient", "ingredient_name_unique").unique);
    assert_eq!(
        index(&prisma, "Recipe", "Recipe_authorId_title_key").columns,
        ["authorId", "title"]
    );
    let by_title = index(&prisma, "Recipe", "Recipe_title_idx");
    assert!(!by_title.unique);
    assert_eq!(by_title.columns, ["title"]);
    assert_eq!(
        index(&prisma, "RecipeIngredient", "ri_ingredient").columns,
        ["ingredientId"]
    );
}

#[test]
fn relations_get_prisma_default_actions() {
    let prisma = meal_planner("sqlite", "");
    let household = foreign_key(&prisma, "User", "householdId");
    assert_eq!(household.name.as_deref(), Some("User_householdId_fkey"));
    assert_eq!(
        (household.ref_table.as_str(), household.ref_columns.clone()),
        ("households", strings(&["id"]))
    );
    assert_eq!(
        household.on_delete,
        ReferentialAction::SetNull,
        "optional relation"
    );
    assert_eq!(household.on_update, ReferentialAction::Cascade);
    assert_eq!(household.enforcement, Enforcement::Database);
    let ingredient = foreign_key(&prisma, "RecipeIngredient", "ingredientId");
    assert_eq!(
        ingredient.on_delete,
        ReferentialAction::Restrict,
        "required relation"
    );
    assert_eq!(
        foreign_key(&prisma, "Recipe", "authorId").on_delete,
        ReferentialAction::Cascade
    );
    assert_eq!(
        foreign_key(&prisma, "MealPlan", "householdId")
            .name
            .as_deref(),
        Some("plan_household")
    );
    assert_eq!(
        foreign_key(&prisma, "ShoppingListItem", "ingredientId").on_delete,
        ReferentialAction::SetNull
    );
    assert!(
        table(&prisma, "households").foreign_keys.is_empty(),
        "back-relation fields store nothing"
    );
}

#[test]
fn implicit_many_to_many_gets_a_join_table() {
    let prisma = meal_planner("sqlite", "");
    let join = table(&prisma, "_RecipeToTag");
    let columns: Vec<(&str, &str, bool)> = join
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.data_type.as_str(), c.nullable))
        .collect();
    assert_eq!(columns, [("A", "INTEGER", false), ("B", "INTEGER", false)]);
    assert_eq!(
        index(&prisma, "_RecipeToTag", "_RecipeToTag_AB_unique").columns,
        ["A", "B"]
    );
    assert!(!index(&prisma, "_RecipeToTag", "_RecipeToTag_B_index").unique);
    let a = foreign_key(&prisma, "_RecipeToTag", "A");
    assert_eq!(
        (a.ref_table.as_str(), a.on_delete, a.on_update),
        (
            "Recipe",
            ReferentialAction::Cascade,
            ReferentialAction::Cascade
        )
    );
    assert_eq!(foreign_key(&prisma, "_RecipeToTag", "B").ref_table, "Tag");
    let recipe = prisma
        .models
        .iter()
        .find(|m| m.name == "Recipe")
        .expect("Recipe model");
    let tags = recipe
        .relations
        .iter()
        .find(|r| r.field == "tags")
        .expect("tags relation");
    assert_eq!(
        tags.storage,
        RelationStorage::JoinTable {
            table: "_RecipeToTag".into()
        }
    );
}

#[test]
fn enums_keep_their_database_names() {
    let prisma = meal_planner("sqlite", "");
    let role = prisma.schema.enum_type("household_role").expect("enum");
    assert_eq!(role.values, ["OWNER", "member"]);
}

#[test]
fn ignored_models_views_and_generators_make_no_tables() {
    let prisma = meal_planner("sqlite", "");
    assert!(prisma.schema.table("LegacyImport").is_none());
    assert!(prisma.schema.table("RecipeStats").is_none());
    assert!(prisma.models.iter().all(|m| m.name != "LegacyImport"));
}

#[test]
fn postgres_types_enums_and_join_table_primary_key() {
    let prisma = meal_planner("postgresql", "");
    assert_eq!(prisma.provider, Some(Dialect::Postgres));
    assert_eq!(column(&prisma, "User", "id").data_type, "SERIAL");
    assert_eq!(column(&prisma, "User", "email").data_type, "TEXT");
    assert_eq!(column(&prisma, "User", "role").data_type, "household_role");
    assert_eq!(
        column(&prisma, "households", "created_at").data_type,
        "TIMESTAMP(3)"
    );
    assert_eq!(
        column(&prisma, "Recipe", "rating").data_type,
        "DOUBLE PRECISION"
    );
    assert_eq!(
        column(&prisma, "RecipeIngredient", "quantity").data_type,
        "DECIMAL(65,30)"
    );
    let join = table(&prisma, "_RecipeToTag");
    assert!(
        join.columns
            .iter()
            .all(|c| c.primary_key && c.data_type == "INTEGER")
    );
    assert!(join.index("_RecipeToTag_AB_unique").is_none());
    assert!(join.index("_RecipeToTag_B_index").is_some());
}

#[test]
fn mysql_types() {
    let prisma = meal_planner("mysql", "");
    assert_eq!(column(&prisma, "User", "email").data_type, "VARCHAR(191)");
    assert_eq!(
        column(&prisma, "User", "role").data_type,
        "ENUM('OWNER', 'member')"
    );
    let created = column(&prisma, "households", "created_at");
    assert_eq!(
        (created.data_type.as_str(), created.default.as_deref()),
        ("DATETIME(3)", Some("CURRENT_TIMESTAMP(3)"))
    );
    assert_eq!(column(&prisma, "Recipe", "rating").data_type, "DOUBLE");
}

#[test]
fn native_types_and_db_generated_defaults() {
    let source = r#"
datasource db {
  provider = "postgresql"
}
model Account {
  id      String   @id @default(dbgenerated("gen_random_uuid()")) @db.Uuid
  handle  String   @db.VarChar(255)
  balance Decimal  @db.Decimal(10, 2)
  seenAt  DateTime @db.Timestamptz(6)
  score   Float    @db.DoublePrecision
  tags    String[] @default([])
  shape   Unsupported("circle")?
  blob    Bytes
  meta    Json     @default("{}")
}
"#;
    let prisma = parse_prisma(&[("schema.prisma", source)]);
    assert_eq!(prisma.diagnostics, vec![]);
    let id = column(&prisma, "Account", "id");
    assert_eq!(
        (id.data_type.as_str(), id.default.as_deref()),
        ("UUID", Some("gen_random_uuid()"))
    );
    assert_eq!(
        column(&prisma, "Account", "handle").data_type,
        "VARCHAR(255)"
    );
    assert_eq!(
        column(&prisma, "Account", "balance").data_type,
        "DECIMAL(10,2)"
    );
    assert_eq!(
        column(&prisma, "Account", "seenAt").data_type,
        "TIMESTAMPTZ(6)"
    );
    assert_eq!(
        column(&prisma, "Account", "score").data_type,
        "DOUBLE PRECISION"
    );
    let tags = column(&prisma, "Account", "tags");
    assert_eq!(
        (tags.data_type.as_str(), tags.default.as_deref()),
        ("TEXT[]", Some("ARRAY[]::TEXT[]"))
    );
    let shape = column(&prisma, "Account", "shape");
    assert_eq!((shape.data_type.as_str(), shape.nullable), ("circle", true));
    assert_eq!(column(&prisma, "Account", "blob").data_type, "BYTEA");
    assert_eq!(
        column(&prisma, "Account", "meta").default.as_deref(),
        Some("'{}'")
    );
    let model = &prisma.models[0];
    let native: Vec<(&str, bool)> = model
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.native_type))
        .take(3)
        .collect();
    assert_eq!(native, [("id", true), ("handle", true), ("balance", true)]);
    assert!(
        !model
            .fields
            .iter()
            .find(|f| f.name == "blob")
            .expect("blob")
            .native_type
    );
}

#[test]
fn relation_mode_prisma_marks_every_foreign_key_client_enforced() {
    let prisma = meal_planner("postgresql", "  relationMode = \"prisma\"\n");
    assert_eq!(prisma.relation_mode, RelationMode::Prisma);
    let all: Vec<&ForeignKey> = prisma
        .schema
        .tables
        .iter()
        .flat_map(|t| &t.foreign_keys)
        .collect();
    assert_eq!(all.len(), 12);
    assert!(
        all.iter()
            .all(|fk| fk.enforcement == Enforcement::PrismaClient)
    );
    assert_eq!(
        foreign_key(&prisma, "RecipeIngredient", "ingredientId").on_delete,
        ReferentialAction::Restrict
    );
    assert_eq!(
        foreign_key(&prisma, "User", "householdId").on_delete,
        ReferentialAction::SetNull
    );
}

#[test]
fn legacy_referential_integrity_is_read_too() {
    let prisma = meal_planner("mysql", "  referentialIntegrity = \"prisma\"\n");
    assert_eq!(prisma.relation_mode, RelationMode::Prisma);
    assert_eq!(prisma.diagnostics, vec![]);
}

#[test]
fn multi_file_schema_folder_resolves_across_files() {
    let base = "datasource db {\n  provider = \"sqlite\"\n}\n\nmodel User {\n  id      Int      @id\n  recipes Recipe[]\n}\n";
    let recipes = "model Recipe {\n  id       Int        @id\n  kind     RecipeKind @default(DINNER)\n  authorId Int\n  author   User       @relation(fields: [authorId], references: [id])\n}\n";
    let enums = "enum RecipeKind {\n  BREAKFAST\n  DINNER\n}\n";
    let prisma = parse_prisma(&[
        ("prisma/schema/base.prisma", base),
        ("prisma/schema/recipe.prisma", recipes),
        ("prisma/schema/enums.prisma", enums),
    ]);
    assert_eq!(prisma.diagnostics, vec![]);
    assert_eq!(foreign_key(&prisma, "Recipe", "authorId").ref_table, "User");
    assert_eq!(
        column(&prisma, "Recipe", "kind").default.as_deref(),
        Some("'DINNER'")
    );
    let recipe = prisma
        .models
        .iter()
        .find(|m| m.name == "Recipe")
        .expect("Recipe");
    assert_eq!(
        (recipe.at.file.as_str(), recipe.at.line),
        ("prisma/schema/recipe.prisma", 1)
    );
    let author = &recipe.relations[0];
    assert_eq!((author.field.as_str(), author.at.line), ("author", 5));
    let datasource = prisma.datasource.as_ref().expect("datasource");
    assert_eq!(datasource.file, "prisma/schema/base.prisma");
}

#[test]
fn locations_point_at_model_and_field_lines() {
    let prisma = meal_planner("sqlite", "");
    let user = prisma
        .models
        .iter()
        .find(|m| m.name == "User")
        .expect("User");
    let source = format!("{}{MEAL_PLANNER_MODELS}", datasource("sqlite", ""));
    let line_of = |needle: &str| {
        source
            .lines()
            .position(|l| l.contains(needle))
            .map(|i| i + 1)
    };
    assert_eq!(Some(user.at.line), line_of("model User {"));
    let email = user
        .fields
        .iter()
        .find(|f| f.name == "email")
        .expect("email");
    assert_eq!(
        Some(email.at.line),
        line_of("email       String     @unique")
    );
    assert_eq!(user.uniques[0].index, "User_email_key");
    let household = prisma
        .models
        .iter()
        .find(|m| m.name == "Household")
        .expect("Household");
    assert_eq!(household.table, "households");
    assert_eq!(household.fields[2].column, "created_at");
}

fn parse_one(source: &str) -> PrismaSchema {
    parse_prisma(&[("schema.prisma", source)])
}

fn has_diagnostic(prisma: &PrismaSchema, line: usize, fragment: &str) -> bool {
    prisma.diagnostics.iter().any(|d| {
        d.line == line
            && d.kind == DiagnosticKind::Prisma
            && d.file == "schema.prisma"
            && d.message.contains(fragment)
    })
}

#[test]
fn unclosed_block_is_reported_and_the_next_block_still_parses() {
    let prisma = parse_one(
        "datasource db {\n  provider = \"sqlite\"\n}\nmodel A {\n  id Int @id\nmodel B {\n  id Int @id\n}\n",
    );
    assert!(
        has_diagnostic(&prisma, 4, "not closed"),
        "{:?}",
        prisma.diagnostics
    );
    assert!(prisma.schema.table("A").is_some());
    assert!(prisma.schema.table("B").is_some());
}

#[test]
fn unclosed_block_at_end_of_file_keeps_its_fields() {
    let prisma = parse_one("model A {\n  id Int @id\n  name String\n");
    assert!(has_diagnostic(&prisma, 1, "not closed"));
    assert_eq!(table(&prisma, "A").columns.len(), 2);
}

#[test]
fn garbage_lines_are_reported_with_their_line() {
    let prisma = parse_one(
        "datasource db {\n  provider = \"sqlite\"\n}\n%%% what\nmodel A {\n  id Int @id\n  ??? nonsense\n  name String @default(\n}\n",
    );
    assert!(
        has_diagnostic(&prisma, 4, "expected a block"),
        "{:?}",
        prisma.diagnostics
    );
    assert!(
        has_diagnostic(&prisma, 7, "expected a field"),
        "{:?}",
        prisma.diagnostics
    );
    assert!(
        has_diagnostic(&prisma, 8, "`(` opened at line 8 is not closed"),
        "{:?}",
        prisma.diagnostics
    );
    assert!(
        has_diagnostic(&prisma, 4, "unexpected characters \"%%%\""),
        "{:?}",
        prisma.diagnostics
    );
    assert_eq!(prisma.diagnostics.len(), 4, "{:?}", prisma.diagnostics);
    assert!(table(&prisma, "A").column("id").is_some());
}

#[test]
fn non_ascii_is_reported_not_fatal() {
    let prisma = parse_one(
        "datasource db {\n  provider = \"sqlite\"\n}\nmodel Café {\n  id Int @id\n  név String @default(\"ünïcödé\")\n}\n",
    );
    assert!(
        has_diagnostic(&prisma, 4, "unexpected character"),
        "{:?}",
        prisma.diagnostics
    );
    assert!(
        has_diagnostic(&prisma, 6, "unexpected character"),
        "{:?}",
        prisma.diagnostics
    );
    assert_eq!(prisma.schema.tables.len(), 1);
}

#[test]
fn semantic_problems_are_reported_at_the_field() {
    let source = "datasource db {\n  provider = \"sqlite\"\n}\nmodel A {\n  id Int @id\n  b Banana\n  parentId Int\n  parent A @relation(\"tree\", fields: [parentId], references: [id], onDelete: Explode)\n  children A[] @relation(\"tree\")\n  @@index([missing])\n}\n";
    let prisma = parse_one(source);
    assert!(
        has_diagnostic(&prisma, 6, "unknown type Banana"),
        "{:?}",
        prisma.diagnostics
    );
    assert!(
        has_diagnostic(&prisma, 8, "Explode is not a referential action"),
        "{:?}",
        prisma.diagnostics
    );
    assert!(
        has_diagnostic(&prisma, 10, "\"missing\""),
        "{:?}",
        prisma.diagnostics
    );
    let parent = foreign_key(&prisma, "A", "parentId");
    assert_eq!(
        (parent.ref_table.as_str(), parent.on_delete),
        ("A", ReferentialAction::Restrict)
    );
}

#[test]
fn missing_or_unknown_provider_is_reported() {
    let prisma = parse_one("model A {\n  id Int @id\n}\n");
    assert!(has_diagnostic(&prisma, 0, "no datasource"));
    let prisma = parse_one("datasource db {\n  provider = \"mongodb\"\n}\n");
    assert_eq!(prisma.provider, None);
    assert!(has_diagnostic(&prisma, 1, "no supported provider"));
}

#[test]
fn empty_input_gives_an_empty_schema() {
    assert_eq!(parse_prisma(&[]), PrismaSchema::default());
}

const FRAGMENTS: [&str; 24] = [
    "model ",
    "enum ",
    "datasource ",
    "view ",
    "type ",
    "A ",
    "{",
    "}",
    "\n",
    "@id",
    "@@index([",
    "]",
    ")",
    "(",
    "@relation(fields: [",
    "Int?",
    "String[]",
    "\"",
    "//",
    "@",
    "@@",
    ",",
    ": ",
    "@default(now())",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(source in "\\PC{0,400}") {
        let prisma = parse_prisma(&[("schema.prisma", &source)]);
        let _ = drift(&prisma, &Schema::default());
    }

    #[test]
    fn schema_soup_never_panics(parts in proptest::collection::vec(0..FRAGMENTS.len(), 0..80)) {
        let source: String = parts.iter().filter_map(|i| FRAGMENTS.get(*i)).copied().collect();
        let prisma = parse_prisma(&[("a.prisma", &source), ("b.prisma", "model A {\n id Int @id\n}\n")]);
        let _ = drift(&prisma, &prisma.schema.clone());
    }
}

// ---------------------------------------------------------------------------------------------
// Drift, against hand-built migrated schemas.

/// The migrated schema that matches the meal planner exactly, plus `_prisma_migrations`.
fn matching_migrations(prisma: &PrismaSchema) -> Schema {
    let mut schema = prisma.schema.clone();
    schema.tables.push(Table {
        name: "_prisma_migrations".into(),
        ..Table::default()
    });
    schema
}

fn migrated_table<'s>(schema: &'s mut Schema, name: &str) -> &'s mut Table {
    schema
        .table_mut(name)
        .unwrap_or_else(|| panic!("no table {name}"))
}

#[test]
fn no_drift_when_the_migrations_match() {
    let prisma = meal_planner("sqlite", "");
    assert_eq!(drift(&prisma, &matching_migrations(&prisma)), vec![]);
}

#[test]
fn loose_type_comparison_ignores_synonyms_and_default_precision() {
    let prisma = meal_planner("postgresql", "");
    let mut migrated = matching_migrations(&prisma);
    let user = migrated_table(&mut migrated, "User");
    user.column_mut("id").expect("id").data_type = "INTEGER".into();
    user.column_mut("role").expect("role").data_type = "\"household_role\"".into();
    let households = migrated_table(&mut migrated, "households");
    households
        .column_mut("created_at")
        .expect("created_at")
        .data_type = "timestamp".into();
    assert_eq!(drift(&prisma, &migrated), vec![]);
}

#[test]
fn missing_model_table_is_reported_at_the_model() {
    let prisma = meal_planner("sqlite", "");
    let mut migrated = matching_migrations(&prisma);
    migrated.tables.retain(|t| t.name != "ShoppingListItem");
    let found = drift(&prisma, &migrated);
    let model = prisma
        .models
        .iter()
        .find(|m| m.name == "ShoppingListItem")
        .expect("model");
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].file.as_str(), found[0].line, found[0].kind),
        ("prisma/schema.prisma", model.at.line, DiagnosticKind::Drift)
    );
    assert_eq!(
        found[0].message,
        "model ShoppingListItem: table \"ShoppingListItem\" is not created by the migrations"
    );
}

#[test]
fn tables_without_a_model_are_reported_except_prisma_bookkeeping() {
    let prisma = meal_planner("sqlite", "");
    let mut migrated = matching_migrations(&prisma);
    migrated.tables.push(Table {
        name: "audit_log".into(),
        ..Table::default()
    });
    migrated.tables.push(Table {
        name: "_IngredientToTag".into(),
        ..Table::default()
    });
    let found = drift(&prisma, &migrated);
    assert_eq!(
        messages(&found),
        [
            "table \"audit_log\" is created by the migrations but no model maps to it",
            "join table \"_IngredientToTag\" is created by the migrations but no many-to-many relation in schema.prisma uses it",
        ]
    );
    assert!(
        found
            .iter()
            .all(|d| d.file == "prisma/schema.prisma" && d.line == 0)
    );
}

#[test]
fn field_and_column_differences_are_reported_at_the_field() {
    let prisma = meal_planner("sqlite", "");
    let mut migrated = matching_migrations(&prisma);
    let recipe = migrated_table(&mut migrated, "Recipe");
    recipe.column_mut("servings").expect("servings").nullable = true;
    recipe.column_mut("rating").expect("rating").nullable = false;
    recipe.column_mut("title").expect("title").data_type = "INTEGER".into();
    recipe.column_mut("public").expect("public").name = "is_public".into();
    let found = drift(&prisma, &migrated);
    let model = prisma
        .models
        .iter()
        .find(|m| m.name == "Recipe")
        .expect("Recipe");
    let field_line = |name: &str| {
        model
            .fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.at.line)
            .expect("field")
    };
    let expected = [
        (
            field_line("title"),
            "model Recipe: field \"title\" (column \"title\") has type TEXT in prisma/schema.prisma but INTEGER in the migrations",
        ),
        (
            field_line("servings"),
            "model Recipe: field \"servings\" (column \"servings\") is required in prisma/schema.prisma but nullable in the migrations",
        ),
        (
            field_line("public"),
            "model Recipe: field \"public\" (column \"public\") has no column in the migrations",
        ),
        (
            field_line("rating"),
            "model Recipe: field \"rating\" (column \"rating\") is optional in prisma/schema.prisma but NOT NULL in the migrations",
        ),
        (
            model.at.line,
            "model Recipe: column \"is_public\" of table \"Recipe\" is in the migrations but no field maps to it",
        ),
    ];
    let got: Vec<(usize, &str)> = found.iter().map(|d| (d.line, d.message.as_str())).collect();
    assert_eq!(got, expected);
}

#[test]
fn explicit_native_types_compare_their_parameters() {
    let source = "datasource db {\n  provider = \"postgresql\"\n}\nmodel A {\n  id   Int    @id\n  code String @db.VarChar(12)\n}\n";
    let prisma = parse_one(source);
    let mut migrated = prisma.schema.clone();
    migrated_table(&mut migrated, "A")
        .column_mut("code")
        .expect("code")
        .data_type = "VARCHAR(255)".into();
    let found = drift(&prisma, &migrated);
    assert_eq!(
        messages(&found),
        [
            "model A: field \"code\" (column \"code\") has type VARCHAR(12) in schema.prisma but VARCHAR(255) in the migrations"
        ]
    );
    assert_eq!(found[0].line, 6);
}

#[test]
fn foreign_key_differences_are_reported_at_the_relation() {
    let prisma = meal_planner("sqlite", "");
    let mut migrated = matching_migrations(&prisma);
    let entry = migrated_table(&mut migrated, "MealPlanEntry");
    entry.foreign_keys.retain(|fk| fk.columns != ["recipeId"]);
    let plan = entry
        .foreign_keys
        .iter_mut()
        .find(|fk| fk.columns == ["planId"])
        .expect("plan fk");
    plan.on_delete = ReferentialAction::Restrict;
    let item = migrated_table(&mut migrated, "ShoppingListItem");
    item.foreign_keys
        .iter_mut()
        .find(|fk| fk.columns == ["listId"])
        .expect("list fk")
        .ref_table = "households".into();
    let found = drift(&prisma, &migrated);
    assert_eq!(
        messages(&found),
        [
            "model MealPlanEntry: relation \"plan\" (planId -> MealPlan(id)) is ON DELETE CASCADE in prisma/schema.prisma but ON DELETE RESTRICT in the migrations",
            "model MealPlanEntry: relation \"recipe\" (recipeId -> Recipe(id)) has no foreign key in the migrations",
            "model ShoppingListItem: relation \"list\" (listId -> ShoppingList(id)): the migrations' foreign key references households(id) instead",
        ]
    );
    let model = prisma
        .models
        .iter()
        .find(|m| m.name == "MealPlanEntry")
        .expect("model");
    let recipe_line = model
        .relations
        .iter()
        .find(|r| r.field == "recipe")
        .map(|r| r.at.line);
    assert_eq!(Some(found[1].line), recipe_line);
}

#[test]
fn relation_mode_prisma_skips_foreign_key_checks() {
    let prisma = meal_planner("postgresql", "  relationMode = \"prisma\"\n");
    let mut migrated = matching_migrations(&prisma);
    for table in &mut migrated.tables {
        table.foreign_keys.clear();
    }
    assert_eq!(drift(&prisma, &migrated), vec![]);
}

#[test]
fn missing_unique_index_and_join_table_are_reported() {
    let prisma = meal_planner("sqlite", "");
    let mut migrated = matching_migrations(&prisma);
    migrated_table(&mut migrated, "Recipe")
        .indexes
        .retain(|i| !i.unique);
    migrated.tables.retain(|t| t.name != "_RecipeToTag");
    assert_eq!(
        messages(&drift(&prisma, &migrated)),
        [
            "model Recipe: relation \"tags\": join table \"_RecipeToTag\" is not created by the migrations",
            "model Recipe: unique index \"Recipe_authorId_title_key\" on (authorId, title) is not created by the migrations",
        ]
    );
}

#[test]
fn a_unique_index_under_another_name_still_counts() {
    let prisma = meal_planner("sqlite", "");
    let mut migrated = matching_migrations(&prisma);
    let user = migrated_table(&mut migrated, "User");
    user.indexes
        .iter_mut()
        .for_each(|i| i.name = "legacy_email".into());
    assert_eq!(drift(&prisma, &migrated), vec![]);
}
