//! `sending_queue`: a bounded queue in front of each exporter — in memory, or on disk through a
//! `file_storage` extension — drained by `num_consumers` tasks that send with retries.
//!
//! A full queue refuses at once, so the pipeline refuses and receivers answer retryably; a slow
//! exporter fills only its own queue. Bounds are in batches (`queue_size`) and in bytes
//! (`max_size_mib`); a batch counts against both from the moment it is queued until it is sent
//! or given up, retry backoff included.
//!
//! On disk, a batch is written before [`QueuedExporter::try_enqueue`] returns (so before the
//! client hears OK), and forgotten only after the backend accepted it; see [`disk`] for the
//! design.
//!
//! Files, one concern each:
//! - `config.rs`: the `sending_queue:` keys and defaults;
//! - `store.rs`: memory or disk behind one interface;
//! - `memory.rs`: the in-memory queue;
//! - `disk/`: the persistent queue (its `mod.rs` is the design document);
//! - `worker.rs`: a sending task (exporter-side batching, retries, acks);
//! - `metrics.rs`: the queue's counters and gauges;
//! - `wire.rs`: a batch as an OTLP request (its byte size, its bytes on disk);
//! - `tests.rs`.

mod config;
pub mod disk;
mod memory;
mod metrics;
mod store;
mod wire;
mod worker;

pub use config::{DEFAULT_DISK_MIB, DEFAULT_MEMORY_MIB, QueueBatchConfig, QueueConfig};

use super::Exporter;
use super::retry::RetryConfig;
use crate::consumer::ConsumeError;
use crate::signal::{Batch, Signal};
use crate::telemetry::Registry;
use disk::{DiskError, DiskOptions, DiskQueue};
use memory::MemoryQueue;
use metrics::QueueMetrics;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use store::{Backend, Refusal, Store};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use worker::Worker;

/// How often the oldest-batch age gauge is refreshed (and, on disk, `fsync: interval` checked).
const TICK: Duration = Duration::from_secs(1);

/// What a queue holds at one moment, for the shutdown report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HeldSummary {
    /// Batches held (waiting, being sent, waiting to be retried).
    pub batches: usize,
    /// Items in them.
    pub items: u64,
    /// True when they are on disk and will be sent after the next start.
    pub persistent: bool,
}

/// An exporter behind its sending queue: what pipelines hand batches to.
pub struct QueuedExporter {
    id: String,
    store: Arc<Store>,
    metrics: QueueMetrics,
    workers: Mutex<Vec<JoinHandle<()>>>,
    side_tasks: Mutex<Vec<JoinHandle<()>>>,
    stop: CancellationToken,
    exporter: Arc<dyn Exporter>,
}

impl QueuedExporter {
    /// Starts `num_consumers` sending tasks for `exporter` over an in-memory queue.
    pub fn start(
        id: &str,
        exporter: Arc<dyn Exporter>,
        queue: &QueueConfig,
        retry: &RetryConfig,
        registry: &Registry,
    ) -> Arc<QueuedExporter> {
        let metrics = QueueMetrics::new(registry, id, queue.capacity(), queue.max_bytes());
        let memory = MemoryQueue::new(queue.capacity(), queue.max_bytes(), metrics.clone());
        Self::run(id, exporter, queue, retry, metrics, Backend::Memory(memory))
    }

    /// Like [`QueuedExporter::start`], over a persistent queue in `disk.directory`: what an
    /// earlier run left there is sent first.
    pub fn start_on_disk(
        id: &str,
        exporter: Arc<dyn Exporter>,
        queue: &QueueConfig,
        retry: &RetryConfig,
        registry: &Registry,
        disk: DiskOptions,
    ) -> Result<Arc<QueuedExporter>, DiskError> {
        let metrics = QueueMetrics::new(registry, id, queue.capacity(), queue.max_bytes());
        let options = DiskOptions {
            max_bytes: queue.max_bytes(),
            max_batches: queue.capacity(),
            ..disk
        };
        let opened = DiskQueue::open(id, options, metrics.clone())?;
        Ok(Self::run(
            id,
            exporter,
            queue,
            retry,
            metrics,
            Backend::Disk(opened),
        ))
    }

    fn run(
        id: &str,
        exporter: Arc<dyn Exporter>,
        queue: &QueueConfig,
        retry: &RetryConfig,
        metrics: QueueMetrics,
        backend: Backend,
    ) -> Arc<QueuedExporter> {
        let store = Arc::new(Store::new(backend));
        let stop = CancellationToken::new();
        let workers = (0..queue.num_consumers)
            .map(|_| {
                let worker = Worker {
                    id: id.to_string(),
                    store: store.clone(),
                    exporter: exporter.clone(),
                    retry: retry.clone(),
                    batch: queue.batch.clone(),
                    metrics: metrics.clone(),
                    stop: stop.clone(),
                };
                tokio::spawn(worker.run())
            })
            .collect();
        let ticker = tokio::spawn(tick(store.clone(), metrics.clone(), stop.clone()));
        Arc::new(QueuedExporter {
            id: id.to_string(),
            store,
            metrics,
            workers: Mutex::new(workers),
            side_tasks: Mutex::new(vec![ticker]),
            stop,
            exporter,
        })
    }

