//! A deployment of a revision to an environment, and the run that made it.

use serde::{Deserialize, Serialize};

use super::ChangeRef;
use crate::event::Vcs;
use crate::time::Timestamp;

/// A deployment as a platform reports it (GitHub `deployment` + `deployment_status`, the
/// `deployment` object of `workflow_job`; GitLab job with `environment`, Deployment Hook).
///
/// Exists to become one `DEPLOY {environment}` span (created → final status) in the trace of
/// every change it delivers: [`Deployment::changes`], filled by the mapping when the event
/// names the change (a deployment from a pull request's run) and otherwise by the receiver
/// from a [`DeliveryCache`](super::DeliveryCache). The span itself is a function of the
/// deployment alone, so it is the same in each change's trace.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Deployment {
    /// `vcs.provider.name`.
    pub provider: String,
    /// The platform's numeric repository (project) id.
    pub repository_id: String,
    /// The repository's facts, for the resource.
    pub repository: Vcs,
    /// The platform's deployment id (GitLab: the deploying job's id, which is also what its
    /// Deployment Hook names `deployable_id`): the span id comes from it.
    pub id: String,
    /// The environment's name (`deployment.environment.name`).
    pub environment: String,
    /// Whether the platform calls the environment production (GitHub
    /// `production_environment`; GitLab: `environment_tier == production`); `None` when it
    /// did not say.
    pub production: Option<bool>,
    /// The platform's environment tier (GitLab `deployment_tier`: production, staging,
    /// testing, development, other).
    pub tier: Option<String>,
    /// The commit deployed.
    pub revision: Option<String>,
    /// The branch or tag deployed.
    pub ref_name: Option<String>,
    /// GitHub's `task` (`deploy`, `deploy:migrations`).
    pub task: Option<String>,
    /// Who created the deployment.
    pub creator: Option<String>,
    /// Where it stands after this event.
    pub state: DeploymentState,
    /// The platform's own word for the state (`success`, `failure`, `inactive`, `failed`).
    pub state_detail: Option<String>,
    /// When the deployment was created.
    pub created_at: Option<Timestamp>,
    /// When it reached [`Deployment::state`].
    pub state_at: Option<Timestamp>,
    /// Where a person opens it (status `target_url` / `log_url`, the job's URL).
    pub url: Option<String>,
    /// The run (and job) that deployed, linked from the span.
    pub run: Option<RunLink>,
    /// The changes it delivers: each gets the span in its trace.
    pub changes: Vec<ChangeRef>,
}

/// Where a deployment is.
///
/// Exists to tell final states (which emit the span) from the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeploymentState {
    /// Created, queued, pending, waiting (for an approval) or in progress: no span yet.
    #[default]
    Pending,
    /// Deployed.
    Success,
    /// The deployment failed (GitHub `failure`, GitLab `failed`).
    Failure,
    /// The platform could not deploy (GitHub `error`).
    Error,
    /// Cancelled (GitLab `canceled`), or superseded before it finished.
    Cancelled,
}

impl DeploymentState {
    /// Whether this state ends the deployment (and so emits its span).
    pub const fn is_final(self) -> bool {
        !matches!(self, DeploymentState::Pending)
    }

    /// The `ciotel.deployment.result` value.
    pub const fn as_str(self) -> &'static str {
        match self {
            DeploymentState::Pending => "pending",
            DeploymentState::Success => "success",
            DeploymentState::Failure => "failure",
            DeploymentState::Error => "error",
            DeploymentState::Cancelled => "cancellation",
        }
    }
}

/// The run, and where known the job, that did something: the target of a link.
///
/// Exists to compute the link with the run recipe: the run trace's root span, or the job's
/// span when `job_id` is known.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RunLink {
    /// The run (GitLab: pipeline) id.
    pub run_id: String,
    /// The attempt (1 where the platform has none).
    pub attempt: u32,
    /// The job's id, when the event names it.
    pub job_id: Option<String>,
}
