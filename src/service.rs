//! Running a loaded config: build exporters, pipelines and receivers, serve until a signal, then
//! shut down in order — receivers first, then processors drain, then exporter queues, within the
//! configured deadline.

use crate::build::{self, BuildError};
use crate::components::{Config, ExtensionConfig};
use ciotel_cicd::live::LiveBoards;
use ciotel_core::auth::AuthResolver;
use ciotel_core::config::service::MetricsLevel;
use ciotel_core::extensions::health_check::{self, Readiness};
use ciotel_core::telemetry::Registry;
use ciotel_core::telemetry::server::serve_metrics;
use std::future::Future;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Why the daemon stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A component could not be built or started.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// A listener of the daemon's own could not start (address in use, TLS files, auth).
    #[error("{what}: {message}")]
    Listener {
        /// What the listener is for.
        what: String,
        /// What went wrong.
        message: String,
    },
    /// Shutdown did not finish within `service.shutdown_timeout`.
    #[error(
        "shutdown did not finish within {deadline:?}; {batches} batch(es) ({items} items) still in in-memory sending queues were lost{}",
        if *batches == 0 { " (data a batch processor still held, if any, was lost too)" } else { "" }
    )]
    ShutdownTimeout {
        /// `service.shutdown_timeout`.
        deadline: Duration,
        /// Batches lost from in-memory queues (persistent queues keep theirs).
        batches: usize,
        /// Items in them.
        items: u64,
    },
}

/// Runs the daemon until `stop` resolves, then shuts down gracefully.
pub async fn run(config: Config, stop: impl Future<Output = ()>) -> Result<(), RunError> {
    let registry = Registry::new();
    let readiness = Readiness::default();
    let background = CancellationToken::new();
    let stop_receivers = CancellationToken::new();
    let mut side_tasks: Vec<JoinHandle<()>> = Vec::new();

    let started = start_all(
        &config,
        &registry,
        &readiness,
        &background,
        &stop_receivers,
        &mut side_tasks,
    )
    .await;
    let started = match started {
        Ok(s) => s,
        Err(e) => {
            background.cancel();
            stop_receivers.cancel();
            return Err(e);
        }
    };
    // Poll `stop` once before saying "ready", so its signal handlers are installed by the time
    // anyone who waits for that line sends SIGTERM.
    let mut stop = std::pin::pin!(stop);
    let stopped_early = tokio::select! {
        biased;
        () = &mut stop => true,
        () = std::future::ready(()) => false,
    };
    readiness.set(true);
    tracing::info!(
        pipelines = config.service.pipelines.len(),
        "ciotel is ready"
    );

    if !stopped_early {
        stop.await;
    }
    tracing::info!("shutting down: stopping receivers, then draining pipelines and exporters");
    readiness.set(false);
    let deadline = config.service.shutdown_timeout;
    let exporters = started.exporters.clone();
    let drained = tokio::time::timeout(deadline, shut_down(started, stop_receivers)).await;
    background.cancel();
    for task in side_tasks {
        let _ = tokio::time::timeout(Duration::from_secs(1), task).await;
    }
    match drained {
        Ok(()) => {
            tracing::info!("shutdown complete");
            Ok(())
        }
        Err(_) => {
            let (mut batches, mut items) = (0, 0);
            for exporter in &exporters {
                let lost = exporter.report_loss();
                batches += lost.batches;
                items += lost.items;
            }
            Err(RunError::ShutdownTimeout {
                deadline,
                batches,
                items,
            })
        }
    }
}

/// Everything that runs, in the order it is stopped.
struct Started {
    receiver_tasks: Vec<JoinHandle<()>>,
    processor_tasks: Vec<JoinHandle<()>>,
    exporters: Vec<std::sync::Arc<ciotel_core::exporters::queue::QueuedExporter>>,
}

