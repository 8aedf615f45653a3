//! A deterministic generator of Prisma-style SQLite migration histories of any length, for the
//! benchmark (2,000 migrations, ~2 MB) and for the randomized real-database oracle test.
//!
//! The generator keeps its own model of the tables so every statement it writes is valid SQLite:
//! new tables with foreign keys to recent tables (CASCADE, SET NULL, RESTRICT), added columns,
//! indexes, Prisma RedefineTables rewrites (dropping or re-typing a column), column renames and
//! bounded data updates.

/// A small xorshift generator: deterministic across platforms and runs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[derive(Clone)]
struct GenColumn {
    name: String,
    ty: &'static str,
    not_null: bool,
}

#[derive(Clone)]
struct GenFk {
    column: String,
    parent: String,
    on_delete: &'static str,
}

struct GenTable {
    name: String,
    columns: Vec<GenColumn>,
    fks: Vec<GenFk>,
    indexes: Vec<(String, String, bool)>,
}

/// One generated migration: its directory name and its SQL.
pub struct GeneratedMigration {
    /// `<14-digit timestamp>_<name>`.
    pub dir: String,
    /// The `migration.sql` text.
    pub sql: String,
}

/// Generates `count` migrations from `seed`.
pub fn generate_history(count: usize, seed: u64) -> Vec<GeneratedMigration> {
    let mut rng = Rng(seed.max(1));
    let mut tables: Vec<GenTable> = Vec::new();
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let choice = if tables.len() < 3 { 0 } else { rng.below(10) };
        let (name, sql) = match choice {
            0..=3 => create_table(&mut rng, &mut tables, i),
            4 | 5 => add_column(&mut rng, &mut tables, i),
            6 => redefine_table(&mut rng, &mut tables),
            7 => rename_column(&mut rng, &mut tables, i),
            8 => add_index(&mut rng, &mut tables, i),
            _ => data_update(&mut rng, &tables),
        };
        out.push(GeneratedMigration {
            dir: format!("{:014}_{}", 20_240_101_000_000u64 + i as u64, name),
            sql,
        });
    }
    out
}

fn column_sql(c: &GenColumn) -> String {
    format!(
        "\"{}\" {}{}",
        c.name,
        c.ty,
        if c.not_null { " NOT NULL" } else { "" }
    )
}

fn table_sql(name: &str, table: &GenTable) -> String {
    let mut parts: Vec<String> = vec!["\"id\" TEXT NOT NULL PRIMARY KEY".to_owned()];
    parts.extend(table.columns.iter().map(column_sql));
    parts.extend(table.fks.iter().map(|fk| {
        format!(
            "CONSTRAINT \"{t}_{c}_fkey\" FOREIGN KEY (\"{c}\") REFERENCES \"{p}\" (\"id\") ON DELETE {d} ON UPDATE CASCADE",
            t = table.name,
            c = fk.column,
            p = fk.parent,
            d = fk.on_delete
        )
    }));
    format!(
        "CREATE TABLE \"{name}\" (\n    {}\n);\n",
        parts.join(",\n    ")
    )
}

fn indexes_sql(table: &GenTable) -> String {
    table
        .indexes
        .iter()
        .map(|(name, column, unique)| {
            format!(
                "CREATE {}INDEX \"{name}\" ON \"{}\"(\"{column}\");\n",
                if *unique { "UNIQUE " } else { "" },
                table.name
            )
        })
        .collect()
}

fn create_table(rng: &mut Rng, tables: &mut Vec<GenTable>, i: usize) -> (String, String) {
    let name = format!("Model{i}");
    let mut table = GenTable {
        name: name.clone(),
        columns: Vec::new(),
        fks: Vec::new(),
        indexes: Vec::new(),
    };
    for c in 0..(3 + rng.below(4)) {
        let (ty, not_null) = [
            ("TEXT", true),
            ("INTEGER", false),
            ("DATETIME", true),
            ("REAL", false),
        ][rng.below(4)];
        table.columns.push(GenColumn {
            name: format!("field{c}"),
            ty,
            not_null,
        });
    }
    for f in 0..rng.below(3).min(tables.len()) {
        let parent = tables[tables.len() - 1 - rng.below(tables.len().min(20))]
            .name
            .clone();
        let (on_delete, not_null) = [
            ("CASCADE", true),
            ("SET NULL", false),
            ("RESTRICT", true),
            ("CASCADE", false),
        ][rng.below(4)];
        let column = format!("ref{f}Id");
        table.columns.push(GenColumn {
            name: column.clone(),
            ty: "TEXT",
            not_null,
        });
        table
            .indexes
            .push((format!("{name}_{column}_idx"), column.clone(), false));
        table.fks.push(GenFk {
            column,
            parent,
            on_delete,
        });
    }
    table
        .indexes
        .push((format!("{name}_field0_key"), "field0".to_owned(), true));
    let sql = format!(
        "-- CreateTable\n{}\n-- CreateIndex\n{}",
        table_sql(&name, &table),
        indexes_sql(&table)
    );
    tables.push(table);
    (format!("create_model{i}"), sql)
}

