//! Config of the `otlp` receiver, in the Collector's shape: a protocol is on when its key is
//! present (`grpc:` alone means its defaults).

use ciotel_core::auth::AuthReference;
use ciotel_core::config::component_map::or_default;
use ciotel_core::config::values::{ListenAddress, duration};
use ciotel_core::server::config::{
    connection_limit, default_first_request_timeout, default_idle_timeout,
    default_max_concurrent_connections, default_max_concurrent_streams,
    default_max_request_header_size, default_read_header_timeout, default_read_timeout,
    default_write_timeout, header_size,
};
use ciotel_core::server::{
    ConnectionSettings, GrpcKeepalive, GrpcServerSettings, HttpServerSettings, TlsServerConfig,
};
use serde::{Deserialize, Deserializer, de};
use std::time::Duration;

/// The `otlp` receiver's config.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtlpReceiverConfig {
    /// Which transports to serve.
    #[serde(deserialize_with = "protocols")]
    pub protocols: ProtocolsConfig,
}

impl Default for OtlpReceiverConfig {
    fn default() -> Self {
        OtlpReceiverConfig {
            protocols: ProtocolsConfig {
                grpc: Some(GrpcConfig::default()),
                http: Some(HttpConfig::default()),
            },
        }
    }
}

/// `protocols:` — each present key turns a transport on.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProtocolsConfig {
    /// OTLP/gRPC.
    #[serde(default, deserialize_with = "present")]
    pub grpc: Option<GrpcConfig>,
    /// OTLP/HTTP.
    #[serde(default, deserialize_with = "present")]
    pub http: Option<HttpConfig>,
}

fn protocols<'de, D: Deserializer<'de>>(d: D) -> Result<ProtocolsConfig, D::Error> {
    let p = ProtocolsConfig::deserialize(d)?;
    if p.grpc.is_none() && p.http.is_none() {
        return Err(de::Error::custom(
            "enable at least one protocol: `grpc:` or `http:`",
        ));
    }
    Ok(p)
}

/// A key that is present, even with a null value, is `Some(defaults)`.
fn present<'de, T, D>(d: D) -> Result<Option<T>, D::Error>
where
    T: Deserialize<'de> + Default,
    D: Deserializer<'de>,
{
    or_default(d).map(Some)
}

/// `protocols.grpc`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrpcConfig {
    /// Where to listen (default 127.0.0.1:4317).
    #[serde(default = "grpc_endpoint")]
    pub endpoint: ListenAddress,
    /// Largest message accepted, in MiB (default 64; tonic's own default is 4).
    #[serde(default = "default_msg_mib")]
    pub max_recv_msg_size_mib: usize,
    /// `keepalive.server_parameters`: idle and age limits, pings.
    #[serde(default, deserialize_with = "or_default")]
    pub keepalive: GrpcKeepalive,
    /// Concurrent calls per connection (default 100).
    #[serde(default = "default_max_concurrent_streams")]
    pub max_concurrent_streams: u32,
    /// A connection must finish its handshakes and send a call within this (default 10s).
    #[serde(
        default = "default_first_request_timeout",
        deserialize_with = "duration"
    )]
    pub first_request_timeout: Duration,
    /// Largest header list of a call in bytes (default 64 KiB).
    #[serde(
        default = "default_max_request_header_size",
        deserialize_with = "header_size"
    )]
    pub max_request_header_size: usize,
    /// Connections served at once (default 1000); more are closed at once.
    #[serde(
        default = "default_max_concurrent_connections",
        deserialize_with = "connection_limit"
    )]
    pub max_concurrent_connections: usize,
    /// TLS (and mTLS with `client_ca_file`).
    #[serde(default)]
    pub tls: Option<TlsServerConfig>,
    /// An authenticator extension every call must satisfy.
    #[serde(default)]
    pub auth: Option<AuthReference>,
}

impl Default for GrpcConfig {
    fn default() -> Self {
        GrpcConfig {
            endpoint: grpc_endpoint(),
            max_recv_msg_size_mib: default_msg_mib(),
            keepalive: GrpcKeepalive::default(),
            max_concurrent_streams: default_max_concurrent_streams(),
            first_request_timeout: default_first_request_timeout(),
            max_request_header_size: default_max_request_header_size(),
            max_concurrent_connections: default_max_concurrent_connections(),
            tls: None,
            auth: None,
        }
    }
}

