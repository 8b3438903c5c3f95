//! Webhook listeners: every webhook receiver (GitHub, later GitLab) on the same endpoint shares
//! one HTTP listener from the listener kit, each answering only its own paths. Receivers on one
//! endpoint must agree on its listener settings (timeouts, limits, TLS, auth).

use crate::build::BuildError;
use axum::Router;
use ciotel_core::ComponentId;
use ciotel_core::auth::{AuthReference, AuthResolver};
use ciotel_core::config::values::ListenAddress;
use ciotel_core::server::{Alpn, HttpAuth, HttpServerSettings, ListenerName, bind, serve_http};
use ciotel_core::telemetry::Registry;
use std::collections::BTreeMap;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// One receiver's routes, waiting to be served on its endpoint.
pub struct WebhookRoutes {
    /// The receiver, for messages.
    pub id: ComponentId,
    /// Its `host:port`.
    pub endpoint: ListenAddress,
    /// The paths it claims (checked against the others on the endpoint).
    pub paths: Vec<String>,
    /// Its handlers.
    pub router: Router,
    /// The listener's timeouts, limits and TLS.
    pub listener: HttpServerSettings,
    /// The authenticator every delivery must satisfy.
    pub auth: Option<AuthReference>,
    /// Whether deliveries are checked with a secret (signature or token).
    pub signed: bool,
}

/// Groups routes by endpoint, refuses two receivers claiming one path (or disagreeing on the
/// listener), binds each endpoint once and serves until `stop`.
pub async fn serve(
    routes: Vec<WebhookRoutes>,
    registry: &Registry,
    resolver: &dyn AuthResolver,
    stop: &CancellationToken,
) -> Result<Vec<JoinHandle<()>>, BuildError> {
    let mut by_endpoint: BTreeMap<String, Vec<WebhookRoutes>> = BTreeMap::new();
    for r in routes {
        by_endpoint
            .entry(r.endpoint.to_string())
            .or_default()
            .push(r);
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
        let first = &group[0];
        if let Some(other) = group
            .iter()
            .find(|r| r.listener != first.listener || r.auth != first.auth)
        {
            return Err(BuildError::new(
                "receiver",
                &other.id,
                format!(
                    "shares the webhook endpoint {endpoint} with receiver {} but not its listener \
                     settings (timeouts, max_concurrent_connections, tls, auth); write the same \
                     ones in both",
                    first.id
                ),
            ));
        }
        let fail = |e: &dyn std::fmt::Display| {
            BuildError::new("receiver", &first.id, format!("webhook: {e}"))
        };
        let auth = match &first.auth {
            Some(r) => Some(HttpAuth::new(
                resolver
                    .server(&r.authenticator)
                    .map_err(|e| fail(&format!("auth: {e}")))?,
            )),
            None => None,
        };
        let component = first.id.to_string();
        let name = ListenerName {
            component: &component,
            transport: "webhook",
        };
        // Signed deliveries are authenticated, as is a listener with `auth:`.
        let authenticated = auth.is_some() || group.iter().all(|r| r.signed);
        let listener = bind(
            name,
            &first.endpoint,
            &first.listener.connections,
            Alpn::Http1,
            authenticated,
            registry,
            stop,
        )
        .await
        .map_err(|e| fail(&e))?;
        let address = listener.local_addr();
        let settings = first.listener.clone();
        let mut router = Router::new();
        for r in group {
            tracing::info!(receiver = %r.id, transport = "webhook", address = %address, paths = ?r.paths, "listening");
            router = router.merge(r.router);
        }
        tasks.push(serve_http(listener, router, &settings, auth, stop.clone()));
    }
    Ok(tasks)
}
