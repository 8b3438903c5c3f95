//! REST list responses: `GET /repos/{o}/{r}/actions/runs` and `GET …/runs/{id}/jobs`.

use serde::Deserialize;

use super::{WorkflowJob, WorkflowRun, null_as_default};

/// One page of `GET /repos/{owner}/{repo}/actions/runs`.
///
/// Exists for the REST poller; its runs map exactly like webhook runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct WorkflowRunsPage {
    /// Total number of runs matching the query, across pages.
    pub total_count: Option<u64>,
    /// The runs on this page.
    #[serde(default, deserialize_with = "null_as_default")]
    pub workflow_runs: Vec<WorkflowRun>,
}

/// One page of `GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs`.
///
/// Exists for the REST poller; its jobs map exactly like webhook jobs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct JobsPage {
    /// Total number of jobs of the run attempt, across pages.
    pub total_count: Option<u64>,
    /// The jobs on this page.
    #[serde(default, deserialize_with = "null_as_default")]
    pub jobs: Vec<WorkflowJob>,
}
