//! The CI/CD metrics of the semantic conventions (v1.43), made from a receiver's events:
//!
//! | metric | type, unit | recorded | point attributes |
//! |---|---|---|---|
//! | `cicd.pipeline.run.duration` | histogram, `s` | a completed run attempt, once: `pending` (created → started, first attempts only) and `executing` (started → completed) | `cicd.pipeline.name`, `cicd.pipeline.run.state`, `cicd.pipeline.result` and `error.type` (executing; `error.type` when it failed) |
//! | `cicd.pipeline.run.errors` | counter, `{error}` | a run attempt that completed failed (failure, error, timeout), once | `cicd.pipeline.name`, `error.type` |
//! | `cicd.system.errors` | counter, `{error}` | a failed job whose ownership verdict is `platform`, once | `cicd.system.component`, `error.type`, `ciotel.failure.rule` |
//! | `cicd.pipeline.task.run.time_in_queue` (ciotel's own) | histogram, `s` | a job that started (created → started), once | `cicd.pipeline.name`, `cicd.pipeline.task.name`, `ciotel.worker.labels` |
//!
//! Every point's resource is the repository (`service.name`, `vcs.provider.name`,
//! `vcs.repository.name`, `vcs.repository.url.full`, `vcs.owner.name`), as on the spans. With
//! `metrics.per_run_attributes: true`, run points also carry `cicd.pipeline.run.id` and
//! `ciotel.run.attempt`, and queue points `cicd.pipeline.task.run.id` too: one series per run,
//! which is why the conventions make the `cicd.pipeline.run` entity opt-in.
//!
//! `error.type` is the platform's own word for the failure when it gave one (GitHub
//! `startup_failure`, GitLab `failure_reason`), else the result (`failure`, `timeout`, `error`),
//! as on the spans. The conventions' `finalizing` state is not recorded: no platform reports
//! when a run's clean-up ends. A re-run attempt's `pending` time is not recorded either:
//! GitHub's `created_at` is the first attempt's. A run with no start time (GitLab) records no
//! `pending`, and its `executing` time runs from its creation, as its span does.

use ciotel_core::pipeline::signals::MetricSource;
use opentelemetry_proto::tonic::metrics::v1::ResourceMetrics;
use opentelemetry_proto::tonic::trace::v1::ResourceSpans;
use std::sync::Mutex;

use super::config::MetricsConfig;
use super::dedup::{Counted, Key, Seen};
use super::instruments::{
    Attributes, Counter, Descriptor, Histogram, Instrument, Value, collect, push_str,
};
use crate::event::{CiEvent, CiResult, Job, Phase, PipelineRun, RunRef, Vcs};
use crate::ids::IdRecipe;
use crate::ownership::names::{self, rule};
use crate::ownership::{OwnershipConfig, OwnershipProcessor, VerdictCacheConfig};
use crate::semconv::{self, metric, run_state, system_component};
use crate::time::Timestamp;
use crate::translate::translate;

/// Bucket bounds of the duration histograms, in seconds: 5 s to 1 day, the range CI runs,
/// jobs and queue waits span (the SDKs' default bounds are made for milliseconds).
pub const DURATION_BOUNDS: &[f64] = &[
    5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0, 43200.0,
    86400.0,
];

const RUN_DURATION: Descriptor = Descriptor {
    name: metric::PIPELINE_RUN_DURATION,
    description: "Duration of a pipeline run grouped by pipeline, state and result.",
    unit: "s",
};
const RUN_ERRORS: Descriptor = Descriptor {
    name: metric::PIPELINE_RUN_ERRORS,
    description: "The number of errors encountered in pipeline runs (eg. compile, test failures).",
    unit: "{error}",
};
const SYSTEM_ERRORS: Descriptor = Descriptor {
    name: metric::SYSTEM_ERRORS,
    description: "The number of errors in a component of the CICD system (eg. controller, scheduler, agent).",
    unit: "{error}",
};
const TIME_IN_QUEUE: Descriptor = Descriptor {
    name: metric::TASK_RUN_TIME_IN_QUEUE,
    description: "The time a task run (job) waited from its creation until a worker started it.",
    unit: "s",
};

