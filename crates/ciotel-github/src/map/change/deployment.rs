//! Deployments and their approval waits.
//!
//! | event | maps to |
//! |---|---|
//! | `deployment` | nothing (the final `deployment_status` carries the deployment again) |
//! | `deployment_status` success / failure / error | the deployment, final |
//! | `deployment_status` queued / pending / in_progress / waiting / inactive | nothing (`inactive` follows a success that was already final) |
//! | `deployment_review` requested | approval requested (`review-{job id}`, since) |
//! | `deployment_review` approved / rejected | approval decided, per waiting job (since → the run's `updated_at`) |
//! | `deployment_protection_rule` requested | approval requested on the deployment (`rule-{deployment id}`) |
//! | `workflow_job` waiting, with `deployment` | approval requested on the deployment (`job-{job id}`) |
//!
//! Which changes: the pull requests of the deploying run (a deployment from a pull request's
//! run), else none here and the receiver's delivery cache finds them by the revision.

use ciotel_cicd::change::{
    ApprovalDecision, ApprovalWait, ChangeBatch, ChangeEvent, Deployment, DeploymentState, RunLink,
};
use ciotel_cicd::semconv;

use super::own_changes;
use crate::GithubError;
use crate::map::repo;
use crate::map::time::parse;
use crate::payload::{
    DeploymentProtectionRuleEvent, DeploymentReviewEvent, DeploymentStatusEvent, Repository,
    WorkflowJobEvent, WorkflowRun,
};

pub(crate) fn deployment_status(e: &DeploymentStatusEvent) -> Result<ChangeBatch, GithubError> {
    let status = &e.deployment_status;
    let state = match status.state.as_deref() {
        Some("success") => DeploymentState::Success,
        Some("failure") => DeploymentState::Failure,
        Some("error") => DeploymentState::Error,
        _ => return Ok(ChangeBatch::default()),
    };
    let Some(repo_id) = repository_id(e.repository.as_ref()) else {
        return Ok(ChangeBatch::default());
    };
    let d = &e.deployment;
    let run = e.workflow_run.as_ref();
    let deployment = Deployment {
        provider: semconv::provider::GITHUB.to_owned(),
        repository_id: repo_id,
        repository: repo::vcs(e.repository.as_ref(), None),
        id: d.id.to_string(),
        environment: d
            .environment
            .clone()
            .or(d.original_environment.clone())
            .unwrap_or_default(),
        production: d.production_environment,
        tier: None,
        revision: d.sha.clone(),
        ref_name: d.ref_name.clone(),
        task: d.task.clone(),
        creator: d.creator.as_ref().and_then(|u| u.login.clone()),
        state,
        state_detail: status.state.clone(),
        created_at: parse(d.created_at.as_deref(), "deployment", "created_at")?,
        state_at: parse(
            status.created_at.as_deref(),
            "deployment_status",
            "created_at",
        )?,
        url: status
            .log_url
            .clone()
            .or(status.target_url.clone())
            .filter(|u| !u.is_empty()),
        run: run.map(run_link),
        changes: run
            .map(|r| own_changes(&r.pull_requests, e.repository.as_ref()))
            .unwrap_or_default(),
    };
    Ok(one(ChangeEvent::Deployment(deployment)))
}

