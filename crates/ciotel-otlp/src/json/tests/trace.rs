//! The canonical traces example: every field decoded, re-encoded identically, round-tripped.

use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::common::v1::{AnyValue, ArrayValue};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;

use super::{TRACE_JSON, assert_canonical, attr, hex};
use crate::json::{decode_traces, encode_traces};

#[test]
fn decodes_every_span_field() {
    let req = decode_traces(TRACE_JSON.as_bytes()).expect("fixture decodes");
    assert_eq!(req.resource_spans.len(), 2);
    let rs = &req.resource_spans[0];
    assert_eq!(rs.schema_url, "https://opentelemetry.io/schemas/1.41.0");
    let ss = &rs.scope_spans[0];
    assert_eq!(ss.schema_url, "https://opentelemetry.io/schemas/1.40.0");
    let scope = ss.scope.as_ref().expect("scope");
    assert_eq!(
        (scope.name.as_str(), scope.version.as_str()),
        ("ciotel.cicd", "0.1.0")
    );
    assert_eq!(
        attr(&scope.attributes, "ciotel.scope.kind"),
        &Value::StringValue("translator".into())
    );
    assert_eq!(scope.dropped_attributes_count, 1);

    let span = &ss.spans[0];
    assert_eq!(hex(&span.trace_id), "7d1e0b9a5c3f4e2a8b6c0d1e2f3a4b5c");
    assert_eq!(hex(&span.span_id), "a1b2c3d4e5f60718");
    assert_eq!(span.trace_state, "ciotel=run-42");
    assert_eq!(span.parent_span_id, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(span.flags, 257);
    assert_eq!(span.name, "job build");
    assert_eq!(span.kind, SpanKind::Server as i32);
    assert_eq!(span.start_time_unix_nano, 1_767_225_600_000_000_000);
    assert_eq!(span.end_time_unix_nano, 1_767_225_661_500_000_000);
    assert_eq!(
        attr(&span.attributes, "cicd.pipeline.task.run.id"),
        &Value::StringValue("9911".into())
    );
    assert_eq!(span.dropped_attributes_count, 4);
    assert_eq!(span.dropped_events_count, 6);
    assert_eq!(span.dropped_links_count, 8);
    let status = span.status.as_ref().expect("status");
    assert_eq!(
        (status.message.as_str(), status.code),
        ("exit code 2", StatusCode::Error as i32)
    );

    let event = &span.events[0];
    assert_eq!(event.time_unix_nano, 1_767_225_630_000_000_000);
    assert_eq!(event.name, "step started");
    assert_eq!(attr(&event.attributes, "step.number"), &Value::IntValue(3));
    assert_eq!(event.dropped_attributes_count, 5);

    let link = &span.links[0];
    assert_eq!(hex(&link.trace_id), "00112233445566778899aabbccddeeff");
    assert_eq!(hex(&link.span_id), "fedcba9876543210");
    assert_eq!(link.trace_state, "vendor=linked");
    assert_eq!(
        attr(&link.attributes, "ciotel.link.reason"),
        &Value::StringValue("retry-of".into())
    );
    assert_eq!(link.dropped_attributes_count, 7);
    assert_eq!(link.flags, 1);
}

#[test]
fn decodes_defaults_for_absent_fields() {
    let req = decode_traces(TRACE_JSON.as_bytes()).expect("fixture decodes");
    let minimal = &req.resource_spans[0].scope_spans[0].spans[1];
    assert_eq!(minimal.kind, SpanKind::Internal as i32);
    assert!(minimal.parent_span_id.is_empty());
    assert!(minimal.attributes.is_empty() && minimal.events.is_empty() && minimal.links.is_empty());
    assert_eq!(
        minimal.status,
        Some(Default::default()),
        "`\"status\": {{}}` is a set, empty status"
    );

    let orphan = &req.resource_spans[1];
    assert_eq!(orphan.resource, None);
    assert_eq!(orphan.scope_spans[0].scope, None);
    assert_eq!(orphan.scope_spans[0].spans[0].name, "orphan");
    assert_eq!(orphan.scope_spans[0].spans[0].status, None);
}

#[test]
fn decodes_every_any_value_kind_and_resource_field() {
    let req = decode_traces(TRACE_JSON.as_bytes()).expect("fixture decodes");
    let resource = req.resource_spans[0].resource.as_ref().expect("resource");
    let attrs = &resource.attributes;
    assert_eq!(
        attr(attrs, "service.name"),
        &Value::StringValue("ciotel-runner".into())
    );
    assert_eq!(attr(attrs, "ciotel.ephemeral"), &Value::BoolValue(true));
    assert_eq!(
        attr(attrs, "host.cpu.count"),
        &Value::IntValue(9_007_199_254_740_993)
    );
    assert_eq!(attr(attrs, "host.load"), &Value::DoubleValue(0.875));
    let any = |v| AnyValue { value: Some(v) };
    assert_eq!(
        attr(attrs, "cicd.pipeline.stages"),
        &Value::ArrayValue(ArrayValue {
            values: vec![
                any(Value::StringValue("build".into())),
                any(Value::IntValue(-3)),
                any(Value::ArrayValue(ArrayValue {
                    values: vec![any(Value::BoolValue(false))]
                })),
            ]
        })
    );
    let Value::KvlistValue(kvlist) = attr(attrs, "vcs.ref") else {
        panic!("not a kvlist")
    };
    assert_eq!(
        attr(&kvlist.values, "name"),
        &Value::StringValue("main".into())
    );
    assert_eq!(attr(&kvlist.values, "depth"), &Value::DoubleValue(-1.5));
    assert_eq!(
        attr(attrs, "ciotel.digest"),
        &Value::BytesValue(vec![0xde, 0xad, 0xbe, 0xef])
    );
    let unset = attrs
        .iter()
        .find(|kv| kv.key == "ciotel.unset")
        .expect("ciotel.unset");
    assert_eq!(
        unset.value,
        Some(AnyValue { value: None }),
        "`{{}}` is an AnyValue with no value"
    );

    assert_eq!(resource.dropped_attributes_count, 2);
    let entity = &resource.entity_refs[0];
    assert_eq!(entity.schema_url, "https://opentelemetry.io/schemas/1.40.0");
    assert_eq!(entity.r#type, "service");
    assert_eq!(entity.id_keys, ["service.name", "service.namespace"]);
    assert_eq!(entity.description_keys, ["service.version"]);
}

#[test]
fn encodes_back_to_the_canonical_json() {
    let req = decode_traces(TRACE_JSON.as_bytes()).expect("fixture decodes");
    assert_canonical(&encode_traces(&req), TRACE_JSON);
}

#[test]
fn round_trips() {
    let req = decode_traces(TRACE_JSON.as_bytes()).expect("fixture decodes");
    assert_eq!(
        decode_traces(&encode_traces(&req)).expect("re-decodes"),
        req
    );
}
