//! Tests of the OTLP/JSON codec, against canonical examples of all three signals written for
//! ciotel in the shape of opentelemetry-proto's `examples/*.json` (fixtures/), plus the lenient
//! inputs the spec allows, the Collector's output style, error messages, and what we found
//! broken in opentelemetry-proto's own serde support.

mod encode_style;
mod errors;
mod lenient;
mod logs;
mod metrics;
mod props;
mod trace;
mod upstream;

use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::common::v1::any_value::Value;

/// Canonical traces request: every field of every trace message, every AnyValue kind.
const TRACE_JSON: &str = include_str!("fixtures/trace.json");
/// Canonical metrics request: all five metric types, asInt and asDouble, exemplars.
const METRICS_JSON: &str = include_str!("fixtures/metrics.json");
/// Canonical logs request: every log record field, every kind of body.
const LOGS_JSON: &str = include_str!("fixtures/logs.json");

/// The value of attribute `key`, failing the test when it is missing or empty.
fn attr<'a>(attrs: &'a [KeyValue], key: &str) -> &'a Value {
    attrs
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(|v| v.value.as_ref())
        .unwrap_or_else(|| panic!("attribute {key} missing or empty"))
}

/// Asserts `encoded` is one compact line that is the same JSON as the canonical `fixture`
/// (member order and whitespace aside).
fn assert_canonical(encoded: &[u8], fixture: &str) {
    let text = std::str::from_utf8(encoded).expect("encoder writes UTF-8");
    assert!(!text.contains('\n'), "not one line: {text}");
    assert!(
        text.starts_with('{') && text.ends_with('}'),
        "not one object: {text}"
    );
    let got: serde_json::Value = serde_json::from_str(text).expect("encoder writes valid JSON");
    let want: serde_json::Value = serde_json::from_str(fixture).expect("fixture is valid JSON");
    assert_eq!(got, want, "encoded:\n{text}");
}

/// Hex of the ids in assertions, for readable failures.
fn hex(id: &[u8]) -> String {
    ::hex::encode(id)
}
