//! The limiter's decision, its readiness entry and its metrics, with a probe the test sets.

use super::*;
use crate::testing::{CollectingConsumer, span_batch};
use std::sync::atomic::AtomicU64;

struct Fixed(Arc<AtomicU64>);

impl MemoryProbe for Fixed {
    fn used_bytes(&self) -> Option<u64> {
        Some(self.0.load(Ordering::Relaxed))
    }
}

struct Unknown;

impl MemoryProbe for Unknown {
    fn used_bytes(&self) -> Option<u64> {
        None
    }
}

fn config(limit: u64, spike: Option<u64>) -> MemoryLimiterConfig {
    MemoryLimiterConfig {
        limit_mib: limit,
        spike_limit_mib: spike,
        check_interval: Duration::from_millis(100),
        ..Default::default()
    }
}

struct Harness {
    used: Arc<AtomicU64>,
    sink: Arc<CollectingConsumer>,
    readiness: Readiness,
    registry: Registry,
    limiter: MemoryLimiter,
}

fn harness(limit: u64, spike: Option<u64>, used_mib: u64) -> Harness {
    let used = Arc::new(AtomicU64::new(used_mib * MIB));
    let sink = Arc::new(CollectingConsumer::default());
    let readiness = Readiness::default();
    readiness.set(true);
    let registry = Registry::new();
    let limiter = MemoryLimiter::start(
        "memory_limiter",
        &config(limit, spike),
        Fixed(used.clone()),
        readiness.clone(),
        &registry,
        sink.clone(),
        CancellationToken::new(),
    )
    .unwrap();
    Harness {
        used,
        sink,
        readiness,
        registry,
        limiter,
    }
}

fn gauge(registry: &Registry, name: &str) -> Option<u64> {
    registry.value(name, &[("processor", "memory_limiter")])
}

#[test]
fn limits_are_limit_and_limit_minus_spike() {
    let l = config(100, None).limits(0).unwrap();
    assert_eq!((l.hard, l.soft), (100 * MIB, 80 * MIB));
    assert_eq!(config(100, Some(10)).soft_limit_bytes(0).unwrap(), 90 * MIB);
    assert!(
        config(100, Some(100))
            .soft_limit_bytes(0)
            .unwrap_err()
            .contains("must be below")
    );
    assert!(
        config(0, None)
            .soft_limit_bytes(0)
            .unwrap_err()
            .contains("limit_mib")
    );
    let pct = MemoryLimiterConfig {
        limit_percentage: 50,
        spike_limit_percentage: Some(10),
        ..Default::default()
    };
    let l = pct.limits(1000 * MIB).unwrap();
    assert_eq!((l.hard, l.soft), (500 * MIB, 400 * MIB));
    let both = MemoryLimiterConfig {
        limit_mib: 10,
        limit_percentage: 10,
        ..Default::default()
    };
    assert!(both.limits(MIB).unwrap_err().contains("not both"));
}

/// Every batch is checked as it comes: no timer tick is needed for the limiter to refuse the
/// first batch over the limit, nor to accept the first one after memory was freed.
#[tokio::test(start_paused = true)]
async fn each_batch_is_checked_against_the_live_heap_with_no_gap() {
    let h = harness(100, None, 10);
    h.limiter.consume(span_batch(1)).unwrap();
    h.used.store(80 * MIB + 1, Ordering::Relaxed);
    let err = h.limiter.consume(span_batch(3)).unwrap_err();
    assert!(err.is_retryable());
    assert_eq!(
        err.to_string(),
        "pipeline refused data, retry later: memory_limiter: live heap 80 MiB above soft limit 80 MiB"
    );
    h.used.store(80 * MIB, Ordering::Relaxed);
    h.limiter.consume(span_batch(2)).unwrap();
    assert_eq!(h.sink.item_counts(), vec![1, 2]);
    assert_eq!(
        gauge(&h.registry, "ciotel_memory_limiter_refused_items"),
        Some(3)
    );
}

/// Refusing is told to readiness with the reason, and taken back when the heap shrinks.
#[tokio::test(start_paused = true)]
async fn readiness_and_metrics_follow_the_decision() {
    let h = harness(100, Some(20), 10);
    assert_eq!(h.readiness.ready(), Ok(()));
    assert_eq!(
        gauge(&h.registry, "ciotel_memory_limiter_refusing"),
        Some(0)
    );
    assert_eq!(
        gauge(&h.registry, "ciotel_memory_limiter_soft_limit_bytes"),
        Some(80 * MIB)
    );
    assert_eq!(
        gauge(&h.registry, "ciotel_memory_limiter_limit_bytes"),
        Some(100 * MIB)
    );

    h.used.store(130 * MIB, Ordering::Relaxed);
    assert!(h.limiter.consume(span_batch(1)).is_err());
    assert!(h.limiter.is_refusing());
    assert_eq!(
        h.readiness.ready(),
        Err(vec![
            "memory_limiter: live heap 130 MiB above soft limit 80 MiB".into()
        ])
    );
    assert_eq!(
        gauge(&h.registry, "ciotel_memory_limiter_refusing"),
        Some(1)
    );

    h.used.store(50 * MIB, Ordering::Relaxed);
    h.limiter.consume(span_batch(1)).unwrap();
    assert!(!h.limiter.is_refusing());
    assert_eq!(h.readiness.ready(), Ok(()));
    assert_eq!(
        gauge(&h.registry, "ciotel_memory_limiter_refusing"),
        Some(0)
    );
}

/// With no data arriving, the timer still turns readiness on and off, refreshes the reason and
/// the live-heap gauge: `/ready` answers the truth between batches.
#[tokio::test(start_paused = true)]
async fn the_timer_updates_readiness_without_traffic() {
    let h = harness(100, None, 10);
    h.used.store(90 * MIB, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(
        h.readiness.ready(),
        Err(vec![
            "memory_limiter: live heap 90 MiB above soft limit 80 MiB".into()
        ])
    );
    h.used.store(95 * MIB, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        h.readiness.ready(),
        Err(vec![
            "memory_limiter: live heap 95 MiB above soft limit 80 MiB".into()
        ])
    );
    assert_eq!(
        h.registry.value("ciotel_process_live_heap_bytes", &[]),
        Some(95 * MIB)
    );
    h.used.store(20 * MIB, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(h.readiness.ready(), Ok(()));
    assert!(h.sink.item_counts().is_empty(), "no data was sent");
}

/// Unmeasurable memory never blocks data.
#[tokio::test]
async fn an_unknown_reading_lets_data_through() {
    let sink = Arc::new(CollectingConsumer::default());
    let limiter = MemoryLimiter::start(
        "memory_limiter",
        &config(1, None),
        Unknown,
        Readiness::default(),
        &Registry::new(),
        sink.clone(),
        CancellationToken::new(),
    )
    .unwrap();
    limiter.consume(span_batch(1)).unwrap();
    assert_eq!(sink.item_counts(), vec![1]);
}

#[test]
fn a_cgroup_limit_of_max_means_none() {
    assert_eq!(probe::cgroup_limit("max\n"), None);
    assert_eq!(probe::cgroup_limit("536870912\n"), Some(512 * MIB));
}
