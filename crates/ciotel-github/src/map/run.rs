//! `WorkflowRun` → `PipelineRun`.

use ciotel_cicd::{Attribute, Phase, PipelineRun, PreviousAttempt, RunRef};

use super::{repo, time::parse, vocabulary};
use crate::GithubError;
use crate::payload::{PullRequest, Repository, Workflow, WorkflowRun};

/// Maps a run. `workflow` and `envelope_repo` come from a webhook envelope (the REST poller
/// passes `None`); `action` is the webhook's action, used only when `status` is missing.
pub(crate) fn map_run(
    run: &WorkflowRun,
    workflow: Option<&Workflow>,
    envelope_repo: Option<&Repository>,
    action: Option<&str>,
) -> Result<PipelineRun, GithubError> {
    let attempt = run.run_attempt.unwrap_or(1);
    let repository = run.repository.as_ref().or(envelope_repo);
    let mut vcs = repo::vcs(repository, run.html_url.as_deref());
    vcs.head_ref = run.head_branch.clone();
    vcs.head_revision = run.head_sha.clone();
    if let Some(pr) = change(run, repository) {
        vcs.change_id = pr.number.map(|n| n.to_string());
        let base = pr.base.as_ref();
        vcs.base_ref = base.and_then(|b| b.ref_name.clone());
        vcs.base_revision = base.and_then(|b| b.sha.clone());
    }
    let conclusion = non_empty(run.conclusion.as_deref());
    let phase = vocabulary::phase(run.status.as_deref(), action);
    // A completed run's last update is its completion (the Collector uses it too); before
    // completion `updated_at` says nothing about an end.
    let updated_at = parse(run.updated_at.as_deref(), "workflow_run", "updated_at")?;
    Ok(PipelineRun {
        run: RunRef {
            run_id: run.id.to_string(),
            attempt,
            pipeline_name: pipeline_name(run, workflow),
            vcs,
        },
        url: run.html_url.clone(),
        phase,
        result: vocabulary::result(conclusion),
        result_detail: conclusion.map(str::to_owned),
        created_at: parse(run.created_at.as_deref(), "workflow_run", "created_at")?,
        started_at: parse(
            run.run_started_at.as_deref(),
            "workflow_run",
            "run_started_at",
        )?,
        completed_at: updated_at.filter(|_| phase == Phase::Completed),
        trigger_event: run.event.clone(),
        actor: run
            .triggering_actor
            .as_ref()
            .or(run.actor.as_ref())
            .and_then(|a| a.login.clone()),
        previous_attempt: (attempt > 1).then(|| PreviousAttempt {
            attempt: attempt - 1,
            url: run.previous_attempt_url.clone(),
        }),
        attributes: extras(run, conclusion),
    })
}

/// The run's name; webhook deliveries sometimes leave it empty, then the workflow's name, then
/// the workflow file's stem (`.github/workflows/build.yml@main` → `build`).
fn pipeline_name(run: &WorkflowRun, workflow: Option<&Workflow>) -> Option<String> {
    non_empty(run.name.as_deref())
        .or_else(|| workflow.and_then(|w| non_empty(w.name.as_deref())))
        .map(str::to_owned)
        .or_else(|| {
            let path = run
                .path
                .as_deref()
                .or(workflow.and_then(|w| w.path.as_deref()))?;
            let file = path.split('@').next()?.rsplit('/').next()?;
            let stem = file
                .strip_suffix(".yml")
                .or_else(|| file.strip_suffix(".yaml"))
                .unwrap_or(file);
            non_empty(Some(stem)).map(str::to_owned)
        })
}

/// The pull request a pull-request run builds: only for `pull_request*` events, and only a PR
/// that targets the run's own repository (GitHub lists PRs of other repositories whose head
/// matches, too).
fn change<'a>(run: &'a WorkflowRun, repository: Option<&Repository>) -> Option<&'a PullRequest> {
    if !run
        .event
        .as_deref()
        .is_some_and(|e| e.starts_with("pull_request"))
    {
        return None;
    }
    let repository = repository?;
    run.pull_requests.iter().find(|pr| {
        let Some(base) = pr.base.as_ref().and_then(|b| b.repo.as_ref()) else {
            return false;
        };
        match (base.id, repository.id) {
            (Some(a), Some(b)) => a == b,
            _ => base.url.is_some() && base.url == repository.url,
        }
    })
}

fn extras(run: &WorkflowRun, conclusion: Option<&str>) -> Vec<Attribute> {
    let mut a = Vec::new();
    if let Some(n) = run.run_number.and_then(|n| i64::try_from(n).ok()) {
        a.push(Attribute::new("github.run.number", n));
    }
    if let Some(id) = run.workflow_id {
        a.push(Attribute::new("github.workflow.id", id.to_string()));
    }
    if let Some(p) = non_empty(run.path.as_deref()) {
        a.push(Attribute::new("github.workflow.path", p));
    }
    if let Some(t) = non_empty(run.display_title.as_deref()) {
        a.push(Attribute::new("github.run.display_title", t));
    }
    if let Some(c) = conclusion {
        a.push(Attribute::new("github.conclusion", c));
    }
    a
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}
