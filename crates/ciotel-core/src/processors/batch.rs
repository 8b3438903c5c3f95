//! `batch` processor: gathers small batches into larger ones (by count or after a timeout) so
//! exporters send fewer, fuller requests.
//!
//! Batches are gathered where they arrive, under a lock: the caller that fills a batch to
//! `send_batch_size` hands it on itself, and a timer task sends what is left `timeout` after
//! the first item came. So a small request costs an append, not a wake-up of another task, and
//! what the processor holds is bounded by its size (what is full is handed on at once; the
//! next stage refuses when it is full, as every stage does).

use crate::config::values::duration;
use crate::consumer::{ConsumeError, Consumer, NextConsumer};
use crate::signal::{Batch, Signal};
use serde::Deserialize;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Config of the `batch` processor, with the Collector's defaults.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchConfig {
    /// Send as soon as this many items are gathered.
    #[serde(default = "default_batch_size")]
    pub send_batch_size: usize,
    /// Send whatever is gathered this long after the first item arrived.
    #[serde(default = "default_timeout", deserialize_with = "duration")]
    pub timeout: Duration,
    /// Never send more items than this in one batch (0: no limit).
    #[serde(default)]
    pub send_batch_max_size: usize,
}

impl Default for BatchConfig {
    fn default() -> Self {
        BatchConfig {
            send_batch_size: default_batch_size(),
            timeout: default_timeout(),
            send_batch_max_size: 0,
        }
    }
}

fn default_batch_size() -> usize {
    8192
}

fn default_timeout() -> Duration {
    Duration::from_millis(200)
}

impl BatchConfig {
    /// Checks the sizes against each other.
    pub fn validate(&self) -> Result<(), String> {
        if self.send_batch_max_size != 0 && self.send_batch_max_size < self.send_batch_size {
            return Err(format!(
                "send_batch_max_size ({}) must be 0 or at least send_batch_size ({})",
                self.send_batch_max_size, self.send_batch_size
            ));
        }
        if self.timeout.is_zero() && self.send_batch_size == 0 {
            return Err("timeout and send_batch_size cannot both be 0".into());
        }
        Ok(())
    }
}

/// The running `batch` processor: the batch being gathered, shared with its timer task.
pub struct BatchProcessor {
    shared: Arc<Shared>,
}

/// What the callers and the timer task share.
struct Shared {
    config: BatchConfig,
    next: NextConsumer,
    state: Mutex<Pending>,
    /// Wakes the timer task: a first item arrived (a deadline to keep), or the processor closed.
    wake: Notify,
}

/// The batch being gathered.
struct Pending {
    batch: Batch,
    items: usize,
    /// When what is gathered must go, `timeout` after its first item.
    deadline: Option<Instant>,
    /// Every handle is gone: the timer task flushes and ends.
    closed: bool,
}

impl BatchProcessor {
    /// Starts the timer task in front of `next`. The task ends, flushing what is held, once
    /// the processor is dropped.
    pub fn start(
        config: BatchConfig,
        signal: Signal,
        next: NextConsumer,
    ) -> (Self, JoinHandle<()>) {
        let shared = Arc::new(Shared {
            config,
            next,
            state: Mutex::new(Pending {
                batch: Batch::empty(signal),
                items: 0,
                deadline: None,
                closed: false,
            }),
            wake: Notify::new(),
        });
        let task = tokio::spawn(run_timer(shared.clone()));
        (BatchProcessor { shared }, task)
    }
}

impl Shared {
    /// The pending batch. A panic while it was held left it as it was between two appends,
    /// so it is still a valid batch.
    fn lock(&self) -> MutexGuard<'_, Pending> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes the full batches off `pending` (every `send_batch_size` items, each at most
    /// `send_batch_max_size`), leaving the rest.
    fn take_full(&self, pending: &mut Pending) -> Vec<Batch> {
        let size = self.config.send_batch_size;
        let mut full = Vec::new();
        if size == 0 {
            return full;
        }
        let limit = match self.config.send_batch_max_size {
            0 => usize::MAX,
            max => max,
        };
        while pending.items >= size {
            let signal = pending.batch.signal();
            let rest = if pending.items > limit {
                pending.batch.split_off_items(limit)
            } else {
                Batch::empty(signal)
            };
            full.push(std::mem::replace(&mut pending.batch, rest));
            pending.items = pending.batch.item_count();
        }
        if pending.items == 0 {
            pending.deadline = None;
        }
        full
    }

    /// Takes everything `pending` holds, in batches of at most `send_batch_max_size`.
    fn take_all(&self, pending: &mut Pending) -> Vec<Batch> {
        let mut out = Vec::new();
        let max = self.config.send_batch_max_size;
        while !pending.batch.is_empty() {
            let signal = pending.batch.signal();
            let rest = if max > 0 && pending.batch.item_count() > max {
                pending.batch.split_off_items(max)
            } else {
                Batch::empty(signal)
            };
            out.push(std::mem::replace(&mut pending.batch, rest));
        }
        pending.items = 0;
        pending.deadline = None;
        out
    }

