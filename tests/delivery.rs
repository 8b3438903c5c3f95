//! Delivery guarantees, black box: ciotel's `otlphttp` exporter sends to a sink this test
//! controls (an HTTP server that can stall, answer slowly, or fail on purpose), and we check what
//! the OTLP spec and the design promise:
//! - backpressure: a full sending queue makes the receiver refuse retryably (HTTP 503 with
//!   Retry-After, gRPC UNAVAILABLE), and every span a client re-sends after that arrives;
//! - retry: 503s are retried until the sink accepts, a 400 is never retried, a 429's Retry-After
//!   is honoured, and the exporter counters say so;
//! - graceful shutdown: SIGTERM delivers everything acknowledged (queued or held by a batch
//!   processor) and exits 0; when the backend never answers, `service.shutdown_timeout` bounds it.

mod support;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use prost::Message;
use std::collections::{BTreeSet, VecDeque};
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{Daemon, TempDir, wait_for};

// ---- (a) backpressure ----------------------------------------------------------------------

/// With a one-slot queue and a stalled backend, HTTP clients get 503 + Retry-After and gRPC
/// clients UNAVAILABLE; once the backend recovers, every span the clients re-sent arrives.
#[test]
fn a_full_queue_refuses_retryably_and_every_resent_span_arrives() {
    let sink = Sink::start(Reply::Ok);
    sink.stall();
    let dir = TempDir::new("backpressure");
    let daemon = Daemon::start(
        &dir,
        "ciotel",
        &sink_config(&sink, Some((1, 1)), None, "10s"),
    );
    let http = Http::new(&daemon);
    let grpc = Grpc::new(&daemon);
    let mut sent_ids = Vec::new();
    let mut refused: Vec<(Transport, ExportTraceServiceRequest)> = Vec::new();

    // Fill the pipeline over HTTP until it refuses. One batch is in flight, one queued: a third
    // must be refused; 50 tries means something buffers without bound.
    let mut http_refusal = None;
    for _ in 0..50 {
        let (request, ids) = trace_request(2);
        sent_ids.extend(ids);
        let r = http.export(&request);
        match r.status {
            200 => {}
            503 => {
                refused.push((Transport::Http, request));
                http_refusal = Some(r);
                break;
            }
            other => panic!(
                "unexpected HTTP {other} while filling the queue: {}\n{}",
                r.body,
                daemon.log_text()
            ),
        }
    }
    let r = http_refusal.unwrap_or_else(|| {
        panic!(
            "50 HTTP requests to a stalled backend and no 503\n{}",
            daemon.log_text()
        )
    });
    let retry_after = r
        .retry_after
        .as_deref()
        .unwrap_or_else(|| panic!("503 without Retry-After: {r:?}"));
    assert!(
        retry_after.trim().parse::<u64>().is_ok() || retry_after.contains("GMT"),
        "Retry-After must be seconds or an HTTP date, got {retry_after:?}"
    );

    // The backend is still stalled: gRPC clients are refused too, with UNAVAILABLE.
    let mut grpc_refusal = None;
    for _ in 0..50 {
        let (request, ids) = trace_request(2);
        sent_ids.extend(ids);
        match grpc.export(request.clone()) {
            Ok(()) => {}
            Err(status) => {
                refused.push((Transport::Grpc, request));
                grpc_refusal = Some(status);
                break;
            }
        }
    }
    let status = grpc_refusal
        .unwrap_or_else(|| panic!("50 gRPC requests to a stalled backend and no refusal"));
    assert_eq!(
        status.code(),
        tonic::Code::Unavailable,
        "backpressure over gRPC must be UNAVAILABLE: {status:?}"
    );

    // The backend recovers; clients re-send what was refused, as OTLP clients do.
    sink.release();
    for (transport, request) in refused {
        wait_for("a re-sent request to be accepted", || match transport {
            Transport::Http => (http.export(&request).status == 200).then_some(()),
            Transport::Grpc => grpc.export(request.clone()).ok(),
        });
    }
    let mut delivered = BTreeSet::new();
    let all_arrived = wait_until(Duration::from_secs(10), || {
        delivered = sink.delivered();
        sent_ids.iter().all(|id| delivered.contains(id))
    });
    let lost: Vec<_> = sent_ids
        .iter()
        .filter(|id| !delivered.contains(*id))
        .collect();
    assert!(
        all_arrived,
        "{} of {} spans never reached the backend: {lost:?}\n{}",
        lost.len(),
        sent_ids.len(),
        daemon.log_text()
    );
}

