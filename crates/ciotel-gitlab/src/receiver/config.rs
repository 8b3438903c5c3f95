//! Config of the `gitlab` receiver: `webhook:` (GitLab pushes Pipeline and Job Hooks) and
//! `api:` (ciotel polls the REST API). Keys follow the Collector's gitlabreceiver where they
//! overlap. Everything is checked while the YAML is parsed, so a mistake is reported with its
//! line, and a webhook never starts without a secret token unless the config says
//! `insecure: true` on a loopback endpoint.

use super::api_config::{ApiConfig, ApiConfigError, api_section};
use axum::http::{HeaderName, HeaderValue};
use ciotel_core::config::component_map::or_default;
use ciotel_core::config::values::ListenAddress;
use ciotel_core::webhook::Secret;
use serde::{Deserialize, Deserializer, de};
use std::collections::BTreeMap;

/// Headers GitLab sets itself; `required_headers` may not name them, since their values change
/// per delivery or are checked on their own.
const GITLAB_HEADERS: [&str; 6] = [
    "X-Gitlab-Token",
    "X-Gitlab-Event",
    "X-Gitlab-Event-UUID",
    "X-Gitlab-Webhook-UUID",
    "X-Gitlab-Instance",
    "Idempotency-Key",
];

/// The `gitlab` receiver's config.
///
/// Exists as the one type the binary parses for `receivers: gitlab[/name]:`. A bare `gitlab:`
/// is an error that says what to configure. Unknown keys are errors. There is no id recipe to
/// choose: GitLab's ids always derive from pipeline and job ids ([`crate::ids`]).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "Option<Sections>")]
pub struct GitlabReceiverConfig {
    /// The webhook endpoint, when GitLab pushes deliveries to ciotel.
    pub webhook: Option<WebhookConfig>,
    /// The REST API poller, when ciotel pulls pipelines from GitLab.
    pub api: Option<ApiConfig>,
}

/// The receiver's keys as written, before the cross-section check.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Sections {
    #[serde(default, deserialize_with = "webhook_section")]
    webhook: Option<WebhookConfig>,
    #[serde(default, deserialize_with = "api_section")]
    api: Option<ApiConfig>,
}

impl TryFrom<Option<Sections>> for GitlabReceiverConfig {
    type Error = ConfigError;

    fn try_from(sections: Option<Sections>) -> Result<Self, ConfigError> {
        match sections {
            Some(s) if s.webhook.is_some() || s.api.is_some() => Ok(GitlabReceiverConfig {
                webhook: s.webhook,
                api: s.api,
            }),
            _ => Err(ConfigError::NothingToReceive),
        }
    }
}

/// `webhook:` present with nothing under it means its defaults, which are then checked (and
/// fail for want of a secret, with a message saying so).
fn webhook_section<'de, D: Deserializer<'de>>(d: D) -> Result<Option<WebhookConfig>, D::Error> {
    let raw: RawWebhookConfig = or_default(d)?;
    WebhookConfig::try_from(raw)
        .map(Some)
        .map_err(de::Error::custom)
}

/// `webhook:`: where GitLab delivers Pipeline Hook and Job Hook events.
///
/// Exists so the webhook router gets a config that was checked once: it has a secret token, or
/// says `insecure: true` on a loopback endpoint; its paths are valid routes; its required
/// headers are valid header names and values.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "RawWebhookConfig")]
pub struct WebhookConfig {
    /// Where to listen (default 127.0.0.1:8080). Webhook receivers with the same endpoint
    /// share one listener, each serving its own paths.
    pub endpoint: ListenAddress,
    /// Path GitLab POSTs deliveries to (default `/events/gitlab`).
    pub path: String,
    /// Path answering GET with 200 for load balancers (default `/health/gitlab`, so it does
    /// not clash with the `github` receiver's `/health` on a shared endpoint).
    pub health_path: String,
    /// The webhook's secret token, which GitLab sends as `X-Gitlab-Token`.
    pub secret: Option<Secret>,
    /// Headers every delivery must carry with exactly these values (e.g. one set by a WAF or
    /// proxy in front of ciotel). Names are case-insensitive.
    pub required_headers: BTreeMap<String, Secret>,
    /// Accept deliveries without a token when no secret is set; only allowed on a loopback
    /// endpoint.
    pub insecure: bool,
    /// Largest delivery accepted, in bytes (default 25 MiB).
    pub max_request_body_size: usize,
}

