//! `cicd_hierarchy` on hand-built batches: tool spans land under the spans the translator
//! emits for the same job, whatever carries the identity; everything else passes unchanged.

use super::*;
use crate::event::{CiEvent, CiResult, Job, Phase, RunRef, Step, Vcs};
use crate::ids::{IdRecipe, JobKey, StepKey, trace_id};
use crate::time::Timestamp;
use crate::translate;
use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue, any_value};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, span};

const RUN: &str = "14460881260";
const ATTEMPT: u32 = 13;
const JOB: &str = "40685651258";

fn s(key: &str, v: &str) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(v.into())),
        }),
        ..Default::default()
    }
}

fn i(key: &str, v: i64) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue {
            value: Some(any_value::Value::IntValue(v)),
        }),
        ..Default::default()
    }
}

fn github_env() -> Vec<KeyValue> {
    vec![
        s("service.name", "pytest"),
        s("github.run.id", RUN),
        s("github.run.attempt", "13"),
        s("github.job.id", JOB),
    ]
}

/// A tool's trace: a root span and one child, in trace `0x11…`.
fn tool_spans() -> Vec<Span> {
    let root = Span {
        trace_id: vec![0x11; 16],
        span_id: vec![0xa1; 8],
        name: "Test Suite".into(),
        links: vec![
            span::Link {
                trace_id: vec![0x11; 16],
                span_id: vec![0xa2; 8],
                ..Default::default()
            },
            span::Link {
                trace_id: vec![0x99; 16],
                span_id: vec![0x99; 8],
                ..Default::default()
            },
        ],
        ..Default::default()
    };
    let child = Span {
        trace_id: vec![0x11; 16],
        span_id: vec![0xa2; 8],
        parent_span_id: vec![0xa1; 8],
        name: "Running test_ok".into(),
        ..Default::default()
    };
    vec![root, child]
}

fn group(resource: Vec<KeyValue>, scope: &str, spans: Vec<Span>) -> ResourceSpans {
    ResourceSpans {
        resource: Some(Resource {
            attributes: resource,
            ..Default::default()
        }),
        scope_spans: vec![ScopeSpans {
            scope: Some(InstrumentationScope {
                name: scope.into(),
                ..Default::default()
            }),
            spans,
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn process(config: HierarchyConfig, groups: Vec<ResourceSpans>) -> Vec<ResourceSpans> {
    let mut batch = Batch::Traces(groups);
    HierarchyProcessor::new(config).apply(&mut batch);
    match batch {
        Batch::Traces(g) => g,
        other => panic!("signal changed: {other:?}"),
    }
}

fn spans(groups: &[ResourceSpans]) -> Vec<&Span> {
    groups
        .iter()
        .flat_map(|g| &g.scope_spans)
        .flat_map(|s| &s.spans)
        .collect()
}

fn attr<'a>(span: &'a Span, key: &str) -> Option<&'a any_value::Value> {
    span.attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref()?.value.as_ref())
}

/// The spans the translator emits for the fixture-like job `JOB` of run `RUN`.
fn pipeline_job(recipe: IdRecipe) -> Vec<ResourceSpans> {
    let t = |secs: u64| Some(Timestamp::from_unix_nanos(secs * 1_000_000_000));
    let job = Job {
        run: RunRef {
            run_id: RUN.into(),
            attempt: ATTEMPT,
            pipeline_name: Some("Tests".into()),
            vcs: Vcs::default(),
        },
        id: JOB.into(),
        name: "test (1.23)".into(),
        phase: Phase::Completed,
        created_at: t(100),
        started_at: t(105),
        completed_at: t(200),
        result: Some(CiResult::Success),
        steps: vec![Step {
            name: "Run tests".into(),
            number: Some(4),
            phase: Phase::Completed,
            started_at: t(110),
            completed_at: t(190),
            result: Some(CiResult::Success),
            ..Step::default()
        }],
        ..Job::default()
    };
    translate(&CiEvent::Job(job), recipe)
}

fn span_named<'a>(groups: &'a [ResourceSpans], name: &str) -> &'a Span {
    spans(groups)
        .into_iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no span {name}"))
}