// ---- (b) retry -----------------------------------------------------------------------------

/// Three 503s, then 200: the batch arrives on the fourth attempt and is counted as sent.
#[test]
fn retryable_failures_are_retried_until_the_backend_accepts() {
    let sink = Sink::start(Reply::Ok);
    sink.script([Reply::status(503), Reply::status(503), Reply::status(503)]);
    let dir = TempDir::new("retry-503");
    let daemon = Daemon::start(&dir, "ciotel", &sink_config(&sink, None, None, "10s"));
    let (request, ids) = trace_request(5);
    assert_eq!(Http::new(&daemon).export(&request).status, 200);

    wait_for("the spans to reach the backend after three 503s", || {
        let delivered = sink.delivered();
        ids.iter().all(|id| delivered.contains(id)).then_some(())
    });
    assert_eq!(sink.attempts().len(), 4, "three failures and one success");
    let metrics = Metrics::of(&daemon);
    metrics.wait_for(&[
        (r#"ciotel_exporter_sent_spans{exporter="otlphttp"}"#, 5.0),
        (
            r#"ciotel_exporter_send_failed_spans{exporter="otlphttp"}"#,
            0.0,
        ),
    ]);
}

/// A 400 is permanent: one attempt, no retry, and the spans are counted as failed.
#[test]
fn a_permanent_failure_is_not_retried_and_is_counted() {
    let sink = Sink::start(Reply::status(400));
    let dir = TempDir::new("retry-400");
    let daemon = Daemon::start(&dir, "ciotel", &sink_config(&sink, None, None, "10s"));
    let (request, _) = trace_request(3);
    assert_eq!(Http::new(&daemon).export(&request).status, 200);

    let metrics = Metrics::of(&daemon);
    metrics.wait_for(&[
        (
            r#"ciotel_exporter_send_failed_spans{exporter="otlphttp"}"#,
            3.0,
        ),
        (r#"ciotel_exporter_sent_spans{exporter="otlphttp"}"#, 0.0),
    ]);
    // With initial_interval 50ms, a retry would come within this window.
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(sink.attempts().len(), 1, "a 400 must not be retried");
}

/// A 429 with `Retry-After: 1` makes the exporter wait about a second, not its own 50 ms.
#[test]
fn a_throttled_request_waits_as_long_as_retry_after_says() {
    let sink = Sink::start(Reply::Ok);
    sink.script([Reply::Status {
        code: 429,
        retry_after: Some("1".into()),
    }]);
    let dir = TempDir::new("retry-429");
    let daemon = Daemon::start(&dir, "ciotel", &sink_config(&sink, None, None, "10s"));
    let (request, ids) = trace_request(1);
    assert_eq!(Http::new(&daemon).export(&request).status, 200);

    wait_for("the throttled spans to arrive", || {
        let delivered = sink.delivered();
        ids.iter().all(|id| delivered.contains(id)).then_some(())
    });
    let attempts = sink.attempts();
    assert_eq!(attempts.len(), 2, "one 429, then one success");
    let gap = attempts[1] - attempts[0];
    assert!(
        gap >= Duration::from_millis(900),
        "Retry-After: 1 was not honoured: retried after {gap:?}"
    );
    assert!(gap < Duration::from_secs(5), "retried only after {gap:?}");
}

// ---- (c) graceful shutdown -----------------------------------------------------------------

/// Spans acknowledged while the backend is slow are all delivered after SIGTERM; exit code 0.
#[test]
fn sigterm_delivers_every_acknowledged_span_and_exits_zero() {
    let sink = Sink::start(Reply::Delay(Duration::from_millis(300)));
    let dir = TempDir::new("shutdown-drain");
    let daemon = &mut Daemon::start(
        &dir,
        "ciotel",
        &sink_config(&sink, Some((100, 2)), None, "10s"),
    );
    let http = Http::new(daemon);
    let mut acknowledged = Vec::new();
    for _ in 0..8 {
        let (request, ids) = trace_request(2);
        assert_eq!(http.export(&request).status, 200);
        acknowledged.extend(ids);
    }
    let before = sink.delivered().len();
    assert!(
        before < acknowledged.len(),
        "precondition: data must still be in flight at SIGTERM"
    );

    let status = daemon.terminate();
    let delivered = sink.delivered();
    let lost: Vec<_> = acknowledged
        .iter()
        .filter(|id| !delivered.contains(*id))
        .collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged span(s) lost on SIGTERM: {lost:?}\n{}",
        lost.len(),
        daemon.log_text()
    );
    assert_eq!(
        status.code(),
        Some(0),
        "graceful shutdown must exit 0\n{}",
        daemon.log_text()
    );
}

/// A batch processor holding data (timeout 10 s) flushes it on SIGTERM.
#[test]
fn sigterm_flushes_what_the_batch_processor_holds() {
    let sink = Sink::start(Reply::Ok);
    let dir = TempDir::new("shutdown-batch");
    let daemon = &mut Daemon::start(
        &dir,
        "ciotel",
        &sink_config(&sink, None, Some("10s"), "10s"),
    );
    let http = Http::new(daemon);
    let mut acknowledged = Vec::new();
    for _ in 0..3 {
        let (request, ids) = trace_request(4);
        assert_eq!(http.export(&request).status, 200);
        acknowledged.extend(ids);
    }
    assert!(
        sink.attempts().is_empty(),
        "precondition: the batch processor must still hold the spans"
    );

    let started = Instant::now();
    let status = daemon.terminate();
    let delivered = sink.delivered();
    let lost: Vec<_> = acknowledged
        .iter()
        .filter(|id| !delivered.contains(*id))
        .collect();
    assert!(
        lost.is_empty(),
        "{} span(s) held by the batch processor lost on SIGTERM: {lost:?}\n{}",
        lost.len(),
        daemon.log_text()
    );
    assert_eq!(
        status.code(),
        Some(0),
        "graceful shutdown must exit 0\n{}",
        daemon.log_text()
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the flush must not wait for the batch timeout: took {:?}",
        started.elapsed()
    );
}

// ---- (d) shutdown deadline -----------------------------------------------------------------

/// A backend that never answers cannot hold shutdown past `service.shutdown_timeout`: the
/// daemon exits non-zero within a few seconds and logs that the deadline passed.
#[test]
fn shutdown_gives_up_at_the_deadline_when_the_backend_never_answers() {
    let sink = Sink::start(Reply::Ok);
    sink.stall();
    let dir = TempDir::new("shutdown-deadline");
    let daemon = &mut Daemon::start(&dir, "ciotel", &sink_config(&sink, None, None, "1s"));
    let (request, _) = trace_request(2);
    assert_eq!(Http::new(daemon).export(&request).status, 200);
    wait_for("the exporter to be stuck sending to the backend", || {
        (!sink.attempts().is_empty()).then_some(())
    });

    let started = Instant::now();
    let status = daemon.terminate();
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "shutdown_timeout 1s, but the daemon took {took:?} to exit\n{}",
        daemon.log_text()
    );
    assert!(
        status.code().is_some_and(|c| c != 0),
        "a missed shutdown deadline must exit non-zero, got {status:?}"
    );
    // The log reader may still be reading the last lines the process wrote before it exited.
    let said_so = wait_until(Duration::from_secs(5), || {
        daemon.log_lines().iter().any(|l| {
            l.contains("ERROR")
                && l.contains("shutdown")
                && (l.contains("within") || l.contains("deadline"))
        })
    });
    assert!(
        said_so,
        "expected an error saying the shutdown deadline passed:\n{}",
        daemon.log_text()
    );
}

