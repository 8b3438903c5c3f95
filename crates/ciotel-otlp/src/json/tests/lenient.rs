//! Inputs the spec allows besides the canonical form: proto (snake_case) names, numbers for
//! 64-bit integers, strings for 32-bit ones, upper-case hex, enum names, `null`, unknown keys,
//! URL-safe or unpadded base64, and non-finite doubles in every double field.

use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::metrics::v1::{metric::Data, number_data_point};

use super::{LOGS_JSON, METRICS_JSON, TRACE_JSON, attr};
use crate::json::{decode_logs, decode_metrics, decode_traces};

#[test]
fn snake_case_names_decode_like_camel_case() {
    let snake = r#"{"resource_spans":[{"scope_spans":[{"spans":[{
        "trace_id":"7d1e0b9a5c3f4e2a8b6c0d1e2f3a4b5c","span_id":"a1b2c3d4e5f60718",
        "parent_span_id":"0102030405060708","start_time_unix_nano":"5","end_time_unix_nano":"6",
        "dropped_attributes_count":1,"attributes":[{"key":"k","value":{"kvlist_value":{"values":[
        {"key":"b","value":{"bytes_value":"AQ=="}}]}}}]}]}]}]}"#;
    let camel = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{
        "traceId":"7d1e0b9a5c3f4e2a8b6c0d1e2f3a4b5c","spanId":"a1b2c3d4e5f60718",
        "parentSpanId":"0102030405060708","startTimeUnixNano":"5","endTimeUnixNano":"6",
        "droppedAttributesCount":1,"attributes":[{"key":"k","value":{"kvlistValue":{"values":[
        {"key":"b","value":{"bytesValue":"AQ=="}}]}}}]}]}]}]}"#;
    let from_snake = decode_traces(snake.as_bytes()).expect("snake_case decodes");
    assert_eq!(
        from_snake,
        decode_traces(camel.as_bytes()).expect("camelCase decodes")
    );
    assert_eq!(
        from_snake.resource_spans[0].scope_spans[0].spans[0].end_time_unix_nano,
        6
    );

    let metrics = r#"{"resource_metrics":[{"scope_metrics":[{"metrics":[{"name":"e",
        "exponential_histogram":{"aggregation_temporality":1,"data_points":[{"zero_count":"3",
        "zero_threshold":0.5}]}}]}]}]}"#;
    let req = decode_metrics(metrics.as_bytes()).expect("snake_case metrics decode");
    let Some(Data::ExponentialHistogram(h)) =
        &req.resource_metrics[0].scope_metrics[0].metrics[0].data
    else {
        panic!("exponential_histogram was dropped")
    };
    assert_eq!(
        (h.aggregation_temporality, h.data_points[0].zero_count),
        (1, 3)
    );
}

#[test]
fn integers_as_numbers_or_strings() {
    let json = r#"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"h","histogram":{
        "aggregationTemporality":"2","dataPoints":[{"timeUnixNano":1767225600000000000,
        "count":18446744073709551615,"bucketCounts":[1,"2",3e0],"flags":"1"}]}},
        {"name":"g","gauge":{"dataPoints":[{"asInt":-9223372036854775808}]}}]}]}]}"#;
    let req = decode_metrics(json.as_bytes()).expect("decodes");
    let metrics = &req.resource_metrics[0].scope_metrics[0].metrics;
    let Some(Data::Histogram(h)) = &metrics[0].data else {
        panic!("histogram dropped")
    };
    assert_eq!(h.aggregation_temporality, 2);
    let p = &h.data_points[0];
    assert_eq!(
        (p.time_unix_nano, p.count, p.flags),
        (1_767_225_600_000_000_000, u64::MAX, 1)
    );
    assert_eq!(p.bucket_counts, [1, 2, 3]);
    let Some(Data::Gauge(g)) = &metrics[1].data else {
        panic!("gauge dropped")
    };
    assert_eq!(
        g.data_points[0].value,
        Some(number_data_point::Value::AsInt(i64::MIN))
    );
}

#[test]
fn hex_ids_in_upper_case() {
    let json = r#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{
        "traceId":"5A5B5C5D5E5F60616263646566676869","spanId":"7071727374757677"}]}]}]}"#;
    let req = decode_logs(json.as_bytes()).expect("decodes");
    let r = &req.resource_logs[0].scope_logs[0].log_records[0];
    assert_eq!(r.trace_id[..2], [0x5a, 0x5b]);
    assert_eq!(r.span_id.len(), 8);
}

#[test]
fn enums_by_name() {
    let json = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"SPAN_KIND_CONSUMER",
        "status":{"code":"STATUS_CODE_OK"}}]}]}]}"#;
    let span = &decode_traces(json.as_bytes())
        .expect("decodes")
        .resource_spans[0]
        .scope_spans[0]
        .spans[0];
    assert_eq!(
        (span.kind, span.status.as_ref().map(|s| s.code)),
        (5, Some(1))
    );
    let logs = r#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":"SEVERITY_NUMBER_WARN"}]}]}]}"#;
    let req = decode_logs(logs.as_bytes()).expect("decodes");
    assert_eq!(
        req.resource_logs[0].scope_logs[0].log_records[0].severity_number,
        13
    );
    let metrics = r#"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"sum":{
        "aggregationTemporality":"AGGREGATION_TEMPORALITY_DELTA"}}]}]}]}"#;
    let req = decode_metrics(metrics.as_bytes()).expect("decodes");
    let Some(Data::Sum(sum)) = &req.resource_metrics[0].scope_metrics[0].metrics[0].data else {
        panic!("sum dropped")
    };
    assert_eq!(sum.aggregation_temporality, 1);
}

