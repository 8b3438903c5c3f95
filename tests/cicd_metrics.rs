//! CI/CD metrics from GitHub webhook deliveries, black box: signed deliveries of real runs and
//! jobs (../shared/fixtures) go into the real binary, and an OTLP/gRPC backend receives the
//! semantic conventions' metrics with exact values — histogram counts, sums and buckets, and
//! attributes; a redelivery (same or new delivery id) counts nothing again; a failed job the
//! ownership verdict puts on the platform counts in `cicd.system.errors`, one the change
//! failed does not. With a long `collection_interval`, the last totals leave at shutdown.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use support::metrics_sink::{MetricsSink, Point, Series, histogram};
use support::{Daemon, TempDir, wait_for};

const SECRET: &str = "metrics-secret";
const OTEL_REPO: &str = "open-telemetry/open-telemetry-otel-collector";
const HELLO: &str = "Codertocat/Hello-World";

#[test]
fn runs_and_jobs_become_the_conventions_metrics_counted_once() {
    let (sink, port) = MetricsSink::start();
    let dir = TempDir::new("cicd-metrics");
    let daemon = Daemon::start(&dir, "ciotel", &config(port, false));
    let url = format!(
        "http://{}/events/github",
        daemon.address("github", "webhook")
    );

    // Run 14460881260 attempt 13 failed: started 21:08:53, completed 21:10:27 (94 s).
    let run = fixture("otel-contrib/githubreceiver/workflow-run-completed.b985387c.json");
    // Its job "test (1.23)": created 21:08:58, started 21:09:03 (5 s in the queue).
    let job = fixture("otel-contrib/githubreceiver/workflow-job-completed.67dbedeb.json");
    // "linters" failed in its own step `Run yarn run format-check`: the change's failure.
    let app_failure =
        fixture("github/webhooks/workflow_job.completed.failure.with-organization.json");
    // The same job shape where every step succeeded and the job still failed (the runner was
    // lost): the platform's failure.
    let platform_failure = runner_lost(&app_failure);
    for (event, id, body) in [
        ("workflow_run", "d-1", &run),
        ("workflow_job", "d-2", &job),
        ("workflow_job", "d-3", &app_failure),
        ("workflow_job", "d-4", &platform_failure),
    ] {
        assert_eq!(post(&url, event, id, body), 202, "{id}");
    }

    let expected = expected();
    let got = wait_for("the metrics of the four deliveries", || {
        let got = observed(&sink);
        (got == expected).then_some(got)
    });
    assert_eq!(got, expected);

    // GitHub redelivers: the same delivery id (the webhook's own dedup answers 200), and a new
    // id for the same run and job (as "Redeliver" after a restart, or a second hook does).
    assert_eq!(post(&url, "workflow_run", "d-1", &run), 200);
    for (event, id, body) in [
        ("workflow_run", "d-5", &run),
        ("workflow_job", "d-6", &job),
        ("workflow_job", "d-7", &platform_failure),
    ] {
        assert_eq!(post(&url, event, id, body), 202, "{id}");
    }
    // Two collections later, every total is what it was.
    let seen = sink.requests();
    wait_for("two more collections", || {
        (sink.requests() >= seen + 2).then_some(())
    });
    assert_eq!(observed(&sink), expected, "a redelivery was counted again");

    // Cumulative monotonic sums, as the conventions' counters are.
    let errors = sink.latest("cicd.pipeline.run.errors");
    assert!(errors.values().all(|p| matches!(
        p,
        Point::Sum {
            cumulative: true,
            monotonic: true,
            ..
        }
    )));
}

#[test]
fn per_run_attributes_only_when_opted_in() {
    let (sink, port) = MetricsSink::start();
    let dir = TempDir::new("cicd-metrics-per-run");
    let daemon = Daemon::start(&dir, "ciotel", &config(port, true));
    let url = format!(
        "http://{}/events/github",
        daemon.address("github", "webhook")
    );
    let run = fixture("otel-contrib/githubreceiver/workflow-run-completed.b985387c.json");
    let job = fixture("otel-contrib/githubreceiver/workflow-job-completed.67dbedeb.json");
    assert_eq!(post(&url, "workflow_run", "p-1", &run), 202);
    assert_eq!(post(&url, "workflow_job", "p-2", &job), 202);
    let errors = wait_for("the run's error", || {
        let e = sink.latest("cicd.pipeline.run.errors");
        (!e.is_empty()).then_some(e)
    });
    let series: Vec<&Series> = errors.keys().collect();
    assert_eq!(
        series,
        vec![&(
            OTEL_REPO.to_string(),
            attrs(&[
                ("cicd.pipeline.name", "build-and-test"),
                ("error.type", "failure"),
                ("cicd.pipeline.run.id", "14460881260"),
                ("ciotel.run.attempt", "13"),
            ])
        )]
    );
    let queue = wait_for("the job's queue time", || {
        let q = sink.latest("cicd.pipeline.task.run.time_in_queue");
        (!q.is_empty()).then_some(q)
    });
    let (series, _) = queue.into_iter().next().unwrap();
    assert_eq!(series.1["cicd.pipeline.task.run.id"], "40685651258");
    assert_eq!(series.1["cicd.pipeline.run.id"], "14460881260");
}

