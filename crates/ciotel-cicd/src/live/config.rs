//! `live:` on the `github` and `gitlab` receivers: how many entries the board keeps, and when a
//! queued or running job counts as hung.
//!
//! ```yaml
//! receivers:
//!   github:
//!     webhook: { secret: ${env:GITHUB_WEBHOOK_SECRET} }
//!     live:
//!       max_entries: 10000      # runs + jobs queued or running; the least recently updated go first
//!       hung:
//!         queued_after: 30m     # a job queued longer is hung (0 = never by queue time)
//!         running_after: 2h     # a job running longer is hung (0 = never by run time)
//!         p95_factor: 3         # or running longer than 3 × its recent p95 (0 = off)
//!         p95_min_samples: 5    # completed runs of that job needed before the p95 counts
//!         check_interval: 30s   # how often the board is checked and its metrics emitted
//!         log_interval: 10m     # a hung job's log record is repeated this often while hung
//! ```

use std::time::Duration;

use ciotel_core::config::values::duration;
use serde::Deserialize;

/// `live:`: the bounded board of queued and running work, and hung detection.
///
/// Exists on each platform receiver so its board's size and thresholds are set where its
/// events come in; every key has a default, so `live:` may be left out.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LiveConfig {
    /// How many runs and jobs the board holds at most (default 10000); past it, the least
    /// recently updated entry is evicted and counted.
    pub max_entries: usize,
    /// When a job is hung.
    pub hung: HungConfig,
}

impl Default for LiveConfig {
    fn default() -> Self {
        LiveConfig {
            max_entries: 10_000,
            hung: HungConfig::default(),
        }
    }
}

/// `live.hung:`: when a queued or running job counts as hung, and how often that is said.
///
/// Exists because "a job hanging 6 h is invisible until it is done": a fixed threshold catches
/// a job stuck in the queue or far over any sane time, the p95 factor a job far over its usual.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HungConfig {
    /// A job queued longer than this is hung (default 30 m; 0 turns the rule off).
    #[serde(deserialize_with = "duration")]
    pub queued_after: Duration,
    /// A job running longer than this is hung (default 2 h; 0 turns the rule off).
    #[serde(deserialize_with = "duration")]
    pub running_after: Duration,
    /// A job running longer than this many times the p95 of its recent runs (same repository,
    /// pipeline and job name) is hung (default 3; 0 turns the rule off).
    pub p95_factor: u32,
    /// Completed runs of a job name needed before its p95 is used (default 5).
    pub p95_min_samples: usize,
    /// How often the board is checked and its metrics emitted (default 30 s).
    #[serde(deserialize_with = "duration")]
    pub check_interval: Duration,
    /// How often a still-hung job's log record is repeated (default 10 m); the first comes at
    /// the first check that finds it hung.
    #[serde(deserialize_with = "duration")]
    pub log_interval: Duration,
}

impl Default for HungConfig {
    fn default() -> Self {
        HungConfig {
            queued_after: Duration::from_secs(30 * 60),
            running_after: Duration::from_secs(2 * 60 * 60),
            p95_factor: 3,
            p95_min_samples: 5,
            check_interval: Duration::from_secs(30),
            log_interval: Duration::from_secs(10 * 60),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_keys_and_fills_defaults() {
        let c: LiveConfig =
            yaml_serde::from_str("max_entries: 5\nhung:\n  queued_after: 1m\n  p95_factor: 0\n")
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.max_entries, 5);
        assert_eq!(c.hung.queued_after, Duration::from_secs(60));
        assert_eq!(c.hung.p95_factor, 0);
        assert_eq!(c.hung.running_after, HungConfig::default().running_after);
    }

    #[test]
    fn unknown_keys_are_errors_with_their_line() {
        let e = yaml_serde::from_str::<LiveConfig>("max_entries: 5\nhung:\n  queued_afterr: 1m\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("queued_afterr") && e.contains("line 3"), "{e}");
    }
}
