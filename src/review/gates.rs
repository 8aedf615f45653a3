//! The gate policy, in one place: which gate applies at which risk, which checklist items are
//! required, why an Approve is refused, the one-line summary of the gate, and when `check` fails
//! a CI run. `check`, the console and `submit` all ask this module; none decides on its own.

use serde::{Deserialize, Serialize};

use super::checklist::{Checklists, Item};
use super::checklist_state::{ChecklistState, ItemState};
use super::evidence::{Evidence, EvidenceKey, EvidenceStatus};
use crate::analysis::rules::{Finding, Risk, pr_risk};

/// From this risk on, every item of the rollback list is required (a rollback plan).
const ROLLBACK_PLAN_FROM: Risk = Risk::High;
/// From this risk on, Approve needs a migration that did not fail when run.
const TESTED_MIGRATION_FROM: Risk = Risk::High;
/// From this risk on, Approve needs a second approver (tech lead).
const SECOND_APPROVER_FROM: Risk = Risk::Critical;

/// What a reviewer submits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Approve the PR (GitHub APPROVE + a success status).
    Approve,
    /// Ask for changes (GitHub REQUEST_CHANGES).
    RequestChanges,
    /// Block the merge (REQUEST_CHANGES + a failure status).
    Block,
}

/// What an Approve needs at the PR's risk (DESIGN: LOW the schema checklist; MEDIUM + data
/// safety and execution; HIGH all four, a rollback plan and a tested migration; CRITICAL also a
/// second approver). The console and `submit` enforce it with the reviewer's ticks
/// ([`check_verdict`]); CI only reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Gate {
    /// Checklist items that must be ticked, or waived with a written reason.
    pub required_items: usize,
    /// Whether the rollback checklist must be complete.
    pub rollback_plan: bool,
    /// Whether the migration must have run without failing.
    pub tested_migration: bool,
    /// Whether a second approver (tech lead) is needed.
    pub second_approver: bool,
    /// Whether Block is suggested (an open CRITICAL finding).
    pub suggest_block: bool,
}

impl Gate {
    /// The gate of a PR of `risk` with `findings`, under `checklists`.
    pub fn of(risk: Risk, checklists: &Checklists, findings: &[Finding]) -> Self {
        Gate {
            required_items: required_items(checklists, risk).len(),
            rollback_plan: risk >= ROLLBACK_PLAN_FROM,
            tested_migration: risk >= TESTED_MIGRATION_FROM,
            second_approver: risk >= SECOND_APPROVER_FROM,
            suggest_block: critical_finding_open(findings),
        }
    }

    /// One sentence: what Approve needs.
    pub fn describe(&self) -> String {
        let mut needs = vec![format!(
            "{} required checklist item(s) ticked or waived with a reason",
            self.required_items
        )];
        if self.rollback_plan {
            needs.push("a rollback plan".to_owned());
        }
        if self.tested_migration {
            needs.push("a migration that ran without failing".to_owned());
        }
        if self.second_approver {
            needs.push("a second approver (tech lead)".to_owned());
        }
        let mut text = format!("Approve needs {}", needs.join(", "));
        if self.suggest_block {
            text.push_str("; Block is suggested while a CRITICAL finding is open");
        }
        text
    }
}

/// Why a verdict is refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Refusal {
    /// A required item is neither ticked nor waived.
    ItemOpen {
        /// Item id.
        item: String,
        /// Item text.
        text: String,
    },
    /// A required item is waived without a reason.
    WaiverWithoutReason {
        /// Item id.
        item: String,
        /// Item text.
        text: String,
    },
    /// The migration was run and failed (HIGH and above need a tested migration).
    MigrationNotTested {
        /// The execution evidence.
        detail: String,
    },
    /// CRITICAL needs a second approver.
    NeedsSecondApprover,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::ItemOpen { item, text } => {
                write!(f, "required item `{item}` is open: {text}")
            }
            Refusal::WaiverWithoutReason { item, text } => {
                write!(
                    f,
                    "required item `{item}` is waived without a reason: {text}"
                )
            }
            Refusal::MigrationNotTested { detail } => {
                write!(f, "needs a tested migration: {detail}")
            }
            Refusal::NeedsSecondApprover => f.write_str("needs a second approver (tech lead)"),
        }
    }
}

