//! A counting global allocator: the system allocator plus a running count of the heap bytes the
//! process holds now ("live heap"), which the `memory_limiter` reads on every batch.
//!
//! Why not the resident set size: the allocator keeps freed memory for reuse, so after one burst
//! RSS stays high although the data is gone, and a limiter that reads RSS refuses for ever. The
//! live count goes down the moment a batch is freed.
//!
//! What is counted: every allocation as the allocator lays it out — the requested size plus an
//! 8-byte header, rounded up to 16 bytes, at least 32 (glibc's chunk size on 64-bit; close
//! enough for other allocators) — so many small allocations are not undercounted. Memory the
//! allocator keeps after a free, thread stacks and the binary itself are not counted.
//!
//! Cost: each thread adds its allocations to a thread-local tally and moves it to the shared
//! atomic only when the tally passes ±[`FLUSH_BYTES`], so the hot path is a few instructions
//! without a shared write. The count is therefore behind by at most `FLUSH_BYTES` per thread.
//! A thread hands over its tally when it exits (on Linux/glibc and macOS, where a thread-local
//! destructor needs no allocation); elsewhere every allocation updates the atomic directly.
//! `benches/alloc.rs` measures both against the plain system allocator.
//!
//! The binary installs it with `#[global_allocator] static A: CountingAllocator =
//! CountingAllocator;`. Without that, [`live_bytes`] answers `None`. It also calls
//! [`limit_malloc_arenas`] first thing, so resident memory stays closer to the live heap.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};

/// A thread moves its tally to the shared count once it passes this many bytes either way.
pub const FLUSH_BYTES: isize = 256 * 1024;

/// Heap bytes held by all threads, as far as they have been flushed.
static LIVE: AtomicIsize = AtomicIsize::new(0);
/// Set on the first flush: the counting allocator is installed.
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// The system allocator, counting live heap bytes. Install it as the `#[global_allocator]`.
pub struct CountingAllocator;

/// Heap bytes the process holds now, or `None` when [`CountingAllocator`] is not the global
/// allocator. Behind the truth by at most [`FLUSH_BYTES`] per thread.
pub fn live_bytes() -> Option<u64> {
    if !INSTALLED.load(Ordering::Relaxed) && !probe_installed() {
        return None;
    }
    Some(LIVE.load(Ordering::Relaxed).max(0) as u64)
}

/// Once: an allocation bigger than a flush goes to the shared count at once if this allocator
/// is installed, which sets [`INSTALLED`].
fn probe_installed() -> bool {
    static PROBED: std::sync::Once = std::sync::Once::new();
    PROBED.call_once(|| {
        drop(std::hint::black_box(vec![0u8; 2 * FLUSH_BYTES as usize]));
    });
    INSTALLED.load(Ordering::Relaxed)
}

/// Sets glibc's malloc up so resident memory follows the live heap:
/// - at most two arenas: by default glibc gives threads up to eight arenas per core, and memory
///   freed in one arena is not reused by threads on another;
/// - a fixed mmap threshold of 256 KiB: request bodies and decoded batches (hundreds of KiB to
///   tens of MiB) then get their own mappings, returned to the system when freed. glibc's
///   default threshold rises after each such free (up to 32 MiB), after which large buffers
///   come from the heap and leave it fragmented and resident long after a flood.
///
/// Call first thing in `main`, before threads start; a no-op on other allocators.
pub fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const M_MMAP_THRESHOLD: std::ffi::c_int = -3;
        const M_ARENA_MAX: std::ffi::c_int = -8;
        unsafe extern "C" {
            fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
        }
        // SAFETY: mallopt takes two plain integers and only sets a glibc tunable.
        unsafe {
            mallopt(M_ARENA_MAX, 2);
            mallopt(M_MMAP_THRESHOLD, 256 * 1024);
        }
    }
}

/// The bytes an allocation of `size` occupies in the heap (glibc's chunk size on 64-bit).
#[inline(always)]
pub const fn footprint(size: usize) -> isize {
    let chunk = (size + 8 + 15) & !15;
    if chunk < 32 { 32 } else { chunk as isize }
}

#[inline(always)]
fn flush(bytes: isize) {
    LIVE.fetch_add(bytes, Ordering::Relaxed);
    if !INSTALLED.load(Ordering::Relaxed) {
        INSTALLED.store(true, Ordering::Relaxed);
    }
}

#[cfg(any(all(target_os = "linux", target_env = "gnu"), target_os = "macos"))]
mod tally {
    use super::{FLUSH_BYTES, flush};
    use std::cell::Cell;

    /// This thread's bytes not yet moved to the shared count; handed over when the thread ends.
    struct Tally(Cell<isize>);

    impl Drop for Tally {
        fn drop(&mut self) {
            flush(self.0.replace(0));
        }
    }

    thread_local! {
        static TALLY: Tally = const { Tally(Cell::new(0)) };
    }

    #[inline(always)]
    pub(super) fn add(bytes: isize) {
        let kept = TALLY.try_with(|t| {
            let sum = t.0.get() + bytes;
            if sum.unsigned_abs() > FLUSH_BYTES as usize {
                t.0.set(0);
                flush(sum);
            } else {
                t.0.set(sum);
            }
        });
        // The thread is ending and its tally is gone: count directly.
        if kept.is_err() {
            flush(bytes);
        }
    }
}

#[cfg(not(any(all(target_os = "linux", target_env = "gnu"), target_os = "macos")))]
mod tally {
    /// Without a thread-local destructor that needs no allocation, count directly.
    #[inline(always)]
    pub(super) fn add(bytes: isize) {
        super::flush(bytes);
    }
}

// SAFETY: every call is passed to `System` unchanged; the counting touches no allocation.
unsafe impl GlobalAlloc for CountingAllocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `alloc`'s contract, which `System` shares.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            tally::add(footprint(layout.size()));
        }
        p
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            tally::add(footprint(layout.size()));
        }
        p
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, i.e. from `System`, with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        tally::add(-footprint(layout.size()));
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from `System` with `layout`; the caller upholds the rest.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            tally::add(footprint(new_size) - footprint(layout.size()));
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::footprint;

    #[test]
    fn footprint_is_glibc_chunk_size() {
        assert_eq!(footprint(0), 32);
        assert_eq!(footprint(24), 32);
        assert_eq!(footprint(25), 48);
        assert_eq!(footprint(100), 112);
        assert_eq!(footprint(1 << 20), (1 << 20) + 16);
    }
}
