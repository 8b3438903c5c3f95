//! Turning component configs into running components: exporters behind their queues, each
//! pipeline's processor chain, and receivers.

use crate::components::{Config, ExporterConfig, ExtensionConfig, ProcessorConfig, ReceiverConfig};
use crate::live;
use crate::webhooks::{self, WebhookRoutes};
use ciotel_cicd::environments::EnvironmentsConfig;
use ciotel_cicd::hierarchy::HierarchyProcessor;
use ciotel_cicd::live::LiveBoards;
use ciotel_cicd::ownership::OwnershipProcessor;
use ciotel_cicd::signals::{CicdSignals, SignalsConfig};
use ciotel_core::auth::{AuthResolver, Authenticators};
use ciotel_core::config::ComponentInfo;
use ciotel_core::config::graph::pipeline_order;
use ciotel_core::config::service::PipelineConfig;
use ciotel_core::connectors::ConnectorConfig;
use ciotel_core::connectors::routing::{Router, RoutingConnector};
use ciotel_core::exporters::Exporter;
use ciotel_core::exporters::debug::{DebugExporter, TraceRenderer};
use ciotel_core::exporters::fanout::ExporterFanout;
use ciotel_core::exporters::nop::NopExporter;
use ciotel_core::exporters::queue::disk::DiskOptions;
use ciotel_core::exporters::queue::{QueueConfig, QueuedExporter};
use ciotel_core::exporters::retry::RetryConfig;
use ciotel_core::extensions::file_storage::FileStorageConfig;
use ciotel_core::pipeline::signals::SignalSink;
use ciotel_core::pipeline::{PipelineInputs, ReceiverOutput};
use ciotel_core::processors::TransformStage;
use ciotel_core::processors::attributes::AttributesProcessor;
use ciotel_core::processors::batch::BatchProcessor;
use ciotel_core::processors::filter::FilterProcessor;
use ciotel_core::processors::memory_limiter::{LiveHeap, MemoryLimiter};
use ciotel_core::processors::resource::ResourceProcessor;
use ciotel_core::readiness::Readiness;
use ciotel_core::telemetry::Registry;
use ciotel_core::{ComponentId, NextConsumer, PipelineId, Signal};
use ciotel_otlp::exporters::file::FileExporter;
use ciotel_otlp::exporters::otlp_grpc::OtlpGrpcExporter;
use ciotel_otlp::exporters::otlp_http::OtlpHttpExporter;
use ciotel_view::{CicdViewExporter, CicdViewExporterConfig, RunStore};
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// A component that could not be built or started.
#[derive(Debug, thiserror::Error)]
#[error("{kind} `{id}`: {message}")]
pub struct BuildError {
    /// `receiver`, `processor`, `exporter`, `extension`, `connector` or `pipeline`.
    pub kind: &'static str,
    /// The component id.
    pub id: String,
    /// What went wrong.
    pub message: String,
}

impl BuildError {
    /// An error of component `id` of `kind`.
    pub fn new(kind: &'static str, id: &ComponentId, message: impl ToString) -> Self {
        BuildError {
            kind,
            id: id.to_string(),
            message: message.to_string(),
        }
    }
}

/// Builds the authenticator extensions listed in `service.extensions` (reading their token and
/// htpasswd files), for the listeners and exporters whose `auth:` names them.
pub fn authenticators(config: &Config) -> Result<Authenticators, BuildError> {
    let extensions = config
        .extensions
        .iter()
        .map(|(id, extension)| (id, extension.authenticator()));
    Authenticators::build(extensions, &config.service.extensions).map_err(|e| BuildError {
        kind: "extension",
        id: e.id,
        message: e.message,
    })
}

/// The stores of the `cicd_view` extensions listed in `service.extensions`, by id: each
/// extension's page reads its store, the `cicd_view` exporters naming it fill it.
pub type Views = BTreeMap<ComponentId, Arc<RunStore>>;

