//! Encoding the Export*ServiceResponse bodies (partial success) the OTLP/HTTP receiver answers
//! JSON requests with.

use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsPartialSuccess, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsPartialSuccess, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceResponse,
};

use super::{Encode, Obj};

impl Encode for ExportTraceServiceResponse {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.message("partialSuccess", self.partial_success.as_ref());
    }
}

impl Encode for ExportTracePartialSuccess {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.int64("rejectedSpans", self.rejected_spans);
        obj.string("errorMessage", &self.error_message);
    }
}

impl Encode for ExportMetricsServiceResponse {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.message("partialSuccess", self.partial_success.as_ref());
    }
}

impl Encode for ExportMetricsPartialSuccess {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.int64("rejectedDataPoints", self.rejected_data_points);
        obj.string("errorMessage", &self.error_message);
    }
}

impl Encode for ExportLogsServiceResponse {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.message("partialSuccess", self.partial_success.as_ref());
    }
}

impl Encode for ExportLogsPartialSuccess {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.int64("rejectedLogRecords", self.rejected_log_records);
        obj.string("errorMessage", &self.error_message);
    }
}
