//! ciotel against the OpenTelemetry Collector githubreceiver's own golden files: every span id,
//! trace id, parent and time in them is reproduced from the same input payloads.
//!
//! Known, intended differences (asserted below, documented in the README):
//! - the legacy golden parents step spans to the queue span; ciotel parents them to the job;
//! - the Collector names the queue span `queue-{job}`; ciotel names it `queue`;
//! - the Collector sets a status message on OK/UNSET spans ("success", "skipped"); OTLP allows a
//!   message only with ERROR, so ciotel leaves it empty;
//! - the Collector's run link carries only the previous trace id; ciotel also gives the previous
//!   attempt's root span id, so the link is a valid span context.

mod common;

use ciotel_cicd::IdRecipe;
use opentelemetry_proto::tonic::trace::v1::Span;
use serde_json::Value;

const DIR: &str = "otel-contrib/githubreceiver";

/// The spans of a Collector golden YAML, as JSON values.
fn golden_spans(file: &str) -> Vec<Value> {
    let path = common::fixtures_dir().join(DIR).join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let doc: Value = yaml_serde::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut out = Vec::new();
    for rs in doc["resourceSpans"].as_array().expect("resourceSpans") {
        for ss in rs["scopeSpans"].as_array().expect("scopeSpans") {
            out.extend(ss["spans"].as_array().expect("spans").iter().cloned());
        }
    }
    out
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or("")
}

fn time(v: &Value, key: &str) -> u64 {
    s(v, key).parse().unwrap_or_else(|e| panic!("{key}: {e}"))
}

fn code(v: &Value) -> i64 {
    v["status"]["code"].as_i64().unwrap_or(0)
}

/// Checks id, trace, times and status code of our span against the golden one.
fn assert_same_core(golden: &Value, ours: &Span) {
    let name = s(golden, "name");
    assert_eq!(
        hex::encode(&ours.trace_id),
        s(golden, "traceId"),
        "{name}: trace id"
    );
    assert_eq!(
        ours.start_time_unix_nano,
        time(golden, "startTimeUnixNano"),
        "{name}: start"
    );
    assert_eq!(
        ours.end_time_unix_nano,
        time(golden, "endTimeUnixNano"),
        "{name}: end"
    );
    assert_eq!(
        i64::from(ours.status.as_ref().map_or(0, |st| st.code)),
        code(golden),
        "{name}: status code"
    );
}

#[test]
fn legacy_job_golden_ids_and_times() {
    let golden = golden_spans("workflow-job-expected.280902ae.yaml");
    let ours = common::spans(&common::resource_spans(
        &format!("{DIR}/workflow-job-completed.67dbedeb.json"),
        IdRecipe::Legacy,
    ));
    assert_eq!(ours.len(), golden.len(), "one span per golden span");
    let job_id = "e68a36b3514c8634";
    let queue_id = "d328504edfc4f5dc";
    for g in &golden {
        let id = s(g, "spanId");
        let span = common::by_id(&ours, id);
        assert_same_core(g, span);
        let parent = hex::encode(&span.parent_span_id);
        match id {
            "e68a36b3514c8634" => {
                assert_eq!(span.name, s(g, "name"));
                assert_eq!(parent, s(g, "parentSpanId"), "job under the root");
            }
            "d328504edfc4f5dc" => {
                assert_eq!(
                    (span.name.as_str(), s(g, "name")),
                    ("queue", "queue-test (1.23)")
                );
                assert_eq!(parent, s(g, "parentSpanId"), "queue under the job");
            }
            _ => {
                assert_eq!(span.name, s(g, "name"));
                assert_eq!(
                    s(g, "parentSpanId"),
                    queue_id,
                    "the Collector put steps under the queue"
                );
                assert_eq!(
                    parent, job_id,
                    "ciotel puts steps under the job, as issue 3 asks"
                );
            }
        }
    }
}

#[test]
fn skipped_job_golden_ids_parents_and_times() {
    let golden = golden_spans("workflow-job-skipped-expected.0bf01165.yaml");
    let ours = common::spans(&common::resource_spans(
        &format!("{DIR}/workflow-job-skipped.09ea2f42.json"),
        IdRecipe::CheckRun,
    ));
    assert_eq!(ours.len(), golden.len());
    for g in &golden {
        let span = common::by_id(&ours, s(g, "spanId"));
        assert_same_core(g, span);
        assert_eq!(hex::encode(&span.parent_span_id), s(g, "parentSpanId"));
        assert_eq!(
            i64::from(span.kind),
            g["kind"].as_i64().unwrap_or(-1),
            "kind INTERNAL"
        );
    }
}

#[test]
fn run_golden_root_and_link() {
    let golden = golden_spans("workflow-run-expected.69354d0f.yaml");
    let ours = common::spans(&common::resource_spans(
        &format!("{DIR}/workflow-run-completed.b985387c.json"),
        IdRecipe::CheckRun,
    ));
    assert_eq!((ours.len(), golden.len()), (1, 1));
    let (g, root) = (&golden[0], &ours[0]);
    assert_eq!(hex::encode(&root.span_id), s(g, "spanId"));
    assert!(root.parent_span_id.is_empty() && s(g, "parentSpanId").is_empty());
    assert_same_core(g, root);
    assert_eq!(
        root.status.as_ref().map(|st| st.message.as_str()),
        Some(s(&g["status"], "message"))
    );
    assert_eq!(
        i64::from(root.kind),
        g["kind"].as_i64().unwrap_or(-1),
        "kind SERVER"
    );
    let golden_links = g["links"].as_array().expect("links");
    assert_eq!(root.links.len(), golden_links.len());
    assert_eq!(
        hex::encode(&root.links[0].trace_id),
        s(&golden_links[0], "traceId")
    );
    assert_eq!(s(&golden_links[0], "spanId"), "");
    assert_eq!(
        hex::encode(&root.links[0].span_id),
        ciotel_cicd::ids::root_span_id("14460881260", 12).to_string(),
        "ciotel links to the previous attempt's root span"
    );
}
