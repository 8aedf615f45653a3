//! The GitHub client: octocrab (rustls) for transport and auth, with raw requests so that the
//! status code, `ETag` and rate-limit headers are read here and turned into [`GitHubError`]s.
//!
//! Paths are given relative to the API root (`/repos/o/r/pulls/1`); octocrab joins them to the
//! base URI and adds the token only for that host. GitHub Enterprise Server's REST root is
//! `https://HOST/api/v3` and its GraphQL endpoint `https://HOST/api/graphql`.

use std::sync::Arc;
use std::time::Duration;

use http::header::{HeaderMap, HeaderValue, IF_NONE_MATCH};
use http_body_util::BodyExt;
use octocrab::Octocrab;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::OnceCell;

use super::auth::Token;
use super::error::GitHubError;
use super::token_source::TokenSource;
use crate::config::api_host;
use crate::review::Timestamp;

/// How long one request may take before it counts as timed out.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Items per page of a REST listing (GitHub's maximum `per_page`).
pub const PER_PAGE: usize = 100;

/// Pages of a REST listing read at most: GitHub lists at most 3,000 files of a PR.
pub const MAX_PAGES: u32 = 30;

/// `path` (without a query) asking for page `page` (from 1) of [`PER_PAGE`] items.
pub fn page_path(path: &str, page: u32) -> String {
    format!("{path}?per_page={PER_PAGE}&page={page}")
}

/// Whether a listing page of `len` items is the last one (a full page may have a next).
pub fn is_last_page(len: usize) -> bool {
    len < PER_PAGE
}

/// A successful answer: 2xx, or 304 when an `ETag` was sent and nothing changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The `ETag` header, for a later conditional request.
    pub etag: Option<String>,
    /// The body (empty for 304 and 204).
    pub body: Vec<u8>,
}

impl Reply {
    /// Whether this is a 304 Not Modified.
    pub fn not_modified(&self) -> bool {
        self.status == 304
    }
}

/// A GitHub API client for one host.
#[derive(Clone)]
pub struct GitHub {
    rest: Octocrab,
    graphql: Octocrab,
    graphql_path: &'static str,
    api_url: String,
    token: Token,
    timeout: Duration,
    /// The authenticated user's login, asked once per client (clones share it).
    viewer: Arc<OnceCell<String>>,
}

impl std::fmt::Debug for GitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHub")
            .field("api_url", &self.api_url)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

enum Method {
    Get,
    Post,
    Delete,
}

