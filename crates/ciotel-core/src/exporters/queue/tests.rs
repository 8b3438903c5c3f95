use super::*;
use crate::exporters::{BoxFuture, ExportError};
use crate::testing::span_batch;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// Fails with `error` the first `failures` calls, then succeeds.
struct Flaky {
    failures: u32,
    calls: AtomicU32,
    error: ExportError,
    gate: tokio::sync::Semaphore,
}

impl Exporter for Flaky {
    fn export<'a>(&'a self, _batch: &'a Batch) -> BoxFuture<'a, Result<(), ExportError>> {
        Box::pin(async move {
            let _permit = self.gate.acquire().await;
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            if n < self.failures {
                Err(self.error.clone())
            } else {
                Ok(())
            }
        })
    }
}

fn flaky(failures: u32, error: ExportError, open: bool) -> Arc<Flaky> {
    Arc::new(Flaky {
        failures,
        calls: AtomicU32::new(0),
        error,
        gate: tokio::sync::Semaphore::new(if open { 1000 } else { 0 }),
    })
}

#[tokio::test(start_paused = true)]
async fn retries_retryable_errors_until_sent() {
    let registry = Registry::new();
    let exporter = flaky(3, ExportError::Retryable("503".into()), true);
    let q = QueuedExporter::start(
        "otlp",
        exporter.clone(),
        &QueueConfig::default(),
        &RetryConfig::default(),
        &registry,
    );
    q.try_enqueue(Arc::new(span_batch(7))).unwrap();
    q.drain().await;
    assert_eq!(exporter.calls.load(Ordering::SeqCst), 4);
    assert_eq!(
        registry.value("ciotel_exporter_sent_spans", &[("exporter", "otlp")]),
        Some(7)
    );
    assert_eq!(
        registry.value("ciotel_exporter_send_failed_spans", &[("exporter", "otlp")]),
        Some(0)
    );
}

#[tokio::test(start_paused = true)]
async fn does_not_retry_permanent_errors() {
    let registry = Registry::new();
    let exporter = flaky(1, ExportError::Permanent("400".into()), true);
    let q = QueuedExporter::start(
        "x",
        exporter.clone(),
        &QueueConfig::default(),
        &RetryConfig::default(),
        &registry,
    );
    q.try_enqueue(Arc::new(span_batch(2))).unwrap();
    q.drain().await;
    assert_eq!(exporter.calls.load(Ordering::SeqCst), 1);
    assert_eq!(
        registry.value("ciotel_exporter_send_failed_spans", &[("exporter", "x")]),
        Some(2)
    );
}

#[tokio::test(start_paused = true)]
async fn a_full_queue_refuses_retryably() {
    let registry = Registry::new();
    let exporter = flaky(0, ExportError::Retryable("x".into()), false);
    let config = QueueConfig {
        num_consumers: 1,
        queue_size: 2,
        ..QueueConfig::default()
    };
    let q = QueuedExporter::start(
        "slow",
        exporter.clone(),
        &config,
        &RetryConfig::default(),
        &registry,
    );
    q.try_enqueue(Arc::new(span_batch(1))).unwrap();
    tokio::time::sleep(Duration::from_millis(1)).await; // the consumer takes the first one
    // Being sent, it still counts: one more fits.
    q.try_enqueue(Arc::new(span_batch(1))).unwrap();
    let err = q.try_enqueue(Arc::new(span_batch(5))).unwrap_err();
    assert!(err.is_retryable());
    assert!(
        err.to_string()
            .contains("sending queue of exporter slow is full")
    );
    assert_eq!(
        registry.value(
            "ciotel_exporter_enqueue_failed_spans",
            &[("exporter", "slow")]
        ),
        Some(5)
    );
    assert_eq!(
        registry.value("ciotel_exporter_queue_size", &[("exporter", "slow")]),
        Some(2)
    );
    exporter.gate.add_permits(10);
    q.drain().await;
    assert_eq!(
        registry.value("ciotel_exporter_sent_spans", &[("exporter", "slow")]),
        Some(2)
    );
}

fn gauge(registry: &Registry, name: &str, exporter: &str) -> Option<u64> {
    registry.value(name, &[("exporter", exporter)])
}

#[tokio::test(start_paused = true)]
async fn batches_in_retry_backoff_still_count_as_queued() {
    let registry = Registry::new();
    let exporter = flaky(2, ExportError::Retryable("503".into()), true);
    let q = QueuedExporter::start(
        "r",
        exporter.clone(),
        &QueueConfig::default(),
        &RetryConfig::default(),
        &registry,
    );
    q.try_enqueue(Arc::new(span_batch(4))).unwrap();
    tokio::time::sleep(Duration::from_millis(10)).await; // first attempt failed, backing off
    assert_eq!(gauge(&registry, "ciotel_exporter_queue_size", "r"), Some(1));
    assert_eq!(
        gauge(&registry, "ciotel_exporter_queue_items", "r"),
        Some(4)
    );
    assert_eq!(
        gauge(&registry, "ciotel_exporter_queue_retrying", "r"),
        Some(1)
    );
    assert!(gauge(&registry, "ciotel_exporter_queue_bytes", "r").unwrap() > 0);
    q.drain().await;
    assert_eq!(gauge(&registry, "ciotel_exporter_queue_size", "r"), Some(0));
    assert_eq!(
        gauge(&registry, "ciotel_exporter_queue_retrying", "r"),
        Some(0)
    );
    assert_eq!(gauge(&registry, "ciotel_exporter_sent_spans", "r"), Some(4));
}

