//! How long a poller waits, and how often it tries, when the API or the pipeline says "not
//! now". The defaults follow GitHub's and GitLab's guidance for API clients; tests shorten them.

use std::time::Duration;

/// Waits and limits of a poller; [`Tuning::default`] is what the daemon uses.
///
/// Exists so the policy sits in one place a reader can check against the platforms' guidance,
/// and so tests can make every wait short without touching the logic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tuning {
    /// First wait after a 5xx or a failed connection; doubled (with jitter) after each
    /// further failure of the same request. Default 1 s.
    pub backoff_initial: Duration,
    /// Longest wait between two tries of a failing request. Default 60 s.
    pub backoff_max: Duration,
    /// Tries of one request before giving up on it for this poll (5xx, network). Default 5.
    pub max_attempts: u32,
    /// Wait after a rate-limit answer that states no wait (no `Retry-After`, no spent
    /// window in the headers): what GitHub calls a secondary rate limit ("wait at least one
    /// minute"), or a bare 429. Doubled on each repeat. Default 60 s.
    pub secondary_limit_wait: Duration,
    /// Longest single wait for a rate limit (`Retry-After`, a reset time), a guard against
    /// clocks or headers gone wrong; GitHub's windows are an hour. Default 61 min.
    pub max_rate_limit_wait: Duration,
    /// First wait when the pipeline refuses a batch (backpressure); doubled up to
    /// `refused_backoff_max`, and the same batch is offered again. Default 1 s.
    pub refused_backoff_initial: Duration,
    /// Longest wait between two offers of a refused batch. Default 30 s.
    pub refused_backoff_max: Duration,
    /// Deadline of one HTTP request, from connecting to the last byte. Default 30 s.
    pub request_timeout: Duration,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            backoff_initial: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
            max_attempts: 5,
            secondary_limit_wait: Duration::from_secs(60),
            max_rate_limit_wait: Duration::from_secs(61 * 60),
            refused_backoff_initial: Duration::from_secs(1),
            refused_backoff_max: Duration::from_secs(30),
            request_timeout: Duration::from_secs(30),
        }
    }
}

impl Tuning {
    /// Wait before try `failures + 1` of a failing request: `backoff_initial · 2^(failures-1)`,
    /// capped at `backoff_max`, with up to 25 % jitter taken off so pollers started together
    /// drift apart.
    pub fn backoff(&self, failures: u32) -> Duration {
        let exp = failures.saturating_sub(1).min(16);
        let base = self
            .backoff_initial
            .saturating_mul(1 << exp)
            .min(self.backoff_max);
        base.mul_f64(1.0 - fastrand::f64() * 0.25)
    }

    /// Wait after the `repeats`-th rate-limit answer in a row that stated no wait:
    /// `secondary_limit_wait · 2^(repeats-1)`, doubling at most six times.
    pub fn secondary_limit(&self, repeats: u32) -> Duration {
        self.secondary_limit_wait
            .saturating_mul(1 << repeats.saturating_sub(1).min(6))
    }
}

/// `api.interval` when none is written: 60 s between polls.
pub fn default_interval() -> Duration {
    Duration::from_secs(60)
}

/// `api.lookback` when none is written: 24 h backfilled on first start.
pub fn default_lookback() -> Duration {
    Duration::from_secs(24 * 60 * 60)
}

/// Whether `base_url` is an http(s) URL without credentials in it, the only kind a poller can
/// use: the token goes in `token` (sent as a header), never in a URL that logs would show.
pub fn is_http_url(base_url: &str) -> bool {
    (base_url.starts_with("https://") || base_url.starts_with("http://"))
        && !crate::redact::has_userinfo(base_url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_below() {
        let t = Tuning::default();
        for (failures, nominal) in [(1, 1), (2, 2), (3, 4), (6, 32), (7, 60), (40, 60)] {
            let d = t.backoff(failures);
            let nominal = Duration::from_secs(nominal);
            assert!(
                d <= nominal && d >= nominal.mul_f64(0.75),
                "{failures}: {d:?}"
            );
        }
    }

    #[test]
    fn unstated_limits_double_six_times_at_most() {
        let t = Tuning::default();
        let minutes = |n: u32| t.secondary_limit(n).as_secs() / 60;
        assert_eq!([1, 2, 3, 7, 8, 30].map(minutes), [1, 2, 4, 64, 64, 64]);
    }
}
