//! The OTLP spec's retry table (opentelemetry-proto `docs/specification.md`, "Failures" under
//! OTLP/gRPC and OTLP/HTTP) as pure functions: what a failed export means for the retry loop.
//!
//! | transport | retryable                                                            | throttled by          |
//! |-----------|----------------------------------------------------------------------|-----------------------|
//! | gRPC      | CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS; RESOURCE_EXHAUSTED only with `RetryInfo` | `google.rpc.RetryInfo` |
//! | HTTP      | 429, 502, 503, 504                                                   | `Retry-After` (seconds or HTTP-date) |
//!
//! Everything else is permanent: the batch is dropped, not retried.

use crate::rpc_status;
use ciotel_core::exporters::ExportError;
use http::{HeaderMap, HeaderValue, StatusCode, header::RETRY_AFTER};
use std::time::{Duration, SystemTime};
use tonic::Code;

/// The longest wait a server can ask for. Longer asks are cut to this, so a bogus
/// `Retry-After: 99999999999` neither overflows the backoff arithmetic nor parks a batch for days.
pub const MAX_THROTTLE: Duration = Duration::from_secs(600);

/// Whether the spec lists `code` as retryable on its own (RESOURCE_EXHAUSTED needs RetryInfo).
pub fn grpc_code_is_retryable(code: Code) -> bool {
    matches!(
        code,
        Code::Cancelled
            | Code::DeadlineExceeded
            | Code::Aborted
            | Code::OutOfRange
            | Code::Unavailable
            | Code::DataLoss
    )
}

/// Classifies a failed gRPC export from its status code, message and `grpc-status-details-bin`
/// bytes (a serialized `google.rpc.Status`, possibly empty).
pub fn grpc(code: Code, message: &str, details: &[u8]) -> ExportError {
    let reason = format!("gRPC {}: {message}", grpc_code_name(code));
    let retry_info = rpc_status::retry_info(details);
    let retryable =
        grpc_code_is_retryable(code) || (code == Code::ResourceExhausted && retry_info.is_some());
    if !retryable {
        return ExportError::Permanent(reason);
    }
    match retry_info.flatten().and_then(throttle) {
        Some(after) => ExportError::Throttled { after, reason },
        None => ExportError::Retryable(reason),
    }
}

/// [`grpc`] for a tonic status.
pub fn grpc_status(status: &tonic::Status) -> ExportError {
    grpc(status.code(), status.message(), status.details())
}

/// Whether the spec lists an HTTP status as retryable.
pub fn http_status_is_retryable(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// Classifies a non-2xx OTLP/HTTP answer; `reason` is what the message should say (status and
/// the server's `google.rpc.Status` message), `now` is the clock an HTTP-date is read against.
pub fn http(
    status: StatusCode,
    headers: &HeaderMap,
    reason: String,
    now: SystemTime,
) -> ExportError {
    if !http_status_is_retryable(status) {
        return ExportError::Permanent(reason);
    }
    match headers.get(RETRY_AFTER).and_then(|v| retry_after(v, now)) {
        Some(after) => ExportError::Throttled { after, reason },
        None => ExportError::Retryable(reason),
    }
}

/// Reads `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3). `None` for
/// garbage, zero or a date already past: the retry loop's own backoff applies then (a zero
/// wait would retry in a tight loop).
pub fn retry_after(value: &HeaderValue, now: SystemTime) -> Option<Duration> {
    let text = value.to_str().ok()?.trim();
    let delay = match ciotel_core::retry_after::parse(text, now) {
        Some(delay) => delay,
        // All digits but too long for u64 is still "a very long time".
        None if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
            Duration::from_secs(u64::MAX)
        }
        None => return None,
    };
    throttle(delay)
}

fn throttle(delay: Duration) -> Option<Duration> {
    (!delay.is_zero()).then(|| delay.min(MAX_THROTTLE))
}