impl GrpcConfig {
    /// The listener kit's settings.
    pub fn server_settings(&self) -> GrpcServerSettings {
        GrpcServerSettings {
            first_request_timeout: self.first_request_timeout,
            keepalive: self.keepalive.server_parameters.clone(),
            max_concurrent_streams: self.max_concurrent_streams,
            max_request_header_size: self.max_request_header_size,
            connections: ConnectionSettings {
                max_concurrent_connections: self.max_concurrent_connections,
                tls: self.tls.clone(),
            },
        }
    }
}

/// `protocols.http`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// Where to listen (default 127.0.0.1:4318).
    #[serde(default = "http_endpoint")]
    pub endpoint: ListenAddress,
    /// Largest body accepted in bytes, after decompression (default 64 MiB).
    #[serde(default = "default_body_size")]
    pub max_request_body_size: usize,
    /// Path for traces.
    #[serde(default = "traces_path")]
    pub traces_url_path: String,
    /// Path for metrics.
    #[serde(default = "metrics_path")]
    pub metrics_url_path: String,
    /// Path for logs.
    #[serde(default = "logs_path")]
    pub logs_url_path: String,
    /// A request's headers must arrive within this (default 10s).
    #[serde(default = "default_read_header_timeout", deserialize_with = "duration")]
    pub read_header_timeout: Duration,
    /// A request's body must arrive whole within this (default 30s).
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
    /// Connections served at once (default 1000); more are closed at once.
    #[serde(
        default = "default_max_concurrent_connections",
        deserialize_with = "connection_limit"
    )]
    pub max_concurrent_connections: usize,
    /// TLS (and mTLS with `client_ca_file`).
    #[serde(default)]
    pub tls: Option<TlsServerConfig>,
    /// An authenticator extension every request must satisfy.
    #[serde(default)]
    pub auth: Option<AuthReference>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            endpoint: http_endpoint(),
            max_request_body_size: default_body_size(),
            traces_url_path: traces_path(),
            metrics_url_path: metrics_path(),
            logs_url_path: logs_path(),
            read_header_timeout: default_read_header_timeout(),
            read_timeout: default_read_timeout(),
            idle_timeout: default_idle_timeout(),
            write_timeout: default_write_timeout(),
            max_request_header_size: default_max_request_header_size(),
            max_concurrent_connections: default_max_concurrent_connections(),
            tls: None,
            auth: None,
        }
    }
}

impl HttpConfig {
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

fn grpc_endpoint() -> ListenAddress {
    ListenAddress::parse("127.0.0.1:4317").expect("default endpoint is valid")
}
fn http_endpoint() -> ListenAddress {
    ListenAddress::parse("127.0.0.1:4318").expect("default endpoint is valid")
}
fn default_msg_mib() -> usize {
    64
}
fn default_body_size() -> usize {
    64 * 1024 * 1024
}
fn traces_path() -> String {
    "/v1/traces".into()
}
fn metrics_path() -> String {
    "/v1/metrics".into()
}
fn logs_path() -> String {
    "/v1/logs".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_protocol_key_means_its_defaults() {
        let c: OtlpReceiverConfig = yaml_serde::from_str("protocols:\n  grpc:\n").unwrap();
        assert_eq!(c.protocols.grpc, Some(GrpcConfig::default()));
        assert_eq!(c.protocols.http, None);
    }

    #[test]
    fn needs_a_protocol_and_valid_endpoints() {
        let e = yaml_serde::from_str::<OtlpReceiverConfig>("protocols: {}\n").unwrap_err();
        assert!(
            e.to_string().contains("enable at least one protocol"),
            "{e}"
        );
        let e =
            yaml_serde::from_str::<OtlpReceiverConfig>("protocols:\n  http:\n    endpoint: nope\n")
                .unwrap_err();
        assert!(e.to_string().contains("invalid endpoint `nope`"), "{e}");
        let e = yaml_serde::from_str::<OtlpReceiverConfig>(
            "protocols:\n  http:\n    max_request_body_size: -1\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("-1"), "{e}");
    }
}
