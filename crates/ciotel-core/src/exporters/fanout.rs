//! The end of a pipeline: one batch, shared (not copied) by every exporter of the pipeline,
//! and handed to the connectors the pipeline exports to (each gets its own copy, since the
//! pipelines behind a connector edit what they get).

use super::queue::QueuedExporter;
use crate::consumer::{ConsumeError, Consumer, NextConsumer};
use crate::signal::Batch;
use std::sync::Arc;

/// Hands each batch to every exporter's queue. A full queue refuses for its exporter only;
/// the others still get the batch, and the caller hears of the refusal so the client retries.
pub struct ExporterFanout {
    exporters: Vec<Arc<QueuedExporter>>,
    connectors: Vec<NextConsumer>,
}

impl ExporterFanout {
    /// A fan-out to `exporters`, in order.
    pub fn new(exporters: Vec<Arc<QueuedExporter>>) -> Self {
        ExporterFanout {
            exporters,
            connectors: Vec::new(),
        }
    }

    /// Also hands every batch to `connectors` (the pipeline lists them as exporters).
    pub fn with_connectors(mut self, connectors: Vec<NextConsumer>) -> Self {
        self.connectors = connectors;
        self
    }
}

impl Consumer for ExporterFanout {
    fn consume(&self, batch: Batch) -> Result<(), ConsumeError> {
        let mut refused = Vec::new();
        let mut permanent = Vec::new();
        let batch = match self.connectors.split_last() {
            None => batch,
            Some((last, rest)) => {
                let mut outcomes: Vec<Result<(), ConsumeError>> =
                    rest.iter().map(|c| c.consume(batch.clone())).collect();
                let own = if self.exporters.is_empty() {
                    outcomes.push(last.consume(batch));
                    None
                } else {
                    outcomes.push(last.consume(batch.clone()));
                    Some(batch)
                };
                for outcome in outcomes {
                    match outcome {
                        Ok(()) => {}
                        Err(ConsumeError::Refused(e)) => refused.push(e),
                        Err(ConsumeError::Permanent(e)) => permanent.push(e),
                    }
                }
                match own {
                    Some(batch) => batch,
                    None => return finish(refused, permanent),
                }
            }
        };
        let shared = Arc::new(batch);
        for exporter in &self.exporters {
            if let Err(e) = exporter.try_enqueue(shared.clone()) {
                refused.push(e.to_string());
            }
        }
        finish(refused, permanent)
    }
}

/// Refused if anything refused (the client retries), else permanent if anything was.
fn finish(refused: Vec<String>, permanent: Vec<String>) -> Result<(), ConsumeError> {
    if !refused.is_empty() {
        return Err(ConsumeError::Refused(refused.join("; ")));
    }
    if !permanent.is_empty() {
        return Err(ConsumeError::Permanent(permanent.join("; ")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{CollectingConsumer, span_batch};
    use std::sync::atomic::Ordering;

    #[test]
    fn every_connector_gets_its_own_copy_and_a_refusal_reaches_the_caller() {
        let a = Arc::new(CollectingConsumer::default());
        let b = Arc::new(CollectingConsumer::default());
        let fanout = ExporterFanout::new(Vec::new()).with_connectors(vec![a.clone(), b.clone()]);
        fanout.consume(span_batch(3)).unwrap();
        assert_eq!((a.item_counts(), b.item_counts()), (vec![3], vec![3]));
        a.refuse.store(true, Ordering::Relaxed);
        let err = fanout.consume(span_batch(2)).unwrap_err();
        assert!(err.is_retryable(), "{err}");
        assert_eq!(
            b.item_counts(),
            vec![3, 2],
            "the other connector still got the batch"
        );
    }
}
