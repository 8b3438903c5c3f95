//! The `filter` processor: drops spans, log records, metrics and metric data points by name,
//! attributes and resource attributes, in the OpenTelemetry Collector's legacy (non-OTTL)
//! `include` / `exclude` config shape.
//!
//! ```yaml
//! processors:
//!   filter:
//!     spans:
//!       exclude:
//!         match_type: regexp
//!         span_names: ["^healthcheck"]
//!     metrics:
//!       exclude:
//!         match_type: strict
//!         datapoint_attributes: [{ key: env, value: dev }]   # ciotel's own: drops data points
//! ```
//!
//! An item is kept if it matches `include` (when given) and does not match `exclude`. Within one
//! match, every given criterion must hold: a list of names matches if any name does, a list of
//! attributes if all of them do. With `match_type: strict` an attribute's string form must equal
//! the value; with `regexp` the regex must match somewhere in it (unanchored, as in Go); an
//! attribute without `value` only has to be present. Resource and scope groups left empty are
//! removed.

use super::Transform;
use super::attribute_actions::{ScalarValue, deserialize_checked, value_as_string};
use crate::signal::{Batch, metric_point_count};
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs};
use opentelemetry_proto::tonic::metrics::v1::{Metric, ResourceMetrics, metric};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, Span};
use regex::Regex;
use serde::{Deserialize, Deserializer};

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/// Config of the `filter` processor: one set of rules per signal, each optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterConfig {
    /// Which spans to keep.
    #[serde(default)]
    pub spans: Rules<SpanMatch>,
    /// Which log records to keep.
    #[serde(default)]
    pub logs: Rules<LogMatch>,
    /// Which metrics and metric data points to keep.
    #[serde(default)]
    pub metrics: Rules<MetricMatch>,
}

/// `include` and `exclude` for one signal: an item is kept if it matches `include` (when given)
/// and does not match `exclude`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules<M> {
    /// When given, only matching items are kept.
    pub include: Option<M>,
    /// When given, matching items are dropped.
    pub exclude: Option<M>,
}

impl<M> Default for Rules<M> {
    fn default() -> Self {
        Rules {
            include: None,
            exclude: None,
        }
    }
}

/// How the names and attribute values of a match are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchType {
    /// The string form must equal the pattern.
    Strict,
    /// The regex must match somewhere in the string form.
    Regexp,
}

/// An attribute criterion: `key` must be present and, when `value` is given, match it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeMatchConfig {
    /// The attribute that must be present.
    pub key: String,
    /// Compared with the attribute's string form (a regex with `match_type: regexp`).
    #[serde(default)]
    pub value: Option<ScalarValue>,
}

/// A span match as written in YAML; compile it with `SpanMatch::try_from`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpanMatchConfig {
    pub match_type: MatchType,
    /// The span name must match one of these.
    #[serde(default)]
    pub span_names: Vec<String>,
    /// Span attributes that must all match.
    #[serde(default)]
    pub attributes: Vec<AttributeMatchConfig>,
    /// Resource attributes that must all match.
    #[serde(default)]
    pub resource_attributes: Vec<AttributeMatchConfig>,
}

/// A log record match as written in YAML; compile it with `LogMatch::try_from`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogMatchConfig {
    pub match_type: MatchType,
    /// Log record attributes that must all match.
    #[serde(default)]
    pub record_attributes: Vec<AttributeMatchConfig>,
    /// Resource attributes that must all match.
    #[serde(default)]
    pub resource_attributes: Vec<AttributeMatchConfig>,
    /// The body's string form must match one of these.
    #[serde(default)]
    pub bodies: Vec<String>,
    /// The severity text must match one of these.
    #[serde(default)]
    pub severity_texts: Vec<String>,
}

/// A metric match as written in YAML; compile it with `MetricMatch::try_from`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricMatchConfig {
    pub match_type: MatchType,
    /// The metric name must match one of these.
    #[serde(default)]
    pub metric_names: Vec<String>,
    /// Resource attributes that must all match.
    #[serde(default)]
    pub resource_attributes: Vec<AttributeMatchConfig>,
    /// ciotel's own: data point attributes that must all match. With it, the match selects
    /// data points rather than whole metrics; a metric left without data points is dropped.
    #[serde(default)]
    pub datapoint_attributes: Vec<AttributeMatchConfig>,
}

