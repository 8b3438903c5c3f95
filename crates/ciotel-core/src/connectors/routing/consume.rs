//! Routing a batch: every span, log record or data point gets its destination set (see
//! `router.rs`), then the batch is split so each destination pipeline gets only its items.
//!
//! Splitting copies as little as it can. When every item of a batch (of a resource group, of a
//! scope group, of a metric) goes to the same set, the group is handed on whole: moved to the
//! last destination, cloned for the others. Only a group whose items part ways is taken apart,
//! and then only its own fields (resource, scope, metric name …) are copied for each part, never
//! its items. Groups with no items are dropped.

use super::router::{Router, Targets};
use crate::condition::ContextKind;
use crate::condition::context::{Item, Subject};
use crate::consumer::{ConsumeError, Consumer};
use crate::signal::Batch;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::logs::v1::{ResourceLogs, ScopeLogs};
use opentelemetry_proto::tonic::metrics::v1::{Metric, ResourceMetrics, ScopeMetrics, metric};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans};

/// The `routing` connector as a pipeline stage: the exporter end of its upstream pipelines.
///
/// Refusals: the batch is offered to every destination that has items for it, even after one
/// refused; if any refused, the connector refuses (retryable), so the client sends the whole
/// batch again and the destinations that took it the first time get it twice. That is
/// harmless: ciotel's ids are deterministic and backends de-duplicate on them.
pub struct RoutingConnector {
    router: Router,
}

impl RoutingConnector {
    /// A connector routing by `router`.
    pub fn new(router: Router) -> Self {
        RoutingConnector { router }
    }

    /// Splits `batch` by destination: one batch per destination index that gets anything.
    pub fn split(&self, batch: Batch) -> Vec<(usize, Batch)> {
        let n = self.router.destinations.len();
        match batch {
            Batch::Traces(resources) => {
                let targets = span_targets(&self.router, &resources);
                collect(n, &targets, resources, split_resource_spans, Batch::Traces)
            }
            Batch::Logs(resources) => {
                let targets = log_targets(&self.router, &resources);
                collect(n, &targets, resources, split_resource_logs, Batch::Logs)
            }
            Batch::Metrics(resources) => {
                let targets = point_targets(&self.router, &resources);
                collect(
                    n,
                    &targets,
                    resources,
                    split_resource_metrics,
                    Batch::Metrics,
                )
            }
        }
    }
}

impl Consumer for RoutingConnector {
    fn consume(&self, batch: Batch) -> Result<(), ConsumeError> {
        let mut refused = Vec::new();
        let mut permanent = Vec::new();
        for (index, part) in self.split(batch) {
            let (pipeline, stage) = &self.router.destinations[index];
            match stage.consume(part) {
                Ok(()) => {}
                Err(ConsumeError::Refused(e)) => refused.push(format!("{pipeline}: {e}")),
                Err(ConsumeError::Permanent(e)) => permanent.push(format!("{pipeline}: {e}")),
            }
        }
        if !refused.is_empty() {
            return Err(ConsumeError::Refused(refused.join("; ")));
        }
        if !permanent.is_empty() {
            return Err(ConsumeError::Permanent(permanent.join("; ")));
        }
        Ok(())
    }
}

// ---- destination sets, one per item, in the order the split walks them ----

fn span_targets(router: &Router, resources: &[ResourceSpans]) -> Vec<Targets> {
    let mut out = Vec::new();
    for rs in resources {
        let at_resource = Subject::resource(rs.resource.as_ref());
        let resource = router.group_answers(ContextKind::Resource, &at_resource);
        for ss in &rs.scope_spans {
            let at_scope = at_resource.in_scope(ss.scope.as_ref());
            out.extend(
                ss.spans
                    .iter()
                    .map(|span| router.targets(&at_scope.with(Item::Span(span)), resource, 0)),
            );
        }
    }
    out
}

fn log_targets(router: &Router, resources: &[ResourceLogs]) -> Vec<Targets> {
    let mut out = Vec::new();
    for rl in resources {
        let at_resource = Subject::resource(rl.resource.as_ref());
        let resource = router.group_answers(ContextKind::Resource, &at_resource);
        for sl in &rl.scope_logs {
            let at_scope = at_resource.in_scope(sl.scope.as_ref());
            out.extend(
                sl.log_records
                    .iter()
                    .map(|r| router.targets(&at_scope.with(Item::Log(r)), resource, 0)),
            );
        }
    }
    out
}

