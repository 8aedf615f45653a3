//! The GitHub client against a local mock server: what it sends (token, API version,
//! conditional requests, GHES paths) and how each failure becomes a message that says what to
//! do, never containing the token.

use std::time::Duration;

use schemagate::github::{GitHub, GitHubError, Token, TokenSource};
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "ghp_S3cr3tTok3nValue0123456789";

fn client(server: &MockServer) -> GitHub {
    GitHub::new(&server.uri(), Token::new(SECRET, TokenSource::GhTokenEnv))
        .expect("a mock server URL is a valid API URL")
}

/// GitHub's error body for `message`.
fn error_body(message: &str) -> Value {
    json!({ "message": message, "documentation_url": "https://docs.github.com/rest" })
}

fn assert_no_secret(error: &GitHubError) {
    let text = format!("{error} {error:?}");
    assert!(!text.contains(SECRET), "the token leaked: {text}");
}

#[tokio::test]
async fn requests_carry_the_token_and_api_version() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/user"))
        .and(header("authorization", format!("Bearer {SECRET}").as_str()))
        .and(header("x-github-api-version", "2022-11-28"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"login": "octocat"})))
        .expect(1)
        .mount(&server)
        .await;
    let user: Value = client(&server)
        .get_json("the signed-in user", "/user")
        .await
        .unwrap();
    assert_eq!(user["login"], "octocat");
}

#[tokio::test]
async fn the_viewer_login_is_asked_once_per_client() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"login": "reviewer-1"})))
        .expect(1)
        .mount(&server)
        .await;
    let github = client(&server);
    let copy = github.clone();
    assert_eq!(github.viewer_login().await.unwrap(), "reviewer-1");
    assert_eq!(copy.viewer_login().await.unwrap(), "reviewer-1");
}

/// GitHub's answer to an installation token (a GitHub App's, or Actions' GITHUB_TOKEN) asking
/// `GET /user`.
fn not_for_integrations() -> ResponseTemplate {
    ResponseTemplate::new(403).set_body_json(json!({
        "message": "Resource not accessible by integration",
        "documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user",
        "status": "403"
    }))
}

#[tokio::test]
async fn an_installation_token_s_login_is_its_bot_user_from_graphql() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(not_for_integrations())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .and(body_partial_json(
            json!({"query": "query { viewer { login } }"}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": {"viewer": {"login": "schemagate-ci[bot]"}}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let github = client(&server);
    assert_eq!(github.viewer_login().await.unwrap(), "schemagate-ci[bot]");
    assert_eq!(
        github.clone().viewer_login().await.unwrap(),
        "schemagate-ci[bot]",
        "asked once"
    );
}

#[tokio::test]
async fn a_token_neither_rest_nor_graphql_names_says_which_tokens_work() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(not_for_integrations())
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": null,
            "errors": [{"type": "FORBIDDEN", "message": "Resource not accessible by integration"}]
        })))
        .mount(&server)
        .await;
    let error = client(&server).viewer_login().await.unwrap_err();
    assert!(matches!(error, GitHubError::NoViewer { .. }), "{error:?}");
    assert!(!error.is_transient());
    let message = error.to_string();
    for said in [
        "Resource not accessible by integration",
        "personal access token",
        "GitHub App installation",
        "GITHUB_TOKEN",
    ] {
        assert!(message.contains(said), "{said}: {message}");
    }
    assert_no_secret(&error);
}

#[tokio::test]
async fn a_graphql_viewer_that_fails_for_now_is_a_passing_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(not_for_integrations())
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .respond_with(ResponseTemplate::new(502).set_body_string("Bad Gateway"))
        .mount(&server)
        .await;
    let error = client(&server).viewer_login().await.unwrap_err();
    assert!(error.is_transient(), "{error:?}");
}

#[tokio::test]
async fn a_user_answer_without_a_login_is_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"login": null})))
        .mount(&server)
        .await;
    let error = client(&server).viewer_login().await.unwrap_err();
    assert!(matches!(error, GitHubError::Decode { .. }), "{error:?}");
}

