//! CI/CD metrics from GitLab webhook deliveries, black box: go-gitlab's published Pipeline
//! Hook (a merged-request pipeline with five jobs) and a Job Hook whose runner failed go into
//! the real binary; an OTLP/gRPC backend receives the run's duration, the started jobs' queue
//! times and the runner failure in `cicd.system.errors`, with exact values, once each even
//! when the hooks come again under new delivery keys. The Job Hook deploys to production
//! (`deployment_tier: production`), so its failure and a later successful deployment give the
//! DORA figures too.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use support::metrics_sink::{MetricsSink, Point, histogram};
use support::{Daemon, TempDir, wait_for};

const TOKEN: &str = "gitlab-metrics-token";

#[test]
fn a_pipeline_hook_and_a_job_hook_become_metrics_once() {
    let (sink, port) = MetricsSink::start();
    let dir = TempDir::new("cicd-metrics-gitlab");
    let daemon = Daemon::start(&dir, "ciotel", &config(port));
    let url = format!(
        "http://{}/events/gitlab",
        daemon.address("gitlab", "webhook")
    );
    let pipeline = fixture("webhook_pipeline.json");
    let job = runner_failed(&fixture("webhook_job.json"));
    assert_eq!(post(&url, "Pipeline Hook", "k-1", &pipeline), 202);
    assert_eq!(post(&url, "Job Hook", "k-2", &job), 202);

    let expected = expected();
    settle(&sink, &expected);
    // The same hooks again under new keys (a second webhook, or a redelivery after GitLab
    // lost the first answer): two collections later, every total is what it was.
    assert_eq!(post(&url, "Pipeline Hook", "k-3", &pipeline), 202);
    assert_eq!(post(&url, "Job Hook", "k-4", &job), 202);
    let seen = sink.requests();
    wait_for("two more collections", || {
        (sink.requests() >= seen + 2).then_some(())
    });
    assert_eq!(observed(&sink), expected);

    // The job deployed to production and failed at 13:50:54; another job deploys it again
    // successfully at 14:00:54: restored after 600 s.
    let again = redeployed(&fixture("webhook_job.json"));
    assert_eq!(post(&url, "Job Hook", "k-5", &again), 202);
    let release = "jsmithy2/release-tools-fake";
    let production = |extra: &[(&str, &str)]| {
        let mut a = attrs(&[("deployment.environment.name", "production")]);
        a.extend(attrs(extra));
        (release.to_string(), a)
    };
    let sum = |value| Point::Sum {
        value,
        cumulative: true,
        monotonic: true,
    };
    let dora = |sink: &MetricsSink| {
        [
            "ciotel.dora.deployments",
            "ciotel.dora.change_failures",
            "ciotel.dora.time_to_restore",
        ]
        .into_iter()
        .map(|name| (name.to_string(), sink.latest(name)))
        .collect::<Observed>()
    };
    let want: Observed = [
        (
            "ciotel.dora.deployments".to_string(),
            BTreeMap::from([
                (
                    production(&[
                        ("ciotel.deployment.result", "failure"),
                        ("ciotel.deployment.production", "true"),
                    ]),
                    sum(1),
                ),
                (
                    production(&[
                        ("ciotel.deployment.result", "success"),
                        ("ciotel.deployment.production", "true"),
                    ]),
                    sum(1),
                ),
            ]),
        ),
        (
            "ciotel.dora.change_failures".to_string(),
            BTreeMap::from([(
                production(&[("ciotel.deployment.result", "failure")]),
                sum(1),
            )]),
        ),
        (
            "ciotel.dora.time_to_restore".to_string(),
            BTreeMap::from([(production(&[]), histogram(&[600.0]))]),
        ),
    ]
    .into_iter()
    .collect();
    let deadline = std::time::Instant::now() + support::PATIENCE;
    while dora(&sink) != want && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(dora(&sink), want);
}

/// go-gitlab's Job Hook as another job deploying again, successfully, ten minutes later.
fn redeployed(hook: &[u8]) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(hook).expect("JSON");
    v["build_id"] = Value::from(3580121226u64);
    v["build_started_at"] = Value::from("2023-01-10 14:00:05 UTC");
    v["build_finished_at"] = Value::from("2023-01-10 14:00:54 UTC");
    serde_json::to_vec(&v).expect("JSON")
}

