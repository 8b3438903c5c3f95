//! The same pipeline seen through different sources and in different orders gives the same
//! spans: a Pipeline Hook's `builds` and the Job Hooks of the same jobs (either order), a
//! running job's queue span and the finished job's, and the REST API's pipeline and jobs.
//!
//! Job Hooks are built here from a Pipeline Hook fixture the way GitLab builds them (the
//! `build_*` fields, `commit.id` = the pipeline id, `commit.name` = its name, `repository`), so
//! both describe exactly the same jobs; the fixture files themselves are never changed.

mod common;

use std::collections::BTreeMap;

use ciotel_gitlab::payload::{Project, RestJob, RestPipeline};
use ciotel_gitlab::{EVENT_JOB_HOOK, EVENT_PIPELINE_HOOK, map_rest_pipeline, map_webhook};
use common::*;
use opentelemetry_proto::tonic::trace::v1::Span;
use serde_json::{Value, json};

const PIPELINES: [&str; 3] = [
    "gitlab/go-gitlab/webhook_pipeline.json",
    "otel-contrib/gitlabreceiver/pipeline.valid_with_jobs.json",
    "otel-contrib/gitlabreceiver/pipeline.with_null_timestamps_job.json",
];

/// The Job Hook GitLab sends for `build` of the pipeline `hook`.
fn job_hook(hook: &Value, build: &Value) -> Value {
    let a = &hook["object_attributes"];
    let project = &hook["project"];
    json!({
        "object_kind": "build",
        "ref": a["ref"], "tag": a["tag"], "sha": a["sha"],
        "build_id": build["id"],
        "build_name": build["name"],
        "build_stage": build["stage"],
        "build_status": build["status"],
        "build_created_at": build["created_at"],
        "build_started_at": build["started_at"],
        "build_finished_at": build["finished_at"],
        "build_duration": build["duration"],
        "build_queued_duration": build["queued_duration"],
        "build_allow_failure": build["allow_failure"],
        "build_failure_reason": build["failure_reason"],
        "pipeline_id": a["id"],
        "project_id": project["id"],
        "project_name": project["name"],
        "user": build["user"],
        "commit": {"id": a["id"], "name": a["name"], "sha": a["sha"], "status": a["status"]},
        "repository": {
            "name": project["name"],
            "homepage": project["web_url"],
            "git_http_url": project["git_http_url"],
        },
        "runner": build["runner"],
        "environment": build["environment"],
    })
}

fn to_bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).expect("JSON serializes")
}

/// Maps and translates deliveries in order, as a receiver would.
fn deliver(deliveries: &[(&str, Vec<u8>)]) -> Vec<Span> {
    deliveries
        .iter()
        .flat_map(|(event, body)| {
            let events = map_webhook(event, body)
                .unwrap_or_else(|e| panic!("{e}"))
                .expect("handled event");
            spans(&ciotel_gitlab::translate(&events))
        })
        .collect()
}

/// Spans by id; fails if one id was emitted with two different contents (a backend would
/// keep either).
fn by_id(spans: &[Span]) -> BTreeMap<Vec<u8>, Span> {
    let mut out: BTreeMap<Vec<u8>, Span> = BTreeMap::new();
    for s in spans {
        if let Some(seen) = out.get(&s.span_id) {
            assert_eq!(seen, s, "span {} emitted twice, differently", s.name);
        }
        out.insert(s.span_id.clone(), s.clone());
    }
    out
}

