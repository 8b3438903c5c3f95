//! The `cicd_view` exporter: the tap at the end of a traces pipeline that hands each batch, as
//! the pipeline's processors left it (owners, verdict spans), to a `cicd_view` extension's
//! store. It never fails: the store drops what its bounds do not keep.

use crate::store::RunStore;
use ciotel_core::Batch;
use ciotel_core::exporters::{BoxFuture, ExportError, Exporter};
use std::sync::Arc;

/// Feeds one [`RunStore`].
#[derive(Debug, Clone)]
pub struct CicdViewExporter {
    store: Arc<RunStore>,
}

impl CicdViewExporter {
    /// An exporter into `store`.
    pub fn new(store: Arc<RunStore>) -> Self {
        CicdViewExporter { store }
    }
}

impl Exporter for CicdViewExporter {
    fn export<'a>(&'a self, batch: &'a Batch) -> BoxFuture<'a, Result<(), ExportError>> {
        if let Batch::Traces(groups) = batch {
            self.store.record(groups);
        }
        Box::pin(async { Ok(()) })
    }
}
