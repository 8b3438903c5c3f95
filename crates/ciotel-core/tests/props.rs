//! Property tests of what the pipeline does with any batch and any config text:
//! - splitting a batch where the batch processor would, then merging it back, loses no item,
//!   and a head holds at most the limit unless it is one uncuttable metric alone;
//! - `${env:…}` expansion of a value replaces only its references and never reports a set
//!   variable as unset.
//!
//! The fuzz targets `otlp_proto` and `env_substitute` (fuzz/) check the same from arbitrary bytes.

use ciotel_core::config::env::{Environment, ReferenceError};
use ciotel_core::signal::{Batch, metric_point_count};
use opentelemetry_proto::tonic::common::v1::InstrumentationScope;
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
use opentelemetry_proto::tonic::metrics::v1::{
    Gauge, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, metric,
};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use proptest::collection::vec;
use proptest::prelude::*;

/// Resource groups → scope groups → item counts (for metrics: each metric's data points).
type Shape = Vec<Vec<Vec<usize>>>;

fn shape() -> impl Strategy<Value = Shape> {
    vec(vec(vec(0usize..5, 0..4), 0..3), 0..4)
}

fn scope(name: String) -> Option<InstrumentationScope> {
    Some(InstrumentationScope {
        name,
        ..Default::default()
    })
}

fn batch(signal: u8, shape: &Shape) -> Batch {
    let scopes =
        |r: usize, groups: &[Vec<usize>]| -> Vec<(Option<InstrumentationScope>, Vec<usize>)> {
            groups
                .iter()
                .enumerate()
                .map(|(s, items)| (scope(format!("{r}/{s}")), items.clone()))
                .collect()
        };
    match signal % 3 {
        0 => Batch::Traces(
            shape
                .iter()
                .enumerate()
                .map(|(r, groups)| ResourceSpans {
                    scope_spans: scopes(r, groups)
                        .into_iter()
                        .map(|(scope, items)| ScopeSpans {
                            scope,
                            spans: (0..items.iter().sum())
                                .map(|i| Span {
                                    name: format!("{i}"),
                                    ..Default::default()
                                })
                                .collect(),
                            ..Default::default()
                        })
                        .collect(),
                    ..Default::default()
                })
                .collect(),
        ),
        1 => Batch::Logs(
            shape
                .iter()
                .enumerate()
                .map(|(r, groups)| ResourceLogs {
                    scope_logs: scopes(r, groups)
                        .into_iter()
                        .map(|(scope, items)| ScopeLogs {
                            scope,
                            log_records: (0..items.iter().sum())
                                .map(|_| LogRecord::default())
                                .collect(),
                            ..Default::default()
                        })
                        .collect(),
                    ..Default::default()
                })
                .collect(),
        ),
        _ => Batch::Metrics(
            shape
                .iter()
                .enumerate()
                .map(|(r, groups)| ResourceMetrics {
                    scope_metrics: scopes(r, groups)
                        .into_iter()
                        .map(|(scope, points)| ScopeMetrics {
                            scope,
                            metrics: points
                                .iter()
                                .map(|&n| Metric {
                                    data: Some(metric::Data::Gauge(Gauge {
                                        data_points: vec![NumberDataPoint::default(); n],
                                    })),
                                    ..Default::default()
                                })
                                .collect(),
                            ..Default::default()
                        })
                        .collect(),
                    ..Default::default()
                })
                .collect(),
        ),
    }
}

/// Metrics with at least one data point (zero for spans and logs).
fn non_empty_metrics(batch: &Batch) -> usize {
    let Batch::Metrics(rm) = batch else { return 0 };
    rm.iter()
        .flat_map(|r| &r.scope_metrics)
        .flat_map(|s| &s.metrics)
        .filter(|m| metric_point_count(m.data.as_ref()) > 0)
        .count()
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_split_keeps_every_item_and_respects_the_limit(
        signal in any::<u8>(),
        shape in shape(),
        keep in 1usize..12,
    ) {
        let whole = batch(signal, &shape);
        let total = whole.item_count();
        let mut head = whole.clone();
        let tail = head.split_off_items(keep);
        let (h, t) = (head.item_count(), tail.item_count());
        prop_assert_eq!(h + t, total);
        prop_assert!(
            h <= keep || non_empty_metrics(&head) == 1,
            "a head of {} items for a limit of {}: {:?}", h, keep, head
        );
        if total > keep {
            prop_assert!(h > 0, "nothing kept of {} items", total);
        }
        head.append(tail).expect("same signal");
        prop_assert_eq!(head.item_count(), total);
    }

    #[test]
    fn expansion_replaces_only_references_and_reports_the_unset_one(
        parts in vec(prop_oneof![
            Just("${env:A}"), Just("${A}"), Just("${env:UNSET}"), Just("${env:UNSET:-x}"),
            Just("$$"), Just("$${env:A}"), Just("${env:"), Just("}"), Just("#"), Just("\""),
            Just("'"), Just("key: "), Just("é"), Just("\n"), Just("${"), Just("$"), Just("plain"),
        ], 0..10),
    ) {
        let text = parts.concat();
        let lookup = |name: &str| (name == "A").then(|| "a".to_owned());
        let env = Environment::new(&lookup);
        match env.expand(&text) {
            // Without a reference, or with every one set or defaulted, nothing else changes:
            // no `${` survives except those written `$${`.
            Ok(done) => {
                if !text.contains('$') {
                    prop_assert_eq!(done.as_ref(), text.as_str());
                }
                let left_unexpanded = done.contains("${env:A}") && !text.contains("$${env:A}");
                prop_assert!(!left_unexpanded, "a set reference was left: {:?}", done);
            }
            Err(ReferenceError::Unset { name }) => {
                prop_assert_ne!(name.as_str(), "A", "a set variable was reported");
            }
            Err(_) => {}
        }
    }
}
