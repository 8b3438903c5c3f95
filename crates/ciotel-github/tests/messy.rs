//! Real payloads are messy; each oddity the issue lists, handled and asserted.

mod common;

use ciotel_cicd::{CiEvent, IdRecipe, Phase, translate, translate_all};
use ciotel_github::map_webhook;
use common::{adjusted, attr_str, nanos, resource_spans, spans};

fn job_event(body: &[u8]) -> ciotel_cicd::Job {
    match map_webhook("workflow_job", body) {
        Ok(Some(CiEvent::Job(j))) => j,
        other => panic!("expected a job event, got {other:?}"),
    }
}

#[test]
fn steps_before_their_job_are_clamped_into_it() {
    for rel in [
        "github/webhooks/workflow_job.completed.success.with-organization.json",
        "github/webhooks/workflow_job.completed.failure.with-organization.json",
    ] {
        let all = spans(&resource_spans(rel, IdRecipe::CheckRun));
        let job = all
            .iter()
            .find(|s| attr_str(s, "ciotel.span.type") == Some("job"))
            .expect("job");
        assert_eq!(
            job.start_time_unix_nano,
            nanos("2021-08-05T10:33:58Z"),
            "{rel}: job keeps created_at"
        );
        assert_eq!(
            job.end_time_unix_nano,
            nanos("2021-08-05T10:38:16Z"),
            "{rel}: job keeps completed_at"
        );
        assert!(!adjusted(job), "{rel}");
        let steps: Vec<_> = all
            .iter()
            .filter(|s| attr_str(s, "ciotel.span.type") == Some("step"))
            .collect();
        assert!(!steps.is_empty());
        for s in steps {
            assert!(
                s.start_time_unix_nano >= job.start_time_unix_nano,
                "{rel}: {} starts inside the job",
                s.name
            );
            assert!(
                s.end_time_unix_nano <= job.end_time_unix_nano,
                "{rel}: {}",
                s.name
            );
            assert!(
                s.start_time_unix_nano <= s.end_time_unix_nano,
                "{rel}: {}",
                s.name
            );
            assert!(adjusted(s), "{rel}: {} is marked adjusted", s.name);
        }
    }
}

#[test]
fn queued_steps_with_null_times_get_no_span() {
    let rel = "github/webhooks/workflow_job.in_progress.with-queued-steps.json";
    // As delivered (in progress): only the queue span.
    let all = spans(&resource_spans(rel, IdRecipe::CheckRun));
    assert_eq!(
        all.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["queue"]
    );
    // The same job marked completed: spans for the 3 steps that started, none for the 6 queued.
    let body = common::patched(rel, |v| {
        v["workflow_job"]["status"] = "completed".into();
        v["workflow_job"]["conclusion"] = "cancelled".into();
        v["workflow_job"]["completed_at"] = "2023-06-26T03:32:00Z".into();
    });
    let job = job_event(&body);
    assert_eq!(
        job.steps.iter().filter(|s| s.started_at.is_none()).count(),
        6
    );
    let out = spans(&translate(&CiEvent::Job(job), IdRecipe::CheckRun));
    let steps: Vec<_> = out
        .iter()
        .filter(|s| attr_str(s, "ciotel.span.type") == Some("step"))
        .collect();
    assert_eq!(steps.len(), 3);
    // The step still running when the job ended closes with the job.
    let running = steps
        .iter()
        .find(|s| s.name.starts_with("Run actions/setup-node"))
        .expect("running step");
    assert_eq!(running.end_time_unix_nano, nanos("2023-06-26T03:32:00Z"));
}

#[test]
fn offsets_and_milliseconds() {
    let rel = "github/rest/actions-list-jobs-for-workflow-run.json";
    let all = spans(&resource_spans(rel, IdRecipe::CheckRun));
    let setup = all.iter().find(|s| s.name == "Set up job").expect("step");
    // 09:42:40.000-08:00 is 17:42:40Z, the job's started_at.
    assert_eq!(setup.start_time_unix_nano, nanos("2020-01-20T17:42:40Z"));
    assert_eq!(setup.end_time_unix_nano, nanos("2020-01-20T17:42:41Z"));
    let job = all.iter().find(|s| s.name == "build").expect("job");
    assert_eq!(
        job.start_time_unix_nano,
        nanos("2020-01-20T17:42:40Z"),
        "no created_at: the job starts at started_at"
    );
    assert!(
        all.iter().all(|s| s.name != "queue"),
        "no created_at: no queue span"
    );
    assert!(
        all.iter().all(|s| !adjusted(s)),
        "offset times agree with the job's Z times"
    );
    let post = all
        .iter()
        .find(|s| s.name == "Post actions/cache@v3")
        .expect("step 16");
    assert_eq!(
        common::attr_int(post, "ciotel.step.number"),
        Some(16),
        "8 → 16 gap kept"
    );
}

