//! The bounded cache of failed-job verdicts per run attempt (trace), so a run span that
//! arrives alone (GitHub's `workflow_run` carries no jobs) can still be judged from the jobs
//! this instance saw before it.
//!
//! An optimisation with a documented fallback, not state correctness depends on: another
//! gateway instance, a restart, or a run older than the `max_runs` most recent ones gives the
//! run verdict `unknown` instead. Runs are forgotten oldest first; a run keeps at most
//! `max_jobs_per_run` verdicts.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use super::config::VerdictCacheConfig;
use super::verdict::JobVerdict;

/// Failed-job verdicts by trace id, then job span id.
#[derive(Debug)]
pub struct VerdictCache {
    config: VerdictCacheConfig,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    runs: HashMap<Vec<u8>, Vec<(Vec<u8>, JobVerdict)>>,
    /// Trace ids, oldest first.
    order: VecDeque<Vec<u8>>,
}

impl VerdictCache {
    /// An empty cache with these bounds.
    pub fn new(config: VerdictCacheConfig) -> Self {
        VerdictCache {
            config,
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere while holding the lock leaves a usable map: keep going.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Remembers the verdict on job `job_span` of trace `trace` (replacing an earlier one).
    pub fn remember(&self, trace: &[u8], job_span: &[u8], verdict: &JobVerdict) {
        if self.config.max_runs == 0 || self.config.max_jobs_per_run == 0 {
            return;
        }
        let mut inner = self.lock();
        if !inner.runs.contains_key(trace) {
            while inner.runs.len() >= self.config.max_runs {
                let Some(oldest) = inner.order.pop_front() else {
                    break;
                };
                inner.runs.remove(&oldest);
            }
            inner.order.push_back(trace.to_vec());
            inner.runs.insert(trace.to_vec(), Vec::new());
        }
        let max_jobs = self.config.max_jobs_per_run;
        if let Some(jobs) = inner.runs.get_mut(trace) {
            match jobs.iter().position(|(id, _)| id == job_span) {
                Some(i) => jobs[i].1 = verdict.clone(),
                None if jobs.len() < max_jobs => jobs.push((job_span.to_vec(), verdict.clone())),
                None => {}
            }
        }
    }

    /// The verdicts remembered for trace `trace`, with their job span ids.
    pub fn recall(&self, trace: &[u8]) -> Vec<(Vec<u8>, JobVerdict)> {
        self.lock().runs.get(trace).cloned().unwrap_or_default()
    }

    /// How many runs are remembered.
    pub fn runs(&self) -> usize {
        self.lock().runs.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ownership::owner::FailureOwner;

    fn verdict(job: &str) -> JobVerdict {
        JobVerdict {
            job: job.into(),
            owner: FailureOwner::Platform,
            span: None,
            reason: "failure".into(),
            rule: "no_runner".into(),
            start: 0,
        }
    }

    #[test]
    fn bounded_in_runs_and_in_jobs_per_run() {
        let cache = VerdictCache::new(VerdictCacheConfig {
            max_runs: 2,
            max_jobs_per_run: 2,
        });
        cache.remember(b"t1", b"a", &verdict("a"));
        cache.remember(b"t1", b"b", &verdict("b"));
        cache.remember(b"t1", b"c", &verdict("c"));
        assert_eq!(cache.recall(b"t1").len(), 2, "max_jobs_per_run");
        cache.remember(b"t1", b"a", &verdict("a2"));
        assert_eq!(cache.recall(b"t1")[0].1.job, "a2", "replaced, not added");
        cache.remember(b"t2", b"a", &verdict("a"));
        cache.remember(b"t3", b"a", &verdict("a"));
        assert_eq!(cache.runs(), 2);
        assert!(cache.recall(b"t1").is_empty(), "oldest forgotten first");
        assert_eq!(cache.recall(b"t3").len(), 1);
    }

    #[test]
    fn zero_turns_it_off() {
        let cache = VerdictCache::new(VerdictCacheConfig {
            max_runs: 0,
            max_jobs_per_run: 10,
        });
        cache.remember(b"t1", b"a", &verdict("a"));
        assert_eq!(cache.runs(), 0);
    }
}
