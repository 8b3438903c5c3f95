//! The Job Hook body (`X-Gitlab-Event: Job Hook`, `object_kind: build`): one job with its
//! pipeline, project and runner, in GitLab's `build_*` field names.

use serde::Deserialize;

use super::common::{IdOrText, Project, Repository, RunnerInfo, SourcePipeline, User};
use super::{id, opt_id};

/// A Job Hook delivery.
///
/// Exists to emit a job's queue span as soon as it runs, and its job span once it finished.
#[derive(Debug, Clone, Deserialize)]
pub struct JobHook {
    /// `build`.
    pub object_kind: Option<String>,
    /// Branch or tag.
    #[serde(rename = "ref")]
    pub ref_name: Option<String>,
    /// Whether `ref` is a tag.
    pub tag: Option<bool>,
    /// The commit built.
    pub sha: Option<String>,
    /// The job id (`CI_JOB_ID`).
    #[serde(deserialize_with = "id")]
    pub build_id: u64,
    /// The job name.
    pub build_name: Option<String>,
    /// The stage name.
    pub build_stage: Option<String>,
    /// The job's status.
    pub build_status: Option<String>,
    /// When the job was created; `2023-01-10 13:50:02 UTC` or ISO 8601.
    pub build_created_at: Option<String>,
    /// When a runner started it.
    pub build_started_at: Option<String>,
    /// When it finished.
    pub build_finished_at: Option<String>,
    /// `build_created_at` in ISO 8601 (newer GitLab; used only when the other is absent).
    pub build_created_at_iso: Option<String>,
    /// `build_started_at` in ISO 8601.
    pub build_started_at_iso: Option<String>,
    /// `build_finished_at` in ISO 8601.
    pub build_finished_at_iso: Option<String>,
    /// Seconds it ran (a float).
    pub build_duration: Option<f64>,
    /// Seconds it waited for a runner once pending (a float).
    pub build_queued_duration: Option<f64>,
    /// Whether its failure lets the pipeline pass.
    pub build_allow_failure: Option<bool>,
    /// Why it failed; GitLab fills it on successful jobs too (`unknown_failure`).
    pub build_failure_reason: Option<String>,
    /// How many times this job was retried before (this job is attempt `retries_count + 1`).
    pub retries_count: Option<u64>,
    /// The pipeline id (`CI_PIPELINE_ID`).
    #[serde(default, deserialize_with = "opt_id")]
    pub pipeline_id: Option<u64>,
    /// The project id.
    #[serde(default, deserialize_with = "opt_id")]
    pub project_id: Option<u64>,
    /// The project's display name (`Namespace / Project`), not its path.
    pub project_name: Option<String>,
    /// Who started the job.
    pub user: Option<User>,
    /// Despite the name, mostly the *pipeline*: `id` is the pipeline id, `name` its name.
    pub commit: Option<JobCommit>,
    /// The repository; its `homepage` is the project's URL.
    pub repository: Option<Repository>,
    /// The project (newer GitLab).
    pub project: Option<Project>,
    /// The runner, once one picked the job up.
    pub runner: Option<RunnerInfo>,
    /// The job's pipeline's upstream, for jobs of child pipelines.
    pub source_pipeline: Option<SourcePipeline>,
    /// The environment the job deploys, for a job with `environment:`.
    pub environment: Option<super::JobEnvironment>,
}

/// `commit` of a Job Hook: the pipeline's id, name and status next to the commit's SHA.
///
/// Exists because it is the Job Hook's only source of the pipeline's name.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct JobCommit {
    /// The *pipeline* id (a number), not a commit id.
    pub id: Option<IdOrText>,
    /// The pipeline's name.
    pub name: Option<String>,
    /// The commit SHA.
    pub sha: Option<String>,
    /// The pipeline's status.
    pub status: Option<String>,
}
