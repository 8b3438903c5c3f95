//! `retry_on_failure`: exponential backoff with jitter, the Collector's defaults, and how long
//! to wait after each kind of failure.

use super::ExportError;
use crate::config::values::duration;
use serde::Deserialize;
use std::time::Duration;

/// Config of retries, shared by every network exporter.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryConfig {
    /// Retry at all.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Wait before the first retry.
    #[serde(default = "initial", deserialize_with = "duration")]
    pub initial_interval: Duration,
    /// Upper bound of one wait.
    #[serde(default = "max_interval", deserialize_with = "duration")]
    pub max_interval: Duration,
    /// Give up on a batch after this long (0: never).
    #[serde(default = "max_elapsed", deserialize_with = "duration")]
    pub max_elapsed_time: Duration,
    /// Factor applied to the wait after each failure.
    #[serde(default = "multiplier")]
    pub multiplier: f64,
    /// Jitter: each wait is drawn from `[w·(1−r), w·(1+r)]`.
    #[serde(default = "randomization")]
    pub randomization_factor: f64,
}

fn yes() -> bool {
    true
}
fn initial() -> Duration {
    Duration::from_secs(5)
}
fn max_interval() -> Duration {
    Duration::from_secs(30)
}
fn max_elapsed() -> Duration {
    Duration::from_secs(300)
}
fn multiplier() -> f64 {
    1.5
}
fn randomization() -> f64 {
    0.5
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            enabled: true,
            initial_interval: initial(),
            max_interval: max_interval(),
            max_elapsed_time: max_elapsed(),
            multiplier: multiplier(),
            randomization_factor: randomization(),
        }
    }
}

impl RetryConfig {
    /// Checks values that would make the backoff meaningless.
    pub fn validate(&self) -> Result<(), String> {
        if self.multiplier < 1.0 {
            return Err(format!("multiplier {} must be at least 1", self.multiplier));
        }
        if !(0.0..=1.0).contains(&self.randomization_factor) {
            return Err(format!(
                "randomization_factor {} must be between 0 and 1",
                self.randomization_factor
            ));
        }
        Ok(())
    }
}

/// The backoff state of one batch.
#[derive(Debug)]
pub struct Backoff {
    config: RetryConfig,
    next_interval: Duration,
    waited: Duration,
}

impl Backoff {
    /// A fresh backoff for a new batch.
    pub fn new(config: &RetryConfig) -> Backoff {
        Backoff {
            config: config.clone(),
            next_interval: config.initial_interval,
            waited: Duration::ZERO,
        }
    }

    /// How long to wait before retrying after `error`, or `None` to give up (permanent error,
    /// retries disabled, or `max_elapsed_time` would be passed).
    pub fn next_delay(&mut self, error: &ExportError) -> Option<Duration> {
        if !self.config.enabled {
            return None;
        }
        let delay = match error {
            ExportError::Permanent(_) => return None,
            ExportError::Throttled { after, .. } => *after,
            ExportError::Retryable(_) => {
                let base = self.next_interval;
                let next = base.mul_f64(self.config.multiplier);
                self.next_interval = next.min(self.config.max_interval);
                jitter(base, self.config.randomization_factor)
            }
        };
        let max = self.config.max_elapsed_time;
        if !max.is_zero() && self.waited + delay > max {
            return None;
        }
        self.waited += delay;
        Some(delay)
    }
}

fn jitter(base: Duration, factor: f64) -> Duration {
    let spread = (fastrand::f64() * 2.0 - 1.0) * factor;
    base.mul_f64((1.0 + spread).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_jitter() -> RetryConfig {
        RetryConfig {
            randomization_factor: 0.0,
            ..Default::default()
        }
    }

    #[test]
    fn grows_by_the_multiplier_up_to_the_max() {
        let mut b = Backoff::new(&no_jitter());
        let e = ExportError::Retryable("503".into());
        let delays: Vec<u64> = (0..6)
            .map(|_| b.next_delay(&e).unwrap().as_millis() as u64)
            .collect();
        assert_eq!(delays, vec![5000, 7500, 11250, 16875, 25312, 30000]);
    }

    #[test]
    fn gives_up_after_max_elapsed_time() {
        let mut b = Backoff::new(&no_jitter());
        let e = ExportError::Retryable("503".into());
        let total: Duration = std::iter::from_fn(|| b.next_delay(&e)).sum();
        assert!(total <= Duration::from_secs(300));
        assert!(total > Duration::from_secs(250), "{total:?}");
    }

    #[test]
    fn honours_throttling_and_never_retries_permanent_errors() {
        let mut b = Backoff::new(&no_jitter());
        let t = ExportError::Throttled {
            after: Duration::from_secs(42),
            reason: "429".into(),
        };
        assert_eq!(b.next_delay(&t), Some(Duration::from_secs(42)));
        assert_eq!(b.next_delay(&ExportError::Permanent("400".into())), None);
        let mut off = Backoff::new(&RetryConfig {
            enabled: false,
            ..Default::default()
        });
        assert_eq!(off.next_delay(&ExportError::Retryable("x".into())), None);
    }

    #[test]
    fn jitter_stays_within_the_factor() {
        for _ in 0..100 {
            let d = jitter(Duration::from_secs(10), 0.5);
            assert!(
                d >= Duration::from_secs(5) && d <= Duration::from_secs(15),
                "{d:?}"
            );
        }
    }
}
