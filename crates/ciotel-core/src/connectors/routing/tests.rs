//! Routing per context and signal, splits of mixed requests, copies, defaults and refusals.

use super::{Router, RoutingConfig, RoutingConnector};
use crate::component_id::PipelineId;
use crate::consumer::Consumer;
use crate::signal::Batch;
use crate::testing::CollectingConsumer;
use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue, any_value};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
use opentelemetry_proto::tonic::metrics::v1::{
    Gauge, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, Sum, metric,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

fn kv(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(value.into())),
        }),
        ..Default::default()
    }
}

fn resource(repo: &str) -> Option<Resource> {
    Some(Resource {
        attributes: vec![kv("vcs.repository.name", repo)],
        ..Default::default()
    })
}

fn span(id: u8, owner: Option<&str>) -> Span {
    Span {
        span_id: vec![id; 8],
        name: format!("span-{id}"),
        attributes: owner
            .map(|o| vec![kv("ciotel.owner", o)])
            .unwrap_or_default(),
        ..Default::default()
    }
}

fn scope(name: &str) -> Option<InstrumentationScope> {
    Some(InstrumentationScope {
        name: name.into(),
        ..Default::default()
    })
}

fn traces(groups: Vec<(&str, Vec<Span>)>) -> Batch {
    Batch::Traces(
        groups
            .into_iter()
            .map(|(repo, spans)| ResourceSpans {
                resource: resource(repo),
                scope_spans: vec![ScopeSpans {
                    scope: scope("ciotel"),
                    spans,
                    ..Default::default()
                }],
                ..Default::default()
            })
            .collect(),
    )
}

/// A connector from `yaml` with a collecting sink per pipeline it names.
struct Harness {
    connector: RoutingConnector,
    sinks: BTreeMap<String, Arc<CollectingConsumer>>,
}

fn harness(yaml: &str) -> Harness {
    let config: RoutingConfig = yaml_serde::from_str(yaml).unwrap();
    let mut sinks = BTreeMap::new();
    for id in config.distinct_pipelines() {
        sinks.insert(id.to_string(), Arc::new(CollectingConsumer::default()));
    }
    let router = Router::new(&config, |id: &PipelineId| {
        sinks
            .get(&id.to_string())
            .map(|s| s.clone() as crate::consumer::NextConsumer)
    })
    .unwrap();
    Harness {
        connector: RoutingConnector::new(router),
        sinks,
    }
}

impl Harness {
    /// Span ids (first byte) each pipeline received, and how many batches.
    fn spans(&self, pipeline: &str) -> Vec<u8> {
        let batches = self.sinks[pipeline].batches.lock().unwrap();
        batches
            .iter()
            .flat_map(|b| match b {
                Batch::Traces(rs) => rs.clone(),
                _ => panic!("not traces"),
            })
            .flat_map(|r| r.scope_spans)
            .flat_map(|s| s.spans)
            .map(|s| s.span_id[0])
            .collect()
    }

    fn batches(&self, pipeline: &str) -> Vec<Batch> {
        self.sinks[pipeline].batches.lock().unwrap().clone()
    }
}

const OWNERS: &str = r#"
default_pipelines: [traces/archive]
table:
  - context: span
    condition: 'attributes["ciotel.owner"] == "platform"'
    pipelines: [traces/ops, traces/archive]
  - context: span
    statement: 'route() where attributes["ciotel.owner"] == "application"'
    pipelines: [traces/dev, traces/archive]
"#;

#[test]
fn a_mixed_request_is_split_per_span_with_resource_and_scope_copied() {
    let h = harness(OWNERS);
    let batch = traces(vec![(
        "api",
        vec![
            span(1, Some("platform")),
            span(2, Some("application")),
            span(3, None),
            span(4, Some("platform")),
        ],
    )]);
    h.connector.consume(batch).unwrap();
    assert_eq!(h.spans("traces/ops"), vec![1, 4]);
    assert_eq!(h.spans("traces/dev"), vec![2]);
    assert_eq!(h.spans("traces/archive"), vec![1, 2, 3, 4]);
    for pipeline in ["traces/ops", "traces/dev", "traces/archive"] {
        let batches = h.batches(pipeline);
        assert_eq!(batches.len(), 1, "{pipeline}: one batch per consume");
        let Batch::Traces(rs) = &batches[0] else {
            panic!()
        };
        assert_eq!(rs[0].resource, resource("api"), "{pipeline}");
        assert_eq!(rs[0].scope_spans[0].scope, scope("ciotel"), "{pipeline}");
    }
}

#[test]
fn a_request_going_one_way_is_handed_on_whole() {
    let h = harness(OWNERS);
    let batch = traces(vec![
        ("api", vec![span(1, Some("platform"))]),
        ("web", vec![span(2, Some("platform"))]),
    ]);
    h.connector.consume(batch.clone()).unwrap();
    assert_eq!(h.batches("traces/ops"), vec![batch.clone()]);
    assert_eq!(h.batches("traces/archive"), vec![batch]);
    assert!(h.batches("traces/dev").is_empty());
}

