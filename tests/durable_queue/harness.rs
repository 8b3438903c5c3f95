//! The harness of tests/durable_queue.rs: the daemon's config, OTLP/gRPC clients that retry as
//! SDKs do, and a tonic backend that records span ids and checks every field of every span
//! that arrives against what was sent (each span is a pure function of its id).

use super::support::{Daemon, TempDir};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::trace::v1::{
    ResourceSpans, ScopeSpans, Span, Status as SpanStatus,
};
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
    let spans: Vec<Span> = (0..spans as u64).map(|i| span(n, i)).collect();
    let ids = spans.iter().map(|s| id_of(s).expect("8-byte id")).collect();
    let request = ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            scope_spans: vec![ScopeSpans {
                spans,
                ..Default::default()
            }],
            ..Default::default()
        }],
    };
    (request, ids)
}

/// Span `i` of request `n`. Every field is a function of (n, i), which the span id encodes, so
/// the sink can tell from the id alone what should have arrived.
pub fn span(n: u64, i: u64) -> Span {
    let id = ((n << 20) | i | 1 << 63).to_be_bytes();
    let start = 1_700_000_000_000_000_000 + n * 1_000_000 + i;
    let attribute = |key: &str, value: any_value::Value| KeyValue {
        key: key.into(),
        value: Some(AnyValue { value: Some(value) }),
        ..Default::default()
    };
    Span {
        trace_id: [&id[..], &id[..]].concat(),
        span_id: id.to_vec(),
        name: format!("request {n}"),
        kind: 1 + (i % 5) as i32,
        start_time_unix_nano: start,
        end_time_unix_nano: start + 1_000 + i,
        attributes: vec![
            attribute("test.request", any_value::Value::IntValue(n as i64)),
            attribute(
                "test.span",
                any_value::Value::StringValue(format!("{i} of {n}")),
            ),
        ],
        status: Some(SpanStatus {
            code: if i.is_multiple_of(7) { 2 } else { 1 },
            message: if i.is_multiple_of(7) {
                format!("failed {i}")
            } else {
                String::new()
            },
        }),
        ..Default::default()
    }
}

/// The span that was sent with this span id.
fn sent_with(id: [u8; 8]) -> Span {
    let x = u64::from_be_bytes(id) & !(1 << 63);
    span(x >> 20, x & 0xF_FFFF)
}

fn id_of(span: &Span) -> Option<[u8; 8]> {
    span.span_id.as_slice().try_into().ok()
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

/// An OTLP/gRPC backend counting how often each span id arrived, and keeping every span whose
/// fields differ from what was sent with that id.
#[derive(Clone, Default)]
pub struct Sink {
    seen: Arc<Mutex<HashMap<[u8; 8], u32>>>,
    altered: Arc<Mutex<Vec<Span>>>,
    /// What should arrive, by id, when it is not made by [`span`] (e.g. a webhook's spans).
    expected: Option<Arc<HashMap<[u8; 8], Span>>>,
}

#[tonic::async_trait]
impl TraceService for Sink {
    async fn export(
        &self,
        request: Request<ExportTraceServiceRequest>,
    ) -> Result<Response<ExportTraceServiceResponse>, Status> {
        let mut seen = self.seen.lock().unwrap();
        let mut altered = self.altered.lock().unwrap();
        for span in request
            .into_inner()
            .resource_spans
            .into_iter()
            .flat_map(|r| r.scope_spans)
            .flat_map(|s| s.spans)
        {
            let id = id_of(&span).unwrap_or_default();
            *seen.entry(id).or_default() += 1;
            let sent = match &self.expected {
                Some(expected) => expected.get(&id).cloned(),
                None => Some(sent_with(id)),
            };
            if sent.as_ref() != Some(&span) {
                altered.push(span);
            }
        }
        Ok(Response::new(ExportTraceServiceResponse::default()))
    }
}

impl Sink {
    /// Starts serving on 127.0.0.1:`port`, expecting spans made by [`span`].
    pub fn start(rt: &tokio::runtime::Runtime, port: u16) -> Sink {
        Sink::serve(rt, port, Sink::default())
    }

    /// Starts serving on 127.0.0.1:`port`, expecting exactly `spans` (by span id).
    pub fn start_expecting(rt: &tokio::runtime::Runtime, port: u16, spans: Vec<Span>) -> Sink {
        let expected = spans
            .into_iter()
            .filter_map(|s| Some((id_of(&s)?, s)))
            .collect();
        let sink = Sink {
            expected: Some(Arc::new(expected)),
            ..Sink::default()
        };
        Sink::serve(rt, port, sink)
    }

    fn serve(rt: &tokio::runtime::Runtime, port: u16, sink: Sink) -> Sink {
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

    /// Spans that arrived with any field other than what was sent with their id.
    pub fn altered(&self) -> Vec<Span> {
        self.altered.lock().unwrap().clone()
    }

    /// Waits until every id in `expected` arrived, each exactly as sent; fails naming how many
    /// did not, or the first span that arrived altered.
    pub fn wait_for_all(&self, expected: &BTreeSet<[u8; 8]>, daemon: &Daemon) {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let ids = self.ids();
            let missing = expected.iter().filter(|id| !ids.contains(*id)).count();
            if missing == 0 {
                let altered = self.altered();
                assert!(
                    altered.is_empty(),
                    "{} span(s) arrived with fields other than sent, e.g. {:?}",
                    altered.len(),
                    altered.first()
                );
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
