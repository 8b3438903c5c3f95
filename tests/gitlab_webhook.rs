//! The `gitlab` receiver against the real binary: a Pipeline Hook (go-gitlab's published
//! example, pipeline 31) becomes the pipeline → stage → job trace at the file exporter; a wrong
//! `X-Gitlab-Token` is refused and emits nothing; a redelivery emits nothing new.

mod support;

use serde_json::Value;
use std::path::Path;
use support::{Daemon, TempDir, read_json_lines, spans_in, wait_for};

const TOKEN: &str = "gitlab-shared-token";

#[test]
fn a_pipeline_hook_becomes_the_pipelines_trace_and_bad_or_repeated_ones_emit_nothing() {
    let dir = TempDir::new("gitlab-webhook");
    let config = format!(
        "receivers:\n  gitlab:\n    webhook:\n      endpoint: 127.0.0.1:0\n      secret: {TOKEN}\n\
         exporters:\n  file:\n    path: {}\n\
         service:\n  telemetry:\n    metrics:\n      level: none\n  pipelines:\n    traces:\n      receivers: [gitlab]\n      exporters: [file]\n",
        dir.join("traces.jsonl").display()
    );
    let daemon = Daemon::start(&dir, "ciotel", &config);
    let url = format!(
        "http://{}/events/gitlab",
        daemon.address("gitlab", "webhook")
    );
    let out = dir.join("traces.jsonl");
    let hook = fixture("gitlab/go-gitlab/webhook_pipeline.json");

    assert_eq!(
        post(&url, "Pipeline Hook", "k-0", &hook, "wrong").status(),
        401
    );
    let first = post(&url, "Pipeline Hook", "k-1", &hook, TOKEN);
    assert!(first.status().is_success(), "{}", first.status());

    let trace = ciotel_gitlab::ids::trace_id(31).to_string();
    let pipeline = ciotel_gitlab::ids::pipeline_span_id(31).to_string();
    let spans = wait_for("pipeline 31's spans", || {
        let spans = spans_in(&read_json_lines(&out));
        spans
            .iter()
            .any(|s| s["spanId"] == pipeline.as_str())
            .then_some(spans)
    });
    // The pipeline's trace, and its run's span in merge request !1's change trace.
    let (spans, change): (Vec<Value>, Vec<Value>) = spans
        .into_iter()
        .partition(|s| s["traceId"] == trace.as_str());
    let change_trace = ciotel_cicd::change::ids::ChangeIds::new(
        "gitlab",
        "1",
        &ciotel_cicd::change::ChangeNumber::Number(1),
    )
    .trace_id()
    .to_string();
    assert_eq!(change.len(), 1, "{change:#?}");
    assert!(
        change.iter().all(|s| s["traceId"] == change_trace.as_str()),
        "the pipeline's trace and its change's: {change:#?}"
    );
    let root = only(&spans, |s| s["spanId"] == pipeline.as_str());
    assert_eq!(root["kind"], 2, "SERVER");
    assert!(root["parentSpanId"].as_str().unwrap_or("").is_empty());

    // Stage spans hang under the pipeline, in the pipeline's stage order; jobs under stages.
    for (stage, job_id) in [("build", 376u64), ("test", 377), ("test", 378)] {
        let stage_id = ciotel_gitlab::ids::stage_span_id(31, stage).to_string();
        let stage_span = only(&spans, |s| s["spanId"] == stage_id.as_str());
        assert_eq!(
            stage_span["parentSpanId"],
            pipeline.as_str(),
            "stage {stage}"
        );
        let job = ciotel_gitlab::ids::job_span_id(job_id).to_string();
        let job_span = only(&spans, |s| s["spanId"] == job.as_str());
        assert_eq!(
            job_span["parentSpanId"],
            stage_id.as_str(),
            "job {job_id} under {stage}"
        );
    }
    let start = |id: String| -> u64 {
        let s = only(&spans, |s| s["spanId"] == id.as_str());
        s["startTimeUnixNano"].as_str().unwrap().parse().unwrap()
    };
    assert!(
        start(ciotel_gitlab::ids::stage_span_id(31, "build").to_string())
            <= start(ciotel_gitlab::ids::stage_span_id(31, "test").to_string())
    );

    // The same delivery again (GitLab retries with the same Idempotency-Key): nothing new.
    let count = spans.len() + change.len();
    assert!(
        post(&url, "Pipeline Hook", "k-1", &hook, TOKEN)
            .status()
            .is_success()
    );
    let job_hook = fixture("gitlab/go-gitlab/webhook_job.json");
    assert!(
        post(&url, "Job Hook", "k-2", &job_hook, TOKEN)
            .status()
            .is_success()
    );
    let spans = wait_for("the job hook's spans", || {
        let spans = spans_in(&read_json_lines(&out));
        (spans.len() > count).then_some(spans)
    });
    let repeated = spans
        .iter()
        .filter(|s| s["spanId"] == pipeline.as_str())
        .count();
    assert_eq!(
        repeated, 1,
        "the redelivered pipeline hook was emitted again"
    );
}

fn post(
    url: &str,
    event: &str,
    key: &str,
    body: &[u8],
    token: &str,
) -> reqwest::blocking::Response {
    reqwest::blocking::Client::new()
        .post(url)
        .header("X-Gitlab-Event", event)
        .header("Idempotency-Key", key)
        .header("X-Gitlab-Token", token)
        .header("Content-Type", "application/json")
        .body(body.to_vec())
        .send()
        .expect("POST the hook")
}

fn fixture(rel: &str) -> Vec<u8> {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    assert!(
        shared.is_dir(),
        "../shared/fixtures is missing: these tests read the real GitLab payloads from it (CI lays ../shared beside the checkout)"
    );
    std::fs::read(shared.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
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
