//! The condition language (`ciotel_core::condition`, the OTTL subset of `filter` and the
//! `routing` connector): parse, print and parse again, compile for a context, and evaluate on
//! every item of that context in a batch.
//!
//! Input: one byte choosing the context, the condition text up to the first NUL, then an OTLP
//! protobuf request: traces for the `resource`, `scope`, `span` and `spanevent` contexts, logs
//! for `log`, metrics for `metric` and `datapoint` (fuzz/seedgen writes seeds in this shape).
//!
//! Checks: whatever parses prints to text that parses back to the same tree.

#![no_main]

use ciotel_core::condition::context::Item;
use ciotel_core::condition::{Condition, ContextKind, Subject, parse};
use libfuzzer_sys::fuzz_target;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::metrics::v1::{Metric, metric};
use prost::Message;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let (_, context) = ContextKind::NAMES[usize::from(which) % ContextKind::NAMES.len()];
    let (text, telemetry) = match rest.iter().position(|&b| b == 0) {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &[][..]),
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let Ok(expr) = parse(text) else {
        return;
    };
    let printed = expr.to_string();
    let again = parse(&printed)
        .unwrap_or_else(|e| panic!("{text:?} printed as {printed:?}, which does not parse: {e}"));
    assert_eq!(expr, again, "{text:?} printed as {printed:?}");
    let Ok(condition) = Condition::compile(text, &expr, context) else {
        return;
    };
    evaluate(&condition, telemetry);
});

/// Evaluates `condition` on every item of its context in `telemetry`.
fn evaluate(condition: &Condition, telemetry: &[u8]) {
    let check = |s: Subject<'_>| {
        let _ = condition.matches(&s);
    };
    match condition.context() {
        ContextKind::Log => {
            let Ok(r) = ExportLogsServiceRequest::decode(telemetry) else {
                return;
            };
            for rl in &r.resource_logs {
                for sl in &rl.scope_logs {
                    let at = Subject::resource(rl.resource.as_ref()).in_scope(sl.scope.as_ref());
                    for record in &sl.log_records {
                        check(at.with(Item::Log(record)));
                    }
                }
            }
        }
        ContextKind::Metric | ContextKind::DataPoint => {
            let Ok(r) = ExportMetricsServiceRequest::decode(telemetry) else {
                return;
            };
            for rm in &r.resource_metrics {
                for sm in &rm.scope_metrics {
                    let at = Subject::resource(rm.resource.as_ref()).in_scope(sm.scope.as_ref());
                    for m in &sm.metrics {
                        if condition.context() == ContextKind::Metric {
                            check(at.with(Item::Metric(m)));
                        } else {
                            for attrs in point_attributes(m) {
                                check(at.with(Item::DataPoint(m, attrs)));
                            }
                        }
                    }
                }
            }
        }
        _ => {
            let Ok(r) = ExportTraceServiceRequest::decode(telemetry) else {
                return;
            };
            for rs in &r.resource_spans {
                let resource = Subject::resource(rs.resource.as_ref());
                if condition.context() == ContextKind::Resource {
                    check(resource);
                    continue;
                }
                for ss in &rs.scope_spans {
                    let at = resource.in_scope(ss.scope.as_ref());
                    match condition.context() {
                        ContextKind::Scope => check(at),
                        ContextKind::Span => {
                            for span in &ss.spans {
                                check(at.with(Item::Span(span)));
                            }
                        }
                        _ => {
                            for span in &ss.spans {
                                for event in &span.events {
                                    check(at.with(Item::SpanEvent(event, span)));
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The attributes of every data point of `m`, whatever its type.
fn point_attributes(m: &Metric) -> Vec<&[KeyValue]> {
    match &m.data {
        Some(metric::Data::Gauge(g)) => g.data_points.iter().map(|p| &p.attributes[..]).collect(),
        Some(metric::Data::Sum(s)) => s.data_points.iter().map(|p| &p.attributes[..]).collect(),
        Some(metric::Data::Histogram(h)) => {
            h.data_points.iter().map(|p| &p.attributes[..]).collect()
        }
        Some(metric::Data::ExponentialHistogram(h)) => {
            h.data_points.iter().map(|p| &p.attributes[..]).collect()
        }
        Some(metric::Data::Summary(s)) => s.data_points.iter().map(|p| &p.attributes[..]).collect(),
        None => Vec::new(),
    }
}