    fn send_all(&self, batches: Vec<Batch>) {
        for batch in batches {
            send(&self.next, batch);
        }
    }
}

impl Consumer for BatchProcessor {
    fn consume(&self, batch: Batch) -> Result<(), ConsumeError> {
        let shared = &self.shared;
        let items = batch.item_count();
        let (full, first) = {
            let mut pending = shared.lock();
            if let Err(batch) = pending.batch.append(batch) {
                drop(pending);
                tracing::error!(signal = %batch.signal(), "batch processor received another signal; dropped");
                return Ok(());
            }
            pending.items += items;
            let full = shared.take_full(&mut pending);
            let first = pending.items > 0 && pending.deadline.is_none();
            if first {
                pending.deadline = Some(Instant::now() + shared.config.timeout);
            }
            (full, first)
        };
        if first {
            shared.wake.notify_one();
        }
        // Handed on outside the lock, so other callers keep gathering meanwhile.
        shared.send_all(full);
        Ok(())
    }
}

impl Drop for BatchProcessor {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.wake.notify_one();
    }
}

/// Sends what is gathered when its deadline passes; flushes and ends once the processor is
/// dropped.
async fn run_timer(shared: Arc<Shared>) {
    loop {
        let (deadline, closed) = {
            let pending = shared.lock();
            (pending.deadline, pending.closed)
        };
        if closed {
            break;
        }
        match deadline {
            None => shared.wake.notified().await,
            Some(at) => {
                tokio::select! {
                    () = tokio::time::sleep_until(at) => {}
                    () = shared.wake.notified() => continue,
                }
                let due = {
                    let mut pending = shared.lock();
                    // A caller may have sent the batch meanwhile; a new one has a later deadline.
                    if pending.deadline.is_some_and(|d| d <= Instant::now()) {
                        shared.take_all(&mut pending)
                    } else {
                        Vec::new()
                    }
                };
                shared.send_all(due);
            }
        }
    }
    let rest = shared.take_all(&mut shared.lock());
    shared.send_all(rest);
}

fn send(next: &NextConsumer, batch: Batch) {
    let items = batch.item_count();
    if let Err(e) = next.consume(batch) {
        // Like the Collector's batch processor: downstream refusal after batching loses data,
        // and says so. Exporter queues count it as enqueue-failed too.
        tracing::warn!(error = %e, items, "batch processor could not hand a batch on; dropped");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{CollectingConsumer, span_batch};
    use std::sync::Arc;

    #[tokio::test(start_paused = true)]
    async fn sends_when_the_size_is_reached() {
        let sink = Arc::new(CollectingConsumer::default());
        let config = BatchConfig {
            send_batch_size: 5,
            timeout: Duration::from_secs(10),
            send_batch_max_size: 0,
        };
        let (p, task) = BatchProcessor::start(config, Signal::Traces, sink.clone());
        p.consume(span_batch(3)).unwrap();
        p.consume(span_batch(3)).unwrap();
        tokio::time::sleep(Duration::from_millis(1)).await;
        assert_eq!(sink.item_counts(), vec![6]);
        drop(p);
        task.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn sends_after_the_timeout_and_flushes_on_shutdown() {
        let sink = Arc::new(CollectingConsumer::default());
        let config = BatchConfig {
            send_batch_size: 100,
            timeout: Duration::from_millis(200),
            send_batch_max_size: 0,
        };
        let (p, task) = BatchProcessor::start(config, Signal::Traces, sink.clone());
        p.consume(span_batch(2)).unwrap();
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(sink.item_counts().is_empty());
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(sink.item_counts(), vec![2]);
        p.consume(span_batch(4)).unwrap();
        drop(p);
        task.await.unwrap();
        assert_eq!(sink.item_counts(), vec![2, 4]);
    }

    #[tokio::test(start_paused = true)]
    async fn never_exceeds_the_max_size() {
        let sink = Arc::new(CollectingConsumer::default());
        let config = BatchConfig {
            send_batch_size: 4,
            timeout: Duration::from_secs(1),
            send_batch_max_size: 4,
        };
        let (p, task) = BatchProcessor::start(config, Signal::Traces, sink.clone());
        p.consume(span_batch(10)).unwrap();
        drop(p);
        task.await.unwrap();
        assert_eq!(sink.item_counts(), vec![4, 4, 2]);
    }

    #[test]
    fn max_below_size_is_invalid() {
        let config = BatchConfig {
            send_batch_size: 10,
            send_batch_max_size: 5,
            ..Default::default()
        };
        assert!(
            config
                .validate()
                .unwrap_err()
                .contains("send_batch_max_size (5)")
        );
    }
}
