//! What a queue tells about itself: per-signal counts of items sent, failed, refused and
//! dropped, and gauges of what it holds right now — batches waiting, being sent or waiting to be
//! retried all count, so a queue stuck in retry backoff never reads 0.

use crate::signal::Signal;
use crate::telemetry::{Counter, Registry};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

/// Per-signal counters of one exporter.
#[derive(Clone)]
pub(super) struct SignalCounters {
    /// Items the backend accepted.
    pub sent: Counter,
    /// Items given up on after failed sends (permanent error, retries exhausted).
    pub send_failed: Counter,
    /// Items refused at the door because the queue was full or closed.
    pub enqueue_failed: Counter,
    /// Items the queue lost without a send verdict (shutdown deadline, unreadable on disk).
    pub dropped: Counter,
}

/// Every series of one exporter's queue.
#[derive(Clone)]
pub(super) struct QueueMetrics {
    by_signal: [SignalCounters; 3],
    /// Batches held: waiting, being sent, or waiting to be retried.
    pub size: Counter,
    /// Items in the batches held.
    pub items: Counter,
    /// Bytes held (OTLP protobuf size in memory; file size on disk).
    pub bytes: Counter,
    /// Batches waiting out a retry backoff.
    retrying: Counter,
    retrying_now: Arc<AtomicU64>,
    /// Seconds since the oldest batch held was enqueued.
    pub oldest_age: Counter,
    /// Stretches of a queue file that could not be read (corrupt, truncated, too new).
    pub skipped_records: Counter,
}

impl QueueMetrics {
    /// The series of exporter `exporter`, with its capacities set once.
    pub fn new(registry: &Registry, exporter: &str, capacity: usize, max_bytes: u64) -> Self {
        let labels = [("exporter", exporter)];
        let make = |signal: Signal| {
            let item = signal.item_name();
            let counter = |name: &str, help: &str| {
                registry.counter(
                    &format!("ciotel_exporter_{name}_{item}"),
                    &format!("{item} {help}"),
                    &labels,
                )
            };
            SignalCounters {
                sent: counter("sent", "sent successfully."),
                send_failed: counter("send_failed", "dropped after failed sends."),
                enqueue_failed: counter(
                    "enqueue_failed",
                    "refused because the sending queue was full.",
                ),
                dropped: counter(
                    "queue_dropped",
                    "lost from the sending queue without a send (shutdown deadline, unreadable record).",
                ),
            }
        };
        let gauge = |name: &str, help: &str| registry.gauge(name, help, &labels);
        gauge(
            "ciotel_exporter_queue_capacity",
            "Batches the sending queue can hold.",
        )
        .set(capacity as u64);
        gauge(
            "ciotel_exporter_queue_capacity_bytes",
            "Bytes the sending queue can hold.",
        )
        .set(max_bytes);
        QueueMetrics {
            by_signal: Signal::ALL.map(make),
            size: gauge(
                "ciotel_exporter_queue_size",
                "Batches held by the sending queue: waiting, being sent, or waiting to be retried.",
            ),
            items: gauge(
                "ciotel_exporter_queue_items",
                "Items (spans, metric points, log records) held by the sending queue.",
            ),
            bytes: gauge(
                "ciotel_exporter_queue_bytes",
                "Bytes held by the sending queue (OTLP protobuf size in memory, file size on disk).",
            ),
            retrying: gauge(
                "ciotel_exporter_queue_retrying",
                "Batches waiting out a retry backoff.",
            ),
            oldest_age: gauge(
                "ciotel_exporter_queue_oldest_age_seconds",
                "Seconds since the oldest batch held by the sending queue was enqueued.",
            ),
            retrying_now: Arc::default(),
            skipped_records: registry.counter(
                "ciotel_exporter_queue_skipped_records",
                "Stretches of the persistent queue's files skipped as unreadable (corrupt, truncated, written by a newer ciotel).",
                &labels,
            ),
        }
    }

    /// A batch starts waiting out a retry backoff.
    pub fn retry_started(&self) {
        let now = self.retrying_now.fetch_add(1, Ordering::Relaxed) + 1;
        self.retrying.set(now);
    }

    /// A batch's retry backoff is over.
    pub fn retry_ended(&self) {
        let now = self
            .retrying_now
            .fetch_sub(1, Ordering::Relaxed)
            .saturating_sub(1);
        self.retrying.set(now);
    }

    /// The counters of `signal`.
    pub fn of(&self, signal: Signal) -> &SignalCounters {
        &self.by_signal[signal as usize]
    }
}

/// One batch held, for the accounting.
#[derive(Debug, Clone, Copy)]
pub(super) struct HeldBatch {
    pub signal: Signal,
    pub items: u64,
    pub bytes: u64,
    pub since: SystemTime,
}

/// What a queue holds, by ticket: waiting and in-flight batches alike, until they are done.
#[derive(Debug, Default)]
pub(super) struct Held {
    batches: BTreeMap<u64, HeldBatch>,
    items: u64,
    bytes: u64,
}

impl Held {
    /// Starts holding `batch` under `ticket`.
    pub fn add(&mut self, ticket: u64, batch: HeldBatch) {
        self.items += batch.items;
        self.bytes += batch.bytes;
        self.batches.insert(ticket, batch);
    }

    /// Stops holding `ticket`; what it was, if it was held.
    pub fn remove(&mut self, ticket: u64) -> Option<HeldBatch> {
        let batch = self.batches.remove(&ticket)?;
        self.items -= batch.items;
        self.bytes -= batch.bytes;
        Some(batch)
    }

    /// Batches held.
    pub fn len(&self) -> usize {
        self.batches.len()
    }

    /// Items held.
    pub fn items(&self) -> u64 {
        self.items
    }

    /// Bytes held.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The lowest ticket held.
    pub fn first_ticket(&self) -> Option<u64> {
        self.batches.keys().next().copied()
    }

    /// When the oldest batch held was enqueued (tickets are handed out in enqueue order).
    pub fn oldest(&self) -> Option<SystemTime> {
        self.batches.values().next().map(|b| b.since)
    }

    /// Items held per signal.
    pub fn items_by_signal(&self) -> [u64; 3] {
        let mut out = [0; 3];
        for b in self.batches.values() {
            out[b.signal as usize] += b.items;
        }
        out
    }

    /// Shows the batch count and items on the gauges (the caller sets bytes).
    pub fn show(&self, metrics: &QueueMetrics) {
        metrics.size.set(self.len() as u64);
        metrics.items.set(self.items);
    }
}
