//! The `service:` section: which pipelines run, which extensions start, and the daemon's own
//! logs and metrics.

use super::component_map::or_default;
use super::values::{ListenAddress, duration};
use crate::component_id::{ComponentId, PipelineId};
use serde::Deserialize;
use serde::de::{self, Deserializer};
use std::collections::BTreeMap;
use std::time::Duration;

/// The `service:` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    /// Extensions to start, by id.
    #[serde(default, deserialize_with = "component_ids")]
    pub extensions: Vec<ComponentId>,
    /// Pipelines by id (`traces[/name]` …).
    #[serde(deserialize_with = "pipelines")]
    pub pipelines: BTreeMap<PipelineId, PipelineConfig>,
    /// The daemon's own logs and metrics.
    #[serde(default, deserialize_with = "or_default")]
    pub telemetry: TelemetryConfig,
    /// How long a graceful shutdown may take before the daemon exits anyway.
    #[serde(default = "default_shutdown_timeout", deserialize_with = "duration")]
    pub shutdown_timeout: Duration,
}

fn default_shutdown_timeout() -> Duration {
    Duration::from_secs(10)
}

/// One pipeline: receivers feed the processors in order, which feed every exporter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineConfig {
    /// Receivers whose data enters this pipeline.
    #[serde(deserialize_with = "component_ids")]
    pub receivers: Vec<ComponentId>,
    /// Processors, applied in this order.
    #[serde(default, deserialize_with = "component_ids")]
    pub processors: Vec<ComponentId>,
    /// Exporters that all receive every batch leaving the processors.
    #[serde(deserialize_with = "component_ids")]
    pub exporters: Vec<ComponentId>,
}

/// `service.telemetry`: the daemon's own observability.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetryConfig {
    /// Log level and format.
    #[serde(default, deserialize_with = "or_default")]
    pub logs: LogsConfig,
    /// Where the Prometheus endpoint listens.
    #[serde(default, deserialize_with = "or_default")]
    pub metrics: MetricsConfig,
}

/// `service.telemetry.logs`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsConfig {
    /// `error`, `warn`, `info`, `debug` or `trace`; `RUST_LOG` overrides it.
    #[serde(default = "default_level")]
    pub level: LogLevel,
    /// `console` (readable) or `json` (one object per line).
    #[serde(default, alias = "format")]
    pub encoding: LogEncoding,
}

impl Default for LogsConfig {
    fn default() -> Self {
        LogsConfig {
            level: default_level(),
            encoding: LogEncoding::default(),
        }
    }
}

fn default_level() -> LogLevel {
    LogLevel::Info
}

/// A log level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    /// The level as `tracing`'s filter syntax writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogEncoding {
    #[default]
    Console,
    Json,
}

/// `service.telemetry.metrics`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Address of the Prometheus `/metrics` endpoint; `none` level turns it off.
    #[serde(default = "default_metrics_address")]
    pub address: ListenAddress,
    /// `none` disables the endpoint; anything else serves it.
    #[serde(default)]
    pub level: MetricsLevel,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            address: default_metrics_address(),
            level: MetricsLevel::default(),
        }
    }
}

fn default_metrics_address() -> ListenAddress {
    ListenAddress::parse("127.0.0.1:8888").expect("the default metrics address is valid")
}

/// Whether self-metrics are served (the Collector's levels beyond `none` all mean "on" here).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricsLevel {
    None,
    Basic,
    #[default]
    Normal,
    Detailed,
}

fn component_ids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ComponentId>, D::Error> {
    let names = Option::<Vec<String>>::deserialize(d)?.unwrap_or_default();
    names
        .iter()
        .map(|n| ComponentId::parse(n).map_err(de::Error::custom))
        .collect()
}

fn pipelines<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<PipelineId, PipelineConfig>, D::Error> {
    let raw = BTreeMap::<String, PipelineConfig>::deserialize(d)?;
    raw.into_iter()
        .map(|(id, p)| Ok((PipelineId::parse(&id).map_err(de::Error::custom)?, p)))
        .collect()
}
