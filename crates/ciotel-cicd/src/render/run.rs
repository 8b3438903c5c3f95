//! What the renderer knows about one pipeline run attempt (one trace): its name, ids, time
//! window, outcome and verdicts, read from span attributes the translator and the
//! `cicd_ownership` processor wrote.

use crate::ownership::names;
use crate::ownership::owner::FailureOwner;
use crate::ownership::span_view::{Origin, SpanView};
use crate::ownership::tree::Forest;
use crate::ownership::verdict::{JobVerdict, RunVerdict, own_reason, summarise};
use crate::ownership::verdict_span;
use crate::semconv::{self, span_type};
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;

/// How a run ended, as far as the spans say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The run span says success.
    Passed,
    /// The run span says failure, error or timeout.
    Failed,
    /// The run span says cancelled.
    Cancelled,
    /// The run span says skipped.
    Skipped,
    /// No run span, but a job failed: the run has not reported its end (or it was not
    /// exported with these spans).
    Failing,
    /// No run span and no failed job.
    NoResult,
    /// A run span with a result ciotel does not classify.
    Other(String),
}

/// One run attempt, ready to render.
#[derive(Debug, Clone)]
pub struct RunView {
    /// Index into [`Forest::traces`].
    pub trace: usize,
    /// The run's root span, when present.
    pub root: Option<usize>,
    /// The heading: the run span's name, else `trace {id}`.
    pub title: String,
    /// `cicd.pipeline.run.id` of any of its spans.
    pub run_id: Option<String>,
    /// `ciotel.run.attempt`.
    pub attempt: Option<String>,
    /// `cicd.pipeline.name` of the resource.
    pub pipeline: Option<String>,
    /// `service.name` of the resource (the repository).
    pub service: Option<String>,
    /// The run's result word (`failure`, `success`, …), when its span says.
    pub result: Option<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// Verdicts of its failed jobs, by start time.
    pub failed_jobs: Vec<JobVerdict>,
    /// The run's verdict, when it failed (or is failing).
    pub verdict: Option<RunVerdict>,
}

impl RunView {
    /// Reads every trace of `forest`.
    pub fn all(forest: &Forest<'_>) -> Vec<RunView> {
        (0..forest.traces.len())
            .map(|t| RunView::read(forest, t))
            .collect()
    }

    /// Whether `--run ID` selects this run: its run id, or its trace id in hex.
    pub fn matches(&self, forest: &Forest<'_>, id: &str) -> bool {
        self.run_id.as_deref() == Some(id)
            || hex::encode(&forest.traces[self.trace].trace_id).eq_ignore_ascii_case(id)
    }