#[tokio::test]
async fn a_stored_etag_makes_the_request_conditional() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/shop/pulls/7/files"))
        .and(header("if-none-match", "\"abc\""))
        .respond_with(ResponseTemplate::new(304))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/shop/pulls/7/files"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("etag", "\"abc\"")
                .set_body_json(json!([])),
        )
        .expect(1)
        .mount(&server)
        .await;
    let github = client(&server);
    let first = github
        .get("files", "/repos/acme/shop/pulls/7/files", None)
        .await
        .unwrap();
    assert_eq!(first.etag.as_deref(), Some("\"abc\""));
    assert!(!first.not_modified());
    let second = github
        .get(
            "files",
            "/repos/acme/shop/pulls/7/files",
            first.etag.as_deref(),
        )
        .await
        .unwrap();
    assert!(second.not_modified());
    assert!(second.body.is_empty());
}

#[tokio::test]
async fn unauthorized_names_the_token_source_and_never_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "message": format!("Bad credentials for {SECRET}"),
            "documentation_url": "https://docs.github.com/rest"
        })))
        .mount(&server)
        .await;
    let error = client(&server)
        .get("the signed-in user", "/user", None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, GitHubError::Unauthorized { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("GH_TOKEN"), "{message}");
    assert!(message.contains("[redacted]"), "{message}");
    assert_no_secret(&error);
    assert!(!error.is_transient());
}

#[tokio::test]
async fn rate_limits_carry_the_reset_time_and_are_transient() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/primary"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", "1795000000")
                .set_body_json(error_body("API rate limit exceeded for user ID 1.")),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/secondary"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "60")
                .set_body_json(error_body("You have exceeded a secondary rate limit.")),
        )
        .mount(&server)
        .await;
    let github = client(&server);
    let primary = github.get("a page", "/primary", None).await.unwrap_err();
    assert!(primary.is_transient());
    assert!(
        primary.to_string().contains("2026-11-18T11:06:40Z"),
        "the reset time is named: {primary}"
    );
    let secondary = github.get("a page", "/secondary", None).await.unwrap_err();
    assert!(
        secondary.to_string().contains("retry after 60 s"),
        "{secondary}"
    );
}

#[tokio::test]
async fn a_429_with_retry_after_waits_retry_after_while_the_hourly_limit_is_not_spent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/shop/pulls/7/reviews"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "30")
                .insert_header("x-ratelimit-remaining", "4000")
                .insert_header("x-ratelimit-reset", "1795000000")
                .set_body_json(error_body("You have exceeded a secondary rate limit.")),
        )
        .mount(&server)
        .await;
    let error = client(&server)
        .post_json::<Value>("a review", "/repos/acme/shop/pulls/7/reviews", &json!({}))
        .await
        .unwrap_err();
    assert_eq!(
        error,
        GitHubError::RateLimited {
            reset: None,
            retry_after_secs: Some(30),
        },
        "the hour's reset does not count while requests are left"
    );
}

#[tokio::test]
async fn a_graphql_rate_limit_at_http_200_carries_the_reset_from_the_headers() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-ratelimit-limit", "5000")
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", "1795000000")
                .set_body_json(json!({
                    "errors": [{
                        "type": "RATE_LIMITED",
                        "message": "API rate limit exceeded for user ID 1."
                    }]
                })),
        )
        .mount(&server)
        .await;
    let error = client(&server)
        .graphql::<Value>("the open PRs", "query { viewer { login } }", json!({}))
        .await
        .unwrap_err();
    assert!(error.is_transient());
    assert!(
        error.to_string().contains("2026-11-18T11:06:40Z"),
        "the reset time is named: {error}"
    );
    assert!(
        matches!(error, GitHubError::RateLimited { reset: Some(reset), .. } if reset.unix_secs() == 1_795_000_000),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_410_gone_is_permanent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/shop/issues/7/labels"))
        .respond_with(
            ResponseTemplate::new(410)
                .set_body_json(error_body("Issues are disabled for this repo")),
        )
        .mount(&server)
        .await;
    let error = client(&server)
        .post_json::<Value>("the label", "/repos/acme/shop/issues/7/labels", &json!({}))
        .await
        .unwrap_err();
    assert!(
        matches!(error, GitHubError::Server { status: 410, .. }),
        "{error:?}"
    );
    assert!(
        !error.is_transient(),
        "retrying a 410 fails the same way for ever"
    );
    assert!(error.to_string().contains("Issues are disabled"), "{error}");
}