/// A delivery: its `X-Gitlab-Event` and body.
type Delivery = (&'static str, Vec<u8>);

/// The Pipeline Hook of a fixture, and the Job Hooks of its builds.
fn pipeline_and_job_hooks(rel: &str) -> (Delivery, Vec<Delivery>) {
    let hook: Value = serde_json::from_slice(&read(rel)).expect("fixture is JSON");
    let jobs = hook["builds"]
        .as_array()
        .expect("builds")
        .iter()
        .map(|b| (EVENT_JOB_HOOK, to_bytes(&job_hook(&hook, b))))
        .collect();
    ((EVENT_PIPELINE_HOOK, read(rel)), jobs)
}

#[test]
fn job_hooks_and_pipeline_builds_give_the_same_spans_in_either_order() {
    for rel in PIPELINES {
        let (pipeline, jobs) = pipeline_and_job_hooks(rel);
        let from_pipeline = by_id(&deliver(std::slice::from_ref(&pipeline)));
        let from_jobs = by_id(&deliver(&jobs));
        assert!(!from_jobs.is_empty(), "{rel}");
        for (id, span) in &from_jobs {
            assert_eq!(
                from_pipeline.get(id),
                Some(span),
                "{rel}: {} differs between its Job Hook and the Pipeline Hook",
                span.name
            );
        }
        let mut pipeline_first = vec![pipeline.clone()];
        pipeline_first.extend(jobs.iter().cloned());
        let mut jobs_first = jobs.clone();
        jobs_first.push(pipeline);
        let a = by_id(&deliver(&pipeline_first));
        let b = by_id(&deliver(&jobs_first));
        assert_eq!(a, b, "{rel}: order matters");
        assert_eq!(a, from_pipeline, "{rel}: job hooks add nothing new");
    }
}

#[test]
fn a_job_hook_and_a_pipeline_holding_that_job_agree() {
    // The other direction: the go-gitlab Job Hook, and a Pipeline Hook built around it.
    let job: Value = serde_json::from_slice(&read("gitlab/go-gitlab/webhook_job.json")).unwrap();
    let pipeline = json!({
        "object_kind": "pipeline",
        "object_attributes": {
            "id": job["pipeline_id"], "name": job["commit"]["name"], "ref": job["ref"],
            "sha": job["sha"], "status": "success", "stages": [job["build_stage"]],
            "created_at": "2023-01-10 13:50:01 UTC", "finished_at": "2023-01-10 13:51:00 UTC",
        },
        "project": {"id": job["project_id"], "web_url": job["repository"]["homepage"]},
        "builds": [{
            "id": job["build_id"], "stage": job["build_stage"], "name": job["build_name"],
            "status": job["build_status"], "created_at": job["build_created_at"],
            "started_at": job["build_started_at"], "finished_at": job["build_finished_at"],
            "duration": job["build_duration"], "queued_duration": job["build_queued_duration"],
            "allow_failure": job["build_allow_failure"],
            "failure_reason": job["build_failure_reason"], "runner": job["runner"],
        }],
    });
    let from_pipeline = by_id(&deliver(&[(EVENT_PIPELINE_HOOK, to_bytes(&pipeline))]));
    let from_job = deliver(&[(EVENT_JOB_HOOK, read("gitlab/go-gitlab/webhook_job.json"))]);
    for span in &from_job {
        let mut other = from_pipeline
            .get(&span.span_id)
            .unwrap_or_else(|| panic!("{} missing from the pipeline", span.name))
            .clone();
        // The one fact only Job Hooks carry.
        if span.name != "queue" {
            assert_eq!(attr_int(span, "gitlab.job.retries_count"), Some(1));
            let mut without = span.clone();
            without
                .attributes
                .retain(|kv| kv.key != "gitlab.job.retries_count");
            other
                .attributes
                .retain(|kv| kv.key != "gitlab.job.retries_count");
            assert_eq!(without, other, "{}", span.name);
        } else {
            assert_eq!(span, &other);
        }
    }
    // The pipeline adds the pipeline span and the stage span the job hangs under.
    let stage = from_pipeline
        .values()
        .find(|s| s.name == "coordinated:tag")
        .expect("stage span");
    assert_eq!(from_job[0].parent_span_id, stage.span_id);
}

#[test]
fn a_running_jobs_queue_span_is_the_finished_jobs() {
    for rel in PIPELINES {
        let hook: Value = serde_json::from_slice(&read(rel)).unwrap();
        for build in hook["builds"].as_array().unwrap() {
            if build["started_at"].is_null() {
                continue;
            }
            let mut running = job_hook(&hook, build);
            running["build_status"] = json!("running");
            running["build_finished_at"] = json!(null);
            let early = deliver(&[(EVENT_JOB_HOOK, to_bytes(&running))]);
            assert_eq!(early.len(), 1, "{rel}: only the queue span while running");
            let later = by_id(&deliver(&[(EVENT_PIPELINE_HOOK, read(rel))]));
            assert_eq!(later.get(&early[0].span_id), Some(&early[0]), "{rel}");
        }
    }
}

/// The REST objects GitLab's API returns for the pipeline of a Pipeline Hook.
fn rest_of(hook: &Value) -> (Project, RestPipeline, Vec<RestJob>) {
    let a = &hook["object_attributes"];
    let project: Project = serde_json::from_value(hook["project"].clone()).unwrap();
    let web = project.web_url.clone().unwrap_or_default();
    let pipeline: RestPipeline = serde_json::from_value(json!({
        "id": a["id"], "iid": a["iid"], "project_id": project.id, "name": a["name"],
        "ref": a["ref"], "sha": a["sha"], "status": a["status"], "source": a["source"],
        "created_at": a["created_at"], "finished_at": a["finished_at"],
        "web_url": format!("{web}/-/pipelines/{}", a["id"]),
        "user": hook["user"],
    }))
    .unwrap();
    let jobs = hook["builds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            // The REST runner object has no tags.
            let runner = match &b["runner"] {
                Value::Object(r) => {
                    let mut r = r.clone();
                    r.remove("tags");
                    Value::Object(r)
                }
                other => other.clone(),
            };
            serde_json::from_value(json!({
                "id": b["id"], "name": b["name"], "stage": b["stage"], "status": b["status"],
                "created_at": b["created_at"], "started_at": b["started_at"],
                "finished_at": b["finished_at"], "duration": b["duration"],
                "queued_duration": b["queued_duration"], "allow_failure": b["allow_failure"],
                "failure_reason": b["failure_reason"],
                "web_url": format!("{web}/-/jobs/{}", b["id"]),
                "runner": runner,
            }))
            .unwrap()
        })
        .collect();
    (project, pipeline, jobs)
}

