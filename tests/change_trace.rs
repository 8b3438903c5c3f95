//! One change's path to production through the real binary: the scenario's signed GitHub
//! deliveries (PR opened, pushed, checked twice — the first run fails, its re-run passes —,
//! approved, merged, an approval wait, deployed to staging, to production where it fails
//! once and then succeeds; built from the real fixtures in `../shared/fixtures`, which the
//! test needs and names when absent) go to the `github` receiver's webhook; out of the `file`
//! exporter comes one change trace whose every span has the right parent, times and links, and
//! `ciotel explain` on that file prints the path with each run's verdict.

mod support;

#[path = "../crates/ciotel-github/tests/scenario/mod.rs"]
mod scenario;

use ciotel_cicd::change::ChangeNumber;
use ciotel_cicd::change::ids::ChangeIds;
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use support::{Daemon, TempDir, read_json_lines, spans_in, wait_for};

const SECRET: &str = "change-trace-secret";

#[test]
fn a_pull_request_s_path_to_production_is_one_trace() {
    let dir = TempDir::new("change-trace");
    let out = dir.join("traces.jsonl");
    let config = format!(
        "receivers:\n  github:\n    webhook:\n      endpoint: 127.0.0.1:0\n      secret: \"{SECRET}\"\n\
         exporters:\n  file:\n    path: {}\n\
         service:\n  telemetry:\n    metrics:\n      level: none\n  pipelines:\n    traces:\n      receivers: [github]\n      exporters: [file]\n",
        out.display()
    );
    let daemon = Daemon::start(&dir, "ciotel", &config);
    let url = format!(
        "http://{}/events/github",
        daemon.address("github", "webhook")
    );
    let client = reqwest::blocking::Client::new();
    for d in scenario::deliveries(fixture) {
        let signature = ciotel_github::receiver::sign_delivery(SECRET.as_bytes(), &d.body);
        let response = client
            .post(&url)
            .header("X-GitHub-Event", d.event)
            .header("X-GitHub-Delivery", &d.id)
            .header("Content-Type", "application/json")
            .header("X-Hub-Signature-256", signature)
            .body(d.body.clone())
            .send()
            .expect("POST the delivery");
        assert_eq!(response.status(), 202, "{} {}", d.event, d.id);
    }

    let ids = ChangeIds::new(
        "github",
        scenario::REPO_ID,
        &ChangeNumber::Number(scenario::NUMBER),
    );
    let trace = ids.trace_id().to_string();
    let root_id = ids.root_span_id().to_string();
    let change: Vec<Value> = wait_for("the change trace's 11 spans", || {
        let spans: Vec<Value> = spans_in(&read_json_lines(&out))
            .into_iter()
            .filter(|s| s["traceId"] == trace.as_str())
            .collect();
        (spans.len() >= 11).then_some(spans)
    });
    assert_eq!(change.len(), 11, "{change:#?}");

    let root = one(
        &change,
        "CHANGE Codertocat/Hello-World#2 Update the README with new information.",
    );
    assert_eq!(root["spanId"], root_id.as_str());
    assert_eq!(parent(root), "", "the root has no parent");
    assert_eq!(root["kind"], 2, "SERVER");
    assert_eq!(
        times(root),
        (ns("2026-03-02T09:00:00Z"), ns("2026-03-02T09:40:00Z"))
    );
    assert_eq!(attr(root, "vcs.change.state"), Some("merged"));
    assert_eq!(attr(root, "vcs.ref.base.name"), Some("master"));
    assert_eq!(
        attr(root, "ciotel.change.merge.revision"),
        Some(scenario::MERGE_SHA)
    );

    // Every other span is a child of the root, except the approval wait, which is its
    // deployment's child.
    let staging = one(&change, "DEPLOY staging");
    for s in &change {
        let want = if s["name"] == "approval requested: staging" {
            staging["spanId"].as_str().unwrap_or_default()
        } else if s["spanId"] == root_id.as_str() {
            ""
        } else {
            root_id.as_str()
        };
        assert_eq!(parent(s), want, "{}", s["name"]);
    }

    // The runs: one per attempt, their times, results and links to the runs' own traces.
    let runs: Vec<&Value> = change.iter().filter(|s| s["name"] == "RUN CI").collect();
    assert_eq!(runs.len(), 2);
    for (attempt, result, start, end) in [
        (1, "failure", "2026-03-02T09:10:30Z", "2026-03-02T09:14:30Z"),
        (2, "success", "2026-03-02T09:20:00Z", "2026-03-02T09:23:00Z"),
    ] {
        let run = runs
            .iter()
            .find(|r| attr(r, "cicd.pipeline.result") == Some(result))
            .unwrap_or_else(|| panic!("a {result} run"));
        assert_eq!(times(run), (ns(start), ns(end)));
        let link = &run["links"][0];
        assert_eq!(
            link["traceId"],
            ciotel_cicd::ids::trace_id(scenario::RUN_ID, attempt).to_string()
        );
        assert_eq!(
            link["spanId"],
            ciotel_cicd::ids::root_span_id(scenario::RUN_ID, attempt).to_string()
        );
        // The run's own trace is there too, untouched.
        let run_root = spans_in(&read_json_lines(&out))
            .into_iter()
            .find(|s| s["spanId"] == link["spanId"] && s["traceId"] == link["traceId"]);
        assert!(run_root.is_some(), "attempt {attempt}'s run trace");
    }

    // Deployments: staging, production failed then succeeded.
    assert_eq!(
        times(staging),
        (ns("2026-03-02T09:45:00Z"), ns("2026-03-02T09:47:00Z"))
    );
    let prod: Vec<&Value> = change
        .iter()
        .filter(|s| s["name"] == "DEPLOY production")
        .collect();
    assert_eq!(prod.len(), 2);
    let failed = prod
        .iter()
        .find(|s| attr(s, "deployment.status") == Some("failed"))
        .expect("the failed production deployment");
    assert_eq!(failed["status"]["code"], 2, "ERROR");
    assert_eq!(
        times(failed),
        (ns("2026-03-02T10:00:00Z"), ns("2026-03-02T10:03:00Z"))
    );
    assert!(
        prod.iter()
            .any(|s| attr(s, "deployment.status") == Some("succeeded"))
    );
    let review = one(&change, "REVIEW approved by Codertocat");
    assert_eq!(
        times(review),
        (ns("2026-03-02T09:30:00Z"), ns("2026-03-02T09:30:00Z"))
    );

    // `ciotel explain` shows the path, with the runs' verdicts beside them.
    let explained = Command::new(support::binary())
        .args(["explain", "--no-color"])
        .arg(&out)
        .output()
        .expect("run ciotel explain");
    assert!(explained.status.success(), "{explained:?}");
    let text = String::from_utf8_lossy(&explained.stdout);
    let path: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("CHANGE "))
        .collect();
    assert!(
        path[0].contains("— merged — Codertocat/Hello-World"),
        "{text}"
    );
    let phases: Vec<&str> = path[1..]
        .iter()
        .map(|l| l.split_whitespace().next().unwrap_or(""))
        .collect();
    assert_eq!(
        phases,
        [
            "opened", "push", "checks", "checks", "review", "merge", "deploy", "deploy", "deploy",
            "deploy"
        ],
        "{text}"
    );
    let failed_run = path
        .iter()
        .find(|l| l.contains("RUN CI") && l.contains("failure"))
        .copied();
    assert!(failed_run.is_some_and(|l| l.contains("FAILED")), "{text}");
    let passed_run = path
        .iter()
        .find(|l| l.contains("RUN CI") && l.contains("success"))
        .copied();
    assert!(passed_run.is_some_and(|l| l.contains("PASSED")), "{text}");
    assert!(
        path.iter()
            .any(|l| l.contains("  approval requested: staging")),
        "indented under its deployment: {text}"
    );
}

