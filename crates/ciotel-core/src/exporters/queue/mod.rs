//! `sending_queue`: a bounded in-memory queue in front of each exporter, drained by
//! `num_consumers` tasks that send with retries. A full queue refuses at once, so the pipeline
//! refuses and receivers answer retryably; a slow exporter fills only its own queue.

mod worker;

use super::Exporter;
use super::retry::RetryConfig;
use crate::consumer::ConsumeError;
use crate::signal::{Batch, Signal};
use crate::telemetry::{Counter, Registry};
use serde::Deserialize;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use worker::Worker;

/// Config of the sending queue, with the Collector's defaults.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueConfig {
    /// When false, nothing waits beyond the batches being sent right now.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Tasks sending in parallel.
    #[serde(default = "consumers")]
    pub num_consumers: usize,
    /// Batches that may wait to be sent.
    #[serde(default = "size")]
    pub queue_size: usize,
}

fn yes() -> bool {
    true
}
fn consumers() -> usize {
    10
}
fn size() -> usize {
    1000
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            enabled: true,
            num_consumers: consumers(),
            queue_size: size(),
        }
    }
}

impl QueueConfig {
    /// Checks the sizes.
    pub fn validate(&self) -> Result<(), String> {
        if self.num_consumers == 0 {
            return Err("sending_queue.num_consumers must be at least 1".into());
        }
        if self.enabled && self.queue_size == 0 {
            return Err("sending_queue.queue_size must be at least 1".into());
        }
        Ok(())
    }

    fn capacity(&self) -> usize {
        if self.enabled { self.queue_size } else { 1 }
    }
}

/// Per-signal counters of one exporter.
#[derive(Clone)]
struct SignalCounters {
    sent: Counter,
    send_failed: Counter,
    enqueue_failed: Counter,
}

#[derive(Clone)]
struct Counters {
    by_signal: [SignalCounters; 3],
    queue_size: Counter,
}

impl Counters {
    fn new(registry: &Registry, exporter: &str, capacity: usize) -> Counters {
        let labels = [("exporter", exporter)];
        let make = |signal: Signal| {
            let item = signal.item_name();
            SignalCounters {
                sent: registry.counter(
                    &format!("ciotel_exporter_sent_{item}"),
                    &format!("{item} sent successfully."),
                    &labels,
                ),
                send_failed: registry.counter(
                    &format!("ciotel_exporter_send_failed_{item}"),
                    &format!("{item} dropped after failed sends."),
                    &labels,
                ),
                enqueue_failed: registry.counter(
                    &format!("ciotel_exporter_enqueue_failed_{item}"),
                    &format!("{item} refused because the sending queue was full."),
                    &labels,
                ),
            }
        };
        registry
            .gauge(
                "ciotel_exporter_queue_capacity",
                "Batches the sending queue can hold.",
                &labels,
            )
            .set(capacity as u64);
        Counters {
            by_signal: Signal::ALL.map(make),
            queue_size: registry.gauge(
                "ciotel_exporter_queue_size",
                "Batches waiting in the sending queue.",
                &labels,
            ),
        }
    }

    fn of(&self, signal: Signal) -> &SignalCounters {
        &self.by_signal[signal as usize]
    }
}

/// An exporter behind its sending queue: what pipelines hand batches to.
pub struct QueuedExporter {
    id: String,
    sender: Mutex<Option<mpsc::Sender<Arc<Batch>>>>,
    queued: Arc<AtomicUsize>,
    counters: Counters,
    consumers: Mutex<Vec<JoinHandle<()>>>,
    exporter: Arc<dyn Exporter>,
}

impl QueuedExporter {
    /// Starts `num_consumers` sending tasks for `exporter`.
    pub fn start(
        id: &str,
        exporter: Arc<dyn Exporter>,
        queue: &QueueConfig,
        retry: &RetryConfig,
        registry: &Registry,
    ) -> Arc<QueuedExporter> {
        let (tx, rx) = mpsc::channel(queue.capacity());
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        let counters = Counters::new(registry, id, queue.capacity());
        let queued = Arc::new(AtomicUsize::new(0));
        let consumers = (0..queue.num_consumers)
            .map(|_| {
                let worker = Worker {
                    id: id.to_string(),
                    rx: rx.clone(),
                    exporter: exporter.clone(),
                    retry: retry.clone(),
                    counters: counters.clone(),
                    queued: queued.clone(),
                };
                tokio::spawn(worker.run())
            })
            .collect();
        Arc::new(QueuedExporter {
            id: id.to_string(),
            sender: Mutex::new(Some(tx)),
            queued,
            counters,
            consumers: Mutex::new(consumers),
            exporter,
        })
    }

