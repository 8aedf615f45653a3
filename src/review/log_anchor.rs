//! The decision log's anchor: a small file beside the log (`decisions.anchor` next to
//! `decisions.jsonl`) holding how many records the log has and the hash of its last line, so
//! that removing or rewriting the end of the log, which the hash chain alone cannot show, is
//! detected.
//!
//! [`DecisionLog::append`](super::decision_log::DecisionLog::append) rewrites the anchor
//! atomically (and fsynced) after each record, while it holds the log's lock. A crash between
//! the two writes leaves the log one record ahead of an anchor that names its previous last
//! line: [`check`] calls that [`AnchorCheck::OneBehind`] (not tampering) and the next append
//! repairs it. An anchor that disagrees in any other way is left as it is by appends, so the
//! break stays reported.

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::durable::write_atomically;

/// The anchor's file extension: `decisions.jsonl` is anchored by `decisions.anchor`.
const ANCHOR_EXTENSION: &str = "anchor";

/// What the anchor file holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    /// Whole lines in the log.
    pub records: usize,
    /// Hex SHA-256 of the last of them (without its newline).
    pub head: String,
}

/// The anchor as read from disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnchorRead {
    /// There is no anchor file.
    Missing,
    /// The anchor file is not an anchor (the reason).
    Unreadable(String),
    /// The anchor.
    Found(Anchor),
}

/// The anchor file of the log at `log`.
pub fn anchor_path(log: &Path) -> PathBuf {
    log.with_extension(ANCHOR_EXTENSION)
}

/// Reads the anchor at `path`.
///
/// # Errors
/// An I/O error other than the file not existing.
pub fn read_anchor(path: &Path) -> io::Result<AnchorRead> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(AnchorRead::Missing),
        Err(error) => return Err(error),
    };
    Ok(match serde_json::from_slice(&bytes) {
        Ok(anchor) => AnchorRead::Found(anchor),
        Err(error) => AnchorRead::Unreadable(error.to_string()),
    })
}

/// Replaces the anchor at `path` atomically (synced to disk before returning).
///
/// # Errors
/// Any I/O error; the previous anchor is then unchanged.
pub fn write_anchor(path: &Path, anchor: &Anchor) -> io::Result<()> {
    let mut bytes = serde_json::to_vec(anchor).map_err(io::Error::other)?;
    bytes.push(b'\n');
    write_atomically(path, &bytes)
}

/// How the log's end compares with its anchor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum AnchorCheck {
    /// The anchor names the log's last line (or the log is empty and has no anchor).
    #[default]
    Matches,
    /// The log has one line more than the anchor, whose last anchored line matches: a crash
    /// after the record was written and before the anchor was (the next append repairs it).
    OneBehind,
    /// The log has records but no anchor: it was deleted, or the log predates anchors (the
    /// next append starts one).
    Missing,
    /// The anchor file is damaged.
    Unreadable {
        /// Why it cannot be read.
        error: String,
    },
    /// The log has fewer lines than the anchor: records at its end were removed (or cut short).
    Shorter {
        /// Whole lines in the log.
        records: usize,
        /// Lines the anchor names.
        anchored: usize,
    },
    /// The anchored line is not the one the anchor names: it was rewritten (or removed and
    /// replaced).
    Rewritten {
        /// Its 1-based line.
        line: usize,
    },
    /// The log has more than one line beyond the anchor: lines were added without it (by
    /// hand, or while it was broken).
    Ahead {
        /// Lines the anchor names.
        anchored: usize,
        /// Whole lines in the log.
        records: usize,
    },
}

impl AnchorCheck {
    /// Whether the log's end was tampered with or cannot be vouched for (a crash between the
    /// log and anchor writes is not).
    pub fn is_broken(&self) -> bool {
        !matches!(self, AnchorCheck::Matches | AnchorCheck::OneBehind)
    }
}

