//! GitHub payloads → `CiEvent`s → spans, as the webhook receiver and the REST poller do it:
//! the body is tried as a `workflow_run` and a `workflow_job` delivery and as a runs page and a
//! jobs page, and every event it maps to is translated with both trace id recipes and tagged by
//! the `cicd_ownership` processor.

#![no_main]

use ciotel_cicd::ownership::{OwnershipConfig, OwnershipProcessor};
use ciotel_cicd::{CiEvent, IdRecipe};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static OWNERSHIP: LazyLock<OwnershipProcessor> =
    LazyLock::new(|| OwnershipProcessor::new(OwnershipConfig::default()));

fuzz_target!(|data: &[u8]| {
    let mut events: Vec<CiEvent> = Vec::new();
    for name in [
        ciotel_github::EVENT_WORKFLOW_RUN,
        ciotel_github::EVENT_WORKFLOW_JOB,
        "ping",
    ] {
        if let Ok(Some(e)) = ciotel_github::map_webhook(name, data) {
            events.push(e);
        }
    }
    if let Ok(mut page) = ciotel_github::map_rest_runs(data) {
        events.append(&mut page);
    }
    if let Ok(mut page) = ciotel_github::map_rest_jobs(data, None) {
        events.append(&mut page);
    }
    for recipe in [IdRecipe::CheckRun, IdRecipe::Legacy] {
        let mut spans = ciotel_cicd::translate_all(&events, recipe);
        OWNERSHIP.process(&mut spans);
    }
});
