//! A workflow job: the `workflow_job` of a webhook, an item of `GET …/runs/{id}/jobs`.

use serde::Deserialize;

use super::null_as_default;

/// A job of a workflow run attempt, with its steps and runner.
///
/// Exists as the one shape both the webhook receiver and the REST poller read jobs into.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct WorkflowJob {
    /// Job id, equal to the check-run id (`${{ job.check_run_id }}`).
    pub id: u64,
    /// The run's id.
    pub run_id: u64,
    /// The run attempt; absent in older REST examples.
    pub run_attempt: Option<u32>,
    /// The job's name (for matrix and reusable workflows, e.g. `call / test (1.23)`).
    pub name: Option<String>,
    /// The workflow's name; absent in older payloads.
    pub workflow_name: Option<String>,
    /// Branch (or tag) built.
    pub head_branch: Option<String>,
    /// Commit built.
    pub head_sha: Option<String>,
    /// Browser URL of the job.
    pub html_url: Option<String>,
    /// API URL of the run.
    pub run_url: Option<String>,
    /// queued | in_progress | completed | waiting | requested | pending.
    pub status: Option<String>,
    /// As for runs; null while not completed.
    pub conclusion: Option<String>,
    /// When the job was created (queued).
    pub created_at: Option<String>,
    /// When a runner started it (GitHub sets it even on `queued` deliveries).
    pub started_at: Option<String>,
    /// When it completed.
    pub completed_at: Option<String>,
    /// Steps in order; empty while queued.
    #[serde(default, deserialize_with = "null_as_default")]
    pub steps: Vec<JobStep>,
    /// Labels the job asked a runner for (`runs-on`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub labels: Vec<String>,
    /// The runner's id, once one is assigned.
    pub runner_id: Option<u64>,
    /// The runner's name.
    pub runner_name: Option<String>,
    /// The runner group's id.
    pub runner_group_id: Option<u64>,
    /// The runner group's name.
    pub runner_group_name: Option<String>,
}

/// One step of a job.
///
/// Exists to become one step span.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct JobStep {
    /// The step's name.
    pub name: Option<String>,
    /// queued | in_progress | completed.
    pub status: Option<String>,
    /// As for jobs; null while not completed.
    pub conclusion: Option<String>,
    /// Number within the job; numbers may have gaps.
    pub number: Option<u32>,
    /// Null while queued.
    pub started_at: Option<String>,
    /// Null until completed.
    pub completed_at: Option<String>,
}
