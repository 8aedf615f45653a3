//! Waivers given in the review: a reviewer accepts one finding, in writing. Like a
//! `-- schemagate: accept` comment, the finding stays in the report, marked with who accepted it
//! and why, and no longer counts towards the PR's risk.

use super::{Finding, Suppression, rule};

/// A reviewer's waiver of the findings of `rule` at `file:line`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FindingWaiver {
    /// Rule id.
    pub rule: String,
    /// File of the finding.
    pub file: String,
    /// Line of the finding.
    pub line: usize,
    /// Reviewer login.
    pub by: String,
    /// The written reason.
    pub reason: String,
}

/// Why a waiver cannot be applied.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WaiverError {
    /// The rule id is not in the catalog.
    #[error("unknown rule `{0}`: nothing was waived")]
    UnknownRule(String),
    /// The reason is empty.
    #[error("a waiver of `{0}` needs a written reason")]
    NoReason(String),
    /// No open finding matches.
    #[error("no open `{rule}` finding at {file}:{line}")]
    NoSuchFinding {
        /// Rule id.
        rule: String,
        /// File.
        file: String,
        /// Line.
        line: usize,
    },
}

/// Marks the open findings `waiver` names as accepted by its reviewer.
pub fn apply_waiver(findings: &mut [Finding], waiver: &FindingWaiver) -> Result<(), WaiverError> {
    if rule(&waiver.rule).is_none() {
        return Err(WaiverError::UnknownRule(waiver.rule.clone()));
    }
    if waiver.reason.trim().is_empty() {
        return Err(WaiverError::NoReason(waiver.rule.clone()));
    }
    let mut matched = false;
    for finding in findings.iter_mut().filter(|f| {
        f.suppressed.is_none()
            && f.rule == waiver.rule
            && f.file == waiver.file
            && f.line == waiver.line
    }) {
        finding.suppressed = Some(Suppression {
            by: waiver.by.clone(),
            reason: waiver.reason.trim().to_owned(),
            file: None,
            line: None,
        });
        matched = true;
    }
    if matched {
        Ok(())
    } else {
        Err(WaiverError::NoSuchFinding {
            rule: waiver.rule.clone(),
            file: waiver.file.clone(),
            line: waiver.line,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::{Risk, pr_risk};

    fn drop_column() -> Finding {
        let rule = rule("drop-column").expect("catalog rule");
        Finding::new(rule, "m.sql", 3, "drops column x")
    }

    fn waiver(rule: &str, line: usize, reason: &str) -> FindingWaiver {
        FindingWaiver {
            rule: rule.into(),
            file: "m.sql".into(),
            line,
            by: "dana".into(),
            reason: reason.into(),
        }
    }

    #[test]
    fn a_waiver_accepts_the_finding_with_who_and_why() {
        let mut findings = vec![drop_column()];
        assert_eq!(pr_risk(&findings), Some(Risk::High));
        apply_waiver(
            &mut findings,
            &waiver("drop-column", 3, "copied to archive"),
        )
        .unwrap();
        let accepted = findings[0].suppressed.as_ref().unwrap();
        assert_eq!(
            (accepted.by.as_str(), accepted.reason.as_str()),
            ("dana", "copied to archive")
        );
        assert_eq!(pr_risk(&findings), None);
    }

    #[test]
    fn unknown_rules_empty_reasons_and_missing_findings_are_errors() {
        let mut findings = vec![drop_column()];
        assert!(matches!(
            apply_waiver(&mut findings, &waiver("drop-colum", 3, "typo")),
            Err(WaiverError::UnknownRule(_))
        ));
        assert!(matches!(
            apply_waiver(&mut findings, &waiver("drop-column", 3, "  ")),
            Err(WaiverError::NoReason(_))
        ));
        assert!(matches!(
            apply_waiver(&mut findings, &waiver("drop-column", 4, "wrong line")),
            Err(WaiverError::NoSuchFinding { .. })
        ));
        assert!(findings[0].suppressed.is_none());
    }
}
