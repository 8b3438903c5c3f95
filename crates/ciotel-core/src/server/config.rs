//! The listener settings every listener shares, in the Collector's confighttp / configgrpc /
//! configtls key names where it has them. Each listener's config writes these keys flat beside
//! its `endpoint` (no `#[serde(flatten)]`, which would change the unknown-key errors) and hands
//! the kit one [`HttpServerSettings`] or [`GrpcServerSettings`] built from them.

use crate::config::values::duration;
use serde::{Deserialize, Deserializer, de};
use std::path::PathBuf;
use std::time::Duration;

/// Settings of one HTTP listener, as the kit runs it.
///
/// Exists so the OTLP/HTTP receiver, the webhooks, health_check and the metrics endpoint all get
/// the same timeouts and limits from one place.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpServerSettings {
    /// A connection must deliver a request's headers within this (0 = no limit).
    pub read_header_timeout: Duration,
    /// A request's body must arrive whole within this, counted from its headers (0 = no limit).
    pub read_timeout: Duration,
    /// A keep-alive connection with no request for this long is closed (0 = no limit).
    pub idle_timeout: Duration,
    /// A response write that makes no progress for this long closes the connection (0 = no
    /// limit).
    pub write_timeout: Duration,
    /// Largest request head (request line and headers) in bytes.
    pub max_request_header_size: usize,
    /// Connections, TLS.
    pub connections: ConnectionSettings,
}

/// Settings of one gRPC listener, as the kit runs it.
#[derive(Debug, Clone, PartialEq)]
pub struct GrpcServerSettings {
    /// A connection must complete its handshakes and send its first request within this.
    pub first_request_timeout: Duration,
    /// `keepalive.server_parameters`.
    pub keepalive: ServerParameters,
    /// Concurrent streams (calls) per connection.
    pub max_concurrent_streams: u32,
    /// Largest header list of a call, in bytes.
    pub max_request_header_size: usize,
    /// Connections, TLS.
    pub connections: ConnectionSettings,
}

/// What HTTP and gRPC listeners share: the connection limit and TLS.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionSettings {
    /// Connections served at once; beyond it a new connection is accepted and closed at once.
    pub max_concurrent_connections: usize,
    /// TLS, when set.
    pub tls: Option<TlsServerConfig>,
}

/// `tls:` on a listener (configtls's server keys).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsServerConfig {
    /// The server's certificate chain, PEM.
    pub cert_file: PathBuf,
    /// The certificate's private key, PEM (PKCS#8, PKCS#1 or SEC1).
    pub key_file: PathBuf,
    /// With it, every client must present a certificate signed by one of these CAs (mTLS).
    #[serde(default)]
    pub client_ca_file: Option<PathBuf>,
    /// The lowest TLS version accepted: `"1.2"` (default) or `"1.3"`.
    #[serde(default)]
    pub min_version: TlsVersion,
    /// How often the files are checked for changes (default 1m; `0s` = never).
    #[serde(default = "default_reload_interval", deserialize_with = "duration")]
    pub reload_interval: Duration,
}

/// A TLS protocol version.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum TlsVersion {
    /// TLS 1.2 and 1.3.
    #[default]
    #[serde(rename = "1.2")]
    Tls12,
    /// TLS 1.3 only.
    #[serde(rename = "1.3")]
    Tls13,
}

/// `keepalive:` of a gRPC listener (configgrpc's shape).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrpcKeepalive {
    /// `server_parameters`.
    #[serde(default, deserialize_with = "crate::config::component_map::or_default")]
    pub server_parameters: ServerParameters,
}

/// `keepalive.server_parameters` of a gRPC listener.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerParameters {
    /// A connection with no call in flight for this long is closed (default 5m; `0s` = never).
    #[serde(default = "default_max_connection_idle", deserialize_with = "duration")]
    pub max_connection_idle: Duration,
    /// A connection is asked to go away (GOAWAY) after this long (default: never).
    #[serde(default, deserialize_with = "optional_duration")]
    pub max_connection_age: Option<Duration>,
    /// How long calls may finish after `max_connection_age` (default: no limit).
    #[serde(default, deserialize_with = "optional_duration")]
    pub max_connection_age_grace: Option<Duration>,
    /// The server pings an idle connection this often (default 2h, as gRPC's).
    #[serde(default = "default_keepalive_time", deserialize_with = "duration")]
    pub time: Duration,
    /// A ping not answered within this closes the connection (default 20s, as gRPC's).
    #[serde(default = "default_keepalive_timeout", deserialize_with = "duration")]
    pub timeout: Duration,
}

