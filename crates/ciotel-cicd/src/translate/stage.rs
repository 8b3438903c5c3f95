//! A completed stage → a span between the root and the stage's jobs.

use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;

use super::otlp::{Attrs, SpanParts};
use super::resource::run_span_attrs;
use super::status::{error_type, span_status};
use super::timing::ordered;
use crate::event::{Phase, Stage};
use crate::ids::IdRecipe;
use crate::semconv;

pub(super) fn spans(stage: &Stage, recipe: IdRecipe) -> Vec<Span> {
    if stage.phase != Phase::Completed {
        return Vec::new();
    }
    let Some(start) = stage.started_at.or(stage.completed_at) else {
        return Vec::new();
    };
    let time = ordered(start, stage.completed_at.unwrap_or(start));
    let r = &stage.run;
    let detail = stage.result_detail.as_deref();
    let attrs = Attrs::default()
        .str(semconv::CIOTEL_SPAN_TYPE, Some(semconv::span_type::STAGE))
        .str(semconv::CIOTEL_STAGE_NAME, Some(&stage.name))
        .str(
            semconv::CIOTEL_STAGE_RESULT,
            stage.result.map(|x| x.as_str()),
        )
        .str(
            semconv::ERROR_TYPE,
            error_type(stage.result, detail).as_deref(),
        );
    let attrs = run_span_attrs(attrs, r, recipe)
        .adjusted(time)
        .extra(&stage.attributes)
        .build();
    vec![
        SpanParts {
            trace: recipe.trace_id(&r.run_id, r.attempt),
            id: recipe.stage_span_id(&r.run_id, r.attempt, &stage.name),
            parent: Some(recipe.root_span_id(&r.run_id, r.attempt)),
            name: stage.name.clone(),
            kind: SpanKind::Internal,
            time,
            attributes: attrs,
            status: span_status(stage.result, detail),
            links: Vec::new(),
        }
        .build(),
    ]
}
