//! The keys of the `cicd_view` extension (the page and its bounded store) and of the
//! `cicd_view` exporter (the tap at the end of a traces pipeline that fills that store).
//!
//! ```yaml
//! exporters:
//!   cicd_view:                 # extension: cicd_view (the default)
//! extensions:
//!   cicd_view:
//!     endpoint: 127.0.0.1:55680
//!     max_runs: 50
//! service:
//!   extensions: [cicd_view]
//!   pipelines:
//!     traces: {receivers: [github], processors: [cicd_ownership], exporters: [cicd_view]}
//! ```

use ciotel_core::ComponentId;
use ciotel_core::auth::AuthReference;
use ciotel_core::config::values::{ListenAddress, duration};
use ciotel_core::server::config::{
    connection_limit, default_idle_timeout, default_max_request_header_size,
    default_read_header_timeout, default_read_timeout, default_side_max_concurrent_connections,
    default_write_timeout, header_size,
};
use ciotel_core::server::{ConnectionSettings, HttpServerSettings, TlsServerConfig};
use serde::Deserialize;
use std::time::Duration;

/// Default `endpoint`: loopback only, one port above the Collector's zpages (55679).
pub const DEFAULT_ENDPOINT: &str = "127.0.0.1:55680";
/// Default `max_runs`.
pub const DEFAULT_MAX_RUNS: usize = 50;
/// Default `max_spans_per_run`.
pub const DEFAULT_MAX_SPANS_PER_RUN: usize = 1000;
/// Default `max_size_mib`.
pub const DEFAULT_MAX_SIZE_MIB: usize = 64;

/// Config of the `cicd_view` extension.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CicdViewConfig {
    /// Where the page listens (default `127.0.0.1:55680`).
    #[serde(default = "default_endpoint")]
    pub endpoint: ListenAddress,
    /// Runs kept for the page, the least recently updated dropped first (default 50).
    #[serde(default = "default_max_runs")]
    pub max_runs: usize,
    /// Spans kept per run; later ones are counted, not kept (default 1000).
    #[serde(default = "default_max_spans_per_run")]
    pub max_spans_per_run: usize,
    /// All kept spans together, encoded size in MiB; above it the least recently updated runs
    /// are dropped (default 64).
    #[serde(default = "default_max_size_mib")]
    pub max_size_mib: usize,
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
    /// Connections served at once (default 100); each open page holds one for its live stream.
    #[serde(
        default = "default_side_max_concurrent_connections",
        deserialize_with = "connection_limit"
    )]
    pub max_concurrent_connections: usize,
    /// TLS.
    #[serde(default)]
    pub tls: Option<TlsServerConfig>,
    /// An authenticator extension every request must satisfy.
    #[serde(default)]
    pub auth: Option<AuthReference>,
}

impl Default for CicdViewConfig {
    fn default() -> Self {
        CicdViewConfig {
            endpoint: default_endpoint(),
            max_runs: DEFAULT_MAX_RUNS,
            max_spans_per_run: DEFAULT_MAX_SPANS_PER_RUN,
            max_size_mib: DEFAULT_MAX_SIZE_MIB,
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

impl CicdViewConfig {
    /// Checks the bounds: every one at least 1.
    pub fn validate(&self) -> Result<(), String> {
        for (key, value) in [
            ("max_runs", self.max_runs),
            ("max_spans_per_run", self.max_spans_per_run),
            ("max_size_mib", self.max_size_mib),
        ] {
            if value == 0 {
                return Err(format!("`{key}` must be at least 1"));
            }
        }
        Ok(())
    }

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

    /// The store's bounds.
    pub fn bounds(&self) -> crate::store::Bounds {
        crate::store::Bounds {
            max_runs: self.max_runs,
            max_spans_per_run: self.max_spans_per_run,
            max_bytes: self.max_size_mib.saturating_mul(1024 * 1024),
        }
    }
}

fn default_endpoint() -> ListenAddress {
    ListenAddress::parse(DEFAULT_ENDPOINT).expect("the default cicd_view endpoint is valid")
}
fn default_max_runs() -> usize {
    DEFAULT_MAX_RUNS
}
fn default_max_spans_per_run() -> usize {
    DEFAULT_MAX_SPANS_PER_RUN
}
fn default_max_size_mib() -> usize {
    DEFAULT_MAX_SIZE_MIB
}

/// Config of the `cicd_view` exporter: which `cicd_view` extension's page it feeds.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CicdViewExporterConfig {
    /// The extension (default `cicd_view`); it must be listed in `service.extensions`.
    #[serde(default = "default_extension")]
    pub extension: ComponentId,
}

impl Default for CicdViewExporterConfig {
    fn default() -> Self {
        CicdViewExporterConfig {
            extension: default_extension(),
        }
    }
}

fn default_extension() -> ComponentId {
    ComponentId::parse("cicd_view").expect("`cicd_view` is a valid id")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_unknown_keys() {
        let c: CicdViewConfig = yaml_serde::from_str("max_runs: 5\n").unwrap();
        assert_eq!(c.endpoint.as_str(), DEFAULT_ENDPOINT);
        assert!(c.endpoint.is_loopback());
        assert_eq!(c.max_runs, 5);
        assert_eq!(c.max_spans_per_run, DEFAULT_MAX_SPANS_PER_RUN);
        let e = yaml_serde::from_str::<CicdViewConfig>("max_run: 5\n").unwrap_err();
        assert!(e.to_string().contains("unknown field `max_run`"), "{e}");
        let zero = CicdViewConfig {
            max_runs: 0,
            ..Default::default()
        };
        assert_eq!(zero.validate(), Err("`max_runs` must be at least 1".into()));
        let x: CicdViewExporterConfig = yaml_serde::from_str("extension: cicd_view/ops\n").unwrap();
        assert_eq!(x.extension.to_string(), "cicd_view/ops");
        assert_eq!(
            CicdViewExporterConfig::default().extension.to_string(),
            "cicd_view"
        );
    }
}
