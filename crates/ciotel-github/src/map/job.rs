//! `WorkflowJob` → `Job`.

use ciotel_cicd::{Attribute, Job, Phase, RunRef, Runner, Step};

use super::{repo, time::parse, vocabulary};
use crate::GithubError;
use crate::payload::{JobStep, Repository, WorkflowJob};

/// Maps a job. `repository` is the webhook envelope's (or the run's, for the poller); without
/// it the repository is read from the job's URL. `action` is used only when `status` is missing.
pub(crate) fn map_job(
    job: &WorkflowJob,
    repository: Option<&Repository>,
    action: Option<&str>,
) -> Result<Job, GithubError> {
    let mut vcs = repo::vcs(repository, job.html_url.as_deref());
    vcs.head_ref = job.head_branch.clone();
    vcs.head_revision = job.head_sha.clone();
    let conclusion = job.conclusion.as_deref().filter(|c| !c.is_empty());
    let steps = job
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| map_step(i, s))
        .collect::<Result<Vec<_>, _>>()?;
    let mut attributes = Vec::new();
    if let Some(c) = conclusion {
        attributes.push(Attribute::new("github.conclusion", c));
    }
    Ok(Job {
        run: RunRef {
            run_id: job.run_id.to_string(),
            attempt: job.run_attempt.unwrap_or(1),
            pipeline_name: job.workflow_name.clone().filter(|n| !n.is_empty()),
            vcs,
        },
        id: job.id.to_string(),
        name: job
            .name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("job {}", job.id)),
        stage: None,
        url: job.html_url.clone(),
        phase: vocabulary::phase(job.status.as_deref(), action),
        result: vocabulary::result(conclusion),
        result_detail: conclusion.map(str::to_owned),
        created_at: parse(job.created_at.as_deref(), "workflow_job", "created_at")?,
        started_at: parse(job.started_at.as_deref(), "workflow_job", "started_at")?,
        completed_at: parse(job.completed_at.as_deref(), "workflow_job", "completed_at")?,
        runner: runner(job),
        steps,
        attributes,
    })
}

fn runner(job: &WorkflowJob) -> Option<Runner> {
    let r = Runner {
        id: job.runner_id.map(|i| i.to_string()),
        name: job.runner_name.clone().filter(|n| !n.is_empty()),
        labels: job.labels.clone(),
        group_id: job.runner_group_id.map(|i| i.to_string()),
        group_name: job.runner_group_name.clone().filter(|n| !n.is_empty()),
    };
    (r != Runner::default()).then_some(r)
}

fn map_step(index: usize, s: &JobStep) -> Result<Step, GithubError> {
    let object = format!("workflow_job.steps[{index}]");
    let conclusion = s.conclusion.as_deref().filter(|c| !c.is_empty());
    let name = s
        .name
        .clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| format!("step {}", s.number.map_or(index + 1, |n| n as usize)));
    Ok(Step {
        name,
        number: s.number,
        phase: match s.status.as_deref() {
            Some("completed") => Phase::Completed,
            Some("in_progress") => Phase::Running,
            _ => Phase::Pending,
        },
        result: vocabulary::result(conclusion),
        result_detail: conclusion.map(str::to_owned),
        started_at: parse(s.started_at.as_deref(), &object, "started_at")?,
        completed_at: parse(s.completed_at.as_deref(), &object, "completed_at")?,
        attributes: Vec::new(),
    })
}
