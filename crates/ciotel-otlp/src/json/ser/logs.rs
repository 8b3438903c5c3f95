//! Encoding the logs signal: ExportLogsServiceRequest down to log records.

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};

use super::{Encode, Obj};

impl Encode for ExportLogsServiceRequest {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.messages("resourceLogs", &self.resource_logs);
    }
}

impl Encode for ResourceLogs {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.message("resource", self.resource.as_ref());
        obj.messages("scopeLogs", &self.scope_logs);
        obj.string("schemaUrl", &self.schema_url);
    }
}

impl Encode for ScopeLogs {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.message("scope", self.scope.as_ref());
        obj.messages("logRecords", &self.log_records);
        obj.string("schemaUrl", &self.schema_url);
    }
}

impl Encode for LogRecord {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.uint64("timeUnixNano", self.time_unix_nano);
        obj.uint64("observedTimeUnixNano", self.observed_time_unix_nano);
        obj.int32("severityNumber", self.severity_number);
        obj.string("severityText", &self.severity_text);
        obj.message("body", self.body.as_ref());
        obj.messages("attributes", &self.attributes);
        obj.int32("droppedAttributesCount", self.dropped_attributes_count);
        obj.int32("flags", self.flags);
        obj.hex("traceId", &self.trace_id);
        obj.hex("spanId", &self.span_id);
        obj.string("eventName", &self.event_name);
    }
}
