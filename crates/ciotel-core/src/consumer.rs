//! The one interface between pipeline stages: hand a batch to the next stage, now.
//!
//! Consuming never waits. A stage that cannot take more answers [`ConsumeError::Refused`] at
//! once, so a receiver can tell its client to retry (gRPC UNAVAILABLE, HTTP 503) instead of
//! buffering without bound.

use crate::signal::Batch;
use std::sync::Arc;

/// Why a stage did not take a batch.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ConsumeError {
    /// The pipeline is full or over its memory limit; the client should retry later.
    #[error("pipeline refused data, retry later: {0}")]
    Refused(String),
    /// The data can never be accepted (e.g. no pipeline for this signal).
    #[error("{0}")]
    Permanent(String),
}

impl ConsumeError {
    /// True when a client retry may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ConsumeError::Refused(_))
    }
}

/// A pipeline stage that takes batches: a processor, a fan-out, an exporter's queue.
pub trait Consumer: Send + Sync + 'static {
    /// Takes ownership of `batch` or refuses it, without waiting.
    fn consume(&self, batch: Batch) -> Result<(), ConsumeError>;
}

/// A shared handle to the next stage.
pub type NextConsumer = Arc<dyn Consumer>;
