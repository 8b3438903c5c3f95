//! A layer for the gRPC server: tonic refuses a message past the size limit with OUT_OF_RANGE,
//! which the OTLP spec lists as retryable — a client would resend the same oversized message
//! again and again. The spec's answer for "too large" is RESOURCE_EXHAUSTED without RetryInfo,
//! which clients do not retry; this layer rewrites the one into the other.

use http::{HeaderMap, HeaderValue, Response};
use http_body::{Body, Frame};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tower::{Layer, Service};

const OUT_OF_RANGE: &str = "11";
const RESOURCE_EXHAUSTED: &str = "8";

/// Wraps a gRPC service so size-limit refusals say RESOURCE_EXHAUSTED.
#[derive(Debug, Clone, Copy, Default)]
pub struct TooLargeIsResourceExhausted;

impl<S> Layer<S> for TooLargeIsResourceExhausted {
    type Service = TooLargeService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        TooLargeService { inner }
    }
}

/// The wrapped service.
#[derive(Debug, Clone)]
pub struct TooLargeService<S> {
    inner: S,
}

impl<S, Req, B> Service<Req> for TooLargeService<S>
where
    S: Service<Req, Response = Response<B>>,
    S::Future: Send + 'static,
{
    type Response = Response<RewriteTrailers<B>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Req) -> Self::Future {
        let future = self.inner.call(request);
        Box::pin(async move {
            let mut response = future.await?;
            // A refusal before the handler runs is trailers-only: the status is in the headers.
            rewrite(response.headers_mut());
            Ok(response.map(|inner| RewriteTrailers { inner }))
        })
    }
}

/// Rewrites OUT_OF_RANGE "message too large" into RESOURCE_EXHAUSTED in a status header map
/// (`grpc-message` is percent-encoded on the wire).
fn rewrite(headers: &mut HeaderMap) {
    let is_size_refusal = headers
        .get("grpc-status")
        .is_some_and(|v| v == OUT_OF_RANGE)
        && headers
            .get("grpc-message")
            .and_then(|m| m.to_str().ok())
            .is_some_and(|m| m.contains("too large") || m.contains("too%20large"));
    if is_size_refusal {
        headers.insert("grpc-status", HeaderValue::from_static(RESOURCE_EXHAUSTED));
    }
}

/// A response body whose trailers (where a status sent after the headers lives) are rewritten.
pub struct RewriteTrailers<B> {
    inner: B,
}

impl<B: Body + Unpin> Body for RewriteTrailers<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx).map(|frame| {
            frame.map(|frame| {
                frame.map(|frame| match frame.into_trailers() {
                    Ok(mut trailers) => {
                        rewrite(&mut trailers);
                        Frame::trailers(trailers)
                    }
                    Err(frame) => frame,
                })
            })
        })
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}