/// An empty store for every `cicd_view` extension listed in `service.extensions`.
pub fn views(config: &Config) -> Views {
    config
        .service
        .extensions
        .iter()
        .filter_map(|id| match config.extensions.get(id) {
            Some(ExtensionConfig::CicdView(c)) => {
                Some((id.clone(), Arc::new(RunStore::new(c.bounds()))))
            }
            _ => None,
        })
        .collect()
}

/// Checks that every `cicd_view` exporter names a `cicd_view` extension listed in
/// `service.extensions` (for `ciotel validate`).
pub fn check_views(config: &Config) -> Vec<BuildError> {
    config
        .exporters
        .iter()
        .filter_map(|(id, exporter)| match exporter {
            ExporterConfig::CicdView(c) => view_extension(config, id, c).err(),
            _ => None,
        })
        .collect()
}

/// The extension a `cicd_view` exporter feeds, checked.
fn view_extension<'a>(
    config: &Config,
    id: &ComponentId,
    exporter: &'a CicdViewExporterConfig,
) -> Result<&'a ComponentId, BuildError> {
    let extension = &exporter.extension;
    let fail = |m: String| BuildError::new("exporter", id, format!("extension: {m}"));
    match config.extensions.get(extension) {
        None => Err(fail(format!(
            "extension `{extension}` is not defined under `extensions`"
        ))),
        Some(ExtensionConfig::CicdView(_)) if config.service.extensions.contains(extension) => {
            Ok(extension)
        }
        Some(ExtensionConfig::CicdView(_)) => Err(fail(format!(
            "extension `{extension}` is not listed in service.extensions"
        ))),
        Some(_) => Err(fail(format!(
            "extension `{extension}` is not a cicd_view extension"
        ))),
    }
}

/// Builds every exporter some pipeline uses, each behind its own sending queue (connectors
/// listed as exporters are built with the pipelines).
pub fn exporters(
    config: &Config,
    registry: &Registry,
    authenticators: &Authenticators,
    views: &Views,
) -> Result<BTreeMap<ComponentId, Arc<QueuedExporter>>, BuildError> {
    let mut out = BTreeMap::new();
    for pipeline in config.service.pipelines.values() {
        for id in &pipeline.exporters {
            if out.contains_key(id) || config.connectors.get(id).is_some() {
                continue;
            }
            let Some(exporter_config) = config.exporters.get(id) else {
                return Err(BuildError::new("exporter", id, "not defined"));
            };
            let (exporter, queue, retry) =
                exporter(config, id, exporter_config, authenticators, views)?;
            let name = id.to_string();
            let queued = match queue_storage(config, id, &queue)? {
                None => QueuedExporter::start(&name, exporter, &queue, &retry, registry),
                Some(disk) => {
                    QueuedExporter::start_on_disk(&name, exporter, &queue, &retry, registry, disk)
                        .map_err(|e| BuildError::new("exporter", id, e))?
                }
            };
            out.insert(id.clone(), queued);
        }
    }
    Ok(out)
}

/// Where exporter `id` keeps its queue on disk, when `sending_queue.storage` names a
/// `file_storage` extension (which, as in the Collector, must be listed in `service.extensions`).
pub fn queue_storage(
    config: &Config,
    id: &ComponentId,
    queue: &QueueConfig,
) -> Result<Option<DiskOptions>, BuildError> {
    let Some(file_storage) = storage_extension(config, id, queue)? else {
        return Ok(None);
    };
    file_storage
        .queue_options(id)
        .map(Some)
        .map_err(|m| BuildError::new("exporter", id, format!("sending_queue.storage: {m}")))
}

/// Checks every exporter's `sending_queue.storage` reference without touching the disk (for
/// `ciotel validate`).
pub fn check_queue_storage(config: &Config) -> Vec<BuildError> {
    config
        .exporters
        .iter()
        .filter_map(|(id, exporter)| {
            let queue = match exporter {
                ExporterConfig::Otlp(c) => &c.sending_queue,
                ExporterConfig::OtlpHttp(c) => &c.sending_queue,
                ExporterConfig::File(_)
                | ExporterConfig::Debug(_)
                | ExporterConfig::Nop(_)
                | ExporterConfig::CicdView(_) => {
                    return None;
                }
            };
            storage_extension(config, id, queue).err()
        })
        .collect()
}

