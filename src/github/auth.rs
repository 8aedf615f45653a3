//! The GitHub token: where it came from, and redaction so it never reaches a message or a log.

use std::fmt;

/// Where a token was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenSource {
    /// The `GH_TOKEN` environment variable.
    GhTokenEnv,
    /// The `GITHUB_TOKEN` environment variable.
    GitHubTokenEnv,
    /// The `GH_ENTERPRISE_TOKEN` environment variable (GitHub Enterprise Server).
    GhEnterpriseTokenEnv,
    /// `gh auth token` (the GitHub CLI's stored login).
    GhCli,
    /// Given by a test or an embedding program.
    Explicit,
}

impl fmt::Display for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenSource::GhTokenEnv => "the GH_TOKEN environment variable",
            TokenSource::GitHubTokenEnv => "the GITHUB_TOKEN environment variable",
            TokenSource::GhEnterpriseTokenEnv => "the GH_ENTERPRISE_TOKEN environment variable",
            TokenSource::GhCli => "`gh auth token`",
            TokenSource::Explicit => "the token given",
        })
    }
}

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
}
