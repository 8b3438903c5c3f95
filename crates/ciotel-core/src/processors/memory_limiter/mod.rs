//! `memory_limiter` processor: refuses data (retryably) while the daemon's live heap is above a
//! soft limit, so clients back off instead of the daemon being killed, and accepts again as
//! soon as the data it holds has been sent and freed.
//!
//! Design:
//! - What is measured is the **live heap**: the bytes allocated and not yet freed, counted by
//!   the binary's global allocator ([`crate::alloc::CountingAllocator`]). It covers everything
//!   the daemon holds — request bodies being read, decoded batches, batch processors, sending
//!   queues, retries — and it falls the moment a batch is freed. The resident set size is not
//!   used to refuse: the allocator keeps freed memory, so RSS stays high after a burst and a
//!   limiter reading it would refuse for as long as the process runs.
//! - **Every batch is checked** as it arrives (one atomic read), so there is no gap between
//!   checks in which a flood is let through. The decision has no state: above the soft limit
//!   refuse, at or below accept. It cannot latch.
//! - Limits as in the Collector: `limit_mib` (or `limit_percentage`) is the hard limit, data is
//!   refused above the soft limit `limit − spike_limit_mib` (default spike: 20 % of the limit).
//!   The spike headroom is for what arrives while a refusal takes effect: requests already being
//!   read and decoded when the limit is crossed.
//! - Every `check_interval` the limiter refreshes its metrics and its entry in the shared
//!   [`Readiness`] (so `/ready` turns 200 again even when no data arrives), and when RSS is
//!   above the soft limit by more than the spike while the live heap is below it, asks the
//!   allocator to give freed memory back to the OS (glibc `malloc_trim`; at most every 5 s).
//! - Readiness: while refusing, the limiter's entry says why, e.g. `live heap 130 MiB above soft
//!   limit 80 MiB`; the `health_check` extension answers its readiness path with it.
//!
//! Files: `config.rs` (keys, defaults, limits in bytes), `probe.rs` (live heap, RSS, machine
//! memory, giving memory back), this file (the stage and its timer), `tests.rs`.

mod config;
mod probe;
#[cfg(test)]
mod tests;

pub use config::{Limits, MIB, MemoryLimiterConfig};
pub use probe::{LiveHeap, MemoryProbe, ProcessRss, release_free_memory, total_memory_bytes};

use crate::consumer::{ConsumeError, Consumer, NextConsumer};
use crate::readiness::Readiness;
use crate::signal::Batch;
use crate::telemetry::{Counter, Registry};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Giving memory back walks the allocator's free lists; not more often than this.
const RELEASE_GAP: Duration = Duration::from_secs(5);

/// The running limiter: a pipeline stage plus a timer task refreshing metrics and readiness.
pub struct MemoryLimiter {
    state: Arc<State>,
    next: NextConsumer,
}

/// What the stage and its timer share.
struct State {
    name: String,
    probe: Box<dyn MemoryProbe>,
    limits: Limits,
    refusing: AtomicBool,
    readiness: Readiness,
    metrics: Metrics,
}

/// The limiter's self-metrics.
struct Metrics {
    refusing: Counter,
    refused_items: Counter,
    live_heap: Counter,
    resident: Counter,
}

impl Metrics {
    fn new(registry: &Registry, name: &str, limits: Limits) -> Metrics {
        let labels = [("processor", name)];
        registry
            .gauge(
                "ciotel_memory_limiter_limit_bytes",
                "Hard limit of the live heap (limit_mib).",
                &labels,
            )
            .set(limits.hard);
        registry
            .gauge(
                "ciotel_memory_limiter_soft_limit_bytes",
                "Live heap above which data is refused (limit − spike).",
                &labels,
            )
            .set(limits.soft);
        Metrics {
            refusing: registry.gauge(
                "ciotel_memory_limiter_refusing",
                "1 while the memory limiter refuses data, else 0.",
                &labels,
            ),
            refused_items: registry.counter(
                "ciotel_memory_limiter_refused_items",
                "Spans, metric data points and log records refused for memory.",
                &labels,
            ),
            live_heap: registry.gauge(
                "ciotel_process_live_heap_bytes",
                "Heap bytes the daemon holds (counted by its allocator).",
                &[],
            ),
            resident: registry.gauge(
                "ciotel_process_resident_memory_bytes",
                "Resident set size of the daemon.",
                &[],
            ),
        }
    }
}

