//! Inputs the property tests and fuzzing found, minimised, each with what it broke.

use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};

use super::support::processor;
use crate::ownership::names;
use crate::ownership::span_view::span_attr;

/// A span carrying `ciotel.owner` with no value got a second `ciotel.owner` appended (OTLP
/// attribute keys must be unique) and readers, which take the first, still saw no owner.
#[test]
fn a_valueless_owner_key_is_replaced_not_duplicated() {
    let mut groups = vec![ResourceSpans {
        scope_spans: vec![ScopeSpans {
            spans: vec![Span {
                trace_id: vec![0; 16],
                attributes: vec![KeyValue {
                    key: names::OWNER.into(),
                    value: None,
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        }],
        ..Default::default()
    }];
    processor("").process(&mut groups);
    let span = &groups[0].scope_spans[0].spans[0];
    let owners = span
        .attributes
        .iter()
        .filter(|kv| kv.key == names::OWNER)
        .count();
    assert_eq!(owners, 1, "{:?}", span.attributes);
    assert_eq!(
        span_attr(span, names::OWNER).as_deref(),
        Some("application")
    );
}
