//! Argument definitions (clap derive). `--help` on each subcommand explains it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::analysis::dialect::Dialect;
use crate::analysis::rules::Risk;
use crate::review::Verdict;

/// Review pull requests that change a database schema.
///
/// schemagate finds the migration sets in a tree (Prisma, Flyway, golang-migrate, sqlx, Diesel,
/// dbmate, goose, Drizzle, Atlas, Supabase, plain migrations/*.sql), replays them into a schema,
/// and shows what a change does to it: the schema diff and the ON DELETE cascade paths it adds.
#[derive(Debug, Parser)]
#[command(name = "schemagate", version, propagate_version = true)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The console's options (used when no command is given).
    #[command(flatten)]
    pub console: ConsoleArgs,
    /// What to do; without a command, the review console opens on the configured GitHub
    /// repositories (or on `--repo PATH`).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options of the console (`schemagate` with no command).
#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// Review a local checkout instead of GitHub: its local branches and fetched PR refs that
    /// change migrations (no network, no token; verdicts are kept locally, marked unsent).
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,
    /// With --repo: the branch the PRs target (default: origin/HEAD, else main, else master).
    #[arg(long, value_name = "BRANCH", requires = "repo")]
    pub base: Option<String>,
    /// Colour theme: dark, light or high-contrast (default: the config file's, else dark).
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,
}

/// Options shared by every command.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Parse migrations as this dialect instead of the one detected
    /// (migration_lock.toml, schema.prisma datasource, framework, or a guess from the SQL).
    #[arg(long, global = true, value_enum)]
    pub dialect: Option<Dialect>,
    /// Extra migration files to consider, as a glob relative to PATH (repeatable),
    /// e.g. `--migrations 'db/schema/**/*.sql'`.
    #[arg(long = "migrations", global = true, value_name = "GLOB")]
    pub globs: Vec<String>,
    /// Which migration set to use when PATH holds several (its directory, as listed).
    #[arg(long, global = true, value_name = "DIR")]
    pub set: Option<String>,
    /// The configuration file (default: config.toml in the platform config directory,
    /// `~/.config/schemagate/config.toml` on Linux).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The GitHub REST API root, e.g. `https://HOST/api/v3` for GitHub Enterprise Server
    /// (default: the config file's `api_url`, else `https://api.github.com`).
    #[arg(long, global = true, value_name = "URL")]
    pub api_url: Option<String>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Replay the migration history and print the resulting schema: tables, columns (type,
    /// nullability, default, primary key), indexes, foreign keys with their ON DELETE / ON UPDATE
    /// actions, enums, and every statement schemagate could not fully understand (file:line).
    Schema(SchemaArgs),
    /// Show what deleting one row of a table does: every path along foreign keys with the ON
    /// DELETE action on each edge, the tables whose rows are deleted (transitively), the ones
    /// whose columns are set to NULL, and the foreign keys that stop the delete (RESTRICT).
    Cascade(CascadeArgs),
    /// Review a change headlessly (for CI): findings with file:line and a risk level, cascade
    /// paths added or widened, the checklist with automatic evidence, and for SQLite a real run
    /// of the migrations on a scratch database. Exit 0 below --fail-on, 1 at or above it, 2 on
    /// usage or I/O errors.
    Check(CheckArgs),
    /// Compare the schema at two revisions: tables, columns, indexes and foreign keys added,
    /// removed, renamed or changed; cascade paths the change adds or widens; and the text diff
    /// of every changed migration file.
    Diff(DiffArgs),
    /// Audit past decisions from the decision log (in the data directory; SCHEMAGATE_DATA_DIR
    /// overrides it): newest first, each with its checklist as ticked and why items were
    /// waived, and the approvals that went stale (decided again, or the PR's head moved).
    /// With --verify, checks the log's hash chain: exit 0 when intact (a torn last line from a
    /// crash is a warning), 1 when a record was tampered with (the record is named).
    Audit(AuditArgs),
    /// List the open pull requests of a local checkout that touch migrations (local branches and
    /// fetched PR refs), riskiest first, with the conflicts between them (same table or column,
    /// colliding or interleaved migration versions). Offline: nothing leaves the machine.
    Queue(QueueArgs),
    /// Open the review console on the embedded demo (the meal-planner project and nine PRs):
    /// no network, no token; verdicts go to the local decision log only.
    Demo(DemoArgs),
    /// Post a verdict on a GitHub pull request as its data review, with the checklist state
    /// saved for that PR: Approve (review APPROVE, status `schemagate/data-review` success),
    /// request changes (REQUEST_CHANGES), block (REQUEST_CHANGES, status failure, label
    /// `data-review: blocked`). A submit that fails for a passing reason (network, 5xx, rate
    /// limit) waits in the outbox; `--retry` sends what waits there, never posting twice.
    Submit(SubmitArgs),
    /// Show the configuration in effect (file, repositories, API URL, which token source would
    /// be used), or write a commented example with --init.
    Config(ConfigArgs),
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// For tools (documented in docs/json.md).
    Json,
}

