//! Decoding the Export*ServiceResponse bodies (partial success) that an OTLP/HTTP server
//! answers with, for an exporter sending JSON.

use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsPartialSuccess, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsPartialSuccess, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceResponse,
};
use serde::de::MapAccess;

use super::scalar::{int, string};
use super::{Fields, msg, read, read_opt, skip};

impl Fields for ExportTraceServiceResponse {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "partialSuccess" => self.partial_success = read_opt(map, msg("partialSuccess"))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for ExportTracePartialSuccess {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "rejectedSpans" => self.rejected_spans = read(map, int("rejectedSpans"))?,
            "errorMessage" => self.error_message = read(map, string("errorMessage"))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for ExportMetricsServiceResponse {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "partialSuccess" => self.partial_success = read_opt(map, msg("partialSuccess"))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for ExportMetricsPartialSuccess {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "rejectedDataPoints" => {
                self.rejected_data_points = read(map, int("rejectedDataPoints"))?
            }
            "errorMessage" => self.error_message = read(map, string("errorMessage"))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for ExportLogsServiceResponse {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "partialSuccess" => self.partial_success = read_opt(map, msg("partialSuccess"))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for ExportLogsPartialSuccess {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "rejectedLogRecords" => {
                self.rejected_log_records = read(map, int("rejectedLogRecords"))?
            }
            "errorMessage" => self.error_message = read(map, string("errorMessage"))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}