/// `webhook:` as written, with defaults filled in, before it is checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWebhookConfig {
    #[serde(default = "default_endpoint")]
    endpoint: ListenAddress,
    #[serde(default = "default_path")]
    path: String,
    #[serde(default = "default_health_path")]
    health_path: String,
    #[serde(default)]
    secret: Option<Secret>,
    #[serde(default, deserialize_with = "or_default")]
    required_headers: BTreeMap<String, Secret>,
    #[serde(default)]
    insecure: bool,
    #[serde(default = "default_body_size")]
    max_request_body_size: usize,
}

impl Default for RawWebhookConfig {
    fn default() -> Self {
        RawWebhookConfig {
            endpoint: default_endpoint(),
            path: default_path(),
            health_path: default_health_path(),
            secret: None,
            required_headers: BTreeMap::new(),
            insecure: false,
            max_request_body_size: default_body_size(),
        }
    }
}

impl TryFrom<RawWebhookConfig> for WebhookConfig {
    type Error = ConfigError;

    fn try_from(raw: RawWebhookConfig) -> Result<Self, ConfigError> {
        if raw.secret.as_ref().is_some_and(Secret::is_empty) {
            return Err(ConfigError::EmptySecret);
        }
        if let Some(secret) = &raw.secret
            && HeaderValue::from_str(secret.expose()).is_err()
        {
            return Err(ConfigError::UnsendableSecret);
        }
        if raw.secret.is_none() {
            if !raw.insecure {
                return Err(ConfigError::NoSecret);
            }
            if !raw.endpoint.is_loopback() {
                return Err(ConfigError::InsecureNotLoopback {
                    endpoint: raw.endpoint.to_string(),
                });
            }
        }
        check_route("path", &raw.path)?;
        check_route("health_path", &raw.health_path)?;
        if raw.path == raw.health_path {
            return Err(ConfigError::SamePaths(raw.path));
        }
        for (name, value) in &raw.required_headers {
            check_required_header(name, value)?;
        }
        if raw.max_request_body_size == 0 {
            return Err(ConfigError::ZeroBodyLimit);
        }
        Ok(WebhookConfig {
            endpoint: raw.endpoint,
            path: raw.path,
            health_path: raw.health_path,
            secret: raw.secret,
            required_headers: raw.required_headers,
            insecure: raw.insecure,
            max_request_body_size: raw.max_request_body_size,
        })
    }
}

/// A path axum can route as written: absolute, no captures or wildcards.
fn check_route(key: &'static str, path: &str) -> Result<(), ConfigError> {
    let bad = |why: &'static str| ConfigError::BadPath {
        key,
        path: path.to_string(),
        why,
    };
    if !path.starts_with('/') {
        return Err(bad("it must start with `/`"));
    }
    if path.contains(['{', '}', '*', '?', '#']) || path.chars().any(char::is_whitespace) {
        return Err(bad(
            "it may not contain `{`, `}`, `*`, `?`, `#` or whitespace",
        ));
    }
    if path.split('/').any(|segment| segment.starts_with(':')) {
        return Err(bad("a segment may not start with `:`"));
    }
    Ok(())
}

fn check_required_header(name: &str, value: &Secret) -> Result<(), ConfigError> {
    let bad = |why: &'static str| ConfigError::BadRequiredHeader {
        name: name.to_string(),
        why,
    };
    if name.is_empty() || value.is_empty() {
        return Err(bad("both the name and the value must be non-empty"));
    }
    if HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(bad("it is not a valid HTTP header name"));
    }
    if HeaderValue::from_str(value.expose()).is_err() {
        return Err(bad("its value is not a valid HTTP header value"));
    }
    if GITLAB_HEADERS.iter().any(|g| g.eq_ignore_ascii_case(name)) {
        return Err(bad(
            "GitLab's own headers (X-Gitlab-Token, X-Gitlab-Event, X-Gitlab-Event-UUID, \
             X-Gitlab-Webhook-UUID, X-Gitlab-Instance, Idempotency-Key) cannot be required; \
             set `secret` for the token",
        ));
    }
    Ok(())
}

