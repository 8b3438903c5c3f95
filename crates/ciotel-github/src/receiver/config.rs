//! Config of the `github` receiver: `webhook:` (GitHub pushes deliveries), `api:` (ciotel polls
//! the REST API), the span id recipe, and `collection_interval` / `metrics:` (the metrics made
//! from its events, `ciotel_cicd::signals`). Keys follow the Collector's githubreceiver where they
//! overlap. Everything is checked while the YAML is parsed, so a mistake is reported with its
//! line, and a webhook never starts unsigned unless the config says `insecure: true`.

use super::api_config::{ApiConfig, ApiConfigError, api_section};
use ciotel_cicd::IdRecipe;
use ciotel_cicd::environments::{EnvironmentsConfig, environments_section};
use ciotel_cicd::live::LiveConfig;
use ciotel_cicd::signals::config::{collection_interval, default_collection_interval};
use ciotel_cicd::signals::{MetricsConfig, SignalsConfig, SignalsConfigError};
use ciotel_core::config::component_map::or_default;
use ciotel_core::webhook::{RawWebhookConfig, WebhookConfig, WebhookConfigError, WebhookPlatform};
use serde::{Deserialize, Deserializer, de};
use std::time::Duration;

/// What GitHub brings to the shared `webhook:` checks: its default paths, the headers it sets
/// on every delivery (which `required_headers` may not name, as in the Collector) and where
/// its secret comes from.
const GITHUB: WebhookPlatform = WebhookPlatform {
    default_path: "/events/github",
    default_health_path: "/health",
    own_headers: &[
        "X-GitHub-Event",
        "X-GitHub-Delivery",
        "X-GitHub-Hook-ID",
        "X-Hub-Signature-256",
    ],
    own_headers_refusal: "GitHub's own headers (X-GitHub-Event, X-GitHub-Delivery, \
                          X-GitHub-Hook-ID, X-Hub-Signature-256) cannot be required",
    no_secret_hint: "Set it to the webhook's secret in GitHub (e.g. `secret: \
                     ${env:GITHUB_WEBHOOK_SECRET}`) so deliveries are verified, or write \
                     `insecure: true` to accept unsigned deliveries on a loopback endpoint",
    secret_header: None,
};

/// The `github` receiver's config.
///
/// Exists as the one type the binary parses for `receivers: github[/name]:`. Parse it with
/// `GithubReceiverConfig::deserialize` (there is no `Default`, so not `or_default`): a bare
/// `github:` is an error that says what to configure. Unknown keys are errors.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "Option<Sections>")]
pub struct GithubReceiverConfig {
    /// The webhook endpoint, when GitHub pushes deliveries to ciotel.
    pub webhook: Option<WebhookConfig>,
    /// The REST API poller, when ciotel pulls runs from GitHub.
    pub api: Option<ApiConfig>,
    /// `collection_interval` and `metrics:`: the metrics made from the receiver's events.
    pub signals: SignalsConfig,
    /// How job, queue and step span ids are derived (`check_run`, the default, or `legacy`).
    pub trace_id_recipe: IdRecipe,
    /// The live board of queued and running work, and when a job is hung (`live:`).
    pub live: LiveConfig,
    /// The promotion order and the production environments (`environments:`), for
    /// `ciotel can-i-deploy` and the DORA metrics.
    pub environments: EnvironmentsConfig,
}

/// The receiver's keys as written, before the cross-section check.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Sections {
    #[serde(default, deserialize_with = "webhook_section")]
    webhook: Option<WebhookConfig>,
    #[serde(default, deserialize_with = "api_section")]
    api: Option<ApiConfig>,
    #[serde(
        default = "default_collection_interval",
        deserialize_with = "collection_interval"
    )]
    collection_interval: Duration,
    #[serde(default)]
    metrics: MetricsConfig,
    #[serde(default)]
    trace_id_recipe: IdRecipe,
    #[serde(default)]
    live: LiveConfig,
    #[serde(default, deserialize_with = "environments_section")]
    environments: EnvironmentsConfig,
}

impl TryFrom<Option<Sections>> for GithubReceiverConfig {
    type Error = ConfigError;

    fn try_from(sections: Option<Sections>) -> Result<Self, ConfigError> {
        let Some(s) = sections else {
            return Err(ConfigError::NothingToReceive);
        };
        if s.webhook.is_none() && s.api.is_none() {
            return Err(ConfigError::NothingToReceive);
        }
        Ok(GithubReceiverConfig {
            signals: SignalsConfig::new(s.collection_interval, s.metrics)?,
            webhook: s.webhook,
            api: s.api,
            trace_id_recipe: s.trace_id_recipe,
            live: s.live,
            environments: s.environments,
        })
    }
}

/// `webhook:` present with nothing under it means its defaults, which are then checked (and
/// fail for want of a secret, with a message saying so).
fn webhook_section<'de, D: Deserializer<'de>>(d: D) -> Result<Option<WebhookConfig>, D::Error> {
    let raw: RawWebhookConfig = or_default(d)?;
    raw.check(&GITHUB)
        .map(Some)
        .map_err(|e| de::Error::custom(ConfigError::Webhook(e)))
}

