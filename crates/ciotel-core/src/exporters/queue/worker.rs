//! One sending task of a queue: takes the next batch (gathering more into one request when
//! `sending_queue.batch` is set), sends it with retries and backoff, counts what was sent or
//! given up, and only then tells the store the batches are done — on disk, that is the ack that
//! lets the queue forget them.

use super::config::QueueBatchConfig;
use super::metrics::QueueMetrics;
use super::store::{Entry, Store};
use crate::exporters::retry::{Backoff, RetryConfig};
use crate::exporters::{ExportError, Exporter};
use crate::signal::{Batch, Signal};
use std::sync::Arc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// A consumer of the queue.
pub(super) struct Worker {
    pub id: String,
    pub store: Arc<Store>,
    pub exporter: Arc<dyn Exporter>,
    pub retry: RetryConfig,
    pub batch: Option<QueueBatchConfig>,
    pub metrics: QueueMetrics,
    /// Fired when a persistent queue shuts down: stop sending, what is left stays on disk.
    pub stop: CancellationToken,
}

/// How sending one request ended.
enum Outcome {
    Sent,
    GaveUp,
    Stopped,
}

impl Worker {
    /// Takes and sends batches until the store is closed and drained (or `stop` fires).
    pub async fn run(self) {
        loop {
            let first = tokio::select! {
                next = self.store.next() => next,
                () = self.stop.cancelled() => None,
            };
            let Some(first) = first else { break };
            let entries = self.gather(first).await;
            if !self.send_entries(&entries).await {
                break; // stopped: not done, so a persistent queue keeps them
            }
            for entry in entries {
                self.store.done(entry.ticket);
            }
        }
    }

    /// With `batch` set, takes more batches until `min_size` items are gathered or
    /// `flush_timeout` has passed since the first.
    async fn gather(&self, first: Entry) -> Vec<Entry> {
        let Some(batch) = &self.batch else {
            return vec![first];
        };
        let deadline = Instant::now() + batch.flush_timeout;
        let mut items = first.items;
        let mut entries = vec![first];
        loop {
            while (items as usize) < batch.min_size {
                let Some(entry) = self.store.try_next() else {
                    break;
                };
                items += entry.items;
                entries.push(entry);
            }
            if items as usize >= batch.min_size || self.store.is_closed() {
                return entries;
            }
            tokio::select! {
                () = tokio::time::sleep_until(deadline) => return entries,
                () = self.store.more() => {}
                () = self.stop.cancelled() => return entries,
            }
        }
    }

    /// Sends the entries, merged per signal and cut at `max_size`; false when stopped.
    async fn send_entries(&self, entries: &[Entry]) -> bool {
        let max = self.batch.as_ref().map_or(0, |b| b.max_size);
        if let [only] = entries
            && (max == 0 || only.items as usize <= max)
        {
            return !matches!(self.send(&only.batch).await, Outcome::Stopped);
        }
        for signal in Signal::ALL {
            let mut merged = Batch::empty(signal);
            for entry in entries.iter().filter(|e| e.batch.signal() == signal) {
                // Same signal, so append cannot fail.
                let _ = merged.append((*entry.batch).clone());
            }
            while !merged.is_empty() {
                let rest = if max > 0 && merged.item_count() > max {
                    merged.split_off_items(max)
                } else {
                    Batch::empty(signal)
                };
                let request = std::mem::replace(&mut merged, rest);
                if let Outcome::Stopped = self.send(&request).await {
                    return false;
                }
            }
        }
        true
    }

    /// Sends one request, retrying as `retry_on_failure` says.
    async fn send(&self, batch: &Batch) -> Outcome {
        let counters = self.metrics.of(batch.signal());
        let items = batch.item_count() as u64;
        let mut backoff = Backoff::new(&self.retry);
        loop {
            let result = tokio::select! {
                r = self.exporter.export(batch) => r,
                () = self.stop.cancelled() => return Outcome::Stopped,
            };
            let error = match result {
                Ok(()) => {
                    counters.sent.add(items);
                    return Outcome::Sent;
                }
                Err(e) => e,
            };
            match backoff.next_delay(&error) {
                Some(delay) => {
                    tracing::warn!(exporter = %self.id, error = %error, retry_in = ?delay, "export failed; will retry");
                    self.metrics.retry_started();
                    let stopped = tokio::select! {
                        () = tokio::time::sleep(delay) => false,
                        () = self.stop.cancelled() => true,
                    };
                    self.metrics.retry_ended();
                    if stopped {
                        return Outcome::Stopped;
                    }
                }
                None => {
                    let why = match error {
                        ExportError::Permanent(_) => "permanent error",
                        _ if !self.retry.enabled => "retries disabled",
                        _ => "retries exhausted",
                    };
                    tracing::error!(exporter = %self.id, error = %error, items, "export failed ({why}); dropping data");
                    counters.send_failed.add(items);
                    return Outcome::GaveUp;
                }
            }
        }
    }
}
