//! The canonical metrics example: all five metric types with every field, asInt and asDouble
//! points, exemplars; decoded, re-encoded identically, round-tripped.

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::metrics::v1::exponential_histogram_data_point::Buckets;
use opentelemetry_proto::tonic::metrics::v1::summary_data_point::ValueAtQuantile;
use opentelemetry_proto::tonic::metrics::v1::{
    AggregationTemporality, Metric, exemplar, metric::Data, number_data_point,
};

use super::{METRICS_JSON, assert_canonical, attr, hex};
use crate::json::{decode_metrics, encode_metrics};

fn metrics() -> Vec<Metric> {
    let req: ExportMetricsServiceRequest =
        decode_metrics(METRICS_JSON.as_bytes()).expect("fixture decodes");
    let rm = &req.resource_metrics[0];
    let resource = rm.resource.as_ref().expect("resource");
    assert_eq!(
        attr(&resource.attributes, "service.name"),
        &Value::StringValue("ciotel".into())
    );
    assert_eq!(resource.dropped_attributes_count, 1);
    assert_eq!(rm.schema_url, "https://opentelemetry.io/schemas/1.41.0");
    let sm = &rm.scope_metrics[0];
    assert_eq!(
        sm.scope.as_ref().map(|s| s.name.as_str()),
        Some("ciotel.selfmetrics")
    );
    assert_eq!(sm.schema_url, "https://opentelemetry.io/schemas/1.40.0");
    sm.metrics.clone()
}

#[test]
fn decodes_gauge_with_double_and_int_points_and_exemplar() {
    let m = &metrics()[0];
    assert_eq!(m.name, "ciotel.queue.size");
    assert_eq!(m.description, "Batches waiting in the sending queue");
    assert_eq!(m.unit, "{batch}");
    assert_eq!(
        attr(&m.metadata, "ciotel.source"),
        &Value::StringValue("self".into())
    );
    let Some(Data::Gauge(gauge)) = &m.data else {
        panic!("not a gauge: {:?}", m.data)
    };
    let [first, second, third] = &gauge.data_points[..] else {
        panic!("want 3 points")
    };
    assert_eq!(
        attr(&first.attributes, "exporter"),
        &Value::StringValue("otlp/tempo".into())
    );
    assert_eq!(first.start_time_unix_nano, 1_767_225_600_000_000_000);
    assert_eq!(first.time_unix_nano, 1_767_225_610_000_000_000);
    assert_eq!(first.value, Some(number_data_point::Value::AsDouble(12.75)));
    assert_eq!(first.flags, 1);
    let ex = &first.exemplars[0];
    assert_eq!(
        attr(&ex.filtered_attributes, "queue"),
        &Value::StringValue("disk".into())
    );
    assert_eq!(ex.time_unix_nano, 1_767_225_605_000_000_000);
    assert_eq!(ex.value, Some(exemplar::Value::AsDouble(11.25)));
    assert_eq!(hex(&ex.span_id), "c0c1c2c3c4c5c6c7");
    assert_eq!(hex(&ex.trace_id), "d0d1d2d3d4d5d6d7d8d9dadbdcdddedf");
    assert_eq!(second.value, Some(number_data_point::Value::AsInt(-42)));
    assert_eq!(
        third.value,
        Some(number_data_point::Value::AsInt(0)),
        "a zero asInt is set"
    );
}

#[test]
fn decodes_sum_with_extreme_ints() {
    let m = &metrics()[1];
    let Some(Data::Sum(sum)) = &m.data else {
        panic!("not a sum: {:?}", m.data)
    };
    assert_eq!(
        sum.aggregation_temporality,
        AggregationTemporality::Cumulative as i32
    );
    assert!(sum.is_monotonic);
    let point = &sum.data_points[0];
    assert_eq!(point.value, Some(number_data_point::Value::AsInt(i64::MAX)));
    assert_eq!(
        point.exemplars[0].value,
        Some(exemplar::Value::AsInt(i64::MIN))
    );
    assert_eq!(
        hex(&point.exemplars[0].trace_id),
        "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"
    );
    assert_eq!(
        sum.data_points[1].value,
        Some(number_data_point::Value::AsDouble(0.5))
    );
}

