//! Config of the `github` receiver's `api:` section: which repositories the REST API poller
//! watches, how it authenticates, how often it polls and where it keeps its cursor. Only the
//! config lives here; the poller that uses it lives in its own module.

use super::config::ConfigError;
use ciotel_core::config::component_map::or_default;
use ciotel_core::config::values::duration;
use ciotel_core::poll;
use ciotel_core::webhook::Secret;
use serde::{Deserialize, Deserializer, de};
use std::path::PathBuf;
use std::time::Duration;

/// `api:`: poll GitHub's REST API for completed runs and their jobs.
///
/// Exists so the poller gets a checked config: exactly one way to authenticate, exactly one
/// way to choose repositories, a usable base URL and a non-zero interval.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "RawApiConfig")]
pub struct ApiConfig {
    /// API root (default `https://api.github.com`; GitHub Enterprise Server:
    /// `https://HOST/api/v3`), without a trailing `/`.
    pub base_url: String,
    /// A personal access or fine-grained token. Exactly one of `token` and `app` is set.
    pub token: Option<Secret>,
    /// A GitHub App installation. Exactly one of `token` and `app` is set.
    pub app: Option<GithubAppConfig>,
    /// `owner/repo` names to poll. Exactly one of `repositories` and `owner` is set.
    pub repositories: Vec<String>,
    /// An organisation or user: every repository of it the credentials can see.
    pub owner: Option<String>,
    /// Time between polls (default 60 s).
    pub interval: Duration,
    /// How far back to backfill on first start, when no cursor exists (default 24 h).
    pub lookback: Duration,
    /// Where the cursor is kept across restarts (default `./ciotel-data/github`).
    pub state_dir: PathBuf,
    /// Failed jobs' logs, read for verdicts.
    pub logs: poll::JobLogsConfig,
}

/// `api.app`: authenticate as a GitHub App installation (JWT → installation token).
///
/// Exists as the alternative to a long-lived token, for organisations that forbid them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GithubAppConfig {
    /// The App's id.
    pub app_id: u64,
    /// The installation's id in the organisation or account.
    pub installation_id: u64,
    /// PEM file of the App's private key.
    pub private_key_file: PathBuf,
}

/// `api:` as written, with defaults filled in, before it is checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApiConfig {
    #[serde(default = "default_base_url")]
    base_url: String,
    #[serde(default)]
    token: Option<Secret>,
    #[serde(default)]
    app: Option<GithubAppConfig>,
    #[serde(default)]
    repositories: Vec<String>,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default = "poll::default_interval", deserialize_with = "duration")]
    interval: Duration,
    #[serde(default = "poll::default_lookback", deserialize_with = "duration")]
    lookback: Duration,
    #[serde(default = "default_state_dir")]
    state_dir: PathBuf,
    #[serde(default)]
    logs: poll::JobLogsConfig,
}

impl Default for RawApiConfig {
    fn default() -> Self {
        RawApiConfig {
            base_url: default_base_url(),
            token: None,
            app: None,
            repositories: Vec::new(),
            owner: None,
            interval: poll::default_interval(),
            lookback: poll::default_lookback(),
            state_dir: default_state_dir(),
            logs: poll::JobLogsConfig::default(),
        }
    }
}

impl TryFrom<RawApiConfig> for ApiConfig {
    type Error = ConfigError;

    fn try_from(raw: RawApiConfig) -> Result<Self, ConfigError> {
        match (&raw.token, &raw.app) {
            (None, None) => return Err(ApiConfigError::NoCredentials.into()),
            (Some(_), Some(_)) => return Err(ApiConfigError::TwoCredentials.into()),
            (Some(t), None) if t.is_empty() => return Err(ApiConfigError::EmptyToken.into()),
            (Some(t), None) if t.is_placeholder() => {
                return Err(ApiConfigError::PlaceholderToken.into());
            }
            _ => {}
        }
        match (raw.repositories.is_empty(), &raw.owner) {
            (true, None) => return Err(ApiConfigError::NoRepositories.into()),
            (false, Some(_)) => return Err(ApiConfigError::RepositoriesAndOwner.into()),
            (true, Some(owner)) if owner.is_empty() || owner.contains('/') => {
                return Err(ApiConfigError::BadOwner(owner.clone()).into());
            }
            _ => {}
        }
        if let Some(bad) = raw.repositories.iter().find(|r| !is_full_name(r)) {
            return Err(ApiConfigError::BadRepository(bad.clone()).into());
        }
        if !poll::is_http_url(&raw.base_url) {
            return Err(ApiConfigError::BadBaseUrl(raw.base_url).into());
        }
        if raw.interval.is_zero() {
            return Err(ApiConfigError::ZeroInterval.into());
        }
        Ok(ApiConfig {
            base_url: raw.base_url.trim_end_matches('/').to_string(),
            token: raw.token,
            app: raw.app,
            repositories: raw.repositories,
            owner: raw.owner,
            interval: raw.interval,
            lookback: raw.lookback,
            state_dir: raw.state_dir,
            logs: raw.logs,
        })
    }
}

/// `api:` present with nothing under it means its defaults, which are then checked (and fail
/// for want of credentials, with a message saying so).
pub(super) fn api_section<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ApiConfig>, D::Error> {
    let raw: RawApiConfig = or_default(d)?;
    ApiConfig::try_from(raw)
        .map(Some)
        .map_err(de::Error::custom)
}

