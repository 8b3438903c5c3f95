//! gRPC on a [`BoundListener`] for tonic: [`incoming`] is the stream of accepted (and, with
//! TLS, handshaken) connections to pass to `serve_with_incoming_shutdown`, so the connection
//! limit, certificate reload and deadlines hold there too; [`configure`] sets the server's
//! keepalive, stream and header limits; [`GrpcGate`] tracks calls per connection (for
//! `max_connection_idle` and `first_request_timeout`) and runs the authenticator on the call's
//! headers, answering UNAUTHENTICATED before the message is read.

use super::accept::BoundListener;
use super::activity::{Deadlines, Protocol};
use super::config::GrpcServerSettings;
use super::conn::{ConnInfo, ServerIo};
use crate::auth::{AuthError, ServerAuthenticator};
use http_body_util::Either;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::transport::Server;
use tower::{Layer, Service};

/// Accepted connections, for `serve_with_incoming_shutdown`.
pub type Incoming = ReceiverStream<Result<ServerIo, std::io::Error>>;

/// Starts accepting on `listener` until `shutdown`; returns the connections as a stream.
pub fn incoming(
    listener: BoundListener,
    settings: &GrpcServerSettings,
    shutdown: CancellationToken,
) -> Incoming {
    let deadlines = Deadlines {
        head: (!settings.first_request_timeout.is_zero()).then_some(settings.first_request_timeout),
        idle: (!settings.keepalive.max_connection_idle.is_zero())
            .then_some(settings.keepalive.max_connection_idle),
        // HTTP/2 has flow control and keepalive pings for that.
        write: None,
    };
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(
        listener.run(Protocol::Http2, deadlines, shutdown, move |io| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(Ok(io)).await;
            }
        }),
    );
    ReceiverStream::new(rx)
}

/// A tonic server builder with `settings`' keepalive, stream and header limits.
pub fn configure(server: Server, settings: &GrpcServerSettings) -> Server {
    let k = &settings.keepalive;
    let mut server = server
        .max_concurrent_streams(settings.max_concurrent_streams)
        .http2_max_header_list_size(
            u32::try_from(settings.max_request_header_size).unwrap_or(u32::MAX),
        )
        .http2_keepalive_interval(Some(k.time))
        .http2_keepalive_timeout(Some(k.timeout));
    if let Some(age) = k.max_connection_age {
        server = server.max_connection_age(age);
    }
    if let Some(grace) = k.max_connection_age_grace {
        server = server.max_connection_age_grace(grace);
    }
    server
}

/// The layer putting [`GrpcGate`] in front of a tonic server's services.
#[derive(Clone, Default)]
pub struct GrpcGateLayer {
    auth: Option<Arc<dyn ServerAuthenticator>>,
}

impl GrpcGateLayer {
    /// A gate running `auth` (if any) on every call.
    pub fn new(auth: Option<Arc<dyn ServerAuthenticator>>) -> Self {
        GrpcGateLayer { auth }
    }
}

impl<S> Layer<S> for GrpcGateLayer {
    type Service = GrpcGate<S>;

    fn layer(&self, inner: S) -> GrpcGate<S> {
        GrpcGate {
            inner,
            auth: self.auth.clone(),
        }
    }
}

/// Counts a call on its connection while it runs, and refuses it when the authenticator does.
#[derive(Clone)]
pub struct GrpcGate<S> {
    inner: S,
    auth: Option<Arc<dyn ServerAuthenticator>>,
}

/// The message an UNAUTHENTICATED answer carries.
fn refusal(error: &AuthError) -> tonic::Status {
    match error {
        AuthError::Unavailable(_) => tonic::Status::unavailable(error.to_string()),
        _ => tonic::Status::unauthenticated(format!(
            "{error}: this endpoint requires authentication (send the credential in the \
             `authorization` metadata)"
        )),
    }
}

impl<S, B, R> Service<http::Request<B>> for GrpcGate<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
{
    type Response = http::Response<Either<R, tonic::body::Body>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let guard = request
            .extensions()
            .get::<ConnInfo>()
            .map(ConnInfo::request);
        if let Some(auth) = &self.auth
            && let Err(e) = auth.authenticate(request.headers())
        {
            let response = refusal(&e).into_http::<tonic::body::Body>();
            return Box::pin(async move {
                drop(guard);
                Ok(response.map(Either::Right))
            });
        }
        let future = self.inner.call(request);
        Box::pin(async move {
            let response = future.await;
            drop(guard);
            response.map(|r| r.map(Either::Left))
        })
    }
}
