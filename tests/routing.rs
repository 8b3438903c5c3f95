//! The routing connector, black box: the real binary with a routing table and file exporters
//! per backend. Real ciotel output (GitHub webhook deliveries of a real run, tagged by
//! cicd_ownership) and OTLP from clients; each span, log record and data point must arrive at
//! exactly the backends the table names, by id.

mod support;

use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use support::{Daemon, TempDir, read_json_lines, spans_in, wait_for};

/// Backends, one file exporter each.
const BACKENDS: [&str; 3] = ["ops", "dev", "archive"];

/// Exporters, connectors and downstream pipelines shared by the tests: platform spans to ops,
/// application spans to dev, every span to the archive; logs and metrics routed too.
fn routing_sections(dir: &TempDir) -> String {
    let mut exporters = String::from("exporters:\n");
    for name in BACKENDS
        .iter()
        .chain(&["team-api", "alerts", "logs", "failures", "metrics"])
    {
        exporters.push_str(&format!(
            "  file/{name}:\n    path: {}\n",
            dir.join(&format!("{name}.jsonl")).display()
        ));
    }
    format!(
        r#"{exporters}
connectors:
  routing/owners:
    default_pipelines: [traces/archive]
    table:
      - context: span
        condition: 'attributes["ciotel.owner"] == "platform"'
        pipelines: [traces/ops, traces/archive]
      - context: span
        statement: 'route() where attributes["ciotel.owner"] == "application"'
        pipelines: [traces/dev, traces/archive]
  routing/teams:
    table:
      - condition: 'resource.attributes["vcs.repository.name"] == "api"'
        pipelines: [traces/team-api]
  routing/logs:
    default_pipelines: [logs/rest]
    table:
      - context: log
        condition: 'severity_number >= SEVERITY_NUMBER_ERROR'
        pipelines: [logs/alerts]
  routing/metrics:
    default_pipelines: [metrics/rest]
    table:
      - context: datapoint
        condition: 'attributes["cicd.pipeline.result"] == "failure"'
        pipelines: [metrics/failures]
"#
    )
}

fn routing_pipelines(traces_in: &str) -> String {
    format!(
        r#"  pipelines:
{traces_in}
    traces/ops:
      receivers: [routing/owners]
      exporters: [file/ops]
    traces/dev:
      receivers: [routing/owners]
      exporters: [file/dev]
    traces/archive:
      receivers: [routing/owners]
      exporters: [file/archive]
    traces/team-api:
      receivers: [routing/teams]
      exporters: [file/team-api]
    logs/in:
      receivers: [otlp]
      exporters: [routing/logs]
    logs/alerts:
      receivers: [routing/logs]
      exporters: [file/alerts]
    logs/rest:
      receivers: [routing/logs]
      exporters: [file/logs]
    metrics/in:
      receivers: [otlp]
      exporters: [routing/metrics]
    metrics/failures:
      receivers: [routing/metrics]
      exporters: [file/failures]
    metrics/rest:
      receivers: [routing/metrics]
      exporters: [file/metrics]
"#
    )
}

fn file(dir: &TempDir, name: &str) -> PathBuf {
    dir.join(&format!("{name}.jsonl"))
}

