//! Config of the `otlp` receiver, in the Collector's shape: a protocol is on when its key is
//! present (`grpc:` alone means its defaults).

use ciotel_core::config::component_map::or_default;
use ciotel_core::config::values::ListenAddress;
use serde::{Deserialize, Deserializer, de};

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
}

impl Default for GrpcConfig {
    fn default() -> Self {
        GrpcConfig {
            endpoint: grpc_endpoint(),
            max_recv_msg_size_mib: default_msg_mib(),
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
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            endpoint: http_endpoint(),
            max_request_body_size: default_body_size(),
            traces_url_path: traces_path(),
            metrics_url_path: metrics_path(),
            logs_url_path: logs_path(),
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