fn add_column(rng: &mut Rng, tables: &mut [GenTable], i: usize) -> (String, String) {
    let index = rng.below(tables.len());
    let table = &mut tables[index];
    let column = GenColumn {
        name: format!("extra{i}"),
        ty: ["TEXT", "INTEGER", "BOOLEAN"][rng.below(3)],
        not_null: false,
    };
    let sql = format!(
        "-- AlterTable\nALTER TABLE \"{}\" ADD COLUMN {};\n",
        table.name,
        column_sql(&column)
    );
    table.columns.push(column);
    (format!("add_extra{i}"), sql)
}

fn redefine_table(rng: &mut Rng, tables: &mut [GenTable]) -> (String, String) {
    let index = rng.below(tables.len());
    let table = &mut tables[index];
    let droppable: Vec<usize> = (0..table.columns.len())
        .filter(|&c| {
            let name = &table.columns[c].name;
            !table.fks.iter().any(|fk| &fk.column == name)
                && !table.indexes.iter().any(|(_, col, _)| col == name)
        })
        .collect();
    let mut warnings = String::new();
    if let Some(&victim) = droppable.get(rng.below(droppable.len().max(1))) {
        if rng.below(2) == 0 {
            let column = table.columns.remove(victim);
            warnings = format!(
                "/*\n  Warnings:\n\n  - You are about to drop the column `{}` on the `{}` table. All the data in the column will be lost.\n\n*/\n",
                column.name, table.name
            );
        } else {
            table.columns[victim].not_null = false;
        }
    }
    let carried: Vec<String> = std::iter::once("\"id\"".to_owned())
        .chain(table.columns.iter().map(|c| format!("\"{}\"", c.name)))
        .collect();
    let carried = carried.join(", ");
    let sql = format!(
        "{warnings}-- RedefineTables\nPRAGMA defer_foreign_keys=ON;\nPRAGMA foreign_keys=OFF;\n{}INSERT INTO \"new_{t}\" ({carried}) SELECT {carried} FROM \"{t}\";\nDROP TABLE \"{t}\";\nALTER TABLE \"new_{t}\" RENAME TO \"{t}\";\n{}PRAGMA foreign_keys=ON;\nPRAGMA defer_foreign_keys=OFF;\n",
        table_sql(&format!("new_{}", table.name), table),
        indexes_sql(table),
        t = table.name
    );
    (format!("redefine_{}", table.name.to_lowercase()), sql)
}

fn rename_column(rng: &mut Rng, tables: &mut [GenTable], i: usize) -> (String, String) {
    let index = rng.below(tables.len());
    let table = &mut tables[index];
    let c = rng.below(table.columns.len());
    let old = table.columns[c].name.clone();
    let new = format!("{old}_r{i}");
    table.columns[c].name = new.clone();
    for fk in &mut table.fks {
        if fk.column == old {
            fk.column = new.clone();
        }
    }
    for (_, column, _) in &mut table.indexes {
        if *column == old {
            *column = new.clone();
        }
    }
    let sql = format!(
        "-- AlterTable\nALTER TABLE \"{}\" RENAME COLUMN \"{old}\" TO \"{new}\";\n",
        table.name
    );
    (format!("rename_{old}"), sql)
}

fn add_index(rng: &mut Rng, tables: &mut [GenTable], i: usize) -> (String, String) {
    let index = rng.below(tables.len());
    let table = &mut tables[index];
    let column = table.columns[rng.below(table.columns.len())].name.clone();
    let name = format!("{}_{column}_{i}_idx", table.name);
    let sql = format!(
        "-- CreateIndex\nCREATE INDEX \"{name}\" ON \"{}\"(\"{column}\");\n",
        table.name
    );
    table.indexes.push((name, column, false));
    (format!("index{i}"), sql)
}

fn data_update(rng: &mut Rng, tables: &[GenTable]) -> (String, String) {
    let table = &tables[rng.below(tables.len())];
    let sql = format!(
        "-- Backfill\nUPDATE \"{t}\" SET \"id\" = \"id\" WHERE \"id\" IN (SELECT \"id\" FROM \"{t}\" LIMIT 1000);\n",
        t = table.name
    );
    (format!("backfill_{}", table.name.to_lowercase()), sql)
}