/// The event metrics of one receiver.
///
/// Exists as a [`MetricSource`]: the receiver records events into it, the sink collects it.
pub struct EventMetrics {
    per_run: bool,
    judge: OwnershipProcessor,
    start: u64,
    state: Mutex<State>,
}

struct State {
    seen: Seen,
    run_duration: Histogram,
    run_errors: Counter,
    system_errors: Counter,
    time_in_queue: Histogram,
}

impl EventMetrics {
    /// Empty metrics, cumulative from `start_unix_nano`; failed jobs are judged with
    /// `ownership` (the receiver's `cicd_ownership` processor's config, else the default).
    pub fn new(config: &MetricsConfig, ownership: OwnershipConfig, start_unix_nano: u64) -> Self {
        let max = config.max_series;
        // Each job is judged on its own: nothing is remembered across events.
        let ownership = OwnershipConfig {
            verdict_cache: VerdictCacheConfig {
                max_runs: 0,
                ..ownership.verdict_cache
            },
            ..ownership
        };
        EventMetrics {
            per_run: config.per_run_attributes,
            judge: OwnershipProcessor::new(ownership),
            start: start_unix_nano,
            state: Mutex::new(State {
                seen: Seen::new(config.deduplication),
                run_duration: Histogram::new(RUN_DURATION, DURATION_BOUNDS, max),
                run_errors: Counter::new(RUN_ERRORS, max),
                system_errors: Counter::new(SYSTEM_ERRORS, max),
                time_in_queue: Histogram::new(TIME_IN_QUEUE, DURATION_BOUNDS, max),
            }),
        }
    }

