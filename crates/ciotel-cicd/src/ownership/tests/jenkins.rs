//! The Jenkins pack, on spans shaped as the Jenkins OpenTelemetry plugin sends them (scope
//! `io.jenkins.opentelemetry`): `BUILD {job}` → `Phase: Start`, `Phase: Run` → `Agent
//! Allocation`, `Agent` → `Stage: …` → steps, `Phase: Finalise`. No published sample trace
//! exists; the names are the plugin's constants.

use opentelemetry_proto::tonic::common::v1::InstrumentationScope;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};

use super::support::*;

/// (name, id, parent id, start s, end s, failed)
type Shape = (&'static str, u8, u8, u64, u64, bool);

fn build(shape: &[Shape]) -> Vec<ResourceSpans> {
    let spans = shape
        .iter()
        .map(|&(name, id, parent, start, end, failed)| Span {
            trace_id: vec![9; 16],
            span_id: vec![id; 8],
            parent_span_id: if parent == 0 {
                Vec::new()
            } else {
                vec![parent; 8]
            },
            name: name.into(),
            kind: if parent == 0 { 2 } else { 1 },
            start_time_unix_nano: start * 1_000_000_000,
            end_time_unix_nano: end * 1_000_000_000,
            status: Some(Status {
                code: if failed {
                    StatusCode::Error as i32
                } else {
                    StatusCode::Ok as i32
                },
                message: if failed {
                    "AbortException: script returned exit code 1".into()
                } else {
                    String::new()
                },
            }),
            ..Default::default()
        })
        .collect();
    vec![ResourceSpans {
        scope_spans: vec![ScopeSpans {
            scope: Some(InstrumentationScope {
                name: "io.jenkins.opentelemetry".into(),
                ..Default::default()
            }),
            spans,
            ..Default::default()
        }],
        ..Default::default()
    }]
}

fn pipeline(step_fails: bool, allocation_fails: bool) -> Vec<ResourceSpans> {
    let failed = step_fails || allocation_fails;
    build(&[
        ("BUILD my-pipeline", 1, 0, 0, 100, failed),
        ("Phase: Start", 2, 1, 0, 2, false),
        ("Phase: Run", 3, 1, 2, 95, failed),
        ("Agent Allocation", 4, 3, 2, 20, allocation_fails),
        ("Agent", 5, 3, 20, 95, step_fails),
        ("Stage: build", 6, 5, 21, 94, step_fails),
        ("release-script", 7, 6, 22, 94, step_fails),
        ("Phase: Finalise", 8, 1, 95, 100, false),
    ])
}

#[test]
fn jenkins_phases_and_allocation_are_the_platform_the_rest_the_pipeline() {
    let mut g = pipeline(false, false);
    processor("").process(&mut g);
    for (name, expected) in [
        ("Agent Allocation", ("platform", "jenkins/agent-allocation")),
        ("Phase: Start", ("platform", "jenkins/phases")),
        ("Phase: Finalise", ("platform", "jenkins/phases")),
        ("Stage: build", ("application", "jenkins/pipeline")),
        ("release-script", ("application", "jenkins/pipeline")),
        ("BUILD my-pipeline", ("application", "jenkins/pipeline")),
    ] {
        assert_eq!(
            owner(&g, name),
            (expected.0.to_owned(), expected.1.to_owned()),
            "{name}"
        );
    }
}

#[test]
fn a_failing_step_is_the_change_a_failed_allocation_the_platform() {
    let mut g = pipeline(true, false);
    processor("").process(&mut g);
    assert_eq!(
        failure(&g, "BUILD my-pipeline"),
        verdict(
            "application",
            "release-script",
            "AbortException: script returned exit code 1",
            "failing_step"
        ),
        "the deepest failing span is named, not the stage around it"
    );

    let mut g = pipeline(false, true);
    processor("").process(&mut g);
    assert_eq!(failure(&g, "BUILD my-pipeline")[0], "platform");
    assert_eq!(failure(&g, "BUILD my-pipeline")[1], "Agent Allocation");
}

#[test]
fn an_unstable_build_is_the_change() {
    // Tests failed and Jenkins marked the build UNSTABLE; no step failed. `cicd_hierarchy`
    // has mapped the result to `cicd.pipeline.result = failure`.
    use crate::ownership::span_view::kv_str;
    let mut g = pipeline(false, false);
    let root = &mut g[0].scope_spans[0].spans[0];
    root.attributes
        .push(kv_str("ci.pipeline.run.result", "UNSTABLE"));
    root.attributes
        .push(kv_str("cicd.pipeline.result", "failure"));
    processor("").process(&mut g);
    assert_eq!(
        failure(&g, "BUILD my-pipeline"),
        verdict("application", "", "UNSTABLE", "failure_reason")
    );
}
