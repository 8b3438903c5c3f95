//! The `attributes` processor: inserts, updates, upserts, deletes or hashes attributes of spans,
//! log records and metric data points, with the OpenTelemetry Collector's `actions` config.
//!
//! ```yaml
//! processors:
//!   attributes:
//!     actions:
//!       - { key: deployment.environment, action: insert, value: prod }
//!       - { key: user.email, action: hash }
//! ```

use super::Transform;
use super::attribute_actions::{Action, apply_all, for_each_item_attributes};
use crate::signal::Batch;
use serde::Deserialize;

/// Config of the `attributes` processor. YAML deserialization checks every action, so a bad
/// action is an error naming its line.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributesConfig {
    /// Applied in order to every item's attributes.
    #[serde(default)]
    pub actions: Vec<Action>,
}

/// Applies [`AttributesConfig::actions`] to span, log record and metric data point attributes.
#[derive(Debug, Clone)]
pub struct AttributesProcessor {
    actions: Vec<Action>,
}

impl AttributesProcessor {
    /// Builds the processor; the actions were checked when the config was built.
    pub fn new(config: AttributesConfig) -> Self {
        AttributesProcessor {
            actions: config.actions,
        }
    }
}

impl Transform for AttributesProcessor {
    fn apply(&self, batch: &mut Batch) {
        if self.actions.is_empty() {
            return;
        }
        for_each_item_attributes(batch, |attrs| apply_all(&self.actions, attrs));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
    use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
    use opentelemetry_proto::tonic::metrics::v1::{
        ExponentialHistogram, ExponentialHistogramDataPoint, Gauge, Histogram, HistogramDataPoint,
        Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, Sum, Summary, SummaryDataPoint,
        metric,
    };
    use opentelemetry_proto::tonic::resource::v1::Resource;
    use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, span};

    fn kv(key: &str, value: &str) -> KeyValue {
        KeyValue {
            key: key.into(),
            value: Some(AnyValue {
                value: Some(any_value::Value::StringValue(value.into())),
            }),
            ..Default::default()
        }
    }

    fn processor(yaml: &str) -> AttributesProcessor {
        AttributesProcessor::new(yaml_serde::from_str(yaml).unwrap())
    }

    const ACTIONS: &str = "actions:\n\
        - {key: env, action: insert, value: prod}\n\
        - {key: secret, action: delete}\n";

    #[test]
    fn edits_span_attributes_only() {
        let span = Span {
            name: "job".into(),
            attributes: vec![kv("secret", "s"), kv("keep", "k")],
            events: vec![span::Event {
                attributes: vec![kv("secret", "s")],
                ..Default::default()
            }],
            ..Default::default()
        };
        let resource = Resource {
            attributes: vec![kv("secret", "s")],
            ..Default::default()
        };
        let mut batch = Batch::Traces(vec![ResourceSpans {
            resource: Some(resource.clone()),
            scope_spans: vec![ScopeSpans {
                spans: vec![span.clone(), span.clone()],
                ..Default::default()
            }],
            ..Default::default()
        }]);
        processor(ACTIONS).apply(&mut batch);

        let edited = Span {
            attributes: vec![kv("keep", "k"), kv("env", "prod")],
            ..span
        };
        let expected = Batch::Traces(vec![ResourceSpans {
            resource: Some(resource),
            scope_spans: vec![ScopeSpans {
                spans: vec![edited.clone(), edited],
                ..Default::default()
            }],
            ..Default::default()
        }]);
        assert_eq!(batch, expected);
    }

    #[test]
    fn edits_log_record_attributes() {
        let mut batch = Batch::Logs(vec![ResourceLogs {
            scope_logs: vec![ScopeLogs {
                log_records: vec![LogRecord {
                    attributes: vec![kv("env", "dev"), kv("secret", "s")],
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        }]);
        processor(ACTIONS).apply(&mut batch);
        let Batch::Logs(logs) = batch else {
            panic!("signal changed")
        };
        assert_eq!(
            logs[0].scope_logs[0].log_records[0].attributes,
            vec![kv("env", "dev")]
        );
        assert_eq!(logs[0].resource, None);
    }

    #[test]
    fn edits_data_points_of_every_metric_type() {
        let attrs = || vec![kv("secret", "s"), kv("host", "h")];
        let metric = |data| Metric {
            name: "m".into(),
            data: Some(data),
            ..Default::default()
        };
        let number = || NumberDataPoint {
            attributes: attrs(),
            ..Default::default()
        };
        let metrics = vec![
            metric(metric::Data::Gauge(Gauge {
                data_points: vec![number(), number()],
            })),
            metric(metric::Data::Sum(Sum {
                data_points: vec![number()],
                ..Default::default()
            })),
            metric(metric::Data::Histogram(Histogram {
                data_points: vec![HistogramDataPoint {
                    attributes: attrs(),
                    ..Default::default()
                }],
                ..Default::default()
            })),
            metric(metric::Data::ExponentialHistogram(ExponentialHistogram {
                data_points: vec![ExponentialHistogramDataPoint {
                    attributes: attrs(),
                    ..Default::default()
                }],
                ..Default::default()
            })),
            metric(metric::Data::Summary(Summary {
                data_points: vec![SummaryDataPoint {
                    attributes: attrs(),
                    ..Default::default()
                }],
            })),
            Metric::default(),
        ];
        let mut batch = Batch::Metrics(vec![ResourceMetrics {
            scope_metrics: vec![ScopeMetrics {
                metrics,
                ..Default::default()
            }],
            ..Default::default()
        }]);
        processor(ACTIONS).apply(&mut batch);

        let Batch::Metrics(rm) = batch else {
            panic!("signal changed")
        };
        let mut seen = Vec::new();
        for m in &rm[0].scope_metrics[0].metrics {
            let points: Vec<&Vec<KeyValue>> = match &m.data {
                Some(metric::Data::Gauge(g)) => {
                    g.data_points.iter().map(|p| &p.attributes).collect()
                }
                Some(metric::Data::Sum(s)) => s.data_points.iter().map(|p| &p.attributes).collect(),
                Some(metric::Data::Histogram(h)) => {
                    h.data_points.iter().map(|p| &p.attributes).collect()
                }
                Some(metric::Data::ExponentialHistogram(h)) => {
                    h.data_points.iter().map(|p| &p.attributes).collect()
                }
                Some(metric::Data::Summary(s)) => {
                    s.data_points.iter().map(|p| &p.attributes).collect()
                }
                None => vec![],
            };
            seen.extend(points);
        }
        let expected = vec![kv("host", "h"), kv("env", "prod")];
        assert_eq!(seen, vec![&expected; 6]);
    }

    #[test]
    fn config_rejects_unknown_keys_and_defaults_to_no_actions() {
        let err = yaml_serde::from_str::<AttributesConfig>("include: {}\nactions: []\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `include`"), "{err}");
        let config: AttributesConfig = yaml_serde::from_str("{}").unwrap();
        assert_eq!(config, AttributesConfig::default());
    }

    #[test]
    fn bad_action_error_names_path_and_line() {
        let yaml = "actions:\n  - {key: a, action: delete}\n  - {key: b, action: update}\n";
        let err = yaml_serde::from_str::<AttributesConfig>(yaml)
            .unwrap_err()
            .to_string();
        assert!(err.contains("actions[1]"), "{err}");
        assert!(err.contains("line 3"), "{err}");
        assert!(
            err.contains("action `update` on key `b` needs one of"),
            "{err}"
        );
    }
}