/// Waits (up to the support patience) for `expected`, then compares, so a mismatch shows both.
fn settle(sink: &MetricsSink, expected: &Observed) {
    let deadline = std::time::Instant::now() + support::PATIENCE;
    while observed(sink) != *expected && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(observed(sink), *expected);
}

type Observed = BTreeMap<String, BTreeMap<(String, BTreeMap<String, String>), Point>>;

fn observed(sink: &MetricsSink) -> Observed {
    [
        "cicd.pipeline.run.duration",
        "cicd.pipeline.run.errors",
        "cicd.system.errors",
        "cicd.pipeline.task.run.time_in_queue",
    ]
    .into_iter()
    .map(|name| (name.to_string(), sink.latest(name)))
    .filter(|(_, points)| !points.is_empty())
    .collect()
}

fn expected() -> Observed {
    let test = "gitlab-org/gitlab-test";
    let release = "jsmithy2/release-tools-fake";
    // go-gitlab's pipeline has no name: its pipeline name is the project's path.
    let queue = |task: &str| {
        attrs(&[
            ("cicd.pipeline.name", test),
            ("cicd.pipeline.task.name", task),
        ])
    };
    let mut out = Observed::new();
    out.insert(
        "cicd.pipeline.run.duration".into(),
        BTreeMap::from([(
            (
                test.into(),
                attrs(&[
                    ("cicd.pipeline.name", test),
                    ("cicd.pipeline.run.state", "executing"),
                    ("cicd.pipeline.result", "success"),
                ]),
            ),
            // GitLab's hooks carry no start time: created 15:23:28 → finished 15:26:29, as
            // the pipeline's span.
            histogram(&[181.0]),
        )]),
    );
    out.insert(
        "cicd.system.errors".into(),
        BTreeMap::from([(
            (
                release.into(),
                attrs(&[
                    ("cicd.system.component", "agent"),
                    ("error.type", "runner_system_failure"),
                    ("ciotel.failure.rule", "failure_reason"),
                ]),
            ),
            Point::Sum {
                value: 1,
                cumulative: true,
                monotonic: true,
            },
        )]),
    );
    let job_queue = attrs(&[
        ("cicd.pipeline.name", "Build pipeline"),
        ("cicd.pipeline.task.name", "auto_deploy:start"),
        ("ciotel.worker.labels", "[docker,linux]"),
    ]);
    out.insert(
        "cicd.pipeline.task.run.time_in_queue".into(),
        BTreeMap::from([
            // Created 15:23:28; started 15:24:56 and 15:26:12 (the skipped and the created jobs
            // never started).
            ((test.into(), queue("build-image")), histogram(&[88.0])),
            ((test.into(), queue("test-build")), histogram(&[164.0])),
            ((test.into(), queue("test-image")), histogram(&[164.0])),
            // The Job Hook's own `build_queued_duration`, as its queue span says.
            ((release.into(), job_queue), histogram(&[0.193009])),
        ]),
    );
    out
}

fn attrs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// go-gitlab's Job Hook, failed because its runner failed.
fn runner_failed(hook: &[u8]) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(hook).expect("JSON");
    v["build_status"] = Value::from("failed");
    v["build_failure_reason"] = Value::from("runner_system_failure");
    serde_json::to_vec(&v).expect("JSON")
}

fn config(port: u16) -> String {
    format!(
        "receivers:
  gitlab:
    webhook:
      endpoint: 127.0.0.1:0
      secret: {TOKEN}
    collection_interval: 100ms
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
      receivers: [gitlab]
      exporters: [nop]
    metrics:
      receivers: [gitlab]
      exporters: [otlp/metrics]
"
    )
}

fn post(url: &str, event: &str, key: &str, body: &[u8]) -> u16 {
    reqwest::blocking::Client::new()
        .post(url)
        .header("X-Gitlab-Event", event)
        .header("Idempotency-Key", key)
        .header("X-Gitlab-Token", TOKEN)
        .header("Content-Type", "application/json")
        .body(body.to_vec())
        .send()
        .expect("POST the hook")
        .status()
        .as_u16()
}

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/gitlab/go-gitlab")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}
