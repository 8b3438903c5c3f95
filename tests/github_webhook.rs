//! The `github` receiver against the real binary: signed webhook deliveries of a real run (the
//! Collector's golden run 14460881260, attempt 13) become spans at the file exporter with the
//! right ids, parents, times and attributes; a wrong signature is refused and emits nothing; a
//! redelivery emits nothing new.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use support::{Daemon, TempDir, read_json_lines, spans_in, wait_for};

const SECRET: &str = "it's-a-secret-to-everybody";
const TRACE: &str = "731ec8a47fd7450f753a812a4a8aa5a0";
const ROOT: &str = "aba151af7cfbcf0f";

#[test]
fn signed_deliveries_become_the_runs_trace_and_bad_or_repeated_ones_emit_nothing() {
    let dir = TempDir::new("github-webhook");
    let daemon = start(&dir);
    let url = format!(
        "http://{}/events/github",
        daemon.address("github", "webhook")
    );
    let out = dir.join("traces.jsonl");
    let run = fixture("otel-contrib/githubreceiver/workflow-run-completed.b985387c.json");
    let job = fixture("otel-contrib/githubreceiver/workflow-job-completed.67dbedeb.json");

    // A wrong signature: 401, and nothing reaches the pipeline.
    let refused = post(&url, "workflow_job", "d-0", &job, Some("sha256=00"));
    assert_eq!(refused.status(), 401);
    assert_eq!(
        post(&url, "workflow_job", "d-0b", &job, None).status(),
        401,
        "unsigned"
    );

    let accepted = post(&url, "workflow_run", "d-1", &run, Some(&sign(&run)));
    assert_eq!(accepted.status(), 202);
    let accepted = post(&url, "workflow_job", "d-2", &job, Some(&sign(&job)));
    assert_eq!(accepted.status(), 202);
    // 1 root span + job + queue + 8 steps.
    let spans = wait_for("the run's 11 spans", || {
        let spans = spans_in(&read_json_lines(&out));
        (spans.len() >= 11).then_some(spans)
    });
    assert_eq!(
        spans.len(),
        11,
        "the refused delivery emitted nothing: {spans:#?}"
    );

    let root = only(&spans, |s| s["spanId"] == ROOT);
    assert_eq!(root["traceId"], TRACE);
    assert_eq!(root["name"], "RUN build-and-test");
    assert_eq!(root["kind"], 2, "SERVER");
    assert_eq!(root["status"]["code"], 2, "ERROR for a failed run");
    assert_eq!(attr(root, "cicd.pipeline.run.id"), "14460881260");
    assert_eq!(attr(root, "cicd.pipeline.result"), "failure");
    // Attempt 13 links to attempt 12's trace: SHA-256("1446088126012t"), first 32 hex chars.
    assert_eq!(
        root["links"][0]["traceId"],
        "3ab150c94bf95169f4958bc860bddc3b"
    );

    let job_span = only(&spans, |s| s["name"] == "test (1.23)");
    assert_eq!(job_span["traceId"], TRACE);
    assert_eq!(job_span["parentSpanId"], ROOT);
    assert_eq!(attr(job_span, "cicd.pipeline.task.run.result"), "success");
    let job_id = job_span["spanId"].as_str().unwrap().to_string();
    let queue = only(&spans, |s| s["name"] == "queue");
    assert_eq!(queue["parentSpanId"], job_id.as_str());
    // The fixture's job was created at 21:08:56 and started at 21:09:01: a 5 s queue.
    let nanos = |s: &Value, k: &str| s[k].as_str().unwrap().parse::<u64>().unwrap();
    assert_eq!(
        nanos(queue, "endTimeUnixNano") - nanos(queue, "startTimeUnixNano"),
        5_000_000_000
    );
    let steps: Vec<&Value> = spans
        .iter()
        .filter(|s| attr_opt(s, "ciotel.span.type") == Some("step"))
        .collect();
    assert_eq!(steps.len(), 8);
    assert!(
        steps
            .iter()
            .all(|s| s["parentSpanId"] == job_id.as_str() && s["traceId"] == TRACE)
    );

    // A redelivery of an accepted delivery: acknowledged, nothing new emitted. A fresh
    // delivery afterwards proves the pipeline moved on without it.
    let again = post(&url, "workflow_job", "d-2", &job, Some(&sign(&job)));
    assert_eq!(again.status(), 200);
    let other = fixture("otel-contrib/githubreceiver/workflow-job-skipped.09ea2f42.json");
    assert_eq!(
        post(&url, "workflow_job", "d-3", &other, Some(&sign(&other))).status(),
        202
    );
    let spans = wait_for("the skipped job's spans", || {
        let spans = spans_in(&read_json_lines(&out));
        spans
            .iter()
            .any(|s| s["spanId"] == "fb6779d8c7b7c66c")
            .then_some(spans)
    });
    let job_copies = spans
        .iter()
        .filter(|s| s["spanId"] == job_id.as_str())
        .count();
    assert_eq!(job_copies, 1, "the redelivery was emitted again");
}

fn start(dir: &TempDir) -> Daemon {
    let config = format!(
        "receivers:\n  github:\n    webhook:\n      endpoint: 127.0.0.1:0\n      secret: \"{SECRET}\"\n\
         exporters:\n  file:\n    path: {}\n\
         service:\n  telemetry:\n    metrics:\n      level: none\n  pipelines:\n    traces:\n      receivers: [github]\n      exporters: [file]\n",
        dir.join("traces.jsonl").display()
    );
    Daemon::start(dir, "ciotel", &config)
}

fn post(
    url: &str,
    event: &str,
    delivery: &str,
    body: &[u8],
    signature: Option<&str>,
) -> reqwest::blocking::Response {
    let mut request = reqwest::blocking::Client::new()
        .post(url)
        .header("X-GitHub-Event", event)
        .header("X-GitHub-Delivery", delivery)
        .header("Content-Type", "application/json")
        .body(body.to_vec());
    if let Some(signature) = signature {
        request = request.header("X-Hub-Signature-256", signature);
    }
    request.send().expect("POST the delivery")
}

fn sign(body: &[u8]) -> String {
    ciotel_github::receiver::sign_delivery(SECRET.as_bytes(), body)
}

fn fixture(rel: &str) -> Vec<u8> {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    assert!(
        shared.is_dir(),
        "../shared/fixtures is missing: these tests read the real GitHub payloads from it (CI lays ../shared beside the checkout)"
    );
    let path: PathBuf = shared.join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn only(spans: &[Value], pick: impl Fn(&Value) -> bool) -> &Value {
    let found: Vec<&Value> = spans.iter().filter(|s| pick(s)).collect();
    assert_eq!(
        found.len(),
        1,
        "expected exactly one such span in {spans:#?}"
    );
    found[0]
}

fn attr_opt<'a>(span: &'a Value, key: &str) -> Option<&'a str> {
    span["attributes"]
        .as_array()?
        .iter()
        .find(|kv| kv["key"] == key)?["value"]["stringValue"]
        .as_str()
}

fn attr<'a>(span: &'a Value, key: &str) -> &'a str {
    attr_opt(span, key).unwrap_or_else(|| panic!("span has no string attribute {key}: {span:#}"))
}
