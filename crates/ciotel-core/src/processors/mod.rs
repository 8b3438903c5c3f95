//! Processors: stages between receivers and exporters.
//!
//! Most processors are pure edits of a batch ([`Transform`]); [`TransformStage`] turns one into
//! a pipeline stage. `batch` and `memory_limiter` own state and implement
//! [`Consumer`](crate::consumer::Consumer) directly.

pub mod attribute_actions;
pub mod attributes;
pub mod batch;
pub mod filter;
pub mod memory_limiter;
pub mod resource;

use crate::consumer::{ConsumeError, Consumer, NextConsumer};
use crate::signal::Batch;

/// A stateless edit of a batch: rename, add or drop attributes, drop items.
pub trait Transform: Send + Sync + 'static {
    /// Edits the batch in place. Items may be removed; empty groups may be left behind.
    fn apply(&self, batch: &mut Batch);
}

/// Runs a [`Transform`] and hands the result on; a batch left empty goes no further.
pub struct TransformStage<T> {
    transform: T,
    next: NextConsumer,
}

impl<T: Transform> TransformStage<T> {
    /// Wraps `transform` in front of `next`.
    pub fn new(transform: T, next: NextConsumer) -> Self {
        TransformStage { transform, next }
    }
}

impl<T: Transform> Consumer for TransformStage<T> {
    fn consume(&self, mut batch: Batch) -> Result<(), ConsumeError> {
        self.transform.apply(&mut batch);
        if batch.is_empty() {
            return Ok(());
        }
        self.next.consume(batch)
    }
}
