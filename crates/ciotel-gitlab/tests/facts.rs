//! The key facts of each GitLab fixture, asserted one by one: ids (trace from the pipeline id
//! alone, job span from the job id), parents, times, results, stage order, links and the
//! attributes the issue asks for. The goldens pin everything; these say what matters.

mod common;

use ciotel_gitlab::ids;
use common::*;

const PIPELINE: &str = "gitlab/go-gitlab/webhook_pipeline.json";
const JOB: &str = "gitlab/go-gitlab/webhook_job.json";
const WITH_NULLS: &str = "otel-contrib/gitlabreceiver/pipeline.with_null_timestamps_job.json";
const CHILD: &str = "otel-contrib/gitlabreceiver/pipeline.multi_pipeline.json";

const OK: i32 = 1;
const ERROR: i32 = 2;
const UNSET: i32 = 0;
const SERVER: i32 = 2;

fn hex_of(id: impl std::fmt::Display) -> String {
    id.to_string()
}

#[test]
fn a_job_event_gives_the_job_span_under_its_stage_in_the_pipelines_trace() {
    let all = spans(&resource_spans(JOB));
    assert_eq!(
        all.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["auto_deploy:start", "queue"]
    );
    let job = named(&all, "auto_deploy:start");
    // trace = sha256("gitlab-743121198-t")[0..16], job = sha256("3580121225-j")[8..16]
    assert_eq!(
        hex::encode(&job.trace_id),
        "1753c00632db6eadd4e4695f66cb6fe6"
    );
    assert_eq!(hex::encode(&job.span_id), "23150fa78bc3357f");
    assert_eq!(hex::encode(&job.trace_id), hex_of(ids::trace_id(743121198)));
    assert_eq!(
        hex::encode(&job.parent_span_id),
        hex_of(ids::stage_span_id(743121198, "coordinated:tag"))
    );
    assert_eq!(
        ids::traceparent(743121198, 3580121225),
        format!(
            "00-{}-{}-01",
            hex::encode(&job.trace_id),
            hex::encode(&job.span_id)
        ),
        "what a job computes from CI_PIPELINE_ID and CI_JOB_ID"
    );
    // The job entered the queue build_queued_duration (0.193009 s) before it started.
    assert_eq!(
        times(job),
        (
            "2023-01-10T13:50:04.806991Z".into(),
            "2023-01-10T13:50:54Z".into()
        )
    );
    let queue = named(&all, "queue");
    assert_eq!(queue.parent_span_id, job.span_id);
    assert_eq!(
        hex::encode(&queue.span_id),
        hex_of(ids::queue_span_id(3580121225))
    );
    assert_eq!(
        times(queue),
        (
            "2023-01-10T13:50:04.806991Z".into(),
            "2023-01-10T13:50:05Z".into()
        )
    );

    assert_eq!(status(job), (OK, ""));
    assert_eq!(
        attr_str(job, "cicd.pipeline.task.run.result"),
        Some("success")
    );
    assert_eq!(attr_str(job, "cicd.pipeline.run.id"), Some("743121198"));
    assert_eq!(
        attr_int(job, "ciotel.run.attempt"),
        None,
        "no attempts in GitLab"
    );
    assert_eq!(attr_str(job, "ciotel.stage.name"), Some("coordinated:tag"));
    assert_eq!(attr_int(job, "gitlab.job.retries_count"), Some(1));
    assert_eq!(
        attr_str(job, "gitlab.job.failure_reason"),
        None,
        "GitLab's `unknown_failure` on a successful job is not kept"
    );
    assert_eq!(attr_str(job, "cicd.worker.id"), Some("12270837"));
    assert_eq!(
        attr_str(job, "cicd.worker.name"),
        Some("4-blue.shared.runners-manager.gitlab.com/default")
    );
    let tags = Some(vec!["linux".to_owned(), "docker".to_owned()]);
    assert_eq!(attr_strs(job, "ciotel.worker.labels"), tags);
    assert_eq!(attr_strs(queue, "ciotel.worker.labels"), tags);
    assert_eq!(attr_str(job, "gitlab.runner.type"), Some("instance_type"));
    assert_eq!(
        attr_str(job, "cicd.pipeline.task.run.url.full"),
        Some("https://gitlab.com/jsmithy2/release-tools-fake/-/jobs/3580121225")
    );
    assert_eq!(
        attr_str(job, "vcs.ref.head.revision"),
        Some("95d49d1efbd941908580e79d65e4b5ecaf4a8305"),
        "the sha, not commit.id (which is the pipeline id)"
    );

    let rs = &resource_spans(JOB)[0];
    assert_eq!(
        resource_str(rs, "service.name"),
        Some("jsmithy2/release-tools-fake")
    );
    assert_eq!(resource_str(rs, "vcs.provider.name"), Some("gitlab"));
    assert_eq!(resource_str(rs, "vcs.owner.name"), Some("jsmithy2"));
    assert_eq!(
        resource_str(rs, "cicd.pipeline.name"),
        Some("Build pipeline"),
        "the pipeline's name, from the Job Hook's commit.name"
    );
}

