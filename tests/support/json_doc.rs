//! Test helper: reading fields of the JSON documents the CLI prints, with errors that say
//! which field was missing.

use anyhow::{Context, Result};
use serde_json::Value;

/// `value[key]` as a string.
pub fn str_at<'a>(value: &'a Value, key: &str) -> Result<&'a str> {
    value[key]
        .as_str()
        .with_context(|| format!("`{key}` is not a string in {value}"))
}

/// `value[key]` as an array.
pub fn array_at<'a>(value: &'a Value, key: &str) -> Result<&'a [Value]> {
    value[key]
        .as_array()
        .map(Vec::as_slice)
        .with_context(|| format!("`{key}` is not an array in {value}"))
}

/// `value[key]` as a list of strings.
pub fn strings_at<'a>(value: &'a Value, key: &str) -> Result<Vec<&'a str>> {
    array_at(value, key)?
        .iter()
        .map(|item| {
            item.as_str()
                .with_context(|| format!("{item} is not a string"))
        })
        .collect()
}