#[tokio::test]
async fn forbidden_not_found_and_unprocessable_say_what_to_do() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/secret"))
        .respond_with(ResponseTemplate::new(404).set_body_json(error_body("Not Found")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/sso"))
        .respond_with(ResponseTemplate::new(403).set_body_json(error_body(
            "Resource protected by organization SAML enforcement.",
        )))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/shop/pulls/1/reviews"))
        .and(body_partial_json(json!({"event": "APPROVE"})))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "message": "Unprocessable Entity",
            "errors": ["Can not approve your own pull request"],
            "documentation_url": "https://docs.github.com/rest/pulls/reviews"
        })))
        .mount(&server)
        .await;
    let github = client(&server);
    let missing = github
        .get("repository acme/secret", "/repos/acme/secret", None)
        .await
        .unwrap_err();
    assert!(
        missing
            .to_string()
            .contains("acme/secret was not found (404)")
    );
    let sso = github
        .get("repository acme/sso", "/repos/acme/sso", None)
        .await
        .unwrap_err();
    assert!(matches!(sso, GitHubError::Forbidden { .. }), "{sso:?}");
    assert!(sso.to_string().contains("SAML"), "{sso}");
    let own = github
        .post_json::<Value>(
            "the review of acme/shop#1",
            "/repos/acme/shop/pulls/1/reviews",
            &json!({"event": "APPROVE"}),
        )
        .await
        .unwrap_err();
    assert!(
        own.to_string()
            .contains("Can not approve your own pull request"),
        "{own}"
    );
    for error in [&missing, &sso, &own] {
        assert!(!error.is_transient(), "{error:?}");
    }
}

#[tokio::test]
async fn server_errors_and_timeouts_are_transient() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/broken"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>Bad gateway</html>"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/slow"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let github = client(&server).with_timeout(Duration::from_millis(300));
    let broken = github.get("a page", "/broken", None).await.unwrap_err();
    assert!(matches!(broken, GitHubError::Server { status: 502, .. }));
    assert!(broken.is_transient());
    let slow = github.get("a slow page", "/slow", None).await.unwrap_err();
    assert!(matches!(slow, GitHubError::Timeout { .. }), "{slow:?}");
    assert!(slow.is_transient());
}

#[tokio::test]
async fn a_refused_connection_is_a_network_error() {
    // A port nobody listens on: bound, then released (the mock server pool would reuse its own).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let github = GitHub::new(&address, Token::new(SECRET, TokenSource::GhCli)).unwrap();
    let error = github.get("a page", "/user", None).await.unwrap_err();
    assert!(matches!(error, GitHubError::Network { .. }), "{error:?}");
    assert!(error.is_transient());
    assert_no_secret(&error);
}

#[tokio::test]
async fn graphql_returns_data_and_maps_errors() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .and(body_partial_json(json!({"variables": {"owner": "acme"}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": {"repository": {"nameWithOwner": "acme/shop"}}
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .and(body_partial_json(json!({"variables": {"owner": "ghost"}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": {"repository": null},
            "errors": [{
                "type": "NOT_FOUND",
                "path": ["repository"],
                "locations": [{"line": 1, "column": 36}],
                "message": "Could not resolve to a Repository with the name 'ghost/shop'."
            }]
        })))
        .mount(&server)
        .await;
    let github = client(&server);
    let query =
        "query($owner: String!) { repository(owner: $owner, name: \"shop\") { nameWithOwner } }";
    let data: Value = github
        .graphql("the repository", query, json!({"owner": "acme"}))
        .await
        .unwrap();
    assert_eq!(data["repository"]["nameWithOwner"], "acme/shop");
    let error = github
        .graphql::<Value>("repository ghost/shop", query, json!({"owner": "ghost"}))
        .await
        .unwrap_err();
    assert!(matches!(error, GitHubError::NotFound { .. }), "{error:?}");
}

#[tokio::test]
async fn enterprise_server_urls_use_api_v3_and_api_graphql() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v3/repos/acme/shop"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"full_name": "acme/shop"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/graphql"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": {"viewer": {"login": "octocat"}}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let api = format!("{}/api/v3", server.uri());
    let github = GitHub::new(&api, Token::new(SECRET, TokenSource::GhEnterpriseTokenEnv)).unwrap();
    let repo: Value = github
        .get_json("repository acme/shop", "/repos/acme/shop")
        .await
        .unwrap();
    assert_eq!(repo["full_name"], "acme/shop");
    let viewer: Value = github
        .graphql("the viewer", "{ viewer { login } }", json!({}))
        .await
        .unwrap();
    assert_eq!(viewer["viewer"]["login"], "octocat");
}
