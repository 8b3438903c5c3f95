//! REST API objects → `CiEvent`s, with the same mapping as webhooks: a pipeline
//! (`GET /projects/:id/pipelines/:pipeline_id`), its jobs (`…/jobs?include_retried=true`) and
//! its bridges (`…/bridges`), for the project they belong to (`GET /projects/:id`).
//!
//! Differences from webhooks, by what the API returns: no `stages` list (stages are ordered by
//! time), no runner tags, no `retries_count`, no merge request target branch, no upstream
//! (pass it when known); bridges and retried job attempts get job spans but do not shape the
//! stages, since Pipeline Hooks' `builds` hold neither.

use ciotel_cicd::CiEvent;

use crate::GitlabError;
use crate::map::build::{BuildFacts, to_job};
use crate::map::pipeline::{self, PipelineFacts, PipelineJob};
use crate::map::project::{Place, non_empty};
use crate::map::time::parse;
use crate::payload::{Project, RestJob, RestPipeline, SourcePipeline};

/// Maps one pipeline with its jobs and bridges: the pipeline's run event (a downstream run
/// when `upstream` is given), its stages once it finished, then every job and bridge.
///
/// Exists so the poller's pipelines become the same events, hence spans, as webhook pipelines.
pub fn map_rest_pipeline(
    project: &Project,
    pipeline: &RestPipeline,
    jobs: &[RestJob],
    bridges: &[RestJob],
    upstream: Option<&SourcePipeline>,
) -> Result<Vec<CiEvent>, GitlabError> {
    let place = Place::from_project(Some(project));
    let vcs = place.vcs(pipeline.ref_name.as_deref(), pipeline.sha.as_deref());
    let run = pipeline::run_ref(pipeline.id, pipeline.name.as_deref(), &place, vcs);
    let facts = PipelineFacts {
        iid: pipeline.iid,
        status: pipeline.status.as_deref(),
        source: pipeline.source.as_deref(),
        created_at: parse(pipeline.created_at.as_deref(), "pipeline.created_at")?,
        finished_at: parse(pipeline.finished_at.as_deref(), "pipeline.finished_at")?,
        url: non_empty(pipeline.web_url.as_deref())
            .map(str::to_owned)
            .or_else(|| place.pipeline_url(pipeline.id)),
        actor: pipeline.user.as_ref().and_then(|u| u.username.as_deref()),
        upstream,
    };
    let mut mapped = Vec::with_capacity(jobs.len() + bridges.len());
    for (list, what) in [(jobs, "jobs"), (bridges, "bridges")] {
        for (i, j) in list.iter().enumerate() {
            let field = |name: &str| format!("{what}[{i}].{name}");
            let is_bridge = what == "bridges";
            let facts = BuildFacts {
                id: j.id,
                name: j.name.as_deref(),
                stage: j.stage.as_deref(),
                status: j.status.as_deref(),
                created_at: parse(j.created_at.as_deref(), &field("created_at"))?,
                started_at: parse(j.started_at.as_deref(), &field("started_at"))?,
                finished_at: parse(j.finished_at.as_deref(), &field("finished_at"))?,
                duration: j.duration,
                queued_duration: j.queued_duration,
                allow_failure: j.allow_failure,
                failure_reason: j.failure_reason.as_deref(),
                runner: j.runner.as_ref(),
                retries_count: None,
                url: non_empty(j.web_url.as_deref())
                    .map(str::to_owned)
                    .or_else(|| place.job_url(j.id)),
                bridge: is_bridge,
                downstream_pipeline_id: j.downstream_pipeline.as_ref().and_then(|d| d.id),
            };
            mapped.push(PipelineJob {
                job: to_job(&facts, &run),
                allow_failure: j.allow_failure.unwrap_or(false),
                shapes_stages: !is_bridge && j.retried != Some(true),
            });
        }
    }
    Ok(pipeline::events(&facts, run, &[], mapped))
}
