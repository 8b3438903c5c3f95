//! `memory_limiter` processor: refuses data (retryably) while the daemon's memory is above a
//! soft limit, so clients back off instead of the daemon being killed.

use crate::config::values::duration;
use crate::consumer::{ConsumeError, Consumer, NextConsumer};
use crate::signal::Batch;
use serde::Deserialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const MIB: u64 = 1024 * 1024;

/// Config of the `memory_limiter` processor, with the Collector's keys and defaults.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemoryLimiterConfig {
    /// How often memory use is measured.
    #[serde(default = "default_interval", deserialize_with = "duration")]
    pub check_interval: Duration,
    /// Hard limit in MiB of resident memory.
    #[serde(default)]
    pub limit_mib: u64,
    /// Headroom below the hard limit; data is refused above `limit − spike` (default 20 %).
    #[serde(default)]
    pub spike_limit_mib: Option<u64>,
    /// Hard limit as a percentage of the machine's memory (instead of `limit_mib`).
    #[serde(default)]
    pub limit_percentage: u64,
    /// Spike headroom as a percentage of the machine's memory.
    #[serde(default)]
    pub spike_limit_percentage: Option<u64>,
}

impl Default for MemoryLimiterConfig {
    fn default() -> Self {
        MemoryLimiterConfig {
            check_interval: default_interval(),
            limit_mib: 0,
            spike_limit_mib: None,
            limit_percentage: 0,
            spike_limit_percentage: None,
        }
    }
}

fn default_interval() -> Duration {
    Duration::from_secs(1)
}

impl MemoryLimiterConfig {
    /// The soft limit in bytes, given the machine's total memory.
    pub fn soft_limit_bytes(&self, total_memory: u64) -> Result<u64, String> {
        if self.check_interval.is_zero() {
            return Err("check_interval must be greater than 0".into());
        }
        let (limit, spike) = match (self.limit_mib, self.limit_percentage) {
            (0, 0) => return Err("set limit_mib (or limit_percentage) to a value above 0".into()),
            (mib, 0) => (mib * MIB, self.spike_limit_mib.map(|s| s * MIB)),
            (0, pct) if pct <= 100 => (
                total_memory / 100 * pct,
                self.spike_limit_percentage.map(|s| total_memory / 100 * s),
            ),
            (0, pct) => return Err(format!("limit_percentage {pct} is above 100")),
            _ => return Err("set either limit_mib or limit_percentage, not both".into()),
        };
        let spike = spike.unwrap_or(limit / 5);
        if spike >= limit {
            return Err(format!(
                "spike_limit_mib ({} MiB) must be below limit_mib ({} MiB)",
                spike / MIB,
                limit / MIB
            ));
        }
        Ok(limit - spike)
    }
}

/// Something that can tell how much memory the daemon uses now.
pub trait MemoryProbe: Send + Sync + 'static {
    /// Resident bytes, or `None` when unknown (the limiter then lets data through).
    fn used_bytes(&self) -> Option<u64>;
}

/// Reads the process's resident set size from `/proc/self/status` (Linux).
pub struct ProcessRss;

impl MemoryProbe for ProcessRss {
    fn used_bytes(&self) -> Option<u64> {
        proc_kib("/proc/self/status", "VmRSS:").map(|k| k * 1024)
    }
}

/// Total memory of the machine, from `/proc/meminfo` (0 when unknown).
pub fn total_memory_bytes() -> u64 {
    proc_kib("/proc/meminfo", "MemTotal:")
        .map(|k| k * 1024)
        .unwrap_or(0)
}

fn proc_kib(path: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    line[key.len()..].split_whitespace().next()?.parse().ok()
}

/// The running limiter: the last measurement, shared with the task that takes it.
pub struct MemoryLimiter {
    over_limit: Arc<AtomicBool>,
    last_used: Arc<AtomicU64>,
    soft_limit: u64,
    next: NextConsumer,
}

impl MemoryLimiter {
    /// Starts measuring every `check_interval` with `probe` until `shutdown`.
    pub fn start(
        config: &MemoryLimiterConfig,
        probe: impl MemoryProbe,
        next: NextConsumer,
        shutdown: CancellationToken,
    ) -> Result<Self, String> {
        let soft_limit = config.soft_limit_bytes(total_memory_bytes())?;
        let over_limit = Arc::new(AtomicBool::new(false));
        let last_used = Arc::new(AtomicU64::new(0));
        let measure = {
            let over_limit = over_limit.clone();
            let last_used = last_used.clone();
            move || {
                if let Some(used) = probe.used_bytes() {
                    last_used.store(used, Ordering::Relaxed);
                    let over = used > soft_limit;
                    if over_limit.swap(over, Ordering::Relaxed) != over {
                        if over {
                            tracing::warn!(
                                used_mib = used / MIB,
                                soft_limit_mib = soft_limit / MIB,
                                "memory above the soft limit; refusing data"
                            );
                        } else {
                            tracing::info!(
                                used_mib = used / MIB,
                                "memory back below the soft limit; accepting data"
                            );
                        }
                    }
                }
            }
        };
        measure();
        let interval = config.check_interval;
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            loop {
                tokio::select! {
                    _ = ticker.tick() => measure(),
                    () = shutdown.cancelled() => break,
                }
            }
        });
        Ok(MemoryLimiter {
            over_limit,
            last_used,
            soft_limit,
            next,
        })
    }
}

impl Consumer for MemoryLimiter {
    fn consume(&self, batch: Batch) -> Result<(), ConsumeError> {
        if self.over_limit.load(Ordering::Relaxed) {
            return Err(ConsumeError::Refused(format!(
                "memory usage {} MiB is above the soft limit of {} MiB",
                self.last_used.load(Ordering::Relaxed) / MIB,
                self.soft_limit / MIB
            )));
        }
        self.next.consume(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{CollectingConsumer, span_batch};

    struct Fixed(Arc<AtomicU64>);

    impl MemoryProbe for Fixed {
        fn used_bytes(&self) -> Option<u64> {
            Some(self.0.load(Ordering::Relaxed))
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

    #[test]
    fn soft_limit_is_limit_minus_spike() {
        assert_eq!(config(100, None).soft_limit_bytes(0).unwrap(), 80 * MIB);
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
            ..Default::default()
        };
        assert_eq!(pct.soft_limit_bytes(1000 * MIB).unwrap(), 400 * MIB);
    }

    #[tokio::test(start_paused = true)]
    async fn refuses_retryably_above_the_soft_limit_and_recovers() {
        let used = Arc::new(AtomicU64::new(10 * MIB));
        let sink = Arc::new(CollectingConsumer::default());
        let limiter = MemoryLimiter::start(
            &config(100, None),
            Fixed(used.clone()),
            sink.clone(),
            CancellationToken::new(),
        )
        .unwrap();
        limiter.consume(span_batch(1)).unwrap();
        used.store(90 * MIB, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(150)).await;
        let err = limiter.consume(span_batch(1)).unwrap_err();
        assert!(err.is_retryable());
        assert!(
            err.to_string().contains("above the soft limit of 80 MiB"),
            "{err}"
        );
        used.store(50 * MIB, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(150)).await;
        limiter.consume(span_batch(1)).unwrap();
        assert_eq!(sink.item_counts(), vec![1, 1]);
    }
}
