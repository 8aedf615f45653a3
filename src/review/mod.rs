//! Review: what a person adds to the analysis. The checklists, the automatic evidence shown
//! beside their items, and the gates a verdict must pass at each risk level.

pub mod checklist;
pub mod clock;
pub mod draft;
pub mod durable;
pub mod evidence;
pub mod gates;

pub use checklist::{ChecklistError, Checklists};
pub use clock::{Clock, FixedClock, SystemClock, Timestamp};
pub use draft::{Carried, CarryOver, Draft, DraftError, DraftStore, LoadOutcome, Note, SetAside};
pub use evidence::{Evidence, EvidenceKey, EvidenceStatus, gather};
pub use gates::{ChecklistState, GateDecision, ItemState, Verdict, check_verdict, required_items};