#[test]
fn the_rest_api_gives_the_webhooks_spans_but_runner_tags() {
    for rel in &PIPELINES[1..] {
        let hook: Value = serde_json::from_slice(&read(rel)).unwrap();
        let (project, pipeline, jobs) = rest_of(&hook);
        let events = map_rest_pipeline(&project, &pipeline, &jobs, &[], None).unwrap();
        let strip = |spans: Vec<Span>| {
            let mut spans = by_id(&spans);
            for s in spans.values_mut() {
                s.attributes.retain(|kv| kv.key != "ciotel.worker.labels");
            }
            spans
        };
        let rest = strip(spans(&ciotel_gitlab::translate(&events)));
        let webhook = strip(deliver(&[(EVENT_PIPELINE_HOOK, read(rel))]));
        assert_eq!(rest, webhook, "{rel}");
    }
}

#[test]
fn rest_bridges_get_spans_but_do_not_stretch_stages() {
    let rel = PIPELINES[1];
    let hook: Value = serde_json::from_slice(&read(rel)).unwrap();
    let (project, pipeline, jobs) = rest_of(&hook);
    let bridge: RestJob = serde_json::from_value(json!({
        "id": 77, "name": "trigger-child", "stage": "test", "status": "success",
        "created_at": "2022-01-01 12:00:00 UTC", "started_at": "2022-01-01 12:00:05 UTC",
        "finished_at": "2022-01-01 12:40:00 UTC",
        "downstream_pipeline": {"id": 2, "project_id": 124},
    }))
    .unwrap();
    let with = spans(&ciotel_gitlab::translate(
        &map_rest_pipeline(&project, &pipeline, &jobs, &[bridge], None).unwrap(),
    ));
    let without = spans(&ciotel_gitlab::translate(
        &map_rest_pipeline(&project, &pipeline, &jobs, &[], None).unwrap(),
    ));
    assert_eq!(named(&with, "test"), named(&without, "test"));
    let bridge = named(&with, "trigger-child");
    assert_eq!(bridge.parent_span_id, named(&with, "test").span_id);
    assert_eq!(attr_str(bridge, "gitlab.job.kind"), Some("bridge"));
    assert_eq!(attr_str(bridge, "gitlab.downstream_pipeline.id"), Some("2"));
    // The child pipeline's link points at this very span.
    let child = spans(&resource_spans(
        "otel-contrib/gitlabreceiver/pipeline.multi_pipeline.json",
    ));
    assert_eq!(
        hex::encode(&child[0].links[0].trace_id),
        hex::encode(&bridge.trace_id),
        "same trace as the parent pipeline 1"
    );
}

#[test]
fn a_stage_of_only_bridges_gets_the_stage_span_its_bridges_hang_under() {
    let rel = PIPELINES[1];
    let hook: Value = serde_json::from_slice(&read(rel)).unwrap();
    let (project, pipeline, jobs) = rest_of(&hook);
    let bridge: RestJob = serde_json::from_value(json!({
        "id": 78, "name": "trigger-deploy", "stage": "downstream", "status": "success",
        "created_at": "2022-01-01 12:00:00 UTC", "started_at": "2022-01-01 12:00:05 UTC",
        "finished_at": "2022-01-01 12:40:00 UTC",
    }))
    .unwrap();
    let with = spans(&ciotel_gitlab::translate(
        &map_rest_pipeline(&project, &pipeline, &jobs, &[bridge], None).unwrap(),
    ));
    let stage = named(&with, "downstream");
    let bridge = named(&with, "trigger-deploy");
    assert_eq!(bridge.parent_span_id, stage.span_id, "no dangling parent");
    assert_eq!(stage.start_time_unix_nano, bridge.start_time_unix_nano);
    assert_eq!(stage.end_time_unix_nano, bridge.end_time_unix_nano);
}
