//! `health_check` extension: an HTTP endpoint that load balancers and orchestrators poll —
//! 200 once every pipeline runs, 503 while starting or shutting down.

use crate::config::values::ListenAddress;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::net::TcpListener;
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
}

impl Default for HealthCheckConfig {
    fn default() -> Self {
        HealthCheckConfig {
            endpoint: default_endpoint(),
            path: default_path(),
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
    config: &HealthCheckConfig,
    readiness: Readiness,
    shutdown: CancellationToken,
) -> std::io::Result<(std::net::SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(config.endpoint.as_str()).await?;
    let address = listener.local_addr()?;
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
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await;
    });
    Ok((address, task))
}
