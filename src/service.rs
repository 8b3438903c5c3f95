//! Running a loaded config: build exporters, pipelines and receivers, serve until a signal, then
//! shut down in order — receivers first, then processors drain, then exporter queues, within the
//! configured deadline.

use crate::build::{self, BuildError};
use crate::components::{Config, ExtensionConfig};
use ciotel_core::ComponentId;
use ciotel_core::config::service::MetricsLevel;
use ciotel_core::extensions::health_check::{self, Readiness};
use ciotel_core::pipeline::PipelineInputs;
use ciotel_core::telemetry::Registry;
use ciotel_core::telemetry::server::serve_metrics;
use std::collections::BTreeMap;
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
    /// A listener of the daemon's own could not be bound.
    #[error("cannot listen on {endpoint} for {what}: {source}")]
    Bind {
        /// What the listener is for.
        what: String,
        /// The configured endpoint.
        endpoint: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// Shutdown did not finish within `service.shutdown_timeout`.
    #[error("shutdown did not finish within {0:?}; data still queued was lost")]
    ShutdownTimeout(Duration),
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
    readiness.set(true);
    tracing::info!(
        pipelines = config.service.pipelines.len(),
        "ciotel is ready"
    );

    stop.await;
    tracing::info!("shutting down: stopping receivers, then draining pipelines and exporters");
    readiness.set(false);
    let deadline = config.service.shutdown_timeout;
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
        Err(_) => Err(RunError::ShutdownTimeout(deadline)),
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
    for id in &config.service.extensions {
        if let Some(ExtensionConfig::HealthCheck(hc)) = config.extensions.get(id) {
            let (address, task) = health_check::start(hc, readiness.clone(), background.clone())
                .await
                .map_err(|source| RunError::Bind {
                    what: format!("extension {id}"),
                    endpoint: hc.endpoint.to_string(),
                    source,
                })?;
            tracing::info!(extension = %id, transport = "http", address = %address, "listening");
            side_tasks.push(task);
        }
    }
    let metrics = &config.service.telemetry.metrics;
    if metrics.level != MetricsLevel::None {
        let (address, task) = serve_metrics(
            metrics.address.as_str(),
            registry.clone(),
            background.clone(),
        )
        .await
        .map_err(|source| RunError::Bind {
            what: "service.telemetry.metrics".into(),
            endpoint: metrics.address.to_string(),
            source,
        })?;
        tracing::info!(telemetry = "metrics", transport = "http", address = %address, "listening");
        side_tasks.push(task);
    }

    let exporters = build::exporters(config, registry)?;
    let mut inputs: BTreeMap<ComponentId, PipelineInputs> = BTreeMap::new();
    let mut processor_tasks = Vec::new();
    for (pipeline_id, pipeline) in &config.service.pipelines {
        let first = build::pipeline(
            config,
            pipeline_id,
            pipeline,
            &exporters,
            &build::Shared {
                registry,
                readiness,
                background,
            },
            &mut processor_tasks,
        )?;
        for receiver in &pipeline.receivers {
            inputs
                .entry(receiver.clone())
                .or_default()
                .add(pipeline_id.signal, first.clone());
        }
    }
    let receiver_tasks = build::start_receivers(config, inputs, registry, stop_receivers).await?;
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
