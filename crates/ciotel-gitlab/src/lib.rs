//! ciotel-gitlab: GitLab CI payloads (Pipeline Hook and Job Hook webhook deliveries, REST API
//! pipelines, jobs and bridges) → platform-neutral `CiEvent`s, and the webhook receiver. No
//! spans are built here (that is `ciotel_cicd::translate`, with [`ID_RECIPE`]), and every
//! source of the same job or pipeline goes through one mapping, so they yield the same spans.
//! Merge requests, merge-request pipelines and deployments map into `ciotel_cicd::change`
//! events ([`map_change_webhook`]).

#![warn(missing_docs)]

mod change;
mod error;
pub mod gate;
pub mod ids;
pub mod log_sections;
mod map;
pub mod payload;
pub mod poller;
pub mod receiver;
mod rest;
mod webhook;

use opentelemetry_proto::tonic::trace::v1::ResourceSpans;

pub use change::{EVENT_DEPLOYMENT_HOOK, EVENT_MERGE_REQUEST_HOOK, map_change_webhook};
pub use error::GitlabError;
pub use ids::ID_RECIPE;
pub use rest::map_rest_pipeline;
pub use webhook::{
    EVENT_JOB_HOOK, EVENT_PIPELINE_HOOK, map_job_hook, map_pipeline_hook, map_webhook,
};

/// The spans of `events`, with GitLab's id recipe, in event order: what the receiver hands to
/// the pipeline. Consecutive events of the same pipeline share one `ResourceSpans` (a Pipeline
/// Hook's run, stages and jobs all have the same resource).
///
/// Exists so the webhook, the poller and tests translate GitLab events the same way.
pub fn translate(events: &[ciotel_cicd::CiEvent]) -> Vec<ResourceSpans> {
    let mut out: Vec<ResourceSpans> = Vec::new();
    for rs in ciotel_cicd::translate_all(events, ID_RECIPE) {
        match out.last_mut() {
            Some(last) if same_origin(last, &rs) => {
                for (into, from) in last.scope_spans.iter_mut().zip(rs.scope_spans) {
                    into.spans.extend(from.spans);
                }
            }
            _ => out.push(rs),
        }
    }
    out
}

/// Same resource, and scopes that differ only in their spans.
fn same_origin(a: &ResourceSpans, b: &ResourceSpans) -> bool {
    a.resource == b.resource
        && a.schema_url == b.schema_url
        && a.scope_spans.len() == b.scope_spans.len()
        && a.scope_spans
            .iter()
            .zip(&b.scope_spans)
            .all(|(x, y)| x.scope == y.scope && x.schema_url == y.schema_url)
}
