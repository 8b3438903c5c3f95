//! The Pipeline Hook body (`X-Gitlab-Event: Pipeline Hook`): the pipeline, its project and
//! merge request, its upstream, and its jobs (`builds`).

use serde::Deserialize;

use super::common::{IdOrText, MergeRequest, Project, RunnerInfo, SourcePipeline, User};
use super::{id, null_as_default, opt_id};

/// A Pipeline Hook delivery.
///
/// Exists as the one source of pipeline and stage spans from webhooks (GitLab sends no stage
/// events), and of job spans when job events are not configured.
#[derive(Debug, Clone, Deserialize)]
pub struct PipelineHook {
    /// `pipeline` (absent in some hand-written payloads; the header says what it is).
    pub object_kind: Option<String>,
    /// The pipeline itself.
    pub object_attributes: PipelineAttributes,
    /// The merge request of a merge-request pipeline.
    pub merge_request: Option<MergeRequest>,
    /// Who started the pipeline.
    pub user: Option<User>,
    /// The pipeline's project.
    pub project: Option<Project>,
    /// The commit built (here `commit.id` is the SHA).
    pub commit: Option<PipelineCommit>,
    /// The upstream pipeline and trigger job, for child and multi-project pipelines.
    pub source_pipeline: Option<SourcePipeline>,
    /// The pipeline's latest jobs (bridges are not included).
    #[serde(default, deserialize_with = "null_as_default")]
    pub builds: Vec<PipelineBuild>,
}

/// `object_attributes` of a Pipeline Hook.
///
/// Exists to become the pipeline span and to order the synthesized stage spans.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PipelineAttributes {
    /// The pipeline id (`CI_PIPELINE_ID`): the trace id derives from it alone.
    #[serde(deserialize_with = "id")]
    pub id: u64,
    /// The project-scoped number (`#123`).
    #[serde(default, deserialize_with = "opt_id")]
    pub iid: Option<u64>,
    /// The pipeline's name (`workflow:name`), when it has one.
    pub name: Option<String>,
    /// Branch or tag.
    #[serde(rename = "ref")]
    pub ref_name: Option<String>,
    /// Whether `ref` is a tag.
    pub tag: Option<bool>,
    /// The commit built.
    pub sha: Option<String>,
    /// What started it: push, web, schedule, merge_request_event, parent_pipeline, pipeline, …
    pub source: Option<String>,
    /// created, pending, running, success, failed, canceled, skipped, manual, …
    pub status: Option<String>,
    /// The UI's status word (`passed`, `passed with warnings`).
    pub detailed_status: Option<String>,
    /// Stage names in the pipeline's order.
    #[serde(default, deserialize_with = "null_as_default")]
    pub stages: Vec<String>,
    /// When the pipeline was created.
    pub created_at: Option<String>,
    /// When it finished.
    pub finished_at: Option<String>,
    /// Seconds it ran.
    pub duration: Option<f64>,
    /// Seconds it waited before running.
    pub queued_duration: Option<f64>,
    /// Browser URL (newer GitLab).
    pub url: Option<String>,
}

/// `commit` of a Pipeline Hook.
///
/// Exists only to fall back to `commit.id` (the SHA here) when `object_attributes.sha` is absent.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PipelineCommit {
    /// The commit SHA.
    pub id: Option<IdOrText>,
}

/// One of `builds`: a job as the Pipeline Hook reports it.
///
/// Exists so a pipeline event alone yields the same job spans as the Job Hooks would.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PipelineBuild {
    /// The job id (`CI_JOB_ID`): the job span id derives from it.
    #[serde(deserialize_with = "id")]
    pub id: u64,
    /// The stage name.
    pub stage: Option<String>,
    /// The job name.
    pub name: Option<String>,
    /// The job's status.
    pub status: Option<String>,
    /// When it was created (with the pipeline, usually).
    pub created_at: Option<String>,
    /// When a runner started it (`null` if it never ran).
    pub started_at: Option<String>,
    /// When it finished (`null` if it never ran, and sometimes even when it did).
    pub finished_at: Option<String>,
    /// Seconds it ran (a float).
    pub duration: Option<f64>,
    /// Seconds it waited for a runner once pending (a float).
    pub queued_duration: Option<f64>,
    /// `on_success`, `manual`, …
    pub when: Option<String>,
    /// Whether it is a manual job.
    pub manual: Option<bool>,
    /// Whether its failure lets the pipeline pass.
    pub allow_failure: Option<bool>,
    /// Why it failed (`script_failure`, `runner_system_failure`, …).
    pub failure_reason: Option<String>,
    /// The runner, once one picked it up.
    pub runner: Option<RunnerInfo>,
}
