//! Splitting a batch after a number of items, so that no batch sent on exceeds a maximum.
//! Resource and scope groups are cut where needed, their resource and scope copied to both
//! halves. A metric is never cut: its data points stay together.

use crate::signal::{Batch, metric_point_count};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
use opentelemetry_proto::tonic::metrics::v1::{Metric, ResourceMetrics, ScopeMetrics};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};

/// Something that holds countable items and may be cut in two.
trait Split: Sized {
    fn count(&self) -> usize;
    /// Keeps `keep` items in `self` and returns the rest; `None` when it cannot be cut.
    /// `alone`: the head holds no item yet, outside `self` either.
    fn split_items(&mut self, keep: usize, alone: bool) -> Option<Self>;
}

/// Moves everything after the first `keep` items of `items` into the returned vector.
/// `alone`: no item was kept before `items` (in earlier groups of the batch).
fn split_vec<T: Split>(items: &mut Vec<T>, keep: usize, alone: bool) -> Vec<T> {
    let mut kept = 0;
    for i in 0..items.len() {
        let count = items[i].count();
        if kept + count <= keep {
            kept += count;
            continue;
        }
        let mut rest = items.split_off(i);
        let need = keep - kept;
        // Whether the head is still empty: only then may an item past the limit go in.
        let alone = alone && kept == 0;
        if need > 0 {
            if let Some(tail) = rest[0].split_items(need, alone) {
                items.push(std::mem::replace(&mut rest[0], tail));
            } else if alone {
                // An uncuttable item larger than the limit goes alone rather than never.
                items.push(rest.remove(0));
            }
        } else if alone && !rest.is_empty() {
            items.push(rest.remove(0));
        }
        return rest;
    }
    Vec::new()
}

macro_rules! leaf {
    ($ty:ty, |$item:ident| $count:expr) => {
        impl Split for $ty {
            fn count(&self) -> usize {
                let $item = self;
                $count
            }
            fn split_items(&mut self, _keep: usize, _alone: bool) -> Option<Self> {
                None
            }
        }
    };
}

macro_rules! group {
    ($ty:ty, $children:ident, [$($field:ident),*]) => {
        impl Split for $ty {
            fn count(&self) -> usize {
                self.$children.iter().map(Split::count).sum()
            }
            fn split_items(&mut self, keep: usize, alone: bool) -> Option<Self> {
                let rest = split_vec(&mut self.$children, keep, alone);
                Some(Self { $($field: self.$field.clone(),)* $children: rest })
            }
        }
    };
}

leaf!(Span, |_span| 1);
leaf!(LogRecord, |_record| 1);
leaf!(Metric, |metric| metric_point_count(metric.data.as_ref()));
group!(ScopeSpans, spans, [scope, schema_url]);
group!(ResourceSpans, scope_spans, [resource, schema_url]);
group!(ScopeLogs, log_records, [scope, schema_url]);
group!(ResourceLogs, scope_logs, [resource, schema_url]);
group!(ScopeMetrics, metrics, [scope, schema_url]);
group!(ResourceMetrics, scope_metrics, [resource, schema_url]);

impl Batch {
    /// Keeps the first `keep` items and returns the rest as a batch of the same signal.
    pub fn split_off_items(&mut self, keep: usize) -> Batch {
        match self {
            Batch::Traces(v) => Batch::Traces(split_vec(v, keep, true)),
            Batch::Metrics(v) => Batch::Metrics(split_vec(v, keep, true)),
            Batch::Logs(v) => Batch::Logs(split_vec(v, keep, true)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::common::v1::{InstrumentationScope, KeyValue};
    use opentelemetry_proto::tonic::resource::v1::Resource;

    fn spans(resources: &[(&str, &[usize])]) -> Batch {
        Batch::Traces(
            resources
                .iter()
                .map(|(name, scopes)| ResourceSpans {
                    resource: Some(Resource {
                        attributes: vec![KeyValue {
                            key: (*name).into(),
                            ..Default::default()
                        }],
                        ..Default::default()
                    }),
                    scope_spans: scopes
                        .iter()
                        .map(|n| ScopeSpans {
                            scope: Some(InstrumentationScope {
                                name: format!("{name}-scope"),
                                ..Default::default()
                            }),
                            spans: (0..*n)
                                .map(|i| Span {
                                    name: format!("s{i}"),
                                    ..Default::default()
                                })
                                .collect(),
                            ..Default::default()
                        })
                        .collect(),
                    ..Default::default()
                })
                .collect(),
        )
    }

    #[test]
    fn splits_inside_a_scope_and_copies_resource_and_scope() {
        let mut head = spans(&[("a", &[2, 3]), ("b", &[4])]);
        let tail = head.split_off_items(4);
        assert_eq!(head.item_count(), 4);
        assert_eq!(tail.item_count(), 5);
        let (Batch::Traces(h), Batch::Traces(t)) = (&head, &tail) else {
            panic!()
        };
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].scope_spans[1].spans.len(), 2);
        assert_eq!(t[0].resource, h[0].resource);
        assert_eq!(t[0].scope_spans[0].scope, h[0].scope_spans[1].scope);
        assert_eq!(t[0].scope_spans[0].spans[0].name, "s2");
        assert_eq!(t[1].scope_spans[0].spans.len(), 4);
    }

    #[test]
    fn exact_boundaries_and_small_batches() {
        let mut head = spans(&[("a", &[3])]);
        assert!(head.split_off_items(3).is_empty());
        let mut head = spans(&[("a", &[3]), ("b", &[1])]);
        let tail = head.split_off_items(3);
        assert_eq!(
            (head.item_count(), tail.item_count(), tail.resource_count()),
            (3, 1, 1)
        );
    }

    /// Metrics of 1 and 2 points in one scope, 3 in the next, limit 4: the 3-point metric went
    /// into the head beside the other 3 points (6 > 4), because "the head is empty" was only
    /// checked within the innermost list. It now waits for the next batch.
    #[test]
    fn an_uncuttable_metric_goes_alone_only_into_an_empty_head() {
        use opentelemetry_proto::tonic::metrics::v1::{Gauge, NumberDataPoint, metric};
        let metric = |points: usize| Metric {
            data: Some(metric::Data::Gauge(Gauge {
                data_points: vec![NumberDataPoint::default(); points],
            })),
            ..Default::default()
        };
        let scope = |metrics: Vec<Metric>| ScopeMetrics {
            metrics,
            ..Default::default()
        };
        let mut head = Batch::Metrics(vec![ResourceMetrics {
            scope_metrics: vec![scope(vec![metric(1), metric(2)]), scope(vec![metric(3)])],
            ..Default::default()
        }]);
        let mut tail = head.split_off_items(4);
        assert_eq!((head.item_count(), tail.item_count()), (3, 3));
        // Alone in the next head, the 3-point metric goes even past a limit of 2.
        let rest = tail.split_off_items(2);
        assert_eq!((tail.item_count(), rest.item_count()), (3, 0));
    }
}