/// The `file_storage` extension `queue.storage` names, checked.
fn storage_extension<'a>(
    config: &'a Config,
    id: &ComponentId,
    queue: &QueueConfig,
) -> Result<Option<&'a FileStorageConfig>, BuildError> {
    let Some(storage) = &queue.storage else {
        return Ok(None);
    };
    let fail = |m: String| BuildError::new("exporter", id, format!("sending_queue.storage: {m}"));
    let Some(extension) = config.extensions.get(storage) else {
        return Err(fail(format!(
            "extension `{storage}` is not defined under `extensions`"
        )));
    };
    let ExtensionConfig::FileStorage(file_storage) = extension else {
        return Err(fail(format!(
            "extension `{storage}` is not a file_storage extension"
        )));
    };
    if !config.service.extensions.contains(storage) {
        return Err(fail(format!(
            "extension `{storage}` is not listed in service.extensions"
        )));
    }
    Ok(Some(file_storage))
}

fn exporter(
    full: &Config,
    id: &ComponentId,
    config: &ExporterConfig,
    authenticators: &Authenticators,
    views: &Views,
) -> Result<(Arc<dyn Exporter>, QueueConfig, RetryConfig), BuildError> {
    let name = id.to_string();
    let fail = |e: &dyn std::fmt::Display| BuildError::new("exporter", id, e);
    Ok(match config {
        ExporterConfig::Otlp(c) => {
            let e = OtlpGrpcExporter::with_auth(&name, c, authenticators).map_err(|e| fail(&e))?;
            (
                Arc::new(e),
                c.sending_queue.clone(),
                c.retry_on_failure.clone(),
            )
        }
        ExporterConfig::OtlpHttp(c) => {
            let e = OtlpHttpExporter::with_auth(&name, c, authenticators).map_err(|e| fail(&e))?;
            (
                Arc::new(e),
                c.sending_queue.clone(),
                c.retry_on_failure.clone(),
            )
        }
        ExporterConfig::File(c) => {
            let e = FileExporter::new(&name, c).map_err(|e| fail(&e))?;
            // One writer keeps lines in the order batches arrived.
            let queue = QueueConfig {
                num_consumers: 1,
                ..QueueConfig::default()
            };
            (
                Arc::new(e),
                queue,
                RetryConfig {
                    enabled: false,
                    ..RetryConfig::default()
                },
            )
        }
        ExporterConfig::Debug(c) => {
            let queue = QueueConfig {
                num_consumers: 1,
                ..QueueConfig::default()
            };
            // `detailed` shows trace batches as the waterfall `ciotel explain` prints.
            let waterfall: TraceRenderer = Arc::new(ciotel_cicd::render::render_plain);
            (
                Arc::new(DebugExporter::new(&name, c).with_trace_renderer(waterfall)),
                queue,
                RetryConfig {
                    enabled: false,
                    ..RetryConfig::default()
                },
            )
        }
        ExporterConfig::CicdView(c) => {
            let extension = view_extension(full, id, c)?;
            let store = views
                .get(extension)
                .ok_or_else(|| fail(&format!("extension `{extension}` has no page")))?;
            (
                Arc::new(CicdViewExporter::new(store.clone())),
                QueueConfig {
                    num_consumers: 1,
                    ..QueueConfig::default()
                },
                RetryConfig {
                    enabled: false,
                    ..RetryConfig::default()
                },
            )
        }
        ExporterConfig::Nop(_) => (
            Arc::new(NopExporter),
            QueueConfig::default(),
            RetryConfig {
                enabled: false,
                ..RetryConfig::default()
            },
        ),
    })
}

/// What stages of every pipeline share: metrics, readiness, and the token that ends their timers.
pub struct Shared<'a> {
    /// The daemon's metrics.
    pub registry: &'a Registry,
    /// Stages that refuse data say so here (the health check's readiness path answers it).
    pub readiness: &'a Readiness,
    /// Cancelled once the pipelines have drained.
    pub background: &'a CancellationToken,
}

