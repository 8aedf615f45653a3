//! What can go wrong talking to GitHub, each with a message that says what to do.

use thiserror::Error;

use super::token_source::TokenSource;
use crate::review::Timestamp;

/// A GitHub request failed. Messages never contain the token.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum GitHubError {
    /// No token was found.
    #[error(
        "no GitHub token: set GH_TOKEN (or GITHUB_TOKEN; GH_ENTERPRISE_TOKEN for GitHub Enterprise \
         Server), or log in with `gh auth login`. A classic token needs the `repo` scope; a \
         fine-grained one needs Pull requests: read/write, Contents: read, Commit statuses: \
         read/write. `schemagate demo` and `schemagate --repo PATH` need no token"
    )]
    NoToken,
    /// The token cannot go in an HTTP header (a line break or another control character in
    /// it): nothing was sent.
    #[error(
        "the token from {token_source} contains a line break or another control character, so \
         it cannot be sent; set it again with the token alone"
    )]
    BadToken {
        /// Which token source it came from.
        token_source: TokenSource,
    },
    /// 401: the token was rejected.
    #[error(
        "GitHub rejected the token from {token_source} (401 {message}): it is wrong, expired or \
         revoked; create a new one or run `gh auth login`"
    )]
    Unauthorized {
        /// Which token source failed.
        token_source: TokenSource,
        /// GitHub's message.
        message: String,
    },
    /// 403 or 429 because of a rate limit.
    #[error("{}", rate_limit_message(.reset, .retry_after_secs))]
    RateLimited {
        /// When the limit resets (`x-ratelimit-reset`), if GitHub said.
        reset: Option<Timestamp>,
        /// Seconds to wait (`retry-after`), if GitHub said.
        retry_after_secs: Option<u64>,
    },
    /// 403 for any other reason (missing scope, SSO not authorised, blocked).
    #[error(
        "GitHub refused {what} (403 {message}): the token lacks the permission (scope, \
         fine-grained permission, or SAML SSO authorisation for the organisation)"
    )]
    Forbidden {
        /// What was asked for.
        what: String,
        /// GitHub's message.
        message: String,
    },
    /// 404.
    #[error(
        "{what} was not found (404): check the owner/name, or the token cannot see it (a \
         private repository needs a token with access to it)"
    )]
    NotFound {
        /// What was asked for.
        what: String,
    },
    /// 422: GitHub understood the request and refused it.
    #[error("GitHub refused {what} (422 {message})")]
    Unprocessable {
        /// What was asked for.
        what: String,
        /// GitHub's message and its `errors[]`, joined.
        message: String,
    },
    /// 5xx, 408, or another status without a variant of its own (e.g. 410 Gone);
    /// [`GitHubError::is_transient`] tells them apart by status.
    #[error("GitHub answered {status} to {what}: {message}")]
    Server {
        /// HTTP status.
        status: u16,
        /// What was asked for.
        what: String,
        /// GitHub's message or the start of the body.
        message: String,
    },
    /// The request did not finish in time.
    #[error("{what} timed out after {secs} s (GitHub or the network is slow or unreachable)")]
    Timeout {
        /// What was asked for.
        what: String,
        /// The limit.
        secs: u64,
    },
    /// Connection-level failure (DNS, refused, TLS, reset).
    #[error("cannot reach GitHub for {what}: {message}")]
    Network {
        /// What was asked for.
        what: String,
        /// The transport error.
        message: String,
    },
    /// The GraphQL API answered with errors.
    #[error("GitHub's GraphQL API refused {what}: {message}")]
    GraphQl {
        /// What was asked for.
        what: String,
        /// The errors' messages, joined.
        message: String,
    },
    /// Neither `GET /user` nor GraphQL's `viewer` named the token's login.
    #[error(
        "GitHub did not say whose the token is (GET /user: {user}; GraphQL viewer: {viewer}): \
         schemagate needs a token of a user (a personal access token, classic or fine-grained, \
         or `gh auth token`) or of a GitHub App installation (Actions' GITHUB_TOKEN too), whose \
         login is the app's bot user (`name[bot]`)"
    )]
    NoViewer {
        /// What `GET /user` answered.
        user: String,
        /// What the GraphQL `viewer` query answered.
        viewer: String,
    },
    /// The answer did not have the expected shape.
    #[error("unexpected answer from GitHub to {what}: {message}")]
    Decode {
        /// What was asked for.
        what: String,
        /// What was wrong.
        message: String,
    },
    /// The client was created outside a tokio runtime (a programming error, reported instead of
    /// the panic octocrab's request buffer would cause).
    #[error("the GitHub client needs a tokio runtime: create it inside `Runtime::enter`")]
    NoRuntime,
    /// The API URL is not a URL.
    #[error("`{url}` is not a usable API URL: {message}")]
    BadApiUrl {
        /// The URL given.
        url: String,
        /// Why.
        message: String,
    },
}

impl GitHubError {
    /// Whether trying again later may succeed: network, timeout, rate limit (429 or a
    /// secondary 403), 408 and 5xx. Every other 4xx (e.g. a documented 410 Gone) is permanent:
    /// the user must act first, and retrying it would fail the same way for ever.
    pub fn is_transient(&self) -> bool {
        match self {
            GitHubError::RateLimited { .. }
            | GitHubError::Timeout { .. }
            | GitHubError::Network { .. } => true,
            GitHubError::Server { status, .. } => is_transient_status(*status),
            _ => false,
        }
    }
}

/// Whether an HTTP status says "try again later": 408, 429 and 5xx.
fn is_transient_status(status: u16) -> bool {
    matches!(status, 408 | 429) || (500..600).contains(&status)
}

fn rate_limit_message(reset: &Option<Timestamp>, retry_after_secs: &Option<u64>) -> String {
    let mut message = String::from("GitHub's rate limit is exhausted");
    if let Some(reset) = reset {
        message.push_str(&format!("; it resets at {reset}"));
    }
    if let Some(secs) = retry_after_secs {
        message.push_str(&format!("; retry after {secs} s"));
    }
    message.push_str(" (schemagate backs off and keeps what it has)");
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(status: u16) -> GitHubError {
        GitHubError::Server {
            status,
            what: "the label".into(),
            message: String::new(),
        }
    }

    #[test]
    fn statuses_are_transient_only_for_408_and_5xx() {
        for status in [408, 500, 502, 503, 504] {
            assert!(answered(status).is_transient(), "{status}");
        }
        for status in [400, 405, 409, 410, 413, 451] {
            assert!(!answered(status).is_transient(), "{status}");
        }
    }
}