/// The spec's name of a gRPC code (`UNAVAILABLE`), for messages a person compares with the
/// backend's docs.
pub fn grpc_code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpc_status::RpcStatus;
    use prost::Message;

    fn kind(e: &ExportError) -> &'static str {
        match e {
            ExportError::Retryable(_) => "retryable",
            ExportError::Throttled { .. } => "throttled",
            ExportError::Permanent(_) => "permanent",
        }
    }

    #[test]
    fn grpc_codes_follow_the_spec_table() {
        let table = [
            (Code::Cancelled, "retryable"),
            (Code::DeadlineExceeded, "retryable"),
            (Code::Aborted, "retryable"),
            (Code::OutOfRange, "retryable"),
            (Code::Unavailable, "retryable"),
            (Code::DataLoss, "retryable"),
            (Code::ResourceExhausted, "permanent"),
            (Code::Unknown, "permanent"),
            (Code::InvalidArgument, "permanent"),
            (Code::NotFound, "permanent"),
            (Code::AlreadyExists, "permanent"),
            (Code::PermissionDenied, "permanent"),
            (Code::FailedPrecondition, "permanent"),
            (Code::Unimplemented, "permanent"),
            (Code::Internal, "permanent"),
            (Code::Unauthenticated, "permanent"),
        ];
        for (code, expected) in table {
            assert_eq!(kind(&grpc(code, "m", &[])), expected, "{code:?}");
        }
    }

    #[test]
    fn grpc_messages_name_the_code() {
        assert_eq!(
            grpc(Code::InvalidArgument, "span id too long", &[]),
            ExportError::Permanent("gRPC INVALID_ARGUMENT: span id too long".into())
        );
    }

    #[test]
    fn resource_exhausted_is_retryable_only_with_retry_info() {
        let with = RpcStatus::with_retry_delay(8, "quota", Duration::from_secs(3)).encode_to_vec();
        assert_eq!(
            grpc(Code::ResourceExhausted, "quota", &with),
            ExportError::Throttled {
                after: Duration::from_secs(3),
                reason: "gRPC RESOURCE_EXHAUSTED: quota".into()
            }
        );
        let without = RpcStatus {
            code: 8,
            message: "quota".into(),
            details: vec![],
        }
        .encode_to_vec();
        assert_eq!(
            kind(&grpc(Code::ResourceExhausted, "quota", &without)),
            "permanent"
        );
        assert_eq!(
            kind(&grpc(Code::ResourceExhausted, "quota", b"garbage")),
            "permanent"
        );
        // RetryInfo without a delay: retryable, with the client's own backoff.
        let no_delay = RpcStatus {
            code: 8,
            message: String::new(),
            details: vec![crate::rpc_status::Any {
                type_url: rpc_status::RETRY_INFO_TYPE_URL.into(),
                value: vec![],
            }],
        };
        assert_eq!(
            kind(&grpc(
                Code::ResourceExhausted,
                "q",
                &no_delay.encode_to_vec()
            )),
            "retryable"
        );
    }

    #[test]
    fn retry_info_throttles_other_retryable_codes_and_is_capped() {
        let details =
            RpcStatus::with_retry_delay(14, "", Duration::from_secs(86_400)).encode_to_vec();
        assert_eq!(
            grpc(Code::Unavailable, "down", &details),
            ExportError::Throttled {
                after: MAX_THROTTLE,
                reason: "gRPC UNAVAILABLE: down".into()
            }
        );
        // RetryInfo never makes a permanent code retryable.
        assert_eq!(
            kind(&grpc(Code::InvalidArgument, "bad", &details)),
            "permanent"
        );
    }

    fn headers(retry_after: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_str(retry_after).unwrap());
        h
    }

    #[test]
    fn http_statuses_follow_the_spec_table() {
        let now = SystemTime::now();
        for code in [429, 502, 503, 504] {
            let status = StatusCode::from_u16(code).unwrap();
            assert_eq!(
                kind(&http(status, &HeaderMap::new(), "x".into(), now)),
                "retryable",
                "{code}"
            );
        }
        for code in [300, 400, 401, 403, 404, 405, 408, 413, 415, 500, 501, 505] {
            let status = StatusCode::from_u16(code).unwrap();
            assert_eq!(
                kind(&http(status, &headers("5"), "x".into(), now)),
                "permanent",
                "{code}"
            );
        }
    }

    #[test]
    fn retry_after_in_seconds_throttles() {
        let e = http(
            StatusCode::SERVICE_UNAVAILABLE,
            &headers("7"),
            "503".into(),
            SystemTime::now(),
        );
        assert_eq!(
            e,
            ExportError::Throttled {
                after: Duration::from_secs(7),
                reason: "503".into()
            }
        );
        let e = http(
            StatusCode::TOO_MANY_REQUESTS,
            &headers(" 120 "),
            "429".into(),
            SystemTime::now(),
        );
        assert_eq!(kind(&e), "throttled");
    }

    #[test]
    fn retry_after_as_http_date_throttles_until_then() {
        let now = httpdate::parse_http_date("Wed, 25 Nov 2026 10:00:00 GMT").unwrap();
        let value = HeaderValue::from_static("Wed, 25 Nov 2026 10:00:30 GMT");
        assert_eq!(retry_after(&value, now), Some(Duration::from_secs(30)));
        let past = HeaderValue::from_static("Wed, 25 Nov 2026 09:00:00 GMT");
        assert_eq!(retry_after(&past, now), None);
        let e = http(
            StatusCode::TOO_MANY_REQUESTS,
            &headers("Wed, 25 Nov 2026 10:01:00 GMT"),
            "429".into(),
            now,
        );
        assert_eq!(
            e,
            ExportError::Throttled {
                after: Duration::from_secs(60),
                reason: "429".into()
            }
        );
    }

    #[test]
    fn garbage_zero_or_huge_retry_after_falls_back_or_is_capped() {
        let now = SystemTime::now();
        for bad in ["soon", "-5", "1.5", "", "0"] {
            assert_eq!(
                retry_after(&HeaderValue::from_static(bad), now),
                None,
                "{bad:?}"
            );
            let e = http(
                StatusCode::SERVICE_UNAVAILABLE,
                &headers(bad),
                "503".into(),
                now,
            );
            assert_eq!(kind(&e), "retryable", "{bad:?}");
        }
        for huge in ["86400", "99999999999999999999999"] {
            assert_eq!(
                retry_after(&HeaderValue::from_static(huge), now),
                Some(MAX_THROTTLE)
            );
        }
    }
}
