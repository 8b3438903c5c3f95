//! Serves the registry as Prometheus text at `/metrics`, through the listener kit with its own
//! connection limit (so a flood on the data listeners never starves it).

use super::Registry;
use crate::auth::ServerAuthenticator;
use crate::config::values::ListenAddress;
use crate::server::{
    Alpn, HttpAuth, HttpServerSettings, ListenError, ListenerName, bind, serve_http,
};
use axum::Router;
use axum::http::header;
use axum::routing::get;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Binds `address` and serves `/metrics` until `shutdown` fires; returns the bound address.
pub async fn serve_metrics(
    address: &ListenAddress,
    settings: &HttpServerSettings,
    registry: Registry,
    auth: Option<Arc<dyn ServerAuthenticator>>,
    shutdown: CancellationToken,
) -> Result<(std::net::SocketAddr, tokio::task::JoinHandle<()>), ListenError> {
    let name = ListenerName {
        component: "telemetry",
        transport: "metrics",
    };
    let listener = bind(
        name,
        address,
        &settings.connections,
        Alpn::Http1,
        auth.is_some(),
        &registry,
        &shutdown,
    )
    .await?;
    let bound = listener.local_addr();
    let app = Router::new().route(
        "/metrics",
        get(move || {
            let registry = registry.clone();
            async move {
                (
                    [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                    registry.render(),
                )
            }
        }),
    );
    let task = serve_http(listener, app, settings, auth.map(HttpAuth::new), shutdown);
    Ok((bound, task))
}
