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

use crate::config::values::ListenAddress;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;
use tokio::net::TcpListener;
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
}

impl Default for HealthCheckConfig {
    fn default() -> Self {
        HealthCheckConfig {
            endpoint: default_endpoint(),
            path: default_path(),
            ready_path: default_ready_path(),
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
    config: &HealthCheckConfig,
    readiness: Readiness,
    shutdown: CancellationToken,
) -> std::io::Result<(std::net::SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(config.endpoint.as_str()).await?;
    let address = listener.local_addr()?;
    let app = routes(config, readiness);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await;
    });
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
        let (address, _task) = start(&config, readiness.clone(), shutdown.clone())
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
