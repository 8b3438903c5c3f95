//! The bounded cache of failed-job verdicts per run attempt (trace), and of failed runs' root
//! spans, so a run span that arrives alone (GitHub's `workflow_run` carries no jobs) can still
//! get a verdict from the jobs this instance saw before it, and a failed job that arrives after
//! its failed run can still give the run one.
//!
//! An optimisation with a documented fallback, not state correctness depends on: another
//! gateway instance, a restart, or a run older than the `max_runs` most recent ones gives no
//! `verdict` span (or one over fewer jobs, which has its own id). Runs are forgotten oldest
//! first; a run keeps at most `max_jobs_per_run` verdicts.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use super::config::VerdictCacheConfig;
use super::verdict::JobVerdict;
use super::verdict_span::Home;

/// Failed-job verdicts by trace id, then job span id.
#[derive(Debug)]
pub struct VerdictCache {
    config: VerdictCacheConfig,
    inner: Mutex<Inner>,
}

/// A failed run's root span, as a `verdict` span written later needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedRoot {
    /// The root span's id: the verdict span's parent.
    pub span_id: Vec<u8>,
    /// The root span's end: the verdict span's time.
    pub end: u64,
    /// The root's resource and scope: the verdict span's.
    pub home: Home,
}

#[derive(Debug, Default)]
struct Run {
    root: Option<FailedRoot>,
    jobs: Vec<(Vec<u8>, JobVerdict)>,
}

#[derive(Debug, Default)]
struct Inner {
    runs: HashMap<Vec<u8>, Run>,
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

    fn off(&self) -> bool {
        self.config.max_runs == 0 || self.config.max_jobs_per_run == 0
    }

    /// Runs `f` on trace `trace`'s entry, made (forgetting the oldest run) when missing.
    fn with_run(&self, trace: &[u8], f: impl FnOnce(&mut Run)) {
        let mut inner = self.lock();
        if !inner.runs.contains_key(trace) {
            while inner.runs.len() >= self.config.max_runs {
                let Some(oldest) = inner.order.pop_front() else {
                    break;
                };
                inner.runs.remove(&oldest);
            }
            inner.order.push_back(trace.to_vec());
            inner.runs.insert(trace.to_vec(), Run::default());
        }
        if let Some(run) = inner.runs.get_mut(trace) {
            f(run);
        }
    }

    /// Remembers the verdict on job `job_span` of trace `trace` (replacing an earlier one).
    pub fn remember(&self, trace: &[u8], job_span: &[u8], verdict: &JobVerdict) {
        if self.off() {
            return;
        }
        let max_jobs = self.config.max_jobs_per_run;
        self.with_run(trace, |run| {
            let jobs = &mut run.jobs;
            match jobs.iter().position(|(id, _)| id == job_span) {
                // What a log said is kept over a later sighting of the job without it.
                Some(i) if verdict.log.is_none() && jobs[i].1.log.is_some() => {}
                Some(i) => jobs[i].1 = verdict.clone(),
                None if jobs.len() < max_jobs => jobs.push((job_span.to_vec(), verdict.clone())),
                None => {}
            }
        });
    }

    /// Remembers that trace `trace`'s run failed, with its root span.
    pub fn remember_failed_root(&self, trace: &[u8], root: FailedRoot) {
        if self.off() {
            return;
        }
        self.with_run(trace, |run| run.root = Some(root));
    }

    /// The verdicts remembered for trace `trace`, with their job span ids.
    pub fn recall(&self, trace: &[u8]) -> Vec<(Vec<u8>, JobVerdict)> {
        self.lock()
            .runs
            .get(trace)
            .map(|r| r.jobs.clone())
            .unwrap_or_default()
    }

    /// The failed run root remembered for trace `trace`.
    pub fn recall_failed_root(&self, trace: &[u8]) -> Option<FailedRoot> {
        self.lock().runs.get(trace).and_then(|r| r.root.clone())
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
            log: None,
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