/// Builds every pipeline, a connector's downstream pipelines before the pipelines exporting to
/// it, and returns what each receiver feeds (connectors are not receivers: they are built here).
pub fn pipelines(
    config: &Config,
    exporters: &BTreeMap<ComponentId, Arc<QueuedExporter>>,
    shared: &Shared,
    tasks: &mut Vec<JoinHandle<()>>,
) -> Result<BTreeMap<ComponentId, PipelineInputs>, BuildError> {
    let is_connector = |id: &ComponentId| config.connectors.get(id).is_some();
    let order =
        pipeline_order(&config.service.pipelines, is_connector).map_err(|cycle| BuildError {
            kind: "pipeline",
            id: cycle.first().cloned().unwrap_or_default(),
            message: format!("pipelines form a cycle: {}", cycle.join(" → ")),
        })?;
    let mut first_stages: BTreeMap<PipelineId, NextConsumer> = BTreeMap::new();
    let mut connectors: BTreeMap<ComponentId, NextConsumer> = BTreeMap::new();
    let mut inputs: BTreeMap<ComponentId, PipelineInputs> = BTreeMap::new();
    for pipeline_id in order {
        let pipeline = &config.service.pipelines[&pipeline_id];
        for id in pipeline.exporters.iter().filter(|id| is_connector(id)) {
            if !connectors.contains_key(id) {
                let built = connector(config, id, &first_stages)?;
                connectors.insert(id.clone(), built);
            }
        }
        let first = self::pipeline(
            config,
            &pipeline_id,
            pipeline,
            exporters,
            &connectors,
            shared,
            tasks,
        )?;
        for receiver in pipeline.receivers.iter().filter(|id| !is_connector(id)) {
            inputs
                .entry(receiver.clone())
                .or_default()
                .add(pipeline_id.signal, first.clone());
        }
        first_stages.insert(pipeline_id, first);
    }
    Ok(inputs)
}

/// Builds connector `id` onto the first stages of the pipelines it feeds (built already).
fn connector(
    config: &Config,
    id: &ComponentId,
    first_stages: &BTreeMap<PipelineId, NextConsumer>,
) -> Result<NextConsumer, BuildError> {
    match config.connectors.get(id) {
        Some(ConnectorConfig::Routing(c)) => {
            let router = Router::new(c, |p| first_stages.get(p).cloned())
                .map_err(|e| BuildError::new("connector", id, e))?;
            Ok(Arc::new(RoutingConnector::new(router)))
        }
        None => Err(BuildError::new("connector", id, "not defined")),
    }
}

/// Builds one pipeline's processors in front of its exporters (and the connectors it exports
/// to) and returns its first stage.
pub fn pipeline(
    config: &Config,
    pipeline_id: &PipelineId,
    pipeline: &PipelineConfig,
    exporters: &BTreeMap<ComponentId, Arc<QueuedExporter>>,
    connectors: &BTreeMap<ComponentId, NextConsumer>,
    shared: &Shared,
    tasks: &mut Vec<JoinHandle<()>>,
) -> Result<NextConsumer, BuildError> {
    let ends = pipeline
        .exporters
        .iter()
        .filter_map(|id| exporters.get(id).cloned())
        .collect();
    let to_connectors = pipeline
        .exporters
        .iter()
        .filter_map(|id| connectors.get(id).cloned())
        .collect();
    let mut next: NextConsumer = Arc::new(ExporterFanout::new(ends).with_connectors(to_connectors));
    for id in pipeline.processors.iter().rev() {
        let Some(processor) = config.processors.get(id) else {
            return Err(BuildError::new("processor", id, "not defined"));
        };
        next = match processor {
            ProcessorConfig::Batch(c) => {
                let (p, task) = BatchProcessor::start(c.clone(), pipeline_id.signal, next);
                tasks.push(task);
                Arc::new(p)
            }
            ProcessorConfig::MemoryLimiter(c) => Arc::new(
                MemoryLimiter::start(
                    &id.to_string(),
                    c,
                    LiveHeap,
                    shared.readiness.clone(),
                    shared.registry,
                    next,
                    shared.background.clone(),
                )
                .map_err(|e| BuildError::new("processor", id, e))?,
            ),
            ProcessorConfig::Attributes(c) => Arc::new(TransformStage::new(
                AttributesProcessor::new(c.clone()),
                next,
            )),
            ProcessorConfig::Resource(c) => {
                Arc::new(TransformStage::new(ResourceProcessor::new(c.clone()), next))
            }
            ProcessorConfig::CicdHierarchy(c) => Arc::new(TransformStage::new(
                HierarchyProcessor::new(c.clone()),
                next,
            )),
            ProcessorConfig::CicdOwnership(c) => Arc::new(TransformStage::new(
                OwnershipProcessor::new((**c).clone()),
                next,
            )),
            ProcessorConfig::Filter(c) => Arc::new(TransformStage::new(
                FilterProcessor::new((**c).clone()),
                next,
            )),
        };
    }
    Ok(next)
}