impl Default for ServerParameters {
    fn default() -> Self {
        ServerParameters {
            max_connection_idle: default_max_connection_idle(),
            max_connection_age: None,
            max_connection_age_grace: None,
            time: default_keepalive_time(),
            timeout: default_keepalive_timeout(),
        }
    }
}

fn optional_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    duration(d).map(Some)
}

/// Default `read_header_timeout`: 10s.
pub fn default_read_header_timeout() -> Duration {
    Duration::from_secs(10)
}
/// Default `read_timeout` (the whole body): 30s.
pub fn default_read_timeout() -> Duration {
    Duration::from_secs(30)
}
/// Default `idle_timeout` (keep-alive): 60s.
pub fn default_idle_timeout() -> Duration {
    Duration::from_secs(60)
}
/// Default `write_timeout`: 30s.
pub fn default_write_timeout() -> Duration {
    Duration::from_secs(30)
}
/// Default `first_request_timeout` of a gRPC listener: 10s.
pub fn default_first_request_timeout() -> Duration {
    Duration::from_secs(10)
}
/// Default `max_request_header_size`: 64 KiB.
pub fn default_max_request_header_size() -> usize {
    64 * 1024
}
/// Default `max_concurrent_connections` of a data listener (OTLP, webhooks): 1000, below the
/// common 1024 descriptor limit.
pub fn default_max_concurrent_connections() -> usize {
    1000
}
/// Default `max_concurrent_connections` of a side listener (health_check, metrics): 100.
pub fn default_side_max_concurrent_connections() -> usize {
    100
}
/// Default `max_concurrent_streams` of a gRPC listener: 100.
pub fn default_max_concurrent_streams() -> u32 {
    100
}
fn default_reload_interval() -> Duration {
    Duration::from_secs(60)
}
fn default_max_connection_idle() -> Duration {
    Duration::from_secs(300)
}
fn default_keepalive_time() -> Duration {
    Duration::from_secs(2 * 60 * 60)
}
fn default_keepalive_timeout() -> Duration {
    Duration::from_secs(20)
}

/// Deserializes `max_concurrent_connections`: at least 1.
pub fn connection_limit<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    let n = usize::deserialize(d)?;
    if n == 0 {
        return Err(de::Error::custom(
            "`max_concurrent_connections` must be at least 1",
        ));
    }
    Ok(n)
}

/// Deserializes `max_request_header_size`: at least 8 KiB (hyper's floor).
pub fn header_size<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    let n = usize::deserialize(d)?;
    if n < 8192 {
        return Err(de::Error::custom(format!(
            "`max_request_header_size` must be at least 8192 bytes, not {n}"
        )));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_and_keepalive_read_like_the_collectors() {
        let t: TlsServerConfig = yaml_serde::from_str(
            "cert_file: a.pem\nkey_file: a.key\nclient_ca_file: ca.pem\nmin_version: \"1.3\"\nreload_interval: 5s\n",
        )
        .unwrap();
        assert_eq!(t.min_version, TlsVersion::Tls13);
        assert_eq!(t.reload_interval, Duration::from_secs(5));
        let e = yaml_serde::from_str::<TlsServerConfig>("cert_file: a\nkey_file: b\nca: c\n")
            .unwrap_err();
        assert!(e.to_string().contains("unknown field `ca`"), "{e}");
        let k: GrpcKeepalive =
            yaml_serde::from_str("server_parameters:\n  max_connection_age: 30s\n").unwrap();
        assert_eq!(
            k.server_parameters.max_connection_age,
            Some(Duration::from_secs(30))
        );
        assert_eq!(k.server_parameters.timeout, Duration::from_secs(20));
    }
}
