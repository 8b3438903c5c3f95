//! `CiEvent` → OTLP spans: one pure function of one event, so redelivered or re-polled events
//! yield identical spans.
//!
//! What each event emits:
//!
//! | event | pending | running | completed |
//! |---|---|---|---|
//! | run, downstream run | nothing | nothing | root span (SERVER, `RUN {pipeline}`) |
//! | stage | nothing | nothing | stage span under the root |
//! | job | nothing | `queue` span (created → started) | job span, `queue` span, step spans |
//!
//! The queue span of a running job is emitted again, identical, when the job completes;
//! nothing is ever emitted twice with different content for the same ids.
//!
//! Change events (`crate::change`) have their own translator, [`translate_change`], in
//! `change/` (`lifecycle.rs`: the change, reviews, merge queue; `run.rs`: runs for the
//! change; `deployment.rs`: deployments and approval waits), on the same span builders.

mod change;
mod job;
mod otlp;
mod resource;
mod run;
mod stage;
mod status;
mod timing;

use opentelemetry_proto::tonic::common::v1::InstrumentationScope;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans};

pub use change::{translate_change, translate_changes};

use crate::event::CiEvent;
use crate::ids::IdRecipe;

/// The instrumentation scope name on every span ciotel derives from CI events.
pub const SCOPE_NAME: &str = "ciotel-cicd";

/// The semantic-conventions schema the attributes follow.
pub const SCHEMA_URL: &str = "https://opentelemetry.io/schemas/1.43.0";

/// Turns one event into spans: one `ResourceSpans` (the run's repository and pipeline) with
/// one scope, or nothing when the event's phase emits nothing yet.
///
/// Exists as the single translator every platform receiver and the API pollers call.
pub fn translate(event: &CiEvent, recipe: IdRecipe) -> Vec<ResourceSpans> {
    let spans = match event {
        CiEvent::Run(r) => run::spans(r, None, recipe),
        CiEvent::DownstreamRun(d) => run::spans(&d.run, Some(&d.upstream), recipe),
        CiEvent::Stage(s) => stage::spans(s, recipe),
        CiEvent::Job(j) => job::spans(j, recipe),
    };
    if spans.is_empty() {
        return Vec::new();
    }
    vec![ResourceSpans {
        resource: Some(resource::for_run(event.run_ref())),
        scope_spans: vec![ScopeSpans {
            scope: Some(InstrumentationScope {
                name: SCOPE_NAME.to_owned(),
                ..Default::default()
            }),
            spans,
            schema_url: SCHEMA_URL.to_owned(),
        }],
        schema_url: SCHEMA_URL.to_owned(),
    }]
}

/// Translates several events, concatenating their `ResourceSpans` in order.
///
/// Exists for API pollers, which map a page of runs or jobs at once.
pub fn translate_all<'a>(
    events: impl IntoIterator<Item = &'a CiEvent>,
    recipe: IdRecipe,
) -> Vec<ResourceSpans> {
    events
        .into_iter()
        .flat_map(|e| translate(e, recipe))
        .collect()
}

#[cfg(test)]
mod tests;