/// `owner/name`, each part non-empty.
fn is_full_name(text: &str) -> bool {
    match text.split_once('/') {
        Some((owner, name)) => !owner.is_empty() && !name.is_empty() && !name.contains('/'),
        None => false,
    }
}

fn default_base_url() -> String {
    "https://api.github.com".into()
}
fn default_state_dir() -> PathBuf {
    PathBuf::from("./ciotel-data/github")
}

/// What is wrong with an `api:` section.
///
/// Exists so each mistake has one message that says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiConfigError {
    /// Neither `token` nor `app`.
    #[error(
        "no credentials: set `token:` (e.g. `${{env:GITHUB_TOKEN}}`) or `app: {{app_id, \
         installation_id, private_key_file}}`"
    )]
    NoCredentials,
    /// Both `token` and `app`.
    #[error("set `token:` or `app:`, not both")]
    TwoCredentials,
    /// `token: ""`.
    #[error("`token` is empty (is the environment variable it comes from set?)")]
    EmptyToken,
    /// `token: set-me` and the like, left in from an example.
    #[error("`token` is a placeholder (such as `set-me`); set a real access token")]
    PlaceholderToken,
    /// Neither `repositories` nor `owner`.
    #[error(
        "nothing to poll: set `repositories: [owner/repo, …]` or `owner: ORG` (every repository \
         the credentials can see)"
    )]
    NoRepositories,
    /// Both `repositories` and `owner`.
    #[error("set `repositories:` or `owner:`, not both")]
    RepositoriesAndOwner,
    /// A repository not written `owner/name`.
    #[error("repository `{0}` is not written `owner/name`")]
    BadRepository(String),
    /// An owner that is empty or has a `/`.
    #[error("owner `{0}` should be an organisation or user name, without `/`")]
    BadOwner(String),
    /// A base URL that is not http(s), or carries credentials.
    #[error(
        "base_url `{0}` must start with https:// and hold no `user:password@` (the token goes \
         in `token`) (e.g. https://api.github.com, or \
         https://HOST/api/v3 for GitHub Enterprise Server)"
    )]
    BadBaseUrl(String),
    /// `interval: 0s`.
    #[error("`interval` must be more than 0s")]
    ZeroInterval,
}

#[cfg(test)]
mod tests {
    use crate::receiver::GithubReceiverConfig;

    fn parse(yaml: &str) -> Result<GithubReceiverConfig, String> {
        yaml_serde::from_str(yaml).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_the_issues_example_with_defaults() {
        let c = parse("api:\n  token: t\n  repositories: [octo/hello]\n").unwrap();
        let api = c.api.unwrap();
        assert_eq!(api.base_url, "https://api.github.com");
        assert_eq!(api.interval.as_secs(), 60);
        assert_eq!(api.lookback.as_secs(), 24 * 3600);
        assert_eq!(api.state_dir.to_str(), Some("./ciotel-data/github"));
        assert_eq!(api.repositories, ["octo/hello"]);
        assert!(c.webhook.is_none());

        let yaml = "\
api:
  base_url: https://ghe.example/api/v3/
  app: {app_id: 1, installation_id: 2, private_key_file: /k.pem}
  owner: octo
  interval: 5m
  lookback: 1h
  state_dir: /var/lib/ciotel/github
";
        let api = parse(yaml).unwrap().api.unwrap();
        assert_eq!(api.base_url, "https://ghe.example/api/v3");
        assert_eq!(
            api.app.as_ref().map(|a| (a.app_id, a.installation_id)),
            Some((1, 2))
        );
        assert_eq!(api.owner.as_deref(), Some("octo"));
        assert_eq!(api.interval.as_secs(), 300);
    }

    #[test]
    fn mistakes_are_named() {
        for (yaml, needle) in [
            ("api:\n", "no credentials"),
            ("api:\n  repositories: [a/b]\n", "no credentials"),
            (
                "api:\n  token: t\n  owner: o\n  app:\n    \
                 {app_id: 1, installation_id: 2, private_key_file: k}\n",
                "not both",
            ),
            (
                "api:\n  token: set-me\n  owner: o\n",
                "`token` is a placeholder",
            ),
            ("api:\n  token: \"\"\n  owner: o\n", "`token` is empty"),
            ("api:\n  token: t\n", "nothing to poll"),
            (
                "api:\n  token: t\n  owner: o\n  repositories: [a/b]\n",
                "not both",
            ),
            (
                "api:\n  token: t\n  repositories: [justname]\n",
                "`justname` is not written",
            ),
            (
                "api:\n  token: t\n  owner: o\n  base_url: api.github.com\n",
                "must start with https://",
            ),
            (
                "api:\n  token: t\n  owner: o\n  interval: 0s\n",
                "more than 0s",
            ),
            (
                "api:\n  token: t\n  owner: o\n  interval: 60\n",
                "invalid duration",
            ),
            (
                "api:\n  token: t\n  owner: o\n  polling: yes\n",
                "unknown field `polling`",
            ),
        ] {
            let e = parse(yaml).unwrap_err();
            assert!(e.contains(needle), "{yaml}: {e}");
        }
    }
}