/// Span ids (hex) in a backend's file.
fn span_ids(path: &Path) -> BTreeSet<String> {
    spans_in(&read_json_lines(path))
        .iter()
        .map(|s| s["spanId"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn attr<'a>(item: &'a Value, key: &str) -> Option<&'a str> {
    item["attributes"]
        .as_array()?
        .iter()
        .find(|kv| kv["key"] == key)?["value"]["stringValue"]
        .as_str()
}

fn fixture(rel: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(rel);
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (the shared fixtures are needed)", path.display()))
}

#[test]
fn a_real_runs_spans_reach_the_backends_their_owner_routes_to() {
    let dir = TempDir::new("routing-github");
    let config = format!(
        r#"
receivers:
  github:
    webhook:
      endpoint: 127.0.0.1:0
      insecure: true
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:0
processors:
  cicd_ownership:
    rules:
      - name: make-is-ops
        match: {{name: "Make test-all"}}
        owner: platform
{}
service:
  telemetry:
    metrics:
      level: none
{}"#,
        routing_sections(&dir),
        routing_pipelines(
            "    traces/in:\n      receivers: [github, otlp]\n      processors: [cicd_ownership]\n      exporters: [routing/owners, routing/teams]"
        )
    );
    let daemon = Daemon::start(&dir, "routing-github", &config);
    let address = daemon.address("github", "webhook");
    let client = reqwest::blocking::Client::new();
    for (event, rel) in [
        (
            "workflow_job",
            "otel-contrib/githubreceiver/workflow-job-completed.67dbedeb.json",
        ),
        (
            "workflow_run",
            "otel-contrib/githubreceiver/workflow-run-completed.b985387c.json",
        ),
    ] {
        let r = client
            .post(format!("http://{address}/events/github"))
            .header("X-GitHub-Event", event)
            .header("X-GitHub-Delivery", format!("routing-{event}"))
            .header("Content-Type", "application/json")
            .body(fixture(rel))
            .send()
            .expect("post webhook");
        assert!(r.status().is_success(), "{event}: {}", r.status());
    }
    // The archive takes every span; wait until both deliveries' spans are there.
    let archive = wait_for("both deliveries in the archive", || {
        let lines = read_json_lines(&file(&dir, "archive"));
        (lines.len() >= 2).then(|| spans_in(&lines))
    });
    let by_owner = |owner: &str| -> BTreeSet<String> {
        archive
            .iter()
            .filter(|s| attr(s, "ciotel.owner") == Some(owner))
            .map(|s| s["spanId"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let (platform, application) = (by_owner("platform"), by_owner("application"));
    assert!(
        !platform.is_empty() && !application.is_empty(),
        "the run has spans of both owners"
    );
    let expect = |name: &str, want: &BTreeSet<String>| {
        let got = wait_for(&format!("{name}'s spans"), || {
            let got = span_ids(&file(&dir, name));
            (got.len() >= want.len()).then_some(got)
        });
        assert_eq!(&got, want, "{name} gets exactly the spans its route names");
    };
    expect("ops", &platform);
    expect("dev", &application);
    let all: BTreeSet<String> = archive
        .iter()
        .map(|s| s["spanId"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        all.len(),
        archive.len(),
        "no span reached the archive twice"
    );
    assert!(all.is_superset(&platform) && all.is_superset(&application));
}

/// One OTLP/JSON span with `owner` (or none).
fn otlp_span(id: u8, owner: Option<&str>) -> Value {
    let mut attributes = vec![];
    if let Some(owner) = owner {
        attributes.push(json!({"key": "ciotel.owner", "value": {"stringValue": owner}}));
    }
    json!({
        "traceId": "5b8efff798038103d269b633813fc60c",
        "spanId": format!("{id:016x}"),
        "name": format!("span-{id}"),
        "kind": 1,
        "startTimeUnixNano": "1700000000000000000",
        "endTimeUnixNano": "1700000001000000000",
        "attributes": attributes,
    })
}

fn post(address: &str, path: &str, body: &Value) {
    let r = reqwest::blocking::Client::new()
        .post(format!("http://{address}{path}"))
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .expect("post OTLP");
    assert!(r.status().is_success(), "{path}: {}", r.status());
}

fn ids(list: &[u8]) -> BTreeSet<String> {
    list.iter().map(|id| format!("{id:016x}")).collect()
}

#[test]
fn a_mixed_otlp_request_is_split_and_logs_and_metrics_are_routed_too() {
    let dir = TempDir::new("routing-otlp");
    let config = format!(
        r#"
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:0
{}
service:
  telemetry:
    metrics:
      level: none
{}"#,
        routing_sections(&dir),
        routing_pipelines(
            "    traces/in:\n      receivers: [otlp]\n      exporters: [routing/owners, routing/teams]"
        )
    );
    let daemon = Daemon::start(&dir, "routing-otlp", &config);
    let address = daemon.address("otlp", "http");
    let resource =
        json!({"attributes": [{"key": "vcs.repository.name", "value": {"stringValue": "api"}}]});
    // One request: in the `api` resource, spans of each owner and one with none; in `web`, one
    // more platform span.
    let web =
        json!({"attributes": [{"key": "vcs.repository.name", "value": {"stringValue": "web"}}]});
    post(
        &address,
        "/v1/traces",
        &json!({"resourceSpans": [{
            "resource": resource,
            "scopeSpans": [{"scope": {"name": "pytest-otel"}, "spans": [
                otlp_span(1, Some("platform")),
                otlp_span(2, Some("application")),
                otlp_span(3, None),
                otlp_span(4, Some("platform")),
            ]}]
        }, {
            "resource": web,
            "scopeSpans": [{"scope": {"name": "pytest-otel"}, "spans": [otlp_span(5, Some("platform"))]}]
        }]}),
    );
    let wait = |name: &str, n: usize| {
        wait_for(&format!("{n} spans in {name}"), || {
            let got = span_ids(&file(&dir, name));
            (got.len() >= n).then_some(got)
        })
    };
    assert_eq!(wait("archive", 5), ids(&[1, 2, 3, 4, 5]));
    assert_eq!(wait("ops", 3), ids(&[1, 4, 5]));
    assert_eq!(wait("dev", 1), ids(&[2]));
    // The pipeline exports to two connectors; the teams route takes the `api` resource whole.
    assert_eq!(wait("team-api", 4), ids(&[1, 2, 3, 4]));
    // Every part keeps its resource and scope.
    for name in BACKENDS.iter().chain(&["team-api"]) {
        for span in spans_in(&read_json_lines(&file(&dir, name))) {
            let want = if span["spanId"] == format!("{:016x}", 5) {
                &web
            } else {
                &resource
            };
            assert_eq!(&span["_resource"], want, "{name}");
            assert_eq!(span["_scope"]["name"], "pytest-otel", "{name}");
        }
    }

    post(
        &address,
        "/v1/logs",
        &json!({"resourceLogs": [{"scopeLogs": [{"logRecords": [
            {"severityNumber": 17, "body": {"stringValue": "job failed: exit 2"}},
            {"severityNumber": 9, "body": {"stringValue": "job started"}},
            {"severityNumber": 21, "body": {"stringValue": "runner lost"}},
        ]}]}]}),
    );
    let bodies = |name: &str, n: usize| -> Vec<String> {
        wait_for(&format!("{n} log records in {name}"), || {
            let got: Vec<String> = read_json_lines(&file(&dir, name))
                .iter()
                .flat_map(|l| l["resourceLogs"].as_array().cloned().unwrap_or_default())
                .flat_map(|r| r["scopeLogs"].as_array().cloned().unwrap_or_default())
                .flat_map(|s| s["logRecords"].as_array().cloned().unwrap_or_default())
                .map(|r| {
                    r["body"]["stringValue"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string()
                })
                .collect();
            (got.len() >= n).then_some(got)
        })
    };
    assert_eq!(
        bodies("alerts", 2),
        vec!["job failed: exit 2", "runner lost"]
    );
    assert_eq!(bodies("logs", 1), vec!["job started"]);

    let point = |result: &str, value: i64| {
        json!({"asInt": value.to_string(), "timeUnixNano": "1700000000000000000",
               "attributes": [{"key": "cicd.pipeline.result", "value": {"stringValue": result}}]})
    };
    post(
        &address,
        "/v1/metrics",
        &json!({"resourceMetrics": [{"scopeMetrics": [{"metrics": [{
            "name": "cicd.pipeline.run.count",
            "sum": {"aggregationTemporality": 2, "isMonotonic": true, "dataPoints": [
                point("failure", 3), point("success", 7), point("failure", 1)
            ]}
        }]}]}]}),
    );
    let points = |name: &str, n: usize| -> Vec<(String, String)> {
        wait_for(&format!("{n} data points in {name}"), || {
            let got: Vec<(String, String)> = read_json_lines(&file(&dir, name))
                .iter()
                .flat_map(|l| l["resourceMetrics"].as_array().cloned().unwrap_or_default())
                .flat_map(|r| r["scopeMetrics"].as_array().cloned().unwrap_or_default())
                .flat_map(|s| s["metrics"].as_array().cloned().unwrap_or_default())
                .flat_map(|m| {
                    let name = m["name"].as_str().unwrap_or_default().to_string();
                    m["sum"]["dataPoints"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                        .into_iter()
                        .map(move |p| {
                            (
                                name.clone(),
                                p["asInt"].to_string().trim_matches('"').to_string(),
                            )
                        })
                })
                .collect();
            (got.len() >= n).then_some(got)
        })
    };
    let run_count = |v: &str| ("cicd.pipeline.run.count".to_string(), v.to_string());
    assert_eq!(points("failures", 2), vec![run_count("3"), run_count("1")]);
    assert_eq!(points("metrics", 1), vec![run_count("7")]);
}
