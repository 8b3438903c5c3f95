//! Refilling the receiver's live board from the API: at start and on every poll, each
//! repository's runs that are `in_progress` or `queued` now (`GET /repos/{o}/{r}/actions/runs?
//! status=…`, every page) and their jobs (`attempt.rs`), mapped as webhooks are, go to the
//! board — so a restarted daemon knows what runs now, not only what it heard since. Nothing is
//! emitted into pipelines here: a run's spans still come once it completed.
//!
//! The cost is two listings per repository and poll, plus one jobs request per live run.

use ciotel_cicd::live::LiveBoard;
use ciotel_core::poll::under_base;

use super::attempt;
use super::client::{Client, Fetched};
use super::error::PollError;
use crate::payload::WorkflowRunsPage;

/// The statuses listed: GitHub's words for a run that runs, or waits to.
const LIVE_STATUSES: [&str; 2] = ["in_progress", "queued"];

/// Puts `repo`'s running and queued runs, with their jobs, on `board`; the number of runs seen.
pub(super) async fn refill(
    client: &mut Client,
    base_url: &str,
    repo: &str,
    board: &LiveBoard,
) -> Result<usize, PollError> {
    let mut seen = 0;
    for status in LIVE_STATUSES {
        let mut next = Some(format!(
            "{base_url}/repos/{repo}/actions/runs?status={status}&per_page=100"
        ));
        while let Some(url) = next.take() {
            under_base(&url, base_url)?;
            let (body, n) = match client.get(&url, None).await? {
                Fetched::Body { body, next, .. } => (body, next),
                Fetched::NotModified => return Err(PollError::NotModified { url }),
            };
            let page: WorkflowRunsPage =
                serde_json::from_slice(&body).map_err(|source| PollError::Malformed {
                    url: url.clone(),
                    source,
                })?;
            for run in &page.workflow_runs {
                let events = attempt::events(client, base_url, repo, run).await?;
                board.observe_all(&events);
                seen += 1;
            }
            next = n;
        }
    }
    Ok(seen)
}
