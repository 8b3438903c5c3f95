//! GitLab change events → `ChangeEvent`s (the change model of `ciotel_cicd::change`).
//!
//! | delivery | maps to |
//! |---|---|
//! | Merge Request Hook `open` | opened |
//! | `update` with `oldrev` | pushed |
//! | `update` with `changes.draft` true → false | ready for review |
//! | `update` otherwise | edited (no span) |
//! | `approved` / `approval` | review approved (`approved-{user}-{unix nanos}`) |
//! | `unapproved` / `unapproval` | review dismissed |
//! | `merge` | merged (merge revision: `merge_commit_sha`, else `last_commit.id`) |
//! | `close` | closed |
//! | `reopen` | reopened |
//! | Pipeline Hook with `merge_request` | a run for that merge request |
//! | Job Hook with `environment.action: start`, finished | the deployment (id: the job's) |
//! | Deployment Hook `blocked` | approval requested, under the deploying job's deployment |
//! | Deployment Hook, other statuses | nothing: the deploying job's Job Hook has the same deployment with its times and pipeline |
//!
//! GitLab's Merge Request Hook has no merge or close time of its own: `updated_at` is used.
//! The author is known only when the actor (`user`) is: for `open`.

use ciotel_cicd::change::{
    ApprovalWait, ChangeAction, ChangeBatch, ChangeEvent, ChangeNumber, ChangeRef, ChangeRun,
    ChangeUpdate, Deployment, DeploymentState, MergeSeen, RefRevision, Review, ReviewState,
    RunLink,
};
use ciotel_cicd::semconv::{self, change_state};
use ciotel_cicd::{CiEvent, Vcs};

use super::project::{Place, non_empty};
use super::time::parse;
use crate::GitlabError;
use crate::payload::{DeploymentHook, JobHook, MergeRequestHook, PipelineHook, Project};

pub(crate) fn merge_request(hook: &MergeRequestHook) -> Result<ChangeBatch, GitlabError> {
    let a = &hook.object_attributes;
    let project_id = hook
        .project
        .as_ref()
        .and_then(|p| p.id)
        .or(a.target_project_id);
    let (Some(project_id), Some(iid)) = (project_id, a.iid) else {
        return Ok(ChangeBatch::default());
    };
    let change = change_ref(hook.project.as_ref(), project_id, iid);
    let updated_at = parse(a.updated_at.as_deref(), "object_attributes.updated_at")?;
    let opened_at = parse(a.created_at.as_deref(), "object_attributes.created_at")?;
    let actor = hook.user.as_ref().and_then(|u| u.username.clone());
    let head_sha = a.last_commit.as_ref().and_then(|c| c.id.clone());
    let draft = a.draft.or(a.work_in_progress);
    let became_ready = hook
        .changes
        .as_ref()
        .and_then(|c| c.draft.as_ref())
        .is_some_and(|d| d.previous == Some(true) && d.current == Some(false));
    let action = match a.action.as_deref() {
        Some("open") => ChangeAction::Opened,
        Some("update") if non_empty(a.oldrev.as_deref()).is_some() => ChangeAction::Pushed,
        Some("update") if became_ready => ChangeAction::ReadyForReview,
        Some("merge") => ChangeAction::Merged,
        Some("close") => ChangeAction::Closed,
        Some("reopen") => ChangeAction::Reopened,
        Some(review @ ("approved" | "approval" | "unapproved" | "unapproval")) => {
            let Some(at) = updated_at else {
                return Ok(ChangeBatch::default());
            };
            let state = if review.starts_with("un") {
                ReviewState::Dismissed
            } else {
                ReviewState::Approved
            };
            let who = actor.clone().unwrap_or_default();
            let review = Review {
                change,
                review_id: format!("{review}-{who}-{}", at.as_unix_nanos()),
                reviewer: actor,
                state,
                state_detail: Some(review.to_owned()),
                submitted_at: Some(at),
                revision: head_sha,
                url: a.url.clone(),
            };
            return Ok(ChangeBatch {
                events: vec![ChangeEvent::Review(review)],
                merges: Vec::new(),
            });
        }
        _ => ChangeAction::Edited,
    };
    let merged = action == ChangeAction::Merged;
    let merge_revision = merged
        .then(|| {
            non_empty(a.merge_commit_sha.as_deref())
                .map(str::to_owned)
                .or(head_sha.clone())
        })
        .flatten();
    let state = match (a.state.as_deref(), merged) {
        (_, true) | (Some("merged"), _) => change_state::MERGED,
        (Some("closed"), _) => change_state::CLOSED,
        _ if draft == Some(true) => change_state::WIP,
        _ => change_state::OPEN,
    };
    let base = RefRevision {
        name: a.target_branch.clone(),
        revision: None,
    };
    let merges = match &merge_revision {
        Some(rev) => vec![MergeSeen {
            change: change.clone(),
            revision: rev.clone(),
            base_ref: base.name.clone(),
            merged_at: updated_at,
        }],
        None => Vec::new(),
    };
    let closed = matches!(action, ChangeAction::Merged | ChangeAction::Closed);
    let update = ChangeUpdate {
        author: actor.clone().filter(|_| action == ChangeAction::Opened),
        merged_by: actor.filter(|_| merged),
        action,
        change,
        at: if closed {
            updated_at
        } else {
            updated_at.or(opened_at)
        },
        title: a.title.clone(),
        state: Some(state.to_owned()),
        draft,
        head: RefRevision {
            name: a.source_branch.clone(),
            revision: head_sha,
        },
        base,
        opened_at,
        closed_at: updated_at.filter(|_| closed),
        merged_at: updated_at.filter(|_| merged),
        merge_revision,
        previous_head: non_empty(a.oldrev.as_deref()).map(str::to_owned),
        url: a.url.clone(),
        attributes: Vec::new(),
    };
    Ok(ChangeBatch {
        events: vec![ChangeEvent::Update(update)],
        merges,
    })
}

