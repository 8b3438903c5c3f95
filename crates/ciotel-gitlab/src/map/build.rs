//! One GitLab job, whichever payload reported it (Job Hook, a Pipeline Hook's `builds`, REST
//! jobs and bridges) → `Job`. Every source is first reduced to [`BuildFacts`] and goes through
//! the one function here, so the same job gives the same spans from every source.
//!
//! Times: the job span starts when the job entered the queue: `started_at − queued_duration`
//! when GitLab gives the queued time (the time spent `pending`, waiting for a runner), else
//! `created_at`. GitLab creates every job of a pipeline when the pipeline is created, so
//! `created_at` of a later stage's job includes the wait for the earlier stages, which is the
//! pipeline's doing, not the queue's. The queue span is that start → `started_at`. A finished
//! job with no `finished_at` ends at `started_at + duration`.

use ciotel_cicd::{Attribute, CiResult, Job, Phase, RunRef, Runner, Timestamp};

use super::project::non_empty;
use super::time::{minus, plus, seconds_to_nanos};
use super::vocabulary;
use crate::payload::RunnerInfo;

/// What every source says about a job, with timestamps already parsed.
#[derive(Debug, Clone, Default)]
pub(crate) struct BuildFacts<'a> {
    pub id: u64,
    pub name: Option<&'a str>,
    pub stage: Option<&'a str>,
    pub status: Option<&'a str>,
    pub created_at: Option<Timestamp>,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub duration: Option<f64>,
    pub queued_duration: Option<f64>,
    pub allow_failure: Option<bool>,
    pub failure_reason: Option<&'a str>,
    pub runner: Option<&'a RunnerInfo>,
    /// Job Hooks only.
    pub retries_count: Option<u64>,
    /// The job's page; built from the project URL when the payload has none.
    pub url: Option<String>,
    /// REST bridges (trigger jobs), which webhooks never report.
    pub bridge: bool,
    /// REST bridges only: the pipeline the bridge started.
    pub downstream_pipeline_id: Option<u64>,
}

/// Attribute names of the job extras, in the order they are written.
pub(crate) mod attr {
    /// GitLab's own status word.
    pub const STATUS: &str = "gitlab.job.status";
    /// Why a failed job failed (only on failed jobs: GitLab fills it on others too).
    pub const FAILURE_REASON: &str = "gitlab.job.failure_reason";
    /// Whether the job may fail without failing its stage and pipeline.
    pub const ALLOW_FAILURE: &str = "gitlab.job.allow_failure";
    /// How many times the job was retried before this attempt (Job Hooks only).
    pub const RETRIES_COUNT: &str = "gitlab.job.retries_count";
    /// `instance_type` (shared: the platform's), `group_type` or `project_type`.
    pub const RUNNER_TYPE: &str = "gitlab.runner.type";
    /// `bridge` for trigger jobs (REST); absent for ordinary jobs.
    pub const KIND: &str = "gitlab.job.kind";
    /// The pipeline a bridge started.
    pub const DOWNSTREAM_PIPELINE_ID: &str = "gitlab.downstream_pipeline.id";
}

/// The job of `facts`, in the pipeline `run`.
pub(crate) fn to_job(facts: &BuildFacts<'_>, run: &RunRef) -> Job {
    let (phase, result) = vocabulary::status(facts.status);
    let failed = result == Some(CiResult::Failure);
    let failure_reason = non_empty(facts.failure_reason).filter(|_| failed);
    let started_at = facts.started_at;
    let completed_at = facts.finished_at.or_else(|| {
        let ran = seconds_to_nanos(facts.duration)?;
        (phase == Phase::Completed).then_some(plus(started_at?, ran))
    });
    Job {
        run: run.clone(),
        id: facts.id.to_string(),
        name: non_empty(facts.name)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("job {}", facts.id)),
        stage: non_empty(facts.stage).map(str::to_owned),
        url: facts.url.clone(),
        phase,
        result,
        result_detail: failure_reason
            .or(non_empty(facts.status))
            .map(str::to_owned),
        created_at: queued_at(facts),
        started_at,
        completed_at,
        runner: facts.runner.and_then(runner),
        steps: Vec::new(),
        attributes: extras(facts, failure_reason),
    }
}

/// When the job entered the queue: `started_at − queued_duration`, never before `created_at`;
/// else `created_at`.
fn queued_at(facts: &BuildFacts<'_>) -> Option<Timestamp> {
    let from_queue = facts
        .started_at
        .zip(seconds_to_nanos(facts.queued_duration))
        .map(|(started, queued)| minus(started, queued));
    match (from_queue, facts.created_at) {
        (Some(q), Some(created)) => Some(q.max(created)),
        (q, created) => q.or(created),
    }
}

