//! `batch` processor: gathers small batches into larger ones (by count or after a timeout) so
//! exporters send fewer, fuller requests. Bounded: when its inbox is full it refuses.

use crate::config::values::duration;
use crate::consumer::{ConsumeError, Consumer, NextConsumer};
use crate::signal::{Batch, Signal};
use serde::Deserialize;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// How many incoming batches may wait for the batching task before new ones are refused.
const INBOX_CAPACITY: usize = 64;

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

/// The running `batch` processor: a handle to its batching task.
pub struct BatchProcessor {
    inbox: mpsc::Sender<Batch>,
}

impl BatchProcessor {
    /// Starts the batching task in front of `next`. The task ends, flushing what it holds,
    /// once every handle to this processor is dropped.
    pub fn start(
        config: BatchConfig,
        signal: Signal,
        next: NextConsumer,
    ) -> (Self, JoinHandle<()>) {
        let (inbox, rx) = mpsc::channel(INBOX_CAPACITY);
        let task = tokio::spawn(run(config, signal, rx, next));
        (BatchProcessor { inbox }, task)
    }
}

impl Consumer for BatchProcessor {
    fn consume(&self, batch: Batch) -> Result<(), ConsumeError> {
        self.inbox.try_send(batch).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => {
                ConsumeError::Refused("the batch processor is full".into())
            }
            mpsc::error::TrySendError::Closed(_) => {
                ConsumeError::Refused("the batch processor is shutting down".into())
            }
        })
    }
}

async fn run(
    config: BatchConfig,
    signal: Signal,
    mut rx: mpsc::Receiver<Batch>,
    next: NextConsumer,
) {
    let mut pending = Batch::empty(signal);
    let mut pending_items = 0usize;
    let mut deadline: Option<Instant> = None;
    loop {
        let timer = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            received = rx.recv() => match received {
                Some(batch) => {
                    pending_items += batch.item_count();
                    if pending.append(batch).is_err() {
                        tracing::error!(%signal, "batch processor received another signal; dropped");
                    }
                    if config.send_batch_size > 0 {
                        while pending_items >= config.send_batch_size {
                            let limit = if config.send_batch_max_size > 0 { config.send_batch_max_size } else { usize::MAX };
                            let rest = if pending_items > limit { pending.split_off_items(limit) } else { Batch::empty(signal) };
                            send(&next, std::mem::replace(&mut pending, rest));
                            pending_items = pending.item_count();
                        }
                    }
                    if pending_items == 0 {
                        deadline = None;
                    } else if deadline.is_none() {
                        deadline = Some(Instant::now() + config.timeout);
                    }
                }
                None => break,
            },
            () = timer => {
                flush_all(&config, &next, &mut pending, signal);
                pending_items = 0;
                deadline = None;
            }
        }
    }
    flush_all(&config, &next, &mut pending, signal);
}

fn flush_all(config: &BatchConfig, next: &NextConsumer, pending: &mut Batch, signal: Signal) {
    while !pending.is_empty() {
        let rest = if config.send_batch_max_size > 0
            && pending.item_count() > config.send_batch_max_size
        {
            pending.split_off_items(config.send_batch_max_size)
        } else {
            Batch::empty(signal)
        };
        send(next, std::mem::replace(pending, rest));
    }
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
