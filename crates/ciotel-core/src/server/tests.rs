//! The kit on its own: the peer address in every request, the plain auth refusal before the
//! body, and the body deadline as read_limited sees it.

use super::*;
use crate::auth::{AuthError, ServerAuthenticator};
use crate::body::{BodyError, read_limited};
use crate::config::values::ListenAddress;
use crate::telemetry::Registry;
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

/// A response larger than loopback's socket buffers.
const BIG: usize = 32 << 20;

struct NeverAuth;

impl ServerAuthenticator for NeverAuth {
    fn authenticate(&self, _: &HeaderMap) -> Result<(), AuthError> {
        Err(AuthError::Missing)
    }
}

fn settings(read_timeout: Duration) -> HttpServerSettings {
    HttpServerSettings {
        read_header_timeout: Duration::from_secs(5),
        read_timeout,
        idle_timeout: Duration::from_secs(5),
        write_timeout: Duration::from_millis(300),
        max_request_header_size: 16 * 1024,
        connections: ConnectionSettings {
            max_concurrent_connections: 10,
            tls: None,
        },
    }
}

/// Serves a router answering `POST /` with the peer address and what read_limited said.
async fn serve(auth: Option<HttpAuth>, read_timeout: Duration) -> (SocketAddr, CancellationToken) {
    let stop = CancellationToken::new();
    let name = ListenerName {
        component: "test",
        transport: "http",
    };
    let endpoint = ListenAddress::parse("127.0.0.1:0").unwrap();
    let s = settings(read_timeout);
    let listener = bind(
        name,
        &endpoint,
        &s.connections,
        Alpn::Http1,
        auth.is_some(),
        &Registry::new(),
        &stop,
    )
    .await
    .unwrap();
    let address = listener.local_addr();
    let router = Router::new().route("/big", get(|| async { vec![b'x'; BIG] })).route(
        "/",
        post(
            |ConnectInfo(peer): ConnectInfo<SocketAddr>, headers: HeaderMap, body: Body| async move {
                match read_limited(&headers, body, 1024).await {
                    Ok(b) => format!("{peer} read {}", b.len()),
                    Err(BodyError::TimedOut { .. }) => format!("{peer} timed out"),
                    Err(e) => format!("{peer} {e}"),
                }
            },
        ),
    );
    serve_http(listener, router, &s, auth, stop.clone());
    (address, stop)
}

async fn exchange(address: SocketAddr, request: &[u8]) -> (SocketAddr, String) {
    let mut tcp = TcpStream::connect(address).await.unwrap();
    let local = tcp.local_addr().unwrap();
    tcp.write_all(request).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut buf))
        .await
        .expect("an answer")
        .unwrap();
    (local, String::from_utf8_lossy(&buf[..n]).into_owned())
}

#[tokio::test]
async fn every_request_carries_its_peer_address() {
    let (address, stop) = serve(None, Duration::from_secs(5)).await;
    let (local, reply) = exchange(
        address,
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
    )
    .await;
    assert!(reply.ends_with(&format!("{local} read 3")), "{reply}");
    stop.cancel();
}

#[tokio::test]
async fn a_body_slower_than_read_timeout_is_cut_off() {
    let (address, stop) = serve(None, Duration::from_millis(200)).await;
    let (_, reply) = exchange(
        address,
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 30\r\n\r\nabc",
    )
    .await;
    assert!(reply.ends_with("timed out"), "{reply}");
    stop.cancel();
}

#[tokio::test]
async fn the_authenticator_refuses_on_the_headers_with_a_challenge() {
    let auth = HttpAuth::new(Arc::new(NeverAuth));
    let (address, stop) = serve(Some(auth), Duration::from_secs(5)).await;
    let (_, reply) = exchange(
        address,
        b"POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Basic eDp5\r\nContent-Length: 999\r\n\r\n",
    )
    .await;
    assert!(reply.starts_with("HTTP/1.1 401"), "{reply}");
    let lower = reply.to_ascii_lowercase();
    assert!(
        lower.contains("www-authenticate: basic realm=\"ciotel\""),
        "{reply}"
    );
    assert!(reply.contains("missing credentials"), "{reply}");
    stop.cancel();
}

#[tokio::test]
async fn a_request_head_past_max_request_header_size_is_refused() {
    let (address, stop) = serve(None, Duration::from_secs(5)).await;
    let big = "a".repeat(20 * 1024);
    let request =
        format!("POST / HTTP/1.1\r\nHost: x\r\nX-Big: {big}\r\nContent-Length: 0\r\n\r\n");
    let (_, reply) = exchange(address, request.as_bytes()).await;
    assert!(reply.starts_with("HTTP/1.1 431"), "{reply}");
    stop.cancel();
}

#[tokio::test]
async fn a_client_that_stops_reading_is_cut_off_after_write_timeout() {
    let (address, stop) = serve(None, Duration::from_secs(5)).await;
    let mut tcp = TcpStream::connect(address).await.unwrap();
    tcp.write_all(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    // The slow client: it reads nothing for longer than write_timeout (300ms).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut got = 0usize;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => got += n,
            Err(_) => panic!("the connection stayed open after write_timeout"),
        }
    }
    assert!(got < BIG, "the whole response arrived ({got} bytes)");
    stop.cancel();
}
