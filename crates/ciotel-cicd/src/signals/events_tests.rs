//! [`EventMetrics`] on hand-made events: what each state records, once.

use super::events::{DURATION_BOUNDS, EventMetrics, component};
use super::instruments::{Attributes, Value};
use super::{MetricsConfig, dedup};
use crate::event::{CiEvent, CiResult, Job, Phase, PipelineRun, RunRef, Runner, Vcs};
use crate::ownership::OwnershipConfig;
use crate::time::Timestamp;
use ciotel_core::pipeline::signals::MetricSource;
use opentelemetry_proto::tonic::metrics::v1::metric;

fn at(seconds: u64) -> Option<Timestamp> {
    Some(Timestamp::from_unix_nanos(seconds * 1_000_000_000))
}

fn run_ref(attempt: u32) -> RunRef {
    RunRef {
        run_id: "7".into(),
        attempt,
        pipeline_name: Some("ci".into()),
        vcs: Vcs {
            provider: Some("gitlab".into()),
            repository_full_name: Some("g/p".into()),
            ..Vcs::default()
        },
    }
}

fn run(attempt: u32, result: CiResult) -> CiEvent {
    CiEvent::Run(PipelineRun {
        run: run_ref(attempt),
        phase: Phase::Completed,
        result: Some(result),
        created_at: at(100),
        started_at: at(130),
        completed_at: at(400),
        ..PipelineRun::default()
    })
}

fn job(phase: Phase, reason: Option<&str>) -> CiEvent {
    let mut attributes = Vec::new();
    if let Some(r) = reason {
        attributes.push(crate::event::Attribute::new("gitlab.job.failure_reason", r));
    }
    CiEvent::Job(Job {
        run: run_ref(1),
        id: "j1".into(),
        name: "build".into(),
        phase,
        result: (phase == Phase::Completed).then_some(CiResult::Failure),
        result_detail: reason.map(str::to_owned),
        created_at: at(100),
        started_at: at(112),
        completed_at: (phase == Phase::Completed).then(|| at(200)).flatten(),
        runner: Some(Runner {
            labels: vec!["docker".into(), "amd64".into()],
            ..Runner::default()
        }),
        attributes,
        ..Job::default()
    })
}

