//! One served connection's IO: a TCP stream, or a TLS stream over it, that also holds the
//! connection's slot under `max_concurrent_connections` and fails its reads once the
//! connection's [`Activity`] deadline passes (so hyper and tonic close it), and its writes once
//! they have stalled for `write_timeout`.

use super::accept::Slot;
use super::activity::Activity;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};
use tokio_rustls::server::TlsStream;

/// Plain TCP or TLS over TCP.
pub(crate) enum Stream {
    /// No TLS.
    Plain(TcpStream),
    /// TLS, handshake done.
    Tls(Box<TlsStream<TcpStream>>),
}

/// What a request can learn about its connection (gRPC: a request extension through tonic's
/// [`Connected`](tonic::transport::server::Connected)).
#[derive(Debug, Clone)]
pub struct ConnInfo {
    /// The client's address.
    pub peer: SocketAddr,
    pub(crate) activity: Arc<Activity>,
    pub(crate) waker: Arc<Mutex<Option<Waker>>>,
}

impl ConnInfo {
    /// Marks a request as started; the returned guard marks it finished when dropped, and wakes
    /// the connection so it arms its idle deadline.
    pub(crate) fn request(&self) -> RequestGuard {
        self.activity.request_started();
        RequestGuard(self.clone())
    }
}

/// Ends a request on drop.
pub(crate) struct RequestGuard(ConnInfo);

impl Drop for RequestGuard {
    fn drop(&mut self) {
        self.0.activity.request_finished();
        let waker = self
            .0
            .waker
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// A served connection.
pub struct ServerIo {
    stream: Stream,
    info: ConnInfo,
    timer: Pin<Box<Sleep>>,
    /// Since when writes have made no progress, and the timer for `write_timeout`.
    write_stall: Option<Instant>,
    write_timer: Pin<Box<Sleep>>,
    _slot: Slot,
}

impl ServerIo {
    pub(crate) fn new(
        stream: Stream,
        peer: SocketAddr,
        activity: Arc<Activity>,
        slot: Slot,
    ) -> Self {
        ServerIo {
            stream,
            info: ConnInfo {
                peer,
                activity,
                waker: Arc::default(),
            },
            timer: Box::pin(tokio::time::sleep_until(Instant::now())),
            write_stall: None,
            write_timer: Box::pin(tokio::time::sleep_until(Instant::now())),
            _slot: slot,
        }
    }

    /// The connection's info, for the requests served on it.
    pub fn info(&self) -> &ConnInfo {
        &self.info
    }

    fn poll_deadline(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        *self.info.waker.lock().unwrap_or_else(|p| p.into_inner()) = Some(cx.waker().clone());
        let Some((at, why)) = self.info.activity.deadline() else {
            return Poll::Pending;
        };
        let expired = || Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, why)));
        if Instant::now() >= at {
            return expired();
        }
        if self.timer.deadline() != at {
            self.timer.as_mut().reset(at);
        }
        match self.timer.as_mut().poll(cx) {
            Poll::Ready(()) => expired(),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl ServerIo {
    /// Passes a write's outcome on, failing it once writes have stalled for `write_timeout`.
    fn watch_write<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        let Poll::Pending = poll else {
            self.write_stall = None;
            return poll;
        };
        let Some(limit) = self.info.activity.write_limit() else {
            return Poll::Pending;
        };
        let since = *self.write_stall.get_or_insert_with(Instant::now);
        let at = since + limit;
        if self.write_timer.deadline() != at {
            self.write_timer.as_mut().reset(at);
        }
        match self.write_timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client did not read the response within write_timeout",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl tonic::transport::server::Connected for ServerIo {
    type ConnectInfo = ConnInfo;

    fn connect_info(&self) -> ConnInfo {
        self.info.clone()
    }
}

impl AsyncRead for ServerIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let read = match &mut this.stream {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        };
        match read {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.info.activity.on_read();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => this.poll_deadline(cx),
        }
    }
}

impl AsyncWrite for ServerIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = match &mut this.stream {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        };
        this.watch_write(cx, poll)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = match &mut this.stream {
            Stream::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        };
        this.watch_write(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        match &self.stream {
            Stream::Plain(s) => s.is_write_vectored(),
            Stream::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = match &mut this.stream {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        };
        this.watch_write(cx, poll)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().stream {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}
