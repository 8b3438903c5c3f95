//! Walking a batch and dropping what the rules rule out: legacy include/exclude matches
//! (narrowed per resource group, then per item) and condition lists (any match drops).

use super::compiled::{LogMatch, Match, MetricMatch, SpanMatch, all_match, any_matches};
use super::config::{MetricRules, TraceConditions};
use crate::condition::Condition;
use crate::condition::context::{Item, Subject};
use crate::signal::metric_point_count;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::logs::v1::ResourceLogs;
use opentelemetry_proto::tonic::metrics::v1::{Metric, ResourceMetrics, metric};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::ResourceSpans;

/// The include and exclude matches of one signal, at least one of them given.
pub(super) struct Sides<'a, M> {
    include: Option<&'a M>,
    exclude: Option<&'a M>,
}

impl<M> Clone for Sides<'_, M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M> Copy for Sides<'_, M> {}

impl<'a, M> Sides<'a, M> {
    /// Both sides, or `None` when neither is given (the signal has no include/exclude rules).
    pub(super) fn of(include: Option<&'a M>, exclude: Option<&'a M>) -> Option<Self> {
        (include.is_some() || exclude.is_some()).then_some(Sides { include, exclude })
    }
}

/// `include` and `exclude`, each with whether the criteria checked so far (resource, metric
/// name) hold; the remaining criteria are checked per item by [`Narrowed::keeps`].
struct Narrowed<'a, M> {
    include: Option<(&'a M, bool)>,
    exclude: Option<(&'a M, bool)>,
}

impl<'a, M: Match> Narrowed<'a, M> {
    /// `rules` as they stand for one resource group, its resource criteria already checked.
    fn for_resource(rules: Sides<'a, M>, resource: Option<&Resource>) -> Self {
        let attrs = resource.map_or(&[][..], |r| &r.attributes);
        Narrowed {
            include: rules.include.map(|m| (m, true)),
            exclude: rules.exclude.map(|m| (m, true)),
        }
        .narrow(|m| all_match(m.resource_attributes(), attrs))
    }
}

impl<M> Narrowed<'_, M> {
    /// Adds one more criterion to both sides (skipped where an earlier one already failed).
    fn narrow(self, holds: impl Fn(&M) -> bool) -> Self {
        Narrowed {
            include: self.include.map(|(m, ok)| (m, ok && holds(m))),
            exclude: self.exclude.map(|(m, ok)| (m, ok && holds(m))),
        }
    }

    /// True when an item whose remaining criteria are given by `holds` is kept.
    fn keeps(&self, holds: impl Fn(&M) -> bool) -> bool {
        let matches = |side: Option<(&M, bool)>| side.map(|(m, ok)| ok && holds(m));
        matches(self.include).unwrap_or(true) && !matches(self.exclude).unwrap_or(false)
    }

    /// True when either side satisfies `pred`.
    fn any(&self, pred: impl Fn(&M) -> bool) -> bool {
        [self.include, self.exclude]
            .into_iter()
            .flatten()
            .any(|(m, _)| pred(m))
    }
}

impl<M> Clone for Narrowed<'_, M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M> Copy for Narrowed<'_, M> {}

pub(super) fn filter_spans(
    rules: Option<Sides<'_, SpanMatch>>,
    resources: &mut Vec<ResourceSpans>,
) {
    let Some(rules) = rules else {
        return;
    };
    for rs in resources.iter_mut() {
        let rules = Narrowed::for_resource(rules, rs.resource.as_ref());
        for ss in &mut rs.scope_spans {
            ss.spans.retain(|span| rules.keeps(|m| m.matches(span)));
        }
        rs.scope_spans.retain(|ss| !ss.spans.is_empty());
    }
    resources.retain(|rs| !rs.scope_spans.is_empty());
}

pub(super) fn filter_logs(rules: Option<Sides<'_, LogMatch>>, resources: &mut Vec<ResourceLogs>) {
    let Some(rules) = rules else {
        return;
    };
    for rl in resources.iter_mut() {
        let rules = Narrowed::for_resource(rules, rl.resource.as_ref());
        for sl in &mut rl.scope_logs {
            sl.log_records
                .retain(|record| rules.keeps(|m| m.matches(record)));
        }
        rl.scope_logs.retain(|sl| !sl.log_records.is_empty());
    }
    resources.retain(|rl| !rl.scope_logs.is_empty());
}

pub(super) fn filter_metrics(
    rules: Option<Sides<'_, MetricMatch>>,
    resources: &mut Vec<ResourceMetrics>,
) {
    let Some(rules) = rules else {
        return;
    };
    for rm in resources.iter_mut() {
        let rules = Narrowed::for_resource(rules, rm.resource.as_ref());
        for sm in &mut rm.scope_metrics {
            sm.metrics.retain_mut(|metric| keep_metric(rules, metric));
        }
        rm.scope_metrics.retain(|sm| !sm.metrics.is_empty());
    }
    resources.retain(|rm| !rm.scope_metrics.is_empty());
}

