//! One GitLab pipeline, whichever payload reported it (Pipeline Hook, REST pipeline) → the
//! pipeline's run event, its synthesized stages and its jobs, in that order.
//!
//! The pipeline span runs from `created_at` to `finished_at`: it contains everything the
//! pipeline did, queues included, and both webhooks and REST carry these two times (webhooks
//! have no `started_at`). A child or multi-project pipeline (`source_pipeline`) becomes a
//! `DownstreamRun`, whose span links to the trigger job in the parent pipeline's trace.

use ciotel_cicd::{
    Attribute, CiEvent, DownstreamRun, Job, Phase, PipelineRun, RunRef, Timestamp, Upstream, Vcs,
};

use super::project::{Place, non_empty};
use super::stage::{StagedJob, synthesize};
use super::vocabulary;
use crate::payload::SourcePipeline;

/// Attribute names of the pipeline extras.
pub(crate) mod attr {
    /// GitLab's own status word.
    pub const STATUS: &str = "gitlab.pipeline.status";
    /// The project-scoped pipeline number (`#123`).
    pub const IID: &str = "gitlab.pipeline.iid";
    /// The upstream pipeline's project, for child and multi-project pipelines.
    pub const UPSTREAM_PROJECT: &str = "gitlab.upstream.project";
}

/// What every source says about a pipeline, with timestamps already parsed.
#[derive(Debug, Clone, Default)]
pub(crate) struct PipelineFacts<'a> {
    pub iid: Option<u64>,
    pub status: Option<&'a str>,
    pub source: Option<&'a str>,
    pub created_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub url: Option<String>,
    pub actor: Option<&'a str>,
    pub upstream: Option<&'a SourcePipeline>,
}

/// A job of the pipeline, and what stage synthesis needs to know about it.
pub(crate) struct PipelineJob {
    pub job: Job,
    pub allow_failure: bool,
    /// False for jobs webhooks never report (bridges, retried attempts): they get spans but
    /// do not shape a stage that other jobs shape, so REST and webhooks synthesize the same
    /// stages; a stage of bridges alone is shaped by them.
    pub shapes_stages: bool,
}

/// The run every event of pipeline `pipeline_id` carries. The pipeline's name is its
/// `workflow:name`, else the project path (one `.gitlab-ci.yml` per project).
pub(crate) fn run_ref(pipeline_id: u64, name: Option<&str>, place: &Place, vcs: Vcs) -> RunRef {
    RunRef {
        run_id: pipeline_id.to_string(),
        attempt: 1,
        pipeline_name: non_empty(name)
            .map(str::to_owned)
            .or_else(|| place.full_path.clone()),
        vcs,
    }
}

/// The run event, then the stages (when the pipeline finished), then the jobs ordered by stage.
pub(crate) fn events(
    facts: &PipelineFacts<'_>,
    run: RunRef,
    stage_order: &[String],
    mut jobs: Vec<PipelineJob>,
) -> Vec<CiEvent> {
    let (phase, result) = vocabulary::status(facts.status);
    let pipeline = PipelineRun {
        run: run.clone(),
        url: facts.url.clone(),
        phase,
        result,
        result_detail: non_empty(facts.status).map(str::to_owned),
        created_at: facts.created_at,
        started_at: None,
        completed_at: facts.finished_at.filter(|_| phase == Phase::Completed),
        trigger_event: non_empty(facts.source).map(str::to_owned),
        actor: non_empty(facts.actor).map(str::to_owned),
        previous_attempt: None,
        attributes: extras(facts),
    };
    let mut out = vec![match upstream(facts.upstream) {
        Some(upstream) => CiEvent::DownstreamRun(DownstreamRun {
            run: pipeline,
            upstream,
        }),
        None => CiEvent::Run(pipeline),
    }];
    if phase == Phase::Completed {
        // Jobs webhooks never report do not shape a stage that webhooks also see; but a stage
        // of nothing else (a trigger stage of bridges) still needs its span, or its jobs would
        // point at a parent that never comes.
        let shaped: std::collections::BTreeSet<&str> = jobs
            .iter()
            .filter(|j| j.shapes_stages)
            .filter_map(|j| j.job.stage.as_deref())
            .collect();
        let staged: Vec<StagedJob<'_>> = jobs
            .iter()
            .filter(|j| {
                j.shapes_stages || j.job.stage.as_deref().is_some_and(|s| !shaped.contains(s))
            })
            .map(|j| StagedJob {
                job: &j.job,
                allow_failure: j.allow_failure,
            })
            .collect();
        out.extend(
            synthesize(&run, stage_order, &staged)
                .into_iter()
                .map(CiEvent::Stage),
        );
    }
    jobs.sort_by_cached_key(|j| {
        let stage = j.job.stage.clone().unwrap_or_default();
        let rank = stage_order
            .iter()
            .position(|s| *s == stage)
            .unwrap_or(usize::MAX);
        (rank, stage, j.job.id.parse::<u64>().unwrap_or(u64::MAX))
    });
    out.extend(jobs.into_iter().map(|j| CiEvent::Job(j.job)));
    out
}

/// The link target: the parent pipeline and its trigger job.
fn upstream(source: Option<&SourcePipeline>) -> Option<Upstream> {
    let source = source?;
    Some(Upstream {
        run_id: source.pipeline_id?.to_string(),
        attempt: 1,
        job_id: source.job_id.map(|j| j.to_string()),
    })
}

fn extras(facts: &PipelineFacts<'_>) -> Vec<Attribute> {
    let mut out = Vec::new();
    if let Some(s) = non_empty(facts.status) {
        out.push(Attribute::new(attr::STATUS, s));
    }
    if let Some(iid) = facts.iid.and_then(|i| i64::try_from(i).ok()) {
        out.push(Attribute::new(attr::IID, iid));
    }
    let upstream_project = facts
        .upstream
        .filter(|u| u.pipeline_id.is_some())
        .and_then(|u| u.project.as_ref())
        .and_then(|p| non_empty(p.path_with_namespace.as_deref()));
    if let Some(path) = upstream_project {
        out.push(Attribute::new(attr::UPSTREAM_PROJECT, path));
    }
    out
}
