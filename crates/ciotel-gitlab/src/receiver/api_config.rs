//! Config of the `gitlab` receiver's `api:` section: which projects the REST API poller
//! watches, how it authenticates, how often it polls and where it keeps its cursor. Only the
//! config lives here; the poller is `crate::poller`.

use super::config::ConfigError;
use crate::poller::TokenAuth;
use ciotel_core::config::component_map::or_default;
use ciotel_core::config::values::duration;
use ciotel_core::poll;
use ciotel_core::webhook::Secret;
use serde::{Deserialize, Deserializer, de};
use std::path::PathBuf;
use std::time::Duration;

/// `api:`: poll GitLab's REST API (`{base_url}/api/v4`) for pipelines and their jobs.
///
/// Exists so the poller gets a checked config: a token, at least one project or group, a
/// usable base URL and a non-zero interval.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "RawApiConfig")]
pub struct ApiConfig {
    /// The GitLab instance (default `https://gitlab.com`; self-managed: `https://HOST`, or
    /// `https://HOST/PREFIX` under a relative URL root), without a trailing `/` and without
    /// `/api/v4`.
    pub base_url: String,
    /// A personal, project or group access token with `read_api` (or an OAuth token).
    pub token: Secret,
    /// How the token is sent (default `private_token`).
    pub auth: TokenAuth,
    /// Projects to poll, as `group/project` paths (subgroups allowed) or numeric ids.
    pub projects: Vec<String>,
    /// Groups whose projects (subgroups included) are all polled.
    pub groups: Vec<String>,
    /// Time between polls (default 60 s).
    pub interval: Duration,
    /// How far back to backfill on first start, when no cursor exists (default 24 h).
    pub lookback: Duration,
    /// Where the cursor is kept across restarts (default `./ciotel-data/gitlab`).
    pub state_dir: PathBuf,
    /// Job logs: runner phases from their section markers, failed jobs' tails for verdicts.
    pub logs: poll::JobLogsConfig,
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
    auth: TokenAuth,
    #[serde(default)]
    projects: Vec<String>,
    #[serde(default)]
    groups: Vec<String>,
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
            auth: TokenAuth::default(),
            projects: Vec::new(),
            groups: Vec::new(),
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
        let token = match raw.token {
            None => return Err(ApiConfigError::NoToken.into()),
            Some(t) if t.is_empty() => return Err(ApiConfigError::EmptyToken.into()),
            Some(t) if t.is_placeholder() => return Err(ApiConfigError::PlaceholderToken.into()),
            Some(t) => t,
        };
        if raw.projects.is_empty() && raw.groups.is_empty() {
            return Err(ApiConfigError::NothingToPoll.into());
        }
        if let Some(bad) = raw.projects.iter().find(|p| !is_project(p)) {
            return Err(ApiConfigError::BadProject(bad.clone()).into());
        }
        if let Some(bad) = raw.groups.iter().find(|g| !is_path(g)) {
            return Err(ApiConfigError::BadGroup(bad.clone()).into());
        }
        let base_url = raw.base_url.trim_end_matches('/').to_string();
        if !poll::is_http_url(&base_url) {
            return Err(ApiConfigError::BadBaseUrl(raw.base_url).into());
        }
        if base_url.ends_with("/api/v4") {
            return Err(ApiConfigError::ApiSuffix(raw.base_url).into());
        }
        if raw.interval.is_zero() {
            return Err(ApiConfigError::ZeroInterval.into());
        }
        Ok(ApiConfig {
            base_url,
            token,
            auth: raw.auth,
            projects: raw.projects,
            groups: raw.groups,
            interval: raw.interval,
            lookback: raw.lookback,
            state_dir: raw.state_dir,
            logs: raw.logs,
        })
    }
}

/// `api:` present with nothing under it means its defaults, which are then checked (and fail
/// for want of a token, with a message saying so).
pub(super) fn api_section<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ApiConfig>, D::Error> {
    let raw: RawApiConfig = or_default(d)?;
    ApiConfig::try_from(raw)
        .map(Some)
        .map_err(de::Error::custom)
}

/// A numeric id, or a path with at least a namespace and a name.
fn is_project(text: &str) -> bool {
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
        || (text.contains('/') && is_path(text))
}

/// `a/b/c`: non-empty segments, no spaces.
fn is_path(text: &str) -> bool {
    !text.is_empty()
        && text
            .split('/')
            .all(|s| !s.is_empty() && !s.chars().any(char::is_whitespace))
}

fn default_base_url() -> String {
    "https://gitlab.com".into()
}
fn default_state_dir() -> PathBuf {
    PathBuf::from("./ciotel-data/gitlab")
}

