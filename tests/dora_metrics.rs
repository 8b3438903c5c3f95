//! DORA metrics through the real binary: signed GitHub deliveries of a pull request (opened,
//! merged) and of its deployments to production (the first fails, the next succeeds, then is
//! redelivered) reach an OTLP/gRPC backend as deployment frequency, lead time, change
//! failures and time to restore, with exact values. Payloads are the octokit examples in
//! ../shared/fixtures, edited where the story needs it (merged, revision, times, state).

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use support::metrics_sink::{MetricsSink, Point, histogram};
use support::{Daemon, TempDir, wait_for};

const SECRET: &str = "dora-secret";
const REPO: &str = "Codertocat/Hello-World";
const MERGE: &str = "c4295bd74fb0f4fda03689c3df3f2803b658fd85";

#[test]
fn a_change_to_production_gives_the_four_keys() {
    let (sink, port) = MetricsSink::start();
    let dir = TempDir::new("dora-metrics");
    let daemon = Daemon::start(&dir, "ciotel", &config(port));
    let url = format!(
        "http://{}/events/github",
        daemon.address("github", "webhook")
    );

    // PR #2 opened 15:20:33, merged 15:21:18 as MERGE.
    let opened = fixture("pull_request.opened.json");
    let merged = merged(&fixture("pull_request.closed.json"));
    // Production fails at 15:30:00 and is restored at 15:40:00, both deploying MERGE.
    let failed = deployment(1001, "failure", "2019-05-15T15:30:00Z");
    let restored = deployment(1002, "success", "2019-05-15T15:40:00Z");
    for (event, id, body) in [
        ("pull_request", "p-1", &opened),
        ("pull_request", "p-2", &merged),
        ("deployment_status", "p-3", &failed),
        ("deployment_status", "p-4", &restored),
        // A redelivery under a new id: nothing counts again.
        ("deployment_status", "p-5", &restored),
    ] {
        let status = post(&url, event, id, body);
        assert!(status == 202 || status == 200, "{id}: {status}");
    }

    let sum = |value| Point::Sum {
        value,
        cumulative: true,
        monotonic: true,
    };
    let expected: BTreeMap<&str, BTreeMap<BTreeMap<String, String>, Point>> = BTreeMap::from([
        (
            "ciotel.dora.deployments",
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
            "ciotel.dora.change_failures",
            BTreeMap::from([(
                production(&[("ciotel.deployment.result", "failure")]),
                sum(1),
            )]),
        ),
        (
            "ciotel.dora.time_to_restore",
            BTreeMap::from([(production(&[]), histogram(&[600.0]))]),
        ),
        (
            "ciotel.dora.lead_time",
            BTreeMap::from([
                // 15:20:33 → 15:40:00, and 15:21:18 → 15:40:00.
                (
                    production(&[("ciotel.dora.lead_time.from", "opened")]),
                    histogram(&[1167.0]),
                ),
                (
                    production(&[("ciotel.dora.lead_time.from", "merged")]),
                    histogram(&[1122.0]),
                ),
            ]),
        ),
    ]);
    let observed = || -> BTreeMap<&str, BTreeMap<BTreeMap<String, String>, Point>> {
        expected
            .keys()
            .map(|name| {
                let points = sink
                    .latest(name)
                    .into_iter()
                    .filter(|((service, _), _)| service == REPO)
                    .map(|((_, attrs), p)| (attrs, p))
                    .collect();
                (*name, points)
            })
            .collect()
    };
    let deadline = std::time::Instant::now() + support::PATIENCE;
    while observed() != expected && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(observed(), expected);
    let seen = sink.requests();
    wait_for("two more collections", || {
        (sink.requests() >= seen + 2).then_some(())
    });
    assert_eq!(observed(), expected, "a redelivery counted again");
    // No rework: the revision was not deployed before, and the change is no revert.
    assert!(sink.latest("ciotel.dora.rework").is_empty());
}

fn production(extra: &[(&str, &str)]) -> BTreeMap<String, String> {
    std::iter::once(("deployment.environment.name", "production"))
        .chain(extra.iter().copied())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// octokit's `pull_request.closed`, merged as MERGE at its close time.
fn merged(closed: &[u8]) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(closed).expect("JSON");
    let pr = &mut v["pull_request"];
    pr["merged"] = Value::from(true);
    pr["merged_at"] = pr["closed_at"].clone();
    pr["merge_commit_sha"] = Value::from(MERGE);
    serde_json::to_vec(&v).expect("JSON")
}

/// octokit's `deployment_status.created` for deployment `id` of MERGE, ending `state` at `at`.
fn deployment(id: u64, state: &str, at: &str) -> Vec<u8> {
    let mut v: Value =
        serde_json::from_slice(&fixture("deployment_status.created.json")).expect("JSON");
    v["deployment"]["id"] = Value::from(id);
    v["deployment"]["sha"] = Value::from(MERGE);
    v["deployment"]["created_at"] = Value::from("2019-05-15T15:25:00Z");
    let status = &mut v["deployment_status"];
    status["id"] = Value::from(id + 5000);
    status["state"] = Value::from(state);
    status["created_at"] = Value::from(at);
    status["updated_at"] = Value::from(at);
    serde_json::to_vec(&v).expect("JSON")
}

fn config(port: u16) -> String {
    format!(
        "receivers:
  github:
    webhook:
      endpoint: 127.0.0.1:0
      secret: {SECRET}
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
      receivers: [github]
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

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/github/webhooks")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}
