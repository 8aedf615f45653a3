//! Read a directory on disk into a FileSet.
//!
//! OWNER: detect helper.
