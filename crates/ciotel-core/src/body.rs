//! Reading a request body whole, with a size limit counted on the bytes actually received (a
//! `Content-Length` past the limit is refused before reading; a chunked body is counted as it
//! arrives). Shared by every HTTP receiver: OTLP/HTTP and the webhooks (whose signatures cover
//! the raw body, so it must be read whole before anything is parsed).

use axum::body::Body;
use axum::http::{HeaderMap, header};
use http_body_util::BodyExt;

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
}

/// Reads the whole body, refusing as soon as it passes `limit` bytes.
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
    let mut out = Vec::with_capacity(capacity);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| BodyError::Read(e.to_string()))?;
        if let Ok(data) = frame.into_data() {
            if out.len() + data.len() > limit {
                return Err(BodyError::TooLarge { limit });
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
