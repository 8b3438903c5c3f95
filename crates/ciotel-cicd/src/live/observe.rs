//! One `CiEvent` → what it tells the board: an entry queued or running now, or one that ended.
//!
//! | event | phase | observation |
//! |---|---|---|
//! | run / downstream run | pending, running | the run attempt is queued / running |
//! | run / downstream run | completed | the run attempt ended (its jobs leave with it) |
//! | job | pending, running | the job is queued / running |
//! | job | completed | the job ended; its run time goes to the duration sketch |
//! | stage | any | nothing (stages are shown through their jobs) |
//!
//! GitLab creates every job of a pipeline with the pipeline, so a GitLab job's `created_at` (or
//! a `pending` job's queue time, which the mapping derives from it) includes the wait for the
//! earlier stages. By `gitlab.job.status`:
//!
//! | status | on the board |
//! |---|---|
//! | `created`, `manual`, `scheduled` | not at all: it waits for earlier stages, a person or a time, not for a runner |
//! | `pending`, `waiting_for_resource`, `preparing` | queued since the board first saw it so (after a restart: since the poller listed it) |
//! | anything else | as the table above |

use super::entry::{EntryKey, EntryKind, LiveEntry, LiveState};
use crate::event::{AttrValue, CiEvent, Job, Phase, PipelineRun, RunRef};
use crate::time::Timestamp;

/// What one event says about one board entry.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Observation {
    /// Queued or running now: the entry as this event shows it.
    Live(LiveEntry),
    /// Ended: the entry leaves the board and is not brought back by a late event.
    Ended(Ended),
}

/// An entry that ended, with what the duration sketch needs.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Ended {
    pub key: EntryKey,
    /// The run whose jobs leave with it (runs only).
    pub run: Option<(String, String, u32)>,
    /// The job's sketch name and how long it ran (jobs with both times only).
    pub ran: Option<(String, std::time::Duration)>,
}

/// What `event` says, seen at `now` (used where the event carries no time).
pub(super) fn observe(event: &CiEvent, now: Timestamp) -> Option<Observation> {
    match event {
        CiEvent::Run(run) => Some(of_run(run, now)),
        CiEvent::DownstreamRun(d) => Some(of_run(&d.run, now)),
        CiEvent::Job(job) => of_job(job, now),
        CiEvent::Stage(_) => None,
    }
}

/// The key of run attempt `run`.
pub(super) fn run_key(run: &RunRef) -> EntryKey {
    EntryKey {
        provider: provider(run),
        kind: EntryKind::Run,
        id: format!("{}#{}", run.run_id, run.attempt),
    }
}

/// The name a job's durations are kept under: its repository, pipeline and name, so "build"
/// of two workflows are not mixed.
pub(super) fn sketch_name(entry_repo: Option<&str>, pipeline: Option<&str>, job: &str) -> String {
    format!(
        "{}\u{1f}{}\u{1f}{job}",
        entry_repo.unwrap_or(""),
        pipeline.unwrap_or("")
    )
}

fn provider(run: &RunRef) -> String {
    run.vcs.provider.clone().unwrap_or_default()
}

fn of_run(run: &PipelineRun, now: Timestamp) -> Observation {
    let key = run_key(&run.run);
    if run.phase == Phase::Completed {
        return Observation::Ended(Ended {
            key,
            run: Some((provider(&run.run), run.run.run_id.clone(), run.run.attempt)),
            ran: None,
        });
    }
    let running = run.phase == Phase::Running;
    Observation::Live(LiveEntry {
        key,
        state: state(running),
        repository: run.run.vcs.repository_full_name.clone(),
        pipeline_name: run.run.pipeline_name.clone(),
        run_id: run.run.run_id.clone(),
        attempt: run.run.attempt,
        job_name: None,
        stage: None,
        url: run.url.clone(),
        head_ref: run.run.vcs.head_ref.clone(),
        queued_since: run.created_at.or(run.started_at).unwrap_or(now),
        running_since: running.then(|| run.started_at.unwrap_or(now)),
        runner_name: None,
        runner_labels: Vec::new(),
        touched: 0,
    })
}