/// A merge-request pipeline → a run for its merge request, from the pipeline's own run event.
pub(crate) fn pipeline_for_change(hook: &PipelineHook, events: &[CiEvent]) -> ChangeBatch {
    let (Some(mr), Some(project_id)) = (
        hook.merge_request.as_ref(),
        hook.project.as_ref().and_then(|p| p.id),
    ) else {
        return ChangeBatch::default();
    };
    let Some(iid) = mr.iid else {
        return ChangeBatch::default();
    };
    let run = events.iter().find_map(|e| match e {
        CiEvent::Run(r) => Some(r.clone()),
        CiEvent::DownstreamRun(d) => Some(d.run.clone()),
        _ => None,
    });
    let Some(run) = run else {
        return ChangeBatch::default();
    };
    ChangeBatch {
        events: vec![ChangeEvent::Run(ChangeRun {
            change: change_ref(hook.project.as_ref(), project_id, iid),
            run,
            has_run_trace: true,
        })],
        merges: Vec::new(),
    }
}

/// A finished job that deploys (`environment.action` start, or no action) → its deployment.
pub(crate) fn deploying_job(hook: &JobHook, pipeline_id: u64) -> Result<ChangeBatch, GitlabError> {
    let Some(env) = hook.environment.as_ref() else {
        return Ok(ChangeBatch::default());
    };
    let (Some(name), None | Some("start")) =
        (non_empty(env.name.as_deref()), env.action.as_deref())
    else {
        return Ok(ChangeBatch::default());
    };
    let state = match hook.build_status.as_deref() {
        Some("success") => DeploymentState::Success,
        Some("failed") => DeploymentState::Failure,
        Some("canceled") => DeploymentState::Cancelled,
        _ => return Ok(ChangeBatch::default()),
    };
    let Some(project_id) = hook.project_id.or(hook.project.as_ref().and_then(|p| p.id)) else {
        return Ok(ChangeBatch::default());
    };
    let place = Place::from_parts(hook.project.as_ref(), hook.repository.as_ref());
    let time = |plain: &Option<String>, iso: &Option<String>, field: &str| match non_empty(
        plain.as_deref(),
    ) {
        Some(t) => parse(Some(t), field),
        None => parse(iso.as_deref(), &format!("{field}_iso")),
    };
    let tier = non_empty(env.deployment_tier.as_deref()).map(str::to_owned);
    let deployment = Deployment {
        provider: semconv::provider::GITLAB.to_owned(),
        repository_id: project_id.to_string(),
        repository: repository(&place),
        id: hook.build_id.to_string(),
        environment: name.to_owned(),
        production: tier.as_deref().map(|t| t == "production"),
        tier,
        revision: non_empty(hook.sha.as_deref()).map(str::to_owned),
        ref_name: non_empty(hook.ref_name.as_deref()).map(str::to_owned),
        task: None,
        creator: hook.user.as_ref().and_then(|u| u.username.clone()),
        state,
        state_detail: hook.build_status.clone(),
        created_at: time(
            &hook.build_created_at,
            &hook.build_created_at_iso,
            "build_created_at",
        )?,
        state_at: time(
            &hook.build_finished_at,
            &hook.build_finished_at_iso,
            "build_finished_at",
        )?,
        url: place.job_url(hook.build_id),
        run: Some(RunLink {
            run_id: pipeline_id.to_string(),
            attempt: 1,
            job_id: Some(hook.build_id.to_string()),
        }),
        changes: Vec::new(),
    };
    Ok(ChangeBatch {
        events: vec![ChangeEvent::Deployment(deployment)],
        merges: Vec::new(),
    })
}

/// A blocked deployment (waiting for approval) → approval requested.
pub(crate) fn deployment_hook(hook: &DeploymentHook) -> Result<ChangeBatch, GitlabError> {
    if hook.status.as_deref() != Some("blocked") {
        return Ok(ChangeBatch::default());
    }
    let (Some(project_id), Some(job_id)) =
        (hook.project.as_ref().and_then(|p| p.id), hook.deployable_id)
    else {
        return Ok(ChangeBatch::default());
    };
    let place = Place::from_project(hook.project.as_ref());
    let revision = hook
        .commit_url
        .as_deref()
        .and_then(|u| u.rsplit('/').next())
        .filter(|s| s.len() >= 7 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_owned);
    let wait = ApprovalWait {
        provider: semconv::provider::GITLAB.to_owned(),
        repository_id: project_id.to_string(),
        repository: repository(&place),
        wait_id: format!(
            "deployment-{}",
            hook.deployment_id
                .map(|d| d.to_string())
                .unwrap_or_else(|| job_id.to_string())
        ),
        deployment_id: Some(job_id.to_string()),
        environment: hook.environment.clone().unwrap_or_default(),
        revision,
        reviewers: Vec::new(),
        requested_at: parse(hook.status_changed_at.as_deref(), "status_changed_at")?,
        decided_at: None,
        decision: None,
        approver: None,
        run: None,
        changes: Vec::new(),
    };
    Ok(ChangeBatch {
        events: vec![ChangeEvent::ApprovalWait(wait)],
        merges: Vec::new(),
    })
}

fn change_ref(project: Option<&Project>, project_id: u64, iid: u64) -> ChangeRef {
    ChangeRef {
        provider: semconv::provider::GITLAB.to_owned(),
        repository_id: project_id.to_string(),
        number: ChangeNumber::Number(iid),
        repository: repository(&Place::from_project(project)),
    }
}

/// The repository facts of a project (no ref or change).
fn repository(place: &Place) -> Vcs {
    place.vcs(None, None)
}
