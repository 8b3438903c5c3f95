//! A job → its `queue` span as soon as it runs; the job span and step spans once it completed.
//!
//! Times: the job span runs from `created_at` to `completed_at` (the queue is part of a job's
//! life), the queue span from `created_at` to `started_at`, each step from its `started_at` to
//! its `completed_at` clamped into the job span. Steps that never started get no span.

use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;

use super::otlp::{Attrs, SpanParts};
use super::resource::run_span_attrs;
use super::status::{error_type, span_status};
use super::timing::{Interval, ordered, within};
use crate::event::{Job, Phase, Step};
use crate::ids::{IdRecipe, JobKey, StepKey, TraceId, occurrences};
use crate::semconv;

/// Ids shared by all spans of one job.
struct Ctx<'a> {
    trace: TraceId,
    key: JobKey<'a>,
    recipe: IdRecipe,
}

pub(super) fn spans(job: &Job, recipe: IdRecipe) -> Vec<Span> {
    let ctx = Ctx {
        trace: recipe.trace_id(&job.run.run_id, job.run.attempt),
        key: JobKey {
            run_id: &job.run.run_id,
            run_attempt: job.run.attempt,
            job_id: &job.id,
            job_name: &job.name,
        },
        recipe,
    };
    match job.phase {
        Phase::Pending => Vec::new(),
        Phase::Running => queue_span(&ctx, job).into_iter().collect(),
        Phase::Completed => {
            let mut out = Vec::with_capacity(job.steps.len() + 2);
            let window = job_window(job);
            if let Some(window) = window {
                out.push(job_span(&ctx, job, window));
            }
            out.extend(queue_span(&ctx, job));
            out.extend(step_spans(&ctx, job, window));
            out
        }
    }
}

/// The job span's interval: created (or started) → completed (or the last thing seen).
fn job_window(job: &Job) -> Option<Interval> {
    let start = job.created_at.or(job.started_at).or(job.completed_at)?;
    let last_step = job
        .steps
        .iter()
        .filter_map(|s| s.completed_at.or(s.started_at))
        .max();
    let end = job
        .completed_at
        .or(last_step)
        .or(job.started_at)
        .unwrap_or(start);
    Some(ordered(start, end))
}

fn job_span(ctx: &Ctx<'_>, job: &Job, time: Interval) -> Span {
    let detail = job.result_detail.as_deref();
    let runner = job.runner.clone().unwrap_or_default();
    let attrs = Attrs::default()
        .str(semconv::CIOTEL_SPAN_TYPE, Some(semconv::span_type::JOB))
        .str(semconv::CICD_PIPELINE_TASK_NAME, Some(&job.name))
        .str(semconv::CICD_PIPELINE_TASK_RUN_ID, Some(&job.id))
        .str(semconv::CICD_PIPELINE_TASK_RUN_URL_FULL, job.url.as_deref())
        .str(
            semconv::CICD_PIPELINE_TASK_RUN_RESULT,
            job.result.map(|r| r.as_str()),
        )
        .str(
            semconv::ERROR_TYPE,
            error_type(job.result, detail).as_deref(),
        );
    let attrs = run_span_attrs(attrs, &job.run, ctx.recipe)
        .str(semconv::CIOTEL_STAGE_NAME, job.stage.as_deref())
        .str(semconv::CICD_WORKER_ID, runner.id.as_deref())
        .str(semconv::CICD_WORKER_NAME, runner.name.as_deref())
        .strs(semconv::CIOTEL_WORKER_LABELS, &runner.labels)
        .str(semconv::CIOTEL_WORKER_GROUP_ID, runner.group_id.as_deref())
        .str(
            semconv::CIOTEL_WORKER_GROUP_NAME,
            runner.group_name.as_deref(),
        )
        .adjusted(time)
        .extra(&job.attributes)
        .build();
    let r = &job.run;
    let parent = match &job.stage {
        Some(stage) => ctx.recipe.stage_span_id(&r.run_id, r.attempt, stage),
        None => ctx.recipe.root_span_id(&r.run_id, r.attempt),
    };
    SpanParts {
        trace: ctx.trace,
        id: ctx.recipe.job_span_id(&ctx.key),
        parent: Some(parent),
        name: job.name.clone(),
        kind: SpanKind::Internal,
        time,
        attributes: attrs,
        status: span_status(job.result, detail),
        links: Vec::new(),
    }
    .build()
}

/// created → started; for a job that completed without starting, created → completed.
/// Only fields that do not change once the job started are used, so the running and the
/// completed event produce the same span.
fn queue_span(ctx: &Ctx<'_>, job: &Job) -> Option<Span> {
    let created = job.created_at?;
    let started = match job.phase {
        Phase::Completed => job.started_at.or(job.completed_at)?,
        _ => job.started_at?,
    };
    let time = ordered(created, started);
    let labels = job
        .runner
        .as_ref()
        .map(|r| r.labels.as_slice())
        .unwrap_or_default();
    let attrs = Attrs::default()
        .str(semconv::CIOTEL_SPAN_TYPE, Some(semconv::span_type::QUEUE))
        .strs(semconv::CIOTEL_WORKER_LABELS, labels)
        .adjusted(time)
        .build();
    Some(
        SpanParts {
            trace: ctx.trace,
            id: ctx.recipe.queue_span_id(&ctx.key),
            parent: Some(ctx.recipe.job_span_id(&ctx.key)),
            name: semconv::span_type::QUEUE.to_owned(),
            kind: SpanKind::Internal,
            time,
            attributes: attrs,
            status: Default::default(),
            links: Vec::new(),
        }
        .build(),
    )
}

fn step_spans(ctx: &Ctx<'_>, job: &Job, window: Option<Interval>) -> Vec<Span> {
    let seen = occurrences(job.steps.iter().map(|s| s.name.as_str()));
    job.steps
        .iter()
        .zip(seen)
        .filter_map(|(step, occurrence)| step_span(ctx, step, occurrence, window))
        .collect()
}

fn step_span(
    ctx: &Ctx<'_>,
    step: &Step,
    occurrence: u32,
    window: Option<Interval>,
) -> Option<Span> {
    let start = step.started_at?;
    let end = step.completed_at.or(window.map(|w| w.end)).unwrap_or(start);
    let time = match window {
        Some(w) => within(start, end, w),
        None => ordered(start, end),
    };
    let detail = step.result_detail.as_deref();
    let attrs = Attrs::default()
        .str(semconv::CIOTEL_SPAN_TYPE, Some(semconv::span_type::STEP))
        .str(semconv::CIOTEL_STEP_NAME, Some(&step.name))
        .int(semconv::CIOTEL_STEP_NUMBER, step.number.map(i64::from))
        .str(semconv::CIOTEL_STEP_RESULT, step.result.map(|r| r.as_str()))
        .str(
            semconv::ERROR_TYPE,
            error_type(step.result, detail).as_deref(),
        )
        .adjusted(time)
        .extra(&step.attributes)
        .build();
    let key = StepKey {
        name: &step.name,
        occurrence,
        number: step.number,
    };
    Some(
        SpanParts {
            trace: ctx.trace,
            id: ctx.recipe.step_span_id(&ctx.key, &key),
            parent: Some(ctx.recipe.job_span_id(&ctx.key)),
            name: step.name.clone(),
            kind: SpanKind::Internal,
            time,
            attributes: attrs,
            status: span_status(step.result, detail),
            links: Vec::new(),
        }
        .build(),
    )
}
