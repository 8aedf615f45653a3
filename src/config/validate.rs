//! Checks run while the file is deserialised (`#[serde(deserialize_with = ...)]`), so a bad
//! value is reported at its own line and column like a TOML syntax error.

use std::collections::BTreeSet;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

use super::theme::ThemeColours;
use super::{RepoConfig, SectionConfig};

/// The shortest auto-refresh interval, so a console left open does not burn the rate limit.
pub const MIN_REFRESH_SECS: u64 = 10;

/// Whether `name` is `owner/name`, each part made of letters, digits, `-`, `_` and `.` (so it
/// can go in an API path as it is).
pub fn is_repo_name(name: &str) -> bool {
    let part_ok = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    name.split_once('/')
        .is_some_and(|(owner, repo)| part_ok(owner) && part_ok(repo))
}

/// The host of an `http://` or `https://` URL (without port or user info), or `None` when
/// `url` is not such a URL.
pub fn api_host(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    let host = match host_port.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or(bracketed),
        None => host_port.split(':').next().unwrap_or(host_port),
    };
    let valid = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':'));
    valid.then_some(host)
}

/// `owner/name` ([`is_repo_name`]).
pub(super) fn repo_name<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let name = String::deserialize(deserializer)?;
    if is_repo_name(&name) {
        Ok(name)
    } else {
        Err(D::Error::custom(format!(
            "repository name `{name}` is not `owner/name` (e.g. `acme/shop`)"
        )))
    }
}

/// Migration globs that compile.
pub(super) fn globs<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    let globs = Vec::<String>::deserialize(deserializer)?;
    for glob in &globs {
        globset::Glob::new(glob).map_err(|error| {
            D::Error::custom(format!("invalid migration glob `{glob}`: {}", error.kind()))
        })?;
    }
    Ok(globs)
}

/// An `http://` or `https://` URL with a host.
pub(super) fn api_url<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    let url = String::deserialize(deserializer)?;
    if api_host(&url).is_none() {
        return Err(D::Error::custom(format!(
            "api_url `{url}` is not an http(s) URL (e.g. `https://api.github.com` or \
             `https://github.example.com/api/v3`)"
        )));
    }
    Ok(Some(url))
}

/// The name of an embedded theme.
pub(super) fn theme<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    let name = String::deserialize(deserializer)?;
    ThemeColours::embedded(&name).map_err(|error| D::Error::custom(error.to_string()))?;
    Ok(Some(name))
}

/// At least [`MIN_REFRESH_SECS`].
pub(super) fn refresh_interval<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
    let secs = u64::deserialize(deserializer)?;
    if secs < MIN_REFRESH_SECS {
        return Err(D::Error::custom(format!(
            "refresh_interval_secs = {secs} is too short (at least {MIN_REFRESH_SECS})"
        )));
    }
    Ok(Some(secs))
}

/// A section title that is not blank.
pub(super) fn title<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    not_blank(deserializer, "a section's title must not be empty")
}

/// Section filters that are not blank.
pub(super) fn filters<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    not_blank(
        deserializer,
        "a section's filters must not be empty: give GitHub search qualifiers, e.g. \
         `review-requested:@me` or `label:db`",
    )
}

/// A string that is not blank, else `message`.
fn not_blank<'de, D: Deserializer<'de>>(
    deserializer: D,
    message: &str,
) -> Result<String, D::Error> {
    let text = String::deserialize(deserializer)?;
    if text.trim().is_empty() {
        return Err(D::Error::custom(message));
    }
    Ok(text)
}

/// Repositories, each named once.
pub(super) fn repos<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<RepoConfig>, D::Error> {
    let repos = Vec::<RepoConfig>::deserialize(deserializer)?;
    if let Some(name) = first_duplicate(repos.iter().map(|repo| repo.name.as_str())) {
        return Err(D::Error::custom(format!(
            "repository `{name}` is listed twice"
        )));
    }
    Ok(repos)
}

/// Sections, each titled once (`queue --section TITLE` picks one by title).
pub(super) fn sections<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<SectionConfig>, D::Error> {
    let sections = Vec::<SectionConfig>::deserialize(deserializer)?;
    if let Some(title) = first_duplicate(sections.iter().map(|section| section.title.as_str())) {
        return Err(D::Error::custom(format!(
            "two sections are titled `{title}`"
        )));
    }
    Ok(sections)
}

/// The first item seen twice.
fn first_duplicate<'a>(items: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut seen = BTreeSet::new();
    items.into_iter().find(|item| !seen.insert(*item))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_host_takes_the_host_of_http_urls_only() {
        assert_eq!(api_host("https://api.github.com"), Some("api.github.com"));
        assert_eq!(api_host("http://127.0.0.1:8080/x"), Some("127.0.0.1"));
        assert_eq!(api_host("https://u@ghe.corp/api/v3"), Some("ghe.corp"));
        assert_eq!(api_host("https://[::1]:99/"), Some("::1"));
        assert_eq!(api_host("ftp://x"), None);
        assert_eq!(api_host("https://"), None);
        assert_eq!(api_host("https://a b/"), None);
    }
}
