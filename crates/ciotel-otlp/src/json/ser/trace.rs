//! Encoding the trace signal: ExportTraceServiceRequest down to spans, events and links.

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::trace::v1::span::{Event, Link};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};

use super::{Encode, Obj};

impl Encode for ExportTraceServiceRequest {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.messages("resourceSpans", &self.resource_spans);
    }
}

impl Encode for ResourceSpans {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.message("resource", self.resource.as_ref());
        obj.messages("scopeSpans", &self.scope_spans);
        obj.string("schemaUrl", &self.schema_url);
    }
}

impl Encode for ScopeSpans {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.message("scope", self.scope.as_ref());
        obj.messages("spans", &self.spans);
        obj.string("schemaUrl", &self.schema_url);
    }
}

impl Encode for Span {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.hex("traceId", &self.trace_id);
        obj.hex("spanId", &self.span_id);
        obj.string("traceState", &self.trace_state);
        obj.hex("parentSpanId", &self.parent_span_id);
        obj.int32("flags", self.flags);
        obj.string("name", &self.name);
        obj.int32("kind", self.kind);
        obj.uint64("startTimeUnixNano", self.start_time_unix_nano);
        obj.uint64("endTimeUnixNano", self.end_time_unix_nano);
        obj.messages("attributes", &self.attributes);
        obj.int32("droppedAttributesCount", self.dropped_attributes_count);
        obj.messages("events", &self.events);
        obj.int32("droppedEventsCount", self.dropped_events_count);
        obj.messages("links", &self.links);
        obj.int32("droppedLinksCount", self.dropped_links_count);
        obj.message("status", self.status.as_ref());
    }
}

impl Encode for Event {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.uint64("timeUnixNano", self.time_unix_nano);
        obj.string("name", &self.name);
        obj.messages("attributes", &self.attributes);
        obj.int32("droppedAttributesCount", self.dropped_attributes_count);
    }
}

impl Encode for Link {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.hex("traceId", &self.trace_id);
        obj.hex("spanId", &self.span_id);
        obj.string("traceState", &self.trace_state);
        obj.messages("attributes", &self.attributes);
        obj.int32("droppedAttributesCount", self.dropped_attributes_count);
        obj.int32("flags", self.flags);
    }
}

impl Encode for Status {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.string("message", &self.message);
        obj.int32("code", self.code);
    }
}
