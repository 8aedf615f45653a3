//! Where a GitHub token was found: named by the token and by the errors about it.

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