/// `schemagate schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// A repository checkout or any folder holding migrations.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Read the tree at this git revision (branch, tag, SHA) instead of the working tree.
    #[arg(long, value_name = "REV")]
    pub at: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `schemagate cascade`.
#[derive(Debug, Args)]
pub struct CascadeArgs {
    /// A repository checkout or any folder holding migrations.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The table a row is deleted from (the root).
    #[arg(long, value_name = "TABLE")]
    pub from: String,
    /// Read the tree at this git revision instead of the working tree.
    #[arg(long, value_name = "REV")]
    pub at: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Output format of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// For a terminal (coloured unless NO_COLOR is set or output is piped).
    Text,
    /// For tools (documented in docs/json.md).
    Json,
    /// The PR comment / review body (GitHub-flavoured markdown).
    Markdown,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
}

/// `schemagate check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A git checkout (or a folder inside one).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The revision before the change; default: the merge base of the head with the default
    /// branch (origin/HEAD, else main, else master). `EMPTY` checks the whole history.
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// The revision after the change; without it, the working tree as it is on disk.
    #[arg(long, value_name = "REV")]
    pub head: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Exit 1 when an open finding has this risk or higher.
    #[arg(long, value_enum, default_value_t = Risk::High, value_name = "RISK")]
    pub fail_on: Risk,
    /// A copy of real data (SQLite file): run the PR's migrations on a temporary copy of it and
    /// report the rows each table and dropped column would lose. The file itself is not changed.
    #[arg(long, value_name = "FILE")]
    pub sample_db: Option<PathBuf>,
    /// The PR description (markdown), for the "rollback section in PR body" evidence.
    #[arg(long, value_name = "FILE")]
    pub pr_body: Option<PathBuf>,
    /// Checklists to use instead of the embedded ones (default: checklists.toml in the config
    /// directory when present).
    #[arg(long, value_name = "FILE")]
    pub checklists: Option<PathBuf>,
}

/// `schemagate diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// A git checkout (or a folder inside one).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The revision before the change (e.g. `main`, `origin/main`, a SHA; `EMPTY` for the
    /// empty tree).
    #[arg(long, value_name = "REV")]
    pub base: String,
    /// The revision after the change; without it, the working tree as it is on disk.
    #[arg(long, value_name = "REV")]
    pub head: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// The verdict of a decision, for `audit --verdict` and `submit --verdict`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum VerdictArg {
    /// Approved.
    Approve,
    /// Changes requested.
    RequestChanges,
    /// Blocked.
    Block,
}

impl From<VerdictArg> for Verdict {
    fn from(arg: VerdictArg) -> Verdict {
        match arg {
            VerdictArg::Approve => Verdict::Approve,
            VerdictArg::RequestChanges => Verdict::RequestChanges,
            VerdictArg::Block => Verdict::Block,
        }
    }
}

