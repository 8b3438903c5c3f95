//! The canonical logs example: every log record field and kind of body; decoded, re-encoded
//! identically, round-tripped.

use opentelemetry_proto::tonic::common::v1::AnyValue;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::logs::v1::SeverityNumber;

use super::{LOGS_JSON, assert_canonical, attr, hex};
use crate::json::{decode_logs, encode_logs};

#[test]
fn decodes_every_log_record_field() {
    let req = decode_logs(LOGS_JSON.as_bytes()).expect("fixture decodes");
    let rl = &req.resource_logs[0];
    let resource = rl.resource.as_ref().expect("resource");
    assert_eq!(
        attr(&resource.attributes, "service.name"),
        &Value::StringValue("ciotel-github".into())
    );
    assert_eq!(resource.dropped_attributes_count, 3);
    assert_eq!(rl.schema_url, "https://opentelemetry.io/schemas/1.41.0");
    let sl = &rl.scope_logs[0];
    let scope = sl.scope.as_ref().expect("scope");
    assert_eq!(
        (scope.name.as_str(), scope.version.as_str()),
        ("ciotel.github.webhook", "0.1.0")
    );
    assert_eq!(
        attr(&scope.attributes, "component"),
        &Value::StringValue("receiver".into())
    );
    assert_eq!(scope.dropped_attributes_count, 1);
    assert_eq!(sl.schema_url, "https://opentelemetry.io/schemas/1.40.0");

    let r = &sl.log_records[0];
    assert_eq!(r.time_unix_nano, 1_767_225_600_000_000_000);
    assert_eq!(r.observed_time_unix_nano, 1_767_225_600_250_000_000);
    assert_eq!(r.severity_number, SeverityNumber::Error as i32);
    assert_eq!(r.severity_text, "ERROR");
    assert_eq!(
        r.body.as_ref().and_then(|b| b.value.as_ref()),
        Some(&Value::StringValue("webhook signature mismatch".into()))
    );
    assert_eq!(
        attr(&r.attributes, "http.request.header.x-github-delivery"),
        &Value::StringValue("72d3162e".into())
    );
    assert_eq!(attr(&r.attributes, "attempt"), &Value::IntValue(2));
    assert_eq!(r.dropped_attributes_count, 4);
    assert_eq!(r.flags, 1);
    assert_eq!(hex(&r.trace_id), "5a5b5c5d5e5f60616263646566676869");
    assert_eq!(hex(&r.span_id), "7071727374757677");
    assert_eq!(r.event_name, "ciotel.webhook.rejected");
}

#[test]
fn decodes_structured_and_empty_bodies() {
    let req = decode_logs(LOGS_JSON.as_bytes()).expect("fixture decodes");
    let records = &req.resource_logs[0].scope_logs[0].log_records;
    let r = &records[1];
    assert_eq!(r.severity_number, SeverityNumber::Info as i32);
    assert_eq!(r.observed_time_unix_nano, 0);
    assert!(r.trace_id.is_empty() && r.span_id.is_empty());
    let Some(Value::KvlistValue(body)) = r.body.as_ref().and_then(|b| b.value.as_ref()) else {
        panic!("body is not a kvlist: {:?}", r.body)
    };
    assert_eq!(
        attr(&body.values, "run_id"),
        &Value::IntValue(123_456_789_012)
    );
    let Value::ArrayValue(steps) = attr(&body.values, "steps") else {
        panic!("steps not an array")
    };
    let steps: Vec<_> = steps.values.iter().map(|v| v.value.clone()).collect();
    assert_eq!(
        steps,
        [
            Some(Value::StringValue("lint".into())),
            Some(Value::DoubleValue(2.25))
        ]
    );
    assert_eq!(
        attr(&body.values, "raw"),
        &Value::BytesValue(vec![0, 1, 2, 255])
    );
    assert_eq!(attr(&body.values, "ok"), &Value::BoolValue(true));

    let empty = &records[2];
    assert_eq!(empty.body, Some(AnyValue { value: None }));
    assert_eq!(empty.time_unix_nano, 0);
    assert_eq!(empty.observed_time_unix_nano, 1_767_225_602_000_000_000);
}

#[test]
fn encodes_back_to_the_canonical_json() {
    let req = decode_logs(LOGS_JSON.as_bytes()).expect("fixture decodes");
    assert_canonical(&encode_logs(&req), LOGS_JSON);
}

#[test]
fn round_trips() {
    let req = decode_logs(LOGS_JSON.as_bytes()).expect("fixture decodes");
    assert_eq!(decode_logs(&encode_logs(&req)).expect("re-decodes"), req);
}
