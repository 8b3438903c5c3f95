//! Each oddity of real GitLab payloads, one test apiece: the two timestamp styles, null
//! start/finish on skipped and manual jobs, float durations, `commit.id` that is the pipeline
//! id in Job Hooks, `_iso` twins, missing fields, and malformed input named by its field.

mod common;

use ciotel_cicd::{CiEvent, Phase};
use ciotel_gitlab::{EVENT_JOB_HOOK, EVENT_PIPELINE_HOOK, ids, map_webhook};
use common::*;
use serde_json::json;

const JOB: &str = "gitlab/go-gitlab/webhook_job.json";
const JOB_SUCCESS: &str = "otel-contrib/gitlabreceiver/job.success.json";
const PIPELINE: &str = "otel-contrib/gitlabreceiver/pipeline.valid_with_jobs.json";

fn job_spans(body: &[u8]) -> Vec<opentelemetry_proto::tonic::trace::v1::Span> {
    spans_of(body)
}

#[test]
fn the_utc_style_and_iso_milliseconds_give_the_same_instants() {
    let utc = job_spans(&read(JOB));
    let iso = job_spans(&patched(JOB, |v| {
        v["build_created_at"] = json!("2023-01-10T13:50:02.000Z");
        v["build_started_at"] = json!("2023-01-10T13:50:05+00:00");
        v["build_finished_at"] = json!("2023-01-10T14:50:54+01:00");
    }));
    assert_eq!(utc, iso);
    let ms = spans(&resource_spans(JOB_SUCCESS));
    assert_eq!(
        times(named(&ms, "queue")).0,
        "2021-02-23T02:41:37.886Z",
        "milliseconds kept; the queued time (1095 s) is longer than created → started, so the \
         queue starts at creation"
    );
}

#[test]
fn build_times_win_over_their_iso_twins_which_fill_in_when_absent() {
    let both = job_spans(&read(JOB_SUCCESS));
    let iso_only = job_spans(&patched(JOB_SUCCESS, |v| {
        for k in ["build_created_at", "build_started_at", "build_finished_at"] {
            v[k] = json!(null);
        }
    }));
    assert_eq!(times(named(&both, "test")).0, "2021-02-23T02:41:37.886Z");
    assert_eq!(
        times(named(&iso_only, "test")).0,
        "2021-02-23T02:41:37Z",
        "the _iso twin (without milliseconds here) is used only when the other is null"
    );
}

#[test]
fn commit_id_in_a_job_hook_is_the_pipeline_not_a_commit() {
    let Ok(Some(events)) = map_webhook(EVENT_JOB_HOOK, &read(JOB)) else {
        panic!("maps");
    };
    let CiEvent::Job(job) = &events[0] else {
        panic!("a job event");
    };
    assert_eq!(job.run.run_id, "743121198");
    assert_eq!(
        job.run.vcs.head_revision.as_deref(),
        Some("95d49d1efbd941908580e79d65e4b5ecaf4a8305")
    );
    // Without `pipeline_id`, the numeric commit.id stands in for it.
    let body = patched(JOB, |v| v["pipeline_id"] = json!(null));
    let spans = job_spans(&body);
    assert_eq!(
        hex::encode(&spans[0].trace_id),
        ids::trace_id(743121198).to_string()
    );
    // Without either, the job's trace cannot be known: a 400 that says so.
    let body = patched(JOB, |v| {
        v["pipeline_id"] = json!(null);
        v["commit"]["id"] = json!("95d49d1e");
    });
    let e = map_webhook(EVENT_JOB_HOOK, &body).unwrap_err().to_string();
    assert!(
        e.contains("no `pipeline_id`") && e.contains("3580121225"),
        "{e}"
    );
    // Without `sha`, the commit's sha (never its id).
    let body = patched(JOB, |v| v["sha"] = json!(null));
    assert_eq!(
        attr_str(&job_spans(&body)[0], "vcs.ref.head.revision"),
        Some("95d49d1efbd941908580e79d65e4b5ecaf4a8305")
    );
}

#[test]
fn float_durations_become_exact_nanoseconds() {
    let spans = job_spans(&read(JOB));
    let queue = named(&spans, "queue");
    assert_eq!(
        queue.end_time_unix_nano - queue.start_time_unix_nano,
        193_009_000,
        "build_queued_duration 0.193009 s"
    );
    // An integer duration reads the same as a float one.
    let int = job_spans(&patched(JOB, |v| v["build_queued_duration"] = json!(2)));
    let q = named(&int, "queue");
    assert_eq!(q.end_time_unix_nano - q.start_time_unix_nano, 2_000_000_000);
    // A negative or absurd one is ignored: created → started.
    for bad in [json!(-1.5), json!(1e12)] {
        let spans = job_spans(&patched(JOB, |v| v["build_queued_duration"] = bad.clone()));
        assert_eq!(
            times(named(&spans, "queue")).0,
            "2023-01-10T13:50:02Z",
            "{bad}"
        );
    }
}

