//! The Jenkins OpenTelemetry plugin's `ci.pipeline.*` attributes (its docs/job-traces.md)
//! copied to the CI/CD semantic conventions, so one query works across platforms. The
//! originals stay; a `cicd.*` key already present is never overwritten.
//!
//! | Jenkins plugin | semconv / ciotel | value |
//! |---|---|---|
//! | `ci.pipeline.name` (else `ci.pipeline.id`) | `cicd.pipeline.name` | as is |
//! | `ci.pipeline.id` + `ci.pipeline.run.number` | `cicd.pipeline.run.id` | `{id}#{number}` (Jenkins' own unique build id; the number alone without an id) |
//! | `ci.pipeline.run.url` | `cicd.pipeline.run.url.full` | as is |
//! | `ci.pipeline.run.result` | `cicd.pipeline.result` | success → success, failure and unstable → failure, aborted → cancellation, not_built → skip |
//! | `ci.pipeline.agent.id` | `cicd.worker.id` | as is |
//! | `ci.pipeline.agent.name` | `cicd.worker.name` | as is |
//! | `ci.pipeline.run.user` | `ciotel.run.actor` | as is |

use crate::semconv::{
    CICD_PIPELINE_NAME, CICD_PIPELINE_RESULT, CICD_PIPELINE_RUN_ID, CICD_PIPELINE_RUN_URL_FULL,
    CICD_WORKER_ID, CICD_WORKER_NAME, CIOTEL_RUN_ACTOR, result,
};
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};

/// The plugin's job full name (`folder/pipeline`).
pub const CI_PIPELINE_ID: &str = "ci.pipeline.id";
/// The plugin's user-friendly job name.
pub const CI_PIPELINE_NAME: &str = "ci.pipeline.name";
/// The plugin's build number (an integer).
pub const CI_PIPELINE_RUN_NUMBER: &str = "ci.pipeline.run.number";
/// The plugin's build URL.
pub const CI_PIPELINE_RUN_URL: &str = "ci.pipeline.run.url";
/// The plugin's build result (`success`, `failure`, `unstable`, `aborted`, `not_built`).
pub const CI_PIPELINE_RUN_RESULT: &str = "ci.pipeline.run.result";
/// The plugin's agent (node) name.
pub const CI_PIPELINE_AGENT_ID: &str = "ci.pipeline.agent.id";
/// The plugin's agent display name.
pub const CI_PIPELINE_AGENT_NAME: &str = "ci.pipeline.agent.name";
/// Who triggered the build.
pub const CI_PIPELINE_RUN_USER: &str = "ci.pipeline.run.user";

/// Straight copies: (Jenkins key, semconv key).
const COPIES: [(&str, &str); 4] = [
    (CI_PIPELINE_RUN_URL, CICD_PIPELINE_RUN_URL_FULL),
    (CI_PIPELINE_AGENT_ID, CICD_WORKER_ID),
    (CI_PIPELINE_AGENT_NAME, CICD_WORKER_NAME),
    (CI_PIPELINE_RUN_USER, CIOTEL_RUN_ACTOR),
];

/// A Jenkins build result as a `cicd.pipeline.result` value; `None` for anything else.
pub fn result_of(jenkins: &str) -> Option<&'static str> {
    Some(match jenkins.to_ascii_lowercase().as_str() {
        "success" => result::SUCCESS,
        // Unstable: the build ran but tests failed, a fault of the content.
        "failure" | "unstable" => result::FAILURE,
        "aborted" => result::CANCELLATION,
        // The plugin's docs spell it `not_build`; Jenkins' enum is NOT_BUILT.
        "not_built" | "not_build" => result::SKIP,
        _ => return None,
    })
}

