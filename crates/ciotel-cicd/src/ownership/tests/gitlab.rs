//! The GitLab pack: runner phases and scripts, `failure_reason` as a table (GitLab's system
//! failures vs `script_failure`), and a pipeline judged from the jobs its payload lists.

use super::support::*;
use crate::event::{CiEvent, CiResult, Phase, Stage};
use opentelemetry_proto::tonic::trace::v1::ResourceSpans;

const PHASES: &[&str] = &[
    "prepare_executor",
    "prepare_script",
    "get_sources",
    "restore_cache",
    "download_artifacts",
    "step_script",
    "after_script",
    "archive_cache",
    "upload_artifacts_on_success",
    "cleanup_file_variables",
];

fn judged(events: &[CiEvent]) -> Vec<ResourceSpans> {
    let mut groups = spans(events);
    processor("").process(&mut groups);
    groups
}

#[test]
fn runner_phases_are_the_platform_and_scripts_the_change() {
    let j = gitlab_job(
        "1978",
        "build-job",
        CiResult::Success,
        None,
        steps(PHASES, &[]),
    );
    let g = judged(&[CiEvent::Job(j)]);
    for phase in PHASES {
        let expected = if matches!(*phase, "step_script" | "after_script") {
            ("application", "gitlab/scripts")
        } else {
            ("platform", "gitlab/runner-phases")
        };
        assert_eq!(
            owner(&g, phase),
            (expected.0.to_owned(), expected.1.to_owned()),
            "{phase}"
        );
    }
    assert_eq!(owner(&g, "queue").1, "gitlab/queue");
}

#[test]
fn script_failure_is_the_change_even_without_phases() {
    // As the job webhook of job.failed.json reports it: no phases, `build_failure_reason`.
    let j = gitlab_job(
        "1978",
        "build-job",
        CiResult::Failure,
        Some("script_failure"),
        Vec::new(),
    );
    let g = judged(&[CiEvent::Job(j)]);
    assert_eq!(
        failure(&g, "build-job"),
        verdict("application", "", "script_failure", "failure_reason")
    );
}

#[test]
fn gitlab_system_failures_are_the_platform() {
    for reason in [
        "runner_system_failure",
        "stuck_or_timeout_failure",
        "api_failure",
        "scheduler_failure",
        "runner_unsupported",
        "data_integrity_failure",
        "archived_failure",
    ] {
        let j = gitlab_job("7", "build", CiResult::Failure, Some(reason), Vec::new());
        let g = judged(&[CiEvent::Job(j)]);
        assert_eq!(
            failure(&g, "build"),
            verdict("platform", "", reason, "failure_reason"),
            "{reason}"
        );
    }
}

#[test]
fn the_reason_wins_over_the_phases_and_names_the_failing_one() {
    let failing = steps(PHASES, &[("get_sources", Some(CiResult::Failure))]);
    let j = gitlab_job(
        "7",
        "build",
        CiResult::Failure,
        Some("runner_system_failure"),
        failing,
    );
    let g = judged(&[CiEvent::Job(j)]);
    assert_eq!(
        failure(&g, "build"),
        verdict(
            "platform",
            "get_sources",
            "runner_system_failure",
            "failure_reason"
        )
    );

    let failing = steps(PHASES, &[("step_script", Some(CiResult::Failure))]);
    let j = gitlab_job(
        "8",
        "test",
        CiResult::Failure,
        Some("script_failure"),
        failing,
    );
    let g = judged(&[CiEvent::Job(j)]);
    assert_eq!(
        failure(&g, "test"),
        verdict(
            "application",
            "step_script",
            "script_failure",
            "failure_reason"
        )
    );
}

#[test]
fn an_unknown_reason_lets_the_phases_decide_else_unknown() {
    let failing = steps(PHASES, &[("restore_cache", Some(CiResult::Failure))]);
    let j = gitlab_job(
        "7",
        "build",
        CiResult::Failure,
        Some("unknown_failure"),
        failing,
    );
    let g = judged(&[CiEvent::Job(j)]);
    assert_eq!(
        failure(&g, "build"),
        verdict(
            "platform",
            "restore_cache",
            "unknown_failure",
            "failing_step"
        )
    );

    let j = gitlab_job(
        "9",
        "deploy",
        CiResult::Failure,
        Some("unknown_failure"),
        Vec::new(),
    );
    let g = judged(&[CiEvent::Job(j)]);
    assert_eq!(
        failure(&g, "deploy"),
        verdict("unknown", "", "unknown_failure", "no_steps")
    );
}

fn stage(name: &str, result: CiResult) -> CiEvent {
    CiEvent::Stage(Stage {
        run: run_ref("gitlab", "1"),
        name: name.into(),
        phase: Phase::Completed,
        result: Some(result),
        started_at: t(100),
        completed_at: t(300),
        ..Stage::default()
    })
}

#[test]
fn a_pipeline_is_judged_from_the_jobs_its_payload_lists() {
    // One pipeline webhook: the run, its stage, its jobs — one batch, no cache needed.
    let events = [
        CiEvent::Run(run("gitlab", CiResult::Failure)),
        stage("test", CiResult::Failure),
        CiEvent::Job(gitlab_job(
            "1",
            "unit",
            CiResult::Failure,
            Some("script_failure"),
            Vec::new(),
        )),
        CiEvent::Job(gitlab_job("2", "lint", CiResult::Success, None, Vec::new())),
    ];
    let mut groups = spans(&events);
    let p = processor("verdict_cache: {max_runs: 0}");
    p.process(&mut groups);
    assert_eq!(
        failure(&groups, "RUN CI"),
        verdict("application", "", "script_failure", "jobs")
    );
    let jobs = crate::ownership::span_view::span_attr(
        verdict_spans(&groups, "RUN CI")[0],
        crate::ownership::names::FAILURE_JOB,
    );
    assert_eq!(jobs.as_deref(), Some("unit"));

    let events = [
        CiEvent::Run(run("gitlab", CiResult::Failure)),
        CiEvent::Job(gitlab_job(
            "1",
            "unit",
            CiResult::Failure,
            Some("script_failure"),
            Vec::new(),
        )),
        CiEvent::Job(gitlab_job(
            "3",
            "e2e",
            CiResult::Failure,
            Some("runner_system_failure"),
            Vec::new(),
        )),
    ];
    let mut groups = spans(&events);
    p.process(&mut groups);
    assert_eq!(failure(&groups, "RUN CI")[0], "mixed");
}

#[test]
fn a_job_allowed_to_fail_is_judged_but_not_counted_in_the_run() {
    let mut allowed = gitlab_job(
        "3",
        "flaky",
        CiResult::Failure,
        Some("runner_system_failure"),
        Vec::new(),
    );
    allowed.attributes.push(crate::event::Attribute::new(
        crate::ownership::packs::GITLAB_ALLOW_FAILURE,
        true,
    ));
    let events = [
        CiEvent::Run(run("gitlab", CiResult::Failure)),
        CiEvent::Job(gitlab_job(
            "1",
            "unit",
            CiResult::Failure,
            Some("script_failure"),
            Vec::new(),
        )),
        CiEvent::Job(allowed),
    ];
    let g = judged(&events);
    assert_eq!(failure(&g, "flaky")[0], "platform");
    assert_eq!(failure(&g, "RUN CI")[0], "application");
}
