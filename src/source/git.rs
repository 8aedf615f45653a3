//! Read a tree at a git revision through one `git ls-tree` and one `git cat-file --batch`.
//!
//! OWNER: detect helper.