/// Why a match config cannot be compiled.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FilterConfigError {
    /// A `match_type: regexp` pattern is not a valid regex.
    #[error("invalid regexp `{pattern}`: {source}")]
    InvalidRegex {
        pattern: String,
        source: regex::Error,
    },
    /// The match gives no criterion at all, so it would match everything.
    #[error("{what} match gives no criteria: set at least one of {fields}")]
    NoCriteria {
        what: &'static str,
        fields: &'static str,
    },
}

// ---------------------------------------------------------------------------------------------
// Compiled matches
// ---------------------------------------------------------------------------------------------

/// A string pattern, compiled once at config load.
#[derive(Debug, Clone)]
enum Pattern {
    Strict(String),
    Regexp(Regex),
}

impl Pattern {
    fn new(match_type: MatchType, pattern: String) -> Result<Self, FilterConfigError> {
        match match_type {
            MatchType::Strict => Ok(Pattern::Strict(pattern)),
            MatchType::Regexp => match Regex::new(&pattern) {
                Ok(regex) => Ok(Pattern::Regexp(regex)),
                Err(source) => Err(FilterConfigError::InvalidRegex { pattern, source }),
            },
        }
    }

    fn all(match_type: MatchType, patterns: Vec<String>) -> Result<Vec<Self>, FilterConfigError> {
        patterns
            .into_iter()
            .map(|p| Pattern::new(match_type, p))
            .collect()
    }

    fn matches(&self, s: &str) -> bool {
        match self {
            Pattern::Strict(expected) => expected == s,
            Pattern::Regexp(regex) => regex.is_match(s),
        }
    }
}

/// True when `patterns` is empty (no criterion) or any of them matches `s()`, computed lazily.
fn any_matches(patterns: &[Pattern], s: impl FnOnce() -> String) -> bool {
    if patterns.is_empty() {
        return true;
    }
    let s = s();
    patterns.iter().any(|p| p.matches(&s))
}

#[derive(Debug, Clone)]
struct AttributeMatcher {
    key: String,
    value: Option<Pattern>,
}

impl AttributeMatcher {
    fn all(
        match_type: MatchType,
        configs: Vec<AttributeMatchConfig>,
    ) -> Result<Vec<Self>, FilterConfigError> {
        configs
            .into_iter()
            .map(|c| {
                let value = c
                    .value
                    .map(|v| Pattern::new(match_type, v.as_string()))
                    .transpose()?;
                Ok(AttributeMatcher { key: c.key, value })
            })
            .collect()
    }

    fn matches(&self, attrs: &[KeyValue]) -> bool {
        attrs.iter().filter(|kv| kv.key == self.key).any(|kv| {
            self.value
                .as_ref()
                .is_none_or(|p| p.matches(&value_as_string(kv.value.as_ref())))
        })
    }
}

/// True when every matcher matches `attrs` (so also when there are none).
fn all_match(matchers: &[AttributeMatcher], attrs: &[KeyValue]) -> bool {
    matchers.iter().all(|m| m.matches(attrs))
}

/// The part every match shares: criteria on the resource, checked once per resource group.
trait Match {
    fn resource_attributes(&self) -> &[AttributeMatcher];
}

/// A compiled span match. Deserialized from a [`SpanMatchConfig`]; an invalid regex or an empty
/// match is an error naming its line.
#[derive(Debug, Clone)]
pub struct SpanMatch {
    span_names: Vec<Pattern>,
    attributes: Vec<AttributeMatcher>,
    resource_attributes: Vec<AttributeMatcher>,
}

impl TryFrom<SpanMatchConfig> for SpanMatch {
    type Error = FilterConfigError;

