//! Webhook envelopes: `X-GitHub-Event: workflow_run` and `workflow_job` bodies.

use serde::Deserialize;

use super::{DeploymentObject, Repository, User, Workflow, WorkflowJob, WorkflowRun};

/// The body of a `workflow_run` delivery.
///
/// Exists to carry the run and what the envelope adds (workflow name, repository).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WorkflowRunEvent {
    /// requested | in_progress | completed.
    pub action: Option<String>,
    /// The run.
    pub workflow_run: WorkflowRun,
    /// The workflow; its name fills in when the run's is empty.
    pub workflow: Option<Workflow>,
    /// The repository, when the run does not embed one.
    pub repository: Option<Repository>,
    /// Who caused the delivery.
    pub sender: Option<User>,
}

/// The body of a `workflow_job` delivery.
///
/// Exists to carry the job and the repository it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WorkflowJobEvent {
    /// queued | waiting | in_progress | completed.
    pub action: Option<String>,
    /// The job.
    pub workflow_job: WorkflowJob,
    /// The deployment the job makes, for a job with an `environment`.
    pub deployment: Option<DeploymentObject>,
    /// The repository.
    pub repository: Option<Repository>,
    /// Who caused the delivery.
    pub sender: Option<User>,
}