fn point_targets(router: &Router, resources: &[ResourceMetrics]) -> Vec<Targets> {
    let mut out = Vec::new();
    let by_metric = router.uses(ContextKind::Metric);
    for rm in resources {
        let at_resource = Subject::resource(rm.resource.as_ref());
        let resource = router.group_answers(ContextKind::Resource, &at_resource);
        for sm in &rm.scope_metrics {
            let at_scope = at_resource.in_scope(sm.scope.as_ref());
            for m in &sm.metrics {
                let metric = if by_metric {
                    router.group_answers(ContextKind::Metric, &at_scope.with(Item::Metric(m)))
                } else {
                    0
                };
                for_each_point(m, |attributes| {
                    out.push(router.targets(
                        &at_scope.with(Item::DataPoint(m, attributes)),
                        resource,
                        metric,
                    ));
                });
            }
        }
    }
    out
}

fn for_each_point(m: &Metric, mut f: impl FnMut(&[KeyValue])) {
    match &m.data {
        Some(metric::Data::Gauge(g)) => g.data_points.iter().for_each(|p| f(&p.attributes)),
        Some(metric::Data::Sum(s)) => s.data_points.iter().for_each(|p| f(&p.attributes)),
        Some(metric::Data::Histogram(h)) => h.data_points.iter().for_each(|p| f(&p.attributes)),
        Some(metric::Data::ExponentialHistogram(h)) => {
            h.data_points.iter().for_each(|p| f(&p.attributes))
        }
        Some(metric::Data::Summary(s)) => s.data_points.iter().for_each(|p| f(&p.attributes)),
        None => {}
    }
}

// ---- the split ----

/// Per destination index, the parts it gets.
type Parts<T> = Vec<Vec<T>>;

/// A function splitting one level of a batch by the target sets of its leaves.
type Split<T> = fn(Vec<T>, &[Targets], &mut Parts<T>);

/// Splits the top-level groups and wraps each destination's share as a batch.
fn collect<T>(
    n: usize,
    targets: &[Targets],
    groups: Vec<T>,
    split: Split<T>,
    wrap: fn(Vec<T>) -> Batch,
) -> Vec<(usize, Batch)> {
    let mut parts: Parts<T> = (0..n).map(|_| Vec::new()).collect();
    split(groups, targets, &mut parts);
    parts
        .into_iter()
        .enumerate()
        .filter(|(_, p)| !p.is_empty())
        .map(|(i, p)| (i, wrap(p)))
        .collect()
}

/// Hands `item` to every destination in `set`: cloned for all but the last, moved to it.
fn hand_out<T: Clone>(item: T, set: Targets, parts: &mut Parts<T>) {
    if set == 0 {
        return;
    }
    let last = 63 - set.leading_zeros() as usize;
    let mut rest = set & !(1 << last);
    while rest != 0 {
        let bit = rest.trailing_zeros() as usize;
        parts[bit].push(item.clone());
        rest &= rest - 1;
    }
    parts[last].push(item);
}

/// The set all of `targets` share, if they all go the same way (`Some(0)` for none at all).
fn uniform(targets: &[Targets]) -> Option<Targets> {
    let first = targets.first().copied().unwrap_or(0);
    targets.iter().all(|t| *t == first).then_some(first)
}

/// Splits a list of leaves (spans, records, data points), one target set each.
fn split_leaves<T: Clone>(items: Vec<T>, targets: &[Targets], parts: &mut Parts<T>) {
    for (item, set) in items.into_iter().zip(targets) {
        hand_out(item, *set, parts);
    }
}

/// A group of an OTLP batch whose items may be split: its own fields, and its children.
trait Group: Clone {
    type Child;
    /// How many leaves (routed items) it holds.
    fn leaves(&self) -> usize;
    /// Its children, to take apart.
    fn children(&mut self) -> &mut Vec<Self::Child>;
}

/// Splits groups: a group whose leaves all go one way is handed out whole; another is taken
/// apart with `split_children` and its own fields copied into each destination's part.
fn split_groups<G: Group>(
    groups: Vec<G>,
    targets: &[Targets],
    parts: &mut Parts<G>,
    split_children: Split<G::Child>,
) {
    let mut at = 0;
    for mut group in groups {
        let n = group.leaves();
        let own = &targets[at..at + n];
        at += n;
        if n == 0 {
            continue;
        }
        if let Some(set) = uniform(own) {
            hand_out(group, set, parts);
            continue;
        }
        let children = std::mem::take(group.children());
        let mut child_parts: Parts<G::Child> = (0..parts.len()).map(|_| Vec::new()).collect();
        split_children(children, own, &mut child_parts);
        let mut shares: Vec<(usize, Vec<G::Child>)> = child_parts
            .into_iter()
            .enumerate()
            .filter(|(_, c)| !c.is_empty())
            .collect();
        let Some((last, last_children)) = shares.pop() else {
            continue;
        };
        for (index, children) in shares {
            // The group has no children left, so a clone copies only its own fields.
            let mut part = group.clone();
            *part.children() = children;
            parts[index].push(part);
        }
        *group.children() = last_children;
        parts[last].push(group);
    }
}