    fn try_from(c: SpanMatchConfig) -> Result<Self, Self::Error> {
        if c.span_names.is_empty() && c.attributes.is_empty() && c.resource_attributes.is_empty() {
            return Err(FilterConfigError::NoCriteria {
                what: "span",
                fields: "span_names, attributes, resource_attributes",
            });
        }
        Ok(SpanMatch {
            span_names: Pattern::all(c.match_type, c.span_names)?,
            attributes: AttributeMatcher::all(c.match_type, c.attributes)?,
            resource_attributes: AttributeMatcher::all(c.match_type, c.resource_attributes)?,
        })
    }
}

impl<'de> Deserialize<'de> for SpanMatch {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_checked::<D, SpanMatchConfig, SpanMatch>(deserializer, "a span match")
    }
}

impl Match for SpanMatch {
    fn resource_attributes(&self) -> &[AttributeMatcher] {
        &self.resource_attributes
    }
}

impl SpanMatch {
    fn matches(&self, span: &Span) -> bool {
        any_matches(&self.span_names, || span.name.clone())
            && all_match(&self.attributes, &span.attributes)
    }
}

/// A compiled log record match. Deserialized from a [`LogMatchConfig`]; an invalid regex or an
/// empty match is an error naming its line.
#[derive(Debug, Clone)]
pub struct LogMatch {
    record_attributes: Vec<AttributeMatcher>,
    resource_attributes: Vec<AttributeMatcher>,
    bodies: Vec<Pattern>,
    severity_texts: Vec<Pattern>,
}

impl TryFrom<LogMatchConfig> for LogMatch {
    type Error = FilterConfigError;

    fn try_from(c: LogMatchConfig) -> Result<Self, Self::Error> {
        if c.record_attributes.is_empty()
            && c.resource_attributes.is_empty()
            && c.bodies.is_empty()
            && c.severity_texts.is_empty()
        {
            return Err(FilterConfigError::NoCriteria {
                what: "log",
                fields: "record_attributes, resource_attributes, bodies, severity_texts",
            });
        }
        Ok(LogMatch {
            record_attributes: AttributeMatcher::all(c.match_type, c.record_attributes)?,
            resource_attributes: AttributeMatcher::all(c.match_type, c.resource_attributes)?,
            bodies: Pattern::all(c.match_type, c.bodies)?,
            severity_texts: Pattern::all(c.match_type, c.severity_texts)?,
        })
    }
}

impl<'de> Deserialize<'de> for LogMatch {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_checked::<D, LogMatchConfig, LogMatch>(deserializer, "a log match")
    }
}

impl Match for LogMatch {
    fn resource_attributes(&self) -> &[AttributeMatcher] {
        &self.resource_attributes
    }
}

impl LogMatch {
    fn matches(&self, record: &LogRecord) -> bool {
        any_matches(&self.severity_texts, || record.severity_text.clone())
            && any_matches(&self.bodies, || value_as_string(record.body.as_ref()))
            && all_match(&self.record_attributes, &record.attributes)
    }
}

/// A compiled metric match. Deserialized from a [`MetricMatchConfig`]; an invalid regex or an
/// empty match is an error naming its line.
#[derive(Debug, Clone)]
pub struct MetricMatch {
    metric_names: Vec<Pattern>,
    resource_attributes: Vec<AttributeMatcher>,
    datapoint_attributes: Vec<AttributeMatcher>,
}

impl TryFrom<MetricMatchConfig> for MetricMatch {
    type Error = FilterConfigError;

    fn try_from(c: MetricMatchConfig) -> Result<Self, Self::Error> {
        if c.metric_names.is_empty()
            && c.resource_attributes.is_empty()
            && c.datapoint_attributes.is_empty()
        {
            return Err(FilterConfigError::NoCriteria {
                what: "metric",
                fields: "metric_names, resource_attributes, datapoint_attributes",
            });
        }
        Ok(MetricMatch {
            metric_names: Pattern::all(c.match_type, c.metric_names)?,
            resource_attributes: AttributeMatcher::all(c.match_type, c.resource_attributes)?,
            datapoint_attributes: AttributeMatcher::all(c.match_type, c.datapoint_attributes)?,
        })
    }
}

