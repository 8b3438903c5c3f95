//! Translator tests on hand-built events: what each phase emits, parents (with and without
//! stages), links, and the resource.

use opentelemetry_proto::tonic::trace::v1::Span;

use super::*;
use crate::event::{
    CiResult, DownstreamRun, Job, Phase, PipelineRun, PreviousAttempt, RunRef, Stage, Step,
    Upstream, Vcs,
};
use crate::ids::{root_span_id, stage_span_id, trace_id};
use crate::time::Timestamp;

fn t(secs: u64) -> Option<Timestamp> {
    Some(Timestamp::from_unix_nanos(secs * 1_000_000_000))
}

fn run_ref() -> RunRef {
    RunRef {
        run_id: "42".into(),
        attempt: 2,
        pipeline_name: Some("build".into()),
        vcs: Vcs {
            provider: Some("gitlab".into()),
            repository_full_name: Some("group/sub/repo".into()),
            ..Vcs::default()
        },
    }
}

fn job(phase: Phase) -> Job {
    Job {
        run: run_ref(),
        id: "7".into(),
        name: "unit".into(),
        phase,
        created_at: t(100),
        started_at: t(110),
        completed_at: (phase == Phase::Completed)
            .then_some(Timestamp::from_unix_nanos(200_000_000_000)),
        result: (phase == Phase::Completed).then_some(CiResult::Timeout),
        steps: vec![Step {
            name: "script".into(),
            number: Some(1),
            phase: Phase::Completed,
            started_at: t(120),
            completed_at: t(190),
            result: Some(CiResult::Success),
            ..Step::default()
        }],
        ..Job::default()
    }
}

fn spans_of(event: &CiEvent) -> Vec<Span> {
    translate(event, IdRecipe::CheckRun)
        .into_iter()
        .flat_map(|r| r.scope_spans)
        .flat_map(|s| s.spans)
        .collect()
}

#[test]
fn each_phase_emits_what_the_table_says() {
    assert!(spans_of(&CiEvent::Job(job(Phase::Pending))).is_empty());
    let running = spans_of(&CiEvent::Job(job(Phase::Running)));
    assert_eq!(
        running.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["queue"]
    );
    let done = spans_of(&CiEvent::Job(job(Phase::Completed)));
    assert_eq!(
        done.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["unit", "queue", "script"]
    );
    assert_eq!(
        running[0], done[1],
        "the queue span does not change at completion"
    );
    let timeout = &done[0];
    let status = timeout.status.clone().unwrap_or_default();
    assert_eq!((status.code, status.message.as_str()), (2, "timeout"));

    let mut run = PipelineRun {
        run: run_ref(),
        started_at: t(90),
        completed_at: t(300),
        ..Default::default()
    };
    assert!(
        spans_of(&CiEvent::Run(run.clone())).is_empty(),
        "pending run"
    );
    run.phase = Phase::Running;
    assert!(
        spans_of(&CiEvent::Run(run.clone())).is_empty(),
        "running run"
    );
    run.phase = Phase::Completed;
    assert_eq!(spans_of(&CiEvent::Run(run)).len(), 1);
}

#[test]
fn jobs_of_a_stage_hang_under_the_stage_span() {
    let stage = Stage {
        run: run_ref(),
        name: "test".into(),
        phase: Phase::Completed,
        started_at: t(100),
        completed_at: t(200),
        result: Some(CiResult::Success),
        ..Stage::default()
    };
    let s = spans_of(&CiEvent::Stage(stage));
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].span_id, stage_span_id("42", 2, "test").0.to_vec());
    assert_eq!(s[0].parent_span_id, root_span_id("42", 2).0.to_vec());
    assert_eq!(s[0].trace_id, trace_id("42", 2).0.to_vec());

    let mut j = job(Phase::Completed);
    j.stage = Some("test".into());
    let spans = spans_of(&CiEvent::Job(j));
    assert_eq!(
        spans[0].parent_span_id,
        stage_span_id("42", 2, "test").0.to_vec()
    );
    let spans = spans_of(&CiEvent::Job(job(Phase::Completed)));
    assert_eq!(
        spans[0].parent_span_id,
        root_span_id("42", 2).0.to_vec(),
        "no stage: under the root"
    );
}

#[test]
fn a_rerun_links_to_the_previous_attempts_root() {
    let run = PipelineRun {
        run: run_ref(),
        phase: Phase::Completed,
        started_at: t(90),
        completed_at: t(300),
        previous_attempt: Some(PreviousAttempt {
            attempt: 1,
            url: None,
        }),
        ..Default::default()
    };
    let s = spans_of(&CiEvent::Run(run));
    assert_eq!(s[0].name, "RUN build");
    assert_eq!(s[0].links.len(), 1);
    assert_eq!(s[0].links[0].trace_id, trace_id("42", 1).0.to_vec());
    assert_eq!(s[0].links[0].span_id, root_span_id("42", 1).0.to_vec());
}

