//! Partial success: the backend took the request but rejected some items (or sent a warning).
//! The spec says such a request must not be retried, so the exporter logs it and moves on —
//! the rejected items are visible in the logs instead of silently gone.

use crate::json;
use ciotel_core::Signal;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceResponse;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceResponse;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse;

/// What a response's `partial_success` said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PartialSuccess {
    /// Spans, data points or log records the backend dropped.
    pub rejected: i64,
    /// The backend's explanation or warning.
    pub message: String,
}

/// An `Export*ServiceResponse` of any signal.
pub(crate) trait ExportResponse {
    /// The partial success, when the backend reported one.
    fn partial_success(&self) -> Option<PartialSuccess>;
}

impl ExportResponse for ExportTraceServiceResponse {
    fn partial_success(&self) -> Option<PartialSuccess> {
        self.partial_success.as_ref().map(|p| PartialSuccess {
            rejected: p.rejected_spans,
            message: p.error_message.clone(),
        })
    }
}

impl ExportResponse for ExportMetricsServiceResponse {
    fn partial_success(&self) -> Option<PartialSuccess> {
        self.partial_success.as_ref().map(|p| PartialSuccess {
            rejected: p.rejected_data_points,
            message: p.error_message.clone(),
        })
    }
}

impl ExportResponse for ExportLogsServiceResponse {
    fn partial_success(&self) -> Option<PartialSuccess> {
        self.partial_success.as_ref().map(|p| PartialSuccess {
            rejected: p.rejected_log_records,
            message: p.error_message.clone(),
        })
    }
}

/// Reads the partial success from an OTLP/HTTP success body (`json` per its Content-Type).
/// An empty body means full success.
pub(crate) fn from_http_body(
    signal: Signal,
    body: &[u8],
    json: bool,
) -> Result<Option<PartialSuccess>, String> {
    if body.is_empty() {
        return Ok(None);
    }
    fn proto<M: prost::Message + Default + ExportResponse>(
        body: &[u8],
    ) -> Result<Option<PartialSuccess>, String> {
        M::decode(body)
            .map(|r| r.partial_success())
            .map_err(|e| e.to_string())
    }
    match (signal, json) {
        (Signal::Traces, false) => proto::<ExportTraceServiceResponse>(body),
        (Signal::Metrics, false) => proto::<ExportMetricsServiceResponse>(body),
        (Signal::Logs, false) => proto::<ExportLogsServiceResponse>(body),
        (Signal::Traces, true) => json::decode_trace_response(body)
            .map(|r| r.partial_success())
            .map_err(|e| e.to_string()),
        (Signal::Metrics, true) => json::decode_metrics_response(body)
            .map(|r| r.partial_success())
            .map_err(|e| e.to_string()),
        (Signal::Logs, true) => json::decode_logs_response(body)
            .map(|r| r.partial_success())
            .map_err(|e| e.to_string()),
    }
}

/// Logs a partial success as a warning; a full success (nothing rejected, no message) is quiet.
pub(crate) fn report(
    exporter: &str,
    endpoint: &str,
    signal: Signal,
    partial: Option<PartialSuccess>,
) {
    let Some(partial) = partial else { return };
    let endpoint = &*ciotel_core::redact::userinfo(endpoint);
    if partial.rejected > 0 {
        tracing::warn!(
            exporter,
            endpoint,
            rejected = partial.rejected,
            "backend rejected {} {} of the batch (partial success, not retried): {}",
            partial.rejected,
            signal.item_name().replace('_', " "),
            partial.message
        );
    } else if !partial.message.is_empty() {
        tracing::warn!(
            exporter,
            endpoint,
            "backend accepted the batch with a warning: {}",
            partial.message
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::collector::trace::v1::ExportTracePartialSuccess;
    use prost::Message;

    #[test]
    fn partial_success_is_read_from_proto_and_json_bodies() {
        let response = ExportTraceServiceResponse {
            partial_success: Some(ExportTracePartialSuccess {
                rejected_spans: 2,
                error_message: "span too old".into(),
            }),
        };
        let expected = Some(PartialSuccess {
            rejected: 2,
            message: "span too old".into(),
        });
        assert_eq!(
            from_http_body(Signal::Traces, &response.encode_to_vec(), false),
            Ok(expected.clone())
        );
        let json = br#"{"partialSuccess":{"rejectedSpans":"2","errorMessage":"span too old"}}"#;
        assert_eq!(from_http_body(Signal::Traces, json, true), Ok(expected));
        let logs = br#"{"partialSuccess":{"rejectedLogRecords":1}}"#;
        assert_eq!(
            from_http_body(Signal::Logs, logs, true),
            Ok(Some(PartialSuccess {
                rejected: 1,
                message: String::new()
            }))
        );
    }

    #[test]
    fn empty_or_full_success_bodies_carry_nothing() {
        assert_eq!(from_http_body(Signal::Metrics, b"", true), Ok(None));
        assert_eq!(from_http_body(Signal::Metrics, b"{}", true), Ok(None));
        assert_eq!(from_http_body(Signal::Metrics, &[], false), Ok(None));
        assert!(from_http_body(Signal::Traces, b"<html>", true).is_err());
    }
}