impl<'de> Deserialize<'de> for MetricMatch {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_checked::<D, MetricMatchConfig, MetricMatch>(deserializer, "a metric match")
    }
}

impl Match for MetricMatch {
    fn resource_attributes(&self) -> &[AttributeMatcher] {
        &self.resource_attributes
    }
}

// ---------------------------------------------------------------------------------------------
// Runtime
// ---------------------------------------------------------------------------------------------

/// Drops the spans, log records, metrics and data points its [`FilterConfig`] rules out.
#[derive(Debug, Clone)]
pub struct FilterProcessor {
    config: FilterConfig,
}

impl FilterProcessor {
    /// Builds the processor; the patterns were compiled when the config was built.
    pub fn new(config: FilterConfig) -> Self {
        FilterProcessor { config }
    }
}

impl Transform for FilterProcessor {
    fn apply(&self, batch: &mut Batch) {
        match batch {
            Batch::Traces(resources) => filter_spans(&self.config.spans, resources),
            Batch::Logs(resources) => filter_logs(&self.config.logs, resources),
            Batch::Metrics(resources) => filter_metrics(&self.config.metrics, resources),
        }
    }
}

impl<M> Rules<M> {
    fn is_empty(&self) -> bool {
        self.include.is_none() && self.exclude.is_none()
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
    fn for_resource(rules: &'a Rules<M>, resource: Option<&Resource>) -> Self {
        let attrs = resource.map_or(&[][..], |r| &r.attributes);
        Narrowed {
            include: rules.include.as_ref().map(|m| (m, true)),
            exclude: rules.exclude.as_ref().map(|m| (m, true)),
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

fn filter_spans(rules: &Rules<SpanMatch>, resources: &mut Vec<ResourceSpans>) {
    if rules.is_empty() {
        return;
    }
    for rs in resources.iter_mut() {
        let rules = Narrowed::for_resource(rules, rs.resource.as_ref());
        for ss in &mut rs.scope_spans {
            ss.spans.retain(|span| rules.keeps(|m| m.matches(span)));
        }
        rs.scope_spans.retain(|ss| !ss.spans.is_empty());
    }
    resources.retain(|rs| !rs.scope_spans.is_empty());
}

fn filter_logs(rules: &Rules<LogMatch>, resources: &mut Vec<ResourceLogs>) {
    if rules.is_empty() {
        return;
    }
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

fn filter_metrics(rules: &Rules<MetricMatch>, resources: &mut Vec<ResourceMetrics>) {
    if rules.is_empty() {
        return;
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, any_value};
    use opentelemetry_proto::tonic::logs::v1::ScopeLogs;
    use opentelemetry_proto::tonic::metrics::v1::{
        ExponentialHistogram, ExponentialHistogramDataPoint, Gauge, Histogram, HistogramDataPoint,
        NumberDataPoint, ScopeMetrics, Sum, Summary, SummaryDataPoint,
    };
    use opentelemetry_proto::tonic::trace::v1::ScopeSpans;

    fn value(v: any_value::Value) -> Option<AnyValue> {
        Some(AnyValue { value: Some(v) })
    }

    fn kv(key: &str, v: &str) -> KeyValue {
        KeyValue {
            key: key.into(),
            value: value(any_value::Value::StringValue(v.into())),
            ..Default::default()
        }
    }

    fn kv_int(key: &str, v: i64) -> KeyValue {
        KeyValue {
            key: key.into(),
            value: value(any_value::Value::IntValue(v)),
            ..Default::default()
        }
    }

    fn resource(attributes: Vec<KeyValue>) -> Option<Resource> {
        Some(Resource {
            attributes,
            ..Default::default()
        })
    }

    fn filter(yaml: &str) -> FilterProcessor {
        FilterProcessor::new(yaml_serde::from_str(yaml).unwrap())
    }

    fn config_error(yaml: &str) -> String {
        yaml_serde::from_str::<FilterConfig>(yaml)
            .unwrap_err()
            .to_string()
    }

    // ---- spans ----

    fn span(name: &str, attributes: Vec<KeyValue>) -> Span {
        Span {
            name: name.into(),
            attributes,
            ..Default::default()
        }
    }

    fn traces(groups: Vec<(Option<Resource>, Vec<Span>)>) -> Batch {
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

    fn span_names(batch: &Batch) -> Vec<&str> {
        let Batch::Traces(rs) = batch else {
            panic!("not traces")
        };
        rs.iter()
            .flat_map(|r| &r.scope_spans)
            .flat_map(|s| &s.spans)
            .map(|s| s.name.as_str())
            .collect()
    }

    #[test]
    fn regexp_exclude_drops_exactly_the_matching_spans() {
        let mut batch = traces(vec![(
            None,
            vec![
                span("healthcheck", vec![]),
                span("build", vec![]),
                span("GET /healthcheck", vec![]),
                span("test", vec![]),
                span("Healthcheck", vec![]),
            ],
        )]);
        filter("spans: {exclude: {match_type: regexp, span_names: ['^health', 'test$']}}")
            .apply(&mut batch);
        assert_eq!(
            span_names(&batch),
            vec!["build", "GET /healthcheck", "Healthcheck"]
        );
    }

    #[test]
    fn strict_include_keeps_only_exact_names() {
        let mut batch = traces(vec![(
            None,
            vec![
                span("build", vec![]),
                span("build-2", vec![]),
                span("deploy", vec![]),
            ],
        )]);
        filter("spans: {include: {match_type: strict, span_names: [build, deploy]}}")
            .apply(&mut batch);
        assert_eq!(span_names(&batch), vec!["build", "deploy"]);
    }

    #[test]
    fn include_and_exclude_together() {
        let owned = |who| vec![kv("ciotel.owner", who)];
        let mut batch = traces(vec![(
            None,
            vec![
                span("job:build", owned("dev")),
                span("job:lint", owned("dev")),
                span("job:setup", owned("ops")),
                span("step:checkout", owned("dev")),
            ],
        )]);
        let yaml = "
spans:
  include:
    match_type: regexp
    span_names: ['^job:']
  exclude:
    match_type: strict
    attributes: [{key: ciotel.owner, value: ops}]
";
        filter(yaml).apply(&mut batch);
        assert_eq!(span_names(&batch), vec!["job:build", "job:lint"]);
    }

    #[test]
    fn all_attributes_must_match_and_absent_value_means_present() {
        let mut batch = traces(vec![(
            None,
            vec![
                span("a", vec![kv("env", "dev"), kv("debug", "x")]),
                span("b", vec![kv("env", "dev")]),
                span("c", vec![kv("env", "prod"), kv("debug", "")]),
                span("d", vec![kv_int("http.status_code", 503), kv("debug", "1")]),
            ],
        )]);
        filter("spans: {exclude: {match_type: strict, attributes: [{key: env, value: dev}, {key: debug}]}}")
            .apply(&mut batch);
        assert_eq!(span_names(&batch), vec!["b", "c", "d"]);

        // A YAML integer matches the string form of an integer attribute.
        filter("spans: {exclude: {match_type: strict, attributes: [{key: http.status_code, value: 503}]}}")
            .apply(&mut batch);
        assert_eq!(span_names(&batch), vec!["b", "c"]);
    }

    #[test]
    fn resource_attributes_select_whole_groups_and_empty_groups_are_removed() {
        let mut batch = traces(vec![
            (
                resource(vec![kv("service.name", "runner-7")]),
                vec![span("a", vec![])],
            ),
            (
                resource(vec![kv("service.name", "api")]),
                vec![span("b", vec![])],
            ),
            (None, vec![span("c", vec![])]),
        ]);
        filter("spans: {exclude: {match_type: regexp, resource_attributes: [{key: service.name, value: '^runner-\\d+$'}]}}")
            .apply(&mut batch);
        let Batch::Traces(rs) = &batch else {
            panic!("not traces")
        };
        assert_eq!(rs.len(), 2);
        assert_eq!(rs[0].resource, resource(vec![kv("service.name", "api")]));
        assert_eq!(span_names(&batch), vec!["b", "c"]);

        filter("spans: {include: {match_type: strict, span_names: [nothing]}}").apply(&mut batch);
        assert_eq!(batch, Batch::Traces(vec![]));
    }

    #[test]
    fn rules_of_other_signals_leave_a_batch_alone() {
        let mut batch = traces(vec![(None, vec![span("a", vec![])])]);
        let before = batch.clone();
        filter("logs: {exclude: {match_type: strict, bodies: [a]}}").apply(&mut batch);
        filter("{}").apply(&mut batch);
        assert_eq!(batch, before);
    }

    // ---- logs ----

    fn record(body: &str, severity: &str, attributes: Vec<KeyValue>) -> LogRecord {
        LogRecord {
            body: value(any_value::Value::StringValue(body.into())),
            severity_text: severity.into(),
            attributes,
            ..Default::default()
        }
    }

    fn logs(groups: Vec<(Option<Resource>, Vec<LogRecord>)>) -> Batch {
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

    fn bodies(batch: &Batch) -> Vec<String> {
        let Batch::Logs(rl) = batch else {
            panic!("not logs")
        };
        rl.iter()
            .flat_map(|r| &r.scope_logs)
            .flat_map(|s| &s.log_records)
            .map(|r| value_as_string(r.body.as_ref()))
            .collect()
    }

    #[test]
    fn logs_by_body_severity_and_attributes() {
        let batch = || {
            logs(vec![
                (
                    resource(vec![kv("host", "a")]),
                    vec![
                        record("GET /health 200", "INFO", vec![]),
                        record("build failed", "ERROR", vec![kv("job", "build")]),
                        record("cache miss", "DEBUG", vec![kv("job", "test")]),
                    ],
                ),
                (
                    resource(vec![kv("host", "b")]),
                    vec![record("disk full", "ERROR", vec![])],
                ),
            ])
        };

        let mut b = batch();
        filter(
            "logs: {exclude: {match_type: regexp, bodies: ['/health'], severity_texts: [INFO]}}",
        )
        .apply(&mut b);
        assert_eq!(bodies(&b), vec!["build failed", "cache miss", "disk full"]);

        let mut b = batch();
        filter("logs: {include: {match_type: strict, severity_texts: [ERROR, WARN]}}")
            .apply(&mut b);
        assert_eq!(bodies(&b), vec!["build failed", "disk full"]);

        let mut b = batch();
        let yaml = "
logs:
  include: {match_type: strict, resource_attributes: [{key: host, value: a}]}
  exclude: {match_type: strict, record_attributes: [{key: job}]}
";
        filter(yaml).apply(&mut b);
        assert_eq!(bodies(&b), vec!["GET /health 200"]);
        let Batch::Logs(rl) = &b else {
            panic!("not logs")
        };
        assert_eq!(rl.len(), 1, "the emptied resource group is removed");
    }

    // ---- metrics ----

    fn points<T>(make: impl Fn(Vec<KeyValue>) -> T) -> Vec<T> {
        vec![
            make(vec![kv("env", "dev"), kv("job", "a")]),
            make(vec![kv("env", "prod"), kv("job", "a")]),
            make(vec![kv("env", "dev"), kv("job", "b")]),
        ]
    }

    /// One metric of every type, each with the three data points of [`points`].
    fn every_metric_type() -> Vec<Metric> {
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

    fn metrics(resource: Option<Resource>, metrics: Vec<Metric>) -> Batch {
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
    fn metric_points(batch: &Batch) -> Vec<(String, Vec<String>)> {
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

    #[test]
    fn datapoint_attributes_exclude_drops_points_of_every_metric_type() {
        let mut batch = metrics(None, every_metric_type());
        filter("metrics: {exclude: {match_type: strict, datapoint_attributes: [{key: env, value: dev}]}}")
            .apply(&mut batch);
        let left = vec!["prod/a".to_owned()];
        assert_eq!(
            metric_points(&batch),
            ["gauge", "sum", "histogram", "exp_histogram", "summary"]
                .map(|name| (name.to_owned(), left.clone()))
                .to_vec()
        );
        assert_eq!(batch.item_count(), 5);
    }

    #[test]
    fn datapoint_attributes_apply_only_to_metrics_matching_the_names() {
        let mut batch = metrics(None, every_metric_type());
        let yaml = "
metrics:
  exclude:
    match_type: regexp
    metric_names: ['histogram$']
    datapoint_attributes: [{key: job, value: '^a$'}]
";
        filter(yaml).apply(&mut batch);
        let all = vec!["dev/a".to_owned(), "prod/a".to_owned(), "dev/b".to_owned()];
        let b_only = vec!["dev/b".to_owned()];
        assert_eq!(
            metric_points(&batch),
            vec![
                ("gauge".to_owned(), all.clone()),
                ("sum".to_owned(), all.clone()),
                ("histogram".to_owned(), b_only.clone()),
                ("exp_histogram".to_owned(), b_only),
                ("summary".to_owned(), all),
            ]
        );
    }

    #[test]
    fn datapoint_include_drops_metrics_left_without_points() {
        let mut all = every_metric_type();
        all.push(Metric {
            name: "no_data".into(),
            ..Default::default()
        });
        let mut batch = metrics(None, all);
        filter("metrics: {include: {match_type: strict, datapoint_attributes: [{key: env, value: nowhere}]}}")
            .apply(&mut batch);
        assert_eq!(batch, Batch::Metrics(vec![]));
    }

    #[test]
    fn metrics_by_name_and_resource() {
        let mut batch = metrics(
            resource(vec![kv("service.name", "ciotel")]),
            every_metric_type(),
        );
        filter("metrics: {include: {match_type: strict, metric_names: [sum, summary]}}")
            .apply(&mut batch);
        let names: Vec<String> = metric_points(&batch).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, vec!["sum", "summary"]);

        filter("metrics: {exclude: {match_type: strict, resource_attributes: [{key: service.name, value: ciotel}]}}")
            .apply(&mut batch);
        assert_eq!(batch, Batch::Metrics(vec![]));
    }

    // ---- config ----

    #[test]
    fn invalid_regex_is_a_config_error_naming_the_pattern_and_line() {
        let yaml = "spans:\n  exclude:\n    match_type: regexp\n    span_names: ['ok', 'build(']\n";
        let err = config_error(yaml);
        assert!(err.contains("invalid regexp `build(`"), "{err}");
        assert!(err.contains("spans.exclude"), "{err}");
        assert!(err.contains("line 3"), "{err}");

        let err = config_error(
            "logs: {include: {match_type: regexp, record_attributes: [{key: a, value: '[z-a]'}]}}",
        );
        assert!(err.contains("invalid regexp `[z-a]`"), "{err}");
    }

    #[test]
    fn strict_patterns_are_not_regexes() {
        let mut batch = traces(vec![(None, vec![span("a(", vec![]), span("a", vec![])])]);
        filter("spans: {exclude: {match_type: strict, span_names: ['a(']}}").apply(&mut batch);
        assert_eq!(span_names(&batch), vec!["a"]);
    }

    #[test]
    fn config_shape_errors() {
        let err = config_error("spans: {exclude: {match_type: glob, span_names: [a]}}");
        assert!(err.contains("unknown variant `glob`"), "{err}");
        let err = config_error("spans: {exclude: {span_names: [a]}}");
        assert!(err.contains("missing field `match_type`"), "{err}");
        let err = config_error("spans: {exclude: {match_type: strict}}");
        assert!(
            err.contains("span match gives no criteria: set at least one of span_names"),
            "{err}"
        );
        let err = config_error("spans: {exclude: {match_type: strict, bodies: [a]}}");
        assert!(err.contains("unknown field `bodies`"), "{err}");
        let err = config_error("traces: {span: ['name == \"a\"']}");
        assert!(err.contains("unknown field `traces`"), "{err}");
    }
}
