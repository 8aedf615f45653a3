//! The decision log's anchor: a small file beside the log (`decisions.anchor` next to
//! `decisions.jsonl`) holding how many records the log has and the hash of its last line, so
//! that removing or rewriting the end of the log, which the hash chain alone cannot show, is
//! detected.
//!
//! [`DecisionLog::append`](super::decision_log::DecisionLog::append) writes the anchor twice
//! per record, atomically (and fsynced), while it holds the log's lock: first the log as it is
//! with the hash the new line will have ([`Anchor::pending`]), then the record, then the anchor
//! naming the new line. A crash between the record and the second anchor write leaves the log
//! one record ahead of an anchor whose pending hash is that record's: [`check`] calls that
//! [`AnchorCheck::OneBehind`] (not tampering) and the next append repairs it. One record more
//! that is not the announced one was added by someone writing the log alone
//! ([`AnchorCheck::Ahead`]). The first append creates the anchor (announcing the first record),
//! so a crash during it is a crash too. An anchor that disagrees in any other way is left as it
//! is by appends, so the break stays reported; so is a missing anchor beside a log that has
//! records, until the user adopts the log as it is
//! ([`DecisionLog::adopt_anchor`](super::decision_log::DecisionLog::adopt_anchor)).

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::durable::write_atomically;

/// `prev_hash` of the decision log's first record, and the head the anchor of an empty log
/// names.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The anchor's file extension: `decisions.jsonl` is anchored by `decisions.anchor`.
const ANCHOR_EXTENSION: &str = "anchor";

/// What the anchor file holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    /// Whole lines in the log.
    pub records: usize,
    /// Hex SHA-256 of the last of them (without its newline); the genesis hash for none.
    pub head: String,
    /// While a record is being appended: the hex SHA-256 its line will have (line
    /// `records + 1`). Absent once the anchor names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<String>,
}

impl Anchor {
    /// The anchor of a log of `records` lines, the last hashing to `head`, with no append
    /// under way.
    pub fn committed(records: usize, head: String) -> Self {
        Anchor {
            records,
            head,
            pending: None,
        }
    }
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
    /// The log has one line more than the anchor, whose last anchored line matches, and that
    /// line is the one the anchor announced as pending: a crash after the record was written
    /// and before the anchor was (the next append repairs it).
    OneBehind,
    /// The log has records but no anchor: it was deleted, or the log predates anchors. Appends
    /// do not start one over it; adopting the log as it is does.
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
    /// The log has lines beyond the anchor that no append announced: they were added without
    /// it (by hand, or while it was broken).
    Ahead {
        /// Lines the anchor names.
        anchored: usize,
        /// The first line added without it (`anchored + 2` when line `anchored + 1` is the one
        /// announced as pending).
        first: usize,
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
                "the anchor is one record behind, and that record is the one it announced (a \
                 crash after the last record was written); the next decision recorded repairs it",
            ),
            AnchorCheck::Missing => f.write_str(
                "the anchor file is missing: the end of the log cannot be checked (it was \
                 deleted, or the log predates anchors); `schemagate audit --adopt-anchor` \
                 anchors the log as it is",
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
            AnchorCheck::Ahead {
                anchored,
                first,
                records,
            } if first == records => write!(
                f,
                "record {records} is beyond the anchor ({anchored} records) and is not the one it \
                 announced: it was added without it"
            ),
            AnchorCheck::Ahead {
                anchored,
                first,
                records,
            } => write!(
                f,
                "records {first} to {records} are beyond the anchor ({anchored} records) and no \
                 append announced them: they were added without it"
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
    let names_its_line = match anchored.checked_sub(1) {
        Some(index) => line_hashes.get(index) == Some(&anchor.head),
        None => anchor.head == GENESIS_HASH,
    };
    if !names_its_line {
        return AnchorCheck::Rewritten { line: anchored };
    }
    let announced = anchor
        .pending
        .as_ref()
        .is_some_and(|pending| line_hashes.get(anchored) == Some(pending));
    match records - anchored {
        0 => AnchorCheck::Matches,
        1 if announced => AnchorCheck::OneBehind,
        _ => AnchorCheck::Ahead {
            anchored,
            first: anchored + 1 + usize::from(announced),
            records,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("{i:064}")).collect()
    }

    fn anchor(records: usize, head: &str) -> AnchorRead {
        AnchorRead::Found(Anchor::committed(records, head.to_owned()))
    }

    fn announcing(records: usize, head: &str, pending: &str) -> AnchorRead {
        AnchorRead::Found(Anchor {
            pending: Some(pending.to_owned()),
            ..Anchor::committed(records, head.to_owned())
        })
    }

    #[test]
    fn the_log_against_its_anchor() {
        let three = hashes(3);
        assert_eq!(check(&anchor(3, &three[2]), &three), AnchorCheck::Matches);
        assert_eq!(
            check(&announcing(3, &three[2], &"9".repeat(64)), &three),
            AnchorCheck::Matches,
            "a crash before the record was written"
        );
        assert_eq!(
            check(&announcing(2, &three[1], &three[2]), &three),
            AnchorCheck::OneBehind
        );
        assert_eq!(
            check(&announcing(0, GENESIS_HASH, &three[0]), &three[..1]),
            AnchorCheck::OneBehind,
            "a crash during the first append"
        );
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
                first: 2,
                records: 3
            }
        );
        assert_eq!(
            check(&announcing(1, &three[0], &three[1]), &three),
            AnchorCheck::Ahead {
                anchored: 1,
                first: 3,
                records: 3
            }
        );
        assert_eq!(check(&AnchorRead::Missing, &three), AnchorCheck::Missing);
        assert_eq!(check(&AnchorRead::Missing, &[]), AnchorCheck::Matches);
        let damaged = AnchorRead::Unreadable("expected value".into());
        assert!(check(&damaged, &three).is_broken());
    }

    #[test]
    fn one_record_more_than_announced_is_tampering() {
        let three = hashes(3);
        let unannounced = check(&anchor(2, &three[1]), &three);
        assert_eq!(
            unannounced,
            AnchorCheck::Ahead {
                anchored: 2,
                first: 3,
                records: 3
            }
        );
        assert!(unannounced.is_broken());
        assert_eq!(
            unannounced.to_string(),
            "record 3 is beyond the anchor (2 records) and is not the one it announced: it was \
             added without it"
        );
        let other = check(&announcing(2, &three[1], &"9".repeat(64)), &three);
        assert!(matches!(other, AnchorCheck::Ahead { first: 3, .. }));
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
            pending: Some("cd".repeat(32)),
            ..Anchor::committed(2, "ab".repeat(32))
        };
        write_anchor(&path, &written).unwrap();
        assert_eq!(read_anchor(&path).unwrap(), AnchorRead::Found(written));
        let committed = format!("{{\"records\":2,\"head\":\"{}\"}}\n", "ab".repeat(32));
        std::fs::write(&path, committed).unwrap();
        assert_eq!(
            read_anchor(&path).unwrap(),
            AnchorRead::Found(Anchor::committed(2, "ab".repeat(32))),
            "an anchor with no append under way has no pending hash"
        );
        std::fs::write(&path, b"{\"records\":").unwrap();
        assert!(matches!(
            read_anchor(&path).unwrap(),
            AnchorRead::Unreadable(_)
        ));
    }
}