/// Adds the `cicd.*` equivalents of the `ci.pipeline.*` attributes in `attrs`.
pub fn normalize(attrs: &mut Vec<KeyValue>) {
    if !attrs.iter().any(|kv| kv.key.starts_with("ci.pipeline.")) {
        return;
    }
    let mut added: Vec<(&'static str, any_value::Value)> = Vec::new();
    if let Some(name) = text(attrs, CI_PIPELINE_NAME).or_else(|| text(attrs, CI_PIPELINE_ID)) {
        added.push((CICD_PIPELINE_NAME, any_value::Value::StringValue(name)));
    }
    if let Some(number) = text(attrs, CI_PIPELINE_RUN_NUMBER) {
        let id = match text(attrs, CI_PIPELINE_ID) {
            Some(job) => format!("{job}#{number}"),
            None => number,
        };
        added.push((CICD_PIPELINE_RUN_ID, any_value::Value::StringValue(id)));
    }
    if let Some(r) = text(attrs, CI_PIPELINE_RUN_RESULT).and_then(|r| result_of(&r)) {
        added.push((
            CICD_PIPELINE_RESULT,
            any_value::Value::StringValue(r.into()),
        ));
    }
    for (from, to) in COPIES {
        if let Some(v) = attrs
            .iter()
            .find(|kv| kv.key == from)
            .and_then(|kv| kv.value.as_ref()?.value.clone())
        {
            added.push((to, v));
        }
    }
    for (key, value) in added {
        if !attrs.iter().any(|kv| kv.key == key) {
            attrs.push(KeyValue {
                key: key.to_owned(),
                value: Some(AnyValue { value: Some(value) }),
                ..Default::default()
            });
        }
    }
}

/// A string or integer attribute as text.
fn text(attrs: &[KeyValue], key: &str) -> Option<String> {
    match attrs
        .iter()
        .find(|kv| kv.key == key)?
        .value
        .as_ref()?
        .value
        .as_ref()?
    {
        any_value::Value::StringValue(s) if !s.is_empty() => Some(s.clone()),
        any_value::Value::IntValue(i) => Some(i.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn a_build_root_span_gets_semconv_names_and_keeps_the_originals() {
        let mut attrs = vec![
            s(CI_PIPELINE_ID, "team/app/main"),
            s(CI_PIPELINE_NAME, "app » main"),
            i(CI_PIPELINE_RUN_NUMBER, 42),
            s(CI_PIPELINE_RUN_URL, "https://ci.example/job/app/42/"),
            s(CI_PIPELINE_RUN_RESULT, "UNSTABLE"),
            s(CI_PIPELINE_AGENT_ID, "linux-7"),
            s(CI_PIPELINE_RUN_USER, "ada"),
        ];
        let before = attrs.clone();
        normalize(&mut attrs);
        assert_eq!(attrs[..before.len()], before[..]);
        assert_eq!(
            attrs[before.len()..],
            [
                s(CICD_PIPELINE_NAME, "app » main"),
                s(CICD_PIPELINE_RUN_ID, "team/app/main#42"),
                s(CICD_PIPELINE_RESULT, "failure"),
                s(CICD_PIPELINE_RUN_URL_FULL, "https://ci.example/job/app/42/"),
                s(CICD_WORKER_ID, "linux-7"),
                s(CIOTEL_RUN_ACTOR, "ada"),
            ]
        );
    }

    #[test]
    fn existing_semconv_values_win_and_other_spans_are_untouched() {
        let mut attrs = vec![s(CI_PIPELINE_ID, "app"), s(CICD_PIPELINE_NAME, "mine")];
        normalize(&mut attrs);
        assert_eq!(
            attrs,
            vec![s(CI_PIPELINE_ID, "app"), s(CICD_PIPELINE_NAME, "mine")]
        );
        let mut plain = vec![s("jenkins.pipeline.step.name", "sh")];
        normalize(&mut plain);
        assert_eq!(plain.len(), 1);
    }

    #[test]
    fn results_map_to_the_semconv_values() {
        let table = [
            ("success", Some("success")),
            ("SUCCESS", Some("success")),
            ("failure", Some("failure")),
            ("unstable", Some("failure")),
            ("aborted", Some("cancellation")),
            ("not_built", Some("skip")),
            ("not_build", Some("skip")),
            ("weird", None),
        ];
        for (jenkins, semconv) in table {
            assert_eq!(result_of(jenkins), semconv, "{jenkins}");
        }
    }
}
