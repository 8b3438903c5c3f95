//! Criterion timing in the calling thread's CPU time instead of wall-clock time, for benches
//! run on a shared machine: time the thread spends preempted by other processes is not
//! counted, so a lever's effect shows through other builds running beside it.
//!
//! Use with `Bencher::iter_custom` through [`iter_cpu`]; the setup and the drop of the output
//! stay outside the timing, as with `iter_batched`.

use criterion::Bencher;
use std::hint::black_box;
use std::time::Duration;

/// `struct timespec` of 64-bit Linux.
#[repr(C)]
struct Timespec {
    tv_sec: i64,
    tv_nsec: i64,
}

unsafe extern "C" {
    fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
}

/// `CLOCK_THREAD_CPUTIME_ID` on Linux.
const CLOCK_THREAD_CPUTIME_ID: i32 = 3;

/// CPU time this thread has used so far.
pub fn thread_cpu() -> Duration {
    let mut t = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec into the pointer it is given.
    unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Times `routine` on a fresh `setup()` each iteration, in thread CPU time.
pub fn iter_cpu<I, O>(b: &mut Bencher<'_>, setup: impl Fn() -> I, routine: impl Fn(I) -> O) {
    b.iter_custom(|iters| {
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            let input = setup();
            let start = thread_cpu();
            let output = black_box(routine(black_box(input)));
            total += thread_cpu() - start;
            drop(output);
        }
        total
    })
}
