//! A snapshot of the files of a tree (a checkout, a git revision, a demo PR) that the analysis reads.

use std::collections::BTreeMap;

/// Repository-relative paths (always `/`-separated) mapped to file contents as raw bytes.
///
/// Sources fill it; the analysis only reads it, so the analysis never touches the disk.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileSet {
    files: BTreeMap<String, Vec<u8>>,
}

impl FileSet {
    /// An empty set (the tree before the first commit).
    pub fn new() -> Self {
        FileSet::default()
    }

    /// Adds or replaces a file.
    pub fn insert(&mut self, path: impl Into<String>, contents: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), contents.into());
    }

    /// The contents of a file, if present.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// The stored path and contents of a file, if present (both borrowed from the set).
    pub fn entry(&self, path: &str) -> Option<(&str, &[u8])> {
        self.files
            .get_key_value(path)
            .map(|(p, c)| (p.as_str(), c.as_slice()))
    }

    /// Whether the file is present.
    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// All paths in sorted order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// All files in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(p, c)| (p.as_str(), c.as_slice()))
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are no files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

impl<P: Into<String>, C: Into<Vec<u8>>> FromIterator<(P, C)> for FileSet {
    fn from_iter<I: IntoIterator<Item = (P, C)>>(iter: I) -> Self {
        let mut set = FileSet::new();
        for (p, c) in iter {
            set.insert(p, c);
        }
        set
    }
}

impl IntoIterator for FileSet {
    type Item = (String, Vec<u8>);
    type IntoIter = std::collections::btree_map::IntoIter<String, Vec<u8>>;

    fn into_iter(self) -> Self::IntoIter {
        self.files.into_iter()
    }
}