fn runner(r: &RunnerInfo) -> Option<Runner> {
    let runner = Runner {
        id: r.id.map(|i| i.to_string()),
        name: non_empty(r.description.as_deref()).map(str::to_owned),
        labels: r.tags.clone(),
        group_id: None,
        group_name: None,
    };
    (runner != Runner::default()).then_some(runner)
}

fn extras(facts: &BuildFacts<'_>, failure_reason: Option<&str>) -> Vec<Attribute> {
    let mut out = Vec::new();
    if let Some(s) = non_empty(facts.status) {
        out.push(Attribute::new(attr::STATUS, s));
    }
    if let Some(reason) = failure_reason {
        out.push(Attribute::new(attr::FAILURE_REASON, reason));
    }
    if let Some(allowed) = facts.allow_failure {
        out.push(Attribute::new(attr::ALLOW_FAILURE, allowed));
    }
    if let Some(n) = facts.retries_count.and_then(|n| i64::try_from(n).ok()) {
        out.push(Attribute::new(attr::RETRIES_COUNT, n));
    }
    if let Some(t) = facts
        .runner
        .and_then(|r| non_empty(r.runner_type.as_deref()))
    {
        out.push(Attribute::new(attr::RUNNER_TYPE, t));
    }
    if facts.bridge {
        out.push(Attribute::new(attr::KIND, "bridge"));
    }
    if let Some(downstream) = facts.downstream_pipeline_id {
        out.push(Attribute::new(
            attr::DOWNSTREAM_PIPELINE_ID,
            downstream.to_string(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Option<Timestamp> {
        Timestamp::parse_rfc3339(s).ok()
    }

    fn facts() -> BuildFacts<'static> {
        BuildFacts {
            id: 7,
            status: Some("success"),
            created_at: t("2023-01-10T13:50:02Z"),
            started_at: t("2023-01-10T13:50:05Z"),
            finished_at: t("2023-01-10T13:50:54Z"),
            ..BuildFacts::default()
        }
    }

    #[test]
    fn the_queue_starts_queued_duration_before_the_start() {
        let mut f = facts();
        f.queued_duration = Some(0.5);
        let job = to_job(&f, &RunRef::default());
        assert_eq!(job.created_at, t("2023-01-10T13:50:04.5Z"));
        // Without the queued time: created → started.
        f.queued_duration = None;
        assert_eq!(
            to_job(&f, &RunRef::default()).created_at,
            t("2023-01-10T13:50:02Z")
        );
        // A queued time longer than created → started is capped at the creation.
        f.queued_duration = Some(500.0);
        assert_eq!(
            to_job(&f, &RunRef::default()).created_at,
            t("2023-01-10T13:50:02Z")
        );
    }

    #[test]
    fn a_finished_job_without_finished_at_ends_after_its_duration() {
        let mut f = facts();
        f.finished_at = None;
        f.duration = Some(17.25);
        assert_eq!(
            to_job(&f, &RunRef::default()).completed_at,
            t("2023-01-10T13:50:22.25Z")
        );
        f.status = Some("running");
        assert_eq!(to_job(&f, &RunRef::default()).completed_at, None);
    }

    #[test]
    fn failure_reason_only_on_failed_jobs() {
        let mut f = facts();
        f.failure_reason = Some("unknown_failure");
        let job = to_job(&f, &RunRef::default());
        assert!(job.attributes.iter().all(|a| a.key != attr::FAILURE_REASON));
        assert_eq!(job.result_detail.as_deref(), Some("success"));
        f.status = Some("failed");
        f.failure_reason = Some("runner_system_failure");
        let job = to_job(&f, &RunRef::default());
        assert_eq!(job.result, Some(CiResult::Failure));
        assert_eq!(job.result_detail.as_deref(), Some("runner_system_failure"));
        assert!(job.attributes.contains(&Attribute::new(
            attr::FAILURE_REASON,
            "runner_system_failure"
        )));
        f.failure_reason = None;
        assert_eq!(
            to_job(&f, &RunRef::default()).result_detail.as_deref(),
            Some("failed")
        );
    }

    #[test]
    fn nameless_jobs_and_empty_runners() {
        let mut f = facts();
        f.name = Some(" ");
        let empty = RunnerInfo::default();
        f.runner = Some(&empty);
        let job = to_job(&f, &RunRef::default());
        assert_eq!(job.name, "job 7");
        assert_eq!(job.runner, None);
    }
}
