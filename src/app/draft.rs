//! Opening the reviewer's draft of a review item, with one policy for the console and
//! `submit`: the draft saved at this head; else the newest draft of an earlier head, carried
//! over (items whose evidence changed marked for a second look); else one saved offline for the
//! same PR and head under another repository name (`schemagate --repo PATH` records the
//! checkout's directory name), adopted under this one; else a new, empty draft.

use std::collections::BTreeMap;

use crate::review::{
    Adopted, Carried, CarryOver, Draft, DraftStore, SetAside, StoreError, Timestamp,
};

/// Where an opened draft came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DraftOrigin {
    /// It was saved at this head.
    Saved,
    /// It was carried over from an earlier head.
    CarriedOver {
        /// The head it was copied from.
        from_head: String,
    },
    /// It was saved offline under another repository name, and is now kept under this one.
    Adopted {
        /// The repository name it was saved under.
        from_repo: String,
    },
    /// Nothing was saved for the PR: every item is open.
    New,
}

/// A draft as opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenedDraft {
    /// The draft.
    pub draft: Draft,
    /// Where it came from.
    pub origin: DraftOrigin,
    /// Damaged draft files of this PR met on the way and moved aside.
    pub set_aside: Vec<SetAside>,
}

/// The draft of PR `pr` of `repo` at `head` (see the module documentation for the order it is
/// looked for in); `evidence` is what this head shows, compared with a carried draft's.
///
/// # Errors
/// [`StoreError`] when a draft file cannot be listed, read, moved aside or written.
pub fn open_draft(
    store: &DraftStore,
    repo: &str,
    pr: u64,
    head: &str,
    evidence: &BTreeMap<String, String>,
    now: Timestamp,
) -> Result<OpenedDraft, StoreError> {
    let CarryOver { carried, set_aside } = store.carry_over(repo, pr, head, evidence)?;
    let (draft, origin) = match carried {
        Carried::Existing(draft) => (draft, DraftOrigin::Saved),
        Carried::Copied { draft, from_head } => (draft, DraftOrigin::CarriedOver { from_head }),
        Carried::Nothing => match store.adopt_from_other_repo(repo, pr, head)? {
            Some(Adopted { draft, from_repo }) => (draft, DraftOrigin::Adopted { from_repo }),
            None => (Draft::new(repo, pr, head, now), DraftOrigin::New),
        },
    };
    Ok(OpenedDraft {
        draft,
        origin,
        set_aside,
    })
}
