//! The risk rules: turn a change's analysis (statements, schema events, schema diff, cascade
//! changes, history) into findings with a risk level and file:line.

mod cascade;
pub mod catalog;
mod context;
pub mod defaults;
mod engine;
mod events;
mod history;
mod hygiene;
mod maintenance;
mod statements;
mod suppress;
#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;
mod types;
mod waiver;

use serde::{Deserialize, Serialize};

use super::dialect::Dialect;

pub use catalog::{catalog, catalog_markdown, rule};
pub use engine::{evaluate, pr_risk};
pub use history::{compare_versions, is_applied_migration};
pub use hygiene::has_down_migration;
pub use waiver::{FindingWaiver, WaiverError, apply_waiver};

/// How dangerous a finding (or a whole PR) is. Ordered: `Low < Medium < High < Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Risk {
    /// Additive and reversible (new table, nullable column, concurrent index).
    Low,
    /// Needs care (locking index or FK on an existing table, bounded backfill, constraint that
    /// may fail on existing data, unparsed statement, out-of-order migration).
    Medium,
    /// Data or compatibility at stake (drop column, rename, type change, required column
    /// without default, unbounded UPDATE, drop table).
    High,
    /// Can lose data silently or widely (new or widened ON DELETE CASCADE into existing data,
    /// DELETE/TRUNCATE, edit of an already-applied migration).
    Critical,
}

impl Risk {
    /// Every risk, lowest first.
    pub const ALL: [Risk; 4] = [Risk::Low, Risk::Medium, Risk::High, Risk::Critical];

    /// `LOW`, `MEDIUM`, `HIGH`, `CRITICAL`.
    pub fn label(self) -> &'static str {
        match self {
            Risk::Low => "LOW",
            Risk::Medium => "MEDIUM",
            Risk::High => "HIGH",
            Risk::Critical => "CRITICAL",
        }
    }
}

impl std::fmt::Display for Risk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Which family a rule belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleFamily {
    /// Rows or columns are lost.
    DataLoss,
    /// ON DELETE behaviour changes.
    Cascade,
    /// Deployed code may break.
    Compatibility,
    /// Locks that block production traffic (Postgres).
    Locking,
    /// The migration history itself.
    History,
    /// Everything else that makes a review unreliable.
    Hygiene,
}

/// A rule of the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable id, kebab-case (e.g. `drop-column`); used in suppressions and SARIF.
    pub id: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// Family.
    pub family: RuleFamily,
    /// The risk a finding of this rule carries.
    pub risk: Risk,
    /// Dialects it applies to.
    pub dialects: &'static [Dialect],
    /// Why it is dangerous.
    pub why: &'static str,
    /// The safe alternative (expand/contract, NOT VALID then VALIDATE, CONCURRENTLY, ...).
    pub safe_alternative: &'static str,
}

/// A suppression: the rule was accepted for this statement with a reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suppression {
    /// Who accepted it: `sql-comment` for `-- schemagate: accept`, else the reviewer's login.
    pub by: String,
    /// The written reason.
    pub reason: String,
    /// Where the suppression was written (file:line), for SQL comments.
    pub file: Option<String>,
    /// Line of the comment.
    pub line: Option<usize>,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Rule id.
    pub rule: &'static str,
    /// Risk (the rule's, unless the rule raises it for this case).
    pub risk: Risk,
    /// Repository-relative file.
    pub file: String,
    /// 1-based line (0 when the finding concerns a whole file).
    pub line: usize,
    /// Table concerned, if any.
    pub table: Option<String>,
    /// Column concerned, if any.
    pub column: Option<String>,
    /// A message a reviewer understands without opening the rule docs.
    pub message: String,
    /// Set when the finding was accepted (it no longer counts towards the PR's risk).
    pub suppressed: Option<Suppression>,
}

impl Finding {
    /// A finding of `rule` at `file:line`, carrying the rule's risk, not suppressed.
    pub fn new(
        rule: &Rule,
        file: impl Into<String>,
        line: usize,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            rule: rule.id,
            risk: rule.risk,
            file: file.into(),
            line,
            table: None,
            column: None,
            message: message.into(),
            suppressed: None,
        }
    }

    /// The same finding, concerning `table`.
    pub fn on_table(mut self, table: impl Into<String>) -> Self {
        self.table = Some(table.into());
        self
    }

    /// The same finding, concerning `column` (of the table given with [`Finding::on_table`]).
    pub fn on_column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }

    /// Whether the finding still counts towards the PR's risk.
    pub fn is_open(&self) -> bool {
        self.suppressed.is_none()
    }

    /// Whether `rule` (a rule of the [`catalog`]) raised this finding.
    pub fn is_of(&self, rule: &Rule) -> bool {
        self.rule == rule.id
    }
}