#[test]
fn action_and_status_that_disagree_follow_status() {
    // action=requested, status=completed, conclusion=action_required.
    let events = common::events("github/webhooks/workflow_run.requested.with-conclusion.json");
    let CiEvent::Run(run) = &events[0] else {
        panic!("run event")
    };
    assert_eq!(run.phase, Phase::Completed);
    assert_eq!(run.result, Some(ciotel_cicd::CiResult::Skip));
    let all = spans(&translate_all(&events, IdRecipe::CheckRun));
    assert_eq!(all.len(), 1);
    assert_eq!(
        attr_str(&all[0], "github.conclusion"),
        Some("action_required")
    );
    assert!(adjusted(&all[0]), "updated_at precedes run_started_at");
    // action=queued, status=waiting: pending, nothing emitted.
    let events = common::events("github/webhooks/workflow_job.queued.with-deployment.json");
    let CiEvent::Job(job) = &events[0] else {
        panic!("job event")
    };
    assert_eq!(job.phase, Phase::Pending);
    assert!(translate_all(&events, IdRecipe::CheckRun).is_empty());
}

#[test]
fn null_runner_keeps_the_labels() {
    let events = common::events("github/webhooks/workflow_job.waiting.json");
    let CiEvent::Job(job) = &events[0] else {
        panic!("job event")
    };
    let runner = job.runner.as_ref().expect("labels make a runner");
    assert_eq!((runner.id.as_deref(), runner.name.as_deref()), (None, None));
    assert_eq!(runner.labels, ["self-hosted", "k8s"]);
    let events = common::events("otel-contrib/githubreceiver/workflow-job-completed.0fb12865.json");
    let CiEvent::Job(job) = &events[0] else {
        panic!("job event")
    };
    assert_eq!(job.runner, None, "null runner and no labels");
}

#[test]
fn pending_events_emit_nothing_and_running_jobs_emit_their_queue() {
    for rel in [
        "github/webhooks/workflow_job.queued.json",
        "github/webhooks/workflow_job.waiting.json",
        "github/webhooks/workflow_job.queued.with-deployment.json",
        "github/webhooks/workflow_run.requested.json",
        "github/rest/actions-list-workflow-runs-for-repo.json",
    ] {
        assert!(resource_spans(rel, IdRecipe::CheckRun).is_empty(), "{rel}");
    }
    let all = spans(&resource_spans(
        "github/webhooks/workflow_job.in_progress.json",
        IdRecipe::CheckRun,
    ));
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].name, "queue");
}

#[test]
fn running_then_completed_emit_the_same_queue_span() {
    let rel = "otel-contrib/githubreceiver/workflow-job-completed.67dbedeb.json";
    let running = common::patched(rel, |v| {
        let j = &mut v["workflow_job"];
        j["status"] = "in_progress".into();
        j["conclusion"] = serde_json::Value::Null;
        j["completed_at"] = serde_json::Value::Null;
        j["runner_name"] = "GitHub Actions 320".into();
    });
    let early = spans(&translate(
        &CiEvent::Job(job_event(&running)),
        IdRecipe::CheckRun,
    ));
    let late = spans(&resource_spans(rel, IdRecipe::CheckRun));
    assert_eq!(early.len(), 1);
    let same = late
        .iter()
        .find(|s| s.span_id == early[0].span_id)
        .expect("queue again");
    assert_eq!(same, &early[0], "identical content for the same id");
}

#[test]
fn repeated_step_names_do_not_collide() {
    let rel = "otel-contrib/githubreceiver/workflow-job-completed.67dbedeb.json";
    let body = common::patched(rel, |v| {
        v["workflow_job"]["steps"][2]["name"] = "Run actions/checkout@v4".into();
    });
    let all = spans(&translate(
        &CiEvent::Job(job_event(&body)),
        IdRecipe::CheckRun,
    ));
    let ids: std::collections::HashSet<_> = all.iter().map(|s| s.span_id.clone()).collect();
    assert_eq!(ids.len(), all.len());
}

#[test]
fn change_id_only_for_pull_requests_of_the_run_repository() {
    let rel = "github/webhooks/workflow_run.completed.with-pull-requests.json";
    // As published: event repository_dispatch, PR of another repository → no change id.
    let CiEvent::Run(run) = &common::events(rel)[0] else {
        panic!("run event")
    };
    assert_eq!(run.run.vcs.change_id, None);
    let body = common::patched(rel, |v| {
        let run = &mut v["workflow_run"];
        run["event"] = "pull_request".into();
        let repo_id = run["repository"]["id"].clone();
        run["pull_requests"][0]["base"]["repo"]["id"] = repo_id;
    });
    let Ok(Some(CiEvent::Run(run))) = map_webhook("workflow_run", &body) else {
        panic!("run event")
    };
    assert_eq!(run.run.vcs.change_id.as_deref(), Some("2"));
    assert_eq!(run.run.vcs.base_ref.as_deref(), Some("master"));
    let all = spans(&translate(&CiEvent::Run(run), IdRecipe::CheckRun));
    assert_eq!(attr_str(&all[0], "vcs.change.id"), Some("2"));
}

#[test]
fn run_name_falls_back_to_the_workflow_file() {
    let body = common::patched("github/webhooks/workflow_run.completed.json", |v| {
        v["workflow"] = serde_json::Value::Null;
    });
    let Ok(Some(CiEvent::Run(run))) = map_webhook("workflow_run", &body) else {
        panic!("run event")
    };
    assert_eq!(
        run.run.pipeline_name.as_deref(),
        Some("test"),
        ".github/workflows/test.yml"
    );
}