#[test]
fn resource_identity_puts_a_tool_trace_under_the_translated_job_span() {
    let pipeline = pipeline_job(IdRecipe::CheckRun);
    let mut input = pipeline.clone();
    input.push(group(github_env(), "pytest_otel", tool_spans()));
    let out = process(HierarchyConfig::default(), input);

    let job = span_named(&out, "test (1.23)");
    let root = span_named(&out, "Test Suite");
    let child = span_named(&out, "Running test_ok");
    assert_eq!(root.trace_id, job.trace_id);
    assert_eq!(child.trace_id, job.trace_id);
    assert_eq!(job.trace_id, trace_id(RUN, ATTEMPT).0);
    assert_eq!(
        root.parent_span_id, job.span_id,
        "the tool's root hangs under the job"
    );
    assert_eq!(root.flags & 0x300, 0x300, "its parent is remote");
    assert_eq!(
        child.parent_span_id,
        vec![0xa1; 8],
        "children keep their parents"
    );
    assert_eq!(root.span_id, vec![0xa1; 8], "span ids are kept");
    assert_eq!(
        root.links[0].trace_id, job.trace_id,
        "a link within the tool's trace follows"
    );
    assert_eq!(
        root.links[1].trace_id,
        vec![0x99; 16],
        "a link elsewhere does not"
    );
    let original = Some(&any_value::Value::StringValue("11".repeat(16)));
    assert_eq!(attr(root, ORIGINAL_TRACE_ID), original);
    assert_eq!(attr(child, ORIGINAL_TRACE_ID), original);
    assert_eq!(
        out[..pipeline.len()],
        pipeline[..],
        "ciotel's own spans are untouched"
    );
}

#[test]
fn the_same_spans_in_separate_batches_land_in_the_same_place() {
    let together = process(
        HierarchyConfig::default(),
        vec![group(github_env(), "t", tool_spans())],
    );
    let mut apart = Vec::new();
    for span in tool_spans().into_iter().rev() {
        apart.extend(process(
            HierarchyConfig::default(),
            vec![group(github_env(), "t", vec![span])],
        ));
    }
    let mut apart_spans: Vec<&Span> = spans(&apart);
    apart_spans.reverse();
    assert_eq!(spans(&together), apart_spans);
}

#[test]
fn processing_twice_changes_nothing_more() {
    let once = process(
        HierarchyConfig::default(),
        vec![group(github_env(), "t", tool_spans())],
    );
    let twice = process(HierarchyConfig::default(), once.clone());
    assert_eq!(once, twice);
}

#[test]
fn spans_that_used_traceparent_and_spans_without_identity_pass_unchanged() {
    let job_span = IdRecipe::CheckRun.job_span_id(&JobKey {
        run_id: RUN,
        run_attempt: ATTEMPT,
        job_id: JOB,
        job_name: "",
    });
    let mut in_place = tool_spans();
    for span in &mut in_place {
        span.trace_id = trace_id(RUN, ATTEMPT).0.to_vec();
    }
    in_place[0].parent_span_id = job_span.0.to_vec();
    in_place[0].links.clear();
    let input = vec![
        group(github_env(), "t", in_place),
        group(vec![s("service.name", "api")], "t", tool_spans()),
        // Identity keys present but empty (the variables were not set): no identity.
        group(
            vec![
                s("github.run.id", ""),
                s("github.run.attempt", "1"),
                s("github.job.id", ""),
            ],
            "t",
            tool_spans(),
        ),
        // An attempt that is not a number: no GitHub identity.
        group(
            vec![s("github.run.id", RUN), s("github.run.attempt", "x")],
            "t",
            tool_spans(),
        ),
    ];
    assert_eq!(process(HierarchyConfig::default(), input.clone()), input);
}

#[test]
fn a_step_name_puts_the_tool_under_the_step_span() {
    let pipeline = pipeline_job(IdRecipe::CheckRun);
    let mut resource = github_env();
    resource.push(s("github.step.name", "Run tests"));
    let mut input = pipeline.clone();
    input.push(group(resource, "t", tool_spans()));
    let out = process(HierarchyConfig::default(), input);
    let step = span_named(&out, "Run tests");
    let root = span_named(&out, "Test Suite");
    assert_eq!(root.parent_span_id, step.span_id);
    assert_eq!(root.trace_id, step.trace_id);
}

