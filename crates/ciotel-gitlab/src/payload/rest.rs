//! REST API objects: `GET /projects/:id/pipelines/:pipeline_id`, `…/pipelines/:id/jobs` and
//! `…/pipelines/:id/bridges` (jobs that trigger downstream pipelines).

use serde::Deserialize;

use super::common::{RunnerInfo, User};
use super::{id, opt_id};

/// A pipeline from the REST API.
///
/// Exists so the poller's pipelines become the same pipeline spans as webhook pipelines. The
/// REST object has no project path and no stage list: the project comes from the caller, the
/// stage order from the jobs' times.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RestPipeline {
    /// The pipeline id.
    #[serde(deserialize_with = "id")]
    pub id: u64,
    /// The project-scoped number.
    #[serde(default, deserialize_with = "opt_id")]
    pub iid: Option<u64>,
    /// The project id.
    #[serde(default, deserialize_with = "opt_id")]
    pub project_id: Option<u64>,
    /// The pipeline's name, when it has one.
    pub name: Option<String>,
    /// Branch or tag.
    #[serde(rename = "ref")]
    pub ref_name: Option<String>,
    /// Whether `ref` is a tag.
    pub tag: Option<bool>,
    /// The commit built.
    pub sha: Option<String>,
    /// What started it.
    pub source: Option<String>,
    /// The pipeline's status.
    pub status: Option<String>,
    /// When it was created.
    pub created_at: Option<String>,
    /// When it started running (not used: webhooks do not carry it).
    pub started_at: Option<String>,
    /// When it finished.
    pub finished_at: Option<String>,
    /// When it last changed (the poller's cursor).
    pub updated_at: Option<String>,
    /// Seconds it ran.
    pub duration: Option<f64>,
    /// Seconds it waited before running.
    pub queued_duration: Option<f64>,
    /// Browser URL.
    pub web_url: Option<String>,
    /// Who started it.
    pub user: Option<User>,
}

/// A job or a bridge from the REST API (bridges add `downstream_pipeline`).
///
/// Exists so the poller's jobs become the same job spans as webhook jobs, and bridges become
/// the spans a downstream pipeline links to.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RestJob {
    /// The job id.
    #[serde(deserialize_with = "id")]
    pub id: u64,
    /// The job name.
    pub name: Option<String>,
    /// The stage name.
    pub stage: Option<String>,
    /// The job's status.
    pub status: Option<String>,
    /// When it was created.
    pub created_at: Option<String>,
    /// When a runner started it.
    pub started_at: Option<String>,
    /// When it finished.
    pub finished_at: Option<String>,
    /// Seconds it ran.
    pub duration: Option<f64>,
    /// Seconds it waited for a runner once pending.
    pub queued_duration: Option<f64>,
    /// Whether its failure lets the pipeline pass.
    pub allow_failure: Option<bool>,
    /// Why it failed.
    pub failure_reason: Option<String>,
    /// Browser URL.
    pub web_url: Option<String>,
    /// The runner (the REST object carries no tags).
    pub runner: Option<RunnerInfo>,
    /// The pipeline it belongs to.
    pub pipeline: Option<RestPipelineRef>,
    /// Whether a newer attempt of this job exists (with `include_retried=true`).
    pub retried: Option<bool>,
    /// Who started it.
    pub user: Option<User>,
    /// For bridges: the pipeline it triggered.
    pub downstream_pipeline: Option<DownstreamPipeline>,
}

/// `pipeline` of a REST job.
///
/// Exists to check that a jobs page belongs to the pipeline it is mapped with.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RestPipelineRef {
    /// The pipeline id.
    #[serde(default, deserialize_with = "opt_id")]
    pub id: Option<u64>,
    /// The project id.
    #[serde(default, deserialize_with = "opt_id")]
    pub project_id: Option<u64>,
}

/// `downstream_pipeline` of a bridge.
///
/// Exists so a bridge's span names the pipeline it started.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DownstreamPipeline {
    /// The downstream pipeline's id.
    #[serde(default, deserialize_with = "opt_id")]
    pub id: Option<u64>,
    /// The downstream pipeline's project id.
    #[serde(default, deserialize_with = "opt_id")]
    pub project_id: Option<u64>,
    /// Browser URL.
    pub web_url: Option<String>,
}