    fn read(forest: &Forest<'_>, t: usize) -> RunView {
        let trace = &forest.traces[t];
        let view = |n: usize| forest.nodes[n].view;
        let root = trace
            .roots
            .iter()
            .copied()
            .find(|&r| view(r).span_type().as_deref() == Some(span_type::RUN))
            .or_else(|| {
                // A platform that sends its run as one tree without ciotel's span types
                // (Jenkins): its root, when it is the only one.
                let platform_roots: Vec<usize> = trace
                    .roots
                    .iter()
                    .copied()
                    .filter(|&r| {
                        let v = view(r);
                        v.span_type().is_none()
                            && v.origin() == Origin::Platform
                            && v.span.parent_span_id.is_empty()
                    })
                    .collect();
                (platform_roots.len() == 1).then(|| platform_roots[0])
            });
        let first_attr = |key: &str| trace.nodes.iter().find_map(|&n| view(n).attr(key));
        let first_resource =
            |key: &str| trace.nodes.iter().find_map(|&n| view(n).resource_attr(key));
        let mut failed_jobs: Vec<JobVerdict> = trace
            .nodes
            .iter()
            .map(|&n| view(n))
            .filter(|v| {
                v.span_type().as_deref() == Some(span_type::JOB)
                    && v.failed()
                    && !v.allowed_to_fail()
            })
            .map(|v| JobVerdict::from_span(&v).unwrap_or_else(|| unjudged(&v)))
            .collect();
        failed_jobs.sort_by(|a, b| (a.start, &a.job).cmp(&(b.start, &b.job)));

        let result = root.and_then(|r| result_of(&view(r)));
        let outcome = match (root, result.as_deref()) {
            (Some(_), Some(semconv::result::SUCCESS)) => Outcome::Passed,
            (Some(_), Some(semconv::result::CANCELLATION)) => Outcome::Cancelled,
            (Some(_), Some(semconv::result::SKIP)) => Outcome::Skipped,
            (Some(r), _) if view(r).failed() => Outcome::Failed,
            (Some(_), Some(other)) => Outcome::Other(other.to_owned()),
            (Some(_), None) => Outcome::NoResult,
            (None, _) if !failed_jobs.is_empty() => Outcome::Failing,
            (None, _) => Outcome::NoResult,
        };
        let verdict = match (&outcome, root) {
            (Outcome::Failed, Some(r)) => Some(
                stored_run_verdict(forest, t, r, &failed_jobs).unwrap_or_else(|| {
                    summarise(failed_jobs.clone(), names::rule::JOBS, own_reason(&view(r)))
                }),
            ),
            (Outcome::Failing, _) => Some(summarise(
                failed_jobs.clone(),
                names::rule::JOBS,
                semconv::result::FAILURE.to_owned(),
            )),
            _ => None,
        };
        RunView {
            trace: t,
            root,
            title: root
                .map(|r| view(r).span.name.clone())
                .unwrap_or_else(|| format!("trace {}", hex::encode(&trace.trace_id))),
            run_id: first_attr(semconv::CICD_PIPELINE_RUN_ID),
            attempt: first_attr(semconv::CIOTEL_RUN_ATTEMPT),
            pipeline: first_resource(semconv::CICD_PIPELINE_NAME),
            service: first_resource(semconv::SERVICE_NAME),
            result,
            outcome,
            failed_jobs,
            verdict,
        }
    }
}

/// The run's result: `cicd.pipeline.result`, else one read from its status.
fn result_of(run: &SpanView<'_>) -> Option<String> {
    if let Some(r) = run.attr(semconv::CICD_PIPELINE_RESULT) {
        return Some(r);
    }
    match run.span.status.as_ref().map(|s| s.code) {
        Some(c) if c == StatusCode::Error as i32 => Some(semconv::result::FAILURE.to_owned()),
        Some(c) if c == StatusCode::Ok as i32 => Some(semconv::result::SUCCESS.to_owned()),
        _ => None,
    }
}

/// A failed job no processor judged: unknown, with its own reason.
fn unjudged(job: &SpanView<'_>) -> JobVerdict {
    JobVerdict {
        job: job.span.name.clone(),
        owner: FailureOwner::Unknown,
        span: None,
        reason: own_reason(job),
        rule: String::new(),
        start: job.span.start_time_unix_nano,
        log: None,
    }
}

/// Whether a verdict's first job's log was read (matched or not).
fn read_log(v: &RunVerdict) -> bool {
    v.first
        .as_ref()
        .and_then(|f| f.log.as_ref())
        .is_some_and(|l| l.status != crate::ownership::log_verdict::LogStatus::Unavailable)
}

/// The verdict of the run whose root span is `root`: that of its `verdict` span that
/// summarises the most jobs (then one that read its first job's log, then the lowest id),
/// when the processor wrote one.
fn stored_run_verdict(
    forest: &Forest<'_>,
    trace: usize,
    root: usize,
    failed_jobs: &[JobVerdict],
) -> Option<RunVerdict> {
    let root_view = forest.nodes[root].view;
    forest.traces[trace]
        .nodes
        .iter()
        .map(|&n| forest.nodes[n].view)
        .filter(|v| verdict_span::is_verdict(v) && v.span.parent_span_id == root_view.span.span_id)
        .filter_map(|v| {
            verdict_span::read(&v, &root_view, failed_jobs)
                .map(|verdict| (v.span.span_id.clone(), verdict))
        })
        .min_by(|(a_id, a), (b_id, b)| {
            b.jobs
                .cmp(&a.jobs)
                .then(read_log(b).cmp(&read_log(a)))
                .then(a_id.cmp(b_id))
        })
        .map(|(_, v)| v)
}
