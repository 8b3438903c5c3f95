//! Criterion benches of the sending queue: how fast batches go into it (what a receiver waits
//! for before it answers OK) in memory and on disk under each `fsync` policy, and how fast a
//! persistent queue left by a crash is read back and acknowledged.
//!
//! Run: `cargo bench --bench queue` (the disk benches write to the system temp dir; `always`
//! measures the disk's sync rate, so expect it to differ by orders of magnitude between a
//! laptop SSD, a cloud volume and tmpfs).

use ciotel_core::Batch;
use ciotel_core::exporters::queue::disk::{DiskOptions, FsyncPolicy};
use ciotel_core::exporters::queue::{QueueConfig, QueuedExporter};
use ciotel_core::exporters::retry::RetryConfig;
use ciotel_core::exporters::{BoxFuture, ExportError, Exporter};
use ciotel_core::telemetry::Registry;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// 100 CI-test-shaped spans with a dozen attributes each (~25 KB of OTLP protobuf).
fn batch() -> Batch {
    let attr = |k: String| KeyValue {
        key: k,
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(
                "some value of moderate length".into(),
            )),
        }),
        ..Default::default()
    };
    Batch::Traces(vec![ResourceSpans {
        scope_spans: vec![ScopeSpans {
            spans: (0..100u64)
                .map(|i| Span {
                    trace_id: vec![7; 16],
                    span_id: i.to_be_bytes().to_vec(),
                    name: format!("test_case_{i}"),
                    start_time_unix_nano: 1,
                    end_time_unix_nano: 2,
                    attributes: (0..12).map(|a| attr(format!("test.attr.{a}"))).collect(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }],
        ..Default::default()
    }])
}

/// A backend that accepts everything at once, so only the queue is measured.
struct Accepting;

impl Exporter for Accepting {
    fn export<'a>(&'a self, _batch: &'a Batch) -> BoxFuture<'a, Result<(), ExportError>> {
        Box::pin(async { Ok(()) })
    }
}

/// A backend that is down, so a queue only fills.
struct Down;

impl Exporter for Down {
    fn export<'a>(&'a self, _batch: &'a Batch) -> BoxFuture<'a, Result<(), ExportError>> {
        Box::pin(async { Err(ExportError::Retryable("down".into())) })
    }
}

fn scratch(label: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("ciotel-bench-queue-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn queue_config() -> QueueConfig {
    QueueConfig {
        num_consumers: 2,
        queue_size: 1_000_000,
        max_size_mib: Some(4096),
        ..QueueConfig::default()
    }
}

fn enqueue(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let _guard = rt.enter();
    let batch = Arc::new(batch());
    let mut group = c.benchmark_group("enqueue_100_spans");
    group.throughput(Throughput::Elements(100));
    group.measurement_time(Duration::from_secs(5));
    let memory = QueuedExporter::start(
        "memory",
        Arc::new(Accepting),
        &queue_config(),
        &RetryConfig::default(),
        &Registry::new(),
    );
    group.bench_function("memory", |b| {
        b.iter(|| while memory.try_enqueue(batch.clone()).is_err() {})
    });
    for (name, fsync) in [
        ("disk_never", FsyncPolicy::Never),
        ("disk_interval", FsyncPolicy::Interval),
        ("disk_always", FsyncPolicy::Always),
    ] {
        let dir = scratch(name);
        let queue = QueuedExporter::start_on_disk(
            name,
            Arc::new(Accepting),
            &queue_config(),
            &RetryConfig::default(),
            &Registry::new(),
            DiskOptions {
                fsync,
                ..DiskOptions::new(dir.clone())
            },
        )
        .expect("open the queue");
        group.bench_function(name, |b| {
            b.iter(|| while queue.try_enqueue(batch.clone()).is_err() {})
        });
        rt.block_on(queue.drain());
        let _ = std::fs::remove_dir_all(&dir);
    }
    group.finish();
}

/// Fills a queue with the backend down, then measures restarting on it with the backend up:
/// the start-up scan, reading every record back, sending and acknowledging it.
fn recover_and_send(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let _guard = rt.enter();
    let batch = Arc::new(batch());
    const BATCHES: u64 = 2000;
    let mut group = c.benchmark_group("recover_and_send");
    group.throughput(Throughput::Elements(BATCHES * 100));
    group.sample_size(10);
    group.bench_function("2000_batches_of_100_spans", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let dir = scratch("recover");
                let options = || DiskOptions {
                    fsync: FsyncPolicy::Never,
                    ..DiskOptions::new(dir.clone())
                };
                let down = QueuedExporter::start_on_disk(
                    "fill",
                    Arc::new(Down),
                    &queue_config(),
                    &RetryConfig::default(),
                    &Registry::new(),
                    options(),
                )
                .expect("open");
                for _ in 0..BATCHES {
                    down.try_enqueue(batch.clone()).expect("enqueue");
                }
                rt.block_on(down.drain());
                drop(down);
                let started = Instant::now();
                let up = QueuedExporter::start_on_disk(
                    "send",
                    Arc::new(Accepting),
                    &queue_config(),
                    &RetryConfig::default(),
                    &Registry::new(),
                    options(),
                )
                .expect("reopen");
                while up.held().batches > 0 {
                    rt.block_on(tokio::time::sleep(Duration::from_micros(200)));
                }
                total += started.elapsed();
                rt.block_on(up.drain());
                let _ = std::fs::remove_dir_all(&dir);
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, enqueue, recover_and_send);
criterion_main!(benches);
