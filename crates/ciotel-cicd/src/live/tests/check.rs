//! The periodic check (a hung job's WARN record while it is hung, and not after) and the
//! board's gauges (the sums a backend reads).

use std::time::Duration;

use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::logs::v1::LogRecord;
use opentelemetry_proto::tonic::metrics::v1::{ResourceMetrics, metric::Data, number_data_point};

use super::*;
use crate::event::Phase;
use crate::ids::IdRecipe;

fn records(out: &CheckOutput) -> Vec<&LogRecord> {
    out.logs
        .iter()
        .flat_map(|r| &r.scope_logs)
        .flat_map(|s| &s.log_records)
        .collect()
}

fn attr<'a>(r: &'a LogRecord, key: &str) -> Option<&'a Value> {
    r.attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(|v| v.value.as_ref())
}

/// The value of `metric` at the data point with `attrs` (every pair must match).
fn point(metrics: &[ResourceMetrics], metric: &str, attrs: &[(&str, &str)]) -> Option<i64> {
    metrics
        .iter()
        .flat_map(|r| &r.scope_metrics)
        .flat_map(|s| &s.metrics)
        .filter(|m| m.name == metric)
        .filter_map(|m| match &m.data {
            Some(Data::Sum(sum)) if !sum.is_monotonic => Some(&sum.data_points),
            _ => None,
        })
        .flatten()
        .find(|p| {
            attrs.iter().all(|(k, v)| {
                p.attributes.iter().any(|kv| {
                    kv.key == *k
                        && kv.value.as_ref().and_then(|v| v.value.as_ref())
                            == Some(&Value::StringValue((*v).to_string()))
                })
            })
        })
        .and_then(|p| match p.value {
            Some(number_data_point::Value::AsInt(v)) => Some(v),
            _ => None,
        })
}

fn with_log_interval(b: LiveBoard, every: Duration) -> LiveBoard {
    let mut config = b.config().clone();
    config.hung.log_interval = every;
    LiveBoard::new(b.name(), &config)
}

#[test]
fn a_hung_job_is_logged_at_first_then_every_log_interval_and_not_after_it_ends() {
    let b = with_log_interval(hung_board(0, 600, 0), Duration::from_secs(300));
    b.observe_at(&run(Phase::Running), now());
    b.observe_at(&job("7", Phase::Running), now());
    let mut check = LiveCheck::new(b.clone(), IdRecipe::CheckRun);
    // Running since 10:01; 10 minutes are allowed.
    assert!(records(&check.check(t("2026-12-04T10:11:00Z"))).is_empty());
    let first = check.check(t("2026-12-04T10:11:01Z"));
    let logged = records(&first);
    assert_eq!(logged.len(), 1);
    let r = logged[0];
    assert_eq!(r.severity_text, "WARN");
    assert_eq!(r.event_name, HUNG_EVENT);
    let body = match r.body.as_ref().and_then(|b| b.value.as_ref()) {
        Some(Value::StringValue(s)) => s.clone(),
        other => panic!("body {other:?}"),
    };
    assert!(
        body.contains("job `build`")
            && body.contains("acme/app")
            && body.contains("running on runner-7")
            && body.contains("since 2026-12-04T10:01:00Z")
            && body.contains("running_after 10m"),
        "{body}"
    );
    assert_eq!(
        attr(r, HUNG_RULE),
        Some(&Value::StringValue("running_after".into()))
    );
    assert_eq!(attr(r, HUNG_THRESHOLD), Some(&Value::IntValue(600)));
    assert_eq!(
        attr(r, "cicd.pipeline.task.run.id"),
        Some(&Value::StringValue("7".into()))
    );
    assert_eq!(
        attr(r, "cicd.worker.name"),
        Some(&Value::StringValue("runner-7".into()))
    );
    let recipe = IdRecipe::CheckRun;
    assert_eq!(r.trace_id, recipe.trace_id("100", 1).0.to_vec());
    let key = crate::ids::JobKey {
        run_id: "100",
        run_attempt: 1,
        job_id: "7",
        job_name: "build",
    };
    assert_eq!(
        r.span_id,
        recipe.job_span_id(&key).0.to_vec(),
        "the job span's id"
    );
    let resource = first.logs[0]
        .resource
        .as_ref()
        .map(|r| r.attributes.clone())
        .unwrap_or_default();
    assert!(resource.iter().any(|kv| kv.key == "service.name"
        && kv.value.as_ref().and_then(|v| v.value.as_ref())
            == Some(&Value::StringValue("acme/app".into()))));

    assert!(
        records(&check.check(t("2026-12-04T10:12:00Z"))).is_empty(),
        "within log_interval"
    );
    assert_eq!(
        records(&check.check(t("2026-12-04T10:16:01Z"))).len(),
        1,
        "log_interval later"
    );
    b.observe_at(&job("7", Phase::Completed), now());
    let after = check.check(t("2026-12-04T10:30:00Z"));
    assert!(records(&after).is_empty());
    assert_eq!(after.hung, 0);
}

#[test]
fn metrics_count_active_runs_busy_runners_and_hung_jobs_and_zero_what_went() {
    let b = hung_board(600, 0, 0);
    b.observe_at(&run(Phase::Running), now());
    b.observe_at(&job("1", Phase::Running), now());
    b.observe_at(&job("2", Phase::Pending), now());
    let gauges = LiveMetrics::new(b.clone());
    let m = &gauges.at(now());
    let run_active = [
        ("cicd.pipeline.name", "CI"),
        ("cicd.pipeline.run.state", "executing"),
    ];
    assert_eq!(point(m, RUN_ACTIVE, &run_active), Some(1));
    assert_eq!(
        point(m, WORKER_COUNT, &[("cicd.worker.state", "busy")]),
        Some(1)
    );
    // Job 2 is queued since 10:00, an hour; 10 minutes are allowed. Job 1 runs (no rule).
    let hung = [
        ("cicd.pipeline.task.name", "build"),
        (TASK_STATE, "pending"),
        (HUNG_RULE, "queued_after"),
    ];
    assert_eq!(point(m, TASK_HUNG, &hung), Some(1));

    b.observe_at(&run(Phase::Completed), now());
    let gone = gauges.at(t("2026-12-04T11:00:30Z"));
    assert_eq!(
        point(&gone, RUN_ACTIVE, &run_active),
        Some(0),
        "reported once as 0"
    );
    assert_eq!(point(&gone, TASK_HUNG, &hung), Some(0));
    assert_eq!(
        point(&gone, WORKER_COUNT, &[("cicd.worker.state", "busy")]),
        Some(0)
    );
    let later = gauges.at(t("2026-12-04T11:01:00Z"));
    assert!(later.is_empty(), "{later:?}");
}

#[test]
fn a_job_hung_in_the_queue_then_hung_running_is_logged_again_at_once() {
    let b = with_log_interval(hung_board(600, 600, 0), Duration::from_secs(3600));
    b.observe_at(&job("7", Phase::Pending), now());
    let mut check = LiveCheck::new(b.clone(), IdRecipe::CheckRun);
    let queued = check.check(now());
    assert_eq!(records(&queued).len(), 1);
    assert_eq!(
        attr(records(&queued)[0], TASK_STATE),
        Some(&Value::StringValue("pending".into()))
    );
    assert!(records(&check.check(now())).is_empty());
    b.observe_at(&job("7", Phase::Running), now());
    let running = check.check(now());
    assert_eq!(
        records(&running).len(),
        1,
        "running since 10:01, over 10 m at 11:00"
    );
    assert_eq!(
        attr(records(&running)[0], TASK_STATE),
        Some(&Value::StringValue("executing".into()))
    );
}
