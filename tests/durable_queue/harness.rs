//! The harness of tests/durable_queue.rs: the daemon's config, OTLP/gRPC clients that retry as
//! SDKs do, and a tonic backend that records span ids.

use super::support::{Daemon, TempDir};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tonic::transport::server::TcpIncoming;
use tonic::{Code, Request, Response, Status};

// ---- the daemon's config ------------------------------------------------------------------

pub fn queue_dir(dir: &TempDir) -> PathBuf {
    let queue = dir.join("queue");
    std::fs::create_dir_all(&queue).unwrap();
    queue
}

/// OTLP/gRPC in; `otlp` out to 127.0.0.1:`port` with fast retries that never give up, behind a
/// persistent queue in `queue` with exporter-side batching; `extra_queue` lines go under
/// `sending_queue`.
pub fn config(port: u16, queue: &Path, extra_queue: &str, shutdown_timeout: &str) -> String {
    format!(
        "extensions:
  file_storage/queue:
    directory: {queue}
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:0
exporters:
  otlp/sink:
    endpoint: http://127.0.0.1:{port}
    compression: none
    timeout: 5s
    retry_on_failure:
      initial_interval: 50ms
      max_interval: 500ms
      max_elapsed_time: 0s
    sending_queue:
      storage: file_storage/queue
      num_consumers: 4
{extra_queue}      batch:
        min_size: 2000
        max_size: 5000
        flush_timeout: 20ms
service:
  extensions: [file_storage/queue]
  shutdown_timeout: {shutdown_timeout}
  telemetry:
    metrics:
      address: 127.0.0.1:0
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [otlp/sink]
",
        queue = queue.display()
    )
}

pub fn grpc_endpoint(daemon: &Daemon) -> String {
    format!("http://{}", daemon.address("otlp", "grpc"))
}

pub fn segment_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "seg"))
        .collect();
    out.sort();
    out
}

pub fn metrics_text(daemon: &Daemon) -> String {
    let url = format!("http://{}/metrics", daemon.address("metrics", "http"));
    reqwest::blocking::get(&url)
        .and_then(|r| r.text())
        .unwrap_or_default()
}

pub fn metric(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| {
        line.strip_prefix(series)?
            .strip_prefix(' ')?
            .trim()
            .parse()
            .ok()
    })
}

// ---- clients ------------------------------------------------------------------------------

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Request `n`: `spans` spans with ids derived from `n`, so every span id is unique.
pub fn request(n: u64, spans: usize) -> (ExportTraceServiceRequest, Vec<[u8; 8]>) {
    let ids: Vec<[u8; 8]> = (0..spans as u64)
        .map(|i| ((n << 20) | i | 1 << 63).to_be_bytes())
        .collect();
    let request = ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            scope_spans: vec![ScopeSpans {
                spans: ids
                    .iter()
                    .map(|id| Span {
                        trace_id: [&id[..], &id[..]].concat(),
                        span_id: id.to_vec(),
                        name: format!("request {n}"),
                        start_time_unix_nano: 1,
                        end_time_unix_nano: 2,
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            }],
            ..Default::default()
        }],
    };
    (request, ids)
}

/// One client connection to one daemon.
pub struct Client {
    pub endpoint: String,
}

impl Client {
    pub fn new(daemon: &Daemon) -> Client {
        Client {
            endpoint: grpc_endpoint(daemon),
        }
    }

    pub async fn send(&self, request: ExportTraceServiceRequest) -> Result<(), Status> {
        let mut client = TraceServiceClient::connect(self.endpoint.clone())
            .await
            .map_err(|e| Status::unavailable(e.to_string()))?;
        client.export(request).await.map(|_| ())
    }

    pub async fn send_until_ok(&self, request: ExportTraceServiceRequest) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match self.send(request.clone()).await {
                Ok(()) => return,
                Err(s) if retryable(s.code()) && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(50)).await
                }
                Err(s) => panic!("export failed: {s:?}"),
            }
        }
    }
}

/// The codes OTLP clients retry.
pub fn retryable(code: Code) -> bool {
    matches!(
        code,
        Code::Unavailable
            | Code::ResourceExhausted
            | Code::Aborted
            | Code::Cancelled
            | Code::DeadlineExceeded
            | Code::Unknown
    )
}

/// Sends `request` to whatever daemon `endpoint` names now, retrying (with backoff, and across
/// restarts) until it is acknowledged; returns the retries it took.
pub async fn send_retrying(
    endpoint: &Mutex<Option<String>>,
    request: ExportTraceServiceRequest,
) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut delay = Duration::from_millis(20);
    let mut retries = 0;
    loop {
        let target = endpoint.lock().unwrap().clone();
        if let Some(endpoint) = target {
            match (Client { endpoint }).send(request.clone()).await {
                Ok(()) => return retries,
                Err(s) if retryable(s.code()) => {}
                Err(s) => panic!("export failed with a code SDKs do not retry: {s:?}"),
            }
        }
        assert!(
            Instant::now() < deadline,
            "a request was never acknowledged"
        );
        retries += 1;
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_millis(500));
    }
}

// ---- the backend --------------------------------------------------------------------------

/// A port nothing listens on yet (bound and released), for a backend that starts later.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// An OTLP/gRPC backend counting how often each span id arrived.
#[derive(Clone, Default)]
pub struct Sink {
    seen: Arc<Mutex<HashMap<[u8; 8], u32>>>,
}

#[tonic::async_trait]
impl TraceService for Sink {
    async fn export(
        &self,
        request: Request<ExportTraceServiceRequest>,
    ) -> Result<Response<ExportTraceServiceResponse>, Status> {
        let mut seen = self.seen.lock().unwrap();
        for span in request
            .into_inner()
            .resource_spans
            .iter()
            .flat_map(|r| &r.scope_spans)
            .flat_map(|s| &s.spans)
        {
            let id: [u8; 8] = span.span_id.as_slice().try_into().unwrap_or_default();
            *seen.entry(id).or_default() += 1;
        }
        Ok(Response::new(ExportTraceServiceResponse::default()))
    }
}

impl Sink {
    /// Starts serving on 127.0.0.1:`port`.
    pub fn start(rt: &tokio::runtime::Runtime, port: u16) -> Sink {
        let sink = Sink::default();
        let address: SocketAddr = ([127, 0, 0, 1], port).into();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind(address))
            .expect("bind the sink's port");
        let service = TraceServiceServer::new(sink.clone()).max_decoding_message_size(64 << 20);
        rt.spawn(
            tonic::transport::Server::builder()
                .add_service(service)
                .serve_with_incoming(TcpIncoming::from(listener)),
        );
        sink
    }

    pub fn ids(&self) -> BTreeSet<[u8; 8]> {
        self.seen.lock().unwrap().keys().copied().collect()
    }

    /// Spans that arrived more than once (allowed: span ids are deterministic).
    pub fn duplicates(&self) -> u64 {
        self.seen
            .lock()
            .unwrap()
            .values()
            .map(|&n| u64::from(n.saturating_sub(1)))
            .sum()
    }

    /// Waits until every id in `expected` arrived; fails naming how many did not.
    pub fn wait_for_all(&self, expected: &BTreeSet<[u8; 8]>, daemon: &Daemon) {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let ids = self.ids();
            let missing = expected.iter().filter(|id| !ids.contains(*id)).count();
            if missing == 0 {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{missing} of {} acknowledged spans never reached the backend\n{}",
                expected.len(),
                daemon.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
