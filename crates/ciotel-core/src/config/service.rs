//! The `service:` section: which pipelines run, which extensions start, and the daemon's own
//! logs and metrics.

use super::component_map::or_default;
use super::values::{ListenAddress, duration};
use crate::auth::AuthReference;
use crate::component_id::{ComponentId, PipelineId};
use crate::server::config::{
    connection_limit, default_idle_timeout, default_max_request_header_size,
    default_read_header_timeout, default_read_timeout, default_side_max_concurrent_connections,
    default_write_timeout, header_size,
};
use crate::server::{ConnectionSettings, HttpServerSettings, TlsServerConfig};
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
    /// Bytes all request bodies being read at once may hold (default 256 MiB); beyond it new
    /// uploads get 503 + Retry-After.
    #[serde(default = "default_in_flight_body_size")]
    pub max_in_flight_body_size: usize,
}

fn default_in_flight_body_size() -> usize {
    crate::body::budget::DEFAULT_BUDGET
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
    /// A request's headers must arrive within this (default 10s).
    #[serde(default = "default_read_header_timeout", deserialize_with = "duration")]
    pub read_header_timeout: Duration,
    /// A request's body must arrive within this (default 30s).
    #[serde(default = "default_read_timeout", deserialize_with = "duration")]
    pub read_timeout: Duration,
    /// A keep-alive connection without a request for this long is closed (default 60s).
    #[serde(default = "default_idle_timeout", deserialize_with = "duration")]
    pub idle_timeout: Duration,
    /// A response write stalled for this long closes the connection (default 30s).
    #[serde(default = "default_write_timeout", deserialize_with = "duration")]
    pub write_timeout: Duration,
    /// Largest request head in bytes (default 64 KiB).
    #[serde(
        default = "default_max_request_header_size",
        deserialize_with = "header_size"
    )]
    pub max_request_header_size: usize,
    /// Connections served at once (default 100), apart from every other listener's.
    #[serde(
        default = "default_side_max_concurrent_connections",
        deserialize_with = "connection_limit"
    )]
    pub max_concurrent_connections: usize,
    /// TLS.
    #[serde(default)]
    pub tls: Option<TlsServerConfig>,
    /// An authenticator extension every scrape must satisfy.
    #[serde(default)]
    pub auth: Option<AuthReference>,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            address: default_metrics_address(),
            level: MetricsLevel::default(),
            read_header_timeout: default_read_header_timeout(),
            read_timeout: default_read_timeout(),
            idle_timeout: default_idle_timeout(),
            write_timeout: default_write_timeout(),
            max_request_header_size: default_max_request_header_size(),
            max_concurrent_connections: default_side_max_concurrent_connections(),
            tls: None,
            auth: None,
        }
    }
}

impl MetricsConfig {
    /// The listener kit's settings.
    pub fn server_settings(&self) -> HttpServerSettings {
        HttpServerSettings {
            read_header_timeout: self.read_header_timeout,
            read_timeout: self.read_timeout,
            idle_timeout: self.idle_timeout,
            write_timeout: self.write_timeout,
            max_request_header_size: self.max_request_header_size,
            connections: ConnectionSettings {
                max_concurrent_connections: self.max_concurrent_connections,
                tls: self.tls.clone(),
            },
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