/// Filters one metric's data points when a rule has `datapoint_attributes`, and says whether the
/// metric stays: as a whole by name otherwise, or when it has data points left.
fn keep_metric(rules: Narrowed<'_, MetricMatch>, metric: &mut Metric) -> bool {
    let name = metric.name.as_str();
    let rules = rules.narrow(|m| any_matches(&m.metric_names, || name.to_owned()));
    if !rules.any(|m| !m.datapoint_attributes.is_empty()) {
        return rules.keeps(|_| true);
    }
    if metric_point_count(metric.data.as_ref()) == 0 {
        // No data point can meet a data point criterion.
        return rules.keeps(|m| m.datapoint_attributes.is_empty());
    }
    retain_points(metric.data.as_mut(), |attrs| {
        rules.keeps(|m| all_match(&m.datapoint_attributes, attrs))
    });
    metric_point_count(metric.data.as_ref()) > 0
}

/// Keeps the data points whose attributes satisfy `keep`, whatever the metric type.
fn retain_points(data: Option<&mut metric::Data>, keep: impl Fn(&[KeyValue]) -> bool) {
    match data {
        Some(metric::Data::Gauge(g)) => g.data_points.retain(|p| keep(&p.attributes)),
        Some(metric::Data::Sum(s)) => s.data_points.retain(|p| keep(&p.attributes)),
        Some(metric::Data::Histogram(h)) => h.data_points.retain(|p| keep(&p.attributes)),
        Some(metric::Data::ExponentialHistogram(h)) => {
            h.data_points.retain(|p| keep(&p.attributes))
        }
        Some(metric::Data::Summary(s)) => s.data_points.retain(|p| keep(&p.attributes)),
        None => {}
    }
}

/// True when any condition holds for `subject`.
fn any_holds(conditions: &[Condition], subject: &Subject<'_>) -> bool {
    conditions.iter().any(|c| c.matches(subject))
}

/// Drops the spans, then the span events of the spans left, that a condition matches.
pub(super) fn drop_spans(conditions: &TraceConditions, resources: &mut Vec<ResourceSpans>) {
    if conditions.span.is_empty() && conditions.spanevent.is_empty() {
        return;
    }
    for rs in resources.iter_mut() {
        let at_resource = Subject::resource(rs.resource.as_ref());
        for ss in &mut rs.scope_spans {
            let at_scope = at_resource.in_scope(ss.scope.as_ref());
            if !conditions.span.is_empty() {
                ss.spans
                    .retain(|span| !any_holds(&conditions.span, &at_scope.with(Item::Span(span))));
            }
            if !conditions.spanevent.is_empty() {
                for span in &mut ss.spans {
                    let mut events = std::mem::take(&mut span.events);
                    events.retain(|event| {
                        !any_holds(
                            &conditions.spanevent,
                            &at_scope.with(Item::SpanEvent(event, span)),
                        )
                    });
                    span.events = events;
                }
            }
        }
        rs.scope_spans.retain(|ss| !ss.spans.is_empty());
    }
    resources.retain(|rs| !rs.scope_spans.is_empty());
}

/// Drops the log records a condition matches.
pub(super) fn drop_logs(conditions: &[Condition], resources: &mut Vec<ResourceLogs>) {
    if conditions.is_empty() {
        return;
    }
    for rl in resources.iter_mut() {
        let at_resource = Subject::resource(rl.resource.as_ref());
        for sl in &mut rl.scope_logs {
            let at_scope = at_resource.in_scope(sl.scope.as_ref());
            sl.log_records
                .retain(|record| !any_holds(conditions, &at_scope.with(Item::Log(record))));
        }
        rl.scope_logs.retain(|sl| !sl.log_records.is_empty());
    }
    resources.retain(|rl| !rl.scope_logs.is_empty());
}

/// Drops the metrics, then the data points of the metrics left, that a condition matches; a
/// metric left without data points goes too.
pub(super) fn drop_metrics(rules: &MetricRules, resources: &mut Vec<ResourceMetrics>) {
    if rules.metric.is_empty() && rules.datapoint.is_empty() {
        return;
    }
    for rm in resources.iter_mut() {
        let at_resource = Subject::resource(rm.resource.as_ref());
        for sm in &mut rm.scope_metrics {
            let at_scope = at_resource.in_scope(sm.scope.as_ref());
            sm.metrics.retain_mut(|m| {
                if any_holds(&rules.metric, &at_scope.with(Item::Metric(m))) {
                    return false;
                }
                if rules.datapoint.is_empty() {
                    return true;
                }
                let mut data = m.data.take();
                retain_points(data.as_mut(), |attributes| {
                    !any_holds(
                        &rules.datapoint,
                        &at_scope.with(Item::DataPoint(m, attributes)),
                    )
                });
                m.data = data;
                metric_point_count(m.data.as_ref()) > 0
            });
        }
        rm.scope_metrics.retain(|sm| !sm.metrics.is_empty());
    }
    resources.retain(|rm| !rm.scope_metrics.is_empty());
}
