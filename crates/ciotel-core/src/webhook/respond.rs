//! The answers a webhook delivery gets: a status with a plain-text message saying why (GitHub
//! shows it in the delivery's log, GitLab in the webhook's "Recent events"), and the headers
//! some statuses need (`Allow` with 405, `Retry-After` with 503).

use super::required_headers::HeaderRefusal;
use crate::body::BodyError;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Seconds a sender is asked to wait when the pipeline is full. GitHub itself does not retry
/// (the delivery shows as failed and can be redelivered); GitLab may.
const RETRY_AFTER_SECONDS: &str = "1";

/// An answer: a status with a plain-text message, and the headers some statuses need.
///
/// Exists so every webhook receiver refuses the same way: the body always says why.
#[derive(Debug)]
pub struct Reply {
    /// The status.
    pub status: StatusCode,
    /// Why, in plain text; empty for a bare status.
    pub message: String,
    extra: Option<(HeaderName, HeaderValue)>,
}

impl Reply {
    /// `status` with `message`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Reply {
            status,
            message: message.into(),
            extra: None,
        }
    }

    /// `status` with no body.
    pub fn empty(status: StatusCode) -> Self {
        Reply::new(status, "")
    }

    /// 503 with `Retry-After`, for a pipeline that is full.
    pub fn retry_later(message: String) -> Self {
        Reply {
            extra: Some((
                header::RETRY_AFTER,
                HeaderValue::from_static(RETRY_AFTER_SECONDS),
            )),
            ..Reply::new(StatusCode::SERVICE_UNAVAILABLE, message)
        }
    }

    /// 405 with `Allow: POST`; `platform` ("GitHub", "GitLab") is who delivers with POST.
    pub fn method_not_allowed(method: &Method, platform: &str) -> Self {
        Reply {
            extra: Some((header::ALLOW, HeaderValue::from_static("POST"))),
            ..Reply::new(
                StatusCode::METHOD_NOT_ALLOWED,
                format!(
                    "method {method} is not allowed here; {platform} delivers webhooks with POST"
                ),
            )
        }
    }

    /// A `required_headers` refusal: 401 when the header is missing, 403 when it is wrong.
    pub fn required_header(refusal: &HeaderRefusal) -> Self {
        let status = match refusal {
            HeaderRefusal::Missing(_) => StatusCode::UNAUTHORIZED,
            HeaderRefusal::Wrong(_) => StatusCode::FORBIDDEN,
        };
        Reply::new(status, refusal.to_string())
    }

    /// A body that could not be read: 413 when it is over the limit, 408 when it came too
    /// slowly, 503 + Retry-After when too many bodies are in flight, else 400, with `message`.
    pub fn body(error: &BodyError, message: impl Into<String>) -> Self {
        let status = match error {
            BodyError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            BodyError::Read(_) => StatusCode::BAD_REQUEST,
            BodyError::TimedOut { .. } => StatusCode::REQUEST_TIMEOUT,
            BodyError::Busy { .. } => return Reply::retry_later(message.into()),
        };
        Reply::new(status, message)
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response = if self.message.is_empty() {
            self.status.into_response()
        } else {
            (
                self.status,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                format!("{}\n", self.message),
            )
                .into_response()
        };
        if let Some((name, value)) = self.extra {
            response.headers_mut().insert(name, value);
        }
        response
    }
}
