//! `health_check` extension: an HTTP endpoint that load balancers and orchestrators poll —
//! 200 once every pipeline runs, 503 while starting or shutting down. Served by the listener
//! kit with its own connection limit, so a flood on the data listeners never starves it.

use crate::auth::{AuthReference, ServerAuthenticator};
use crate::config::values::{ListenAddress, duration};
use crate::server::config::{
    connection_limit, default_idle_timeout, default_max_request_header_size,
    default_read_header_timeout, default_read_timeout, default_side_max_concurrent_connections,
    default_write_timeout, header_size,
};
use crate::server::{
    Alpn, ConnectionSettings, HttpAuth, HttpServerSettings, ListenError, ListenerName,
    TlsServerConfig, bind, serve_http,
};
use crate::telemetry::Registry;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Config of the `health_check` extension.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheckConfig {
    /// Where to listen.
    #[serde(default = "default_endpoint")]
    pub endpoint: ListenAddress,
    /// The path answered.
    #[serde(default = "default_path")]
    pub path: String,
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
    /// An authenticator extension every request must satisfy.
    #[serde(default)]
    pub auth: Option<AuthReference>,
}

impl Default for HealthCheckConfig {
    fn default() -> Self {
        HealthCheckConfig {
            endpoint: default_endpoint(),
            path: default_path(),
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

impl HealthCheckConfig {
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

fn default_endpoint() -> ListenAddress {
    ListenAddress::parse("127.0.0.1:13133").expect("the default health endpoint is valid")
}

fn default_path() -> String {
    "/".into()
}

/// Whether the daemon is ready, shared between the runtime and the endpoint.
#[derive(Debug, Clone, Default)]
pub struct Readiness(Arc<AtomicBool>);

impl Readiness {
    /// Marks every pipeline as running (or not).
    pub fn set(&self, ready: bool) {
        self.0.store(ready, Ordering::SeqCst);
    }

    /// True while every pipeline runs.
    pub fn get(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Binds the endpoint and serves it until `shutdown`; returns the bound address.
pub async fn start(
    id: &str,
    config: &HealthCheckConfig,
    readiness: Readiness,
    registry: &Registry,
    auth: Option<Arc<dyn ServerAuthenticator>>,
    shutdown: CancellationToken,
) -> Result<(std::net::SocketAddr, tokio::task::JoinHandle<()>), ListenError> {
    let settings = config.server_settings();
    let name = ListenerName {
        component: id,
        transport: "http",
    };
    let listener = bind(
        name,
        &config.endpoint,
        &settings.connections,
        Alpn::Http1,
        auth.is_some(),
        registry,
        &shutdown,
    )
    .await?;
    let address = listener.local_addr();
    let app = Router::new().route(
        &config.path,
        get(move || {
            let ready = readiness.get();
            async move {
                if ready {
                    (StatusCode::OK, "{\"status\":\"Server available\"}")
                } else {
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        "{\"status\":\"Server not available\"}",
                    )
                }
            }
        }),
    );
    let task = serve_http(listener, app, &settings, auth.map(HttpAuth::new), shutdown);
    Ok((address, task))
}
