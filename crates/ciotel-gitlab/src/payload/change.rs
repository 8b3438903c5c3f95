//! Change events: the Merge Request Hook and Deployment Hook bodies, and the `environment` of
//! a Job Hook.

use serde::Deserialize;

use super::common::{Project, User};
use super::opt_id;

/// A Merge Request Hook delivery (`X-Gitlab-Event: Merge Request Hook`).
///
/// Exists to become the change's lifecycle events and approvals.
#[derive(Debug, Clone, Deserialize)]
pub struct MergeRequestHook {
    /// `merge_request`.
    pub object_kind: Option<String>,
    /// Who caused the event.
    pub user: Option<User>,
    /// The (target) project.
    pub project: Option<Project>,
    /// The merge request.
    pub object_attributes: MergeRequestAttributes,
    /// What changed (`draft`, `title`, …), each as `{previous, current}`.
    pub changes: Option<MergeRequestChanges>,
}

/// `object_attributes` of a Merge Request Hook.
///
/// Exists for the change's number, title, refs, state and times.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MergeRequestAttributes {
    /// Instance-wide id.
    #[serde(default, deserialize_with = "opt_id")]
    pub id: Option<u64>,
    /// The project-scoped number (`!12`).
    #[serde(default, deserialize_with = "opt_id")]
    pub iid: Option<u64>,
    /// The title.
    pub title: Option<String>,
    /// opened | closed | locked | merged.
    pub state: Option<String>,
    /// open | close | reopen | update | approved | unapproved | approval | unapproval | merge.
    pub action: Option<String>,
    /// Draft (newer GitLab).
    pub draft: Option<bool>,
    /// Draft (older GitLab).
    pub work_in_progress: Option<bool>,
    /// When it was opened.
    pub created_at: Option<String>,
    /// Last update: the time of the event.
    pub updated_at: Option<String>,
    /// The branch merged from.
    pub source_branch: Option<String>,
    /// The branch merged into.
    pub target_branch: Option<String>,
    /// The newest commit of the source branch.
    pub last_commit: Option<MergeRequestCommit>,
    /// For `update` with new commits: the head before.
    pub oldrev: Option<String>,
    /// The merge commit, once merged (absent for fast-forward merges).
    pub merge_commit_sha: Option<String>,
    /// Browser URL.
    pub url: Option<String>,
    /// The target project's id.
    #[serde(default, deserialize_with = "opt_id")]
    pub target_project_id: Option<u64>,
}

/// `last_commit` of a merge request.
///
/// Exists for the head revision.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MergeRequestCommit {
    /// The commit's SHA.
    pub id: Option<String>,
}

/// `changes` of a Merge Request Hook (only the keys ciotel reads).
///
/// Exists to tell "marked ready" from other updates.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MergeRequestChanges {
    /// The draft flag, when it changed.
    pub draft: Option<Change<bool>>,
}

/// A `{previous, current}` pair.
///
/// Exists for the shape GitLab writes every change in.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Change<T> {
    /// Before.
    pub previous: Option<T>,
    /// After.
    pub current: Option<T>,
}

/// A Deployment Hook delivery (`X-Gitlab-Event: Deployment Hook`).
///
/// Exists for the approval wait of a blocked deployment; the deployment's span comes from the
/// deploying job's Job Hook (which has its times and pipeline).
#[derive(Debug, Clone, Deserialize)]
pub struct DeploymentHook {
    /// `deployment`.
    pub object_kind: Option<String>,
    /// created | running | success | failed | canceled | blocked.
    pub status: Option<String>,
    /// When the status changed.
    pub status_changed_at: Option<String>,
    /// The deployment's id.
    #[serde(default, deserialize_with = "opt_id")]
    pub deployment_id: Option<u64>,
    /// The deploying job's id.
    #[serde(default, deserialize_with = "opt_id")]
    pub deployable_id: Option<u64>,
    /// The deploying job's URL.
    pub deployable_url: Option<String>,
    /// The environment's name.
    pub environment: Option<String>,
    /// The environment's tier (newer GitLab).
    pub environment_tier: Option<String>,
    /// The project.
    pub project: Option<Project>,
    /// The commit's URL (`…/-/commit/{sha}`): the only full SHA the hook carries.
    pub commit_url: Option<String>,
    /// The branch or tag deployed.
    #[serde(rename = "ref")]
    pub ref_name: Option<String>,
    /// Who deployed.
    pub user: Option<User>,
}

/// `environment` of a Job Hook: the job deploys (or stops, or prepares) an environment.
///
/// Exists to make a deploying job's deployment span.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct JobEnvironment {
    /// The environment's name.
    pub name: Option<String>,
    /// start | prepare | stop | verify | access.
    pub action: Option<String>,
    /// production | staging | testing | development | other.
    pub deployment_tier: Option<String>,
}
