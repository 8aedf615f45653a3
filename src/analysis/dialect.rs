//! The SQL dialects schemagate understands and how each maps onto sqlparser.

use serde::{Deserialize, Serialize};
use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect, SQLiteDialect};

/// A SQL dialect of a migration history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// SQLite (Prisma provider `sqlite`).
    Sqlite,
    /// PostgreSQL (Prisma providers `postgresql`, `postgres`, `cockroachdb`).
    Postgres,
    /// MySQL / MariaDB (Prisma provider `mysql`).
    Mysql,
}

impl Dialect {
    /// Every dialect, in the order the command line lists them.
    pub const ALL: [Dialect; 3] = [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql];

    /// The sqlparser dialect used to parse statements of this dialect.
    pub fn parser_dialect(self) -> &'static dyn sqlparser::dialect::Dialect {
        match self {
            Dialect::Sqlite => &SQLiteDialect {},
            Dialect::Postgres => &PostgreSqlDialect {},
            Dialect::Mysql => &MySqlDialect {},
        }
    }

    /// Maps a Prisma datasource `provider` value to a dialect.
    pub fn from_prisma_provider(provider: &str) -> Option<Dialect> {
        match provider
            .trim()
            .trim_matches('"')
            .to_ascii_lowercase()
            .as_str()
        {
            "sqlite" => Some(Dialect::Sqlite),
            "postgresql" | "postgres" | "cockroachdb" => Some(Dialect::Postgres),
            "mysql" => Some(Dialect::Mysql),
            _ => None,
        }
    }

    /// The lowercase name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
        }
    }
}

impl std::fmt::Display for Dialect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
