//! `health_check` extension: the HTTP endpoint that load balancers and orchestrators poll.
//!
//! Two answers, because shedding load is not dying:
//! - liveness, `path` (default `/`): 200 `{"status":"Server available"}` while every pipeline
//!   runs, even while data is refused (so an orchestrator does not restart a daemon that only
//!   sheds load); 503 while starting or shutting down;
//! - readiness, `ready_path` (default `/ready`): 200 `{"status":"Server ready"}` while the daemon
//!   accepts data, 503 `{"status":"Server not ready","reasons":[…]}` while starting, shutting
//!   down, or while a stage refuses data (e.g. `memory_limiter: live heap 130 MiB above soft
//!   limit 80 MiB`), so a load balancer sends clients elsewhere.
//!
//! Served by the listener kit with its own connection limit, so a flood on the data listeners
//! never starves it.

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
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Config of the `health_check` extension.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheckConfig {
    /// Where to listen.
    #[serde(default = "default_endpoint")]
    pub endpoint: ListenAddress,
    /// The liveness path.
    #[serde(default = "default_path")]
    pub path: String,
    /// The readiness path: 503 with the reasons while data is refused.
    #[serde(default = "default_ready_path")]
    pub ready_path: String,
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
            ready_path: default_ready_path(),
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

fn default_ready_path() -> String {
    "/ready".into()
}

impl HealthCheckConfig {
    /// Checks the paths: absolute, and not the same.
    pub fn validate(&self) -> Result<(), String> {
        for (key, path) in [("path", &self.path), ("ready_path", &self.ready_path)] {
            if !path.starts_with('/') {
                return Err(format!("{key} must start with `/`, got `{path}`"));
            }
        }
        if self.path == self.ready_path {
            return Err(format!(
                "path and ready_path must differ, both are `{}`",
                self.path
            ));
        }
        Ok(())
    }
}

pub use crate::readiness::Readiness;

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
    let app = routes(config, readiness);
    let task = serve_http(listener, app, &settings, auth.map(HttpAuth::new), shutdown);
    Ok((address, task))
}

/// The liveness and readiness routes.
fn routes(config: &HealthCheckConfig, readiness: Readiness) -> Router {
    let live = readiness.clone();
    Router::new()
        .route(
            &config.path,
            get(move || {
                let started = live.get();
                async move {
                    if started {
                        (StatusCode::OK, "{\"status\":\"Server available\"}")
                    } else {
                        (
                            StatusCode::SERVICE_UNAVAILABLE,
                            "{\"status\":\"Server not available\"}",
                        )
                    }
                }
            }),
        )
        .route(
            &config.ready_path,
            get(move || {
                let answer = match readiness.ready() {
                    Ok(()) => (
                        StatusCode::OK,
                        serde_json::json!({"status": "Server ready"}),
                    ),
                    Err(reasons) => (
                        StatusCode::SERVICE_UNAVAILABLE,
                        serde_json::json!({"status": "Server not ready", "reasons": reasons}),
                    ),
                };
                async move {
                    (
                        answer.0,
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        answer.1.to_string(),
                    )
                }
            }),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_must_be_absolute_and_distinct() {
        assert_eq!(HealthCheckConfig::default().validate(), Ok(()));
        let same = HealthCheckConfig {
            ready_path: "/".into(),
            ..Default::default()
        };
        assert!(same.validate().unwrap_err().contains("must differ"));
        let relative = HealthCheckConfig {
            path: "health".into(),
            ..Default::default()
        };
        assert!(relative.validate().unwrap_err().contains("start with `/`"));
    }

    /// Refusing turns readiness to 503 with the reason; liveness stays 200.
    #[tokio::test]
    async fn readiness_tells_why_while_liveness_stays_up() {
        let readiness = Readiness::default();
        let shutdown = CancellationToken::new();
        let config = HealthCheckConfig {
            endpoint: ListenAddress::parse("127.0.0.1:0").unwrap(),
            ..Default::default()
        };
        let registry = Registry::new();
        let (address, _task) = start(
            "health_check",
            &config,
            readiness.clone(),
            &registry,
            None,
            shutdown.clone(),
        )
        .await
        .unwrap();
        let get = |path: &'static str| async move {
            let r = reqwest::get(format!("http://{address}{path}"))
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        };
        assert_eq!(get("/").await.0, 503);
        assert_eq!(get("/ready").await.0, 503);
        readiness.set(true);
        assert_eq!(
            get("/").await,
            (200, "{\"status\":\"Server available\"}".into())
        );
        assert_eq!(
            get("/ready").await,
            (200, "{\"status\":\"Server ready\"}".into())
        );
        readiness.refuse(
            "memory_limiter",
            "live heap 130 MiB above soft limit 80 MiB".into(),
        );
        assert_eq!(get("/").await.0, 200);
        let (status, body) = get("/ready").await;
        assert_eq!(status, 503);
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            body["reasons"][0],
            "memory_limiter: live heap 130 MiB above soft limit 80 MiB"
        );
        readiness.accept("memory_limiter");
        assert_eq!(get("/ready").await.0, 200);
        shutdown.cancel();
    }
}
