//! Decoding the trace signal: ExportTraceServiceRequest down to spans, events and links.

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::trace::v1::span::{Event, Link, SpanKind};
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};
use serde::de::MapAccess;

use super::bytes::{SPAN_ID_BYTES, TRACE_ID_BYTES, hex_id};
use super::scalar::{enumeration, int, string};
use super::{Fields, List, msg, read, read_opt, skip};

impl Fields for ExportTraceServiceRequest {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "resourceSpans" => self.resource_spans = read(map, List(msg("resourceSpans")))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for ResourceSpans {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "resource" => self.resource = read_opt(map, msg("resource"))?,
            "scopeSpans" => self.scope_spans = read(map, List(msg("scopeSpans")))?,
            "schemaUrl" => self.schema_url = read(map, string("schemaUrl"))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for ScopeSpans {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "scope" => self.scope = read_opt(map, msg("scope"))?,
            "spans" => self.spans = read(map, List(msg("spans")))?,
            "schemaUrl" => self.schema_url = read(map, string("schemaUrl"))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for Span {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "traceId" => self.trace_id = read(map, hex_id("traceId", TRACE_ID_BYTES))?,
            "spanId" => self.span_id = read(map, hex_id("spanId", SPAN_ID_BYTES))?,
            "traceState" => self.trace_state = read(map, string("traceState"))?,
            "parentSpanId" => {
                self.parent_span_id = read(map, hex_id("parentSpanId", SPAN_ID_BYTES))?
            }
            "flags" => self.flags = read(map, int("flags"))?,
            "name" => self.name = read(map, string("name"))?,
            "kind" => self.kind = read(map, enumeration("kind", span_kind))?,
            "startTimeUnixNano" => self.start_time_unix_nano = read(map, int("startTimeUnixNano"))?,
            "endTimeUnixNano" => self.end_time_unix_nano = read(map, int("endTimeUnixNano"))?,
            "attributes" => self.attributes = read(map, List(msg("attributes")))?,
            "droppedAttributesCount" => {
                self.dropped_attributes_count = read(map, int("droppedAttributesCount"))?
            }
            "events" => self.events = read(map, List(msg("events")))?,
            "droppedEventsCount" => {
                self.dropped_events_count = read(map, int("droppedEventsCount"))?
            }
            "links" => self.links = read(map, List(msg("links")))?,
            "droppedLinksCount" => self.dropped_links_count = read(map, int("droppedLinksCount"))?,
            "status" => self.status = read_opt(map, msg("status"))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

fn span_kind(name: &str) -> Option<i32> {
    SpanKind::from_str_name(name).map(|k| k as i32)
}

impl Fields for Event {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "timeUnixNano" => self.time_unix_nano = read(map, int("timeUnixNano"))?,
            "name" => self.name = read(map, string("name"))?,
            "attributes" => self.attributes = read(map, List(msg("attributes")))?,
            "droppedAttributesCount" => {
                self.dropped_attributes_count = read(map, int("droppedAttributesCount"))?
            }
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for Link {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "traceId" => self.trace_id = read(map, hex_id("traceId", TRACE_ID_BYTES))?,
            "spanId" => self.span_id = read(map, hex_id("spanId", SPAN_ID_BYTES))?,
            "traceState" => self.trace_state = read(map, string("traceState"))?,
            "attributes" => self.attributes = read(map, List(msg("attributes")))?,
            "droppedAttributesCount" => {
                self.dropped_attributes_count = read(map, int("droppedAttributesCount"))?
            }
            "flags" => self.flags = read(map, int("flags"))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for Status {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "message" => self.message = read(map, string("message"))?,
            "code" => self.code = read(map, enumeration("code", status_code))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

fn status_code(name: &str) -> Option<i32> {
    StatusCode::from_str_name(name).map(|c| c as i32)
}
