//! Reading a span the way rules and verdicts need it: with its resource and instrumentation
//! scope, its attributes as text, and where it came from ([`Origin`]).

use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value::Value};
use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use serde::Deserialize;

use super::names;
use super::owner::Owner;
use crate::semconv;
use crate::translate::SCOPE_NAME;

/// The instrumentation scope of the Jenkins OpenTelemetry plugin: Jenkins reports its own
/// pipeline runs over OTLP, so its spans are the platform's account, as ciotel's CI
/// receivers' are.
pub const JENKINS_SCOPE: &str = "io.jenkins.opentelemetry";

/// Instrumentation scopes whose spans are the CI platform's own account of a run.
pub const PLATFORM_SCOPES: &[&str] = &[SCOPE_NAME, JENKINS_SCOPE];

/// Where a span came from.
///
/// Known from the span's instrumentation scope, which survives every OTLP hop (a sidecar
/// forwarding to a gateway keeps it): `ciotel-cicd` marks spans a ciotel CI receiver made from
/// the platform's webhooks or API, `io.jenkins.opentelemetry` spans the Jenkins plugin made.
/// Every other span was sent over OTLP by a tool inside a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The CI platform's account of the run (a CI receiver, the Jenkins plugin).
    Platform,
    /// A tool inside a job, over OTLP.
    Job,
}

impl Origin {
    /// The origin of spans of instrumentation scope `scope`.
    pub fn of_scope(scope: &str) -> Origin {
        if PLATFORM_SCOPES.contains(&scope) {
            Origin::Platform
        } else {
            Origin::Job
        }
    }
}

/// One span with the context rules match on.
#[derive(Debug, Clone, Copy)]
pub struct SpanView<'a> {
    /// The span.
    pub span: &'a Span,
    /// Its resource's attributes.
    pub resource: &'a [KeyValue],
    /// Its instrumentation scope's name (empty when none).
    pub scope: &'a str,
}

impl<'a> SpanView<'a> {
    /// Where the span came from.
    pub fn origin(&self) -> Origin {
        Origin::of_scope(self.scope)
    }

    /// A span attribute as text (see [`text`]).
    pub fn attr(&self, key: &str) -> Option<String> {
        find(&self.span.attributes, key).and_then(text)
    }

    /// A resource attribute as text.
    pub fn resource_attr(&self, key: &str) -> Option<String> {
        find(self.resource, key).and_then(text)
    }

    /// `ciotel.span.type`, when a CI receiver set it.
    pub fn span_type(&self) -> Option<String> {
        self.attr(semconv::CIOTEL_SPAN_TYPE)
    }

    /// Whether the span failed: status ERROR, or a CI result of failure, error or timeout.
    pub fn failed(&self) -> bool {
        failed(self.span)
    }

    /// Whether the job may fail without failing its run (GitLab `allow_failure: true`).
    pub fn allowed_to_fail(&self) -> bool {
        self.attr(super::packs::GITLAB_ALLOW_FAILURE).as_deref() == Some("true")
    }

    /// Whether this is a job's `queue` span.
    pub fn is_queue(&self) -> bool {
        self.span_type().as_deref() == Some(semconv::span_type::QUEUE)
    }

    /// The `ciotel.owner` the span carries, when it is a known owner.
    pub fn owner(&self) -> Option<Owner> {
        self.attr(names::OWNER).as_deref().and_then(Owner::parse)
    }
}

/// Whether `span` failed: status ERROR, or one of ciotel's result attributes says failure,
/// error or timeout.
pub fn failed(span: &Span) -> bool {
    if span.status.as_ref().map(|s| s.code) == Some(StatusCode::Error as i32) {
        return true;
    }
    [
        semconv::CICD_PIPELINE_RESULT,
        semconv::CICD_PIPELINE_TASK_RUN_RESULT,
        semconv::CIOTEL_STEP_RESULT,
    ]
    .iter()
    .filter_map(|k| find(&span.attributes, k).and_then(text))
    .any(|r| is_failure_result(&r))
}

/// `failure`, `error` or `timeout`: the results that make a span ERROR.
pub fn is_failure_result(result: &str) -> bool {
    matches!(
        result,
        semconv::result::FAILURE | semconv::result::ERROR | semconv::result::TIMEOUT
    )
}

/// The first attribute named `key`.
pub fn find<'a>(attrs: &'a [KeyValue], key: &str) -> Option<&'a AnyValue> {
    attrs
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
}

/// A string attribute of `span`, as text.
pub fn span_attr(span: &Span, key: &str) -> Option<String> {
    find(&span.attributes, key).and_then(text)
}

/// A scalar value as text (`true`, `42`, `1.5`); `None` for arrays, maps, bytes and nothing.
pub fn text(value: &AnyValue) -> Option<String> {
    match value.value.as_ref()? {
        Value::StringValue(s) => Some(s.clone()),
        Value::BoolValue(b) => Some(b.to_string()),
        Value::IntValue(i) => Some(i.to_string()),
        Value::DoubleValue(d) => Some(d.to_string()),
        _ => None,
    }
}

/// Every text a value offers a matcher: a scalar's text, or each scalar element of an array
/// (so `ciotel.worker.labels: gpu` matches a runner with the label `gpu` among others).
pub fn texts(value: &AnyValue) -> Vec<String> {
    match value.value.as_ref() {
        Some(Value::ArrayValue(a)) => a.values.iter().filter_map(text).collect(),
        _ => text(value).into_iter().collect(),
    }
}

/// Whether `f` holds for any text [`texts`] gives, without copying string values (rules test
/// every span's attributes, most of them strings).
pub fn any_text(value: &AnyValue, f: impl Fn(&str) -> bool) -> bool {
    match value.value.as_ref() {
        Some(Value::StringValue(s)) => f(s),
        Some(Value::ArrayValue(a)) => a.values.iter().any(|v| match v.value.as_ref() {
            Some(Value::StringValue(s)) => f(s),
            _ => text(v).is_some_and(|t| f(&t)),
        }),
        _ => text(value).is_some_and(|t| f(&t)),
    }
}

/// A string attribute, ready to push onto a span.
pub fn kv_str(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue {
            value: Some(Value::StringValue(value.to_owned())),
        }),
        ..Default::default()
    }
}

/// An integer attribute, ready to push onto a span.
pub fn kv_int(key: &str, value: i64) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue {
            value: Some(Value::IntValue(value)),
        }),
        ..Default::default()
    }
}

/// Sets `kv` on `attrs`: replaces the first attribute of the same key, else appends.
pub fn set(attrs: &mut Vec<KeyValue>, kv: KeyValue) {
    match attrs.iter_mut().find(|a| a.key == kv.key) {
        Some(existing) => *existing = kv,
        None => attrs.push(kv),
    }
}