#[test]
fn skipped_and_manual_jobs_with_null_times() {
    let body = read("otel-contrib/gitlabreceiver/pipeline.with_null_timestamps_job.json");
    let all = spans_of(&body);
    let skipped = named(&all, "deploy_prod");
    assert_eq!(skipped.start_time_unix_nano, skipped.end_time_unix_nano);
    assert_eq!(times(skipped).0, "2026-01-29T17:25:48.891Z");
    assert!(
        all.iter().filter(|s| s.name == "queue").count() == 1,
        "a job that never started has no queue span"
    );
    // The same job as `manual` (waiting for a person) emits nothing, and neither does its
    // stage.
    let body = patched(
        "otel-contrib/gitlabreceiver/pipeline.with_null_timestamps_job.json",
        |v| v["builds"][1]["status"] = json!("manual"),
    );
    let all = spans_of(&body);
    assert!(
        all.iter()
            .all(|s| s.name != "deploy_prod" && s.name != "deploy"),
        "{:?}",
        all.iter().map(|s| &s.name).collect::<Vec<_>>()
    );
    // A skipped Job Hook with null times is a zero-length span at its creation.
    let body = patched(JOB, |v| {
        v["build_status"] = json!("skipped");
        v["build_started_at"] = json!(null);
        v["build_finished_at"] = json!(null);
        v["build_duration"] = json!(null);
        v["build_queued_duration"] = json!(null);
    });
    let spans = job_spans(&body);
    assert_eq!(spans.len(), 1);
    assert_eq!(
        times(&spans[0]),
        ("2023-01-10T13:50:02Z".into(), "2023-01-10T13:50:02Z".into())
    );
}

#[test]
fn a_running_pipeline_emits_only_its_finished_and_running_jobs() {
    let body = patched(PIPELINE, |v| {
        v["object_attributes"]["status"] = json!("running");
        v["object_attributes"]["finished_at"] = json!(null);
        v["builds"][1]["status"] = json!("running");
        v["builds"][1]["finished_at"] = json!(null);
    });
    let all = spans_of(&body);
    let names: Vec<_> = all.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["build-job", "queue", "queue"],
        "no pipeline or stage spans until the pipeline finished"
    );
    let events = events_of(&body);
    assert!(matches!(&events[0], CiEvent::Run(r) if r.phase == Phase::Running));
}

#[test]
fn minimal_payloads_map() {
    // Only what identifies a pipeline and a job.
    let pipeline = br#"{"object_attributes": {"id": "5", "status": "success"}}"#;
    let events = map_webhook(EVENT_PIPELINE_HOOK, pipeline).unwrap().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].run_ref().run_id, "5");
    assert!(spans_of(pipeline).is_empty(), "no time at all: no span");
    let job = br#"{"build_id": 9, "pipeline_id": 5, "build_status": "running",
                  "build_created_at": "2024-01-01 00:00:00 UTC",
                  "build_started_at": "2024-01-01 00:00:01 UTC"}"#;
    let spans = spans_of(job);
    assert_eq!(spans.len(), 1);
    assert_eq!(
        hex::encode(&spans[0].parent_span_id),
        ids::job_span_id(9).to_string()
    );
}

#[test]
fn malformed_input_is_named() {
    for (event, body, needle) in [
        (
            EVENT_JOB_HOOK,
            patched(JOB, |v| v["build_started_at"] = json!("yesterday")),
            "build_started_at",
        ),
        (
            EVENT_PIPELINE_HOOK,
            patched(PIPELINE, |v| {
                v["builds"][1]["finished_at"] = json!("2022-01-01 12:20:00")
            }),
            "builds[1].finished_at",
        ),
        (
            EVENT_PIPELINE_HOOK,
            patched(PIPELINE, |v| {
                v["object_attributes"]["created_at"] = json!(12)
            }),
            "Pipeline Hook",
        ),
        (
            EVENT_JOB_HOOK,
            patched(JOB, |v| v["build_id"] = json!("abc")),
            "expected a numeric id",
        ),
        (
            EVENT_JOB_HOOK,
            br#"{"object_kind": "build"}"#.to_vec(),
            "missing field `build_id`",
        ),
        (
            EVENT_PIPELINE_HOOK,
            b"{not json".to_vec(),
            "malformed GitLab Pipeline Hook",
        ),
    ] {
        let e = map_webhook(event, &body).unwrap_err().to_string();
        assert!(e.contains(needle), "{needle}: {e}");
    }
    assert!(
        map_webhook("Push Hook", b"{not json").unwrap().is_none(),
        "not parsed"
    );
}