#[test]
fn resource_names_the_repository() {
    let rs = translate(&CiEvent::Job(job(Phase::Running)), IdRecipe::CheckRun);
    let attrs = &rs[0]
        .resource
        .as_ref()
        .map(|r| r.attributes.clone())
        .unwrap_or_default();
    let keys: Vec<_> = attrs.iter().map(|kv| kv.key.as_str()).collect();
    assert_eq!(
        keys,
        ["service.name", "vcs.provider.name", "cicd.pipeline.name"]
    );
    let mut anonymous = job(Phase::Running);
    anonymous.run.vcs = Vcs::default();
    let rs = translate(&CiEvent::Job(anonymous), IdRecipe::CheckRun);
    let service = rs[0]
        .resource
        .as_ref()
        .and_then(|r| r.attributes.first())
        .and_then(|kv| kv.value.clone());
    assert_eq!(
        service.and_then(|v| v.value),
        Some(
            opentelemetry_proto::tonic::common::v1::any_value::Value::StringValue(
                resource::UNKNOWN_SERVICE.into()
            )
        )
    );
    assert_eq!(
        rs[0].scope_spans[0].scope.as_ref().map(|s| s.name.as_str()),
        Some(SCOPE_NAME)
    );
}

fn attr<'a>(span: &'a Span, key: &str) -> Option<&'a str> {
    use opentelemetry_proto::tonic::common::v1::any_value::Value;
    span.attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
            Value::StringValue(s) => Some(s.as_str()),
            _ => None,
        })
}

fn gitlab_spans(event: &CiEvent) -> Vec<Span> {
    translate(event, IdRecipe::Gitlab)
        .into_iter()
        .flat_map(|r| r.scope_spans)
        .flat_map(|s| s.spans)
        .collect()
}

#[test]
fn the_gitlab_recipe_ignores_attempts_in_ids_and_attributes() {
    let r = IdRecipe::Gitlab;
    let mut j = job(Phase::Completed);
    j.stage = Some("test".into());
    let spans = gitlab_spans(&CiEvent::Job(j.clone()));
    assert_eq!(spans[0].trace_id, r.trace_id("42", 2).0.to_vec());
    assert_eq!(
        spans[0].parent_span_id,
        r.stage_span_id("42", 2, "test").0.to_vec()
    );
    assert!(
        spans
            .iter()
            .all(|s| s.attributes.iter().all(|kv| kv.key != "ciotel.run.attempt")),
        "GitLab pipelines have no attempts"
    );
    j.run.attempt = 5;
    assert_eq!(
        gitlab_spans(&CiEvent::Job(j)),
        spans,
        "the attempt changes nothing"
    );

    let run = PipelineRun {
        run: run_ref(),
        phase: Phase::Completed,
        started_at: t(90),
        completed_at: t(300),
        previous_attempt: Some(PreviousAttempt {
            attempt: 1,
            url: None,
        }),
        ..Default::default()
    };
    let root = gitlab_spans(&CiEvent::Run(run));
    assert_eq!(root[0].span_id, r.root_span_id("42", 2).0.to_vec());
    assert!(root[0].links.is_empty(), "no previous attempt to link to");
}

#[test]
fn a_downstream_run_links_to_the_trigger_job_in_the_upstream_trace() {
    let r = IdRecipe::Gitlab;
    let run = PipelineRun {
        run: run_ref(),
        phase: Phase::Completed,
        started_at: t(90),
        completed_at: t(300),
        ..Default::default()
    };
    let downstream = DownstreamRun {
        run: run.clone(),
        upstream: Upstream {
            run_id: "30".into(),
            attempt: 1,
            job_id: Some("3401".into()),
        },
    };
    let spans = gitlab_spans(&CiEvent::DownstreamRun(downstream.clone()));
    let plain = gitlab_spans(&CiEvent::Run(run));
    assert_eq!(spans.len(), 1);
    let link = &spans[0].links[0];
    assert_eq!(link.trace_id, r.trace_id("30", 1).0.to_vec());
    let trigger = crate::ids::JobKey {
        run_id: "30",
        run_attempt: 1,
        job_id: "3401",
        job_name: "",
    };
    assert_eq!(link.span_id, r.job_span_id(&trigger).0.to_vec());
    let keys: Vec<_> = link.attributes.iter().map(|kv| kv.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "ciotel.link.type",
            "cicd.pipeline.run.id",
            "cicd.pipeline.task.run.id"
        ]
    );
    let mut without_links = spans[0].clone();
    without_links.links.clear();
    assert_eq!(
        without_links, plain[0],
        "otherwise the same span as the run"
    );
    assert_eq!(attr(&spans[0], "ciotel.span.type"), Some("run"));

    let mut no_job = downstream;
    no_job.upstream.job_id = None;
    let spans = gitlab_spans(&CiEvent::DownstreamRun(no_job));
    assert_eq!(
        spans[0].links[0].span_id,
        r.root_span_id("30", 1).0.to_vec(),
        "without a job: the upstream root"
    );
}
