//! The `memory_limiter`'s config: the Collector's keys and defaults, turned into byte limits.

use crate::config::values::duration;
use serde::Deserialize;
use std::time::Duration;

/// One mebibyte.
pub const MIB: u64 = 1024 * 1024;

/// Config of the `memory_limiter` processor, with the Collector's keys and defaults.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemoryLimiterConfig {
    /// How often the limiter refreshes its metrics and readiness (and may give freed memory back
    /// to the OS). Every batch is checked as it arrives, whatever this says.
    #[serde(default = "default_interval", deserialize_with = "duration")]
    pub check_interval: Duration,
    /// Hard limit in MiB of the live heap.
    #[serde(default)]
    pub limit_mib: u64,
    /// Headroom below the hard limit; data is refused above `limit − spike` (default 20 %).
    #[serde(default)]
    pub spike_limit_mib: Option<u64>,
    /// Hard limit as a percentage of the machine's (or cgroup's) memory (instead of `limit_mib`).
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

/// The limits in bytes: data is refused while the live heap is above `soft`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `limit_mib` (or its percentage).
    pub hard: u64,
    /// `hard − spike`.
    pub soft: u64,
}

impl MemoryLimiterConfig {
    /// The hard and soft limits in bytes, given the machine's total memory.
    pub fn limits(&self, total_memory: u64) -> Result<Limits, String> {
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
        Ok(Limits {
            hard: limit,
            soft: limit - spike,
        })
    }

    /// The soft limit in bytes, given the machine's total memory.
    pub fn soft_limit_bytes(&self, total_memory: u64) -> Result<u64, String> {
        self.limits(total_memory).map(|l| l.soft)
    }
}
