//! Review: what a person adds to the analysis. The checklists, the automatic evidence shown
//! beside their items, and the gate policy ([`gates`]) a verdict must pass at each risk level.

pub mod audit;
pub mod checklist;
pub mod checklist_state;
pub mod clock;
pub mod decision_log;
pub mod draft;
pub mod durable;
pub mod evidence;
pub mod gates;
pub mod github_audit;
pub mod log_anchor;

pub use checklist::{ChecklistError, Checklists};
pub use checklist_state::{ChecklistState, ItemState};
pub use clock::{Clock, FixedClock, SystemClock, Timestamp};
pub use decision_log::{Decision, DecisionLog, Destination, FindingSummary};
pub use draft::{
    Adopted, Applied, Carried, CarryOver, Draft, DraftChange, DraftStore, LoadOutcome, Note,
    PendingText, Prompt, SetAside,
};
pub use durable::StoreError;
pub use evidence::{Evidence, EvidenceKey, EvidenceStatus, gather};
pub use gates::{Gate, GateDecision, Refusal, Verdict, check_verdict, fails_ci, required_items};
