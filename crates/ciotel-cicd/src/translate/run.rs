//! A completed run → the trace's root span, linked to the previous attempt's root and, for a
//! downstream run, to the job that started it.

use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::{Link, SpanKind};

use super::otlp::{Attrs, SpanParts, link};
use super::resource::run_span_attrs;
use super::status::{error_type, span_status};
use super::timing::ordered;
use crate::event::{Phase, PipelineRun, Upstream};
use crate::ids::{IdRecipe, JobKey};
use crate::semconv;

pub(super) fn spans(run: &PipelineRun, upstream: Option<&Upstream>, recipe: IdRecipe) -> Vec<Span> {
    if run.phase != Phase::Completed {
        return Vec::new();
    }
    let Some(start) = run.started_at.or(run.created_at) else {
        return Vec::new();
    };
    let time = ordered(start, run.completed_at.unwrap_or(start));
    let r = &run.run;
    let vcs = &r.vcs;
    let detail = run.result_detail.as_deref();
    let name = match r.pipeline_name.as_deref() {
        Some(p) if !p.is_empty() => format!("{} {p}", semconv::action::RUN),
        _ => semconv::action::RUN.to_owned(),
    };
    let attrs = Attrs::default()
        .str(semconv::CIOTEL_SPAN_TYPE, Some(semconv::span_type::RUN))
        .str(semconv::CICD_PIPELINE_RUN_URL_FULL, run.url.as_deref())
        .str(
            semconv::CICD_PIPELINE_RESULT,
            run.result.map(|x| x.as_str()),
        )
        .str(
            semconv::ERROR_TYPE,
            error_type(run.result, detail).as_deref(),
        )
        .str(
            semconv::CICD_PIPELINE_ACTION_NAME,
            Some(semconv::action::RUN),
        );
    let attrs = run_span_attrs(attrs, r, recipe)
        .str(semconv::VCS_REF_BASE_NAME, vcs.base_ref.as_deref())
        .str(semconv::VCS_REF_BASE_REVISION, vcs.base_revision.as_deref())
        .str(semconv::VCS_CHANGE_ID, vcs.change_id.as_deref())
        .str(
            semconv::CIOTEL_RUN_TRIGGER_EVENT,
            run.trigger_event.as_deref(),
        )
        .str(semconv::CIOTEL_RUN_ACTOR, run.actor.as_deref())
        .adjusted(time)
        .extra(&run.attributes)
        .build();
    let previous = run
        .previous_attempt
        .iter()
        .filter(|_| recipe.uses_attempts())
        .map(|prev| {
            let attrs = Attrs::default()
                .str(
                    semconv::CIOTEL_LINK_TYPE,
                    Some(semconv::link_type::PREVIOUS_ATTEMPT),
                )
                .int(semconv::CIOTEL_RUN_ATTEMPT, Some(i64::from(prev.attempt)))
                .build();
            link(
                recipe.trace_id(&r.run_id, prev.attempt),
                recipe.root_span_id(&r.run_id, prev.attempt),
                attrs,
            )
        });
    let links = previous
        .chain(upstream.map(|u| upstream_link(u, recipe)))
        .collect();
    vec![
        SpanParts {
            trace: recipe.trace_id(&r.run_id, r.attempt),
            id: recipe.root_span_id(&r.run_id, r.attempt),
            parent: None,
            name,
            kind: SpanKind::Server,
            time,
            attributes: attrs,
            status: span_status(run.result, detail),
            links,
        }
        .build(),
    ]
}

/// To the triggering job's span in the upstream run's trace; to the upstream root span when
/// the job is unknown, or when the recipe needs a job name the event does not carry (`legacy`).
fn upstream_link(upstream: &Upstream, recipe: IdRecipe) -> Link {
    let job = upstream
        .job_id
        .as_deref()
        .filter(|_| recipe != IdRecipe::Legacy);
    let span = match job {
        Some(job_id) => recipe.job_span_id(&JobKey {
            run_id: &upstream.run_id,
            run_attempt: upstream.attempt,
            job_id,
            job_name: "",
        }),
        None => recipe.root_span_id(&upstream.run_id, upstream.attempt),
    };
    let attrs = Attrs::default()
        .str(
            semconv::CIOTEL_LINK_TYPE,
            Some(semconv::link_type::UPSTREAM),
        )
        .str(semconv::CICD_PIPELINE_RUN_ID, Some(&upstream.run_id))
        .int(
            semconv::CIOTEL_RUN_ATTEMPT,
            recipe
                .uses_attempts()
                .then_some(i64::from(upstream.attempt)),
        )
        .str(semconv::CICD_PIPELINE_TASK_RUN_ID, job)
        .build();
    link(
        recipe.trace_id(&upstream.run_id, upstream.attempt),
        span,
        attrs,
    )
}
