//! The GitHub token: where it came from, how it is found, and redaction so it never reaches a
//! message or a log.
//!
//! Resolution order ([`resolve_token`]): for github.com `GH_TOKEN`, then `GITHUB_TOKEN`; for
//! GitHub Enterprise Server (an API host other than api.github.com) `GH_ENTERPRISE_TOKEN`, then
//! `GH_TOKEN`, `GITHUB_TOKEN`; then `gh auth token` (`--hostname HOST` for GHES) when the GitHub
//! CLI is installed. Empty values are skipped.

use std::fmt;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::error::GitHubError;
use super::token_source::TokenSource;
use crate::config::api_host;

/// A GitHub token. `Debug` and `Display` never show it; [`Token::redact`] removes it from text.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    secret: String,
    source: TokenSource,
}

impl Token {
    /// A token and where it came from (surrounding whitespace is dropped).
    pub fn new(secret: &str, source: TokenSource) -> Self {
        Token {
            secret: secret.trim().to_owned(),
            source,
        }
    }

    /// Where the token came from.
    pub fn source(&self) -> TokenSource {
        self.source
    }

    /// The secret itself, for the Authorization header only.
    pub(crate) fn secret(&self) -> &str {
        &self.secret
    }

    /// `text` with every occurrence of the token replaced by `[redacted]`.
    pub fn redact(&self, text: &str) -> String {
        if self.secret.is_empty() {
            text.to_owned()
        } else {
            text.replace(&self.secret, "[redacted]")
        }
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token([redacted] from {})", self.source)
    }
}

/// How long `gh auth token` may take before it is given up on.
const GH_TIMEOUT: Duration = Duration::from_secs(5);

/// The GitHub Enterprise Server host of `api_url`, or `None` for github.com.
fn enterprise_host(api_url: &str) -> Option<&str> {
    api_host(api_url).filter(|host| {
        !host.eq_ignore_ascii_case("api.github.com") && !host.eq_ignore_ascii_case("github.com")
    })
}

/// Finds a token for `api_url` in the environment, else from `gh auth token`.
///
/// # Errors
/// [`GitHubError::NoToken`] when no source has one.
pub fn resolve_token(api_url: &str) -> Result<Token, GitHubError> {
    resolve_token_with(api_url, |name| std::env::var(name).ok(), gh_auth_token)
}

/// [`resolve_token`] with the environment (`env(name)`) and the `gh auth token` runner
/// (`gh(Some(host))` for GHES, `gh(None)` for github.com) given, for tests.
///
/// # Errors
/// [`GitHubError::NoToken`] when no source has one.
pub fn resolve_token_with(
    api_url: &str,
    env: impl Fn(&str) -> Option<String>,
    gh: impl Fn(Option<&str>) -> Option<String>,
) -> Result<Token, GitHubError> {
    let host = enterprise_host(api_url);
    let mut variables = Vec::with_capacity(3);
    if host.is_some() {
        variables.push(("GH_ENTERPRISE_TOKEN", TokenSource::GhEnterpriseTokenEnv));
    }
    variables.push(("GH_TOKEN", TokenSource::GhTokenEnv));
    variables.push(("GITHUB_TOKEN", TokenSource::GitHubTokenEnv));
    variables
        .into_iter()
        .find_map(|(name, source)| usable(env(name)).map(|secret| Token::new(&secret, source)))
        .or_else(|| usable(gh(host)).map(|secret| Token::new(&secret, TokenSource::GhCli)))
        .ok_or(GitHubError::NoToken)
}

/// `value` unless it is missing or blank.
fn usable(value: Option<String>) -> Option<String> {
    value.filter(|value| !value.trim().is_empty())
}

/// Runs `gh auth token [--hostname HOST]`: its standard output when it succeeds within
/// [`GH_TIMEOUT`], else `None` (not installed, not logged in, too slow).
fn gh_auth_token(host: Option<&str>) -> Option<String> {
    let mut command = Command::new("gh");
    command.args(["auth", "token"]);
    if let Some(host) = host {
        command.args(["--hostname", host]);
    }
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < GH_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(20));
            }
            _ => {
                // Best effort: the child may have exited meanwhile.
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    };
    let mut output = String::new();
    child.stdout.take()?.read_to_string(&mut output).ok()?;
    status.success().then_some(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_redact_never_show_the_secret() {
        let token = Token::new(" ghp_secret123 \n", TokenSource::GhTokenEnv);
        assert!(!format!("{token:?}").contains("ghp_secret123"));
        assert_eq!(
            token.redact("auth ghp_secret123 failed"),
            "auth [redacted] failed"
        );
        assert_eq!(token.secret(), "ghp_secret123");
    }

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn no_gh(_host: Option<&str>) -> Option<String> {
        None
    }

    #[test]
    fn github_com_prefers_gh_token_then_github_token() {
        let all = env_of(&[
            ("GH_TOKEN", "a"),
            ("GITHUB_TOKEN", "b"),
            ("GH_ENTERPRISE_TOKEN", "c"),
        ]);
        let token = resolve_token_with("https://api.github.com", &all, no_gh).unwrap();
        assert_eq!(
            (token.secret(), token.source()),
            ("a", TokenSource::GhTokenEnv)
        );
        let blank_first = env_of(&[("GH_TOKEN", " "), ("GITHUB_TOKEN", "b")]);
        let token = resolve_token_with("https://api.github.com/", blank_first, no_gh).unwrap();
        assert_eq!(
            (token.secret(), token.source()),
            ("b", TokenSource::GitHubTokenEnv)
        );
    }

    #[test]
    fn enterprise_prefers_gh_enterprise_token() {
        let all = env_of(&[("GH_TOKEN", "a"), ("GH_ENTERPRISE_TOKEN", "c")]);
        let token = resolve_token_with("https://ghe.example.com/api/v3", &all, no_gh).unwrap();
        assert_eq!(
            (token.secret(), token.source()),
            ("c", TokenSource::GhEnterpriseTokenEnv)
        );
        let token = resolve_token_with("https://api.github.com", &all, no_gh).unwrap();
        assert_eq!(token.source(), TokenSource::GhTokenEnv);
    }

    #[test]
    fn falls_back_to_gh_with_the_enterprise_host() {
        let gh = |host: Option<&str>| Some(format!("gho_{}\n", host.unwrap_or("dotcom")));
        let none = env_of(&[]);
        let token = resolve_token_with("https://ghe.example.com:8443/api/v3", &none, gh).unwrap();
        assert_eq!(
            (token.secret(), token.source()),
            ("gho_ghe.example.com", TokenSource::GhCli)
        );
        let token = resolve_token_with("https://api.github.com", &none, gh).unwrap();
        assert_eq!(token.secret(), "gho_dotcom");
    }

    #[test]
    fn nothing_found_is_no_token() {
        let blank_gh = |_: Option<&str>| Some("\n".to_owned());
        assert_eq!(
            resolve_token_with("https://api.github.com", env_of(&[]), blank_gh),
            Err(GitHubError::NoToken)
        );
    }
}
