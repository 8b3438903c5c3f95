//! Property tests of the codec: any bytes decode or fail without a panic, and every generated
//! request of the three signals (every field and value kind, any double including NaN and
//! ±Infinity, any 64-bit integer) decodes back from its encoding to the same message.
//!
//! "The same" is compared on the protobuf encoding, so NaN equals itself. The fuzz target
//! `otlp_json` (fuzz/) checks the same round trip starting from arbitrary JSON.

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::common::v1::{
    AnyValue, ArrayValue, EntityRef, InstrumentationScope, KeyValue, KeyValueList,
};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
use opentelemetry_proto::tonic::metrics::v1::exponential_histogram_data_point::Buckets;
use opentelemetry_proto::tonic::metrics::v1::summary_data_point::ValueAtQuantile;
use opentelemetry_proto::tonic::metrics::v1::{
    Exemplar, ExponentialHistogram, ExponentialHistogramDataPoint, Gauge, Histogram,
    HistogramDataPoint, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, Sum, Summary,
    SummaryDataPoint, exemplar, metric, number_data_point,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::span::{Event, Link};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use prost::Message;

use crate::json;

/// A few of everything: small enough that 64 cases stay well under a second.
fn few<T: std::fmt::Debug>(s: impl Strategy<Value = T>) -> impl Strategy<Value = Vec<T>> {
    vec(s, 0..3)
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z.]{1,12}",
        any::<String>(),
        Just("\"\\\u{0}\u{1f}\u{2028}é😀".to_owned()),
    ]
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..12)
}

/// An id of the length OTLP/JSON accepts (`n` bytes), or none.
fn id(n: usize) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![Just(Vec::new()), vec(any::<u8>(), n..=n)]
}

fn double() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(-0.0),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE),
        any::<f64>(),
    ]
}

fn any_value() -> impl Strategy<Value = AnyValue> {
    let leaf = prop_oneof![
        text().prop_map(Value::StringValue),
        any::<bool>().prop_map(Value::BoolValue),
        any::<i64>().prop_map(Value::IntValue),
        double().prop_map(Value::DoubleValue),
        bytes().prop_map(Value::BytesValue),
        any::<i32>().prop_map(Value::StringValueStrindex),
    ];
    let leaf = option::of(leaf).prop_map(|value| AnyValue { value });
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            few(inner.clone()).prop_map(|values| AnyValue {
                value: Some(Value::ArrayValue(ArrayValue { values })),
            }),
            few((text(), option::of(inner))).prop_map(|kvs| AnyValue {
                value: Some(Value::KvlistValue(KeyValueList {
                    values: kvs
                        .into_iter()
                        .map(|(key, value)| KeyValue {
                            key,
                            value,
                            key_strindex: 0,
                        })
                        .collect(),
                })),
            }),
        ]
    })
}

fn attributes() -> impl Strategy<Value = Vec<KeyValue>> {
    few((text(), option::of(any_value()), any::<i32>())).prop_map(|kvs| {
        kvs.into_iter()
            .map(|(key, value, key_strindex)| KeyValue {
                key,
                value,
                key_strindex,
            })
            .collect()
    })
}

fn resource() -> impl Strategy<Value = Option<Resource>> {
    let entity = (text(), text(), few(text()), few(text())).prop_map(
        |(r#type, schema_url, id_keys, description_keys)| EntityRef {
            schema_url,
            r#type,
            id_keys,
            description_keys,
        },
    );
    option::of((attributes(), any::<u32>(), few(entity)).prop_map(
        |(attributes, dropped_attributes_count, entity_refs)| Resource {
            attributes,
            dropped_attributes_count,
            entity_refs,
        },
    ))
}

fn scope() -> impl Strategy<Value = Option<InstrumentationScope>> {
    option::of((text(), text(), attributes(), any::<u32>()).prop_map(
        |(name, version, attributes, dropped_attributes_count)| InstrumentationScope {
            name,
            version,
            attributes,
            dropped_attributes_count,
        },
    ))
}

