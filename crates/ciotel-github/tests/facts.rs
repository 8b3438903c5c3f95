//! The key facts of the fixtures, asserted one by one (the goldens hold the rest): ids from the
//! issue's vectors, parents, times, status and the attributes a person filters on.

mod common;

use ciotel_cicd::IdRecipe;
use ciotel_cicd::ids::{JobKey, StepKey};
use common::{attr_int, attr_str, by_id, nanos, resource_spans, spans, status};

const JOB_67: &str = "otel-contrib/githubreceiver/workflow-job-completed.67dbedeb.json";
const RUN_B9: &str = "otel-contrib/githubreceiver/workflow-run-completed.b985387c.json";
const SKIPPED: &str = "otel-contrib/githubreceiver/workflow-job-skipped.09ea2f42.json";
const FAILURE: &str = "github/webhooks/workflow_job.completed.failure.with-organization.json";

const OK: i32 = 1;
const ERROR: i32 = 2;

#[test]
fn run_root_span_vectors_status_and_attributes() {
    let rs = resource_spans(RUN_B9, IdRecipe::CheckRun);
    let all = spans(&rs);
    let root = by_id(&all, "aba151af7cfbcf0f");
    assert_eq!(
        hex::encode(&root.trace_id),
        "731ec8a47fd7450f753a812a4a8aa5a0"
    );
    assert!(root.parent_span_id.is_empty());
    assert_eq!(root.name, "RUN build-and-test");
    assert_eq!(root.kind, 2, "SERVER");
    assert_eq!(
        root.start_time_unix_nano,
        nanos("2025-04-16T21:08:53Z"),
        "run_started_at"
    );
    assert_eq!(
        root.end_time_unix_nano,
        nanos("2025-04-16T21:10:27Z"),
        "updated_at"
    );
    assert_eq!(status(root), (ERROR, "failure"));
    assert_eq!(attr_str(root, "cicd.pipeline.run.id"), Some("14460881260"));
    assert_eq!(attr_str(root, "cicd.pipeline.result"), Some("failure"));
    assert_eq!(attr_str(root, "error.type"), Some("failure"));
    assert_eq!(attr_str(root, "cicd.pipeline.action.name"), Some("RUN"));
    assert_eq!(
        attr_str(root, "cicd.pipeline.run.url.full"),
        Some(
            "https://github.com/open-telemetry/open-telemetry-otel-collector/actions/runs/14460881260"
        )
    );
    assert_eq!(
        attr_str(root, "vcs.ref.head.name"),
        Some("renovate/major-tool-deps")
    );
    assert_eq!(
        attr_str(root, "vcs.ref.head.revision"),
        Some("6077d805b0fc49f65e6dbaefc2d1fc9b4f92aa4e")
    );
    assert_eq!(attr_int(root, "ciotel.run.attempt"), Some(13));
    assert_eq!(
        attr_str(root, "ciotel.run.trigger.event"),
        Some("pull_request")
    );
    assert_eq!(
        attr_str(root, "ciotel.run.actor"),
        Some("adrielp"),
        "triggering_actor of the re-run"
    );
    assert_eq!(
        hex::encode(&root.links[0].trace_id),
        "3ab150c94bf95169f4958bc860bddc3b",
        "attempt 12's trace"
    );

    let r = &rs[0];
    assert_eq!(
        common::resource_str(r, "service.name"),
        Some("open-telemetry/open-telemetry-otel-collector")
    );
    assert_eq!(
        common::resource_str(r, "cicd.pipeline.name"),
        Some("build-and-test")
    );
    assert_eq!(common::resource_str(r, "vcs.provider.name"), Some("github"));
    assert_eq!(
        common::resource_str(r, "vcs.repository.name"),
        Some("open-telemetry-otel-collector")
    );
    assert_eq!(
        common::resource_str(r, "vcs.repository.url.full"),
        Some("https://github.com/open-telemetry/open-telemetry-otel-collector")
    );
}

#[test]
fn first_attempt_has_no_link() {
    let all = spans(&resource_spans(
        "github/webhooks/workflow_run.completed.json",
        IdRecipe::CheckRun,
    ));
    assert_eq!(all.len(), 1);
    assert!(all[0].links.is_empty());
    assert_eq!(
        all[0].name, "RUN test",
        "empty run name falls back to the workflow's name"
    );
    assert_eq!(status(&all[0]), (OK, ""));
}