/// Starts every receiver with the pipelines it feeds; webhook receivers on one endpoint share a
/// listener; each `github` / `gitlab` receiver gets its live board from `boards`. Returns the
/// server tasks, which end once `stop` fires.
pub async fn start_receivers(
    config: &Config,
    inputs: BTreeMap<ComponentId, PipelineInputs>,
    registry: &Registry,
    resolver: &dyn AuthResolver,
    stop: &CancellationToken,
    boards: &LiveBoards,
) -> Result<Vec<JoinHandle<()>>, BuildError> {
    let mut tasks = Vec::new();
    let mut webhook_routes = Vec::new();
    for (id, receiver_inputs) in inputs {
        let name = id.to_string();
        match config.receivers.get(&id) {
            Some(ReceiverConfig::Otlp(c)) => {
                let running = ciotel_otlp::receiver::start(
                    &name,
                    c,
                    receiver_inputs,
                    registry,
                    resolver,
                    stop.clone(),
                )
                .await
                .map_err(|e| BuildError::new("receiver", &id, e))?;
                if let Some(a) = running.grpc_address {
                    tracing::info!(receiver = %name, transport = "grpc", address = %a, "listening");
                }
                if let Some(a) = running.http_address {
                    tracing::info!(receiver = %name, transport = "http", address = %a, "listening");
                }
                tasks.extend(running.tasks);
            }
            Some(ReceiverConfig::Github(c)) => {
                let (signals, collection) = cicd_signals(
                    config,
                    &id,
                    &receiver_inputs,
                    registry,
                    (&c.signals, &c.environments),
                    stop,
                );
                tasks.extend(collection);
                let signals = signals.with_board(boards.board(&name, &c.live));
                tasks.extend(live::start_check(&signals, c.trace_id_recipe, stop));
                // With both, completed runs go from the webhook to the poller, to be emitted
                // with their jobs.
                let (handoff, requests) =
                    ciotel_github::poller::run_handoff(ciotel_github::poller::CAPACITY);
                let both = c.webhook.is_some() && c.api.is_some();
                let (handoff, requests) = (both.then_some(handoff), both.then_some(requests));
                if let Some(webhook) = &c.webhook {
                    warn_if_unsigned(&name, webhook.secret.is_none(), &webhook.endpoint);
                    let output =
                        ReceiverOutput::new(receiver_inputs.clone(), registry, &name, "webhook");
                    webhook_routes.push(WebhookRoutes {
                        id: id.clone(),
                        endpoint: webhook.endpoint.clone(),
                        paths: vec![webhook.path.clone(), webhook.health_path.clone()],
                        router: ciotel_github::receiver::webhook_router_with_signals(
                            &name,
                            webhook,
                            c.trace_id_recipe,
                            output,
                            handoff,
                            signals.clone(),
                        ),
                        listener: webhook.listener.clone(),
                        auth: webhook.auth.clone(),
                        signed: webhook.secret.is_some(),
                    });
                }
                if let Some(api) = &c.api {
                    let output =
                        ReceiverOutput::new(receiver_inputs.clone(), registry, &name, "api");
                    let poller = ciotel_github::poller::start(
                        &name,
                        api,
                        c.trace_id_recipe,
                        output,
                        stop.clone(),
                        requests,
                        signals,
                    )
                    .map_err(|e| BuildError::new("receiver", &id, e))?;
                    tracing::info!(receiver = %name, base_url = %api.base_url, interval = ?api.interval, "polling the GitHub REST API");
                    tasks.push(poller);
                }
            }
            Some(ReceiverConfig::Gitlab(c)) => {
                let (signals, collection) = cicd_signals(
                    config,
                    &id,
                    &receiver_inputs,
                    registry,
                    (&c.signals, &c.environments),
                    stop,
                );
                tasks.extend(collection);
                let signals = signals.with_board(boards.board(&name, &c.live));
                tasks.extend(live::start_check(&signals, ciotel_gitlab::ID_RECIPE, stop));
                if let Some(webhook) = &c.webhook {
                    warn_if_unsigned(&name, webhook.secret.is_none(), &webhook.endpoint);
                    let output =
                        ReceiverOutput::new(receiver_inputs.clone(), registry, &name, "webhook");
                    webhook_routes.push(WebhookRoutes {
                        id: id.clone(),
                        endpoint: webhook.endpoint.clone(),
                        paths: vec![webhook.path.clone(), webhook.health_path.clone()],
                        router: ciotel_gitlab::receiver::webhook_router_with_signals(
                            &name,
                            webhook,
                            output,
                            signals.clone(),
                        ),
                        listener: webhook.listener.clone(),
                        auth: webhook.auth.clone(),
                        signed: webhook.secret.is_some(),
                    });
                }
                if let Some(api) = &c.api {
                    let output =
                        ReceiverOutput::new(receiver_inputs.clone(), registry, &name, "api");
                    let poller =
                        ciotel_gitlab::poller::start(&name, api, output, stop.clone(), signals)
                            .map_err(|e| BuildError::new("receiver", &id, e))?;
                    tracing::info!(receiver = %name, base_url = %api.base_url, interval = ?api.interval, "polling the GitLab REST API");
                    tasks.push(poller);
                }
            }
            None => return Err(BuildError::new("receiver", &id, "not defined")),
        }
    }
    tasks.extend(webhooks::serve(webhook_routes, registry, resolver, stop).await?);
    Ok(tasks)
}

