//! Config of the `gitlab` receiver: `webhook:` (GitLab pushes Pipeline and Job Hooks) and
//! `api:` (ciotel polls the REST API), and `collection_interval` / `metrics:` (the metrics made
//! from its events, `ciotel_cicd::signals`). Keys follow the Collector's gitlabreceiver where they
//! overlap. Everything is checked while the YAML is parsed, so a mistake is reported with its
//! line, and a webhook never starts without a secret token unless the config says
//! `insecure: true` on a loopback endpoint.

use super::api_config::{ApiConfig, ApiConfigError, api_section};
use ciotel_cicd::environments::{EnvironmentsConfig, environments_section};
use ciotel_cicd::live::LiveConfig;
use ciotel_cicd::signals::config::{collection_interval, default_collection_interval};
use ciotel_cicd::signals::{MetricsConfig, SignalsConfig, SignalsConfigError};
use ciotel_core::config::component_map::or_default;
use ciotel_core::webhook::{RawWebhookConfig, WebhookConfig, WebhookConfigError, WebhookPlatform};
use serde::{Deserialize, Deserializer, de};
use std::time::Duration;

/// What GitLab brings to the shared `webhook:` checks: its default paths (`/health/gitlab`, so
/// it does not clash with the `github` receiver's `/health` on a shared endpoint), the headers
/// it sets itself (which `required_headers` may not name) and its token header.
const GITLAB: WebhookPlatform = WebhookPlatform {
    default_path: "/events/gitlab",
    default_health_path: "/health/gitlab",
    own_headers: &[
        "X-Gitlab-Token",
        "X-Gitlab-Event",
        "X-Gitlab-Event-UUID",
        "X-Gitlab-Webhook-UUID",
        "X-Gitlab-Instance",
        "Idempotency-Key",
    ],
    own_headers_refusal: "GitLab's own headers (X-Gitlab-Token, X-Gitlab-Event, \
                          X-Gitlab-Event-UUID, X-Gitlab-Webhook-UUID, X-Gitlab-Instance, \
                          Idempotency-Key) cannot be required; set `secret` for the token",
    no_secret_hint: "Set it to the webhook's secret token in GitLab (e.g. `secret: \
                     ${env:GITLAB_WEBHOOK_TOKEN}`) so deliveries are checked, or write \
                     `insecure: true` to accept deliveries without a token on a loopback \
                     endpoint",
    secret_header: Some("X-Gitlab-Token"),
};

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
    /// The live board of queued and running work, and when a job is hung (`live:`).
    pub live: LiveConfig,
    /// The promotion order and the production environments (`environments:`), for
    /// `ciotel can-i-deploy` and the DORA metrics.
    pub environments: EnvironmentsConfig,
    /// `collection_interval` and `metrics:`: the metrics made from the receiver's events.
    pub signals: SignalsConfig,
}

/// The receiver's keys as written, before the cross-section check.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Sections {
    #[serde(default, deserialize_with = "webhook_section")]
    webhook: Option<WebhookConfig>,
    #[serde(default, deserialize_with = "api_section")]
    api: Option<ApiConfig>,
    #[serde(default)]
    live: LiveConfig,
    #[serde(default, deserialize_with = "environments_section")]
    environments: EnvironmentsConfig,
    #[serde(
        default = "default_collection_interval",
        deserialize_with = "collection_interval"
    )]
    collection_interval: Duration,
    #[serde(default)]
    metrics: MetricsConfig,
}

impl TryFrom<Option<Sections>> for GitlabReceiverConfig {
    type Error = ConfigError;

    fn try_from(sections: Option<Sections>) -> Result<Self, ConfigError> {
        match sections {
            Some(s) if s.webhook.is_some() || s.api.is_some() => Ok(GitlabReceiverConfig {
                signals: SignalsConfig::new(s.collection_interval, s.metrics)?,
                webhook: s.webhook,
                api: s.api,
                live: s.live,
                environments: s.environments,
            }),
            _ => Err(ConfigError::NothingToReceive),
        }
    }
}

/// `webhook:` present with nothing under it means its defaults, which are then checked (and
/// fail for want of a secret, with a message saying so).
fn webhook_section<'de, D: Deserializer<'de>>(d: D) -> Result<Option<WebhookConfig>, D::Error> {
    let raw: RawWebhookConfig = or_default(d)?;
    raw.check(&GITLAB)
        .map(Some)
        .map_err(|e| de::Error::custom(ConfigError::Webhook(e)))
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
    /// A problem in `webhook:`.
    #[error("webhook: {0}")]
    Webhook(#[from] WebhookConfigError),
    /// A problem in `api:`.
    #[error("api: {0}")]
    Api(#[from] ApiConfigError),
    /// A problem in `collection_interval` or `metrics:`.
    #[error("{0}")]
    Signals(#[from] SignalsConfigError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use ciotel_core::webhook::Secret;
    use std::collections::BTreeMap;

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
    fn environments_are_read_and_checked() {
        let c = parse("webhook:\n  secret: x\n").unwrap();
        assert_eq!(c.environments, EnvironmentsConfig::default());
        let yaml = "webhook:\n  secret: x\nenvironments:\n  promotion: [review, live]\n";
        let c = parse(yaml).unwrap();
        assert_eq!(c.environments.required_before("live"), ["review"]);
        let e = parse("webhook:\n  secret: x\nenvironments:\n  tiers: [a]\n").unwrap_err();
        assert!(
            e.contains("unknown field `tiers`") && e.contains("line 4"),
            "{e}"
        );
    }

    #[test]
    fn paths_and_headers_are_checked() {
        for (yaml, needle) in [
            ("health_path: /events/gitlab", "both `/events/gitlab`"),
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
}