impl MemoryLimiter {
    /// Starts the limiter `name` (its component id) reading `probe`; its timer runs every
    /// `check_interval` until `shutdown`. Its refusals go to `readiness` under `name`.
    pub fn start(
        name: &str,
        config: &MemoryLimiterConfig,
        probe: impl MemoryProbe,
        readiness: Readiness,
        registry: &Registry,
        next: NextConsumer,
        shutdown: CancellationToken,
    ) -> Result<Self, String> {
        let limits = config.limits(total_memory_bytes())?;
        if probe.used_bytes().is_none() {
            tracing::warn!(
                processor = name,
                "memory use cannot be measured (no counting allocator); the memory limiter lets all data through"
            );
        }
        let state = Arc::new(State {
            name: name.to_string(),
            probe: Box::new(probe),
            limits,
            refusing: AtomicBool::new(false),
            readiness,
            metrics: Metrics::new(registry, name, limits),
        });
        state.tick(&mut None);
        let interval = config.check_interval;
        let timer = state.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            let mut last_release = None;
            loop {
                tokio::select! {
                    _ = ticker.tick() => timer.tick(&mut last_release),
                    () = shutdown.cancelled() => break,
                }
            }
            timer.readiness.accept(&timer.name);
        });
        Ok(MemoryLimiter { state, next })
    }

    /// True while the limiter refuses data.
    pub fn is_refusing(&self) -> bool {
        self.state.refusing.load(Ordering::Relaxed)
    }
}

impl State {
    /// The decision: refuse while `used` is above the soft limit. Records a change.
    fn decide(&self, used: Option<u64>) -> Result<(), String> {
        let Some(used) = used else {
            return Ok(());
        };
        let over = used > self.limits.soft;
        if self.refusing.load(Ordering::Relaxed) != over {
            self.changed(over, used);
        }
        if over { Err(self.reason(used)) } else { Ok(()) }
    }

    fn reason(&self, used: u64) -> String {
        format!(
            "live heap {} MiB above soft limit {} MiB",
            used / MIB,
            self.limits.soft / MIB
        )
    }

    /// Logs a change of state and tells readiness and metrics; one caller wins a race.
    fn changed(&self, over: bool, used: u64) {
        if self.refusing.swap(over, Ordering::Relaxed) == over {
            return;
        }
        self.metrics.refusing.set(u64::from(over));
        if over {
            self.readiness.refuse(&self.name, self.reason(used));
            tracing::warn!(
                processor = %self.name,
                live_heap_mib = used / MIB,
                soft_limit_mib = self.limits.soft / MIB,
                "live heap above the soft limit; refusing data"
            );
        } else {
            self.readiness.accept(&self.name);
            tracing::info!(
                processor = %self.name,
                live_heap_mib = used / MIB,
                soft_limit_mib = self.limits.soft / MIB,
                "live heap back below the soft limit; accepting data"
            );
        }
    }

    /// The timer's work: decide without data arriving, refresh metrics and the readiness
    /// reason, and give freed memory back when the allocator keeps a lot of it.
    fn tick(&self, last_release: &mut Option<Instant>) {
        let used = self.probe.used_bytes();
        let refusing = self.decide(used).is_err();
        let resident = ProcessRss.used_bytes();
        if let Some(used) = used {
            self.metrics.live_heap.set(used);
            if refusing {
                self.readiness.refuse(&self.name, self.reason(used));
            }
        }
        if let Some(resident) = resident {
            self.metrics.resident.set(resident);
        }
        let spike = self.limits.hard - self.limits.soft;
        let kept_a_lot = match (used, resident) {
            (Some(used), Some(resident)) => {
                !refusing && resident > self.limits.soft && resident.saturating_sub(used) > spike
            }
            _ => false,
        };
        if kept_a_lot && last_release.is_none_or(|t| t.elapsed() >= RELEASE_GAP) {
            *last_release = Some(Instant::now());
            let name = self.name.clone();
            tokio::task::spawn_blocking(move || {
                if release_free_memory() {
                    tracing::debug!(processor = %name, "gave freed memory back to the OS");
                }
            });
        }
    }
}

impl Consumer for MemoryLimiter {
    fn consume(&self, batch: Batch) -> Result<(), ConsumeError> {
        if let Err(reason) = self.state.decide(self.state.probe.used_bytes()) {
            self.state
                .metrics
                .refused_items
                .add(batch.item_count() as u64);
            return Err(ConsumeError::Refused(format!(
                "{}: {reason}",
                self.state.name
            )));
        }
        self.next.consume(batch)
    }
}