impl GitHub {
    /// A client for the REST root `api_url` (e.g. `https://api.github.com`,
    /// `https://HOST/api/v3`, or a local mock server's address).
    ///
    /// Must be called inside a tokio runtime (octocrab spawns its request buffer there), e.g.
    /// after `runtime.enter()`.
    ///
    /// # Errors
    /// [`GitHubError::BadApiUrl`] when the URL does not parse or the TLS setup fails;
    /// [`GitHubError::BadToken`] when the token cannot go in a header (octocrab would panic);
    /// [`GitHubError::NoRuntime`] outside a runtime.
    pub fn new(api_url: &str, token: Token) -> Result<GitHub, GitHubError> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(GitHubError::NoRuntime);
        }
        // The header octocrab builds (and unwraps) from a personal token.
        if HeaderValue::from_str(&format!("Bearer {}", token.secret())).is_err() {
            return Err(GitHubError::BadToken {
                token_source: token.source(),
            });
        }
        let api_url = api_url.trim_end_matches('/').to_owned();
        let bad_url = |message: String| GitHubError::BadApiUrl {
            url: api_url.clone(),
            message,
        };
        if !(api_url.starts_with("https://") || api_url.starts_with("http://")) {
            return Err(bad_url("it must start with https:// (or http://)".into()));
        }
        // The token goes with every request: never unencrypted over a network.
        if api_url.starts_with("http://") && !api_host(&api_url).is_some_and(is_loopback) {
            return Err(bad_url(
                "http:// would send the token unencrypted; use https:// (http:// is only for a \
                 server on this machine: localhost, 127.0.0.1, ::1)"
                    .into(),
            ));
        }
        let (graphql_root, graphql_path) = match api_url.strip_suffix("/api/v3") {
            Some(host) => (format!("{host}/api"), "/graphql"),
            None => (api_url.clone(), "/graphql"),
        };
        let build = |root: &str| -> Result<Octocrab, GitHubError> {
            Octocrab::builder()
                .base_uri(root)
                .map_err(|error| bad_url(error.to_string()))?
                .personal_token(token.secret().to_owned())
                .set_connect_timeout(Some(Duration::from_secs(10)))
                .build()
                .map_err(|error| bad_url(token.redact(&error.to_string())))
        };
        Ok(GitHub {
            rest: build(&api_url)?,
            graphql: build(&graphql_root)?,
            graphql_path,
            api_url: api_url.clone(),
            token,
            timeout: DEFAULT_TIMEOUT,
            viewer: Arc::new(OnceCell::new()),
        })
    }

    /// The same client with another per-request time limit.
    pub fn with_timeout(mut self, timeout: Duration) -> GitHub {
        self.timeout = timeout;
        self
    }

    /// The REST root this client talks to.
    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    /// Where the token came from (named in 401 messages).
    pub fn token_source(&self) -> TokenSource {
        self.token.source()
    }

    /// The login the token acts as, asked once per client: only reviews this login wrote
    /// count as schemagate's own. `GET /user` for a user's token; a GitHub App installation
    /// token (Actions' `GITHUB_TOKEN` too) gets 403 there, so on a 403 or 404 GraphQL's
    /// `viewer` is asked: for such a token it is the app's bot user (`name[bot]`), the login
    /// its reviews carry.
    ///
    /// # Errors
    /// Any [`GitHubError`] of `GET /user` other than 403/404, or a passing one of the GraphQL
    /// query; [`GitHubError::NoViewer`] when neither names a login.
    pub async fn viewer_login(&self) -> Result<&str, GitHubError> {
        let login = self
            .viewer
            .get_or_try_init(|| async {
                match self.user_login().await {
                    Ok(login) => Ok(login),
                    Err(user @ (GitHubError::Forbidden { .. } | GitHubError::NotFound { .. })) => {
                        match self.graphql_viewer_login().await {
                            Ok(login) => Ok(login),
                            Err(viewer) if viewer.is_transient() => Err(viewer),
                            Err(viewer) => Err(GitHubError::NoViewer {
                                user: user.to_string(),
                                viewer: viewer.to_string(),
                            }),
                        }
                    }
                    Err(error) => Err(error),
                }
            })
            .await?;
        Ok(login.as_str())
    }

    /// `GET /user`'s login.
    async fn user_login(&self) -> Result<String, GitHubError> {
        #[derive(Deserialize)]
        struct User {
            login: String,
        }
        let what = "the authenticated user";
        let user: User = self.get_json(what, "/user").await?;
        non_empty_login(what, user.login)
    }

    /// GraphQL's `query { viewer { login } }`.
    async fn graphql_viewer_login(&self) -> Result<String, GitHubError> {
        #[derive(Deserialize)]
        struct Data {
            viewer: Viewer,
        }
        #[derive(Deserialize)]
        struct Viewer {
            login: String,
        }
        let what = "the token's viewer";
        let data: Data = self
            .graphql(what, "query { viewer { login } }", serde_json::json!({}))
            .await?;
        non_empty_login(what, data.viewer.login)
    }

    /// `GET path`, conditional on `etag` when given (a 304 comes back as a [`Reply`]).
    ///
    /// # Errors
    /// Any [`GitHubError`]; `what` names the request in the message.
    pub async fn get(
        &self,
        what: &str,
        path: &str,
        etag: Option<&str>,
    ) -> Result<Reply, GitHubError> {
        self.send(&self.rest, Method::Get, what, path, None, etag)
            .await
    }

    /// `GET path`, decoded from JSON.
    ///
    /// # Errors
    /// Any [`GitHubError`], [`GitHubError::Decode`] when the body is not the expected JSON.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        what: &str,
        path: &str,
    ) -> Result<T, GitHubError> {
        let reply = self.get(what, path, None).await?;
        decode(what, &reply.body)
    }

    /// `POST path` with a JSON body, the answer decoded from JSON.
    ///
    /// # Errors
    /// Any [`GitHubError`].
    pub async fn post_json<T: DeserializeOwned>(
        &self,
        what: &str,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, GitHubError> {
        let body = serde_json::to_value(body).map_err(|error| GitHubError::Decode {
            what: what.to_owned(),
            message: error.to_string(),
        })?;
        let reply = self
            .send(&self.rest, Method::Post, what, path, Some(&body), None)
            .await?;
        decode(what, &reply.body)
    }

    /// `DELETE path`.
    ///
    /// # Errors
    /// Any [`GitHubError`] (a 404 is [`GitHubError::NotFound`]; callers that delete something
    /// that may be gone already treat it as done).
    pub async fn delete(&self, what: &str, path: &str) -> Result<(), GitHubError> {
        self.send(&self.rest, Method::Delete, what, path, None, None)
            .await
            .map(drop)
    }

    /// A GraphQL query; `data` decoded as `T`. An answer with `errors` is an error, except that
    /// errors of type `NOT_FOUND` become [`GitHubError::NotFound`].
    ///
    /// # Errors
    /// Any [`GitHubError`].
    pub async fn graphql<T: DeserializeOwned>(
        &self,
        what: &str,
        query: &str,
        variables: Value,
    ) -> Result<T, GitHubError> {
        let body = serde_json::json!({ "query": query, "variables": variables });
        let (reply, headers) = self
            .exchange(
                &self.graphql,
                Method::Post,
                what,
                self.graphql_path,
                Some(&body),
                None,
            )
            .await?;
        let mut answer: Value = decode(what, &reply.body)?;
        if let Some(errors) = answer.get("errors").and_then(Value::as_array)
            && !errors.is_empty()
        {
            return Err(graphql_error(what, errors, &headers));
        }
        let data = answer.get_mut("data").map(Value::take).unwrap_or_default();
        serde_json::from_value(data).map_err(|error| GitHubError::Decode {
            what: what.to_owned(),
            message: error.to_string(),
        })
    }

    async fn send(
        &self,
        client: &Octocrab,
        method: Method,
        what: &str,
        path: &str,
        body: Option<&Value>,
        etag: Option<&str>,
    ) -> Result<Reply, GitHubError> {
        self.exchange(client, method, what, path, body, etag)
            .await
            .map(|(reply, _)| reply)
    }

    /// One request: a successful answer with its headers (a GraphQL error at HTTP 200 needs
    /// the rate-limit headers), or the error its status or transport gave.
    async fn exchange(
        &self,
        client: &Octocrab,
        method: Method,
        what: &str,
        path: &str,
        body: Option<&Value>,
        etag: Option<&str>,
    ) -> Result<(Reply, HeaderMap), GitHubError> {
        let exchange = async {
            let response = match method {
                Method::Get => {
                    let mut headers = HeaderMap::new();
                    if let Some(value) = etag.and_then(|etag| HeaderValue::from_str(etag).ok()) {
                        headers.insert(IF_NONE_MATCH, value);
                    }
                    client._get_with_headers(path, Some(headers)).await
                }
                Method::Post => client._post(path, body).await,
                Method::Delete => client._delete(path, body).await,
            }
            .map_err(|error| self.network_error(what, &error))?;
            let (parts, body) = response.into_parts();
            let bytes = body
                .collect()
                .await
                .map_err(|error| self.network_error(what, &error))?
                .to_bytes()
                .to_vec();
            Ok::<_, GitHubError>((parts.status.as_u16(), parts.headers, bytes))
        };
        let (status, headers, body) = tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| GitHubError::Timeout {
                what: what.to_owned(),
                secs: self.timeout.as_secs(),
            })??;
        if (200..300).contains(&status) || status == 304 {
            let etag = header_text(&headers, "etag").map(str::to_owned);
            return Ok((Reply { status, etag, body }, headers));
        }
        Err(self.status_error(what, status, &headers, &body))
    }

    fn network_error(&self, what: &str, error: &dyn std::error::Error) -> GitHubError {
        let mut message = error.to_string();
        let mut source = error.source();
        while let Some(inner) = source {
            message.push_str(": ");
            message.push_str(&inner.to_string());
            source = inner.source();
        }
        GitHubError::Network {
            what: what.to_owned(),
            message: self.token.redact(&message),
        }
    }

    fn status_error(
        &self,
        what: &str,
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
    ) -> GitHubError {
        let message = self.token.redact(&error_message(body));
        let what = what.to_owned();
        let rate_limited = status == 429
            || (status == 403
                && (header_text(headers, "x-ratelimit-remaining") == Some("0")
                    || headers.contains_key("retry-after")
                    || message.to_ascii_lowercase().contains("rate limit")));
        match status {
            401 => GitHubError::Unauthorized {
                token_source: self.token.source(),
                message,
            },
            _ if rate_limited => rate_limited_by(headers),
            403 => GitHubError::Forbidden { what, message },
            404 => GitHubError::NotFound { what },
            422 => GitHubError::Unprocessable { what, message },
            _ => GitHubError::Server {
                status,
                what,
                message,
            },
        }
    }
}

