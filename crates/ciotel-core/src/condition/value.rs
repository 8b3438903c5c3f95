//! Values as a condition sees them: borrowed from the telemetry (no copy), compared by OTTL's
//! rules, and the named constants OTTL writes for enums.

use super::ast::CmpOp;
use opentelemetry_proto::tonic::common::v1::{AnyValue, any_value};
use std::cmp::Ordering;

/// A value read from a span, log record … or written in the condition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    /// Absent: a missing attribute, an unset body.
    Nil,
    Str(&'a str),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// Bytes, arrays and maps: equal to nothing a condition can write.
    Other,
}

impl<'a> ValueRef<'a> {
    /// An OTLP value as a condition sees it.
    pub fn of(value: Option<&'a AnyValue>) -> ValueRef<'a> {
        use any_value::Value as V;
        match value.and_then(|v| v.value.as_ref()) {
            None => ValueRef::Nil,
            Some(V::StringValue(s)) => ValueRef::Str(s),
            Some(V::IntValue(i)) => ValueRef::Int(*i),
            Some(V::DoubleValue(d)) => ValueRef::Float(*d),
            Some(V::BoolValue(b)) => ValueRef::Bool(*b),
            Some(_) => ValueRef::Other,
        }
    }

    /// `self op other`, by OTTL's rules: values of different types are not equal (ints and
    /// floats compare as numbers), `nil` equals only `nil`, and only two numbers or two strings
    /// have an order.
    pub fn compare(self, op: CmpOp, other: ValueRef<'_>) -> bool {
        match op {
            CmpOp::Eq => self.equals(other),
            CmpOp::Ne => !self.equals(other),
            CmpOp::Lt => self.order(other) == Some(Ordering::Less),
            CmpOp::Le => matches!(self.order(other), Some(Ordering::Less | Ordering::Equal)),
            CmpOp::Gt => self.order(other) == Some(Ordering::Greater),
            CmpOp::Ge => matches!(self.order(other), Some(Ordering::Greater | Ordering::Equal)),
        }
    }

    fn equals(self, other: ValueRef<'_>) -> bool {
        use ValueRef as V;
        match (self, other) {
            (V::Nil, V::Nil) => true,
            (V::Str(a), V::Str(b)) => a == b,
            (V::Bool(a), V::Bool(b)) => a == b,
            (V::Int(a), V::Int(b)) => a == b,
            (V::Int(a), V::Float(b)) | (V::Float(b), V::Int(a)) => (a as f64) == b,
            (V::Float(a), V::Float(b)) => a == b,
            _ => false,
        }
    }

    fn order(self, other: ValueRef<'_>) -> Option<Ordering> {
        use ValueRef as V;
        match (self, other) {
            (V::Str(a), V::Str(b)) => Some(a.cmp(b)),
            (V::Int(a), V::Int(b)) => Some(a.cmp(&b)),
            (V::Int(a), V::Float(b)) => (a as f64).partial_cmp(&b),
            (V::Float(a), V::Int(b)) => a.partial_cmp(&(b as f64)),
            (V::Float(a), V::Float(b)) => a.partial_cmp(&b),
            _ => None,
        }
    }

    /// Whether `regex` matches the value's text; numbers and booleans are matched as text
    /// (the only case that allocates), `nil` and composite values never match.
    pub fn is_match(self, regex: &regex::Regex) -> bool {
        match self {
            ValueRef::Str(s) => regex.is_match(s),
            ValueRef::Int(i) => regex.is_match(&i.to_string()),
            ValueRef::Float(x) => regex.is_match(&x.to_string()),
            ValueRef::Bool(b) => regex.is_match(if b { "true" } else { "false" }),
            ValueRef::Nil | ValueRef::Other => false,
        }
    }
}

/// The constants OTTL writes for OTLP enums (opentelemetry-proto `trace.proto`, `logs.proto`),
/// with their numbers.
pub const CONSTANTS: &[(&str, i64)] = &[
    ("SPAN_KIND_UNSPECIFIED", 0),
    ("SPAN_KIND_INTERNAL", 1),
    ("SPAN_KIND_SERVER", 2),
    ("SPAN_KIND_CLIENT", 3),
    ("SPAN_KIND_PRODUCER", 4),
    ("SPAN_KIND_CONSUMER", 5),
    ("STATUS_CODE_UNSET", 0),
    ("STATUS_CODE_OK", 1),
    ("STATUS_CODE_ERROR", 2),
    ("SEVERITY_NUMBER_UNSPECIFIED", 0),
    ("SEVERITY_NUMBER_TRACE", 1),
    ("SEVERITY_NUMBER_TRACE2", 2),
    ("SEVERITY_NUMBER_TRACE3", 3),
    ("SEVERITY_NUMBER_TRACE4", 4),
    ("SEVERITY_NUMBER_DEBUG", 5),
    ("SEVERITY_NUMBER_DEBUG2", 6),
    ("SEVERITY_NUMBER_DEBUG3", 7),
    ("SEVERITY_NUMBER_DEBUG4", 8),
    ("SEVERITY_NUMBER_INFO", 9),
    ("SEVERITY_NUMBER_INFO2", 10),
    ("SEVERITY_NUMBER_INFO3", 11),
    ("SEVERITY_NUMBER_INFO4", 12),
    ("SEVERITY_NUMBER_WARN", 13),
    ("SEVERITY_NUMBER_WARN2", 14),
    ("SEVERITY_NUMBER_WARN3", 15),
    ("SEVERITY_NUMBER_WARN4", 16),
    ("SEVERITY_NUMBER_ERROR", 17),
    ("SEVERITY_NUMBER_ERROR2", 18),
    ("SEVERITY_NUMBER_ERROR3", 19),
    ("SEVERITY_NUMBER_ERROR4", 20),
    ("SEVERITY_NUMBER_FATAL", 21),
    ("SEVERITY_NUMBER_FATAL2", 22),
    ("SEVERITY_NUMBER_FATAL3", 23),
    ("SEVERITY_NUMBER_FATAL4", 24),
];

/// The number of constant `name`, if OTTL has one by that name.
pub fn enum_value(name: &str) -> Option<i64> {
    CONSTANTS.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}