// ---- the daemon's config -------------------------------------------------------------------

/// OTLP in (gRPC and HTTP), `otlphttp` out to `sink` with fast retries (50 ms) and a long
/// request timeout, optionally a `sending_queue` of `(queue_size, num_consumers)` and a `batch`
/// processor with the given timeout; metrics on an OS-picked port.
fn sink_config(
    sink: &Sink,
    queue: Option<(usize, usize)>,
    batch_timeout: Option<&str>,
    shutdown_timeout: &str,
) -> String {
    let queue = match queue {
        Some((size, consumers)) => format!(
            "    sending_queue:\n      queue_size: {size}\n      num_consumers: {consumers}\n"
        ),
        None => String::new(),
    };
    let (processors, pipeline_processors) = match batch_timeout {
        Some(timeout) => (
            format!("processors:\n  batch:\n    timeout: {timeout}\n    send_batch_size: 10000\n"),
            "      processors: [batch]\n",
        ),
        None => (String::new(), ""),
    };
    format!(
        "receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:0
      http:
        endpoint: 127.0.0.1:0
{processors}exporters:
  otlphttp:
    endpoint: {url}
    timeout: 30s
    retry_on_failure:
      initial_interval: 50ms
      max_interval: 200ms
{queue}service:
  shutdown_timeout: {shutdown_timeout}
  telemetry:
    metrics:
      address: 127.0.0.1:0
  pipelines:
    traces:
      receivers: [otlp]
{pipeline_processors}      exporters: [otlphttp]
",
        url = sink.url
    )
}

