//! One answer per span id: a failed run's `workflow_run` and its `workflow_job`s (the real
//! fixtures in `../shared/fixtures`, mapped with the `github` receiver's own mapping and
//! translated as it does), delivered in every order, each event delivered twice, to one
//! `cicd_ownership` processor per sequence (a gateway instance) with and without its cache,
//! and as the API poller's one batch. Across all of them, no span id is ever emitted with two
//! different contents (span, resource and scope), the run's root span carries no verdict,
//! and every instance with the cache ends with the verdict span over both failed jobs.
//! With logs (the poller's batch carries `job_log` spans), the same holds over every order of
//! poller batches and redelivered jobs, for instances that read a log and ones that could not.

use ciotel_cicd::ownership::job_log::{self, JobLog};
use ciotel_cicd::ownership::{OwnershipConfig, OwnershipProcessor, VerdictCacheConfig};
use ciotel_cicd::{CiEvent, IdRecipe, translate_all};
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, Span};
use prost::Message;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;

fn fixture(path: &str) -> Value {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(path);
    let text = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("{}: {e} (the shared fixtures are needed)", file.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

fn github(event: &str, body: &Value) -> CiEvent {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    match ciotel_github::map_webhook(event, &bytes) {
        Ok(Some(e)) => e,
        other => panic!("{event}: {other:?}"),
    }
}

/// Fails step `step` of a job payload (and the job).
fn fail_step(job: &mut Value, step: &str) {
    let steps = job["workflow_job"]["steps"].as_array_mut().expect("steps");
    let s = steps
        .iter_mut()
        .find(|s| s["name"] == step)
        .unwrap_or_else(|| panic!("no step {step}"));
    s["conclusion"] = json!("failure");
    job["workflow_job"]["conclusion"] = json!("failure");
}

/// Run 14460881260 attempt 13 (failed, the Collector's testdata), its job "test (1.23)"
/// failed in "Make test-all" (the change), and a second job (the Collector's other job
/// payload, moved into that run) failed in "Set up job" (the platform).
fn events() -> [CiEvent; 3] {
    let run = fixture("otel-contrib/githubreceiver/workflow-run-completed.b985387c.json");
    let mut test = fixture("otel-contrib/githubreceiver/workflow-job-completed.67dbedeb.json");
    fail_step(&mut test, "Make test-all");
    let mut other = fixture("otel-contrib/githubreceiver/inprogress.5d2112b1.json");
    other["workflow_job"]["run_id"] = test["workflow_job"]["run_id"].clone();
    other["workflow_job"]["run_attempt"] = test["workflow_job"]["run_attempt"].clone();
    other["repository"] = test["repository"].clone();
    fail_step(&mut other, "Set up job");
    [
        github("workflow_run", &run),
        github("workflow_job", &test),
        github("workflow_job", &other),
    ]
}

fn processor(cache: bool) -> OwnershipProcessor {
    let mut config = OwnershipConfig::default();
    if !cache {
        config.verdict_cache = VerdictCacheConfig {
            max_runs: 0,
            max_jobs_per_run: 0,
        };
    }
    OwnershipProcessor::new(config)
}

fn spans(groups: &[ResourceSpans]) -> impl Iterator<Item = &Span> {
    groups
        .iter()
        .flat_map(|r| &r.scope_spans)
        .flat_map(|s| &s.spans)
}

fn attr(span: &Span, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(|v| match &v.value {
            Some(AnyValue::StringValue(s)) => Some(s.clone()),
            Some(AnyValue::IntValue(i)) => Some(i.to_string()),
            _ => None,
        })
}

/// A span's (trace id, span id).
type Ids = (Vec<u8>, Vec<u8>);

/// A span's encoded content, and where it was first emitted.
type FirstSeen = (Vec<u8>, String);

/// Every span emitted so far, by id, with its encoded content: the span, its resource and its
/// instrumentation scope (a backend stores all three per span).
#[derive(Default)]
struct Emitted {
    by_id: HashMap<Ids, FirstSeen>,
    names: HashMap<Ids, String>,
}

impl Emitted {
    fn record(&mut self, groups: &[ResourceSpans], context: &str) {
        let with_context = groups.iter().flat_map(|rs| {
            rs.scope_spans.iter().flat_map(move |ss| {
                ss.spans.iter().map(move |span| {
                    let mut content = rs
                        .resource
                        .as_ref()
                        .map(Message::encode_to_vec)
                        .unwrap_or_default();
                    content.extend(
                        ss.scope
                            .as_ref()
                            .map(Message::encode_to_vec)
                            .unwrap_or_default(),
                    );
                    content.extend(span.encode_to_vec());
                    (span, content)
                })
            })
        });
        for (span, content) in with_context {
            let key = (span.trace_id.clone(), span.span_id.clone());
            match self.by_id.get(&key) {
                Some((earlier, where_)) => assert!(
                    earlier == &content,
                    "span {:?} ({}) emitted with two contents: first {where_}, then {context}",
                    span.name,
                    hex(&span.span_id),
                ),
                None => {
                    self.names.insert(key.clone(), span.name.clone());
                    self.by_id.insert(key, (content, context.to_owned()));
                }
            }
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every distinct order of `items` (a multiset).
fn orders(items: &[usize]) -> Vec<Vec<usize>> {
    if items.is_empty() {
        return vec![Vec::new()];
    }
    let mut out = Vec::new();
    let mut tried = Vec::new();
    for (i, &x) in items.iter().enumerate() {
        if tried.contains(&x) {
            continue;
        }
        tried.push(x);
        let mut rest = items.to_vec();
        rest.remove(i);
        for mut tail in orders(&rest) {
            tail.insert(0, x);
            out.push(tail);
        }
    }
    out
}

#[test]
fn every_order_every_redelivery_every_instance_gives_one_content_per_span_id() {
    let events = events();
    let names = ["workflow_run", "workflow_job test", "workflow_job other"];
    let mut emitted = Emitted::default();
    let sequences = orders(&[0, 0, 1, 1, 2, 2]);
    assert_eq!(sequences.len(), 90);
    let mut verdicts_over_both = 0;
    for cache in [true, false] {
        for sequence in &sequences {
            let p = processor(cache);
            let mut last_verdict: Option<Span> = None;
            for (step, &e) in sequence.iter().enumerate() {
                let mut batch = translate_all([&events[e]], IdRecipe::CheckRun);
                p.process(&mut batch);
                let context = format!(
                    "cache {cache}, order {:?}, delivery {step} ({})",
                    sequence.iter().map(|&i| names[i]).collect::<Vec<_>>(),
                    names[e]
                );
                emitted.record(&batch, &context);
                for span in spans(&batch) {
                    if attr(span, "ciotel.span.type").as_deref() == Some("run") {
                        assert_eq!(attr(span, "ciotel.failure.owner"), None, "{context}");
                    }
                    if span.name == "verdict" {
                        last_verdict = Some(span.clone());
                    }
                }
            }
            if cache {
                let v = last_verdict.expect("an instance with the cache writes a verdict");
                assert_eq!(attr(&v, "ciotel.failure.jobs").as_deref(), Some("2"));
                assert_eq!(attr(&v, "ciotel.failure.owner").as_deref(), Some("mixed"));
                verdicts_over_both += 1;
            } else {
                assert!(last_verdict.is_none(), "no cache, never both in one batch");
            }
        }
    }
    assert_eq!(verdicts_over_both, 90);
    // The API poller: the run attempt and all its jobs in one batch, twice.
    for cache in [true, false] {
        let p = processor(cache);
        for delivery in 0..2 {
            let mut batch = translate_all(events.iter(), IdRecipe::CheckRun);
            p.process(&mut batch);
            emitted.record(&batch, &format!("poller batch {delivery}, cache {cache}"));
            let verdicts: Vec<&Span> = spans(&batch).filter(|s| s.name == "verdict").collect();
            assert_eq!(verdicts.len(), 1);
            // The first failed job by start time (the moved one started earlier).
            assert_eq!(
                attr(verdicts[0], "ciotel.failure.job").as_deref(),
                Some("call-workflow-passing-data / test (1.23)")
            );
            assert_eq!(
                attr(verdicts[0], "ciotel.failure.owner").as_deref(),
                Some("mixed")
            );
        }
    }
    // Verdict spans over the one job, the other, and both: three ids, each one content.
    let verdict_ids = emitted.names.values().filter(|n| *n == "verdict").count();
    assert_eq!(verdict_ids, 3);
}

/// The poller's batch of the run and its jobs with their `job_log` spans (as a receiver with
/// `api:` sends it): the test job's log shows a pytest failure; the other's says `other`.
fn poller_batch_with_logs(events: &[CiEvent], other: &JobLog) -> Vec<ResourceSpans> {
    let mut batch = translate_all(events.iter(), IdRecipe::CheckRun);
    let jobs: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            CiEvent::Job(j) => Some(j.id.clone()),
            _ => None,
        })
        .collect();
    let test_log = JobLog::Read(
        "FAILED tests/test_all.py::test_x - AssertionError\n=== 1 failed, 9 passed in 1.00s ===\n"
            .into(),
    );
    assert!(job_log::attach_to_job(&mut batch, &jobs[0], &test_log));
    assert!(job_log::attach_to_job(&mut batch, &jobs[1], other));
    batch
}

#[test]
fn with_logs_the_poller_and_redelivered_jobs_in_every_order_give_one_content_per_span_id() {
    let events = events();
    let names = ["poller batch", "workflow_job test", "workflow_job other"];
    // The other job failed in "Set up job" (the platform's by its spans); its log says the
    // change did not compile.
    let read = JobLog::Read("error[E0308]: mismatched types\n".into());
    let unreadable = JobLog::Unavailable("HTTP 503".into());
    let mut emitted = Emitted::default();
    let sequences = orders(&[0, 0, 1, 1, 2, 2]);
    // Two kinds of instance: one read the other job's log, one could not.
    for (kind, other) in [("read", &read), ("unreadable", &unreadable)] {
        for cache in [true, false] {
            let mut final_verdicts = Vec::new();
            for sequence in &sequences {
                let p = processor(cache);
                let mut verdicts = Vec::new();
                for (step, &e) in sequence.iter().enumerate() {
                    let mut batch = match e {
                        0 => poller_batch_with_logs(&events, other),
                        _ => translate_all([&events[e]], IdRecipe::CheckRun),
                    };
                    p.process(&mut batch);
                    let context = format!(
                        "{kind}, cache {cache}, order {:?}, delivery {step} ({})",
                        sequence.iter().map(|&i| names[i]).collect::<Vec<_>>(),
                        names[e]
                    );
                    emitted.record(&batch, &context);
                    assert!(
                        spans(&batch)
                            .all(|s| attr(s, "ciotel.span.type").as_deref() != Some("job_log")),
                        "{context}: job_log spans are dropped"
                    );
                    verdicts.extend(spans(&batch).filter(|s| s.name == "verdict").cloned());
                }
                // Every verdict span an instance writes is the poller's, over both jobs.
                assert!(!verdicts.is_empty());
                assert!(verdicts.iter().all(|v| v == &verdicts[0]));
                final_verdicts.push(verdicts[0].clone());
            }
            assert!(final_verdicts.iter().all(|v| v == &final_verdicts[0]));
            let v = &final_verdicts[0];
            assert_eq!(attr(v, "ciotel.failure.jobs").as_deref(), Some("2"));
            // The first failed job (by start) is the other one: the span says what its log
            // did.
            let (owner, log, rule) = match kind {
                "read" => ("application", "matched", "log:rustc"),
                _ => ("mixed", "unavailable", "jobs"),
            };
            assert_eq!(
                attr(v, "ciotel.failure.owner").as_deref(),
                Some(owner),
                "{kind}"
            );
            assert_eq!(
                attr(v, "ciotel.failure.log").as_deref(),
                Some(log),
                "{kind}"
            );
            assert_eq!(
                attr(v, "ciotel.failure.rule").as_deref(),
                Some(rule),
                "{kind}"
            );
        }
    }
    // Two verdict ids (the other job's log read, or not), each with one content.
    let verdict_ids = emitted.names.values().filter(|n| *n == "verdict").count();
    assert_eq!(verdict_ids, 2);
}
