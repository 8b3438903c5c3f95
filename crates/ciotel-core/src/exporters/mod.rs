//! Exporters: the [`Exporter`] trait every backend implements, and the machinery in front of
//! it that every exporter shares — a bounded sending queue and retries with backoff.

pub mod debug;
pub mod fanout;
pub mod nop;
pub mod queue;
pub mod retry;

use crate::signal::Batch;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A boxed future, so exporters can be trait objects.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What went wrong sending one batch; all the retry loop needs to know.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ExportError {
    /// A transient failure (connection refused, 503 …): retry with backoff.
    #[error("{0}")]
    Retryable(String),
    /// The backend asked to wait this long before retrying (Retry-After, RetryInfo).
    #[error("{reason} (server asked to retry after {after:?})")]
    Throttled {
        /// The delay the backend asked for.
        after: Duration,
        /// What the backend said.
        reason: String,
    },
    /// The backend will never accept this batch (400, INVALID_ARGUMENT …): drop it.
    #[error("{0}")]
    Permanent(String),
}

/// A backend that batches are sent to. Called by the sending queue's consumers, possibly from
/// several tasks at once.
pub trait Exporter: Send + Sync + 'static {
    /// Sends one batch. A partial success is logged by the exporter and returned as `Ok`.
    fn export<'a>(&'a self, batch: &'a Batch) -> BoxFuture<'a, Result<(), ExportError>>;

    /// Flushes and closes, once the queue is drained.
    fn shutdown(&self) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }
}
