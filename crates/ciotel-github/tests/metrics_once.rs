//! A run the webhook brought and the poller lists again counts once in the receiver's metrics:
//! the webhook's `workflow_run` delivery and the REST API's run object (the same object GitHub
//! puts in the delivery) map to the same run attempt, and one `EventMetrics` shared by both
//! counts its duration and error once. Likewise a job from a `workflow_job` delivery and from
//! the jobs page.

use ciotel_cicd::ownership::OwnershipConfig;
use ciotel_cicd::signals::{EventMetrics, MetricsConfig};
use ciotel_core::pipeline::signals::MetricSource;
use ciotel_github::payload::{WorkflowJob, WorkflowRun};
use ciotel_github::{map_rest_job, map_rest_run, map_webhook};
use opentelemetry_proto::tonic::metrics::v1::metric;
use serde_json::Value;
use std::path::Path;

fn fixture(rel: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// `(metric name, count of a histogram point or value of a sum)` of every point.
fn totals(m: &EventMetrics) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for metric in m
        .collect(1)
        .iter()
        .flat_map(|rm| &rm.scope_metrics)
        .flat_map(|s| &s.metrics)
    {
        match &metric.data {
            Some(metric::Data::Histogram(h)) => {
                out.extend(h.data_points.iter().map(|p| (metric.name.clone(), p.count)));
            }
            Some(metric::Data::Sum(s)) => out.extend(s.data_points.iter().map(|p| {
                let v = match p.value {
                    Some(
                        opentelemetry_proto::tonic::metrics::v1::number_data_point::Value::AsInt(i),
                    ) => i,
                    _ => -1,
                };
                (metric.name.clone(), u64::try_from(v).unwrap_or(0))
            })),
            _ => {}
        }
    }
    out
}

#[test]
fn webhook_and_poller_sightings_of_a_run_and_a_job_count_once() {
    let metrics = EventMetrics::new(&MetricsConfig::default(), OwnershipConfig::default(), 0);
    let run_body = fixture("otel-contrib/githubreceiver/workflow-run-completed.b985387c.json");
    let job_body = fixture("otel-contrib/githubreceiver/workflow-job-completed.67dbedeb.json");
    let from_hook = [
        map_webhook("workflow_run", &run_body).unwrap().unwrap(),
        map_webhook("workflow_job", &job_body).unwrap().unwrap(),
    ];
    metrics.record(&from_hook);
    let once = totals(&metrics);
    assert_eq!(
        once,
        [
            ("cicd.pipeline.run.duration".to_string(), 1),
            ("cicd.pipeline.run.errors".to_string(), 1),
            ("cicd.pipeline.task.run.time_in_queue".to_string(), 1),
        ]
    );

    // The poller's view: the run object of `GET /repos/{o}/{r}/actions/runs` and the job of
    // its jobs page are the objects the deliveries carry.
    let run: Value = serde_json::from_slice(&run_body).unwrap();
    let rest_run: WorkflowRun = serde_json::from_value(run["workflow_run"].clone()).unwrap();
    let job: Value = serde_json::from_slice(&job_body).unwrap();
    let rest_job: WorkflowJob = serde_json::from_value(job["workflow_job"].clone()).unwrap();
    let from_poll = [
        map_rest_run(&rest_run).unwrap(),
        map_rest_job(&rest_job, None).unwrap(),
    ];
    assert_eq!(from_poll[0].run_ref(), from_hook[0].run_ref());
    metrics.record(&from_poll);
    assert_eq!(
        totals(&metrics),
        once,
        "the poller's sighting was counted again"
    );
}