fn span() -> impl Strategy<Value = Span> {
    let event = (any::<u64>(), text(), attributes(), any::<u32>()).prop_map(
        |(time_unix_nano, name, attributes, dropped_attributes_count)| Event {
            time_unix_nano,
            name,
            attributes,
            dropped_attributes_count,
        },
    );
    let link = (
        id(16),
        id(8),
        text(),
        attributes(),
        any::<u32>(),
        any::<u32>(),
    )
        .prop_map(
            |(trace_id, span_id, trace_state, attributes, dropped_attributes_count, flags)| Link {
                trace_id,
                span_id,
                trace_state,
                attributes,
                dropped_attributes_count,
                flags,
            },
        );
    let status =
        option::of((text(), any::<i32>()).prop_map(|(message, code)| Status { message, code }));
    let ids = (
        id(16),
        id(8),
        text(),
        id(8),
        any::<u32>(),
        text(),
        any::<i32>(),
    );
    let body = (
        any::<u64>(),
        any::<u64>(),
        attributes(),
        any::<u32>(),
        few(event),
        any::<u32>(),
        few(link),
        any::<u32>(),
        status,
    );
    (ids, body).prop_map(
        |(
            (trace_id, span_id, trace_state, parent_span_id, flags, name, kind),
            (
                start,
                end,
                attributes,
                dropped_attrs,
                events,
                dropped_events,
                links,
                dropped_links,
                status,
            ),
        )| Span {
            trace_id,
            span_id,
            trace_state,
            parent_span_id,
            flags,
            name,
            kind,
            start_time_unix_nano: start,
            end_time_unix_nano: end,
            attributes,
            dropped_attributes_count: dropped_attrs,
            events,
            dropped_events_count: dropped_events,
            links,
            dropped_links_count: dropped_links,
            status,
        },
    )
}

fn traces() -> impl Strategy<Value = ExportTraceServiceRequest> {
    let scope_spans =
        (scope(), few(span()), text()).prop_map(|(scope, spans, schema_url)| ScopeSpans {
            scope,
            spans,
            schema_url,
        });
    let resource_spans =
        (resource(), few(scope_spans), text()).prop_map(|(resource, scope_spans, schema_url)| {
            ResourceSpans {
                resource,
                scope_spans,
                schema_url,
            }
        });
    few(resource_spans).prop_map(|resource_spans| ExportTraceServiceRequest { resource_spans })
}

fn exemplar() -> impl Strategy<Value = Exemplar> {
    let value = option::of(prop_oneof![
        double().prop_map(exemplar::Value::AsDouble),
        any::<i64>().prop_map(exemplar::Value::AsInt),
    ]);
    (attributes(), any::<u64>(), id(8), id(16), value).prop_map(
        |(filtered_attributes, time_unix_nano, span_id, trace_id, value)| Exemplar {
            filtered_attributes,
            time_unix_nano,
            span_id,
            trace_id,
            value,
        },
    )
}

/// Attributes, start time, time, exemplars and flags: what every data point has.
type PointBase = (Vec<KeyValue>, u64, u64, Vec<Exemplar>, u32);

fn point_base() -> impl Strategy<Value = PointBase> {
    (
        attributes(),
        any::<u64>(),
        any::<u64>(),
        few(exemplar()),
        any::<u32>(),
    )
}

fn number_points() -> impl Strategy<Value = Vec<NumberDataPoint>> {
    let value = option::of(prop_oneof![
        double().prop_map(number_data_point::Value::AsDouble),
        any::<i64>().prop_map(number_data_point::Value::AsInt),
    ]);
    few(
        (point_base(), value).prop_map(|((attributes, start, time, exemplars, flags), value)| {
            NumberDataPoint {
                attributes,
                start_time_unix_nano: start,
                time_unix_nano: time,
                exemplars,
                flags,
                value,
            }
        }),
    )
}

