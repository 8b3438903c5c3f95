//! Serving an axum [`Router`] on a [`BoundListener`] with hyper's HTTP/1: the request head
//! limited in size (`max_request_header_size`) and in time (`read_header_timeout`), the body
//! in time (`read_timeout`), keep-alive connections closed after `idle_timeout`, stalled
//! response writes after `write_timeout`; each
//! request carries `ConnectInfo<SocketAddr>`, and the authenticator, when set, runs on the
//! headers before any body byte is read.

use super::accept::BoundListener;
use super::activity::{Deadlines, Protocol};
use super::config::HttpServerSettings;
use super::timed_body::TimedBody;
use crate::auth::{AuthError, ServerAuthenticator};
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tower::Service;

/// How a listener answers a request its authenticator refused: a function of the request's
/// headers (so OTLP/HTTP can answer in the request's encoding) and the reason.
pub type AuthRefusal = fn(&HeaderMap, &AuthError) -> Response;

/// An authenticator and the listener's way of refusing.
#[derive(Clone)]
pub struct HttpAuth {
    /// Runs on every request's headers.
    pub authenticator: Arc<dyn ServerAuthenticator>,
    /// Builds the 401 (or 503 when the authenticator is unavailable).
    pub refusal: AuthRefusal,
}

impl HttpAuth {
    /// `authenticator` with the plain-text refusal.
    pub fn new(authenticator: Arc<dyn ServerAuthenticator>) -> Self {
        HttpAuth {
            authenticator,
            refusal: plain_refusal,
        }
    }
}

/// The status and `WWW-Authenticate` challenge for a refusal (shared by every HTTP listener;
/// each writes its own body).
pub fn refusal_status(headers: &HeaderMap, error: &AuthError) -> (StatusCode, Option<HeaderValue>) {
    match error {
        AuthError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, None),
        AuthError::Missing | AuthError::Invalid => {
            let sent_basic = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.len() >= 6 && v[..6].eq_ignore_ascii_case("basic "));
            let challenge = if sent_basic {
                "Basic realm=\"ciotel\""
            } else {
                "Bearer realm=\"ciotel\""
            };
            (
                StatusCode::UNAUTHORIZED,
                Some(HeaderValue::from_static(challenge)),
            )
        }
    }
}

/// A plain-text refusal: 401 with `WWW-Authenticate`, saying what was wrong.
pub fn plain_refusal(headers: &HeaderMap, error: &AuthError) -> Response {
    let (status, challenge) = refusal_status(headers, error);
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{error}: this endpoint requires authentication\n"),
    )
        .into_response();
    if let Some(c) = challenge {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, c);
    }
    response
}

fn some(d: Duration) -> Option<Duration> {
    (!d.is_zero()).then_some(d)
}

/// Serves `router` on `listener` until `shutdown`; the task ends once every connection has
/// finished (in-flight requests are answered, idle connections closed).
pub fn serve_http(
    listener: BoundListener,
    router: Router,
    settings: &HttpServerSettings,
    auth: Option<HttpAuth>,
    shutdown: CancellationToken,
) -> JoinHandle<()> {
    let deadlines = Deadlines {
        head: some(settings.read_header_timeout),
        idle: some(settings.idle_timeout),
        write: some(settings.write_timeout),
    };
    let read_timeout = settings.read_timeout;
    let header_size = settings.max_request_header_size.max(8192);
    let report = listener.report().clone();
    let stop = shutdown.clone();
    tokio::spawn(listener.run(Protocol::Http1, deadlines, shutdown, move |io| {
        let router = router.clone();
        let auth = auth.clone();
        let stop = stop.clone();
        let report = report.clone();
        async move {
            let info = io.info().clone();
            let service = hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
                let mut router = router.clone();
                let auth = auth.clone();
                let guard = info.request();
                let peer = info.peer;
                async move {
                    let _guard = guard;
                    let (mut parts, body) = request.into_parts();
                    parts.extensions.insert(ConnectInfo(peer));
                    if let Some(auth) = &auth
                        && let Err(e) = auth.authenticator.authenticate(&parts.headers)
                    {
                        return Ok::<_, Infallible>((auth.refusal)(&parts.headers, &e));
                    }
                    let body = Body::new(TimedBody::new(body, read_timeout));
                    router.call(Request::from_parts(parts, body)).await
                }
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .max_buf_size(header_size)
                .header_read_timeout(None)
                .keep_alive(true);
            let connection = builder.serve_connection(TokioIo::new(io), service);
            tokio::pin!(connection);
            let result = tokio::select! {
                r = connection.as_mut() => r,
                _ = stop.cancelled() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = result {
                tracing::debug!(component = %report.component, transport = report.transport, error = %e, "connection closed");
            }
        }
    }))
}
