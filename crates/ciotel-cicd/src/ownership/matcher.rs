//! What a rule matches: span name, span kind, span and resource attributes, instrumentation
//! scope and origin. Every given criterion must hold; a list matches if any entry does.
//!
//! ```yaml
//! match:
//!   name: ["Set up job", "glob:Post *"]      # span name: any of these
//!   kind: internal                           # unspecified|internal|server|client|producer|consumer
//!   attributes: {cicd.worker.name: "regex:^gpu-"}     # all of these span attributes
//!   resource_attributes: {vcs.provider.name: github}  # all of these resource attributes
//!   scope: ciotel-cicd                       # instrumentation scope name: any of these
//!   origin: platform                         # platform (a CI receiver, Jenkins) | job (OTLP)
//!   uses: "glob:my-org/*"                    # GitHub step's action (ciotel.step.uses): any of these
//!   run: "regex:^make "                      # GitHub step's script line (ciotel.step.run): any
//!   step_id: deploy                          # GitHub step's `id:` (ciotel.step.id): any
//! ```
//!
//! `uses`, `run` and `step_id` are shorthands for the attributes the `github` receiver's poller
//! puts on steps from the workflow file (with `api:`); a step without the attribute (no
//! workflow file) does not match. `uses` is matched with its `@ref` (`glob:actions/cache@*`).
//!
//! An attribute criterion needs the attribute present with a matching value; an array
//! attribute matches when any element does. No `match` at all matches every span.

use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use serde::Deserialize;
use serde::de::{self, Deserializer, IntoDeserializer, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use super::pattern::Pattern;
use super::span_view::{Origin, SpanView, any_text, find};
use crate::semconv;

/// A compiled span match; see the module docs for the YAML.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpanMatch {
    /// The span name matches any of these.
    #[serde(default)]
    name: OneOrMany<Pattern>,
    /// The span kind is any of these.
    #[serde(default)]
    kind: OneOrMany<Kind>,
    /// Span attributes that must all match.
    #[serde(default)]
    attributes: BTreeMap<String, Pattern>,
    /// Resource attributes that must all match.
    #[serde(default)]
    resource_attributes: BTreeMap<String, Pattern>,
    /// The instrumentation scope's name matches any of these.
    #[serde(default)]
    scope: OneOrMany<Pattern>,
    /// Where the span came from.
    #[serde(default)]
    origin: Option<Origin>,
    /// `ciotel.step.uses` matches any of these.
    #[serde(default)]
    uses: OneOrMany<Pattern>,
    /// `ciotel.step.run` matches any of these.
    #[serde(default)]
    run: OneOrMany<Pattern>,
    /// `ciotel.step.id` matches any of these.
    #[serde(default)]
    step_id: OneOrMany<Pattern>,
}

impl SpanMatch {
    /// Whether `span` satisfies every criterion.
    pub fn matches(&self, span: &SpanView<'_>) -> bool {
        self.matches_group(span.resource, span.scope) && self.matches_span(span.span)
    }

    /// Whether the criteria that depend only on the resource and the instrumentation scope
    /// (origin, scope, resource attributes) hold: the same for every span of a `ScopeSpans`,
    /// so the processor checks them once per group.
    pub fn matches_group(&self, resource: &[KeyValue], scope: &str) -> bool {
        self.origin.is_none_or(|o| o == Origin::of_scope(scope))
            && any(&self.scope.0, |p| p.matches(scope))
            && all_match(&self.resource_attributes, resource)
    }

    /// Whether the criteria on the span itself (name, kind, span attributes, what a step
    /// runs) hold.
    pub fn matches_span(&self, span: &Span) -> bool {
        any(&self.name.0, |p| p.matches(&span.name))
            && any(&self.kind.0, |k| k.0 as i32 == span.kind)
            && all_match(&self.attributes, &span.attributes)
            && any_of_attr(&self.uses.0, &span.attributes, semconv::CIOTEL_STEP_USES)
            && any_of_attr(&self.run.0, &span.attributes, semconv::CIOTEL_STEP_RUN)
            && any_of_attr(&self.step_id.0, &span.attributes, semconv::CIOTEL_STEP_ID)
    }

    /// Adds span names (any of them), for rules built in code.
    pub fn names(mut self, names: impl IntoIterator<Item = Pattern>) -> Self {
        self.name.0.extend(names);
        self
    }

    /// Adds a span attribute criterion.
    pub fn attribute(mut self, key: &str, pattern: Pattern) -> Self {
        self.attributes.insert(key.to_owned(), pattern);
        self
    }

    /// Adds a resource attribute criterion.
    pub fn resource_attribute(mut self, key: &str, pattern: Pattern) -> Self {
        self.resource_attributes.insert(key.to_owned(), pattern);
        self
    }

    /// Requires an instrumentation scope.
    pub fn scope(mut self, scope: Pattern) -> Self {
        self.scope.0.push(scope);
        self
    }

    /// Requires an origin.
    pub fn origin(mut self, origin: Origin) -> Self {
        self.origin = Some(origin);
        self
    }
}

/// True when there is no criterion, or any entry satisfies `f`.
fn any<T>(entries: &[T], f: impl Fn(&T) -> bool) -> bool {
    entries.is_empty() || entries.iter().any(f)
}

/// True when there is no criterion, or attribute `key` is present and any pattern matches it.
fn any_of_attr(patterns: &[Pattern], attrs: &[KeyValue], key: &str) -> bool {
    patterns.is_empty()
        || find(attrs, key).is_some_and(|v| any_text(v, |t| patterns.iter().any(|p| p.matches(t))))
}

fn all_match(criteria: &BTreeMap<String, Pattern>, attrs: &[KeyValue]) -> bool {
    criteria
        .iter()
        .all(|(key, pattern)| find(attrs, key).is_some_and(|v| any_text(v, |t| pattern.matches(t))))
}

/// A span kind as written in YAML (`server`, `internal`, …).
#[derive(Debug, Clone, Copy)]
struct Kind(SpanKind);

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const KINDS: &[&str] = &[
            "unspecified",
            "internal",
            "server",
            "client",
            "producer",
            "consumer",
        ];
        let name = String::deserialize(d)?;
        let kind = match name.to_ascii_lowercase().as_str() {
            "unspecified" => SpanKind::Unspecified,
            "internal" => SpanKind::Internal,
            "server" => SpanKind::Server,
            "client" => SpanKind::Client,
            "producer" => SpanKind::Producer,
            "consumer" => SpanKind::Consumer,
            _ => return Err(de::Error::unknown_variant(&name, KINDS)),
        };
        Ok(Kind(kind))
    }
}

/// One value or a list of them, as YAML lets people write either.
#[derive(Debug, Clone)]
struct OneOrMany<T>(Vec<T>);

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        OneOrMany(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value or a list of values")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                T::deserialize(v.into_deserializer()).map(|t| OneOrMany(vec![t]))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                T::deserialize(v.into_deserializer()).map(|t| OneOrMany(vec![t]))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                T::deserialize(v.into_deserializer()).map(|t| OneOrMany(vec![t]))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                T::deserialize(v.into_deserializer()).map(|t| OneOrMany(vec![t]))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                T::deserialize(v.into_deserializer()).map(|t| OneOrMany(vec![t]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(t) = seq.next_element()? {
                    out.push(t);
                }
                Ok(OneOrMany(out))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}
