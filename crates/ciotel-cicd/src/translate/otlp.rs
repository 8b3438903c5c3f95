//! Small builders for OTLP protobuf values: attributes and spans.

use opentelemetry_proto::tonic::common::v1::{AnyValue, ArrayValue, KeyValue, any_value::Value};
use opentelemetry_proto::tonic::trace::v1::span::{Link, SpanKind};
use opentelemetry_proto::tonic::trace::v1::{Span, Status};

use super::timing::Interval;
use crate::event::{AttrValue, Attribute};
use crate::ids::{SpanId, TraceId};
use crate::semconv;

/// An attribute list under construction; absent values are skipped.
#[derive(Default)]
pub(super) struct Attrs(Vec<KeyValue>);

impl Attrs {
    pub(super) fn str(mut self, key: &str, value: Option<&str>) -> Self {
        if let Some(v) = value {
            self.0.push(kv(key, Value::StringValue(v.to_owned())));
        }
        self
    }

    pub(super) fn int(mut self, key: &str, value: Option<i64>) -> Self {
        if let Some(v) = value {
            self.0.push(kv(key, Value::IntValue(v)));
        }
        self
    }

    pub(super) fn bool(mut self, key: &str, value: Option<bool>) -> Self {
        if let Some(v) = value {
            self.0.push(kv(key, Value::BoolValue(v)));
        }
        self
    }

    pub(super) fn strs(mut self, key: &str, values: &[String]) -> Self {
        if !values.is_empty() {
            self.0.push(kv(key, string_array(values)));
        }
        self
    }

    /// `ciotel.timing.adjusted = true` when the interval was clamped.
    pub(super) fn adjusted(mut self, interval: Interval) -> Self {
        if interval.adjusted {
            self.0
                .push(kv(semconv::CIOTEL_TIMING_ADJUSTED, Value::BoolValue(true)));
        }
        self
    }

    /// Platform extras last, so the well-known attributes come first in every span.
    pub(super) fn extra(mut self, extras: &[Attribute]) -> Self {
        for a in extras {
            self.0.push(kv(&a.key, value(&a.value)));
        }
        self
    }

    pub(super) fn build(self) -> Vec<KeyValue> {
        self.0
    }
}

fn kv(key: &str, v: Value) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue { value: Some(v) }),
        ..Default::default()
    }
}

fn string_array(values: &[String]) -> Value {
    Value::ArrayValue(ArrayValue {
        values: values
            .iter()
            .map(|v| AnyValue {
                value: Some(Value::StringValue(v.clone())),
            })
            .collect(),
    })
}

fn value(v: &AttrValue) -> Value {
    match v {
        AttrValue::Bool(b) => Value::BoolValue(*b),
        AttrValue::Int(i) => Value::IntValue(*i),
        AttrValue::Str(s) => Value::StringValue(s.clone()),
        AttrValue::StrArray(a) => string_array(a),
    }
}

/// Everything a span needs; `build` fills the OTLP struct.
pub(super) struct SpanParts {
    pub trace: TraceId,
    pub id: SpanId,
    pub parent: Option<SpanId>,
    pub name: String,
    pub kind: SpanKind,
    pub time: Interval,
    pub attributes: Vec<KeyValue>,
    pub status: Status,
    pub links: Vec<Link>,
}

impl SpanParts {
    pub(super) fn build(self) -> Span {
        Span {
            trace_id: self.trace.0.to_vec(),
            span_id: self.id.0.to_vec(),
            parent_span_id: self.parent.map(|p| p.0.to_vec()).unwrap_or_default(),
            name: self.name,
            kind: self.kind as i32,
            start_time_unix_nano: self.time.start.as_unix_nanos(),
            end_time_unix_nano: self.time.end.as_unix_nanos(),
            attributes: self.attributes,
            status: Some(self.status),
            links: self.links,
            ..Default::default()
        }
    }
}

/// A link to another trace's span, with attributes saying why.
pub(super) fn link(trace: TraceId, span: SpanId, attributes: Vec<KeyValue>) -> Link {
    Link {
        trace_id: trace.0.to_vec(),
        span_id: span.0.to_vec(),
        attributes,
        ..Default::default()
    }
}