#[test]
fn a_pipeline_event_gives_pipeline_stages_and_jobs() {
    let rs = resource_spans(PIPELINE);
    assert_eq!(rs.len(), 1, "one resource for the whole pipeline");
    let all = spans(&rs);
    let names: Vec<_> = all.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "RUN gitlab-org/gitlab-test",
            "build",
            "test",
            "deploy",
            "build-image",
            "queue",
            "test-image",
            "queue",
            "test-build",
            "queue",
            "production",
        ],
        "pipeline, stages in `stages` order, jobs by stage; `staging` (created) has no span"
    );
    let root = &all[0];
    assert_eq!(root.kind, SERVER);
    assert!(root.parent_span_id.is_empty());
    assert_eq!(hex::encode(&root.trace_id), hex_of(ids::trace_id(31)));
    assert_eq!(
        hex::encode(&root.span_id),
        hex_of(ids::pipeline_span_id(31))
    );
    assert!(all.iter().all(|s| s.trace_id == root.trace_id));
    assert_eq!(
        times(root),
        ("2016-08-12T15:23:28Z".into(), "2016-08-12T15:26:29Z".into())
    );
    assert_eq!(status(root), (OK, ""));
    assert_eq!(attr_str(root, "cicd.pipeline.result"), Some("success"));
    assert_eq!(
        attr_str(root, "ciotel.run.trigger.event"),
        Some("merge_request_event")
    );
    assert_eq!(attr_str(root, "ciotel.run.actor"), Some("user1"));
    assert_eq!(
        attr_str(root, "vcs.change.id"),
        Some("1"),
        "the merge request's iid"
    );
    assert_eq!(attr_str(root, "vcs.ref.base.name"), Some("master"));
    assert_eq!(attr_int(root, "gitlab.pipeline.iid"), Some(123));
    assert_eq!(
        attr_str(root, "cicd.pipeline.run.url.full"),
        Some("http://192.168.64.1:3005/gitlab-org/gitlab-test/-/pipelines/31")
    );

    for (stage, (start, end), result) in [
        (
            "build",
            ("2016-08-12T15:23:28Z", "2016-08-12T15:25:26Z"),
            "success",
        ),
        (
            "test",
            ("2016-08-12T15:23:28Z", "2016-08-12T15:26:29Z"),
            "success",
        ),
        (
            "deploy",
            ("2016-08-12T15:23:28Z", "2016-08-12T15:23:28Z"),
            "skip",
        ),
    ] {
        let s = named(&all, stage);
        assert_eq!(s.parent_span_id, root.span_id, "{stage}");
        assert_eq!(
            hex::encode(&s.span_id),
            hex_of(ids::stage_span_id(31, stage))
        );
        assert_eq!(times(s), (start.into(), end.into()), "{stage}");
        assert_eq!(attr_str(s, "ciotel.stage.result"), Some(result), "{stage}");
    }
    for (job, id, stage) in [
        ("build-image", 376, "build"),
        ("test-image", 377, "test"),
        ("test-build", 378, "test"),
        ("production", 380, "deploy"),
    ] {
        let j = named(&all, job);
        assert_eq!(
            hex::encode(&j.span_id),
            hex_of(ids::job_span_id(id)),
            "{job}"
        );
        assert_eq!(
            j.parent_span_id,
            named(&all, stage).span_id,
            "{job} under {stage}"
        );
    }
    // test-image succeeded with `finished_at: null`: it ends `duration` (17 s) after its start.
    assert_eq!(times(named(&all, "test-image")).1, "2016-08-12T15:26:29Z");
    let production = named(&all, "production");
    assert_eq!(
        attr_str(production, "cicd.pipeline.task.run.result"),
        Some("skip")
    );
    assert_eq!(status(production), (UNSET, ""));
    assert_eq!(
        attr_bool(production, "gitlab.job.allow_failure"),
        Some(true)
    );
    assert_eq!(
        times(production),
        ("2016-08-12T15:23:28Z".into(), "2016-08-12T15:23:28Z".into()),
        "never started: zero length at its creation"
    );
}

