//! GitHub: the client (octocrab over rustls, raw requests so status codes and rate-limit
//! headers are ours to read), the token, the queue of open PRs that touch migrations, file
//! contents with an on-disk cache, and submitting verdicts (with an outbox for when it fails).
//!
//! Async lives here and nowhere in the analysis: callers hand in a tokio runtime.

pub mod assemble;
pub mod auth;
pub mod budget;
pub mod cache;
pub mod client;
pub mod contents;
pub mod dispatch;
pub mod error;
pub mod history;
pub mod inline;
pub mod outbox;
pub mod pull_request;
pub mod queue;
pub mod remote;
pub mod submit;
pub mod token_source;
pub mod unsettled;

pub use auth::Token;
pub use client::GitHub;
pub use error::GitHubError;
pub use token_source::TokenSource;
