//! The `resource` processor: inserts, updates, upserts, deletes or hashes resource attributes of
//! traces, metrics and logs, with the OpenTelemetry Collector's config (`attributes:` list).
//!
//! ```yaml
//! processors:
//!   resource:
//!     attributes:
//!       - { key: service.namespace, action: upsert, value: ci }
//!       - { key: host.name, action: delete }
//! ```

use super::Transform;
use super::attribute_actions::{Action, apply_all, for_each_resource_attributes};
use crate::signal::Batch;
use serde::Deserialize;

/// Config of the `resource` processor. YAML deserialization checks every action, so a bad action
/// is an error naming its line.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceConfig {
    /// Applied in order to every resource's attributes (the Collector's key name).
    #[serde(default)]
    pub attributes: Vec<Action>,
}

/// Applies [`ResourceConfig::attributes`] to the resource of every resource group.
#[derive(Debug, Clone)]
pub struct ResourceProcessor {
    actions: Vec<Action>,
}

impl ResourceProcessor {
    /// Builds the processor; the actions were checked when the config was built.
    pub fn new(config: ResourceConfig) -> Self {
        ResourceProcessor {
            actions: config.attributes,
        }
    }
}

impl Transform for ResourceProcessor {
    fn apply(&self, batch: &mut Batch) {
        if self.actions.is_empty() {
            return;
        }
        for_each_resource_attributes(batch, |attrs| apply_all(&self.actions, attrs));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
    use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
    use opentelemetry_proto::tonic::metrics::v1::{Metric, ResourceMetrics, ScopeMetrics};
    use opentelemetry_proto::tonic::resource::v1::Resource;
    use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};

    fn kv(key: &str, value: &str) -> KeyValue {
        KeyValue {
            key: key.into(),
            value: Some(AnyValue {
                value: Some(any_value::Value::StringValue(value.into())),
            }),
            ..Default::default()
        }
    }

    fn resource(attributes: Vec<KeyValue>) -> Option<Resource> {
        Some(Resource {
            attributes,
            ..Default::default()
        })
    }

    fn processor(yaml: &str) -> ResourceProcessor {
        ResourceProcessor::new(yaml_serde::from_str(yaml).unwrap())
    }

    const ACTIONS: &str = "attributes:\n\
        - {key: host.name, action: delete}\n\
        - {key: service.namespace, action: upsert, value: ci}\n";

    #[test]
    fn edits_resource_of_traces_not_span_attributes() {
        let span = Span {
            attributes: vec![kv("host.name", "h")],
            ..Default::default()
        };
        let group = |resource| ResourceSpans {
            resource,
            scope_spans: vec![ScopeSpans {
                spans: vec![span.clone()],
                ..Default::default()
            }],
            ..Default::default()
        };
        let mut batch = Batch::Traces(vec![
            group(resource(vec![
                kv("service.name", "api"),
                kv("host.name", "h"),
            ])),
            group(None),
        ]);
        processor(ACTIONS).apply(&mut batch);
        let expected = Batch::Traces(vec![
            group(resource(vec![
                kv("service.name", "api"),
                kv("service.namespace", "ci"),
            ])),
            group(resource(vec![kv("service.namespace", "ci")])),
        ]);
        assert_eq!(batch, expected);
    }

    #[test]
    fn edits_resource_of_metrics_and_logs() {
        let mut metrics = Batch::Metrics(vec![ResourceMetrics {
            resource: resource(vec![kv("host.name", "h"), kv("service.namespace", "x")]),
            scope_metrics: vec![ScopeMetrics {
                metrics: vec![Metric::default()],
                ..Default::default()
            }],
            ..Default::default()
        }]);
        let mut logs = Batch::Logs(vec![ResourceLogs {
            resource: resource(vec![kv("host.name", "h")]),
            scope_logs: vec![ScopeLogs {
                log_records: vec![LogRecord::default()],
                ..Default::default()
            }],
            ..Default::default()
        }]);
        let p = processor(ACTIONS);
        p.apply(&mut metrics);
        p.apply(&mut logs);

        let Batch::Metrics(rm) = metrics else {
            panic!("signal changed")
        };
        assert_eq!(
            rm[0].resource,
            resource(vec![kv("service.namespace", "ci")])
        );
        let Batch::Logs(rl) = logs else {
            panic!("signal changed")
        };
        assert_eq!(
            rl[0].resource,
            resource(vec![kv("service.namespace", "ci")])
        );
        assert_eq!(rl[0].scope_logs[0].log_records, vec![LogRecord::default()]);
    }

    #[test]
    fn missing_resource_stays_missing_when_nothing_is_added() {
        let mut batch = Batch::Logs(vec![ResourceLogs::default()]);
        processor("attributes: [{key: a, action: delete}, {key: b, action: update, value: x}]")
            .apply(&mut batch);
        assert_eq!(batch, Batch::Logs(vec![ResourceLogs::default()]));
    }

    #[test]
    fn config_uses_the_collector_key_name() {
        let err = yaml_serde::from_str::<ResourceConfig>("actions: []\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `actions`"), "{err}");
        let err =
            yaml_serde::from_str::<ResourceConfig>("attributes:\n  - {key: a, action: hsh}\n")
                .unwrap_err()
                .to_string();
        assert!(err.contains("unknown variant `hsh`"), "{err}");
    }
}
