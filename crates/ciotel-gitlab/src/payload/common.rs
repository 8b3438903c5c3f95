//! Objects embedded in GitLab's payloads: project, repository, user, runner, merge request and
//! the upstream (`source_pipeline`) of a child or multi-project pipeline.

use serde::Deserialize;

use super::{null_as_default, opt_id};

/// A project as embedded in webhooks (`project`) and returned by `GET /projects/:id`.
///
/// Exists to fill `vcs.repository.*` and `service.name` (its `path_with_namespace`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Project {
    /// Numeric id.
    #[serde(default, deserialize_with = "opt_id")]
    pub id: Option<u64>,
    /// Display name (`Gitlab Test`); not used for ids, it may contain spaces.
    pub name: Option<String>,
    /// `group/subgroup/project`: the path that names the project.
    pub path_with_namespace: Option<String>,
    /// Browser URL.
    pub web_url: Option<String>,
    /// Clone URL over HTTP(S), ending in `.git`.
    pub git_http_url: Option<String>,
}

/// The `repository` object of Job Hooks (which may lack `project`).
///
/// Exists because its `homepage` is the project's browser URL, from which the path is read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Repository {
    /// Repository name (not always the path's last segment).
    pub name: Option<String>,
    /// The project's browser URL.
    pub homepage: Option<String>,
    /// Clone URL over HTTP(S), ending in `.git`.
    pub git_http_url: Option<String>,
}

/// A user reference.
///
/// Exists for the pipeline's actor (`username`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct User {
    /// Numeric id.
    #[serde(default, deserialize_with = "opt_id")]
    pub id: Option<u64>,
    /// Login name.
    pub username: Option<String>,
    /// Display name.
    pub name: Option<String>,
}

/// The runner a job ran on, as webhooks embed it (`runner`, `null` before one is assigned).
///
/// Exists to fill `cicd.worker.*` and the runner's tags.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct RunnerInfo {
    /// Numeric id.
    #[serde(default, deserialize_with = "opt_id")]
    pub id: Option<u64>,
    /// The runner's description, GitLab's name for it.
    pub description: Option<String>,
    /// `instance_type` (shared, the platform's), `group_type` or `project_type`.
    pub runner_type: Option<String>,
    /// Whether the runner is shared.
    pub is_shared: Option<bool>,
    /// The runner's tags.
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags: Vec<String>,
}

/// The merge request of a merge-request pipeline (`merge_request`, `null` otherwise).
///
/// Exists for `vcs.change.id` and the target branch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct MergeRequest {
    /// Instance-wide id.
    #[serde(default, deserialize_with = "opt_id")]
    pub id: Option<u64>,
    /// The project-scoped number (`!12`): `vcs.change.id`.
    #[serde(default, deserialize_with = "opt_id")]
    pub iid: Option<u64>,
    /// Title.
    pub title: Option<String>,
    /// The branch merged from.
    pub source_branch: Option<String>,
    /// The branch merged into: `vcs.ref.base.name`.
    pub target_branch: Option<String>,
    /// Browser URL.
    pub url: Option<String>,
}

/// `source_pipeline`: the pipeline and trigger job that started a child or multi-project
/// pipeline.
///
/// Exists for the link from the child's pipeline span to the trigger job's span.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SourcePipeline {
    /// The upstream project (differs from the pipeline's own for multi-project pipelines).
    pub project: Option<SourceProject>,
    /// The upstream pipeline's id.
    #[serde(default, deserialize_with = "opt_id")]
    pub pipeline_id: Option<u64>,
    /// The trigger (bridge) job's id.
    #[serde(default, deserialize_with = "opt_id")]
    pub job_id: Option<u64>,
}

/// The upstream project of a `source_pipeline`.
///
/// Exists so a multi-project pipeline's span says where it was triggered from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SourceProject {
    /// Numeric id.
    #[serde(default, deserialize_with = "opt_id")]
    pub id: Option<u64>,
    /// Browser URL.
    pub web_url: Option<String>,
    /// `group/project`.
    pub path_with_namespace: Option<String>,
}

/// An id field that GitLab fills with a number in one payload and a string in another:
/// `commit.id` is the commit SHA in Pipeline Hooks but the *pipeline* id in Job Hooks.
///
/// Exists so neither shape is a parse error, and the mapping can tell which it got.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum IdOrText {
    /// A number (Job Hook `commit.id`: the pipeline id).
    Number(u64),
    /// A string (Pipeline Hook `commit.id`: the SHA).
    Text(String),
}
