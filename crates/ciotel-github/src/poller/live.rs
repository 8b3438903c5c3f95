//! Refilling the receiver's live board from the API: at start and on every poll, each
//! repository's runs that are `in_progress`, `queued` or `waiting` now
//! (`GET /repos/{o}/{r}/actions/runs?status=…`, every page) and their jobs (every page of the
//! attempt's jobs), mapped as webhooks are, go to the board — so a restarted daemon knows what runs now, not only what it heard
//! since. Nothing is emitted into pipelines here: a run's spans still come once it completed
//! (so no workflow file is read for these jobs' steps either). After a complete listing, what
//! the board holds of the repository and GitHub no longer lists leaves it
//! ([`LiveBoard::forget_unlisted`]): a job whose `completed` was lost is not hung forever.
//!
//! The cost is three listings per repository and poll, plus one jobs request per live run.

use std::collections::HashSet;

use ciotel_cicd::CiEvent;
use ciotel_cicd::live::LiveBoard;
use ciotel_core::poll::under_base;

use super::attempt::attempt_url;
use super::client::{Client, Fetched};
use super::error::PollError;
use crate::payload::{JobsPage, WorkflowRun, WorkflowRunsPage};
use crate::{map_rest_job, map_rest_run};

/// The statuses listed: GitHub's words for a run that runs, or waits to (`waiting`: for an
/// environment's approval). `requested` and `pending` are passing states, not listed.
const LIVE_STATUSES: [&str; 3] = ["in_progress", "queued", "waiting"];

/// Puts `repo`'s running and queued runs, with their jobs, on `board`; the number of runs seen.
pub(super) async fn refill(
    client: &mut Client,
    base_url: &str,
    repo: &str,
    board: &LiveBoard,
) -> Result<usize, PollError> {
    let mark = board.mark();
    let mut listed = HashSet::new();
    let mut seen = 0;
    for status in LIVE_STATUSES {
        let url = format!("{base_url}/repos/{repo}/actions/runs?status={status}&per_page=100");
        for page in pages::<WorkflowRunsPage>(client, base_url, url).await? {
            for run in &page.workflow_runs {
                let events = run_events(client, base_url, repo, run).await?;
                listed.extend(events.iter().filter_map(LiveBoard::key_of));
                board.observe_all(&events);
                seen += 1;
            }
        }
    }
    // Complete: what the board holds of the repository and GitHub no longer lists has ended
    // (its `completed` was lost) or will come back with its next event.
    board.forget_unlisted(repo, &listed, mark);
    Ok(seen)
}

/// One live run and every page of its attempt's jobs, as events.
async fn run_events(
    client: &mut Client,
    base_url: &str,
    repo: &str,
    run: &WorkflowRun,
) -> Result<Vec<CiEvent>, PollError> {
    let mut events = Vec::new();
    events.extend(map_rest_run(run).ok());
    let jobs = match run.run_attempt {
        Some(n) => format!(
            "{}/jobs?per_page=100",
            attempt_url(base_url, repo, run.id, n)
        ),
        None => format!(
            "{base_url}/repos/{repo}/actions/runs/{}/jobs?filter=latest&per_page=100",
            run.id
        ),
    };
    for page in pages::<JobsPage>(client, base_url, jobs).await? {
        events.extend(
            page.jobs
                .iter()
                .filter_map(|job| map_rest_job(job, run.repository.as_ref()).ok()),
        );
    }
    Ok(events)
}

/// Every page of the listing at `url`, read as `T`.
async fn pages<T: serde::de::DeserializeOwned>(
    client: &mut Client,
    base_url: &str,
    url: String,
) -> Result<Vec<T>, PollError> {
    let mut out = Vec::new();
    let mut next = Some(url);
    while let Some(url) = next.take() {
        under_base(&url, base_url)?;
        let (body, n) = match client.get(&url, None).await? {
            Fetched::Body { body, next, .. } => (body, next),
            Fetched::NotModified => return Err(PollError::NotModified { url }),
        };
        out.push(
            serde_json::from_slice(&body).map_err(|source| PollError::Malformed {
                url: url.clone(),
                source,
            })?,
        );
        next = n;
    }
    Ok(out)
}
