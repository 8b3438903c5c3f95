//! Refilling the receiver's live board from the API: at start and on every poll, each
//! project's pipelines that are `running` or `pending` now (`GET /projects/:id/pipelines?
//! status=…`, every page) and their jobs (`…/pipelines/:id/jobs`), mapped as webhooks are, go
//! to the board — so a restarted daemon knows what runs now, not only what it heard since.
//! Nothing is emitted into pipelines here: spans of a pipeline still come once it finished.
//! After a complete listing, what the board holds of the project and GitLab no longer lists
//! leaves it ([`LiveBoard::forget_unlisted`]): a job whose last hook was lost is not hung
//! forever.

use std::collections::HashSet;

use ciotel_cicd::live::LiveBoard;

use super::client::Client;
use super::error::PollError;
use super::urls::Urls;
use crate::map_rest_pipeline;
use crate::payload::{Project, RestJob, RestPipeline};

/// The statuses listed: GitLab's words for a pipeline that runs, or waits to.
const LIVE_STATUSES: [&str; 2] = ["running", "pending"];

/// Puts project `project_id`'s running and pending pipelines, with their jobs, on `board`;
/// the number of pipelines seen.
pub(super) async fn refill(
    client: &mut Client,
    urls: &Urls,
    receiver: &str,
    project_id: u64,
    project: &Project,
    board: &LiveBoard,
) -> Result<usize, PollError> {
    let mark = board.mark();
    let mut keys = HashSet::new();
    let mut seen = 0;
    for status in LIVE_STATUSES {
        let listed: Vec<RestPipeline> = client
            .get_all(&urls.pipelines_in(project_id, status)?)
            .await?;
        for pipeline in &listed {
            let jobs: Vec<RestJob> = client.get_all(&urls.jobs(project_id, pipeline.id)?).await?;
            match map_rest_pipeline(project, pipeline, &jobs, &[], None) {
                Ok(events) => {
                    keys.extend(events.iter().filter_map(LiveBoard::key_of));
                    board.observe_all(&events);
                }
                Err(e) => tracing::warn!(
                    receiver, project = project_id, pipeline = pipeline.id, error = %e,
                    "a running pipeline GitLab described in an unexpected way is not shown live"
                ),
            }
            seen += 1;
        }
    }
    // Complete: what the board holds of the project and GitLab no longer lists has ended (its
    // hook was lost) or will come back with its next event.
    if let Some(path) = project.path_with_namespace.as_deref() {
        board.forget_unlisted(path, &keys, mark);
    }
    Ok(seen)
}
