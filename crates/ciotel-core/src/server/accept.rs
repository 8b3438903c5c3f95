//! Binding a listener and its accept loop: at most `max_concurrent_connections` served at once
//! (beyond it a connection is accepted and closed at once, counted and logged), accept errors
//! such as EMFILE counted, logged and retried after a short backoff so the loop never spins and
//! the listener serves again once descriptors free up; then each connection's TLS handshake in
//! its own task, bounded in time.

use super::activity::{Activity, Deadlines, Protocol};
use super::config::ConnectionSettings;
use super::conn::{ServerIo, Stream};
use super::report::ListenerReport;
use super::tls::{Alpn, ReloadingTls, TlsError};
use crate::config::values::ListenAddress;
use crate::telemetry::Registry;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// First and longest pause after an accept error.
const BACKOFF: (Duration, Duration) = (Duration::from_millis(10), Duration::from_secs(1));
/// The TLS handshake's limit when the listener sets none.
const HANDSHAKE_FALLBACK: Duration = Duration::from_secs(10);

/// Why a listener could not start.
#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    /// The address could not be bound.
    #[error("cannot listen on {endpoint}: {source}")]
    Bind {
        /// As configured.
        endpoint: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The TLS files do not load.
    #[error(transparent)]
    Tls(#[from] TlsError),
}

/// Who a listener is, for logs, metrics and the startup checks.
#[derive(Debug, Clone, Copy)]
pub struct ListenerName<'a> {
    /// The component, e.g. `otlp` or `github/ci`.
    pub component: &'a str,
    /// The transport, e.g. `grpc`, `http`, `webhook`, `metrics`.
    pub transport: &'static str,
}

/// A bound listener, not yet serving.
pub struct BoundListener {
    tcp: TcpListener,
    local: SocketAddr,
    report: Arc<ListenerReport>,
    slots: Arc<Semaphore>,
    limit: usize,
    tls: Option<Arc<ReloadingTls>>,
}

/// Binds `endpoint`, loads TLS and starts watching its files until `shutdown`. Warns once when
/// a non-loopback listener has neither TLS nor authentication.
pub async fn bind(
    name: ListenerName<'_>,
    endpoint: &ListenAddress,
    settings: &ConnectionSettings,
    alpn: Alpn,
    authenticated: bool,
    registry: &Registry,
    shutdown: &CancellationToken,
) -> Result<BoundListener, ListenError> {
    let tls = match &settings.tls {
        Some(files) => Some(Arc::new(ReloadingTls::load(files, alpn)?)),
        None => None,
    };
    let bind_error = |source| ListenError::Bind {
        endpoint: endpoint.to_string(),
        source,
    };
    let tcp = TcpListener::bind(endpoint.as_str())
        .await
        .map_err(bind_error)?;
    let local = tcp.local_addr().map_err(bind_error)?;
    if let Some(tls) = &tls {
        tls.watch(name.component.to_string(), shutdown.clone());
    }
    if !endpoint.is_loopback() && tls.is_none() && !authenticated {
        tracing::warn!(
            component = name.component,
            transport = name.transport,
            %endpoint,
            "listening on a non-loopback address without TLS or authentication: anyone who can \
             reach it can send data, in clear text; set `tls:` and/or `auth:`"
        );
    }
    Ok(BoundListener {
        tcp,
        local,
        report: Arc::new(ListenerReport::new(
            registry,
            name.component,
            name.transport,
        )),
        slots: Arc::new(Semaphore::new(settings.max_concurrent_connections)),
        limit: settings.max_concurrent_connections,
        tls,
    })
}

/// A connection's place under the limit; freed (and the gauge updated) on drop.
pub(crate) struct Slot {
    _permit: OwnedSemaphorePermit,
    slots: Arc<Semaphore>,
    limit: usize,
    report: Arc<ListenerReport>,
}

impl Slot {
    fn update_gauge(&self, extra: usize) {
        let open = self.limit - self.slots.available_permits().min(self.limit);
        self.report
            .open_gauge()
            .set(open.saturating_sub(extra) as u64);
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        // The permit is released after this body; count it as gone already.
        self.update_gauge(1);
    }
}

impl BoundListener {
    /// The bound address (the OS's pick for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The listener's counters and log.
    pub fn report(&self) -> &Arc<ListenerReport> {
        &self.report
    }

    /// Waits for the next connection that fits under the limit.
    async fn next(&self) -> (TcpStream, SocketAddr, Slot) {
        let mut backoff = BACKOFF.0;
        loop {
            match self.tcp.accept().await {
                Ok((stream, peer)) => {
                    backoff = BACKOFF.0;
                    match self.slots.clone().try_acquire_owned() {
                        Ok(permit) => {
                            let _ = stream.set_nodelay(true);
                            let slot = Slot {
                                _permit: permit,
                                slots: self.slots.clone(),
                                limit: self.limit,
                                report: self.report.clone(),
                            };
                            slot.update_gauge(0);
                            return (stream, peer, slot);
                        }
                        Err(_) => {
                            drop(stream);
                            self.report.refused(self.limit);
                        }
                    }
                }
                // The peer gave up before we took it: nothing wrong with the listener.
                Err(e) if is_peer_error(&e) => {}
                Err(e) => {
                    self.report.accept_error(&e);
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(BACKOFF.1);
                }
            }
        }
    }

    /// Accepts until `shutdown`, completes TLS on each connection (within `deadlines.head`)
    /// and hands it to `serve` in its own task; then stops accepting and waits for the
    /// connection tasks to end.
    pub(crate) async fn run<F, Fut>(
        self,
        protocol: Protocol,
        deadlines: Deadlines,
        shutdown: CancellationToken,
        serve: F,
    ) where
        F: Fn(ServerIo) -> Fut + Clone + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let tracker = TaskTracker::new();
        loop {
            let (stream, peer, slot) = tokio::select! {
                _ = shutdown.cancelled() => break,
                accepted = self.next() => accepted,
            };
            let activity = Arc::new(Activity::new(protocol, deadlines));
            let acceptor = self.tls.as_ref().map(|t| t.acceptor());
            let report = self.report.clone();
            let serve = serve.clone();
            let handshake = deadlines.head.unwrap_or(HANDSHAKE_FALLBACK);
            tracker.spawn(async move {
                let stream = match acceptor {
                    None => Stream::Plain(stream),
                    Some(acceptor) => {
                        match tokio::time::timeout(handshake, acceptor.accept(stream)).await {
                            Ok(Ok(tls)) => Stream::Tls(Box::new(tls)),
                            Ok(Err(e)) => return report.tls_failure(peer, &e),
                            Err(_) => {
                                return report.tls_failure(peer, &"handshake timed out");
                            }
                        }
                    }
                };
                serve(ServerIo::new(stream, peer, activity, slot)).await;
            });
        }
        drop(self.tcp);
        tracker.close();
        tracker.wait().await;
    }
}

fn is_peer_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(e.kind(), ConnectionAborted | ConnectionReset | Interrupted)
}
