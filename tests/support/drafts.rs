//! Test helper: a draft put on disk as an earlier session left it (the store itself only
//! merges changes into drafts).

use std::fs;
use std::path::Path;

use schemagate::review::{Draft, DraftStore};

/// Writes `draft` whole into `data_dir`, where [`DraftStore`] keeps it.
pub fn plant_draft(data_dir: &Path, draft: &Draft) {
    let path = DraftStore::new(data_dir).path(&draft.repo, draft.pr, &draft.head_sha);
    fs::create_dir_all(path.parent().expect("a drafts directory")).expect("create the directory");
    fs::write(&path, serde_json::to_vec_pretty(draft).expect("JSON")).expect("write the draft");
}
