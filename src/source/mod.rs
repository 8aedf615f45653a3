//! Sources: where the files of a tree come from (a directory, a git revision, the embedded demo).

pub mod change;
pub mod demo;
pub mod git;
pub mod local;
pub mod offline;
