//! `nop` exporter: accepts every batch and drops it, as the Collector's `nop` exporter does.
//! It exists to measure a pipeline without a backend's cost (benches/compare) and to give a
//! pipeline an end when its output is not wanted.

use super::{BoxFuture, ExportError, Exporter};
use crate::signal::Batch;
use serde::Deserialize;

/// Config of the `nop` exporter: it has no keys (any key is an error).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NopConfig {}

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
