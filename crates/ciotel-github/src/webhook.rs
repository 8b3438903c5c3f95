//! Webhook bodies → `CiEvent`, by the `X-GitHub-Event` name.

use ciotel_cicd::CiEvent;

use crate::GithubError;
use crate::map::{map_job, map_run};
use crate::payload::{WorkflowJobEvent, WorkflowRunEvent};

/// The `X-GitHub-Event` value of workflow run deliveries.
pub const EVENT_WORKFLOW_RUN: &str = "workflow_run";
/// The `X-GitHub-Event` value of workflow job deliveries.
pub const EVENT_WORKFLOW_JOB: &str = "workflow_job";

/// Maps one webhook delivery: `Some` for `workflow_run` and `workflow_job` (every action),
/// `None` for `ping` and every other event.
///
/// Exists as the webhook receiver's single call after the signature is verified; the body is
/// parsed only for the two events ciotel understands.
pub fn map_webhook(event_name: &str, body: &[u8]) -> Result<Option<CiEvent>, GithubError> {
    match event_name {
        EVENT_WORKFLOW_RUN => {
            let e: WorkflowRunEvent =
                serde_json::from_slice(body).map_err(|source| GithubError::Json {
                    what: "workflow_run event",
                    source,
                })?;
            let run = map_run(
                &e.workflow_run,
                e.workflow.as_ref(),
                e.repository.as_ref(),
                e.action.as_deref(),
            )?;
            Ok(Some(CiEvent::Run(run)))
        }
        EVENT_WORKFLOW_JOB => {
            let e: WorkflowJobEvent =
                serde_json::from_slice(body).map_err(|source| GithubError::Json {
                    what: "workflow_job event",
                    source,
                })?;
            let job = map_job(&e.workflow_job, e.repository.as_ref(), e.action.as_deref())?;
            Ok(Some(CiEvent::Job(job)))
        }
        _ => Ok(None),
    }
}
