//! What a condition looks at: one item with the resource and scope around it. Built by the
//! walker that visits the batch (filter, routing), borrowed, never copied.

use opentelemetry_proto::tonic::common::v1::{InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::logs::v1::LogRecord;
use opentelemetry_proto::tonic::metrics::v1::Metric;
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{Span, span};

/// One item under evaluation, with its resource and scope (either may be absent in OTLP).
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// The resource of the group the item is in.
    pub resource: Option<&'a Resource>,
    /// The instrumentation scope of the item.
    pub scope: Option<&'a InstrumentationScope>,
    /// The item itself.
    pub item: Item<'a>,
}

/// The item a condition is about, one variant per context.
#[derive(Debug, Clone, Copy)]
pub enum Item<'a> {
    /// The resource group itself (`resource` context).
    Resource,
    /// The scope group itself (`scope` context).
    Scope,
    Span(&'a Span),
    /// A span event and the span it belongs to.
    SpanEvent(&'a span::Event, &'a Span),
    Log(&'a LogRecord),
    Metric(&'a Metric),
    /// A data point's attributes and the metric it belongs to.
    DataPoint(&'a Metric, &'a [KeyValue]),
}

impl<'a> Subject<'a> {
    /// A resource group (`resource` context).
    pub fn resource(resource: Option<&'a Resource>) -> Self {
        Subject {
            resource,
            scope: None,
            item: Item::Resource,
        }
    }

    /// The same resource and scope with another item.
    pub fn with(self, item: Item<'a>) -> Self {
        Subject { item, ..self }
    }

    /// The same resource with scope `scope` (`scope` context).
    pub fn in_scope(self, scope: Option<&'a InstrumentationScope>) -> Self {
        Subject {
            resource: self.resource,
            scope,
            item: Item::Scope,
        }
    }

    /// The attributes of the item itself (the resource's in `resource` context).
    pub fn item_attributes(&self) -> &'a [KeyValue] {
        match self.item {
            Item::Resource => self.resource_attributes(),
            Item::Scope => self.scope_attributes(),
            Item::Span(s) => &s.attributes,
            Item::SpanEvent(e, _) => &e.attributes,
            Item::Log(l) => &l.attributes,
            Item::Metric(_) => &[],
            Item::DataPoint(_, attributes) => attributes,
        }
    }

    /// The resource's attributes (none without a resource).
    pub fn resource_attributes(&self) -> &'a [KeyValue] {
        self.resource.map_or(&[], |r| &r.attributes)
    }

    /// The scope's attributes (none without a scope).
    pub fn scope_attributes(&self) -> &'a [KeyValue] {
        self.scope.map_or(&[], |s| &s.attributes)
    }
}

/// The value of attribute `key` in `attributes` (the first, should a key repeat).
pub fn attribute<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a KeyValue> {
    attributes.iter().find(|kv| kv.key == key)
}
