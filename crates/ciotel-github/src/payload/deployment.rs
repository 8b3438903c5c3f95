//! Deployment events: `deployment`, `deployment_status`, `deployment_review` and
//! `deployment_protection_rule` bodies, and the deployment object `workflow_job` carries.

use serde::Deserialize;

use super::{PullRequest, Repository, User, WorkflowRun, null_as_default};

/// A deployment.
///
/// Exists for the environment, revision and times of a deployment span.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct DeploymentObject {
    /// The deployment id.
    pub id: u64,
    /// The commit deployed.
    pub sha: Option<String>,
    /// The branch or tag deployed.
    #[serde(rename = "ref")]
    pub ref_name: Option<String>,
    /// `deploy`, `deploy:migrations`, …
    pub task: Option<String>,
    /// The environment.
    pub environment: Option<String>,
    /// The environment first asked for.
    pub original_environment: Option<String>,
    /// Whether GitHub calls the environment production.
    pub production_environment: Option<bool>,
    /// Who created it.
    pub creator: Option<User>,
    /// When it was created.
    pub created_at: Option<String>,
    /// Last update.
    pub updated_at: Option<String>,
}

/// The body of a `deployment` delivery.
///
/// Exists so the receiver accepts it; a deployment's span comes from its final
/// `deployment_status`, which carries this object again.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DeploymentEvent {
    /// created.
    pub action: Option<String>,
    /// The deployment.
    pub deployment: DeploymentObject,
    /// The repository.
    pub repository: Option<Repository>,
}

/// The body of a `deployment_status` delivery.
///
/// Exists to become the deployment's span once the status is final.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DeploymentStatusEvent {
    /// created.
    pub action: Option<String>,
    /// The new status.
    pub deployment_status: DeploymentStatusObject,
    /// The deployment.
    pub deployment: DeploymentObject,
    /// The run that deploys (GitHub Actions deployments).
    pub workflow_run: Option<WorkflowRun>,
    /// The repository.
    pub repository: Option<Repository>,
}

/// A deployment status.
///
/// Exists for the state and its time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct DeploymentStatusObject {
    /// The status id.
    pub id: Option<u64>,
    /// error | failure | inactive | pending | success | queued | in_progress | waiting.
    pub state: Option<String>,
    /// When the status was created.
    pub created_at: Option<String>,
    /// The status's link (often the job).
    pub target_url: Option<String>,
    /// The deployment's log.
    pub log_url: Option<String>,
}

/// The body of a `deployment_review` delivery.
///
/// Exists to become an approval wait (requested, approved, rejected).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DeploymentReviewEvent {
    /// requested | approved | rejected.
    pub action: Option<String>,
    /// When the wait began.
    pub since: Option<String>,
    /// The environment (requested).
    pub environment: Option<String>,
    /// Who may approve (requested).
    #[serde(default, deserialize_with = "null_as_default")]
    pub reviewers: Vec<DeploymentReviewer>,
    /// Who decided (approved, rejected).
    pub approver: Option<User>,
    /// The waiting job (requested).
    pub workflow_job_run: Option<WaitingJob>,
    /// The waiting jobs (approved, rejected).
    #[serde(default, deserialize_with = "null_as_default")]
    pub workflow_job_runs: Vec<WaitingJob>,
    /// The waiting run.
    pub workflow_run: Option<WorkflowRun>,
    /// The repository.
    pub repository: Option<Repository>,
}

/// A reviewer of a deployment: a user or a team.
///
/// Exists for the list of who may approve.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct DeploymentReviewer {
    /// User | Team.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The user or team.
    pub reviewer: Option<ReviewerObject>,
}

/// A user or team as a deployment reviewer (users have `login`, teams `slug`).
///
/// Exists because the two share one field in GitHub's payload.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ReviewerObject {
    /// A user's login.
    pub login: Option<String>,
    /// A team's slug.
    pub slug: Option<String>,
}

/// A job waiting for a deployment review.
///
/// Exists for the job's id (the link) and environment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct WaitingJob {
    /// The job id.
    pub id: u64,
    /// The job's environment.
    pub environment: Option<String>,
    /// Last update.
    pub updated_at: Option<String>,
}

/// The body of a `deployment_protection_rule` delivery.
///
/// Exists to become an approval wait on a named deployment (a custom protection rule's app
/// is asked).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DeploymentProtectionRuleEvent {
    /// requested.
    pub action: Option<String>,
    /// The environment.
    pub environment: Option<String>,
    /// The deployment waiting.
    pub deployment: Option<DeploymentObject>,
    /// The pull requests of the deployment's head, when it is one.
    #[serde(default, deserialize_with = "null_as_default")]
    pub pull_requests: Vec<PullRequest>,
    /// The repository.
    pub repository: Option<Repository>,
}
