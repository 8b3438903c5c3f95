//! A completed run → the trace's root span, linked to the previous attempt's root.

use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;

use super::otlp::{Attrs, SpanParts, link};
use super::resource::run_span_attrs;
use super::status::{error_type, span_status};
use super::timing::ordered;
use crate::event::{Phase, PipelineRun};
use crate::ids::{root_span_id, trace_id};
use crate::semconv;

pub(super) fn spans(run: &PipelineRun) -> Vec<Span> {
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
    let attrs = run_span_attrs(attrs, r)
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
    let links = run
        .previous_attempt
        .iter()
        .map(|prev| {
            let attrs = Attrs::default()
                .str(
                    semconv::CIOTEL_LINK_TYPE,
                    Some(semconv::link_type::PREVIOUS_ATTEMPT),
                )
                .int(semconv::CIOTEL_RUN_ATTEMPT, Some(i64::from(prev.attempt)))
                .build();
            link(
                trace_id(&r.run_id, prev.attempt),
                root_span_id(&r.run_id, prev.attempt),
                attrs,
            )
        })
        .collect();
    vec![
        SpanParts {
            trace: trace_id(&r.run_id, r.attempt),
            id: root_span_id(&r.run_id, r.attempt),
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