#[tokio::test(start_paused = true)]
async fn a_queue_full_in_bytes_refuses_retryably() {
    let registry = Registry::new();
    let exporter = flaky(0, ExportError::Retryable("x".into()), false);
    let config = QueueConfig {
        num_consumers: 1,
        max_size_mib: Some(1),
        ..QueueConfig::default()
    };
    let q = QueuedExporter::start(
        "b",
        exporter.clone(),
        &config,
        &RetryConfig::default(),
        &registry,
    );
    let big = Arc::new(span_batch(20_000)); // ~ 0.2 MiB each
    let mut accepted = 0;
    let refusal = loop {
        match q.try_enqueue(big.clone()) {
            Ok(()) => accepted += 1,
            Err(e) => break e,
        }
        assert!(accepted < 100, "the byte bound never refused");
    };
    assert!(refusal.is_retryable(), "{refusal}");
    assert!(refusal.to_string().contains("bytes"), "{refusal}");
    assert!(gauge(&registry, "ciotel_exporter_queue_bytes", "b").unwrap() <= 1024 * 1024);
    assert_eq!(
        gauge(&registry, "ciotel_exporter_queue_capacity_bytes", "b"),
        Some(1024 * 1024)
    );
    exporter.gate.add_permits(1000);
    q.drain().await;
    assert_eq!(
        gauge(&registry, "ciotel_exporter_sent_spans", "b"),
        Some(20_000 * accepted)
    );
}

/// Records the item count of every export.
struct Recorder {
    sizes: std::sync::Mutex<Vec<usize>>,
}

impl Exporter for Recorder {
    fn export<'a>(&'a self, batch: &'a Batch) -> BoxFuture<'a, Result<(), ExportError>> {
        self.sizes.lock().unwrap().push(batch.item_count());
        Box::pin(async { Ok(()) })
    }
}

#[tokio::test(start_paused = true)]
async fn exporter_side_batching_gathers_and_cuts() {
    let registry = Registry::new();
    let recorder = Arc::new(Recorder {
        sizes: Default::default(),
    });
    let config = QueueConfig {
        num_consumers: 1,
        batch: Some(QueueBatchConfig {
            min_size: 10,
            max_size: 12,
            flush_timeout: Duration::from_millis(200),
        }),
        ..QueueConfig::default()
    };
    let q = QueuedExporter::start(
        "x",
        recorder.clone(),
        &config,
        &RetryConfig::default(),
        &registry,
    );
    for _ in 0..4 {
        q.try_enqueue(Arc::new(span_batch(3))).unwrap();
    }
    tokio::time::sleep(Duration::from_millis(1)).await;
    // 3+3+3+3 = 12 ≥ min_size: sent at once, within max_size.
    assert_eq!(*recorder.sizes.lock().unwrap(), vec![12]);
    q.try_enqueue(Arc::new(span_batch(2))).unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        recorder.sizes.lock().unwrap().len(),
        1,
        "below min_size: waits"
    );
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(
        *recorder.sizes.lock().unwrap(),
        vec![12, 2],
        "flush_timeout passed"
    );
    q.try_enqueue(Arc::new(span_batch(30))).unwrap();
    q.drain().await;
    assert_eq!(*recorder.sizes.lock().unwrap(), vec![12, 2, 12, 12, 6]);
    assert_eq!(
        gauge(&registry, "ciotel_exporter_sent_spans", "x"),
        Some(44)
    );
}

#[tokio::test]
async fn a_persistent_queue_sends_after_a_restart_what_it_could_not_send_before() {
    let dir = disk::tests::scratch("queued-exporter");
    let registry = Registry::new();
    let down = flaky(u32::MAX, ExportError::Retryable("down".into()), true);
    let options = || disk::DiskOptions::new(dir.join("exporter_otlp"));
    let q = QueuedExporter::start_on_disk(
        "otlp",
        down.clone(),
        &QueueConfig::default(),
        &RetryConfig::default(),
        &registry,
        options(),
    )
    .unwrap();
    q.try_enqueue(Arc::new(span_batch(3))).unwrap();
    q.try_enqueue(Arc::new(span_batch(4))).unwrap();
    // The age gauge is refreshed every second (real time: the records carry wall-clock times).
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while gauge(
        &registry,
        "ciotel_exporter_queue_oldest_age_seconds",
        "otlp",
    ) < Some(1)
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the age gauge never moved"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        gauge(&registry, "ciotel_exporter_queue_size", "otlp"),
        Some(2)
    );
    // Drain stops at once on disk: nothing is lost, nothing counted as dropped.
    q.drain().await;
    assert_eq!(
        q.held(),
        HeldSummary {
            batches: 2,
            items: 7,
            persistent: true
        }
    );
    drop(q);

    let registry = Registry::new();
    let up = Arc::new(Recorder {
        sizes: Default::default(),
    });
    let q = QueuedExporter::start_on_disk(
        "otlp",
        up.clone(),
        &QueueConfig::default(),
        &RetryConfig::default(),
        &registry,
        options(),
    )
    .unwrap();
    assert_eq!(
        gauge(&registry, "ciotel_exporter_queue_items", "otlp"),
        Some(7)
    );
    for _ in 0..500 {
        if q.held().batches == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut sizes = up.sizes.lock().unwrap().clone();
    sizes.sort();
    assert_eq!(sizes, vec![3, 4]);
    q.drain().await;
    let _ = std::fs::remove_dir_all(&dir);
}