/// What is wrong with a `github` receiver config; the parser reports it with its line.
///
/// Exists so each mistake has one message that says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Neither section is configured.
    #[error(
        "the github receiver receives nothing: configure `webhook:` (GitHub pushes deliveries), \
         `api:` (ciotel polls the REST API), or both"
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

    fn parse(yaml: &str) -> Result<GithubReceiverConfig, String> {
        yaml_serde::from_str(yaml).map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_match_the_issue() {
        let c = parse("webhook:\n  secret: s3cret\n").unwrap();
        let w = c.webhook.unwrap();
        assert_eq!(w.endpoint.as_str(), "127.0.0.1:8080");
        assert_eq!(w.path, "/events/github");
        assert_eq!(w.health_path, "/health");
        assert_eq!(w.max_request_body_size, 25 * 1024 * 1024);
        assert_eq!(w.secret.as_ref().map(Secret::expose), Some("s3cret"));
        assert!(w.required_headers.is_empty());
        assert!(!w.insecure);
        assert_eq!(c.api, None);
        assert_eq!(c.trace_id_recipe, IdRecipe::CheckRun);
    }

    #[test]
    fn reads_the_issues_example() {
        let yaml = "\
webhook:
  endpoint: 0.0.0.0:9000
  path: /gh
  health_path: /healthz
  secret: abc
  required_headers:
    X-Proxy-Token: tok
  max_request_body_size: 1024
trace_id_recipe: legacy
";
        let c = parse(yaml).unwrap();
        let w = c.webhook.unwrap();
        assert_eq!(w.endpoint.as_str(), "0.0.0.0:9000");
        assert_eq!(
            (w.path.as_str(), w.health_path.as_str()),
            ("/gh", "/healthz")
        );
        assert_eq!(w.required_headers["X-Proxy-Token"].expose(), "tok");
        assert_eq!(w.max_request_body_size, 1024);
        assert_eq!(c.trace_id_recipe, IdRecipe::Legacy);
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
        let c = parse("webhook:\n  insecure: true\n").unwrap();
        assert!(c.webhook.unwrap().insecure);
    }

    #[test]
    fn errors_carry_the_path_and_line_in_a_whole_file() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct File {
            receivers: BTreeMap<String, GithubReceiverConfig>,
        }
        let yaml = "receivers:\n  github/ci:\n    webhook:\n      endpoint: 0.0.0.0:8080\n";
        let e = yaml_serde::from_str::<File>(yaml).unwrap_err().to_string();
        assert!(
            e.starts_with("receivers.github/ci: webhook: no `secret` set"),
            "{e}"
        );
        assert!(e.contains("line 3"), "{e}");
    }

    #[test]
    fn nothing_to_receive_is_an_error() {
        let e = parse("trace_id_recipe: legacy\n").unwrap_err();
        assert!(e.contains("configure `webhook:`"), "{e}");
        let e = parse("~\n").unwrap_err();
        assert!(e.contains("configure `webhook:`"), "{e}");
    }

    #[test]
    fn unknown_keys_are_named() {
        let e = parse("webhook:\n  secret: x\n  secrett: y\n").unwrap_err();
        assert!(
            e.contains("unknown field `secrett`") && e.contains("line 3"),
            "{e}"
        );
        let e = parse("webhook:\n  secret: x\nscrapers: {}\n").unwrap_err();
        assert!(e.contains("unknown field `scrapers`"), "{e}");
        let e = parse("webhook:\n  secret: x\ntrace_id_recipe: check-run\n").unwrap_err();
        assert!(e.contains("check-run"), "{e}");
    }

    #[test]
    fn environments_are_read_and_checked() {
        let c = parse("webhook:\n  secret: x\n").unwrap();
        assert_eq!(c.environments, EnvironmentsConfig::default());
        let yaml = "webhook:\n  secret: x\nenvironments:\n  promotion: [dev, prod]\n  \
                    production: [prod]\n";
        let c = parse(yaml).unwrap();
        assert_eq!(c.environments.promotion, ["dev", "prod"]);
        assert!(c.environments.is_production("prod", false));
        let e = parse("webhook:\n  secret: x\nenvironments:\n  order: [a]\n").unwrap_err();
        assert!(
            e.contains("unknown field `order`") && e.contains("line 4"),
            "{e}"
        );
        let e = parse("webhook:\n  secret: x\nenvironments:\n  promotion: [a, a]\n").unwrap_err();
        assert!(e.contains("`a` is listed twice"), "{e}");
    }

    #[test]
    fn required_headers_are_checked() {
        for (yaml, needle) in [
            ("X-GitHub-Event: workflow_job", "GitHub's own headers"),
            ("x-hub-signature-256: abc", "GitHub's own headers"),
            ("\"bad header\": v", "not a valid HTTP header name"),
            ("X-Token: \"\"", "non-empty"),
        ] {
            let e = parse(&format!(
                "webhook:\n  secret: x\n  required_headers:\n    {yaml}\n"
            ))
            .unwrap_err();
            assert!(e.contains(needle), "{yaml}: {e}");
        }
    }
}