#[test]
fn the_legacy_recipe_needs_and_uses_the_job_name() {
    let config = HierarchyConfig {
        trace_id_recipe: IdRecipe::Legacy,
        ..HierarchyConfig::default()
    };
    let pipeline = pipeline_job(IdRecipe::Legacy);
    let mut named = github_env();
    named.push(s("github.job.name", "test (1.23)"));
    let mut input = pipeline.clone();
    input.push(group(named, "t", tool_spans()));
    let out = process(config.clone(), input);
    let job = span_named(&out, "test (1.23)");
    assert_eq!(span_named(&out, "Test Suite").parent_span_id, job.span_id);

    let unnamed = vec![group(github_env(), "t", tool_spans())];
    assert_eq!(process(config, unnamed.clone()), unnamed);
}

#[test]
fn semconv_identity_needs_the_task_run_id_and_reads_the_provider() {
    let semconv = |provider: &str| {
        vec![
            s("cicd.pipeline.run.id", "743121198"),
            s("cicd.pipeline.task.run.id", "3580121225"),
            s("vcs.provider.name", provider),
        ]
    };
    let out = process(
        HierarchyConfig::default(),
        vec![group(semconv("gitlab"), "t", tool_spans())],
    );
    let root = span_named(&out, "Test Suite");
    let gitlab = IdRecipe::Gitlab;
    assert_eq!(root.trace_id, gitlab.trace_id("743121198", 1).0);
    let job = JobKey {
        run_id: "743121198",
        run_attempt: 1,
        job_id: "3580121225",
        job_name: "",
    };
    assert_eq!(root.parent_span_id, gitlab.job_span_id(&job).0);

    // GitHub by provider (or by default) needs the attempt; with it, the GitHub recipe.
    let no_attempt = vec![group(semconv("github"), "t", tool_spans())];
    assert_eq!(
        process(HierarchyConfig::default(), no_attempt.clone()),
        no_attempt
    );
    let mut with_attempt = semconv("github");
    with_attempt.push(i("ciotel.run.attempt", 2));
    let out = process(
        HierarchyConfig::default(),
        vec![group(with_attempt, "t", tool_spans())],
    );
    assert_eq!(
        span_named(&out, "Test Suite").trace_id,
        trace_id("743121198", 2).0
    );

    // A run id alone does not move a span (require_job on the semconv identity).
    let run_only = vec![group(
        vec![
            s("cicd.pipeline.run.id", "743121198"),
            s("vcs.provider.name", "gitlab"),
        ],
        "t",
        tool_spans(),
    )];
    assert_eq!(
        process(HierarchyConfig::default(), run_only.clone()),
        run_only
    );
}

#[test]
fn gitlab_environment_keys_and_a_run_without_job_go_under_the_root() {
    let out = process(
        HierarchyConfig::default(),
        vec![group(
            vec![s("gitlab.pipeline.id", "31"), i("gitlab.job.id", 77)],
            "t",
            tool_spans(),
        )],
    );
    let root = span_named(&out, "Test Suite");
    assert_eq!(root.trace_id, IdRecipe::Gitlab.trace_id("31", 1).0);
    assert_eq!(
        root.parent_span_id,
        IdRecipe::Gitlab
            .job_span_id(&JobKey {
                run_id: "31",
                run_attempt: 1,
                job_id: "77",
                job_name: ""
            })
            .0
    );

    let out = process(
        HierarchyConfig::default(),
        vec![group(
            vec![s("gitlab.pipeline.id", "31")],
            "t",
            tool_spans(),
        )],
    );
    assert_eq!(
        span_named(&out, "Test Suite").parent_span_id,
        IdRecipe::Gitlab.root_span_id("31", 1).0
    );
}

#[test]
fn span_level_identity_on_the_root_moves_its_whole_trace_in_the_batch() {
    let mut tool = tool_spans();
    tool[0].attributes = github_env()[1..].to_vec();
    let unrelated = Span {
        trace_id: vec![0x22; 16],
        span_id: vec![0xb1; 8],
        name: "other".into(),
        ..Default::default()
    };
    tool.push(unrelated.clone());
    let out = process(
        HierarchyConfig::default(),
        vec![group(vec![s("service.name", "x")], "t", tool)],
    );
    let expected = trace_id(RUN, ATTEMPT).0.to_vec();
    assert_eq!(span_named(&out, "Test Suite").trace_id, expected);
    assert_eq!(span_named(&out, "Running test_ok").trace_id, expected);
    assert_eq!(*span_named(&out, "other"), unrelated);
}

