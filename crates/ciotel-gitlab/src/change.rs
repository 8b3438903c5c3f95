//! Webhook bodies → change events (`ciotel_cicd::change`), by the `X-Gitlab-Event` name: the
//! Merge Request Hook and Deployment Hook, and from Pipeline Hooks (a merge-request pipeline)
//! and Job Hooks (a job that deploys an environment).

use ciotel_cicd::change::ChangeBatch;
use serde::de::DeserializeOwned;

use crate::map::change as map;
use crate::payload::{DeploymentHook, JobHook, MergeRequestHook, PipelineHook};
use crate::{EVENT_JOB_HOOK, EVENT_PIPELINE_HOOK, GitlabError, map_job_hook, map_pipeline_hook};

/// The `X-Gitlab-Event` value of merge request deliveries.
pub const EVENT_MERGE_REQUEST_HOOK: &str = "Merge Request Hook";
/// The `X-Gitlab-Event` value of deployment deliveries.
pub const EVENT_DEPLOYMENT_HOOK: &str = "Deployment Hook";

/// Maps one delivery to change events (the name compared without regard to case); an empty
/// batch for other events and for actions that make no span.
///
/// Exists beside [`map_webhook`](crate::map_webhook), which makes the run traces, so the
/// receiver adds the change traces of the same delivery.
pub fn map_change_webhook(event_name: &str, body: &[u8]) -> Result<ChangeBatch, GitlabError> {
    let is = |name: &str| event_name.trim().eq_ignore_ascii_case(name);
    if is(EVENT_MERGE_REQUEST_HOOK) {
        map::merge_request(&read::<MergeRequestHook>(body, "Merge Request Hook")?)
    } else if is(EVENT_DEPLOYMENT_HOOK) {
        map::deployment_hook(&read::<DeploymentHook>(body, "Deployment Hook")?)
    } else if is(EVENT_PIPELINE_HOOK) {
        let hook = read::<PipelineHook>(body, "Pipeline Hook")?;
        if hook.merge_request.is_none() {
            return Ok(ChangeBatch::default());
        }
        let events = map_pipeline_hook(&hook)?;
        Ok(map::pipeline_for_change(&hook, &events))
    } else if is(EVENT_JOB_HOOK) {
        let hook = read::<JobHook>(body, "Job Hook")?;
        if hook.environment.is_none() {
            return Ok(ChangeBatch::default());
        }
        let job = map_job_hook(&hook)?;
        match job.run.run_id.parse::<u64>() {
            Ok(pipeline_id) => map::deploying_job(&hook, pipeline_id),
            Err(_) => Ok(ChangeBatch::default()),
        }
    } else {
        Ok(ChangeBatch::default())
    }
}

fn read<T: DeserializeOwned>(body: &[u8], what: &'static str) -> Result<T, GitlabError> {
    serde_json::from_slice(body).map_err(|source| GitlabError::Json { what, source })
}
