//! Webhook bodies → change events (`ciotel_cicd::change`), by the `X-GitHub-Event` name.
//!
//! The events of the path to production: `pull_request`, `pull_request_review`,
//! `check_suite`, `merge_group`, `deployment`, `deployment_status`, `deployment_review`,
//! `deployment_protection_rule`; and from `workflow_run` (its `pull_requests`, or a
//! merge-queue branch) and `workflow_job` (a job waiting on its `deployment`'s environment).

use ciotel_cicd::change::ChangeBatch;
use serde::de::DeserializeOwned;

use crate::map::change as map;
use crate::map::map_run;
use crate::payload::{
    CheckSuiteEvent, DeploymentEvent, DeploymentProtectionRuleEvent, DeploymentReviewEvent,
    DeploymentStatusEvent, MergeGroupEvent, PullRequestEvent, PullRequestReviewEvent,
    WorkflowJobEvent, WorkflowRunEvent,
};
use crate::{EVENT_WORKFLOW_JOB, EVENT_WORKFLOW_RUN, GithubError};

/// The `X-GitHub-Event` names that only feed change traces.
pub const CHANGE_EVENTS: [&str; 8] = [
    "pull_request",
    "pull_request_review",
    "check_suite",
    "merge_group",
    "deployment",
    "deployment_status",
    "deployment_review",
    "deployment_protection_rule",
];

/// Maps one delivery to change events: for the [`CHANGE_EVENTS`], `workflow_run` and
/// `workflow_job`; an empty batch for every other event (and for actions that emit nothing).
///
/// Exists beside [`map_webhook`](crate::map_webhook), which makes the run traces, so the
/// receiver adds the change traces of the same delivery.
pub fn map_change_webhook(event_name: &str, body: &[u8]) -> Result<ChangeBatch, GithubError> {
    match event_name {
        "pull_request" => map::pull_request(&read::<PullRequestEvent>(body, "pull_request event")?),
        "pull_request_review" => map::review(&read::<PullRequestReviewEvent>(
            body,
            "pull_request_review event",
        )?),
        "check_suite" => map::check_suite(&read::<CheckSuiteEvent>(body, "check_suite event")?),
        "merge_group" => map::merge_group(&read::<MergeGroupEvent>(body, "merge_group event")?),
        "deployment" => {
            // Read, so a malformed body is refused like any other; the span comes from the
            // deployment's final status.
            read::<DeploymentEvent>(body, "deployment event")?;
            Ok(ChangeBatch::default())
        }
        "deployment_status" => map::deployment_status(&read::<DeploymentStatusEvent>(
            body,
            "deployment_status event",
        )?),
        "deployment_review" => map::deployment_review(&read::<DeploymentReviewEvent>(
            body,
            "deployment_review event",
        )?),
        "deployment_protection_rule" => map::protection_rule(
            &read::<DeploymentProtectionRuleEvent>(body, "deployment_protection_rule event")?,
        ),
        EVENT_WORKFLOW_RUN => {
            let e = read::<WorkflowRunEvent>(body, "workflow_run event")?;
            let run = map_run(
                &e.workflow_run,
                e.workflow.as_ref(),
                e.repository.as_ref(),
                e.action.as_deref(),
            )?;
            let repository = e.workflow_run.repository.as_ref().or(e.repository.as_ref());
            Ok(ChangeBatch {
                events: map::runs_for_changes(&run, &e.workflow_run.pull_requests, repository),
                merges: Vec::new(),
            })
        }
        EVENT_WORKFLOW_JOB => {
            map::waiting_job(&read::<WorkflowJobEvent>(body, "workflow_job event")?)
        }
        _ => Ok(ChangeBatch::default()),
    }
}

fn read<T: DeserializeOwned>(body: &[u8], what: &'static str) -> Result<T, GithubError> {
    serde_json::from_slice(body).map_err(|source| GithubError::Json { what, source })
}