    /// Counts what `events` complete or start, each run attempt and job once.
    pub fn record(&self, events: &[CiEvent]) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        for event in events {
            match event {
                CiEvent::Run(run) => self.run(&mut state, run),
                CiEvent::DownstreamRun(d) => self.run(&mut state, &d.run),
                CiEvent::Job(job) => self.job(&mut state, job),
                CiEvent::Stage(_) => {}
            }
        }
    }

    fn run(&self, state: &mut State, run: &PipelineRun) {
        if run.phase != Phase::Completed || !state.seen.first(key(Counted::Run, &run.run, "")) {
            return;
        }
        let resource = resource(&run.run);
        let mut base = Attributes::new();
        push_str(
            &mut base,
            semconv::CICD_PIPELINE_NAME,
            run.run.pipeline_name.as_deref(),
        );
        if self.per_run {
            run_attributes(&mut base, &run.run);
        }
        let error = error_type(run.result, run.result_detail.as_deref());
        if run.run.attempt <= 1
            && let Some(seconds) = seconds(run.created_at, run.started_at)
        {
            let mut attrs = base.clone();
            attrs.push((
                semconv::CICD_PIPELINE_RUN_STATE,
                Value::Str(run_state::PENDING.into()),
            ));
            state.run_duration.record(&resource, attrs, seconds);
        }
        let started = run.started_at.or(run.created_at);
        if let Some(seconds) = seconds(started, run.completed_at) {
            let mut attrs = base.clone();
            attrs.push((
                semconv::CICD_PIPELINE_RUN_STATE,
                Value::Str(run_state::EXECUTING.into()),
            ));
            push_str(
                &mut attrs,
                semconv::CICD_PIPELINE_RESULT,
                run.result.map(CiResult::as_str),
            );
            push_str(&mut attrs, semconv::ERROR_TYPE, error.as_deref());
            state.run_duration.record(&resource, attrs, seconds);
        }
        if let Some(error) = error {
            let mut attrs = base;
            attrs.push((semconv::ERROR_TYPE, Value::Str(error)));
            state.run_errors.add(&resource, attrs, 1);
        }
    }

    fn job(&self, state: &mut State, job: &Job) {
        let started = matches!(job.phase, Phase::Running | Phase::Completed)
            && job.result != Some(CiResult::Skip);
        if started
            && let Some(seconds) = seconds(job.created_at, job.started_at)
            && state.seen.first(key(Counted::Queue, &job.run, &job.id))
        {
            let mut attrs = Attributes::new();
            push_str(
                &mut attrs,
                semconv::CICD_PIPELINE_NAME,
                job.run.pipeline_name.as_deref(),
            );
            attrs.push((
                semconv::CICD_PIPELINE_TASK_NAME,
                Value::Str(job.name.clone()),
            ));
            let mut labels = job
                .runner
                .as_ref()
                .map(|r| r.labels.clone())
                .unwrap_or_default();
            labels.sort();
            labels.dedup();
            if !labels.is_empty() {
                attrs.push((semconv::CIOTEL_WORKER_LABELS, Value::Strs(labels)));
            }
            if self.per_run {
                run_attributes(&mut attrs, &job.run);
                attrs.push((
                    semconv::CICD_PIPELINE_TASK_RUN_ID,
                    Value::Str(job.id.clone()),
                ));
            }
            state
                .time_in_queue
                .record(&resource(&job.run), attrs, seconds);
        }
        let failed = error_type(job.result, job.result_detail.as_deref());
        if job.phase != Phase::Completed
            || failed.is_none()
            || !state.seen.first(key(Counted::Job, &job.run, &job.id))
        {
            return;
        }
        if let Some((component, rule)) = self.platform_failure(job) {
            let attrs = vec![
                (semconv::CICD_SYSTEM_COMPONENT, Value::Str(component.into())),
                (semconv::ERROR_TYPE, Value::Str(failed.unwrap_or_default())),
                (names::FAILURE_RULE, Value::Str(rule)),
            ];
            state.system_errors.add(&resource(&job.run), attrs, 1);
        }
    }

    /// The component and verdict rule when the job's ownership verdict is `platform`.
    fn platform_failure(&self, job: &Job) -> Option<(&'static str, String)> {
        let mut spans = translate(&CiEvent::Job(job.clone()), IdRecipe::default());
        self.judge.process(&mut spans);
        let verdict = job_verdict(&spans)?;
        if verdict.owner != "platform" {
            return None;
        }
        let component = component(&verdict.rule, verdict.span.as_deref(), &verdict.reason);
        Some((component, verdict.rule))
    }
}

impl MetricSource for EventMetrics {
    fn collect(&self, now_unix_nano: u64) -> Vec<ResourceMetrics> {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        collect(
            &[
                Instrument::Histogram(&state.run_duration),
                Instrument::Counter(&state.run_errors),
                Instrument::Counter(&state.system_errors),
                Instrument::Histogram(&state.time_in_queue),
            ],
            self.start,
            now_unix_nano,
        )
    }
}

/// What the ownership processor wrote on a job span.
struct Verdict {
    owner: String,
    rule: String,
    span: Option<String>,
    reason: String,
}

fn job_verdict(groups: &[ResourceSpans]) -> Option<Verdict> {
    let job = groups
        .iter()
        .flat_map(|rs| &rs.scope_spans)
        .flat_map(|ss| &ss.spans)
        .find(|s| attr(&s.attributes, semconv::CIOTEL_SPAN_TYPE).as_deref() == Some("job"))?;
    let get = |k: &str| attr(&job.attributes, k);
    Some(Verdict {
        owner: get(names::FAILURE_OWNER)?,
        rule: get(names::FAILURE_RULE).unwrap_or_default(),
        span: get(names::FAILURE_SPAN),
        reason: get(names::FAILURE_REASON).unwrap_or_default(),
    })
}

fn attr(attrs: &[opentelemetry_proto::tonic::common::v1::KeyValue], key: &str) -> Option<String> {
    use opentelemetry_proto::tonic::common::v1::any_value::Value as V;
    attrs
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref()?.value.as_ref())
        .and_then(|v| match v {
            V::StringValue(s) => Some(s.clone()),
            _ => None,
        })
}

