//! Helpers for testing components alone: a consumer that collects, and batches of any size.

use crate::consumer::{ConsumeError, Consumer};
use crate::signal::Batch;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use std::sync::Mutex;

/// A consumer that keeps every batch it is given (or refuses while `refuse` is set).
#[derive(Default)]
pub struct CollectingConsumer {
    /// Batches received, in order.
    pub batches: Mutex<Vec<Batch>>,
    /// When true, every batch is refused retryably.
    pub refuse: std::sync::atomic::AtomicBool,
}

impl CollectingConsumer {
    /// Item count of each batch received.
    pub fn item_counts(&self) -> Vec<usize> {
        self.batches
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(Batch::item_count)
            .collect()
    }
}

impl Consumer for CollectingConsumer {
    fn consume(&self, batch: Batch) -> Result<(), ConsumeError> {
        if self.refuse.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(ConsumeError::Refused("test sink refuses".into()));
        }
        self.batches
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(batch);
        Ok(())
    }
}

/// A trace batch of `n` spans named `span-0` … in one resource and scope.
pub fn span_batch(n: usize) -> Batch {
    Batch::Traces(vec![ResourceSpans {
        scope_spans: vec![ScopeSpans {
            spans: (0..n)
                .map(|i| Span {
                    name: format!("span-{i}"),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }],
        ..Default::default()
    }])
}
