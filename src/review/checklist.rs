//! The review checklists: the embedded `assets/checklists.toml`, or a team's replacement file.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::evidence::EvidenceKey;
use crate::analysis::rules::Risk;

/// The checklists shipped with schemagate.
const EMBEDDED: &str = include_str!("../../assets/checklists.toml");

/// How the embedded file is named in error messages.
const EMBEDDED_NAME: &str = "assets/checklists.toml (embedded)";

/// Id of the checklist that holds the rollback plan (required in full from HIGH risk on).
pub const ROLLBACK_LIST_ID: &str = "rollback";

/// Every checklist, in the order of the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Checklists {
    /// The lists.
    pub lists: Vec<Checklist>,
}

/// One checklist (e.g. "Data safety").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Checklist {
    /// Stable id (e.g. `data-safety`).
    pub id: String,
    /// Title shown to the reviewer.
    pub title: String,
    /// Items in order.
    pub items: Vec<Item>,
}

/// One item a reviewer ticks or waives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    /// Stable id, unique across all lists (ticks and waivers are stored by it).
    pub id: String,
    /// What the reviewer confirms.
    pub text: String,
    /// The lowest PR risk at which the item is required.
    pub required_from: Risk,
    /// What the analysis checks automatically for this item, if anything.
    pub evidence: Option<EvidenceKey>,
    /// How to check the item.
    pub help: Option<String>,
}

/// Why a checklist file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ChecklistError {
    /// The override file could not be read.
    #[error("cannot read checklist file {file}: {source}")]
    Read {
        /// The file.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not have the checklist format.
    #[error("{file}:{line}: {message}")]
    Syntax {
        /// The file.
        file: String,
        /// 1-based line of the problem (0 when the parser gave no position).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// An item names an evidence key schemagate does not know.
    #[error("{file}: item `{item}` names unknown evidence `{key}` (known: {known})")]
    UnknownEvidence {
        /// The file.
        file: String,
        /// The item id.
        item: String,
        /// The unknown key.
        key: String,
        /// The known keys, comma-separated.
        known: String,
    },
    /// Two items share an id.
    #[error("{file}: item id `{item}` is used twice (ids must be unique across all lists)")]
    DuplicateItem {
        /// The file.
        file: String,
        /// The repeated id.
        item: String,
    },
    /// The file has no non-empty rollback list.
    #[error(
        "{file}: no checklist with id `{ROLLBACK_LIST_ID}` holding at least one item (HIGH-risk PRs need a rollback plan)"
    )]
    MissingRollbackList {
        /// The file.
        file: String,
    },
}

/// The file format, as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    checklist: Vec<RawChecklist>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChecklist {
    id: String,
    title: String,
    #[serde(default)]
    item: Vec<RawItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: String,
    text: String,
    required_from: Risk,
    evidence: Option<String>,
    help: Option<String>,
}

impl Checklists {
    /// The embedded checklists, or the file at `override_path` when one is given.
    pub fn load(override_path: Option<&Path>) -> Result<Checklists, ChecklistError> {
        match override_path {
            None => Checklists::parse(EMBEDDED, EMBEDDED_NAME),
            Some(path) => {
                let file = path.display().to_string();
                let text =
                    std::fs::read_to_string(path).map_err(|source| ChecklistError::Read {
                        file: file.clone(),
                        source,
                    })?;
                Checklists::parse(&text, &file)
            }
        }
    }

    /// Parses checklist TOML; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Checklists, ChecklistError> {
        let raw: RawFile = toml::from_str(text).map_err(|error| ChecklistError::Syntax {
            file: file.to_owned(),
            line: error.span().map_or(0, |span| line_of(text, span.start)),
            message: error.message().trim().to_owned(),
        })?;
        let lists = raw
            .checklist
            .into_iter()
            .map(|list| convert_list(list, file))
            .collect::<Result<Vec<_>, _>>()?;
        let checklists = Checklists { lists };
        checklists.validate(file)?;
        Ok(checklists)
    }

    /// The list with this id.
    pub fn list(&self, id: &str) -> Option<&Checklist> {
        self.lists.iter().find(|list| list.id == id)
    }

    /// Every item of every list, in order.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.lists.iter().flat_map(|list| list.items.iter())
    }

    /// The item with this id.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items().find(|item| item.id == id)
    }

    /// Whether the item belongs to the rollback plan.
    pub fn is_rollback_item(&self, item: &Item) -> bool {
        self.list(ROLLBACK_LIST_ID)
            .is_some_and(|list| list.items.iter().any(|i| i.id == item.id))
    }

    fn validate(&self, file: &str) -> Result<(), ChecklistError> {
        let mut seen = HashSet::new();
        if let Some(repeated) = self.items().find(|item| !seen.insert(item.id.as_str())) {
            return Err(ChecklistError::DuplicateItem {
                file: file.to_owned(),
                item: repeated.id.clone(),
            });
        }
        if self
            .list(ROLLBACK_LIST_ID)
            .is_none_or(|list| list.items.is_empty())
        {
            return Err(ChecklistError::MissingRollbackList {
                file: file.to_owned(),
            });
        }
        Ok(())
    }
}

