//! Suppressions written in the SQL: `-- schemagate: accept <rule-id> <reason>` on the line(s)
//! directly above a statement, or at the end of its line, accepts that rule's findings at that
//! statement. Placed before a file's first statement it also accepts the file-wide findings
//! (line 0) of that file. A suppression with an unknown rule id or no reason is itself a finding
//! (`invalid-suppression`) and accepts nothing.

use std::collections::HashMap;

use super::catalog::INVALID_SUPPRESSION;
use super::context::Context;
use super::{Finding, Suppression, rule};
use crate::analysis::sql::{Comment, Statement, StatementKind};

/// Who accepted findings through a SQL comment.
const BY_SQL_COMMENT: &str = "sql-comment";
/// The marker that starts a suppression comment (compared case-insensitively).
const MARKER: &str = "schemagate:";

/// A valid suppression: which rule it accepts, why, and where it was written.
#[derive(Clone)]
struct Accept<'a> {
    rule: &'a str,
    reason: String,
    comment_line: usize,
}

/// Valid suppressions by the (file, line) of the findings they cover.
type Accepts<'a> = HashMap<(&'a str, usize), Vec<Accept<'a>>>;

/// Reads the suppressions of the PR's files, marks the findings they accept, and adds an
/// `invalid-suppression` finding for each one that accepts nothing.
pub(super) fn apply_suppressions(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    let mut accepts: Accepts<'_> = HashMap::new();
    let mut invalid = Vec::new();
    for migration in ctx.changed_migrations() {
        let file = migration.migration.path.as_str();
        let statements = &migration.sql.statements;
        for comment in &migration.sql.comments {
            match read_comment(comment, statements) {
                Some(Ok((targets, accept))) => {
                    for target in targets {
                        accepts
                            .entry((file, target))
                            .or_default()
                            .push(accept.clone());
                    }
                }
                Some(Err(problem)) => invalid.push(invalid_finding(file, comment, &problem)),
                None => {}
            }
        }
    }
    for finding in findings.iter_mut() {
        finding.suppressed = accepts
            .get(&(finding.file.as_str(), finding.line))
            .and_then(|list| list.iter().find(|a| a.rule == finding.rule))
            .map(|accept| Suppression {
                by: BY_SQL_COMMENT.to_owned(),
                reason: accept.reason.clone(),
                file: Some(finding.file.clone()),
                line: Some(accept.comment_line),
            });
    }
    findings.extend(invalid);
}

/// `None` when the comment is not a suppression; else the lines it covers and what it accepts,
/// or why it accepts nothing.
fn read_comment<'a>(
    comment: &'a Comment,
    statements: &[Statement],
) -> Option<Result<(Vec<usize>, Accept<'a>), String>> {
    let directive = strip_marker(&comment.text)?;
    Some(parse_accept(directive, comment.line).and_then(|accept| {
        let targets = target_lines(comment.line, statements);
        if targets.is_empty() {
            Err("it is not above a statement".to_owned())
        } else {
            Ok((targets, accept))
        }
    }))
}

/// The text after `schemagate:`, when the comment starts with it.
fn strip_marker(text: &str) -> Option<&str> {
    let head = text.get(..MARKER.len())?;
    head.eq_ignore_ascii_case(MARKER)
        .then(|| text.get(MARKER.len()..).unwrap_or_default())
}

/// Parses `accept <rule-id> <reason>`.
fn parse_accept(directive: &str, comment_line: usize) -> Result<Accept<'_>, String> {
    let mut words = directive.split_whitespace();
    match words.next() {
        Some(word) if word.eq_ignore_ascii_case("accept") => {}
        Some(word) => return Err(format!("\"{word}\" is not a directive (expected `accept`)")),
        None => return Err("it says nothing (expected `accept <rule-id> <reason>`)".to_owned()),
    }
    let Some(id) = words.next() else {
        return Err("it names no rule".to_owned());
    };
    let Some(known) = rule(id) else {
        return Err(format!("\"{id}\" is not a rule id"));
    };
    let reason = words.collect::<Vec<_>>().join(" ");
    if reason.is_empty() {
        return Err(format!("it accepts {} without a reason", known.id));
    }
    Ok(Accept {
        rule: known.id,
        reason,
        comment_line,
    })
}

