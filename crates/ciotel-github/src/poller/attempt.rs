//! One run attempt → its events, exactly as the webhook path would produce them: the run
//! (`map_rest_run`) followed by each of the attempt's jobs with their steps (`map_rest_job`,
//! given the run's repository), every page of
//! `GET /repos/{o}/{r}/actions/runs/{id}/attempts/{n}/jobs` (or `…/runs/{id}/jobs?filter=latest`
//! when GitHub gives no attempt number, as old GitHub Enterprise Server versions do).
//!
//! Each job's steps are described by the run's workflow file at its revision (`crate::workflow`,
//! asked for once per attempt, only when a job has steps): what each step runs goes on its
//! span, or, when the file cannot be read, that it could not.
//!
//! An object that cannot be mapped is skipped with a warning (the rest of the run still goes);
//! a page that cannot be fetched or read fails the attempt, to be tried again at the next poll.

use ciotel_cicd::{CiEvent, Job};
use ciotel_core::poll::under_base;

use super::client::{Client, Fetched};
use super::error::PollError;
use crate::payload::{JobsPage, WorkflowRun};
use crate::workflow::{self, Lookup, Unavailable, WorkflowFiles};
use crate::{map_rest_job, map_rest_run};

/// `GET …/actions/runs/{id}/attempts/{n}`: an earlier attempt of a listed run.
pub(super) fn attempt_url(base_url: &str, repo: &str, run_id: u64, attempt: u32) -> String {
    format!("{base_url}/repos/{repo}/actions/runs/{run_id}/attempts/{attempt}")
}

/// The events of `run`'s attempt: the run, then its jobs.
pub(crate) async fn events(
    client: &mut Client,
    base_url: &str,
    repo: &str,
    run: &WorkflowRun,
    files: &mut WorkflowFiles,
) -> Result<Vec<CiEvent>, PollError> {
    let mut events = Vec::new();
    let mut lookup: Option<Lookup> = None;
    match map_rest_run(run) {
        Ok(event) => events.push(event),
        Err(e) => tracing::warn!(
            repository = %repo, run = run.id, error = %e,
            "skipping a run GitHub described in an unexpected way"
        ),
    }
    let mut next = Some(match run.run_attempt {
        Some(n) => format!(
            "{}/jobs?per_page=100",
            attempt_url(base_url, repo, run.id, n)
        ),
        None => format!(
            "{base_url}/repos/{repo}/actions/runs/{}/jobs?filter=latest&per_page=100",
            run.id
        ),
    });
    while let Some(url) = next.take() {
        under_base(&url, base_url)?;
        let (body, n) = match client.get(&url, None).await? {
            Fetched::Body { body, next, .. } => (body, next),
            Fetched::NotModified => return Err(PollError::NotModified { url }),
        };
        let page: JobsPage =
            serde_json::from_slice(&body).map_err(|source| PollError::Malformed {
                url: url.clone(),
                source,
            })?;
        for job in &page.jobs {
            match map_rest_job(job, run.repository.as_ref()) {
                Ok(CiEvent::Job(mut mapped)) if !mapped.steps.is_empty() => {
                    if lookup.is_none() {
                        lookup = Some(workflow_file(client, base_url, repo, run, files).await?);
                    }
                    if let Some(lookup) = &lookup {
                        describe(client, base_url, repo, run, files, lookup, &mut mapped).await?;
                    }
                    events.push(CiEvent::Job(mapped));
                }
                Ok(event) => events.push(event),
                Err(e) => tracing::warn!(
                    repository = %repo, run = run.id, job = job.id, error = %e,
                    "skipping a job GitHub described in an unexpected way"
                ),
            }
        }
        next = n;
    }
    Ok(events)
}

/// The run's workflow file at its revision, or why it is not known (logged).
async fn workflow_file(
    client: &mut Client,
    base_url: &str,
    repo: &str,
    run: &WorkflowRun,
    files: &mut WorkflowFiles,
) -> Result<Lookup, PollError> {
    let (Some(path), Some(sha)) = (run.path.as_deref(), run.head_sha.as_deref()) else {
        return Ok(Lookup::Unavailable(Unavailable::NotFound));
    };
    // GitHub's own dynamic workflows (CodeQL default setup, Dependabot, Pages: `dynamic/…`)
    // have no file in the repository: not asked for, and not worth a warning on every run.
    if !path.starts_with(".github/") {
        tracing::debug!(
            repository = %repo, run = run.id, path = %path,
            "a dynamic workflow has no file; its steps' owners are decided by their names"
        );
        return Ok(Lookup::Unavailable(Unavailable::NotFound));
    }
    let lookup = files
        .lookup(client, base_url, repo, path, sha)
        .await
        .map_err(|_| PollError::Shutdown)?;
    if let Lookup::Unavailable(why) = &lookup {
        tracing::warn!(
            repository = %repo, run = run.id, path = %path, revision = %sha,
            reason = why.as_str(),
            "cannot read the run's workflow file; its steps' owners are decided by their names"
        );
    }
    Ok(lookup)
}

/// Describes `job`'s steps by the run's workflow file, or, for a job of a called reusable
/// workflow, by the called file (fetched and cached the same way).
async fn describe(
    client: &mut Client,
    base_url: &str,
    repo: &str,
    run: &WorkflowRun,
    files: &mut WorkflowFiles,
    lookup: &Lookup,
    job: &mut Job,
) -> Result<(), PollError> {
    let call = match (lookup, run.head_sha.as_deref()) {
        (Lookup::Known(wf), Some(sha)) => workflow::called_workflow(wf, &job.name, repo, sha),
        _ => None,
    };
    let Some(call) = call else {
        workflow::describe(job, lookup);
        return Ok(());
    };
    let called = files
        .lookup(client, base_url, &call.repo, &call.path, &call.git_ref)
        .await
        .map_err(|_| PollError::Shutdown)?;
    if let Lookup::Unavailable(why) = &called {
        tracing::warn!(
            repository = %call.repo, run = run.id, path = %call.path, revision = %call.git_ref,
            reason = why.as_str(),
            "cannot read the reusable workflow a job ran; its steps' owners are decided by their names"
        );
    }
    workflow::describe_called(job, &called, &call.callee);
    Ok(())
}
