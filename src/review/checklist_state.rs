//! The reviewer's checklist state: which items are ticked or waived, by whom and why.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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
