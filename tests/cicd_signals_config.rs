//! The `github` and `gitlab` receivers in `metrics` and `logs` pipelines, black box: `ciotel
//! validate` accepts them there and still refuses what cannot work (`cicd_ownership` in a
//! metrics pipeline, `collection_interval: 0s`); a receiver listed only in a metrics pipeline
//! still takes deliveries.

mod support;

use std::process::Command;
use support::{Daemon, TempDir, binary};

const RECEIVERS: &str = "\
receivers:
  github:
    webhook:
      endpoint: 127.0.0.1:0
      insecure: true
    collection_interval: 30s
    metrics:
      per_run_attributes: true
  gitlab:
    webhook:
      endpoint: 127.0.0.1:0
      insecure: true
processors:
  cicd_ownership:
exporters:
  debug:
";

fn validate(yaml: &str) -> (Option<i32>, String) {
    let dir = TempDir::new("cicd-signals-validate");
    let path = dir.join("ciotel.yaml");
    std::fs::write(&path, yaml).unwrap();
    let out = Command::new(binary())
        .args(["validate", "--config"])
        .arg(&path)
        .output()
        .expect("run ciotel validate");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[test]
fn ci_receivers_serve_metrics_and_logs_pipelines() {
    let yaml = format!(
        "{RECEIVERS}service:\n  pipelines:\n    traces:\n      receivers: [github, gitlab]\n      \
         processors: [cicd_ownership]\n      exporters: [debug]\n    metrics:\n      receivers: \
         [github, gitlab]\n      exporters: [debug]\n    logs:\n      receivers: [github]\n      \
         exporters: [debug]\n"
    );
    let (code, text) = validate(&yaml);
    assert_eq!(code, Some(0), "{text}");
}

#[test]
fn a_cicd_processor_in_a_metrics_pipeline_is_refused_with_its_line() {
    let yaml = format!(
        "{RECEIVERS}service:\n  pipelines:\n    metrics:\n      receivers: [github]\n      \
         processors: [cicd_ownership]\n      exporters: [debug]\n"
    );
    let (code, text) = validate(&yaml);
    assert_eq!(code, Some(1), "{text}");
    let line = yaml
        .lines()
        .position(|l| l.contains("processors: [cicd_ownership]"))
        .unwrap()
        + 1;
    assert!(
        text.lines().any(|l| l.contains(&format!(":{line}:"))
            && l.contains("cicd_ownership")
            && l.contains("does not support metrics pipelines")),
        "{text}"
    );
}

#[test]
fn a_zero_collection_interval_is_refused() {
    let yaml = format!(
        "{}service:\n  pipelines:\n    metrics:\n      receivers: [github]\n      exporters: [debug]\n",
        RECEIVERS.replace("collection_interval: 30s", "collection_interval: 0s")
    );
    let (code, text) = validate(&yaml);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("`collection_interval` must be more than 0s"),
        "{text}"
    );
}

#[test]
fn a_receiver_only_in_a_metrics_pipeline_still_takes_deliveries() {
    let dir = TempDir::new("cicd-signals-metrics-only");
    let config = "receivers:\n  github:\n    webhook:\n      endpoint: 127.0.0.1:0\n      \
                  insecure: true\nexporters:\n  nop:\nservice:\n  telemetry:\n    metrics:\n      \
                  level: none\n  pipelines:\n    metrics:\n      receivers: [github]\n      \
                  exporters: [nop]\n";
    let daemon = Daemon::start(&dir, "ciotel", config);
    let url = format!(
        "http://{}/events/github",
        daemon.address("github", "webhook")
    );
    let run = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../shared/fixtures/otel-contrib/githubreceiver/workflow-run-completed.b985387c.json",
    ))
    .expect("fixture");
    let reply = reqwest::blocking::Client::new()
        .post(&url)
        .header("X-GitHub-Event", "workflow_run")
        .header("X-GitHub-Delivery", "m-1")
        .header("Content-Type", "application/json")
        .body(run)
        .send()
        .expect("POST");
    let status = reply.status();
    let body = reply.text().unwrap_or_default();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("no traces pipeline"), "{body}");
}
