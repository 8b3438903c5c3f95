//! A completed run for a change → `RUN {pipeline}` under the change root, linked to the root
//! span of the run's own trace. Same times and result as the run's root span.

use opentelemetry_proto::tonic::trace::v1::Span;

use super::{ChangeSpan, change_attrs, run_link};
use crate::change::{ChangeRun, RunLink};
use crate::event::Phase;
use crate::ids::IdRecipe;
use crate::semconv::{self, link_type, span_type};
use crate::translate::status::{error_type, span_status};
use crate::translate::timing::ordered;

pub(super) fn spans(r: &ChangeRun, recipe: IdRecipe) -> Vec<Span> {
    let run = &r.run;
    if run.phase != Phase::Completed {
        return Vec::new();
    }
    let Some(start) = run.started_at.or(run.created_at) else {
        return Vec::new();
    };
    let time = ordered(start, run.completed_at.unwrap_or(start));
    let key = &run.run;
    let attempt = if recipe.uses_attempts() {
        key.attempt
    } else {
        1
    };
    let name = match key.pipeline_name.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => format!("{} {p}", semconv::action::RUN),
        None => semconv::action::RUN.to_owned(),
    };
    let detail = run.result_detail.as_deref();
    let attrs = change_attrs(&r.change, span_type::CHANGE_RUN)
        .str(semconv::CICD_PIPELINE_NAME, key.pipeline_name.as_deref())
        .str(semconv::CICD_PIPELINE_RUN_ID, Some(&key.run_id))
        .int(
            semconv::CIOTEL_RUN_ATTEMPT,
            recipe.uses_attempts().then_some(i64::from(key.attempt)),
        )
        .str(semconv::CICD_PIPELINE_RUN_URL_FULL, run.url.as_deref())
        .str(
            semconv::CICD_PIPELINE_RESULT,
            run.result.map(|x| x.as_str()),
        )
        .str(
            semconv::ERROR_TYPE,
            error_type(run.result, detail).as_deref(),
        )
        .str(semconv::VCS_REF_HEAD_NAME, key.vcs.head_ref.as_deref())
        .str(
            semconv::VCS_REF_HEAD_REVISION,
            key.vcs.head_revision.as_deref(),
        )
        .str(
            semconv::CIOTEL_RUN_TRIGGER_EVENT,
            run.trigger_event.as_deref(),
        );
    let links = if r.has_run_trace {
        let target = RunLink {
            run_id: key.run_id.clone(),
            attempt: key.attempt,
            job_id: None,
        };
        vec![run_link(&target, recipe, link_type::RUN)]
    } else {
        Vec::new()
    };
    vec![
        ChangeSpan {
            change: &r.change,
            id: r.change.ids().run_span_id(&key.run_id, attempt),
            parent: None,
            name,
            time,
            attributes: attrs,
            status: span_status(run.result, detail),
            links,
        }
        .build(),
    ]
}
