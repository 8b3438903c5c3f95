//! One batch as one OTLP export request: the protobuf and JSON bodies, and each signal's
//! OTLP/HTTP path.

use crate::json;
use ciotel_core::{Batch, Signal};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;

/// The OTLP/HTTP path of a signal, appended to a base `endpoint`.
pub(crate) fn signal_path(signal: Signal) -> &'static str {
    match signal {
        Signal::Traces => "v1/traces",
        Signal::Metrics => "v1/metrics",
        Signal::Logs => "v1/logs",
    }
}

/// The batch as a protobuf `Export*ServiceRequest`.
///
/// Each request message is `repeated Resource* = 1` and nothing else, so writing the groups as
/// field 1 gives the request's exact bytes without first copying the shared batch into one.
pub(crate) fn proto_body(batch: &Batch) -> Vec<u8> {
    match batch {
        Batch::Traces(groups) => encode_as_field_1(groups),
        Batch::Metrics(groups) => encode_as_field_1(groups),
        Batch::Logs(groups) => encode_as_field_1(groups),
    }
}

fn encode_as_field_1<M: prost::Message>(groups: &[M]) -> Vec<u8> {
    use prost::encoding::message;
    let len = groups.iter().map(|g| message::encoded_len(1, g)).sum();
    let mut buf = Vec::with_capacity(len);
    for group in groups {
        message::encode(1, group, &mut buf);
    }
    buf
}

/// The batch as one line of OTLP/JSON (no trailing newline), as the Collector writes it.
pub(crate) fn json_body(batch: &Batch) -> Vec<u8> {
    match batch {
        Batch::Traces(groups) => json::encode_traces(&ExportTraceServiceRequest {
            resource_spans: groups.clone(),
        }),
        Batch::Metrics(groups) => json::encode_metrics(&ExportMetricsServiceRequest {
            resource_metrics: groups.clone(),
        }),
        Batch::Logs(groups) => json::encode_logs(&ExportLogsServiceRequest {
            resource_logs: groups.clone(),
        }),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
    use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
    use opentelemetry_proto::tonic::metrics::v1::{
        Gauge, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, metric, number_data_point,
    };
    use opentelemetry_proto::tonic::resource::v1::Resource;
    use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
    use prost::Message;

    /// A trace batch with real ids and attributes, so encodings have something to get wrong.
    pub(crate) fn traces(n: usize) -> Batch {
        Batch::Traces(vec![ResourceSpans {
            resource: Some(Resource {
                attributes: vec![KeyValue {
                    key: "service.name".into(),
                    value: Some(AnyValue {
                        value: Some(any_value::Value::StringValue("ci".into())),
                    }),
                    ..Default::default()
                }],
                ..Default::default()
            }),
            scope_spans: vec![ScopeSpans {
                spans: (0..n)
                    .map(|i| Span {
                        trace_id: vec![7; 16],
                        span_id: vec![i as u8 + 1; 8],
                        name: format!("job-{i}"),
                        kind: 2,
                        start_time_unix_nano: 1_700_000_000_000_000_000,
                        end_time_unix_nano: 1_700_000_001_000_000_000,
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            }],
            ..Default::default()
        }])
    }

    /// A metrics batch of one gauge with `n` points.
    pub(crate) fn metrics(n: usize) -> Batch {
        Batch::Metrics(vec![ResourceMetrics {
            scope_metrics: vec![ScopeMetrics {
                metrics: vec![Metric {
                    name: "queue.depth".into(),
                    data: Some(metric::Data::Gauge(Gauge {
                        data_points: (0..n)
                            .map(|i| NumberDataPoint {
                                value: Some(number_data_point::Value::AsInt(i as i64)),
                                ..Default::default()
                            })
                            .collect(),
                    })),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        }])
    }

    /// A logs batch of `n` records.
    pub(crate) fn logs(n: usize) -> Batch {
        Batch::Logs(vec![ResourceLogs {
            scope_logs: vec![ScopeLogs {
                log_records: (0..n)
                    .map(|i| LogRecord {
                        severity_text: "INFO".into(),
                        body: Some(AnyValue {
                            value: Some(any_value::Value::StringValue(format!("line {i}"))),
                        }),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            }],
            ..Default::default()
        }])
    }

    #[test]
    fn proto_bodies_are_the_requests_bytes() {
        let Batch::Traces(spans) = traces(3) else {
            unreachable!()
        };
        let expected = ExportTraceServiceRequest {
            resource_spans: spans.clone(),
        }
        .encode_to_vec();
        assert_eq!(proto_body(&Batch::Traces(spans)), expected);
        let Batch::Metrics(m) = metrics(2) else {
            unreachable!()
        };
        let expected = ExportMetricsServiceRequest {
            resource_metrics: m.clone(),
        }
        .encode_to_vec();
        assert_eq!(proto_body(&Batch::Metrics(m)), expected);
        let Batch::Logs(l) = logs(2) else {
            unreachable!()
        };
        let expected = ExportLogsServiceRequest {
            resource_logs: l.clone(),
        }
        .encode_to_vec();
        assert_eq!(proto_body(&Batch::Logs(l)), expected);
    }

    #[test]
    fn json_bodies_are_one_line_that_decodes_back() {
        let batch = traces(2);
        let body = json_body(&batch);
        assert!(!body.contains(&b'\n'));
        assert!(
            body.starts_with(br#"{"resourceSpans":["#),
            "{}",
            String::from_utf8_lossy(&body)
        );
        let back = json::decode_traces(&body).unwrap();
        assert_eq!(Batch::Traces(back.resource_spans), batch);
    }
}