#[test]
fn decodes_histogram_with_optional_sum_min_max() {
    let m = &metrics()[2];
    let Some(Data::Histogram(h)) = &m.data else {
        panic!("not a histogram: {:?}", m.data)
    };
    assert_eq!(
        h.aggregation_temporality,
        AggregationTemporality::Delta as i32
    );
    let p = &h.data_points[0];
    assert_eq!(
        attr(&p.attributes, "cicd.pipeline.result"),
        &Value::StringValue("success".into())
    );
    assert_eq!(
        (p.start_time_unix_nano, p.time_unix_nano),
        (1_767_225_600_000_000_000, 1_767_225_660_000_000_000)
    );
    assert_eq!(p.count, 6);
    assert_eq!(p.sum, Some(41.5));
    assert_eq!(p.bucket_counts, [1, 3, 2]);
    assert_eq!(p.explicit_bounds, [2.5, 10.25]);
    assert_eq!(p.exemplars[0].value, Some(exemplar::Value::AsDouble(7.5)));
    assert!(p.exemplars[0].trace_id.is_empty() && p.exemplars[0].span_id.is_empty());
    assert_eq!(p.flags, 1);
    assert_eq!((p.min, p.max), (Some(0.125), Some(30.5)));
    let q = &h.data_points[1];
    assert_eq!(q.sum, None, "absent optional sum stays unset");
    assert_eq!(
        (q.min, q.max),
        (Some(f64::NEG_INFINITY), Some(f64::INFINITY))
    );
}

#[test]
fn decodes_exponential_histogram() {
    let m = &metrics()[3];
    let Some(Data::ExponentialHistogram(h)) = &m.data else {
        panic!("not exp: {:?}", m.data)
    };
    assert_eq!(
        h.aggregation_temporality,
        AggregationTemporality::Cumulative as i32
    );
    let p = &h.data_points[0];
    assert_eq!(
        attr(&p.attributes, "exporter"),
        &Value::StringValue("otlphttp".into())
    );
    assert_eq!(p.start_time_unix_nano, 1_767_225_600_000_000_000);
    assert_eq!(p.time_unix_nano, 1_767_225_660_000_000_000);
    assert_eq!(
        (p.count, p.sum, p.scale, p.zero_count),
        (10, Some(93.5), -1, 2)
    );
    assert_eq!(
        p.positive,
        Some(Buckets {
            offset: 3,
            bucket_counts: vec![4, 3]
        })
    );
    assert_eq!(
        p.negative,
        Some(Buckets {
            offset: -2,
            bucket_counts: vec![1]
        })
    );
    assert_eq!(p.flags, 1);
    assert_eq!(p.exemplars[0].value, Some(exemplar::Value::AsInt(17)));
    assert_eq!(p.exemplars[0].span_id, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(
        (p.min, p.max, p.zero_threshold),
        (Some(0.25), Some(48.75), 0.001)
    );
}

#[test]
fn decodes_summary() {
    let m = &metrics()[4];
    let Some(Data::Summary(s)) = &m.data else {
        panic!("not a summary: {:?}", m.data)
    };
    let p = &s.data_points[0];
    assert_eq!(
        attr(&p.attributes, "processor"),
        &Value::StringValue("batch".into())
    );
    assert_eq!(
        (p.start_time_unix_nano, p.time_unix_nano),
        (1_767_225_600_000_000_000, 1_767_225_660_000_000_000)
    );
    assert_eq!((p.count, p.sum, p.flags), (4, 18.25, 1));
    assert_eq!(
        p.quantile_values,
        [
            ValueAtQuantile {
                quantile: 0.0,
                value: 1.25
            },
            ValueAtQuantile {
                quantile: 0.5,
                value: 4.5
            },
            ValueAtQuantile {
                quantile: 0.99,
                value: f64::INFINITY
            },
        ]
    );
}

#[test]
fn encodes_back_to_the_canonical_json() {
    let req = decode_metrics(METRICS_JSON.as_bytes()).expect("fixture decodes");
    assert_canonical(&encode_metrics(&req), METRICS_JSON);
}

#[test]
fn round_trips() {
    let req = decode_metrics(METRICS_JSON.as_bytes()).expect("fixture decodes");
    assert_eq!(
        decode_metrics(&encode_metrics(&req)).expect("re-decodes"),
        req
    );
}