#[test]
fn first_match_wins_unless_the_route_copies() {
    let h = harness(
        r#"
default_pipelines: [traces/rest]
table:
  - {context: span, condition: 'name == "span-1"', pipelines: [traces/a]}
  - {context: span, condition: 'IsMatch(name, "^span-")', pipelines: [traces/b]}
  - {context: span, condition: 'name == "span-3"', action: copy, pipelines: [traces/c]}
"#,
    );
    h.connector
        .consume(traces(vec![("api", vec![span(1, None), span(2, None)])]))
        .unwrap();
    assert_eq!(h.spans("traces/a"), vec![1]);
    assert_eq!(
        h.spans("traces/b"),
        vec![2],
        "span 1 was moved by the first route"
    );
    assert!(h.spans("traces/rest").is_empty());

    let h = harness(
        r#"
default_pipelines: [traces/rest]
table:
  - {context: span, condition: 'name == "span-3"', action: copy, pipelines: [traces/c]}
  - {context: span, condition: 'name == "span-4"', pipelines: [traces/d]}
"#,
    );
    h.connector
        .consume(traces(vec![(
            "api",
            vec![span(3, None), span(4, None), span(5, None)],
        )]))
        .unwrap();
    assert_eq!(h.spans("traces/c"), vec![3]);
    assert_eq!(h.spans("traces/d"), vec![4]);
    assert_eq!(
        h.spans("traces/rest"),
        vec![3, 5],
        "a copied item still goes to the default"
    );
}

#[test]
fn resource_context_routes_whole_groups_and_unmatched_items_without_default_are_dropped() {
    let h = harness(
        r#"
table:
  - condition: 'attributes["vcs.repository.name"] == "api"'
    pipelines: [traces/team-a]
  - context: resource
    condition: 'resource.attributes["vcs.repository.name"] == "web"'
    pipelines: [traces/team-b]
"#,
    );
    let batch = traces(vec![
        ("api", vec![span(1, None), span(2, None)]),
        ("web", vec![span(3, None)]),
        ("other", vec![span(4, None)]),
    ]);
    h.connector.consume(batch).unwrap();
    assert_eq!(h.spans("traces/team-a"), vec![1, 2]);
    assert_eq!(h.spans("traces/team-b"), vec![3]);
}

#[test]
fn logs_are_routed_per_record() {
    let h = harness(
        r#"
default_pipelines: [logs/rest]
table:
  - {context: log, condition: 'severity_number >= SEVERITY_NUMBER_ERROR', pipelines: [logs/alerts]}
"#,
    );
    let record = |n: i32, body: &str| LogRecord {
        severity_number: n,
        body: Some(AnyValue {
            value: Some(any_value::Value::StringValue(body.into())),
        }),
        ..Default::default()
    };
    let batch = Batch::Logs(vec![ResourceLogs {
        resource: resource("api"),
        scope_logs: vec![ScopeLogs {
            log_records: vec![record(17, "boom"), record(9, "fine"), record(21, "fatal")],
            ..Default::default()
        }],
        ..Default::default()
    }]);
    h.connector.consume(batch).unwrap();
    let bodies = |p: &str| -> Vec<String> {
        h.batches(p)
            .iter()
            .flat_map(|b| match b {
                Batch::Logs(rl) => rl.clone(),
                _ => panic!(),
            })
            .flat_map(|r| r.scope_logs)
            .flat_map(|s| s.log_records)
            .map(|r| match r.body.and_then(|b| b.value) {
                Some(any_value::Value::StringValue(s)) => s,
                _ => String::new(),
            })
            .collect()
    };
    assert_eq!(bodies("logs/alerts"), vec!["boom", "fatal"]);
    assert_eq!(bodies("logs/rest"), vec!["fine"]);
}

fn point(result: &str) -> NumberDataPoint {
    NumberDataPoint {
        attributes: vec![kv("cicd.pipeline.result", result)],
        ..Default::default()
    }
}

fn metrics_batch() -> Batch {
    Batch::Metrics(vec![ResourceMetrics {
        resource: resource("api"),
        scope_metrics: vec![ScopeMetrics {
            metrics: vec![
                Metric {
                    name: "ci.runs".into(),
                    unit: "{run}".into(),
                    data: Some(metric::Data::Sum(Sum {
                        data_points: vec![point("failure"), point("success"), point("failure")],
                        aggregation_temporality: 2,
                        is_monotonic: true,
                    })),
                    ..Default::default()
                },
                Metric {
                    name: "ci.queue".into(),
                    data: Some(metric::Data::Gauge(Gauge {
                        data_points: vec![point("success")],
                    })),
                    ..Default::default()
                },
            ],
            ..Default::default()
        }],
        ..Default::default()
    }])
}