/// Output format of `audit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// For people.
    Text,
    /// For tools.
    Json,
    /// One row per decision, for spreadsheets.
    Csv,
}

/// `schemagate audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only decisions made on or after this day (YYYY-MM-DD, UTC) or time (YYYY-MM-DDTHH:MM:SSZ).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only this verdict.
    #[arg(long, value_enum)]
    pub verdict: Option<VerdictArg>,
    /// Only PRs of this risk.
    #[arg(long, value_enum, value_name = "RISK", ignore_case = true)]
    pub risk: Option<Risk>,
    /// Only this repository (`owner/name`).
    #[arg(long, value_name = "REPO")]
    pub repo: Option<String>,
    /// A local checkout of --repo: approvals whose PR head there (`refs/pull/<n>/head`, else
    /// the PR's branch) is not the approved commit are listed as stale.
    #[arg(long, value_name = "PATH", requires = "repo")]
    pub repo_path: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Text)]
    pub format: AuditFormat,
    /// Report every break of the log's hash chain and anchor, and (with GitHub) the reviews
    /// sent with schemagate whose record is gone; exit 1 when there is one.
    #[arg(long)]
    pub verify: bool,
    /// Anchor the decision log as it is, when its anchor file is missing (a log older than
    /// anchors, or the file was deleted) or damaged, then audit. This trusts the log's current
    /// end: records removed from or rewritten at its end before now cannot be detected by the
    /// anchor (the hash chain and, with GitHub, the check of sent reviews still apply). An
    /// anchor that shows a break is not replaced.
    #[arg(long)]
    pub adopt_anchor: bool,
    /// Do not ask GitHub. Otherwise, when repositories are configured, the audit also lists
    /// migration PRs merged (since --since, default the last 30 days) without an approving data
    /// review, and approvals GitHub shows that the log does not have.
    #[arg(long)]
    pub offline: bool,
}

/// `schemagate queue`.
#[derive(Debug, Args)]
pub struct QueueArgs {
    /// A git checkout (or a folder inside one): list its PR branches offline. Without it, the
    /// open PRs of the repositories in the config file, from GitHub.
    pub path: Option<PathBuf>,
    /// From GitHub: only this queue section of the config file (by title).
    #[arg(long, value_name = "TITLE", conflicts_with = "path")]
    pub section: Option<String>,
    /// The branch the pull requests target; default: the default branch (origin/HEAD, else
    /// main, else master).
    #[arg(long, value_name = "BRANCH")]
    pub base: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `schemagate submit`.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// `owner/name` of the repository.
    #[arg(long, value_name = "OWNER/NAME", required_unless_present_any = ["retry", "discard"])]
    pub repo: Option<String>,
    /// The pull request number.
    #[arg(long, value_name = "N", required_unless_present_any = ["retry", "discard"])]
    pub pr: Option<u64>,
    /// The verdict.
    #[arg(long, value_enum, required_unless_present_any = ["retry", "discard"])]
    pub verdict: Option<VerdictArg>,
    /// A summary (markdown) placed above the generated report in the review body.
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<PathBuf>,
    /// Send the submits waiting in the outbox instead (each checked first, so none is posted
    /// twice).
    #[arg(long, conflicts_with_all = ["repo", "pr", "verdict", "body_file"])]
    pub retry: bool,
    /// Give up the verdict ID (an outbox entry, or a verdict whose send stopped before it
    /// reached the outbox): looked up on GitHub first, then logged as delivered (GitHub has
    /// it) or as not sent, and removed from the outbox.
    #[arg(
        long,
        value_name = "ID",
        conflicts_with_all = ["repo", "pr", "verdict", "body_file", "retry"]
    )]
    pub discard: Option<String>,
}

/// `schemagate config`.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Write a commented example to the config file (refuses to overwrite one).
    #[arg(long)]
    pub init: bool,
}

/// `schemagate demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Colour theme: dark, light or high-contrast (default: the config file's, else dark;
    /// NO_COLOR turns colours off).
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,
}