#[test]
fn a_remote_parent_in_another_trace_is_replaced_by_the_job() {
    let mut tool = tool_spans();
    tool[0].parent_span_id = vec![0xee; 8];
    tool[0].flags = 0x300;
    let out = process(
        HierarchyConfig::default(),
        vec![group(github_env(), "t", tool)],
    );
    let job = IdRecipe::CheckRun.job_span_id(&JobKey {
        run_id: RUN,
        run_attempt: ATTEMPT,
        job_id: JOB,
        job_name: "",
    });
    assert_eq!(span_named(&out, "Test Suite").parent_span_id, job.0);
}

#[test]
fn jenkins_builds_keep_their_trace_and_gain_semconv_attributes() {
    let mut build = tool_spans();
    build[0].attributes = vec![
        s("ci.pipeline.id", "app/main"),
        s("ci.pipeline.name", "app » main"),
        i("ci.pipeline.run.number", 12),
        s("ci.pipeline.run.result", "success"),
        // Even with ids a GitHub identity would read, a Jenkins build is not moved.
        s("cicd.pipeline.task.run.id", "5"),
    ];
    let resource = vec![s("service.name", "jenkins"), s("github.run.id", "1")];
    let out = process(
        HierarchyConfig::default(),
        vec![group(
            resource.clone(),
            "io.jenkins.opentelemetry",
            build.clone(),
        )],
    );
    let root = span_named(&out, "Test Suite");
    assert_eq!(root.trace_id, build[0].trace_id);
    assert_eq!(root.parent_span_id, build[0].parent_span_id);
    let value = |k| attr(root, k).cloned();
    let text = |v: &str| Some(any_value::Value::StringValue(v.into()));
    assert_eq!(value("cicd.pipeline.name"), text("app » main"));
    assert_eq!(value("cicd.pipeline.run.id"), text("app/main#12"));
    assert_eq!(value("cicd.pipeline.result"), text("success"));
    assert_eq!(value("ci.pipeline.id"), text("app/main"), "originals stay");

    let off = HierarchyConfig {
        normalize_jenkins: false,
        ..HierarchyConfig::default()
    };
    let input = vec![group(resource, "j", build)];
    assert_eq!(process(off, input.clone()), input);
}

#[test]
fn log_records_follow_their_spans_into_the_pipeline_trace() {
    let record = |trace: Vec<u8>| LogRecord {
        trace_id: trace,
        span_id: vec![0xa2; 8],
        ..Default::default()
    };
    let mut batch = Batch::Logs(vec![ResourceLogs {
        resource: Some(Resource {
            attributes: github_env(),
            ..Default::default()
        }),
        scope_logs: vec![ScopeLogs {
            log_records: vec![record(vec![0x11; 16]), record(Vec::new())],
            ..Default::default()
        }],
        ..Default::default()
    }]);
    HierarchyProcessor::new(HierarchyConfig::default()).apply(&mut batch);
    let Batch::Logs(groups) = batch else {
        panic!("signal changed")
    };
    let records = &groups[0].scope_logs[0].log_records;
    assert_eq!(records[0].trace_id, trace_id(RUN, ATTEMPT).0);
    assert_eq!(records[0].span_id, vec![0xa2; 8]);
    assert!(
        records[1].trace_id.is_empty(),
        "a record outside any trace stays outside"
    );
}

#[test]
fn step_keys_with_numbers_match_the_legacy_step_recipe() {
    let config = HierarchyConfig {
        trace_id_recipe: IdRecipe::Legacy,
        ..HierarchyConfig::default()
    };
    let mut resource = github_env();
    resource.extend([
        s("github.job.name", "test (1.23)"),
        s("github.step.name", "Run tests"),
        s("github.step.number", "4"),
    ]);
    let out = process(config, vec![group(resource, "t", tool_spans())]);
    let job = JobKey {
        run_id: RUN,
        run_attempt: ATTEMPT,
        job_id: JOB,
        job_name: "test (1.23)",
    };
    let step = StepKey {
        name: "Run tests",
        occurrence: 0,
        number: Some(4),
    };
    assert_eq!(
        span_named(&out, "Test Suite").parent_span_id,
        IdRecipe::Legacy.step_span_id(&job, &step).0
    );
}
