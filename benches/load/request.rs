//! Requests made before the clock starts, so the driver spends its time sending, not encoding:
//! OTLP export requests as protobuf or JSON bodies (optionally gzipped), and signed GitHub
//! `workflow_job` deliveries.

use crate::args::{Args, Protocol};
use bytes::Bytes;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use prost::Message;
use std::io::Write;

/// One request ready to send: the body and, for webhooks, the headers that go with it.
pub struct Prepared {
    /// The body as it goes on the wire.
    pub body: Bytes,
    /// Per-request headers (webhook event, delivery id, signature).
    pub headers: Vec<(&'static str, String)>,
}

/// `pool` distinct requests for `args` (webhooks are made per request instead: see
/// [`webhook_delivery`]).
pub fn pool(args: &Args) -> Vec<Prepared> {
    (0..args.pool.max(1) as u64)
        .map(|seq| {
            let message = export_request(args, seq);
            let body = match args.protocol {
                Protocol::HttpJson => serde_json::to_vec(&message).unwrap_or_default(),
                _ => message.encode_to_vec(),
            };
            let body = if args.gzip && args.protocol != Protocol::Grpc {
                gzip(&body)
            } else {
                body
            };
            Prepared {
                body: Bytes::from(body),
                headers: Vec::new(),
            }
        })
        .collect()
}

fn string_attr(key: String, value: String) -> KeyValue {
    KeyValue {
        key,
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(value)),
        }),
        ..Default::default()
    }
}

/// An export request of `args.batch` spans, `args.spans_per_trace` to a trace, the first of
/// each trace its root and the others its children.
pub fn export_request(args: &Args, seq: u64) -> ExportTraceServiceRequest {
    let per_trace = args.spans_per_trace.max(1);
    let spans = (0..args.batch)
        .map(|i| {
            let trace = (seq << 24) + (i / per_trace) as u64 + 1;
            let span_id = |n: usize| ((seq << 32) + n as u64 + 1).to_be_bytes().to_vec();
            let root = i - i % per_trace;
            Span {
                trace_id: [trace.to_be_bytes(), 0x5eed_u64.to_be_bytes()].concat(),
                span_id: span_id(i),
                parent_span_id: if i == root { Vec::new() } else { span_id(root) },
                name: format!("load-op-{}", i % per_trace),
                kind: 2,
                start_time_unix_nano: 1_700_000_000_000_000_000 + i as u64 * 1000,
                end_time_unix_nano: 1_700_000_000_000_500_000 + i as u64 * 1000,
                attributes: (0..args.attributes)
                    .map(|a| string_attr(format!("load.attr.{a}"), format!("value-{seq}-{a}")))
                    .collect(),
                ..Default::default()
            }
        })
        .collect();
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource {
                attributes: vec![string_attr("service.name".into(), "load".into())],
                ..Default::default()
            }),
            scope_spans: vec![ScopeSpans {
                spans,
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

fn gzip(body: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing to a Vec cannot fail.
    let _ = e.write_all(body);
    e.finish().unwrap_or_default()
}

/// Delivery `seq` of `webhook::workflow_job`, signed with `secret`, with a delivery id of its
/// own (the receiver drops repeated delivery ids).
pub fn webhook_delivery(seq: u64, steps: usize, secret: &str) -> Prepared {
    let body = crate::webhook::workflow_job(seq, steps);
    let signature = ciotel_github::receiver::sign_delivery(secret.as_bytes(), body.as_bytes());
    Prepared {
        body: Bytes::from(body),
        headers: vec![
            ("x-github-event", "workflow_job".into()),
            ("x-github-delivery", format!("bench-{seq}")),
            ("x-hub-signature-256", signature),
        ],
    }
}
