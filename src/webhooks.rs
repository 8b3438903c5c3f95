//! Webhook listeners: every webhook receiver (GitHub, later GitLab) on the same endpoint shares
//! one HTTP listener, each answering only its own paths.

use crate::build::BuildError;
use axum::Router;
use axum::serve::ListenerExt;
use ciotel_core::ComponentId;
use std::collections::BTreeMap;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// One receiver's routes, waiting to be served on its endpoint.
pub struct WebhookRoutes {
    /// The receiver, for messages.
    pub id: ComponentId,
    /// Its `host:port`.
    pub endpoint: String,
    /// The paths it claims (checked against the others on the endpoint).
    pub paths: Vec<String>,
    /// Its handlers.
    pub router: Router,
}

/// Groups routes by endpoint, refuses two receivers claiming one path, binds each endpoint
/// once and serves until `stop`.
pub async fn serve(
    routes: Vec<WebhookRoutes>,
    stop: &CancellationToken,
) -> Result<Vec<JoinHandle<()>>, BuildError> {
    let mut by_endpoint: BTreeMap<String, Vec<WebhookRoutes>> = BTreeMap::new();
    for r in routes {
        by_endpoint.entry(r.endpoint.clone()).or_default().push(r);
    }
    let mut tasks = Vec::new();
    for (endpoint, group) in by_endpoint {
        let mut claimed: BTreeMap<&str, &ComponentId> = BTreeMap::new();
        for r in &group {
            for path in &r.paths {
                if let Some(other) = claimed.insert(path, &r.id) {
                    return Err(BuildError::new(
                        "receiver",
                        &r.id,
                        format!(
                            "path {path} on {endpoint} is already served by receiver {other}; give one of them another path"
                        ),
                    ));
                }
            }
        }
        let first = &group[0].id;
        let listener = TcpListener::bind(&endpoint).await.map_err(|e| {
            BuildError::new(
                "receiver",
                first,
                format!("cannot listen on {endpoint} (webhook): {e}"),
            )
        })?;
        let address = listener.local_addr().map_err(|e| {
            BuildError::new(
                "receiver",
                first,
                format!("cannot listen on {endpoint} (webhook): {e}"),
            )
        })?;
        let mut router = Router::new();
        for r in group {
            tracing::info!(receiver = %r.id, transport = "webhook", address = %address, paths = ?r.paths, "listening");
            router = router.merge(r.router);
        }
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await
            {
                tracing::error!(endpoint = %endpoint, error = %e, "webhook listener stopped");
            }
        }));
    }
    Ok(tasks)
}
