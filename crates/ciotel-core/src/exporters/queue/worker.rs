//! One sending task of a queue: takes the next batch, sends it with retries and backoff, counts
//! what was sent or dropped.

use super::Counters;
use crate::exporters::retry::{Backoff, RetryConfig};
use crate::exporters::{ExportError, Exporter};
use crate::signal::Batch;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::mpsc;

/// A consumer of the queue.
pub(super) struct Worker {
    pub(super) id: String,
    pub(super) rx: Arc<tokio::sync::Mutex<mpsc::Receiver<Arc<Batch>>>>,
    pub(super) exporter: Arc<dyn Exporter>,
    pub(super) retry: RetryConfig,
    pub(super) counters: Counters,
    pub(super) queued: Arc<AtomicUsize>,
}

impl Worker {
    pub(super) async fn run(self) {
        loop {
            let next = self.rx.lock().await.recv().await;
            let Some(batch) = next else { break };
            let left = self
                .queued
                .fetch_sub(1, Ordering::Relaxed)
                .saturating_sub(1);
            self.counters.queue_size.set(left as u64);
            self.send(&batch).await;
        }
    }

    async fn send(&self, batch: &Batch) {
        let counters = self.counters.of(batch.signal());
        let items = batch.item_count() as u64;
        let mut backoff = Backoff::new(&self.retry);
        loop {
            let error = match self.exporter.export(batch).await {
                Ok(()) => {
                    counters.sent.add(items);
                    return;
                }
                Err(e) => e,
            };
            match backoff.next_delay(&error) {
                Some(delay) => {
                    tracing::warn!(exporter = %self.id, error = %error, retry_in = ?delay, "export failed; will retry");
                    tokio::time::sleep(delay).await;
                }
                None => {
                    let why = match error {
                        ExportError::Permanent(_) => "permanent error",
                        _ if !self.retry.enabled => "retries disabled",
                        _ => "retries exhausted",
                    };
                    tracing::error!(exporter = %self.id, error = %error, items, "export failed ({why}); dropping data");
                    counters.send_failed.add(items);
                    return;
                }
            }
        }
    }
}