/// The metrics and logs ends of CI receiver `name` (its `metrics` and `logs` pipelines), and
/// the task that collects its metrics every `collection_interval` when a metrics pipeline
/// lists it; the task's last collection runs once `stop` fires, before the pipelines drain.
/// Failed jobs are judged for `cicd.system.errors` with the first `cicd_ownership` processor
/// of a traces pipeline the receiver feeds, so metrics and spans give the same verdict.
fn cicd_signals(
    config: &Config,
    id: &ComponentId,
    inputs: &PipelineInputs,
    registry: &Registry,
    (signals, environments): (&SignalsConfig, &EnvironmentsConfig),
    stop: &CancellationToken,
) -> (CicdSignals, Option<JoinHandle<()>>) {
    let name = id.to_string();
    let sink = SignalSink::new(inputs, registry, &name);
    let collection = sink.accepts(Signal::Metrics).then(|| {
        tokio::spawn(
            sink.clone()
                .run_collection(name, signals.collection_interval, stop.clone()),
        )
    });
    let ownership = config
        .service
        .pipelines
        .iter()
        .filter(|(pid, p)| pid.signal == Signal::Traces && p.receivers.contains(id))
        .flat_map(|(_, p)| &p.processors)
        .find_map(|p| match config.processors.get(p) {
            Some(ProcessorConfig::CicdOwnership(c)) => Some((**c).clone()),
            _ => None,
        })
        .unwrap_or_default();
    (
        CicdSignals::new(sink, signals.clone(), ownership, environments.clone()),
        collection,
    )
}

/// Says loudly that a webhook receiver accepts unsigned deliveries (`insecure: true`, which the
/// config allows on loopback only).
fn warn_if_unsigned(receiver: &str, unsigned: bool, endpoint: &impl std::fmt::Display) {
    if unsigned {
        tracing::warn!(receiver, %endpoint, "webhook runs WITHOUT a secret (insecure: true): anyone who can reach it can send events; set `secret` outside local trials");
    }
}
