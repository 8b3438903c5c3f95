//! Decoding the logs signal: ExportLogsServiceRequest down to log records.

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs, SeverityNumber};
use serde::de::MapAccess;

use super::bytes::{SPAN_ID_BYTES, TRACE_ID_BYTES, hex_id};
use super::scalar::{enumeration, int, string};
use super::{Fields, List, msg, read, read_opt, skip};

impl Fields for ExportLogsServiceRequest {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "resourceLogs" => self.resource_logs = read(map, List(msg("resourceLogs")))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for ResourceLogs {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "resource" => self.resource = read_opt(map, msg("resource"))?,
            "scopeLogs" => self.scope_logs = read(map, List(msg("scopeLogs")))?,
            "schemaUrl" => self.schema_url = read(map, string("schemaUrl"))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for ScopeLogs {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "scope" => self.scope = read_opt(map, msg("scope"))?,
            "logRecords" => self.log_records = read(map, List(msg("logRecords")))?,
            "schemaUrl" => self.schema_url = read(map, string("schemaUrl"))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for LogRecord {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "timeUnixNano" => self.time_unix_nano = read(map, int("timeUnixNano"))?,
            "observedTimeUnixNano" => {
                self.observed_time_unix_nano = read(map, int("observedTimeUnixNano"))?
            }
            "severityNumber" => {
                self.severity_number = read(map, enumeration("severityNumber", severity))?
            }
            "severityText" => self.severity_text = read(map, string("severityText"))?,
            "body" => self.body = read_opt(map, msg("body"))?,
            "attributes" => self.attributes = read(map, List(msg("attributes")))?,
            "droppedAttributesCount" => {
                self.dropped_attributes_count = read(map, int("droppedAttributesCount"))?
            }
            "flags" => self.flags = read(map, int("flags"))?,
            "traceId" => self.trace_id = read(map, hex_id("traceId", TRACE_ID_BYTES))?,
            "spanId" => self.span_id = read(map, hex_id("spanId", SPAN_ID_BYTES))?,
            "eventName" => self.event_name = read(map, string("eventName"))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

fn severity(name: &str) -> Option<i32> {
    SeverityNumber::from_str_name(name).map(|s| s as i32)
}
