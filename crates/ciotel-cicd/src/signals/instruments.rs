//! Cumulative counters and histograms kept in memory, and their OTLP form.
//!
//! Points are aggregated per series — a resource (the repository) and an attribute set — and
//! reported cumulatively: each collection carries the totals since the receiver started
//! (`start_time_unix_nano`), as the Collector's receivers and the OpenTelemetry SDKs do by
//! default. A collection that is lost (the pipeline refused it) loses nothing: the next
//! carries the same totals and more.
//!
//! Each instrument keeps at most `max_series` series; the points of further attribute sets go
//! to one series per resource with only `otel.metric.overflow: true`, as the SDKs'
//! cardinality limit does, so a burst of new names cannot grow memory without bound.

use opentelemetry_proto::tonic::common::v1::{
    AnyValue, ArrayValue, InstrumentationScope, KeyValue, any_value,
};
use opentelemetry_proto::tonic::metrics::v1::{
    AggregationTemporality, HistogramDataPoint, Metric, NumberDataPoint, ResourceMetrics,
    ScopeMetrics, Sum, metric, number_data_point,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use std::collections::BTreeMap;

use crate::translate::{SCHEMA_URL, SCOPE_NAME};

/// The attribute marking the series that takes points past the cardinality limit.
pub const OVERFLOW: &str = "otel.metric.overflow";

/// An attribute value of a metric point.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// A list of strings (runner labels).
    Strs(Vec<String>),
}