pub(crate) fn deployment_review(e: &DeploymentReviewEvent) -> Result<ChangeBatch, GithubError> {
    let Some(repo_id) = repository_id(e.repository.as_ref()) else {
        return Ok(ChangeBatch::default());
    };
    let since = parse(e.since.as_deref(), "deployment_review", "since")?;
    let run = e.workflow_run.as_ref();
    let changes = run
        .map(|r| own_changes(&r.pull_requests, e.repository.as_ref()))
        .unwrap_or_default();
    let reviewers = e
        .reviewers
        .iter()
        .filter_map(|r| {
            let who = r.reviewer.as_ref()?;
            who.login.clone().or(who.slug.clone())
        })
        .collect::<Vec<_>>();
    let base = |job_id: u64, environment: Option<&str>| ApprovalWait {
        provider: semconv::provider::GITHUB.to_owned(),
        repository_id: repo_id.clone(),
        repository: repo::vcs(e.repository.as_ref(), None),
        wait_id: format!("review-{job_id}"),
        deployment_id: None,
        environment: environment
            .or(e.environment.as_deref())
            .unwrap_or_default()
            .to_owned(),
        revision: run.and_then(|r| r.head_sha.clone()),
        reviewers: reviewers.clone(),
        requested_at: since,
        decided_at: None,
        decision: None,
        approver: None,
        run: run.map(|r| RunLink {
            job_id: Some(job_id.to_string()),
            ..run_link(r)
        }),
        changes: changes.clone(),
    };
    let events = match e.action.as_deref() {
        Some("requested") => e
            .workflow_job_run
            .iter()
            .map(|j| ChangeEvent::ApprovalWait(base(j.id, j.environment.as_deref())))
            .collect(),
        Some(action @ ("approved" | "rejected")) => {
            let decision = if action == "approved" {
                ApprovalDecision::Approved
            } else {
                ApprovalDecision::Rejected
            };
            let decided_at = parse(
                run.and_then(|r| r.updated_at.as_deref()),
                "workflow_run",
                "updated_at",
            )?;
            e.workflow_job_runs
                .iter()
                .chain(e.workflow_job_run.iter())
                .map(|j| {
                    ChangeEvent::ApprovalWait(ApprovalWait {
                        decided_at,
                        decision: Some(decision),
                        approver: e.approver.as_ref().and_then(|u| u.login.clone()),
                        ..base(j.id, j.environment.as_deref())
                    })
                })
                .collect()
        }
        _ => Vec::new(),
    };
    Ok(ChangeBatch {
        events,
        merges: Vec::new(),
    })
}

pub(crate) fn protection_rule(
    e: &DeploymentProtectionRuleEvent,
) -> Result<ChangeBatch, GithubError> {
    let (Some(repo_id), Some(d)) = (repository_id(e.repository.as_ref()), &e.deployment) else {
        return Ok(ChangeBatch::default());
    };
    if e.action.as_deref() != Some("requested") {
        return Ok(ChangeBatch::default());
    }
    let wait = ApprovalWait {
        provider: semconv::provider::GITHUB.to_owned(),
        repository_id: repo_id,
        repository: repo::vcs(e.repository.as_ref(), None),
        wait_id: format!("rule-{}", d.id),
        deployment_id: Some(d.id.to_string()),
        environment: e
            .environment
            .clone()
            .or(d.environment.clone())
            .unwrap_or_default(),
        revision: d.sha.clone(),
        reviewers: Vec::new(),
        requested_at: parse(d.created_at.as_deref(), "deployment", "created_at")?,
        decided_at: None,
        decision: None,
        approver: None,
        run: None,
        changes: own_changes(&e.pull_requests, e.repository.as_ref()),
    };
    Ok(one(ChangeEvent::ApprovalWait(wait)))
}

/// A job waiting on its environment's protection (status `waiting`, with a `deployment`).
pub(crate) fn waiting_job(e: &WorkflowJobEvent) -> Result<ChangeBatch, GithubError> {
    let j = &e.workflow_job;
    let (Some(d), Some(repo_id)) = (&e.deployment, repository_id(e.repository.as_ref())) else {
        return Ok(ChangeBatch::default());
    };
    if j.status.as_deref() != Some("waiting") {
        return Ok(ChangeBatch::default());
    }
    let wait = ApprovalWait {
        provider: semconv::provider::GITHUB.to_owned(),
        repository_id: repo_id,
        repository: repo::vcs(e.repository.as_ref(), None),
        wait_id: format!("job-{}", j.id),
        deployment_id: Some(d.id.to_string()),
        environment: d.environment.clone().unwrap_or_default(),
        revision: d.sha.clone().or(j.head_sha.clone()),
        reviewers: Vec::new(),
        requested_at: parse(j.created_at.as_deref(), "workflow_job", "created_at")?,
        decided_at: None,
        decision: None,
        approver: None,
        run: Some(RunLink {
            run_id: j.run_id.to_string(),
            attempt: j.run_attempt.unwrap_or(1),
            job_id: Some(j.id.to_string()),
        }),
        changes: Vec::new(),
    };
    Ok(one(ChangeEvent::ApprovalWait(wait)))
}

fn run_link(r: &WorkflowRun) -> RunLink {
    RunLink {
        run_id: r.id.to_string(),
        attempt: r.run_attempt.unwrap_or(1),
        job_id: None,
    }
}

fn repository_id(r: Option<&Repository>) -> Option<String> {
    r?.id.map(|id| id.to_string())
}

fn one(event: ChangeEvent) -> ChangeBatch {
    ChangeBatch {
        events: vec![event],
        merges: Vec::new(),
    }
}
