//! Evaluation per operator, path and context.

use super::support::{kv, resource, s, scope};
use crate::condition::context::{Item, Subject};
use crate::condition::{Condition, ContextKind};
use opentelemetry_proto::tonic::common::v1::{AnyValue, ArrayValue, any_value::Value as V};
use opentelemetry_proto::tonic::logs::v1::LogRecord;
use opentelemetry_proto::tonic::metrics::v1::Metric;
use opentelemetry_proto::tonic::trace::v1::{Span, Status, span};

fn span() -> Span {
    Span {
        name: "job:build".into(),
        kind: 2,
        status: Some(Status {
            code: 2,
            message: "exit 1".into(),
        }),
        attributes: vec![
            s("ciotel.owner", "platform"),
            kv("retries", V::IntValue(3)),
            kv("ratio", V::DoubleValue(0.5)),
            kv("cached", V::BoolValue(false)),
            kv("tags", V::ArrayValue(ArrayValue { values: vec![] })),
        ],
        ..Default::default()
    }
}

/// Evaluates `text` on the test span in span context.
fn on_span(text: &str) -> bool {
    let r = resource(vec![s("vcs.repository.name", "api")]);
    let sc = scope("ciotel");
    let sp = span();
    let subject = Subject::resource(Some(&r)).with(Item::Span(&sp));
    let subject = Subject {
        scope: Some(&sc),
        ..subject
    };
    Condition::new(text, ContextKind::Span)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .matches(&subject)
}

