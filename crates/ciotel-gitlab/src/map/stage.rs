//! Stage spans, synthesized: GitLab sends no stage events, so a finished pipeline's stages are
//! made from its jobs.
//!
//! - A stage gets a span when at least one of its jobs gets one (jobs that never left
//!   `created` / `manual` get none, and neither does a stage of only such jobs).
//! - Its time runs from the earliest start of its jobs' spans (a job span starts when the job
//!   entered the queue) to the latest end. Jobs that never ran (skipped) are left out when any
//!   job of the stage ran, so a skipped job created with the pipeline does not stretch the
//!   stage back to the pipeline's creation; a stage of skipped jobs only is a zero-length span
//!   at their creation.
//! - Order: as the pipeline's `stages` list; stages it does not list (REST gives no list)
//!   follow, by start time and name.
//! - Result, from the jobs that have one:
//!
//! | jobs | stage result |
//! |---|---|
//! | any failed, not `allow_failure` | `failure` |
//! | else any canceled | `cancellation` |
//! | else any succeeded, or failed with `allow_failure` | `success` |
//! | else (all skipped) | `skip` |

use std::collections::BTreeMap;

use ciotel_cicd::{CiResult, Job, Phase, RunRef, Stage, Timestamp};

/// A job of the pipeline, as stage synthesis needs it.
pub(crate) struct StagedJob<'a> {
    pub job: &'a Job,
    pub allow_failure: bool,
}

/// The stages of a finished pipeline `run`, in order; `order` is the pipeline's `stages`.
pub(crate) fn synthesize(run: &RunRef, order: &[String], jobs: &[StagedJob<'_>]) -> Vec<Stage> {
    let mut by_stage: BTreeMap<&str, Vec<&StagedJob<'_>>> = BTreeMap::new();
    for j in jobs.iter().filter(|j| j.job.phase != Phase::Pending) {
        if let Some(stage) = j.job.stage.as_deref() {
            by_stage.entry(stage).or_default().push(j);
        }
    }
    let mut stages: Vec<(Option<usize>, Stage)> = by_stage
        .into_iter()
        .filter_map(|(name, jobs)| {
            let stage = stage(run, name, &jobs)?;
            Some((order.iter().position(|o| o == name), stage))
        })
        .collect();
    // Listed stages first, in the list's order; the others by start, then name.
    stages.sort_by(|(ia, a), (ib, b)| match (ia, ib) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => (a.started_at, &a.name).cmp(&(b.started_at, &b.name)),
    });
    stages.into_iter().map(|(_, s)| s).collect()
}

fn stage(run: &RunRef, name: &str, jobs: &[&StagedJob<'_>]) -> Option<Stage> {
    let ran: Vec<&Job> = jobs
        .iter()
        .map(|j| j.job)
        .filter(|j| j.started_at.is_some())
        .collect();
    let counted: Vec<&Job> = if ran.is_empty() {
        jobs.iter().map(|j| j.job).collect()
    } else {
        ran
    };
    let windows: Vec<(Timestamp, Timestamp)> = counted.iter().filter_map(|j| window(j)).collect();
    let start = windows.iter().map(|w| w.0).min()?;
    let end = windows.iter().map(|w| w.1).max().unwrap_or(start);
    let (result, detail) = result(jobs);
    Some(Stage {
        run: run.clone(),
        name: name.to_owned(),
        phase: Phase::Completed,
        result: Some(result),
        result_detail: Some(detail.to_owned()),
        started_at: Some(start),
        completed_at: Some(end),
        attributes: Vec::new(),
    })
}

/// A job span's interval, as the translator computes it for a job without steps.
fn window(job: &Job) -> Option<(Timestamp, Timestamp)> {
    let start = job.created_at.or(job.started_at).or(job.completed_at)?;
    let end = job.completed_at.or(job.started_at).unwrap_or(start);
    Some((start, end.max(start)))
}

fn result(jobs: &[&StagedJob<'_>]) -> (CiResult, &'static str) {
    let failed = |j: &&&StagedJob<'_>| {
        matches!(
            j.job.result,
            Some(CiResult::Failure | CiResult::Error | CiResult::Timeout)
        )
    };
    if jobs.iter().any(|j| failed(&j) && !j.allow_failure) {
        (CiResult::Failure, "failed")
    } else if jobs
        .iter()
        .any(|j| j.job.result == Some(CiResult::Cancellation))
    {
        (CiResult::Cancellation, "canceled")
    } else if jobs
        .iter()
        .any(|j| j.job.result == Some(CiResult::Success) || failed(&j))
    {
        (CiResult::Success, "success")
    } else {
        (CiResult::Skip, "skipped")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: u64) -> Option<Timestamp> {
        Some(Timestamp::from_unix_nanos(secs * 1_000_000_000))
    }

    fn job(stage: &str, result: CiResult, times: (u64, Option<u64>, Option<u64>)) -> Job {
        Job {
            stage: Some(stage.into()),
            phase: Phase::Completed,
            result: Some(result),
            created_at: t(times.0),
            started_at: times.1.and_then(t),
            completed_at: times.2.and_then(t),
            ..Job::default()
        }
    }

    fn staged(jobs: &[Job], allow: bool) -> Vec<StagedJob<'_>> {
        jobs.iter()
            .map(|job| StagedJob {
                job,
                allow_failure: allow,
            })
            .collect()
    }

    #[test]
    fn windows_order_and_skipped_jobs() {
        let jobs = [
            job("deploy", CiResult::Skip, (0, None, None)),
            job("deploy", CiResult::Success, (50, Some(60), Some(70))),
            job("test", CiResult::Success, (20, Some(30), Some(40))),
            job("test", CiResult::Success, (25, Some(35), Some(45))),
            job("lint", CiResult::Skip, (5, None, None)),
            job("lint", CiResult::Skip, (8, None, None)),
            Job {
                stage: Some("manual".into()),
                ..Job::default()
            },
        ];
        let order = ["test".to_owned(), "deploy".to_owned()];
        let stages = synthesize(&RunRef::default(), &order, &staged(&jobs, false));
        let got: Vec<_> = stages
            .iter()
            .map(|s| (s.name.as_str(), s.started_at, s.completed_at, s.result))
            .collect();
        assert_eq!(
            got,
            [
                ("test", t(20), t(45), Some(CiResult::Success)),
                ("deploy", t(50), t(70), Some(CiResult::Success)),
                ("lint", t(5), t(8), Some(CiResult::Skip)),
            ],
            "listed stages in order, then the rest; a pending-only stage has no span"
        );
    }

    #[test]
    fn results_follow_the_table() {
        let times = (0, Some(1), Some(2));
        let failed = [
            job("s", CiResult::Failure, times),
            job("s", CiResult::Success, times),
        ];
        let r = |jobs: &[Job], allow| {
            synthesize(&RunRef::default(), &[], &staged(jobs, allow))[0].result
        };
        assert_eq!(r(&failed, false), Some(CiResult::Failure));
        assert_eq!(r(&failed, true), Some(CiResult::Success), "allowed to fail");
        let canceled = [
            job("s", CiResult::Cancellation, times),
            job("s", CiResult::Success, times),
        ];
        assert_eq!(r(&canceled, false), Some(CiResult::Cancellation));
        let skipped = [job("s", CiResult::Skip, (3, None, None))];
        assert_eq!(r(&skipped, false), Some(CiResult::Skip));
    }
}