#[test]
fn results_map_to_semconv_and_failure_reasons_are_kept() {
    let failed = spans(&resource_spans(
        "otel-contrib/gitlabreceiver/job.failed.json",
    ));
    let job = named(&failed, "build-job");
    assert_eq!(status(job), (ERROR, "script_failure"));
    assert_eq!(
        attr_str(job, "cicd.pipeline.task.run.result"),
        Some("failure")
    );
    assert_eq!(attr_str(job, "error.type"), Some("script_failure"));
    assert_eq!(
        attr_str(job, "gitlab.job.failure_reason"),
        Some("script_failure")
    );
    assert_eq!(attr_str(job, "gitlab.runner.type"), Some("project_type"));

    let canceled = spans(&resource_spans(
        "otel-contrib/gitlabreceiver/job.canceled.json",
    ));
    let job = named(&canceled, "deploy-job");
    assert_eq!(status(job), (UNSET, ""));
    assert_eq!(
        attr_str(job, "cicd.pipeline.task.run.result"),
        Some("cancellation")
    );

    for (rel, result, code) in [
        (
            "otel-contrib/gitlabreceiver/pipeline.failed.json",
            "failure",
            ERROR,
        ),
        (
            "otel-contrib/gitlabreceiver/pipeline.canceled.json",
            "cancellation",
            UNSET,
        ),
        (
            "otel-contrib/gitlabreceiver/pipeline.valid_with_jobs.json",
            "success",
            OK,
        ),
    ] {
        let all = spans(&resource_spans(rel));
        let root = named(&all, "RUN Test Pipeline");
        assert_eq!(
            attr_str(root, "cicd.pipeline.result"),
            Some(result),
            "{rel}"
        );
        assert_eq!(status(root).0, code, "{rel}");
    }
    let all = spans(&resource_spans(WITH_NULLS));
    assert_eq!(status(&all[0]), (ERROR, "failed"));
    assert_eq!(
        all[0].name, "RUN test/project",
        "no pipeline name: the project path"
    );
}

#[test]
fn stages_span_their_jobs_from_queue_to_finish() {
    let all = spans(&resource_spans(WITH_NULLS));
    let build = named(&all, "build");
    let build_job = named(&all, "build_job");
    // Started 17:25:50.794 after 0.316277 s in the queue.
    let expected = (
        "2026-01-29T17:25:50.477723Z".to_owned(),
        "2026-01-29T17:26:22.182Z".to_owned(),
    );
    assert_eq!(times(build_job), expected);
    assert_eq!(times(build), expected);
    assert_eq!(build_job.parent_span_id, build.span_id);
    let deploy = named(&all, "deploy");
    assert_eq!(attr_str(deploy, "ciotel.stage.result"), Some("skip"));
    assert_eq!(times(deploy).0, "2026-01-29T17:25:48.891Z");
    assert!(
        all.iter().all(|s| s.name != "test"),
        "a stage without jobs has no span"
    );

    let two = spans(&resource_spans(
        "otel-contrib/gitlabreceiver/pipeline.valid_with_jobs.json",
    ));
    let test = named(&two, "test");
    assert_eq!(
        times(test),
        (
            "2022-01-01T12:11:29.8Z".into(),
            "2022-01-01T12:20:00Z".into()
        ),
        "from when test-job entered the queue (12:12:00 − 30.2 s)"
    );
}

#[test]
fn a_child_pipeline_links_to_the_trigger_job_in_the_parents_trace() {
    let all = spans(&resource_spans(CHILD));
    assert_eq!(all.len(), 1);
    let root = &all[0];
    assert_eq!(root.name, "RUN Child Pipeline");
    assert_eq!(hex::encode(&root.trace_id), hex_of(ids::trace_id(2)));
    assert_eq!(root.links.len(), 1);
    let link = &root.links[0];
    assert_eq!(hex::encode(&link.trace_id), hex_of(ids::trace_id(1)));
    assert_eq!(hex::encode(&link.span_id), hex_of(ids::job_span_id(99)));
    let link_attr = |k: &str| {
        link.attributes
            .iter()
            .find(|kv| kv.key == k)
            .and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
                opentelemetry_proto::tonic::common::v1::any_value::Value::StringValue(s) => {
                    Some(s.as_str())
                }
                _ => None,
            })
    };
    assert_eq!(link_attr("ciotel.link.type"), Some("upstream"));
    assert_eq!(link_attr("cicd.pipeline.run.id"), Some("1"));
    assert_eq!(link_attr("cicd.pipeline.task.run.id"), Some("99"));
    assert_eq!(
        attr_str(root, "ciotel.run.trigger.event"),
        Some("parent_pipeline")
    );
    assert_eq!(
        attr_str(root, "gitlab.upstream.project"),
        Some("test/parent-project")
    );

    // The go-gitlab pipeline is a multi-project downstream of pipeline 30, job 3401.
    let all = spans(&resource_spans(PIPELINE));
    let link = &all[0].links[0];
    assert_eq!(hex::encode(&link.trace_id), hex_of(ids::trace_id(30)));
    assert_eq!(hex::encode(&link.span_id), hex_of(ids::job_span_id(3401)));
}

#[test]
fn a_running_job_emits_its_queue_span_at_once() {
    let all = spans(&resource_spans(
        "otel-contrib/gitlabreceiver/job.running.json",
    ));
    assert_eq!(all.len(), 1);
    let queue = &all[0];
    assert_eq!(queue.name, "queue");
    assert_eq!(
        hex::encode(&queue.parent_span_id),
        hex_of(ids::job_span_id(1981))
    );
    assert_eq!(hex::encode(&queue.trace_id), hex_of(ids::trace_id(2370)));
    assert_eq!(
        times(queue),
        ("2021-02-23T06:00:00Z".into(), "2021-02-23T06:01:00Z".into()),
        "no queued_duration: created → started"
    );
    assert!(
        spans(&resource_spans("gitlab/go-gitlab/webhook_build.json")).is_empty(),
        "a created job emits nothing yet"
    );
}
