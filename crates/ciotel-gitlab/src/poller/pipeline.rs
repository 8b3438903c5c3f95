//! One finished pipeline, fetched whole: `GET /projects/:id/pipelines/:pipeline_id` (the
//! listing lacks the user and the finish time), then every page of
//! `…/jobs?include_retried=true` and of `…/bridges`. Mapping them is `map_rest_pipeline`'s
//! business, the same mapping as webhooks', so the spans are the webhook's.
//!
//! Only finished pipelines are fetched: the poller is the webhook's safety net and backfill,
//! not a live view. A running pipeline is passed; its `updated_at` moves when it finishes, so
//! it is listed, fetched and emitted then. Live queue spans of running jobs come from Job
//! Hooks; the live board's running pipelines are listed apart (`live.rs`).

use super::client::Client;
use super::error::PollError;
use super::urls::Urls;
use crate::payload::{RestJob, RestPipeline};

/// The statuses the mapping calls completed (`map/vocabulary.rs`): a pipeline in one of them
/// has its spans final. `manual` and `scheduled` pipelines wait for a person or a time and
/// may never finish, like `created`: nothing is emitted for them, as for their Pipeline Hooks.
const FINISHED: [&str; 4] = ["success", "failed", "canceled", "skipped"];

/// Whether a pipeline with this status is finished.
pub(super) fn is_finished(status: Option<&str>) -> bool {
    status.is_some_and(|s| FINISHED.contains(&s.trim()))
}

/// A pipeline with its jobs and bridges, as the REST API describes them.
pub(crate) struct Fetched {
    /// `GET /projects/:id/pipelines/:pipeline_id`.
    pub(crate) pipeline: RestPipeline,
    /// Every job, retried attempts included.
    pub(crate) jobs: Vec<RestJob>,
    /// Every bridge (trigger job).
    pub(crate) bridges: Vec<RestJob>,
}

/// Fetches pipeline `pipeline_id` of project `project_id` whole; `None` when it turns out not
/// to be finished (reopened by a retry since it was listed).
pub(crate) async fn fetch(
    client: &mut Client,
    urls: &Urls,
    project_id: u64,
    pipeline_id: u64,
) -> Result<Option<Fetched>, PollError> {
    let pipeline: RestPipeline = client
        .get_json(&urls.pipeline(project_id, pipeline_id)?)
        .await?;
    if !is_finished(pipeline.status.as_deref()) {
        return Ok(None);
    }
    let jobs = client.get_all(&urls.jobs(project_id, pipeline_id)?).await?;
    let bridges = client
        .get_all(&urls.bridges(project_id, pipeline_id)?)
        .await?;
    Ok(Some(Fetched {
        pipeline,
        jobs,
        bridges,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map_rest_pipeline;
    use crate::payload::Project;
    use ciotel_cicd::{CiEvent, Phase};

    /// The poller's idea of "finished" is the mapping's "completed", status by status.
    #[test]
    fn finished_is_what_the_mapping_calls_completed() {
        for status in [
            "success",
            "failed",
            "canceled",
            "skipped",
            "running",
            "canceling",
            "created",
            "waiting_for_resource",
            "preparing",
            "pending",
            "manual",
            "scheduled",
        ] {
            let pipeline = RestPipeline {
                id: 1,
                status: Some(status.into()),
                ..RestPipeline::default()
            };
            let events =
                map_rest_pipeline(&Project::default(), &pipeline, &[], &[], None).expect("maps");
            let phase = match events.first() {
                Some(CiEvent::Run(run)) => run.phase,
                other => panic!("{status}: {other:?}"),
            };
            assert_eq!(
                is_finished(Some(status)),
                phase == Phase::Completed,
                "{status}"
            );
        }
        assert!(!is_finished(None));
    }
}