/// (metric name, unit, temporality, point results) per metric a pipeline received.
fn metric_parts(h: &Harness, p: &str) -> Vec<(String, String, i32, Vec<String>)> {
    h.batches(p)
        .iter()
        .flat_map(|b| match b {
            Batch::Metrics(rm) => rm.clone(),
            _ => panic!(),
        })
        .flat_map(|r| r.scope_metrics)
        .flat_map(|s| s.metrics)
        .map(|m| {
            let (temporality, points) = match m.data {
                Some(metric::Data::Sum(s)) => (s.aggregation_temporality, s.data_points),
                Some(metric::Data::Gauge(g)) => (0, g.data_points),
                _ => panic!(),
            };
            let results = points
                .iter()
                .map(|p| match &p.attributes[0].value.as_ref().unwrap().value {
                    Some(any_value::Value::StringValue(s)) => s.clone(),
                    _ => String::new(),
                })
                .collect();
            (m.name, m.unit, temporality, results)
        })
        .collect()
}

#[test]
fn metrics_are_routed_per_data_point_keeping_the_metric_fields() {
    let h = harness(
        r#"
default_pipelines: [metrics/rest]
table:
  - context: datapoint
    condition: 'metric.name == "ci.runs" and attributes["cicd.pipeline.result"] == "failure"'
    pipelines: [metrics/failures]
"#,
    );
    h.connector.consume(metrics_batch()).unwrap();
    let f = |s: &str| s.to_string();
    assert_eq!(
        metric_parts(&h, "metrics/failures"),
        vec![(
            f("ci.runs"),
            f("{run}"),
            2,
            vec![f("failure"), f("failure")]
        )]
    );
    assert_eq!(
        metric_parts(&h, "metrics/rest"),
        vec![
            (f("ci.runs"), f("{run}"), 2, vec![f("success")]),
            (f("ci.queue"), f(""), 0, vec![f("success")]),
        ]
    );
}

#[test]
fn metric_context_routes_whole_metrics() {
    let h = harness(
        r#"
default_pipelines: [metrics/rest]
table:
  - {context: metric, condition: 'name == "ci.queue"', pipelines: [metrics/queue]}
"#,
    );
    h.connector.consume(metrics_batch()).unwrap();
    let names =
        |p: &str| -> Vec<String> { metric_parts(&h, p).into_iter().map(|(n, ..)| n).collect() };
    assert_eq!(names("metrics/queue"), vec!["ci.queue"]);
    assert_eq!(names("metrics/rest"), vec!["ci.runs"]);
}

#[test]
fn a_refusing_destination_makes_the_connector_refuse_and_the_others_keep_their_part() {
    let h = harness(OWNERS);
    h.sinks["traces/dev"].refuse.store(true, Ordering::Relaxed);
    let err = h
        .connector
        .consume(traces(vec![(
            "api",
            vec![span(1, Some("platform")), span(2, Some("application"))],
        )]))
        .unwrap_err();
    assert!(err.is_retryable());
    assert!(err.to_string().contains("traces/dev"), "{err}");
    assert_eq!(h.spans("traces/ops"), vec![1]);
    assert_eq!(h.spans("traces/archive"), vec![1, 2]);
}

fn config_error(yaml: &str) -> String {
    yaml_serde::from_str::<RoutingConfig>(yaml)
        .unwrap_err()
        .to_string()
}

#[test]
fn config_errors_name_the_route() {
    let cases = [
        ("table: []", "table: at least one route is required"),
        (
            "table: [{context: request, condition: 'true', pipelines: [traces/a]}]",
            "context `request` (routing on client request metadata) is not supported",
        ),
        (
            "table: [{context: spans, condition: 'true', pipelines: [traces/a]}]",
            "unknown context `spans` (known: resource, span, log, metric, datapoint)",
        ),
        (
            "table: [{condition: 'true', statement: 'route() where true', pipelines: [traces/a]}]",
            "give either `condition` or `statement`, not both",
        ),
        (
            "table: [{pipelines: [traces/a]}]",
            "a route needs a `condition`",
        ),
        (
            "table: [{condition: 'true'}]",
            "a route needs at least one pipeline",
        ),
        (
            "table: [{condition: 'name == \"a\"', pipelines: [traces/a]}]",
            "unknown path `name` in resource context",
        ),
        (
            "table: [{statement: 'route() where name ==', pipelines: [traces/a]}]",
            "column 22: expected a value or path",
        ),
        (
            "table: [{statement: 'drop() where true', pipelines: [traces/a]}]",
            "must read `route() where <condition>`",
        ),
        (
            "table: [{condition: 'true', pipelines: [spans/a]}]",
            "pipeline id `spans/a` must start with traces, metrics or logs",
        ),
        (
            "table: [{condition: 'true', pipelines: [traces/a]}]\nmatch_once: true",
            "unknown field `match_once`",
        ),
    ];
    for (yaml, want) in cases {
        let err = config_error(yaml);
        assert!(err.contains(want), "{yaml}\n  got: {err}");
    }
}

#[test]
fn a_bad_condition_is_reported_at_its_line() {
    let err = config_error(
        "table:\n  - context: span\n    condition: 'IsMatch(name, \"(\")'\n    pipelines: [traces/a]\n",
    );
    assert!(err.contains("invalid regex"), "{err}");
    assert!(err.contains("line 2"), "{err}");
    let err = config_error("table:\n  - pipelines: [traces/a]\n    condition: '(true'\n");
    assert!(err.contains("unbalanced `(`"), "{err}");
    assert!(err.contains("line 3"), "{err}");
}
