//! How the analysis' enums are spelled and explained on the command line: the analysis knows
//! nothing of clap, so their `clap::ValueEnum` implementations live here.

use clap::ValueEnum;
use clap::builder::PossibleValue;

use crate::analysis::dialect::Dialect;
use crate::analysis::rules::Risk;

impl ValueEnum for Dialect {
    fn value_variants<'a>() -> &'a [Self] {
        &Dialect::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            Dialect::Sqlite => "SQLite (Prisma provider `sqlite`)",
            Dialect::Postgres => {
                "PostgreSQL (Prisma providers `postgresql`, `postgres`, `cockroachdb`)"
            }
            Dialect::Mysql => "MySQL / MariaDB (Prisma provider `mysql`)",
        };
        Some(PossibleValue::new(self.name()).help(help))
    }
}

impl ValueEnum for Risk {
    fn value_variants<'a>() -> &'a [Self] {
        &Risk::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            Risk::Low => "Additive and reversible (new table, nullable column, concurrent index)",
            Risk::Medium => {
                "Needs care (locking index or FK on an existing table, bounded backfill, \
                 constraint that may fail on existing data, unparsed statement, out-of-order \
                 migration)"
            }
            Risk::High => {
                "Data or compatibility at stake (drop column, rename, type change, required \
                 column without default, unbounded UPDATE, drop table)"
            }
            Risk::Critical => {
                "Can lose data silently or widely (new or widened ON DELETE CASCADE into \
                 existing data, DELETE/TRUNCATE, edit of an already-applied migration)"
            }
        };
        Some(PossibleValue::new(self.label()).help(help))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_names_are_the_analysis_names() {
        for dialect in Dialect::ALL {
            assert_eq!(Dialect::from_str(dialect.name(), false), Ok(dialect));
        }
        for risk in Risk::ALL {
            assert_eq!(Risk::from_str(&risk.label().to_lowercase(), true), Ok(risk));
        }
        assert!(Risk::from_str("severe", true).is_err());
    }
}
