//! The console's queue from a local checkout (`schemagate --repo PATH`): the branches and
//! fetched PR refs [`OfflineSource`] lists, each analysed in turn on the loader thread.

use crate::analysis::detect::DetectOptions;
use crate::app::entry::PrEntry;
use crate::review::Checklists;
use crate::source::offline::OfflineSource;
use crate::tui::loader::{LoadEvent, LoadSink, LoadSource};

/// A local checkout as a [`LoadSource`].
pub struct OfflineLoad {
    /// The checkout, opened.
    pub source: OfflineSource,
    /// The checklists reports are built with.
    pub checklists: Checklists,
    /// How migration files are found.
    pub options: DetectOptions,
}

impl LoadSource for OfflineLoad {
    fn load(&self, sink: &LoadSink) {
        let repo = self.source.repo_name().to_owned();
        let failed = |message: String| LoadEvent::Failed {
            repo: repo.clone(),
            message,
        };
        let listing = match self.source.list_prs() {
            Ok(listing) => listing,
            Err(error) => {
                sink.send(failed(format!("listing the branches and PR refs: {error}")));
                return;
            }
        };
        for error in &listing.errors {
            if !sink.send(failed(format!("{}: {}", error.refname, error.error))) {
                return;
            }
        }
        let total = listing.prs.len();
        let progress = |done| LoadEvent::Progress {
            repo: repo.clone(),
            done,
            total,
        };
        if !sink.send(progress(0)) {
            return;
        }
        for (done, pr) in (1..).zip(listing.prs) {
            let entry = PrEntry::analyse_with(pr.change, &self.checklists, &self.options);
            if !sink.send(LoadEvent::Entry(Box::new(entry))) || !sink.send(progress(done)) {
                return;
            }
        }
    }
}