fn histogram_points() -> impl Strategy<Value = Vec<HistogramDataPoint>> {
    let numbers = (
        any::<u64>(),
        option::of(double()),
        few(any::<u64>()),
        few(double()),
        option::of(double()),
        option::of(double()),
    );
    few((point_base(), numbers).prop_map(
        |((attributes, start, time, exemplars, flags), (count, sum, buckets, bounds, min, max))| {
            HistogramDataPoint {
                attributes,
                start_time_unix_nano: start,
                time_unix_nano: time,
                count,
                sum,
                bucket_counts: buckets,
                explicit_bounds: bounds,
                exemplars,
                flags,
                min,
                max,
            }
        },
    ))
}

fn exponential_points() -> impl Strategy<Value = Vec<ExponentialHistogramDataPoint>> {
    let buckets = || {
        option::of(
            (any::<i32>(), few(any::<u64>())).prop_map(|(offset, bucket_counts)| Buckets {
                offset,
                bucket_counts,
            }),
        )
    };
    let numbers = (
        (
            any::<u64>(),
            option::of(double()),
            any::<i32>(),
            any::<u64>(),
        ),
        (buckets(), buckets()),
        (option::of(double()), option::of(double()), double()),
    );
    few((point_base(), numbers).prop_map(
        |(
            (attributes, start, time, exemplars, flags),
            ((count, sum, scale, zero_count), (positive, negative), (min, max, zero_threshold)),
        )| ExponentialHistogramDataPoint {
            attributes,
            start_time_unix_nano: start,
            time_unix_nano: time,
            count,
            sum,
            scale,
            zero_count,
            positive,
            negative,
            flags,
            exemplars,
            min,
            max,
            zero_threshold,
        },
    ))
}

fn summary_points() -> impl Strategy<Value = Vec<SummaryDataPoint>> {
    let quantile =
        (double(), double()).prop_map(|(quantile, value)| ValueAtQuantile { quantile, value });
    few(
        (point_base(), any::<u64>(), double(), few(quantile)).prop_map(
            |((attributes, start, time, _exemplars, flags), count, sum, quantile_values)| {
                SummaryDataPoint {
                    attributes,
                    start_time_unix_nano: start,
                    time_unix_nano: time,
                    count,
                    sum,
                    quantile_values,
                    flags,
                }
            },
        ),
    )
}

fn metric_data() -> impl Strategy<Value = Option<metric::Data>> {
    option::of(prop_oneof![
        number_points().prop_map(|data_points| metric::Data::Gauge(Gauge { data_points })),
        (number_points(), any::<i32>(), any::<bool>()).prop_map(|(data_points, t, m)| {
            metric::Data::Sum(Sum {
                data_points,
                aggregation_temporality: t,
                is_monotonic: m,
            })
        }),
        (histogram_points(), any::<i32>()).prop_map(|(data_points, t)| {
            metric::Data::Histogram(Histogram {
                data_points,
                aggregation_temporality: t,
            })
        }),
        (exponential_points(), any::<i32>()).prop_map(|(data_points, t)| {
            metric::Data::ExponentialHistogram(ExponentialHistogram {
                data_points,
                aggregation_temporality: t,
            })
        }),
        summary_points().prop_map(|data_points| metric::Data::Summary(Summary { data_points })),
    ])
}

fn metrics() -> impl Strategy<Value = ExportMetricsServiceRequest> {
    let metric = (text(), text(), text(), attributes(), metric_data()).prop_map(
        |(name, description, unit, metadata, data)| Metric {
            name,
            description,
            unit,
            metadata,
            data,
        },
    );
    let scope_metrics =
        (scope(), few(metric), text()).prop_map(|(scope, metrics, schema_url)| ScopeMetrics {
            scope,
            metrics,
            schema_url,
        });
    let resource_metrics = (resource(), few(scope_metrics), text()).prop_map(
        |(resource, scope_metrics, schema_url)| ResourceMetrics {
            resource,
            scope_metrics,
            schema_url,
        },
    );
    few(resource_metrics)
        .prop_map(|resource_metrics| ExportMetricsServiceRequest { resource_metrics })
}