/// The finding lines a suppression at `line` covers: the statement it ends the line of (or
/// sits inside), else the next statement, looking past `PRAGMA`s (so a comment above Prisma's
/// `PRAGMA foreign_keys=OFF; CREATE TABLE "new_X" ...` table rewrite covers the rewrite); before
/// the first statement, line 0 too.
fn target_lines(line: usize, statements: &[Statement]) -> Vec<usize> {
    let after = statements.partition_point(|s| s.line <= line);
    let containing = after
        .checked_sub(1)
        .and_then(|i| statements.get(i))
        .filter(|s| last_line(s) >= line);
    if let Some(statement) = containing {
        return vec![statement.line];
    }
    let following = statements.get(after..).unwrap_or_default();
    let pragmas = following
        .iter()
        .take_while(|s| matches!(s.kind, StatementKind::Pragma { .. }))
        .count();
    let mut lines: Vec<usize> = following.iter().take(pragmas + 1).map(|s| s.line).collect();
    if after == 0 && !lines.is_empty() {
        lines.push(0);
    }
    lines
}

/// The last line a statement's text spans.
fn last_line(statement: &Statement) -> usize {
    statement.line + statement.text.trim().matches('\n').count()
}

fn invalid_finding(file: &str, comment: &Comment, problem: &str) -> Finding {
    let message = format!("suppression comment accepts nothing: {problem}");
    Finding::new(&INVALID_SUPPRESSION, file, comment.line, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(line: usize, text: &str) -> Statement {
        Statement {
            line,
            text: text.to_owned(),
            kind: StatementKind::NotModelled {
                what: "test".to_owned(),
            },
        }
    }

    #[test]
    fn parses_accept_directives() {
        let accept = parse_accept(" accept drop-column copied to archive", 3);
        assert!(
            matches!(accept, Ok(Accept { rule: "drop-column", ref reason, .. }) if reason == "copied to archive")
        );
        assert!(parse_accept(" accept drop-column", 3).is_err());
        assert!(parse_accept(" accept no-such-rule because", 3).is_err());
        assert!(parse_accept(" ignore drop-column because", 3).is_err());
        assert_eq!(strip_marker("SchemaGate: accept x"), Some(" accept x"));
        assert_eq!(strip_marker("schema"), None);
        assert_eq!(strip_marker("é"), None);
    }

    #[test]
    fn targets_the_next_or_enclosing_statement() {
        let statements = [
            statement(2, "CREATE TABLE a (\n  id INT\n)"),
            statement(7, "DROP TABLE b"),
        ];
        assert_eq!(target_lines(1, &statements), vec![2, 0]);
        assert_eq!(target_lines(2, &statements), vec![2]);
        assert_eq!(target_lines(4, &statements), vec![2]);
        assert_eq!(target_lines(6, &statements), vec![7]);
        assert_eq!(target_lines(7, &statements), vec![7]);
        assert!(target_lines(9, &statements).is_empty());
        assert!(target_lines(1, &[]).is_empty());
    }

    #[test]
    fn looks_past_pragmas_to_the_table_rewrite() {
        let pragma = |line| Statement {
            line,
            text: "PRAGMA foreign_keys=OFF".to_owned(),
            kind: StatementKind::Pragma {
                name: "foreign_keys".to_owned(),
                value: Some("OFF".to_owned()),
            },
        };
        let statements = [
            statement(1, "CREATE TABLE a (id INT)"),
            pragma(4),
            pragma(5),
            statement(6, "CREATE TABLE \"new_a\" (id INT)"),
        ];
        assert_eq!(target_lines(3, &statements), vec![4, 5, 6]);
    }
}
