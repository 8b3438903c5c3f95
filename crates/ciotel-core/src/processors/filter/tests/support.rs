//! Builders for the filter tests: batches of each signal and what is left of them.

pub use crate::processors::Transform;
pub use crate::processors::attribute_actions::value_as_string;
pub use crate::processors::filter::{FilterConfig, FilterProcessor};
pub use crate::signal::Batch;
pub use opentelemetry_proto::tonic::common::v1::{
    AnyValue, InstrumentationScope, KeyValue, any_value,
};
pub use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
pub use opentelemetry_proto::tonic::metrics::v1::{
    ExponentialHistogram, ExponentialHistogramDataPoint, Gauge, Histogram, HistogramDataPoint,
    Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, Sum, Summary, SummaryDataPoint, metric,
};
pub use opentelemetry_proto::tonic::resource::v1::Resource;
pub use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};

pub fn value(v: any_value::Value) -> Option<AnyValue> {
    Some(AnyValue { value: Some(v) })
}

pub fn kv(key: &str, v: &str) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: value(any_value::Value::StringValue(v.into())),
        ..Default::default()
    }
}

pub fn kv_int(key: &str, v: i64) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: value(any_value::Value::IntValue(v)),
        ..Default::default()
    }
}

pub fn resource(attributes: Vec<KeyValue>) -> Option<Resource> {
    Some(Resource {
        attributes,
        ..Default::default()
    })
}

pub fn filter(yaml: &str) -> FilterProcessor {
    FilterProcessor::new(yaml_serde::from_str(yaml).unwrap())
}

pub fn config_error(yaml: &str) -> String {
    yaml_serde::from_str::<FilterConfig>(yaml)
        .unwrap_err()
        .to_string()
}

pub fn span(name: &str, attributes: Vec<KeyValue>) -> Span {
    Span {
        name: name.into(),
        attributes,
        ..Default::default()
    }
}

pub fn traces(groups: Vec<(Option<Resource>, Vec<Span>)>) -> Batch {
    Batch::Traces(
        groups
            .into_iter()
            .map(|(resource, spans)| ResourceSpans {
                resource,
                scope_spans: vec![ScopeSpans {
                    scope: Some(InstrumentationScope {
                        name: "ciotel".into(),
                        ..Default::default()
                    }),
                    spans,
                    ..Default::default()
                }],
                ..Default::default()
            })
            .collect(),
    )
}

pub fn span_names(batch: &Batch) -> Vec<&str> {
    let Batch::Traces(rs) = batch else {
        panic!("not traces")
    };
    rs.iter()
        .flat_map(|r| &r.scope_spans)
        .flat_map(|s| &s.spans)
        .map(|s| s.name.as_str())
        .collect()
}

pub fn record(body: &str, severity: &str, attributes: Vec<KeyValue>) -> LogRecord {
    LogRecord {
        body: value(any_value::Value::StringValue(body.into())),
        severity_text: severity.into(),
        attributes,
        ..Default::default()
    }
}

pub fn logs(groups: Vec<(Option<Resource>, Vec<LogRecord>)>) -> Batch {
    Batch::Logs(
        groups
            .into_iter()
            .map(|(resource, log_records)| ResourceLogs {
                resource,
                scope_logs: vec![ScopeLogs {
                    log_records,
                    ..Default::default()
                }],
                ..Default::default()
            })
            .collect(),
    )
}

pub fn bodies(batch: &Batch) -> Vec<String> {
    let Batch::Logs(rl) = batch else {
        panic!("not logs")
    };
    rl.iter()
        .flat_map(|r| &r.scope_logs)
        .flat_map(|s| &s.log_records)
        .map(|r| value_as_string(r.body.as_ref()))
        .collect()
}

pub fn points<T>(make: impl Fn(Vec<KeyValue>) -> T) -> Vec<T> {
    vec![
        make(vec![kv("env", "dev"), kv("job", "a")]),
        make(vec![kv("env", "prod"), kv("job", "a")]),
        make(vec![kv("env", "dev"), kv("job", "b")]),
    ]
}

/// One metric of every type, each with the three data points of [`points`].
pub fn every_metric_type() -> Vec<Metric> {
    let number = |attributes| NumberDataPoint {
        attributes,
        ..Default::default()
    };
    let metric = |name: &str, data| Metric {
        name: name.into(),
        data: Some(data),
        ..Default::default()
    };
    vec![
        metric(
            "gauge",
            metric::Data::Gauge(Gauge {
                data_points: points(number),
            }),
        ),
        metric(
            "sum",
            metric::Data::Sum(Sum {
                data_points: points(number),
                ..Default::default()
            }),
        ),
        metric(
            "histogram",
            metric::Data::Histogram(Histogram {
                data_points: points(|attributes| HistogramDataPoint {
                    attributes,
                    ..Default::default()
                }),
                ..Default::default()
            }),
        ),
        metric(
            "exp_histogram",
            metric::Data::ExponentialHistogram(ExponentialHistogram {
                data_points: points(|attributes| ExponentialHistogramDataPoint {
                    attributes,
                    ..Default::default()
                }),
                ..Default::default()
            }),
        ),
        metric(
            "summary",
            metric::Data::Summary(Summary {
                data_points: points(|attributes| SummaryDataPoint {
                    attributes,
                    ..Default::default()
                }),
            }),
        ),
    ]
}

pub fn metrics(resource: Option<Resource>, metrics: Vec<Metric>) -> Batch {
    Batch::Metrics(vec![ResourceMetrics {
        resource,
        scope_metrics: vec![ScopeMetrics {
            metrics,
            ..Default::default()
        }],
        ..Default::default()
    }])
}

/// (metric name, the `env`/`job` of each data point left).
pub fn metric_points(batch: &Batch) -> Vec<(String, Vec<String>)> {
    let Batch::Metrics(rm) = batch else {
        panic!("not metrics")
    };
    let label = |attrs: &[KeyValue]| {
        attrs
            .iter()
            .map(|kv| value_as_string(kv.value.as_ref()))
            .collect::<Vec<_>>()
            .join("/")
    };
    rm.iter()
        .flat_map(|r| &r.scope_metrics)
        .flat_map(|s| &s.metrics)
        .map(|m| {
            let labels = match &m.data {
                Some(metric::Data::Gauge(g)) => {
                    g.data_points.iter().map(|p| label(&p.attributes)).collect()
                }
                Some(metric::Data::Sum(s)) => {
                    s.data_points.iter().map(|p| label(&p.attributes)).collect()
                }
                Some(metric::Data::Histogram(h)) => {
                    h.data_points.iter().map(|p| label(&p.attributes)).collect()
                }
                Some(metric::Data::ExponentialHistogram(h)) => {
                    h.data_points.iter().map(|p| label(&p.attributes)).collect()
                }
                Some(metric::Data::Summary(s)) => {
                    s.data_points.iter().map(|p| label(&p.attributes)).collect()
                }
                None => vec![],
            };
            (m.name.clone(), labels)
        })
        .collect()
}