#[test]
fn null_means_not_set() {
    let json = r#"{"resourceSpans":[{"resource":null,"schemaUrl":null,"scopeSpans":[{"scope":null,
        "spans":[{"traceId":null,"name":null,"kind":null,"attributes":null,"status":null,
        "startTimeUnixNano":null}]}]}]}"#;
    let req = decode_traces(json.as_bytes()).expect("decodes");
    let rs = &req.resource_spans[0];
    assert_eq!((rs.resource.as_ref(), rs.schema_url.as_str()), (None, ""));
    assert_eq!(rs.scope_spans[0].spans[0], Default::default());
}

#[test]
fn unknown_fields_are_ignored() {
    let with_extras = TRACE_JSON.replacen(
        "\"resourceSpans\": [",
        "\"future\": {\"nested\": [1, {\"x\": null}]}, \"resourceSpans\": [",
        1,
    );
    let with_extras = with_extras.replace(
        "\"name\": \"job build\",",
        "\"name\": \"job build\", \"x-vendor\": [true],",
    );
    assert_ne!(with_extras, TRACE_JSON);
    assert_eq!(
        decode_traces(with_extras.as_bytes()).expect("decodes"),
        decode_traces(TRACE_JSON.as_bytes()).expect("decodes")
    );
    // Unknown members of every message kind, including the oneof holders.
    let metrics = METRICS_JSON.replace(
        "\"asDouble\": 12.75,",
        "\"asDouble\": 12.75, \"asFloat128\": \"1\",",
    );
    assert_ne!(metrics, METRICS_JSON);
    assert_eq!(
        decode_metrics(metrics.as_bytes()).expect("decodes"),
        decode_metrics(METRICS_JSON.as_bytes()).expect("decodes")
    );
    let logs = LOGS_JSON.replace("\"body\": {}", "\"body\": { \"colour\": 1 }");
    assert_ne!(logs, LOGS_JSON);
    assert_eq!(
        decode_logs(logs.as_bytes()).expect("decodes"),
        decode_logs(LOGS_JSON.as_bytes()).expect("decodes")
    );
}

#[test]
fn base64_url_safe_and_unpadded() {
    let json = r#"{"resourceSpans":[{"resource":{"attributes":[
        {"key":"std","value":{"bytesValue":"+/8="}},{"key":"url","value":{"bytesValue":"-_8"}},
        {"key":"raw","value":{"bytesValue":"+/8"}},{"key":"empty","value":{"bytesValue":""}}]}}]}"#;
    let req = decode_traces(json.as_bytes()).expect("decodes");
    let attrs = &req.resource_spans[0]
        .resource
        .as_ref()
        .expect("resource")
        .attributes;
    for key in ["std", "url", "raw"] {
        assert_eq!(
            attr(attrs, key),
            &Value::BytesValue(vec![0xfb, 0xff]),
            "{key}"
        );
    }
    assert_eq!(attr(attrs, "empty"), &Value::BytesValue(vec![]));
}

#[test]
fn non_finite_doubles_in_every_double_field() {
    let json = r#"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[
        {"gauge":{"dataPoints":[{"asDouble":"NaN","exemplars":[{"asDouble":"-Infinity"}]}]}},
        {"histogram":{"dataPoints":[{"sum":"NaN","min":"-Infinity","max":"Infinity",
          "explicitBounds":["-Infinity",1.5,"Infinity"]}]}},
        {"exponentialHistogram":{"dataPoints":[{"sum":"Infinity","zeroThreshold":"NaN"}]}},
        {"summary":{"dataPoints":[{"sum":"NaN","quantileValues":[{"quantile":"NaN","value":"-Infinity"}]}]}}
    ]}]}]}"#;
    let req = decode_metrics(json.as_bytes()).expect("decodes");
    let m = &req.resource_metrics[0].scope_metrics[0].metrics;
    let Some(Data::Gauge(g)) = &m[0].data else {
        panic!("gauge dropped")
    };
    assert!(
        matches!(g.data_points[0].value, Some(number_data_point::Value::AsDouble(v)) if v.is_nan())
    );
    assert!(
        matches!(g.data_points[0].exemplars[0].value, Some(opentelemetry_proto::tonic::metrics::v1::exemplar::Value::AsDouble(v)) if v == f64::NEG_INFINITY)
    );
    let Some(Data::Histogram(h)) = &m[1].data else {
        panic!("histogram dropped")
    };
    let p = &h.data_points[0];
    assert!(p.sum.is_some_and(f64::is_nan));
    assert_eq!(
        (p.min, p.max),
        (Some(f64::NEG_INFINITY), Some(f64::INFINITY))
    );
    assert_eq!(p.explicit_bounds, [f64::NEG_INFINITY, 1.5, f64::INFINITY]);
    let Some(Data::ExponentialHistogram(e)) = &m[2].data else {
        panic!("exp dropped")
    };
    assert_eq!(e.data_points[0].sum, Some(f64::INFINITY));
    assert!(e.data_points[0].zero_threshold.is_nan());
    let Some(Data::Summary(s)) = &m[3].data else {
        panic!("summary dropped")
    };
    assert!(s.data_points[0].sum.is_nan());
    let q = s.data_points[0].quantile_values[0];
    assert!(q.quantile.is_nan() && q.value == f64::NEG_INFINITY);

    let logs =
        r#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"doubleValue":"NaN"}}]}]}]}"#;
    let req = decode_logs(logs.as_bytes()).expect("decodes");
    let body = &req.resource_logs[0].scope_logs[0].log_records[0].body;
    assert!(
        matches!(body.as_ref().and_then(|b| b.value.as_ref()), Some(Value::DoubleValue(v)) if v.is_nan())
    );
}
