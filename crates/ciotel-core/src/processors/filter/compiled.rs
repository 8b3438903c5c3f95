//! The legacy matches compiled once at config load: string patterns (strict or regexp),
//! attribute matchers, and the span, log and metric matches built from their configs.

use super::config::{
    AttributeMatchConfig, FilterConfigError, LogMatchConfig, MatchType, MetricMatchConfig,
    SpanMatchConfig,
};
use crate::processors::attribute_actions::{deserialize_checked, value_as_string};
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::logs::v1::LogRecord;
use opentelemetry_proto::tonic::trace::v1::Span;
use regex::Regex;
use serde::{Deserialize, Deserializer};

/// A string pattern, compiled once at config load.
#[derive(Debug, Clone)]
pub(super) enum Pattern {
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
pub(super) fn any_matches(patterns: &[Pattern], s: impl FnOnce() -> String) -> bool {
    if patterns.is_empty() {
        return true;
    }
    let s = s();
    patterns.iter().any(|p| p.matches(&s))
}

#[derive(Debug, Clone)]
pub(super) struct AttributeMatcher {
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
pub(super) fn all_match(matchers: &[AttributeMatcher], attrs: &[KeyValue]) -> bool {
    matchers.iter().all(|m| m.matches(attrs))
}

/// The part every match shares: criteria on the resource, checked once per resource group.
pub(super) trait Match {
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
    pub(super) fn matches(&self, span: &Span) -> bool {
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
    pub(super) fn matches(&self, record: &LogRecord) -> bool {
        any_matches(&self.severity_texts, || record.severity_text.clone())
            && any_matches(&self.bodies, || value_as_string(record.body.as_ref()))
            && all_match(&self.record_attributes, &record.attributes)
    }
}

/// A compiled metric match. Deserialized from a [`MetricMatchConfig`]; an invalid regex or an
/// empty match is an error naming its line.
#[derive(Debug, Clone)]
pub struct MetricMatch {
    pub(super) metric_names: Vec<Pattern>,
    resource_attributes: Vec<AttributeMatcher>,
    pub(super) datapoint_attributes: Vec<AttributeMatcher>,
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