fn logs() -> impl Strategy<Value = ExportLogsServiceRequest> {
    let record = (
        (any::<u64>(), any::<u64>(), any::<i32>(), text()),
        (
            option::of(any_value()),
            attributes(),
            any::<u32>(),
            any::<u32>(),
        ),
        (id(16), id(8), text()),
    )
        .prop_map(
            |(
                (time, observed, severity_number, severity_text),
                (body, attributes, dropped_attributes_count, flags),
                (trace_id, span_id, event_name),
            )| LogRecord {
                time_unix_nano: time,
                observed_time_unix_nano: observed,
                severity_number,
                severity_text,
                body,
                attributes,
                dropped_attributes_count,
                flags,
                trace_id,
                span_id,
                event_name,
            },
        );
    let scope_logs =
        (scope(), few(record), text()).prop_map(|(scope, log_records, schema_url)| ScopeLogs {
            scope,
            log_records,
            schema_url,
        });
    let resource_logs =
        (resource(), few(scope_logs), text()).prop_map(|(resource, scope_logs, schema_url)| {
            ResourceLogs {
                resource,
                scope_logs,
                schema_url,
            }
        });
    few(resource_logs).prop_map(|resource_logs| ExportLogsServiceRequest { resource_logs })
}

/// `decode(encode(x))` has the same protobuf encoding as `x`.
fn assert_round_trip<M: Message + std::fmt::Debug>(
    x: &M,
    encode: fn(&M) -> Vec<u8>,
    decode: fn(&[u8]) -> Result<M, json::JsonError>,
) -> Result<(), TestCaseError> {
    let encoded = encode(x);
    let y = decode(&encoded)
        .map_err(|e| TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&encoded))))?;
    prop_assert_eq!(
        x.encode_to_vec(),
        y.encode_to_vec(),
        "{}",
        String::from_utf8_lossy(&encoded)
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(64) })]

    #[test]
    fn traces_round_trip(x in traces()) {
        assert_round_trip(&x, json::encode_traces, json::decode_traces)?;
    }

    #[test]
    fn metrics_round_trip(x in metrics()) {
        assert_round_trip(&x, json::encode_metrics, json::decode_metrics)?;
    }

    #[test]
    fn logs_round_trip(x in logs()) {
        assert_round_trip(&x, json::encode_logs, json::decode_logs)?;
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_decoders(body in vec(any::<u8>(), 0..256)) {
        let _ = json::decode_traces(&body);
        let _ = json::decode_metrics(&body);
        let _ = json::decode_logs(&body);
        let _ = json::decode_trace_response(&body);
        let _ = json::decode_metrics_response(&body);
        let _ = json::decode_logs_response(&body);
    }

    /// JSON-looking text: the tokens the decoder branches on, in any order.
    #[test]
    fn json_shaped_text_never_panics_the_decoders(
        tokens in vec(prop_oneof![
            Just("{"), Just("}"), Just("["), Just("]"), Just(","), Just(":"), Just("null"),
            Just("\"resourceSpans\""), Just("\"resource_metrics\""), Just("\"resourceLogs\""),
            Just("\"scopeSpans\""), Just("\"spans\""), Just("\"traceId\""), Just("\"value\""),
            Just("\"intValue\""), Just("\"doubleValue\""), Just("\"NaN\""), Just("\"-1\""),
            Just("18446744073709551616"), Just("1e400"), Just("\"AAA=\""), Just("\"0a\""),
        ], 0..40)
    ) {
        let body = tokens.concat();
        let _ = json::decode_traces(body.as_bytes());
        let _ = json::decode_metrics(body.as_bytes());
        let _ = json::decode_logs(body.as_bytes());
    }
}
