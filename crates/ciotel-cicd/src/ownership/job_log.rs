//! The `job_log` span: how a receiver with `api:` hands a failed job's log tail to the
//! `cicd_ownership` processor, inside the same batch as the job.
//!
//! A child of the job span (`ciotel.span.type = job_log`, id from the job span's), carrying
//! `ciotel.job_log.status` (`read` or `unavailable`), the tail (`ciotel.job_log.tail`, each
//! line's secrets already masked by the receiver) or why it could not be read
//! (`ciotel.job_log.error`). The processor reads it into the job's log verdict
//! ([`super::log_verdict`]) and removes it from the batch: it is transport, not telemetry.
//! Without a `cicd_ownership` processor in the pipeline it goes out as it is.

use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, Span};
use sha2::{Digest, Sha256};

use super::span_view::{SpanView, kv_str};
use crate::semconv;

/// `ciotel.job_log.status`: `read` or `unavailable`.
pub const STATUS: &str = "ciotel.job_log.status";
/// `ciotel.job_log.tail`: the end of the log, as read.
pub const TAIL: &str = "ciotel.job_log.tail";
/// `ciotel.job_log.error`: why the log could not be read.
pub const ERROR: &str = "ciotel.job_log.error";

/// What a receiver learnt of a failed job's log.
///
/// Exists so "the log said nothing" and "the log could not be read" stay apart: the second
/// makes the verdict say it fell back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobLog {
    /// The log's last bytes (whole lines), secrets masked.
    Read(String),
    /// Fetching failed for good (after retries, or the log is gone); why, for the daemon's log.
    Unavailable(String),
}

/// The `job_log` span of the job span `job` (in trace `trace`), ended at `end`.
pub fn span(trace: &[u8], job: &[u8], end: u64, log: &JobLog) -> Span {
    let mut attributes = vec![kv_str(
        semconv::CIOTEL_SPAN_TYPE,
        semconv::span_type::JOB_LOG,
    )];
    attributes.extend(match log {
        JobLog::Read(tail) => [kv_str(STATUS, "read"), kv_str(TAIL, tail)],
        JobLog::Unavailable(error) => [kv_str(STATUS, "unavailable"), kv_str(ERROR, error)],
    });
    let digest = Sha256::digest(format!("{}-log", hex::encode(job)).as_bytes());
    Span {
        trace_id: trace.to_vec(),
        span_id: digest[8..16].to_vec(),
        parent_span_id: job.to_vec(),
        name: semconv::span_type::JOB_LOG.to_owned(),
        kind: SpanKind::Internal as i32,
        start_time_unix_nano: end,
        end_time_unix_nano: end,
        attributes,
        ..Default::default()
    }
}

/// Puts `span` beside its job span (same resource and scope); false when the job is not in
/// `groups` (the span is then dropped: nothing could use it).
pub fn attach(groups: &mut [ResourceSpans], span: Span) -> bool {
    for ss in groups.iter_mut().flat_map(|rs| rs.scope_spans.iter_mut()) {
        if ss.spans.iter().any(|s| s.span_id == span.parent_span_id) {
            ss.spans.push(span);
            return true;
        }
    }
    false
}

/// Puts the `job_log` span of the job whose `cicd.pipeline.task.run.id` is `job_id` beside
/// it; false when that job span is not in `groups`.
pub fn attach_to_job(groups: &mut [ResourceSpans], job_id: &str, log: &JobLog) -> bool {
    let job = groups
        .iter()
        .flat_map(|rs| &rs.scope_spans)
        .flat_map(|ss| &ss.spans)
        .find(|s| {
            super::span_view::span_attr(s, semconv::CIOTEL_SPAN_TYPE).as_deref()
                == Some(semconv::span_type::JOB)
                && super::span_view::span_attr(s, semconv::CICD_PIPELINE_TASK_RUN_ID).as_deref()
                    == Some(job_id)
        })
        .map(|s| (s.trace_id.clone(), s.span_id.clone(), s.end_time_unix_nano));
    match job {
        Some((trace, span_id, end)) => attach(groups, span(&trace, &span_id, end, log)),
        None => false,
    }
}

/// The log a `job_log` span carries; `None` for any other span.
pub fn read(view: &SpanView<'_>) -> Option<JobLog> {
    if view.span_type().as_deref() != Some(semconv::span_type::JOB_LOG) {
        return None;
    }
    match view.attr(STATUS).as_deref() {
        Some("read") => Some(JobLog::Read(view.attr(TAIL).unwrap_or_default())),
        _ => Some(JobLog::Unavailable(view.attr(ERROR).unwrap_or_default())),
    }
}

/// Whether `span` is a `job_log` span.
pub fn is_job_log(span: &Span) -> bool {
    span.attributes.iter().any(|kv: &KeyValue| {
        kv.key == semconv::CIOTEL_SPAN_TYPE
            && matches!(
                kv.value.as_ref().and_then(|v| v.value.as_ref()),
                Some(opentelemetry_proto::tonic::common::v1::any_value::Value::StringValue(s))
                    if s == semconv::span_type::JOB_LOG
            )
    })
}

/// Removes every `job_log` span from `groups`, and the scopes and resources left empty.
pub fn remove_all(groups: &mut Vec<ResourceSpans>) {
    let mut removed = false;
    for ss in groups.iter_mut().flat_map(|rs| rs.scope_spans.iter_mut()) {
        let before = ss.spans.len();
        ss.spans.retain(|s| !is_job_log(s));
        removed |= ss.spans.len() != before;
    }
    if removed {
        for rs in groups.iter_mut() {
            rs.scope_spans.retain(|ss| !ss.spans.is_empty());
        }
        groups.retain(|rs| !rs.scope_spans.is_empty());
    }
}
