//! The in-memory queue: batches shared with the pipeline (not copied), bounded in batches and
//! in bytes (their OTLP protobuf size), counted until they are done — sent, or given up.

use super::metrics::{Held, HeldBatch, QueueMetrics};
use super::store::{Entry, Refusal};
use super::wire;
use crate::signal::Batch;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// A bounded FIFO of batches in memory.
pub(super) struct MemoryQueue {
    state: Mutex<State>,
    capacity: usize,
    max_bytes: u64,
    metrics: QueueMetrics,
}

#[derive(Default)]
struct State {
    waiting: VecDeque<Entry>,
    held: Held,
    next_ticket: u64,
}

impl MemoryQueue {
    /// An empty queue holding at most `capacity` batches and `max_bytes` bytes.
    pub fn new(capacity: usize, max_bytes: u64, metrics: QueueMetrics) -> Self {
        MemoryQueue {
            state: Mutex::new(State::default()),
            capacity,
            max_bytes,
            metrics,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes `batch`, or refuses when either bound would be passed.
    pub fn push(&self, batch: Arc<Batch>) -> Result<(), Refusal> {
        let bytes = wire::encoded_len(&batch) as u64;
        if bytes > self.max_bytes {
            return Err(Refusal::TooLarge {
                bytes,
                max: self.max_bytes,
            });
        }
        let mut state = self.lock();
        if state.held.len() >= self.capacity {
            return Err(Refusal::Full(format!("{} batches", self.capacity)));
        }
        if state.held.bytes() + bytes > self.max_bytes {
            return Err(Refusal::Full(format!("{} bytes", self.max_bytes)));
        }
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        let items = batch.item_count() as u64;
        state.held.add(
            ticket,
            HeldBatch {
                signal: batch.signal(),
                items,
                bytes,
                since: SystemTime::now(),
            },
        );
        state.waiting.push_back(Entry {
            ticket,
            batch,
            items,
        });
        self.show(&state);
        Ok(())
    }

    /// The next waiting batch, if any; it stays held until [`MemoryQueue::done`].
    pub fn try_next(&self) -> Option<Entry> {
        self.lock().waiting.pop_front()
    }

    /// Forgets a batch that was sent or given up on.
    pub fn done(&self, ticket: u64) {
        let mut state = self.lock();
        state.held.remove(ticket);
        self.show(&state);
    }

    /// What is held now: (batches, items per signal), and when the oldest was enqueued.
    pub fn summary(&self) -> (usize, [u64; 3], Option<SystemTime>) {
        let state = self.lock();
        (
            state.held.len(),
            state.held.items_by_signal(),
            state.held.oldest(),
        )
    }

    fn show(&self, state: &State) {
        state.held.show(&self.metrics);
        self.metrics.bytes.set(state.held.bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::Registry;
    use crate::testing::span_batch;

    #[test]
    fn bounded_in_batches_and_in_bytes_until_done() {
        let registry = Registry::new();
        let one = wire::encoded_len(&span_batch(10)) as u64;
        let metrics = QueueMetrics::new(&registry, "m", 10, one * 2);
        let q = MemoryQueue::new(10, one * 2, metrics);
        q.push(Arc::new(span_batch(10))).unwrap();
        q.push(Arc::new(span_batch(10))).unwrap();
        let full = q.push(Arc::new(span_batch(10))).unwrap_err();
        assert!(matches!(full, Refusal::Full(_)), "{full:?}");
        let taken = q.try_next().unwrap();
        // Taken but not done: still held, still counted against the bound.
        assert!(q.push(Arc::new(span_batch(10))).is_err());
        assert_eq!(
            registry.value("ciotel_exporter_queue_size", &[("exporter", "m")]),
            Some(2)
        );
        assert_eq!(
            registry.value("ciotel_exporter_queue_items", &[("exporter", "m")]),
            Some(20)
        );
        assert_eq!(
            registry.value("ciotel_exporter_queue_bytes", &[("exporter", "m")]),
            Some(one * 2)
        );
        q.done(taken.ticket);
        q.push(Arc::new(span_batch(10))).unwrap();
        let big = q.push(Arc::new(span_batch(100))).unwrap_err();
        assert!(matches!(big, Refusal::TooLarge { .. }), "{big:?}");
    }
}
