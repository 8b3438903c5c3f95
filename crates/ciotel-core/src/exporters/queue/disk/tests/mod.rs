//! Tests of the disk queue on real files: round trips, restarts, acks and deletion, damage.

mod damage;
mod restart;

use super::{DiskOptions, DiskQueue, FsyncPolicy};
use crate::exporters::queue::metrics::QueueMetrics;
use crate::exporters::queue::store::Entry;
use crate::telemetry::Registry;
use std::path::{Path, PathBuf};

/// A fresh scratch directory for one test (left behind only if the test fails).
pub(crate) fn scratch(label: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!(
        "ciotel-disk-queue-{label}-{}-{n}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Opens the queue in `dir` with small segments, counting into `registry`.
fn open(dir: &Path, registry: &Registry, fsync: FsyncPolicy) -> DiskQueue {
    let options = DiskOptions {
        fsync,
        max_bytes: 64 * 1024 * 1024,
        max_batches: 100_000,
        segment_bytes: Some(4096),
        ..DiskOptions::new(dir.to_path_buf())
    };
    let metrics = QueueMetrics::new(registry, "q", 100_000, options.max_bytes);
    DiskQueue::open("q", options, metrics).expect("open the queue")
}

/// Every entry waiting, taken in order.
fn take_all(q: &DiskQueue) -> Vec<Entry> {
    std::iter::from_fn(|| q.try_next()).collect()
}

/// The span names of entries, in order.
fn names(entries: &[Entry]) -> Vec<String> {
    entries
        .iter()
        .flat_map(|e| match &*e.batch {
            crate::signal::Batch::Traces(rs) => rs
                .iter()
                .flat_map(|r| &r.scope_spans)
                .flat_map(|s| &s.spans)
                .map(|s| s.name.clone())
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        })
        .collect()
}

/// A trace batch of one span named `name`.
fn named(name: &str) -> crate::signal::Batch {
    let mut batch = crate::testing::span_batch(1);
    if let crate::signal::Batch::Traces(rs) = &mut batch {
        rs[0].scope_spans[0].spans[0].name = name.to_string();
    }
    batch
}

/// Segment files in `dir`, in order.
fn segments(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "seg"))
        .collect();
    out.sort();
    out
}

fn skipped(registry: &Registry) -> u64 {
    registry
        .value(
            "ciotel_exporter_queue_skipped_records",
            &[("exporter", "q")],
        )
        .unwrap_or(0)
}