#[test]
fn job_spans_check_run_ids_parents_and_times() {
    let all = spans(&resource_spans(JOB_67, IdRecipe::CheckRun));
    let key = JobKey {
        run_id: "14460881260",
        run_attempt: 13,
        job_id: "40685651258",
        job_name: "test (1.23)",
    };
    let job_id = IdRecipe::CheckRun.job_span_id(&key).to_string();
    let job = by_id(&all, &job_id);
    assert_eq!(
        hex::encode(&job.parent_span_id),
        "aba151af7cfbcf0f",
        "job under the run's root"
    );
    assert_eq!(
        hex::encode(&job.trace_id),
        "731ec8a47fd7450f753a812a4a8aa5a0"
    );
    assert_eq!(job.kind, 1, "INTERNAL");
    assert_eq!(
        (job.start_time_unix_nano, job.end_time_unix_nano),
        (nanos("2025-04-16T21:08:58Z"), nanos("2025-04-16T21:10:25Z"))
    );
    assert_eq!(status(job), (OK, ""));
    assert_eq!(
        attr_str(job, "cicd.pipeline.task.name"),
        Some("test (1.23)")
    );
    assert_eq!(
        attr_str(job, "cicd.pipeline.task.run.id"),
        Some("40685651258")
    );
    assert_eq!(
        attr_str(job, "cicd.pipeline.task.run.result"),
        Some("success")
    );
    assert_eq!(
        attr_str(job, "cicd.pipeline.task.run.url.full"),
        Some(
            "https://github.com/open-telemetry/open-telemetry-otel-collector/actions/runs/14460881260/job/40685651258"
        )
    );
    assert_eq!(
        attr_str(job, "cicd.worker.name"),
        Some("GitHub Actions 320")
    );
    assert_eq!(attr_str(job, "cicd.worker.id"), Some("346"));
    assert_eq!(
        attr_str(job, "ciotel.worker.group.name"),
        Some("GitHub Actions")
    );

    let queue = by_id(&all, &IdRecipe::CheckRun.queue_span_id(&key).to_string());
    assert_eq!(queue.name, "queue");
    assert_eq!(hex::encode(&queue.parent_span_id), job_id);
    assert_eq!(
        (queue.start_time_unix_nano, queue.end_time_unix_nano),
        (nanos("2025-04-16T21:08:58Z"), nanos("2025-04-16T21:09:03Z"))
    );

    let step = |name: &str| {
        let id = IdRecipe::CheckRun.step_span_id(
            &key,
            &StepKey {
                name,
                occurrence: 0,
                number: None,
            },
        );
        by_id(&all, &id.to_string()).clone()
    };
    let setup = step("Set up job");
    assert_eq!(hex::encode(&setup.parent_span_id), job_id);
    assert_eq!(
        (setup.start_time_unix_nano, setup.end_time_unix_nano),
        (nanos("2025-04-16T21:09:02Z"), nanos("2025-04-16T21:09:04Z"))
    );
    assert_eq!(attr_int(&setup, "ciotel.step.number"), Some(1));
    // "Complete job" ends before "Post Run actions/checkout@v4": kept as reported.
    let complete = step("Complete job");
    let post = step("Post Run actions/checkout@v4");
    assert_eq!(complete.end_time_unix_nano, nanos("2025-04-16T21:10:23Z"));
    assert_eq!(post.end_time_unix_nano, nanos("2025-04-16T21:10:25Z"));
    assert_eq!(
        attr_int(&post, "ciotel.step.number"),
        Some(10),
        "numbers with gaps are kept"
    );
    assert_eq!(all.len(), 10, "job, queue and 8 steps");
}

#[test]
fn legacy_recipe_vectors() {
    let all = spans(&resource_spans(JOB_67, IdRecipe::Legacy));
    let job = by_id(&all, "e68a36b3514c8634");
    assert_eq!(job.name, "test (1.23)");
    let queue = by_id(&all, "d328504edfc4f5dc");
    assert_eq!(hex::encode(&queue.parent_span_id), "e68a36b3514c8634");
}

#[test]
fn skipped_job_is_zero_duration_at_created_at() {
    let all = spans(&resource_spans(SKIPPED, IdRecipe::CheckRun));
    let created = nanos("2025-05-02T14:15:55Z");
    let job = by_id(&all, "fb6779d8c7b7c66c");
    assert_eq!(
        hex::encode(&job.trace_id),
        "0b0cff7305ff68eb7d1bb72c7fdbe277"
    );
    assert_eq!(hex::encode(&job.parent_span_id), "3b54c768f3ef27e1");
    assert_eq!(
        (job.start_time_unix_nano, job.end_time_unix_nano),
        (created, created)
    );
    assert_eq!(status(job), (0, ""), "UNSET, no message");
    assert_eq!(attr_str(job, "cicd.pipeline.task.run.result"), Some("skip"));
    assert!(common::adjusted(job), "completed_at precedes created_at");
    assert!(
        attr_str(job, "cicd.worker.name").is_none(),
        "null runner: no worker attributes"
    );
    let queue = by_id(&all, "5ce15e491b4b01da");
    assert_eq!(
        (queue.start_time_unix_nano, queue.end_time_unix_nano),
        (created, created)
    );
    assert!(common::adjusted(queue));
    assert_eq!(all.len(), 2, "no steps");
}

#[test]
fn failed_job_and_steps_status() {
    let all = spans(&resource_spans(FAILURE, IdRecipe::CheckRun));
    let job = all.iter().find(|s| s.name == "linters").expect("job span");
    assert_eq!(status(job), (ERROR, "failure"));
    assert_eq!(attr_str(job, "error.type"), Some("failure"));
    let step = |n: i64| {
        all.iter()
            .find(|s| attr_int(s, "ciotel.step.number") == Some(n))
            .expect("step")
    };
    assert_eq!(status(step(8)), (ERROR, "failure"));
    assert_eq!(attr_str(step(8), "ciotel.step.result"), Some("failure"));
    assert_eq!(status(step(14)), (0, ""), "skipped step is UNSET");
    assert_eq!(attr_str(step(14), "ciotel.step.result"), Some("skip"));
    assert_eq!(status(step(1)), (OK, ""));
}