/// `(metric, point attributes, count or value, sum)` of every point collected.
fn points(m: &EventMetrics) -> Vec<(String, Attributes, u64, f64)> {
    let mut out = Vec::new();
    for rm in m.collect(1) {
        for metric in rm.scope_metrics.iter().flat_map(|s| &s.metrics) {
            match &metric.data {
                Some(metric::Data::Histogram(h)) => {
                    for p in &h.data_points {
                        assert_eq!(p.explicit_bounds, DURATION_BOUNDS);
                        out.push((
                            metric.name.clone(),
                            attrs(&p.attributes),
                            p.count,
                            p.sum.unwrap_or(0.0),
                        ));
                    }
                }
                Some(metric::Data::Sum(s)) => {
                    for p in &s.data_points {
                        let v = match p.value {
                            Some(opentelemetry_proto::tonic::metrics::v1::number_data_point::Value::AsInt(i)) => i as u64,
                            _ => 0,
                        };
                        out.push((metric.name.clone(), attrs(&p.attributes), v, 0.0));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

fn attrs(kvs: &[opentelemetry_proto::tonic::common::v1::KeyValue]) -> Attributes {
    use opentelemetry_proto::tonic::common::v1::any_value::Value as V;
    kvs.iter()
        .map(|kv| {
            let key: &'static str = Box::leak(kv.key.clone().into_boxed_str());
            let value = match kv.value.as_ref().and_then(|v| v.value.as_ref()) {
                Some(V::StringValue(s)) => Value::Str(s.clone()),
                Some(V::IntValue(i)) => Value::Int(*i),
                Some(V::ArrayValue(a)) => Value::Strs(
                    a.values
                        .iter()
                        .filter_map(|v| match &v.value {
                            Some(V::StringValue(s)) => Some(s.clone()),
                            _ => None,
                        })
                        .collect(),
                ),
                _ => Value::Bool(true),
            };
            (key, value)
        })
        .collect()
}

fn s(v: &str) -> Value {
    Value::Str(v.into())
}

#[test]
fn a_first_attempt_records_pending_and_executing_a_rerun_only_executing() {
    // Series come out in attribute order: `executing` before `pending`.
    let m = EventMetrics::new(&MetricsConfig::default(), OwnershipConfig::default(), 0);
    m.record(&[run(1, CiResult::Success)]);
    m.record(&[run(1, CiResult::Success)]);
    let got = points(&m);
    assert_eq!(
        got,
        vec![
            (
                "cicd.pipeline.run.duration".into(),
                vec![
                    ("cicd.pipeline.name", s("ci")),
                    ("cicd.pipeline.run.state", s("executing")),
                    ("cicd.pipeline.result", s("success")),
                ],
                1,
                270.0
            ),
            (
                "cicd.pipeline.run.duration".into(),
                vec![
                    ("cicd.pipeline.name", s("ci")),
                    ("cicd.pipeline.run.state", s("pending"))
                ],
                1,
                30.0
            ),
        ]
    );
    let m = EventMetrics::new(&MetricsConfig::default(), OwnershipConfig::default(), 0);
    m.record(&[run(2, CiResult::Timeout)]);
    let names: Vec<String> = points(&m).into_iter().map(|p| p.0).collect();
    assert_eq!(
        names,
        ["cicd.pipeline.run.duration", "cicd.pipeline.run.errors"]
    );
    assert_eq!(points(&m)[1].1[1], ("error.type", s("timeout")));
}

#[test]
fn a_job_counts_its_queue_when_it_starts_and_its_system_error_when_it_completes_once() {
    let m = EventMetrics::new(&MetricsConfig::default(), OwnershipConfig::default(), 0);
    m.record(&[job(Phase::Running, None)]);
    m.record(&[job(Phase::Completed, Some("runner_system_failure"))]);
    m.record(&[job(Phase::Completed, Some("runner_system_failure"))]);
    let got = points(&m);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].0, "cicd.system.errors");
    assert_eq!(
        got[0].1,
        vec![
            ("cicd.system.component", s("agent")),
            ("error.type", s("runner_system_failure")),
            ("ciotel.failure.rule", s("failure_reason")),
        ]
    );
    assert_eq!(got[0].2, 1);
    assert_eq!(got[1].0, "cicd.pipeline.task.run.time_in_queue");
    assert_eq!((got[1].2, got[1].3), (1, 12.0));
    assert_eq!(
        got[1].1[2],
        (
            "ciotel.worker.labels",
            Value::Strs(vec!["amd64".into(), "docker".into()])
        )
    );
}

#[test]
fn a_job_the_change_failed_is_no_system_error() {
    let m = EventMetrics::new(&MetricsConfig::default(), OwnershipConfig::default(), 0);
    m.record(&[job(Phase::Completed, Some("script_failure"))]);
    assert!(points(&m).iter().all(|p| p.0 != "cicd.system.errors"));
}

#[test]
fn components_follow_the_verdict() {
    assert_eq!(component("no_runner", None, ""), "scheduler");
    assert_eq!(component("no_failing_step", Some("Run tests"), ""), "agent");
    assert_eq!(
        component("failure_reason", None, "stuck_or_timeout_failure"),
        "scheduler"
    );
    assert_eq!(
        component("failure_reason", None, "api_failure"),
        "controller"
    );
    assert_eq!(
        component("failure_reason", Some("queue"), "runner_system_failure"),
        "agent"
    );
    assert_eq!(component("no_steps", Some("queue"), ""), "scheduler");
}

#[test]
fn deduplication_zero_counts_every_sighting() {
    let config = MetricsConfig {
        deduplication: 0,
        ..MetricsConfig::default()
    };
    let m = EventMetrics::new(&config, OwnershipConfig::default(), 0);
    m.record(&[run(2, CiResult::Failure), run(2, CiResult::Failure)]);
    assert_eq!(points(&m)[1].2, 2);
    let _ = dedup::Counted::Run;
}