/// `login`, or a [`GitHubError::Decode`] about `what` when it is empty.
fn non_empty_login(what: &str, login: String) -> Result<String, GitHubError> {
    if login.is_empty() {
        return Err(GitHubError::Decode {
            what: what.to_owned(),
            message: "the login is empty".into(),
        });
    }
    Ok(login)
}

/// Whether `host` is this machine.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A rate limit as the answer's headers describe it. `retry-after` (a secondary limit) is
/// the wait; `x-ratelimit-reset` counts only when the primary limit is spent
/// (`x-ratelimit-remaining: 0`), or when it is the only thing GitHub said: a 429 with
/// `retry-after: 30` and 4,000 requests left waits 30 s, not until the hour's reset.
fn rate_limited_by(headers: &HeaderMap) -> GitHubError {
    let retry_after_secs = header_text(headers, "retry-after").and_then(|secs| secs.parse().ok());
    let remaining = header_text(headers, "x-ratelimit-remaining");
    let spent = remaining.is_some_and(|left| left.trim() == "0")
        || (remaining.is_none() && retry_after_secs.is_none());
    let reset = header_text(headers, "x-ratelimit-reset")
        .filter(|_| spent)
        .and_then(|secs| secs.trim().parse::<i64>().ok())
        .map(Timestamp::from_unix_secs);
    GitHubError::RateLimited {
        reset,
        retry_after_secs,
    }
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

fn decode<T: DeserializeOwned>(what: &str, body: &[u8]) -> Result<T, GitHubError> {
    serde_json::from_slice(body).map_err(|error| GitHubError::Decode {
        what: what.to_owned(),
        message: error.to_string(),
    })
}

/// GitHub's error body (`{"message": ..., "errors": [...]}`) as one line; else the start of
/// the body.
fn error_message(body: &[u8]) -> String {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        let text = String::from_utf8_lossy(body);
        return text.chars().take(200).collect::<String>().trim().to_owned();
    };
    let mut message = value
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    for error in value
        .get("errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let detail = match error {
            Value::String(text) => text.clone(),
            other => other
                .get("message")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| other.to_string()),
        };
        message.push_str(": ");
        message.push_str(&detail);
    }
    message
}

