//! Webhook bodies → `CiEvent`s, by the `X-Gitlab-Event` name.
//!
//! A Pipeline Hook gives the pipeline's run event, its stages (once it finished) and one job
//! event per entry of `builds`; a Job Hook gives one job event. Which events emit spans is the
//! translator's business (a running job: its queue span; a finished one: job and queue spans).

use ciotel_cicd::{CiEvent, Job};

use crate::GitlabError;
use crate::map::build::{BuildFacts, to_job};
use crate::map::pipeline::{self, PipelineFacts, PipelineJob};
use crate::map::project::{Place, non_empty, with_merge_request};
use crate::map::time::parse;
use crate::payload::{IdOrText, JobHook, PipelineHook};

/// The `X-Gitlab-Event` value of pipeline deliveries.
pub const EVENT_PIPELINE_HOOK: &str = "Pipeline Hook";
/// The `X-Gitlab-Event` value of job deliveries.
pub const EVENT_JOB_HOOK: &str = "Job Hook";

/// Maps one webhook delivery: `Some` for `Pipeline Hook` and `Job Hook` (the name compared
/// without regard to case), `None` for every other event.
///
/// Exists as the webhook receiver's single call once the token is checked; the body is parsed
/// only for the two events ciotel understands.
pub fn map_webhook(event_name: &str, body: &[u8]) -> Result<Option<Vec<CiEvent>>, GitlabError> {
    let event_name = event_name.trim();
    if event_name.eq_ignore_ascii_case(EVENT_PIPELINE_HOOK) {
        let hook: PipelineHook =
            serde_json::from_slice(body).map_err(|source| GitlabError::Json {
                what: "Pipeline Hook",
                source,
            })?;
        map_pipeline_hook(&hook).map(Some)
    } else if event_name.eq_ignore_ascii_case(EVENT_JOB_HOOK) {
        let hook: JobHook = serde_json::from_slice(body).map_err(|source| GitlabError::Json {
            what: "Job Hook",
            source,
        })?;
        Ok(Some(vec![CiEvent::Job(map_job_hook(&hook)?)]))
    } else {
        Ok(None)
    }
}

/// A Pipeline Hook → the pipeline's run (or downstream run) event, its stages when it finished,
/// and its jobs from `builds`.
///
/// Exists apart from [`map_webhook`] for callers that already parsed the body.
pub fn map_pipeline_hook(hook: &PipelineHook) -> Result<Vec<CiEvent>, GitlabError> {
    let a = &hook.object_attributes;
    let place = Place::from_project(hook.project.as_ref());
    // `commit.id` is the SHA in Pipeline Hooks.
    let commit_sha = hook.commit.as_ref().and_then(|c| match &c.id {
        Some(IdOrText::Text(sha)) => Some(sha.as_str()),
        _ => None,
    });
    let sha = non_empty(a.sha.as_deref()).or(commit_sha);
    let vcs = with_merge_request(
        place.vcs(a.ref_name.as_deref(), sha),
        hook.merge_request.as_ref(),
    );
    let run = pipeline::run_ref(a.id, a.name.as_deref(), &place, vcs);
    let facts = PipelineFacts {
        iid: a.iid,
        status: a.status.as_deref(),
        source: a.source.as_deref(),
        created_at: parse(a.created_at.as_deref(), "object_attributes.created_at")?,
        finished_at: parse(a.finished_at.as_deref(), "object_attributes.finished_at")?,
        url: non_empty(a.url.as_deref())
            .map(str::to_owned)
            .or_else(|| place.pipeline_url(a.id)),
        actor: hook.user.as_ref().and_then(|u| u.username.as_deref()),
        upstream: hook.source_pipeline.as_ref(),
    };
    let mut jobs = Vec::with_capacity(hook.builds.len());
    for (i, b) in hook.builds.iter().enumerate() {
        let field = |name: &str| format!("builds[{i}].{name}");
        let facts = BuildFacts {
            id: b.id,
            name: b.name.as_deref(),
            stage: b.stage.as_deref(),
            status: b.status.as_deref(),
            created_at: parse(b.created_at.as_deref(), &field("created_at"))?,
            started_at: parse(b.started_at.as_deref(), &field("started_at"))?,
            finished_at: parse(b.finished_at.as_deref(), &field("finished_at"))?,
            duration: b.duration,
            queued_duration: b.queued_duration,
            allow_failure: b.allow_failure,
            failure_reason: b.failure_reason.as_deref(),
            runner: b.runner.as_ref(),
            retries_count: None,
            url: place.job_url(b.id),
            bridge: false,
            downstream_pipeline_id: None,
        };
        jobs.push(PipelineJob {
            job: to_job(&facts, &run),
            allow_failure: b.allow_failure.unwrap_or(false),
            shapes_stages: true,
        });
    }
    Ok(pipeline::events(&facts, run, &a.stages, jobs))
}

/// A Job Hook → the job's event.
///
/// The pipeline is `pipeline_id` (else `commit.id`, which in Job Hooks is the pipeline's id,
/// not a commit's), its name `commit.name`; the commit is `sha` (else `commit.sha`). The
/// `build_*_at` times are used, their `_iso` twins only when they are absent, since Pipeline
/// Hooks' `builds` carry the former and both sources must give the same spans.
pub fn map_job_hook(hook: &JobHook) -> Result<Job, GitlabError> {
    let commit = hook.commit.as_ref();
    let pipeline_id = hook
        .pipeline_id
        .or(match commit.and_then(|c| c.id.as_ref()) {
            Some(IdOrText::Number(id)) => Some(*id),
            _ => None,
        })
        .ok_or(GitlabError::NoPipelineId {
            job_id: hook.build_id,
        })?;
    let place = Place::from_parts(hook.project.as_ref(), hook.repository.as_ref());
    let sha = non_empty(hook.sha.as_deref()).or(commit.and_then(|c| c.sha.as_deref()));
    let vcs = place.vcs(hook.ref_name.as_deref(), sha);
    let run = pipeline::run_ref(
        pipeline_id,
        commit.and_then(|c| c.name.as_deref()),
        &place,
        vcs,
    );
    let time = |plain: &Option<String>, iso: &Option<String>, name: &str| match non_empty(
        plain.as_deref(),
    ) {
        Some(text) => parse(Some(text), name),
        None => parse(iso.as_deref(), &format!("{name}_iso")),
    };
    let facts = BuildFacts {
        id: hook.build_id,
        name: hook.build_name.as_deref(),
        stage: hook.build_stage.as_deref(),
        status: hook.build_status.as_deref(),
        created_at: time(
            &hook.build_created_at,
            &hook.build_created_at_iso,
            "build_created_at",
        )?,
        started_at: time(
            &hook.build_started_at,
            &hook.build_started_at_iso,
            "build_started_at",
        )?,
        finished_at: time(
            &hook.build_finished_at,
            &hook.build_finished_at_iso,
            "build_finished_at",
        )?,
        duration: hook.build_duration,
        queued_duration: hook.build_queued_duration,
        allow_failure: hook.build_allow_failure,
        failure_reason: hook.build_failure_reason.as_deref(),
        runner: hook.runner.as_ref(),
        retries_count: hook.retries_count,
        url: place.job_url(hook.build_id),
        bridge: false,
        downstream_pipeline_id: None,
    };
    Ok(to_job(&facts, &run))
}
