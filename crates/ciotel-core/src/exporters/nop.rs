//! `nop` exporter: accepts every batch and drops it, as the Collector's `nop` exporter does.
//! It exists to measure a pipeline without a backend's cost (benches/compare) and to give a
//! pipeline an end when its output is not wanted.

use super::queue::QueueConfig;
use super::{BoxFuture, ExportError, Exporter};
use crate::signal::Batch;
use serde::Deserialize;

/// Config of the `nop` exporter: only `sending_queue`, so a benchmark can measure a queue
/// (on disk with `storage:`) in front of an exporter that costs nothing.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NopConfig {
    /// The queue in front of the exporter (in memory by default).
    #[serde(default)]
    pub sending_queue: QueueConfig,
}

/// The `nop` exporter.
#[derive(Debug, Default)]
pub struct NopExporter;

impl Exporter for NopExporter {
    fn export<'a>(&'a self, _batch: &'a Batch) -> BoxFuture<'a, Result<(), ExportError>> {
        Box::pin(async { Ok(()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signal::Signal;

    #[tokio::test]
    async fn accepts_every_batch() {
        let nop = NopExporter;
        for signal in [Signal::Traces, Signal::Metrics, Signal::Logs] {
            assert_eq!(nop.export(&Batch::empty(signal)).await, Ok(()));
        }
    }

    #[test]
    fn refuses_unknown_keys() {
        let err = yaml_serde::from_str::<NopConfig>("verbosity: basic").unwrap_err();
        assert!(err.to_string().contains("verbosity"), "{err}");
    }
}
