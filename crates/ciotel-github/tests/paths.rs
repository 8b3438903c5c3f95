//! Webhook and REST paths: the same GitHub object gives the same spans either way; event names
//! and malformed bodies are answered as the receiver needs.

mod common;

use ciotel_cicd::{CiEvent, IdRecipe, translate_all};
use ciotel_github::payload::Repository;
use ciotel_github::{GithubError, map_rest_jobs, map_rest_runs, map_webhook};
use serde_json::{Value, json};

fn webhook(rel: &str) -> Vec<CiEvent> {
    common::events(rel)
}

#[test]
fn poller_and_webhook_give_identical_spans_for_a_job() {
    for rel in [
        "otel-contrib/githubreceiver/workflow-job-completed.67dbedeb.json",
        "otel-contrib/githubreceiver/workflow-job-skipped.09ea2f42.json",
        "otel-contrib/githubreceiver/inprogress.5d2112b1.json",
        "github/webhooks/workflow_job.in_progress.with-queued-steps.json",
    ] {
        let v: Value = serde_json::from_slice(&common::read(rel)).expect("JSON");
        let page = json!({ "total_count": 1, "jobs": [v["workflow_job"]] });
        let page = serde_json::to_vec(&page).expect("JSON");
        let repo: Repository = serde_json::from_value(v["repository"].clone()).expect("repository");
        let expected = translate_all(&webhook(rel), IdRecipe::CheckRun);
        assert!(!expected.is_empty(), "{rel}");
        for repository in [Some(&repo), None] {
            let rest = map_rest_jobs(&page, repository).unwrap_or_else(|e| panic!("{rel}: {e}"));
            assert_eq!(
                translate_all(&rest, IdRecipe::CheckRun),
                expected,
                "{rel} (repository given: {})",
                repository.is_some()
            );
        }
    }
}

#[test]
fn poller_and_webhook_give_identical_spans_for_a_run() {
    let rel = "otel-contrib/githubreceiver/workflow-run-completed.b985387c.json";
    let v: Value = serde_json::from_slice(&common::read(rel)).expect("JSON");
    let page =
        serde_json::to_vec(&json!({ "total_count": 1, "workflow_runs": [v["workflow_run"]] }))
            .expect("JSON");
    let rest = map_rest_runs(&page).unwrap_or_else(|e| panic!("{e}"));
    let expected = translate_all(&webhook(rel), IdRecipe::CheckRun);
    assert_eq!(expected.len(), 1);
    assert_eq!(translate_all(&rest, IdRecipe::CheckRun), expected);
}

#[test]
fn rest_run_list_maps_every_run() {
    let events = common::events("github/rest/actions-list-workflow-runs-for-repo.json");
    assert_eq!(events.len(), 1);
    let CiEvent::Run(run) = &events[0] else {
        panic!("run")
    };
    assert_eq!(run.run.run_id, "30433642");
    assert_eq!(run.run.pipeline_name.as_deref(), Some("Build"));
    assert_eq!(
        run.run.vcs.repository_full_name.as_deref(),
        Some("octocat/Hello-World")
    );
    assert_eq!(run.run.attempt, 1);
}

#[test]
fn ping_and_other_events_are_not_mapped() {
    assert!(matches!(
        map_webhook("ping", br#"{"zen":"Keep it logically awesome."}"#),
        Ok(None)
    ));
    assert!(matches!(map_webhook("push", b"not even json"), Ok(None)));
}

#[test]
fn malformed_bodies_are_errors_that_say_what() {
    let err = map_webhook("workflow_job", b"{").expect_err("truncated JSON");
    assert!(
        matches!(
            err,
            GithubError::Json {
                what: "workflow_job event",
                ..
            }
        ),
        "{err}"
    );
    let err = map_webhook(
        "workflow_run",
        br#"{"action":"completed","workflow_run":{"name":"x"}}"#,
    )
    .expect_err("no id");
    assert!(err.to_string().contains("missing field `id`"), "{err}");

    let body = common::patched(
        "otel-contrib/githubreceiver/workflow-job-completed.67dbedeb.json",
        |v| {
            v["workflow_job"]["steps"][2]["started_at"] = "2025-04-16 21:09:05 UTC".into();
        },
    );
    let err = map_webhook("workflow_job", &body).expect_err("bad timestamp");
    let GithubError::Timestamp { field, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(field, "workflow_job.steps[2].started_at");
    assert!(err.to_string().contains("2025-04-16 21:09:05 UTC"), "{err}");
}

#[test]
fn unknown_fields_and_nulls_are_tolerated() {
    let body = json!({
        "action": "completed",
        "brand_new_field": {"x": 1},
        "workflow_job": {
            "id": 1, "run_id": 2, "name": null, "status": null, "steps": null, "labels": null,
            "created_at": "", "started_at": null, "completed_at": null, "runner_id": null,
            "something_else": [1, 2, 3]
        }
    });
    let body = serde_json::to_vec(&body).expect("JSON");
    let Ok(Some(CiEvent::Job(job))) = map_webhook("workflow_job", &body) else {
        panic!("job")
    };
    assert_eq!(job.name, "job 1");
    assert_eq!(
        job.phase,
        ciotel_cicd::Phase::Completed,
        "action fills in a null status"
    );
    assert_eq!(
        job.run.attempt, 1,
        "a missing run_attempt is the first attempt"
    );
    assert!(
        translate_all(&[CiEvent::Job(job)], IdRecipe::CheckRun).is_empty(),
        "no times, no spans"
    );
}
