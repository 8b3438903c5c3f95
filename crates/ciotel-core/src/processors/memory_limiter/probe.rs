//! What the limiter measures: the live heap (from the counting allocator), the resident set
//! size (reported, and used only to decide when to hand freed memory back), the machine's
//! memory, and giving freed memory back to the OS.

/// Something that can tell how much memory the daemon holds now.
pub trait MemoryProbe: Send + Sync + 'static {
    /// Bytes held, or `None` when unknown (the limiter then lets data through).
    fn used_bytes(&self) -> Option<u64>;
}

/// The live heap, counted by [`CountingAllocator`](crate::alloc::CountingAllocator); `None`
/// when the binary did not install it.
pub struct LiveHeap;

impl MemoryProbe for LiveHeap {
    fn used_bytes(&self) -> Option<u64> {
        crate::alloc::live_bytes()
    }
}

/// The process's resident set size from `/proc/self/status` (Linux). Not a basis for refusing:
/// the allocator keeps freed memory, so RSS stays high after the data is gone.
pub struct ProcessRss;

impl MemoryProbe for ProcessRss {
    fn used_bytes(&self) -> Option<u64> {
        proc_kib("/proc/self/status", "VmRSS:").map(|k| k * 1024)
    }
}

/// Memory the daemon may use, for the `*_percentage` keys: the machine's (`/proc/meminfo`), or
/// the container's cgroup limit when that is lower, as the Collector does (0 when unknown).
pub fn total_memory_bytes() -> u64 {
    let machine = proc_kib("/proc/meminfo", "MemTotal:").map(|k| k * 1024);
    let cgroup = [
        "/sys/fs/cgroup/memory.max",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]
    .iter()
    .find_map(|path| cgroup_limit(&std::fs::read_to_string(path).ok()?));
    match (machine, cgroup) {
        (Some(m), Some(c)) => m.min(c),
        (m, c) => m.or(c).unwrap_or(0),
    }
}

/// A cgroup memory limit file's value: bytes, or `None` for `max` (v2) / no number.
pub(super) fn cgroup_limit(text: &str) -> Option<u64> {
    text.trim().parse().ok()
}

fn proc_kib(path: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    line[key.len()..].split_whitespace().next()?.parse().ok()
}

/// Asks the allocator to give the free memory it keeps back to the OS; true when it did
/// something (glibc's `malloc_trim`; elsewhere nothing happens).
pub fn release_free_memory() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: malloc_trim takes a plain size and only walks glibc's own free lists.
        unsafe { malloc_trim(0) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}