/// What is wrong with an `api:` section.
///
/// Exists so each mistake has one message that says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiConfigError {
    /// No `token`.
    #[error("no `token`: set it to an access token with read_api (e.g. `${{env:GITLAB_TOKEN}}`)")]
    NoToken,
    /// `token: ""`.
    #[error("`token` is empty (is the environment variable it comes from set?)")]
    EmptyToken,
    /// `token: set-me` and the like, left in from an example.
    #[error("`token` is a placeholder (such as `set-me`); set a real access token")]
    PlaceholderToken,
    /// Neither `projects` nor `groups`.
    #[error("nothing to poll: set `projects: [group/project, …]`, `groups: [group, …]`, or both")]
    NothingToPoll,
    /// A project that is neither a path nor an id.
    #[error("project `{0}` is neither a `group/project` path nor a numeric id")]
    BadProject(String),
    /// A group that is not a path.
    #[error("group `{0}` is not a group path (`group` or `group/subgroup`)")]
    BadGroup(String),
    /// A base URL that is not http(s), or carries credentials.
    #[error(
        "base_url `{0}` must start with https:// and hold no `user:password@` (the token goes \
         in `token`) (e.g. https://gitlab.com, or https://HOST for \
         a self-managed instance)"
    )]
    BadBaseUrl(String),
    /// A base URL that already names the API.
    #[error("base_url `{0}` should be the instance's URL without `/api/v4`; ciotel adds it")]
    ApiSuffix(String),
    /// `interval: 0s`.
    #[error("`interval` must be more than 0s")]
    ZeroInterval,
}

#[cfg(test)]
mod tests {
    use crate::poller::TokenAuth;
    use crate::receiver::GitlabReceiverConfig;

    fn parse(yaml: &str) -> Result<GitlabReceiverConfig, String> {
        yaml_serde::from_str(yaml).map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_and_a_full_section() {
        let api = parse("api:\n  token: t\n  projects: [group/project]\n")
            .unwrap()
            .api
            .unwrap();
        assert_eq!(api.base_url, "https://gitlab.com");
        assert_eq!(api.interval.as_secs(), 60);
        assert_eq!(api.lookback.as_secs(), 24 * 3600);
        assert_eq!(api.state_dir.to_str(), Some("./ciotel-data/gitlab"));
        assert_eq!(api.token.expose(), "t");
        assert_eq!(api.auth, TokenAuth::PrivateToken);

        let yaml = "\
api:
  base_url: https://gitlab.example/
  token: glpat-x
  auth: bearer
  projects: [a/b/c, \"42\"]
  groups: [platform, platform/tools]
  interval: 5m
  lookback: 1h
  state_dir: /var/lib/ciotel/gitlab
";
        let api = parse(yaml).unwrap().api.unwrap();
        assert_eq!(api.base_url, "https://gitlab.example");
        assert_eq!(api.projects, ["a/b/c", "42"]);
        assert_eq!(api.groups, ["platform", "platform/tools"]);
        assert_eq!(api.interval.as_secs(), 300);
        assert_eq!(api.auth, TokenAuth::Bearer);
        assert!(
            !format!("{api:?}").contains("glpat-x"),
            "the token never prints"
        );
    }

    #[test]
    fn mistakes_are_named() {
        for (yaml, needle) in [
            ("api:\n", "no `token`"),
            ("api:\n  projects: [a/b]\n", "no `token`"),
            (
                "api:\n  token: set-me\n  groups: [g]\n",
                "`token` is a placeholder",
            ),
            ("api:\n  token: \"\"\n  groups: [g]\n", "`token` is empty"),
            ("api:\n  token: t\n", "nothing to poll"),
            (
                "api:\n  token: t\n  projects: [justname]\n",
                "`justname` is neither",
            ),
            ("api:\n  token: t\n  projects: [\"a//b\"]\n", "is neither"),
            (
                "api:\n  token: t\n  groups: [\"a b\"]\n",
                "not a group path",
            ),
            (
                "api:\n  token: t\n  groups: [g]\n  base_url: gitlab.com\n",
                "https://",
            ),
            (
                "api:\n  token: t\n  groups: [g]\n  base_url: https://gitlab.com/api/v4\n",
                "without `/api/v4`",
            ),
            (
                "api:\n  token: t\n  groups: [g]\n  interval: 0s\n",
                "more than 0s",
            ),
            (
                "api:\n  token: t\n  groups: [g]\n  owner: o\n",
                "unknown field `owner`",
            ),
            (
                "api:\n  token: t\n  groups: [g]\n  auth: basic\n",
                "unknown variant `basic`, expected `private_token` or `bearer`",
            ),
        ] {
            let e = parse(yaml).unwrap_err();
            assert!(e.contains(needle), "{yaml}: {e}");
        }
    }
}
