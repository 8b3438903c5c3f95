//! A receiver's metrics and logs ends: what a receiver that makes traces from events (the
//! `github` and `gitlab` receivers) emits beside its spans, into every `metrics` and `logs`
//! pipeline that lists it.
//!
//! - Log records go out at once ([`SignalSink::emit_logs`]), one batch per call.
//! - Metrics are aggregated by their sources ([`MetricSource`]: the event metrics, DORA, live
//!   gauges) and collected every `collection_interval` by one loop per receiver
//!   ([`SignalSink::run_collection`]), as the Collector's scraper receivers do. Sources report
//!   cumulative points, so a collection the pipeline refuses loses nothing: the next one
//!   carries the same totals. One last collection runs at shutdown.
//! - With no pipeline of a signal, emitting it is a no-op and collecting does not run.

use super::{PipelineInputs, ReceiverOutput};
use crate::consumer::ConsumeError;
use crate::signal::{Batch, Signal};
use crate::telemetry::Registry;
use opentelemetry_proto::tonic::logs::v1::ResourceLogs;
use opentelemetry_proto::tonic::metrics::v1::ResourceMetrics;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio_util::sync::CancellationToken;

/// The transport name the sink's counters carry (`ciotel_receiver_accepted_metric_points
/// {transport="events"}`): what it emits is made from events, not received as such.
pub const TRANSPORT: &str = "events";

/// Something that keeps metrics and reports them when collected.
///
/// Exists so several parts of a receiver (event metrics, DORA, live state) add their points
/// to one collection, with one timer and one batch per interval.
pub trait MetricSource: Send + Sync + 'static {
    /// The source's points now, as resource groups; cumulative sums and histograms carry the
    /// source's start time. Empty when there is nothing to report yet.
    fn collect(&self, now_unix_nano: u64) -> Vec<ResourceMetrics>;
}

/// A receiver's metrics and logs outputs, and the metric sources collected into the first.
///
/// Cheap to clone (one shared state), so a receiver's webhook and poller hold the same sink.
#[derive(Clone, Default)]
pub struct SignalSink {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    metrics: Option<ReceiverOutput>,
    logs: Option<ReceiverOutput>,
    sources: Mutex<Vec<Arc<dyn MetricSource>>>,
}

impl SignalSink {
    /// The sink of receiver `id`, emitting into the `metrics` and `logs` pipelines of
    /// `inputs` (the receiver's inputs; its trace pipelines are not used here).
    pub fn new(inputs: &PipelineInputs, registry: &Registry, id: &str) -> Self {
        let output = |signal| {
            inputs
                .accepts(signal)
                .then(|| ReceiverOutput::new(inputs.clone(), registry, id, TRANSPORT))
        };
        SignalSink {
            inner: Arc::new(Inner {
                metrics: output(Signal::Metrics),
                logs: output(Signal::Logs),
                sources: Mutex::default(),
            }),
        }
    }

    /// A sink that emits nothing (no metrics or logs pipeline), for receivers built alone.
    pub fn none() -> Self {
        SignalSink::default()
    }

    /// Whether some pipeline takes `signal` from this sink (always false for traces).
    pub fn accepts(&self, signal: Signal) -> bool {
        match signal {
            Signal::Traces => false,
            Signal::Metrics => self.inner.metrics.is_some(),
            Signal::Logs => self.inner.logs.is_some(),
        }
    }

    /// Hands log records to every `logs` pipeline; `Ok` with no logs pipeline. A refusal is
    /// returned as is: the caller decides whether to offer them again.
    pub fn emit_logs(&self, logs: Vec<ResourceLogs>) -> Result<(), ConsumeError> {
        match &self.inner.logs {
            Some(output) if !logs.is_empty() => output.consume(Batch::Logs(logs)),
            _ => Ok(()),
        }
    }

    /// Hands metrics to every `metrics` pipeline at once, outside the collection; `Ok` with no
    /// metrics pipeline.
    pub fn emit_metrics(&self, metrics: Vec<ResourceMetrics>) -> Result<(), ConsumeError> {
        match &self.inner.metrics {
            Some(output) if !metrics.is_empty() => output.consume(Batch::Metrics(metrics)),
            _ => Ok(()),
        }
    }

    /// Adds a source to every later collection. Sources are collected in the order added.
    pub fn add_metric_source(&self, source: Arc<dyn MetricSource>) {
        self.inner
            .sources
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(source);
    }

    /// Every source's points now, in one list.
    pub fn collect(&self, now_unix_nano: u64) -> Vec<ResourceMetrics> {
        let sources = self
            .inner
            .sources
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        sources
            .iter()
            .flat_map(|s| s.collect(now_unix_nano))
            .collect()
    }

    /// Collects every `interval` and hands the points to the metrics pipelines, until `stop`
    /// fires; then collects once more, so the last counts leave before the pipelines drain.
    /// Returns at once when no metrics pipeline lists the receiver.
    pub async fn run_collection(
        self,
        receiver: String,
        interval: Duration,
        stop: CancellationToken,
    ) {
        if self.inner.metrics.is_none() {
            return;
        }
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let last = tokio::select! {
                _ = ticks.tick() => false,
                _ = stop.cancelled() => true,
            };
            if let Err(e) = self.emit_metrics(self.collect(unix_nanos_now())) {
                // Cumulative points: the next collection carries the same totals.
                tracing::debug!(receiver = %receiver, error = %e, "metrics pipeline refused a collection");
            }
            if last {
                return;
            }
        }
    }
}

/// The wall clock in nanoseconds since the Unix epoch (0 before it).
pub fn unix_nanos_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::CollectingConsumer;
    use opentelemetry_proto::tonic::metrics::v1::{Metric, ScopeMetrics};

    struct Fixed;
    impl MetricSource for Fixed {
        fn collect(&self, now: u64) -> Vec<ResourceMetrics> {
            vec![ResourceMetrics {
                scope_metrics: vec![ScopeMetrics {
                    metrics: vec![Metric {
                        name: format!("at {now}"),
                        ..Default::default()
                    }],
                    ..Default::default()
                }],
                ..Default::default()
            }]
        }
    }

    #[test]
    fn emits_only_into_the_signals_listed() {
        let logs = Arc::new(CollectingConsumer::default());
        let mut inputs = PipelineInputs::new();
        inputs.add(Signal::Logs, logs.clone());
        let sink = SignalSink::new(&inputs, &Registry::new(), "github");
        assert!(sink.accepts(Signal::Logs) && !sink.accepts(Signal::Metrics));
        sink.emit_logs(vec![ResourceLogs::default()]).unwrap();
        sink.emit_metrics(Fixed.collect(1)).unwrap();
        assert_eq!(logs.batches.lock().unwrap().len(), 1);
        assert!(
            SignalSink::none()
                .emit_logs(vec![ResourceLogs::default()])
                .is_ok()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn collects_every_interval_and_once_more_at_stop() {
        let metrics = Arc::new(CollectingConsumer::default());
        let mut inputs = PipelineInputs::new();
        inputs.add(Signal::Metrics, metrics.clone());
        let sink = SignalSink::new(&inputs, &Registry::new(), "github");
        sink.add_metric_source(Arc::new(Fixed));
        let stop = CancellationToken::new();
        let task = tokio::spawn(sink.clone().run_collection(
            "github".into(),
            Duration::from_secs(10),
            stop.clone(),
        ));
        tokio::time::sleep(Duration::from_secs(25)).await;
        assert_eq!(metrics.batches.lock().unwrap().len(), 2);
        stop.cancel();
        task.await.unwrap();
        assert_eq!(metrics.batches.lock().unwrap().len(), 3);
    }
}
