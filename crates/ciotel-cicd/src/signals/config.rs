//! The metrics settings of a CI receiver (`github`, `gitlab`): `collection_interval` beside
//! `webhook:` and `api:`, as in the Collector's scraper receivers, and a `metrics:` section.
//!
//! ```yaml
//! receivers:
//!   github:
//!     webhook: {secret: ${env:GITHUB_WEBHOOK_SECRET}}
//!     collection_interval: 60s          # how often metrics are exported (cumulative)
//!     metrics:
//!       per_run_attributes: false       # opt in to cicd.pipeline.run.id etc. (cardinality)
//!       max_series: 2000                # series per metric; more go to one overflow series
//!       deduplication: 10000            # runs, jobs, changes remembered so each counts once
//! ```

use ciotel_core::config::values::duration;
use serde::Deserialize;
use std::time::Duration;

/// How often metrics are collected and exported when `collection_interval` is not set: the
/// Collector's scraper default.
pub const DEFAULT_COLLECTION_INTERVAL: Duration = Duration::from_secs(60);

/// What a CI receiver's metrics are made of, and how often they leave.
///
/// Exists as one value both platform receivers carry, so their metrics are configured alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignalsConfig {
    /// How often the receiver's metrics are collected and handed to its metrics pipelines.
    pub collection_interval: Duration,
    /// The `metrics:` section.
    pub metrics: MetricsConfig,
}

impl Default for SignalsConfig {
    fn default() -> Self {
        SignalsConfig {
            collection_interval: DEFAULT_COLLECTION_INTERVAL,
            metrics: MetricsConfig::default(),
        }
    }
}

impl SignalsConfig {
    /// Checks the receiver-level keys: an interval of 0 would collect in a busy loop.
    pub fn new(
        collection_interval: Duration,
        metrics: MetricsConfig,
    ) -> Result<Self, SignalsConfigError> {
        if collection_interval.is_zero() {
            return Err(SignalsConfigError::ZeroInterval);
        }
        if metrics.max_series == 0 {
            return Err(SignalsConfigError::NoSeries);
        }
        Ok(SignalsConfig {
            collection_interval,
            metrics,
        })
    }
}

/// `collection_interval:` as the receivers read it (a duration such as `30s`, `1m`).
pub fn collection_interval<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    duration(d)
}

/// The default of `collection_interval`, for `#[serde(default = …)]`.
pub fn default_collection_interval() -> Duration {
    DEFAULT_COLLECTION_INTERVAL
}

/// A receiver's `metrics:` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Adds the run's own attributes (`cicd.pipeline.run.id`, `cicd.pipeline.run.url.full`,
    /// `ciotel.run.attempt`) to per-run points: one series per run, so opt-in, as the
    /// conventions require of the `cicd.pipeline.run` entity.
    #[serde(default)]
    pub per_run_attributes: bool,
    /// Series kept per metric; points of further attribute sets are counted in one series
    /// with `otel.metric.overflow: true`, as the OpenTelemetry SDKs do.
    #[serde(default = "default_max_series")]
    pub max_series: usize,
    /// Runs and jobs remembered (by id and attempt) so one seen again — a redelivered
    /// webhook, the poller after the webhook — is counted once; likewise deployments, and the
    /// changes whose facts DORA's lead times need. The oldest is forgotten first.
    #[serde(default = "default_deduplication")]
    pub deduplication: usize,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            per_run_attributes: false,
            max_series: default_max_series(),
            deduplication: default_deduplication(),
        }
    }
}

fn default_max_series() -> usize {
    2000
}

fn default_deduplication() -> usize {
    10_000
}

/// What is wrong with a receiver's metrics settings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignalsConfigError {
    /// `collection_interval: 0s`.
    #[error("`collection_interval` must be more than 0s")]
    ZeroInterval,
    /// `metrics.max_series: 0`.
    #[error("`metrics.max_series` must be at least 1")]
    NoSeries,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_checks() {
        let m: MetricsConfig = yaml_serde::from_str("{}").unwrap();
        assert_eq!(m, MetricsConfig::default());
        assert!(!m.per_run_attributes);
        assert_eq!((m.max_series, m.deduplication), (2000, 10_000));
        let e = yaml_serde::from_str::<MetricsConfig>("per_run: true\n").unwrap_err();
        assert!(e.to_string().contains("unknown field `per_run`"), "{e}");
        assert_eq!(
            SignalsConfig::new(Duration::ZERO, m.clone()),
            Err(SignalsConfigError::ZeroInterval)
        );
        let none = MetricsConfig {
            max_series: 0,
            ..m.clone()
        };
        assert_eq!(
            SignalsConfig::new(Duration::from_secs(1), none),
            Err(SignalsConfigError::NoSeries)
        );
    }
}
