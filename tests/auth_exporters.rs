//! Authenticators on the exporter side, black box: a real ciotel receives spans over OTLP/HTTP
//! and exports them to a backend this test runs, which records the `Authorization` it got.
//! - `otlphttp` with `bearertokenauth` from a token file: the exact header, and a token
//!   rewritten while the daemon runs is sent with a later export;
//! - `otlp` (gRPC) with `basicauth`'s `client_auth`: the exact header in the metadata;
//! - start-up with an unreadable token file fails naming the extension and the file.
//!
//! Credentials never appear in the daemon's output.

mod support;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use prost::Message;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{Daemon, TempDir, wait_for};

/// What a backend saw: the `authorization` value of each request, in order (`None`: absent).
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<Option<String>>>>);

impl Seen {
    fn record(&self, value: Option<&[u8]>) {
        let value = value.map(|v| String::from_utf8_lossy(v).into_owned());
        self.0.lock().unwrap().push(value);
    }

    fn all(&self) -> Vec<Option<String>> {
        self.0.lock().unwrap().clone()
    }
}

/// A backend on a loopback port, with its own runtime.
struct Backend {
    address: String,
    seen: Seen,
    _runtime: tokio::runtime::Runtime,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

impl Backend {
    /// An OTLP/HTTP backend answering 200 to everything.
    fn http() -> Backend {
        let runtime = runtime();
        let seen = Seen::default();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let address = listener.local_addr().unwrap().to_string();
        async fn answer(State(seen): State<Seen>, headers: HeaderMap, _body: Bytes) -> Vec<u8> {
            seen.record(headers.get("authorization").map(|v| v.as_bytes()));
            ExportTraceServiceResponse::default().encode_to_vec()
        }
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(seen.clone());
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Backend {
            address,
            seen,
            _runtime: runtime,
        }
    }

    /// An OTLP/gRPC backend accepting every export.
    fn grpc() -> Backend {
        struct Recorder(Seen);
        #[tonic::async_trait]
        impl TraceService for Recorder {
            async fn export(
                &self,
                request: tonic::Request<ExportTraceServiceRequest>,
            ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
                let value = request
                    .metadata()
                    .get("authorization")
                    .map(|v| v.as_bytes());
                self.0.record(value);
                Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
            }
        }
        let runtime = runtime();
        let seen = Seen::default();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let incoming = tonic::transport::server::TcpIncoming::from(listener);
        let service = TraceServiceServer::new(Recorder(seen.clone()));
        runtime.spawn(async move {
            let _ = tonic::transport::Server::builder()
                .add_service(service)
                .serve_with_incoming(incoming)
                .await;
        });
        Backend {
            address,
            seen,
            _runtime: runtime,
        }
    }

