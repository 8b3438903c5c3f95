//! Criterion benches of the hot path: OTLP protobuf and JSON decode/encode of a typical CI
//! batch, and the batch processor gathering small batches into large ones.
//!
//! Run: `cargo bench --bench pipeline`. Compare runs side by side (criterion keeps the previous
//! run as the baseline: `--save-baseline before` / `--baseline before`).

use ciotel_core::processors::batch::{BatchConfig, BatchProcessor};
use ciotel_core::testing::CollectingConsumer;
use ciotel_core::{Batch, Consumer, Signal};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use prost::Message;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

/// A request shaped like a CI job's: one resource, `spans` spans with a dozen attributes each.
fn ci_request(spans: usize) -> ExportTraceServiceRequest {
    let attr = |k: &str, v: &str| KeyValue {
        key: k.into(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(v.into())),
        }),
        ..Default::default()
    };
    let spans = (0..spans)
        .map(|i| Span {
            trace_id: vec![7; 16],
            span_id: (i as u64).to_be_bytes().to_vec(),
            parent_span_id: vec![1; 8],
            name: format!("test_case_{i}"),
            kind: 1,
            start_time_unix_nano: 1_700_000_000_000_000_000 + i as u64,
            end_time_unix_nano: 1_700_000_000_500_000_000 + i as u64,
            attributes: (0..12)
                .map(|a| attr(&format!("test.attr.{a}"), "some value of moderate length"))
                .collect(),
            ..Default::default()
        })
        .collect();
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource {
                attributes: vec![
                    attr("service.name", "pytest"),
                    attr("cicd.pipeline.run.id", "14460881260"),
                ],
                ..Default::default()
            }),
            scope_spans: vec![ScopeSpans {
                spans,
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

fn codec(c: &mut Criterion) {
    let request = ci_request(512);
    let proto = request.encode_to_vec();
    let json = ciotel_otlp::json::encode_traces(&request);
    let mut group = c.benchmark_group("otlp_codec_512_spans");
    group.throughput(Throughput::Elements(512));
    group.bench_function("protobuf_decode", |b| {
        b.iter(|| ExportTraceServiceRequest::decode(black_box(proto.as_slice())))
    });
    group.bench_function("protobuf_encode", |b| {
        b.iter(|| black_box(&request).encode_to_vec())
    });
    group.bench_function("json_decode", |b| {
        b.iter(|| ciotel_otlp::json::decode_traces(black_box(&json)))
    });
    group.bench_function("json_encode", |b| {
        b.iter(|| ciotel_otlp::json::encode_traces(black_box(&request)))
    });
    group.finish();
}

fn batching(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let small = Batch::Traces(ci_request(16).resource_spans);
    let mut group = c.benchmark_group("batch_processor");
    group.throughput(Throughput::Elements(16 * 512));
    group.bench_function("512_batches_of_16_into_8192", |b| {
        b.iter_batched(
            || small.clone(),
            |small| {
                runtime.block_on(async {
                    let sink = Arc::new(CollectingConsumer::default());
                    let config = BatchConfig {
                        send_batch_size: 8192,
                        timeout: Duration::from_secs(60),
                        send_batch_max_size: 0,
                    };
                    let (processor, task) =
                        BatchProcessor::start(config, Signal::Traces, sink.clone());
                    for _ in 0..512 {
                        while processor.consume(small.clone()).is_err() {
                            tokio::task::yield_now().await;
                        }
                    }
                    drop(processor);
                    let _ = task.await;
                    assert_eq!(sink.item_counts().iter().sum::<usize>(), 16 * 512);
                })
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, codec, batching);
criterion_main!(benches);