/// The GitLab job status attribute (`gitlab.job.status`).
const GITLAB_JOB_STATUS: &str = "gitlab.job.status";

/// Where a GitLab job's platform times do not say when it entered a runner's queue.
enum GitlabWait {
    /// Not waiting for a runner at all.
    NotQueued,
    /// Queued for a runner, since an unknown time.
    QueuedSinceUnknown,
}

fn gitlab_wait(job: &Job) -> Option<GitlabWait> {
    let status = job.attributes.iter().find(|a| a.key == GITLAB_JOB_STATUS)?;
    match &status.value {
        AttrValue::Str(s) => match s.as_str() {
            "created" | "manual" | "scheduled" => Some(GitlabWait::NotQueued),
            "pending" | "waiting_for_resource" | "preparing" => {
                Some(GitlabWait::QueuedSinceUnknown)
            }
            _ => None,
        },
        _ => None,
    }
}

fn of_job(job: &Job, now: Timestamp) -> Option<Observation> {
    let key = EntryKey {
        provider: provider(&job.run),
        kind: EntryKind::Job,
        id: job.id.clone(),
    };
    let repository = job.run.vcs.repository_full_name.clone();
    if job.phase == Phase::Completed {
        let ran = match (job.started_at, job.completed_at) {
            (Some(start), Some(end)) if end >= start => Some((
                sketch_name(
                    repository.as_deref(),
                    job.run.pipeline_name.as_deref(),
                    &job.name,
                ),
                std::time::Duration::from_nanos(end.as_unix_nanos() - start.as_unix_nanos()),
            )),
            _ => None,
        };
        return Some(Observation::Ended(Ended {
            key,
            run: None,
            ran,
        }));
    }
    let running = job.phase == Phase::Running;
    let queued_since = match (running, gitlab_wait(job)) {
        (false, Some(GitlabWait::NotQueued)) => return None,
        (false, Some(GitlabWait::QueuedSinceUnknown)) => now,
        _ => job.created_at.or(job.started_at).unwrap_or(now),
    };
    let runner = job.runner.as_ref();
    Some(Observation::Live(LiveEntry {
        key,
        state: state(running),
        repository,
        pipeline_name: job.run.pipeline_name.clone(),
        run_id: job.run.run_id.clone(),
        attempt: job.run.attempt,
        job_name: Some(job.name.clone()),
        stage: job.stage.clone(),
        url: job.url.clone(),
        head_ref: job.run.vcs.head_ref.clone(),
        queued_since,
        running_since: running.then(|| job.started_at.unwrap_or(now)),
        runner_name: runner.and_then(|r| r.name.clone()),
        runner_labels: runner.map(|r| r.labels.clone()).unwrap_or_default(),
        touched: 0,
    }))
}

fn state(running: bool) -> LiveState {
    if running {
        LiveState::Executing
    } else {
        LiveState::Pending
    }
}

/// `incoming` folded into `current`, whatever order they came in: the later state wins
/// (running over queued), the earliest platform time of each kind wins, and a field one of
/// them knows is kept. The same event twice leaves the entry as it was.
pub(super) fn merge(current: &LiveEntry, incoming: &LiveEntry) -> LiveEntry {
    let pick = |a: &Option<String>, b: &Option<String>| b.clone().or_else(|| a.clone());
    LiveEntry {
        key: current.key.clone(),
        state: current.state.max(incoming.state),
        repository: pick(&current.repository, &incoming.repository),
        pipeline_name: pick(&current.pipeline_name, &incoming.pipeline_name),
        run_id: current.run_id.clone(),
        attempt: current.attempt,
        job_name: pick(&current.job_name, &incoming.job_name),
        stage: pick(&current.stage, &incoming.stage),
        url: pick(&current.url, &incoming.url),
        head_ref: pick(&current.head_ref, &incoming.head_ref),
        queued_since: current.queued_since.min(incoming.queued_since),
        running_since: match (current.running_since, incoming.running_since) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        },
        runner_name: pick(&current.runner_name, &incoming.runner_name),
        runner_labels: if incoming.runner_labels.is_empty() {
            current.runner_labels.clone()
        } else {
            incoming.runner_labels.clone()
        },
        touched: current.touched,
    }
}
