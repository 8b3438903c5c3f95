//! Which queued or running jobs are hung now, and by which rule of `live.hung`.
//!
//! | state | rule | hung when |
//! |---|---|---|
//! | queued | `queued_after` | queued longer than it (0 = off) |
//! | running | `running_after` | running longer than it (0 = off) |
//! | running | `p95_factor` | running longer than factor × the p95 of the job's recent runs (same repository, pipeline and name; at least `p95_min_samples` of them) |
//!
//! When both running rules are exceeded, the one with the lower threshold is named. Runs are
//! not judged (a run is as slow as its slowest job, which is).

use std::time::Duration;

use super::board::LiveBoard;
use super::config::HungConfig;
use super::durations::Durations;
use super::entry::{EntryKind, LiveEntry, LiveState};
use super::observe::sketch_name;
use crate::time::Timestamp;

/// The rule that found a job hung, with its threshold.
///
/// Exists so the log record and the metric can say why: "queued over 30m", "running over
/// 3 × p95 (4m10s)".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HungRule {
    /// `queued_after`.
    QueuedAfter(Duration),
    /// `running_after`.
    RunningAfter(Duration),
    /// `p95_factor` × the recent p95.
    P95 {
        /// The factor.
        factor: u32,
        /// The job's recent p95 run time.
        p95: Duration,
    },
}

impl HungRule {
    /// How long the job may be in its state before it is hung.
    pub fn threshold(self) -> Duration {
        match self {
            HungRule::QueuedAfter(d) | HungRule::RunningAfter(d) => d,
            HungRule::P95 { factor, p95 } => p95.saturating_mul(factor),
        }
    }

    /// The config key of the rule (`queued_after`, `running_after`, `p95_factor`).
    pub fn key(self) -> &'static str {
        match self {
            HungRule::QueuedAfter(_) => "queued_after",
            HungRule::RunningAfter(_) => "running_after",
            HungRule::P95 { .. } => "p95_factor",
        }
    }
}

/// A job that is hung now.
#[derive(Debug, Clone, PartialEq)]
pub struct HungJob {
    /// The job as the board holds it.
    pub entry: LiveEntry,
    /// How long it has been in its state.
    pub age: Duration,
    /// The rule it broke.
    pub rule: HungRule,
}

impl LiveBoard {
    /// The jobs hung at `now` under the board's `live.hung` rules, longest-waiting first.
    pub fn hung(&self, now: Timestamp) -> Vec<HungJob> {
        let rules = &self.config().hung;
        let state = self.lock();
        let mut hung: Vec<HungJob> = state
            .entries
            .values()
            .filter(|e| e.key.kind == EntryKind::Job)
            .filter_map(|e| {
                let age = e.age(now);
                let rule = broken_rule(e, age, rules, &state.durations)?;
                Some(HungJob {
                    entry: e.clone(),
                    age,
                    rule,
                })
            })
            .collect();
        hung.sort_by(|a, b| {
            b.age
                .cmp(&a.age)
                .then_with(|| a.entry.key.cmp(&b.entry.key))
        });
        hung
    }

    /// The p95 of the recent run times of a job name, once there are enough of them.
    pub fn recent_p95(
        &self,
        repository: Option<&str>,
        pipeline: Option<&str>,
        job: &str,
    ) -> Option<Duration> {
        let min = self.config().hung.p95_min_samples;
        self.lock()
            .durations
            .p95(&sketch_name(repository, pipeline, job), min)
    }
}

fn broken_rule(
    e: &LiveEntry,
    age: Duration,
    rules: &HungConfig,
    durations: &Durations,
) -> Option<HungRule> {
    let candidates = match e.state {
        LiveState::Pending => vec![HungRule::QueuedAfter(rules.queued_after)],
        LiveState::Executing => {
            let mut c = vec![HungRule::RunningAfter(rules.running_after)];
            if rules.p95_factor > 0 {
                let name = sketch_name(
                    e.repository.as_deref(),
                    e.pipeline_name.as_deref(),
                    e.job_name.as_deref().unwrap_or(""),
                );
                if let Some(p95) = durations.p95(&name, rules.p95_min_samples) {
                    c.push(HungRule::P95 {
                        factor: rules.p95_factor,
                        p95,
                    });
                }
            }
            c
        }
    };
    candidates
        .into_iter()
        .filter(|r| !r.threshold().is_zero() && age > r.threshold())
        .min_by_key(|r| r.threshold())
}
