//! The `filter` processor's config as written: OTTL condition lists per signal, and the legacy
//! `include` / `exclude` rules with their match configs.

use super::apply::Sides;
use super::compiled::{LogMatch, MetricMatch, SpanMatch};
use crate::condition::serde::{ErrorMode, conditions};
use crate::condition::{Condition, ContextKind};
use crate::processors::attribute_actions::ScalarValue;
use serde::{Deserialize, Deserializer};

/// Config of the `filter` processor: rules per signal, each optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterConfig {
    /// The Collector's `error_mode` (`propagate`, `ignore`, `silent`). ciotel's conditions are
    /// checked when the config is read and cannot fail on data, so every mode behaves alike.
    #[serde(default)]
    pub error_mode: ErrorMode,
    /// Which spans to keep (legacy include/exclude).
    #[serde(default)]
    pub spans: Rules<SpanMatch>,
    /// Spans and span events to drop (conditions).
    #[serde(default)]
    pub traces: TraceConditions,
    /// Which log records to keep or drop.
    #[serde(default)]
    pub logs: LogRules,
    /// Which metrics and metric data points to keep or drop.
    #[serde(default)]
    pub metrics: MetricRules,
}

impl FilterConfig {
    /// Refuses a signal given both conditions and include/exclude, as the Collector does.
    pub fn validate(&self) -> Result<(), String> {
        let both = |signal: &str, legacy: &str, conditions: &str| {
            format!(
                "{signal}: use either conditions ({conditions}) or include/exclude ({legacy}), not both"
            )
        };
        if !self.spans.is_empty() && !self.traces.is_empty() {
            return Err(both("traces", "spans", "traces.span, traces.spanevent"));
        }
        if self.logs.sides().is_some() && !self.logs.log_record.is_empty() {
            return Err(both(
                "logs",
                "logs.include, logs.exclude",
                "logs.log_record",
            ));
        }
        if self.metrics.sides().is_some()
            && !(self.metrics.metric.is_empty() && self.metrics.datapoint.is_empty())
        {
            return Err(both(
                "metrics",
                "metrics.include, metrics.exclude",
                "metrics.metric, metrics.datapoint",
            ));
        }
        Ok(())
    }
}

/// `traces:` conditions: a span (span event) matching any of them is dropped.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceConditions {
    /// Conditions in span context.
    #[serde(default, deserialize_with = "span_conditions")]
    pub span: Vec<Condition>,
    /// Conditions in span event context.
    #[serde(default, deserialize_with = "spanevent_conditions")]
    pub spanevent: Vec<Condition>,
}

impl TraceConditions {
    fn is_empty(&self) -> bool {
        self.span.is_empty() && self.spanevent.is_empty()
    }
}

/// `logs:`: legacy include/exclude, or `log_record` conditions.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogRules {
    /// When given, only matching records are kept.
    pub include: Option<LogMatch>,
    /// When given, matching records are dropped.
    pub exclude: Option<LogMatch>,
    /// A record matching any of these (log context) is dropped.
    #[serde(default, deserialize_with = "log_conditions")]
    pub log_record: Vec<Condition>,
}

impl LogRules {
    /// The include/exclude sides, if either is given.
    pub(super) fn sides(&self) -> Option<Sides<'_, LogMatch>> {
        Sides::of(self.include.as_ref(), self.exclude.as_ref())
    }
}

/// `metrics:`: legacy include/exclude, or `metric` and `datapoint` conditions.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricRules {
    /// When given, only matching metrics (data points) are kept.
    pub include: Option<MetricMatch>,
    /// When given, matching metrics (data points) are dropped.
    pub exclude: Option<MetricMatch>,
    /// A metric matching any of these (metric context) is dropped whole.
    #[serde(default, deserialize_with = "metric_conditions")]
    pub metric: Vec<Condition>,
    /// A data point matching any of these (datapoint context) is dropped; a metric left without
    /// data points goes too.
    #[serde(default, deserialize_with = "datapoint_conditions")]
    pub datapoint: Vec<Condition>,
}

impl MetricRules {
    /// The include/exclude sides, if either is given.
    pub(super) fn sides(&self) -> Option<Sides<'_, MetricMatch>> {
        Sides::of(self.include.as_ref(), self.exclude.as_ref())
    }
}

fn span_conditions<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Condition>, D::Error> {
    conditions(d, ContextKind::Span)
}

fn spanevent_conditions<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Condition>, D::Error> {
    conditions(d, ContextKind::SpanEvent)
}

fn log_conditions<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Condition>, D::Error> {
    conditions(d, ContextKind::Log)
}

fn metric_conditions<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Condition>, D::Error> {
    conditions(d, ContextKind::Metric)
}

fn datapoint_conditions<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Condition>, D::Error> {
    conditions(d, ContextKind::DataPoint)
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

impl<M> Rules<M> {
    /// The include/exclude sides, if either is given.
    pub(super) fn sides(&self) -> Option<Sides<'_, M>> {
        Sides::of(self.include.as_ref(), self.exclude.as_ref())
    }

    fn is_empty(&self) -> bool {
        self.include.is_none() && self.exclude.is_none()
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
