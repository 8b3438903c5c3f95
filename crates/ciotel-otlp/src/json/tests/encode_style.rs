//! The Collector's output style: defaults left out (no `null`, no zeros, no empty arrays or
//! strings), `{}` for an empty AnyValue, oneof members written even when zero, 64-bit integers
//! as strings, non-finite doubles as strings; and exact round trips of what we write.

use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsPartialSuccess, ExportLogsServiceRequest, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsPartialSuccess, ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
use opentelemetry_proto::tonic::metrics::v1::{
    Histogram, HistogramDataPoint, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, Sum,
    metric::Data, number_data_point,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};

use super::{LOGS_JSON, METRICS_JSON, TRACE_JSON};
use crate::json::*;

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("encoder writes UTF-8")
}

fn traces_with(span: Span, resource: Option<Resource>) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource,
            scope_spans: vec![ScopeSpans {
                spans: vec![span],
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

fn metrics_with(metric: Metric) -> ExportMetricsServiceRequest {
    ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            scope_metrics: vec![ScopeMetrics {
                metrics: vec![metric],
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

#[test]
fn default_fields_are_left_out() {
    let traces = traces_with(Span::default(), None);
    assert_eq!(
        text(encode_traces(&traces)),
        r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{}]}]}]}"#
    );

    let metric = Metric {
        name: "m".into(),
        data: Some(Data::Sum(Sum {
            data_points: vec![NumberDataPoint::default()],
            ..Default::default()
        })),
        ..Default::default()
    };
    assert_eq!(
        text(encode_metrics(&metrics_with(metric))),
        r#"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","sum":{"dataPoints":[{}]}}]}]}]}"#
    );

    let logs = ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            scope_logs: vec![ScopeLogs {
                log_records: vec![LogRecord::default()],
                ..Default::default()
            }],
            ..Default::default()
        }],
    };
    assert_eq!(
        text(encode_logs(&logs)),
        r#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{}]}]}]}"#
    );
    assert_eq!(text(encode_traces(&Default::default())), "{}");
}

#[test]
fn set_but_empty_messages_are_written_as_empty_objects() {
    let span = Span {
        status: Some(Default::default()),
        ..Default::default()
    };
    let req = traces_with(span, Some(Resource::default()));
    let json = text(encode_traces(&req));
    assert_eq!(
        json,
        r#"{"resourceSpans":[{"resource":{},"scopeSpans":[{"spans":[{"status":{}}]}]}]}"#
    );
    assert_eq!(decode_traces(json.as_bytes()).expect("decodes"), req);
}

#[test]
fn encoded_fixtures_hold_no_nulls_zeros_or_empties() {
    let encoded = [
        encode_traces(&decode_traces(TRACE_JSON.as_bytes()).expect("decodes")),
        encode_metrics(&decode_metrics(METRICS_JSON.as_bytes()).expect("decodes")),
        encode_logs(&decode_logs(LOGS_JSON.as_bytes()).expect("decodes")),
    ];
    for json in encoded.map(text) {
        let absent = [
            "null",
            "\"droppedAttributesCount\":0",
            ":0,",
            ":0}",
            "[]",
            "\"\"",
            "Nano\":\"0\"",
        ];
        for needle in absent {
            assert!(!json.contains(needle), "found {needle} in {json}");
        }
    }
}

#[test]
fn oneof_members_are_written_even_when_zero_and_an_empty_any_value_is_braces() {
    let kv = |key: &str, value: Option<Value>| KeyValue {
        key: key.into(),
        value: Some(AnyValue { value }),
        key_strindex: 0,
    };
    let resource = Resource {
        attributes: vec![
            kv("s", Some(Value::StringValue(String::new()))),
            kv("b", Some(Value::BoolValue(false))),
            kv("i", Some(Value::IntValue(0))),
            kv("d", Some(Value::DoubleValue(0.0))),
            kv("a", Some(Value::ArrayValue(Default::default()))),
            kv("k", Some(Value::KvlistValue(Default::default()))),
            kv("y", Some(Value::BytesValue(Vec::new()))),
            kv("x", Some(Value::StringValueStrindex(0))),
            kv("e", None),
            KeyValue {
                key: "n".into(),
                value: None,
                key_strindex: 0,
            },
        ],
        ..Default::default()
    };
    let req = traces_with(Span::default(), Some(resource));
    let json = text(encode_traces(&req));
    assert_eq!(
        json,
        concat!(
            r#"{"resourceSpans":[{"resource":{"attributes":["#,
            r#"{"key":"s","value":{"stringValue":""}},{"key":"b","value":{"boolValue":false}},"#,
            r#"{"key":"i","value":{"intValue":"0"}},{"key":"d","value":{"doubleValue":0.0}},"#,
            r#"{"key":"a","value":{"arrayValue":{}}},{"key":"k","value":{"kvlistValue":{}}},"#,
            r#"{"key":"y","value":{"bytesValue":""}},{"key":"x","value":{"stringValueStrindex":0}},"#,
            r#"{"key":"e","value":{}},{"key":"n"}]},"scopeSpans":[{"spans":[{}]}]}]}"#
        )
    );
    assert_eq!(decode_traces(json.as_bytes()).expect("decodes"), req);
}

