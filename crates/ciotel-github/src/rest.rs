//! REST API objects and pages → `CiEvent`, with the same mapping as webhooks.

use ciotel_cicd::CiEvent;

use crate::GithubError;
use crate::map::{map_job, map_run};
use crate::payload::{JobsPage, Repository, WorkflowJob, WorkflowRun, WorkflowRunsPage};

/// Maps one run from `GET …/actions/runs` (or `…/runs/{id}`).
///
/// Exists so the poller's runs become the same events, hence spans, as webhook runs.
pub fn map_rest_run(run: &WorkflowRun) -> Result<CiEvent, GithubError> {
    map_run(run, None, None, None).map(CiEvent::Run)
}

/// Maps one job from `GET …/runs/{id}/jobs`. Pass the run's `repository` when at hand;
/// without it the repository is read from the job's URL.
///
/// Exists so the poller's jobs become the same events, hence spans, as webhook jobs.
pub fn map_rest_job(
    job: &WorkflowJob,
    repository: Option<&Repository>,
) -> Result<CiEvent, GithubError> {
    map_job(job, repository, None).map(CiEvent::Job)
}

/// Parses a runs page and maps every run on it, in order.
///
/// Exists for the poller and for tests that replay recorded pages.
pub fn map_rest_runs(body: &[u8]) -> Result<Vec<CiEvent>, GithubError> {
    let page: WorkflowRunsPage =
        serde_json::from_slice(body).map_err(|source| GithubError::Json {
            what: "workflow runs page",
            source,
        })?;
    page.workflow_runs.iter().map(map_rest_run).collect()
}

/// Parses a jobs page and maps every job on it, in order.
///
/// Exists for the poller and for tests that replay recorded pages.
pub fn map_rest_jobs(
    body: &[u8],
    repository: Option<&Repository>,
) -> Result<Vec<CiEvent>, GithubError> {
    let page: JobsPage = serde_json::from_slice(body).map_err(|source| GithubError::Json {
        what: "jobs page",
        source,
    })?;
    page.jobs
        .iter()
        .map(|j| map_rest_job(j, repository))
        .collect()
}
