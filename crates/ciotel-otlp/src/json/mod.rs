//! OTLP/JSON: the JSON form of OTLP requests and responses (opentelemetry-proto
//! `docs/specification.md`, "JSON Protobuf Encoding"), for the HTTP receiver, the HTTP exporter
//! and the file exporter.
//!
//! Decoding accepts everything the spec allows: lowerCamelCase or proto (snake_case) keys, hex
//! ids in any case, enums as numbers or names, 64-bit integers as numbers or strings, doubles as
//! numbers or "NaN"/"Infinity"/"-Infinity", base64 bytes, `null` for "not set"; unknown keys are
//! ignored. It rejects what would lose data silently: malformed ids, numbers out of range, wrong
//! types — with the field's name and the line and column in the error.
//!
//! Encoding writes what the Collector writes: compact, hex ids, integer enums, 64-bit integers as
//! strings, default-valued fields left out. Decoding what was encoded gives back an equal value.
//!
//! Why not opentelemetry-proto's `with-serde` derives: they lose data silently (an error anywhere
//! in a metric's data or a data point's value turns it into "not set"; NaN and ±Infinity doubles
//! become `null`; snake_case keys are ignored), accept ids of any length, need fields the spec
//! makes optional, and write `null` and default values. `tests/upstream.rs` pins those findings.

mod de;
mod error;
mod ser;
#[cfg(test)]
mod tests;

use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsServiceRequest, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};

pub use error::JsonError;

/// Decodes an OTLP/JSON `/v1/traces` request body, as the HTTP receiver gets it.
pub fn decode_traces(body: &[u8]) -> Result<ExportTraceServiceRequest, JsonError> {
    de::decode(body, "ExportTraceServiceRequest")
}

/// Decodes an OTLP/JSON `/v1/metrics` request body, as the HTTP receiver gets it.
pub fn decode_metrics(body: &[u8]) -> Result<ExportMetricsServiceRequest, JsonError> {
    de::decode(body, "ExportMetricsServiceRequest")
}

/// Decodes an OTLP/JSON `/v1/logs` request body, as the HTTP receiver gets it.
pub fn decode_logs(body: &[u8]) -> Result<ExportLogsServiceRequest, JsonError> {
    de::decode(body, "ExportLogsServiceRequest")
}

/// Encodes a traces request as compact OTLP/JSON (one line, no trailing newline), for the HTTP
/// exporter's JSON mode and the file exporter's JSON lines.
pub fn encode_traces(req: &ExportTraceServiceRequest) -> Vec<u8> {
    ser::encode(req)
}

/// Encodes a metrics request as compact OTLP/JSON (one line, no trailing newline), for the HTTP
/// exporter's JSON mode and the file exporter's JSON lines.
pub fn encode_metrics(req: &ExportMetricsServiceRequest) -> Vec<u8> {
    ser::encode(req)
}

/// Encodes a logs request as compact OTLP/JSON (one line, no trailing newline), for the HTTP
/// exporter's JSON mode and the file exporter's JSON lines.
pub fn encode_logs(req: &ExportLogsServiceRequest) -> Vec<u8> {
    ser::encode(req)
}

/// Encodes the answer to a JSON `/v1/traces` request (`{}` on full success, else the partial
/// success), which the HTTP receiver must send in the request's encoding.
pub fn encode_trace_response(r: &ExportTraceServiceResponse) -> Vec<u8> {
    ser::encode(r)
}

/// Encodes the answer to a JSON `/v1/metrics` request, which the HTTP receiver must send in the
/// request's encoding.
pub fn encode_metrics_response(r: &ExportMetricsServiceResponse) -> Vec<u8> {
    ser::encode(r)
}

/// Encodes the answer to a JSON `/v1/logs` request, which the HTTP receiver must send in the
/// request's encoding.
pub fn encode_logs_response(r: &ExportLogsServiceResponse) -> Vec<u8> {
    ser::encode(r)
}

/// Decodes a server's answer to a JSON traces export, so the HTTP exporter can report partially
/// rejected spans.
pub fn decode_trace_response(body: &[u8]) -> Result<ExportTraceServiceResponse, JsonError> {
    de::decode(body, "ExportTraceServiceResponse")
}

/// Decodes a server's answer to a JSON metrics export, so the HTTP exporter can report partially
/// rejected data points.
pub fn decode_metrics_response(body: &[u8]) -> Result<ExportMetricsServiceResponse, JsonError> {
    de::decode(body, "ExportMetricsServiceResponse")
}

/// Decodes a server's answer to a JSON logs export, so the HTTP exporter can report partially
/// rejected log records.
pub fn decode_logs_response(body: &[u8]) -> Result<ExportLogsServiceResponse, JsonError> {
    de::decode(body, "ExportLogsServiceResponse")
}