/// The error of a GraphQL answer with `errors` (HTTP 200): `NOT_FOUND`, `RATE_LIMITED` (with
/// the reset from the answer's `headers`), or the messages joined.
fn graphql_error(what: &str, errors: &[Value], headers: &HeaderMap) -> GitHubError {
    let not_found = errors
        .iter()
        .any(|error| error.get("type").and_then(Value::as_str) == Some("NOT_FOUND"));
    if not_found {
        return GitHubError::NotFound {
            what: what.to_owned(),
        };
    }
    let rate_limited = errors
        .iter()
        .any(|error| error.get("type").and_then(Value::as_str) == Some("RATE_LIMITED"));
    if rate_limited {
        return rate_limited_by(headers);
    }
    let message = errors
        .iter()
        .filter_map(|error| error.get("message").and_then(Value::as_str))
        .collect::<Vec<_>>()
        .join("; ");
    GitHubError::GraphQl {
        what: what.to_owned(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_become_one_line() {
        let body = br#"{"message":"Validation Failed","errors":[{"resource":"PullRequestReview","code":"custom","message":"Can not approve your own pull request"}],"documentation_url":"https://docs.github.com/rest"}"#;
        assert_eq!(
            error_message(body),
            "Validation Failed: Can not approve your own pull request"
        );
        assert_eq!(
            error_message(b"<html>bad gateway</html>"),
            "<html>bad gateway</html>"
        );
    }

    #[tokio::test]
    async fn a_url_without_scheme_is_refused() {
        let token = Token::new("t", TokenSource::Explicit);
        let error = GitHub::new("api.github.com", token).unwrap_err();
        assert!(matches!(error, GitHubError::BadApiUrl { .. }));
    }

    #[tokio::test]
    async fn plain_http_is_only_for_this_machine() {
        let token = || Token::new("t", TokenSource::Explicit);
        for remote in ["http://github.example.com/api/v3", "http://10.0.0.5:8080"] {
            let error = GitHub::new(remote, token()).unwrap_err();
            assert!(
                error.to_string().contains("unencrypted"),
                "{remote}: {error}"
            );
        }
        for local in [
            "http://127.0.0.1:8080",
            "http://localhost:9/api/v3",
            "http://[::1]:80",
        ] {
            assert!(GitHub::new(local, token()).is_ok(), "{local}");
        }
    }

    #[tokio::test]
    async fn a_token_with_a_control_character_is_an_error_not_a_panic() {
        for secret in ["ghp_abc\ndef", "ghp_a\u{1}b", "ghp_a\rb"] {
            let token = Token::new(secret, TokenSource::GhTokenEnv);
            let error = GitHub::new("https://api.github.com", token).unwrap_err();
            assert_eq!(
                error,
                GitHubError::BadToken {
                    token_source: TokenSource::GhTokenEnv
                }
            );
            assert!(!error.to_string().contains("ghp_"), "{error}");
        }
        let fine = Token::new("ghp_0123456789abcdef", TokenSource::GhTokenEnv);
        assert!(GitHub::new("https://api.github.com", fine).is_ok());
    }

    #[test]
    fn outside_a_runtime_is_an_error_not_a_panic() {
        let token = Token::new("t", TokenSource::Explicit);
        let error = GitHub::new("https://api.github.com", token).unwrap_err();
        assert_eq!(error, GitHubError::NoRuntime);
    }
}
