//! Gates: what a verdict needs at each risk level, and the reviewer's checklist state.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::checklist::{Checklists, Item};
use super::evidence::{Evidence, EvidenceKey, EvidenceStatus};
use crate::analysis::rules::{Finding, Risk};

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

/// The state of one checklist item.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ItemState {
    /// Not yet looked at.
    #[default]
    Open,
    /// Confirmed by a reviewer.
    Ticked {
        /// Who ticked it.
        by: String,
    },
    /// Deliberately not applicable, with a written reason.
    Waived {
        /// Who waived it.
        by: String,
        /// Why.
        reason: String,
    },
}

impl ItemState {
    /// Whether the item counts as done for a gate: ticked, or waived with a non-blank reason.
    pub fn is_resolved(&self) -> bool {
        match self {
            ItemState::Open => false,
            ItemState::Ticked { .. } => true,
            ItemState::Waived { reason, .. } => !reason.trim().is_empty(),
        }
    }
}

/// A reviewer's ticks and waivers, by item id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistState {
    /// Item id -> state; absent items are open.
    pub items: BTreeMap<String, ItemState>,
}

impl ChecklistState {
    /// The state of an item (open when never touched).
    pub fn get(&self, item_id: &str) -> &ItemState {
        const OPEN: &ItemState = &ItemState::Open;
        self.items.get(item_id).unwrap_or(OPEN)
    }

    /// Ticks an item.
    pub fn tick(&mut self, item_id: &str, by: &str) {
        self.set(item_id, ItemState::Ticked { by: by.to_owned() });
    }

    /// Waives an item with a reason (a blank reason leaves the item unresolved for the gates).
    pub fn waive(&mut self, item_id: &str, by: &str, reason: &str) {
        self.set(
            item_id,
            ItemState::Waived {
                by: by.to_owned(),
                reason: reason.to_owned(),
            },
        );
    }

    /// Re-opens an item.
    pub fn reopen(&mut self, item_id: &str) {
        self.items.remove(item_id);
    }

    fn set(&mut self, item_id: &str, state: ItemState) {
        self.items.insert(item_id.to_owned(), state);
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
/// `required_from` is at or below it, and from HIGH on every item of the rollback list.
pub fn required_items(checklists: &Checklists, risk: Risk) -> Vec<&Item> {
    checklists
        .items()
        .filter(|item| {
            item.required_from <= risk || (risk >= Risk::High && checklists.is_rollback_item(item))
        })
        .collect()
}

/// Decides whether `verdict` may be submitted. Request changes and Block are always allowed;
/// Approve needs every required item resolved, from HIGH on a migration that did not fail when
/// run (`migration-ran` evidence not a problem), and at CRITICAL one approval already given by
/// someone else (`approvals_from_others`).
pub fn check_verdict(
    verdict: Verdict,
    risk: Risk,
    checklists: &Checklists,
    state: &ChecklistState,
    findings: &[Finding],
    evidence: &Evidence,
    approvals_from_others: usize,
) -> GateDecision {
    let refusals = match verdict {
        Verdict::Approve => {
            approval_refusals(risk, checklists, state, evidence, approvals_from_others)
        }
        Verdict::RequestChanges | Verdict::Block => Vec::new(),
    };
    GateDecision {
        verdict,
        refusals,
        suggest_block: critical_finding_open(findings),
    }
}

fn approval_refusals(
    risk: Risk,
    checklists: &Checklists,
    state: &ChecklistState,
    evidence: &Evidence,
    approvals_from_others: usize,
) -> Vec<Refusal> {
    let mut refusals: Vec<Refusal> = required_items(checklists, risk)
        .into_iter()
        .filter_map(|item| item_refusal(item, state.get(&item.id)))
        .collect();
    if risk >= Risk::High
        && let Some(EvidenceStatus::Problem(detail)) = evidence.get(EvidenceKey::MigrationRan)
    {
        refusals.push(Refusal::MigrationNotTested {
            detail: detail.clone(),
        });
    }
    if risk >= Risk::Critical && approvals_from_others == 0 {
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

fn critical_finding_open(findings: &[Finding]) -> bool {
    findings
        .iter()
        .any(|f| f.risk == Risk::Critical && f.suppressed.is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiver_needs_a_non_blank_reason() {
        let mut state = ChecklistState::default();
        state.waive("a", "ana", "  ");
        assert!(!state.get("a").is_resolved());
        state.waive("a", "ana", "no user data in this table");
        assert!(state.get("a").is_resolved());
        state.reopen("a");
        assert_eq!(state.get("a"), &ItemState::Open);
    }

    #[test]
    fn state_round_trips_through_json() {
        let mut state = ChecklistState::default();
        state.tick("a", "ana");
        state.waive("b", "bo", "n/a");
        let json = serde_json::to_string(&state).unwrap();
        let back: ChecklistState = serde_json::from_str(&json).unwrap();
        assert_eq!(back, state);
    }
}
