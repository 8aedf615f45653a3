//! Sources: where the files of a tree come from (a directory, a git revision).

pub mod change;
pub mod git;
pub mod local;
pub mod offline;
