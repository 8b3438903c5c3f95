//! OTLP/protobuf export requests, as the gRPC and HTTP receivers get them, and what the
//! pipeline does with a decoded batch: count its items, split it where the batch processor
//! would (every cut point), and merge the halves back.
//!
//! The same bytes are tried as all three requests, since any protobuf may decode as any of them.

#![no_main]

use ciotel_core::signal::Batch;
use libfuzzer_sys::fuzz_target;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;

/// At most this many cut points are tried per batch, so huge batches stay quick.
const MAX_CUTS: usize = 64;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = ExportTraceServiceRequest::decode(data) {
        exercise(Batch::Traces(r.resource_spans));
    }
    if let Ok(r) = ExportMetricsServiceRequest::decode(data) {
        exercise(Batch::Metrics(r.resource_metrics));
    }
    if let Ok(r) = ExportLogsServiceRequest::decode(data) {
        exercise(Batch::Logs(r.resource_logs));
    }
});

/// Splits `batch` at every cut point (up to [`MAX_CUTS`]) and checks what the batch processor
/// relies on: no item is lost or made up, the head holds at most `keep` items unless it is one
/// uncuttable metric alone, and appending the tail gives back every item.
fn exercise(batch: Batch) {
    let total = batch.item_count();
    let _ = batch.resource_count();
    let step = (total / MAX_CUTS).max(1);
    for keep in (1..=total + 1).step_by(step) {
        let mut head = batch.clone();
        let tail = head.split_off_items(keep);
        let (h, t) = (head.item_count(), tail.item_count());
        assert_eq!(h + t, total, "split at {keep} lost or made up items");
        assert!(
            h <= keep || non_empty_metrics(&head) == 1,
            "split at {keep} kept {h} items: more than the limit, and not one uncuttable metric"
        );
        assert_eq!(head.signal(), tail.signal());
        head.append(tail).expect("same signal");
        assert_eq!(head.item_count(), total);
    }
}

/// Metrics with at least one data point: a split may keep one such metric alone past its
/// limit (a metric is never cut), but nothing beside it. Zero for spans and logs.
fn non_empty_metrics(head: &Batch) -> usize {
    let Batch::Metrics(rm) = head else { return 0 };
    rm.iter()
        .flat_map(|r| &r.scope_metrics)
        .flat_map(|s| &s.metrics)
        .filter(|m| ciotel_core::signal::metric_point_count(m.data.as_ref()) > 0)
        .count()
}