    /// Waits until the backend has seen more than `count` requests; returns the newest's value.
    fn next_after(&self, count: usize) -> Option<String> {
        wait_for("an export at the backend", || {
            let all = self.seen.all();
            (all.len() > count).then(|| all[all.len() - 1].clone())
        })
    }
}

/// A ciotel config: an OTLP/HTTP receiver, `exporter` (named `exporter_id`) and `extensions`.
fn config(exporter_id: &str, exporter: &str, extensions: &str, enabled: &str) -> String {
    format!(
        "receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:0\n\
         exporters:\n  {exporter_id}:\n{exporter}\
         extensions:\n{extensions}\
         service:\n  extensions: [{enabled}]\n  telemetry:\n    metrics:\n      level: none\n\
         \x20 pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [{exporter_id}]\n"
    )
}

/// Sends one span to the daemon's OTLP/HTTP receiver.
fn send_span(daemon: &Daemon, n: u8) {
    let request = ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            scope_spans: vec![ScopeSpans {
                spans: vec![Span {
                    trace_id: vec![0xa0 | (n & 0x0f); 16],
                    span_id: vec![n.max(1); 8],
                    name: format!("auth-{n}"),
                    start_time_unix_nano: 1_700_000_000_000_000_000,
                    end_time_unix_nano: 1_700_000_000_100_000_000,
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        }],
    };
    let url = format!("http://{}/v1/traces", daemon.address("otlp", "http"));
    let status = reqwest::blocking::Client::new()
        .post(url)
        .header("content-type", "application/x-protobuf")
        .body(request.encode_to_vec())
        .timeout(Duration::from_secs(10))
        .send()
        .expect("the receiver answers")
        .status();
    assert_eq!(status, 200);
}

fn assert_not_in_output(daemon: &Daemon, secrets: &[&str]) {
    let output = format!("{}\n{}", daemon.log_text(), daemon.stdout_text());
    for secret in secrets {
        assert!(
            !output.contains(secret),
            "`{secret}` is in the daemon's output:\n{output}"
        );
    }
}

#[test]
fn otlphttp_sends_the_bearer_token_from_a_file_and_a_rewritten_token_on_a_later_export() {
    let backend = Backend::http();
    let dir = TempDir::new("auth-bearer");
    let token_file = dir.join("token");
    std::fs::write(&token_file, "first-token-4f2a\n").unwrap();
    let exporter = format!(
        "    endpoint: http://{}\n    compression: none\n    retry_on_failure:\n      enabled: false\n    auth:\n      authenticator: bearertokenauth/sidecar\n",
        backend.address
    );
    let extensions = format!(
        "  bearertokenauth/sidecar:\n    filename: {}\n",
        token_file.display()
    );
    let daemon = Daemon::start(
        &dir,
        "ciotel",
        &config(
            "otlphttp",
            &exporter,
            &extensions,
            "bearertokenauth/sidecar",
        ),
    );

    send_span(&daemon, 1);
    assert_eq!(
        backend.next_after(0).as_deref(),
        Some("Bearer first-token-4f2a")
    );

    // Rotate the way a secret mount does: write beside, rename over.
    let staged = dir.join(".token.new");
    std::fs::write(&staged, "second-token-9c1e\n").unwrap();
    std::fs::rename(&staged, &token_file).unwrap();
    // The file is looked at no more than once a second, so a few exports may still carry the
    // old token; a later one must carry the new one, and none after it the old.
    let mut n = 2;
    let rotated_at = wait_for("an export with the rewritten token", || {
        let before = backend.seen.all().len();
        send_span(&daemon, n);
        n += 1;
        let value = backend.next_after(before);
        (value.as_deref() == Some("Bearer second-token-9c1e")).then_some(before)
    });
    send_span(&daemon, n);
    let all = backend.seen.all();
    assert_eq!(
        backend.next_after(all.len() - 1).as_deref(),
        Some("Bearer second-token-9c1e")
    );
    for value in &backend.seen.all()[..rotated_at] {
        assert_eq!(value.as_deref(), Some("Bearer first-token-4f2a"));
    }
    assert!(
        daemon
            .log_text()
            .contains("credential file changed; using its new contents"),
        "{}",
        daemon.log_text()
    );
    assert_not_in_output(&daemon, &["first-token-4f2a", "second-token-9c1e"]);
    // Loopback is not "the network": no plaintext warning.
    assert!(!daemon.log_text().contains("WITHOUT TLS"));
}

#[test]
fn otlp_grpc_sends_basic_credentials_in_its_metadata() {
    let backend = Backend::grpc();
    let dir = TempDir::new("auth-basic-grpc");
    let exporter = format!(
        "    endpoint: http://{}\n    compression: none\n    retry_on_failure:\n      enabled: false\n    auth:\n      authenticator: basicauth/client\n",
        backend.address
    );
    let extensions = "  basicauth/client:\n    client_auth:\n      username: ci-agent\n      password: \"p@ss word\"\n";
    let daemon = Daemon::start(
        &dir,
        "ciotel",
        &config("otlp", &exporter, extensions, "basicauth/client"),
    );
    send_span(&daemon, 1);
    // base64("ci-agent:p@ss word")
    assert_eq!(
        backend.next_after(0).as_deref(),
        Some("Basic Y2ktYWdlbnQ6cEBzcyB3b3Jk")
    );
    assert_not_in_output(&daemon, &["p@ss word", "Y2ktYWdlbnQ6cEBzcyB3b3Jk"]);
}

#[test]
fn an_exporter_without_auth_sends_no_authorization() {
    let backend = Backend::http();
    let dir = TempDir::new("auth-none");
    let exporter = format!(
        "    endpoint: http://{}\n    compression: none\n",
        backend.address
    );
    let extensions = "  bearertokenauth:\n    token: unused-token\n";
    let daemon = Daemon::start(
        &dir,
        "ciotel",
        &config("otlphttp", &exporter, extensions, "bearertokenauth"),
    );
    send_span(&daemon, 1);
    assert_eq!(backend.next_after(0), None);
}

#[test]
fn start_up_fails_naming_the_extension_and_the_token_file_it_cannot_read() {
    let dir = TempDir::new("auth-nofile");
    let missing = dir.join("absent-token");
    let exporter =
        "    endpoint: http://127.0.0.1:9\n    auth:\n      authenticator: bearertokenauth\n";
    let extensions = format!("  bearertokenauth:\n    filename: {}\n", missing.display());
    let log = Daemon::try_start(
        &dir,
        "ciotel",
        &config("otlphttp", exporter, &extensions, "bearertokenauth"),
    )
    .err()
    .expect("ciotel must not start");
    let expected = format!(
        "extension `bearertokenauth`: `filename` `{}`: ",
        missing.display()
    );
    assert!(log.contains(&expected), "{log}");
}