/// Which part of the CI/CD system a platform verdict points at:
///
/// | verdict | `cicd.system.component` |
/// |---|---|
/// | `failure_reason` `runner_*` | `agent` |
/// | `failure_reason` `stuck_*`, `no_matching_runner`, `no_updates_*`, `scheduler_failure`, `server_timeout_canceling` | `scheduler` |
/// | `failure_reason`, any other | `controller` |
/// | `no_runner`, or another rule whose failing span is the queue | `scheduler` |
/// | `failing_step` (a platform step), `no_failing_step` (runner lost), `timeout` | `agent` |
pub fn component(rule_name: &str, span: Option<&str>, reason: &str) -> &'static str {
    if rule_name != rule::FAILURE_REASON {
        return if rule_name == rule::NO_RUNNER || span == Some("queue") {
            system_component::SCHEDULER
        } else {
            system_component::AGENT
        };
    }
    // The platform's own reason says more than where the job stopped.
    if reason.starts_with("runner_") {
        system_component::AGENT
    } else if reason.starts_with("stuck_")
        || reason.starts_with("no_updates_")
        || matches!(
            reason,
            "no_matching_runner" | "scheduler_failure" | "server_timeout_canceling"
        )
    {
        system_component::SCHEDULER
    } else {
        system_component::CONTROLLER
    }
}

/// The run attempt (or one of its jobs) a metric counts once.
fn key(what: Counted, run: &RunRef, job: &str) -> Key {
    (
        what,
        run.vcs.provider.clone().unwrap_or_default(),
        run.vcs.repository_full_name.clone().unwrap_or_default(),
        run.run_id.clone(),
        run.attempt,
        job.to_owned(),
    )
}

/// The run's repository, as the spans' resource names it.
fn resource(run: &RunRef) -> Attributes {
    repository(&run.vcs)
}

/// A repository as a metrics resource: the spans' resource attributes, without the pipeline.
pub(super) fn repository(vcs: &Vcs) -> Attributes {
    let mut out = Attributes::new();
    push_str(
        &mut out,
        semconv::SERVICE_NAME,
        Some(
            vcs.repository_full_name
                .as_deref()
                .unwrap_or("unknown_service:ciotel"),
        ),
    );
    push_str(
        &mut out,
        semconv::VCS_PROVIDER_NAME,
        vcs.provider.as_deref(),
    );
    push_str(
        &mut out,
        semconv::VCS_REPOSITORY_URL_FULL,
        vcs.repository_url.as_deref(),
    );
    push_str(
        &mut out,
        semconv::VCS_REPOSITORY_NAME,
        vcs.repository_name.as_deref(),
    );
    push_str(&mut out, semconv::VCS_OWNER_NAME, vcs.owner.as_deref());
    out
}

/// `cicd.pipeline.run.id` and `ciotel.run.attempt` (opt-in).
fn run_attributes(attrs: &mut Attributes, run: &RunRef) {
    attrs.push((
        semconv::CICD_PIPELINE_RUN_ID,
        Value::Str(run.run_id.clone()),
    ));
    attrs.push((
        semconv::CIOTEL_RUN_ATTEMPT,
        Value::Int(i64::from(run.attempt)),
    ));
}

/// `error.type` of a failed result: the platform's word, else the result; none otherwise.
fn error_type(result: Option<CiResult>, detail: Option<&str>) -> Option<String> {
    let r =
        result.filter(|r| matches!(r, CiResult::Failure | CiResult::Error | CiResult::Timeout))?;
    Some(detail.unwrap_or(r.as_str()).to_owned())
}

/// Seconds from `from` to `to`, when both are known and in order.
fn seconds(from: Option<Timestamp>, to: Option<Timestamp>) -> Option<f64> {
    let (from, to) = (from?.as_unix_nanos(), to?.as_unix_nanos());
    // Nanoseconds to seconds: precision loss only past 104 days, far beyond any CI run.
    #[allow(clippy::cast_precision_loss)]
    to.checked_sub(from).map(|n| n as f64 / 1e9)
}