    /// The exporter's id, for messages.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Queues `batch` for sending, or refuses at once when the queue is full or closed. On
    /// disk, the batch is written (and synced, as `fsync` says) before this returns.
    pub fn try_enqueue(&self, batch: Arc<Batch>) -> Result<(), ConsumeError> {
        let signal = batch.signal();
        let items = batch.item_count() as u64;
        let refuse = |e: ConsumeError| {
            self.metrics.of(signal).enqueue_failed.add(items);
            Err(e)
        };
        if self.store.is_closed() {
            return refuse(ConsumeError::Refused(format!(
                "exporter {} is shutting down",
                self.id
            )));
        }
        let pushed = if self.store.is_persistent() {
            blocking(|| self.store.push(batch))
        } else {
            self.store.push(batch)
        };
        match pushed {
            Ok(()) => Ok(()),
            Err(e @ Refusal::TooLarge { .. }) => refuse(ConsumeError::Permanent(format!(
                "exporter {}: {e}",
                self.id
            ))),
            Err(Refusal::Full(bound)) => refuse(ConsumeError::Refused(format!(
                "the sending queue of exporter {} is full ({bound})",
                self.id
            ))),
            Err(e) => refuse(ConsumeError::Refused(format!("exporter {}: {e}", self.id))),
        }
    }

    /// What the queue holds now.
    pub fn held(&self) -> HeldSummary {
        let (batches, items, _) = self.store.summary();
        HeldSummary {
            batches,
            items: items.iter().sum(),
            persistent: self.store.is_persistent(),
        }
    }

    /// Closes the queue and stops its tasks. In memory: waits until every queued batch is sent
    /// or given up. On disk: stops sending at once (what is left is sent after the next start)
    /// and syncs the files. Then shuts the exporter down. The caller bounds this with the
    /// shutdown deadline.
    pub async fn drain(&self) {
        self.store.close();
        if self.store.is_persistent() {
            self.stop.cancel();
        }
        let workers = std::mem::take(&mut *self.workers.lock().unwrap_or_else(|p| p.into_inner()));
        for worker in workers {
            let _ = worker.await;
        }
        self.stop.cancel();
        let side = std::mem::take(&mut *self.side_tasks.lock().unwrap_or_else(|p| p.into_inner()));
        for task in side {
            let _ = task.await;
        }
        if let Some(disk) = self.store.disk() {
            disk.close();
            let held = self.held();
            if held.batches > 0 {
                tracing::info!(
                    exporter = %self.id, batches = held.batches, items = held.items,
                    "the persistent sending queue keeps what was not sent; it is sent after the next start"
                );
            }
        }
        self.exporter.shutdown().await;
    }

    /// Counts what a queue in memory loses when the process ends now (the shutdown deadline
    /// passed) and says so; a queue on disk loses nothing. Returns what was lost.
    pub fn report_loss(&self) -> HeldSummary {
        let (batches, items, _) = self.store.summary();
        let held = self.held();
        if held.batches == 0 {
            return held;
        }
        if held.persistent {
            tracing::warn!(
                exporter = %self.id, batches, items = held.items,
                "shutdown deadline passed; the persistent sending queue keeps what was not sent for the next start"
            );
            return HeldSummary::default();
        }
        for signal in Signal::ALL {
            self.metrics.of(signal).dropped.add(items[signal as usize]);
        }
        tracing::error!(
            exporter = %self.id, batches, items = held.items,
            "shutdown deadline passed; data still in the in-memory sending queue is lost"
        );
        held
    }
}

/// Refreshes the oldest-batch age gauge and, on disk, syncs on the `fsync: interval` schedule.
async fn tick(store: Arc<Store>, metrics: QueueMetrics, stop: CancellationToken) {
    let mut ticks = tokio::time::interval(TICK);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            () = stop.cancelled() => return,
        }
        let (_, _, oldest) = store.summary();
        let age = oldest
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .map_or(0, |d| d.as_secs());
        metrics.oldest_age.set(age);
        if store.is_persistent() {
            let store = store.clone();
            let _ = tokio::task::spawn_blocking(move || {
                if let Some(disk) = store.disk() {
                    disk.sync_if_due();
                }
            })
            .await;
        }
    }
}

/// Runs blocking file work from async code: on a multi-threaded runtime the worker thread hands
/// its other tasks off first, so a slow disk stalls only this caller.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

#[cfg(test)]
mod tests;