#[test]
fn ids_are_lower_hex_enums_numbers_and_64_bit_ints_strings() {
    let span = Span {
        trace_id: vec![0xAB; 16],
        span_id: vec![0xCD; 8],
        kind: 3,
        start_time_unix_nano: u64::MAX,
        flags: 0x100,
        ..Default::default()
    };
    let json = text(encode_traces(&traces_with(span, None)));
    assert!(
        json.contains(
            r#""traceId":"abababababababababababababababab","spanId":"cdcdcdcdcdcdcdcd""#
        ),
        "{json}"
    );
    assert!(
        json.contains(r#""flags":256,"kind":3,"startTimeUnixNano":"18446744073709551615""#),
        "{json}"
    );
}

#[test]
fn non_finite_doubles_are_strings_and_round_trip() {
    let point = |v| NumberDataPoint {
        value: Some(number_data_point::Value::AsDouble(v)),
        ..Default::default()
    };
    let metric = Metric {
        data: Some(Data::Sum(Sum {
            data_points: vec![
                point(f64::NAN),
                point(f64::INFINITY),
                point(f64::NEG_INFINITY),
            ],
            ..Default::default()
        })),
        ..Default::default()
    };
    let req = metrics_with(metric);
    let json = text(encode_metrics(&req));
    assert!(
        json.contains(r#"[{"asDouble":"NaN"},{"asDouble":"Infinity"},{"asDouble":"-Infinity"}]"#),
        "{json}"
    );
    let back = decode_metrics(json.as_bytes()).expect("decodes");
    // NaN != NaN, so compare the debug forms, which print NaN alike.
    assert_eq!(format!("{back:?}"), format!("{req:?}"));
}

#[test]
fn doubles_round_trip_bit_for_bit() {
    let bounds = vec![
        0.1 + 0.2,
        1.0715660391465826e-75,
        -1.81996730402717e-179,
        -1.603964615428183e143,
        f64::MAX,
        f64::MIN_POSITIVE,
        5e-324,
        -0.0,
        1.0 / 3.0,
    ];
    let metric = Metric {
        data: Some(Data::Histogram(Histogram {
            data_points: vec![HistogramDataPoint {
                explicit_bounds: bounds.clone(),
                min: Some(-0.0),
                ..Default::default()
            }],
            ..Default::default()
        })),
        ..Default::default()
    };
    let back = decode_metrics(&encode_metrics(&metrics_with(metric))).expect("decodes");
    let Some(Data::Histogram(h)) = &back.resource_metrics[0].scope_metrics[0].metrics[0].data
    else {
        panic!("histogram dropped")
    };
    let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&h.data_points[0].explicit_bounds), bits(&bounds));
    assert_eq!(
        h.data_points[0].min.map(f64::to_bits),
        Some((-0.0f64).to_bits())
    );
}

#[test]
fn strings_with_escapes_and_unicode_round_trip() {
    let name = "step \"lint\"\\n\n\ttab\u{1}\u{7f} ✓ 🚀 \u{2028}";
    let req = traces_with(
        Span {
            name: name.into(),
            ..Default::default()
        },
        None,
    );
    let json = encode_traces(&req);
    assert!(!json.contains(&b'\n'));
    assert_eq!(decode_traces(&json).expect("decodes"), req);
}

#[test]
fn profile_string_table_indices_round_trip() {
    let kv = KeyValue {
        key: String::new(),
        value: Some(AnyValue {
            value: Some(Value::StringValueStrindex(7)),
        }),
        key_strindex: 4,
    };
    let req = traces_with(
        Span {
            attributes: vec![kv],
            ..Default::default()
        },
        None,
    );
    let json = text(encode_traces(&req));
    assert!(
        json.contains(r#"{"value":{"stringValueStrindex":7},"keyStrindex":4}"#),
        "{json}"
    );
    assert_eq!(decode_traces(json.as_bytes()).expect("decodes"), req);
}

#[test]
fn responses_in_the_collector_style() {
    assert_eq!(text(encode_trace_response(&Default::default())), "{}");
    let traces = ExportTraceServiceResponse {
        partial_success: Some(ExportTracePartialSuccess {
            rejected_spans: 3,
            error_message: "queue full".into(),
        }),
    };
    let json = text(encode_trace_response(&traces));
    assert_eq!(
        json,
        r#"{"partialSuccess":{"rejectedSpans":"3","errorMessage":"queue full"}}"#
    );
    assert_eq!(
        decode_trace_response(json.as_bytes()).expect("decodes"),
        traces
    );

    let metrics = ExportMetricsServiceResponse {
        partial_success: Some(ExportMetricsPartialSuccess {
            rejected_data_points: 9_000_000_000,
            error_message: String::new(),
        }),
    };
    let json = text(encode_metrics_response(&metrics));
    assert_eq!(
        json,
        r#"{"partialSuccess":{"rejectedDataPoints":"9000000000"}}"#
    );
    assert_eq!(
        decode_metrics_response(json.as_bytes()).expect("decodes"),
        metrics
    );

    let logs = ExportLogsServiceResponse {
        partial_success: Some(Default::default()),
    };
    let json = text(encode_logs_response(&logs));
    assert_eq!(json, r#"{"partialSuccess":{}}"#);
    assert_eq!(
        decode_logs_response(json.as_bytes()).expect("decodes"),
        logs
    );
    let numeric = br#"{"partialSuccess":{"rejectedLogRecords":2,"errorMessage":"bad"}}"#;
    assert_eq!(
        decode_logs_response(numeric)
            .expect("decodes")
            .partial_success,
        Some(ExportLogsPartialSuccess {
            rejected_log_records: 2,
            error_message: "bad".into()
        })
    );
}