macro_rules! group {
    ($group:ty, $field:ident, $child:ty, $count:expr) => {
        impl Group for $group {
            type Child = $child;
            fn leaves(&self) -> usize {
                self.$field.iter().map($count).sum()
            }
            fn children(&mut self) -> &mut Vec<$child> {
                &mut self.$field
            }
        }
    };
}

group!(ResourceSpans, scope_spans, ScopeSpans, |s: &ScopeSpans| s
    .spans
    .len());
group!(
    ScopeSpans,
    spans,
    opentelemetry_proto::tonic::trace::v1::Span,
    |_| 1
);
group!(ResourceLogs, scope_logs, ScopeLogs, |s: &ScopeLogs| s
    .log_records
    .len());
group!(
    ScopeLogs,
    log_records,
    opentelemetry_proto::tonic::logs::v1::LogRecord,
    |_| 1
);
group!(
    ResourceMetrics,
    scope_metrics,
    ScopeMetrics,
    |s: &ScopeMetrics| {
        s.metrics
            .iter()
            .map(|m| crate::signal::metric_point_count(m.data.as_ref()))
            .sum::<usize>()
    }
);
group!(ScopeMetrics, metrics, Metric, |m: &Metric| {
    crate::signal::metric_point_count(m.data.as_ref())
});

fn split_resource_spans(g: Vec<ResourceSpans>, t: &[Targets], p: &mut Parts<ResourceSpans>) {
    split_groups(g, t, p, |g, t, p| split_groups(g, t, p, split_leaves))
}

fn split_resource_logs(g: Vec<ResourceLogs>, t: &[Targets], p: &mut Parts<ResourceLogs>) {
    split_groups(g, t, p, |g, t, p| split_groups(g, t, p, split_leaves))
}

fn split_resource_metrics(g: Vec<ResourceMetrics>, t: &[Targets], p: &mut Parts<ResourceMetrics>) {
    split_groups(g, t, p, |g, t, p| split_groups(g, t, p, split_metrics))
}

/// Splits metrics by their data points; a metric taken apart keeps its name, unit, type and
/// temporality in every part.
fn split_metrics(metrics: Vec<Metric>, targets: &[Targets], parts: &mut Parts<Metric>) {
    let mut at = 0;
    for mut m in metrics {
        let n = crate::signal::metric_point_count(m.data.as_ref());
        let own = &targets[at..at + n];
        at += n;
        if n == 0 {
            continue;
        }
        if let Some(set) = uniform(own) {
            hand_out(m, set, parts);
            continue;
        }
        let Some(data) = m.data.take() else { continue };
        let shares: Vec<Option<metric::Data>> = match data {
            metric::Data::Gauge(d) => split_points(d, own, parts.len(), |d| &mut d.data_points)
                .into_iter()
                .map(|d| d.map(metric::Data::Gauge))
                .collect(),
            metric::Data::Sum(d) => split_points(d, own, parts.len(), |d| &mut d.data_points)
                .into_iter()
                .map(|d| d.map(metric::Data::Sum))
                .collect(),
            metric::Data::Histogram(d) => split_points(d, own, parts.len(), |d| &mut d.data_points)
                .into_iter()
                .map(|d| d.map(metric::Data::Histogram))
                .collect(),
            metric::Data::ExponentialHistogram(d) => {
                split_points(d, own, parts.len(), |d| &mut d.data_points)
                    .into_iter()
                    .map(|d| d.map(metric::Data::ExponentialHistogram))
                    .collect()
            }
            metric::Data::Summary(d) => split_points(d, own, parts.len(), |d| &mut d.data_points)
                .into_iter()
                .map(|d| d.map(metric::Data::Summary))
                .collect(),
        };
        for (index, data) in shares.into_iter().enumerate() {
            if let Some(data) = data {
                let mut part = m.clone(); // `data` was taken: the metric's own fields only
                part.data = Some(data);
                parts[index].push(part);
            }
        }
    }
}

/// Splits one metric's data (a gauge, sum …) by its points: per destination, a copy of the
/// data's own fields with that destination's points, or `None`.
fn split_points<D: Clone, P: Clone>(
    mut data: D,
    targets: &[Targets],
    n: usize,
    points: fn(&mut D) -> &mut Vec<P>,
) -> Vec<Option<D>> {
    let all = std::mem::take(points(&mut data));
    let mut point_parts: Parts<P> = (0..n).map(|_| Vec::new()).collect();
    split_leaves(all, targets, &mut point_parts);
    point_parts
        .into_iter()
        .map(|p| {
            (!p.is_empty()).then(|| {
                let mut d = data.clone();
                *points(&mut d) = p;
                d
            })
        })
        .collect()
}
