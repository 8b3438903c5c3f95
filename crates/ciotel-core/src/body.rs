//! Reading a request body whole, with a size limit counted on the bytes actually received (a
//! `Content-Length` past the limit is refused before reading; a chunked body is counted as it
//! arrives). Shared by every HTTP receiver: OTLP/HTTP and the webhooks (whose signatures cover
//! the raw body, so it must be read whole before anything is parsed). Reading is bounded in
//! time by the listener ([`BodyTimedOut`], 408) and in memory for the whole process by the
//! in-flight [`budget`] (503 + Retry-After).

pub mod budget;

use axum::body::Body;
use axum::http::{HeaderMap, header};
use http_body_util::BodyExt;
use std::time::Duration;

/// The error a listener's body gives once its `read_timeout` has passed.
///
/// Exists so [`read_limited`] can tell a too-slow body (408) from a broken one (400).
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the request body did not arrive within read_timeout ({after:?})")]
pub struct BodyTimedOut {
    /// The listener's `read_timeout`.
    pub after: Duration,
}

/// Why a body was not read.
///
/// Exists so the receiver can answer 413 for a body past the limit and 400 for a broken one.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// The body is larger than `max_request_body_size`: 413.
    #[error("request body exceeds max_request_body_size ({limit} bytes)")]
    TooLarge {
        /// The configured limit, in bytes.
        limit: usize,
    },
    /// The connection failed or the framing was invalid while reading: 400.
    #[error("failed to read the request body: {0}")]
    Read(String),
    /// The body did not arrive whole within the listener's `read_timeout`: 408.
    #[error("the request body did not arrive within read_timeout ({after:?})")]
    TimedOut {
        /// The listener's `read_timeout`.
        after: Duration,
    },
    /// Bodies being read already hold the whole in-flight budget: 503 + Retry-After.
    #[error(
        "too many request bytes are being received at once ({budget} bytes in flight); retry later"
    )]
    Busy {
        /// The process's budget in bytes.
        budget: usize,
    },
}

impl BodyError {
    /// Whether the sender should retry the same body later (503 + Retry-After).
    pub fn is_retryable(&self) -> bool {
        matches!(self, BodyError::Busy { .. })
    }
}

/// The read error as [`BodyError`]: a listener's timeout becomes `TimedOut`.
fn read_error(e: axum::Error) -> BodyError {
    let inner = e.into_inner();
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(inner.as_ref());
    while let Some(err) = source {
        if let Some(t) = err.downcast_ref::<BodyTimedOut>() {
            return BodyError::TimedOut { after: t.after };
        }
        source = err.source();
    }
    BodyError::Read(inner.to_string())
}

/// Reads the whole body, refusing as soon as it passes `limit` bytes, or when the in-flight
/// budget cannot hold it.
pub async fn read_limited(
    headers: &HeaderMap,
    mut body: Body,
    limit: usize,
) -> Result<Vec<u8>, BodyError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge { limit });
    }
    let capacity = declared.map_or(0, |n| n as usize);
    let mut held = budget::Reservation::default();
    let busy = || BodyError::Busy {
        budget: budget::limit(),
    };
    if !held.grow_to(capacity) {
        return Err(busy());
    }
    let mut out = Vec::with_capacity(capacity);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(read_error)?;
        if let Ok(data) = frame.into_data() {
            if out.len() + data.len() > limit {
                return Err(BodyError::TooLarge { limit });
            }
            if !held.grow_to(out.len() + data.len()) {
                return Err(busy());
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[tokio::test]
    async fn counts_the_bytes_received_whatever_content_length_says() {
        let none = HeaderMap::new();
        let got = read_limited(&none, Body::from("12345"), 5).await.unwrap();
        assert_eq!(got, b"12345");
        let e = read_limited(&none, Body::from("123456"), 5)
            .await
            .unwrap_err();
        assert!(matches!(e, BodyError::TooLarge { limit: 5 }), "{e}");

        let mut declared = HeaderMap::new();
        declared.insert(header::CONTENT_LENGTH, HeaderValue::from_static("6"));
        let e = read_limited(&declared, Body::from(""), 5)
            .await
            .unwrap_err();
        assert!(matches!(e, BodyError::TooLarge { .. }), "{e}");
    }
}
