//! Result → span status and `error.type`, as a table to hold against the spec.
//!
//! | result | span status | message | `error.type` |
//! |---|---|---|---|
//! | failure, timeout, error | ERROR | platform detail, else the result | platform detail, else the result |
//! | success | OK | — | — |
//! | cancellation, skip, unknown | UNSET | — | — |
//!
//! OTLP allows a status message only with ERROR, so OK and UNSET carry none (the Collector
//! writes e.g. "skipped"; the result attribute says the same).

use opentelemetry_proto::tonic::trace::v1::Status;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;

use crate::event::CiResult;

fn is_error(result: Option<CiResult>) -> bool {
    matches!(
        result,
        Some(CiResult::Failure | CiResult::Timeout | CiResult::Error)
    )
}

pub(super) fn span_status(result: Option<CiResult>, detail: Option<&str>) -> Status {
    match result {
        Some(CiResult::Success) => Status {
            code: StatusCode::Ok as i32,
            message: String::new(),
        },
        r if is_error(r) => Status {
            code: StatusCode::Error as i32,
            message: error_type(r, detail).unwrap_or_default(),
        },
        _ => Status::default(),
    }
}

pub(super) fn error_type(result: Option<CiResult>, detail: Option<&str>) -> Option<String> {
    let r = result.filter(|r| is_error(Some(*r)))?;
    Some(detail.unwrap_or(r.as_str()).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let s = span_status(Some(CiResult::Failure), Some("failure"));
        assert_eq!(
            (s.code, s.message.as_str()),
            (StatusCode::Error as i32, "failure")
        );
        let s = span_status(Some(CiResult::Timeout), None);
        assert_eq!(
            (s.code, s.message.as_str()),
            (StatusCode::Error as i32, "timeout")
        );
        let s = span_status(Some(CiResult::Error), Some("startup_failure"));
        assert_eq!(s.message, "startup_failure");
        assert_eq!(
            span_status(Some(CiResult::Success), Some("success")).code,
            StatusCode::Ok as i32
        );
        for r in [Some(CiResult::Skip), Some(CiResult::Cancellation), None] {
            assert_eq!(span_status(r, Some("x")), Status::default());
            assert_eq!(error_type(r, Some("x")), None);
        }
    }
}
