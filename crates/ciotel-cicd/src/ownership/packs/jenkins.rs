//! Jenkins: the spans of the Jenkins OpenTelemetry plugin (instrumentation scope
//! `io.jenkins.opentelemetry`), which Jenkins sends over OTLP.
//!
//! | rule | spans | owner |
//! |---|---|---|
//! | `jenkins/agent-allocation` | `Agent Allocation` (waiting for an executor) | platform |
//! | `jenkins/phases` | `Phase: Start`, `Phase: Finalise` (Jenkins' own work before and after the pipeline) | platform |
//! | `jenkins/pipeline` | every other span of the plugin: the `BUILD …` root, `Phase: Run`, `Agent`, `Stage: …` and steps | application |
//!
//! The build result `ci.pipeline.run.result` is the pack's reason table: `UNSTABLE` (the build
//! ran; test results marked it unstable, which `cicd_hierarchy` maps to `failure`) is the
//! change's; every other result lets the failing step decide.

use super::{FailureReasons, Pack, PackName, exact_names};
use crate::ownership::matcher::SpanMatch;
use crate::ownership::owner::Owner;
use crate::ownership::pattern::Pattern;
use crate::ownership::rule::Rule;
use crate::ownership::span_view::JENKINS_SCOPE;

/// The plugin's build result attribute on the `BUILD …` root span.
pub const RESULT_ATTRIBUTE: &str = "ci.pipeline.run.result";

/// Who a Jenkins build result blames: `UNSTABLE` the change; others do not say.
pub fn result_owner(result: &str) -> Option<Owner> {
    result
        .eq_ignore_ascii_case("unstable")
        .then_some(Owner::Application)
}

fn jenkins() -> SpanMatch {
    SpanMatch::default().scope(Pattern::exact(JENKINS_SCOPE))
}

pub(super) fn pack() -> Pack {
    let rules = vec![
        Rule::new(
            "jenkins/agent-allocation",
            jenkins().names(exact_names(&["Agent Allocation"])),
            Owner::Platform,
        ),
        Rule::new(
            "jenkins/phases",
            jenkins().names(exact_names(&["Phase: Start", "Phase: Finalise"])),
            Owner::Platform,
        ),
        Rule::new("jenkins/pipeline", jenkins(), Owner::Application),
    ];
    Pack {
        name: PackName::Jenkins,
        rules,
        failure_reasons: Some(FailureReasons {
            attribute: RESULT_ATTRIBUTE,
            owner_of: result_owner,
        }),
    }
}