#[test]
fn the_last_totals_leave_at_shutdown() {
    let (sink, port) = MetricsSink::start();
    let dir = TempDir::new("cicd-metrics-shutdown");
    let yaml = config(port, false).replace("collection_interval: 100ms", "collection_interval: 1h");
    let mut daemon = Daemon::start(&dir, "ciotel", &yaml);
    let url = format!(
        "http://{}/events/github",
        daemon.address("github", "webhook")
    );
    let run = fixture("otel-contrib/githubreceiver/workflow-run-completed.b985387c.json");
    assert_eq!(post(&url, "workflow_run", "s-1", &run), 202);
    assert_eq!(sink.requests(), 0, "nothing before the first interval");
    let status = daemon.terminate();
    assert!(status.success(), "{status:?}");
    let errors = sink.latest("cicd.pipeline.run.errors");
    assert_eq!(
        errors.values().collect::<Vec<_>>(),
        vec![&sum(1)],
        "the shutdown collection carried the run's error"
    );
}

/// Every CI/CD metric's latest points, by metric name.
fn observed(sink: &MetricsSink) -> BTreeMap<&'static str, BTreeMap<Series, Point>> {
    [
        "cicd.pipeline.run.duration",
        "cicd.pipeline.run.errors",
        "cicd.system.errors",
        "cicd.pipeline.task.run.time_in_queue",
    ]
    .into_iter()
    .map(|name| (name, sink.latest(name)))
    .collect()
}

fn expected() -> BTreeMap<&'static str, BTreeMap<Series, Point>> {
    let mut out = BTreeMap::new();
    out.insert(
        "cicd.pipeline.run.duration",
        BTreeMap::from([(
            (
                OTEL_REPO.to_string(),
                attrs(&[
                    ("cicd.pipeline.name", "build-and-test"),
                    ("cicd.pipeline.run.state", "executing"),
                    ("cicd.pipeline.result", "failure"),
                    ("error.type", "failure"),
                ]),
            ),
            histogram(&[94.0]),
        )]),
    );
    out.insert(
        "cicd.pipeline.run.errors",
        BTreeMap::from([(
            (
                OTEL_REPO.to_string(),
                attrs(&[
                    ("cicd.pipeline.name", "build-and-test"),
                    ("error.type", "failure"),
                ]),
            ),
            sum(1),
        )]),
    );
    out.insert(
        "cicd.system.errors",
        BTreeMap::from([(
            (
                HELLO.to_string(),
                attrs(&[
                    ("cicd.system.component", "agent"),
                    ("error.type", "failure"),
                    ("ciotel.failure.rule", "no_failing_step"),
                ]),
            ),
            sum(1),
        )]),
    );
    out.insert(
        "cicd.pipeline.task.run.time_in_queue",
        BTreeMap::from([
            (
                (
                    OTEL_REPO.to_string(),
                    attrs(&[
                        ("cicd.pipeline.name", "build-and-test"),
                        ("cicd.pipeline.task.name", "test (1.23)"),
                        ("ciotel.worker.labels", "[ubuntu-latest]"),
                    ]),
                ),
                histogram(&[5.0]),
            ),
            (
                (
                    HELLO.to_string(),
                    attrs(&[
                        ("cicd.pipeline.name", "CodeQL"),
                        ("cicd.pipeline.task.name", "linters"),
                        ("ciotel.worker.labels", "[ubuntu-latest]"),
                    ]),
                ),
                // Both "linters" jobs waited 10:33:58 → 10:34:58.
                histogram(&[60.0, 60.0]),
            ),
        ]),
    );
    out
}

fn sum(value: i64) -> Point {
    Point::Sum {
        value,
        cumulative: true,
        monotonic: true,
    }
}

fn attrs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// `job` with another id and every step successful: it failed with no failing step.
fn runner_lost(job: &[u8]) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(job).expect("JSON");
    let j = &mut v["workflow_job"];
    j["id"] = Value::from(289782452u64);
    for step in j["steps"].as_array_mut().expect("steps") {
        if step["conclusion"] == "failure" {
            step["conclusion"] = Value::from("success");
        }
    }
    serde_json::to_vec(&v).expect("JSON")
}

fn config(port: u16, per_run: bool) -> String {
    format!(
        "receivers:
  github:
    webhook:
      endpoint: 127.0.0.1:0
      secret: {SECRET}
    collection_interval: 100ms
    metrics:
      per_run_attributes: {per_run}
processors:
  cicd_ownership:
exporters:
  nop:
  otlp/metrics:
    endpoint: http://127.0.0.1:{port}
    compression: none
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [github]
      processors: [cicd_ownership]
      exporters: [nop]
    metrics:
      receivers: [github]
      exporters: [otlp/metrics]
"
    )
}

fn post(url: &str, event: &str, delivery: &str, body: &[u8]) -> u16 {
    reqwest::blocking::Client::new()
        .post(url)
        .header("X-GitHub-Event", event)
        .header("X-GitHub-Delivery", delivery)
        .header("Content-Type", "application/json")
        .header(
            "X-Hub-Signature-256",
            ciotel_github::receiver::sign_delivery(SECRET.as_bytes(), body),
        )
        .body(body.to_vec())
        .send()
        .expect("POST the delivery")
        .status()
        .as_u16()
}

fn fixture(rel: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}
