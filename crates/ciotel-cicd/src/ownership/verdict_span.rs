//! The `verdict` span: who made a failed run fail, in a span of its own under the run's root.
//!
//! A run's verdict depends on other events than the run's own (its jobs), so it cannot live on
//! the root span: the root would be emitted once without it and again with it, or with two
//! different answers by two instances. The verdict span is written only once a verdict is
//! known, and its id is derived from the root span id and the failed jobs it summarises
//! ([`crate::ids::verdict_span_id`]): whoever writes it, whenever, the same id carries the
//! same content, and a verdict over more jobs is another span.
//!
//! It has no duration (it starts and ends when the run ended), `ciotel.span.type = verdict`,
//! and the `ciotel.failure.*` attributes of [`RunVerdict::attributes`] (for a Jenkins build,
//! judged as one job, those of [`super::JobVerdict::attributes`]).

use opentelemetry_proto::tonic::common::v1::{InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};

use super::log_verdict::{LogFinding, LogStatus};
use super::names::{self, rule};
use super::owner::FailureOwner;
use super::span_view::{SpanView, kv_str};
use super::verdict::{JobVerdict, RunVerdict};
use crate::ids::verdict_span_id_with_logs;
use crate::semconv;

/// The span's name.
pub const NAME: &str = "verdict";

/// The resource and instrumentation scope a verdict span is emitted with: always its run
/// root's, whichever batch writes it, since a backend keeps them with the span (a job's
/// resource may differ from its run's).
#[derive(Debug, Clone, PartialEq)]
pub struct Home {
    /// The root's resource.
    pub resource: Option<Resource>,
    /// The root's `ResourceSpans.schema_url`.
    pub resource_schema_url: String,
    /// The root's instrumentation scope.
    pub scope: Option<InstrumentationScope>,
    /// The root's `ScopeSpans.schema_url`.
    pub scope_schema_url: String,
}

impl Home {
    /// Where `groups[resource].scope_spans[scope]` sits; empty when out of range.
    pub fn of(groups: &[ResourceSpans], resource: usize, scope: usize) -> Home {
        let rs = groups.get(resource);
        let ss = rs.and_then(|r| r.scope_spans.get(scope));
        Home {
            resource: rs.and_then(|r| r.resource.clone()),
            resource_schema_url: rs.map(|r| r.schema_url.clone()).unwrap_or_default(),
            scope: ss.and_then(|s| s.scope.clone()),
            scope_schema_url: ss.map(|s| s.schema_url.clone()).unwrap_or_default(),
        }
    }

    /// `span` in a `ResourceSpans` of its own, with this resource and scope.
    pub fn holding(self, span: Span) -> ResourceSpans {
        ResourceSpans {
            resource: self.resource,
            scope_spans: vec![ScopeSpans {
                scope: self.scope,
                spans: vec![span],
                schema_url: self.scope_schema_url,
            }],
            schema_url: self.resource_schema_url,
        }
    }
}

/// The verdict span of the run whose root span is `root` (in trace `trace`, ended at `end`),
/// summarising the failed job spans `jobs`, carrying `verdict` (attributes of a
/// [`RunVerdict`] or [`JobVerdict`]). `logs` marks what came of each job log asked for
/// (`{job span id hex}={status}`; empty when none was): a verdict that read other logs, or
/// failed to, is another span ([`crate::ids::verdict_span_id_with_logs`]).
pub fn build(
    trace: &[u8],
    root: &[u8],
    end: u64,
    jobs: &[&[u8]],
    logs: &[String],
    verdict: Vec<KeyValue>,
) -> Span {
    let mut attributes = vec![kv_str(
        semconv::CIOTEL_SPAN_TYPE,
        semconv::span_type::VERDICT,
    )];
    attributes.extend(verdict);
    Span {
        trace_id: trace.to_vec(),
        span_id: verdict_span_id_with_logs(root, jobs, logs).0.to_vec(),
        parent_span_id: root.to_vec(),
        name: NAME.to_owned(),
        kind: SpanKind::Internal as i32,
        start_time_unix_nano: end,
        end_time_unix_nano: end,
        attributes,
        ..Default::default()
    }
}

/// Whether `view` is a verdict span.
pub fn is_verdict(view: &SpanView<'_>) -> bool {
    view.span_type().as_deref() == Some(semconv::span_type::VERDICT)
}

/// The run verdict a verdict span carries; `root` is the run's root span (for a Jenkins build
/// judged as one job, whose verdict names no job), `failed_jobs` the run's failed jobs seen.
pub fn read(
    verdict: &SpanView<'_>,
    root: &SpanView<'_>,
    failed_jobs: &[JobVerdict],
) -> Option<RunVerdict> {
    let owner = FailureOwner::parse(&verdict.attr(names::FAILURE_OWNER)?);
    let stored_rule = verdict.attr(names::FAILURE_RULE);
    let rule = match stored_rule.as_deref() {
        Some(rule::NO_JOBS) => rule::NO_JOBS,
        _ => rule::JOBS,
    };
    let reason = verdict.attr(names::FAILURE_REASON).unwrap_or_default();
    let first = match verdict.attr(names::FAILURE_JOB) {
        Some(name) => failed_jobs
            .iter()
            .find(|j| j.job == name)
            .cloned()
            .or_else(|| {
                Some(JobVerdict {
                    job: name,
                    owner,
                    span: verdict.attr(names::FAILURE_SPAN),
                    reason: reason.clone(),
                    rule: String::new(),
                    start: 0,
                    log: None,
                })
            }),
        // Judged as a job itself (Jenkins): the run is its own "job".
        None => verdict.attr(names::FAILURE_SPAN).map(|span| JobVerdict {
            job: root.span.name.clone(),
            owner,
            span: Some(span),
            reason: reason.clone(),
            rule: stored_rule.clone().unwrap_or_default(),
            start: root.span.start_time_unix_nano,
            log: None,
        }),
    };
    let log = verdict
        .attr(names::FAILURE_LOG)
        .and_then(|s| LogStatus::parse(&s))
        .map(|status| LogFinding {
            status,
            signature: stored_rule
                .as_deref()
                .and_then(|r| r.strip_prefix(names::LOG_RULE_PREFIX))
                .map(str::to_owned),
            owner: None,
            evidence: verdict.attr(names::FAILURE_EVIDENCE),
        });
    let first = first.map(|mut f| {
        if log.is_some() {
            f.log = log;
        }
        f
    });
    let jobs = verdict
        .attr(names::FAILURE_JOBS)
        .and_then(|j| j.parse().ok())
        .unwrap_or(failed_jobs.len());
    Some(RunVerdict {
        owner,
        first,
        jobs,
        rule,
        reason,
    })
}
