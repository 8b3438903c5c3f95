//! `ChangeEvent` → spans of the change's trace: one pure function of one event, like the run
//! translator, so redelivered events, any arrival order and several gateways give identical
//! spans.
//!
//! | event | spans (parent: the change root unless said) |
//! |---|---|
//! | update: opened, pushed, ready, review requested, reopened | one instant span each |
//! | update: closed | the root `CHANGE {repo}#{n} {title}` (SERVER, opened → closed) |
//! | update: merged | the root (opened → merged) and an instant `MERGE {base}` span |
//! | review | an instant `REVIEW {state} by {who}` span |
//! | merge queue | an instant `merge queue: {action}` span (none without a time) |
//! | run (completed) | `RUN {pipeline}` (created/started → completed), linked to the run trace |
//! | deployment (final state) | `DEPLOY {environment}` (created → final) in each change's trace |
//! | approval wait | instant `approval requested` / requested → decided `approval {decision}` |
//!
//! A change's root appears once it is closed or merged (a reopened change's root is emitted
//! again at its final close, with the later end: the one span whose content can change, as
//! the platform's own record of the change does). Until then its children are in the trace
//! without their parent, as a run's jobs are before the run completes.
//!
//! Files: `lifecycle.rs` (root, instants, reviews, merge queue), `run.rs` (runs for the
//! change), `deployment.rs` (deployments, approval waits), `tests.rs`.

mod deployment;
mod lifecycle;
mod run;

use opentelemetry_proto::tonic::common::v1::InstrumentationScope;
use opentelemetry_proto::tonic::trace::v1::span::{Link, SpanKind};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};

use super::otlp::{Attrs, SpanParts, link};
use super::resource::for_repository;
use super::timing::{Interval, ordered};
use super::{SCHEMA_URL, SCOPE_NAME};
use crate::change::{ChangeEvent, ChangeNumber, ChangeRef, RunLink};
use crate::ids::{IdRecipe, JobKey};
use crate::semconv;
use crate::time::Timestamp;

/// Turns one change event into spans of its change's trace (several traces for a deployment
/// that delivers several changes): one `ResourceSpans` for the repository, or nothing when the
/// event emits nothing yet. `recipe` is the run id recipe of the platform, for links to runs.
///
/// Exists as the single change translator the GitHub and GitLab receivers call.
pub fn translate_change(event: &ChangeEvent, recipe: IdRecipe) -> Vec<ResourceSpans> {
    let spans = match event {
        ChangeEvent::Update(u) => lifecycle::update_spans(u),
        ChangeEvent::Review(r) => lifecycle::review_spans(r),
        ChangeEvent::MergeQueue(q) => lifecycle::merge_queue_spans(q),
        ChangeEvent::Run(r) => run::spans(r, recipe),
        ChangeEvent::Deployment(d) => deployment::deployment_spans(d, recipe),
        ChangeEvent::ApprovalWait(w) => deployment::approval_spans(w, recipe),
    };
    if spans.is_empty() {
        return Vec::new();
    }
    vec![ResourceSpans {
        resource: Some(for_repository(event.repository(), None)),
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

/// Translates several change events, concatenating their `ResourceSpans` in order.
///
/// Exists for receivers that map one delivery into several events.
pub fn translate_changes<'a>(
    events: impl IntoIterator<Item = &'a ChangeEvent>,
    recipe: IdRecipe,
) -> Vec<ResourceSpans> {
    events
        .into_iter()
        .flat_map(|e| translate_change(e, recipe))
        .collect()
}

/// The attributes every span of a change's trace carries: its type and `vcs.change.id`.
fn change_attrs(change: &ChangeRef, span_type: &str) -> Attrs {
    let id = match &change.number {
        ChangeNumber::Number(n) => n.to_string(),
        ChangeNumber::Push(sha) => sha.clone(),
    };
    Attrs::default()
        .str(semconv::CIOTEL_SPAN_TYPE, Some(span_type))
        .str(semconv::VCS_CHANGE_ID, Some(&id))
}

/// A span of `change`'s trace under `parent` (the root when `None`).
struct ChangeSpan<'a> {
    change: &'a ChangeRef,
    id: crate::ids::SpanId,
    parent: Option<crate::ids::SpanId>,
    name: String,
    time: Interval,
    attributes: Attrs,
    status: Status,
    links: Vec<Link>,
}

impl ChangeSpan<'_> {
    fn build(self) -> Span {
        let ids = self.change.ids();
        SpanParts {
            trace: ids.trace_id(),
            id: self.id,
            parent: Some(self.parent.unwrap_or_else(|| ids.root_span_id())),
            name: self.name,
            kind: SpanKind::Internal,
            time: self.time,
            attributes: self.attributes.adjusted(self.time).build(),
            status: self.status,
            links: self.links,
        }
        .build()
    }
}

/// A zero-duration interval at `at`.
fn instant(at: Timestamp) -> Interval {
    ordered(at, at)
}

/// A link to a run's root span, or its job's span when the job is known (and the recipe
/// does not need the job's name, as `legacy` does).
fn run_link(run: &RunLink, recipe: IdRecipe, link_type: &str) -> Link {
    let job = run.job_id.as_deref().filter(|_| recipe != IdRecipe::Legacy);
    let span = match job {
        Some(job_id) => recipe.job_span_id(&JobKey {
            run_id: &run.run_id,
            run_attempt: run.attempt,
            job_id,
            job_name: "",
        }),
        None => recipe.root_span_id(&run.run_id, run.attempt),
    };
    let attrs = Attrs::default()
        .str(semconv::CIOTEL_LINK_TYPE, Some(link_type))
        .str(semconv::CICD_PIPELINE_RUN_ID, Some(&run.run_id))
        .int(
            semconv::CIOTEL_RUN_ATTEMPT,
            recipe.uses_attempts().then_some(i64::from(run.attempt)),
        )
        .str(semconv::CICD_PIPELINE_TASK_RUN_ID, job)
        .build();
    link(recipe.trace_id(&run.run_id, run.attempt), span, attrs)
}

#[cfg(test)]
mod tests;