// ---- the test's OTLP clients ---------------------------------------------------------------

#[derive(Clone, Copy)]
enum Transport {
    Http,
    Grpc,
}

#[derive(Debug)]
struct HttpReply {
    status: u16,
    retry_after: Option<String>,
    body: String,
}

/// OTLP/HTTP protobuf client of the daemon's receiver.
struct Http {
    url: String,
    client: reqwest::blocking::Client,
}

impl Http {
    fn new(daemon: &Daemon) -> Http {
        Http {
            url: format!("http://{}/v1/traces", daemon.address("otlp", "http")),
            client: reqwest::blocking::Client::new(),
        }
    }

    fn export(&self, request: &ExportTraceServiceRequest) -> HttpReply {
        let response = self
            .client
            .post(&self.url)
            .header("content-type", "application/x-protobuf")
            .body(request.encode_to_vec())
            .timeout(Duration::from_secs(10))
            .send()
            .expect("the HTTP receiver answers");
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let body = String::from_utf8_lossy(&response.bytes().unwrap_or_default()).into_owned();
        HttpReply {
            status,
            retry_after,
            body,
        }
    }
}

/// OTLP/gRPC client of the daemon's receiver.
struct Grpc {
    endpoint: String,
    runtime: tokio::runtime::Runtime,
}

impl Grpc {
    fn new(daemon: &Daemon) -> Grpc {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        Grpc {
            endpoint: format!("http://{}", daemon.address("otlp", "grpc")),
            runtime,
        }
    }

    fn export(&self, request: ExportTraceServiceRequest) -> Result<(), tonic::Status> {
        self.runtime.block_on(async {
            let mut client = TraceServiceClient::connect(self.endpoint.clone())
                .await
                .expect("connect over gRPC");
            client.export(request).await.map(|_| ())
        })
    }
}

/// An export request of `spans` spans with span ids unique in this process (returned as hex).
fn trace_request(spans: usize) -> (ExportTraceServiceRequest, Vec<String>) {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let mut ids = Vec::new();
    let spans = (0..spans)
        .map(|_| {
            let n = NEXT.fetch_add(1, Ordering::SeqCst);
            let span_id = (0xde11_0000_0000_0000 | n).to_be_bytes().to_vec();
            ids.push(hex(&span_id));
            Span {
                trace_id: [[0xd1; 8], n.to_be_bytes()].concat(),
                span_id,
                name: format!("delivery-{n}"),
                kind: 1,
                start_time_unix_nano: 1_700_000_000_000_000_000,
                end_time_unix_nano: 1_700_000_000_100_000_000,
                ..Default::default()
            }
        })
        .collect();
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---- the daemon's /metrics -----------------------------------------------------------------

struct Metrics {
    url: String,
}

impl Metrics {
    fn of(daemon: &Daemon) -> Metrics {
        Metrics {
            url: format!("http://{}/metrics", daemon.address("metrics", "http")),
        }
    }

    /// Polls /metrics until every `(series, value)` holds; fails listing what /metrics said.
    fn wait_for(&self, expected: &[(&str, f64)]) {
        let mut text = String::new();
        let ok = wait_until(Duration::from_secs(10), || {
            text = reqwest::blocking::get(&self.url)
                .and_then(|r| r.text())
                .unwrap_or_default();
            expected
                .iter()
                .all(|(series, value)| metric(&text, series) == Some(*value))
        });
        assert!(ok, "expected {expected:?} in /metrics, which says:\n{text}");
    }
}

fn metric(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| {
        line.strip_prefix(series)?
            .strip_prefix(' ')?
            .trim()
            .parse()
            .ok()
    })
}

