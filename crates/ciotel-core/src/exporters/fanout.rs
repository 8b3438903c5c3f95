//! The end of a pipeline: one batch, shared (not copied) by every exporter of the pipeline.

use super::queue::QueuedExporter;
use crate::consumer::{ConsumeError, Consumer};
use crate::signal::Batch;
use std::sync::Arc;

/// Hands each batch to every exporter's queue. A full queue refuses for its exporter only;
/// the others still get the batch, and the caller hears of the refusal so the client retries.
pub struct ExporterFanout {
    exporters: Vec<Arc<QueuedExporter>>,
}

impl ExporterFanout {
    /// A fan-out to `exporters`, in order.
    pub fn new(exporters: Vec<Arc<QueuedExporter>>) -> Self {
        ExporterFanout { exporters }
    }
}

impl Consumer for ExporterFanout {
    fn consume(&self, batch: Batch) -> Result<(), ConsumeError> {
        let shared = Arc::new(batch);
        let mut refused = Vec::new();
        for exporter in &self.exporters {
            if let Err(e) = exporter.try_enqueue(shared.clone()) {
                refused.push(e.to_string());
            }
        }
        if refused.is_empty() {
            Ok(())
        } else {
            Err(ConsumeError::Refused(refused.join("; ")))
        }
    }
}