async fn start_all(
    config: &Config,
    registry: &Registry,
    readiness: &Readiness,
    background: &CancellationToken,
    stop_receivers: &CancellationToken,
    side_tasks: &mut Vec<JoinHandle<()>>,
) -> Result<Started, RunError> {
    ciotel_core::body::budget::set_limit(config.service.max_in_flight_body_size);
    let resolver = build::authenticators(config)?;
    let listener_error = |what: String| {
        move |e: &dyn std::fmt::Display| RunError::Listener {
            what: what.clone(),
            message: e.to_string(),
        }
    };
    let views = build::views(config);
    // Every github / gitlab receiver's live board, for the hung check and the page.
    let boards = LiveBoards::new();
    for id in &config.service.extensions {
        if let (Some(ExtensionConfig::CicdView(c)), Some(store)) =
            (config.extensions.get(id), views.get(id))
        {
            let fail = listener_error(format!("extension {id}"));
            let auth = match &c.auth {
                Some(r) => Some(
                    resolver
                        .server(&r.authenticator)
                        .map_err(|e| fail(&format!("auth: {e}")))?,
                ),
                None => None,
            };
            if auth.is_none() && !c.endpoint.is_loopback() {
                tracing::warn!(extension = %id, endpoint = %c.endpoint, "the cicd_view page shows job names, repositories and runners to anyone who can reach it: it listens beyond loopback without `auth`");
            }
            let name = id.to_string();
            let (address, task) = ciotel_view::start(
                &name,
                c,
                store.clone(),
                boards.clone(),
                registry,
                auth,
                background.clone(),
            )
            .await
            .map_err(|e| fail(&e))?;
            tracing::info!(extension = %id, transport = "http", address = %address, "listening");
            side_tasks.push(task);
        }
        if let Some(ExtensionConfig::HealthCheck(hc)) = config.extensions.get(id) {
            let fail = listener_error(format!("extension {id}"));
            let auth = match &hc.auth {
                Some(r) => Some(
                    resolver
                        .server(&r.authenticator)
                        .map_err(|e| fail(&format!("auth: {e}")))?,
                ),
                None => None,
            };
            let name = id.to_string();
            let (address, task) = health_check::start(
                &name,
                hc,
                readiness.clone(),
                registry,
                auth,
                background.clone(),
            )
            .await
            .map_err(|e| fail(&e))?;
            tracing::info!(extension = %id, transport = "http", address = %address, "listening");
            side_tasks.push(task);
        }
    }
    let metrics = &config.service.telemetry.metrics;
    if metrics.level != MetricsLevel::None {
        let fail = listener_error("service.telemetry.metrics".into());
        let auth = match &metrics.auth {
            Some(r) => Some(
                resolver
                    .server(&r.authenticator)
                    .map_err(|e| fail(&format!("auth: {e}")))?,
            ),
            None => None,
        };
        let (address, task) = serve_metrics(
            &metrics.address,
            &metrics.server_settings(),
            registry.clone(),
            auth,
            background.clone(),
        )
        .await
        .map_err(|e| fail(&e))?;
        tracing::info!(telemetry = "metrics", transport = "http", address = %address, "listening");
        side_tasks.push(task);
    }

    let exporters = build::exporters(config, registry, &resolver, &views)?;
    let mut processor_tasks = Vec::new();
    let inputs = build::pipelines(
        config,
        &exporters,
        &build::Shared {
            registry,
            readiness,
            background,
        },
        &mut processor_tasks,
    )?;
    let receiver_tasks =
        build::start_receivers(config, inputs, registry, &resolver, stop_receivers, &boards)
            .await?;
    Ok(Started {
        receiver_tasks,
        processor_tasks,
        exporters: exporters.into_values().collect(),
    })
}

async fn shut_down(started: Started, stop_receivers: CancellationToken) {
    stop_receivers.cancel();
    for task in started.receiver_tasks {
        let _ = task.await;
    }
    // Receivers are gone, so nothing holds the pipelines' inboxes: batch tasks flush and end.
    for task in started.processor_tasks {
        let _ = task.await;
    }
    let drains: Vec<_> = started
        .exporters
        .into_iter()
        .map(|exporter| tokio::spawn(async move { exporter.drain().await }))
        .collect();
    for drain in drains {
        let _ = drain.await;
    }
}
