//! A hung job → one OTLP log record (severity WARN) saying which job, since when, and the
//! threshold it broke; its trace and span ids are the job span's, so a backend shows it on
//! the run's trace once the run is emitted.
//!
//! | attribute | value |
//! |---|---|
//! | `cicd.pipeline.name`, `cicd.pipeline.run.id` | the run |
//! | `cicd.pipeline.task.name`, `cicd.pipeline.task.run.id`, `cicd.pipeline.task.run.url.full` | the job |
//! | `cicd.worker.name` | the runner, once one picked it up |
//! | `vcs.ref.head.name` | the branch or tag built |
//! | `ciotel.task.state` | `pending` (queued) or `executing` (running) |
//! | `ciotel.hung.rule` | `queued_after`, `running_after` or `p95_factor` |
//! | `ciotel.hung.threshold` | the threshold, in seconds |
//! | `ciotel.hung.since` | since when it is in its state (RFC 3339) |
//! | `ciotel.hung.duration` | how long, in seconds |
//!
//! The event name is `ciotel.task.hung`; the resource is the repository's (`otlp.rs`).

use std::collections::BTreeMap;
use std::time::Duration;

use opentelemetry_proto::tonic::common::v1::{AnyValue, any_value};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs, SeverityNumber};

use super::entry::LiveState;
use super::hung::{HungJob, HungRule};
use super::otlp::{int_kv, present, repository_resource, scope};
use crate::ids::{IdRecipe, JobKey};
use crate::semconv;
use crate::time::Timestamp;

/// The `event_name` of a hung job's log record.
pub const HUNG_EVENT: &str = "ciotel.task.hung";
/// Attribute: `pending` or `executing`.
pub const TASK_STATE: &str = "ciotel.task.state";
/// Attribute: the rule broken (its config key).
pub const HUNG_RULE: &str = "ciotel.hung.rule";
/// Attribute: the rule's threshold in seconds.
pub const HUNG_THRESHOLD: &str = "ciotel.hung.threshold";
/// Attribute: since when (RFC 3339).
pub const HUNG_SINCE: &str = "ciotel.hung.since";
/// Attribute: for how long, in seconds.
pub const HUNG_DURATION: &str = "ciotel.hung.duration";

/// The log records of `hung` at `now`, one `ResourceLogs` per repository; span ids by `recipe`.
pub fn hung_logs(hung: &[&HungJob], now: Timestamp, recipe: IdRecipe) -> Vec<ResourceLogs> {
    let mut by_repo: BTreeMap<(String, Option<String>), Vec<LogRecord>> = BTreeMap::new();
    for h in hung {
        let e = &h.entry;
        by_repo
            .entry((e.key.provider.clone(), e.repository.clone()))
            .or_default()
            .push(record(h, now, recipe));
    }
    by_repo
        .into_iter()
        .map(|((provider, repo), log_records)| ResourceLogs {
            resource: Some(repository_resource(&provider, repo.as_deref())),
            scope_logs: vec![ScopeLogs {
                scope: scope(),
                log_records,
                ..Default::default()
            }],
            ..Default::default()
        })
        .collect()
}

fn record(h: &HungJob, now: Timestamp, recipe: IdRecipe) -> LogRecord {
    let e = &h.entry;
    let job_name = e.job_name.as_deref().unwrap_or("");
    let key = JobKey {
        run_id: &e.run_id,
        run_attempt: e.attempt,
        job_id: &e.key.id,
        job_name,
    };
    let mut attributes = present(&[
        (semconv::CICD_PIPELINE_NAME, e.pipeline_name.as_deref()),
        (semconv::CICD_PIPELINE_RUN_ID, Some(&e.run_id)),
        (semconv::CICD_PIPELINE_TASK_NAME, Some(job_name)),
        (semconv::CICD_PIPELINE_TASK_RUN_ID, Some(&e.key.id)),
        (semconv::CICD_PIPELINE_TASK_RUN_URL_FULL, e.url.as_deref()),
        (semconv::CICD_WORKER_NAME, e.runner_name.as_deref()),
        (semconv::VCS_REF_HEAD_NAME, e.head_ref.as_deref()),
        (TASK_STATE, Some(e.state.as_str())),
        (HUNG_RULE, Some(h.rule.key())),
        (HUNG_SINCE, Some(&e.since().to_rfc3339())),
    ]);
    attributes.push(int_kv(HUNG_THRESHOLD, secs(h.rule.threshold())));
    attributes.push(int_kv(HUNG_DURATION, secs(h.age)));
    LogRecord {
        time_unix_nano: now.as_unix_nanos(),
        observed_time_unix_nano: now.as_unix_nanos(),
        severity_number: SeverityNumber::Warn as i32,
        severity_text: "WARN".to_owned(),
        body: Some(AnyValue {
            value: Some(any_value::Value::StringValue(body(h))),
        }),
        attributes,
        trace_id: recipe.trace_id(&e.run_id, e.attempt).0.to_vec(),
        span_id: recipe.job_span_id(&key).0.to_vec(),
        event_name: HUNG_EVENT.to_owned(),
        ..Default::default()
    }
}

/// "job `build` of `CI` in acme/app (run 100) has been running for 2h 5m, since
/// 2026-12-04T10:01:00Z: over running_after 2h".
fn body(h: &HungJob) -> String {
    let e = &h.entry;
    let doing = match e.state {
        LiveState::Pending => "queued",
        LiveState::Executing => "running",
    };
    let rule = match h.rule {
        HungRule::QueuedAfter(d) => format!("queued_after {}", human(d)),
        HungRule::RunningAfter(d) => format!("running_after {}", human(d)),
        HungRule::P95 { factor, p95 } => format!(
            "{} ({factor} × its recent p95 of {})",
            human(h.rule.threshold()),
            human(p95)
        ),
    };
    let runner = e
        .runner_name
        .as_deref()
        .map(|r| format!(" on {r}"))
        .unwrap_or_default();
    format!(
        "job `{}` of `{}` in {} (run {}) has been {doing}{runner} for {}, since {}: over {rule}",
        e.job_name.as_deref().unwrap_or(&e.key.id),
        e.pipeline_name.as_deref().unwrap_or("?"),
        e.repository.as_deref().unwrap_or("an unnamed repository"),
        e.run_id,
        human(h.age),
        e.since().to_rfc3339(),
    )
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// `2h 5m`, `12m 3s`, `40s`.
fn human(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, s % 3600 / 60, s % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m {s}s"),
        (h, 0, _) => format!("{h}h"),
        (h, m, _) => format!("{h}h {m}m"),
    }
}