fn fixture(rel: &str) -> Vec<u8> {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    assert!(
        shared.is_dir(),
        "../shared/fixtures is missing: this test builds its deliveries from the real GitHub payloads there (CI lays ../shared beside the checkout)"
    );
    let path = shared.join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn one<'a>(spans: &'a [Value], name: &str) -> &'a Value {
    let found: Vec<&Value> = spans.iter().filter(|s| s["name"] == name).collect();
    assert_eq!(found.len(), 1, "one {name:?} in {spans:#?}");
    found[0]
}

fn attr<'a>(span: &'a Value, key: &str) -> Option<&'a str> {
    span["attributes"]
        .as_array()?
        .iter()
        .find(|kv| kv["key"] == key)?["value"]["stringValue"]
        .as_str()
}

/// The parent span id; the file exporter omits an empty one.
fn parent(span: &Value) -> &str {
    span["parentSpanId"].as_str().unwrap_or("")
}

fn times(span: &Value) -> (u64, u64) {
    let n = |k: &str| span[k].as_str().and_then(|s| s.parse().ok()).unwrap_or(0);
    (n("startTimeUnixNano"), n("endTimeUnixNano"))
}

fn ns(rfc3339: &str) -> u64 {
    ciotel_cicd::Timestamp::parse_rfc3339(rfc3339)
        .map(|t| t.as_unix_nanos())
        .unwrap_or_else(|e| panic!("{e}"))
}
