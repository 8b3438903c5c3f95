//! The listener kit: every listener ciotel opens (OTLP gRPC and HTTP, the webhooks,
//! health_check, the metrics endpoint) is bound and served through it, so each has timeouts,
//! a connection limit, TLS with certificate reload and an authentication hook.
//!
//! Files, one concern each:
//! - `config.rs`: the settings and their defaults, in the Collector's key names;
//! - `accept.rs`: binding, the accept loop, the connection limit, accept-error backoff, the TLS
//!   handshake per connection;
//! - `activity.rs`: when a connection must be closed (header, first-request and idle deadlines);
//! - `conn.rs`: a served connection's IO, which enforces those deadlines;
//! - `tls.rs`: rustls config from PEM files, reloaded when they change;
//! - `timed_body.rs`: a request body bounded in time (`read_timeout`);
//! - `http.rs`: serving an axum router with hyper, auth before the body;
//! - `grpc.rs`: the incoming stream and layer for tonic;
//! - `report.rs`: per-listener counters and rate-limited log lines;
//! - `tests.rs`: the kit alone (peer address, auth before the body, body deadline).

mod accept;
mod activity;
pub mod config;
mod conn;
pub mod grpc;
pub mod http;
mod report;
mod timed_body;
pub mod tls;

pub use accept::{BoundListener, ListenError, ListenerName, bind};
pub use config::{
    ConnectionSettings, GrpcKeepalive, GrpcServerSettings, HttpServerSettings, ServerParameters,
    TlsServerConfig, TlsVersion,
};
pub use conn::{ConnInfo, ServerIo};
pub use http::{HttpAuth, serve_http};
pub use tls::Alpn;

#[cfg(test)]
mod tests;