fn default_endpoint() -> ListenAddress {
    ListenAddress::parse("127.0.0.1:8080").expect("default endpoint is valid")
}
fn default_path() -> String {
    "/events/gitlab".into()
}
fn default_health_path() -> String {
    "/health/gitlab".into()
}
fn default_body_size() -> usize {
    25 * 1024 * 1024
}

/// What is wrong with a `gitlab` receiver config; the parser reports it with its line.
///
/// Exists so each mistake has one message that says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Neither section is configured.
    #[error(
        "the gitlab receiver receives nothing: configure `webhook:` (GitLab pushes Pipeline and \
         Job Hooks), `api:` (ciotel polls the REST API), or both"
    )]
    NothingToReceive,
    /// No secret and no explicit opt-out.
    #[error(
        "webhook: no `secret` set. Set it to the webhook's secret token in GitLab (e.g. `secret: \
         ${{env:GITLAB_WEBHOOK_TOKEN}}`) so deliveries are checked, or write `insecure: true` to \
         accept deliveries without a token on a loopback endpoint"
    )]
    NoSecret,
    /// `secret: ""`, typically an environment variable defaulted to nothing.
    #[error(
        "webhook: `secret` is empty (is the environment variable it comes from set?); an empty \
         token checks nothing"
    )]
    EmptySecret,
    /// A secret GitLab could never send as a header value.
    #[error(
        "webhook: `secret` contains characters that cannot appear in the X-Gitlab-Token header \
         (e.g. a newline); no delivery could ever match it"
    )]
    UnsendableSecret,
    /// `insecure: true` where anyone on the network could post deliveries.
    #[error(
        "webhook: `insecure: true` without a `secret` is only allowed on a loopback endpoint \
         (127.0.0.1, [::1], localhost), not `{endpoint}`: anyone who can reach it could inject \
         spans. Set `secret`"
    )]
    InsecureNotLoopback {
        /// The configured endpoint.
        endpoint: String,
    },
    /// A path that cannot be routed as written.
    #[error("webhook: `{key}: {path}` is not a usable path: {why}")]
    BadPath {
        /// `path` or `health_path`.
        key: &'static str,
        /// The path as written.
        path: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// `path` and `health_path` are the same.
    #[error("webhook: `path` and `health_path` are both `{0}`; give them different paths")]
    SamePaths(String),
    /// A `required_headers` entry that can never be satisfied or is not allowed.
    #[error("webhook: required header `{name}`: {why}")]
    BadRequiredHeader {
        /// The header name as written.
        name: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// `max_request_body_size: 0`.
    #[error("webhook: `max_request_body_size` must be more than 0 bytes")]
    ZeroBodyLimit,
    /// A problem in `api:`.
    #[error("api: {0}")]
    Api(#[from] ApiConfigError),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> Result<GitlabReceiverConfig, String> {
        yaml_serde::from_str(yaml).map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_match_the_issue() {
        let c = parse("webhook:\n  secret: s3cret\n").unwrap();
        let w = c.webhook.unwrap();
        assert_eq!(w.endpoint.as_str(), "127.0.0.1:8080");
        assert_eq!(w.path, "/events/gitlab");
        assert_eq!(w.health_path, "/health/gitlab");
        assert_eq!(w.max_request_body_size, 25 * 1024 * 1024);
        assert_eq!(w.secret.as_ref().map(Secret::expose), Some("s3cret"));
        assert!(w.required_headers.is_empty() && !w.insecure);
        assert_eq!(c.api, None);
    }

    #[test]
    fn reads_a_full_webhook_section() {
        let yaml = "\
webhook:
  endpoint: 0.0.0.0:9000
  path: /gl
  health_path: /healthz
  secret: abc
  required_headers:
    X-Proxy-Token: tok
  max_request_body_size: 1024
";
        let w = parse(yaml).unwrap().webhook.unwrap();
        assert_eq!(w.endpoint.as_str(), "0.0.0.0:9000");
        assert_eq!(
            (w.path.as_str(), w.health_path.as_str()),
            ("/gl", "/healthz")
        );
        assert_eq!(w.required_headers["X-Proxy-Token"].expose(), "tok");
        assert_eq!(w.max_request_body_size, 1024);
    }

    #[test]
    fn a_webhook_needs_a_secret_or_an_explicit_insecure() {
        let e = parse("webhook:\n  endpoint: 127.0.0.1:8080\n").unwrap_err();
        assert!(
            e.contains("no `secret` set") && e.contains("insecure: true"),
            "{e}"
        );
        let e = parse("webhook:\n").unwrap_err();
        assert!(e.contains("no `secret` set"), "{e}");
        let e = parse("webhook:\n  secret: \"\"\n").unwrap_err();
        assert!(e.contains("`secret` is empty"), "{e}");
        let e = parse("webhook:\n  secret: \"a\\nb\"\n").unwrap_err();
        assert!(e.contains("cannot appear in the X-Gitlab-Token"), "{e}");
        let c = parse("webhook:\n  insecure: true\n").unwrap();
        assert!(c.webhook.unwrap().insecure);
    }

    #[test]
    fn insecure_is_for_loopback_only() {
        let e = parse("webhook:\n  endpoint: 0.0.0.0:8080\n  insecure: true\n").unwrap_err();
        assert!(
            e.contains("only allowed on a loopback endpoint") && e.contains("0.0.0.0:8080"),
            "{e}"
        );
        for ok in ["localhost:8080", "[::1]:8080", "127.0.0.1:0"] {
            parse(&format!(
                "webhook:\n  endpoint: \"{ok}\"\n  insecure: true\n"
            ))
            .unwrap();
        }
        parse("webhook:\n  endpoint: 0.0.0.0:8080\n  insecure: true\n  secret: x\n").unwrap();
    }

    #[test]
    fn errors_carry_the_path_and_line_in_a_whole_file() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct File {
            receivers: BTreeMap<String, GitlabReceiverConfig>,
        }
        let yaml = "receivers:\n  gitlab/ci:\n    webhook:\n      endpoint: 0.0.0.0:8080\n";
        let e = yaml_serde::from_str::<File>(yaml).unwrap_err().to_string();
        assert!(
            e.starts_with("receivers.gitlab/ci: webhook: no `secret` set"),
            "{e}"
        );
        assert!(e.contains("line 3"), "{e}");
    }

    #[test]
    fn nothing_to_receive_and_unknown_keys() {
        for yaml in ["~\n", "{}\n"] {
            let e = parse(yaml).unwrap_err();
            assert!(e.contains("configure `webhook:`"), "{e}");
        }
        let e = parse("webhook:\n  secret: x\n  token: y\n").unwrap_err();
        assert!(
            e.contains("unknown field `token`") && e.contains("line 3"),
            "{e}"
        );
        let e = parse("webhook:\n  secret: x\ntrace_id_recipe: legacy\n").unwrap_err();
        assert!(e.contains("unknown field `trace_id_recipe`"), "{e}");
    }

    #[test]
    fn paths_and_headers_are_checked() {
        for (yaml, needle) in [
            ("path: events", "must start with `/`"),
            ("path: /events/{id}", "may not contain"),
            ("path: /events/:id", "may not start with `:`"),
            ("health_path: /events/gitlab", "both `/events/gitlab`"),
            ("max_request_body_size: 0", "more than 0 bytes"),
            (
                "required_headers: {X-Gitlab-Token: t}",
                "GitLab's own headers",
            ),
            ("required_headers: {idempotency-key: t}", "GitLab's own"),
            ("required_headers: {\"bad name\": t}", "not a valid HTTP"),
            ("required_headers: {X-A: \"\"}", "non-empty"),
        ] {
            let e = parse(&format!("webhook:\n  secret: s\n  {yaml}\n")).unwrap_err();
            assert!(e.contains(needle), "{yaml}: {e}");
        }
    }

    #[test]
    fn secrets_never_print() {
        let c = parse("webhook:\n  secret: hunter2\n  required_headers: {X-A: b0b}\n").unwrap();
        let printed = format!("{c:?}");
        assert!(
            !printed.contains("hunter2") && !printed.contains("b0b"),
            "{printed}"
        );
    }
}