fn convert_list(raw: RawChecklist, file: &str) -> Result<Checklist, ChecklistError> {
    let items = raw
        .item
        .into_iter()
        .map(|item| convert_item(item, file))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Checklist {
        id: raw.id,
        title: raw.title,
        items,
    })
}

fn convert_item(raw: RawItem, file: &str) -> Result<Item, ChecklistError> {
    let evidence = raw
        .evidence
        .map(|key| {
            key.parse::<EvidenceKey>()
                .map_err(|_| ChecklistError::UnknownEvidence {
                    file: file.to_owned(),
                    item: raw.id.clone(),
                    key,
                    known: EvidenceKey::ALL.map(EvidenceKey::as_str).join(", "),
                })
        })
        .transpose()?;
    Ok(Item {
        id: raw.id,
        text: raw.text,
        required_from: raw.required_from,
        evidence,
        help: raw.help,
    })
}

/// 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    1 + text
        .bytes()
        .take(offset)
        .filter(|byte| *byte == b'\n')
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[[checklist]]
id = "rollback"
title = "Rollback"

[[checklist.item]]
id = "steps"
text = "Rollback steps written"
required_from = "HIGH"
"#;

    #[test]
    fn line_of_counts_newlines_before_offset() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 4), 3);
        assert_eq!(line_of("a", 99), 1);
    }

    #[test]
    fn minimal_file_parses() {
        let lists = Checklists::parse(MINIMAL, "x.toml").unwrap();
        assert_eq!(lists.lists.len(), 1);
        let item = lists.item("steps").unwrap();
        assert_eq!(item.required_from, Risk::High);
        assert!(lists.is_rollback_item(item));
    }

    #[test]
    fn unknown_field_is_a_syntax_error_with_its_line() {
        let text = MINIMAL.replace("required_from", "colour = \"red\"\nrequired_from");
        let error = Checklists::parse(&text, "x.toml").unwrap_err();
        let ChecklistError::Syntax { line, message, .. } = error else {
            panic!("expected a syntax error, got {error}");
        };
        assert!(message.contains("colour"), "{message}");
        assert!(line >= 7, "line {line}");
    }

    #[test]
    fn duplicate_item_id_is_refused() {
        let text = format!(
            "{MINIMAL}\n[[checklist.item]]\nid = \"steps\"\ntext = \"again\"\nrequired_from = \"LOW\"\n"
        );
        let error = Checklists::parse(&text, "x.toml").unwrap_err();
        assert!(
            matches!(&error, ChecklistError::DuplicateItem { item, .. } if item == "steps"),
            "{error}"
        );
    }

    #[test]
    fn missing_rollback_list_is_refused() {
        let text = MINIMAL.replace("id = \"rollback\"", "id = \"other\"");
        let error = Checklists::parse(&text, "x.toml").unwrap_err();
        assert!(matches!(error, ChecklistError::MissingRollbackList { .. }));
    }

    #[test]
    fn unknown_evidence_names_the_item() {
        let text = MINIMAL.replace(
            "required_from = \"HIGH\"",
            "required_from = \"HIGH\"\nevidence = \"vibes\"",
        );
        let error = Checklists::parse(&text, "x.toml").unwrap_err();
        let message = error.to_string();
        assert!(message.contains("`steps`"), "{message}");
        assert!(message.contains("`vibes`"), "{message}");
        assert!(message.contains("migration-ran"), "{message}");
    }
}