#[test]
fn equality_of_each_value_type() {
    assert!(on_span(r#"attributes["ciotel.owner"] == "platform""#));
    assert!(!on_span(r#"attributes["ciotel.owner"] == "application""#));
    assert!(on_span(r#"attributes["ciotel.owner"] != "application""#));
    assert!(on_span(r#"attributes["retries"] == 3"#));
    assert!(
        on_span(r#"attributes["retries"] == 3.0"#),
        "ints and floats compare as numbers"
    );
    assert!(on_span(r#"attributes["ratio"] == 0.5"#));
    assert!(on_span(r#"attributes["cached"] == false"#));
    assert!(
        !on_span(r#"attributes["retries"] == "3""#),
        "different types are not equal"
    );
    assert!(on_span(r#"attributes["retries"] != "3""#));
    assert!(
        !on_span(r#"attributes["tags"] == nil"#),
        "a composite value is not nil"
    );
}

#[test]
fn order_of_numbers_and_strings_only() {
    assert!(on_span(r#"attributes["retries"] > 2"#));
    assert!(on_span(r#"attributes["retries"] >= 3"#));
    assert!(!on_span(r#"attributes["retries"] < 3"#));
    assert!(on_span(r#"attributes["ratio"] <= 1"#));
    assert!(on_span(r#"name < "k""#));
    assert!(
        !on_span(r#"attributes["retries"] < "9""#),
        "no order between types"
    );
    assert!(!on_span(r#"attributes["missing"] < 1"#));
}

#[test]
fn nil_means_absent() {
    assert!(on_span(r#"attributes["missing"] == nil"#));
    assert!(!on_span(r#"attributes["ciotel.owner"] == nil"#));
    assert!(on_span(r#"attributes["ciotel.owner"] != nil"#));
    assert!(on_span(r#"resource.attributes["nope"] == nil"#));
}

#[test]
fn is_match_on_strings_numbers_and_nil() {
    assert!(on_span(r#"IsMatch(name, "^job:")"#));
    assert!(!on_span(r#"IsMatch(name, "^step:")"#));
    assert!(on_span(r#"IsMatch(attributes["retries"], "^3$")"#));
    assert!(on_span(r#"IsMatch(attributes["cached"], "false")"#));
    assert!(!on_span(r#"IsMatch(attributes["missing"], ".*")"#));
}

#[test]
fn boolean_operators() {
    assert!(on_span(
        r#"name == "job:build" and kind == SPAN_KIND_SERVER"#
    ));
    assert!(!on_span(
        r#"name == "job:build" and kind == SPAN_KIND_CLIENT"#
    ));
    assert!(on_span(r#"name == "x" or kind == 2"#));
    assert!(!on_span(r#"not name == "job:build""#));
    assert!(on_span(r#"not (name == "x" or kind == 3)"#));
    assert!(on_span("true"));
    assert!(!on_span("false or not true"));
}

#[test]
fn span_paths() {
    assert!(on_span("kind == SPAN_KIND_SERVER"));
    assert!(on_span("kind == 2"));
    assert!(on_span("status.code == STATUS_CODE_ERROR"));
    assert!(on_span(r#"status.message == "exit 1""#));
    assert!(on_span(
        r#"resource.attributes["vcs.repository.name"] == "api""#
    ));
    assert!(on_span(r#"instrumentation_scope.name == "ciotel""#));
    assert!(on_span(r#"instrumentation_scope.version == "1.2""#));
    assert!(on_span(
        r#"instrumentation_scope.attributes["scope.k"] == "sv""#
    ));
}

#[test]
fn a_span_without_status_is_unset() {
    let sp = Span::default();
    let c = Condition::new("status.code == STATUS_CODE_UNSET", ContextKind::Span).unwrap();
    assert!(c.matches(&Subject::resource(None).with(Item::Span(&sp))));
}

#[test]
fn resource_context_reads_the_resource() {
    let r = resource(vec![s("vcs.repository.name", "api")]);
    let subject = Subject::resource(Some(&r));
    for text in [
        r#"attributes["vcs.repository.name"] == "api""#,
        r#"resource.attributes["vcs.repository.name"] == "api""#,
    ] {
        assert!(
            Condition::new(text, ContextKind::Resource)
                .unwrap()
                .matches(&subject)
        );
    }
    let none = Subject::resource(None);
    let c = Condition::new(r#"attributes["x"] == nil"#, ContextKind::Resource).unwrap();
    assert!(c.matches(&none), "no resource: every attribute is nil");
}

#[test]
fn scope_context_reads_the_scope() {
    let sc = scope("pytest-otel");
    let subject = Subject::resource(None).in_scope(Some(&sc));
    let c = Condition::new(
        r#"name == "pytest-otel" and attributes["scope.k"] == "sv""#,
        ContextKind::Scope,
    )
    .unwrap();
    assert!(c.matches(&subject));
}

#[test]
fn log_paths() {
    let record = LogRecord {
        severity_number: 17,
        severity_text: "ERROR".into(),
        body: Some(AnyValue {
            value: Some(V::StringValue("disk full".into())),
        }),
        attributes: vec![s("job", "build")],
        ..Default::default()
    };
    let subject = Subject::resource(None).with(Item::Log(&record));
    let holds = |text: &str| {
        Condition::new(text, ContextKind::Log)
            .unwrap()
            .matches(&subject)
    };
    assert!(holds("severity_number >= SEVERITY_NUMBER_ERROR"));
    assert!(!holds("severity_number < SEVERITY_NUMBER_WARN"));
    assert!(holds(r#"severity_text == "ERROR""#));
    assert!(holds(r#"IsMatch(body, "disk")"#));
    assert!(holds(r#"attributes["job"] == "build""#));
    let empty = LogRecord::default();
    let subject = Subject::resource(None).with(Item::Log(&empty));
    assert!(
        Condition::new("body == nil", ContextKind::Log)
            .unwrap()
            .matches(&subject)
    );
}

#[test]
fn metric_and_datapoint_paths() {
    let metric = Metric {
        name: "ci.job.duration".into(),
        ..Default::default()
    };
    let attributes = vec![s("cicd.pipeline.result", "failure")];
    let m = Subject::resource(None).with(Item::Metric(&metric));
    let d = Subject::resource(None).with(Item::DataPoint(&metric, &attributes));
    assert!(
        Condition::new(r#"name == "ci.job.duration""#, ContextKind::Metric)
            .unwrap()
            .matches(&m)
    );
    assert!(
        Condition::new(r#"metric.name == "ci.job.duration""#, ContextKind::Metric)
            .unwrap()
            .matches(&m)
    );
    let c = Condition::new(
        r#"metric.name == "ci.job.duration" and attributes["cicd.pipeline.result"] == "failure""#,
        ContextKind::DataPoint,
    )
    .unwrap();
    assert!(c.matches(&d));
}

#[test]
fn span_event_paths() {
    let sp = span();
    let event = span::Event {
        name: "exception".into(),
        attributes: vec![s("exception.type", "OOM")],
        ..Default::default()
    };
    let subject = Subject::resource(None).with(Item::SpanEvent(&event, &sp));
    let c = Condition::new(
        r#"name == "exception" and span.name == "job:build" and attributes["exception.type"] == "OOM""#,
        ContextKind::SpanEvent,
    )
    .unwrap();
    assert!(c.matches(&subject));
}