fn wait_until(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    loop {
        if check() {
            return true;
        }
        if started.elapsed() > limit {
            return false;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

// ---- the sink: a backend the test controls -------------------------------------------------

/// How the sink answers one request.
#[derive(Debug, Clone)]
enum Reply {
    /// 200 with an empty export response.
    Ok,
    /// 200 after a delay.
    Delay(Duration),
    /// An error status, optionally with Retry-After.
    Status {
        code: u16,
        retry_after: Option<String>,
    },
}

impl Reply {
    fn status(code: u16) -> Reply {
        Reply::Status {
            code,
            retry_after: None,
        }
    }
}

struct SinkState {
    default: Reply,
    script: Mutex<VecDeque<Reply>>,
    stalled: tokio::sync::watch::Sender<bool>,
    attempts: Mutex<Vec<Instant>>,
    delivered: Mutex<BTreeSet<String>>,
}

/// An OTLP/HTTP backend on 127.0.0.1:0, on its own runtime: answers `script` first, then
/// `default`; while stalled it holds every request open. Records when each request arrived and
/// which span ids it answered 200 for.
struct Sink {
    url: String,
    state: Arc<SinkState>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Sink {
    fn start(default: Reply) -> Sink {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let state = Arc::new(SinkState {
            default,
            script: Mutex::new(VecDeque::new()),
            stalled: tokio::sync::watch::Sender::new(false),
            attempts: Mutex::new(Vec::new()),
            delivered: Mutex::new(BTreeSet::new()),
        });
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(state.clone());
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Sink {
            url,
            state,
            runtime: Some(runtime),
        }
    }

    /// The next requests get these answers, in order.
    fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.state.script.lock().unwrap().extend(replies);
    }

    fn stall(&self) {
        self.state.stalled.send_replace(true);
    }

    fn release(&self) {
        self.state.stalled.send_replace(false);
    }

    fn attempts(&self) -> Vec<Instant> {
        self.state.attempts.lock().unwrap().clone()
    }

    fn delivered(&self) -> BTreeSet<String> {
        self.state.delivered.lock().unwrap().clone()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

async fn answer(State(state): State<Arc<SinkState>>, headers: HeaderMap, body: Bytes) -> Response {
    state.attempts.lock().unwrap().push(Instant::now());
    let reply = state
        .script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or_else(|| state.default.clone());
    let mut stalled = state.stalled.subscribe();
    let _ = stalled.wait_for(|stalled| !*stalled).await;
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.contains("json"));
    let content_type = if json {
        "application/json"
    } else {
        "application/x-protobuf"
    };
    match reply {
        Reply::Status { code, retry_after } => {
            let message = format!("the test sink answers {code}");
            let body = if json {
                serde_json::json!({"code": 14, "message": message})
                    .to_string()
                    .into_bytes()
            } else {
                RpcStatus {
                    code: if code == 400 { 3 } else { 14 },
                    message,
                }
                .encode_to_vec()
            };
            let mut response = (
                StatusCode::from_u16(code).unwrap(),
                [(header::CONTENT_TYPE, content_type)],
                body,
            )
                .into_response();
            if let Some(after) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, after.parse().unwrap());
            }
            response
        }
        Reply::Ok | Reply::Delay(_) => {
            if let Reply::Delay(delay) = reply {
                tokio::time::sleep(delay).await;
            }
            let ids = span_ids(&headers, &body, json);
            state.delivered.lock().unwrap().extend(ids);
            let body = if json {
                b"{}".to_vec()
            } else {
                ExportTraceServiceResponse::default().encode_to_vec()
            };
            (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], body).into_response()
        }
    }
}

/// The span ids (hex) in an OTLP/HTTP trace export body, protobuf or JSON, gzip or not.
fn span_ids(headers: &HeaderMap, body: &[u8], json: bool) -> Vec<String> {
    let gzip = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|e| e.contains("gzip"));
    let mut plain = Vec::new();
    if gzip {
        flate2::read::GzDecoder::new(body)
            .read_to_end(&mut plain)
            .expect("the exporter sends valid gzip");
    } else {
        plain = body.to_vec();
    }
    if json {
        let value: serde_json::Value =
            serde_json::from_slice(&plain).expect("the exporter sends valid JSON");
        let mut ids = Vec::new();
        for rs in value["resourceSpans"].as_array().into_iter().flatten() {
            for ss in rs["scopeSpans"].as_array().into_iter().flatten() {
                for span in ss["spans"].as_array().into_iter().flatten() {
                    ids.extend(span["spanId"].as_str().map(str::to_lowercase));
                }
            }
        }
        return ids;
    }
    let request = ExportTraceServiceRequest::decode(plain.as_slice())
        .expect("the exporter sends valid protobuf");
    request
        .resource_spans
        .iter()
        .flat_map(|rs| &rs.scope_spans)
        .flat_map(|ss| &ss.spans)
        .map(|s| hex(&s.span_id))
        .collect()
}

/// `google.rpc.Status`, for the sink's error bodies.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
}
