//! What a CI receiver emits beside its spans: metrics made from its events, and log records,
//! into every `metrics` and `logs` pipeline that lists it (as the Collector's GitHub receiver
//! serves traces and metrics).
//!
//! [`CicdSignals`] is the one handle a platform receiver holds, shared by its webhook and its
//! poller (so a run both see counts once). The receiver calls [`CicdSignals::observe`] with
//! the run events it mapped and [`CicdSignals::observe_changes`] with its change events; other parts of a receiver (live state, hung jobs) emit log records
//! with [`CicdSignals::emit_logs`] and add gauges with [`CicdSignals::add_metric_source`]. The
//! timer that exports metrics every `collection_interval` is the sink's
//! ([`SignalSink::run_collection`]), started by the binary.
//!
//! Files: `config.rs` (`collection_interval`, `metrics:`), `events.rs` (the conventions' CI/CD
//! metrics from runs and jobs), `dora.rs` (the DORA figures from change events), `instruments.rs` (cumulative counters and histograms, bounded
//! in series, and their OTLP form), `dedup.rs` (each run attempt and job counted once).

pub mod config;
pub mod dedup;
pub mod dora;
pub mod events;
pub mod instruments;

#[cfg(test)]
mod dora_tests;
#[cfg(test)]
mod events_tests;

use crate::change::ChangeEvent;
use crate::environments::EnvironmentsConfig;
use crate::event::CiEvent;
use crate::live::{LiveBoard, LiveMetrics};
use crate::ownership::OwnershipConfig;
use ciotel_core::ConsumeError;
use ciotel_core::pipeline::signals::{MetricSource, SignalSink, unix_nanos_now};
use ciotel_core::signal::Signal;
use opentelemetry_proto::tonic::logs::v1::ResourceLogs;
use std::sync::Arc;

pub use config::{MetricsConfig, SignalsConfig, SignalsConfigError};
pub use dora::DoraMetrics;
pub use events::EventMetrics;

/// A CI receiver's metrics and logs: the sink into its pipelines and what it aggregates.
///
/// Cheap to clone; every clone shares one state. [`CicdSignals::none`] emits nothing, for a
/// receiver in no metrics or logs pipeline, and for receivers built alone in tests.
#[derive(Clone, Default)]
pub struct CicdSignals {
    sink: SignalSink,
    config: Arc<SignalsConfig>,
    board: Option<LiveBoard>,
    events: Option<Arc<EventMetrics>>,
    dora: Option<Arc<DoraMetrics>>,
}

impl CicdSignals {
    /// The signals of a receiver configured with `config`, emitting into `sink`. Failed jobs
    /// are judged with `ownership` for `cicd.system.errors` (the config of the `cicd_ownership`
    /// processor in the receiver's traces pipeline, so both give the same verdict); which
    /// deployments are production for DORA comes from `environments`.
    pub fn new(
        sink: SignalSink,
        config: SignalsConfig,
        ownership: OwnershipConfig,
        environments: EnvironmentsConfig,
    ) -> Self {
        let start = unix_nanos_now();
        let metrics = sink.accepts(Signal::Metrics);
        let events = metrics.then(|| {
            let events = Arc::new(EventMetrics::new(&config.metrics, ownership, start));
            sink.add_metric_source(events.clone());
            events
        });
        let dora = metrics.then(|| {
            let dora = Arc::new(DoraMetrics::new(&config.metrics, environments, start));
            sink.add_metric_source(dora.clone());
            dora
        });
        CicdSignals {
            sink,
            config: Arc::new(config),
            board: None,
            events,
            dora,
        }
    }

    /// Also keeps `board` (the receiver's live board of queued and running work) up to date
    /// with every event [`CicdSignals::observe`] is given, and collects its gauges.
    #[must_use]
    pub fn with_board(mut self, board: LiveBoard) -> Self {
        self.sink
            .add_metric_source(Arc::new(LiveMetrics::new(board.clone())));
        self.board = Some(board);
        self
    }

    /// The receiver's live board, if it keeps one (its poller refills it).
    pub fn board(&self) -> Option<&LiveBoard> {
        self.board.as_ref()
    }

    /// Emits nothing.
    pub fn none() -> Self {
        CicdSignals::default()
    }

    /// The sink into the receiver's metrics and logs pipelines.
    pub fn sink(&self) -> &SignalSink {
        &self.sink
    }

    /// The receiver's metrics settings.
    pub fn config(&self) -> &SignalsConfig {
        &self.config
    }

    /// Whether some pipeline takes `signal` from this receiver's sink.
    pub fn accepts(&self, signal: Signal) -> bool {
        self.sink.accepts(signal)
    }

    /// Takes note of events the receiver mapped (from a webhook delivery or a poll), for the
    /// metrics made from them. Cheap when no metrics pipeline lists the receiver.
    pub fn observe(&self, events: &[CiEvent]) {
        if let Some(board) = &self.board {
            board.observe_all(events);
        }
        if let Some(metrics) = &self.events {
            metrics.record(events);
        }
    }

    /// Takes note of change events (changes opened and merged, deployments with the changes
    /// they deliver filled in) for the DORA metrics. Cheap when no metrics pipeline lists the
    /// receiver.
    pub fn observe_changes(&self, events: &[ChangeEvent]) {
        if let Some(dora) = &self.dora {
            dora.record(events);
        }
    }

    /// Hands log records to every `logs` pipeline that lists the receiver (`Ok` with none).
    pub fn emit_logs(&self, logs: Vec<ResourceLogs>) -> Result<(), ConsumeError> {
        self.sink.emit_logs(logs)
    }

    /// Adds a source of metrics (gauges of live state, say) to every later collection.
    pub fn add_metric_source(&self, source: Arc<dyn MetricSource>) {
        self.sink.add_metric_source(source);
    }
}
