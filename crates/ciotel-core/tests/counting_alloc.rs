//! The counting allocator installed as this test binary's global allocator, as the daemon does:
//! the live count rises by what is held, falls when it is freed, and what threads counted is
//! not lost when they exit.

use ciotel_core::alloc::{CountingAllocator, FLUSH_BYTES, footprint, live_bytes};
use std::sync::Mutex;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// The tests share one counter; one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn live() -> i64 {
    live_bytes().expect("the counting allocator is installed") as i64
}

/// What other threads of the harness may hold unflushed, plus a little noise.
fn slack() -> i64 {
    16 * FLUSH_BYTES as i64
}

#[test]
fn holding_and_freeing_moves_the_count() {
    let _one = ONE_AT_A_TIME.lock().unwrap();
    let before = live();
    // Many small allocations, as decoded spans are: counted at their heap footprint.
    let held: Vec<Vec<u8>> = (0..100_000).map(|_| vec![1u8; 16]).collect();
    let expected = 100_000 * footprint(16) as i64 + footprint(100_000 * 24) as i64;
    let during = live();
    assert!(
        (during - before - expected).abs() < slack(),
        "holding {expected} bytes moved the count by {}",
        during - before
    );
    drop(held);
    let after = live();
    assert!(
        (after - before).abs() < slack(),
        "after freeing, the count is off by {}",
        after - before
    );
}

#[test]
fn threads_that_exit_hand_over_their_tally() {
    let _one = ONE_AT_A_TIME.lock().unwrap();
    let before = live();
    // Each thread allocates a little under the flush size and keeps it: only the thread-exit
    // hand-over can move it to the shared count.
    let kept: Vec<Vec<u8>> = (0..64)
        .map(|_| {
            std::thread::spawn(|| vec![7u8; (FLUSH_BYTES as usize) / 2])
                .join()
                .unwrap()
        })
        .collect();
    let during = live();
    let expected = 64 * (FLUSH_BYTES as i64) / 2;
    assert!(
        (during - before - expected).abs() < slack(),
        "64 threads kept {expected} bytes, the count moved by {}",
        during - before
    );
    // Freed on another thread than the one that allocated: still comes back down.
    drop(kept);
    assert!((live() - before).abs() < slack());
    // 1000 short threads allocating and freeing leave no drift behind.
    for _ in 0..1000 {
        std::thread::spawn(|| drop(vec![0u8; 1000])).join().unwrap();
    }
    assert!(
        (live() - before).abs() < slack(),
        "drift after thread churn"
    );
}
