//! Recent run times per job name, bounded, for the "N × its recent p95" hung rule.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

/// How many recent run times are kept per job name.
pub const SAMPLES_PER_NAME: usize = 64;

/// The last [`SAMPLES_PER_NAME`] run times of up to `max_names` job names; the name recorded
/// least recently is forgotten first.
///
/// Exists so a job far over its usual time is seen as hung without a fixed threshold per job.
/// An exact p95 over a small ring is cheap and needs no sketch crate; after a restart the
/// rings start empty (the fixed thresholds still apply) and fill from completed jobs.
#[derive(Debug, Default)]
pub(super) struct Durations {
    max_names: usize,
    clock: u64,
    names: HashMap<String, (u64, VecDeque<Duration>)>,
}

impl Durations {
    /// Keeps up to `max_names` names.
    pub fn new(max_names: usize) -> Self {
        Durations {
            max_names: max_names.max(1),
            ..Durations::default()
        }
    }

    /// Records that a run of `name` took `took`.
    pub fn record(&mut self, name: &str, took: Duration) {
        self.clock += 1;
        let clock = self.clock;
        let ring = match self.names.get_mut(name) {
            Some((used, ring)) => {
                *used = clock;
                ring
            }
            None => {
                if self.names.len() >= self.max_names {
                    self.forget_oldest();
                }
                &mut self
                    .names
                    .entry(name.to_string())
                    .or_insert((clock, VecDeque::new()))
                    .1
            }
        };
        if ring.len() == SAMPLES_PER_NAME {
            ring.pop_front();
        }
        ring.push_back(took);
    }

    /// The p95 of `name`'s recent runs, once it has at least `min_samples` of them
    /// (nearest-rank: the smallest time at or above 95 % of the samples).
    pub fn p95(&self, name: &str, min_samples: usize) -> Option<Duration> {
        let (_, ring) = self.names.get(name)?;
        if ring.is_empty() || ring.len() < min_samples {
            return None;
        }
        let mut sorted: Vec<Duration> = ring.iter().copied().collect();
        sorted.sort_unstable();
        let rank = (sorted.len() * 95).div_ceil(100);
        sorted.get(rank.saturating_sub(1)).copied()
    }

    fn forget_oldest(&mut self) {
        let oldest = self
            .names
            .iter()
            .min_by_key(|(_, (used, _))| *used)
            .map(|(name, _)| name.clone());
        if let Some(name) = oldest {
            self.names.remove(&name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn nearest_rank_p95_after_enough_samples() {
        let mut d = Durations::new(10);
        for s in 1..=19 {
            d.record("build", secs(s));
        }
        assert_eq!(d.p95("build", 20), None);
        d.record("build", secs(20));
        // 20 samples: rank 19 → the 19th smallest.
        assert_eq!(d.p95("build", 20), Some(secs(19)));
        assert_eq!(d.p95("test", 1), None);
    }

    #[test]
    fn keeps_the_recent_samples_and_names() {
        let mut d = Durations::new(2);
        for _ in 0..SAMPLES_PER_NAME {
            d.record("a", secs(1000));
        }
        for _ in 0..SAMPLES_PER_NAME {
            d.record("a", secs(1));
        }
        assert_eq!(d.p95("a", 1), Some(secs(1)));
        d.record("b", secs(2));
        d.record("a", secs(1));
        d.record("c", secs(3));
        assert_eq!(d.p95("b", 1), None, "b was used least recently");
        assert!(d.p95("a", 1).is_some() && d.p95("c", 1).is_some());
    }
}