/// Whether a verdict may be submitted, and what else the reviewer should know.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GateDecision {
    /// The verdict asked for.
    pub verdict: Verdict,
    /// Every reason the verdict is refused; empty when it is allowed.
    pub refusals: Vec<Refusal>,
    /// Whether Block is the suggested verdict (an unsuppressed CRITICAL finding is open).
    pub suggest_block: bool,
}

impl GateDecision {
    /// Whether the verdict may be submitted.
    pub fn allowed(&self) -> bool {
        self.refusals.is_empty()
    }
}

/// The items that must be resolved before approving a PR of `risk`: those whose
/// `required_from` is at or below it, and from HIGH on (a rollback plan) every item of the
/// rollback list.
pub fn required_items(checklists: &Checklists, risk: Risk) -> Vec<&Item> {
    checklists
        .items()
        .filter(|item| {
            item.required_from <= risk
                || (risk >= ROLLBACK_PLAN_FROM && checklists.is_rollback_item(item))
        })
        .collect()
}

/// Decides whether `verdict` may be submitted. Request changes and Block are always allowed;
/// Approve needs what the [`Gate`] of `risk` says: every required item resolved, from HIGH on a
/// migration that did not fail when run (`migration-ran` evidence not a problem), and at
/// CRITICAL one approval already given by someone else (`approvals_from_others`).
pub fn check_verdict(
    verdict: Verdict,
    risk: Risk,
    checklists: &Checklists,
    state: &ChecklistState,
    findings: &[Finding],
    evidence: &Evidence,
    approvals_from_others: usize,
) -> GateDecision {
    let gate = Gate::of(risk, checklists, findings);
    let refusals = match verdict {
        Verdict::Approve => approval_refusals(
            &gate,
            required_items(checklists, risk),
            state,
            evidence,
            approvals_from_others,
        ),
        Verdict::RequestChanges | Verdict::Block => Vec::new(),
    };
    GateDecision {
        verdict,
        refusals,
        suggest_block: gate.suggest_block,
    }
}

/// Whether `check --fail-on` fails the run: an open finding at or above `fail_on` (a PR without
/// open findings passes at every threshold).
pub fn fails_ci(findings: &[Finding], fail_on: Risk) -> bool {
    pr_risk(findings).is_some_and(|risk| risk >= fail_on)
}

fn approval_refusals(
    gate: &Gate,
    required: Vec<&Item>,
    state: &ChecklistState,
    evidence: &Evidence,
    approvals_from_others: usize,
) -> Vec<Refusal> {
    let mut refusals: Vec<Refusal> = required
        .into_iter()
        .filter_map(|item| item_refusal(item, state.get(&item.id)))
        .collect();
    if gate.tested_migration
        && let Some(EvidenceStatus::Problem(detail)) = evidence.get(EvidenceKey::MigrationRan)
    {
        refusals.push(Refusal::MigrationNotTested {
            detail: detail.clone(),
        });
    }
    if gate.second_approver && approvals_from_others == 0 {
        refusals.push(Refusal::NeedsSecondApprover);
    }
    refusals
}

fn item_refusal(item: &Item, state: &ItemState) -> Option<Refusal> {
    let (id, text) = (item.id.clone(), item.text.clone());
    match state {
        ItemState::Open => Some(Refusal::ItemOpen { item: id, text }),
        ItemState::Waived { .. } if !state.is_resolved() => {
            Some(Refusal::WaiverWithoutReason { item: id, text })
        }
        ItemState::Ticked { .. } | ItemState::Waived { .. } => None,
    }
}

