//! What opentelemetry-proto 0.33's own `with-serde` support gets wrong, pinned so that an
//! upgrade that fixes it shows up here (and the codec can be reconsidered). Each test asserts
//! the upstream behaviour and that our codec does it right.

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::metrics::v1::{
    Gauge, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, metric::Data, number_data_point,
};

use crate::json::{decode_metrics, decode_trace_response, decode_traces, encode_trace_response};

fn upstream<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, serde_json::Error> {
    serde_json::from_str(json)
}

fn first_metric(req: &ExportMetricsServiceRequest) -> &Metric {
    &req.resource_metrics[0].scope_metrics[0].metrics[0]
}

#[test]
fn upstream_drops_a_metrics_data_when_anything_inside_fails() {
    // `Metric.data` is a flattened oneof: an error inside it is swallowed and the whole data
    // (every data point) becomes "not set".
    let json = r#"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"h",
        "histogram":{"dataPoints":[{"count":"1","sum":"NaN"}]}}]}]}]}"#;
    let theirs: ExportMetricsServiceRequest = upstream(json).expect("upstream accepts it");
    assert_eq!(first_metric(&theirs).data, None);
    let ours = decode_metrics(json.as_bytes()).expect("ours decodes it");
    assert!(
        matches!(&first_metric(&ours).data, Some(Data::Histogram(h)) if h.data_points[0].sum.is_some_and(f64::is_nan))
    );
}

#[test]
fn upstream_drops_an_invalid_as_int_silently() {
    let json = r#"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"gauge":{"dataPoints":[{"asInt":"12x"}]}}]}]}]}"#;
    let theirs: ExportMetricsServiceRequest = upstream(json).expect("upstream accepts it");
    let Some(Data::Gauge(g)) = &first_metric(&theirs).data else {
        panic!("gauge gone entirely")
    };
    assert_eq!(g.data_points[0].value, None);
    assert!(decode_metrics(json.as_bytes()).is_err());
}

#[test]
fn upstream_turns_non_finite_as_double_into_null_and_then_into_nothing() {
    let req = ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            scope_metrics: vec![ScopeMetrics {
                metrics: vec![Metric {
                    data: Some(Data::Gauge(Gauge {
                        data_points: vec![NumberDataPoint {
                            value: Some(number_data_point::Value::AsDouble(f64::INFINITY)),
                            ..Default::default()
                        }],
                    })),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        }],
    };
    let json = serde_json::to_string(&req).expect("upstream encodes");
    assert!(json.contains(r#""asDouble":null"#), "{json}");
    let theirs: ExportMetricsServiceRequest = upstream(&json).expect("upstream decodes");
    let Some(Data::Gauge(g)) = &first_metric(&theirs).data else {
        panic!("gauge gone")
    };
    assert_eq!(g.data_points[0].value, None);
    let ours = decode_metrics(&crate::json::encode_metrics(&req)).expect("ours round-trips");
    assert_eq!(ours, req);
}

#[test]
fn upstream_ignores_snake_case_names() {
    let json = r#"{"resource_spans":[{"scope_spans":[{"spans":[{"name":"s"}]}]}]}"#;
    let theirs: ExportTraceServiceRequest = upstream(json).expect("upstream accepts it");
    assert!(
        theirs.resource_spans.is_empty(),
        "the whole request is lost"
    );
    assert_eq!(
        decode_traces(json.as_bytes())
            .expect("ours decodes")
            .resource_spans
            .len(),
        1
    );
}

#[test]
fn upstream_accepts_ids_of_any_length() {
    let json = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"abcd"}]}]}]}"#;
    let theirs: ExportTraceServiceRequest = upstream(json).expect("upstream accepts it");
    assert_eq!(
        theirs.resource_spans[0].scope_spans[0].spans[0].trace_id,
        [0xab, 0xcd]
    );
    assert!(decode_traces(json.as_bytes()).is_err());
}

#[test]
fn upstream_requires_fields_the_spec_makes_optional() {
    let json = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"a","value":{"arrayValue":{}}}]}}]}"#;
    let err = upstream::<ExportTraceServiceRequest>(json).expect_err("upstream rejects it");
    assert!(
        err.to_string().starts_with("missing field `values`"),
        "{err}"
    );
    assert!(decode_traces(json.as_bytes()).is_ok());
}

#[test]
fn upstream_writes_nulls_and_defaults() {
    let req = ExportTraceServiceRequest {
        resource_spans: vec![Default::default()],
    };
    let json = serde_json::to_string(&req).expect("upstream encodes");
    assert_eq!(
        json,
        r#"{"resourceSpans":[{"resource":null,"scopeSpans":[],"schemaUrl":""}]}"#
    );
    assert_eq!(
        crate::json::encode_traces(&req),
        br#"{"resourceSpans":[{}]}"#
    );
}

#[test]
fn upstream_writes_and_reads_int64_partial_success_as_a_number_only() {
    let resp = ExportTraceServiceResponse {
        partial_success: Some(ExportTracePartialSuccess {
            rejected_spans: 3,
            error_message: String::new(),
        }),
    };
    let json = serde_json::to_string(&resp).expect("upstream encodes");
    assert_eq!(
        json,
        r#"{"partialSuccess":{"rejectedSpans":3,"errorMessage":""}}"#
    );
    let spec_form = r#"{"partialSuccess":{"rejectedSpans":"3"}}"#;
    assert!(upstream::<ExportTraceServiceResponse>(spec_form).is_err());
    assert_eq!(encode_trace_response(&resp), spec_form.as_bytes());
    assert_eq!(
        decode_trace_response(spec_form.as_bytes()).expect("ours decodes"),
        resp
    );
}
