//! GitLab payloads → `CiEvent`s → spans, as the webhook receiver and the REST poller do it: the
//! body is tried as a Pipeline Hook and a Job Hook, and as a REST replay (`{"project": …,
//! "pipeline": …, "jobs": […], "bridges": […], "upstream": …}`, the answers the poller
//! combines); every event it maps to is translated (`ciotel_gitlab::translate`) and tagged by
//! the `cicd_ownership` processor.

#![no_main]

use ciotel_cicd::CiEvent;
use ciotel_cicd::ownership::{OwnershipConfig, OwnershipProcessor};
use ciotel_gitlab::payload::{Project, RestJob, RestPipeline, SourcePipeline};
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use std::sync::LazyLock;

static OWNERSHIP: LazyLock<OwnershipProcessor> =
    LazyLock::new(|| OwnershipProcessor::new(OwnershipConfig::default()));

/// The REST answers the poller reads for one pipeline.
#[derive(Deserialize)]
struct RestReplay {
    project: Project,
    pipeline: RestPipeline,
    #[serde(default)]
    jobs: Vec<RestJob>,
    #[serde(default)]
    bridges: Vec<RestJob>,
    upstream: Option<SourcePipeline>,
}

fuzz_target!(|data: &[u8]| {
    let mut events: Vec<CiEvent> = Vec::new();
    for name in [
        ciotel_gitlab::EVENT_PIPELINE_HOOK,
        ciotel_gitlab::EVENT_JOB_HOOK,
        "Push Hook",
    ] {
        if let Ok(Some(mut mapped)) = ciotel_gitlab::map_webhook(name, data) {
            events.append(&mut mapped);
        }
    }
    if let Ok(r) = serde_json::from_slice::<RestReplay>(data)
        && let Ok(mut mapped) = ciotel_gitlab::map_rest_pipeline(
            &r.project,
            &r.pipeline,
            &r.jobs,
            &r.bridges,
            r.upstream.as_ref(),
        )
    {
        events.append(&mut mapped);
    }
    let mut spans = ciotel_gitlab::translate(&events);
    OWNERSHIP.process(&mut spans);
});