/// Whether an unsuppressed CRITICAL finding is open (Block is then suggested).
fn critical_finding_open(findings: &[Finding]) -> bool {
    findings
        .iter()
        .any(|f| f.risk == Risk::Critical && f.suppressed.is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn embedded() -> Checklists {
        Checklists::load(None).expect("the embedded checklists parse")
    }

    fn critical_finding() -> Finding {
        Finding {
            rule: "truncate",
            risk: Risk::Critical,
            file: "m.sql".to_owned(),
            line: 1,
            table: None,
            column: None,
            message: "truncates".to_owned(),
            suppressed: None,
        }
    }

    #[test]
    fn gates_grow_with_risk() {
        let checklists = embedded();
        let low = Gate::of(Risk::Low, &checklists, &[]);
        assert!(!low.rollback_plan && !low.tested_migration && !low.second_approver);
        assert_eq!(
            low.required_items,
            required_items(&checklists, Risk::Low).len()
        );
        let high = Gate::of(Risk::High, &checklists, &[]);
        assert!(high.rollback_plan && high.tested_migration && !high.second_approver);
        let critical = Gate::of(Risk::Critical, &checklists, &[critical_finding()]);
        assert!(critical.second_approver && critical.suggest_block);
        let all = checklists.items().count();
        assert_eq!(critical.required_items, all);
        assert_eq!(
            critical.describe(),
            format!(
                "Approve needs {all} required checklist item(s) ticked or waived with a reason, a \
                 rollback plan, a migration that ran without failing, a second approver (tech \
                 lead); Block is suggested while a CRITICAL finding is open"
            )
        );
    }

    /// What the gate says Approve needs is exactly what refuses an Approve with nothing ticked.
    #[test]
    fn the_gate_and_the_refusals_agree_at_every_risk() {
        let checklists = embedded();
        let failed = Evidence {
            statuses: [(
                EvidenceKey::MigrationRan,
                EvidenceStatus::Problem("the PR's migration failed".to_owned()),
            )]
            .into(),
        };
        for risk in Risk::ALL {
            let findings = [critical_finding()];
            let gate = Gate::of(risk, &checklists, &findings);
            let decision = check_verdict(
                Verdict::Approve,
                risk,
                &checklists,
                &ChecklistState::default(),
                &findings,
                &failed,
                0,
            );
            let open = decision
                .refusals
                .iter()
                .filter(|r| matches!(r, Refusal::ItemOpen { .. }))
                .count();
            assert_eq!(open, gate.required_items, "{risk}");
            let untested = decision.refusals.iter().any(|r| {
                matches!(r, Refusal::MigrationNotTested { detail } if detail.contains("failed"))
            });
            assert_eq!(untested, gate.tested_migration, "{risk}");
            let second = decision.refusals.contains(&Refusal::NeedsSecondApprover);
            assert_eq!(second, gate.second_approver, "{risk}");
            assert_eq!(decision.suggest_block, gate.suggest_block, "{risk}");
        }
    }

    #[test]
    fn request_changes_and_block_are_never_refused() {
        let checklists = embedded();
        for verdict in [Verdict::RequestChanges, Verdict::Block] {
            let decision = check_verdict(
                verdict,
                Risk::Critical,
                &checklists,
                &ChecklistState::default(),
                &[],
                &Evidence::default(),
                0,
            );
            assert!(decision.allowed(), "{verdict:?}");
        }
    }

    #[test]
    fn ci_fails_at_an_open_finding_at_or_above_the_threshold() {
        let mut finding = critical_finding();
        finding.risk = Risk::Medium;
        assert!(fails_ci(std::slice::from_ref(&finding), Risk::Medium));
        assert!(!fails_ci(std::slice::from_ref(&finding), Risk::High));
        assert!(!fails_ci(&[], Risk::Low), "no open finding passes");
        finding.suppressed = Some(crate::analysis::rules::Suppression {
            by: "sql-comment".to_owned(),
            reason: "copied".to_owned(),
            file: None,
            line: None,
        });
        assert!(
            !fails_ci(&[finding], Risk::Low),
            "an accepted finding passes"
        );
    }
}