impl std::fmt::Display for AnchorCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnchorCheck::Matches => f.write_str("the anchor names the last record"),
            AnchorCheck::OneBehind => f.write_str(
                "the anchor is one record behind (a crash after the last record was written); \
                 the next decision recorded repairs it",
            ),
            AnchorCheck::Missing => f.write_str(
                "the anchor file is missing: the end of the log cannot be checked (it was \
                 deleted, or the log predates anchors; the next decision recorded starts one)",
            ),
            AnchorCheck::Unreadable { error } => {
                write!(f, "the anchor file is damaged ({error})")
            }
            AnchorCheck::Shorter { records, anchored } => write!(
                f,
                "the log ends at record {records} but the anchor names {anchored} records: \
                 records at the end were removed or cut short"
            ),
            AnchorCheck::Rewritten { line } => write!(
                f,
                "record at line {line} is not the one the anchor names: the end of the log was \
                 rewritten"
            ),
            AnchorCheck::Ahead { anchored, records } => write!(
                f,
                "records {} to {records} are beyond the anchor ({anchored} records): they were \
                 added without it",
                anchored + 2
            ),
        }
    }
}

/// Compares `anchor` with the log whose whole lines hash to `line_hashes` (in order).
pub fn check(anchor: &AnchorRead, line_hashes: &[String]) -> AnchorCheck {
    let records = line_hashes.len();
    let anchor = match anchor {
        AnchorRead::Missing if records == 0 => return AnchorCheck::Matches,
        AnchorRead::Missing => return AnchorCheck::Missing,
        AnchorRead::Unreadable(error) => {
            return AnchorCheck::Unreadable {
                error: error.clone(),
            };
        }
        AnchorRead::Found(anchor) => anchor,
    };
    let anchored = anchor.records;
    if records < anchored {
        return AnchorCheck::Shorter { records, anchored };
    }
    if records > anchored + 1 {
        return AnchorCheck::Ahead { anchored, records };
    }
    let names_its_line = match anchored.checked_sub(1) {
        Some(index) => line_hashes.get(index) == Some(&anchor.head),
        None => anchor.head == super::decision_log::GENESIS_HASH,
    };
    match (names_its_line, records == anchored) {
        (false, _) => AnchorCheck::Rewritten { line: anchored },
        (true, true) => AnchorCheck::Matches,
        (true, false) => AnchorCheck::OneBehind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("{i:064}")).collect()
    }

    fn anchor(records: usize, head: &str) -> AnchorRead {
        AnchorRead::Found(Anchor {
            records,
            head: head.to_owned(),
        })
    }

    #[test]
    fn the_log_against_its_anchor() {
        let three = hashes(3);
        assert_eq!(check(&anchor(3, &three[2]), &three), AnchorCheck::Matches);
        assert_eq!(check(&anchor(2, &three[1]), &three), AnchorCheck::OneBehind);
        assert_eq!(
            check(&anchor(4, &format!("{:064}", 4)), &three),
            AnchorCheck::Shorter {
                records: 3,
                anchored: 4
            }
        );
        assert_eq!(
            check(&anchor(3, &three[1]), &three),
            AnchorCheck::Rewritten { line: 3 }
        );
        assert_eq!(
            check(&anchor(2, &three[0]), &three),
            AnchorCheck::Rewritten { line: 2 }
        );
        assert_eq!(
            check(&anchor(1, &three[0]), &three),
            AnchorCheck::Ahead {
                anchored: 1,
                records: 3
            }
        );
        assert_eq!(check(&AnchorRead::Missing, &three), AnchorCheck::Missing);
        assert_eq!(check(&AnchorRead::Missing, &[]), AnchorCheck::Matches);
        let damaged = AnchorRead::Unreadable("expected value".into());
        assert!(check(&damaged, &three).is_broken());
    }

    #[test]
    fn only_a_crash_lag_is_not_broken() {
        assert!(!AnchorCheck::Matches.is_broken());
        assert!(!AnchorCheck::OneBehind.is_broken());
        assert!(AnchorCheck::Missing.is_broken());
        assert!(AnchorCheck::Rewritten { line: 1 }.is_broken());
    }

    #[test]
    fn the_anchor_round_trips_beside_its_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = anchor_path(&dir.path().join("decisions.jsonl"));
        assert!(path.ends_with("decisions.anchor"));
        assert_eq!(read_anchor(&path).unwrap(), AnchorRead::Missing);
        let written = Anchor {
            records: 2,
            head: "ab".repeat(32),
        };
        write_anchor(&path, &written).unwrap();
        assert_eq!(read_anchor(&path).unwrap(), AnchorRead::Found(written));
        std::fs::write(&path, b"{\"records\":").unwrap();
        assert!(matches!(
            read_anchor(&path).unwrap(),
            AnchorRead::Unreadable(_)
        ));
    }
}