/// An attribute set, in the order it is written; keys are the `semconv` names.
pub type Attributes = Vec<(&'static str, Value)>;

/// Adds `key` with a string value when there is one.
pub fn push_str(attrs: &mut Attributes, key: &'static str, value: Option<&str>) {
    if let Some(v) = value {
        attrs.push((key, Value::Str(v.to_owned())));
    }
}

/// One series: the resource's attributes and the point's.
type SeriesKey = (Attributes, Attributes);

/// What an instrument is, for its OTLP form.
#[derive(Debug, Clone, Copy)]
pub struct Descriptor {
    /// The metric's name.
    pub name: &'static str,
    /// What it counts or measures.
    pub description: &'static str,
    /// UCUM unit (`s`, `{error}`).
    pub unit: &'static str,
}

/// A monotonic cumulative counter.
#[derive(Debug)]
pub struct Counter {
    descriptor: Descriptor,
    max_series: usize,
    series: BTreeMap<SeriesKey, u64>,
}

impl Counter {
    /// An empty counter keeping at most `max_series` series.
    pub fn new(descriptor: Descriptor, max_series: usize) -> Self {
        Counter {
            descriptor,
            max_series,
            series: BTreeMap::new(),
        }
    }

    /// Adds `n` to the series of `resource` and `attrs`.
    pub fn add(&mut self, resource: &Attributes, attrs: Attributes, n: u64) {
        let key = series_key(&self.series, self.max_series, resource, attrs);
        *self.series.entry(key).or_default() += n;
    }

    /// The total of one series (tests and DORA's own reads).
    pub fn value(&self, resource: &Attributes, attrs: &Attributes) -> Option<u64> {
        self.series.get(&(resource.clone(), attrs.clone())).copied()
    }

    fn metrics(&self, start: u64, now: u64) -> BTreeMap<&Attributes, Metric> {
        let mut out: BTreeMap<&Attributes, Metric> = BTreeMap::new();
        for ((resource, attrs), total) in &self.series {
            let point = NumberDataPoint {
                attributes: key_values(attrs),
                start_time_unix_nano: start,
                time_unix_nano: now,
                value: Some(number_data_point::Value::AsInt(
                    i64::try_from(*total).unwrap_or(i64::MAX),
                )),
                ..Default::default()
            };
            let metric = out.entry(resource).or_insert_with(|| Metric {
                name: self.descriptor.name.to_owned(),
                description: self.descriptor.description.to_owned(),
                unit: self.descriptor.unit.to_owned(),
                data: Some(metric::Data::Sum(Sum {
                    data_points: Vec::new(),
                    aggregation_temporality: AggregationTemporality::Cumulative as i32,
                    is_monotonic: true,
                })),
                ..Default::default()
            });
            if let Some(metric::Data::Sum(sum)) = &mut metric.data {
                sum.data_points.push(point);
            }
        }
        out
    }
}

/// A cumulative histogram with explicit bucket bounds.
#[derive(Debug)]
pub struct Histogram {
    descriptor: Descriptor,
    bounds: &'static [f64],
    max_series: usize,
    series: BTreeMap<SeriesKey, Buckets>,
}

/// One series of a histogram.
#[derive(Debug, Clone, PartialEq)]
pub struct Buckets {
    /// How many values fell into each bucket (one more than there are bounds).
    pub counts: Vec<u64>,
    /// How many values were recorded.
    pub count: u64,
    /// Their sum.
    pub sum: f64,
    /// The smallest.
    pub min: f64,
    /// The largest.
    pub max: f64,
}

impl Histogram {
    /// An empty histogram with `bounds` (ascending), keeping at most `max_series` series.
    pub fn new(descriptor: Descriptor, bounds: &'static [f64], max_series: usize) -> Self {
        Histogram {
            descriptor,
            bounds,
            max_series,
            series: BTreeMap::new(),
        }
    }

    /// Records `value` in the series of `resource` and `attrs`. A bucket holds the values up
    /// to and including its upper bound, as OTLP defines it.
    pub fn record(&mut self, resource: &Attributes, attrs: Attributes, value: f64) {
        let key = series_key(&self.series, self.max_series, resource, attrs);
        let bounds = self.bounds;
        let b = self.series.entry(key).or_insert_with(|| Buckets {
            counts: vec![0; bounds.len() + 1],
            count: 0,
            sum: 0.0,
            min: value,
            max: value,
        });
        let bucket = bounds.partition_point(|&bound| bound < value);
        b.counts[bucket] += 1;
        b.count += 1;
        b.sum += value;
        b.min = b.min.min(value);
        b.max = b.max.max(value);
    }

    /// One series (tests and DORA's own reads).
    pub fn buckets(&self, resource: &Attributes, attrs: &Attributes) -> Option<&Buckets> {
        self.series.get(&(resource.clone(), attrs.clone()))
    }

    fn metrics(&self, start: u64, now: u64) -> BTreeMap<&Attributes, Metric> {
        let mut out: BTreeMap<&Attributes, Metric> = BTreeMap::new();
        for ((resource, attrs), b) in &self.series {
            let point = HistogramDataPoint {
                attributes: key_values(attrs),
                start_time_unix_nano: start,
                time_unix_nano: now,
                count: b.count,
                sum: Some(b.sum),
                bucket_counts: b.counts.clone(),
                explicit_bounds: self.bounds.to_vec(),
                min: Some(b.min),
                max: Some(b.max),
                ..Default::default()
            };
            let metric = out.entry(resource).or_insert_with(|| Metric {
                name: self.descriptor.name.to_owned(),
                description: self.descriptor.description.to_owned(),
                unit: self.descriptor.unit.to_owned(),
                data: Some(metric::Data::Histogram(
                    opentelemetry_proto::tonic::metrics::v1::Histogram {
                        data_points: Vec::new(),
                        aggregation_temporality: AggregationTemporality::Cumulative as i32,
                    },
                )),
                ..Default::default()
            });
            if let Some(metric::Data::Histogram(h)) = &mut metric.data {
                h.data_points.push(point);
            }
        }
        out
    }
}

/// The series `attrs` goes into: its own while there is room, else the overflow series.
fn series_key<V>(
    series: &BTreeMap<SeriesKey, V>,
    max_series: usize,
    resource: &Attributes,
    attrs: Attributes,
) -> SeriesKey {
    let key = (resource.clone(), attrs);
    if series.contains_key(&key) || series.len() < max_series {
        return key;
    }
    (resource.clone(), vec![(OVERFLOW, Value::Bool(true))])
}

/// Any instrument, for collecting several into one batch.
pub enum Instrument<'a> {
    /// A counter.
    Counter(&'a Counter),
    /// A histogram.
    Histogram(&'a Histogram),
}

/// The instruments' series as OTLP, one `ResourceMetrics` per resource, its metrics in the
/// order given; instruments with no series yet are left out.
pub fn collect(instruments: &[Instrument<'_>], start: u64, now: u64) -> Vec<ResourceMetrics> {
    let mut by_resource: BTreeMap<&Attributes, Vec<Metric>> = BTreeMap::new();
    for instrument in instruments {
        let metrics = match instrument {
            Instrument::Counter(c) => c.metrics(start, now),
            Instrument::Histogram(h) => h.metrics(start, now),
        };
        for (resource, metric) in metrics {
            by_resource.entry(resource).or_default().push(metric);
        }
    }
    by_resource
        .into_iter()
        .map(|(resource, metrics)| ResourceMetrics {
            resource: Some(Resource {
                attributes: key_values(resource),
                ..Default::default()
            }),
            scope_metrics: vec![ScopeMetrics {
                scope: Some(InstrumentationScope {
                    name: SCOPE_NAME.to_owned(),
                    ..Default::default()
                }),
                metrics,
                schema_url: SCHEMA_URL.to_owned(),
            }],
            schema_url: SCHEMA_URL.to_owned(),
        })
        .collect()
}

fn key_values(attrs: &Attributes) -> Vec<KeyValue> {
    attrs
        .iter()
        .map(|(key, value)| KeyValue {
            key: (*key).to_owned(),
            value: Some(AnyValue {
                value: Some(match value {
                    Value::Str(s) => any_value::Value::StringValue(s.clone()),
                    Value::Int(i) => any_value::Value::IntValue(*i),
                    Value::Bool(b) => any_value::Value::BoolValue(*b),
                    Value::Strs(list) => any_value::Value::ArrayValue(ArrayValue {
                        values: list
                            .iter()
                            .map(|s| AnyValue {
                                value: Some(any_value::Value::StringValue(s.clone())),
                            })
                            .collect(),
                    }),
                }),
            }),
            ..Default::default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: Descriptor = Descriptor {
        name: "test",
        description: "",
        unit: "s",
    };

    fn attrs(v: &str) -> Attributes {
        vec![("k", Value::Str(v.into()))]
    }

    #[test]
    fn buckets_hold_values_up_to_their_bound() {
        let mut h = Histogram::new(D, &[10.0, 60.0], 10);
        let r = attrs("repo");
        for v in [10.0, 10.5, 60.0, 61.0, 0.0] {
            h.record(&r, attrs("a"), v);
        }
        let b = h.buckets(&r, &attrs("a")).unwrap();
        assert_eq!(b.counts, vec![2, 2, 1]);
        assert_eq!((b.count, b.sum, b.min, b.max), (5, 141.5, 0.0, 61.0));
    }

    #[test]
    fn past_the_limit_points_go_to_the_overflow_series() {
        let mut c = Counter::new(D, 2);
        let r = attrs("repo");
        for v in ["a", "b", "c", "d", "a"] {
            c.add(&r, attrs(v), 1);
        }
        assert_eq!(c.value(&r, &attrs("a")), Some(2));
        assert_eq!(c.value(&r, &attrs("c")), None);
        let overflow = vec![(OVERFLOW, Value::Bool(true))];
        assert_eq!(c.value(&r, &overflow), Some(2));
        let out = collect(&[Instrument::Counter(&c)], 1, 2);
        assert_eq!(out.len(), 1);
        let Some(metric::Data::Sum(sum)) = &out[0].scope_metrics[0].metrics[0].data else {
            panic!("a sum");
        };
        assert!(sum.is_monotonic);
        assert_eq!(sum.data_points.len(), 3);
        assert_eq!(
            sum.aggregation_temporality,
            AggregationTemporality::Cumulative as i32
        );
    }
}
