//! ciotel-view: the `cicd_view` extension, a small web page served from the binary (assets
//! embedded, rendered on the server so it reads without JavaScript) that shows what the
//! pipeline produced: recent runs with their waterfall coloured by owner and the verdict line,
//! filterable by repository, the jobs queued and running now, and each change's path to
//! production (its reviews, runs and deployments).
//!
//! Where its data comes from, Collector-style and visible in the config: the extension owns a
//! bounded [`RunStore`]; a `cicd_view` exporter at the end of a traces pipeline feeds it, so
//! the page shows spans exactly as exported, after `cicd_ownership` (owners, verdict spans).
//! Queued and running work comes from the daemon's live boards (`ciotel_cicd::live`), which
//! the `github` and `gitlab` receivers keep; the page only reads them.
//!
//! Files, one concern each:
//! - `config.rs`: the extension's and the exporter's keys and defaults;
//! - `store.rs`: the bounded store of recent runs, by trace id;
//! - `exporter.rs`: the `cicd_view` exporter that feeds it;
//! - `html.rs`: escaping payload text;
//! - `runs_view.rs`: runs as HTML (waterfall, verdict);
//! - `live_view.rs`: queued and running jobs as HTML;
//! - `change_view.rs`: a change's path to production (change traces) as HTML;
//! - `page.rs`: the document and the overview's sections;
//! - `server.rs`: the routes (pages, the `/updates` long poll, assets);
//! - `assets.rs`: the embedded stylesheet and script (`assets/`).

#![warn(missing_docs)]

pub mod assets;
pub mod change_view;
pub mod config;
pub mod exporter;
pub mod html;
pub mod live_view;
pub mod page;
pub mod runs_view;
pub mod server;
pub mod store;

pub use config::{CicdViewConfig, CicdViewExporterConfig};
pub use exporter::CicdViewExporter;
pub use store::RunStore;

use ciotel_cicd::live::LiveBoards;
use ciotel_core::auth::ServerAuthenticator;
use ciotel_core::server::{Alpn, HttpAuth, ListenError, ListenerName, bind, serve_http};
use ciotel_core::telemetry::Registry;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Binds the page's endpoint and serves `store` (recent runs) and `live` (the daemon's live
/// boards) until `shutdown`; returns the bound address.
pub async fn start(
    id: &str,
    config: &CicdViewConfig,
    store: Arc<RunStore>,
    live: LiveBoards,
    registry: &Registry,
    auth: Option<Arc<dyn ServerAuthenticator>>,
    shutdown: CancellationToken,
) -> Result<(SocketAddr, JoinHandle<()>), ListenError> {
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
    let (live_version, watcher) = server::watch_live(&live, shutdown.clone());
    let app = server::routes(server::View {
        store,
        live,
        live_version,
        shutdown: shutdown.clone(),
    });
    let serving = serve_http(listener, app, &settings, auth.map(HttpAuth::new), shutdown);
    let task = tokio::spawn(async move {
        let _ = serving.await;
        let _ = watcher.await;
    });
    Ok((address, task))
}
