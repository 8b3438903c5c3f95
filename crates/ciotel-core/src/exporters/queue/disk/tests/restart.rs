//! What survives a restart, and what an ack makes the queue forget.

use super::*;

#[test]
fn unacked_records_come_back_after_a_restart_acked_ones_do_not() {
    let dir = scratch("restart");
    let registry = Registry::new();
    let q = open(&dir, &registry, FsyncPolicy::Interval);
    for i in 0..5 {
        q.push(&named(&format!("s{i}"))).unwrap();
    }
    let taken = take_all(&q);
    assert_eq!(names(&taken), ["s0", "s1", "s2", "s3", "s4"]);
    // s0 and s1 sent; s3 sent out of order; s2 and s4 in flight when the process dies.
    q.ack(taken[0].ticket);
    q.ack(taken[1].ticket);
    q.ack(taken[3].ticket);
    drop(taken);
    drop(q); // no close(): as after kill -9, only what write(2) did counts

    let registry = Registry::new();
    let q = open(&dir, &registry, FsyncPolicy::Interval);
    let again = take_all(&q);
    // The ledger only passes the lowest unacked record: s3 comes back as a duplicate.
    assert_eq!(names(&again), ["s2", "s3", "s4"]);
    assert_eq!(
        registry.value("ciotel_exporter_queue_size", &[("exporter", "q")]),
        Some(3)
    );
    // New records get new ids after the old ones.
    q.push(&named("s5")).unwrap();
    assert!(q.try_next().unwrap().ticket > again[2].ticket);
    assert_eq!(skipped(&registry), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sent_segments_are_deleted_and_the_bytes_gauge_follows() {
    let dir = scratch("delete");
    let registry = Registry::new();
    let q = open(&dir, &registry, FsyncPolicy::Always);
    let big = crate::testing::span_batch(200); // larger than half a 4 KiB segment
    for _ in 0..6 {
        q.push(&big).unwrap();
    }
    assert!(segments(&dir).len() >= 3, "{:?}", segments(&dir));
    let bytes = || {
        registry
            .value("ciotel_exporter_queue_bytes", &[("exporter", "q")])
            .unwrap()
    };
    let on_disk: u64 = segments(&dir)
        .iter()
        .map(|p| p.metadata().unwrap().len())
        .sum();
    assert_eq!(bytes(), on_disk);
    for entry in take_all(&q) {
        q.ack(entry.ticket);
    }
    // Only the segment being written stays.
    assert_eq!(segments(&dir).len(), 1);
    drop(q);
    let registry = Registry::new();
    let q = open(&dir, &registry, FsyncPolicy::Always);
    assert!(q.try_next().is_none());
    assert!(
        segments(&dir).is_empty(),
        "a wholly sent segment is removed at start"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bounds_refuse_at_once() {
    let dir = scratch("bounds");
    let registry = Registry::new();
    let options = DiskOptions {
        max_bytes: 2048,
        max_batches: 3,
        ..DiskOptions::new(dir.clone())
    };
    let metrics = QueueMetrics::new(&registry, "q", 3, 2048);
    let q = DiskQueue::open("q", options, metrics).unwrap();
    let huge = q.push(&crate::testing::span_batch(500)).unwrap_err();
    assert!(huge.to_string().contains("larger than"), "{huge}");
    let bulky = crate::testing::span_batch(70); // ~800 bytes: two fit in 2 KiB, three do not
    q.push(&bulky).unwrap();
    q.push(&bulky).unwrap();
    let bytes = q.push(&bulky).unwrap_err();
    assert!(bytes.to_string().contains("2048 bytes on disk"), "{bytes}");
    q.push(&named("a")).unwrap();
    let full = q.push(&named("d")).unwrap_err();
    assert!(full.to_string().contains("3 batches"), "{full}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_second_process_on_the_same_directory_is_refused() {
    let dir = scratch("lock");
    let registry = Registry::new();
    let _q = open(&dir, &registry, FsyncPolicy::Never);
    let options = DiskOptions {
        lock_timeout: std::time::Duration::from_millis(50),
        ..DiskOptions::new(dir.clone())
    };
    let metrics = QueueMetrics::new(&registry, "q2", 1, 1);
    let err = DiskQueue::open("q2", options, metrics)
        .err()
        .expect("locked");
    assert!(
        err.to_string().contains("locked by another process"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