    /// The exporter's id, for messages.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Queues `batch` for sending, or refuses at once when the queue is full or closed.
    pub fn try_enqueue(&self, batch: Arc<Batch>) -> Result<(), ConsumeError> {
        let signal = batch.signal();
        let items = batch.item_count() as u64;
        let sender = self
            .sender
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let Some(sender) = sender else {
            self.counters.of(signal).enqueue_failed.add(items);
            return Err(ConsumeError::Refused(format!(
                "exporter {} is shutting down",
                self.id
            )));
        };
        // Count before sending so a fast consumer never decrements below zero.
        let now = self.queued.fetch_add(1, Ordering::Relaxed) + 1;
        match sender.try_send(batch) {
            Ok(()) => {
                self.counters.queue_size.set(now as u64);
                Ok(())
            }
            Err(_) => {
                self.queued.fetch_sub(1, Ordering::Relaxed);
                self.counters.of(signal).enqueue_failed.add(items);
                Err(ConsumeError::Refused(format!(
                    "the sending queue of exporter {} is full",
                    self.id
                )))
            }
        }
    }

    /// Closes the queue, waits until every queued batch is sent or given up, then shuts the
    /// exporter down. The caller bounds this with the shutdown deadline.
    pub async fn drain(&self) {
        self.sender.lock().unwrap_or_else(|p| p.into_inner()).take();
        let consumers =
            std::mem::take(&mut *self.consumers.lock().unwrap_or_else(|p| p.into_inner()));
        for consumer in consumers {
            let _ = consumer.await;
        }
        self.exporter.shutdown().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::{BoxFuture, ExportError};
    use crate::testing::span_batch;
    use std::sync::atomic::AtomicU32;
    use std::time::Duration;

    /// Fails with `error` the first `failures` calls, then succeeds.
    struct Flaky {
        failures: u32,
        calls: AtomicU32,
        error: ExportError,
        gate: tokio::sync::Semaphore,
    }

    impl Exporter for Flaky {
        fn export<'a>(&'a self, _batch: &'a Batch) -> BoxFuture<'a, Result<(), ExportError>> {
            Box::pin(async move {
                let _permit = self.gate.acquire().await;
                let n = self.calls.fetch_add(1, Ordering::SeqCst);
                if n < self.failures {
                    Err(self.error.clone())
                } else {
                    Ok(())
                }
            })
        }
    }

    fn flaky(failures: u32, error: ExportError, open: bool) -> Arc<Flaky> {
        Arc::new(Flaky {
            failures,
            calls: AtomicU32::new(0),
            error,
            gate: tokio::sync::Semaphore::new(if open { 1000 } else { 0 }),
        })
    }

    #[tokio::test(start_paused = true)]
    async fn retries_retryable_errors_until_sent() {
        let registry = Registry::new();
        let exporter = flaky(3, ExportError::Retryable("503".into()), true);
        let q = QueuedExporter::start(
            "otlp",
            exporter.clone(),
            &QueueConfig::default(),
            &RetryConfig::default(),
            &registry,
        );
        q.try_enqueue(Arc::new(span_batch(7))).unwrap();
        q.drain().await;
        assert_eq!(exporter.calls.load(Ordering::SeqCst), 4);
        assert_eq!(
            registry.value("ciotel_exporter_sent_spans", &[("exporter", "otlp")]),
            Some(7)
        );
        assert_eq!(
            registry.value("ciotel_exporter_send_failed_spans", &[("exporter", "otlp")]),
            Some(0)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn does_not_retry_permanent_errors() {
        let registry = Registry::new();
        let exporter = flaky(1, ExportError::Permanent("400".into()), true);
        let q = QueuedExporter::start(
            "x",
            exporter.clone(),
            &QueueConfig::default(),
            &RetryConfig::default(),
            &registry,
        );
        q.try_enqueue(Arc::new(span_batch(2))).unwrap();
        q.drain().await;
        assert_eq!(exporter.calls.load(Ordering::SeqCst), 1);
        assert_eq!(
            registry.value("ciotel_exporter_send_failed_spans", &[("exporter", "x")]),
            Some(2)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_queue_refuses_retryably() {
        let registry = Registry::new();
        let exporter = flaky(0, ExportError::Retryable("x".into()), false);
        let config = QueueConfig {
            enabled: true,
            num_consumers: 1,
            queue_size: 2,
        };
        let q = QueuedExporter::start(
            "slow",
            exporter.clone(),
            &config,
            &RetryConfig::default(),
            &registry,
        );
        q.try_enqueue(Arc::new(span_batch(1))).unwrap();
        tokio::time::sleep(Duration::from_millis(1)).await; // the consumer takes the first one
        q.try_enqueue(Arc::new(span_batch(1))).unwrap();
        q.try_enqueue(Arc::new(span_batch(1))).unwrap();
        let err = q.try_enqueue(Arc::new(span_batch(5))).unwrap_err();
        assert!(err.is_retryable());
        assert!(
            err.to_string()
                .contains("sending queue of exporter slow is full")
        );
        assert_eq!(
            registry.value(
                "ciotel_exporter_enqueue_failed_spans",
                &[("exporter", "slow")]
            ),
            Some(5)
        );
        assert_eq!(
            registry.value("ciotel_exporter_queue_size", &[("exporter", "slow")]),
            Some(2)
        );
        exporter.gate.add_permits(10);
        q.drain().await;
        assert_eq!(
            registry.value("ciotel_exporter_sent_spans", &[("exporter", "slow")]),
            Some(3)
        );
    }
}
