//! Serde shapes of the REST answers the deploy gate reads: a merge request, its approvals,
//! a commit, pipelines and deployments. Tolerant as the pipeline and job shapes are.

use serde::Deserialize;

use crate::payload::User;

/// `GET /projects/:id/merge_requests/:iid` (and the items of
/// `GET …/repository/commits/:sha/merge_requests`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MergeRequest {
    /// The project-scoped number.
    pub iid: u64,
    /// Its title.
    #[serde(default)]
    pub title: Option<String>,
    /// `opened`, `closed`, `merged`, `locked`.
    #[serde(default)]
    pub state: Option<String>,
    /// Marked draft.
    #[serde(default)]
    pub draft: Option<bool>,
    /// The head commit.
    #[serde(default)]
    pub sha: Option<String>,
    /// The merge commit (none for a fast-forward merge).
    #[serde(default)]
    pub merge_commit_sha: Option<String>,
    /// The squash commit, when squashed.
    #[serde(default)]
    pub squash_commit_sha: Option<String>,
    /// When it was merged.
    #[serde(default)]
    pub merged_at: Option<String>,
    /// The source branch.
    #[serde(default)]
    pub source_branch: Option<String>,
    /// The target branch.
    #[serde(default)]
    pub target_branch: Option<String>,
    /// Where a person sees it.
    #[serde(default)]
    pub web_url: Option<String>,
    /// Who opened it.
    #[serde(default)]
    pub author: Option<User>,
    /// Who merged it (`merged_by` is its deprecated name).
    #[serde(default)]
    pub merge_user: Option<User>,
    /// The older name of `merge_user`.
    #[serde(default)]
    pub merged_by: Option<User>,
    /// The pipeline of the head, when GitLab names it.
    #[serde(default)]
    pub head_pipeline: Option<PipelineRef>,
}

/// `head_pipeline` of a merge request, an item of `GET /projects/:id/pipelines`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PipelineRef {
    /// The pipeline id.
    pub id: u64,
    /// Its commit.
    #[serde(default)]
    pub sha: Option<String>,
    /// Its ref.
    #[serde(rename = "ref", default)]
    pub ref_name: Option<String>,
    /// `success`, `failed`, `running` …
    #[serde(default)]
    pub status: Option<String>,
    /// `push`, `merge_request_event` …
    #[serde(default)]
    pub source: Option<String>,
    /// Where a person sees it.
    #[serde(default)]
    pub web_url: Option<String>,
}

/// `GET /projects/:id/merge_requests/:iid/approvals`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Approvals {
    /// Approved by the project's rules.
    #[serde(default)]
    pub approved: Option<bool>,
    /// Approvals still needed.
    #[serde(default)]
    pub approvals_left: Option<u32>,
    /// Who approved.
    #[serde(default)]
    pub approved_by: Vec<ApprovedBy>,
}

/// An item of `approved_by`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ApprovedBy {
    /// The approver.
    #[serde(default)]
    pub user: Option<User>,
}

/// `GET /projects/:id/repository/commits/:sha`: only the full revision is read.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Commit {
    /// The full SHA.
    pub id: String,
}

/// An item of `GET /projects/:id/deployments`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RestDeployment {
    /// Its id.
    pub id: u64,
    /// The deployed commit.
    #[serde(default)]
    pub sha: Option<String>,
    /// `created`, `running`, `success`, `failed`, `canceled`, `skipped`, `blocked`.
    #[serde(default)]
    pub status: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<String>,
    /// When it was last updated.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// The environment.
    #[serde(default)]
    pub environment: Option<Environment>,
    /// The job that deployed it.
    #[serde(default)]
    pub deployable: Option<Deployable>,
}

/// A deployment's environment.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Environment {
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// `production`, `staging`, `testing`, `development`, `other`.
    #[serde(default)]
    pub tier: Option<String>,
}

/// A deployment's job.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Deployable {
    /// The job id.
    #[serde(default)]
    pub id: Option<u64>,
    /// Where a person sees it.
    #[serde(default)]
    pub web_url: Option<String>,
    /// Its pipeline.
    #[serde(default)]
    pub pipeline: Option<PipelineRef>,
}
